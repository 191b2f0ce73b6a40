// A lecture leaves the page training over lunch (issue 6): a million steps at full speed must
// keep the wasm memory and the JS heap flat, the loss history bounded, and the page drawing.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { appSession, assertNoErrors, frames, setSpeed } from './harness.mjs';

const session = appSession();

/** The loss history keeps at most this many points (src/history.rs, CAPACITY), thinning out. */
const HISTORY_CAPACITY = 400;

/** Steps, wasm memory, JS heap, history length and frames drawn, read from the page. */
const measure = (page) => page.evaluate(() => {
  const { session: s, page: p, view, Buffer } = window.app;
  return {
    steps: s.steps(),
    wasmBytes: view(Buffer.Weights, 0).buffer.byteLength,
    heapBytes: performance.memory.usedJSHeapSize,
    history: s.history().steps.length,
    frames: p.stats().frames,
  };
});

test('a million steps at full speed keep memory flat and the page drawing', { timeout: 300_000 }, async () => {
  const opened = await session.open();
  const { page } = opened;
  try {
    await setSpeed(page, 'max speed');
    await page.click('#play');
    // Measured from when the undo ring (64 frames of training, each with its copy of the loss
    // history, src/undo.rs) is full and the history has thinned out once: from then on
    // nothing may grow.
    await page.waitForFunction(() => window.app.session.steps() >= 250_000 && window.app.page.stats().frames >= 300, null, { timeout: 120_000, polling: 500 });
    const start = await measure(page);
    await page.waitForFunction(() => window.app.session.steps() >= 1_000_000, null, { timeout: 280_000, polling: 500 });
    const end = await measure(page);
    await page.click('#play');
    await frames(page);
    assert.equal(await page.evaluate(() => window.app.page.playing()), false);
    assert.equal(end.wasmBytes, start.wasmBytes, 'wasm memory grew');
    assert.ok(end.heapBytes - start.heapBytes < 16 * 1024 * 1024,
      `the JS heap grew by ${((end.heapBytes - start.heapBytes) / 1048576).toFixed(1)} MB`);
    assert.ok(end.history <= HISTORY_CAPACITY, `the loss history holds ${end.history} points, more than ${HISTORY_CAPACITY}`);
    assert.ok(end.history > 50, `the loss history kept only ${end.history} points`);
    const history = await page.evaluate(() => window.app.session.history());
    assert.ok(history.steps.at(-1) >= 900_000, `the history's last point is at step ${history.steps.at(-1)}`);
    assert.ok(end.frames > start.frames + 100, 'frames kept coming');
    assert.ok(Number.isFinite(await page.evaluate(() => window.app.session.datasetLoss(false))));
    assertNoErrors(opened);
  } finally {
    await page.close();
  }
});
