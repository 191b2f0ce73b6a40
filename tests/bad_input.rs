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

/// Links made from the catalogue's own keys with values in and out of range, lessons and
/// garbage: whatever decodes builds a session (the invariant the link fuzz target asserts).
#[test]
fn every_decoded_link_builds() {
    use backprop_viz::rng::Rng;
    use backprop_viz::session::Session;
    use backprop_viz::share::decode;
    let mut rng = Rng::new(16);
    let lessons: Vec<String> = backprop_viz::presets::lessons().iter().map(|l| l.id.to_string()).collect();
    let values = |rng: &mut Rng, entry: &serde_json::Value| -> String {
        let pick = |rng: &mut Rng, items: &[String]| items[rng.below(items.len())].clone();
        let choices: Vec<String> = entry["choices"]
            .as_array()
            .map(|c| c.iter().filter_map(|c| c["value"].as_str().map(str::to_string)).collect())
            .unwrap_or_default();
        let nasty = ["", "-1", "0", "1", "1.5", "1e308", "NaN", "4294967296", "x", "3:tanh"];
        match (rng.below(4), entry["kind"].as_str().unwrap_or("")) {
            (0, _) => nasty[rng.below(nasty.len())].to_string(),
            (_, "choice") => pick(rng, &choices),
            (_, "features") => (0..1 + rng.below(12)).map(|_| pick(rng, &choices)).collect::<Vec<_>>().join(","),
            (_, "layers") => (0..1 + rng.below(4))
                .map(|_| {
                    let activation = ["tanh", "relu", "sigmoid", "softmax", "identity", "bogus"][rng.below(6)];
                    format!("{}:{activation}", [1, 2, 3, 8, 10, 300][rng.below(6)])
                })
                .collect::<Vec<_>>()
                .join(","),
            (_, "flag") => ["0", "1"][rng.below(2)].to_string(),
            _ => {
                let (low, high) = (entry["min"].as_f64().unwrap_or(0.0), entry["max"].as_f64().unwrap_or(1.0));
                let x = rng.uniform(low, high.min(low + 1e3));
                if entry["kind"] == "integer" {
                    (x.round() as u64).to_string()
                } else {
                    x.to_string()
                }
            }
        }
    };
    let catalogue: Vec<serde_json::Value> = backprop_viz::settings::CATALOGUE.iter().map(|s| s.describe()).collect();
    let mut queries = vec!["features=x1,x1,x1,x1,x1,x1,x1,x1,x1".to_string()];
    for _ in 0..400 {
        let mut parts = Vec::new();
        if rng.below(3) == 0 {
            parts.push(format!("lesson={}", lessons[rng.below(lessons.len())]));
        }
        if rng.below(4) == 0 {
            parts.push(format!("variant={}", rng.below(6)));
        }
        for _ in 0..rng.below(8) {
            let entry = &catalogue[rng.below(catalogue.len())];
            parts.push(format!("{}={}", entry["key"].as_str().unwrap(), values(&mut rng, entry)));
        }
        queries.push(parts.join("&"));
    }
    for query in &queries {
        let decoded = decode(query);
        if let Err(e) = Session::from_link_settings(decoded.settings.clone(), &mut Vec::new()) {
            panic!("?{query} decoded (warnings {:?}) but does not build: {e}", decoded.warnings);
        }
    }
    let duplicates = decode(&queries[0]);
    assert_eq!(duplicates.settings.network.inputs, 1);
    assert!(duplicates.warnings.iter().any(|w| w.contains("once")), "{:?}", duplicates.warnings);
}

/// The fuzz targets' seeds (fuzz/seeds/, every crash found so far among them) hold what the
/// targets assert: a decoded link builds, a CSV file reads or says why in words.
#[test]
fn the_fuzz_seeds_hold_the_fuzz_invariants() {
    use backprop_viz::csv::{parse, CsvOptions};
    use backprop_viz::session::Session;
    let seeds = |target: &str| {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/seeds").join(target);
        let mut texts: Vec<(String, String)> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|entry| {
                let path = entry.unwrap().path();
                (path.display().to_string(), String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned())
            })
            .collect();
        texts.sort();
        assert!(!texts.is_empty(), "no seeds for {target}");
        texts
    };
    for (path, query) in seeds("share_link") {
        let decoded = backprop_viz::share::decode(&query);
        assert!(Session::from_link_settings(decoded.settings, &mut Vec::new()).is_ok(), "{path} does not build");
    }
    for (path, text) in seeds("csv") {
        if let Err(e) = parse(&text, &CsvOptions::default()) {
            assert!(e.to_string().starts_with("invalid data: "), "{path}: {e}");
        }
    }
    for (path, text) in seeds("model_file") {
        if let Ok(trainer) = Trainer::from_model_json(&text) {
            let again = Trainer::from_model_json(&trainer.export_model_json()).expect("an exported model reads back");
            assert_eq!(again.export_model_json(), trainer.export_model_json(), "{path}");
        }
    }
}

