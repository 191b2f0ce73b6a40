//! Raw data before it meets a network: points with coordinates and a label each.
//!
//! A label is a class index (0, 1, … for classification) or a real value (regression,
//! `classes == 0`). Points become network inputs through `features` and `preprocessing`,
//! and their labels become targets through `encode_targets`.

use crate::config::{MAX_INPUTS, MAX_SAMPLES};
use crate::error::{Error, Result};
use crate::rng::Rng;

#[derive(Clone, Debug, PartialEq)]
pub struct Points {
    /// Coordinates per point (1 to `MAX_INPUTS`).
    pub dims: usize,
    /// n × dims, row-major.
    pub coords: Vec<f64>,
    pub labels: Vec<f64>,
    /// Number of classes, or 0 for regression.
    pub classes: usize,
}

/// The largest coordinate or regression value a point may have. Larger, though finite, numbers
/// overflow the heatmap's grid, the axes and the first forward pass (10³⁰⁸ squared is infinite),
/// so they are refused with a message instead of blanking the view.
pub const MAX_COORDINATE: f64 = 1e15;

impl Points {
    /// Checks shapes, finiteness (and size: at most `MAX_COORDINATE`) and labels.
    pub fn new(dims: usize, coords: Vec<f64>, labels: Vec<f64>, classes: usize) -> Result<Points> {
        let bad = |why: String| Err(Error::InvalidData(why));
        if !(1..=MAX_INPUTS).contains(&dims) {
            return bad(format!("points need 1 to {MAX_INPUTS} coordinates, not {dims}"));
        }
        if coords.len() != labels.len() * dims {
            return bad(format!(
                "{} labels need {} coordinates, not {}",
                labels.len(),
                labels.len() * dims,
                coords.len()
            ));
        }
        if labels.len() > MAX_SAMPLES {
            return bad(format!("{} points is more than the limit of {MAX_SAMPLES}", labels.len()));
        }
        if let Some(p) = coords.iter().position(|c| !c.is_finite()) {
            return bad(format!("point {}: coordinate {} is not a finite number", p / dims, p % dims));
        }
        if let Some(p) = coords.iter().position(|c| c.abs() > MAX_COORDINATE) {
            return bad(format!(
                "point {}: coordinate {} is {:.1e}, beyond ±1e15 (rescale the data first)",
                p / dims,
                p % dims,
                coords[p]
            ));
        }
        if classes == 1 || classes > crate::config::MAX_OUTPUTS {
            return bad(format!("a classification needs 2 to {} classes, not {classes}", crate::config::MAX_OUTPUTS));
        }
        for (p, &label) in labels.iter().enumerate() {
            let ok = if classes == 0 {
                label.is_finite()
            } else {
                label.fract() == 0.0 && (0.0..classes as f64).contains(&label)
            };
            if classes == 0 && ok && label.abs() > MAX_COORDINATE {
                return bad(format!("point {p}: the value {label:.1e} is beyond ±1e15 (rescale the data first)"));
            }
            if !ok {
                return bad(if classes == 0 {
                    format!("point {p}: the value {label} is not a finite number")
                } else {
                    format!("point {p}: the label {label} is not a class from 0 to {}", classes - 1)
                });
            }
        }
        Ok(Points { dims, coords, labels, classes })
    }

    pub fn len(&self) -> usize {
        self.labels.len()
    }

    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    pub fn coord_row(&self, p: usize) -> &[f64] {
        &self.coords[p * self.dims..(p + 1) * self.dims]
    }

    /// The points at the given indices, in that order.
    pub fn select(&self, indices: &[usize]) -> Points {
        Points {
            dims: self.dims,
            coords: indices.iter().flat_map(|&p| self.coord_row(p).iter().copied()).collect(),
            labels: indices.iter().map(|&p| self.labels[p]).collect(),
            classes: self.classes,
        }
    }

    /// Shuffles with `seed` and splits into (train, test), `test_ratio` of the points going to test.
    pub fn split(&self, test_ratio: f64, seed: u32) -> (Points, Points) {
        let mut order: Vec<usize> = (0..self.len()).collect();
        Rng::new(seed).shuffle(&mut order);
        let test_len = ((self.len() as f64) * test_ratio.clamp(0.0, 1.0)).round() as usize;
        let test_len = test_len.min(self.len().saturating_sub(1));
        let (test, train) = order.split_at(test_len);
        (self.select(train), self.select(test))
    }

    /// Splits into (train, test) keeping each class's share: class c of n_c points gives
    /// round(n_c · test_ratio) of them to the test set, but never its last training point.
    /// Both sets keep the order of one shuffle with `seed`. A regression is split as `split`.
    pub fn split_stratified(&self, test_ratio: f64, seed: u32) -> (Points, Points) {
        if self.classes == 0 {
            return self.split(test_ratio, seed);
        }
        let mut order: Vec<usize> = (0..self.len()).collect();
        Rng::new(seed).shuffle(&mut order);
        let mut quota = vec![0usize; self.classes];
        for &label in &self.labels {
            quota[label as usize] += 1;
        }
        let ratio = test_ratio.clamp(0.0, 1.0);
        for q in &mut quota {
            *q = ((*q as f64 * ratio).round() as usize).min(q.saturating_sub(1));
        }
        let (mut train, mut test) = (Vec::with_capacity(self.len()), Vec::new());
        for p in order {
            let class = self.labels[p] as usize;
            if quota[class] > 0 {
                quota[class] -= 1;
                test.push(p);
            } else {
                train.push(p);
            }
        }
        (self.select(&train), self.select(&test))
    }

