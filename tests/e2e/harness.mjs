// Shared helpers for the browser end-to-end tests (run with `node --test tests/e2e/`).
//
//   const server = await startServer();           // python3 http.server on www/, free port
//   const browser = await launchBrowser();        // Debian's /usr/bin/chromium via playwright-core
//   const { page, consoleErrors, pageErrors, screenshot } =
//       await openPage(browser, `${server.url}/index.html`);
//   ...
//   await browser.close(); await server.stop();
//
// Nothing here downloads anything: playwright-core drives the system Chromium
// (never `npx playwright install`), and the browser flags keep it off the network.

import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { after, before } from 'node:test';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const WWW_DIR = path.join(REPO_ROOT, 'www');
export const ARTIFACTS_DIR = path.join(REPO_ROOT, 'tests', 'e2e', 'artifacts');
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

// Flags from shared/TOOLCHAIN.md: headless, no sandbox (root), and nothing that phones home.
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

// Servers and browsers still open when the process exits (e.g. a test crashed before
// its `after` hook): kill them by PID so no stray process keeps a port.
const liveChildren = new Set();
process.on('exit', () => {
  for (const child of liveChildren) {
    try { process.kill(child.pid, 'SIGKILL'); } catch { /* already gone */ }
  }
});

async function waitUntil(what, fn, { timeoutMs, intervalMs = 50, onTimeout = () => '' }) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${onTimeout()}`);
    await sleep(intervalMs);
  }
}

/**
 * Serve `root` (default www/) with `python3 -m http.server` on 127.0.0.1.
 *
 * Port 0 lets the kernel pick a free port, and the server prints which one, so two runs
 * never race for a port. Then we prove that *our* child answers: we request a URL carrying
 * a random marker and require that marker in our child's own request log, with the child
 * still alive. A stale server elsewhere can therefore never answer our tests.
 *
 * Returns { url, port, pid, stop() }.
 */
export async function startServer({ root = WWW_DIR, timeoutMs = 15_000 } = {}) {
  const child = spawn(
    'python3',
    // -u: unbuffered, so the "Serving HTTP on ... port N" line and the request log arrive at once.
    ['-u', '-m', 'http.server', '--bind', '127.0.0.1', '--directory', root, '0'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  liveChildren.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d) => { stdout += d; });
  child.stderr.setEncoding('utf8').on('data', (d) => { stderr += d; });
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => {
    liveChildren.delete(child);
    resolve({ code, signal });
  }));
  const alive = () => child.exitCode === null && child.signalCode === null;
  const why = () => `\n  server stdout: ${stdout.trim()}\n  server stderr: ${stderr.trim()}`;

  const stop = async () => {
    if (!alive()) return;
    process.kill(child.pid, 'SIGTERM');
    const done = await Promise.race([exited, sleep(3000).then(() => null)]);
    if (!done && alive()) {
      process.kill(child.pid, 'SIGKILL');
      await exited;
    }
  };

  try {
    const port = Number(await waitUntil('the server to report its port', () => {
      if (!alive()) throw new Error(`http.server exited early${why()}`);
      return /Serving HTTP on \S+ port (\d+)/.exec(stdout)?.[1];
    }, { timeoutMs, onTimeout: why }));
    const url = `http://127.0.0.1:${port}`;

    const marker = `e2e-probe-${randomUUID()}`;
    await waitUntil('the server to answer', async () => {
      try {
        const res = await fetch(`${url}/?${marker}`);
        await res.arrayBuffer();
        return res.ok;
      } catch {
        return false;
      }
    }, { timeoutMs, onTimeout: why });
    // The request log line is written after the response; give it a moment.
    await waitUntil('our server to log the probe request', () => {
      if (!alive()) throw new Error(`http.server died after answering: someone else holds the port${why()}`);
      return stderr.includes(marker);
    }, { timeoutMs: 5_000, onTimeout: why });

    return { url, port, pid: child.pid, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/**
 * Launch Debian's Chromium through playwright-core with a fresh temporary profile
 * (launchPersistentContext: playwright-core refuses --user-data-dir in args).
 *
 * Returns a BrowserContext-like object with newPage() and close(); close() also removes
 * the profile directory.
 */
export async function launchBrowser({ headless = true, extraArgs = [] } = {}) {
  const userDataDir = mkdtempSync(path.join(tmpdir(), 'backprop-viz-chromium-'));
  let context;
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM_PATH,
      headless,
      args: [...CHROMIUM_ARGS, ...extraArgs],
      viewport: { width: 1280, height: 800 },
      timeout: 60_000,
    });
  } catch (err) {
    rmSync(userDataDir, { recursive: true, force: true });
    throw err;
  }
  return {
    context,
    userDataDir,
    newPage: () => context.newPage(),
    close: async () => {
      await context.close().catch(() => {});
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

// Chromium asks every origin for /favicon.ico by itself, and http.server answers 404 when
// www/ has none: that is the browser's request, not the page's, so it is not an error of
// the page. (The page names its own icon, favicon.svg, so it does not ask.)
function isBrowserFaviconProbe(url) {
  try {
    return new URL(url).pathname === '/favicon.ico';
  } catch {
    return false;
  }
}

/**
 * Open `url` in a new page, recording every console error, uncaught page error, failed
 * request and HTTP error response from the very first request on.
 *
 * Returns { page, consoleErrors, pageErrors, requestErrors, screenshot(name) }; the error
 * arrays fill as the page runs, so check them after waiting for what the test needs.
 */
export async function openPage(browser, url, { waitUntil: loadState = 'load', timeoutMs = 30_000 } = {}) {
  const page = await browser.newPage();
  const consoleErrors = [];
  const pageErrors = [];
  const requestErrors = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') {
      const loc = msg.location();
      if (isBrowserFaviconProbe(loc?.url) && msg.text().startsWith('Failed to load resource')) return;
      consoleErrors.push(`${msg.text()}${loc?.url ? ` (${loc.url}:${loc.lineNumber})` : ''}`);
    }
  });
  page.on('pageerror', (err) => pageErrors.push(String(err?.stack || err)));
  page.on('requestfailed', (req) => isBrowserFaviconProbe(req.url()) || requestErrors.push(`${req.url()}: ${req.failure()?.errorText}`));
  page.on('response', (res) => {
    if (res.status() >= 400 && !isBrowserFaviconProbe(res.url())) requestErrors.push(`${res.url()}: HTTP ${res.status()}`);
  });

  const screenshot = async (name) => {
    mkdirSync(ARTIFACTS_DIR, { recursive: true });
    const file = path.join(ARTIFACTS_DIR, `${name}.png`);
    await page.screenshot({ path: file, fullPage: true });
    return file;
  };

  await page.goto(url, { waitUntil: loadState, timeout: timeoutMs });
  return { page, consoleErrors, pageErrors, requestErrors, screenshot };
}

