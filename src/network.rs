//! A network as flat arrays, and the four phases of one training step.
//!
//! For layer l with weights W (units × inputs, row j holds neuron j's incoming weights) and a
//! batch of B samples, each phase fills arrays that stay readable until the next step:
//! - forward:  z = W·a_prev + b, a = f(z) (`pre_activation`, `activations`)
//! - loss:     L = reduce_s L_s(a_out, y), dL/da_out (`sample_loss`, `grad_output`)
//! - backward: δ = dL/dz (per sample), dL/dW = reduce_s δ·a_prevᵀ, dL/db = reduce_s δ
//!   (`delta`, `grad_weights`, `grad_biases`)
//! - update:   Δ from the optimizer, applied to W and b (`update_weights`, `update_biases`)
//!
//! A layer may also be a convolution, a pooling or a flatten layer (`Layer::kind`; their
//! passes are in `layers::passes`): z and a are then its output maps, channel-major, a
//! convolution's kernel is its `weights` (one row of C_in × k_h × k_w per output channel) with
//! a bias per channel, and pooling and flatten have no parameters and the identity as
//! activation (δ = dL/da). The backward phase of a layer takes dL/da from the layer after it,
//! by that layer's kind: Σ_k w_kj · δ_k after a dense layer, the full convolution of δ with
//! the flipped kernel after a convolution, δ routed to the window's argmax (or shared over the
//! window) after pooling, and δ itself after a flatten.
//!
//! Per-sample arrays are B × units, sample-major. Stepping phase by phase and training fast run
//! the very same functions, so both give the same numbers to the last bit. The optimizer's
//! state is in each layer's `moment1_*`, `moment2_*` and `moment3_*` arrays, all listed by
//! `Layer::optimizer_state`, and in the network's `optimizer_scalars` (see `optimizer`).

use crate::activation::Activation;
use crate::config::{layer_name, NetworkConfig};
use crate::lanes::F64x2;
use crate::layers::kind::LayerKind;
use crate::layers::passes::{self, Wired};
use crate::layers::through_time::{self, States};
use crate::layers::Shape;
use crate::loss::{Loss, Reduction};
use crate::optimizer::{OptimizerKind, OptimizerScalars, ParameterLoop, UpdateRule};
use crate::regularization::Regularization;
use crate::rng::Rng;

#[derive(Clone, Debug)]
pub struct Layer {
    /// Values per sample this layer takes (`input_shape.len()`).
    pub inputs: usize,
    /// Values per sample this layer hands on (`output_shape.len()`): a dense layer's neurons,
    /// the values of the maps of the other kinds.
    pub units: usize,
    /// Dense, convolution, pooling or flatten (see `layers`).
    pub kind: LayerKind,
    /// One sample's maps in and out (a vector is one channel of height 1).
    pub input_shape: Shape,
    pub output_shape: Shape,
    /// Where the kind's passes read and write (see `layers::passes`).
    pub wired: Wired,
    pub activation: Activation,
    pub has_bias: bool,
    /// Dropout probability p while training (0: none).
    pub dropout: f64,
    /// Per sample: 0 for a dropped neuron, 1/(1 − p) for a kept one (inverted dropout, so
    /// nothing changes when the network is used without dropout); all 1 without dropout.
    pub dropout_mask: Vec<f64>,
    /// `weights[j * inputs + i]` connects input i to neuron j; a convolution's kernel,
    /// `weights[((o·C_in + c)·k_h + u)·k_w + v]` (row o: output channel o's kernel); empty for
    /// pooling and flatten. Row j is `row_len` numbers.
    pub weights: Vec<f64>,
    /// One per neuron (per output channel of a convolution; none for pooling and flatten).
    /// Zero, and never updated, when `has_bias` is false.
    pub biases: Vec<f64>,
    /// The weights and biases before the last update: what that step's passes used. An update
    /// writes its new values here and then swaps the two arrays, so keeping the old ones costs
    /// no copy.
    pub previous_weights: Vec<f64>,
    pub previous_biases: Vec<f64>,
    /// z, per sample.
    pub pre_activation: Vec<f64>,
    /// a = f(z), per sample.
    pub activations: Vec<f64>,
    /// dL_s/da, per sample: Σ_k w_kj · δ_k from the next layer (hidden layers only: at the
    /// output, dL/da comes from the loss and is `Network::grad_output`).
    pub grad_activation: Vec<f64>,
    /// δ = dL_s/dz, per sample (the sample's own loss, before the batch reduction).
    pub delta: Vec<f64>,
    /// dL/dW of the batch (reduced).
    pub grad_weights: Vec<f64>,
    /// dL/db of the batch (reduced).
    pub grad_biases: Vec<f64>,
    /// ΔW applied by the last update.
    pub update_weights: Vec<f64>,
    /// Δb applied by the last update.
    pub update_biases: Vec<f64>,
    /// Optimizer state per parameter (what each optimizer keeps in which: the table in
    /// `optimizer`); read and written generically through `optimizer_state`.
    pub(crate) moment1_weights: Vec<f64>,
    pub(crate) moment2_weights: Vec<f64>,
    pub(crate) moment3_weights: Vec<f64>,
    pub(crate) moment1_biases: Vec<f64>,
    pub(crate) moment2_biases: Vec<f64>,
    pub(crate) moment3_biases: Vec<f64>,
    /// The six `optimizer_state` arrays before the last update, in the same order, so that a
    /// divergence rule can take that update back (see `Network::take_back_update`). Like
    /// `previous_weights`, swapped with the state the update wrote, for the arrays the
    /// optimizer uses (`OptimizerKind::state_used`); the others stay as they are.
    pub(crate) previous_moments: [Vec<f64>; 6],
    /// A recurrent layer's numbers at every time step (`layers::through_time`); `None` for
    /// the other kinds.
    pub through_time: Option<States>,
}

