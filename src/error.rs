//! The errors a user can cause, with messages a student understands.
//!
//! Every entry point that takes user input returns `Result<_, Error>`; the wasm face turns
//! these into JavaScript `Error`s whose message is the `Display` text below.

use std::fmt;

#[derive(Debug, Clone, PartialEq)]
pub enum Error {
    /// The network configuration (shape, activations, hyper-parameters) is not usable.
    InvalidConfig(String),
    /// A data set does not fit the network or holds values the loss cannot take.
    InvalidData(String),
    /// A model file is malformed, of another format or version, or inconsistent.
    InvalidModelFile(String),
    /// A file or link could not be read as written (a CSV line that is not numbers, …).
    Parse(String),
    /// One setting of the catalogue was refused: `field` is its key, `why` the whole message.
    InvalidSetting { field: String, why: String },
    /// A size limit was passed (a file, a number of points, of steps per call).
    Limit(String),
    /// A request names a layer, neuron or input that does not exist, or an out-of-range value.
    OutOfRange(String),
    /// Training needs data and none is loaded.
    NoData,
    /// A step was refused by one of the divergence rules (`rule`): a number of the step became
    /// NaN or infinite, or the loss jumped far over its recent minimum. The network kept is the
    /// one after step `kept_step`, the last with a finite, sane loss (see `trainer`).
    Diverged { step: u64, what: String, rule: DivergenceRule, kept_step: u64 },
}

/// Which divergence rule refused a step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DivergenceRule {
    /// A number of the step (z, a, the loss, δ, a gradient, a new weight) was NaN or infinite.
    NonFinite,
    /// The loss was more than `trainer::LOSS_JUMP_FACTOR` times its recent minimum.
    LossJump,
}

impl DivergenceRule {
    /// The name the page branches on.
    pub fn name(self) -> &'static str {
        match self {
            DivergenceRule::NonFinite => "non_finite",
            DivergenceRule::LossJump => "loss_jump",
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidConfig(why) => write!(f, "invalid network settings: {why}"),
            Error::InvalidData(why) => write!(f, "invalid data: {why}"),
            Error::InvalidModelFile(why) => write!(f, "cannot read the model file: {why}"),
            Error::Parse(why) | Error::Limit(why) => write!(f, "{why}"),
            Error::InvalidSetting { why, .. } => write!(f, "{why}"),
            Error::OutOfRange(why) => write!(f, "{why}"),
            Error::NoData => write!(f, "no training data is loaded"),
            Error::Diverged { step, what, kept_step, .. } if *kept_step + 1 == *step => {
                write!(f, "training diverged at step {step}: {what}; the network was kept as it was before this step")
            }
            Error::Diverged { step, what, kept_step, .. } => {
                write!(f, "training diverged at step {step}: {what}; the network went back to step {kept_step}, the last with a sane loss")
            }
        }
    }
}

impl std::error::Error for Error {}

impl Error {
    /// What kind of error this is, for code that must react to it (the page branches on
    /// this, never on the message): `invalid_setting`, `invalid_data`, `parse`, `limit`,
    /// `out_of_range`, `no_data` or `diverged`.
    pub fn kind(&self) -> &'static str {
        match self {
            Error::InvalidConfig(_) | Error::InvalidSetting { .. } => "invalid_setting",
            Error::InvalidData(_) => "invalid_data",
            Error::InvalidModelFile(_) | Error::Parse(_) => "parse",
            Error::Limit(_) => "limit",
            Error::OutOfRange(_) => "out_of_range",
            Error::NoData => "no_data",
            Error::Diverged { .. } => "diverged",
        }
    }

    /// The setting at fault, where one is.
    pub fn field(&self) -> Option<&str> {
        match self {
            Error::InvalidSetting { field, .. } => Some(field),
            _ => None,
        }
    }

    /// The step at which training diverged.
    pub fn step(&self) -> Option<u64> {
        match self {
            Error::Diverged { step, .. } => Some(*step),
            _ => None,
        }
    }
}

pub type Result<T> = std::result::Result<T, Error>;

/// Fails with `InvalidConfig` unless `value` is finite and within `[low, high]`.
pub(crate) fn check_range(name: &str, value: f64, low: f64, high: f64) -> Result<()> {
    check_interval(name, value, (low, false), high)
}

/// Fails with `InvalidConfig` unless `value` is finite and within `(low, high]`.
pub(crate) fn check_above(name: &str, value: f64, low: f64, high: f64) -> Result<()> {
    check_interval(name, value, (low, true), high)
}

