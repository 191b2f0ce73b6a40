//! Optimizers: how a gradient g becomes a parameter change Δ.
//!
//! g is the batch gradient plus the regularization gradient; t counts the updates applied so
//! far, this one included. Element-wise optimizers (each parameter on its own):
//! - `sgd`:      Δ = −η g
//! - `momentum`: m ← μ m + g, Δ = −η m (PyTorch's form, so η can change mid-run)
//! - `nesterov`: m ← μ m + g, Δ = −η (g + μ m): Nesterov momentum in PyTorch's form (Sutskever
//!   et al. 2013 take the gradient at the look-ahead point w + μv; writing their velocity as
//!   v = −η m and moving the variable to the look-ahead point gives this rule)
//! - `rmsprop`:  v ← ρ v + (1 − ρ) g², Δ = −η g / (√v + ε) (Hinton, lecture 6e)
//! - `adagrad`:  G ← G + g², Δ = −η g / (√G + ε) (Duchi, Hazan & Singer 2011; PyTorch's form)
//! - `adam`:     m ← β₁ m + (1 − β₁) g, v ← β₂ v + (1 − β₂) g²,
//!   Δ = −η m̂ / (√v̂ + ε), m̂ = m / (1 − β₁ᵗ), v̂ = v / (1 − β₂ᵗ) (Kingma & Ba 2015)
//! - `rprop`:    iRprop− (Igel & Hüsken 2000), a step size s per parameter and the previous
//!   gradient g′: if g′·g > 0, s ← min(s·η⁺, s_max); if g′·g < 0, s ← max(s·η⁻, s_min) and
//!   g ← 0 (no move this time, and no sign test next time); then Δ = −sign(g)·s and g′ ← g.
//!   s starts at s₀. η is not used. It is meant for full batches; with mini-batches the
//!   signs of successive gradients are noisy.
//!
//! And `cg`, nonlinear conjugate gradient (Polak–Ribière PR+ with restarts and a line search,
//! whole training set as one batch), which works on all parameters at once: see
//! `conjugate_gradient`.
//!
//! # Where the state lives
//! Per parameter, in three arrays of each layer (for its weights and for its biases), listed in
//! one place by `Layer::optimizer_state`; 0 everywhere is the fresh state, and unused ones
//! stay 0:
//!
//! | optimizer | `moment1` | `moment2` | `moment3` |
//! |---|---|---|---|
//! | `momentum`, `nesterov` | velocity m | | |
//! | `rmsprop` | | mean square v | |
//! | `adagrad` | | sum of squares G | |
//! | `adam` | first moment m | second moment v | |
//! | `rprop` | previous gradient g′ (0 after a sign change) | step size s (0: not started, s₀ next) | the last update's decision: +1 grew, −1 shrank, 0 kept |
//! | `cg` | direction d of the last update | the last update's gradient g | |
//!
//! Network-wide numbers (conjugate gradient's; no other optimizer has any) are one
//! `OptimizerScalars`, held by the network (`Trainer::optimizer_scalars`). Adam's t is the
//! trainer's step count. A saved state (`snapshot`: links, model files, undo) holds all of it.
//!
//! Any hyper-parameter can change between two steps; the state carries over.

use crate::error::{check_above, check_range, short, Error, Result};
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
    Nesterov,
    Adagrad,
    Rprop,
    Cg,
}

impl OptimizerKind {
    pub const ALL: [OptimizerKind; 8] = [
        OptimizerKind::Sgd,
        OptimizerKind::Momentum,
        OptimizerKind::Nesterov,
        OptimizerKind::Rmsprop,
        OptimizerKind::Adagrad,
        OptimizerKind::Adam,
        OptimizerKind::Rprop,
        OptimizerKind::Cg,
    ];

