// Issue 16, responsive at every limit: at the documented 100,000-point limit, playing keeps
// the page drawing and Pause answers at once. Training per frame is budgeted by time
// (www/actions.js), the data points are drawn once into a bitmap (www/heatmaps.js) and the
// metrics measure one split per update (www/metrics.js). At most 10,000 points of a set are
// drawn, so a resize redraws the point bitmap in a frame.
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
    // At most 10,000 points a set are drawn (every k-th, the legend says so), so the point
    // bitmap redrawn when the plane resizes is a frame's work, not a second's.
    const note = (await page.locator('#points-drawn').textContent()) ?? '';
    assert.match(note, /^Points: 1 in \d+ is drawn \(at most 10,000 a set, the same ones each time\); training uses all [\d,]+\.$/);
    assert.ok(await page.locator('#points-drawn').isVisible(), 'the note on drawn points is shown');
    for (const viewport of [{ width: 1100, height: 760 }, { width: 1280, height: 720 }]) {
      await page.evaluate(() => { window.__frames = []; });
      await page.setViewportSize(viewport);
      await page.waitForTimeout(1500);
      const frames = await page.evaluate(() => window.__frames.map((f) => f.t));
      const longest = Math.max(...frames.slice(1).map((t, k) => t - frames[k]));
      console.log(`resize to ${viewport.width}×${viewport.height}: ${frames.length} frames, longest gap ${longest.toFixed(0)} ms`);
      assert.ok(frames.length >= 5 && longest < 1000, `a resize stalled the page for ${longest.toFixed(0)} ms`);
    }
    assertNoErrors(opened);
  } finally {
    await page.close();
  }
});
