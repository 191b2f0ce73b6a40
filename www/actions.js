// Actions: the only code that writes the page's state or calls the session to change it.
//
// Every change goes through `transact(fn)`: it runs `fn(session)`, takes the session's outcome
// ({changed, message, warnings}) or its error, refreshes the copies views read (state.js),
// shows the message, and tells the views what changed. An error is shown by its kind, never
// by its text: `diverged` stops training and says why, `internal` (a panic) fences the
// engine off until Reset loads a fresh instance, every other kind is shown as it is worded.

import { state, notify, SPEEDS, shownImages } from './state.js';
import { Session, catalogue, lessonList, fileLimits, freshSeed, isInternalError, reloadEngine, takeDigitsWanted, loadDigits } from './engine.js';
import { fmtInt } from './colors.js';

/** Training takes about this much of a frame (drawing and the browser's raster take about 10 ms
 *  more, and a frame has 16.7): the fastest speed runs as many steps as fit, and a fixed speed
 *  ("100 steps/frame") runs fewer when its steps do not fit (a big batch, a big network, 100,000
 *  points), so that the page keeps drawing and Pause answers at the next frame. */
const TRAIN_BUDGET_MS = 4;
/** The time one step took lately (a moving average over the frames), in ms. */
let msPerStep = 0.2;
let lastPhaseAt = 0;

const BROKEN = 'The engine stopped with an internal error. Press Reset to restart it: your settings are kept.';
/** What stays usable after an internal error: Reset (which loads a fresh instance) and the
 *  exports of what can be saved. */
const USABLE_WHEN_BROKEN = new Set(['reset', 'export-model', 'export-loss', 'export-data', 'export-network-png', 'export-chart-png', 'share-button', 'share-copy', 'help-button']);
/** The controls `fence` disabled, to enable again once the fresh instance is loaded. */
const fenced = new Set();

/** Disables (`on`) every control but those of USABLE_WHEN_BROKEN, or enables again those it
 *  disabled: while the engine is broken, no control may reach the untrusted instance. */
function fence(on) {
  if (typeof document === 'undefined') return;
  if (!on) {
    for (const control of fenced) control.disabled = false;
    fenced.clear();
    document.body.removeAttribute('data-broken');
    return;
  }
  document.body.dataset.broken = 'true';
  for (const control of document.querySelectorAll('button, input, select, textarea')) {
    if (USABLE_WHEN_BROKEN.has(control.id) || control.disabled) continue;
    control.disabled = true;
    fenced.add(control);
  }
}

// ---- the transaction ------------------------------------------------------------------------

/** Re-reads what views draw from, for the changes named. */
function refresh(changed) {
  const s = state.session;
  const has = (name) => changed.includes(name);
  if (has('network') || state.shape.length === 0) {
    state.shape = Array.from(s.shape());
    state.phases = s.phases();
  }
  if (has('data') || has('network') || !state.info) {
    state.info = s.dataInfo();
    state.points = {
      train: { x: s.coords(false), y: s.labels(false) },
      test: { x: s.coords(true), y: s.labels(true) },
    };
  }
  if (has('settings') || has('data') || has('network') || has('view')) state.controls = s.controlState();
  if (has('weights') || has('network')) state.weightsVersion++;
  state.position = s.position();
  state.progress = s.progress();
}

/** Shows `text` in the banner ('info', 'error' or 'diverged'); `errorKind` is the kind of
 *  the engine's error it reports (see Error::kind in src/error.rs), or 'internal'. */
export function say(text, kind = 'info', errorKind = null) {
  state.message = { text, kind, errorKind };
  notify(['message']);
}

/** Runs a change of the session and tells the views; returns the change's result, or
 *  undefined if it was refused (the banner then says why). */
export function transact(fn, extra = []) {
  return run(fn, extra, true);
}

/** The change waiting for the digits to arrive (a promise), or null. */
let waitingForDigits = null;