impl Layer {
    fn new(kind: LayerKind, shapes: (Shape, Shape), activation: Activation, has_bias: bool, dropout: f64) -> Layer {
        let (input_shape, output_shape) = shapes;
        let (inputs, units) = (input_shape.len(), output_shape.len());
        let wired = Wired::new(kind, input_shape, output_shape);
        // Parameter rows: a dense layer's neurons, a convolution's output channels.
        let (rows, row_len) = match wired {
            Wired::Dense => (units, inputs),
            Wired::Convolution(g) => (g.output.channels, g.row_len()),
            Wired::Recurrent(g) => (g.hidden, g.row_len()),
            Wired::Pooling { .. } | Wired::Flatten => (0, 0),
        };
        let through_time = match (wired, kind) {
            (Wired::Recurrent(g), LayerKind::Recurrent { clip_norm, .. }) => Some(States::new(&g, clip_norm)),
            _ => None,
        };
        let (params, bias_count) = (rows * row_len, rows);
        Layer {
            inputs,
            units,
            kind,
            input_shape,
            output_shape,
            wired,
            activation,
            has_bias,
            dropout,
            dropout_mask: Vec::new(),
            weights: vec![0.0; params],
            biases: vec![0.0; bias_count],
            previous_weights: vec![0.0; params],
            previous_biases: vec![0.0; bias_count],
            pre_activation: Vec::new(),
            activations: Vec::new(),
            grad_activation: Vec::new(),
            delta: Vec::new(),
            grad_weights: vec![0.0; params],
            grad_biases: vec![0.0; bias_count],
            update_weights: vec![0.0; params],
            update_biases: vec![0.0; bias_count],
            moment1_weights: vec![0.0; params],
            moment2_weights: vec![0.0; params],
            moment3_weights: vec![0.0; params],
            moment1_biases: vec![0.0; bias_count],
            moment2_biases: vec![0.0; bias_count],
            moment3_biases: vec![0.0; bias_count],
            previous_moments: [params, params, params, bias_count, bias_count, bias_count].map(|len| vec![0.0; len]),
            through_time,
        }
    }

    /// Keeps the parameters and the optimizer's state as they are before an update applies in
    /// place (conjugate gradient's); the element-wise update swaps instead (`write_update`).
    pub(crate) fn keep_previous(&mut self) {
        self.keep_state([true; 3]);
    }

    /// Copies the parameters, and the optimizer state arrays in `used`, to the previous ones.
    fn keep_state(&mut self, used: [bool; 3]) {
        self.previous_weights.copy_from_slice(&self.weights);
        self.previous_biases.copy_from_slice(&self.biases);
        // Taken out for the copy (no allocation), so the state arrays can be read meanwhile.
        let mut kept = std::mem::take(&mut self.previous_moments);
        for ((kept, array), on) in kept.iter_mut().zip(self.optimizer_state()).zip(used.iter().cycle()) {
            if *on {
                kept.copy_from_slice(array);
            }
        }
        self.previous_moments = kept;
    }

    /// Puts back the state before the last update, for the optimizer state arrays in `used`
    /// (the optimizer that made it): the last update never happened.
    fn take_back_update(&mut self, used: [bool; 3]) {
        self.weights.copy_from_slice(&self.previous_weights);
        self.biases.copy_from_slice(&self.previous_biases);
        let kept = std::mem::take(&mut self.previous_moments);
        for ((array, kept), on) in self.optimizer_state_mut().into_iter().zip(&kept).zip(used.iter().cycle()) {
            if *on {
                array.copy_from_slice(kept);
            }
        }
        self.previous_moments = kept;
        self.update_weights.fill(0.0);
        self.update_biases.fill(0.0);
    }

    /// The optimizer state as it was before the last update, one array after another (the
    /// six of `optimizer_state`, in its order): what a saved state keeps for the divergence rules.
    pub(crate) fn previous_moments_joined(&self) -> Vec<f64> {
        self.previous_moments.concat()
    }

    /// The length `previous_moments_joined` has.
    pub(crate) fn previous_moments_len(&self) -> usize {
        self.previous_moments.iter().map(Vec::len).sum()
    }

    /// Puts back what `previous_moments_joined` gave (of `previous_moments_len` numbers).
    pub(crate) fn set_previous_moments(&mut self, joined: &[f64]) {
        let mut rest = joined;
        for kept in &mut self.previous_moments {
            let (this, after) = rest.split_at(kept.len());
            kept.copy_from_slice(this);
            rest = after;
        }
    }

    /// Works out this layer's update (see `Network::update`): the new parameters into
    /// `previous_*`, the new optimizer state into `previous_moments` (the arrays in `used`) and
    /// Δ into `update_*`, reading the current ones, which stay as they are. Returns whether
    /// every new weight (and optimizer number), and every new bias, is finite.
    fn write_update(&mut self, rule: &UpdateRule, regularization: &Regularization, used: [bool; 3]) -> (bool, bool) {
        let [m1w, m2w, m3w, m1b, m2b, m3b] = &mut self.previous_moments;
        let weights_ok = rule.run(
            regularization,
            FusedUpdate {
                used,
                params: &self.weights,
                grads: &self.grad_weights,
                state: [&self.moment1_weights, &self.moment2_weights, &self.moment3_weights],
                new_params: &mut self.previous_weights,
                new_state: [m1w, m2w, m3w],
                updates: &mut self.update_weights,
            },
        );
        let biases_ok = !self.has_bias
            || rule.run(
                &Regularization::default(),
                FusedUpdate {
                    used,
                    params: &self.biases,
                    grads: &self.grad_biases,
                    state: [&self.moment1_biases, &self.moment2_biases, &self.moment3_biases],
                    new_params: &mut self.previous_biases,
                    new_state: [m1b, m2b, m3b],
                    updates: &mut self.update_biases,
                },
            );
        (weights_ok, biases_ok)
    }

    /// Makes what `write_update` wrote current: the arrays swap, so the old values become
    /// the `previous_*` ones without a copy.
    fn swap_in_update(&mut self, used: [bool; 3]) {
        std::mem::swap(&mut self.weights, &mut self.previous_weights);
        if self.has_bias {
            std::mem::swap(&mut self.biases, &mut self.previous_biases);
        }
        let [m1w, m2w, m3w, m1b, m2b, m3b] = &mut self.previous_moments;
        let kept = [m1w, m2w, m3w, m1b, m2b, m3b];
        let current = [
            &mut self.moment1_weights,
            &mut self.moment2_weights,
            &mut self.moment3_weights,
            &mut self.moment1_biases,
            &mut self.moment2_biases,
            &mut self.moment3_biases,
        ];
        for ((array, kept), on) in current.into_iter().zip(kept).zip(used.iter().cycle()) {
            if *on {
                std::mem::swap(array, kept);
            }
        }
    }

