// The app state: one object that every module reads and the actions below change.
//
// `settings` is what the user chose; `engine` is the Rust engine built from it. Anything that
// changes the shape of the network rebuilds the engine (and says so); hyper-parameters go to
// the running engine and take effect at its next step.

import { Engine, freshSeed, isInternalError } from './engine.js';
import { generateData, loadInto, describe } from './data.js';
import { fmtInt } from './colors.js';

export const ACTIVATIONS = ['tanh', 'sigmoid', 'relu', 'leaky_relu', 'identity'];
export const LOSSES = ['squared_error', 'binary_cross_entropy', 'softmax_cross_entropy'];
export const SCHEDULES = ['constant', 'step', 'exponential', 'cosine'];

export const OPTIMIZERS = ['sgd', 'momentum', 'rmsprop', 'adam'];
export const INITIALIZERS = ['xavier_uniform', 'xavier_normal', 'he', 'uniform', 'zeros'];
export const REGULARIZATIONS = ['none', 'l1', 'l2'];
export const MAX_HIDDEN_LAYERS = 8;
export const MAX_HIDDEN_UNITS = 32;

/** Speeds, slowest first: a phase every `phaseMs` (animated), or `steps` whole steps per frame
 *  (`steps: 0` adapts to the frame budget). */
export const SPEEDS = [
  // Short labels: the selector must fit the top bar at 1280 px.
  { label: 'slow: 1 phase/s', phaseMs: 1000, animMs: 600 },
  { label: '1 phase/0.4 s', phaseMs: 400, animMs: 300 },
  { label: '1 step/frame', steps: 1 },
  { label: '10 steps/frame', steps: 10 },
  { label: '100 steps/frame', steps: 100 },
  { label: 'max speed', steps: 0 },
];

export const state = {
  settings: {
    /** A problem of data.js's PROBLEMS, 'custom' (a file or drawn points) or 'samples' (a lesson's). */
    dataset: 'circle',
    points: 320,
    noise: 0,
    testRatio: 0.5,
    dataSeed: 7,
    features: ['x1', 'x2'],
    scaling: 'none',
    seed: 1,
    /** Hidden layers: {units, activation, dropout, bias}. */
    hidden: [{ units: 4, activation: 'tanh', dropout: 0, bias: true }, { units: 4, activation: 'tanh', dropout: 0, bias: true }],
    outputActivation: 'sigmoid',
    outputBias: true,
    reduction: 'mean',
    shuffle: true,
    loss: 'binary_cross_entropy',
    optimizer: 'sgd',
    learningRate: 0.3,
    batchSize: 10,
    initializer: 'xavier_uniform',
    regularization: 'none',
    regularizationRate: 0,
    schedule: { kind: 'constant', factor: 0.5, every_epochs: 100, total_epochs: 1000 },
    stop: { after_epochs: 0, below_loss: 0 },
    /** The lesson loaded last (its id), or null. */
    lesson: null,
    speed: 3,
    showTest: false,
    thumbnails: true,
    logScale: false,
  },
  engine: null,
  data: null,
  /** The shape the views are laid out for: [inputs, units of layer 0, …]. */
  shape: [],
  playing: false,
  /** The phase run last ({kind, layer}) and its index in the step (−1: nothing of this step yet). */
  lastPhase: null,
  progress: -1,
  /** The batch sample shown on the network and in the inspector. */
  sample: 0,
  /** The running animation of the last phase, or null. */
  anim: null,
  /** {type: 'neuron'|'edge', layer, neuron, input} (layer −1: the inputs) or null. */
  selection: null,
  hover: null,
  /** Set when something drawn changed; the frame loop redraws and clears it. */
  dirty: true,
  /** Bumped whenever weights change, so heatmaps know when to recompute. */
  version: 0,
  listeners: new Set(),
};

/** Calls `fn(state)` after every change of settings, engine or step (for the DOM panels). */
export function onChange(fn) {
  state.listeners.add(fn);
}

