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
    // While broken, nothing else may call the engine: a step is refused in words.
    await page.click('#step-sample');
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