    /// Undoes what a refused `write_update` wrote over the previous arrays: they hold the
    /// current values again (a refused update leaves nothing to take back, and shows no change).
    fn discard_update(&mut self, used: [bool; 3]) {
        self.keep_state(used);
    }

    /// Every per-parameter optimizer state array: `moment1`, `moment2` and `moment3` of the
    /// weights (units × inputs numbers each), then of the biases (units each). With
    /// `Network::optimizer_scalars` they are the whole optimizer state (which optimizer keeps
    /// what where: the table in `optimizer`).
    pub fn optimizer_state(&self) -> [&[f64]; 6] {
        [
            &self.moment1_weights,
            &self.moment2_weights,
            &self.moment3_weights,
            &self.moment1_biases,
            &self.moment2_biases,
            &self.moment3_biases,
        ]
    }

    /// The same arrays, to restore a snapshot (their lengths are fixed by the layer's shape).
    pub fn optimizer_state_mut(&mut self) -> [&mut [f64]; 6] {
        [
            &mut self.moment1_weights,
            &mut self.moment2_weights,
            &mut self.moment3_weights,
            &mut self.moment1_biases,
            &mut self.moment2_biases,
            &mut self.moment3_biases,
        ]
    }

    /// Trainable parameters: the weights, and the biases when the bias is on.
    pub fn parameter_count(&self) -> usize {
        self.weights.len() + if self.has_bias { self.biases.len() } else { 0 }
    }

    fn resize_batch(&mut self, rows: usize) {
        // Shrinking keeps the capacity, so alternating batch sizes never reallocate.
        self.pre_activation.resize(rows * self.units, 0.0);
        self.activations.resize(rows * self.units, 0.0);
        self.delta.resize(rows * self.units, 0.0);
        self.grad_activation.resize(rows * self.units, 0.0);
        self.dropout_mask.resize(rows * self.units, 1.0);
        if let (Some(states), Wired::Recurrent(g)) = (&mut self.through_time, &self.wired) {
            states.resize(g, rows);
        }
    }

    fn clear_optimizer_state(&mut self) {
        for buffer in self.optimizer_state_mut() {
            buffer.fill(0.0);
        }
        self.update_weights.fill(0.0);
        self.update_biases.fill(0.0);
    }

    /// The forward pass for `rows` samples of `input` (rows × inputs) into z and a, by kind:
    /// z = W·x + b and a = f(z) for a dense layer, the convolution, the pooling or the
    /// flatten of `layers::passes` for the others; whether every z and a is finite.
    pub fn forward_rows(&self, input: &[f64], rows: usize, z: &mut [f64], a: &mut [f64]) -> bool {
        match &self.wired {
            Wired::Dense => forward_rows(&self.weights, &self.biases, self.activation, self.inputs, input, rows, z, a),
            Wired::Convolution(g) => {
                passes::convolution_forward(g, &self.weights, &self.biases, self.activation, input, rows, z, a)
            }
            Wired::Pooling { .. } => passes::pooling_forward(&self.wired, input, rows, z, a),
            // A probe's rows: the states through time in arrays of their own, as the
            // layer's keep the training batch's.
            Wired::Recurrent(g) => {
                let mut states = States::default();
                states.resize(g, rows);
                through_time::forward(g, &self.weights, &self.biases, self.activation, input, rows, &mut states, z, a)
            }
            Wired::Flatten => {
                // y = x: the maps read as one vector
                let n = rows * self.units;
                z[..n].copy_from_slice(&input[..n]);
                a[..n].copy_from_slice(&input[..n]);
                input[..n].iter().fold(true, |ok, x| ok & x.is_finite())
            }
        }
    }

    /// Rows of parameters: a dense layer's neurons, a convolution's output channels (one
    /// bias each), 0 for pooling and flatten.
    pub fn parameter_rows(&self) -> usize {
        self.biases.len()
    }

    /// Weights per row (`parameter_rows`): a dense layer's inputs, C_in × k_h × k_w numbers
    /// of a convolution's kernel, 0 for a kind without weights.
    pub fn row_len(&self) -> usize {
        self.weights.len().checked_div(self.biases.len()).unwrap_or(0)
    }

    /// The weights one row per neuron (per output channel), as a config writes them; `None`
    /// for a kind without weights.
    pub fn weights_by_row(&self) -> Option<Vec<Vec<f64>>> {
        let row_len = self.row_len();
        (row_len > 0).then(|| self.weights.chunks(row_len).map(<[f64]>::to_vec).collect())
    }

    /// The biases as a config writes them: `None` when the bias is off or the kind has none.
    pub fn biases_given(&self) -> Option<Vec<f64>> {
        (self.has_bias && !self.biases.is_empty()).then(|| self.biases.clone())
    }
}

/// z = W·x + b and a = f(z) for `rows` samples of `input` (rows × n_in), with the given
/// weights (n_out × n_in) and biases (n_out): a layer's forward pass, also at trial weights.
/// Returns whether every z and a is finite (checked as they are written, so it costs no pass).
///
/// Each z_j = ((w_j0·x_0 + w_j1·x_1) + …) + b_j, in the textbook order, whatever the tiling:
/// two samples at a time (the two lanes of `F64x2`, sharing each weight they load), four
/// neurons at a time (independent sums keep the processor busy instead of waiting on one).
#[allow(clippy::too_many_arguments)]
pub(crate) fn forward_rows(
    weights: &[f64],
    biases: &[f64],
    activation: Activation,
    n_in: usize,
    input: &[f64],
    rows: usize,
    z: &mut [f64],
    a: &mut [f64],
) -> bool {
    let n_out = biases.len();
    let (input, z, a) = (&input[..rows * n_in], &mut z[..rows * n_out], &mut a[..rows * n_out]);
    let mut z_pairs = z.chunks_exact_mut(2 * n_out);
    for (x2, z2) in input.chunks_exact(2 * n_in).zip(&mut z_pairs) {
        let (x0, x1) = x2.split_at(n_in);
        let (z0, z1) = z2.split_at_mut(n_out);
        product_two_rows(weights, x0, x1, z0, z1);
    }
    let z_last = z_pairs.into_remainder();
    if !z_last.is_empty() {
        product_row(weights, &input[(rows - 1) * n_in..], z_last);
    }
    let mut finite = true;
    for z_row in z.chunks_exact_mut(n_out) {
        for (z_j, b_j) in z_row.iter_mut().zip(biases) {
            *z_j += b_j;
            finite &= z_j.is_finite();
        }
    }
    // Element-wise activations run over the whole batch at once (so even a layer of one
    // neuron fills both lanes); softmax mixes a row, so it goes row by row.
    if activation == Activation::Softmax {
        for (z_row, a_row) in z.chunks_exact(n_out).zip(a.chunks_exact_mut(n_out)) {
            activation.forward_row(z_row, a_row);
        }
    } else {
        activation.forward_row(z, a);
    }
    finite & a.iter().fold(true, |ok, a_j| ok & a_j.is_finite())
}

