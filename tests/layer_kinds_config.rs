//! Layer kinds in the network's config (`LayerKind`): dense stays the default and leaves the
//! JSON as it was, the maps' shapes are followed layer by layer, and shapes that do not fit are
//! refused with a message that names the layer.

use backprop_viz::config::{LayerConfig, NetworkConfig};
use backprop_viz::layers::convolution::Padding;
use backprop_viz::layers::kind::LayerKind;
use backprop_viz::layers::pooling::PoolKind;
use backprop_viz::layers::{Dimensions, Shape};
use backprop_viz::Activation;

fn conv(kernel_size: usize, channels: usize, padding: Padding) -> LayerConfig {
    let kind = LayerKind::Convolution { dimensions: Dimensions::Two, kernel_size, channels, padding };
    LayerConfig::of_kind(kind, Activation::Relu)
}

fn pool(pool: PoolKind, size: usize) -> LayerConfig {
    LayerConfig::of_kind(LayerKind::Pooling { dimensions: Dimensions::Two, pool, size }, Activation::Identity)
}

/// 8×8 digits: conv 3×3 (4 maps, `padding`) → max pool 2 → flatten → 10 softmax.
fn digits_cnn(padding: Padding) -> NetworkConfig {
    NetworkConfig {
        inputs: 64,
        input_shape: Some(Shape::two_d(1, 8, 8)),
        layers: vec![
            conv(3, 4, padding),
            pool(PoolKind::Max, 2),
            LayerConfig::of_kind(LayerKind::Flatten, Activation::Identity),
            LayerConfig::new(10, Activation::Softmax),
        ],
        ..NetworkConfig::default()
    }
}

fn refusal(config: &NetworkConfig) -> String {
    config.layer_shapes().unwrap_err().to_string()
}

