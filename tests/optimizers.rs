//! The optimizers Nesterov, AdaGrad, Rprop and conjugate gradient against an independent
//! reference: tests/reference/optimizers.py (plain Python doubles, written from the papers'
//! formulas, not from the engine), on a 2 → 3 tanh → 2 sigmoid network with given weights,
//! squared error averaged over one full batch of four samples (and, for the `_L2_BATCH2` runs,
//! over mini-batches of two with an L2 penalty of 0.01). Every expected number was printed by
//! that script into tests/reference/optimizers_expected.rs, and is matched to 1e-10 relative.
//!
//! Beside the reference: conjugate gradient's slope against a finite difference of the loss
//! along its direction, its loss after a step against the next step's loss phase, a failed
//! line search, and the full batch it takes whatever the batch size.

use backprop_viz::optimizer::{CgDirection, CgLineSearch, RpropDecision};
use backprop_viz::{
    Activation, ChainRule, LayerConfig, Loss, NetworkConfig, OptimizerConfig, OptimizerKind, OptimizerNumbers,
    ParamRef, Phase, Reduction, Regularization, RegularizationKind, Split, Trainer,
};

mod common;

// The reference's numbers, as the script printed them (rustfmt would spread each over 17 lines).
#[rustfmt::skip]
#[path = "reference/optimizers_expected.rs"]
mod expected;
use expected::*;

const X: [f64; 8] = [0.5, -1.0, 1.5, 0.25, -0.75, 0.8, 0.1, -0.3];
const Y: [f64; 8] = [0.2, 0.9, 0.7, 0.1, 0.4, 0.6, 0.95, 0.05];

fn trainer(optimizer: OptimizerConfig, l2: f64) -> Trainer {
    trainer_with_batch(optimizer, l2, 4)
}

fn trainer_with_batch(optimizer: OptimizerConfig, l2: f64, batch_size: usize) -> Trainer {
    let layer = |weights: Vec<Vec<f64>>, biases: Vec<f64>, activation| LayerConfig {
        weights: Some(weights.clone()),
        biases: Some(biases),
        ..LayerConfig::new(weights.len(), activation)
    };
    let config = NetworkConfig {
        inputs: 2,
        layers: vec![
            layer(vec![vec![0.3, -0.6], vec![0.8, 0.2], vec![-0.4, 0.5]], vec![0.1, -0.2, 0.05], Activation::Tanh),
            layer(vec![vec![0.7, -0.5, 0.3], vec![-0.2, 0.6, 0.9]], vec![0.0, 0.1], Activation::Sigmoid),
        ],
        loss: Loss::SquaredError,
        reduction: Reduction::Mean,
        optimizer,
        regularization: Regularization { kind: RegularizationKind::L2, rate: l2 },
        batch_size,
        shuffle: false,
        ..NetworkConfig::default()
    };
    let mut trainer = Trainer::new(config).unwrap();
    trainer.set_data(Split::Train, X.to_vec(), Y.to_vec()).unwrap();
    trainer
}

fn close(actual: &[f64], expected: &[f64], what: &str) {
    assert_eq!(actual.len(), expected.len(), "{what}");
    for (k, (a, e)) in actual.iter().zip(expected).enumerate() {
        let tolerance = 1e-10 * e.abs().max(1e-300);
        assert!((a - e).abs() <= tolerance, "{what}[{k}]: got {a}, reference {e} (relative {:e})", ((a - e) / e).abs());
    }
}

/// Runs `losses.len()` steps one at a time, recording each step's batch loss.
fn run(trainer: &mut Trainer, steps: usize) -> Vec<f64> {
    (0..steps).map(|_| trainer.step().unwrap()).collect()
}

fn rule(trainer: &Trainer, layer: usize, neuron: usize, input: Option<usize>) -> ChainRule {
    trainer.chain_rule(ParamRef { layer, neuron, input }, 0).unwrap()
}

