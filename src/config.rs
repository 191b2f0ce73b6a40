//! The settings that define a network and how it trains, and the limits they must respect.
//!
//! A config is plain data (JSON on the wire): `inputs`, then `layers` (the hidden layers and
//! last the output layer, each with its units, activation, bias switch and optionally weights
//! given by hand, and its `kind`: dense by default, or a convolution, pooling or flatten layer
//! over the feature maps `input_shape` describes; see `layers::kind`), the loss and its batch reduction, the initializer, the optimizer, the
//! regularization, the batch size, whether to shuffle each epoch, and the seed.
//!
//! In words (messages, the page) layers are numbered as in textbooks: the inputs are layer 0,
//! so `layers[0]` is layer 1 and its weight matrix W¹ connects the inputs to it. In code and in
//! the JS API a layer is its index in `layers`, from 0. Weights given by hand are written
//! `weights[j][i]`: from input (or neuron) i of the layer before to neuron j of this layer.

use crate::activation::Activation;
use crate::error::{Error, Result};
use crate::initializer::Initializer;
use crate::layers::kind::{LayerKind, Returns};
use crate::layers::{Dimensions, Shape};
use crate::loss::{Loss, Reduction};
use crate::optimizer::OptimizerConfig;
use crate::regularization::Regularization;
use crate::schedule::Schedule;
use serde::{Deserialize, Serialize};

/// Inputs of a network, and coordinates of a point: enough for the 8×8 digits (64) and a 16×16 image.
pub const MAX_INPUTS: usize = 256;
/// Neurons in any one layer, hidden or output.
pub const MAX_UNITS: usize = 256;
/// Neurons in a hidden layer (the same as any layer's).
pub const MAX_HIDDEN_UNITS: usize = MAX_UNITS;
/// Neurons in the output layer: an autoencoder of 256 inputs reproduces 256 values.
pub const MAX_OUTPUTS: usize = MAX_UNITS;
/// Layers with weights, the output layer included (the inputs, layer 0, are not counted):
/// layers 1 to 16, so at most 15 hidden layers.
pub const MAX_LAYERS: usize = 16;
/// Hidden layers: every layer but the output layer.
pub const MAX_HIDDEN_LAYERS: usize = MAX_LAYERS - 1;
/// The largest data set accepted, in samples.
pub const MAX_SAMPLES: usize = 100_000;
/// The most neuron values one batch may hold: batch size × the neurons of all layers. Each of
/// z, a, δ, dL/da and the dropout mask holds this many numbers, so this bounds the memory a
/// batch takes (about 1.3 GB at the limit); every network of the old limits (8 layers of 32)
/// fits it with a batch of 100,000.
pub const MAX_BATCH_VALUES: usize = 1 << 25;
/// A CSV label column of whole numbers 0 … k−1 is read as k classes when k is at most this,
/// unless a task is asked for (a classification may have up to `MAX_OUTPUTS` classes).
pub const CSV_AUTO_MAX_CLASSES: usize = 8;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LayerConfig {
    /// A dense layer's neurons; left out (0) for the other kinds, whose size follows from
    /// their input (or equal to that size).
    #[serde(default)]
    pub units: usize,
    pub activation: Activation,
    #[serde(default = "default_true")]
    pub bias: bool,
    /// `weights[j][i]`: from input i of the layer before to neuron j; replaces the initializer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weights: Option<Vec<Vec<f64>>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub biases: Option<Vec<f64>>,
    /// The probability of dropping each neuron while training (hidden layers only).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub dropout: f64,
    /// Dense (the default), convolution, pooling or flatten (`LayerKind`).
    #[serde(default, skip_serializing_if = "LayerKind::is_dense")]
    pub kind: LayerKind,
}

fn is_zero(x: &f64) -> bool {
    *x == 0.0
}

impl LayerConfig {
    /// A layer of another kind: its size follows from its input.
    pub fn of_kind(kind: LayerKind, activation: Activation) -> LayerConfig {
        LayerConfig { kind, ..LayerConfig::new(0, activation) }
    }

    pub fn new(units: usize, activation: Activation) -> LayerConfig {
        LayerConfig { kind: LayerKind::Dense, units, activation, bias: true, weights: None, biases: None, dropout: 0.0 }
    }
}

