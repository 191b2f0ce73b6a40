//! Convolution, pooling and flatten wired into `Network`: finite-difference checks through the
//! trainer for every combination of the layers' options, agreement with the self-contained
//! kernels of `layers` (an independent implementation, with its own padded copy and δ frame),
//! training, the divergence guard, the model file and the views that refuse them.

mod common;

use backprop_viz::config::{LayerConfig, NetworkConfig};
use backprop_viz::layers::convolution::{Convolution, ConvolutionConfig, Padding};
use backprop_viz::layers::kind::LayerKind;
use backprop_viz::layers::pooling::{PoolKind, Pooling, PoolingConfig};
use backprop_viz::layers::{Dimensions, Shape};
use backprop_viz::rng::Rng;
use backprop_viz::{
    Activation, Initializer, InitializerKind, Loss, OptimizerConfig, OptimizerKind, ParamRef, Phase, Reduction, Split,
    Trainer,
};
use common::{outputs_for, random_targets};

const ELEMENT_WISE: [Activation; 5] =
    [Activation::Tanh, Activation::Sigmoid, Activation::Identity, Activation::LeakyRelu, Activation::Relu];

fn conv(dimensions: Dimensions, kernel_size: usize, channels: usize, padding: Padding, f: Activation) -> LayerConfig {
    LayerConfig::of_kind(LayerKind::Convolution { dimensions, kernel_size, channels, padding }, f)
}

fn pool(dimensions: Dimensions, pool: PoolKind, size: usize) -> LayerConfig {
    LayerConfig::of_kind(LayerKind::Pooling { dimensions, pool, size }, Activation::Identity)
}

fn flatten() -> LayerConfig {
    LayerConfig::of_kind(LayerKind::Flatten, Activation::Identity)
}

/// One combination of options for the network conv → pool → flatten → (dense) → dense output.
#[derive(Clone, Copy, Debug)]
struct Case {
    dimensions: Dimensions,
    padding: Padding,
    in_channels: usize,
    out_channels: usize,
    pool: PoolKind,
    kernel_size: usize,
    activation: Activation,
    /// A dense hidden layer between the flatten and the output layer.
    dense_hidden: bool,
    bias: bool,
}

impl Case {
    fn input_shape(&self) -> Shape {
        match self.dimensions {
            Dimensions::One => Shape::one_d(self.in_channels, 7),
            Dimensions::Two => Shape::two_d(self.in_channels, 6, 6),
        }
    }

    fn config(&self, output: Activation, loss: Loss, reduction: Reduction, seed: u32) -> NetworkConfig {
        let shape = self.input_shape();
        let mut layers = vec![
            LayerConfig {
                bias: self.bias,
                ..conv(self.dimensions, self.kernel_size, self.out_channels, self.padding, self.activation)
            },
            pool(self.dimensions, self.pool, 2),
        ];
        // One channel of a signal is already the vector a dense layer takes (and a flatten
        // layer refuses it).
        if self.dimensions == Dimensions::Two || self.out_channels > 1 {
            layers.push(flatten());
        }
        if self.dense_hidden {
            layers.push(LayerConfig::new(3, Activation::Tanh));
        }
        let outputs = if output == Activation::Softmax { 3 } else { 2 };
        layers.push(LayerConfig::new(outputs, output));
        NetworkConfig {
            inputs: shape.len(),
            input_shape: Some(shape),
            layers,
            loss,
            reduction,
            initializer: Initializer { kind: InitializerKind::Uniform, low: -1.0, high: 1.0, value: 0.0 },
            batch_size: 3,
            seed,
            ..NetworkConfig::default()
        }
    }
}

/// Every combination of the convolution's options (1-D and 2-D, valid and same padding, one and
/// several channels in and out) with max and average pooling.
fn every_case() -> Vec<Case> {
    let mut cases = Vec::new();
    for dimensions in [Dimensions::One, Dimensions::Two] {
        for padding in [Padding::Valid, Padding::Same] {
            for in_channels in [1, 2] {
                for out_channels in [1, 3] {
                    for pool in [PoolKind::Max, PoolKind::Average] {
                        let k = cases.len();
                        cases.push(Case {
                            dimensions,
                            padding,
                            in_channels,
                            out_channels,
                            pool,
                            // An even kernel puts same padding's extra zero after the input.
                            kernel_size: if k % 3 == 2 { 2 } else { 3 },
                            activation: ELEMENT_WISE[k % ELEMENT_WISE.len()],
                            dense_hidden: k % 2 == 1,
                            bias: k % 4 != 3,
                        });
                    }
                }
            }
        }
    }
    cases
}

