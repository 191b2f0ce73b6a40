//! The JavaScript face of the session (`src/session.rs`): the one object the page talks to.
//!
//! Every change returns an outcome `{changed: [...], message, warnings}`; every error is a JS
//! `Error` with a `kind` (see `Error::kind`). Arrays the page draws every frame are read
//! through typed-array views (`bufferPtr`/`bufferLen`, as on `Engine`); small objects (the
//! catalogue, the position, the data's description) cross as plain objects.

use crate::config::MAX_INPUTS;
use crate::csv::CsvOptions;
use crate::layers::convolution::KernelWeight;
use crate::phase::Phase;
use crate::session::{Outcome, Selection, Session as CoreSession};
use crate::trainer::Split;
use crate::wasm::{buffer_slice, fault, install_panic_hook, js_error, layer_of, to_js};
use crate::wasm_argument as argument;
use wasm_bindgen::prelude::*;

type JsResult<T> = Result<T, JsValue>;

fn outcome(result: crate::error::Result<Outcome>) -> JsResult<JsValue> {
    result.map(|o| to_js(&o)).map_err(js_error)
}

/// Every setting: `[{key, group, label, help, effect, default, kind, …}]` (see `settings`).
#[wasm_bindgen]
pub fn catalogue() -> JsValue {
    to_js(&crate::settings::catalogue())
}

/// The largest files the engine reads, in bytes: `{csv, model}`. The page refuses a larger file
/// by its size, before reading it, so that it never reaches wasm memory.
#[wasm_bindgen(js_name = fileLimits)]
pub fn file_limits() -> JsValue {
    to_js(&serde_json::json!({ "csv": crate::csv::MAX_FILE_BYTES, "model": crate::model_file::MAX_FILE_BYTES }))
}

/// The lessons for the lesson menu: `[{id, title, text, variants: [label], controls: [key]}]`;
/// `controls` are catalogue keys of the settings the lesson card shows beside its text.
/// Hands the shipped digits file (`data/digits.bin`, fetched by the page) to the engine, once
/// for every session; a malformed file is refused in words.
#[wasm_bindgen(js_name = registerDigits)]
pub fn register_digits(bytes: &[u8]) -> JsResult<()> {
    crate::digits::register(bytes).map_err(js_error)
}

/// Whether the digits are registered (a digits problem can be built).
#[wasm_bindgen(js_name = digitsRegistered)]
pub fn digits_registered() -> bool {
    crate::digits::registered()
}

/// Whether a change asked for the digits before they were registered (and so was refused or
/// left them out): the page then fetches `data/digits.bin` and runs the change again. Reading
/// the flag clears it.
#[wasm_bindgen(js_name = takeDigitsWanted)]
pub fn take_digits_wanted() -> bool {
    crate::digits::take_wanted()
}

#[wasm_bindgen(js_name = lessonList)]
pub fn lesson_list() -> JsValue {
    let list: Vec<serde_json::Value> = crate::presets::lessons()
        .iter()
        .map(|l| {
            serde_json::json!({
                "id": l.id,
                "title": l.title,
                "text": l.text,
                "variants": l.variants.iter().map(|v| v.label.clone()).collect::<Vec<_>>(),
                "controls": l.controls,
            })
        })
        .collect();
    to_js(&list)
}

#[wasm_bindgen]
pub struct Session {
    inner: CoreSession,
}