/// z = W·x (no bias yet) for one sample.
fn product_row(weights: &[f64], x: &[f64], z: &mut [f64]) {
    let n_in = x.len();
    let blocked = z.len() / 4 * 4;
    for (z4, w4) in z[..blocked].chunks_exact_mut(4).zip(weights.chunks_exact(4 * n_in)) {
        let (w0, rest) = w4.split_at(n_in);
        let (w1, rest) = rest.split_at(n_in);
        let (w2, w3) = rest.split_at(n_in);
        let mut sums = [0.0; 4];
        for ((((&x_i, &a), &b), &c), &d) in x.iter().zip(w0).zip(w1).zip(w2).zip(w3) {
            sums[0] += a * x_i;
            sums[1] += b * x_i;
            sums[2] += c * x_i;
            sums[3] += d * x_i;
        }
        z4.copy_from_slice(&sums);
    }
    for (z_j, w_j) in z[blocked..].iter_mut().zip(weights[blocked * n_in..].chunks_exact(n_in)) {
        *z_j = w_j.iter().zip(x).fold(0.0, |sum, (w, x_i)| sum + w * x_i);
    }
}

/// z = W·x (no bias yet) for two samples at once: each lane of a sum is one sample's.
fn product_two_rows(weights: &[f64], x0: &[f64], x1: &[f64], z0: &mut [f64], z1: &mut [f64]) {
    let (n_in, n_out) = (x0.len(), z0.len());
    // Equal lengths, stated once, so the loops need no bounds checks.
    let (x1, z1) = (&x1[..n_in], &mut z1[..n_out]);
    let blocked = n_out / 4 * 4;
    let mut store = |j: usize, sum: F64x2| {
        [z0[j], z1[j]] = sum.to_array();
    };
    for (block, w4) in weights[..blocked * n_in].chunks_exact(4 * n_in).enumerate() {
        let (w0, rest) = w4.split_at(n_in);
        let (w1, rest) = rest.split_at(n_in);
        let (w2, w3) = rest.split_at(n_in);
        let mut sums = [F64x2::splat(0.0); 4];
        for i in 0..n_in {
            let x = F64x2::new(x0[i], x1[i]);
            sums[0] = sums[0] + F64x2::splat(w0[i]) * x;
            sums[1] = sums[1] + F64x2::splat(w1[i]) * x;
            sums[2] = sums[2] + F64x2::splat(w2[i]) * x;
            sums[3] = sums[3] + F64x2::splat(w3[i]) * x;
        }
        for (k, sum) in sums.into_iter().enumerate() {
            store(4 * block + k, sum);
        }
    }
    for (j, w_j) in weights[blocked * n_in..n_out * n_in].chunks_exact(n_in).enumerate() {
        let sum = (0..n_in).fold(F64x2::splat(0.0), |sum, i| sum + F64x2::splat(w_j[i]) * F64x2::new(x0[i], x1[i]));
        store(blocked + j, sum);
    }
}

/// dL/da of a layer from the dense layer after it: dL/da_j = Σ_k w_kj · δ_k (k over the next
/// layer's neurons, in order), summed for all j at once along the rows of the next layer's
/// weights. Two samples at a time, so each weight is loaded once for both (the same order
/// per sum).
fn dense_grad_input(next_weights: &[f64], next_delta: &[f64], rows: usize, units: usize, grad_a: &mut [f64]) {
    let next_units = next_weights.len() / units;
    grad_a.fill(0.0);
    let mut g_pairs = grad_a.chunks_exact_mut(2 * units);
    let mut d_pairs = next_delta[..rows * next_units].chunks_exact(2 * next_units);
    for (g2, d2) in (&mut g_pairs).zip(&mut d_pairs) {
        let ((g0, g1), (d0, d1)) = (g2.split_at_mut(units), d2.split_at(next_units));
        for ((w_k, &d0_k), &d1_k) in next_weights.chunks_exact(units).zip(d0).zip(d1) {
            for ((g0_j, g1_j), w_kj) in g0.iter_mut().zip(g1.iter_mut()).zip(w_k) {
                *g0_j += w_kj * d0_k;
                *g1_j += w_kj * d1_k;
            }
        }
    }
    let g_last = g_pairs.into_remainder();
    if !g_last.is_empty() {
        for (w_k, &d_k) in next_weights.chunks_exact(units).zip(d_pairs.remainder()) {
            for (g_j, w_kj) in g_last.iter_mut().zip(w_k) {
                *g_j += w_kj * d_k;
            }
        }
    }
}

