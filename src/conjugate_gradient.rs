//! Nonlinear conjugate gradient (`cg`): Polak–Ribière with PR+ restarts and a line search, on
//! the whole training set as one batch (with it, the trainer's batches are all the training
//! points, whatever the batch size says).
//!
//! All parameters θ form one vector; g = ∇L(θ) + ∇penalty(θ) is this step's batch gradient (the
//! backward phase's, plus the regularization's), g′ and d′ the last update's gradient and
//! direction (`moment2`, `moment1`), and φ(α) = L(θ + α·d) + penalty(θ + α·d) the batch loss
//! along d. One update (Nocedal & Wright, Numerical Optimization, 2nd ed., §5.2 and §3.1–3.5):
//!
//! 1. Direction. Steepest descent d = −g (β = 0) on the first update, after a line search that
//!    found no step, and every n updates (n = `cg_restart_every`, or the number of parameters
//!    when that is 0). Otherwise β = gᵀ(g − g′) / g′ᵀg′ (Polak–Ribière, 1969); if β ≤ 0 the
//!    update restarts with d = −g (PR+: β = max(0, β)), else d = −g + β·d′; and if then
//!    gᵀd ≥ 0, d is no descent direction and the update restarts with d = −g.
//! 2. Line search on φ from φ(0) with slope s = gᵀd < 0, accepting α when
//!    φ(α) ≤ φ(0) + c₁·α·s (sufficient decrease, Armijo), at most `cg_max_trials` evaluations:
//!    - the first trial α₀ = α′·s′ / s, from the last accepted step α′ and its slope s′ (N&W
//!      eq. 3.60: the same first-order decrease as last time), or `cg_initial_step` when there is
//!      none (first update, restart after a failed search);
//!    - if α₀ passes, 2α is tried while it passes and φ(2α) < φ(α), and the last such α is kept;
//!    - if α₀ fails, α ← the minimiser of the quadratic through φ(0), s and φ(α),
//!      −s·α² / (2·(φ(α) − φ(0) − s·α)), kept within [0.1·α, 0.5·α] (0.1·α when φ(α) is not
//!      finite), until a trial passes;
//!    - if no trial passes, α = 0: the parameters stay, and the next update restarts.
//! 3. θ ← θ + α·d; d and g are kept for the next update.
//!
//! The trial passes run the forward pass on the current batch with the trial weights (and the
//! batch's dropout masks) in scratch arrays, so z, a, δ and the gradients of the batch stay as
//! the phases left them; their count is `OptimizerScalars::cg_trials` and `cg_evaluations`.
//! With the weights θ + α·d computed the same way, the next step's loss phase (same batch
//! order) gives back φ(α) − penalty to the last bit.

use crate::network::{forward_rows, Network};
use crate::optimizer::{CgDirection, CgLineSearch, OptimizerConfig, OptimizerScalars};
use crate::regularization::Regularization;

/// Reused arrays for the trial passes.
#[derive(Clone, Debug, Default)]
pub(crate) struct Scratch {
    weights: Vec<f64>,
    biases: Vec<f64>,
    /// The previous layer's trial activations (after a layer: its own).
    input: Vec<f64>,
    z: Vec<f64>,
    a: Vec<f64>,
}

/// The lower and upper safeguards of a backtracking step, as fractions of the failed α.
const SHRINK_MIN: f64 = 0.1;
const SHRINK_MAX: f64 = 0.5;