/// `{type: 'neuron' | 'edge', layer, neuron, input?}` read field by field (a serde
/// deserializer for so small an object would cost more code than it saves).
fn read_selection(value: &JsValue) -> JsResult<Selection> {
    let field = |name: &str| js_sys::Reflect::get(value, &name.into()).unwrap_or(JsValue::UNDEFINED);
    let index = |name: &str| -> JsResult<usize> {
        field(name)
            .as_f64()
            .filter(|x| x.fract() == 0.0 && *x >= 0.0 && *x < 1e6)
            .map(|x| x as usize)
            .ok_or_else(|| fault("invalid_setting", &format!("a selection needs a whole number {name}")))
    };
    let layer = field("layer")
        .as_f64()
        .filter(|x| x.fract() == 0.0 && *x >= -1.0 && *x < 1e6)
        .ok_or_else(|| fault("invalid_setting", "a selection needs a whole number layer (−1 for the inputs)"))?
        as i32;
    match field("type").as_string().as_deref() {
        Some("neuron") => Ok(Selection::Neuron { layer, neuron: index("neuron")? }),
        Some("edge") => Ok(Selection::Edge { layer, neuron: index("neuron")?, input: index("input")? }),
        _ => Err(fault("invalid_setting", "a selection is {type: 'neuron' or 'edge', layer, neuron, input?}")),
    }
}

/// A patch of settings (a JS object, or its JSON text) as a JSON object.
fn read_patch(value: &JsValue) -> JsResult<serde_json::Map<String, serde_json::Value>> {
    let text = match value.as_string() {
        Some(text) => text,
        None => js_sys::JSON::stringify(value).ok().and_then(|s| s.as_string()).unwrap_or_default(),
    };
    match serde_json::from_str::<serde_json::Value>(&text) {
        Ok(serde_json::Value::Object(map)) => Ok(map),
        _ => Err(fault("parse", "a patch is an object of settings, such as {lr: 0.1}")),
    }
}

#[wasm_bindgen]
impl Session {
    /// The page's first screen.
    #[wasm_bindgen(constructor)]
    pub fn new() -> Session {
        install_panic_hook();
        Session { inner: CoreSession::new() }
    }

    // ---- settings, lessons, links, files ------------------------------------------------

    /// Applies a patch of settings by catalogue key (`{lr: 0.1}`); a refusal changes nothing.
    pub fn apply(&mut self, patch: JsValue) -> JsResult<JsValue> {
        let patch = read_patch(&patch)?;
        outcome(self.inner.apply(&patch))
    }

    /// Each setting's `{value, shown, max?, disabled?}` now.
    #[wasm_bindgen(js_name = controlState)]
    pub fn control_state(&self) -> JsValue {
        to_js(&self.inner.control_state())
    }

    /// The settings in force, as one object (`{network, data, features, scaling, lesson, view}`).
    pub fn settings(&self) -> JsValue {
        to_js(self.inner.settings())
    }

    /// The trainer's config (what the network is now: shape, loss, optimizer…).
    pub fn config(&self) -> JsValue {
        to_js(self.inner.trainer().config())
    }

    #[wasm_bindgen(js_name = loadLesson)]
    pub fn load_lesson(&mut self, id: &str, variant: JsValue) -> JsResult<JsValue> {
        let variant = argument::optional_u32("variant", &variant, 0, u32::MAX)?;
        outcome(self.inner.load_lesson(id, variant.map(|v| v as usize)))
    }

    #[wasm_bindgen(js_name = leaveLesson)]
    pub fn leave_lesson(&mut self) -> JsValue {
        to_js(&self.inner.leave_lesson())
    }

    /// The current lesson's variant loaded, if any.
    #[wasm_bindgen(js_name = lessonVariant)]
    pub fn lesson_variant(&self) -> Option<u32> {
        self.inner.lesson_variant().map(|v| v as u32)
    }

    /// Opens a link's query string; never throws (what could not be read is in `warnings`).
    #[wasm_bindgen(js_name = openLink)]
    pub fn open_link(&mut self, query: &str) -> JsValue {
        to_js(&self.inner.open_link(query))
    }

    /// `{query, complete, note}`: a link to this state.
    pub fn link(&self) -> JsValue {
        to_js(&self.inner.link())
    }

    /// A link to this state with a patch of view settings applied (`{present: true}`).
    #[wasm_bindgen(js_name = linkWith)]
    pub fn link_with(&self, patch: JsValue) -> JsResult<JsValue> {
        let patch = read_patch(&patch)?;
        let mut copy = self.inner.clone();
        copy.apply(&patch).map_err(js_error)?;
        Ok(to_js(&copy.link()))
    }

