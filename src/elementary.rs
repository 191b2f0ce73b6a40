//! exp and tanh for the training loop, within 1 and 3 units in the last place of libm.
//!
//! Why not the platform's: in the wasm build, libm's tanh (through expm1) took 40% of training
//! time. Stepping phase by phase and `train(n)` both use these, so they agree to the last bit,
//! and a few ulps (about 1e-15 relative) never show in the digits a student reads.
//!
//! - exp(x) = 2^m · 2^(j/64) · e^r, where x = (64m + j) · ln2/64 + r and |r| ≤ ln2/128; e^r − 1
//!   by its Taylor series to r⁶ (the next term is below 3e-20). The table holds 2^(j/64)
//!   correctly rounded, and a second table what that rounding left out; ln2/64 is split in two (Cody & Waite) so the reduction is exact.
//! - tanh(x) = sign(x) · (e^(2|x|) − 1) / (e^(2|x|) + 1), with e^(2|x|) − 1 taken from the
//!   parts of the exp so that it does not cancel for small |x|.
//!
//! The constants were generated with Python's `decimal` module at 60 digits.

use crate::lanes::F64x2;

// Generated values: entry 32 is √2 exactly as `SQRT_2` rounds it.
#[allow(clippy::approx_constant)]
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
/// 2^(j/64) − EXP2_TABLE[j]: what rounding the table left out (for e^x − 1 near 0).
const EXP2_TABLE_LO: [f64; 64] = [
    0.0,
    -1.5234778603368577e-17,
    5.109225028973444e-17,
    7.600838874027088e-18,
    8.551889705537965e-17,
    1.759325738772092e-18,
    -7.899853966841582e-17,
    -6.656660436056593e-17,
    -3.046782079812471e-17,
    5.2660368715706944e-17,
    1.0410278456845571e-16,
    5.165856758795457e-17,
    8.912812676025408e-17,
    3.250710218863827e-17,
    3.8292048369240935e-17,
    5.554203254218079e-17,
    3.982015231465646e-17,
    6.644981499252301e-17,
    -7.712630692681488e-17,
    -1.89878163130253e-17,
    4.658027591836937e-17,
    -6.7113898212968784e-18,
    2.667932131342186e-18,
    1.713594918243561e-17,
    2.5382502794888315e-17,
    -7.181536135519454e-17,
    -2.8587312100388614e-17,
    8.927282594831732e-17,
    7.70094837980299e-17,
    9.593797919118849e-17,
    -6.770511658794786e-17,
    -9.614213209051323e-17,
    -9.667293313452913e-17,
    -1.2031642489053655e-17,
    -3.0237581349939873e-17,
    -5.600377186075216e-17,
    -3.483994556892796e-17,
    1.4192920154284036e-17,
    -1.016455327754295e-16,
    -1.1024941712342561e-16,
    7.949834809697621e-17,
    3.7812070533575275e-17,
    -1.0136916471278304e-17,
    -1.0094406542311964e-16,
    2.4707192569797888e-17,
    -6.712955084707084e-17,
    -1.0125679913674773e-16,
    5.8909926967131e-17,
    8.199010020581497e-17,
    -8.0237193703977e-18,
    -1.851380418263111e-17,
    3.164389299292957e-17,
    2.960140695448873e-17,
    6.429731796556572e-17,
    1.8227458427912087e-17,
    -9.969531538920349e-17,
    3.283107224245627e-17,
    9.761887490727594e-17,
    -6.122763413004143e-17,
    3.4034035352165297e-17,
    -1.0619946056195963e-16,
    1.0332385960676326e-16,
    8.960767791036668e-17,
    4.0388753109278167e-17,
];

const LN2_OVER_64_HI: f64 = 0.010830424695996044;
const LN2_OVER_64_LO: f64 = 2.5310172166650877e-13;
const SIXTY_FOUR_OVER_LN2: f64 = 92.33248261689366;

/// e^x = 2^m · 2^(j/64) · (1 + q), with q = e^r − 1, for x in (−708, 709): (m, j, q).
#[inline(always)]
fn exp_parts(x: f64) -> (i64, usize, f64) {
    let k = (x * SIXTY_FOUR_OVER_LN2).round_ties_even();
    let r = (x - k * LN2_OVER_64_HI) - k * LN2_OVER_64_LO;
    let k = k as i64;
    // Estrin's scheme: the two halves of the polynomial do not wait on each other.
    let r2 = r * r;
    let q = r + r2 * ((1.0 / 2.0 + r * (1.0 / 6.0)) + r2 * ((1.0 / 24.0 + r * (1.0 / 120.0)) + r2 * (1.0 / 720.0)));
    (k.div_euclid(64), k.rem_euclid(64) as usize, q)
}

