//! Training behaviour: learning XOR, the phase-by-phase path against the fast path, seeds,
//! batches and epochs, hyper-parameter changes, and divergence.

mod common;

use backprop_viz::elementary::tanh;
use backprop_viz::{
    Activation, Error, LayerConfig, Loss, NetworkConfig, OptimizerConfig, OptimizerKind, ParamRef, Phase, Reduction,
    Regularization, RegularizationKind, Split, Trainer,
};
use common::{parameters, xor_trainer};

fn optimizer(kind: OptimizerKind, learning_rate: f64) -> OptimizerConfig {
    OptimizerConfig { kind, learning_rate, ..OptimizerConfig::default() }
}

#[test]
fn xor_2_2_1_learns_from_a_fixed_seed() {
    let mut trainer = xor_trainer(2, Activation::Tanh, optimizer(OptimizerKind::Sgd, 0.5), 4);
    let before = trainer.dataset_loss(Split::Train).unwrap();
    trainer.train(5000).unwrap();
    let after = trainer.dataset_loss(Split::Train).unwrap();
    assert!(before > 0.1, "{before}");
    assert!(after < 0.05, "XOR loss after 5000 steps: {after}");
    let outputs = trainer.probe(&common::XOR_INPUTS).unwrap().activations[1].clone();
    for (output, target) in outputs.iter().zip(common::XOR_TARGETS) {
        assert!((output - target).abs() < 0.2, "{outputs:?}");
    }
}

/// Runs `steps` steps three ways: phase by phase, step by step, and train(n).
fn three_ways(make: impl Fn() -> Trainer, steps: u32) -> [Trainer; 3] {
    let mut by_phase = make();
    let phases = Phase::count(by_phase.network().layers.len()) as u32;
    for _ in 0..steps * phases {
        by_phase.step_phase().unwrap();
    }
    let mut by_step = make();
    for _ in 0..steps {
        by_step.step().unwrap();
    }
    let mut fast = make();
    fast.train(steps).unwrap();
    [by_phase, by_step, fast]
}

#[test]
fn phase_by_phase_and_fast_training_agree_to_the_last_bit() {
    for kind in OptimizerKind::ALL {
        for batch in [1, 3, 4] {
            let make = || {
                let mut t = xor_trainer(7, Activation::Relu, optimizer(kind, 0.05), batch);
                t.set_regularization(Regularization { kind: RegularizationKind::L2, rate: 0.01 }).unwrap();
                t
            };
            let [by_phase, by_step, fast] = three_ways(make, 37);
            assert_eq!(parameters(&by_phase), parameters(&fast), "{kind:?}, batch {batch}");
            assert_eq!(parameters(&by_step), parameters(&fast), "{kind:?}, batch {batch}");
            assert_eq!(by_phase.network().loss_value.to_bits(), fast.network().loss_value.to_bits());
            assert_eq!((by_phase.steps(), by_phase.epochs()), (fast.steps(), fast.epochs()));
            assert_eq!(by_phase.next_phase(), Phase::FIRST);
        }
    }
}

#[test]
fn a_seed_replays_a_run_and_another_seed_does_not() {
    let run = |seed| {
        let mut t = xor_trainer(seed, Activation::Tanh, optimizer(OptimizerKind::Adam, 0.01), 1);
        t.train(50).unwrap();
        parameters(&t)
    };
    assert_eq!(run(11), run(11));
    assert_ne!(run(11), run(12));
}

#[test]
fn reset_returns_to_the_initial_weights_or_draws_new_ones() {
    let mut trainer = xor_trainer(5, Activation::Tanh, OptimizerConfig::default(), 2);
    let initial = parameters(&trainer);
    trainer.train(20).unwrap();
    assert_ne!(parameters(&trainer), initial);
    trainer.reset(None);
    assert_eq!(parameters(&trainer), initial);
    assert_eq!((trainer.steps(), trainer.epochs()), (0, 0));
    trainer.reset(Some(6));
    assert_eq!(parameters(&trainer), parameters(&xor_trainer(6, Activation::Tanh, OptimizerConfig::default(), 2)));
}

