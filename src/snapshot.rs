//! A trainer's whole state in the middle of training, so that a session can be saved (a link,
//! a model file, an undo step) and continued bit for bit.
//!
//! It holds what the next steps depend on (weights, the optimizer's state: every layer's
//! `Layer::optimizer_state` arrays and the network's `OptimizerScalars`, the step and epoch
//! counters, the random generator, the epoch's order and position, the phase that comes
//! next) and what the page shows of the step in progress (the batch, every layer's z, a, δ,
//! gradients, dropout masks and the last update). The settings (the optimizer and its η, the
//! schedule, …) and the data are not in it: they come from the session's settings.
//!
//! The byte form (`encode`/`decode`) is little-endian: counters, then each array as a mode
//! byte (0: all +0.0, 1: all 1.0, 2: the numbers follow) and its length, so unused moments
//! and masks cost a few bytes; the optimizer's scalars last, behind a byte (0: fresh, 1: they
//! follow). Version 1 (before Rprop and conjugate gradient) had no `moment3` arrays and no
//! scalars: it is still read, with those fresh.

use crate::error::{Error, Result};
use crate::network::Layer;
use crate::optimizer::{CgDirection, CgLineSearch, OptimizerScalars};
use crate::phase::Phase;
use crate::rng::Rng;
use crate::trainer::{DivergenceGuard, Trainer};
use std::sync::Arc;

/// Format of the byte form: 2 since the `moment3` arrays and the optimizer's scalars.
const VERSION: u8 = 2;
/// Arrays per layer in the byte form (version 1 had 17: no `moment3`).
const LAYER_ARRAYS: usize = 19;

#[derive(Clone, Debug)]
pub struct TrainerState {
    pub steps: u64,
    pub epochs: u64,
    pub next_phase: Phase,
    pub cursor: usize,
    /// The epoch's order, shared with the trainer until it reshuffles (so a snapshot does
    /// not copy up to 100,000 indices).
    pub order: Arc<Vec<usize>>,
    pub rng: [u64; 4],
    pub finished: Option<String>,
    pub batch_indices: Vec<usize>,
    pub loss_value: f64,
    pub updated_after_forward: bool,
    pub updated_after_backward: bool,
    /// batch_input, batch_target, sample_loss, grad_output.
    pub network_arrays: Vec<Vec<f64>>,
    /// Per layer, the arrays of `layer_arrays`, in its order.
    pub layer_arrays: Vec<Vec<Vec<f64>>>,
    /// The optimizer's network-wide numbers (conjugate gradient's).
    pub optimizer_scalars: OptimizerScalars,
    /// What the divergence rules remember (the recent losses), and what they need to take the
    /// last update back: each layer's `previous_moments` and the scalars before that update.
    /// Kept in memory only (undo): the byte form leaves them out, and a decoded state starts
    /// the rules afresh with no update to take back.
    pub guard: Option<Box<KeptForTheGuard>>,
}

/// The divergence rules' part of a state in memory (see `TrainerState::guard`).
#[derive(Clone, Debug)]
pub struct KeptForTheGuard {
    pub guard: DivergenceGuard,
    pub previous_moments: Vec<Vec<f64>>,
    pub previous_scalars: OptimizerScalars,
}

/// Every array of a layer that a saved state carries, in the byte form's order.
fn layer_arrays(layer: &Layer) -> [&Vec<f64>; LAYER_ARRAYS] {
    [
        &layer.weights,
        &layer.biases,
        &layer.previous_weights,
        &layer.previous_biases,
        &layer.moment1_weights,
        &layer.moment1_biases,
        &layer.moment2_weights,
        &layer.moment2_biases,
        &layer.moment3_weights,
        &layer.moment3_biases,
        &layer.update_weights,
        &layer.update_biases,
        &layer.grad_weights,
        &layer.grad_biases,
        &layer.dropout_mask,
        &layer.pre_activation,
        &layer.activations,
        &layer.grad_activation,
        &layer.delta,
    ]
}

fn layer_arrays_mut(layer: &mut Layer) -> [&mut Vec<f64>; LAYER_ARRAYS] {
    [
        &mut layer.weights,
        &mut layer.biases,
        &mut layer.previous_weights,
        &mut layer.previous_biases,
        &mut layer.moment1_weights,
        &mut layer.moment1_biases,
        &mut layer.moment2_weights,
        &mut layer.moment2_biases,
        &mut layer.moment3_weights,
        &mut layer.moment3_biases,
        &mut layer.update_weights,
        &mut layer.update_biases,
        &mut layer.grad_weights,
        &mut layer.grad_biases,
        &mut layer.dropout_mask,
        &mut layer.pre_activation,
        &mut layer.activations,
        &mut layer.grad_activation,
        &mut layer.delta,
    ]
}

