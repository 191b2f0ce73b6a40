// The data controls: problem, noise, size, test share, seed, input features, preprocessing,
// points drawn by clicking the output view, a CSV file, and export. Every refusal (a bad
// file, a feature that does not fit) is shown in words and leaves the data as it was.

import { state, rebuild, say, reportError, changed, dataChangedInPlace, resetView } from './state.js';
import { PROBLEMS, FEATURES, SCALINGS, csvData, pointsData } from './data.js';
import { syncControls } from './controls.js';
import { download, chosenText } from './files.js';
import { fmt } from './colors.js';

const $ = (id) => document.getElementById(id);
const REGRESSION_VALUES = [-1, -0.5, 0, 0.5, 1];

/** The last CSV file read, so that picking another label column can read it again. */
let lastFile = null;

/** Output layer and loss that fit a data set: identity for regression, sigmoid for two
 *  classes, softmax over one neuron per class for more. */
export function fitOutput(s, data) {
  if (data.kind === 'regression') {
    s.outputActivation = 'identity';
    s.loss = 'squared_error';
  } else if (data.kind === 'classification' && data.classes > 2) {
    s.outputActivation = 'softmax';
    s.loss = 'softmax_cross_entropy';
  } else if (data.kind === 'classification' && (s.outputActivation === 'identity' || s.outputActivation === 'softmax')) {
    s.outputActivation = 'sigmoid';
    s.loss = 'binary_cross_entropy';
  } else if (s.loss === 'softmax_cross_entropy') {
    s.loss = 'binary_cross_entropy';
  }
}

/** What the output layer and loss would be for a generated problem, before generating it. */
function outputForProblem(s, name) {
  const kind = PROBLEMS[name].kind;
  fitOutput(s, { kind, classes: name === 'spiral3' ? 3 : 2 });
}

/** Generates the settings' problem again (fresh weights). */
function regenerate(why) {
  const s = state.settings;
  const previous = structuredClone(s);
  if (s.dataset === 'custom' || s.dataset === 'samples') {
    if (s.dataset === 'samples') return say('A lesson\'s samples are fixed: pick a data set to change them.', 'error');
    return reload(why, previous);
  }
  s.lesson = null;
  rebuild(why, { withData: true, previous });
  syncControls();
}

/** Builds custom data again from all its points (after a new test share or seed). */
function reload(why, previous) {
  const d = state.data;
  let data;
  try {
    data = pointsData(d.points ?? allPoints(d), d.label, state.settings);
  } catch (error) {
    Object.assign(state.settings, previous);
    reportError(error);
    syncControls();
    return;
  }
  rebuild(why, { data, previous });
  syncControls();
}

/** Every point of a data set, training points first: {dims, classes, coords, labels}. */
export function allPoints(d) {
  return { dims: d.dims, classes: d.classes, coords: [...d.train.x, ...d.test.x], labels: [...d.train.y, ...d.test.y] };
}

