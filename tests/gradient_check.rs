//! Finite-difference gradient checks for every activation × loss × (with and without bias) ×
//! reduction, on random small shapes and random data.

mod common;

use backprop_viz::rng::Rng;
use backprop_viz::{
    Activation, Initializer, InitializerKind, LayerConfig, Loss, NetworkConfig, Reduction, Split, Trainer,
};
use common::{outputs_for, random_targets};

const HIDDEN: [Activation; 5] =
    [Activation::Identity, Activation::Sigmoid, Activation::Tanh, Activation::Relu, Activation::LeakyRelu];

fn check(hidden: Activation, output: Activation, loss: Loss, bias: bool, reduction: Reduction, seed: u32) {
    let mut rng = Rng::new(seed);
    let inputs = 1 + rng.below(4);
    let mut layers: Vec<LayerConfig> =
        (0..rng.below(3)).map(|_| LayerConfig { bias, ..LayerConfig::new(1 + rng.below(5), hidden) }).collect();
    let min_outputs = if output == Activation::Softmax { 2 } else { 1 };
    layers.push(LayerConfig { bias, ..LayerConfig::new(min_outputs + rng.below(3), output) });
    let output_units = layers.last().unwrap().units;
    let config = NetworkConfig {
        inputs,
        layers,
        loss,
        reduction,
        initializer: Initializer { kind: InitializerKind::Uniform, low: -1.0, high: 1.0, value: 0.0 },
        batch_size: 3,
        seed,
        ..NetworkConfig::default()
    };
    let shape = format!("{inputs} → {:?}", config.layers.iter().map(|l| l.units).collect::<Vec<_>>());
    let mut trainer = Trainer::new(config).unwrap();
    let rows = 5;
    let x: Vec<f64> = (0..rows * inputs).map(|_| rng.uniform(-2.0, 2.0)).collect();
    trainer.set_data(Split::Train, x, random_targets(loss, rows, output_units, &mut rng)).unwrap();
    trainer.train(2).unwrap(); // move away from the initial point, then check a fresh batch
    let report = trainer.gradient_check().unwrap();
    assert!(
        report.max_relative_error < 1e-6,
        "{hidden:?} hidden, {output:?} output, {loss:?}, bias {bias}, {reduction:?}, shape {shape}: {report:?}"
    );
    assert!(report.parameters_checked > 0);
}

#[test]
fn every_activation_loss_bias_and_reduction_matches_finite_differences() {
    let mut cases = 0;
    for loss in Loss::ALL {
        for output in outputs_for(loss) {
            for hidden in HIDDEN {
                for bias in [true, false] {
                    for reduction in [Reduction::Mean, Reduction::Sum] {
                        for seed in 0..3 {
                            check(hidden, output, loss, bias, reduction, 1000 * cases + seed);
                        }
                        cases += 1;
                    }
                }
            }
        }
    }
    // 6 outputs × squared error + sigmoid × BCE + softmax × CE, each × 5 hidden × 2 × 2.
    assert_eq!(cases, (6 + 1 + 1) * 5 * 2 * 2);
}

#[test]
fn dropout_layers_match_finite_differences_with_their_mask_fixed() {
    for hidden in HIDDEN {
        let config = NetworkConfig {
            inputs: 2,
            layers: vec![
                LayerConfig { dropout: 0.3, ..LayerConfig::new(5, hidden) },
                LayerConfig { dropout: 0.5, ..LayerConfig::new(4, hidden) },
                LayerConfig::new(1, Activation::Sigmoid),
            ],
            loss: Loss::BinaryCrossEntropy,
            batch_size: 6,
            seed: 8,
            ..NetworkConfig::default()
        };
        let mut trainer = Trainer::new(config).unwrap();
        let mut rng = Rng::new(2);
        let x: Vec<f64> = (0..12).map(|_| rng.uniform(-2.0, 2.0)).collect();
        trainer.set_data(Split::Train, x, random_targets(Loss::BinaryCrossEntropy, 6, 1, &mut rng)).unwrap();
        trainer.train(3).unwrap();
        assert!(trainer.network().layers[0].dropout_mask.contains(&0.0));
        let report = trainer.gradient_check().unwrap();
        assert!(report.max_relative_error < 1e-6, "{hidden:?}: {report:?}");
    }
}

/// An autoencoder's loss: the targets are the inputs themselves (through the data's own path,
/// `Target::Inputs`), through a bottleneck, for the three data sets the page offers and every
/// output activation squared error takes.
#[test]
fn autoencoder_losses_match_finite_differences() {
    use backprop_viz::data::Data;
    use backprop_viz::generators::{DataSpec, Problem};
    let sets = [
        Data::one_hot_codes(8).unwrap(),
        Data::generate(&DataSpec {
            problem: Problem::Shapes,
            points: 12,
            noise: 0.3,
            test_ratio: 0.0,
            seed: 4,
            ..DataSpec::default()
        })
        .unwrap()
        .into_autoencoder(),
        Data::from_digits(include_bytes!("../www/data/digits.bin"), 0.0, 5, Some(12)).unwrap().into_autoencoder(),
    ];
    for data in sets {
        let width = data.input_width();
        for (hidden, output) in [(Activation::Tanh, Activation::Sigmoid), (Activation::Sigmoid, Activation::Identity)] {
            for reduction in [Reduction::Mean, Reduction::Sum] {
                let config = NetworkConfig {
                    inputs: width,
                    layers: vec![
                        LayerConfig::new(5, hidden),
                        LayerConfig::new(2, Activation::Identity),
                        LayerConfig::new(5, hidden),
                        LayerConfig::new(width, output),
                    ],
                    loss: Loss::SquaredError,
                    reduction,
                    batch_size: 4,
                    seed: 3,
                    ..NetworkConfig::default()
                };
                let mut trainer = Trainer::new(config).unwrap();
                let (x, y) = (data.inputs(Split::Train).unwrap(), data.targets(Split::Train, width).unwrap());
                assert_eq!(x, y, "an autoencoder's targets are its inputs");
                trainer.set_data(Split::Train, x, y).unwrap();
                trainer.train(2).unwrap();
                let report = trainer.gradient_check().unwrap();
                // A central difference rounds to about ε·L/h: summed over a batch of 64-pixel
                // images the loss L of a batch of 4 reaches ~10, so the tolerance grows
                // with it (1e-6 at L ≤ 1).
                let batch_share = 4.0 / data.train.len() as f64;
                let loss = trainer.dataset_loss(Split::Train).unwrap()
                    * if reduction == Reduction::Sum { batch_share } else { 1.0 };
                let tolerance = 1e-6 * loss.max(1.0);
                assert!(
                    report.max_relative_error < tolerance,
                    "{width} wide, {hidden:?}/{output:?}, {reduction:?}, L {loss}: {report:?}"
                );
                assert!(report.parameters_checked > 0);
            }
        }
    }
}
