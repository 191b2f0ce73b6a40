//! Optimizers: how a gradient g becomes a parameter change Δ.
//!
//! Each parameter keeps two numbers of state, m and v (unused ones stay 0), and t counts the
//! updates applied so far, this one included:
//! - `sgd`:      Δ = −η g
//! - `momentum`: m ← μ m + g,                 Δ = −η m                     (PyTorch's form, so η can change mid-run)
//! - `rmsprop`:  v ← ρ v + (1 − ρ) g²,        Δ = −η g / (√v + ε)           (Hinton, lecture 6e)
//! - `adam`:     m ← β₁ m + (1 − β₁) g, v ← β₂ v + (1 − β₂) g²,
//!               Δ = −η m̂ / (√v̂ + ε), m̂ = m / (1 − β₁ᵗ), v̂ = v / (1 − β₂ᵗ) (Kingma & Ba 2015)
//!
//! Any hyper-parameter can change between two steps; the state carries over.

use crate::error::{check_range, Result};
use crate::regularization::{l1_gradient, l2_gradient, Regularization, RegularizationKind};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OptimizerKind {
    #[default]
    Sgd,
    Momentum,
    Rmsprop,
    Adam,
}

/// The largest learning rate accepted (the page's slider goes to 10).
pub const MAX_LEARNING_RATE: f64 = 100.0;

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OptimizerConfig {
    pub kind: OptimizerKind,
    /// η
    pub learning_rate: f64,
    /// μ of `momentum`
    pub momentum: f64,
    /// ρ of `rmsprop`
    pub rho: f64,
    /// β₁, β₂ of `adam`
    pub beta1: f64,
    pub beta2: f64,
    /// ε of `rmsprop` and `adam`
    pub epsilon: f64,
}

impl Default for OptimizerConfig {
    fn default() -> Self {
        OptimizerConfig {
            kind: OptimizerKind::Sgd,
            learning_rate: 0.03,
            momentum: 0.9,
            rho: 0.9,
            beta1: 0.9,
            beta2: 0.999,
            epsilon: 1e-8,
        }
    }
}

impl OptimizerConfig {
    pub fn validate(&self) -> Result<()> {
        check_range("the learning rate", self.learning_rate, 0.0, MAX_LEARNING_RATE)?;
        if self.learning_rate == 0.0 {
            return check_range("the learning rate", f64::NAN, f64::MIN_POSITIVE, MAX_LEARNING_RATE);
        }
        check_range("momentum", self.momentum, 0.0, 0.999_999)?;
        check_range("rho", self.rho, 0.0, 0.999_999)?;
        check_range("beta1", self.beta1, 0.0, 0.999_999)?;
        check_range("beta2", self.beta2, 0.0, 0.999_999)?;
        check_range("epsilon", self.epsilon, 1e-300, 1.0)
    }

    /// The rule for update number `t` (1-based), with Adam's bias corrections worked out once.
    pub fn rule(&self, t: u64) -> UpdateRule {
        // Only Adam corrects its moments; the powers are not worth computing for the others.
        let (bias_correction1, bias_correction2) = if self.kind == OptimizerKind::Adam {
            let t = t.min(i32::MAX as u64) as i32;
            (1.0 / (1.0 - self.beta1.powi(t)), 1.0 / (1.0 - self.beta2.powi(t)))
        } else {
            (1.0, 1.0)
        };
        UpdateRule { config: *self, bias_correction1, bias_correction2 }
    }

    /// The update rule as maths, for the inspector.
    pub fn formula(&self) -> &'static str {
        match self.kind {
            OptimizerKind::Sgd => "w ← w − η·g",
            OptimizerKind::Momentum => "m ← μ·m + g;  w ← w − η·m",
            OptimizerKind::Rmsprop => "v ← ρ·v + (1 − ρ)·g²;  w ← w − η·g / (√v + ε)",
            OptimizerKind::Adam => "m ← β₁m + (1 − β₁)g;  v ← β₂v + (1 − β₂)g²;  w ← w − η·m̂ / (√v̂ + ε)",
        }
    }
}

/// One update's rule: turns (g, m, v) into (m′, v′, Δ).
#[derive(Clone, Copy, Debug)]
pub struct UpdateRule {
    config: OptimizerConfig,
    bias_correction1: f64,
    bias_correction2: f64,
}

/// A loop over parameters that takes the rule (g, m, v) → (m′, v′, Δ) and the
/// regularization gradient w → d(penalty)/dw as closures, chosen once per loop.
pub trait ParameterLoop {
    fn run(self, rule: impl Fn(f64, f64, f64) -> (f64, f64, f64), regularization: impl Fn(f64) -> f64) -> bool;
}

