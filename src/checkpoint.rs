//! Checkpoints: "predict the next number". At a tour stop the page asks for the number the
//! next phase will compute (z, a, δ, dL/dw or the new w) from the numbers on screen.
//!
//! The answer is the engine's own: a copy of the trainer runs the next phase and the value is
//! read off its arrays. The wrong choices are the values of common mistakes, each worked out
//! from the same arrays:
//!     forgot f′(z)          δ = dL/da,            dL/dw = reduce dL/da · a_prev
//!     updated weights       δ_j = f′(z_j) · Σ_k (w_kj − η·g_kj) · δ_k
//!     wrong sign            w + η·g
//!     forgot the batch mean Σ_s δ·a_prev (mean reduction, batch > 1),   w − η·batch·g
//!     added, not multiplied dL/dw = reduce (δ + a_prev),   δ = dL/da + f′(z),   z = Σ (w + a) + b
//! and a few more (forgot the bias, the learning rate or the activation; one sample only).

use crate::error::{short, Error, Result};
use crate::loss::Reduction;
use crate::network::Network;
use crate::notation::{subscript, superscript};
use crate::optimizer::OptimizerKind;
use crate::phase::Phase;
use crate::regularization::RegularizationKind;
use crate::session::Session;
use crate::tour::{Quantity, Question};
use crate::trainer::Trainer;
use serde::Serialize;

/// A typed answer within this share of the engine's value is right.
pub const RELATIVE_TOLERANCE: f64 = 0.01;
/// The most wrong choices a question offers (with the right one, at most four choices).
const MAX_MISTAKES: usize = 3;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Mistake {
    ForgotDerivative,
    UpdatedWeights,
    WrongSign,
    ForgotBatchMean,
    AddedNotMultiplied,
    ForgotBias,
    ForgotActivation,
    UsedDerivative,
    ActivationNotSum,
    FlippedError,
    ForgotLearningRate,
    OneSampleOnly,
}

