// The embed page (embed.html, what a <backprop-viz> element frames, or an iframe on its own):
// index.html's body and modules, with only the panels `?panels=` names, and a postMessage
// bridge to the element (www/backprop-viz.js): events out (step, phase, diverged, lessonstop,
// with their numbers, and the session's link), calls in (apply, step, play, pause).
//
// Query: panels=network,graph,output,loss,gradients,inspector,controls (default: all),
// readonly, autoplay, scale=<text size>, host=element (framed by the element: the wasm comes
// compiled from it); every other key is the session's link (lesson=…, or a whole state).

import { compileEngine, useCompiledEngine } from './engine.js';
import { PANELS, adoptPageBody, ready } from './embed_page.js';

const EMBED_KEYS = ['panels', 'readonly', 'autoplay', 'scale', 'host'];

const params = new URLSearchParams(location.search);
const flag = (key) => params.has(key) && params.get(key) !== 'false' && params.get(key) !== '0';
const chosen = params.has('panels') ? params.get('panels').split(/[\s,]+/).filter(Boolean) : PANELS;
const framed = params.get('host') === 'element' && window.parent !== window;

/** Posts to the element framing this page (nothing when the page stands alone). */
function tell(message) {
  if (framed) window.parent.postMessage({ source: 'backprop-viz', ...message }, '*');
}

/** The element's answer to `hello`: a compiled module, or `compile` (this frame compiles it
 *  and hands it back, for the element to share with the others on its page). */
function engineFromHost() {
  return new Promise((resolve) => {
    const listen = async (event) => {
      if (event.source !== window.parent || event.data?.source !== 'backprop-viz-host') return;
      if (event.data.type === 'module') {
        window.removeEventListener('message', listen);
        useCompiledEngine(event.data.module);
        resolve();
      } else if (event.data.type === 'compile') {
        window.removeEventListener('message', listen);
        try {
          const module = await compileEngine();
          try {
            tell({ type: 'module', module });
          } catch {
            tell({ type: 'module-failed' }); // a host of another origin cannot take the module
          }
        } catch {
          tell({ type: 'module-failed' });
        }
        resolve();
      }
    };
    window.addEventListener('message', listen);
    tell({ type: 'hello' });
  });
}

async function boot() {
  // main.js opens location.search as a session link: it gets the link's keys only.
  const session = new URLSearchParams(params);
  for (const key of EMBED_KEYS) session.delete(key);
  const own = location.search;
  history.replaceState(null, '', `${location.pathname}?${session}`);
  await adoptPageBody(await (await fetch(new URL('./index.html', import.meta.url))).text(), chosen, flag('readonly'));
  if (framed) await engineFromHost();
  await import('./main.js');
  await ready();
  history.replaceState(null, '', `${location.pathname}${own}`);
  const { startBridge } = await import('./embed_bridge.js');
  startBridge({ tell, framed, scale: params.get('scale'), autoplay: flag('autoplay'), graph: chosen.includes('graph') && !chosen.includes('network') });
}

boot().catch((error) => {
  document.body.dataset.state = 'error';
  tell({ type: 'event', name: 'error', detail: { message: String(error?.message ?? error) } });
});
