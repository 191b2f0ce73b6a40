// Convolutional networks in the page (issue 12), in real headless Chromium: a link with layer
// kinds opens the maps view (feature maps per stage, the kernels as grids) in place of the layer
// view; the phase captions spell out the convolution's backward pass; a kernel weight picked with
// the mouse or the keyboard shows its chain rule: used at every position of every sample, dL/dK
// the sum of the terms δ · x̃, equal to the engine's batch gradient.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { appSession, assertNoErrors, digitsArrived, frames } from './harness.mjs';

const app = appSession();
const CNN = '?problem=digits&layers=conv2d-k3-c4-valid:relu,pool2d-max-2:identity,flatten:identity,10:softmax&shape=1x8x8'
  + '&loss=softmax_cross_entropy&optimizer=adam&lr=0.01&batch=8&target=labels';

/** Clicks the middle of a kernel cell as the maps view reports it (canvas pixels). */
async function clickCell(page, cell) {
  const [x, y] = await page.evaluate(({ x, y, s }) => {
    const r = document.getElementById('network').getBoundingClientRect();
    return [r.left + x + s / 2, r.top + y + s / 2];
  }, cell);
  await page.mouse.click(x, y);
}

describe('convolutional networks', () => {
  test('a CNN link shows the maps view; the kernel chain rule sums one term per position and equals the engine', { timeout: 120_000 }, async () => {
    const opened = await app.open({ query: CNN });
    const { page } = opened;
    try {
      await digitsArrived(page);
      assert.deepEqual(await page.evaluate(() => window.app.session.config().layers.map((l) => l.kind?.type ?? 'dense')), ['convolution', 'pooling', 'flatten', 'dense']);
      assert.equal(await page.evaluate(() => window.app.maps.shown()), true, 'a network with a convolution is drawn as maps');
      await frames(page);
      const titles = (await page.evaluate(() => window.app.maps.labels())).map((l) => l.text);
      for (const t of ['inputs', '1. conv 3×3', 'valid, 4 maps', '2. max pool', '3. flatten', '4. dense 10']) assert.ok(titles.includes(t), `the stage title "${t}" is drawn: ${titles}`);
      // The stage titles never overlap.
      const boxes = await page.evaluate(() => window.app.maps.labels());
      for (const a of boxes) for (const b of boxes) {
        if (a !== b) assert.ok(a.x + a.w <= b.x || b.x + b.w <= a.x || a.y + a.h <= b.y || b.y + b.h <= a.y, `"${a.text}" and "${b.text}" overlap`);
      }
      // 4 output maps × 1 input channel × 3 × 3 kernel cells.
      const cells = await page.evaluate(() => window.app.maps.kernelCells());
      assert.equal(cells.length, 36);
      // Run the step up to the backward phase of the convolution.
      const phases = await page.evaluate(() => window.app.session.config().layers.length * 2 + 1);
      for (let k = 0; k < phases; k++) await page.keyboard.press('ArrowRight');
      assert.deepEqual(await page.evaluate(() => window.app.session.position().last), { kind: 'backward', layer: 0 });
      assert.match(await page.textContent('#phase-caption'), /dL\/dK = correlation of input and δ.*dL\/dx = full convolution of δ with the flipped K/);
      // Click the centre cell of map 2's kernel.
      const target = cells.find((c) => c.out === 1 && c.row === 1 && c.col === 1);
      await clickCell(page, target);
      await frames(page);
      assert.deepEqual(await page.evaluate(() => window.app.maps.picked()), { type: 'kernel', layer: 0, out: 1, input: 0, row: 1, col: 1 });
      const caption = await page.textContent('#kernel-caption');
      assert.match(caption, /used at 288 positions \(36 per sample × 8 samples\)/, caption);
      // The sum the page shows is the engine's dL/dK for that weight.
      const { rule, held } = await page.evaluate(() => ({
        rule: window.app.session.kernelChainRule(0, 1, 0, 1, 1),
        held: window.app.view(window.app.Buffer.GradWeights, 0)[1 * 9 + 4],
      }));
      assert.equal(rule.terms.length, 288);
      const sum = rule.terms.reduce((a, t) => a + t.term, 0);
      assert.ok(Math.abs(sum - rule.sum) <= 1e-12 * Math.max(1, Math.abs(sum)), 'the sum is the sum of its terms');
      assert.ok(Math.abs(rule.scale * rule.sum - held) <= 1e-15 + 1e-12 * Math.abs(held), `dL/dK ${rule.scale * rule.sum} is the engine's ${held}`);
      // The shown sample's terms, laid out as the output map.
      await page.click('#kernel-terms summary');
      await frames(page);
      assert.equal(await page.locator('#kernel-terms td').count(), 36, 'one term per position of the 6×6 output map');
      assertNoErrors(opened);
    } finally {
      await page.close();
    }
  });

  test('the keyboard moves over the kernel cells and Enter picks one', { timeout: 90_000 }, async () => {
    const opened = await app.open({ query: CNN });
    const { page } = opened;
    try {
      await digitsArrived(page);
      await page.focus('#network');
      await frames(page);
      assert.deepEqual(await page.evaluate(() => window.app.session.position().selection), null);
      await page.keyboard.press('ArrowRight');
      await page.keyboard.press('ArrowRight');
      await page.keyboard.press('ArrowRight'); // past the kernel's last column: the next map's kernel
      await page.keyboard.press('ArrowDown');
      await page.keyboard.press('Enter');
      await frames(page);
      assert.deepEqual(await page.evaluate(() => window.app.maps.picked()), { type: 'kernel', layer: 0, out: 1, input: 0, row: 1, col: 0 });
      assert.match(await page.textContent('#announce'), /kernel weight of layer 1, map 2 from input channel 1, row 2, column 1/);
      assert.match(await page.textContent('#kernel-caption'), /K = /);
      await page.keyboard.press('Escape');
      await frames(page);
      assert.equal(await page.evaluate(() => window.app.maps.picked()), null);
      assert.equal(await page.isHidden('#kernel-info'), true);
      assertNoErrors(opened);
    } finally {
      await page.close();
    }
  });

  test('the digits-cnn lesson passes 95 % on the test images in the page, and races the dense network side by side', { timeout: 180_000 }, async () => {
    const opened = await app.open({ query: '?lesson=digits-cnn' });
    const { page } = opened;
    try {
      await digitsArrived(page);
      assert.equal(await page.evaluate(() => window.app.maps.shown()), true);
      assert.equal(await page.isHidden('#weights-section'), true, 'no per-neuron weight pictures for a convolution');
      // Ten epochs, as its text says (tests/digits_lessons.rs finds them enough natively).
      const started = Date.now();
      for (let k = 0; k < 10; k++) await page.keyboard.press('e');
      await page.waitForFunction(() => window.app.session.epochs() >= 10, null, { timeout: 120_000 });
      const seconds = (Date.now() - started) / 1000;
      const accuracy = await page.evaluate(() => window.app.session.metrics(true).accuracy);
      console.log(`digits-cnn in the page: ${(accuracy * 100).toFixed(1)} % after 10 epochs, ${seconds.toFixed(1)} s wall clock (shared machine)`);
      assert.ok(accuracy >= 0.95, `test accuracy ${accuracy}`);
      await page.waitForFunction(() => Number(document.getElementById('metrics-summary').dataset.accuracy) >= 0.95);
      // Side by side: the convolution and the dense network of the digits lesson.
      await page.click('#lesson-variants button.race');
      await page.waitForFunction(() => window.app.experiment.runs().length === 2, null, { timeout: 30_000 });
      const runs = await page.evaluate(() => window.app.experiment.runs().map((r) => ({ label: r.label, kinds: r.config?.layers.map((l) => l.kind?.type ?? 'dense') })));
      assert.deepEqual(runs.map((r) => r.label), ['convolutional', 'dense 64→32→10']);
      assert.deepEqual(runs[0].kinds, ['convolution', 'pooling', 'flatten', 'dense']);
      assert.deepEqual(runs[1].kinds, ['dense', 'dense']);
      await page.waitForFunction(() => window.app.experiment.runs().every((r) => r.steps > 20 && !r.error), null, { timeout: 60_000 });
      assertNoErrors(opened);
    } finally {
      await page.close();
    }
  });

  test('the digits-cnn tour walks its stops over the maps view, each ringing its phase chip', { timeout: 90_000 }, async () => {
    const opened = await app.open({ query: '?lesson=digits-cnn' });
    const { page } = opened;
    try {
      await digitsArrived(page);
      const stops = (await page.evaluate(() => window.app.session.tour())).stops;
      assert.ok(stops.length >= 5);
      await page.click('#tour-start');
      for (let k = 0; k < stops.length; k++) {
        assert.equal((await page.evaluate(() => window.app.tour.state())).at, k);
        assert.equal(await page.textContent('#tour-text'), stops[k].text);
        const phase = stops[k].target.phase;
        const key = phase.layer === undefined ? phase.kind : `${phase.kind}:${phase.layer}`;
        assert.equal(await page.$eval(`#phase-bar li[data-phase="${key}"]`, (li) => li.classList.contains('tour-target')), true, `stop ${k + 1} rings ${key}`);
        assert.deepEqual(await page.evaluate(() => ({ steps: window.app.session.steps(), last: window.app.session.position().last })), stops[k].at);
        if (k < stops.length - 1) await page.click('#tour-next');
      }
      assert.equal(await page.evaluate(() => window.app.maps.shown()), true);
      assertNoErrors(opened);
    } finally {
      await page.close();
    }
  });

  test('the edge-detector lesson: a kernel weight sums 288 terms, and 300 steps make the kernels edge filters at 95 %', { timeout: 180_000 }, async () => {
    const opened = await app.open({ query: '?lesson=edge-detector' });
    const { page } = opened;
    try {
      await frames(page);
      const info = await page.evaluate(() => window.app.session.dataInfo());
      assert.deepEqual([info.dims, info.classes, info.image.width, info.image.height], [64, 3, 8, 8]);
      assert.deepEqual(info.class_names, ['vertical edge', 'horizontal edge', 'no edge']);
      assert.equal(await page.evaluate(() => window.app.maps.shown()), true, 'the maps view in place of the layer view');
      const titles = (await page.evaluate(() => window.app.maps.labels())).map((l) => l.text);
      for (const t of ['inputs', '1. conv 3×3', 'valid, 2 maps', '2. max pool', '6×6', '4. dense 3']) assert.ok(titles.includes(t), `the stage title "${t}" is drawn: ${titles}`);
      // 2 maps × 1 input channel × 3 × 3 kernel cells.
      const cells = await page.evaluate(() => window.app.maps.kernelCells());
      assert.equal(cells.length, 18);
      // As the text says: step to the backward pass of layer 1, then click a kernel cell.
      const phases = await page.evaluate(() => window.app.session.config().layers.length * 2 + 1);
      for (let k = 0; k < phases; k++) await page.keyboard.press('ArrowRight');
      await page.waitForFunction(() => window.app.session.position().last?.kind === 'backward' && window.app.session.position().last?.layer === 0);
      const target = cells.find((c) => c.out === 0 && c.row === 1 && c.col === 2);
      await clickCell(page, target);
      await frames(page);
      assert.deepEqual(await page.evaluate(() => window.app.maps.picked()), { type: 'kernel', layer: 0, out: 0, input: 0, row: 1, col: 2 });
      const caption = await page.textContent('#kernel-caption');
      assert.match(caption, /used at 288 positions \(36 per sample × 8 samples\)/, caption);
      const { rule, held } = await page.evaluate(() => ({
        rule: window.app.session.kernelChainRule(0, 0, 0, 1, 2),
        held: window.app.view(window.app.Buffer.GradWeights, 0)[5],
      }));
      assert.equal(rule.terms.length, 288);
      const sum = rule.terms.reduce((a, t) => a + t.term, 0);
      assert.ok(Math.abs(rule.scale * sum - held) <= 1e-15 + 1e-12 * Math.abs(held), `dL/dK ${rule.scale * sum} is the engine's ${held}`);
      // The max pooling sent δ back to one position of each image, its strongest response.
      for (let sample = 0; sample < 8; sample++) {
        const live = rule.terms.filter((t) => t.sample === sample && t.delta !== 0).length;
        assert.ok(live <= 1, `sample ${sample}: δ ≠ 0 at ${live} positions`);
      }
      await page.click('#kernel-terms summary');
      await frames(page);
      assert.equal(await page.locator('#kernel-terms td').count(), 36, 'one term per position of the 6×6 map');
      // Train for the 300 steps the text gives, an epoch at a time.
      for (let k = 0; k < 20 && (await page.evaluate(() => window.app.session.steps())) < 300; k++) {
        const before = await page.evaluate(() => window.app.session.epochs());
        await page.keyboard.press('e');
        await page.waitForFunction((n) => window.app.session.epochs() > n, before, { timeout: 30_000 });
      }
      const steps = await page.evaluate(() => window.app.session.steps());
      assert.ok(steps >= 300 && steps < 340, `${steps} steps`);
      const accuracy = await page.evaluate(() => window.app.session.metrics(true).accuracy);
      assert.ok(accuracy >= 0.95, `test accuracy ${accuracy}`);
      await page.waitForFunction(() => Number(document.getElementById('metrics-summary').dataset.accuracy) >= 0.95);
      // The kernels the maps view draws: one a vertical-edge filter (left column negative, right
      // positive), the other a horizontal one (top row negative, bottom positive).
      const kernels = await page.evaluate(() => Array.from(window.app.view(window.app.Buffer.Weights, 0)));
      const filter = (k) => {
        const column = (c) => (k[c] + k[3 + c] + k[6 + c]) / 3;
        const row = (r) => (k[3 * r] + k[3 * r + 1] + k[3 * r + 2]) / 3;
        const across = column(2) - column(0);
        const down = row(2) - row(0);
        if (column(0) < 0 && column(2) > 0 && across > Math.abs(down)) return 'vertical';
        if (row(0) < 0 && row(2) > 0 && down > Math.abs(across)) return 'horizontal';
        return 'neither';
      };
      assert.deepEqual([filter(kernels.slice(0, 9)), filter(kernels.slice(9))].sort(), ['horizontal', 'vertical'], `${kernels.map((w) => w.toFixed(2))}`);
      assertNoErrors(opened);
    } finally {
      await page.close();
    }
  });
});