/// 2^m for m in the normal range.
#[inline(always)]
fn pow2(m: i64) -> f64 {
    f64::from_bits(((m + 1023) as u64) << 52)
}

/// e^x.
#[inline]
#[allow(clippy::neg_cmp_op_on_partial_ord)]
pub fn exp(x: f64) -> f64 {
    // Outside this range the result overflows, is subnormal, or x is NaN (hence the negated
    // comparison, true for NaN): leave it to libm.
    if !(x > -708.0 && x < 709.0) {
        return x.exp();
    }
    let (m, j, q) = exp_parts(x);
    let t = EXP2_TABLE[j];
    // t · (1 + q) without rounding 1 + q on its own.
    (t + t * q) * pow2(m)
}

/// tanh x = (e^(2x) − 1) / (e^(2x) + 1), computed from |x|.
#[inline]
pub fn tanh(x: f64) -> f64 {
    let a = x.abs();
    if a < 1e-9 {
        // x³/3 is below half an ulp of x here (and −0 stays −0).
        return x;
    }
    if a >= 22.0 || a.is_nan() {
        // 1 − tanh(22) < 1e-19, so the nearest double is 1; NaN stays NaN.
        return if a.is_nan() { x } else { 1.0f64.copysign(x) };
    }
    let (m, j, q) = exp_parts(2.0 * a);
    let t = EXP2_TABLE[j];
    // e^(2a) − 1 without cancellation: when m = 0, t − 1 is exact (t is in [1, 2)) and the
    // table's rounding is added back, so small results keep their relative accuracy.
    // Both are cheap and m is unpredictable, so both are computed and one is picked (no branch).
    let small = ((t - 1.0) + EXP2_TABLE_LO[j]) + t * q;
    let large = (t + t * q) * pow2(m) - 1.0;
    let e_minus_1 = if m == 0 { small } else { large };
    (e_minus_1 / (e_minus_1 + 2.0)).copysign(x)
}

/// e^x = 2^m · 2^(j/64) · (1 + q) for two numbers at once: (k = 64m + j as a number, q), with
/// the very steps of `exp_parts`.
#[inline(always)]
fn exp_parts_pair(x: F64x2) -> (F64x2, F64x2) {
    let k = (x * F64x2::splat(SIXTY_FOUR_OVER_LN2)).round_ties_even();
    let r = (x - k * F64x2::splat(LN2_OVER_64_HI)) - k * F64x2::splat(LN2_OVER_64_LO);
    let r2 = r * r;
    let c = F64x2::splat;
    let q = r + r2
        * ((c(1.0 / 2.0) + r * c(1.0 / 6.0)) + r2 * ((c(1.0 / 24.0) + r * c(1.0 / 120.0)) + r2 * c(1.0 / 720.0)));
    (k, q)
}

/// The table entries for k = 64m + j (j = k mod 64): (2^(j/64), what its rounding left out).
#[inline(always)]
fn table_pair(k: F64x2) -> (F64x2, F64x2) {
    let [j0, j1] = k.to_array().map(|k| (k as i64).rem_euclid(64) as usize);
    (F64x2::new(EXP2_TABLE[j0], EXP2_TABLE[j1]), F64x2::new(EXP2_TABLE_LO[j0], EXP2_TABLE_LO[j1]))
}

/// m = ⌊k / 64⌋ (exact: k is an integer, and dividing by 64 only moves the exponent).
#[inline(always)]
fn exponent_of(k: F64x2) -> F64x2 {
    (k * F64x2::splat(1.0 / 64.0)).floor()
}

/// `exp` of two numbers at once, to the same bits.
#[inline]
pub fn exp_pair(x: F64x2) -> F64x2 {
    // The range of `exp`'s own table path (outside it, and for NaN, `exp` itself).
    if !(F64x2::splat(-708.0).lt(x) & x.lt(F64x2::splat(709.0))).all() {
        return F64x2::new(exp(x.to_array()[0]), exp(x.to_array()[1]));
    }
    let (k, q) = exp_parts_pair(x);
    let (t, _) = table_pair(k);
    (t + t * q) * F64x2::pow2_of_integer(exponent_of(k))
}

