//! Every lesson loads, and does what its text tells the student to look for.

mod common;

use backprop_viz::presets::{lesson, lessons, Lesson};
use backprop_viz::session::Session;
use backprop_viz::{Error, Split, Trainer};
use common::assert_close;

/// The lesson (or its variant) loaded as the page's lesson menu loads it.
fn session(lesson: &Lesson, variant: Option<usize>) -> Session {
    let mut session = Session::new();
    session.load_lesson(lesson.id, variant).unwrap_or_else(|e| panic!("{}: {e}", lesson.id));
    session
}

fn start(lesson: &Lesson, variant: Option<usize>) -> Trainer {
    session(lesson, variant).trainer().clone()
}

#[test]
fn there_are_the_eight_lessons_and_each_loads() {
    let ids: Vec<&str> = lessons().iter().map(|l| l.id).collect();
    assert_eq!(
        ids,
        [
            "chain-rule",
            "xor",
            "worked-example",
            "vanishing-gradients",
            "learning-rate",
            "overfitting",
            "optimizers",
            "spiral-softmax"
        ]
    );
    for l in lessons() {
        assert!(l.text.split(". ").count() >= 2, "{}: a text of two or three sentences", l.id);
        start(&l, None).train(1).unwrap_or_else(|e| panic!("{}: {e}", l.id));
        for v in 0..l.variants.len() {
            let mut trainer = start(&l, Some(v));
            match trainer.train(1) {
                Ok(_) | Err(Error::Diverged { .. }) => {}
                Err(e) => panic!("{} / {}: {e}", l.id, l.variants[v].label),
            }
        }
        assert_eq!(l.session.lesson.as_deref(), Some(l.id));
    }
}

#[test]
fn the_chain_rule_lesson_shows_the_numbers_of_the_worked_example() {
    let mut t = start(&lesson("chain-rule").unwrap(), None);
    t.step_phase().unwrap();
    assert_close(t.network().layers[0].activations[0], 0.549833997312478, 1e-9, "h");
    t.step_phase().unwrap();
    assert_close(t.network().layers[1].activations[0], 0.581735142037886, 1e-9, "ŷ");
    t.step_phase().unwrap();
    assert_close(t.network().loss_value, 0.08747274570303369, 1e-9, "L");
    t.step_phase().unwrap();
    assert_close(t.network().layers[1].grad_weights[0], -0.055957672744995204, 1e-9, "dL/dw2");
    t.step_phase().unwrap();
    assert_close(t.network().layers[0].grad_weights[0], -0.007557072557793297, 1e-9, "dL/dw1");
}

#[test]
fn xor_needs_its_biases() {
    let l = lesson("xor").unwrap();
    let outputs = |variant| {
        let mut t = start(&l, Some(variant));
        t.train(5000).unwrap();
        t.probe(&[0.0, 0.0, 0.0, 1.0, 1.0, 0.0, 1.0, 1.0]).unwrap().activations[1].clone()
    };
    let without = outputs(0);
    assert_close(without[0], 0.10283162432276878, 1e-9, "without biases, (0,0) is stuck above 0.1");
    let with = outputs(1);
    for (o, y) in with.iter().zip([0.0, 1.0, 1.0, 0.0]) {
        assert!((o - y).abs() < 0.1, "with biases XOR is learnt: {with:?}");
    }
}

#[test]
fn the_worked_example_lesson_starts_from_its_published_error() {
    let mut t = start(&lesson("worked-example").unwrap(), None);
    t.step().unwrap();
    assert_close(t.network().loss_value, 0.298371109, 5e-10, "E total");
}

/// Mean |dL/dw| of the first layer over that of the last.
fn gradient_ratio(t: &Trainer) -> f64 {
    let mean = |g: &[f64]| g.iter().map(|x| x.abs()).sum::<f64>() / g.len() as f64;
    let layers = &t.network().layers;
    mean(&layers[0].grad_weights) / mean(&layers[layers.len() - 1].grad_weights)
}

#[test]
fn deep_sigmoid_gradients_vanish_and_relu_ones_do_not() {
    let l = lesson("vanishing-gradients").unwrap();
    let mut sigmoid = start(&l, Some(0));
    let mut relu = start(&l, Some(1));
    sigmoid.train(20).unwrap();
    relu.train(20).unwrap();
    let (s, r) = (gradient_ratio(&sigmoid), gradient_ratio(&relu));
    assert!(s < 0.01, "sigmoid: first/last gradient ratio {s}");
    assert!(r > 10.0 * s, "ReLU keeps far more of the gradient: {r} vs {s}");
}

#[test]
fn a_high_rate_explodes_a_tiny_one_crawls_a_good_one_converges() {
    let l = lesson("learning-rate").unwrap();
    let mut high = start(&l, Some(0));
    assert!(matches!(high.train(1000), Err(Error::Diverged { .. })), "η = 1 diverges");
    let loss_after = |v, steps| {
        let mut t = start(&l, Some(v));
        let before = t.dataset_loss(Split::Train).unwrap();
        t.train(steps).unwrap();
        (before, t.dataset_loss(Split::Train).unwrap())
    };
    let (before, low) = loss_after(1, 300);
    assert!(low > 0.9 * before, "η = 0.00001 moves less than 10% while η = 0.03 converges: {before} → {low}");
    let (before, good) = loss_after(2, 300);
    assert!(good < 0.1 * before, "η = 0.03 converges: {before} → {good}");
}

#[test]
fn the_big_network_overfits_and_regularization_helps() {
    let l = lesson("overfitting").unwrap();
    let losses = |v| {
        let mut t = start(&l, Some(v));
        t.train(2000).unwrap();
        (t.dataset_loss(Split::Train).unwrap(), t.dataset_loss(Split::Test).unwrap())
    };
    let (train, test) = losses(0);
    assert!(train < 0.5 * test, "overfitting: train {train}, test {test}");
    let (reg_train, reg_test) = losses(1);
    assert!(reg_train > train && reg_test < test, "regularized: train {reg_train}, test {reg_test}");
}

#[test]
fn adam_and_momentum_beat_plain_sgd() {
    let l = lesson("optimizers").unwrap();
    let loss = |v| {
        let mut t = start(&l, Some(v));
        t.train(1500).unwrap();
        t.dataset_loss(Split::Train).unwrap()
    };
    let sgd = loss(0);
    assert!(loss(1) < sgd && loss(3) < sgd, "SGD {sgd}");
}

#[test]
fn three_spirals_are_separated() {
    let mut s = session(&lesson("spiral-softmax").unwrap(), None);
    s.train(3000).unwrap();
    let Some(backprop_viz::metrics::Metrics::Classification { accuracy, .. }) = s.metrics(false).unwrap() else {
        panic!()
    };
    assert!(accuracy > 0.9, "accuracy {accuracy}");
}
