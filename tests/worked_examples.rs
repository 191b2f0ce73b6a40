//! Known-answer tests: the worked examples of `../shared/examples/README.md`, reproduced to 1e-9.

mod common;

use backprop_viz::{Activation, Loss, ParamRef, Phase, Reduction, Split, Trainer};
use common::{assert_close, config, given_layer, XOR_INPUTS, XOR_TARGETS};

/// Example 1: the chain rule on one path, 1 → 1 → 1 sigmoid, x = 0.5, w1 = 0.4, w2 = 0.6, y = 1.
fn one_path() -> Trainer {
    let layers =
        vec![given_layer(Activation::Sigmoid, vec![vec![0.4]]), given_layer(Activation::Sigmoid, vec![vec![0.6]])];
    let mut trainer = Trainer::new(config(1, layers, Loss::SquaredError, Reduction::Mean, 0.1, 1)).unwrap();
    trainer.set_data(Split::Train, vec![0.5], vec![1.0]).unwrap();
    trainer
}

#[test]
fn chain_rule_on_one_path_phase_by_phase() {
    let mut trainer = one_path();
    assert_eq!(trainer.step_phase().unwrap(), Phase::Forward(0));
    assert_close(trainer.network().layers[0].activations[0], 0.549833997312478, 1e-9, "h = σ(w1·x)");
    assert_eq!(trainer.step_phase().unwrap(), Phase::Forward(1));
    assert_close(trainer.network().layers[1].activations[0], 0.581735142037886, 1e-9, "ŷ = σ(w2·h)");
    assert_eq!(trainer.step_phase().unwrap(), Phase::Loss);
    assert_close(trainer.network().loss_value, 0.08747274570303369, 1e-9, "L");
    assert_eq!(trainer.step_phase().unwrap(), Phase::Backward(1));
    assert_close(trainer.network().layers[1].grad_weights[0], -0.055957672744995204, 1e-9, "dL/dw2");
    assert_eq!(trainer.step_phase().unwrap(), Phase::Backward(0));
    assert_close(trainer.network().layers[0].grad_weights[0], -0.007557072557793297, 1e-9, "dL/dw1");
    assert_eq!(trainer.step_phase().unwrap(), Phase::Update);
    // w ← w − η · dL/dw with η = 0.1
    assert_close(trainer.network().layers[1].weights[0], 0.6 + 0.1 * 0.055957672744995204, 1e-9, "w2 after the update");
    assert_close(trainer.network().layers[0].weights[0], 0.4 + 0.1 * 0.007557072557793297, 1e-9, "w1 after the update");
}

#[test]
fn chain_rule_factors_multiply_to_the_published_gradients() {
    let mut trainer = one_path();
    for _ in 0..5 {
        trainer.step_phase().unwrap(); // forward, forward, loss, backward, backward: no update yet
    }
    let w2 = trainer.chain_rule(ParamRef { layer: 1, neuron: 0, input: Some(0) }, 0).unwrap();
    assert!(w2.is_output);
    assert_close(w2.a_prev, 0.549833997312478, 1e-9, "a_prev of w2 is h");
    assert_close(w2.grad_activation, 0.581735142037886 - 1.0, 1e-9, "dL/dŷ = ŷ − y");
    assert_close(w2.delta, w2.grad_activation * w2.d_activation, 1e-15, "δ2 = dL/dŷ · σ'(z2)");
    assert_close(w2.sample_gradient, -0.055957672744995204, 1e-9, "dL/dw2 = δ2 · h");
    assert_close(w2.batch_gradient, -0.055957672744995204, 1e-9, "batch of one");

    let w1 = trainer.chain_rule(ParamRef { layer: 0, neuron: 0, input: Some(0) }, 0).unwrap();
    assert!(!w1.is_output);
    assert_eq!(w1.a_prev, 0.5);
    assert_eq!(w1.downstream.len(), 1);
    assert_eq!(w1.downstream[0].weight, 0.6);
    assert_eq!(w1.downstream[0].delta, w2.delta);
    assert_close(w1.delta, w1.d_activation * 0.6 * w2.delta, 1e-15, "δ1 = σ'(z1) · w2 · δ2");
    assert_close(w1.sample_gradient, -0.007557072557793297, 1e-9, "dL/dw1 = δ1 · x");
}