/// dL/dW and dL/db of a dense layer, summed over the batch (the caller applies the reduction):
/// dL/dw_ji = Σ_s δ_j · a_prev_i,  dL/db_j = Σ_s δ_j.
fn dense_grad_params(this: &mut Layer, input: &[f64], rows: usize) {
    let (n_in, units) = (this.inputs, this.units);
    this.grad_weights.fill(0.0);
    this.grad_biases.fill(0.0);
    // Two samples at a time, each sum still taken in sample order: g ← (g + δ_s·a_s) + δ_s+1·a_s+1,
    // so each gradient is loaded and stored once per pair of samples.
    let (input, delta) = (&input[..rows * n_in], &this.delta[..rows * units]);
    let mut x_pairs = input.chunks_exact(2 * n_in);
    let mut d_pairs = delta.chunks_exact(2 * units);
    for (x2, d2) in (&mut x_pairs).zip(&mut d_pairs) {
        let ((x0, x1), (d0, d1)) = (x2.split_at(n_in), d2.split_at(units));
        for (((g_row, g_b), &d0), &d1) in
            this.grad_weights.chunks_exact_mut(n_in).zip(this.grad_biases.iter_mut()).zip(d0).zip(d1)
        {
            for ((g, x0_i), x1_i) in g_row.iter_mut().zip(x0).zip(x1) {
                *g = (*g + d0 * x0_i) + d1 * x1_i;
            }
            *g_b = (*g_b + d0) + d1;
        }
    }
    if let Some(x) = x_pairs.remainder().get(..n_in) {
        for ((g_row, g_b), &d) in
            this.grad_weights.chunks_exact_mut(n_in).zip(this.grad_biases.iter_mut()).zip(d_pairs.remainder())
        {
            for (g, x_i) in g_row.iter_mut().zip(x) {
                *g += d * x_i;
            }
            *g_b += d;
        }
    }
}

#[derive(Clone, Debug)]
pub struct Network {
    pub inputs: usize,
    pub layers: Vec<Layer>,
    pub loss: Loss,
    pub reduction: Reduction,
    /// Samples in the current batch.
    pub batch_len: usize,
    /// The data rows the current batch was taken from.
    pub batch_indices: Vec<usize>,
    /// x, per sample.
    pub batch_input: Vec<f64>,
    /// y, per sample.
    pub batch_target: Vec<f64>,
    /// L_s, per sample.
    pub sample_loss: Vec<f64>,
    /// dL_s/da of the output layer, per sample.
    pub grad_output: Vec<f64>,
    /// The batch's reduced loss from the last loss phase.
    pub loss_value: f64,
    /// The optimizer's scalars before the last update (see `Layer::keep_previous`).
    pub(crate) previous_scalars: OptimizerScalars,
    /// An update ran after the last forward (backward) pass, so that pass used `previous_weights`.
    pub updated_after_forward: bool,
    pub updated_after_backward: bool,
    /// The optimizer's network-wide numbers (conjugate gradient's), see `optimizer`.
    pub optimizer_scalars: OptimizerScalars,
    /// Scratch arrays for the line search's trial passes, kept between steps so they do not
    /// allocate; nothing the phases show is in them.
    pub(crate) line_search: crate::conjugate_gradient::Scratch,
}

impl Network {
    /// Builds the network of a validated config: weights given by hand are used as given,
    /// the others are drawn from the initializer with `rng`, layer by layer.
    pub fn new(config: &NetworkConfig, rng: &mut Rng) -> Network {
        let shapes = config.layer_shapes().expect("a validated config has shapes that fit");
        let mut shape = config.input_shape.unwrap_or(Shape::one_d(1, config.inputs));
        let mut layers = Vec::with_capacity(config.layers.len());
        for (lc, &output) in config.layers.iter().zip(&shapes) {
            let mut layer =
                Layer::new(lc.kind, (shape, output), lc.activation, lc.bias && lc.kind.has_parameters(), lc.dropout);
            // fan-in and fan-out of one neuron (of one kernel position's sum, for a convolution)
            let (fan_in, fan_out) = match layer.wired {
                Wired::Convolution(g) => (g.row_len(), g.output.channels * g.kernel_height * g.kernel_width),
                // one hidden unit's sum: C inputs and H past states in, H units out
                Wired::Recurrent(g) => (g.row_len(), g.hidden),
                _ => (layer.inputs, layer.units),
            };
            config.initializer.fill(fan_in, fan_out, rng, &mut layer.weights, &mut layer.biases);
            if let Some(given) = &lc.weights {
                layer.weights = given.concat();
            }
            if !layer.has_bias {
                layer.biases.fill(0.0);
            } else if let Some(given) = &lc.biases {
                layer.biases.clone_from(given);
            }
            layer.previous_weights.clone_from(&layer.weights);
            layer.previous_biases.clone_from(&layer.biases);
            shape = output;
            layers.push(layer);
        }
        Network {
            inputs: config.inputs,
            layers,
            loss: config.loss,
            reduction: config.reduction,
            batch_len: 0,
            batch_indices: Vec::new(),
            batch_input: Vec::new(),
            batch_target: Vec::new(),
            sample_loss: Vec::new(),
            grad_output: Vec::new(),
            loss_value: f64::NAN,
            updated_after_forward: false,
            updated_after_backward: false,
            optimizer_scalars: OptimizerScalars::default(),
            previous_scalars: OptimizerScalars::default(),
            line_search: Default::default(),
        }
    }

    /// Refuses a view that knows dense layers only (`what`: the computation graph, a
    /// checkpoint, …) for the layers in `range` when one of them is of another kind, naming it.
    pub fn dense_only(&self, what: &str, range: std::ops::Range<usize>) -> crate::error::Result<()> {
        let count = self.layers.len();
        match range.clone().find(|&l| self.layers.get(l).is_some_and(|layer| !layer.kind.is_dense())) {
            Some(l) => Err(crate::error::Error::OutOfRange(format!(
                "{what} shows dense layers only, and {} is a {} layer",
                layer_name(l, count),
                self.layers[l].kind.name()
            ))),
            None => Ok(()),
        }
    }

    /// Each layer's kind and the maps it takes and hands on, for views that lay out its arrays
    /// (z, a, δ and dL/da are `output` maps per sample, channel-major; the weights are
    /// `parameter_rows` rows of `row_len`).
    pub fn layer_maps(&self) -> Vec<LayerMaps> {
        self.layers
            .iter()
            .map(|l| LayerMaps {
                kind: l.kind,
                input: l.input_shape,
                output: l.output_shape,
                parameter_rows: l.parameter_rows(),
                row_len: l.row_len(),
            })
            .collect()
    }

    /// Trainable parameters of all layers.
    pub fn parameter_count(&self) -> usize {
        self.layers.iter().map(Layer::parameter_count).sum()
    }

    /// The values all layers hand on per sample (the neurons of a dense network): what
    /// `config::check_batch_values` bounds.
    pub fn total_units(&self) -> usize {
        self.layers.iter().map(|l| l.units).sum()
    }

    pub fn outputs(&self) -> usize {
        self.layers.last().map_or(0, |l| l.units)
    }

