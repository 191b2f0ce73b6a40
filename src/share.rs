//! Shareable links: the state of a session in a URL query string, so a link replays exactly
//! what the sender saw: `?v=1&problem=spiral&noise=0.1&layers=8:tanh,8:tanh,1:sigmoid&lr=0.03&seed=4…`.
//!
//! One row of `SETTINGS` per parameter says how to write it and how to read it, so adding a
//! setting is one row. Weights and small data sets travel as base64url of their f64 bytes, so
//! they come back bit for bit. Reading never fails: a parameter that cannot be read is named
//! in a warning and its default kept; a network that does not fit its data is replaced by
//! the default one, with a warning.

use crate::config::{LayerConfig, NetworkConfig};
use crate::features::{self, Feature};
use crate::generators::DataSpec;
use crate::points::Points;
use crate::preprocessing::Scaling;
use serde::{de::DeserializeOwned, Deserialize, Serialize};

pub const VERSION: u32 = 1;
/// Longer links are not read (browsers and servers start refusing URLs near this size).
pub const MAX_QUERY_LEN: usize = 32_000;
/// Weights and points beyond this many numbers are left out of links.
pub const MAX_SHARED_NUMBERS: usize = 2_000;

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

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Session {
    /// The network; layers with `weights` carry them into the link when small enough.
    pub network: NetworkConfig,
    pub data: DataSpec,
    pub features: Vec<Feature>,
    pub scaling: Scaling,
    pub lesson: Option<String>,
    pub points: Option<SharedPoints>,
}

impl Default for Session {
    fn default() -> Self {
        Session {
            network: NetworkConfig::default(),
            data: DataSpec::default(),
            features: vec![Feature::X1, Feature::X2],
            scaling: Scaling::None,
            lesson: None,
            points: None,
        }
    }
}

/// What reading a link gave: the session and what could not be read.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Decoded {
    pub session: Session,
    pub warnings: Vec<String>,
}

type Reader = fn(&mut Session, &str) -> Result<(), String>;

struct Setting {
    key: &'static str,
    write: fn(&Session) -> Option<String>,
    read: Reader,
}

fn name<T: Serialize>(value: &T) -> String {
    serde_json::to_value(value).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
}

