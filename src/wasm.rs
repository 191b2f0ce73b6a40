//! The JavaScript face of the engine: the only module that knows about JS.
//!
//! It turns JS values into core types and core errors into JS `Error`s, and exposes the
//! network's arrays as (pointer, length) pairs so JS can read them through a `Float64Array`
//! over the wasm memory without copying. Such a view goes stale when the memory grows, so
//! JS rebuilds it after any call that may allocate (`www/engine.js` does this).

use crate::config::{merge_json, NetworkConfig};
use crate::error::Error;
use crate::optimizer::OptimizerConfig;
use crate::regularization::Regularization;
use crate::trainer::{Split, Trainer};
use crate::wasm_argument as argument;
use serde::Serialize;
use wasm_bindgen::prelude::*;

/// The arrays JS can view. Per-layer ones take a layer index; the others ignore it.
/// Per-sample arrays are batch × width, sample-major.
#[wasm_bindgen]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Buffer {
    /// units × inputs, row j = neuron j's incoming weights.
    Weights,
    Biases,
    /// z per sample.
    PreActivation,
    /// a per sample.
    Activation,
    /// δ = dL/dz per sample.
    Delta,
    /// dL/dW of the batch.
    GradWeights,
    /// dL/db of the batch.
    GradBiases,
    /// ΔW applied by the last update.
    UpdateWeights,
    /// Δb applied by the last update.
    UpdateBiases,
    /// The weights before the last update (what that step's passes used).
    PreviousWeights,
    /// The biases before the last update.
    PreviousBiases,
    /// The batch's inputs x.
    BatchInput,
    /// The batch's targets y.
    BatchTarget,
    /// dL/da of the output layer per sample.
    GradOutput,
    /// L per sample.
    SampleLoss,
    /// a of a layer for the rows of the last `probe` call.
    ProbeActivation,
    /// z of a layer for the rows of the last `probe` call.
    ProbePreActivation,
    /// A recurrent layer's h_0 … h_T, (T + 1) × H per sample.
    HiddenStates,
    /// A recurrent layer's z_1 … z_T, T × H per sample.
    StepPreActivation,
    /// A recurrent layer's dL/dh_1 … dL/dh_T (from the layer above and from h_(t+1)), T × H per sample.
    StepGradHidden,
    /// A recurrent layer's δ_1 … δ_T = dL/dz_t, T × H per sample.
    StepDelta,
}

impl Buffer {
    /// Every buffer, in the order of their numbers in JS.
    pub const ALL: [Buffer; 21] = [
        Buffer::Weights,
        Buffer::Biases,
        Buffer::PreActivation,
        Buffer::Activation,
        Buffer::Delta,
        Buffer::GradWeights,
        Buffer::GradBiases,
        Buffer::UpdateWeights,
        Buffer::UpdateBiases,
        Buffer::PreviousWeights,
        Buffer::PreviousBiases,
        Buffer::BatchInput,
        Buffer::BatchTarget,
        Buffer::GradOutput,
        Buffer::SampleLoss,
        Buffer::ProbeActivation,
        Buffer::ProbePreActivation,
        Buffer::HiddenStates,
        Buffer::StepPreActivation,
        Buffer::StepGradHidden,
        Buffer::StepDelta,
    ];

    /// The buffer a JS value names (`Buffer.Weights` is 0), checked: not wrapped, not rounded.
    fn from_js(value: &JsValue) -> Result<Buffer, JsValue> {
        argument::index("buffer", value, Buffer::ALL.len()).map(|k| Buffer::ALL[k])
    }
}

/// A JS `Error` with the message, and `kind` (see `Error::kind`), `field` and `step` where
/// they apply: the page branches on `kind`, never on the message.
pub(crate) fn js_error(error: Error) -> JsValue {
    let value = fault(error.kind(), &error.to_string());
    if let Some(field) = error.field() {
        let _ = js_sys::Reflect::set(&value, &"field".into(), &field.into());
    }
    if let Error::Diverged { step, what, rule, kept_step } = &error {
        let _ = js_sys::Reflect::set(&value, &"step".into(), &(*step as f64).into());
        let _ = js_sys::Reflect::set(&value, &"what".into(), &what.as_str().into());
        let _ = js_sys::Reflect::set(&value, &"rule".into(), &rule.name().into());
        let _ = js_sys::Reflect::set(&value, &"keptStep".into(), &(*kept_step as f64).into());
    }
    value
}