/** Resolves once no change waits for the digits any more (boot waits for it before saying
 *  the page is ready). */
export function digitsSettled() {
  return waitingForDigits ?? Promise.resolve();
}

/** After a change that asked for the digits before they were fetched: fetches them, then runs
 *  the change again (once); true when it does so. */
function retryWithDigits(fn, extra) {
  if (!takeDigitsWanted()) return false;
  say('Loading the 8×8 digits…');
  markFetching(true);
  waitingForDigits = loadDigits().then(() => {
    waitingForDigits = null;
    say('');
    run(fn, extra, false);
    markFetching(false);
  });
  return true;
}

/** `<body data-fetching="digits">` while the digits are on their way, so that whoever waits
 *  for the change (a test, an embedding) can wait on it rather than on time. */
function markFetching(on) {
  if (typeof document === 'undefined') return;
  if (on) document.body.dataset.fetching = 'digits';
  else document.body.removeAttribute('data-fetching');
}

function run(fn, extra, mayFetchDigits) {
  if (state.broken) {
    say(BROKEN, 'error', 'internal');
    return undefined;
  }
  if (mayFetchDigits) takeDigitsWanted(); // only this change's own wish counts
  let result;
  try {
    result = fn(state.session);
  } catch (error) {
    // Only the digits were missing: fetch them and try again, rather than report it.
    if (!(mayFetchDigits && retryWithDigits(fn, extra))) reportError(error);
    return undefined;
  }
  const outcome = result && Array.isArray(result.changed) ? result : null;
  const changed = [...(outcome?.changed ?? []), ...extra];
  refresh(changed);
  if (mayFetchDigits && retryWithDigits(fn, extra)) {
    notify(changed); // what could be read is shown while the digits arrive
    return result ?? true;
  }
  if (outcome?.warnings?.length) {
    say(`${outcome.message ?? ''} Parts of it could not be read, so defaults were used there: ${outcome.warnings.join('; ')}.`.trim(), 'error');
  } else if (outcome?.message) {
    say(outcome.message, 'info');
  }
  notify(changed);
  return result ?? true;
}

/** Shows an error by its kind. */
export function reportError(error) {
  if (isInternalError(error)) {
    // A panic inside the engine: its instance cannot be trusted until Reset loads a fresh one.
    state.broken = true;
    state.playing = false;
    fence(true);
    say(`The engine stopped with an internal error (${error.message}). Press Reset to restart it: your settings are kept.`, 'error', 'internal');
    notify(['transport']);
    return;
  }
  if (error?.kind === 'diverged') {
    state.playing = false;
    state.anim = null;
    refresh(['position', 'history']);
    // The engine kept the network of step `keptStep`, the last with a finite, sane loss (it
    // takes back the update that made the loss jump or overflow, see src/trainer.rs).
    const kept = error.keptStep ?? error.step - 1;
    say(`The loss exploded at step ${fmtInt(error.step)}: the learning rate is probably too high. `
      + `Training stopped at step ${fmtInt(kept)}, the last with a sane loss (${error.what ?? 'a value became infinite'}).`, 'diverged', 'diverged');
    notify(['transport', 'position', 'history', 'weights']);
    return;
  }
  const text = String(error?.message ?? error);
  say(text.charAt(0).toUpperCase() + text.slice(1), 'error', error?.kind ?? 'page');
}

/** After a divergence: trains on from the network kept (the last step with a finite, sane
 *  loss) with the learning rate divided by 10, in one click. The change of rate is undoable. */
export function continueSlower() {
  const rate = state.controls?.lr?.value;
  if (!(rate > 0)) return;
  say('');
  if (apply({ lr: Number((rate / 10).toPrecision(2)) }) !== undefined) play(true);
}

/** A step or play clears the banner: what it said was about the state before (not while the
 *  engine is broken: that banner stays until the fresh instance is loaded). */
