// Keyboard shortcuts, the help overlay that lists them, and moving through the network with
// the arrow keys (the network view has the focus): a lecture can be given from the keyboard,
// or from a presentation clicker (Page Down / Page Up). Events → actions.

import { state, value, setting } from './state.js';
import * as actions from './actions.js';
import * as tour from './tour_view.js';
import { mapsShown, moveKernelFocus } from './maps_view.js';
import { unrolledShown, moveRecurrentFocus } from './unrolled_view.js';

export const KEYS = [
  ['Space', 'play / pause'],
  ['→ or Page Down', 'step one phase (forward, loss, backward, update)'],
  ['Shift + →', 'step one batch: finish a whole training step'],
  ['E', 'step one epoch'],
  ['← or Backspace or Page Up', 'go back: undo the last phase, step or edit'],
  ['+ / −', 'learning rate η × 2 / ÷ 2'],
  [']  /  [', 'next / previous lesson'],
  ['T', 'start the lesson\'s tour, or resume it'],
  ['N  /  B', 'tour: next / previous stop'],
  ['1 … 4', 'tour: pick that choice at a question'],
  ['P', 'presenter mode on or off'],
  ['R', 'reset: fresh weights, same seed'],
  ['Tab to the network, then arrows', 'move between neurons and edges (← → along the edges, ↑ ↓ within a layer); Enter opens the inspector, Esc leaves'],
  ['?', 'show or hide this help'],
  ['Esc', 'close this help, the share dialog or the inspector'],
];

/** Typing in a field or choosing in a list must not trigger shortcuts. */
function typing(target) {
  return target.closest?.('input[type=number], input[type=text], select, textarea') !== null;
}

/** η × factor, kept within the catalogue's range and rounded to 2 significant digits. */
function scaleLearningRate(factor) {
  const entry = setting('lr');
  const next = Number((value('lr') * factor).toPrecision(2));
  actions.apply({ lr: Math.min(entry.max, Math.max(entry.control.low, next)) });
}

function nextLesson(by) {
  const ids = state.lessons.map((l) => l.id);
  const current = ids.indexOf(state.session.settings().lesson);
  const k = current < 0 ? (by > 0 ? 0 : ids.length - 1) : (current + by + ids.length) % ids.length;
  actions.loadLesson(ids[k]);
}

/** The neuron or edge an arrow key leads to from `at` in a network of `shape`. */
export function moveFocus(at, key, shape) {
  const columns = shape.length;
  const clamp = (x, n) => Math.max(0, Math.min(n - 1, x));
  if (!at) return { type: 'neuron', layer: -1, neuron: 0 };
  if (at.type === 'neuron') {
    const c = at.layer + 1;
    if (key === 'ArrowUp' || key === 'ArrowDown') {
      return { ...at, neuron: clamp(at.neuron + (key === 'ArrowUp' ? -1 : 1), shape[c]) };
    }
    // Along the edges: left to an incoming edge, right to an outgoing one.
    if (key === 'ArrowLeft' && c > 0) return { type: 'edge', layer: at.layer, neuron: at.neuron, input: clamp(at.neuron, shape[c - 1]) };
    if (key === 'ArrowRight' && c < columns - 1) return { type: 'edge', layer: at.layer + 1, neuron: clamp(at.neuron, shape[c + 1]), input: at.neuron };
    return at;
  }
  const c = at.layer + 1;
  if (key === 'ArrowUp' || key === 'ArrowDown') {
    return { ...at, input: clamp(at.input + (key === 'ArrowUp' ? -1 : 1), shape[c - 1]) };
  }
  if (key === 'ArrowLeft') return { type: 'neuron', layer: at.layer - 1, neuron: at.input };
  return { type: 'neuron', layer: at.layer, neuron: at.neuron };
}

