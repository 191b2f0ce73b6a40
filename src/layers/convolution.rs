//! A convolution layer, 1-D or 2-D, stride 1, with several input and output channels, a
//! bias per output channel and an element-wise activation.
//!
//! With the input x (C_in maps) padded to x̃ (zeros around it, see `Padding`), kernel K
//! (C_out × C_in × k_h × k_w; k_h = 1 for a 1-D signal) and bias b:
//! - forward:  z[o,i,j] = Σ_c Σ_u Σ_v K[o,c,u,v] · x̃[c, i+u, j+v] + b[o],   a = f(z)
//!   (a cross-correlation, as every deep-learning library computes a "convolution");
//! - backward, with δ = dL/dz = dL/da ⊙ f'(z):
//!   - dL/dK[o,c,u,v] = Σ_i Σ_j δ[o,i,j] · x̃[c, i+u, j+v]: the **correlation of the (padded)
//!     input with δ**; each position (i, j) the weight was used at adds one term;
//!   - dL/db[o] = Σ_i Σ_j δ[o,i,j];
//!   - dL/dx[c] = Σ_o (δ[o] ∗ K[o,c]): the **full convolution of δ with the kernel**, computed
//!     as textbooks draw it, a correlation of δ padded by k − 1 on every side (`delta_full`)
//!     with the kernel flipped in both axes, read back at the input's place in x̃.
//!
//! Over a batch, δ and dL/dx are each sample's own; dL/dK and dL/db are summed over the
//! samples and multiplied by the caller's `scale` (1/B for a mean), as in `network`.

use super::{check_shape, refuse_non_finite, rows_of, Dimensions, Shape};
use crate::activation::Activation;
use crate::error::{Error, Result};
use crate::rng::Rng;
use serde::{Deserialize, Serialize};

/// The largest kernel side.
pub const MAX_KERNEL_SIZE: usize = 15;
/// The most channels in or out.
pub const MAX_CHANNELS: usize = 64;

/// How the input is padded before the kernel slides over it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Padding {
    /// No padding: the kernel stays inside the input, so the output is k − 1 shorter per axis.
    Valid,
    /// Zeros around the input so the output has its size: k − 1 per axis, ⌊(k − 1)/2⌋ before
    /// and the rest after (for an even k the extra zero goes after, as TensorFlow does).
    Same,
}

impl Padding {
    /// The zeros (before, after) along an axis the kernel spans `kernel` values of.
    pub fn amounts(self, kernel: usize) -> (usize, usize) {
        match self {
            Padding::Valid => (0, 0),
            Padding::Same => ((kernel - 1) / 2, kernel - 1 - (kernel - 1) / 2),
        }
    }
}

/// A convolution layer's settings.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConvolutionConfig {
    pub dimensions: Dimensions,
    /// One sample's input maps (height 1 for a 1-D signal).
    pub input: Shape,
    pub out_channels: usize,
    /// k: the kernel is k long (1-D) or k × k (2-D).
    pub kernel_size: usize,
    pub padding: Padding,
    /// Any element-wise activation (softmax mixes a whole layer and is refused).
    pub activation: Activation,
}

/// One kernel weight K[out_channel, in_channel, row, column].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KernelWeight {
    pub out_channel: usize,
    pub in_channel: usize,
    pub row: usize,
    pub column: usize,
}

/// One position a kernel weight was used at, and its term δ · x̃ of dL/dK.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct KernelTerm {
    pub sample: usize,
    /// The output position (i, j) whose z the weight helped make.
    pub row: usize,
    pub column: usize,
    /// The input position it met, in the input's own coordinates (negative or past the end
    /// inside the padding).
    pub input_row: isize,
    pub input_column: isize,
    /// Whether that input was a padding zero.
    pub in_padding: bool,
    /// δ[o, i, j] of this sample.
    pub delta: f64,
    /// x̃[c, i+u, j+v], the input value the weight met.
    pub input: f64,
    /// δ · x̃.
    pub term: f64,
}