/// Optimizer state array `k` of `Layer::optimizer_state` (0–2 for the weights), for weights and
/// biases together in the parameters' order: layer by layer, the weights, then the biases.
fn state_array(trainer: &Trainer, k: usize) -> Vec<f64> {
    let mut all = Vec::new();
    for layer in &trainer.network().layers {
        let state = layer.optimizer_state();
        all.extend(state[k].iter().chain(state[k + 3]));
    }
    all
}

#[test]
fn nesterov_matches_the_reference() {
    let mut t = trainer(
        OptimizerConfig {
            kind: OptimizerKind::Nesterov,
            learning_rate: 0.5,
            momentum: 0.9,
            ..OptimizerConfig::default()
        },
        0.0,
    );
    close(&run(&mut t, NESTEROV_LOSSES.len()), &NESTEROV_LOSSES, "Nesterov losses");
    close(&common::parameters(&t), &NESTEROV_PARAMETERS, "Nesterov parameters");
    // Δ = −η·(g + μ·m) with the velocity the inspector shows.
    let r = rule(&t, 1, 0, Some(2));
    let OptimizerNumbers::Nesterov { velocity, look_ahead } = r.optimizer_numbers else {
        panic!("{:?}", r.optimizer_numbers)
    };
    assert_eq!(look_ahead, r.batch_gradient + 0.9 * velocity);
    assert_eq!(r.update, -0.5 * look_ahead);
}

#[test]
fn adagrad_matches_the_reference() {
    let mut t = trainer(
        OptimizerConfig {
            kind: OptimizerKind::Adagrad,
            learning_rate: 0.3,
            epsilon: 1e-8,
            ..OptimizerConfig::default()
        },
        0.0,
    );
    close(&run(&mut t, ADAGRAD_LOSSES.len()), &ADAGRAD_LOSSES, "AdaGrad losses");
    close(&common::parameters(&t), &ADAGRAD_PARAMETERS, "AdaGrad parameters");
    let r = rule(&t, 0, 1, None);
    let OptimizerNumbers::Adagrad { sum_of_squares } = r.optimizer_numbers else { panic!() };
    assert_eq!(r.update, -0.3 * r.batch_gradient / (sum_of_squares.sqrt() + 1e-8));
}

#[test]
fn rprop_matches_the_reference() {
    let mut t = trainer(OptimizerConfig { kind: OptimizerKind::Rprop, ..OptimizerConfig::default() }, 0.0);
    close(&run(&mut t, RPROP_LOSSES.len()), &RPROP_LOSSES, "Rprop losses");
    close(&common::parameters(&t), &RPROP_PARAMETERS, "Rprop parameters");
    // The step sizes are moment2 (weights, then biases, layer by layer: the parameters' order).
    close(&state_array(&t, 1), &RPROP_STEPS, "Rprop step sizes");
    // The reference's last decisions: weight [1][0] of layer 1 shrank, bias 1 of layer 2 shrank,
    // bias 2 of layer 1 kept, weight [0][0] of layer 1 grew.
    let decision = |layer, neuron, input| {
        let OptimizerNumbers::Rprop { decision, step_size, previous_gradient, sign_product } =
            rule(&t, layer, neuron, input).optimizer_numbers
        else {
            panic!()
        };
        assert_eq!(f64::from(sign_product), decision.code());
        (decision, step_size, previous_gradient)
    };
    let (shrank, step, stored) = decision(0, 1, Some(1));
    assert_eq!((shrank, step, stored), (RpropDecision::Shrank, RPROP_STEPS[3], 0.0));
    assert_eq!(rule(&t, 0, 1, Some(1)).update, 0.0, "no move after a sign change");
    assert_eq!(decision(1, 1, None).0, RpropDecision::Shrank);
    assert_eq!(decision(0, 2, None).0, RpropDecision::Kept);
    let (grew, step, _) = decision(0, 0, Some(0));
    assert_eq!(grew, RpropDecision::Grew);
    let r = rule(&t, 0, 0, Some(0));
    assert_eq!(r.update, -r.batch_gradient.signum() * step);
}

