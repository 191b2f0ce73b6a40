//! The session: the one owner of what the page shows. It holds the settings, the data, the
//! trainer, the loss history, the lesson, and the position inside a step (which phase ran
//! last, which sample and which neuron or edge are shown).
//!
//! Everything that replaces or changes any of them goes through here, with one rule: a
//! refused change changes nothing and says why. `apply` takes a patch of settings by their
//! catalogue keys and decides per setting what it needs (`settings::Effect`): a live change
//! goes to the running trainer, a new shape rebuilds the network on the same data, new data
//! rebuilds both. Lessons, links, CSV files, drawn points and model files all end in the same
//! `build`. Each change answers with an `Outcome`: what changed (so the page repaints only
//! that) and what to tell the student.
//!
//! Before each training action (a phase, a step, an epoch, a run of steps, a reset, a hand
//! edit, a live setting) the session saves what the action may change, so that `undo` can go
//! back to it bit for bit (see `undo`); a rebuild empties what was saved.

use crate::chain_rule::{ChainRule, ParamRef};
use crate::checkpoint::{self, Checkpoint, Verdict};
use crate::computation_graph::ComputationGraph;
use crate::csv::CsvOptions;
use crate::data::{Data, Target};
use crate::error::{short, Error, Result};
use crate::features::Feature;
use crate::generators::Problem;
use crate::history::History;
use crate::layers::convolution::{KernelChainRule, KernelWeight};
use crate::layers::through_time::{RecurrentChainRule, StepNorms};
use crate::metrics::{self, Metrics};
use crate::phase::Phase;
use crate::presets::{self, Samples};
use crate::settings::{self, fit_output, Effect, Settings, SharedPoints};
use crate::share;
use crate::snapshot::TrainerState;
use crate::tour::{self, Place, Stop, Tour};
use crate::trainer::{Split, Trainer};
use crate::undo::{self, Configs, Ring, Saved};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

/// Points drawn by hand are rounded to this many decimals, so that they read well in a file.
const DRAWN_DECIMALS: i32 = 3;
/// Custom points up to this many can be drawn onto (more come from files only).
pub const MAX_DRAWN_POINTS: usize = 5_000;

/// A neuron (layer −1 is the inputs) or an edge (the weight from `input` to `neuron`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Selection {
    Neuron { layer: i32, neuron: usize },
    Edge { layer: i32, neuron: usize, input: usize },
}

/// Where the student is inside a step, and what the view points at.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Position {
    /// The phase run last in the current step (None: nothing of this step yet).
    pub last: Option<Phase>,
    /// The last update ended a run of several steps at once, so there is no single update to
    /// show as old → new.
    pub whole: bool,
    /// A weight or bias was set by hand since the last phase: the numbers of the last update
    /// no longer describe the weights on screen.
    pub edited: bool,
    /// The batch sample shown on the network and in the inspector.
    pub sample: usize,
    pub selection: Option<Selection>,
}

/// Where the data came from.
#[derive(Clone, Debug, PartialEq)]
enum Origin {
    /// A built-in problem, made from the settings' data spec.
    Generated,
    /// Points from a file, drawn by hand or from a link, kept in their order.
    Custom { label: String, points: SharedPoints },
    /// A lesson's exact samples (no points, no features).
    Samples,
}

/// What a change did: the names of what changed (`settings`, `weights`, `network`, `data`,
/// `history`, `position`, `view`), and what to tell the student.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Outcome {
    pub changed: Vec<&'static str>,
    pub message: Option<String>,
    /// Parts of a link or file that could not be read and fell back to defaults.
    pub warnings: Vec<String>,
}

impl Outcome {
    fn new(changed: &[&'static str], message: Option<String>) -> Outcome {
        Outcome { changed: changed.to_vec(), message, warnings: Vec::new() }
    }
}

const ALL: &[&str] = &["settings", "weights", "network", "data", "history", "position", "view"];

/// The data as the views need it: what it is, its size, and the plotting domain.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DataInfo {
    /// `generated`, `custom` or `samples`.
    pub origin: &'static str,
    /// The problem's name, or `custom` / `samples`.
    pub name: String,
    pub label: String,
    /// `classification`, `regression` or `samples`.
    pub kind: &'static str,
    pub classes: usize,
    pub dims: usize,
    pub inputs: usize,
    pub outputs: usize,
    /// The name of each network input ("x₁", "sin x₁", a CSV column).
    pub input_labels: Vec<String>,
    pub features: Vec<Feature>,
    pub headers: Vec<String>,
    pub train_points: usize,
    pub test_points: usize,
    /// The square (or, for 1-D data, the x range) the output plane shows.
    pub domain: [f64; 2],
    /// The y range of a 1-D curve.
    pub y_domain: [f64; 2],
    /// Counts every change of the data, so views know when to recompute.
    pub version: u32,
    /// Width and height when every point is an image (the digits, the shapes).
    pub image: Option<crate::data::ImageShape>,
    /// `labels`, or `inputs` for an autoencoder.
    pub target: Target,
    /// The name of each class ("0" … "9" for the digits, the shapes' names).
    pub class_names: Vec<String>,
}

/// A link to the session and what it holds.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Link {
    pub query: String,
    /// Whether the link carries the training state (the next steps then replay exactly).
    pub complete: bool,
    pub note: String,
}

#[derive(Clone, Debug)]
pub struct Session {
    settings: Settings,
    origin: Origin,
    samples: Option<Samples>,
    data: Option<Data>,
    trainer: Trainer,
    history: History,
    position: Position,
    lesson_variant: Option<usize>,
    domain: ([f64; 2], [f64; 2]),
    data_version: u32,
    network_version: u32,
    /// The states before the last training actions (see `undo`); a rebuild empties it.
    undo: Ring,
    /// Only phases and steps have run since the lesson was loaded, so stepping on reaches a
    /// tour's numbers (a hand edit, a setting, a reset or an undo clears it).
    on_lesson_path: bool,
}

impl Default for Session {
    fn default() -> Self {
        Session::new()
    }
}

impl Session {
    /// The page's first screen (see `Settings::default`).
    pub fn new() -> Session {
        Session::build(Settings::default(), None, Origin::Generated, false).expect("the default settings build")
    }

    /// A session of these settings (with a lesson's exact samples if given).
    pub fn from_settings(settings: Settings, samples: Option<Samples>) -> Result<Session> {
        let origin = match (&samples, &settings.points) {
            (Some(_), _) => Origin::Samples,
            (None, Some(points)) => Origin::Custom { label: "the link's points".into(), points: points.clone() },
            (None, None) => Origin::Generated,
        };
        let mut settings = settings;
        settings.points = None;
        Session::build(settings, samples, origin, false)
    }

    /// Makes the data the origin describes (through the settings' features and scaling), a
    /// network for it and a trainer loaded with it. `fit_kind`: choose the output layer and
    /// loss for the data (after a change of the kind of data).
    fn build(mut settings: Settings, samples: Option<Samples>, origin: Origin, fit_kind: bool) -> Result<Session> {
        let data = match &origin {
            Origin::Generated => Some(Data::generate(&settings.data)?),
            Origin::Custom { points, .. } => {
                Some(Data::from_shared(points, settings.data.test_ratio, settings.data.seed)?)
            }
            Origin::Samples => None,
        };
        let data = match data {
            Some(mut data) => {
                let dims = data.train.dims;
                if dims <= 2 {
                    settings.features = settings::usable_features(&settings.features, dims);
                    data.set_features(settings.features.clone())?;
                }
                data.set_scaling(settings.scaling)?;
                if settings.network.inputs != data.input_width() {
                    // Weights given for another input width (a lesson's) do not fit: fresh ones.
                    settings.network.inputs = data.input_width();
                    if let Some(first) = settings.network.layers.first_mut() {
                        first.weights = None;
                    }
                    settings::fit_sequence_shape(&mut settings.network);
                }
                data.set_target(settings.target);
                let (fitted_classes, outputs) =
                    settings::outputs_for(settings.target, data.train.classes, data.input_width());
                if fit_kind {
                    fit_output(&mut settings.network, fitted_classes, outputs);
                } else if let Some(out) = settings.network.layers.last_mut() {
                    if out.units != outputs {
                        return Err(Error::InvalidConfig(format!(
                            "the data needs {outputs} output neuron(s), and the network has {}",
                            out.units
                        )));
                    }
                }
                Some(data)
            }
            None => None,
        };
        let trainer = presets::train_on(&settings.network, data.as_ref(), samples.as_ref())?;
        let mut session = Session {
            settings,
            origin,
            samples,
            data,
            trainer,
            history: History::default(),
            position: Position::default(),
            lesson_variant: None,
            domain: ([0.0, 1.0], [0.0, 1.0]),
            data_version: 0,
            network_version: 0,
            undo: Ring::default(),
            on_lesson_path: false,
        };
        session.domain = session.compute_domain();
        session.history.record(&mut session.trainer, true);
        Ok(session)
    }

