//! An Elman recurrent layer unrolled over T time steps, with a dense linear readout and
//! backpropagation through time (BPTT).
//!
//! Forward through time, from h_0 = 0, for t = 1 … T:
//!     z_t = W_x · x_t + W_h · h_(t−1) + b,    h_t = f(z_t)   (f = tanh, or linear: f(z) = z)
//!     ŷ_t = V · h_t + c
//! Loss, ½ squared error at every step (summed over the steps) or at the last step only:
//!     L = Σ_(t scored) ½ ‖ŷ_t − y_t‖²
//! Backward through time, for t = T … 1, with δ_(T+1) = 0:
//!     dL/dŷ_t = ŷ_t − y_t if step t is scored, else 0
//!     dL/dh_t = Vᵀ · dL/dŷ_t + W_hᵀ · δ_(t+1)       (from this step's readout, and from the future)
//!     δ_t     = dL/dh_t ⊙ f'(z_t)                    (f' = 1 − h_t² for tanh, 1 for linear)
//! The weights are shared by every step, so their gradient is a sum over time, one term a step:
//!     dL/dW_h = Σ_t δ_t · h_(t−1)ᵀ,   dL/dW_x = Σ_t δ_t · x_tᵀ,   dL/db = Σ_t δ_t
//!     dL/dV   = Σ_t dL/dŷ_t · h_tᵀ,   dL/dc   = Σ_t dL/dŷ_t
//! Each term of W_h, W_x and b is kept (`step_grad_*`) with its norm, so a bar per time step can
//! show how much each step contributed: with tanh and small weights, δ_t shrinks by about
//! ‖W_h‖ · f' per step back from the loss (vanishing gradients through time).
//!
//! Clipping by norm (optional): with g all five gradients as one vector and threshold θ, when
//! ‖g‖ > θ every gradient is multiplied by θ / ‖g‖; `clip` reports the norm, the factor and
//! whether it acted. The per-step terms stay the true, unclipped ones.

use super::refuse_non_finite;
use crate::activation::Activation;
use crate::error::{check_above, Error, Result};
use crate::rng::Rng;
use serde::{Deserialize, Serialize};

/// The longest sequence.
pub const MAX_STEPS: usize = 1000;
/// The most inputs, hidden units or outputs.
pub const MAX_UNITS: usize = 256;

/// The hidden state's activation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecurrentActivation {
    /// h = tanh z
    Tanh,
    /// h = z
    Linear,
}

impl RecurrentActivation {
    /// The engine's activation with the same f and f'.
    pub fn activation(self) -> Activation {
        match self {
            RecurrentActivation::Tanh => Activation::Tanh,
            RecurrentActivation::Linear => Activation::Identity,
        }
    }
}

/// Which steps the loss scores.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LossAt {
    /// Every step has a target; the loss is their sum.
    EveryStep,
    /// Only the last step's target counts (the others are read and ignored).
    LastStep,
}

/// A recurrent layer's settings.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct RecurrentConfig {
    /// Values of x_t.
    pub inputs: usize,
    /// Values of h_t.
    pub hidden: usize,
    /// Values of ŷ_t.
    pub outputs: usize,
    /// T, the steps the layer is unrolled over.
    pub steps: usize,
    pub activation: RecurrentActivation,
    pub loss_at: LossAt,
    /// θ of clipping by norm; None: no clipping.
    pub clip_norm: Option<f64>,
}

/// What clipping did in the last backward pass.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Clip {
    /// θ, or None without clipping.
    pub threshold: Option<f64>,
    /// ‖g‖ of the true gradient (all five arrays as one vector).
    pub norm: f64,
    /// The factor the gradients were multiplied by: θ / ‖g‖ when it acted, else 1.
    pub scale: f64,
    /// Whether clipping changed the gradients.
    pub acted: bool,
}

/// The names of the parameter arrays, in the order `parameters` and `gradients` list them.
pub const PARAMETER_NAMES: [&str; 5] = ["W_x", "W_h", "b", "V", "c"];

