//! Built-in data sets: seeded generator functions, one per problem.
//!
//! Two-dimensional problems live in the square [−6, 6]² (as in TensorFlow Playground), the
//! 1-D curves on x ∈ [−6, 6]. `noise` runs from 0 (clean) to 1 (very noisy); what it does is
//! said per problem. The same spec always gives the same points.
//!
//! | problem        | points                                                        | label            |
//! |----------------|---------------------------------------------------------------|------------------|
//! | `xor`          | the four corners (0,0), (0,1), (1,0), (1,1)                   | 0, 1, 1, 0       |
//! | `noisy_xor`    | uniform in the square, kept 0.3 off the axes, jittered         | 1 if x1·x2 < 0   |
//! | `circle`       | a disc of radius 2.5 and a ring from 3.5 to 5                 | 1 inside         |
//! | `gaussians`    | two normal blobs at (2, 2) and (−2, −2), σ from 0.7 to 2      | 1 for (2, 2)     |
//! | `spiral`       | two interleaved spirals                                       | arm              |
//! | `spiral3`      | three interleaved spirals (for softmax)                       | arm 0, 1, 2      |
//! | `moons`        | two interleaving half circles                                 | moon             |
//! | `checkerboard` | uniform in the square, 4 × 4 cells                            | cell colour      |
//! | `sine`         | x uniform                                                     | sin x            |
//! | `polynomial`   | x uniform, t = x/6                                            | 2t³ − t          |
//! | `plane`        | uniform in the square                                         | (x1 − x2/2) / 9  |
//!
//! Five more are images, codes or sequences, made from their own sources rather than drawn here:
//!
//! | problem   | points                                                                 | label      |
//! |-----------|------------------------------------------------------------------------|------------|
//! | `digits`  | the first `points` of the shipped 8×8 digits (`digits`), pixels in [0, 1] | the digit  |
//! | `shapes`  | 8×8 images of four shapes at random places (`autoencoder`)              | the shape  |
//! | `edges`   | 8×8 images of a vertical step edge, a horizontal one, or none (`edges`)  | which edge |
//! | `codes`   | the 8 one-hot vectors of the 8-3-8 encoder problem, all for training     | the 1's place |
//! | `recall`  | `length` random bits, a sequence for a recurrent layer (`sequences`)   | the first bit |
//!
//! Digits, shapes and edges are split class by class (a stratified split), so a small test set
//! still holds every class.

use crate::autoencoder::{one_hot_code_points, ShapesSpec, SHAPE_SIDE};
use crate::config::MAX_SAMPLES;
use crate::edges::{edge_points, EDGE_NAMES, EDGE_SIDE};
use crate::error::{check_range, Error, Result};
use crate::points::Points;
use crate::rng::Rng;
use serde::{Deserialize, Serialize};
use std::f64::consts::{PI, TAU};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Problem {
    Xor,
    NoisyXor,
    #[default]
    Circle,
    Gaussians,
    Spiral,
    Spiral3,
    Moons,
    Checkerboard,
    Sine,
    Polynomial,
    Plane,
    Digits,
    Shapes,
    Edges,
    Codes,
    Recall,
}

/// The length of the one-hot codes (the 8-3-8 encoder).
pub const CODE_LENGTH: usize = 8;

impl Problem {
    /// The point clouds, drawn by `generate` (the images and codes come from their sources).
    pub const POINT_CLOUDS: [Problem; 11] = [
        Problem::Xor,
        Problem::NoisyXor,
        Problem::Circle,
        Problem::Gaussians,
        Problem::Spiral,
        Problem::Spiral3,
        Problem::Moons,
        Problem::Checkerboard,
        Problem::Sine,
        Problem::Polynomial,
        Problem::Plane,
    ];

    /// Coordinates per point.
    pub fn dims(self) -> usize {
        match self {
            Problem::Sine | Problem::Polynomial => 1,
            Problem::Digits | Problem::Shapes => SHAPE_SIDE * SHAPE_SIDE,
            Problem::Edges => EDGE_SIDE * EDGE_SIDE,
            Problem::Codes => CODE_LENGTH,
            // One bit per step, for the default length (a spec's own: `DataSpec::dims`).
            Problem::Recall => DataSpec::default().length,
            _ => 2,
        }
    }

