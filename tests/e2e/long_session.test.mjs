// A lecture leaves the page training over lunch (issue 6): a million steps at full speed must
// keep the wasm memory and the JS heap flat, the loss history bounded, and the page drawing.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { appSession, assertNoErrors, frames } from './harness.mjs';

const session = appSession();

/** Steps, wasm memory, JS heap, history length and frames drawn, read from the page. */
const measure = (page) => page.evaluate(() => {
  const { state, history, view, Buffer } = window.app;
  return {
    steps: state.engine.steps(),
    wasmBytes: view(Buffer.Weights, 0).buffer.byteLength,
    heapBytes: performance.memory.usedJSHeapSize,
    history: history.length,
    frames: state.stats.frames,
  };
});

test('a million steps at full speed keep memory flat and the page drawing', { timeout: 300_000 }, async () => {
  const opened = await session.open();
  const { page } = opened;
  try {
    await page.selectOption('#speed', { label: 'max speed' });
    await page.click('#play');
    await page.waitForFunction(() => window.app.state.engine.steps() >= 20_000, null, { timeout: 60_000 });
    const start = await measure(page);
    await page.waitForFunction(() => window.app.state.engine.steps() >= 1_000_000, null, { timeout: 280_000, polling: 500 });
    const end = await measure(page);
    await page.click('#play');
    await frames(page);
    assert.equal(end.wasmBytes, start.wasmBytes, 'wasm memory grew');
    assert.ok(end.heapBytes - start.heapBytes < 16 * 1024 * 1024,
      `the JS heap grew by ${((end.heapBytes - start.heapBytes) / 1048576).toFixed(1)} MB`);
    const capacity = await page.evaluate(() => window.app.history.steps.length);
    assert.ok(end.history <= capacity, `the loss history holds ${end.history} points, more than ${capacity}`);
    assert.ok(end.frames > start.frames + 100, 'frames kept coming');
    assert.ok(Number.isFinite(await page.evaluate(() => window.app.state.engine.loss())));
    assertNoErrors(opened);
  } finally {
    await page.close();
  }
});
