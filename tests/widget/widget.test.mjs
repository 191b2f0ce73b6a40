// The notebook widget (issue 14): python/backprop_viz_widget's front-end module rendered in
// Chromium by a minimal anywidget host (host.mjs), fed with what the Python side really sends:
// python/tests/dump_state.py, run in the test venv (WIDGET_PYTHON, set by scripts/test-widget.sh),
// creates a widget, assigns traits and calls its methods over a recording comm. The view's saved
// changes then go back to a Python widget the way a kernel hands them over.

import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { startServer, launchBrowser, describeErrors, REPO_ROOT, ARTIFACTS_DIR } from '../e2e/harness.mjs';
import { PANELS } from '../../www/embed_page.js';

const PYTHON = process.env.WIDGET_PYTHON || path.join(REPO_ROOT, 'target', 'widget-venv', 'bin', 'python');
const SCRIPT = path.join(REPO_ROOT, 'python', 'tests', 'dump_state.py');
const python = (args = [], input) => JSON.parse(execFileSync(PYTHON, [SCRIPT, ...args], { input, encoding: 'utf8', maxBuffer: 64 << 20 }));

let server;
let browser;
before(async () => { server = await startServer({ root: path.join(REPO_ROOT, 'tests', 'widget') }); browser = await launchBrowser(); });
after(async () => { await browser?.close(); await server?.stop(); });

/** The widget's frame (a srcdoc document) and what it shows. */
const widgetFrame = (page) => page.frames().find((f) => f.url() === 'about:srcdoc');
const shown = (frame) => frame.evaluate(() => ({
  link: window.app.session.link().query,
  steps: window.app.session.steps(),
  learningRate: window.app.session.learningRate(),
  panels: { network: document.body.dataset.showNetwork, loss: document.body.dataset.showLoss, output: document.body.dataset.showOutput },
  lossPanel: document.getElementById('loss-panel').getBoundingClientRect().width > 0,
}));

