//! The session (`src/session.rs`): the one owner of what the page shows. Patches, lessons,
//! links, files and drawn points go through it; a refusal changes nothing; a link or model
//! file taken at any moment replays the next steps bit for bit.

use backprop_viz::chain_rule::ParamRef;
use backprop_viz::csv::CsvOptions;
use backprop_viz::phase::Phase;
use backprop_viz::presets::lessons;
use backprop_viz::session::{Selection, Session};
use backprop_viz::settings::{self, Effect, CATALOGUE};
use backprop_viz::Error;
use serde_json::{json, Map, Value};

fn patch(value: Value) -> Map<String, Value> {
    value.as_object().expect("an object").clone()
}

/// Everything that decides the next numbers, bit for bit.
fn fingerprint(s: &Session) -> Vec<u8> {
    s.trainer().snapshot().encode()
}

/// Runs `n` phases and returns every loss and weight seen, as bits.
fn run_phases(s: &mut Session, n: usize) -> Vec<u64> {
    let mut seen = Vec::new();
    for _ in 0..n {
        let phase = s.step_phase().unwrap();
        if phase == Phase::Loss {
            seen.push(s.trainer().network().loss_value.to_bits());
        }
    }
    for layer in &s.trainer().network().layers {
        seen.extend(layer.weights.iter().map(|w| w.to_bits()));
    }
    seen
}

#[test]
fn a_live_setting_keeps_training_going_and_a_new_shape_starts_again() {
    let mut s = Session::new();
    s.train(25).unwrap();
    let outcome = s.apply(&patch(json!({"lr": 0.05, "optimizer": "adam"}))).unwrap();
    assert_eq!(outcome.changed, ["settings"]);
    assert_eq!(s.trainer().steps(), 25, "live: the counters go on");
    assert_eq!(s.trainer().config().optimizer.learning_rate, 0.05);
    assert_eq!(s.settings().network.optimizer.learning_rate, 0.05);

    let mut layers = settings::find("layers").unwrap().get(s.settings());
    layers[0]["units"] = json!(6);
    let outcome = s.apply(&patch(json!({ "layers": layers }))).unwrap();
    assert!(outcome.changed.contains(&"network"));
    assert!(outcome.message.unwrap().contains("changed shape"));
    assert_eq!(s.trainer().steps(), 0);
    assert_eq!(s.trainer().network().layers[0].units, 6);
    assert_eq!(s.trainer().config().optimizer.kind, backprop_viz::OptimizerKind::Adam, "the live settings stay");

    // Dropout alone is live.
    layers[0]["dropout"] = json!(0.3);
    s.train(3).unwrap();
    assert_eq!(s.apply(&patch(json!({ "layers": layers }))).unwrap().changed, ["settings"]);
    assert_eq!(s.trainer().steps(), 3);
    assert_eq!(s.trainer().network().layers[0].dropout, 0.3);
}

#[test]
fn a_refused_patch_changes_nothing_and_names_the_setting() {
    let mut s = Session::new();
    s.train(5).unwrap();
    let before = (fingerprint(&s), s.settings().clone());
    for (bad, field, needle) in [
        (json!({"lr": 0, "batch": 3}), "lr", "above 0 to 100, not 0"),
        (json!({"batch": 1.5}), "batch", "whole number"),
        (json!({"optimizer": "adamw"}), "optimizer", "one of sgd"),
        (json!({"colour": "red"}), "colour", "not a setting"),
        (json!({"loss": "softmax_cross_entropy"}), "loss", "softmax"),
        (json!({"features": []}), "features", "at least one"),
    ] {
        let e = s.apply(&patch(bad.clone())).unwrap_err();
        assert_eq!(e.kind(), "invalid_setting", "{bad}: {e}");
        assert_eq!(e.field(), Some(field), "{bad}: {e}");
        assert!(e.to_string().contains(needle), "{bad}: {e}");
        assert!(e.to_string().len() < 200, "{e}");
        assert_eq!((fingerprint(&s), s.settings().clone()), before, "{bad} changed something");
    }
}

