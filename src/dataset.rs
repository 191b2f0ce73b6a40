//! A data set: rows of inputs x and targets y, stored flat and row-major.
//!
//! Given as two arrays (n × inputs and n × outputs) and checked against the network and its
//! loss before anything is replaced, so a bad data set changes nothing.

use crate::config::MAX_SAMPLES;
use crate::error::{Error, Result};
use crate::loss::Loss;

#[derive(Clone, Debug, PartialEq)]
pub struct Dataset {
    pub inputs: Vec<f64>,
    pub targets: Vec<f64>,
    pub input_width: usize,
    pub target_width: usize,
}

impl Dataset {
    pub fn new(
        inputs: Vec<f64>,
        targets: Vec<f64>,
        input_width: usize,
        target_width: usize,
        loss: Loss,
    ) -> Result<Dataset> {
        let bad = |why: String| Err(Error::InvalidData(why));
        if !inputs.len().is_multiple_of(input_width) {
            return bad(format!("{} input numbers do not make whole rows of {input_width}", inputs.len()));
        }
        let len = inputs.len() / input_width;
        if len == 0 {
            return bad("the data set is empty".into());
        }
        if len > MAX_SAMPLES {
            return bad(format!("{len} samples is more than the limit of {MAX_SAMPLES}"));
        }
        if targets.len() != len * target_width {
            return bad(format!(
                "{len} samples need {} target numbers ({target_width} per sample), but {} were given",
                len * target_width,
                targets.len()
            ));
        }
        if let Some(p) = inputs.iter().position(|x| !x.is_finite()) {
            return bad(format!("sample {}: input {} is not a finite number", p / input_width, p % input_width));
        }
        if let Some(p) = targets.iter().position(|y| !y.is_finite()) {
            return bad(format!("sample {}: target {} is not a finite number", p / target_width, p % target_width));
        }
        for (s, row) in targets.chunks_exact(target_width).enumerate() {
            loss.check_target(row, s)?;
        }
        Ok(Dataset { inputs, targets, input_width, target_width })
    }

    pub fn len(&self) -> usize {
        self.inputs.len() / self.input_width
    }

    pub fn is_empty(&self) -> bool {
        self.inputs.is_empty()
    }

    pub fn input_row(&self, s: usize) -> &[f64] {
        &self.inputs[s * self.input_width..(s + 1) * self.input_width]
    }

    pub fn target_row(&self, s: usize) -> &[f64] {
        &self.targets[s * self.target_width..(s + 1) * self.target_width]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_and_values_are_checked() {
        let ok = Dataset::new(vec![0.0, 1.0, 2.0, 3.0], vec![0.0, 1.0], 2, 1, Loss::SquaredError).unwrap();
        assert_eq!(ok.len(), 2);
        assert_eq!(ok.input_row(1), &[2.0, 3.0]);
        let err = |i: Vec<f64>, t: Vec<f64>, loss| Dataset::new(i, t, 2, 1, loss).unwrap_err().to_string();
        assert!(err(vec![0.0; 3], vec![0.0], Loss::SquaredError).contains("whole rows"));
        assert!(err(vec![], vec![], Loss::SquaredError).contains("empty"));
        assert!(err(vec![0.0; 4], vec![0.0], Loss::SquaredError).contains("need 2 target numbers"));
        assert!(err(vec![0.0, f64::NAN, 0.0, 0.0], vec![0.0; 2], Loss::SquaredError).contains("sample 0: input 1"));
        assert!(err(vec![0.0; 4], vec![0.0, 2.0], Loss::BinaryCrossEntropy).contains("sample 1"));
        assert!(err(vec![0.0; 2 * (MAX_SAMPLES + 1)], vec![0.0; MAX_SAMPLES + 1], Loss::SquaredError).contains("limit"));
    }
}
