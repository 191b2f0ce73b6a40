//! Shareable links: the state of a session in a URL query string, so a link replays exactly
//! what the sender saw: `?v=1&problem=spiral&noise=0.1&layers=8:tanh,8:tanh,1:sigmoid&lr=0.03&seed=4…`.
//! A layer of another kind than dense writes its kind where a dense layer writes its units
//! (`conv2d-k3-c4-valid:relu,pool2d-max-2:identity,flatten:identity,10:softmax`), and the
//! input maps travel as `shape=1x8x8`.
//!
//! The settings travel through the catalogue (`settings::CATALOGUE`): each row's key is its
//! parameter, written in the short text form of its kind, so a new setting needs no code
//! here. Beside them travel what is not a setting: the lesson, points given by hand, the
//! weights (`params`), the training state (`state`, see `snapshot`), the loss history
//! (`hist`), the position inside the step (`pos`, `sel`) and the lesson's variant. Numbers
//! travel as base64url of their f64 bytes, so they come back bit for bit.
//!
//! Reading never fails: a parameter that cannot be read is named in a warning and its default
//! kept; a network that does not fit its data is replaced by the default one, with a warning.
//! A link with a lesson starts from that lesson's settings, so `?lesson=xor` is the lesson.

use crate::config::NetworkConfig;
use crate::error::clip;
use crate::features::{self, Feature};
use crate::generators::DataSpec;
use crate::history::History;
use crate::layers::kind::LayerKind;
use crate::layers::{Dimensions, Shape};
use crate::phase::Phase;
use crate::points::Points;
use crate::session::{Position, Selection};
use crate::settings::{self, Kind, Settings};
use crate::snapshot::TrainerState;
use serde::Serialize;
use serde_json::{json, Value};

pub use crate::settings::SharedPoints;

pub const VERSION: u32 = 1;
/// Longer links are not read (browsers and servers start refusing URLs near this size).
pub const MAX_QUERY_LEN: usize = 32_000;
/// Weights and points beyond this many numbers are left out of links.
pub const MAX_SHARED_NUMBERS: usize = 2_000;

/// What travels beside the settings.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Extras {
    /// The training state's byte form.
    pub state: Option<Vec<u8>>,
    pub history: Option<History>,
    pub position: Option<Position>,
    pub variant: Option<usize>,
}

/// What reading a link gave: the settings, what travelled beside them, and what could not be read.
#[derive(Clone, Debug, PartialEq)]
pub struct Decoded {
    pub settings: Settings,
    pub warnings: Vec<String>,
    /// The link named a lesson and nothing else.
    pub only_lesson: bool,
    pub state: Option<TrainerState>,
    pub history: Option<History>,
    pub position: Option<Position>,
    pub variant: Option<usize>,
}

/// The lowercase name of a serde value (an enum variant's name).
pub fn name<T: Serialize>(value: &T) -> String {
    serde_json::to_value(value).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
}

/// A catalogue value in the link's short text form.
fn write_value(kind: &Kind, value: &Value) -> String {
    match (kind, value) {
        (Kind::Flag, Value::Bool(b)) => u8::from(*b).to_string(),
        (Kind::Features, Value::Array(items)) => items.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(","),
        (Kind::Layers, Value::Array(layers)) => layers
            .iter()
            .map(|l| {
                let kind = serde_json::from_value::<LayerKind>(l["kind"].clone()).ok().filter(|k| !k.is_dense());
                let size = kind.map_or_else(|| l["units"].to_string(), |kind| write_kind(kind, &l["units"]));
                let mut text = format!("{size}:{}", l["activation"].as_str().unwrap_or(""));
                if l["bias"] == json!(false) {
                    text.push_str(":nobias");
                }
                if let Some(p) = l["dropout"].as_f64().filter(|&p| p > 0.0) {
                    text.push_str(&format!(":{p}"));
                }
                text
            })
            .collect::<Vec<_>>()
            .join(","),
        (_, Value::String(s)) => s.clone(),
        (_, Value::Number(n)) => match n.as_u64() {
            Some(u) => u.to_string(),
            None => n.as_f64().map_or_else(String::new, |x| x.to_string()),
        },
        (_, other) => other.to_string(),
    }
}