fn named<T: DeserializeOwned>(text: &str) -> Result<T, String> {
    serde_json::from_value(serde_json::Value::String(text.to_string())).map_err(|e| e.to_string())
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

/// `units:activation[:nobias][:dropout]` per layer, comma-separated.
fn write_layers(s: &Session) -> Option<String> {
    let layer = |l: &LayerConfig| {
        let mut text = format!("{}:{}", l.units, name(&l.activation));
        if !l.bias {
            text.push_str(":nobias");
        }
        if l.dropout > 0.0 {
            text.push_str(&format!(":{}", l.dropout));
        }
        text
    };
    Some(s.network.layers.iter().map(layer).collect::<Vec<_>>().join(","))
}

fn read_layers(s: &mut Session, text: &str) -> Result<(), String> {
    let mut layers = Vec::new();
    for part in text.split(',') {
        let mut fields = part.split(':');
        let units = whole(fields.next().unwrap_or(""))?;
        let activation = named(fields.next().ok_or("a layer needs units:activation")?)?;
        let mut layer = LayerConfig::new(units, activation);
        for extra in fields {
            if extra == "nobias" {
                layer.bias = false;
            } else {
                layer.dropout = number(extra)?;
            }
        }
        layers.push(layer);
    }
    s.network.layers = layers;
    Ok(())
}

/// Every weight and bias, layer by layer, when all layers carry weights and they are few.
fn write_parameters(s: &Session) -> Option<String> {
    let mut all = Vec::new();
    for l in &s.network.layers {
        all.extend(l.weights.as_ref()?.iter().flatten());
        if l.bias {
            all.extend(l.biases.as_ref()?);
        }
    }
    (all.len() <= MAX_SHARED_NUMBERS).then(|| base64url::encode(&all))
}

fn write_points(s: &Session) -> Option<String> {
    let p = s.points.as_ref()?;
    let numbers: Vec<f64> = p.coords.iter().chain(&p.labels).copied().collect();
    let train = p.train.map_or(String::new(), |t| format!(".{t}"));
    (numbers.len() <= MAX_SHARED_NUMBERS)
        .then(|| format!("{}.{}.{}{train}", p.dims, p.classes, base64url::encode(&numbers)))
}

fn read_points(s: &mut Session, text: &str) -> Result<(), String> {
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
    s.points = Some(SharedPoints { dims, classes, coords: points.coords, labels: points.labels, train });
    Ok(())
}

macro_rules! field {
    ($key:literal, $($path:ident).+, number) => {
        Setting { key: $key, write: |s| Some(s.$($path).+.to_string()), read: |s, v| { s.$($path).+ = number(v)?; Ok(()) } }
    };
    ($key:literal, $($path:ident).+, whole) => {
        Setting { key: $key, write: |s| Some(s.$($path).+.to_string()), read: |s, v| { s.$($path).+ = whole(v)?; Ok(()) } }
    };
    ($key:literal, $($path:ident).+, named) => {
        Setting { key: $key, write: |s| Some(name(&s.$($path).+)), read: |s, v| { s.$($path).+ = named(v)?; Ok(()) } }
    };
    ($key:literal, $($path:ident).+, flag) => {
        Setting { key: $key, write: |s| Some(u8::from(s.$($path).+).to_string()), read: |s, v| { s.$($path).+ = flag(v)?; Ok(()) } }
    };
}

/// Every setting a link holds, in the order it is written. `layers` comes before `params`,
/// which needs the architecture.
static SETTINGS: &[Setting] = &[
    Setting {
        key: "lesson",
        write: |s| s.lesson.clone(),
        read: |s, v| {
            if v.is_empty() || v.len() > 64 || !v.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
                return Err("not a lesson name".into());
            }
            s.lesson = Some(v.to_string());
            Ok(())
        },
    },
    field!("problem", data.problem, named),
    field!("points", data.points, whole),
    field!("noise", data.noise, number),
    field!("test", data.test_ratio, number),
    field!("dseed", data.seed, whole),
    Setting {
        key: "features",
        write: |s| Some(s.features.iter().map(name).collect::<Vec<_>>().join(",")),
        read: |s, v| {
            s.features = v.split(',').map(named).collect::<Result<_, _>>()?;
            Ok(())
        },
    },
    field!("scaling", scaling, named),
    Setting { key: "layers", write: write_layers, read: read_layers },
    field!("loss", network.loss, named),
    field!("reduction", network.reduction, named),
    field!("init", network.initializer.kind, named),
    field!("init_low", network.initializer.low, number),
    field!("init_high", network.initializer.high, number),
    field!("init_value", network.initializer.value, number),
    field!("optimizer", network.optimizer.kind, named),
    field!("lr", network.optimizer.learning_rate, number),
    field!("momentum", network.optimizer.momentum, number),
    field!("rho", network.optimizer.rho, number),
    field!("beta1", network.optimizer.beta1, number),
    field!("beta2", network.optimizer.beta2, number),
    field!("epsilon", network.optimizer.epsilon, number),
    field!("reg", network.regularization.kind, named),
    field!("reg_rate", network.regularization.rate, number),
    field!("schedule", network.schedule.kind, named),
    field!("schedule_factor", network.schedule.factor, number),
    field!("schedule_every", network.schedule.every_epochs, whole),
    field!("schedule_total", network.schedule.total_epochs, whole),
    field!("stop_epochs", network.stop.after_epochs, whole),
    field!("stop_loss", network.stop.below_loss, number),
    field!("batch", network.batch_size, whole),
    field!("shuffle", network.shuffle, flag),
    field!("seed", network.seed, whole),
    Setting { key: "data", write: write_points, read: read_points },
    // Read by `decode` itself: the weights are placed once the architecture is known.
    Setting { key: "params", write: write_parameters, read: |_, _| Ok(()) },
];

/// The query string (without `?`) of a session.
pub fn encode(session: &Session) -> String {
    let mut parts = vec![format!("v={VERSION}")];
    parts.extend(SETTINGS.iter().filter_map(|s| (s.write)(session).map(|v| format!("{}={v}", s.key))));
    parts.join("&")
}

