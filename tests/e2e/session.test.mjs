// Issue 9, "Done when", in the page: Rust owns the session, and the page shows it.
//   - a link taken mid-run (Adam, an η schedule, dropout, part-way through a step) replays the
//     next steps to the last bit in a fresh page;
//   - `?lesson=<id>` opens every lesson exactly as the lesson menu does;
//   - the update caption shows the engine's scheduled η, not the base rate;
//   - a weight set by hand after an update is not drawn as that update's "old → new";
//   - an error of each kind reaches the banner with its kind, and a refused change changes nothing.
// The page is driven through its controls only, and read through window.app (www/main.js).

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  animationDone, appSession, assertNoErrors, banner, clickEdge, dataOf, frames, parameterBits, setSpeed, typeInto,
} from './harness.mjs';

const session = appSession();
const open = (options) => session.open(options);

/** Everything a student could compare between two pages, exactly (numbers bit for bit). */
async function snapshot(page) {
  const numbers = await page.evaluate(() => {
    const s = window.app.session;
    return {
      steps: s.steps(),
      epochs: s.epochs(),
      position: s.position(),
      progress: s.progress(),
      nextPhase: s.nextPhase(),
      loss: s.loss(),
      trainLoss: s.datasetLoss(false),
      testLoss: s.datasetLoss(true),
      learningRate: s.learningRate(),
      history: s.history(),
      model: s.exportModel(),
      shown: {
        steps: document.getElementById('step-count').textContent,
        epochs: document.getElementById('epoch-count').textContent,
        trainLoss: document.getElementById('train-loss').textContent,
        phase: document.getElementById('phase-bar').dataset.last,
      },
    };
  });
  return { ...numbers, bits: await parameterBits(page) };
}

/** The same actions on any page: three phases, then the rest of that step, then an epoch. */
const ACTIONS = [
  ['three phases', async (page) => { for (let k = 0; k < 3; k++) await page.keyboard.press('ArrowRight'); }],
  ['a step', (page) => page.click('#step-sample')],
  ['an epoch', (page) => page.click('#step-epoch')],
];

/** The numbers a page shows once its frame has been drawn. */
async function settled(page) {
  await animationDone(page);
  await frames(page, 2);
  return snapshot(page);
}

