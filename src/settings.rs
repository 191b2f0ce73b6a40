//! The settings of a session, and their catalogue: one row per setting, with its type, range,
//! default, choices, label, help text, and what changing it does.
//!
//! The catalogue is the one place a setting is described. The page builds its controls from
//! it, links read and write settings through it (`share`), and `Session::apply` patches
//! settings through it, so adding a setting is one row in `CATALOGUE`:
//!
//! ```text
//! row!("beta1", Training, "β₁", "Adam: how much of the last gradients the mean remembers",
//!      number(0.0, 0.999_999, Field(0.01)), Live, network.optimizer.beta1, shown: adam)
//! ```
//!
//! A value crosses as JSON (`serde_json::Value`): a number, an integer, a string naming a
//! choice, a bool, a list of feature names, or the list of layers. Each kind checks its own
//! range, so a refused value names the setting and the range in words.

use crate::activation::Activation;
use crate::config::{LayerConfig, NetworkConfig, MAX_HIDDEN_LAYERS, MAX_HIDDEN_UNITS, MAX_SAMPLES};
use crate::data::Target;
use crate::error::{clip, short};
use crate::features::Feature;
use crate::generators::{DataSpec, Problem};
use crate::initializer::InitializerKind;
use crate::layers::kind::LayerKind;
use crate::loss::Loss;
use crate::optimizer::{OptimizerKind, MAX_LEARNING_RATE, MAX_LINE_SEARCH_TRIALS};
use crate::points::Points;
use crate::preprocessing::Scaling;
use crate::regularization::RegularizationKind;
use crate::schedule::ScheduleKind;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// Points given by hand (drawn or from a file) rather than generated.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SharedPoints {
    pub dims: usize,
    pub classes: usize,
    pub coords: Vec<f64>,
    pub labels: Vec<f64>,
    /// How many of the points (the first ones) are for training, the rest for testing; when
    /// absent, the points are split with the data's test ratio and seed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub train: Option<usize>,
}

impl SharedPoints {
    /// The (training, test) points.
    pub fn split(&self, test_ratio: f64, seed: u32) -> crate::error::Result<(Points, Points)> {
        let points = Points::new(self.dims, self.coords.clone(), self.labels.clone(), self.classes)?;
        Ok(match self.train {
            Some(train) => {
                let train = train.min(points.len());
                (
                    points.select(&(0..train).collect::<Vec<_>>()),
                    points.select(&(train..points.len()).collect::<Vec<_>>()),
                )
            }
            None => points.split(test_ratio, seed),
        })
    }
}

/// What is drawn besides the numbers: switches a link keeps.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ViewSettings {
    /// Test points on the output plane.
    pub show_test: bool,
    /// Each neuron's map of its output over the input plane.
    pub heatmaps: bool,
    /// The loss chart's y axis on a log scale.
    pub log_scale: bool,
    /// Presenter mode: the settings panel hidden, the network filling the screen.
    pub present: bool,
    /// The settings panel shown (outside presenter mode).
    pub sidebar: bool,
    /// A factor on every text size of the network view (for the back row).
    pub text_size: f64,
    /// The panels presenter mode keeps beside the network.
    pub panel_output: bool,
    pub panel_loss: bool,
    pub panel_gradients: bool,
    pub panel_inspector: bool,
    /// The computation graph of the shown sample in place of the layer view.
    pub graph: bool,
    /// The tour's checkpoints show their answers (an instructor's demo; link `answers=1`).
    pub answers: bool,
}

impl Default for ViewSettings {
    fn default() -> Self {
        ViewSettings {
            show_test: false,
            heatmaps: true,
            log_scale: false,
            present: false,
            sidebar: true,
            text_size: 1.0,
            panel_output: true,
            panel_loss: true,
            panel_gradients: true,
            panel_inspector: true,
            graph: false,
            answers: false,
        }
    }
}

/// Everything a session is built from: the network and how it trains, the data and how the
/// network sees it, the lesson, points given by hand, and the view switches.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// The network; layers with `weights` carry them (a lesson's, a link's).
    pub network: NetworkConfig,
    pub data: DataSpec,
    pub features: Vec<Feature>,
    pub scaling: Scaling,
    /// What the network learns to output: the labels, or its own inputs (an autoencoder).
    pub target: Target,
    pub lesson: Option<String>,
    pub points: Option<SharedPoints>,
    pub view: ViewSettings,
}

impl Default for Settings {
    /// The page's first screen: two classes in a circle, 2 → 4 → 4 → 1, cross-entropy, SGD.
    fn default() -> Self {
        let hidden = LayerConfig::new(4, Activation::Tanh);
        let mut network = NetworkConfig {
            layers: vec![hidden.clone(), hidden, LayerConfig::new(1, Activation::Sigmoid)],
            loss: Loss::BinaryCrossEntropy,
            seed: 1,
            ..NetworkConfig::default()
        };
        network.optimizer.learning_rate = 0.3;
        Settings {
            network,
            data: DataSpec {
                problem: Problem::Circle,
                points: 320,
                noise: 0.0,
                test_ratio: 0.5,
                seed: 7,
                ..DataSpec::default()
            },
            features: vec![Feature::X1, Feature::X2],
            scaling: Scaling::None,
            target: Target::Labels,
            lesson: None,
            points: None,
            view: ViewSettings::default(),
        }
    }
}

/// Where a setting's control sits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Group {
    Data,
    Training,
    Network,
    View,
}

