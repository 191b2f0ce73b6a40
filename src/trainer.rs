//! The trainer: a network, its data, and the step-by-step state machine that runs it.
//!
//! It knows which phase comes next, takes mini-batches from the training data (reshuffled
//! each epoch with the run's one seeded RNG when `shuffle` is on), counts steps and epochs,
//! and guards against divergence. A step is refused with `Error::Diverged`, naming the rule:
//! - **non-finite**: any number it computes (z, a, the loss, δ, a gradient, a new parameter
//!   or optimizer state) is NaN or infinite. Each phase checks its own numbers as it writes
//!   them, so the check costs no extra pass and no allocation;
//! - **loss jump**: its batch loss L is more than `LOSS_JUMP_FACTOR` (10⁴) times the recent
//!   minimum m, the smallest batch loss of the last 32 to 64 steps: L > 10⁴ · max(m, 10⁻³)
//!   (the floor keeps a network that fits almost perfectly from being refused over the noise
//!   of one batch).
//!
//! A refused step changes no parameter, and empties the arrays it filled (no NaN stays in
//! what the page draws). When the rule fires in the forward or loss phase, the culprit is the
//! update before it, whose weights gave that loss: that update is taken back too (parameters
//! and optimizer state, and the step counter by one), so the network kept has a finite, sane
//! loss. Only one update can be taken back, and none after a hand edit, a reset, new data or
//! a restored state; the data's position moves on either way. The recent minimum starts
//! again after those (and a new batch size); a state restored from bytes (a link, a model
//! file) starts it afresh, one restored in memory (undo) keeps it.
//!
//! Conjugate gradient (`cg`) works on the whole training set: with it, every batch is all the
//! training points, whatever the batch size says (`batch_size` is then set aside, not changed,
//! and applies again when another optimizer is chosen).
//!
//! `step_phase` runs one phase; `step` finishes the current step; `train(n)` runs n steps.
//! All three call the same phase functions, so they give the same numbers to the last bit,
//! and none allocates once the first batch of a given size has been seen.

use crate::chain_rule::{self, ChainRule, ParamRef};
use crate::config::{check_batch_values, layer_name, NetworkConfig, StopRule, MAX_BATCH_VALUES, MAX_SAMPLES};
use crate::dataset::Dataset;
use crate::error::{DivergenceRule, Error, Result};
use crate::gradient_check::{self, GradientCheck};
use crate::layers::convolution::{KernelChainRule, KernelWeight};
use crate::layers::passes::{self, Wired};
use crate::layers::through_time::{self, RecurrentChainRule, RecurrentGeometry, StepNorms};
use crate::model_file;
use crate::network::{Layer, Network, Probe};
use crate::optimizer::{OptimizerConfig, OptimizerScalars};
use crate::phase::Phase;
use crate::regularization::Regularization;
use crate::rng::Rng;
use crate::schedule::Schedule;
use std::sync::Arc;

/// The most steps one `train` call may run (a call must return to let the page draw).
pub const MAX_STEPS_PER_CALL: u32 = 10_000_000;
/// Rows probed at once when computing the loss over a whole data set.
const PROBE_CHUNK: usize = 1024;
/// A step is refused when its batch loss is more than this many times the recent minimum
/// (the message writes it as 1e4).
pub const LOSS_JUMP_FACTOR: f64 = 1e4;
/// The recent minimum counts as at least this, so the rule only fires above 10 (see the docs).
pub const LOSS_JUMP_FLOOR: f64 = 1e-3;
/// The recent minimum is the smallest batch loss of the last one to two windows of this many steps.
const RECENT_STEPS: u32 = 32;

/// What the divergence rules remember between steps (see the module's docs).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DivergenceGuard {
    /// The smallest batch loss of the last full window of steps, and of the current one.
    older_min: f64,
    newer_min: f64,
    /// Steps in the current window.
    count: u32,
    /// The last update can be taken back: the network's previous arrays hold the state before it.
    can_take_back: bool,
}

