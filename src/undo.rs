//! Undo: going back over the last training actions, exactly, so that a student can watch a
//! backward pass again.
//!
//! Before each training action (a phase, a step, an epoch, a run of steps, a reset, a weight or
//! bias set by hand, a setting that goes to the running trainer) the session saves what the
//! action may change: the trainer's whole state (`Trainer::snapshot`: weights, optimizer
//! moments, step and epoch counters, random generator, epoch order, the step in progress), the
//! loss history and the position inside the step, and for a setting also the settings' network
//! part and the trainer's config. Undo puts the last one back, so the counters step back and
//! the next steps give the same numbers as the first time, to the last bit; redo goes forward
//! again until a new action is taken.
//!
//! Not covered: what the student looks at (the neuron or edge selected, the sample shown, the
//! view switches) stays as it is. Changes that rebuild the network or the data (a new shape,
//! new data, a lesson, a link, a model file, a CSV file, a drawn point) are not undone: they
//! empty the ring.
//!
//! Memory: at most `STEPS` saved states (undo and redo together) and at most `BYTES` counted
//! bytes of them (`Saved::bytes`), the oldest dropped first. The epoch's order (up to 100,000
//! indices, 800 KB) is shared between the trainer and the saved states (`Arc`) and copied only
//! when the trainer reshuffles, so the saved states of one epoch hold one copy of it. A state
//! larger than `BYTES` by itself (a large network with a batch of many thousand points) is not
//! kept: the ring empties and `undo` says why. The worst case is therefore `BYTES`, 32 MiB,
//! plus the allocator's own overhead, plus, while an action runs, the one state saved before it
//! (until the ring knows whether it fits). On the page's default network (2 → 4 → 4 → 1, batch 10,
//! 160 training points) a saved state counts about 17 KB, 10 KB of it the loss history, so 64
//! of them take about 1.1 MB; saving one costs about 1 µs natively, less than the training
//! step it comes with (`undo_cost` in tests/session.rs measures it).

use crate::config::NetworkConfig;
use crate::history::{History, CAPACITY};
use crate::session::Position;
use crate::snapshot::TrainerState;
use std::collections::VecDeque;
use std::sync::Arc;

/// Saved states kept, undo and redo together (at least 60: 50 phases and more).
pub const STEPS: usize = 64;
/// The most bytes the saved states may take together.
pub const BYTES: usize = 32 << 20;

/// The loss history as it was before an action. A training action appends at most one point,
/// so most saved states keep only the history's length (no copy, no allocation per frame of
/// training); a copy is kept when the action may thin the history out or replace it.
#[derive(Clone, Debug, PartialEq)]
pub enum SavedHistory {
    Prefix { len: usize, every: u64, last_step: Option<u64>, diverged_at: Option<u64> },
    Full(History),
}

impl SavedHistory {
    /// What to keep of `history` before an action (`replaces`: it may clear the history).
    pub fn of(history: &History, replaces: bool) -> SavedHistory {
        if replaces {
            SavedHistory::Full(history.clone())
        } else {
            SavedHistory::Prefix {
                len: history.len(),
                every: history.every,
                last_step: history.last_step,
                diverged_at: history.diverged_at,
            }
        }
    }

    /// Puts the history back as it was. Since it was saved, the actions undone only appended
    /// to it, or thinned it out once (the history kept the points from before the thinning).
    pub fn put_back(self, history: &mut History) {
        match self {
            SavedHistory::Full(saved) => *history = saved,
            SavedHistory::Prefix { len, every, last_step, diverged_at } => {
                if history.every != every {
                    if let Some(before) = history.unthinned.take() {
                        *history = *before;
                    }
                }
                for series in [&mut history.steps, &mut history.train, &mut history.test] {
                    series.truncate(len);
                }
                history.every = every;
                history.last_step = last_step;
                history.diverged_at = diverged_at;
            }
        }
    }

    fn bytes(&self) -> usize {
        match self {
            SavedHistory::Full(h) => 3 * (24 + 8 * CAPACITY.max(h.len())),
            SavedHistory::Prefix { .. } => 0,
        }
    }
}

/// What an action may change, saved before it ran.
#[derive(Clone, Debug)]
pub struct Saved {
    /// The action in words ("forward through layer 1", "200 steps"), for the message.
    pub what: String,
    pub state: TrainerState,
    pub history: SavedHistory,
    pub position: Position,
    /// Before a setting: the settings' network part and the trainer's config.
    pub configs: Option<Box<Configs>>,
    /// `bytes()`, counted once.
    size: usize,
}

/// The two copies of the network settings a live setting changes.
#[derive(Clone, Debug)]
pub struct Configs {
    /// `Settings::network`, what the student chose.
    pub settings: NetworkConfig,
    /// `Trainer::config`, what the trainer runs with.
    pub trainer: NetworkConfig,
}

