//! Lessons: a network, data, settings and a short text with something to try.
//!
//! A lesson is a `Settings` (what a link would hold) plus, for the textbook examples, the exact
//! samples to train on, and for comparisons the variants to run side by side.

use crate::activation::Activation;
use crate::config::{LayerConfig, NetworkConfig, StopRule};
use crate::edges::EDGE_SIDE;
use crate::features::Feature;
use crate::generators::{DataSpec, Problem};
use crate::initializer::{Initializer, InitializerKind};
use crate::layers::convolution::Padding;
use crate::layers::kind::LayerKind;
use crate::layers::pooling::PoolKind;
use crate::layers::Dimensions;
use crate::loss::{Loss, Reduction};
use crate::optimizer::{OptimizerConfig, OptimizerKind};
use crate::preprocessing::Scaling;
use crate::regularization::{Regularization, RegularizationKind};
use crate::settings::Settings;
use serde::{Deserialize, Serialize};

/// Samples given exactly (inputs and targets per row), used instead of generated points.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Samples {
    pub inputs: Vec<f64>,
    pub targets: Vec<f64>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Variant {
    pub label: String,
    pub session: Settings,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Lesson {
    pub id: &'static str,
    pub title: &'static str,
    pub text: &'static str,
    pub session: Settings,
    pub samples: Option<Samples>,
    /// Configurations to compare side by side (the first is `session` itself).
    pub variants: Vec<Variant>,
    /// Catalogue keys of the settings the lesson card shows beside its text (the learning-rate
    /// lesson's η slider), so that they stay on screen whatever the panel shows.
    pub controls: &'static [&'static str],
}

fn given(activation: Activation, weights: Vec<Vec<f64>>, biases: Option<Vec<f64>>) -> LayerConfig {
    LayerConfig {
        bias: biases.is_some(),
        biases,
        weights: Some(weights.clone()),
        ..LayerConfig::new(weights.len(), activation)
    }
}

fn layers(sizes: &[usize], hidden: Activation, output: Activation) -> Vec<LayerConfig> {
    let mut layers: Vec<LayerConfig> = sizes[..sizes.len() - 1].iter().map(|&n| LayerConfig::new(n, hidden)).collect();
    layers.push(LayerConfig::new(sizes[sizes.len() - 1], output));
    layers
}

/// A 2-D convolution of `maps` shared 3×3 kernels ("valid"), max pooling over `pool` × `pool`
/// windows, a flatten, and a softmax over `classes`: the convolutional lessons' network.
fn convolution_head(maps: usize, activation: Activation, pool: usize, classes: usize) -> Vec<LayerConfig> {
    let convolution =
        LayerKind::Convolution { dimensions: Dimensions::Two, kernel_size: 3, channels: maps, padding: Padding::Valid };
    let pooling = LayerKind::Pooling { dimensions: Dimensions::Two, pool: PoolKind::Max, size: pool };
    vec![
        LayerConfig { kind: convolution, ..LayerConfig::new(0, activation) },
        LayerConfig { kind: pooling, ..LayerConfig::new(0, Activation::Identity) },
        LayerConfig { kind: LayerKind::Flatten, ..LayerConfig::new(0, Activation::Identity) },
        LayerConfig::new(classes, Activation::Softmax),
    ]
}

fn sgd(learning_rate: f64) -> OptimizerConfig {
    OptimizerConfig { kind: OptimizerKind::Sgd, learning_rate, ..OptimizerConfig::default() }
}

fn session(problem: Problem, features: Vec<Feature>, network: NetworkConfig) -> Settings {
    let data = DataSpec { problem, points: 300, noise: 0.0, test_ratio: 0.5, seed: 1, ..DataSpec::default() };
    Settings {
        network: NetworkConfig { inputs: features.len(), ..network },
        data,
        features,
        scaling: Scaling::None,
        target: Default::default(),
        lesson: None,
        points: None,
        view: Default::default(),
    }
}