#[test]
fn each_epoch_visits_every_sample_once_in_batches() {
    let config = NetworkConfig { batch_size: 3, seed: 4, ..NetworkConfig::default() };
    let mut trainer = Trainer::new(config).unwrap();
    let inputs: Vec<f64> = (0..20).map(f64::from).collect();
    trainer.set_data(Split::Train, inputs, vec![0.5; 10]).unwrap();
    assert_eq!(trainer.steps_per_epoch(), 4);
    let mut orders = Vec::new();
    for _epoch in 0..2 {
        let mut seen = Vec::new();
        let mut sizes = Vec::new();
        for _ in 0..4 {
            trainer.step().unwrap();
            seen.extend_from_slice(&trainer.network().batch_indices);
            sizes.push(trainer.network().batch_len);
        }
        assert_eq!(sizes, [3, 3, 3, 1]);
        orders.push(seen.clone());
        seen.sort_unstable();
        assert_eq!(seen, (0..10).collect::<Vec<_>>());
    }
    assert_eq!(trainer.epochs(), 2);
    assert_ne!(orders[0], orders[1], "each epoch is reshuffled");
}

#[test]
fn the_batch_gradient_is_the_mean_of_the_per_sample_chain_rule_products() {
    let mut trainer = xor_trainer(9, Activation::Sigmoid, OptimizerConfig::default(), 4);
    trainer.train(3).unwrap();
    for param in [ParamRef { layer: 0, neuron: 1, input: Some(0) }, ParamRef { layer: 1, neuron: 0, input: None }] {
        let per_sample: Vec<f64> = (0..4).map(|s| trainer.chain_rule(param, s).unwrap().sample_gradient).collect();
        let rule = trainer.chain_rule(param, 0).unwrap();
        assert_eq!(rule.reduction, Reduction::Mean);
        let mean = per_sample.iter().sum::<f64>() / 4.0;
        common::assert_close(rule.batch_gradient, mean, 1e-15, &format!("{param:?}"));
    }
}

#[test]
fn changing_hyper_parameters_keeps_the_optimizer_state() {
    // Setting the same settings again mid-run must not disturb the trajectory.
    let make = || xor_trainer(3, Activation::Tanh, optimizer(OptimizerKind::Adam, 0.02), 2);
    let mut straight = make();
    straight.train(20).unwrap();
    let mut interrupted = make();
    interrupted.train(10).unwrap();
    interrupted.set_learning_rate(0.02).unwrap();
    interrupted.set_optimizer(optimizer(OptimizerKind::Adam, 0.02)).unwrap();
    interrupted.train(10).unwrap();
    assert_eq!(parameters(&straight), parameters(&interrupted));

    // A new learning rate is used from the next update on: with SGD, Δ = −η·g exactly.
    let mut sgd = xor_trainer(3, Activation::Tanh, optimizer(OptimizerKind::Sgd, 0.5), 4);
    sgd.train(5).unwrap();
    sgd.set_learning_rate(0.125).unwrap();
    sgd.train(1).unwrap();
    let layer = &sgd.network().layers[0];
    for (delta, grad) in layer.update_weights.iter().zip(&layer.grad_weights) {
        assert_eq!(*delta, -0.125 * grad);
    }

    // Momentum carries its velocity across a learning-rate change: Δ is no longer −η·g.
    let mut momentum = xor_trainer(3, Activation::Tanh, optimizer(OptimizerKind::Momentum, 0.5), 4);
    momentum.train(5).unwrap();
    momentum.set_learning_rate(0.125).unwrap();
    momentum.train(1).unwrap();
    let layer = &momentum.network().layers[0];
    assert!(layer.update_weights.iter().zip(&layer.grad_weights).any(|(d, g)| (*d + 0.125 * g).abs() > 1e-6));
}

