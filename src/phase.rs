//! The phases of one training step, in the order the canvas shows them:
//! forward through layer 1, 2, …, L; the loss; backward through layer L, L−1, …, 1; the update.
//!
//! Layer numbers here are indices into `Network::layers` (0 is the first layer after the inputs).

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "layer", rename_all = "snake_case")]
pub enum Phase {
    Forward(usize),
    Loss,
    Backward(usize),
    Update,
}

impl Phase {
    pub const FIRST: Phase = Phase::Forward(0);

    /// The phase after this one in a network of `layer_count` layers (after the update, the
    /// next step's first forward phase).
    pub fn next(self, layer_count: usize) -> Phase {
        match self {
            Phase::Forward(l) if l + 1 < layer_count => Phase::Forward(l + 1),
            Phase::Forward(_) => Phase::Loss,
            Phase::Loss => Phase::Backward(layer_count - 1),
            Phase::Backward(0) => Phase::Update,
            Phase::Backward(l) => Phase::Backward(l - 1),
            Phase::Update => Phase::FIRST,
        }
    }

    /// How many phases one step has.
    pub fn count(layer_count: usize) -> usize {
        2 * layer_count + 2
    }

    /// "forward", "loss", "backward" or "update".
    pub fn kind(self) -> &'static str {
        match self {
            Phase::Forward(_) => "forward",
            Phase::Loss => "loss",
            Phase::Backward(_) => "backward",
            Phase::Update => "update",
        }
    }

    /// In words, layers numbered from 1: "forward through layer 2", "the loss", "the update".
    pub fn describe(self) -> String {
        match self {
            Phase::Forward(l) => format!("forward through layer {}", l + 1),
            Phase::Loss => "the loss".into(),
            Phase::Backward(l) => format!("backward through layer {}", l + 1),
            Phase::Update => "the update".into(),
        }
    }

    /// Where this phase comes in its step (0 for the first forward phase), in a network of
    /// `layer_count` layers.
    pub fn index(self, layer_count: usize) -> usize {
        match self {
            Phase::Forward(l) => l,
            Phase::Loss => layer_count,
            Phase::Backward(l) => 2 * layer_count - l,
            Phase::Update => 2 * layer_count + 1,
        }
    }

    /// The phases of one step, in order.
    pub fn all(layer_count: usize) -> Vec<Phase> {
        let mut phases = vec![Phase::FIRST];
        while phases.len() < Phase::count(layer_count) {
            let next = phases[phases.len() - 1].next(layer_count);
            phases.push(next);
        }
        phases
    }

    /// Whether this phase exists in a network of `layer_count` layers.
    pub fn fits(self, layer_count: usize) -> bool {
        self.layer().is_none_or(|l| l < layer_count)
    }

    pub fn layer(self) -> Option<usize> {
        match self {
            Phase::Forward(l) | Phase::Backward(l) => Some(l),
            Phase::Loss | Phase::Update => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_step_visits_every_phase_once_in_textbook_order() {
        let mut phases = vec![Phase::FIRST];
        while phases.len() < Phase::count(3) {
            phases.push(phases.last().unwrap().next(3));
        }
        use Phase::*;
        assert_eq!(phases, [Forward(0), Forward(1), Forward(2), Loss, Backward(2), Backward(1), Backward(0), Update]);
        assert_eq!(Update.next(3), Forward(0));
        assert_eq!(Forward(0).next(1), Loss);
        assert_eq!(Backward(0).next(1), Update);
        for (k, p) in Phase::all(3).into_iter().enumerate() {
            assert_eq!(p.index(3), k, "{p:?}");
        }
    }
}
