//! Loss functions, their gradient with respect to the output, and the batch reduction.
//!
//! Per sample (sums run over the output neurons i):
//! - `squared_error`:         L = ½ Σ (y_i − a_i)²,                   dL/da_i = a_i − y_i
//! - `binary_cross_entropy`:  L = −Σ [y_i ln a_i + (1 − y_i) ln(1 − a_i)], dL/da_i = (a_i − y_i) / (a_i (1 − a_i))
//! - `softmax_cross_entropy`: L = −Σ y_i ln a_i,                       dL/da_i = −y_i / a_i
//!
//! Cross-entropy is paired with its natural output (sigmoid, softmax), and then the output
//! layer's δ = dL/dz simplifies to a − y, which is both exact and free of 0/0 when the output
//! saturates. Over a batch of B samples the loss is the mean (default) or the sum of the
//! per-sample losses, and every gradient is scaled the same way.

use crate::activation::Activation;
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Loss {
    #[default]
    SquaredError,
    BinaryCrossEntropy,
    SoftmaxCrossEntropy,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reduction {
    /// L = (1/B) Σ_s L_s
    #[default]
    Mean,
    /// L = Σ_s L_s (as many textbook examples do)
    Sum,
}

impl Reduction {
    /// The factor that turns a sum over the batch into the reduced value.
    pub fn scale(self, batch_len: usize) -> f64 {
        match self {
            Reduction::Mean => 1.0 / batch_len as f64,
            Reduction::Sum => 1.0,
        }
    }
}

impl Loss {
    pub const ALL: [Loss; 3] = [Loss::SquaredError, Loss::BinaryCrossEntropy, Loss::SoftmaxCrossEntropy];

    pub fn name(self) -> &'static str {
        match self {
            Loss::SquaredError => "squared_error",
            Loss::BinaryCrossEntropy => "binary_cross_entropy",
            Loss::SoftmaxCrossEntropy => "softmax_cross_entropy",
        }
    }

    /// The output activation this loss requires, if any.
    pub fn required_output(self) -> Option<Activation> {
        match self {
            Loss::SquaredError => None,
            Loss::BinaryCrossEntropy => Some(Activation::Sigmoid),
            Loss::SoftmaxCrossEntropy => Some(Activation::Softmax),
        }
    }

    /// True when the output δ is the simplified a − y rather than dL/da ⊙ f'(z).
    pub fn has_simplified_delta(self) -> bool {
        self.required_output().is_some()
    }

    /// L for one sample, from the output layer's pre-activations z and activations a.
    /// Cross-entropy is computed from z so that it stays finite when a rounds to 0 or 1.
    pub fn sample_loss(self, z: &[f64], a: &[f64], y: &[f64]) -> f64 {
        match self {
            Loss::SquaredError => 0.5 * a.iter().zip(y).map(|(a_i, y_i)| (y_i - a_i) * (y_i - a_i)).sum::<f64>(),
            // −[y ln σ(z) + (1 − y) ln(1 − σ(z))] = max(z, 0) − z·y + ln(1 + e^(−|z|))
            Loss::BinaryCrossEntropy => {
                z.iter().zip(y).map(|(&z_i, &y_i)| z_i.max(0.0) - z_i * y_i + (-z_i.abs()).exp().ln_1p()).sum()
            }
            // ln a_i = z_i − ln Σ_k e^(z_k)
            Loss::SoftmaxCrossEntropy => {
                let max = z.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                let log_sum = max + z.iter().map(|z_k| (z_k - max).exp()).sum::<f64>().ln();
                z.iter().zip(y).filter(|(_, &y_i)| y_i != 0.0).map(|(z_i, y_i)| -y_i * (z_i - log_sum)).sum()
            }
        }
    }

    /// dL/da for one sample (what the output layer receives from the loss).
    pub fn grad_output(self, a: &[f64], y: &[f64], grad_a: &mut [f64]) {
        for ((g, &a_i), &y_i) in grad_a.iter_mut().zip(a).zip(y) {
            *g = match self {
                Loss::SquaredError => a_i - y_i,
                Loss::BinaryCrossEntropy => (a_i - y_i) / (a_i * (1.0 - a_i)),
                Loss::SoftmaxCrossEntropy => -y_i / a_i,
            };
        }
    }

    /// The output layer's δ = dL/dz for one sample.
    pub fn output_delta(self, f: Activation, z: &[f64], a: &[f64], y: &[f64], grad_a: &[f64], delta: &mut [f64]) {
        if self.has_simplified_delta() {
            // sigmoid + binary cross-entropy, softmax + cross-entropy: dL/dz = a − y
            for ((d, &a_i), &y_i) in delta.iter_mut().zip(a).zip(y) {
                *d = a_i - y_i;
            }
        } else {
            // dL/dz = dL/da ⊙ f'(z)
            f.backward_row(z, a, grad_a, delta);
        }
    }

    /// Checks one target row against what this loss can take.
    pub fn check_target(self, row: &[f64], sample: usize) -> Result<()> {
        match self {
            Loss::SquaredError => Ok(()),
            Loss::BinaryCrossEntropy => match row.iter().find(|y| !(0.0..=1.0).contains(*y)) {
                None => Ok(()),
                Some(y) => Err(Error::InvalidData(format!(
                    "sample {sample}: binary cross-entropy needs targets from 0 to 1, found {y}"
                ))),
            },
            Loss::SoftmaxCrossEntropy => {
                let sum: f64 = row.iter().sum();
                if row.iter().any(|&y| y < 0.0) || (sum - 1.0).abs() > 1e-9 {
                    Err(Error::InvalidData(format!(
                        "sample {sample}: softmax cross-entropy needs targets that are probabilities summing to 1 (one-hot classes), found {row:?}"
                    )))
                } else {
                    Ok(())
                }
            }
        }
    }

    /// The formula of the output δ, for the inspector.
    pub fn output_delta_formula(self) -> &'static str {
        match self {
            Loss::SquaredError => "δ = dL/dŷ · f'(z) = (ŷ − y) · f'(z)",
            Loss::BinaryCrossEntropy | Loss::SoftmaxCrossEntropy => "δ = dL/dz = ŷ − y",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cross_entropies_agree_with_their_textbook_forms() {
        let z = [0.4, -1.3];
        let a: Vec<f64> = z.iter().map(|&z| crate::activation::sigmoid(z)).collect();
        let y = [1.0, 0.25];
        let textbook: f64 = a.iter().zip(&y).map(|(a, y)| -(y * a.ln() + (1.0 - y) * (1.0 - a).ln())).sum();
        assert!((Loss::BinaryCrossEntropy.sample_loss(&z, &a, &y) - textbook).abs() < 1e-14);

        let z = [0.2, 1.5, -0.3];
        let mut p = [0.0; 3];
        Activation::Softmax.forward_row(&z, &mut p);
        let y = [0.0, 1.0, 0.0];
        let textbook = -(p[1].ln());
        assert!((Loss::SoftmaxCrossEntropy.sample_loss(&z, &p, &y) - textbook).abs() < 1e-14);
    }

    #[test]
    fn cross_entropy_stays_finite_when_the_output_saturates() {
        let z = [800.0];
        let a = [1.0];
        let loss = Loss::BinaryCrossEntropy.sample_loss(&z, &a, &[0.0]);
        assert!((loss - 800.0).abs() < 1e-9, "{loss}");
    }

    #[test]
    fn targets_are_checked() {
        assert!(Loss::BinaryCrossEntropy.check_target(&[1.5], 3).is_err());
        assert!(Loss::SoftmaxCrossEntropy.check_target(&[0.5, 0.4], 0).is_err());
        assert!(Loss::SoftmaxCrossEntropy.check_target(&[0.0, 1.0], 0).is_ok());
        assert!(Loss::SquaredError.check_target(&[-7.0], 0).is_ok());
    }
}
