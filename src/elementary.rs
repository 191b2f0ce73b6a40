//! exp and tanh for the training loop, within a few units in the last place of the exact value.
//!
//! Why not the platform's: in the wasm build, libm's tanh (through expm1) took 40% of training
//! time. Stepping phase by phase and `train(n)` both use these, so they agree to the last bit,
//! and a few ulps (about 1e-15 relative) never show in the digits a student reads.
//!
//! - exp(x) = 2^m · 2^(j/64) · e^r, where x = (64m + j) · ln2/64 + r and |r| ≤ ln2/128; e^r − 1
//!   by its Taylor series to r⁶ (the next term is below 3e-20). The table holds 2^(j/64)
//!   correctly rounded; ln2/64 is split in two (Cody & Waite) so the reduction is exact.
//! - tanh(x) = sign(x) · (1 − 2 / (e^(2|x|) + 1)) for |x| ≥ 0.4, and below, where that
//!   subtraction would cancel, its odd Taylor series x + c₃x³ + c₅x⁵ + … to x³³.
//!
//! Constants were generated with Python's `decimal` (60 digits) and `fractions` (Bernoulli numbers).

const EXP2_TABLE: [f64; 64] = [
    1.0,
    1.0108892860517005,
    1.0218971486541166,
    1.0330248790212284,
    1.0442737824274138,
    1.0556451783605572,
    1.0671404006768237,
    1.0787607977571199,
    1.0905077326652577,
    1.102382583307841,
    1.1143867425958924,
    1.1265216186082418,
    1.1387886347566916,
    1.1511892299529827,
    1.1637248587775775,
    1.1763969916502812,
    1.189207115002721,
    1.202156731452703,
    1.215247359980469,
    1.22848053610687,
    1.241857812073484,
    1.255380757024691,
    1.2690509571917332,
    1.2828700160787783,
    1.2968395546510096,
    1.3109612115247644,
    1.3252366431597413,
    1.339667524053303,
    1.3542555469368927,
    1.3690024229745905,
    1.383909881963832,
    1.3989796725383112,
    1.4142135623730951,
    1.42961333839197,
    1.4451808069770467,
    1.460917794180647,
    1.4768261459394993,
    1.4929077282912648,
    1.5091644275934228,
    1.5255981507445384,
    1.5422108254079407,
    1.559004400237837,
    1.5759808451078865,
    1.593142151342267,
    1.6104903319492543,
    1.6280274218573478,
    1.645755478153965,
    1.6636765803267364,
    1.681792830507429,
    1.7001063537185235,
    1.718619298122478,
    1.7373338352737062,
    1.7562521603732995,
    1.7753764925265212,
    1.7947090750031072,
    1.8142521755003989,
    1.8340080864093424,
    1.8539791250833855,
    1.8741676341103,
    1.8945759815869656,
    1.9152065613971474,
    1.9360617934922943,
    1.9571441241754002,
    1.978456026387951,
];
const LN2_OVER_64_HI: f64 = 0.010830424695996044;
const LN2_OVER_64_LO: f64 = 2.5310172166650877e-13;
const SIXTY_FOUR_OVER_LN2: f64 = 92.33248261689366;
/// Coefficients of tanh x = x + c3·x³ + c5·x⁵ + … (from the Bernoulli numbers).
const TANH_SERIES: [f64; 16] = [
    -0.3333333333333333,
    0.13333333333333333,
    -0.05396825396825397,
    0.021869488536155203,
    -0.008863235529902197,
    0.003592128036572481,
    -0.0014558343870513183,
    0.000590027440945586,
    -0.00023912911424355248,
    9.691537956929451e-05,
    -3.927832388331683e-05,
    1.5918905069328964e-05,
    -6.451689215655431e-06,
    2.6147711512907546e-06,
    -1.0597268320104654e-06,
    4.294911078273806e-07,
];

/// Below this |x|, tanh uses its series.
const TANH_SERIES_BELOW: f64 = 0.4;

