//! Guided tours: a lesson's sequence of stops, each naming what to look at, with a sentence
//! and, at some stops, a checkpoint question (see `checkpoint`) asked before the next phase.
//!
//! A stop's `Place` is where the session must be when it shows: how many steps are done and
//! which phase ran last. Tours are data beside a lesson, keyed by the lesson's id.

use crate::phase::Phase;
use serde::{Deserialize, Serialize};

/// Steps done and the phase run last in the current step (`Position::last`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Place {
    pub steps: u64,
    pub last: Option<Phase>,
}

impl Place {
    /// How many phases have run since the lesson was loaded, in a network of `layers` layers:
    /// places compare by it.
    pub fn phases_run(self, layers: usize) -> u64 {
        let count = Phase::count(layers) as u64;
        match self.last {
            // The update has moved the step counter on already.
            None | Some(Phase::Update) => self.steps * count,
            Some(phase) => self.steps * count + phase.index(layers) as u64 + 1,
        }
    }
}

/// What the view highlights (layers numbered as `Selection`: 0-based, −1 the inputs).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Target {
    None,
    Phase {
        phase: Phase,
    },
    Neuron {
        layer: i32,
        neuron: usize,
    },
    Edge {
        layer: i32,
        neuron: usize,
        input: usize,
    },
    /// A computation-graph node by its label ("z¹₁", "w²₁₂").
    Node {
        label: String,
    },
}

/// The number a checkpoint asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Quantity {
    Z,
    A,
    Delta,
    Gradient,
    NewWeight,
}