    /// The lowercase name used in configs, model files and URLs.
    pub fn name(self) -> &'static str {
        match self {
            OptimizerKind::Sgd => "sgd",
            OptimizerKind::Momentum => "momentum",
            OptimizerKind::Nesterov => "nesterov",
            OptimizerKind::Rmsprop => "rmsprop",
            OptimizerKind::Adagrad => "adagrad",
            OptimizerKind::Adam => "adam",
            OptimizerKind::Rprop => "rprop",
            OptimizerKind::Cg => "cg",
        }
    }

    /// True for optimizers that must see the whole training set in each batch (`cg`).
    pub fn needs_full_batch(self) -> bool {
        self == OptimizerKind::Cg
    }

    /// Which of the per-parameter state arrays (`moment1`, `moment2`, `moment3`) this
    /// optimizer keeps (the table above); an update reads and writes only these.
    pub fn state_used(self) -> [bool; 3] {
        match self {
            OptimizerKind::Sgd => [false, false, false],
            OptimizerKind::Momentum | OptimizerKind::Nesterov => [true, false, false],
            OptimizerKind::Rmsprop | OptimizerKind::Adagrad => [false, true, false],
            OptimizerKind::Adam | OptimizerKind::Cg => [true, true, false],
            OptimizerKind::Rprop => [true, true, true],
        }
    }
}

/// The largest learning rate accepted (the page's slider goes to 10).
pub const MAX_LEARNING_RATE: f64 = 100.0;

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OptimizerConfig {
    pub kind: OptimizerKind,
    /// η (not used by `rprop` and `cg`), in (0, 100]; 0.03.
    pub learning_rate: f64,
    /// μ of `momentum` and `nesterov`, 0 to 0.999999; 0.9.
    pub momentum: f64,
    /// ρ of `rmsprop`, 0 to 0.999999; 0.9.
    pub rho: f64,
    /// β₁ of `adam`, 0 to 0.999999; 0.9.
    pub beta1: f64,
    /// β₂ of `adam`, 0 to 0.999999; 0.999.
    pub beta2: f64,
    /// ε of `rmsprop`, `adagrad` and `adam`, 1e-300 to 1; 1e-8.
    pub epsilon: f64,
    /// η⁺ of `rprop`: a step grows by this while the gradient keeps its sign, 1 to 10; 1.2.
    pub rprop_increase: f64,
    /// η⁻ of `rprop`: a step shrinks by this when the gradient changes sign, 0.01 to 1; 0.5.
    pub rprop_decrease: f64,
    /// s₀ of `rprop`: every step size at the start, 1e-12 to 1000; 0.1 (Riedmiller & Braun 1993).
    pub rprop_initial_step: f64,
    /// s_min of `rprop`, 1e-12 to 1000 and at most s₀; 1e-6.
    pub rprop_min_step: f64,
    /// s_max of `rprop`, 1e-12 to 1000 and at least s₀; 50.
    pub rprop_max_step: f64,
    /// α₀ of `cg`: the first trial step of the first line search (and after a failed one),
    /// 1e-12 to 1000; 1.
    pub cg_initial_step: f64,
    /// c₁ of `cg`'s sufficient-decrease (Armijo) test, 0 to 0.5; 1e-4.
    pub cg_sufficient_decrease: f64,
    /// The most loss evaluations one `cg` line search may make, 1 to 100; 20.
    pub cg_max_trials: u32,
    /// `cg` restarts with steepest descent every this many updates; 0 (the default) means every
    /// n updates, n the number of parameters.
    pub cg_restart_every: u32,
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
            rprop_increase: 1.2,
            rprop_decrease: 0.5,
            rprop_initial_step: 0.1,
            rprop_min_step: 1e-6,
            rprop_max_step: 50.0,
            cg_initial_step: 1.0,
            cg_sufficient_decrease: 1e-4,
            cg_max_trials: 20,
            cg_restart_every: 0,
        }
    }
}

/// The most loss evaluations a line search may be allowed.
pub const MAX_LINE_SEARCH_TRIALS: u32 = 100;