/** A readable summary of what a page reported, for assertion messages. */
export function describeErrors({ consoleErrors = [], pageErrors = [], requestErrors = [] }) {
  const parts = [];
  if (consoleErrors.length) parts.push(`console errors:\n    ${consoleErrors.join('\n    ')}`);
  if (pageErrors.length) parts.push(`page errors:\n    ${pageErrors.join('\n    ')}`);
  if (requestErrors.length) parts.push(`request errors:\n    ${requestErrors.join('\n    ')}`);
  return parts.length ? `\n  ${parts.join('\n  ')}` : ' (no errors reported)';
}

/** Waits for `n` animation frames in the page. */
export const frames = (page, n = 3) => page.evaluate((n) => new Promise((resolve) => {
  const tick = (k) => (k === 0 ? resolve() : requestAnimationFrame(() => tick(k - 1)));
  tick(n);
}), n);

/** Waits until no change waits for the 8×8 digits (fetched when a change first asks for them:
 *  `<body data-fetching="digits">` meanwhile). */
export const digitsArrived = (page) => page.waitForFunction(() => !document.body.dataset.fetching, null, { timeout: 30_000 });

/** Opens the app at `baseUrl/index.html` + `query` and waits until it says it is ready. */
export async function openApp(browser, baseUrl, { width = 1280, height = 720, query = '' } = {}) {
  const opened = await openPage(browser, `${baseUrl}/index.html${query}`);
  await opened.page.setViewportSize({ width, height });
  await opened.page.waitForFunction(() => document.body.dataset.state !== 'loading', null, { timeout: 30_000 });
  const state = await opened.page.evaluate(() => document.body.dataset.state);
  if (state !== 'ready') throw new Error(`the page did not get ready${describeErrors(opened)}`);
  await frames(opened.page);
  return opened;
}

const AXE = path.join(REPO_ROOT, 'node_modules', 'axe-core', 'axe.min.js');
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21aa', 'wcag22aa', 'best-practice'];

/** axe-core's violations (WCAG 2.2 AA and best practice) on the page as it is now, within
 *  `context` (axe's context: the whole document by default), one line each with the elements
 *  they name. */
