// A network with convolution, pooling or flatten layers (issue 12), drawn on the network canvas
// in place of the layer view (which draws every unit as a neuron and every weight as an edge, and
// would draw a shared kernel as thousands of edges): each stage is its feature maps, one small
// image per channel of the shown sample's values on the activation scale; a convolution's
// kernels are k × k grids beside its maps (the weights, and once its backward phase ran the
// batch's dL/dK); the dense layers are columns of units. A kernel cell, clicked or reached with
// the arrow keys, shows its chain rule: the shared weight was used at every position of every
// sample, so dL/dK is the sum of one term δ · x̃ per position (session.kernelChainRule).
// Read only: a pick goes through actions.

import { Buffer, view } from './engine.js';
import { COLOURS, LUT_CSS, lutIndex, fmt, fmtInt } from './colors.js';
import { state, done } from './state.js';

const FAMILY = 'system-ui, sans-serif';

/** Each engine layer's kind ({type: 'dense' | 'convolution' | 'pooling' | 'flatten', …}). */
export function layerKinds() {
  return structure().kinds;
}

/** Does the current network have a convolution, pooling or flatten layer? (A recurrent network
 *  is drawn unrolled through time instead: unrolled_view.js.) */
export function mapsShown() {
  const { kinds } = structure();
  return kinds.some((k) => k.type !== 'dense') && !kinds.some((k) => k.type === 'recurrent');
}

let cached = { key: '', kinds: [], shapes: [], activations: [] };

/** The layers' kinds and the maps each stage holds (the inputs first), read once per network. */
function structure() {
  const s = state.session;
  const key = `${s.networkVersion()}`;
  if (cached.key !== key) {
    const maps = s.layerMaps();
    const kinds = maps.map((m) => m.kind);
    const shapes = maps.length ? [maps[0].input, ...maps.map((m) => m.output)] : [];
    const activations = s.config().layers.map((l) => l.activation);
    cached = { key, kinds, shapes, activations };
  }
  return cached;
}

/** A layer kind in a few words: "conv 3×3", "max pool 2×2", "flatten", "dense". */
export function kindSummary(kind) {
  const twice = (n) => (kind.dimensions === 'two' ? `${n}×${n}` : `${n}`);
  switch (kind.type) {
    case 'convolution': return `conv ${twice(kind.kernel_size)}`;
    case 'pooling': return `${kind.pool} pool ${twice(kind.size)}`;
    default: return kind.type;
  }
}

/** What stage `k` is, in short lines: ["1. conv 3×3", "valid, 4 maps", "relu"] and the like. */
function stageTitle(k, kind, shape, activation) {
  const size = shape.height > 1 ? `${shape.channels}×${shape.height}×${shape.width}` : `${shape.channels}×${shape.width}`;
  switch (kind?.type) {
    case undefined: return ['inputs', size];
    case 'convolution': return [`${k}. ${kindSummary(kind)}`, `${kind.padding}, ${shape.channels} maps`, activation];
    case 'pooling': return [`${k}. ${kind.pool} pool`, kindSummary(kind).split(' ').at(-1)];
    case 'flatten': return [`${k}. flatten`, `${shape.width}`];
    default: return [`${k}. dense ${shape.width}`, activation];
  }
}

/** The kernel grid of layer `layer`: output channel `out`, input channel `input`. */
function kernelSize(kind) {
  return { rows: kind.dimensions === 'two' ? kind.kernel_size : 1, cols: kind.kernel_size };
}

/** A kernel cell, in the keyboard's order: across, down, then the next input and output channel,
 *  then the next convolution layer. `key` is an arrow key; null `at` starts at the first cell. */
export function moveKernelFocus(at, key) {
  const { kinds, shapes } = structure();
  const convs = kinds.map((k, l) => (k.type === 'convolution' ? l : -1)).filter((l) => l >= 0);
  if (convs.length === 0) return null;
  if (!at) return { type: 'kernel', layer: convs[0], out: 0, input: 0, row: 0, col: 0 };
  const { rows, cols } = kernelSize(kinds[at.layer]);
  const next = { ...at };
  if (key === 'ArrowUp') next.row = Math.max(0, at.row - 1);
  else if (key === 'ArrowDown') next.row = Math.min(rows - 1, at.row + 1);
  else if (key === 'ArrowRight' || key === 'ArrowLeft') {
    // The cells in order, every kernel of every convolution one after another.
    const cells = [];
    for (const l of convs) {
      const k = kernelSize(kinds[l]);
      for (let o = 0; o < shapes[l + 1].channels; o++) {
        for (let i = 0; i < shapes[l].channels; i++) cells.push({ l, o, i, cols: k.cols });
      }
    }
    const kernel = cells.findIndex((c) => c.l === at.layer && c.o === at.out && c.i === at.input);
    const by = key === 'ArrowRight' ? 1 : -1;
    let col = at.col + by;
    let k = kernel;
    if (col >= cols || col < 0) {
      k = Math.max(0, Math.min(cells.length - 1, kernel + by));
      if (k === kernel) return at;
      col = by > 0 ? 0 : cells[k].cols - 1;
      const target = kernelSize(kinds[cells[k].l]);
      return { type: 'kernel', layer: cells[k].l, out: cells[k].o, input: cells[k].i, row: Math.min(at.row, target.rows - 1), col };
    }
    next.col = col;
  }
  return next;
}