/// The chain rule of one kernel weight: dL/dK = scale · Σ over every position of δ · x̃.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct KernelChainRule {
    pub weight: KernelWeight,
    pub value: f64,
    /// Every position the weight was used at, sample by sample, row by row.
    pub terms: Vec<KernelTerm>,
    /// Σ of the terms, in the order listed (the order the backward pass adds them).
    pub sum: f64,
    /// The batch reduction the backward pass applied (1 for a sum, 1/B for a mean).
    pub scale: f64,
    /// scale · sum: equal to the layer's `grad_kernel` for this weight.
    pub gradient: f64,
}

/// A convolution layer with its parameters, its per-sample arrays and its gradients.
#[derive(Clone, Debug)]
pub struct Convolution {
    pub config: ConvolutionConfig,
    /// One sample's output maps.
    pub output: Shape,
    /// One sample's padded input x̃.
    pub padded: Shape,
    /// K, flat: `kernel[((o·C_in + c)·k_h + u)·k_w + v]`.
    pub kernel: Vec<f64>,
    /// b, one per output channel.
    pub bias: Vec<f64>,
    /// Samples in the last forward pass.
    pub rows: usize,
    /// x, per sample.
    pub input: Vec<f64>,
    /// x̃, per sample: x inside its zero padding.
    pub input_padded: Vec<f64>,
    /// z, per sample.
    pub pre_activation: Vec<f64>,
    /// a = f(z), per sample.
    pub activations: Vec<f64>,
    /// δ = dL/dz, per sample.
    pub delta: Vec<f64>,
    /// δ inside k − 1 zeros on every side, per sample: the frame of the full convolution.
    pub delta_full: Vec<f64>,
    /// dL/dx, per sample.
    pub grad_input: Vec<f64>,
    /// dL/dK of the batch (reduced with `scale`).
    pub grad_kernel: Vec<f64>,
    /// dL/db of the batch (reduced with `scale`).
    pub grad_bias: Vec<f64>,
    /// The reduction the last backward pass applied.
    pub scale: f64,
    /// Whether δ and the gradients belong to the last forward pass.
    backward_done: bool,
}

impl Convolution {
    /// A layer of the given settings with every weight and bias 0; fails with
    /// `InvalidConfig` on a setting out of range.
    pub fn new(config: ConvolutionConfig) -> Result<Convolution> {
        check_shape("a convolution's input", config.input, config.dimensions)?;
        let k = config.kernel_size;
        if !(1..=MAX_KERNEL_SIZE).contains(&k) {
            return Err(Error::InvalidConfig(format!("the kernel size must be 1 to {MAX_KERNEL_SIZE}, not {k}")));
        }
        for (what, n) in [("input", config.input.channels), ("output", config.out_channels)] {
            if !(1..=MAX_CHANNELS).contains(&n) {
                return Err(Error::InvalidConfig(format!(
                    "a convolution takes 1 to {MAX_CHANNELS} {what} channels, not {n}"
                )));
            }
        }
        if config.activation == Activation::Softmax {
            return Err(Error::InvalidConfig(
                "softmax mixes a whole layer: a convolution takes an element-wise activation".into(),
            ));
        }
        let (kh, kw) = (config.dimensions.window_height(k), k);
        let (top, bottom) = config.padding.amounts(kh);
        let (left, right) = config.padding.amounts(kw);
        let padded = Shape {
            channels: config.input.channels,
            height: config.input.height + top + bottom,
            width: config.input.width + left + right,
        };
        if padded.height < kh || padded.width < kw {
            return Err(Error::InvalidConfig(format!(
                "a kernel of size {k} does not fit in an input of {} × {} with valid padding",
                config.input.height, config.input.width
            )));
        }
        let output =
            Shape { channels: config.out_channels, height: padded.height - kh + 1, width: padded.width - kw + 1 };
        check_shape("a convolution's output", output, config.dimensions)?;
        let params = config.out_channels * config.input.channels * kh * kw;
        Ok(Convolution {
            config,
            output,
            padded,
            kernel: vec![0.0; params],
            bias: vec![0.0; config.out_channels],
            rows: 0,
            input: Vec::new(),
            input_padded: Vec::new(),
            pre_activation: Vec::new(),
            activations: Vec::new(),
            delta: Vec::new(),
            delta_full: Vec::new(),
            grad_input: Vec::new(),
            grad_kernel: vec![0.0; params],
            grad_bias: vec![0.0; config.out_channels],
            scale: 1.0,
            backward_done: false,
        })
    }

