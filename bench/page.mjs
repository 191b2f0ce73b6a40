// The page's numbers, measured in real headless Chromium (/usr/bin/chromium via playwright-core
// from the root node_modules; nothing is downloaded):
//   - page weight: every response the page loads (wasm, JS, CSS, HTML), raw and gzip -9;
//   - time from navigation to the first interactive frame (median of several fresh loads);
//   - with the 2→8→8→8→1 network, neuron heatmaps, output heatmap and loss curve on, training at
//     the page's fastest speed: frame interval and frame work time (median, 95th percentile),
//     training steps per second sustained, and the time to compute all heatmaps once.
//
// Run alone with `node bench/page.mjs [--quick]` (after `make build`), or from run.mjs.
// It measures dist/, the bundled and minified page that `make serve` serves; BENCH_PAGE_DIR=www
// measures the unbundled modules instead. The heatmap timing imports the page's own modules
// (state.js, heatmaps.js) by URL, which only www/ holds as separate files: in dist/ it is skipped.
//
// Frame work time = from the start of the frame's requestAnimationFrame callbacks to the moment
// a message posted from the first callback is delivered, which Chromium does after the frame's
// rendering update (style, layout, paint on the main thread; ≈ 0.3 ms on an idle page). The
// page's own rAF callbacks are also timed (its JS: training steps + canvas drawing). Frame
// interval = time between successive rAF timestamps (vsync-bound: ≈ 16.7 ms at best, 60 Hz).
//
// It drives the page through its test hook `window.app` (www/main.js) and its own ES modules
// (heatmaps.js: createHeatmaps on state.js's state, for the heatmap timing), imported into the
// page by URL, so they are the very module instances the page runs.

import { createServer } from 'node:http';
import { createReadStream, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { spawnSync } from 'node:child_process';
import { gzipSync } from 'node:zlib';
import { heading, median, percentile, sig, table, verdict } from './lib/report.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PAGE_DIR = path.resolve(ROOT, process.env.BENCH_PAGE_DIR ?? 'dist');
const OUT = fileURLToPath(new URL('out/', import.meta.url));
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
// shared/TOOLCHAIN.md: headless, no sandbox (root), and nothing that phones home.
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const KB = 1000;
const TARGETS = { frameMs: 16, firstFrameMs: 300, gzipKB: 200 };

const MIME = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.css': 'text/css',
  '.wasm': 'application/wasm', '.json': 'application/json', '.svg': 'image/svg+xml', '.png': 'image/png' };

/** A static server for www/ on 127.0.0.1, port chosen by the kernel; ours by construction. */
function startServer(root) {
  const server = createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    let file = path.join(root, decodeURIComponent(url.pathname));
    if (!file.startsWith(root)) return res.writeHead(403).end();
    try {
      if (statSync(file).isDirectory()) file = path.join(file, 'index.html');
      const size = statSync(file).size;
      res.writeHead(200, { 'Content-Type': MIME[path.extname(file)] ?? 'application/octet-stream', 'Content-Length': size, 'Cache-Control': 'no-store' });
      createReadStream(file).pipe(res);
    } catch {
      res.writeHead(404).end();
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({
    url: `http://127.0.0.1:${server.address().port}`,
    stop: () => new Promise((done) => { server.closeAllConnections?.(); server.close(done); }),
  })));
}

/** Runs in the page before any of its scripts: a rAF loop that times every frame, and a wrapper
 *  around the page's own requestAnimationFrame callbacks that adds up their JS time per frame. */
function frameProbe() {
  const b = (window.__bench = { readyAt: null, readyFrameDone: null, recording: false, frames: [], js: [], intervals: [] });
  const raf = window.requestAnimationFrame.bind(window);
  let jsThisFrame = 0;
  window.requestAnimationFrame = (callback) => raf((now) => {
    const start = performance.now();
    try {
      callback(now);
    } finally {
      jsThisFrame += performance.now() - start;
    }
  });
  const channel = new MessageChannel();
  let frameStart = 0;
  let lastNow = 0;
  let pendingReady = false;
  channel.port1.onmessage = () => {
    const end = performance.now();
    if (pendingReady) {
      b.readyFrameDone = end;
      pendingReady = false;
    }
    if (b.recording) {
      b.frames.push(end - frameStart);
      b.js.push(jsThisFrame);
    }
  };
  const loop = (now) => {
    frameStart = performance.now();
    jsThisFrame = 0;
    if (b.readyAt === null && document.body?.dataset.state === 'ready') {
      b.readyAt = frameStart;
      pendingReady = true;
    }
    if (b.recording && lastNow) b.intervals.push(now - lastNow);
    lastNow = now;
    channel.port2.postMessage(0);
    raf(loop);
  };
  raf(loop);
}