impl Default for DivergenceGuard {
    fn default() -> Self {
        DivergenceGuard { older_min: f64::INFINITY, newer_min: f64::INFINITY, count: 0, can_take_back: false }
    }
}

impl DivergenceGuard {
    /// The smallest batch loss of the recent steps (infinite when none is known).
    pub fn recent_min(&self) -> f64 {
        self.older_min.min(self.newer_min)
    }

    fn jumped(&self, loss: f64) -> bool {
        loss > LOSS_JUMP_FACTOR * self.recent_min().max(LOSS_JUMP_FLOOR)
    }

    fn record(&mut self, loss: f64) {
        self.newer_min = self.newer_min.min(loss);
        self.count += 1;
        if self.count == RECENT_STEPS {
            (self.older_min, self.newer_min, self.count) = (self.newer_min, f64::INFINITY, 0);
        }
    }

    /// Forgets the recent losses and the update that could be taken back.
    fn forget(&mut self) {
        *self = DivergenceGuard::default();
    }
}

#[derive(Clone, Debug)]
pub struct Trainer {
    pub(crate) config: NetworkConfig,
    pub(crate) network: Network,
    pub(crate) train_set: Option<Dataset>,
    pub(crate) test_set: Option<Dataset>,
    pub(crate) rng: Rng,
    /// The epoch's order of the training points. Shared with saved states (undo steps keep
    /// it without copying it) and copied on write: only a reshuffle copies it.
    pub(crate) order: Arc<Vec<usize>>,
    pub(crate) cursor: usize,
    pub(crate) next_phase: Phase,
    pub(crate) steps: u64,
    pub(crate) epochs: u64,
    /// Why training stopped by itself (the stop rule), if it did.
    pub(crate) finished: Option<String>,
    pub(crate) probe: Probe,
    pub(crate) guard: DivergenceGuard,
}

/// Which data set a question is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Split {
    Train,
    Test,
}

impl Trainer {
    /// Validates the config and builds its network, drawing initial weights from its seed.
    pub fn new(config: NetworkConfig) -> Result<Trainer> {
        config.validate()?;
        let mut rng = Rng::new(config.seed);
        let network = Network::new(&config, &mut rng);
        Ok(Trainer {
            config,
            network,
            train_set: None,
            test_set: None,
            rng,
            order: Arc::default(),
            cursor: 0,
            next_phase: Phase::FIRST,
            steps: 0,
            epochs: 0,
            finished: None,
            probe: Probe::default(),
            guard: DivergenceGuard::default(),
        })
    }

    /// Builds a trainer from a model file (see `model_file`).
    pub fn from_model_json(text: &str) -> Result<Trainer> {
        Trainer::new(model_file::import(text)?)
    }

    /// The model file of the current network: settings and current weights.
    pub fn export_model_json(&self) -> String {
        model_file::export(&self.config, &self.network)
    }

    /// The settings in force (hyper-parameter changes included).
    pub fn config(&self) -> &NetworkConfig {
        &self.config
    }

    pub fn network(&self) -> &Network {
        &self.network
    }

    pub fn next_phase(&self) -> Phase {
        self.next_phase
    }

    /// Completed training steps (updates applied).
    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// Completed passes over the training data.
    pub fn epochs(&self) -> u64 {
        self.epochs
    }

    pub fn data(&self, split: Split) -> Option<&Dataset> {
        match split {
            Split::Train => self.train_set.as_ref(),
            Split::Test => self.test_set.as_ref(),
        }
    }

    /// Steps in one epoch with the current batch size (the last batch may be smaller).
    pub fn steps_per_epoch(&self) -> usize {
        self.train_set.as_ref().map_or(0, |d| d.len().div_ceil(self.batch_size()))
    }

    /// The samples a batch takes: the batch size, or every training point for an optimizer
    /// that needs the whole training set at once (conjugate gradient; see the module's docs).
    pub fn batch_size(&self) -> usize {
        match &self.train_set {
            Some(data) if self.config.optimizer.kind.needs_full_batch() => data.len(),
            _ => self.config.batch_size,
        }
    }

