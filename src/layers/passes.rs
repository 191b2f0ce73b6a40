//! The batch passes `Network` runs for a convolution, pooling or flatten layer, on the layer's
//! own flat arrays: the kernel is the layer's `weights` (C_out rows of C_in × k_h × k_w, in the
//! order of `Convolution::kernel`), the channel biases its `biases`, and z, a, δ and dL/da its
//! per-sample arrays, as for a dense layer.
//!
//! The arithmetic is that of the self-contained kernels (`convolution`, `pooling`, `flatten`),
//! read through the input's bounds instead of a padded copy, so the network keeps no extra
//! per-sample array (a padding zero adds nothing to a sum):
//! - convolution forward: z[o,i,j] = Σ_c Σ_u Σ_v K[o,c,u,v] · x̃[c, i+u, j+v] + b[o], a = f(z);
//! - dL/dK[o,c,u,v] = Σ_s Σ_i Σ_j δ[o,i,j] · x̃[c, i+u, j+v] (the input correlated with δ),
//!   dL/db[o] = Σ_s Σ_i Σ_j δ[o,i,j];
//! - dL/dx = the full convolution of δ with the kernel, taken as a correlation of δ (framed by
//!   k − 1 zeros) with the kernel flipped in both axes;
//! - pooling: y = max or mean of each window; dL/dx = dL/dy at the window's argmax (the first
//!   in reading order on a tie), or dL/dy / |W| at each input of the window;
//! - flatten: y = x and dL/dx = dL/dy, value for value.
//!
//! Each sum runs in the order of the self-contained kernel, so the two agree to the last bit
//! (up to the sign of a zero).

use super::convolution::{KernelChainRule, KernelTerm, KernelWeight, Padding};
use super::kind::{LayerKind, Returns};
use super::pooling::PoolKind;
use super::through_time::RecurrentGeometry;
use super::{Dimensions, Shape};
use crate::activation::Activation;

/// Where a convolution's kernel meets its input: the maps in and out, the kernel's size and
/// the zeros before the input (top, left) in x̃.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConvolutionGeometry {
    pub input: Shape,
    pub output: Shape,
    pub kernel_height: usize,
    pub kernel_width: usize,
    pub top: usize,
    pub left: usize,
}

impl ConvolutionGeometry {
    /// The geometry of a convolution of `dimensions`, `kernel_size` and `padding` between maps
    /// of `input` and `output` (as `LayerKind::output_shape` gave it).
    pub fn new(dimensions: Dimensions, kernel_size: usize, padding: Padding, input: Shape, output: Shape) -> Self {
        let (kernel_height, kernel_width) = (dimensions.window_height(kernel_size), kernel_size);
        ConvolutionGeometry {
            input,
            output,
            kernel_height,
            kernel_width,
            top: padding.amounts(kernel_height).0,
            left: padding.amounts(kernel_width).0,
        }
    }

    /// Kernel numbers per output channel: C_in × k_h × k_w.
    pub fn row_len(&self) -> usize {
        self.input.channels * self.kernel_height * self.kernel_width
    }
}

/// The offsets u in 0..k for which i + u − before is inside 0..size: where x̃[i + u] is an
/// input and not a padding zero (or, turned around, the output rows a kernel row meets).
/// Skipping the zeros leaves every sum as it is, term for term.
fn inside(i: usize, before: usize, size: usize, k: usize) -> std::ops::Range<usize> {
    before.saturating_sub(i)..k.min((size + before).saturating_sub(i))
}

/// A layer kind's geometry in the network, when it is not dense.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wired {
    Dense,
    Convolution(ConvolutionGeometry),
    Pooling {
        pool: PoolKind,
        height: usize,
        width: usize,
        input: Shape,
        output: Shape,
    },
    Flatten,
    /// An Elman layer through time (`through_time`).
    Recurrent(RecurrentGeometry),
}

impl Wired {
    /// The geometry of a layer of `kind` between maps of `input` and `output`.
    pub fn new(kind: LayerKind, input: Shape, output: Shape) -> Wired {
        match kind {
            LayerKind::Dense => Wired::Dense,
            LayerKind::Convolution { dimensions, kernel_size, padding, .. } => {
                Wired::Convolution(ConvolutionGeometry::new(dimensions, kernel_size, padding, input, output))
            }
            LayerKind::Pooling { dimensions, pool, size } => {
                Wired::Pooling { pool, height: dimensions.window_height(size), width: size, input, output }
            }
            LayerKind::Flatten => Wired::Flatten,
            LayerKind::Recurrent { returns, .. } => Wired::Recurrent(RecurrentGeometry {
                inputs: input.channels,
                hidden: match returns {
                    Returns::Sequence => output.channels,
                    Returns::Last => output.width,
                },
                steps: input.width,
                returns,
            }),
        }
    }
}

