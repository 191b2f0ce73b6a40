//! The Elman recurrent layer (`layers::recurrent`): central finite differences for every
//! combination of its options, clipping against the scaled true gradient, the per-step terms
//! of the shared weights, vanishing gradients through time, and the divergence guard.

use backprop_viz::layers::recurrent::{LossAt, Recurrent, RecurrentActivation, RecurrentConfig};
use backprop_viz::rng::Rng;
use common::agrees;

mod common;

const STEP: f64 = backprop_viz::gradient_check::STEP;

/// The error measure of `gradient_check`, with the floor of `tests/convolution.rs` (1e-3: a
/// central difference of a loss of a few units rounds to about 1e-10).
fn error(analytic: f64, numeric: f64) -> f64 {
    (analytic - numeric).abs() / (analytic.abs() + numeric.abs()).max(1e-3)
}

struct Case {
    rnn: Recurrent,
    x: Vec<f64>,
    y: Vec<f64>,
}

fn case(activation: RecurrentActivation, loss_at: LossAt, steps: usize, seed: u32) -> Case {
    let config = RecurrentConfig { inputs: 2, hidden: 3, outputs: 2, steps, activation, loss_at, clip_norm: None };
    let mut rnn = Recurrent::new(config).unwrap();
    let mut rng = Rng::new(seed);
    rnn.randomize(&mut rng, 0.8);
    for b in rnn.biases.iter_mut().chain(&mut rnn.readout_biases) {
        *b = rng.uniform(-0.3, 0.3);
    }
    let x = (0..steps * 2).map(|_| rng.uniform(-1.0, 1.0)).collect();
    let y = (0..steps * 2).map(|_| rng.uniform(-1.0, 1.0)).collect();
    Case { rnn, x, y }
}

fn loss(c: &mut Case) -> f64 {
    c.rnn.forward(&c.x, 1).unwrap();
    c.rnn.compute_loss(&c.y, 1).unwrap()
}

fn run(c: &mut Case) {
    loss(c);
    c.rnn.backward(1).unwrap();
}

/// Every parameter's central difference, array by array in the order of `parameters`.
fn numeric_gradients(c: &mut Case) -> Vec<Vec<f64>> {
    (0..5)
        .map(|a| {
            (0..c.rnn.parameters()[a].len())
                .map(|p| {
                    let original = c.rnn.parameters()[a][p];
                    c.rnn.parameters_mut()[a][p] = original + STEP;
                    let plus = loss(c);
                    c.rnn.parameters_mut()[a][p] = original - STEP;
                    let minus = loss(c);
                    c.rnn.parameters_mut()[a][p] = original;
                    (plus - minus) / (2.0 * STEP)
                })
                .collect()
        })
        .collect()
}

/// The largest error between the layer's gradients and `scale` times the numeric ones.
fn worst_error(rnn: &Recurrent, numeric: &[Vec<f64>], scale: f64) -> f64 {
    let mut worst: f64 = 0.0;
    for (analytic, numeric) in rnn.gradients().iter().zip(numeric) {
        for (&a, &n) in analytic.iter().zip(numeric) {
            worst = worst.max(error(a, scale * n));
        }
    }
    worst
}