/// The relative error (floor 1e-4) of the finite-difference check through the trainer: after two
/// steps away from the initial point, on a fresh batch.
fn check(case: Case, output: Activation, loss: Loss, reduction: Reduction, seed: u32) -> bool {
    let config = case.config(output, loss, reduction, seed);
    let (inputs, outputs) = (config.inputs, config.output_units());
    let mut trainer = Trainer::new(config).unwrap();
    let mut rng = Rng::new(seed + 7);
    let rows = 5;
    let x: Vec<f64> = (0..rows * inputs).map(|_| rng.uniform(-2.0, 2.0)).collect();
    trainer.set_data(Split::Train, x, random_targets(loss, rows, outputs, &mut rng)).unwrap();
    trainer.train(2).unwrap();
    let report = trainer.gradient_check().unwrap();
    assert!(report.max_relative_error < 1e-6, "{case:?}, {output:?} output, {loss:?}, {reduction:?}: {report:?}");
    assert_eq!(report.parameters_checked, trainer.network().parameter_count(), "{case:?}");
    // Whether the kernel's gradient was checked too, not only the dense head's (a dead relu
    // output layer passes no gradient back at all).
    trainer.network().layers[0].grad_weights.iter().any(|&g| g != 0.0)
}

#[test]
fn every_convolution_and_pooling_option_matches_finite_differences_through_the_trainer() {
    let cases = every_case();
    assert_eq!(cases.len(), 2 * 2 * 2 * 2 * 2);
    let (mut checked, mut kernels_reached) = (0, 0);
    for (k, case) in cases.into_iter().enumerate() {
        for loss in Loss::ALL {
            // Every output activation the loss takes, one per case in turn.
            let outputs = outputs_for(loss);
            let output = outputs[k % outputs.len()];
            let reduction = if k % 2 == 0 { Reduction::Mean } else { Reduction::Sum };
            kernels_reached += usize::from(check(case, output, loss, reduction, 100 * k as u32 + checked));
            checked += 1;
        }
    }
    assert_eq!(checked, 32 * 3);
    assert!(kernels_reached >= 90, "only {kernels_reached} of the checks reached a kernel");
}

#[test]
fn stacked_convolutions_and_a_flatten_without_pooling_match_finite_differences() {
    // conv → conv → flatten → dense: δ carried back through a kernel into another kernel, and
    // pooling → conv: δ carried back through a convolution into the pooling's windows.
    for (dimensions, shape) in [(Dimensions::Two, Shape::two_d(2, 6, 6)), (Dimensions::One, Shape::one_d(2, 9))] {
        for layers in [
            vec![
                conv(dimensions, 3, 2, Padding::Same, Activation::Tanh),
                conv(dimensions, 2, 3, Padding::Valid, Activation::Sigmoid),
                flatten(),
                LayerConfig::new(2, Activation::Identity),
            ],
            vec![
                pool(dimensions, PoolKind::Max, 2),
                conv(dimensions, 2, 2, Padding::Same, Activation::LeakyRelu),
                pool(dimensions, PoolKind::Average, 2),
                flatten(),
                LayerConfig::new(2, Activation::Sigmoid),
            ],
        ] {
            let config = NetworkConfig {
                inputs: shape.len(),
                input_shape: Some(shape),
                layers,
                loss: Loss::SquaredError,
                batch_size: 4,
                seed: 5,
                ..NetworkConfig::default()
            };
            let mut trainer = Trainer::new(config).unwrap();
            let mut rng = Rng::new(3);
            let x: Vec<f64> = (0..6 * shape.len()).map(|_| rng.uniform(-1.0, 1.0)).collect();
            trainer.set_data(Split::Train, x, random_targets(Loss::SquaredError, 6, 2, &mut rng)).unwrap();
            trainer.train(3).unwrap();
            let report = trainer.gradient_check().unwrap();
            assert!(report.max_relative_error < 1e-6, "{dimensions:?}: {report:?}");
            assert_eq!(report.parameters_checked, trainer.network().parameter_count());
        }
    }
}

