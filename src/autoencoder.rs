//! Data for autoencoders: networks trained to reproduce their input, y = x, through a narrow
//! hidden layer (the code), so they learn without labels. The labels are kept, for colouring
//! the codes of each class.
//!
//! - `one_hot_codes(n)`: the encoder problem of Ackley, Hinton & Sejnowski (1985): the n
//!   vectors with a single 1 (4-2-4, 8-3-8 …); point i has coordinate i = 1, label i. All n
//!   are for training: the problem is to pass each of them through the code.
//! - `shapes`: 8×8 images of four simple shapes at random places, pixels in [0, 1]; label 0 a
//!   horizontal line (4–8 long), 1 a vertical line, 2 the outline of a square (3–6 wide),
//!   3 a diagonal line (4–8 long, either way); `noise` n adds u·n to each pixel (u uniform in
//!   [−½, ½]), clamped to [0, 1].
//! - the digits: `Data::from_digits(…)?.into_autoencoder()`.
//!
//! Each returns `Data` whose target is `Target::Inputs`; squared error is the loss to pair them
//! with (binary cross-entropy with a sigmoid output also takes them, their values being in [0, 1]).

use crate::config::{MAX_INPUTS, MAX_SAMPLES};
use crate::data::{Data, ImageShape};
use crate::error::{check_range, Error, Result};
use crate::points::Points;
use crate::rng::Rng;
use serde::{Deserialize, Serialize};

/// Width and height of a shape image.
pub const SHAPE_SIDE: usize = 8;
/// The shapes' classes, by label.
pub const SHAPE_NAMES: [&str; 4] = ["horizontal line", "vertical line", "square", "diagonal line"];

/// The n one-hot vectors of length n as points (label i for the 1 in place i).
pub fn one_hot_code_points(n: usize) -> Result<Points> {
    if !(2..=MAX_INPUTS).contains(&n) {
        return Err(Error::InvalidConfig(format!("one-hot codes need a length of 2 to {MAX_INPUTS}, not {n}")));
    }
    let coords = (0..n * n).map(|k| if k / n == k % n { 1.0 } else { 0.0 }).collect();
    Points::new(n, coords, (0..n).map(|i| i as f64).collect(), n)
}

/// How to make the shapes data set.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ShapesSpec {
    /// Images to make, spread evenly over the four shapes.
    pub points: usize,
    /// 0 (clean) to 1.
    pub noise: f64,
    /// The share of each shape held out for testing, 0 to 0.9.
    pub test_ratio: f64,
    pub seed: u32,
}

impl Default for ShapesSpec {
    fn default() -> Self {
        ShapesSpec { points: 400, noise: 0.0, test_ratio: 0.25, seed: 0 }
    }
}

impl ShapesSpec {
    pub fn validate(&self) -> Result<()> {
        if !(1..=MAX_SAMPLES).contains(&self.points) {
            return Err(Error::InvalidConfig(format!(
                "a data set needs 1 to {MAX_SAMPLES} points, not {}",
                self.points
            )));
        }
        check_range("the noise", self.noise, 0.0, 1.0)?;
        check_range("the test ratio", self.test_ratio, 0.0, 0.9)
    }

    /// The images (label i % 4 for image i), before the split.
    pub fn points(&self) -> Result<Points> {
        self.validate()?;
        let mut rng = Rng::new(self.seed);
        let side = SHAPE_SIDE;
        let mut coords = Vec::with_capacity(self.points * side * side);
        let mut labels = Vec::with_capacity(self.points);
        let mut image = [0.0; SHAPE_SIDE * SHAPE_SIDE];
        for i in 0..self.points {
            image.fill(0.0);
            let mut ink = |r: usize, c: usize| image[r * side + c] = 1.0;
            let label = i % 4;
            match label {
                0 | 1 => {
                    let length = 4 + rng.below(side - 3);
                    let (across, start) = (rng.below(side), rng.below(side - length + 1));
                    for k in start..start + length {
                        if label == 0 {
                            ink(across, k);
                        } else {
                            ink(k, across);
                        }
                    }
                }
                2 => {
                    let width = 3 + rng.below(4);
                    let (top, left) = (rng.below(side - width + 1), rng.below(side - width + 1));
                    for k in 0..width {
                        ink(top, left + k);
                        ink(top + width - 1, left + k);
                        ink(top + k, left);
                        ink(top + k, left + width - 1);
                    }
                }
                _ => {
                    let length = 4 + rng.below(side - 3);
                    let (top, left) = (rng.below(side - length + 1), rng.below(side - length + 1));
                    let falling = rng.below(2) == 0;
                    for k in 0..length {
                        ink(top + k, if falling { left + k } else { left + length - 1 - k });
                    }
                }
            }
            for x in &image {
                coords.push((x + self.noise * rng.uniform(-0.5, 0.5)).clamp(0.0, 1.0));
            }
            labels.push(label as f64);
        }
        Points::new(side * side, coords, labels, SHAPE_NAMES.len())
    }
}

