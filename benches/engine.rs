//! Native benchmark of the engine (issue 5): the crate's own `Trainer`, release build.
//!
//! Driven by `bench/run.mjs`, which writes the workloads (config with hand-given initial
//! weights, data) to a JSON file so that native and wasm train on bit-identical numbers:
//!
//!     cargo bench --bench engine -- --jobs bench/out/jobs.json --out bench/out/native.json
//!
//! Each job: build a `Trainer` from `config`, `set_data`, run `warmup_epochs`, then `runs`
//! timed runs of `epochs_per_run` epochs (`Trainer::train(steps_per_epoch · epochs)`; 0 means
//! calibrate to about `target_seconds` per run), and report every run's seconds, wall clock
//! and CPU time of this thread. With `check_epochs`, a fresh trainer from the same config also
//! reports the whole-data-set loss after 1..=check_epochs epochs (the cross-system check).
//!
//! A job with `recurrent` trains issue 12's self-contained Elman layer (`layers::recurrent`, its
//! own loops, readout and loss) instead of a `Trainer`: one sequence per step, its `inputs` and
//! `targets` T × inputs and T × outputs values per sequence, the weights given by hand
//! (`weights`) or drawn from ±`init_limit` (the crate's `Rng`, `seed`), biases 0, then forward
//! through time, the loss, backpropagation through time and plain SGD, θ ← θ − η · dL/dθ, after
//! every sequence. Its "whole-data-set loss" is the mean over the sequences of L. The same layer
//! in `Network` (`LayerKind::Recurrent` and a kernel-1 convolution readout) is an ordinary job
//! with a `config`; given the same weights, the two compute the same numbers
//! (tests/recurrent_network.rs), so the bench can set one against the other.
//!
//! A job's samples are its own `inputs` and `targets`, or with `"source": "digits"` the 1,797
//! shipped 8×8 digits as the crate reads them (`digits::shipped`): file order, x = pixel / 16,
//! one-hot targets. The JS side reads the same file with its own reader, so the loss check
//! also checks that both read the same numbers.
//!
//! Without `--jobs` (as under `cargo test --all-targets`, which runs bench targets as tests)
//! it only runs a few steps of a small built-in workload and checks the loss is finite.

use backprop_viz::layers::recurrent::{Recurrent, RecurrentConfig};
use backprop_viz::rng::Rng;
use backprop_viz::{digits, NetworkConfig, Split, Trainer};
use serde::{Deserialize, Serialize};
use std::time::Instant;

/// Where a job's samples come from.
#[derive(Deserialize, Default, Clone, Copy)]
#[serde(rename_all = "snake_case")]
enum Source {
    /// The job's `inputs` and `targets`.
    #[default]
    Job,
    /// The shipped digits, all 1,797 in file order, one-hot targets.
    Digits,
}

#[derive(Deserialize)]
struct Job {
    name: String,
    /// The network's config (ignored with `recurrent`).
    #[serde(default)]
    config: serde_json::Value,
    /// Train a recurrent layer instead of a network.
    #[serde(default)]
    recurrent: Option<RecurrentJob>,
    #[serde(default)]
    source: Source,
    #[serde(default)]
    inputs: Vec<f64>,
    #[serde(default)]
    targets: Vec<f64>,
    #[serde(default)]
    warmup_epochs: u32,
    /// 0: calibrate so that one run takes about `target_seconds`.
    #[serde(default)]
    epochs_per_run: u32,
    #[serde(default = "default_target_seconds")]
    target_seconds: f64,
    #[serde(default)]
    runs: u32,
    #[serde(default)]
    check_epochs: u32,
}

/// A recurrent layer's settings, initial weights and learning rate.
#[derive(Deserialize, Clone)]
struct RecurrentJob {
    #[serde(flatten)]
    layer: RecurrentConfig,
    /// η of plain SGD, one update per sequence.
    learning_rate: f64,
    /// The initial weights given by hand (biases 0); without them, drawn as below.
    #[serde(default)]
    weights: Option<GivenWeights>,
    /// Weights ~ U(−limit, +limit) (`Recurrent::randomize`, the crate's `Rng` from `seed`), biases 0.
    #[serde(default)]
    init_limit: f64,
    #[serde(default)]
    seed: u32,
}