    /// Takes `next`'s network, data and history, keeping the counters moving so that views
    /// notice the change.
    fn replace(&mut self, mut next: Session, data_changed: bool) {
        next.data_version = self.data_version + u32::from(data_changed);
        next.network_version = self.network_version + 1;
        if next.position.selection.is_none() {
            next.position.selection = self.position.selection.filter(|s| next.selection_fits(s));
        }
        *self = next;
    }

    // ---- reading ------------------------------------------------------------------------

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    pub fn trainer(&self) -> &Trainer {
        &self.trainer
    }

    pub fn history(&self) -> &History {
        &self.history
    }

    pub fn position(&self) -> &Position {
        &self.position
    }

    pub fn data(&self) -> Option<&Data> {
        self.data.as_ref()
    }

    pub fn lesson_variant(&self) -> Option<usize> {
        self.lesson_variant
    }

    /// Counts changes of the network (shape or a fresh build).
    pub fn network_version(&self) -> u32 {
        self.network_version
    }

    /// How many phases of the current step have run (0 to phases per step).
    pub fn progress(&self) -> usize {
        let layers = self.trainer.network().layers.len();
        self.position.last.map_or(0, |p| p.index(layers) + 1)
    }

    /// Whether `phase` has run in the current step (after whole steps, all have).
    pub fn done(&self, phase: Phase) -> bool {
        phase.index(self.trainer.network().layers.len()) < self.progress()
    }

    /// The learning rate the next update uses: the engine's, through the schedule.
    pub fn learning_rate(&self) -> f64 {
        self.trainer.learning_rate()
    }

    /// The learning rate of the current step's update (the one it used, once it has run): what
    /// the update caption and the inspector show beside that update's numbers.
    pub fn update_learning_rate(&self) -> f64 {
        self.trainer.update_learning_rate()
    }

    /// Each setting's value, whether its control is shown, and bounds that depend on the
    /// data (the batch size goes up to the number of training points; `in_use` is the batch
    /// the trainer takes, which conjugate gradient makes all of them).
    pub fn control_state(&self) -> Value {
        let mut values = Map::new();
        let samples = self.origin == Origin::Samples;
        let dims = self.data.as_ref().map_or(0, |d| d.train.dims);
        for setting in settings::CATALOGUE {
            let mut value = setting.get(&self.settings);
            let mut shown = setting.shown(&self.settings);
            let mut entry = Map::new();
            match setting.key {
                "problem" => match &self.origin {
                    Origin::Custom { .. } => value = json!("custom"),
                    Origin::Samples => value = json!("samples"),
                    Origin::Generated => {}
                },
                "points" | "noise" => shown &= self.origin == Origin::Generated,
                "test" | "dseed" => shown &= !samples,
                "features" => {
                    shown &= !samples && dims <= 2;
                    if dims == 1 {
                        let off: Vec<Feature> = Feature::ALL
                            .into_iter()
                            .filter(|f| !settings::usable_features(&[*f], 1).contains(f))
                            .collect();
                        entry.insert("disabled".into(), json!(off));
                    }
                }
                "scaling" => shown &= !samples,
                "batch" => {
                    let points = self.trainer.data(Split::Train).map_or(1, |d| d.len());
                    entry.insert("max".into(), json!(points.min(crate::config::MAX_SAMPLES)));
                    // The samples a batch takes now (all of them with conjugate gradient).
                    entry.insert("in_use".into(), json!(self.trainer.batch_size().min(points)));
                }
                _ => {}
            }
            entry.insert("value".into(), value);
            entry.insert("shown".into(), json!(shown));
            values.insert(setting.key.into(), Value::Object(entry));
        }
        Value::Object(values)
    }

    /// The data as the views need it.
    pub fn data_info(&self) -> DataInfo {
        let network = self.trainer.network();
        let (origin, name, label) = match &self.origin {
            Origin::Generated => {
                let name = share::name(&self.settings.data.problem);
                let label = settings::choice_label("problem", &name).unwrap_or("").to_string();
                ("generated", name, label)
            }
            Origin::Custom { label, .. } => ("custom", "custom".into(), label.clone()),
            Origin::Samples => ("samples", "samples".into(), "the lesson's samples".into()),
        };
        let (classes, dims, features, headers, train, test) = match &self.data {
            Some(d) => {
                (d.train.classes, d.train.dims, d.features().to_vec(), d.headers.clone(), d.train.len(), d.test.len())
            }
            None => {
                let rows = self.samples.as_ref().map_or(0, |s| s.targets.len() / network.outputs().max(1));
                let binary = self.samples_are_binary();
                (usize::from(binary) * 2, network.inputs, Vec::new(), Vec::new(), rows, 0)
            }
        };
        let target = self.data.as_ref().map_or(Target::Labels, Data::target);
        let kind = match (&self.data, classes) {
            _ if target == Target::Inputs => "reconstruction",
            (None, 0) => "samples",
            (_, 0) => "regression",
            _ => "classification",
        };
        let input_labels = match &self.data {
            Some(d) if dims <= 2 => d.features().iter().map(|f| f.label().to_string()).collect(),
            Some(d) => d.headers.iter().take(dims).cloned().collect(),
            None => (0..network.inputs).map(crate::notation::input_name).collect(),
        };
        DataInfo {
            origin,
            name,
            label,
            kind,
            classes,
            dims,
            inputs: network.inputs,
            outputs: network.outputs(),
            input_labels,
            features,
            headers,
            train_points: train,
            test_points: test,
            domain: self.domain.0,
            y_domain: self.domain.1,
            version: self.data_version,
            image: self.data.as_ref().and_then(|d| d.image_shape),
            target,
            class_names: class_names(self.settings.data.problem, classes, self.origin == Origin::Generated),
        }
    }

    /// The raw coordinates of a set (points × dims) for plotting; a lesson's samples are
    /// their inputs.
    pub fn coords(&self, test: bool) -> Vec<f64> {
        match (&self.data, &self.samples) {
            (Some(d), _) => d.points(split(test)).coords.clone(),
            (None, Some(s)) if !test => s.inputs.clone(),
            _ => Vec::new(),
        }
    }

    /// The labels of a set (a class index or a value); a lesson's samples give their first target.
    pub fn labels(&self, test: bool) -> Vec<f64> {
        match (&self.data, &self.samples) {
            (Some(d), _) => d.points(split(test)).labels.clone(),
            (None, Some(s)) if !test => {
                s.targets.iter().step_by(self.trainer.network().outputs().max(1)).copied().collect()
            }
            _ => Vec::new(),
        }
    }

