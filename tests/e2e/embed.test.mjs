// The embeddable element (issue 14): <backprop-viz> on a course page (www/embed-example.html),
// each with its own engine; events and methods; a hostile host style sheet; 320 px; the wasm
// fetched once; no request off 127.0.0.1; a strict host CSP; axe on the example page.

import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { startServer, launchBrowser, openPage, describeErrors, REPO_ROOT, ARTIFACTS_DIR } from './harness.mjs';

const AXE = path.join(REPO_ROOT, 'node_modules', 'axe-core', 'axe.min.js');
let server;
let browser;
before(async () => { server = await startServer(); browser = await launchBrowser(); });
after(async () => { await browser?.close(); await server?.stop(); });

/** Opens `file` at this size, counting every request; waits until `n` elements are ready. */
async function openHost(file, { width = 1280, height = 720, n = 1 } = {}) {
  const requests = [];
  const page = await browser.newPage({ viewport: { width, height } });
  const errors = { consoleErrors: [], pageErrors: [], requestErrors: [] };
  page.on('console', (m) => { if (m.type() === 'error' && !/favicon/.test(m.location()?.url ?? '')) errors.consoleErrors.push(m.text()); });
  page.on('pageerror', (e) => errors.pageErrors.push(String(e)));
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(`${server.url}/${file}`);
  await page.evaluate(() => {
    window.__events = [];
    for (const el of document.querySelectorAll('backprop-viz')) {
      for (const name of ['ready', 'step', 'phase', 'play', 'pause', 'diverged', 'lessonstop']) {
        el.addEventListener(name, (e) => window.__events.push({ id: el.id, name, detail: e.detail }));
      }
    }
  });
  await page.waitForFunction((n) => [...document.querySelectorAll('backprop-viz')].filter((e) => e.ready).length >= n, n, { timeout: 60_000 })
    .catch((e) => { throw new Error(`${e.message}${describeErrors(errors)}`); });
  return { page, requests, errors };
}