/// A link's text back into a catalogue value (checked by the setting itself afterwards).
fn read_value(kind: &Kind, text: &str) -> Result<Value, String> {
    Ok(match kind {
        Kind::Number { .. } => json!(number(text)?),
        Kind::Integer { .. } => json!(text.parse::<u64>().map_err(|_| "not a whole number in range")?),
        Kind::Choice(_) => json!(text),
        Kind::Flag => json!(flag(text)?),
        Kind::Features => json!(text.split(',').collect::<Vec<_>>()),
        Kind::Layers => {
            let mut layers = Vec::new();
            for part in text.split(',') {
                let mut fields = part.split(':');
                let size = fields.next().unwrap_or("");
                // A dense layer starts with its units, another kind with its name (`write_kind`).
                let (units, kind) = match size.parse::<usize>() {
                    Ok(units) => (units, LayerKind::Dense),
                    Err(_) if size.starts_with(|c: char| c.is_ascii_digit()) => {
                        return Err("not a whole number in range".into())
                    }
                    Err(_) => read_kind(size)?,
                };
                let activation = fields.next().ok_or("a layer needs units:activation")?;
                let (mut bias, mut dropout) = (true, 0.0);
                for extra in fields {
                    if extra == "nobias" {
                        bias = false;
                    } else {
                        dropout = number(extra)?;
                    }
                }
                let mut layer = json!({"units": units, "activation": activation, "bias": bias, "dropout": dropout});
                if !kind.is_dense() {
                    layer["kind"] = json!(kind);
                }
                layers.push(layer);
            }
            Value::Array(layers)
        }
    })
}

/// A layer kind's short text in a link: `conv2d-k3-c4-same`, `pool1d-max-2`, `flatten`, and
/// `rnn8-last` or `rnn8-sequence-clip1.5` (8 hidden units: the one kind that names its units).
fn write_kind(kind: LayerKind, units: &Value) -> String {
    let d = |dimensions: Dimensions| if dimensions == Dimensions::One { "1d" } else { "2d" };
    match kind {
        LayerKind::Dense => String::new(),
        LayerKind::Convolution { dimensions, kernel_size, channels, padding } => {
            format!("conv{}-k{kernel_size}-c{channels}-{}", d(dimensions), name(&padding))
        }
        LayerKind::Pooling { dimensions, pool, size } => format!("pool{}-{}-{size}", d(dimensions), name(&pool)),
        LayerKind::Flatten => "flatten".into(),
        LayerKind::Recurrent { returns, clip_norm } => {
            let clip = clip_norm.map_or_else(String::new, |theta| format!("-clip{theta}"));
            format!("rnn{units}-{}{clip}", name(&returns))
        }
    }
}

/// Reads what `write_kind` wrote, with the layer's units (0 where the kind's input sets them;
/// the layer's own checks come later, with the network's).
fn read_kind(text: &str) -> Result<(usize, LayerKind), String> {
    let bad = || format!("not a layer kind (conv2d-k3-c4-same, pool2d-max-2, flatten, rnn8-last, …): {}", clip(text));
    let fields: Vec<&str> = text.split('-').collect();
    let dimensions = |head: &str, kind: &str| match head.strip_prefix(kind) {
        Some("1d") => Ok(Dimensions::One),
        Some("2d") => Ok(Dimensions::Two),
        _ => Err(bad()),
    };
    let field = |text: &str, prefix: &str| -> Result<usize, String> {
        text.strip_prefix(prefix).and_then(|n| whole::<usize>(n).ok()).ok_or_else(bad)
    };
    Ok(match fields.as_slice() {
        ["flatten"] => (0, LayerKind::Flatten),
        [head, k, c, padding] if head.starts_with("conv") => (
            0,
            LayerKind::Convolution {
                dimensions: dimensions(head, "conv")?,
                kernel_size: field(k, "k")?,
                channels: field(c, "c")?,
                padding: serde_json::from_value(json!(padding)).map_err(|_| bad())?,
            },
        ),
        [head, pool, size] if head.starts_with("pool") => (
            0,
            LayerKind::Pooling {
                dimensions: dimensions(head, "pool")?,
                pool: serde_json::from_value(json!(pool)).map_err(|_| bad())?,
                size: field(size, "")?,
            },
        ),
        [head, returns, rest @ ..] if head.starts_with("rnn") && rest.len() <= 1 => {
            let clip_norm = match rest {
                [clip] => Some(clip.strip_prefix("clip").and_then(|t| number(t).ok()).ok_or_else(bad)?),
                _ => None,
            };
            let returns = serde_json::from_value(json!(returns)).map_err(|_| bad())?;
            (field(head, "rnn")?, LayerKind::Recurrent { returns, clip_norm })
        }
        _ => return Err(bad()),
    })
}