    /// The network inputs of a grid over [x0, x1] × [y0, y1] (top row first), through the
    /// data's features and scaling; for 1-D data, `resolution` points over [x0, x1].
    pub fn grid_inputs(&self, x: (f64, f64), y: (f64, f64), resolution: usize) -> Result<Vec<f64>> {
        if !(2..=512).contains(&resolution) {
            return Err(Error::Limit(format!("the grid resolution must be 2 to 512, not {resolution}")));
        }
        match &self.data {
            Some(d) => d.inputs_of(&d.grid(x, y, resolution)),
            None => {
                let inputs = self.trainer.network().inputs;
                let step = |(lo, hi): (f64, f64), i: usize| lo + (hi - lo) * i as f64 / (resolution - 1) as f64;
                if inputs == 1 {
                    return Ok((0..resolution).map(|i| step(x, i)).collect());
                }
                let mut out = Vec::with_capacity(resolution * resolution * inputs);
                for row in 0..resolution {
                    for col in 0..resolution {
                        out.push(step(x, col));
                        out.push(step((y.1, y.0), row));
                        out.extend(std::iter::repeat_n(0.0, inputs - 2));
                    }
                }
                Ok(out)
            }
        }
    }

    /// Accuracy and more (classification) or RMSE and R² (regression) on the test points
    /// (`test`) or the training points; None for a lesson's samples.
    pub fn metrics(&mut self, test: bool) -> Result<Option<Metrics>> {
        let Some(data) = &self.data else { return Ok(None) };
        let points = data.points(split(test));
        if points.is_empty() {
            return Err(Error::NoData);
        }
        let inputs = data.inputs(split(test))?;
        let (labels, classes) = (points.labels.clone(), points.classes);
        let outputs = self.trainer.network().outputs();
        let targets = (data.target() == Target::Inputs).then(|| data.targets(split(test), outputs)).transpose()?;
        let probe = self.trainer.probe(&inputs)?;
        let last = probe.activations.last().expect("a network has an output layer");
        Ok(Some(if let Some(targets) = targets {
            metrics::reconstruction(last, &targets, outputs)
        } else if classes == 0 {
            metrics::regression(last, &labels)
        } else {
            metrics::classification(last, outputs, &labels, classes)
        }))
    }

    /// The activations of layer `layer` (the last: the outputs) for rows of raw coordinates
    /// (rows × dims, as `coords` gives them: a digit drawn by hand, the test images), through
    /// the data's features and scaling, without training: rows × that layer's units.
    pub fn activations_of(&mut self, coords: &[f64], layer: usize) -> Result<Vec<f64>> {
        let data = self.data.as_ref().ok_or(Error::NoData)?;
        let layers = self.trainer.network().layers.len();
        if layer >= layers {
            return Err(Error::OutOfRange(format!("the network has layers 0 to {}, not {layer}", layers - 1)));
        }
        let dims = data.train.dims;
        if coords.is_empty() || !coords.len().is_multiple_of(dims) {
            return Err(Error::InvalidData(format!(
                "points of this data have {dims} coordinates each, and {} numbers are not whole points",
                coords.len()
            )));
        }
        if coords.len() / dims > crate::config::MAX_SAMPLES {
            return Err(Error::Limit(format!("at most {} points at a time", crate::config::MAX_SAMPLES)));
        }
        if let Some(bad) = coords.iter().find(|c| !c.is_finite() || c.abs() > crate::points::MAX_COORDINATE) {
            return Err(Error::InvalidData(format!(
                "coordinates must be finite numbers from −1e15 to 1e15, not {bad:.1e}"
            )));
        }
        let inputs = data.inputs_of(coords)?;
        Ok(self.trainer.probe(&inputs)?.activations[layer].clone())
    }

    /// The factors of a parameter's gradient for the batch sample shown.
    pub fn chain_rule(&self, param: ParamRef) -> Result<ChainRule> {
        let batch = self.trainer.network().batch_len.max(1);
        self.trainer.chain_rule(param, self.position.sample.min(batch - 1))
    }

    /// The chain rule of one kernel weight of a convolution layer over the batch (see
    /// `Trainer::kernel_chain_rule`).
    pub fn kernel_chain_rule(&self, layer: usize, weight: KernelWeight) -> Result<KernelChainRule> {
        self.trainer.kernel_chain_rule(layer, weight)
    }

    /// The chain rule of one of recurrent layer `layer`'s weights (`column` of row `row`; its
    /// bias for None) through time over the batch (see `Trainer::recurrent_chain_rule`).
    pub fn recurrent_chain_rule(&self, layer: usize, row: usize, column: Option<usize>) -> Result<RecurrentChainRule> {
        self.trainer.recurrent_chain_rule(layer, row, column)
    }

    /// Each time step's share of recurrent layer `layer`'s gradients on the current batch.
    pub fn recurrent_step_norms(&self, layer: usize) -> Result<StepNorms> {
        self.trainer.recurrent_step_norms(layer)
    }

    /// The computation graph of batch sample `sample` (see `computation_graph`): the numbers
    /// of the phases run so far in this step, None for the others.
    pub fn computation_graph(&self, sample: usize) -> Result<ComputationGraph> {
        let batch = self.trainer.network().batch_len;
        if batch > 0 && sample >= batch {
            return Err(Error::OutOfRange(format!("the batch has {batch} samples, so there is no sample {sample}")));
        }
        let network = self.trainer.network();
        network.dense_only("the computation graph", 0..network.layers.len())?;
        Ok(crate::computation_graph::build(network, sample, &|phase| self.done(phase)))
    }

    /// Runs the network on rows of inputs without training (heatmaps).
    pub fn probe(&mut self, inputs: &[f64]) -> Result<usize> {
        self.trainer.probe(inputs).map(|p| p.rows)
    }

    /// The network's outputs ŷ for every point of the training set (or the test set), row by
    /// row (points × outputs) in the set's order: for a lesson's exact samples, one row per
    /// sample (the XOR lesson's four final outputs).
    pub fn outputs(&mut self, test: bool) -> Result<Vec<f64>> {
        let set = match split(test) {
            Split::Train => self.trainer.data(Split::Train).ok_or(Error::NoData)?,
            Split::Test => {
                self.trainer.data(Split::Test).ok_or_else(|| Error::OutOfRange("no test data is loaded".into()))?
            }
        };
        let inputs = set.inputs.clone();
        let probe = self.trainer.probe(&inputs)?;
        Ok(probe.activations.last().cloned().unwrap_or_default())
    }

    /// The loss over a whole set.
    pub fn dataset_loss(&mut self, test: bool) -> Result<f64> {
        self.trainer.dataset_loss(split(test))
    }

    // ---- training -----------------------------------------------------------------------

    /// Runs the next phase. After an update, the loss history gets its point.
    pub fn step_phase(&mut self) -> Result<Phase> {
        let saved = self.save(self.trainer.next_phase().describe(), false);
        let result = match self.trainer.step_phase() {
            Ok(phase) => {
                self.position.last = Some(phase);
                self.position.whole = false;
                self.position.edited = false;
                if phase == Phase::Update {
                    self.history.record(&mut self.trainer, true);
                }
                Ok(phase)
            }
            Err(e) => Err(self.after_divergence(e)),
        };
        self.keep(saved, &result);
        result
    }

    /// Finishes the current step (or runs a whole one); returns its batch loss.
    pub fn step(&mut self) -> Result<f64> {
        let saved = self.save("a training step".into(), false);
        let result = self.trainer.step();
        let result = self.after_steps(result, false, true);
        self.keep(saved, &result);
        result
    }

    /// Runs steps until the epoch counter moves on.
    pub fn step_epoch(&mut self) -> Result<f64> {
        let saved = self.save("an epoch".into(), false);
        let target = self.trainer.epochs() + 1;
        let mut result = Ok(self.trainer.network().loss_value);
        for _ in 0..=self.trainer.steps_per_epoch() {
            if self.trainer.epochs() >= target {
                break;
            }
            result = self.trainer.step();
            if result.is_err() {
                break;
            }
        }
        let result = self.after_steps(result, true, true);
        self.keep(saved, &result);
        result
    }

