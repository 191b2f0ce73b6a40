// The network view: neurons by layer (inputs on the left), edges coloured by the sign of the
// weight (and dashed when negative) and sized by its magnitude, and the numbers of the phase
// just run, each in the box the layout gave it (network_layout.js), so that no two collide.
//
// Text scales with the canvas (and the text size setting, and presenter mode), so a
// projector reads as well as a laptop. A frame reads the engine's arrays through fresh views
// and draws; edges are grouped by colour and width so there are a handful of strokes.
// Read only: nothing here changes the state.

import { Buffer, view } from './engine.js';
import { COLOURS, LUT_CSS, lutIndex, fmt } from './colors.js';
import { done, value as settingValue } from './state.js';
import { computeLayout, layoutKey, hitTest as findAt, overlaps, WIDEST_NUMBER } from './network_layout.js';

const WIDTH_BUCKETS = 6;
/** About this many edges are drawn at most (the strongest), so wide layers stay readable and smooth. */
const MAX_DRAWN_EDGES = 4000;
const FAMILY = 'system-ui, sans-serif';
/** Dashes of negative weights (the second cue besides colour), in line widths. */
const DASH = [5, 3];

/** How much larger presenter mode writes than the page does on the same canvas: at
 *  1920×1080, over twice a laptop's 12 px (tests/e2e/lecture.test.mjs). */
const PRESENT_SCALE = 1.5;

/** The text size on a w × h canvas: 12 px on a laptop, growing with the canvas, ×1.5 in
 *  presenter mode, times the text size the presenter chose. */
export function fontSize(w, h, present, textSize) {
  const fit = Math.max(1, Math.min(w / 760, h / 520));
  return Math.round(Math.min(48, 12 * fit * (present ? PRESENT_SCALE : 1) * (textSize || 1)));
}