/// The input maps' shape in a link: `1x8x8` (channels × height × width).
fn write_shape(shape: Shape) -> String {
    format!("{}x{}x{}", shape.channels, shape.height, shape.width)
}

fn read_shape(text: &str) -> Result<Shape, String> {
    let parts: Vec<usize> = text.split('x').map(whole::<usize>).collect::<Result<_, _>>()?;
    match parts.as_slice() {
        &[channels, height, width] => Ok(Shape { channels, height, width }),
        _ => Err("not channels×height×width (such as 1x8x8)".into()),
    }
}

fn number(text: &str) -> Result<f64, String> {
    text.parse::<f64>().ok().filter(|x| x.is_finite()).ok_or_else(|| "not a finite number".to_string())
}

fn whole<T: TryFrom<u64>>(text: &str) -> Result<T, String> {
    text.parse::<u64>().ok().and_then(|x| T::try_from(x).ok()).ok_or_else(|| "not a whole number in range".to_string())
}

fn flag(text: &str) -> Result<bool, String> {
    match text {
        "1" | "true" => Ok(true),
        "0" | "false" => Ok(false),
        _ => Err("not 0 or 1".into()),
    }
}

/// Every weight and bias, layer by layer, when all layers carry weights and they are few.
fn write_parameters(s: &Settings) -> Option<String> {
    let mut all = Vec::new();
    for l in &s.network.layers {
        if !l.kind.has_parameters() {
            continue;
        }
        all.extend(l.weights.as_ref()?.iter().flatten());
        if l.bias {
            all.extend(l.biases.as_ref()?);
        }
    }
    (all.len() <= MAX_SHARED_NUMBERS).then(|| base64url::encode(&all))
}

fn write_points(s: &Settings) -> Option<String> {
    let p = s.points.as_ref()?;
    let numbers: Vec<f64> = p.coords.iter().chain(&p.labels).copied().collect();
    let train = p.train.map_or(String::new(), |t| format!(".{t}"));
    (numbers.len() <= MAX_SHARED_NUMBERS)
        .then(|| format!("{}.{}.{}{train}", p.dims, p.classes, base64url::encode(&numbers)))
}

fn read_points(text: &str) -> Result<SharedPoints, String> {
    // dims.classes.numbers[.training points]
    let mut parts = text.split('.');
    let dims: usize = whole(parts.next().unwrap_or(""))?;
    let classes: usize = whole(parts.next().unwrap_or(""))?;
    let numbers = base64url::decode(parts.next().ok_or("missing the numbers")?)?;
    let train: Option<usize> = parts.next().map(whole).transpose()?;
    if parts.next().is_some() {
        return Err("too many parts".into());
    }
    if dims == 0 || numbers.len() % (dims + 1) != 0 {
        return Err("the numbers do not make whole points".into());
    }
    let n = numbers.len() / (dims + 1);
    let (coords, labels) = numbers.split_at(n * dims);
    let points = Points::new(dims, coords.to_vec(), labels.to_vec(), classes).map_err(|e| e.to_string())?;
    if train.is_some_and(|t| t > points.len()) {
        return Err("more training points than points".into());
    }
    Ok(SharedPoints { dims, classes, coords: points.coords, labels: points.labels, train })
}

/// The loss history: its counts, then the steps, training and test losses.
fn write_history(h: &History) -> String {
    let mut bytes = Vec::with_capacity(28 + 24 * h.len());
    bytes.extend_from_slice(&(h.len() as u32).to_le_bytes());
    bytes.extend_from_slice(&h.every.to_le_bytes());
    bytes.extend_from_slice(&h.last_step.map_or(0, |s| s + 1).to_le_bytes());
    bytes.extend_from_slice(&h.diverged_at.map_or(0, |s| s + 1).to_le_bytes());
    for series in [&h.steps, &h.train, &h.test] {
        series.iter().for_each(|x| bytes.extend_from_slice(&x.to_le_bytes()));
    }
    bytes_to_text(&bytes)
}

