// The engine's JavaScript side: loads the wasm module and builds typed-array views over its
// memory. Works in the browser and in Node (pass the .wasm bytes to loadEngine there).
//
// The exports are live bindings: after an internal error (a panic traps the WebAssembly
// instance, which cannot be trusted afterwards) `reloadEngine` loads a fresh instance and
// rebinds them, so the page can start again without a reload.
import * as firstInstance from './pkg/backprop_viz.js';

export let Engine, Session, Buffer, DataSet, freshSeed, lessons, lessonList, catalogue, fileLimits, encodeShareQuery, decodeShareQuery,
  drawLossChart, drawLossSeries, internalErrorForTests;
let glue = firstInstance;

function adopt(module) {
  glue = module;
  ({ Engine, Session, Buffer, DataSet, freshSeed, lessons, lessonList, catalogue, fileLimits, encodeShareQuery, decodeShareQuery,
    drawLossChart, drawLossSeries, internalErrorForTests } = module);
  guardFreed(Engine, 'engine');
  guardFreed(Session, 'session');
  guardFreed(DataSet, 'data set');
}

/** What each guarded class's objects are called, by prototype. */
const nouns = new Map();
/** Guarded objects inside one of their own calls, with how deep; and those freed meanwhile. */
const busy = new WeakMap();
const freeWhenIdle = new WeakSet();

/** The error a freed object's methods throw, with `kind` 'freed' like the engine's own errors. */
function freedError(noun) {
  const error = new Error(`this ${noun} was freed`);
  error.kind = 'freed';
  return error;
}

/** A method of a freed wasm-bindgen object reaches Rust with a null pointer, and wasm-bindgen
 *  can only say "null pointer passed to rust". wasm-bindgen sets `__wbg_ptr` to 0 on `free()`,
 *  so each method of the class is wrapped, on its prototype (which also covers objects the glue
 *  makes itself, such as `Engine.fromModel`), to say which object was freed, for `this` and for
 *  a guarded object passed as an argument. A second `free()` does nothing. */
function guardFreed(Class, noun) {
  const prototype = Class.prototype;
  if (nouns.has(prototype)) return;
  nouns.set(prototype, noun);
  for (const name of Object.getOwnPropertyNames(prototype)) {
    const descriptor = Object.getOwnPropertyDescriptor(prototype, name);
    const method = descriptor.value;
    if (name === 'constructor' || name.startsWith('__') || typeof method !== 'function') continue;
    const guarded = name === 'free'
      ? function free() {
        // Freed from inside one of its own calls (a getter of an argument, a callback): Rust
        // still holds it, and wasm-bindgen would zero the pointer and leak the value. The free
        // waits until the outermost call returns; calls meanwhile say it was freed.
        if (busy.has(this)) freeWhenIdle.add(this);
        else if (this.__wbg_ptr !== 0) method.call(this);
      }
      : function guarded(...args) {
        if (this.__wbg_ptr === 0 || freeWhenIdle.has(this)) throw freedError(noun);
        for (const arg of args) {
          const argNoun = arg !== null && typeof arg === 'object' && nouns.get(Object.getPrototypeOf(arg));
          if (argNoun && (arg.__wbg_ptr === 0 || freeWhenIdle.has(arg))) throw freedError(argNoun);
        }
        busy.set(this, (busy.get(this) ?? 0) + 1);
        try {
          return method.apply(this, args);
        } finally {
          const depth = busy.get(this) - 1;
          if (depth > 0) busy.set(this, depth);
          else {
            busy.delete(this);
            // A free that fails here (the instance trapped in the call) must not hide the call's own error.
            if (freeWhenIdle.delete(this)) try { this.free(); } catch { /* the instance is gone anyway */ }
          }
        }
      };
    Object.defineProperty(prototype, name, { ...descriptor, value: guarded });
  }
}
adopt(firstInstance);

let loading = null;
/** A WebAssembly.Module compiled elsewhere (the embed element compiles the wasm once for every
 *  frame on its page and posts the module to each), used in place of fetching the file. */
