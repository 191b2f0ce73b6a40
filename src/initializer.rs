//! How a layer's weights and biases start.
//!
//! With fan_in inputs and fan_out neurons:
//! - `uniform`:        w ~ U(low, high), b ~ U(low, high)
//! - `xavier_uniform`: w ~ U(−r, r), r = √(6 / (fan_in + fan_out)) (Glorot & Bengio 2010), b = 0
//! - `xavier_normal`:  w ~ N(0, σ²), σ = √(2 / (fan_in + fan_out)), b = 0
//! - `he`:             w ~ N(0, σ²), σ = √(2 / fan_in) (He et al. 2015), b = 0
//! - `zeros`:          w = 0, b = 0 (every neuron of a layer then learns the same thing: a lesson)
//! - `constant`:       w = value, b = value
//!
//! Weights given by hand in the config (or a model file) take precedence over all of these.

use crate::error::{check_range, Error, Result};
use crate::rng::Rng;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InitializerKind {
    Uniform,
    #[default]
    XavierUniform,
    XavierNormal,
    He,
    Zeros,
    Constant,
}

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Initializer {
    pub kind: InitializerKind,
    /// Range of `uniform`.
    pub low: f64,
    pub high: f64,
    /// Value of `constant`.
    pub value: f64,
}

impl Default for Initializer {
    fn default() -> Self {
        Initializer { kind: InitializerKind::XavierUniform, low: -0.5, high: 0.5, value: 0.1 }
    }
}

impl Initializer {
    pub fn validate(&self) -> Result<()> {
        check_range("initializer low", self.low, -100.0, 100.0)?;
        check_range("initializer high", self.high, -100.0, 100.0)?;
        check_range("initializer value", self.value, -100.0, 100.0)?;
        if self.kind == InitializerKind::Uniform && self.low >= self.high {
            return Err(Error::InvalidConfig(format!(
                "the uniform initializer needs low < high, got low = {} and high = {}",
                self.low, self.high
            )));
        }
        Ok(())
    }

    /// Fills one layer's weights (fan_out × fan_in) and biases, drawing from `rng` in order.
    pub fn fill(&self, fan_in: usize, fan_out: usize, rng: &mut Rng, weights: &mut [f64], biases: &mut [f64]) {
        let (fan_in_f, fan_out_f) = (fan_in as f64, fan_out as f64);
        match self.kind {
            InitializerKind::Uniform => {
                weights.iter_mut().chain(biases.iter_mut()).for_each(|x| *x = rng.uniform(self.low, self.high));
            }
            InitializerKind::XavierUniform => {
                let r = (6.0 / (fan_in_f + fan_out_f)).sqrt();
                weights.iter_mut().for_each(|w| *w = rng.uniform(-r, r));
                biases.fill(0.0);
            }
            InitializerKind::XavierNormal => {
                let sigma = (2.0 / (fan_in_f + fan_out_f)).sqrt();
                weights.iter_mut().for_each(|w| *w = rng.normal(0.0, sigma));
                biases.fill(0.0);
            }
            InitializerKind::He => {
                let sigma = (2.0 / fan_in_f).sqrt();
                weights.iter_mut().for_each(|w| *w = rng.normal(0.0, sigma));
                biases.fill(0.0);
            }
            InitializerKind::Zeros => {
                weights.fill(0.0);
                biases.fill(0.0);
            }
            InitializerKind::Constant => {
                weights.fill(self.value);
                biases.fill(self.value);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(kind: InitializerKind, fan_in: usize, fan_out: usize) -> Vec<f64> {
        let init = Initializer { kind, ..Initializer::default() };
        let mut w = vec![0.0; fan_in * fan_out];
        let mut b = vec![9.0; fan_out];
        init.fill(fan_in, fan_out, &mut Rng::new(5), &mut w, &mut b);
        if kind != InitializerKind::Uniform && kind != InitializerKind::Constant {
            assert!(b.iter().all(|&x| x == 0.0));
        }
        w
    }

    fn std_dev(w: &[f64]) -> f64 {
        let mean = w.iter().sum::<f64>() / w.len() as f64;
        (w.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / w.len() as f64).sqrt()
    }

    #[test]
    fn scales_follow_the_published_formulas() {
        // U(−r, r) has standard deviation r/√3.
        let w = sample(InitializerKind::XavierUniform, 300, 100);
        let r = (6.0f64 / 400.0).sqrt();
        assert!(w.iter().all(|x| x.abs() <= r));
        assert!((std_dev(&w) - r / 3f64.sqrt()).abs() < 0.003);
        let w = sample(InitializerKind::XavierNormal, 300, 100);
        assert!((std_dev(&w) - (2.0f64 / 400.0).sqrt()).abs() < 0.003);
        let w = sample(InitializerKind::He, 300, 100);
        assert!((std_dev(&w) - (2.0f64 / 300.0).sqrt()).abs() < 0.003);
        assert!(sample(InitializerKind::Zeros, 3, 3).iter().all(|&x| x == 0.0));
        assert!(sample(InitializerKind::Constant, 3, 3).iter().all(|&x| x == 0.1));
        assert!(sample(InitializerKind::Uniform, 30, 30).iter().all(|&x| (-0.5..0.5).contains(&x)));
    }

    #[test]
    fn a_reversed_uniform_range_is_refused() {
        let init = Initializer { kind: InitializerKind::Uniform, low: 1.0, high: -1.0, value: 0.0 };
        assert!(init.validate().is_err());
    }
}
