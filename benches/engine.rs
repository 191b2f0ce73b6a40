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
//! A job's samples are its own `inputs` and `targets`, or with `"source": "digits"` the 1,797
//! shipped 8×8 digits as the crate reads them (`digits::shipped`): file order, x = pixel / 16,
//! one-hot targets. The JS side reads the same file with its own reader, so the loss check
//! also checks that both read the same numbers.
//!
//! Without `--jobs` (as under `cargo test --all-targets`, which runs bench targets as tests)
//! it only runs a few steps of a small built-in workload and checks the loss is finite.

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
    config: serde_json::Value,
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

fn trainer_for(job: &Job) -> Result<Trainer, String> {
    let fail = |e: backprop_viz::Error| format!("{}: {e}", job.name);
    let config = NetworkConfig::from_json(&job.config.to_string()).map_err(fail)?;
    let mut trainer = Trainer::new(config).map_err(fail)?;
    let (inputs, targets) = samples(job).map_err(fail)?;
    trainer.set_data(Split::Train, inputs, targets).map_err(fail)?;
    Ok(trainer)
}

fn run_job(job: &Job) -> Result<JobResult, String> {
    let mut trainer = trainer_for(job)?;
    let steps_per_epoch = trainer.steps_per_epoch();
    let samples_per_epoch = trainer.data(Split::Train).map_or(0, |d| d.len());
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
            check_losses.push(fresh.dataset_loss(Split::Train).map_err(fail)?);
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

/// A few steps of a 2→8→8→8→1 network on a small ring data set, and one epoch of
/// 64→32→10 on the shipped digits: proves the target builds and runs (this is what
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
    let job = |name: &str, config, source, inputs, targets, epochs| Job {
        name: name.into(),
        config,
        source,
        inputs,
        targets,
        warmup_epochs: 1,
        epochs_per_run: epochs,
        target_seconds: 0.0,
        runs: 2,
        check_epochs: epochs,
    };
    for job in [
        job("smoke", ring, Source::Job, inputs, targets, 2),
        job("smoke-digits", digits, Source::Digits, vec![], vec![], 1),
    ] {
        let result = run_job(&job)?;
        if !(result.check_losses.iter().all(|l| l.is_finite()) && result.run_seconds.len() == 2) {
            return Err(format!("{}: non-finite loss", job.name));
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