fn cg(initial_step: f64, restart_every: u32) -> OptimizerConfig {
    OptimizerConfig {
        kind: OptimizerKind::Cg,
        cg_initial_step: initial_step,
        cg_restart_every: restart_every,
        ..OptimizerConfig::default()
    }
}

/// Runs conjugate gradient step by step against one of the reference's runs.
#[allow(clippy::too_many_arguments)]
fn check_cg(
    name: &str,
    mut t: Trainer,
    losses: &[f64],
    lengths: &[f64],
    betas: &[f64],
    trials: &[u32],
    directions: &[CgDirection],
    parameters: &[f64],
) {
    let mut evaluations = 0;
    for step in 0..losses.len() {
        let loss = t.step().unwrap();
        let s = t.optimizer_scalars().clone();
        close(&[loss], &losses[step..=step], &format!("{name}: loss of step {step}"));
        close(&[s.cg_step_length], &lengths[step..=step], &format!("{name}: α of step {step}"));
        if betas[step] == 0.0 {
            assert_eq!(s.cg_beta, 0.0, "{name}: β of step {step}");
        } else {
            close(&[s.cg_beta], &betas[step..=step], &format!("{name}: β of step {step}"));
        }
        assert_eq!(
            (s.cg_trials, s.cg_direction, s.cg_line_search),
            (trials[step], directions[step], CgLineSearch::Accepted),
            "{name}: step {step}"
        );
        evaluations += u64::from(trials[step]);
        assert_eq!(s.cg_evaluations, evaluations);
        assert!(s.cg_loss_after < s.cg_loss_before);
    }
    close(&common::parameters(&t), parameters, &format!("{name}: parameters"));
}

#[test]
fn conjugate_gradient_matches_the_reference() {
    use CgDirection::*;
    let runs = [
        (
            "CG",
            trainer(cg(1.0, 0), 0.0),
            &CG_LOSSES,
            &CG_STEP_LENGTHS,
            &CG_BETAS,
            &CG_TRIALS,
            [First, Conjugate, Conjugate, Conjugate, Conjugate, Conjugate, Conjugate, NegativeBeta],
            &CG_PARAMETERS,
        ),
        // With L2 and a restart every 3 steps.
        (
            "CG_L2",
            trainer(cg(1.0, 3), 0.01),
            &CG_L2_LOSSES,
            &CG_L2_STEP_LENGTHS,
            &CG_L2_BETAS,
            &CG_L2_TRIALS,
            [First, Conjugate, Conjugate, PeriodicRestart, Conjugate, NotDescent, NotDescent, Conjugate],
            &CG_L2_PARAMETERS,
        ),
        // A first trial step far too long, so that the line searches shorten it.
        (
            "CG_LONG",
            trainer(cg(1000.0, 0), 0.0),
            &CG_LONG_LOSSES,
            &CG_LONG_STEP_LENGTHS,
            &CG_LONG_BETAS,
            &CG_LONG_TRIALS,
            [First, Conjugate, Conjugate, Conjugate, Conjugate, Conjugate, Conjugate, NegativeBeta],
            &CG_LONG_PARAMETERS,
        ),
    ];
    for (name, t, losses, lengths, betas, trials, directions, parameters) in runs {
        check_cg(name, t, losses, lengths, betas, trials, &directions, parameters);
    }
}

fn nesterov() -> OptimizerConfig {
    OptimizerConfig { kind: OptimizerKind::Nesterov, learning_rate: 0.5, momentum: 0.9, ..OptimizerConfig::default() }
}

fn adagrad() -> OptimizerConfig {
    OptimizerConfig { kind: OptimizerKind::Adagrad, learning_rate: 0.3, epsilon: 1e-8, ..OptimizerConfig::default() }
}

fn rprop() -> OptimizerConfig {
    OptimizerConfig { kind: OptimizerKind::Rprop, ..OptimizerConfig::default() }
}

