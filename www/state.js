// The page's state: declared here, every field named up front. No DOM access.
//
// What the student works with (settings, data, network, history, the position inside a
// step) lives in Rust, in `state.session`; the fields below are what only the page has
// (playing, the animation, hover, the message) and copies of the session's answers that
// views read every frame, refreshed by actions.js after each change. Only actions.js writes
// here. Views subscribe to named changes and repaint only for those:
//   settings  a setting changed          weights   the weights changed (a step, a reset, an edit)
//   network   the network was rebuilt    data      the data changed
//   history   the loss history grew      position  the phase, sample or selection moved
//   view      a view switch              message   the banner's text
//   transport playing or speed           hover     the neuron or edge under the mouse
//   drawing   the image drawn on the digits pad

/** Speeds, slowest first: a phase every `phaseMs` (animated), or `steps` whole steps per frame
 *  (`steps: 0` adapts to the frame budget). */
export const SPEEDS = [
  // Short labels: the selector must fit the top bar.
  { label: 'slow: 1 phase/s', phaseMs: 1000, animMs: 600 },
  { label: '1 phase/0.4 s', phaseMs: 400, animMs: 300 },
  { label: '1 step/frame', steps: 1 },
  { label: '10 steps/frame', steps: 10 },
  { label: '100 steps/frame', steps: 100 },
  { label: 'max speed', steps: 0 },
];

export const state = {
  /** The Rust Session (www/pkg): settings, data, trainer, history, position. */
  session: null,
  /** Every setting, from the engine's catalogue (static). */
  catalogue: [],
  /** The lessons for the menu: [{id, title, text, variants}] (static). */
  lessons: [],
  /** The largest files the engine reads, in bytes: {csv, model} (static; files.js checks them). */
  fileLimits: { csv: 0, model: 0 },

  // ---- copies of the session's answers, refreshed after each change ----
  /** [inputs, units of layer 1, …, outputs]. */
  shape: [],
  /** The phases of one step in order: [{kind, layer?}]. */
  phases: [],
  /** session.dataInfo(): what the data is, its domain, its version. */
  info: null,
  /** session.position(): {last, whole, edited, sample, selection}. */
  position: { last: null, whole: false, edited: false, sample: 0, selection: null },
  /** How many phases of the current step have run. */
  progress: 0,
  /** session.controlState(): per setting {value, shown, max?, disabled?, in_use? (the batch)}. */
  controls: {},
  /** The raw points of the data for plotting: {x, y} per set. */
  points: { train: { x: [], y: [] }, test: { x: [], y: [] } },
  /** Bumped whenever the weights change, so that heatmaps know when to recompute. */
  weightsVersion: 0,

  // ---- what only the page has ----
  playing: false,
  /** An index into SPEEDS. */
  speed: 3,
  /** The running animation of the last phase ({start, duration}), or null. */
  anim: null,
  /** The neuron or edge under the mouse ({type, layer, neuron, input}) and where, or null. */
  hover: null,
  hoverAt: { x: 0, y: 0 },
  /** The neuron or edge the keyboard is on in the network view ({type, layer, neuron, input}), or null. */
  focus: null,
  /** The kernel weight picked on a convolution's kernel grid (maps_view.js): {type: 'kernel',
   *  layer, out, input, row, col}, or null; its chain rule is shown under the network. */
  kernel: null,
  /** The node the keyboard (or a click) is on in the computation graph (its id), or null. */
  graphFocus: null,
  /** Clicks on the output plane add points. */
  drawing: false,
  /** The image drawn by hand on the digits pad (pixels row by row, 0 paper … 1 ink), and the
   *  keyboard's cell on it (−1: none). */
  drawnImage: new Float64Array(64),
  drawCursor: -1,
  /** The test image the pad copied last (−1: none yet). */
  drawnFrom: -1,
  /** The banner: kind is 'info', 'error' or 'diverged'; errorKind the engine error's kind. */
  message: { text: '', kind: 'info', errorKind: null },
  /** The engine panicked: until Reset loads a fresh instance, nothing else may call it. */
  broken: false,
  /** The last CSV file read (the File: a handle, not its text), so that another label column
   *  can be chosen by reading it again. */
  csvFile: null,
  /** The label column of that file (undefined: the last). */
  csvLabelColumn: undefined,
  /** Frame statistics (moving averages), for the performance checks. */
  stats: { frames: 0, frameMs: 0, trainMs: 0, drawMs: 0, stepsPerFrame: 0 },
};

const subscribers = [];

/** Calls `fn(names)` after every change that touches one of `names` (an array of change names). */
export function subscribe(names, fn) {
  subscribers.push({ names: new Set(names), fn });
}

/** Tells the subscribers what changed (actions.js calls it at the end of a transaction). */
export function notify(names) {
  if (names.length === 0) return;
  for (const { names: wanted, fn } of subscribers) {
    if (names.some((n) => wanted.has(n))) fn(names);
  }
}

/** The images the gallery, the code space and "copy a test image" show: the test set, or the
 *  training set when there is no test set. `test` says which, for the labels. */
export function shownImages() {
  const test = state.points.test.y.length > 0;
  return { set: test ? state.points.test : state.points.train, test };
}

/** Is the data shown as images and codes rather than over the input plane (image data, or an
 *  autoencoder)? */
export function imageMode(info) {
  return Boolean(info?.image) || info?.kind === 'reconstruction';
}

/** The index of `phase` in the step (−1 if none). */
export function phaseIndex(phase) {
  if (!phase) return -1;
  return state.phases.findIndex((p) => p.kind === phase.kind && p.layer === phase.layer);
}

/** Has the current step computed `phase` yet? (After a whole step, everything is current.) */
export function done(phase) {
  const k = phaseIndex(phase);
  return k >= 0 && k < state.progress;
}

/** A phase as the phase bar's chips name it: "forward:0", "loss", "update". */
export function phaseKey(phase) {
  return phase.layer === undefined || phase.layer === null ? phase.kind : `${phase.kind}:${phase.layer}`;
}

/** "forward, layer 2": textbook layer numbers (the inputs are layer 0). */
export function phaseName(phase) {
  if (!phase) return '';
  if (phase.kind === 'forward') return `forward, layer ${phase.layer + 1}`;
  if (phase.kind === 'backward') return `backward, layer ${phase.layer + 1}`;
  return phase.kind;
}

/** The catalogue entry of setting `key`. */
export function setting(key) {
  return state.catalogue.find((s) => s.key === key);
}

/** The current value of setting `key`. */
export function value(key) {
  return state.controls[key]?.value;
}
