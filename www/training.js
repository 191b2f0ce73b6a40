// What the transport buttons do, and the one requestAnimationFrame loop.
//
// Each frame: advance training (a phase when its time has come in slow motion, or K whole
// steps with engine.train(K)), record the loss history if a point is due, then let `draw`
// redraw whatever changed. Every engine error goes to reportError, which shows it.

import { state, changed, reportError, say, phaseIndex, hasTest, SPEEDS, resetView } from './state.js';
import { record, clearHistory } from './loss_chart.js';
import { fmtInt } from './colors.js';
import { recover } from './recovery.js';

/** Steps per frame at the fastest speed: adapts so training takes about this much of a frame
 *  (drawing and the browser's own raster take about 10 ms more, and a frame has 16.7). */
const TRAIN_BUDGET_MS = 4;
let adaptiveSteps = 20;
let lastPhaseAt = 0;

/** Says why training stopped by itself (the stop rule), and pauses. */
function stoppedByRule() {
  const { engine } = state;
  state.playing = false;
  const why = engine.finished() ?? `stopped after ${fmtInt(engine.epochs())} epochs`;
  say(`${why[0].toUpperCase()}${why.slice(1)} (the stop rule).`);
}

function layers() {
  return state.shape.length - 1;
}

function attempt(fn) {
  try {
    fn();
    return true;
  } catch (error) {
    reportError(error);
    return false;
  }
}

function clearProblem() {
  const kind = document.getElementById('message').dataset.kind;
  if (kind === 'error' || kind === 'diverged') say('');
}

export function play(on = !state.playing) {
  state.playing = on;
  if (on) {
    clearProblem();
    lastPhaseAt = 0;
  }
  changed();
}

/** Runs the next phase, animated over `animMs`. */
export function stepPhase(animMs = 500) {
  clearProblem();
  attempt(() => {
    const phase = state.engine.stepPhase();
    state.lastPhase = phase;
    state.progress = phaseIndex(phase, layers());
    state.anim = animMs > 0 ? { start: performance.now(), duration: animMs } : null;
    if (phase.kind === 'update') record(state.engine, true, hasTest());
  });
  changed();
}

function afterSteps(force) {
  // `whole`: a whole step ran at once, so there is no single update to show as old → new.
  state.lastPhase = { kind: 'update', whole: true };
  state.progress = phaseIndex(state.lastPhase, layers());
  state.anim = null;
  record(state.engine, force, hasTest());
}

/** Finishes the current step (or runs a whole one). */
export function stepSample() {
  clearProblem();
  attempt(() => {
    state.engine.step();
    afterSteps(true);
  });
  changed();
}

/** Runs steps until the epoch counter moves on. */
export function stepEpoch() {
  clearProblem();
  attempt(() => {
    const engine = state.engine;
    const target = engine.epochs() + 1;
    for (let guard = engine.stepsPerEpoch() + 1; guard > 0 && engine.epochs() < target; guard--) engine.step();
    afterSteps(true);
  });
  changed();
}

export function resetTraining(seed) {
  state.playing = false;
  if (state.broken) {
    recover().catch(reportError);
    return;
  }
  state.engine.reset(seed);
  resetView();
  say('');
  changed();
}

/** Starts the loss history again with the loss of the fresh network (registered as a reset hook). */
export function restartHistory() {
  clearHistory();
  if (state.engine) attempt(() => record(state.engine, true, hasTest()));
}

function advance(now) {
  const speed = SPEEDS[state.settings.speed];
  if (speed.phaseMs) {
    if (now - lastPhaseAt >= speed.phaseMs) {
      lastPhaseAt = now;
      stepPhase(speed.animMs);
    }
    return;
  }
  const steps = speed.steps || Math.round(adaptiveSteps);
  const started = performance.now();
  const ok = attempt(() => {
    state.engine.train(steps);
    afterSteps(false);
  });
  if (ok && state.engine.finished() !== undefined) {
    afterSteps(true);
    stoppedByRule();
  }
  if (!speed.steps) {
    const took = Math.max(0.05, performance.now() - started);
    adaptiveSteps = Math.max(1, Math.min(100_000, 0.7 * adaptiveSteps + 0.3 * steps * (TRAIN_BUDGET_MS / took)));
  }
  if (ok) changed();
}

/** Starts the frame loop; `draw(now)` runs whenever something changed or an animation runs. */
export function startLoop(draw, everyFrame = () => {}) {
  const stats = (state.stats = { frames: 0, frameMs: 0, trainMs: 0, drawMs: 0, stepsPerFrame: 0 });
  let previous = 0;
  const frame = (now) => {
    // Moving averages of the frame interval and of where the time goes (for the fps test).
    if (previous) stats.frameMs = 0.9 * stats.frameMs + 0.1 * (now - previous);
    previous = now;
    stats.frames++;
    const t0 = performance.now();
    const before = state.engine?.steps() ?? 0;
    if (state.playing) advance(now);
    try {
      everyFrame(now);
    } catch (error) {
      reportError(error);
    }
    const t1 = performance.now();
    stats.trainMs = 0.9 * stats.trainMs + 0.1 * (t1 - t0);
    stats.stepsPerFrame = 0.9 * stats.stepsPerFrame + 0.1 * ((state.engine?.steps() ?? 0) - before);
    if (state.anim && now - state.anim.start <= state.anim.duration + 50) state.dirty = true;
    if (state.dirty) {
      state.dirty = false;
      try {
        draw(now);
      } catch (error) {
        reportError(error);
      }
      stats.drawMs = 0.9 * stats.drawMs + 0.1 * (performance.now() - t1);
    }
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
}
