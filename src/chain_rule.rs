//! The chain rule spelled out for one weight or bias, with the numbers of one sample.
//!
//! For weight w_ji of layer l (from input i to neuron j):
//!     dL/dw_ji = δ_j · a_prev_i
//!     δ_j      = dL/da_j · f'(z_j)                      at the output (or ŷ − y with cross-entropy)
//!     δ_j      = f'(z_j) · Σ_k w_kj · δ_k               in a hidden layer (k over the next layer)
//! and for a bias, a_prev is 1. The batch gradient is the batch's mean (or sum) of the
//! per-sample products; the values are those of the last phases run, each with the weights
//! that phase used (so after the update, the terms still multiply out to the δ shown).
//!
//! `optimizer_numbers` holds the optimizer's own numbers for the parameter as the last update
//! left them (those that made `update`): the velocity of momentum and Nesterov, the mean square
//! of RMSprop, AdaGrad's sum of squares, Adam's moments, Rprop's step size and its decision,
//! conjugate gradient's direction component with β, the step length and the line search.

use crate::activation::Activation;
use crate::config::NetworkConfig;
use crate::error::{Error, Result};
use crate::loss::Reduction;
use crate::network::Network;
use crate::optimizer::{CgDirection, CgLineSearch, OptimizerKind, RpropDecision};
use serde::{Deserialize, Serialize};

/// A weight (`input` is Some) or a bias (`input` is None) of neuron `neuron` in layer `layer`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParamRef {
    pub layer: usize,
    pub neuron: usize,
    pub input: Option<usize>,
}

/// One term w_ji · a_i of the weighted sum z_j = Σ_i w_ji · a_i + b_j.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct UpstreamTerm {
    pub input: usize,
    pub weight: f64,
    pub activation: f64,
    pub product: f64,
}

/// One term w_kj · δ_k of the sum that carries the error back to a hidden neuron.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DownstreamTerm {
    pub neuron: usize,
    pub weight: f64,
    pub delta: f64,
    pub product: f64,
}

/// One parameter's optimizer numbers, as the last update left them (all 0 before any update),
/// tagged by `kind` (the optimizer's name) so the page can branch on it.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum OptimizerNumbers {
    Sgd,
    /// m after the update: Δ = −η·m.
    Momentum {
        velocity: f64,
    },
    /// m after the update and the look-ahead gradient g + μ·m: Δ = −η·look_ahead.
    Nesterov {
        velocity: f64,
        look_ahead: f64,
    },
    /// v after the update: Δ = −η·g / (√v + ε).
    Rmsprop {
        mean_square: f64,
    },
    /// G after the update, the sum of every g² so far: Δ = −η·g / (√G + ε).
    Adagrad {
        sum_of_squares: f64,
    },
    /// m and v after the update (before the bias corrections).
    Adam {
        first_moment: f64,
        second_moment: f64,
    },
    /// The step size s after the update (Δ = −sign(g)·s, or 0 when it shrank), the stored
    /// gradient g′ (0 after a sign change), the sign of g′·g the update saw (+1, −1 or 0) and
    /// what it did to s.
    Rprop {
        step_size: f64,
        previous_gradient: f64,
        sign_product: i32,
        decision: RpropDecision,
    },
    /// This parameter's component d_i of the last direction (Δ = α·d_i) and of the last
    /// gradient g_i, and the update's network-wide numbers: β, how d was chosen, the slope
    /// gᵀd, the step length α, the loss evaluations of the line search (`trials`) and how it
    /// ended, and the batch loss (with the penalty) before and after the step.
    Cg {
        direction: f64,
        gradient: f64,
        beta: f64,
        direction_kind: CgDirection,
        slope: f64,
        step_length: f64,
        trials: u32,
        line_search: CgLineSearch,
        loss_before: f64,
        loss_after: f64,
    },
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ChainRule {
    pub parameter: ParamRef,
    /// Which sample of the batch the per-sample numbers are for.
    pub sample: usize,
    pub batch_size: usize,
    pub reduction: Reduction,
    /// The parameter's current value.
    pub value: f64,
    /// Its value before the last update (equal to `value` before any update).
    pub previous_value: f64,
    /// The terms of z_j = Σ_i w_ji · a_i + b_j with the weights the forward pass used.
    pub upstream: Vec<UpstreamTerm>,
    /// b_j as the forward pass used it.
    pub bias: f64,
    /// a_prev_i (1 for a bias).
    pub a_prev: f64,
    pub z: f64,
    pub a: f64,
    pub activation: Activation,
    /// f'(z) (for softmax, the diagonal a·(1 − a) of its Jacobian).
    pub d_activation: f64,
    /// The dropout mask m_j of this neuron and sample (1 without dropout); a = f(z) · m.
    pub dropout_mask: f64,
    /// dL/da_j: from the loss at the output, Σ_k w_kj · δ_k in a hidden layer.
    pub grad_activation: f64,
    /// δ_j = dL/dz_j.
    pub delta: f64,
    pub delta_formula: String,
    /// Which of the formulas for δ applies, for code that lays out the numbers.
    pub delta_form: DeltaForm,
    pub is_output: bool,
    /// y_j, at the output.
    pub target: Option<f64>,
    /// The terms of Σ_k w_kj · δ_k, in a hidden layer, with the weights the backward pass used.
    pub downstream: Vec<DownstreamTerm>,
    /// δ_j · a_prev_i for this sample.
    pub sample_gradient: f64,
    /// dL/dw of the batch (the reduced per-sample gradients).
    pub batch_gradient: f64,
    /// d(penalty)/dw added at the update (0 for biases).
    pub regularization_gradient: f64,
    /// Δ applied to this parameter by the last update.
    pub update: f64,
    /// The learning rate of the next update (after the schedule).
    pub learning_rate: f64,
    pub optimizer: OptimizerKind,
    pub update_formula: String,
    /// The optimizer's own numbers for this parameter (see `OptimizerNumbers`).
    pub optimizer_numbers: OptimizerNumbers,
}

