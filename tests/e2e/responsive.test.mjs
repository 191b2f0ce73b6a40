// Issue 16, responsive at every limit: at the documented 100,000-point limit, playing keeps
// the page drawing and Pause answers at once. Training per frame is budgeted by time
// (www/actions.js), the data points are drawn once into a bitmap (www/heatmaps.js) and the
// metrics measure one split per update (www/metrics.js).
//
// Pause's latency is measured from the click event's timestamp (when the input arrived, so a
// long frame that delays the click counts) to the first frame that shows the page paused.
// The bound is 250 ms (the aim is 100 ms; this machine is shared and noisy).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { appSession, assertNoErrors, setSpeed } from './harness.mjs';

const session = appSession();
const PAUSE_MS = 250;

test('100,000 points: frames keep coming while playing, and Pause answers within 250 ms', { timeout: 120_000 }, async () => {
  const opened = await session.open({ query: '?points=100000' });
  const { page } = opened;
  try {
    const info = await page.evaluate(() => window.app.session.dataInfo());
    assert.equal(info.train_points + info.test_points, 100_000);
    for (const speed of ['10 steps', 'max speed']) {
      await setSpeed(page, speed);
      await page.evaluate(() => {
        window.__frames = [];
        if (window.__ticking) return;
        window.__ticking = true;
        const tick = (t) => { window.__frames.push({ t, playing: window.app.page.playing() }); requestAnimationFrame(tick); };
        requestAnimationFrame(tick);
        document.getElementById('play').addEventListener('click', (e) => { window.__clickAt = e.timeStamp; });
      });
      await page.click('#play');
      await page.waitForTimeout(3000);
      await page.click('#play');
      await page.waitForFunction(() => !window.app.page.playing());
      await page.waitForTimeout(300);
      const { frames, clickAt } = await page.evaluate(() => ({ frames: window.__frames, clickAt: window.__clickAt }));
      const playing = frames.filter((f) => f.playing);
      const gaps = playing.slice(1).map((f, k) => f.t - playing[k].t).sort((a, b) => a - b);
      const paused = frames.find((f) => !f.playing && f.t > clickAt);
      const latency = paused.t - clickAt;
      console.log(`${speed}: ${playing.length} frames in 3 s, median gap ${gaps[gaps.length >> 1]?.toFixed(0)} ms, `
        + `longest ${gaps.at(-1)?.toFixed(0)} ms; pause latency ${latency.toFixed(0)} ms`);
      assert.ok(playing.length >= 15, `only ${playing.length} frames in 3 s of playing`);
      assert.ok(latency <= PAUSE_MS, `Pause took ${latency.toFixed(0)} ms to show`);
      assert.ok(await page.evaluate(() => window.app.session.steps()) > 0);
    }
    assertNoErrors(opened);
  } finally {
    await page.close();
  }
});