/// An Elman layer unrolled over T steps, its readout, and every number of its passes.
#[derive(Clone, Debug)]
pub struct Recurrent {
    pub config: RecurrentConfig,
    /// W_x, hidden × inputs: `weights_input[j * inputs + i]` takes x_i to h_j.
    pub weights_input: Vec<f64>,
    /// W_h, hidden × hidden: `weights_hidden[j * hidden + k]` takes h_(t−1),k to h_t,j.
    pub weights_hidden: Vec<f64>,
    /// b, hidden.
    pub biases: Vec<f64>,
    /// V, outputs × hidden.
    pub readout_weights: Vec<f64>,
    /// c, outputs.
    pub readout_biases: Vec<f64>,
    /// x_1 … x_T, T × inputs.
    pub input: Vec<f64>,
    /// y_1 … y_T, T × outputs.
    pub target: Vec<f64>,
    /// h_0 … h_T, (T + 1) × hidden: h_0 = 0 first.
    pub hidden_states: Vec<f64>,
    /// z_1 … z_T, T × hidden.
    pub pre_activation: Vec<f64>,
    /// ŷ_1 … ŷ_T, T × outputs (computed at every step, scored where `loss_at` says).
    pub output: Vec<f64>,
    /// ½ ‖ŷ_t − y_t‖² per step, 0 at a step that is not scored.
    pub step_loss: Vec<f64>,
    /// L, the sum of `step_loss`.
    pub loss: f64,
    /// dL/dŷ_t, T × outputs.
    pub grad_output: Vec<f64>,
    /// dL/dh_t, T × hidden.
    pub grad_hidden: Vec<f64>,
    /// δ_t = dL/dz_t, T × hidden.
    pub delta: Vec<f64>,
    /// ‖δ_t‖ per step.
    pub delta_norm: Vec<f64>,
    /// δ_t · x_tᵀ per step, T × hidden × inputs.
    pub step_grad_weights_input: Vec<f64>,
    /// δ_t · h_(t−1)ᵀ per step, T × hidden × hidden.
    pub step_grad_weights_hidden: Vec<f64>,
    /// δ_t per step, T × hidden (the bias's term).
    pub step_grad_biases: Vec<f64>,
    /// ‖δ_t · x_tᵀ‖ (Frobenius) per step.
    pub step_norm_weights_input: Vec<f64>,
    /// ‖δ_t · h_(t−1)ᵀ‖ (Frobenius) per step.
    pub step_norm_weights_hidden: Vec<f64>,
    /// dL/dW_x (after clipping).
    pub grad_weights_input: Vec<f64>,
    /// dL/dW_h (after clipping).
    pub grad_weights_hidden: Vec<f64>,
    /// dL/db (after clipping).
    pub grad_biases: Vec<f64>,
    /// dL/dV (after clipping).
    pub grad_readout_weights: Vec<f64>,
    /// dL/dc (after clipping).
    pub grad_readout_biases: Vec<f64>,
    pub clip: Clip,
}

impl Recurrent {
    /// A layer of the given settings with every parameter 0; fails with `InvalidConfig` on a
    /// setting out of range.
    pub fn new(config: RecurrentConfig) -> Result<Recurrent> {
        for (what, n, max) in [
            ("inputs", config.inputs, MAX_UNITS),
            ("hidden units", config.hidden, MAX_UNITS),
            ("outputs", config.outputs, MAX_UNITS),
            ("time steps", config.steps, MAX_STEPS),
        ] {
            if !(1..=max).contains(&n) {
                return Err(Error::InvalidConfig(format!("a recurrent layer takes 1 to {max} {what}, not {n}")));
            }
        }
        if let Some(threshold) = config.clip_norm {
            check_above("the clipping threshold", threshold, 0.0, 1e12)?;
        }
        let RecurrentConfig { inputs: nx, hidden: nh, outputs: ny, steps: t, .. } = config;
        Ok(Recurrent {
            config,
            weights_input: vec![0.0; nh * nx],
            weights_hidden: vec![0.0; nh * nh],
            biases: vec![0.0; nh],
            readout_weights: vec![0.0; ny * nh],
            readout_biases: vec![0.0; ny],
            input: vec![0.0; t * nx],
            target: vec![0.0; t * ny],
            hidden_states: vec![0.0; (t + 1) * nh],
            pre_activation: vec![0.0; t * nh],
            output: vec![0.0; t * ny],
            step_loss: vec![0.0; t],
            loss: f64::NAN,
            grad_output: vec![0.0; t * ny],
            grad_hidden: vec![0.0; t * nh],
            delta: vec![0.0; t * nh],
            delta_norm: vec![0.0; t],
            step_grad_weights_input: vec![0.0; t * nh * nx],
            step_grad_weights_hidden: vec![0.0; t * nh * nh],
            step_grad_biases: vec![0.0; t * nh],
            step_norm_weights_input: vec![0.0; t],
            step_norm_weights_hidden: vec![0.0; t],
            grad_weights_input: vec![0.0; nh * nx],
            grad_weights_hidden: vec![0.0; nh * nh],
            grad_biases: vec![0.0; nh],
            grad_readout_weights: vec![0.0; ny * nh],
            grad_readout_biases: vec![0.0; ny],
            clip: Clip { threshold: config.clip_norm, norm: 0.0, scale: 1.0, acted: false },
        })
    }

