//! Convolution, pooling and flatten (`layers`): a worked example by hand, central finite
//! differences for every combination of options, the per-position chain rule of a kernel
//! weight, and the divergence guard.

use backprop_viz::layers::convolution::{Convolution, ConvolutionConfig, KernelWeight, Padding};
use backprop_viz::layers::pooling::{PoolKind, Pooling, PoolingConfig};
use backprop_viz::layers::{Dimensions, Shape};
use backprop_viz::rng::Rng;
use backprop_viz::Activation;
use common::agrees;

mod common;

const ELEMENT_WISE: [Activation; 5] =
    [Activation::Identity, Activation::Sigmoid, Activation::Tanh, Activation::Relu, Activation::LeakyRelu];
/// The central difference's step, as `gradient_check` takes it.
const STEP: f64 = backprop_viz::gradient_check::STEP;

/// The error measure of `gradient_check`, relative with a floor for tiny gradients. The floor
/// is 1e-3 here, not 1e-4: these losses sum up to a few hundred products, so a central
/// difference rounds to about ε · Σ|terms| / h ≈ 1e-10 (seen: 4.21883006e-5 against
/// 4.21884305e-5), which the engine's floor would read as 1.3e-6.
fn error(analytic: f64, numeric: f64) -> f64 {
    (analytic - numeric).abs() / (analytic.abs() + numeric.abs()).max(1e-3)
}

/// L = scale · Σ G ⊙ a: a loss whose dL/da (per sample, before the reduction) is G.
fn probe_loss(conv: &mut Convolution, input: &[f64], g: &[f64], scale: f64) -> f64 {
    conv.forward(input, 1).unwrap();
    scale * conv.activations.iter().zip(g).map(|(a, g)| a * g).sum::<f64>()
}

/// What a gradient is taken with respect to.
#[derive(Clone, Copy)]
enum Wrt {
    Kernel,
    Bias,
    Input,
}

fn slot<'a>(conv: &'a mut Convolution, input: &'a mut [f64], wrt: Wrt) -> &'a mut [f64] {
    match wrt {
        Wrt::Kernel => &mut conv.kernel,
        Wrt::Bias => &mut conv.bias,
        Wrt::Input => input,
    }
}

/// The central difference of `loss` in value `p` of the array `wrt` names (put back after).
fn central(
    conv: &mut Convolution,
    input: &mut [f64],
    wrt: Wrt,
    p: usize,
    mut loss: impl FnMut(&mut Convolution, &[f64]) -> f64,
) -> f64 {
    let original = slot(conv, input, wrt)[p];
    slot(conv, input, wrt)[p] = original + STEP;
    let plus = loss(conv, input);
    slot(conv, input, wrt)[p] = original - STEP;
    let minus = loss(conv, input);
    slot(conv, input, wrt)[p] = original;
    (plus - minus) / (2.0 * STEP)
}

fn check_convolution(config: ConvolutionConfig, seed: u32) -> f64 {
    let mut rng = Rng::new(seed);
    let mut conv = Convolution::new(config).unwrap();
    conv.kernel.iter_mut().for_each(|w| *w = rng.uniform(-1.0, 1.0));
    conv.bias.iter_mut().for_each(|b| *b = rng.uniform(-0.5, 0.5));
    let rows = 2;
    let mut input: Vec<f64> = (0..rows * config.input.len()).map(|_| rng.uniform(-1.0, 1.0)).collect();
    let g: Vec<f64> = (0..rows * conv.output.len()).map(|_| rng.uniform(-1.0, 1.0)).collect();
    let scale = 0.5; // a mean over the two samples
    conv.forward(&input, 1).unwrap();
    conv.backward(&g, scale, 1).unwrap();
    let (grad_kernel, grad_bias) = (conv.grad_kernel.clone(), conv.grad_bias.clone());
    // dL/dx is per sample (the sample's own loss), so it is checked against scale 1.
    conv.backward(&g, 1.0, 1).unwrap();
    let grad_input = conv.grad_input.clone();
    let mut worst: f64 = 0.0;
    for (wrt, analytic, scale) in
        [(Wrt::Kernel, grad_kernel, scale), (Wrt::Bias, grad_bias, scale), (Wrt::Input, grad_input, 1.0)]
    {
        for (p, exact) in analytic.into_iter().enumerate() {
            let numeric = central(&mut conv, &mut input, wrt, p, |c, x| probe_loss(c, x, &g, scale));
            worst = worst.max(error(exact, numeric));
        }
    }
    worst
}