    /// Back to the fresh optimizer state: every state array and scalar 0, no update shown.
    pub fn clear_optimizer_state(&mut self) {
        self.layers.iter_mut().for_each(Layer::clear_optimizer_state);
        self.optimizer_scalars = OptimizerScalars::default();
    }

    /// Copies the given rows of a data set into the batch arrays.
    pub fn load_batch(&mut self, inputs: &[f64], targets: &[f64], rows: &[usize]) {
        let (n_in, n_out) = (self.inputs, self.outputs());
        self.batch_len = rows.len();
        self.batch_indices.clear();
        self.batch_indices.extend_from_slice(rows);
        self.batch_input.clear();
        self.batch_target.clear();
        for &r in rows {
            self.batch_input.extend_from_slice(&inputs[r * n_in..(r + 1) * n_in]);
            self.batch_target.extend_from_slice(&targets[r * n_out..(r + 1) * n_out]);
        }
        self.sample_loss.resize(rows.len(), 0.0);
        self.grad_output.resize(rows.len() * n_out, 0.0);
        for layer in &mut self.layers {
            layer.resize_batch(rows.len());
        }
    }

    /// Forward phase of layer `l`: z = W·a_prev + b, a = f(z) for every sample of the batch
    /// (a = f(z) · mask with dropout, the mask drawn beforehand by the trainer). Returns
    /// whether every z and a is finite.
    pub fn forward_layer(&mut self, l: usize) -> bool {
        let rows = self.batch_len;
        if l == 0 {
            self.updated_after_forward = false;
        }
        let (before, rest) = self.layers.split_at_mut(l);
        let layer = &mut rest[0];
        let input = if l == 0 { &self.batch_input } else { &before[l - 1].activations };
        let (mut z, mut a) = (std::mem::take(&mut layer.pre_activation), std::mem::take(&mut layer.activations));
        // A mask of 0 or 1/(1 − p) keeps a finite a finite.
        let finite = match (&layer.wired, &mut layer.through_time) {
            (Wired::Recurrent(g), Some(states)) => through_time::forward(
                g,
                &layer.weights,
                &layer.biases,
                layer.activation,
                input,
                rows,
                states,
                &mut z,
                &mut a,
            ),
            _ => layer.forward_rows(input, rows, &mut z, &mut a),
        };
        if layer.dropout > 0.0 {
            a.iter_mut().zip(&layer.dropout_mask).for_each(|(a, m)| *a *= m);
        }
        layer.pre_activation = z;
        layer.activations = a;
        finite
    }

    /// Loss phase: L_s and dL_s/da for each sample, and the batch's reduced loss.
    pub fn compute_loss(&mut self) -> f64 {
        let n_out = self.outputs();
        let output = self.layers.last().expect("a validated network has an output layer");
        let mut total = 0.0;
        for s in 0..self.batch_len {
            let span = s * n_out..(s + 1) * n_out;
            let (z, a, y) = (
                &output.pre_activation[span.clone()],
                &output.activations[span.clone()],
                &self.batch_target[span.clone()],
            );
            self.sample_loss[s] = self.loss.sample_loss(z, a, y);
            self.loss.grad_output(a, y, &mut self.grad_output[span]);
            total += self.sample_loss[s];
        }
        self.loss_value = total * self.reduction.scale(self.batch_len);
        self.loss_value
    }

    /// Backward phase of layer `l` (run from the output layer down):
    /// δ = dL/dz for each sample, then the batch's dL/dW and dL/db. Returns whether every
    /// gradient is finite, and with them every δ and dL/da: each one is a term of a gradient's
    /// sum (δ_j·a_i with a finite a_i, and a non-finite term makes the sum non-finite).
    pub fn backward_layer(&mut self, l: usize) -> bool {
        let rows = self.batch_len;
        self.updated_after_backward = false;
        let last = self.layers.len() - 1;
        let (before, rest) = self.layers.split_at_mut(l);
        let (this, after) = rest.split_first_mut().expect("layer index in range");
        let units = this.units;
        if l == last {
            // Output layer: δ from the loss, dL/dz = dL/da ⊙ f'(z) (or a − y with cross-entropy).
            for s in 0..rows {
                let span = s * units..(s + 1) * units;
                self.loss.output_delta(
                    this.activation,
                    &this.pre_activation[span.clone()],
                    &this.activations[span.clone()],
                    &self.batch_target[span.clone()],
                    &self.grad_output[span.clone()],
                    &mut this.delta[span],
                );
            }
        } else {
            // Hidden layer: dL/da is dL/dx of the next layer, by the next layer's kind;
            // then dL/dz_j = dL/da_j · f'(z_j), times the dropout mask m_j when dropout is on
            // (pooling and flatten have the identity: δ = dL/da).
            let next = &after[0];
            let grad_a = &mut this.grad_activation[..rows * units];
            match &next.wired {
                Wired::Dense => dense_grad_input(&next.weights, &next.delta, rows, units, grad_a),
                // dL/dx = δ ∗ K, the full convolution of δ with the kernel
                Wired::Convolution(g) => passes::convolution_grad_input(g, &next.weights, &next.delta, rows, grad_a),
                // dL/dx = dL/dy at each window's argmax, or shared over the window
                Wired::Pooling { .. } => {
                    passes::pooling_grad_input(&next.wired, &this.activations, &next.delta, rows, grad_a)
                }
                // dL/dx = dL/dy, value for value
                Wired::Flatten => grad_a.copy_from_slice(&next.delta[..rows * units]),
                // dL/dx_t = W_xᵀ · δ_t at every step
                Wired::Recurrent(g) => {
                    let states = next.through_time.as_ref().expect("a recurrent layer keeps its states");
                    through_time::grad_input(g, &next.weights, states, rows, grad_a)
                }
            }
            let (z, a) = (&this.pre_activation[..rows * units], &this.activations[..rows * units]);
            let grad_a = &this.grad_activation[..rows * units];
            if let (Wired::Recurrent(g), Some(states)) = (&this.wired, &mut this.through_time) {
                // δ through time: dL/dh_t from above and from the future, then ⊙ f'(z_t)
                through_time::backward(g, &this.weights, this.activation, grad_a, rows, states, &mut this.delta);
            } else if this.dropout > 0.0 {
                for (idx, d) in this.delta[..rows * units].iter_mut().enumerate() {
                    *d = grad_a[idx]
                        * this.activation.derivative(z[idx], this.activation.apply(z[idx]))
                        * this.dropout_mask[idx];
                }
            } else {
                this.activation.backward_row(z, a, grad_a, &mut this.delta[..rows * units]);
            }
        }
        let input = if l == 0 { &self.batch_input } else { &before[l - 1].activations };
        match &this.wired {
            // dL/dw_ji = reduce_s δ_j · a_prev_i,  dL/db_j = reduce_s δ_j
            Wired::Dense => dense_grad_params(this, input, rows),
            // dL/dK = reduce_s (x̃ ⋆ δ), the input correlated with δ;  dL/db_o = reduce_s Σ δ_o
            Wired::Convolution(g) => passes::convolution_grad_params(
                g,
                input,
                &this.delta[..rows * units],
                rows,
                &mut this.grad_weights,
                &mut this.grad_biases,
            ),
            // dL/dW = reduce_s Σ_t δ_t · [x_t; h_(t−1)]ᵀ, dL/db = reduce_s Σ_t δ_t
            Wired::Recurrent(g) => through_time::grad_params(
                g,
                input,
                this.through_time.as_ref().expect("a recurrent layer keeps its states"),
                rows,
                &mut this.grad_weights,
                &mut this.grad_biases,
            ),
            // No parameters: a non-finite δ is refused here, as no gradient holds it.
            Wired::Pooling { .. } | Wired::Flatten => {
                return this.delta[..rows * units].iter().fold(true, |ok, d| ok & d.is_finite());
            }
        }
        let scale = self.reduction.scale(rows);
        if scale != 1.0 {
            this.grad_weights.iter_mut().for_each(|g| *g *= scale);
            this.grad_biases.iter_mut().for_each(|g| *g *= scale);
        }
        if !this.has_bias {
            this.grad_biases.fill(0.0);
        }
        if let (LayerKind::Recurrent { clip_norm, .. }, Some(states)) = (this.kind, &mut this.through_time) {
            states.clip = through_time::clip(clip_norm, &mut this.grad_weights, &mut this.grad_biases);
        }
        this.grad_weights.iter().chain(&this.grad_biases).fold(true, |ok, g| ok & g.is_finite())
    }