/// The first 14 arrays are per parameter (weights-sized, then biases-sized, alternating),
/// the last 5 per sample (batch × units).
const PER_PARAMETER: usize = 14;
/// Where version 1 of the byte form lacks the two `moment3` arrays.
const MOMENT3_AT: usize = 8;

impl Trainer {
    /// The trainer's state now (see the module's docs).
    pub fn snapshot(&self) -> TrainerState {
        let n = &self.network;
        TrainerState {
            steps: self.steps,
            epochs: self.epochs,
            next_phase: self.next_phase,
            cursor: self.cursor,
            order: Arc::clone(&self.order),
            rng: self.rng.state(),
            finished: self.finished.clone(),
            batch_indices: n.batch_indices.clone(),
            loss_value: n.loss_value,
            updated_after_forward: n.updated_after_forward,
            updated_after_backward: n.updated_after_backward,
            network_arrays: vec![
                n.batch_input.clone(),
                n.batch_target.clone(),
                n.sample_loss.clone(),
                n.grad_output.clone(),
            ],
            layer_arrays: n.layers.iter().map(|l| layer_arrays(l).into_iter().cloned().collect()).collect(),
            optimizer_scalars: n.optimizer_scalars.clone(),
            guard: Some(Box::new(KeptForTheGuard {
                guard: self.guard,
                previous_moments: n.layers.iter().map(Layer::previous_moments_joined).collect(),
                previous_scalars: n.previous_scalars.clone(),
            })),
        }
    }

    /// Continues from a saved state. It must fit this trainer's network and training data
    /// (the same shape and number of points); otherwise nothing changes and the error says
    /// what does not fit.
    pub fn restore(&mut self, state: &TrainerState) -> Result<()> {
        self.check_state(state).map_err(|why| Error::InvalidModelFile(format!("the saved training state {why}")))?;
        let rng = Rng::from_state(state.rng).expect("checked");
        self.steps = state.steps;
        self.epochs = state.epochs;
        self.next_phase = state.next_phase;
        self.cursor = state.cursor;
        self.order = Arc::clone(&state.order);
        self.rng = rng;
        self.finished.clone_from(&state.finished);
        let n = &mut self.network;
        n.batch_len = state.batch_indices.len();
        n.batch_indices.clone_from(&state.batch_indices);
        n.loss_value = state.loss_value;
        n.updated_after_forward = state.updated_after_forward;
        n.updated_after_backward = state.updated_after_backward;
        for (target, source) in [&mut n.batch_input, &mut n.batch_target, &mut n.sample_loss, &mut n.grad_output]
            .into_iter()
            .zip(&state.network_arrays)
        {
            target.clone_from(source);
        }
        for (layer, arrays) in n.layers.iter_mut().zip(&state.layer_arrays) {
            for (target, source) in layer_arrays_mut(layer).into_iter().zip(arrays) {
                target.clone_from(source);
            }
        }
        // A recurrent layer's states through time are not saved: sized for the batch, marked
        // unknown until its next forward pass (its chain rule and bars say so meanwhile).
        for layer in &mut n.layers {
            if let (Some(states), crate::layers::passes::Wired::Recurrent(g)) = (&mut layer.through_time, &layer.wired)
            {
                states.resize(g, n.batch_len);
                states.unknown = true;
            }
        }
        n.optimizer_scalars.clone_from(&state.optimizer_scalars);
        let fits = |kept: &KeptForTheGuard| {
            kept.previous_moments.len() == n.layers.len()
                && n.layers.iter().zip(&kept.previous_moments).all(|(l, m)| l.previous_moments_len() == m.len())
        };
        match state.guard.as_deref().filter(|kept| fits(kept)) {
            Some(kept) => {
                for (layer, moments) in n.layers.iter_mut().zip(&kept.previous_moments) {
                    layer.set_previous_moments(moments);
                }
                n.previous_scalars.clone_from(&kept.previous_scalars);
                self.guard = kept.guard;
            }
            None => self.guard = DivergenceGuard::default(),
        }
        Ok(())
    }