#[test]
fn bptt_matches_finite_differences_for_every_option_and_clips_to_the_scaled_true_gradient() {
    let mut cases = 0;
    for activation in [RecurrentActivation::Tanh, RecurrentActivation::Linear] {
        for loss_at in [LossAt::EveryStep, LossAt::LastStep] {
            for clipping in [false, true] {
                for steps in [1, 3, 6] {
                    let name = format!("{activation:?}, loss {loss_at:?}, clipping {clipping}, T = {steps}");
                    let mut c = case(activation, loss_at, steps, cases);
                    let numeric = numeric_gradients(&mut c);
                    let true_norm = numeric.iter().flatten().map(|g| g * g).sum::<f64>().sqrt();
                    assert!(true_norm > 1e-3, "{name}: a gradient to check");
                    if clipping {
                        // Below the norm clipping acts: g · θ/‖g‖, with ‖g‖ of the true gradient.
                        let threshold = 0.5 * true_norm;
                        c.rnn.config.clip_norm = Some(threshold);
                        run(&mut c);
                        assert!(c.rnn.clip.acted, "{name}: {:?}", c.rnn.clip);
                        assert!(error(c.rnn.clip.norm, true_norm) < 1e-6, "{name}: {:?}", c.rnn.clip);
                        assert_eq!(c.rnn.clip.scale, threshold / c.rnn.clip.norm);
                        let clipped_norm =
                            c.rnn.gradients().iter().flat_map(|g| g.iter()).map(|g| g * g).sum::<f64>().sqrt();
                        assert!((clipped_norm - threshold).abs() < 1e-12 * threshold, "{name}: {clipped_norm}");
                        let worst = worst_error(&c.rnn, &numeric, threshold / true_norm);
                        assert!(worst < 1e-6, "{name}: relative error {worst} against the scaled true gradient");
                        // Above the norm it leaves the gradient alone and says so.
                        c.rnn.config.clip_norm = Some(2.0 * true_norm);
                        run(&mut c);
                        assert!(!c.rnn.clip.acted && c.rnn.clip.scale == 1.0, "{name}: {:?}", c.rnn.clip);
                    } else {
                        run(&mut c);
                        assert!(!c.rnn.clip.acted);
                    }
                    let worst = worst_error(&c.rnn, &numeric, 1.0);
                    assert!(worst < 1e-6, "{name}: relative error {worst}");
                    cases += 1;
                }
            }
        }
    }
    assert_eq!(cases, 2 * 2 * 2 * 3);
}

#[test]
fn the_shared_weights_gradient_is_the_sum_of_its_per_step_terms() {
    for activation in [RecurrentActivation::Tanh, RecurrentActivation::Linear] {
        let mut c = case(activation, LossAt::EveryStep, 6, 3);
        run(&mut c);
        let rnn = &c.rnn;
        let (nx, nh) = (rnn.config.inputs, rnn.config.hidden);
        for (terms, total, width) in [
            (&rnn.step_grad_weights_hidden, &rnn.grad_weights_hidden, nh * nh),
            (&rnn.step_grad_weights_input, &rnn.grad_weights_input, nh * nx),
            (&rnn.step_grad_biases, &rnn.grad_biases, nh),
        ] {
            for (p, &g) in total.iter().enumerate() {
                let summed = (0..6).fold(0.0, |sum, t| sum + terms[t * width + p]);
                assert_eq!(summed, g, "{activation:?}: parameter {p}");
            }
        }
        for t in 0..6 {
            // Each W_h term is δ_t · h_(t−1)ᵀ, and its bar is that term's norm.
            let (d, h_prev) = (&rnn.delta[t * nh..(t + 1) * nh], &rnn.hidden_states[t * nh..(t + 1) * nh]);
            let term = &rnn.step_grad_weights_hidden[t * nh * nh..(t + 1) * nh * nh];
            for j in 0..nh {
                for k in 0..nh {
                    assert_eq!(term[j * nh + k], d[j] * h_prev[k]);
                }
            }
            let norm = term.iter().map(|x| x * x).sum::<f64>().sqrt();
            assert!((rnn.step_norm_weights_hidden[t] - norm).abs() <= 1e-15 * norm.max(1.0));
        }
        // h_0 = 0, so the first step adds nothing to dL/dW_h.
        assert_eq!(rnn.step_norm_weights_hidden[0], 0.0);
    }
}

/// The same sequence with W_h = `recurrent` · I and the loss at the last step only; returns
/// each step's ‖δ_t · x_tᵀ‖ (every x_t is the same, so it follows ‖δ_t‖).
fn step_norms(activation: RecurrentActivation, recurrent: f64, steps: usize) -> Vec<f64> {
    let config = RecurrentConfig {
        inputs: 2,
        hidden: 3,
        outputs: 1,
        steps,
        activation,
        loss_at: LossAt::LastStep,
        clip_norm: None,
    };
    let mut rnn = Recurrent::new(config).unwrap();
    let mut rng = Rng::new(5);
    rnn.randomize(&mut rng, 0.3);
    for j in 0..3 {
        for k in 0..3 {
            rnn.weights_hidden[j * 3 + k] = if j == k { recurrent } else { 0.1 * rnn.weights_hidden[j * 3 + k] };
        }
    }
    rnn.forward(&vec![0.5; steps * 2], 1).unwrap();
    rnn.compute_loss(&vec![1.0; steps], 1).unwrap();
    rnn.backward(1).unwrap();
    rnn.step_norm_weights_input.clone()
}

