//! The Elman recurrent layer wired into `Network` (`layers::through_time`): finite-difference
//! checks through the trainer for every combination of its options, agreement with the
//! self-contained layer of `layers::recurrent` (its own loops, readout and loss), clipping,
//! bit-identical stepping and training, the model file and the link.

mod common;

use backprop_viz::config::{LayerConfig, NetworkConfig};
use backprop_viz::layers::convolution::Padding;
use backprop_viz::layers::kind::{LayerKind, Returns};
use backprop_viz::layers::recurrent::{LossAt, Recurrent, RecurrentActivation, RecurrentConfig};
use backprop_viz::layers::{Dimensions, Shape};
use backprop_viz::rng::Rng;
use backprop_viz::{
    Activation, Initializer, InitializerKind, Loss, OptimizerConfig, OptimizerKind, Phase, Reduction, Split, Trainer,
};
use common::{outputs_for, random_targets};

fn recurrent(units: usize, returns: Returns, clip_norm: Option<f64>, f: Activation) -> LayerConfig {
    LayerConfig { units, ..LayerConfig::of_kind(LayerKind::Recurrent { returns, clip_norm }, f) }
}

/// The per-step readout: a 1-D convolution of kernel size 1 (ŷ_t = V·h_t + c).
fn step_readout(outputs: usize, f: Activation) -> LayerConfig {
    LayerConfig::of_kind(
        LayerKind::Convolution {
            dimensions: Dimensions::One,
            kernel_size: 1,
            channels: outputs,
            padding: Padding::Valid,
        },
        f,
    )
}

/// One combination of the recurrent layer's options.
#[derive(Clone, Copy, Debug)]
struct Case {
    activation: Activation,
    returns: Returns,
    /// Values of x_t.
    inputs: usize,
    /// A 1-D convolution before the recurrent layer (dL/dx through time reaches it).
    conv_before: bool,
    /// Clipping by norm, with θ above the gradient's norm (so the check sees the true gradient).
    clip: bool,
    bias: bool,
}

const STEPS: usize = 4;
const HIDDEN: usize = 3;

impl Case {
    fn config(&self, output: Activation, loss: Loss, reduction: Reduction, seed: u32) -> NetworkConfig {
        let shape = Shape::one_d(self.inputs, STEPS + usize::from(self.conv_before));
        let mut layers = Vec::new();
        if self.conv_before {
            layers.push(LayerConfig::of_kind(
                LayerKind::Convolution {
                    dimensions: Dimensions::One,
                    kernel_size: 2,
                    channels: 2,
                    padding: Padding::Valid,
                },
                Activation::Tanh,
            ));
        }
        let clip_norm = self.clip.then_some(1e6);
        layers.push(LayerConfig { bias: self.bias, ..recurrent(HIDDEN, self.returns, clip_norm, self.activation) });
        let outputs = if output == Activation::Softmax { 3 } else { 2 };
        match self.returns {
            // A loss at every step: the readout is the output layer (softmax would mix the steps).
            Returns::Sequence if output != Activation::Softmax => layers.push(step_readout(outputs, output)),
            Returns::Sequence => {
                layers.push(step_readout(2, Activation::Tanh));
                layers.push(LayerConfig::of_kind(LayerKind::Flatten, Activation::Identity));
                layers.push(LayerConfig::new(outputs, output));
            }
            Returns::Last => layers.push(LayerConfig::new(outputs, output)),
        }
        NetworkConfig {
            inputs: shape.len(),
            input_shape: Some(shape),
            layers,
            loss,
            reduction,
            initializer: Initializer { kind: InitializerKind::Uniform, low: -0.8, high: 0.8, value: 0.0 },
            batch_size: 3,
            seed,
            ..NetworkConfig::default()
        }
    }
}