export function setupKeyboard() {
  const help = document.getElementById('help');
  const list = help.querySelector('dl');
  list.replaceChildren(...KEYS.flatMap(([key, what]) => {
    const dt = document.createElement('dt');
    const kbd = document.createElement('kbd');
    kbd.textContent = key;
    dt.append(kbd);
    const dd = document.createElement('dd');
    dd.textContent = what;
    return [dt, dd];
  }));
  const toggleHelp = (show = help.hidden) => {
    help.hidden = !show;
  };
  document.getElementById('help-button').addEventListener('click', () => toggleHelp());
  help.querySelector('.close').addEventListener('click', () => toggleHelp(false));
  help.addEventListener('click', (e) => { if (e.target === help) toggleHelp(false); });

  const network = document.getElementById('network');
  // A click inspects; it does not take the keyboard (→ must still step the phases).
  network.addEventListener('mousedown', (e) => e.preventDefault());
  network.addEventListener('keydown', (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (unrolledShown() || mapsShown()) {
      // A convolutional network: the keyboard moves over the kernels' cells; a recurrent one
      // over the recurrent layer's weights (up and down the units, across a unit's weights).
      const type = unrolledShown() ? 'recurrent' : 'kernel';
      const move = type === 'recurrent' ? moveRecurrentFocus : moveKernelFocus;
      const on = state.focus?.type === type ? state.focus : null;
      if (e.key.startsWith('Arrow') && !e.shiftKey) actions.focusOn(move(on, e.key));
      else if (e.key === 'Enter' || (e.key === ' ' && on)) actions.pickKernel(on ?? move(null, ''));
      else if (e.key === 'Escape' && (on || state.kernel)) { actions.focusOn(null); actions.pickKernel(null); } else return;
      e.preventDefault();
      e.stopPropagation();
      return;
    }
    if (e.key.startsWith('Arrow') && !e.shiftKey) {
      actions.focusOn(moveFocus(state.focus, e.key, state.shape));
    } else if (e.key === 'Enter' || (e.key === ' ' && state.focus)) {
      if (!state.focus) actions.focusOn(moveFocus(null, e.key, state.shape));
      actions.select(state.focus);
    } else if (e.key === 'Escape' && state.focus) {
      actions.focusOn(null);
    } else {
      return;
    }
    e.preventDefault();
    e.stopPropagation();
  });
  network.addEventListener('focus', () => {
    if (!state.focus) actions.focusOn(unrolledShown() ? moveRecurrentFocus(null, '') : mapsShown() ? moveKernelFocus(null, '') : moveFocus(null, '', state.shape));
  });
  network.addEventListener('blur', () => actions.focusOn(null));

  document.addEventListener('keydown', (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey || typing(e.target)) return;
    // Buttons take Space and Enter themselves.
    if ((e.key === ' ' || e.key === 'Enter') && e.target.closest?.('button, a, summary, [role=button]')) return;
    let handled = true;
    const key = e.key;
    if (key === ' ') actions.play();
    else if ((key === 'ArrowRight' && e.shiftKey)) actions.stepSample();
    else if (key === 'ArrowRight' || key === 'PageDown') actions.stepPhase();
    else if (key === 'ArrowLeft' || key === 'Backspace' || key === 'PageUp') actions.undo();
    else if (key === 'e' || key === 'E') actions.stepEpoch();
    else if (key === 'r' || key === 'R') actions.resetTraining();
    else if (key === 'p' || key === 'P') actions.apply({ present: !value('present') });
    else if (key === '+' || key === '=') scaleLearningRate(2);
    else if (key === '-' || key === '_') scaleLearningRate(0.5);
    else if (key === ']') nextLesson(1);
    else if (key === '[') nextLesson(-1);
    else if (key === 't' || key === 'T') tour.startTour();
    else if (key === 'n' || key === 'N') tour.nextStop();
    else if (key === 'b' || key === 'B') tour.previousStop();
    else if (key >= '1' && key <= '4') tour.choose(Number(key) - 1);
    else if (key === '?' || key === 'h') toggleHelp();
    else if (key === 'Escape') {
      const share = document.getElementById('share');
      if (!help.hidden) toggleHelp(false);
      else if (!share.hidden) share.hidden = true;
      else if (state.position.selection) actions.select(null);
      else if (value('present')) actions.apply({ present: false });
    } else handled = false;
    if (handled) e.preventDefault();
  });
}
