//! Indices and counts as a caller passes them: from JavaScript any value can arrive where a
//! number is meant (`undefined`, `NaN`, `-1`, `2**32`, `1.5`, a string). Each is taken as a
//! whole number in a stated range, or refused with a message that names the argument and the
//! range. Nothing is wrapped, truncated or read as 0 (what wasm-bindgen's `u32` does).

use crate::error::{short, Error, Result};

/// What arrived where a number was expected.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Given {
    /// A JS number (any, NaN and infinities included).
    Number(f64),
    /// Anything else, named for the message: "undefined", "null", "a string", …
    Other(&'static str),
}

impl Given {
    /// What the message calls it.
    fn describe(self) -> String {
        match self {
            Given::Number(x) => short(x),
            Given::Other(what) => what.to_string(),
        }
    }
}

/// `given` as a whole number from `low` to `high`, or an `OutOfRange` error:
/// "layer must be a whole number from 0 to 1, not -1".
pub fn whole(name: &str, given: Given, low: u64, high: u64) -> Result<u64> {
    match given {
        // Below 2^53 every whole f64 is exact, so the comparison and the cast lose nothing.
        Given::Number(x) if x.fract() == 0.0 && x >= low as f64 && x <= high as f64 => Ok(x as u64),
        _ => Err(Error::OutOfRange(format!(
            "{name} must be a whole number from {low} to {high}, not {}",
            given.describe()
        ))),
    }
}

/// `given` as an index into `count` things called `name` (0 to count − 1).
pub fn index(name: &str, given: Given, count: usize) -> Result<usize> {
    if count == 0 {
        return Err(Error::OutOfRange(format!("there is no {name} to choose: there are none")));
    }
    whole(name, given, 0, count as u64 - 1).map(|x| x as usize)
}

/// `given` as a `u32` from `low` to `high` (a count, a seed, a colour).
pub fn whole_u32(name: &str, given: Given, low: u32, high: u32) -> Result<u32> {
    whole(name, given, low.into(), high.into()).map(|x| x as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_numbers_in_range_pass_and_nothing_else_does() {
        assert_eq!(whole("steps", Given::Number(3.0), 0, 10), Ok(3));
        assert_eq!(index("layer", Given::Number(1.0), 2), Ok(1));
        let refused = |given| index("layer", given, 2).unwrap_err().to_string();
        assert_eq!(refused(Given::Number(-1.0)), "layer must be a whole number from 0 to 1, not -1");
        assert_eq!(refused(Given::Number(4294967296.0)), "layer must be a whole number from 0 to 1, not 4294967296");
        assert_eq!(refused(Given::Number(f64::NAN)), "layer must be a whole number from 0 to 1, not NaN");
        assert_eq!(refused(Given::Number(0.5)), "layer must be a whole number from 0 to 1, not 0.5");
        assert_eq!(refused(Given::Other("undefined")), "layer must be a whole number from 0 to 1, not undefined");
        assert!(refused(Given::Number(f64::INFINITY)).ends_with("not Infinity"));
        assert!(index("sample", Given::Number(0.0), 0).unwrap_err().to_string().contains("none"));
    }
}