function clearProblem() {
  if (state.message.text && !state.broken) say('');
}

// ---- starting --------------------------------------------------------------------------------

/** Makes the session (from a link's query if there is one) and reads the static tables. */
export function start(query) {
  state.catalogue = catalogue();
  state.lessons = lessonList();
  state.fileLimits = fileLimits();
  state.session = new Session();
  refresh(['network', 'data', 'settings']);
  if (query && query !== '?') openLink(query);
  else notify(['settings', 'weights', 'network', 'data', 'history', 'position', 'view']);
}

/** After an internal error: a fresh instance of the engine, rebuilt from the settings. */
export async function recover() {
  const settings = state.session ? safely(() => state.session.link().query) : null;
  await reloadEngine();
  state.session = null; // the old session belongs to the broken instance: never call it again
  state.broken = false;
  fence(false);
  state.shape = [];
  state.session = new Session();
  refresh(['network', 'data', 'settings']);
  if (settings) state.session.openLink(settings);
  refresh(['network', 'data', 'settings', 'weights']);
  // The session comes back through its link, training state and all: say so when it has one.
  const steps = state.session.steps();
  say(steps > 0
    ? `The engine was restarted after an internal error: your settings and training are kept (step ${fmtInt(steps)}).`
    : 'The engine was restarted after an internal error: your settings are kept, and training starts again.');
  notify(['settings', 'weights', 'network', 'data', 'history', 'position', 'view', 'transport']);
}

function safely(fn) {
  try {
    return fn();
  } catch {
    return null;
  }
}

// ---- training ---------------------------------------------------------------------------------

export function play(on = !state.playing) {
  if (state.broken) return say(BROKEN, 'error', 'internal');
  state.playing = on;
  if (on) {
    clearProblem();
    lastPhaseAt = 0;
  }
  notify(['transport']);
}

export function setSpeed(index) {
  state.speed = Math.max(0, Math.min(SPEEDS.length - 1, index));
  notify(['transport']);
}

/** Whether the student asked the system for less motion: phases then run without animation. */
function reducedMotion() {
  return globalThis.matchMedia?.('(prefers-reduced-motion: reduce)').matches ?? false;
}

/** Runs the next phase, animated over `animMs` (not at all when the student asked for
 *  reduced motion: the phase's result is shown at once). While playing, it pauses first. */
export function stepPhase(animMs = 500) {
  if (state.playing && !SPEEDS[state.speed].phaseMs) play(false);
  clearProblem();
  const phase = transact((s) => s.stepPhase(), ['position', 'weights', 'history']);
  if (phase) {
    state.anim = animMs > 0 && !reducedMotion() ? { start: performance.now(), duration: animMs } : null;
    notify(['position']);
  }
}

/** Finishes the current step (or runs a whole one). */
export function stepSample() {
  clearProblem();
  state.anim = null;
  transact((s) => s.step(), ['position', 'weights', 'history']);
}

/** Runs steps until the epoch counter moves on. */
export function stepEpoch() {
  clearProblem();
  state.anim = null;
  transact((s) => s.stepEpoch(), ['position', 'weights', 'history']);
}

/** Goes back one action: the phase, step or edit before (the counters step back too). */
export function undo() {
  if (state.playing) play(false);
  state.anim = null;
  clearProblem();
  transact((s) => s.undo(), ['position', 'weights', 'history']);
}

/** Fresh weights, same seed; after an internal error, a fresh engine. */
export function resetTraining() {
  state.playing = false;
  state.anim = null;
  if (state.broken) {
    recover().catch(reportError);
    return;
  }
  say('');
  transact((s) => s.reset(), ['transport']);
}

/** Fresh weights from a new random seed. */
export function newSeed(key = 'seed') {
  let seed;
  try {
    seed = freshSeed() % 1_000_000;
  } catch (error) {
    reportError(error);
    return;
  }
  apply({ [key]: seed });
}