/// Runs every phase of one step but the update.
fn forward_and_backward(trainer: &mut Trainer) {
    while trainer.next_phase() != Phase::Update {
        trainer.step_phase().unwrap();
    }
}

#[test]
fn the_network_computes_what_the_self_contained_kernels_compute() {
    // conv (same) → conv (valid) → max pool → flatten → dense, several channels: every z, a, δ,
    // dL/dK and dL/db of the network's convolution layers, and the dL/dx the second carries
    // back, against `Convolution` (which pads a copy and frames δ with zeros), and the pooling
    // layer against `Pooling`: on images with an odd and an even first kernel (same padding's
    // extra zero after the input), and on a signal.
    for (dimensions, input, k1) in [
        (Dimensions::Two, Shape::two_d(2, 6, 6), 3),
        (Dimensions::Two, Shape::two_d(2, 6, 6), 2),
        (Dimensions::One, Shape::one_d(2, 9), 4),
    ] {
        agrees_with_the_self_contained_kernels(dimensions, input, k1);
    }
}

fn agrees_with_the_self_contained_kernels(dimensions: Dimensions, input: Shape, k1: usize) {
    let config = NetworkConfig {
        inputs: input.len(),
        input_shape: Some(input),
        layers: vec![
            conv(dimensions, k1, 3, Padding::Same, Activation::Tanh),
            conv(dimensions, 2, 2, Padding::Valid, Activation::LeakyRelu),
            pool(dimensions, PoolKind::Max, 2),
            flatten(),
            LayerConfig::new(3, Activation::Softmax),
        ],
        loss: Loss::SoftmaxCrossEntropy,
        batch_size: 3,
        shuffle: false,
        seed: 9,
        ..NetworkConfig::default()
    };
    let mut trainer = Trainer::new(config).unwrap();
    let mut rng = Rng::new(4);
    let x: Vec<f64> = (0..3 * input.len()).map(|_| rng.uniform(-1.0, 1.0)).collect();
    trainer.set_data(Split::Train, x.clone(), random_targets(Loss::SoftmaxCrossEntropy, 3, 3, &mut rng)).unwrap();
    forward_and_backward(&mut trainer);
    let n = trainer.network();
    let scale = 1.0 / 3.0; // the mean over a batch of 3
    let mut layer_input = x;
    let mut kernels = Vec::new();
    for (l, out_channels, kernel_size, padding, activation) in
        [(0, 3, k1, Padding::Same, Activation::Tanh), (1, 2, 2, Padding::Valid, Activation::LeakyRelu)]
    {
        let layer = &n.layers[l];
        let mut c = Convolution::new(ConvolutionConfig {
            dimensions,
            input: layer.input_shape,
            out_channels,
            kernel_size,
            padding,
            activation,
        })
        .unwrap();
        c.kernel.clone_from(&layer.weights);
        c.bias.clone_from(&layer.biases);
        c.forward(&layer_input, 1).unwrap();
        assert_eq!(c.output, layer.output_shape);
        assert_eq!(c.pre_activation, layer.pre_activation, "z of layer {l}");
        assert_eq!(c.activations, layer.activations, "a of layer {l}");
        c.backward(&layer.grad_activation, scale, 1).unwrap();
        assert_eq!(c.delta, layer.delta, "δ of layer {l}");
        assert_eq!(c.grad_kernel, layer.grad_weights, "dL/dK of layer {l}");
        assert_eq!(c.grad_bias, layer.grad_biases, "dL/db of layer {l}");
        layer_input.clone_from(&layer.activations);
        kernels.push(c);
    }
    // dL/dx of the second convolution (the full convolution of δ with the flipped kernel) is
    // dL/da of the first.
    assert_eq!(kernels[1].grad_input, n.layers[0].grad_activation);
    let mut p =
        Pooling::new(PoolingConfig { dimensions, input: n.layers[2].input_shape, window: 2, kind: PoolKind::Max })
            .unwrap();
    p.forward(&n.layers[1].activations, 1).unwrap();
    assert_eq!(p.pooled, n.layers[2].activations);
    p.backward(&n.layers[2].delta, 1).unwrap();
    assert_eq!(p.grad_input, n.layers[1].grad_activation);
    // Flatten moves no number.
    assert_eq!(n.layers[3].activations, n.layers[2].activations);
    assert_eq!(n.layers[3].delta, n.layers[2].grad_activation);
}