    /// Draws every weight uniformly from ±`limit`, and sets the biases to 0.
    pub fn randomize(&mut self, rng: &mut Rng, limit: f64) {
        for w in self.weights_input.iter_mut().chain(&mut self.weights_hidden).chain(&mut self.readout_weights) {
            *w = rng.uniform(-limit, limit);
        }
        self.biases.fill(0.0);
        self.readout_biases.fill(0.0);
    }

    /// W_x, W_h, b, V and c (named in `PARAMETER_NAMES`).
    pub fn parameters(&self) -> [&[f64]; 5] {
        [&self.weights_input, &self.weights_hidden, &self.biases, &self.readout_weights, &self.readout_biases]
    }

    /// The same arrays, to change (an update, a hand edit).
    pub fn parameters_mut(&mut self) -> [&mut [f64]; 5] {
        [
            &mut self.weights_input,
            &mut self.weights_hidden,
            &mut self.biases,
            &mut self.readout_weights,
            &mut self.readout_biases,
        ]
    }

    /// The gradients of the last backward pass, in the order of `parameters` (after clipping).
    pub fn gradients(&self) -> [&[f64]; 5] {
        [
            &self.grad_weights_input,
            &self.grad_weights_hidden,
            &self.grad_biases,
            &self.grad_readout_weights,
            &self.grad_readout_biases,
        ]
    }

    /// Whether the loss scores step t (0-based).
    pub fn is_scored(&self, t: usize) -> bool {
        self.config.loss_at == LossAt::EveryStep || t + 1 == self.config.steps
    }

    /// Forward through time of training step `step` over x_1 … x_T (T × inputs): fills every
    /// z_t, h_t and ŷ_t. Fails with `InvalidData` on a wrong length, with `Diverged` when a
    /// number is not finite (the arrays are then emptied).
    pub fn forward(&mut self, input: &[f64], step: u64) -> Result<()> {
        let RecurrentConfig { inputs: nx, hidden: nh, outputs: ny, steps, .. } = self.config;
        expect_len("x", input.len(), steps, nx)?;
        self.input.copy_from_slice(input);
        let f = self.config.activation.activation();
        self.hidden_states[..nh].fill(0.0);
        for t in 0..steps {
            let x = &input[t * nx..(t + 1) * nx];
            let (past, future) = self.hidden_states.split_at_mut((t + 1) * nh);
            let h_prev = &past[t * nh..];
            let z = &mut self.pre_activation[t * nh..(t + 1) * nh];
            for (j, z_j) in z.iter_mut().enumerate() {
                // z_t,j = Σ_i W_x,ji · x_t,i + Σ_k W_h,jk · h_(t−1),k + b_j
                let from_input = dot(&self.weights_input[j * nx..(j + 1) * nx], x);
                let from_past = dot(&self.weights_hidden[j * nh..(j + 1) * nh], h_prev);
                *z_j = from_input + from_past + self.biases[j];
            }
            let h = &mut future[..nh];
            f.forward_row(z, h);
            // ŷ_t = V · h_t + c
            for (k, y_k) in self.output[t * ny..(t + 1) * ny].iter_mut().enumerate() {
                *y_k = dot(&self.readout_weights[k * nh..(k + 1) * nh], h) + self.readout_biases[k];
            }
        }
        refuse_non_finite(
            step,
            "z, h or ŷ of the recurrent layer",
            &mut [&mut self.pre_activation, &mut self.hidden_states, &mut self.output],
        )
    }