    /// Replaces the training (or test) data. Nothing changes if the data is invalid.
    /// New training data starts a new epoch and abandons a step in progress.
    pub fn set_data(&mut self, split: Split, inputs: Vec<f64>, targets: Vec<f64>) -> Result<()> {
        let data = Dataset::new(inputs, targets, self.network.inputs, self.network.outputs(), self.config.loss)?;
        match split {
            Split::Train => self.replace_training_set(data),
            Split::Test => self.test_set = Some(data),
        }
        Ok(())
    }

    /// Replaces the training set and the test set together (`test` None: no test set). Both are
    /// checked first, so a refusal changes neither.
    pub fn set_data_splits(&mut self, train: (Vec<f64>, Vec<f64>), test: Option<(Vec<f64>, Vec<f64>)>) -> Result<()> {
        let (n_in, n_out, loss) = (self.network.inputs, self.network.outputs(), self.config.loss);
        let test = match test {
            Some((x, y)) => Some(Dataset::new(x, y, n_in, n_out, loss).map_err(|e| match e {
                Error::InvalidData(why) => Error::InvalidData(format!("in the test set, {why}")),
                other => other,
            })?),
            None => None,
        };
        let train = Dataset::new(train.0, train.1, n_in, n_out, loss)?;
        self.replace_training_set(train);
        self.test_set = test;
        Ok(())
    }

    /// New training data starts a new epoch and abandons a step in progress.
    fn replace_training_set(&mut self, data: Dataset) {
        self.order = Arc::new((0..data.len()).collect());
        self.cursor = 0;
        self.next_phase = Phase::FIRST;
        self.train_set = Some(data);
        self.guard.forget();
    }

    /// Runs the next phase and returns it.
    pub fn step_phase(&mut self) -> Result<Phase> {
        let phase = self.next_phase;
        match phase {
            Phase::Forward(l) => {
                if l == 0 {
                    self.check_full_batch(self.config.optimizer)?;
                    self.load_next_batch()?;
                }
                self.draw_dropout_mask(l);
                if !self.network.forward_layer(l) {
                    let what = format!("z or a of {} became infinite or NaN", self.layer_name(l));
                    return Err(self.refuse(phase, DivergenceRule::NonFinite, what));
                }
            }
            Phase::Loss => {
                let loss = self.network.compute_loss();
                if !loss.is_finite() {
                    let what = format!("the loss became {}", describe(loss));
                    return Err(self.refuse(phase, DivergenceRule::NonFinite, what));
                }
                if self.guard.jumped(loss) {
                    let what = format!(
                        "the loss jumped to {:.1e}, more than 1e4 times its recent minimum of {:.1e}",
                        loss,
                        self.guard.recent_min()
                    );
                    return Err(self.refuse(phase, DivergenceRule::LossJump, what));
                }
                self.guard.record(loss);
            }
            Phase::Backward(l) => {
                if !self.network.backward_layer(l) {
                    let what = format!("a gradient of {} became infinite or NaN", self.layer_name(l));
                    return Err(self.refuse(phase, DivergenceRule::NonFinite, what));
                }
            }
            Phase::Update => {
                let optimizer = OptimizerConfig { learning_rate: self.learning_rate(), ..self.config.optimizer };
                let rule = optimizer.rule(self.steps + 1);
                if let Err(what) = self.network.update(&rule, &self.config.regularization) {
                    return Err(self.refuse(phase, DivergenceRule::NonFinite, what));
                }
                self.guard.can_take_back = true;
                self.steps += 1;
                if self.wrap_epoch(true) {
                    self.check_stop_rule();
                }
            }
        }
        self.next_phase = phase.next(self.network.layers.len());
        Ok(phase)
    }

