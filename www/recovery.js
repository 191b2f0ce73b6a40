// Recovery from an internal error. A panic inside the engine traps its WebAssembly instance,
// which cannot be trusted afterwards; Reset then loads a fresh instance and rebuilds the page's
// engine and data from its settings, without a reload.
import { reloadEngine } from './engine.js';
import { state, rebuild } from './state.js';
import { generateData, pointsData } from './data.js';
import { allPoints } from './data_controls.js';

export async function recover() {
  await reloadEngine();
  const s = state.settings;
  const old = state.data;
  // The old engine and data set belong to the broken instance: drop them without calling into it.
  state.engine = null;
  let data;
  if (old?.name === 'samples') {
    data = old; // a lesson's exact samples are plain JS
  } else if (s.dataset === 'custom' && old) {
    data = pointsData({ ...allPoints(old), train: old.train.y.length }, old.label, s);
  } else {
    data = generateData(s);
  }
  if (old && old !== data) old.set = null;
  state.broken = false;
  return rebuild('The engine was restarted after an internal error: your settings are kept, and training starts again.', { data });
}