/** Says why training stopped by itself (the stop rule), and pauses. */
function stoppedByRule() {
  state.playing = false;
  const why = state.session.finished() ?? `stopped after ${fmtInt(state.session.epochs())} epochs`;
  say(`${why[0].toUpperCase()}${why.slice(1)} (the stop rule).`);
  notify(['transport']);
}

/** One frame of training: a phase when its time has come in slow motion, or K whole steps. */
export function advance(now) {
  if (!state.playing || state.broken) return;
  const speed = SPEEDS[state.speed];
  if (speed.phaseMs) {
    if (now - lastPhaseAt >= speed.phaseMs) {
      lastPhaseAt = now;
      stepPhase(speed.animMs);
    }
    return;
  }
  const fit = Math.max(1, Math.min(100_000, Math.floor(TRAIN_BUDGET_MS / msPerStep)));
  const steps = speed.steps ? Math.min(speed.steps, fit) : fit;
  const points = state.session.historyLength();
  const started = performance.now();
  state.anim = null;
  const ok = transact((s) => s.train(steps), ['position', 'weights', 'history']) !== undefined;
  if (!ok) return;
  const took = Math.max(0.01, performance.now() - started);
  // A call that took a point of the loss history also made a pass over all the data (about
  // a third of a step's work per point, as against a batch's forward and backward pass):
  // counted as that many steps, it does not make the next frames train less.
  const recorded = state.session.historyLength() !== points;
  const info = state.info;
  const pass = recorded ? (info.train_points + info.test_points) / (3 * Math.max(1, state.controls.batch?.in_use ?? 1)) : 0;
  // Growth is limited to doubling per frame, so one fast frame cannot ask for a slow one.
  msPerStep = Math.max(0.5 * msPerStep, 0.7 * msPerStep + 0.3 * (took / (steps + pass)));
  if (state.session.finished() !== undefined) stoppedByRule();
}

// ---- settings, lessons, data, files ------------------------------------------------------------

/** Applies a patch of settings (`{lr: 0.1}`); the engine decides what it needs. */
export function apply(patch) {
  const before = state.shape.join(',');
  const result = transact((s) => s.apply(patch));
  if (result === undefined) notify(['settings']); // a refusal puts the controls back
  else if (state.shape.join(',') !== before) state.playing = false;
  return result;
}

export function loadLesson(id, variant) {
  state.playing = false;
  state.anim = null;
  return transact((s) => s.loadLesson(id, variant), ['transport']);
}

/** Brings the session to stop `k` of the lesson's tour (src/session.rs go_to_stop: steps on,
 *  or loads the lesson again and steps from its start); one action for Back. */
export function goToStop(k) {
  state.playing = false;
  state.anim = null;
  clearProblem();
  return transact((s) => s.goToStop(k), ['position', 'weights', 'history', 'transport']);
}

export function leaveLesson() {
  return transact((s) => s.leaveLesson());
}

/** Opens a link's query string (never refused: what cannot be read is named). */
export function openLink(query) {
  state.playing = false;
  return transact((s) => s.openLink(query), ['transport']);
}

/** Loads a CSV file's `text` (`file`, the File it was read from, is kept to read it again for
 *  another label column); `labelColumn` from 0 (undefined: the last). */
export function loadCsv(file, text, labelColumn) {
  state.playing = false;
  const ok = transact((s) => s.loadCsv(text, file.name, labelColumn), ['transport']);
  if (ok) {
    state.csvFile = file;
    state.csvLabelColumn = labelColumn;
    notify(['data']);
  }
  return ok;
}

/** Adds a training point drawn on the output plane. */
export function addPoint(coords, label) {
  state.playing = false;
  return transact((s) => s.addPoint(Float64Array.from(coords), label), ['transport']);
}

export function importModel(file) {
  state.playing = false;
  return transact((s) => s.importModel(file.text, file.name), ['transport']);
}