#[test]
fn dense_is_the_default_and_the_json_of_a_dense_network_is_unchanged() {
    let config = NetworkConfig::default();
    let json = config.to_json();
    assert!(!json.contains(r#""kind":{"#) && !json.contains("input_shape") && !json.contains("type"), "{json}");
    let read = NetworkConfig::from_json(r#"{"inputs":2,"layers":[{"units":1,"activation":"sigmoid"}]}"#).unwrap();
    assert_eq!(read.layers[0].kind, LayerKind::Dense);
    read.validate().unwrap();
}

#[test]
fn a_convolutional_config_round_trips_through_json() {
    let config = digits_cnn(Padding::Same);
    let json = config.to_json();
    assert!(json.contains(r#""kind":{"type":"convolution","dimensions":"two","kernel_size":3"#), "{json}");
    assert_eq!(NetworkConfig::from_json(&json).unwrap(), config);
    let e = NetworkConfig::from_json(&json.replace("kernel_size", "kernel")).unwrap_err().to_string();
    assert!(e.contains("layers[0]") && e.contains("unknown field `kernel`"), "{e}");
}

#[test]
fn shapes_follow_the_maps_through_conv_pool_and_flatten() {
    let same = digits_cnn(Padding::Same).layer_shapes().unwrap();
    assert_eq!(same, vec![Shape::two_d(4, 8, 8), Shape::two_d(4, 4, 4), Shape::one_d(1, 64), Shape::one_d(1, 10)]);
    let valid = digits_cnn(Padding::Valid).layer_shapes().unwrap();
    assert_eq!(valid[0], Shape::two_d(4, 6, 6));
    assert_eq!(valid[1], Shape::two_d(4, 3, 3));
    assert_eq!(valid[2], Shape::one_d(1, 36));
    // A 1-D convolution over the plain inputs (one channel of `inputs` values).
    let signal = NetworkConfig {
        inputs: 6,
        layers: vec![
            LayerConfig::of_kind(
                LayerKind::Convolution {
                    dimensions: Dimensions::One,
                    kernel_size: 2,
                    channels: 2,
                    padding: Padding::Valid,
                },
                Activation::Tanh,
            ),
            LayerConfig::of_kind(LayerKind::Flatten, Activation::Identity),
            LayerConfig::new(1, Activation::Sigmoid),
        ],
        ..NetworkConfig::default()
    };
    assert_eq!(signal.layer_shapes().unwrap()[0], Shape::one_d(2, 5));
}

#[test]
fn shapes_that_do_not_fit_are_refused_with_the_layer_named() {
    let mut c = digits_cnn(Padding::Valid);
    c.layers[0] = conv(9, 4, Padding::Valid);
    let e = refusal(&c);
    assert!(e.contains("layer 1 (hidden)") && e.contains("kernel of size 9 does not fit"), "{e}");

    let mut c = digits_cnn(Padding::Valid);
    c.layers[1] = pool(PoolKind::Average, 7);
    let e = refusal(&c);
    assert!(e.contains("layer 2 (hidden)") && e.contains("pooling window of 7"), "{e}");

    let mut c = digits_cnn(Padding::Same);
    c.input_shape = Some(Shape::two_d(1, 8, 7));
    assert!(refusal(&c).contains("holds 56 values, but the network has 64 inputs"), "{}", refusal(&c));

    let mut c = digits_cnn(Padding::Same);
    c.layers.remove(2);
    let e = refusal(&c);
    assert!(e.contains("layer 3 (the output layer) is dense") && e.contains("put a flatten layer before it"), "{e}");

    let mut c = digits_cnn(Padding::Same);
    c.layers.truncate(1);
    assert!(refusal(&c).contains("the output layer must be dense"), "{}", refusal(&c));

    let mut c = digits_cnn(Padding::Same);
    c.layers[0].dropout = 0.2;
    assert!(refusal(&c).contains("dropout is for dense layers"), "{}", refusal(&c));

    let mut c = digits_cnn(Padding::Same);
    c.layers[1].activation = Activation::Relu;
    assert!(refusal(&c).contains("has no activation of its own"), "{}", refusal(&c));

    let mut c = digits_cnn(Padding::Same);
    c.layers[1].units = 63;
    assert!(refusal(&c).contains("hands on 64 values here, not 63"), "{}", refusal(&c));

    let mut c = digits_cnn(Padding::Same);
    c.layers[0].activation = Activation::Softmax;
    assert!(refusal(&c).contains("element-wise activation"), "{}", refusal(&c));
}

#[test]
fn kernels_given_by_hand_are_one_row_per_output_channel() {
    let mut c = digits_cnn(Padding::Same);
    c.layers[0].weights = Some(vec![vec![0.1; 9]; 4]);
    c.layers[0].biases = Some(vec![0.0; 4]);
    c.layer_shapes().unwrap();
    c.layers[0].weights = Some(vec![vec![0.1; 8]; 4]);
    assert!(refusal(&c).contains("4 rows (one kernel per output channel) of 9 numbers"), "{}", refusal(&c));
    c.layers[0].weights = None;
    c.layers[0].biases = Some(vec![0.0; 3]);
    assert!(refusal(&c).contains("biases must be 4 finite numbers"), "{}", refusal(&c));
    let mut c = digits_cnn(Padding::Same);
    c.layers[1].weights = Some(vec![vec![1.0]]);
    assert!(refusal(&c).contains("a pooling layer has no weights"), "{}", refusal(&c));
}

#[test]
fn a_convolutional_network_validates_and_builds_its_layers_from_the_shapes() {
    let config = digits_cnn(Padding::Same);
    config.validate().unwrap();
    let trainer = backprop_viz::trainer::Trainer::new(config).unwrap();
    let layers = &trainer.network().layers;
    // conv: 4 kernels of 1 × 3 × 3 and 4 channel biases; pooling and flatten: no parameters.
    assert_eq!((layers[0].weights.len(), layers[0].biases.len(), layers[0].units), (36, 4, 256));
    assert_eq!((layers[0].parameter_rows(), layers[0].row_len()), (4, 9));
    assert_eq!((layers[1].weights.len(), layers[1].biases.len(), layers[1].units), (0, 0, 64));
    assert_eq!((layers[2].inputs, layers[2].units, layers[2].parameter_count()), (64, 64, 0));
    assert_eq!((layers[3].inputs, layers[3].units), (64, 10));
    assert_eq!(trainer.network().parameter_count(), 36 + 4 + 64 * 10 + 10);
    let maps = trainer.network().layer_maps();
    assert_eq!(maps[0].output, Shape::two_d(4, 8, 8));
    assert_eq!((maps[0].parameter_rows, maps[0].row_len), (4, 9));
    assert_eq!((maps[1].input, maps[1].output), (Shape::two_d(4, 8, 8), Shape::two_d(4, 4, 4)));
    assert_eq!((maps[3].kind, maps[3].output, maps[3].row_len), (LayerKind::Dense, Shape::one_d(1, 10), 64));
    let json = serde_json::to_value(&maps[1]).unwrap();
    assert_eq!(json["kind"]["type"], "pooling");
    assert_eq!(json["output"]["channels"], 4);
}

#[test]
fn conjugate_gradient_refuses_a_convolutional_network_by_name() {
    use backprop_viz::{OptimizerConfig, OptimizerKind};
    let mut config = digits_cnn(Padding::Valid);
    config.optimizer = OptimizerConfig { kind: OptimizerKind::Cg, ..OptimizerConfig::default() };
    let e = config.validate().unwrap_err();
    assert_eq!(e.kind(), "invalid_setting");
    let text = e.to_string();
    assert!(
        text.contains("conjugate gradient trains dense layers only, and layer 1 (hidden) is a convolution layer"),
        "{text}"
    );
    config.optimizer = OptimizerConfig::default();
    let mut trainer = backprop_viz::trainer::Trainer::new(config).unwrap();
    let e = trainer.set_optimizer(OptimizerConfig { kind: OptimizerKind::Cg, ..OptimizerConfig::default() });
    assert!(e.unwrap_err().to_string().contains("conjugate gradient trains dense layers only"));
    assert_eq!(trainer.config().optimizer.kind, OptimizerKind::Sgd);
}
