// Sharing: the whole state in a link (the engine's table-driven codec, src/share.rs), and
// files: the model (the engine's JSON format) out and in, the loss history as CSV, and the
// network view and loss chart as PNG.

import { encodeShareQuery, decodeShareQuery } from './engine.js';
import { Engine } from './engine.js';
import { state, rebuild, reportError, say } from './state.js';
import { PROBLEMS } from './data.js';
import { allPoints } from './data_controls.js';
import { applySession, lessonById } from './lessons.js';
import { syncControls } from './controls.js';
import { historyCsv } from './loss_chart.js';
import { download, downloadCanvas, chosenText } from './files.js';

const $ = (id) => document.getElementById(id);

/** The session a link carries: settings, architecture with the current weights, seed,
 *  lesson, and the points when they are not a generated problem's. */
export function currentSession() {
  const s = state.settings;
  const d = state.data;
  const network = JSON.parse(state.engine.exportModel()).network;
  return {
    network,
    data: { problem: s.dataset in PROBLEMS ? s.dataset : 'circle', points: s.points, noise: s.noise, test_ratio: s.testRatio, seed: s.dataSeed },
    features: d.features,
    scaling: d.set ? s.scaling : 'none',
    lesson: s.lesson,
    // Training points first and their count, so the link keeps who is in which set.
    points: s.dataset === 'custom' ? { ...allPoints(d), train: d.train.y.length } : null,
  };
}

/** The link to the current state. */
export function shareLink() {
  const query = encodeShareQuery(currentSession());
  return `${location.origin}${location.pathname}?${query}`;
}

/**
 * Opens the state a link's query describes. Never fails: what cannot be read is named in a
 * message and replaced by defaults; if the engine refuses the result, the page's defaults load.
 * Returns true if a link was read.
 */
export function openLink(query) {
  if (!query || query === '?') return false;
  const { session, warnings } = decodeShareQuery(query);
  const lesson = session.lesson ? lessonById(session.lesson) : null;
  if (session.lesson && !lesson) warnings.push(`there is no lesson "${session.lesson}" in this version; it was left out`);
  if (!lesson) session.lesson = null;
  // A lesson's exact samples travel by name: use them if the link's network fits them.
  const samples = lesson?.samples && !session.points && session.network.inputs === lesson.session.network.inputs
    && session.data.problem === lesson.session.data.problem ? lesson.samples : null;
  const ok = applySession(session, samples, 'Opened from a link: this is the state its sender saw.');
  if (!ok) {
    const why = $('message').querySelector('.text').textContent;
    rebuild(null, { withData: true });
    syncControls();
    say(`This link could not be opened (${why}); the page starts with its default settings.`, 'error');
    return true;
  }
  if (warnings.length) {
    say(`Parts of this link could not be read, so defaults were used there: ${warnings.join('; ')}.`, 'error');
  }
  return true;
}

export function setupShare() {
  const dialog = $('share');
  $('share-button').addEventListener('click', () => {
    try {
      const link = shareLink();
      $('share-url').value = link;
      $('share-note').textContent = link.length > 8000
        ? `The link is ${link.length.toLocaleString('en-US')} characters long: some chat tools cut long links.`
        : `${link.length.toLocaleString('en-US')} characters. Weights travel in the link for networks of up to 2,000 numbers, data sets of up to 2,000 numbers.`;
    } catch (error) {
      reportError(error);
      return;
    }
    state.playing = false;
    dialog.hidden = false;
    $('share-url').select();
  });
  dialog.querySelector('.close').addEventListener('click', () => { dialog.hidden = true; });
  dialog.addEventListener('click', (e) => { if (e.target === dialog) dialog.hidden = true; });
  dialog.addEventListener('keydown', (e) => { if (e.key === 'Escape') { dialog.hidden = true; e.stopPropagation(); } });
  $('share-copy').addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText($('share-url').value);
      $('share-note').textContent = 'Copied.';
    } catch {
      $('share-url').select();
      $('share-note').textContent = 'Press Ctrl+C (⌘C) to copy the selected link.';
    }
  });
  $('export-model').addEventListener('click', () => download('backprop-viz-model.json', state.engine.exportModel(), 'application/json'));
  $('import-model').addEventListener('change', async (e) => {
    const file = await chosenText(e.target).catch((error) => { reportError(error); return null; });
    e.target.value = '';
    if (file) importModel(file);
  });
  $('export-loss').addEventListener('click', () => download('loss-history.csv', historyCsv(), 'text/csv'));
  $('export-network-png').addEventListener('click', () => downloadCanvas($('network'), 'network.png'));
  $('export-chart-png').addEventListener('click', () => downloadCanvas($('loss-chart'), 'loss-chart.png'));
}

/** Loads a model file onto the current data; a refusal (bad file, wrong input width) changes nothing. */
export function importModel({ name, text }) {
  let probe;
  try {
    probe = Engine.fromModel(text);
    const inputs = probe.inputCount();
    const outputs = probe.layerUnits(probe.layerCount() - 1);
    if (inputs !== state.data.inputs || outputs !== state.data.outputs) {
      throw new Error(`the model has ${inputs} input(s) and ${outputs} output(s), but the data gives ${state.data.inputs} input(s) and needs ${state.data.outputs} output(s)`);
    }
  } catch (error) {
    reportError(new Error(`The model file "${name}" was not loaded, and the network stays as it was: ${error.message}`));
    return false;
  } finally {
    probe?.free();
  }
  const config = JSON.parse(text).network;
  const ok = rebuild(`Model loaded from ${name}.`, { config, previous: structuredClone(state.settings) });
  syncControls();
  if (ok) $('share').hidden = true;
  return ok;
}