/** Where kernel cell `at` is in its layer's weights: one row of C_in × rows × cols per map. */
export function kernelIndex(at) {
  const { kinds, shapes } = structure();
  const { rows, cols } = kernelSize(kinds[at.layer]);
  return ((at.out * shapes[at.layer].channels + at.input) * rows + at.row) * cols + at.col;
}

/** "kernel weight of layer 1, map 2 from input channel 1, row 2, column 3": a cell in words. */
export function kernelName(at) {
  const { kinds } = structure();
  const { rows } = kernelSize(kinds[at.layer]);
  const where = rows > 1 ? `row ${at.row + 1}, column ${at.col + 1}` : `tap ${at.col + 1}`;
  return `kernel weight of layer ${at.layer + 1}, map ${at.out + 1} from input channel ${at.input + 1}, ${where}`;
}

/** The caption under the canvas for the picked kernel weight: its chain rule with numbers. */
export function kernelCaption(at) {
  let rule;
  try {
    rule = state.session.kernelChainRule(at.layer, at.out, at.input, at.row, at.col);
  } catch (error) {
    const k = view(state.session, Buffer.Weights, at.layer)[kernelIndex(at)];
    return { text: `The ${kernelName(at)}: K = ${fmt(k, 4)}. Its chain rule is not there yet (${error.message}).`, terms: [], sample: 0 };
  }
  const count = rule.terms.length;
  const samples = new Set(rule.terms.map((t) => t.sample)).size;
  const scale = rule.scale === 1 ? '' : `${fmt(rule.scale, 4)} × `;
  const text = `The ${kernelName(at)}: K = ${fmt(rule.value, 4)}. It is shared: used at ${fmtInt(count)} positions`
    + ` (${fmtInt(count / Math.max(1, samples))} per sample × ${fmtInt(samples)} samples), so dL/dK = ${scale}Σ δ · x̃ over them`
    + ` = ${scale}${fmt(rule.sum, 4)} = ${fmt(rule.gradient, 4)} (the batch's dL/dK the engine holds).`;
  const sample = Math.min(state.position.sample, Math.max(0, state.session.batchLength() - 1));
  return { text, terms: rule.terms.filter((t) => t.sample === sample), sample };
}

