//! Generated input into every entry point of the JavaScript face, in wasm (where a panic is a
//! trap that would end this test run): each call succeeds or throws a JS Error with a kind and
//! a message, a refused call leaves the model as it was, and no index or count argument is
//! silently coerced.
//!
//! Index and count arguments are generated as JS would send them: whole numbers in and out of
//! range, and `-1`, `NaN`, `undefined`, `null`, `1.5`, `2**32`, `2**32 + 3`, `Infinity`, a
//! string, a boolean. An oracle here (not the face's own `argument.rs`) says whether each one
//! is a whole number in its argument's range; an accepted call with any argument that is not
//! is a *silently coerced* call, and the run asserts there are none.
//!
//! `make test` runs 100,000 calls (about 27 s in Node on 2 shared cores). A longer run, 10⁶
//! calls (a few minutes), reads the count at compile time (wasm in Node has no environment):
//!
//! ```sh
//! GENERATED_CALLS=1000000 CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
//!   cargo test --target wasm32-unknown-unknown --test wasm_generated_input -- --nocapture
//! ```
//!
//! Each run prints its figures: `calls, refused, accepted, coerced`.
#![cfg(target_arch = "wasm32")]

use backprop_viz::rng::Rng;
use backprop_viz::wasm::{decode_share_query, encode_share_query, Buffer, Engine};
use backprop_viz::wasm_chart::draw_loss_series;
use backprop_viz::wasm_data::DataSet;
use backprop_viz::wasm_session::Session;
use backprop_viz::Trainer;
use js_sys::JSON;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::wasm_bindgen_test;

/// Calls per run in `make test`; `GENERATED_CALLS` at compile time sets another count.
const DEFAULT_CALLS: usize = 100_000;

fn calls_per_run() -> usize {
    option_env!("GENERATED_CALLS").and_then(|n| n.replace('_', "").parse().ok()).unwrap_or(DEFAULT_CALLS)
}

/// Numbers a user or a buggy caller could send, the nasty ones often.
fn number(rng: &mut Rng) -> f64 {
    const NASTY: [f64; 10] = [0.0, -0.0, -1.0, 1e-300, 1e300, f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 0.5, 100.0];
    if rng.below(3) == 0 {
        NASTY[rng.below(NASTY.len())]
    } else {
        rng.uniform(-5.0, 5.0)
    }
}

/// An index or count argument as JS sends it, with the number it is (if it is one).
struct Arg {
    value: JsValue,
    number: Option<f64>,
}

impl Arg {
    /// The oracle: a JS number that is whole and from `low` to `high`.
    fn whole_in(&self, low: f64, high: f64) -> bool {
        self.number.is_some_and(|x| x.fract() == 0.0 && x >= low && x <= high)
    }

    /// An index into `count` things.
    fn index_of(&self, count: usize) -> bool {
        count > 0 && self.whole_in(0.0, count as f64 - 1.0)
    }

    /// An optional argument: undefined, or a whole number from `low` to `high`.
    fn left_out_or(&self, low: f64, high: f64) -> bool {
        self.value.is_undefined() || self.whole_in(low, high)
    }
}

/// An index or count: half the time a whole number from 0 to `typical` (valid or not, the
/// call's range decides), else what a careless caller sends.
fn arg(rng: &mut Rng, typical: u32) -> Arg {
    let nasty: [(JsValue, Option<f64>); 14] = [
        (JsValue::from(-1.0), Some(-1.0)),
        (JsValue::from(f64::NAN), Some(f64::NAN)),
        (JsValue::UNDEFINED, None),
        (JsValue::NULL, None),
        (JsValue::from(1.5), Some(1.5)),
        (JsValue::from(0.5), Some(0.5)),
        (JsValue::from(4294967296.0), Some(4294967296.0)),
        (JsValue::from(4294967299.0), Some(4294967299.0)),
        (JsValue::from(2147483648.0), Some(2147483648.0)),
        (JsValue::from(f64::INFINITY), Some(f64::INFINITY)),
        (JsValue::from(9007199254740993.0), Some(9007199254740993.0)),
        (JsValue::from_str("1"), None),
        (JsValue::TRUE, None),
        (JsValue::from(-0.0), Some(-0.0)),
    ];
    if rng.below(2) == 0 {
        let x = rng.below(typical as usize + 1) as f64;
        Arg { value: JsValue::from(x), number: Some(x) }
    } else {
        let (value, number) = nasty[rng.below(nasty.len())].clone();
        Arg { value, number }
    }
}

