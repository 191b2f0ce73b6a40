// The share dialog: a link to the whole state (the session's, src/share.rs), and files: the
// model file (the whole session, src/model_file.rs) out and in, the loss history as CSV, and
// the network view and loss chart as PNG. Events → actions.

import { state } from './state.js';
import { PANELS } from './embed_page.js';
import { importModel, reportError, play } from './actions.js';
import { download, downloadCanvas, chosenText } from './files.js';

const $ = (id) => document.getElementById(id);

/** The link to the current state: {url, complete, note}, in presenter mode if asked. */
export function shareLink(present = document.getElementById('share-present').checked) {
  const link = state.session.linkWith({ present });
  return { ...link, url: `${location.origin}${location.pathname}?${link.query}` };
}

/** What the embed snippets may show, as the embed page names them (www/embed.js). */
// The element's panels, as the embed page names them.
const EMBED_PANELS = PANELS;

/** Escapes text for an HTML attribute value in double quotes. */
const attribute = (text) => String(text).replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

/** The two embed snippets for the current state: {element, iframe}. `panels` is a subset of
 *  EMBED_PANELS; the element loads backprop-viz.js from beside this page. */
export function embedCode(panels = EMBED_PANELS, { readonly = false, height = 480 } = {}) {
  const { query } = state.session.linkWith({ present: false });
  const base = new URL('.', `${location.origin}${location.pathname}`).href;
  const chosen = panels.join(',');
  const options = `${readonly ? ' readonly' : ''}`;
  const element = `<script type="module" src="${base}backprop-viz.js"></script>\n`
    + `<backprop-viz session="?${attribute(query)}" panels="${chosen}" height="${height}"${options}></backprop-viz>`;
  const search = new URLSearchParams(query);
  search.set('panels', chosen);
  if (readonly) search.set('readonly', '');
  const iframe = `<iframe src="${attribute(`${base}embed.html?${search}`)}" title="backprop-viz" width="100%" height="${height}"></iframe>`;
  return { element, iframe };
}

/** The "Copy embed code" part of the share dialog, built here (index.html holds no copy of it). */
function setupEmbedCode(card) {
  const section = document.createElement('section');
  section.id = 'embed-code';
  const heading = document.createElement('h2');
  heading.textContent = 'Copy embed code';
  const panels = document.createElement('div');
  panels.className = 'share-buttons';
  const boxes = EMBED_PANELS.map((name) => {
    const label = document.createElement('label');
    label.className = 'check';
    const box = document.createElement('input');
    box.type = 'checkbox';
    box.checked = name !== 'graph';
    box.value = name;
    label.append(box, ` ${name}`);
    panels.append(label);
    return box;
  });
  const readonlyLabel = document.createElement('label');
  readonlyLabel.className = 'check';
  const readonly = document.createElement('input');
  readonly.type = 'checkbox';
  readonly.id = 'embed-readonly';
  readonlyLabel.append(readonly, ' read-only (hides the settings)');
  panels.append(readonlyLabel);
  const snippet = (id, text) => {
    const area = document.createElement('textarea');
    area.id = id;
    area.readOnly = true;
    area.rows = 3;
    area.setAttribute('aria-label', text);
    const copy = document.createElement('button');
    copy.id = `${id}-copy`;
    copy.textContent = `Copy ${text}`;
    copy.addEventListener('click', async () => {
      try {
        await navigator.clipboard.writeText(area.value);
        copy.textContent = 'Copied.';
      } catch {
        area.select();
        copy.textContent = 'Press Ctrl+C (⌘C)';
      }
    });
    return [area, copy];
  };
  const [elementArea, elementCopy] = snippet('embed-element', 'the element snippet');
  const [iframeArea, iframeCopy] = snippet('embed-iframe', 'the iframe snippet');
  section.append(heading, panels, elementArea, elementCopy, iframeArea, iframeCopy);
  card.append(section);
  const fill = () => {
    const chosen = boxes.filter((b) => b.checked).map((b) => b.value);
    const code = embedCode(chosen.length ? chosen : EMBED_PANELS, { readonly: readonly.checked });
    elementArea.value = code.element;
    iframeArea.value = code.iframe;
  };
  section.addEventListener('change', fill);
  return fill;
}

export function setupShare() {
  const dialog = $('share');
  const fillEmbed = setupEmbedCode(dialog.querySelector('.card'));
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
    fillEmbed();
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