impl Data {
    /// The one-hot encoder problem of length n (see the module), all n points for training.
    pub fn one_hot_codes(n: usize) -> Result<Data> {
        let train = one_hot_code_points(n)?;
        let test = train.select(&[]);
        let headers = (1..=n).map(|d| format!("x{d}")).chain(["label".to_string()]).collect();
        Ok(Data::new(train, test, headers)?.into_autoencoder())
    }

    /// The shapes (see the module), split with a stratified shuffle (seed + 1).
    pub fn shapes(spec: &ShapesSpec) -> Result<Data> {
        let (train, test) = spec.points()?.split_stratified(spec.test_ratio, spec.seed.wrapping_add(1));
        let headers = (1..=SHAPE_SIDE * SHAPE_SIDE).map(|d| format!("x{d}")).chain(["label".to_string()]).collect();
        let mut data = Data::new(train, test, headers)?.into_autoencoder();
        data.image_shape = Some(ImageShape { width: SHAPE_SIDE, height: SHAPE_SIDE });
        Ok(data)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::Target;
    use crate::trainer::Split;

    #[test]
    fn one_hot_codes_are_the_encoder_problem() {
        let data = Data::one_hot_codes(4).unwrap();
        assert_eq!(data.target(), Target::Inputs);
        let x = data.inputs(Split::Train).unwrap();
        #[rustfmt::skip]
        assert_eq!(x, [1.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0]);
        assert_eq!(data.targets(Split::Train, 4).unwrap(), x);
        assert_eq!(data.train.labels, [0.0, 1.0, 2.0, 3.0]);
        assert!(data.test.is_empty());
        assert_eq!(Data::one_hot_codes(8).unwrap().input_width(), 8);
        assert!(Data::one_hot_codes(1).unwrap_err().to_string().contains("2 to 256, not 1"));
        assert!(Data::one_hot_codes(257).is_err());
    }

    #[test]
    fn shapes_draw_what_their_labels_say() {
        let spec = ShapesSpec { points: 200, noise: 0.0, test_ratio: 0.25, seed: 5 };
        let points = spec.points().unwrap();
        for p in 0..points.len() {
            let image = points.coord_row(p);
            let on: Vec<(usize, usize)> =
                (0..64).filter(|&k| image[k] == 1.0).map(|k| (k / SHAPE_SIDE, k % SHAPE_SIDE)).collect();
            assert!(image.iter().all(|&x| x == 0.0 || x == 1.0));
            let rows = on.iter().map(|&(r, _)| r).collect::<std::collections::BTreeSet<_>>().len();
            let cols = on.iter().map(|&(_, c)| c).collect::<std::collections::BTreeSet<_>>().len();
            match points.labels[p] as usize {
                0 => assert!(rows == 1 && (4..=8).contains(&cols), "{on:?}"),
                1 => assert!(cols == 1 && (4..=8).contains(&rows), "{on:?}"),
                2 => assert!(rows == cols && on.len() == 4 * (rows - 1) && (3..=6).contains(&rows), "{on:?}"),
                _ => assert!(rows == cols && on.len() == rows && (4..=8).contains(&rows), "{on:?}"),
            }
        }
        let data = Data::shapes(&spec).unwrap();
        // 50 of each shape, round(12.5) = 13 of each for testing.
        assert_eq!((data.train.len(), data.test.len(), data.input_width()), (148, 52, 64));
        assert_eq!(data.image_shape, Some(ImageShape { width: 8, height: 8 }));
        assert_eq!(Data::shapes(&spec).unwrap(), data, "seeded");
        let noisy = ShapesSpec { noise: 0.5, ..spec }.points().unwrap();
        assert!(noisy.coords.iter().all(|&x| (0.0..=1.0).contains(&x)) && noisy.coords != points.coords);
        assert!(ShapesSpec { noise: 2.0, ..spec }.points().is_err());
        assert!(ShapesSpec { points: 0, ..spec }.points().is_err());
    }
}
