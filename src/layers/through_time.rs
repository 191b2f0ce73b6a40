//! The batch passes `Network` runs for a recurrent layer (`LayerKind::Recurrent`): an Elman
//! layer unrolled over the T steps of its input, on the network layer's own arrays.
//!
//! Layouts, per sample:
//! - x, the layer's input: a signal of C channels over T steps, channel-major (x_t,c at c·T + t);
//! - the parameters: weight row j is W_x's row j (C numbers) then W_h's row j (H numbers), so
//!   every optimizer, regularizer and saved model treats them as any layer's; b, H biases;
//! - the states through time (`States`), time-major: z_t (T × H), h_0 … h_T ((T + 1) × H,
//!   h_0 = 0 first), dL/dh_t and δ_t (T × H);
//! - what the layer hands on: every h_t as H channels over the T steps (`Returns::Sequence`,
//!   channel-major like x), or h_T alone (`Returns::Last`). The layer's own z, a and δ hold the
//!   same positions, so the next layer and the page read them as they read any layer's.
//!
//! Forward through time, t = 1 … T:  z_t = W_x·x_t + W_h·h_(t−1) + b,  h_t = f(z_t).
//! Backward through time, t = T … 1, with δ_(T+1) = 0:
//!     dL/dh_t = dL/da at step t (from the layer above; 0 at a step it does not read)
//!               + W_hᵀ·δ_(t+1)                      (from the future)
//!     δ_t     = dL/dh_t ⊙ f'(z_t)
//! The weights are shared by every step, so their gradients are sums over the samples and the
//! steps, one term each:
//!     dL/dW_x = Σ_s Σ_t δ_t·x_tᵀ,   dL/dW_h = Σ_s Σ_t δ_t·h_(t−1)ᵀ,   dL/db = Σ_s Σ_t δ_t,
//! and the layer below gets dL/dx_t = W_xᵀ·δ_t. Clipping by norm (optional) multiplies the
//! layer's three gradients, as one vector g, by θ/‖g‖ when ‖g‖ > θ (`Clip` says when it acted).
//!
//! Each sum runs in the order of `layers::recurrent` (W_x·x_t, then W_h·h_(t−1), then b; the
//! part of dL/dh_t from above before the future's; the terms in time order), so a network of
//! this layer and a kernel-1 convolution readout gives the self-contained layer's numbers.

use super::kind::Returns;
use super::recurrent::Clip;
use crate::activation::Activation;
use serde::Serialize;

/// Where a recurrent layer sits in the network: C values per step in, H hidden units, T steps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RecurrentGeometry {
    pub inputs: usize,
    pub hidden: usize,
    pub steps: usize,
    pub returns: Returns,
}

impl RecurrentGeometry {
    /// Weights per row: C of W_x, then H of W_h.
    pub fn row_len(&self) -> usize {
        self.inputs + self.hidden
    }

    /// Where h_t,j (t from 0) sits in what the layer hands on; `None` at a step it does not hand on.
    pub fn output_index(&self, t: usize, j: usize) -> Option<usize> {
        match self.returns {
            Returns::Sequence => Some(j * self.steps + t),
            Returns::Last => (t + 1 == self.steps).then_some(j),
        }
    }
}

/// A recurrent layer's numbers through time, per sample of the batch (layouts: the module's).
#[derive(Clone, Debug, Default)]
pub struct States {
    /// z_1 … z_T, T × H per sample.
    pub pre_activation: Vec<f64>,
    /// h_0 … h_T, (T + 1) × H per sample.
    pub hidden: Vec<f64>,
    /// dL/dh_1 … dL/dh_T, T × H per sample.
    pub grad_hidden: Vec<f64>,
    /// δ_1 … δ_T, T × H per sample.
    pub delta: Vec<f64>,
    /// What clipping did in the last backward pass.
    pub clip: Clip,
    /// The numbers above are not this batch's: the trainer was restored mid-step from a saved
    /// state (a link, a snapshot), which keeps no states through time. The next forward pass
    /// fills them again.
    pub unknown: bool,
}

impl States {
    pub fn new(g: &RecurrentGeometry, clip_norm: Option<f64>) -> States {
        States { clip: Clip { threshold: clip_norm, norm: 0.0, scale: 1.0, acted: false }, ..States::default() }
            .resized(g, 0)
    }

    fn resized(mut self, g: &RecurrentGeometry, rows: usize) -> States {
        self.resize(g, rows);
        self
    }