/// The 8×8 digits as 1 × 8 × 8 images, `limit` of them, 10 classes.
fn digits(limit: usize) -> (Vec<f64>, Vec<f64>) {
    let data =
        backprop_viz::data::Data::from_digits(include_bytes!("../www/data/digits.bin"), 0.0, 5, Some(limit)).unwrap();
    (data.inputs(Split::Train).unwrap(), data.targets(Split::Train, 10).unwrap())
}

/// input 1×8×8 → convolution 3×3, 4 channels, valid → max pool 2 → flatten → dense 10 softmax.
fn digits_cnn(seed: u32) -> NetworkConfig {
    NetworkConfig {
        inputs: 64,
        input_shape: Some(Shape::two_d(1, 8, 8)),
        layers: vec![
            conv(Dimensions::Two, 3, 4, Padding::Valid, Activation::Relu),
            pool(Dimensions::Two, PoolKind::Max, 2),
            flatten(),
            LayerConfig::new(10, Activation::Softmax),
        ],
        loss: Loss::SoftmaxCrossEntropy,
        optimizer: OptimizerConfig { kind: OptimizerKind::Adam, learning_rate: 0.01, ..OptimizerConfig::default() },
        batch_size: 10,
        seed,
        ..NetworkConfig::default()
    }
}

#[test]
fn a_small_cnn_learns_the_digits() {
    let (x, y) = digits(100);
    let mut trainer = Trainer::new(digits_cnn(1)).unwrap();
    trainer.set_data(Split::Train, x, y).unwrap();
    let before = trainer.dataset_loss(Split::Train).unwrap();
    trainer.train(300).unwrap();
    let after = trainer.dataset_loss(Split::Train).unwrap();
    assert!(after < 0.25 * before, "the training loss went from {before} to {after}");
    // Stepping phase by phase gives the very numbers of training fast.
    let mut fast = trainer.clone();
    fast.train(1).unwrap();
    while trainer.step_phase().unwrap() != Phase::Update {}
    assert_eq!(common::parameters(&fast), common::parameters(&trainer));
}

#[test]
fn a_kernel_weight_that_overflows_is_refused_by_the_divergence_guard() {
    let (x, y) = digits(20);
    let mut trainer = Trainer::new(digits_cnn(2)).unwrap();
    trainer.set_data(Split::Train, x, y).unwrap();
    trainer.train(3).unwrap();
    let kernel_weight = ParamRef { layer: 0, neuron: 1, input: Some(4) };
    // z = 1e308 · x + 1e308 overflows wherever the kernel's centre meets a pixel near 1.
    trainer.set_parameter(kernel_weight, 1e308).unwrap();
    trainer.set_parameter(ParamRef { layer: 0, neuron: 1, input: None }, 1e308).unwrap();
    let kept = common::parameters(&trainer);
    let e = trainer.train(1).unwrap_err();
    assert_eq!(e.kind(), "diverged");
    assert!(e.to_string().contains("z or a of layer 1 (hidden) became infinite or NaN"), "{e}");
    assert_eq!(common::parameters(&trainer), kept);
    let conv = &trainer.network().layers[0];
    assert!(conv.pre_activation.iter().chain(&conv.activations).all(|&v| v == 0.0), "no NaN stays drawn");
    // A kernel weight is named by output channel and kernel position.
    let e = trainer.set_parameter(ParamRef { layer: 0, neuron: 4, input: Some(0) }, 1.0).unwrap_err();
    assert!(e.to_string().contains("layer 1 (hidden) has no output channel 4 (it has 4)"), "{e}");
    let e = trainer.set_parameter(ParamRef { layer: 0, neuron: 0, input: Some(9) }, 1.0).unwrap_err();
    assert!(e.to_string().contains("has no kernel weight 9 (it has 9)"), "{e}");
    let e = trainer.set_parameter(ParamRef { layer: 1, neuron: 0, input: None }, 1.0).unwrap_err();
    assert!(e.to_string().contains("layer 2 (hidden) is a pooling layer: it has no weights"), "{e}");
}

