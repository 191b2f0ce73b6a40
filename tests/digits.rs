//! The 8×8 digits end to end: read from the shipped file, split, and learned by a dense
//! network to at least 90 % test accuracy; an autoencoder of them trains on y = x.

use backprop_viz::data::Data;
use backprop_viz::metrics::{self, Metrics};
use backprop_viz::{Activation, LayerConfig, Loss, NetworkConfig, OptimizerConfig, OptimizerKind, Split, Trainer};

const FILE: &[u8] = include_bytes!("../www/data/digits.bin");

fn trainer_for(data: &Data, config: NetworkConfig) -> Trainer {
    let outputs = config.output_units();
    let mut trainer = Trainer::new(config).unwrap();
    let train = (data.inputs(Split::Train).unwrap(), data.targets(Split::Train, outputs).unwrap());
    let test = (data.inputs(Split::Test).unwrap(), data.targets(Split::Test, outputs).unwrap());
    trainer.set_data_splits(train, Some(test)).unwrap();
    trainer
}

fn accuracy(trainer: &mut Trainer, data: &Data, split: Split) -> f64 {
    let outputs = trainer.network().outputs();
    let probe = trainer.probe(&data.inputs(split).unwrap()).unwrap();
    let last = probe.activations.last().unwrap();
    let points = data.points(split);
    let Metrics::Classification { accuracy, .. } =
        metrics::classification(last, outputs, &points.labels, points.classes)
    else {
        panic!("digits are a classification")
    };
    accuracy
}

#[test]
fn a_dense_64_32_10_softmax_network_reaches_90_percent_test_accuracy() {
    let data = Data::from_digits(FILE, 0.2, 1, None).unwrap();
    let config = NetworkConfig {
        inputs: 64,
        layers: vec![LayerConfig::new(32, Activation::Tanh), LayerConfig::new(10, Activation::Softmax)],
        loss: Loss::SoftmaxCrossEntropy,
        optimizer: OptimizerConfig { kind: OptimizerKind::Adam, learning_rate: 0.01, ..OptimizerConfig::default() },
        batch_size: 32,
        seed: 1,
        ..NetworkConfig::default()
    };
    let mut trainer = trainer_for(&data, config);
    let before = accuracy(&mut trainer, &data, Split::Test);
    // Ten epochs of 1,438 training images in batches of 32.
    let steps = 10 * trainer.steps_per_epoch() as u32;
    trainer.train(steps).unwrap();
    let after = accuracy(&mut trainer, &data, Split::Test);
    assert!(before < 0.3, "{before}");
    eprintln!("digits test accuracy {before} → {after} after {steps} steps");
    assert!(after >= 0.9, "test accuracy after {steps} steps: {after}");
    assert!(trainer.dataset_loss(Split::Test).unwrap() < 0.5);
}

#[test]
fn an_autoencoder_of_the_digits_learns_to_reproduce_them() {
    let data = Data::from_digits(FILE, 0.2, 1, Some(300)).unwrap().into_autoencoder();
    let config = NetworkConfig {
        inputs: 64,
        layers: vec![
            LayerConfig::new(16, Activation::Tanh),
            LayerConfig::new(2, Activation::Identity),
            LayerConfig::new(16, Activation::Tanh),
            LayerConfig::new(64, Activation::Sigmoid),
        ],
        loss: Loss::SquaredError,
        optimizer: OptimizerConfig { kind: OptimizerKind::Adam, learning_rate: 0.01, ..OptimizerConfig::default() },
        batch_size: 20,
        seed: 2,
        ..NetworkConfig::default()
    };
    let mut trainer = trainer_for(&data, config);
    let error = |trainer: &mut Trainer| {
        let targets = data.targets(Split::Test, 64).unwrap();
        let probe = trainer.probe(&data.inputs(Split::Test).unwrap()).unwrap();
        let Metrics::Reconstruction { mse, per_sample } = metrics::reconstruction(&probe.activations[3], &targets, 64)
        else {
            panic!()
        };
        assert_eq!(per_sample.len(), data.test.len());
        mse
    };
    let before = error(&mut trainer);
    trainer.train(1200).unwrap();
    let after = error(&mut trainer);
    eprintln!("reconstruction error {before} → {after}");
    assert!(after < 0.6 * before, "reconstruction error {before} → {after}");
}
