// Lecture-ready (issue 10), checked on the screen in real headless Chromium: the layout on
// every screen and zoom the issue lists, presenter mode, labels that never collide, numbers on
// the network that agree with each other and with the engine, step back, and the smaller
// things of the same walkthrough. (Each lesson's claim: lessons.test.mjs; access for everyone:
// accessibility.test.mjs and colours.test.mjs; the update caption's scheduled η:
// session.test.mjs.)
//
// Screenshots land in tests/e2e/artifacts/ (layout-<screen>.png, present-<screen>.png, …) for
// a person to look at. The page's read-only handle window.app gives the engine's numbers and
// what the network view drew (app.labels(), app.layout()).

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assertNoErrors, banner, frames, parameterBits, setSpeed, typeInto } from './harness.mjs';
import {
  SCREENS, browserSession, shot, resize, settled, pressOnPage, chooseLesson, labelProblems, coveredBy, overflowProblems, numberIn, fmt,
} from './screens.mjs';

const browser = browserSession();

/** The lessons of the menu, in its order (the default network is free play, ''). */
const LESSONS = ['chain-rule', 'xor', 'worked-example', 'vanishing-gradients', 'learning-rate', 'overfitting', 'optimizers', 'spiral-softmax'];

/** Where labels were 12 px before presenter mode; the issue asks for twice that at 1920×1080. */
const LAPTOP_FONT_PX = 12;

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

/** The phase just run, named as the phase bar names it ('forward:0', 'loss', …; '' before any). */
const lastPhase = (page) => page.evaluate(() => {
  const last = window.app.session.position().last;
  return last ? `${last.kind}${last.layer === undefined ? '' : `:${last.layer}`}` : '';
});

/** Runs phases with → until the phase just run is `name` ('backward:0', …), at most two steps. */
async function stepUntil(page, name) {
  for (let k = 0; k < 64; k++) {
    await pressOnPage(page, 'ArrowRight');
    if (await lastPhase(page) === name) {
      await frames(page, 2);
      return;
    }
  }
  throw new Error(`never reached the phase ${name}`);
}

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
    test(`layout at ${screen.name} (${screen.width}×${screen.height} @${screen.dpr}): no sideways scroll, the whole top bar reachable, a large network, nothing cut off`, { timeout: 60_000 }, async () => {
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
            output: (() => {
              const r = document.getElementById('output').getBoundingClientRect();
              return r.width > 0 ? { width: r.width, height: r.height } : null;
            })(),
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
        if (m.output) assert.ok(m.output.width >= 120, `${where}: the output plane is ${m.output.width} px wide`);
        // Nothing is cut off or drawn under the next panel (presenter mode's larger text may
        // make the output panel scroll on a small screen: it scrolls, it does not spill).
        const spilt = (await page.evaluate(overflowProblems)).filter((p) => !(present && p.startsWith('#output-panel') && p.includes('tall')));
        assert.deepEqual(spilt, [], `${where}: content does not fit`);
        await shot(page, `${present ? 'present' : 'layout'}-${screen.name}`, { fullPage: !present });
        assertNoErrors(opened);
      }
      await pressOnPage(page, 'p');
      await page.waitForFunction(() => document.body.dataset.present === 'false');
    });
  }

  test('labels never collide and no panel spills: every network, every phase of a step, every screen', { timeout: 120_000 }, async () => {
    // For each device pixel ratio's page, the default network first (before any lesson is
    // loaded), then each lesson: at each screen of that ratio, a whole step phase by phase (→),
    // checking the label boxes the view drew after each phase, and that the panels hold what
    // the lesson puts in them (its samples, each output's map, its legends).
    const failures = [];
    const byRatio = new Map();
    for (const s of SCREENS) byRatio.set(s.dpr, [...(byRatio.get(s.dpr) ?? []), s]);
    for (const screens of byRatio.values()) {
      const { page } = await screenPage(screens[0]);
      for (const lesson of ['', ...LESSONS]) {
        if (lesson) await chooseLesson(page, lesson);
        for (const screen of screens) {
          await resize(page, screen);
          for (const p of await page.evaluate(overflowProblems)) failures.push(`${screen.name}, ${lesson || 'default network'}: ${p}`);
          const found = await page.evaluate(`(${sweepLabels})(${labelProblems})`);
          for (const f of new Set(found)) failures.push(`${screen.name}, ${lesson || 'default network'}, ${f}`);
        }
      }
    }
    assert.deepEqual(failures.slice(0, 40), [], `${failures.length} label problems, the first 40 listed`);
  });

  test('labels never collide while a phase is animated, nor with the hover tooltip; the tooltip writes dL/dw', { timeout: 60_000 }, async () => {
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
    const tooltips = [];
    for (const t of targets) {
      await page.mouse.move(box.x + t.x, box.y + t.y);
      await frames(page, 2);
      const problems = await page.evaluate(labelProblems, true);
      tooltips.push(...await page.evaluate(() => window.app.labels().filter((b) => b.kind === 'tooltip').map((b) => b.text)));
      for (const p of problems) if (p.includes('tooltip')) failures.push(`hovering (${Math.round(t.x)}, ${Math.round(t.y)}): ${p}`);
    }
    assert.ok(tooltips.length > 0, 'no tooltip was drawn on hover');
    assert.ok(tooltips.some((t) => /dL\/dw \(batch mean\) /.test(t)), `no edge tooltip names dL/dw: ${tooltips.slice(0, 3).join(' | ')}`);
    assert.ok(tooltips.some((t) => /^z .*\na .*\nδ /.test(t)), `no neuron tooltip with z, a and δ: ${tooltips.slice(0, 3).join(' | ')}`);
    // One notation on the whole page: dL/dw, never ∂L/∂w.
    const everywhere = [...tooltips, await page.evaluate(() => document.body.innerText)].join('\n');
    assert.ok(!everywhere.includes('∂'), 'the page writes ∂ somewhere');
    assert.deepEqual(failures, []);
    assertNoErrors(opened);
    await page.close();
  });

  test('the inspector covers neither the network, the output plane nor the loss chart (a message shown)', { timeout: 60_000 }, async () => {
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
      for (const selector of ['#network', '#output', '#loss-chart']) {
        await page.locator(selector).scrollIntoViewIfNeeded();
        for (const what of await page.evaluate(coveredBy, selector)) failures.push(`${screen.name}: ${what} covers ${selector}`);
      }
      await page.keyboard.press('Escape');
      await page.evaluate(() => window.scrollTo(0, 0));
    }
    assert.deepEqual(failures, []);
  });
});

