//! Generated input into every entry point of the JavaScript face, in wasm (where a panic is a
//! trap that would end this test run): each call succeeds or throws a JS Error with a message,
//! and a refused call leaves the model as it was.
#![cfg(target_arch = "wasm32")]

use backprop_viz::rng::Rng;
use backprop_viz::wasm::{decode_share_query, encode_share_query, Buffer, Engine};
use backprop_viz::wasm_data::DataSet;
use js_sys::JSON;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::wasm_bindgen_test;

/// Numbers a user or a buggy caller could send, the nasty ones often.
fn number(rng: &mut Rng) -> f64 {
    const NASTY: [f64; 10] = [0.0, -0.0, -1.0, 1e-300, 1e300, f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 0.5, 100.0];
    if rng.below(3) == 0 {
        NASTY[rng.below(NASTY.len())]
    } else {
        rng.uniform(-5.0, 5.0)
    }
}

fn index(rng: &mut Rng) -> u32 {
    [0, 1, 2, 3, 7, 40, u32::MAX][rng.below(7)]
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

fn refused_with_a_message<T>(result: Result<T, JsValue>) -> bool {
    match result {
        Ok(_) => false,
        Err(error) => {
            let kind = js_sys::Reflect::get(&error, &"kind".into()).ok().and_then(|k| k.as_string());
            assert!(kind.is_some_and(|k| !k.is_empty()), "every error carries a kind");
            let message: String = error.dyn_into::<js_sys::Error>().expect("a JS Error").message().into();
            assert!(!message.trim().is_empty());
            true
        }
    }
}

fn settings(rng: &mut Rng) -> JsValue {
    let text = settings_text(rng);
    if rng.below(2) == 0 {
        JsValue::from_str(&text)
    } else {
        JSON::parse(&text).unwrap_or(JsValue::from_str(&text))
    }
}

#[wasm_bindgen_test]
fn thousands_of_random_calls_never_trap_and_refusals_change_nothing() {
    let mut rng = Rng::new(2026);
    let config = r#"{"inputs": 2, "layers": [{"units": 3, "activation": "tanh", "dropout": 0.2}, {"units": 1, "activation": "sigmoid"}], "batch_size": 3, "seed": 1}"#;
    let mut engine = Engine::new(JsValue::from_str(config)).unwrap();
    let data = DataSet::generate(JSON::parse(r#"{"problem": "xor"}"#).unwrap()).unwrap();
    engine.use_data(&data).unwrap();
    let mut refused = 0;
    for _ in 0..3000 {
        let before = engine.export_model();
        let was_refused = match rng.below(18) {
            0 => refused_with_a_message(engine.set_learning_rate(number(&mut rng))),
            1 => refused_with_a_message(engine.set_optimizer(settings(&mut rng))),
            2 => refused_with_a_message(engine.set_regularization(settings(&mut rng))),
            3 => refused_with_a_message(engine.set_schedule(settings(&mut rng))),
            4 => refused_with_a_message(engine.set_stop_rule(settings(&mut rng))),
            5 => refused_with_a_message(engine.set_batch_size(index(&mut rng))),
            6 => refused_with_a_message(engine.set_dropout(index(&mut rng), number(&mut rng))),
            7 => refused_with_a_message(engine.set_weight(
                index(&mut rng),
                index(&mut rng),
                index(&mut rng),
                number(&mut rng),
            )),
            8 => refused_with_a_message(engine.set_bias(index(&mut rng), index(&mut rng), number(&mut rng))),
            9 => refused_with_a_message(engine.chain_rule(
                index(&mut rng),
                index(&mut rng),
                Some(index(&mut rng)).filter(|_| rng.below(2) == 0),
                index(&mut rng),
            )),
            10 => {
                let buffers =
                    [Buffer::Weights, Buffer::Delta, Buffer::ProbeActivation, Buffer::SampleLoss, Buffer::GradOutput];
                refused_with_a_message(engine.buffer_ptr(buffers[rng.below(buffers.len())], index(&mut rng)))
            }
            11 => {
                let rows: Vec<f64> = (0..rng.below(9)).map(|_| number(&mut rng)).collect();
                refused_with_a_message(engine.probe(&rows))
            }
            12 => {
                let x: Vec<f64> = (0..rng.below(9)).map(|_| number(&mut rng)).collect();
                let y: Vec<f64> = (0..rng.below(5)).map(|_| number(&mut rng)).collect();
                let refused = refused_with_a_message(engine.set_data(x, y));
                if !refused {
                    engine.use_data(&data).unwrap();
                }
                refused
            }
            13 => refused_with_a_message(engine.train(rng.below(20) as u32)),
            14 => refused_with_a_message(engine.step_phase()),
            15 => refused_with_a_message(Engine::new(settings(&mut rng))),
            16 => {
                let query = settings_text(&mut rng).replace([':', ','], "&").replace(['{', '}', '"'], "=");
                let decoded = decode_share_query(&query);
                refused_with_a_message(encode_share_query(js_sys::Reflect::get(&decoded, &"session".into()).unwrap()))
            }
            _ => refused_with_a_message(DataSet::from_csv(
                &settings_text(&mut rng).replace(':', ","),
                JsValue::UNDEFINED,
                0.2,
                1,
            )),
        };
        if was_refused {
            refused += 1;
            assert_eq!(engine.export_model(), before, "a refused call changed the model");
        }
    }
    assert!(refused > 500, "the generated input was refused {refused} times: it must reach the error paths");
    engine.reset(None);
    engine.train(5).unwrap();
}