/// What changing a setting does, from the least to the most: a patch takes the largest
/// effect among the settings it changes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Effect {
    /// Only the drawing changes.
    View,
    /// Takes effect at the next step; training goes on.
    Live,
    /// Fresh initial weights from the seed; the data stays.
    Reset,
    /// A new network (fresh weights) on the same data.
    Rebuild,
    /// New data, then a new network.
    Data,
}

/// How the page shows a number.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Control {
    /// A slider from `low` to `high` in steps of `step`.
    Slider { low: f64, high: f64, step: f64 },
    /// A slider over log₁₀ of the value from `low` to `high`, and a field to type it.
    LogSlider { low: f64, high: f64 },
    /// A slider over these values.
    Presets { values: &'static [f64] },
    /// A field to type it, with this step for the arrows.
    Field { step: f64 },
    /// The value, and a button that draws a fresh random one.
    Seed,
}

#[derive(Clone, Copy, Debug)]
pub enum Kind {
    Number { min: f64, max: f64, min_exclusive: bool, control: Control },
    Integer { min: u64, max: u64, control: Control },
    Choice(&'static [(&'static str, &'static str)]),
    Flag,
    Features,
    Layers,
}

/// One setting: what the page shows, how it is checked, and where it lives in `Settings`.
pub struct Setting {
    pub key: &'static str,
    pub group: Group,
    pub label: &'static str,
    pub help: &'static str,
    pub kind: Kind,
    pub effect: Effect,
    get: fn(&Settings) -> Value,
    set: fn(&mut Settings, &Value),
    shown: fn(&Settings) -> bool,
}

const REGULARIZATION_RATES: &[f64] = &[0.0, 1e-5, 1e-4, 3e-4, 1e-3, 3e-3, 0.01, 0.03, 0.1, 0.3, 1.0];
/// The text sizes presenter mode offers.
const TEXT_SIZES: &[f64] = &[0.75, 1.0, 1.25, 1.5, 2.0, 2.5];
/// The dropout probabilities the layer editor offers.
pub const DROPOUTS: &[f64] = &[0.0, 0.1, 0.2, 0.3, 0.5];

/// The names of a choice setting's options for a refusal: all of them while they are short,
/// else the first ones and how many there are, so that the message stays a line (the full
/// list is the setting's menu).
fn choice_names(choices: &[(&str, &str)]) -> String {
    const BUDGET: usize = 110;
    let all = choices.iter().map(|(v, _)| *v).collect::<Vec<_>>().join(", ");
    if all.chars().count() <= BUDGET {
        return all;
    }
    let mut listed = String::new();
    for (name, _) in choices {
        if listed.chars().count() + name.chars().count() + 2 > BUDGET - 20 {
            break;
        }
        if !listed.is_empty() {
            listed.push_str(", ");
        }
        listed.push_str(name);
    }
    format!("{listed}, … ({} in all)", choices.len())
}

const PROBLEMS: &[(&str, &str)] = &[
    ("circle", "Circle"),
    ("xor", "XOR (the 4 points)"),
    ("noisy_xor", "XOR, noisy"),
    ("gaussians", "Two Gaussians"),
    ("spiral", "Spiral (2 classes)"),
    ("spiral3", "Spiral (3 classes)"),
    ("moons", "Moons"),
    ("checkerboard", "Checkerboard"),
    ("sine", "Sine (1 input, regression)"),
    ("polynomial", "Polynomial (1 input, regression)"),
    ("plane", "Plane (regression)"),
    ("digits", "Digits (8×8 images, 10 classes)"),
    ("shapes", "Shapes (8×8 images, 4 kinds)"),
    ("edges", "Edges (8×8 images: vertical, horizontal, none)"),
    ("codes", "One-hot codes (8 of them)"),
    ("recall", "Recall the first bit (sequences of bits)"),
];
const TARGETS: &[(&str, &str)] = &[("labels", "its label"), ("inputs", "its own input (autoencoder)")];
const SCALINGS: &[(&str, &str)] =
    &[("none", "none"), ("standardize", "standardize (mean 0, sd 1)"), ("min_max", "min–max (to 0 … 1)")];
const LOSSES: &[(&str, &str)] = &[
    ("squared_error", "squared error ½(y − ŷ)²"),
    ("binary_cross_entropy", "binary cross-entropy"),
    ("softmax_cross_entropy", "softmax cross-entropy"),
];
const REDUCTIONS: &[(&str, &str)] = &[("mean", "mean over the batch"), ("sum", "sum over the batch")];
const INITIALIZERS: &[(&str, &str)] = &[
    ("xavier_uniform", "Xavier uniform"),
    ("xavier_normal", "Xavier normal"),
    ("he", "He (normal)"),
    ("uniform", "uniform (low … high)"),
    ("zeros", "zeros"),
    ("constant", "constant"),
];
const OPTIMIZERS: &[(&str, &str)] = &[
    ("sgd", "SGD"),
    ("momentum", "momentum"),
    ("nesterov", "Nesterov momentum"),
    ("rmsprop", "RMSprop"),
    ("adagrad", "AdaGrad"),
    ("adam", "Adam"),
    ("rprop", "Rprop (iRprop−)"),
    ("cg", "conjugate gradient (full batch)"),
];
const REGULARIZATIONS: &[(&str, &str)] = &[("none", "none"), ("l1", "L1"), ("l2", "L2")];
const SCHEDULES: &[(&str, &str)] = &[
    ("constant", "constant"),
    ("step", "step decay"),
    ("exponential", "exponential decay"),
    ("cosine", "cosine to 0"),
];
/// Activations of hidden layers, and of the output layer.
pub const HIDDEN_ACTIVATIONS: &[(&str, &str)] = &[
    ("tanh", "tanh"),
    ("sigmoid", "sigmoid"),
    ("relu", "ReLU"),
    ("leaky_relu", "leaky ReLU"),
    ("identity", "identity"),
];
pub const OUTPUT_ACTIVATIONS: &[(&str, &str)] = &[
    ("sigmoid", "sigmoid"),
    ("identity", "identity"),
    ("tanh", "tanh"),
    ("relu", "ReLU"),
    ("leaky_relu", "leaky ReLU"),
    ("softmax", "softmax"),
];

const fn number(min: f64, max: f64, control: Control) -> Kind {
    Kind::Number { min, max, min_exclusive: false, control }
}
const fn integer(min: u64, max: u64, control: Control) -> Kind {
    Kind::Integer { min, max, control }
}
const SEED_MAX: u64 = u32::MAX as u64;

fn always(_: &Settings) -> bool {
    true
}
fn generated(s: &Settings) -> bool {
    s.points.is_none()
}
fn optimizer_is(s: &Settings, kinds: &[OptimizerKind]) -> bool {
    kinds.contains(&s.network.optimizer.kind)
}

/// JSON of a serde value (a choice's name, a number): never fails for the settings' types.
fn to_value<T: Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

/// A checked value back into its field's type (the kind checked it before).
fn from_value<T: serde::de::DeserializeOwned + Default>(value: &Value) -> T {
    read_value(value).unwrap_or_default()
}

/// A JSON value into a type, through its text: every type is then read by one deserializer
/// (`parse_json`'s), compiled once, not once more for `Value` (issue 15: the page's weight).
/// Exact: numbers are written shortest-round-trip and read back bit for bit.
fn read_value<T: serde::de::DeserializeOwned>(value: &Value) -> Result<T, String> {
    crate::config::parse_json(&value.to_string())
}

macro_rules! row {
    ($key:literal, $group:ident, $label:literal, $help:literal, $kind:expr, $effect:ident, $($path:ident).+) => {
        row!($key, $group, $label, $help, $kind, $effect, $($path).+, shown: always)
    };
    ($key:literal, $group:ident, $label:literal, $help:literal, $kind:expr, $effect:ident, $($path:ident).+, shown: $shown:expr) => {
        Setting {
            key: $key,
            group: Group::$group,
            label: $label,
            help: $help,
            kind: $kind,
            effect: Effect::$effect,
            get: |s| to_value(&s.$($path).+),
            set: |s, v| s.$($path).+ = from_value(v),
            shown: $shown,
        }
    };
}

/// Every setting, in the order the page shows them within their group.
pub static CATALOGUE: &[Setting] = &[
    row!("problem", Data, "Data set", "the points the network learns from", Kind::Choice(PROBLEMS), Data, data.problem),
    row!(
        "points",
        Data,
        "Points",
        "how many points to generate (training and test together)",
        integer(1, MAX_SAMPLES as u64, Control::Slider { low: 20.0, high: 1000.0, step: 20.0 }),
        Data,
        data.points,
        shown: |s| generated(s) && !matches!(s.data.problem, Problem::Xor | Problem::Codes)
    ),
    row!(
        "noise",
        Data,
        "Noise",
        "0: clean points; 1: very noisy",
        number(0.0, 1.0, Control::Slider { low: 0.0, high: 1.0, step: 0.05 }),
        Data,
        data.noise,
        shown: |s| generated(s) && !matches!(s.data.problem, Problem::Digits | Problem::Codes | Problem::Recall)
    ),
    row!(
        "length",
        Data,
        "Sequence length T",
        "the bits in each sequence: the steps the recurrent layer runs through, and the gradient back through time",
        integer(
            crate::sequences::MIN_LENGTH as u64,
            crate::sequences::MAX_LENGTH as u64,
            Control::Slider { low: 2.0, high: 40.0, step: 1.0 }
        ),
        Data,
        data.length,
        shown: |s| generated(s) && s.data.problem.is_sequence()
    ),
    row!(
        "test",
        Data,
        "Test share",
        "the share of the points held out to test the network (never trained on)",
        number(0.0, 0.9, Control::Slider { low: 0.0, high: 0.9, step: 0.05 }),
        Data,
        data.test_ratio
    ),
    row!(
        "dseed",
        Data,
        "Data seed",
        "the same problem drawn (or split) from another seed",
        integer(0, SEED_MAX, Control::Seed),
        Data,
        data.seed
    ),
    Setting {
        key: "features",
        group: Group::Data,
        label: "Input features",
        help: "what the network sees of each point",
        kind: Kind::Features,
        effect: Effect::Data,
        get: |s| to_value(&s.features),
        set: |s, v| s.features = from_value(v),
        shown: always,
    },
    row!(
        "scaling",
        Data,
        "Preprocessing",
        "scaling of the inputs, fitted on the training points only",
        Kind::Choice(SCALINGS),
        Data,
        scaling
    ),
    row!(
        "target",
        Data,
        "Learn to output",
        "what the network is trained to reproduce: each point's label, or the point itself through a narrow layer (an autoencoder, which never sees a label)",
        Kind::Choice(TARGETS),
        Data,
        target
    ),
    Setting {
        key: "layers",
        group: Group::Network,
        label: "Layers",
        help: "the hidden layers (neurons, activation, dropout) and the output layer",
        kind: Kind::Layers,
        effect: Effect::Rebuild,
        get: |s| layers_value(&s.network.layers),
        set: |s, v| set_layers(&mut s.network.layers, v),
        shown: always,
    },
    row!(
        "loss",
        Network,
        "Loss",
        "what the network is asked to make small",
        Kind::Choice(LOSSES),
        Rebuild,
        network.loss
    ),
    row!(
        "reduction",
        Network,
        "Batch loss",
        "whether the batch's loss (and gradient) is the mean or the sum of the samples'",
        Kind::Choice(REDUCTIONS),
        Rebuild,
        network.reduction
    ),
    row!(
        "init",
        Network,
        "Initializer",
        "how the weights start",
        Kind::Choice(INITIALIZERS),
        Rebuild,
        network.initializer.kind
    ),
    row!(
        "init_low",
        Network,
        "low",
        "the uniform initializer's lowest value",
        number(-100.0, 100.0, Control::Field { step: 0.1 }),
        Rebuild,
        network.initializer.low,
        shown: |s| s.network.initializer.kind == InitializerKind::Uniform
    ),
    row!(
        "init_high",
        Network,
        "high",
        "the uniform initializer's highest value",
        number(-100.0, 100.0, Control::Field { step: 0.1 }),
        Rebuild,
        network.initializer.high,
        shown: |s| s.network.initializer.kind == InitializerKind::Uniform
    ),
    row!(
        "init_value",
        Network,
        "value",
        "the constant initializer's value for every weight and bias",
        number(-100.0, 100.0, Control::Field { step: 0.1 }),
        Rebuild,
        network.initializer.value,
        shown: |s| s.network.initializer.kind == InitializerKind::Constant
    ),
    row!(
        "seed",
        Network,
        "Weight seed",
        "the seed of the initial weights and of the shuffling",
        integer(0, SEED_MAX, Control::Seed),
        Reset,
        network.seed
    ),
    Setting {
        key: "lr",
        group: Group::Training,
        label: "Learning rate η",
        help: "how far each update moves the weights against their gradient",
        kind: Kind::Number {
            min: 0.0,
            max: MAX_LEARNING_RATE,
            min_exclusive: true,
            control: Control::LogSlider { low: 1e-5, high: 10.0 },
        },
        effect: Effect::Live,
        get: |s| to_value(&s.network.optimizer.learning_rate),
        set: |s, v| s.network.optimizer.learning_rate = from_value(v),
        // Rprop and conjugate gradient choose their own step lengths.
        shown: |s| !optimizer_is(s, &[OptimizerKind::Rprop, OptimizerKind::Cg]),
    },
    row!(
        "batch",
        Training,
        "Batch size",
        "samples per step: the gradient is their mean (or sum)",
        integer(1, MAX_SAMPLES as u64, Control::Slider { low: 1.0, high: 100.0, step: 1.0 }),
        Live,
        network.batch_size,
        // Conjugate gradient takes every training point in each batch (see `trainer`).
        shown: |s| !optimizer_is(s, &[OptimizerKind::Cg])
    ),
    row!(
        "optimizer",
        Training,
        "Optimizer",
        "how a gradient becomes a change of the weights",
        Kind::Choice(OPTIMIZERS),
        Live,
        network.optimizer.kind
    ),
    row!(
        "momentum",
        Training,
        "momentum μ",
        "momentum and Nesterov: how much of the last steps each step keeps",
        number(0.0, 0.999_999, Control::Field { step: 0.01 }),
        Live,
        network.optimizer.momentum,
        shown: |s| optimizer_is(s, &[OptimizerKind::Momentum, OptimizerKind::Nesterov])
    ),
    row!(
        "rho",
        Training,
        "decay ρ",
        "RMSprop: how much of the past squared gradients the average keeps",
        number(0.0, 0.999_999, Control::Field { step: 0.01 }),
        Live,
        network.optimizer.rho,
        shown: |s| optimizer_is(s, &[OptimizerKind::Rmsprop])
    ),
    row!(
        "beta1",
        Training,
        "β₁",
        "Adam: how much of the past gradients the running mean keeps",
        number(0.0, 0.999_999, Control::Field { step: 0.01 }),
        Live,
        network.optimizer.beta1,
        shown: |s| optimizer_is(s, &[OptimizerKind::Adam])
    ),
    row!(
        "beta2",
        Training,
        "β₂",
        "Adam: how much of the past squared gradients the running mean keeps",
        number(0.0, 0.999_999, Control::Field { step: 0.001 }),
        Live,
        network.optimizer.beta2,
        shown: |s| optimizer_is(s, &[OptimizerKind::Adam])
    ),
    row!(
        "epsilon",
        Training,
        "ε",
        "RMSprop, AdaGrad and Adam: added to the root (mean) square so that a step never divides by 0",
        number(1e-300, 1.0, Control::LogSlider { low: 1e-12, high: 1e-1 }),
        Live,
        network.optimizer.epsilon,
        shown: |s| optimizer_is(s, &[OptimizerKind::Rmsprop, OptimizerKind::Adagrad, OptimizerKind::Adam])
    ),
    row!(
        "rprop_up",
        Training,
        "increase η⁺",
        "Rprop: a weight's step grows by this factor while its gradient keeps its sign",
        number(1.0, 10.0, Control::Field { step: 0.05 }),
        Live,
        network.optimizer.rprop_increase,
        shown: |s| optimizer_is(s, &[OptimizerKind::Rprop])
    ),
    row!(
        "rprop_down",
        Training,
        "decrease η⁻",
        "Rprop: a weight's step shrinks by this factor when its gradient changes sign",
        number(0.01, 1.0, Control::Field { step: 0.05 }),
        Live,
        network.optimizer.rprop_decrease,
        shown: |s| optimizer_is(s, &[OptimizerKind::Rprop])
    ),
    row!(
        "rprop_s0",
        Training,
        "initial step s₀",
        "Rprop: every weight's step at the start",
        number(1e-12, 1000.0, Control::Field { step: 0.01 }),
        Live,
        network.optimizer.rprop_initial_step,
        shown: |s| optimizer_is(s, &[OptimizerKind::Rprop])
    ),
    row!(
        "rprop_min",
        Training,
        "smallest step s_min",
        "Rprop: a step never shrinks below this",
        number(1e-12, 1000.0, Control::LogSlider { low: 1e-9, high: 1e-1 }),
        Live,
        network.optimizer.rprop_min_step,
        shown: |s| optimizer_is(s, &[OptimizerKind::Rprop])
    ),
    row!(
        "rprop_max",
        Training,
        "largest step s_max",
        "Rprop: a step never grows above this",
        number(1e-12, 1000.0, Control::Field { step: 1.0 }),
        Live,
        network.optimizer.rprop_max_step,
        shown: |s| optimizer_is(s, &[OptimizerKind::Rprop])
    ),
    row!(
        "cg_a0",
        Training,
        "first trial step α₀",
        "conjugate gradient: the line search's first trial step, at the start and after a failed search",
        number(1e-12, 1000.0, Control::Field { step: 0.1 }),
        Live,
        network.optimizer.cg_initial_step,
        shown: |s| optimizer_is(s, &[OptimizerKind::Cg])
    ),
    row!(
        "cg_c1",
        Training,
        "sufficient decrease c₁",
        "conjugate gradient: a step is taken when the loss falls by at least c₁ · α · slope",
        number(0.0, 0.5, Control::Field { step: 0.0001 }),
        Live,
        network.optimizer.cg_sufficient_decrease,
        shown: |s| optimizer_is(s, &[OptimizerKind::Cg])
    ),
    row!(
        "cg_trials",
        Training,
        "line-search evaluations",
        "conjugate gradient: the most losses one line search may compute before it gives up",
        integer(1, MAX_LINE_SEARCH_TRIALS as u64, Control::Field { step: 1.0 }),
        Live,
        network.optimizer.cg_max_trials,
        shown: |s| optimizer_is(s, &[OptimizerKind::Cg])
    ),
    row!(
        "cg_restart",
        Training,
        "restart every",
        "conjugate gradient: steepest descent again every this many steps (0: every n steps, n the number of weights and biases)",
        integer(0, 1_000_000, Control::Field { step: 10.0 }),
        Live,
        network.optimizer.cg_restart_every,
        shown: |s| optimizer_is(s, &[OptimizerKind::Cg])
    ),
    row!(
        "reg",
        Training,
        "Regularization",
        "a penalty on large weights (not biases)",
        Kind::Choice(REGULARIZATIONS),
        Live,
        network.regularization.kind
    ),
    row!(
        "reg_rate",
        Training,
        "Regularization rate λ",
        "how strong the penalty is",
        number(0.0, 10.0, Control::Presets { values: REGULARIZATION_RATES }),
        Live,
        network.regularization.rate,
        shown: |s| s.network.regularization.kind != RegularizationKind::None
    ),
    row!(
        "schedule",
        Training,
        "η schedule",
        "how the learning rate changes with the epochs",
        Kind::Choice(SCHEDULES),
        Live,
        network.schedule.kind
    ),
    row!(
        "schedule_factor",
        Training,
        "γ",
        "the factor of step and exponential decay",
        number(0.0, 1.0, Control::Field { step: 0.05 }),
        Live,
        network.schedule.factor,
        shown: |s| matches!(s.network.schedule.kind, ScheduleKind::Step | ScheduleKind::Exponential)
    ),
    row!(
        "schedule_every",
        Training,
        "epochs between drops",
        "step decay: epochs between two drops of η",
        integer(1, 1_000_000_000, Control::Field { step: 10.0 }),
        Live,
        network.schedule.every_epochs,
        shown: |s| s.network.schedule.kind == ScheduleKind::Step
    ),
    row!(
        "schedule_total",
        Training,
        "epochs to reach 0",
        "cosine: the epoch at which η reaches 0",
        integer(1, 1_000_000_000, Control::Field { step: 10.0 }),
        Live,
        network.schedule.total_epochs,
        shown: |s| s.network.schedule.kind == ScheduleKind::Cosine
    ),
    row!(
        "stop_epochs",
        Training,
        "Stop after epochs",
        "training stops by itself after this many epochs (0: never)",
        integer(0, 1_000_000_000, Control::Field { step: 10.0 }),
        Live,
        network.stop.after_epochs
    ),
    row!(
        "stop_loss",
        Training,
        "or when loss <",
        "training stops by itself when the training loss falls below this (0: never)",
        number(0.0, 1e9, Control::Field { step: 0.001 }),
        Live,
        network.stop.below_loss
    ),
    row!(
        "shuffle",
        Training,
        "Shuffle",
        "draw the batches in a new order every epoch",
        Kind::Flag,
        Rebuild,
        network.shuffle
    ),
    row!(
        "show_test",
        View,
        "show test points",
        "the test points on the output plane",
        Kind::Flag,
        View,
        view.show_test
    ),
    row!(
        "heatmaps",
        View,
        "heatmaps inside neurons",
        "each neuron's output over the input plane",
        Kind::Flag,
        View,
        view.heatmaps
    ),
    row!("log_scale", View, "log scale", "the loss chart's y axis on a log scale", Kind::Flag, View, view.log_scale),
    row!(
        "present",
        View,
        "Present",
        "presenter mode: the network fills the screen, every label grows (key P)",
        Kind::Flag,
        View,
        view.present
    ),
    row!("sidebar", View, "Settings", "show or hide the settings panel", Kind::Flag, View, view.sidebar),
    row!(
        "text_size",
        View,
        "Text size",
        "a larger text on the network, for the back row",
        number(0.5, 3.0, Control::Presets { values: TEXT_SIZES }),
        View,
        view.text_size
    ),
    row!(
        "panel_output",
        View,
        "output plane",
        "keep the output plane beside the network",
        Kind::Flag,
        View,
        view.panel_output
    ),
    row!("panel_loss", View, "loss chart", "keep the loss chart beside the network", Kind::Flag, View, view.panel_loss),
    row!(
        "panel_gradients",
        View,
        "gradient strip",
        "keep the gradient sizes under the network",
        Kind::Flag,
        View,
        view.panel_gradients
    ),
    row!(
        "panel_inspector",
        View,
        "inspector",
        "open the inspector when a neuron or edge is chosen",
        Kind::Flag,
        View,
        view.panel_inspector
    ),
    row!(
        "graph",
        View,
        "Computation graph",
        "the network unfolded into its operations for the shown sample, in place of the layer view",
        Kind::Flag,
        View,
        view.graph
    ),
    row!(
        "answers",
        View,
        "Show answers",
        "the tour's checkpoints show their answers, for a demo",
        Kind::Flag,
        View,
        view.answers
    ),
];

/// The setting called `key`.
pub fn find(key: &str) -> Option<&'static Setting> {
    CATALOGUE.iter().find(|s| s.key == key)
}

