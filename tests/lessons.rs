//! Every lesson loads, and does what its text tells the student to look for.

mod common;

use backprop_viz::phase::Phase;
use backprop_viz::presets::{lesson, lessons, Lesson};
use backprop_viz::session::Session;
use backprop_viz::settings;
use backprop_viz::{Error, Split, Trainer};
use common::assert_close;
use serde_json::json;

/// The lesson (or its variant) loaded as the page's lesson menu loads it.
fn session(lesson: &Lesson, variant: Option<usize>) -> Session {
    let mut session = Session::new();
    session.load_lesson(lesson.id, variant).unwrap_or_else(|e| panic!("{}: {e}", lesson.id));
    session
}

fn start(lesson: &Lesson, variant: Option<usize>) -> Trainer {
    session(lesson, variant).trainer().clone()
}

/// The lesson's text says `number` (written with its minus sign, −).
fn says(lesson: &Lesson, number: &str) {
    let written = number.replace('-', "−");
    assert!(lesson.text.contains(&written), "{}: the text does not say {written}: {}", lesson.id, lesson.text);
}

/// Plays the session as the page does (many steps a frame) until the stop rule ends training.
fn play_to_the_stop(s: &mut Session) {
    for _ in 0..1000 {
        if s.finished().is_some() {
            return;
        }
        s.train(250).unwrap();
    }
    panic!("training never stopped");
}

fn set_lr(s: &mut Session, lr: f64) {
    s.apply(json!({ "lr": lr }).as_object().unwrap()).unwrap();
}

/// Steps until training diverges; the steps it took, or None if it did not within `max`.
fn steps_to_divergence(s: &mut Session, max: u32) -> Option<u32> {
    for k in 1..=max {
        match s.step() {
            Ok(_) => {}
            Err(Error::Diverged { .. }) => return Some(k),
            Err(e) => panic!("{e}"),
        }
    }
    None
}

#[test]
fn there_are_the_fourteen_lessons_and_each_loads() {
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
            "which-optimizer",
            "spiral-softmax",
            "digits",
            "edge-detector",
            "digits-cnn",
            "autoencoder",
            "recall"
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
        for key in l.controls {
            assert!(settings::find(key).is_some(), "{}: {key} is not a setting of the catalogue", l.id);
        }
    }
    let rate = lesson("learning-rate").unwrap();
    assert_eq!(rate.controls, ["lr"], "the η slider stays in the lesson card");
    assert!(settings::find("lr").unwrap().shown(&rate.session));
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
    // The text says the same numbers, rounded.
    let l = lesson("chain-rule").unwrap();
    let n = t.network();
    says(&l, &format!("{:.4}", n.layers[0].activations[0]));
    says(&l, &format!("{:.4}", n.layers[1].activations[0]));
    says(&l, &format!("{:.4}", n.loss_value));
    says(&l, &format!("{:.4}", n.layers[1].grad_weights[0]));
    says(&l, &format!("{:.5}", n.layers[0].grad_weights[0]));
}

/// tests/reference/xor_no_bias.py after 5000 epochs (worked example 2).
const XOR_REFERENCE: [f64; 4] = [0.10283162432276878, 0.8365766583400569, 0.8365751788814939, 0.21555386527718434];

#[test]
fn xor_runs_the_classic_program_and_stops_at_5000_epochs() {
    let l = lesson("xor").unwrap();
    let mut s = session(&l, None);
    let config = s.trainer().config().clone();
    assert_eq!(
        (config.batch_size, config.reduction, config.optimizer.learning_rate),
        (4, backprop_viz::Reduction::Sum, 0.5)
    );
    assert_eq!(config.stop.after_epochs, 5000);
    assert!(config.layers.iter().all(|l| !l.bias));
    play_to_the_stop(&mut s);
    assert_eq!(s.finished(), Some("stopped after 5000 epochs, as asked"));
    assert_eq!((s.trainer().steps(), s.trainer().epochs()), (5000, 5000));
    // The final outputs, which the page shows, are the reference program's.
    let outputs = s.outputs(false).unwrap();
    for (k, (o, r)) in outputs.iter().zip(XOR_REFERENCE).enumerate() {
        assert_close(*o, r, 1e-9, &format!("ŷ of sample {k}"));
    }
    assert_eq!(outputs[0], 0.10283162432276878);
    // The text says them, rounded.
    for o in &outputs {
        says(&l, &format!("{o:.2}"));
    }
    // At (0,0) every hidden neuron outputs σ(0) = 0.5, so ŷ = σ(0.5 · (w1 + w2)).
    let probe = s.trainer().clone().probe(&[0.0, 0.0]).unwrap().activations.clone();
    assert_eq!(probe[0], [0.5, 0.5]);
    let w = &s.trainer().network().layers[1].weights;
    assert_close(outputs[0], 1.0 / (1.0 + (-(0.5 * w[0] + 0.5 * w[1])).exp()), 1e-15, "ŷ(0,0)");
    // Playing on does nothing: the run is over.
    let before = s.trainer().snapshot();
    s.train(100).unwrap();
    assert_eq!(s.trainer().snapshot(), before);

    // With biases, by the same stop, all four outputs are within 0.1 of their targets.
    let mut biases = session(&l, Some(1));
    play_to_the_stop(&mut biases);
    assert_eq!(biases.trainer().epochs(), 5000);
    let outputs = biases.outputs(false).unwrap();
    for (o, y) in outputs.iter().zip([0.0, 1.0, 1.0, 0.0]) {
        assert!((o - y).abs() < 0.1, "with biases XOR is learnt: {outputs:?}");
    }
}