describe('presenter mode', () => {
  test('Present, P, Esc and a present=1 link; the settings hidden, the network most of the screen, labels over twice a laptop\'s at 1920×1080 and larger still with Text size; the panels kept, and links remember them', { timeout: 90_000 }, async () => {
    const opened = await browser.open({ width: 1920, height: 1080, reducedMotion: 'reduce' });
    const { page } = opened;
    const measure = async () => {
      await settled(page);
      return page.evaluate(() => {
        const canvas = document.getElementById('network').getBoundingClientRect();
        const shown = (id) => document.getElementById(id).getClientRects().length > 0;
        return {
          present: document.body.dataset.present,
          fontPx: window.app.layout().fontPx,
          edgeLabels: window.app.labels().filter((b) => b.kind === 'edge').length,
          width: canvas.width,
          height: canvas.height,
          sidebar: shown('sidebar'),
          output: shown('output-panel'),
          loss: shown('loss-panel'),
          gradients: shown('gradients'),
        };
      });
    };
    try {
      const normal = await measure();
      assert.equal(normal.present, 'false');
      assert.ok(normal.sidebar && normal.output && normal.loss && normal.gradients);

      // The button.
      await page.click('#setting-present');
      const present = await measure();
      assert.equal(present.present, 'true');
      assert.equal(await page.getAttribute('#setting-present', 'aria-pressed'), 'true');
      assert.equal(present.sidebar, false, 'the settings panel is shown in presenter mode');
      assert.ok(present.width >= 0.7 * 1920, `the network is ${present.width} px wide in a 1920 px window`);
      assert.ok(present.width * present.height >= 0.5 * 1920 * 1080, `the network has ${Math.round(100 * present.width * present.height / (1920 * 1080))} % of the screen`);
      assert.ok(present.fontPx >= 2 * LAPTOP_FONT_PX, `the labels are ${present.fontPx} px in presenter mode at 1920×1080, not twice ${LAPTOP_FONT_PX} px`);
      // The numbers themselves are drawn at that size: the edges' labels are there, and the
      // view's boxes are sized for that text (two lines of 1.25 × fontPx).
      const edge = await page.evaluate(() => window.app.labels().find((b) => b.kind === 'edge'));
      assert.ok(edge && edge.h >= 2 * 1.25 * present.fontPx - 1, `an edge label is ${edge?.h} px tall at ${present.fontPx} px text`);
      await shot(page, 'presenter-1920x1080', { fullPage: false });

      // Text size, for the back row: the largest preset makes the labels larger still.
      const sizes = await page.evaluate(() => window.app.page.catalogue().find((s) => s.key === 'text_size').control.values);
      await page.locator('#setting-text_size').fill(String(sizes.indexOf(1.5)));
      const larger = await measure();
      assert.equal(await page.evaluate(() => window.app.session.settings().view.text_size), 1.5);
      // (The page's own text around the network grows too, so the network is a little shorter.)
      assert.ok(larger.fontPx >= 1.2 * present.fontPx, `text size 1.5: ${larger.fontPx} px after ${present.fontPx} px`);
      assert.deepEqual(await page.evaluate(labelProblems), [], 'labels collide at the larger text');
      await shot(page, 'presenter-1920x1080-text-1.5', { fullPage: false });

      // The panels kept beside the network: the presenter drops the output plane and the
      // gradient strip; the network takes their room.
      await page.uncheck('#setting-panel_output');
      await page.uncheck('#setting-panel_gradients');
      const fewer = await measure();
      assert.equal(fewer.output, false, 'the output plane is still shown');
      assert.equal(fewer.gradients, false, 'the gradient strip is still shown');
      assert.equal(fewer.loss, true, 'the loss chart went too');
      assert.ok(fewer.height > larger.height, 'the network did not take the gradient strip\'s room');

      // A link remembers presenter mode, the text size and the panels.
      const link = await page.evaluate(() => window.app.session.link().query);
      assert.match(link, /present=1/);
      const reopened = await browser.open({ width: 1920, height: 1080, query: `?${link}` });
      const again = await reopened.page.evaluate(() => ({
        present: document.body.dataset.present,
        view: window.app.session.settings().view,
        output: document.getElementById('output-panel').getClientRects().length > 0,
        gradients: document.getElementById('gradients').getClientRects().length > 0,
      }));
      assert.equal(again.present, 'true');
      assert.equal(again.view.text_size, 1.5);
      assert.deepEqual([again.view.panel_output, again.view.panel_gradients, again.view.panel_loss], [false, false, true]);
      assert.deepEqual([again.output, again.gradients], [false, false]);
      assertNoErrors(reopened);
      await reopened.page.close();

      // Share offers the presenter link; Esc closes the dialog, then leaves presenter mode.
      await page.check('#setting-panel_output');
      await page.click('#share-button');
      assert.equal(await page.isChecked('#share-present'), true, 'Share in presenter mode does not offer a presenter link');
      await page.uncheck('#share-present');
      assert.doesNotMatch(await page.inputValue('#share-url'), /present=1/);
      await page.check('#share-present');
      assert.match(await page.inputValue('#share-url'), /[?&]present=1/);
      await page.keyboard.press('Escape');
      assert.equal(await page.isHidden('#share'), true);
      await pressOnPage(page, 'Escape');
      assert.equal((await measure()).present, 'false', 'Esc did not leave presenter mode');
      // The key P, on and off.
      await pressOnPage(page, 'p');
      assert.equal((await measure()).present, 'true');
      await pressOnPage(page, 'P');
      const back = await measure();
      assert.equal(back.present, 'false');
      assert.equal(back.sidebar, true);
      assertNoErrors(opened);
    } finally {
      await page.close();
    }
  });

  test('a lecture from the keyboard or a clicker: step, play, η up and down, back, next and previous lesson', { timeout: 60_000 }, async () => {
    const opened = await browser.open({ width: 1280, height: 720, query: '?present=1', reducedMotion: 'reduce' });
    const { page } = opened;
    const at = async () => (await frames(page, 1), page.evaluate(() => ({
      progress: window.app.session.progress(),
      steps: window.app.session.steps(),
      epochs: window.app.session.epochs(),
      lr: window.app.session.learningRate(),
      lesson: window.app.session.settings().lesson ?? '',
      playing: window.app.page.playing(),
      last: document.getElementById('phase-bar').dataset.last ?? '',
    })));
    try {
      assert.equal(await page.evaluate(() => document.body.dataset.present), 'true');
      const start = await at();
      // Page Down (a clicker's "next") and → step one phase; Page Up (its "previous"), ← and
      // Backspace go back one.
      await pressOnPage(page, 'PageDown');
      assert.deepEqual([(await at()).progress, (await at()).last], [1, 'forward:0']);
      await pressOnPage(page, 'ArrowRight');
      assert.equal((await at()).progress, 2);
      await pressOnPage(page, 'PageUp');
      assert.equal((await at()).progress, 1);
      await pressOnPage(page, 'ArrowLeft');
      assert.equal((await at()).progress, 0);
      // Shift + → a whole step, E an epoch, Backspace back from both.
      await pressOnPage(page, 'Shift+ArrowRight');
      assert.equal((await at()).steps, 1);
      await pressOnPage(page, 'e');
      assert.equal((await at()).epochs, 1);
      await pressOnPage(page, 'Backspace');
      await pressOnPage(page, 'Backspace');
      assert.deepEqual([(await at()).steps, (await at()).epochs], [0, 0]);
      // + and − double and halve η (live: the step count stays).
      await pressOnPage(page, '+');
      assert.equal((await at()).lr, 2 * start.lr);
      await pressOnPage(page, '-');
      await pressOnPage(page, '-');
      assert.equal((await at()).lr, start.lr / 2);
      // Space plays and pauses.
      await pressOnPage(page, ' ');
      await page.waitForFunction(() => window.app.session.steps() > 5);
      assert.equal((await at()).playing, true);
      await pressOnPage(page, ' ');
      assert.equal((await at()).playing, false);
      // ] and [ move through the lessons, in the menu's order, in presenter mode still.
      await pressOnPage(page, ']');
      assert.equal((await at()).lesson, LESSONS[0]);
      await pressOnPage(page, ']');
      assert.equal((await at()).lesson, LESSONS[1]);
      await pressOnPage(page, '[');
      assert.equal((await at()).lesson, LESSONS[0]);
      assert.equal(await page.evaluate(() => document.body.dataset.present), 'true');
      assertNoErrors(opened);
    } finally {
      await page.close();
    }
  });
});

