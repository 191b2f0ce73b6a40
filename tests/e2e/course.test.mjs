// Issue 4 in the page, driven like a user drives it in real headless Chromium: data sets
// (generators, features, preprocessing, a CSV file good and bad, points drawn by clicking),
// metrics, training control, every lesson, an experiment, links that replay a state, and
// model files. Screenshots of each panel land in tests/e2e/artifacts/.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { appSession, assertNoErrors, banner, clickEdge, dataOf, digitsArrived, frames, parameterBits, typeInto } from './harness.mjs';

const session = appSession();

const open = (options) => session.open(options);

const message = (page) => page.locator('#message').textContent();
const messageKind = (page) => page.locator('#message').getAttribute('data-kind');
const steps = (page) => page.evaluate(() => window.app.session.steps());

/** Plays at max speed until the stop rule typed here ends training after `epochs` epochs. */
async function trainEpochs(page, epochs) {
  await typeInto(page, '#setting-stop_epochs', epochs);
  await page.selectOption('#speed', '5');
  await page.click('#play');
  await page.waitForFunction(() => !window.app.page.playing(), null, { timeout: 60_000 });
  assert.equal(await page.evaluate(() => window.app.session.epochs()), epochs, 'the stop rule ended training');
}

const csvFile = (name, text) => ({ name, mimeType: 'text/csv', buffer: Buffer.from(text) });

/** The expected shape of each generator: coordinates per point and classes (0: regression). */
const SHAPES = {
  circle: [2, 2], xor: [2, 2], noisy_xor: [2, 2], gaussians: [2, 2], spiral: [2, 2], spiral3: [2, 3],
  moons: [2, 2], checkerboard: [2, 2], sine: [1, 0], polynomial: [1, 0], plane: [2, 0],
};