#[test]
fn a_conv_network_round_trips_through_the_model_file_bit_for_bit() {
    let (x, y) = digits(40);
    let mut trainer = Trainer::new(digits_cnn(3)).unwrap();
    trainer.set_data(Split::Train, x.clone(), y).unwrap();
    trainer.train(20).unwrap();
    let text = trainer.export_model_json();
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    let layers = &value["network"]["layers"];
    assert_eq!(layers[0]["kind"]["type"], "convolution");
    assert_eq!(layers[0]["weights"].as_array().unwrap().len(), 4, "one kernel per output channel");
    assert_eq!(layers[0]["weights"][0].as_array().unwrap().len(), 9);
    assert!(layers[1].get("weights").is_none() && layers[1].get("biases").is_none(), "{}", layers[1]);
    let mut imported = Trainer::from_model_json(&text).unwrap();
    assert_eq!(common::parameters(&imported), common::parameters(&trainer));
    assert_eq!(imported.export_model_json(), text);
    let bits = |t: &mut Trainer| -> Vec<u64> {
        t.probe(&x).unwrap().activations.iter().flatten().map(|v| v.to_bits()).collect()
    };
    assert_eq!(bits(&mut imported), bits(&mut trainer), "every layer's outputs, bit for bit");
}

#[test]
fn views_that_know_dense_layers_only_refuse_a_conv_layer_by_name() {
    let (x, y) = digits(10);
    let mut trainer = Trainer::new(digits_cnn(4)).unwrap();
    trainer.set_data(Split::Train, x, y).unwrap();
    trainer.train(1).unwrap();
    let e = trainer.chain_rule(ParamRef { layer: 0, neuron: 0, input: Some(0) }, 0).unwrap_err();
    assert!(
        e.to_string().contains(
            "the chain rule of a weight shows dense layers only, and layer 1 (hidden) is a convolution layer"
        ),
        "{e}"
    );
    // The dense output layer after the flatten still explains its weights.
    let rule = trainer.chain_rule(ParamRef { layer: 3, neuron: 2, input: Some(5) }, 0).unwrap();
    assert_eq!(rule.batch_gradient, trainer.network().layers[3].grad_weights[2 * 36 + 5]);
    let e = trainer.network().dense_only("the computation graph", 0..4).unwrap_err();
    assert!(e.to_string().contains("layer 1 (hidden) is a convolution layer"), "{e}");
}

/// The digits lesson's session with the small CNN instead of its dense network, on 200 digits.
fn cnn_session() -> backprop_viz::session::Session {
    let mut settings = backprop_viz::presets::lesson("digits").unwrap().session;
    settings.lesson = None;
    // The lesson leaves the features empty (pixels need none), which a link does not carry
    // (a link of the digits lesson itself warns about it): the page's default ones are unused.
    settings.features = backprop_viz::settings::Settings::default().features;
    settings.data.points = 200;
    settings.network = NetworkConfig { batch_size: 20, ..digits_cnn(6) };
    backprop_viz::session::Session::from_settings(settings, None).unwrap()
}