describe('numbers that agree', () => {
  /** Each labelled edge's numbers, with the numbers of its two ends as the view wrote them. */
  const edgeNumbers = (page) => page.evaluate(() => {
    const { layout, labels, session } = window.app;
    const L = layout();
    const shape = session.shape();
    const drawn = labels();
    const at = (kind, r) => r && drawn.find((b) => b.kind === kind && Math.abs(b.x - r.x) < 0.5 && Math.abs(b.y - r.y) < 0.5);
    const out = [];
    for (let c = 1; c < shape.length; c++) {
      for (let j = 0; j < shape[c]; j++) {
        for (let i = 0; i < shape[c - 1]; i++) {
          const e = L.edgeStart[c] + j * shape[c - 1] + i;
          if (Number.isNaN(L.labelX[e])) continue;
          const label = drawn.find((b) => b.kind === 'edge' && Math.abs(b.x + b.w / 2 - L.labelX[e]) < 0.5 && Math.abs(b.y + b.h / 2 - L.labelY[e]) < 0.5);
          const from = c === 1 ? at('input', L.inputLabels[i]) : at('neuron', L.neuronLabels[L.colStart[c - 1] + i]);
          const to = at('neuron', L.neuronLabels[L.colStart[c] + j]);
          out.push({ layer: c - 1, neuron: j, input: i, label: label?.text, from: from?.text, to: to?.text });
        }
      }
    }
    return out;
  });

  /** The engine's δ·a_prev of every sample of the batch for an edge, and its dL/dw. */
  const engineTerms = (page, { layer, neuron, input }) => page.evaluate(({ layer, neuron, input }) => {
    const { view, Buffer, session } = window.app;
    const shape = session.shape();
    const batch = session.batchLength();
    const delta = view(Buffer.Delta, layer);
    const aPrev = layer === 0 ? view(Buffer.BatchInput) : view(Buffer.Activation, layer - 1);
    const terms = Array.from({ length: batch }, (_, s) => delta[s * shape[layer + 1] + neuron] * aPrev[s * shape[layer] + input]);
    return { terms, grad: view(Buffer.GradWeights, layer)[neuron * shape[layer] + input], sample: session.position().sample };
  }, { layer, neuron, input });

  /** Checks every labelled edge of the page, as it is now, against its neurons and the engine. */
  async function checkEdges(page, reduction, where) {
    const edges = await edgeNumbers(page);
    const checked = edges.filter((e) => e.from && e.to);
    assert.ok(checked.length >= 4, `${where}: only ${checked.length} labelled edges with both ends' numbers on screen`);
    for (const e of checked) {
      const name = `${where}, edge ${e.layer}/${e.neuron}/${e.input}`;
      const [termLine, gradLine] = e.label.split('\n');
      assert.match(termLine, /^δ·a /, `${name}: "${e.label}"`);
      assert.match(gradLine, new RegExp(`^${reduction} `), `${name}: the batch's dL/dw is not labelled ${reduction}: "${e.label}"`);
      // The product can be checked from the numbers on screen: δ of the neuron the edge enters
      // times a of the neuron (or the value of the input) it leaves, to the digits shown.
      const delta = numberIn(e.to.split('\n').find((l) => l.startsWith('δ ')));
      const fromLines = e.from.split('\n');
      const a = numberIn(fromLines.find((l) => l.startsWith('a ')) ?? fromLines.at(-1));
      const term = numberIn(termLine);
      assert.ok(Math.abs(term - delta * a) <= 2e-3 * Math.abs(term) + 1e-12, `${name}: δ·a ${term} ≠ δ ${delta} × a ${a} (${delta * a})`);
      // And it is the engine's term for this sample; the batch's number is the engine's dL/dw,
      // which is the mean (or sum) of the batch's terms.
      const engine = await engineTerms(page, e);
      assert.equal(termLine, `δ·a ${fmt(engine.terms[engine.sample], 4)}`, `${name}: not this sample's term`);
      assert.equal(gradLine, `${reduction} ${fmt(engine.grad, 4)}`, name);
      const sum = engine.terms.reduce((x, y) => x + y, 0);
      const expected = reduction === 'mean' ? sum / engine.terms.length : sum;
      assert.ok(Math.abs(engine.grad - expected) <= 1e-12 * Math.max(1e-6, Math.abs(expected)), `${name}: dL/dw ${engine.grad} is not the ${reduction} of the batch's terms (${expected})`);
    }
    return checked;
  }

  test('each edge shows this sample\'s δ·a_prev, which the neurons\' numbers check, and the batch\'s dL/dw labelled mean or sum; another sample changes δ·a, not dL/dw', { timeout: 60_000 }, async () => {
    const opened = await browser.open({ width: 1920, height: 1080, reducedMotion: 'reduce' });
    const { page } = opened;
    try {
      // The default network (mean over a batch of 10), after the whole backward pass.
      await stepUntil(page, 'backward:0');
      const first = await checkEdges(page, 'mean', 'default network, sample 1');
      await shot(page, 'numbers-backward-1920x1080', { fullPage: false });
      await page.click('#sample-next');
      await frames(page, 2);
      assert.equal(await page.evaluate(() => window.app.session.position().sample), 1);
      const second = await checkEdges(page, 'mean', 'default network, sample 2');
      const byEdge = new Map(first.map((e) => [`${e.layer}/${e.neuron}/${e.input}`, e.label.split('\n')]));
      let changed = 0;
      for (const e of second) {
        const [term, grad] = e.label.split('\n');
        const before = byEdge.get(`${e.layer}/${e.neuron}/${e.input}`);
        if (!before) continue;
        assert.equal(grad, before[1], 'the batch\'s dL/dw changed with the sample');
        if (term !== before[0]) changed++;
      }
      assert.ok(changed > 0, 'no edge\'s δ·a changed with the sample');
      // The XOR lesson sums over its batch of four (its classic program does).
      await chooseLesson(page, 'xor');
      await stepUntil(page, 'backward:0');
      await checkEdges(page, 'sum', 'XOR');
      assertNoErrors(opened);
    } finally {
      await page.close();
    }
  });

  test('the sample shown is ringed on the output plane, and the ring follows ‹ ›', { timeout: 60_000 }, async () => {
    const opened = await browser.open({ width: 1280, height: 720, reducedMotion: 'reduce' });
    const { page } = opened;
    /** How much of a ring of radius 9 and its cross, around sample `s`'s point, is dark ink. */
    const ringAt = (sample) => page.evaluate((sample) => {
      const { view, Buffer, session } = window.app;
      const canvas = document.getElementById('output');
      const [lo, hi] = session.dataInfo().domain;
      const input = view(Buffer.BatchInput); // the default data: the inputs are the coordinates
      const w = canvas.clientWidth;
      const h = canvas.clientHeight;
      const cx = ((input[2 * sample] - lo) / (hi - lo)) * w;
      const cy = h - ((input[2 * sample + 1] - lo) / (hi - lo)) * h;
      const scale = canvas.width / w;
      const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
      const dark = (x, y) => {
        const k = 4 * (Math.round(y * scale) * canvas.width + Math.round(x * scale));
        return pixels[k] + pixels[k + 1] + pixels[k + 2] < 3 * 90;
      };
      const points = [];
      for (let a = 0; a < 24; a++) points.push([cx + 9 * Math.cos(a * Math.PI / 12), cy + 9 * Math.sin(a * Math.PI / 12)]);
      for (const d of [10, 12]) points.push([cx + d, cy], [cx - d, cy], [cx, cy + d], [cx, cy - d]);
      return { share: points.filter(([x, y]) => dark(x, y)).length / points.length, x: cx, y: cy };
    }, sample);
    try {
      await pressOnPage(page, 'ArrowRight');
      await frames(page, 3);
      const first = await ringAt(0);
      assert.ok(first.share >= 0.75, `the sample shown is not ringed on the output plane (${first.share})`);
      // The next sample whose point is well away from the first one.
      let other = 1;
      while (other < 9 && Math.hypot((await ringAt(other)).x - first.x, (await ringAt(other)).y - first.y) < 30) other++;
      for (let k = 0; k < other; k++) await page.click('#sample-next');
      await frames(page, 3);
      assert.equal(await page.evaluate(() => window.app.session.position().sample), other);
      const moved = await ringAt(other);
      const left = await ringAt(0);
      assert.ok(moved.share >= 0.75, `the ring did not follow the sample (${moved.share} at sample ${other + 1})`);
      assert.ok(left.share < 0.5, `the first sample is still ringed (${left.share})`);
      assert.match(await page.textContent('#sample-value'), new RegExp(`^${other + 1} of 10`));
      assertNoErrors(opened);
    } finally {
      await page.close();
    }
  });

  test('with several outputs the loss box shows ŷ against the one-hot target as vectors, covering no neuron', { timeout: 60_000 }, async () => {
    const opened = await browser.open({ width: 1280, height: 720, reducedMotion: 'reduce' });
    const { page } = opened;
    try {
      await chooseLesson(page, 'spiral-softmax');
      await stepUntil(page, 'loss');
      for (const sample of [0, 1]) {
        if (sample) await page.click('#sample-next');
        await frames(page, 2);
        const { text, expected } = await page.evaluate(() => {
          const { view, Buffer, session, labels } = window.app;
          const shape = session.shape();
          const units = shape.at(-1);
          const s = session.position().sample;
          const a = view(Buffer.Activation, shape.length - 2).slice(s * units, (s + 1) * units);
          const y = view(Buffer.BatchTarget).slice(s * units, (s + 1) * units);
          return { text: labels().find((b) => b.kind === 'loss')?.text, expected: { a: Array.from(a), y: Array.from(y), loss: view(Buffer.SampleLoss)[s], batch: session.loss() } };
        });
        assert.ok(text, 'no loss box');
        const [yHat, y, loss, batch] = text.split('\n');
        assert.equal(yHat, `ŷ = (${expected.a.map((v) => fmt(v, 2)).join(', ')})`);
        assert.equal(y, `y = (${expected.y.map((v) => fmt(v, 2)).join(', ')})`);
        assert.deepEqual(expected.y.slice().sort(), [0, 0, 1], `the target is not one-hot: ${expected.y}`);
        assert.equal(loss, `L = ${fmt(expected.loss, 4)} (this sample)`);
        assert.equal(batch, `batch L = ${fmt(expected.batch, 4)} (mean of 10)`);
      }
      const problems = (await page.evaluate(labelProblems)).filter((p) => p.includes('loss'));
      assert.deepEqual(problems, []);
      assertNoErrors(opened);
    } finally {
      await page.close();
    }
  });
});