    /// Runs `steps` whole steps fast (fewer if the stop rule ends training); the history gets
    /// at most one point, and undo one saved state for the whole call. Once the stop rule has
    /// ended training, nothing runs and nothing changes.
    pub fn train(&mut self, steps: u32) -> Result<f64> {
        if steps == 0 || self.trainer.finished().is_some() {
            return self.trainer.train(steps);
        }
        let mut saved = self.save(String::new(), false);
        let result = self.trainer.train(steps);
        let finished = self.trainer.finished().is_some();
        let result = self.after_steps(result, steps > 1, finished);
        let ran = self.trainer.steps() - saved.state.steps;
        saved.what = if ran == 1 { "a training step".into() } else { format!("{ran} training steps") };
        self.keep(saved, &result);
        result
    }

    fn after_steps(&mut self, result: Result<f64>, whole: bool, force: bool) -> Result<f64> {
        match result {
            Ok(loss) => {
                self.position.last = Some(Phase::Update);
                self.position.whole = whole;
                self.position.edited = false;
                self.history.record(&mut self.trainer, force);
                Ok(loss)
            }
            Err(e) => Err(self.after_divergence(e)),
        }
    }

    /// After a refused step, the network is the last good one (an update may have been taken
    /// back, see `trainer`): the history ends at its step, so the chart ends where it stopped.
    fn after_divergence(&mut self, error: Error) -> Error {
        if let Error::Diverged { step, kept_step, .. } = error {
            self.position.last = None;
            self.history.forget_after(kept_step);
            self.history.record(&mut self.trainer, true);
            self.history.diverged_at = Some(step);
        }
        error
    }

    /// Adds a point for the current step to the loss history now, whether due or not.
    pub fn record_history(&mut self) {
        self.history.record(&mut self.trainer, true);
    }

    /// Why training stopped by itself, if it did.
    pub fn finished(&self) -> Option<&str> {
        self.trainer.finished()
    }

    /// Fresh initial weights (from `seed` if given); the data stays.
    pub fn reset(&mut self, seed: Option<u32>) -> Outcome {
        let what = if seed.is_some() { "the new seed" } else { "the reset" };
        let saved = self.save_with(what.into(), seed.is_some(), true);
        self.on_lesson_path = false;
        let outcome = self.reset_training(seed);
        self.undo.record(saved);
        outcome
    }

    fn reset_training(&mut self, seed: Option<u32>) -> Outcome {
        if let Some(seed) = seed {
            self.settings.network.seed = seed;
        }
        self.trainer.reset(seed);
        self.history.clear();
        self.history.record(&mut self.trainer, true);
        self.position = Position { selection: self.position.selection, ..Position::default() };
        let message = seed.map(|s| format!("New seed {s}: fresh initial weights."));
        Outcome::new(&["settings", "weights", "history", "position"], message)
    }

    /// Sets a weight or bias by hand; it takes effect from the next phase.
    pub fn set_parameter(&mut self, param: ParamRef, value: f64) -> Result<Outcome> {
        let what = if param.input.is_some() { "w" } else { "b" };
        let saved = self.save(format!("{what} set by hand"), false);
        self.trainer.set_parameter(param, value)?;
        self.on_lesson_path = false;
        self.undo.record(saved);
        self.position.edited = true;
        Ok(Outcome::new(
            &["weights", "position"],
            Some(format!("Set {what} to {}: the change takes effect at the next phase.", short(value))),
        ))
    }

    /// Shows another neuron or edge (None: none).
    pub fn select(&mut self, selection: Option<Selection>) -> Result<Outcome> {
        if let Some(s) = &selection {
            if !self.selection_fits(s) {
                return Err(Error::OutOfRange("the network has no such neuron or edge".into()));
            }
        }
        self.position.selection = selection;
        Ok(Outcome::new(&["position"], None))
    }

    /// Shows another sample of the batch.
    pub fn set_sample(&mut self, sample: usize) -> Result<Outcome> {
        let batch = self.trainer.network().batch_len;
        if sample >= batch.max(1) {
            return Err(Error::OutOfRange(format!(
                "the batch has {batch} samples, so there is no sample {}",
                sample + 1
            )));
        }
        self.position.sample = sample;
        Ok(Outcome::new(&["position"], None))
    }

    fn selection_fits(&self, selection: &Selection) -> bool {
        let n = self.trainer.network();
        let units = |layer: i32| -> Option<usize> {
            match layer {
                -1 => Some(n.inputs),
                l if l >= 0 => n.layers.get(l as usize).map(|x| x.units),
                _ => None,
            }
        };
        match *selection {
            Selection::Neuron { layer, neuron } => units(layer).is_some_and(|u| neuron < u),
            Selection::Edge { layer, neuron, input } => {
                layer >= 0 && units(layer).is_some_and(|u| neuron < u) && units(layer - 1).is_some_and(|u| input < u)
            }
        }
    }

    // ---- undo ---------------------------------------------------------------------------

    /// What a training action may change, saved before it runs (`settings`: the action
    /// changes settings too). See `undo`.
    fn save(&self, what: String, settings: bool) -> Saved {
        self.save_with(what, settings, false)
    }

    /// `save`, keeping a whole copy of the loss history (`replaces`: the action may replace it).
    fn save_with(&self, what: String, settings: bool, replaces: bool) -> Saved {
        let configs = settings.then(|| {
            Box::new(Configs { settings: self.settings.network.clone(), trainer: self.trainer.config().clone() })
        });
        let history = undo::SavedHistory::of(&self.history, replaces);
        Saved::new(what, self.trainer.snapshot(), history, self.position, configs)
    }

    /// Keeps the state saved before a training action when the action ran, or diverged part
    /// of the way (it changed the state then too); a refused action changed nothing.
    fn keep<T>(&mut self, saved: Saved, result: &Result<T>) {
        if matches!(result, Ok(_) | Err(Error::Diverged { .. })) {
            self.undo.record(saved);
        }
    }

    /// How many actions can be undone now (0 after a rebuild; at most `undo::STEPS`).
    pub fn can_undo(&self) -> usize {
        self.undo.len()
    }

    /// How many undone actions can be redone now (0 once a new action has been taken).
    pub fn can_redo(&self) -> usize {
        self.undo.redo_len()
    }

    /// Goes back to the state before the last training action: a phase, a step, an epoch, a
    /// run of steps, a reset, a weight or bias set by hand, or a live setting (whose value goes
    /// back too). Everything the next steps depend on is put back bit for bit, so stepping again
    /// gives the same numbers as the first time; the counters, the loss history and the
    /// position inside the step go back with it. The neuron or edge selected and the sample
    /// shown stay (the sample is moved to the batch's first if the batch put back is shorter).
    /// Changes that rebuild the network or the data cannot be undone (see `undo`).
    pub fn undo(&mut self) -> Result<Outcome> {
        let saved = self.undo.take_back().ok_or_else(|| self.nothing_to("undo"))?;
        let now = self.save_with(saved.what.clone(), saved.configs.is_some(), true);
        let outcome = self.put_back(saved, "Undone")?;
        self.on_lesson_path = false;
        self.undo.put_forward(now);
        Ok(outcome)
    }

    /// Takes again the last action undone, to the same state as the first time.
    pub fn redo(&mut self) -> Result<Outcome> {
        let saved = self.undo.take_forward().ok_or_else(|| self.nothing_to("redo"))?;
        let now = self.save_with(saved.what.clone(), saved.configs.is_some(), true);
        let outcome = self.put_back(saved, "Redone")?;
        self.on_lesson_path = false;
        self.undo.put_back(now);
        Ok(outcome)
    }

    fn nothing_to(&self, what: &str) -> Error {
        match self.undo.refused() {
            Some(bytes) => Error::OutOfRange(format!(
                "nothing to {what}: this network's state with its batch takes {} MB, more than the {} MB kept for undo",
                bytes.div_ceil(1 << 20),
                undo::BYTES >> 20
            )),
            None => Error::OutOfRange(format!("nothing to {what}")),
        }
    }