    /// Loads a CSV file (`labelColumn` from 0; the last column if undefined).
    #[wasm_bindgen(js_name = loadCsv)]
    pub fn load_csv(&mut self, text: &str, name: &str, label_column: JsValue) -> JsResult<JsValue> {
        // A file has at most MAX_INPUTS input columns and its label column.
        let label_column = argument::optional_u32("label column", &label_column, 0, MAX_INPUTS as u32)?;
        let options = CsvOptions { label_column: label_column.map(|c| c as usize), ..CsvOptions::default() };
        outcome(self.inner.load_csv(text, name, &options))
    }

    /// Adds a training point drawn by hand.
    #[wasm_bindgen(js_name = addPoint)]
    pub fn add_point(&mut self, coords: &[f64], label: f64) -> JsResult<JsValue> {
        outcome(self.inner.add_point(coords, label))
    }

    #[wasm_bindgen(js_name = exportModel)]
    pub fn export_model(&self) -> String {
        self.inner.export_model()
    }

    #[wasm_bindgen(js_name = importModel)]
    pub fn import_model(&mut self, text: &str, name: &str) -> JsResult<JsValue> {
        outcome(self.inner.import_model(text, name))
    }

    /// The data set as CSV text (a lesson's samples: inputs, then targets).
    #[wasm_bindgen(js_name = dataCsv)]
    pub fn data_csv(&self) -> String {
        match self.inner.data() {
            Some(d) => d.to_csv(),
            None => {
                let t = self.inner.trainer();
                let set = t.data(Split::Train);
                let (n_in, n_out) = (t.network().inputs, t.network().outputs());
                let mut text: Vec<String> = vec![(1..=n_in)
                    .map(|i| format!("x{i}"))
                    .chain((1..=n_out).map(|j| format!("y{j}")))
                    .collect::<Vec<_>>()
                    .join(",")];
                if let Some(set) = set {
                    for s in 0..set.len() {
                        let row: Vec<String> =
                            set.input_row(s).iter().chain(set.target_row(s)).map(|x| x.to_string()).collect();
                        text.push(row.join(","));
                    }
                }
                text.join("\n") + "\n"
            }
        }
    }

    /// The loss history as CSV text.
    #[wasm_bindgen(js_name = historyCsv)]
    pub fn history_csv(&self) -> String {
        self.inner.history().to_csv()
    }

    /// A copy with `patch` applied and fresh weights: a run of an experiment.
    pub fn fork(&self, patch: JsValue) -> JsResult<Session> {
        let patch = read_patch(&patch)?;
        self.inner.fork(&patch).map(|inner| Session { inner }).map_err(js_error)
    }

    /// A run of the current lesson's variant `variant`.
    #[wasm_bindgen(js_name = forkVariant)]
    pub fn fork_variant(&self, variant: JsValue) -> JsResult<Session> {
        let variant = argument::whole("variant", &variant, 0, u32::MAX.into())?;
        self.inner.fork_variant(variant as usize).map(|inner| Session { inner }).map_err(js_error)
    }

    // ---- training -------------------------------------------------------------------------

    /// Runs the next phase: `{kind, layer?}`.
    #[wasm_bindgen(js_name = stepPhase)]
    pub fn step_phase(&mut self) -> JsResult<JsValue> {
        self.inner.step_phase().map(|p| to_js(&p)).map_err(js_error)
    }

    /// Finishes the current step; returns its batch loss.
    pub fn step(&mut self) -> JsResult<f64> {
        self.inner.step().map_err(js_error)
    }

    /// Runs steps until the epoch counter moves on.
    #[wasm_bindgen(js_name = stepEpoch)]
    pub fn step_epoch(&mut self) -> JsResult<f64> {
        self.inner.step_epoch().map_err(js_error)
    }

    /// Runs `steps` whole steps fast (at most 10,000,000); returns the last batch loss.
    pub fn train(&mut self, steps: JsValue) -> JsResult<f64> {
        let steps = argument::steps(&steps)?;
        self.inner.train(steps).map_err(js_error)
    }