describe('the session, owned by Rust, in the page', () => {
  test('a link taken mid-run (Adam, a schedule, dropout, part-way through a step) replays the next steps bit for bit', { timeout: 90_000 }, async () => {
    const sender = await open();
    let link;
    const sent = [];
    try {
      const { page } = sender;
      await page.selectOption('#setting-optimizer', 'adam');
      await typeInto(page, '#setting-lr-typed', '0.02');
      await page.selectOption('#setting-schedule', 'exponential');
      await typeInto(page, '#setting-schedule_factor', '0.8');
      await page.selectOption('#layers .layer-row[data-layer="0"] select[aria-label="dropout of layer 1"]', '0.2');
      await page.check('#setting-log_scale');
      const config = await page.evaluate(() => window.app.session.config());
      assert.equal(config.optimizer.kind, 'adam');
      assert.equal(config.optimizer.learning_rate, 0.02);
      assert.deepEqual([config.schedule.kind, config.schedule.factor], ['exponential', 0.8]);
      assert.equal(config.layers[0].dropout, 0.2);
      // Three epochs, two steps and three phases in (forward through layers 1 to 3).
      for (let k = 0; k < 3; k++) await page.keyboard.press('e');
      for (let k = 0; k < 2; k++) await page.keyboard.press('Shift+ArrowRight');
      for (let k = 0; k < 3; k++) await page.keyboard.press('ArrowRight');
      await clickEdge(page, { layer: 1, neuron: 2, input: 1 }); // the inspector's selection travels too
      assert.deepEqual(await page.evaluate(() => window.app.session.position().selection), { type: 'edge', layer: 1, neuron: 2, input: 1 });
      const at = await settled(page);
      assert.equal(at.steps, 3 * 16 + 2);
      assert.equal(at.epochs, 3);
      assert.equal(at.progress, 3);
      assert.deepEqual(at.position.last, { kind: 'forward', layer: 2 });
      assert.notEqual(at.learningRate, 0.02, 'the schedule has moved η on');

      await page.click('#share-button');
      link = await page.locator('#share-url').inputValue();
      assert.equal(await page.locator('#share-note').getAttribute('data-complete'), 'true', 'the link holds the training state');
      await page.keyboard.press('Escape');
      assert.equal(await page.locator('#share').isHidden(), true);
      sent.push(await settled(page));
      for (const [, act] of ACTIONS) {
        await act(page);
        sent.push(await settled(page));
      }
      assertNoErrors(sender);
    } finally {
      await sender.page.close();
    }

    // A fresh page, opened from the link: the same state, then the same numbers at every action.
    const receiver = await open({ query: new URL(link).search });
    try {
      const { page } = receiver;
      assert.match((await banner(page)).text, /^Opened from a link/);
      assert.equal(await page.locator('#inspector').isVisible(), true, 'the selected edge travels');
      assert.deepEqual(await page.evaluate(() => window.app.session.position().selection), { type: 'edge', layer: 1, neuron: 2, input: 1 });
      assert.equal(await page.locator('#setting-log_scale').isChecked(), true, 'the view switches travel');
      const got = [await settled(page)];
      for (const [, act] of ACTIONS) {
        await act(page);
        got.push(await settled(page));
      }
      const names = ['the opened link', ...ACTIONS.map(([name]) => `after ${name}`)];
      for (let k = 0; k < sent.length; k++) {
        const { model, ...numbers } = got[k];
        const { model: sentModel, ...sentNumbers } = sent[k];
        assert.deepEqual(numbers, sentNumbers, `${names[k]}: the numbers differ`);
        assert.equal(model, sentModel, `${names[k]}: the sessions differ (optimizer moments, random state, …)`);
      }
      // The actions did move things on: the comparison is not of two idle pages.
      // 50 steps in; the third phase's step ends at 51, and the epoch at 64 (4 × 16).
      assert.deepEqual(got.map((g) => [g.steps, g.epochs]), [[50, 3], [50, 3], [51, 3], [64, 4]]);
      assert.notDeepEqual(got[3].bits, got[0].bits);
      assert.ok(Number.isFinite(got[2].loss));
      assertNoErrors(receiver);
    } finally {
      await receiver.page.close();
    }
  });

  test('?lesson=<id> opens every lesson exactly as the lesson menu does', { timeout: 120_000 }, async () => {
    const menu = await open();
    try {
      const ids = await menu.page.evaluate(() => [...document.querySelectorAll('#lesson option')].map((o) => o.value).filter(Boolean));
      const engineIds = await menu.page.evaluate(async () => (await import('./pkg/backprop_viz.js')).lessonList().map((l) => l.id));
      assert.deepEqual(ids, engineIds, 'the menu lists the engine\'s lessons, in its order');
      assert.ok(ids.length >= 10);
      /** What a lesson opens: the whole session (settings, weights, training state), the data, the card. */
      const lessonState = (page) => page.evaluate(() => {
        const s = window.app.session;
        const { version, ...info } = s.dataInfo();
        return {
          model: s.exportModel(),
          settings: s.settings(),
          controls: s.controls(),
          info,
          train: { x: s.coords(false), y: s.labels(false) },
          test: { x: s.coords(true), y: s.labels(true) },
          message: document.getElementById('message').textContent,
          menu: document.getElementById('lesson').value,
          title: document.getElementById('lesson-title').textContent,
          text: document.getElementById('lesson-text').textContent,
          variants: [...document.querySelectorAll('#lesson-variants button')].map((b) => b.textContent),
          steps: s.steps(),
        };
      });
      for (const id of ids) {
        await menu.page.selectOption('#lesson', id);
        await frames(menu.page, 2);
        const chosen = await lessonState(menu.page);
        assert.equal(chosen.menu, id);
        assert.equal(chosen.settings.lesson, id);
        assert.match(chosen.message, /^Lesson loaded: /);
        const linked = await open({ query: `?lesson=${id}` });
        try {
          const got = await lessonState(linked.page);
          assert.equal(got.model, chosen.model, `${id}: the link opened another session (settings or weights)`);
          assert.deepEqual(got, chosen, `${id}: the link and the menu differ`);
          assertNoErrors(linked);
        } finally {
          await linked.page.close();
        }
      }
      assertNoErrors(menu);
    } finally {
      await menu.page.close();
    }
  });

  test('the update caption shows the engine\'s scheduled η, also after the last update of an epoch', { timeout: 60_000 }, async () => {
    for (const [kind, factor, every] of [['step', 0.5, 1], ['exponential', 0.7, null]]) {
      const opened = await open();
      const { page, screenshot } = opened;
      try {
        await page.selectOption('#setting-schedule', kind);
        await typeInto(page, '#setting-schedule_factor', factor);
        if (every) await typeInto(page, '#setting-schedule_every', every);
        const base = await page.evaluate(() => window.app.session.config().optimizer.learning_rate);
        assert.equal(base, 0.3);
        /** The η in the caption, the engine's, and the one the update used (SGD: Δw = −η · dL/dw). */
        const rates = async () => {
          await animationDone(page);
          await frames(page, 2);
          const caption = await page.locator('#phase-caption').textContent();
          const match = /^Update: .*η = ([\d.]+) \(scheduled\)/.exec(caption);
          assert.ok(match, `the caption after an update: "${caption}"`);
          return {
            caption: Number(match[1]),
            ...(await page.evaluate(() => {
              const { view, Buffer, session: s } = window.app;
              const update = view(Buffer.UpdateWeights, 0);
              const grad = view(Buffer.GradWeights, 0);
              const k = grad.findIndex((g) => Math.abs(g) > 1e-9);
              return { engine: s.learningRate(), update: s.updateLearningRate(), used: -update[k] / grad[k], epochs: s.epochs() };
            })),
          };
        };
        const close = (a, b) => Math.abs(a - b) <= 5e-3 * Math.abs(b); // three significant digits
        // Two epochs (16 steps each), then one step phase by phase: the caption after its update.
        for (let k = 0; k < 2; k++) await page.keyboard.press('e');
        for (let k = 0; k < 8; k++) await page.keyboard.press('ArrowRight');
        const mid = await rates();
        const expected = base * factor ** 2;
        assert.ok(Math.abs(mid.engine - expected) < 1e-15, `${kind}: the engine's η ${mid.engine}, not ${expected}`);
        assert.ok(close(mid.caption, mid.engine), `${kind}: the caption says η = ${mid.caption}, the engine ${mid.engine}`);
        assert.ok(!close(mid.caption, base), `${kind}: the caption shows the base rate`);
        assert.ok(Math.abs(mid.used - mid.engine) < 1e-12, `${kind}: the update used ${mid.used}`);
        assert.equal(mid.update, mid.engine, 'within an epoch, the update\'s η is the engine\'s');
        await screenshot(`session-caption-${kind}-1280x720`);

        // The last step of the epoch, phase by phase: its update moves the schedule on, and the
        // caption and the inspector still show the η that update used.
        for (let k = 0; k < 14; k++) await page.keyboard.press('Shift+ArrowRight');
        for (let k = 0; k < 8; k++) await page.keyboard.press('ArrowRight');
        const end = await rates();
        assert.equal(end.epochs, 3);
        assert.ok(Math.abs(end.engine - base * factor ** 3) < 1e-15, 'the next update\'s η');
        assert.ok(Math.abs(end.used - mid.engine) < 1e-12, `the update used ${end.used}`);
        assert.ok(close(end.caption, end.used), `${kind}: after the epoch's last update the caption says η = ${end.caption}, the update used ${end.used}`);
        assert.equal(end.update, mid.engine);
        await clickEdge(page, { layer: 0, neuron: 1, input: 0 });
        const shown = await page.evaluate(() => Object.fromEntries([...document.querySelectorAll('#inspector [data-name]')]
          .map((n) => [n.dataset.name, Number(n.dataset.value)])));
        assert.equal(shown['learning-rate'], end.update, 'the inspector\'s η is the update\'s');
        assert.ok(Math.abs(shown.new - (shown.old - shown['learning-rate'] * shown.gradient)) < 1e-12,
          `w ← old − η · g does not check out: ${shown.old} − ${shown['learning-rate']} × ${shown.gradient} ≠ ${shown.new}`);
        assertNoErrors(opened);
      } finally {
        await page.close();
      }
    }
  });

  test('a weight set by hand after an update is not drawn as that update\'s "old → new"', { timeout: 60_000 }, async () => {
    const opened = await open();
    const { page, screenshot } = opened;
    try {
      // One step phase by phase, to its update: every labelled edge reads "was old / now new".
      for (let k = 0; k < 8; k++) await page.keyboard.press('ArrowRight');
      await animationDone(page);
      await frames(page, 2);
      /** The labels drawn on edges, and the one of edge `target` (found by its slot in the layout). */
      const edgeLabels = (target) => page.evaluate(({ layer, neuron, input }) => {
        const L = window.app.layout();
        const e = L.edgeStart[layer + 1] + neuron * window.app.session.shape()[layer] + input;
        const labels = window.app.labels().filter((l) => l.kind === 'edge');
        const own = labels.find((l) => Math.abs(l.x + l.w / 2 - L.labelX[e]) < 0.5 && Math.abs(l.y + l.h / 2 - L.labelY[e]) < 0.5);
        return { texts: labels.map((l) => l.text), own: own?.text ?? null, at: { x: L.labelX[e], y: L.labelY[e] } };
      }, target);
      // A weight whose number is drawn on it (a hidden-to-hidden one if there is one).
      const target = await page.evaluate(() => {
        const L = window.app.layout();
        const shape = window.app.session.shape();
        for (const layer of [1, 0, 2]) {
          const inputs = shape[layer];
          for (let k = 0; k < shape[layer + 1] * inputs; k++) {
            if (!Number.isNaN(L.labelX[L.edgeStart[layer + 1] + k])) return { layer, neuron: Math.floor(k / inputs), input: k % inputs };
          }
        }
        return null;
      });
      assert.ok(target, 'no edge has its number drawn');
      const before = await edgeLabels(target);
      assert.ok(before.texts.length >= 8, `only ${before.texts.length} edge labels`);
      assert.ok(before.texts.every((t) => t.startsWith('was ')), `after an update, edges read: ${before.texts.join(' | ')}`);
      assert.match(before.own, /^was [−\d.]+\nnow [−\d.]+$/);

      // Click the edge's own label (it selects that edge) and set the weight by hand.
      await frames(page, 2);
      const box = await page.locator('#network').boundingBox();
      await page.mouse.click(box.x + before.at.x, box.y + before.at.y);
      await page.waitForSelector('#inspector:not([hidden])');
      assert.deepEqual(await page.evaluate(() => window.app.session.position().selection), { type: 'edge', ...target });
      assert.match(await page.locator('#inspector').textContent(), /Update \(sgd\)/);
      await page.fill('#inspector-value', '0.125');
      await page.click('#inspector-set');
      await frames(page, 3);
      const weight = await page.evaluate(({ layer, neuron, input }) =>
        window.app.view(window.app.Buffer.Weights, layer)[neuron * window.app.session.shape()[layer] + input], target);
      assert.equal(weight, 0.125);
      assert.equal(await page.evaluate(() => window.app.session.position().edited), true);
      const after = await edgeLabels(target);
      assert.equal(after.own, '0.125', 'the edited edge shows its new weight');
      assert.deepEqual(after.texts.filter((t) => t.includes('was ')), [], 'an edge still reads old → new after the hand edit');
      assert.match(await page.locator('#inspector').textContent(), /The weight was set by hand after the last update: it is now 0\.125/);
      assert.match((await banner(page)).text, /^Set w to 0\.125/);
      await screenshot('session-hand-edit-1280x720');

      // The next step's update is shown as old → new again, starting from the edited weight.
      for (let k = 0; k < 8; k++) await page.keyboard.press('ArrowRight');
      await animationDone(page);
      await frames(page, 2);
      assert.equal(await page.evaluate(() => window.app.session.position().edited), false);
      const next = await edgeLabels(target);
      assert.ok(next.texts.every((t) => t.startsWith('was ')));
      assert.match(next.own, /^was 0\.125\n/);
      assertNoErrors(opened);
    } finally {
      await page.close();
    }
  });

  test('an error of each kind reaches the banner with its kind, and a refused change changes nothing', { timeout: 90_000 }, async () => {
    const opened = await open();
    const { page, screenshot } = opened;
    const whole = async () => ({ model: await page.evaluate(() => window.app.session.exportModel()), bits: await parameterBits(page),
      steps: await page.evaluate(() => window.app.session.steps()) });
    const csv = (name, text) => ({ name, mimeType: 'text/csv', buffer: Buffer.from(text) });
    try {
      await page.click('#step-sample');
      await page.click('#step-phase');
      const start = await whole();
      assert.equal(start.steps, 1);

      // invalid_setting: η = 0, typed.
      await typeInto(page, '#setting-lr-typed', '0');
      let shown = await banner(page);
      assert.deepEqual([shown.kind, shown.error], ['error', 'invalid_setting']);
      assert.match(shown.text, /^Learning rate η: must be a number above 0/);
      assert.equal(await page.locator('#setting-lr-typed').inputValue(), '0.3', 'the field shows the rate kept');
      assert.deepEqual(await whole(), start, 'a refused η changed the session');
      await screenshot('session-error-invalid-setting-1280x720');

      // invalid_data: a CSV file with a word where a number goes.
      await page.setInputFiles('#csv-file', csv('bad.csv', 'a,b,label\n1,2,0\n3,x,1\n'));
      await page.waitForFunction(() => document.getElementById('message').dataset.error === 'invalid_data');
      shown = await banner(page);
      assert.equal(shown.kind, 'error');
      assert.match(shown.text, /"bad\.csv" was not loaded.*line 3/);
      assert.deepEqual(await whole(), start, 'a refused file changed the session');

      // parse: a model file that is not JSON.
      await page.setInputFiles('#import-model', { name: 'model.json', mimeType: 'application/json', buffer: Buffer.from('this is not JSON') });
      await page.waitForFunction(() => document.getElementById('message').dataset.error === 'parse');
      shown = await banner(page);
      assert.equal(shown.kind, 'error');
      assert.match(shown.text, /^Cannot read the model file/);
      assert.deepEqual(await whole(), start, 'a refused model file changed the session');

      // out_of_range: an edge inspected before any step of a new network: the inspector says why.
      const rows = ['x1,x2,label'];
      for (let k = 0; k < 5000; k++) rows.push(`${(k % 100) / 10 - 5},${Math.floor(k / 100) / 5 - 5},${k % 2}`);
      await page.setInputFiles('#csv-file', csv('five-thousand.csv', rows.join('\n')));
      await page.waitForFunction(() => window.app.session.dataInfo().label === 'five-thousand.csv');
      assert.equal(await page.evaluate(() => window.app.session.dataInfo().train_points), 2500);
      await clickEdge(page, { layer: 0, neuron: 0, input: 0 });
      assert.match(await page.locator('#inspector').textContent(), /no step has run yet/);
      await page.keyboard.press('Escape');

      // limit: drawing stops at 5,000 points.
      const loaded = await whole();
      await page.check('#draw-mode');
      const out = await page.locator('#output').boundingBox();
      await page.mouse.click(out.x + out.width / 2, out.y + out.height / 2);
      await page.waitForFunction(() => document.getElementById('message').dataset.error === 'limit');
      shown = await banner(page);
      assert.equal(shown.kind, 'error');
      assert.match(shown.text, /^Drawing stops at 5000 points/);
      assert.deepEqual(await whole(), loaded, 'a refused point changed the session');
      assert.equal(await page.evaluate(() => window.app.session.dataInfo().train_points), 2500);
      await page.uncheck('#draw-mode');

      // diverged: the learning-rate lesson's "η = 3 (too high)" at max speed.
      await page.selectOption('#lesson', 'learning-rate');
      await page.click('#lesson-variants button[data-variant="0"]');
      assert.equal(await page.evaluate(() => window.app.session.config().optimizer.learning_rate), 3);
      await setSpeed(page, 'max speed');
      await page.click('#play');
      await page.waitForFunction(() => document.getElementById('message').dataset.error === 'diverged', null, { timeout: 30_000 });
      shown = await banner(page);
      assert.equal(shown.kind, 'diverged');
      const step = Number(/^The loss exploded at step ([\d,]+)/.exec(shown.text)?.[1].replace(/,/g, ''));
      assert.ok(step > 0, shown.text);
      assert.equal(await page.evaluate(() => window.app.page.playing()), false);
      await page.waitForSelector('#play[aria-pressed="false"]');
      const kept = await page.evaluate(() => {
        const { session: s, view, Buffer } = window.app;
        const layers = s.shape().length - 1;
        const finite = Array.from({ length: layers }, (_, l) => view(Buffer.Weights, l).every(Number.isFinite) && view(Buffer.Biases, l).every(Number.isFinite));
        return { steps: s.steps(), finite: finite.every(Boolean) };
      });
      // The network kept is the last with a sane loss: the step before, or the one before that
      // when the update before the refused step made the loss jump (src/trainer.rs).
      const keptStep = Number(/Training stopped at step ([\d,]+)/.exec(shown.text)?.[1].replace(/,/g, ''));
      assert.ok(keptStep === step - 1 || keptStep === step - 2, shown.text);
      assert.equal(kept.steps, keptStep, 'the network is the one of the step kept');
      assert.ok(kept.finite, 'a weight is not finite after divergence');
      assert.equal(await page.locator('#step-count').textContent(), String(keptStep));
      await frames(page);
      await screenshot('session-error-diverged-1280x720');

      // internal: a panic inside the engine; Reset brings a fresh engine, without a reload.
      await page.evaluate(() => { window.notReloaded = true; });
      const beforePanic = await whole();
      await page.evaluate(() => window.app.internalErrorForTests());
      shown = await banner(page);
      assert.deepEqual([shown.kind, shown.error], ['error', 'internal']);
      assert.match(shown.text, /internal error.*Press Reset/);
      await page.click('#reset');
      await page.waitForFunction(() => !window.app.page.broken(), null, { timeout: 20_000 });
      await frames(page);
      shown = await banner(page);
      assert.deepEqual([shown.kind, shown.error], ['info', '']);
      assert.match(shown.text, /restarted after an internal error/);
      assert.equal(await page.evaluate(() => window.notReloaded), true);
      assert.equal(await page.evaluate(() => window.app.session.settings().lesson), 'learning-rate');
      assert.deepEqual(await whole(), beforePanic, 'the session came back as it was');
      // The fresh engine runs (a phase: the next whole steps at η = 3 would diverge again).
      await page.click('#step-phase');
      assert.equal(await page.evaluate(() => window.app.session.progress()), 1, 'the fresh engine runs');
      assert.deepEqual(opened.pageErrors, []);
    } finally {
      await page.close();
    }
  });
});
