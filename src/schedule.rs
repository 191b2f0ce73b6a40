//! Learning-rate schedules: the rate used at an update, from the base rate η₀ and the number
//! of completed epochs e (so the rate changes at epoch boundaries):
//! - `constant`:    η = η₀
//! - `step`:        η = η₀ · γ^⌊e / every⌋          (γ = `factor`, every = `every_epochs`)
//! - `exponential`: η = η₀ · γ^e
//! - `cosine`:      η = η₀ · ½ (1 + cos(π · min(e, E) / E))   (E = `total_epochs`; 0 from E on)

use crate::error::{check_range, Result};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScheduleKind {
    #[default]
    Constant,
    Step,
    Exponential,
    Cosine,
}

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Schedule {
    pub kind: ScheduleKind,
    /// γ of `step` and `exponential`.
    pub factor: f64,
    /// How many epochs between two drops of `step`.
    pub every_epochs: u32,
    /// E of `cosine`.
    pub total_epochs: u32,
}

impl Default for Schedule {
    fn default() -> Self {
        Schedule { kind: ScheduleKind::Constant, factor: 0.5, every_epochs: 100, total_epochs: 1000 }
    }
}

impl Schedule {
    pub fn validate(&self) -> Result<()> {
        check_range("the schedule's factor", self.factor, 0.0, 1.0)?;
        check_range("the schedule's epochs between drops", f64::from(self.every_epochs), 1.0, 1e9)?;
        check_range("the schedule's total epochs", f64::from(self.total_epochs), 1.0, 1e9)
    }

    /// The learning rate after `epochs` completed epochs.
    pub fn rate(&self, base: f64, epochs: u64) -> f64 {
        let e = epochs as f64;
        match self.kind {
            ScheduleKind::Constant => base,
            ScheduleKind::Step => base * self.factor.powf((epochs / u64::from(self.every_epochs)) as f64),
            ScheduleKind::Exponential => base * self.factor.powf(e),
            ScheduleKind::Cosine => {
                let total = f64::from(self.total_epochs);
                base * 0.5 * (1.0 + (std::f64::consts::PI * e.min(total) / total).cos())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_schedule_by_hand() {
        let s = |kind| Schedule { kind, factor: 0.5, every_epochs: 10, total_epochs: 20 };
        assert_eq!(s(ScheduleKind::Constant).rate(0.1, 1000), 0.1);
        assert_eq!([9, 10, 25].map(|e| s(ScheduleKind::Step).rate(0.8, e)), [0.8, 0.4, 0.2]);
        assert_eq!(s(ScheduleKind::Exponential).rate(0.8, 3), 0.1);
        let cosine = s(ScheduleKind::Cosine);
        assert_eq!(cosine.rate(0.8, 0), 0.8);
        assert!((cosine.rate(0.8, 10) - 0.4).abs() < 1e-15);
        assert!(cosine.rate(0.8, 20).abs() < 1e-15 && cosine.rate(0.8, 50).abs() < 1e-15);
        assert!(Schedule { factor: 1.5, ..Schedule::default() }.validate().is_err());
        assert!(Schedule { every_epochs: 0, ..Schedule::default() }.validate().is_err());
    }
}
