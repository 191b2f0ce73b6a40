//! Builders shared by the integration tests.
#![allow(dead_code)]

use backprop_viz::{Activation, LayerConfig, Loss, NetworkConfig, OptimizerConfig, Reduction, Trainer};

pub const XOR_INPUTS: [f64; 8] = [0.0, 0.0, 0.0, 1.0, 1.0, 0.0, 1.0, 1.0];
pub const XOR_TARGETS: [f64; 4] = [0.0, 1.0, 1.0, 0.0];

/// A layer with the given weights (`weights[j][i]`) and no bias.
pub fn given_layer(activation: Activation, weights: Vec<Vec<f64>>) -> LayerConfig {
    LayerConfig { bias: false, weights: Some(weights.clone()), ..LayerConfig::new(weights.len(), activation) }
}

/// A config with the given layers, plain SGD at `learning_rate`, full batch of `batch`, no shuffling.
pub fn config(
    inputs: usize,
    layers: Vec<LayerConfig>,
    loss: Loss,
    reduction: Reduction,
    learning_rate: f64,
    batch: usize,
) -> NetworkConfig {
    NetworkConfig {
        inputs,
        layers,
        loss,
        reduction,
        optimizer: OptimizerConfig { learning_rate, ..OptimizerConfig::default() },
        batch_size: batch,
        shuffle: false,
        ..NetworkConfig::default()
    }
}

/// A 2 → 2 → 1 network with the given hidden and output activations on XOR.
pub fn xor_trainer(seed: u32, hidden: Activation, optimizer: OptimizerConfig, batch_size: usize) -> Trainer {
    let config = NetworkConfig {
        inputs: 2,
        layers: vec![LayerConfig::new(2, hidden), LayerConfig::new(1, Activation::Sigmoid)],
        optimizer,
        batch_size,
        seed,
        ..NetworkConfig::default()
    };
    let mut trainer = Trainer::new(config).expect("valid config");
    trainer.set_data(backprop_viz::Split::Train, XOR_INPUTS.to_vec(), XOR_TARGETS.to_vec()).expect("valid data");
    trainer
}

/// Every weight and bias of the network, in layer order.
pub fn parameters(trainer: &Trainer) -> Vec<f64> {
    trainer.network().layers.iter().flat_map(|l| l.weights.iter().chain(&l.biases).copied()).collect()
}

pub fn assert_close(actual: f64, expected: f64, tolerance: f64, what: &str) {
    assert!(
        (actual - expected).abs() <= tolerance,
        "{what}: got {actual}, expected {expected} (difference {:e})",
        (actual - expected).abs()
    );
}

/// Every number of `got` within 1e-9 of `want` (relative above 1), as an independent reference
/// under `tests/reference/` must be matched.
pub fn agrees(what: &str, got: &[f64], want: &[f64]) {
    assert_eq!(got.len(), want.len(), "{what}");
    for (k, (g, w)) in got.iter().zip(want).enumerate() {
        assert!((g - w).abs() <= 1e-9 * w.abs().max(1.0), "{what}[{k}]: {g} against {w}");
    }
}

/// The output activations each loss can be paired with.
pub fn outputs_for(loss: Loss) -> Vec<Activation> {
    match loss.required_output() {
        Some(required) => vec![required],
        None => Activation::ALL.to_vec(),
    }
}

/// Random targets the loss accepts: any reals, probabilities, or one-hot rows.
pub fn random_targets(loss: Loss, rows: usize, width: usize, rng: &mut backprop_viz::rng::Rng) -> Vec<f64> {
    let mut targets = Vec::with_capacity(rows * width);
    for _ in 0..rows {
        match loss {
            Loss::SquaredError => targets.extend((0..width).map(|_| rng.uniform(-1.0, 1.0))),
            Loss::BinaryCrossEntropy => targets.extend((0..width).map(|_| rng.next_f64())),
            Loss::SoftmaxCrossEntropy => {
                let class = rng.below(width);
                targets.extend((0..width).map(|k| if k == class { 1.0 } else { 0.0 }));
            }
        }
    }
    targets
}