/// JSON-ish text: sometimes a valid settings object, often broken.
fn settings_text(rng: &mut Rng) -> String {
    let keys =
        ["kind", "learning_rate", "momentum", "rate", "factor", "every_epochs", "after_epochs", "below_loss", "bogus"];
    let values =
        ["\"adam\"", "\"l2\"", "\"step\"", "\"nope\"", "0.1", "-3", "1e400", "null", "[]", "{}", "true", "4294967296"];
    let mut text = String::from("{");
    for k in 0..rng.below(4) {
        if k > 0 {
            text.push(',');
        }
        text.push_str(&format!("\"{}\": {}", keys[rng.below(keys.len())], values[rng.below(values.len())]));
    }
    text.push('}');
    if rng.below(5) == 0 {
        text.truncate(rng.below(text.len() + 1));
    }
    text
}

fn settings(rng: &mut Rng) -> JsValue {
    let text = settings_text(rng);
    if rng.below(2) == 0 {
        JsValue::from_str(&text)
    } else {
        JSON::parse(&text).unwrap_or(JsValue::from_str(&text))
    }
}

/// The figures of a run.
#[derive(Default)]
struct Tally {
    calls: usize,
    refused: usize,
    accepted: usize,
    coerced: usize,
    first_coerced: Option<String>,
}

impl Tally {
    /// Counts one call: `args_valid` is the oracle's word on its index and count arguments.
    /// Returns whether it was refused (with a kind and a message, or the test fails).
    fn count<T>(&mut self, what: &str, args_valid: bool, result: Result<T, JsValue>) -> bool {
        self.calls += 1;
        match result {
            Ok(_) => {
                self.accepted += 1;
                if !args_valid {
                    self.coerced += 1;
                    self.first_coerced.get_or_insert_with(|| what.to_string());
                }
                false
            }
            Err(error) => {
                self.refused += 1;
                let kind = js_sys::Reflect::get(&error, &"kind".into()).ok().and_then(|k| k.as_string());
                assert!(kind.is_some_and(|k| !k.is_empty()), "{what}: every error carries a kind");
                let message: String = error.dyn_into::<js_sys::Error>().expect("a JS Error").message().into();
                assert!(!message.trim().is_empty() && message.chars().count() < 200, "{what}: {message}");
                true
            }
        }
    }
}

/// One call in this many also compares the whole text of the state (the engine's model file,
/// the session's settings and position), which costs far more than the numbers.
const FULL_CHECK_EVERY: usize = 8;

/// What a refused call must leave as it was: every weight and bias and the counters, bit for
/// bit, and (on some calls) the whole state as text.
#[derive(Debug, PartialEq)]
struct Kept {
    numbers: Vec<u64>,
    text: Option<String>,
}

impl Kept {
    fn of(trainer: &Trainer, counters: &[f64], text: impl FnOnce() -> String, full: bool) -> Kept {
        let layers = trainer.network().layers.iter();
        let parameters = layers.flat_map(|l| l.weights.iter().chain(&l.biases));
        let numbers = parameters.chain(counters).chain([trainer.steps() as f64].iter()).map(|x| x.to_bits()).collect();
        Kept { numbers, text: full.then(text) }
    }

    fn of_engine(engine: &Engine, full: bool) -> Kept {
        Kept::of(engine.trainer(), &[], || engine.export_model(), full)
    }

    fn of_session(s: &Session, full: bool) -> Kept {
        let counters = [s.progress() as f64, s.can_undo() as f64, s.can_redo() as f64];
        let text = || {
            let settings: String = JSON::stringify(&s.settings()).unwrap().into();
            let position: String = JSON::stringify(&s.position()).unwrap().into();
            format!("{settings}|{position}")
        };
        Kept::of(s.core().trainer(), &counters, text, full)
    }
}

/// The shape of an engine's network: units per layer and inputs per layer.
struct Shape {
    units: Vec<usize>,
    inputs: Vec<usize>,
}

impl Shape {
    fn of(shape: &[u32]) -> Shape {
        Shape {
            units: shape[1..].iter().map(|&u| u as usize).collect(),
            inputs: shape[..shape.len() - 1].iter().map(|&u| u as usize).collect(),
        }
    }

    /// The oracle for (layer, neuron, input?) naming a parameter.
    fn names(&self, layer: &Arg, neuron: &Arg, input: Option<&Arg>) -> bool {
        if !layer.index_of(self.units.len()) {
            return false;
        }
        let l = layer.number.unwrap() as usize;
        neuron.index_of(self.units[l]) && input.is_none_or(|i| i.index_of(self.inputs[l]))
    }
}