fn read_history(text: &str) -> Result<History, String> {
    let bytes = text_to_bytes(text)?;
    let word = |k: usize, n: usize| -> Result<&[u8], String> { bytes.get(k..k + n).ok_or_else(|| "cut short".into()) };
    let n = u32::from_le_bytes(word(0, 4)?.try_into().expect("4 bytes")) as usize;
    let every = u64::from_le_bytes(word(4, 8)?.try_into().expect("8 bytes"));
    let last = u64::from_le_bytes(word(12, 8)?.try_into().expect("8 bytes"));
    let diverged = u64::from_le_bytes(word(20, 8)?.try_into().expect("8 bytes"));
    if n > crate::history::CAPACITY || bytes.len() != 28 + 24 * n || every == 0 {
        return Err("not a loss history".into());
    }
    let series = |k: usize| -> Vec<f64> {
        (0..n).map(|i| f64::from_le_bytes(bytes[28 + 8 * (k * n + i)..][..8].try_into().expect("8 bytes"))).collect()
    };
    Ok(History {
        steps: series(0),
        train: series(1),
        test: series(2),
        every,
        last_step: last.checked_sub(1),
        diverged_at: diverged.checked_sub(1),
        unthinned: None,
    })
}

/// `f2` (forward through layer index 2), `l`, `b0`, `u`, or `-`, then `.whole.edited.sample`.
fn write_position(p: &Position) -> String {
    let phase = match p.last {
        None => "-".to_string(),
        Some(Phase::Forward(l)) => format!("f{l}"),
        Some(Phase::Loss) => "l".into(),
        Some(Phase::Backward(l)) => format!("b{l}"),
        Some(Phase::Update) => "u".into(),
    };
    format!("{phase}.{}.{}.{}", u8::from(p.whole), u8::from(p.edited), p.sample)
}

fn read_position(text: &str) -> Result<Position, String> {
    let parts: Vec<&str> = text.split('.').collect();
    let [phase, whole_step, edited, sample] = parts[..] else { return Err("not a position".into()) };
    let layer = |t: &str| whole::<usize>(t);
    let last = match phase {
        "-" => None,
        "l" => Some(Phase::Loss),
        "u" => Some(Phase::Update),
        p if p.starts_with('f') => Some(Phase::Forward(layer(&p[1..])?)),
        p if p.starts_with('b') => Some(Phase::Backward(layer(&p[1..])?)),
        _ => return Err("not a phase".into()),
    };
    Ok(Position { last, whole: flag(whole_step)?, edited: flag(edited)?, sample: whole(sample)?, selection: None })
}

/// `n.layer.neuron` or `e.layer.neuron.input` (layer −1: the inputs).
fn write_selection(s: &Selection) -> String {
    match *s {
        Selection::Neuron { layer, neuron } => format!("n.{layer}.{neuron}"),
        Selection::Edge { layer, neuron, input } => format!("e.{layer}.{neuron}.{input}"),
    }
}

fn read_selection(text: &str) -> Result<Selection, String> {
    let parts: Vec<&str> = text.split('.').collect();
    let layer = |t: &str| t.parse::<i32>().ok().filter(|l| (-1..=64).contains(l)).ok_or("not a layer");
    match parts[..] {
        ["n", l, j] => Ok(Selection::Neuron { layer: layer(l)?, neuron: whole(j)? }),
        ["e", l, j, i] => Ok(Selection::Edge { layer: layer(l)?, neuron: whole(j)?, input: whole(i)? }),
        _ => Err("not a neuron or an edge".into()),
    }
}

/// The keys a link may hold besides the catalogue's.
const OTHER_KEYS: &[&str] = &["v", "lesson", "shape", "data", "params", "state", "hist", "pos", "sel", "variant"];

/// The query string (without `?`) of `settings` and what travels beside them.
pub fn encode(settings: &Settings, extras: &Extras) -> String {
    let mut parts = vec![format!("v={VERSION}")];
    if let Some(lesson) = &settings.lesson {
        parts.push(format!("lesson={lesson}"));
    }
    for setting in settings::CATALOGUE {
        parts.push(format!("{}={}", setting.key, percent_encode(&write_value(&setting.kind, &setting.get(settings)))));
    }
    if let Some(shape) = settings.network.input_shape {
        parts.push(format!("shape={}", write_shape(shape)));
    }
    if let Some(points) = write_points(settings) {
        parts.push(format!("data={points}"));
    }
    if let Some(params) = write_parameters(settings) {
        parts.push(format!("params={params}"));
    }
    if let Some(state) = &extras.state {
        parts.push(format!("state={}", bytes_to_text(state)));
    }
    if let Some(history) = &extras.history {
        parts.push(format!("hist={}", write_history(history)));
    }
    if let Some(position) = &extras.position {
        parts.push(format!("pos={}", write_position(position)));
        if let Some(selection) = &position.selection {
            parts.push(format!("sel={}", write_selection(selection)));
        }
    }
    if let Some(variant) = extras.variant {
        parts.push(format!("variant={variant}"));
    }
    parts.join("&")
}

