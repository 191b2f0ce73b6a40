//! The model file: exact round trips, and a clear refusal of every kind of bad file.

mod common;

use backprop_viz::{
    Activation, Error, LayerConfig, Loss, NetworkConfig, OptimizerConfig, OptimizerKind, Split, Trainer,
};

fn trained_softmax_network() -> Trainer {
    let config = NetworkConfig {
        inputs: 2,
        layers: vec![
            LayerConfig::new(3, Activation::LeakyRelu),
            LayerConfig { bias: false, ..LayerConfig::new(4, Activation::Tanh) },
            LayerConfig::new(2, Activation::Softmax),
        ],
        loss: Loss::SoftmaxCrossEntropy,
        optimizer: OptimizerConfig { kind: OptimizerKind::Rmsprop, learning_rate: 0.01, ..OptimizerConfig::default() },
        seed: 42,
        ..NetworkConfig::default()
    };
    let mut trainer = Trainer::new(config).unwrap();
    trainer.set_data(Split::Train, common::XOR_INPUTS.to_vec(), vec![1.0, 0.0, 0.0, 1.0, 0.0, 1.0, 1.0, 0.0]).unwrap();
    trainer.train(25).unwrap();
    trainer
}

#[test]
fn export_then_import_gives_back_the_same_network_bit_for_bit() {
    let original = trained_softmax_network();
    let text = original.export_model_json();
    let imported = Trainer::from_model_json(&text).unwrap();
    assert_eq!(common::parameters(&imported), common::parameters(&original));
    assert_eq!(imported.export_model_json(), text);
    let (a, b) = (imported.config(), original.config());
    assert_eq!((a.loss, a.optimizer, a.layers.len()), (b.loss, b.optimizer, b.layers.len()));
    assert!(!a.layers[1].bias && a.layers[1].biases.is_none());
}

#[test]
fn the_file_is_versioned_readable_json() {
    let value: serde_json::Value = serde_json::from_str(&trained_softmax_network().export_model_json()).unwrap();
    assert_eq!(value["format"], "backprop-viz-model");
    assert_eq!(value["version"], 1);
    assert_eq!(value["network"]["layers"][2]["activation"], "softmax");
    assert_eq!(value["network"]["layers"][0]["weights"].as_array().unwrap().len(), 3);
}

/// Edits a good model file and checks that importing it fails with a message containing `needle`.
fn refused(edit: impl Fn(&mut serde_json::Value), needle: &str) {
    let mut value: serde_json::Value = serde_json::from_str(&trained_softmax_network().export_model_json()).unwrap();
    edit(&mut value);
    let error = Trainer::from_model_json(&value.to_string()).expect_err(needle);
    assert!(matches!(error, Error::InvalidModelFile(_)), "{error:?}");
    let message = error.to_string();
    assert!(message.starts_with("cannot read the model file: "), "{message}");
    assert!(message.contains(needle), "{message:?} should mention {needle:?}");
}

#[test]
fn bad_files_are_refused_with_a_message_that_names_the_problem() {
    for (text, needle) in [
        ("", "not valid JSON"),
        ("{\"format\": \"backprop-viz-model\", ", "not valid JSON"),
        ("[1, 2]", "no \"format\""),
        ("{\"format\": \"backprop-viz-model\", \"version\": 1}", "missing field `network`"),
    ] {
        let message = Trainer::from_model_json(text).expect_err(text).to_string();
        assert!(message.contains(needle), "{message:?} should mention {needle:?}");
    }
    refused(|v| v["format"] = "keras".into(), "\"keras\"");
    refused(|v| v["version"] = 3.into(), "version 3");
    refused(|v| v["version"] = "one".into(), "\"version\"");
    refused(
        |v| v["network"]["layers"][0]["activation"] = "sigmoidd".into(),
        "network.layers[0].activation: unknown variant `sigmoidd`",
    );
    refused(
        |v| v["network"]["layers"][1]["weights"][2][1] = serde_json::Value::Null,
        "network.layers[1].weights[2][1]",
    );
    refused(|v| v["network"]["layers"][1]["weights"][0] = serde_json::json!([1.0, 2.0]), "weights must be 4 rows");
    refused(|v| v["network"]["layers"][0]["biases"] = serde_json::json!([0.0]), "biases must be 3 numbers");
    refused(
        |v| v["network"]["layers"][0].as_object_mut().unwrap().remove("weights").map(drop).unwrap(),
        "layers[0] has no weights",
    );
    refused(|v| v["network"]["loss"] = "binary_cross_entropy".into(), "needs a sigmoid output layer");
    refused(|v| v["network"]["optimizer"]["learning_rate"] = (-3.0).into(), "learning rate");
    refused(|v| v["network"]["inputs"] = 3.into(), "weights must be 3 rows");
    refused(|v| v["network"]["surprise"] = true.into(), "unknown field `surprise`");
    let huge = format!(
        "{{\"format\": \"backprop-viz-model\", \"pad\": \"{}\"}}",
        " ".repeat(backprop_viz::model_file::MAX_FILE_BYTES)
    );
    assert!(Trainer::from_model_json(&huge).err().unwrap().to_string().contains("limit"));
}

#[test]
fn numbers_too_large_for_a_double_are_refused() {
    let text = trained_softmax_network().export_model_json();
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    let weight = value["network"]["layers"][0]["weights"][0][0].to_string();
    let broken = text.replacen(&weight, "1e999", 1);
    assert_ne!(broken, text);
    assert!(Trainer::from_model_json(&broken).is_err());
}

#[test]
fn the_largest_network_fits_a_model_file_and_round_trips() {
    use backprop_viz::config::{MAX_INPUTS, MAX_LAYERS, MAX_UNITS};
    let config = NetworkConfig {
        inputs: MAX_INPUTS,
        layers: vec![LayerConfig::new(MAX_UNITS, Activation::Tanh); MAX_LAYERS],
        ..NetworkConfig::default()
    };
    let original = Trainer::new(config).unwrap();
    let text = original.export_model_json();
    assert!(text.len() <= backprop_viz::model_file::MAX_FILE_BYTES, "{} bytes", text.len());
    let imported = Trainer::from_model_json(&text).unwrap();
    assert_eq!(common::parameters(&imported), common::parameters(&original));
}