impl Setting {
    /// The setting's current value in `settings`.
    pub fn get(&self, settings: &Settings) -> Value {
        (self.get)(settings)
    }

    /// Whether its control is shown for these settings (μ only with momentum, …).
    pub fn shown(&self, settings: &Settings) -> bool {
        (self.shown)(settings)
    }

    /// Checks `value` against the setting's kind and range and writes it; a refusal says why
    /// in words and changes nothing.
    pub fn set(&self, settings: &mut Settings, value: &Value) -> Result<(), String> {
        let value = self.check(value)?;
        (self.set)(settings, &value);
        Ok(())
    }

    /// The value in its canonical form, or why it does not fit.
    fn check(&self, value: &Value) -> Result<Value, String> {
        match self.kind {
            Kind::Number { min, max, min_exclusive, .. } => {
                let x = value.as_f64().filter(|x| x.is_finite()).ok_or("a finite number is needed")?;
                let above = if min_exclusive { x > min } else { x >= min };
                if !above || x > max {
                    let (from, to) = if min_exclusive { ("above", "and at most") } else { ("from", "to") };
                    return Err(format!(
                        "must be a number {from} {} {to} {}, not {}",
                        short(min),
                        short(max),
                        short(x)
                    ));
                }
                Ok(json!(x))
            }
            Kind::Integer { min, max, .. } => match value.as_u64() {
                Some(n) if (min..=max).contains(&n) => Ok(json!(n)),
                _ => Err(format!("must be a whole number from {min} to {max}, not {}", describe(value))),
            },
            Kind::Choice(choices) => match value.as_str() {
                Some(name) if choices.iter().any(|(v, _)| *v == name) => Ok(value.clone()),
                _ => Err(format!("must be one of {}, not {}", choice_names(choices), describe(value))),
            },
            Kind::Flag => value
                .as_bool()
                .map(Value::Bool)
                .ok_or_else(|| format!("must be true or false, not {}", describe(value))),
            Kind::Features => {
                let features: Vec<Feature> =
                    read_value(value).map_err(|_| "must be a list of feature names".to_string())?;
                if features.is_empty() {
                    return Err("the network needs at least one input feature".into());
                }
                let mut unique = Vec::new();
                for f in features {
                    if !unique.contains(&f) {
                        unique.push(f);
                    }
                }
                Ok(to_value(&unique))
            }
            Kind::Layers => check_layers(value),
        }
    }