describe('data, lessons and experiments', () => {
  test('every generator has its shape, and its seed gives the same points again', { timeout: 120_000 }, async () => {
    const opened = await open();
    const { page, screenshot } = opened;
    try {
      for (const [problem, [dims, classes]] of Object.entries(SHAPES)) {
        await page.selectOption('#setting-problem', problem);
        await frames(page, 2);
        const d = await dataOf(page);
        assert.equal(d.name, problem);
        assert.equal(d.dims, dims, `${problem}: coordinates per point`);
        assert.equal(d.classes, classes, `${problem}: classes`);
        const total = d.train.y.length + d.test.y.length;
        assert.equal(total, problem === 'xor' ? 4 : 320, `${problem}: points`);
        assert.equal(d.train.x.length, d.train.y.length * dims);
        if (classes) assert.ok(d.train.y.every((y) => Number.isInteger(y) && y >= 0 && y < classes), `${problem}: labels are classes`);
        // The network fits the data: one output per class beyond two, softmax for three.
        const outputs = await page.evaluate(() => window.app.session.shape().at(-1));
        assert.equal(outputs, classes > 2 ? classes : 1, `${problem}: outputs`);
        if (problem === 'spiral3') await screenshot('course-spiral3-data-1280x720');
      }
      // The same seed gives the same points; a new seed others; the noise slider moves them.
      await page.selectOption('#setting-problem', 'moons');
      const first = await dataOf(page);
      await page.selectOption('#setting-problem', 'circle');
      await page.selectOption('#setting-problem', 'moons');
      assert.deepEqual(await dataOf(page), first, 'the same seed gave other points');
      const seed = await page.locator('#setting-dseed-value').textContent();
      await page.click('#setting-dseed');
      assert.notEqual(await page.locator('#setting-dseed-value').textContent(), seed, 'the data seed shown did not change');
      assert.notDeepEqual((await dataOf(page)).train.x, first.train.x, 'a new data seed gave the same points');
      await typeInto(page, '#setting-noise', '0.5');
      assert.equal(await page.evaluate(() => window.app.session.settings().data.noise), 0.5);
      assert.equal(await page.locator('#setting-noise-value').textContent(), '0.5');
      // The test share splits the points.
      await typeInto(page, '#setting-test', '0.25');
      const split = await dataOf(page);
      assert.equal(split.test.y.length, 80);
      assert.equal(split.train.y.length, 240);
      assertNoErrors(opened);
    } finally {
      await page.close();
    }
  });

  test('input features and preprocessing change what the network sees', { timeout: 60_000 }, async () => {
    const opened = await open();
    const { page, screenshot } = opened;
    try {
      await page.check('#feature-x1_squared');
      await page.check('#feature-sin_x2');
      assert.deepEqual(await page.evaluate(() => window.app.session.shape()[0]), 4);
      assert.deepEqual(await page.evaluate(() => window.app.session.dataInfo().features), ['x1', 'x2', 'x1_squared', 'sin_x2']);
      assert.match(await message(page), /^Input features: .*Training starts again/);
      // Standardization is fitted on the training points: their inputs have mean 0. With the
      // whole training set (100 of 200 points) as one batch, the batch's inputs are those points.
      await page.selectOption('#setting-scaling', 'standardize');
      await typeInto(page, '#setting-points', '200');
      assert.equal(await page.evaluate(() => window.app.session.dataInfo().train_points), 100);
      await page.locator('#setting-batch').fill('100');
      assert.equal(await page.evaluate(() => window.app.session.config().batch_size), 100);
      await page.click('#step-phase');
      const mean = await page.evaluate(() => {
        const x = window.app.view(window.app.Buffer.BatchInput);
        let sum = 0;
        for (let k = 0; k < x.length; k += 4) sum += x[k];
        return { mean: sum / (x.length / 4), rows: x.length / 4 };
      });
      assert.equal(mean.rows, 100);
      assert.ok(Math.abs(mean.mean) < 1e-9, `the standardized x1 has mean ${mean.mean}`);
      // Unticking every feature is refused in words.
      for (const f of ['x1', 'x2', 'x1_squared']) await page.uncheck(`#feature-${f}`);
      const before = await page.evaluate(() => window.app.session.exportModel());
      await page.locator('#feature-sin_x2').click();
      assert.equal(await messageKind(page), 'error');
      assert.equal((await banner(page)).error, 'invalid_setting');
      assert.match(await message(page), /at least one input feature/);
      assert.equal(await page.locator('#feature-sin_x2').isChecked(), true);
      assert.equal(await page.evaluate(() => window.app.session.exportModel()), before, 'the refusal changed the session');
      await frames(page);
      await screenshot('course-features-1280x720');
      assertNoErrors(opened);
    } finally {
      await page.close();
    }
  });

  test('a CSV file loads; a malformed one names the line and leaves the data as it was', { timeout: 60_000 }, async () => {
    const opened = await open();
    const { page, screenshot } = opened;
    try {
      const rows = ['width,height,kind'];
      for (let k = 0; k < 40; k++) rows.push(`${(k % 8) / 2},${Math.floor(k / 8)},${k % 8 < 4 ? 0 : 1}`);
      await page.setInputFiles('#csv-file', csvFile('flowers.csv', rows.join('\n')));
      await page.waitForFunction(() => window.app.session.dataInfo().name === 'custom');
      const good = await dataOf(page);
      assert.equal(good.train.y.length + good.test.y.length, 40);
      assert.equal(good.classes, 2);
      assert.match(await message(page), /^Loaded flowers\.csv: .*20 training and 20 test points, 2 classes/);
      assert.equal(await page.locator('#setting-problem').inputValue(), 'custom');
      // The header names the columns to pick the label from (as text, never as markup).
      const options = await page.locator('#csv-label option').allTextContents();
      assert.deepEqual(options, ['last', '1: width', '2: height', '3: kind']);
      await frames(page);
      await screenshot('course-csv-loaded-1280x720');

      // A bad file: the message names the line and the problem; nothing on screen changes.
      await page.click('#step-sample');
      const weights = await page.evaluate(() => window.app.session.exportModel());
      await page.setInputFiles('#csv-file', csvFile('<img src=x onerror=alert(1)>.csv', 'a,b,label\n1,2,0\n3,oops,1\n'));
      await page.waitForFunction(() => document.getElementById('message').dataset.kind === 'error');
      const text = await message(page);
      assert.match(text, /line 3: column 2 is "oops", which is not a number/);
      assert.equal((await banner(page)).error, 'invalid_data');
      assert.match(text, /<img src=x onerror=alert\(1\)>\.csv/, 'the file name is shown as text');
      assert.equal(await page.locator('#message img').count(), 0, 'the file name became markup');
      assert.deepEqual(await dataOf(page), good, 'the bad file changed the data');
      assert.equal(await page.evaluate(() => window.app.session.exportModel()), weights, 'the bad file changed the session');
      assert.equal(await steps(page), 1);
      await screenshot('course-csv-bad-1280x720');
      // Ragged rows too.
      await page.setInputFiles('#csv-file', csvFile('ragged.csv', '1,2,0\n3,4\n'));
      await page.waitForFunction(() => /ragged\.csv/.test(document.getElementById('message').textContent));
      assert.match(await message(page), /line 2/);
      assert.deepEqual(await dataOf(page), good);

      // Another label column: the file is read again.
      await page.selectOption('#csv-label', '0');
      await page.waitForFunction(() => window.app.session.dataInfo().kind === 'regression');
      assert.equal((await dataOf(page)).dims, 2);
      assertNoErrors(opened);
    } finally {
      await page.close();
    }
  });

  test('points drawn by clicking the output view join the training set; the data exports as CSV', { timeout: 60_000 }, async () => {
    const opened = await open();
    const { page, screenshot } = opened;
    try {
      const before = await dataOf(page);
      await page.check('#draw-mode');
      await page.selectOption('#draw-class', '1');
      const box = await page.locator('#output').boundingBox();
      // The top-left corner is (−6, 6) in data coordinates; a quarter in is (−3, 3).
      await page.mouse.click(box.x + box.width / 4, box.y + box.height / 4);
      const after = await dataOf(page);
      assert.equal(after.train.y.length, before.train.y.length + 1);
      assert.equal(after.train.y.at(-1), 1);
      const [x1, x2] = after.train.x.slice(-2);
      assert.ok(Math.abs(x1 + 3) < 0.1 && Math.abs(x2 - 3) < 0.1, `drawn at (${x1}, ${x2})`);
      assert.equal(await steps(page), 0);
      assert.match(await message(page), /point was added/);
      await frames(page);
      await screenshot('course-drawn-1280x720');
      const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-data')]);
      const text = await (await download.createReadStream()).toArray().then((chunks) => Buffer.concat(chunks).toString());
      const lines = text.trim().split('\n');
      assert.equal(lines.length, 1 + after.train.y.length + after.test.y.length);
      assert.match(lines[0], /x1,x2,label/);
      assertNoErrors(opened);
    } finally {
      await page.close();
    }
  });

  test('metrics beside the loss curve are the engine\'s, for classification and regression', { timeout: 60_000 }, async () => {
    for (const [width, height] of [[1280, 720], [1920, 1080]]) {
      const opened = await open({ width, height });
      const { page, screenshot } = opened;
      try {
        await page.click('#step-epoch');
        await frames(page, 4);
        const engine = await page.evaluate(() => window.app.session.metrics(true));
        const summary = await page.locator('#metrics-summary').textContent();
        assert.match(summary, /^test: accuracy [\d.]+ % · F1 [\d.]+ · training [\d.]+ %$/);
        assert.equal(await page.locator('#metrics-summary').getAttribute('data-accuracy'), String(engine.accuracy));
        await page.click('#metrics summary');
        const cells = await page.locator('#metrics .confusion td').allTextContents();
        assert.deepEqual(cells.map(Number), engine.confusion.flat());
        assert.equal(await page.locator('#metrics .metrics-table tr').count(), 1 + 2 + 1, 'a header, a row per class and the mean');
        await screenshot(`course-metrics-${width}x${height}`);
        await page.click('#metrics summary');
        await page.selectOption('#setting-problem', 'plane');
        await page.click('#step-epoch');
        await frames(page, 4);
        assert.match(await page.locator('#metrics-summary').textContent(), /^test: RMSE [\d.e−]+ · R² [−\d.e]+ · training R² [−\d.e]+$/);
        const r2 = await page.evaluate(() => window.app.session.metrics(true).r2);
        assert.equal(await page.locator('#metrics-summary').getAttribute('data-r2'), String(r2));
        await screenshot(`course-plane-${width}x${height}`);
        assertNoErrors(opened);
      } finally {
        await page.close();
      }
    }
  });

  test('dropout, a schedule and a stop rule reach the engine; training stops by itself', { timeout: 60_000 }, async () => {
    const opened = await open();
    const { page, screenshot } = opened;
    try {
      await page.click('#step-sample');
      await page.selectOption('#layers .layer-row[data-layer="0"] select[aria-label="dropout of layer 1"]', '0.2');
      await page.selectOption('#setting-schedule', 'step');
      await typeInto(page, '#setting-schedule_factor', '0.7');
      await typeInto(page, '#setting-stop_epochs', '3');
      const config = await page.evaluate(() => window.app.session.config());
      assert.equal(config.layers[0].dropout, 0.2);
      assert.equal(config.schedule.kind, 'step');
      assert.equal(config.schedule.factor, 0.7);
      assert.equal(config.stop.after_epochs, 3);
      assert.equal(await steps(page), 1, 'these settings change without a reset');
      await page.selectOption('#speed', '4');
      await page.click('#play');
      await page.waitForFunction(() => !window.app.page.playing(), null, { timeout: 20_000 });
      assert.equal(await page.evaluate(() => window.app.session.epochs()), 3);
      assert.match(await page.evaluate(() => window.app.session.finished()), /^stopped after 3 epochs/);
      assert.match(await message(page), /^Stopped after 3 epochs/);
      await page.waitForSelector('#play[aria-pressed="false"]');
      await frames(page);
      await screenshot('course-stopped-1280x720');
      assertNoErrors(opened);
    } finally {
      await page.close();
    }
  });

  test('every lesson loads its network and text; the chain-rule lesson shows the worked numbers', { timeout: 120_000 }, async () => {
    const opened = await open();
    const { page, screenshot } = opened;
    try {
      // The oracle: the engine's lesson table, read from the package itself (not from the page).
      const lessons = await page.evaluate(async () => (await import('./pkg/backprop_viz.js')).lessons());
      assert.equal(lessons.length, 14);
      for (const lesson of lessons) {
        await page.selectOption('#lesson', lesson.id);
        await digitsArrived(page); // the digits lessons fetch their data first
        await frames(page, 2);
        assert.equal(await page.locator('#lesson-title').textContent(), lesson.title);
        assert.equal(await page.locator('#lesson-text').textContent(), lesson.text);
        assert.match(await message(page), new RegExp(`^Lesson loaded: ${lesson.title.replace(/[()]/g, '.')}`));
        const config = await page.evaluate(() => window.app.session.config());
        assert.deepEqual(config.layers.map((l) => [l.units, l.activation, l.bias]),
          lesson.session.network.layers.map((l) => [l.units, l.activation, l.bias]), `${lesson.id}: layers`);
        assert.equal(config.optimizer.learning_rate, lesson.session.network.optimizer.learning_rate, `${lesson.id}: η`);
        assert.equal(await page.locator('#lesson-variants button[data-variant]').count(), lesson.variants.length);
        // Given weights are the engine's, exactly.
        lesson.session.network.layers.forEach((l, k) => {
          if (l.weights) assert.deepEqual(config.layers[k].weights, l.weights, `${lesson.id}: weights of layer ${k + 1}`);
        });
        if (!lesson.samples) assert.equal(await page.evaluate(() => window.app.session.dataInfo().name), lesson.session.data.problem);
        else assert.equal(await page.evaluate(() => window.app.session.dataInfo().origin), 'samples');
        assert.equal(await page.locator('#lesson').inputValue(), lesson.id);
        await screenshot(`course-lesson-${lesson.id}-1280x720`);
      }

      // 1. The chain rule: ../shared/examples/ (h, ŷ, L, dL/dw2, dL/dw1).
      await page.selectOption('#lesson', 'chain-rule');
      await frames(page);
      assert.equal(Number(await page.locator('#train-loss').textContent()), Number((0.08747274570303369).toPrecision(5)));
      for (let k = 0; k < 5; k++) await page.keyboard.press('ArrowRight'); // forward 1, 2, loss, backward 2, 1
      const h = await page.evaluate(() => window.app.view(window.app.Buffer.Activation, 0)[0]);
      const y = await page.evaluate(() => window.app.view(window.app.Buffer.Activation, 1)[0]);
      assert.ok(Math.abs(h - 0.549833997312478) < 1e-12, `h = ${h}`);
      assert.ok(Math.abs(y - 0.581735142037886) < 1e-12, `ŷ = ${y}`);
      assert.ok(Math.abs(await page.evaluate(() => window.app.session.loss()) - 0.08747274570303369) < 1e-12);
      // Click the edge w2 (hidden → output) and read the inspector: dL/dw2 = δ2 · h.
      for (const [layer, expected] of [[1, -0.055957672744995204], [0, -0.007557072557793297]]) {
        await clickEdge(page, { layer, neuron: 0, input: 0 }, 0.3);
        const shown = Number(await page.locator('#inspector [data-name="sample-gradient"]').getAttribute('data-value'));
        assert.ok(Math.abs(shown - expected) < 1e-12, `dL/dw${layer + 1} shown ${shown}, expected ${expected}`);
        if (layer === 1) await screenshot('course-chain-rule-inspector-1280x720');
        await page.keyboard.press('Escape');
      }
      // The text says these numbers too.
      const text = await page.locator('#lesson-text').textContent();
      for (const n of ['0.5498', '0.5817', '0.0875', '−0.0560', '−0.00756']) assert.ok(text.includes(n), `the lesson text lacks ${n}`);

      // 3. The worked example: the total error 0.298371109, then w5 = 0.35891648 after one update.
      await page.selectOption('#lesson', 'worked-example');
      assert.equal(await page.evaluate(() => window.app.session.shape().join('-')), '2-2-2');
      for (let k = 0; k < 3; k++) await page.keyboard.press('ArrowRight');
      assert.ok(Math.abs(await page.evaluate(() => window.app.session.loss()) - 0.298371109) < 1e-9);
      for (let k = 0; k < 3; k++) await page.keyboard.press('ArrowRight');
      const w5 = await page.evaluate(() => window.app.view(window.app.Buffer.Weights, 1)[0]);
      assert.ok(Math.abs(w5 - 0.35891648) < 1e-8, `w5 = ${w5}`);

      // 2. XOR without biases: (0,0) stays at 0.5 from the hidden layer; with biases it learns.
      await page.selectOption('#lesson', 'xor');
      await page.click('#lesson-variants button[data-variant="1"]');
      assert.deepEqual(await page.evaluate(() => window.app.session.config().layers.map((l) => l.bias)), [true, true]);
      assert.equal(await page.locator('#lesson-variants button[data-variant="1"]').getAttribute('aria-pressed'), 'true');
      assert.match(await message(page), /XOR.*with biases/);

      // 8. Three classes: three softmax outputs, a legend with three class colours.
      await page.selectOption('#lesson', 'spiral-softmax');
      await frames(page);
      assert.equal(await page.locator('#class-legend .cls').count(), 3);
      assert.equal(await page.evaluate(() => window.app.session.config().loss), 'softmax_cross_entropy');
      assertNoErrors(opened);
    } finally {
      await page.close();
    }
  });

  test('vanishing gradients: the gradient strip shows the first layer learning far less with sigmoid', { timeout: 60_000 }, async () => {
    const opened = await open();
    const { page, screenshot } = opened;
    try {
      const ratio = async () => {
        await page.click('#step-sample');
        await frames(page);
        const values = await page.evaluate(() => [...document.querySelectorAll('#grad-strip .grad-row')].map((r) => Number(r.dataset.value)));
        return values[0] / values[values.length - 1];
      };
      await page.selectOption('#lesson', 'vanishing-gradients');
      const sigmoid = await ratio();
      await screenshot('course-vanishing-sigmoid-1280x720');
      await page.click('#lesson-variants button[data-variant="1"]');
      const relu = await ratio();
      assert.ok(sigmoid < 0.01, `sigmoid: first/last layer gradient ${sigmoid}`);
      assert.ok(relu > 10 * sigmoid, `ReLU ${relu} vs sigmoid ${sigmoid}`);
      assertNoErrors(opened);
    } finally {
      await page.close();
    }
  });

  test('learning rate: η = 3 explodes with a message, η = 0.00001 crawls; overfitting: the test loss ends above the training loss', { timeout: 90_000 }, async () => {
    const opened = await open();
    const { page, screenshot } = opened;
    try {
      await page.selectOption('#lesson', 'learning-rate');
      await page.click('#lesson-variants button[data-variant="0"]');
      await page.selectOption('#speed', '4');
      await page.click('#play');
      await page.waitForFunction(() => document.getElementById('message').dataset.kind === 'diverged', null, { timeout: 30_000 });
      assert.match(await message(page), /^The loss exploded at step/);
      assert.equal((await banner(page)).error, 'diverged');
      await frames(page);
      await screenshot('course-lesson-learning-rate-diverged-1280x720');
      // Seven epochs (105 steps): η = 0.00001 hardly moves the loss; η = 0.03 (the third
      // variant) brings it down.
      const after100 = async (variant) => {
        await page.click(`#lesson-variants button[data-variant="${variant}"]`);
        assert.equal(await steps(page), 0);
        const start = await page.evaluate(() => window.app.session.datasetLoss(false));
        for (let k = 0; k < 7; k++) await page.keyboard.press('e');
        assert.equal(await steps(page), 105);
        return { start, end: await page.evaluate(() => window.app.session.datasetLoss(false)) };
      };
      const low = await after100(1);
      const good = await after100(2);
      assert.equal(low.start, good.start, 'the variants start from different weights');
      assert.ok(low.end > 0.95 * low.start, `η = 0.00001 moved the loss from ${low.start} to ${low.end}`);
      assert.ok(good.end < 0.5 * good.start, `η = 0.03 moved the loss from ${good.start} to ${good.end} only`);

      await page.selectOption('#lesson', 'overfitting');
      assert.equal(await page.evaluate(() => window.app.session.dataInfo().train_points), 20);
      // 600 epochs of 5 steps: 3000 steps.
      await trainEpochs(page, 600);
      assert.equal(await steps(page), 3000);
      await frames(page, 4);
      const losses = await page.evaluate(() => ({ train: window.app.session.datasetLoss(false), test: window.app.session.datasetLoss(true) }));
      assert.ok(losses.test > 2 * losses.train, `train ${losses.train}, test ${losses.test}`);
      await page.check('#setting-show_test');
      await frames(page);
      await screenshot('course-lesson-overfitting-trained-1280x720');
      assertNoErrors(opened);
    } finally {
      await page.close();
    }
  });

  test('an experiment with two learning rates draws two curves and a table; a lesson races its variants', { timeout: 120_000 }, async () => {
    for (const [width, height] of [[1280, 720], [1920, 1080]]) {
      const opened = await open({ width, height });
      const { page, screenshot } = opened;
      try {
        await page.click('#experiment-button');
        await page.selectOption('#exp-kind', 'learning-rate');
        await page.fill('#exp-values', '0.03, 0.3');
        await page.locator('#exp-values').dispatchEvent('change');
        await page.fill('#exp-steps', '800');
        await page.locator('#exp-steps').dispatchEvent('change');
        await page.click('#exp-run');
        await page.waitForFunction(() => !window.app.experiment.running(), null, { timeout: 60_000 });
        await frames(page, 4);
        const runs = await page.evaluate(() => window.app.experiment.runs().map((r) => ({
          label: r.label, steps: r.steps, rate: r.config.optimizer.learning_rate, points: r.points, last: r.train, seed: r.config.seed,
        })));
        assert.equal(runs.length, 2);
        assert.deepEqual(runs.map((r) => r.rate), [0.03, 0.3]);
        assert.deepEqual(runs.map((r) => r.steps), [800, 800]);
        assert.equal(runs[0].seed, runs[1].seed, 'the runs have different seeds');
        assert.ok(runs.every((r) => r.points > 10));
        assert.ok(runs[1].last < runs[0].last, 'the larger rate did not learn faster');
        // Two training curves (and two dashed test curves) in the two run colours.
        assert.equal(await page.locator('#exp-chart').getAttribute('data-series'), '2');
        const colours = await page.evaluate(() => {
          const c = document.getElementById('exp-chart');
          const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
          const near = (k, [r, g, b]) => Math.abs(d[k] - r) < 30 && Math.abs(d[k + 1] - g) < 30 && Math.abs(d[k + 2] - b) < 30;
          let blue = 0;
          let orange = 0;
          for (let k = 0; k < d.length; k += 4) {
            if (near(k, [0x00, 0x72, 0xb2])) blue++;
            if (near(k, [0xe6, 0x9f, 0x00])) orange++;
          }
          return { blue, orange };
        });
        assert.ok(colours.blue > 100 && colours.orange > 100, `curve pixels: ${JSON.stringify(colours)}`);
        assert.equal(await page.locator('#exp-table tbody tr').count(), 2);
        assert.equal(await page.locator('#exp-nets canvas').count(), 2);
        const row = await page.locator('#exp-table tbody tr[data-run="1"] td').allTextContents();
        assert.match(row[0], /η = 0.3/);
        assert.equal(row[1], '800');
        await screenshot(`course-experiment-lr-${width}x${height}`);

        // Bad values are refused in words.
        await page.fill('#exp-values', '0.1, lots');
        await page.locator('#exp-values').dispatchEvent('change');
        assert.match(await page.locator('#exp-note').textContent(), /"lots" is not a learning rate/);
        // Depths and widths are whole numbers (the catalogue's kind): "1.5" is refused, not run
        // as "1.5 hidden layers" (issue 16).
        for (const [kind, typed, what] of [['depth', '1, 1.5', 'a number of hidden layers from 0 to 15'], ['width', '2, 2.5', 'a number of neurons per hidden layer from 1 to 256']]) {
          await page.selectOption('#exp-kind', kind);
          await page.fill('#exp-values', typed);
          await page.locator('#exp-values').dispatchEvent('change');
          const note = await page.locator('#exp-note').textContent();
          assert.ok(note.includes(`"${typed.split(', ')[1]}" is not ${what} (a whole number)`), note);
        }

        // The optimizers lesson races its four variants.
        await page.fill('#exp-steps', '300');
        await page.locator('#exp-steps').dispatchEvent('change');
        await page.click('#exp-close');
        await page.selectOption('#lesson', 'optimizers');
        await page.click('#lesson-variants button.race');
        await page.waitForFunction(() => !window.app.experiment.running() && window.app.experiment.runs().length === 4, null, { timeout: 60_000 });
        await frames(page, 4);
        assert.equal(await page.locator('#exp-chart').getAttribute('data-series'), '4');
        assert.deepEqual(await page.evaluate(() => window.app.experiment.runs().map((r) => r.config.optimizer.kind)), ['sgd', 'momentum', 'rmsprop', 'adam']);
        assert.deepEqual(await page.evaluate(() => window.app.experiment.runs().map((r) => r.steps)), [300, 300, 300, 300]);
        await screenshot(`course-experiment-optimizers-${width}x${height}`);

        // "Which optimizer?": the table says what the text says, steps and time to the target.
        await page.click('#exp-close');
        await page.selectOption('#lesson', 'which-optimizer');
        await page.click('#lesson-variants button.race');
        await page.waitForFunction(() => !window.app.experiment.running() && window.app.experiment.runs().length === 4, null, { timeout: 60_000 });
        await frames(page, 4);
        const table = await page.evaluate(() => [...document.querySelectorAll('#exp-table tbody tr')].map((tr) => [...tr.cells].map((td) => td.textContent.trim())));
        const toTarget = table.map((row) => Number(row[5].split(' · ')[0].replace(/,/g, '')));
        const [gd, rprop, cg, adam] = toTarget;
        assert.ok(rprop < 10 && cg < 10 && adam >= 10 && adam < 100 && gd > 100, `steps to the target: ${JSON.stringify(table)}`);
        assert.ok(table.every((row) => / · [0-9.,]+ ms$/.test(row[5])), `a time for each: ${JSON.stringify(table)}`);
        assert.deepEqual(await page.evaluate(() => window.app.experiment.runs().map((r) => r.config.optimizer.kind)), ['sgd', 'rprop', 'cg', 'adam']);
        await screenshot(`course-experiment-which-optimizer-${width}x${height}`);
        assertNoErrors(opened);
      } finally {
        await page.close();
      }
    }
  });

  // Frame times are measured by `make bench`, not asserted here: a timed test flakes on a busy machine.
  test('an experiment with four runs keeps training and drawing', { timeout: 60_000 }, async () => {
    const opened = await open();
    const { page } = opened;
    try {
      await page.click('#experiment-button');
      await page.selectOption('#exp-kind', 'optimizer');
      await page.fill('#exp-steps', '1000000');
      await page.locator('#exp-steps').dispatchEvent('change');
      await page.click('#exp-run');
      await page.waitForTimeout(1000);
      const early = await page.evaluate(() => window.app.page.stats().frames);
      const earlySteps = await page.evaluate(() => window.app.experiment.runs().map((r) => r.steps));
      await page.waitForTimeout(2000);
      const stats = await page.evaluate(() => window.app.page.stats());
      const laterSteps = await page.evaluate(() => window.app.experiment.runs().map((r) => r.steps));
      await page.click('#exp-run');
      assert.ok(stats.frames > early + 10, 'frames kept coming while four runs trained');
      assert.equal(laterSteps.length, 4);
      assert.ok(laterSteps.every((n, k) => n > earlySteps[k]), `every run trained: ${earlySteps} → ${laterSteps}`);
      assert.ok(Number.isFinite(stats.frameMs) && stats.frameMs > 0);
      assertNoErrors(opened);
    } finally {
      await page.close();
    }
  });

  test('a link made from a state reopens that state exactly', { timeout: 120_000 }, async () => {
    const cases = [
      async (page) => {
        await page.selectOption('#setting-problem', 'moons');
        await page.check('#feature-x1_x2');
        await page.selectOption('#setting-scaling', 'min_max');
        await page.click('#add-layer');
        await page.selectOption('#setting-optimizer', 'adam');
        await page.locator('#setting-lr').fill('-2');
        await page.selectOption('#layers .layer-row[data-layer="1"] select[aria-label="dropout of layer 2"]', '0.1');
        await page.check('#setting-show_test');
        await page.click('#step-epoch');
        await page.click('#step-epoch');
      },
      async (page) => {
        await page.selectOption('#lesson', 'xor');
        await page.click('#lesson-variants button[data-variant="1"]');
        await page.click('#step-epoch');
      },
      async (page) => {
        const rows = ['a,b,c'];
        for (let k = 0; k < 30; k++) rows.push(`${k / 10},${(k * 7) % 11},${k % 3}`);
        await page.setInputFiles('#csv-file', csvFile('three.csv', rows.join('\n')));
        await page.waitForFunction(() => window.app.session.dataInfo().classes === 3);
        await page.click('#step-epoch');
      },
      async (page) => {
        // Points drawn by hand join the training set; the link must keep them there.
        await page.check('#draw-mode');
        const box = await page.locator('#output').boundingBox();
        for (const [fx, fy, label] of [[0.25, 0.25, '1'], [0.7, 0.3, '0'], [0.4, 0.8, '1']]) {
          await page.selectOption('#draw-class', label);
          await page.mouse.click(box.x + box.width * fx, box.y + box.height * fy);
        }
        await page.click('#step-epoch');
      },
    ];
    for (const make of cases) {
      const sender = await open();
      let link;
      let sent;
      try {
        await make(sender.page);
        await sender.page.click('#share-button');
        link = await sender.page.locator('#share-url').inputValue();
        sent = { ...(await sender.page.evaluate(() => ({
          settings: window.app.session.settings(), model: window.app.session.exportModel(), steps: window.app.session.steps(),
        }))), data: await dataOf(sender.page) };
        assert.ok(sent.steps > 0, 'the sender trained');
        assert.equal(await sender.page.locator('#share-note').getAttribute('data-complete'), 'true');
        await sender.screenshot('course-share-1280x720');
        assertNoErrors(sender);
      } finally {
        await sender.page.close();
      }
      const query = new URL(link).search;
      const receiver = await open({ query });
      try {
        const got = { ...(await receiver.page.evaluate(() => ({
          settings: window.app.session.settings(), model: window.app.session.exportModel(), steps: window.app.session.steps(),
        }))), data: await dataOf(receiver.page) };
        // Settings opened from a link carry the weights they were given (compared below, in
        // the model file); the rest must be the sender's.
        const plain = (settings) => ({ ...settings, network: { ...settings.network, layers: settings.network.layers.map(({ weights, biases, ...l }) => l) } });
        assert.deepEqual(plain(got.settings), plain(sent.settings));
        // The model file is the whole session: weights, training state, history and position.
        assert.equal(got.model, sent.model, 'the weights, training state or settings differ');
        assert.equal(got.steps, sent.steps);
        assert.deepEqual(got.data, sent.data);
        assert.equal(await receiver.page.locator('#step-count').textContent(), String(sent.steps));
        assert.match(await message(receiver.page), /^Opened from a link/);
        assertNoErrors(receiver);
      } finally {
        await receiver.page.close();
      }
    }
  });

  test('a malformed or outdated link opens with a message and sensible defaults', { timeout: 60_000 }, async () => {
    for (const query of ['?v=9&lr=lots&layers=zz:q&problem=spiral&bogus=1', '?params=%%%&lesson=no-such-lesson', '?layers=400:tanh,1:sigmoid']) {
      const opened = await open({ query });
      const { page, screenshot } = opened;
      try {
        assert.equal(await messageKind(page), 'error', `${query}: no message`);
        const text = await message(page);
        assert.match(text, /could not be read|could not be opened/);
        assert.ok(await page.evaluate(() => window.app.session.shape().length) >= 2);
        if (query.startsWith('?v=9')) {
          assert.match(text, /version 9/);
          assert.match(text, /lr=lots/);
          assert.equal(await page.evaluate(() => window.app.session.dataInfo().name), 'spiral', 'what could be read was dropped');
          await screenshot('course-bad-link-1280x720');
        }
        await page.click('#step-sample');
        await frames(page);
        assert.equal(await page.locator('#step-count').textContent(), '1');
        assertNoErrors(opened);
      } finally {
        await page.close();
      }
    }
  });

  test('the new panels at 1920×1080: a lesson, three classes trained, a file, drawing, sharing', { timeout: 90_000 }, async () => {
    const opened = await open({ width: 1920, height: 1080 });
    const { page, screenshot } = opened;
    try {
      await page.selectOption('#lesson', 'spiral-softmax');
      // 200 epochs of 15 steps: 3000 steps.
      await trainEpochs(page, 200);
      await frames(page, 4);
      await page.click('#metrics summary');
      await screenshot('course-spiral3-trained-1920x1080');
      await page.click('#metrics summary');
      const accuracy = await page.evaluate(() => window.app.session.metrics(false).accuracy);
      assert.ok(accuracy > 0.9, `three spirals: training accuracy ${accuracy}`);
      const rows = ['x,y,label'];
      for (let k = 0; k < 60; k++) rows.push(`${Math.cos(k) * (k % 2 ? 3 : 1)},${Math.sin(k) * (k % 2 ? 3 : 1)},${k % 2}`);
      await page.setInputFiles('#csv-file', csvFile('rings.csv', rows.join('\n')));
      await page.waitForFunction(() => window.app.session.dataInfo().label === 'rings.csv');
      await page.check('#draw-mode');
      const box = await page.locator('#output').boundingBox();
      await page.mouse.click(box.x + box.width * 0.8, box.y + box.height * 0.2);
      assert.equal(await page.evaluate(() => window.app.session.dataInfo().train_points), 31, 'the drawn point joined the file\'s 30 training points');
      await frames(page);
      await screenshot('course-csv-drawn-1920x1080');
      await page.click('#share-button');
      await screenshot('course-share-dialog-1920x1080');
      await page.keyboard.press('Escape');
      assert.equal(await page.locator('#share').isHidden(), true);
      assertNoErrors(opened);
    } finally {
      await page.close();
    }
  });

  test('model files export and import; a bad model file changes nothing; loss history and PNGs download', { timeout: 60_000 }, async () => {
    const opened = await open();
    const { page, screenshot } = opened;
    try {
      await page.click('#step-epoch');
      await page.click('#share-button');
      const [modelDownload] = await Promise.all([page.waitForEvent('download'), page.click('#export-model')]);
      const model = Buffer.concat(await (await modelDownload.createReadStream()).toArray()).toString();
      assert.equal(model, await page.evaluate(() => window.app.session.exportModel()));
      const [lossDownload] = await Promise.all([page.waitForEvent('download'), page.click('#export-loss')]);
      const loss = Buffer.concat(await (await lossDownload.createReadStream()).toArray()).toString().trim().split('\n');
      assert.equal(loss[0], 'step,train_loss,test_loss');
      assert.equal(loss.length, 1 + await page.evaluate(() => window.app.session.history().steps.length));
      for (const id of ['#export-network-png', '#export-chart-png']) {
        const [png] = await Promise.all([page.waitForEvent('download'), page.click(id)]);
        const bytes = Buffer.concat(await (await png.createReadStream()).toArray());
        assert.deepEqual([...bytes.subarray(1, 4)], [0x50, 0x4e, 0x47], `${id} is not a PNG`);
      }
      await screenshot('course-share-dialog-1280x720');
      // Train on, then import the saved model: the whole session comes back exactly.
      const savedBits = await parameterBits(page);
      const savedSteps = await steps(page);
      await page.keyboard.press('Escape');
      await page.click('#step-epoch');
      assert.notDeepEqual(await parameterBits(page), savedBits);
      await page.click('#share-button');
      await page.setInputFiles('#import-model', { name: 'saved.json', mimeType: 'application/json', buffer: Buffer.from(model) });
      await page.waitForFunction(() => /saved\.json/.test(document.getElementById('message').textContent));
      assert.equal(await page.locator('#share').isHidden(), true, 'the dialog closes after an import');
      assert.equal(await page.evaluate(() => window.app.session.exportModel()), model);
      assert.deepEqual(await parameterBits(page), savedBits);
      assert.equal(await steps(page), savedSteps);
      // A bad model file: a message in words, and the network stays.
      const before = await page.evaluate(() => window.app.session.exportModel());
      await page.setInputFiles('#import-model', { name: 'broken.json', mimeType: 'application/json', buffer: Buffer.from('{"format": "backprop-viz-model", "version": 9}') });
      await page.waitForFunction(() => /broken\.json|version 9/.test(document.getElementById('message').textContent));
      assert.equal(await messageKind(page), 'error');
      assert.equal((await banner(page)).error, 'parse');
      assert.match(await message(page), /version 9/);
      assert.equal(await page.evaluate(() => window.app.session.exportModel()), before);
      assertNoErrors(opened);
    } finally {
      await page.close();
    }
  });
});