    /// Puts a saved state back (`done`: "Undone" or "Redone", for the message).
    fn put_back(&mut self, saved: Saved, done: &str) -> Result<Outcome> {
        // The network and the data are those the state was saved with (a rebuild empties the
        // ring), so this cannot fail; if it did, nothing would change.
        if let Err(e) = self.trainer.restore(&saved.state) {
            self.undo.clear();
            return Err(e);
        }
        let mut changed = vec!["weights", "history", "position"];
        if let Some(configs) = saved.configs {
            let Configs { settings, trainer } = *configs;
            self.trainer.put_back_config(&trainer);
            self.settings.network = settings;
            changed.insert(0, "settings");
        }
        saved.history.put_back(&mut self.history);
        let batch = self.trainer.network().batch_len.max(1);
        let sample = if self.position.sample < batch { self.position.sample } else { 0 };
        self.position = Position { sample, selection: self.position.selection, ..saved.position };
        let at = if done == "Undone" { "Back at" } else { "Now at" };
        let message = format!("{done}: {}. {at} step {}.", saved.what, self.trainer.steps());
        Ok(Outcome::new(&changed, Some(message)))
    }

    // ---- changing settings -------------------------------------------------------------

    /// Applies a patch of settings (`{"lr": 0.1, "optimizer": "adam"}`). Settings that are live
    /// go to the running trainer; the others rebuild what they need. A refused patch changes
    /// nothing: the error names the setting and why.
    pub fn apply(&mut self, patch: &Map<String, Value>) -> Result<Outcome> {
        let mut next = self.settings.clone();
        let mut effect = None;
        let mut labels = Vec::new();
        let mut data_kind_changed = false;
        // The target decides the output layer, whatever data it is.
        let mut outputs_change = false;
        for (key, value) in patch {
            let setting = settings::find(key).ok_or_else(|| Error::InvalidSetting {
                field: key.clone(),
                why: format!("\"{}\" is not a setting", key.chars().take(40).collect::<String>()),
            })?;
            // Choosing the problem the settings name still replaces the student's own data.
            let replaces_data = setting.key == "problem" && self.origin != Origin::Generated;
            if setting.get(&next) == *value && !replaces_data {
                continue;
            }
            setting.set(&mut next, value).map_err(|why| Error::InvalidSetting {
                field: key.clone(),
                why: format!("{}: {why}", setting.label),
            })?;
            let this = match setting.key {
                "layers" if settings::only_dropout_differs(&self.settings.network.layers, &next.network.layers) => {
                    Effect::Live
                }
                "problem" | "test" | "dseed" | "points" | "noise" | "features" | "scaling"
                    if self.origin == Origin::Samples =>
                {
                    if setting.key != "problem" {
                        return Err(Error::InvalidSetting {
                            field: key.clone(),
                            why: "a lesson's samples are fixed: pick a data set to change them".into(),
                        });
                    }
                    Effect::Data
                }
                _ => setting.effect,
            };
            if setting.key == "problem" {
                data_kind_changed = true;
            }
            if setting.key == "target" {
                outputs_change = true;
            }
            effect = effect.max(Some(this));
            labels.push(setting.label);
        }
        let single_field = (patch.len() == 1).then(|| patch.keys().next().cloned()).flatten();
        let with_field = |e: Error| match (e, &single_field) {
            (Error::InvalidConfig(why), Some(field)) => {
                Error::InvalidSetting { field: field.clone(), why: format!("invalid network settings: {why}") }
            }
            (e, _) => e,
        };
        let Some(effect) = effect else { return Ok(Outcome::default()) };
        match effect {
            Effect::View => {
                self.settings = next;
                Ok(Outcome::new(&["view", "settings"], None))
            }
            Effect::Live => {
                next.network.validate().map_err(with_field)?;
                let saved = self.save(format!("the change of {}", labels.join(", ")), true);
                self.apply_live(&next).map_err(with_field)?;
                self.undo.record(saved);
                self.on_lesson_path = false;
                let message = self.full_batch_note(&next);
                self.settings = next;
                Ok(Outcome::new(&["settings"], message))
            }
            Effect::Reset => {
                next.network.validate().map_err(with_field)?;
                // A reset starts the loss history again: keep the whole of it.
                let saved = self.save_with(format!("the change of {}", labels.join(", ")), true, true);
                self.apply_live(&next).map_err(with_field)?;
                self.undo.record(saved);
                self.on_lesson_path = false;
                let seed = next.network.seed;
                self.settings = next;
                Ok(self.reset_training(Some(seed)))
            }
            Effect::Rebuild => {
                // A new shape starts from fresh weights, unless a lesson gave them for it.
                let rebuilt =
                    Session::build(next, self.samples.clone(), self.origin.clone(), false).map_err(with_field)?;
                let keep = self.lesson_variant;
                self.replace(rebuilt, false);
                self.lesson_variant = keep;
                let message = if labels.contains(&"Layers") {
                    "The network changed shape, so training starts again from fresh weights.".to_string()
                } else {
                    format!("{} changed: training starts again from fresh weights.", labels.join(", "))
                };
                Ok(Outcome::new(&["settings", "weights", "network", "history", "position"], Some(message)))
            }
            Effect::Data => {
                let origin = if data_kind_changed { Origin::Generated } else { self.origin.clone() };
                if data_kind_changed || patch.contains_key("points") || patch.contains_key("noise") {
                    next.lesson = None;
                }
                if data_kind_changed {
                    // A new problem starts from fresh weights, not a lesson's.
                    for layer in &mut next.network.layers {
                        layer.weights = None;
                        layer.biases = None;
                    }
                }
                let mut origin = origin;
                if let Origin::Custom { points, .. } = &mut origin {
                    // A new test share or seed splits all the points anew.
                    if patch.contains_key("test") || patch.contains_key("dseed") {
                        points.train = None;
                    }
                }
                let samples = if origin == Origin::Samples { self.samples.clone() } else { None };
                let fit = data_kind_changed || outputs_change;
                let rebuilt = Session::build(next, samples, origin, fit).map_err(with_field)?;
                self.replace(rebuilt, true);
                let info = self.data_info();
                let message = format!("{}: {}. Training starts again.", labels.join(", "), data_summary(&info));
                Ok(Outcome::new(ALL, Some(message)))
            }
        }
    }

    /// What to say when `next` chooses conjugate gradient: it takes every training point in
    /// each batch, and the batch size waits for another optimizer (see `trainer`).
    fn full_batch_note(&self, next: &Settings) -> Option<String> {
        let kind = next.network.optimizer.kind;
        (kind.needs_full_batch() && self.settings.network.optimizer.kind != kind).then(|| {
            format!(
                "Conjugate gradient takes all {} training points as one batch, so each step is one epoch; the batch size of {} applies again with another optimizer.",
                self.trainer.batch_size(),
                next.network.batch_size
            )
        })
    }

    /// Sends the live settings to the trainer (all checked before: none can be refused).
    fn apply_live(&mut self, next: &Settings) -> Result<()> {
        let n = &next.network;
        self.trainer.set_optimizer(n.optimizer)?;
        self.trainer.set_regularization(n.regularization)?;
        self.trainer.set_schedule(n.schedule)?;
        if self.trainer.config().stop != n.stop {
            self.trainer.set_stop_rule(n.stop)?;
        }
        self.trainer.set_batch_size(n.batch_size)?;
        for (l, layer) in n.layers.iter().enumerate().take(n.layers.len().saturating_sub(1)) {
            if self.trainer.config().layers[l].dropout != layer.dropout {
                self.trainer.set_dropout(l, layer.dropout)?;
            }
        }
        Ok(())
    }

    /// Patches from JSON text.
    pub fn apply_json(&mut self, patch: &str) -> Result<Outcome> {
        match crate::config::parse_json::<Value>(patch).map_err(Error::Parse)? {
            Value::Object(map) => self.apply(&map),
            _ => Err(Error::Parse("a patch is an object of settings, such as {\"lr\": 0.1}".into())),
        }
    }

    /// A copy of this session with `patch` applied and fresh weights from its seed: a run of
    /// an experiment, on the same data.
    pub fn fork(&self, patch: &Map<String, Value>) -> Result<Session> {
        let mut run = self.clone();
        run.apply(patch)?;
        run.rebuild_fresh()?;
        Ok(run)
    }