/// When training stops by itself (checked at the end of each epoch); 0 means never.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StopRule {
    /// Stop after this many epochs.
    pub after_epochs: u64,
    /// Stop when the loss over the whole training set falls below this.
    pub below_loss: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NetworkConfig {
    pub inputs: usize,
    /// Hidden layers, then the output layer.
    pub layers: Vec<LayerConfig>,
    #[serde(default = "default_loss")]
    pub loss: Loss,
    #[serde(default)]
    pub reduction: Reduction,
    #[serde(default)]
    pub initializer: Initializer,
    #[serde(default)]
    pub optimizer: OptimizerConfig,
    #[serde(default)]
    pub regularization: Regularization,
    #[serde(default)]
    pub schedule: Schedule,
    #[serde(default)]
    pub stop: StopRule,
    #[serde(default = "default_batch_size")]
    pub batch_size: usize,
    /// Shuffle the training data at the start of every epoch.
    #[serde(default = "default_true")]
    pub shuffle: bool,
    #[serde(default)]
    pub seed: u32,
    /// The inputs as feature maps (channels × height × width, as many values as `inputs`), for
    /// a convolution or pooling first layer; left out, they are a 1-D signal of one channel.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_shape: Option<Shape>,
}

fn default_true() -> bool {
    true
}
fn default_loss() -> Loss {
    Loss::SquaredError
}
fn default_batch_size() -> usize {
    10
}

impl Default for NetworkConfig {
    /// XOR-sized: 2 → 4 tanh → 1 sigmoid, squared error, SGD.
    fn default() -> Self {
        NetworkConfig {
            inputs: 2,
            input_shape: None,
            layers: vec![LayerConfig::new(4, Activation::Tanh), LayerConfig::new(1, Activation::Sigmoid)],
            loss: Loss::SquaredError,
            reduction: Reduction::Mean,
            initializer: Initializer::default(),
            optimizer: OptimizerConfig::default(),
            regularization: Regularization::default(),
            schedule: Schedule::default(),
            stop: StopRule::default(),
            batch_size: default_batch_size(),
            shuffle: true,
            seed: 0,
        }
    }
}

/// "layer 2 (the output layer)" for index 1 of 2 layers: the words every message uses.
pub fn layer_name(index: usize, layer_count: usize) -> String {
    if index + 1 == layer_count {
        format!("layer {} (the output layer)", index + 1)
    } else {
        format!("layer {} (hidden)", index + 1)
    }
}

impl NetworkConfig {
    /// Parses a config from JSON; the error names the field at fault.
    pub fn from_json(text: &str) -> Result<NetworkConfig> {
        parse_json(text).map_err(Error::InvalidConfig)
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a config always serializes")
    }

    pub fn output_units(&self) -> usize {
        match self.layers.last() {
            Some(l) if l.kind.is_dense() => l.units,
            // A per-step readout: outputs × T.
            Some(_) => self.layer_shapes().ok().and_then(|s| s.last().map(Shape::len)).unwrap_or(0),
            None => 0,
        }
    }

    /// The neurons of all layers together (the inputs not counted): the values of the maps
    /// for a convolution, pooling or flatten layer (as `layer_shapes` gives them, when they fit).
    pub fn total_units(&self) -> usize {
        let dense = || self.layers.iter().map(|l| l.units).sum();
        if self.layers.iter().all(|l| l.kind.is_dense()) {
            return dense();
        }
        // A recurrent layer also keeps its states through time: T × its units.
        let through_time = |l: &LayerConfig, input: Shape| match l.kind {
            LayerKind::Recurrent { .. } => l.units * input.width,
            _ => 0,
        };
        let first = self.input_shape.unwrap_or(Shape::one_d(1, self.inputs));
        self.layer_shapes().map_or_else(
            |_| dense(),
            |shapes| {
                let inputs = std::iter::once(first).chain(shapes.iter().copied());
                self.layers.iter().zip(inputs).zip(&shapes).map(|((l, i), o)| o.len().max(through_time(l, i))).sum()
            },
        )
    }