/// Every combination: tanh, linear (identity) and sigmoid; the whole sequence or the last step;
/// one and two values per step; with and without a convolution below, clipping and biases.
fn every_case() -> Vec<Case> {
    let mut cases = Vec::new();
    for activation in [Activation::Tanh, Activation::Identity, Activation::Sigmoid] {
        for returns in [Returns::Sequence, Returns::Last] {
            for inputs in [1, 2] {
                for conv_before in [false, true] {
                    let k = cases.len();
                    cases.push(Case { activation, returns, inputs, conv_before, clip: k % 2 == 0, bias: k % 3 != 2 });
                }
            }
        }
    }
    cases
}

/// The finite-difference check through the trainer after two steps, on a fresh batch; returns
/// whether W_h's gradient was reached (not all 0).
fn check(case: Case, output: Activation, loss: Loss, reduction: Reduction, seed: u32) -> bool {
    let config = case.config(output, loss, reduction, seed);
    let (inputs, outputs) = (config.inputs, config.output_units());
    let mut trainer = Trainer::new(config).unwrap();
    let mut rng = Rng::new(seed + 11);
    let rows = 5;
    let x: Vec<f64> = (0..rows * inputs).map(|_| rng.uniform(-1.5, 1.5)).collect();
    trainer.set_data(Split::Train, x, random_targets(loss, rows, outputs, &mut rng)).unwrap();
    trainer.train(2).unwrap();
    let report = trainer.gradient_check().unwrap();
    assert!(report.max_relative_error < 1e-6, "{case:?}, {output:?} output, {loss:?}, {reduction:?}: {report:?}");
    assert_eq!(report.parameters_checked, trainer.network().parameter_count(), "{case:?}");
    let l = usize::from(case.conv_before);
    let layer = &trainer.network().layers[l];
    assert!(!layer.through_time.as_ref().unwrap().clip.acted, "θ = 1e6 never acts here: {case:?}");
    let row = layer.row_len();
    (0..HIDDEN).any(|j| layer.grad_weights[j * row + case.inputs.min(row)..(j + 1) * row].iter().any(|&g| g != 0.0))
}

#[test]
fn every_recurrent_option_matches_finite_differences_through_the_trainer() {
    let cases = every_case();
    assert_eq!(cases.len(), 3 * 2 * 2 * 2);
    let (mut checked, mut reached) = (0u32, 0u32);
    for (k, case) in cases.into_iter().enumerate() {
        for loss in Loss::ALL {
            let outputs = outputs_for(loss);
            let output = outputs[k % outputs.len()];
            let reduction = if k % 2 == 0 { Reduction::Mean } else { Reduction::Sum };
            reached += u32::from(check(case, output, loss, reduction, 100 * k as u32 + checked));
            checked += 1;
        }
    }
    assert_eq!(checked, 24 * 3);
    assert!(reached >= checked - 2, "only {reached} of {checked} checks reached W_h");
}

/// x_t and y_t of `steps` steps for `rows` sequences, channel-major as the network reads them.
fn sequences(rows: usize, inputs: usize, outputs: usize, steps: usize, seed: u32) -> (Vec<f64>, Vec<f64>) {
    let mut rng = Rng::new(seed);
    let x = (0..rows * inputs * steps).map(|_| rng.uniform(-1.0, 1.0)).collect();
    let y = (0..rows * outputs * steps).map(|_| rng.uniform(-1.0, 1.0)).collect();
    (x, y)
}

/// Time-major (T × n) from channel-major (n × T), one sequence.
fn time_major(values: &[f64], n: usize, steps: usize) -> Vec<f64> {
    (0..steps).flat_map(|t| (0..n).map(move |c| values[c * steps + t])).collect()
}

