// The computation graph of the shown sample (session.computationGraph, src/computation_graph.rs):
// every multiply, add, activation and loss node with its value and its gradient ∇ = dL/d node
// of this sample's loss, every edge with its local derivative, in layers by topological depth.
//
// Stepping a phase lights its nodes one by one: forward in topological order, the gradients
// backward in the reverse, the caption showing each one's numbers (a backward node: ∇ = Σ
// upstream ∇ × local derivative, "+=" once per use where a value fans out). The keyboard moves
// between nodes (← → along the edges, ↑ ↓ within a layer); the focused node's formula is shown
// and announced. Numbers are the engine's; nothing here computes one but the products of the
// caption's sums. Read only: the callbacks given turn focus and selection into actions.
//
// A larger network's graph folds each neuron into one node (marked ⊞): a click on it, or Enter
// or Space while it has the keyboard's focus, asks the engine for the graph with that neuron
// unfolded into its products, sum and activation; the same on the unfolded activation (marked
// ⊟) folds it again. Which neurons are unfolded is this view's own, like its layout: it is
// cleared when the network's shape changes.

import { COLOURS, fmt } from './colors.js';
import { fitCanvas } from './canvas.js';
import { state, subscribe, value as settingValue } from './state.js';

const FAMILY = 'system-ui, sans-serif';
/** The smallest text a node is written in; below it, nodes are drawn without their numbers. */
const MIN_FONT_PX = 9;
/** Time per node while a phase lights its nodes, and the longest a phase takes to light. */
const REVEAL_STEP_MS = 300;
const REVEAL_MAX_MS = 4500;

const GLYPHS = { multiply: '×', add: '+', difference: '−', half_square: '½x²', binary_cross_entropy: 'ln', cross_entropy: 'ln', sample_loss: 'Σ' };
const ACTIVATIONS = { sigmoid: 'σ', tanh: 'tanh', relu: 'relu', leaky_relu: 'lrelu', identity: 'id', softmax: 'softmax' };
const LEAF_GROUND = { weight: '#e6eef8', bias: '#e6eef8', input: '#f0f0f0', target: '#f0f0f0' };

/** A number in a node's box: 4 significant digits, or 3 with an exponent below 0.001, so that
 *  boxes stay narrow (the caption writes the engine's number in full). */
function short(value, digits = 4) {
  if (typeof value === 'number' && value !== 0 && Math.abs(value) < 1e-3 && Number.isFinite(value)) {
    return value.toExponential(digits - 2).replace('-', '−').replace('e-', 'e−').replace('e+', 'e');
  }
  return fmt(value, digits);
}

/** Labels at least this large are what a lecture room reads; a layout that writes them
 *  smaller with 4 significant digits writes 3 if that reaches it. */
const READABLE_PX = 12;

/** "ŷ₁ − y₁" written with the kind of operation first: "× w¹₁₁·x₁", "σ a¹₁". */
function title(node) {
  // A product is its operation alone: its factors are the two nodes it is drawn from.
  if (node.kind === 'multiply') return '×';
  if (node.kind === 'difference') return `− ${node.formula.split(' = ')[0]}`;
  if (node.kind === 'half_square') return node.label;
  if (node.kind === 'sample_loss') return 'Σ L';
  if (node.kind === 'batch_loss') return node.label.replace(/^L \(batch (\w+)\)$/, 'L, $1');
  const glyph = node.activation ? ACTIVATIONS[node.activation] : GLYPHS[node.kind];
  return glyph ? `${glyph} ${node.label}` : node.label;
}

function samePhase(a, b) {
  return Boolean(a && b) && a.kind === b.kind && a.layer === b.layer;
}

/** The edge into `consumer` from `id`. */
function edgeFrom(consumer, id) {
  return consumer.inputs.find((e) => e.from === id);
}

