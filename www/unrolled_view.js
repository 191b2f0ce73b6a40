// A network with a recurrent layer (issue 12), drawn on the network canvas in place of the
// layer view: the layer unrolled left to right over its T time steps. Each step is a column:
// x_t at the bottom, the hidden state h_t above it (one cell per unit, the shown sample's values
// on the activation scale) and, once the backward pass ran, δ_t = dL/dz_t beside it. Arrows carry
// h_(t−1) into h_t (W_h, the same weights at every step) and x_t into h_t (W_x). The forward phase
// fills the columns left to right, the backward phase δ right to left, so the student sees the
// error travel back through time. Above the columns, a bar per step: the norm of that step's term
// of dL/dW_x over the batch. The shared weight's gradient is the sum of these terms, and the first
// steps' bars shrink to nothing when gradients vanish through time. A badge says when clipping
// acted. A hidden unit, clicked or reached with the arrow keys, picks its weight from x_t; its
// chain rule through time (session.recurrentChainRule) goes under the canvas.
// Read only: a pick goes through actions.

import { Buffer, view } from './engine.js';
import { COLOURS, LUT_CSS, lutIndex, fmt, fmtInt } from './colors.js';
import { state, done } from './state.js';
import { layerKinds } from './maps_view.js';

const FAMILY = 'system-ui, sans-serif';
/** The most columns drawn with their numbers and their own δ cells; longer sequences draw thinner. */
const ROOM_FOR_NUMBERS = 12;

/** The index of the network's recurrent layer, or −1. */
export function recurrentLayer() {
  return layerKinds().findIndex((k) => k.type === 'recurrent');
}

/** Does the current network have a recurrent layer (so the unrolled view draws it)? */
export function unrolledShown() {
  return recurrentLayer() >= 0;
}

/** The recurrent layer's sizes: C values per step, H units, T steps, and what it returns. */
function geometry(layer) {
  const maps = state.session.layerMaps()[layer];
  return { inputs: maps.input.channels, hidden: maps.parameter_rows, steps: maps.input.width, returns: maps.kind.returns };
}

/** The weight the keyboard moves to from `at` ({type: 'recurrent', layer, row, column}; column
 *  < C is W_x's, C + k is W_h's column k, C + H the bias). Null `at` starts at W_x[1, 1]. */
export function moveRecurrentFocus(at, key) {
  const layer = recurrentLayer();
  if (layer < 0) return null;
  if (!at) return { type: 'recurrent', layer, row: 0, column: 0 };
  const { inputs, hidden } = geometry(layer);
  const next = { ...at };
  if (key === 'ArrowUp') next.row = Math.max(0, at.row - 1);
  else if (key === 'ArrowDown') next.row = Math.min(hidden - 1, at.row + 1);
  else if (key === 'ArrowLeft') next.column = Math.max(0, at.column - 1);
  else if (key === 'ArrowRight') next.column = Math.min(inputs + hidden, at.column + 1);
  return next;
}

/** "W_x[3, 1], the weight from x_t,1 into hidden unit 3" and the like: a weight in words. */
export function recurrentWeightName(at) {
  const { inputs, hidden } = geometry(at.layer);
  const j = at.row + 1;
  if (at.column < inputs) return `W_x[${j}, ${at.column + 1}], the weight from x_t,${at.column + 1} into hidden unit ${j}`;
  if (at.column < inputs + hidden) {
    const k = at.column - inputs + 1;
    return `W_h[${j}, ${k}], the weight from h_(t−1),${k} into hidden unit ${j}`;
  }
  return `b[${j}], the bias of hidden unit ${j}`;
}

/** The caption for the picked weight: its chain rule through time with the numbers, and the
 *  shown sample's term at every step. */