#[test]
fn the_network_computes_what_the_self_contained_layer_computes() {
    // recurrent (sequence) → kernel-1 convolution readout, ½ squared error at every step, one
    // sequence per step, plain SGD: the network's numbers against `Recurrent`, which unrolls,
    // reads out, scores and backpropagates through time in loops of its own, for three steps
    // of training (each step's weights come from the one before, so any slip would grow).
    for activation in [RecurrentActivation::Tanh, RecurrentActivation::Linear] {
        let (nx, nh, ny, steps) = (2, 3, 2, 5);
        let config = NetworkConfig {
            inputs: nx * steps,
            input_shape: Some(Shape::one_d(nx, steps)),
            layers: vec![
                recurrent(nh, Returns::Sequence, None, activation.activation()),
                step_readout(ny, Activation::Identity),
            ],
            loss: Loss::SquaredError,
            optimizer: OptimizerConfig { kind: OptimizerKind::Sgd, learning_rate: 0.1, ..OptimizerConfig::default() },
            batch_size: 1,
            shuffle: false,
            seed: 3,
            ..NetworkConfig::default()
        };
        let mut trainer = Trainer::new(config).unwrap();
        let (x, y) = sequences(3, nx, ny, steps, 8);
        trainer.set_data(Split::Train, x.clone(), y.clone()).unwrap();
        let mut rnn = Recurrent::new(RecurrentConfig {
            inputs: nx,
            hidden: nh,
            outputs: ny,
            steps,
            activation,
            loss_at: LossAt::EveryStep,
            clip_norm: None,
        })
        .unwrap();
        for s in 0..3 {
            let n = trainer.network();
            let (rec, readout) = (&n.layers[0], &n.layers[1]);
            for j in 0..nh {
                let row = &rec.weights[j * (nx + nh)..(j + 1) * (nx + nh)];
                rnn.weights_input[j * nx..(j + 1) * nx].copy_from_slice(&row[..nx]);
                rnn.weights_hidden[j * nh..(j + 1) * nh].copy_from_slice(&row[nx..]);
            }
            rnn.biases.clone_from(&rec.biases);
            rnn.readout_weights.clone_from(&readout.weights);
            rnn.readout_biases.clone_from(&readout.biases);
            let xs = &x[s * nx * steps..(s + 1) * nx * steps];
            let ys = &y[s * ny * steps..(s + 1) * ny * steps];
            rnn.forward(&time_major(xs, nx, steps), 1).unwrap();
            let loss = rnn.compute_loss(&time_major(ys, ny, steps), 1).unwrap();
            rnn.backward(1).unwrap();
            while trainer.step_phase().unwrap() != Phase::Update {}
            let n = trainer.network();
            let (rec, readout) = (&n.layers[0], &n.layers[1]);
            let states = rec.through_time.as_ref().unwrap();
            assert_eq!(states.pre_activation, rnn.pre_activation, "z_t, {activation:?}, step {s}");
            assert_eq!(states.hidden, rnn.hidden_states, "h_t");
            assert_eq!(time_major(&readout.activations, ny, steps), rnn.output, "ŷ_t");
            assert!((n.loss_value - loss).abs() <= 1e-15 * loss.abs(), "L: {} against {loss}", n.loss_value);
            assert_eq!(states.grad_hidden, rnn.grad_hidden, "dL/dh_t");
            assert_eq!(states.delta, rnn.delta, "δ_t");
            for j in 0..nh {
                let row = &rec.grad_weights[j * (nx + nh)..(j + 1) * (nx + nh)];
                assert_eq!(row[..nx], rnn.grad_weights_input[j * nx..(j + 1) * nx], "dL/dW_x");
                assert_eq!(row[nx..], rnn.grad_weights_hidden[j * nh..(j + 1) * nh], "dL/dW_h");
            }
            assert_eq!(rec.grad_biases, rnn.grad_biases, "dL/db");
            assert_eq!(readout.grad_weights, rnn.grad_readout_weights, "dL/dV");
            assert_eq!(readout.grad_biases, rnn.grad_readout_biases, "dL/dc");
            // The sequence's δ as the readout reads it: channel-major over the steps.
            assert_eq!(time_major(&rec.delta, nh, steps), rnn.delta, "the layer's own δ");
            trainer.step_phase().unwrap();
        }
    }
}