    /// Update phase. First works out every Δ (and the optimizer's next state) without changing
    /// anything; only if every new value is finite does it apply them. On failure it returns
    /// where the first non-finite value appeared, and the parameters are as they were.
    /// Conjugate gradient, which works on all parameters at once, has its own update
    /// (`conjugate_gradient::update`) with the same guarantee.
    pub fn update(&mut self, rule: &UpdateRule, regularization: &Regularization) -> Result<(), String> {
        if rule.kind() == OptimizerKind::Cg {
            let before = self.optimizer_scalars.clone();
            crate::conjugate_gradient::update(self, &rule.config, regularization)?;
            self.previous_scalars = before;
            self.updated_after_forward = true;
            self.updated_after_backward = true;
            return Ok(());
        }
        // One pass per array: each new value is written beside the current one and checked as
        // it is written; only if all are finite do the arrays swap in, so a refusal changes nothing.
        let used = rule.kind().state_used();
        let count = self.layers.len();
        for l in 0..count {
            let (weights_ok, biases_ok) = self.layers[l].write_update(rule, regularization, used);
            if !weights_ok || !biases_ok {
                self.layers[..=l].iter_mut().for_each(|layer| layer.discard_update(used));
                let what = if weights_ok { "a bias" } else { "a weight" };
                return Err(format!("{what} of {} became infinite or NaN", layer_name(l, count)));
            }
        }
        self.previous_scalars.clone_from(&self.optimizer_scalars);
        self.layers.iter_mut().for_each(|layer| layer.swap_in_update(used));
        self.updated_after_forward = true;
        self.updated_after_backward = true;
        Ok(())
    }

    /// Takes the last update back: the parameters and the optimizer's state as before it
    /// (what a divergence rule does when the weights that update made fail the next step).
    /// `kind` is the optimizer that made that update (which state arrays it changed).
    pub(crate) fn take_back_update(&mut self, kind: OptimizerKind) {
        let used = kind.state_used();
        self.layers.iter_mut().for_each(|layer| layer.take_back_update(used));
        self.optimizer_scalars.clone_from(&self.previous_scalars);
    }

    /// Empties what a refused step computed, so that no NaN or infinity stays in the arrays
    /// the page draws: every z, a, δ, dL/da, gradient and sample loss 0, no batch loss (NaN).
    pub(crate) fn clear_step(&mut self) {
        self.sample_loss.fill(0.0);
        self.grad_output.fill(0.0);
        self.loss_value = f64::NAN;
        for layer in &mut self.layers {
            for array in [
                &mut layer.pre_activation,
                &mut layer.activations,
                &mut layer.grad_activation,
                &mut layer.delta,
                &mut layer.grad_weights,
                &mut layer.grad_biases,
                &mut layer.update_weights,
                &mut layer.update_biases,
            ] {
                array.fill(0.0);
            }
        }
    }

    /// Runs the forward pass of all layers for `rows` samples outside the training batch,
    /// leaving the training arrays untouched (for heatmaps, test loss, predictions).
    pub fn probe(&self, input: &[f64], rows: usize, probe: &mut Probe) {
        probe.rows = rows;
        probe.pre_activation.resize_with(self.layers.len(), Vec::new);
        probe.activations.resize_with(self.layers.len(), Vec::new);
        for (l, layer) in self.layers.iter().enumerate() {
            probe.pre_activation[l].resize(rows * layer.units, 0.0);
            probe.activations[l].resize(rows * layer.units, 0.0);
            let (done, rest) = probe.activations.split_at_mut(l);
            let x = if l == 0 { input } else { &done[l - 1] };
            let _ = layer.forward_rows(x, rows, &mut probe.pre_activation[l], &mut rest[0]);
        }
    }
}

/// One layer's kind and maps (`Network::layer_maps`).
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct LayerMaps {
    pub kind: LayerKind,
    pub input: Shape,
    pub output: Shape,
    pub parameter_rows: usize,
    pub row_len: usize,
}