    /// Room for `rows` samples.
    pub fn resize(&mut self, g: &RecurrentGeometry, rows: usize) {
        let (steps, hidden) = (g.steps, g.hidden);
        self.pre_activation.resize(rows * steps * hidden, 0.0);
        self.hidden.resize(rows * (steps + 1) * hidden, 0.0);
        self.grad_hidden.resize(rows * steps * hidden, 0.0);
        self.delta.resize(rows * steps * hidden, 0.0);
    }
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).fold(0.0, |sum, (a, b)| sum + a * b)
}

/// Forward through time for `rows` samples of `input`: every z_t and h_t into `states`, and
/// what the layer hands on into `z` and `a`. Returns whether every number is finite.
#[allow(clippy::too_many_arguments)]
pub fn forward(
    g: &RecurrentGeometry,
    weights: &[f64],
    biases: &[f64],
    f: Activation,
    input: &[f64],
    rows: usize,
    states: &mut States,
    z: &mut [f64],
    a: &mut [f64],
) -> bool {
    let RecurrentGeometry { inputs: c_in, hidden: nh, steps, .. } = *g;
    let (row, units) = (g.row_len(), output_len(g));
    states.unknown = false;
    for s in 0..rows {
        let x = &input[s * c_in * steps..(s + 1) * c_in * steps];
        let zs = &mut states.pre_activation[s * steps * nh..(s + 1) * steps * nh];
        let hs = &mut states.hidden[s * (steps + 1) * nh..(s + 1) * (steps + 1) * nh];
        hs[..nh].fill(0.0);
        for t in 0..steps {
            let (past, future) = hs.split_at_mut((t + 1) * nh);
            let h_prev = &past[t * nh..];
            let z_t = &mut zs[t * nh..(t + 1) * nh];
            for (j, z_j) in z_t.iter_mut().enumerate() {
                // z_t,j = Σ_c W_x,jc · x_t,c + Σ_k W_h,jk · h_(t−1),k + b_j
                let w = &weights[j * row..(j + 1) * row];
                let from_input = (0..c_in).fold(0.0, |sum, c| sum + w[c] * x[c * steps + t]);
                *z_j = from_input + dot(&w[c_in..], h_prev) + biases[j];
            }
            f.forward_row(z_t, &mut future[..nh]);
        }
        let (z_out, a_out) = (&mut z[s * units..(s + 1) * units], &mut a[s * units..(s + 1) * units]);
        for t in 0..steps {
            for j in 0..nh {
                if let Some(i) = g.output_index(t, j) {
                    z_out[i] = zs[t * nh + j];
                    a_out[i] = hs[(t + 1) * nh + j];
                }
            }
        }
    }
    let n = rows * steps * nh;
    let finite = |values: &[f64]| values.iter().fold(true, |ok, v| ok & v.is_finite());
    finite(&states.pre_activation[..n]) && finite(&states.hidden[..rows * (steps + 1) * nh])
}

/// Values per sample the layer hands on.
fn output_len(g: &RecurrentGeometry) -> usize {
    match g.returns {
        Returns::Sequence => g.hidden * g.steps,
        Returns::Last => g.hidden,
    }
}

/// Backward through time for `rows` samples, from dL/da of what the layer handed on
/// (`grad_a`): every dL/dh_t and δ_t into `states`, and δ at the handed-on positions into
/// `delta` (the layer's own δ array).
pub fn backward(
    g: &RecurrentGeometry,
    weights: &[f64],
    f: Activation,
    grad_a: &[f64],
    rows: usize,
    states: &mut States,
    delta: &mut [f64],
) {
    let RecurrentGeometry { inputs: c_in, hidden: nh, steps, .. } = *g;
    let (row, units) = (g.row_len(), output_len(g));
    states.unknown = false;
    for s in 0..rows {
        let from_above = &grad_a[s * units..(s + 1) * units];
        let span = s * steps * nh..(s + 1) * steps * nh;
        let (zs, gs, ds) =
            (&states.pre_activation[span.clone()], &mut states.grad_hidden[span.clone()], &mut states.delta[span]);
        let hs = &states.hidden[s * (steps + 1) * nh..(s + 1) * (steps + 1) * nh];
        for t in (0..steps).rev() {
            let (now, later) = ds.split_at_mut((t + 1) * nh);
            let grad_h = &mut gs[t * nh..(t + 1) * nh];
            for (j, g_j) in grad_h.iter_mut().enumerate() {
                // dL/dh_t,j = dL/da_t,j + Σ_m W_h,mj · δ_(t+1),m
                let above = g.output_index(t, j).map_or(0.0, |i| from_above[i]);
                let future = if t + 1 < steps {
                    (0..nh).fold(0.0, |sum, m| sum + weights[m * row + c_in + j] * later[m])
                } else {
                    0.0
                };
                *g_j = above + future;
            }
            // δ_t = dL/dh_t ⊙ f'(z_t)
            f.backward_row(&zs[t * nh..(t + 1) * nh], &hs[(t + 1) * nh..(t + 2) * nh], grad_h, &mut now[t * nh..]);
        }
        let d_out = &mut delta[s * units..(s + 1) * units];
        for t in 0..steps {
            for j in 0..nh {
                if let Some(i) = g.output_index(t, j) {
                    d_out[i] = ds[t * nh + j];
                }
            }
        }
    }
}

