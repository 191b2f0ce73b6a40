// A minimal anywidget host for the widget's browser test: the `model` interface a widget's
// module sees in Jupyter (get, set, on, off, save_changes, send), a kernel side that records
// what the view saves and sends, and the module loaded the way anywidget loads it (its `_esm`
// text from the widget's state, imported from a blob: URL), then render({ model, el }).
//
//   window.host.open({ state, buffer_paths, buffers }, { before })
//                              a widget from its comm-open message (buffers base64), in a cell of
//                              its own; `before`: a message from Python between the model's
//                              initialize and the view's render. Resolves to the widget's index.
//   window.host.receive({ data, buffers }, k = 0)        a later message from Python to widget k
//   window.host.saved / window.host.sent                what save_changes / send gave the kernel
//                                                        (host.widgets[k].saved for widget k)

const bytes = (b64) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));

/** Puts binary buffers back at their paths as DataViews (@jupyter-widgets/base put_buffers). */
function putBuffers(state, paths = [], buffers = []) {
  paths.forEach((path, k) => {
    let object = state;
    for (const key of path.slice(0, -1)) object = object[key];
    const buffer = bytes(buffers[k]);
    object[path.at(-1)] = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  });
  return state;
}

function createModel(attributes, saved) {
  const listeners = new Map();
  const dirty = new Set();
  const emit = (name, ...args) => { for (const f of [...(listeners.get(name) ?? [])]) f(...args); };
  const model = {
    get: (key) => attributes[key],
    set(key, value) {
      if (Object.is(attributes[key], value)) return;
      attributes[key] = value;
      dirty.add(key);
      emit(`change:${key}`, model, value);
      emit('change', model);
    },
    on(name, callback) {
      for (const one of name.split(/\s+/)) {
        if (!listeners.has(one)) listeners.set(one, new Set());
        listeners.get(one).add(callback);
      }
    },
    off(name, callback) {
      for (const one of (name ?? '').split(/\s+/)) {
        if (callback) listeners.get(one)?.delete(callback);
        else listeners.delete(one);
      }
    },
    save_changes() {
      if (dirty.size === 0) return;
      saved.push({ state: Object.fromEntries([...dirty].map((key) => [key, attributes[key]])) });
      dirty.clear();
    },
    send(content, callbacks, buffers) { host.sent.push({ content, buffers }); },
    // A message from the kernel: Python's assignments arrive as an update, its send() as custom.
    fromKernel({ data, buffers }) {
      if (data.method === 'update') {
        const state = putBuffers(structuredClone(data.state), data.buffer_paths, buffers);
        for (const [key, value] of Object.entries(state)) {
          attributes[key] = value;
          emit(`change:${key}`, model, value);
        }
        emit('change', model);
      } else if (data.method === 'custom') {
        emit('msg:custom', data.content, (buffers ?? []).map((b) => new DataView(bytes(b).buffer)));
      }
    },
  };
  return model;
}

const host = {
  widgets: [],
  sent: [],
  get model() { return host.widgets[0]?.model; },
  get saved() { return host.widgets[0]?.saved ?? []; },
  async open({ state, buffer_paths, buffers }, { before } = {}) {
    const attributes = putBuffers(structuredClone(state), buffer_paths, buffers);
    const url = URL.createObjectURL(new Blob([attributes._esm], { type: 'text/javascript' }));
    const module = await import(url);
    URL.revokeObjectURL(url);
    const widget = module.default ?? module;
    const saved = [];
    const model = createModel(attributes, saved);
    const el = document.createElement('div');
    el.className = 'cell';
    document.getElementById('cells').append(el);
    await widget.initialize?.({ model });
    if (before) model.fromKernel(before);
    const cleanup = await widget.render({ model, el });
    return host.widgets.push({ model, saved, el, cleanup }) - 1;
  },
  receive(message, k = 0) {
    host.widgets[k].model.fromKernel(message);
  },
  close(k) {
    host.widgets[k].cleanup?.();
  },
};
window.host = host;