#[test]
fn a_weight_set_by_hand_is_used_by_the_next_forward_phase() {
    let mut trainer = xor_trainer(1, Activation::Identity, OptimizerConfig::default(), 4);
    let param = ParamRef { layer: 0, neuron: 0, input: Some(1) };
    trainer.set_parameter(param, 2.5).unwrap();
    trainer.set_parameter(ParamRef { input: None, ..param }, -1.0).unwrap();
    trainer.step_phase().unwrap();
    let layer = &trainer.network().layers[0];
    let x = &trainer.network().batch_input;
    let expected = layer.weights[0] * x[0] + 2.5 * x[1] - 1.0;
    assert_eq!(layer.pre_activation[0], expected);
}

/// A regression network that a huge learning rate makes explode.
fn exploding(kind: OptimizerKind) -> Trainer {
    let config = NetworkConfig {
        inputs: 1,
        layers: vec![LayerConfig::new(4, Activation::Relu), LayerConfig::new(1, Activation::Identity)],
        optimizer: optimizer(kind, 100.0),
        batch_size: 2,
        seed: 1,
        ..NetworkConfig::default()
    };
    let mut trainer = Trainer::new(config).unwrap();
    trainer.set_data(Split::Train, vec![1.0, 2.0, 3.0, 4.0], vec![10.0, 20.0, 30.0, 40.0]).unwrap();
    trainer
}

#[test]
fn divergence_is_reported_and_the_last_good_state_kept() {
    for kind in [OptimizerKind::Sgd, OptimizerKind::Momentum] {
        let mut trainer = exploding(kind);
        // The parameters after each step, by step.
        let mut after = vec![parameters(&trainer)];
        let error = loop {
            match trainer.train(1) {
                Ok(_) => after.push(parameters(&trainer)),
                Err(error) => break error,
            }
            assert!(trainer.steps() < 10_000, "{kind:?} never diverged");
        };
        let Error::Diverged { step, kept_step, .. } = &error else { panic!("{error:?}") };
        assert_eq!(*step, after.len() as u64, "the step after the last one that ran");
        assert_eq!(*kept_step, trainer.steps());
        assert!(*kept_step + 2 >= *step, "at most the update before is taken back");
        assert!(error.to_string().starts_with(&format!("training diverged at step {step}: ")), "{error}");
        let last_good = &after[*kept_step as usize];
        assert_eq!(&parameters(&trainer), last_good, "{kind:?}: the parameters of the kept step");
        assert!(last_good.iter().all(|p| p.is_finite()));
        assert_eq!(trainer.next_phase(), Phase::FIRST);
        // Another attempt fails without harm; a reset and a sane rate recover.
        let steps = trainer.steps();
        if let Err(again) = trainer.train(1) {
            assert!(matches!(again, Error::Diverged { .. }));
            assert_eq!(trainer.steps(), steps);
            assert_eq!(&parameters(&trainer), last_good);
        }
        trainer.reset(None);
        trainer.set_learning_rate(1e-3).unwrap();
        trainer.train(10).unwrap();
    }
}

#[test]
fn the_loss_can_be_summed_or_averaged_over_the_batch() {
    let sum_of = |reduction| {
        let config = NetworkConfig { reduction, batch_size: 4, shuffle: false, ..NetworkConfig::default() };
        let mut t = Trainer::new(config).unwrap();
        t.set_data(Split::Train, common::XOR_INPUTS.to_vec(), common::XOR_TARGETS.to_vec()).unwrap();
        t.train(1).unwrap();
        (t.network().loss_value, t.network().layers[1].grad_weights.clone())
    };
    let (mean, mean_grad) = sum_of(Reduction::Mean);
    let (sum, sum_grad) = sum_of(Reduction::Sum);
    common::assert_close(sum, 4.0 * mean, 1e-15, "loss");
    for (s, m) in sum_grad.iter().zip(&mean_grad) {
        common::assert_close(*s, 4.0 * m, 1e-15, "gradient");
    }
}