/// The forward pass of a convolution for `rows` samples of `input`: z and a (per sample, as
/// long as the output maps); whether every z and a is finite.
#[allow(clippy::too_many_arguments)]
pub fn convolution_forward(
    g: &ConvolutionGeometry,
    kernel: &[f64],
    bias: &[f64],
    activation: Activation,
    input: &[f64],
    rows: usize,
    z: &mut [f64],
    a: &mut [f64],
) -> bool {
    let (inp, out, kh, kw) = (g.input, g.output, g.kernel_height, g.kernel_width);
    let (z, a) = (&mut z[..rows * out.len()], &mut a[..rows * out.len()]);
    for (x, z) in input[..rows * inp.len()].chunks_exact(inp.len()).zip(z.chunks_exact_mut(out.len())) {
        for o in 0..out.channels {
            for i in 0..out.height {
                for j in 0..out.width {
                    // z[o,i,j] = Σ_c Σ_u Σ_v K[o,c,u,v] · x̃[c,i+u,j+v] + b[o]
                    let mut sum = 0.0;
                    let columns = inside(j, g.left, inp.width, kw);
                    for c in 0..inp.channels {
                        for u in inside(i, g.top, inp.height, kh) {
                            let k_row = &kernel[((o * inp.channels + c) * kh + u) * kw..][columns.clone()];
                            let x_row = &x[inp.index(c, i + u - g.top, j + columns.start - g.left)..][..k_row.len()];
                            for (w, x) in k_row.iter().zip(x_row) {
                                sum += w * x;
                            }
                        }
                    }
                    z[out.index(o, i, j)] = sum + bias[o];
                }
            }
        }
    }
    activation.forward_row(z, a);
    z.iter().chain(a.iter()).fold(true, |ok, x| ok & x.is_finite())
}

/// dL/dK and dL/db of a convolution, summed over `rows` samples (the caller applies the
/// batch reduction): the input correlated with δ, and δ summed over each map.
pub fn convolution_grad_params(
    g: &ConvolutionGeometry,
    input: &[f64],
    delta: &[f64],
    rows: usize,
    grad_kernel: &mut [f64],
    grad_bias: &mut [f64],
) {
    let (inp, out, kh, kw) = (g.input, g.output, g.kernel_height, g.kernel_width);
    grad_kernel.fill(0.0);
    grad_bias.fill(0.0);
    for (x, d) in input[..rows * inp.len()].chunks_exact(inp.len()).zip(delta.chunks_exact(out.len())) {
        for o in 0..out.channels {
            for c in 0..inp.channels {
                for u in 0..kh {
                    for v in 0..kw {
                        // dL/dK[o,c,u,v] += Σ_i Σ_j δ[o,i,j] · x̃[c,i+u,j+v]: one term per position
                        let gk = &mut grad_kernel[((o * inp.channels + c) * kh + u) * kw + v];
                        let columns = inside(v, g.left, inp.width, out.width);
                        for i in inside(u, g.top, inp.height, out.height) {
                            let d_row = &d[out.index(o, i, columns.start)..][..columns.len()];
                            let x_row = &x[inp.index(c, i + u - g.top, columns.start + v - g.left)..][..columns.len()];
                            for (d, x) in d_row.iter().zip(x_row) {
                                *gk += d * x;
                            }
                        }
                    }
                }
            }
            // dL/db[o] += Σ_i Σ_j δ[o,i,j]
            grad_bias[o] += d[out.index(o, 0, 0)..][..out.height * out.width].iter().sum::<f64>();
        }
    }
}

/// dL/dx of a convolution for `rows` samples, from its δ: the full convolution of δ with the
/// kernel, dL/dx[c,p,q] = Σ_o Σ_u Σ_v δ_full[o, p̃+u, q̃+v] · K[o, c, k_h−1−u, k_w−1−v], where
/// δ_full is δ framed by k − 1 zeros and (p̃, q̃) is (p, q) inside x̃.
pub fn convolution_grad_input(
    g: &ConvolutionGeometry,
    kernel: &[f64],
    delta: &[f64],
    rows: usize,
    grad_input: &mut [f64],
) {
    let (inp, out, kh, kw) = (g.input, g.output, g.kernel_height, g.kernel_width);
    for (d, gx) in delta[..rows * out.len()].chunks_exact(out.len()).zip(grad_input.chunks_exact_mut(inp.len())) {
        for c in 0..inp.channels {
            for p in 0..inp.height {
                for q in 0..inp.width {
                    let (pp, qq) = (p + g.top, q + g.left);
                    let mut sum = 0.0;
                    // δ_full[o, p̃+u, q̃+v] is δ[o, p̃+u−(k_h−1), q̃+v−(k_w−1)], a zero outside δ.
                    let columns = inside(qq, kw - 1, out.width, kw);
                    for o in 0..out.channels {
                        for u in inside(pp, kh - 1, out.height, kh) {
                            let flipped_row = &kernel[((o * inp.channels + c) * kh + (kh - 1 - u)) * kw..][..kw];
                            let d_row = &d[out.index(o, pp + u - (kh - 1), 0)..][..out.width];
                            for v in columns.clone() {
                                sum += d_row[qq + v - (kw - 1)] * flipped_row[kw - 1 - v];
                            }
                        }
                    }
                    gx[inp.index(c, p, q)] = sum;
                }
            }
        }
    }
}

