// The loss history (bounded) and the glue to the Rust loss chart (src/wasm_chart.rs).
//
// A point holds the loss over the whole training set and the whole test set at one step.
// Points are taken every `every` steps; when the history is full, every other point is
// dropped and `every` doubles, so a long run keeps its whole shape in a fixed memory.

import { drawLossChart } from './engine.js';
import { fmt, fmtInt } from './colors.js';

const CAPACITY = 400;

export const history = {
  steps: new Float64Array(CAPACITY),
  train: new Float64Array(CAPACITY),
  test: new Float64Array(CAPACITY),
  length: 0,
  every: 1,
  lastStep: -1,
  /** Bumped when a point is added, so the chart redraws only then. */
  version: 0,
};

export function clearHistory() {
  history.length = 0;
  history.every = 1;
  history.lastStep = -1;
  history.version++;
}

/** Adds a point for the engine's current step if one is due (throws the engine's errors). */
export function record(engine, force = false, hasTest = true) {
  const step = engine.steps();
  if (step === history.lastStep) return;
  if (!force && history.length > 0 && step < history.lastStep + history.every) return;
  const train = engine.datasetLoss(false);
  const test = hasTest ? engine.datasetLoss(true) : NaN;
  if (history.length === CAPACITY) {
    for (let k = 0; k < CAPACITY / 2; k++) {
      history.steps[k] = history.steps[2 * k];
      history.train[k] = history.train[2 * k];
      history.test[k] = history.test[2 * k];
    }
    history.length = CAPACITY / 2;
    history.every *= 2;
  }
  const n = history.length++;
  history.steps[n] = step;
  history.train[n] = train;
  history.test[n] = test;
  history.lastStep = step;
  history.version++;
}

/** The loss history as CSV text (step, training loss, test loss). */
export function historyCsv() {
  const rows = ['step,train_loss,test_loss'];
  for (let k = 0; k < history.length; k++) {
    const test = Number.isFinite(history.test[k]) ? String(history.test[k]) : '';
    rows.push(`${history.steps[k]},${history.train[k]},${test}`);
  }
  return `${rows.join('\n')}\n`;
}

/** The latest point as text for the panel, or an empty string. */
export function latestText() {
  const n = history.length - 1;
  if (n < 0) return { train: '—', test: '—', step: '—' };
  return { train: fmt(history.train[n], 5), test: Number.isNaN(history.test[n]) ? '—' : fmt(history.test[n], 5), step: fmtInt(history.steps[n]) };
}

/** Draws the chart on `canvas` (sized by the caller for the device pixel ratio). */
export function drawChart(canvas, logScale, dpr) {
  const n = history.length;
  drawLossChart(canvas, history.steps.subarray(0, n), history.train.subarray(0, n), history.test.subarray(0, n), logScale, dpr);
}
