//! The phases of one training step, in the order the canvas shows them:
//! forward through layer 1, 2, …, L; the loss; backward through layer L, L−1, …, 1; the update.
//!
//! Layer numbers here are indices into `Network::layers` (0 is the first layer after the inputs).

use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
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
    }
}