#[test]
fn convolution_gradients_match_finite_differences_for_every_option() {
    let mut cases = 0;
    for dimensions in [Dimensions::One, Dimensions::Two] {
        for padding in [Padding::Valid, Padding::Same] {
            for in_channels in [1, 2] {
                for out_channels in [1, 2] {
                    for kernel_size in [1, 2, 3] {
                        for activation in ELEMENT_WISE {
                            let input = match dimensions {
                                Dimensions::One => Shape::one_d(in_channels, 6),
                                Dimensions::Two => Shape::two_d(in_channels, 4, 5),
                            };
                            let config =
                                ConvolutionConfig { dimensions, input, out_channels, kernel_size, padding, activation };
                            let worst = check_convolution(config, cases);
                            assert!(worst < 1e-6, "{config:?}: relative error {worst}");
                            cases += 1;
                        }
                    }
                }
            }
        }
    }
    assert_eq!(cases, 2 * 2 * 2 * 2 * 3 * 5);
}

/// A 3 × 3 image, one 2 × 2 kernel, valid padding, identity: the worked example's layer.
fn three_by_three() -> ConvolutionConfig {
    ConvolutionConfig {
        dimensions: Dimensions::Two,
        input: Shape::two_d(1, 3, 3),
        out_channels: 1,
        kernel_size: 2,
        padding: Padding::Valid,
        activation: Activation::Identity,
    }
}

/// The worked example, by hand. x = [[1,2,3],[4,5,6],[7,8,9]], K = [[1,0],[−1,2]], b = 0.5,
/// valid padding, identity: z[i,j] = Σ_uv K[u,v]·x[i+u,j+v] + b
///   z00 = 1·1 + 0·2 − 1·4 + 2·5 + 0.5 = 7.5     z01 = 2 + 0 − 5 + 12 + 0.5 = 9.5
///   z10 = 4 + 0 − 7 + 16 + 0.5 = 13.5            z11 = 5 + 0 − 8 + 18 + 0.5 = 15.5
/// With dL/da = δ = [[1,−1],[2,0.5]], dL/dK is the correlation of x with δ:
///   dK00 = 1·1 − 1·2 + 2·4 + 0.5·5 = 9.5          dK01 = 1·2 − 1·3 + 2·5 + 0.5·6 = 12
///   dK10 = 1·4 − 1·5 + 2·7 + 0.5·8 = 17           dK11 = 1·5 − 1·6 + 2·8 + 0.5·9 = 19.5
///   db = 1 − 1 + 2 + 0.5 = 2.5
/// and dL/dx the full convolution of δ with K, dx[p,q] = Σ_uv δ[p−u,q−v]·K[u,v]:
///   dx00 = δ00·K00 = 1            dx01 = δ01·K00 + δ00·K01 = −1        dx02 = δ01·K01 = 0
///   dx10 = δ10·K00 + δ00·K10 = 1  dx11 = δ11·K00 + δ10·K01 + δ01·K10 + δ00·K11 = 0.5 + 0 + 1 + 2 = 3.5
///   dx12 = δ11·K01 + δ01·K11 = −2 dx20 = δ10·K10 = −2  dx21 = δ11·K10 + δ10·K11 = −0.5 + 4 = 3.5
///   dx22 = δ11·K11 = 1            (check: Σ dx = Σδ · ΣK = 2.5 · 2 = 5)
#[test]
fn a_three_by_three_input_and_a_two_by_two_kernel_by_hand() {
    let config = three_by_three();
    let mut conv = Convolution::new(config).unwrap();
    conv.kernel.copy_from_slice(&[1.0, 0.0, -1.0, 2.0]);
    conv.bias[0] = 0.5;
    conv.forward(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0], 1).unwrap();
    conv.backward(&[1.0, -1.0, 2.0, 0.5], 1.0, 1).unwrap();
    let close = |got: &[f64], want: &[f64]| {
        assert_eq!(got.len(), want.len());
        for (g, w) in got.iter().zip(want) {
            assert!((g - w).abs() <= 1e-12, "{got:?} against {want:?}");
        }
    };
    close(&conv.pre_activation, &[7.5, 9.5, 13.5, 15.5]);
    close(&conv.activations, &[7.5, 9.5, 13.5, 15.5]);
    close(&conv.delta, &[1.0, -1.0, 2.0, 0.5]);
    close(&conv.grad_kernel, &[9.5, 12.0, 17.0, 19.5]);
    close(&conv.grad_bias, &[2.5]);
    close(&conv.grad_input, &[1.0, -1.0, 0.0, 1.0, 3.5, -2.0, -2.0, 3.5, 1.0]);
    // The full frame holds δ inside one zero on every side (k − 1 = 1).
    close(&conv.delta_full, &[0., 0., 0., 0., 0., 1., -1., 0., 0., 2., 0.5, 0., 0., 0., 0., 0.]);
    // K00's chain rule: one term per output position, δ[i,j] · x[i,j].
    let rule = conv.explain_weight(KernelWeight { out_channel: 0, in_channel: 0, row: 0, column: 0 }).unwrap();
    let terms: Vec<f64> = rule.terms.iter().map(|t| t.term).collect();
    close(&terms, &[1.0, -2.0, 8.0, 2.5]);
    assert_eq!((rule.sum, rule.gradient, rule.value), (9.5, 9.5, 1.0));
}