/// A JS `Error` of `kind` with `message`.
pub(crate) fn fault(kind: &str, message: &str) -> JsValue {
    let error = js_sys::Error::new(message);
    let _ = js_sys::Reflect::set(&error, &"kind".into(), &kind.into());
    error.into()
}

pub fn to_js<T: Serialize>(value: &T) -> JsValue {
    value.serialize(&serde_wasm_bindgen::Serializer::json_compatible()).expect("plain data always converts to JS")
}

/// A JS object (or a JSON string) as JSON text.
fn json_text(value: &JsValue) -> Result<String, JsValue> {
    if let Some(text) = value.as_string() {
        return Ok(text);
    }
    js_sys::JSON::stringify(value)
        .ok()
        .and_then(|s| s.as_string())
        .ok_or_else(|| fault("parse", "expected an object of settings or a JSON string"))
}

/// Settings given as a JS object (or JSON text); the error names `what` and the field at fault.
pub(crate) fn settings<T: serde::de::DeserializeOwned>(what: &str, value: &JsValue) -> Result<T, JsValue> {
    crate::config::parse_json(&json_text(value)?)
        .map_err(|why| js_error(Error::InvalidConfig(format!("{what}: {why}"))))
}

/// `current` with the fields of a JS object (or JSON text) applied over it.
fn merged<T: Serialize + serde::de::DeserializeOwned>(what: &str, current: &T, value: &JsValue) -> Result<T, JsValue> {
    merge_json(current, &json_text(value)?).map_err(|why| js_error(Error::InvalidConfig(format!("{what}: {why}"))))
}

pub(crate) fn install_panic_hook() {
    #[cfg(target_arch = "wasm32")]
    {
        static ONCE: std::sync::Once = std::sync::Once::new();
        ONCE.call_once(|| {
            std::panic::set_hook(Box::new(|info| {
                web_sys::console::error_1(&format!("backprop-viz: internal error: {info}").into());
            }));
        });
    }
}

/// The wasm module's memory, for building typed-array views.
#[wasm_bindgen(js_name = wasmMemory)]
pub fn wasm_memory() -> JsValue {
    wasm_bindgen::memory()
}

/// Panics on purpose. The browser tests use it to check that the page reports an internal
/// error (a trapped instance) and recovers from it without a reload; nothing else calls it.
#[wasm_bindgen(js_name = internalErrorForTests)]
pub fn internal_error_for_tests() {
    panic!("a deliberate internal error, for the recovery test");
}

/// A fresh random seed from the platform (crypto.getRandomValues in the browser).
#[wasm_bindgen(js_name = freshSeed)]
pub fn fresh_seed() -> Result<u32, JsValue> {
    let mut bytes = [0u8; 4];
    getrandom::fill(&mut bytes).map_err(|e| fault("internal", &format!("no random source: {e}")))?;
    Ok(u32::from_le_bytes(bytes))
}

/// Every lesson: `[{id, title, text, session, samples, variants}]` (see `presets`).
#[wasm_bindgen]
pub fn lessons() -> JsValue {
    to_js(&crate::presets::lessons())
}

/// Reads a shareable link's query string: `{session, warnings}` (the settings it holds);
/// never throws.
#[wasm_bindgen(js_name = decodeShareQuery)]
pub fn decode_share_query(query: &str) -> JsValue {
    #[derive(Serialize)]
    struct Read {
        session: crate::settings::Settings,
        warnings: Vec<String>,
    }
    let decoded = crate::share::decode(query);
    to_js(&Read { session: decoded.settings, warnings: decoded.warnings })
}

