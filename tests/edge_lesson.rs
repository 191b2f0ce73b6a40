//! The edge-detector lesson does what its text says, through the page's own path
//! (`Session::load_lesson`, phases one at a time, `kernel_chain_rule`): the images are the
//! three kinds it names, one kernel weight's dL/dK is one term δ · x̃ per position of every
//! image with δ ≠ 0 only where the max pooling took its maximum, and after 300 steps the test
//! accuracy passes 95 % and the two kernels are a vertical-edge and a horizontal-edge filter.

use backprop_viz::layers::convolution::KernelWeight;
use backprop_viz::metrics::Metrics;
use backprop_viz::presets::lesson;
use backprop_viz::session::Session;
use backprop_viz::Phase;
use serde_json::json;

fn edge_lesson() -> Session {
    let mut s = Session::new();
    s.load_lesson("edge-detector", None).unwrap();
    s
}

fn test_accuracy(s: &mut Session) -> f64 {
    let Some(Metrics::Classification { accuracy, .. }) = s.metrics(true).unwrap() else {
        panic!("not a classification")
    };
    accuracy
}

/// The text says `words` (as written, with its own spaces and signs).
fn says(words: &str) {
    let text = lesson("edge-detector").unwrap().text;
    assert!(text.contains(words), "the text does not say {words:?}: {text}");
}

/// Which edge a 3×3 kernel (row by row) filters, in the text's sense: a vertical-edge filter
/// has its left column's mean negative and its right column's positive, and rises more from
/// left to right than from top to bottom; a horizontal-edge filter is the same turned a
/// quarter (its top row negative, its bottom row positive, the rows' rise the larger).
#[derive(Debug, PartialEq)]
enum Filter {
    Vertical,
    Horizontal,
    Neither,
}

fn filter(kernel: &[f64]) -> Filter {
    let column = |c: usize| (0..3).map(|r| kernel[r * 3 + c]).sum::<f64>() / 3.0;
    let row = |r: usize| (0..3).map(|c| kernel[r * 3 + c]).sum::<f64>() / 3.0;
    let (across, down) = (column(2) - column(0), row(2) - row(0));
    if column(0) < 0.0 && column(2) > 0.0 && across > down.abs() {
        Filter::Vertical
    } else if row(0) < 0.0 && row(2) > 0.0 && down > across.abs() {
        Filter::Horizontal
    } else {
        Filter::Neither
    }
}

/// The two kernels of the first layer, as the text reads them.
fn filters(s: &Session) -> [Filter; 2] {
    let kernels = &s.trainer().network().layers[0].weights;
    assert_eq!(kernels.len(), 18, "two 3×3 kernels over one channel");
    [filter(&kernels[..9]), filter(&kernels[9..])]
}

fn one_of_each(filters: &[Filter; 2]) -> bool {
    matches!(filters, [Filter::Vertical, Filter::Horizontal] | [Filter::Horizontal, Filter::Vertical])
}

#[test]
fn the_images_are_8_by_8_and_of_the_three_kinds_the_text_names() {
    let s = edge_lesson();
    let info = s.data_info();
    assert_eq!((info.dims, info.classes, info.outputs), (64, 3, 3));
    assert_eq!(info.image.map(|i| (i.width, i.height)), Some((8, 8)), "the page draws them as images");
    assert_eq!(info.class_names, ["vertical edge", "horizontal edge", "no edge"]);
    // 300 images, a quarter of each kind held out.
    assert_eq!((info.train_points, info.test_points), (225, 75));
    let kinds: Vec<_> = s.trainer().network().layers.iter().map(|l| l.kind.name()).collect();
    assert_eq!(kinds, ["convolution", "pooling", "flatten", "dense"]);
    says("8×8 images hold a vertical edge (pale on the left, inked on the right), a horizontal one (pale above, inked below) or none");
    says("two 3×3 kernels");
}

