// The page's own Content-Security-Policy is never violated (issue 16): the loss chart's text is
// measured by the canvas, not by plotters' <span> with an inline style, which the CSP refuses
// (it gave 4 console errors per redraw). A whole session: training, the Experiment panel and
// its runs, and window resizes, listening for `securitypolicyviolation` events and CSP errors.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { appSession, frames } from './harness.mjs';

const session = appSession();

test('a session with training, an experiment and resizes violates no CSP rule', { timeout: 120_000 }, async () => {
  const page = await session.browser.newPage();
  // Listen from the very first script on.
  await page.addInitScript(() => {
    window.cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      window.cspViolations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sample}`);
    });
  });
  const consoleErrors = [];
  page.on('console', (msg) => { if (msg.type() === 'error') consoleErrors.push(msg.text()); });
  try {
    await page.setViewportSize({ width: 1280, height: 720 });
    await page.goto(`${session.server.url}/index.html`);
    await page.waitForFunction(() => document.body.dataset.state === 'ready', null, { timeout: 30_000 });
    await page.click('#step-sample');
    await page.click('#play');
    await page.waitForFunction(() => window.app.session.steps() > 50, null, { timeout: 30_000 });
    await page.click('#play');
    for (const [width, height] of [[900, 700], [1400, 900], [1280, 720]]) {
      await page.setViewportSize({ width, height });
      await frames(page, 6);
    }
    await page.click('#experiment-button');
    await page.waitForSelector('#experiments:not([hidden])');
    await page.click('#exp-run');
    await page.waitForFunction(() => /Finished/.test(document.getElementById('exp-note').textContent), null, { timeout: 60_000 });
    for (const [width, height] of [[1000, 760], [1280, 720]]) {
      await page.setViewportSize({ width, height });
      await frames(page, 6);
    }
    const violations = await page.evaluate(() => window.cspViolations);
    assert.deepEqual(violations, [], 'no securitypolicyviolation event');
    assert.deepEqual(consoleErrors.filter((e) => /Content Security Policy|Content-Security-Policy/i.test(e)), [], 'no CSP error on the console');
  } finally {
    await page.close();
  }
});
