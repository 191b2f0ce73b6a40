//! Flatten: feature maps (C × H × W per sample) into the vector a dense layer takes.
//!
//! The maps are already stored channel-major, so flattening moves no number: dense input n is
//! the value (c, i, j) with n = c·H·W + i·W + j, forward and backward alike (dL/dx = dL/dy,
//! value for value). The layer exists so the page can name the step, and `position` says
//! where a dense input came from.

use super::Shape;
use crate::error::{Error, Result};

/// Flattens maps of `shape`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Flatten {
    pub shape: Shape,
}

impl Flatten {
    pub fn new(shape: Shape) -> Flatten {
        Flatten { shape }
    }

    /// The dense inputs per sample.
    pub fn outputs(&self) -> usize {
        self.shape.len()
    }

    /// Which (channel, row, column) dense input `n` is; `OutOfRange` past the end.
    pub fn position(&self, n: usize) -> Result<(usize, usize, usize)> {
        if n >= self.shape.len() {
            return Err(Error::OutOfRange(format!(
                "the flattened maps hold {} values: there is no {n}",
                self.shape.len()
            )));
        }
        let per_channel = self.shape.height * self.shape.width;
        Ok((n / per_channel, n % per_channel / self.shape.width, n % self.shape.width))
    }

    /// The forward pass: the maps themselves, read as one vector per sample.
    pub fn forward<'a>(&self, maps: &'a [f64]) -> &'a [f64] {
        maps
    }

    /// The backward pass: dL/dx is dL/dy, read back as maps.
    pub fn backward<'a>(&self, grad_output: &'a [f64]) -> &'a [f64] {
        grad_output
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_invert_the_channel_major_index() {
        let f = Flatten::new(Shape::two_d(2, 3, 4));
        assert_eq!(f.outputs(), 24);
        for c in 0..2 {
            for i in 0..3 {
                for j in 0..4 {
                    assert_eq!(f.position(f.shape.index(c, i, j)).unwrap(), (c, i, j));
                }
            }
        }
        assert_eq!(f.position(24).unwrap_err().kind(), "out_of_range");
        let maps = [1.0, 2.0];
        assert_eq!(f.forward(&maps), &maps);
        assert_eq!(f.backward(&maps), &maps);
    }
}
