//! The session's JavaScript face in wasm (Node): typed errors, outcomes, links, views and the tour API.
#![cfg(target_arch = "wasm32")]

use backprop_viz::wasm::{wasm_memory, Buffer};
use backprop_viz::wasm_session::{catalogue, lesson_list, Session};
use js_sys::{Float64Array, Reflect, JSON};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::wasm_bindgen_test;

fn object(json: &str) -> JsValue {
    JSON::parse(json).expect("test JSON parses")
}

fn get(value: &JsValue, key: &str) -> JsValue {
    Reflect::get(value, &key.into()).expect("object")
}

fn kind_of<T>(result: Result<T, JsValue>) -> (String, String, JsValue) {
    let error = result.err().expect("should throw");
    let message: String = error.clone().dyn_into::<js_sys::Error>().expect("a JS Error").message().into();
    (get(&error, "kind").as_string().expect("a kind"), message, error)
}

#[wasm_bindgen_test]
fn errors_reach_js_with_their_kind_field_and_step() {
    let mut s = Session::new();
    let (kind, message, error) = kind_of(s.apply(object(r#"{"lr": 0}"#)));
    assert_eq!(kind, "invalid_setting");
    assert_eq!(get(&error, "field").as_string().as_deref(), Some("lr"));
    assert!(message.contains("Learning rate"), "{message}");
    assert_eq!(kind_of(s.load_csv("x,y\n1,abc\n", "bad.csv", JsValue::UNDEFINED)).0, "invalid_data");
    assert_eq!(kind_of(s.import_model("{", "m.json")).0, "parse");
    assert_eq!(kind_of(s.set_sample(99.into())).0, "out_of_range");
    assert_eq!(kind_of(s.train(20_000_000.into())).0, "limit");
    s.load_lesson("learning-rate", 0.into()).unwrap();
    let (kind, _, error) = kind_of(s.train(1000.into()));
    assert_eq!(kind, "diverged");
    assert!(get(&error, "step").as_f64().unwrap() >= 1.0);
}

#[wasm_bindgen_test]
fn outcomes_say_what_changed_and_views_read_the_arrays() {
    let mut s = Session::new();
    let outcome = s.apply(object(r#"{"lr": 0.1}"#)).unwrap();
    assert_eq!(JSON::stringify(&get(&outcome, "changed")).unwrap(), "[\"settings\"]");
    s.step().unwrap();
    let memory: js_sys::WebAssembly::Memory = wasm_memory().unchecked_into();
    let weights = Float64Array::new_with_byte_offset_and_length(
        &memory.buffer(),
        s.buffer_ptr(Buffer::Weights.into(), 0.into()).unwrap(),
        s.buffer_len(Buffer::Weights.into(), 0.into()).unwrap(),
    );
    assert_eq!(weights.length(), 8);
    assert!(Reflect::get(&catalogue(), &0.into()).is_ok());
    assert_eq!(js_sys::Array::from(&lesson_list()).length(), 14);
    let link = get(&s.link(), "query").as_string().unwrap();
    let mut other = Session::new();
    other.open_link(&link);
    assert_eq!(other.steps(), 1.0);
    assert_eq!(other.core().trainer().snapshot(), s.core().trainer().snapshot());
}

#[wasm_bindgen_test]
fn undo_steps_back_fifty_phases_and_the_counters_exactly() {
    let mut s = Session::new();
    s.train(30.into()).unwrap();
    let start = s.core().trainer().snapshot();
    for _ in 0..50 {
        s.step_phase().unwrap();
    }
    assert_eq!(s.can_undo(), 51);
    assert!(s.steps() > 30.0);
    for _ in 0..50 {
        let outcome = s.undo().unwrap();
        assert!(JSON::stringify(&get(&outcome, "changed")).unwrap().as_string().unwrap().contains("weights"));
    }
    assert_eq!(s.core().trainer().snapshot(), start);
    assert_eq!((s.steps(), s.can_undo(), s.can_redo()), (30.0, 1, 50));
    let outcome = s.undo().unwrap();
    assert_eq!(get(&outcome, "message").as_string().unwrap(), "Undone: 30 training steps. Back at step 0.");
    assert_eq!(s.steps(), 0.0);
    let (kind, message, _) = kind_of(s.undo());
    assert_eq!((kind.as_str(), message.as_str()), ("out_of_range", "nothing to undo"));
    // Redo, then the same run again: the same state.
    s.redo().unwrap();
    assert_eq!(s.steps(), 30.0);
    s.redo().unwrap();
    let mut again = Session::new();
    again.train(30.into()).unwrap();
    again.step_phase().unwrap();
    assert_eq!(s.core().trainer().snapshot(), again.core().trainer().snapshot());
    s.load_lesson("xor", JsValue::UNDEFINED).unwrap();
    assert_eq!((s.can_undo(), s.can_redo()), (0, 0));
}

#[wasm_bindgen_test]
fn lessons_list_their_controls_and_xor_stops_with_its_outputs() {
    let list = js_sys::Array::from(&lesson_list());
    let rate = list.iter().find(|l| get(l, "id").as_string().as_deref() == Some("learning-rate")).unwrap();
    assert_eq!(JSON::stringify(&get(&rate, "controls")).unwrap(), "[\"lr\"]");
    for l in list.iter() {
        assert!(js_sys::Array::is_array(&get(&l, "controls")));
    }
    let mut s = Session::new();
    s.load_lesson("xor", JsValue::UNDEFINED).unwrap();
    while s.finished().is_none() {
        s.train(1000.into()).unwrap();
    }
    assert_eq!(s.finished().as_deref(), Some("stopped after 5000 epochs, as asked"));
    assert_eq!(s.epochs(), 5000.0);
    let outputs = s.outputs(false).unwrap();
    assert_eq!(outputs.len(), 4);
    assert!((outputs[0] - 0.10283162432276878).abs() < 1e-9, "{outputs:?}");
}

#[wasm_bindgen_test]
fn the_inspector_gets_each_new_optimizers_numbers_and_the_batch_in_use() {
    let mut s = Session::new();
    for (optimizer, fields) in [
        ("nesterov", &["velocity", "look_ahead"][..]),
        ("adagrad", &["sum_of_squares"]),
        ("rprop", &["step_size", "previous_gradient", "sign_product", "decision"]),
        ("cg", &["direction", "gradient", "beta", "direction_kind", "slope", "step_length", "trials", "line_search"]),
    ] {
        s.apply(object(&format!(r#"{{"optimizer": "{optimizer}"}}"#))).unwrap();
        s.train(3.into()).unwrap();
        let rule = s.chain_rule(1.into(), 0.into(), 1.into()).unwrap();
        let numbers = get(&rule, "optimizer_numbers");
        assert_eq!(get(&numbers, "kind").as_string().as_deref(), Some(optimizer));
        for field in fields {
            assert!(!get(&numbers, field).is_undefined(), "{optimizer}: {field}");
        }
        assert!(!get(&rule, "update_formula").as_string().unwrap().is_empty());
    }
    // Conjugate gradient's batch is every training point, and its line search ran.
    let rule = s.chain_rule(1.into(), 0.into(), 1.into()).unwrap();
    let numbers = get(&rule, "optimizer_numbers");
    assert!(get(&numbers, "trials").as_f64().unwrap() >= 1.0);
    assert_eq!(get(&numbers, "line_search").as_string().as_deref(), Some("accepted"));
    let batch = get(&get(&s.control_state(), "batch"), "in_use").as_f64().unwrap();
    assert_eq!(get(&rule, "batch_size").as_f64(), Some(batch));
    assert!(batch > 10.0);
}

#[wasm_bindgen_test]
fn the_digits_come_from_the_page_and_a_drawn_digit_is_classified() {
    use backprop_viz::wasm_session::{digits_registered, register_digits};
    let mut s = Session::new();
    if !digits_registered() {
        // Without the file, a digits problem is refused in words and nothing changes.
        let (kind, message, _) = kind_of(s.load_lesson("digits", JsValue::UNDEFINED));
        assert_eq!(kind, "invalid_data");
        assert!(message.contains("digits.bin"), "{message}");
    }
    assert_eq!(kind_of(register_digits(b"BPVDIGIT not really")).0, "invalid_data");
    register_digits(include_bytes!("../www/data/digits.bin")).unwrap();
    assert!(digits_registered());
    s.load_lesson("digits", JsValue::UNDEFINED).unwrap();
    let info = s.data_info();
    assert_eq!(get(&get(&info, "image"), "width").as_f64(), Some(8.0));
    assert_eq!(get(&info, "kind").as_string().as_deref(), Some("classification"));
    let blank = vec![0.0; 64];
    let probabilities = s.activations_of(&blank, 1.into()).unwrap();
    assert_eq!(probabilities.len(), 10);
    assert!((probabilities.iter().sum::<f64>() - 1.0).abs() < 1e-12);
    assert_eq!(kind_of(s.activations_of(&blank[..10], 1.into())).0, "invalid_data");
}

#[wasm_bindgen_test]
fn the_computation_graph_crosses_as_an_object_and_its_sample_is_checked() {
    let mut s = Session::new();
    s.load_lesson("chain-rule", JsValue::UNDEFINED).unwrap();
    for _ in 0..5 {
        s.step_phase().unwrap();
    }
    let graph = s.computation_graph(0.into(), None).unwrap();
    let nodes: js_sys::Array = get(&graph, "nodes").dyn_into().unwrap();
    assert_eq!(nodes.length(), 14);
    assert_eq!(get(&graph, "folded").as_bool(), Some(false));
    let w1 = nodes.iter().find(|n| get(n, "label").as_string().as_deref() == Some("w¹₁₁")).unwrap();
    let rule = s.chain_rule(0.into(), 0.into(), 0.into()).unwrap();
    assert_eq!(get(&w1, "gradient").as_f64(), get(&rule, "sample_gradient").as_f64());
    assert_eq!(get(&get(&w1, "gradient_from"), "kind").as_string().as_deref(), Some("delta_times_local"));
    for bad in [1.0, -1.0, 0.5, f64::NAN] {
        let (kind, message, _) = kind_of(s.computation_graph(bad.into(), None));
        assert_eq!(kind, "out_of_range", "{bad}");
        assert!(message.starts_with("sample must be a whole number from 0 to 0"), "{message}");
    }
}

/// The keys of a JS object, sorted.
fn keys(value: &JsValue) -> Vec<String> {
    let mut keys: Vec<String> = js_sys::Object::keys(value.unchecked_ref::<js_sys::Object>())
        .iter()
        .map(|k| k.as_string().expect("a key"))
        .collect();
    keys.sort();
    keys
}

#[wasm_bindgen_test]
fn the_tour_api_crosses_as_objects_judges_answers_and_refuses_a_bad_stop() {
    let mut s = Session::new();
    assert!(s.tour().is_null(), "free play has no tour");
    assert_eq!(kind_of(s.checkpoint(0.into())).1, "this lesson has no tour");
    s.load_lesson("chain-rule", JsValue::UNDEFINED).unwrap();
    let tour = s.tour();
    assert_eq!(get(&tour, "lesson").as_string().as_deref(), Some("chain-rule"));
    let stops: js_sys::Array = get(&tour, "stops").dyn_into().unwrap();
    assert!(stops.length() >= 3);
    for stop in stops.iter() {
        assert_eq!(keys(&stop), ["at", "checkpoint", "target", "text"]);
        assert!(get(&stop, "text").as_string().is_some_and(|t| !t.is_empty()));
        assert!(get(&get(&stop, "at"), "steps").as_f64().is_some());
        assert!(get(&get(&stop, "target"), "kind").as_string().is_some());
    }
    let k = stops.iter().position(|stop| !get(&stop, "checkpoint").is_null()).expect("a stop with a question");
    let outcome = s.go_to_stop((k as f64).into()).unwrap();
    assert!(JSON::stringify(&get(&outcome, "changed")).unwrap().as_string().unwrap().contains("position"));

    let c = s.checkpoint((k as f64).into()).unwrap();
    assert_eq!(
        keys(&c),
        ["answer", "choices", "given", "phase", "prompt", "question", "symbol", "tolerance", "tolerance_text"]
    );
    for text in ["prompt", "symbol", "tolerance_text"] {
        assert!(get(&c, text).as_string().is_some_and(|t| !t.is_empty()), "{text}");
    }
    assert!(get(&get(&c, "phase"), "kind").as_string().is_some());
    assert!(get(&get(&c, "question"), "quantity").as_string().is_some());
    let answer = get(&c, "answer").as_f64().unwrap();
    assert!(get(&c, "tolerance").as_f64().unwrap() > 0.0);
    let given: js_sys::Array = get(&c, "given").dyn_into().unwrap();
    assert!(given.length() >= 1);
    for g in given.iter() {
        assert_eq!(keys(&g), ["sample", "symbol", "value"]);
        assert!(get(&g, "value").as_f64().is_some_and(f64::is_finite));
    }
    let choices: js_sys::Array = get(&c, "choices").dyn_into().unwrap();
    assert!(choices.length() >= 3);
    for choice in choices.iter() {
        assert_eq!(keys(&choice), ["mistake", "value"]);
    }

    // The right answer: correct, no mistake.
    let verdict = s.answer((k as f64).into(), answer.into()).unwrap();
    assert_eq!(keys(&verdict), ["answer", "correct", "feedback", "mistake", "typed"]);
    assert_eq!(get(&verdict, "correct").as_bool(), Some(true));
    assert!(get(&verdict, "mistake").is_null());
    assert_eq!(get(&verdict, "answer").as_f64(), Some(answer));
    assert_eq!(get(&verdict, "typed").as_f64(), Some(answer));
    // Each wrong choice: not correct, and its feedback names the mistake the choice was made by.
    let mut wrong = 0;
    for choice in choices.iter().filter(|c| !get(c, "mistake").is_null()) {
        let mistake = get(&choice, "mistake").as_string().expect("a mistake's name");
        let verdict = s.answer((k as f64).into(), get(&choice, "value")).unwrap();
        assert_eq!(get(&verdict, "correct").as_bool(), Some(false), "{mistake}");
        assert_eq!(get(&verdict, "mistake").as_string(), Some(mistake.clone()));
        assert!(get(&verdict, "feedback").as_string().is_some_and(|f| !f.is_empty()), "{mistake}");
        wrong += 1;
    }
    assert!(wrong >= 2);

    // A bad stop index or answer: a clear, typed error.
    let count = stops.length();
    for bad in [JsValue::from(f64::from(count)), (-1.0).into(), 0.5.into(), "two".into(), JsValue::UNDEFINED] {
        let (kind, message, _) = kind_of(s.checkpoint(bad.clone()));
        assert_eq!(kind, "out_of_range", "{bad:?}");
        assert!(message.starts_with(&format!("stop must be a whole number from 0 to {}", count - 1)), "{message}");
        assert_eq!(kind_of(s.go_to_stop(bad.clone())).1, message);
        assert_eq!(kind_of(s.answer(bad, answer.into())).1, message);
    }
    let (kind, message, _) = kind_of(s.answer((k as f64).into(), f64::NAN.into()));
    assert_eq!(kind, "out_of_range");
    assert!(message.starts_with("the answer must be a finite number"), "{message}");
    if let Some(plain) = stops.iter().position(|stop| get(&stop, "checkpoint").is_null()) {
        assert!(s.checkpoint((plain as f64).into()).unwrap().is_null());
        assert_eq!(
            kind_of(s.answer((plain as f64).into(), 1.0.into())).1,
            format!("stop {} has no question", plain + 1)
        );
    }
}

#[wasm_bindgen_test]
fn a_conv_network_from_a_link_shows_its_maps_and_a_kernel_weights_chain_rule() {
    let mut s = Session::new();
    s.open_link("problem=digits&points=100&shape=1x8x8&layers=conv2d-k3-c4-valid:relu,pool2d-max-2:identity,flatten:identity,10:softmax&loss=softmax_cross_entropy&batch=10");
    s.step().unwrap();
    let maps = s.layer_maps();
    let conv = Reflect::get(&maps, &0.into()).unwrap();
    assert_eq!(get(&get(&conv, "kind"), "type").as_string().as_deref(), Some("convolution"));
    assert_eq!(get(&get(&conv, "output"), "channels").as_f64(), Some(4.0));
    assert_eq!(get(&conv, "row_len").as_f64(), Some(9.0));
    let rule = s.kernel_chain_rule(0.into(), 1.into(), 0.into(), 2.into(), 2.into()).unwrap();
    assert_eq!(js_sys::Array::from(&get(&rule, "terms")).length(), 10 * 6 * 6);
    let kernel = s.buffer_len(Buffer::Weights.into(), 0.into()).unwrap();
    assert_eq!(kernel, 36);
    let (kind, message, _) = kind_of(s.kernel_chain_rule(1.into(), 0.into(), 0.into(), 0.into(), 0.into()));
    assert_eq!(kind, "out_of_range");
    assert!(message.contains("pooling layer"), "{message}");
    let (kind, message, _) = kind_of(s.computation_graph(0.into(), None));
    assert_eq!(kind, "out_of_range");
    assert!(message.contains("dense layers only"), "{message}");
}

#[wasm_bindgen_test]
fn the_recall_lesson_reads_its_states_through_time_and_each_steps_share() {
    let mut s = Session::new();
    s.load_lesson("recall", 0.into()).unwrap();
    s.step().unwrap();
    let (steps, units, batch) = (20, 8, 16);
    let len = |buffer: Buffer| s.buffer_len(buffer.into(), 0.into()).unwrap() as usize;
    assert_eq!(len(Buffer::HiddenStates), batch * (steps + 1) * units, "h_0 … h_T per sample");
    assert_eq!(len(Buffer::StepPreActivation), batch * steps * units);
    assert_eq!(len(Buffer::StepGradHidden), batch * steps * units);
    assert_eq!(len(Buffer::StepDelta), batch * steps * units);
    // The views hold the engine's numbers.
    let memory: js_sys::WebAssembly::Memory = wasm_memory().unchecked_into();
    let read = |buffer: Buffer| {
        let ptr = s.buffer_ptr(buffer.into(), 0.into()).unwrap();
        Float64Array::new_with_byte_offset_and_length(&memory.buffer(), ptr, len(buffer) as u32).to_vec()
    };
    let (hidden, z) = (read(Buffer::HiddenStates), read(Buffer::StepPreActivation));
    assert!(hidden[..units].iter().all(|&h| h == 0.0), "h_0 = 0");
    // h_1 = tanh(z_1), by the engine's own tanh (elementary.rs), within an ulp of the libm one.
    assert!(
        (hidden[units] - z[0].tanh()).abs() <= f64::EPSILON * z[0].tanh().abs(),
        "{} against {}",
        hidden[units],
        z[0].tanh()
    );
    let norms = s.recurrent_step_norms(0.into()).unwrap();
    let bars = js_sys::Array::from(&get(&norms, "weights_input"));
    assert_eq!(bars.length() as usize, steps);
    let first = bars.get(0).as_f64().unwrap();
    let last = bars.get(steps as u32 - 1).as_f64().unwrap();
    assert!(first < last / 10.0, "the first step's share vanishes: {first} against {last}");
    assert_eq!(get(&get(&norms, "clip"), "acted").as_bool(), Some(false));
    // W_x's weight (2, 0) over the batch: 16 samples × 20 steps, summed to the engine's gradient.
    let rule = s.recurrent_chain_rule(0.into(), 2.into(), 0.into()).unwrap();
    assert_eq!(get(&rule, "name").as_string().as_deref(), Some("W_x"));
    assert_eq!(js_sys::Array::from(&get(&rule, "terms")).length() as usize, batch * steps);
    let grad = read(Buffer::GradWeights)[2 * (1 + units)];
    assert!((get(&rule, "clipped").as_f64().unwrap() - grad).abs() <= 1e-15 * grad.abs().max(1.0));
    let bias = s.recurrent_chain_rule(0.into(), 2.into(), JsValue::UNDEFINED).unwrap();
    assert_eq!(get(&bias, "name").as_string().as_deref(), Some("b"));
    // The dense read-out keeps no states, and the errors say so.
    let (kind, message, _) = kind_of(s.buffer_len(Buffer::HiddenStates.into(), 1.into()));
    assert_eq!(kind, "out_of_range");
    assert!(message.contains("layer 2 is a dense layer"), "{message}");
    let (kind, message, _) = kind_of(s.recurrent_step_norms(1.into()));
    assert_eq!(kind, "out_of_range");
    assert!(message.contains("dense"), "{message}");
    assert_eq!(kind_of(s.recurrent_chain_rule(0.into(), 8.into(), 0.into())).0, "out_of_range");
    assert_eq!(kind_of(s.recurrent_chain_rule(0.into(), 0.into(), 9.into())).0, "out_of_range");
}
