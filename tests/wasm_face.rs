//! The JavaScript face, exercised from wasm in Node (`wasm-bindgen-test-runner`): JS objects
//! in, plain objects and typed-array views out, JS `Error`s with readable messages.
#![cfg(target_arch = "wasm32")]

use backprop_viz::wasm::{fresh_seed, wasm_memory, Buffer, Engine};
use js_sys::{Float64Array, Reflect, JSON};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::wasm_bindgen_test;

const XOR: &str = r#"{"inputs": 2, "layers": [{"units": 3, "activation": "tanh"}, {"units": 1, "activation": "sigmoid"}],
    "optimizer": {"learning_rate": 0.5}, "batch_size": 4, "seed": 1}"#;

fn object(json: &str) -> JsValue {
    JSON::parse(json).expect("test JSON parses")
}

fn get(value: &JsValue, key: &str) -> JsValue {
    Reflect::get(value, &key.into()).expect("object")
}

fn number(value: &JsValue, key: &str) -> f64 {
    get(value, key).as_f64().unwrap_or_else(|| panic!("{key} is not a number"))
}

fn error_message<T>(result: Result<T, JsValue>) -> String {
    let error: JsValue = result.err().expect("should throw");
    error.dyn_into::<js_sys::Error>().expect("a JS Error").message().into()
}

fn xor_engine() -> Engine {
    let mut engine = Engine::new(object(XOR)).unwrap();
    engine.set_data(vec![0.0, 0.0, 0.0, 1.0, 1.0, 0.0, 1.0, 1.0], vec![0.0, 1.0, 1.0, 0.0]).unwrap();
    engine
}

fn view(engine: &Engine, buffer: Buffer, layer: u32) -> Vec<f64> {
    let memory: js_sys::WebAssembly::Memory = wasm_memory().unchecked_into();
    let array = Float64Array::new_with_byte_offset_and_length(
        &memory.buffer(),
        engine.buffer_ptr(buffer.into(), layer.into()).unwrap(),
        engine.buffer_len(buffer.into(), layer.into()).unwrap(),
    );
    array.to_vec()
}

#[wasm_bindgen_test]
fn builds_from_an_object_or_json_text_and_trains_xor() {
    let mut engine = xor_engine();
    let from_text = Engine::new(JsValue::from_str(XOR)).unwrap();
    assert_eq!(from_text.export_model(), engine.export_model());
    let loss = engine.train(3000.into()).unwrap();
    assert!(loss < 0.05, "{loss}");
    assert_eq!(engine.steps(), 3000.0);
    assert_eq!(engine.epochs(), 3000.0);
    assert!(engine.dataset_loss(false).unwrap() < 0.05);
}

#[wasm_bindgen_test]
fn phases_come_in_order_and_fill_the_views() {
    let mut engine = xor_engine();
    let kinds: Vec<(String, JsValue)> = (0..6)
        .map(|_| {
            let phase = engine.step_phase().unwrap();
            (get(&phase, "kind").as_string().unwrap(), get(&phase, "layer"))
        })
        .collect();
    let names: Vec<&str> = kinds.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(names, ["forward", "forward", "loss", "backward", "backward", "update"]);
    assert_eq!(kinds[3].1.as_f64(), Some(1.0));
    assert!(kinds[2].1.is_undefined());
    assert_eq!(get(&engine.next_phase(), "kind").as_string().unwrap(), "forward");

    assert_eq!(engine.batch_length(), 4);
    let hidden = view(&engine, Buffer::Activation, 0);
    assert_eq!(hidden.len(), 4 * 3);
    assert!(hidden.iter().all(|a| (-1.0..=1.0).contains(a)));
    let z = view(&engine, Buffer::PreActivation, 0);
    assert!(z.iter().zip(&hidden).all(|(z, a)| (z.tanh() - a).abs() < 1e-15));
    let sample_loss = view(&engine, Buffer::SampleLoss, 0);
    assert!((sample_loss.iter().sum::<f64>() / 4.0 - engine.loss()).abs() < 1e-15);
    let weights = view(&engine, Buffer::Weights, 1);
    let grads = view(&engine, Buffer::GradWeights, 1);
    let updates = view(&engine, Buffer::UpdateWeights, 1);
    assert_eq!(weights.len(), 3);
    assert!(updates.iter().zip(&grads).all(|(d, g)| *d == -0.5 * g));
}