    /// Fresh initial weights (from `seed` if given; undefined: the settings' seed).
    pub fn reset(&mut self, seed: JsValue) -> JsResult<JsValue> {
        let seed = argument::optional_u32("seed", &seed, 0, u32::MAX)?;
        Ok(to_js(&self.inner.reset(seed)))
    }

    /// Goes back to the state before the last training action (a phase, a step, an epoch, a
    /// run of `train`, a reset, a hand edit or a live setting), bit for bit, counters included.
    /// Returns the outcome; throws `out_of_range` when there is nothing to undo.
    pub fn undo(&mut self) -> JsResult<JsValue> {
        outcome(self.inner.undo())
    }

    /// Takes again the last action undone; throws `out_of_range` when there is none.
    pub fn redo(&mut self) -> JsResult<JsValue> {
        outcome(self.inner.redo())
    }

    /// How many actions can be undone (0 after a new network, data, lesson, link or file).
    #[wasm_bindgen(js_name = canUndo)]
    pub fn can_undo(&self) -> u32 {
        self.inner.can_undo() as u32
    }

    /// How many undone actions can be redone.
    #[wasm_bindgen(js_name = canRedo)]
    pub fn can_redo(&self) -> u32 {
        self.inner.can_redo() as u32
    }

    /// Why training stopped by itself, if it did.
    pub fn finished(&self) -> Option<String> {
        self.inner.finished().map(str::to_string)
    }

    #[wasm_bindgen(js_name = setWeight)]
    pub fn set_weight(&mut self, layer: JsValue, neuron: JsValue, input: JsValue, value: f64) -> JsResult<JsValue> {
        let param = argument::parameter(self.inner.trainer(), &layer, &neuron, Some(&input))?;
        outcome(self.inner.set_parameter(param, value))
    }

    #[wasm_bindgen(js_name = setBias)]
    pub fn set_bias(&mut self, layer: JsValue, neuron: JsValue, value: f64) -> JsResult<JsValue> {
        let param = argument::parameter(self.inner.trainer(), &layer, &neuron, None)?;
        outcome(self.inner.set_parameter(param, value))
    }

    // ---- the position --------------------------------------------------------------------

    /// `{last: {kind, layer?} | null, whole, edited, sample, selection}`.
    pub fn position(&self) -> JsValue {
        to_js(self.inner.position())
    }

    /// How many phases of the current step have run.
    pub fn progress(&self) -> u32 {
        self.inner.progress() as u32
    }

    /// The phases of one step, in order: `[{kind, layer?}]`.
    pub fn phases(&self) -> JsValue {
        to_js(&Phase::all(self.inner.trainer().network().layers.len()))
    }

    #[wasm_bindgen(js_name = nextPhase)]
    pub fn next_phase(&self) -> JsValue {
        to_js(&self.inner.trainer().next_phase())
    }

    /// Shows a neuron or edge (`{type: 'neuron'|'edge', layer, neuron, input?}`), or none (null).
    pub fn select(&mut self, selection: JsValue) -> JsResult<JsValue> {
        let selection: Option<Selection> =
            if selection.is_null() || selection.is_undefined() { None } else { Some(read_selection(&selection)?) };
        outcome(self.inner.select(selection))
    }

    #[wasm_bindgen(js_name = setSample)]
    pub fn set_sample(&mut self, sample: JsValue) -> JsResult<JsValue> {
        // Sample 0 is there before the first batch too (the page shows it).
        let samples = self.inner.trainer().network().batch_len.max(1);
        let sample = argument::index("sample", &sample, samples)?;
        outcome(self.inner.set_sample(sample))
    }

    // ---- reading ---------------------------------------------------------------------------

    pub fn steps(&self) -> f64 {
        self.inner.trainer().steps() as f64
    }

    pub fn epochs(&self) -> f64 {
        self.inner.trainer().epochs() as f64
    }

