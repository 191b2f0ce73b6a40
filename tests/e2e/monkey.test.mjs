// Issue 16: a seeded monkey. It clicks, chooses, slides, types and presses keys over every
// control of the page (buttons, selects, sliders, fields, the keyboard's shortcuts, Experiment,
// Share, lessons) and resizes the window, and asserts: no page error, no CSP violation, no
// NaN, Infinity or undefined in the page's text, and no gap of over 1 s between frames.
//
//   MONKEY_SEED=1234 node --test tests/e2e/monkey.test.mjs      replays a run (the seed is printed)
//   MONKEY_SECONDS=600 node --test tests/e2e/monkey.test.mjs    a longer run (default 60 s)

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { appSession, describeErrors } from './harness.mjs';

const session = appSession();
const SEED = Number(process.env.MONKEY_SEED ?? (Date.now() % 1_000_000));
const SECONDS = Number(process.env.MONKEY_SECONDS ?? 60);
const KEYS = [' ', 'ArrowRight', 'ArrowLeft', 'ArrowUp', 'ArrowDown', 'Enter', 'Escape', 'Tab', 'n', 's', 'e', 'r', 'u', 'p', 'z', '?', '+', '-', '1', '2', '3'];
const SIZES = [[1280, 720], [1920, 1080], [1024, 768], [800, 600], [1366, 768]];
const TEXT = ['0', '1', '-1', '0.5', '1e308', '-1e-308', 'abc', '', '3, 4', '1.5', '100000', 'NaN'];

/** mulberry32: a small seeded PRNG, so a run replays from its seed. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test(`monkey (seed ${SEED}, ${SECONDS} s)`, { timeout: (SECONDS + 120) * 1000 }, async () => {
  const opened = await session.open();
  const { page } = opened;
  const random = prng(SEED);
  const pick = (list) => list[Math.floor(random() * list.length)];
  const log = [];
  try {
    await page.evaluate(() => {
      window.__csp = [];
      document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(`${e.violatedDirective} ${e.sourceFile}:${e.lineNumber} ${e.sample}`));
      window.__gaps = [];
      let previous = 0;
      const tick = (t) => {
        if (previous && t - previous > 1000 && !document.hidden) window.__gaps.push(Math.round(t - previous));
        previous = t;
        requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    });
    const deadline = Date.now() + SECONDS * 1000;
    let actions = 0;
    while (Date.now() < deadline) {
      const kind = pick(['click', 'click', 'click', 'select', 'slider', 'type', 'key', 'key', 'resize']);
      // Controls a person can reach now: visible, enabled, not a file chooser or a link away.
      const targets = await page.evaluate((kind) => {
        const selector = { click: 'button, input[type=checkbox], summary, #network, #output', select: 'select', slider: 'input[type=range]',
          type: 'input[type=number], input[type=text], textarea' }[kind];
        if (!selector) return [];
        document.querySelectorAll('[data-monkey]').forEach((e) => e.removeAttribute('data-monkey'));
        const list = [...document.querySelectorAll(selector)].filter((e) => !e.disabled && e.offsetParent !== null && !e.closest('[hidden]'));
        list.forEach((e, k) => e.setAttribute('data-monkey', String(k)));
        return list.map((e) => e.id || e.tagName);
      }, kind);
      const choose = () => `[data-monkey="${Math.floor(random() * targets.length)}"]`;
      let what = kind;
      try {
        if (kind === 'key') {
          const key = pick(KEYS);
          what = `key ${key}`;
          await page.keyboard.press(key);
        } else if (kind === 'resize') {
          const [w, h] = pick(SIZES);
          what = `resize ${w}×${h}`;
          await page.setViewportSize({ width: w, height: h });
        } else if (targets.length === 0) {
          continue;
        } else if (kind === 'click') {
          const target = choose();
          what = `click ${targets[Number(/\d+/.exec(target))]}`;
          await page.click(target, { timeout: 2000, force: true });
        } else if (kind === 'select') {
          const target = choose();
          const options = await page.$$eval(`${target} option`, (o) => o.map((x) => x.value));
          const value = pick(options);
          what = `select ${targets[Number(/\d+/.exec(target))]} = ${value}`;
          if (options.length) await page.selectOption(target, value, { timeout: 2000 });
        } else if (kind === 'slider') {
          const target = choose();
          const share = random();
          what = `slide ${targets[Number(/\d+/.exec(target))]} to ${share.toFixed(2)}`;
          await page.$eval(target, (e, share) => {
            const lo = Number(e.min || 0);
            const hi = Number(e.max || 100);
            e.value = String(lo + share * (hi - lo));
            e.dispatchEvent(new Event('input', { bubbles: true }));
            e.dispatchEvent(new Event('change', { bubbles: true }));
          }, share);
        } else if (kind === 'type') {
          const target = choose();
          const text = pick(TEXT);
          what = `type ${targets[Number(/\d+/.exec(target))]} "${text}"`;
          await page.fill(target, text, { timeout: 2000 });
          await page.press(target, 'Enter', { timeout: 2000 });
          await page.evaluate(() => document.activeElement?.blur());
        }
      } catch (error) {
        if (!/Timeout|not visible|detached|outside of the viewport|not an HTMLInputElement|Cannot type/.test(String(error))) throw error;
      }
      actions++;
      log.push(what);
      if (log.length > 30) log.shift();
      if (actions % 10 === 0) {
        const bad = await page.evaluate(() => {
          // What the student typed, quoted back in a message ("NaN" is not a number), is not a
          // number the page computed.
          const text = document.body.innerText.replace(/"[^"\n]*"/g, '""');
          const found = /\bNaN\b|Infinity|\bundefined\b/.exec(text);
          return found ? text.slice(Math.max(0, found.index - 80), found.index + 40).replace(/\s+/g, ' ') : undefined;
        });
        assert.equal(bad, undefined, `the page shows "…${bad}…" (seed ${SEED}); the last actions: ${log.join(' | ')}`);
      }
      if (opened.pageErrors.length) break;
    }
    const { csp, gaps } = await page.evaluate(() => ({ csp: window.__csp, gaps: window.__gaps }));
    console.log(`monkey: seed ${SEED}, ${actions} actions in ${SECONDS} s`);
    assert.deepEqual(opened.pageErrors, [], `page errors (seed ${SEED})${describeErrors(opened)}; the last actions: ${log.join(' | ')}`);
    assert.deepEqual(csp, [], `CSP violations (seed ${SEED}); the last actions: ${log.join(' | ')}`);
    assert.deepEqual(gaps, [], `frame gaps over 1 s (seed ${SEED}); the last actions: ${log.join(' | ')}`);
  } finally {
    await page.close();
  }
});
