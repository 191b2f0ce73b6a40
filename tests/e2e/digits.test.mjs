// Issue 11 in the page: the 8×8 digits and the autoencoder, checked on the screen.
//   - the digits lesson trains to at least 90 % test accuracy, as its text says, and shows
//     the images, the weights as images and the gallery with predicted and true classes;
//   - a digit drawn on the pad (mouse or keyboard) is classified by the engine's own forward
//     pass, and the probabilities shown are the engine's;
//   - the autoencoder lesson's code space separates the classes it never saw;
//   - screenshots at the projector, laptop and phone sizes land in tests/e2e/artifacts/.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { appSession, assertNoErrors, frames, ARTIFACTS_DIR } from './harness.mjs';
import path from 'node:path';

const session = appSession();

/** Steps whole epochs with the E key until `done()` holds (at most `max`). */
async function epochsUntil(page, done, max) {
  for (let k = 0; k < max; k++) {
    if (await done()) return k;
    await page.keyboard.press('e');
    await frames(page, 1);
  }
  assert.ok(await done(), `not reached within ${max} epochs`);
  return max;
}

/** The image view has painted for the current weights. */
const painted = (page) => page.waitForFunction(() => !document.getElementById('images').hidden
  && document.getElementById('gallery-note').textContent !== '');