    fn check_state(&self, state: &TrainerState) -> std::result::Result<(), String> {
        let n = &self.network;
        let points = self.train_set.as_ref().map_or(0, |d| d.len());
        if state.order.len() != points {
            return Err(format!("is for {} training points, and the data has {points}", state.order.len()));
        }
        let mut seen = vec![false; points];
        for &i in state.order.iter() {
            if i >= points || std::mem::replace(&mut seen[i], true) {
                return Err("has an epoch order that is not a permutation of the points".into());
            }
        }
        if state.cursor > points || state.batch_indices.iter().any(|&i| i >= points) {
            return Err("points past the end of the data".into());
        }
        if !state.next_phase.fits(n.layers.len()) {
            return Err("names a layer the network does not have".into());
        }
        if Rng::from_state(state.rng).is_none() {
            return Err("has a broken random generator state".into());
        }
        if state.layer_arrays.len() != n.layers.len() || state.network_arrays.len() != 4 {
            return Err(format!("is for {} layers, and the network has {}", state.layer_arrays.len(), n.layers.len()));
        }
        let batch = state.batch_indices.len();
        let (n_in, n_out) = (n.inputs, n.outputs());
        let network_lengths = [batch * n_in, batch * n_out, batch, batch * n_out];
        if state.network_arrays.iter().zip(network_lengths).any(|(a, len)| a.len() != len) {
            return Err("does not fit the network's batch arrays".into());
        }
        for (l, (layer, arrays)) in n.layers.iter().zip(&state.layer_arrays).enumerate() {
            // A layer's own parameter counts (a convolution's kernel and channel biases).
            let (params, biases) = (layer.weights.len(), layer.biases.len());
            let lengths = (0..LAYER_ARRAYS).map(|k| match k {
                k if k < PER_PARAMETER && k % 2 == 0 => params,
                k if k < PER_PARAMETER => biases,
                _ => batch * layer.units,
            });
            if arrays.len() != LAYER_ARRAYS || arrays.iter().zip(lengths).any(|(a, len)| a.len() != len) {
                return Err(format!("does not fit layer {} of the network", l + 1));
            }
        }
        Ok(())
    }
}

/// Two states are equal when their byte forms are: bit for bit, so NaN equals NaN.
impl PartialEq for TrainerState {
    fn eq(&self, other: &Self) -> bool {
        self.encode() == other.encode()
    }
}

impl TrainerState {
    /// The bytes its arrays take in memory, the epoch's order aside (that one is shared; see
    /// `order`): 8 per number or index, and a vector's own 24.
    pub fn bytes_without_order(&self) -> usize {
        let vec = |len: usize| 24 + 8 * len;
        let arrays: usize = self.network_arrays.iter().map(|a| vec(a.len())).sum::<usize>()
            + self.layer_arrays.iter().flatten().map(|a| vec(a.len())).sum::<usize>()
            + 24 * self.layer_arrays.len();
        std::mem::size_of::<TrainerState>()
            + arrays
            + vec(self.batch_indices.len())
            + self.finished.as_ref().map_or(0, String::len)
            + self.guard.as_ref().map_or(0, |kept| kept.previous_moments.iter().map(|m| vec(m.len())).sum())
    }

    /// The byte form (see the module's docs).
    pub fn encode(&self) -> Vec<u8> {
        self.encode_as(VERSION)
    }

    /// The byte form of `version` (1 leaves out the `moment3` arrays and the scalars, so it
    /// holds the state of an optimizer that uses neither).
    fn encode_as(&self, version: u8) -> Vec<u8> {
        let mut w = Writer(Vec::with_capacity(1024));
        w.u8(version);
        w.u64(self.steps);
        w.u64(self.epochs);
        let (kind, layer) = match self.next_phase {
            Phase::Forward(l) => (0, l),
            Phase::Loss => (1, 0),
            Phase::Backward(l) => (2, l),
            Phase::Update => (3, 0),
        };
        w.u8(kind);
        w.u32(layer as u32);
        w.u32(self.cursor as u32);
        w.indices(&self.order);
        for s in self.rng {
            w.u64(s);
        }
        match &self.finished {
            Some(why) => {
                w.u8(1);
                w.u32(why.len() as u32);
                w.0.extend_from_slice(why.as_bytes());
            }
            None => w.u8(0),
        }
        w.indices(&self.batch_indices);
        w.f64(self.loss_value);
        w.u8(u8::from(self.updated_after_forward) | u8::from(self.updated_after_backward) << 1);
        for a in &self.network_arrays {
            w.array(a);
        }
        w.u32(self.layer_arrays.len() as u32);
        for layer in &self.layer_arrays {
            for (k, a) in layer.iter().enumerate() {
                if version > 1 || !(MOMENT3_AT..MOMENT3_AT + 2).contains(&k) {
                    w.array(a);
                }
            }
        }
        if version > 1 {
            w.scalars(&self.optimizer_scalars);
        }
        w.0
    }

