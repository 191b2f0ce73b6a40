//! The digits and autoencoder lessons do what their texts say, through the page's own path
//! (`Session::load_lesson`, the settings catalogue, `activations_of`).

use backprop_viz::metrics::Metrics;
use backprop_viz::session::Session;
use serde_json::{json, Map, Value};

fn patch(value: Value) -> Map<String, Value> {
    value.as_object().unwrap().clone()
}

fn lesson(id: &str) -> Session {
    let mut s = Session::new();
    s.load_lesson(id, None).unwrap();
    s
}

fn epochs(s: &mut Session, n: u32) {
    for _ in 0..n {
        s.step_epoch().unwrap();
    }
}

#[test]
fn the_digits_lesson_passes_90_percent_on_test_images() {
    let mut s = lesson("digits");
    let info = s.data_info();
    assert_eq!((info.dims, info.classes, info.outputs, info.train_points + info.test_points), (64, 10, 10, 1797));
    assert_eq!(info.image.map(|i| (i.width, i.height)), Some((8, 8)));
    epochs(&mut s, 10);
    let Some(Metrics::Classification { accuracy, confusion, .. }) = s.metrics(true).unwrap() else { panic!() };
    eprintln!("digits lesson: test accuracy {accuracy}");
    assert!(accuracy >= 0.9, "{accuracy}");
    assert_eq!(confusion.iter().flatten().sum::<usize>(), info.test_points);
}

#[test]
fn the_convolutional_digits_pass_95_percent_with_a_third_of_the_weights() {
    let mut s = lesson("digits-cnn");
    let kinds: Vec<_> = s.trainer().network().layers.iter().map(|l| l.kind.name()).collect();
    assert_eq!(kinds, ["convolution", "pooling", "flatten", "dense"]);
    let parameters =
        |s: &Session| s.trainer().network().layers.iter().map(|l| l.weights.len() + l.biases.len()).sum::<usize>();
    let convolutional = parameters(&s);
    epochs(&mut s, EPOCHS_TO_95);
    let Some(Metrics::Classification { accuracy, .. }) = s.metrics(true).unwrap() else { panic!() };
    eprintln!("digits-cnn lesson: test accuracy {accuracy} after {EPOCHS_TO_95} epochs");
    assert!(accuracy >= 0.95, "{accuracy}");
    // The dense variant: the digits lesson's own network, three times the weights.
    s.load_lesson("digits-cnn", Some(1)).unwrap();
    assert!(s.trainer().network().layers.iter().all(|l| l.kind.is_dense()));
    let dense = parameters(&s);
    assert!(dense >= 2 * convolutional, "{dense} dense weights against {convolutional}");
}

#[test]
fn the_digits_lessons_links_reopen_without_a_warning() {
    // Their empty feature list (the pixels as they are) is written `features=` and read back as such.
    for id in ["digits", "digits-cnn", "autoencoder"] {
        let s = lesson(id);
        let query = s.link().query;
        let mut other = Session::new();
        let outcome = other.open_link(&query);
        assert!(outcome.warnings.is_empty(), "{id}: {:?}", outcome.warnings);
        assert_eq!(other.settings().features, s.settings().features, "{id}");
        assert_eq!(other.trainer().snapshot(), s.trainer().snapshot(), "{id}: the same network, bit for bit");
    }
}

/// The epochs the convolutional digits lesson takes to pass 95 % on the test images (its
/// text says so, and `make bench` times them in wasm).
const EPOCHS_TO_95: u32 = 10;

#[test]
fn a_drawn_image_is_classified_by_the_same_forward_pass() {
    let mut s = lesson("digits");
    epochs(&mut s, 3);
    // The first test image, as coordinates, gives the same outputs as the test set's first row.
    let first: Vec<f64> = s.coords(true)[..64].to_vec();
    let outputs = s.outputs(true).unwrap();
    let drawn = s.activations_of(&first, 1).unwrap();
    assert_eq!(drawn, outputs[..10], "bit for bit");
    assert!((drawn.iter().sum::<f64>() - 1.0).abs() < 1e-12, "softmax probabilities");
    assert!(s.activations_of(&first[..63], 1).unwrap_err().to_string().contains("64 coordinates"));
    assert!(s.activations_of(&first, 2).is_err());
    let mut bad = first.clone();
    bad[3] = f64::NAN;
    assert!(s.activations_of(&bad, 0).is_err());
}

