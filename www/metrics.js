// Live metrics beside the loss curve, from the session (session.metrics): accuracy, precision,
// recall, F1 per class and averaged, and the confusion matrix for classification; RMSE and
// R² for regression. Measured on the test points (the training points if there are none),
// at most a few times a second while training runs, and less often when measuring takes long
// (100,000 points): the test figures and the training figure beside them are then measured in
// turn, one per update, so that no frame holds two passes over the data. Read only.

import { state } from './state.js';
import { fmt, fmtWhy } from './colors.js';
import { CLASS_COLOURS } from './colors.js';

const $ = (id) => document.getElementById(id);
const EVERY_MS = 250;
/** While training runs, measuring takes at most about 1/8 of the time. */
const SHARE = 8;

let measuredAt = -Infinity;
let measuredVersion = -1;
let waitMs = EVERY_MS;
/** The last metrics of each split while training runs ({data, m}), so that an update
 *  can measure one split and show the other's last figures. */
const last = { test: null, training: null };
let turn = 0;

/** The metrics of `session` on its test points (or training points), or null for exact samples. */
export function measure(session = state.session) {
  const test = session.dataInfo().test_points > 0;
  const m = session.metrics(test);
  return m ? { split: test ? 'test' : 'training', ...m } : null;
}

/** The test figures and the training ones beside them (the training set's figure beside the
 *  test set's shows overfitting at a glance). While training runs, one of the two is measured
 *  and the other is the last measured on the same data (or none yet). */
function measureInTurn() {
  const data = state.info.version;
  const fresh = (kept) => (kept?.data === data ? kept.m : null);
  if (!state.playing) {
    last.test = null;
    last.training = null;
    const m = measure();
    let train = null;
    try {
      if (m?.split === 'test') train = state.session.metrics(false);
    } catch { /* the summary then shows the test figures alone */ }
    return { m, train };
  }
  turn ^= 1;
  const shown = fresh(last.test);
  if (turn === 1 || shown?.split !== 'test') {
    const m = measure();
    last.test = { data, m };
    return { m, train: m?.split === 'test' ? fresh(last.training) : null };
  }
  let train = null;
  try {
    train = state.session.metrics(false);
    last.training = { data, m: train };
  } catch { /* the summary then shows the test figures alone */ }
  return { m: shown, train };
}

const pct = (x) => `${(100 * x).toFixed(1)} %`;

/** Updates the panel if the weights changed and it is time. */
export function updateMetrics(now) {
  if (state.weightsVersion === measuredVersion || (state.playing && now - measuredAt < waitMs)) return;
  measuredVersion = state.weightsVersion;
  measuredAt = now;
  const started = performance.now();
  let m;
  let train = null;
  try {
    ({ m, train } = measureInTurn());
  } catch (error) {
    $('metrics-summary').textContent = `metrics: ${error.message}`;
    return;
  } finally {
    waitMs = Math.max(EVERY_MS, SHARE * (performance.now() - started));
  }
  const summary = $('metrics-summary');
  const detail = $('metrics-detail');
  if (!m) {
    summary.textContent = 'metrics: none for exact samples';
    detail.replaceChildren();
    return;
  }
  if (m.task === 'regression') {
    summary.textContent = `${m.split}: RMSE ${fmt(m.rmse, 3)} · R² ${fmt(m.r2, 3)}${train ? ` · training R² ${fmt(train.r2, 3)}` : ''}`;
    summary.dataset.rmse = String(m.rmse);
    summary.dataset.r2 = String(m.r2);
    summary.title = [summary.textContent, fmtWhy(m.rmse) || fmtWhy(m.r2)].filter(Boolean).join(' — ');
    detail.replaceChildren(para('RMSE: the typical distance between ŷ and y. R²: the share of the variance of y explained (1 is perfect, 0 no better than the mean).'));
    return;
  }
  if (m.task === 'reconstruction') {
    summary.textContent = `${m.split}: reconstruction error ${fmt(m.mse, 3)}${train ? ` · training ${fmt(train.mse, 3)}` : ''}`;
    summary.dataset.mse = String(m.mse);
    summary.title = summary.textContent;
    detail.replaceChildren(para('The reconstruction error: the mean over the images of each one\'s mean squared error per value, (ŷ − x)² averaged over its outputs. 0 is a perfect copy.'));
    return;
  }
  summary.textContent = `${m.split}: accuracy ${pct(m.accuracy)} · F1 ${fmt(m.macro_f1, 3)}${train ? ` · training ${pct(train.accuracy)}` : ''}`;
  summary.dataset.accuracy = String(m.accuracy);
  summary.title = summary.textContent;
  detail.replaceChildren(classTable(m), confusionTable(m));
}

function para(text) {
  const p = document.createElement('p');
  p.className = 'note';
  p.textContent = text;
  return p;
}

function cell(tag, text, className) {
  const c = document.createElement(tag);
  c.textContent = text;
  if (className) c.className = className;
  return c;
}

function swatch(k) {
  const i = document.createElement('i');
  i.className = 'swatch';
  i.style.background = CLASS_COLOURS[k % CLASS_COLOURS.length];
  return i;
}

function classTable(m) {
  const table = document.createElement('table');
  table.className = 'metrics-table';
  const head = document.createElement('tr');
  head.append(cell('th', 'class'), cell('th', 'precision'), cell('th', 'recall'), cell('th', 'F1'));
  table.append(head);
  m.per_class.forEach((c, k) => {
    const row = document.createElement('tr');
    const name = cell('td', ` ${k}`);
    name.prepend(swatch(k));
    row.append(name, cell('td', fmt(c.precision, 3)), cell('td', fmt(c.recall, 3)), cell('td', fmt(c.f1, 3)));
    table.append(row);
  });
  const avg = document.createElement('tr');
  avg.className = 'average';
  avg.append(cell('td', 'mean'), cell('td', fmt(m.macro_precision, 3)), cell('td', fmt(m.macro_recall, 3)), cell('td', fmt(m.macro_f1, 3)));
  table.append(avg);
  return table;
}

function confusionTable(m) {
  const box = document.createElement('div');
  const table = document.createElement('table');
  table.className = 'confusion';
  box.append(cell('div', 'confusion matrix (rows: true class, columns: predicted)', 'note'), table);
  const head = document.createElement('tr');
  head.append(cell('th', ''));
  m.confusion.forEach((_, k) => { const th = cell('th', ` ${k}`); th.prepend(swatch(k)); head.append(th); });
  table.append(head);
  m.confusion.forEach((row, k) => {
    const tr = document.createElement('tr');
    const th = cell('th', ` ${k}`);
    th.prepend(swatch(k));
    tr.append(th, ...row.map((n, j) => cell('td', String(n), j === k ? 'hit' : n ? 'miss' : '')));
    table.append(tr);
  });
  return box;
}