/// The batch's sums dL/dW = Σ_s Σ_t δ_t·[x_t; h_(t−1)]ᵀ and dL/db = Σ_s Σ_t δ_t, unreduced,
/// samples and steps in order.
pub fn grad_params(
    g: &RecurrentGeometry,
    input: &[f64],
    states: &States,
    rows: usize,
    grad_weights: &mut [f64],
    grad_biases: &mut [f64],
) {
    let RecurrentGeometry { inputs: c_in, hidden: nh, steps, .. } = *g;
    let row = g.row_len();
    grad_weights.fill(0.0);
    grad_biases.fill(0.0);
    for s in 0..rows {
        let x = &input[s * c_in * steps..(s + 1) * c_in * steps];
        let ds = &states.delta[s * steps * nh..(s + 1) * steps * nh];
        let hs = &states.hidden[s * (steps + 1) * nh..(s + 1) * (steps + 1) * nh];
        for t in 0..steps {
            let h_prev = &hs[t * nh..(t + 1) * nh];
            for (j, &d) in ds[t * nh..(t + 1) * nh].iter().enumerate() {
                let w = &mut grad_weights[j * row..(j + 1) * row];
                for c in 0..c_in {
                    w[c] += d * x[c * steps + t];
                }
                for (w, &h) in w[c_in..].iter_mut().zip(h_prev) {
                    *w += d * h;
                }
                grad_biases[j] += d;
            }
        }
    }
}

/// Clips the layer's gradients by norm when `threshold` is set: g ← g·θ/‖g‖ if ‖g‖ > θ.
pub fn clip(threshold: Option<f64>, grad_weights: &mut [f64], grad_biases: &mut [f64]) -> Clip {
    let norm = grad_weights.iter().chain(grad_biases.iter()).map(|g| g * g).sum::<f64>().sqrt();
    let mut clip = Clip { threshold, norm, scale: 1.0, acted: false };
    if let Some(threshold) = threshold.filter(|&theta| norm > theta) {
        clip.scale = threshold / norm;
        clip.acted = true;
        grad_weights.iter_mut().chain(grad_biases.iter_mut()).for_each(|g| *g *= clip.scale);
    }
    clip
}

/// dL/dx for the layer below, per sample: dL/dx_t,c = Σ_j W_x,jc · δ_t,j.
pub fn grad_input(g: &RecurrentGeometry, weights: &[f64], states: &States, rows: usize, grad_x: &mut [f64]) {
    let RecurrentGeometry { inputs: c_in, hidden: nh, steps, .. } = *g;
    let row = g.row_len();
    for s in 0..rows {
        let ds = &states.delta[s * steps * nh..(s + 1) * steps * nh];
        let out = &mut grad_x[s * c_in * steps..(s + 1) * c_in * steps];
        for t in 0..steps {
            let d = &ds[t * nh..(t + 1) * nh];
            for c in 0..c_in {
                out[c * steps + t] = (0..nh).fold(0.0, |sum, j| sum + weights[j * row + c] * d[j]);
            }
        }
    }
}

/// One step's term of a shared weight's gradient, for one sample: δ_t,j · v_t,i (v: x_t or h_(t−1)).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StepTerm {
    pub sample: usize,
    /// The time step, from 1.
    pub step: usize,
    pub delta: f64,
    /// x_t,c, h_(t−1),k, or 1 for a bias.
    pub input: f64,
    pub term: f64,
}

/// The chain rule of one of a recurrent layer's parameters through time.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RecurrentChainRule {
    /// "W_x", "W_h" or "b".
    pub name: &'static str,
    /// The hidden unit j (from 0).
    pub row: usize,
    /// c of W_x, k of W_h (from 0); `None` for b.
    pub column: Option<usize>,
    pub value: f64,
    /// Every sample's term at every step, in the order the backward pass adds them.
    pub terms: Vec<StepTerm>,
    /// scale · Σ_s of each step's terms: that step's contribution, t = 1 … T.
    pub step_sums: Vec<f64>,
    /// Σ of `terms`, in the order listed.
    pub sum: f64,
    /// The batch reduction (1 for a sum, 1/B for a mean).
    pub scale: f64,
    /// scale · sum, before clipping.
    pub gradient: f64,
    /// The engine's gradient for it: `gradient` × the clipping factor.
    pub clipped: f64,
}

