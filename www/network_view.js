// The network view: neurons by layer (inputs on the left), edges coloured by the sign of the
// weight and sized by its magnitude, and the numbers of the phase just run.
//
// Layout (positions, label slots) comes from network_layout.js, once per shape and canvas
// size; a frame only reads the engine's arrays through fresh views and draws, edges
// grouped by colour and width so there are a handful of strokes, not one per edge.

import { Buffer, view } from './engine.js';
import { COLOURS, LUT_CSS, lutIndex, fmt } from './colors.js';
import { done, value as settingValue } from './state.js';
import { computeLayout, layoutKey, hitTest as findAt } from './network_layout.js';

const WIDTH_BUCKETS = 6;
const FONT = '12px system-ui, sans-serif';
const FONT_BOLD = 'bold 12px system-ui, sans-serif';

/** The network view on `canvas`, painting `state` (read only) with the neurons' `heatmaps`. */
export function createNetworkView(canvas, state, heatmaps) {
  const ctx = canvas.getContext('2d');
  let L = null; // the layout
  // Labels of one frame, in arrays reused from frame to frame (only the texts are new).
  const labels = { n: 0, x: new Float64Array(1024), y: new Float64Array(1024), text: new Array(1024), colour: new Array(1024) };
  /** What the last frame wrote on the network, with where ({kind, text, x, y, w, h}, CSS
   *  pixels): the tests read the numbers shown and check that no two overlap. */
  let drawn = [];
  const label = (x, y, text, colour) => {
    if (labels.n === labels.x.length) return;
    const k = labels.n++;
    labels.x[k] = x;
    labels.y[k] = y;
    labels.text[k] = text;
    labels.colour[k] = colour;
  };

  function relayout(w, h) {
    if (L?.key !== layoutKey(state.shape, w, h)) L = computeLayout(state.shape, w, h);
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
    const { columns, colStart, nodeX, nodeY, edgeStart, bucket } = L;
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
    for (const wl of weights) for (let k = 0; k < wl.length; k++) maxW = Math.max(maxW, Math.abs(wl[k]));
    for (let l = 0; l < layers; l++) {
      const wl = weights[l];
      for (let k = 0; k < wl.length; k++) {
        const b = Math.min(WIDTH_BUCKETS - 1, Math.floor((Math.abs(wl[k]) / maxW) * WIDTH_BUCKETS));
        bucket[edgeStart[l + 1] + k] = wl[k] >= 0 ? b : b + WIDTH_BUCKETS;
      }
    }
    // Thin edges first, so the strong weights of either sign lie on top; dense networks
    // get fainter edges so their colours still mix into something readable.
    ctx.globalAlpha = L.edges > 300 ? 0.35 : 0.8;
    for (let k = 0; k < 2 * WIDTH_BUCKETS; k++) {
      const g = (k >> 1) + (k & 1) * WIDTH_BUCKETS;
      ctx.strokeStyle = g < WIDTH_BUCKETS ? COLOURS.positive : COLOURS.negative;
      ctx.lineWidth = 0.75 + (g % WIDTH_BUCKETS) * 1.1;
      ctx.beginPath();
      forEachEdge((e, a, b) => {
        if (bucket[e] !== g) return;
        ctx.moveTo(nodeX[a] + s / 2, nodeY[a]);
        ctx.lineTo(nodeX[b] - s / 2, nodeY[b]);
      });
      ctx.stroke();
    }
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
        ctx.moveTo(nodeX[a] + s / 2, nodeY[a]);
        ctx.lineTo(nodeX[b] - s / 2, nodeY[b]);
      });
      ctx.stroke();
      ctx.globalAlpha = 1;
    }

    // ---- neurons -----------------------------------------------------------------------
    const inputsShown = state.progress > 0 && batch > 0;
    const input = inputsShown ? view(engine, Buffer.BatchInput) : null;
    const activations = [];
    for (let l = 0; l < layers; l++) {
      const reached = done({ kind: 'forward', layer: l })
        && !(anim && last?.kind === 'forward' && last.layer === l && progress < 0.85);
      activations.push(reached && batch > 0 ? view(engine, Buffer.Activation, l) : null);
    }
    const frame = Math.max(2, Math.round(s * 0.14));
    for (let c = 0; c < columns; c++) {
      const units = shape[c];
      const values = c === 0 ? input : activations[c - 1];
      const isOutput = c === columns - 1;
      const centre = isOutput && state.info.kind === 'classification' ? 0.5 : 0;
      for (let j = 0; j < units; j++) {
        const n = colStart[c] + j;
        const x = nodeX[n] - s / 2;
        const y = nodeY[n] - s / 2;
        const value = values ? values[sample * units + j] : NaN;
        ctx.fillStyle = values ? LUT_CSS[lutIndex((value - centre) * (centre ? 2 : 1))] : '#eeeeee';
        ctx.fillRect(x, y, s, s);
        const map = settingValue('heatmaps') && s >= 20 ? heatmaps.map(c, j) : null;
        if (map) ctx.drawImage(map, x + frame, y + frame, s - 2 * frame, s - 2 * frame);
      }
    }
    // Outlines: plain, then the layer of the current phase, then the selection.
    ctx.lineWidth = 1;
    ctx.strokeStyle = '#8a8a8a';
    ctx.beginPath();
    for (let n = 0; n < colStart[columns]; n++) ctx.rect(nodeX[n] - s / 2, nodeY[n] - s / 2, s, s);
    ctx.stroke();
    if (last && (last.kind === 'forward' || last.kind === 'backward')) {
      ctx.lineWidth = 3;
      ctx.strokeStyle = last.kind === 'forward' ? COLOURS.forward : COLOURS.backward;
      ctx.beginPath();
      const c = last.layer + 1;
      for (let j = 0; j < shape[c]; j++) ctx.rect(nodeX[colStart[c] + j] - s / 2 - 3, nodeY[colStart[c] + j] - s / 2 - 3, s + 6, s + 6);
      ctx.stroke();
    }
    drawSelection(state.position.selection, COLOURS.ink, 3);
    if (state.hover && !same(state.hover, state.position.selection)) drawSelection(state.hover, '#888888', 2);

    // ---- column titles, loss box, numbers ----------------------------------------------
    ctx.font = FONT_BOLD;
    ctx.textAlign = 'center';
    ctx.textBaseline = 'alphabetic';
    ctx.fillStyle = COLOURS.ink;
    const layerSettings = settingValue('layers') ?? [];
    for (let c = 0; c < columns; c++) {
      const activation = c > 0 ? layerSettings[c - 1]?.activation : null;
      // Narrow columns get short titles: "3" for layer 3, and no activation line.
      const wide = L.gap >= 72 || columns <= 2;
      const title = c === 0 ? (wide ? 'inputs' : 'x') : c === columns - 1 ? (wide ? 'output' : 'out') : wide ? `layer ${c}` : `${c}`;
      ctx.font = FONT_BOLD;
      ctx.fillStyle = last?.layer === c - 1 && last.kind !== 'loss' && last.kind !== 'update'
        ? (last.kind === 'forward' ? COLOURS.forward : COLOURS.backward) : COLOURS.muted;
      ctx.fillText(title, L.colX[c], 14);
      if (activation && L.gap >= 56) {
        ctx.font = FONT;
        ctx.fillText(activation.replace('_', ' '), L.colX[c], 29);
      }
    }
    drawNumbers(weights, sample, batch, input, activations);
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

  /** Dots travelling to the neurons the phase computes: forward, into layer l along its
   *  incoming edges (ink); backward, into layer l from the layer after it, or from the loss
   *  at the output (magenta); loss, from the output towards the loss box. */
  function drawPulses(phase, t) {
    const { colStart, nodeX, nodeY, columns } = L;
    const s = L.size;
    const ease = t * t * (3 - 2 * t);
    ctx.beginPath();
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
          const x = nodeX[a] + s / 2 + k * (nodeX[b] - nodeX[a] - s);
          const y = nodeY[a] + k * (nodeY[b] - nodeY[a]);
          ctx.moveTo(x + 4.5, y);
          ctx.arc(x, y, 4.5, 0, 2 * Math.PI);
        }
      }
    } else if (backwardAtOutput) {
      const c = columns - 1;
      for (let j = 0; j < state.shape[c]; j++) {
        const n = colStart[c] + j;
        const x = nodeX[n] + s / 2 + (1 - ease) * 40;
        ctx.moveTo(x + 4.5, nodeY[n]);
        ctx.arc(x, nodeY[n], 4.5, 0, 2 * Math.PI);
      }
    } else if (phase.kind === 'loss') {
      const c = columns - 1;
      for (let j = 0; j < state.shape[c]; j++) {
        const n = colStart[c] + j;
        const x = nodeX[n] + s / 2 + ease * 40;
        ctx.moveTo(x + 4.5, nodeY[n]);
        ctx.arc(x, nodeY[n], 4.5, 0, 2 * Math.PI);
      }
    }
    ctx.fillStyle = phase.kind === 'backward' ? COLOURS.backward : COLOURS.forward;
    ctx.fill();
  }

  function drawSelection(sel, colour, width) {
    if (!sel) return;
    const { colStart, nodeX, nodeY } = L;
    const s = L.size;
    ctx.strokeStyle = colour;
    ctx.lineWidth = width;
    ctx.beginPath();
    if (sel.type === 'neuron') {
      const n = colStart[sel.layer + 1] + sel.neuron;
      if (n >= colStart[L.columns]) return;
      ctx.rect(nodeX[n] - s / 2 - 5, nodeY[n] - s / 2 - 5, s + 10, s + 10);
    } else {
      const a = colStart[sel.layer] + sel.input;
      const b = colStart[sel.layer + 1] + sel.neuron;
      ctx.moveTo(nodeX[a] + s / 2, nodeY[a]);
      ctx.lineTo(nodeX[b] - s / 2, nodeY[b]);
    }
    ctx.stroke();
  }

  /** An edge's label for the phase shown: dL/dw just after its backward phase, old → new
   *  just after an update (of a step run phase by phase), else the weight. */
  function edgeLabel(l, k, w, grad, update, x, y) {
    const last = state.position.last;
    const arriving = state.anim && performance.now() - state.anim.start < 0.85 * state.anim.duration;
    if (last?.kind === 'backward' && last.layer === l && !arriving) {
      label(x, y, fmt(grad[k], 4), COLOURS.backward);
    } else if (last?.kind === 'update' && !state.position.whole && !state.position.edited) {
      label(x, y, `${fmt(w[k] - update[k], 4)}→${fmt(w[k], 4)}`, COLOURS.ink);
    } else {
      label(x, y, fmt(w[k], 4), COLOURS.ink);
    }
  }

  function drawNumbers(weights, sample, batch, input, activations) {
    const { session: engine, shape } = state;
    const labelsOf = state.info.input_labels;
    const { columns, colStart, nodeX, nodeY, labelX, labelY, edgeStart } = L;
    const s = L.size;
    ctx.font = FONT;
    ctx.textBaseline = 'middle';
    // Inputs: their name, and their value on the sample once the batch is loaded.
    ctx.textAlign = 'right';
    ctx.fillStyle = COLOURS.ink;
    for (let i = 0; i < shape[0]; i++) {
      const n = colStart[0] + i;
      const x = nodeX[n] - s / 2 - 6;
      if (input) {
        ctx.fillText(`${labelsOf[i]} =`, x, nodeY[n] - 7);
        ctx.fillText(fmt(input[sample * shape[0] + i], 4), x, nodeY[n] + 8);
      } else {
        ctx.fillText(labelsOf[i], x, nodeY[n]);
      }
    }
    if (L.showNeuronNumbers && batch > 0) {
      labels.n = 0;
      for (let c = 1; c < columns; c++) {
        const l = c - 1;
        const a = activations[l];
        const z = a ? view(engine, Buffer.PreActivation, l) : null;
        const showDelta = done({ kind: 'backward', layer: l })
          && !(state.anim && state.position.last?.kind === 'backward' && state.position.last.layer === l
            && performance.now() - state.anim.start < 0.85 * state.anim.duration);
        const delta = showDelta ? view(engine, Buffer.Delta, l) : null;
        if (!a && !delta) continue;
        for (let j = 0; j < shape[c]; j++) {
          const k = sample * shape[c] + j;
          const x = nodeX[colStart[c] + j] + s / 2 + 5;
          const y = nodeY[colStart[c] + j] - s / 2 + 6;
          if (a) {
            label(x, y, `z ${fmt(z[k], 4)}`, COLOURS.ink);
            label(x, y + 13, `a ${fmt(a[k], 4)}`, COLOURS.ink);
          }
          if (delta) label(x, y + 26, `δ ${fmt(delta[k], 4)}`, COLOURS.backward);
        }
      }
      drawLabels('left');
    }
    if (L.showEdgeNumbers) {
      labels.n = 0;
      for (let c = 1; c < columns; c++) {
        const l = c - 1;
        const grad = view(engine, Buffer.GradWeights, l);
        const update = view(engine, Buffer.UpdateWeights, l);
        for (let k = 0; k < shape[c] * shape[c - 1]; k++) {
          const e = edgeStart[c] + k;
          if (Number.isNaN(labelX[e])) continue;
          edgeLabel(l, k, weights[l], grad, update, labelX[e], labelY[e]);
        }
      }
      drawLabels('center');
    }
  }

  /** The labels gathered so far, on white boxes: all boxes in one fill, then the texts. */
  function drawLabels(align) {
    ctx.textAlign = align;
    ctx.fillStyle = 'rgba(255,255,255,0.88)';
    ctx.beginPath();
    const kind = align === 'center' ? 'edge' : 'neuron';
    for (let k = 0; k < labels.n; k++) {
      const width = ctx.measureText(labels.text[k]).width + 6;
      const x = align === 'center' ? labels.x[k] - width / 2 : labels.x[k] - 3;
      ctx.rect(x, labels.y[k] - 7, width, 14);
      drawn.push({ kind, text: labels.text[k], x, y: labels.y[k] - 7, w: width, h: 14 });
    }
    ctx.fill();
    for (let k = 0; k < labels.n; k++) {
      ctx.fillStyle = labels.colour[k];
      ctx.fillText(labels.text[k], labels.x[k], labels.y[k]);
    }
  }

  function drawLossBox(sample, batch, progress) {
    const { session: engine, shape } = state;
    const lossShown = done({ kind: 'loss' }) && batch > 0
      && !(state.position.last?.kind === 'loss' && state.anim && progress < 0.85);
    if (!lossShown) return;
    const c = L.columns - 1;
    const n = L.colStart[c];
    // Below the output neuron (its z, a, δ are on its right), kept inside the canvas.
    const x = Math.min(L.nodeX[n] - L.size / 2, L.w - 142);
    const y = L.nodeY[n] + L.size / 2 + 12;
    const units = shape[c];
    const a = view(engine, Buffer.Activation, c - 1)[sample * units];
    const target = view(engine, Buffer.BatchTarget)[sample * units];
    const sampleLoss = view(engine, Buffer.SampleLoss)[sample];
    const rows = [
      `output ŷ = ${fmt(a, 4)}`,
      `target y = ${fmt(target, 4)}`,
      `loss L = ${fmt(sampleLoss, 4)}`,
      `batch L = ${fmt(engine.loss(), 4)}`,
    ];
    const active = state.position.last?.kind === 'loss';
    ctx.fillStyle = active ? '#fff4e0' : '#f6f6f6';
    ctx.strokeStyle = active ? COLOURS.negative : '#bbbbbb';
    ctx.lineWidth = active ? 2 : 1;
    ctx.beginPath();
    ctx.rect(x - 4, y - 4, 136, rows.length * 15 + 6);
    ctx.fill();
    ctx.stroke();
    ctx.font = FONT;
    ctx.textAlign = 'left';
    ctx.textBaseline = 'top';
    ctx.fillStyle = COLOURS.ink;
    rows.forEach((text, r) => ctx.fillText(text, x, y + r * 15));
    drawn.push({ kind: 'loss', text: rows.join('\n'), x: x - 4, y: y - 4, w: 136, h: rows.length * 15 + 6 });
  }

  /** On larger networks the numbers hide; hovering shows one element's numbers. */
  function drawHover(weights, sample, batch) {
    const hover = state.hover;
    if (!hover) return;
    const { session: engine, shape } = state;
    let text;
    let x;
    let y;
    if (hover.type === 'edge') {
      const k = hover.neuron * shape[hover.layer] + hover.input;
      if (L.showEdgeNumbers && !Number.isNaN(L.labelX[L.edgeStart[hover.layer + 1] + k])) return;
      const g = engine.steps() > 0 || done({ kind: 'backward', layer: hover.layer })
        ? `  dL/dw (batch) ${fmt(view(engine, Buffer.GradWeights, hover.layer)[k], 4)}` : '';
      text = `w ${fmt(weights[hover.layer][k], 4)}${g}`;
      x = state.hoverAt.x + 12;
      y = state.hoverAt.y - 12;
    } else {
      if (hover.layer < 0 || L.showNeuronNumbers || batch === 0) return;
      const units = shape[hover.layer + 1];
      const k = sample * units + hover.neuron;
      if (!done({ kind: 'forward', layer: hover.layer })) return;
      const z = view(engine, Buffer.PreActivation, hover.layer)[k];
      const a = view(engine, Buffer.Activation, hover.layer)[k];
      const d = done({ kind: 'backward', layer: hover.layer }) ? `  δ ${fmt(view(engine, Buffer.Delta, hover.layer)[k], 4)}` : '';
      text = `z ${fmt(z, 4)}  a ${fmt(a, 4)}${d}`;
      x = state.hoverAt.x + 12;
      y = state.hoverAt.y - 12;
    }
    ctx.font = FONT;
    const width = ctx.measureText(text).width + 10;
    x = Math.min(x, L.w - width - 2);
    ctx.fillStyle = '#ffffe8';
    ctx.strokeStyle = '#444444';
    ctx.lineWidth = 1;
    ctx.fillRect(x, y - 10, width, 20);
    ctx.strokeRect(x, y - 10, width, 20);
    ctx.fillStyle = COLOURS.ink;
    ctx.textAlign = 'left';
    ctx.textBaseline = 'middle';
    ctx.fillText(text, x + 5, y);
  }

  return { draw, hitTest, layout: () => L, labels: () => drawn.map((d) => ({ ...d })) };
}

function same(a, b) {
  return a && b && a.type === b.type && a.layer === b.layer && a.neuron === b.neuron && a.input === b.input;
}