impl Mistake {
    /// What the student did, in a sentence.
    pub fn feedback(self) -> &'static str {
        match self {
            Mistake::ForgotDerivative => "That leaves out the factor f′(z): δ = dL/da · f′(z), and dL/dw uses δ, not dL/da.",
            Mistake::UpdatedWeights => "That uses the next layer's weights as they will be after this step's update; the backward pass uses the weights the forward pass used.",
            Mistake::WrongSign => "That moves the weight up the gradient: the update is w − η·dL/dw, not w + η·dL/dw.",
            Mistake::ForgotBatchMean => "That is the sum over the batch: the loss is the batch's mean, so the gradient is divided by the batch size.",
            Mistake::AddedNotMultiplied => "That adds the factors: along the chain, local derivatives multiply.",
            Mistake::ForgotBias => "That leaves out the bias b: z = Σ w·a + b.",
            Mistake::ForgotActivation => "That is z: a = f(z), the activation applied to z.",
            Mistake::UsedDerivative => "That is f′(z), the activation's slope: a = f(z).",
            Mistake::ActivationNotSum => "That is a = f(z): z is the weighted sum before the activation.",
            Mistake::FlippedError => "That has the error the wrong way round: dL/dŷ = ŷ − y, not y − ŷ.",
            Mistake::ForgotLearningRate => "That takes the whole gradient as the step: the update is w − η·dL/dw.",
            Mistake::OneSampleOnly => "That is the shown sample's term δ·a_prev alone: the batch's gradient combines every sample's.",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Choice {
    pub value: f64,
    /// None for the right answer.
    pub mistake: Option<Mistake>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Checkpoint {
    pub question: Question,
    /// "Compute δ²₁ for sample 1".
    pub prompt: String,
    /// "δ²₁".
    pub symbol: String,
    /// What the engine will hold after the next phase.
    pub answer: f64,
    /// A typed answer within this of `answer` is right.
    pub tolerance: f64,
    pub tolerance_text: String,
    /// The right answer and the mistakes' values, by value (distinct beyond the tolerance).
    pub choices: Vec<Choice>,
    /// The phase that computes the answer.
    pub phase: Phase,
    /// The numbers the answer is computed from, as the engine holds them: the question can be
    /// worked out from these alone (before the first phase of a step, the sample's inputs are
    /// not drawn on the network yet).
    pub given: Vec<Given>,
}

/// One number a checkpoint's answer is computed from: "w¹₁₁ = 0.15".
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Given {
    pub symbol: String,
    pub value: f64,
    /// The batch sample it belongs to (None: a parameter, the same for every sample).
    pub sample: Option<usize>,
}

/// The largest batch whose gradient's `given` lists each sample's δ parts and input (a larger
/// one lists each sample's term δ · a_prev).
const MAX_GIVEN_SAMPLES: usize = 4;

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Verdict {
    pub correct: bool,
    pub answer: f64,
    pub typed: f64,
    pub mistake: Option<Mistake>,
    pub feedback: String,
}

/// The phase that computes `question`'s quantity.
pub fn phase_of(question: &Question) -> Phase {
    match question.quantity {
        Quantity::Z | Quantity::A => Phase::Forward(question.layer),
        Quantity::Delta | Quantity::Gradient => Phase::Backward(question.layer),
        Quantity::NewWeight => Phase::Update,
    }
}

/// The checkpoint of `question` where `session` stands: asked just before the phase that
/// computes it.
pub fn ask(session: &Session, question: &Question) -> Result<Checkpoint> {
    let before = session.trainer();
    check_fits(before.network(), question)?;
    let phase = phase_of(question);
    if before.next_phase() != phase {
        return Err(Error::OutOfRange(format!(
            "this question is for just before {}, and the next phase is {}",
            phase.describe(),
            before.next_phase().describe()
        )));
    }
    let mut after = before.clone();
    after.step_phase()?;
    let answer = value_after(after.network(), question);
    let tolerance = (RELATIVE_TOLERANCE * answer.abs()).max(f64::MIN_POSITIVE);
    let mut choices = vec![Choice { value: answer, mistake: None }];
    for (mistake, value) in mistakes(before, &after, question) {
        let distinct = choices.iter().all(|c| (c.value - value).abs() > tolerance);
        if value.is_finite() && distinct && choices.len() <= MAX_MISTAKES {
            choices.push(Choice { value, mistake: Some(mistake) });
        }
    }
    choices.sort_by(|a, b| a.value.total_cmp(&b.value));
    let symbol = symbol(after.network(), question);
    let sample =
        if after.network().batch_len > 1 { format!(" for sample {}", question.sample + 1) } else { String::new() };
    let prompt = match question.quantity {
        Quantity::Gradient => format!("Compute the batch's {symbol}"),
        Quantity::NewWeight => format!("Compute the new {symbol} after the update"),
        _ => format!("Compute {symbol}{sample}"),
    };
    Ok(Checkpoint {
        question: *question,
        prompt,
        symbol,
        answer,
        tolerance,
        tolerance_text: format!("within {} % of the engine's value", RELATIVE_TOLERANCE * 100.0),
        choices,
        phase,
        given: given(before, after.network(), question),
    })
}

/// The numbers `q`'s answer is computed from: `before` is the trainer just before the phase,
/// `after` the network just after it (whose inputs the first phase loads).
fn given(before: &Trainer, after: &Network, q: &Question) -> Vec<Given> {
    let n = before.network();
    let (l, j) = (q.layer, q.neuron);
    let layer = &n.layers[l];
    let last = n.layers.len() - 1;
    let top = |l: usize| superscript(l + 1);
    let input_symbol = |l: usize, i: usize| {
        if l == 0 {
            crate::notation::input_name(i)
        } else {
            format!("a{}{}", top(l - 1), subscript(&[i + 1]))
        }
    };
    let weight_symbol = |l: usize, j: usize, i: usize| format!("w{}{}", top(l), subscript(&[j + 1, i + 1]));
    let param = |symbol: String, value: f64| Given { symbol, value, sample: None };
    let mut list = Vec::new();
    // What δ of neuron j of layer l is made of, for sample s.
    let delta_parts = |s: usize, list: &mut Vec<Given>| {
        let at = |symbol: String, value: f64| Given { symbol, value, sample: Some(s) };
        let idx = s * layer.units + j;
        if l == last {
            list.push(at(format!("ŷ{}", subscript(&[j + 1])), n.layers[l].activations[idx]));
            list.push(at(format!("y{}", subscript(&[j + 1])), after.batch_target[idx]));
        } else {
            list.push(at(format!("a{}{}", top(l), subscript(&[j + 1])), n.layers[l].activations[idx]));
            let next = &n.layers[l + 1];
            for k in 0..next.units {
                list.push(param(weight_symbol(l + 1, k, j), next.weights[k * layer.units + j]));
                list.push(at(format!("δ{}{}", top(l + 1), subscript(&[k + 1])), next.delta[s * next.units + k]));
            }
        }
    };
    let inputs = |network: &Network, s: usize, i: usize| {
        let width = layer.inputs;
        if l == 0 {
            network.batch_input[s * width + i]
        } else {
            network.layers[l - 1].activations[s * width + i]
        }
    };
    match q.quantity {
        Quantity::Z | Quantity::A => {
            for i in 0..layer.inputs {
                list.push(Given {
                    symbol: input_symbol(l, i),
                    value: inputs(after, q.sample, i),
                    sample: Some(q.sample),
                });
                list.push(param(weight_symbol(l, j, i), layer.weights[j * layer.inputs + i]));
            }
            if layer.has_bias {
                list.push(param(format!("b{}{}", top(l), subscript(&[j + 1])), layer.biases[j]));
            }
        }
        Quantity::Delta => delta_parts(q.sample, &mut list),
        Quantity::Gradient => {
            let i = q.input.unwrap_or(0);
            if n.batch_len <= MAX_GIVEN_SAMPLES {
                for s in 0..n.batch_len {
                    delta_parts(s, &mut list);
                    list.push(Given { symbol: input_symbol(l, i), value: inputs(n, s, i), sample: Some(s) });
                }
            } else {
                // A larger batch: each sample's term δ · a_prev, which the batch's gradient combines.
                let symbol = format!("δ{}{}·{}", top(l), subscript(&[j + 1]), input_symbol(l, i));
                for s in 0..n.batch_len {
                    let term = after.layers[l].delta[s * layer.units + j] * inputs(n, s, i);
                    list.push(Given { symbol: symbol.clone(), value: term, sample: Some(s) });
                }
            }
            if n.batch_len > 1 && n.reduction == Reduction::Mean {
                list.push(param("B".into(), n.batch_len as f64));
            }
        }
        Quantity::NewWeight => {
            let p = j * layer.inputs + q.input.unwrap_or(0);
            let w = weight_symbol(l, j, q.input.unwrap_or(0));
            list.push(param(format!("dL/d{w}"), layer.grad_weights[p]));
            list.push(param(w, layer.weights[p]));
            list.push(param("η".into(), before.learning_rate()));
        }
    }
    // Each parameter once (a hidden δ's weights repeat for every sample).
    let mut once: Vec<Given> = Vec::with_capacity(list.len());
    for g in list {
        if g.sample.is_some() || !once.iter().any(|o| o.sample.is_none() && o.symbol == g.symbol) {
            once.push(g);
        }
    }
    once
}

/// Judges a typed number (or a choice's value): right within the tolerance; else the mistake
/// it matches, if any.
pub fn check(session: &Session, question: &Question, typed: f64) -> Result<Verdict> {
    let checkpoint = ask(session, question)?;
    let answer = checkpoint.answer;
    if (typed - answer).abs() <= checkpoint.tolerance {
        return Ok(Verdict {
            correct: true,
            answer,
            typed,
            mistake: None,
            feedback: format!("Right: the engine computes {} = {}.", checkpoint.symbol, short(answer)),
        });
    }
    let mut after = session.trainer().clone();
    after.step_phase()?;
    let matched = mistakes(session.trainer(), &after, question)
        .into_iter()
        .filter(|(_, v)| v.is_finite() && (typed - v).abs() <= checkpoint.tolerance)
        .min_by(|a, b| (typed - a.1).abs().total_cmp(&(typed - b.1).abs()))
        .map(|(m, _)| m);
    let feedback = match matched {
        Some(m) => {
            format!("Not quite. {} The engine computes {} = {}.", m.feedback(), checkpoint.symbol, short(answer))
        }
        None => format!("Not quite: the engine computes {} = {}.", checkpoint.symbol, short(answer)),
    };
    Ok(Verdict { correct: false, answer, typed, mistake: matched, feedback })
}

fn check_fits(network: &Network, q: &Question) -> Result<()> {
    let layer = network.layers.get(q.layer).ok_or_else(|| Error::OutOfRange(format!("no layer {}", q.layer + 1)))?;
    let needs_input = matches!(q.quantity, Quantity::Gradient | Quantity::NewWeight);
    let input_fits = match q.input {
        Some(i) => needs_input && i < layer.inputs,
        None => !needs_input,
    };
    if q.neuron >= layer.units || !input_fits {
        return Err(Error::OutOfRange("the question names no such neuron or weight".into()));
    }
    Ok(())
}

/// The question's value in `network` (after the phase that computes it).
pub fn value_after(network: &Network, q: &Question) -> f64 {
    let layer = &network.layers[q.layer];
    let idx = q.sample * layer.units + q.neuron;
    let weight = q.neuron * layer.inputs + q.input.unwrap_or(0);
    match q.quantity {
        Quantity::Z => layer.pre_activation[idx],
        Quantity::A => layer.activations[idx],
        Quantity::Delta => layer.delta[idx],
        Quantity::Gradient => layer.grad_weights[weight],
        Quantity::NewWeight => layer.weights[weight],
    }
}

/// The inputs a_prev of layer `l` for sample `s`.
fn inputs_of(network: &Network, l: usize, s: usize) -> &[f64] {
    let n = network.layers[l].inputs;
    let all = if l == 0 { &network.batch_input } else { &network.layers[l - 1].activations };
    &all[s * n..(s + 1) * n]
}

/// dL/da of neuron `j` of layer `l` for sample `s`.
fn grad_activation(network: &Network, l: usize, s: usize, j: usize) -> f64 {
    let layer = &network.layers[l];
    if l + 1 == network.layers.len() {
        network.grad_output[s * layer.units + j]
    } else {
        layer.grad_activation[s * layer.units + j]
    }
}

/// Each mistake that applies to `q`, with its value. `before` is the trainer before the phase,
/// `after` a copy that has run it.
fn mistakes(before: &Trainer, after: &Trainer, q: &Question) -> Vec<(Mistake, f64)> {
    let n = after.network();
    let layer = &n.layers[q.layer];
    let (l, j, s) = (q.layer, q.neuron, q.sample);
    let idx = s * layer.units + j;
    let (z, a) = (layer.pre_activation[idx], layer.activations[idx]);
    let d_activation = layer.activation.derivative(z, a);
    let config = before.config();
    let plain_sgd =
        config.optimizer.kind == OptimizerKind::Sgd && config.regularization.kind == RegularizationKind::None;
    let eta = before.learning_rate();
    let batch = n.batch_len;
    let mean_batch = n.reduction == Reduction::Mean && batch > 1;
    let scale = n.reduction.scale(batch);
    let mut found = Vec::new();
    match q.quantity {
        Quantity::Z => {
            let x = inputs_of(n, l, s);
            let w = &layer.weights[j * layer.inputs..(j + 1) * layer.inputs];
            let sum: f64 = w.iter().zip(x).map(|(w, x)| w * x).sum();
            let added: f64 = w.iter().zip(x).map(|(w, x)| w + x).sum();
            found.push((Mistake::ActivationNotSum, a));
            if layer.has_bias {
                found.push((Mistake::ForgotBias, sum));
            }
            found.push((Mistake::AddedNotMultiplied, added + layer.biases[j]));
        }
        Quantity::A => {
            found.push((Mistake::ForgotActivation, z));
            found.push((Mistake::UsedDerivative, d_activation));
            if layer.has_bias {
                found.push((Mistake::ForgotBias, layer.activation.apply(z - layer.biases[j])));
            }
        }
        Quantity::Delta => {
            let grad_a = grad_activation(n, l, s, j);
            found.push((Mistake::ForgotDerivative, grad_a));
            if l + 1 < n.layers.len() && plain_sgd {
                let next = &n.layers[l + 1];
                let updated: f64 = (0..next.units)
                    .map(|k| {
                        let w = next.weights[k * layer.units + j] - eta * next.grad_weights[k * layer.units + j];
                        w * next.delta[s * next.units + k]
                    })
                    .sum();
                found.push((Mistake::UpdatedWeights, d_activation * updated));
            }
            if l + 1 == n.layers.len() {
                found.push((Mistake::FlippedError, -layer.delta[idx]));
            }
            found.push((Mistake::AddedNotMultiplied, grad_a + d_activation));
        }
        Quantity::Gradient => {
            let i = q.input.unwrap_or(0);
            let over_batch = |term: &dyn Fn(usize) -> f64| (0..batch).map(term).sum::<f64>();
            let a_prev = |s: usize| inputs_of(n, l, s)[i];
            let delta = |s: usize| layer.delta[s * layer.units + j];
            found.push((Mistake::ForgotDerivative, scale * over_batch(&|s| grad_activation(n, l, s, j) * a_prev(s))));
            if mean_batch {
                found.push((Mistake::ForgotBatchMean, over_batch(&|s| delta(s) * a_prev(s))));
            }
            found.push((Mistake::AddedNotMultiplied, scale * over_batch(&|s| delta(s) + a_prev(s))));
            if batch > 1 {
                found.push((Mistake::OneSampleOnly, delta(s) * a_prev(s)));
            }
        }
        Quantity::NewWeight => {
            let p = j * layer.inputs + q.input.unwrap_or(0);
            let old = before.network().layers[l].weights[p];
            let g = layer.grad_weights[p];
            if plain_sgd {
                found.push((Mistake::WrongSign, old + eta * g));
                found.push((Mistake::ForgotLearningRate, old - g));
                if mean_batch {
                    found.push((Mistake::ForgotBatchMean, old - eta * (batch as f64 * g)));
                }
            } else {
                found.push((Mistake::WrongSign, old - (layer.weights[p] - old)));
            }
        }
    }
    found
}

/// The textbook name of the asked number: "δ²₁", "dL/dw¹₁₂", "w²₁₁" (layers from 1).
fn symbol(network: &Network, q: &Question) -> String {
    let top = superscript(q.layer + 1);
    let neuron = subscript(&[q.neuron + 1]);
    let weight = || format!("w{top}{}", subscript(&[q.neuron + 1, q.input.unwrap_or(0) + 1]));
    let is_output = q.layer + 1 == network.layers.len();
    match q.quantity {
        Quantity::Z => format!("z{top}{neuron}"),
        Quantity::A if is_output => format!("ŷ{neuron}"),
        Quantity::A => format!("a{top}{neuron}"),
        Quantity::Delta => format!("δ{top}{neuron}"),
        Quantity::Gradient => format!("dL/d{}", weight()),
        Quantity::NewWeight => weight(),
    }
}