impl OptimizerConfig {
    pub fn validate(&self) -> Result<()> {
        check_above("the learning rate", self.learning_rate, 0.0, MAX_LEARNING_RATE)?;
        check_range("momentum", self.momentum, 0.0, 0.999_999)?;
        check_range("rho", self.rho, 0.0, 0.999_999)?;
        check_range("beta1", self.beta1, 0.0, 0.999_999)?;
        check_range("beta2", self.beta2, 0.0, 0.999_999)?;
        check_range("epsilon", self.epsilon, 1e-300, 1.0)?;
        check_range("Rprop's increase η⁺", self.rprop_increase, 1.0, 10.0)?;
        check_range("Rprop's decrease η⁻", self.rprop_decrease, 0.01, 1.0)?;
        check_range("Rprop's initial step", self.rprop_initial_step, 1e-12, 1000.0)?;
        check_range("Rprop's smallest step", self.rprop_min_step, 1e-12, 1000.0)?;
        check_range("Rprop's largest step", self.rprop_max_step, 1e-12, 1000.0)?;
        if !(self.rprop_min_step <= self.rprop_initial_step && self.rprop_initial_step <= self.rprop_max_step) {
            return Err(Error::InvalidConfig(format!(
                "Rprop's steps must be smallest ≤ initial ≤ largest, not {} ≤ {} ≤ {}",
                short(self.rprop_min_step),
                short(self.rprop_initial_step),
                short(self.rprop_max_step)
            )));
        }
        check_range("the line search's initial step", self.cg_initial_step, 1e-12, 1000.0)?;
        check_range("the line search's sufficient decrease c₁", self.cg_sufficient_decrease, 0.0, 0.5)?;
        check_range(
            "the line search's most trials",
            f64::from(self.cg_max_trials),
            1.0,
            f64::from(MAX_LINE_SEARCH_TRIALS),
        )
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
        // 2^-56 / μ (infinite for μ = 0: then no m counts as negligible, see `momentum`).
        let momentum_negligible = MOMENTUM_NEGLIGIBLE / self.momentum;
        UpdateRule { config: *self, bias_correction1, bias_correction2, momentum_negligible }
    }

    /// The update rule as maths, for the inspector.
    pub fn formula(&self) -> &'static str {
        match self.kind {
            OptimizerKind::Sgd => "w ← w − η·g",
            OptimizerKind::Momentum => "m ← μ·m + g;  w ← w − η·m",
            OptimizerKind::Nesterov => "m ← μ·m + g;  w ← w − η·(g + μ·m)",
            OptimizerKind::Rmsprop => "v ← ρ·v + (1 − ρ)·g²;  w ← w − η·g / (√v + ε)",
            OptimizerKind::Adagrad => "G ← G + g²;  w ← w − η·g / (√G + ε)",
            OptimizerKind::Adam => "m ← β₁m + (1 − β₁)g;  v ← β₂v + (1 − β₂)g²;  w ← w − η·m̂ / (√v̂ + ε)",
            OptimizerKind::Rprop => {
                "s ← min(η⁺s, s_max) if g′·g > 0;  s ← max(η⁻s, s_min), g ← 0 if g′·g < 0;  w ← w − sign(g)·s;  g′ ← g"
            }
            OptimizerKind::Cg => {
                "β = max(0, gᵀ(g − g′) / g′ᵀg′);  d ← −g + β·d (−g on a restart);  w ← w + α·d, α from a line search on L(w + α·d)"
            }
        }
    }
}

/// What Rprop's last update did to one parameter's step size.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RpropDecision {
    /// The gradient kept its sign: s ← min(η⁺s, s_max), and the parameter moved by −sign(g)·s.
    Grew,
    /// The gradient changed sign: s ← max(η⁻s, s_min), the parameter did not move and the
    /// stored gradient was set to 0.
    Shrank,
    /// One of the two gradients was 0 (the first update, or the one after a sign change): s
    /// kept, the parameter moved by −sign(g)·s.
    #[default]
    Kept,
}

impl RpropDecision {
    /// The decision as `moment3` stores it: +1, −1 or 0.
    pub fn code(self) -> f64 {
        match self {
            RpropDecision::Grew => 1.0,
            RpropDecision::Shrank => -1.0,
            RpropDecision::Kept => 0.0,
        }
    }