export function setupDataControls() {
  const select = $('dataset');
  const names = Object.keys(PROBLEMS);
  select.replaceChildren(...names.map((name) => option(name, PROBLEMS[name].label)),
    option('custom', 'your data (file or drawn)'), option('samples', 'the lesson\'s samples'));
  select.addEventListener('change', () => {
    const name = select.value;
    if (name === 'custom' || name === 'samples') {
      say(name === 'custom' ? 'Load a CSV file, or tick "draw points" and click on the output view.' : 'Pick a lesson to load its samples.', 'info');
      syncControls();
      return;
    }
    const s = state.settings;
    const previous = structuredClone(s);
    s.dataset = name;
    s.lesson = null;
    outputForProblem(s, name);
    rebuild(`New data set (${PROBLEMS[name].label}): training starts again.`, { withData: true, previous });
    syncControls();
  });

  $('noise').addEventListener('change', (e) => {
    state.settings.noise = Number(e.target.value);
    regenerate(`Noise ${fmt(state.settings.noise, 2)}: new points, training starts again.`);
  });
  $('noise').addEventListener('input', (e) => { $('noise-value').textContent = fmt(Number(e.target.value), 2); });
  $('points').addEventListener('change', (e) => {
    state.settings.points = Number(e.target.value);
    regenerate(`${state.settings.points} points: training starts again.`);
  });
  $('points').addEventListener('input', (e) => { $('points-value').textContent = e.target.value; });
  $('test-ratio').addEventListener('change', (e) => {
    state.settings.testRatio = Number(e.target.value);
    regenerate(`${Math.round(100 * state.settings.testRatio)} % of the points are held out for testing: training starts again.`);
  });
  $('test-ratio').addEventListener('input', (e) => { $('test-ratio-value').textContent = `${Math.round(100 * Number(e.target.value))} %`; });
  $('new-data').addEventListener('click', () => {
    state.settings.dataSeed = (state.settings.dataSeed + 1) % 1_000_000;
    regenerate(`Data seed ${state.settings.dataSeed}: new points (or a new split), training starts again.`);
  });

  const box = $('features');
  for (const [name, label] of FEATURES) {
    const item = document.createElement('label');
    item.className = 'check';
    const input = document.createElement('input');
    input.type = 'checkbox';
    input.value = name;
    input.addEventListener('change', () => toggleFeature(name, input.checked));
    item.append(input, label);
    box.append(item);
  }
  fillSelect($('scaling'), SCALINGS, ['none', 'standardization', 'min-max']);
  $('scaling').addEventListener('change', (e) => changeData((set) => set.setScaling(e.target.value), (s) => { s.scaling = e.target.value; },
    `Preprocessing: ${e.target.selectedOptions[0].textContent} (fitted on the training points).`));

  $('draw-mode').addEventListener('change', (e) => {
    state.drawing = e.target.checked;
    $('output').classList.toggle('drawing', state.drawing);
    if (state.drawing) say(drawHint(), 'info');
  });
  $('output').addEventListener('click', (e) => { if (state.drawing) drawPoint(e); });

  $('csv-file').addEventListener('change', async (e) => {
    const file = await chosenText(e.target).catch((error) => { reportError(error); return null; });
    e.target.value = '';
    if (!file) return;
    loadCsv(file, undefined);
  });
  $('csv-label').addEventListener('change', (e) => {
    if (lastFile) loadCsv(lastFile, e.target.value === '' ? undefined : Number(e.target.value));
  });
  $('export-data').addEventListener('click', () => {
    download(`${state.data.name === 'custom' ? 'my-data' : state.data.name}.csv`, dataCsv(state.data), 'text/csv');
  });
}

function drawHint() {
  const d = state.data;
  if (!d.set) return 'Drawing needs a data set: pick one, then click to add points.';
  if (d.dims === 1) return 'Click on the output view to add a training point at (x, y).';
  return d.kind === 'classification'
    ? 'Click on the output view to add a training point of the class chosen beside "draw points".'
    : 'Click on the output view to add a training point with the value chosen beside "draw points".';
}

function drawPoint(e) {
  const d = state.data;
  if (!d.set) return say(drawHint(), 'error');
  const canvas = $('output');
  const [lo, hi] = d.domain;
  const x1 = lo + (e.offsetX / canvas.clientWidth) * (hi - lo);
  const up = 1 - e.offsetY / canvas.clientHeight;
  let coords;
  let label;
  if (d.dims === 1) {
    coords = [x1];
    label = d.yDomain[0] + up * (d.yDomain[1] - d.yDomain[0]);
  } else if (d.dims === 2) {
    coords = [x1, lo + up * (hi - lo)];
    label = Number($('draw-class').value);
  } else {
    return say('Points can be drawn on data with one or two coordinates only.', 'error');
  }
  const round = (v) => Number(v.toFixed(3));
  try {
    d.set.addPoint(Float64Array.from(coords.map(round)), d.dims === 1 ? round(label) : label, false);
    dataChangedInPlace();
  } catch (error) {
    reportError(error);
    return;
  }
  state.settings.dataset = 'custom';
  state.data.name = 'custom';
  state.data.label = state.data.label.startsWith('your') ? state.data.label : `your points on ${state.data.label}`;
  state.settings.lesson = null;
  state.playing = false;
  state.engine.reset();
  resetView();
  say(`A point was added (${state.data.train.y.length} training points): training starts again.`, 'info');
  changed();
  syncControls();
}

function loadCsv(file, labelColumn) {
  const s = state.settings;
  let data;
  let headers;
  try {
    const parsed = csvData(file.text, labelColumn === undefined ? {} : { label_column: labelColumn }, file.name, s);
    headers = parsed.set.headers();
    // Kept as one list of points split by the test share and seed, as a link rebuilds it,
    // so that a link to this data replays the same training and test points.
    const points = allPoints(parsed);
    parsed.set.free();
    data = pointsData(points, file.name, s);
  } catch (error) {
    // The message names the line and the problem; the data on screen stays as it was.
    reportError(new Error(`The file "${file.name}" was not loaded, and the data stays as it was: ${error.message}`));
    return;
  }
  lastFile = file;
  const previous = structuredClone(s);
  s.dataset = 'custom';
  s.lesson = null;
  fitOutput(s, data);
  const kind = data.classes > 0 ? `${data.classes} classes` : 'regression';
  const ok = rebuild(`Loaded ${file.name}: ${data.train.y.length} training and ${data.test.y.length} test points, ${kind}. Training starts again.`,
    { data, previous });
  if (ok) fillLabelColumns(headers, labelColumn);
  syncControls();
}

