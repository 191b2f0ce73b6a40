//! Every wrong choice of every checkpoint in every tour (issue 13) is the value of the mistake
//! it names, worked out here a second time from the textbook definitions, with this file's own
//! activation functions and loss derivative, from the network's plain numbers (weights, biases,
//! inputs, targets and the phase's z): nothing of src/checkpoint.rs is reused.

use backprop_viz::activation::Activation;
use backprop_viz::checkpoint::{Checkpoint, Mistake};
use backprop_viz::loss::{Loss, Reduction};
use backprop_viz::network::Network;
use backprop_viz::optimizer::OptimizerKind;
use backprop_viz::regularization::RegularizationKind;
use backprop_viz::session::Session;
use backprop_viz::tour::{self, Quantity, Question};

fn f(activation: Activation, z: f64) -> f64 {
    match activation {
        Activation::Identity => z,
        Activation::Sigmoid => 1.0 / (1.0 + (-z).exp()),
        Activation::Tanh => z.tanh(),
        Activation::Relu => z.max(0.0),
        other => panic!("a toured lesson uses {other:?}: teach this test its f"),
    }
}

fn f_prime(activation: Activation, z: f64) -> f64 {
    match activation {
        Activation::Identity => 1.0,
        Activation::Sigmoid => f(activation, z) * (1.0 - f(activation, z)),
        Activation::Tanh => 1.0 - z.tanh().powi(2),
        Activation::Relu => f64::from(u8::from(z > 0.0)),
        other => panic!("a toured lesson uses {other:?}: teach this test its f′"),
    }
}

/// a_prev of layer `l`, sample `s`, input `i`.
fn a_prev(n: &Network, l: usize, s: usize, i: usize) -> f64 {
    let width = n.layers[l].inputs;
    if l == 0 {
        n.batch_input[s * width + i]
    } else {
        n.layers[l - 1].activations[s * width + i]
    }
}

/// z of neuron `j` of layer `l` for sample `s`, summed here from the weights and the inputs.
fn z_of(n: &Network, l: usize, s: usize, j: usize) -> f64 {
    let layer = &n.layers[l];
    let sum: f64 = (0..layer.inputs).map(|i| layer.weights[j * layer.inputs + i] * a_prev(n, l, s, i)).sum();
    sum + if layer.has_bias { layer.biases[j] } else { 0.0 }
}

/// dL_s/da of neuron `j` of layer `l` for sample `s`: ŷ − y at the output (½ (ŷ − y)² per
/// output), else Σ_k w_kj · δ_k of the layer above (with `weight_shift` taken off each w).
fn dl_da(n: &Network, l: usize, s: usize, j: usize, weight_shift: &dyn Fn(usize) -> f64) -> f64 {
    let layer = &n.layers[l];
    if l + 1 == n.layers.len() {
        assert_eq!(n.loss, Loss::SquaredError, "a toured lesson uses {:?}: teach this test its dL/dŷ", n.loss);
        return layer.activations[s * layer.units + j] - n.batch_target[s * layer.units + j];
    }
    let next = &n.layers[l + 1];
    (0..next.units)
        .map(|k| {
            let p = k * layer.units + j;
            (next.weights[p] - weight_shift(p)) * next.delta[s * next.units + k]
        })
        .sum()
}