/// `tanh` of two numbers at once, to the same bits (the lanes outside its main range go
/// through `tanh` itself).
#[inline]
pub fn tanh_pair(x: F64x2) -> F64x2 {
    let a = x.abs();
    if !(a.ge(F64x2::splat(1e-9)) & a.lt(F64x2::splat(22.0))).all() {
        let [x0, x1] = x.to_array();
        return F64x2::new(tanh(x0), tanh(x1));
    }
    let (k, q) = exp_parts_pair(F64x2::splat(2.0) * a);
    let (t, t_lo) = table_pair(k);
    let one = F64x2::splat(1.0);
    let small = ((t - one) + t_lo) + t * q;
    let large = (t + t * q) * F64x2::pow2_of_integer(exponent_of(k)) - one;
    // m = 0 exactly when k < 64 (k ≥ 0 here).
    let e_minus_1 = F64x2::select(k.lt(F64x2::splat(64.0)), small, large);
    (e_minus_1 / (e_minus_1 + F64x2::splat(2.0))).copysign(x)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;

    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    #[cfg_attr(not(target_arch = "wasm32"), test)]
    fn the_pairs_give_the_scalar_bits() {
        let mut rng = Rng::new(5);
        let mut edges = vec![0.0, -0.0, 1e-9, -1e-9, 1e-10, 22.0, -22.0, 21.999, 5e-324, 708.9, 709.0, -708.0, -707.9];
        edges.extend([-745.0, -800.0, 800.0, f64::INFINITY, f64::NEG_INFINITY, f64::NAN, 0.34657359027997264]);
        let mut xs: Vec<f64> =
            (0..100_000).map(|i| rng.uniform(-30.0, 30.0) * if i % 3 == 0 { 1e-3 } else { 1.0 }).collect();
        xs.extend(edges.iter().flat_map(|&e| [e, 0.5, e]));
        for pair in xs.chunks_exact(2) {
            let x = F64x2::new(pair[0], pair[1]);
            let bits = |v: F64x2| v.to_array().map(f64::to_bits);
            assert_eq!(bits(tanh_pair(x)), [tanh(pair[0]).to_bits(), tanh(pair[1]).to_bits()], "tanh {pair:?}");
            let e = F64x2::new(pair[0] * 25.0, pair[1] * 25.0);
            let [e0, e1] = e.to_array();
            assert_eq!(bits(exp_pair(e)), [exp(e0).to_bits(), exp(e1).to_bits()], "exp {pair:?}");
        }
    }

    /// How many doubles lie between a and b.
    fn ulps(a: f64, b: f64) -> u64 {
        let key = |x: f64| {
            let bits = x.to_bits() as i64;
            if bits < 0 {
                i64::MIN - bits
            } else {
                bits
            }
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
    fn exp_is_within_one_ulp_of_libm() {
        for (low, high) in [(-1.0, 1.0), (-50.0, 50.0), (-707.0, 708.0)] {
            let (u, x) = worst(exp, f64::exp, low, high);
            assert!(u <= 1, "exp({x}) is {u} ulps from libm");
        }
        assert_eq!(exp(0.0), 1.0);
        assert_eq!(exp(f64::INFINITY), f64::INFINITY);
        assert_eq!(exp(f64::NEG_INFINITY), 0.0);
        assert!(exp(f64::NAN).is_nan());
        assert_eq!(exp(800.0), f64::INFINITY);
        assert_eq!(exp(-800.0), 0.0);
    }

    #[test]
    fn tanh_is_within_three_ulps_of_libm() {
        for (low, high) in [(-0.5, 0.5), (-3.0, 3.0), (-25.0, 25.0), (-1e-6, 1e-6)] {
            let (u, x) = worst(tanh, f64::tanh, low, high);
            assert!(u <= 3, "tanh({x}) is {u} ulps from libm");
        }
        assert_eq!(tanh(0.0), 0.0);
        assert_eq!(tanh(-0.0).to_bits(), (-0.0f64).to_bits());
        assert_eq!(tanh(40.0), 1.0);
        assert_eq!(tanh(f64::NEG_INFINITY), -1.0);
        assert!(tanh(f64::NAN).is_nan());
        assert_eq!(tanh(5e-324), 5e-324);
    }
}
