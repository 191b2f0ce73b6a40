// The embed page's side of the bridge to <backprop-viz> (www/backprop-viz.js): the page's
// changes as events with their numbers, and the element's calls as actions. Controls role:
// it reads state and calls actions, like any other control.

import { state, subscribe } from './state.js';
import * as actions from './actions.js';

/** The numbers every event carries: where training is and its loss. */
function numbers() {
  const s = state.session;
  return { steps: s.steps(), epochs: s.epochs(), loss: s.loss(), learningRate: s.learningRate(), progress: state.progress };
}

/** The session as a link query ('?…'), what `session=` takes. */
function link() {
  return `?${state.session.linkWith({ present: false }).query}`;
}

const CALLS = {
  apply: (patch) => {
    const result = actions.apply(patch);
    if (result === undefined) throw new Error(state.message.text || 'the patch was refused');
    return numbers();
  },
  step: (unit = 'phase') => {
    if (unit === 'batch') actions.stepSample();
    else if (unit === 'epoch') actions.stepEpoch();
    else actions.stepPhase();
    return numbers();
  },
  play: () => { actions.play(true); return numbers(); },
  pause: () => { actions.play(false); return numbers(); },
  session: () => link(),
  numbers: () => numbers(),
};

/** Starts the bridge: `tell` posts to the element; `scale`, `autoplay` and `graph` are the
 *  embed page's own options, applied once the page is ready. */
export function startBridge({ tell, framed, scale, autoplay, graph }) {
  if (scale && Number(scale) > 0) actions.apply({ text_size: Number(scale) });
  if (graph) actions.apply({ graph: true });
  const event = (name, detail) => tell({ type: 'event', name, detail });
  let before = { steps: state.session.steps(), progress: state.progress, playing: state.playing };
  let linkDue = true;
  subscribe(['weights', 'position', 'history'], () => {
    const now = numbers();
    if (now.progress !== before.progress) event('phase', { ...now, phase: state.position.last });
    if (now.steps !== before.steps) event('step', now);
    before = { ...before, steps: now.steps, progress: now.progress };
    linkDue = true;
  });
  subscribe(['settings', 'network', 'data'], () => { linkDue = true; });
  subscribe(['message'], () => {
    if (state.message.kind === 'diverged') event('diverged', { ...numbers(), divergedAt: state.session.historyDivergedAt(), message: state.message.text });
  });
  subscribe(['transport'], () => {
    const finished = state.session.finished();
    if (before.playing && !state.playing && finished !== undefined) event('lessonstop', { ...numbers(), reason: finished });
    before.playing = state.playing;
    event(state.playing ? 'play' : 'pause', numbers());
  });
  // The link (for the element's `session` property) at most twice a second: it can be long.
  setInterval(() => {
    if (!linkDue || state.broken) return;
    linkDue = false;
    try {
      tell({ type: 'session', query: link() });
    } catch { /* the next change tries again */ }
  }, 500);
  if (framed) {
    window.addEventListener('message', (e) => {
      const { source, type, id, method, args = [] } = e.data ?? {};
      if (e.source !== window.parent || source !== 'backprop-viz-host' || type !== 'call') return;
      try {
        if (!Object.hasOwn(CALLS, method)) throw new Error(`no method ${method}`);
        tell({ type: 'reply', id, ok: true, value: CALLS[method](...args) });
      } catch (error) {
        tell({ type: 'reply', id, ok: false, error: String(error?.message ?? error) });
      }
    });
  }
  tell({ type: 'ready', detail: numbers(), query: link() });
  if (autoplay) actions.play(true);
}