    #[wasm_bindgen(js_name = stepsPerEpoch)]
    pub fn steps_per_epoch(&self) -> u32 {
        self.inner.trainer().steps_per_epoch() as u32
    }

    /// The batch loss of the last loss phase (NaN before the first).
    pub fn loss(&self) -> f64 {
        self.inner.trainer().network().loss_value
    }

    /// The learning rate the next update uses (through the schedule).
    #[wasm_bindgen(js_name = learningRate)]
    pub fn learning_rate(&self) -> f64 {
        self.inner.learning_rate()
    }

    /// The learning rate of the current step's update: the one it used once it has run (after
    /// the last update of an epoch, `learningRate` is already the next epoch's).
    #[wasm_bindgen(js_name = updateLearningRate)]
    pub fn update_learning_rate(&self) -> f64 {
        self.inner.update_learning_rate()
    }

    #[wasm_bindgen(js_name = batchLength)]
    pub fn batch_length(&self) -> u32 {
        self.inner.trainer().network().batch_len as u32
    }

    #[wasm_bindgen(js_name = batchIndices)]
    pub fn batch_indices(&self) -> Vec<u32> {
        self.inner.trainer().network().batch_indices.iter().map(|&i| i as u32).collect()
    }

    /// `[inputs, units of layer 1, …, outputs]`.
    pub fn shape(&self) -> Vec<u32> {
        let n = self.inner.trainer().network();
        std::iter::once(n.inputs).chain(n.layers.iter().map(|l| l.units)).map(|u| u as u32).collect()
    }

    /// Each layer's kind and maps: `[{kind, input: {channels, height, width}, output,
    /// parameter_rows, row_len}]` (`kind` is `{type: 'dense'}`, `{type: 'convolution', …}`, …).
    #[wasm_bindgen(js_name = layerMaps)]
    pub fn layer_maps(&self) -> JsValue {
        to_js(&self.inner.trainer().network().layer_maps())
    }

    /// Counts rebuilds of the network (views lay out again when it changes).
    #[wasm_bindgen(js_name = networkVersion)]
    pub fn network_version(&self) -> u32 {
        self.inner.network_version()
    }

    /// `{origin, name, label, kind, classes, dims, inputs, outputs, input_labels, features,
    /// headers, train_points, test_points, domain, y_domain, version}`.
    #[wasm_bindgen(js_name = dataInfo)]
    pub fn data_info(&self) -> JsValue {
        to_js(&self.inner.data_info())
    }

    pub fn coords(&self, test: bool) -> Vec<f64> {
        self.inner.coords(test)
    }

    pub fn labels(&self, test: bool) -> Vec<f64> {
        self.inner.labels(test)
    }

    #[wasm_bindgen(js_name = gridInputs)]
    pub fn grid_inputs(&self, x0: f64, x1: f64, y0: f64, y1: f64, resolution: JsValue) -> JsResult<Vec<f64>> {
        let resolution = argument::grid_resolution(&resolution)?;
        self.inner.grid_inputs((x0, x1), (y0, y1), resolution).map_err(js_error)
    }

    /// Runs the network on rows of inputs; read the `Probe*` buffers. Returns the rows.
    pub fn probe(&mut self, inputs: &[f64]) -> JsResult<u32> {
        self.inner.probe(inputs).map(|r| r as u32).map_err(js_error)
    }

    /// The activations of layer `layer` (the last: the outputs) for rows of raw coordinates
    /// (a digit drawn by hand, images of the gallery): rows × that layer's units.
    #[wasm_bindgen(js_name = activationsOf)]
    pub fn activations_of(&mut self, coords: &[f64], layer: JsValue) -> JsResult<Vec<f64>> {
        let layer = argument::index("layer", &layer, self.inner.trainer().network().layers.len())?;
        self.inner.activations_of(coords, layer).map_err(js_error)
    }

    /// Metrics on the test points (or the training points); null for exact samples.
    pub fn metrics(&mut self, test: bool) -> JsResult<JsValue> {
        self.inner.metrics(test).map(|m| m.map_or(JsValue::NULL, |m| to_js(&m))).map_err(js_error)
    }

