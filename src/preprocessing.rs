//! Scaling of the inputs, fitted on the training split only (so the test split stays unseen):
//! - `none`
//! - `standardize`: x′ = (x − mean) / standard deviation
//! - `min_max`:     x′ = (x − min) / (max − min), into [0, 1] on the training data
//!
//! A column that does not vary is only shifted (its scale is taken as 1).

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scaling {
    #[default]
    None,
    Standardize,
    MinMax,
}

/// A fitted scaling: x′ = (x − offset) / scale, per column.
#[derive(Clone, Debug, PartialEq)]
pub struct Scaler {
    pub offset: Vec<f64>,
    pub scale: Vec<f64>,
}

impl Scaler {
    /// Fits `scaling` to the training inputs (rows × width).
    pub fn fit(scaling: Scaling, inputs: &[f64], width: usize) -> Scaler {
        let rows = inputs.len() / width.max(1);
        let column = |c: usize| inputs.iter().skip(c).step_by(width);
        let (mut offset, mut scale) = (vec![0.0; width], vec![1.0; width]);
        if rows > 0 {
            for c in 0..width {
                let (o, s) = match scaling {
                    Scaling::None => (0.0, 1.0),
                    Scaling::Standardize => {
                        let mean = column(c).sum::<f64>() / rows as f64;
                        let variance = column(c).map(|x| (x - mean) * (x - mean)).sum::<f64>() / rows as f64;
                        (mean, variance.sqrt())
                    }
                    Scaling::MinMax => {
                        let (lo, hi) =
                            column(c).fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &x| (lo.min(x), hi.max(x)));
                        (lo, hi - lo)
                    }
                };
                offset[c] = o;
                scale[c] = if s > 0.0 && s.is_finite() { s } else { 1.0 };
            }
        }
        Scaler { offset, scale }
    }

    /// Scales rows of inputs in place.
    pub fn apply(&self, inputs: &mut [f64]) {
        let width = self.offset.len();
        for row in inputs.chunks_exact_mut(width) {
            for ((x, o), s) in row.iter_mut().zip(&self.offset).zip(&self.scale) {
                *x = (*x - o) / s;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standardize_and_min_max_fit_the_training_data() {
        let train = [1.0, 10.0, 3.0, 10.0, 5.0, 10.0];
        let mut x = train;
        Scaler::fit(Scaling::Standardize, &train, 2).apply(&mut x);
        let sd = (8.0f64 / 3.0).sqrt();
        assert_eq!(x, [-2.0 / sd, 0.0, 0.0, 0.0, 2.0 / sd, 0.0]);
        let mut x = train;
        let min_max = Scaler::fit(Scaling::MinMax, &train, 2);
        min_max.apply(&mut x);
        assert_eq!(x, [0.0, 0.0, 0.5, 0.0, 1.0, 0.0]);
        // Test data is scaled with the training fit, so it may leave [0, 1].
        let mut test = [7.0, 11.0];
        min_max.apply(&mut test);
        assert_eq!(test, [1.5, 1.0]);
        let mut x = train;
        Scaler::fit(Scaling::None, &train, 2).apply(&mut x);
        assert_eq!(x, train);
    }
}