#[wasm_bindgen_test]
fn the_chain_rule_and_gradient_check_come_as_plain_objects() {
    let mut engine = xor_engine();
    engine.train(10.into()).unwrap();
    let rule = engine.chain_rule(0.into(), 1.into(), 0.into(), 2.into()).unwrap();
    let product = number(&rule, "delta") * number(&rule, "a_prev");
    assert_eq!(number(&rule, "sample_gradient"), product);
    assert_eq!(get(&rule, "activation").as_string().unwrap(), "tanh");
    assert!(get(&rule, "target").is_null());
    let terms = js_sys::Array::from(&get(&rule, "downstream"));
    assert_eq!(terms.length(), 1);
    let bias = engine.chain_rule(1.into(), 0.into(), JsValue::UNDEFINED, 0.into()).unwrap();
    assert_eq!(number(&bias, "a_prev"), 1.0);
    assert!(number(&bias, "target") == 0.0 || number(&bias, "target") == 1.0);

    let check = engine.gradient_check().unwrap();
    assert!(number(&check, "max_relative_error") < 1e-6);
    assert_eq!(number(&check, "parameters_checked"), 13.0);
}

#[wasm_bindgen_test]
fn settings_change_without_losing_the_rest() {
    let mut engine = xor_engine();
    engine.set_optimizer(object(r#"{"kind": "adam"}"#)).unwrap();
    let optimizer = get(&engine.config(), "optimizer");
    assert_eq!(get(&optimizer, "kind").as_string().unwrap(), "adam");
    assert_eq!(number(&optimizer, "learning_rate"), 0.5);
    engine.set_learning_rate(0.001).unwrap();
    engine.set_regularization(object(r#"{"kind": "l2", "rate": 0.01}"#)).unwrap();
    engine.set_batch_size(2.into()).unwrap();
    let config = engine.config();
    assert_eq!(number(&get(&config, "optimizer"), "learning_rate"), 0.001);
    assert_eq!(get(&get(&config, "regularization"), "kind").as_string().unwrap(), "l2");
    assert_eq!(number(&config, "batch_size"), 2.0);
    assert_eq!(engine.steps_per_epoch(), 2);
}

#[wasm_bindgen_test]
fn errors_arrive_as_js_errors_with_readable_messages() {
    let bad_config = Engine::new(object(r#"{"inputs": 2, "layers": [{"units": 1, "activation": "sigmoidd"}]}"#));
    assert!(error_message(bad_config).contains("layers[0].activation: unknown variant `sigmoidd`"));
    assert!(error_message(Engine::new(JsValue::from_str("{"))).starts_with("invalid network settings"));
    let mut engine = xor_engine();
    assert!(error_message(engine.set_data(vec![1.0, 2.0, 3.0], vec![1.0])).contains("whole rows of 2"));
    assert!(error_message(engine.set_learning_rate(-1.0)).contains("learning rate"));
    assert!(error_message(engine.set_optimizer(object(r#"{"kind": "lbfgs"}"#))).contains("unknown variant `lbfgs`"));
    assert!(error_message(engine.chain_rule(0.into(), 0.into(), 0.into(), 0.into())).contains("no step has run yet"));
    assert!(
        error_message(engine.buffer_ptr(Buffer::Weights.into(), 9.into()))
            == "layer must be a whole number from 0 to 1, not 9"
    );
    assert!(error_message(Engine::from_model("{}")).contains("not a backprop-viz model"));
    let mut no_data = Engine::new(object(XOR)).unwrap();
    assert_eq!(error_message(no_data.train(1.into())), "no training data is loaded");
}

#[wasm_bindgen_test]
fn models_round_trip_and_probes_read_every_layer() {
    let mut engine = xor_engine();
    engine.train(100.into()).unwrap();
    let copy = Engine::from_model(&engine.export_model()).unwrap();
    assert_eq!(view(&copy, Buffer::Weights, 0), view(&engine, Buffer::Weights, 0));
    let grid = [0.0, 0.0, 0.5, 0.5, 1.0, 0.0];
    assert_eq!(engine.probe(&grid).unwrap(), 3);
    assert_eq!(view(&engine, Buffer::ProbeActivation, 0).len(), 9);
    assert_eq!(view(&engine, Buffer::ProbeActivation, 1).len(), 3);
    assert_ne!(fresh_seed().unwrap(), fresh_seed().unwrap());
}

/// Worked example 2 of ../shared/examples/ in wasm, whose libm differs from the native one:
/// the outputs after 5000 epochs still match tests/reference/xor_no_bias.py to 1e-9.
#[wasm_bindgen_test]
fn the_xor_worked_example_reproduces_in_wasm() {
    let config = r#"{"inputs": 2, "loss": "squared_error", "reduction": "sum", "batch_size": 4, "shuffle": false,
        "optimizer": {"kind": "sgd", "learning_rate": 0.5},
        "layers": [
          {"units": 2, "activation": "sigmoid", "bias": false,
           "weights": [[0.417022004702574, 0.00011437481734488664], [0.7203244934421581, 0.30233257263183977]]},
          {"units": 1, "activation": "sigmoid", "bias": false, "weights": [[0.14675589081711304, 0.0923385947687978]]}]}"#;
    let mut engine = Engine::new(JsValue::from_str(config)).unwrap();
    engine.set_data(vec![0.0, 0.0, 0.0, 1.0, 1.0, 0.0, 1.0, 1.0], vec![0.0, 1.0, 1.0, 0.0]).unwrap();
    engine.train(5000.into()).unwrap();
    engine.probe(&[0.0, 0.0, 0.0, 1.0, 1.0, 0.0, 1.0, 1.0]).unwrap();
    let outputs = view(&engine, Buffer::ProbeActivation, 1);
    let expected = [0.10283162432276878, 0.8365766583400569, 0.8365751788814939, 0.21555386527718434];
    for (got, want) in outputs.iter().zip(expected) {
        assert!((got - want).abs() < 1e-9, "{got} vs {want}");
    }
    assert!((engine.dataset_loss(false).unwrap() - 0.0552263362768559).abs() < 1e-9);
}

/// Issue 16: wasm-bindgen's `u32` wrapped these (`setWeight(2**32, …)` wrote layer 0's first
/// weight, `train(2**32 + 3)` ran 3 steps, `train(NaN)` 0); each is refused now, naming the
/// argument and its range, and changes nothing.
#[wasm_bindgen_test]
fn indices_and_counts_are_whole_numbers_in_range_or_refused() {
    let mut engine = xor_engine();
    let before = engine.export_model();
    let weight = |engine: &mut Engine, layer: JsValue| engine.set_weight(layer, JsValue::UNDEFINED, 0.into(), 7.0);
    assert_eq!(
        error_message(engine.set_weight(JsValue::UNDEFINED, JsValue::UNDEFINED, JsValue::UNDEFINED, 7.0)),
        "layer must be a whole number from 0 to 1, not undefined"
    );
    assert_eq!(
        error_message(weight(&mut engine, f64::NAN.into())),
        "layer must be a whole number from 0 to 1, not NaN"
    );
    assert_eq!(
        error_message(engine.set_weight(4294967296.0.into(), 0.into(), 0.into(), 9.0)),
        "layer must be a whole number from 0 to 1, not 4294967296"
    );
    assert_eq!(
        error_message(engine.set_weight((-1).into(), 0.into(), 0.into(), 9.0)),
        "layer must be a whole number from 0 to 1, not -1"
    );
    assert_eq!(
        error_message(engine.set_weight(0.into(), 3.into(), 0.into(), 9.0)),
        "neuron must be a whole number from 0 to 2, not 3"
    );
    assert_eq!(
        error_message(engine.set_bias(0.into(), JsValue::NULL, 9.0)),
        "neuron must be a whole number from 0 to 2, not null"
    );
    assert_eq!(
        error_message(engine.train(f64::NAN.into())),
        "steps must be a whole number from 0 to 10000000, not NaN"
    );
    assert!(error_message(engine.train(4294967299.0.into())).ends_with("not 4294967299"));
    // The range named is the one `train` runs, not the range of a u32.
    assert_eq!(error_message(engine.train(1.5.into())), "steps must be a whole number from 0 to 10000000, not 1.5");
    // A whole number above it reaches the trainer, whose refusal says what the limit is for.
    assert_eq!(
        error_message(engine.train(20_000_000.0.into())),
        "train runs at most 10000000 steps per call, not 20000000"
    );
    assert!(error_message(engine.train(JsValue::from_str("3"))).ends_with("not a string"));
    assert!(error_message(engine.set_batch_size(0.into())).starts_with("batch size must be a whole number from 1 to"));
    assert!(error_message(engine.reset(JsValue::NULL)).starts_with("seed must be a whole number"));
    assert!(error_message(engine.buffer_ptr(4294967296.0.into(), 0.into())).starts_with("buffer must be"));
    assert!(error_message(engine.buffer_ptr(Buffer::SampleLoss.into(), (-1).into())).starts_with("layer must be"));
    assert_eq!(engine.export_model(), before, "a refused call changed the model");
    // The same calls with whole numbers in range work, and undefined leaves an optional argument out.
    engine.set_weight(1.into(), 0.into(), 2.into(), 0.25).unwrap();
    assert_eq!(view(&engine, Buffer::Weights, 1)[2], 0.25);
    engine.reset(JsValue::UNDEFINED).unwrap();
    engine.train(3.into()).unwrap();
    assert_eq!(engine.steps(), 3.0);
}