describe('<backprop-viz>', () => {
  test('diverged and lessonstop reach the host with their numbers, from the element that had them', { timeout: 120_000 }, async () => {
    const { page, errors } = await openHost('embed-example.html', { n: 4 });
    try {
      // The chain-rule element's panels leave the tour out: its bar does not take the network's room.
      const tour = await page.evaluate(() => {
        const frame = document.getElementById('chain').shadowRoot.querySelector('iframe');
        return frame.contentWindow.getComputedStyle(frame.contentDocument.getElementById('tour')).display;
      });
      assert.equal(tour, 'none', 'a tour left out of panels is not shown');
      // η far too high: the loss explodes, training stops, and the host hears it.
      await page.evaluate(() => { const rate = document.getElementById('rate'); rate.apply({ lr: 10 }); rate.play(); });
      await page.waitForFunction(() => window.__events.some((e) => e.name === 'diverged'), null, { timeout: 60_000 });
      const diverged = await page.evaluate(() => window.__events.filter((e) => e.name === 'diverged'));
      assert.ok(diverged.every((e) => e.id === 'rate'), 'only the element that diverged says so');
      assert.ok(Number.isInteger(diverged[0].detail.divergedAt) && diverged[0].detail.divergedAt >= 1, JSON.stringify(diverged[0].detail));
      assert.match(diverged[0].detail.message, /loss exploded/);
      // A stop rule: playing stops by itself after 3 epochs, and the host hears why.
      await page.evaluate(() => { const chain = document.getElementById('chain'); chain.apply({ stop_epochs: 3 }); chain.play(); });
      await page.waitForFunction(() => window.__events.some((e) => e.name === 'lessonstop'), null, { timeout: 60_000 });
      const stop = await page.evaluate(() => window.__events.find((e) => e.name === 'lessonstop'));
      assert.equal(stop.id, 'chain');
      assert.ok(stop.detail.reason, JSON.stringify(stop.detail));
      assert.equal(stop.detail.epochs, 3, JSON.stringify(stop.detail));
      assert.deepEqual(errors.pageErrors, []);
    } finally {
      await page.close();
    }
  });

  test('the example page: three lessons and a pair, each its own engine; events and methods; one wasm fetch; nothing leaves 127.0.0.1', { timeout: 120_000 }, async () => {
    const { page, requests, errors } = await openHost('embed-example.html', { n: 4 });
    try {
      assert.equal(await page.evaluate(() => document.querySelectorAll('backprop-viz').length), 4);
      // Two elements step independently.
      const before = await page.evaluate(() => ({ chain: document.getElementById('chain').numbers, rate: document.getElementById('rate').numbers }));
      const stepped = await page.evaluate(async () => {
        const chain = document.getElementById('chain');
        for (let k = 0; k < 3; k++) await chain.step('batch');
        return chain.numbers;
      });
      assert.equal(stepped.steps, before.chain.steps + 3);
      const rate = await page.evaluate(() => document.getElementById('rate').step('phase'));
      assert.equal(rate.steps, before.rate.steps, 'a phase is not a whole step');
      assert.equal(rate.progress, 1);
      assert.equal((await page.evaluate(() => document.getElementById('chain').numbers)).steps, before.chain.steps + 3, 'the other element did not move');
      // Events with numbers.
      await page.waitForFunction(() => window.__events.some((e) => e.id === 'chain' && e.name === 'step') && window.__events.some((e) => e.id === 'rate' && e.name === 'phase'));
      const events = await page.evaluate(() => window.__events);
      const step = events.find((e) => e.id === 'chain' && e.name === 'step');
      assert.ok(Number.isFinite(step.detail.loss) && step.detail.steps >= 1, JSON.stringify(step));
      assert.ok(!events.some((e) => e.id === 'rate' && e.name === 'step'), 'the phase of one did not make the other step');
      // apply, play, pause, session.
      const applied = await page.evaluate(() => document.getElementById('rate').apply({ lr: 0.1 }));
      assert.equal(applied.learningRate, 0.1);
      await page.evaluate(() => document.getElementById('sgd').play());
      await page.waitForFunction(() => document.getElementById('sgd').numbers?.steps > 20, null, { timeout: 30_000 });
      const paused = await page.evaluate(() => document.getElementById('sgd').pause());
      await page.waitForTimeout(300);
      assert.equal((await page.evaluate(() => document.getElementById('sgd').step('batch'))).steps, paused.steps + 1, 'paused: only the step moved it');
      assert.equal((await page.evaluate(() => document.getElementById('adam').numbers)).steps, 0, 'the pair trains independently');
      await page.waitForFunction(() => /lr=0\.1\b/.test(document.getElementById('rate').session), null, { timeout: 5_000 });
      // The wasm once; nothing off 127.0.0.1.
      const wasm = requests.filter((u) => u.endsWith('.wasm'));
      assert.equal(wasm.length, 1, `wasm requests: ${wasm.join(', ')}`);
      const away = requests.filter((u) => !u.startsWith(server.url) && !u.startsWith('data:') && !u.startsWith('blob:'));
      assert.deepEqual(away, []);
      assert.deepEqual([...errors.pageErrors, ...errors.consoleErrors], [], describeErrors(errors));
      await page.screenshot({ path: path.join(ARTIFACTS_DIR, 'embed-example-1280.png'), fullPage: true });
      // axe on the course page.
      await page.addScriptTag({ path: AXE }).catch(async () => page.evaluate(await (await import('node:fs/promises')).readFile(AXE, 'utf8')));
      const violations = await page.evaluate(async () => (await window.axe.run(document, { resultTypes: ['violations'] })).violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(' ')}`));
      assert.deepEqual(violations, []);
    } finally {
      await page.close();
    }
  });

  test('a hostile host style sheet (* { all: unset !important }) and a 320 px column: the element still shows its controls and works', { timeout: 90_000 }, async () => {
    const host = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>hostile</title>
      <meta http-equiv="Content-Security-Policy" content="default-src 'self'">
      <link rel="stylesheet" href="hostile.css"><script type="module" src="backprop-viz.js"></script></head>
      <body><p>Prose.</p><backprop-viz id="one" lesson="chain-rule" height="460"></backprop-viz></body></html>`;
    const css = `* { all: unset !important; } iframe { display: none; width: 1px; } backprop-viz { font-size: 40px; color: red; } body { width: 320px; }`;
    const page = await browser.newPage({ viewport: { width: 320, height: 640 } });
    await page.route(`${server.url}/hostile.html`, (r) => r.fulfill({ contentType: 'text/html', body: host }));
    await page.route(`${server.url}/hostile.css`, (r) => r.fulfill({ contentType: 'text/css', body: css }));
    try {
      await page.goto(`${server.url}/hostile.html`);
      await page.waitForFunction(() => document.getElementById('one')?.ready, null, { timeout: 60_000 });
      const box = await page.evaluate(() => {
        const r = document.getElementById('one').shadowRoot.querySelector('iframe').getBoundingClientRect();
        return { w: r.width, h: r.height };
      });
      assert.ok(box.w >= 300 && box.h >= 440, JSON.stringify(box));
      const frame = page.frames().find((f) => f.url().includes('embed.html'));
      const play = await frame.evaluate(() => {
        const r = document.getElementById('step-phase').getBoundingClientRect();
        return { visible: r.width > 0 && r.height > 0, right: r.right, width: document.documentElement.clientWidth, scroll: document.documentElement.scrollWidth };
      });
      assert.ok(play.visible && play.right <= play.width, JSON.stringify(play));
      assert.ok(play.scroll <= play.width + 1, `no sideways scroll at 320 px: ${JSON.stringify(play)}`);
      await frame.click('#step-phase');
      await page.waitForFunction(() => document.getElementById('one').numbers?.progress === 1, null, { timeout: 5_000 });
      await page.screenshot({ path: path.join(ARTIFACTS_DIR, 'embed-hostile-320.png') });
    } finally {
      await page.close();
    }
  });

  test('the iframe snippet: the embed page on its own shows just the chosen panels', { timeout: 60_000 }, async () => {
    const opened = await openPage(browser, `${server.url}/embed.html?lesson=chain-rule&panels=network,controls&readonly`);
    const { page } = opened;
    try {
      await page.waitForFunction(() => document.body.dataset.state === 'ready', null, { timeout: 30_000 });
      const shown = await page.evaluate(() => Object.fromEntries(['network', 'output-panel', 'loss-panel', 'sidebar', 'play'].map((id) => [id, document.getElementById(id).getBoundingClientRect().width > 0])));
      assert.deepEqual(shown, { network: true, 'output-panel': false, 'loss-panel': false, sidebar: false, play: true });
      assert.equal(await page.evaluate(() => location.search.includes('panels=')), true);
    } finally {
      await page.close();
    }
  });

  test('Share gives "Copy embed code": an element snippet for the current state and an iframe snippet of the embed page with the chosen panels', { timeout: 90_000 }, async () => {
    const opened = await openPage(browser, `${server.url}/index.html?lesson=chain-rule&lr=0.25`);
    const { page } = opened;
    try {
      await page.waitForFunction(() => document.body.dataset.state === 'ready', null, { timeout: 30_000 });
      await page.click('#share-button');
      await page.uncheck('#embed-code input[value="loss"]');
      await page.check('#embed-readonly');
      const code = await page.evaluate(() => ({ element: document.getElementById('embed-element').value, iframe: document.getElementById('embed-iframe').value }));
      assert.match(code.element, /<script type="module" src="http:\/\/127\.0\.0\.1:\d+\/backprop-viz\.js"><\/script>/);
      assert.match(code.element, /<backprop-viz session="\?v=\d+&amp;lesson=chain-rule&amp;[^"]*lr=0\.25/);
      assert.match(code.element, /panels="network,output,gradients,inspector,controls,tour" height="480" readonly>/);
      const src = /<iframe src="([^"]+)"/.exec(code.iframe)[1].replace(/&amp;/g, '&');
      assert.match(src, /\/embed\.html\?.*panels=network%2Coutput%2Cgradients%2Cinspector%2Ccontrols%2Ctour/);
      // Both snippets work: the element on a host page, the iframe's page on its own.
      const host = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>snippet</title></head><body>${code.element}</body></html>`;
      const hostPage = await browser.newPage();
      await hostPage.route(`${server.url}/snippet.html`, (r) => r.fulfill({ contentType: 'text/html', body: host }));
      await hostPage.goto(`${server.url}/snippet.html`);
      await hostPage.waitForFunction(() => document.querySelector('backprop-viz')?.ready, null, { timeout: 60_000 });
      assert.equal(await hostPage.evaluate(() => document.querySelector('backprop-viz').numbers.learningRate), 0.25);
      await hostPage.goto(src);
      await hostPage.waitForFunction(() => document.body.dataset.state === 'ready', null, { timeout: 30_000 });
      assert.deepEqual(await hostPage.evaluate(() => [document.body.dataset.showLoss, document.body.dataset.readonly]), ['false', 'true']);
      await hostPage.close();
    } finally {
      await page.close();
    }
  });
});