/** Sets a weight (sel is an edge) or a bias (a neuron) by hand. */
export function setParameter(sel, value) {
  if (!Number.isFinite(value)) {
    say(`"${value}" is not a number`, 'error');
    return undefined;
  }
  return transact((s) => (sel.type === 'edge'
    ? s.setWeight(sel.layer, sel.neuron, sel.input, value)
    : s.setBias(sel.layer, sel.neuron, value)));
}

// ---- what the view points at ----------------------------------------------------------------------

/** Shows a neuron or an edge in the inspector (null: none). */
export function select(selection) {
  return transact((s) => s.select(selection ?? null));
}

export function hover(hit, x, y) {
  state.hover = hit;
  state.hoverAt = { x, y };
  notify(['hover']);
}

/** Shows the next (by = 1) or previous (by = −1) sample of the batch. */
export function moveSample(by) {
  const batch = state.session.batchLength();
  if (batch === 0) return;
  const next = (Math.min(state.position.sample, batch - 1) + by + batch) % batch;
  transact((s) => s.setSample(next));
}

/** Moves the keyboard's place in the network view (null: none). */
export function focusOn(target) {
  state.focus = target;
  notify(['hover']);
}

/** Moves the keyboard's place in the computation graph (a node id; null: none). */
export function focusGraphNode(id) {
  state.graphFocus = id;
  notify(['hover']);
}

export function toggleDrawing(on) {
  state.drawing = on;
  notify(['view']);
}

/** Called by the frame loop when an animation has run its course. */
// ---- the digits pad ------------------------------------------------------------------------------

/** Inks pixel `index` of the pad (and, softer, its four neighbours, as a pen stroke is
 *  drawn in the digits); `erase` takes the ink off that pixel instead. */
export function inkPixel(index, erase = false) {
  const { width, height } = state.info.image;
  const pixels = state.drawnImage;
  if (erase) {
    pixels[index] = 0;
  } else {
    pixels[index] = 1;
    const r = Math.floor(index / width);
    const c = index % width;
    for (const [dr, dc] of [[-1, 0], [1, 0], [0, -1], [0, 1]]) {
      const rr = r + dr;
      const cc = c + dc;
      if (rr >= 0 && rr < height && cc >= 0 && cc < width) pixels[rr * width + cc] = Math.max(pixels[rr * width + cc], 0.5);
    }
  }
  notify(['drawing']);
}

/** Sets one pixel of the pad to `value` (the keyboard toggles ink). */
export function setPixel(index, value) {
  state.drawnImage[index] = value;
  notify(['drawing']);
}

export function clearDrawing() {
  state.drawnImage.fill(0);
  notify(['drawing']);
}

/** Moves the keyboard's cell on the pad (−1: off the pad). */
export function moveDrawCursor(index) {
  state.drawCursor = index;
  notify(['drawing']);
}

/** Copies the next test image onto the pad, to change it by hand. */
export function copyTestImage() {
  const { set } = shownImages();
  const dims = state.info.dims;
  if (set.y.length === 0 || dims !== state.drawnImage.length) return;
  state.drawnFrom = (state.drawnFrom + 1) % set.y.length;
  state.drawnImage.set(set.x.subarray(state.drawnFrom * dims, (state.drawnFrom + 1) * dims));
  notify(['drawing']);
}

export function endAnimation() {
  state.anim = null;
}

/** Records the frame statistics (the frame loop's). */
export function recordFrame(frameMs, trainMs, drawMs, steps) {
  const s = state.stats;
  if (frameMs > 0) s.frameMs = 0.9 * s.frameMs + 0.1 * frameMs;
  s.frames++;
  s.trainMs = 0.9 * s.trainMs + 0.1 * trainMs;
  if (drawMs >= 0) s.drawMs = 0.9 * s.drawMs + 0.1 * drawMs;
  s.stepsPerFrame = 0.9 * s.stepsPerFrame + 0.1 * steps;
}
