// Each lesson's claim, checked ON THE SCREEN in real headless Chromium (issue 10: "each lesson
// has a browser test that checks its claim on the screen, not only in the engine"): the
// numbers the page writes (the samples table, the loss read-out, the network's labels, the
// banner) and the pixels it draws (the output maps, the loss chart's explosion marker).
//
// Claims already checked on screen elsewhere, not repeated here:
//   - the chain rule's inspector products, the worked example, XOR with biases, vanishing
//     gradients' gradient strip, η = 3 and η = 0.00001, overfitting's losses, the optimizers'
//     race and "Which optimizer?"'s table: course.test.mjs;
//   - the digits (90 % on test images, their images) and the autoencoder's code space:
//     digits.test.mjs.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assertNoErrors, banner, frames, setSpeed, typeInto } from './harness.mjs';
import { browserSession, shot, chooseLesson, pressOnPage, numberIn } from './screens.mjs';

const browser = browserSession();

/** The numbers a lesson's text names ("0.5498", "−0.0560") as numbers. */
const num = (text) => Number(String(text).replace(/−/g, '-'));

/** The network's labels (what the network view drew last frame) as one text. */
const labelText = (page) => page.evaluate(() => window.app.labels().map((b) => b.text).join('\n'));

describe('each lesson shows what its text says', () => {
  test('the chain rule and the worked example: the text\'s numbers are drawn on the network and in the loss read-out', { timeout: 60_000 }, async () => {
    const opened = await browser.open({ width: 1280, height: 720, reducedMotion: 'reduce' });
    const { page } = opened;
    try {
      await chooseLesson(page, 'chain-rule');
      // forward 1, forward 2, loss, backward 2, backward 1: h, ŷ and both δ·a appear as labels.
      for (let k = 0; k < 3; k++) await pressOnPage(page, 'ArrowRight');
      await frames(page, 2);
      let labels = await labelText(page);
      for (const n of ['0.5498', '0.5817']) assert.ok(labels.includes(n), `the network does not show ${n}:\n${labels}`);
      assert.equal(num(await page.textContent('#train-loss')).toFixed(4), '0.0875', 'the loss read-out');
      for (let k = 0; k < 2; k++) await pressOnPage(page, 'ArrowRight');
      await frames(page, 2);
      labels = await labelText(page);
      // dL/dw2 = −0.0560 and dL/dw1 = −0.00756 (one sample: δ·a is the batch's dL/dw).
      const shown = labels.split('\n').filter((l) => /dL\/dw|δ·a/.test(l)).map(numberIn);
      for (const expected of [-0.0560, -0.00756]) {
        assert.ok(shown.some((v) => Math.abs(v - expected) < 0.5e-4 * Math.max(1, Math.abs(expected) * 100)), `no gradient ${expected} among ${shown.join(', ')}`);
      }
      await shot(page, 'lesson-chain-rule-backward-1280x720');

      await chooseLesson(page, 'worked-example');
      for (let k = 0; k < 3; k++) await pressOnPage(page, 'ArrowRight'); // forward 1, 2, loss
      await frames(page, 2);
      assert.ok((await labelText(page)).includes('0.2984') || (await page.textContent('#center')).includes('0.2984'),
        'the total error 0.298371109 is on the network view');
      for (let k = 0; k < 3; k++) await pressOnPage(page, 'ArrowRight'); // backward 2, 1, update
      await frames(page, 2);
      // After the update, the edge w5 (hidden 1 → output 1) says it is now 0.3589.
      labels = await labelText(page);
      assert.ok(/was 0\.4\nnow 0\.3589/.test(labels), `w5 = 0.35891648 is not drawn after the update:\n${labels}`);
      await shot(page, 'lesson-worked-example-update-1280x720');
      assertNoErrors(opened);
    } finally {
      await page.close();
    }
  });

  test('XOR: full batch, summed loss, η 0.5; play stops by itself after 5,000 epochs with the classic outputs in the samples table', { timeout: 90_000 }, async () => {
    const opened = await browser.open({ width: 1280, height: 720 });
    const { page } = opened;
    try {
      await chooseLesson(page, 'xor');
      // What the settings panel shows: the text's settings.
      assert.equal(await page.inputValue('#setting-stop_epochs'), '5000', 'the stop rule is in the lesson card');
      assert.ok(await page.isVisible('#lesson-controls #setting-stop_epochs'));
      assert.equal(await page.textContent('#batch-note'), '(4)', 'full batch: four samples a step');
      assert.equal(await page.inputValue('#setting-lr-typed'), '0.5');
      const config = await page.evaluate(() => window.app.session.config());
      assert.equal(config.reduction, 'sum');
      assert.deepEqual(config.layers.map((l) => l.bias), [false, false]);
      await setSpeed(page, 'max speed');
      await page.click('#play');
      await page.waitForFunction(() => !window.app.page.playing(), null, { timeout: 60_000 });
      await frames(page, 3);
      assert.equal(await page.textContent('#epoch-count'), '5,000');
      assert.equal(await page.textContent('#step-count'), '5,000');
      assert.match((await banner(page)).text, /5,?000 epochs.*stop rule/i);
      // The samples table: ŷ now for (0,0), (0,1), (1,0), (1,1).
      const rows = await page.evaluate(() => [...document.querySelectorAll('#samples tr[data-output]')].map((r) => [...r.cells].map((c) => c.textContent)));
      assert.equal(rows.length, 4);
      const yHat = rows.map((r) => num(r[3]));
      const expected = [0.10, 0.84, 0.84, 0.22];
      yHat.forEach((y, k) => assert.ok(Math.abs(y - expected[k]) < 0.005, `ŷ at (${rows[k][1]}, ${rows[k][2]}) is ${rows[k][3]} on screen, the text says ${expected[k]}`));
      // Each cell is the engine's exact output, rounded.
      const exact = await page.evaluate(() => [...document.querySelectorAll('#samples tr[data-output]')].map((r) => Number(r.dataset.output)));
      exact.forEach((y, k) => assert.ok(Math.abs(y - yHat[k]) < 1e-4, `row ${k + 1}: ${rows[k][3]} shown, ${y} computed`));
      assert.deepEqual(rows.map((r) => num(r[4])), [0, 1, 1, 0], 'the targets');
      // Playing again does not train past the stop.
      await page.click('#play');
      await frames(page, 5);
      assert.equal(await page.evaluate(() => window.app.session.epochs()), 5000);
      await shot(page, 'lesson-xor-5000-epochs-1280x720');
      assertNoErrors(opened);
    } finally {
      await page.close();
    }
  });

  test('learning rate: the slider is on screen at 1280×720; raising it to 3 blows up a trained network, the chart keeps the last good points and marks the step; η can be typed', { timeout: 90_000 }, async () => {
    const opened = await browser.open({ width: 1280, height: 720 });
    const { page } = opened;
    try {
      await chooseLesson(page, 'learning-rate');
      const slider = await page.locator('#setting-lr').boundingBox();
      assert.ok(slider && slider.y >= 0 && slider.y + slider.height <= 720 && slider.x + slider.width <= 1280, `the η slider is at ${JSON.stringify(slider)}, off the 1280×720 window`);
      assert.ok(await page.isVisible('#lesson-controls #setting-lr'), 'the slider is in the lesson card');
      // Typed: η = 0.03 exactly.
      await typeInto(page, '#setting-lr-typed', '0.03');
      assert.equal(await page.evaluate(() => window.app.session.learningRate()), 0.03);
      assert.equal(await page.textContent('#setting-lr-value'), '0.03');
      // Train at η = 0.03: the loss falls steadily.
      const start = await page.evaluate(() => window.app.session.datasetLoss(false));
      for (let k = 0; k < 10; k++) await pressOnPage(page, 'e');
      const trained = num(await page.textContent('#train-loss'));
      assert.ok(trained < 0.5 * start, `η = 0.03: the loss shown went from ${start} to ${trained}`);
      const goodSteps = await page.evaluate(() => window.app.session.steps());
      // Raise the slider to 3 while training: the trained network blows up.
      await setSpeed(page, '10 steps');
      await page.click('#play');
      await page.locator('#setting-lr').fill(String(Math.log10(3)));
      const raised = await page.evaluate(() => window.app.session.learningRate());
      assert.ok(raised >= 2.8 && raised <= 3.3, `the slider set η = ${raised}, not about 3`);
      assert.equal(await page.textContent("#setting-lr-value"), String(raised));
      await page.waitForFunction(() => document.getElementById('message').dataset.kind === 'diverged', null, { timeout: 30_000 });
      await frames(page, 4);
      const b = await banner(page);
      assert.match(b.text, /^The loss exploded at step [\d,]+: the learning rate is probably too high/);
      const at = num(/step ([\d,]+)/.exec(b.text)[1].replace(/,/g, ''));
      assert.ok(at > goodSteps && at < goodSteps + 1000, `exploded at ${at}, trained ${goodSteps}`);
      assert.equal(await page.evaluate(() => window.app.page.playing()), false, 'training stopped');
      // The chart: the last good points are kept (the read-out's step is just before the explosion)…
      const history = await page.evaluate(() => window.app.session.history());
      // (the loss that overflowed is the one point not drawn: a gap, not a line to infinity)
      const finite = history.train.map(Number.isFinite);
      assert.ok(finite.filter(Boolean).length > 5 && finite.slice(0, -1).every(Boolean), `finite points kept up to the explosion: ${history.train.slice(-4)}`);
      const lastGood = history.steps[finite.lastIndexOf(true)];
      assert.ok(at - lastGood <= 10 && at >= lastGood, `the last good point is at ${lastGood}, the explosion at ${at}`);
      assert.equal(await page.textContent('#loss-step'), history.steps.at(-1).toLocaleString('en-US'));
      assert.notEqual(await page.textContent('#loss-step'), '0');
      assert.equal(await page.evaluate(() => window.app.session.historyDivergedAt()), at);
      // …and the step is marked in the warning colour (#b34a00) on the canvas.
      const marker = await page.evaluate(() => {
        const c = document.getElementById('loss-chart');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let warn = 0;
        let train = 0;
        for (let k = 0; k < d.length; k += 4) {
          if (Math.abs(d[k] - 0xb3) < 30 && Math.abs(d[k + 1] - 0x4a) < 30 && d[k + 2] < 40) warn++;
          if (Math.abs(d[k] - 0x1f) < 30 && Math.abs(d[k + 1] - 0x6f) < 30 && Math.abs(d[k + 2] - 0xb4) < 30) train++;
        }
        return { warn, train };
      });
      assert.ok(marker.warn > 50, `no explosion marker drawn: ${JSON.stringify(marker)}`);
      assert.ok(marker.train > 50, `no training curve drawn: ${JSON.stringify(marker)}`);
      await shot(page, 'lesson-learning-rate-exploded-1280x720');
      assertNoErrors(opened);
    } finally {
      await page.close();
    }
  });

  test('three spirals: each output neuron\'s heatmap is drawn, and after training each is high on its own arm and low on the others', { timeout: 90_000 }, async () => {
    const opened = await browser.open({ width: 1280, height: 720 });
    const { page } = opened;
    try {
      await chooseLesson(page, 'spiral-softmax');
      assert.ok(await page.isVisible('#lesson-controls #setting-heatmaps'), 'the heatmap switch is in the lesson card');
      assert.ok(await page.isVisible('#output-maps'), 'each output\'s own map below the plane');
      for (let k = 0; k < 40; k++) await pressOnPage(page, 'e');
      await frames(page, 4);
      // Read the drawn maps at each training point: map j should be blue (p > 0.5) on class j.
      const score = await page.evaluate(() => {
        const s = window.app.session;
        const c = document.getElementById('output-maps');
        const ctx = c.getContext('2d');
        const dpr = c.width / c.clientWidth;
        const outputs = 3;
        const cell = Math.min(c.clientHeight - 16, (c.clientWidth - 4 * (outputs - 1)) / outputs);
        const [lo, hi] = s.dataInfo().domain;
        const x = s.coords(false);
        const y = s.labels(false);
        const dims = s.dataInfo().dims;
        const own = [0, 0, 0];
        const other = [0, 0, 0];
        const counts = [0, 0, 0];
        for (let p = 0; p < y.length; p++) {
          for (let j = 0; j < outputs; j++) {
            const px = j * (cell + 4) + 4 + ((x[dims * p] - lo) / (hi - lo)) * (cell - 8);
            const py = 4 + (1 - (x[dims * p + 1] - lo) / (hi - lo)) * (cell - 8);
            const [r, , b] = ctx.getImageData(Math.round(px * dpr), Math.round(py * dpr), 1, 1).data;
            const blue = b > r ? 1 : 0; // blue: probability above 0.5; orange: below
            if (y[p] === j) own[j] += blue; else other[j] += blue;
          }
          counts[y[p]]++;
        }
        return own.map((o, j) => ({ own: o / counts[j], other: other[j] / (y.length - counts[j]) }));
      });
      score.forEach(({ own, other }, j) => {
        assert.ok(own > 0.6 && other < 0.25, `map of output ${j + 1}: blue on ${(100 * own).toFixed(0)} % of its own arm, ${(100 * other).toFixed(0)} % of the others`);
      });
      // The network's output neurons carry their maps too (the view draws them at this size).
      const size = await page.evaluate(() => window.app.layout().size);
      assert.ok(size >= 14, `output neurons ${size} px: too small for their heatmaps`);
      await shot(page, 'lesson-spiral-softmax-trained-1280x720');
      assertNoErrors(opened);
    } finally {
      await page.close();
    }
  });

  test('XOR with biases, overfitting and the optimizers race: the samples table, the loss read-outs and the race table say what the texts say', { timeout: 90_000 }, async () => {
    const opened = await browser.open({ width: 1280, height: 720 });
    const { page } = opened;
    try {
      // XOR's variant with biases: by the same stop, all four outputs within 0.1 of their targets.
      await chooseLesson(page, 'xor');
      await page.click('#lesson-variants button[data-variant="1"]');
      await setSpeed(page, 'max speed');
      await page.click('#play');
      await page.waitForFunction(() => !window.app.page.playing(), null, { timeout: 60_000 });
      await frames(page, 3);
      assert.equal(await page.textContent('#epoch-count'), '5,000');
      const rows = await page.evaluate(() => [...document.querySelectorAll('#samples tr[data-output]')].map((r) => [...r.cells].map((c) => c.textContent)));
      assert.equal(rows.length, 4);
      for (const r of rows) assert.ok(Math.abs(num(r[3]) - num(r[4])) < 0.1, `with biases, ŷ ${r[3]} against y ${r[4]} at (${r[1]}, ${r[2]})`);
      await shot(page, 'lesson-xor-biases-5000-epochs-1280x720');

      // Overfitting: the read-outs under the loss chart, training loss low and test loss above it.
      await chooseLesson(page, 'overfitting');
      await page.click('#play');
      await page.waitForFunction(() => window.app.session.steps() >= 3000, null, { timeout: 60_000 });
      await page.click('#play');
      await frames(page, 4);
      const train = num(await page.textContent('#train-loss'));
      const testLoss = num(await page.textContent('#test-loss'));
      assert.ok(testLoss > 2 * train, `the read-outs say train ${train}, test ${testLoss}`);
      // The variant with L2 and dropout: the training loss stays higher, the test loss lower.
      const steps = await page.evaluate(() => window.app.session.steps());
      await page.click('#lesson-variants button[data-variant="1"]');
      await page.click('#play');
      await page.waitForFunction((n) => window.app.session.steps() >= n, steps, { timeout: 60_000 });
      await page.click('#play');
      await frames(page, 4);
      const trainReg = num(await page.textContent('#train-loss'));
      const testReg = num(await page.textContent('#test-loss'));
      assert.ok(trainReg > train && testReg < testLoss, `regularized: train ${train} → ${trainReg}, test ${testLoss} → ${testReg}`);
      await shot(page, 'lesson-overfitting-regularized-1280x720');

      // The optimizers race: in the table, momentum and Adam end below SGD.
      await chooseLesson(page, 'optimizers');
      await page.click('#experiment-button');
      await page.fill('#exp-steps', '500');
      await page.locator('#exp-steps').dispatchEvent('change');
      await page.click('#exp-close');
      await page.click('#lesson-variants button.race');
      await page.waitForFunction(() => !window.app.experiment.running() && window.app.experiment.runs().length === 4, null, { timeout: 60_000 });
      await frames(page, 4);
      const table = await page.evaluate(() => [...document.querySelectorAll('#exp-table tbody tr')].map((tr) => [...tr.cells].map((td) => td.textContent.trim())));
      const loss = Object.fromEntries(table.map((r) => [r[0].split(/[ ,]/)[0].toLowerCase(), num(r[2])]));
      assert.ok(loss.momentum < loss.sgd && loss.adam < loss.sgd, `final training losses in the table: ${JSON.stringify(table)}`);
      await shot(page, 'lesson-optimizers-race-1280x720');
      assertNoErrors(opened);
    } finally {
      await page.close();
    }
  });

  test('vanishing gradients: the gradient strip writes the first layer\'s gradients far below the output\'s with sigmoid, and not with ReLU', { timeout: 60_000 }, async () => {
    const opened = await browser.open({ width: 1280, height: 720 });
    const { page } = opened;
    try {
      /** After one batch: the strip's written values, first layer and output. */
      const strip = async () => {
        await page.click('#step-sample');
        await frames(page, 2);
        const values = await page.locator('#grad-strip .grad-value').allTextContents();
        assert.equal(values.length, 7, 'a bar per layer of the six-deep network');
        return { first: num(values[0]), output: num(values.at(-1)), text: values.join(' | ') };
      };
      await chooseLesson(page, 'vanishing-gradients');
      const sigmoid = await strip();
      assert.ok(sigmoid.first < 0.01 * sigmoid.output, `sigmoid: the strip says ${sigmoid.text}`);
      await shot(page, 'lesson-vanishing-sigmoid-1280x720');
      await page.click('#lesson-variants button[data-variant="1"]');
      const relu = await strip();
      assert.ok(relu.first / relu.output > 10 * (sigmoid.first / sigmoid.output), `ReLU: the strip says ${relu.text} (sigmoid: ${sigmoid.text})`);
      assertNoErrors(opened);
    } finally {
      await page.close();
    }
  });
});
