//! Property tests: generated input into every parser and entry point. None may panic; each
//! either succeeds or says what is wrong, and a refused call changes nothing.

mod common;

use backprop_viz::csv::{self, CsvOptions};
use backprop_viz::settings::Settings;
use backprop_viz::share::{self, Extras};
use backprop_viz::{
    Activation, Error, LayerConfig, Loss, NetworkConfig, OptimizerConfig, OptimizerKind, Split, Trainer,
};
use proptest::prelude::*;

fn loss() -> impl Strategy<Value = Loss> {
    prop::sample::select(Loss::ALL.to_vec())
}

/// Any f64 a user could type, the nasty ones included.
fn any_number() -> impl Strategy<Value = f64> {
    prop_oneof![
        4 => -10.0..10.0f64,
        1 => prop::sample::select(vec![0.0, -0.0, f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 1e300, -1e300, 1e-300]),
    ]
}

/// Mostly usable configs (so training runs), with out-of-range values mixed in.
fn config() -> impl Strategy<Value = NetworkConfig> {
    let units = prop_oneof![9 => 1usize..9, 1 => prop::sample::select(vec![0usize, 33, 40])];
    let hidden = prop::collection::vec(
        (
            units,
            prop_oneof![9 => prop::sample::select(vec![Activation::Identity, Activation::Sigmoid, Activation::Tanh, Activation::Relu, Activation::LeakyRelu]), 1 => Just(Activation::Softmax)],
            any::<bool>(),
        ),
        0..4,
    );
    let learning_rate = prop_oneof![9 => 1e-4..3.0f64, 1 => any_number()];
    (
        prop_oneof![9 => 1usize..5, 1 => Just(0usize)],
        hidden,
        loss(),
        2usize..4,
        learning_rate,
        prop_oneof![9 => 1usize..8, 1 => Just(0usize)],
        any::<u32>(),
        prop::sample::select(OptimizerKind::ALL.to_vec()),
    )
        .prop_map(|(inputs, hidden, loss, outputs, learning_rate, batch_size, seed, kind)| {
            let mut layers: Vec<LayerConfig> =
                hidden.into_iter().map(|(units, a, bias)| LayerConfig { bias, ..LayerConfig::new(units, a) }).collect();
            let output = loss.required_output().unwrap_or(if seed % 2 == 0 {
                Activation::Identity
            } else {
                Activation::Sigmoid
            });
            layers.push(LayerConfig::new(if output == Activation::Softmax { outputs } else { 1 }, output));
            NetworkConfig {
                inputs,
                layers,
                loss,
                optimizer: OptimizerConfig { kind, learning_rate, ..OptimizerConfig::default() },
                batch_size,
                seed,
                ..NetworkConfig::default()
            }
        })
}

/// Targets the loss accepts (mostly), from raw numbers.
fn targets_for(config: &NetworkConfig, rows: usize, values: &[f64]) -> Vec<f64> {
    let width = config.output_units();
    (0..rows * width)
        .map(|k| {
            let v = values.get(k).copied().unwrap_or(0.5);
            match config.loss {
                Loss::SquaredError => v,
                Loss::BinaryCrossEntropy => v.abs().fract(),
                Loss::SoftmaxCrossEntropy => f64::from(u8::from(k % width == (v.abs() as usize) % width)),
            }
        })
        .collect()
}

