//! Every entry point a user can influence refuses bad input with a message, and changes nothing.

mod common;

use backprop_viz::{Activation, Error, OptimizerConfig, ParamRef, Regularization, Split, Trainer};
use common::{parameters, xor_trainer};

fn trainer() -> Trainer {
    xor_trainer(1, Activation::Tanh, OptimizerConfig::default(), 2)
}

fn message<T: std::fmt::Debug>(result: Result<T, Error>) -> String {
    result.expect_err("should have been refused").to_string()
}

#[test]
fn training_without_data_says_so() {
    let mut t = Trainer::new(Default::default()).unwrap();
    assert_eq!(message(t.train(1)), "no training data is loaded");
    assert_eq!(message(t.step_phase()), "no training data is loaded");
    assert_eq!(message(t.gradient_check()), "no training data is loaded");
    assert_eq!(message(t.dataset_loss(Split::Train)), "no training data is loaded");
    assert_eq!(message(t.dataset_loss(Split::Test)), "no test data is loaded");
}

#[test]
fn bad_data_is_refused_and_the_old_data_kept() {
    let mut t = trainer();
    let mut reference = trainer();
    for (inputs, targets, needle) in [
        (vec![0.0; 3], vec![0.0], "whole rows of 2"),
        (vec![0.0; 4], vec![0.0; 3], "need 2 target numbers"),
        (vec![0.0, f64::INFINITY], vec![0.0], "not a finite number"),
        (vec![], vec![], "empty"),
        (vec![0.0; 4], vec![0.0, 1.5], "targets from 0 to 1"),
    ] {
        let error = if needle == "targets from 0 to 1" {
            let bce =
                backprop_viz::NetworkConfig { loss: backprop_viz::Loss::BinaryCrossEntropy, ..Default::default() };
            message(Trainer::new(bce).unwrap().set_data(Split::Train, inputs, targets))
        } else {
            message(t.set_data(Split::Train, inputs, targets))
        };
        assert!(error.starts_with("invalid data: ") && error.contains(needle), "{error}");
    }
    t.train(7).unwrap();
    reference.train(7).unwrap();
    assert_eq!(parameters(&t), parameters(&reference), "the refused data changed nothing");
}

#[test]
fn parameters_that_do_not_exist_are_named() {
    let mut t = trainer();
    t.train(1).unwrap();
    let p = |layer, neuron, input| ParamRef { layer, neuron, input };
    assert_eq!(message(t.chain_rule(p(2, 0, Some(0)), 0)), "there is no layer 3 (the network has 2)");
    assert_eq!(message(t.chain_rule(p(0, 2, Some(0)), 0)), "layer 1 (hidden) has no neuron 2 (it has 2)");
    assert_eq!(message(t.chain_rule(p(1, 0, Some(5)), 0)), "layer 2 (the output layer) has no input 5 (it has 2)");
    assert_eq!(message(t.chain_rule(p(0, 0, None), 2)), "the batch has 2 samples, so there is no sample 2");
    assert!(message(t.set_parameter(p(0, 0, Some(0)), f64::NAN)).contains("finite"));
    assert!(message(trainer().chain_rule(p(0, 0, None), 0)).contains("no step has run yet"));
}

#[test]
fn out_of_range_settings_are_refused_and_the_old_ones_kept() {
    let mut t = trainer();
    let before = t.config().clone();
    assert!(message(t.set_learning_rate(0.0)).contains("learning rate"));
    assert!(message(t.set_learning_rate(f64::NAN)).contains("learning rate"));
    assert!(message(t.set_optimizer(OptimizerConfig { momentum: 1.5, ..before.optimizer })).contains("momentum"));
    assert!(message(t.set_regularization(Regularization { rate: -1.0, ..before.regularization }))
        .contains("regularization"));
    assert!(message(t.set_batch_size(0)).contains("batch size"));
    assert!(message(t.train(u32::MAX)).contains("at most"));
    assert!(message(t.probe(&[1.0, 2.0, 3.0])).contains("whole rows"));
    assert!(message(t.probe(&[1.0, f64::NAN])).contains("finite"));
    assert_eq!(t.config(), &before);
}

#[test]
fn a_refused_test_set_leaves_the_training_set_as_it_was() {
    let mut t = trainer();
    let mut reference = trainer();
    let train = (common::XOR_INPUTS.to_vec(), vec![1.0, 0.0, 0.0, 1.0]);
    let bad_test = Some((vec![0.5, 0.5], vec![f64::NAN]));
    let error = message(t.set_data_splits(train.clone(), bad_test));
    assert!(error.contains("in the test set"), "{error}");
    t.train(5).unwrap();
    reference.train(5).unwrap();
    assert_eq!(parameters(&t), parameters(&reference), "the training data is the old one");
    t.set_data(Split::Test, vec![0.5, 0.5], vec![0.5]).unwrap();
    t.set_data_splits(train, None).unwrap();
    assert!(t.dataset_loss(Split::Test).is_err(), "no stale test set");
}

#[test]
fn extreme_but_finite_coordinates_are_refused_with_a_message() {
    // Issue 16: points at ±1e308 blanked the network view and showed ±Infinity on the axes.
    use backprop_viz::points::Points;
    for (coords, labels, classes, needle) in [
        (vec![1e308, 0.0], vec![0.0], 2, "point 0: coordinate 0 is 1.0e308, beyond ±1e15"),
        (vec![0.0, -1e300], vec![1.0], 2, "point 0: coordinate 1 is -1.0e300, beyond ±1e15"),
        (vec![0.0, 1.0], vec![1e200], 0, "point 0: the value 1.0e200 is beyond ±1e15"),
    ] {
        let e = message(Points::new(2, coords, labels, classes));
        assert!(e.contains(needle) && e.len() < 200, "{e}");
    }
    Points::new(2, vec![1e15, -1e15], vec![1e15], 0).unwrap();
    let mut s = backprop_viz::session::Session::new();
    let e = message(s.activations_of(&[1e308, 0.0], 0));
    assert!(e.contains("from −1e15 to 1e15, not 1.0e308"), "{e}");
}