/// Which buffers are per layer (and which read the last probe) for the oracle.
fn buffer_layers(buffer: usize, layers: usize, probed: usize) -> Option<usize> {
    match Buffer::ALL[buffer] {
        Buffer::BatchInput | Buffer::BatchTarget | Buffer::GradOutput | Buffer::SampleLoss => None,
        Buffer::ProbeActivation | Buffer::ProbePreActivation => Some(probed),
        // The networks here are dense: none of their layers keeps states through time.
        Buffer::HiddenStates | Buffer::StepPreActivation | Buffer::StepGradHidden | Buffer::StepDelta => Some(0),
        _ => Some(layers),
    }
}

/// One generated call to the engine, its data set or a free function.
fn engine_call(rng: &mut Rng, engine: &mut Engine, data: &DataSet, tally: &mut Tally) {
    // The engine's network is 2 → 3 → 1 (fixed by the config below; nothing here changes it).
    let shape = Shape::of(&[2, 3, 1]);
    let full = tally.calls.is_multiple_of(FULL_CHECK_EVERY);
    let before = Kept::of_engine(engine, full);
    let refused = match rng.below(24) {
        0 => tally.count("Engine.setLearningRate", true, engine.set_learning_rate(number(rng))),
        1 => tally.count("Engine.setOptimizer", true, engine.set_optimizer(settings(rng))),
        2 => tally.count("Engine.setRegularization", true, engine.set_regularization(settings(rng))),
        3 => tally.count("Engine.setSchedule", true, engine.set_schedule(settings(rng))),
        4 => tally.count("Engine.setStopRule", true, engine.set_stop_rule(settings(rng))),
        5 => {
            let size = arg(rng, 8);
            let valid = size.whole_in(1.0, 100_000.0);
            tally.count("Engine.setBatchSize", valid, engine.set_batch_size(size.value))
        }
        6 => {
            let layer = arg(rng, 2);
            let valid = layer.index_of(1);
            tally.count("Engine.setDropout", valid, engine.set_dropout(layer.value, number(rng)))
        }
        7 => {
            let (layer, neuron, input) = (arg(rng, 2), arg(rng, 3), arg(rng, 3));
            let valid = shape.names(&layer, &neuron, Some(&input));
            let result = engine.set_weight(layer.value, neuron.value, input.value, number(rng));
            tally.count("Engine.setWeight", valid, result)
        }
        8 => {
            let (layer, neuron) = (arg(rng, 2), arg(rng, 3));
            let valid = shape.names(&layer, &neuron, None);
            tally.count("Engine.setBias", valid, engine.set_bias(layer.value, neuron.value, number(rng)))
        }
        9 => {
            let (layer, neuron, input, sample) = (arg(rng, 2), arg(rng, 3), arg(rng, 3), arg(rng, 4));
            let bias = input.value.is_undefined();
            let samples = (engine.batch_length() as usize).max(1);
            let valid = shape.names(&layer, &neuron, (!bias).then_some(&input)) && sample.index_of(samples);
            let result = engine.chain_rule(layer.value, neuron.value, input.value, sample.value);
            tally.count("Engine.chainRule", valid, result)
        }
        10 => {
            let (buffer, layer) = (arg(rng, 21), arg(rng, 2));
            let probed = engine.trainer().last_probe().activations.len();
            let valid = buffer.index_of(Buffer::ALL.len())
                && match buffer_layers(buffer.number.unwrap() as usize, 2, probed) {
                    Some(count) => layer.index_of(count),
                    None => layer.whole_in(0.0, u32::MAX.into()),
                };
            let result = if rng.below(2) == 0 {
                engine.buffer_ptr(buffer.value, layer.value)
            } else {
                engine.buffer_len(buffer.value, layer.value)
            };
            tally.count("Engine.bufferPtr/bufferLen", valid, result)
        }
        11 => {
            let rows: Vec<f64> = (0..rng.below(9)).map(|_| number(rng)).collect();
            tally.count("Engine.probe", true, engine.probe(&rows))
        }
        12 => {
            let x: Vec<f64> = (0..rng.below(9)).map(|_| number(rng)).collect();
            let y: Vec<f64> = (0..rng.below(5)).map(|_| number(rng)).collect();
            let refused = tally.count("Engine.setData", true, engine.set_data(x, y));
            if !refused {
                engine.use_data(data).unwrap();
            }
            refused
        }
        13 => {
            let steps = arg(rng, 5);
            let valid = steps.whole_in(0.0, 10_000_000.0);
            tally.count("Engine.train", valid, engine.train(steps.value))
        }
        14 => tally.count("Engine.stepPhase", true, engine.step_phase()),
        15 => {
            tally.count("new Engine", true, Engine::new(settings(rng)));
            false
        }
        16 => {
            let query = settings_text(rng).replace([':', ','], "&").replace(['{', '}', '"'], "=");
            let decoded = decode_share_query(&query);
            let session = js_sys::Reflect::get(&decoded, &"session".into()).unwrap();
            tally.count("encodeShareQuery", true, encode_share_query(session));
            false
        }
        17 => {
            let seed = arg(rng, 9);
            let valid = seed.whole_in(0.0, u32::MAX.into());
            let text = settings_text(rng).replace(':', ",");
            tally.count("DataSet.fromCsv", valid, DataSet::from_csv(&text, JsValue::UNDEFINED, 0.2, seed.value));
            false
        }
        18 => {
            let seed = arg(rng, 9);
            let valid = seed.left_out_or(0.0, u32::MAX.into());
            tally.count("Engine.reset", valid, engine.reset(seed.value))
        }
        19 => {
            let layer = arg(rng, 2);
            let valid = layer.index_of(2);
            tally.count("Engine.layerUnits", valid, engine.layer_units(layer.value))
        }
        20 => {
            let (dims, classes, train) = (arg(rng, 3), arg(rng, 3), arg(rng, 4));
            let points = rng.below(4);
            let coords: Vec<f64> = (0..points * 2).map(|_| number(rng)).collect();
            let labels: Vec<f64> = (0..points).map(|_| rng.below(3) as f64).collect();
            let valid = dims.whole_in(1.0, 256.0) && classes.whole_in(0.0, 256.0) && train.whole_in(0.0, points as f64);
            let result = DataSet::from_points(dims.value, classes.value, coords, labels, train.value);
            tally.count("DataSet.fromPoints", valid, result);
            false
        }
        21 => {
            let outputs = arg(rng, 3);
            let valid = outputs.whole_in(1.0, 256.0);
            tally.count("DataSet.targets", valid, data.targets(rng.below(2) == 0, outputs.value));
            false
        }
        22 => {
            let resolution = arg(rng, 12);
            let valid = resolution.whole_in(2.0, 512.0);
            tally.count("DataSet.gridInputs", valid, data.grid_inputs(-1.0, 1.0, -1.0, 1.0, resolution.value));
            false
        }
        _ => {
            // Series lengths and styles as numbers: the lengths must add up to the points given.
            let series = rng.below(3);
            let lengths: Vec<Arg> = (0..series).map(|_| arg(rng, 3)).collect();
            let points = rng.below(5);
            let numbers: Vec<f64> = lengths.iter().map(|a| a.number.unwrap_or(f64::NAN)).collect();
            let canvas = JsValue::from(js_sys::Object::new()).unchecked_into();
            let styles: Vec<f64> = (0..series).map(|_| 0x1f6fb4 as f64).collect();
            let steps: Vec<f64> = (0..points).map(|s| s as f64).collect();
            let result = draw_loss_series(canvas, &numbers, &steps, &steps, &styles, false, 1.0);
            // No canvas here: a call that gets past the arguments is refused for its canvas.
            assert!(result.is_err());
            tally.count("drawLossSeries", true, result);
            false
        }
    };
    // An accepted call may change the model (a reset, a step); a refused one must not.
    if refused {
        assert_eq!(Kept::of_engine(engine, full), before, "a refused call changed the model");
    }
}

