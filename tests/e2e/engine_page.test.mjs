// The page (www/index.html) loads the wasm engine with no error and shows the engine's output.
// Contract with the page: <body data-state> goes from "loading" to "ready" (or "error", with
// the reason in #engine-status); #train-loss shows the engine's loss over the training set;
// "Step sample" runs one training step in the engine and #step-count shows it.
// (tests/e2e/visualizer.test.mjs drives the rest of the page.)

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { appSession, assertNoErrors, describeErrors, openPage } from './harness.mjs';

const session = appSession();

test('the page loads the wasm engine with no errors and shows its output', { timeout: 120_000 }, async () => {
  const opened = await openPage(session.browser, `${session.server.url}/index.html`);
  const { page, screenshot } = opened;
  try {
    // Wait for the engine; stop early on the first uncaught error or console error.
    const deadline = Date.now() + 60_000;
    let state;
    for (;;) {
      state = await page.evaluate(() => document.body.dataset.state ?? '(no data-state)');
      if (state === 'ready') break;
      if (state === 'error' || opened.pageErrors.length || opened.consoleErrors.length || Date.now() > deadline) {
        const why = await page.locator('#engine-status').textContent().catch(() => '');
        assert.fail(`<body> has data-state="${state}", not "ready" (${why})${describeErrors(opened)}`);
      }
      await sleep(100);
    }

    // The loss of the fresh network, as the engine computes it.
    await page.waitForFunction(() => document.querySelector('#train-loss')?.textContent !== '—');
    const text = (await page.locator('#train-loss').textContent())?.trim() ?? '';
    const loss = Number(text);
    assert.ok(text !== '' && Number.isFinite(loss) && loss > 0, `#train-loss is not a loss: "${text}"`);

    // One training step runs in the engine and the page counts it.
    assert.equal(await page.locator('#step-count').textContent(), '0');
    await page.click('#step-sample');
    await page.waitForFunction(() => document.querySelector('#step-count').textContent === '1', null, { timeout: 10_000 });

    assertNoErrors(opened);
  } finally {
    // Kept for a person to look at, pass or fail.
    await screenshot('engine_page');
  }
});