    /// A run of variant `variant` of the current lesson, on this session's data.
    pub fn fork_variant(&self, variant: usize) -> Result<Session> {
        let lesson = self
            .settings
            .lesson
            .as_deref()
            .and_then(presets::lesson)
            .ok_or_else(|| Error::OutOfRange("no lesson is loaded".into()))?;
        let v = lesson.variants.get(variant).ok_or_else(|| {
            Error::OutOfRange(format!(
                "the lesson has {} variants, so there is no variant {}",
                lesson.variants.len(),
                variant + 1
            ))
        })?;
        let mut settings = v.session.clone();
        settings.view = self.settings.view;
        settings.points = None;
        let origin = if self.origin == Origin::Samples { Origin::Samples } else { Origin::Generated };
        let samples = if origin == Origin::Samples { lesson.samples.clone() } else { None };
        Session::build(settings, samples, origin, false)
    }

    fn rebuild_fresh(&mut self) -> Result<()> {
        let fresh = Session::build(self.settings.clone(), self.samples.clone(), self.origin.clone(), false)?;
        self.replace(fresh, false);
        Ok(())
    }

    // ---- lessons, data, links and files --------------------------------------------------

    /// Loads lesson `id` (its variant `variant`, if given), exactly as the lesson menu does.
    pub fn load_lesson(&mut self, id: &str, variant: Option<usize>) -> Result<Outcome> {
        let lesson = presets::lesson(id).ok_or_else(|| {
            Error::OutOfRange(format!("there is no lesson called \"{}\"", id.chars().take(40).collect::<String>()))
        })?;
        let (mut settings, what) = match variant {
            None => (lesson.session.clone(), lesson.title.to_string()),
            Some(v) => {
                let variant = lesson.variants.get(v).ok_or_else(|| {
                    Error::OutOfRange(format!("the lesson has {} variants, not {}", lesson.variants.len(), v + 1))
                })?;
                (variant.session.clone(), format!("{}: {}", lesson.title, variant.label))
            }
        };
        settings.view = self.settings.view;
        let origin = if lesson.samples.is_some() { Origin::Samples } else { Origin::Generated };
        let next = Session::build(settings, lesson.samples.clone(), origin, false)?;
        self.replace(next, true);
        self.lesson_variant = variant;
        self.on_lesson_path = true;
        Ok(Outcome::new(ALL, Some(format!("Lesson loaded: {what}."))))
    }

    // ---- tours ----------------------------------------------------------------------------

    /// The tour of the current lesson, if it has one.
    pub fn tour(&self) -> Option<Tour> {
        self.settings.lesson.as_deref().and_then(tour::tour)
    }

    fn tour_stop(&self, k: usize) -> Result<Stop> {
        let tour = self.tour().ok_or_else(|| Error::OutOfRange("this lesson has no tour".into()))?;
        let count = tour.stops.len();
        tour.stops
            .into_iter()
            .nth(k)
            .ok_or_else(|| Error::OutOfRange(format!("stop {} is past the end of the tour's {count} stops", k + 1)))
    }

    /// Where the session stands, as a tour place.
    pub fn place(&self) -> Place {
        Place { steps: self.trainer.steps(), last: self.position.last }
    }

    /// Brings the session to stop `k`'s place: steps on from here when the stop is ahead and
    /// only phases and steps have run since the lesson was loaded; else loads the lesson again
    /// (the same variant) and steps from its start. The walk is one action for undo. The sample
    /// shown becomes the checkpoint's.
    pub fn go_to_stop(&mut self, k: usize) -> Result<Outcome> {
        let stop = self.tour_stop(k)?;
        let layers = self.trainer.network().layers.len();
        let target = stop.at.phases_run(layers);
        let mut changed: Vec<&'static str> = vec!["weights", "history", "position"];
        if !self.on_lesson_path || self.place().phases_run(layers) > target {
            let lesson = self.settings.lesson.clone().unwrap_or_default();
            self.load_lesson(&lesson, self.lesson_variant)?;
            changed = ALL.to_vec();
        }
        let saved = self.save(format!("going to stop {}", k + 1), false);
        let start = self.place().phases_run(layers);
        let result = self.walk_to(target, layers);
        if self.place().phases_run(layers) != start || result.is_err() {
            self.keep(saved, &result);
        }
        result?;
        if let Some(q) = stop.checkpoint {
            self.position.sample = q.sample.min(self.trainer.network().batch_len.saturating_sub(1));
        }
        Ok(Outcome { changed, message: None, warnings: Vec::new() })
    }

    /// Runs phases (whole steps where it can) until `target` phases have run.
    fn walk_to(&mut self, target: u64, layers: usize) -> Result<()> {
        let count = Phase::count(layers) as u64;
        while self.place().phases_run(layers) < target {
            let at_step_start = self.position.last.is_none_or(|p| p == Phase::Update);
            let result = if at_step_start && self.place().phases_run(layers) + count <= target {
                let result = self.trainer.step().map(|_| ());
                self.after_steps(result.map(|_| 0.0), false, true).map(|_| ())
            } else {
                match self.trainer.step_phase() {
                    Ok(phase) => {
                        self.position.last = Some(phase);
                        self.position.whole = false;
                        self.position.edited = false;
                        if phase == Phase::Update {
                            self.history.record(&mut self.trainer, true);
                        }
                        Ok(())
                    }
                    Err(e) => Err(self.after_divergence(e)),
                }
            };
            result?;
        }
        Ok(())
    }

    /// The checkpoint of stop `k` (None if it has none), for the session at that stop.
    pub fn checkpoint(&self, k: usize) -> Result<Option<Checkpoint>> {
        match self.tour_stop(k)?.checkpoint {
            Some(q) => {
                let network = self.trainer.network();
                network.dense_only("a checkpoint", 0..network.layers.len())?;
                checkpoint::ask(self, &q).map(Some)
            }
            None => Ok(None),
        }
    }

    /// Judges `typed` as the answer to stop `k`'s checkpoint.
    pub fn answer(&self, k: usize, typed: f64) -> Result<Verdict> {
        let q = self
            .tour_stop(k)?
            .checkpoint
            .ok_or_else(|| Error::OutOfRange(format!("stop {} has no question", k + 1)))?;
        let network = self.trainer.network();
        network.dense_only("a checkpoint", 0..network.layers.len())?;
        checkpoint::check(self, &q, typed)
    }

    /// Leaves the lesson (free play); everything else stays.
    pub fn leave_lesson(&mut self) -> Outcome {
        self.settings.lesson = None;
        self.lesson_variant = None;
        Outcome::new(&["settings"], None)
    }

    /// Loads a CSV file's text as the data (see `csv`); the output layer is fitted to it.
    pub fn load_csv(&mut self, text: &str, name: &str, options: &CsvOptions) -> Result<Outcome> {
        let name = short_name(name);
        let parsed = crate::csv::parse(text, options).map_err(|e| prefixed(e, &name))?;
        let points = SharedPoints {
            dims: parsed.points.dims,
            classes: parsed.points.classes,
            coords: parsed.points.coords,
            labels: parsed.points.labels,
            train: None,
        };
        let mut settings = self.settings.clone();
        settings.lesson = None;
        let origin = Origin::Custom { label: name.clone(), points };
        let mut next = Session::build(settings, None, origin, true).map_err(|e| prefixed(e, &name))?;
        if let Some(d) = &mut next.data {
            d.headers = parsed.headers;
        }
        self.replace(next, true);
        let info = self.data_info();
        Ok(Outcome::new(ALL, Some(format!("Loaded {name}: {}. Training starts again.", data_summary(&info)))))
    }