#[test]
fn the_gradient_of_a_shared_weight_is_a_sum_over_time_steps() {
    let config = NetworkConfig {
        inputs: 6,
        input_shape: Some(Shape::one_d(1, 6)),
        layers: vec![recurrent(4, Returns::Last, None, Activation::Tanh), LayerConfig::new(1, Activation::Sigmoid)],
        loss: Loss::BinaryCrossEntropy,
        batch_size: 3,
        seed: 2,
        ..NetworkConfig::default()
    };
    let mut trainer = Trainer::new(config).unwrap();
    let (x, _) = sequences(3, 1, 1, 6, 5);
    trainer.set_data(Split::Train, x, vec![1.0, 0.0, 1.0]).unwrap();
    while trainer.step_phase().unwrap() != Phase::Update {}
    let layer = &trainer.network().layers[0];
    for (column, name) in [(Some(0), "W_x"), (Some(1 + 2), "W_h"), (None, "b")] {
        let rule = trainer.recurrent_chain_rule(0, 1, column).unwrap();
        assert_eq!(rule.name, name);
        assert_eq!(rule.terms.len(), 3 * 6, "one term per sample and step");
        let index = column.map_or(usize::MAX, |c| 5 + c);
        let engine = if column.is_some() { layer.grad_weights[index] } else { layer.grad_biases[1] };
        // The engine's gradient to the last bit, and the steps' sums add up to it.
        assert_eq!(rule.clipped, engine, "{name}");
        assert_eq!(rule.gradient, rule.scale * rule.sum);
        let by_steps: f64 = rule.step_sums.iter().sum();
        assert!((by_steps - rule.gradient).abs() < 1e-15, "{name}: {by_steps} against {}", rule.gradient);
        for term in &rule.terms {
            assert_eq!(term.term, term.delta * term.input);
        }
    }
    // With the loss at the last step only, the last step gives the largest share of dL/dW_x
    // here, and every step gives one.
    let norms = trainer.recurrent_step_norms(0).unwrap();
    assert_eq!(norms.weights_input.len(), 6);
    assert!(norms.weights_input.iter().all(|&n| n > 0.0), "{norms:?}");
    assert!(trainer.recurrent_chain_rule(1, 0, Some(0)).is_err(), "layer 2 is dense");
    assert!(trainer.recurrent_chain_rule(0, 4, None).is_err(), "there are 4 hidden units");
    assert!(trainer.recurrent_chain_rule(0, 0, Some(5)).is_err(), "a row has 1 + 4 weights");
}

/// The gradient's norm through a recurrent layer of linear units with W_h = 1.5·I on the last
/// step's loss: it grows by 1.5 a step back in time.
fn exploding(clip_norm: Option<f64>) -> Trainer {
    let steps = 12;
    let hidden = 2;
    let w_h = |j: usize, k: usize| if j == k { 1.5 } else { 0.0 };
    let weights: Vec<Vec<f64>> =
        (0..hidden).map(|j| std::iter::once(0.5).chain((0..hidden).map(|k| w_h(j, k))).collect()).collect();
    let config = NetworkConfig {
        inputs: steps,
        input_shape: Some(Shape::one_d(1, steps)),
        layers: vec![
            LayerConfig {
                weights: Some(weights),
                biases: Some(vec![0.0; hidden]),
                ..recurrent(hidden, Returns::Last, clip_norm, Activation::Identity)
            },
            LayerConfig {
                weights: Some(vec![vec![0.01, -0.01]]),
                biases: Some(vec![0.0]),
                ..LayerConfig::new(1, Activation::Identity)
            },
        ],
        loss: Loss::SquaredError,
        optimizer: OptimizerConfig { kind: OptimizerKind::Sgd, learning_rate: 0.01, ..OptimizerConfig::default() },
        batch_size: 1,
        seed: 1,
        ..NetworkConfig::default()
    };
    let mut trainer = Trainer::new(config).unwrap();
    let x: Vec<f64> = (0..steps).map(|t| if t % 2 == 0 { 1.0 } else { -1.0 }).collect();
    trainer.set_data(Split::Train, x, vec![3.0]).unwrap();
    while trainer.step_phase().unwrap() != Phase::Update {}
    trainer
}