    /// Classes, or 0 for regression.
    pub fn classes(self) -> usize {
        match self {
            Problem::Sine | Problem::Polynomial | Problem::Plane => 0,
            Problem::Spiral3 => 3,
            Problem::Digits => 10,
            Problem::Shapes => crate::autoencoder::SHAPE_NAMES.len(),
            Problem::Edges => EDGE_NAMES.len(),
            Problem::Codes => CODE_LENGTH,
            Problem::Recall => crate::sequences::RECALL_NAMES.len(),
            _ => 2,
        }
    }

    /// Whether each point is a sequence of values over time steps (for a recurrent layer).
    pub fn is_sequence(self) -> bool {
        self == Problem::Recall
    }

    /// Whether each point is an image (drawn as one, not as its pixels one by one).
    pub fn is_image(self) -> bool {
        self.image_side().is_some()
    }

    /// The width (and height) of each image, for the problems whose points are square images.
    pub fn image_side(self) -> Option<usize> {
        match self {
            Problem::Digits | Problem::Shapes => Some(SHAPE_SIDE),
            Problem::Edges => Some(EDGE_SIDE),
            _ => None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DataSpec {
    pub problem: Problem,
    /// How many points to make (XOR always has its four).
    pub points: usize,
    /// 0 (clean) to 1.
    pub noise: f64,
    /// The share of points held out for testing, 0 to 0.9.
    pub test_ratio: f64,
    pub seed: u32,
    /// T, the bits of each sequence of a sequence problem (`recall`); unused by the others.
    #[serde(skip_serializing_if = "is_default_length")]
    pub length: usize,
}

fn is_default_length(length: &usize) -> bool {
    *length == DataSpec::default().length
}

impl Default for DataSpec {
    fn default() -> Self {
        DataSpec { problem: Problem::Circle, points: 300, noise: 0.0, test_ratio: 0.5, seed: 0, length: 8 }
    }
}

impl DataSpec {
    /// Coordinates per point: a sequence's length, or the problem's.
    pub fn dims(&self) -> usize {
        if self.problem.is_sequence() {
            self.length
        } else {
            self.problem.dims()
        }
    }

    pub fn validate(&self) -> Result<()> {
        if !(1..=MAX_SAMPLES).contains(&self.points) {
            return Err(Error::InvalidConfig(format!(
                "a data set needs 1 to {MAX_SAMPLES} points, not {}",
                self.points
            )));
        }
        check_range("the noise", self.noise, 0.0, 1.0)?;
        let (low, high) = (crate::sequences::MIN_LENGTH, crate::sequences::MAX_LENGTH);
        if !(low..=high).contains(&self.length) {
            return Err(Error::InvalidConfig(format!("a sequence holds {low} to {high} steps, not {}", self.length)));
        }
        check_range("the test ratio", self.test_ratio, 0.0, 0.9)
    }

    /// Makes the points and splits them into (train, test).
    pub fn generate(&self) -> Result<(Points, Points)> {
        self.validate()?;
        match self.problem {
            Problem::Digits => {
                let digits = crate::digits::shipped()?;
                let points = digits.points(Some(self.points.min(digits.len())))?;
                return Ok(points.split_stratified(self.test_ratio, self.seed));
            }
            Problem::Shapes => {
                let spec =
                    ShapesSpec { points: self.points, noise: self.noise, test_ratio: self.test_ratio, seed: self.seed };
                return Ok(spec.points()?.split_stratified(self.test_ratio, self.seed.wrapping_add(1)));
            }
            Problem::Edges => {
                let points = edge_points(self.points, self.noise, self.seed)?;
                return Ok(points.split_stratified(self.test_ratio, self.seed.wrapping_add(1)));
            }
            Problem::Recall => {
                let points = crate::sequences::recall_points(self.points, self.length, self.seed)?;
                return Ok(points.split_stratified(self.test_ratio, self.seed.wrapping_add(1)));
            }
            Problem::Codes => {
                // Like XOR's corners, every code is needed for training.
                let codes = one_hot_code_points(CODE_LENGTH)?;
                let none = codes.select(&[]);
                return Ok((codes, none));
            }
            _ => {}
        }
        let points = generate(self.problem, self.points, self.noise, &mut Rng::new(self.seed));
        // XOR's four points are all needed for training.
        let test_ratio = if self.problem == Problem::Xor { 0.0 } else { self.test_ratio };
        Ok(points.split(test_ratio, self.seed.wrapping_add(1)))
    }
}

/// Makes `n` points of `problem` with the given noise, drawing from `rng`.
pub fn generate(problem: Problem, n: usize, noise: f64, rng: &mut Rng) -> Points {
    let mut coords = Vec::with_capacity(n * problem.dims());
    let mut labels = Vec::with_capacity(n);
    let mut push = |point: &[f64], label: f64| {
        coords.extend_from_slice(point);
        labels.push(label);
    };
    match problem {
        Problem::Xor => {
            for (x, label) in [([0.0, 0.0], 0.0), ([0.0, 1.0], 1.0), ([1.0, 0.0], 1.0), ([1.0, 1.0], 0.0)] {
                push(&x, label);
            }
        }
        Problem::NoisyXor => {
            for _ in 0..n {
                let mut p = [rng.uniform(-5.0, 5.0), rng.uniform(-5.0, 5.0)];
                for c in &mut p {
                    *c += if *c > 0.0 { 0.3 } else { -0.3 };
                }
                let label = if p[0] * p[1] < 0.0 { 1.0 } else { 0.0 };
                push(&[p[0] + rng.uniform(-5.0, 5.0) * noise, p[1] + rng.uniform(-5.0, 5.0) * noise], label);
            }
        }
        Problem::Circle => {
            // As TensorFlow Playground: the label is taken after the noise, so noise blurs the edge.
            for i in 0..n {
                let r = if i < n / 2 { rng.uniform(0.0, 2.5) } else { rng.uniform(3.5, 5.0) };
                let angle = rng.uniform(0.0, TAU);
                let p = [r * angle.sin(), r * angle.cos()];
                let jitter = [rng.uniform(-5.0, 5.0) * noise, rng.uniform(-5.0, 5.0) * noise];
                let inside = (p[0] + jitter[0]).hypot(p[1] + jitter[1]) < 3.0;
                push(&p, if inside { 1.0 } else { 0.0 });
            }
        }
        Problem::Gaussians => {
            let sigma = 0.7 + 1.3 * noise;
            for i in 0..n {
                let (centre, label) = if i < n / 2 { (2.0, 1.0) } else { (-2.0, 0.0) };
                push(&[rng.normal(centre, sigma), rng.normal(centre, sigma)], label);
            }
        }
        Problem::Spiral | Problem::Spiral3 => {
            let arms = problem.classes();
            for i in 0..n {
                let arm = i % arms;
                let t = (i / arms) as f64 / (n.div_ceil(arms)) as f64;
                let r = 5.0 * t;
                let angle = 1.75 * TAU * t + TAU * arm as f64 / arms as f64;
                let jitter = [rng.uniform(-1.0, 1.0) * noise, rng.uniform(-1.0, 1.0) * noise];
                push(&[r * angle.sin() + jitter[0], r * angle.cos() + jitter[1]], arm as f64);
            }
        }
        Problem::Moons => {
            for i in 0..n {
                let t = rng.uniform(0.0, PI);
                let (p, label) =
                    if i % 2 == 0 { ([t.cos(), t.sin()], 0.0) } else { ([1.0 - t.cos(), 0.5 - t.sin()], 1.0) };
                // Centre the pair of moons on the origin and scale it to the square.
                let (x, y) = ((p[0] - 0.5) * 3.5, (p[1] - 0.25) * 3.5);
                push(&[x + rng.normal(0.0, noise), y + rng.normal(0.0, noise)], label);
            }
        }
        Problem::Checkerboard => {
            for _ in 0..n {
                let p = [rng.uniform(-6.0, 6.0), rng.uniform(-6.0, 6.0)];
                let cell = (p[0] / 3.0).floor() + (p[1] / 3.0).floor();
                let label = cell.rem_euclid(2.0);
                push(&[p[0] + rng.normal(0.0, noise), p[1] + rng.normal(0.0, noise)], label);
            }
        }
        Problem::Sine | Problem::Polynomial => {
            for _ in 0..n {
                let x = rng.uniform(-6.0, 6.0);
                let t = x / 6.0;
                let y = if problem == Problem::Sine { x.sin() } else { 2.0 * t * t * t - t };
                push(&[x], y + rng.normal(0.0, 0.5 * noise));
            }
        }
        Problem::Plane => {
            for _ in 0..n {
                let p = [rng.uniform(-6.0, 6.0), rng.uniform(-6.0, 6.0)];
                push(&p, (p[0] - 0.5 * p[1]) / 9.0 + rng.normal(0.0, 0.5 * noise));
            }
        }
        // Not point clouds: `DataSpec::generate` takes them from their sources.
        Problem::Digits | Problem::Shapes | Problem::Edges | Problem::Codes | Problem::Recall => {}
    }
    Points { dims: problem.dims(), coords, labels, classes: problem.classes() }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(problem: Problem) -> DataSpec {
        DataSpec { problem, points: 200, noise: 0.2, test_ratio: 0.25, seed: 9, ..DataSpec::default() }
    }

    #[test]
    fn every_problem_has_its_shape_and_is_seeded() {
        for problem in Problem::POINT_CLOUDS {
            let (train, test) = spec(problem).generate().unwrap();
            let total = if problem == Problem::Xor { 4 } else { 200 };
            assert_eq!(train.len() + test.len(), total, "{problem:?}");
            if problem != Problem::Xor {
                assert_eq!(test.len(), 50, "{problem:?}");
            }
            for points in [&train, &test] {
                assert_eq!(points.dims, problem.dims());
                assert_eq!(points.classes, problem.classes());
                // Valid by the same checks as user data.
                Points::new(points.dims, points.coords.clone(), points.labels.clone(), points.classes).unwrap();
                assert!(points.coords.iter().all(|c| c.abs() <= 10.0), "{problem:?}");
            }
            if problem.classes() > 0 {
                for class in 0..problem.classes() {
                    let count = train.labels.iter().chain(&test.labels).filter(|&&l| l == class as f64).count();
                    assert!(count * problem.classes() * 2 >= total, "{problem:?}: class {class} has only {count}");
                }
            }
            assert_eq!(spec(problem).generate().unwrap(), (train.clone(), test.clone()), "{problem:?} replays");
            if problem != Problem::Xor {
                let other = DataSpec { seed: 10, ..spec(problem) }.generate().unwrap();
                assert_ne!(other.0, train, "{problem:?}: another seed gives other points");
            }
        }
    }

    #[test]
    fn clean_problems_follow_their_rules() {
        let clean = |problem| DataSpec { noise: 0.0, test_ratio: 0.0, ..spec(problem) }.generate().unwrap().0;
        let circle = clean(Problem::Circle);
        for p in 0..circle.len() {
            let r = circle.coord_row(p)[0].hypot(circle.coord_row(p)[1]);
            assert_eq!(circle.labels[p] == 1.0, r < 3.0);
        }
        let sine = clean(Problem::Sine);
        for p in 0..sine.len() {
            assert!((sine.labels[p] - sine.coords[p].sin()).abs() < 1e-15);
        }
        let xor = clean(Problem::NoisyXor);
        for p in 0..xor.len() {
            let c = xor.coord_row(p);
            assert_eq!(xor.labels[p] == 1.0, c[0] * c[1] < 0.0);
        }
        let four = clean(Problem::Xor);
        for p in 0..4 {
            let c = four.coord_row(p);
            assert_eq!(four.labels[p], if c[0] == c[1] { 0.0 } else { 1.0 });
        }
    }

    #[test]
    fn bad_specs_are_refused() {
        assert!(DataSpec { points: 0, ..spec(Problem::Circle) }.generate().is_err());
        assert!(DataSpec { noise: 2.0, ..spec(Problem::Circle) }.generate().is_err());
        assert!(DataSpec { test_ratio: 0.95, ..spec(Problem::Circle) }.generate().is_err());
        assert!(DataSpec { points: MAX_SAMPLES + 1, ..spec(Problem::Circle) }.generate().is_err());
    }
}