#[test]
fn every_setting_of_the_catalogue_can_be_applied_and_says_what_it_does() {
    let catalogue = settings::catalogue();
    assert_eq!(catalogue.as_array().unwrap().len(), CATALOGUE.len());
    for entry in catalogue.as_array().unwrap() {
        for field in ["key", "group", "label", "help", "effect", "kind", "default"] {
            assert!(entry.get(field).is_some(), "{entry} has no {field}");
        }
    }
    // The optimizer's own parameters are settings of the catalogue, each live.
    for (key, optimizer, value) in [
        ("momentum", "momentum", 0.8),
        ("rho", "rmsprop", 0.95),
        ("beta1", "adam", 0.85),
        ("beta2", "adam", 0.99),
        ("epsilon", "adam", 1e-6),
    ] {
        let mut s = Session::new();
        s.train(2).unwrap();
        assert!(!settings::find(key).unwrap().shown(s.settings()), "{key} is hidden with SGD");
        s.apply(&patch(json!({"optimizer": optimizer, key: value}))).unwrap();
        assert!(settings::find(key).unwrap().shown(s.settings()));
        assert_eq!(s.trainer().steps(), 2, "{key} is live");
        let config = serde_json::to_value(s.trainer().config().optimizer).unwrap();
        let field = if key == "momentum" { "momentum" } else { key };
        assert_eq!(config[field], json!(value));
        assert_eq!(settings::find(key).unwrap().effect, Effect::Live);
    }
}

#[test]
fn new_data_fits_the_output_layer_and_its_loss() {
    let mut s = Session::new();
    let out = s.apply(&patch(json!({"problem": "sine"}))).unwrap();
    assert!(out.changed.contains(&"data"));
    let info = s.data_info();
    assert_eq!((info.kind, info.dims, info.inputs), ("regression", 1, 1));
    assert_eq!(s.trainer().config().loss, backprop_viz::Loss::SquaredError);
    s.apply(&patch(json!({"problem": "spiral3"}))).unwrap();
    assert_eq!(s.data_info().outputs, 3);
    assert_eq!(s.trainer().config().loss, backprop_viz::Loss::SoftmaxCrossEntropy);
    s.apply(&patch(json!({"features": ["x1", "x2", "sin_x1"]}))).unwrap();
    assert_eq!(s.data_info().input_labels, ["x₁", "x₂", "sin x₁"]);
    assert_eq!(s.trainer().network().inputs, 3);
}

#[test]
fn every_lesson_by_link_is_the_lesson_of_the_menu() {
    for lesson in lessons() {
        let mut menu = Session::new();
        menu.load_lesson(lesson.id, None).unwrap();
        let mut link = Session::new();
        let outcome = link.open_link(&format!("?lesson={}", lesson.id));
        assert!(outcome.warnings.is_empty(), "{}: {:?}", lesson.id, outcome.warnings);
        assert_eq!(link.settings(), menu.settings(), "{}", lesson.id);
        assert_eq!(fingerprint(&link), fingerprint(&menu), "{}", lesson.id);
        assert_eq!(link.data_info(), menu.data_info(), "{}", lesson.id);
    }
    // The chain-rule lesson's network is the lesson's: 1 → 1 → 1 with w1 = 0.4, w2 = 0.6.
    let mut s = Session::new();
    s.open_link("lesson=chain-rule");
    let layers = &s.trainer().network().layers;
    assert_eq!((layers[0].weights[0], layers[1].weights[0]), (0.4, 0.6));
}

/// A run the issue measured: Adam, 3 epochs, then part-way into a step, with a schedule and dropout.
fn mid_run() -> Session {
    let mut s = Session::new();
    let mut layers = settings::find("layers").unwrap().get(s.settings());
    layers[0]["dropout"] = json!(0.2);
    s.apply(&patch(json!({
        "optimizer": "adam", "lr": 0.01, "schedule": "step", "schedule_every": 1, "schedule_factor": 0.5,
        "layers": layers, "show_test": true,
    })))
    .unwrap();
    s.step_epoch().unwrap();
    s.step_epoch().unwrap();
    s.step_epoch().unwrap();
    s.step().unwrap();
    s.step().unwrap();
    for _ in 0..3 {
        s.step_phase().unwrap();
    }
    s.set_sample(2).unwrap();
    s.select(Some(Selection::Edge { layer: 1, neuron: 2, input: 3 })).unwrap();
    s
}