    /// Checks every limit and every consistency rule; the error says which and why.
    pub fn validate(&self) -> Result<()> {
        let bad = |why: String| Err(Error::InvalidConfig(why));
        if !(1..=MAX_INPUTS).contains(&self.inputs) {
            return bad(format!("the network needs 1 to {MAX_INPUTS} inputs, not {}", self.inputs));
        }
        if self.layers.is_empty() {
            return bad("the network needs at least an output layer".into());
        }
        if self.layers.len() > MAX_LAYERS {
            return bad(format!(
                "at most {MAX_LAYERS} layers (up to {MAX_HIDDEN_LAYERS} hidden layers and the output layer) are allowed, not {}",
                self.layers.len()
            ));
        }
        let count = self.layers.len();
        let shapes = self.layer_shapes()?;
        for (index, layer) in self.layers.iter().enumerate() {
            if !layer.kind.is_dense() {
                continue; // checked by `layer_shapes`
            }
            let fan_in = if index == 0 { self.inputs } else { shapes[index - 1].len() };
            let name = layer_name(index, count);
            let is_output = index + 1 == count;
            let max = if is_output { MAX_OUTPUTS } else { MAX_HIDDEN_UNITS };
            if !(1..=max).contains(&layer.units) {
                return bad(format!("{name} needs 1 to {max} neurons, not {}", layer.units));
            }
            if layer.activation == Activation::Softmax && !is_output {
                return bad(format!("{name}: softmax can only be the output layer's activation"));
            }
            if layer.activation == Activation::Softmax && layer.units < 2 {
                return bad(format!("{name}: softmax needs at least 2 output neurons (with one it always outputs 1)"));
            }
            crate::error::check_range(&format!("{name}: dropout"), layer.dropout, 0.0, 0.9)?;
            if is_output && layer.dropout > 0.0 {
                return bad(format!("{name}: dropout is for hidden layers, not the output layer"));
            }
            if let Some(weights) = &layer.weights {
                if weights.len() != layer.units || weights.iter().any(|row| row.len() != fan_in) {
                    return bad(format!(
                        "{name}: weights must be {} rows (one per neuron) of {fan_in} numbers (one per input)",
                        layer.units
                    ));
                }
                if let Some((j, i)) = find_non_finite(weights) {
                    return bad(format!("{name}: weight [{j}][{i}] is not a finite number"));
                }
            }
            if let Some(biases) = &layer.biases {
                if !layer.bias {
                    return bad(format!("{name} has its bias switched off but biases are given"));
                }
                if biases.len() != layer.units {
                    return bad(format!("{name}: biases must be {} numbers, one per neuron", layer.units));
                }
                if let Some(j) = biases.iter().position(|b| !b.is_finite()) {
                    return bad(format!("{name}: bias [{j}] is not a finite number"));
                }
            }
        }
        let output = self.layers[count - 1].activation;
        if let Some(required) = self.loss.required_output() {
            if output != required {
                return bad(format!(
                    "{} needs a {} output layer, but the output layer uses {}",
                    self.loss.name(),
                    required.name(),
                    output.name()
                ));
            }
        }
        if !(1..=MAX_SAMPLES).contains(&self.batch_size) {
            return bad(format!("the batch size must be 1 to {MAX_SAMPLES}, not {}", self.batch_size));
        }
        check_batch_values(self.batch_size, self.total_units()).map_err(Error::InvalidConfig)?;
        self.initializer.validate()?;
        self.optimizer.validate()?;
        self.schedule.validate()?;
        crate::error::check_range("the stopping loss", self.stop.below_loss, 0.0, 1e9)?;
        self.regularization.validate()?;
        self.check_optimizer_fits(&self.optimizer)?;
        Ok(())
    }

    /// Refuses an optimizer the layers cannot train with: conjugate gradient's line search
    /// runs dense layers only, so it names the first layer of another kind.
    pub fn check_optimizer_fits(&self, optimizer: &OptimizerConfig) -> Result<()> {
        if optimizer.kind != crate::optimizer::OptimizerKind::Cg {
            return Ok(());
        }
        match self.layers.iter().position(|l| !l.kind.is_dense()) {
            Some(index) => Err(Error::InvalidConfig(format!(
                "conjugate gradient trains dense layers only, and {} is a {} layer: choose another optimizer",
                layer_name(index, self.layers.len()),
                self.layers[index].kind.name()
            ))),
            None => Ok(()),
        }
    }