impl Saved {
    pub fn new(
        what: String,
        state: TrainerState,
        history: SavedHistory,
        position: Position,
        configs: Option<Box<Configs>>,
    ) -> Saved {
        let config = |c: &NetworkConfig| {
            std::mem::size_of::<NetworkConfig>()
                + c.layers
                    .iter()
                    .map(|l| {
                        let given = l.weights.as_ref().map_or(0, |w| w.iter().map(|row| 24 + 8 * row.len()).sum());
                        std::mem::size_of_val(l) + given + l.biases.as_ref().map_or(0, |b| 24 + 8 * b.len())
                    })
                    .sum::<usize>()
        };
        let size = std::mem::size_of::<Saved>()
            + what.len()
            + state.bytes_without_order()
            + history.bytes()
            + configs.as_ref().map_or(0, |c| config(&c.settings) + config(&c.trainer));
        Saved { what, state, history, position, configs, size }
    }

    /// The bytes it takes, the epoch's order aside (the ring counts that once per copy): its
    /// arrays at 8 bytes a number, the loss history at its full capacity.
    pub fn bytes(&self) -> usize {
        self.size
    }
}

/// The saved states to go back to (`back`, the newest last) and forward to again (`forward`,
/// the next one last).
///
/// A copy of a ring is empty: saved states belong to the session they were taken in, so that
/// copying a session (an experiment's run) does not copy up to `BYTES` of them.
#[derive(Debug, Default)]
pub struct Ring {
    back: VecDeque<Saved>,
    forward: Vec<Saved>,
    /// The bytes of a state that was too large to keep, when the last action's was.
    refused: Option<usize>,
}

impl Clone for Ring {
    fn clone(&self) -> Self {
        Ring::default()
    }
}

impl Ring {
    /// How many actions can be undone.
    pub fn len(&self) -> usize {
        self.back.len()
    }

    pub fn is_empty(&self) -> bool {
        self.back.is_empty()
    }

    /// How many undone actions can be redone.
    pub fn redo_len(&self) -> usize {
        self.forward.len()
    }

    /// The bytes of the last state that was too large to keep, if the last action's was.
    pub fn refused(&self) -> Option<usize> {
        self.refused
    }

    pub fn clear(&mut self) {
        self.back.clear();
        self.forward.clear();
        self.refused = None;
    }

    /// Keeps the state saved before a new action; what was undone can no longer be redone.
    pub fn record(&mut self, saved: Saved) {
        self.forward.clear();
        self.refused = None;
        self.back.push_back(saved);
        self.fit(true);
    }

    /// The state before the last action, taken off the ring.
    pub fn take_back(&mut self) -> Option<Saved> {
        self.back.pop_back()
    }

    /// Keeps the state an undo left, to redo.
    pub fn put_forward(&mut self, saved: Saved) {
        self.forward.push(saved);
        self.fit(false);
    }

    /// The state the last undo left, taken off the ring.
    pub fn take_forward(&mut self) -> Option<Saved> {
        self.forward.pop()
    }

    /// Keeps the state a redo left, to undo again (what is left to redo stays).
    pub fn put_back(&mut self, saved: Saved) {
        self.back.push_back(saved);
        self.fit(true);
    }

    /// The bytes the saved states take: each one's own, and each copy of an epoch order once
    /// (neighbours in time that share one count it once; any other sharing is counted again,
    /// so this never counts less than there is).
    pub fn bytes(&self) -> usize {
        let mut total = 0;
        let mut last: Option<&Arc<Vec<usize>>> = None;
        for saved in self.back.iter().chain(self.forward.iter().rev()) {
            total += saved.bytes();
            let order = &saved.state.order;
            if !last.is_some_and(|l| Arc::ptr_eq(l, order)) {
                total += 40 + 8 * order.len();
            }
            last = Some(order);
        }
        total
    }

    /// Drops the oldest states until the ring fits `STEPS` and `BYTES`; the newest one (last
    /// in `back` if `newest_back`, else last in `forward`) goes last, and a newest one that is
    /// too large by itself empties the ring.
    fn fit(&mut self, newest_back: bool) {
        loop {
            let count = self.back.len() + self.forward.len();
            let bytes = self.bytes();
            if count <= STEPS && bytes <= BYTES {
                return;
            }
            let keep_back = usize::from(newest_back);
            if self.back.len() > keep_back {
                self.back.pop_front();
            } else if self.forward.len() > usize::from(!newest_back) {
                self.forward.remove(0);
            } else {
                self.clear();
                self.refused = Some(bytes);
                return;
            }
        }
    }
}
