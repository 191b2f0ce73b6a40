//! The edges data set: small one-channel images, each a step edge or none, for a shared kernel
//! to learn an edge detector on (the `edge-detector` lesson).
//!
//! An image is `EDGE_SIDE` × `EDGE_SIDE` pixels in [0, 1], which the page draws as ink (0 pale,
//! 1 inked, as the digits). Image i has label i mod 3:
//! - 0, a vertical edge: pale (a low level d ∈ [0, 0.5]) left of a random column c ∈ [2, 6],
//!   inked (d + a step s ∈ [0.4, 0.5]) from column c on;
//! - 1, a horizontal edge: pale above a random row r ∈ [2, 6], inked from row r down;
//! - 2, no edge: one level in [0, 1] everywhere.
//!
//! The levels overlap across the classes, so how much ink an image holds says nothing of its
//! class: only the step up from pale to inked does, which is what an edge filter sees.
//!
//! `noise` n adds u·n to each pixel (u uniform in [−½, ½]), clamped to [0, 1]. Everything is
//! drawn from one RNG seeded with the data seed, so the same seed gives the same images.

use crate::error::Result;
use crate::points::Points;
use crate::rng::Rng;

/// Width and height of an edge image.
pub const EDGE_SIDE: usize = 8;
/// The classes, by label.
pub const EDGE_NAMES: [&str; 3] = ["vertical edge", "horizontal edge", "no edge"];

/// `n` edge images (label i mod 3 for image i), before any split.
pub fn edge_points(n: usize, noise: f64, seed: u32) -> Result<Points> {
    let side = EDGE_SIDE;
    let mut rng = Rng::new(seed);
    let mut coords = Vec::with_capacity(n * side * side);
    let mut labels = Vec::with_capacity(n);
    for i in 0..n {
        let label = i % EDGE_NAMES.len();
        let pale = rng.uniform(0.0, 0.5);
        let inked = pale + rng.uniform(0.4, 0.5);
        let step = 2 + rng.below(side - 3);
        let flat = rng.uniform(0.0, 1.0);
        for r in 0..side {
            for c in 0..side {
                let level = match label {
                    0 if c < step => pale,
                    1 if r < step => pale,
                    0 | 1 => inked,
                    _ => flat,
                };
                coords.push((level + noise * rng.uniform(-0.5, 0.5)).clamp(0.0, 1.0));
            }
        }
        labels.push(label as f64);
    }
    Points::new(side * side, coords, labels, EDGE_NAMES.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The mean of each column (`by_column`) or row of image `p`.
    fn means(points: &Points, p: usize, by_column: bool) -> Vec<f64> {
        let image = points.coord_row(p);
        (0..EDGE_SIDE)
            .map(|k| {
                (0..EDGE_SIDE)
                    .map(|j| if by_column { image[j * EDGE_SIDE + k] } else { image[k * EDGE_SIDE + j] })
                    .sum::<f64>()
                    / EDGE_SIDE as f64
            })
            .collect()
    }

    #[test]
    fn each_image_holds_the_edge_its_label_says() {
        let points = edge_points(90, 0.0, 3).unwrap();
        assert_eq!((points.len(), points.dims, points.classes), (90, 64, 3));
        for p in 0..points.len() {
            let (columns, rows) = (means(&points, p, true), means(&points, p, false));
            // The steps between neighbouring columns (rows): one of at least 0.4, the rest 0.
            let steps = |m: &[f64]| m.windows(2).map(|w| w[1] - w[0]).collect::<Vec<_>>();
            let one_rise = |m: &[f64]| {
                let s = steps(m);
                s.iter().filter(|&&d| d >= 0.4).count() == 1 && s.iter().filter(|&&d| d.abs() > 1e-12).count() == 1
            };
            let level = |m: &[f64]| steps(m).iter().all(|d| d.abs() < 1e-12);
            match points.labels[p] as usize {
                0 => assert!(one_rise(&columns) && level(&rows), "{columns:?} {rows:?}"),
                1 => assert!(one_rise(&rows) && level(&columns), "{columns:?} {rows:?}"),
                _ => assert!(level(&rows) && level(&columns), "{columns:?} {rows:?}"),
            }
            // The edge never lies on the border: at least two pale and two inked columns (rows).
            let s = steps(if points.labels[p] == 1.0 { &rows } else { &columns });
            if let Some(at) = s.iter().position(|d| d.abs() > 1e-12) {
                assert!((1..=5).contains(&at), "{s:?}");
            }
        }
        assert_eq!(edge_points(90, 0.0, 3).unwrap(), points, "seeded");
        assert_ne!(edge_points(90, 0.0, 4).unwrap(), points);
        let noisy = edge_points(90, 0.2, 3).unwrap();
        assert!(noisy.coords.iter().all(|x| (0.0..=1.0).contains(x)) && noisy.coords != points.coords);
        let off = noisy.coords.iter().zip(&points.coords).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max);
        assert!(off <= 0.1 + 1e-12, "noise 0.2 moves a pixel by at most 0.1, not {off}");
    }
}