describe('the digits and the autoencoder in the page', () => {
  test('the digits lesson reaches 90 % on test images, with its images on screen', async () => {
    const opened = await session.open({ query: '?lesson=digits', width: 1280, height: 720 });
    const { page } = opened;
    await painted(page);
    const info = await page.evaluate(() => window.app.session.dataInfo());
    assert.deepEqual([info.dims, info.classes, info.image.width, info.image.height], [64, 10, 8, 8]);
    assert.equal(await page.isVisible('#output'), false, 'the output plane makes way for the images');
    assert.match(await page.textContent('#output-title'), /Images/);
    const accuracy = () => page.evaluate(() => window.app.session.metrics(true).accuracy);
    const epochs = await epochsUntil(page, async () => (await accuracy()) >= 0.9, 10);
    await page.waitForFunction(() => Number(document.getElementById('metrics-summary').dataset.accuracy) >= 0.9);
    // The gallery's count of right answers is the engine's, image by image.
    await frames(page, 3);
    const gallery = await page.evaluate(() => {
      const { app } = window;
      const dims = 64;
      const coords = app.session.coords(true).slice(0, 24 * dims);
      const labels = app.session.labels(true);
      const out = app.session.activationsOf(coords, app.session.shape().length - 2);
      let right = 0;
      for (let i = 0; i < 24; i++) {
        const row = out.slice(i * 10, i * 10 + 10);
        right += row.indexOf(Math.max(...row)) === labels[i];
      }
      return { right, shown: Number(document.getElementById('gallery').dataset.right), note: document.getElementById('gallery-note').textContent };
    });
    assert.equal(gallery.shown, gallery.right, gallery.note);
    assert.match(gallery.note, new RegExp(`${gallery.right} of 24 right`));
    assert.match(await page.textContent('#weights-note'), /32 neurons of layer 1, its 64 weights/);
    await page.screenshot({ path: path.join(ARTIFACTS_DIR, 'digits-1280x720.png') });
    assert.ok(epochs <= 10);
    assertNoErrors(opened);
    await page.close();
  });

  test('a digit drawn on the pad is classified by the engine, with the mouse or the keyboard', async () => {
    const opened = await session.open({ query: '?lesson=digits', width: 1920, height: 1080 });
    const { page } = opened;
    await painted(page);
    for (let k = 0; k < 3; k++) await page.keyboard.press('e');
    // A test image copied onto the pad gets exactly the engine's outputs for that image.
    await page.click('#draw-copy');
    await frames(page, 2);
    const copied = await page.evaluate(() => {
      const { app } = window;
      const engine = app.session.activationsOf(app.session.coords(true).slice(0, 64), 1);
      const shown = document.getElementById('draw-answer').dataset.probabilities.split(',').map(Number);
      return { engine, shown, verdict: document.getElementById('draw-verdict').textContent };
    });
    assert.deepEqual(copied.shown, copied.engine, 'bit for bit');
    const best = copied.engine.indexOf(Math.max(...copied.engine));
    assert.match(copied.verdict, new RegExp(`says ${best} `));
    // A stroke with the mouse changes the image and the answer; Clear empties the pad.
    await page.click('#draw-clear');
    const box = await page.locator('#draw-pad').boundingBox();
    const before = await page.getAttribute('#draw-answer', 'data-probabilities');
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.1);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.9, { steps: 10 });
    await page.mouse.up();
    await frames(page, 2);
    const stroke = await page.getAttribute('#draw-answer', 'data-probabilities');
    assert.notEqual(stroke, before, 'the answer follows the drawing');
    const sum = stroke.split(',').map(Number).reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(sum - 1) < 1e-12, `softmax probabilities sum to 1, not ${sum}`);
    // The keyboard draws too, without stepping the network.
    const steps = await page.evaluate(() => window.app.session.steps());
    await page.click('#draw-clear');
    await page.focus('#draw-pad');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Space');
    await frames(page, 2);
    const keyed = await page.getAttribute('#draw-answer', 'data-probabilities');
    assert.notEqual(keyed, before);
    const expected = await page.evaluate(() => {
      const pixels = new Array(64).fill(0);
      pixels[9] = 1; // row 1, column 1
      return window.app.session.activationsOf(pixels, 1).join(',');
    });
    assert.equal(keyed, expected, 'Space inked the cell the arrows reached');
    assert.equal(await page.evaluate(() => window.app.session.steps()), steps, 'the pad keeps its keys');
    await page.screenshot({ path: path.join(ARTIFACTS_DIR, 'digits-draw-1920x1080.png') });
    assertNoErrors(opened);
    await page.close();
  });

  test('the autoencoder lesson: the code space separates the classes it never saw', async () => {
    const opened = await session.open({ query: '?lesson=autoencoder', width: 1280, height: 720 });
    const { page } = opened;
    await page.waitForFunction(() => !document.getElementById('code-section').hidden);
    const info = await page.evaluate(() => window.app.session.dataInfo());
    assert.deepEqual([info.kind, info.outputs, info.target], ['reconstruction', 64, 'inputs']);
    /** Nearest class centre in the 2-D code (centres from the training codes), on test codes. */
    const separation = () => page.evaluate(() => {
      const s = window.app.session;
      const codeOf = (test) => s.activationsOf(s.coords(test), 1);
      const centres = Array.from({ length: 10 }, () => [0, 0, 0]);
      const trainCodes = codeOf(false);
      s.labels(false).forEach((k, p) => { centres[k][0] += trainCodes[2 * p]; centres[k][1] += trainCodes[2 * p + 1]; centres[k][2] += 1; });
      const c = centres.map(([x, y, n]) => [x / n, y / n]);
      const testCodes = codeOf(true);
      const labels = s.labels(true);
      let right = 0;
      labels.forEach((k, p) => {
        const d = c.map(([x, y]) => (testCodes[2 * p] - x) ** 2 + (testCodes[2 * p + 1] - y) ** 2);
        right += d.indexOf(Math.min(...d)) === k;
      });
      return right / labels.length;
    });
    const error = () => page.evaluate(() => window.app.session.metrics(true).mse);
    const [before, separatedBefore] = [await error(), await separation()];
    for (let k = 0; k < 30; k++) await page.keyboard.press('e');
    await frames(page, 3);
    const [after, separated] = [await error(), await separation()];
    assert.ok(after < 0.5 * before, `reconstruction error ${before} → ${after}`);
    assert.ok(separated >= 0.6 && separated > separatedBefore + 0.15, `nearest class centre ${separatedBefore} → ${separated}`);
    await page.waitForFunction(() => /reconstruction error/.test(document.getElementById('metrics-summary').textContent));
    assert.match(await page.textContent('#code-note'), /Layer 2 \(2 neurons\) is the code/);
    assert.match(await page.textContent('#gallery-note'), /reconstruction of each/);
    await page.screenshot({ path: path.join(ARTIFACTS_DIR, 'autoencoder-1280x720.png') });
    assertNoErrors(opened);
    await page.close();
  });

  test('the network view draws an image input as the image, and a wide layer with its strongest weights', async () => {
    const opened = await session.open({ query: '?lesson=digits', width: 1280, height: 720 });
    const { page } = opened;
    await painted(page);
    await page.keyboard.press('ArrowRight'); // forward: the sample's pixels are drawn
    await frames(page, 3);
    const layout = await page.evaluate(() => {
      const L = window.app.layout();
      // Pixel 9 (row 1, column 1) is where its cell is, and a click there is on input 9.
      const x = L.nodeX[9];
      const y = L.nodeY[9];
      return { box: L.imageBox, x, y, hit: window.app.hitTest(x, y), inputs: window.app.labels().filter((l) => l.kind === 'input').length };
    });
    assert.ok(layout.box && Math.abs(layout.box.w - 8 * layout.box.cell) < 1e-9, JSON.stringify(layout.box));
    assert.ok(Math.abs(layout.x - (layout.box.x + 1.5 * layout.box.cell)) < 1e-9 && Math.abs(layout.y - (layout.box.y + 1.5 * layout.box.cell)) < 1e-9);
    assert.deepEqual(layout.hit, { type: 'neuron', layer: -1, neuron: 9 });
    assert.equal(layout.inputs, 0, 'no 64 input labels');
    assert.ok(await page.isHidden('#edges-note'), '2,368 weights are all drawn');
    await page.close();
    const wide = await session.open({ query: '?layers=256:tanh,64:relu,1:sigmoid', width: 1280, height: 720 });
    await frames(wide.page, 3);
    const note = await wide.page.textContent('#edges-note');
    const [, drawn, of] = note.match(/strongest ([0-9,]+) of ([0-9,]+) weights/).map((t) => Number(t.replace(/,/g, '')));
    assert.equal(of, 2 * 256 + 256 * 64 + 64);
    assert.ok(drawn <= 4000 && drawn >= 2000, note);
    assertNoErrors(wide);
    assertNoErrors(opened);
    await wide.page.close();
  });

  test('on a phone the images stack below the network, never sideways', async () => {
    const opened = await session.open({ query: '?lesson=digits', width: 390, height: 844 });
    const { page } = opened;
    await painted(page);
    const widths = await page.evaluate(() => ({ page: document.documentElement.scrollWidth, window: innerWidth }));
    assert.ok(widths.page <= widths.window, `${widths.page} > ${widths.window}`);
    await page.locator('#images').scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(ARTIFACTS_DIR, 'digits-phone.png'), fullPage: true });
    assertNoErrors(opened);
    await page.close();
  });
});