export function changed() {
  state.dirty = true;
  state.version++;
  for (const fn of state.listeners) fn(state);
}

// ---- messages ---------------------------------------------------------------------------

/** Shows `text` in the message banner; kind is 'info', 'error' or 'diverged'. */
export function say(text, kind = 'info') {
  const banner = document.getElementById('message');
  banner.hidden = !text;
  banner.dataset.kind = kind;
  banner.querySelector('.text').textContent = text;
}

/** Whether the data has a test split. */
export function hasTest() {
  return state.data.test.y.length > 0;
}

/** Shows an engine error in words; a divergence also stops playing. Returns the text shown. */
export function reportError(error) {
  const message = String(error?.message ?? error);
  if (isInternalError(error)) {
    // A panic inside the engine: its instance cannot be trusted until Reset loads a fresh one.
    state.broken = true;
    state.playing = false;
    const text = `The engine stopped with an internal error (${message}). Press Reset to restart it: your settings are kept.`;
    say(text, 'error');
    changed();
    return text;
  }
  const diverged = /^training diverged at step (\d+):\s*(.*)$/.exec(message);
  if (diverged) {
    state.playing = false;
    state.progress = -1;
    state.lastPhase = null;
    state.anim = null;
    const what = diverged[2].split(';')[0];
    const text = `The loss exploded at step ${fmtInt(Number(diverged[1]))}: the learning rate is probably too high. `
      + `Training stopped; the network is shown as it was before that step (${what}).`;
    say(text, 'diverged');
    changed();
    return text;
  }
  say(message.charAt(0).toUpperCase() + message.slice(1), 'error');
  return message;
}

// ---- building the engine ----------------------------------------------------------------

export function networkConfig(s = state.settings, data = state.data) {
  const outputs = data.outputs;
  return {
    inputs: data.inputs,
    layers: [
      ...s.hidden.map((h) => ({ units: h.units, activation: h.activation, bias: h.bias !== false, dropout: h.dropout ?? 0 })),
      { units: outputs, activation: s.outputActivation, bias: s.outputBias !== false },
    ],
    loss: s.loss,
    reduction: s.reduction,
    initializer: { kind: s.initializer },
    optimizer: { kind: s.optimizer, learning_rate: s.learningRate },
    regularization: { kind: s.regularization, rate: s.regularizationRate },
    schedule: { ...s.schedule },
    stop: { ...s.stop },
    batch_size: Math.max(1, Math.min(s.batchSize, data.train.y.length)),
    shuffle: s.shuffle,
    seed: s.seed,
  };
}

/** Puts the settings in line with an engine config (a lesson's or a link's network). */
export function settingsFromConfig(config, s = state.settings) {
  const layers = config.layers;
  const out = layers[layers.length - 1];
  s.hidden = layers.slice(0, -1).map((l) => ({ units: l.units, activation: l.activation, dropout: l.dropout ?? 0, bias: l.bias !== false }));
  s.outputActivation = out.activation;
  s.outputBias = out.bias !== false;
  s.loss = config.loss ?? 'squared_error';
  s.reduction = config.reduction ?? 'mean';
  s.initializer = config.initializer?.kind ?? 'xavier_uniform';
  s.optimizer = config.optimizer?.kind ?? 'sgd';
  s.learningRate = config.optimizer?.learning_rate ?? 0.03;
  s.regularization = config.regularization?.kind ?? 'none';
  s.regularizationRate = config.regularization?.rate ?? 0;
  s.schedule = { kind: 'constant', factor: 0.5, every_epochs: 100, total_epochs: 1000, ...(config.schedule ?? {}) };
  s.stop = { after_epochs: 0, below_loss: 0, ...(config.stop ?? {}) };
  s.batchSize = config.batch_size ?? 10;
  s.shuffle = config.shuffle ?? true;
  s.seed = config.seed ?? 0;
}

/**
 * Rebuilds the engine from the settings (or from `config`, which may carry weights), on new
 * data when `data` is given or `withData` asks for the settings' problem to be generated
 * again. If the engine refuses, the old engine, data and settings stay and the reason is
 * shown. Returns true on success.
 */
