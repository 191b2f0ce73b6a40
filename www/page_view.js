// The page's frame: which parts are shown (presenter mode, the settings panel, the panels
// presenter mode keeps) as data attributes of <body> that the style sheet lays out, and the
// top bar's read-outs. Read only.

import { state, value, imageMode } from './state.js';

const ATTRIBUTES = {
  present: 'present',
  sidebar: 'sidebar',
  panel_output: 'output',
  panel_loss: 'loss',
  panel_gradients: 'gradients',
  panel_inspector: 'inspectorPanel',
  graph: 'graph',
};

export function updateFrame() {
  const body = document.body.dataset;
  for (const [key, name] of Object.entries(ATTRIBUTES)) {
    const on = String(Boolean(value(key)));
    if (body[name] !== on) body[name] = on;
  }
  const images = String(imageMode(state.info));
  if (body.images !== images) {
    body.images = images;
    document.getElementById('output-title').textContent = images === 'true'
      ? (state.info.kind === 'reconstruction' ? 'Codes and reconstructions' : 'Images') : 'Output over the input plane';
  }
  const size = String(value('text_size') ?? 1);
  if (document.body.style.getPropertyValue('--text-size') !== size) document.body.style.setProperty('--text-size', size);
  // The batch the engine takes (conjugate gradient takes every training point).
  const batch = state.controls.batch?.in_use;
  const note = document.getElementById('batch-note');
  const text = batch === undefined ? '' : `(${batch})`;
  if (note.textContent !== text) note.textContent = text;
}
