//! Activation functions a = f(z) and their derivatives f'(z).
//!
//! | name         | f(z)                       | f'(z)                     |
//! |--------------|----------------------------|---------------------------|
//! | `identity`   | z                          | 1                         |
//! | `sigmoid`    | σ(z) = 1 / (1 + e^(−z))    | a · (1 − a)               |
//! | `tanh`       | tanh z                     | 1 − a²                    |
//! | `relu`       | max(0, z)                  | 1 if z > 0, else 0        |
//! | `leaky_relu` | z if z > 0, else 0.01 · z  | 1 if z > 0, else 0.01     |
//! | `softmax`    | e^(z_i) / Σ_k e^(z_k)      | ∂a_i/∂z_j = a_i (δ_ij − a_j) |
//!
//! Softmax mixes a whole layer, so it works on rows (one sample's layer) and may only be used
//! on the output layer. exp and tanh come from `elementary` (within a few ulps, and fast).

use crate::elementary;
use crate::lanes::F64x2;
use serde::{Deserialize, Serialize};

/// The slope of leaky ReLU for z ≤ 0.
pub const LEAKY_RELU_SLOPE: f64 = 0.01;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Activation {
    Identity,
    Sigmoid,
    Tanh,
    Relu,
    LeakyRelu,
    Softmax,
}

impl Activation {
    pub const ALL: [Activation; 6] = [
        Activation::Identity,
        Activation::Sigmoid,
        Activation::Tanh,
        Activation::Relu,
        Activation::LeakyRelu,
        Activation::Softmax,
    ];