#[test]
fn a_link_taken_mid_step_replays_the_next_steps_to_the_last_bit() {
    let mut sender = mid_run();
    let link = sender.link();
    assert!(link.complete, "{}", link.note);
    assert!(link.query.len() < backprop_viz::share::MAX_QUERY_LEN, "{}", link.query.len());
    let mut student = Session::new();
    let outcome = student.open_link(&link.query);
    assert!(outcome.warnings.is_empty(), "{:?}", outcome.warnings);
    assert_eq!(student.position(), sender.position());
    assert_eq!(student.history(), &sender.history().thinned(200));
    assert_eq!(student.settings(), &{
        let mut s = sender.settings().clone();
        student.settings().network.layers.iter().zip(&mut s.network.layers).for_each(|(a, b)| {
            b.weights.clone_from(&a.weights);
            b.biases.clone_from(&a.biases);
        });
        s
    });
    assert_eq!(student.learning_rate(), sender.learning_rate(), "the schedule's position travels");
    assert_eq!(fingerprint(&student), fingerprint(&sender));
    assert_eq!(run_phases(&mut student, 3), run_phases(&mut sender, 3));
    student.train(40).unwrap();
    sender.train(40).unwrap();
    assert_eq!(fingerprint(&student), fingerprint(&sender));
    assert_eq!(student.history().train.last(), sender.history().train.last());
}

#[test]
fn a_model_file_carries_the_whole_session() {
    let mut sender = mid_run();
    let text = sender.export_model();
    assert!(text.contains("\"version\": 2"));
    let mut other = Session::new();
    other.apply(&patch(json!({"problem": "moons"}))).unwrap();
    other.import_model(&text, "run.json").unwrap();
    assert_eq!(fingerprint(&other), fingerprint(&sender));
    assert_eq!(other.history(), sender.history());
    assert_eq!(other.position(), sender.position());
    assert_eq!(run_phases(&mut other, 9), run_phases(&mut sender, 9));
    // A version 1 file (a network alone) loads onto the data it fits.
    let v1 = backprop_viz::Trainer::new(sender.trainer().config().clone()).unwrap().export_model_json();
    assert!(v1.contains("\"version\": 1"));
    let mut fresh = Session::new();
    fresh.import_model(&v1, "net.json").unwrap();
    assert_eq!(fresh.trainer().steps(), 0);
    let mut wide = Session::new();
    wide.apply(&patch(json!({"features": ["x1", "x2", "x1_x2"]}))).unwrap();
    let before = fingerprint(&wide);
    let e = wide.import_model(&v1, "net.json").unwrap_err();
    assert!(e.to_string().contains("2 input(s)"), "{e}");
    assert_eq!(fingerprint(&wide), before);
}

#[test]
fn a_link_of_the_students_own_points_keeps_them_and_their_split() {
    let mut s = Session::new();
    s.load_csv("a,b,label\n1,2,0\n3,4,1\n5,6,1\n7,8,0\n2,2,1\n", "mine.csv", &CsvOptions::default()).unwrap();
    s.add_point(&[0.1234567, -1.0], 1.0).unwrap();
    let info = s.data_info();
    assert_eq!((info.origin, info.train_points + info.test_points), ("custom", 6));
    assert!(s.coords(false).contains(&0.123), "drawn points are rounded for reading");
    let mut other = Session::new();
    other.open_link(&s.link().query);
    assert_eq!(other.coords(false), s.coords(false));
    assert_eq!(other.coords(true), s.coords(true));
    assert_eq!(fingerprint(&other), fingerprint(&s));
}

#[test]
fn bad_files_change_nothing_and_say_why() {
    let mut s = Session::new();
    s.train(3).unwrap();
    let before = fingerprint(&s);
    let e = s.load_csv("x,y\n1,abc\n", "bad.csv", &CsvOptions::default()).unwrap_err();
    assert!(e.to_string().contains("\"bad.csv\" was not loaded"), "{e}");
    assert_eq!(e.kind(), "invalid_data");
    let e = s.import_model("{}", "m.json").unwrap_err();
    assert_eq!(e.kind(), "parse");
    assert_eq!(fingerprint(&s), before);
}