    /// The entry the page reads: everything but the accessors, with the default value.
    pub fn describe(&self) -> Value {
        let mut entry = json!({
            "key": self.key,
            "group": self.group,
            "label": self.label,
            "help": self.help,
            "effect": self.effect,
            "default": self.get(&Settings::default()),
        });
        let extra = match self.kind {
            Kind::Number { min, max, min_exclusive, control } => {
                json!({"kind": "number", "min": min, "max": max, "min_exclusive": min_exclusive, "control": control})
            }
            Kind::Integer { min, max, control } => {
                json!({"kind": "integer", "min": min, "max": max, "control": control})
            }
            Kind::Choice(choices) => json!({"kind": "choice", "choices": choice_list(choices)}),
            Kind::Flag => json!({"kind": "flag"}),
            Kind::Features => json!({
                "kind": "features",
                "choices": Feature::ALL.iter().map(|f| json!({"value": f, "label": f.label()})).collect::<Vec<_>>(),
            }),
            Kind::Layers => json!({
                "kind": "layers",
                "max_hidden": MAX_HIDDEN_LAYERS,
                "max_units": MAX_HIDDEN_UNITS,
                // How many hidden layers, and neurons in one, as typed values are checked
                // (the Experiment panel's depths and widths): whole numbers in these ranges.
                "depth": {"kind": "integer", "min": 0, "max": MAX_HIDDEN_LAYERS},
                "width": {"kind": "integer", "min": 1, "max": MAX_HIDDEN_UNITS},
                "hidden_activations": choice_list(HIDDEN_ACTIVATIONS),
                "output_activations": choice_list(OUTPUT_ACTIVATIONS),
                "dropouts": DROPOUTS,
            }),
        };
        if let (Value::Object(entry), Value::Object(extra)) = (&mut entry, extra) {
            entry.extend(extra);
        }
        entry
    }
}

