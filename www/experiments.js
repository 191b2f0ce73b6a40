// Experiments: two to four configurations trained side by side on the same data and seed,
// their training losses overlaid on one chart (src/wasm_chart.rs, drawLossSeries), a table of
// final metrics and steps to reach a target loss, and each run's network drawn small.
//
// Every run is its own session, forked from the page's (the same data, fresh weights). Each frame trains every running run for
// a share of a fixed budget (so the page stays at 60 fps), records its losses every `every`
// steps, and redraws the chart a few times a second.

import { Buffer, view, drawLossSeries } from './engine.js';
import { state, subscribe, setting, value } from './state.js';
import { play, reportError } from './actions.js';
import { measure } from './metrics.js';
import { fmt, fmtInt, LUT_CSS, lutIndex } from './colors.js';
import { currentLesson } from './lesson_panel.js';
import { fitCanvas } from './canvas.js';

const $ = (id) => document.getElementById(id);

/** Run colours (Okabe–Ito: blue, orange, bluish green, reddish purple), colour-blind safe. */
export const RUN_COLOURS = [0x0072b2, 0xe69f00, 0x009e73, 0xcc79a7];
/** The style bit of a dashed series in drawLossSeries (src/wasm_chart.rs). */
const DASHED = 0x100_0000;
const css = (c) => `#${c.toString(16).padStart(6, '0')}`;
/** Training time per frame for all runs together (ms). */
const BUDGET_MS = 7;

export const experiment = {
  runs: [],
  kind: 'learning-rate',
  running: false,
  target: 0.1,
  steps: 3000,
  version: 0,
};

/** The comparisons offered: each has default values (editable in the panel, two to four of
 *  them) and makes one run per value from the current settings. */
const KINDS = {
  lesson: { label: 'the lesson\'s variants', values: () => '', make: lessonRuns },
  'learning-rate': {
    label: 'learning rates',
    values: () => [0.1, 1, 10].map((f) => Number((value('lr') * f).toPrecision(2))).join(', '),
    make: (values) => numbers(values, 'a learning rate', setting('lr')).map((rate) => ({
      label: `η = ${rate}`, patch: { lr: rate },
    })),
  },
  optimizer: {
    label: 'optimizers',
    // The course's comparison: gradient descent, Rprop, conjugate gradient and Adam (any of
    // the catalogue's optimizers can be typed in instead).
    values: () => ['sgd', 'rprop', 'cg', 'adam'].filter((v) => setting('optimizer').choices.some((c) => c.value === v)).join(', '),
    make: (values) => names(values, setting('optimizer').choices.map((c) => c.value), 'optimizer').map((kind) => {
      // Rprop and conjugate gradient use no η. Both are full-batch methods: conjugate gradient
      // takes the whole training set by itself, and Rprop gets it here (its sign test is noisy
      // on mini-batches). Adaptive optimizers take steps of about η per weight: a tenth of
      // SGD's rate suits them.
      if (kind === 'cg') return { label: 'cg (full batch)', patch: { optimizer: kind } };
      if (kind === 'rprop') return { label: 'rprop (full batch)', patch: { optimizer: kind, batch: state.info.train_points } };
      const rate = ['rmsprop', 'adagrad', 'adam'].includes(kind) ? Number((value('lr') / 10).toPrecision(2)) : value('lr');
      return { label: `${kind}, η = ${rate}`, patch: { optimizer: kind, lr: rate } };
    }),
  },
  activation: {
    label: 'hidden activations',
    values: () => 'tanh, relu, sigmoid',
    make: (values) => names(values, setting('layers').hidden_activations.map((c) => c.value), 'activation').map((activation) => ({
      label: activation,
      patch: { layers: value('layers').map((l, k, all) => (k < all.length - 1 ? { ...l, activation } : l)) },
    })),
  },
  depth: {
    label: 'depths (hidden layers)',
    values: () => '1, 2, 3',
    make: (values) => numbers(values, 'a number of hidden layers', setting('layers').depth).map((depth) => {
      const layers = value('layers');
      const hidden = layers.slice(0, -1);
      const template = hidden[0] ?? { units: 4, activation: 'tanh', bias: true, dropout: 0 };
      return {
        label: `${depth} hidden layer${depth === 1 ? '' : 's'}`,
        patch: { layers: [...Array.from({ length: depth }, (_, k) => ({ ...(hidden[k] ?? template) })), layers[layers.length - 1]] },
      };
    }),
  },
  width: {
    label: 'widths (neurons per hidden layer)',
    values: () => '2, 4, 8',
    make: (values) => numbers(values, 'a number of neurons per hidden layer', setting('layers').width).map((units) => {
      const layers = value('layers');
      // Without hidden layers, one of this width.
      const hidden = layers.length > 1 ? layers.slice(0, -1) : [{ units, activation: 'tanh', bias: true, dropout: 0 }];
      return {
        label: `${units} neuron${units === 1 ? '' : 's'} per hidden layer`,
        patch: { layers: [...hidden.map((l) => ({ ...l, units })), layers[layers.length - 1]] },
      };
    }),
  },
};