/// Reads a query string (with or without its leading `?` or `#`); never fails.
pub fn decode(query: &str) -> Decoded {
    let mut decoded = Decoded {
        settings: Settings::default(),
        warnings: Vec::new(),
        only_lesson: false,
        state: None,
        history: None,
        position: None,
        variant: None,
    };
    let warnings = &mut decoded.warnings;
    let query = query.trim_start_matches(['?', '#']);
    if query.len() > MAX_QUERY_LEN {
        warnings.push(format!(
            "the link is {} characters long, more than the {MAX_QUERY_LEN} read; it was ignored",
            query.len()
        ));
        return decoded;
    }
    let mut pairs: Vec<(String, String)> = Vec::new();
    for part in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = part.split_once('=').unwrap_or((part, ""));
        match (percent_decode(key), percent_decode(value)) {
            (Ok(key), Ok(value)) => pairs.push((key, value)),
            _ => warnings.push(format!("could not read \"{}\" (bad % escape)", clip(part))),
        }
    }
    let get = |key: &str| pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str());
    if let Some(v) = get("v") {
        if v != VERSION.to_string() {
            warnings.push(format!(
                "the link is of version {}, this page reads version {VERSION}: settings were read as far as possible",
                clip(v)
            ));
        }
    }
    // A lesson's settings are the starting point: the link's own settings go over them.
    if let Some(id) = get("lesson") {
        if id.is_empty() || id.len() > 64 || !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
            warnings.push(format!("lesson={}: not a lesson name; the default was kept", clip(id)));
        } else {
            if let Some(lesson) = crate::presets::lesson(id) {
                decoded.settings = lesson.session;
            }
            decoded.settings.lesson = Some(id.to_string());
            decoded.only_lesson = pairs.iter().all(|(k, _)| k == "lesson" || k == "v");
        }
    }
    let settings = &mut decoded.settings;
    for setting in settings::CATALOGUE {
        let Some(text) = get(setting.key) else { continue };
        // No features: the data's own values as they are (images, wide CSV files); whether
        // that fits the data is checked below with the other features.
        if matches!(setting.kind, Kind::Features) && text.is_empty() {
            settings.features.clear();
            continue;
        }
        // A value that does not read is quoted here; one the setting refuses, by the setting.
        let read = read_value(&setting.kind, text)
            .map_err(|why| format!("{}={}: {why}", setting.key, clip(text)))
            .and_then(|value| setting.set(settings, &value).map_err(|why| format!("{}: {why}", setting.key)));
        if let Err(why) = read {
            warnings.push(format!("{why}; the default was kept"));
        } else if matches!(setting.kind, Kind::Features) && text.split(',').count() > settings.features.len() {
            warnings.push(format!("{}={}: a feature named twice counts once", setting.key, clip(text)));
        }
    }
    let mut note = |key: &str, text: &str, why: String| {
        warnings.push(format!("{key}={}: {why}; it was left out", clip(text)));
    };
    if let Some(text) = get("shape") {
        match read_shape(text) {
            Ok(shape) => settings.network.input_shape = Some(shape),
            Err(why) => note("shape", text, why),
        }
    }
    if let Some(text) = get("data") {
        match read_points(text) {
            Ok(points) => settings.points = Some(points),
            Err(why) => note("data", text, why),
        }
    }
    let parameters =
        get("params").and_then(|text| base64url::decode(text).map_err(|why| note("params", text, why)).ok());
    if let Some(text) = get("state") {
        match text_to_bytes(text).and_then(|b| TrainerState::decode(&b)) {
            Ok(state) => decoded.state = Some(state),
            Err(why) => note("state", text, format!("the training state {why}")),
        }
    }
    if let Some(text) = get("hist") {
        match read_history(text) {
            Ok(history) => decoded.history = Some(history),
            Err(why) => note("hist", text, why),
        }
    }
    if let Some(text) = get("pos") {
        match read_position(text) {
            Ok(position) => decoded.position = Some(position),
            Err(why) => note("pos", text, why),
        }
    }
    if let Some(text) = get("sel") {
        match (read_selection(text), &mut decoded.position) {
            (Ok(selection), Some(position)) => position.selection = Some(selection),
            (Ok(selection), None) => {
                decoded.position = Some(Position { selection: Some(selection), ..Position::default() });
            }
            (Err(why), _) => note("sel", text, why),
        }
    }
    if let Some(text) = get("variant") {
        match whole::<usize>(text) {
            Ok(v) => decoded.variant = Some(v),
            Err(why) => note("variant", text, why),
        }
    }
    for (key, _) in &pairs {
        if !OTHER_KEYS.contains(&key.as_str()) && settings::find(key).is_none() {
            warnings.push(format!("\"{}\" is not a setting this page knows; it was ignored", clip(key)));
        }
    }
    make_consistent(settings, parameters, warnings);
    decoded
}