    /// The loss phase of training step `step` with targets y_1 … y_T (T × outputs; with the
    /// loss at the last step only, the others are ignored): fills each step's loss and
    /// dL/dŷ_t, and returns L. Fails with `InvalidData` on a wrong length, with `Diverged` on
    /// a non-finite loss.
    pub fn compute_loss(&mut self, target: &[f64], step: u64) -> Result<f64> {
        let (ny, steps) = (self.config.outputs, self.config.steps);
        expect_len("y", target.len(), steps, ny)?;
        self.target.copy_from_slice(target);
        self.loss = 0.0;
        for t in 0..steps {
            let span = t * ny..(t + 1) * ny;
            let scored = self.is_scored(t);
            let mut loss = 0.0;
            for ((g, &y_hat), &y) in
                self.grad_output[span.clone()].iter_mut().zip(&self.output[span.clone()]).zip(&target[span])
            {
                // dL/dŷ = ŷ − y where the step is scored, else 0
                *g = if scored { y_hat - y } else { 0.0 };
                loss += 0.5 * *g * *g;
            }
            self.step_loss[t] = loss;
            self.loss += loss;
        }
        let mut total = [self.loss];
        let refused = refuse_non_finite(
            step,
            "the loss of the recurrent layer",
            &mut [&mut self.step_loss, &mut self.grad_output, &mut total],
        );
        if refused.is_err() {
            // As the engine after a refused step: no loss to show.
            self.loss = f64::NAN;
        }
        refused.map(|()| self.loss)
    }

    /// Backpropagation through time of training step `step`, after `forward` and
    /// `compute_loss`: fills every dL/dh_t and δ_t, each step's terms of the shared weights'
    /// gradients and their norms, the gradients (their sums over time, in time order), and
    /// clips them when `clip_norm` is set. Fails with `Diverged` on a non-finite number.
    pub fn backward(&mut self, step: u64) -> Result<()> {
        let RecurrentConfig { inputs: nx, hidden: nh, outputs: ny, steps, .. } = self.config;
        let f = self.config.activation.activation();
        for t in (0..steps).rev() {
            let grad_h = &mut self.grad_hidden[t * nh..(t + 1) * nh];
            let g_y = &self.grad_output[t * ny..(t + 1) * ny];
            for (j, g_j) in grad_h.iter_mut().enumerate() {
                // dL/dh_t,j = Σ_k V_kj · dL/dŷ_t,k + Σ_m W_h,mj · δ_(t+1),m
                let from_readout = (0..ny).fold(0.0, |sum, k| sum + self.readout_weights[k * nh + j] * g_y[k]);
                let from_future = if t + 1 < steps {
                    let next = &self.delta[(t + 1) * nh..(t + 2) * nh];
                    (0..nh).fold(0.0, |sum, m| sum + self.weights_hidden[m * nh + j] * next[m])
                } else {
                    0.0
                };
                *g_j = from_readout + from_future;
            }
            // δ_t = dL/dh_t ⊙ f'(z_t)
            let span = t * nh..(t + 1) * nh;
            let h = &self.hidden_states[(t + 1) * nh..(t + 2) * nh];
            f.backward_row(&self.pre_activation[span.clone()], h, grad_h, &mut self.delta[span]);
        }
        for t in 0..steps {
            let d = &self.delta[t * nh..(t + 1) * nh];
            let x = &self.input[t * nx..(t + 1) * nx];
            let h_prev = &self.hidden_states[t * nh..(t + 1) * nh];
            outer(d, x, &mut self.step_grad_weights_input[t * nh * nx..(t + 1) * nh * nx]);
            outer(d, h_prev, &mut self.step_grad_weights_hidden[t * nh * nh..(t + 1) * nh * nh]);
            self.step_grad_biases[t * nh..(t + 1) * nh].copy_from_slice(d);
            self.delta_norm[t] = norm(d);
            self.step_norm_weights_input[t] = norm(&self.step_grad_weights_input[t * nh * nx..(t + 1) * nh * nx]);
            self.step_norm_weights_hidden[t] = norm(&self.step_grad_weights_hidden[t * nh * nh..(t + 1) * nh * nh]);
        }
        // The shared weights' gradients: the per-step terms summed in time order, t = 1 … T.
        sum_over_steps(&self.step_grad_weights_input, &mut self.grad_weights_input);
        sum_over_steps(&self.step_grad_weights_hidden, &mut self.grad_weights_hidden);
        sum_over_steps(&self.step_grad_biases, &mut self.grad_biases);
        // dL/dV = Σ_t dL/dŷ_t · h_tᵀ, dL/dc = Σ_t dL/dŷ_t
        self.grad_readout_weights.fill(0.0);
        self.grad_readout_biases.fill(0.0);
        for t in 0..steps {
            let g_y = &self.grad_output[t * ny..(t + 1) * ny];
            let h = &self.hidden_states[(t + 1) * nh..(t + 2) * nh];
            for (k, &g) in g_y.iter().enumerate() {
                for (w, &h_j) in self.grad_readout_weights[k * nh..(k + 1) * nh].iter_mut().zip(h) {
                    *w += g * h_j;
                }
                self.grad_readout_biases[k] += g;
            }
        }
        self.clip_gradients();
        refuse_non_finite(
            step,
            "a gradient of the recurrent layer",
            &mut [
                &mut self.grad_hidden,
                &mut self.delta,
                &mut self.step_grad_weights_input,
                &mut self.step_grad_weights_hidden,
                &mut self.step_grad_biases,
                &mut self.grad_weights_input,
                &mut self.grad_weights_hidden,
                &mut self.grad_biases,
                &mut self.grad_readout_weights,
                &mut self.grad_readout_biases,
            ],
        )
    }

