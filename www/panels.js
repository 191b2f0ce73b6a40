// The small DOM read-outs updated after each change: transport state, counters, the phase
// bar with its caption, the gradient-magnitude strip, the loss values, the sample picker
// and the message banner. Elements are made once per network shape; an update only sets
// text, classes and widths. Read only: nothing here changes the state.

import { Buffer, view } from './engine.js';
import { drawnEvery, MAX_DRAWN_POINTS } from './heatmaps.js';
import { fmt, fmtInt, fmtWhy, CLASS_COLOURS, CLASS_SHAPES } from './colors.js';
import { state, phaseName, phaseIndex, phaseKey, done, value, setting, SPEEDS } from './state.js';
import { layerKinds } from './maps_view.js';

const $ = (id) => document.getElementById(id);
/** The strip's log scale: bars from 1e-8 to 1e2. */
const LOG_LOW = -8;
const LOG_HIGH = 2;

let builtFor = '';
let chips = [];
let gradRows = [];

function build() {
  const layers = state.shape.length - 1;
  const key = state.shape.join(',');
  if (key === builtFor) return;
  builtFor = key;
  chips = state.phases.map((phase) => {
    const li = document.createElement('li');
    li.dataset.phase = phaseKey(phase);
    li.className = phase.kind;
    li.textContent = phase.kind === 'forward' ? `→ ${phase.layer + 1}` : phase.kind === 'backward' ? `← ${phase.layer + 1}` : phase.kind;
    li.title = phaseName(phase);
    return li;
  });
  $('phase-bar').replaceChildren(...chips);
  gradRows = Array.from({ length: layers }, (_, l) => {
    const row = document.createElement('div');
    row.className = 'grad-row';
    row.dataset.layer = String(l);
    const name = document.createElement('span');
    name.className = 'grad-name';
    name.textContent = l === layers - 1 ? 'output' : `layer ${l + 1}`;
    const track = document.createElement('span');
    track.className = 'grad-track';
    const bar = document.createElement('span');
    bar.className = 'grad-bar';
    track.append(bar);
    const value = document.createElement('span');
    value.className = 'grad-value';
    row.append(name, track, value);
    return { row, bar, value };
  });
  $('grad-strip').replaceChildren(...gradRows.map((r) => r.row));
}

/** The kind of engine layer `layer` ('dense', 'convolution', 'pooling', 'flatten'), or '' for a
 *  phase without a layer. */
function layerKind(layer) {
  if (layer === undefined || layer === null) return '';
  return layerKinds()[layer]?.type ?? 'dense';
}

function caption(last) {
  if (state.playing && !SPEEDS[state.speed].phaseMs) return 'Training: whole steps run every frame. Pause (space) to step through one phase at a time.';
  if (!last) return 'Press → (or "step phase") to run the first phase: the forward pass through layer 1.';
  const kind = layerKind(last.layer);
  if (kind === 'convolution') {
    return last.kind === 'forward'
      ? `Forward, layer ${last.layer + 1} (convolution): each map slides its kernel over the input maps, z = Σ K · x̃ + b at every position (the same K everywhere), then a = f(z).`
      : `Backward, layer ${last.layer + 1} (conv): dL/dK = correlation of input and δ (δ·x̃ summed over positions); dL/dx = full convolution of δ with the flipped K.`;
  }
  if (kind === 'recurrent') {
    return last.kind === 'forward'
      ? `Forward, layer ${last.layer + 1} (recurrent), left to right through time: h_t = f(W_x·x_t + W_h·h_(t−1) + b) at every step t, with the same W_x, W_h and b; h_0 = 0.`
      : `Backward through time, layer ${last.layer + 1}, right to left: δ_t = (dL/dh_t + W_hᵀ·δ_(t+1)) ⊙ f′(z_t); dL/dW_x = Σ_t δ_t·x_tᵀ, one term per step (the bars).`;
  }
  if (kind === 'pooling') {
    return last.kind === 'forward'
      ? `Forward, layer ${last.layer + 1} (pooling): each window of the maps becomes one number, its largest (max) or its mean (average).`
      : `Backward, layer ${last.layer + 1} (pooling): each window's δ goes back to the input that was largest (max), or is shared equally by the window (average); the layer has no weights.`;
  }
  if (kind === 'flatten') {
    return `${last.kind === 'forward' ? 'Forward' : 'Backward'}, layer ${last.layer + 1} (flatten): the maps are read as one vector (and δ back as maps): nothing is computed.`;
  }
  switch (last.kind) {
    case 'forward': return `Forward, layer ${last.layer + 1}: each neuron sums its weighted inputs, z = Σ w·a + b, then applies its activation, a = f(z).`;
    case 'loss': return 'Loss: the output ŷ is compared with the target y, giving the loss L and dL/dŷ, where the error starts.';
    case 'backward': return `Backward, layer ${last.layer + 1}: the error flows back. Each neuron gets δ = dL/dz by the chain rule; each incoming weight its gradient dL/dw = δ · a_prev.`;
    default: {
      // η is the engine's: the one this update used, through the schedule (after the last update
      // of an epoch, session.learningRate() is already the next epoch's).
      const optimizer = setting('optimizer').choices.find((c) => c.value === value('optimizer'))?.label ?? value('optimizer');
      // Rprop and conjugate gradient use no η: they find their own step lengths.
      if (value('optimizer') === 'rprop') return 'Update (Rprop): every weight moves against the sign of its gradient by a step size s of its own, which grows while the sign stays and shrinks when it flips. The inspector shows a weight\'s s.';
      if (value('optimizer') === 'cg') return 'Update (conjugate gradient, on the whole training set): all weights move together along one direction d = −g + β·d′, by the step α a line search found. The inspector shows d, β and α.';
      const scheduled = value('schedule') !== 'constant' ? ' (scheduled)' : '';
      return `Update: every weight moves against its gradient (${optimizer}, η = ${fmt(state.session.updateLearningRate(), 3)}${scheduled}): w ← w − η · dL/dw.`;
    }
  }
}

