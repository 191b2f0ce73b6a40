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
        (json!({"lr": 0, "batch": 3}), "lr", "above 0 and at most 100, not 0"),
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
        ("momentum", "momentum", json!(0.8)),
        ("rho", "rmsprop", json!(0.95)),
        ("beta1", "adam", json!(0.85)),
        ("beta2", "adam", json!(0.99)),
        ("epsilon", "adam", json!(1e-6)),
        ("momentum", "nesterov", json!(0.7)),
        ("epsilon", "adagrad", json!(1e-7)),
        ("rprop_up", "rprop", json!(1.3)),
        ("rprop_down", "rprop", json!(0.4)),
        ("rprop_s0", "rprop", json!(0.05)),
        ("rprop_min", "rprop", json!(1e-5)),
        ("rprop_max", "rprop", json!(10.0)),
        ("cg_a0", "cg", json!(0.5)),
        ("cg_c1", "cg", json!(0.001)),
        ("cg_trials", "cg", json!(7)),
        ("cg_restart", "cg", json!(12)),
    ] {
        let mut s = Session::new();
        s.train(2).unwrap();
        assert!(!settings::find(key).unwrap().shown(s.settings()), "{key} is hidden with SGD");
        s.apply(&patch(json!({"optimizer": optimizer, key: value}))).unwrap();
        assert!(settings::find(key).unwrap().shown(s.settings()));
        assert_eq!(s.trainer().steps(), 2, "{key} is live");
        let config = serde_json::to_value(s.trainer().config().optimizer).unwrap();
        let field = match key {
            "rprop_up" => "rprop_increase",
            "rprop_down" => "rprop_decrease",
            "rprop_s0" => "rprop_initial_step",
            "rprop_min" => "rprop_min_step",
            "rprop_max" => "rprop_max_step",
            "cg_a0" => "cg_initial_step",
            "cg_c1" => "cg_sufficient_decrease",
            "cg_trials" => "cg_max_trials",
            "cg_restart" => "cg_restart_every",
            other => other,
        };
        assert_eq!(config[field], value, "{key}");
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

/// Each new optimizer (with its own settings changed from their defaults), a few epochs and
/// steps in, then part-way into a step: on 40 points, so that even conjugate gradient's whole
/// batch fits in a link.
fn mid_run_with(optimizer: Value) -> Session {
    let mut s = Session::new();
    s.apply(&patch(json!({"points": 40}))).unwrap();
    s.apply(&patch(optimizer)).unwrap();
    s.step_epoch().unwrap();
    s.step_epoch().unwrap();
    s.step().unwrap();
    for _ in 0..5 {
        s.step_phase().unwrap();
    }
    s.select(Some(Selection::Edge { layer: 1, neuron: 2, input: 3 })).unwrap();
    s
}

fn new_optimizers() -> [Value; 4] {
    [
        json!({"optimizer": "nesterov", "lr": 0.05, "momentum": 0.8}),
        json!({"optimizer": "adagrad", "lr": 0.1, "epsilon": 1e-7}),
        json!({"optimizer": "rprop", "rprop_up": 1.3, "rprop_s0": 0.05, "rprop_max": 5}),
        json!({"optimizer": "cg", "cg_restart": 4, "cg_c1": 0.001}),
    ]
}

#[test]
fn a_link_taken_mid_run_replays_to_the_last_bit_with_every_new_optimizer() {
    for optimizer in new_optimizers() {
        let mut sender = mid_run_with(optimizer.clone());
        let link = sender.link();
        assert!(link.complete, "{optimizer}: {}", link.note);
        let mut student = Session::new();
        let outcome = student.open_link(&link.query);
        assert!(outcome.warnings.is_empty(), "{optimizer}: {:?}", outcome.warnings);
        assert_eq!(student.trainer().config().optimizer, sender.trainer().config().optimizer, "{optimizer}");
        assert_eq!(fingerprint(&student), fingerprint(&sender), "{optimizer}");
        let param = ParamRef { layer: 1, neuron: 2, input: Some(3) };
        assert_eq!(student.chain_rule(param).unwrap(), sender.chain_rule(param).unwrap(), "{optimizer}");
        assert_eq!(run_phases(&mut student, 11), run_phases(&mut sender, 11), "{optimizer}");
        student.train(30).unwrap();
        sender.train(30).unwrap();
        assert_eq!(fingerprint(&student), fingerprint(&sender), "{optimizer}");
    }
}

#[test]
fn a_model_file_and_undo_keep_every_new_optimizers_state() {
    for optimizer in new_optimizers() {
        let mut sender = mid_run_with(optimizer.clone());
        let mut other = Session::new();
        other.import_model(&sender.export_model(), "run.json").unwrap();
        assert_eq!(fingerprint(&other), fingerprint(&sender), "{optimizer}");
        assert_eq!(run_phases(&mut other, 13), run_phases(&mut sender, 13), "{optimizer}");
        // Undo a step and a run of steps: the same state, and the same numbers again.
        let before = fingerprint(&sender);
        sender.step().unwrap();
        sender.train(7).unwrap();
        let after = fingerprint(&sender);
        sender.undo().unwrap();
        sender.undo().unwrap();
        assert_eq!(fingerprint(&sender), before, "{optimizer}");
        sender.step().unwrap();
        sender.train(7).unwrap();
        assert_eq!(fingerprint(&sender), after, "{optimizer}");
    }
}

#[test]
fn conjugate_gradient_takes_the_whole_training_set_and_says_so() {
    let mut s = Session::new();
    s.apply(&patch(json!({"batch": 10}))).unwrap();
    let points = s.data_info().train_points;
    assert_eq!(s.control_state()["batch"]["in_use"], json!(10));
    let outcome = s.apply(&patch(json!({"optimizer": "cg"}))).unwrap();
    let message = outcome.message.unwrap_or_default();
    assert!(message.contains(&format!("all {points} training points as one batch")), "{message}");
    assert!(message.contains("the batch size of 10 applies again"), "{message}");
    let controls = s.control_state();
    assert_eq!(controls["batch"]["in_use"], json!(points));
    assert_eq!((controls["batch"]["value"].clone(), controls["batch"]["shown"].clone()), (json!(10), json!(false)));
    assert_eq!(controls["lr"]["shown"], json!(false), "conjugate gradient uses no η");
    s.step().unwrap();
    assert_eq!((s.trainer().network().batch_len, s.trainer().epochs()), (points, 1));
    // Another optimizer takes the batch size again.
    assert!(s.apply(&patch(json!({"optimizer": "rprop"}))).unwrap().message.is_none());
    assert_eq!(s.control_state()["batch"]["in_use"], json!(10));
    s.step().unwrap();
    assert_eq!(s.trainer().network().batch_len, 10);
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
    let Error::Diverged { kept_step, .. } = e else { panic!("{e:?}") };
    assert!(kept_step + 2 >= step);
    assert_eq!(s.trainer().steps(), kept_step);
    assert_eq!(s.history().last_step, Some(kept_step));
    assert_eq!(s.history().diverged_at, Some(step), "the chart marks where it exploded");
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

// ---- undo ------------------------------------------------------------------------------------

/// What undo must put back: the trainer's state, the loss history and the position in the step.
fn everything(s: &Session) -> (Vec<u8>, backprop_viz::history::History, backprop_viz::session::Position) {
    (fingerprint(s), s.history().clone(), *s.position())
}

#[test]
fn undoing_fifty_phases_one_by_one_returns_to_each_state_and_the_start() {
    let mut s = mid_run();
    let start = everything(&s);
    let (prior, steps) = (s.can_undo(), s.trainer().steps());
    let mut seen = vec![start.clone()];
    for _ in 0..50 {
        s.step_phase().unwrap();
        seen.push(everything(&s));
    }
    assert_eq!(s.can_undo(), prior + 50);
    assert_eq!(s.trainer().steps(), steps + 6, "the phases went through six updates");
    for k in (0..50).rev() {
        let outcome = s.undo().unwrap();
        assert!(outcome.changed.contains(&"weights") && outcome.changed.contains(&"position"));
        assert_eq!(everything(&s), seen[k], "after undoing back to phase {k}");
    }
    assert_eq!(everything(&s), start);
    assert_eq!(s.can_undo(), prior, "what came before the fifty phases can still be undone");
    let mut fresh = Session::new();
    let before = everything(&fresh);
    let e = fresh.undo().unwrap_err();
    assert_eq!((e.kind(), e.to_string().as_str()), ("out_of_range", "nothing to undo"));
    assert_eq!(everything(&fresh), before, "a refused undo changes nothing");
}

#[test]
fn undo_after_an_update_restores_the_weights_and_the_counters() {
    let mut s = Session::new();
    s.step_epoch().unwrap();
    while s.trainer().next_phase() != Phase::Update {
        s.step_phase().unwrap();
    }
    let before = everything(&s);
    let (steps, epochs) = (s.trainer().steps(), s.trainer().epochs());
    let weights: Vec<Vec<f64>> = s.trainer().network().layers.iter().map(|l| l.weights.clone()).collect();
    assert_eq!(s.step_phase().unwrap(), Phase::Update);
    assert_eq!(s.trainer().steps(), steps + 1);
    let outcome = s.undo().unwrap();
    assert_eq!(outcome.message.as_deref(), Some(format!("Undone: the update. Back at step {steps}.").as_str()));
    assert_eq!(everything(&s), before);
    assert_eq!((s.trainer().steps(), s.trainer().epochs()), (steps, epochs));
    assert_eq!(s.trainer().next_phase(), Phase::Update);
    let after: Vec<Vec<f64>> = s.trainer().network().layers.iter().map(|l| l.weights.clone()).collect();
    assert_eq!(after, weights);
    // A whole epoch, and a run of steps, step back in one undo each.
    let before = everything(&s);
    s.step_epoch().unwrap();
    s.train(500).unwrap();
    assert_eq!(
        s.undo().unwrap().message.as_deref(),
        Some(format!("Undone: 500 training steps. Back at step {}.", s.trainer().steps()).as_str())
    );
    s.undo().unwrap();
    assert_eq!(everything(&s), before);
}

#[test]
fn after_undo_stepping_again_or_redo_gives_the_same_numbers() {
    let mut s = mid_run();
    let start = everything(&s);
    let first = run_phases(&mut s, 23);
    let end = everything(&s);
    for _ in 0..23 {
        s.undo().unwrap();
    }
    assert_eq!(everything(&s), start);
    assert_eq!(s.can_redo(), 23);
    // Redo goes forward to the very same states.
    for _ in 0..23 {
        s.redo().unwrap();
    }
    assert_eq!(everything(&s), end);
    assert_eq!(s.redo().unwrap_err().to_string(), "nothing to redo");
    // Undone again, then stepped again: the same losses and weights, bit for bit.
    for _ in 0..23 {
        s.undo().unwrap();
    }
    assert_eq!(run_phases(&mut s, 23), first);
    assert_eq!(everything(&s), end);
    assert_eq!(s.can_redo(), 0, "a new action ends what could be redone");
    // And the runs that follow agree with a session that never went back.
    let mut straight = mid_run();
    run_phases(&mut straight, 23);
    s.train(300).unwrap();
    straight.train(300).unwrap();
    assert_eq!(fingerprint(&s), fingerprint(&straight));
}

#[test]
fn bulk_training_stays_bit_identical_to_stepping_with_undo_on() {
    let mut bulk = Session::new();
    let mut stepped = Session::new();
    bulk.train(137).unwrap();
    for _ in 0..137 {
        stepped.step().unwrap();
    }
    assert_eq!(fingerprint(&bulk), fingerprint(&stepped));
    assert_eq!((bulk.can_undo(), stepped.can_undo()), (1, 64), "one saved state per call, never per inner step");
    // Undo a run and run it again: the same state.
    let after = fingerprint(&bulk);
    bulk.undo().unwrap();
    assert_eq!(bulk.trainer().steps(), 0);
    bulk.train(137).unwrap();
    assert_eq!(fingerprint(&bulk), after);
}

#[test]
fn undo_puts_back_a_live_setting_a_reset_and_a_hand_edit() {
    let mut s = Session::new();
    s.train(10).unwrap();
    let trained = everything(&s);
    let (settings, config) = (s.settings().clone(), s.trainer().config().clone());
    let mut layers = settings::find("layers").unwrap().get(s.settings());
    layers[0]["dropout"] = json!(0.3);
    s.apply(&patch(json!({"lr": 0.05, "optimizer": "adam", "batch": 7, "layers": layers, "stop_epochs": 3}))).unwrap();
    s.train(5).unwrap();
    s.undo().unwrap();
    let outcome = s.undo().unwrap();
    assert_eq!(outcome.changed[0], "settings");
    assert!(outcome.message.unwrap().starts_with("Undone: the change of "));
    assert_eq!(s.settings(), &settings);
    assert_eq!(s.trainer().config(), &config);
    assert_eq!(s.trainer().network().layers[0].dropout, 0.0);
    assert_eq!(everything(&s), trained);
    let mut straight = Session::new();
    straight.train(15).unwrap();
    s.train(5).unwrap();
    assert_eq!(fingerprint(&s), fingerprint(&straight), "training goes on as if the settings never changed");

    // A new seed, and a reset.
    let before = (everything(&s), s.settings().clone(), s.trainer().config().clone());
    s.apply(&patch(json!({"seed": 99}))).unwrap();
    assert_eq!(s.trainer().steps(), 0);
    s.undo().unwrap();
    assert_eq!((everything(&s), s.settings().clone(), s.trainer().config().clone()), before);
    s.reset(None);
    s.undo().unwrap();
    assert_eq!(everything(&s).0, before.0 .0);

    // A weight set by hand.
    s.step_phase().unwrap();
    let before = everything(&s);
    s.set_parameter(ParamRef { layer: 1, neuron: 0, input: Some(2) }, 1.5).unwrap();
    assert!(s.position().edited);
    assert_eq!(s.undo().unwrap().message.as_deref(), Some("Undone: w set by hand. Back at step 15."));
    assert_eq!(everything(&s), before);
    // A refused edit, a view switch and a train call that runs nothing are not actions to undo.
    let count = s.can_undo();
    assert!(s.set_parameter(ParamRef { layer: 9, neuron: 0, input: None }, 1.0).is_err());
    s.apply(&patch(json!({"log_scale": true}))).unwrap();
    s.train(0).unwrap();
    assert_eq!(s.can_undo(), count);
    // The selection and the sample shown stay what the student chose.
    s.step().unwrap();
    s.select(Some(Selection::Neuron { layer: 0, neuron: 1 })).unwrap();
    s.set_sample(4).unwrap();
    s.undo().unwrap();
    assert_eq!((s.position().selection, s.position().sample), (Some(Selection::Neuron { layer: 0, neuron: 1 }), 4));
}

#[test]
fn undo_after_divergence_goes_back_before_the_run() {
    let mut s = Session::new();
    s.load_lesson("learning-rate", Some(0)).unwrap();
    s.train(3).unwrap();
    let before = everything(&s);
    assert_eq!(s.train(1000).unwrap_err().kind(), "diverged");
    assert_ne!(everything(&s), before);
    s.undo().unwrap();
    assert_eq!(everything(&s), before);
}

#[test]
fn the_ring_is_bounded_in_steps_and_in_bytes() {
    let mut s = Session::new();
    let mut seen = vec![fingerprint(&s)];
    for _ in 0..100 {
        s.step_phase().unwrap();
        seen.push(fingerprint(&s));
    }
    assert_eq!(s.can_undo(), backprop_viz::undo::STEPS);
    const { assert!(backprop_viz::undo::STEPS >= 60) };
    while s.can_undo() > 0 {
        s.undo().unwrap();
    }
    assert_eq!(fingerprint(&s), seen[100 - backprop_viz::undo::STEPS], "the oldest went first");

    // A state of about 6.5 MB (batch of 2,500 through 32 + 32 neurons): a few fit in 32 MiB.
    let mut big = Session::new();
    let mut layers = settings::find("layers").unwrap().get(big.settings());
    layers[0]["units"] = json!(32);
    layers[1]["units"] = json!(32);
    big.apply(&patch(json!({"points": 5000, "layers": layers}))).unwrap();
    big.apply(&patch(json!({"batch": 2500}))).unwrap();
    for _ in 0..10 {
        big.step_phase().unwrap();
    }
    assert!((3..=5).contains(&big.can_undo()), "{} states kept", big.can_undo());

    // A state larger than the whole budget is not kept, and undo says why.
    layers[1]["units"] = json!(32);
    let mut layers3 = layers.as_array().unwrap().clone();
    layers3.insert(0, layers3[0].clone());
    big.apply(&patch(json!({"points": 20000, "layers": layers3}))).unwrap();
    big.apply(&patch(json!({"batch": 10000}))).unwrap();
    big.step_phase().unwrap();
    big.step_phase().unwrap();
    assert_eq!(big.can_undo(), 0);
    let e = big.undo().unwrap_err();
    assert_eq!(e.kind(), "out_of_range");
    assert!(e.to_string().contains("more than the 32 MB kept for undo"), "{e}");
}

#[test]
fn rebuilds_empty_the_ring() {
    let trained = || {
        let mut s = Session::new();
        s.train(3).unwrap();
        s.step_phase().unwrap();
        assert_eq!(s.can_undo(), 2);
        s
    };
    let mut layers = settings::find("layers").unwrap().get(Session::new().settings());
    layers[0]["units"] = json!(6);
    let text = trained().export_model();
    type Rebuild = Box<dyn Fn(&mut Session)>;
    let rebuilds: Vec<(&str, Rebuild)> = vec![
        ("a new shape", Box::new(move |s| drop(s.apply(&patch(json!({ "layers": layers.clone() }))).unwrap()))),
        ("new data", Box::new(|s| drop(s.apply(&patch(json!({"problem": "moons"}))).unwrap()))),
        ("shuffle", Box::new(|s| drop(s.apply(&patch(json!({"shuffle": false}))).unwrap()))),
        ("a lesson", Box::new(|s| drop(s.load_lesson("xor", None).unwrap()))),
        ("a link", Box::new(|s| drop(s.open_link("lesson=chain-rule")))),
        (
            "a CSV file",
            Box::new(|s| drop(s.load_csv("a,b,y\n1,2,0\n3,4,1\n", "f.csv", &CsvOptions::default()).unwrap())),
        ),
        ("a drawn point", Box::new(|s| drop(s.add_point(&[0.5, 0.5], 1.0).unwrap()))),
        ("a model file", Box::new(move |s| drop(s.import_model(&text, "m.json").unwrap()))),
    ];
    for (what, rebuild) in rebuilds {
        let mut s = trained();
        rebuild(&mut s);
        assert_eq!((s.can_undo(), s.can_redo()), (0, 0), "{what}");
        assert_eq!(s.undo().unwrap_err().kind(), "out_of_range", "{what}");
    }
    // An experiment's run starts with no undo steps of its own.
    assert_eq!(trained().fork(&patch(json!({"lr": 0.1}))).unwrap().can_undo(), 0);
}

/// Everything undo puts back, settings included.
type Whole = (Vec<u8>, backprop_viz::history::History, backprop_viz::session::Position, Value, Value);

/// (The sample shown is the student's view: undo keeps it, and `reset` moves it to 0.)
fn whole(s: &Session) -> Whole {
    let settings = serde_json::to_value(&s.settings().network).unwrap();
    let config = serde_json::to_value(s.trainer().config()).unwrap();
    let position = backprop_viz::session::Position { sample: 0, ..*s.position() };
    (fingerprint(s), s.history().clone(), position, settings, config)
}

#[test]
fn random_actions_undos_and_redos_agree_with_a_stack_of_states() {
    let mut rng = backprop_viz::rng::Rng::new(10);
    let mut s = mid_run();
    // The states before mid_run's own actions are not known here: None.
    let (mut back, mut forward) = (vec![None::<Whole>; s.can_undo()], Vec::new());
    let mut layers = settings::find("layers").unwrap().get(s.settings());
    for round in 0..1500 {
        let before = whole(&s);
        let choice = rng.below(14);
        let acted = match choice {
            0..=2 => s.step_phase().is_ok(),
            3 => s.step().is_ok(),
            4 => s.step_epoch().is_ok(),
            5 => s.train(rng.below(40) as u32 + 1).is_ok(),
            6 => {
                s.reset(if rng.below(2) == 0 { None } else { Some(rng.below(100) as u32) });
                true
            }
            7 => s.set_parameter(ParamRef { layer: rng.below(3), neuron: 0, input: Some(rng.below(4)) }, 0.1).is_ok(),
            8 => {
                let lr = [0.01, 0.3, 1.0][rng.below(3)];
                let optimizer = ["sgd", "adam", "momentum", "nesterov", "adagrad", "rprop", "cg"][rng.below(7)];
                let batch = 1 + rng.below(20);
                !s.apply(&patch(json!({"lr": lr, "optimizer": optimizer, "batch": batch}))).unwrap().changed.is_empty()
            }
            9 => {
                layers[0]["dropout"] = json!([0.0, 0.2, 0.5][rng.below(3)]);
                !s.apply(&patch(json!({ "layers": layers }))).unwrap().changed.is_empty()
            }
            10..=11 => {
                match back.pop() {
                    Some(expected) => {
                        s.undo().unwrap();
                        forward.push(before);
                        if let Some(expected) = expected {
                            let got = whole(&s);
                            assert!(got.0 == expected.0, "round {round}: undo: state");
                            assert!(got.1 == expected.1, "round {round}: undo: history");
                            assert!(
                                got.2 == expected.2,
                                "round {round}: undo: position {:?} vs {:?}",
                                got.2,
                                expected.2
                            );
                            assert!(got.3 == expected.3, "round {round}: undo: settings");
                            assert!(got.4 == expected.4, "round {round}: undo: config");
                        }
                    }
                    None => assert!(s.undo().is_err()),
                }
                continue;
            }
            _ => {
                match forward.pop() {
                    Some(expected) => {
                        s.redo().unwrap();
                        back.push(Some(before));
                        assert_eq!(whole(&s), expected, "round {round}: redo");
                    }
                    None => assert!(s.redo().is_err()),
                }
                continue;
            }
        };
        if acted {
            forward.clear();
            back.push(Some(before));
            if back.len() > backprop_viz::undo::STEPS {
                back.remove(0);
            }
        }
        assert_eq!((s.can_undo(), s.can_redo()), (back.len(), forward.len()), "round {round}, action {choice}");
    }
}