    /// g ← g · θ / ‖g‖ when ‖g‖ > θ, over all five gradients as one vector.
    fn clip_gradients(&mut self) {
        let norm = self.gradients().iter().flat_map(|g| g.iter()).map(|g| g * g).sum::<f64>().sqrt();
        self.clip = Clip { threshold: self.config.clip_norm, norm, scale: 1.0, acted: false };
        if let Some(threshold) = self.config.clip_norm {
            if norm > threshold {
                let scale = threshold / norm;
                self.clip.scale = scale;
                self.clip.acted = true;
                for g in self.gradients_mut() {
                    g.iter_mut().for_each(|g| *g *= scale);
                }
            }
        }
    }

    fn gradients_mut(&mut self) -> [&mut [f64]; 5] {
        [
            &mut self.grad_weights_input,
            &mut self.grad_weights_hidden,
            &mut self.grad_biases,
            &mut self.grad_readout_weights,
            &mut self.grad_readout_biases,
        ]
    }
}

fn expect_len(what: &str, given: usize, steps: usize, per_step: usize) -> Result<()> {
    if given != steps * per_step {
        return Err(Error::InvalidData(format!(
            "the recurrent layer takes {what} for {steps} steps of {per_step} values, {} values, not {given}",
            steps * per_step
        )));
    }
    Ok(())
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).fold(0.0, |sum, (a, b)| sum + a * b)
}

fn norm(a: &[f64]) -> f64 {
    dot(a, a).sqrt()
}

/// out = u · vᵀ (u.len() × v.len(), row-major).
fn outer(u: &[f64], v: &[f64], out: &mut [f64]) {
    for (row, &u_j) in out.chunks_exact_mut(v.len()).zip(u) {
        for (o, &v_i) in row.iter_mut().zip(v) {
            *o = u_j * v_i;
        }
    }
}

/// total = Σ_t terms_t, in time order (`terms` holds T arrays of total.len() one after another).
fn sum_over_steps(terms: &[f64], total: &mut [f64]) {
    total.fill(0.0);
    for term in terms.chunks_exact(total.len()) {
        for (g, &x) in total.iter_mut().zip(term) {
            *g += x;
        }
    }
}