    /// The network's outputs for every training (or test) point, row by row (points ×
    /// outputs); for a lesson's samples, one row per sample.
    pub fn outputs(&mut self, test: bool) -> JsResult<Vec<f64>> {
        self.inner.outputs(test).map_err(js_error)
    }

    #[wasm_bindgen(js_name = datasetLoss)]
    pub fn dataset_loss(&mut self, test: bool) -> JsResult<f64> {
        self.inner.dataset_loss(test).map_err(js_error)
    }

    /// The chain rule of a weight (or, with `input` undefined, a bias) for the sample shown.
    #[wasm_bindgen(js_name = chainRule)]
    pub fn chain_rule(&self, layer: JsValue, neuron: JsValue, input: JsValue) -> JsResult<JsValue> {
        let input = (!input.is_undefined()).then_some(&input);
        let param = argument::parameter(self.inner.trainer(), &layer, &neuron, input)?;
        self.inner.chain_rule(param).map(|c| to_js(&c)).map_err(js_error)
    }

    /// The chain rule of kernel weight K[outChannel, inChannel, row, column] of convolution
    /// layer `layer` over the batch: `{weight, value, terms: [{sample, row, column, input_row,
    /// input_column, in_padding, delta, input, term}], sum, scale, gradient}`.
    #[wasm_bindgen(js_name = kernelChainRule)]
    pub fn kernel_chain_rule(
        &self,
        layer: JsValue,
        out_channel: JsValue,
        in_channel: JsValue,
        row: JsValue,
        column: JsValue,
    ) -> JsResult<JsValue> {
        let layers = self.inner.trainer().network().layers.len();
        let layer = argument::index("layer", &layer, layers)?;
        let part = |name: &str, value: &JsValue| argument::whole(name, value, 0, u32::MAX.into()).map(|n| n as usize);
        let weight = KernelWeight {
            out_channel: part("output channel", &out_channel)?,
            in_channel: part("input channel", &in_channel)?,
            row: part("kernel row", &row)?,
            column: part("kernel column", &column)?,
        };
        self.inner.kernel_chain_rule(layer, weight).map(|c| to_js(&c)).map_err(js_error)
    }

    /// The chain rule through time of weight (`row`, `column`) of recurrent layer `layer` over
    /// the batch, where `column` < C is W_x's and C + k is W_h's column k; its bias b_row when
    /// `column` is left out: `{name, row, column, value, terms: [{sample, step, delta, input,
    /// term}], step_sums, sum, scale, gradient, clipped}`.
    #[wasm_bindgen(js_name = recurrentChainRule)]
    pub fn recurrent_chain_rule(&self, layer: JsValue, row: JsValue, column: JsValue) -> JsResult<JsValue> {
        let layer = argument::index("layer", &layer, self.inner.trainer().network().layers.len())?;
        let part = |name: &str, value: &JsValue| argument::whole(name, value, 0, u32::MAX.into()).map(|n| n as usize);
        let row = part("hidden unit", &row)?;
        let column = if column.is_undefined() { None } else { Some(part("weight column", &column)?) };
        self.inner.recurrent_chain_rule(layer, row, column).map(|c| to_js(&c)).map_err(js_error)
    }

    /// Each time step's share of recurrent layer `layer`'s gradients on the current batch, t = 1 … T:
    /// `{weights_input, weights_hidden, biases, delta, clip: {threshold, norm, scale, acted}}`.
    #[wasm_bindgen(js_name = recurrentStepNorms)]
    pub fn recurrent_step_norms(&self, layer: JsValue) -> JsResult<JsValue> {
        let layer = argument::index("layer", &layer, self.inner.trainer().network().layers.len())?;
        self.inner.recurrent_step_norms(layer).map(|n| to_js(&n)).map_err(js_error)
    }