#[test]
fn every_kernel_weights_terms_sum_to_its_gradient() {
    for padding in [Padding::Valid, Padding::Same] {
        let config = ConvolutionConfig {
            dimensions: Dimensions::Two,
            input: Shape::two_d(2, 5, 4),
            out_channels: 2,
            kernel_size: 3,
            padding,
            activation: Activation::Tanh,
        };
        let mut rng = Rng::new(11);
        let mut conv = Convolution::new(config).unwrap();
        conv.randomize(&mut rng);
        let input: Vec<f64> = (0..3 * config.input.len()).map(|_| rng.uniform(-1.0, 1.0)).collect();
        conv.forward(&input, 1).unwrap();
        let g: Vec<f64> = (0..conv.activations.len()).map(|_| rng.uniform(-1.0, 1.0)).collect();
        conv.backward(&g, 1.0 / 3.0, 1).unwrap();
        let (kh, kw) = conv.kernel_shape();
        for out_channel in 0..2 {
            for in_channel in 0..2 {
                for row in 0..kh {
                    for column in 0..kw {
                        let weight = KernelWeight { out_channel, in_channel, row, column };
                        let rule = conv.explain_weight(weight).unwrap();
                        let positions = 3 * conv.output.height * conv.output.width;
                        assert_eq!(rule.terms.len(), positions, "every position the weight was used at");
                        let summed = rule.terms.iter().fold(0.0, |s, t| s + t.delta * t.input);
                        assert_eq!(summed, rule.sum);
                        assert_eq!(rule.gradient, conv.grad_kernel[conv.kernel_index(weight)], "{weight:?}");
                        let padded = rule.terms.iter().filter(|t| t.in_padding).count();
                        assert!(rule.terms.iter().filter(|t| t.in_padding).all(|t| t.input == 0.0));
                        // Only the centre weight of a "same" 3 × 3 kernel never meets the padding.
                        let centre = row == 1 && column == 1;
                        assert_eq!(padded == 0, padding == Padding::Valid || centre, "{padding:?} {weight:?}");
                    }
                }
            }
        }
        assert_eq!(
            conv.explain_weight(KernelWeight { out_channel: 2, in_channel: 0, row: 0, column: 0 }).unwrap_err().kind(),
            "out_of_range"
        );
    }
}