#[test]
fn a_kernel_weights_gradient_is_one_term_per_position_of_every_image() {
    let mut s = edge_lesson();
    // Forward through the 4 layers, the loss, then back to layer 1: as the page steps.
    let mut last = None;
    while last != Some(Phase::Backward(0)) {
        last = Some(s.step_phase().unwrap());
    }
    let batch = s.trainer().network().batch_len;
    assert_eq!(batch, 8);
    says("288 of them");
    for (out, row, column) in [(0, 1, 1), (1, 0, 2), (0, 2, 0)] {
        let weight = KernelWeight { out_channel: out, in_channel: 0, row, column };
        let rule = s.kernel_chain_rule(0, weight).unwrap();
        // 36 positions of the 6×6 map, for each of the 8 images.
        assert_eq!(rule.terms.len(), 36 * 8);
        says("used at all 36 positions");
        for sample in 0..batch {
            let mine: Vec<_> = rule.terms.iter().filter(|t| t.sample == sample).collect();
            let mut positions: Vec<_> = mine.iter().map(|t| (t.row, t.column)).collect();
            positions.sort();
            assert_eq!(positions, (0..6).flat_map(|i| (0..6).map(move |j| (i, j))).collect::<Vec<_>>());
            for t in &mine {
                // Valid padding: each term meets the pixel (i + u, j + v) of its own image.
                assert!(!t.in_padding);
                let (r, c) = ((t.row + row) as isize, (t.column + column) as isize);
                assert_eq!((t.input_row, t.input_column), (r, c));
                let pixel = s.trainer().network().batch_input[sample * 64 + r as usize * 8 + c as usize];
                assert_eq!(t.input, pixel);
                assert_eq!(t.term, t.delta * t.input);
            }
            // The max pooling sends δ back to one position only: the strongest response of the
            // image's map (its activation's largest value).
            let live: Vec<_> = mine.iter().filter(|t| t.delta != 0.0).collect();
            assert!(live.len() <= 1, "sample {sample}: δ ≠ 0 at {} positions", live.len());
            let map =
                &s.trainer().network().layers[0].activations[(sample * 2 + out) * 36..(sample * 2 + out + 1) * 36];
            let strongest = map.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            for t in &live {
                assert_eq!(map[t.row * 6 + t.column], strongest, "sample {sample}");
            }
        }
        // The sum of the terms, scaled by the batch mean's 1/8, is the engine's dL/dK.
        let sum: f64 = rule.terms.iter().map(|t| t.term).sum();
        assert!((sum - rule.sum).abs() <= 1e-15 * sum.abs().max(1.0), "{sum} against {}", rule.sum);
        assert_eq!(rule.scale, 1.0 / 8.0);
        let held = s.trainer().network().layers[0].grad_weights[out * 9 + row * 3 + column];
        assert_eq!(rule.gradient, held, "bit for bit");
        assert!((rule.scale * sum - held).abs() <= 1e-15 + 1e-12 * held.abs(), "{} against {held}", rule.scale * sum);
    }
    says("only the position of each image's strongest response has δ ≠ 0");
}

/// The steps its text gives it.
const STEPS: u32 = 300;

#[test]
fn after_300_steps_it_passes_95_percent_and_its_kernels_are_edge_filters() {
    let mut s = edge_lesson();
    assert_eq!(filters(&s), [Filter::Neither, Filter::Neither], "the random kernels filter no edge yet");
    s.train(STEPS).unwrap();
    assert_eq!(s.trainer().steps(), STEPS as u64);
    let accuracy = test_accuracy(&mut s);
    let kernels = &s.trainer().network().layers[0].weights;
    eprintln!("edge-detector: test accuracy {accuracy} after {STEPS} steps; kernels {kernels:.2?}");
    assert!(accuracy >= 0.95, "{accuracy}");
    assert!(one_of_each(&filters(&s)), "{:?}: {kernels:.2?}", filters(&s));
    says("Train for 300 steps: the test accuracy passes 95 %");
    says("a vertical-edge filter (its left column negative, its right positive), the other a horizontal one (its top row negative, its bottom positive)");
}

#[test]
fn the_kernels_learn_the_edges_from_most_starting_weights() {
    // Not only the lesson's own seed: of 12 starting weights, at least 10 give both filters and
    // 95 % within the same 300 steps (11 did when the lesson was made).
    let mut learned = Vec::new();
    for seed in 1..=12 {
        let mut s = edge_lesson();
        s.apply(json!({ "seed": seed }).as_object().unwrap()).unwrap();
        assert_eq!(s.settings().network.seed, seed);
        s.train(STEPS).unwrap();
        if test_accuracy(&mut s) >= 0.95 && one_of_each(&filters(&s)) {
            learned.push(seed);
        }
    }
    assert!(learned.len() >= 10, "only seeds {learned:?}");
}

#[test]
fn the_tours_last_stop_shows_the_kernels_as_edge_filters() {
    let mut s = edge_lesson();
    let stops = s.tour().unwrap().stops;
    s.go_to_stop(stops.len() - 1).unwrap();
    assert_eq!(s.trainer().steps(), u64::from(STEPS));
    assert!(one_of_each(&filters(&s)), "{:?}", filters(&s));
}