#[test]
fn a_share_link_carries_the_layer_kinds_the_input_shape_and_the_kernels() {
    use backprop_viz::share::{decode, encode, Extras};
    let mut sender = cnn_session();
    sender.train(15).unwrap();
    let link = sender.link();
    assert!(
        link.query
            .contains("layers=conv2d-k3-c4-valid%3Arelu%2Cpool2d-max-2%3Aidentity%2Cflatten%3Aidentity%2C10%3Asoftmax")
            || link.query.contains("layers=conv2d-k3-c4-valid:relu,pool2d-max-2:identity,flatten:identity,10:softmax"),
        "{}",
        &link.query[..400.min(link.query.len())]
    );
    assert!(link.query.contains("shape=1x8x8"), "{}", link.query);
    let mut student = backprop_viz::session::Session::new();
    let outcome = student.open_link(&link.query);
    assert!(outcome.warnings.is_empty(), "{:?}", outcome.warnings);
    let (a, b) = (student.settings().network.clone(), sender.settings().network.clone());
    assert_eq!(a.input_shape, Some(Shape::two_d(1, 8, 8)));
    assert_eq!(
        a.layers.iter().map(|l| l.kind).collect::<Vec<_>>(),
        b.layers.iter().map(|l| l.kind).collect::<Vec<_>>()
    );
    assert_eq!(
        common::parameters(student.trainer()),
        common::parameters(sender.trainer()),
        "kernels and weights, bit for bit"
    );
    // The settings alone (no weights) round trip through the link's text exactly.
    let mut settings = sender.settings().clone();
    settings.network.layers.iter_mut().for_each(|l| (l.weights, l.biases) = (None, None));
    let decoded = decode(&encode(&settings, &Extras::default()));
    assert_eq!(decoded.warnings, Vec::<String>::new());
    assert_eq!(decoded.settings, settings);
}

#[test]
fn a_link_with_a_layer_kind_it_cannot_read_falls_back_with_a_warning() {
    use backprop_viz::share::decode;
    let d = decode("problem=digits&shape=1x8x8&layers=conv3d-k3-c4-valid:relu,flatten:identity,10:softmax");
    assert!(d.warnings.iter().any(|w| w.contains("not a layer kind")), "{:?}", d.warnings);
    let d = decode("problem=digits&shape=1x8&layers=10:softmax");
    assert!(d.warnings.iter().any(|w| w.contains("shape=1x8: not channels×height×width")), "{:?}", d.warnings);
}

#[test]
fn the_readme_example_config_of_the_layer_kinds_trains() {
    let readme = include_str!("../README.md");
    let section = &readme[readme.find("### Layer kinds").expect("the README describes the layer kinds")..];
    let start = section.find("```json\n").unwrap() + "```json\n".len();
    let json = &section[start..start + section[start..].find("```").unwrap()];
    let config = NetworkConfig::from_json(json).unwrap();
    assert_eq!(config, NetworkConfig { seed: 0, batch_size: 10, ..digits_cnn(0) });
    let (x, y) = digits(30);
    let mut trainer = Trainer::new(config).unwrap();
    trainer.set_data(Split::Train, x, y).unwrap();
    assert!(trainer.train(5).unwrap().is_finite());
}

#[test]
fn a_saved_training_state_of_a_conv_network_restores_and_replays_bit_for_bit() {
    use backprop_viz::snapshot::TrainerState;
    let (x, y) = digits(30);
    let mut trainer = Trainer::new(digits_cnn(8)).unwrap();
    trainer.set_data(Split::Train, x, y).unwrap();
    trainer.train(4).unwrap();
    trainer.step_phase().unwrap(); // part-way into a step
    let bytes = trainer.snapshot().encode();
    let mut restored = trainer.clone();
    restored.reset(Some(99));
    restored.restore(&TrainerState::decode(&bytes).unwrap()).unwrap();
    trainer.train(6).unwrap();
    restored.train(6).unwrap();
    assert_eq!(common::parameters(&restored), common::parameters(&trainer));
    let (a, b) = (&restored.network().layers[0], &trainer.network().layers[0]);
    assert_eq!((&a.delta, &a.grad_weights), (&b.delta, &b.grad_weights));
}

#[test]
fn the_session_refuses_the_computation_graph_of_a_conv_network_by_name() {
    let mut s = cnn_session();
    s.train(1).unwrap();
    let e = s.computation_graph(0).unwrap_err();
    assert!(
        e.to_string()
            .contains("the computation graph shows dense layers only, and layer 1 (hidden) is a convolution layer"),
        "{e}"
    );
    let e = s.chain_rule(ParamRef { layer: 0, neuron: 0, input: Some(0) }).unwrap_err();
    assert!(e.to_string().contains("dense layers only"), "{e}");
}