fn refused_with_a_message<T>(result: Result<T, Error>) {
    if let Err(e) = result {
        assert!(!e.to_string().trim().is_empty());
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn parsers_never_panic_on_any_text(text in ".{0,300}") {
        refused_with_a_message(NetworkConfig::from_json(&text));
        refused_with_a_message(Trainer::from_model_json(&text));
        refused_with_a_message(csv::parse(&text, &CsvOptions::default()));
        let decoded = share::decode(&text);
        decoded.settings.network.validate().expect("a decoded link always holds a working network");
    }

    #[test]
    fn parsers_never_panic_on_near_miss_text(
        model in prop::sample::select(vec![0usize, 1, 2]),
        cut in 0usize..2000,
        junk in "[\\[\\]{}:,\"0-9a-z.eE+-]{0,8}",
    ) {
        // Valid documents with a piece cut out and junk spliced in.
        let good = [
            Trainer::new(NetworkConfig::default()).unwrap().export_model_json(),
            "x,y,label\n1,2,0\n3,4,1\n-1.5,2e3,1\n".to_string(),
            share::encode(&Settings::default(), &Extras::default()),
        ][model].clone();
        let at = good.char_indices().map(|(i, _)| i).nth(cut % good.chars().count()).unwrap_or(0);
        let text = format!("{}{junk}{}", &good[..at], &good[at..].chars().skip(1).collect::<String>());
        refused_with_a_message(Trainer::from_model_json(&text));
        refused_with_a_message(csv::parse(&text, &CsvOptions::default()));
        share::decode(&text).settings.network.validate().unwrap();
    }

    #[test]
    fn any_config_builds_or_is_refused_and_training_never_panics(
        config in config(),
        rows in prop_oneof![9 => 1usize..12, 1 => Just(0usize)],
        values in prop::collection::vec(prop_oneof![19 => -3.0..3.0f64, 1 => any_number()], 200),
        steps in 0u32..20,
    ) {
        let Ok(mut trainer) = Trainer::new(config.clone()) else { return Ok(()) };
        let inputs: Vec<f64> = values.iter().take(rows * config.inputs).copied().collect();
        let targets = targets_for(&config, rows, &values);
        let before = common::parameters(&trainer);
        if trainer.set_data(Split::Train, inputs, targets).is_err() {
            prop_assert_eq!(common::parameters(&trainer), before);
            return Ok(());
        }
        // The parameters after each step, by step: a refusal keeps those of its kept step.
        let mut after = vec![common::parameters(&trainer)];
        for _ in 0..steps {
            match trainer.train(1) {
                Ok(_) => after.push(common::parameters(&trainer)),
                Err(Error::Diverged { kept_step, .. }) => {
                    prop_assert_eq!(trainer.steps(), kept_step);
                    after.truncate(kept_step as usize + 1);
                    prop_assert_eq!(&common::parameters(&trainer), &after[kept_step as usize]);
                }
                Err(e) => prop_assert!(false, "unexpected error {}", e),
            }
            prop_assert!(common::parameters(&trainer).iter().all(|p| p.is_finite()));
        }
        refused_with_a_message(trainer.gradient_check());
        refused_with_a_message(trainer.dataset_loss(Split::Test));
    }

    #[test]
    fn a_decoded_link_encodes_to_a_link_of_the_same_session(
        pairs in prop::collection::vec((prop::sample::select(vec!["problem", "layers", "lr", "features", "seed", "noise", "points", "batch", "optimizer", "loss", "params", "data", "reg", "v", "lesson", "test", "init"]),
            "[a-z0-9_:.,%-]{0,12}"), 0..8),
    ) {
        let query: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let decoded = share::decode(&query.join("&")).settings;
        prop_assert_eq!(share::decode(&share::encode(&decoded, &Extras::default())).settings, decoded);
    }

    #[test]
    fn written_csv_reads_back_the_same_points(
        dims in 1usize..5,
        rows in prop::collection::vec((prop::collection::vec(-1e6..1e6f64, 4), 0u8..3), 1..30),
    ) {
        let coords: Vec<f64> = rows.iter().flat_map(|(c, _)| c[..dims].to_vec()).collect();
        let labels: Vec<f64> = rows.iter().map(|(_, l)| f64::from(*l)).collect();
        let classes = if labels.iter().any(|&l| l >= 1.0) { labels.iter().copied().fold(0.0, f64::max) as usize + 1 } else { 0 };
        prop_assume!(classes != 1);
        let points = backprop_viz::points::Points::new(dims, coords, labels, classes).unwrap();
        let headers: Vec<String> = (0..=dims).map(|d| format!("c{d}")).collect();
        let read = csv::parse(&csv::write(&points, &headers), &CsvOptions::default()).unwrap();
        prop_assert_eq!(read.points.coords, points.coords);
        prop_assert_eq!(read.points.labels, points.labels);
    }
}