/// The query string of a session's settings (`{network, data, features, scaling, lesson, points, view}`).
#[wasm_bindgen(js_name = encodeShareQuery)]
pub fn encode_share_query(session: JsValue) -> Result<String, JsValue> {
    let session: crate::settings::Settings = settings("session", &session)?;
    Ok(crate::share::encode(&session, &crate::share::Extras::default()))
}

#[wasm_bindgen]
pub struct Engine {
    trainer: Trainer,
}

#[wasm_bindgen]
impl Engine {
    /// Builds an engine from a config object (or its JSON text); throws with the reason if
    /// the config is not usable.
    #[wasm_bindgen(constructor)]
    pub fn new(config: JsValue) -> Result<Engine, JsValue> {
        install_panic_hook();
        let config = NetworkConfig::from_json(&json_text(&config)?).map_err(js_error)?;
        Ok(Engine { trainer: Trainer::new(config).map_err(js_error)? })
    }

    /// Builds an engine from a model file's text.
    #[wasm_bindgen(js_name = fromModel)]
    pub fn from_model(text: &str) -> Result<Engine, JsValue> {
        install_panic_hook();
        Ok(Engine { trainer: Trainer::from_model_json(text).map_err(js_error)? })
    }

    /// The model file (JSON text) of the current network.
    #[wasm_bindgen(js_name = exportModel)]
    pub fn export_model(&self) -> String {
        self.trainer.export_model_json()
    }

    /// The settings in force, as a plain object.
    pub fn config(&self) -> JsValue {
        to_js(self.trainer.config())
    }

    /// Replaces the training data: `inputs` is samples × inputs, `targets` samples × outputs.
    #[wasm_bindgen(js_name = setData)]
    pub fn set_data(&mut self, inputs: Vec<f64>, targets: Vec<f64>) -> Result<(), JsValue> {
        self.trainer.set_data(Split::Train, inputs, targets).map_err(js_error)
    }

    /// Replaces the test data (used by `datasetLoss(true)`).
    #[wasm_bindgen(js_name = setTestData)]
    pub fn set_test_data(&mut self, inputs: Vec<f64>, targets: Vec<f64>) -> Result<(), JsValue> {
        self.trainer.set_data(Split::Test, inputs, targets).map_err(js_error)
    }

    /// The phase that `stepPhase` will run: `{kind: "forward"|"loss"|"backward"|"update", layer?}`.
    #[wasm_bindgen(js_name = nextPhase)]
    pub fn next_phase(&self) -> JsValue {
        to_js(&self.trainer.next_phase())
    }

    /// Runs one phase and returns it (as `nextPhase` describes it).
    #[wasm_bindgen(js_name = stepPhase)]
    pub fn step_phase(&mut self) -> Result<JsValue, JsValue> {
        self.trainer.step_phase().map(|p| to_js(&p)).map_err(js_error)
    }

    /// Finishes the current training step; returns its batch loss.
    pub fn step(&mut self) -> Result<f64, JsValue> {
        self.trainer.step().map_err(js_error)
    }

    /// Runs `steps` whole training steps (at most 10,000,000); returns the last batch loss.
    pub fn train(&mut self, steps: JsValue) -> Result<f64, JsValue> {
        let steps = argument::steps(&steps)?;
        self.trainer.train(steps).map_err(js_error)
    }

    /// Starts again from fresh weights, with `seed` if given (undefined: the config's).
    pub fn reset(&mut self, seed: JsValue) -> Result<(), JsValue> {
        let seed = argument::optional_u32("seed", &seed, 0, u32::MAX)?;
        self.trainer.reset(seed);
        Ok(())
    }

    #[wasm_bindgen(js_name = setLearningRate)]
    pub fn set_learning_rate(&mut self, learning_rate: f64) -> Result<(), JsValue> {
        self.trainer.set_learning_rate(learning_rate).map_err(js_error)
    }

    /// Changes optimizer settings; fields left out keep their value.
    #[wasm_bindgen(js_name = setOptimizer)]
    pub fn set_optimizer(&mut self, settings: JsValue) -> Result<(), JsValue> {
        let merged: OptimizerConfig = merged("optimizer", &self.trainer.config().optimizer, &settings)?;
        self.trainer.set_optimizer(merged).map_err(js_error)
    }