fn check_interval(name: &str, value: f64, (low, exclusive): (f64, bool), high: f64) -> Result<()> {
    let above = if exclusive { value > low } else { value >= low };
    if value.is_finite() && above && value <= high {
        Ok(())
    } else {
        // "above 0 to 100" reads wrongly: an open end says so in words.
        let (from, to) = if exclusive { ("above", "and at most") } else { ("from", "to") };
        Err(Error::InvalidConfig(format!(
            "{name} must be a number {from} {} {to} {}, not {}",
            short(low),
            short(high),
            short(value)
        )))
    }
}

/// Text a user gave (a field of a file, a part of a link) as a message quotes it: at most
/// `CLIP` characters, then an ellipsis.
pub fn clip(text: &str) -> String {
    const CLIP: usize = 24;
    if text.chars().count() > CLIP {
        format!("{}…", text.chars().take(CLIP).collect::<String>())
    } else {
        text.to_string()
    }
}

/// A message from a parser (serde's "invalid type: string \"…\"", "unknown variant `…`") with
/// every quoted piece of the user's text clipped as `clip` does, and the whole kept to 160
/// characters.
pub fn clip_quoted(message: &str) -> String {
    let mut out = String::new();
    let mut rest = message;
    while let Some(open) = rest.find(['"', '`']) {
        let quote = rest[open..].chars().next().unwrap_or('"');
        out.push_str(&rest[..=open]);
        let inner = &rest[open + 1..];
        let close = inner.find(quote).unwrap_or(inner.len());
        out.push_str(&clip(&inner[..close]));
        rest = &inner[close..];
        if let Some(stripped) = rest.strip_prefix(quote) {
            out.push(quote);
            rest = stripped;
        }
    }
    out.push_str(rest);
    if out.chars().count() > 160 {
        out = format!("{}…", out.chars().take(160).collect::<String>());
    }
    out
}

/// A number as a message prints it, short: as written when that is short (0.03, 100, -1,
/// 4294967296), else rounded to six significant digits (0.3, not 0.30000000000000004), and in
/// exponent form with four for very small or large ones (1e-5, 2.225e-308, 2.5e12), so a message
/// never holds 300 digits. NaN and the infinities are written as JavaScript writes them. Every
/// message that prints a number goes through this.
pub fn short(x: f64) -> String {
    if x.is_nan() {
        return "NaN".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "Infinity" } else { "-Infinity" }.into();
    }
    let magnitude = x.abs();
    let plain = format!("{x}");
    if x == 0.0 || (plain.len() <= 12 && magnitude >= 1e-4) {
        return plain;
    }
    if (1e-4..1e12).contains(&magnitude) {
        let digits = (5 - magnitude.log10().floor() as i32).max(0) as usize;
        let rounded = format!("{x:.digits$}");
        return if rounded.contains('.') {
            rounded.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            rounded
        };
    }
    let e = format!("{x:.3e}");
    match e.split_once('e') {
        Some((mantissa, exponent)) => {
            format!("{}e{exponent}", mantissa.trim_end_matches('0').trim_end_matches('.'))
        }
        None => e,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_in_messages_are_short() {
        assert_eq!(short(0.03), "0.03");
        assert_eq!(short(-1.0), "-1");
        assert_eq!(short(100.0), "100");
        assert_eq!(short(1e-300), "1e-300");
        assert_eq!(short(1e-12), "1e-12");
        assert_eq!(short(2.5e12), "2.5e12");
        assert_eq!(short(f64::NAN), "NaN");
        let long = "x".repeat(300);
        let clipped = clip_quoted(&format!("invalid type: string \"{long}\", expected `{long}`"));
        assert_eq!(clipped, format!("invalid type: string \"{}…\", expected `{}…`", &long[..24], &long[..24]));
        assert_eq!(short(f64::NEG_INFINITY), "-Infinity");
        assert_eq!(short(f64::MIN_POSITIVE), "2.225e-308");
        assert_eq!(short(1e-5), "1e-5");
        assert_eq!(short(0.1 + 0.2), "0.3");
        assert_eq!(short(4294967296.0), "4294967296");
        assert_eq!(short(123456789012345.0), "1.235e14");
        assert_eq!(short(-1234567.891234), "-1234568");
        assert_eq!(short(f64::MAX), "1.798e308");
        let e = check_range("epsilon", 2.0, 1e-300, 1.0).unwrap_err().to_string();
        assert_eq!(e, "invalid network settings: epsilon must be a number from 1e-300 to 1, not 2");
    }
}
