// For screen readers: a polite live region that says what just happened (the phase run,
// throttled while playing) and what the keyboard is on in the network, and the numbers of
// the shown sample as one table per layer. Read only.

import { Buffer, view } from './engine.js';
import { fmt, fmtInt } from './colors.js';
import { state, done, phaseName } from './state.js';
import { kernelName, kernelIndex, layerKinds } from './maps_view.js';

/** While playing, at most one announcement every this many ms. */
const PLAYING_EVERY_MS = 4000;
let announcedAt = 0;
let lastPhaseKey = '';
let lastFocusKey = '';

function say(text) {
  const region = document.getElementById('announce');
  if (region.textContent !== text) region.textContent = text;
}

function inputName(i) {
  return state.info.input_labels[i] ?? `x${i + 1}`;
}

function layerName(l) {
  return l === state.shape.length - 2 ? 'the output layer' : `layer ${l + 1}`;
}

/** A neuron's or an edge's numbers, in words. */
export function describe(target) {
  const s = state.session;
  const batch = s.batchLength();
  const sample = Math.min(state.position.sample, Math.max(0, batch - 1));
  if (target.type === 'kernel') {
    const w = view(s, Buffer.Weights, target.layer);
    return `${kernelName(target)}: K ${fmt(w[kernelIndex(target)], 4)}. Enter shows its chain rule.`;
  }
  if (target.type === 'neuron' && target.layer < 0) {
    const x = batch && state.progress > 0 ? `: ${fmt(view(s, Buffer.BatchInput)[sample * state.shape[0] + target.neuron], 4)}` : '';
    return `Input ${inputName(target.neuron)}${x}`;
  }
  const l = target.layer;
  const units = state.shape[l + 1];
  if (target.type === 'neuron') {
    const parts = [`Neuron ${target.neuron + 1} of ${layerName(l)}`];
    const k = sample * units + target.neuron;
    if (batch && done({ kind: 'forward', layer: l })) {
      parts.push(`z ${fmt(view(s, Buffer.PreActivation, l)[k], 4)}`, `a ${fmt(view(s, Buffer.Activation, l)[k], 4)}`);
    }
    if (batch && done({ kind: 'backward', layer: l })) parts.push(`δ ${fmt(view(s, Buffer.Delta, l)[k], 4)}`);
    return `${parts.join(', ')}. Enter opens the inspector.`;
  }
  const inputs = state.shape[l];
  const k = target.neuron * inputs + target.input;
  const from = l === 0 ? `input ${inputName(target.input)}` : `neuron ${target.input + 1} of layer ${l}`;
  const parts = [`Weight from ${from} to neuron ${target.neuron + 1} of ${layerName(l)}`, `w ${fmt(view(s, Buffer.Weights, l)[k], 4)}`];
  if (s.steps() > 0 || done({ kind: 'backward', layer: l })) parts.push(`dL/dw of the batch ${fmt(view(s, Buffer.GradWeights, l)[k], 4)}`);
  return `${parts.join(', ')}. Enter opens the inspector.`;
}

/** Announces a new phase (throttled while playing) or a new keyboard place. */
export function announce(now, caption) {
  const focusKey = state.focus ? JSON.stringify(state.focus) : '';
  if (focusKey && focusKey !== lastFocusKey) {
    lastFocusKey = focusKey;
    say(describe(state.focus));
    return;
  }
  lastFocusKey = focusKey;
  const last = state.position.last;
  const phaseKey = `${state.session.steps()}|${last ? `${last.kind}:${last.layer}` : ''}`;
  if (phaseKey === lastPhaseKey) return;
  if (state.playing && now - announcedAt < PLAYING_EVERY_MS) return;
  lastPhaseKey = phaseKey;
  announcedAt = now;
  say(state.playing
    ? `Training: step ${fmtInt(state.session.steps())}, training loss ${fmt(state.session.historyTrain().at(-1), 4)}.`
    : `${last ? `${phaseName(last)} done. ` : ''}${caption}`);
}

/** The tables of the numbers (when the student opened them). */
export function updateTables() {
  const box = document.querySelector('#numbers');
  if (!box.open) return;
  const s = state.session;
  const batch = s.batchLength();
  const sample = Math.min(state.position.sample, Math.max(0, batch - 1));
  const cell = (tag, text) => {
    const c = document.createElement(tag);
    c.textContent = text;
    return c;
  };
  const tables = [];
  for (let l = 0; l < state.shape.length - 1; l++) {
    const units = state.shape[l + 1];
    const inputs = state.shape[l];
    const table = document.createElement('table');
    const kind = layerKinds()[l]?.type ?? 'dense';
    if (kind !== 'dense') {
      // Its numbers are maps and a shared kernel, not a row of weights per neuron: the maps view
      // draws them, and a kernel weight's chain rule lists its terms.
      const p = cell('p', `${layerName(l)} is a ${kind} layer: its maps (and kernels) are drawn in the network view.`);
      tables.push(p);
      continue;
    }
    table.append(cell('caption', `${layerName(l)}, sample ${batch ? sample + 1 : '—'} of the batch`));
    const head = document.createElement('tr');
    const names = ['neuron', 'b', 'z', 'a', 'δ', ...Array.from({ length: Math.min(inputs, 16) }, (_, i) => `w from ${l === 0 ? inputName(i) : i + 1}`)];
    head.append(...names.map((n) => { const th = cell('th', n); th.scope = 'col'; return th; }));
    table.append(head);
    const forward = batch && done({ kind: 'forward', layer: l });
    const backward = batch && done({ kind: 'backward', layer: l });
    const z = forward ? view(s, Buffer.PreActivation, l) : null;
    const a = forward ? view(s, Buffer.Activation, l) : null;
    const d = backward ? view(s, Buffer.Delta, l) : null;
    const b = view(s, Buffer.Biases, l);
    const w = view(s, Buffer.Weights, l);
    for (let j = 0; j < units; j++) {
      const row = document.createElement('tr');
      const k = sample * units + j;
      const th = cell('th', String(j + 1));
      th.scope = 'row';
      row.append(th, cell('td', fmt(b[j], 4)), cell('td', z ? fmt(z[k], 4) : '—'), cell('td', a ? fmt(a[k], 4) : '—'), cell('td', d ? fmt(d[k], 4) : '—'));
      for (let i = 0; i < Math.min(inputs, 16); i++) row.append(cell('td', fmt(w[j * inputs + i], 4)));
      table.append(row);
    }
    tables.push(table);
  }
  box.querySelector('.tables').replaceChildren(...tables);
}
