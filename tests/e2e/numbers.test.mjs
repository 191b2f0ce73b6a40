// Nothing non-finite on screen (issue 16): after training diverges in every lesson, and after
// extreme but finite inputs, the page's text and the network view's labels hold no NaN,
// Infinity, ∞ or undefined; and "continue with η ÷ 10" trains on from the step kept in one click.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { appSession, banner, digitsArrived, frames, setSpeed } from './harness.mjs';

const session = appSession();
const BAD = /NaN|Infinity|∞|undefined/;

/** The page's visible text and the network view's label texts that hold a forbidden word. */
const nonFinite = (page) => page.evaluate((source) => {
  const bad = new RegExp(source);
  const lines = document.body.innerText.split('\n').filter((line) => bad.test(line));
  const labels = (window.app.labels?.() ?? []).map((l) => l.text).filter((t) => bad.test(String(t)));
  return [...lines, ...labels.map((t) => `canvas label: ${t}`)];
}, BAD.source);

test('after divergence in every lesson no NaN, Infinity or undefined is on screen', { timeout: 300_000 }, async () => {
  const opened = await session.open();
  const { page } = opened;
  try {
    const lessons = await page.evaluate(() => [...document.querySelectorAll('#lesson option')].map((o) => o.value).filter(Boolean));
    assert.ok(lessons.length > 3, `${lessons}`);
    let diverged = 0;
    for (const lesson of lessons) {
      await page.selectOption('#lesson', lesson);
      await digitsArrived(page); // the digits lessons fetch their data first
      await frames(page);
      if (!(await page.locator('#setting-lr').isVisible())) continue;
      await page.locator('#setting-lr').fill('1'); // the log slider's top: η = 10
      await page.locator('#setting-lr').dispatchEvent('input');
      await setSpeed(page, 'max speed');
      await page.click('#play');
      await page.waitForFunction(() => document.getElementById('message').dataset.kind === 'diverged', null, { timeout: 8_000 }).catch(() => {});
      if ((await banner(page)).error === 'diverged') diverged++;
      if (await page.evaluate(() => window.app.page.playing())) await page.click('#play');
      await frames(page, 6);
      assert.deepEqual(await nonFinite(page), [], `lesson ${lesson}`);
      // Stepping through the phases after it shows no NaN either.
      await page.click('#step-phase');
      await frames(page, 30);
      assert.deepEqual(await nonFinite(page), [], `lesson ${lesson}, a phase after`);
    }
    assert.ok(diverged >= 2, `some lessons diverge at η = 10 (${diverged} did)`);
    assert.deepEqual(opened.pageErrors, []);
  } finally {
    await page.close();
  }
});

test('"continue with η ÷ 10" trains on from the step kept after a divergence', { timeout: 120_000 }, async () => {
  const opened = await session.open();
  const { page } = opened;
  try {
    await page.selectOption('#setting-problem', 'sine');
    await page.locator('#setting-lr').fill('1');
    await page.locator('#setting-lr').dispatchEvent('input');
    await setSpeed(page, 'max speed');
    await page.click('#play');
    await page.waitForFunction(() => document.getElementById('message').dataset.kind === 'diverged', null, { timeout: 60_000 });
    const shown = await banner(page);
    assert.match(shown.text, /Training stopped at step [\d,]+, the last with a sane loss/);
    // Each click divides η by 10 and trains on from the step kept; if that still diverges, the
    // banner comes back with the button, until a rate trains.
    let rate = 10;
    for (let click = 1; ; click++) {
      assert.ok(click <= 4, 'a few clicks end the divergence');
      const kept = await page.evaluate(() => window.app.session.steps());
      assert.equal(await page.locator('#recover-rate').isVisible(), true);
      await page.click('#recover-rate');
      rate /= 10;
      assert.equal(await page.evaluate(() => window.app.session.config().optimizer.learning_rate), rate);
      await page.waitForFunction((kept) => window.app.session.steps() > kept + 300
        || document.getElementById('message').dataset.kind === 'diverged', kept, { timeout: 30_000 });
      if ((await banner(page)).error !== 'diverged') break;
    }
    assert.equal(await page.locator('#recover-rate').isVisible(), false);
    assert.deepEqual(await nonFinite(page), []);
    assert.deepEqual(opened.pageErrors, []);
  } finally {
    await page.close();
  }
});

test('extreme but finite coordinates are refused with a message, and nothing non-finite reaches the screen', { timeout: 60_000 }, async () => {
  const opened = await session.open();
  const { page } = opened;
  try {
    const rows = ['a,b,label', '1e308,0,0', '0,-1e308,1', '1,2,0', '2,1,1'];
    await page.setInputFiles('#csv-file', { name: 'extreme.csv', mimeType: 'text/csv', buffer: Buffer.from(rows.join('\n')) });
    await page.waitForFunction(() => document.getElementById('message').dataset.kind === 'error', null, { timeout: 10_000 });
    const shown = await banner(page);
    assert.match(shown.text, /coordinate 0 is 1\.0e308, beyond ±1e15/);
    assert.notEqual(await page.evaluate(() => window.app.session.dataInfo().label), 'extreme.csv', 'the data stays as it was');
    await page.click('#step-sample');
    await frames(page, 6);
    assert.deepEqual(await nonFinite(page), []);
    assert.ok((await page.evaluate(() => window.app.labels().length)) > 0, 'the network view still draws');
    assert.deepEqual(opened.pageErrors, []);
  } finally {
    await page.close();
  }
});