    /// Adds a training point drawn by hand (`coords` of the data's dimension, rounded for
    /// readability); the data becomes the student's own, and training starts again.
    pub fn add_point(&mut self, coords: &[f64], label: f64) -> Result<Outcome> {
        let Some(data) = &self.data else {
            return Err(Error::InvalidData("a lesson's samples are fixed: pick a data set to draw on".into()));
        };
        let dims = data.train.dims;
        if coords.len() != dims || dims > 2 {
            return Err(Error::InvalidData(format!(
                "points can be drawn on data of one or two coordinates, and a point needs {dims} here"
            )));
        }
        let total = data.train.len() + data.test.len();
        if total >= MAX_DRAWN_POINTS {
            return Err(Error::Limit(format!("drawing stops at {MAX_DRAWN_POINTS} points")));
        }
        let round = |x: f64| (x * 10f64.powi(DRAWN_DECIMALS)).round() / 10f64.powi(DRAWN_DECIMALS);
        let coords: Vec<f64> = coords.iter().map(|&x| round(x)).collect();
        let label = if data.train.classes == 0 { round(label) } else { label };
        // Training points first, then the new one, then the test points: the split is kept.
        let mut all = SharedPoints {
            dims,
            classes: data.train.classes,
            coords: data.train.coords.clone(),
            labels: data.train.labels.clone(),
            train: Some(data.train.len() + 1),
        };
        all.coords.extend_from_slice(&coords);
        all.labels.push(label);
        all.coords.extend_from_slice(&data.test.coords);
        all.labels.extend_from_slice(&data.test.labels);
        let label_text = match &self.origin {
            Origin::Custom { label, .. } if label.starts_with("your") => label.clone(),
            Origin::Custom { label, .. } => format!("your points on {label}"),
            _ => format!("your points on {}", self.data_info().label),
        };
        let mut settings = self.settings.clone();
        settings.lesson = None;
        let domain = self.domain;
        let mut next = Session::build(settings, None, Origin::Custom { label: label_text, points: all }, false)?;
        // The view stays still while drawing, unless the point falls outside it.
        let inside = |x: f64, d: [f64; 2]| x >= d[0] && x <= d[1];
        let fits = if dims == 2 {
            coords.iter().all(|&x| inside(x, domain.0))
        } else {
            inside(coords[0], domain.0) && inside(label, domain.1)
        };
        if fits {
            next.domain = domain;
        }
        self.replace(next, true);
        let train = self.data.as_ref().map_or(0, |d| d.train.len());
        Ok(Outcome::new(ALL, Some(format!("A point was added ({train} training points): training starts again."))))
    }

    /// The model file: the network with its weights and, beside it, the whole session (the
    /// settings, the data when it is the student's own, the training state, the history and
    /// the position), so that opening it continues exactly.
    pub fn export_model(&self) -> String {
        let file = SessionFile {
            settings: self.shareable_settings(usize::MAX),
            state: share::bytes_to_text(&self.trainer.snapshot().encode()),
            history: HistoryFile::of(&self.history),
            position: self.position,
            lesson_variant: self.lesson_variant,
        };
        let mut config = self.trainer.config().clone();
        for (lc, layer) in config.layers.iter_mut().zip(&self.trainer.network().layers) {
            lc.weights = layer.weights_by_row();
            lc.biases = layer.biases_given();
        }
        crate::model_file::export_with(&config, Some(&file))
    }

    /// Opens a model file: a whole session (version 2) replaces this one; a network alone
    /// (version 1) is loaded onto the current data, which it must fit.
    pub fn import_model(&mut self, text: &str, name: &str) -> Result<Outcome> {
        let name = short_name(name);
        let (config, extra) = crate::model_file::import_with::<SessionFile>(text)?;
        let message = format!("Model loaded from {name}.");
        match extra {
            Some(file) => {
                let mut settings = file.settings;
                settings.network = config;
                let state = share::text_to_bytes(&file.state)
                    .and_then(|b| TrainerState::decode(&b))
                    .map_err(|why| Error::InvalidModelFile(format!("the training state {why}")))?;
                let mut next = Session::for_settings(settings, false)?;
                next.trainer.restore(&state)?;
                next.history = file.history.into_history();
                next.position = file.position;
                next.lesson_variant = file.lesson_variant;
                self.replace(next, true);
                Ok(Outcome::new(ALL, Some(message)))
            }
            None => {
                let info = self.data_info();
                let outputs = config.output_units();
                if config.inputs != info.inputs || outputs != info.outputs {
                    return Err(Error::InvalidModelFile(format!(
                        "the model has {} input(s) and {outputs} output(s), but the data gives {} input(s) and needs {} output(s)",
                        config.inputs, info.inputs, info.outputs
                    )));
                }
                let mut settings = self.settings.clone();
                settings.network = config;
                let next = Session::build(settings, self.samples.clone(), self.origin.clone(), false)?;
                self.replace(next, false);
                Ok(Outcome::new(&["settings", "weights", "network", "history", "position"], Some(message)))
            }
        }
    }

    /// A session of `settings` as a link or file gives them: a lesson's samples come by its
    /// name when the network fits them; points given by hand are the data.
    /// The session a link's settings make (what `open_link` opens). A decoded link always
    /// builds (`share::decode` makes its settings fit together; the link fuzz target checks
    /// it): an output layer or loss that does not suit the data is fitted to it, with a
    /// warning in `warnings`.
    pub fn from_link_settings(settings: Settings, warnings: &mut Vec<String>) -> Result<Session> {
        Session::for_settings(settings.clone(), false).or_else(|e| {
            warnings.push(format!("{e}; the output layer and loss were fitted to the data"));
            Session::for_settings(settings, true)
        })
    }

    /// The session of settings read from a link or a file: a lesson's samples when the network
    /// fits them, else the points given, else generated data.
    fn for_settings(mut settings: Settings, fit_kind: bool) -> Result<Session> {
        let lesson = settings.lesson.as_deref().and_then(presets::lesson);
        let fits = |l: &presets::Lesson| l.session.network.inputs == settings.network.inputs;
        let samples = match &lesson {
            Some(l) if settings.points.is_none() && fits(l) => l.samples.clone(),
            _ => None,
        };
        let origin = match (&samples, settings.points.take()) {
            (Some(_), _) => Origin::Samples,
            (None, Some(points)) => Origin::Custom { label: "the link's points".into(), points },
            (None, None) => Origin::Generated,
        };
        if settings.lesson.is_some() && lesson.is_none() {
            settings.lesson = None;
        }
        Session::build(settings, samples, origin, fit_kind)
    }

    /// Opens a link's query string. Never fails: what cannot be read is named in a warning and
    /// falls back to defaults; if nothing usable remains, the default session opens.
    pub fn open_link(&mut self, query: &str) -> Outcome {
        let decoded = share::decode(query);
        let mut warnings = decoded.warnings;
        if let Some(id) = &decoded.settings.lesson {
            if presets::lesson(id).is_none() {
                warnings.push(format!("there is no lesson \"{id}\" in this version; it was left out"));
            }
        }
        // `?lesson=<id>` alone opens the lesson exactly as the lesson menu does.
        if let (Some(id), true) = (&decoded.settings.lesson, decoded.only_lesson) {
            if let Ok(mut outcome) = self.load_lesson(&id.clone(), None) {
                outcome.warnings = warnings;
                return outcome;
            }
        }
        let mut next = match Session::from_link_settings(decoded.settings, &mut warnings) {
            Ok(next) => next,
            Err(e) => {
                let fallback = Session::new();
                self.replace(fallback, true);
                let mut outcome = Outcome::new(
                    ALL,
                    Some(format!("This link could not be opened ({e}); the page starts with its default settings.")),
                );
                outcome.warnings = warnings;
                return outcome;
            }
        };
        if let Some(state) = &decoded.state {
            match next.trainer.restore(state) {
                Ok(()) => {
                    if let Some(history) = decoded.history {
                        next.history = history;
                    }
                }
                Err(e) => warnings.push(format!("{e}; training starts at step 0")),
            }
        }
        if let Some(position) = decoded.position {
            next.position = position;
            next.position.selection = position.selection.filter(|s| next.selection_fits(s));
        }
        next.lesson_variant = decoded.variant;
        self.replace(next, true);
        let mut outcome = Outcome::new(ALL, Some("Opened from a link: this is the state its sender saw.".into()));
        outcome.warnings = warnings;
        outcome
    }

