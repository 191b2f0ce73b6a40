// The notebook widget in a real JupyterLab (make test-widget-jupyterlab; not part of `make
// test`): a notebook that makes a widget, then assigns its lesson and steps it, run cell by
// cell in Chromium. Checks what the view shows after each cell, and what Python reads back.
// JUPYTER: the jupyter of a venv with jupyterlab and the package (scripts/test-widget.sh).
// Run with plain node (not node --test: it is not part of tests/widget/'s suite).

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { launchBrowser, ARTIFACTS_DIR } from '../e2e/harness.mjs';

const JUPYTER = process.env.JUPYTER && path.resolve(process.env.JUPYTER);
if (!JUPYTER) throw new Error('JUPYTER: the jupyter command of a venv with jupyterlab and backprop-viz-widget');

const CELLS = [
  'from backprop_viz_widget import BackpropViz\nviz = BackpropViz(lesson="chain-rule", panels="network,controls", height=420)\nviz',
  'viz.lesson = "xor"\nviz.step("batch")',
  'import json\nprint("RESULT", json.dumps({k: getattr(viz, k) for k in ("steps", "learning_rate", "session", "phase", "error")}))',
];

const dir = mkdtempSync(path.join(tmpdir(), 'backprop-viz-jupyterlab-'));
writeFileSync(path.join(dir, 'widget.ipynb'), JSON.stringify({
  cells: CELLS.map((source) => ({ cell_type: 'code', execution_count: null, metadata: {}, outputs: [], source })),
  metadata: { kernelspec: { display_name: 'Python 3', language: 'python', name: 'python3' } },
  nbformat: 4, nbformat_minor: 5,
}));
// Everything Jupyter writes (runtime files, settings, workspaces) stays in the temporary folder.
const env = { ...process.env, JUPYTER_CONFIG_DIR: path.join(dir, 'config'), JUPYTER_RUNTIME_DIR: path.join(dir, 'runtime'), IPYTHONDIR: path.join(dir, 'ipython') };
const server = spawn(JUPYTER, ['lab', '--no-browser', '--allow-root', '--ip=127.0.0.1', '--port=0', '--ServerApp.port_retries=0',
  '--IdentityProvider.token=', '--ServerApp.password=', `--ServerApp.root_dir=${dir}`], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
let log = '';
server.stdout.setEncoding('utf8').on('data', (d) => { log += d; });
server.stderr.setEncoding('utf8').on('data', (d) => { log += d; });

let browser;
try {
  const base = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`JupyterLab did not start:\n${log}`)), 60_000);
    const look = () => {
      const url = /(http:\/\/127\.0\.0\.1:\d+)\/lab/.exec(log)?.[1];
      if (url) { clearTimeout(timer); resolve(url); } else setTimeout(look, 200);
    };
    server.once('exit', () => reject(new Error(`JupyterLab exited:\n${log}`)));
    look();
  });
  browser = await launchBrowser();
  const page = await browser.newPage();
  await page.setViewportSize({ width: 1280, height: 1000 });
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  await page.goto(`${base}/lab/tree/widget.ipynb`);
  const cells = page.locator('.jp-Notebook .jp-Cell');
  await cells.first().waitFor({ timeout: 60_000 });
  // The kernel is up when the status bar says so (cells run before that would wait, but a click
  // on a cell that is still being laid out can miss).
  await page.locator('.jp-StatusBar-TextItem', { hasText: /\| Idle/ }).first().waitFor({ timeout: 60_000 })
    .catch(async (e) => { await page.screenshot({ path: path.join(ARTIFACTS_DIR, 'widget-jupyterlab-failed.png') }); throw e; });
  const run = async (k) => {
    await cells.nth(k).locator('.jp-InputArea-editor').click();
    await page.keyboard.press('Shift+Enter');
  };
  const widgetFrame = async () => {
    for (let t = 0; t < 600; t++) {
      const frame = page.frames().find((f) => f.url() === 'about:srcdoc');
      if (frame && await frame.evaluate(() => document.body.dataset.state === 'ready').catch(() => false)) return frame;
      await page.waitForTimeout(100);
    }
    await page.screenshot({ path: path.join(ARTIFACTS_DIR, 'widget-jupyterlab-failed.png') });
    throw new Error('no ready widget frame (tests/e2e/artifacts/widget-jupyterlab-failed.png)');
  };

  await run(0);
  const frame = await widgetFrame();
  assert.match(await frame.evaluate(() => window.app.session.link().query), /lesson=chain-rule/);
  assert.equal(await frame.evaluate(() => document.body.dataset.showLoss), 'false');

  await run(1);
  await frame.waitForFunction(() => /lesson=xor/.test(window.app.session.link().query) && window.app.session.steps() === 1, null, { timeout: 30_000 });
  // The view's numbers reach the kernel between cells (within 200 ms of the change).
  await page.waitForTimeout(1500);
  await run(2);
  const output = cells.nth(2).locator('.jp-OutputArea-output');
  await output.filter({ hasText: 'RESULT' }).waitFor({ timeout: 30_000 });
  const result = JSON.parse((await output.textContent()).replace(/^[^{]*/, ''));
  assert.equal(result.steps, 1);
  assert.match(result.session, /lesson=xor/);
  assert.equal(result.error, '');
  assert.equal(result.phase, 'update');
  assert.deepEqual(pageErrors, []);
  await page.screenshot({ path: path.join(ARTIFACTS_DIR, 'widget-jupyterlab.png') });
  console.log(`ok: the widget in JupyterLab (${JSON.stringify(result)})`);
} finally {
  await browser?.close();
  server.kill('SIGTERM');
  await new Promise((resolve) => (server.exitCode !== null ? resolve() : server.once('exit', resolve)));
  rmSync(dir, { recursive: true, force: true });
}
