//! Layer kinds beyond the dense layer of `network`: convolution, pooling, flatten and an Elman
//! recurrent layer, each self-contained with its own forward and backward pass and its own
//! flat buffers (so the page can map typed-array views over every intermediate).
//!
//! Every kind is wired into `Network`: convolution, pooling and flatten by `passes`, the
//! recurrent layer by `through_time` (the same arithmetic on the network layer's own arrays,
//! the kernel or W_x and W_h in its `weights`). Each self-contained kind (`convolution`,
//! `pooling`, `flatten`, `recurrent`, the references the network's passes are tested against)
//! owns its parameters, its per-sample arrays and its gradients, and follows the engine's
//! conventions:
//! - per-sample arrays are sample-major, every number an f64;
//! - δ is the sample's own dL_s/dz; parameter gradients are reduced over the batch with the
//!   caller's `scale` (1 for a sum, 1/B for a mean, as `Reduction::scale` gives);
//! - each pass checks the numbers it writes, and refuses a non-finite one with
//!   `Error::Diverged` (rule `non_finite`), leaving no NaN or infinity in its arrays.

pub mod convolution;
pub mod flatten;
pub mod kind;
pub mod passes;
pub mod pooling;
pub mod recurrent;
pub mod through_time;

use crate::error::{DivergenceRule, Error, Result};
use serde::{Deserialize, Serialize};

/// The shape of one sample's feature maps: `channels` maps of `height` × `width`, stored
/// channel-major: value (c, i, j) at `c·height·width + i·width + j`. A 1-D signal has height 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shape {
    pub channels: usize,
    pub height: usize,
    pub width: usize,
}

impl Shape {
    /// A 1-D signal: `channels` rows of `width` values.
    pub fn one_d(channels: usize, width: usize) -> Shape {
        Shape { channels, height: 1, width }
    }

    /// A 2-D image: `channels` maps of `height` × `width`.
    pub fn two_d(channels: usize, height: usize, width: usize) -> Shape {
        Shape { channels, height, width }
    }

    /// Values per sample.
    pub fn len(&self) -> usize {
        self.channels * self.height * self.width
    }

    /// Whether a sample holds no value at all.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The flat index of (channel, row, column).
    pub fn index(&self, channel: usize, row: usize, column: usize) -> usize {
        (channel * self.height + row) * self.width + column
    }

    /// Whether (row, column), which may lie in a convolution's padding, is inside the maps.
    pub fn holds(&self, row: isize, column: isize) -> bool {
        row >= 0 && column >= 0 && row < self.height as isize && column < self.width as isize
    }
}

/// Whether a layer slides along one axis (a signal) or two (an image).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Dimensions {
    One,
    Two,
}

impl Dimensions {
    /// The window's height for a window of `size`: 1 along a signal, `size` on an image.
    pub fn window_height(self, size: usize) -> usize {
        match self {
            Dimensions::One => 1,
            Dimensions::Two => size,
        }
    }
}

/// The largest number of values a layer's per-sample array may hold (keeps wasm memory sane).
pub const MAX_VALUES_PER_SAMPLE: usize = 1 << 20;

/// Fails with `InvalidConfig` unless `shape` fits `dimensions` and the size limits.
pub(crate) fn check_shape(what: &str, shape: Shape, dimensions: Dimensions) -> Result<()> {
    if shape.is_empty() {
        return Err(Error::InvalidConfig(format!("{what} needs at least one channel, row and column")));
    }
    if dimensions == Dimensions::One && shape.height != 1 {
        return Err(Error::InvalidConfig(format!("a 1-D {what} takes a signal of height 1, not {}", shape.height)));
    }
    if shape.len() > MAX_VALUES_PER_SAMPLE {
        return Err(Error::InvalidConfig(format!(
            "{what} may hold at most {MAX_VALUES_PER_SAMPLE} values per sample, not {}",
            shape.len()
        )));
    }
    Ok(())
}

/// Fails with `InvalidData` unless `given` values hold whole samples of `per_sample` values;
/// returns how many samples they hold.
pub(crate) fn rows_of(what: &str, given: usize, per_sample: usize) -> Result<usize> {
    if given == 0 || !given.is_multiple_of(per_sample) {
        return Err(Error::InvalidData(format!(
            "{what} takes whole samples of {per_sample} values, not {given} values"
        )));
    }
    Ok(given / per_sample)
}

/// Refuses a pass of training step `step` (1 for the first) when any of `arrays` holds a NaN
/// or an infinity, as the engine's divergence guard does: the error names `what` became
/// non-finite, and every array is emptied (set to 0) so no NaN stays where the page draws.
/// A layer's pass changes no parameter, so the network kept is the one before this step.
pub(crate) fn refuse_non_finite(step: u64, what: &str, arrays: &mut [&mut [f64]]) -> Result<()> {
    let finite = arrays.iter().all(|array| array.iter().fold(true, |ok, x| ok & x.is_finite()));
    if finite {
        return Ok(());
    }
    for array in arrays.iter_mut() {
        array.fill(0.0);
    }
    Err(Error::Diverged {
        step,
        what: format!("{what} became infinite or NaN"),
        rule: DivergenceRule::NonFinite,
        kept_step: step.saturating_sub(1),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_non_finite_array_is_refused_and_emptied() {
        let mut a = vec![1.0, f64::INFINITY];
        let mut b = vec![2.0];
        let e = refuse_non_finite(7, "z of the convolution", &mut [&mut a, &mut b]).unwrap_err();
        assert_eq!(e.kind(), "diverged");
        assert_eq!(e.step(), Some(7));
        assert!(e.to_string().contains("z of the convolution became infinite or NaN"), "{e}");
        assert!(e.to_string().contains("kept as it was before this step"), "{e}");
        assert_eq!((a, b), (vec![0.0, 0.0], vec![0.0]));
        let mut fine = vec![1.0, -3.0];
        assert!(refuse_non_finite(1, "a", &mut [&mut fine]).is_ok());
        assert_eq!(fine, vec![1.0, -3.0]);
    }

    #[test]
    fn shapes_index_channel_major_and_are_checked() {
        let s = Shape::two_d(2, 3, 4);
        assert_eq!(s.len(), 24);
        assert_eq!(s.index(1, 2, 3), 23);
        assert_eq!(s.index(1, 0, 0), 12);
        assert!(check_shape("a convolution", Shape::two_d(1, 2, 2), Dimensions::One).is_err());
        assert!(check_shape("a convolution", Shape::one_d(0, 2), Dimensions::One).is_err());
        assert!(check_shape("a convolution", Shape::one_d(2, 5), Dimensions::One).is_ok());
        assert_eq!(rows_of("x", 10, 5).unwrap(), 2);
        assert_eq!(rows_of("x", 11, 5).unwrap_err().kind(), "invalid_data");
        assert_eq!(rows_of("x", 0, 5).unwrap_err().kind(), "invalid_data");
    }
}
