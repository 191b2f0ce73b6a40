// A lesson's exact samples as a table: each sample's inputs, the network's output ŷ on it
// now, and its target y, so the lesson's claims (XOR's (0,0) stuck above 0.1) are on screen.
// Read only.

import { fmt } from './colors.js';
import { state } from './state.js';

/** At most this many samples are listed (the lessons' have four or fewer). */
const MAX_ROWS = 16;

export function updateSamples() {
  const box = document.getElementById('samples');
  const info = state.info;
  const rows = info.train_points;
  box.hidden = info.origin !== 'samples' || rows > MAX_ROWS;
  if (box.hidden) return;
  const s = state.session;
  const outputs = s.outputs(false);
  const width = state.shape[state.shape.length - 1];
  const inputs = state.shape[0];
  const x = state.points.train.x;
  const y = s.dataCsv().trim().split('\n').slice(1).map((line) => line.split(',').slice(inputs).map(Number));
  const cell = (tag, text, scope) => {
    const c = document.createElement(tag);
    c.textContent = text;
    if (scope) c.scope = scope;
    return c;
  };
  const head = document.createElement('tr');
  head.append(cell('th', 'sample', 'col'), ...info.input_labels.map((n) => cell('th', n, 'col')), cell('th', 'ŷ now', 'col'), cell('th', 'target y', 'col'));
  const body = [];
  for (let r = 0; r < rows; r++) {
    const tr = document.createElement('tr');
    const out = Array.from({ length: width }, (_, j) => fmt(outputs[r * width + j], 4)).join(', ');
    tr.append(cell('th', String(r + 1), 'row'), ...Array.from({ length: inputs }, (_, i) => cell('td', fmt(x[r * inputs + i], 4))),
      cell('td', out), cell('td', (y[r] ?? []).map((v) => fmt(v, 4)).join(', ')));
    tr.dataset.output = String(outputs[r * width]);
    body.push(tr);
  }
  box.querySelector('tbody').replaceChildren(head, ...body);
}
