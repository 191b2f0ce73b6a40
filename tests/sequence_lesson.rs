//! The recall lesson does what its text says, through the page's own path (`Session::load_lesson`
//! and its variants, `recurrent_step_norms`, `recurrent_chain_rule`): the data is 20 random bits
//! labelled by the first; after one step the first steps' share of dL/dW_x is under a tenth of
//! the last step's at T = 20, and not at T = 5; after 1,200 steps of plain SGD the network
//! stays at chance at T = 20, reaches 100 % at T = 5, and passes 95 % with clipping, after a
//! step where ‖g‖ passed 10.

use backprop_viz::layers::kind::{LayerKind, Returns};
use backprop_viz::metrics::Metrics;
use backprop_viz::presets::lesson;
use backprop_viz::session::Session;
use backprop_viz::Phase;

/// The variants in the lesson's order: T = 20, T = 5, T = 20 clipped.
const LONG: usize = 0;
const SHORT: usize = 1;
const CLIPPED: usize = 2;

fn recall(variant: usize) -> Session {
    let mut s = Session::new();
    s.load_lesson("recall", Some(variant)).unwrap();
    s
}

fn test_accuracy(s: &mut Session) -> f64 {
    let Some(Metrics::Classification { accuracy, .. }) = s.metrics(true).unwrap() else {
        panic!("not a classification")
    };
    accuracy
}

/// The text says `words` (as written).
fn says(words: &str) {
    let text = lesson("recall").unwrap().text;
    assert!(text.contains(words), "the text does not say {words:?}: {text}");
}

/// The first step's share of dL/dW_x over the last step's, after one training step's passes.
fn first_over_last(s: &mut Session) -> f64 {
    while s.trainer().next_phase() != Phase::Update {
        s.step_phase().unwrap();
    }
    let norms = s.trainer().recurrent_step_norms(0).unwrap();
    norms.weights_input[0] / norms.weights_input[norms.weights_input.len() - 1]
}

#[test]
fn the_data_is_twenty_random_bits_labelled_by_the_first() {
    says("Each sequence is 20 random bits, and the answer is the first one");
    let s = recall(LONG);
    let data = s.data().unwrap();
    assert_eq!(data.train.dims, 20);
    assert_eq!(data.train.len() + data.test.len(), 400);
    for p in 0..data.train.len() {
        let row = data.train.coord_row(p);
        assert!(row.iter().all(|&b| b == 0.0 || b == 1.0));
        assert_eq!(row[0], data.train.labels[p]);
    }
    says("an Elman layer of 8 tanh units reads one bit a step");
    let network = &s.settings().network;
    assert!(matches!(network.layers[0].kind, LayerKind::Recurrent { returns: Returns::Last, clip_norm: None }));
    assert_eq!(network.layers[0].units, 8);
    assert_eq!(s.trainer().network().layers[0].input_shape.width, 20, "20 steps of one bit");
}

#[test]
fn the_first_steps_share_vanishes_at_twenty_steps_and_not_at_five() {
    says("Take one step: the first steps' bars are under a thousandth of the last step's");
    says("with T = 5 the first step's bar is still over a fifth of the last");
    let long = first_over_last(&mut recall(LONG));
    assert!(long < 1e-3, "T = 20: {long}");
    let short = first_over_last(&mut recall(SHORT));
    assert!(short > 0.2, "T = 5: {short}");
    assert!(short > 5.0 * long, "T = 5 against T = 20: {short} and {long}");
    // The bars' terms are the chain rule's: each step's sum, and they add up to the gradient.
    let mut s = recall(LONG);
    first_over_last(&mut s);
    let rule = s.trainer().recurrent_chain_rule(0, 0, Some(0)).unwrap();
    assert_eq!(rule.step_sums.len(), 20);
    assert_eq!(rule.terms.len(), 20 * 16, "one term per step of each of the batch's 16 sequences");
    assert_eq!(rule.clipped, s.trainer().network().layers[0].grad_weights[0]);
}

