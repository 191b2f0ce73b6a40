// The page loads the wasm engine, trains XOR, and reports the final loss.
// Contract with www/index.html: #engine-status gets data-state="trained" when training
// is done, and #engine-loss then holds the final loss as text.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { describeErrors, launchBrowser, openPage, startServer } from './harness.mjs';

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('engine page trains XOR in wasm with no errors', { timeout: 120_000 }, async () => {
  const opened = await openPage(browser, `${server.url}/index.html`);
  const { page, screenshot } = opened;
  try {
    // Wait for the end of training; stop early on the first uncaught error or console error.
    const deadline = Date.now() + 60_000;
    let state;
    for (;;) {
      state = await page.evaluate(
        () => document.querySelector('#engine-status')?.dataset.state ?? '(no #engine-status)',
      );
      if (state === 'trained') break;
      if (opened.pageErrors.length || opened.consoleErrors.length || Date.now() > deadline) {
        assert.fail(`#engine-status has data-state="${state}", not "trained"${describeErrors(opened)}`);
      }
      await sleep(100);
    }

    const text = (await page.locator('#engine-loss').textContent())?.trim() ?? '';
    const loss = Number(text);
    assert.ok(text !== '' && Number.isFinite(loss), `#engine-loss is not a number: "${text}"`);
    assert.ok(loss < 0.05, `final XOR loss ${loss} is not below 0.05`);

    assert.deepEqual(opened.pageErrors, [], `uncaught page errors${describeErrors(opened)}`);
    assert.deepEqual(opened.consoleErrors, [], `console errors${describeErrors(opened)}`);
  } finally {
    // Kept for a person to look at, pass or fail.
    await screenshot('engine_page');
  }
});
