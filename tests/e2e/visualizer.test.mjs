// The visualizer (www/index.html) driven like a user drives it, in real headless Chromium:
// play and watch the loss fall, step phase by phase, inspect an edge, move the learning-rate
// slider, add a layer, make training diverge. Screenshots of each state land in
// tests/e2e/artifacts/ for a person to look at.
//
// The page exposes a read-only handle, window.app (www/main.js: app.session.* getters,
// app.page.*, app.layout(), app.view()), so a test can compare what the page shows with the
// engine's own numbers; it drives the page only through its controls.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { animationDone, appSession, assertNoErrors, banner, clickEdge, frames, parameterBits, setSpeed, typeInto } from './harness.mjs';

const session = appSession();
const open = (options) => session.open(options);

/** How many pixels of a canvas differ from white (a blank canvas has none). */
const inkedPixels = (page, selector) => page.evaluate((selector) => {
  const canvas = document.querySelector(selector);
  const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let count = 0;
  for (let k = 0; k < data.length; k += 4) if (data[k] < 240 || data[k + 1] < 240 || data[k + 2] < 240) count++;
  return count;
}, selector);

/** A cheap fingerprint of a canvas's pixels. */
const canvasHash = (page, selector) => page.evaluate((selector) => {
  const canvas = document.querySelector(selector);
  const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let h = 0;
  for (let k = 0; k < data.length; k += 7) h = (h * 31 + data[k]) | 0;
  return h;
}, selector);