    pub fn from_code(code: f64) -> RpropDecision {
        if code > 0.0 {
            RpropDecision::Grew
        } else if code < 0.0 {
            RpropDecision::Shrank
        } else {
            RpropDecision::Kept
        }
    }
}

/// How conjugate gradient chose its last direction d.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CgDirection {
    /// No conjugate-gradient update has run since the state was cleared.
    #[default]
    None,
    /// The first update: steepest descent, d = −g.
    First,
    /// d = −g + β·d_previous with β > 0.
    Conjugate,
    /// A restart, d = −g, because PR+ clipped a negative β to 0.
    NegativeBeta,
    /// A restart, d = −g, after `cg_restart_every` (or n) updates.
    PeriodicRestart,
    /// A restart, d = −g, because −g + β·d_previous pointed uphill (gᵀd ≥ 0).
    NotDescent,
    /// A restart, d = −g, because the last line search found no step.
    AfterFailedSearch,
}

/// How conjugate gradient's last line search ended.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CgLineSearch {
    /// No line search has run since the state was cleared.
    #[default]
    NotRun,
    /// A step α that passes the sufficient-decrease test was taken.
    Accepted,
    /// No trial passed within `cg_max_trials`: the parameters did not move (α = 0).
    Failed,
    /// The gradient was exactly 0: nothing to search along, no move.
    ZeroGradient,
}

/// The network-wide optimizer numbers (only conjugate gradient has any); all 0 and `None` /
/// `NotRun` when fresh. The per-parameter state is in the layers (`Layer::optimizer_state`).
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct OptimizerScalars {
    /// Updates in the current run of conjugate directions, the last restart's included (1 right
    /// after a restart); a periodic restart comes when it reaches the restart period.
    pub cg_since_restart: u64,
    /// g′ᵀg′ of the last update's gradient: the denominator of the next β.
    pub cg_gradient_norm_squared: f64,
    /// β of the last update (0 on a restart).
    pub cg_beta: f64,
    /// How the last direction was chosen.
    pub cg_direction: CgDirection,
    /// gᵀd of the last direction (negative: the loss falls along it at first).
    pub cg_slope: f64,
    /// α of the last update: w ← w + α·d (0 when the line search found no step).
    pub cg_step_length: f64,
    /// Loss evaluations made by the last line search.
    pub cg_trials: u32,
    /// How the last line search ended.
    pub cg_line_search: CgLineSearch,
    /// φ(0): the batch loss (with the regularization penalty) before the last update.
    pub cg_loss_before: f64,
    /// φ(α): the same after it.
    pub cg_loss_after: f64,
    /// Line-search loss evaluations since the state was cleared.
    pub cg_evaluations: u64,
}

/// One update's rule for the element-wise optimizers.
#[derive(Clone, Copy, Debug)]
pub struct UpdateRule {
    pub(crate) config: OptimizerConfig,
    bias_correction1: f64,
    bias_correction2: f64,
    /// K = 2^-56 / μ: when |m| < |g|·K, μ·m is below a quarter ulp of g (see `momentum`).
    momentum_negligible: f64,
}

/// 2^-56: μ·|m| < 2^-55·|g| leaves g + μ·m = g after rounding; one more halving covers the
/// rounding of K = 2^-56 / μ and of |g|·K.
const MOMENTUM_NEGLIGIBLE: f64 = 1.0 / 72_057_594_037_927_936.0;

/// A loop over parameters that takes the rule and the regularization gradient w → d(penalty)/dw
/// as closures, chosen once per loop: `run` for the optimizers with two state numbers per
/// parameter, (g, m, v) → (m′, v′, Δ), and `run3` for Rprop, (g, m, v, r) → (m′, v′, r′, Δ).
pub trait ParameterLoop {
    fn run(self, rule: impl Fn(f64, f64, f64) -> (f64, f64, f64), regularization: impl Fn(f64) -> f64) -> bool;
    fn run3(
        self,
        rule: impl Fn(f64, f64, f64, f64) -> (f64, f64, f64, f64),
        regularization: impl Fn(f64) -> f64,
    ) -> bool;
}

impl UpdateRule {
    pub fn kind(&self) -> OptimizerKind {
        self.config.kind
    }