#[test]
fn element_wise_optimizers_on_mini_batches_with_l2_match_the_reference() {
    for (name, optimizer, losses, parameters) in [
        ("Nesterov", nesterov(), &NESTEROV_L2_BATCH2_LOSSES[..], &NESTEROV_L2_BATCH2_PARAMETERS),
        ("AdaGrad", adagrad(), &ADAGRAD_L2_BATCH2_LOSSES[..], &ADAGRAD_L2_BATCH2_PARAMETERS),
        ("Rprop", rprop(), &RPROP_L2_BATCH2_LOSSES[..], &RPROP_L2_BATCH2_PARAMETERS),
    ] {
        let mut t = trainer_with_batch(optimizer, 0.01, 2);
        close(&run(&mut t, losses.len()), losses, &format!("{name} losses"));
        close(&common::parameters(&t), parameters, &format!("{name} parameters"));
    }
}

/// Runs the forward, loss and backward phases of the next step.
fn run_until_update(t: &mut Trainer) {
    while t.next_phase() != Phase::Update {
        t.step_phase().unwrap();
    }
}

/// The batch loss of the reference network at `parameters` (in `common::parameters` order), plus
/// the L2 penalty ½λ·Σw², from a fresh trainer's forward and loss phases.
fn penalised_loss(parameters: &[f64], l2: f64) -> f64 {
    let mut t = trainer(OptimizerConfig::default(), 0.0);
    let mut values = parameters.iter().copied();
    for layer in 0..2 {
        let (units, inputs) = (t.network().layers[layer].units, t.network().layers[layer].inputs);
        let weights =
            (0..units).flat_map(|neuron| (0..inputs).map(move |i| ParamRef { layer, neuron, input: Some(i) }));
        let biases = (0..units).map(|neuron| ParamRef { layer, neuron, input: None });
        for param in weights.chain(biases).collect::<Vec<_>>() {
            t.set_parameter(param, values.next().unwrap()).unwrap();
        }
    }
    for _ in 0..3 {
        t.step_phase().unwrap();
    }
    let weights: f64 = t.network().layers.iter().flat_map(|l| &l.weights).map(|w| w * w).sum();
    t.network().loss_value + 0.5 * l2 * weights
}

#[test]
fn conjugate_gradients_slope_is_the_finite_difference_of_the_loss_along_its_direction() {
    // After an update, d is in moment1. The slope gᵀd the line search used is checked against
    // (φ(h) − φ(−h)) / 2h, φ(α) the loss at θ₀ + α·d, θ₀ the parameters before the update; and
    // φ(0), φ(α) against the losses it reports.
    for l2 in [0.0, 0.01] {
        let mut t = trainer(cg(1.0, 0), l2);
        for step in 0..5 {
            run_until_update(&mut t);
            let before = common::parameters(&t);
            t.step_phase().unwrap();
            let s = t.optimizer_scalars().clone();
            let direction = state_array(&t, 0);
            let phi = |alpha: f64| {
                let moved: Vec<f64> = before.iter().zip(&direction).map(|(w, d)| w + alpha * d).collect();
                penalised_loss(&moved, l2)
            };
            let h = 1e-5;
            let numeric = (phi(h) - phi(-h)) / (2.0 * h);
            assert!(s.cg_slope < 0.0, "a descent direction");
            assert!(
                (numeric - s.cg_slope).abs() <= 1e-7 * s.cg_slope.abs(),
                "step {step}: {} vs {numeric}",
                s.cg_slope
            );
            assert!((phi(0.0) - s.cg_loss_before).abs() <= 1e-15, "step {step}");
            assert!((phi(s.cg_step_length) - s.cg_loss_after).abs() <= 1e-14, "step {step}");
        }
    }
}

