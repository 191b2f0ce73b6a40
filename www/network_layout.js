// Where the network view draws things: neuron positions, edge indices and the slots of
// the numbers drawn on edges, computed once per network shape and canvas size into typed
// arrays; and which neuron or edge a point (a click, the mouse) is on. No drawing here.
//
// Columns: 0 is the inputs, c ≥ 1 is layer c − 1. Edge e = edgeStart[c] + j·inputs + i is the
// weight from neuron i of column c − 1 to neuron j of column c (the engine's weight order).

export const LABEL_W = 88;
export const LABEL_H = 15;
const MAX_LABELLED_EDGES = 40;
/** Vertical offsets tried for an edge's label, in order: on the edge, then below and above it. */
const LABEL_OFFSETS = [0, 22, -22];
export function layoutKey(shape, w, h) {
  return `${shape.join(',')}|${w}x${h}`;
}

/** The layout of a network of `shape` ([inputs, units…]) on a w × h canvas (CSS pixels). */
export function computeLayout(shape, w, h) {
  const key = layoutKey(shape, w, h);
  const columns = shape.length;
  const maxUnits = Math.max(...shape);
  const left = 96;
  const right = 112;
  const top = 44;
  const bottom = 12;
  const gap = (w - left - right) / Math.max(1, columns - 1);
  const availH = h - top - bottom;
  const spacing = Math.min(availH / maxUnits, 150);
  const size = Math.max(8, Math.min(60, spacing * 0.62, gap * 0.28));
  const colX = new Float64Array(columns);
  const colStart = new Int32Array(columns + 1);
  for (let c = 0; c < columns; c++) {
    colX[c] = left + c * gap;
    colStart[c + 1] = colStart[c] + shape[c];
  }
  const nodes = colStart[columns];
  const nodeX = new Float64Array(nodes);
  const nodeY = new Float64Array(nodes);
  for (let c = 0; c < columns; c++) {
    // A narrow column (like the inputs beside 32 neurons) spreads out so its labels fit.
    const step = Math.min(availH / shape[c], Math.max(spacing, 64));
    const y0 = top + (availH - shape[c] * step) / 2;
    for (let j = 0; j < shape[c]; j++) {
      nodeX[colStart[c] + j] = colX[c];
      nodeY[colStart[c] + j] = y0 + step * (j + 0.5);
    }
  }
  const edgeStart = new Int32Array(columns);
  for (let c = 1; c < columns; c++) edgeStart[c] = edgeStart[c - 1] + (c > 1 ? shape[c - 1] * shape[c - 2] : 0);
  const edges = columns > 1 ? edgeStart[columns - 1] + shape[columns - 1] * shape[columns - 2] : 0;
  // edgeStart[c] is where the edges into column c start (c ≥ 1); edge e = start + j·inputs + i.
  const bucket = new Uint8Array(edges);
  // Three lines of numbers need the height, and the width up to the next column.
  const showNeuronNumbers = spacing >= 44 && gap - size >= 85 && nodes <= 60;
  const showEdgeNumbers = edges <= MAX_LABELLED_EDGES;
  // Neuron labels sit right of their neuron; edge labels go where they overlap nothing.
  const taken = [];
  for (let n = 0; n < nodes; n++) {
    taken.push([nodeX[n] - size / 2 - 2, nodeY[n] - size / 2 - 2, size + 4, size + 4]);
    if (showNeuronNumbers) taken.push([nodeX[n] + size / 2 + 3, nodeY[n] - size / 2, 66, 3 * 13 + 4]);
  }
  const out = colStart[columns - 1];
  taken.push([Math.min(nodeX[out] - size / 2, w - 142) - 4, nodeY[out] + size / 2 + 8, 146, 68]);
  const labelX = new Float64Array(edges).fill(NaN);
  const labelY = new Float64Array(edges).fill(NaN);
  if (showEdgeNumbers) {
    const ts = [0.5, 0.38, 0.62, 0.3, 0.7, 0.44, 0.56, 0.25, 0.75];
    for (let c = 1; c < columns; c++) {
      const inputs = shape[c - 1];
      for (let j = 0; j < shape[c]; j++) {
        for (let i = 0; i < inputs; i++) {
          const e = edgeStart[c] + j * inputs + i;
          const a = colStart[c - 1] + i;
          const b = colStart[c] + j;
          // On the edge if a slot is free, else just below or above it (a level edge between
          // two labelled neurons has no free slot on its line).
          placing: for (const dy of LABEL_OFFSETS) {
            for (const t of ts) {
              const x = nodeX[a] + t * (nodeX[b] - nodeX[a]) - LABEL_W / 2;
              const y = nodeY[a] + t * (nodeY[b] - nodeY[a]) - LABEL_H / 2 + dy;
              const rect = [x, y, LABEL_W, LABEL_H];
              if (!taken.some((r) => overlaps(r, rect))) {
                taken.push(rect);
                labelX[e] = x + LABEL_W / 2;
                labelY[e] = y + LABEL_H / 2;
                break placing;
              }
            }
          }
        }
      }
    }
  }
  return { key, w, h, columns, size, colX, colStart, nodeX, nodeY, edgeStart, edges, bucket,
    showNeuronNumbers, showEdgeNumbers, labelX, labelY, top, gap };
}

/** Which neuron or edge of layout L is at (x, y) in CSS pixels, or null. */
export function hitTest(L, shape, x, y) {
  if (!L) return null;
  const { size, nodeX, nodeY, colStart, columns, edgeStart } = L;
  for (let c = 0; c < columns; c++) {
    for (let j = 0; j < shape[c]; j++) {
      const n = colStart[c] + j;
      if (Math.abs(x - nodeX[n]) <= size / 2 + 3 && Math.abs(y - nodeY[n]) <= size / 2 + 3) {
        return { type: 'neuron', layer: c - 1, neuron: j };
      }
    }
  }
  let best = null;
  let bestD = 7;
  for (let c = 1; c < columns; c++) {
    const inputs = shape[c - 1];
    for (let j = 0; j < shape[c]; j++) {
      for (let i = 0; i < inputs; i++) {
        const a = colStart[c - 1] + i;
        const b = colStart[c] + j;
        const d = segmentDistance(x, y, nodeX[a] + size / 2, nodeY[a], nodeX[b] - size / 2, nodeY[b]);
        // A label also selects its edge.
        const e = edgeStart[c] + j * inputs + i;
        const onLabel = Math.abs(x - L.labelX[e]) <= LABEL_W / 2 && Math.abs(y - L.labelY[e]) <= LABEL_H / 2;
        if (onLabel || d < bestD) {
          bestD = onLabel ? 0 : d;
          best = { type: 'edge', layer: c - 1, neuron: j, input: i };
        }
      }
    }
  }
  return best;
}

function overlaps(a, b) {
  return a[0] < b[0] + b[2] && b[0] < a[0] + a[2] && a[1] < b[1] + b[3] && b[1] < a[1] + a[3];
}

function segmentDistance(px, py, x1, y1, x2, y2) {
  const dx = x2 - x1;
  const dy = y2 - y1;
  const t = Math.max(0, Math.min(1, ((px - x1) * dx + (py - y1) * dy) / (dx * dx + dy * dy || 1)));
  return Math.hypot(px - (x1 + t * dx), py - (y1 + t * dy));
}