fn choice_list(choices: &[(&str, &str)]) -> Vec<Value> {
    choices.iter().map(|(value, label)| json!({"value": value, "label": label})).collect()
}

/// The whole catalogue, as the page reads it.
pub fn catalogue() -> Value {
    Value::Array(CATALOGUE.iter().map(Setting::describe).collect())
}

/// The label of choice `value` of setting `key` ("Circle" for problem "circle").
pub fn choice_label(key: &str, value: &str) -> Option<&'static str> {
    match find(key)?.kind {
        Kind::Choice(choices) => choices.iter().find(|(v, _)| *v == value).map(|(_, l)| *l),
        _ => None,
    }
}

/// A layer as the catalogue shows it: `{units, activation, bias, dropout}` (no weights).
fn layers_value(layers: &[LayerConfig]) -> Value {
    Value::Array(layers.iter().map(|l| layer_value(l.units, l.activation, l.bias, l.dropout, l.kind)).collect())
}

/// One layer as the `layers` setting writes it: `kind` only for a layer that is not dense, so
/// a dense network's value is as it always was.
fn layer_value(units: usize, activation: Activation, bias: bool, dropout: f64, kind: LayerKind) -> Value {
    let mut value = json!({"units": units, "activation": activation, "bias": bias, "dropout": dropout});
    if !kind.is_dense() {
        value["kind"] = json!(kind);
    }
    value
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LayerPatch {
    units: usize,
    activation: Activation,
    #[serde(default = "yes")]
    bias: bool,
    #[serde(default)]
    dropout: f64,
    /// Dense when left out; a convolution, pooling or flatten layer (`LayerKind`).
    #[serde(default)]
    kind: LayerKind,
}

fn yes() -> bool {
    true
}

fn check_layers(value: &Value) -> Result<Value, String> {
    let layers: Vec<LayerPatch> = read_value(value)
        .map_err(|why| format!("must be a list of layers {{units, activation, bias, dropout, kind}}: {why}"))?;
    if layers.is_empty() {
        return Err("the network needs at least an output layer".into());
    }
    Ok(Value::Array(layers.iter().map(|l| layer_value(l.units, l.activation, l.bias, l.dropout, l.kind)).collect()))
}

/// Writes a checked list of layers. A layer that keeps its size and bias keeps any weights
/// given by hand (a lesson's); the network's validation then checks the rest.
fn set_layers(layers: &mut Vec<LayerConfig>, value: &Value) {
    let patches: Vec<LayerPatch> = read_value(value).unwrap_or_default();
    let old = std::mem::take(layers);
    *layers = patches
        .into_iter()
        .enumerate()
        .map(|(k, p)| {
            let kept = old.get(k).filter(|o| o.units == p.units && o.bias == p.bias && o.kind == p.kind);
            LayerConfig {
                units: p.units,
                activation: p.activation,
                bias: p.bias,
                dropout: p.dropout,
                kind: p.kind,
                weights: kept.and_then(|o| o.weights.clone()),
                biases: kept.and_then(|o| o.biases.clone()),
            }
        })
        .collect();
}

/// Whether two lists of layers differ only in their dropout (which is live).
pub fn only_dropout_differs(a: &[LayerConfig], b: &[LayerConfig]) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|(x, y)| x.units == y.units && x.activation == y.activation && x.bias == y.bias && x.kind == y.kind)
}