    /// The kernel's (height, width): (1, k) for a signal, (k, k) for an image.
    pub fn kernel_shape(&self) -> (usize, usize) {
        (self.config.dimensions.window_height(self.config.kernel_size), self.config.kernel_size)
    }

    /// The zeros before the input (top, left) in x̃.
    pub fn padding_before(&self) -> (usize, usize) {
        let (kh, kw) = self.kernel_shape();
        (self.config.padding.amounts(kh).0, self.config.padding.amounts(kw).0)
    }

    /// The flat index of a kernel weight in `kernel` and `grad_kernel`.
    pub fn kernel_index(&self, w: KernelWeight) -> usize {
        let (kh, kw) = self.kernel_shape();
        ((w.out_channel * self.config.input.channels + w.in_channel) * kh + w.row) * kw + w.column
    }

    /// Draws every weight uniformly from ±√(6 / (fan_in + fan_out)) (Glorot) and sets the
    /// biases to 0.
    pub fn randomize(&mut self, rng: &mut Rng) {
        let (kh, kw) = self.kernel_shape();
        let fan_in = self.config.input.channels * kh * kw;
        let fan_out = self.config.out_channels * kh * kw;
        let limit = (6.0 / (fan_in + fan_out) as f64).sqrt();
        self.kernel.iter_mut().for_each(|w| *w = rng.uniform(-limit, limit));
        self.bias.fill(0.0);
    }

    /// Forward pass of training step `step` over `input` (whole samples, channel-major):
    /// fills x, x̃, z and a. Fails with `InvalidData` on a length that is not whole samples,
    /// and with `Diverged` when a z or an a is not finite (the arrays are then emptied).
    pub fn forward(&mut self, input: &[f64], step: u64) -> Result<()> {
        let rows = rows_of("this convolution", input.len(), self.config.input.len())?;
        self.resize(rows);
        self.backward_done = false;
        self.input.copy_from_slice(input);
        let (top, left) = self.padding_before();
        let (inp, pad) = (self.config.input, self.padded);
        self.input_padded.fill(0.0);
        for (x, xp) in input.chunks_exact(inp.len()).zip(self.input_padded.chunks_exact_mut(pad.len())) {
            for c in 0..inp.channels {
                for i in 0..inp.height {
                    let from = inp.index(c, i, 0);
                    let to = pad.index(c, i + top, left);
                    xp[to..to + inp.width].copy_from_slice(&x[from..from + inp.width]);
                }
            }
        }
        let (kh, kw) = self.kernel_shape();
        let out = self.output;
        for (xp, z) in self.input_padded.chunks_exact(pad.len()).zip(self.pre_activation.chunks_exact_mut(out.len())) {
            for o in 0..out.channels {
                for i in 0..out.height {
                    for j in 0..out.width {
                        // z[o,i,j] = Σ_c Σ_u Σ_v K[o,c,u,v] · x̃[c,i+u,j+v] + b[o]
                        let mut sum = 0.0;
                        for c in 0..pad.channels {
                            for u in 0..kh {
                                let k_row = &self.kernel[((o * pad.channels + c) * kh + u) * kw..][..kw];
                                let x_row = &xp[pad.index(c, i + u, j)..][..kw];
                                for (w, x) in k_row.iter().zip(x_row) {
                                    sum += w * x;
                                }
                            }
                        }
                        z[out.index(o, i, j)] = sum + self.bias[o];
                    }
                }
            }
        }
        self.config.activation.forward_row(&self.pre_activation, &mut self.activations);
        refuse_non_finite(step, "z or a of the convolution", &mut [&mut self.pre_activation, &mut self.activations])
    }

