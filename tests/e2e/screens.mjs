// Helpers shared by the lecture and accessibility browser tests (lecture.test.mjs,
// accessibility.test.mjs): one Chromium and one server per test file, with a browser context
// per device pixel ratio and motion preference (a zoomed browser is a smaller viewport at a
// higher device pixel ratio), and the checks both files make.
//
// Contexts are opened with bypassCSP so that axe-core can be evaluated in the page (the page's
// own Content-Security-Policy refuses injected scripts; see shared/TOOLCHAIN.md).

import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before } from 'node:test';
import { chromium } from 'playwright-core';
import { ARTIFACTS_DIR, CHROMIUM_ARGS, CHROMIUM_PATH, frames, openApp, startServer } from './harness.mjs';

/** The screens the lecture-ready issue lists: a zoom of z is the 1280×720 laptop's window
 *  divided by z, at a device pixel ratio of z. */
export const SCREENS = [
  { name: '1024x768', width: 1024, height: 768, dpr: 1 },
  { name: '1280x720', width: 1280, height: 720, dpr: 1 },
  { name: '1366x768', width: 1366, height: 768, dpr: 1 },
  { name: '1920x1080', width: 1920, height: 1080, dpr: 1 },
  { name: '2560x1440', width: 2560, height: 1440, dpr: 1 },
  { name: '800x600', width: 800, height: 600, dpr: 1 },
  { name: '1280x720-zoom125', width: 1024, height: 576, dpr: 1.25 },
  { name: '1280x720-zoom150', width: 853, height: 480, dpr: 1.5 },
  { name: '1280x720-zoom200', width: 640, height: 360, dpr: 2 },
  { name: 'phone-390x844', width: 390, height: 844, dpr: 3, phone: true },
];

/**
 * Starts a server and a Chromium before the calling file's tests and stops them after.
 * `open({width, height, dpr, query, reducedMotion, initScript})` opens the app in a new page of
 * the context for that pixel ratio, motion preference and script run before the page's own
 * (contexts are made once and reused).
 */
export function browserSession() {
  const session = { server: null, browser: null, contexts: new Map() };
  session.context = async ({ dpr = 1, reducedMotion = 'no-preference', initScript = null } = {}) => {
    const key = `${dpr}|${reducedMotion}|${initScript ?? ''}`;
    if (!session.contexts.has(key)) {
      const context = await session.browser.newContext({
        viewport: { width: 1280, height: 720 },
        deviceScaleFactor: dpr,
        reducedMotion,
        bypassCSP: true,
      });
      if (initScript) await context.addInitScript(initScript);
      session.contexts.set(key, context);
    }
    return session.contexts.get(key);
  };
  session.open = async ({ width = 1280, height = 720, dpr = 1, query = '', reducedMotion, initScript } = {}) => {
    const context = await session.context({ dpr, reducedMotion, initScript });
    return openApp(context, session.server.url, { width, height, query });
  };
  before(async () => {
    session.server = await startServer();
    // A fresh temporary profile (playwright makes and removes it), the harness's flags.
    session.browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true, timeout: 60_000 });
  });
  after(async () => {
    await session.browser?.close();
    await session.server?.stop();
  });
  return session;
}

/** Screenshot of the whole page into tests/e2e/artifacts/`name`.png. */
export async function shot(page, name, { fullPage = true } = {}) {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const file = path.join(ARTIFACTS_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage });
  return file;
}

/** Waits until the network view has been laid out for its canvas's size (after a resize, a
 *  toggled panel or presenter mode) and drawn twice more. */
export async function settled(page) {
  await page.waitForFunction(() => {
    const canvas = document.getElementById('network');
    const L = window.app.layout();
    return L && L.w === canvas.clientWidth && L.h === canvas.clientHeight;
  }, null, { timeout: 10_000 });
  await frames(page, 2);
}

/** Resizes the page and waits until the network view has been laid out for the new size. */
export async function resize(page, { width, height }) {
  await page.setViewportSize({ width, height });
  await settled(page);
}

/** Presses a key with nothing focused (the page's shortcuts, not a control's own keys). */
export async function pressOnPage(page, key) {
  await page.evaluate(() => document.activeElement?.blur?.());
  await page.keyboard.press(key);
}

/** Loads lesson `id` from the lesson menu ('' for free play) and waits for it to be drawn. */
export async function chooseLesson(page, id) {
  await page.selectOption('#lesson', id);
  await page.waitForFunction((id) => (window.app.session.settings().lesson ?? '') === id, id);
  await frames(page, 2);
}

/** The number at the end of a label's line as the page writes it ("δ·a −0.0123" → −0.0123,
 *  "1.2e−5" → 0.000012), or NaN. */
export function numberIn(line) {
  const m = /(−?[0-9.]+(?:e[−+-]?\d+)?)\)?\s*$/.exec(line);
  return m ? Number(m[1].replace(/−/g, '-')) : NaN;
}

/** `fmt(x, digits)` of the page (www/colors.js), for comparing a label with the engine. */
export { fmt } from '../../www/colors.js';