fn regression_trainer(config: NetworkConfig) -> Trainer {
    let mut trainer = Trainer::new(config).unwrap();
    let x: Vec<f64> = (0..12).map(|i| f64::from(i) / 4.0 - 1.5).collect();
    let y: Vec<f64> = x.iter().map(|x| x.sin()).collect();
    trainer.set_data(Split::Train, x, y).unwrap();
    trainer
}

fn small_regression(dropout: f64) -> NetworkConfig {
    NetworkConfig {
        inputs: 1,
        layers: vec![
            LayerConfig { dropout, ..LayerConfig::new(6, Activation::Tanh) },
            LayerConfig::new(1, Activation::Identity),
        ],
        batch_size: 4,
        seed: 3,
        ..NetworkConfig::default()
    }
}

#[test]
fn dropout_drops_while_training_only_and_keeps_the_paths_equal() {
    let [by_phase, _, fast] = three_ways(|| regression_trainer(small_regression(0.5)), 9);
    assert_eq!(parameters(&by_phase), parameters(&fast));
    let hidden = &fast.network().layers[0];
    let dropped = hidden.dropout_mask.iter().filter(|&&m| m == 0.0).count();
    assert!(dropped > 0 && dropped < hidden.dropout_mask.len(), "{:?}", hidden.dropout_mask);
    assert!(hidden.dropout_mask.iter().all(|&m| m == 0.0 || m == 2.0), "kept neurons are scaled by 1/(1 − p)");
    for (idx, &m) in hidden.dropout_mask.iter().enumerate() {
        assert_eq!(hidden.activations[idx], tanh(hidden.pre_activation[idx]) * m);
        if m == 0.0 {
            assert_eq!(hidden.delta[idx], 0.0, "no error flows through a dropped neuron");
        }
    }
    // Used outside training (probe), the network has no dropout.
    let mut trainer = fast;
    let weights = trainer.network().layers[0].weights.clone();
    let biases = trainer.network().layers[0].biases.clone();
    let probe = trainer.probe(&[0.5]).unwrap();
    for j in 0..6 {
        assert_eq!(probe.activations[0][j], tanh(weights[j] * 0.5 + biases[j]));
    }
}

#[test]
fn the_schedule_sets_each_updates_learning_rate() {
    let config = NetworkConfig {
        schedule: backprop_viz::schedule::Schedule {
            kind: backprop_viz::schedule::ScheduleKind::Step,
            factor: 0.5,
            every_epochs: 2,
            total_epochs: 10,
        },
        optimizer: optimizer(OptimizerKind::Sgd, 0.4),
        ..small_regression(0.0)
    };
    let mut trainer = regression_trainer(config);
    let per_epoch = trainer.steps_per_epoch() as u32;
    for (epochs, rate) in [(0, 0.4), (2, 0.2), (4, 0.1)] {
        trainer.train(epochs * per_epoch - trainer.steps() as u32).unwrap();
        assert_eq!(trainer.learning_rate(), rate);
        trainer.train(1).unwrap();
        let layer = &trainer.network().layers[1];
        for (delta, grad) in layer.update_weights.iter().zip(&layer.grad_weights) {
            assert_eq!(*delta, -rate * grad, "after {epochs} epochs");
        }
        trainer.reset(None);
    }
}

#[test]
fn training_stops_by_the_stop_rule() {
    let config = NetworkConfig {
        stop: backprop_viz::config::StopRule { after_epochs: 3, below_loss: 0.0 },
        ..small_regression(0.0)
    };
    let mut trainer = regression_trainer(config);
    trainer.train(1000).unwrap();
    assert_eq!(trainer.epochs(), 3);
    assert_eq!(trainer.finished(), Some("stopped after 3 epochs, as asked"));
    trainer.train(10).unwrap();
    assert_eq!(trainer.epochs(), 3, "train does nothing once finished");
    trainer.step().unwrap();
    assert_eq!(trainer.steps(), 10, "stepping by hand still works");

    let config = NetworkConfig {
        stop: backprop_viz::config::StopRule { after_epochs: 0, below_loss: 0.05 },
        optimizer: optimizer(OptimizerKind::Adam, 0.05),
        ..small_regression(0.0)
    };
    let mut trainer = regression_trainer(config);
    trainer.train(100_000).unwrap();
    let loss = trainer.dataset_loss(Split::Train).unwrap();
    assert!(loss < 0.05 && trainer.finished().unwrap().contains("below"), "{loss} {:?}", trainer.finished());
    assert!(trainer.steps() < 100_000);
    trainer.set_stop_rule(Default::default()).unwrap();
    assert_eq!(trainer.finished(), None);
}