/// One conjugate-gradient update of `network` from its batch gradients. As `Network::update`:
/// on failure (a non-finite number) nothing changes and the error says where.
pub(crate) fn update(network: &mut Network, config: &OptimizerConfig, reg: &Regularization) -> Result<(), String> {
    let old = network.optimizer_scalars.clone();
    let period = match config.cg_restart_every {
        0 => network.parameter_count() as u64,
        every => u64::from(every),
    };
    let none = Regularization::default();
    // The penalty's gradient is added to the weights' gradients only, as for every optimizer.
    let regs = |has_bias: bool| [(reg, true), (&none, has_bias)];

    // gᵀg and gᵀ(g − g′), in parameter order: layer by layer, weights then biases.
    let (mut g_g, mut g_dg) = (0.0, 0.0);
    for layer in &network.layers {
        let parts = [
            (&layer.weights, &layer.grad_weights, &layer.moment2_weights),
            (&layer.biases, &layer.grad_biases, &layer.moment2_biases),
        ];
        for ((params, grads, previous), (r, on)) in parts.into_iter().zip(regs(layer.has_bias)) {
            if on {
                for ((&w, &grad), &g_prev) in params.iter().zip(grads.iter()).zip(previous.iter()) {
                    let g = grad + r.gradient(w);
                    g_g += g * g;
                    g_dg += g * (g - g_prev);
                }
            }
        }
    }
    if !g_g.is_finite() {
        return Err("the gradient became infinite or NaN".into());
    }

    // The direction, into the update arrays (they get α·d at the end).
    let (mut direction, mut beta) = match old.cg_direction {
        CgDirection::None => (CgDirection::First, 0.0),
        // (A gradient norm of 0 goes with a search that did not run; NaN with a damaged state.)
        _ if old.cg_line_search != CgLineSearch::Accepted
            || old.cg_gradient_norm_squared <= 0.0
            || old.cg_gradient_norm_squared.is_nan() =>
        {
            (CgDirection::AfterFailedSearch, 0.0)
        }
        _ if old.cg_since_restart >= period => (CgDirection::PeriodicRestart, 0.0),
        _ => {
            let beta = g_dg / old.cg_gradient_norm_squared;
            if beta > 0.0 {
                (CgDirection::Conjugate, beta)
            } else {
                (CgDirection::NegativeBeta, 0.0)
            }
        }
    };
    let mut slope = set_direction(network, reg, beta);
    if direction == CgDirection::Conjugate && (slope >= 0.0 || slope.is_nan()) {
        (direction, beta) = (CgDirection::NotDescent, 0.0);
        slope = set_direction(network, reg, 0.0);
    }
    if !slope.is_finite() {
        return Err("the search direction became infinite or NaN".into());
    }

    // The line search.
    let penalty: f64 = network.layers.iter().map(|l| reg.penalty(&l.weights)).sum();
    let phi0 = network.loss_value + penalty;
    let (mut alpha, mut phi, mut trials, mut outcome) = (0.0, phi0, 0u32, CgLineSearch::ZeroGradient);
    if g_g > 0.0 {
        let c1 = config.cg_sufficient_decrease;
        let passes = |alpha: f64, phi: f64| phi <= phi0 + c1 * alpha * slope;
        let guess = if old.cg_line_search == CgLineSearch::Accepted && old.cg_slope < 0.0 {
            old.cg_step_length * old.cg_slope / slope
        } else {
            config.cg_initial_step
        };
        alpha = if guess.is_finite() && guess > 0.0 { guess } else { config.cg_initial_step };
        phi = trial_loss(network, alpha, reg);
        trials = 1;
        if passes(alpha, phi) {
            outcome = CgLineSearch::Accepted;
            while trials < config.cg_max_trials {
                let longer = 2.0 * alpha;
                let phi_longer = trial_loss(network, longer, reg);
                trials += 1;
                if passes(longer, phi_longer) && phi_longer < phi {
                    (alpha, phi) = (longer, phi_longer);
                } else {
                    break;
                }
            }
        } else {
            outcome = CgLineSearch::Failed;
            while trials < config.cg_max_trials {
                let quadratic = -slope * alpha * alpha / (2.0 * (phi - phi0 - slope * alpha));
                alpha = if phi.is_finite() && quadratic.is_finite() {
                    quadratic.clamp(SHRINK_MIN * alpha, SHRINK_MAX * alpha)
                } else {
                    SHRINK_MIN * alpha
                };
                phi = trial_loss(network, alpha, reg);
                trials += 1;
                if passes(alpha, phi) {
                    outcome = CgLineSearch::Accepted;
                    break;
                }
            }
            if outcome == CgLineSearch::Failed {
                (alpha, phi) = (0.0, phi0);
            }
        }
    }

    // Check, then apply θ ← θ + α·d and keep d and g.
    let count = network.layers.len();
    for (l, layer) in network.layers.iter().enumerate() {
        let ok = |params: &[f64], d: &[f64]| params.iter().zip(d).all(|(w, d)| (w + alpha * d).is_finite());
        if !ok(&layer.weights, &layer.update_weights) || !ok(&layer.biases, &layer.update_biases) {
            return Err(format!("a parameter of {} became infinite or NaN", crate::config::layer_name(l, count)));
        }
    }
    for layer in &mut network.layers {
        layer.keep_previous();
        let has_bias = layer.has_bias;
        let parts = [
            (
                &mut layer.weights,
                &layer.grad_weights,
                &mut layer.update_weights,
                &mut layer.moment1_weights,
                &mut layer.moment2_weights,
            ),
            (
                &mut layer.biases,
                &layer.grad_biases,
                &mut layer.update_biases,
                &mut layer.moment1_biases,
                &mut layer.moment2_biases,
            ),
        ];
        for ((params, grads, updates, directions, gradients), (r, on)) in parts.into_iter().zip(regs(has_bias)) {
            if !on {
                continue;
            }
            for ((((w, &grad), update), d_kept), g_kept) in params
                .iter_mut()
                .zip(grads.iter())
                .zip(updates.iter_mut())
                .zip(directions.iter_mut())
                .zip(gradients.iter_mut())
            {
                let d = *update;
                *g_kept = grad + r.gradient(*w);
                *d_kept = d;
                *update = alpha * d;
                *w += *update;
            }
        }
    }
    network.optimizer_scalars = OptimizerScalars {
        cg_since_restart: if direction == CgDirection::Conjugate { old.cg_since_restart + 1 } else { 1 },
        cg_gradient_norm_squared: g_g,
        cg_beta: beta,
        cg_direction: direction,
        cg_slope: slope,
        cg_step_length: alpha,
        cg_trials: trials,
        cg_line_search: outcome,
        cg_loss_before: phi0,
        cg_loss_after: phi,
        cg_evaluations: old.cg_evaluations + u64::from(trials),
    };
    Ok(())
}

