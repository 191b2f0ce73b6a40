// The control panel: transport buttons, hyper-parameter sliders and selectors, and the
// architecture editor. Hyper-parameters go straight to the running engine (next step);
// anything that changes the network's shape rebuilds it and says so.

import {
  state, changed, rebuild, reportError, say, newSeed,
  ACTIVATIONS, LOSSES, OPTIMIZERS, INITIALIZERS, REGULARIZATIONS, SCHEDULES, SPEEDS, MAX_HIDDEN_LAYERS, MAX_HIDDEN_UNITS,
} from './state.js';
import { setupDataControls, syncDataControls } from './data_controls.js';
import { fmt } from './colors.js';
import { play, stepPhase, stepSample, stepEpoch, resetTraining } from './training.js';

const DROPOUTS = [0, 0.1, 0.2, 0.3, 0.5];
const REGULARIZATION_RATES = [0, 1e-5, 1e-4, 3e-4, 1e-3, 3e-3, 0.01, 0.03, 0.1, 0.3, 1];

const $ = (id) => document.getElementById(id);

function fillSelect(select, values, labels = values) {
  select.replaceChildren(...values.map((value, k) => {
    const option = document.createElement('option');
    option.value = String(value);
    option.textContent = labels[k].replaceAll('_', ' ');
    return option;
  }));
}

/** Learning rate ↔ slider position (log₁₀ η, from −5 to 1), rounded to 2 significant digits. */
export function learningRateFromSlider(position) {
  return Number((10 ** Number(position)).toPrecision(2));
}

const ARCHITECTURE_RESET = 'The network changed shape, so training starts again from fresh weights.';

function rebuildWith(edit, why = ARCHITECTURE_RESET) {
  const s = state.settings;
  const previous = structuredClone(s);
  edit(s);
  const ok = rebuild(why, { previous });
  syncControls();
  return ok;
}

/** Sends one setting to the engine; on refusal, shows why and puts the control back. */
function setLive(apply, commit) {
  try {
    apply(state.engine);
    commit();
    changed();
  } catch (error) {
    reportError(error);
  }
  syncControls();
}