/** The value in words with its numbers: "z¹₁ = w¹₁₁·x₁ + b¹₁ = 0.0075 + 0.35 = 0.3575". */
export function valueText(graph, node) {
  const v = fmt(node.value, 4);
  const input = (k) => graph.nodes[node.inputs[k].from];
  if (node.value === null) return `${node.label}: not computed yet in this step`;
  switch (node.kind) {
    case 'multiply': return `${node.formula} = ${fmt(input(0).value, 4)} × ${fmt(input(1).value, 4)} = ${v}`;
    case 'add':
    case 'sample_loss':
      return `${node.formula} = ${node.inputs.map((e) => fmt(graph.nodes[e.from].value, 4)).join(' + ')} = ${v}`;
    case 'activation':
      return node.activation === 'softmax' ? `${node.formula} = ${v}` : `${node.formula} = ${node.activation}(${fmt(input(0).value, 4)}) = ${v}`;
    case 'difference': return `${node.formula} = ${fmt(input(0).value, 4)} − ${fmt(input(1).value, 4)} = ${v}`;
    case 'half_square': return `${node.label} = ½ × ${fmt(input(0).value, 4)}² = ${v}`;
    case 'batch_loss': return `${node.label} = ${node.formula} = ${v}`;
    case 'neuron': return `${node.formula} = ${v}`;
    case 'weight': case 'bias': return `${node.label} = ${v} (a parameter)`;
    default: return `${node.label} = ${node.formula === 'the sample\'s input' || node.formula === 'the sample\'s target' ? '' : `${node.formula} = `}${v}`;
  }
}

/** The gradient in words: ∇ = Σ over the consumers of upstream ∇ × local derivative, with the
 *  numbers; "+=" once per use where the value fans out. */
export function gradientText(graph, node) {
  const name = `∂L/∂${node.label}`;
  if (node.gradient_from.kind === 'none') return node.kind === 'target' ? `${node.label} is a constant: no gradient` : 'the batch\'s loss: the gradients shown are this sample\'s';
  if (node.gradient === null) return `${name}: not computed yet in this step`;
  if (node.gradient_from.kind === 'root') return `${name} = 1 (where the backward pass starts)`;
  const terms = node.consumers.map((c) => {
    const consumer = graph.nodes[c];
    return `${fmt(consumer.gradient, 4)} × ${fmt(edgeFrom(consumer, node.id).local_derivative, 4)}`;
  });
  const source = node.gradient_from.kind === 'engine' ? ` (the engine's ${node.gradient_from.buffer.replace('_', ' ')})` : '';
  if (node.fan_out) {
    return `${node.label} is used ${node.consumers.length} times, so its gradient adds one term per use: ${name} = ${terms.join(' + ')} = ${fmt(node.gradient, 4)}${source}`;
  }
  return `${name} = upstream ∇ × local = ${terms[0] ?? ''} = ${fmt(node.gradient, 4)}${source}`;
}

/** Layers of the graph: each node in the column of its depth, a leaf (a weight, a bias, an
 *  input, a target) just before its first consumer; within a column, ordered by where its
 *  neighbours are so that edges cross less. */
function layers(graph) {
  const { nodes } = graph;
  const column = nodes.map((n) => (n.inputs.length ? n.depth : Infinity));
  for (const n of nodes) if (!n.inputs.length) column[n.id] = Math.max(0, Math.min(...n.consumers.map((c) => column[c])) - 1);
  // The batch's loss under this sample's: one column less to fit.
  for (const n of nodes) if (n.kind === 'batch_loss') column[n.id] = column[n.inputs[0].from];
  const count = Math.max(...column) + 1;
  const lists = Array.from({ length: count }, () => []);
  for (const n of nodes) lists[column[n.id]].push(n.id);
  const rank = new Float64Array(nodes.length);
  const place = () => lists.forEach((list) => list.forEach((id, k) => { rank[id] = k / Math.max(1, list.length - 1); }));
  place();
  const mean = (ids) => (ids.length ? ids.reduce((s, id) => s + rank[id], 0) / ids.length : 0.5);
  for (let sweep = 0; sweep < 2; sweep++) {
    for (const list of lists) {
      const key = new Map(list.map((id) => [id, nodes[id].inputs.length ? mean(nodes[id].inputs.map((e) => e.from)) : mean(nodes[id].consumers)]));
      list.sort((a, b) => key.get(a) - key.get(b) || a - b);
    }
    place();
  }
  return { column, lists };
}