/// A question: `quantity` of neuron `neuron` in engine layer `layer` (the weight from `input`
/// for a gradient or a new weight), for batch sample `sample`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Question {
    pub quantity: Quantity,
    pub layer: usize,
    pub neuron: usize,
    pub input: Option<usize>,
    pub sample: usize,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Stop {
    pub text: String,
    pub at: Place,
    pub target: Target,
    pub checkpoint: Option<Question>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Tour {
    pub lesson: &'static str,
    pub stops: Vec<Stop>,
}

fn at(steps: u64, last: Option<Phase>) -> Place {
    Place { steps, last }
}

fn stop(text: &str, at: Place, target: Target) -> Stop {
    Stop { text: text.into(), at, target, checkpoint: None }
}

fn ask(text: &str, at: Place, target: Target, question: Question) -> Stop {
    Stop { text: text.into(), at, target, checkpoint: Some(question) }
}

fn node(label: &str) -> Target {
    Target::Node { label: label.into() }
}

fn question(quantity: Quantity, layer: usize, neuron: usize, input: Option<usize>, sample: usize) -> Question {
    Question { quantity, layer, neuron, input, sample }
}

use Phase::{Backward, Forward, Loss, Update};
use Quantity::{Delta, Gradient, NewWeight, A, Z};

/// The tour of lesson `lesson`, if it has one.
pub fn tour(lesson: &str) -> Option<Tour> {
    let stops = match lesson {
        "chain-rule" => chain_rule(),
        "worked-example" => worked_example(),
        "xor" => xor(),
        "vanishing-gradients" => vanishing_gradients(),
        "learning-rate" => learning_rate(),
        "digits-cnn" => digits_cnn(),
        "edge-detector" => edge_detector(),
        _ => return None,
    };
    let lesson = crate::presets::lessons().into_iter().find(|l| l.id == lesson)?.id;
    Some(Tour { lesson, stops })
}

/// The ids of the lessons with a tour.
pub const TOURED: &[&str] =
    &["chain-rule", "worked-example", "xor", "vanishing-gradients", "learning-rate", "digits-cnn", "edge-detector"];

fn chain_rule() -> Vec<Stop> {
    vec![
        stop(
            "One path: x → w1 → h → w2 → ŷ, both neurons sigmoid, no biases. Nothing has run yet.",
            at(0, None),
            Target::Neuron { layer: -1, neuron: 0 },
        ),
        ask(
            "The hidden neuron takes z = w1 · x. Before the first forward phase: what is z¹₁?",
            at(0, None),
            node("z¹₁"),
            question(Z, 0, 0, None, 0),
        ),
        ask(
            "z¹₁ is on screen. The output neuron is next: what is ŷ = σ(w2 · h)?",
            at(0, Some(Forward(0))),
            Target::Neuron { layer: 1, neuron: 0 },
            question(A, 1, 0, None, 0),
        ),
        stop(
            "The loss L = ½ (y − ŷ)² compares ŷ with the target y = 1; dL/dŷ = ŷ − y.",
            at(0, Some(Loss)),
            Target::Phase { phase: Loss },
        ),
        ask(
            "Backward through the output: δ² = dL/dŷ · σ′(z²), with σ′(z) = a (1 − a). What is δ²₁?",
            at(0, Some(Loss)),
            Target::Neuron { layer: 1, neuron: 0 },
            question(Delta, 1, 0, None, 0),
        ),
        ask(
            "δ² is on screen. Back through the hidden layer, dL/dw1 = δ¹ · x with δ¹ = σ′(z¹) · w2 · δ². What is dL/dw1?",
            at(0, Some(Backward(1))),
            Target::Edge { layer: 0, neuron: 0, input: 0 },
            question(Gradient, 0, 0, Some(0), 0),
        ),
        ask(
            "The update: w ← w − η · dL/dw with η = 0.5. What is the new w2?",
            at(0, Some(Backward(0))),
            Target::Edge { layer: 1, neuron: 0, input: 0 },
            question(NewWeight, 1, 0, Some(0), 0),
        ),
        stop(
            "Both weights moved against their gradients: each edge shows the weight it was and is now.",
            at(1, Some(Update)),
            Target::Phase { phase: Update },
        ),
    ]
}

fn worked_example() -> Vec<Stop> {
    vec![
        stop(
            "Mazur's 2→2→2 network: inputs x₁, x₂, two sigmoid hidden neurons with a bias, two sigmoid outputs.",
            at(0, None),
            Target::Phase { phase: Forward(0) },
        ),
        ask(
            "z¹₁ = w¹₁₁ · x₁ + w¹₁₂ · x₂ + b¹₁. What is z¹₁?",
            at(0, None),
            node("z¹₁"),
            question(Z, 0, 0, None, 0),
        ),
        ask(
            "The hidden layer has run. The first output: what is a²₁ = σ(z²₁)?",
            at(0, Some(Forward(0))),
            node("ŷ₁"),
            question(A, 1, 0, None, 0),
        ),
        stop(
            "The total error is the sum of ½ (y − ŷ)² over both outputs.",
            at(0, Some(Loss)),
            Target::Phase { phase: Loss },
        ),
        ask(
            "δ²₁ = (ŷ₁ − y₁) · ŷ₁ (1 − ŷ₁). What is δ²₁?",
            at(0, Some(Loss)),
            Target::Neuron { layer: 1, neuron: 0 },
            question(Delta, 1, 0, None, 0),
        ),
        ask(
            "Now the hidden neuron: δ¹₁ = σ′(z¹₁) · (w²₁₁ · δ²₁ + w²₂₁ · δ²₂), with the weights the forward pass used. What is δ¹₁?",
            at(0, Some(Backward(1))),
            Target::Neuron { layer: 0, neuron: 0 },
            question(Delta, 0, 0, None, 0),
        ),
        ask(
            "The update, η = 0.5: what is the new w²₁₁ (w5 in Mazur's text)?",
            at(0, Some(Backward(0))),
            Target::Edge { layer: 1, neuron: 0, input: 0 },
            question(NewWeight, 1, 0, Some(0), 0),
        ),
        stop("One step done: every weight moved against its gradient.", at(1, Some(Update)), Target::Phase { phase: Update }),
    ]
}

fn xor() -> Vec<Stop> {
    vec![
        stop(
            "The four XOR points in one batch, a 2→2→1 sigmoid network without biases, summed loss.",
            at(0, None),
            Target::Phase { phase: Forward(0) },
        ),
        stop(
            "At (0,0) every z¹ is 0 without a bias, so each hidden a is σ(0) = 0.5.",
            at(0, Some(Forward(0))),
            Target::Neuron { layer: 0, neuron: 0 },
        ),
        ask(
            "Sample (0,1): what is the output's z²₁ = w²₁₁ · a¹₁ + w²₁₂ · a¹₂?",
            at(0, Some(Forward(0))),
            node("z²₁"),
            question(Z, 1, 0, None, 1),
        ),
        ask(
            "Sample (1,0), after the loss: what is δ²₁ = (ŷ − y) · ŷ (1 − ŷ)?",
            at(0, Some(Loss)),
            Target::Neuron { layer: 1, neuron: 0 },
            question(Delta, 1, 0, None, 2),
        ),
        ask(
            "The batch's dL/dw²₁₁ is the sum over the four samples of δ²₁ · a¹₁ (the loss is summed). What is it?",
            at(0, Some(Loss)),
            Target::Edge { layer: 1, neuron: 0, input: 0 },
            question(Gradient, 1, 0, Some(0), 0),
        ),
        ask(
            "w ← w − η · dL/dw, η = 0.5: what is the new w¹₁₂ (from x₂ to the first hidden neuron)?",
            at(0, Some(Backward(0))),
            Target::Edge { layer: 0, neuron: 0, input: 1 },
            question(NewWeight, 0, 0, Some(1), 0),
        ),
        stop(
            "One step done. Without biases the output at (0,0) can only move through the output weights.",
            at(1, Some(Update)),
            Target::Phase { phase: Update },
        ),
    ]
}

fn vanishing_gradients() -> Vec<Stop> {
    vec![
        stop(
            "Six sigmoid hidden layers of six neurons and a sigmoid output, a batch of points.",
            at(0, None),
            Target::Phase { phase: Forward(0) },
        ),
        ask(
            "The first layer has run. What is a²₁ = σ(z²₁) for the shown sample?",
            at(0, Some(Forward(0))),
            Target::Neuron { layer: 1, neuron: 0 },
            question(A, 1, 0, None, 0),
        ),
        stop(
            "The loss of the batch is the mean of the samples' losses.",
            at(0, Some(Loss)),
            Target::Phase { phase: Loss },
        ),
        ask(
            "The output's δ is on screen. Back one layer: δ⁶₁ = σ′(z⁶₁) · Σ_k w⁷ₖ₁ · δ⁷ₖ. What is δ⁶₁?",
            at(0, Some(Backward(6))),
            Target::Neuron { layer: 5, neuron: 0 },
            question(Delta, 5, 0, None, 0),
        ),
        ask(
            "Far back, at the first layer: dL/dw¹₁₁ is the batch's mean of δ¹₁ · x₁. What is it?",
            at(0, Some(Backward(1))),
            Target::Edge { layer: 0, neuron: 0, input: 0 },
            question(Gradient, 0, 0, Some(0), 0),
        ),
        stop(
            "Compare the gradient strip: each layer back multiplied the error by σ′(z) ≤ 0.25.",
            at(0, Some(Backward(0))),
            Target::Phase { phase: Backward(0) },
        ),
        stop("The update moves every weight by −η · dL/dw.", at(1, Some(Update)), Target::Phase { phase: Update }),
    ]
}

// Its stops come by step 4: under the lesson's η = 3 variant the loss explodes at step 5 and
// training stops there, so a later stop could not be reached (tests/tours.rs plays every variant).
fn learning_rate() -> Vec<Stop> {
    vec![
        stop(
            "A 2→4→1 tanh network with an identity output fits a plane from unscaled inputs.",
            at(0, None),
            Target::Phase { phase: Forward(0) },
        ),
        ask(
            "After three steps, the shown sample's first hidden neuron: what is z¹₁ = Σ w · x + b?",
            at(3, Some(Update)),
            node("z¹₁"),
            question(Z, 0, 0, None, 0),
        ),
        stop("The loss is the batch's mean of ½ (ŷ − y)².", at(3, Some(Loss)), Target::Phase { phase: Loss }),
        ask(
            "Backward through the output: the batch's dL/dw²₁₁ is the mean of δ²₁ · a¹₁. What is it?",
            at(3, Some(Loss)),
            Target::Edge { layer: 1, neuron: 0, input: 0 },
            question(Gradient, 1, 0, Some(0), 0),
        ),
        ask(
            "The update takes η from the slider: what is the new w²₁₁ = w − η · dL/dw?",
            at(3, Some(Backward(0))),
            Target::Edge { layer: 1, neuron: 0, input: 0 },
            question(NewWeight, 1, 0, Some(0), 0),
        ),
        stop(
            "A larger η takes a larger step along the same gradient: too large, and it overshoots.",
            at(4, Some(Update)),
            Target::Phase { phase: Update },
        ),
    ]
}

// Checkpoints ask about dense layers only (src/checkpoint.rs refuses a convolution): this tour
// names what to look at, phase by phase, and sends the student to the kernels' chain rule.
fn digits_cnn() -> Vec<Stop> {
    vec![
        stop(
            "Each 8×8 digit enters as one map. Layer 1 holds 8 kernels of 3×3 weights, one per map it makes.",
            at(0, None),
            Target::Phase { phase: Forward(0) },
        ),
        stop(
            "Forward through the convolution: each kernel slid over all 36 positions of the image, the same 9 weights at every one, then ReLU.",
            at(0, Some(Forward(0))),
            Target::Phase { phase: Forward(0) },
        ),
        stop(
            "Max pooling kept the largest of each 2×2 window: 8 maps of 3×3, read as 72 numbers by the softmax.",
            at(0, Some(Forward(3))),
            Target::Phase { phase: Forward(1) },
        ),
        stop("The loss compares the softmax with each image's class.", at(0, Some(Loss)), Target::Phase { phase: Loss }),
        stop(
            "Back through the pooling: each window's δ went to the input that was largest, the others got 0.",
            at(0, Some(Backward(1))),
            Target::Phase { phase: Backward(1) },
        ),
        stop(
            "Back through the convolution: click a kernel cell. Its dL/dK is a sum of one term δ · x̃ from every position of every image in the batch: the weight was used at each one.",
            at(0, Some(Backward(0))),
            Target::Phase { phase: Backward(0) },
        ),
        stop(
            "The update moved every kernel weight by −η times that sum (Adam scales it per weight). Press E to train an epoch and watch the kernels change.",
            at(1, Some(Update)),
            Target::Phase { phase: Update },
        ),
    ]
}

fn edge_detector() -> Vec<Stop> {
    vec![
        stop(
            "Two 3×3 kernels of 9 weights each will slide over every 8×8 image: 36 positions each.",
            at(0, None),
            Target::Phase { phase: Forward(0) },
        ),
        stop(
            "Forward through the convolution: each map is one kernel's response at all 36 positions, through tanh.",
            at(0, Some(Forward(0))),
            Target::Phase { phase: Forward(0) },
        ),
        stop(
            "Max pooling kept each map's strongest response: one number per map for the softmax.",
            at(0, Some(Forward(3))),
            Target::Phase { phase: Forward(1) },
        ),
        stop("The softmax over the 3 kinds is compared with each image's kind.", at(0, Some(Loss)), Target::Phase { phase: Loss }),
        stop(
            "Back through the convolution: click a kernel cell. Its dL/dK sums 288 terms δ · x̃, one per position of each of the 8 images, and only each image's strongest position has δ ≠ 0.",
            at(0, Some(Backward(0))),
            Target::Phase { phase: Backward(0) },
        ),
        stop(
            "300 steps later: one kernel is a vertical-edge filter (its left column negative, its right positive), the other a horizontal one.",
            at(300, Some(Update)),
            Target::Phase { phase: Update },
        ),
    ]
}