let compiled = null;

/** The engine's wasm file, beside the glue (pkg/). */
const wasmUrl = () => new URL('./pkg/backprop_viz_bg.wasm', import.meta.url);

/** Makes `loadEngine` (and `reloadEngine`) instantiate `module`, a compiled WebAssembly.Module
 *  of pkg/backprop_viz_bg.wasm, instead of fetching and compiling the file. Call it before
 *  `loadEngine`. */
export function useCompiledEngine(module) {
  compiled = module;
}

/** Fetches and compiles the wasm (once) without instantiating it, for a page that shares the
 *  module with others (www/embed.js); `loadEngine` then uses it. */
export async function compileEngine() {
  compiled ??= await WebAssembly.compileStreaming(fetch(wasmUrl()));
  return compiled;
}
/** The shipped digits file's bytes, kept to hand to a fresh instance after a restart. */
let digitsBytes = null;
/** The fetch of the digits under way (or done), so that it happens once. */
let digitsFetch = null;

/** Loads the wasm once. The 8×8 digits (a quarter of the page's weight) are not fetched here:
 *  `loadDigits` fetches them when a change first asks for them (`takeDigitsWanted`). In Node
 *  pass the bytes of `pkg/backprop_viz_bg.wasm` (and of `data/digits.bin` if wanted). */
export function loadEngine(wasmBytes, digits) {
  loading ??= (async () => {
    // The wasm's URL is given from here, not left to the glue: in the bundled page (`make
    // build`, dist/) the glue is inlined into main.js, beside pkg/ rather than in it.
    const wasm = wasmBytes ?? compiled ?? wasmUrl();
    await firstInstance.default({ module_or_path: wasm });
    if (digits) registerFetched(digits);
  })();
  return loading;
}

/** Hands the digits' bytes to the engine; a damaged file is dropped (the digits problems then
 *  say they are not loaded). */
function registerFetched(bytes) {
  try {
    glue.registerDigits(bytes);
    digitsBytes = bytes;
  } catch {
    digitsBytes = null;
  }
}

/** Whether a change asked for the digits before they were registered (reading clears it). */
export function takeDigitsWanted() {
  return glue.takeDigitsWanted();
}

/** Fetches the digits from the page's own origin and registers them, once; true when they
 *  are registered (false: the file could not be fetched or read). */
export function loadDigits() {
  digitsFetch ??= fetchDigits().then((bytes) => {
    if (bytes) registerFetched(bytes);
    return digitsBytes !== null;
  });
  return digitsFetch;
}

/** The digits file, or null when it cannot be fetched (the digits problems then say so). */
async function fetchDigits() {
  try {
    const response = await fetch(new URL('./data/digits.bin', import.meta.url));
    return response.ok ? new Uint8Array(await response.arrayBuffer()) : null;
  } catch {
    return null;
  }
}

let instances = 0;

/** Loads a fresh instance of the engine (a new copy of the module) and rebinds the exports.
 *  Every object of the old instance (engines, data sets) is dead: make them anew. */
export async function reloadEngine() {
  instances += 1;
  // A URL made at run time: the bundler leaves this import to the browser (a new copy each time).
  const glueUrl = new URL(`./pkg/backprop_viz.js?instance=${instances}`, import.meta.url);
  const fresh = await import(glueUrl.href);
  await fresh.default(compiled ? { module_or_path: compiled } : undefined);
  adopt(fresh);
  if (digitsBytes) glue.registerDigits(digitsBytes);
}

/** True for the error a trapped instance throws (a panic inside the engine). */
export function isInternalError(error) {
  return error instanceof WebAssembly.RuntimeError;
}

/** A Float64Array over one of the engine's (or a session's) arrays, without copying. Wasm memory can grow
 *  during any engine call, which detaches older views: build views fresh each frame. */
export function view(engine, buffer, layer = 0) {
  return new Float64Array(glue.wasmMemory().buffer, engine.bufferPtr(buffer, layer), engine.bufferLen(buffer, layer));
}