export function updatePanels() {
  const { session: engine } = state;
  if (!engine) return;
  build();
  const layers = state.shape.length - 1;
  updateChrome();
  setText('step-count', fmtInt(engine.steps()));
  setText('epoch-count', fmtInt(engine.epochs()));

  const last = state.position.last;
  const next = engine.nextPhase();
  const lastIndex = state.progress - 1;
  const nextIndex = phaseIndex(next);
  chips.forEach((chip, k) => {
    chip.classList.toggle('done', k <= lastIndex && lastIndex >= 0);
    chip.classList.toggle('current', k === lastIndex);
    chip.classList.toggle('next', k === nextIndex);
  });
  const bar = $('phase-bar');
  bar.dataset.last = last ? phaseKey(last) : '';
  bar.dataset.next = phaseKey(next);
  setText('phase-caption', caption(last));

  // Gradient magnitudes: the root mean square of dL/dw per layer, on a log scale.
  const trained = engine.steps() > 0;
  for (let l = 0; l < layers; l++) {
    const { bar: fill, value, row } = gradRows[l];
    const known = trained || done({ kind: 'backward', layer: l });
    let rms = NaN;
    if (known) {
      const g = view(engine, Buffer.GradWeights, l);
      let sum = 0;
      for (let k = 0; k < g.length; k++) sum += g[k] * g[k];
      rms = Math.sqrt(sum / g.length);
    }
    const position = rms > 0 ? (Math.log10(rms) - LOG_LOW) / (LOG_HIGH - LOG_LOW) : 0;
    fill.style.width = `${(Math.max(0, Math.min(1, position)) * 100).toFixed(1)}%`;
    value.textContent = known ? fmt(rms, 3) : '—';
    value.title = fmtWhy(known ? rms : NaN);
    row.dataset.value = String(rms);
    row.classList.toggle('vanishing', known && rms < 1e-6);
    row.classList.toggle('exploding', known && rms > 10);
  }

  updateLegend();

  const n = engine.historyLength();
  if (n > 0) {
    const k = n - 1;
    const test = engine.historyTest()[k];
    const train = engine.historyTrain()[k];
    setText('train-loss', fmt(train, 5));
    setText('test-loss', Number.isNaN(test) ? '—' : fmt(test, 5));
    $('train-loss').title = fmtWhy(train);
    $('test-loss').title = fmtWhy(test);
    setText('loss-step', fmtInt(engine.historySteps()[k]));
  } else {
    for (const id of ['train-loss', 'test-loss', 'loss-step']) setText(id, '—');
  }

  const batch = engine.batchLength();
  setText('sample-value', batch ? `${Math.min(state.position.sample, batch - 1) + 1} of ${batch}` : '—');
}

/** The play button and the banner: what needs no engine call, so that it is painted even
 *  while the engine is fenced off after an internal error (the frame loop then paints nothing
 *  else, and the banner must still say what happened). */
export function updateChrome() {
  const play = $('play');
  play.textContent = state.playing ? '❚❚ Pause' : '▶ Play';
  play.setAttribute('aria-pressed', String(state.playing));
  updateMessage();
}

/** The banner: the message of the last action, coloured by its kind. */
function updateMessage() {
  const banner = $('message');
  const { text, kind, errorKind } = state.message;
  banner.hidden = !text;
  banner.dataset.kind = kind;
  banner.dataset.error = errorKind ?? '';
  const node = banner.querySelector('.text');
  if (node.textContent !== text) node.textContent = text;
  // After a divergence: one click trains on from the step kept with η ÷ 10 (optimizers with an η).
  $('recover-rate').hidden = errorKind !== 'diverged' || !state.session || ['rprop', 'cg'].includes(value('optimizer'));
}

let legendFor = '';

/** The output view's legend: which encoding is on screen, and one swatch per class. */
function updateLegend() {
  const d = state.info;
  const kind = d.dims === 1 && d.kind === 'samples' ? 'regression' : d.kind === 'regression' && d.dims === 2 ? 'regression2d' : d.kind;
  const key = `${kind}|${d.classes}|${d.train_points}|${d.test_points}`;
  if (key === legendFor) return;
  legendFor = key;
  for (const legend of document.querySelectorAll('#right .legend[data-kind]')) legend.hidden = legend.dataset.kind !== kind;
  const every = drawnEvery(Math.max(d.train_points, d.test_points));
  $('points-drawn').hidden = every === 1;
  $('points-drawn').textContent = every === 1 ? ''
    : `Points: 1 in ${fmtInt(every)} is drawn (at most ${fmtInt(MAX_DRAWN_POINTS)} a set, the same ones each time); training uses all ${fmtInt(d.train_points)}.`;
  if (kind !== 'classification') return;
  $('output-scale-legend').hidden = d.classes > 2;
  const items = [];
  for (let k = 0; k < Math.max(2, d.classes); k++) {
    const item = document.createElement('span');
    item.className = 'cls';
    const dot = document.createElement('i');
    dot.className = `dot shape-${CLASS_SHAPES[k % CLASS_SHAPES.length]}`;
    dot.style.background = CLASS_COLOURS[k % CLASS_COLOURS.length];
    item.append(dot, `class ${k}`);
    items.push(item);
  }
  if (d.classes > 2) items.push(' background: predicted class (paler: unsure)');
  $('class-legend').replaceChildren(...items);
}

function setText(id, text) {
  const node = $(id);
  if (node.textContent !== text) node.textContent = text;
}