/// Fits the network to the data and the parameters to the network, or falls back with a warning.
fn make_consistent(settings: &mut Settings, parameters: Option<Vec<f64>>, warnings: &mut Vec<String>) {
    let dims = settings.points.as_ref().map_or(settings.data.dims(), |p| p.dims);
    if features::check(&settings.features, dims).is_err() {
        warnings.push("the features do not fit the data; x1 (and x2) are used".into());
        settings.features = if dims >= 2 { vec![Feature::X1, Feature::X2] } else { vec![Feature::X1] };
    }
    if let Err(e) = settings.data.validate() {
        warnings.push(format!("{e}; the default data set is used"));
        settings.data = DataSpec::default();
    }
    settings.network.inputs = features::width(&settings.features, dims);
    settings::fit_sequence_shape(&mut settings.network);
    if let Err(e) = settings.network.validate() {
        warnings.push(format!("{e}; the default network is used"));
        let inputs = settings.network.inputs;
        // The starting point's network: the lesson's, or the page's first one.
        let lesson = settings.lesson.as_deref().and_then(crate::presets::lesson);
        let base = lesson.map_or_else(|| Settings::default().network, |l| l.session.network);
        settings.network = NetworkConfig { inputs, ..base };
        if settings.network.validate().is_err() {
            settings.network = NetworkConfig { inputs, ..NetworkConfig::default() };
        }
    }
    // The outputs the data needs: a lesson's own samples (used when its inputs fit) need its
    // output layer; generated or given points, as many as their kind needs.
    let lesson = settings.lesson.as_deref().and_then(crate::presets::lesson);
    let inputs = settings.network.inputs;
    let sample_lesson =
        lesson.filter(|l| l.samples.is_some() && settings.points.is_none() && l.session.network.inputs == inputs);
    if let Some(l) = sample_lesson {
        let (out, own) = (settings.network.layers.last(), l.session.network.layers.last());
        if out.map(|o| o.units) != own.map(|o| o.units) {
            warnings.push("the lesson's samples need its own output layer, so that was used".into());
            settings.network.layers.pop();
            settings.network.layers.extend(own.cloned());
            settings.network.loss = l.session.network.loss;
        }
    } else {
        let classes = settings.points.as_ref().map_or(settings.data.problem.classes(), |p| p.classes);
        let (fitted, outputs) = settings::outputs_for(settings.target, classes, inputs);
        if settings.network.layers.last().is_some_and(|out| out.units != outputs) {
            warnings.push(format!("the data needs {outputs} output neuron(s), so the output layer was fitted"));
            settings::fit_output(&mut settings.network, fitted, outputs);
        }
    }
    if let Some(numbers) = parameters {
        if !place_parameters(&mut settings.network, &numbers) {
            warnings.push("the weights in the link do not fit its network; fresh weights are used".into());
        }
    }
}