/// A JSON value in a message, kept short.
fn describe(value: &Value) -> String {
    match value {
        Value::Number(n) => n.as_f64().map_or_else(|| n.to_string(), short),
        Value::String(s) => format!("\"{}\"", clip(s)),
        other => clip(&other.to_string()),
    }
}

/// Applies the settings the data decides: the output layer's width and, when the kind of
/// data changed, an output activation and loss that fit it (identity and squared error for
/// regression, sigmoid and binary cross-entropy for two classes, softmax and softmax
/// cross-entropy over one neuron per class for more).
/// The classes the output layer is fitted for (0: values to reproduce) and the output
/// neurons that data of `classes` classes (0: regression) and `input_width` inputs needs.
pub fn outputs_for(target: Target, classes: usize, input_width: usize) -> (usize, usize) {
    match target {
        // An autoencoder reproduces values, whatever classes its points have.
        Target::Inputs => (0, input_width),
        Target::Labels if classes > 2 => (classes, classes),
        Target::Labels => (classes, 1),
    }
}

/// Keeps a sequence's input shape (one channel of height 1: a value per time step) as long as
/// the inputs, when the data's length changed.
pub fn fit_sequence_shape(network: &mut NetworkConfig) {
    if let Some(shape) = &mut network.input_shape {
        if shape.channels == 1 && shape.height == 1 && shape.width != network.inputs {
            shape.width = network.inputs;
        }
    }
}