function fillLabelColumns(headers, labelColumn) {
  const select = $('csv-label');
  select.replaceChildren(option('', 'last'), ...headers.map((h, k) => option(String(k), `${k + 1}: ${h}`)));
  select.value = labelColumn === undefined ? '' : String(labelColumn);
}

/** Applies a change to the data's features or scaling in place; the network is rebuilt for
 *  the new input width. A refusal puts everything back. */
function changeData(edit, commit, why) {
  const s = state.settings;
  const d = state.data;
  if (!d.set) return say('A lesson\'s samples have no features or preprocessing to change: pick a data set first.', 'error');
  const previous = structuredClone(s);
  try {
    edit(d.set);
  } catch (error) {
    reportError(error);
    syncControls();
    return;
  }
  commit(s);
  const next = { ...d, ...describeAgain(d) };
  if (!rebuild(`${why} Training starts again.`, { data: next, previous })) {
    d.set.setFeatures(previous.features.filter((f) => d.dims === 2 || !f.includes('x2')));
    d.set.setScaling(previous.scaling);
  }
  syncControls();
}

function describeAgain(d) {
  return { inputs: d.set.inputWidth(), features: d.set.features(), grid: d.grid };
}

function toggleFeature(name, on) {
  const s = state.settings;
  const features = FEATURES.map(([f]) => f).filter((f) => (f === name ? on : s.features.includes(f)));
  if (features.length === 0) {
    say('The network needs at least one input feature.', 'error');
    syncControls();
    return;
  }
  const usable = features.filter((f) => state.data.dims === 2 || !f.includes('x2'));
  if (usable.length === 0) {
    say('These points have one coordinate: keep x₁ or sin x₁.', 'error');
    syncControls();
    return;
  }
  changeData((set) => { if (set.dims() <= 2) set.setFeatures(usable); }, (st) => { st.features = features; },
    `Input features: ${usable.join(', ')}.`);
}

/** A data set as CSV text (a lesson's samples: inputs then targets). */
export function dataCsv(d) {
  if (d.set) return d.set.toCsv();
  const { inputs, targets } = d.samples;
  const rows = targets.length / d.outputs;
  const header = [...Array.from({ length: d.inputs }, (_, i) => `x${i + 1}`), ...Array.from({ length: d.outputs }, (_, j) => `y${j + 1}`)];
  const lines = [header.join(',')];
  for (let r = 0; r < rows; r++) {
    lines.push([...inputs.slice(r * d.inputs, (r + 1) * d.inputs), ...targets.slice(r * d.outputs, (r + 1) * d.outputs)].join(','));
  }
  return `${lines.join('\n')}\n`;
}

/** Puts the data controls in line with the settings and the data. */
export function syncDataControls() {
  const s = state.settings;
  const d = state.data;
  $('dataset').value = s.dataset;
  const generated = s.dataset in PROBLEMS;
  $('generator-controls').hidden = !generated;
  $('split-controls').hidden = s.dataset === 'samples';
  $('noise').value = String(s.noise);
  $('noise-value').textContent = fmt(s.noise, 2);
  $('points').value = String(s.points);
  $('points-value').textContent = String(s.points);
  $('test-ratio').value = String(s.testRatio);
  $('test-ratio-value').textContent = `${Math.round(100 * s.testRatio)} %`;
  $('data-seed-value').textContent = String(s.dataSeed);
  for (const input of $('features').querySelectorAll('input')) {
    input.checked = s.features.includes(input.value);
    input.disabled = !d?.set || (d.dims === 1 && input.value.includes('x2')) || d.dims > 2;
  }
  $('scaling').value = s.scaling;
  $('scaling').disabled = !d?.set;
  const draw = $('draw-class');
  if (d) {
    const values = d.kind === 'classification' ? Array.from({ length: Math.max(2, d.classes) }, (_, k) => k) : REGRESSION_VALUES;
    const key = values.join(',');
    if (draw.dataset.key !== key) {
      draw.dataset.key = key;
      draw.replaceChildren(...values.map((v) => option(String(v), d.kind === 'classification' ? `class ${v}` : `value ${v}`)));
    }
    draw.hidden = d.dims !== 2;
  }
  $('csv-label').parentElement.hidden = !lastFile || s.dataset !== 'custom';
}

function option(value, label) {
  const o = document.createElement('option');
  o.value = value;
  o.textContent = label;
  return o;
}

function fillSelect(select, values, labels) {
  select.replaceChildren(...values.map((v, k) => option(v, labels[k])));
}