#[test]
fn chain_rule_terms_multiply_out_before_and_after_the_update() {
    let mut trainer = xor_trainer(4, Activation::Tanh, optimizer(OptimizerKind::Momentum, 0.3), 3);
    trainer.train(5).unwrap();
    let phases = Phase::count(2);
    for phase in 0..2 * phases {
        trainer.step_phase().unwrap();
        let done = trainer.next_phase();
        for (layer, neuron, input) in [(0, 1, Some(0)), (0, 0, None), (1, 0, Some(1))] {
            let rule = trainer.chain_rule(ParamRef { layer, neuron, input }, 0).unwrap();
            // z = Σ w·a + b with the weights the forward pass used (exactly, same order),
            // for the layers this step's forward pass has reached.
            let forward_is_fresh = !matches!(done, Phase::Forward(l) if l <= layer);
            if forward_is_fresh {
                let z = rule.upstream.iter().fold(0.0, |z, t| z + t.product) + rule.bias;
                assert_eq!(z, rule.z, "after phase {phase}: z");
            }
            let backward_is_fresh =
                matches!(done, Phase::Update | Phase::FIRST) || matches!(done, Phase::Backward(l) if l < layer);
            if layer == 0 && backward_is_fresh {
                // δ = f'(z) · Σ w·δ_next with the weights the backward pass used.
                let sum = rule.downstream.iter().fold(0.0, |s, t| s + t.product);
                assert_eq!(sum, rule.grad_activation, "after phase {phase}");
                assert_eq!(rule.delta, sum * rule.d_activation, "after phase {phase}: δ");
            }
            if done == Phase::FIRST {
                // Just after the update: new = old + Δ.
                assert_eq!(rule.value, rule.previous_value + rule.update, "after phase {phase}");
                assert_ne!(rule.value, rule.previous_value);
            }
        }
    }
}

#[test]
fn every_optimizer_and_loss_at_the_largest_rate_is_caught_or_stays_finite() {
    use backprop_viz::optimizer::MAX_LEARNING_RATE;
    let mut diverged = 0;
    for loss in Loss::ALL {
        for kind in [OptimizerKind::Sgd, OptimizerKind::Momentum, OptimizerKind::Rmsprop, OptimizerKind::Adam] {
            let output = loss.required_output().unwrap_or(Activation::Identity);
            let outputs = if output == Activation::Softmax { 2 } else { 1 };
            let config = NetworkConfig {
                inputs: 1,
                layers: vec![LayerConfig::new(8, Activation::Relu), LayerConfig::new(outputs, output)],
                loss,
                optimizer: optimizer(kind, MAX_LEARNING_RATE),
                batch_size: 2,
                seed: 2,
                ..NetworkConfig::default()
            };
            let mut trainer = Trainer::new(config).unwrap();
            let targets: Vec<f64> = match (loss, outputs) {
                (_, 2) => vec![1.0, 0.0, 0.0, 1.0, 1.0, 0.0, 0.0, 1.0],
                (Loss::SquaredError, _) => vec![30.0, -20.0, 50.0, 40.0],
                _ => vec![1.0, 0.0, 1.0, 0.0],
            };
            trainer.set_data(Split::Train, vec![1.0, 2.0, 3.0, 4.0], targets).unwrap();
            let mut after = vec![parameters(&trainer)];
            for _ in 0..500 {
                match trainer.train(1) {
                    Ok(_) => after.push(parameters(&trainer)),
                    Err(error @ Error::Diverged { kept_step, .. }) => {
                        assert!(error.to_string().starts_with("training diverged at step"), "{error}");
                        let kept = &after[kept_step as usize];
                        assert_eq!(&parameters(&trainer), kept, "{loss:?} / {kind:?}: the last good state is kept");
                        assert_eq!(trainer.steps(), kept_step);
                        diverged += 1;
                        break;
                    }
                    Err(other) => panic!("{loss:?} / {kind:?}: {other}"),
                }
                assert!(parameters(&trainer).iter().all(|p| p.is_finite()), "{loss:?} / {kind:?}");
            }
        }
    }
    assert!(diverged >= 2, "the grid includes runs that really diverge ({diverged} did)");
}