/// Scratch arrays for `Network::probe`, reused between calls so probing does not allocate.
#[derive(Clone, Debug, Default)]
pub struct Probe {
    pub rows: usize,
    pub pre_activation: Vec<Vec<f64>>,
    pub activations: Vec<Vec<f64>>,
}

/// One array's update in one pass (`Layer::write_update`): reads the parameters, gradients and
/// optimizer state, writes the new parameters, the new state (the arrays in `used` only: the
/// others the optimizer leaves as they are) and Δ, and checks each new number as it goes.
struct FusedUpdate<'a> {
    used: [bool; 3],
    params: &'a [f64],
    grads: &'a [f64],
    state: [&'a [f64]; 3],
    new_params: &'a mut [f64],
    new_state: [&'a mut [f64]; 3],
    updates: &'a mut [f64],
}

impl FusedUpdate<'_> {
    /// The loop for an optimizer that uses `moment1` when `M` and `moment2` when `V`: the
    /// arrays it does not use are neither read nor written (their numbers are 0 to the rule).
    #[inline(always)]
    fn each<const M: bool, const V: bool>(
        self,
        rule: impl Fn(f64, f64, f64) -> (f64, f64, f64),
        reg: impl Fn(f64) -> f64,
    ) -> bool {
        let n = self.params.len();
        let (params, grads, updates, new_params) =
            (self.params, &self.grads[..n], &mut self.updates[..n], &mut self.new_params[..n]);
        let [m, v, _] = self.state;
        let [new_m, new_v, _] = self.new_state;
        let (m, v) = (&m[..if M { n } else { 0 }], &v[..if V { n } else { 0 }]);
        let (new_m, new_v) = (&mut new_m[..if M { n } else { 0 }], &mut new_v[..if V { n } else { 0 }]);
        let mut finite = true;
        for i in 0..n {
            let w = params[i];
            let (m_i, v_i) = (if M { m[i] } else { 0.0 }, if V { v[i] } else { 0.0 });
            let (m_new, v_new, delta) = rule(grads[i] + reg(w), m_i, v_i);
            let w_new = w + delta;
            updates[i] = delta;
            new_params[i] = w_new;
            finite &= w_new.is_finite();
            if M {
                new_m[i] = m_new;
                finite &= m_new.is_finite();
            }
            if V {
                new_v[i] = v_new;
                finite &= v_new.is_finite();
            }
        }
        finite
    }
}

impl ParameterLoop for FusedUpdate<'_> {
    fn run(self, rule: impl Fn(f64, f64, f64) -> (f64, f64, f64), reg: impl Fn(f64) -> f64) -> bool {
        match (self.used[0], self.used[1]) {
            (false, false) => self.each::<false, false>(rule, reg),
            (true, false) => self.each::<true, false>(rule, reg),
            (false, true) => self.each::<false, true>(rule, reg),
            (true, true) => self.each::<true, true>(rule, reg),
        }
    }

    fn run3(self, rule: impl Fn(f64, f64, f64, f64) -> (f64, f64, f64, f64), reg: impl Fn(f64) -> f64) -> bool {
        let n = self.params.len();
        let [m, v, r] = self.state;
        let [new_m, new_v, new_r] = self.new_state;
        let (grads, m, v, r) = (&self.grads[..n], &m[..n], &v[..n], &r[..n]);
        let (new_m, new_v, new_r) = (&mut new_m[..n], &mut new_v[..n], &mut new_r[..n]);
        let (updates, new_params) = (&mut self.updates[..n], &mut self.new_params[..n]);
        let mut finite = true;
        for i in 0..n {
            let w = self.params[i];
            let (m_new, v_new, r_new, delta) = rule(grads[i] + reg(w), m[i], v[i], r[i]);
            let w_new = w + delta;
            (updates[i], new_params[i], new_m[i], new_v[i], new_r[i]) = (delta, w_new, m_new, v_new, r_new);
            finite &= w_new.is_finite() & m_new.is_finite() & v_new.is_finite() & r_new.is_finite();
        }
        finite
    }
}

#[cfg(test)]
mod tests {
    use crate::optimizer::{OptimizerConfig, OptimizerKind};
    use crate::regularization::{Regularization, RegularizationKind};
    use crate::trainer::{Split, Trainer};

    /// Every weight, bias and optimizer state number of the network, and its scalars, as bits.
    fn everything(t: &Trainer) -> (Vec<u64>, crate::optimizer::OptimizerScalars) {
        let mut bits = Vec::new();
        for layer in &t.network.layers {
            bits.extend(layer.weights.iter().chain(&layer.biases).map(|x| x.to_bits()));
            for array in layer.optimizer_state() {
                bits.extend(array.iter().map(|x| x.to_bits()));
            }
        }
        (bits, t.network.optimizer_scalars.clone())
    }

    #[test]
    fn an_update_with_a_nan_gradient_is_refused_and_changes_nothing_for_every_optimizer() {
        // Propose, check, commit: one NaN gradient (as an overflow in the backward pass makes)
        // must leave every parameter and every number of the optimizer's state as it was.
        for kind in OptimizerKind::ALL {
            for nan_in_bias in [false, true] {
                let config = crate::config::NetworkConfig {
                    optimizer: OptimizerConfig { kind, ..OptimizerConfig::default() },
                    regularization: Regularization { kind: RegularizationKind::L2, rate: 0.01 },
                    ..Default::default()
                };
                let mut t = Trainer::new(config).unwrap();
                let x: Vec<f64> = (0..16).map(|i| (f64::from(i) * 0.7).sin()).collect();
                let y: Vec<f64> = (0..8).map(|i| f64::from(i % 2)).collect();
                t.set_data(Split::Train, x, y).unwrap();
                t.train(3).unwrap();
                while t.next_phase() != crate::phase::Phase::Update {
                    t.step_phase().unwrap();
                }
                let layer = t.network.layers.last_mut().unwrap();
                if nan_in_bias {
                    layer.grad_biases[0] = f64::NAN;
                } else {
                    layer.grad_weights[1] = f64::NAN;
                }
                let before = everything(&t);
                let e = t.step_phase().unwrap_err().to_string();
                assert!(e.contains("infinite or NaN"), "{kind:?}: {e}");
                assert_eq!(everything(&t), before, "{kind:?}, NaN in a bias: {nan_in_bias}");
            }
        }
    }
}