describe('the visualizer', () => {
  test('loads the engine with no console error and draws the network, output and loss', { timeout: 60_000 }, async () => {
    const opened = await open();
    const { page, screenshot } = opened;
    try {
      assert.ok(await inkedPixels(page, '#network') > 1000, 'the network canvas is blank');
      assert.ok(await inkedPixels(page, '#output') > 1000, 'the output heatmap is blank');
      assert.ok(await inkedPixels(page, '#loss-chart') > 100, 'the loss chart is blank');
      // The engine's own numbers are on the page: the loss of the fresh network.
      const shown = await page.locator('#train-loss').textContent();
      const engineLoss = await page.evaluate(() => window.app.session.datasetLoss(false));
      assert.equal(Number(shown), Number(engineLoss.toPrecision(5)), `#train-loss "${shown}" vs engine ${engineLoss}`);
      const layers = await page.locator('#phase-bar li').count();
      assert.equal(layers, 2 * 3 + 2, 'a 2-4-4-1 network has 8 phases per step');
      assertNoErrors(opened);
    } finally {
      await screenshot('visualizer-idle-1280x720');
    }
  });

  test('play: the loss drops and the loss curve grows', { timeout: 60_000 }, async () => {
    const opened = await open();
    const { page, screenshot } = opened;
    try {
      await setSpeed(page, '10 steps');
      const start = await page.evaluate(() => {
        const h = window.app.session.history();
        return { points: h.steps.length, loss: h.train[0] };
      });
      const chartBefore = await canvasHash(page, '#loss-chart');
      await page.click('#play');
      await page.waitForSelector('#play[aria-pressed="true"]', { timeout: 5_000 });
      await page.waitForFunction(() => window.app.session.steps() >= 600, null, { timeout: 30_000 });
      await page.keyboard.press('Space');
      await page.waitForFunction(() => !window.app.page.playing());
      await page.waitForSelector('#play[aria-pressed="false"]', { timeout: 5_000 });
      await frames(page);
      const end = await page.evaluate(() => {
        const h = window.app.session.history();
        return { points: h.steps.length, loss: h.train.at(-1), steps: window.app.session.steps() };
      });
      assert.ok(end.points > start.points + 10, `the loss history grew from ${start.points} to ${end.points} points only`);
      assert.ok(end.loss < 0.5 * start.loss, `the loss went from ${start.loss} to ${end.loss}, not down by half`);
      assert.equal((await page.locator('#step-count').textContent()).replace(/,/g, ''), String(end.steps));
      assert.equal(Number(await page.locator('#train-loss').textContent()), Number(end.loss.toPrecision(5)));
      assert.notEqual(await canvasHash(page, '#loss-chart'), chartBefore, 'the loss chart did not change');
      // Log scale redraws the chart.
      const linear = await canvasHash(page, '#loss-chart');
      await page.check('#setting-log_scale');
      await frames(page);
      assert.equal(await page.evaluate(() => window.app.session.settings().view.log_scale), true);
      assert.notEqual(await canvasHash(page, '#loss-chart'), linear, 'the log scale did not redraw the chart');
      assertNoErrors(opened);
    } finally {
      await screenshot('visualizer-trained-1280x720');
    }
  });

  test('stepping phase by phase goes forward, loss, backward, update in order', { timeout: 60_000 }, async () => {
    const opened = await open();
    const { page, screenshot } = opened;
    try {
      const expected = ['forward:0', 'forward:1', 'forward:2', 'loss', 'backward:2', 'backward:1', 'backward:0', 'update'];
      const captions = [/^Forward, layer 1/, /^Forward, layer 2/, /^Forward, layer 3/, /^Loss/, /^Backward, layer 3/, /^Backward, layer 2/, /^Backward, layer 1/, /^Update/];
      let previousHash = await canvasHash(page, '#network');
      for (let k = 0; k < expected.length; k++) {
        assert.equal(await page.locator('#phase-bar').getAttribute('data-next'), expected[k]);
        await page.keyboard.press('ArrowRight');
        await animationDone(page);
        await frames(page);
        assert.equal(await page.locator('#phase-bar').getAttribute('data-last'), expected[k]);
        assert.equal(await page.locator('#phase-bar li.current').getAttribute('data-phase'), expected[k]);
        assert.match(await page.locator('#phase-caption').textContent(), captions[k]);
        const hash = await canvasHash(page, '#network');
        assert.notEqual(hash, previousHash, `the network view did not change at phase ${expected[k]}`);
        previousHash = hash;
        // The step counts only once the update has run.
        assert.equal(await page.locator('#step-count').textContent(), k === expected.length - 1 ? '1' : '0');
        const numbers = await page.evaluate(() => ({ loss: window.app.session.loss(), progress: window.app.session.progress() }));
        assert.equal(numbers.progress, k === expected.length - 1 ? 8 : k + 1, 'the session counts the phases run');
        if (k < 3) assert.ok(Number.isNaN(numbers.loss), 'the loss exists before the loss phase');
        if (k >= 3) assert.ok(Number.isFinite(numbers.loss), 'no loss after the loss phase');
        if (k === 5) await screenshot('visualizer-backward-1280x720');
      }
      // shift+→ runs a whole step.
      await page.keyboard.press('Shift+ArrowRight');
      await frames(page);
      assert.equal(await page.locator('#step-count').textContent(), '2');
      // The step-phase button does what → does, and the animation can be caught mid-way.
      await page.click('#step-phase');
      await page.waitForTimeout(200);
      await screenshot('visualizer-forward-mid-1280x720');
      assert.equal(await page.locator('#phase-bar').getAttribute('data-last'), 'forward:0');
      assertNoErrors(opened);
    } finally {
      await screenshot('visualizer-stepped-1280x720');
    }
  });

  test('clicking an edge opens the inspector with the engine\'s numbers, and a weight can be edited', { timeout: 60_000 }, async () => {
    for (const [width, height] of [[1280, 720], [1920, 1080]]) {
      const opened = await open({ width, height });
      const { page, screenshot } = opened;
      try {
        await page.click('#step-sample');
        await frames(page);
        // Weight from x₂ (input 1) to neuron 3 (index 2) of layer 1 (index 0).
        const target = { layer: 0, neuron: 2, input: 1 };
        await clickEdge(page, target);
        const selection = await page.evaluate(() => window.app.session.position().selection);
        assert.deepEqual(selection, { type: 'edge', ...target });
        assert.match(await page.locator('#inspector h2').textContent(), /from input x₂ to neuron 3 of layer 1/);

        const shown = await page.evaluate(() => Object.fromEntries([...document.querySelectorAll('#inspector [data-name]')]
          .map((n) => [n.dataset.name, Number(n.dataset.value)])));
        const rule = await page.evaluate(({ layer, neuron, input }) => window.app.session.chainRule(layer, neuron, input), target);
        for (const [name, field] of [['z', 'z'], ['a', 'a'], ['delta', 'delta'], ['sample-gradient', 'sample_gradient'],
          ['gradient', 'batch_gradient'], ['new', 'value'], ['learning-rate', 'learning_rate']]) {
          assert.equal(shown[name], rule[field], `inspector ${name} = ${shown[name]}, engine ${field} = ${rule[field]}`);
        }
        // The chain rule checks out by hand: δ = f'(z) · Σ w·δ (with the weights before the update).
        assert.ok(Math.abs(rule.d_activation * shown['grad-activation'] - rule.delta) <= 1e-12, `δ ${rule.delta} ≠ f'(z) ${rule.d_activation} × Σ ${shown['grad-activation']}`);
        // The displayed product checks out by hand: dL/dw = δ · a_prev.
        assert.ok(Math.abs(shown['sample-gradient'] - rule.delta * rule.a_prev) <= 1e-15 * Math.max(1, Math.abs(rule.delta)));
        // And SGD's update: new = old − η · g.
        assert.ok(Math.abs(shown.new - (shown.old - rule.learning_rate * rule.batch_gradient)) < 1e-12);
        // The shown text agrees with the exact value to the digits shown.
        const text = await page.locator('#inspector [data-name="z"]').textContent();
        assert.ok(Math.abs(Number(text.replace('−', '-')) - rule.z) <= 1e-5 * Math.max(1e-3, Math.abs(rule.z)), `z shown as ${text}, engine ${rule.z}`);
        await screenshot(`visualizer-inspector-${width}x${height}`);

        // Edit the weight; the engine has it at once.
        await page.fill('#inspector-value', '0.125');
        await page.click('#inspector-set');
        const weight = await page.evaluate(({ layer, neuron, input }) =>
          window.app.view(window.app.Buffer.Weights, layer)[neuron * window.app.session.shape()[layer] + input], target);
        assert.equal(weight, 0.125);
        assert.match((await banner(page)).text, /^Set w to 0\.125/);
        // Escape closes it.
        await page.keyboard.press('Escape');
        assert.equal(await page.locator('#inspector').isHidden(), true);
        assert.equal(await page.evaluate(() => window.app.session.position().selection), null);
        assertNoErrors(opened);
      } finally {
        await opened.page.close();
      }
    }
  });

  test('the learning-rate slider and field change the engine\'s learning rate without a reset', { timeout: 60_000 }, async () => {
    const opened = await open();
    const { page } = opened;
    try {
      await page.click('#step-sample');
      const rate = () => page.evaluate(() => ({
        config: window.app.session.config().optimizer.learning_rate,
        engine: window.app.session.learningRate(),
        steps: window.app.session.steps(),
      }));
      await page.locator('#setting-lr').fill('-2');
      await frames(page);
      assert.deepEqual(await rate(), { config: 0.01, engine: 0.01, steps: 1 }, 'the slider set η, and kept the step');
      assert.equal(await page.locator('#setting-lr-value').textContent(), '0.01');
      assert.equal(await page.locator('#setting-lr-typed').inputValue(), '0.01');
      // The field takes an exact value the slider cannot reach.
      await typeInto(page, '#setting-lr-typed', '0.0123');
      await frames(page);
      assert.deepEqual(await rate(), { config: 0.0123, engine: 0.0123, steps: 1 });
      assert.equal(await page.locator('#setting-lr-value').textContent(), '0.0123');
      await page.selectOption('#setting-optimizer', 'adam');
      assert.equal(await page.evaluate(() => window.app.session.config().optimizer.kind), 'adam');
      assert.equal(await page.evaluate(() => window.app.session.steps()), 1);
      // Adam's β₁ appears with Adam and reaches the engine live.
      assert.equal(await page.locator('#setting-beta1').isVisible(), true);
      await typeInto(page, '#setting-beta1', '0.8');
      assert.equal(await page.evaluate(() => window.app.session.config().optimizer.beta1), 0.8);
      await page.selectOption('#setting-optimizer', 'sgd');
      assert.equal(await page.locator('#setting-beta1').isVisible(), false, 'β₁ is shown with SGD');
      assertNoErrors(opened);
    } finally {
      await page.close();
    }
  });

  test('adding a layer redraws the network and says training restarts', { timeout: 60_000 }, async () => {
    const opened = await open();
    const { page, screenshot } = opened;
    try {
      await page.click('#step-sample');
      const before = await canvasHash(page, '#network');
      await page.click('#add-layer');
      await frames(page);
      const shape = await page.evaluate(() => ({
        shape: window.app.session.shape(),
        steps: window.app.session.steps(),
        columns: window.app.layout().columns,
      }));
      assert.deepEqual(shape, { shape: [2, 4, 4, 4, 1], steps: 0, columns: 5 });
      assert.match(await page.locator('#message').textContent(), /starts again/);
      assert.notEqual(await canvasHash(page, '#network'), before);
      assert.equal(await page.locator('#phase-bar li').count(), 2 * 4 + 2);
      assert.equal(await page.locator('#layers .layer-row').count(), 4);
      // More neurons in the new layer.
      await page.click('#layers .layer-row[data-layer="2"] button[aria-label^="more neurons"]');
      assert.equal(await page.evaluate(() => window.app.session.shape()[3]), 5);
      // An engine refusal is shown in words, and the settings stay as they were.
      // (Binary cross-entropy, the default loss, needs a sigmoid output.)
      await page.selectOption('#layers .layer-row[data-layer="output"] select', 'identity');
      const refused = await banner(page);
      assert.equal(refused.kind, 'error');
      assert.equal(refused.error, 'invalid_setting');
      assert.match(refused.text, /binary_cross_entropy needs a sigmoid output layer/);
      assert.equal(await page.locator('#layers .layer-row[data-layer="output"] select').inputValue(), 'sigmoid');
      assert.equal(await page.evaluate(() => window.app.session.shape()[3]), 5, 'the refused change rebuilt the network');
      assert.equal(await page.evaluate(() => window.app.session.config().layers.at(-1).activation), 'sigmoid');
      assertNoErrors(opened);
    } finally {
      await screenshot('visualizer-added-layer-1280x720');
    }
  });

  test('a huge learning rate makes training diverge and the page says so', { timeout: 90_000 }, async () => {
    for (const [width, height] of [[1280, 720], [1920, 1080]]) {
      const opened = await open({ width, height });
      const { page, screenshot } = opened;
      try {
        // Regression with an identity output: squared error grows without bound.
        await page.selectOption('#setting-problem', 'sine');
        await page.locator('#setting-lr').fill('1');
        assert.equal(await page.evaluate(() => window.app.session.config().optimizer.learning_rate), 10);
        await setSpeed(page, 'max speed');
        await page.click('#play');
        await page.waitForFunction(() => document.getElementById('message').dataset.kind === 'diverged', null, { timeout: 60_000 });
        const message = await banner(page);
        assert.match(message.text, /^The loss exploded at step [\d,]+: the learning rate is probably too high/);
        assert.equal(message.error, 'diverged');
        assert.equal(await page.evaluate(() => window.app.page.playing()), false);
        await page.waitForSelector('#play[aria-pressed="false"]', { timeout: 5_000 });
        // The last good state: every weight finite.
        const finite = await page.evaluate(() => {
          for (let l = 0; l < window.app.session.shape().length - 1; l++) {
            if (!window.app.view(window.app.Buffer.Weights, l).every(Number.isFinite)) return false;
          }
          return true;
        });
        assert.ok(finite, 'a weight is not finite after divergence');
        await frames(page);
        await screenshot(`visualizer-diverged-${width}x${height}`);
        assertNoErrors(opened);
      } finally {
        await page.close();
      }
    }
  });

  test('keyboard: help overlay, reset; a new seed', { timeout: 60_000 }, async () => {
    const opened = await open();
    const { page, screenshot } = opened;
    const fresh = await parameterBits(page);
    await page.keyboard.press('Shift+ArrowRight');
    assert.equal(await page.locator('#step-count').textContent(), '1');
    await page.keyboard.press('r');
    await frames(page);
    assert.equal(await page.locator('#step-count').textContent(), '0');
    assert.deepEqual(await parameterBits(page), fresh, 'Reset gives the same seed\'s initial weights');
    // "New seed" draws other initial weights, and the seed shown changes with it.
    await page.click('#new-seed');
    await frames(page);
    const seed = await page.evaluate(() => window.app.session.config().seed);
    assert.equal(await page.locator('#setting-seed-value').textContent(), String(seed));
    assert.notEqual(seed, 1);
    assert.match((await banner(page)).text, new RegExp(`^New seed ${seed}: fresh initial weights`));
    assert.notDeepEqual(await parameterBits(page), fresh);
    await page.keyboard.press('r');
    await frames(page);
    // E (like the "Step epoch" button) runs until the epoch counter moves on: 160 rows / 10.
    await page.keyboard.press('e');
    await frames(page);
    assert.equal(await page.locator('#epoch-count').textContent(), '1');
    assert.equal(await page.locator('#step-count').textContent(), '16');
    await page.keyboard.press('?');
    assert.equal(await page.locator('#help').isVisible(), true);
    assert.match(await page.locator('#help').textContent(), /Space.*play \/ pause/s);
    await screenshot('visualizer-help-1280x720');
    await page.keyboard.press('Escape');
    assert.equal(await page.locator('#help').isHidden(), true);
    assertNoErrors(opened);
    await page.close();
  });

  // Its frame times are measured by `make bench`, not asserted here: a timed test flakes.
  test('a 2-8-8-8-1 network with every heatmap trains and draws', { timeout: 60_000 }, async () => {
    const opened = await open();
    const { page, screenshot } = opened;
    try {
      await page.click('#add-layer');
      for (const layer of [0, 1, 2]) {
        while (await page.evaluate((l) => window.app.session.shape()[l + 1], layer) < 8) {
          await page.click(`#layers .layer-row[data-layer="${layer}"] button[aria-label^="more neurons"]`);
        }
      }
      assert.deepEqual(await page.evaluate(() => window.app.session.shape()), [2, 8, 8, 8, 1]);
      await setSpeed(page, '10 steps');
      await page.click('#play');
      const early = await page.evaluate(() => ({ steps: window.app.session.steps(), frames: window.app.page.stats().frames }));
      await page.waitForTimeout(2000);
      const later = await page.evaluate(() => ({ steps: window.app.session.steps(), frames: window.app.page.stats().frames }));
      await page.keyboard.press('Space');
      assert.ok(later.steps > early.steps + 100, `training went on: ${early.steps} → ${later.steps} steps`);
      assert.ok(later.frames > early.frames + 10, 'frames kept coming');
      assertNoErrors(opened);
    } finally {
      await screenshot('visualizer-2-8-8-8-1-1280x720');
    }
  });
});
