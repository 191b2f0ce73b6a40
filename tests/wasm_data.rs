//! The data face from wasm in Node: generated data trains a network, CSV errors reach JS
//! with the line at fault, and metrics come back as plain objects.
#![cfg(target_arch = "wasm32")]

use backprop_viz::wasm::Engine;
use backprop_viz::wasm_data::DataSet;
use js_sys::{Reflect, JSON};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::wasm_bindgen_test;

fn object(json: &str) -> JsValue {
    JSON::parse(json).expect("test JSON parses")
}

fn get(value: &JsValue, key: &str) -> JsValue {
    Reflect::get(value, &key.into()).expect("object")
}

fn error_message<T>(result: Result<T, JsValue>) -> String {
    let error: JsValue = result.err().expect("should throw");
    error.dyn_into::<js_sys::Error>().expect("a JS Error").message().into()
}

#[wasm_bindgen_test]
fn a_generated_circle_trains_to_high_accuracy() {
    let mut data =
        DataSet::generate(object(r#"{"problem": "circle", "points": 200, "test_ratio": 0.5, "seed": 3}"#)).unwrap();
    data.set_features(object(r#"["x1", "x2", "x1_squared", "x2_squared"]"#)).unwrap();
    data.set_scaling("standardize").unwrap();
    assert_eq!(data.input_width(), 4);
    let config = r#"{"inputs": 4, "layers": [{"units": 4, "activation": "tanh"}, {"units": 1, "activation": "sigmoid"}],
        "loss": "binary_cross_entropy", "optimizer": {"kind": "adam", "learning_rate": 0.03}, "seed": 1}"#;
    let mut engine = Engine::new(JsValue::from_str(config)).unwrap();
    engine.use_data(&data).unwrap();
    engine.train(600.into()).unwrap();
    let metrics = engine.metrics(&data, true).unwrap();
    assert_eq!(get(&metrics, "task").as_string().unwrap(), "classification");
    let accuracy = get(&metrics, "accuracy").as_f64().unwrap();
    assert!(accuracy > 0.95, "test accuracy {accuracy}");
    assert!(engine.dataset_loss(true).unwrap() < 0.2);
    let grid = data.grid_inputs(-6.0, 6.0, -6.0, 6.0, 10.into()).unwrap();
    assert_eq!(grid.len(), 100 * 4);
    assert_eq!(engine.probe(&grid).unwrap(), 100);
}

#[wasm_bindgen_test]
fn csv_faults_and_shape_mismatches_are_explained() {
    let message = error_message(DataSet::from_csv("x,y,label\n1,2,0\n1,oops,1\n", JsValue::UNDEFINED, 0.0, 1.into()));
    assert_eq!(message, "invalid data: line 3: column 2 is \"oops\", which is not a number");
    let data = DataSet::from_csv("x,y,label\n1,2,0\n3,4,1\n5,6,2\n", JsValue::UNDEFINED, 0.0, 1.into()).unwrap();
    assert_eq!(data.classes(), 3);
    let mut engine =
        Engine::new(object(r#"{"inputs": 2, "layers": [{"units": 1, "activation": "sigmoid"}]}"#)).unwrap();
    assert!(error_message(engine.use_data(&data)).contains("3 classes need an output layer of 3"));
    let mut grow = DataSet::generate(object(r#"{"problem": "xor"}"#)).unwrap();
    grow.add_point(&[0.5, 0.5], 1.0, false).unwrap();
    assert_eq!(grow.len(false), 5);
    assert!(error_message(grow.add_point(&[0.5], 1.0, false)).contains("2 coordinates"));
    assert!(error_message(DataSet::generate(object(r#"{"problem": "donut"}"#))).contains("unknown variant `donut`"));
    assert!(grow.to_csv().starts_with("x1,x2,label\n"));
}

#[wasm_bindgen_test]
fn regression_metrics_for_a_sine() {
    let data = DataSet::generate(object(r#"{"problem": "sine", "points": 100, "test_ratio": 0.2}"#)).unwrap();
    let config = r#"{"inputs": 1, "layers": [{"units": 8, "activation": "tanh"}, {"units": 1, "activation": "identity"}],
        "optimizer": {"kind": "adam", "learning_rate": 0.02}, "seed": 2}"#;
    let mut engine = Engine::new(JsValue::from_str(config)).unwrap();
    engine.use_data(&data).unwrap();
    engine.train(3000.into()).unwrap();
    let metrics = engine.metrics(&data, false).unwrap();
    assert_eq!(get(&metrics, "task").as_string().unwrap(), "regression");
    let r2 = get(&metrics, "r2").as_f64().unwrap();
    assert!(r2 > 0.9, "R² {r2}");
}

#[wasm_bindgen_test]
fn a_link_made_from_a_session_reopens_it() {
    use backprop_viz::wasm::{decode_share_query, encode_share_query};
    let engine = Engine::new(object(r#"{"inputs": 2, "layers": [{"units": 3, "activation": "relu"}, {"units": 1, "activation": "sigmoid"}], "seed": 9}"#)).unwrap();
    let model = JSON::parse(&engine.export_model()).unwrap();
    let session = object(r#"{"data": {"problem": "moons", "noise": 0.2}, "lesson": "xor"}"#);
    Reflect::set(&session, &"network".into(), &get(&model, "network")).unwrap();
    let query = encode_share_query(session).unwrap();
    assert!(query.starts_with("v=1&lesson=xor&problem=moons"), "{query}");
    let decoded = decode_share_query(&query);
    assert_eq!(js_sys::Array::from(&get(&decoded, "warnings")).length(), 0);
    let reopened = get(&get(&decoded, "session"), "network");
    assert_eq!(JSON::stringify(&reopened).unwrap(), JSON::stringify(&get(&model, "network")).unwrap());
    let broken = decode_share_query("lr=oops");
    assert!(js_sys::Array::from(&get(&broken, "warnings")).get(0).as_string().unwrap().contains("lr=oops"));
}

#[wasm_bindgen_test]
fn lessons_reach_js_and_build_engines() {
    let lessons = js_sys::Array::from(&backprop_viz::wasm::lessons());
    assert_eq!(lessons.length() as usize, backprop_viz::presets::lessons().len());
    let chain = lessons.get(0);
    assert_eq!(get(&chain, "id").as_string().unwrap(), "chain-rule");
    let session = get(&chain, "session");
    let mut engine = Engine::new(get(&session, "network")).unwrap();
    let samples = get(&chain, "samples");
    let inputs = js_sys::Float64Array::new(&get(&samples, "inputs")).to_vec();
    let targets = js_sys::Float64Array::new(&get(&samples, "targets")).to_vec();
    engine.set_data(inputs, targets).unwrap();
    engine.step().unwrap();
    assert!((engine.loss() - 0.08747274570303369).abs() < 1e-9);
}

#[wasm_bindgen_test]
fn training_controls_change_live_and_points_keep_their_split() {
    let config = r#"{"inputs": 2, "layers": [{"units": 4, "activation": "tanh"}, {"units": 1, "activation": "sigmoid"}], "batch_size": 4, "seed": 3}"#;
    let mut engine = Engine::new(JsValue::from_str(config)).unwrap();
    let data = DataSet::from_points(
        2.into(),
        2.into(),
        vec![0.0, 0.0, 0.0, 1.0, 1.0, 0.0, 1.0, 1.0, 0.5, 0.5],
        vec![0.0, 1.0, 1.0, 0.0, 1.0],
        4.into(),
    )
    .unwrap();
    assert_eq!((data.len(false), data.len(true)), (4, 1));
    engine.use_data(&data).unwrap();
    engine.set_dropout(0.into(), 0.5).unwrap();
    assert!(error_message(engine.set_dropout(1.into(), 0.5)).contains("hidden layer"));
    engine.set_schedule(object(r#"{"kind": "step", "every_epochs": 1, "factor": 0.5}"#)).unwrap();
    engine.set_stop_rule(object(r#"{"after_epochs": 3}"#)).unwrap();
    assert_eq!(engine.finished(), None);
    engine.train(100.into()).unwrap();
    assert_eq!(engine.epochs(), 3.0);
    assert_eq!(engine.finished().unwrap(), "stopped after 3 epochs, as asked");
    assert_eq!(engine.learning_rate(), 0.03 * 0.125);
    engine.set_stop_rule(object(r#"{"after_epochs": 0}"#)).unwrap();
    assert_eq!(engine.finished(), None);
    assert!(error_message(DataSet::from_points(2.into(), 2.into(), vec![0.0; 4], vec![0.0, 3.0], 2.into()))
        .contains("not a class"));
}