    /// The maps each layer hands on, layer by layer, checking what the layer kinds require:
    /// `input_shape` holds `inputs` values; a convolution, pooling or flatten layer fits its
    /// input, is not the output layer, has no dropout, and has weights given by hand only in
    /// its own shape; a dense layer takes a vector (a flatten layer before it reads maps as one).
    pub fn layer_shapes(&self) -> Result<Vec<Shape>> {
        let bad = |why: String| Err(Error::InvalidConfig(why));
        let mut shape = match self.input_shape {
            Some(given) if given.len() != self.inputs => {
                return bad(format!(
                    "the input shape {} × {} × {} holds {} values, but the network has {} inputs",
                    given.channels,
                    given.height,
                    given.width,
                    given.len(),
                    self.inputs
                ));
            }
            Some(given) => given,
            None => Shape::one_d(1, self.inputs),
        };
        let count = self.layers.len();
        let mut shapes = Vec::with_capacity(count);
        for (index, layer) in self.layers.iter().enumerate() {
            let name = layer_name(index, count);
            let kind = layer.kind.name();
            if layer.kind.is_dense() {
                if shape.channels != 1 || shape.height != 1 {
                    return bad(format!(
                        "{name} is dense but its input is {} × {} × {} feature maps: put a flatten layer before it",
                        shape.channels, shape.height, shape.width
                    ));
                }
                shape = Shape::one_d(1, layer.units);
                shapes.push(shape);
                continue;
            }
            if index + 1 == count && !is_step_readout(layer, self.layers.get(index.wrapping_sub(1))) {
                return bad(format!(
                    "{name} is a {kind} layer: the output layer must be dense (or, after a recurrent layer that returns its sequence, a 1-D convolution of kernel size 1 that reads out every step)"
                ));
            }
            if layer.dropout != 0.0 {
                return bad(format!("{name}: dropout is for dense layers, not a {kind} layer"));
            }
            let takes_activation = matches!(layer.kind, LayerKind::Convolution { .. } | LayerKind::Recurrent { .. });
            if !takes_activation && layer.activation != Activation::Identity {
                return bad(format!(
                    "{name}: a {kind} layer has no activation of its own: write identity, not {}",
                    layer.activation.name()
                ));
            }
            let output = layer.kind.output_shape(shape, layer.units, layer.activation).map_err(|e| match e {
                Error::InvalidConfig(why) => Error::InvalidConfig(format!("{name}: {why}")),
                other => other,
            })?;
            let names_units = matches!(layer.kind, LayerKind::Recurrent { .. });
            if !names_units && layer.units != 0 && layer.units != output.len() {
                return bad(format!(
                    "{name}: a {kind} layer hands on {} values here, not {} (leave units out)",
                    output.len(),
                    layer.units
                ));
            }
            match (layer.kind.weight_rows(shape, layer.units), &layer.weights) {
                (None, Some(_)) => return bad(format!("{name}: a {kind} layer has no weights to give")),
                (Some((rows, per_row)), Some(weights))
                    if weights.len() != rows || weights.iter().any(|row| row.len() != per_row) =>
                {
                    let row = if names_units {
                        "one per hidden unit: its weights from x_t, then from h_(t−1)"
                    } else {
                        "one kernel per output channel"
                    };
                    return bad(format!("{name}: weights must be {rows} rows ({row}) of {per_row} numbers"));
                }
                (_, Some(weights)) => {
                    if let Some((j, i)) = find_non_finite(weights) {
                        return bad(format!("{name}: weight [{j}][{i}] is not a finite number"));
                    }
                }
                (_, None) => {}
            }
            if let Some(biases) = &layer.biases {
                let (count, each) = match layer.kind {
                    LayerKind::Convolution { channels, .. } => (channels, "output channel"),
                    LayerKind::Recurrent { .. } => (layer.units, "hidden unit"),
                    _ => return bad(format!("{name}: a {kind} layer has no biases to give")),
                };
                if !layer.bias || biases.len() != count || biases.iter().any(|b| !b.is_finite()) {
                    return bad(format!(
                        "{name}: biases must be {count} finite numbers, one per {each}, with the bias on"
                    ));
                }
            }
            shape = output;
            shapes.push(shape);
        }
        Ok(shapes)
    }
}

/// Whether `layer`, after `before`, reads out every step of a recurrent sequence: a 1-D
/// convolution of kernel size 1 (ŷ_t = V·h_t + c at each t), which may then be the output layer
/// so that the loss scores every step. Softmax would mix the steps, so it is not one.
fn is_step_readout(layer: &LayerConfig, before: Option<&LayerConfig>) -> bool {
    let readout = matches!(layer.kind, LayerKind::Convolution { dimensions: Dimensions::One, kernel_size: 1, .. });
    let after_sequence =
        before.is_some_and(|l| matches!(l.kind, LayerKind::Recurrent { returns: Returns::Sequence, .. }));
    readout && after_sequence && layer.activation != Activation::Softmax
}

