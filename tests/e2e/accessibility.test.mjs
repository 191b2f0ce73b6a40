// Access for everyone (issue 10), checked in real headless Chromium:
//   - axe-core (WCAG 2 A/AA, 2.1 AA, 2.2 AA and best practice) finds no violation on the page as
//     loaded, with the inspector opened from the keyboard, in presenter mode, and in the
//     experiment view after a run, and as loaded and in presenter mode at every screen and zoom;
//   - every visible control has an accessible name;
//   - the keyboard reaches every neuron and edge (arrows move, Enter opens the inspector);
//   - the numbers are also a table per layer;
//   - phase changes are announced politely, and throttled while playing;
//   - prefers-reduced-motion runs a phase without animation.
// (Colours under colour-vision deficiencies: colours.test.mjs.)

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assertNoErrors, axeViolations, frames, setSpeed } from './harness.mjs';
import { SCREENS, browserSession, shot, settled, pressOnPage } from './screens.mjs';

const browser = browserSession();
/** Tabs from the start of the page until the network canvas has the focus. */
async function tabToNetwork(page) {
  await page.evaluate(() => document.activeElement?.blur?.());
  for (let k = 0; k < 200; k++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate(() => document.activeElement?.id === 'network')) return k + 1;
  }
  throw new Error('Tab never reached the network view');
}

/** The keyboard's place in the network, as the page's announcement and drawing know it. */
async function focusOf(page) {
  await frames(page, 1);
  return page.evaluate(() => document.getElementById('announce').textContent);
}

