//! The model file: a versioned JSON document holding a network's settings and weights.
//!
//! ```json
//! { "format": "backprop-viz-model", "version": 1,
//!   "network": { "inputs": 2, "layers": [ { "units": 2, "activation": "sigmoid", "bias": true,
//!                "weights": [[0.1, 0.2], [0.3, 0.4]], "biases": [0, 0] }, … ],
//!                "loss": "squared_error", "optimizer": { … }, … } }
//! ```
//! `network` is a config (see `config`) whose every layer has its weights (and biases, when
//! the bias is on); a convolution's weights are one kernel per output channel, and pooling
//! and flatten layers have none. Numbers are written in shortest round-trip form, so export and import
//! give back the same bits. Import checks everything before building anything.

use crate::config::{parse_json, NetworkConfig};
use crate::error::{Error, Result};
use crate::network::Network;
use serde::{Deserialize, Serialize};

pub const FORMAT: &str = "backprop-viz-model";
/// Version 1 holds a network; version 2 also a whole session beside it (see `session`).
pub const VERSION: u32 = 2;
/// Larger files are refused before parsing (the largest network, 16 layers of 256, writes about
/// 36 MB).
pub const MAX_FILE_BYTES: usize = 64 * 1024 * 1024;

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ModelFile<S> {
    format: String,
    version: u32,
    network: NetworkConfig,
    #[serde(default = "none", skip_serializing_if = "Option::is_none")]
    session: Option<S>,
}

fn none<S>() -> Option<S> {
    None
}

/// The model file of `network`, built from `config` (version 1: the network alone).
pub fn export(config: &NetworkConfig, network: &Network) -> String {
    let mut config = config.clone();
    for (lc, layer) in config.layers.iter_mut().zip(&network.layers) {
        lc.weights = layer.weights_by_row();
        lc.biases = layer.biases_given();
    }
    export_with::<()>(&config, None)
}

/// The model file of a config that carries its weights, with a session beside it (version 2)
/// or without (version 1).
pub fn export_with<S: Serialize>(config: &NetworkConfig, session: Option<&S>) -> String {
    let version = if session.is_some() { 2 } else { 1 };
    let file = ModelFile { format: FORMAT.into(), version, network: config.clone(), session };
    serde_json::to_string_pretty(&file).expect("a model always serializes")
}

/// Reads and checks a model file; returns its config, weights included.
pub fn import(text: &str) -> Result<NetworkConfig> {
    import_with::<serde::de::IgnoredAny>(text).map(|(config, _)| config)
}

/// Reads and checks a model file; returns its config and the session beside it, if any.
pub fn import_with<S: serde::de::DeserializeOwned>(text: &str) -> Result<(NetworkConfig, Option<S>)> {
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
        Some(1 | 2) => {}
        Some(v) => return bad(format!("it is version {v}, and this version of backprop-viz reads versions 1 and 2")),
        None => return bad("it has no whole-number \"version\" field".into()),
    }
    let file: ModelFile<S> = parse_json(text).map_err(Error::InvalidModelFile)?;
    if file.version == 1 && file.session.is_some() {
        return bad("a version 1 file holds no session".into());
    }
    let config = file.network;
    config.validate().map_err(|e| match e {
        Error::InvalidConfig(why) => Error::InvalidModelFile(why),
        other => other,
    })?;
    for (index, layer) in config.layers.iter().enumerate() {
        // Pooling and flatten layers have no parameters to carry.
        if !layer.kind.has_parameters() {
            continue;
        }
        if layer.weights.is_none() {
            return bad(format!("network.layers[{index}] has no weights"));
        }
        if layer.bias && layer.biases.is_none() {
            return bad(format!("network.layers[{index}] has its bias on but no biases"));
        }
    }
    Ok((config, file.session))
}
