//! Index and count arguments of the JavaScript face, taken as the `JsValue` JS passed.
//!
//! wasm-bindgen's `u32` would wrap `2**32 + 3` to 3 and read `NaN`, `undefined` and `null` as
//! 0, so every index, count, seed and colour the exported API takes arrives as a `JsValue`
//! and goes through `argument.rs`: a whole number in range, or a JS `Error` (kind
//! `out_of_range`) that names the argument and the range.

use crate::argument::{self, Given};
use crate::chain_rule::ParamRef;
use crate::trainer::{Trainer, MAX_STEPS_PER_CALL};
use crate::wasm::js_error;
use wasm_bindgen::JsValue;

type JsResult<T> = Result<T, JsValue>;

/// What JS passed, for `argument.rs`: a number as it is, anything else by its name.
pub(crate) fn given(value: &JsValue) -> Given {
    if let Some(x) = value.as_f64() {
        return Given::Number(x);
    }
    Given::Other(if value.is_undefined() {
        "undefined"
    } else if value.is_null() {
        "null"
    } else if value.is_string() {
        "a string"
    } else if value.as_bool().is_some() {
        "a boolean"
    } else if value.is_bigint() {
        "a BigInt"
    } else if value.is_function() {
        "a function"
    } else if value.is_symbol() {
        "a symbol"
    } else {
        "an object"
    })
}

/// An index into `count` things called `name` (0 to count − 1).
pub(crate) fn index(name: &str, value: &JsValue, count: usize) -> JsResult<usize> {
    argument::index(name, given(value), count).map_err(js_error)
}

/// A whole number from `low` to `high`.
pub(crate) fn whole(name: &str, value: &JsValue, low: u64, high: u64) -> JsResult<u64> {
    argument::whole(name, given(value), low, high).map_err(js_error)
}

/// A `u32` from `low` to `high` (a count, a seed, a colour).
pub(crate) fn whole_u32(name: &str, value: &JsValue, low: u32, high: u32) -> JsResult<u32> {
    argument::whole_u32(name, given(value), low, high).map_err(js_error)
}

/// The count of steps for `train`. A whole number above the trainer's limit reaches the trainer,
/// whose refusal (kind `limit`) says what the limit is for; anything else that is not a whole
/// number is refused naming the range `train` runs (0 to 10,000,000), not the range of a `u32`.
pub(crate) fn steps(value: &JsValue) -> JsResult<u32> {
    argument::whole_u32("steps", given(value), 0, u32::MAX)
        .or_else(|_| argument::whole_u32("steps", given(value), 0, MAX_STEPS_PER_CALL))
        .map_err(js_error)
}

/// An optional argument: `undefined` (left out) is none; anything else must be a whole number
/// from `low` to `high`.
pub(crate) fn optional_u32(name: &str, value: &JsValue, low: u32, high: u32) -> JsResult<Option<u32>> {
    if value.is_undefined() {
        Ok(None)
    } else {
        whole_u32(name, value, low, high).map(Some)
    }
}

/// The side of a heatmap grid: 2 to 512 points.
pub(crate) fn grid_resolution(value: &JsValue) -> JsResult<usize> {
    whole("the grid resolution", value, 2, 512).map(|r| r as usize)
}

/// The weight (with `input`) or bias (without) that `layer`, `neuron` and `input` name in a
/// trainer's network, each checked against the counts of that network.
pub(crate) fn parameter(
    trainer: &Trainer,
    layer: &JsValue,
    neuron: &JsValue,
    input: Option<&JsValue>,
) -> JsResult<ParamRef> {
    let layers = &trainer.network().layers;
    let layer = index("layer", layer, layers.len())?;
    // Parameter rows: a dense layer's neurons, a convolution's output channels (its kernels).
    let neuron = index("neuron", neuron, layers[layer].parameter_rows())?;
    let input = input.map(|input| index("input", input, layers[layer].row_len())).transpose()?;
    Ok(ParamRef { layer, neuron, input })
}

/// Each element of a JS array of numbers (passed as `Float64Array`, so nothing is wrapped on
/// the way in) as a whole number from `low` to `high`; `name` is what one element is called.
pub(crate) fn wholes(name: &str, values: &[f64], low: u64, high: u64) -> JsResult<Vec<u64>> {
    values
        .iter()
        .enumerate()
        .map(|(k, &x)| argument::whole(&format!("{name} {k}"), Given::Number(x), low, high).map_err(js_error))
        .collect()
}
