//! What kind of layer a `LayerConfig` describes, and the shape of the maps each layer hands on.
//!
//! A dense layer (the default, so every config written before the kinds existed reads as it
//! was) maps a vector to `units` neurons; a convolution, a pooling layer and a flatten layer
//! work on feature maps (`Shape`). The inputs enter as the network's `input_shape`, or as a
//! 1-D signal of one channel when none is given; a dense layer's output is again such a signal.
//! A recurrent layer reads a 1-D signal as a sequence: its width is the T time steps, its
//! channels the values of each x_t.

use super::convolution::{Convolution, ConvolutionConfig, Padding};
use super::pooling::{PoolKind, Pooling, PoolingConfig};
use super::recurrent::{MAX_STEPS, MAX_UNITS};
use super::{Dimensions, Shape};
use crate::activation::Activation;
use crate::error::{check_above, Error, Result};
use serde::{Deserialize, Serialize};

/// A layer's kind and the settings that kind has (JSON: `{"type": "convolution", …}`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum LayerKind {
    /// z = W·a_prev + b over `units` neurons.
    #[default]
    Dense,
    /// A stride-1 convolution with `channels` output maps and a k (× k) kernel.
    Convolution { dimensions: Dimensions, kernel_size: usize, channels: usize, padding: Padding },
    /// Max or average pooling over windows of `size` (× `size`), the stride equal to the window.
    Pooling { dimensions: Dimensions, pool: PoolKind, size: usize },
    /// The maps read as one vector, for the dense layers after them.
    Flatten,
    /// An Elman layer of `units` hidden units unrolled over the input's T steps:
    /// h_t = f(W_x·x_t + W_h·h_(t−1) + b) from h_0 = 0, trained by backpropagation through time.
    Recurrent {
        returns: Returns,
        /// θ of clipping this layer's gradient (dL/dW_x, dL/dW_h, dL/db as one vector) by norm.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        clip_norm: Option<f64>,
    },
}

/// What a recurrent layer hands on, and so where the loss can score it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Returns {
    /// Every h_t: `units` channels over the T steps, for a per-step readout (a convolution of
    /// kernel size 1) and a loss at every step.
    Sequence,
    /// h_T only, a vector, for a dense readout and a loss at the last step.
    Last,
}

impl LayerKind {
    /// Whether this is the default, a dense layer (left out of the JSON).
    pub fn is_dense(&self) -> bool {
        *self == LayerKind::Dense
    }

    /// Whether the kind has weights and biases (dense, convolution and recurrent layers).
    pub fn has_parameters(&self) -> bool {
        !matches!(self, LayerKind::Pooling { .. } | LayerKind::Flatten)
    }

    /// The kind's name in messages.
    pub fn name(&self) -> &'static str {
        match self {
            LayerKind::Dense => "dense",
            LayerKind::Convolution { .. } => "convolution",
            LayerKind::Pooling { .. } => "pooling",
            LayerKind::Flatten => "flatten",
            LayerKind::Recurrent { .. } => "recurrent",
        }
    }

    /// The shape this layer hands on, from the shape it takes (`input`) and, for a dense
    /// layer, its `units`; `InvalidConfig` when the input does not fit the layer (the layers'
    /// own checks: a kernel larger than the input in valid mode, a window that does not fit, …).
    pub fn output_shape(&self, input: Shape, units: usize, activation: Activation) -> Result<Shape> {
        match *self {
            LayerKind::Dense => Ok(Shape::one_d(1, units)),
            LayerKind::Convolution { dimensions, kernel_size, channels, padding } => {
                let config =
                    ConvolutionConfig { dimensions, input, out_channels: channels, kernel_size, padding, activation };
                Ok(Convolution::new(config)?.output)
            }
            LayerKind::Pooling { dimensions, pool, size } => {
                Ok(Pooling::new(PoolingConfig { dimensions, input, window: size, kind: pool })?.output)
            }
            LayerKind::Flatten => {
                if input.height == 1 && input.channels == 1 {
                    Err(Error::InvalidConfig("flatten takes feature maps, but its input is already a vector".into()))
                } else {
                    Ok(Shape::one_d(1, input.len()))
                }
            }
            LayerKind::Recurrent { returns, clip_norm } => {
                if input.height != 1 {
                    return Err(Error::InvalidConfig(format!(
                        "a recurrent layer reads a sequence (channels × 1 × T steps), not {} × {} × {} maps",
                        input.channels, input.height, input.width
                    )));
                }
                for (what, n, max) in
                    [("units", units, MAX_UNITS), ("time steps (the input's width)", input.width, MAX_STEPS)]
                {
                    if !(1..=max).contains(&n) {
                        return Err(Error::InvalidConfig(format!(
                            "a recurrent layer takes 1 to {max} {what}, not {n}"
                        )));
                    }
                }
                if let Some(threshold) = clip_norm {
                    check_above("the clipping threshold clip_norm", threshold, 0.0, 1e12)?;
                }
                Ok(match returns {
                    Returns::Sequence => Shape::one_d(units, input.width),
                    Returns::Last => Shape::one_d(1, units),
                })
            }
        }
    }

    /// Weights given by hand for this kind: (rows, numbers per row), `None` for a kind without
    /// weights. A convolution's row o is output channel o's kernel, C_in × k_h × k_w numbers
    /// in the order of `Convolution::kernel`.
    pub fn weight_rows(&self, input: Shape, units: usize) -> Option<(usize, usize)> {
        match *self {
            LayerKind::Dense => Some((units, input.len())),
            LayerKind::Convolution { dimensions, kernel_size, channels, .. } => {
                Some((channels, input.channels * dimensions.window_height(kernel_size) * kernel_size))
            }
            // Row j: W_x's row j (C numbers, one per value of x_t), then W_h's (one per h_(t−1),k).
            LayerKind::Recurrent { .. } => Some((units, input.channels + units)),
            LayerKind::Pooling { .. } | LayerKind::Flatten => None,
        }
    }
}