/// One generated call to a session (the page's object).
fn session_call(rng: &mut Rng, session: &mut Session, tally: &mut Tally) {
    let shape = Shape::of(&session.shape());
    let layers = shape.units.len();
    let full = tally.calls.is_multiple_of(FULL_CHECK_EVERY);
    let before = Kept::of_session(session, full);
    let refused = match rng.below(12) {
        0 => {
            let (layer, neuron, input) = (arg(rng, 3), arg(rng, 8), arg(rng, 8));
            let valid = shape.names(&layer, &neuron, Some(&input));
            let result = session.set_weight(layer.value, neuron.value, input.value, number(rng));
            tally.count("Session.setWeight", valid, result)
        }
        1 => {
            let (layer, neuron) = (arg(rng, 3), arg(rng, 8));
            let valid = shape.names(&layer, &neuron, None);
            tally.count("Session.setBias", valid, session.set_bias(layer.value, neuron.value, number(rng)))
        }
        2 => {
            let (layer, neuron, input) = (arg(rng, 3), arg(rng, 8), arg(rng, 8));
            let bias = input.value.is_undefined();
            let valid = shape.names(&layer, &neuron, (!bias).then_some(&input));
            let result = session.chain_rule(layer.value, neuron.value, input.value);
            tally.count("Session.chainRule", valid, result);
            false
        }
        3 => {
            let sample = arg(rng, 12);
            let valid = sample.index_of((session.batch_length() as usize).max(1));
            tally.count("Session.setSample", valid, session.set_sample(sample.value))
        }
        4 => {
            let steps = arg(rng, 3);
            let valid = steps.whole_in(0.0, 10_000_000.0);
            tally.count("Session.train", valid, session.train(steps.value))
        }
        5 => {
            let seed = arg(rng, 9);
            let valid = seed.left_out_or(0.0, u32::MAX.into());
            tally.count("Session.reset", valid, session.reset(seed.value))
        }
        6 => {
            let resolution = arg(rng, 12);
            let valid = resolution.whole_in(2.0, 512.0);
            tally.count("Session.gridInputs", valid, session.grid_inputs(-1.0, 1.0, -1.0, 1.0, resolution.value))
        }
        7 => {
            let layer = arg(rng, 3);
            let valid = layer.index_of(layers);
            let coords: Vec<f64> = (0..2).map(|_| rng.uniform(-1.0, 1.0)).collect();
            tally.count("Session.activationsOf", valid, session.activations_of(&coords, layer.value));
            false
        }
        8 => {
            let layer = arg(rng, 3);
            let valid = layer.index_of(layers);
            tally.count("Session.layerUnits", valid, session.layer_units(layer.value))
        }
        9 => {
            let (buffer, layer) = (arg(rng, 21), arg(rng, 3));
            let probed = session.core().trainer().last_probe().activations.len();
            let valid = buffer.index_of(Buffer::ALL.len())
                && match buffer_layers(buffer.number.unwrap() as usize, layers, probed) {
                    Some(count) => layer.index_of(count),
                    None => layer.whole_in(0.0, u32::MAX.into()),
                };
            tally.count("Session.bufferPtr", valid, session.buffer_ptr(buffer.value, layer.value))
        }
        10 => {
            let variant = arg(rng, 4);
            // The XOR lesson's variants are checked by the lesson; the oracle checks the type.
            let valid = variant.left_out_or(0.0, u32::MAX.into());
            tally.count("Session.loadLesson", valid, session.load_lesson("xor", variant.value))
        }
        _ => {
            let column = arg(rng, 3);
            let valid = column.left_out_or(0.0, 256.0);
            let csv = "x,y,label\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n";
            tally.count("Session.loadCsv", valid, session.load_csv(csv, "xor.csv", column.value))
        }
    };
    if refused {
        assert_eq!(Kept::of_session(session, full), before, "a refused call changed the session");
    }
}