/// Which parameter: W_x,jc (`column` < C), W_h,jk (`column` = C + k) or b_j (`column` = None).
#[allow(clippy::too_many_arguments)]
pub fn explain(
    g: &RecurrentGeometry,
    weights: &[f64],
    biases: &[f64],
    input: &[f64],
    states: &States,
    rows: usize,
    scale: f64,
    row: usize,
    column: Option<usize>,
) -> RecurrentChainRule {
    let RecurrentGeometry { inputs: c_in, hidden: nh, steps, .. } = *g;
    let mut terms = Vec::with_capacity(rows * steps);
    let mut step_sums = vec![0.0; steps];
    let mut sum = 0.0;
    for s in 0..rows {
        for (t, step_sum) in step_sums.iter_mut().enumerate() {
            let delta = states.delta[(s * steps + t) * nh + row];
            let input = match column {
                None => 1.0,
                Some(c) if c < c_in => input[s * c_in * steps + c * steps + t],
                Some(c) => states.hidden[(s * (steps + 1) + t) * nh + (c - c_in)],
            };
            // A bias's term is δ itself (δ · 1 is δ to the bit).
            let term = delta * input;
            sum += term;
            *step_sum += term;
            terms.push(StepTerm { sample: s, step: t + 1, delta, input, term });
        }
    }
    step_sums.iter_mut().for_each(|v| *v *= scale);
    let (name, value) = match column {
        None => ("b", biases[row]),
        Some(c) if c < c_in => ("W_x", weights[row * g.row_len() + c]),
        Some(c) => ("W_h", weights[row * g.row_len() + c]),
    };
    let column = column.map(|c| if c < c_in { c } else { c - c_in });
    let gradient = scale * sum;
    RecurrentChainRule {
        name,
        row,
        column,
        value,
        terms,
        step_sums,
        sum,
        scale,
        gradient,
        clipped: gradient * states.clip.scale,
    }
}

/// Each step's share of the gradients, for a bar per step: t = 1 … T.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StepNorms {
    /// ‖scale · Σ_s δ_t·x_tᵀ‖ (Frobenius).
    pub weights_input: Vec<f64>,
    /// ‖scale · Σ_s δ_t·h_(t−1)ᵀ‖.
    pub weights_hidden: Vec<f64>,
    /// ‖scale · Σ_s δ_t‖.
    pub biases: Vec<f64>,
    /// ‖δ_t‖ over the batch: √(Σ_s Σ_j δ_s,t,j²).
    pub delta: Vec<f64>,
    /// What clipping did to the sum of these terms in the same backward pass.
    pub clip: Clip,
}

/// The norms of each step's terms (before clipping).
pub fn step_norms(g: &RecurrentGeometry, input: &[f64], states: &States, rows: usize, scale: f64) -> StepNorms {
    let RecurrentGeometry { inputs: c_in, hidden: nh, steps, .. } = *g;
    let mut norms = StepNorms {
        weights_input: Vec::with_capacity(steps),
        weights_hidden: Vec::with_capacity(steps),
        biases: Vec::with_capacity(steps),
        delta: Vec::with_capacity(steps),
        clip: states.clip,
    };
    let (mut wx, mut wh, mut b) = (vec![0.0; nh * c_in], vec![0.0; nh * nh], vec![0.0; nh]);
    for t in 0..steps {
        wx.fill(0.0);
        wh.fill(0.0);
        b.fill(0.0);
        let mut delta_squares = 0.0;
        for s in 0..rows {
            let d = &states.delta[(s * steps + t) * nh..(s * steps + t + 1) * nh];
            let h_prev = &states.hidden[(s * (steps + 1) + t) * nh..(s * (steps + 1) + t + 1) * nh];
            for (j, &d_j) in d.iter().enumerate() {
                for c in 0..c_in {
                    wx[j * c_in + c] += d_j * input[s * c_in * steps + c * steps + t];
                }
                for (k, &h) in h_prev.iter().enumerate() {
                    wh[j * nh + k] += d_j * h;
                }
                b[j] += d_j;
                delta_squares += d_j * d_j;
            }
        }
        let norm = |v: &[f64]| scale.abs() * dot(v, v).sqrt();
        norms.weights_input.push(norm(&wx));
        norms.weights_hidden.push(norm(&wh));
        norms.biases.push(norm(&b));
        norms.delta.push(delta_squares.sqrt());
    }
    norms
}