    /// Runs phases until the current step's update is done; returns the step's batch loss.
    pub fn step(&mut self) -> Result<f64> {
        while self.step_phase()? != Phase::Update {}
        Ok(self.network.loss_value)
    }

    /// Runs `n` whole steps (finishing a step in progress counts as the first), or fewer if
    /// the stop rule ends training. Returns the last step's batch loss.
    pub fn train(&mut self, n: u32) -> Result<f64> {
        if n > MAX_STEPS_PER_CALL {
            return Err(Error::Limit(format!("train runs at most {MAX_STEPS_PER_CALL} steps per call, not {n}")));
        }
        for _ in 0..n {
            if self.finished.is_some() {
                break;
            }
            self.step()?;
        }
        Ok(self.network.loss_value)
    }

    /// Why training stopped by itself, if it did (`train` then runs no more steps; stepping
    /// by hand still works). Cleared by `reset` and `set_stop_rule`.
    pub fn finished(&self) -> Option<&str> {
        self.finished.as_deref()
    }

    pub fn set_stop_rule(&mut self, stop: StopRule) -> Result<()> {
        crate::error::check_range("the stopping loss", stop.below_loss, 0.0, 1e9)?;
        self.config.stop = stop;
        self.finished = None;
        Ok(())
    }

    pub fn set_schedule(&mut self, schedule: Schedule) -> Result<()> {
        schedule.validate()?;
        self.config.schedule = schedule;
        Ok(())
    }

    /// Sets the dropout probability of a hidden layer, from the next forward phase on.
    pub fn set_dropout(&mut self, layer: usize, probability: f64) -> Result<()> {
        let count = self.network.layers.len();
        if layer >= count - 1 {
            return Err(Error::OutOfRange(format!(
                "dropout is for hidden layers, and the network has {} of them",
                count - 1
            )));
        }
        crate::error::check_range(&format!("{}: dropout", layer_name(layer, count)), probability, 0.0, 0.9)?;
        self.network.layers[layer].dropout = probability;
        self.network.layers[layer].dropout_mask.fill(1.0);
        self.config.layers[layer].dropout = probability;
        Ok(())
    }

    /// The learning rate the next update uses: the base rate through the schedule.
    pub fn learning_rate(&self) -> f64 {
        self.config.schedule.rate(self.config.optimizer.learning_rate, self.epochs)
    }

    /// The learning rate of the current step's update: the one it used once it has run, else
    /// the one it will use. They differ after the last update of an epoch, which moved the
    /// epoch counter (and with it the schedule) on: `learning_rate` is then the next epoch's.
    pub fn update_learning_rate(&self) -> f64 {
        // The update has just run and the data is back at its start: it ended an epoch.
        let ended_epoch = self.steps > 0 && self.epochs > 0 && self.cursor == 0 && self.next_phase == Phase::FIRST;
        let epochs = if ended_epoch { self.epochs - 1 } else { self.epochs };
        self.config.schedule.rate(self.config.optimizer.learning_rate, epochs)
    }

    /// Starts again from fresh initial weights (with a new seed if given); data is kept.
    pub fn reset(&mut self, seed: Option<u32>) {
        if let Some(seed) = seed {
            self.config.seed = seed;
        }
        self.rng = Rng::new(self.config.seed);
        self.network = Network::new(&self.config, &mut self.rng);
        self.order = Arc::new((0..self.train_set.as_ref().map_or(0, Dataset::len)).collect());
        self.cursor = 0;
        self.next_phase = Phase::FIRST;
        self.steps = 0;
        self.epochs = 0;
        self.finished = None;
        self.guard.forget();
    }

    /// Puts back a config this trainer had before a live change (an undo step): the
    /// optimizer, regularization, schedule, stop rule, batch size, dropout and seed take its
    /// values, and the network's shape stays. The optimizer's moments, the dropout masks and
    /// the stop rule's verdict are not touched: restore the saved state after this.
    pub(crate) fn put_back_config(&mut self, config: &NetworkConfig) {
        for (layer, saved) in self.network.layers.iter_mut().zip(&config.layers) {
            layer.dropout = saved.dropout;
        }
        self.config.clone_from(config);
    }