    /// One parameter's update (see the module's formulas): state (m, v, r) to (m′, v′, r′, Δ).
    /// Conjugate gradient is not element-wise: for it this returns the state unchanged and Δ = 0.
    pub fn apply(&self, g: f64, m: f64, v: f64, r: f64) -> (f64, f64, f64, f64) {
        let two = |(m, v, delta): (f64, f64, f64)| (m, v, r, delta);
        match self.config.kind {
            OptimizerKind::Sgd => two(self.sgd(g, m, v)),
            OptimizerKind::Momentum => two(self.momentum(g, m, v)),
            OptimizerKind::Nesterov => two(self.nesterov(g, m, v)),
            OptimizerKind::Rmsprop => two(self.rmsprop(g, m, v)),
            OptimizerKind::Adagrad => two(self.adagrad(g, m, v)),
            OptimizerKind::Adam => two(self.adam(g, m, v)),
            OptimizerKind::Rprop => self.rprop(g, m, v, r),
            OptimizerKind::Cg => (m, v, r, 0.0),
        }
    }

    /// Runs `parameters` with this rule and `regularization` chosen up front, so the loop
    /// makes no choice per parameter (the arithmetic is `apply`'s and `gradient`'s).
    /// Conjugate gradient is not run here (see `conjugate_gradient`): it returns false.
    pub fn run(&self, regularization: &Regularization, parameters: impl ParameterLoop) -> bool {
        let rate = regularization.rate;
        macro_rules! with_rule {
            ($run:ident, $rule:expr) => {
                match regularization.kind {
                    RegularizationKind::None => parameters.$run($rule, |_| 0.0),
                    RegularizationKind::L1 => parameters.$run($rule, |w| l1_gradient(rate, w)),
                    RegularizationKind::L2 => parameters.$run($rule, |w| l2_gradient(rate, w)),
                }
            };
        }
        match self.config.kind {
            OptimizerKind::Sgd => with_rule!(run, |g, m, v| self.sgd(g, m, v)),
            OptimizerKind::Momentum => with_rule!(run, |g, m, v| self.momentum(g, m, v)),
            OptimizerKind::Nesterov => with_rule!(run, |g, m, v| self.nesterov(g, m, v)),
            OptimizerKind::Rmsprop => with_rule!(run, |g, m, v| self.rmsprop(g, m, v)),
            OptimizerKind::Adagrad => with_rule!(run, |g, m, v| self.adagrad(g, m, v)),
            OptimizerKind::Adam => with_rule!(run, |g, m, v| self.adam(g, m, v)),
            OptimizerKind::Rprop => with_rule!(run3, |g, m, v, r| self.rprop(g, m, v, r)),
            OptimizerKind::Cg => false,
        }
    }

    #[inline(always)]
    fn sgd(&self, g: f64, m: f64, v: f64) -> (f64, f64, f64) {
        (m, v, -self.config.learning_rate * g)
    }

    #[inline(always)]
    fn momentum(&self, g: f64, m: f64, v: f64) -> (f64, f64, f64) {
        let c = &self.config;
        // μ·m + g, to the same bits, without forming μ·m when it cannot change g: a tiny μ
        // (brain.js's 1e-300) makes μ·m subnormal, which costs the processor a slow path on
        // every multiply and add. Here |μ·m| < ulp(g)/4, so the sum rounds to g, as μ·0 + g
        // does (g ≠ 0, or the test fails); NaN fails the test and takes the plain sum.
        let m = if m.abs() < g.abs() * self.momentum_negligible { 0.0 } else { m };
        let m = c.momentum * m + g;
        (m, v, -c.learning_rate * m)
    }

    #[inline(always)]
    fn nesterov(&self, g: f64, m: f64, v: f64) -> (f64, f64, f64) {
        let c = &self.config;
        let m = c.momentum * m + g;
        (m, v, -c.learning_rate * (g + c.momentum * m))
    }