/// A recurrent layer's weights, flat and row-major as `Recurrent` keeps them.
#[derive(Deserialize, Clone)]
struct GivenWeights {
    /// W_x, hidden × inputs.
    weights_input: Vec<f64>,
    /// W_h, hidden × hidden.
    weights_hidden: Vec<f64>,
    /// V, outputs × hidden.
    readout_weights: Vec<f64>,
}

/// The Elman layer and its sequences, trained one sequence per step with plain SGD.
struct RecurrentRun {
    rnn: Recurrent,
    learning_rate: f64,
    inputs: Vec<f64>,
    targets: Vec<f64>,
    sequences: usize,
    /// The next sequence, and the training steps run so far.
    next: usize,
    steps: u64,
}

impl RecurrentRun {
    fn new(job: &RecurrentJob, inputs: Vec<f64>, targets: Vec<f64>) -> backprop_viz::Result<RecurrentRun> {
        let mut rnn = Recurrent::new(job.layer)?;
        rnn.randomize(&mut Rng::new(job.seed), job.init_limit);
        if let Some(given) = &job.weights {
            for (name, to, from) in [
                ("weights_input", &mut rnn.weights_input, &given.weights_input),
                ("weights_hidden", &mut rnn.weights_hidden, &given.weights_hidden),
                ("readout_weights", &mut rnn.readout_weights, &given.readout_weights),
            ] {
                if to.len() != from.len() {
                    return Err(backprop_viz::Error::InvalidConfig(format!(
                        "{name}: {} numbers given, the layer has {}",
                        from.len(),
                        to.len()
                    )));
                }
                to.copy_from_slice(from);
            }
        }
        let RecurrentConfig { inputs: nx, outputs: ny, steps: t, .. } = job.layer;
        let sequences = inputs.len() / (t * nx);
        if sequences == 0 || inputs.len() != sequences * t * nx || targets.len() != sequences * t * ny {
            return Err(backprop_viz::Error::InvalidData(format!(
                "{} inputs and {} targets are not whole sequences of {t} steps",
                inputs.len(),
                targets.len()
            )));
        }
        Ok(RecurrentRun { rnn, learning_rate: job.learning_rate, inputs, targets, sequences, next: 0, steps: 0 })
    }

    /// `n` training steps (one sequence each, in order, wrapping around); the last step's L.
    fn train(&mut self, n: u32) -> backprop_viz::Result<f64> {
        let RecurrentConfig { inputs: nx, outputs: ny, steps: t, .. } = self.rnn.config;
        let mut loss = f64::NAN;
        for _ in 0..n {
            let s = self.next;
            self.rnn.forward(&self.inputs[s * t * nx..(s + 1) * t * nx], self.steps)?;
            loss = self.rnn.compute_loss(&self.targets[s * t * ny..(s + 1) * t * ny], self.steps)?;
            self.rnn.backward(self.steps)?;
            let r = &mut self.rnn;
            for (params, grads) in [
                (&mut r.weights_input, &r.grad_weights_input),
                (&mut r.weights_hidden, &r.grad_weights_hidden),
                (&mut r.biases, &r.grad_biases),
                (&mut r.readout_weights, &r.grad_readout_weights),
                (&mut r.readout_biases, &r.grad_readout_biases),
            ] {
                // θ ← θ − η · dL/dθ
                for (p, g) in params.iter_mut().zip(grads.iter()) {
                    *p -= self.learning_rate * g;
                }
            }
            self.next = (s + 1) % self.sequences;
            self.steps += 1;
        }
        Ok(loss)
    }

    /// The mean over every sequence of L, with the current weights (no update).
    fn dataset_loss(&mut self) -> backprop_viz::Result<f64> {
        let RecurrentConfig { inputs: nx, outputs: ny, steps: t, .. } = self.rnn.config;
        let mut total = 0.0;
        for s in 0..self.sequences {
            self.rnn.forward(&self.inputs[s * t * nx..(s + 1) * t * nx], self.steps)?;
            total += self.rnn.compute_loss(&self.targets[s * t * ny..(s + 1) * t * ny], self.steps)?;
        }
        Ok(total / self.sequences as f64)
    }
}

/// What a job trains: a network through the crate's `Trainer`, or the recurrent layer.
enum Model {
    Network(Box<Trainer>),
    Recurrent(Box<RecurrentRun>),
}

impl Model {
    fn steps_per_epoch(&self) -> usize {
        match self {
            Model::Network(trainer) => trainer.steps_per_epoch(),
            Model::Recurrent(run) => run.sequences,
        }
    }