/// The share of test codes whose nearest class centre (centres taken on the training codes)
/// is their own class: how well the 2-D code space separates the digits.
fn nearest_centre_accuracy(s: &mut Session, code_layer: usize) -> f64 {
    let classes = s.data_info().classes;
    let centre = |codes: &[f64], labels: &[f64]| {
        let mut sums = vec![[0.0, 0.0, 0.0]; classes];
        for (c, &l) in codes.chunks_exact(2).zip(labels) {
            let k = &mut sums[l as usize];
            k[0] += c[0];
            k[1] += c[1];
            k[2] += 1.0;
        }
        sums.into_iter().map(|[x, y, n]| [x / n, y / n]).collect::<Vec<_>>()
    };
    let train_codes = s.activations_of(&s.coords(false), code_layer).unwrap();
    let centres = centre(&train_codes, &s.labels(false));
    let test_codes = s.activations_of(&s.coords(true), code_layer).unwrap();
    let labels = s.labels(true);
    let right = test_codes
        .chunks_exact(2)
        .zip(&labels)
        .filter(|(c, &l)| {
            let d = |k: &[f64; 2]| (c[0] - k[0]).powi(2) + (c[1] - k[1]).powi(2);
            let nearest = (0..classes).min_by(|&a, &b| d(&centres[a]).total_cmp(&d(&centres[b]))).unwrap();
            nearest == l as usize
        })
        .count();
    right as f64 / labels.len() as f64
}

#[test]
fn the_autoencoder_lesson_separates_the_classes_without_a_label() {
    let mut s = lesson("autoencoder");
    let info = s.data_info();
    assert_eq!((info.kind, info.outputs, info.classes), ("reconstruction", 64, 10));
    let error = |s: &mut Session| match s.metrics(true).unwrap() {
        Some(Metrics::Reconstruction { mse, per_sample }) => {
            assert_eq!(per_sample.len(), info.test_points);
            mse
        }
        other => panic!("{other:?}"),
    };
    let (before, separated_before) = (error(&mut s), nearest_centre_accuracy(&mut s, 1));
    epochs(&mut s, 30);
    let (after, separated) = (error(&mut s), nearest_centre_accuracy(&mut s, 1));
    eprintln!("autoencoder: error {before} → {after}; nearest class centre {separated_before} → {separated}");
    assert!(after < 0.5 * before, "{before} → {after}");
    // Ten classes: chance is 0.1.
    assert!(separated >= 0.6 && separated > separated_before + 0.15, "{separated_before} → {separated}");
}

#[test]
fn the_target_setting_turns_any_data_into_an_autoencoder_and_back() {
    let mut s = Session::new();
    s.apply(&patch(json!({"problem": "shapes"}))).unwrap();
    assert_eq!((s.data_info().outputs, s.data_info().kind), (4, "classification"));
    assert_eq!(s.data_info().class_names[2], "square");
    s.apply(&patch(json!({"target": "inputs"}))).unwrap();
    let info = s.data_info();
    assert_eq!((info.outputs, info.kind), (64, "reconstruction"));
    assert_eq!(s.settings().network.loss, backprop_viz::Loss::SquaredError);
    s.step().unwrap();
    s.apply(&patch(json!({"target": "labels"}))).unwrap();
    assert_eq!((s.data_info().outputs, s.data_info().kind), (4, "classification"));
    s.apply(&patch(json!({"problem": "codes", "target": "inputs"}))).unwrap();
    let info = s.data_info();
    assert_eq!((info.dims, info.outputs, info.train_points, info.test_points), (8, 8, 8, 0));
    // The link keeps the target.
    let link = s.link().query;
    let mut opened = Session::new();
    opened.open_link(&link);
    assert_eq!(opened.data_info().kind, "reconstruction", "{link}");
}
