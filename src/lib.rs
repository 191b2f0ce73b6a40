//! backprop-viz: a step-by-step backpropagation engine.
//!
//! The core (every module but `wasm`) is plain Rust with no knowledge of the browser; `wasm`
//! is the JavaScript face. Start at `Trainer`: build it from a `NetworkConfig` (or a model
//! file), give it data, then run it one phase, one step, or n steps at a time and read every
//! intermediate array from its `Network`.

pub mod activation;
pub mod argument;
pub mod autoencoder;
pub mod chain_rule;
pub mod checkpoint;
pub mod computation_graph;
pub mod config;
pub mod conjugate_gradient;
pub mod csv;
pub mod data;
pub mod dataset;
pub mod digits;
pub mod edges;
pub mod elementary;
pub mod error;
pub mod features;
pub mod generators;
pub mod gradient_check;
pub mod history;
pub mod initializer;
pub mod json_path;
pub mod lanes;
pub mod layers;
pub mod loss;
pub mod metrics;
pub mod model_file;
pub mod network;
pub mod notation;
pub mod optimizer;
pub mod phase;
pub mod points;
pub mod preprocessing;
pub mod presets;
pub mod regularization;
pub mod rng;
pub mod schedule;
pub mod sequences;
pub mod session;
pub mod settings;
pub mod share;
pub mod snapshot;
pub mod tour;
pub mod trainer;
pub mod undo;
pub mod wasm;
pub mod wasm_argument;
pub mod wasm_chart;
pub mod wasm_data;
pub mod wasm_session;

pub use activation::Activation;
pub use chain_rule::{ChainRule, OptimizerNumbers, ParamRef};
pub use config::{LayerConfig, NetworkConfig};
pub use error::{DivergenceRule, Error, Result};
pub use gradient_check::GradientCheck;
pub use initializer::{Initializer, InitializerKind};
pub use loss::{Loss, Reduction};
pub use network::{Layer, Network};
pub use optimizer::{OptimizerConfig, OptimizerKind, OptimizerScalars};
pub use phase::Phase;
pub use regularization::{Regularization, RegularizationKind};
pub use trainer::{Split, Trainer};
