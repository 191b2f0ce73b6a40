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
 * `open({width, height, dpr, query, reducedMotion})` opens the app in a new page of the
 * context for that pixel ratio and motion preference (contexts are made once and reused).
 */
export function browserSession() {
  const session = { server: null, browser: null, contexts: new Map() };
  session.context = async ({ dpr = 1, reducedMotion = 'no-preference' } = {}) => {
    const key = `${dpr}|${reducedMotion}`;
    if (!session.contexts.has(key)) {
      session.contexts.set(key, await session.browser.newContext({
        viewport: { width: 1280, height: 720 },
        deviceScaleFactor: dpr,
        reducedMotion,
        bypassCSP: true,
      }));
    }
    return session.contexts.get(key);
  };
  session.open = async ({ width = 1280, height = 720, dpr = 1, query = '', reducedMotion } = {}) => {
    const context = await session.context({ dpr, reducedMotion });
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

/** Resizes the page and waits until the network view has been laid out for the new size. */
export async function resize(page, { width, height }) {
  await page.setViewportSize({ width, height });
  await page.waitForFunction(() => {
    const canvas = document.getElementById('network');
    const L = window.app.layout();
    return L && L.w === canvas.clientWidth && L.h === canvas.clientHeight;
  }, null, { timeout: 10_000 });
  await frames(page, 2);
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

/** Picks a speed of the top bar's list by its label. */
export async function chooseSpeed(page, label) {
  const index = await page.evaluate((label) => [...document.querySelectorAll('#speed option')]
    .findIndex((o) => o.textContent.includes(label)), label);
  if (index < 0) throw new Error(`no speed "${label}"`);
  await page.selectOption('#speed', String(index));
}

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