    /// Reads the byte form; the error says what is wrong with it.
    pub fn decode(bytes: &[u8]) -> std::result::Result<TrainerState, String> {
        let mut r = Reader { bytes, at: 0 };
        let version = r.u8()?;
        if !(1..=VERSION).contains(&version) {
            return Err("is of another version".into());
        }
        let steps = r.u64()?;
        let epochs = r.u64()?;
        let kind = r.u8()?;
        let layer = r.u32()? as usize;
        let next_phase = match kind {
            0 => Phase::Forward(layer),
            1 => Phase::Loss,
            2 => Phase::Backward(layer),
            3 => Phase::Update,
            _ => return Err("names an unknown phase".into()),
        };
        let cursor = r.u32()? as usize;
        let order = Arc::new(r.indices()?);
        let rng = [r.u64()?, r.u64()?, r.u64()?, r.u64()?];
        let finished = match r.u8()? {
            0 => None,
            _ => {
                let len = r.u32()? as usize;
                Some(String::from_utf8(r.take(len)?.to_vec()).map_err(|_| "holds text that is not UTF-8")?)
            }
        };
        let batch_indices = r.indices()?;
        let loss_value = r.f64()?;
        let flags = r.u8()?;
        let network_arrays = (0..4).map(|_| r.array()).collect::<std::result::Result<Vec<_>, _>>()?;
        let layers = r.u32()? as usize;
        if layers > 64 {
            return Err("has too many layers".into());
        }
        let stored = if version == 1 { LAYER_ARRAYS - 2 } else { LAYER_ARRAYS };
        let mut layer_arrays = (0..layers)
            .map(|_| (0..stored).map(|_| r.array()).collect::<std::result::Result<Vec<_>, _>>())
            .collect::<std::result::Result<Vec<_>, _>>()?;
        if version == 1 {
            // Fresh moment3 arrays, as long as the moment1 ones (weights, biases).
            for arrays in &mut layer_arrays {
                let fresh = [vec![0.0; arrays[4].len()], vec![0.0; arrays[5].len()]];
                arrays.splice(MOMENT3_AT..MOMENT3_AT, fresh);
            }
        }
        let optimizer_scalars = if version == 1 { OptimizerScalars::default() } else { r.scalars()? };
        if r.at != bytes.len() {
            return Err("has bytes left over".into());
        }
        Ok(TrainerState {
            steps,
            epochs,
            next_phase,
            cursor,
            order,
            rng,
            finished,
            batch_indices,
            loss_value,
            updated_after_forward: flags & 1 != 0,
            updated_after_backward: flags & 2 != 0,
            network_arrays,
            layer_arrays,
            optimizer_scalars,
            guard: None,
        })
    }
}

/// The byte codes of conjugate gradient's two enums: their position in these lists.
const CG_DIRECTIONS: [CgDirection; 7] = [
    CgDirection::None,
    CgDirection::First,
    CgDirection::Conjugate,
    CgDirection::NegativeBeta,
    CgDirection::PeriodicRestart,
    CgDirection::NotDescent,
    CgDirection::AfterFailedSearch,
];
const CG_LINE_SEARCHES: [CgLineSearch; 4] =
    [CgLineSearch::NotRun, CgLineSearch::Accepted, CgLineSearch::Failed, CgLineSearch::ZeroGradient];

fn code<T: PartialEq>(all: &[T], x: &T) -> u8 {
    all.iter().position(|a| a == x).unwrap_or(0) as u8
}

struct Writer(Vec<u8>);