/// Gives each layer its weights (and biases) from one flat list; false if the count is off.
/// A dense layer takes one row per neuron, a convolution one kernel per output channel (and
/// one bias per channel); pooling and flatten take none.
fn place_parameters(network: &mut NetworkConfig, numbers: &[f64]) -> bool {
    let Ok(shapes) = network.layer_shapes() else { return false };
    let mut input = network.input_shape.unwrap_or(Shape::one_d(1, network.inputs));
    let mut sizes = Vec::with_capacity(shapes.len());
    for (layer, &output) in network.layers.iter().zip(&shapes) {
        let rows = layer.kind.weight_rows(input, layer.units).filter(|_| layer.kind.has_parameters());
        sizes.push(rows.map(|(rows, per_row)| (rows, per_row, layer.bias)));
        input = output;
    }
    let needed: usize =
        sizes.iter().flatten().map(|&(rows, per_row, bias)| rows * per_row + if bias { rows } else { 0 }).sum();
    if needed != numbers.len() {
        return false;
    }
    let mut rest = numbers;
    for (layer, size) in network.layers.iter_mut().zip(sizes) {
        let Some((rows, per_row, bias)) = size else { continue };
        let (weights, tail) = rest.split_at(rows * per_row);
        layer.weights = Some(weights.chunks(per_row).map(<[f64]>::to_vec).collect());
        rest = tail;
        if bias {
            let (biases, tail) = rest.split_at(rows);
            layer.biases = Some(biases.to_vec());
            rest = tail;
        }
    }
    true
}

/// Escapes what a query value cannot hold as it is (`&`, `=`, `%`, `#`, `+`, spaces, non-ASCII).
fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.:,!~*'()".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn percent_decode(text: &str) -> Result<String, ()> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = text.get(i + 1..i + 3).ok_or(())?;
                out.push(u8::from_str_radix(hex, 16).map_err(|_| ())?);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).map_err(|_| ())
}

/// Bytes as base64url text (for the training state and the history).
pub fn bytes_to_text(bytes: &[u8]) -> String {
    base64url::encode_bytes(bytes)
}

/// base64url text back into bytes.
pub fn text_to_bytes(text: &str) -> Result<Vec<u8>, String> {
    base64url::decode_bytes(text)
}

/// f64 arrays as base64url (RFC 4648 §5, no padding) of their little-endian bytes.
mod base64url {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    pub fn encode(numbers: &[f64]) -> String {
        let bytes: Vec<u8> = numbers.iter().flat_map(|x| x.to_le_bytes()).collect();
        encode_bytes(&bytes)
    }

