//! The loss history of a session: the loss over the whole training set and the whole test
//! set at chosen steps, for the loss chart.
//!
//! A point is taken when due: every `every` steps. When the history is full, every other
//! point is dropped and `every` doubles, so a long run keeps its whole shape in a fixed
//! memory. Bulk training records at most one point per call, so a call of many steps costs
//! one pass over the data, not one per step.

use crate::trainer::{Split, Trainer};

/// Points kept before thinning out.
pub const CAPACITY: usize = 400;

#[derive(Clone, Debug)]
pub struct History {
    pub steps: Vec<f64>,
    pub train: Vec<f64>,
    /// NaN where the data has no test set.
    pub test: Vec<f64>,
    /// Steps between two points.
    pub every: u64,
    /// The step of the last point (None before the first).
    pub last_step: Option<u64>,
    /// The step at which training diverged (the chart marks it), if it did.
    pub diverged_at: Option<u64>,
    /// The history just before it was last thinned out, so that undo can go back past a
    /// thinning (src/undo.rs keeps fewer actions than the 200 points between two thinnings).
    pub(crate) unthinned: Option<Box<History>>,
}

/// Two histories are equal when they chart the same points (what undo kept aside aside).
impl PartialEq for History {
    fn eq(&self, other: &Self) -> bool {
        self.steps == other.steps
            && self.train.iter().zip(&other.train).all(|(a, b)| a.to_bits() == b.to_bits())
            && self.test.iter().zip(&other.test).all(|(a, b)| a.to_bits() == b.to_bits())
            && self.every == other.every
            && self.last_step == other.last_step
            && self.diverged_at == other.diverged_at
    }
}

impl Default for History {
    fn default() -> Self {
        History {
            steps: Vec::with_capacity(CAPACITY),
            train: Vec::with_capacity(CAPACITY),
            test: Vec::with_capacity(CAPACITY),
            every: 1,
            last_step: None,
            diverged_at: None,
            unthinned: None,
        }
    }
}

impl History {
    pub fn len(&self) -> usize {
        self.steps.len()
    }

    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    pub fn clear(&mut self) {
        *self = History::default();
    }

    /// Adds a point for the trainer's current step if one is due (or `force`d). A step that
    /// has its point already gets no second one. Returns whether a point was added.
    pub fn record(&mut self, trainer: &mut Trainer, force: bool) -> bool {
        let step = trainer.steps();
        if self.last_step == Some(step) {
            return false;
        }
        if let (false, Some(last)) = (force, self.last_step) {
            if step < last + self.every {
                return false;
            }
        }
        let Ok(train) = trainer.dataset_loss(Split::Train) else { return false };
        let test = if trainer.data(Split::Test).is_some() {
            trainer.dataset_loss(Split::Test).unwrap_or(f64::NAN)
        } else {
            f64::NAN
        };
        self.push(step, train, test);
        true
    }

    /// Drops the points after `step` (a divergence rule took an update back).
    pub fn forget_after(&mut self, step: u64) {
        let kept = self.steps.iter().take_while(|&&s| s <= step as f64).count();
        for series in [&mut self.steps, &mut self.train, &mut self.test] {
            series.truncate(kept);
        }
        self.last_step = self.steps.last().map(|&s| s as u64);
    }

    /// Appends a point, thinning the history out first if it is full.
    pub fn push(&mut self, step: u64, train: f64, test: f64) {
        if self.steps.len() == CAPACITY {
            let mut before = self.clone();
            before.unthinned = None;
            self.unthinned = Some(Box::new(before));
            for series in [&mut self.steps, &mut self.train, &mut self.test] {
                let kept: Vec<f64> = series.iter().step_by(2).copied().collect();
                *series = kept;
            }
            self.every *= 2;
        }
        self.steps.push(step as f64);
        self.train.push(train);
        self.test.push(test);
        self.last_step = Some(step);
    }

    /// At most `points` of the points, evenly spread and always with the last one (for a
    /// link, whose chart then looks the same).
    pub fn thinned(&self, points: usize) -> History {
        let n = self.len();
        if n <= points || points < 2 {
            return self.clone();
        }
        let stride = n.div_ceil(points - 1);
        let mut keep: Vec<usize> = (0..n).step_by(stride).collect();
        if keep.last() != Some(&(n - 1)) {
            keep.push(n - 1);
        }
        let pick = |series: &[f64]| keep.iter().map(|&k| series[k]).collect();
        History {
            steps: pick(&self.steps),
            train: pick(&self.train),
            test: pick(&self.test),
            every: self.every * stride as u64,
            last_step: self.last_step,
            diverged_at: self.diverged_at,
            unthinned: None,
        }
    }

    /// The history as CSV text (step, training loss, test loss; an empty cell without test data).
    pub fn to_csv(&self) -> String {
        let mut text = String::from("step,train_loss,test_loss\n");
        for k in 0..self.len() {
            let test = if self.test[k].is_finite() { self.test[k].to_string() } else { String::new() };
            text.push_str(&format!("{},{},{test}\n", self.steps[k], self.train[k]));
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_history_thins_out_and_keeps_its_shape() {
        let mut h = History::default();
        for step in 0..1000 {
            if h.last_step.is_none_or(|last| step >= last + h.every) {
                h.push(step, 1.0 / (step as f64 + 1.0), f64::NAN);
            }
        }
        assert!(h.len() <= CAPACITY);
        assert!(h.every >= 2);
        assert_eq!(h.steps[0], 0.0);
        let t = h.thinned(50);
        assert!(t.len() <= 51 && t.len() >= 40, "{}", t.len());
        assert_eq!(t.steps.last(), h.steps.last());
        assert!(h.to_csv().starts_with("step,train_loss,test_loss\n0,1,\n"));
    }
}