/// Writes d = −g + β·d′ into the update arrays (biases without a bias stay 0) and returns gᵀd.
fn set_direction(network: &mut Network, reg: &Regularization, beta: f64) -> f64 {
    let none = Regularization::default();
    let mut slope = 0.0;
    for layer in &mut network.layers {
        let parts = [
            (&layer.weights, &layer.grad_weights, &layer.moment1_weights, &mut layer.update_weights, reg, true),
            (&layer.biases, &layer.grad_biases, &layer.moment1_biases, &mut layer.update_biases, &none, layer.has_bias),
        ];
        for (params, grads, previous, directions, r, on) in parts {
            if !on {
                directions.fill(0.0);
                continue;
            }
            for (((&w, &grad), &d_prev), d) in
                params.iter().zip(grads.iter()).zip(previous.iter()).zip(directions.iter_mut())
            {
                let g = grad + r.gradient(w);
                // A restart is d = −g itself, whatever d′ holds.
                *d = if beta == 0.0 { -g } else { -g + beta * d_prev };
                slope += g * *d;
            }
        }
    }
    slope
}

/// φ(α): the batch's reduced loss at θ + α·d (d in the update arrays) plus the penalty there,
/// from a forward pass in the scratch arrays.
fn trial_loss(network: &mut Network, alpha: f64, reg: &Regularization) -> f64 {
    let Network { layers, batch_input, batch_target, batch_len, loss, reduction, line_search: s, .. } = network;
    let rows = *batch_len;
    let mut penalty = 0.0;
    for (l, layer) in layers.iter().enumerate() {
        s.weights.clear();
        s.weights.extend(layer.weights.iter().zip(&layer.update_weights).map(|(w, d)| w + alpha * d));
        s.biases.clear();
        s.biases.extend(layer.biases.iter().zip(&layer.update_biases).map(|(b, d)| b + alpha * d));
        penalty += reg.penalty(&s.weights);
        s.z.resize(rows * layer.units, 0.0);
        s.a.resize(rows * layer.units, 0.0);
        let input = if l == 0 { &batch_input[..] } else { &s.input[..] };
        let _ = forward_rows(&s.weights, &s.biases, layer.activation, layer.inputs, input, rows, &mut s.z, &mut s.a);
        if layer.dropout > 0.0 {
            s.a.iter_mut().zip(&layer.dropout_mask).for_each(|(a, m)| *a *= m);
        }
        std::mem::swap(&mut s.input, &mut s.a);
    }
    let n_out = layers.last().map_or(0, |l| l.units);
    let mut total = 0.0;
    for ((z, a), y) in s.z.chunks_exact(n_out).zip(s.input.chunks_exact(n_out)).zip(batch_target.chunks_exact(n_out)) {
        total += loss.sample_loss(z, a, y);
    }
    total * reduction.scale(rows) + penalty
}