async function launch() {
  const require = createRequire(path.join(ROOT, 'package.json'));
  const { chromium } = require('playwright-core');
  const userDataDir = mkdtempSync(path.join(tmpdir(), 'backprop-viz-bench-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, viewport: { width: 1280, height: 800 },
  });
  await context.addInitScript(frameProbe);
  return { context, close: async () => { await context.close(); rmSync(userDataDir, { recursive: true, force: true }); } };
}

const kb = (bytes) => `${(bytes / KB).toFixed(1)} KB`;

/** Bytes after `gzip -9` (as scripts/sizes.sh counts them); zlib level 9 if gzip is missing. */
function gzipSize(body) {
  const gzip = spawnSync('gzip', ['-9c'], { input: body, maxBuffer: 1 << 28 });
  return gzip.status === 0 ? gzip.stdout.length : gzipSync(body, { level: 9 }).length;
}

export async function runPageBench({ say = (...lines) => lines.flat().forEach((l) => console.log(l)), progress = (t) => process.stderr.write(`page: ${t}\n`), quick = false } = {}) {
  const verdicts = [];
  const data = {};
  mkdirSync(OUT, { recursive: true });
  say(heading(`6. The page (headless Chromium, localhost, viewport 1280×800; served from ${path.relative(ROOT, PAGE_DIR) || '.'}/)`));
  try {
    statSync(path.join(PAGE_DIR, 'index.html'));
  } catch {
    throw new Error(`${PAGE_DIR} holds no page: run \`make build\` first`);
  }
  const server = await startServer(PAGE_DIR);
  const browser = await launch();
  try {
    // ---- loads: page weight (first load) and time to the first interactive frame
    const loads = quick ? 3 : 5;
    const firstFrame = [];
    const domContentLoaded = [];
    let resources = null;
    let hook = false;
    for (let i = 0; i < loads; i++) {
      const page = await browser.context.newPage();
      const responses = [];
      if (i === 0) page.on('response', (r) => responses.push(r));
      const errors = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(`${server.url}/index.html`);
      await page.waitForFunction(() => window.__bench.readyFrameDone !== null || document.body?.dataset.state === 'error', null, { timeout: 30_000 });
      const t = await page.evaluate(() => ({
        state: document.body.dataset.state,
        done: window.__bench.readyFrameDone,
        dcl: performance.getEntriesByType('navigation')[0]?.domContentLoadedEventEnd,
        hook: typeof window.app === 'object' && window.app !== null,
      }));
      if (t.state !== 'ready') throw new Error(`the page did not become ready: ${errors.join('; ') || t.state}`);
      hook = t.hook;
      firstFrame.push(t.done);
      domContentLoaded.push(t.dcl);
      if (i === 0) {
        resources = [];
        for (const r of responses) {
          if (!r.ok()) continue;
          const body = await r.body().catch(() => null);
          if (!body) continue;
          const name = new URL(r.url()).pathname;
          const ext = path.extname(name);
          const kind = ext === '.wasm' ? 'wasm' : ext === '.js' || ext === '.mjs' ? 'js' : ext === '.css' ? 'css' : ext === '.html' ? 'html' : 'other';
          resources.push({ name, kind, raw: body.length, gzip: gzipSize(body) });
        }
      }
      await page.close();
    }

    // ---- page weight
    resources.sort((a, b) => b.gzip - a.gzip);
    const sum = (list, key) => list.reduce((s, r) => s + r[key], 0);
    const codeOnly = resources.filter((r) => r.kind === 'wasm' || r.kind === 'js');
    const rows = resources.map((r) => [r.name, r.kind, r.raw.toLocaleString('en-US'), r.gzip.toLocaleString('en-US')]);
    rows.push(['wasm + JS', '', sum(codeOnly, 'raw').toLocaleString('en-US'), sum(codeOnly, 'gzip').toLocaleString('en-US')]);
    rows.push(['everything loaded', '', sum(resources, 'raw').toLocaleString('en-US'), sum(resources, 'gzip').toLocaleString('en-US')]);
    say('Page weight (every response of one load; gzip -9 per file; 1 KB = 1000 bytes):');
    say(table([{ title: 'file', align: 'left' }, { title: 'kind', align: 'left' }, { title: 'bytes' }, { title: 'gzipped' }], rows));
    const codeGzip = sum(codeOnly, 'gzip');
    data.weight = { resources, codeRaw: sum(codeOnly, 'raw'), codeGzip, allGzip: sum(resources, 'gzip') };
    verdicts.push(verdict(codeGzip <= TARGETS.gzipKB * KB, `page weight, wasm + JS gzipped ≤ ${TARGETS.gzipKB} KB: ${kb(codeGzip)} (everything: ${kb(sum(resources, 'gzip'))})`));

    say('');
    say(`Load (${loads} fresh loads, no HTTP cache; times from navigation start):`);
    say(`  DOMContentLoaded                                  median ${sig(median(domContentLoaded))} ms  (min ${sig(Math.min(...domContentLoaded))}, max ${sig(Math.max(...domContentLoaded))})`);
    say(`  first interactive frame (body[data-state=ready]    median ${sig(median(firstFrame))} ms  (min ${sig(Math.min(...firstFrame))}, max ${sig(Math.max(...firstFrame))})`);
    say(`    and that frame's rendering done)`);
    data.firstFrameMs = firstFrame;
    verdicts.push(verdict(median(firstFrame) <= TARGETS.firstFrameMs, `page: navigation → first interactive frame ≤ ${TARGETS.firstFrameMs} ms: ${sig(median(firstFrame))} ms (median of ${loads})`));

    // ---- training: frame times, steps/s, heatmaps
    if (!hook) {
      say('', 'Frame timing: SKIPPED, the page has no `window.app` test hook.');
      verdicts.push(verdict(null, 'page: frame time ≤ 16 ms: not measured (no window.app hook)'));
      return { verdicts, data };
    }
    const page = await browser.context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    // The network through a link (2→8→8→8→1, heatmaps on), then the fastest speed and Play,
    // as a student would choose them.
    await page.goto(`${server.url}/index.html?layers=8:tanh,8:tanh,8:tanh,1:sigmoid&heatmaps=1`);
    await page.waitForFunction(() => window.app && document.body.dataset.state === 'ready', null, { timeout: 30_000 });
    const fastest = await page.evaluate(() => [...document.querySelectorAll('#speed option')].findIndex((o) => /max/.test(o.textContent)));
    await page.selectOption('#speed', String(fastest >= 0 ? fastest : 5));
    await page.click('#play');
    const setup = await page.evaluate(() => {
      const s = window.app.session;
      const config = s.config();
      const info = s.dataInfo();
      return { shape: s.shape().join('→'), dataset: info.name, loss: config.loss, batch: config.batch_size,
        speed: document.querySelector('#speed option:checked').textContent, points: info.train_points };
    });
    const seconds = quick ? 2 : 5;
    await sleep(1000); // let the adaptive steps-per-frame settle
    const before = await page.evaluate(() => {
      window.__bench.frames = [];
      window.__bench.js = [];
      window.__bench.intervals = [];
      window.__bench.recording = true;
      return { steps: window.app.session.steps(), t: performance.now() };
    });
    await sleep(seconds * 1000);
    const during = await page.evaluate(() => {
      window.__bench.recording = false;
      const { app } = window;
      return { steps: app.session.steps(), t: performance.now(), frames: window.__bench.frames, js: window.__bench.js, intervals: window.__bench.intervals,
        playing: app.page.playing(), stats: app.page.stats(), batch: app.session.batchLength() };
    });
    await page.screenshot({ path: `${OUT}page-training.png` }).catch(() => {});
    const stepsPerS = ((during.steps - before.steps) * 1000) / (during.t - before.t);

    // All heatmaps once: the page's own heatmaps module on the page's state (paused, weights fixed).
    const heat = await page.evaluate(async (reps) => {
      document.getElementById('play').click(); // pause: the weights stay fixed
      let S;
      let H;
      try {
        S = await import('./state.js');
        H = await import('./heatmaps.js');
      } catch {
        return null; // a bundled page (dist/): no separate modules to import
      }
      const maps = H.createHeatmaps(S.state);
      maps.update(true); // layout (grid, canvases) and a first computation
      const full = [];
      for (let i = 0; i < reps; i++) {
        // Measurement only: pretend the weights changed, so that every map is computed again.
        S.state.weightsVersion++;
        const t0 = performance.now();
        maps.update(true);
        full.push(performance.now() - t0);
      }
      // The engine's part alone: one probe over the same 48×48 grid.
      const grid = new Float64Array(48 * 48 * 2).map((_, k) => ((k * 7919) % 100) / 40 - 1.25);
      const probe = [];
      for (let i = 0; i < reps; i++) {
        const t0 = performance.now();
        S.state.session.probe(grid);
        probe.push(performance.now() - t0);
      }
      const neurons = S.state.shape.slice(1).reduce((a, b) => a + b, 0);
      return { full, probe, neurons };
    }, quick ? 10 : 30);
    await page.close();
    if (errors.length) say(`  page errors: ${errors.join('; ')}`);

    const f = during.frames;
    const iv = during.intervals;
    say('');
    say(`Training on the page: ${setup.shape} on its "${setup.dataset}" data (${setup.points} training points), loss ${setup.loss},`);
    say(`batch ${setup.batch}, speed "${setup.speed}", neuron heatmaps + output heatmap + loss curve on; ${seconds} s recorded`);
    say(`after 1 s of warm-up (screenshot: bench/out/page-training.png).`);
    say(table(
      [{ title: 'measure', align: 'left' }, { title: 'median' }, { title: 'p95' }, { title: 'max' }, { title: 'n' }],
      [
        ['frame work time, ms (rAF start → rendering done)', sig(median(f)), sig(percentile(f, 95)), sig(Math.max(...f)), String(f.length)],
        ["  of which the page's rAF callbacks (JS: train + draw)", sig(median(during.js)), sig(percentile(during.js, 95)), sig(Math.max(...during.js)), String(during.js.length)],
        ['frame interval, ms (rAF to rAF)', sig(median(iv)), sig(percentile(iv, 95)), sig(Math.max(...iv)), String(iv.length)],
      ],
    ));
    say(`  training steps/s sustained by the page: ${Math.round(stepsPerS).toLocaleString('en-US')} (${Math.round(stepsPerS * during.batch).toLocaleString('en-US')} samples/s);`);
    say(`  ${(iv.length ? (1000 * iv.length) / iv.reduce((a, b) => a + b, 0) : 0).toFixed(1)} frames/s; the page's own moving averages: train ${sig(during.stats.trainMs ?? NaN)} ms, draw ${sig(during.stats.drawMs ?? NaN)} ms, ${sig(during.stats.stepsPerFrame ?? NaN)} steps/frame.`);
    if (heat) {
      say(`  all heatmaps once (${heat.neurons} neurons + output, 48×48 grid, heatmaps.js update()): median ${sig(median(heat.full))} ms, p95 ${sig(percentile(heat.full, 95))} ms;`);
      say(`    of which engine.probe over the grid: median ${sig(median(heat.probe))} ms.`);
    } else {
      say('  all heatmaps once: not measured on the bundled page (BENCH_PAGE_DIR=www measures it).');
    }
    data.training = { setup, stepsPerS, frames: f, js: during.js, intervals: iv, stats: during.stats, heatmapsMs: heat?.full ?? null, probeMs: heat?.probe ?? null };
    if (!during.playing) say('  WARNING: the page stopped playing during the measurement (diverged?).');
    verdicts.push(verdict(percentile(f, 95) <= TARGETS.frameMs, `page: frame work time ≤ ${TARGETS.frameMs} ms while training: median ${sig(median(f))} ms, p95 ${sig(percentile(f, 95))} ms`));
    return { verdicts, data };
  } finally {
    await browser.close();
    await server.stop();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const { verdicts } = await runPageBench({ quick: process.argv.includes('--quick') });
  console.log('');
  verdicts.forEach((v) => console.log(v));
}
