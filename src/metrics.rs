//! How well the network does, beyond the loss.
//!
//! Classification (predicted class: output ≥ 0.5 with one sigmoid output, else the largest
//! output): the confusion matrix C[actual][predicted], accuracy, and per class
//! precision = TP / (TP + FP), recall = TP / (TP + FN), F1 = 2·P·R / (P + R), with their
//! unweighted (macro) averages; a ratio with nothing to count is 0.
//! Regression: RMSE = √(mean (ŷ − y)²) and R² = 1 − Σ (ŷ − y)² / Σ (y − ȳ)².
//! Reconstruction (an autoencoder, y = x): the mean squared error per sample,
//! (1/width) Σ_i (ŷ_i − y_i)², and its mean over the samples.

use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ClassMetrics {
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    /// How many points actually are of this class.
    pub support: usize,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "task", rename_all = "snake_case")]
pub enum Metrics {
    Classification {
        accuracy: f64,
        /// `confusion[actual][predicted]`
        confusion: Vec<Vec<usize>>,
        per_class: Vec<ClassMetrics>,
        macro_precision: f64,
        macro_recall: f64,
        macro_f1: f64,
    },
    Regression {
        rmse: f64,
        r2: f64,
    },
    Reconstruction {
        /// The mean of `per_sample`.
        mse: f64,
        /// (1/width) Σ_i (ŷ_i − y_i)² of each sample.
        per_sample: Vec<f64>,
    },
}

/// The class a row of outputs predicts.
pub fn predicted_class(outputs: &[f64]) -> usize {
    if outputs.len() == 1 {
        usize::from(outputs[0] >= 0.5)
    } else {
        outputs.iter().enumerate().fold(0, |best, (k, &o)| if o > outputs[best] { k } else { best })
    }
}

fn ratio(numerator: usize, denominator: usize) -> f64 {
    if denominator == 0 {
        0.0
    } else {
        numerator as f64 / denominator as f64
    }
}

/// Metrics from the network's outputs (rows × width) and the points' labels.
pub fn classification(outputs: &[f64], width: usize, labels: &[f64], classes: usize) -> Metrics {
    let mut confusion = vec![vec![0usize; classes]; classes];
    for (row, &label) in outputs.chunks_exact(width).zip(labels) {
        confusion[label as usize][predicted_class(row).min(classes - 1)] += 1;
    }
    let correct: usize = (0..classes).map(|k| confusion[k][k]).sum();
    let per_class: Vec<ClassMetrics> = (0..classes)
        .map(|k| {
            let tp = confusion[k][k];
            let predicted: usize = (0..classes).map(|a| confusion[a][k]).sum();
            let actual: usize = confusion[k].iter().sum();
            let (precision, recall) = (ratio(tp, predicted), ratio(tp, actual));
            let f1 = if precision + recall > 0.0 { 2.0 * precision * recall / (precision + recall) } else { 0.0 };
            ClassMetrics { precision, recall, f1, support: actual }
        })
        .collect();
    let mean = |f: fn(&ClassMetrics) -> f64| per_class.iter().map(f).sum::<f64>() / classes as f64;
    Metrics::Classification {
        accuracy: ratio(correct, labels.len()),
        macro_precision: mean(|c| c.precision),
        macro_recall: mean(|c| c.recall),
        macro_f1: mean(|c| c.f1),
        confusion,
        per_class,
    }
}

/// RMSE and R² of one output per point against the labels.
pub fn regression(outputs: &[f64], labels: &[f64]) -> Metrics {
    let n = labels.len() as f64;
    let squared_error: f64 = outputs.iter().zip(labels).map(|(o, y)| (o - y) * (o - y)).sum();
    let mean = labels.iter().sum::<f64>() / n;
    let variance: f64 = labels.iter().map(|y| (y - mean) * (y - mean)).sum();
    Metrics::Regression {
        rmse: (squared_error / n).sqrt(),
        r2: if variance > 0.0 { 1.0 - squared_error / variance } else { 0.0 },
    }
}

/// How well outputs (rows × width) reproduce their targets, sample by sample.
pub fn reconstruction(outputs: &[f64], targets: &[f64], width: usize) -> Metrics {
    let per_sample: Vec<f64> = outputs
        .chunks_exact(width)
        .zip(targets.chunks_exact(width))
        .map(|(o, y)| o.iter().zip(y).map(|(o, y)| (o - y) * (o - y)).sum::<f64>() / width as f64)
        .collect();
    let mse = if per_sample.is_empty() { 0.0 } else { per_sample.iter().sum::<f64>() / per_sample.len() as f64 };
    Metrics::Reconstruction { mse, per_sample }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_worked_confusion_matrix() {
        // Actual 0,0,0,1,1,2; predicted 0,1,0,1,2,2.
        let outputs = [0.9, 0.1, 0.0, 0.2, 0.7, 0.1, 0.6, 0.3, 0.1, 0.1, 0.8, 0.1, 0.0, 0.3, 0.7, 0.1, 0.1, 0.8];
        let Metrics::Classification { accuracy, confusion, per_class, macro_f1, .. } =
            classification(&outputs, 3, &[0.0, 0.0, 0.0, 1.0, 1.0, 2.0], 3)
        else {
            panic!("classification expected")
        };
        assert_eq!(confusion, [[2, 1, 0], [0, 1, 1], [0, 0, 1]]);
        assert_eq!(accuracy, 4.0 / 6.0);
        assert_eq!((per_class[0].precision, per_class[0].recall), (1.0, 2.0 / 3.0));
        assert_eq!((per_class[1].precision, per_class[1].recall), (0.5, 0.5));
        assert_eq!((per_class[2].precision, per_class[2].recall, per_class[2].support), (0.5, 1.0, 1));
        let f1 = [0.8, 0.5, 2.0 / 3.0];
        assert!((macro_f1 - f1.iter().sum::<f64>() / 3.0).abs() < 1e-15);
    }

    #[test]
    fn one_sigmoid_output_thresholds_at_a_half() {
        assert_eq!(predicted_class(&[0.5]), 1);
        assert_eq!(predicted_class(&[0.49]), 0);
        let Metrics::Classification { accuracy, .. } = classification(&[0.2, 0.8, 0.6], 1, &[0.0, 1.0, 0.0], 2) else {
            panic!()
        };
        assert_eq!(accuracy, 2.0 / 3.0);
    }

    #[test]
    fn reconstruction_error_by_hand() {
        let Metrics::Reconstruction { mse, per_sample } =
            reconstruction(&[1.0, 0.0, 0.5, 0.5], &[1.0, 1.0, 0.0, 0.5], 2)
        else {
            panic!()
        };
        assert_eq!(per_sample, [0.5, 0.125]);
        assert_eq!(mse, 0.3125);
    }

    #[test]
    fn rmse_and_r2_by_hand() {
        let Metrics::Regression { rmse, r2 } = regression(&[1.0, 2.0, 4.0], &[1.0, 3.0, 5.0]) else { panic!() };
        assert!((rmse - (2.0f64 / 3.0).sqrt()).abs() < 1e-15);
        assert!((r2 - (1.0 - 2.0 / 8.0)).abs() < 1e-15);
    }
}