/// e^x.
#[inline]
pub fn exp(x: f64) -> f64 {
    // Outside this range the result overflows, is subnormal, or x is NaN: leave it to libm.
    if !(x > -708.0 && x < 709.0) {
        return x.exp();
    }
    let k = (x * SIXTY_FOUR_OVER_LN2).round_ties_even();
    let r = (x - k * LN2_OVER_64_HI) - k * LN2_OVER_64_LO;
    let k = k as i64;
    let (m, j) = (k.div_euclid(64), k.rem_euclid(64) as usize);
    // e^r − 1, then 2^(j/64) · (1 + (e^r − 1)) without rounding 1 + (e^r − 1) on its own.
    let q = r * (1.0 + r * (1.0 / 2.0 + r * (1.0 / 6.0 + r * (1.0 / 24.0 + r * (1.0 / 120.0 + r * (1.0 / 720.0))))));
    let t = EXP2_TABLE[j];
    (t + t * q) * f64::from_bits(((m + 1023) as u64) << 52)
}

/// tanh x.
#[inline]
pub fn tanh(x: f64) -> f64 {
    let a = x.abs();
    if a < 1e-9 {
        // x³/3 is below half an ulp of x here (and −0 stays −0).
        x
    } else if a < TANH_SERIES_BELOW {
        let x2 = x * x;
        let series = TANH_SERIES.iter().rev().fold(0.0, |sum, c| c + x2 * sum);
        x + x * x2 * series
    } else if a < 22.0 {
        (1.0 - 2.0 / (exp(2.0 * a) + 1.0)).copysign(x)
    } else if a >= 22.0 {
        // 1 − tanh(22) < 1e-19: the nearest double is 1.
        1.0f64.copysign(x)
    } else {
        x // NaN
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;

    /// How many doubles lie between a and b.
    fn ulps(a: f64, b: f64) -> u64 {
        let key = |x: f64| {
            let bits = x.to_bits() as i64;
            if bits < 0 { i64::MIN - bits } else { bits }
        };
        key(a).abs_diff(key(b))
    }

    fn worst(f: fn(f64) -> f64, reference: fn(f64) -> f64, low: f64, high: f64) -> (u64, f64) {
        let mut rng = Rng::new(11);
        (0..200_000)
            .map(|_| rng.uniform(low, high))
            .map(|x| (ulps(f(x), reference(x)), x))
            .max_by_key(|(u, _)| *u)
            .unwrap()
    }

    #[test]
    fn exp_is_within_two_ulps_of_libm() {
        for (low, high) in [(-1.0, 1.0), (-50.0, 50.0), (-707.0, 708.0)] {
            let (u, x) = worst(exp, f64::exp, low, high);
            assert!(u <= 2, "exp({x}) is {u} ulps from libm");
        }
        assert_eq!(exp(0.0), 1.0);
        assert_eq!(exp(f64::INFINITY), f64::INFINITY);
        assert_eq!(exp(f64::NEG_INFINITY), 0.0);
        assert!(exp(f64::NAN).is_nan());
        assert_eq!(exp(800.0), f64::INFINITY);
        assert_eq!(exp(-800.0), 0.0);
    }

    #[test]
    fn tanh_is_within_four_ulps_of_libm() {
        for (low, high) in [(-0.5, 0.5), (-3.0, 3.0), (-25.0, 25.0), (-1e-6, 1e-6)] {
            let (u, x) = worst(tanh, f64::tanh, low, high);
            assert!(u <= 4, "tanh({x}) is {u} ulps from libm");
        }
        assert_eq!(tanh(0.0), 0.0);
        assert_eq!(tanh(-0.0).to_bits(), (-0.0f64).to_bits());
        assert_eq!(tanh(40.0), 1.0);
        assert_eq!(tanh(f64::NEG_INFINITY), -1.0);
        assert!(tanh(f64::NAN).is_nan());
        assert_eq!(tanh(5e-324), 5e-324);
    }
}
