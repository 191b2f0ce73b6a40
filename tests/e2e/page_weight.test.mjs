// Issue 15: the page's weight. Everything the page loads before its first frame (HTML, CSS,
// JS, wasm; gzip -9 per file, as scripts/sizes.sh counts, 1 KB = 1000 bytes) must stay within
// the budget; the 8×8 digits are fetched only when a change asks for them.
//
// It measures the page as `make build` bundles and minifies it into dist/ (what `make serve`
// serves); PAGE_WEIGHT_DIR measures another copy (such as www/, the unbundled modules).

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { test, before, after } from 'node:test';
import { gzipSync } from 'node:zlib';
import { existsSync } from 'node:fs';
import { REPO_ROOT, frames, launchBrowser, startServer } from './harness.mjs';

/** Issue 15's target is 200 KB; the budget is the figure reached so far, so that the page
 *  cannot grow back while the rest of the way is found. 397 KB when the bundle landed; the
 *  computation-graph view (+22 KB) and the f64x2 kernels (+7 KB) came after: 432 KB. Then
 *  the tours and checkpoints (+17.6 KB of gzipped wasm) and the layer kinds in the config
 *  (+13.4 KB), measured by building the wasm at each merge: 464 KB, and the tour bar's JS; then
 *  the layer kinds wired into the network and their views (+21 KB of wasm, +4 KB of JS): 494 KB;
 *  the edges data and lesson (+2 KB): 497 KB; the recurrent layer kind in the network, the
 *  recall data and lesson (+15.5 KB of wasm) and the unrolled view (+5 KB of JS): 518.3 KB.
 *  Issue 15's leads to win it back are in bench/README.md (texts out of the wasm, the cold
 *  modules loaded lazily). */
const TARGET_KB = 200;
const BUDGET_KB = 520;
const ROOT = path.resolve(process.env.PAGE_WEIGHT_DIR ?? path.join(REPO_ROOT, 'dist'));

let server;
let browser;
before(async () => {
  assert.ok(existsSync(path.join(ROOT, 'index.html')), `${ROOT} holds no page: run \`make build\` first`);
  server = await startServer({ root: ROOT });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

/** Bytes after `gzip -9`; zlib level 9 if gzip is missing. */
function gzipSize(body) {
  const gzip = spawnSync('gzip', ['-9c'], { input: body, maxBuffer: 1 << 28 });
  return gzip.status === 0 ? gzip.stdout.length : gzipSync(body, { level: 9 }).length;
}

/** Opens `query` and returns what was fetched before the first frame after the page said it
 *  was ready ({name, gzip}, largest first), every URL requested, the page and its errors. */
async function load(query = '') {
  const page = await browser.newPage();
  const errors = [];
  const requested = [];
  const bodies = [];
  let firstFrameDone = false;
  page.on('pageerror', (error) => errors.push(String(error)));
  page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
  page.on('request', (request) => requested.push({ url: request.url(), beforeFirstFrame: !firstFrameDone }));
  page.on('response', (response) => {
    if (response.status() >= 400) errors.push(`${response.url()}: HTTP ${response.status()}`);
    bodies.push(response.body().then((body) => ({ url: response.url(), body })).catch(() => null));
  });
  await page.goto(`${server.url}/index.html${query}`);
  await page.waitForFunction(() => document.body.dataset.state !== 'loading', null, { timeout: 60_000 });
  assert.equal(await page.evaluate(() => document.body.dataset.state), 'ready', errors.join('\n'));
  await frames(page, 1);
  firstFrameDone = true;
  const early = new Set(requested.filter((r) => r.beforeFirstFrame).map((r) => r.url));
  const files = [];
  for (const entry of await Promise.all(bodies)) {
    if (!entry || !early.has(entry.url)) continue;
    files.push({ name: new URL(entry.url).pathname, gzip: gzipSize(entry.body) });
  }
  files.sort((a, b) => b.gzip - a.gzip);
  return { files, requested, page, errors };
}

const kb = (bytes) => `${(bytes / 1000).toFixed(1)} KB`;

test(`everything the page loads before its first frame is at most ${BUDGET_KB} KB gzipped (target ${TARGET_KB} KB)`, { timeout: 120_000 }, async () => {
  const { files, page, errors } = await load();
  try {
    const total = files.reduce((sum, f) => sum + f.gzip, 0);
    const table = files.map((f) => `  ${f.name.padEnd(36)} ${kb(f.gzip).padStart(10)}`).join('\n');
    console.log(`before the first frame (gzip -9):\n${table}\n  ${'total'.padEnd(36)} ${kb(total).padStart(10)}`);
    assert.ok(!files.some((f) => f.name.endsWith('digits.bin')), 'the digits are fetched before a digits lesson is opened');
    assert.ok(total <= BUDGET_KB * 1000, `the page loads ${kb(total)} gzipped before its first frame, over the budget of ${BUDGET_KB} KB:\n${table}`);
    assert.deepEqual(errors, []);
  } finally {
    await page.close();
  }
});

test('a link to the digits lesson fetches the digits, and the lesson opens with them', { timeout: 120_000 }, async () => {
  const { requested, page, errors } = await load('?lesson=digits');
  try {
    assert.ok(requested.some((r) => r.url.endsWith('/data/digits.bin')), 'the digits were fetched');
    const info = await page.evaluate(() => app.session.dataInfo());
    assert.equal(info.dims, 64, 'the digits lesson has 8×8 images as its data');
    assert.equal(await page.evaluate(() => app.session.settings().lesson), 'digits');
    assert.deepEqual(errors, []);
  } finally {
    await page.close();
  }
});

test('the bundled page loads a fresh engine after an internal error (its glue is kept in pkg/)', { timeout: 120_000 }, async () => {
  const { page, errors } = await load();
  try {
    await page.evaluate(() => window.app.internalErrorForTests());
    assert.equal(await page.evaluate(() => window.app.page.broken()), true);
    await page.click('#reset');
    await page.waitForFunction(() => !window.app.page.broken(), null, { timeout: 20_000 });
    await page.click('#step-sample');
    await page.waitForFunction(() => window.app.session.steps() === 1, null, { timeout: 10_000 });
    // The deliberate panic logs to the console; nothing else may go wrong.
    assert.deepEqual(errors.filter((e) => !e.includes('deliberate internal error')), []);
  } finally {
    await page.close();
  }
});