#[test]
fn with_tanh_and_small_weights_the_contributions_vanish_with_distance_from_the_loss() {
    let vanishing = step_norms(RecurrentActivation::Tanh, 0.3, 6);
    for t in 0..5 {
        assert!(vanishing[t] < vanishing[t + 1], "step {t} is further from the loss: {vanishing:?}");
    }
    // Six steps back from the loss, the first step's bar is under 1 % of the last one's.
    assert!(vanishing[0] < 0.01 * vanishing[5], "{vanishing:?}");
    // A linear layer with W_h ≈ 1.5 · I carries them back growing instead (exploding).
    let exploding = step_norms(RecurrentActivation::Linear, 1.5, 6);
    for t in 0..5 {
        assert!(exploding[t] > exploding[t + 1], "{exploding:?}");
    }
}

#[test]
fn settings_wrong_lengths_and_non_finite_numbers_are_refused() {
    let good = RecurrentConfig {
        inputs: 1,
        hidden: 2,
        outputs: 1,
        steps: 4,
        activation: RecurrentActivation::Linear,
        loss_at: LossAt::EveryStep,
        clip_norm: Some(1.0),
    };
    for bad in [
        RecurrentConfig { steps: 0, ..good },
        RecurrentConfig { hidden: 0, ..good },
        RecurrentConfig { clip_norm: Some(0.0), ..good },
        RecurrentConfig { clip_norm: Some(f64::NAN), ..good },
    ] {
        assert_eq!(Recurrent::new(bad).unwrap_err().kind(), "invalid_setting", "{bad:?}");
    }
    let mut rnn = Recurrent::new(good).unwrap();
    assert_eq!(rnn.forward(&[1.0; 3], 1).unwrap_err().kind(), "invalid_data");
    rnn.forward(&[1.0; 4], 1).unwrap();
    assert_eq!(rnn.compute_loss(&[1.0; 5], 1).unwrap_err().kind(), "invalid_data");
    // W_h = 1e200 · I overflows within four linear steps.
    rnn.weights_input.fill(1.0);
    rnn.weights_hidden.copy_from_slice(&[1e200, 0.0, 0.0, 1e200]);
    let e = rnn.forward(&[1.0; 4], 9).unwrap_err();
    assert_eq!((e.kind(), e.step()), ("diverged", Some(9)));
    assert!(e.to_string().contains("of the recurrent layer"), "{e}");
    assert!(rnn.hidden_states.iter().chain(&rnn.pre_activation).chain(&rnn.output).all(|x| *x == 0.0));
    // A huge readout makes the loss overflow.
    rnn.weights_hidden.fill(0.0);
    rnn.readout_weights.fill(1e300);
    rnn.forward(&[1.0; 4], 10).unwrap();
    assert_eq!(rnn.compute_loss(&[0.0; 4], 10).unwrap_err().kind(), "diverged");
    assert!(rnn.loss.is_nan() && rnn.step_loss.iter().chain(&rnn.grad_output).all(|x| *x == 0.0));
}

