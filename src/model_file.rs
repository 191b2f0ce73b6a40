//! The model file: a versioned JSON document holding a network's settings and weights.
//!
//! ```json
//! { "format": "backprop-viz-model", "version": 1,
//!   "network": { "inputs": 2, "layers": [ { "units": 2, "activation": "sigmoid", "bias": true,
//!                "weights": [[0.1, 0.2], [0.3, 0.4]], "biases": [0, 0] }, … ],
//!                "loss": "squared_error", "optimizer": { … }, … } }
//! ```
//! `network` is a config (see `config`) whose every layer has its weights (and biases, when
//! the bias is on). Numbers are written in shortest round-trip form, so export and import
//! give back the same bits. Import checks everything before building anything.

use crate::config::{parse_json, NetworkConfig};
use crate::error::{Error, Result};
use crate::network::Network;
use serde::{Deserialize, Serialize};

pub const FORMAT: &str = "backprop-viz-model";
pub const VERSION: u32 = 1;
/// Larger files are refused before parsing (the largest network, 16 layers of 256, writes about
/// 36 MB).
pub const MAX_FILE_BYTES: usize = 64 * 1024 * 1024;

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ModelFile {
    format: String,
    version: u32,
    network: NetworkConfig,
}

/// The model file of `network`, built from `config`.
pub fn export(config: &NetworkConfig, network: &Network) -> String {
    let mut config = config.clone();
    for (lc, layer) in config.layers.iter_mut().zip(&network.layers) {
        lc.weights = Some(layer.weights.chunks(layer.inputs).map(<[f64]>::to_vec).collect());
        lc.biases = layer.has_bias.then(|| layer.biases.clone());
    }
    let file = ModelFile { format: FORMAT.into(), version: VERSION, network: config };
    serde_json::to_string_pretty(&file).expect("a model always serializes")
}

/// Reads and checks a model file; returns its config, weights included.
pub fn import(text: &str) -> Result<NetworkConfig> {
    let bad = |why: String| Err(Error::InvalidModelFile(why));
    if text.len() > MAX_FILE_BYTES {
        return bad(format!("the file is {} bytes, more than the limit of {MAX_FILE_BYTES}", text.len()));
    }
    let value: serde_json::Value = match serde_json::from_str(text) {
        Ok(value) => value,
        Err(e) => return bad(format!("it is not valid JSON ({e})")),
    };
    match value.get("format").and_then(|f| f.as_str()) {
        Some(FORMAT) => {}
        Some(other) => return bad(format!("its format is \"{other}\", not \"{FORMAT}\"")),
        None => return bad(format!("it has no \"format\": \"{FORMAT}\" field, so it is not a backprop-viz model")),
    }
    match value.get("version").and_then(|v| v.as_u64()) {
        Some(v) if v == u64::from(VERSION) => {}
        Some(v) => return bad(format!("it is version {v}, and this version of backprop-viz reads version {VERSION}")),
        None => return bad("it has no whole-number \"version\" field".into()),
    }
    let file: ModelFile = parse_json(text).map_err(Error::InvalidModelFile)?;
    let config = file.network;
    config.validate().map_err(|e| match e {
        Error::InvalidConfig(why) => Error::InvalidModelFile(why),
        other => other,
    })?;
    for (index, layer) in config.layers.iter().enumerate() {
        if layer.weights.is_none() {
            return bad(format!("network.layers[{index}] has no weights"));
        }
        if layer.bias && layer.biases.is_none() {
            return bad(format!("network.layers[{index}] has its bias on but no biases"));
        }
    }
    Ok(config)
}
