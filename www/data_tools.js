// The data tools beside the generated settings: drawing points on the output plane, loading
// a CSV file (and choosing its label column), and saving the data as CSV. Events → actions.

import { state, subscribe } from './state.js';
import { addPoint, loadCsv, toggleDrawing, say, reportError } from './actions.js';
import { download, chosenFile } from './files.js';

const $ = (id) => document.getElementById(id);
const REGRESSION_VALUES = [-1, -0.5, 0, 0.5, 1];

function option(value, label) {
  const o = document.createElement('option');
  o.value = value;
  o.textContent = label;
  return o;
}

function drawHint() {
  const d = state.info;
  if (d.origin === 'samples') return 'A lesson\'s samples are fixed: pick a data set to draw on.';
  if (d.dims === 1) return 'Click on the output view to add a training point at (x, y).';
  return d.kind === 'classification'
    ? 'Click on the output view to add a training point of the class chosen beside "draw points".'
    : 'Click on the output view to add a training point with the value chosen beside "draw points".';
}

/** A click on the output plane as a point of the data (coordinates and label). */
function pointAt(e) {
  const d = state.info;
  const canvas = $('output');
  const [lo, hi] = d.domain;
  const x1 = lo + (e.offsetX / canvas.clientWidth) * (hi - lo);
  const up = 1 - e.offsetY / canvas.clientHeight;
  if (d.dims === 1) return { coords: [x1], label: d.y_domain[0] + up * (d.y_domain[1] - d.y_domain[0]) };
  return { coords: [x1, lo + up * (hi - lo)], label: Number($('draw-class').value) };
}

/** Reads `file` (a File whose size was checked) and loads it with that label column. The text
 *  lives only for the call: the page keeps the File, not its text. */
async function readCsv(file, labelColumn) {
  let text;
  try {
    text = await file.text();
  } catch (error) {
    reportError(error);
    return;
  }
  loadCsv(file, text, labelColumn);
}

export function setupDataTools() {
  $('draw-mode').addEventListener('change', (e) => {
    toggleDrawing(e.target.checked);
    if (e.target.checked) say(drawHint(), 'info');
  });
  $('output').addEventListener('click', (e) => {
    if (!state.drawing) return;
    if (state.info.origin === 'samples' || state.info.dims > 2) {
      say(state.info.dims > 2 ? 'Points can be drawn on data with one or two coordinates only.' : drawHint(), 'error');
      return;
    }
    const { coords, label } = pointAt(e);
    addPoint(coords, label);
  });
  $('csv-file').addEventListener('change', (e) => {
    let file = null;
    try {
      file = chosenFile(e.target, state.fileLimits.csv, 'a CSV file');
    } catch (error) {
      reportError(error);
    }
    e.target.value = '';
    if (file) readCsv(file, undefined);
  });
  $('csv-label').addEventListener('change', (e) => {
    if (state.csvFile) readCsv(state.csvFile, e.target.value === '' ? undefined : Number(e.target.value));
  });
  $('export-data').addEventListener('click', () => {
    const name = state.info.origin === 'custom' ? 'my-data' : state.info.name;
    download(`${name}.csv`, state.session.dataCsv(), 'text/csv');
  });
  subscribe(['data', 'view'], syncDataTools);
  syncDataTools();
}

function syncDataTools() {
  const d = state.info;
  $('draw-mode').checked = state.drawing;
  $('output').classList.toggle('drawing', state.drawing);
  const draw = $('draw-class');
  const values = d.kind === 'classification' ? Array.from({ length: Math.max(2, d.classes) }, (_, k) => k) : REGRESSION_VALUES;
  const key = values.join(',');
  if (draw.dataset.key !== key) {
    draw.dataset.key = key;
    draw.replaceChildren(...values.map((v) => option(String(v), d.kind === 'classification' ? `class ${v}` : `value ${v}`)));
  }
  draw.hidden = d.dims !== 2;
  const labelColumn = $('csv-label');
  const fromFile = state.csvFile && d.origin === 'custom';
  labelColumn.parentElement.hidden = !fromFile;
  // The columns are listed once per file, in the file's order (the last one is the label).
  const file = fromFile ? `${state.csvFile.name}:${state.csvFile.size}:${state.csvFile.lastModified}` : '';
  if (fromFile && labelColumn.dataset.file !== file && state.csvLabelColumn === undefined) {
    labelColumn.dataset.file = file;
    labelColumn.replaceChildren(option('', 'last'), ...d.headers.map((h, k) => option(String(k), `${k + 1}: ${h}`)));
    labelColumn.value = state.csvLabelColumn === undefined ? '' : String(state.csvLabelColumn);
  }
}