function list(text) {
  return text.split(/[,;\s]+/).map((v) => v.trim()).filter(Boolean);
}

/** Numbers in the range of a catalogue entry ({min, max, min_exclusive, kind}). */
function numbers(text, what, { min, max, min_exclusive: exclusive = false, kind = 'number' }) {
  return list(text).map((v) => {
    const x = Number(v);
    const whole = kind !== 'integer' || Number.isInteger(x);
    if (!Number.isFinite(x) || !whole || (exclusive ? x <= min : x < min) || x > max) {
      const range = `${exclusive ? 'above' : 'from'} ${min} to ${max}`;
      throw new Error(`"${v}" is not ${what} ${range}${kind === 'integer' ? ' (a whole number)' : ''}`);
    }
    return x;
  });
}

function names(text, allowed, what) {
  return list(text).map((v) => {
    const name = v.toLowerCase();
    if (!allowed.includes(name)) throw new Error(`"${v}" is not an ${what} (${allowed.join(', ')})`);
    return name;
  });
}

function lessonRuns() {
  const lesson = currentLesson();
  if (!lesson || lesson.variants.length < 2) return [];
  return lesson.variants.map((label, k) => ({ label, variant: k }));
}

function hasTest() {
  return state.info.test_points > 0;
}

export function setupExperiments() {
  const select = $('exp-kind');
  select.replaceChildren(...Object.entries(KINDS).map(([value, k]) => {
    const o = document.createElement('option');
    o.value = value;
    o.textContent = k.label;
    return o;
  }));
  select.value = experiment.kind;
  select.addEventListener('change', () => { experiment.kind = select.value; setValues(); prepare(); });
  $('exp-values').addEventListener('change', () => prepare());
  $('experiment-button').addEventListener('click', () => (isOpen() ? close() : open()));
  $('exp-close').addEventListener('click', close);
  $('exp-run').addEventListener('click', () => {
    if (experiment.running) pause();
    else if (experiment.runs.length === 0 || experiment.runs.every((r) => r.done)) { prepare(); start(); } else start();
  });
  $('exp-target').addEventListener('change', (e) => {
    experiment.target = Math.max(0, Number(e.target.value) || 0);
    for (const run of experiment.runs) run.reachedAt = firstBelow(run, experiment.target);
    experiment.version++;
  });
  $('exp-steps').addEventListener('change', (e) => {
    experiment.steps = Math.max(10, Math.min(1_000_000, Math.round(Number(e.target.value) || 3000)));
    e.target.value = String(experiment.steps);
    for (const run of experiment.runs) run.done = run.error !== null || run.session.steps() >= experiment.steps;
    experiment.version++;
  });
  $('exp-log').addEventListener('change', () => { experiment.version++; });
  // The runs share the page's data: a new data set ends them.
  subscribe(['data'], () => { if (experiment.runs.length) { freeRuns(); experiment.version++; if (isOpen()) $('exp-note').textContent = 'The data changed: press Run to start the experiment again on the new data.'; } });
  new ResizeObserver(() => { experiment.version++; }).observe($('exp-chart'));
}

export function isOpen() {
  return !$('experiments').hidden;
}