#[test]
fn same_padding_keeps_the_size_and_puts_the_extra_zero_after() {
    assert_eq!(Padding::Same.amounts(3), (1, 1));
    assert_eq!(Padding::Same.amounts(2), (0, 1));
    assert_eq!(Padding::Valid.amounts(3), (0, 0));
    let config = ConvolutionConfig {
        dimensions: Dimensions::One,
        input: Shape::one_d(1, 4),
        out_channels: 1,
        kernel_size: 2,
        padding: Padding::Same,
        activation: Activation::Identity,
    };
    let mut conv = Convolution::new(config).unwrap();
    conv.kernel.copy_from_slice(&[1.0, 10.0]);
    conv.forward(&[1.0, 2.0, 3.0, 4.0], 1).unwrap();
    assert_eq!(conv.input_padded, vec![1.0, 2.0, 3.0, 4.0, 0.0]);
    assert_eq!(conv.activations, vec![21.0, 32.0, 43.0, 4.0]);
}

#[test]
fn settings_out_of_range_and_wrong_lengths_are_refused() {
    let good = ConvolutionConfig { activation: Activation::Relu, ..three_by_three() };
    for bad in [
        ConvolutionConfig { kernel_size: 4, ..good },
        ConvolutionConfig { kernel_size: 0, ..good },
        ConvolutionConfig { out_channels: 0, ..good },
        ConvolutionConfig { activation: Activation::Softmax, ..good },
        ConvolutionConfig { dimensions: Dimensions::One, ..good },
    ] {
        assert_eq!(Convolution::new(bad).unwrap_err().kind(), "invalid_setting", "{bad:?}");
    }
    assert!(Convolution::new(ConvolutionConfig { kernel_size: 4, padding: Padding::Same, ..good }).is_ok());
    let mut conv = Convolution::new(good).unwrap();
    assert_eq!(conv.forward(&[1.0; 8], 1).unwrap_err().kind(), "invalid_data");
    conv.forward(&[1.0; 9], 1).unwrap();
    assert_eq!(conv.backward(&[1.0; 3], 1.0, 1).unwrap_err().kind(), "invalid_data");
    assert_eq!(
        conv.explain_weight(KernelWeight { out_channel: 0, in_channel: 0, row: 0, column: 0 }).unwrap_err().kind(),
        "out_of_range"
    );
}

#[test]
fn a_non_finite_z_or_gradient_is_refused_and_leaves_no_nan() {
    let config = three_by_three();
    let mut conv = Convolution::new(config).unwrap();
    conv.kernel.fill(1e308);
    let e = conv.forward(&[1e308; 9], 4).unwrap_err();
    assert_eq!((e.kind(), e.step()), ("diverged", Some(4)));
    assert!(e.to_string().contains("z or a of the convolution"), "{e}");
    assert!(conv.pre_activation.iter().chain(&conv.activations).all(|x| *x == 0.0));
    conv.kernel.fill(1e300);
    conv.forward(&[1.0; 9], 5).unwrap();
    let e = conv.backward(&[1e300; 4], 1.0, 5).unwrap_err();
    assert!(e.to_string().contains("a gradient of the convolution"), "{e}");
    assert!(conv.grad_kernel.iter().chain(&conv.grad_input).chain(&conv.delta).all(|x| x.is_finite()));
}

/// L = Σ G ⊙ y of the pooled outputs, for the pooling checks.
fn pooled_loss(pool: &mut Pooling, input: &[f64], g: &[f64]) -> f64 {
    pool.forward(input, 1).unwrap();
    pool.pooled.iter().zip(g).map(|(y, g)| y * g).sum()
}