    /// The computation graph of batch sample `sample`: `{nodes: [{id, kind, label, formula,
    /// place, inputs: [{from, local_derivative}], consumers, value, gradient, gradient_from,
    /// fan_out, value_phase, gradient_phase, depth}], order, depths, folded, …}`. `unfold`
    /// (optional, [layer, neuron, …] in engine layers) shows those neurons of a folded graph
    /// unfolded into their products, sum and activation.
    #[wasm_bindgen(js_name = computationGraph)]
    pub fn computation_graph(&self, sample: JsValue, unfold: Option<Vec<f64>>) -> JsResult<JsValue> {
        let network = self.inner.trainer().network();
        let batch = network.batch_len.max(1);
        let sample = argument::index("sample", &sample, batch)?;
        let Some(unfold) = unfold.filter(|u| !u.is_empty()) else {
            return self.inner.computation_graph(sample).map(|g| to_js(&g)).map_err(js_error);
        };
        network.dense_only("the computation graph", 0..network.layers.len()).map_err(js_error)?;
        // unfold: [layer, neuron, layer, neuron, …], engine layers: the neurons to show unfolded.
        let widest = network.layers.iter().map(|l| l.units).max().unwrap_or(1) as u64;
        let layer = network.layers.len().max(1) as u64 - 1;
        let pairs: Vec<(usize, usize)> = unfold
            .chunks(2)
            .map(|pair| {
                let l = argument::wholes("unfold layer", &pair[..1], 0, layer)?[0] as usize;
                let n = argument::wholes("unfold neuron", &pair[1.min(pair.len() - 1)..], 0, widest - 1)?[0] as usize;
                Ok((l, n))
            })
            .collect::<JsResult<_>>()?;
        let graph = crate::computation_graph::build_unfolding(network, sample, &|p| self.inner.done(p), &pairs);
        Ok(to_js(&graph))
    }

    #[wasm_bindgen(js_name = gradientCheck)]
    pub fn gradient_check(&self) -> JsResult<JsValue> {
        let mut trainer = self.inner.trainer().clone();
        trainer.gradient_check().map(|g| to_js(&g)).map_err(js_error)
    }

    // ---- tours -------------------------------------------------------------------------------

    /// The current lesson's tour: `{lesson, stops: [{text, at: {steps, last}, target: {kind, …},
    /// checkpoint: {quantity, layer, neuron, input, sample} | null}]}`, or null.
    pub fn tour(&self) -> JsValue {
        self.inner.tour().map_or(JsValue::NULL, |t| to_js(&t))
    }

    /// Brings the session to stop `k` (see `Session::go_to_stop`); returns the outcome.
    #[wasm_bindgen(js_name = goToStop)]
    pub fn go_to_stop(&mut self, k: JsValue) -> JsResult<JsValue> {
        let k = self.stop_index(&k)?;
        outcome(self.inner.go_to_stop(k))
    }

    /// Stop `k`'s checkpoint, for the session at that stop: `{question, prompt, symbol, answer,
    /// tolerance, tolerance_text, choices: [{value, mistake}], phase}`, or null.
    pub fn checkpoint(&self, k: JsValue) -> JsResult<JsValue> {
        let k = self.stop_index(&k)?;
        self.inner.checkpoint(k).map(|c| c.map_or(JsValue::NULL, |c| to_js(&c))).map_err(js_error)
    }

    /// Judges `value` (typed, or a choice's) for stop `k`'s checkpoint: `{correct, answer,
    /// typed, mistake, feedback}`.
    pub fn answer(&self, k: JsValue, value: JsValue) -> JsResult<JsValue> {
        let k = self.stop_index(&k)?;
        let typed = value.as_f64().filter(|x| x.is_finite()).ok_or_else(|| {
            js_error(crate::error::Error::OutOfRange(format!(
                "the answer must be a finite number, not {}",
                match argument::given(&value) {
                    crate::argument::Given::Number(x) => crate::error::short(x),
                    crate::argument::Given::Other(what) => what.to_string(),
                }
            )))
        })?;
        self.inner.answer(k, typed).map(|v| to_js(&v)).map_err(js_error)
    }