#[test]
fn a_kernel_weights_chain_rule_lists_every_position_and_sums_to_its_gradient() {
    use backprop_viz::layers::convolution::KernelWeight;
    // Same padding, so some positions meet a padding zero; two convolutions, so the second's
    // input is the first's output.
    let input = Shape::two_d(2, 5, 5);
    let config = NetworkConfig {
        inputs: input.len(),
        input_shape: Some(input),
        layers: vec![
            conv(Dimensions::Two, 3, 2, Padding::Same, Activation::Tanh),
            conv(Dimensions::Two, 2, 2, Padding::Same, Activation::Sigmoid),
            pool(Dimensions::Two, PoolKind::Average, 2),
            flatten(),
            LayerConfig::new(2, Activation::Identity),
        ],
        batch_size: 4,
        seed: 12,
        ..NetworkConfig::default()
    };
    let mut trainer = Trainer::new(config).unwrap();
    let mut rng = Rng::new(6);
    let x: Vec<f64> = (0..4 * input.len()).map(|_| rng.uniform(-1.0, 1.0)).collect();
    trainer.set_data(Split::Train, x, random_targets(Loss::SquaredError, 4, 2, &mut rng)).unwrap();
    forward_and_backward(&mut trainer);
    let n = trainer.network();
    for (l, kernel) in [(0, 3), (1, 2)] {
        let layer = &n.layers[l];
        // The self-contained kernel's own explanation, from its own passes, must be the same.
        let mut reference = Convolution::new(ConvolutionConfig {
            dimensions: Dimensions::Two,
            input: layer.input_shape,
            out_channels: 2,
            kernel_size: kernel,
            padding: Padding::Same,
            activation: layer.activation,
        })
        .unwrap();
        reference.kernel.clone_from(&layer.weights);
        reference.bias.clone_from(&layer.biases);
        let layer_input = if l == 0 { n.batch_input.clone() } else { n.layers[l - 1].activations.clone() };
        reference.forward(&layer_input, 1).unwrap();
        reference.backward(&layer.grad_activation, 0.25, 1).unwrap();
        for (o, c, u, v) in [(0, 0, 0, 0), (1, 1, kernel - 1, kernel - 1), (1, 0, 1, 0)] {
            let weight = KernelWeight { out_channel: o, in_channel: c, row: u, column: v };
            let rule = trainer.kernel_chain_rule(l, weight).unwrap();
            assert_eq!(rule, reference.explain_weight(weight).unwrap(), "layer {l}, {weight:?}");
            assert_eq!(rule.terms.len(), 4 * layer.output_shape.height * layer.output_shape.width);
            // With same padding the output is as large as the input, so every weight but the
            // kernel's centre ((k − 1)/2 in each axis) meets a padding zero somewhere.
            let centre = (kernel - 1) / 2;
            assert_eq!(rule.terms.iter().any(|t| t.in_padding), (u, v) != (centre, centre), "{weight:?}");
            assert!(rule.terms.iter().filter(|t| t.in_padding).all(|t| t.input == 0.0 && t.term == 0.0));
            assert_eq!(rule.gradient, layer.grad_weights[reference.kernel_index(weight)], "bit for bit");
            assert_eq!(rule.scale, 0.25);
        }
    }
    let weight = KernelWeight { out_channel: 0, in_channel: 0, row: 0, column: 0 };
    let e = trainer.kernel_chain_rule(2, weight).unwrap_err();
    assert!(
        e.to_string().contains("layer 3 (hidden) is a pooling layer: only a convolution has kernel weights"),
        "{e}"
    );
    let e = trainer.kernel_chain_rule(0, KernelWeight { in_channel: 2, ..weight }).unwrap_err();
    assert!(
        e.to_string().contains("the kernel of layer 1 (hidden) is 2 × 2 × 3 × 3: it has no weight (0, 2, 0, 0)"),
        "{e}"
    );
}