    /// Changes the optimizer or its hyper-parameters from the next update on. The optimizer's
    /// state carries over unless the kind of optimizer changes. Conjugate gradient is refused
    /// when the whole training set is too large to be one batch of this network.
    pub fn set_optimizer(&mut self, optimizer: OptimizerConfig) -> Result<()> {
        optimizer.validate()?;
        self.config.check_optimizer_fits(&optimizer)?;
        self.check_full_batch(optimizer)?;
        if optimizer.kind != self.config.optimizer.kind {
            self.network.clear_optimizer_state();
            self.guard.can_take_back = false;
        }
        self.config.optimizer = optimizer;
        Ok(())
    }

    pub fn set_learning_rate(&mut self, learning_rate: f64) -> Result<()> {
        self.set_optimizer(OptimizerConfig { learning_rate, ..self.config.optimizer })
    }

    pub fn set_regularization(&mut self, regularization: Regularization) -> Result<()> {
        regularization.validate()?;
        self.config.regularization = regularization;
        Ok(())
    }

    /// Takes effect from the next batch (with conjugate gradient, once another optimizer is
    /// chosen: see `batch_size`).
    pub fn set_batch_size(&mut self, batch_size: usize) -> Result<()> {
        if !(1..=MAX_SAMPLES).contains(&batch_size) {
            return Err(Error::OutOfRange(format!("the batch size must be 1 to {MAX_SAMPLES}, not {batch_size}")));
        }
        check_batch_values(batch_size, self.network.total_units()).map_err(Error::OutOfRange)?;
        if batch_size != self.config.batch_size {
            // A summed loss grows with the batch: the recent losses are not comparable.
            self.guard.forget();
        }
        self.config.batch_size = batch_size;
        Ok(())
    }

    /// Sets one weight (`input` is Some) or bias (`input` is None) by hand; used from the next phase on.
    pub fn set_parameter(&mut self, param: ParamRef, value: f64) -> Result<()> {
        if !value.is_finite() {
            return Err(Error::OutOfRange(format!("a parameter must be a finite number, not {value}")));
        }
        let index = self.check_param(param)?;
        self.guard.forget();
        let layer = &mut self.network.layers[param.layer];
        match param.input {
            Some(_) => layer.weights[index] = value,
            None => layer.biases[index] = value,
        }
        Ok(())
    }

    /// The factors of one parameter's gradient for sample `sample` of the current batch.
    pub fn chain_rule(&self, param: ParamRef, sample: usize) -> Result<ChainRule> {
        self.check_param(param)?;
        chain_rule::explain(&self.network, &self.config, self.update_learning_rate(), param, sample)
    }

    /// The chain rule of one kernel weight of convolution layer `layer` (0 for the first layer)
    /// on the current batch: every position of every sample it was used at with its term
    /// δ · x̃, their sum and the reduced gradient, equal to the layer's `grad_weights` for it
    /// to the last bit (see `layers::passes::explain_kernel_weight`). The values are those of
    /// the last phases run, as in `chain_rule`.
    pub fn kernel_chain_rule(&self, layer: usize, weight: KernelWeight) -> Result<KernelChainRule> {
        let count = self.network.layers.len();
        let this = self.network.layers.get(layer).ok_or_else(|| {
            Error::OutOfRange(format!("there is no layer {} (the network has {count})", layer as u64 + 1))
        })?;
        let Wired::Convolution(g) = &this.wired else {
            return Err(Error::OutOfRange(format!(
                "{} is a {} layer: only a convolution has kernel weights",
                self.layer_name(layer),
                this.kind.name()
            )));
        };
        if weight.out_channel >= g.output.channels
            || weight.in_channel >= g.input.channels
            || weight.row >= g.kernel_height
            || weight.column >= g.kernel_width
        {
            return Err(Error::OutOfRange(format!(
                "the kernel of {} is {} × {} × {} × {}: it has no weight ({}, {}, {}, {})",
                self.layer_name(layer),
                g.output.channels,
                g.input.channels,
                g.kernel_height,
                g.kernel_width,
                weight.out_channel,
                weight.in_channel,
                weight.row,
                weight.column
            )));
        }
        let rows = self.network.batch_len;
        if rows == 0 {
            return Err(Error::OutOfRange("no step has run yet: run the forward and backward phases first".into()));
        }
        let input = if layer == 0 { &self.network.batch_input } else { &self.network.layers[layer - 1].activations };
        let scale = self.network.reduction.scale(rows);
        Ok(passes::explain_kernel_weight(g, &this.weights, input, &this.delta, rows, scale, weight))
    }