describe('step back', () => {
  test('↶ Back undoes the last 60 actions (56 phases, a batch, an epoch) exactly: weights, counters, phase and numbers on screen; the backward pass replays the same', { timeout: 90_000 }, async () => {
    const opened = await browser.open({ width: 1280, height: 720, reducedMotion: 'reduce' });
    const { page } = opened;
    /** Everything a student sees change with a phase, and the weights bit for bit. */
    const seen = async () => {
      await frames(page, 2);
      return {
        ...(await page.evaluate(() => ({
          steps: document.getElementById('step-count').textContent,
          epochs: document.getElementById('epoch-count').textContent,
          progress: window.app.session.progress(),
          last: document.getElementById('phase-bar').dataset.last ?? '',
          caption: document.getElementById('phase-caption').textContent,
          loss: document.getElementById('train-loss').textContent,
          history: window.app.session.history().steps.length,
          labels: window.app.labels().map((b) => `${b.kind}:${b.text}`),
        }))),
        bits: await parameterBits(page),
      };
    };
    try {
      const states = [await seen()];
      // Forward: 56 phases (seven steps) by the keys and the button, then a batch and an epoch.
      const forward = ['ArrowRight', 'PageDown', 'button'];
      for (let k = 0; k < 56; k++) {
        const how = forward[k % forward.length];
        if (how === 'button') await page.click('#step-phase');
        else await pressOnPage(page, how);
        states.push(await seen());
      }
      await pressOnPage(page, 'Shift+ArrowRight');
      states.push(await seen());
      await pressOnPage(page, 'e');
      states.push(await seen());
      assert.equal(states.at(-1).epochs, '1');
      assert.notDeepEqual(states.at(-1).bits, states[0].bits);
      // Back, one action at a time, by each of its keys and the button: each state again, exactly.
      const back = ['ArrowLeft', 'Backspace', 'PageUp', 'button'];
      for (let k = states.length - 2; k >= 0; k--) {
        const how = back[k % back.length];
        if (how === 'button') await page.click('#undo');
        else await pressOnPage(page, how);
        const now = await seen();
        assert.deepEqual(now, states[k], `after going back to state ${k} (by ${how})`);
      }
      // Watch the first backward pass again: the same numbers, bit for bit.
      for (let k = 1; k <= 8; k++) {
        await pressOnPage(page, 'ArrowRight');
        assert.deepEqual(await seen(), states[k], `phase ${k} again`);
      }
      assertNoErrors(opened);
    } finally {
      await page.close();
    }
  });
});