/**
 * In the page: what is wrong with the labels the network view drew last frame. A box that
 * leaves the canvas, overlaps another box, or overlaps a neuron (or a neuron that leaves the
 * canvas) is named. Tooltips are left out unless `tooltips` (they show only on hover).
 * Runs inside the page: pass it to page.evaluate.
 */
export function labelProblems(tooltips = false) {
  const L = window.app.layout();
  const canvas = document.getElementById('network');
  const w = canvas.clientWidth;
  const h = canvas.clientHeight;
  const problems = [];
  const eps = 0.5; // boxes that touch (to rounding) do not overlap
  const overlap = (a, b) => a.x + eps < b.x + b.w && b.x + eps < a.x + a.w && a.y + eps < b.y + b.h && b.y + eps < a.y + a.h;
  const name = (b) => `${b.kind} "${b.text.replace(/\n/g, ' | ')}" at (${Math.round(b.x)}, ${Math.round(b.y)}) ${Math.round(b.w)}×${Math.round(b.h)}`;
  const boxes = window.app.labels().filter((b) => tooltips || b.kind !== 'tooltip');
  const neurons = Array.from(L.nodeX, (x, n) => ({ kind: 'neuron', text: `#${n}`, x: x - L.size / 2, y: L.nodeY[n] - L.size / 2, w: L.size, h: L.size }));
  for (const r of neurons) {
    if (r.x < -eps || r.y < -eps || r.x + r.w > w + eps || r.y + r.h > h + eps) problems.push(`neuron outside the ${w}×${h} canvas: ${name(r)}`);
  }
  boxes.forEach((b, i) => {
    if (b.x < -eps || b.y < -eps || b.x + b.w > w + eps || b.y + b.h > h + eps) problems.push(`outside the ${w}×${h} canvas: ${name(b)}`);
    for (const other of boxes.slice(i + 1)) if (overlap(b, other)) problems.push(`${name(b)} overlaps ${name(other)}`);
    for (const r of neurons) if (overlap(b, r)) problems.push(`${name(b)} covers ${name(r)}`);
  });
  return problems;
}

/**
 * In the page: the elements at a grid of points over `selector`'s visible box that are not
 * `selector` itself (what covers it), as descriptions. Runs inside the page.
 */
export function coveredBy(selector) {
  const target = document.querySelector(selector);
  const r = target.getBoundingClientRect();
  const found = new Set();
  for (let gx = 0.05; gx < 1; gx += 0.1) {
    for (let gy = 0.05; gy < 1; gy += 0.1) {
      const x = r.left + gx * r.width;
      const y = r.top + gy * r.height;
      if (x < 0 || y < 0 || x >= innerWidth || y >= innerHeight) continue;
      const hit = document.elementFromPoint(x, y);
      if (hit && hit !== target) found.add(`${hit.tagName.toLowerCase()}${hit.id ? `#${hit.id}` : ''}${hit.className ? `.${String(hit.className).split(' ').join('.')}` : ''}`);
    }
  }
  return [...found];
}

/**
 * In the page: the panels whose content does not fit in them (it would be cut off or drawn
 * under the next panel), an output plane that is not square, and the controls of the settings
 * panel that stick out of it sideways.
 * A panel meant to scroll (the settings, the inspector, the tables) may be taller than it is.
 * Runs inside the page.
 */
export function overflowProblems() {
  const problems = [];
  const visible = (el) => el && el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
  const describe = (el) => `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}`;
  for (const selector of ['#center', '#output-panel', '#loss-panel', '#topbar']) {
    const el = document.querySelector(selector);
    if (!visible(el)) continue;
    if (el.scrollHeight > el.clientHeight + 1) problems.push(`${selector}: its content is ${el.scrollHeight} px tall in ${el.clientHeight} px`);
    if (el.scrollWidth > el.clientWidth + 1) problems.push(`${selector}: its content is ${el.scrollWidth} px wide in ${el.clientWidth} px`);
  }
  // The output plane is a square (the plane's two axes have the same scale).
  const plane = document.getElementById('output');
  if (visible(plane)) {
    const r = plane.getBoundingClientRect();
    if (Math.abs(r.width - r.height) > 1) problems.push(`#output: the plane is ${Math.round(r.width)}×${Math.round(r.height)}, not square`);
  }
  // Inside the settings panel (which scrolls down), nothing sticks out sideways.
  const sidebar = document.getElementById('sidebar');
  if (visible(sidebar)) {
    const box = sidebar.getBoundingClientRect();
    const inner = box.right - parseFloat(getComputedStyle(sidebar).borderRightWidth);
    for (const el of sidebar.querySelectorAll('input, select, button, label, legend, output')) {
      if (!visible(el)) continue;
      const r = el.getBoundingClientRect();
      if (r.width > 0 && r.right > inner + 1) problems.push(`#sidebar: ${describe(el)} "${(el.textContent || el.getAttribute('aria-label') || '').trim().slice(0, 30)}" sticks out by ${Math.round(r.right - inner)} px`);
    }
  }
  return problems;
}