#[test]
fn gradients_grow_back_through_time_and_clipping_scales_them_to_the_threshold() {
    let free = exploding(None);
    let norms = free.recurrent_step_norms(0).unwrap();
    // δ_t = 1.5 δ_(t+1) for linear units and W_h = 1.5·I: the first step's δ is 1.5¹¹ the last's.
    let ratio = norms.delta[0] / norms.delta[11];
    assert!((ratio - 1.5f64.powi(11)).abs() < 1e-9 * ratio, "{ratio}");
    let clip = free.network().layers[0].through_time.as_ref().unwrap().clip;
    assert!(!clip.acted && clip.scale == 1.0 && clip.threshold.is_none(), "{clip:?}");
    let clipped = exploding(Some(1.0));
    let layer = &clipped.network().layers[0];
    let clip = layer.through_time.as_ref().unwrap().clip;
    assert!(clip.acted, "{clip:?}");
    assert_eq!(clip.norm, free.network().layers[0].through_time.as_ref().unwrap().clip.norm);
    assert!((clip.scale - 1.0 / clip.norm).abs() < 1e-15);
    let norm = layer.grad_weights.iter().chain(&layer.grad_biases).map(|g| g * g).sum::<f64>().sqrt();
    assert!((norm - 1.0).abs() < 1e-12, "clipped to ‖g‖ = θ: {norm}");
    // Only the recurrent layer's own gradient is clipped; the readout's is as it was.
    assert_eq!(layer_grads(&clipped, 1), layer_grads(&free, 1));
    for (g, free_g) in layer.grad_weights.iter().zip(&free.network().layers[0].grad_weights) {
        assert_eq!(*g, free_g * clip.scale);
    }
}

fn layer_grads(trainer: &Trainer, l: usize) -> Vec<f64> {
    let layer = &trainer.network().layers[l];
    layer.grad_weights.iter().chain(&layer.grad_biases).copied().collect()
}

#[test]
fn stepping_phase_by_phase_gives_the_numbers_of_training_fast() {
    let case = Case {
        activation: Activation::Tanh,
        returns: Returns::Last,
        inputs: 2,
        conv_before: true,
        clip: true,
        bias: true,
    };
    let mut config = case.config(Activation::Sigmoid, Loss::BinaryCrossEntropy, Reduction::Mean, 4);
    config.optimizer = OptimizerConfig { kind: OptimizerKind::Adam, learning_rate: 0.01, ..OptimizerConfig::default() };
    if let LayerKind::Recurrent { clip_norm, .. } = &mut config.layers[1].kind {
        *clip_norm = Some(0.05); // acts at most steps
    }
    let mut trainer = Trainer::new(config).unwrap();
    let mut rng = Rng::new(9);
    let x: Vec<f64> = (0..7 * 10).map(|_| rng.uniform(-1.0, 1.0)).collect();
    trainer.set_data(Split::Train, x, random_targets(Loss::BinaryCrossEntropy, 7, 2, &mut rng)).unwrap();
    trainer.train(20).unwrap();
    let mut fast = trainer.clone();
    fast.train(3).unwrap();
    for _ in 0..3 {
        while trainer.step_phase().unwrap() != Phase::Update {}
        trainer.step_phase().unwrap();
    }
    assert_eq!(common::parameters(&fast), common::parameters(&trainer));
    assert!(trainer.network().layers[1].through_time.as_ref().unwrap().clip.acted);
}