/// Reads a query string (with or without its leading `?` or `#`); never fails.
pub fn decode(query: &str) -> Decoded {
    let mut session = Session::default();
    let mut warnings = Vec::new();
    let query = query.trim_start_matches(['?', '#']);
    if query.len() > MAX_QUERY_LEN {
        warnings.push(format!(
            "the link is {} characters long, more than the {MAX_QUERY_LEN} read; it was ignored",
            query.len()
        ));
        return Decoded { session, warnings };
    }
    let mut pairs: Vec<(String, String)> = Vec::new();
    for part in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = part.split_once('=').unwrap_or((part, ""));
        match (percent_decode(key), percent_decode(value)) {
            (Ok(key), Ok(value)) => pairs.push((key, value)),
            _ => warnings.push(format!("could not read \"{}\" (bad % escape)", shorten(part))),
        }
    }
    if let Some((_, v)) = pairs.iter().find(|(k, _)| k == "v") {
        if v != &VERSION.to_string() {
            warnings.push(format!(
                "the link is of version {}, this page reads version {VERSION}: settings were read as far as possible",
                shorten(v)
            ));
        }
    }
    let mut parameters = None;
    for setting in SETTINGS {
        let Some((_, value)) = pairs.iter().find(|(k, _)| k == setting.key) else { continue };
        let result = if setting.key == "params" {
            base64url::decode(value).map(|p| parameters = Some(p))
        } else {
            (setting.read)(&mut session, value)
        };
        if let Err(why) = result {
            warnings.push(format!("{}={}: {why}; the default was kept", setting.key, shorten(value)));
        }
    }
    for (key, _) in &pairs {
        if key != "v" && !SETTINGS.iter().any(|s| s.key == key) {
            warnings.push(format!("\"{}\" is not a setting this page knows; it was ignored", shorten(key)));
        }
    }
    make_consistent(&mut session, parameters, &mut warnings);
    Decoded { session, warnings }
}

/// Fits the network to the data and the parameters to the network, or falls back with a warning.
fn make_consistent(session: &mut Session, parameters: Option<Vec<f64>>, warnings: &mut Vec<String>) {
    let dims = session.points.as_ref().map_or(session.data.problem.dims(), |p| p.dims);
    if features::check(&session.features, dims).is_err() {
        warnings.push("the features do not fit the data; x1 (and x2) are used".into());
        session.features = if dims >= 2 { vec![Feature::X1, Feature::X2] } else { vec![Feature::X1] };
    }
    if let Err(e) = session.data.validate() {
        warnings.push(format!("{e}; the default data set is used"));
        session.data = DataSpec::default();
    }
    session.network.inputs = features::width(&session.features, dims);
    if let Err(e) = session.network.validate() {
        warnings.push(format!("{e}; the default network is used"));
        let inputs = session.network.inputs;
        session.network = NetworkConfig { inputs, ..NetworkConfig::default() };
    }
    if let Some(numbers) = parameters {
        if !place_parameters(&mut session.network, &numbers) {
            warnings.push("the weights in the link do not fit its network; fresh weights are used".into());
        }
    }
}

/// Gives each layer its weights (and biases) from one flat list; false if the count is off.
fn place_parameters(network: &mut NetworkConfig, numbers: &[f64]) -> bool {
    let mut fan_in = network.inputs;
    let needed: usize = network
        .layers
        .iter()
        .map(|l| {
            let n = l.units * fan_in + if l.bias { l.units } else { 0 };
            fan_in = l.units;
            n
        })
        .sum();
    if needed != numbers.len() {
        return false;
    }
    let (mut rest, mut fan_in) = (numbers, network.inputs);
    for layer in &mut network.layers {
        let (weights, tail) = rest.split_at(layer.units * fan_in);
        layer.weights = Some(weights.chunks(fan_in).map(<[f64]>::to_vec).collect());
        rest = tail;
        if layer.bias {
            let (biases, tail) = rest.split_at(layer.units);
            layer.biases = Some(biases.to_vec());
            rest = tail;
        }
        fan_in = layer.units;
    }
    true
}