export function setupControls() {
  $('play').addEventListener('click', () => play());
  $('step-phase').addEventListener('click', () => stepPhase());
  $('step-sample').addEventListener('click', () => stepSample());
  $('step-epoch').addEventListener('click', () => stepEpoch());
  $('reset').addEventListener('click', () => resetTraining());
  $('new-seed').addEventListener('click', () => {
    try {
      state.settings.seed = newSeed();
    } catch (error) {
      reportError(error);
      return;
    }
    resetTraining(state.settings.seed);
    say(`New seed ${state.settings.seed}: fresh initial weights.`);
  });

  fillSelect($('speed'), SPEEDS.map((_, k) => k), SPEEDS.map((s) => s.label));
  $('speed').addEventListener('change', (e) => {
    state.settings.speed = Number(e.target.value);
    changed();
  });

  setupDataControls();
  $('show-test').addEventListener('change', (e) => {
    state.settings.showTest = e.target.checked;
    changed();
  });
  $('thumbnails').addEventListener('change', (e) => {
    state.settings.thumbnails = e.target.checked;
    changed();
  });
  $('log-scale').addEventListener('change', (e) => {
    state.settings.logScale = e.target.checked;
    state.chartStale = true;
    changed();
  });

  $('learning-rate').addEventListener('input', (e) => {
    const rate = learningRateFromSlider(e.target.value);
    setLive((engine) => engine.setLearningRate(rate), () => { state.settings.learningRate = rate; });
  });
  $('batch-size').addEventListener('input', (e) => {
    const size = Number(e.target.value);
    setLive((engine) => engine.setBatchSize(size), () => { state.settings.batchSize = size; });
  });
  fillSelect($('optimizer'), OPTIMIZERS);
  $('optimizer').addEventListener('change', (e) => {
    const kind = e.target.value;
    setLive((engine) => engine.setOptimizer({ kind }), () => { state.settings.optimizer = kind; });
  });
  fillSelect($('regularization'), REGULARIZATIONS);
  $('regularization').addEventListener('change', (e) => {
    const kind = e.target.value;
    setLive((engine) => engine.setRegularization({ kind }), () => { state.settings.regularization = kind; });
  });
  $('regularization-rate').max = String(REGULARIZATION_RATES.length - 1);
  $('regularization-rate').addEventListener('input', (e) => {
    const rate = REGULARIZATION_RATES[Number(e.target.value)];
    setLive((engine) => engine.setRegularization({ rate }), () => { state.settings.regularizationRate = rate; });
  });
  fillSelect($('loss'), LOSSES);
  $('loss').addEventListener('change', (e) => {
    rebuildWith((s) => { s.loss = e.target.value; }, 'A new loss function: training starts again from fresh weights.');
  });
  fillSelect($('initializer'), INITIALIZERS);
  $('initializer').addEventListener('change', (e) => {
    rebuildWith((s) => { s.initializer = e.target.value; }, 'A new initializer: training starts again from fresh weights.');
  });

  fillSelect($('schedule'), SCHEDULES);
  // The schedule and the stop rule change from the next step on, without a reset.
  const setSchedule = (change) => {
    const schedule = { ...state.settings.schedule, ...change };
    setLive((engine) => engine.setSchedule(schedule), () => { state.settings.schedule = schedule; });
  };
  const setStopRule = (change) => {
    const stop = { ...state.settings.stop, ...change };
    setLive((engine) => engine.setStopRule(stop), () => { state.settings.stop = stop; });
  };
  $('schedule').addEventListener('change', (e) => setSchedule({ kind: e.target.value }));
  $('schedule-factor').addEventListener('change', (e) => setSchedule({ factor: Number(e.target.value) }));
  $('schedule-epochs').addEventListener('change', (e) => {
    const epochs = Math.round(Number(e.target.value));
    setSchedule({ every_epochs: epochs, total_epochs: epochs });
  });
  $('stop-epochs').addEventListener('change', (e) => setStopRule({ after_epochs: Math.max(0, Math.round(Number(e.target.value) || 0)) }));
  $('stop-loss').addEventListener('change', (e) => setStopRule({ below_loss: Math.max(0, Number(e.target.value) || 0) }));

  $('add-layer').addEventListener('click', () => {
    if (state.settings.hidden.length >= MAX_HIDDEN_LAYERS) {
      say(`At most ${MAX_HIDDEN_LAYERS} hidden layers fit on the page.`, 'error');
      return;
    }
    rebuildWith((s) => s.hidden.push({ units: s.hidden.at(-1)?.units ?? 4, activation: s.hidden.at(-1)?.activation ?? 'tanh', dropout: 0, bias: true }));
  });
  $('remove-layer').addEventListener('click', () => {
    if (state.settings.hidden.length === 0) {
      say('There are no hidden layers left to remove.', 'error');
      return;
    }
    rebuildWith((s) => s.hidden.pop());
  });

  $('sample-prev').addEventListener('click', () => moveSample(-1));
  $('sample-next').addEventListener('click', () => moveSample(1));
  syncControls();
}

function moveSample(by) {
  const batch = state.engine.batchLength();
  if (batch === 0) return;
  state.sample = (Math.min(state.sample, batch - 1) + by + batch) % batch;
  changed();
}

