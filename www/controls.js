// The settings panel, generated from the engine's catalogue (src/settings.rs): one control
// per setting, of the kind the catalogue says (a list, a slider, a log slider with a field
// to type the value, a field, a seed with a "new seed" button, a switch, the input features,
// the layer editor). A control sits where the page has `data-setting="key"`, else at the end
// of its group's `data-group="…"` section. Every change is an action (`apply`): the engine
// decides whether it is live or rebuilds, and a refusal puts the control back.

import { state, subscribe } from './state.js';
import { kindSummary } from './maps_view.js';
import { apply, newSeed } from './actions.js';
import { fmt } from './colors.js';

const controls = new Map();

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, v] of Object.entries(props)) {
    if (key === 'class') node.className = v;
    else if (key.startsWith('data-') || key.startsWith('aria-')) node.setAttribute(key, v);
    else node[key] = v;
  }
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
}

function options(select, choices) {
  select.replaceChildren(...choices.map((c) => el('option', { value: String(c.value), textContent: c.label, disabled: !!c.disabled })));
}

/** A number as the control shows it. */
function shown(entry, x) {
  return entry.kind === 'integer' ? String(x) : fmt(x, 3);
}

const makers = {
  choice(entry) {
    const select = el('select', { id: `setting-${entry.key}`, title: entry.help });
    options(select, entry.choices);
    select.addEventListener('change', () => apply({ [entry.key]: select.value }));
    const element = el('label', { class: 'row' }, el('span', { textContent: entry.label }), select);
    return {
      element,
      sync(c) {
        // The student's own data or a lesson's samples are not a choice of the list: shown, not offered.
        if (!entry.choices.some((k) => k.value === c.value)) {
          options(select, [...entry.choices, { value: c.value, label: state.info?.label ?? c.value, disabled: true }]);
        } else if (select.options.length !== entry.choices.length) {
          options(select, entry.choices);
        }
        select.value = String(c.value);
      },
    };
  },

  flag(entry, spot) {
    if (spot?.dataset.control === 'toggle') {
      // A switch that is a button (the top bar's): pressed while the setting is on.
      const button = el('button', { type: 'button', id: `setting-${entry.key}`, title: entry.help, textContent: entry.label });
      button.addEventListener('click', () => apply({ [entry.key]: button.getAttribute('aria-pressed') !== 'true' }));
      return { element: button, sync(c) { button.setAttribute('aria-pressed', String(c.value)); } };
    }
    const box = el('input', { type: 'checkbox', id: `setting-${entry.key}` });
    box.addEventListener('change', () => apply({ [entry.key]: box.checked }));
    const element = el('label', { class: 'check', title: entry.help }, box, ` ${entry.label}`);
    return { element, sync(c) { box.checked = c.value; } };
  },

  number(entry) {
    const control = entry.control;
    const id = `setting-${entry.key}`;
    const integer = entry.kind === 'integer';
    const read = (x) => (integer ? Math.round(x) : x);
    if (control.type === 'seed') {
      const out = el('output', { id: `${id}-value` });
      const button = el('button', { type: 'button', class: 'small', id, textContent: 'new seed', title: entry.help,
        'aria-label': `new ${entry.label.toLowerCase()}` });
      button.addEventListener('click', () => newSeed(entry.key));
      return { element: el('div', { class: 'row' }, el('span', {}, `${entry.label} `, out), button), sync(c) { out.textContent = String(c.value); } };
    }
    if (control.type === 'field') {
      const input = el('input', { type: 'number', id, step: String(control.step), min: String(entry.min), max: String(entry.max), title: entry.help });
      input.addEventListener('change', () => apply({ [entry.key]: input.value.trim() === '' ? null : read(Number(input.value)) }));
      return { element: el('label', { class: 'row field' }, el('span', { textContent: entry.label }), input), sync(c) { input.value = String(c.value); } };
    }
    const out = el('output', { id: `${id}-value` });
    const range = el('input', { type: 'range', id, title: entry.help });
    const label = el('label', { class: 'slider' }, `${entry.label} `, out, range);
    if (control.type === 'presets') {
      range.min = '0';
      range.max = String(control.values.length - 1);
      range.step = '1';
      range.addEventListener('input', () => apply({ [entry.key]: control.values[Number(range.value)] }));
      return {
        element: label,
        sync(c) {
          const k = control.values.indexOf(c.value);
          range.value = String(Math.max(0, k));
          out.textContent = shown(entry, c.value);
        },
      };
    }
    if (control.type === 'log_slider') {
      range.min = String(Math.log10(control.low));
      range.max = String(Math.log10(control.high));
      range.step = '0.05';
      range.setAttribute('aria-label', `${entry.label} (log scale)`);
      const typed = el('input', { type: 'number', id: `${id}-typed`, step: 'any', min: '0', max: String(entry.max),
        'aria-label': `${entry.label}, typed exactly`, title: `type an exact value (up to ${entry.max})` });
      range.addEventListener('input', () => apply({ [entry.key]: Number((10 ** Number(range.value)).toPrecision(2)) }));
      typed.addEventListener('change', () => {
        apply({ [entry.key]: typed.value.trim() === '' ? null : Number(typed.value) });
        typed.value = String(state.controls[entry.key].value); // what the engine took (or kept)
      });
      const element = el('div', { class: 'slider log' }, label, typed);
      return {
        element,
        sync(c) {
          range.value = String(Math.log10(c.value));
          out.textContent = shown(entry, c.value);
          if (document.activeElement !== typed) typed.value = String(c.value);
        },
      };
    }
    range.min = String(control.low);
    range.max = String(control.high);
    range.step = String(control.step);
    // New data is made when the slider is let go; a live setting follows the drag.
    const live = entry.effect === 'live' || entry.effect === 'view';
    range.addEventListener(live ? 'input' : 'change', () => apply({ [entry.key]: read(Number(range.value)) }));
    if (!live) range.addEventListener('input', () => { out.textContent = shown(entry, read(Number(range.value))); });
    return {
      element: label,
      sync(c) {
        if (c.max !== undefined) range.max = String(Math.min(control.high, c.max));
        range.value = String(c.value);
        out.textContent = shown(entry, c.max !== undefined ? Math.min(c.value, c.max) : c.value);
      },
    };
  },

  features(entry) {
    const boxes = entry.choices.map((f) => {
      const box = el('input', { type: 'checkbox', value: f.value, id: `feature-${f.value}` });
      box.addEventListener('change', () => {
        const chosen = entry.choices.map((k) => k.value).filter((v) => (v === f.value ? box.checked : state.controls.features.value.includes(v)));
        apply({ features: chosen });
      });
      return { box, label: el('label', { class: 'check', htmlFor: box.id }, box, f.label) };
    });
    const element = el('fieldset', { id: 'setting-features', title: entry.help }, el('legend', { textContent: entry.label }), ...boxes.map((b) => b.label));
    return {
      element,
      sync(c) {
        for (const { box } of boxes) {
          box.checked = c.value.includes(box.value);
          box.disabled = (c.disabled ?? []).includes(box.value);
        }
      },
    };
  },

  layers(entry) {
    const count = el('output', { id: 'layer-count' });
    const add = el('button', { type: 'button', class: 'small', id: 'add-layer', textContent: '+', 'aria-label': 'add a hidden layer' });
    const remove = el('button', { type: 'button', class: 'small', id: 'remove-layer', textContent: '−', 'aria-label': 'remove a hidden layer' });
    const rows = el('div', { id: 'layers' });
    const current = () => structuredClone(state.controls.layers.value);
    add.addEventListener('click', () => {
      const layers = current();
      // A copy of the last hidden layer, or (after a flatten or a convolution) a dense one.
      const before = layers.length > 1 ? layers[layers.length - 2] : null;
      const last = before && (before.kind?.type ?? 'dense') === 'dense' ? before : { units: 8, activation: 'relu', bias: true, dropout: 0 };
      layers.splice(layers.length - 1, 0, { ...last });
      apply({ layers });
    });
    remove.addEventListener('click', () => {
      const layers = current();
      if (layers.length > 1) layers.splice(layers.length - 2, 1);
      apply({ layers });
    });
    const head = el('div', { class: 'row' }, el('span', {}, 'Hidden layers: ', count), el('span', { class: 'pair' }, remove, add));
    const element = el('div', { class: 'layers-editor' }, head, rows);
    let builtFor = '';
    return {
      element,
      sync(c) {
        const layers = c.value;
        const key = JSON.stringify(layers);
        if (key === builtFor) return;
        builtFor = key;
        const hidden = layers.length - 1;
        count.textContent = String(hidden);
        add.disabled = hidden >= entry.max_hidden;
        remove.disabled = hidden === 0;
        const edit = (k, change) => {
          const next = current();
          Object.assign(next[k], change);
          // Rows are rebuilt from the engine's layers after the change, even when it is refused
          // and the layers stay the same: the select the student changed must show them again.
          builtFor = '';
          apply({ layers: next });
        };
        const select = (values, v, label, onChange) => {
          const s = el('select', { 'aria-label': label });
          options(s, values);
          s.value = String(v);
          s.addEventListener('change', () => onChange(s.value));
          return s;
        };
        const headRow = el('div', { class: 'layer-head' }, el('span'), el('span', { textContent: 'neurons', class: 'span3' }),
          el('span', { textContent: 'activation' }), el('span', { textContent: 'dropout' }));
        const rowEls = layers.slice(0, -1).map((layer, k) => {
          const name = `layer ${k + 1}`;
          const kind = layer.kind?.type ?? 'dense';
          if (kind !== 'dense') {
            // A convolution, pooling or flatten layer: its size follows from its input (the
            // maps view draws it); only a convolution has an activation to choose.
            const what = kind === 'convolution' ? `${kindSummary(layer.kind)}, ${layer.kind.channels} maps` : kindSummary(layer.kind);
            const activation = kind === 'convolution'
              ? select(entry.hidden_activations, layer.activation, `activation of ${name}`, (v) => edit(k, { activation: v }))
              : el('span', { textContent: '—', title: `a ${kind} layer has no activation` });
            return el('div', { class: 'layer-row', 'data-layer': String(k), 'data-kind': kind }, el('span', { class: 'layer-name', textContent: name }),
              el('span', { class: 'units wide', textContent: what }), activation, el('span', { textContent: '—', title: 'dropout is for dense layers' }));
          }
          const minus = el('button', { type: 'button', class: 'small', textContent: '−', 'aria-label': `fewer neurons in ${name}`, disabled: layer.units <= 1 });
          minus.addEventListener('click', () => edit(k, { units: layer.units - 1 }));
          const plus = el('button', { type: 'button', class: 'small', textContent: '+', 'aria-label': `more neurons in ${name}`, disabled: layer.units >= entry.max_units });
          plus.addEventListener('click', () => edit(k, { units: layer.units + 1 }));
          const dropout = select(entry.dropouts.map((p) => ({ value: p, label: String(p) })), layer.dropout, `dropout of ${name}`,
            (v) => edit(k, { dropout: Number(v) }));
          dropout.title = 'dropout: the share of this layer\'s neurons switched off at each training step';
          return el('div', { class: 'layer-row', 'data-layer': String(k) }, el('span', { class: 'layer-name', textContent: name }), minus,
            el('span', { class: 'units', textContent: String(layer.units) }), plus,
            select(entry.hidden_activations, layer.activation, `activation of ${name}`, (v) => edit(k, { activation: v })), dropout);
        });
        const out = layers[layers.length - 1];
        const outRow = el('div', { class: 'layer-row', 'data-layer': 'output' }, el('span', { class: 'layer-name', textContent: 'output' }),
          el('span', { class: 'units wide', textContent: out.units === 1 ? '1 neuron' : `${out.units} neurons` }),
          select(entry.output_activations, out.activation, 'activation of the output layer', (v) => edit(layers.length - 1, { activation: v })));
        rows.replaceChildren(headRow, ...rowEls, outRow);
      },
    };
  },
};
makers.integer = makers.number;