    /// The settings a link or file carries: the network with its current weights, and the
    /// points when they are the student's own (when no more than `max_points` numbers).
    fn shareable_settings(&self, max_points: usize) -> Settings {
        let mut settings = self.settings.clone();
        let mut network = self.trainer.config().clone();
        for (lc, layer) in network.layers.iter_mut().zip(&self.trainer.network().layers) {
            lc.weights = layer.weights_by_row();
            lc.biases = layer.biases_given();
        }
        settings.network = network;
        if let Origin::Custom { .. } = &self.origin {
            if let Some(d) = &self.data {
                let mut points = SharedPoints {
                    dims: d.train.dims,
                    classes: d.train.classes,
                    coords: d.train.coords.clone(),
                    labels: d.train.labels.clone(),
                    train: Some(d.train.len()),
                };
                points.coords.extend_from_slice(&d.test.coords);
                points.labels.extend_from_slice(&d.test.labels);
                if points.coords.len() + points.labels.len() <= max_points {
                    settings.points = Some(points);
                }
            }
        }
        settings
    }

    /// A link to this state. It carries the training state when it fits in a link; the
    /// note says what it holds and, when it is too long, that the model file holds it all.
    pub fn link(&self) -> Link {
        let settings = self.shareable_settings(share::MAX_SHARED_NUMBERS);
        let state = self.trainer.snapshot().encode();
        let extras = |history: Option<History>, state: Option<&[u8]>| share::Extras {
            state: state.map(<[u8]>::to_vec),
            history,
            position: Some(self.position),
            variant: self.lesson_variant,
        };
        for points in [200, 60] {
            let query = share::encode(&settings, &extras(Some(self.history.thinned(points)), Some(&state)));
            if query.len() <= share::MAX_QUERY_LEN - 2_000 {
                return Link {
                    query,
                    complete: true,
                    note: "The link holds the settings, the data, the weights and the training state: the next steps replay exactly.".into(),
                };
            }
        }
        let query = share::encode(&settings, &extras(None, None));
        Link {
            query,
            complete: false,
            note: "This state is too large for a link: the link restarts from these settings (and weights, when they fit) at step 0. The model file holds the whole state.".into(),
        }
    }

    // ---- the plotting domain ---------------------------------------------------------------

    fn samples_are_binary(&self) -> bool {
        let n = self.trainer.network();
        self.samples
            .as_ref()
            .is_some_and(|s| n.outputs() == 1 && n.inputs == 2 && s.targets.iter().all(|&y| y == 0.0 || y == 1.0))
    }

    fn compute_domain(&self) -> ([f64; 2], [f64; 2]) {
        match (&self.data, &self.samples) {
            (Some(d), _) => {
                let dims = d.train.dims;
                let labels: Vec<f64> = d.train.labels.iter().chain(&d.test.labels).copied().collect();
                let y = if dims == 1 { padded(min_max(&labels), 0.15) } else { [-6.0, 6.0] };
                let generated = self.origin == Origin::Generated && self.settings.data.problem != Problem::Xor;
                if generated {
                    return ([-6.0, 6.0], y);
                }
                let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
                for set in [&d.train, &d.test] {
                    for (k, &x) in set.coords.iter().enumerate() {
                        if k % dims < 2 {
                            lo = lo.min(x);
                            hi = hi.max(x);
                        }
                    }
                }
                let domain = if lo.is_finite() { padded([lo, hi], 0.2) } else { [-1.0, 1.0] };
                (domain, if dims == 1 { y } else { domain })
            }
            (None, Some(s)) => {
                let [lo, hi] = min_max(&s.inputs);
                let domain = padded([lo.min(0.0), hi.max(1.0)], 0.25);
                let mut ys = vec![0.0, 1.0];
                ys.extend(s.targets.iter().step_by(self.trainer.network().outputs().max(1)));
                (domain, padded(min_max(&ys), 0.15))
            }
            (None, None) => ([0.0, 1.0], [0.0, 1.0]),
        }
    }
}

/// "320 training and 0 test points, 2 classes" for messages.
fn data_summary(info: &DataInfo) -> String {
    let kind = match info.kind {
        "classification" => format!("{} classes", info.classes),
        "regression" => "regression".into(),
        _ => "exact samples".into(),
    };
    format!("{}: {} training and {} test points, {kind}", info.label, info.train_points, info.test_points)
}

/// The message of a refused file, naming it.
fn prefixed(error: Error, name: &str) -> Error {
    let why = format!("The file \"{name}\" was not loaded, and the data stays as it was: {error}");
    match error {
        Error::Limit(_) => Error::Limit(why),
        Error::InvalidConfig(_) => Error::InvalidConfig(why),
        _ => Error::InvalidData(why),
    }
}

fn short_name(name: &str) -> String {
    if name.chars().count() > 60 {
        format!("{}…", name.chars().take(60).collect::<String>())
    } else {
        name.to_string()
    }
}

fn split(test: bool) -> Split {
    if test {
        Split::Test
    } else {
        Split::Train
    }
}

fn min_max(values: &[f64]) -> [f64; 2] {
    let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if lo.is_finite() && hi.is_finite() {
        [lo, hi]
    } else {
        [-1.0, 1.0]
    }
}

/// The names of the classes: the shapes', the edges' and the recall task's, else their numbers.
fn class_names(problem: Problem, classes: usize, generated: bool) -> Vec<String> {
    let names: &[&str] = match problem {
        Problem::Shapes => &crate::autoencoder::SHAPE_NAMES,
        Problem::Edges => &crate::edges::EDGE_NAMES,
        Problem::Recall => &crate::sequences::RECALL_NAMES,
        _ => &[],
    };
    if generated && !names.is_empty() {
        return names.iter().map(|n| n.to_string()).collect();
    }
    (0..classes).map(|k| k.to_string()).collect()
}

/// A range widened by `share` of its span on each side, its ends rounded to 2 digits.
fn padded([lo, hi]: [f64; 2], share: f64) -> [f64; 2] {
    let span = if hi - lo > 1e-9 { hi - lo } else { lo.abs().max(1.0) };
    [two_digits(lo - share * span), two_digits(hi + share * span)]
}

fn two_digits(x: f64) -> f64 {
    format!("{x:.1e}").parse().unwrap_or(x)
}

/// A session in a model file, beside its network.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SessionFile {
    settings: Settings,
    /// The training state's byte form in base64url (see `snapshot`).
    state: String,
    history: HistoryFile,
    position: Position,
    #[serde(default)]
    lesson_variant: Option<usize>,
}

/// The loss history in a model file (NaN, a missing test loss, is written as null).
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct HistoryFile {
    steps: Vec<f64>,
    train: Vec<Option<f64>>,
    test: Vec<Option<f64>>,
    every: u64,
    last_step: Option<u64>,
    #[serde(default)]
    diverged_at: Option<u64>,
}

impl HistoryFile {
    fn of(h: &History) -> HistoryFile {
        let finite = |v: &[f64]| v.iter().map(|&x| x.is_finite().then_some(x)).collect();
        HistoryFile {
            steps: h.steps.clone(),
            train: finite(&h.train),
            test: finite(&h.test),
            every: h.every,
            last_step: h.last_step,
            diverged_at: h.diverged_at,
        }
    }

    fn into_history(self) -> History {
        let n = self.steps.len().min(self.train.len()).min(self.test.len()).min(crate::history::CAPACITY);
        let values = |v: Vec<Option<f64>>| v.into_iter().take(n).map(|x| x.unwrap_or(f64::NAN)).collect();
        History {
            steps: self.steps.into_iter().take(n).collect(),
            train: values(self.train),
            test: values(self.test),
            every: self.every.max(1),
            last_step: self.last_step,
            diverged_at: self.diverged_at,
            unthinned: None,
        }
    }
}