fn shorten(text: &str) -> String {
    if text.chars().count() > 40 {
        format!("{}…", text.chars().take(40).collect::<String>())
    } else {
        text.to_string()
    }
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

/// f64 arrays as base64url (RFC 4648 §5, no padding) of their little-endian bytes.
mod base64url {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    pub fn encode(numbers: &[f64]) -> String {
        let bytes: Vec<u8> = numbers.iter().flat_map(|x| x.to_le_bytes()).collect();
        let mut out = String::with_capacity(bytes.len() * 4 / 3 + 3);
        for chunk in bytes.chunks(3) {
            let n = chunk.iter().enumerate().fold(0u32, |n, (k, &b)| n | u32::from(b) << (16 - 8 * k));
            for k in 0..=chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * k) & 63) as usize] as char);
            }
        }
        out
    }

    pub fn decode(text: &str) -> Result<Vec<f64>, String> {
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
    use crate::generators::Problem;

    fn rich_session() -> Session {
        let mut network = NetworkConfig {
            layers: vec![
                LayerConfig { dropout: 0.25, ..LayerConfig::new(3, Activation::Relu) },
                LayerConfig { bias: false, ..LayerConfig::new(2, Activation::Tanh) },
                LayerConfig::new(1, Activation::Sigmoid),
            ],
            seed: 77,
            ..NetworkConfig::default()
        };
        network.optimizer.learning_rate = 0.1 + 0.2; // a number with a long decimal form
        network.inputs = 3;
        Session {
            network,
            data: DataSpec { problem: Problem::Spiral, points: 123, noise: 0.15, test_ratio: 0.3, seed: 5 },
            features: vec![Feature::X1, Feature::X2, Feature::SinX1],
            scaling: Scaling::Standardize,
            lesson: Some("vanishing-gradients".into()),
            points: None,
        }
    }

    #[test]
    fn a_session_round_trips_exactly() {
        let session = rich_session();
        let decoded = decode(&format!("?{}", encode(&session)));
        assert_eq!(decoded.warnings, Vec::<String>::new());
        assert_eq!(decoded.session, session);
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
        let decoded = decode(&encode(&session));
        assert_eq!(decoded.warnings, Vec::<String>::new());
        assert_eq!(decoded.session, session);
    }

    #[test]
    fn a_malformed_link_opens_with_warnings_and_defaults() {
        let decoded =
            decode("v=9&problem=donut&lr=fast&layers=4:tanh,1:sigmoid&noise=%ZZ&colour=red&params=!!&batch=-3");
        let text = decoded.warnings.join("\n");
        for needle in [
            "version 9",
            "problem=donut",
            "lr=fast: not a finite number",
            "bad % escape",
            "\"colour\" is not a setting",
            "params=!!",
            "batch=-3",
        ] {
            assert!(text.contains(needle), "{needle} missing from:\n{text}");
        }
        assert_eq!(decoded.session.data.problem, Problem::Circle);
        assert_eq!(decoded.session.network.optimizer.learning_rate, NetworkConfig::default().optimizer.learning_rate);
        assert_eq!(decoded.session.network.layers.len(), 2);
    }

    #[test]
    fn an_inconsistent_link_falls_back_to_a_working_session() {
        let d = decode("layers=4:softmax,1:sigmoid");
        assert!(d.warnings[0].contains("softmax can only be"), "{:?}", d.warnings);
        d.session.network.validate().unwrap();
        let d = decode("layers=2:tanh,1:sigmoid&params=AAAAAAAA8D8");
        assert!(d.warnings.iter().any(|w| w.contains("do not fit its network")), "{:?}", d.warnings);
        let d = decode("problem=sine&features=x1,x2");
        assert!(d.warnings.iter().any(|w| w.contains("features do not fit")), "{:?}", d.warnings);
        assert_eq!(d.session.network.inputs, 1);
        let long = "a".repeat(MAX_QUERY_LEN + 1);
        assert!(decode(&long).warnings[0].contains("ignored"));
        assert_eq!(decode("").session, Session::default());
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