export function recurrentCaption(at) {
  const { inputs, hidden, steps } = geometry(at.layer);
  const column = at.column < inputs + hidden ? at.column : undefined;
  let rule;
  try {
    rule = state.session.recurrentChainRule(at.layer, at.row, column);
  } catch (error) {
    return { text: `${recurrentWeightName(at)}. Its chain rule through time is not there yet (${error.message}).`, terms: [], steps: [], sample: 0 };
  }
  const samples = new Set(rule.terms.map((t) => t.sample)).size;
  const input = rule.name === 'W_x' ? 'x_t' : rule.name === 'W_h' ? 'h_(t−1)' : '1';
  const scale = rule.scale === 1 ? '' : `${fmt(rule.scale, 4)} × `;
  const clipped = rule.clipped === rule.gradient ? ' (the batch\'s gradient the engine holds)'
    : `, clipped to ${fmt(rule.clipped, 4)} (× ${fmt(rule.clipped / rule.gradient, 4)}, what the engine holds)`;
  const text = `${recurrentWeightName(at)} = ${fmt(rule.value, 4)}. The same weight works at all ${fmtInt(steps)} steps,`
    + ` so dL/d${rule.name} = ${scale}Σ_t Σ_samples δ_t · ${input}: ${fmtInt(rule.terms.length)} terms (${fmtInt(steps)} steps × ${fmtInt(samples)} samples)`
    + ` = ${scale}${fmt(rule.sum, 4)} = ${fmt(rule.gradient, 4)}${clipped}.`;
  const sample = Math.min(state.position.sample, Math.max(0, state.session.batchLength() - 1));
  return { text, terms: rule.terms.filter((t) => t.sample === sample), steps: rule.step_sums, sample, name: rule.name, input };
}