#[test]
fn bad_recurrent_configs_are_refused_with_a_reason() {
    let good = NetworkConfig {
        inputs: 5,
        input_shape: Some(Shape::one_d(1, 5)),
        layers: vec![recurrent(3, Returns::Last, None, Activation::Tanh), LayerConfig::new(1, Activation::Sigmoid)],
        ..NetworkConfig::default()
    };
    assert!(good.validate().is_ok());
    let refused = |change: &dyn Fn(&mut NetworkConfig), says: &str| {
        let mut config = good.clone();
        change(&mut config);
        let e = config.validate().unwrap_err().to_string();
        assert!(e.contains(says), "{e} should say {says}");
    };
    refused(&|c| c.layers[0].units = 0, "takes 1 to 256 units, not 0");
    refused(&|c| c.layers[0].kind = LayerKind::Recurrent { returns: Returns::Last, clip_norm: Some(0.0) }, "clip");
    refused(&|c| c.layers[0].dropout = 0.5, "dropout is for dense layers");
    refused(&|c| c.layers.truncate(1), "the output layer must be dense");
    refused(
        &|c| {
            c.input_shape = None;
            c.inputs = 5;
            c.layers.insert(0, LayerConfig::new(4, Activation::Tanh));
            c.layers[1].kind = LayerKind::Recurrent { returns: Returns::Sequence, clip_norm: None };
        },
        "put a flatten layer before it",
    );
    refused(&|c| c.layers[0].weights = Some(vec![vec![0.0; 4]; 2]), "3 rows (one per hidden unit");
    refused(&|c| c.layers[0].biases = Some(vec![0.0; 2]), "3 finite numbers, one per hidden unit");
    // A kernel-1 readout may be the output layer after a sequence, not after the last step or
    // with softmax.
    let mut every_step = good.clone();
    every_step.layers =
        vec![recurrent(3, Returns::Sequence, None, Activation::Tanh), step_readout(1, Activation::Identity)];
    assert!(every_step.validate().is_ok());
    every_step.layers[1] = step_readout(2, Activation::Softmax);
    assert!(every_step.validate().is_err());
}

#[test]
fn a_recurrent_network_round_trips_through_the_model_file_and_the_link() {
    let config = NetworkConfig {
        inputs: 8,
        input_shape: Some(Shape::one_d(1, 8)),
        layers: vec![
            recurrent(5, Returns::Last, Some(2.5), Activation::Tanh),
            LayerConfig::new(2, Activation::Softmax),
        ],
        loss: Loss::SoftmaxCrossEntropy,
        seed: 6,
        ..NetworkConfig::default()
    };
    let mut trainer = Trainer::new(config).unwrap();
    let mut rng = Rng::new(2);
    let x: Vec<f64> = (0..4 * 8).map(|_| if rng.uniform(0.0, 1.0) < 0.5 { 0.0 } else { 1.0 }).collect();
    trainer.set_data(Split::Train, x.clone(), vec![1.0, 0.0, 0.0, 1.0, 1.0, 0.0, 0.0, 1.0]).unwrap();
    trainer.train(5).unwrap();
    let text = trainer.export_model_json();
    let mut reloaded = Trainer::from_model_json(&text).unwrap();
    assert_eq!(reloaded.config().layers[0].kind, LayerKind::Recurrent { returns: Returns::Last, clip_norm: Some(2.5) });
    assert_eq!(common::parameters(&reloaded), common::parameters(&trainer));
    assert_eq!(reloaded.export_model_json(), text);
    let bits = |t: &mut Trainer| -> Vec<u64> {
        t.probe(&x).unwrap().activations.iter().flatten().map(|v| v.to_bits()).collect()
    };
    assert_eq!(bits(&mut reloaded), bits(&mut trainer), "every layer's outputs, bit for bit");
    // The link's layer text (the recall lesson's link reads it back: tests/sequence_lesson.rs).
    use backprop_viz::share::{encode, Extras};
    let mut settings = backprop_viz::settings::Settings { network: trainer.config().clone(), ..Default::default() };
    settings.network.layers.iter_mut().for_each(|l| (l.weights, l.biases) = (None, None));
    let link = encode(&settings, &Extras::default());
    assert!(link.contains("rnn5-last-clip2.5%3Atanh") || link.contains("rnn5-last-clip2.5:tanh"), "{link}");
}