#[test]
fn pooling_gradients_match_finite_differences() {
    let mut cases = 0;
    for dimensions in [Dimensions::One, Dimensions::Two] {
        for kind in [PoolKind::Max, PoolKind::Average] {
            for channels in [1, 2] {
                for window in [1, 2, 3] {
                    // 7 is no multiple of 2 or 3: the cut-off values must get a gradient of 0.
                    let input = match dimensions {
                        Dimensions::One => Shape::one_d(channels, 7),
                        Dimensions::Two => Shape::two_d(channels, 6, 7),
                    };
                    let mut pool = Pooling::new(PoolingConfig { dimensions, input, window, kind }).unwrap();
                    let mut rng = Rng::new(100 + cases);
                    let mut x: Vec<f64> = (0..2 * input.len()).map(|_| rng.uniform(-1.0, 1.0)).collect();
                    let g: Vec<f64> = (0..2 * pool.output.len()).map(|_| rng.uniform(-1.0, 1.0)).collect();
                    pool.forward(&x, 1).unwrap();
                    pool.backward(&g, 1).unwrap();
                    let analytic = pool.grad_input.clone();
                    for p in 0..x.len() {
                        let original = x[p];
                        x[p] = original + STEP;
                        let plus = pooled_loss(&mut pool, &x, &g);
                        x[p] = original - STEP;
                        let minus = pooled_loss(&mut pool, &x, &g);
                        x[p] = original;
                        let numeric = (plus - minus) / (2.0 * STEP);
                        let e = error(analytic[p], numeric);
                        assert!(e < 1e-6, "{dimensions:?} {kind:?} {channels} channels, window {window}, input {p}: {} against {numeric}", analytic[p]);
                    }
                    cases += 1;
                }
            }
        }
    }
    assert_eq!(cases, 2 * 2 * 2 * 3);
}

#[test]
fn max_pooling_routes_delta_to_the_argmax_and_the_first_of_a_tie() {
    let config =
        PoolingConfig { dimensions: Dimensions::Two, input: Shape::two_d(1, 2, 4), window: 2, kind: PoolKind::Max };
    let mut pool = Pooling::new(config).unwrap();
    // Window 0 = {1, 5 | 2, 0}: max 5 at (0,1). Window 1 = {3, 3 | 3, 1}: a three-way tie.
    pool.forward(&[1.0, 5.0, 3.0, 3.0, 2.0, 0.0, 3.0, 1.0], 1).unwrap();
    assert_eq!(pool.pooled, vec![5.0, 3.0]);
    assert_eq!(pool.argmax, vec![1, 2]);
    pool.backward(&[10.0, 20.0], 1).unwrap();
    assert_eq!(pool.grad_input, vec![0.0, 10.0, 20.0, 0.0, 0.0, 0.0, 0.0, 0.0]);
    let average = PoolingConfig { kind: PoolKind::Average, ..config };
    let mut pool = Pooling::new(average).unwrap();
    pool.forward(&[1.0, 5.0, 3.0, 3.0, 2.0, 0.0, 3.0, 1.0], 1).unwrap();
    assert_eq!(pool.pooled, vec![2.0, 2.5]);
    pool.backward(&[4.0, 8.0], 1).unwrap();
    assert_eq!(pool.grad_input, vec![1.0, 1.0, 2.0, 2.0, 1.0, 1.0, 2.0, 2.0]);
    assert_eq!(Pooling::new(PoolingConfig { window: 3, ..config }).unwrap_err().kind(), "invalid_setting");
    assert_eq!(Pooling::new(PoolingConfig { window: 0, ..config }).unwrap_err().kind(), "invalid_setting");
    let e = pool.forward(&[f64::NAN; 8], 2).unwrap_err();
    assert_eq!(e.kind(), "diverged");
    assert!(pool.pooled.iter().all(|y| *y == 0.0));
}

