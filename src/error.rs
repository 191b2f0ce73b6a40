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
    if value.is_finite() && value >= low && value <= high {
        Ok(())
    } else {
        Err(Error::InvalidConfig(format!(
            "{name} must be a number from {} to {}, not {}",
            short(low),
            short(high),
            short(value)
        )))
    }
}

/// A number as a message prints it: as written for everyday sizes (0.03, 100, -1), in exponent
/// form for very small or large ones (1e-300, 2.5e12), so a message stays short.
pub fn short(x: f64) -> String {
    let magnitude = x.abs();
    if x == 0.0 || !x.is_finite() || (1e-4..1e9).contains(&magnitude) {
        format!("{x}")
    } else {
        format!("{x:e}")
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
        let e = check_range("epsilon", 2.0, 1e-300, 1.0).unwrap_err().to_string();
        assert_eq!(e, "invalid network settings: epsilon must be a number from 1e-300 to 1, not 2");
    }
}