    /// The lowercase name used in configs, model files and URLs.
    pub fn name(self) -> &'static str {
        match self {
            Activation::Identity => "identity",
            Activation::Sigmoid => "sigmoid",
            Activation::Tanh => "tanh",
            Activation::Relu => "relu",
            Activation::LeakyRelu => "leaky_relu",
            Activation::Softmax => "softmax",
        }
    }

    /// f(z) for one neuron; softmax is not element-wise and is handled by `forward_row`.
    #[inline(always)]
    pub fn apply(self, z: f64) -> f64 {
        match self {
            Activation::Identity => z,
            Activation::Sigmoid => sigmoid(z),
            Activation::Tanh => elementary::tanh(z),
            Activation::Relu => z.max(0.0),
            Activation::LeakyRelu => {
                if z > 0.0 {
                    z
                } else {
                    LEAKY_RELU_SLOPE * z
                }
            }
            Activation::Softmax => unreachable!("softmax is applied to a whole row"),
        }
    }

    /// f'(z), written in terms of a = f(z) where that is the textbook form.
    /// For softmax this is the diagonal of its Jacobian, a · (1 − a).
    #[inline(always)]
    pub fn derivative(self, z: f64, a: f64) -> f64 {
        match self {
            Activation::Identity => 1.0,
            Activation::Sigmoid | Activation::Softmax => a * (1.0 - a),
            Activation::Tanh => 1.0 - a * a,
            Activation::Relu => {
                if z > 0.0 {
                    1.0
                } else {
                    0.0
                }
            }
            Activation::LeakyRelu => {
                if z > 0.0 {
                    1.0
                } else {
                    LEAKY_RELU_SLOPE
                }
            }
        }
    }

    /// f(z) for element-wise activations; for softmax (a row function), the given `a`.
    #[inline(always)]
    pub fn apply_or(self, z: f64, a: f64) -> f64 {
        if self == Activation::Softmax {
            a
        } else {
            self.apply(z)
        }
    }

    /// a = f(z) for one sample's layer. Each kind has its own loop, so no choice is made per neuron.
    pub fn forward_row(self, z: &[f64], a: &mut [f64]) {
        fn each(z: &[f64], a: &mut [f64], f: impl Fn(f64) -> f64) {
            for (a_i, &z_i) in a.iter_mut().zip(z) {
                *a_i = f(z_i);
            }
        }
        /// Two at a time (`lanes`), the same bits as one at a time.
        fn pairs(z: &[f64], a: &mut [f64], f: impl Fn(F64x2) -> F64x2, one: impl Fn(f64) -> f64) {
            let even = z.len() / 2 * 2;
            let ((z_pairs, z_rest), (a_pairs, a_rest)) = (z.split_at(even), a.split_at_mut(even));
            for (a2, z2) in a_pairs.chunks_exact_mut(2).zip(z_pairs.chunks_exact(2)) {
                a2.copy_from_slice(&f(F64x2::new(z2[0], z2[1])).to_array());
            }
            each(z_rest, a_rest, one);
        }
        match self {
            Activation::Identity => a.copy_from_slice(z),
            Activation::Sigmoid => pairs(z, a, sigmoid_pair, sigmoid),
            Activation::Tanh => pairs(z, a, elementary::tanh_pair, elementary::tanh),
            Activation::Relu => each(z, a, |z| z.max(0.0)),
            Activation::LeakyRelu => each(z, a, |z| Activation::LeakyRelu.apply(z)),
            Activation::Softmax => softmax_row(z, a),
        }
    }

    /// dL/dz from dL/da for one sample's layer: δ = dL/da ⊙ f'(z), or for softmax
    /// δ_i = a_i · (dL/da_i − Σ_j a_j · dL/da_j) (the Jacobian-vector product).
    /// Works on whole batches too (rows × units) for the element-wise kinds.
    pub fn backward_row(self, z: &[f64], a: &[f64], grad_a: &[f64], delta: &mut [f64]) {
        fn each(z: &[f64], a: &[f64], grad_a: &[f64], delta: &mut [f64], f_prime: impl Fn(f64, f64) -> f64) {
            for (((d, &z_i), &a_i), &g_i) in delta.iter_mut().zip(z).zip(a).zip(grad_a) {
                *d = g_i * f_prime(z_i, a_i);
            }
        }
        match self {
            Activation::Identity => each(z, a, grad_a, delta, |_, _| 1.0),
            Activation::Sigmoid => each(z, a, grad_a, delta, |_, a| a * (1.0 - a)),
            Activation::Tanh => each(z, a, grad_a, delta, |_, a| 1.0 - a * a),
            Activation::Relu => each(z, a, grad_a, delta, |z, a| Activation::Relu.derivative(z, a)),
            Activation::LeakyRelu => each(z, a, grad_a, delta, |z, a| Activation::LeakyRelu.derivative(z, a)),
            Activation::Softmax => {
                let weighted: f64 = a.iter().zip(grad_a).map(|(a_j, g_j)| a_j * g_j).sum();
                for ((d, &a_i), &g_i) in delta.iter_mut().zip(a).zip(grad_a) {
                    *d = a_i * (g_i - weighted);
                }
            }
        }
    }
}

/// Softmax of one row; subtracting the largest z keeps e^z finite and changes nothing else.
fn softmax_row(z: &[f64], a: &mut [f64]) {
    let max = z.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let mut sum = 0.0;
    for (a_i, &z_i) in a.iter_mut().zip(z) {
        *a_i = elementary::exp(z_i - max);
        sum += *a_i;
    }
    for a_i in a.iter_mut() {
        *a_i /= sum;
    }
}

/// σ of two numbers at once, to the same bits as `sigmoid`: both of its branches take
/// e = e^(−|z|), then σ = 1 / (1 + e) for z ≥ 0 and e / (1 + e) below.
#[inline]
pub fn sigmoid_pair(z: F64x2) -> F64x2 {
    let e = elementary::exp_pair(F64x2::splat(0.0) - z.abs());
    let one = F64x2::splat(1.0);
    F64x2::select(z.ge(F64x2::splat(0.0)), one, e) / (one + e)
}