#[test]
fn conjugate_gradients_loss_after_a_step_is_the_next_steps_loss_to_the_last_bit() {
    // The trial passes are the forward phase's own arithmetic at θ + α·d.
    let mut t = trainer(cg(1.0, 0), 0.0);
    t.step().unwrap();
    for _ in 0..6 {
        let after = t.optimizer_scalars().cg_loss_after;
        assert_eq!(t.step().unwrap().to_bits(), after.to_bits());
    }
}

#[test]
fn a_failed_line_search_moves_nothing_and_the_next_step_restarts() {
    // One trial of a step far too long: it fails, so α = 0 and the parameters stay.
    let mut t = trainer(OptimizerConfig { cg_max_trials: 1, ..cg(1e3, 0) }, 0.0);
    let before = common::parameters(&t);
    t.step().unwrap();
    let s = t.optimizer_scalars().clone();
    assert_eq!((s.cg_line_search, s.cg_step_length, s.cg_trials), (CgLineSearch::Failed, 0.0, 1));
    assert_eq!(s.cg_loss_after, s.cg_loss_before);
    assert_eq!(common::parameters(&t), before);
    let r = rule(&t, 1, 0, Some(1));
    let OptimizerNumbers::Cg { line_search, step_length, direction, .. } = r.optimizer_numbers else { panic!() };
    assert_eq!((line_search, step_length, r.update, r.value), (CgLineSearch::Failed, 0.0, 0.0, r.previous_value));
    assert!(direction != 0.0, "the direction searched is still shown");
    // With more trials, the next step restarts from steepest descent and moves.
    t.set_optimizer(OptimizerConfig { cg_max_trials: 20, ..cg(1e3, 0) }).unwrap();
    t.step().unwrap();
    let s = t.optimizer_scalars();
    assert_eq!((s.cg_direction, s.cg_line_search), (CgDirection::AfterFailedSearch, CgLineSearch::Accepted));
    assert!(s.cg_loss_after < s.cg_loss_before && common::parameters(&t) != before);
}

#[test]
fn conjugate_gradient_takes_the_whole_training_set_whatever_the_batch_size() {
    let mut t = trainer_with_batch(cg(1.0, 0), 0.0, 1);
    assert_eq!((t.batch_size(), t.steps_per_epoch()), (4, 1));
    close(&run(&mut t, CG_LOSSES.len()), &CG_LOSSES, "conjugate gradient losses, batch size 1");
    close(&common::parameters(&t), &CG_PARAMETERS, "conjugate gradient parameters, batch size 1");
    assert_eq!((t.epochs(), t.config().batch_size), (CG_LOSSES.len() as u64, 1), "the batch size is set aside");
    assert_eq!(rule(&t, 0, 0, None).batch_size, 4);
    // Another optimizer takes the batch size again, from its own fresh state.
    t.set_optimizer(rprop()).unwrap();
    assert_eq!(t.batch_size(), 1);
    assert_eq!(t.optimizer_scalars(), &Default::default());
    t.step().unwrap();
    assert_eq!(t.network().batch_len, 1);
}

#[test]
fn conjugate_gradient_refuses_a_training_set_too_large_for_one_batch() {
    let wide = NetworkConfig {
        inputs: 2,
        layers: vec![
            LayerConfig::new(256, Activation::Tanh),
            LayerConfig::new(256, Activation::Tanh),
            LayerConfig::new(1, Activation::Identity),
        ],
        batch_size: 10,
        ..NetworkConfig::default()
    };
    let mut t = Trainer::new(wide).unwrap();
    let points = 100_000;
    t.set_data(Split::Train, vec![0.5; 2 * points], vec![0.1; points]).unwrap();
    let before = t.config().optimizer;
    let e = t.set_optimizer(cg(1.0, 0)).unwrap_err().to_string();
    assert!(e.contains("conjugate gradient takes the whole training set as one batch"), "{e}");
    assert!(e.contains("100000 samples × 513 neurons"), "{e}");
    assert_eq!(t.config().optimizer, before, "nothing changed");
    t.set_optimizer(rprop()).unwrap();
}