/// A worked example by hand: one input, one hidden unit, one output, linear, T = 2, the loss
/// at every step. W_x = 0.5, W_h = 0.8, b = 0.1, V = 2, c = −0.5; x = (1, −1), y = (1, 0).
///   z_1 = 0.5·1 + 0.8·0 + 0.1 = 0.6 = h_1,      ŷ_1 = 2·0.6 − 0.5 = 0.7
///   z_2 = 0.5·(−1) + 0.8·0.6 + 0.1 = 0.08 = h_2, ŷ_2 = 2·0.08 − 0.5 = −0.34
///   L = ½(0.7 − 1)² + ½(−0.34 − 0)² = 0.045 + 0.0578 = 0.1028
///   dL/dŷ = (−0.3, −0.34)
///   t = 2: dL/dh_2 = 2·(−0.34) = −0.68 = δ_2
///   t = 1: dL/dh_1 = 2·(−0.3) + 0.8·(−0.68) = −1.144 = δ_1
///   dL/dW_x = δ_1·x_1 + δ_2·x_2 = −1.144 + 0.68 = −0.464
///   dL/dW_h = δ_1·h_0 + δ_2·h_1 = 0 − 0.408 = −0.408
///   dL/db = −1.144 − 0.68 = −1.824,  dL/dV = −0.3·0.6 − 0.34·0.08 = −0.2072,  dL/dc = −0.64
///   ‖g‖² = 0.215296 + 0.166464 + 3.326976 + 0.04293184 + 0.4096 = 4.16126784
#[test]
fn a_two_step_linear_sequence_by_hand() {
    let config = RecurrentConfig {
        inputs: 1,
        hidden: 1,
        outputs: 1,
        steps: 2,
        activation: RecurrentActivation::Linear,
        loss_at: LossAt::EveryStep,
        clip_norm: Some(1.0),
    };
    let mut rnn = Recurrent::new(config).unwrap();
    for (array, value) in rnn.parameters_mut().into_iter().zip([0.5, 0.8, 0.1, 2.0, -0.5]) {
        array[0] = value;
    }
    rnn.forward(&[1.0, -1.0], 1).unwrap();
    let loss = rnn.compute_loss(&[1.0, 0.0], 1).unwrap();
    rnn.backward(1).unwrap();
    let close = |got: &[f64], want: &[f64]| {
        for (g, w) in got.iter().zip(want) {
            assert!((g - w).abs() <= 1e-12, "{got:?} against {want:?}");
        }
    };
    close(&rnn.hidden_states, &[0.0, 0.6, 0.08]);
    close(&rnn.output, &[0.7, -0.34]);
    close(&[loss], &[0.1028]);
    close(&rnn.grad_hidden, &[-1.144, -0.68]);
    close(&rnn.delta, &[-1.144, -0.68]);
    close(&rnn.step_grad_weights_input, &[-1.144, 0.68]);
    close(&rnn.step_grad_weights_hidden, &[0.0, -0.408]);
    let norm = 4.16126784_f64.sqrt();
    close(&[rnn.clip.norm], &[norm]);
    assert!(rnn.clip.acted);
    let clipped: Vec<f64> = [-0.464, -0.408, -1.824, -0.2072, -0.64].iter().map(|g| g / norm).collect();
    close(&rnn.gradients().concat(), &clipped);
}

#[allow(dead_code)] // the convolution's numbers are read in tests/convolution.rs
#[path = "reference/layer_kinds_expected.rs"]
mod expected;

/// Against `tests/reference/layer_kinds.py` (BPTT as the textbook recursion): 2 inputs, 3
/// tanh units, 2 outputs, T = 4, loss at every step, clipping at norm 0.5.
#[test]
fn a_tanh_sequence_agrees_with_the_independent_reference() {
    let config = RecurrentConfig {
        inputs: 2,
        hidden: 3,
        outputs: 2,
        steps: 4,
        activation: RecurrentActivation::Tanh,
        loss_at: LossAt::EveryStep,
        clip_norm: Some(0.5),
    };
    let mut rnn = Recurrent::new(config).unwrap();
    let fill = |array: &mut [f64], f: &dyn Fn(f64) -> f64| {
        array.iter_mut().enumerate().for_each(|(n, w)| *w = f(n as f64));
    };
    fill(&mut rnn.weights_input, &|n| 0.6 * (1.0 + n).sin());
    fill(&mut rnn.weights_hidden, &|n| 0.5 * (2.0 + n).cos());
    fill(&mut rnn.biases, &|n| 0.1 * (3.0 + n).sin());
    fill(&mut rnn.readout_weights, &|n| 0.7 * (4.0 + n).cos());
    fill(&mut rnn.readout_biases, &|n| 0.05 * (n + 1.0));
    let x: Vec<f64> = (0..8).map(|n| (0.9 * n as f64).sin()).collect();
    let y: Vec<f64> = (0..8).map(|n| (1.3 * n as f64).cos()).collect();
    rnn.forward(&x, 1).unwrap();
    let loss = rnn.compute_loss(&y, 1).unwrap();
    rnn.backward(1).unwrap();
    agrees("h", &rnn.hidden_states, &expected::RNN_HIDDEN);
    agrees("ŷ", &rnn.output, &expected::RNN_OUTPUT);
    agrees("L", &[loss], &expected::RNN_LOSS);
    agrees("δ", &rnn.delta, &expected::RNN_DELTA);
    agrees("‖δ_t h_(t−1)ᵀ‖", &rnn.step_norm_weights_hidden, &expected::RNN_STEP_NORM_HIDDEN);
    agrees("‖g‖", &[rnn.clip.norm], &expected::RNN_GRAD_NORM);
    assert!(rnn.clip.acted);
    agrees("clipped gradients", &rnn.gradients().concat(), &expected::RNN_CLIPPED_GRADIENTS);
}