    /// Backward pass of training step `step`, after `forward`: from dL/da (`grad_output`, per
    /// sample, as long as `activations`) fills δ, dL/dK and dL/db (summed over the samples
    /// and multiplied by `scale`), the full frame of δ and dL/dx. Fails with `InvalidData` on
    /// a wrong length and with `Diverged` when any of them is not finite.
    pub fn backward(&mut self, grad_output: &[f64], scale: f64, step: u64) -> Result<()> {
        if grad_output.len() != self.activations.len() || self.rows == 0 {
            return Err(Error::InvalidData(format!(
                "the convolution's backward pass takes dL/da for its {} outputs of the last forward pass, not {} values",
                self.activations.len(),
                grad_output.len()
            )));
        }
        self.scale = scale;
        // δ = dL/da ⊙ f'(z)
        self.config.activation.backward_row(&self.pre_activation, &self.activations, grad_output, &mut self.delta);
        let (kh, kw) = self.kernel_shape();
        let (out, pad, inp) = (self.output, self.padded, self.config.input);
        // dL/dK[o,c,u,v] = Σ_s Σ_i Σ_j δ[s,o,i,j] · x̃[s,c,i+u,j+v]: the input correlated with δ,
        // one running sum per weight in the order `explain_weight` lists the terms.
        self.grad_kernel.fill(0.0);
        self.grad_bias.fill(0.0);
        for (xp, d) in self.input_padded.chunks_exact(pad.len()).zip(self.delta.chunks_exact(out.len())) {
            for o in 0..out.channels {
                for c in 0..pad.channels {
                    for u in 0..kh {
                        for v in 0..kw {
                            let g = &mut self.grad_kernel[((o * pad.channels + c) * kh + u) * kw + v];
                            for i in 0..out.height {
                                let d_row = &d[out.index(o, i, 0)..][..out.width];
                                let x_row = &xp[pad.index(c, i + u, v)..][..out.width];
                                for (d, x) in d_row.iter().zip(x_row) {
                                    *g += d * x;
                                }
                            }
                        }
                    }
                }
                // dL/db[o] = Σ_s Σ_i Σ_j δ[s,o,i,j]
                self.grad_bias[o] += d[out.index(o, 0, 0)..][..out.height * out.width].iter().sum::<f64>();
            }
        }
        if scale != 1.0 {
            self.grad_kernel.iter_mut().chain(self.grad_bias.iter_mut()).for_each(|g| *g *= scale);
        }
        // dL/dx = δ ∗ K (full convolution): δ in a frame of k − 1 zeros on every side, correlated
        // with the kernel flipped in both axes; the input x sits at (top, left) inside x̃.
        let full = self.full_shape();
        self.delta_full.fill(0.0);
        for (d, df) in self.delta.chunks_exact(out.len()).zip(self.delta_full.chunks_exact_mut(full.len())) {
            for o in 0..out.channels {
                for i in 0..out.height {
                    let to = full.index(o, i + kh - 1, kw - 1);
                    df[to..to + out.width].copy_from_slice(&d[out.index(o, i, 0)..][..out.width]);
                }
            }
        }
        let (top, left) = self.padding_before();
        for (df, gx) in self.delta_full.chunks_exact(full.len()).zip(self.grad_input.chunks_exact_mut(inp.len())) {
            for c in 0..inp.channels {
                for p in 0..inp.height {
                    for q in 0..inp.width {
                        // dL/dx[c,p,q] = Σ_o Σ_u Σ_v δ_full[o, p̃+u, q̃+v] · K[o, c, k_h−1−u, k_w−1−v]
                        let (pp, qq) = (p + top, q + left);
                        let mut sum = 0.0;
                        for o in 0..out.channels {
                            for u in 0..kh {
                                let flipped_row =
                                    &self.kernel[((o * inp.channels + c) * kh + (kh - 1 - u)) * kw..][..kw];
                                let d_row = &df[full.index(o, pp + u, qq)..][..kw];
                                for (v, d) in d_row.iter().enumerate() {
                                    sum += d * flipped_row[kw - 1 - v];
                                }
                            }
                        }
                        gx[inp.index(c, p, q)] = sum;
                    }
                }
            }
        }
        refuse_non_finite(
            step,
            "a gradient of the convolution",
            &mut [
                &mut self.delta,
                &mut self.grad_kernel,
                &mut self.grad_bias,
                &mut self.delta_full,
                &mut self.grad_input,
            ],
        )?;
        self.backward_done = true;
        Ok(())
    }