pub fn fit_output(network: &mut NetworkConfig, classes: usize, outputs: usize) {
    let Some(out) = network.layers.last_mut() else { return };
    if out.units != outputs {
        out.units = outputs;
        out.weights = None;
        out.biases = None;
    }
    if classes == 0 && outputs == 1 {
        if out.activation == Activation::Softmax || network.loss != Loss::SquaredError {
            out.activation = Activation::Identity;
            network.loss = Loss::SquaredError;
        }
    } else if classes > 2 {
        out.activation = Activation::Softmax;
        network.loss = Loss::SoftmaxCrossEntropy;
    } else if classes == 2 {
        if matches!(out.activation, Activation::Identity | Activation::Softmax)
            || network.loss == Loss::SoftmaxCrossEntropy
        {
            out.activation = Activation::Sigmoid;
            network.loss = Loss::BinaryCrossEntropy;
        }
    } else if network.loss != Loss::SquaredError {
        // Several values to reproduce (an autoencoder): squared error.
        network.loss = Loss::SquaredError;
        if out.activation == Activation::Softmax {
            out.activation = Activation::Identity;
        }
    }
}

/// Keeps only the features points of `dims` coordinates have (x2 needs two).
pub fn usable_features(features: &[Feature], dims: usize) -> Vec<Feature> {
    if dims > 2 {
        return Vec::new();
    }
    let usable: Vec<Feature> = features
        .iter()
        .copied()
        .filter(|f| dims == 2 || matches!(f, Feature::X1 | Feature::X1Squared | Feature::SinX1))
        .collect();
    if usable.is_empty() {
        vec![Feature::X1]
    } else {
        usable
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_setting_reads_back_what_it_wrote_and_its_default_fits_its_kind() {
        let defaults = Settings::default();
        for setting in CATALOGUE {
            let value = setting.get(&defaults);
            let mut copy = defaults.clone();
            setting.set(&mut copy, &value).unwrap_or_else(|why| panic!("{}: {why}", setting.key));
            assert_eq!(copy, defaults, "{}", setting.key);
            assert!(find(setting.key).is_some());
        }
        let keys: Vec<&str> = CATALOGUE.iter().map(|s| s.key).collect();
        let mut unique = keys.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), keys.len(), "keys are unique");
        defaults.network.validate().unwrap();
    }

    #[test]
    fn a_refused_value_names_the_range_in_words_and_changes_nothing() {
        let mut s = Settings::default();
        let before = s.clone();
        let lr = find("lr").unwrap();
        assert_eq!(lr.set(&mut s, &json!(0)).unwrap_err(), "must be a number above 0 and at most 100, not 0");
        assert!(lr.set(&mut s, &json!("fast")).unwrap_err().contains("finite number"));
        let batch = find("batch").unwrap();
        assert!(batch.set(&mut s, &json!(1.5)).unwrap_err().contains("whole number from 1 to 100000, not 1.5"));
        let optimizer = find("optimizer").unwrap();
        assert!(optimizer.set(&mut s, &json!("adamw")).unwrap_err().contains("one of sgd, momentum"));
        // Sixteen data sets are too many to name in a line: the first ones, and how many.
        let problem = find("problem").unwrap().set(&mut s, &json!("donut")).unwrap_err();
        assert!(
            problem.starts_with("must be one of circle, xor, ") && problem.ends_with(", … (16 in all), not \"donut\""),
            "{problem}"
        );
        assert!(find("features").unwrap().set(&mut s, &json!([])).unwrap_err().contains("at least one"));
        assert_eq!(s, before);
        find("features").unwrap().set(&mut s, &json!(["x1", "x1", "x2"])).unwrap();
        assert_eq!(s.features, [Feature::X1, Feature::X2], "duplicates are collapsed");
    }

    #[test]
    fn layers_keep_their_given_weights_while_their_shape_stays() {
        let mut s = Settings::default();
        s.network.layers[0].weights = Some(vec![vec![0.5, 0.5]; 4]);
        let layers = find("layers").unwrap();
        let mut value = layers.get(&s);
        value[0]["dropout"] = json!(0.3);
        layers.set(&mut s, &value).unwrap();
        assert!(s.network.layers[0].weights.is_some());
        assert_eq!(s.network.layers[0].dropout, 0.3);
        value[0]["units"] = json!(5);
        layers.set(&mut s, &value).unwrap();
        assert!(s.network.layers[0].weights.is_none());
    }

    #[test]
    fn the_data_decides_the_output_layer() {
        let mut n = Settings::default().network;
        fit_output(&mut n, 0, 1);
        assert_eq!((n.layers.last().unwrap().activation, n.loss), (Activation::Identity, Loss::SquaredError));
        fit_output(&mut n, 3, 3);
        assert_eq!((n.layers.last().unwrap().units, n.loss), (3, Loss::SoftmaxCrossEntropy));
        fit_output(&mut n, 2, 1);
        assert_eq!((n.layers.last().unwrap().activation, n.loss), (Activation::Sigmoid, Loss::BinaryCrossEntropy));
        n.validate().unwrap();
    }
}