/// The flat index (within its sample) of each window's input that pooling keeps: the max
/// (the first in reading order on a tie) for max pooling.
fn argmax(x: &[f64], input: Shape, c: usize, top: usize, left: usize, height: usize, width: usize) -> usize {
    let mut best = input.index(c, top, left);
    for u in 0..height {
        for v in 0..width {
            let at = input.index(c, top + u, left + v);
            // Strictly greater: on a tie the first in reading order stays the argmax.
            if x[at] > x[best] {
                best = at;
            }
        }
    }
    best
}

/// The forward pass of a pooling layer (`Wired::Pooling`) for `rows` samples: y into z, and a
/// = z (a pooling layer's activation is the identity); whether every y is finite.
pub fn pooling_forward(wired: &Wired, input: &[f64], rows: usize, z: &mut [f64], a: &mut [f64]) -> bool {
    let Wired::Pooling { pool, height, width, input: inp, output: out } = *wired else { return false };
    let area = (height * width) as f64;
    let (z, a) = (&mut z[..rows * out.len()], &mut a[..rows * out.len()]);
    for (x, y) in input[..rows * inp.len()].chunks_exact(inp.len()).zip(z.chunks_exact_mut(out.len())) {
        for c in 0..out.channels {
            for i in 0..out.height {
                for j in 0..out.width {
                    let (top, left) = (i * height, j * width);
                    y[out.index(c, i, j)] = match pool {
                        // y = max over the window
                        PoolKind::Max => x[argmax(x, inp, c, top, left, height, width)],
                        // y = (1/|W|) Σ over the window
                        PoolKind::Average => {
                            (0..height)
                                .flat_map(|u| (0..width).map(move |v| inp.index(c, top + u, left + v)))
                                .map(|at| x[at])
                                .sum::<f64>()
                                / area
                        }
                    };
                }
            }
        }
    }
    a.copy_from_slice(z);
    z.iter().fold(true, |ok, x| ok & x.is_finite())
}

/// dL/dx of a pooling layer for `rows` samples, from dL/dy (its δ) and the input it pooled
/// (which says where each max was).
pub fn pooling_grad_input(wired: &Wired, input: &[f64], delta: &[f64], rows: usize, grad_input: &mut [f64]) {
    let Wired::Pooling { pool, height, width, input: inp, output: out } = *wired else { return };
    let area = (height * width) as f64;
    let grad_input = &mut grad_input[..rows * inp.len()];
    // Inputs in no whole window get no gradient.
    grad_input.fill(0.0);
    let samples = input[..rows * inp.len()].chunks_exact(inp.len()).zip(delta.chunks_exact(out.len()));
    for ((x, gy), gx) in samples.zip(grad_input.chunks_exact_mut(inp.len())) {
        for c in 0..out.channels {
            for i in 0..out.height {
                for j in 0..out.width {
                    let (top, left, d) = (i * height, j * width, gy[out.index(c, i, j)]);
                    match pool {
                        // dL/dx = dL/dy at the argmax only
                        PoolKind::Max => gx[argmax(x, inp, c, top, left, height, width)] = d,
                        // dL/dx = dL/dy / |W| at every input of the window
                        PoolKind::Average => {
                            for u in 0..height {
                                for v in 0..width {
                                    gx[inp.index(c, top + u, left + v)] = d / area;
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The chain rule of kernel weight `weight` of a convolution after its backward pass over
/// `rows` samples of `input` with δ `delta`: every position it was used at (padding included,
/// where it met a zero), each term δ · x̃, their sum in the order the backward pass adds them,
/// and the reduced gradient (`scale` · sum), which equals the layer's dL/dK for this weight.
/// `kernel` gives the weight's value. The caller checks that the weight exists.
pub fn explain_kernel_weight(
    g: &ConvolutionGeometry,
    kernel: &[f64],
    input: &[f64],
    delta: &[f64],
    rows: usize,
    scale: f64,
    weight: KernelWeight,
) -> KernelChainRule {
    let (inp, out, kh, kw) = (g.input, g.output, g.kernel_height, g.kernel_width);
    let (o, c, u, v) = (weight.out_channel, weight.in_channel, weight.row, weight.column);
    let mut terms = Vec::with_capacity(rows * out.height * out.width);
    let mut sum = 0.0;
    for s in 0..rows {
        for i in 0..out.height {
            for j in 0..out.width {
                let delta = delta[s * out.len() + out.index(o, i, j)];
                let (input_row, input_column) = ((i + u) as isize - g.top as isize, (j + v) as isize - g.left as isize);
                let in_padding = !inp.holds(input_row, input_column);
                let x = if in_padding {
                    0.0
                } else {
                    input[s * inp.len() + inp.index(c, input_row as usize, input_column as usize)]
                };
                let term = delta * x;
                sum += term;
                terms.push(KernelTerm {
                    sample: s,
                    row: i,
                    column: j,
                    input_row,
                    input_column,
                    in_padding,
                    delta,
                    input: x,
                    term,
                });
            }
        }
    }
    let gradient = if scale != 1.0 { sum * scale } else { sum };
    let value = kernel[((o * inp.channels + c) * kh + u) * kw + v];
    KernelChainRule { weight, value, terms, sum, scale, gradient }
}