export function rebuild(why, { withData = false, previous = null, config = null, data = null } = {}) {
  const s = state.settings;
  const oldData = state.data;
  let next = data ?? oldData;
  let engine;
  try {
    if (!data && (withData || !oldData)) next = generateData(s);
    engine = new Engine(config ?? networkConfig(s, next));
    loadInto(engine, next);
  } catch (error) {
    engine?.free();
    if (next !== oldData && next?.set !== oldData?.set) next?.set?.free();
    if (previous) Object.assign(s, previous);
    reportError(error);
    changed();
    return false;
  }
  if (next !== oldData) {
    for (const fn of state.dataHooks ?? []) fn(next, oldData);
    if (oldData?.set !== next.set) oldData?.set?.free();
    state.dataVersion = (state.dataVersion ?? 0) + 1;
  }
  state.data = next;
  state.engine?.free();
  state.engine = engine;
  if (config) settingsFromConfig(engine.config(), s);
  state.shape = [next.inputs, ...s.hidden.map((h) => h.units), next.outputs];
  resetView();
  if (why) say(why, 'info');
  else say('');
  changed();
  return true;
}

/** Registers `fn(newData, oldData)` to run before a data set is replaced (and freed). */
export function onDataChange(fn) {
  (state.dataHooks ??= []).push(fn);
}

/** Re-reads the data set after it changed in place (a drawn point); reloads the engine. */
export function dataChangedInPlace() {
  const d = state.data;
  const domain = d.domain;
  state.data = describe(d.set, d.name, d.label);
  // Keep the view still while drawing, unless a point falls outside it.
  const inside = (v) => v >= domain[0] && v <= domain[1];
  if (state.data.dims === 2 && [...state.data.train.x, ...state.data.test.x].every(inside)) state.data.domain = domain;
  if (state.data.dims === 1 && state.data.train.x.every(inside)) state.data.domain = domain;
  state.dataVersion = (state.dataVersion ?? 0) + 1;
  loadInto(state.engine, state.data);
}

/** Forgets the phase shown and the animation (after a reset or a rebuild). */
export function resetView() {
  state.lastPhase = null;
  state.progress = -1;
  state.anim = null;
  state.sample = 0;
  for (const fn of state.resetHooks ?? []) fn();
}

/** Registers `fn` to run when training starts again (the loss history clears itself). */
export function onReset(fn) {
  (state.resetHooks ??= []).push(fn);
}

/** A new random seed from the platform. */
export function newSeed() {
  return freshSeed() % 1_000_000;
}

// ---- phases -----------------------------------------------------------------------------

/** The phases of one step in order, as {kind, layer} objects, for L layers. */
export function phaseList(layers) {
  const list = [];
  for (let l = 0; l < layers; l++) list.push({ kind: 'forward', layer: l });
  list.push({ kind: 'loss' });
  for (let l = layers - 1; l >= 0; l--) list.push({ kind: 'backward', layer: l });
  list.push({ kind: 'update' });
  return list;
}

/** The index of a phase within its step. */
export function phaseIndex(phase, layers) {
  if (!phase) return -1;
  switch (phase.kind) {
    case 'forward': return phase.layer;
    case 'loss': return layers;
    case 'backward': return layers + 1 + (layers - 1 - phase.layer);
    default: return 2 * layers + 1;
  }
}

/** Has the current step computed `phase` yet? (After a whole step, everything is current.) */
export function done(phase) {
  return state.progress >= phaseIndex(phase, state.shape.length - 1);
}

/** "forward, layer 2" — textbook layer numbers (the inputs are layer 0). */
export function phaseName(phase) {
  if (!phase) return '';
  if (phase.kind === 'forward') return `forward, layer ${phase.layer + 1}`;
  if (phase.kind === 'backward') return `backward, layer ${phase.layer + 1}`;
  return phase.kind;
}