/// The formula δ was computed with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DeltaForm {
    /// δ = ŷ − y (cross-entropy with its matching output, where the derivatives cancel).
    OutputDifference,
    /// δ = dL/dŷ · f'(z) at the output.
    OutputChain,
    /// δ = a · (dL/da − Σ a·dL/da), softmax with a loss other than its cross-entropy.
    OutputSoftmax,
    /// δ = f'(z) · Σ w·δ in a hidden layer (times the dropout mask with dropout).
    Hidden,
}

/// Reads the factors of `param`'s gradient for batch sample `sample` out of the network.
/// `param` must exist (the trainer checks it).
pub fn explain(
    network: &Network,
    config: &NetworkConfig,
    learning_rate: f64,
    param: ParamRef,
    sample: usize,
) -> Result<ChainRule> {
    if network.batch_len == 0 {
        return Err(Error::OutOfRange("no step has run yet: run the forward and backward phases first".into()));
    }
    if sample >= network.batch_len {
        return Err(Error::OutOfRange(format!(
            "the batch has {} samples, so there is no sample {sample}",
            network.batch_len
        )));
    }
    let l = param.layer;
    // The terms below are a dense layer's, and the sum carried back a dense next layer's.
    network.dense_only("the chain rule of a weight", l..l + 2)?;
    let layer = &network.layers[l];
    let is_output = l + 1 == network.layers.len();
    let j = param.neuron;
    let idx = sample * layer.units + j;
    let (z, a) = (layer.pre_activation[idx], layer.activations[idx]);
    let inputs_of_sample = if l == 0 { &network.batch_input } else { &network.layers[l - 1].activations };
    let inputs_of_sample = &inputs_of_sample[sample * layer.inputs..(sample + 1) * layer.inputs];
    let a_prev = param.input.map_or(1.0, |i| inputs_of_sample[i]);
    // Each pass's terms use the weights that pass saw: before the update if it ran since.
    let (forward_weights, forward_biases) = if network.updated_after_forward {
        (&layer.previous_weights, &layer.previous_biases)
    } else {
        (&layer.weights, &layer.biases)
    };
    let upstream = inputs_of_sample
        .iter()
        .enumerate()
        .map(|(i, &activation)| {
            let weight = forward_weights[j * layer.inputs + i];
            UpstreamTerm { input: i, weight, activation, product: weight * activation }
        })
        .collect();
    let mut downstream = Vec::new();
    let (grad_activation, delta_formula, delta_form) = if is_output {
        let (formula, form) = if layer.activation == Activation::Softmax && !network.loss.has_simplified_delta() {
            ("δ_j = a_j · (dL/da_j − Σ_k a_k · dL/da_k)", DeltaForm::OutputSoftmax)
        } else if network.loss.has_simplified_delta() && network.loss.required_output() == Some(layer.activation) {
            (network.loss.output_delta_formula(), DeltaForm::OutputDifference)
        } else {
            (network.loss.output_delta_formula(), DeltaForm::OutputChain)
        };
        (network.grad_output[idx], formula.to_string(), form)
    } else {
        let next = &network.layers[l + 1];
        let next_weights = if network.updated_after_backward { &next.previous_weights } else { &next.weights };
        for k in 0..next.units {
            let (weight, delta) = (next_weights[k * layer.units + j], next.delta[sample * next.units + k]);
            downstream.push(DownstreamTerm { neuron: k, weight, delta, product: weight * delta });
        }
        let formula = if layer.dropout > 0.0 {
            "δ_j = f'(z_j) · m_j · Σ_k w_kj · δ_k"
        } else {
            "δ_j = f'(z_j) · Σ_k w_kj · δ_k"
        };
        // The backward pass summed these same terms, in this order.
        (layer.grad_activation[idx], formula.to_string(), DeltaForm::Hidden)
    };
    let delta = layer.delta[idx];
    let (value, previous_value, batch_gradient, update) = match param.input {
        Some(i) => {
            let p = j * layer.inputs + i;
            (layer.weights[p], layer.previous_weights[p], layer.grad_weights[p], layer.update_weights[p])
        }
        None => (layer.biases[j], layer.previous_biases[j], layer.grad_biases[j], layer.update_biases[j]),
    };
    let state = layer.optimizer_state();
    let (index, offset) = match param.input {
        Some(i) => (j * layer.inputs + i, 0),
        None => (j, 3),
    };
    let [m, v, r] = [state[offset][index], state[offset + 1][index], state[offset + 2][index]];
    let scalars = &network.optimizer_scalars;
    // The update works on the weight the backward pass saw.
    let updated_weight = if network.updated_after_backward { previous_value } else { value };
    let regularization_gradient =
        if param.input.is_some() { config.regularization.gradient(updated_weight) } else { 0.0 };
    // g as the update formed it.
    let g = batch_gradient + regularization_gradient;
    let optimizer_numbers = match config.optimizer.kind {
        OptimizerKind::Sgd => OptimizerNumbers::Sgd,
        OptimizerKind::Momentum => OptimizerNumbers::Momentum { velocity: m },
        OptimizerKind::Nesterov => {
            OptimizerNumbers::Nesterov { velocity: m, look_ahead: g + config.optimizer.momentum * m }
        }
        OptimizerKind::Rmsprop => OptimizerNumbers::Rmsprop { mean_square: v },
        OptimizerKind::Adagrad => OptimizerNumbers::Adagrad { sum_of_squares: v },
        OptimizerKind::Adam => OptimizerNumbers::Adam { first_moment: m, second_moment: v },
        OptimizerKind::Rprop => {
            // The decision's code is the sign of g′·g: +1 grew, −1 shrank, 0 kept.
            let decision = RpropDecision::from_code(r);
            OptimizerNumbers::Rprop {
                step_size: v,
                previous_gradient: m,
                sign_product: decision.code() as i32,
                decision,
            }
        }
        OptimizerKind::Cg => OptimizerNumbers::Cg {
            direction: m,
            gradient: v,
            beta: scalars.cg_beta,
            direction_kind: scalars.cg_direction,
            slope: scalars.cg_slope,
            step_length: scalars.cg_step_length,
            trials: scalars.cg_trials,
            line_search: scalars.cg_line_search,
            loss_before: scalars.cg_loss_before,
            loss_after: scalars.cg_loss_after,
        },
    };
    Ok(ChainRule {
        parameter: param,
        sample,
        batch_size: network.batch_len,
        reduction: network.reduction,
        value,
        previous_value,
        upstream,
        bias: forward_biases[j],
        a_prev,
        z,
        a,
        activation: layer.activation,
        d_activation: layer.activation.derivative(z, layer.activation.apply_or(z, a)),
        dropout_mask: layer.dropout_mask[idx],
        grad_activation,
        delta,
        delta_formula,
        delta_form,
        is_output,
        target: is_output.then(|| network.batch_target[idx]),
        downstream,
        sample_gradient: delta * a_prev,
        batch_gradient,
        regularization_gradient,
        update,
        learning_rate,
        optimizer: config.optimizer.kind,
        update_formula: config.optimizer.formula().to_string(),
        optimizer_numbers,
    })
}