/** The network view on `canvas`, painting `state` (read only) with the neurons' `heatmaps`. */
export function createNetworkView(canvas, state, heatmaps) {
  const ctx = canvas.getContext('2d');
  let L = null; // the layout
  /** What the last frame wrote on the network, with where ({kind, text, x, y, w, h}, CSS
   *  pixels): the tests read the numbers shown and check that no two overlap. */
  let drawn = [];
  /** {drawn, of} when only the strongest edges were drawn in the last frame, else null. */
  let thinned = null;
  /** Each edge's |w| on a 0–255 scale of the largest, when edges are thinned. */
  let strength = new Uint8Array(0);
  let font = '12px system-ui, sans-serif';
  let bold = 'bold 12px system-ui, sans-serif';

  /** The widest rows the loss box can show, for the layout to give it room. */
  function lossTemplate() {
    const outputs = state.shape[state.shape.length - 1];
    const reduction = settingValue('reduction') ?? 'mean';
    const vector = outputs === 1 ? WIDEST_NUMBER : `(${Array(Math.min(outputs, 4)).fill('0.888').join(', ')}${outputs > 4 ? ', …' : ''})`;
    return [`ŷ = ${vector}`, `y = ${vector}`, `L = ${WIDEST_NUMBER} (this sample)`, `batch L = ${WIDEST_NUMBER} (${reduction} of 88888)`];
  }

  function relayout(w, h) {
    const px = fontSize(w, h, settingValue('present'), settingValue('text_size'));
    font = `${px}px ${FAMILY}`;
    bold = `bold ${px}px ${FAMILY}`;
    const rows = lossTemplate();
    if (L?.key === layoutKey(state.shape, w, h, px, rows, state.info.image)) return;
    ctx.font = font;
    L = computeLayout(state.shape, w, h, {
      fontPx: px,
      measure: (text) => ctx.measureText(text).width,
      inputNames: state.info.input_labels,
      lossRows: rows,
      image: state.info.image,
    });
  }

  /** Which neuron or edge is at (x, y) in CSS pixels, or null. */
  function hitTest(x, y) {
    return findAt(L, state.shape, x, y);
  }

  function draw(now, size) {
    const { session: engine, shape } = state;
    if (!engine) return;
    const { w, h, dpr } = size;
    relayout(w, h);
    const { columns, colStart, nodeX, nodeY, edgeStart, bucket, half } = L;
    const s = L.size;
    const layers = columns - 1;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, w, h);
    drawn = [];

    const weights = [];
    for (let l = 0; l < layers; l++) weights.push(view(engine, Buffer.Weights, l));
    const batch = engine.batchLength();
    const sample = Math.min(state.position.sample, Math.max(0, batch - 1));
    const last = state.position.last;
    const anim = state.anim;
    const progress = anim ? Math.min(1, (now - anim.start) / anim.duration) : 1;

    // ---- edges, grouped by colour and width bucket -------------------------------------
    let maxW = 1e-9;
    const thin = L.edges > MAX_DRAWN_EDGES;
    if (thin && strength.length !== L.edges) strength = new Uint8Array(L.edges);
    for (const wl of weights) for (let k = 0; k < wl.length; k++) maxW = Math.max(maxW, Math.abs(wl[k]));
    for (let l = 0; l < layers; l++) {
      const wl = weights[l];
      for (let k = 0; k < wl.length; k++) {
        const b = Math.min(WIDTH_BUCKETS - 1, Math.floor((Math.abs(wl[k]) / maxW) * WIDTH_BUCKETS));
        bucket[edgeStart[l + 1] + k] = wl[k] >= 0 ? b : b + WIDTH_BUCKETS;
        if (thin) strength[edgeStart[l + 1] + k] = Math.min(255, Math.floor((Math.abs(wl[k]) / maxW) * 256));
      }
    }
    // Wide layers (up to 256 × 256 weights) would paint a solid block and cost the frame: draw
    // the strongest weights only, about MAX_DRAWN_EDGES of them, and say so.
    let weakest = 0;
    let drawnEdges = L.edges;
    if (thin) {
      const count = new Uint32Array(256);
      for (let e = 0; e < L.edges; e++) count[strength[e]]++;
      while (drawnEdges - count[weakest] >= MAX_DRAWN_EDGES / 2 && drawnEdges > MAX_DRAWN_EDGES) drawnEdges -= count[weakest++];
    }
    thinned = weakest > 0 ? { drawn: drawnEdges, of: L.edges } : null;
    const shown = (e) => !thinned || strength[e] >= weakest;
    // Thin edges first, so the strong weights of either sign lie on top; dense networks
    // get fainter edges so their colours still mix into something readable.
    ctx.globalAlpha = L.edges > 300 ? 0.35 : 0.85;
    for (let k = 0; k < 2 * WIDTH_BUCKETS; k++) {
      const g = (k >> 1) + (k & 1) * WIDTH_BUCKETS;
      const negative = g >= WIDTH_BUCKETS;
      ctx.strokeStyle = negative ? COLOURS.negative : COLOURS.positive;
      ctx.lineWidth = 0.75 + (g % WIDTH_BUCKETS) * 1.1;
      ctx.setLineDash(negative ? DASH.map((d) => d * Math.max(1.5, ctx.lineWidth)) : []);
      ctx.beginPath();
      forEachEdge((e, a, b) => {
        if (bucket[e] !== g || !shown(e)) return;
        ctx.moveTo(nodeX[a] + half[a], nodeY[a]);
        ctx.lineTo(nodeX[b] - s / 2, nodeY[b]);
      });
      ctx.stroke();
    }
    ctx.setLineDash([]);
    ctx.globalAlpha = 1;

    // ---- the phase in motion -----------------------------------------------------------
    if (last && anim && progress < 1) drawPulses(last, progress);
    if (last?.kind === 'update' && anim && progress < 1) {
      // Every edge flashes in the backward colour as it changes.
      ctx.globalAlpha = 0.6 * (1 - progress);
      ctx.strokeStyle = COLOURS.backward;
      ctx.lineWidth = 4;
      ctx.beginPath();
      forEachEdge((e, a, b) => {
        ctx.moveTo(nodeX[a] + half[a], nodeY[a]);
        ctx.lineTo(nodeX[b] - s / 2, nodeY[b]);
      });
      ctx.stroke();
      ctx.globalAlpha = 1;
    }

    // ---- neurons -----------------------------------------------------------------------
    const inputsShown = state.progress > 0 && batch > 0;
    const input = inputsShown ? view(engine, Buffer.BatchInput) : null;
    const arriving = (kind, l) => anim && last?.kind === kind && last.layer === l && progress < 0.85;
    const activations = [];
    for (let l = 0; l < layers; l++) {
      const reached = done({ kind: 'forward', layer: l }) && !arriving('forward', l);
      activations.push(reached && batch > 0 ? view(engine, Buffer.Activation, l) : null);
    }
    const frame = Math.max(2, Math.round(s * 0.14));
    const showMaps = settingValue('heatmaps');
    for (let c = 0; c < columns; c++) {
      const units = shape[c];
      const values = c === 0 ? input : activations[c - 1];
      const isOutput = c === columns - 1;
      const centre = isOutput && state.info.kind === 'classification' ? 0.5 : 0;
      for (let j = 0; j < units; j++) {
        const n = colStart[c] + j;
        const x = nodeX[n] - half[n];
        const y = nodeY[n] - half[n];
        const a = values ? values[sample * units + j] : NaN;
        ctx.fillStyle = values ? LUT_CSS[lutIndex((a - centre) * (centre ? 2 : 1))] : '#eeeeee';
        ctx.fillRect(x, y, 2 * half[n], 2 * half[n]);
        if (c === 0 && L.imageBox) continue; // a pixel of the input image
        const map = showMaps && s >= 14 ? heatmaps.map(c, j) : null;
        if (map) ctx.drawImage(map, x + frame, y + frame, s - 2 * frame, s - 2 * frame);
      }
    }
    // Outlines: plain, then the layer of the current phase, then the selection and focus.
    ctx.lineWidth = 1;
    ctx.strokeStyle = '#8a8a8a';
    ctx.beginPath();
    for (let n = L.imageBox ? shape[0] : 0; n < colStart[columns]; n++) ctx.rect(nodeX[n] - s / 2, nodeY[n] - s / 2, s, s);
    if (L.imageBox) ctx.rect(L.imageBox.x, L.imageBox.y, L.imageBox.w, L.imageBox.h);
    ctx.stroke();
    if (last && (last.kind === 'forward' || last.kind === 'backward')) {
      ctx.lineWidth = 3;
      ctx.strokeStyle = last.kind === 'forward' ? COLOURS.forward : COLOURS.backward;
      // The backward pass is also told apart by its dashed frame, not by colour alone.
      ctx.setLineDash(last.kind === 'backward' ? [6, 3] : []);
      ctx.beginPath();
      const c = last.layer + 1;
      for (let j = 0; j < shape[c]; j++) ctx.rect(nodeX[colStart[c] + j] - s / 2 - 3, nodeY[colStart[c] + j] - s / 2 - 3, s + 6, s + 6);
      ctx.stroke();
      ctx.setLineDash([]);
    }
    drawSelection(state.position.selection, COLOURS.ink, 3, []);
    if (state.focus && !same(state.focus, state.position.selection)) drawSelection(state.focus, COLOURS.ink, 2, [4, 3]);
    if (state.hover && !same(state.hover, state.position.selection)) drawSelection(state.hover, '#888888', 2, []);

    // ---- column titles, numbers, the loss box ------------------------------------------
    drawTitles(last);
    drawInputs(input, sample);
    drawThinnedNote();
    if (L.showNeuronNumbers && batch > 0) drawNeuronNumbers(activations, sample, arriving);
    drawEdgeNumbers(weights, sample, batch, input, activations, arriving);
    drawLossBox(sample, batch, progress);
    drawHover(weights, sample, batch);
  }

  function forEachEdge(fn) {
    const { columns, colStart, edgeStart } = L;
    for (let c = 1; c < columns; c++) {
      const inputs = state.shape[c - 1];
      for (let j = 0; j < state.shape[c]; j++) {
        for (let i = 0; i < inputs; i++) fn(edgeStart[c] + j * inputs + i, colStart[c - 1] + i, colStart[c] + j, c, j, i);
      }
    }
  }

  /** Writes `lines` ([text, colour]) in box `r`, on a white ground; records it. */
  function box(kind, r, lines, { align = 'left', ground = 'rgba(255,255,255,0.9)', frameColour = null } = {}) {
    ctx.fillStyle = ground;
    ctx.fillRect(r.x, r.y, r.w, r.h);
    if (frameColour) {
      ctx.strokeStyle = frameColour;
      ctx.lineWidth = 1.5;
      ctx.strokeRect(r.x, r.y, r.w, r.h);
    }
    ctx.font = font;
    ctx.textBaseline = 'middle';
    ctx.textAlign = align;
    const x = align === 'center' ? r.x + r.w / 2 : align === 'right' ? r.x + r.w - L.pad : r.x + L.pad;
    const top = r.y + (r.h - lines.length * L.lineH) / 2 + L.lineH / 2;
    const room = r.w - 2 * L.pad;
    lines.forEach(([text, colour], k) => {
      ctx.fillStyle = colour;
      // A number wider than its box is written smaller, so it stays inside it.
      const width = ctx.measureText(text).width;
      if (width > room) {
        ctx.font = `${Math.floor(L.fontPx * room / width * 10) / 10}px ${FAMILY}`;
        ctx.fillText(text, x, top + k * L.lineH);
        ctx.font = font;
      } else {
        ctx.fillText(text, x, top + k * L.lineH);
      }
    });
    drawn.push({ kind, text: lines.map(([t]) => t).join('\n'), x: r.x, y: r.y, w: r.w, h: r.h });
  }

  /** Says so under the network when only the strongest edges are drawn. */
  function drawThinnedNote() {
    const note = document.getElementById('edges-note');
    const text = thinned ? `only the strongest ${thinned.drawn.toLocaleString('en-US')} of ${thinned.of.toLocaleString('en-US')} weights are drawn` : '';
    if (note.textContent !== text) note.textContent = text;
    if (note.hidden !== !thinned) note.hidden = !thinned;
  }

  function drawTitles(last) {
    const layerSettings = settingValue('layers') ?? [];
    const { columns } = L;
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    for (let c = 0; c < columns; c++) {
      const r = L.titles[c];
      if (!r) continue;
      const image = c === 0 && L.imageBox ? `${state.info.image.width}×${state.info.image.height} image` : null;
      const activation = c > 0 ? layerSettings[c - 1]?.activation : image;
      // Narrow columns get short titles: "3" for layer 3.
      const wide = r.w >= 5 * L.fontPx;
      const title = c === 0 ? (wide ? 'inputs' : 'x') : c === columns - 1 ? (wide ? 'output' : 'out') : wide ? `layer ${c}` : `${c}`;
      const active = last?.layer === c - 1 && (last.kind === 'forward' || last.kind === 'backward');
      ctx.font = bold;
      ctx.fillStyle = active ? (last.kind === 'forward' ? COLOURS.forward : COLOURS.backward) : COLOURS.muted;
      ctx.fillText(title, r.x + r.w / 2, r.y + L.lineH / 2);
      const lines = [title];
      if (activation && ctx.measureText(activation).width < r.w) {
        ctx.font = font;
        ctx.fillText(activation.replace('_', ' '), r.x + r.w / 2, r.y + 1.5 * L.lineH);
        lines.push(activation);
      }
      drawn.push({ kind: 'title', text: lines.join('\n'), x: r.x, y: r.y, w: r.w, h: r.h });
    }
  }

  function drawInputs(input, sample) {
    const names = state.info.input_labels;
    for (let i = 0; i < state.shape[0]; i++) {
      const r = L.inputLabels[i];
      if (!r) continue; // no room: on hover
      const lines = input
        ? [[`${names[i]} =`, COLOURS.ink], [fmt(input[sample * state.shape[0] + i], 4), COLOURS.ink]]
        : [[names[i], COLOURS.ink]];
      box('input', r, lines, { align: 'right', ground: '#ffffff' });
    }
  }

  function drawNeuronNumbers(activations, sample, arriving) {
    const { session: engine, shape } = state;
    for (let c = 1; c < L.columns; c++) {
      const l = c - 1;
      const a = activations[l];
      const z = a ? view(engine, Buffer.PreActivation, l) : null;
      const delta = done({ kind: 'backward', layer: l }) && !arriving('backward', l) ? view(engine, Buffer.Delta, l) : null;
      if (!a && !delta) continue;
      for (let j = 0; j < shape[c]; j++) {
        const k = sample * shape[c] + j;
        const lines = [];
        if (a) lines.push([`z ${fmt(z[k], 4)}`, COLOURS.ink], [`a ${fmt(a[k], 4)}`, COLOURS.ink]);
        if (delta) lines.push([`δ ${fmt(delta[k], 4)}`, COLOURS.backward]);
        const r = L.neuronLabels[L.colStart[c] + j];
        if (r) box('neuron', r, lines); // else on hover
      }
    }
  }

  /** Each labelled edge: its weight; during the backward pass, once its layer's gradient is
   *  known, this sample's term δ·a_prev and the batch's dL/dw (the mean or sum of those
   *  terms, as the batch loss is); after an update run phase by phase, the weight before and
   *  after it. */
  function drawEdgeNumbers(weights, sample, batch, input, activations, arriving) {
    const { session: engine, shape } = state;
    const last = state.position.last;
    const reduction = settingValue('reduction') ?? 'mean';
    const update = last?.kind === 'update' && !state.position.whole && !state.position.edited && !(state.anim && arriving('update'));
    for (let c = 1; c < L.columns; c++) {
      const l = c - 1;
      const inputs = shape[c - 1];
      const gradients = last?.kind === 'backward' && done({ kind: 'backward', layer: l }) && !arriving('backward', l) && batch > 0;
      const grad = gradients ? view(engine, Buffer.GradWeights, l) : null;
      const delta = gradients ? view(engine, Buffer.Delta, l) : null;
      const aPrev = gradients ? (l === 0 ? input : activations[l - 1]) : null;
      const previous = update ? view(engine, Buffer.PreviousWeights, l) : null;
      for (let k = 0; k < shape[c] * inputs; k++) {
        const e = L.edgeStart[c] + k;
        if (Number.isNaN(L.labelX[e])) continue;
        const r = { x: L.labelX[e] - L.labelW / 2, y: L.labelY[e] - L.labelH / 2, w: L.labelW, h: L.labelH };
        let lines;
        if (grad && aPrev) {
          const j = Math.floor(k / inputs);
          const i = k % inputs;
          const term = delta[sample * shape[c] + j] * aPrev[sample * inputs + i];
          lines = batch === 1
            ? [[`dL/dw ${fmt(grad[k], 4)}`, COLOURS.backward]]
            : [[`δ·a ${fmt(term, 4)}`, COLOURS.backward], [`${reduction} ${fmt(grad[k], 4)}`, COLOURS.backward]];
        } else if (previous) {
          lines = [[`was ${fmt(previous[k], 4)}`, COLOURS.muted], [`now ${fmt(weights[l][k], 4)}`, COLOURS.ink]];
        } else {
          lines = [[fmt(weights[l][k], 4), COLOURS.ink]];
        }
        box('edge', r, lines, { align: 'center' });
      }
    }
  }

  /** This sample's output against its target and its loss, and the batch's loss. */
  function drawLossBox(sample, batch, progress) {
    const r = L.lossBox;
    const { session: engine, shape } = state;
    const lossShown = done({ kind: 'loss' }) && batch > 0
      && !(state.position.last?.kind === 'loss' && state.anim && progress < 0.85);
    if (!r || !lossShown) return;
    const units = shape[shape.length - 1];
    const a = view(engine, Buffer.Activation, shape.length - 2);
    const y = view(engine, Buffer.BatchTarget);
    const vector = (v) => {
      if (units === 1) return fmt(v[sample], 4);
      const parts = [];
      for (let j = 0; j < Math.min(units, 4); j++) parts.push(fmt(v[sample * units + j], 2));
      return `(${parts.join(', ')}${units > 4 ? ', …' : ''})`;
    };
    const reduction = settingValue('reduction') ?? 'mean';
    const active = state.position.last?.kind === 'loss';
    box('loss', r, [
      [`ŷ = ${vector(a)}`, COLOURS.ink],
      [`y = ${vector(y)}`, COLOURS.ink],
      [`L = ${fmt(view(engine, Buffer.SampleLoss)[sample], 4)} (this sample)`, COLOURS.ink],
      [`batch L = ${fmt(engine.loss(), 4)} (${reduction} of ${batch})`, COLOURS.ink],
    ], { ground: active ? '#fff4e0' : '#f6f6f6', frameColour: active ? COLOURS.negative : '#bbbbbb' });
  }

  /** Dots travelling to the neurons the phase computes: forward, into layer l along its
   *  incoming edges (ink); backward, into layer l from the layer after it, or from the loss
   *  at the output (hollow, in the backward colour); loss, from the output to the loss box. */
  function drawPulses(phase, t) {
    const { colStart, nodeX, nodeY, columns } = L;
    const s = L.size;
    const ease = t * t * (3 - 2 * t);
    const radius = Math.max(4.5, L.fontPx * 0.4);
    ctx.beginPath();
    const dot = (x, y) => {
      ctx.moveTo(x + radius, y);
      ctx.arc(x, y, radius, 0, 2 * Math.PI);
    };
    const backwardAtOutput = phase.kind === 'backward' && phase.layer === columns - 2;
    if (phase.kind === 'forward' || (phase.kind === 'backward' && !backwardAtOutput)) {
      // Forward: edges into column l+1, left to right. Backward: edges into column l+2, right to left.
      const c = phase.kind === 'forward' ? phase.layer + 1 : phase.layer + 2;
      const inputs = state.shape[c - 1];
      for (let j = 0; j < state.shape[c]; j++) {
        for (let i = 0; i < inputs; i++) {
          const a = colStart[c - 1] + i;
          const b = colStart[c] + j;
          const k = phase.kind === 'forward' ? ease : 1 - ease;
          dot(nodeX[a] + L.half[a] + k * (nodeX[b] - s / 2 - nodeX[a] - L.half[a]), nodeY[a] + k * (nodeY[b] - nodeY[a]));
        }
      }
    } else if (backwardAtOutput || phase.kind === 'loss') {
      const c = columns - 1;
      const k = phase.kind === 'loss' ? ease : 1 - ease;
      for (let j = 0; j < state.shape[c]; j++) {
        const n = colStart[c] + j;
        dot(nodeX[n] + s / 2 + k * 3 * radius * 3, nodeY[n]);
      }
    }
    if (phase.kind === 'backward') {
      ctx.strokeStyle = COLOURS.backward;
      ctx.lineWidth = 2.5;
      ctx.stroke();
    } else {
      ctx.fillStyle = COLOURS.forward;
      ctx.fill();
    }
  }

  function drawSelection(sel, colour, width, dash) {
    if (!sel) return;
    const { colStart, nodeX, nodeY } = L;
    const s = L.size;
    ctx.strokeStyle = colour;
    ctx.lineWidth = width;
    ctx.setLineDash(dash);
    ctx.beginPath();
    if (sel.type === 'neuron') {
      const n = colStart[sel.layer + 1] + sel.neuron;
      if (n >= colStart[L.columns]) {
        ctx.setLineDash([]);
        return;
      }
      const r = L.half[n];
      ctx.rect(nodeX[n] - r - 5, nodeY[n] - r - 5, 2 * r + 10, 2 * r + 10);
    } else {
      const a = colStart[sel.layer] + sel.input;
      const b = colStart[sel.layer + 1] + sel.neuron;
      ctx.moveTo(nodeX[a] + L.half[a], nodeY[a]);
      ctx.lineTo(nodeX[b] - s / 2, nodeY[b]);
    }
    ctx.stroke();
    ctx.setLineDash([]);
  }

  /** The numbers of the neuron or edge under the mouse (or focused by the keyboard) whose
   *  numbers are not on the network, in a box that covers no label. */
  function drawHover(weights, sample, batch) {
    const target = state.hover ?? state.focus;
    if (!target) return;
    const { session: engine, shape } = state;
    const lines = [];
    let anchor;
    if (target.type === 'edge') {
      const k = target.neuron * shape[target.layer] + target.input;
      const e = L.edgeStart[target.layer + 1] + k;
      if (!Number.isNaN(L.labelX[e])) return;
      lines.push([`w ${fmt(weights[target.layer][k], 4)}`, COLOURS.ink]);
      if (engine.steps() > 0 || done({ kind: 'backward', layer: target.layer })) {
        lines.push([`dL/dw (batch ${settingValue('reduction') ?? 'mean'}) ${fmt(view(engine, Buffer.GradWeights, target.layer)[k], 4)}`, COLOURS.backward]);
      }
      const a = L.colStart[target.layer] + target.input;
      const b = L.colStart[target.layer + 1] + target.neuron;
      anchor = { x: (L.nodeX[a] + L.nodeX[b]) / 2, y: (L.nodeY[a] + L.nodeY[b]) / 2 };
    } else {
      const n = L.colStart[target.layer + 1] + target.neuron;
      if (batch === 0) return;
      if (target.layer < 0) {
        if (state.progress === 0) return;
        // An input whose name and value found no room beside it.
        if (L.inputLabels[target.neuron]) return;
        const x = view(engine, Buffer.BatchInput)[sample * shape[0] + target.neuron];
        lines.push([`${state.info.input_labels[target.neuron]} = ${fmt(x, 4)}`, COLOURS.ink]);
      } else {
        if (L.neuronLabels[n]) return;
        const units = shape[target.layer + 1];
        const k = sample * units + target.neuron;
        if (!done({ kind: 'forward', layer: target.layer })) return;
        lines.push([`z ${fmt(view(engine, Buffer.PreActivation, target.layer)[k], 4)}`, COLOURS.ink]);
        lines.push([`a ${fmt(view(engine, Buffer.Activation, target.layer)[k], 4)}`, COLOURS.ink]);
        if (done({ kind: 'backward', layer: target.layer })) lines.push([`δ ${fmt(view(engine, Buffer.Delta, target.layer)[k], 4)}`, COLOURS.backward]);
      }
      anchor = { x: L.nodeX[n], y: L.nodeY[n] };
    }
    if (state.hover) anchor = state.hoverAt;
    ctx.font = font;
    const width = Math.max(...lines.map(([t]) => ctx.measureText(t).width)) + 2 * L.pad;
    const height = lines.length * L.lineH + L.pad;
    // Beside the pointer, else the free place nearest to it (on a grid over the canvas): it
    // covers no label, no column title and no neuron. Where nothing is free, the place that
    // covers the fewest.
    const clamp = (p) => ({ x: Math.max(0, Math.min(L.w - width, p.x)), y: Math.max(0, Math.min(L.h - height, p.y)), w: width, h: height });
    const gapPx = 14;
    const candidates = [
      { x: anchor.x + gapPx, y: anchor.y - gapPx - height },
      { x: anchor.x + gapPx, y: anchor.y + gapPx },
      { x: anchor.x - gapPx - width, y: anchor.y - gapPx - height },
      { x: anchor.x - gapPx - width, y: anchor.y + gapPx },
    ].map(clamp);
    const s = L.size;
    const obstacles = [
      ...drawn,
      ...Array.from(L.nodeX, (x, n) => ({ x: x - L.half[n], y: L.nodeY[n] - L.half[n], w: 2 * L.half[n], h: 2 * L.half[n] })),
    ];
    const covered = (c) => obstacles.reduce((k, d) => k + (overlaps(d, c) ? 1 : 0), 0);
    let r = candidates.find((c) => covered(c) === 0);
    if (!r) {
      const step = Math.max(4, L.lineH / 2);
      const grid = [];
      for (let y = 0; y <= L.h - height; y += step) {
        for (let x = 0; x <= L.w - width; x += step) grid.push({ x, y, w: width, h: height, d: Math.hypot(x + width / 2 - anchor.x, y + height / 2 - anchor.y) });
      }
      grid.sort((a, b) => a.d - b.d);
      r = grid.find((c) => covered(c) === 0)
        ?? [...candidates, ...grid].reduce((best, c) => (covered(c) < covered(best) ? c : best), candidates[0]);
    }
    box('tooltip', r, lines, { ground: '#ffffe8', frameColour: '#444444' });
  }

  return { draw, hitTest, layout: () => L, labels: () => drawn.map((d) => ({ ...d })) };
}

function same(a, b) {
  return a && b && a.type === b.type && a.layer === b.layer && a.neuron === b.neuron && a.input === b.input;
}