#[test]
fn training_stays_at_chance_long_learns_short_and_learns_long_when_clipped() {
    says("Train 1,200 steps with plain SGD: the network stays at chance (about 50 % on the test sequences)");
    says("With T = 5, a shorter horizon, it reaches 100 %");
    says("clipping the gradient's norm to 1 changes it too");
    says("‖g‖ jumps past 10");
    says("clipped, it passes 95 %");
    let run = |variant: usize| {
        let mut s = recall(variant);
        let before = test_accuracy(&mut s);
        assert!((0.4..=0.6).contains(&before), "untrained, variant {variant}: {before} (\"stays\" at chance)");
        let (mut largest, mut clipped_steps) = (0.0f64, 0);
        for _ in 0..1200 {
            s.train(1).unwrap();
            let clip = s.trainer().network().layers[0].through_time.as_ref().unwrap().clip;
            largest = largest.max(clip.norm);
            clipped_steps += usize::from(clip.acted);
        }
        (test_accuracy(&mut s), largest, clipped_steps)
    };
    let (long, long_largest, none) = run(LONG);
    assert!((0.4..=0.6).contains(&long), "T = 20: {long}");
    assert!(long_largest > 10.0, "T = 20, the largest ‖g‖: {long_largest}");
    assert_eq!(none, 0, "no clipping without a threshold");
    let (short, _, _) = run(SHORT);
    assert_eq!(short, 1.0, "T = 5");
    let (clipped, clipped_largest, clipped_steps) = run(CLIPPED);
    assert!(clipped >= 0.95, "T = 20 clipped: {clipped}");
    assert!(clipped_largest > 10.0 && clipped_steps > 0, "{clipped_largest}, {clipped_steps}");
}

#[test]
fn the_lesson_travels_in_a_link_and_the_length_slider_refits_the_network() {
    let mut s = recall(CLIPPED);
    s.train(30).unwrap();
    let link = s.link();
    assert!(
        link.query.contains("rnn8-last-clip1%3Atanh") || link.query.contains("rnn8-last-clip1:tanh"),
        "{}",
        &link.query[..300.min(link.query.len())]
    );
    let mut student = Session::new();
    let outcome = student.open_link(&link.query);
    assert!(outcome.warnings.is_empty(), "{:?}", outcome.warnings);
    // The link carries the trained weights; everything else in the network's settings is the sender's.
    let without_parameters = |mut n: backprop_viz::config::NetworkConfig| {
        for layer in &mut n.layers {
            layer.weights = None;
            layer.biases = None;
        }
        n
    };
    assert_eq!(
        without_parameters(student.settings().network.clone()),
        without_parameters(s.settings().network.clone())
    );
    assert_eq!(
        student.trainer().network().layers[0].weights,
        s.trainer().network().layers[0].weights,
        "the weights, bit for bit"
    );
    // A longer sequence: the network unrolls over the new length (W_x and W_h keep their size).
    let mut s = recall(LONG);
    s.apply_json(r#"{"length": 30}"#).unwrap();
    assert_eq!(s.trainer().network().layers[0].input_shape.width, 30);
    assert_eq!(s.trainer().network().layers[0].weights.len(), 8 * 9);
    s.train(3).unwrap();
    // Links it cannot read fall back with a warning that names the layers.
    for bad in ["rnn0-last", "rnn4-both", "rnn4-last-clipx", "rnn4-last-clip1-more", "rnnx-last"] {
        let d =
            backprop_viz::share::decode(&format!("problem=recall&length=8&shape=1x1x8&layers={bad}:tanh,1:sigmoid"));
        assert!(!d.warnings.is_empty(), "{bad}: no warning");
    }
}

#[test]
fn a_link_opened_mid_step_says_its_states_through_time_come_back_with_the_next_forward_pass() {
    let mut s = recall(SHORT);
    for _ in 0..5 {
        s.step_phase().unwrap();
    }
    let mut student = Session::new();
    assert!(student.open_link(&s.link().query).warnings.is_empty());
    assert_eq!(student.progress(), 5, "the link keeps the place in the step");
    let err = student.trainer().recurrent_step_norms(0).unwrap_err().to_string();
    assert!(err.contains("keeps no states through time"), "{err}");
    assert!(student.trainer().recurrent_chain_rule(0, 0, Some(0)).is_err());
    // The rest of the step, and the next forward pass: the numbers are the sender's again.
    assert_eq!(student.trainer().next_phase(), Phase::Update);
    for _ in 0..2 {
        student.step_phase().unwrap();
        s.step_phase().unwrap();
    }
    let (a, b) = (&student.trainer().network().layers[0], &s.trainer().network().layers[0]);
    assert_eq!(a.through_time.as_ref().unwrap().hidden, b.through_time.as_ref().unwrap().hidden);
    assert!(student.trainer().recurrent_step_norms(0).is_ok());
}