    /// One sample's frame of the full convolution: the output maps with k − 1 zeros around.
    pub fn full_shape(&self) -> Shape {
        let (kh, kw) = self.kernel_shape();
        Shape {
            channels: self.output.channels,
            height: self.output.height + 2 * (kh - 1),
            width: self.output.width + 2 * (kw - 1),
        }
    }

    /// The chain rule of kernel weight `weight` after a backward pass: every position it was
    /// used at (padding included, where it met a zero), each term δ · x̃, their sum and the
    /// reduced gradient, which equals `grad_kernel` to the last bit.
    pub fn explain_weight(&self, weight: KernelWeight) -> Result<KernelChainRule> {
        let (kh, kw) = self.kernel_shape();
        if weight.out_channel >= self.output.channels
            || weight.in_channel >= self.config.input.channels
            || weight.row >= kh
            || weight.column >= kw
        {
            return Err(Error::OutOfRange(format!(
                "the kernel is {} × {} × {kh} × {kw}: it has no weight ({}, {}, {}, {})",
                self.output.channels,
                self.config.input.channels,
                weight.out_channel,
                weight.in_channel,
                weight.row,
                weight.column
            )));
        }
        if !self.backward_done {
            return Err(Error::OutOfRange("no backward pass has run yet".into()));
        }
        let (out, pad, inp) = (self.output, self.padded, self.config.input);
        let (top, left) = self.padding_before();
        let (o, c, u, v) = (weight.out_channel, weight.in_channel, weight.row, weight.column);
        let mut terms = Vec::with_capacity(self.rows * out.height * out.width);
        let mut sum = 0.0;
        for s in 0..self.rows {
            for i in 0..out.height {
                for j in 0..out.width {
                    let delta = self.delta[s * out.len() + out.index(o, i, j)];
                    let input = self.input_padded[s * pad.len() + pad.index(c, i + u, j + v)];
                    let (input_row, input_column) = ((i + u) as isize - top as isize, (j + v) as isize - left as isize);
                    let in_padding = !inp.holds(input_row, input_column);
                    let term = delta * input;
                    sum += term;
                    terms.push(KernelTerm {
                        sample: s,
                        row: i,
                        column: j,
                        input_row,
                        input_column,
                        in_padding,
                        delta,
                        input,
                        term,
                    });
                }
            }
        }
        let gradient = if self.scale != 1.0 { sum * self.scale } else { sum };
        Ok(KernelChainRule {
            weight,
            value: self.kernel[self.kernel_index(weight)],
            terms,
            sum,
            scale: self.scale,
            gradient,
        })
    }

    fn resize(&mut self, rows: usize) {
        self.rows = rows;
        let (inp, pad, out, full) =
            (self.config.input.len(), self.padded.len(), self.output.len(), self.full_shape().len());
        self.input.resize(rows * inp, 0.0);
        self.input_padded.resize(rows * pad, 0.0);
        self.pre_activation.resize(rows * out, 0.0);
        self.activations.resize(rows * out, 0.0);
        self.delta.resize(rows * out, 0.0);
        self.delta_full.resize(rows * full, 0.0);
        self.grad_input.resize(rows * inp, 0.0);
    }
}