/// A 6 × 6 image in [0, 1]: a dark and a light side split by a vertical (or horizontal) step
/// at a random place, with noise (which also makes every kernel direction learnable).
fn edge_image(rng: &mut Rng, vertical: bool, noise: f64) -> Vec<f64> {
    let (split, dark, light) = (1 + rng.below(5), rng.uniform(0.0, 0.3), rng.uniform(0.7, 1.0));
    let (dark, light) = if rng.below(2) == 0 { (dark, light) } else { (light, dark) };
    (0..36)
        .map(|p| {
            let along = if vertical { p % 6 } else { p / 6 };
            (if along < split { dark } else { light }) + rng.uniform(-noise, noise)
        })
        .collect()
}

/// The basis of the edge-detector lesson: one shared 3 × 3 kernel, from 0, trained by plain
/// gradient descent to give the response of the Sobel vertical-edge filter on noisy images
/// with vertical and horizontal edges, becomes a vertical-edge detector.
#[test]
fn one_shared_kernel_learns_a_vertical_edge_detector() {
    const SOBEL_X: [f64; 9] = [-1.0, 0.0, 1.0, -2.0, 0.0, 2.0, -1.0, 0.0, 1.0];
    let config = ConvolutionConfig { input: Shape::two_d(1, 6, 6), kernel_size: 3, ..three_by_three() };
    let mut sobel = Convolution::new(config).unwrap();
    sobel.kernel.copy_from_slice(&SOBEL_X);
    let mut conv = Convolution::new(config).unwrap();
    let mut rng = Rng::new(12);
    let (batch, learning_rate) = (8, 0.02);
    let mut losses = Vec::new();
    for step in 1..=1500 {
        let images: Vec<f64> = (0..batch).flat_map(|s| edge_image(&mut rng, s % 2 == 0, 0.2)).collect();
        sobel.forward(&images, step).unwrap();
        conv.forward(&images, step).unwrap();
        // L = (1/B) Σ_s ½ ‖z_s − target_s‖², so dL_s/da = z − target
        let grad: Vec<f64> = conv.activations.iter().zip(&sobel.activations).map(|(a, t)| a - t).collect();
        losses.push(grad.iter().map(|g| 0.5 * g * g).sum::<f64>() / batch as f64);
        conv.backward(&grad, 1.0 / batch as f64, step).unwrap();
        for (w, g) in conv.kernel.iter_mut().zip(&conv.grad_kernel) {
            *w -= learning_rate * g;
        }
        conv.bias[0] -= learning_rate * conv.grad_bias[0];
    }
    let (first, last) = (losses[0], *losses.last().unwrap());
    assert!(first > 10.0, "the untrained kernel is far off: {first}");
    assert!(last < 1e-3, "the loss fell from {first} to {last}");
    // It has become the Sobel filter: −1 0 1 / −2 0 2 / −1 0 1.
    for (w, s) in conv.kernel.iter().zip(SOBEL_X) {
        assert!((w - s).abs() < 0.05, "{:?}", conv.kernel);
    }
    // And it answers vertical edges, not horizontal ones.
    let mut rng = Rng::new(99);
    let response = |conv: &mut Convolution, image: &[f64]| {
        conv.forward(image, 1501).unwrap();
        conv.activations.iter().map(|a| a.abs()).fold(0.0, f64::max)
    };
    let vertical = response(&mut conv, &edge_image(&mut rng, true, 0.0));
    let horizontal = response(&mut conv, &edge_image(&mut rng, false, 0.0));
    assert!(vertical > 1.0 && horizontal < 0.05 * vertical, "vertical {vertical}, horizontal {horizontal}");
}