/**
 * The graph view on `canvas` (in `panel`, with its caption and live region), reading `state`.
 * `onFocus(id | null)` moves the keyboard's node; `onSelect(selection)` selects the weight or
 * neuron a node stands for in the layer view and the inspector.
 */
export function createGraphView(panel, { onFocus, onSelect }) {
  const canvas = panel.querySelector('canvas');
  const caption = panel.querySelector('.graph-caption');
  const live = panel.querySelector('.graph-announce');
  const ctx = canvas.getContext('2d');
  let graph = null;
  let stale = true;
  let dirty = true;
  let size = { w: 0, h: 0 };
  let L = null; // the layout
  let drawn = [];
  let reveal = null; // {steps: [{id, what}], start, per}
  let seenStep = '';
  let announced = null;
  let unfolded = []; // [[engine layer, neuron], …]: the neurons of a folded graph drawn unfolded
  let shapeKey = '';
  const baseLabel = canvas.getAttribute('aria-label') ?? '';
  // The legend's entry for the fold marks, shown while the graph is folded.
  const foldLegend = document.createElement('span');
  foldLegend.textContent = '⊞ a folded neuron (click or Enter: unfold it) · ⊟ an unfolded one (click or Enter: fold it)';
  foldLegend.hidden = true;
  panel.querySelector('.legend')?.append(foldLegend);

  new ResizeObserver(([entry]) => {
    size = { w: Math.round(entry.contentRect.width), h: Math.round(entry.contentRect.height) };
    dirty = true;
  }).observe(canvas);
  subscribe(['weights', 'position', 'network', 'data', 'settings'], () => { stale = true; dirty = true; });
  subscribe(['hover', 'view'], () => { dirty = true; });

  const shown = () => Boolean(settingValue('graph'));
  const sample = () => Math.min(state.position.sample, Math.max(0, state.session.batchLength() - 1));

  function fetch() {
    stale = false;
    const shapeNow = state.shape.join(',');
    if (shapeNow !== shapeKey) unfolded = [];
    shapeKey = shapeNow;
    try {
      graph = state.session.computationGraph(sample(), unfolded.length ? Float64Array.from(unfolded.flat()) : undefined);
    } catch (error) {
      // A neuron the network no longer has: the folded graph, and the error where errors go.
      if (!unfolded.length) throw error;
      unfolded = [];
      graph = state.session.computationGraph(sample());
    }
    L = null;
    const label = graph.folded ? `${baseLabel}. Each neuron is one node: Enter, Space or a click on a neuron unfolds it into its operations, and on its activation folds it again` : baseLabel;
    if (canvas.getAttribute('aria-label') !== label) canvas.setAttribute('aria-label', label);
    foldLegend.hidden = !graph.folded;
    const key = `${state.session.steps()}|${state.progress}`;
    // A phase just run, animated: light its nodes one by one.
    if (key !== seenStep && state.anim && state.position.last) {
      const last = state.position.last;
      const steps = [];
      for (const id of graph.order) if (samePhase(graph.nodes[id].value_phase, last)) steps.push({ id, what: 'value' });
      for (const id of [...graph.order].reverse()) if (samePhase(graph.nodes[id].gradient_phase, last)) steps.push({ id, what: 'gradient' });
      reveal = steps.length ? { steps, start: performance.now(), per: Math.min(REVEAL_STEP_MS, REVEAL_MAX_MS / steps.length) } : null;
    } else if (key !== seenStep) {
      reveal = null;
    }
    seenStep = key;
  }

  function relayout(w, h) {
    if (L && L.w === w && L.h === h) return;
    const { lists, column } = layers(graph);
    const longest = Math.max(...lists.map((l) => l.length));
    // The widest text a node holds, at 10 px; fonts scale it.
    ctx.font = `bold 10px ${FAMILY}`;
    const widest = (digits) => Math.max(ctx.measureText(digits === 4 ? '∇ −0.0000' : '∇ −0.000').width, ...graph.nodes.map((n) => Math.max(ctx.measureText(title(n)).width + (foldMark(n) ? 16 : 0),
      ctx.measureText(short(n.value, digits)).width, ctx.measureText(`∇ ${short(n.gradient, digits)}`).width)));
    // Columns across the canvas (in one band, or two or three one under the other for a long,
    // thin graph), or layers down it: whichever writes the nodes larger.
    const fit = (px, across, bands, textW) => {
      const nodeW = (textW * px) / 10 + 0.8 * px;
      const nodeH = 3 * px * 1.25 + px * 0.6;
      const perBand = Math.ceil(lists.length / bands);
      const cellAlong = (across ? w : h) / perBand;
      const cellAcross = (across ? h : w) / (longest * bands);
      const ok = across
        ? cellAlong >= nodeW * 1.15 && cellAcross >= nodeH * 1.12 * (bands > 1 ? 1.15 : 1)
        : cellAlong >= nodeH * 1.35 && cellAcross >= nodeW * 1.04;
      return ok ? { nodeW, nodeH, bands, perBand } : null;
    };
    const base = Math.round(Math.min(18, 12 * Math.max(1, Math.min(w / 760, h / 520)) * (settingValue('text_size') || 1)));
    const largest = (digits) => {
      const textW = widest(digits);
      for (let px = base; px >= MIN_FONT_PX; px--) {
        for (const [across, bands] of [[true, 1], [false, 1], [true, 2], [true, 3]]) {
          const box = fit(px, across, bands, textW);
          if (box) return { px, across, digits, ...box };
        }
      }
      return null;
    };
    let best = largest(4);
    if (!best || best.px < READABLE_PX) {
      const shorter = largest(3);
      if (shorter && (!best || shorter.px >= READABLE_PX)) best = shorter;
    }
    const compact = !best;
    if (compact) {
      // Boxes without numbers (the caption gives a focused node's), layers along the longer side.
      const across = w >= h;
      const side = Math.max(4, Math.min(18, (across ? w : h) / lists.length / 2, (across ? h : w) / longest - 4));
      best = { px: MIN_FONT_PX, across, bands: 1, perBand: lists.length, nodeW: side, nodeH: side, digits: 4 };
    }
    const x = new Float64Array(graph.nodes.length);
    const y = new Float64Array(graph.nodes.length);
    const bandSize = (best.across ? h : w) / best.bands;
    lists.forEach((list, c) => {
      const band = Math.floor(c / best.perBand);
      const along = (((c % best.perBand) + 0.5) / best.perBand) * (best.across ? w : h);
      list.forEach((id, k) => {
        const across = band * bandSize + ((k + 0.5) / list.length) * bandSize;
        x[id] = best.across ? along : across;
        y[id] = best.across ? across : along;
      });
    });
    L = { w, h, x, y, lists, column, compact, ...best };
  }

  /** Which node is at (x, y) in CSS pixels (its id), or null. */
  function hitTest(px, py) {
    if (!L || !graph) return null;
    let found = null;
    let nearest = Infinity;
    for (const n of graph.nodes) {
      const dx = Math.abs(px - L.x[n.id]) - L.nodeW / 2;
      const dy = Math.abs(py - L.y[n.id]) - L.nodeH / 2;
      const d = Math.max(dx, dy);
      if (d <= (L.compact ? 3 : 0) && d < nearest) {
        nearest = d;
        found = n.id;
      }
    }
    return found;
  }

  /** How far the lighting of the last phase has come: the index of the step being lit (steps
   *  before it are lit), or null when there is none. */
  function revealAt(now) {
    if (!reveal) return null;
    // A frame's time can precede the moment the lighting started.
    const k = Math.max(0, Math.floor((now - reveal.start) / reveal.per));
    if (k >= reveal.steps.length) {
      reveal = null;
      return null;
    }
    return k;
  }

  function draw(now) {
    panel.hidden = !shown();
    if (panel.hidden || !state.session) return;
    if (stale) fetch();
    if (!dirty && !reveal) return;
    dirty = false;
    const { w, h, dpr } = fitCanvas(canvas, size);
    if (w < 10 || h < 10) return;
    relayout(w, h);
    const at = revealAt(now);
    // Numbers not lit yet in this phase's lighting are hidden.
    const hidden = new Set();
    if (at !== null) for (let k = at; k < reveal.steps.length; k++) hidden.add(`${reveal.steps[k].what}:${reveal.steps[k].id}`);
    const current = at !== null ? reveal.steps[at] : null;
    const focus = state.graphFocus !== null && state.graphFocus < graph.nodes.length ? state.graphFocus : null;
    const selected = selectedNodes();
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, w, h);
    drawn = [];
    const { x, y, nodeW, nodeH, across, px } = L;
    const end = (id, out) => (across
      ? { x: x[id] + (out ? nodeW / 2 : -nodeW / 2), y: y[id] }
      : { x: x[id], y: y[id] + (out ? nodeH / 2 : -nodeH / 2) });
    // An edge; one from a band to the next goes round through the gap between the bands.
    const bandOf = (id) => Math.floor(L.column[id] / L.perBand);
    const line = (from, to) => {
      if (L.column[from] === L.column[to]) {
        // The batch's loss beside this sample's, in the same layer: side to side.
        const down = across ? y[to] > y[from] : x[to] > x[from];
        const side = (id, sign) => (across ? { x: x[id], y: y[id] + (sign * nodeH) / 2 } : { x: x[id] + (sign * nodeW) / 2, y: y[id] });
        const a = side(from, down ? 1 : -1);
        const b = side(to, down ? -1 : 1);
        ctx.moveTo(a.x, a.y);
        ctx.lineTo(b.x, b.y);
        return;
      }
      const a = end(from, true);
      const b = end(to, false);
      ctx.moveTo(a.x, a.y);
      if (L.bands > 1 && bandOf(from) !== bandOf(to)) {
        const gap = Math.max(4, (w / L.perBand - nodeW) / 2);
        const between = (bandOf(to) * h) / L.bands;
        ctx.lineTo(a.x + gap * 0.8, a.y);
        ctx.lineTo(a.x + gap * 0.8, between);
        ctx.lineTo(b.x - gap * 0.8, between);
        ctx.lineTo(b.x - gap * 0.8, b.y);
      }
      ctx.lineTo(b.x, b.y);
    };

    // ---- edges: grey; into the node being lit, in its pass's colour ------------------------
    ctx.lineWidth = 1;
    ctx.strokeStyle = '#9a9a9a';
    ctx.beginPath();
    for (const n of graph.nodes) for (const e of n.inputs) line(e.from, n.id);
    ctx.stroke();
    if (current) {
      const n = graph.nodes[current.id];
      ctx.lineWidth = 3;
      ctx.strokeStyle = current.what === 'value' ? COLOURS.forward : COLOURS.backward;
      ctx.setLineDash(current.what === 'value' ? [] : [6, 3]);
      ctx.beginPath();
      // Forward: from the inputs it is made of; backward: from the consumers its ∇ sums over.
      const pairs = current.what === 'value' ? n.inputs.map((e) => [e.from, n.id]) : n.consumers.map((c) => [n.id, c]);
      for (const [from, to] of pairs) line(from, to);
      ctx.stroke();
      ctx.setLineDash([]);
    }

    // ---- nodes -------------------------------------------------------------------------------
    const font = `${px}px ${FAMILY}`;
    const bold = `bold ${px}px ${FAMILY}`;
    const lineH = px * 1.25;
    const phase = state.position.last;
    for (const n of graph.nodes) {
      const left = x[n.id] - nodeW / 2;
      const top = y[n.id] - nodeH / 2;
      const lit = (samePhase(n.value_phase, phase) || samePhase(n.gradient_phase, phase)) && !hidden.has(`value:${n.id}`);
      ctx.fillStyle = LEAF_GROUND[n.kind] ?? '#ffffff';
      ctx.fillRect(left, top, nodeW, nodeH);
      ctx.lineWidth = n.fan_out ? 2 : 1;
      ctx.strokeStyle = lit ? (samePhase(n.gradient_phase, phase) && phase.kind !== 'forward' ? COLOURS.backward : COLOURS.forward) : '#8a8a8a';
      ctx.strokeRect(left, top, nodeW, nodeH);
      if (L.compact) continue;
      const value = hidden.has(`value:${n.id}`) ? '…' : short(n.value, L.digits);
      const gradientKnown = n.gradient_from.kind !== 'none';
      const gradient = hidden.has(`gradient:${n.id}`) ? '∇ …' : gradientKnown ? `∇ ${short(n.gradient, L.digits)}` : '';
      ctx.textAlign = 'center';
      ctx.textBaseline = 'middle';
      const cx = x[n.id];
      const first = top + px * 0.3 + lineH / 2;
      ctx.font = bold;
      ctx.fillStyle = COLOURS.ink;
      // Room for the "+=" mark beside the title, and for the fold mark on its other side.
      const room = foldMark(n) ? 1.6 * px : 0;
      if (n.fan_out) ctx.fillText(title(n), cx - 0.8 * px + room / 2, first, nodeW - 3 * px - room);
      else ctx.fillText(title(n), cx + room / 2, first, nodeW - 4 - room);
      ctx.font = font;
      ctx.fillText(value, cx, first + lineH, nodeW - 4);
      ctx.fillStyle = COLOURS.backward;
      ctx.fillText(gradient, cx, first + 2 * lineH, nodeW - 4);
      // "+=": this value is used more than once, and its gradient sums a term per use.
      if (n.fan_out && gradientKnown) {
        ctx.font = `bold ${Math.round(px * 0.85)}px ${FAMILY}`;
        ctx.textAlign = 'right';
        ctx.fillText('+=', left + nodeW - 2, first);
      }
      // ⊞ a folded neuron (a click unfolds it), ⊟ an unfolded one's activation (a click folds it).
      const mark = foldMark(n);
      if (mark) {
        ctx.font = `bold ${Math.round(px * 0.85)}px ${FAMILY}`;
        ctx.fillStyle = COLOURS.ink;
        ctx.textAlign = 'left';
        ctx.fillText(mark, left + 2, first);
      }
      drawn.push({ kind: 'node', id: n.id, text: `${title(n)}\n${value}\n${gradient}`, x: left, y: top, w: nodeW, h: nodeH, ...(mark ? { fold: mark === '⊞' ? 'folded' : 'unfolded' } : {}) });
    }
    drawEdgeLabels(end, hidden, bandOf);
    // The node being lit, the focus and the nodes of the layer view's selection.
    const ring = (id, colour, width, dash) => {
      ctx.strokeStyle = colour;
      ctx.lineWidth = width;
      ctx.setLineDash(dash);
      ctx.strokeRect(x[id] - nodeW / 2 - 3, y[id] - nodeH / 2 - 3, nodeW + 6, nodeH + 6);
      ctx.setLineDash([]);
    };
    for (const id of selected) ring(id, COLOURS.negative, 2, []);
    if (current) ring(current.id, current.what === 'value' ? COLOURS.forward : COLOURS.backward, 3, current.what === 'value' ? [] : [6, 3]);
    if (focus !== null) ring(focus, COLOURS.ink, 2, [4, 3]);
    writeCaption(current, focus);
  }

  /** Each edge's local derivative beside it, where it has room (1 is left out: the legend
   *  says so); the rest show on focus. */
  function drawEdgeLabels(end, hidden, bandOf) {
    if (L.compact) return;
    const size = Math.max(MIN_FONT_PX - 1, Math.round(L.px * 0.85));
    ctx.font = `${size}px ${FAMILY}`;
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    const boxes = drawn.map((d) => ({ ...d }));
    for (const n of graph.nodes) {
      if (hidden.has(`value:${n.id}`)) continue;
      for (const e of n.inputs) {
        if (e.local_derivative === null || e.local_derivative === 1 || bandOf(e.from) !== bandOf(n.id)) continue;
        const text = fmt(e.local_derivative, 3);
        const width = ctx.measureText(text).width + 4;
        const a = end(e.from, true);
        const b = end(n.id, false);
        for (const t of [0.5, 0.35, 0.65, 0.2, 0.8]) {
          const r = { x: a.x + t * (b.x - a.x) - width / 2, y: a.y + t * (b.y - a.y) - size * 0.65, w: width, h: size * 1.3 };
          if (boxes.some((o) => r.x < o.x + o.w && o.x < r.x + r.w && r.y < o.y + o.h && o.y < r.y + r.h)) continue;
          ctx.fillStyle = 'rgba(255,255,255,0.92)';
          ctx.fillRect(r.x, r.y, r.w, r.h);
          ctx.fillStyle = COLOURS.muted;
          ctx.fillText(text, r.x + r.w / 2, r.y + r.h / 2);
          boxes.push(r);
          drawn.push({ kind: 'edge', from: e.from, to: n.id, text, x: r.x, y: r.y, w: r.w, h: r.h });
          break;
        }
      }
    }
  }

  /** Under the graph: the numbers of the node being lit, else of the focused node, else what
   *  the graph shows; the focused node's are announced. */
  function writeCaption(current, focus) {
    let text;
    if (current) {
      const n = graph.nodes[current.id];
      text = current.what === 'value' ? `Forward: ${valueText(graph, n)}` : `Backward: ${gradientText(graph, n)}`;
    } else if (focus !== null) {
      const n = graph.nodes[focus];
      text = `${valueText(graph, n)}. ${gradientText(graph, n)}.${foldHint(n)}`;
    } else {
      const folded = graph.folded ? ' Each neuron is one node here (the unfolded graph would have more than 60): click a neuron, or press Enter on it, to unfold it into its operations, and click its activation to fold it again.' : '';
      const room = L.compact ? ' There is no room for the numbers here: click a node, or Tab here and use the arrow keys, to read each one.' : ' Tab here and use the arrow keys to read each node.';
      text = `Sample ${graph.sample + 1} of the batch, unfolded into operations: ∇ is dL/d node for this sample's loss, edge numbers are local derivatives.${folded}${room}`;
    }
    if (caption.textContent !== text) caption.textContent = text;
    const focusText = focus !== null ? `${title(graph.nodes[focus])}: ${valueText(graph, graph.nodes[focus])}. ${gradientText(graph, graph.nodes[focus])}.${foldHint(graph.nodes[focus])}` : '';
    if (focus !== announced) {
      announced = focus;
      live.textContent = focusText;
    }
  }

  /** Whether node `n` is the activation of a neuron this view unfolded in a folded graph. */
  function isUnfolded(n) {
    return graph.folded && n.kind === 'activation' && n.place !== null
      && unfolded.some(([l, j]) => l === n.place.layer && j === n.place.neuron);
  }

  /** ⊞ on a neuron that unfolds (a softmax neuron stays folded: its activation reads every z of
   *  its layer), ⊟ on an unfolded neuron's activation, else null. */
  function foldMark(n) {
    if (n.kind === 'neuron' && n.activation !== 'softmax') return '⊞';
    return isUnfolded(n) ? '⊟' : null;
  }

  function foldHint(n) {
    const mark = foldMark(n);
    if (!mark) return '';
    return mark === '⊞' ? ' Enter or a click unfolds this neuron into its products, sum and activation.' : ' Enter or a click folds this neuron back into one node.';
  }

  /** Unfolds the neuron node `id`, or folds the unfolded neuron whose activation it is; the
   *  focus follows the neuron to its new node. False when `id` is neither. */
  function toggleFold(id) {
    const n = graph?.nodes[id];
    const mark = n ? foldMark(n) : null;
    if (!mark) return false;
    const { layer, neuron } = n.place;
    unfolded = mark === '⊞' ? [...unfolded, [layer, neuron]] : unfolded.filter(([l, j]) => l !== layer || j !== neuron);
    reveal = null;
    fetch();
    dirty = true;
    const head = graph.nodes.find((m) => (m.kind === 'neuron' || m.kind === 'activation') && m.place?.layer === layer && m.place.neuron === neuron && m.place.input === null);
    onFocus(head ? head.id : null);
    return true;
  }

  /** The graph nodes of the layer view's selection: a weight's node and its product, or a
   *  neuron's bias, sum and activation. */
  function selectedNodes() {
    const sel = state.position.selection;
    if (!sel || !graph) return [];
    return graph.nodes.filter((n) => n.place && n.place.layer === sel.layer && n.place.neuron === sel.neuron
      && (sel.type === 'edge' ? n.place.input === sel.input : n.place.input === null)).map((n) => n.id);
  }

  /** The node an arrow key leads to from `id`: along the edges (to an input or a consumer)
   *  or to the next node of the same layer. */
  function neighbour(id, key) {
    if (!L) return null;
    if (id === null) return graph.order[0];
    const { lists } = L;
    const column = lists.findIndex((l) => l.includes(id));
    const list = lists[column];
    const k = list.indexOf(id);
    const alongKeys = L.across ? ['ArrowLeft', 'ArrowRight'] : ['ArrowUp', 'ArrowDown'];
    const node = graph.nodes[id];
    const nearest = (ids) => ids.reduce((best, c) => (Math.hypot(L.x[c] - L.x[id], L.y[c] - L.y[id]) < Math.hypot(L.x[best] - L.x[id], L.y[best] - L.y[id]) ? c : best), ids[0]);
    if (key === alongKeys[0]) return node.inputs.length ? nearest(node.inputs.map((e) => e.from)) : id;
    if (key === alongKeys[1]) return node.consumers.length ? nearest(node.consumers) : id;
    const step = key === 'ArrowUp' || key === 'ArrowLeft' ? -1 : 1;
    return list[Math.max(0, Math.min(list.length - 1, k + step))];
  }

  /** What a graph node stands for in the layer view: a weight (or its product) an edge, the
   *  rest of a neuron's nodes the neuron. */
  function selectionOf(id) {
    const place = graph?.nodes[id]?.place;
    if (!place) return null;
    return place.input === null ? { type: 'neuron', layer: place.layer, neuron: place.neuron }
      : { type: 'edge', layer: place.layer, neuron: place.neuron, input: place.input };
  }

  canvas.addEventListener('mousedown', (e) => e.preventDefault());
  canvas.addEventListener('click', (e) => {
    const id = hitTest(e.offsetX, e.offsetY);
    const selection = id === null ? null : selectionOf(id);
    if (!toggleFold(id)) onFocus(id);
    if (selection) onSelect(selection);
  });
  canvas.addEventListener('keydown', (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey || !graph) return;
    if (e.key.startsWith('Arrow') && !e.shiftKey) onFocus(neighbour(state.graphFocus, e.key));
    else if (e.key === 'Enter' && state.graphFocus !== null) {
      const selection = selectionOf(state.graphFocus);
      toggleFold(state.graphFocus);
      if (selection) onSelect(selection);
    } else if (e.key === ' ' && state.graphFocus !== null && toggleFold(state.graphFocus)) {
      // Space unfolds or folds a neuron; on any other node it stays the page's play / pause.
    } else if (e.key === 'Escape' && state.graphFocus !== null) onFocus(null);
    else return;
    e.preventDefault();
    e.stopPropagation();
  });
  canvas.addEventListener('focus', () => { if (state.graphFocus === null && graph) onFocus(graph.order[0]); });
  canvas.addEventListener('blur', () => onFocus(null));

  return {
    draw,
    hitTest,
    /** Where each node is drawn (CSS pixels) and what it shows, for the tests. */
    labels: () => drawn.map((d) => ({ ...d })),
    layout: () => (L ? { across: L.across, bands: L.bands, compact: L.compact, px: L.px, digits: L.digits, nodeW: L.nodeW, nodeH: L.nodeH, x: Array.from(L.x), y: Array.from(L.y) } : null),
    graph: () => graph,
    /** The ids of the nodes ringed for the layer view's selection, for the tests. */
    rings: () => selectedNodes(),
    /** The neurons drawn unfolded ([[engine layer, neuron], …]), for the tests. */
    unfolded: () => unfolded.map((pair) => [...pair]),
  };
}