/// Checks that `rows` samples of a network of `total_units` neurons fit `MAX_BATCH_VALUES`.
pub(crate) fn check_batch_values(rows: usize, total_units: usize) -> std::result::Result<(), String> {
    if rows.saturating_mul(total_units) <= MAX_BATCH_VALUES {
        Ok(())
    } else {
        Err(format!(
            "{rows} samples × {total_units} neurons is more than the {MAX_BATCH_VALUES} neuron values a batch may hold: use a smaller batch or network"
        ))
    }
}

fn find_non_finite(rows: &[Vec<f64>]) -> Option<(usize, usize)> {
    rows.iter().enumerate().find_map(|(j, row)| row.iter().position(|w| !w.is_finite()).map(|i| (j, i)))
}

/// Applies the fields of a JSON object over `current` (fields left out keep their value), so
/// `{"kind": "adam"}` changes the optimizer and keeps the learning rate.
pub(crate) fn merge_json<T: Serialize + serde::de::DeserializeOwned>(
    current: &T,
    patch: &str,
) -> std::result::Result<T, String> {
    let patch: serde_json::Value = parse_json(patch)?;
    let serde_json::Value::Object(fields) = patch else {
        return Err("expected an object of settings".into());
    };
    let mut merged = serde_json::to_value(current).map_err(|e| e.to_string())?;
    if let serde_json::Value::Object(target) = &mut merged {
        target.extend(fields);
    }
    parse_json(&merged.to_string())
}

/// serde's "unknown field `x`, expected one of `a`, `b`, …" with as many of the expected
/// fields as fit in `limit` characters (a message stays short; the first fields are the
/// common ones).
fn shorten_field_list(why: &str, limit: usize) -> String {
    const EXPECTED: &str = ", expected one of ";
    let Some(at) = why.find(EXPECTED).filter(|_| why.chars().count() > limit) else {
        return why.to_string();
    };
    let mut text = why[..at + EXPECTED.len()].to_string();
    for (k, field) in why[at + EXPECTED.len()..].split(", ").enumerate() {
        if text.chars().count() + field.chars().count() + 5 > limit {
            text.push_str(", …");
            break;
        }
        if k > 0 {
            text.push_str(", ");
        }
        text.push_str(field);
    }
    text
}

