// A panic that escapes the engine is reported on the page, and Reset recovers without a
// reload (issue 6): a fresh WebAssembly instance, the settings kept.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { appSession, frames } from './harness.mjs';

const session = appSession();

test('an internal error is reported, and Reset restarts the engine without a reload', { timeout: 60_000 }, async () => {
  const opened = await session.open();
  const { page, screenshot } = opened;
  try {
    await page.selectOption('#dataset', 'moons');
    await page.click('#add-layer');
    await page.click('#step-sample');
    const before = await page.evaluate(() => ({ shape: window.app.state.shape, dataset: window.app.state.settings.dataset }));
    await page.evaluate(() => { window.notReloaded = true; });

    await page.evaluate(() => window.app.internalErrorForTests());
    await frames(page);
    const text = await page.locator('#message').textContent();
    assert.match(text, /internal error/);
    assert.match(text, /Press Reset/);
    assert.ok(opened.consoleErrors.some((e) => e.includes('deliberate internal error')), 'the panic hook logged the panic');
    await screenshot('recovery-error-1280x720');

    await page.click('#reset');
    await page.waitForFunction(() => !window.app.state.broken && window.app.state.engine !== null, null, { timeout: 20_000 });
    await frames(page);
    assert.equal(await page.evaluate(() => window.notReloaded), true, 'the page was not reloaded');
    assert.match(await page.locator('#message').textContent(), /restarted after an internal error/);
    const after = await page.evaluate(() => ({ shape: window.app.state.shape, dataset: window.app.state.settings.dataset }));
    assert.deepEqual(after, before, 'the settings are kept');
    await page.click('#step-sample');
    await page.click('#step-phase');
    await frames(page);
    assert.equal(await page.evaluate(() => window.app.state.engine.steps()), 1, 'the new engine trains');
    await screenshot('recovery-done-1280x720');
    assert.deepEqual(opened.pageErrors, []);
  } finally {
    await page.close();
  }
});
