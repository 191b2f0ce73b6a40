//! L1 and L2 regularization of the weights (biases are not regularized).
//!
//! - `l1`: penalty λ Σ |w|,    its gradient λ · sign(w)
//! - `l2`: penalty ½ λ Σ w²,   its gradient λ · w
//!
//! The gradient of the penalty is added to the data gradient at the update, so `grad_weights`
//! keeps the pure chain-rule value dL/dw = δ · a_prev that the inspector explains.

use crate::error::{check_range, Result};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RegularizationKind {
    #[default]
    None,
    L1,
    L2,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Regularization {
    pub kind: RegularizationKind,
    /// λ
    pub rate: f64,
}

impl Regularization {
    pub fn validate(&self) -> Result<()> {
        check_range("the regularization rate", self.rate, 0.0, 10.0)
    }

    /// d(penalty)/dw
    #[inline(always)]
    pub fn gradient(&self, w: f64) -> f64 {
        match self.kind {
            RegularizationKind::None => 0.0,
            RegularizationKind::L1 => l1_gradient(self.rate, w),
            RegularizationKind::L2 => l2_gradient(self.rate, w),
        }
    }

    /// The penalty of a set of weights.
    pub fn penalty(&self, weights: &[f64]) -> f64 {
        match self.kind {
            RegularizationKind::None => 0.0,
            RegularizationKind::L1 => self.rate * weights.iter().map(|w| w.abs()).sum::<f64>(),
            RegularizationKind::L2 => 0.5 * self.rate * weights.iter().map(|w| w * w).sum::<f64>(),
        }
    }
}

/// λ · sign(w)
#[inline(always)]
pub fn l1_gradient(rate: f64, w: f64) -> f64 {
    if w > 0.0 {
        rate
    } else if w < 0.0 {
        -rate
    } else {
        0.0
    }
}

/// λ · w
#[inline(always)]
pub fn l2_gradient(rate: f64, w: f64) -> f64 {
    rate * w
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gradients_are_the_derivatives_of_the_penalties() {
        for kind in [RegularizationKind::L1, RegularizationKind::L2] {
            let r = Regularization { kind, rate: 0.3 };
            for w in [-1.7, 0.4] {
                let numeric = (r.penalty(&[w + 1e-6]) - r.penalty(&[w - 1e-6])) / 2e-6;
                assert!((r.gradient(w) - numeric).abs() < 1e-8, "{kind:?} {w}");
            }
        }
        assert_eq!(Regularization::default().gradient(3.0), 0.0);
    }
}