    // ---- the loss history -------------------------------------------------------------------

    /// Adds a point for the current step to the loss history now (the end of a run).
    #[wasm_bindgen(js_name = recordHistory)]
    pub fn record_history(&mut self) {
        self.inner.record_history();
    }

    /// The step at which training diverged (the chart marks it), or undefined.
    #[wasm_bindgen(js_name = historyDivergedAt)]
    pub fn history_diverged_at(&self) -> Option<f64> {
        self.inner.history().diverged_at.map(|s| s as f64)
    }

    #[wasm_bindgen(js_name = historyLength)]
    pub fn history_length(&self) -> u32 {
        self.inner.history().len() as u32
    }

    /// Steps between two points of the history.
    #[wasm_bindgen(js_name = historyEvery)]
    pub fn history_every(&self) -> f64 {
        self.inner.history().every as f64
    }

    #[wasm_bindgen(js_name = historySteps)]
    pub fn history_steps(&self) -> Vec<f64> {
        self.inner.history().steps.clone()
    }

    #[wasm_bindgen(js_name = historyTrain)]
    pub fn history_train(&self) -> Vec<f64> {
        self.inner.history().train.clone()
    }

    #[wasm_bindgen(js_name = historyTest)]
    pub fn history_test(&self) -> Vec<f64> {
        self.inner.history().test.clone()
    }

    /// Draws the loss chart on `canvas` (its backing store sized for `pixel_ratio`), the
    /// training and test losses in colours 0xRRGGBB.
    #[wasm_bindgen(js_name = drawLossChart)]
    pub fn draw_loss_chart(
        &self,
        canvas: web_sys::HtmlCanvasElement,
        pixel_ratio: f64,
        train_colour: JsValue,
        test_colour: JsValue,
    ) -> JsResult<()> {
        let train_colour = argument::whole_u32("training colour", &train_colour, 0, 0xff_ffff)?;
        let test_colour = argument::whole_u32("test colour", &test_colour, 0, 0xff_ffff)?;
        let log = self.inner.settings().view.log_scale;
        crate::wasm_chart::draw_history(canvas, self.inner.history(), log, pixel_ratio, (train_colour, test_colour))
    }

    // ---- views over the arrays -------------------------------------------------------------

    #[wasm_bindgen(js_name = layerCount)]
    pub fn layer_count(&self) -> u32 {
        self.inner.trainer().network().layers.len() as u32
    }

    #[wasm_bindgen(js_name = inputCount)]
    pub fn input_count(&self) -> u32 {
        self.inner.trainer().network().inputs as u32
    }

    #[wasm_bindgen(js_name = layerUnits)]
    pub fn layer_units(&self, layer: JsValue) -> JsResult<u32> {
        layer_of(self.inner.trainer(), &layer).map(|l| l.units as u32)
    }

    #[wasm_bindgen(js_name = bufferPtr)]
    pub fn buffer_ptr(&self, buffer: JsValue, layer: JsValue) -> JsResult<u32> {
        buffer_slice(self.inner.trainer(), &buffer, &layer).map(|s| s.as_ptr() as usize as u32)
    }

    #[wasm_bindgen(js_name = bufferLen)]
    pub fn buffer_len(&self, buffer: JsValue, layer: JsValue) -> JsResult<u32> {
        buffer_slice(self.inner.trainer(), &buffer, &layer).map(|s| s.len() as u32)
    }
}

impl Default for Session {
    fn default() -> Self {
        Session::new()
    }
}

impl Session {
    /// The core session (for tests in Rust).
    pub fn core(&self) -> &CoreSession {
        &self.inner
    }
}

impl Session {
    /// A stop index of the current lesson's tour.
    fn stop_index(&self, k: &JsValue) -> JsResult<usize> {
        let tour = self
            .inner
            .tour()
            .ok_or_else(|| js_error(crate::error::Error::OutOfRange("this lesson has no tour".into())))?;
        argument::index("stop", k, tour.stops.len())
    }
}