/// The kinds chain: a 2-D convolution (same padding, 1 → 2 channels, tanh), 2 × 2 max pooling,
/// flatten and a dense readout with L = ½ (w · f − y)²; each backward pass takes the dL/dx of
/// the one after it, and the whole matches central differences.
#[test]
fn convolution_pooling_and_flatten_chain_into_a_dense_readout() {
    let config = ConvolutionConfig {
        dimensions: Dimensions::Two,
        input: Shape::two_d(1, 4, 6),
        out_channels: 2,
        kernel_size: 3,
        padding: Padding::Same,
        activation: Activation::Tanh,
    };
    let mut rng = Rng::new(21);
    let mut conv = Convolution::new(config).unwrap();
    conv.randomize(&mut rng);
    let mut pool =
        Pooling::new(PoolingConfig { dimensions: Dimensions::Two, input: conv.output, window: 2, kind: PoolKind::Max })
            .unwrap();
    let flatten = backprop_viz::layers::flatten::Flatten::new(pool.output);
    let w: Vec<f64> = (0..flatten.outputs()).map(|_| rng.uniform(-1.0, 1.0)).collect();
    let mut x: Vec<f64> = (0..24).map(|_| rng.uniform(-1.0, 1.0)).collect();
    let y = 0.3;
    let loss = |conv: &mut Convolution, pool: &mut Pooling, x: &[f64]| {
        conv.forward(x, 1).unwrap();
        pool.forward(&conv.activations, 1).unwrap();
        let f = flatten.forward(&pool.pooled);
        let r = f.iter().zip(&w).map(|(f, w)| f * w).sum::<f64>() - y;
        (0.5 * r * r, w.iter().map(|w| r * w).collect::<Vec<f64>>())
    };
    let (_, grad_f) = loss(&mut conv, &mut pool, &x);
    pool.backward(flatten.backward(&grad_f), 1).unwrap();
    conv.backward(&pool.grad_input.clone(), 1.0, 1).unwrap();
    let (grad_kernel, grad_input) = (conv.grad_kernel.clone(), conv.grad_input.clone());
    for (wrt, analytic) in [(Wrt::Kernel, grad_kernel), (Wrt::Input, grad_input)] {
        for (p, exact) in analytic.into_iter().enumerate() {
            let numeric = central(&mut conv, &mut x, wrt, p, |c, x| loss(c, &mut pool, x).0);
            assert!(error(exact, numeric) < 1e-6, "parameter {p}: {exact} against {numeric}");
        }
    }
}

#[allow(dead_code)] // the recurrent layer's numbers are read in tests/recurrent.rs
#[path = "reference/layer_kinds_expected.rs"]
mod expected;

/// Against `tests/reference/layer_kinds.py`, which takes the gradients in the scatter form
/// from the formulas: 2 × 4 × 5 input, 2 out channels, 3 × 3 kernel, same padding, tanh.
#[test]
fn a_two_channel_same_convolution_agrees_with_the_independent_reference() {
    let config = ConvolutionConfig {
        dimensions: Dimensions::Two,
        input: Shape::two_d(2, 4, 5),
        out_channels: 2,
        kernel_size: 3,
        padding: Padding::Same,
        activation: Activation::Tanh,
    };
    let mut conv = Convolution::new(config).unwrap();
    for (n, w) in conv.kernel.iter_mut().enumerate() {
        *w = 0.5 * (0.3 * n as f64).cos();
    }
    conv.bias.copy_from_slice(&[0.1, -0.2]);
    // x[c,i,j] = sin(1 + 20c + 5i + j) = sin(1 + n) at flat index n, G[n] = sin(0.7 n), as the
    // script makes them.
    let x: Vec<f64> = (0..40).map(|n| (1.0 + n as f64).sin()).collect();
    let g: Vec<f64> = (0..40).map(|n| (0.7 * n as f64).sin()).collect();
    conv.forward(&x, 1).unwrap();
    conv.backward(&g, 1.0, 1).unwrap();
    agrees("z", &conv.pre_activation, &expected::CONV_Z);
    agrees("a", &conv.activations, &expected::CONV_A);
    agrees("δ", &conv.delta, &expected::CONV_DELTA);
    agrees("dL/dK", &conv.grad_kernel, &expected::CONV_GRAD_KERNEL);
    agrees("dL/db", &conv.grad_bias, &expected::CONV_GRAD_BIAS);
    agrees("dL/dx", &conv.grad_input, &expected::CONV_GRAD_INPUT);
}