    /// Changes regularization settings; fields left out keep their value.
    #[wasm_bindgen(js_name = setRegularization)]
    pub fn set_regularization(&mut self, settings: JsValue) -> Result<(), JsValue> {
        let merged: Regularization = merged("regularization", &self.trainer.config().regularization, &settings)?;
        self.trainer.set_regularization(merged).map_err(js_error)
    }

    /// Changes the learning-rate schedule; fields left out keep their value.
    #[wasm_bindgen(js_name = setSchedule)]
    pub fn set_schedule(&mut self, settings: JsValue) -> Result<(), JsValue> {
        let merged: crate::schedule::Schedule = merged("schedule", &self.trainer.config().schedule, &settings)?;
        self.trainer.set_schedule(merged).map_err(js_error)
    }

    /// Changes when training stops by itself (`{after_epochs, below_loss}`, 0 = never); clears `finished`.
    #[wasm_bindgen(js_name = setStopRule)]
    pub fn set_stop_rule(&mut self, settings: JsValue) -> Result<(), JsValue> {
        let merged: crate::config::StopRule = merged("stop rule", &self.trainer.config().stop, &settings)?;
        self.trainer.set_stop_rule(merged).map_err(js_error)
    }

    /// Why training stopped by itself, or undefined while it has not.
    pub fn finished(&self) -> Option<String> {
        self.trainer.finished().map(str::to_string)
    }

    /// The learning rate the next update uses (the base rate through the schedule).
    #[wasm_bindgen(js_name = learningRate)]
    pub fn learning_rate(&self) -> f64 {
        self.trainer.learning_rate()
    }

    /// Sets a hidden layer's dropout probability (0 to 0.9) from the next forward phase on.
    #[wasm_bindgen(js_name = setDropout)]
    pub fn set_dropout(&mut self, layer: JsValue, probability: f64) -> Result<(), JsValue> {
        let hidden = self.trainer.network().layers.len() - 1;
        let layer = argument::index("hidden layer", &layer, hidden)?;
        self.trainer.set_dropout(layer, probability).map_err(js_error)
    }

    /// Sets the batch size (1 to 100,000).
    #[wasm_bindgen(js_name = setBatchSize)]
    pub fn set_batch_size(&mut self, batch_size: JsValue) -> Result<(), JsValue> {
        let batch_size = argument::whole("batch size", &batch_size, 1, crate::config::MAX_SAMPLES as u64)?;
        self.trainer.set_batch_size(batch_size as usize).map_err(js_error)
    }

    /// Sets weight w_ji of layer `layer` (from input `input` to neuron `neuron`).
    #[wasm_bindgen(js_name = setWeight)]
    pub fn set_weight(&mut self, layer: JsValue, neuron: JsValue, input: JsValue, value: f64) -> Result<(), JsValue> {
        let param = argument::parameter(&self.trainer, &layer, &neuron, Some(&input))?;
        self.trainer.set_parameter(param, value).map_err(js_error)
    }

    #[wasm_bindgen(js_name = setBias)]
    pub fn set_bias(&mut self, layer: JsValue, neuron: JsValue, value: f64) -> Result<(), JsValue> {
        let param = argument::parameter(&self.trainer, &layer, &neuron, None)?;
        self.trainer.set_parameter(param, value).map_err(js_error)
    }

    /// The factors of a weight's (or, with `input` undefined, a bias's) gradient for batch
    /// sample `sample`, as a plain object (see `ChainRule` in the Rust docs).
    #[wasm_bindgen(js_name = chainRule)]
    pub fn chain_rule(
        &self,
        layer: JsValue,
        neuron: JsValue,
        input: JsValue,
        sample: JsValue,
    ) -> Result<JsValue, JsValue> {
        let input = (!input.is_undefined()).then_some(&input);
        let param = argument::parameter(&self.trainer, &layer, &neuron, input)?;
        let sample = argument::index("sample", &sample, self.trainer.network().batch_len.max(1))?;
        self.trainer.chain_rule(param, sample).map(|c| to_js(&c)).map_err(js_error)
    }

