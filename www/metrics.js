// Live metrics beside the loss curve, from the session (session.metrics): accuracy, precision,
// recall, F1 per class and averaged, and the confusion matrix for classification; RMSE and
// R² for regression. Measured on the test points (the training points if there are none),
// at most a few times a second while training runs. Read only.

import { state } from './state.js';
import { fmt, fmtWhy } from './colors.js';
import { CLASS_COLOURS } from './colors.js';

const $ = (id) => document.getElementById(id);
const EVERY_MS = 250;

let measuredAt = -Infinity;
let measuredVersion = -1;

/** The metrics of `session` on its test points (or training points), or null for exact samples. */
export function measure(session = state.session) {
  const test = session.dataInfo().test_points > 0;
  const m = session.metrics(test);
  return m ? { split: test ? 'test' : 'training', ...m } : null;
}

const pct = (x) => `${(100 * x).toFixed(1)} %`;

/** Updates the panel if the weights changed and it is time. */
export function updateMetrics(now) {
  if (state.weightsVersion === measuredVersion || (state.playing && now - measuredAt < EVERY_MS)) return;
  measuredVersion = state.weightsVersion;
  measuredAt = now;
  let m;
  try {
    m = measure();
  } catch (error) {
    $('metrics-summary').textContent = `metrics: ${error.message}`;
    return;
  }
  const summary = $('metrics-summary');
  const detail = $('metrics-detail');
  if (!m) {
    summary.textContent = 'metrics: none for exact samples';
    detail.replaceChildren();
    return;
  }
  // The training set's figure beside the test set's shows overfitting at a glance.
  let train = null;
  try {
    if (m.split === 'test') train = state.session.metrics(false);
  } catch { /* the summary then shows the test figures alone */ }
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