/// Deserializes JSON and reports errors as "path: problem", in words a student can act on.
/// The path comes from where serde_json stopped (`json_path`), so each type is compiled for
/// one deserializer only.
pub(crate) fn parse_json<T: serde::de::DeserializeOwned>(text: &str) -> std::result::Result<T, String> {
    serde_json::from_str(text).map_err(|e| {
        let mut why = crate::error::clip_quoted(&e.to_string());
        // An error about an object itself names the object, not the field read last.
        let about_the_object = why.starts_with("missing field") || why.starts_with("unknown field");
        let offset = crate::json_path::offset_of(text, e.line(), e.column());
        let path = if e.is_data() { crate::json_path::path_at(text, offset, about_the_object) } else { String::new() };
        if why.starts_with("invalid type: null, expected f64") {
            why = "a number is missing or is not finite (NaN and Infinity are written as null in JSON)".into();
        }
        why = shorten_field_list(&why, 140);
        if path.is_empty() {
            why
        } else {
            format!("{path}: {why}")
        }
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_unknown_field_lists_as_many_expected_fields_as_fit() {
        let why = super::parse_json::<super::NetworkConfig>(r#"{"every_epochs": 1}"#).unwrap_err();
        assert!(why.starts_with("unknown field `every_epochs`, expected one of `inputs`, `layers`"), "{why}");
        assert!(why.ends_with(", …") && why.chars().count() < 160, "{why}");
    }

    use super::*;

    #[test]
    fn defaults_fill_in_what_is_left_out() {
        let c = NetworkConfig::from_json(r#"{"inputs":2,"layers":[{"units":1,"activation":"sigmoid"}]}"#).unwrap();
        assert_eq!(c.batch_size, 10);
        assert!(c.layers[0].bias);
        assert_eq!(c.loss, Loss::SquaredError);
        c.validate().unwrap();
        assert_eq!(NetworkConfig::from_json(&c.to_json()).unwrap(), c);
    }

    #[test]
    fn errors_name_the_field_at_fault() {
        let e = NetworkConfig::from_json(r#"{"inputs":2,"layers":[{"units":1,"activation":"sigmoidd"}]}"#).unwrap_err();
        let text = e.to_string();
        assert!(text.contains("layers[0].activation") && text.contains("sigmoidd"), "{text}");
        let e = NetworkConfig::from_json(r#"{"inputs":2,"layers":[],"colour":3}"#).unwrap_err();
        assert!(e.to_string().contains("colour"), "{e}");
        let e =
            NetworkConfig::from_json(r#"{"inputs":2,"layers":[{"units":1,"activation":"relu","weights":[[1,null]]}]}"#)
                .unwrap_err();
        assert!(e.to_string().contains("layers[0].weights[0][1]") && e.to_string().contains("not finite"), "{e}");
    }

    #[test]
    fn the_largest_network_is_accepted() {
        // 256 inputs, 15 hidden layers of 256 and an output layer of 256: every limit at its edge.
        let c = NetworkConfig {
            inputs: MAX_INPUTS,
            layers: vec![LayerConfig::new(MAX_UNITS, Activation::Relu); MAX_LAYERS],
            batch_size: MAX_BATCH_VALUES / (MAX_LAYERS * MAX_UNITS),
            ..NetworkConfig::default()
        };
        c.validate().unwrap();
        assert_eq!((MAX_HIDDEN_LAYERS, MAX_HIDDEN_UNITS, MAX_OUTPUTS), (15, 256, 256));
        let one = NetworkConfig { inputs: 1, layers: vec![LayerConfig::new(1, Activation::Sigmoid)], ..c };
        one.validate().unwrap();
        // The old largest network with the largest batch still fits.
        let old = NetworkConfig {
            inputs: 8,
            layers: [vec![LayerConfig::new(32, Activation::Relu); 8], vec![LayerConfig::new(8, Activation::Sigmoid)]]
                .concat(),
            batch_size: MAX_SAMPLES,
            ..NetworkConfig::default()
        };
        old.validate().unwrap();
    }

    #[test]
    fn limits_and_rules_are_enforced() {
        let check = |edit: &dyn Fn(&mut NetworkConfig), needle: &str| {
            let mut c = NetworkConfig::default();
            edit(&mut c);
            let e = c.validate().expect_err(needle).to_string();
            assert!(e.contains(needle), "{e} should contain {needle}");
        };
        check(&|c| c.inputs = 0, "1 to 256 inputs");
        check(&|c| c.inputs = 257, "1 to 256 inputs");
        check(&|c| c.layers[0].units = 0, "layer 1 (hidden) needs 1 to 256 neurons, not 0");
        check(&|c| c.layers[0].units = 257, "layer 1 (hidden) needs 1 to 256 neurons, not 257");
        check(&|c| c.layers[1].units = 257, "layer 2 (the output layer) needs 1 to 256 neurons, not 257");
        check(
            &|c| c.layers = vec![LayerConfig::new(2, Activation::Tanh); 17],
            "at most 16 layers (up to 15 hidden layers and the output layer) are allowed, not 17",
        );
        check(
            &|c| {
                c.layers = vec![LayerConfig::new(256, Activation::Tanh); 16];
                c.batch_size = 8193;
            },
            "8193 samples × 4096 neurons is more than the 33554432 neuron values a batch may hold",
        );
        check(&|c| c.layers.clear(), "at least an output layer");
        check(&|c| c.layers[0].activation = Activation::Softmax, "softmax can only be");
        check(&|c| c.loss = Loss::SoftmaxCrossEntropy, "needs a softmax output layer");
        check(&|c| c.layers[0].weights = Some(vec![vec![1.0; 3]; 4]), "weights must be 4 rows");
        check(&|c| c.layers[0].weights = Some(vec![vec![f64::NAN; 2]; 4]), "weight [0][0] is not a finite number");
        check(&|c| c.layers[1].biases = Some(vec![0.0, 1.0]), "biases must be 1 numbers");
        check(
            &|c| {
                c.layers[1].bias = false;
                c.layers[1].biases = Some(vec![0.0]);
            },
            "bias switched off",
        );
        check(&|c| c.batch_size = 0, "batch size");
        check(&|c| c.layers[0].dropout = 0.95, "layer 1 (hidden): dropout");
        check(&|c| c.layers[1].dropout = 0.5, "dropout is for hidden layers");
        check(&|c| c.optimizer.learning_rate = -1.0, "learning rate");
        check(&|c| c.regularization.rate = f64::INFINITY, "regularization rate");
    }
}