/// The value of `mistake` for `q`. `before` is the network just before the question's phase,
/// `after` just after it (its z, its δ and its batch gradient, which the mistakes start from).
fn mistaken(mistake: Mistake, q: &Question, before: &Network, after: &Network, eta: f64, plain_sgd: bool) -> f64 {
    let (l, j, s) = (q.layer, q.neuron, q.sample);
    let layer = &after.layers[l];
    let act = layer.activation;
    let batch = after.batch_len;
    let per_sample = if after.reduction == Reduction::Mean { 1.0 / batch as f64 } else { 1.0 };
    let bias = if layer.has_bias { layer.biases[j] } else { 0.0 };
    let z = z_of(after, l, s, j);
    let no_shift = |_: usize| 0.0;
    let delta = |s: usize| f_prime(act, z_of(after, l, s, j)) * dl_da(after, l, s, j, &no_shift);
    let i = q.input.unwrap_or(0);
    let over_batch = |term: &dyn Fn(usize) -> f64| (0..batch).map(term).sum::<f64>();
    match (q.quantity, mistake) {
        (Quantity::Z, Mistake::ActivationNotSum) => f(act, z),
        (Quantity::Z, Mistake::ForgotBias) => z - bias,
        (Quantity::Z, Mistake::AddedNotMultiplied) => {
            (0..layer.inputs).map(|i| layer.weights[j * layer.inputs + i] + a_prev(after, l, s, i)).sum::<f64>() + bias
        }
        (Quantity::A, Mistake::ForgotActivation) => z,
        (Quantity::A, Mistake::UsedDerivative) => f_prime(act, z),
        (Quantity::A, Mistake::ForgotBias) => f(act, z - bias),
        (Quantity::Delta, Mistake::ForgotDerivative) => dl_da(after, l, s, j, &no_shift),
        (Quantity::Delta, Mistake::UpdatedWeights) => {
            assert!(plain_sgd, "the updated weights are w − η·g under plain SGD only");
            let next = &after.layers[l + 1];
            f_prime(act, z) * dl_da(after, l, s, j, &|p| eta * next.grad_weights[p])
        }
        (Quantity::Delta, Mistake::FlippedError) => -f_prime(act, z) * dl_da(after, l, s, j, &no_shift),
        (Quantity::Delta, Mistake::AddedNotMultiplied) => dl_da(after, l, s, j, &no_shift) + f_prime(act, z),
        (Quantity::Gradient, Mistake::ForgotDerivative) => {
            per_sample * over_batch(&|s| dl_da(after, l, s, j, &no_shift) * a_prev(after, l, s, i))
        }
        (Quantity::Gradient, Mistake::ForgotBatchMean) => over_batch(&|s| delta(s) * a_prev(after, l, s, i)),
        (Quantity::Gradient, Mistake::AddedNotMultiplied) => {
            per_sample * over_batch(&|s| delta(s) + a_prev(after, l, s, i))
        }
        (Quantity::Gradient, Mistake::OneSampleOnly) => delta(s) * a_prev(after, l, s, i),
        (Quantity::NewWeight, _) => {
            let p = j * layer.inputs + i;
            let (w, g) = (before.layers[l].weights[p], before.layers[l].grad_weights[p]);
            assert!(plain_sgd, "the tours' updates are plain SGD");
            match mistake {
                Mistake::WrongSign => w + eta * g,
                Mistake::ForgotLearningRate => w - g,
                Mistake::ForgotBatchMean => w - eta * batch as f64 * g,
                other => panic!("{other:?} is no mistake of a new weight"),
            }
        }
        (quantity, other) => panic!("{other:?} is no mistake of {quantity:?}"),
    }
}

/// Runs `check(lesson, stop, question, session, checkpoint)` at every checkpoint of every tour,
/// with the session brought to that stop; returns how many checkpoints it ran at.
fn each_checkpoint(mut check: impl FnMut(&str, usize, &Question, &Session, &Checkpoint)) -> usize {
    let mut count = 0;
    for id in tour::TOURED {
        let mut s = Session::new();
        s.load_lesson(id, None).unwrap();
        for (k, stop) in s.tour().unwrap().stops.iter().enumerate() {
            let Some(q) = stop.checkpoint else { continue };
            s.go_to_stop(k).unwrap();
            let c = s.checkpoint(k).unwrap().unwrap();
            check(id, k, &q, &s, &c);
            count += 1;
        }
    }
    count
}

#[test]
fn every_wrong_choice_is_its_named_mistake_recomputed_by_hand() {
    let checked = each_checkpoint(|id, k, q, s, c| {
        let trainer = s.trainer();
        let config = trainer.config();
        let plain_sgd =
            config.optimizer.kind == OptimizerKind::Sgd && config.regularization.kind == RegularizationKind::None;
        let eta = trainer.learning_rate();
        let mut after = trainer.clone();
        after.step_phase().unwrap();
        let wrong: Vec<_> = c.choices.iter().filter_map(|x| x.mistake.map(|m| (m, x.value))).collect();
        assert!(!wrong.is_empty(), "{id} stop {}: no wrong choice", k + 1);
        for (mistake, value) in wrong {
            let expected = mistaken(mistake, q, trainer.network(), after.network(), eta, plain_sgd);
            assert!(
                (value - expected).abs() <= 1e-12 * expected.abs().max(1e-12),
                "{id} stop {}: the choice for {mistake:?} is {value}, worked out by hand {expected}",
                k + 1
            );
        }
    });
    assert!(checked >= 20, "only {checked} checkpoints");
}

