// The share dialog: a link to the whole state (the session's, src/share.rs), and files: the
// model file (the whole session, src/model_file.rs) out and in, the loss history as CSV, and
// the network view and loss chart as PNG. Events → actions.

import { state } from './state.js';
import { importModel, reportError, play } from './actions.js';
import { download, downloadCanvas, chosenText } from './files.js';

const $ = (id) => document.getElementById(id);

/** The link to the current state: {url, complete, note}, in presenter mode if asked. */
export function shareLink(present = document.getElementById('share-present').checked) {
  const link = state.session.linkWith({ present });
  return { ...link, url: `${location.origin}${location.pathname}?${link.query}` };
}

export function setupShare() {
  const dialog = $('share');
  const fill = () => {
    let link;
    try {
      link = shareLink();
    } catch (error) {
      reportError(error);
      return false;
    }
    $('share-url').value = link.url;
    const length = `${link.url.length.toLocaleString('en-US')} characters.`;
    const long = link.url.length > 8000 ? ' Some chat tools cut links this long: the model file holds the same state.' : '';
    $('share-note').textContent = `${length} ${link.note}${long}`;
    $('share-note').dataset.complete = String(link.complete);
    return true;
  };
  $('share-present').addEventListener('change', () => { fill(); $('share-url').select(); });
  $('share-button').addEventListener('click', () => {
    $('share-present').checked = Boolean(state.controls.present?.value);
    if (!fill()) return;
    play(false);
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
  $('export-model').addEventListener('click', () => download('backprop-viz-model.json', state.session.exportModel(), 'application/json'));
  $('import-model').addEventListener('change', async (e) => {
    const file = await chosenText(e.target, state.fileLimits.model, 'a model file').catch((error) => { reportError(error); return null; });
    e.target.value = '';
    if (file && importModel(file)) dialog.hidden = true;
  });
  $('export-loss').addEventListener('click', () => download('loss-history.csv', state.session.historyCsv(), 'text/csv'));
  $('export-network-png').addEventListener('click', () => downloadCanvas($('network'), 'network.png'));
  $('export-chart-png').addEventListener('click', () => downloadCanvas($('loss-chart'), 'loss-chart.png'));
}