export function createMapsView(canvas) {
  const ctx = canvas.getContext('2d');
  /** Where each kernel cell was drawn: {at, x, y, s}, for clicks. */
  let cells = [];
  let drawn = [];

  function text(str, x, y, { bold = false, px = 12, colour = COLOURS.ink, align = 'left' } = {}) {
    ctx.font = `${bold ? 'bold ' : ''}${px}px ${FAMILY}`;
    ctx.fillStyle = colour;
    ctx.textAlign = align;
    ctx.textBaseline = 'top';
    ctx.fillText(str, x, y);
    const w = ctx.measureText(str).width;
    drawn.push({ kind: 'title', text: str, x: align === 'center' ? x - w / 2 : x, y, w, h: px * 1.2 });
  }

  /** Draws `values` (channel-major maps) as `channels` images of h × w cells of size s, in
   *  columns of `perCol` maps, `step` pixels apart. */
  function maps(values, offset, shape, x0, y, s, gap, perCol, step) {
    let x = x0;
    for (let c = 0; c < shape.channels; c++) {
      const top = y + (c % perCol) * (shape.height * s + gap);
      x = x0 + Math.floor(c / perCol) * step;
      for (let i = 0; i < shape.height; i++) {
        for (let j = 0; j < shape.width; j++) {
          const v = values ? values[offset + c * shape.height * shape.width + i * shape.width + j] : NaN;
          ctx.fillStyle = values ? LUT_CSS[lutIndex(v)] : '#f3f3f3';
          ctx.fillRect(x + j * s, top + i * s, s, s);
        }
      }
      ctx.strokeStyle = '#999';
      ctx.lineWidth = 1;
      ctx.strokeRect(x - 0.5, top - 0.5, shape.width * s + 1, shape.height * s + 1);
    }
  }

  function draw(now, size) {
    const { w, h, dpr } = size;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, w, h);
    cells = [];
    drawn = [];
    const { kinds, shapes, activations } = structure();
    if (shapes.length === 0 || w < 40 || h < 40) return;
    const s = state.session;
    const batch = s.batchLength();
    const sample = Math.min(state.position.sample, Math.max(0, batch - 1));
    // Widths in cells: each channel's block (a convolution's kernels, then its map), the blocks in
    // columns of perCol channels, gaps between the stages.
    const vector = (t) => t === 'dense' || t === 'flatten';
    const isVector = shapes.map((_, k) => (k === 0 ? vector(kinds[0].type) : vector(kinds[k - 1].type)));
    const blockCells = shapes.map((shape, k) => {
      if (isVector[k]) return 2;
      const kind = kinds[k - 1];
      const kernelCells = kind?.type === 'convolution' ? shapes[k - 1].channels * (kernelSize(kind).cols + 1) + 1 : 0;
      return shape.width + kernelCells;
    });
    const gapCells = 3;
    const layoutFor = (perCol) => {
      const columns = shapes.map((shape, k) => (isVector[k] ? 1 : Math.ceil(shape.channels / perCol)));
      const stageCells = blockCells.map((b, k) => columns[k] * (b + 1) - 1);
      const totalCells = stageCells.reduce((a, b) => a + b, 0) + gapCells * (shapes.length - 1);
      const tallest = Math.max(...shapes.map((shape, k) => (isVector[k] ? Math.min(shape.width, 40) * 0.6
        : Math.min(perCol, shape.channels) * (shape.height + 1))));
      return { perCol, stageCells, totalCells, tallest };
    };
    const titles = shapes.map((shape, k) => stageTitle(k, kinds[k - 1], shape, k === 0 ? '' : activations[k - 1]));
    // At font size px: a stage is at least as wide as its title's longest line, the cells fill the
    // rest; the font shrinks (down to 9 px) until the stages fit across the canvas.
    const fitAt = (px, { perCol, stageCells, totalCells, tallest }) => {
      ctx.font = `bold ${px}px ${FAMILY}`;
      const titleW = titles.map((lines) => Math.max(...lines.map((t) => ctx.measureText(t).width)));
      const head = px * 4.4; // up to three lines of title
      const room = w - 16 - titleW.reduce((a, b) => a + b, 0) * 0.4;
      const cell = Math.max(2, Math.min(28, room / totalCells, (h - head - 16) / tallest));
      const lastStage = shapes.length - 1;
      const advance = stageCells.map((c, k) => Math.max(c * cell + (k < lastStage ? gapCells * cell : 0), titleW[k] + (k < lastStage ? px : 0)));
      return { px, head, cell, advance, perCol, stageCells, titleW, total: advance.reduce((a, b) => a + b, 0) };
    };
    // The maps in one column per stage, or wrapped into two, three or four when that draws
    // them larger (a tall stack of maps on a wide canvas).
    const fitFor = (perCol) => {
      const layout = layoutFor(perCol);
      let fit = fitAt(Math.max(11, Math.min(16, Math.round(w / 80))), layout);
      while (fit.total > w - 16 && fit.px > 9) fit = fitAt(fit.px - 1, layout);
      return fit;
    };
    const most = Math.max(1, ...shapes.map((shape, k) => (isVector[k] ? 1 : shape.channels)));
    let fit = fitFor(most);
    for (const split of [2, 3, 4]) {
      const other = fitFor(Math.ceil(most / split));
      if (other.cell > fit.cell * 1.1 && other.total <= w - 16) fit = other;
    }
    const { px, head, cell, perCol, stageCells } = fit;
    const gap = cell;
    // Centred across the canvas.
    let x = 8 + Math.max(0, (w - 16 - fit.total) / 2);
    const last = state.position.last;
    for (let k = 0; k < shapes.length; k++) {
      const shape = shapes[k];
      const kind = kinds[k - 1];
      const layer = k - 1;
      const width = stageCells[k] * cell;
      const active = last && last.layer === layer && (last.kind === 'forward' || last.kind === 'backward');
      if (active) {
        ctx.strokeStyle = last.kind === 'forward' ? COLOURS.forward : COLOURS.backward;
        ctx.lineWidth = 2;
        ctx.setLineDash(last.kind === 'backward' ? [5, 3] : []);
        ctx.strokeRect(x - 4, 2, Math.max(width, fit.titleW[k]) + 8, h - 4);
        ctx.setLineDash([]);
      }
      titles[k].forEach((line, n) => text(line, x, 4 + n * px * 1.2, { bold: n === 0, px }));
      const known = k === 0 ? batch > 0 && (state.progress > 0 || s.steps() > 0) : batch > 0 && done({ kind: 'forward', layer });
      const values = !known ? null : k === 0 ? view(s, Buffer.BatchInput) : view(s, Buffer.Activation, layer);
      const units = shape.channels * shape.height * shape.width;
      const offset = sample * units;
      if (isVector[k]) {
        // A vector: a column of units (at most 40 drawn, in a column of their own).
        const shown = Math.min(units, 40);
        const s2 = Math.max(2, Math.min(cell * 1.2, (h - head - 16) / shown - 1));
        for (let u = 0; u < shown; u++) {
          ctx.fillStyle = values ? LUT_CSS[lutIndex(values[offset + u])] : '#f3f3f3';
          ctx.fillRect(x, head + u * (s2 + 1), s2, s2);
          ctx.strokeStyle = '#999';
          ctx.strokeRect(x - 0.5, head + u * (s2 + 1) - 0.5, s2 + 1, s2 + 1);
        }
        if (k === shapes.length - 1 && values && s2 >= px) {
          for (let u = 0; u < shown; u++) text(fmt(values[offset + u], 3), x + s2 + 4, head + u * (s2 + 1) + (s2 - px) / 2, { px: px * 0.9 });
        }
        if (units > shown) text(`+${units - shown}`, x, head + shown * (s2 + 1) + 2, { px: px * 0.9, colour: COLOURS.muted });
      } else {
        let mapsX = x;
        if (kind?.type === 'convolution') {
          const weights = view(s, Buffer.Weights, layer);
          const gradKnown = s.steps() > 0 || done({ kind: 'backward', layer });
          const grads = gradKnown ? view(s, Buffer.GradWeights, layer) : null;
          const backwardNow = last?.kind === 'backward' && last.layer === layer;
          const { rows, cols } = kernelSize(kind);
          const cin = shapes[k - 1].channels;
          // Weights on a scale of the largest |w| of the layer (the grid's colour), dL/dK on its own.
          const wMax = Math.max(1e-12, ...weights.map(Math.abs));
          const gMax = grads ? Math.max(1e-300, ...grads.map(Math.abs)) : 1;
          for (let o = 0; o < shape.channels; o++) {
            const top = head + (o % perCol) * (shape.height * cell + gap);
            const blockX = x + Math.floor(o / perCol) * (blockCells[k] + 1) * cell;
            for (let i = 0; i < cin; i++) {
              const left = blockX + i * (cols + 1) * cell;
              for (let r = 0; r < rows; r++) {
                for (let c = 0; c < cols; c++) {
                  const p = ((o * cin + i) * rows + r) * cols + c; // as kernelIndex
                  const shown = backwardNow && grads ? grads[p] / gMax : weights[p] / wMax;
                  ctx.fillStyle = LUT_CSS[lutIndex(shown)];
                  const cx = left + c * cell;
                  const cy = top + r * cell;
                  ctx.fillRect(cx, cy, cell, cell);
                  cells.push({ at: { type: 'kernel', layer, out: o, input: i, row: r, col: c }, x: cx, y: cy, s: cell });
                }
              }
              ctx.strokeStyle = backwardNow ? COLOURS.backward : '#777';
              ctx.setLineDash(backwardNow ? [3, 2] : []);
              ctx.strokeRect(left - 0.5, top - 0.5, cols * cell + 1, rows * cell + 1);
              ctx.setLineDash([]);
            }
          }
          mapsX = x + (cin * (cols + 1) + 1) * cell;
        }
        maps(values, offset, shape, mapsX, head, cell, gap, perCol, (blockCells[k] + 1) * cell);
      }
      x += fit.advance[k];
    }
    // The picked kernel cell (solid) and the keyboard's (dashed).
    const ring = (at, dash) => {
      const hit = at && cells.find((c) => c.at.layer === at.layer && c.at.out === at.out && c.at.input === at.input && c.at.row === at.row && c.at.col === at.col);
      if (!hit) return;
      ctx.strokeStyle = COLOURS.ink;
      ctx.lineWidth = 2;
      ctx.setLineDash(dash);
      ctx.strokeRect(hit.x - 1, hit.y - 1, hit.s + 2, hit.s + 2);
      ctx.setLineDash([]);
    };
    ring(state.kernel, []);
    if (state.focus?.type === 'kernel') ring(state.focus, [3, 2]);
  }

  return {
    draw,
    /** The kernel cell at (x, y), CSS pixels, or null. */
    hitTest(x, y) {
      const hit = cells.find((c) => x >= c.x && x < c.x + c.s && y >= c.y && y < c.y + c.s);
      return hit ? hit.at : null;
    },
    /** What the last frame wrote: [{kind, text, x, y, w, h}], for the tests. */
    labels: () => drawn.map((d) => ({ ...d })),
    /** Where each kernel cell was drawn, for the tests. */
    kernelCells: () => cells.map((c) => ({ ...c.at, x: c.x, y: c.y, s: c.s })),
  };
}
