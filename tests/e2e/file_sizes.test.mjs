// Issue 16, sizes before copies: a file larger than the engine's limit is refused by its size
// (File.size, in JS) before it is read, so wasm memory does not grow; a file within the limit
// still loads.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { appSession, assertNoErrors, banner } from './harness.mjs';

const session = appSession();

/** Feeds a File of `bytes` zero bytes, made in the page, to the file input `selector`; returns
 *  the wasm memory's byteLength before and after, and the banner. */
const feedLarge = (page, selector, name, bytes) => page.evaluate(async ({ selector, name, bytes }) => {
  const memory = () => window.app.view(window.app.Buffer.Weights, 0).buffer.byteLength;
  const before = memory();
  const input = document.querySelector(selector);
  const transfer = new DataTransfer();
  transfer.items.add(new File([new Uint8Array(bytes)], name));
  input.files = transfer.files;
  input.dispatchEvent(new Event('change'));
  await new Promise((resolve) => setTimeout(resolve, 300));
  return { before, after: memory() };
}, { selector, name, bytes });

test('a 50 MB CSV and a 100 MB model file are refused by their size, and wasm memory does not grow', { timeout: 60_000 }, async () => {
  const opened = await session.open();
  const { page } = opened;
  try {
    const csv = await feedLarge(page, '#csv-file', 'huge.csv', 50 * 1024 * 1024);
    let shown = await banner(page);
    assert.match(shown.text, /The file huge\.csv is 50 MiB: a CSV file may be at most 16 MiB/);
    assert.equal(shown.error, 'limit');
    assert.equal(csv.after, csv.before, 'wasm memory grew on a refused CSV');
    const model = await feedLarge(page, '#import-model', 'huge.json', 100 * 1024 * 1024);
    shown = await banner(page);
    assert.match(shown.text, /The file huge\.json is 100 MiB: a model file may be at most 64 MiB/);
    assert.equal(model.after, csv.before, 'wasm memory grew on a refused model file');
    // A file within the limit still loads, and can be read again for another label column.
    await page.setInputFiles('#csv-file', { name: 'small.csv', mimeType: 'text/csv', buffer: Buffer.from('a,b,label\n1,2,0\n3,4,1\n5,6,0\n7,8,1\n') });
    await page.waitForFunction(() => window.app.session.dataInfo().origin === 'custom');
    await page.selectOption('#csv-label', '0');
    await page.waitForFunction(() => window.app.session.dataInfo().train_points + window.app.session.dataInfo().test_points === 4);
    assertNoErrors(opened);
  } finally {
    await page.close();
  }
});