#[test]
fn csv_line_endings_cr_lf_and_crlf_all_parse() {
    use backprop_viz::csv::{parse, CsvOptions};
    for text in [
        "x,y,label\r1,2,0\r3,4,1\r",
        "x,y,label\r\n1,2,0\r\n3,4,1\r\n",
        "x,y,label\n1,2,0\n3,4,1",
        "1,2,0\r\n3,4,1\r5,6,1\n",
    ] {
        let data = parse(text, &CsvOptions::default()).unwrap_or_else(|e| panic!("{text:?}: {e}"));
        assert_eq!(&data.points.coords[..4], [1.0, 2.0, 3.0, 4.0], "{text:?}");
        assert_eq!(data.points.labels[1], 1.0);
    }
    let error = parse("x,label\r1,0\r2,oops\r", &CsvOptions::default()).unwrap_err().to_string();
    assert!(error.contains("line 3"), "lines are numbered whatever ends them: {error}");
}

/// Every refusal message stays under 200 characters and prints numbers short, whatever
/// number or text caused it (`setLearningRate(0)` once gave 408 characters).
#[test]
fn refusal_messages_are_short() {
    use backprop_viz::argument::{index, Given};
    use backprop_viz::session::Session;
    let mut messages: Vec<String> = Vec::new();
    let extremes = [0.0, -0.0, f64::MIN_POSITIVE, 5e-324, -1e308, 1e308, 0.1 + 0.2, -1.0, f64::NAN, f64::INFINITY];
    let mut t = trainer();
    for &x in &extremes {
        messages.extend(t.set_learning_rate(x).err().map(|e| e.to_string()));
        messages
            .extend(t.set_parameter(ParamRef { layer: 0, neuron: 0, input: Some(0) }, x).err().map(|e| e.to_string()));
        messages.extend(t.set_dropout(0, x).err().map(|e| e.to_string()));
        let optimizer = OptimizerConfig { momentum: x, epsilon: x, ..OptimizerConfig::default() };
        messages.extend(t.set_optimizer(optimizer).err().map(|e| e.to_string()));
        messages.extend(
            t.set_regularization(Regularization { rate: x, ..Default::default() }).err().map(|e| e.to_string()),
        );
        messages.extend(index("layer", Given::Number(x), 3).err().map(|e| e.to_string()));
    }
    let zero = t.set_learning_rate(0.0).unwrap_err().to_string();
    assert_eq!(zero, "invalid network settings: the learning rate must be a number above 0 and at most 100, not 0");
    let long_text = "9".repeat(400);
    let mut session = Session::new();
    for setting in backprop_viz::settings::CATALOGUE {
        for value in [
            serde_json::json!(1e308),
            serde_json::json!(-5e-324),
            serde_json::json!(long_text),
            serde_json::json!([long_text]),
        ] {
            let mut patch = serde_json::Map::new();
            patch.insert(setting.key.to_string(), value);
            messages.extend(session.apply(&patch).err().map(|e| e.to_string()));
        }
        let query = format!("{}={long_text}.5&{}=-{long_text}", setting.key, setting.key);
        messages.extend(backprop_viz::share::decode(&query).warnings);
    }
    let csv = format!("x,label\n1,0\n{long_text}e9,1\n2,{long_text}x\n");
    messages.extend(backprop_viz::csv::parse(&csv, &Default::default()).err().map(|e| e.to_string()));
    messages.extend(
        backprop_viz::csv::parse(&format!("x,label\n1,{long_text}x\n"), &Default::default())
            .err()
            .map(|e| e.to_string()),
    );
    assert!(messages.len() > 150, "only {} messages were collected", messages.len());
    for m in &messages {
        // A number printed short has at most 12 digits; text quoted back is clipped to 24.
        let digits = m.split(|c: char| !c.is_ascii_digit()).map(str::len).max().unwrap_or(0);
        assert!(m.chars().count() < 200 && digits <= 24, "{} characters: {m}", m.chars().count());
    }
}