    fn samples_per_epoch(&self) -> usize {
        match self {
            Model::Network(trainer) => trainer.data(Split::Train).map_or(0, |d| d.len()),
            Model::Recurrent(run) => run.sequences,
        }
    }

    fn train(&mut self, steps: u32) -> backprop_viz::Result<f64> {
        match self {
            Model::Network(trainer) => trainer.train(steps),
            Model::Recurrent(run) => run.train(steps),
        }
    }

    fn dataset_loss(&mut self) -> backprop_viz::Result<f64> {
        match self {
            Model::Network(trainer) => trainer.dataset_loss(Split::Train),
            Model::Recurrent(run) => run.dataset_loss(),
        }
    }
}

fn default_target_seconds() -> f64 {
    0.1
}

#[derive(Serialize)]
struct JobResult {
    name: String,
    steps_per_epoch: usize,
    samples_per_epoch: usize,
    epochs_per_run: u32,
    /// Wall-clock seconds of each timed run.
    run_seconds: Vec<f64>,
    /// CPU seconds of this thread in each timed run (null where the system does not say).
    run_cpu_seconds: Vec<f64>,
    /// Whole-data-set loss after epoch 1, 2, … of a fresh trainer (empty unless asked).
    check_losses: Vec<f64>,
}

/// CPU time this thread has run, in seconds: `clock_gettime(CLOCK_THREAD_CPUTIME_ID)`, exact
/// where /proc's per-thread figures may lag by a scheduler tick; NaN where it cannot be read.
#[cfg(all(target_os = "linux", target_pointer_width = "64"))]
fn thread_cpu_seconds() -> f64 {
    #[repr(C)]
    struct Timespec {
        seconds: i64,
        nanoseconds: i64,
    }
    extern "C" {
        fn clock_gettime(clock: i32, time: *mut Timespec) -> i32;
    }
    const CLOCK_THREAD_CPUTIME_ID: i32 = 3;
    let mut time = Timespec { seconds: 0, nanoseconds: 0 };
    // SAFETY: clock_gettime only writes one timespec (two 64-bit fields on 64-bit Linux) to `time`.
    if unsafe { clock_gettime(CLOCK_THREAD_CPUTIME_ID, &mut time) } == 0 {
        time.seconds as f64 + time.nanoseconds as f64 * 1e-9
    } else {
        f64::NAN
    }
}

#[cfg(not(all(target_os = "linux", target_pointer_width = "64")))]
fn thread_cpu_seconds() -> f64 {
    f64::NAN
}

/// The job's inputs and targets (see `Source`).
fn samples(job: &Job) -> backprop_viz::Result<(Vec<f64>, Vec<f64>)> {
    match job.source {
        Source::Job => Ok((job.inputs.clone(), job.targets.clone())),
        Source::Digits => {
            let points = digits::shipped()?.points(None)?;
            let targets = points.encode_targets(points.classes)?;
            Ok((points.coords, targets))
        }
    }
}

fn trainer_for(job: &Job) -> Result<Model, String> {
    let fail = |e: backprop_viz::Error| format!("{}: {e}", job.name);
    if let Some(recurrent) = &job.recurrent {
        let (inputs, targets) = samples(job).map_err(fail)?;
        return RecurrentRun::new(recurrent, inputs, targets).map(|run| Model::Recurrent(Box::new(run))).map_err(fail);
    }
    let config = NetworkConfig::from_json(&job.config.to_string()).map_err(fail)?;
    let mut trainer = Trainer::new(config).map_err(fail)?;
    let (inputs, targets) = samples(job).map_err(fail)?;
    trainer.set_data(Split::Train, inputs, targets).map_err(fail)?;
    Ok(Model::Network(Box::new(trainer)))
}