#[test]
fn a_convolution_and_a_pooling_over_a_dense_layers_output_match_finite_differences() {
    // A dense layer hands on a signal of one channel, which a 1-D convolution or pooling layer
    // may read: δ then flows from a kernel (or a window) back into dense neurons, with dropout.
    for second in [
        conv(Dimensions::One, 3, 2, Padding::Same, Activation::Tanh),
        pool(Dimensions::One, PoolKind::Max, 2),
        pool(Dimensions::One, PoolKind::Average, 3),
    ] {
        let layers = vec![
            LayerConfig { dropout: 0.3, ..LayerConfig::new(6, Activation::Sigmoid) },
            second,
            conv(Dimensions::One, 2, 2, Padding::Valid, Activation::Identity),
            flatten(),
            LayerConfig::new(2, Activation::Sigmoid),
        ];
        let config = NetworkConfig {
            inputs: 3,
            layers,
            loss: Loss::BinaryCrossEntropy,
            reduction: Reduction::Sum,
            batch_size: 4,
            seed: 21,
            ..NetworkConfig::default()
        };
        let mut trainer = Trainer::new(config).unwrap();
        let mut rng = Rng::new(8);
        let x: Vec<f64> = (0..8 * 3).map(|_| rng.uniform(-2.0, 2.0)).collect();
        trainer.set_data(Split::Train, x, random_targets(Loss::BinaryCrossEntropy, 8, 2, &mut rng)).unwrap();
        trainer.train(3).unwrap();
        assert!(trainer.network().layers[0].dropout_mask.contains(&0.0));
        let report = trainer.gradient_check().unwrap();
        assert!(report.max_relative_error < 1e-6, "{:?}: {report:?}", trainer.config().layers[1].kind);
        assert!(trainer.network().layers[0].grad_weights.iter().any(|&g| g != 0.0));
    }
}

#[allow(dead_code)] // the recurrent layer's numbers are read in tests/recurrent.rs
#[path = "reference/layer_kinds_expected.rs"]
mod expected;

/// The worked convolution of `tests/reference/layer_kinds.py` (plain Python doubles, the
/// gradients taken in the scatter form: 2 × 4 × 5 input, 2 output channels, 3 × 3 kernel, same
/// padding, tanh), now through the network and its trainer: a pooling layer of window 1 (the
/// identity) before it, so its dL/da is the convolution's dL/dx; a flatten and a dense identity
/// output after it whose weights are the script's G with a target one below the output, so
/// that dL/dŷ = 1 and dL/da of the convolution is G.
#[test]
fn the_reference_convolution_is_reproduced_through_the_network() {
    let input = Shape::two_d(2, 4, 5);
    let kernel: Vec<f64> = (0..36).map(|n| 0.5 * (0.3 * n as f64).cos()).collect();
    let g: Vec<f64> = (0..40).map(|n| (0.7 * n as f64).sin()).collect();
    let x: Vec<f64> = (0..40).map(|n| (1.0 + n as f64).sin()).collect();
    let config = NetworkConfig {
        inputs: 40,
        input_shape: Some(input),
        layers: vec![
            pool(Dimensions::Two, PoolKind::Average, 1),
            LayerConfig {
                weights: Some(kernel.chunks(18).map(<[f64]>::to_vec).collect()),
                biases: Some(vec![0.1, -0.2]),
                ..conv(Dimensions::Two, 3, 2, Padding::Same, Activation::Tanh)
            },
            flatten(),
            LayerConfig { bias: false, weights: Some(vec![g.clone()]), ..LayerConfig::new(1, Activation::Identity) },
        ],
        loss: Loss::SquaredError,
        reduction: Reduction::Sum,
        batch_size: 1,
        ..NetworkConfig::default()
    };
    let mut trainer = Trainer::new(config).unwrap();
    let output: f64 = g.iter().zip(&expected::CONV_A).map(|(g, a)| g * a).sum();
    trainer.set_data(Split::Train, x, vec![output - 1.0]).unwrap();
    forward_and_backward(&mut trainer);
    let n = trainer.network();
    let conv = &n.layers[1];
    common::agrees("dL/dŷ", &n.grad_output, &[1.0]);
    common::agrees("z", &conv.pre_activation, &expected::CONV_Z);
    common::agrees("a", &conv.activations, &expected::CONV_A);
    common::agrees("dL/da", &conv.grad_activation, &g);
    common::agrees("δ", &conv.delta, &expected::CONV_DELTA);
    common::agrees("dL/dK", &conv.grad_weights, &expected::CONV_GRAD_KERNEL);
    common::agrees("dL/db", &conv.grad_biases, &expected::CONV_GRAD_BIAS);
    common::agrees("dL/dx", &n.layers[0].grad_activation, &expected::CONV_GRAD_INPUT);
}