/** Opens the panel with a comparison kind (or the lesson's variants). */
export function open(kind) {
  play(false);
  $('experiments').hidden = false;
  $('experiment-button').setAttribute('aria-pressed', 'true');
  const lesson = currentLesson();
  experiment.kind = kind ?? (lesson && lesson.variants.length >= 2 ? 'lesson' : experiment.kind === 'lesson' ? 'learning-rate' : experiment.kind);
  $('exp-kind').value = experiment.kind;
  setValues();
  prepare();
}

export function close() {
  pause();
  $('experiments').hidden = true;
  $('experiment-button').setAttribute('aria-pressed', 'false');
}

/** Races a lesson's variants: loads the lesson first if it is not the current one. */
export function raceLesson(lesson, load) {
  if (currentLesson()?.id !== lesson.id && !load(lesson.id)) return;
  open('lesson');
  start();
}

/** Fills the values field with the comparison's defaults. */
function setValues() {
  const field = $('exp-values');
  field.value = KINDS[experiment.kind].values();
  field.disabled = experiment.kind === 'lesson';
  field.placeholder = experiment.kind === 'lesson' ? 'the lesson\'s' : '';
}

function freeRuns() {
  for (const run of experiment.runs) run.session?.free();
  experiment.runs = [];
  experiment.running = false;
}

/** Builds the runs of the chosen comparison, each a fresh session on the page's data. */
export function prepare() {
  freeRuns();
  let specs;
  let failed = false;
  try {
    specs = KINDS[experiment.kind].make($('exp-values').value);
  } catch (error) {
    specs = [];
    failed = true;
    $('exp-note').textContent = `Cannot compare these values: ${error.message}.`;
  }
  if (specs.length < 2 || specs.length > 4) {
    if (experiment.kind === 'lesson') $('exp-note').textContent = 'This lesson has no variants to compare: pick another comparison, or a lesson with variants (XOR, vanishing gradients, learning rate, overfitting, optimizers).';
    else if (!failed) $('exp-note').textContent = `Give two to four values to compare, not ${specs.length}.`;
    specs = [];
  }
  if (specs.length === 0) {
    experiment.version++;
    buildNets();
    syncTable();
    syncPanel();
    return;
  }
  const errors = [];
  for (const [k, spec] of specs.slice(0, 4).entries()) {
    let session = null;
    let error = null;
    try {
      session = spec.variant === undefined ? state.session.fork(spec.patch) : state.session.forkVariant(spec.variant);
    } catch (e) {
      session = null;
      error = String(e.message ?? e);
      errors.push(`${spec.label}: ${error}`);
    }
    const run = { label: spec.label, colour: RUN_COLOURS[k], session, error, done: !session, reachedAt: null,
      steps: [], train: [], test: [], canvas: null, stepsPerFrame: 20, trainMs: 0 };
    experiment.runs.push(run);
    if (session) readHistory(run);
  }
  const lesson = currentLesson();
  const base = experiment.kind === 'lesson' && lesson ? `${lesson.title}: ` : '';
  $('exp-note').textContent = errors.length
    ? `${base}some runs could not be built: ${errors.join('; ')}`
    : `${base}${experiment.runs.length} runs on the same data (${state.info.label}) and seed ${value('seed')}. Press Run.`;
  buildNets();
  experiment.version++;
  syncPanel();
}

function start() {
  if (!experiment.runs.some((r) => !r.done)) return;
  play(false);
  experiment.running = true;
  syncPanel();
}

function pause() {
  experiment.running = false;
  syncPanel();
}

/** Copies a run's loss history (the session keeps it, thinned out as it grows). */
function readHistory(run) {
  run.steps = Array.from(run.session.historySteps());
  run.train = Array.from(run.session.historyTrain());
  run.test = Array.from(run.session.historyTest());
  run.reachedAt = firstBelow(run, experiment.target);
}

function firstBelow(run, target) {
  const k = run.train.findIndex((l) => l <= target);
  return k < 0 ? null : run.steps[k];
}

