// The optimized www/pkg output (wasm-bindgen --target web, then wasm-opt) must still
// instantiate: a wasm-opt that drops or mangles a feature fails here, in Node, before
// any browser starts (e.g. Debian's binaryen 108: "WebAssembly.Table.set(): Argument 1 is invalid").

import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { WWW_DIR } from './harness.mjs';

const PKG = path.join(WWW_DIR, 'pkg');
const JS = path.join(PKG, 'backprop_viz.js');
const WASM = path.join(PKG, 'backprop_viz_bg.wasm');

test('optimized wasm validates and instantiates in Node', async () => {
  assert.ok(existsSync(JS) && existsSync(WASM), `${PKG} is missing: run \`make build\` first`);
  const bytes = readFileSync(WASM);
  assert.ok(WebAssembly.validate(bytes), `${WASM} does not validate`);

  const glue = await import(pathToFileURL(JS).href);
  assert.equal(typeof glue.initSync, 'function', 'wasm-bindgen glue has no initSync (not --target web?)');
  const exports = glue.initSync({ module: bytes });
  assert.ok(exports.memory instanceof WebAssembly.Memory, 'instance exports no memory');
});
