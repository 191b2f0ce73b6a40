//! Two f64 lanes, for loops that do the same arithmetic on many numbers (the activations).
//!
//! In the wasm build this is simd128's f64x2 (one instruction for both lanes); elsewhere a pair
//! of scalars. Every operation is the IEEE operation on each lane, with no fused multiply-add,
//! so a result is the same to the last bit as scalar code doing the same steps, in either build.

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
use core::arch::wasm32::*;
use std::ops::{Add, BitAnd, Div, Mul, Sub};

/// Two f64 numbers, operated on together.
#[derive(Clone, Copy, Debug)]
pub struct F64x2(
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))] v128,
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))] [f64; 2],
);

/// Per lane: whether a comparison held.
#[derive(Clone, Copy, Debug)]
pub struct Mask(
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))] v128,
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))] [bool; 2],
);

/// 2^52 + 1023: added to an integer m it leaves m + 1023 in the low bits of the mantissa.
const EXPONENT_MAGIC: f64 = 4_503_599_627_371_519.0;

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
impl F64x2 {
    #[inline(always)]
    pub fn new(a: f64, b: f64) -> F64x2 {
        F64x2(f64x2(a, b))
    }

    #[inline(always)]
    pub fn splat(x: f64) -> F64x2 {
        F64x2(f64x2_splat(x))
    }

    #[inline(always)]
    pub fn to_array(self) -> [f64; 2] {
        [f64x2_extract_lane::<0>(self.0), f64x2_extract_lane::<1>(self.0)]
    }

    #[inline(always)]
    pub fn abs(self) -> F64x2 {
        F64x2(f64x2_abs(self.0))
    }

    #[inline(always)]
    pub fn round_ties_even(self) -> F64x2 {
        F64x2(f64x2_nearest(self.0))
    }

    #[inline(always)]
    pub fn floor(self) -> F64x2 {
        F64x2(f64x2_floor(self.0))
    }

    /// |self| with the sign of `sign`.
    #[inline(always)]
    pub fn copysign(self, sign: F64x2) -> F64x2 {
        let sign_bit = f64x2_splat(-0.0);
        F64x2(v128_bitselect(sign.0, self.0, sign_bit))
    }

    /// 2^m for integer m with a normal result (−1022 ≤ m ≤ 1023).
    #[inline(always)]
    pub fn pow2_of_integer(m: F64x2) -> F64x2 {
        F64x2(i64x2_shl(f64x2_add(m.0, f64x2_splat(EXPONENT_MAGIC)), 52))
    }

    #[inline(always)]
    pub fn lt(self, other: F64x2) -> Mask {
        Mask(f64x2_lt(self.0, other.0))
    }

    #[inline(always)]
    pub fn ge(self, other: F64x2) -> Mask {
        Mask(f64x2_ge(self.0, other.0))
    }

    /// Per lane: `if_true` where the mask holds, else `if_false`.
    #[inline(always)]
    pub fn select(mask: Mask, if_true: F64x2, if_false: F64x2) -> F64x2 {
        F64x2(v128_bitselect(if_true.0, if_false.0, mask.0))
    }
}

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
impl Mask {
    #[inline(always)]
    pub fn all(self) -> bool {
        i64x2_all_true(self.0)
    }
}

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
impl BitAnd for Mask {
    type Output = Mask;
    #[inline(always)]
    fn bitand(self, other: Mask) -> Mask {
        Mask(v128_and(self.0, other.0))
    }
}

#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
impl F64x2 {
    #[inline(always)]
    pub fn new(a: f64, b: f64) -> F64x2 {
        F64x2([a, b])
    }

    #[inline(always)]
    pub fn splat(x: f64) -> F64x2 {
        F64x2([x, x])
    }

    #[inline(always)]
    pub fn to_array(self) -> [f64; 2] {
        self.0
    }

    #[inline(always)]
    pub fn abs(self) -> F64x2 {
        F64x2(self.0.map(f64::abs))
    }