/** One frame of the experiment: train every unfinished run for its share of the budget. */
export function experimentFrame() {
  // After an internal error the runs belong to the untrusted instance: they stop for good.
  if (state.broken) experiment.running = false;
  if (!experiment.running) return;
  const live = experiment.runs.filter((r) => !r.done);
  if (live.length === 0) {
    experiment.running = false;
    $('exp-note').textContent = `Finished: ${experiment.runs.length} runs of up to ${fmtInt(experiment.steps)} steps on the same data (${state.info.label}) and seed. Compare the curves and the table.`;
    syncPanel();
    return;
  }
  const share = BUDGET_MS / live.length;
  for (const run of live) {
    const { session } = run;
    const wanted = Math.max(1, Math.min(Math.round(run.stepsPerFrame), experiment.steps - session.steps()));
    const before = session.steps();
    const t0 = performance.now();
    try {
      // Train in chunks that end where the history takes its points, so that the curve gets
      // them at any speed.
      for (let left = wanted; left > 0;) {
        const at = session.steps();
        const every = session.historyEvery();
        const chunk = Math.min(left, every - (at % every));
        session.train(chunk);
        left -= chunk;
        if (session.steps() === at) break;
      }
    } catch (e) {
      run.error = String(e.message ?? e);
      run.done = true;
      readHistory(run);
      continue;
    }
    const took = Math.max(0.05, performance.now() - t0);
    run.trainMs += performance.now() - t0;
    run.stepsPerFrame = Math.max(1, Math.min(20_000, 0.7 * run.stepsPerFrame + 0.3 * wanted * (share / took)));
    if (session.steps() >= experiment.steps || session.steps() === before) {
      session.recordHistory();
      run.done = true;
    }
    readHistory(run);
  }
  experiment.version++;
}

let drawnVersion = -1;
let drawnAt = 0;

/** Redraws chart, table and small networks when something changed (at most ~12 times a second). */
export function drawExperiment(now) {
  if (!isOpen() || experiment.version === drawnVersion) return;
  if (experiment.running && now - drawnAt < 80) return;
  drawnVersion = experiment.version;
  drawnAt = now;
  const canvas = $('exp-chart');
  const { dpr } = fitCanvas(canvas);
  const runs = experiment.runs.filter((r) => r.steps.length);
  const lengths = [];
  const steps = [];
  const losses = [];
  const styles = [];
  for (const run of runs) {
    if (hasTest()) {
      lengths.push(run.steps.length);
      steps.push(...run.steps);
      losses.push(...run.test);
      styles.push(run.colour | DASHED);
    }
    lengths.push(run.steps.length);
    steps.push(...run.steps);
    losses.push(...run.train);
    styles.push(run.colour);
  }
  try {
    drawLossSeries(canvas, Uint32Array.from(lengths), Float64Array.from(steps), Float64Array.from(losses),
      Uint32Array.from(styles), $('exp-log').checked, dpr);
  } catch (error) {
    reportError(error);
  }
  canvas.dataset.series = String(runs.length);
  syncTable();
  drawNets();
}

function syncPanel() {
  const run = $('exp-run');
  const finished = experiment.runs.length > 0 && experiment.runs.every((r) => r.done);
  run.textContent = experiment.running ? '❚❚ Pause' : finished ? '↻ Run again' : '▶ Run';
  run.setAttribute('aria-pressed', String(experiment.running));
  $('experiments').dataset.running = String(experiment.running);
  experiment.version++;
}