/** The architecture editor: one row per hidden layer, and the output layer. */
function buildLayers() {
  const s = state.settings;
  const rows = s.hidden.map((layer, k) => {
    const row = document.createElement('div');
    row.className = 'layer-row';
    row.dataset.layer = String(k);
    const name = document.createElement('span');
    name.className = 'layer-name';
    name.textContent = `layer ${k + 1}`;
    const minus = button('−', `fewer neurons in layer ${k + 1}`, () => {
      if (layer.units <= 1) return say('A layer needs at least one neuron: remove the layer instead.', 'error');
      rebuildWith((st) => { st.hidden[k].units--; });
    });
    const units = document.createElement('span');
    units.className = 'units';
    units.textContent = String(layer.units);
    const plus = button('+', `more neurons in layer ${k + 1}`, () => {
      if (layer.units >= MAX_HIDDEN_UNITS) return say(`A layer has at most ${MAX_HIDDEN_UNITS} neurons.`, 'error');
      rebuildWith((st) => { st.hidden[k].units++; });
    });
    const select = activationSelect(layer.activation, ACTIVATIONS, (value) => rebuildWith((st) => { st.hidden[k].activation = value; },
      'A new activation function: training starts again from fresh weights.'));
    select.setAttribute('aria-label', `activation of layer ${k + 1}`);
    const dropout = document.createElement('select');
    dropout.className = 'dropout';
    dropout.replaceChildren(...DROPOUTS.map((p) => {
      const o = document.createElement('option');
      o.value = String(p);
      o.textContent = String(p);
      return o;
    }));
    dropout.value = String(layer.dropout ?? 0);
    dropout.title = 'dropout: the share of this layer\'s neurons switched off at each training step';
    dropout.setAttribute('aria-label', `dropout of layer ${k + 1}`);
    dropout.addEventListener('change', () => {
      const p = Number(dropout.value);
      setLive((engine) => engine.setDropout(k, p), () => { state.settings.hidden[k].dropout = p; });
    });
    row.append(name, minus, units, plus, select, dropout);
    return row;
  });
  const out = document.createElement('div');
  out.className = 'layer-row';
  out.dataset.layer = 'output';
  const name = document.createElement('span');
  name.className = 'layer-name';
  name.textContent = 'output';
  const units = document.createElement('span');
  units.className = 'units wide';
  const outputs = state.data?.outputs ?? 1;
  units.textContent = outputs === 1 ? '1 neuron' : `${outputs} neurons`;
  const select = activationSelect(s.outputActivation, ['sigmoid', 'identity', 'tanh', 'relu', 'leaky_relu', 'softmax'],
    (value) => rebuildWith((st) => { st.outputActivation = value; }, 'A new output activation: training starts again from fresh weights.'));
  select.setAttribute('aria-label', 'activation of the output layer');
  out.append(name, units, select);
  const head = document.createElement('div');
  head.className = 'layer-head';
  for (const [text, span] of [['', 1], ['neurons', 3], ['activation', 1], ['dropout', 1]]) {
    const cell = document.createElement('span');
    cell.textContent = text;
    if (span > 1) cell.style.gridColumn = `span ${span}`;
    head.append(cell);
  }
  $('layers').replaceChildren(head, ...rows, out);
}

function button(text, label, onClick) {
  const b = document.createElement('button');
  b.type = 'button';
  b.className = 'small';
  b.textContent = text;
  b.setAttribute('aria-label', label);
  b.addEventListener('click', onClick);
  return b;
}

function activationSelect(value, values, onChange) {
  const select = document.createElement('select');
  fillSelect(select, values);
  select.value = value;
  select.addEventListener('change', () => onChange(select.value));
  return select;
}

/** Puts every control in line with the settings (after a change or a refused change). */
export function syncControls() {
  const s = state.settings;
  $('speed').value = String(s.speed);
  syncDataControls();
  $('show-test').checked = s.showTest;
  $('thumbnails').checked = s.thumbnails;
  $('log-scale').checked = s.logScale;
  $('learning-rate').value = String(Math.log10(s.learningRate));
  $('learning-rate-value').textContent = fmt(s.learningRate, 2);
  const trainSize = state.data ? state.data.train.y.length : 100;
  $('batch-size').max = String(trainSize);
  $('batch-size').value = String(s.batchSize);
  $('batch-size-value').textContent = String(Math.min(s.batchSize, trainSize));
  $('optimizer').value = s.optimizer;
  $('loss').value = s.loss;
  $('initializer').value = s.initializer;
  $('regularization').value = s.regularization;
  $('regularization-rate').value = String(Math.max(0, REGULARIZATION_RATES.indexOf(s.regularizationRate)));
  $('regularization-rate-value').textContent = fmt(s.regularizationRate, 2);
  $('schedule').value = s.schedule.kind;
  $('schedule-params').hidden = s.schedule.kind === 'constant';
  $('schedule-factor').value = String(s.schedule.factor);
  $('schedule-factor').disabled = s.schedule.kind === 'cosine';
  $('schedule-epochs').value = String(s.schedule.kind === 'cosine' ? s.schedule.total_epochs : s.schedule.every_epochs);
  $('schedule-epochs').disabled = s.schedule.kind === 'exponential';
  $('stop-epochs').value = String(s.stop.after_epochs);
  $('stop-loss').value = String(s.stop.below_loss);
  $('layer-count').textContent = String(s.hidden.length);
  buildLayers();
}
