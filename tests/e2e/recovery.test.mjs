// A panic that escapes the engine is reported on the page, and Reset recovers without a
// reload (issue 6): a fresh WebAssembly instance, the settings kept.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { appSession, banner, frames, parameterBits } from './harness.mjs';

const session = appSession();

test('an internal error is reported, and Reset restarts the engine without a reload', { timeout: 60_000 }, async () => {
  const opened = await session.open();
  const { page, screenshot } = opened;
  try {
    await page.selectOption('#setting-problem', 'moons');
    await page.click('#add-layer');
    await page.click('#step-sample');
    const settingsOf = () => page.evaluate(() => ({
      shape: window.app.session.shape(), problem: window.app.session.settings().data.problem,
    }));
    const before = await settingsOf();
    const weightsBefore = await parameterBits(page);
    assert.deepEqual(before, { shape: [2, 4, 4, 4, 1], problem: 'moons' });
    await page.evaluate(() => { window.notReloaded = true; });

    await page.evaluate(() => window.app.internalErrorForTests());
    await frames(page);
    const shown = await banner(page);
    assert.match(shown.text, /internal error/);
    assert.match(shown.text, /Press Reset/);
    assert.equal(shown.kind, 'error');
    assert.equal(shown.error, 'internal');
    assert.equal(await page.evaluate(() => window.app.page.broken()), true);
    assert.ok(opened.consoleErrors.some((e) => e.includes('deliberate internal error')), 'the panic hook logged the panic');
    // While broken, nothing else may call the engine: the step button is disabled, and a step
    // from the keyboard is refused in words.
    assert.equal(await page.locator('#step-sample').isEnabled(), false);
    await page.keyboard.press('ArrowRight');
    await frames(page);
    assert.match((await banner(page)).text, /internal error/);
    await screenshot('recovery-error-1280x720');

    await page.click('#reset');
    await page.waitForFunction(() => !window.app.page.broken(), null, { timeout: 20_000 });
    await frames(page);
    assert.equal(await page.evaluate(() => window.notReloaded), true, 'the page was not reloaded');
    const after = await banner(page);
    assert.match(after.text, /restarted after an internal error/);
    assert.equal(after.kind, 'info');
    assert.deepEqual(await settingsOf(), before, 'the settings are kept');
    // The session comes back through its link, so the training done so far is kept, and the
    // banner says so (not "training starts again" beside a step counter at 1).
    assert.match(after.text, /your settings and training are kept \(step 1\)/);
    assert.equal(await page.evaluate(() => window.app.session.steps()), 1);
    assert.deepEqual(await parameterBits(page), weightsBefore, 'the weights are kept');
    assert.equal(await page.locator('#step-count').textContent(), '1');
    await page.click('#step-sample');
    await page.click('#step-phase');
    await frames(page);
    assert.equal(await page.evaluate(() => window.app.session.steps()), 2, 'the new engine trains');
    assert.equal(await page.evaluate(() => window.app.session.progress()), 1, 'and steps phase by phase');
    await screenshot('recovery-done-1280x720');
    assert.deepEqual(opened.pageErrors, []);
  } finally {
    await page.close();
  }
});

test('a broken instance stays fenced: every control but Reset and the exports is disabled, and the banner stays', { timeout: 60_000 }, async () => {
  const opened = await session.open();
  const { page } = opened;
  try {
    await page.click('#step-sample');
    await page.evaluate(() => window.app.internalErrorForTests());
    await frames(page);
    const enabled = (selector) => page.locator(selector).isEnabled();
    for (const selector of ['#play', '#add-layer', '#step-phase', '#step-sample', '#step-epoch', '#undo', '#new-seed', '#experiment-button', '#setting-problem']) {
      assert.equal(await enabled(selector), false, `${selector} is disabled while the engine is broken`);
    }
    assert.equal(await enabled('#reset'), true, 'Reset stays');
    assert.equal(await enabled('#export-model'), true, 'the model export stays');
    // The keyboard reaches the actions, which refuse and keep the banner.
    await page.keyboard.press('Space');
    await page.keyboard.press('ArrowRight');
    await frames(page, 6);
    assert.equal(await page.evaluate(() => window.app.page.playing?.() ?? false), false, 'Play did not start');
    const shown = await banner(page);
    assert.equal(shown.hidden, false);
    assert.match(shown.text, /internal error/);
    assert.equal(shown.error, 'internal', 'the banner stays the internal error');
    await page.click('#reset');
    await page.waitForFunction(() => !window.app.page.broken(), null, { timeout: 20_000 });
    await frames(page);
    for (const selector of ['#play', '#add-layer', '#step-sample']) assert.equal(await enabled(selector), true, `${selector} is enabled again`);
    await page.click('#add-layer');
    await frames(page);
    assert.equal(await page.evaluate(() => window.app.session.shape().length), 5, 'the fresh instance takes the new layer');
    assert.deepEqual(opened.pageErrors, []);
  } finally {
    await page.close();
  }
});