/** Where each control was built, so that a lesson can borrow it and give it back. */
const homes = new Map();

/** Moves the control of setting `key` into `host` (a lesson card), or back home (null). */
export function placeControl(key, host) {
  const control = controls.get(key);
  if (!control) return;
  const target = host ?? homes.get(key);
  if (control.element.parentElement !== target) target.append(control.element);
}

/** Builds every control of the catalogue into the page. */
export function setupControls() {
  for (const entry of state.catalogue) {
    const spot = document.querySelector(`[data-setting="${entry.key}"]`);
    const control = makers[entry.kind](entry, spot);
    control.element.dataset.key = entry.key;
    const host = spot ?? document.querySelector(`[data-group="${entry.group}"]`);
    // A setting the engine added without a place on the page is a bug to name, not a blank page.
    if (!host) throw new Error(`the setting "${entry.key}" has no place on the page (no data-setting or data-group="${entry.group}" in index.html)`);
    host.append(control.element);
    homes.set(entry.key, host);
    controls.set(entry.key, control);
  }
  subscribe(['settings', 'data', 'network', 'view'], syncControls);
  syncControls();
}

/** Puts every control in line with the session (after a change, or a refused one). */
export function syncControls() {
  for (const [key, control] of controls) {
    const c = state.controls[key];
    if (!c) continue;
    control.element.hidden = !c.shown;
    control.sync(c);
  }
}
