//! Any bytes as a model file: import either builds a network that trains, or says why not.
#![no_main]
use backprop_viz::{Split, Trainer};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    if let Ok(mut trainer) = Trainer::from_model_json(text) {
        let inputs = vec![0.5; trainer.network().inputs];
        let outputs = trainer.network().outputs();
        let targets = if outputs == 1 { vec![0.5] } else { (0..outputs).map(|k| f64::from(u8::from(k == 0))).collect() };
        if trainer.set_data(Split::Train, inputs, targets).is_ok() {
            let _ = trainer.train(2);
        }
        // A file that was read is written back the same.
        let again = Trainer::from_model_json(&trainer.export_model_json()).expect("an exported model reads back");
        assert_eq!(again.export_model_json(), trainer.export_model_json());
    }
});
