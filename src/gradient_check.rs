//! Gradient checking: every analytic gradient against a central finite difference,
//!     dL/dθ ≈ (L(θ + h) − L(θ − h)) / 2h,
//! on the network's current batch. The error of a parameter is |analytic − numeric| divided by
//! max(|analytic| + |numeric|, 1e-4): relative for gradients that a finite difference can
//! resolve, absolute (scaled) for tiny ones where rounding noise would dominate a ratio.

use crate::chain_rule::ParamRef;
use crate::network::Network;
use serde::Serialize;

/// The step h of the finite difference: near ε^(1/3), where truncation and rounding errors balance.
pub const STEP: f64 = 1e-5;

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GradientCheck {
    pub max_relative_error: f64,
    /// The parameter with the largest error, with both of its gradients.
    pub worst: ParamRef,
    pub analytic: f64,
    pub numeric: f64,
    pub parameters_checked: usize,
}

/// Runs the check; the network's arrays are left as after a full forward and backward pass.
pub fn check(network: &mut Network) -> GradientCheck {
    full_pass(network);
    let analytic: Vec<(Vec<f64>, Vec<f64>)> =
        network.layers.iter().map(|l| (l.grad_weights.clone(), l.grad_biases.clone())).collect();
    let mut report = GradientCheck {
        max_relative_error: 0.0,
        worst: ParamRef { layer: 0, neuron: 0, input: Some(0) },
        analytic: 0.0,
        numeric: 0.0,
        parameters_checked: 0,
    };
    for (l, (grad_weights, grad_biases)) in analytic.iter().enumerate() {
        // Row j: a dense layer's neuron j, a convolution's output channel j (its kernel);
        // pooling and flatten have no rows.
        let layer = &network.layers[l];
        let (rows, row_len, has_bias) = (layer.parameter_rows(), layer.row_len(), layer.has_bias);
        for j in 0..rows {
            let params = (0..row_len).map(Some).chain(has_bias.then_some(None));
            for input in params {
                let param = ParamRef { layer: l, neuron: j, input };
                let numeric = numeric_gradient(network, param);
                let exact = match input {
                    Some(i) => grad_weights[j * row_len + i],
                    None => grad_biases[j],
                };
                let error = (exact - numeric).abs() / (exact.abs() + numeric.abs()).max(1e-4);
                report.parameters_checked += 1;
                if error >= report.max_relative_error {
                    report =
                        GradientCheck { max_relative_error: error, worst: param, analytic: exact, numeric, ..report };
                }
            }
        }
    }
    full_pass(network);
    report
}

fn numeric_gradient(network: &mut Network, param: ParamRef) -> f64 {
    let original = *parameter(network, param);
    *parameter(network, param) = original + STEP;
    let plus = loss_only(network);
    *parameter(network, param) = original - STEP;
    let minus = loss_only(network);
    *parameter(network, param) = original;
    (plus - minus) / (2.0 * STEP)
}

fn parameter(network: &mut Network, param: ParamRef) -> &mut f64 {
    let layer = &mut network.layers[param.layer];
    match param.input {
        Some(i) => {
            let row_len = layer.row_len();
            &mut layer.weights[param.neuron * row_len + i]
        }
        None => &mut layer.biases[param.neuron],
    }
}

fn loss_only(network: &mut Network) -> f64 {
    for l in 0..network.layers.len() {
        let _ = network.forward_layer(l);
    }
    network.compute_loss()
}

fn full_pass(network: &mut Network) {
    loss_only(network);
    for l in (0..network.layers.len()).rev() {
        let _ = network.backward_layer(l);
    }
}