    #[inline(always)]
    pub fn round_ties_even(self) -> F64x2 {
        F64x2(self.0.map(f64::round_ties_even))
    }

    #[inline(always)]
    pub fn floor(self) -> F64x2 {
        F64x2(self.0.map(f64::floor))
    }

    /// |self| with the sign of `sign`.
    #[inline(always)]
    pub fn copysign(self, sign: F64x2) -> F64x2 {
        F64x2([self.0[0].copysign(sign.0[0]), self.0[1].copysign(sign.0[1])])
    }

    /// 2^m for integer m with a normal result (−1022 ≤ m ≤ 1023).
    #[inline(always)]
    pub fn pow2_of_integer(m: F64x2) -> F64x2 {
        F64x2(m.0.map(|m| f64::from_bits((m + EXPONENT_MAGIC).to_bits() << 52)))
    }

    #[inline(always)]
    pub fn lt(self, other: F64x2) -> Mask {
        Mask([self.0[0] < other.0[0], self.0[1] < other.0[1]])
    }

    #[inline(always)]
    pub fn ge(self, other: F64x2) -> Mask {
        Mask([self.0[0] >= other.0[0], self.0[1] >= other.0[1]])
    }

    /// Per lane: `if_true` where the mask holds, else `if_false`.
    #[inline(always)]
    pub fn select(mask: Mask, if_true: F64x2, if_false: F64x2) -> F64x2 {
        let pick = |k: usize| if mask.0[k] { if_true.0[k] } else { if_false.0[k] };
        F64x2([pick(0), pick(1)])
    }
}

#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
impl Mask {
    #[inline(always)]
    pub fn all(self) -> bool {
        self.0[0] & self.0[1]
    }
}

/// `+ − × ÷`, lane by lane.
macro_rules! lane_op {
    ($trait:ident, $method:ident, $simd:ident) => {
        impl $trait for F64x2 {
            type Output = F64x2;
            #[inline(always)]
            fn $method(self, other: F64x2) -> F64x2 {
                #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
                return F64x2($simd(self.0, other.0));
                #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
                return F64x2([self.0[0].$method(other.0[0]), self.0[1].$method(other.0[1])]);
            }
        }
    };
}

#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
impl BitAnd for Mask {
    type Output = Mask;
    #[inline(always)]
    fn bitand(self, other: Mask) -> Mask {
        Mask([self.0[0] & other.0[0], self.0[1] & other.0[1]])
    }
}

lane_op!(Add, add, f64x2_add);
lane_op!(Sub, sub, f64x2_sub);
lane_op!(Mul, mul, f64x2_mul);
lane_op!(Div, div, f64x2_div);

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    #[cfg_attr(not(target_arch = "wasm32"), test)]
    fn each_lane_is_the_scalar_operation() {
        let (x, y) = (F64x2::new(-2.5, 3.25), F64x2::new(0.5, -7.0));
        assert_eq!((x + y).to_array(), [-2.0, -3.75]);
        assert_eq!((x - y).to_array(), [-3.0, 10.25]);
        assert_eq!((x * y).to_array(), [-1.25, -22.75]);
        assert_eq!((x / y).to_array(), [-5.0, 3.25 / -7.0]);
        assert_eq!(x.abs().to_array(), [2.5, 3.25]);
        assert_eq!(x.round_ties_even().to_array(), [-2.0, 3.0]);
        assert_eq!(x.floor().to_array(), [-3.0, 3.0]);
        assert_eq!(y.abs().copysign(x).to_array(), [-0.5, 7.0]);
        assert_eq!(F64x2::pow2_of_integer(F64x2::new(-1022.0, 10.0)).to_array(), [2f64.powi(-1022), 1024.0]);
        let mask = x.lt(y) & x.ge(F64x2::splat(-3.0));
        assert_eq!(F64x2::select(mask, x, y).to_array(), [-2.5, -7.0]);
        assert!(!mask.all() && x.ge(F64x2::splat(-2.5)).all());
    }
}