#[wasm_bindgen_test]
fn a_hundred_thousand_generated_calls_never_trap_never_coerce_and_refusals_change_nothing() {
    let mut rng = Rng::new(2026);
    let config = r#"{"inputs": 2, "layers": [{"units": 3, "activation": "tanh", "dropout": 0.2}, {"units": 1, "activation": "sigmoid"}], "batch_size": 3, "seed": 1}"#;
    let mut engine = Engine::new(JsValue::from_str(config)).unwrap();
    let data = DataSet::generate(JSON::parse(r#"{"problem": "xor"}"#).unwrap()).unwrap();
    engine.use_data(&data).unwrap();
    let mut session = Session::new();
    let mut tally = Tally::default();
    let calls = calls_per_run();
    while tally.calls < calls {
        // Two engine calls to one session call: the engine's face has more entry points.
        if rng.below(3) == 0 {
            session_call(&mut rng, &mut session, &mut tally);
        } else {
            engine_call(&mut rng, &mut engine, &data, &mut tally);
        }
    }
    let figures = format!(
        "generated calls: {}, refused: {}, accepted: {}, coerced: {}",
        tally.calls, tally.refused, tally.accepted, tally.coerced
    );
    wasm_bindgen_test::console_log!("{figures}");
    assert_eq!(tally.coerced, 0, "{figures}; the first: {:?}", tally.first_coerced);
    assert!(tally.refused > tally.calls / 4 && tally.accepted > tally.calls / 4, "{figures}: both paths are reached");
    engine.reset(JsValue::UNDEFINED).unwrap();
    engine.train(5.into()).unwrap();
    session.train(5.into()).unwrap();
}
