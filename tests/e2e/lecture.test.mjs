// Lecture-ready (issue 10), checked on the screen in real headless Chromium: the layout on
// every screen and zoom the issue lists, presenter mode, labels that never collide, numbers on
// the network that agree with each other and with the engine, undo, and each lesson's claim.
//
// Screenshots land in tests/e2e/artifacts/ (layout-<screen>.png, present-<screen>.png, …) for
// a person to look at. The page's read-only handle window.app gives the engine's numbers and
// what the network view drew (app.labels(), app.layout()).

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fmt } from '../../www/colors.js';
import { assertNoErrors, frames } from './harness.mjs';
import {
  SCREENS, browserSession, shot, resize, pressOnPage, chooseLesson, chooseSpeed, labelProblems, coveredBy,
} from './screens.mjs';

const browser = browserSession();

/** The lessons of the menu, in its order (the default network is free play, ''). */
const LESSONS = ['chain-rule', 'xor', 'worked-example', 'vanishing-gradients', 'learning-rate', 'overfitting', 'optimizers', 'spiral-softmax'];

/** One page per device pixel ratio, shared by the layout and label tests (opened with reduced
 *  motion, so a phase's numbers are drawn at once: the label boxes are the layout's either way). */
const screenPages = new Map();
async function screenPage(screen) {
  if (!screenPages.has(screen.dpr)) {
    screenPages.set(screen.dpr, await browser.open({ ...screen, reducedMotion: 'reduce' }));
  }
  const opened = screenPages.get(screen.dpr);
  await resize(opened.page, screen);
  return opened;
}

/** The number a label line shows ("δ·a −0.0123" → −0.0123). */
function shown(line) {
  const m = /(−?[0-9.]+(?:e[−+-]?\d+)?)\s*$/.exec(line);
  assert.ok(m, `no number in the label line "${line}"`);
  return Number(m[1].replace(/−/g, '-'));
}

/** Is `value` what a 4-significant-digit label shows as `text`? */
const sameAt4 = (text, value) => shown(text) === Number(value.toPrecision(4));

/** Runs phases with → until the phase just run is `kind` (and `layer`), at most one step. */
async function stepUntil(page, kind, layer) {
  for (let k = 0; k < 64; k++) {
    await pressOnPage(page, 'ArrowRight');
    await frames(page, 2);
    const last = await page.evaluate(() => window.app.session.position().last);
    if (last?.kind === kind && (layer === undefined || last.layer === layer)) return;
  }
  throw new Error(`never reached the phase ${kind} ${layer ?? ''}`);
}

/** Every weight and bias, as the hex of their f64 bytes (for bit-for-bit comparisons). */
const parameterBits = (page) => page.evaluate(() => {
  const { app } = window;
  const hex = (values) => Array.from(new Uint8Array(Float64Array.from(values).buffer), (b) => b.toString(16).padStart(2, '0')).join('');
  const layers = app.session.shape().length - 1;
  const out = [];
  for (let l = 0; l < layers; l++) out.push(hex(app.view(app.Buffer.Weights, l)), hex(app.view(app.Buffer.Biases, l)));
  return out;
});

/** In the page: a whole step phase by phase (→), collecting `problems()` after each phase. */
async function sweepLabels(problems) {
  const frame = () => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
  const phases = 2 * window.app.session.shape().length;
  const out = [];
  for (let k = 0; k <= phases; k++) {
    const last = window.app.session.position().last;
    for (const p of problems()) out.push(`after ${last ? `${last.kind}${last.layer === undefined ? '' : ` ${last.layer}`}` : 'nothing'}: ${p}`);
    document.body.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowRight', bubbles: true }));
    await frame();
  }
  return out;
}

