// The notebook widget's front-end: an anywidget module (render({ model, el })) that shows the
// same visualizer as the <backprop-viz> element (www/backprop-viz.js) in a notebook cell.
//
// How it reaches its assets offline. The notebook loads this module from a blob: URL, so it
// has no folder to fetch from, and the notebook server is not ours to serve files. Every asset
// therefore comes in the widget's own synced state, read by the Python side from the files
// shipped inside the package (backprop_viz_widget/static/):
//   _wasm, _digits   bytes (traitlets.Bytes: binary buffers on the comm, a DataView here)
//   _frame_js        the page's modules bundled into one script (python/js/frame.js)
//   _index_html      index.html, whose body the frame adopts (as the embed page does)
//   _frame_css       style.css + embed.css
// The wasm is compiled here once per notebook page (per asset key) and the same
// WebAssembly.Module is posted to every widget's frame; the frame script becomes one blob:
// URL per page. Each view frames a `srcdoc` document: same-origin with the notebook, so the
// Module can be posted to it, and with a document of its own, so each view has its own engine
// and the notebook's CSS cannot reach in. No request leaves the page.
//
// Traits (synced): lesson, session (a link query), panels, readonly, height, scale; the view
// writes back steps, epochs, loss, learning_rate, phase, error and session (model.set +
// save_changes, at most five times a second). Custom messages from Python: {method, args}
// with method apply, step, play or pause.

/** Per notebook page, by asset key: the compiled wasm (a promise) and the frame script's URL. */
const shared = (globalThis[Symbol.for('backprop-viz-widget')] ??= new Map());
/** Per model: its views, and the messages Python sent before any view was ready. */
const models = new WeakMap();

/** Bytes from a synced Bytes trait: a DataView in Jupyter, maybe an ArrayBuffer or a typed array. */
function bytesOf(value) {
  if (!value) return null;
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  return null;
}

function assets(model) {
  const key = model.get('_asset_key');
  let found = shared.get(key);
  if (!found) {
    found = {
      module: WebAssembly.compile(bytesOf(model.get('_wasm'))),
      script: URL.createObjectURL(new Blob([model.get('_frame_js')], { type: 'text/javascript' })),
    };
    shared.set(key, found);
  }
  return found;
}

/** Text safe inside a <style> element. */
const inStyle = (css) => css.replace(/<\/style/gi, '<\\/style');