/// Example 2: XOR, 2 → 2 → 1 sigmoid without biases, summed loss, full batch, η = 0.5.
/// Expected numbers from tests/reference/xor_no_bias.py (plain Python doubles, textbook formulas).
#[test]
fn xor_without_biases_follows_the_reference_trajectory() {
    let w1 = [[0.417022004702574, 0.7203244934421581], [0.00011437481734488664, 0.30233257263183977]];
    let w2 = [0.14675589081711304, 0.0923385947687978];
    // The example writes W1[i][j] (input i → hidden j); the engine takes weights[j][i].
    let hidden = vec![vec![w1[0][0], w1[1][0]], vec![w1[0][1], w1[1][1]]];
    let layers = vec![given_layer(Activation::Sigmoid, hidden), given_layer(Activation::Sigmoid, vec![w2.to_vec()])];
    let mut trainer = Trainer::new(config(2, layers, Loss::SquaredError, Reduction::Sum, 0.5, 4)).unwrap();
    trainer.set_data(Split::Train, XOR_INPUTS.to_vec(), XOR_TARGETS.to_vec()).unwrap();

    // (step, outputs, loss, first-layer weights, second-layer weights)
    type Checkpoint = (u32, [f64; 4], f64, [f64; 4], [f64; 2]);
    let checkpoints: [Checkpoint; 4] = [
        (
            1,
            [0.5274078925274026, 0.5289458238169739, 0.5344550050364272, 0.5357404127239435],
            0.50190052708046,
            [0.416688604243518, 0.7202900897580344, -9.903443852807411e-05, 0.3024455645087312],
            [0.1371976318952507, 0.08228551689541347],
        ),
        (
            100,
            [0.5011367530243732, 0.501251550592097, 0.5014767705703616, 0.5015729073570251],
            0.49999442634706703,
            [0.41439397977730225, 0.7199294875963222, -9.113767968626274e-05, 0.3024208248071152],
            [0.0029733557698721283, 0.0061206840936500195],
        ),
        (
            1000,
            [0.4771849566803282, 0.5401344212712922, 0.51175482042213, 0.5349285099791266],
            0.4818568497755056,
            [0.5830389480413115, 1.6142801339940418, 0.044189864511970885, 1.4409405344730446],
            [-1.037027759289296, 0.8543805787482261],
        ),
        (
            5000,
            [0.10283162432276878, 0.8365766583400569, 0.8365751788814939, 0.21555386527718434],
            0.0552263362768559,
            [0.865463013366155, 6.680936190003376, 0.8654238372573876, 6.673203877639194],
            [-20.20651918194588, 15.874217944112049],
        ),
    ];
    let mut done = 0;
    for (epoch, outputs, loss, w1, w2) in checkpoints {
        trainer.train(epoch - done).unwrap();
        done = epoch;
        assert_eq!(trainer.epochs(), u64::from(epoch));
        let probe = trainer.probe(&XOR_INPUTS).unwrap();
        for (s, expected) in outputs.iter().enumerate() {
            assert_close(probe.activations[1][s], *expected, 1e-9, &format!("epoch {epoch}: output {s}"));
        }
        assert_close(trainer.dataset_loss(Split::Train).unwrap(), loss, 1e-9, &format!("epoch {epoch}: loss"));
        let layers = &trainer.network().layers;
        // Back to the example's W1[i][j] order: [W1[0][0], W1[0][1], W1[1][0], W1[1][1]].
        let hidden = [layers[0].weights[0], layers[0].weights[2], layers[0].weights[1], layers[0].weights[3]];
        for (k, (got, expected)) in hidden.iter().zip(w1).enumerate() {
            assert_close(*got, expected, 1e-9, &format!("epoch {epoch}: W1 entry {k}"));
        }
        for (k, (got, expected)) in layers[1].weights.iter().zip(w2).enumerate() {
            assert_close(*got, expected, 1e-9, &format!("epoch {epoch}: W2[{k}]"));
        }
    }
    // The lesson: without biases the (0,0) point cannot reach its target, since h = σ(0) there.
    let outputs = trainer.probe(&XOR_INPUTS).unwrap().activations[1].clone();
    assert!(outputs[0] > 0.1 && outputs[3] > 0.2, "{outputs:?}");
}

/// The 2 → 2 → 2 sigmoid example of M. Mazur, "A Step by Step Backpropagation Example" (2015):
/// x = (0.05, 0.10), y = (0.01, 0.99), w1…w8 = 0.15, 0.20, 0.25, 0.30, 0.40, 0.45, 0.50, 0.55,
/// biases 0.35 (hidden) and 0.60 (output), η = 0.5. Its values are printed to 8 or 9 decimals.
#[test]
fn the_two_two_two_worked_example_matches_its_published_numbers() {
    use backprop_viz::LayerConfig;
    let layer = |weights: Vec<Vec<f64>>, bias: f64| LayerConfig {
        biases: Some(vec![bias; 2]),
        ..LayerConfig { bias: true, ..given_layer(Activation::Sigmoid, weights) }
    };
    let layers = vec![
        layer(vec![vec![0.15, 0.20], vec![0.25, 0.30]], 0.35),
        layer(vec![vec![0.40, 0.45], vec![0.50, 0.55]], 0.60),
    ];
    let mut trainer = Trainer::new(config(2, layers, Loss::SquaredError, Reduction::Mean, 0.5, 1)).unwrap();
    trainer.set_data(Split::Train, vec![0.05, 0.10], vec![0.01, 0.99]).unwrap();
    trainer.step().unwrap();
    let net = trainer.network();
    // Each value as printed; the tolerance is half a unit in its last printed decimal.
    for (got, printed, what) in [
        (net.layers[0].activations[0], "0.593269992", "out h1"),
        (net.layers[0].activations[1], "0.596884378", "out h2"),
        (net.layers[1].activations[0], "0.75136507", "out o1"),
        (net.layers[1].activations[1], "0.772928465", "out o2"),
        (net.loss_value, "0.298371109", "E total"),
        (net.layers[1].weights[0], "0.35891648", "w5 after"),
        (net.layers[1].weights[1], "0.408666186", "w6 after"),
        (net.layers[1].weights[2], "0.511301270", "w7 after"),
        (net.layers[1].weights[3], "0.561370121", "w8 after"),
        (net.layers[0].weights[0], "0.149780716", "w1 after"),
        (net.layers[0].weights[1], "0.19956143", "w2 after"),
        (net.layers[0].weights[2], "0.24975114", "w3 after"),
        (net.layers[0].weights[3], "0.29950229", "w4 after"),
    ] {
        let decimals = printed.len() - 2;
        let half_unit = 0.5 * 10f64.powi(-(decimals as i32));
        assert_close(got, printed.parse().unwrap(), half_unit + 1e-15, what);
    }
}