describe('access for everyone', () => {
  test('axe-core finds no WCAG 2.2 AA or best-practice violation: as loaded, with the inspector opened from the keyboard, in presenter mode, in the experiment view', { timeout: 90_000 }, async () => {
    const opened = await browser.open({ width: 1280, height: 720 });
    const { page } = opened;
    try {
      const states = {};
      states['as loaded'] = await axeViolations(page);
      await shot(page, 'a11y-loaded-1280x720');

      await tabToNetwork(page);
      await page.keyboard.press('Enter');
      await page.waitForSelector('#inspector:not([hidden])');
      await frames(page, 2);
      states['inspector open'] = await axeViolations(page);
      await shot(page, 'a11y-inspector-1280x720');
      await page.keyboard.press('Escape');
      await pressOnPage(page, 'Escape');

      await pressOnPage(page, 'p');
      await page.waitForFunction(() => document.body.dataset.present === 'true');
      await settled(page);
      states['presenter mode'] = await axeViolations(page);
      await shot(page, 'a11y-present-1280x720');
      await pressOnPage(page, 'p');
      await page.waitForFunction(() => document.body.dataset.present === 'false');

      await page.click('#experiment-button');
      await page.fill('#exp-steps', '300');
      await page.locator('#exp-steps').dispatchEvent('change');
      await page.click('#exp-run');
      await page.waitForFunction(() => !window.app.experiment.running() && window.app.experiment.runs().length > 1, null, { timeout: 60_000 });
      await frames(page, 4);
      states['experiment view'] = await axeViolations(page);
      await shot(page, 'a11y-experiment-1280x720');

      const found = Object.entries(states).filter(([, v]) => v.length).map(([where, v]) => `${where}:\n    ${v.join('\n    ')}`);
      assert.deepEqual(found, [], `axe-core found violations:\n  ${found.join('\n  ')}`);
      assertNoErrors(opened);
    } finally {
      await page.close();
    }
  });

  test('axe-core finds no violation at every screen and zoom a user has, as loaded and in presenter mode', { timeout: 180_000 }, async () => {
    const found = [];
    for (const screen of SCREENS) {
      const opened = await browser.open(screen);
      const { page } = opened;
      try {
        const loaded = await axeViolations(page);
        await pressOnPage(page, 'p');
        await page.waitForFunction(() => document.body.dataset.present === 'true');
        await settled(page);
        const present = await axeViolations(page);
        if (loaded.length) found.push(`${screen.name} as loaded:\n    ${loaded.join('\n    ')}`);
        if (present.length) found.push(`${screen.name} presenter mode:\n    ${present.join('\n    ')}`);
        assertNoErrors(opened);
      } finally {
        await page.close();
      }
    }
    assert.deepEqual(found, [], `axe-core found violations:\n  ${found.join('\n  ')}`);
  });

  test('every visible control has an accessible name', { timeout: 60_000 }, async () => {
    const opened = await browser.open({ width: 1280, height: 720, query: '?lesson=learning-rate' });
    const { page } = opened;
    try {
      const controls = await page.locator('button:visible, select:visible, input:visible, [tabindex="0"]:visible, summary:visible').all();
      assert.ok(controls.length > 30, `only ${controls.length} controls found`);
      const nameless = [];
      for (const control of controls) {
        const snapshot = await control.ariaSnapshot();
        // "- button" / "- combobox" with nothing after the role: no name.
        // `- button "Play"`, `- 'slider "η"': "0.03"`; a summary's text is its name.
        const first = snapshot.split('\n')[0];
        const summary = await control.evaluate((el) => el.tagName === 'SUMMARY');
        if (!/^- '?[a-z]+ "[^"]+"/.test(first) && !(summary && /^- text: \S/.test(first))) {
          nameless.push(`${await control.evaluate((el) => el.outerHTML.slice(0, 120))} → ${snapshot.split('\n')[0]}`);
        }
      }
      assert.deepEqual(nameless, [], `controls without an accessible name:\n  ${nameless.join('\n  ')}`);
      assertNoErrors(opened);
    } finally {
      await page.close();
    }
  });

  test('the keyboard reaches every neuron and edge: arrows move, Enter opens the inspector on the place reached; the numbers are a table per layer', { timeout: 60_000 }, async () => {
    const opened = await browser.open({ width: 1280, height: 720, reducedMotion: 'reduce' });
    const { page } = opened;
    try {
      const shape = await page.evaluate(() => window.app.session.shape());
      await tabToNetwork(page);
      await frames(page, 2);
      assert.match(await focusOf(page), /^Input /, 'the first place is the first input');
      // Walk every neuron of every column (↓ within a layer, → along an edge into the next),
      // and every edge into each neuron of the next column (↑ ↓ over the edges' inputs).
      const reached = new Set();
      for (let c = 0; c < shape.length; c++) {
        for (let j = 0; j < shape[c]; j++) {
          const text = await focusOf(page);
          reached.add(text.split(',')[0].split('.')[0].split(':')[0]);
          if (j < shape[c] - 1) await page.keyboard.press('ArrowDown');
        }
        if (c === shape.length - 1) break;
        // From the last neuron of column c: → to an outgoing edge, then over every input of it.
        await page.keyboard.press('ArrowRight');
        for (let k = 0; k < shape[c]; k++) await page.keyboard.press('ArrowUp');
        for (let i = 0; i < shape[c]; i++) {
          const text = await focusOf(page);
          assert.match(text, /^Weight from /, `an edge after →: ${text}`);
          reached.add(text.split(',')[0]);
          if (i < shape[c] - 1) await page.keyboard.press('ArrowDown');
        }
        // → from the edge goes to its neuron in column c + 1; go to that column's first neuron.
        await page.keyboard.press('ArrowRight');
        for (let k = 0; k < shape[c + 1]; k++) await page.keyboard.press('ArrowUp');
      }
      const neurons = [...reached].filter((t) => !t.startsWith('Weight'));
      const edges = [...reached].filter((t) => t.startsWith('Weight'));
      assert.equal(neurons.length, shape.reduce((a, b) => a + b, 0), `neurons reached: ${neurons.join(' | ')}`);
      assert.ok(edges.length >= shape.slice(0, -1).reduce((a, b) => a + b, 0), `edges reached: ${edges.join(' | ')}`);

      // Enter on an edge opens the inspector on that very edge.
      await page.keyboard.press('ArrowLeft'); // the incoming edge of the last column's first neuron
      const said = await focusOf(page);
      assert.match(said, /^Weight from /);
      await page.keyboard.press('Enter');
      await page.waitForSelector('#inspector:not([hidden])');
      const selection = await page.evaluate(() => window.app.session.position().selection);
      assert.equal(selection.type, 'edge');
      assert.equal(selection.layer, shape.length - 2);
      const title = await page.locator('#inspector h2').textContent();
      assert.ok(title.length > 0, 'the inspector has a title');
      await shot(page, 'a11y-keyboard-inspector-1280x720');

      // A table per layer, with the engine's numbers.
      await page.keyboard.press('Escape');
      for (let k = 0; k < 3; k++) await pressOnPage(page, 'ArrowRight');
      await page.locator('#numbers summary').click();
      await page.waitForFunction(() => document.querySelectorAll('#numbers table').length > 0);
      const tables = await page.evaluate(() => [...document.querySelectorAll('#numbers table')].map((t) => ({
        caption: t.caption?.textContent ?? '', rows: t.querySelectorAll('tr').length, head: [...t.rows[0].cells].map((c) => c.textContent),
        a: [...t.rows].slice(1).map((r) => r.cells[3].textContent),
      })));
      assert.equal(tables.length, shape.length - 1, 'one table per layer');
      tables.forEach((t, l) => {
        assert.equal(t.rows, shape[l + 1] + 1, `table ${l + 1}: a row per neuron`);
        assert.deepEqual(t.head.slice(0, 5), ['neuron', 'b', 'z', 'a', 'δ']);
      });
      const a0 = await page.evaluate(() => window.app.view(window.app.Buffer.Activation, 0)[0]);
      assert.equal(Number(tables[0].a[0].replace(/−/g, '-')).toPrecision(3), a0.toPrecision(3), 'the table shows the engine\'s a');
      await shot(page, 'a11y-tables-1280x720');
      assertNoErrors(opened);
    } finally {
      await page.close();
    }
  });

  test('phase changes are announced politely, throttled while playing; reduced motion runs a phase without animation', { timeout: 60_000 }, async () => {
    const opened = await browser.open({ width: 1280, height: 720 });
    const { page } = opened;
    try {
      const region = await page.evaluate(() => {
        const r = document.getElementById('announce');
        return { live: r.getAttribute('aria-live'), atomic: r.getAttribute('aria-atomic') };
      });
      assert.deepEqual(region, { live: 'polite', atomic: 'true' });
      await pressOnPage(page, 'ArrowRight');
      await page.waitForFunction(() => /Forward through layer 1|forward/i.test(document.getElementById('announce').textContent));
      assert.match(await page.textContent('#announce'), /layer 1/);
      // With motion allowed, a phase is animated.
      assert.ok(await page.evaluate(() => window.app.page.anim() !== null), 'a phase is animated by default');

      // Playing at full speed: every change of the region is counted for 5 s.
      await page.evaluate(() => {
        window.__announcements = 0;
        new MutationObserver(() => { window.__announcements++; })
          .observe(document.getElementById('announce'), { childList: true, characterData: true, subtree: true });
      });
      await setSpeed(page, 'max speed');
      await page.click('#play');
      await page.waitForTimeout(5000);
      const during = await page.evaluate(() => ({ n: window.__announcements, steps: window.app.session.steps(), text: document.getElementById('announce').textContent }));
      await page.click('#play');
      assert.ok(during.steps > 100, `training ran ${during.steps} steps`);
      assert.ok(during.n >= 1 && during.n <= 3, `${during.n} announcements in 5 s of playing (${during.steps} steps): not throttled to one every few seconds`);
      assert.match(during.text, /^Training: step /);
      assertNoErrors(opened);
      await page.close();

      // prefers-reduced-motion: a phase is shown at once, with no animation.
      const still = await browser.open({ width: 1280, height: 720, reducedMotion: 'reduce' });
      assert.equal(await still.page.evaluate(() => matchMedia('(prefers-reduced-motion: reduce)').matches), true);
      await pressOnPage(still.page, 'ArrowRight');
      await frames(still.page, 1);
      assert.equal(await still.page.evaluate(() => window.app.page.anim()), null, 'an animation ran under reduced motion');
      assert.equal(await still.page.evaluate(() => window.app.session.progress()), 1);
      assertNoErrors(still);
      await still.page.close();
    } catch (error) {
      await page.close().catch(() => {});
      throw error;
    }
  });
});