    /// The chain rule through time of one parameter of recurrent layer `layer`: hidden unit
    /// `row`'s weight from x_t,c (`column` c < C), from h_(t−1),k (`column` C + k, the order of
    /// the layer's weight rows) or its bias (`None`), on the current batch: every sample's term
    /// at every step, each step's sum, and the gradient the backward pass found (see
    /// `layers::through_time::explain`).
    pub fn recurrent_chain_rule(&self, layer: usize, row: usize, column: Option<usize>) -> Result<RecurrentChainRule> {
        let (g, this, input) = self.recurrent_layer(layer)?;
        if row >= g.hidden || column.is_some_and(|c| c >= g.row_len()) {
            return Err(Error::OutOfRange(format!(
                "{} has {} hidden units of {} weights each ({} from x_t, {} from h_(t−1)): it has no weight ({row}, {})",
                self.layer_name(layer),
                g.hidden,
                g.row_len(),
                g.inputs,
                g.hidden,
                column.map_or_else(|| "bias".into(), |c| c.to_string())
            )));
        }
        let rows = self.network.batch_len;
        let scale = self.network.reduction.scale(rows);
        let states = this.through_time.as_ref().expect("a recurrent layer keeps its states");
        Ok(through_time::explain(&g, &this.weights, &this.biases, input, states, rows, scale, row, column))
    }

    /// Each time step's share of recurrent layer `layer`'s gradients on the current batch: the
    /// norms of its terms of dL/dW_x, dL/dW_h and dL/db, and of δ_t (before clipping).
    pub fn recurrent_step_norms(&self, layer: usize) -> Result<StepNorms> {
        let (g, this, input) = self.recurrent_layer(layer)?;
        let rows = self.network.batch_len;
        let states = this.through_time.as_ref().expect("a recurrent layer keeps its states");
        Ok(through_time::step_norms(&g, input, states, rows, self.network.reduction.scale(rows)))
    }

    /// Recurrent layer `layer`'s geometry, the layer and its input on the current batch; an
    /// error when it is not a recurrent layer or no step has run.
    fn recurrent_layer(&self, layer: usize) -> Result<(RecurrentGeometry, &Layer, &[f64])> {
        let count = self.network.layers.len();
        let this = self.network.layers.get(layer).ok_or_else(|| {
            Error::OutOfRange(format!("there is no layer {} (the network has {count})", layer as u64 + 1))
        })?;
        let Wired::Recurrent(g) = this.wired else {
            return Err(Error::OutOfRange(format!(
                "{} is a {} layer: only a recurrent layer runs through time",
                self.layer_name(layer),
                this.kind.name()
            )));
        };
        if self.network.batch_len == 0 {
            return Err(Error::OutOfRange("no step has run yet: run the forward and backward phases first".into()));
        }
        if this.through_time.as_ref().is_some_and(|s| s.unknown) {
            return Err(Error::OutOfRange(
                "this step was opened from a saved state, which keeps no states through time: they are back after the next forward pass".into(),
            ));
        }
        let input = if layer == 0 { &self.network.batch_input } else { &self.network.layers[layer - 1].activations };
        Ok((g, this, input))
    }