    /// Compares every analytic gradient with a finite difference on the current batch:
    /// `{max_relative_error, worst, analytic, numeric, parameters_checked}`.
    #[wasm_bindgen(js_name = gradientCheck)]
    pub fn gradient_check(&mut self) -> Result<JsValue, JsValue> {
        self.trainer.gradient_check().map(|g| to_js(&g)).map_err(js_error)
    }

    /// The loss over the whole training set, or the test set with `test` true.
    #[wasm_bindgen(js_name = datasetLoss)]
    pub fn dataset_loss(&mut self, test: bool) -> Result<f64, JsValue> {
        let split = if test { Split::Test } else { Split::Train };
        self.trainer.dataset_loss(split).map_err(js_error)
    }

    /// Runs the network on `inputs` (rows × inputs) without training; read the results with
    /// the `ProbeActivation` / `ProbePreActivation` buffers. Returns the number of rows.
    pub fn probe(&mut self, inputs: &[f64]) -> Result<u32, JsValue> {
        self.trainer.probe(inputs).map(|p| p.rows as u32).map_err(js_error)
    }

    /// Completed training steps.
    pub fn steps(&self) -> f64 {
        self.trainer.steps() as f64
    }

    /// Completed epochs.
    pub fn epochs(&self) -> f64 {
        self.trainer.epochs() as f64
    }

    /// The batch loss of the last loss phase (NaN before the first).
    pub fn loss(&self) -> f64 {
        self.trainer.network().loss_value
    }

    /// Samples in the current batch (0 before the first step).
    #[wasm_bindgen(js_name = batchLength)]
    pub fn batch_length(&self) -> u32 {
        self.trainer.network().batch_len as u32
    }

    /// The data rows the current batch holds.
    #[wasm_bindgen(js_name = batchIndices)]
    pub fn batch_indices(&self) -> Vec<u32> {
        self.trainer.network().batch_indices.iter().map(|&i| i as u32).collect()
    }

    #[wasm_bindgen(js_name = stepsPerEpoch)]
    pub fn steps_per_epoch(&self) -> u32 {
        self.trainer.steps_per_epoch() as u32
    }

    /// Phases in one step: 2 × layers + 2.
    #[wasm_bindgen(js_name = phasesPerStep)]
    pub fn phases_per_step(&self) -> u32 {
        crate::phase::Phase::count(self.trainer.network().layers.len()) as u32
    }

    /// Layers after the input (hidden layers and the output layer).
    #[wasm_bindgen(js_name = layerCount)]
    pub fn layer_count(&self) -> u32 {
        self.trainer.network().layers.len() as u32
    }

    /// The number of inputs of the network.
    #[wasm_bindgen(js_name = inputCount)]
    pub fn input_count(&self) -> u32 {
        self.trainer.network().inputs as u32
    }

    /// The number of neurons of layer `layer`.
    #[wasm_bindgen(js_name = layerUnits)]
    pub fn layer_units(&self, layer: JsValue) -> Result<u32, JsValue> {
        layer_of(&self.trainer, &layer).map(|l| l.units as u32)
    }

    /// Where a buffer starts in wasm memory (a byte offset).
    #[wasm_bindgen(js_name = bufferPtr)]
    pub fn buffer_ptr(&self, buffer: JsValue, layer: JsValue) -> Result<u32, JsValue> {
        buffer_slice(&self.trainer, &buffer, &layer).map(|s| s.as_ptr() as usize as u32)
    }

    /// How many f64 a buffer holds.
    #[wasm_bindgen(js_name = bufferLen)]
    pub fn buffer_len(&self, buffer: JsValue, layer: JsValue) -> Result<u32, JsValue> {
        buffer_slice(&self.trainer, &buffer, &layer).map(|s| s.len() as u32)
    }
}

impl Engine {
    pub fn trainer(&self) -> &Trainer {
        &self.trainer
    }

    pub(crate) fn trainer_mut(&mut self) -> &mut Trainer {
        &mut self.trainer
    }