describe('the notebook widget', () => {
  test('renders through the anywidget model interface; Python\'s assignments and calls reach the view; the view\'s numbers reach Python', { timeout: 120_000 }, async () => {
    const python1 = python();
    assert.deepEqual(python1.panels, PANELS, 'Python and the page name the same panels');
    // The comm opens with the whole state, the assets in it (no update follows with them).
    assert.deepEqual(python1.open.buffer_paths.map(String).sort(), ['_digits', '_wasm']);
    assert.ok(python1.open.state._esm.includes('render') && python1.open.state._frame_js.length > 10_000);
    assert.equal(python1.messages.length, 4, JSON.stringify(python1.messages.map((m) => m.data.method)));
    const [lesson, step, apply, panels] = python1.messages;
    assert.deepEqual(lesson.data, { method: 'update', state: { lesson: 'xor' }, buffer_paths: [] });
    assert.deepEqual(step.data, { method: 'custom', content: { method: 'step', args: ['batch'] } });
    assert.equal(apply.data.content.method, 'apply');
    assert.deepEqual(panels.data.state, { panels: 'network,loss,controls' });

    const page = await browser.newPage();
    const errors = { consoleErrors: [], pageErrors: [], requestErrors: [] };
    const requests = [];
    // Chromium's own /favicon.ico probe of the host page is not the widget's request.
    page.on('console', (m) => { if (m.type() === 'error' && !/favicon\.ico$/.test(m.location()?.url ?? '')) errors.consoleErrors.push(`${m.text()} (${m.location()?.url})`); });
    page.on('response', (r) => { if (r.status() >= 400 && !r.url().endsWith('/favicon.ico')) errors.requestErrors.push(`${r.url()}: HTTP ${r.status()}`); });
    page.on('pageerror', (e) => errors.pageErrors.push(String(e)));
    page.on('request', (r) => requests.push(r.url()));
    try {
      await page.goto(`${server.url}/host.html`);
      await page.evaluate((open) => window.host.open(open), python1.open);
      // The view opens Python's lesson and says so: its session link goes back with save_changes.
      await page.waitForFunction(() => /lesson=chain-rule/.test(window.host.model.get('session')) && window.host.saved.length > 0, null, { timeout: 60_000 })
        .catch((e) => { throw new Error(`${e.message}${describeErrors(errors)}`); });
      const frame = widgetFrame(page);
      assert.ok(frame, 'the view framed a srcdoc document');
      let now = await shown(frame);
      assert.match(now.link, /lesson=chain-rule/);
      assert.deepEqual(now.panels, { network: 'true', loss: 'false', output: 'false' }, 'panels="network,controls"');
      assert.equal(await page.evaluate(() => document.querySelector('.cell').shadowRoot.querySelector('iframe').getBoundingClientRect().height), 420);

      // Python: viz.lesson = "xor".
      await page.evaluate((m) => window.host.receive(m), lesson);
      await frame.waitForFunction(() => /lesson=xor/.test(window.app.session.link().query), null, { timeout: 10_000 });
      await page.waitForFunction(() => /lesson=xor/.test(window.host.model.get('session')), null, { timeout: 5_000 });
      now = await shown(frame);
      assert.equal(now.steps, 0);

      // Python: viz.step("batch"), then viz.apply({"lr": 0.1}).
      await page.evaluate((m) => window.host.receive(m), step);
      await frame.waitForFunction(() => window.app.session.steps() === 1, null, { timeout: 10_000 });
      await page.waitForFunction(() => window.host.model.get('steps') === 1 && window.host.saved.some((s) => s.state.steps === 1), null, { timeout: 5_000 });
      assert.ok(Number.isFinite(await page.evaluate(() => window.host.model.get('loss'))));
      assert.equal(await page.evaluate(() => window.host.model.get('phase')), 'update', 'a whole step ends with its update');
      await page.evaluate((m) => window.host.receive(m), apply);
      await page.waitForFunction(() => window.host.model.get('learning_rate') === 0.1, null, { timeout: 5_000 });
      assert.equal((await shown(frame)).learningRate, 0.1);

      // Python: viz.panels = "network,loss,controls" (the running page, no reload).
      await page.evaluate((m) => window.host.receive(m), panels);
      await frame.waitForFunction(() => document.body.dataset.showLoss === 'true', null, { timeout: 5_000 });
      now = await shown(frame);
      assert.ok(now.lossPanel && now.steps === 1, JSON.stringify(now));

      // The view's saved changes, handed to a Python widget as the kernel would.
      await page.waitForFunction(() => /lr=0\.1\b/.test(window.host.model.get('session')), null, { timeout: 5_000 });
      const saved = await page.evaluate(() => window.host.saved);
      const back = python(['--receive'], JSON.stringify(saved));
      assert.equal(back.steps, 1);
      assert.equal(back.learning_rate, 0.1);
      assert.ok(Number.isFinite(back.loss));
      assert.match(back.session, /lesson=xor/);
      assert.equal(back.error, '');
      assert.equal(back.phase, 'update');

      const away = requests.filter((u) => !u.startsWith(server.url) && !/^(blob|data|about):/.test(u));
      assert.deepEqual(away, [], 'no request leaves the host page');
      assert.equal(requests.filter((u) => u.endsWith('.wasm')).length, 0, 'the wasm comes in the state, not fetched');
      assert.deepEqual([...errors.pageErrors, ...errors.consoleErrors, ...errors.requestErrors], [], describeErrors(errors));
      await page.screenshot({ path: path.join(ARTIFACTS_DIR, 'widget-host.png'), fullPage: true });
    } finally {
      await page.close();
    }
  });

  test('two widgets in one notebook: one wasm compile, each its own engine; a call made before the view is ready waits for it; scale, readonly and height; play and pause; a closed view lets go', { timeout: 120_000 }, async () => {
    const { open, messages: [, step] } = python();
    const other = { ...open, state: { ...open.state, lesson: 'xor', panels: 'network,controls,loss', scale: 1.5 } };
    const page = await browser.newPage();
    const pageErrors = [];
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    try {
      await page.goto(`${server.url}/host.html`);
      await page.evaluate(async ([a, b, step]) => {
        await window.host.open(a);
        await window.host.open(b, { before: step });
      }, [open, other, step]);
      await page.waitForFunction(() => window.host.widgets.every((w) => w.model.get('session')) && window.host.widgets[1].model.get('steps') === 1, null, { timeout: 60_000 });
      const sessions = await page.evaluate(() => window.host.widgets.map((w) => w.model.get('session')));
      assert.match(sessions[0], /lesson=chain-rule/);
      assert.match(sessions[1], /lesson=xor/);
      assert.equal(await page.evaluate(() => globalThis[Symbol.for('backprop-viz-widget')].size), 1, 'one compiled module for both');
      // Steps of the first do not move the second.
      await page.evaluate((m) => { window.host.receive(m, 0); window.host.receive(m, 0); }, step);
      await page.waitForFunction(() => window.host.widgets[0].model.get('steps') === 2, null, { timeout: 10_000 });
      await page.waitForTimeout(400);
      assert.equal(await page.evaluate(() => window.host.widgets[1].model.get('steps')), 1);
      const frames = page.frames().filter((f) => f.url() === 'about:srcdoc');
      assert.deepEqual((await Promise.all(frames.map((f) => f.evaluate(() => window.app.session.steps())))).sort(), [1, 2]);
      assert.match(sessions[1], /text_size=1\.5\b/, 'scale');
      // readonly and height from Python: the running view follows.
      await page.evaluate(() => window.host.receive({ data: { method: 'update', state: { readonly: true, height: 300 }, buffer_paths: [] } }, 0));
      const first = await Promise.all(frames.map(async (f) => ((await f.evaluate(() => window.app.session.steps())) === 2 ? f : null)));
      await first.find(Boolean).waitForFunction(() => document.body.dataset.readonly === 'true', null, { timeout: 5_000 });
      assert.equal(await page.evaluate(() => document.querySelector('.cell').shadowRoot.querySelector('iframe').getBoundingClientRect().height), 300);
      // play() and pause() (the messages the Python unit test checks Python sends).
      const call = (method) => page.evaluate((method) => window.host.receive({ data: { method: 'custom', content: { method, args: [] } } }, 0), method);
      await call('play');
      await page.waitForFunction(() => window.host.widgets[0].model.get('steps') > 20, null, { timeout: 30_000 });
      await call('pause');
      await page.waitForTimeout(500);
      const paused = await page.evaluate(() => window.host.widgets[0].model.get('steps'));
      await page.waitForTimeout(500);
      assert.equal(await page.evaluate(() => window.host.widgets[0].model.get('steps')), paused, 'paused');
      // Closing the second view removes its frame; Python's later messages to it go nowhere, quietly.
      await page.evaluate((m) => { window.host.close(1); window.host.receive(m, 1); }, step);
      assert.equal(await page.evaluate(() => document.querySelectorAll('.cell')[1].shadowRoot.querySelector('iframe')), null);
      await page.waitForTimeout(300);
      assert.deepEqual(pageErrors, []);
    } finally {
      await page.close();
    }
  });
});
