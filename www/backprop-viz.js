// <backprop-viz>: the visualizer as an element for course pages.
//
//   <script type="module" src="…/backprop-viz.js"></script>
//   <backprop-viz lesson="chain-rule" panels="network,controls" height="420"></backprop-viz>
//
// Each element frames the embed page (embed.html, beside this file) in its shadow root: a
// same-origin document of its own, so each has its own engine and state, its styles cannot
// leak out, and the host page's styles cannot reach in. The wasm is fetched and compiled once
// per page (by the first frame, under the embed page's own CSP) and posted to every other
// frame as a WebAssembly.Module. Nothing here is inline script or style, and nothing is
// requested from anywhere but this file's origin.
//
// Attributes: lesson, session ("?…", a shared link's query), panels (network, graph, output,
// loss, gradients, inspector, controls: any subset, comma- or space-separated), scale (text
// size, e.g. 1.5), autoplay, readonly, height (px or any CSS length; the width follows the
// container). Events (detail: {steps, epochs, loss, learningRate, progress, …}): ready, step,
// phase, diverged, lessonstop, play, pause. Properties: session (the current link query),
// numbers; methods (promises): apply(patch), step(unit = 'phase' | 'batch' | 'epoch'), play(), pause().

const EMBED_URL = new URL('./embed.html', import.meta.url);
const ATTRIBUTES = ['lesson', 'session', 'panels', 'scale', 'autoplay', 'readonly', 'height'];

/** The embed page's URL for these attributes (also the iframe snippet's src). */
export function embedUrl({ lesson, session, panels, scale, autoplay, readonly } = {}, host = false) {
  const query = new URLSearchParams(session ? String(session).replace(/^[?#]/, '') : '');
  if (lesson && !query.has('lesson')) query.set('lesson', lesson);
  if (panels) query.set('panels', String(panels).split(/[\s,]+/).filter(Boolean).join(','));
  if (scale) query.set('scale', scale);
  if (autoplay) query.set('autoplay', '');
  if (readonly) query.set('readonly', '');
  if (host) query.set('host', 'element');
  const url = new URL(EMBED_URL);
  url.search = query.toString();
  return url.href;
}

// ---- the wasm, once per page -------------------------------------------------------------------

/** The compiled module once a frame has handed it over; the frame compiling it; who waits. */
let compiled = null;
let compiler = null;
const waiting = new Set();
/** Each element by its frame's window. */
const byWindow = new Map();

function post(target, message) {
  target.postMessage({ source: 'backprop-viz-host', ...message }, EMBED_URL.origin);
}

function onMessage(event) {
  const data = event.data;
  if (data?.source !== 'backprop-viz' || event.origin !== EMBED_URL.origin) return;
  const element = byWindow.get(event.source);
  if (!element) return;
  if (data.type === 'hello') {
    if (compiled) post(event.source, { type: 'module', module: compiled });
    else if (compiler && compiler !== event.source) waiting.add(event.source);
    else {
      compiler = event.source;
      post(event.source, { type: 'compile' });
    }
  } else if (data.type === 'module') {
    compiled = data.module;
    for (const frame of waiting) post(frame, { type: 'module', module: compiled });
    waiting.clear();
  } else if (data.type === 'module-failed') {
    // Each waiting frame compiles for itself (the HTTP cache still serves the file).
    compiler = null;
    for (const frame of waiting) post(frame, { type: 'compile' });
    waiting.clear();
  } else element.receive(data);
}

window.addEventListener('message', onMessage);

/** Adopted style sheets are not inline styles, so a host page's strict CSP allows them. */
const SHEET = (() => {
  try {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(':host { display: block !important; min-width: 0; contain: layout; } :host([hidden]) { display: none !important; } '
      + 'iframe { display: block; width: 100%; border: 0; background: #fff; color-scheme: light; }');
    return sheet;
  } catch {
    return null;
  }
})();

export class BackpropViz extends HTMLElement {
  static observedAttributes = ATTRIBUTES;

  #frame = null;
  #calls = new Map();
  #nextCall = 1;
  #queue = [];
  #ready = false;
  #query = '';
  #numbers = null;

  constructor() {
    super();
    const root = this.attachShadow({ mode: 'open' });
    if (SHEET) root.adoptedStyleSheets = [SHEET];
  }

  connectedCallback() {
    this.#load();
  }

  disconnectedCallback() {
    if (this.#frame) byWindow.delete(this.#frame.contentWindow);
    this.#frame?.remove();
    this.#frame = null;
  }

  attributeChangedCallback(name, old, value) {
    if (old === value || !this.#frame) return;
    if (name === 'height') this.#size();
    else this.#load();
  }

  #attributes() {
    return Object.fromEntries(ATTRIBUTES.map((a) => [a, this.hasAttribute(a) ? (this.getAttribute(a) || true) : undefined]));
  }

  #size() {
    const height = this.getAttribute('height') ?? '480';
    this.#frame.style.height = /^\d+(\.\d+)?$/.test(height) ? `${height}px` : height;
  }

  #load() {
    if (this.#frame) byWindow.delete(this.#frame.contentWindow);
    this.#ready = false;
    const frame = document.createElement('iframe');
    const attributes = this.#attributes();
    frame.title = `backprop-viz${attributes.lesson ? `: ${attributes.lesson}` : ''}`;
    frame.src = embedUrl(attributes, true);
    this.#frame?.remove();
    this.#frame = frame;
    this.#size();
    this.shadowRoot.append(frame);
    byWindow.set(frame.contentWindow, this);
  }

  /** A message from this element's frame. */
  receive(data) {
    if (data.type === 'ready') {
      this.#ready = true;
      this.#query = data.query;
      this.#numbers = data.detail;
      for (const call of this.#queue.splice(0)) post(this.#frame.contentWindow, call);
      this.dispatchEvent(new CustomEvent('ready', { detail: data.detail }));
    } else if (data.type === 'event') {
      if (data.detail && data.name !== 'error') this.#numbers = data.detail;
      this.dispatchEvent(new CustomEvent(data.name, { detail: data.detail }));
    } else if (data.type === 'session') {
      this.#query = data.query;
    } else if (data.type === 'reply') {
      const call = this.#calls.get(data.id);
      this.#calls.delete(data.id);
      if (data.ok) {
        if (data.value && typeof data.value === 'object') this.#numbers = data.value;
        call?.resolve(data.value);
      } else call?.reject(new Error(data.error));
    }
  }

  #call(method, ...args) {
    return new Promise((resolve, reject) => {
      const id = this.#nextCall++;
      this.#calls.set(id, { resolve, reject });
      const message = { type: 'call', id, method, args };
      if (this.#ready) post(this.#frame.contentWindow, message);
      else this.#queue.push(message);
    });
  }

  /** The current state as a link query ('?…'), for `session=` (refreshed twice a second). */
  get session() { return this.#query; }
  /** The last numbers the frame sent: {steps, epochs, loss, learningRate, progress}. */
  get numbers() { return this.#numbers; }
  /** Whether the engine is loaded and calls go straight through. */
  get ready() { return this.#ready; }
  /** Applies a patch of settings ({lr: 0.1}); resolves to the numbers after it. */
  apply(patch) { return this.#call('apply', patch); }
  /** Runs one phase ('phase'), one training step ('batch') or one epoch ('epoch'). */
  step(unit = 'phase') { return this.#call('step', unit); }
  play() { return this.#call('play'); }
  pause() { return this.#call('pause'); }
}

if (!customElements.get('backprop-viz')) customElements.define('backprop-viz', BackpropViz);