fn run_job(job: &Job) -> Result<JobResult, String> {
    let mut trainer = trainer_for(job)?;
    let steps_per_epoch = trainer.steps_per_epoch();
    let samples_per_epoch = trainer.samples_per_epoch();
    let steps = |epochs: u32| u32::try_from(steps_per_epoch).unwrap_or(u32::MAX).saturating_mul(epochs);
    let fail = |e: backprop_viz::Error| format!("{}: {e}", job.name);
    trainer.train(steps(job.warmup_epochs)).map_err(fail)?;
    let mut epochs_per_run = job.epochs_per_run;
    if epochs_per_run == 0 {
        // Time 1, 2, 4, … epochs until a batch of them takes 10 ms, then scale to the target.
        let mut epochs = 1u32;
        loop {
            let start = Instant::now();
            trainer.train(steps(epochs)).map_err(fail)?;
            let seconds = start.elapsed().as_secs_f64();
            if seconds >= 0.01 || epochs >= 1 << 20 {
                epochs_per_run = ((job.target_seconds / seconds * f64::from(epochs)).ceil() as u32).max(1);
                break;
            }
            epochs *= 2;
        }
    }
    let mut run_seconds = Vec::with_capacity(job.runs as usize);
    let mut run_cpu_seconds = Vec::with_capacity(job.runs as usize);
    for _ in 0..job.runs {
        let (start, cpu_start) = (Instant::now(), thread_cpu_seconds());
        let loss = trainer.train(steps(epochs_per_run)).map_err(fail)?;
        run_seconds.push(start.elapsed().as_secs_f64());
        run_cpu_seconds.push(thread_cpu_seconds() - cpu_start);
        std::hint::black_box(loss);
    }
    let mut check_losses = Vec::new();
    if job.check_epochs > 0 {
        let mut fresh = trainer_for(job)?;
        for _ in 0..job.check_epochs {
            fresh.train(steps(1)).map_err(fail)?;
            check_losses.push(fresh.dataset_loss().map_err(fail)?);
        }
    }
    Ok(JobResult {
        name: job.name.clone(),
        steps_per_epoch,
        samples_per_epoch,
        epochs_per_run,
        run_seconds,
        run_cpu_seconds,
        check_losses,
    })
}