#[test]
fn the_worked_example_lesson_starts_from_its_published_error() {
    let l = lesson("worked-example").unwrap();
    let mut t = start(&l, None);
    t.step().unwrap();
    assert_close(t.network().loss_value, 0.298371109, 5e-10, "E total");
    assert_close(t.network().layers[1].weights[0], 0.35891648, 5e-9, "w5 after one update");
    says(&l, &format!("{:.9}", t.network().loss_value));
    says(&l, &format!("{:.8}", t.network().layers[1].weights[0]));
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
    says(&l, "so the first layers barely learn");
    says(&l, "the gradients reach the first layer");
    assert!(s < 0.01, "sigmoid: first/last gradient ratio {s}");
    assert!(r > 10.0 * s, "ReLU keeps far more of the gradient: {r} vs {s}");
}

#[test]
fn the_learning_rate_lesson_converges_at_its_own_rate() {
    let l = lesson("learning-rate").unwrap();
    let mut s = session(&l, None);
    assert_eq!(s.learning_rate(), 0.03);
    says(&l, "η = 0.03 the loss falls steadily");
    let before = s.dataset_loss(false).unwrap();
    s.train(300).unwrap();
    let after = s.dataset_loss(false).unwrap();
    assert!(after < 0.05 * before, "η = 0.03 converges: {before} → {after}");
    s.train(3000).unwrap();
    assert!(s.dataset_loss(false).unwrap() < after, "and goes on falling without diverging");
    // Its third variant is the same rate.
    assert_eq!(session(&l, Some(2)).learning_rate(), 0.03);
}

#[test]
fn a_high_rate_explodes_from_the_start_within_a_few_hundred_steps() {
    let l = lesson("learning-rate").unwrap();
    says(&l, "η = 3 it climbs fast, and once it is 10⁴ times its lowest, a few steps in, training stops");
    let mut s = session(&l, Some(0));
    assert_eq!(s.learning_rate(), 3.0);
    // The loss climbs steadily, several-fold a step.
    let mut losses = vec![s.dataset_loss(false).unwrap()];
    let mut diverged = None;
    for k in 1..=400 {
        match s.step() {
            Ok(loss) => losses.push(loss),
            Err(e) => {
                assert_eq!(e.kind(), "diverged");
                diverged = Some(k);
                break;
            }
        }
    }
    let steps = diverged.expect("η = 3 diverges within 400 steps");
    // The loss-jump rule (10⁴ over the recent minimum) stops it long before an overflow.
    assert!((4..=10).contains(&steps), "it climbs for a few steps, so the chart shows it: {steps}");
    for w in losses.chunks(10).collect::<Vec<_>>().windows(2) {
        assert!(w[1][0] > w[0][0], "the loss climbs: {:e} then {:e}", w[0][0], w[1][0]);
    }
    let per_step = (losses[losses.len() - 1] / losses[0]).powf(1.0 / (losses.len() - 1) as f64);
    assert!(per_step > 5.0, "several-fold a step: ×{per_step:.1}");
    // Training stopped with a message; the history ends at the step kept.
    assert_eq!(s.history().last_step, Some(s.trainer().steps()));
    assert!(s.trainer().steps() + 2 >= steps as u64);
    // At the top of the slider it explodes too.
    let mut top = session(&l, None);
    set_lr(&mut top, 10.0);
    assert!(steps_to_divergence(&mut top, 300).is_some(), "η = 10 diverges");
}

#[test]
fn raising_the_slider_blows_up_a_trained_network() {
    let l = lesson("learning-rate").unwrap();
    says(&l, "raise the slider to 3 while training and a trained network blows up the same way");
    for (rate, within) in [(3.0, 300), (10.0, 200)] {
        let mut s = session(&l, None);
        s.train(300).unwrap();
        let trained = s.dataset_loss(false).unwrap();
        assert!(trained < 0.02, "trained at η = 0.03 for 300 steps: {trained}");
        set_lr(&mut s, rate);
        let steps = steps_to_divergence(&mut s, within);
        assert!(
            steps.is_some(),
            "trained for 300 steps at η = 0.03, then raised to {rate}: no divergence in {within} steps"
        );
    }
}