#[test]
fn the_last_update_of_an_epoch_is_explained_with_the_rate_it_used() {
    // Step decay every epoch: the last update of epoch 1 uses 0.4, and moves the schedule to 0.2.
    let config = NetworkConfig {
        schedule: backprop_viz::schedule::Schedule {
            kind: backprop_viz::schedule::ScheduleKind::Step,
            factor: 0.5,
            every_epochs: 1,
            total_epochs: 10,
        },
        optimizer: optimizer(OptimizerKind::Sgd, 0.4),
        ..small_regression(0.0)
    };
    let mut trainer = regression_trainer(config);
    let per_epoch = trainer.steps_per_epoch() as u32;
    trainer.train(per_epoch - 1).unwrap();
    assert_eq!(trainer.update_learning_rate(), 0.4, "within the epoch, the next update's rate");
    trainer.step().unwrap();
    assert_eq!(trainer.epochs(), 1);
    assert_eq!(trainer.learning_rate(), 0.2, "the next update's rate");
    assert_eq!(trainer.update_learning_rate(), 0.4, "the rate the update just run used");
    let layer = &trainer.network().layers[1];
    for (delta, grad) in layer.update_weights.iter().zip(&layer.grad_weights) {
        assert_eq!(*delta, -0.4 * grad);
    }
    let param = backprop_viz::chain_rule::ParamRef { layer: 1, neuron: 0, input: Some(0) };
    assert_eq!(trainer.chain_rule(param, 0).unwrap().learning_rate, 0.4, "the inspector's η is the update's");
    // The next step's forward phase: from here on, its update will use 0.2.
    trainer.step_phase().unwrap();
    assert_eq!(trainer.update_learning_rate(), 0.2);
}

/// The reproduction of issue 16: a 1 → 1 identity network, w = 0.5, fed x = 10⁶ with target 1,
/// by SGD at η = 10⁻⁵. Each update multiplies w by about −10⁷; before the rules, the loss
/// became infinite only at step 23, and the network kept had w = 5·10¹⁵³ (loss 10³⁰⁵).
fn far_too_fast() -> Trainer {
    let layer = common::given_layer(Activation::Identity, vec![vec![0.5]]);
    let config = common::config(1, vec![layer], Loss::SquaredError, Reduction::Mean, 1e-5, 1);
    let mut trainer = Trainer::new(config).unwrap();
    trainer.set_data(Split::Train, vec![1e6], vec![1.0]).unwrap();
    trainer
}