#[test]
fn the_learning_rate_shown_is_the_engines_scheduled_one() {
    let mut s = Session::new();
    s.apply(&patch(json!({"schedule": "exponential", "schedule_factor": 0.5, "lr": 0.4}))).unwrap();
    s.step_epoch().unwrap();
    s.step_epoch().unwrap();
    assert_eq!(s.learning_rate(), 0.1);
    assert_eq!(s.settings().network.optimizer.learning_rate, 0.4, "the base rate stays what the student chose");
}

#[test]
fn a_hand_edit_after_an_update_is_not_shown_as_the_update() {
    let mut s = Session::new();
    s.step().unwrap();
    assert_eq!(s.position().last, Some(Phase::Update));
    assert!(!s.position().edited);
    s.set_parameter(ParamRef { layer: 0, neuron: 0, input: Some(0) }, 0.25).unwrap();
    assert!(s.position().edited);
    s.step_phase().unwrap();
    assert!(!s.position().edited);
}

#[test]
fn divergence_is_an_error_of_its_kind_and_the_history_ends_at_the_last_good_step() {
    let mut s = Session::new();
    s.load_lesson("learning-rate", Some(0)).unwrap();
    let e = s.train(1000).unwrap_err();
    assert_eq!(e.kind(), "diverged");
    let step = e.step().unwrap();
    assert_eq!(s.trainer().steps(), step - 1);
    assert_eq!(s.history().last_step, Some(step - 1));
    assert_eq!(s.history().diverged_at, Some(step), "the chart marks where it exploded");
    assert!(matches!(e, Error::Diverged { .. }));
    let mut other = Session::new();
    other.open_link(&s.link().query);
    assert_eq!(other.history().diverged_at, Some(step));
}

#[test]
fn an_experiment_run_is_a_fork_on_the_same_data() {
    let mut s = Session::new();
    s.train(30).unwrap();
    let run = s.fork(&patch(json!({"lr": 1.0}))).unwrap();
    assert_eq!(run.trainer().steps(), 0);
    assert_eq!(run.coords(false), s.coords(false));
    assert_eq!(run.trainer().config().optimizer.learning_rate, 1.0);
    s.load_lesson("optimizers", None).unwrap();
    let adam = s.fork_variant(3).unwrap();
    assert_eq!(adam.trainer().config().optimizer.kind, backprop_viz::OptimizerKind::Adam);
}

#[test]
fn a_malformed_link_opens_what_it_can() {
    let mut s = Session::new();
    let outcome = s.open_link("v=1&lr=fast&layers=4:softmax,1:sigmoid&state=AAAA&pos=zz");
    let text = outcome.warnings.join("\n");
    for needle in ["lr=fast", "softmax can only be", "state=AAAA", "pos=zz"] {
        assert!(text.contains(needle), "{needle} missing from {text}");
    }
    s.train(5).unwrap();
}

#[test]
fn a_new_seed_gives_fresh_weights_and_keeps_the_data() {
    let mut s = Session::new();
    s.train(10).unwrap();
    let coords = s.coords(false);
    let before = s.trainer().network().layers[0].weights.clone();
    let out = s.apply(&patch(json!({"seed": 12345}))).unwrap();
    assert_eq!(out.message.as_deref(), Some("New seed 12345: fresh initial weights."));
    assert_eq!(s.trainer().steps(), 0);
    assert_ne!(s.trainer().network().layers[0].weights, before);
    assert_eq!(s.coords(false), coords);
    let link = mid_run().link();
    eprintln!("mid-run link: {} characters", link.query.len());
}

#[test]
fn a_lesson_with_given_weights_can_move_to_other_data() {
    let mut s = Session::new();
    s.load_lesson("xor", None).unwrap();
    s.apply(&patch(json!({"problem": "sine"}))).unwrap();
    assert_eq!(s.data_info().kind, "regression");
    assert_eq!(s.settings().lesson, None);
    s.load_lesson("chain-rule", None).unwrap();
    s.apply(&patch(json!({"problem": "circle"}))).unwrap();
    assert_eq!((s.data_info().kind, s.data_info().input_labels.clone()), ("classification", vec!["x₁".to_string()]));
}