function syncTable() {
  const classification = state.info.kind === 'classification' && state.info.origin !== 'samples';
  const regression = state.info.kind === 'regression';
  $('exp-metric-head').textContent = classification ? 'accuracy' : regression ? 'R²' : '—';
  const rows = experiment.runs.map((run, k) => {
    const tr = document.createElement('tr');
    tr.dataset.run = String(k);
    const name = document.createElement('td');
    const swatch = document.createElement('i');
    swatch.className = 'swatch';
    swatch.style.background = css(run.colour);
    name.append(swatch, ` ${run.label}`);
    const last = run.train.length - 1;
    let metric = '—';
    if (run.session && !experiment.running && (classification || regression)) {
      try {
        const m = measure(run.session);
        metric = m.task === 'classification' ? `${(100 * m.accuracy).toFixed(1)} %` : fmt(m.r2, 3);
      } catch { /* shown as — */ }
    }
    const cells = run.error
      ? [fmtInt(run.session?.steps() ?? 0), run.error.replace(/^training diverged/, 'diverged'), '', '', '']
      : [fmtInt(run.session.steps()), last >= 0 ? fmt(run.train[last], 4) : '—', last >= 0 && hasTest() ? fmt(run.test[last], 4) : '—',
        metric, run.reachedAt === null ? 'not yet' : `${fmtInt(run.reachedAt)} · ${timeToTarget(run)}`];
    tr.append(name, ...cells.map((text, c) => {
      const td = document.createElement('td');
      td.textContent = text;
      if (run.error && c === 1) { td.colSpan = 4; td.className = 'error'; }
      return td;
    }).filter((td, c) => !(run.error && c > 1)));
    return tr;
  });
  $('exp-table').tBodies[0].replaceChildren(...rows);
}

/** The time a run took to reach the target: its steps to the target × its own measured training
 *  time per step (this page's clock; the runs share each frame, so they are timed alike). */
function timeToTarget(run) {
  const steps = run.session?.steps() ?? 0;
  if (run.reachedAt === null || steps === 0) return '—';
  const ms = (run.reachedAt * run.trainMs) / steps;
  return ms < 1 ? `${fmt(ms, 2)} ms` : `${fmtInt(ms)} ms`;
}

function buildNets() {
  const box = $('exp-nets');
  box.replaceChildren(...experiment.runs.map((run) => {
    const figure = document.createElement('figure');
    const canvas = document.createElement('canvas');
    canvas.setAttribute('aria-label', `the network of run "${run.label}"`);
    const caption = document.createElement('figcaption');
    const swatch = document.createElement('i');
    swatch.className = 'swatch';
    swatch.style.background = css(run.colour);
    caption.append(swatch, ` ${run.label}`);
    figure.append(canvas, caption);
    run.canvas = canvas;
    return figure;
  }));
}

/** Each run's network, small: weights as lines (blue positive, orange negative, width |w|),
 *  neurons as dots coloured by their bias. */
function drawNets() {
  for (const run of experiment.runs) {
    const { canvas, session: engine } = run;
    if (!canvas || !engine) continue;
    const { w, h, dpr } = fitCanvas(canvas);
    const ctx = canvas.getContext('2d');
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, w, h);
    const layers = engine.layerCount();
    const shape = [engine.inputCount(), ...Array.from({ length: layers }, (_, l) => engine.layerUnits(l))];
    const x = (c) => 8 + (c * (w - 16)) / Math.max(1, shape.length - 1);
    const y = (c, j) => (h * (j + 0.5)) / shape[c];
    for (let l = 0; l < layers; l++) {
      const weights = view(engine, Buffer.Weights, l);
      let max = 1e-9;
      for (const v of weights) max = Math.max(max, Math.abs(v));
      for (let j = 0; j < shape[l + 1]; j++) {
        for (let i = 0; i < shape[l]; i++) {
          const v = weights[j * shape[l] + i];
          ctx.strokeStyle = v >= 0 ? 'rgba(33,102,172,0.75)' : 'rgba(217,95,2,0.75)';
          ctx.lineWidth = 0.3 + 2.2 * Math.abs(v) / max;
          ctx.beginPath();
          ctx.moveTo(x(l), y(l, i));
          ctx.lineTo(x(l + 1), y(l + 1, j));
          ctx.stroke();
        }
      }
    }
    for (let c = 0; c < shape.length; c++) {
      const biases = c > 0 ? view(engine, Buffer.Biases, c - 1) : null;
      for (let j = 0; j < shape[c]; j++) {
        ctx.beginPath();
        ctx.arc(x(c), y(c, j), Math.min(4, h / (2.5 * shape[c])), 0, 2 * Math.PI);
        ctx.fillStyle = biases && biases.length ? LUT_CSS[lutIndex(biases[j])] : '#f7f7f7';
        ctx.fill();
        ctx.strokeStyle = '#333';
        ctx.lineWidth = 1;
        ctx.stroke();
      }
    }
  }
}
