//! Pooling, max or average, 1-D or 2-D, with the window equal to the stride (the windows tile
//! the input without overlap). Each channel is pooled on its own.
//!
//! For a window of w (w long on a signal, w × w on an image), output (i, j) pools the input
//! window W(i, j) = rows i·w … i·w + w_h − 1, columns j·w … j·w + w − 1:
//! - max:     y = max over W(i, j);  dL/dx = dL/dy at the window's argmax, 0 elsewhere
//!   (the max routes δ to the one input that won);
//! - average: y = (1/|W|) Σ over W(i, j);  dL/dx = dL/dy / |W| at every input of the window.
//!
//! Ties: when several inputs of a window share the maximum, the first in reading order (row
//! by row, left to right) is the argmax and takes all of δ; the others get 0. (Max is not
//! differentiable there; this is one valid subgradient, the one most libraries pick.)
//! An input whose size is not a multiple of w is cut: the last rows or columns that fill no
//! whole window are not pooled, and their gradient is 0.

use super::{check_shape, refuse_non_finite, rows_of, Dimensions, Shape};
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};

/// Which statistic a window keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PoolKind {
    Max,
    Average,
}

/// A pooling layer's settings.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct PoolingConfig {
    pub dimensions: Dimensions,
    pub input: Shape,
    /// w: the window (and stride) is w long (1-D) or w × w (2-D).
    pub window: usize,
    pub kind: PoolKind,
}

/// A pooling layer with its per-sample arrays.
#[derive(Clone, Debug)]
pub struct Pooling {
    pub config: PoolingConfig,
    /// One sample's output maps.
    pub output: Shape,
    /// Samples in the last forward pass.
    pub rows: usize,
    /// x, per sample.
    pub input: Vec<f64>,
    /// y, per sample.
    pub pooled: Vec<f64>,
    /// Max pooling: for each output, the flat index (within its sample) of the input that won;
    /// empty for average pooling.
    pub argmax: Vec<u32>,
    /// dL/dx, per sample.
    pub grad_input: Vec<f64>,
}

impl Pooling {
    /// A pooling layer of the given settings; fails with `InvalidConfig` when the window is 0
    /// or larger than the input.
    pub fn new(config: PoolingConfig) -> Result<Pooling> {
        check_shape("a pooling layer's input", config.input, config.dimensions)?;
        let w = config.window;
        let wh = config.dimensions.window_height(w);
        if w == 0 || wh > config.input.height || w > config.input.width {
            return Err(Error::InvalidConfig(format!(
                "a pooling window of {w} must be at least 1 and fit in its input of {} × {}",
                config.input.height, config.input.width
            )));
        }
        let output =
            Shape { channels: config.input.channels, height: config.input.height / wh, width: config.input.width / w };
        Ok(Pooling {
            config,
            output,
            rows: 0,
            input: Vec::new(),
            pooled: Vec::new(),
            argmax: Vec::new(),
            grad_input: Vec::new(),
        })
    }

    /// The window's (height, width).
    pub fn window_shape(&self) -> (usize, usize) {
        (self.config.dimensions.window_height(self.config.window), self.config.window)
    }

    /// Forward pass of training step `step` over whole samples of `input`: fills x, y and,
    /// for max pooling, the argmax of each window. Fails with `InvalidData` on a length that
    /// is not whole samples, with `Diverged` on a non-finite input.
    pub fn forward(&mut self, input: &[f64], step: u64) -> Result<()> {
        let (inp, out) = (self.config.input, self.output);
        let rows = rows_of("this pooling layer", input.len(), inp.len())?;
        self.rows = rows;
        self.input.clear();
        self.input.extend_from_slice(input);
        self.pooled.resize(rows * out.len(), 0.0);
        self.grad_input.resize(rows * inp.len(), 0.0);
        let is_max = self.config.kind == PoolKind::Max;
        self.argmax.resize(if is_max { rows * out.len() } else { 0 }, 0);
        let (wh, ww) = self.window_shape();
        let area = (wh * ww) as f64;
        for (s, (x, y)) in input.chunks_exact(inp.len()).zip(self.pooled.chunks_exact_mut(out.len())).enumerate() {
            for c in 0..out.channels {
                for i in 0..out.height {
                    for j in 0..out.width {
                        let window = (0..wh).flat_map(|u| (0..ww).map(move |v| inp.index(c, i * wh + u, j * ww + v)));
                        let o = out.index(c, i, j);
                        if is_max {
                            // Strictly greater: on a tie the first in reading order stays the argmax.
                            let mut best = inp.index(c, i * wh, j * ww);
                            for at in window {
                                if x[at] > x[best] {
                                    best = at;
                                }
                            }
                            y[o] = x[best];
                            self.argmax[s * out.len() + o] = best as u32;
                        } else {
                            y[o] = window.map(|at| x[at]).sum::<f64>() / area;
                        }
                    }
                }
            }
        }
        refuse_non_finite(step, "an output of the pooling layer", &mut [&mut self.pooled])
    }

    /// Backward pass of training step `step`: dL/dx from dL/dy (`grad_output`, per sample,
    /// as long as `pooled`). Fails with `InvalidData` on a wrong length, with `Diverged` on a
    /// non-finite gradient.
    pub fn backward(&mut self, grad_output: &[f64], step: u64) -> Result<()> {
        if grad_output.len() != self.pooled.len() || self.rows == 0 {
            return Err(Error::InvalidData(format!(
                "the pooling layer's backward pass takes dL/dy for its {} outputs of the last forward pass, not {} values",
                self.pooled.len(),
                grad_output.len()
            )));
        }
        let (inp, out) = (self.config.input, self.output);
        let (wh, ww) = self.window_shape();
        let area = (wh * ww) as f64;
        self.grad_input.fill(0.0);
        for (s, (gy, gx)) in
            grad_output.chunks_exact(out.len()).zip(self.grad_input.chunks_exact_mut(inp.len())).enumerate()
        {
            for c in 0..out.channels {
                for i in 0..out.height {
                    for j in 0..out.width {
                        let o = out.index(c, i, j);
                        match self.config.kind {
                            // dL/dx = dL/dy at the argmax only
                            PoolKind::Max => gx[self.argmax[s * out.len() + o] as usize] = gy[o],
                            // dL/dx = dL/dy / |W| at every input of the window
                            PoolKind::Average => {
                                for u in 0..wh {
                                    for v in 0..ww {
                                        gx[inp.index(c, i * wh + u, j * ww + v)] = gy[o] / area;
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        refuse_non_finite(step, "a gradient of the pooling layer", &mut [&mut self.grad_input])
    }
}