    /// Compares every analytic gradient with a central finite difference on the current batch
    /// (or the first batch, if no step has run yet). Leaves the arrays as after a backward pass.
    pub fn gradient_check(&mut self) -> Result<GradientCheck> {
        if self.network.batch_len == 0 {
            let data = self.train_set.as_ref().ok_or(Error::NoData)?;
            let rows: Vec<usize> = (0..self.batch_size().min(data.len())).collect();
            self.network.load_batch(&data.inputs, &data.targets, &rows);
        }
        Ok(gradient_check::check(&mut self.network))
    }

    /// The loss over a whole data set (reduced like the batch loss), without touching the
    /// training arrays.
    pub fn dataset_loss(&mut self, split: Split) -> Result<f64> {
        let data = match split {
            Split::Train => self.train_set.as_ref().ok_or(Error::NoData)?,
            Split::Test => self.test_set.as_ref().ok_or_else(|| Error::OutOfRange("no test data is loaded".into()))?,
        };
        let (n_in, n_out) = (data.input_width, data.target_width);
        let output = self.network.layers.len() - 1;
        let mut total = 0.0;
        for start in (0..data.len()).step_by(PROBE_CHUNK) {
            let rows = PROBE_CHUNK.min(data.len() - start);
            self.network.probe(&data.inputs[start * n_in..(start + rows) * n_in], rows, &mut self.probe);
            for s in 0..rows {
                let span = s * n_out..(s + 1) * n_out;
                total += self.network.loss.sample_loss(
                    &self.probe.pre_activation[output][span.clone()],
                    &self.probe.activations[output][span],
                    data.target_row(start + s),
                );
            }
        }
        Ok(total * self.network.reduction.scale(data.len()))
    }

    /// Runs the network on `inputs` (rows × inputs) outside training; every layer's z and a
    /// are in the returned probe.
    pub fn probe(&mut self, inputs: &[f64]) -> Result<&Probe> {
        let n_in = self.network.inputs;
        if !inputs.len().is_multiple_of(n_in) || inputs.len() / n_in > MAX_SAMPLES {
            return Err(Error::InvalidData(format!(
                "probe inputs must be whole rows of {n_in} numbers, at most {MAX_SAMPLES} rows"
            )));
        }
        if inputs.iter().any(|x| !x.is_finite()) {
            return Err(Error::InvalidData("probe inputs must be finite numbers".into()));
        }
        check_batch_values(inputs.len() / n_in, self.network.total_units()).map_err(Error::InvalidData)?;
        self.network.probe(inputs, inputs.len() / n_in, &mut self.probe);
        Ok(&self.probe)
    }

    pub fn last_probe(&self) -> &Probe {
        &self.probe
    }

    /// The optimizer's network-wide numbers (conjugate gradient's; see `optimizer`).
    pub fn optimizer_scalars(&self) -> &OptimizerScalars {
        &self.network.optimizer_scalars
    }

    /// Refuses an optimizer that takes the whole training set as one batch (conjugate
    /// gradient) when that batch would be larger than a batch may be.
    fn check_full_batch(&self, optimizer: OptimizerConfig) -> Result<()> {
        let points = self.train_set.as_ref().map_or(0, Dataset::len);
        let units = self.network.total_units();
        if optimizer.kind.needs_full_batch() && check_batch_values(points, units).is_err() {
            return Err(Error::OutOfRange(format!(
                "conjugate gradient takes the whole training set as one batch, and {points} samples × {units} neurons is more than the {MAX_BATCH_VALUES} neuron values a batch may hold: use fewer training points, a smaller network or another optimizer"
            )));
        }
        Ok(())
    }

