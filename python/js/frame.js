// The notebook widget's frame: what the widget's front-end (backprop_viz_widget/widget.js)
// puts in an iframe's `srcdoc`. Bundled with the page's modules into the package's
// static/frame.js by `make widget-static`.
//
// The embed page (www/embed.js) cannot serve here: it reads its options from location.search
// and fetches index.html and the wasm beside itself, and a srcdoc (or blob:) document has no
// query and no folder of ours to fetch from (a notebook has no server of ours). So everything
// arrives in one `config` message from the widget instead: index.html's text, the compiled
// WebAssembly.Module, the digits' bytes, the session link and the panels. After that the frame
// talks to the widget through the embed page's own bridge (www/embed_bridge.js: events out,
// calls in), plus two messages of its own: `open` (a session link or lesson) and `options`
// (panels, readonly), which change the running page without a reload.

import { useCompiledEngine, loadEngine } from '../../www/engine.js';
import { PANELS, adoptPageBody, showPanels, ready } from '../../www/embed_page.js';
import { startBridge } from '../../www/embed_bridge.js';
import { openLink } from '../../www/actions.js';

const fromWidget = (event) => event.source === window.parent && event.data?.source === 'backprop-viz-host';

/** Posts to the widget's view in the notebook page. */
function tell(message) {
  window.parent.postMessage({ source: 'backprop-viz', ...message }, '*');
}

/** The panels a widget's `panels` trait names ('' or none: all of them). */
const panelsOf = (panels) => {
  const chosen = String(panels ?? '').split(/[\s,]+/).filter(Boolean);
  return chosen.length ? chosen : PANELS;
};

/** Asks the widget for the frame's configuration (`hello`) and waits for it. */
function configuration() {
  return new Promise((resolve) => {
    const listen = (event) => {
      if (!fromWidget(event) || event.data.type !== 'config') return;
      window.removeEventListener('message', listen);
      resolve(event.data);
    };
    window.addEventListener('message', listen);
    tell({ type: 'hello' });
  });
}

async function boot() {
  const config = await configuration();
  adoptPageBody(config.indexHtml, panelsOf(config.panels), Boolean(config.readonly));
  useCompiledEngine(config.module);
  // main.js's own loadEngine() then finds this load under way (the digits registered with it,
  // so the frame never fetches them).
  const engine = loadEngine(undefined, config.digits ?? undefined);
  await import('../../www/main.js');
  await engine;
  await ready();
  // main.js opened location.search, which a srcdoc document does not have: open the link now.
  if (config.query) openLink(config.query);
  window.addEventListener('message', (event) => {
    if (!fromWidget(event)) return;
    const { type, query, panels, readonly } = event.data;
    if (type === 'open') openLink(query);
    else if (type === 'options') showPanels(panelsOf(panels), Boolean(readonly));
  });
  const chosen = panelsOf(config.panels);
  startBridge({ tell, framed: true, scale: config.scale, autoplay: false, graph: chosen.includes('graph') && !chosen.includes('network') });
}

boot().catch((error) => {
  document.body.dataset.state = 'error';
  tell({ type: 'event', name: 'error', detail: { message: String(error?.message ?? error) } });
});