/// A few steps of a 2→8→8→8→1 network on a small ring data set, one epoch of 64→32→10 and
/// of the digits-cnn network on the shipped digits, and two epochs of the recurrent layer on
/// running parity: proves the target builds and runs (this is what
/// `cargo test --all-targets` executes).
fn smoke() -> Result<(), String> {
    let n = 40;
    let mut inputs = Vec::with_capacity(2 * n);
    let mut targets = Vec::with_capacity(n);
    for s in 0..n {
        let angle = s as f64 * 0.7;
        let r = if s % 2 == 0 { 1.0 } else { 4.0 };
        inputs.extend([r * angle.cos(), r * angle.sin()]);
        targets.push(if s % 2 == 0 { 1.0 } else { 0.0 });
    }
    let ring = serde_json::json!({
        "inputs": 2,
        "layers": [
            {"units": 8, "activation": "tanh"}, {"units": 8, "activation": "tanh"},
            {"units": 8, "activation": "tanh"}, {"units": 1, "activation": "sigmoid"}
        ],
        "optimizer": {"kind": "sgd", "learning_rate": 0.03},
        "batch_size": 10, "shuffle": false, "seed": 1
    });
    let digits = serde_json::json!({
        "inputs": 64,
        "layers": [{"units": 32, "activation": "tanh"}, {"units": 10, "activation": "softmax"}],
        "loss": "softmax_cross_entropy",
        "optimizer": {"kind": "sgd", "learning_rate": 0.1},
        "batch_size": 10, "shuffle": false, "seed": 1
    });
    let digits_cnn = serde_json::json!({
        "inputs": 64,
        "input_shape": {"channels": 1, "height": 8, "width": 8},
        "layers": [
            {"activation": "relu",
             "kind": {"type": "convolution", "dimensions": "two", "kernel_size": 3, "channels": 8, "padding": "valid"}},
            {"activation": "identity", "kind": {"type": "pooling", "dimensions": "two", "pool": "max", "size": 2}},
            {"activation": "identity", "kind": {"type": "flatten"}},
            {"units": 10, "activation": "softmax"}
        ],
        "loss": "softmax_cross_entropy",
        "optimizer": {"kind": "sgd", "learning_rate": 0.1},
        "batch_size": 10, "shuffle": false, "seed": 1
    });
    // Running parity of 8 sequences of 16 bits (the bits of 0x9e37 · s), the loss at every step.
    let (mut bits, mut parity) = (Vec::new(), Vec::new());
    for s in 0..8u32 {
        let mut p = 0.0;
        for t in 0..16 {
            let bit = f64::from((s.wrapping_mul(0x9e37) >> t) & 1);
            p = (p + bit) % 2.0;
            bits.push(bit);
            parity.push(p);
        }
    }
    // The same Elman layer twice from the same weights (W_x, W_h, V ~ U(±0.25) from the crate's
    // Rng, biases 0): self-contained, and in Network with a kernel-1 convolution readout.
    let (nh, t) = (16, 16);
    let mut rng = Rng::new(1);
    let mut draw = |n: usize| (0..n).map(|_| rng.uniform(-0.25, 0.25)).collect::<Vec<f64>>();
    let (w_x, w_h, v) = (draw(nh), draw(nh * nh), draw(nh));
    let recurrent: RecurrentJob = serde_json::from_value(serde_json::json!({
        "inputs": 1, "hidden": nh, "outputs": 1, "steps": t, "activation": "tanh", "loss_at": "every_step",
        "learning_rate": 0.01,
        "weights": {"weights_input": w_x, "weights_hidden": w_h, "readout_weights": v}
    }))
    .map_err(|e| e.to_string())?;
    let rows: Vec<Vec<f64>> =
        (0..nh).map(|j| std::iter::once(w_x[j]).chain(w_h[j * nh..(j + 1) * nh].iter().copied()).collect()).collect();
    let recurrent_network = serde_json::json!({
        "inputs": t,
        "input_shape": {"channels": 1, "height": 1, "width": t},
        "layers": [
            {"units": nh, "activation": "tanh", "kind": {"type": "recurrent", "returns": "sequence"},
             "weights": rows, "biases": vec![0.0; nh]},
            {"activation": "identity",
             "kind": {"type": "convolution", "dimensions": "one", "kernel_size": 1, "channels": 1, "padding": "valid"},
             "weights": [v], "biases": [0.0]}
        ],
        "loss": "squared_error",
        "optimizer": {"kind": "sgd", "learning_rate": 0.01},
        "batch_size": 1, "shuffle": false, "seed": 1
    });
    let job = |name: &str, config, source, inputs, targets, epochs| Job {
        name: name.into(),
        config,
        recurrent: None,
        source,
        inputs,
        targets,
        warmup_epochs: 1,
        epochs_per_run: epochs,
        target_seconds: 0.0,
        runs: 2,
        check_epochs: epochs,
    };
    let mut results = Vec::new();
    for job in [
        job("smoke", ring, Source::Job, inputs, targets, 2),
        job("smoke-digits", digits, Source::Digits, vec![], vec![], 1),
        job("smoke-digits-cnn", digits_cnn, Source::Digits, vec![], vec![], 1),
        Job {
            recurrent: Some(recurrent),
            ..job("smoke-recurrent", serde_json::Value::Null, Source::Job, bits.clone(), parity.clone(), 2)
        },
        job("smoke-recurrent-network", recurrent_network, Source::Job, bits, parity, 2),
    ] {
        let result = run_job(&job)?;
        if !(result.check_losses.iter().all(|l| l.is_finite()) && result.run_seconds.len() == 2) {
            return Err(format!("{}: non-finite loss", job.name));
        }
        results.push(result);
    }
    // The two recurrent paths train alike (tests/recurrent_network.rs checks every number).
    let [.., layer, network] = &results[..] else { unreachable!("five jobs") };
    for (a, b) in layer.check_losses.iter().zip(&network.check_losses) {
        if (a - b).abs() > 1e-12 * b.abs() {
            return Err(format!("the recurrent layer's loss {a} and the network's {b} differ"));
        }
    }
    println!("engine bench smoke test: ok (run with --jobs FILE for measurements; see bench/README.md)");
    Ok(())
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let value_of = |flag: &str| args.iter().position(|a| a == flag).and_then(|i| args.get(i + 1)).cloned();
    let outcome = match value_of("--jobs") {
        None => smoke(),
        Some(path) => (|| {
            let text = std::fs::read_to_string(&path).map_err(|e| format!("cannot read {path}: {e}"))?;
            let jobs: Vec<Job> = serde_json::from_str(&text).map_err(|e| format!("{path}: {e}"))?;
            let results = jobs.iter().map(run_job).collect::<Result<Vec<_>, _>>()?;
            let json = serde_json::to_string(&results).map_err(|e| e.to_string())?;
            match value_of("--out") {
                Some(out) => std::fs::write(&out, json).map_err(|e| format!("cannot write {out}: {e}")),
                None => {
                    println!("{json}");
                    Ok(())
                }
            }
        })(),
    };
    if let Err(why) = outcome {
        eprintln!("engine bench: {why}");
        std::process::exit(1);
    }
}