describe('lecture-ready: every screen', () => {
  for (const screen of SCREENS) {
    test(`layout at ${screen.name} (${screen.width}×${screen.height} @${screen.dpr}): no sideways scroll, the whole top bar reachable, a large network`, { timeout: 60_000 }, async () => {
      const opened = await screenPage(screen);
      const { page } = opened;
      for (const present of [false, true]) {
        if (present) await pressOnPage(page, 'p');
        await page.waitForFunction((on) => document.body.dataset.present === String(on), present);
        await resize(page, screen);
        const where = `${screen.name}${present ? ' in presenter mode' : ''}`;
        await page.evaluate(() => window.scrollTo(0, 0));
        const m = await page.evaluate(() => {
          const canvas = document.getElementById('network').getBoundingClientRect();
          const right = document.getElementById('right').getBoundingClientRect();
          // Every control of the top bar: inside the window sideways, and the control itself is
          // what a click at its centre reaches once it is scrolled into view.
          const controls = [...document.querySelectorAll('#topbar button, #topbar select, #topbar input')]
            .filter((el) => el.getClientRects().length > 0)
            .map((el) => {
              const r = el.getBoundingClientRect();
              el.scrollIntoView({ block: 'nearest', inline: 'nearest' });
              const s = el.getBoundingClientRect();
              const hit = document.elementFromPoint(s.left + s.width / 2, s.top + s.height / 2);
              window.scrollTo(0, 0);
              return { id: el.id || el.textContent.trim(), left: r.left, right: r.right, reachable: hit !== null && (hit === el || el.contains(hit) || hit.contains(el) && hit.tagName === 'LABEL') };
            });
          return {
            scrollWidth: document.documentElement.scrollWidth,
            innerWidth,
            innerHeight,
            canvas: { left: canvas.left, right: canvas.right, width: canvas.width, height: canvas.height, bottom: canvas.bottom },
            rightTop: right.top,
            stacked: getComputedStyle(document.getElementById('layout')).display === 'flex',
            controls,
          };
        });
        assert.ok(m.scrollWidth <= m.innerWidth, `${where}: the page scrolls sideways (${m.scrollWidth} px wide in a ${m.innerWidth} px window)`);
        assert.ok(m.controls.length >= 10, `${where}: only ${m.controls.length} top-bar controls found`);
        for (const c of m.controls) {
          assert.ok(c.left >= -0.5 && c.right <= m.innerWidth + 0.5, `${where}: top-bar control "${c.id}" is off screen sideways (${Math.round(c.left)}…${Math.round(c.right)} of ${m.innerWidth})`);
          assert.ok(c.reachable, `${where}: top-bar control "${c.id}" cannot be reached (covered or clipped)`);
        }
        assert.ok(m.canvas.left >= 0 && m.canvas.right <= m.innerWidth + 0.5, `${where}: the network is off screen sideways`);
        if (screen.phone) {
          assert.ok(m.canvas.height >= 300 && m.canvas.width >= 300, `${where}: the network is ${m.canvas.width}×${m.canvas.height}, not 300 px square`);
        } else {
          assert.ok(m.canvas.height >= 0.4 * m.innerHeight, `${where}: the network is ${Math.round(m.canvas.height)} px tall, under 40 % of ${m.innerHeight}`);
        }
        if (m.stacked) assert.ok(m.rightTop >= m.canvas.bottom, `${where}: the panels are not stacked below the network`);
        await shot(page, `${present ? 'present' : 'layout'}-${screen.name}`, { fullPage: !present });
        assertNoErrors(opened);
      }
      await pressOnPage(page, 'p');
      await page.waitForFunction(() => document.body.dataset.present === 'false');
    });
  }

  test('labels never collide: every network, every phase of a step, every screen', { timeout: 120_000 }, async () => {
    // For each device pixel ratio's page, the default network first (before any lesson is
    // loaded), then each lesson: at each screen of that ratio, a whole step phase by phase (→),
    // checking the label boxes the view drew after each phase.
    const failures = [];
    const byRatio = new Map();
    for (const s of SCREENS) byRatio.set(s.dpr, [...(byRatio.get(s.dpr) ?? []), s]);
    for (const screens of byRatio.values()) {
      const { page } = await screenPage(screens[0]);
      for (const lesson of ['', ...LESSONS]) {
        if (lesson) await chooseLesson(page, lesson);
        for (const screen of screens) {
          await resize(page, screen);
          const found = await page.evaluate(`(${sweepLabels})(${labelProblems})`);
          for (const f of new Set(found)) failures.push(`${screen.name}, ${lesson || 'default network'}, ${f}`);
        }
      }
    }
    assert.deepEqual(failures.slice(0, 40), [], `${failures.length} label problems, the first 40 listed`);
  });

  test('labels never collide while a phase is animated, nor with the hover tooltip', { timeout: 60_000 }, async () => {
    const opened = await browser.open({ width: 1280, height: 720 });
    const { page } = opened;
    const failures = [];
    for (let k = 0; k < 8; k++) {
      await pressOnPage(page, 'ArrowRight');
      await page.waitForTimeout(150); // mid-animation (500 ms)
      for (const p of await page.evaluate(labelProblems)) failures.push(`phase ${k + 1}, animating: ${p}`);
    }
    // The tooltip (a neuron's or an edge's numbers on hover, when they are not written on the
    // network) covers no label and no neuron: hover every neuron and every unlabelled edge's middle.
    await chooseLesson(page, 'spiral-softmax');
    for (let k = 0; k < 6; k++) await pressOnPage(page, 'ArrowRight');
    await frames(page, 2);
    const box = await page.locator('#network').boundingBox();
    const targets = await page.evaluate(() => {
      const L = window.app.layout();
      const shape = window.app.session.shape();
      const out = [];
      for (let n = shape[0]; n < L.nodeX.length; n++) out.push({ x: L.nodeX[n], y: L.nodeY[n] });
      for (let c = 1; c < L.columns; c++) {
        for (let j = 0; j < shape[c]; j++) {
          for (let i = 0; i < shape[c - 1]; i += 5) {
            if (!Number.isNaN(L.labelX[L.edgeStart[c] + j * shape[c - 1] + i])) continue;
            const a = L.colStart[c - 1] + i;
            const b = L.colStart[c] + j;
            out.push({ x: (L.nodeX[a] + L.nodeX[b]) / 2, y: (L.nodeY[a] + L.nodeY[b]) / 2 });
          }
        }
      }
      return out.filter((_, k) => k % 3 === 0);
    });
    let tooltips = 0;
    for (const t of targets) {
      await page.mouse.move(box.x + t.x, box.y + t.y);
      await frames(page, 2);
      const problems = await page.evaluate(labelProblems, true);
      tooltips += await page.evaluate(() => window.app.labels().filter((b) => b.kind === 'tooltip').length);
      for (const p of problems) if (p.includes('tooltip')) failures.push(`hovering (${Math.round(t.x)}, ${Math.round(t.y)}): ${p}`);
    }
    assert.ok(tooltips > 0, 'no tooltip was drawn on hover');
    assert.deepEqual(failures, []);
    assertNoErrors(opened);
    await page.close();
  });

  test('no panel covers the network or the output plane (inspector open, a message shown)', { timeout: 60_000 }, async () => {
    const failures = [];
    for (const screen of SCREENS) {
      const { page } = await screenPage(screen);
      await chooseLesson(page, 'xor'); // says "lesson loaded" in the banner
      await pressOnPage(page, 'ArrowRight');
      const at = await page.evaluate(() => ({ x: window.app.layout().nodeX[2], y: window.app.layout().nodeY[2] }));
      await page.locator('#network').scrollIntoViewIfNeeded();
      const canvasBox = await page.locator('#network').boundingBox();
      await page.mouse.click(canvasBox.x + at.x, canvasBox.y + at.y);
      await page.waitForSelector('#inspector:not([hidden])');
      await page.mouse.move(0, 0);
      await frames(page, 2);
      for (const selector of ['#network', '#output']) {
        await page.locator(selector).scrollIntoViewIfNeeded();
        for (const what of await page.evaluate(coveredBy, selector)) failures.push(`${screen.name}: ${what} covers ${selector}`);
      }
      await page.keyboard.press('Escape');
      await page.evaluate(() => window.scrollTo(0, 0));
    }
    assert.deepEqual(failures, []);
  });
});