#[test]
fn a_loss_that_jumps_is_refused_at_once_and_the_update_that_made_it_taken_back() {
    use backprop_viz::DivergenceRule;
    let mut trainer = far_too_fast();
    let first = trainer.step().unwrap();
    assert!((first - 0.5 * (0.5e6f64 - 1.0).powi(2)).abs() < 1.0, "{first}");
    let error = trainer.train(100).unwrap_err();
    let Error::Diverged { step, rule, kept_step, .. } = &error else { panic!("{error:?}") };
    // Step 2's loss (of the weight step 1 made) is 10¹⁴ times step 1's.
    assert_eq!((*step, *rule, *kept_step), (2, DivergenceRule::LossJump, 0), "{error}");
    let text = error.to_string();
    assert!(text.contains("the loss jumped to 1.2e25, more than 1e4 times its recent minimum of 1.2e11"), "{text}");
    assert!(text.contains("went back to step 0"), "{text}");
    assert!(text.len() < 200, "{text}");
    // The network kept is the one before the update that caused the jump: finite and sane.
    assert_eq!(trainer.steps(), 0);
    assert_eq!(trainer.network().layers[0].weights, [0.5]);
    let kept_loss = trainer.dataset_loss(Split::Train).unwrap();
    assert_eq!(kept_loss, first);
    // Nothing non-finite, and nothing of the refused step, stays in the arrays the page draws.
    let layer = &trainer.network().layers[0];
    for array in [&layer.pre_activation, &layer.activations, &layer.delta, &layer.grad_weights] {
        assert!(array.iter().all(|&x| x == 0.0), "{array:?}");
    }
    // Resuming at η/10 cannot converge (η·x² = 10 > 2), but it is caught again before any harm;
    // at η ≤ 10⁻¹² (η·x² < 2) it trains.
    let mut rate = 1e-5;
    let mut refusals = 0;
    while trainer.train(50).is_err() {
        refusals += 1;
        let kept = trainer.dataset_loss(Split::Train).unwrap();
        assert!(kept.is_finite() && kept <= 1e4 * kept_loss, "each refusal keeps a sane network: {kept}");
        rate /= 10.0;
        trainer.set_learning_rate(rate).unwrap();
        assert!(refusals < 10, "η ÷ 10 a few times ends the divergence");
    }
    assert!(rate < 1.1e-12, "{rate}");
    assert!(trainer.dataset_loss(Split::Train).unwrap() < kept_loss);
}

#[test]
fn a_non_finite_number_anywhere_in_a_step_refuses_it() {
    use backprop_viz::DivergenceRule;
    // tanh of z = 10³⁰⁸ · 2 is 1, a finite loss: only z itself is infinite.
    let layers = vec![
        common::given_layer(Activation::Tanh, vec![vec![2.0]]),
        common::given_layer(Activation::Identity, vec![vec![1.0]]),
    ];
    let config = common::config(1, layers, Loss::SquaredError, Reduction::Mean, 0.1, 1);
    let mut trainer = Trainer::new(config).unwrap();
    trainer.set_data(Split::Train, vec![1e308], vec![0.5]).unwrap();
    let before = parameters(&trainer);
    let error = trainer.step_phase().unwrap_err();
    let Error::Diverged { step: 1, rule: DivergenceRule::NonFinite, kept_step: 0, .. } = &error else {
        panic!("{error:?}")
    };
    assert!(error.to_string().contains("z or a of layer 1 (hidden) became infinite or NaN"), "{error}");
    assert_eq!(parameters(&trainer), before);
    assert!(trainer.network().layers[0].pre_activation.iter().all(|z| z.is_finite()));
    assert_eq!(trainer.next_phase(), Phase::FIRST);
}

#[test]
fn the_rules_keep_bulk_and_step_by_step_training_bit_identical_up_to_the_refusal() {
    // Both ways refuse the same step, by the same rule, and keep the same network.
    for kind in [OptimizerKind::Sgd, OptimizerKind::Momentum] {
        let make = || {
            let mut t = exploding(kind);
            t.set_learning_rate(20.0).unwrap();
            t
        };
        let mut by_phase = make();
        let mut phases = 0;
        let phase_error = loop {
            if let Err(e) = by_phase.step_phase() {
                break e;
            }
            phases += 1;
            assert!(phases < 100_000, "{kind:?} never diverged");
        };
        let mut fast = make();
        let fast_error = fast.train(10_000).unwrap_err();
        assert_eq!(phase_error, fast_error, "{kind:?}");
        assert_eq!(parameters(&by_phase), parameters(&fast), "{kind:?}");
        assert_eq!(by_phase.steps(), fast.steps());
    }
}