function srcdoc(model, script) {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>backprop-viz</title>
<style>${inStyle(model.get('_frame_css'))}</style></head>
<body class="embed" data-state="loading"><p id="engine-status" class="status">Loading the engine…</p>
<script type="module" src="${script}"></script></body></html>`;
}

/** The link query the frame opens: the session, with the lesson when the session names none. */
function queryOf(model) {
  const query = new URLSearchParams(String(model.get('session') ?? '').replace(/^[?#]/, ''));
  const lesson = model.get('lesson');
  if (lesson && !query.has('lesson')) query.set('lesson', lesson);
  const text = query.toString();
  return text ? `?${text}` : '';
}

const heightOf = (height) => (Number(height) > 0 ? `${Number(height)}px` : '480px');

/** The phase the stepper last ran ({kind, layer?}, src/phase.rs) as words: 'forward 0', 'loss',
 *  'backward 1', 'update' (layers counted from 0, the first layer after the inputs). */
function phaseName(phase) {
  if (!phase?.kind) return '';
  return phase.layer === undefined || phase.layer === null ? phase.kind : `${phase.kind} ${phase.layer}`;
}

function modelState(model) {
  let found = models.get(model);
  if (!found) {
    found = { views: new Set(), pending: [] };
    models.set(model, found);
    // Python's calls: each ready view acts on them; kept until a view is ready.
    model.on('msg:custom', (message) => {
      if (!message || typeof message.method !== 'string') return;
      if (found.views.size === 0) found.pending.push(message);
      for (const view of found.views) view.call(message.method, message.args ?? []);
    });
  }
  return found;
}

function initialize({ model }) {
  modelState(model);
}

function render({ model, el }) {
  const state = modelState(model);
  const host = el.attachShadow ? (el.shadowRoot ?? el.attachShadow({ mode: 'open' })) : el;
  const frame = document.createElement('iframe');
  frame.title = `backprop-viz${model.get('lesson') ? `: ${model.get('lesson')}` : ''}`;
  frame.style.cssText = `display:block;width:100%;height:${heightOf(model.get('height'))};border:0;background:#fff;color-scheme:light`;
  const { module, script } = assets(model);
  frame.srcdoc = srcdoc(model, script);
  host.append(frame);

  let ready = false;
  const queue = [];
  let nextCall = 1;
  /** The session link the frame last reported (so that writing it back is not taken for a
   *  change from Python). */
  let reported = null;
  const post = (message) => frame.contentWindow?.postMessage({ source: 'backprop-viz-host', ...message }, '*');
  const send = (message) => (ready ? post(message) : queue.push(message));

  // The numbers back to Python, at most five times a second (a playing network steps every frame).
  let due = null;
  let timer = null;
  const flush = () => {
    timer = null;
    if (!due) return;
    for (const [key, value] of Object.entries(due)) model.set(key, value);
    due = null;
    model.save_changes();
  };
  const report = (values) => {
    due = { ...due, ...values };
    timer ??= setTimeout(flush, 200);
  };
  const numbers = (detail) => {
    if (!detail || typeof detail !== 'object') return;
    const values = {};
    if (Number.isFinite(detail.steps)) values.steps = detail.steps;
    if (Number.isFinite(detail.epochs)) values.epochs = detail.epochs;
    if ('loss' in detail) values.loss = Number.isFinite(detail.loss) ? detail.loss : null;
    if (Number.isFinite(detail.learningRate)) values.learning_rate = detail.learningRate;
    if ('phase' in detail) values.phase = phaseName(detail.phase);
    report(values);
  };
  const session = (query) => {
    reported = query;
    report({ session: query });
  };

  const view = {
    call(method, args) {
      if (!['apply', 'step', 'play', 'pause'].includes(method)) return;
      send({ type: 'call', id: nextCall++, method, args });
    },
  };

  const onMessage = async (event) => {
    const data = event.data;
    if (event.source !== frame.contentWindow || data?.source !== 'backprop-viz') return;
    if (data.type === 'hello') {
      let compiled;
      try {
        compiled = await module;
      } catch (error) {
        report({ error: `The engine could not load: ${error?.message ?? error}` });
        return;
      }
      post({ type: 'config', module: compiled, indexHtml: model.get('_index_html'), digits: bytesOf(model.get('_digits')),
        query: queryOf(model), panels: model.get('panels'), readonly: model.get('readonly'), scale: model.get('scale') || null });
    } else if (data.type === 'ready') {
      ready = true;
      numbers(data.detail);
      session(data.query);
      report({ error: '' });
      state.views.add(view);
      for (const message of queue.splice(0)) post(message);
      for (const message of state.pending.splice(0)) view.call(message.method, message.args ?? []);
    } else if (data.type === 'event') {
      if (data.name === 'error') report({ error: data.detail?.message ?? 'error' });
      else numbers(data.detail);
    } else if (data.type === 'session') {
      session(data.query);
    } else if (data.type === 'reply') {
      if (data.ok) numbers(data.value);
      report({ error: data.ok ? '' : String(data.error) });
    }
  };
  window.addEventListener('message', onMessage);

  // Python's assignments.
  const onLesson = () => {
    frame.title = `backprop-viz${model.get('lesson') ? `: ${model.get('lesson')}` : ''}`;
    const lesson = model.get('lesson');
    if (lesson) send({ type: 'open', query: `?lesson=${encodeURIComponent(lesson)}` });
  };
  const onSession = () => {
    const query = model.get('session');
    if (query && query !== reported) send({ type: 'open', query: queryOf(model) });
  };
  const onOptions = () => send({ type: 'options', panels: model.get('panels'), readonly: model.get('readonly') });
  const onHeight = () => { frame.style.height = heightOf(model.get('height')); };
  const onScale = () => { if (Number(model.get('scale')) > 0) view.call('apply', [{ text_size: Number(model.get('scale')) }]); };
  const handlers = { 'change:lesson': onLesson, 'change:session': onSession, 'change:panels': onOptions,
    'change:readonly': onOptions, 'change:height': onHeight, 'change:scale': onScale };
  for (const [name, handler] of Object.entries(handlers)) model.on(name, handler);

  return () => {
    for (const [name, handler] of Object.entries(handlers)) model.off(name, handler);
    window.removeEventListener('message', onMessage);
    state.views.delete(view);
    if (timer) clearTimeout(timer);
    frame.remove();
  };
}

export default { initialize, render };