    pub fn encode_bytes(bytes: &[u8]) -> String {
        let mut out = String::with_capacity(bytes.len() * 4 / 3 + 3);
        for chunk in bytes.chunks(3) {
            let n = chunk.iter().enumerate().fold(0u32, |n, (k, &b)| n | u32::from(b) << (16 - 8 * k));
            for k in 0..=chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * k) & 63) as usize] as char);
            }
        }
        out
    }

    pub fn decode_bytes(text: &str) -> Result<Vec<u8>, String> {
        let mut bytes = Vec::with_capacity(text.len() * 3 / 4);
        let (mut n, mut bits) = (0u32, 0);
        for c in text.bytes() {
            let value = ALPHABET.iter().position(|&a| a == c).ok_or("not base64url")? as u32;
            n = n << 6 | value;
            bits += 6;
            if bits >= 8 {
                bits -= 8;
                bytes.push((n >> bits) as u8);
            }
        }
        Ok(bytes)
    }

    pub fn decode(text: &str) -> Result<Vec<f64>, String> {
        let bytes = decode_bytes(text)?;
        if bytes.len() % 8 != 0 {
            return Err("the numbers are cut short".into());
        }
        let numbers: Vec<f64> =
            bytes.chunks_exact(8).map(|b| f64::from_le_bytes(b.try_into().expect("8 bytes"))).collect();
        if numbers.iter().any(|x| !x.is_finite()) {
            return Err("a number is not finite".into());
        }
        Ok(numbers)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::activation::Activation;
    use crate::config::LayerConfig;
    use crate::generators::Problem;
    use crate::preprocessing::Scaling;

    fn rich_session() -> Settings {
        let mut network = NetworkConfig {
            layers: vec![
                LayerConfig { dropout: 0.25, ..LayerConfig::new(3, Activation::Relu) },
                LayerConfig { bias: false, ..LayerConfig::new(2, Activation::Tanh) },
                LayerConfig::new(3, Activation::Identity),
            ],
            seed: 77,
            ..NetworkConfig::default()
        };
        network.optimizer.learning_rate = 0.1 + 0.2; // a number with a long decimal form
        network.inputs = 3;
        Settings {
            network,
            data: DataSpec {
                problem: Problem::Spiral,
                points: 123,
                noise: 0.15,
                test_ratio: 0.3,
                seed: 5,
                ..DataSpec::default()
            },
            features: vec![Feature::X1, Feature::X2, Feature::SinX1],
            scaling: Scaling::Standardize,
            target: crate::data::Target::Inputs,
            lesson: Some("vanishing-gradients".into()),
            points: None,
            view: crate::settings::ViewSettings {
                show_test: true,
                heatmaps: false,
                log_scale: true,
                present: true,
                text_size: 1.5,
                ..Default::default()
            },
        }
    }

    #[test]
    fn a_session_round_trips_exactly() {
        let session = rich_session();
        let decoded = decode(&format!("?{}", encode(&session, &Extras::default())));
        assert_eq!(decoded.warnings, Vec::<String>::new());
        assert_eq!(decoded.settings, session);
    }

    #[test]
    fn weights_and_drawn_points_travel_bit_for_bit() {
        let mut session = rich_session();
        let mut weight = 0.1f64;
        let mut fan_in = 3;
        for layer in &mut session.network.layers {
            layer.weights = Some(
                (0..layer.units)
                    .map(|_| {
                        (0..fan_in)
                            .map(|_| {
                                weight = weight * 1.7 - 0.3;
                                weight
                            })
                            .collect()
                    })
                    .collect(),
            );
            layer.biases = layer.bias.then(|| vec![std::f64::consts::PI; layer.units]);
            fan_in = layer.units;
        }
        session.points = Some(SharedPoints {
            dims: 2,
            classes: 2,
            coords: vec![0.1, -2.5, 1e-9, 3.0],
            labels: vec![1.0, 0.0],
            train: Some(1),
        });
        let decoded = decode(&encode(&session, &Extras::default()));
        assert_eq!(decoded.warnings, Vec::<String>::new());
        assert_eq!(decoded.settings, session);
    }

    #[test]
    fn a_malformed_link_opens_with_warnings_and_defaults() {
        let decoded =
            decode("v=9&problem=donut&lr=fast&layers=4:tanh,1:sigmoid&noise=%ZZ&colour=red&params=!!&batch=-3");
        let text = decoded.warnings.join("\n");
        for needle in [
            "version 9",
            "problem: must be one of",
            "not \"donut\"",
            "lr=fast: not a finite number",
            "bad % escape",
            "\"colour\" is not a setting",
            "params=!!",
            "batch=-3",
        ] {
            assert!(text.contains(needle), "{needle} missing from:\n{text}");
        }
        assert_eq!(decoded.settings.data.problem, Problem::Circle);
        assert_eq!(
            decoded.settings.network.optimizer.learning_rate,
            Settings::default().network.optimizer.learning_rate
        );
        assert_eq!(decoded.settings.network.layers.len(), 2);
    }

    #[test]
    fn an_inconsistent_link_falls_back_to_a_working_session() {
        let d = decode("layers=4:softmax,1:sigmoid");
        assert!(d.warnings[0].contains("softmax can only be"), "{:?}", d.warnings);
        d.settings.network.validate().unwrap();
        let d = decode("layers=2:tanh,1:sigmoid&params=AAAAAAAA8D8");
        assert!(d.warnings.iter().any(|w| w.contains("do not fit its network")), "{:?}", d.warnings);
        let d = decode("problem=sine&features=x1,x2");
        assert!(d.warnings.iter().any(|w| w.contains("features do not fit")), "{:?}", d.warnings);
        assert_eq!(d.settings.network.inputs, 1);
        let long = "a".repeat(MAX_QUERY_LEN + 1);
        assert!(decode(&long).warnings[0].contains("ignored"));
        assert_eq!(decode("").settings, Settings::default());
    }

    #[test]
    fn base64url_round_trips_and_refuses_garbage() {
        let numbers = [0.0, -0.0, 1.5, f64::MIN_POSITIVE, 1e300];
        let text = base64url::encode(&numbers);
        assert!(text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
        let back = base64url::decode(&text).unwrap();
        assert_eq!(
            back.iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
            numbers.iter().map(|x| x.to_bits()).collect::<Vec<_>>()
        );
        assert!(base64url::decode("AAAA").is_err());
        assert!(base64url::decode(&base64url::encode(&[1.0])[..5]).is_err());
        assert!(base64url::decode("AAAAAAAA-H8").is_err(), "NaN refused");
    }
}