export async function axeViolations(page, context = null) {
  // Evaluated rather than added as a <script>: the page's CSP refuses inline scripts.
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(readFileSync(AXE, 'utf8'));
  return page.evaluate(async ({ tags, context }) => {
    const result = await window.axe.run(context ?? document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
    return result.violations.map((v) => `${v.id} (${v.impact}): ${v.help}\n      ${v.nodes.slice(0, 6).map((n) => `${n.target.join(' ')}: ${n.failureSummary.replace(/\s+/g, ' ').slice(0, 200)}`).join('\n      ')}`);
  }, { tags: AXE_TAGS, context });
}

/** Fails with every uncaught error, console error and failed request the page had. */
export function assertNoErrors(opened) {
  const problems = [...opened.pageErrors, ...opened.consoleErrors, ...opened.requestErrors];
  if (problems.length > 0) throw new Error(`the page had errors${describeErrors(opened)}`);
}

/**
 * Starts a server and a browser before the calling file's tests and stops them after them.
 * Returns { open(options), server, browser }: `open` is `openApp` on this server.
 */
export function appSession() {
  const session = {
    server: null,
    browser: null,
    open: (options) => openApp(session.browser, session.server.url, options),
  };
  before(async () => {
    session.server = await startServer();
    session.browser = await launchBrowser();
  });
  after(async () => {
    await session.browser?.close();
    await session.server?.stop();
  });
  return session;
}

// ---- driving the page like a user, reading it through window.app --------------------------
//
// The page's test handle, window.app (www/main.js), is read only: tests drive the page through
// its controls and read what it shows through app.session.*, app.page.*, app.layout(),
// app.labels() and app.view().

/** The banner (#message): its text, data-kind ('info' | 'error' | 'diverged') and data-error
 *  (the engine error's kind, '' for none). */
export const banner = (page) => page.evaluate(() => {
  const m = document.getElementById('message');
  return { text: m.textContent, kind: m.dataset.kind, error: m.dataset.error ?? '', hidden: m.hidden };
});

/** Types `value` into a field and commits it, then leaves the field (so that the keyboard's
 *  shortcuts reach the page again, not the field). */
export async function typeInto(page, selector, value) {
  await page.fill(selector, String(value));
  await page.locator(selector).dispatchEvent('change');
  await page.evaluate(() => document.activeElement?.blur());
}

/** Chooses the speed whose label contains `label` ('max speed', '10 steps', …). */
export async function setSpeed(page, label) {
  const index = await page.evaluate((label) => [...document.querySelectorAll('#speed option')]
    .findIndex((o) => o.textContent.includes(label)), label);
  if (index < 0) throw new Error(`no speed "${label}"`);
  await page.selectOption('#speed', String(index));
}

/** Waits until the animation of the last phase has run its course. */
export const animationDone = (page) => page.waitForFunction(() => {
  const anim = window.app.page.anim();
  return !anim || performance.now() - anim.start > anim.duration + 50;
});

/** Where edge {layer, neuron, input} is drawn on #network, a share `t` of the way along it
 *  (CSS pixels, relative to the canvas). */
export const edgePoint = (page, target, t = 0.15) => page.evaluate(({ layer, neuron, input, t }) => {
  const L = window.app.layout();
  const a = L.colStart[layer] + input;
  const b = L.colStart[layer + 1] + neuron;
  const x1 = L.nodeX[a] + L.size / 2;
  const x2 = L.nodeX[b] - L.size / 2;
  const at = (u) => ({ x: x1 + u * (x2 - x1), y: L.nodeY[a] + u * (L.nodeY[b] - L.nodeY[a]) });
  // A point of the edge that selects it (another edge's label may lie over part of it).
  const hits = (p) => {
    const hit = window.app.hitTest(p.x, p.y);
    return hit && hit.type === 'edge' && hit.layer === layer && hit.neuron === neuron && hit.input === input;
  };
  for (const u of [t, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.05, 0.95]) if (hits(at(u))) return at(u);
  return at(t);
}, { ...target, t });

/** Clicks edge {layer, neuron, input} on the network view and waits for the inspector. */
export async function clickEdge(page, target, t = 0.15) {
  // Let the page draw first: the phase caption can change height and move the canvas, and a
  // click mapped through the previous frame's layout misses a thin edge.
  await frames(page, 4);
  const point = await edgePoint(page, target, t);
  const box = await page.locator('#network').boundingBox();
  await page.mouse.click(box.x + point.x, box.y + point.y);
  await page.waitForSelector('#inspector:not([hidden])');
}

/** Every layer's weights and biases as hex of their bytes: equal strings are equal bit for bit. */
export const parameterBits = (page) => page.evaluate(() => {
  const { view, Buffer, session } = window.app;
  const hex = (a) => Array.from(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), (b) => b.toString(16).padStart(2, '0')).join('');
  const layers = session.shape().length - 1;
  return Array.from({ length: layers }, (_, l) => ({ weights: hex(view(Buffer.Weights, l)), biases: hex(view(Buffer.Biases, l)) }));
});

/** The data the page holds: its description and the raw points of both sets. */
export const dataOf = (page) => page.evaluate(() => {
  const s = window.app.session;
  const info = s.dataInfo();
  return { name: info.name, origin: info.origin, dims: info.dims, classes: info.classes, kind: info.kind, inputs: info.inputs,
    train: { x: s.coords(false), y: s.labels(false) }, test: { x: s.coords(true), y: s.labels(true) } };
});
