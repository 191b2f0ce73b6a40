//! The recall data set: sequences of bits where the label is the first bit, a task that needs
//! memory (the `recall` lesson, for backpropagation through time).
//!
//! A sequence is `length` bits x_1 … x_T, each 0 or 1 with probability ½, and its label is x_1:
//! to answer at the last step, a recurrent network must carry x_1 through T − 1 steps of its
//! hidden state, and the gradient that teaches it to must travel the same T − 1 steps back in
//! time. The bits after the first are random distractors already, so the data set has no
//! noise setting.
//!
//! Everything is drawn from one RNG seeded with the data seed, so the same seed gives the same
//! sequences; the two labels alternate (sequence i has x_1 = i mod 2), so every split holds both.

use crate::error::{Error, Result};
use crate::points::Points;
use crate::rng::Rng;

/// The shortest and longest sequences.
pub const MIN_LENGTH: usize = 2;
pub const MAX_LENGTH: usize = 64;
/// The classes, by label.
pub const RECALL_NAMES: [&str; 2] = ["first bit 0", "first bit 1"];

/// `n` sequences of `length` bits, labelled by their first bit, before any split.
pub fn recall_points(n: usize, length: usize, seed: u32) -> Result<Points> {
    if !(MIN_LENGTH..=MAX_LENGTH).contains(&length) {
        return Err(Error::InvalidConfig(format!("a sequence holds {MIN_LENGTH} to {MAX_LENGTH} bits, not {length}")));
    }
    let mut rng = Rng::new(seed);
    let mut coords = Vec::with_capacity(n * length);
    let mut labels = Vec::with_capacity(n);
    for i in 0..n {
        let first = (i % 2) as f64;
        coords.push(first);
        coords.extend((1..length).map(|_| if rng.uniform(0.0, 1.0) < 0.5 { 0.0 } else { 1.0 }));
        labels.push(first);
    }
    Points::new(length, coords, labels, RECALL_NAMES.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_sequence_is_labelled_by_its_first_bit_and_the_rest_is_random() {
        let points = recall_points(400, 10, 3).unwrap();
        assert_eq!(points.dims, 10);
        let mut ones_later = 0.0;
        for p in 0..400 {
            let row = points.coord_row(p);
            assert_eq!(row[0], points.labels[p]);
            assert!(row.iter().all(|&b| b == 0.0 || b == 1.0));
            ones_later += row[1..].iter().sum::<f64>();
        }
        // The later bits say nothing of the label: about half are 1.
        let share = ones_later / (400.0 * 9.0);
        assert!((share - 0.5).abs() < 0.05, "{share}");
        assert_eq!(recall_points(400, 10, 3).unwrap().coords, points.coords, "seeded");
        assert_ne!(recall_points(400, 10, 4).unwrap().coords, points.coords);
        assert!(recall_points(4, 1, 3).is_err() && recall_points(4, 65, 3).is_err());
    }
}