impl UpdateRule {
    /// One parameter's update (see the module's formulas).
    #[inline(always)]
    pub fn apply(&self, g: f64, m: f64, v: f64) -> (f64, f64, f64) {
        match self.config.kind {
            OptimizerKind::Sgd => self.sgd(g, m, v),
            OptimizerKind::Momentum => self.momentum(g, m, v),
            OptimizerKind::Rmsprop => self.rmsprop(g, m, v),
            OptimizerKind::Adam => self.adam(g, m, v),
        }
    }

    /// Runs `parameters` with this rule and `regularization` chosen up front, so the loop
    /// makes no choice per parameter (the arithmetic is `apply`'s and `gradient`'s).
    pub fn run(&self, regularization: &Regularization, parameters: impl ParameterLoop) -> bool {
        let rate = regularization.rate;
        macro_rules! with_rule {
            ($rule:ident) => {
                match regularization.kind {
                    RegularizationKind::None => parameters.run(|g, m, v| self.$rule(g, m, v), |_| 0.0),
                    RegularizationKind::L1 => parameters.run(|g, m, v| self.$rule(g, m, v), |w| l1_gradient(rate, w)),
                    RegularizationKind::L2 => parameters.run(|g, m, v| self.$rule(g, m, v), |w| l2_gradient(rate, w)),
                }
            };
        }
        match self.config.kind {
            OptimizerKind::Sgd => with_rule!(sgd),
            OptimizerKind::Momentum => with_rule!(momentum),
            OptimizerKind::Rmsprop => with_rule!(rmsprop),
            OptimizerKind::Adam => with_rule!(adam),
        }
    }

    #[inline(always)]
    fn sgd(&self, g: f64, m: f64, v: f64) -> (f64, f64, f64) {
        (m, v, -self.config.learning_rate * g)
    }

    #[inline(always)]
    fn momentum(&self, g: f64, m: f64, v: f64) -> (f64, f64, f64) {
        let c = &self.config;
        let m = c.momentum * m + g;
        (m, v, -c.learning_rate * m)
    }

    #[inline(always)]
    fn rmsprop(&self, g: f64, m: f64, v: f64) -> (f64, f64, f64) {
        let c = &self.config;
        let v = c.rho * v + (1.0 - c.rho) * g * g;
        (m, v, -c.learning_rate * g / (v.sqrt() + c.epsilon))
    }

    #[inline(always)]
    fn adam(&self, g: f64, m: f64, v: f64) -> (f64, f64, f64) {
        let c = &self.config;
        let m = c.beta1 * m + (1.0 - c.beta1) * g;
        let v = c.beta2 * v + (1.0 - c.beta2) * g * g;
        let m_hat = m * self.bias_correction1;
        let v_hat = v * self.bias_correction2;
        (m, v, -c.learning_rate * m_hat / (v_hat.sqrt() + c.epsilon))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(kind: OptimizerKind) -> OptimizerConfig {
        OptimizerConfig { kind, learning_rate: 0.1, ..OptimizerConfig::default() }
    }

    #[test]
    fn sgd_and_momentum_by_hand() {
        assert_eq!(config(OptimizerKind::Sgd).rule(1).apply(2.0, 0.0, 0.0), (0.0, 0.0, -0.2));
        let (m, _, d) = config(OptimizerKind::Momentum).rule(2).apply(2.0, 1.0, 0.0);
        assert!((m - 2.9).abs() < 1e-15 && (d + 0.29).abs() < 1e-15);
    }

    #[test]
    fn adam_first_step_moves_by_the_learning_rate() {
        // With bias correction, the first Adam step is −η·g/(|g| + ε) ≈ −η·sign(g).
        let (_, _, d) = config(OptimizerKind::Adam).rule(1).apply(0.003, 0.0, 0.0);
        assert!((d + 0.1).abs() < 1e-5, "{d}");
    }

    #[test]
    fn rmsprop_by_hand() {
        let (_, v, d) = config(OptimizerKind::Rmsprop).rule(1).apply(2.0, 0.0, 0.0);
        assert!((v - 0.4).abs() < 1e-15);
        assert!((d + 0.1 * 2.0 / (0.4f64.sqrt() + 1e-8)).abs() < 1e-15);
    }

    #[test]
    fn out_of_range_hyper_parameters_are_refused() {
        for bad in [0.0, -1.0, f64::NAN, 1e9] {
            let c = OptimizerConfig { learning_rate: bad, ..OptimizerConfig::default() };
            assert!(c.validate().is_err(), "{bad}");
        }
        let c = OptimizerConfig { beta2: 1.0, ..OptimizerConfig::default() };
        assert!(c.validate().is_err());
    }
}
