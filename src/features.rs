//! Input features: what the network sees of a 2-D (or 1-D) point, as TensorFlow Playground
//! offers them: x1, x2, x1², x2², x1·x2, sin x1, sin x2. Points with more coordinates (from a
//! CSV file) are fed as they are.

use crate::error::{Error, Result};
use crate::points::Points;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Feature {
    X1,
    X2,
    X1Squared,
    X2Squared,
    X1X2,
    SinX1,
    SinX2,
}

impl Feature {
    pub const ALL: [Feature; 7] = [
        Feature::X1,
        Feature::X2,
        Feature::X1Squared,
        Feature::X2Squared,
        Feature::X1X2,
        Feature::SinX1,
        Feature::SinX2,
    ];

    /// The label shown beside the input neuron.
    pub fn label(self) -> &'static str {
        match self {
            Feature::X1 => "x₁",
            Feature::X2 => "x₂",
            Feature::X1Squared => "x₁²",
            Feature::X2Squared => "x₂²",
            Feature::X1X2 => "x₁·x₂",
            Feature::SinX1 => "sin x₁",
            Feature::SinX2 => "sin x₂",
        }
    }

    fn needs_x2(self) -> bool {
        matches!(self, Feature::X2 | Feature::X2Squared | Feature::X1X2 | Feature::SinX2)
    }

    #[inline]
    pub fn of(self, x: &[f64]) -> f64 {
        match self {
            Feature::X1 => x[0],
            Feature::X2 => x[1],
            Feature::X1Squared => x[0] * x[0],
            Feature::X2Squared => x[1] * x[1],
            Feature::X1X2 => x[0] * x[1],
            Feature::SinX1 => x[0].sin(),
            Feature::SinX2 => x[1].sin(),
        }
    }
}

/// The most features a network can be given: each of them once.
pub const MAX_FEATURES: usize = Feature::ALL.len();

/// Checks that `features` name each feature at most once and can be computed from points of
/// `dims` coordinates.
pub fn check(features: &[Feature], dims: usize) -> Result<()> {
    if features.len() > MAX_FEATURES {
        return Err(Error::Limit(format!(
            "there are {MAX_FEATURES} input features to choose from, and {} were given",
            features.len()
        )));
    }
    if let Some((k, f)) = features.iter().enumerate().find(|(k, f)| features[..*k].contains(f)) {
        return Err(Error::InvalidConfig(format!(
            "{} is chosen twice (as feature {} and {}): choose each input feature once",
            f.label(),
            features.iter().position(|g| g == f).unwrap_or(0) + 1,
            k + 1
        )));
    }
    if dims > 2 {
        return Ok(());
    }
    if features.is_empty() {
        return Err(Error::InvalidConfig("choose at least one input feature".into()));
    }
    if let Some(f) = features.iter().find(|f| dims < 2 && f.needs_x2()) {
        return Err(Error::InvalidConfig(format!(
            "{} needs a second coordinate, and these points have one",
            f.label()
        )));
    }
    Ok(())
}

/// How many inputs the features make for points of `dims` coordinates.
pub fn width(features: &[Feature], dims: usize) -> usize {
    if dims > 2 {
        dims
    } else {
        features.len()
    }
}

/// The network inputs of every point (n × width).
pub fn inputs(features: &[Feature], points: &Points) -> Result<Vec<f64>> {
    inputs_of(features, points.dims, &points.coords)
}

/// The network inputs of raw coordinates (rows × dims), e.g. a heatmap grid.
pub fn inputs_of(features: &[Feature], dims: usize, coords: &[f64]) -> Result<Vec<f64>> {
    check(features, dims)?;
    if dims > 2 {
        return Ok(coords.to_vec());
    }
    Ok(coords.chunks_exact(dims).flat_map(|x| features.iter().map(move |f| f.of(x))).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn features_of_a_point() {
        let points = Points::new(2, vec![2.0, -3.0], vec![1.0], 2).unwrap();
        let x = inputs(&Feature::ALL, &points).unwrap();
        assert_eq!(x, [2.0, -3.0, 4.0, 9.0, -6.0, 2f64.sin(), (-3f64).sin()]);
        assert_eq!(width(&Feature::ALL, 2), 7);
    }

    #[test]
    fn one_dimensional_points_refuse_x2_features() {
        let points = Points::new(1, vec![2.0], vec![0.5], 0).unwrap();
        assert_eq!(inputs(&[Feature::X1, Feature::SinX1], &points).unwrap(), [2.0, 2f64.sin()]);
        assert!(inputs(&[Feature::X1X2], &points).unwrap_err().to_string().contains("second coordinate"));
        assert!(inputs(&[], &points).is_err());
    }

    #[test]
    fn wide_points_pass_through() {
        let points = Points::new(3, vec![1.0, 2.0, 3.0], vec![0.0], 0).unwrap();
        assert_eq!(inputs(&[Feature::X1], &points).unwrap(), [1.0, 2.0, 3.0]);
        assert_eq!(width(&[Feature::X1], 3), 3);
    }
}