export function createUnrolledView(canvas) {
  const ctx = canvas.getContext('2d');
  /** Where each hidden cell was drawn: {at, x, y, s}, for clicks. */
  let cells = [];
  let drawn = [];
  let bars = [];

  /** The canvas's CSS width in the current frame (a line of text shrinks to fit inside it). */
  let room = Infinity;

  function text(str, x, y, { bold = false, px = 12, colour = COLOURS.ink, align = 'left', kind = 'title' } = {}) {
    ctx.font = `${bold ? 'bold ' : ''}${px}px ${FAMILY}`;
    // A long line (the recurrence, the bars' label) shrinks to fit the canvas, down to 8 px.
    while (align === 'left' && px > 8 && x + ctx.measureText(str).width > room - 4) {
      px -= 0.5;
      ctx.font = `${bold ? 'bold ' : ''}${px}px ${FAMILY}`;
    }
    ctx.fillStyle = colour;
    ctx.textAlign = align;
    ctx.textBaseline = 'top';
    ctx.fillText(str, x, y);
    const w = ctx.measureText(str).width;
    const left = align === 'center' ? x - w / 2 : align === 'right' ? x - w : x;
    drawn.push({ kind, text: str, x: left, y, w, h: px * 1.2 });
    return w;
  }

  function arrow(x0, y0, x1, y1, colour, dashed) {
    ctx.strokeStyle = colour;
    ctx.fillStyle = colour;
    ctx.lineWidth = 1.5;
    ctx.setLineDash(dashed ? [4, 3] : []);
    ctx.beginPath();
    ctx.moveTo(x0, y0);
    ctx.lineTo(x1, y1);
    ctx.stroke();
    ctx.setLineDash([]);
    const a = Math.atan2(y1 - y0, x1 - x0);
    const head = 5;
    ctx.beginPath();
    ctx.moveTo(x1, y1);
    ctx.lineTo(x1 - head * Math.cos(a - 0.45), y1 - head * Math.sin(a - 0.45));
    ctx.lineTo(x1 - head * Math.cos(a + 0.45), y1 - head * Math.sin(a + 0.45));
    ctx.closePath();
    ctx.fill();
  }

  /** How much of the recurrent layer's forward (or backward) phase to show: 0 … 1 of its steps,
   *  animated while that phase's animation runs. */
  function revealed(kind, layer, now) {
    const last = state.position.last;
    if (!done({ kind, layer })) return 0;
    if (state.anim && last?.kind === kind && last.layer === layer) {
      return Math.max(0, Math.min(1, (now - state.anim.start) / Math.max(1, state.anim.duration)));
    }
    return 1;
  }

  function draw(now, size) {
    const { w, h, dpr } = size;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, w, h);
    cells = [];
    drawn = [];
    bars = [];
    room = w;
    const layer = recurrentLayer();
    if (layer < 0 || w < 60 || h < 60) return;
    const s = state.session;
    const { inputs, hidden, steps, returns } = geometry(layer);
    const batch = s.batchLength();
    const sample = Math.min(state.position.sample, Math.max(0, batch - 1));
    const trained = s.steps() > 0;
    const px = Math.max(11, Math.min(16, Math.round(w / 80)));
    const activation = s.config().layers[layer].activation;
    const last = state.position.last;

    // The title: the recurrence, and whose numbers these are.
    let y = 4;
    text(`Layer ${layer + 1}, ${activation} recurrent, unrolled over T = ${steps} steps: h_t = ${activation}(W_x·x_t + W_h·h_(t−1) + b), h_0 = 0`, 8, y, { bold: true, px });
    y += px * 1.35;
    text(`Cells: sample ${sample + 1} of the batch (${fmtInt(batch)}), h_t on the activation scale; δ_t = dL/dz_t (violet outline) on its own scale.`, 8, y, { px: px * 0.9, colour: COLOURS.muted });
    y += px * 1.5;

    // Columns: h_0, then t = 1 … T, then the read-out.
    const left = 8 + px * 2.6;
    const readoutW = px * 6;
    const colW = Math.max(4, (w - left - readoutW - 8) / (steps + 1));
    const roomy = steps <= ROOM_FOR_NUMBERS && colW > px * 4;
    const cell = Math.max(2, Math.min(px * 1.6, (colW - 6) / 2.2));
    const barsH = Math.max(px * 3, Math.min(h * 0.28, px * 9));
    const gridTop = y + px * 1.3 + barsH + px * 1.4;
    const hCells = Math.max(2, Math.min(cell, (h - gridTop - px * 5) / hidden));
    const colX = (t) => left + t * colW + (colW - 2.2 * hCells) / 2;
    const hTop = gridTop;
    const xTop = hTop + hidden * hCells + px * 1.6;

    // ---- the bars: each step's share of dL/dW_x ------------------------------------------------
    const backwardShown = revealed('backward', layer, now);
    let norms = null;
    if (batch > 0 && done({ kind: 'backward', layer })) {
      try {
        norms = s.recurrentStepNorms(layer);
      } catch {
        norms = null;
      }
    }
    text('‖step t\'s term of dL/dW_x‖ over the batch (before clipping): the gradient is the sum of these terms', 8, y, { px: px * 0.9, kind: 'bars-title' });
    const barBase = y + px * 1.3 + barsH;
    ctx.strokeStyle = '#bbb';
    ctx.lineWidth = 1;
    ctx.beginPath();
    ctx.moveTo(left, barBase + 0.5);
    ctx.lineTo(left + (steps + 1) * colW, barBase + 0.5);
    ctx.stroke();
    if (norms) {
      const values = norms.weights_input;
      const top = Math.max(1e-300, ...values);
      const from = Math.ceil(steps * (1 - backwardShown));
      for (let t = 0; t < steps; t++) {
        const v = values[t];
        const bh = t >= from ? (v / top) * barsH : 0;
        const bx = left + (t + 1) * colW + colW * 0.2;
        ctx.fillStyle = COLOURS.backward;
        ctx.fillRect(bx, barBase - bh, colW * 0.6, bh);
        bars.push({ step: t + 1, value: v, x: bx, y: barBase - bh, w: colW * 0.6, h: bh });
      }
      if (backwardShown >= 1) {
        const ends = [0, steps - 1];
        for (const t of ends) {
          const x = left + (t + 1.5) * colW;
          // Above its bar, or beside its top when the bar reaches up to the labels' row.
          const above = barBase - (values[t] / top) * barsH - px * 1.15;
          const beside = above < y + px * 2.7;
          const bx = left + (t + 1) * colW + colW * (t === 0 ? 0.85 : 0.15);
          text(fmt(values[t], 2), beside ? bx : x, beside ? above + px * 1.3 : above, { px: px * 0.85, colour: COLOURS.backward, align: t === 0 ? 'left' : 'right', kind: 'bar-value' });
        }
        const ratio = values[0] / Math.max(1e-300, values[steps - 1]);
        text(`step 1 ÷ step ${steps} = ${fmt(ratio, 2)}`, left + colW, y + px * 1.3, { px: px * 0.85, colour: COLOURS.muted, kind: 'bar-ratio' });
      }
      // Clipping: the norm of the whole gradient and what it was cut to.
      const c = norms.clip;
      if (c.threshold !== null && c.threshold !== undefined) {
        const badge = c.acted
          ? `clipped: ‖g‖ = ${fmt(c.norm, 3)} → θ = ${fmt(c.threshold, 3)} (every gradient × ${fmt(c.scale, 3)})`
          : `clipping at θ = ${fmt(c.threshold, 3)}: ‖g‖ = ${fmt(c.norm, 3)}, not cut`;
        ctx.font = `bold ${px * 0.9}px ${FAMILY}`;
        const bw = ctx.measureText(badge).width + 12;
        const bx = w - bw - 8;
        const by = y + px * 1.3;
        ctx.fillStyle = c.acted ? COLOURS.backward : '#ffffff';
        ctx.strokeStyle = COLOURS.backward;
        ctx.fillRect(bx, by, bw, px * 1.5);
        ctx.strokeRect(bx + 0.5, by + 0.5, bw - 1, px * 1.5 - 1);
        text(badge, bx + 6, by + px * 0.25, { px: px * 0.9, bold: true, colour: c.acted ? '#ffffff' : COLOURS.backward, kind: 'clip' });
      }
    } else {
      text(trained ? 'the bars appear after the backward pass of this step' : 'the bars appear after the first backward pass (press → until "backward, layer 1")',
        left + colW, barBase - px * 1.4, { px: px * 0.9, colour: COLOURS.muted, kind: 'bars-empty' });
    }

    // ---- the unrolled columns ---------------------------------------------------------------
    const forwardShown = revealed('forward', layer, now);
    const hasForward = batch > 0 && done({ kind: 'forward', layer });
    // A step opened from a link mid-way keeps no states through time until its next forward pass.
    const through = (buffer) => {
      try {
        return view(s, buffer, layer);
      } catch {
        return null;
      }
    };
    const hiddenStates = hasForward ? through(Buffer.HiddenStates) : null;
    const deltas = batch > 0 && done({ kind: 'backward', layer }) ? through(Buffer.StepDelta) : null;
    const input = batch > 0 ? (layer === 0 ? view(s, Buffer.BatchInput) : view(s, Buffer.Activation, layer - 1)) : null;
    const hAt = (t, j) => hiddenStates[(sample * (steps + 1) + t) * hidden + j];
    const dAt = (t, j) => deltas[(sample * steps + t - 1) * hidden + j];
    const xAt = (t, c) => input[sample * inputs * steps + c * steps + t - 1];
    let dMax = 1e-300;
    if (deltas) for (let t = 1; t <= steps; t++) for (let j = 0; j < hidden; j++) dMax = Math.max(dMax, Math.abs(dAt(t, j)));
    const forwardUpTo = Math.floor(steps * forwardShown + 1e-9);
    const backwardFrom = steps + 1 - Math.floor(steps * backwardShown + 1e-9);
    const activeForward = last?.kind === 'forward' && last.layer === layer;
    const activeBackward = last?.kind === 'backward' && last.layer === layer;
    text('h_t', 8, hTop + (hidden * hCells) / 2 - px * 0.6, { px, bold: true });
    text('x_t', 8, xTop, { px, bold: true });
    for (let t = 0; t <= steps; t++) {
      const x = colX(t);
      // The step's number under its column (every step when they fit, else every fifth).
      const every = colW > px * 2.2 ? 1 : colW > px * 0.9 ? 5 : 10;
      if (t === 0 || t === steps || t % every === 0) text(t === 0 ? 't = 0' : `${t}`, x + hCells / 2, xTop + (inputs + 0.4) * hCells + px * 0.3, { px: px * 0.85, colour: COLOURS.muted, align: 'center', kind: 'step' });
      const shown = hiddenStates && (t === 0 || t <= forwardUpTo);
      for (let j = 0; j < hidden; j++) {
        const cy = hTop + j * hCells;
        ctx.fillStyle = shown ? LUT_CSS[lutIndex(hAt(t, j))] : '#f3f3f3';
        ctx.fillRect(x, cy, hCells, hCells);
        ctx.strokeStyle = activeForward && t === forwardUpTo ? COLOURS.forward : '#999';
        ctx.lineWidth = 1;
        ctx.strokeRect(x - 0.5, cy - 0.5, hCells + 1, hCells + 1);
        if (t > 0) cells.push({ at: { type: 'recurrent', layer, row: j, column: 0 }, step: t, x, y: cy, s: hCells });
        if (t > 0 && deltas && t >= backwardFrom) {
          const dx = x + hCells * 1.2;
          ctx.fillStyle = LUT_CSS[lutIndex(dAt(t, j) / dMax)];
          ctx.fillRect(dx, cy, hCells, hCells);
          ctx.strokeStyle = COLOURS.backward;
          ctx.setLineDash([2, 2]);
          ctx.strokeRect(dx - 0.5, cy - 0.5, hCells + 1, hCells + 1);
          ctx.setLineDash([]);
          cells.push({ at: { type: 'recurrent', layer, row: j, column: 0 }, step: t, x: dx, y: cy, s: hCells });
        }
      }
      if (roomy && shown && t > 0) {
        // The shown sample's numbers, where they fit: h_t,1 and δ_t,1 under the cells.
        text(fmt(hAt(t, 0), 2), x, hTop - px * 1.1, { px: px * 0.8, colour: COLOURS.muted, kind: 'value' });
      }
      if (t > 0) {
        for (let c = 0; c < inputs; c++) {
          const v = input ? xAt(t, c) : NaN;
          const cy = xTop + c * hCells;
          ctx.fillStyle = input ? LUT_CSS[lutIndex(v)] : '#f3f3f3';
          ctx.fillRect(x, cy, hCells, hCells);
          ctx.strokeStyle = '#999';
          ctx.strokeRect(x - 0.5, cy - 0.5, hCells + 1, hCells + 1);
          if (input && inputs === 1 && hCells >= px * 0.9) text(fmt(v, 2), x + hCells / 2, cy + (hCells - px * 0.8) / 2, { px: px * 0.8, align: 'center', colour: Math.abs(v) > 0.6 ? '#ffffff' : COLOURS.ink, kind: 'input' });
        }
        // x_t → h_t (W_x), and h_(t−1) → h_t (W_h): the same weights at every step.
        const reached = shown;
        arrow(x + hCells / 2, xTop - 2, x + hCells / 2, hTop + hidden * hCells + 3, reached ? COLOURS.forward : '#bbb', false);
        const prev = colX(t - 1) + (deltas ? hCells * 2.2 : hCells);
        if (x - prev > 6) arrow(prev + 1, hTop + (hidden * hCells) / 2, x - 2, hTop + (hidden * hCells) / 2, reached ? COLOURS.forward : '#bbb', false);
        // δ flows back: δ_t → δ_(t−1) through W_h and f′, under the cells.
        if (deltas && t >= backwardFrom && t > 1) {
          const yb = hTop + hidden * hCells + px * 0.6;
          arrow(x + hCells * 1.2, yb, colX(t - 1) + hCells * 2.2, yb, COLOURS.backward, true);
        }
      }
    }
    if (steps >= 2 && colX(2) - colX(1) > px * 2.5) {
      text('W_h', (colX(1) + colX(2) + hCells) / 2, hTop - px * 1.15 - (roomy ? px * 0.9 : 0), { px: px * 0.85, align: 'center', kind: 'weight-label' });
      text('W_x', colX(1) + hCells * 0.6, xTop - px * 1.0, { px: px * 0.85, kind: 'weight-label' });
    }

    // ---- the read-out ------------------------------------------------------------------------
    const outLayer = s.layerCount() - 1;
    const rx = left + (steps + 1) * colW + 8;
    const outputs = batch > 0 && done({ kind: 'forward', layer: outLayer }) ? view(s, Buffer.Activation, outLayer) : null;
    const targets = batch > 0 ? view(s, Buffer.BatchTarget) : null;
    const perSample = s.layerUnits(outLayer);
    const tPer = targets ? targets.length / Math.max(1, batch) : 0;
    if (returns === 'last') {
      const cy = hTop + (hidden * hCells) / 2;
      if (outputs) arrow(colX(steps) + hCells * (deltas ? 2.2 : 1) + 2, cy, rx - 2, cy, COLOURS.forward, false);
      text(`ŷ = ${outputs ? fmt(outputs[sample * perSample], 3) : '—'}`, rx, cy - px * 1.3, { px, bold: true, kind: 'output' });
      text(`y = ${targets && tPer ? fmt(targets[sample * tPer], 3) : '—'}`, rx, cy + px * 0.1, { px, kind: 'target' });
      text(`from h_${steps}`, rx, cy + px * 1.4, { px: px * 0.8, colour: COLOURS.muted });
    } else {
      text('ŷ_t under each step:', rx, hTop, { px: px * 0.85, colour: COLOURS.muted });
      text('a loss at every step', rx, hTop + px * 1.1, { px: px * 0.85, colour: COLOURS.muted });
      if (outputs) {
        const yo = xTop + (inputs + 1.6) * hCells + px * 1.2;
        for (let t = 1; t <= steps; t++) {
          ctx.fillStyle = LUT_CSS[lutIndex(outputs[sample * perSample + t - 1])];
          ctx.fillRect(colX(t), yo, hCells, hCells);
          ctx.strokeStyle = '#999';
          ctx.strokeRect(colX(t) - 0.5, yo - 0.5, hCells + 1, hCells + 1);
        }
        text('ŷ_t', 8, yo, { px, bold: true });
      }
    }
    if (activeForward || activeBackward) {
      ctx.strokeStyle = activeForward ? COLOURS.forward : COLOURS.backward;
      ctx.lineWidth = 2;
      ctx.setLineDash(activeBackward ? [5, 3] : []);
      ctx.strokeRect(left - 4, hTop - px * 2.4, (steps + 1) * colW + 8, xTop - hTop + (inputs + 1) * hCells + px * 3.4);
      ctx.setLineDash([]);
    }

    // The picked unit's row (solid) and the keyboard's (dashed), across all steps.
    const ring = (at, dash) => {
      if (!at || at.type !== 'recurrent' || at.layer !== layer) return;
      const row = at.row;
      ctx.strokeStyle = COLOURS.ink;
      ctx.lineWidth = 2;
      ctx.setLineDash(dash);
      ctx.strokeRect(colX(1) - 2, hTop + row * hCells - 2, colX(steps) - colX(1) + hCells * (deltas ? 2.2 : 1) + 4, hCells + 4);
      ctx.setLineDash([]);
    };
    ring(state.kernel, []);
    if (state.focus?.type === 'recurrent') ring(state.focus, [3, 2]);
  }

  return {
    draw,
    /** The weight a click at (x, y), CSS pixels, picks: hidden unit j's weight from x_t, or null. */
    hitTest(x, y) {
      const hit = cells.find((c) => x >= c.x && x < c.x + c.s && y >= c.y && y < c.y + c.s);
      return hit ? hit.at : null;
    },
    /** What the last frame wrote: [{kind, text, x, y, w, h}], for the tests. */
    labels: () => drawn.map((d) => ({ ...d })),
    /** The bars the last frame drew: [{step, value, x, y, w, h}]. */
    bars: () => bars.map((b) => ({ ...b })),
    /** Where each hidden (and δ) cell was drawn: [{layer, row, column, step, x, y, s}]. */
    cells: () => cells.map((c) => ({ ...c.at, step: c.step, x: c.x, y: c.y, s: c.s })),
  };
}