/// f′ written with the activation's output a, as a student reads it off the screen.
fn f_prime_of_a(activation: Activation, a: f64) -> f64 {
    match activation {
        Activation::Identity => 1.0,
        Activation::Sigmoid => a * (1.0 - a),
        Activation::Tanh => 1.0 - a * a,
        Activation::Relu => f64::from(u8::from(a > 0.0)),
        other => panic!("a toured lesson uses {other:?}: teach this test its f′"),
    }
}

/// Every checkpoint's answer worked out from the numbers its `given` lists, and nothing else
/// (the activation is the layer's, which the stop's sentence names): the question can be done
/// from what the page shows beside it.
#[test]
fn every_answer_follows_from_the_numbers_given_with_it() {
    use backprop_viz::notation::{input_name, subscript, superscript};
    let checked = each_checkpoint(|id, k, q, s, c| {
        let n = s.trainer().network();
        let get = |symbol: &str, sample: Option<usize>| {
            c.given
                .iter()
                .find(|g| g.symbol == symbol && g.sample == sample)
                .unwrap_or_else(|| {
                    panic!("{id} stop {}: {symbol} (sample {sample:?}) is not given: {:?}", k + 1, c.given)
                })
                .value
        };
        let (l, j) = (q.layer, q.neuron);
        let (layer, last) = (&n.layers[l], n.layers.len() - 1);
        let top = |l: usize| superscript(l + 1);
        let input = |i: usize, sample: usize| {
            let name = if l == 0 { input_name(i) } else { format!("a{}{}", top(l - 1), subscript(&[i + 1])) };
            get(&name, Some(sample))
        };
        let weight = |l: usize, j: usize, i: usize| get(&format!("w{}{}", top(l), subscript(&[j + 1, i + 1])), None);
        let delta = |sample: usize| {
            if l == last {
                assert_eq!(n.loss, Loss::SquaredError);
                let y_hat = get(&format!("ŷ{}", subscript(&[j + 1])), Some(sample));
                (y_hat - get(&format!("y{}", subscript(&[j + 1])), Some(sample)))
                    * f_prime_of_a(layer.activation, y_hat)
            } else {
                let a = get(&format!("a{}{}", top(l), subscript(&[j + 1])), Some(sample));
                let sum: f64 = (0..n.layers[l + 1].units)
                    .map(|k| {
                        weight(l + 1, k, j) * get(&format!("δ{}{}", top(l + 1), subscript(&[k + 1])), Some(sample))
                    })
                    .sum();
                f_prime_of_a(layer.activation, a) * sum
            }
        };
        let z = || {
            let sum: f64 = (0..layer.inputs).map(|i| input(i, q.sample) * weight(l, j, i)).sum();
            sum + if layer.has_bias { get(&format!("b{}{}", top(l), subscript(&[j + 1])), None) } else { 0.0 }
        };
        let worked = match q.quantity {
            Quantity::Z => z(),
            Quantity::A => f(layer.activation, z()),
            Quantity::Delta => delta(q.sample),
            Quantity::Gradient => {
                let i = q.input.unwrap();
                // A mean over the batch lists its size B; a sum needs none.
                let batch = n.batch_len;
                let mean = n.reduction == Reduction::Mean && batch > 1;
                let scale = if mean { 1.0 / get("B", None) } else { 1.0 };
                let input_symbol =
                    if l == 0 { input_name(i) } else { format!("a{}{}", top(l - 1), subscript(&[i + 1])) };
                let term_symbol = format!("δ{}{}·{input_symbol}", top(l), subscript(&[j + 1]));
                let term = |s: usize| {
                    if batch > 4 {
                        get(&term_symbol, Some(s))
                    } else {
                        delta(s) * input(i, s)
                    }
                };
                scale * (0..batch).map(term).sum::<f64>()
            }
            Quantity::NewWeight => {
                let w = format!("w{}{}", top(l), subscript(&[j + 1, q.input.unwrap() + 1]));
                get(&w, None) - get("η", None) * get(&format!("dL/d{w}"), None)
            }
        };
        assert!(
            (worked - c.answer).abs() <= 1e-12 * c.answer.abs().max(1e-12),
            "{id} stop {}: from the given numbers {worked}, the engine's answer {}",
            k + 1,
            c.answer
        );
    });
    assert!(checked >= 15, "only {checked} checkpoints");
}
