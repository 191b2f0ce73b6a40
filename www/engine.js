// The engine's JavaScript side: loads the wasm module and builds typed-array views over its
// memory. Works in the browser and in Node (pass the .wasm bytes to loadEngine there).
import init, {
  Engine, Buffer, DataSet, wasmMemory, freshSeed, lessons, encodeShareQuery, decodeShareQuery, drawLossChart, drawLossSeries,
} from './pkg/backprop_viz.js';

export { Engine, Buffer, DataSet, freshSeed, lessons, encodeShareQuery, decodeShareQuery, drawLossChart, drawLossSeries };

let loading = null;

/** Loads the wasm once. In the browser call it with no argument; in Node pass the bytes of
 *  `pkg/backprop_viz_bg.wasm`. */
export function loadEngine(wasmBytes) {
  loading ??= wasmBytes === undefined ? init() : init({ module_or_path: wasmBytes });
  return loading;
}

/** A Float64Array over one of the engine's arrays, without copying. Wasm memory can grow
 *  during any engine call, which detaches older views: build views fresh each frame. */
export function view(engine, buffer, layer = 0) {
  return new Float64Array(wasmMemory().buffer, engine.bufferPtr(buffer, layer), engine.bufferLen(buffer, layer));
}