fn variant(label: &str, base: &Settings, edit: impl Fn(&mut Settings)) -> Variant {
    let mut session = base.clone();
    edit(&mut session);
    Variant { label: label.to_string(), session }
}

/// A variant of `base` under another optimizer (its other settings the defaults).
fn with_optimizer(label: &str, base: &Settings, kind: OptimizerKind, learning_rate: f64) -> Variant {
    variant(label, base, move |s| {
        s.network.optimizer = OptimizerConfig { kind, learning_rate, ..OptimizerConfig::default() }
    })
}

fn textbook(
    inputs: usize,
    layers: Vec<LayerConfig>,
    reduction: Reduction,
    learning_rate: f64,
    batch: usize,
) -> Settings {
    let network = NetworkConfig {
        inputs,
        layers,
        reduction,
        optimizer: sgd(learning_rate),
        batch_size: batch,
        shuffle: false,
        ..NetworkConfig::default()
    };
    let features = if inputs == 1 { vec![Feature::X1] } else { vec![Feature::X1, Feature::X2] };
    Settings { network, features, ..Settings::default() }
}

/// Every lesson, in teaching order.
pub fn lessons() -> Vec<Lesson> {
    let xy = || vec![Feature::X1, Feature::X2];
    let mut all = Vec::new();

    let chain = textbook(
        1,
        vec![given(Activation::Sigmoid, vec![vec![0.4]], None), given(Activation::Sigmoid, vec![vec![0.6]], None)],
        Reduction::Mean,
        0.5,
        1,
    );
    all.push(Lesson {
        id: "chain-rule",
        title: "The chain rule on one path",
        text: "One input x = 0.5, one hidden neuron, one output, target 1. Step one phase at a time: the forward pass gives h = 0.5498 and ŷ = 0.5817, the loss is 0.0875, and going back, dL/dw2 = δ2 · h = −0.0560 and dL/dw1 = δ1 · x = −0.00756. Click each weight to see its gradient as a product of local derivatives.",
        session: chain,
        samples: Some(Samples { inputs: vec![0.5], targets: vec![1.0] }),
        variants: Vec::new(),
        controls: &[],
    });

    let w1 = [[0.417022004702574, 0.7203244934421581], [0.00011437481734488664, 0.30233257263183977]];
    let xor_layers = vec![
        given(Activation::Sigmoid, vec![vec![w1[0][0], w1[1][0]], vec![w1[0][1], w1[1][1]]], None),
        given(Activation::Sigmoid, vec![vec![0.14675589081711304, 0.0923385947687978]], None),
    ];
    // The classic program: full batch, summed loss, η = 0.5, and it stops after 5000 epochs
    // (tests/reference/xor_no_bias.py).
    let mut xor = textbook(2, xor_layers, Reduction::Sum, 0.5, 4);
    xor.network.stop = StopRule { after_epochs: 5000, below_loss: 0.0 };
    let with_biases = variant("with biases", &xor, |s| {
        for l in &mut s.network.layers {
            l.bias = true;
            l.biases = Some(vec![0.0; l.units]);
        }
    });
    all.push(Lesson {
        id: "xor",
        title: "XOR: why neurons need biases",
        text: "A 2→2→1 sigmoid network without biases learns the four XOR points as the classic program does: full batch, summed loss, η = 0.5. Press play: training stops after 5000 epochs with ŷ = 0.10 at (0,0), 0.84 at (0,1) and (1,0), and 0.22 at (1,1). Without a bias every hidden neuron outputs σ(0) = 0.5 at (0,0), so only the output weights can move that point. Run the variant with biases: by the same stop, all four outputs are within 0.1 of their targets.",
        samples: Some(Samples { inputs: vec![0.0, 0.0, 0.0, 1.0, 1.0, 0.0, 1.0, 1.0], targets: vec![0.0, 1.0, 1.0, 0.0] }),
        variants: vec![Variant { label: "without biases".into(), session: xor.clone() }, with_biases],
        session: xor,
        controls: &["stop_epochs"],
    });

    let worked = textbook(
        2,
        vec![
            given(Activation::Sigmoid, vec![vec![0.15, 0.20], vec![0.25, 0.30]], Some(vec![0.35, 0.35])),
            given(Activation::Sigmoid, vec![vec![0.40, 0.45], vec![0.50, 0.55]], Some(vec![0.60, 0.60])),
        ],
        Reduction::Mean,
        0.5,
        1,
    );
    all.push(Lesson {
        id: "worked-example",
        title: "A worked 2→2→2 example",
        text: "The classic worked example (M. Mazur, 2015): inputs 0.05 and 0.10, targets 0.01 and 0.99. Step one phase at a time and check each number against a hand calculation: the total error is 0.298371109, and after one update w5 = 0.35891648.",
        session: worked,
        samples: Some(Samples { inputs: vec![0.05, 0.10], targets: vec![0.01, 0.99] }),
        variants: Vec::new(),
        controls: &[],
    });

    let deep = session(
        Problem::Circle,
        xy(),
        NetworkConfig {
            layers: layers(&[6, 6, 6, 6, 6, 6, 1], Activation::Sigmoid, Activation::Sigmoid),
            optimizer: sgd(0.1),
            initializer: Initializer { kind: InitializerKind::XavierNormal, ..Initializer::default() },
            ..NetworkConfig::default()
        },
    );
    let relu = variant("ReLU", &deep, |s| {
        let last = s.network.layers.len() - 1;
        s.network.layers[..last].iter_mut().for_each(|l| l.activation = Activation::Relu);
        s.network.initializer.kind = InitializerKind::He;
    });
    all.push(Lesson {
        id: "vanishing-gradients",
        title: "Vanishing gradients",
        text: "Six sigmoid layers deep: watch the gradient strip. Each layer multiplies the error by σ'(z) ≤ 0.25, so the first layers barely learn. Switch the hidden layers to ReLU (the variant) and the gradients reach the first layer.",
        variants: vec![Variant { label: "sigmoid".into(), session: deep.clone() }, relu],
        session: deep,
        samples: None,
        controls: &[],
    });

    // Unscaled inputs from −6 to 6 and an identity output: once η is past what the curvature
    // allows, every step overshoots further and the loss grows geometrically until it
    // overflows, from the start and just as well from a trained network. (tanh keeps the
    // hidden layer bounded, so the climb is steady instead of a jump to infinity.)
    let rate = session(
        Problem::Plane,
        xy(),
        NetworkConfig {
            layers: layers(&[4, 1], Activation::Tanh, Activation::Identity),
            optimizer: sgd(0.03),
            ..NetworkConfig::default()
        },
    );
    all.push(Lesson {
        id: "learning-rate",
        title: "A learning rate too high, and too low",
        text: "A 2→4→1 tanh network fits a plane from unscaled inputs (−6 to 6). At η = 0.03 the loss falls steadily. At η = 3 it climbs fast, and once it is 10⁴ times its lowest, a few steps in, training stops with a message and goes back to the last step with a sane loss; raise the slider to 3 while training and a trained network blows up the same way. At η = 0.00001 the loss hardly moves. Find the fastest rate that still converges.",
        variants: vec![
            variant("η = 3 (too high)", &rate, |s| s.network.optimizer.learning_rate = 3.0),
            variant("η = 0.00001 (too low)", &rate, |s| s.network.optimizer.learning_rate = 0.00001),
            variant("η = 0.03 (converges)", &rate, |_| {}),
        ],
        session: rate,
        samples: None,
        controls: &["lr"],
    });

    let mut overfit = session(
        Problem::Gaussians,
        xy(),
        NetworkConfig {
            layers: layers(&[16, 16, 1], Activation::Relu, Activation::Sigmoid),
            optimizer: OptimizerConfig { kind: OptimizerKind::Adam, learning_rate: 0.01, ..OptimizerConfig::default() },
            loss: Loss::BinaryCrossEntropy,
            batch_size: 4,
            ..NetworkConfig::default()
        },
    );
    overfit.data = DataSpec {
        problem: Problem::Gaussians,
        points: 40,
        noise: 0.8,
        test_ratio: 0.5,
        seed: 3,
        ..DataSpec::default()
    };
    let regularized = variant("L2 + dropout", &overfit, |s| {
        s.network.regularization = Regularization { kind: RegularizationKind::L2, rate: 0.01 };
        s.network.layers[0].dropout = 0.3;
        s.network.layers[1].dropout = 0.3;
    });
    all.push(Lesson {
        id: "overfitting",
        title: "Overfitting, then regularization",
        text: "Twenty noisy training points and a big network: the training loss falls towards 0 while the test loss climbs, and the boundary wraps around single points. Turn on L2 and dropout (the variant): the training loss stays higher, the test loss lower.",
        variants: vec![Variant { label: "no regularization".into(), session: overfit.clone() }, regularized],
        session: overfit,
        samples: None,
        controls: &["reg", "reg_rate"],
    });

    let race = session(
        Problem::Spiral,
        vec![Feature::X1, Feature::X2, Feature::SinX1, Feature::SinX2],
        NetworkConfig {
            layers: layers(&[8, 8, 1], Activation::Tanh, Activation::Sigmoid),
            optimizer: sgd(0.03),
            ..NetworkConfig::default()
        },
    );
    let optimizer =
        |label: &str, kind: OptimizerKind, learning_rate: f64| with_optimizer(label, &race, kind, learning_rate);
    all.push(Lesson {
        id: "optimizers",
        title: "Optimizers race",
        text: "The same network, data and seed under four optimizers. Compare the loss curves: momentum and Adam pass SGD long before it gets there; RMSprop and Adam adapt the step of each weight to its own gradients.",
        variants: vec![
            optimizer("SGD", OptimizerKind::Sgd, 0.03),
            optimizer("momentum", OptimizerKind::Momentum, 0.03),
            optimizer("RMSprop", OptimizerKind::Rmsprop, 0.003),
            optimizer("Adam", OptimizerKind::Adam, 0.003),
        ],
        session: race,
        samples: None,
        controls: &["optimizer", "lr"],
    });

    // The course's comparison of training methods: full batch for all four, so that a step is
    // an epoch for each of them (conjugate gradient takes the whole training set anyway).
    let mut methods = session(
        Problem::Spiral,
        vec![Feature::X1, Feature::X2, Feature::SinX1, Feature::SinX2],
        NetworkConfig {
            layers: layers(&[8, 8, 1], Activation::Tanh, Activation::Sigmoid),
            optimizer: sgd(0.5),
            batch_size: 100,
            ..NetworkConfig::default()
        },
    );
    methods.data =
        DataSpec { problem: Problem::Spiral, points: 200, noise: 0.0, test_ratio: 0.5, seed: 1, ..DataSpec::default() };
    let method =
        |label: &str, kind: OptimizerKind, learning_rate: f64| with_optimizer(label, &methods, kind, learning_rate);
    all.push(Lesson {
        id: "which-optimizer",
        title: "Which optimizer?",
        text: "Gradient descent, Rprop, conjugate gradient and Adam train the same network from the same weights on all 100 training points at every step, to the same target loss of 0.1. Compare all side by side: Rprop and conjugate gradient get there in under ten steps, Adam in a few tens, plain gradient descent only after a hundred. The table gives the time too: a conjugate-gradient step evaluates the loss several times for its line search, so fewer steps are not always less time.",
        variants: vec![
            method("gradient descent", OptimizerKind::Sgd, 0.5),
            method("Rprop", OptimizerKind::Rprop, 0.5),
            method("conjugate gradient", OptimizerKind::Cg, 0.5),
            method("Adam", OptimizerKind::Adam, 0.01),
        ],
        session: methods,
        samples: None,
        controls: &["optimizer", "lr"],
    });

    all.push(Lesson {
        id: "spiral-softmax",
        title: "Three spirals with softmax",
        text: "Three classes need three outputs: softmax turns them into probabilities and cross-entropy compares them with the true class, so δ at the output is simply ŷ − y. Train, then watch each output neuron's heatmap (the probability of its class over the plane) claim one arm: high on its own arm, low on the other two.",
        session: session(
            Problem::Spiral3,
            vec![Feature::X1, Feature::X2, Feature::SinX1, Feature::SinX2],
            NetworkConfig {
                layers: layers(&[16, 16, 3], Activation::Tanh, Activation::Softmax),
                loss: Loss::SoftmaxCrossEntropy,
                optimizer: OptimizerConfig { kind: OptimizerKind::Adam, learning_rate: 0.01, ..OptimizerConfig::default() },
                ..NetworkConfig::default()
            },
        ),
        samples: None,
        variants: Vec::new(),
        controls: &["heatmaps"],
    });

    let mut digits = session(
        Problem::Digits,
        Vec::new(),
        NetworkConfig {
            layers: layers(&[32, 10], Activation::Tanh, Activation::Softmax),
            loss: Loss::SoftmaxCrossEntropy,
            optimizer: OptimizerConfig { kind: OptimizerKind::Adam, learning_rate: 0.01, ..OptimizerConfig::default() },
            batch_size: 32,
            ..NetworkConfig::default()
        },
    );
    digits.data = DataSpec {
        problem: Problem::Digits,
        points: 1797,
        noise: 0.0,
        test_ratio: 0.25,
        seed: 1,
        ..DataSpec::default()
    };
    all.push(Lesson {
        id: "digits",
        title: "Handwritten digits",
        text: "1,797 real handwritten digits, 8×8 pixels each: 64 inputs, 32 hidden neurons, and one softmax output per digit. Train for a few epochs: the test accuracy passes 90 % on images the network never saw. Then look at the first layer's weights drawn as 8×8 images: each hidden neuron weighs ink in some places for (positive) and in others against (negative), a stroke it looks for. Draw a digit yourself and watch the forward pass classify it.",
        session: digits.clone(),
        samples: None,
        variants: Vec::new(),
        controls: &["lr"],
    });

    // Two shared 3×3 kernels on 8×8 images of a vertical edge, a horizontal one or none: two
    // tanh maps of 6×6, each max-pooled whole to its strongest response, then a softmax over
    // those 2 numbers (29 parameters). Pooling the whole map leaves the dense head no layout
    // to read, so the kernels themselves must tell the edges apart (with 2×2 pooling the head
    // tells them apart from blurred maps, and the kernels stay blobs); tanh, not ReLU, keeps a
    // kernel that starts out negative on every image from dying.
    let mut edges = session(
        Problem::Edges,
        Vec::new(),
        NetworkConfig {
            input_shape: Some(crate::layers::Shape::two_d(1, EDGE_SIDE, EDGE_SIDE)),
            layers: convolution_head(2, Activation::Tanh, EDGE_SIDE - 2, 3),
            loss: Loss::SoftmaxCrossEntropy,
            optimizer: OptimizerConfig { kind: OptimizerKind::Adam, learning_rate: 0.05, ..OptimizerConfig::default() },
            batch_size: 8,
            seed: 1,
            ..NetworkConfig::default()
        },
    );
    edges.data =
        DataSpec { problem: Problem::Edges, points: 300, noise: 0.2, test_ratio: 0.25, seed: 1, ..DataSpec::default() };
    all.push(Lesson {
        id: "edge-detector",
        title: "A shared kernel learns an edge detector",
        text: "8×8 images hold a vertical edge (pale on the left, inked on the right), a horizontal one (pale above, inked below) or none, and two 3×3 kernels slide over them: each kernel's 9 weights are used at all 36 positions, and max pooling keeps each map's strongest response. Step to the backward pass of layer 1 and click a kernel cell: its dL/dK is the sum of one term δ · x̃ per position of every image in the batch, 288 of them, and only the position of each image's strongest response has δ ≠ 0. Train for 300 steps: the test accuracy passes 95 %, and one kernel has become a vertical-edge filter (its left column negative, its right positive), the other a horizontal one (its top row negative, its bottom positive).",
        session: edges,
        samples: None,
        variants: Vec::new(),
        controls: &["lr"],
    });

    // The digits again, through one shared 3×3 kernel per map: 8 maps of 6×6, max-pooled to 3×3,
    // then a softmax over the 72 numbers: 810 parameters against the dense network's 2,410.
    let mut convolutional = digits.clone();
    convolutional.network.input_shape = Some(crate::layers::Shape::two_d(1, 8, 8));
    convolutional.network.layers = convolution_head(8, Activation::Relu, 2, 10);
    let dense = digits.clone();
    all.push(Lesson {
        id: "digits-cnn",
        title: "Digits with a shared kernel",
        text: "The same 1,797 digits, through a convolution: each of 8 maps slides one 3×3 kernel over the image, so the same 9 weights are used at all 36 positions, then max pooling keeps the strongest of each 2×2 window and a softmax reads the 72 numbers. Step to the backward pass of layer 1 and click a kernel cell: its gradient is a sum of one term δ · x̃ from every position of every image, because the weight was used at every one. Compare side by side with the dense network of the digits lesson: the convolution passes 95 % on the test images with a third of the weights.",
        session: convolutional.clone(),
        samples: None,
        variants: vec![
            Variant { label: "convolutional".into(), session: convolutional },
            Variant { label: "dense 64→32→10".into(), session: dense },
        ],
        controls: &["lr"],
    });

    let mut squeeze = session(
        Problem::Digits,
        Vec::new(),
        NetworkConfig {
            layers: vec![
                LayerConfig::new(32, Activation::Tanh),
                LayerConfig::new(2, Activation::Identity),
                LayerConfig::new(32, Activation::Tanh),
                LayerConfig::new(64, Activation::Sigmoid),
            ],
            loss: Loss::SquaredError,
            optimizer: OptimizerConfig { kind: OptimizerKind::Adam, learning_rate: 0.01, ..OptimizerConfig::default() },
            batch_size: 32,
            ..NetworkConfig::default()
        },
    );
    squeeze.data = DataSpec {
        problem: Problem::Digits,
        points: 1797,
        noise: 0.0,
        test_ratio: 0.25,
        seed: 1,
        ..DataSpec::default()
    };
    squeeze.target = crate::data::Target::Inputs;
    all.push(Lesson {
        id: "autoencoder",
        title: "An autoencoder: digits through 2 numbers",
        text: "The network is trained to output its own input, through a middle layer of only 2 neurons: it must squeeze each 64-pixel digit into 2 numbers (its code) and rebuild the image from them. It never sees a label. Train, then look at the code space: each test digit drawn at its 2-number code, coloured by its true digit, which the network was never told. The digits gather by class all the same. The reconstructions beside the inputs show what 2 numbers can keep.",
        session: squeeze,
        samples: None,
        variants: Vec::new(),
        controls: &["lr"],
    });

    // Recall the first bit of 20: an Elman layer of 8 tanh units reads one bit a step, and a
    // sigmoid reads h_20. Plain SGD (Adam would rescale the vanishing gradient and hide it);
    // seed 6 is one where the unclipped run meets an exploding step (‖g‖ ≈ 43 at step 181) and
    // stays at chance, as about half the seeds do (tests/sequence_lesson.rs).
    let recall_layers = |clip_norm| {
        vec![
            LayerConfig {
                units: 8,
                ..LayerConfig::of_kind(
                    crate::layers::kind::LayerKind::Recurrent {
                        returns: crate::layers::kind::Returns::Last,
                        clip_norm,
                    },
                    Activation::Tanh,
                )
            },
            LayerConfig::new(1, Activation::Sigmoid),
        ]
    };
    let mut recall = session(
        Problem::Recall,
        Vec::new(),
        NetworkConfig {
            input_shape: Some(crate::layers::Shape::one_d(1, 20)),
            layers: recall_layers(None),
            loss: Loss::BinaryCrossEntropy,
            optimizer: sgd(0.1),
            batch_size: 16,
            seed: 36,
            ..NetworkConfig::default()
        },
    );
    recall.network.inputs = 20;
    recall.data = DataSpec { problem: Problem::Recall, points: 400, noise: 0.0, test_ratio: 0.25, seed: 1, length: 20 };
    let shorter = variant("T = 5: a shorter horizon", &recall, |s| {
        s.data.length = 5;
        s.network.inputs = 5;
        s.network.input_shape = Some(crate::layers::Shape::one_d(1, 5));
    });
    let clipped = variant("T = 20, clipped at ‖g‖ ≤ 1", &recall, |s| s.network.layers = recall_layers(Some(1.0)));
    all.push(Lesson {
        id: "recall",
        title: "Memory through time: recall the first bit",
        text: "Each sequence is 20 random bits, and the answer is the first one: an Elman layer of 8 tanh units reads one bit a step, h_t = tanh(W_x·x_t + W_h·h_(t−1) + b), and a sigmoid reads the last state h_20. The same weights work at every step, so their gradient is a sum over the 20 steps, one term each: the bars show each step's share of dL/dW_x. Take one step: the first steps' bars are under a thousandth of the last step's, because δ shrinks by W_h and tanh' at every step back through time (vanishing gradients); with T = 5 the first step's bar is still over a fifth of the last. Train 1,200 steps with plain SGD: the network stays at chance (about 50 % on the test sequences). With T = 5, a shorter horizon, it reaches 100 %. Back at T = 20, clipping the gradient's norm to 1 changes it too: when δ first gets through, ‖g‖ jumps past 10 (exploding gradients), and an unclipped step throws the weights into saturation; clipped, it passes 95 %.",
        session: recall.clone(),
        samples: None,
        variants: vec![Variant { label: "T = 20".into(), session: recall }, shorter, clipped],
        controls: &["length", "lr"],
    });

    for lesson in &mut all {
        lesson.session.lesson = Some(lesson.id.to_string());
        for v in &mut lesson.variants {
            v.session.lesson = Some(lesson.id.to_string());
        }
    }
    all
}