impl Writer {
    fn u8(&mut self, x: u8) {
        self.0.push(x);
    }
    fn u32(&mut self, x: u32) {
        self.0.extend_from_slice(&x.to_le_bytes());
    }
    fn u64(&mut self, x: u64) {
        self.0.extend_from_slice(&x.to_le_bytes());
    }
    fn f64(&mut self, x: f64) {
        self.0.extend_from_slice(&x.to_le_bytes());
    }
    /// Indices: 0 for 0, 1, 2, … (an unshuffled order), else each one.
    fn indices(&mut self, items: &[usize]) {
        self.u32(items.len() as u32);
        if items.iter().enumerate().all(|(k, &i)| k == i) {
            self.u8(0);
        } else {
            self.u8(1);
            items.iter().for_each(|&i| self.u32(i as u32));
        }
    }
    fn scalars(&mut self, s: &OptimizerScalars) {
        if *s == OptimizerScalars::default() {
            return self.u8(0);
        }
        self.u8(1);
        self.u64(s.cg_since_restart);
        self.f64(s.cg_gradient_norm_squared);
        self.f64(s.cg_beta);
        self.u8(code(&CG_DIRECTIONS, &s.cg_direction));
        self.f64(s.cg_slope);
        self.f64(s.cg_step_length);
        self.u32(s.cg_trials);
        self.u8(code(&CG_LINE_SEARCHES, &s.cg_line_search));
        self.f64(s.cg_loss_before);
        self.f64(s.cg_loss_after);
        self.u64(s.cg_evaluations);
    }
    fn array(&mut self, a: &[f64]) {
        let mode = if a.iter().all(|x| x.to_bits() == 0) {
            0
        } else if a.iter().all(|&x| x == 1.0) {
            1
        } else {
            2
        };
        self.u8(mode);
        self.u32(a.len() as u32);
        if mode == 2 {
            a.iter().for_each(|&x| self.f64(x));
        }
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn take(&mut self, n: usize) -> std::result::Result<&[u8], String> {
        let end = self.at.checked_add(n).filter(|&e| e <= self.bytes.len()).ok_or("is cut short")?;
        let slice = &self.bytes[self.at..end];
        self.at = end;
        Ok(slice)
    }
    fn u8(&mut self) -> std::result::Result<u8, String> {
        Ok(self.take(1)?[0])
    }
    fn u32(&mut self) -> std::result::Result<u32, String> {
        Ok(u32::from_le_bytes(self.take(4)?.try_into().expect("4 bytes")))
    }
    fn u64(&mut self) -> std::result::Result<u64, String> {
        Ok(u64::from_le_bytes(self.take(8)?.try_into().expect("8 bytes")))
    }
    fn f64(&mut self) -> std::result::Result<f64, String> {
        Ok(f64::from_le_bytes(self.take(8)?.try_into().expect("8 bytes")))
    }
    /// A length, refused if the bytes left cannot hold that many items of `size` bytes.
    fn length(&mut self, size: usize) -> std::result::Result<usize, String> {
        let len = self.u32()? as usize;
        if size > 0 && len > (self.bytes.len() - self.at) / size {
            return Err("is cut short".into());
        }
        Ok(len)
    }
    fn indices(&mut self) -> std::result::Result<Vec<usize>, String> {
        let len = self.u32()? as usize;
        match self.u8()? {
            0 => Ok((0..len.min(crate::config::MAX_SAMPLES)).collect()),
            _ => {
                if len > (self.bytes.len() - self.at) / 4 {
                    return Err("is cut short".into());
                }
                (0..len).map(|_| self.u32().map(|i| i as usize)).collect()
            }
        }
    }
    fn scalars(&mut self) -> std::result::Result<OptimizerScalars, String> {
        if self.u8()? == 0 {
            return Ok(OptimizerScalars::default());
        }
        let unknown = || "names an unknown step of conjugate gradient".to_string();
        Ok(OptimizerScalars {
            cg_since_restart: self.u64()?,
            cg_gradient_norm_squared: self.f64()?,
            cg_beta: self.f64()?,
            cg_direction: *CG_DIRECTIONS.get(usize::from(self.u8()?)).ok_or_else(unknown)?,
            cg_slope: self.f64()?,
            cg_step_length: self.f64()?,
            cg_trials: self.u32()?,
            cg_line_search: *CG_LINE_SEARCHES.get(usize::from(self.u8()?)).ok_or_else(unknown)?,
            cg_loss_before: self.f64()?,
            cg_loss_after: self.f64()?,
            cg_evaluations: self.u64()?,
        })
    }
    fn array(&mut self) -> std::result::Result<Vec<f64>, String> {
        let mode = self.u8()?;
        let len = self.length(if mode == 2 { 8 } else { 0 })?;
        if len > 1 << 24 {
            return Err("holds an array too large".into());
        }
        match mode {
            0 => Ok(vec![0.0; len]),
            1 => Ok(vec![1.0; len]),
            2 => (0..len).map(|_| self.f64()).collect(),
            _ => Err("holds an array of unknown form".into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::NetworkConfig;
    use crate::optimizer::OptimizerKind;
    use crate::trainer::Split;

    fn trainer() -> Trainer {
        trainer_with(OptimizerKind::Adam)
    }

    fn trainer_with(kind: OptimizerKind) -> Trainer {
        let mut config = NetworkConfig::default();
        config.optimizer.kind = kind;
        config.layers[0].dropout = 0.25;
        config.batch_size = 3;
        let mut t = Trainer::new(config).unwrap();
        let x: Vec<f64> = (0..20).map(|i| (i as f64 * 0.37).sin()).collect();
        let y: Vec<f64> = (0..10).map(|i| f64::from(i % 2)).collect();
        t.set_data(Split::Train, x, y).unwrap();
        t
    }

    #[test]
    fn a_restored_trainer_continues_bit_for_bit_from_any_phase_with_every_optimizer() {
        for kind in OptimizerKind::ALL {
            for phases in [0, 1, 3, 6, 7, 13, 29] {
                let mut a = trainer_with(kind);
                for _ in 0..phases {
                    a.step_phase().unwrap();
                }
                let state = TrainerState::decode(&a.snapshot().encode()).unwrap();
                assert_eq!(state, a.snapshot());
                let mut b = trainer_with(kind);
                b.restore(&state).unwrap();
                for _ in 0..11 {
                    assert_eq!(a.step_phase().unwrap(), b.step_phase().unwrap());
                }
                a.train(7).unwrap();
                b.train(7).unwrap();
                assert_eq!(a.snapshot(), b.snapshot(), "{kind:?} after {phases} phases");
            }
        }
    }

    #[test]
    fn the_byte_form_holds_rprops_arrays_and_conjugate_gradients_scalars() {
        // Rprop's step sizes and decisions (moment2, moment3) and conjugate gradient's scalars
        // each change it.
        let mut rprop = trainer_with(OptimizerKind::Rprop);
        rprop.train(3).unwrap();
        for array in [6, 7, 8, 9] {
            let mut state = rprop.snapshot();
            state.layer_arrays[0][array][0] += 1.0;
            assert_ne!(state.encode(), rprop.snapshot().encode(), "array {array}");
        }
        let mut cg = trainer_with(OptimizerKind::Cg);
        cg.train(3).unwrap();
        assert_ne!(cg.network.optimizer_scalars, OptimizerScalars::default());
        let mut state = cg.snapshot();
        state.optimizer_scalars.cg_beta += 1.0;
        assert_ne!(TrainerState::decode(&state.encode()).unwrap().optimizer_scalars, cg.network.optimizer_scalars);
    }

    #[test]
    fn a_version_1_state_reads_with_fresh_moment3_and_scalars() {
        let mut a = trainer();
        a.train(4).unwrap();
        a.step_phase().unwrap();
        let state = a.snapshot();
        let old = state.encode_as(1);
        assert!(old.len() < state.encode().len());
        assert_eq!(TrainerState::decode(&old).unwrap(), state);
        let mut bad = state.encode();
        let last = bad.len() - 1;
        bad.truncate(last);
        bad.extend_from_slice(&[1, 0]);
        assert!(TrainerState::decode(&bad).is_err(), "scalars cut short");
    }

    #[test]
    fn a_state_that_does_not_fit_is_refused_and_changes_nothing() {
        let mut a = trainer();
        a.train(2).unwrap();
        let state = a.snapshot();
        let mut other = Trainer::new(NetworkConfig::default()).unwrap();
        other.set_data(Split::Train, vec![0.0; 8], vec![0.0; 4]).unwrap();
        let before = other.snapshot();
        assert!(other.restore(&state).unwrap_err().to_string().contains("10 training points"));
        assert_eq!(other.snapshot(), before);
        let bytes = state.encode();
        for cut in [0, 1, 9, bytes.len() / 2, bytes.len() - 1] {
            assert!(TrainerState::decode(&bytes[..cut]).is_err(), "cut at {cut}");
        }
    }
}