    /// Runs the network on rows of inputs outside training (for other parts of the face).
    pub(crate) fn probe_inputs(&mut self, inputs: &[f64]) -> Result<&crate::network::Probe, JsValue> {
        self.trainer.probe(inputs).map_err(js_error)
    }
}

/// Layer `layer` (from 0) of a trainer's network (the engine's and the session's).
pub(crate) fn layer_of<'t>(trainer: &'t Trainer, layer: &JsValue) -> Result<&'t crate::network::Layer, JsValue> {
    let layers = &trainer.network().layers;
    argument::index("layer", layer, layers.len()).map(|k| &layers[k])
}

/// A recurrent layer's states through time; an error naming the layer's kind for any other.
fn through_time_of<'t>(
    trainer: &'t Trainer,
    layer: &JsValue,
) -> Result<&'t crate::layers::through_time::States, JsValue> {
    let k = argument::index("layer", layer, trainer.network().layers.len())?;
    let this = &trainer.network().layers[k];
    if this.through_time.as_ref().is_some_and(|s| s.unknown) {
        return Err(fault("out_of_range", "this step was opened from a saved state, which keeps no states through time: they are back after the next forward pass"));
    }
    this.through_time.as_ref().ok_or_else(|| {
        fault(
            "out_of_range",
            &format!(
                "layer {} is a {} layer: only a recurrent layer keeps states through time",
                k + 1,
                this.kind.name()
            ),
        )
    })
}

/// One of a trainer's arrays, for a typed-array view (the engine's and the session's). A
/// buffer that is not per layer still takes only a whole number as its layer.
pub(crate) fn buffer_slice<'t>(trainer: &'t Trainer, buffer: &JsValue, layer: &JsValue) -> Result<&'t [f64], JsValue> {
    let buffer = Buffer::from_js(buffer)?;
    let network = trainer.network();
    let probe = trainer.last_probe();
    let probed = |arrays: &'t [Vec<f64>]| -> Result<&'t [f64], JsValue> {
        if arrays.is_empty() {
            return Err(fault("out_of_range", "call probe before reading probe buffers"));
        }
        argument::index("layer", layer, arrays.len()).map(|k| arrays[k].as_slice())
    };
    if !matches!(buffer, Buffer::ProbeActivation | Buffer::ProbePreActivation) {
        argument::whole("layer", layer, 0, u32::MAX.into())?;
    }
    Ok(match buffer {
        Buffer::BatchInput => &network.batch_input,
        Buffer::BatchTarget => &network.batch_target,
        Buffer::GradOutput => &network.grad_output,
        Buffer::SampleLoss => &network.sample_loss,
        Buffer::ProbeActivation => return probed(&probe.activations),
        Buffer::ProbePreActivation => return probed(&probe.pre_activation),
        Buffer::Weights => &layer_of(trainer, layer)?.weights,
        Buffer::Biases => &layer_of(trainer, layer)?.biases,
        Buffer::PreActivation => &layer_of(trainer, layer)?.pre_activation,
        Buffer::Activation => &layer_of(trainer, layer)?.activations,
        Buffer::Delta => &layer_of(trainer, layer)?.delta,
        Buffer::GradWeights => &layer_of(trainer, layer)?.grad_weights,
        Buffer::GradBiases => &layer_of(trainer, layer)?.grad_biases,
        Buffer::UpdateWeights => &layer_of(trainer, layer)?.update_weights,
        Buffer::UpdateBiases => &layer_of(trainer, layer)?.update_biases,
        Buffer::PreviousWeights => &layer_of(trainer, layer)?.previous_weights,
        Buffer::PreviousBiases => &layer_of(trainer, layer)?.previous_biases,
        Buffer::HiddenStates => &through_time_of(trainer, layer)?.hidden,
        Buffer::StepPreActivation => &through_time_of(trainer, layer)?.pre_activation,
        Buffer::StepGradHidden => &through_time_of(trainer, layer)?.grad_hidden,
        Buffer::StepDelta => &through_time_of(trainer, layer)?.delta,
    })
}