    /// Checks that a parameter exists and returns its index in its layer's array.
    fn check_param(&self, param: ParamRef) -> Result<usize> {
        let count = self.network.layers.len();
        let layer = self.network.layers.get(param.layer).ok_or_else(|| {
            // Numbered from 1 in words; u64 so that the largest index still gets its message.
            Error::OutOfRange(format!("there is no layer {} (the network has {count})", param.layer as u64 + 1))
        })?;
        let name = layer_name(param.layer, count);
        let (rows, row_len) = (layer.parameter_rows(), layer.row_len());
        if rows == 0 {
            return Err(Error::OutOfRange(format!("{name} is a {} layer: it has no weights", layer.kind.name())));
        }
        // A convolution's rows are its output channels, each a kernel of `row_len` weights.
        let (neurons, inputs) =
            if layer.kind.is_dense() { ("neuron", "input") } else { ("output channel", "kernel weight") };
        if param.neuron >= rows {
            return Err(Error::OutOfRange(format!("{name} has no {neurons} {} (it has {rows})", param.neuron)));
        }
        match param.input {
            Some(i) if i >= row_len => Err(Error::OutOfRange(format!("{name} has no {inputs} {i} (it has {row_len})"))),
            Some(i) => Ok(param.neuron * row_len + i),
            None if !layer.has_bias => Err(Error::OutOfRange(format!("{name} has its bias switched off"))),
            None => Ok(param.neuron),
        }
    }

    fn load_next_batch(&mut self) -> Result<()> {
        let data = self.train_set.as_ref().ok_or(Error::NoData)?;
        if self.cursor == 0 && self.config.shuffle {
            self.rng.shuffle(Arc::make_mut(&mut self.order).as_mut_slice());
        }
        let end = (self.cursor + self.batch_size()).min(data.len());
        self.network.load_batch(&data.inputs, &data.targets, &self.order[self.cursor..end]);
        self.cursor = end;
        Ok(())
    }

    /// After the last batch of the data, the next batch starts a new epoch. Returns whether
    /// an epoch was completed.
    fn wrap_epoch(&mut self, completed: bool) -> bool {
        if self.cursor >= self.order.len() {
            self.cursor = 0;
            if completed {
                self.epochs += 1;
                return true;
            }
        }
        false
    }

    fn check_stop_rule(&mut self) {
        let stop = self.config.stop;
        if stop.after_epochs > 0 && self.epochs >= stop.after_epochs {
            self.finished = Some(format!("stopped after {} epochs, as asked", self.epochs));
        } else if stop.below_loss > 0.0 {
            if let Ok(loss) = self.dataset_loss(Split::Train) {
                if loss < stop.below_loss {
                    self.finished = Some(format!(
                        "stopped after {} epochs: the training loss {loss:.4e} is below {:e}",
                        self.epochs, stop.below_loss
                    ));
                }
            }
        }
    }

    /// Draws layer `l`'s dropout mask for the batch (each neuron of each sample kept with
    /// probability 1 − p, then scaled by 1/(1 − p)).
    fn draw_dropout_mask(&mut self, l: usize) {
        let layer = &mut self.network.layers[l];
        let p = layer.dropout;
        if p > 0.0 {
            let kept = 1.0 / (1.0 - p);
            for m in &mut layer.dropout_mask {
                *m = if self.rng.next_f64() < p { 0.0 } else { kept };
            }
        }
    }

    fn layer_name(&self, l: usize) -> String {
        layer_name(l, self.network.layers.len())
    }

    /// Refuses the current step (a divergence rule fired in `phase`; see the module's docs).
    fn refuse(&mut self, phase: Phase, rule: DivergenceRule, what: String) -> Error {
        let step = self.steps + 1;
        // The forward and loss phases judge the weights the last update made.
        if matches!(phase, Phase::Forward(_) | Phase::Loss) && self.guard.can_take_back {
            self.network.take_back_update(self.config.optimizer.kind);
            self.steps -= 1;
        }
        self.guard.can_take_back = false;
        self.network.clear_step();
        self.next_phase = Phase::FIRST;
        self.wrap_epoch(false);
        Error::Diverged { step, what, rule, kept_step: self.steps }
    }
}

fn describe(x: f64) -> &'static str {
    if x.is_nan() {
        "NaN"
    } else {
        "infinite"
    }
}