/// The lesson with this id.
pub fn lesson(id: &str) -> Option<Lesson> {
    lessons().into_iter().find(|l| l.id == id)
}

/// Builds what a session describes: its data (unless exact `samples` are given) with its
/// features and scaling, and a trainer loaded with the training and test sets. (The page's
/// path, `Session`, builds through `train_on` as well.)
pub fn build(
    session: &Settings,
    samples: Option<&Samples>,
) -> crate::error::Result<(crate::trainer::Trainer, Option<crate::data::Data>)> {
    let data = match (samples, &session.points) {
        (Some(_), _) => None,
        (None, Some(p)) => Some(crate::data::Data::from_shared(p, session.data.test_ratio, session.data.seed)?),
        (None, None) => Some(crate::data::Data::generate(&session.data)?),
    };
    let data = match data {
        Some(mut data) => {
            data.set_features(session.features.clone())?;
            data.set_scaling(session.scaling)?;
            Some(data)
        }
        None => None,
    };
    Ok((train_on(&session.network, data.as_ref(), samples)?, data))
}

/// A trainer for `network`, loaded with the training and test sets of `data`, or with exact
/// `samples` (for training only).
pub fn train_on(
    network: &crate::config::NetworkConfig,
    data: Option<&crate::data::Data>,
    samples: Option<&Samples>,
) -> crate::error::Result<crate::trainer::Trainer> {
    use crate::trainer::{Split, Trainer};
    let mut trainer = Trainer::new(network.clone())?;
    if let Some(samples) = samples {
        trainer.set_data(Split::Train, samples.inputs.clone(), samples.targets.clone())?;
        return Ok(trainer);
    }
    if let Some(data) = data {
        let outputs = trainer.network().outputs();
        let train = (data.inputs(Split::Train)?, data.targets(Split::Train, outputs)?);
        let test = if data.test.is_empty() {
            None
        } else {
            Some((data.inputs(Split::Test)?, data.targets(Split::Test, outputs)?))
        };
        trainer.set_data_splits(train, test)?;
    }
    Ok(trainer)
}