describe('the smaller things', () => {
  test('"Step batch" says what it runs and shows the batch size; "Step phase" while playing pauses, then steps', { timeout: 60_000 }, async () => {
    const opened = await browser.open({ width: 1280, height: 720, reducedMotion: 'reduce' });
    const { page } = opened;
    try {
      assert.equal((await page.textContent('#step-sample')).trim(), 'Step batch (10)');
      await page.locator('#setting-batch').fill('25');
      await page.waitForFunction(() => window.app.session.config().batch_size === 25);
      await frames(page, 2);
      assert.equal((await page.textContent('#step-sample')).trim(), 'Step batch (25)');
      await page.click('#step-sample');
      assert.equal(await page.evaluate(() => window.app.session.batchLength()), 25);
      assert.deepEqual(await page.evaluate(() => [window.app.session.steps(), window.app.session.progress()]), [1, 8], 'a batch is one whole step');

      await setSpeed(page, '10 steps');
      await page.click('#play');
      await page.waitForFunction(() => window.app.session.steps() > 20);
      await page.click('#step-phase');
      await frames(page, 2);
      const after = await page.evaluate(() => ({ playing: window.app.page.playing(), progress: window.app.session.progress(), last: document.getElementById('phase-bar').dataset.last }));
      assert.deepEqual(after, { playing: false, progress: 1, last: 'forward:0' }, '"Step phase" while playing');
      assert.equal(await page.getAttribute('#play', 'aria-pressed'), 'false');
      assertNoErrors(opened);
    } finally {
      await page.close();
    }
  });

  test('the network view keeps its place when the caption or the banner changes; "Lesson loaded" goes at the first step', { timeout: 60_000 }, async () => {
    // Where the panels sit side by side (a stacked page scrolls, and the network moves with it).
    for (const screen of SCREENS.filter((s) => ['1024x768', '1280x720', '1920x1080'].includes(s.name))) {
      const { page } = await screenPage(screen);
      // (Another network may have another number of phases, and the phase bar another height.)
      await chooseLesson(page, 'overfitting');
      const place = () => page.evaluate(() => {
        const r = document.getElementById('network').getBoundingClientRect();
        return `${Math.round(r.top)},${Math.round(r.height)}`;
      });
      const where = await place();
      const seen = new Set();
      // Every phase's caption, of every length, with the banner ("Lesson loaded") cleared at
      // the first step.
      for (let k = 0; k < 9; k++) {
        await pressOnPage(page, 'ArrowRight');
        await frames(page, 1);
        if (k === 0) {
          const cleared = await banner(page);
          assert.ok(cleared.hidden || cleared.text === '', `the banner still says "${cleared.text}" after a step`);
        }
        seen.add(`${await place()} (after "${(await page.textContent('#phase-caption')).slice(0, 30)}…")`);
      }
      // A banner: the lesson loaded again (two lines of text), an error.
      await chooseLesson(page, '');
      await chooseLesson(page, 'overfitting');
      assert.match((await banner(page)).text, /^Lesson loaded/);
      seen.add(`${await place()} (a lesson loaded)`);
      await typeInto(page, '#setting-lr-typed', '0');
      assert.equal((await banner(page)).kind, 'error');
      seen.add(`${await place()} (an error)`);
      const moved = [...seen].filter((s) => !s.startsWith(`${where} `));
      assert.deepEqual(moved, [], `${screen.name}: the network was at ${where} (top, height), then moved`);
      await chooseLesson(page, '');
    }
  });

  test('the experiment table shows its last column whole at 1280×720', { timeout: 60_000 }, async () => {
    const opened = await browser.open({ width: 1280, height: 720 });
    const { page } = opened;
    try {
      await page.click('#experiment-button');
      await page.fill('#exp-steps', '100');
      await page.locator('#exp-steps').dispatchEvent('change');
      await page.click('#exp-run');
      await page.waitForFunction(() => !window.app.experiment.running() && window.app.experiment.runs().length >= 2, null, { timeout: 30_000 });
      await frames(page, 3);
      const cut = await page.evaluate(() => {
        const side = document.querySelector('.exp-side');
        const edge = side.getBoundingClientRect().right;
        const cells = [...document.querySelectorAll('#exp-table tr')].map((tr) => tr.lastElementChild);
        return {
          overflow: side.scrollWidth - side.clientWidth,
          cut: cells.filter((c) => c.getBoundingClientRect().right > edge + 0.5).map((c) => c.textContent),
          head: cells[0].textContent,
          rows: cells.length,
        };
      });
      assert.equal(cut.head, 'to target · time');
      assert.ok(cut.rows >= 3, 'no runs in the table');
      assert.deepEqual(cut.cut, [], 'the last column is cut off');
      assert.ok(cut.overflow <= 0, `the table is ${cut.overflow} px wider than its panel`);
      await shot(page, 'experiment-1280x720', { fullPage: false });
      assertNoErrors(opened);
    } finally {
      await page.close();
    }
  });

  test('the output plot says which axis each corner\'s number belongs to, and its corner labels never overlap', { timeout: 60_000 }, async () => {
    // Records what is written on the output plane (a canvas: its text is not in the DOM).
    const initScript = `(() => {
      const original = CanvasRenderingContext2D.prototype.fillText;
      window.outputText = [];
      CanvasRenderingContext2D.prototype.fillText = function (text, x, y) {
        if (this.canvas.id === 'output') {
          const m = this.measureText(text);
          const left = this.textAlign === 'right' ? x - m.width : this.textAlign === 'center' ? x - m.width / 2 : x;
          const top = this.textBaseline === 'top' ? y : this.textBaseline === 'bottom' ? y - m.actualBoundingBoxAscent - m.actualBoundingBoxDescent : y - m.actualBoundingBoxAscent;
          window.outputText.push({ text: String(text), x: left, y: top, w: m.width, h: m.actualBoundingBoxAscent + m.actualBoundingBoxDescent });
        }
        return original.apply(this, arguments);
      };
    })();`;
    for (const [problem, screen] of [['sine', { width: 1280, height: 720 }], ['sine', { width: 1024, height: 768 }], ['circle', { width: 1024, height: 768 }], ['sine', { width: 390, height: 844, dpr: 3 }]]) {
      const opened = await browser.open({ ...screen, initScript });
      const { page } = opened;
      try {
        await page.selectOption('#setting-problem', problem);
        await frames(page, 3);
        await page.evaluate(() => { window.outputText = []; });
        await page.click('#step-sample');
        await frames(page, 3);
        // The corner labels of the last frame (the plane is drawn whole each time; its corners
        // start with x₁'s low end).
        const texts = await page.evaluate(() => window.outputText.slice(window.outputText.map((t) => t.text.startsWith('x₁ =')).lastIndexOf(true)));
        const corners = texts.filter((t) => /\d/.test(t.text));
        const where = `${problem} at ${screen.width}×${screen.height}`;
        assert.ok(corners.length >= 3, `${where}: corner labels ${JSON.stringify(texts.map((t) => t.text))}`);
        for (const t of corners) assert.match(t.text, /^(x₁|x₂|y) (=|→|↑) /, `${where}: "${t.text}" does not name its axis`);
        if (problem === 'sine') assert.ok(corners.some((t) => t.text.startsWith('y ')), `${where}: no corner names y`);
        for (let a = 0; a < corners.length; a++) {
          for (let b = a + 1; b < corners.length; b++) {
            const [p, q] = [corners[a], corners[b]];
            const overlap = p.x < q.x + q.w && q.x < p.x + p.w && p.y < q.y + q.h && q.y < p.y + p.h;
            assert.ok(!overlap, `${where}: "${p.text}" overlaps "${q.text}"`);
          }
        }
        assertNoErrors(opened);
      } finally {
        await page.close();
      }
    }
  });
});