#[test]
fn a_tiny_rate_crawls_and_a_faster_one_than_the_lessons_still_converges() {
    let l = lesson("learning-rate").unwrap();
    says(&l, "η = 0.00001 the loss hardly moves");
    let loss_after = |s: &mut Session, steps| {
        let before = s.dataset_loss(false).unwrap();
        s.train(steps).unwrap();
        (before, s.dataset_loss(false).unwrap())
    };
    let (before, low) = loss_after(&mut session(&l, Some(1)), 300);
    assert!(low > 0.9 * before, "η = 0.00001 moves the loss less than 10%: {before} → {low}");
    // "Find the fastest rate that still converges": there is one above 0.03 (and below 3).
    let (_, good) = loss_after(&mut session(&l, None), 300);
    let mut faster = session(&l, None);
    set_lr(&mut faster, 0.1);
    let (_, fast) = loss_after(&mut faster, 300);
    assert!(fast < good, "η = 0.1 beats η = 0.03: {fast} vs {good}");
    assert!(faster.train(3000).is_ok(), "and still converges");
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
    says(&l, "Twenty noisy training points");
    says(&l, "the training loss falls towards 0 while the test loss climbs");
    says(&l, "the training loss stays higher, the test loss lower");
    let mut s = session(&l, None);
    assert_eq!(s.data_info().train_points, 20);
    for _ in 0..40 {
        s.train(50).unwrap();
    }
    let history = s.history();
    let lowest = history.test.iter().copied().fold(f64::INFINITY, f64::min);
    let last = *history.test.last().unwrap();
    assert!(last > 1.3 * lowest, "the test loss climbs from {lowest} to {last}");
    assert!(*history.train.last().unwrap() < 1e-3, "the training loss falls towards 0");
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
    says(&l, "momentum and Adam pass SGD");
    assert!(loss(1) < sgd && loss(3) < sgd, "SGD {sgd}");
}

#[test]
fn three_spirals_are_separated_and_each_output_claims_one_arm() {
    let l = lesson("spiral-softmax").unwrap();
    let mut s = session(&l, None);
    // "δ at the output is simply ŷ − y", sample by sample.
    while s.trainer().next_phase() != Phase::Update {
        s.step_phase().unwrap();
    }
    let n = s.trainer().network();
    let out = &n.layers[2];
    for ((delta, a), y) in out.delta.iter().zip(&out.activations).zip(&n.batch_target) {
        assert_close(*delta, a - y, 1e-15, "δ = ŷ − y");
    }
    s.train(3000).unwrap();
    let Some(backprop_viz::metrics::Metrics::Classification { accuracy, .. }) = s.metrics(false).unwrap() else {
        panic!()
    };
    assert!(accuracy > 0.9, "accuracy {accuracy}");
    // "Watch each output neuron's heatmap claim one arm": output k, the probability of class k,
    // is high on arm k and low on the other two, on the training and on the test points.
    says(&l, "each output neuron's heatmap");
    for test in [false, true] {
        let outputs = s.outputs(test).unwrap();
        let labels = s.labels(test);
        for k in 0..3 {
            let mean = |own: bool| {
                let values: Vec<f64> = outputs
                    .chunks(3)
                    .zip(&labels)
                    .filter(|(_, &y)| (y as usize == k) == own)
                    .map(|(row, _)| row[k])
                    .collect();
                values.iter().sum::<f64>() / values.len() as f64
            };
            let (own, others) = (mean(true), mean(false));
            assert!(
                own > 0.85 && others < 0.1,
                "output {k} (test points: {test}): {own} on its arm, {others} elsewhere"
            );
        }
    }
}

#[test]
fn which_optimizer_rprop_and_cg_take_under_ten_steps_adam_tens_and_gradient_descent_over_a_hundred() {
    let lesson = lessons().into_iter().find(|l| l.id == "which-optimizer").unwrap();
    let mut reached = Vec::new();
    for (k, v) in lesson.variants.iter().enumerate() {
        let mut s = session(&lesson, Some(k));
        assert_eq!(s.trainer().batch_size(), 100, "{}: full batch", v.label);
        let mut at = None;
        for step in 1..=3000u32 {
            s.step().unwrap();
            if s.dataset_loss(false).unwrap() <= 0.1 {
                at = Some(step);
                break;
            }
        }
        eprintln!("{}: target at {at:?}", v.label);
        reached.push(at.unwrap_or_else(|| panic!("{} did not reach 0.1 in 3000 steps", v.label)));
    }
    let [gd, rprop, cg, adam] = reached[..] else { panic!() };
    assert!(rprop < 10 && cg < 10, "Rprop {rprop}, CG {cg}: under ten steps");
    assert!((10..100).contains(&adam), "Adam {adam}: a few tens");
    assert!(gd > 100, "gradient descent {gd}: over a hundred");
}
