// The recurrent network in the page (issue 12), in real headless Chromium: the recall lesson
// draws its Elman layer unrolled over the T steps (h_t per step, δ_t once the backward pass ran),
// a bar per step of that step's term of dL/dW_x (the engine's numbers, vanishing towards the first
// steps at T = 20 and not at T = 5), a badge when clipping acts, and a picked weight's chain rule
// through time whose sum is the engine's gradient; the keyboard reaches the weights; axe passes.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { appSession, assertNoErrors, axeViolations, frames } from './harness.mjs';

const app = appSession();

/** Runs the phases of the first step up to the recurrent layer's backward pass (layer 1). */
async function toBackwardThroughTime(page) {
  for (let k = 0; k < 5; k++) await page.keyboard.press('ArrowRight');
  assert.deepEqual(await page.evaluate(() => window.app.session.position().last), { kind: 'backward', layer: 0 });
  await page.waitForFunction(() => !window.app.page.anim());
  await frames(page);
}

async function clickAt(page, { x, y, s }) {
  const [px, py] = await page.evaluate(({ x, y, s }) => {
    const r = document.getElementById('network').getBoundingClientRect();
    return [r.left + x + s / 2, r.top + y + s / 2];
  }, { x, y, s });
  await page.mouse.click(px, py);
}

describe('recurrent networks', () => {
  test('the recall lesson unrolls 20 steps; the bars are the engine\'s per-step terms and vanish towards step 1; a picked weight sums its terms to the engine\'s gradient', { timeout: 120_000 }, async () => {
    const opened = await app.open({ query: '?lesson=recall' });
    const { page } = opened;
    try {
      assert.equal(await page.evaluate(() => window.app.unrolled.shown()), true, 'a recurrent network is drawn unrolled');
      assert.equal(await page.evaluate(() => window.app.maps.shown()), false);
      const titles = (await page.evaluate(() => window.app.unrolled.labels())).map((l) => l.text);
      assert.ok(titles.some((t) => t.includes('unrolled over T = 20 steps')), titles.join(' | '));
      assert.ok(titles.includes('bars-empty') || titles.some((t) => t.includes('the bars appear after')), 'before the backward pass the bars say when they come');
      // Forward, then the caption of the backward pass through time.
      await page.focus('#play');
      await page.evaluate(() => document.activeElement.blur());
      await toBackwardThroughTime(page);
      assert.match(await page.textContent('#phase-caption'), /Backward through time, layer 1, right to left: δ_t = .*dL\/dW_x = Σ_t δ_t·x_tᵀ/);
      const { bars, norms } = await page.evaluate(() => ({ bars: window.app.unrolled.bars(), norms: window.app.session.recurrentStepNorms(0) }));
      assert.equal(bars.length, 20, 'a bar per step');
      bars.forEach((b, t) => assert.equal(b.value, norms.weights_input[t], `step ${t + 1}'s bar is the engine's norm`));
      assert.ok(bars[0].h < bars[19].h && bars[0].value < bars[19].value / 1000, `step 1 ${bars[0].value} against step 20 ${bars[19].value}`);
      const labels = (await page.evaluate(() => window.app.unrolled.labels())).map((l) => l.text);
      assert.ok(labels.some((t) => /^step 1 ÷ step 20 = /.test(t)), labels.join(' | '));
      // h_t cells and δ_t cells: 8 units × 20 steps of each.
      const cells = await page.evaluate(() => window.app.unrolled.cells());
      assert.equal(cells.length, 2 * 8 * 20);
      // Click hidden unit 3 at step 7: its weight from x_t.
      await clickAt(page, cells.find((c) => c.row === 2 && c.step === 7));
      await frames(page);
      assert.deepEqual(await page.evaluate(() => window.app.unrolled.picked()), { type: 'recurrent', layer: 0, row: 2, column: 0 });
      const caption = await page.textContent('#kernel-caption');
      assert.match(caption, /W_x\[3, 1\].*works at all 20 steps.*320 terms \(20 steps × 16 samples\)/, caption);
      const { rule, held } = await page.evaluate(() => ({
        rule: window.app.session.recurrentChainRule(0, 2, 0),
        held: window.app.view(window.app.Buffer.GradWeights, 0)[2 * 9],
      }));
      assert.equal(rule.clipped, held, 'the chain rule ends at the engine\'s gradient');
      const sum = rule.step_sums.reduce((a, v) => a + v, 0);
      assert.ok(Math.abs(sum - rule.gradient) <= 1e-12 * Math.max(1e-300, Math.abs(rule.gradient)) + 1e-300, `the steps' terms add up: ${sum} against ${rule.gradient}`);
      await page.click('#kernel-terms summary');
      await frames(page);
      assert.equal(await page.locator('#kernel-terms tr').count(), 21, 'a header and one row per step');
      assertNoErrors(opened);
    } finally {
      await page.close();
    }
  });

  test('the keyboard moves over the weights; T = 5 keeps the first step\'s bar; a tight clip shows its badge; axe finds nothing', { timeout: 120_000 }, async () => {
    const opened = await app.open({ query: '?lesson=recall' });
    const { page } = opened;
    try {
      await page.focus('#network');
      await page.keyboard.press('ArrowDown');
      await page.keyboard.press('ArrowRight');
      await page.keyboard.press('Enter');
      await frames(page);
      assert.deepEqual(await page.evaluate(() => window.app.unrolled.picked()), { type: 'recurrent', layer: 0, row: 1, column: 1 });
      assert.match(await page.textContent('#kernel-caption'), /W_h\[2, 1\], the weight from h_\(t−1\),1 into hidden unit 2/);
      await page.keyboard.press('Escape');
      await frames(page);
      assert.equal(await page.isHidden('#kernel-info'), true);
      assert.deepEqual(await axeViolations(page), [], 'axe on the recall lesson');
      // The shorter horizon.
      await page.click('#lesson-variants button:has-text("T = 5")');
      await page.waitForFunction(() => window.app.session.config().input_shape?.width === 5);
      await page.evaluate(() => document.activeElement?.blur());
      // The link of the step's start (a link keeps the place in the step).
      const link = await page.evaluate(() => window.app.session.link().query);
      await toBackwardThroughTime(page);
      const bars = await page.evaluate(() => window.app.unrolled.bars());
      assert.equal(bars.length, 5);
      assert.ok(bars[0].value > bars[4].value / 5, `T = 5: step 1 ${bars[0].value} against step 5 ${bars[4].value}`);
      // A threshold the first step's gradient is over: the badge says clipping acted, with its numbers.
      const tight = link.replace(/rnn8-last(-clip[0-9.]+)?/, 'rnn8-last-clip0.001');
      assert.notEqual(tight, link);
      await page.goto(page.url().split('?')[0] + '?' + tight);
      await page.waitForFunction(() => document.body.dataset.state === 'ready');
      await page.evaluate(() => document.activeElement?.blur());
      await toBackwardThroughTime(page);
      const norms = await page.evaluate(() => window.app.session.recurrentStepNorms(0));
      assert.equal(norms.clip.acted, true);
      const badge = (await page.evaluate(() => window.app.unrolled.labels())).find((l) => l.kind === 'clip');
      assert.ok(badge, 'a clipping badge');
      assert.match(badge.text, /^clipped: ‖g‖ = .* → θ = 0\.001 \(every gradient × /);
      assertNoErrors(opened);
    } finally {
      await page.close();
    }
  });
});