    #[inline(always)]
    fn rmsprop(&self, g: f64, m: f64, v: f64) -> (f64, f64, f64) {
        let c = &self.config;
        let v = c.rho * v + (1.0 - c.rho) * g * g;
        (m, v, -c.learning_rate * g / (v.sqrt() + c.epsilon))
    }

    #[inline(always)]
    fn adagrad(&self, g: f64, m: f64, sum_squares: f64) -> (f64, f64, f64) {
        let c = &self.config;
        let sum_squares = sum_squares + g * g;
        (m, sum_squares, -c.learning_rate * g / (sum_squares.sqrt() + c.epsilon))
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

    /// iRprop−: (g, previous gradient, step size, last decision) → (g′, s′, decision, Δ).
    #[inline(always)]
    fn rprop(&self, g: f64, previous: f64, step: f64, _decision: f64) -> (f64, f64, f64, f64) {
        let c = &self.config;
        // A step size of 0 is the fresh state: the first update starts from s₀.
        let step = if step == 0.0 { c.rprop_initial_step } else { step };
        let product = previous * g;
        let (g, step, decision) = if product > 0.0 {
            (g, (step * c.rprop_increase).min(c.rprop_max_step), RpropDecision::Grew)
        } else if product < 0.0 {
            (0.0, (step * c.rprop_decrease).max(c.rprop_min_step), RpropDecision::Shrank)
        } else {
            (g, step, RpropDecision::Kept)
        };
        let delta = if g > 0.0 {
            -step
        } else if g < 0.0 {
            step
        } else {
            0.0
        };
        (g, step, decision.code(), delta)
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
        assert_eq!(config(OptimizerKind::Sgd).rule(1).apply(2.0, 0.0, 0.0, 0.0), (0.0, 0.0, 0.0, -0.2));
        let (m, _, _, d) = config(OptimizerKind::Momentum).rule(2).apply(2.0, 1.0, 0.0, 0.0);
        assert!((m - 2.9).abs() < 1e-15 && (d + 0.29).abs() < 1e-15);
    }

    #[test]
    fn nesterov_looks_ahead_by_one_momentum_step() {
        // m = 0.9·1 + 2 = 2.9; Δ = −0.1·(2 + 0.9·2.9) = −0.461
        let (m, _, _, d) = config(OptimizerKind::Nesterov).rule(2).apply(2.0, 1.0, 0.0, 0.0);
        assert!((m - 2.9).abs() < 1e-15 && (d + 0.461).abs() < 1e-15, "{m} {d}");
    }

    #[test]
    fn adagrad_accumulates_squares() {
        let rule = config(OptimizerKind::Adagrad).rule(1);
        let (_, g2, _, d) = rule.apply(3.0, 0.0, 16.0, 0.0);
        assert_eq!(g2, 25.0);
        assert!((d + 0.1 * 3.0 / (5.0 + 1e-8)).abs() < 1e-15);
    }

    #[test]
    fn adam_first_step_moves_by_the_learning_rate() {
        // With bias correction, the first Adam step is −η·g/(|g| + ε) ≈ −η·sign(g).
        let (_, _, _, d) = config(OptimizerKind::Adam).rule(1).apply(0.003, 0.0, 0.0, 0.0);
        assert!((d + 0.1).abs() < 1e-5, "{d}");
    }

    #[test]
    fn rmsprop_by_hand() {
        let (_, v, _, d) = config(OptimizerKind::Rmsprop).rule(1).apply(2.0, 0.0, 0.0, 0.0);
        assert!((v - 0.4).abs() < 1e-15);
        assert!((d + 0.1 * 2.0 / (0.4f64.sqrt() + 1e-8)).abs() < 1e-15);
    }

    #[test]
    fn rprop_grows_shrinks_and_keeps_its_steps_by_the_signs() {
        let rule = OptimizerConfig { kind: OptimizerKind::Rprop, ..OptimizerConfig::default() }.rule(1);
        // Fresh: s = s₀ = 0.1, kept, move against the gradient.
        assert_eq!(rule.apply(-3.0, 0.0, 0.0, 0.0), (-3.0, 0.1, 0.0, 0.1));
        // Same sign: grow by 1.2.
        let (g, s, r, d) = rule.apply(-1.0, -3.0, 0.1, 0.0);
        assert_eq!((g, r), (-1.0, 1.0));
        assert!((s - 0.12).abs() < 1e-16 && d == s);
        // Sign change: shrink by 0.5, store 0, do not move.
        assert_eq!(rule.apply(2.0, -1.0, 0.12, 1.0), (0.0, 0.06, -1.0, 0.0));
        // After a sign change the product is 0: keep the step and move.
        assert_eq!(rule.apply(2.0, 0.0, 0.06, -1.0), (2.0, 0.06, 0.0, -0.06));
        // Clamped to [s_min, s_max].
        assert_eq!(rule.apply(1.0, 1.0, 49.0, 0.0).1, 50.0);
        assert_eq!(rule.apply(1.0, -1.0, 1.5e-6, 0.0).1, 1e-6);
        assert_eq!(RpropDecision::from_code(rule.apply(1.0, 1.0, 1.0, 0.0).2), RpropDecision::Grew);
    }

    #[test]
    fn out_of_range_hyper_parameters_are_refused() {
        for bad in [0.0, -1.0, f64::NAN, 1e9] {
            let c = OptimizerConfig { learning_rate: bad, ..OptimizerConfig::default() };
            assert!(c.validate().is_err(), "{bad}");
        }
        let refused = |c: OptimizerConfig, needle: &str| {
            let e = c.validate().expect_err(needle).to_string();
            assert!(e.contains(needle) && e.len() < 200, "{e} should contain {needle}");
        };
        let d = OptimizerConfig::default();
        refused(OptimizerConfig { beta2: 1.0, ..d }, "beta2 must be a number from 0 to 0.999999, not 1");
        refused(OptimizerConfig { epsilon: 0.0, ..d }, "epsilon must be a number from 1e-300 to 1, not 0");
        refused(OptimizerConfig { rprop_increase: 0.9, ..d }, "Rprop's increase η⁺ must be a number from 1 to 10");
        refused(OptimizerConfig { rprop_decrease: 1.5, ..d }, "Rprop's decrease η⁻ must be a number from 0.01 to 1");
        refused(OptimizerConfig { rprop_initial_step: 0.0, ..d }, "initial step must be a number from 1e-12 to 1000");
        refused(OptimizerConfig { rprop_min_step: f64::NAN, ..d }, "smallest step must be");
        refused(OptimizerConfig { rprop_max_step: 2000.0, ..d }, "largest step must be");
        refused(OptimizerConfig { rprop_initial_step: 60.0, ..d }, "smallest ≤ initial ≤ largest, not 1e-6 ≤ 60 ≤ 50");
        refused(OptimizerConfig { cg_initial_step: -1.0, ..d }, "the line search's initial step must be");
        refused(
            OptimizerConfig { cg_sufficient_decrease: 0.6, ..d },
            "sufficient decrease c₁ must be a number from 0 to 0.5",
        );
        refused(OptimizerConfig { cg_max_trials: 0, ..d }, "most trials must be a number from 1 to 100, not 0");
        for kind in OptimizerKind::ALL {
            OptimizerConfig { kind, ..d }.validate().unwrap();
        }
    }

    #[test]
    fn names_are_the_serde_names() {
        for kind in OptimizerKind::ALL {
            assert_eq!(serde_json::to_string(&kind).unwrap(), format!("\"{}\"", kind.name()));
            assert!(!OptimizerConfig { kind, ..OptimizerConfig::default() }.formula().is_empty());
        }
        let c: OptimizerConfig = serde_json::from_str(r#"{"kind": "rprop", "rprop_max_step": 1}"#).unwrap();
        assert_eq!((c.kind, c.rprop_max_step, c.rprop_increase), (OptimizerKind::Rprop, 1.0, 1.2));
        assert!(serde_json::from_str::<OptimizerConfig>(r#"{"kind": "lbfgs"}"#).is_err());
        assert!(serde_json::from_str::<OptimizerConfig>(r#"{"rprop_speed": 1}"#).is_err());
    }
}