    /// The smallest and largest value of each coordinate: [(min, max); dims].
    pub fn bounds(&self) -> Vec<(f64, f64)> {
        (0..self.dims)
            .map(|d| {
                self.coords
                    .iter()
                    .skip(d)
                    .step_by(self.dims)
                    .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &c| (lo.min(c), hi.max(c)))
            })
            .collect()
    }

    /// Targets for a network with `outputs` output neurons: the value (regression), the label
    /// 0/1 (two classes, one output), or one-hot rows (one output per class).
    pub fn encode_targets(&self, outputs: usize) -> Result<Vec<f64>> {
        match (self.classes, outputs) {
            (0, 1) | (2, 1) => Ok(self.labels.clone()),
            (classes, outputs) if classes == outputs && classes >= 2 => {
                let mut targets = vec![0.0; self.len() * classes];
                for (p, &label) in self.labels.iter().enumerate() {
                    targets[p * classes + label as usize] = 1.0;
                }
                Ok(targets)
            }
            (0, outputs) => Err(Error::InvalidData(format!(
                "a regression has one value per point, so the network needs 1 output neuron, not {outputs}"
            ))),
            (classes, outputs) => Err(Error::InvalidData(format!(
                "{classes} classes need an output layer of {} neuron(s), not {outputs}",
                if classes == 2 { "1 (or 2 with softmax)".to_string() } else { classes.to_string() }
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_checked_against_the_task() {
        assert!(Points::new(2, vec![0.0; 4], vec![0.0, 1.0], 2).is_ok());
        assert!(Points::new(2, vec![0.0; 4], vec![0.0, 2.0], 2).unwrap_err().to_string().contains("point 1"));
        assert!(Points::new(2, vec![0.0; 4], vec![0.5, 1.0], 2).is_err());
        assert!(Points::new(1, vec![0.0; 2], vec![0.5, -3.0], 0).is_ok());
        assert!(Points::new(2, vec![0.0; 3], vec![0.0, 1.0], 2).is_err());
        assert!(Points::new(MAX_INPUTS, vec![0.0; MAX_INPUTS], vec![0.0], 0).is_ok());
        let e = Points::new(MAX_INPUTS + 1, vec![0.0; MAX_INPUTS + 1], vec![0.0], 0).unwrap_err();
        assert!(e.to_string().contains("1 to 256 coordinates, not 257"), "{e}");
        assert!(Points::new(1, vec![0.0], vec![255.0], 256).is_ok());
        assert!(Points::new(1, vec![0.0], vec![0.0], 257).unwrap_err().to_string().contains("2 to 256 classes"));
    }

    #[test]
    fn targets_encode_per_output_layer() {
        let p = Points::new(1, vec![0.0, 1.0, 2.0], vec![2.0, 0.0, 1.0], 3).unwrap();
        assert_eq!(p.encode_targets(3).unwrap(), [0.0, 0.0, 1.0, 1.0, 0.0, 0.0, 0.0, 1.0, 0.0]);
        assert!(p.encode_targets(1).unwrap_err().to_string().contains("3 classes need an output layer of 3"));
        let binary = Points::new(1, vec![0.0, 1.0], vec![1.0, 0.0], 2).unwrap();
        assert_eq!(binary.encode_targets(1).unwrap(), [1.0, 0.0]);
        assert_eq!(binary.encode_targets(2).unwrap(), [0.0, 1.0, 1.0, 0.0]);
    }

    #[test]
    fn a_stratified_split_keeps_each_class_share() {
        // 30 of class 0, 10 of class 1, 1 of class 2.
        let labels: Vec<f64> = (0..41)
            .map(|i| {
                if i < 30 {
                    0.0
                } else if i < 40 {
                    1.0
                } else {
                    2.0
                }
            })
            .collect();
        let p = Points::new(1, (0..41).map(f64::from).collect(), labels, 3).unwrap();
        let (train, test) = p.split_stratified(0.2, 7);
        let count = |points: &Points, c: f64| points.labels.iter().filter(|&&l| l == c).count();
        assert_eq!([count(&test, 0.0), count(&test, 1.0), count(&test, 2.0)], [6, 2, 0]);
        assert_eq!(train.len() + test.len(), 41);
        let mut all: Vec<f64> = train.coords.iter().chain(&test.coords).copied().collect();
        all.sort_by(f64::total_cmp);
        assert_eq!(all, p.coords);
        assert_eq!(p.split_stratified(0.2, 7), (train.clone(), test.clone()), "seeded");
        assert_ne!(p.split_stratified(0.2, 8).1, test);
        assert_eq!(p.split_stratified(0.0, 7).1.len(), 0);
    }

    #[test]
    fn the_split_is_seeded_and_complete() {
        let p = Points::new(1, (0..10).map(f64::from).collect(), vec![0.0; 10], 0).unwrap();
        let (train, test) = p.split(0.3, 4);
        assert_eq!((train.len(), test.len()), (7, 3));
        let mut all: Vec<f64> = train.coords.iter().chain(&test.coords).copied().collect();
        all.sort_by(f64::total_cmp);
        assert_eq!(all, p.coords);
        assert_eq!(p.split(0.3, 4), (train, test));
        assert_ne!(p.split(0.3, 5).0, p.split(0.3, 4).0);
    }
}