/// σ(z), computed without overflow for large |z|.
#[inline(always)]
pub fn sigmoid(z: f64) -> f64 {
    if z >= 0.0 {
        1.0 / (1.0 + elementary::exp(-z))
    } else {
        let e = elementary::exp(z);
        e / (1.0 + e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numeric_derivative(f: Activation, z: f64) -> f64 {
        let h = 1e-6;
        (f.apply(z + h) - f.apply(z - h)) / (2.0 * h)
    }

    #[test]
    fn element_wise_derivatives_match_finite_differences() {
        for f in Activation::ALL.into_iter().filter(|&f| f != Activation::Softmax) {
            for z in [-2.3, -0.4, 0.7, 1.9] {
                let a = f.apply(z);
                let analytic = f.derivative(z, a);
                let numeric = numeric_derivative(f, z);
                assert!((analytic - numeric).abs() < 1e-8, "{f:?} at {z}: {analytic} vs {numeric}");
            }
        }
    }

    #[test]
    fn softmax_rows_sum_to_one_and_survive_large_inputs() {
        let z = [1000.0, 1001.0, 999.0];
        let mut a = [0.0; 3];
        Activation::Softmax.forward_row(&z, &mut a);
        assert!((a.iter().sum::<f64>() - 1.0).abs() < 1e-15);
        assert!(a.iter().all(|x| x.is_finite()));
        assert!(a[1] > a[0] && a[0] > a[2]);
    }

    #[test]
    fn softmax_backward_matches_finite_differences() {
        let z = [0.3, -1.2, 0.8];
        let grad_a = [0.5, -0.25, 2.0];
        let mut a = [0.0; 3];
        Activation::Softmax.forward_row(&z, &mut a);
        let mut delta = [0.0; 3];
        Activation::Softmax.backward_row(&z, &a, &grad_a, &mut delta);
        // L = grad_a · softmax(z), so dL/dz_j is what backward_row must return.
        let l = |z: &[f64; 3]| {
            let mut a = [0.0; 3];
            Activation::Softmax.forward_row(z, &mut a);
            a.iter().zip(&grad_a).map(|(x, g)| x * g).sum::<f64>()
        };
        for j in 0..3 {
            let (mut zp, mut zm) = (z, z);
            zp[j] += 1e-6;
            zm[j] -= 1e-6;
            let numeric = (l(&zp) - l(&zm)) / 2e-6;
            assert!((delta[j] - numeric).abs() < 1e-8, "{j}: {} vs {numeric}", delta[j]);
        }
    }

    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    #[cfg_attr(not(target_arch = "wasm32"), test)]
    fn rows_two_at_a_time_give_the_bits_of_one_at_a_time() {
        let mut rng = crate::rng::Rng::new(3);
        let mut z: Vec<f64> = (0..20_001).map(|_| rng.uniform(-40.0, 40.0)).collect();
        z.extend([0.0, -0.0, 745.0, -745.0, 800.0, -800.0, 1e-12, f64::INFINITY, f64::NEG_INFINITY]);
        for f in [Activation::Tanh, Activation::Sigmoid] {
            for len in [z.len(), z.len() - 1] {
                let mut a = vec![0.0; len];
                f.forward_row(&z[..len], &mut a);
                for (a_i, &z_i) in a.iter().zip(&z) {
                    assert_eq!(a_i.to_bits(), f.apply(z_i).to_bits(), "{f:?} at {z_i}");
                }
            }
        }
        let mut a = [0.0; 2];
        Activation::Sigmoid.forward_row(&[f64::NAN, 1.0], &mut a);
        assert!(a[0].is_nan() && a[1] == sigmoid(1.0));
    }

    #[test]
    fn sigmoid_is_finite_at_the_extremes() {
        assert_eq!(sigmoid(-1000.0), 0.0);
        assert_eq!(sigmoid(1000.0), 1.0);
        assert!((sigmoid(0.0) - 0.5).abs() < 1e-16);
    }
}
