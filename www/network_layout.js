// Where the network view draws things, computed once per network shape, canvas size and text
// size: neuron positions, the boxes of every label (column titles, input names, each neuron's
// z · a · δ, each labelled edge's two lines, the loss box), and which neuron or edge a point
// is on. No drawing here.
//
// Every label gets its box here, sized for the widest text it can hold, and a box is only
// given where it overlaps no other box, no neuron and nothing outside the canvas: so labels
// never collide, whatever the numbers or the canvas size. The outer columns sit far enough in
// that their neurons, the inputs' names and the output's numbers stay on the canvas. A neuron
// or an edge that gets no box shows its numbers on hover, on keyboard focus and in the inspector.
//
// Columns: 0 is the inputs, c ≥ 1 is layer c − 1. Edge e = edgeStart[c] + j·inputs + i is the
// weight from neuron i of column c − 1 to neuron j of column c (the engine's weight order).

/** At most this many edges get a label (more would be noise). */
const MAX_LABELLED_EDGES = 40;
/** The widest number `fmt(x, 4)` writes (the loss box and input labels make room for it). */
export const WIDEST_NUMBER = '−0.0008888';
/** The number the label boxes of neurons and edges are sized for: a rarer, wider one is
 *  written a little smaller so that it stays inside its box (network_view.js). */
export const USUAL_NUMBER = '−0.08888';
/** The free margin kept around each neuron (CSS pixels). */
const MARGIN = 4;
/** Where along an edge its label may sit, in order of preference. */
const ALONG = [0.5, 0.38, 0.62, 0.3, 0.7, 0.44, 0.56, 0.25, 0.75];

export function layoutKey(shape, w, h, fontPx, lossRows, image = null) {
  return `${shape.join(',')}|${w}x${h}|${fontPx}|${lossRows.join('|')}|${image ? `${image.width}x${image.height}` : ''}`;
}

export function overlaps(a, b) {
  return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

function inside(r, w, h) {
  return r.x >= 0 && r.y >= 0 && r.x + r.w <= w && r.y + r.h <= h;
}

/**
 * The layout of a network of `shape` ([inputs, units…]) on a w × h canvas (CSS pixels), with
 * text of `fontPx`. `measure(text)` gives a text's width at that size; `inputNames` the
 * inputs' labels; `lossRows` the widest rows the loss box will show.
 */
export function computeLayout(shape, w, h, { fontPx, measure, inputNames, lossRows, image = null }) {
  const key = layoutKey(shape, w, h, fontPx, lossRows, image);
  // Image inputs (the digits) are drawn as the image, one cell a pixel, not as a column of
  // 64 neurons; their edges start under their pixel.
  const imageInput = image && image.width * image.height === shape[0] ? image : null;
  const lineH = Math.round(fontPx * 1.25);
  const pad = Math.max(3, Math.round(fontPx / 3));
  const columns = shape.length;
  const numberW = measure(`δ ${USUAL_NUMBER}`) + 2 * pad;
  const inputW = imageInput ? 0 : Math.max(measure(`${WIDEST_NUMBER}`), ...inputNames.map((n) => measure(`${n} =`))) + 2 * pad;
  const left = inputW + MARGIN;
  // Labels beside or below a neuron keep clear of its margin.
  const clear = Math.max(pad, MARGIN);
  const top = 2 * lineH + pad;
  const maxUnits = Math.max(...(imageInput ? shape.slice(1) : shape));
  const imageSide = imageInput ? Math.max(40, Math.min(240, (h - top - pad) * 0.55, w / (columns + 2))) : 0;
  const neuronH = 3 * lineH + pad;
  const gapWith = (rightMargin, band) => (w - left - rightMargin - band) / Math.max(1, columns - 1);
  const sizeFor = (spacing, gap) => Math.max(8, Math.min(60, spacing * 0.62, gap * 0.28));
  /** Where the network goes with `bottom` px kept free at the bottom and `band` px on the
   *  right: the neurons' size, the gap between columns, and where each neuron's z, a and δ
   *  go: below it if the rows leave room (the gaps between the columns then stay free for the
   *  edges' labels), else right of it, else nowhere (hover). */
  const place = (bottom, band) => {
    const availH = h - top - bottom;
    const spacing = Math.min(availH / maxUnits, 150);
    const belowGap = gapWith(numberW / 2 + pad, band);
    const belowSize = Math.min(60, belowGap * 0.28, spacing - neuronH - pad);
    const rightGap = gapWith(numberW + pad, band);
    const mode = belowSize >= 16 && belowGap >= numberW + pad ? 'below'
      : spacing >= neuronH && rightGap - sizeFor(spacing, rightGap) >= numberW + 2 * pad ? 'right' : 'none';
    const right = mode === 'below' ? numberW / 2 + pad : mode === 'right' ? numberW + pad : Math.max(pad, 0.04 * w);
    const sizeAt = (gap) => (mode === 'below' ? Math.max(8, Math.min(60, gap * 0.28, spacing - neuronH - pad)) : sizeFor(spacing, gap));
    // The first column's centre is half a neuron right of the inputs' names; the last one's
    // leaves room for half a neuron and what is written beside or below it.
    const rightEdge = (size) => (mode === 'below' ? Math.max(numberW / 2, size / 2 + MARGIN) + pad
      : mode === 'right' ? size / 2 + clear + numberW + pad : Math.max(size / 2 + MARGIN + pad, right));
    const first = sizeAt((w - left - right - band) / Math.max(1, columns - 1));
    const firstHalf = imageInput ? imageSide / 2 : first / 2;
    const gap = (w - left - firstHalf - rightEdge(first) - band) / Math.max(1, columns - 1);
    // A narrower gap may call for smaller neurons; smaller ones still fit where these did.
    const size = Math.min(first, sizeAt(gap));
    return { mode, gap, availH, spacing, size, x0: left + firstHalf };
  };
  const lossBoxSize = lossRows.length
    ? { w: Math.max(...lossRows.map((r) => measure(r))) + 2 * pad, h: lossRows.length * lineH + 2 * pad }
    : null;

  // Lay the network out in the whole canvas; if the loss box then has no free place, again
  // with a band kept free for it, at the bottom or on the right: whichever leaves the larger
  // neurons (a wide canvas with large text has more room on the right).
  function showBelow(mode, spacing, size) {
    return mode === 'below' && spacing >= size + neuronH + pad;
  }

  const whole = build(pad, 0);
  if (!lossBoxSize || whole.lossBox) return whole;
  const below = build(lossBoxSize.h + 2 * pad, 0);
  const beside = build(pad, lossBoxSize.w + 2 * pad);
  if (!beside.lossBox) return below;
  if (!below.lossBox) return beside;
  return beside.size > below.size ? beside : below;

  function build(bottom, band) {
    const { mode, gap, availH, spacing, size, x0 } = place(bottom, band);
    // Below-neuron numbers shift each neuron up by half their height, so neuron and numbers
    // together are centred in their row (not the inputs: their names are beside them).
    const lift = showBelow(mode, spacing, size) ? (neuronH - pad) / 2 : 0;
    const colX = new Float64Array(columns);
    const colStart = new Int32Array(columns + 1);
    for (let c = 0; c < columns; c++) {
      colX[c] = x0 + c * gap;
      colStart[c + 1] = colStart[c] + shape[c];
    }
    const nodes = colStart[columns];
    const nodeX = new Float64Array(nodes);
    const nodeY = new Float64Array(nodes);
    /** Half the width of each node's square: a neuron's, or an image pixel's cell. */
    const half = new Float64Array(nodes).fill(size / 2);
    let imageBox = null;
    if (imageInput) {
      const cell = imageSide / Math.max(imageInput.width, imageInput.height);
      imageBox = { x: colX[0] - (cell * imageInput.width) / 2, y: top + (availH - cell * imageInput.height) / 2,
        w: cell * imageInput.width, h: cell * imageInput.height, cell };
      for (let i = 0; i < shape[0]; i++) {
        nodeX[i] = imageBox.x + cell * ((i % imageInput.width) + 0.5);
        nodeY[i] = imageBox.y + cell * (Math.floor(i / imageInput.width) + 0.5);
        half[i] = cell / 2;
      }
    }
    for (let c = imageInput ? 1 : 0; c < columns; c++) {
      // A narrow column (like the inputs beside 32 neurons) spreads out so its labels fit.
      const step = Math.min(availH / shape[c], Math.max(spacing, 3.6 * lineH));
      const y0 = top + (availH - shape[c] * step) / 2;
      for (let j = 0; j < shape[c]; j++) {
        nodeX[colStart[c] + j] = colX[c];
        nodeY[colStart[c] + j] = y0 + step * (j + 0.5) - (c > 0 ? lift : 0);
      }
    }
    const edgeStart = new Int32Array(columns);
    for (let c = 1; c < columns; c++) edgeStart[c] = edgeStart[c - 1] + (c > 1 ? shape[c - 1] * shape[c - 2] : 0);
    const edges = columns > 1 ? edgeStart[columns - 1] + shape[columns - 1] * shape[columns - 2] : 0;
    const bucket = new Uint8Array(edges);

    const taken = [];
    const neuronRects = [];
    if (imageBox) taken.push({ x: imageBox.x - MARGIN, y: imageBox.y - MARGIN, w: imageBox.w + 2 * MARGIN, h: imageBox.h + 2 * MARGIN });
    for (let n = imageBox ? shape[0] : 0; n < nodes; n++) {
      const r = { x: nodeX[n] - size / 2 - MARGIN, y: nodeY[n] - size / 2 - MARGIN, w: size + 2 * MARGIN, h: size + 2 * MARGIN };
      neuronRects.push(r);
      taken.push(r);
    }
    /** Gives box `r` if it is on the canvas and free, else nothing (undefined). */
    const claim = (r) => {
      if (!inside(r, w, h) || taken.some((t) => overlaps(t, r))) return undefined;
      taken.push(r);
      return r;
    };
    // Column titles, centred on their column and kept on the canvas (narrow: a short title).
    const titles = [];
    for (let c = 0; c < columns; c++) {
      const half = Math.max(4, Math.min(gap / 2 - pad, colX[c], w - colX[c]));
      titles.push(claim({ x: colX[c] - half, y: 0, w: 2 * half, h: 2 * lineH }));
    }
    // The inputs' names and values, left of them (two lines), where they fit.
    const inputLabels = [];
    for (let i = 0; i < shape[0] && !imageBox; i++) {
      inputLabels.push(claim({ x: nodeX[i] - size / 2 - MARGIN - inputW, y: nodeY[i] - lineH, w: inputW, h: 2 * lineH }));
    }
    // z, a and δ below or right of each neuron, when the spacing and the gap to the next column
    // allow, each where it is free (a neuron without a box shows them on hover).
    const showNeuronNumbers = mode !== 'none' && nodes <= 80
      && (mode === 'below' ? spacing >= size + neuronH + pad : spacing >= neuronH && gap - size >= numberW + 2 * pad);
    const neuronLabels = [];
    if (showNeuronNumbers) {
      for (let n = shape[0]; n < nodes; n++) {
        neuronLabels[n] = claim(mode === 'below'
          ? { x: nodeX[n] - numberW / 2, y: nodeY[n] + size / 2 + clear, w: numberW, h: neuronH - pad }
          : { x: nodeX[n] + size / 2 + clear, y: nodeY[n] - neuronH / 2, w: numberW, h: neuronH });
      }
    }
    // The loss box: below, above or right of the output neurons, or in the band at the bottom.
    let lossBox = null;
    if (lossBoxSize) {
      const out = colStart[columns - 1];
      const last = colStart[columns] - 1;
      const xs = [nodeX[out] - size / 2, w - lossBoxSize.w - pad, nodeX[out] - lossBoxSize.w / 2];
      const candidates = [];
      for (const x of xs) {
        candidates.push({ x, y: nodeY[last] + size / 2 + 2 * pad });
        candidates.push({ x, y: nodeY[out] - size / 2 - 2 * pad - lossBoxSize.h });
      }
      // At the right edge, level with the outputs (a band kept free there), or in the corner.
      candidates.push({ x: w - lossBoxSize.w - pad, y: (nodeY[out] + nodeY[last] - lossBoxSize.h) / 2 });
      candidates.push({ x: w - lossBoxSize.w - pad, y: h - lossBoxSize.h - pad });
      for (const c of candidates) {
        const r = { x: Math.round(c.x), y: Math.round(c.y), ...lossBoxSize };
        if (inside(r, w, h) && !taken.some((t) => overlaps(t, r))) {
          lossBox = r;
          taken.push(r);
          break;
        }
      }
    }
    // Edge labels (two lines, as wide as the widest they hold), where they overlap nothing.
    const labelW = Math.ceil(Math.max(measure(`mean ${USUAL_NUMBER}`), measure(`δ·a ${USUAL_NUMBER}`), measure(`was ${USUAL_NUMBER}`)) + 2 * pad);
    const labelH = 2 * lineH;
    const labelX = new Float64Array(edges).fill(NaN);
    const labelY = new Float64Array(edges).fill(NaN);
    let labelled = 0;
    if (edges <= MAX_LABELLED_EDGES * 4) {
      const offsets = [0, 0.6 * labelH, -0.6 * labelH, 1.2 * labelH, -1.2 * labelH];
      for (let c = 1; c < columns && labelled < MAX_LABELLED_EDGES; c++) {
        const inputs = shape[c - 1];
        for (let j = 0; j < shape[c]; j++) {
          for (let i = 0; i < inputs && labelled < MAX_LABELLED_EDGES; i++) {
            const e = edgeStart[c] + j * inputs + i;
            const a = colStart[c - 1] + i;
            const b = colStart[c] + j;
            placing: for (const dy of offsets) {
              for (const t of ALONG) {
                const r = {
                  x: nodeX[a] + t * (nodeX[b] - nodeX[a]) - labelW / 2,
                  y: nodeY[a] + t * (nodeY[b] - nodeY[a]) - labelH / 2 + dy,
                  w: labelW,
                  h: labelH,
                };
                if (inside(r, w, h) && !taken.some((x) => overlaps(x, r))) {
                  taken.push(r);
                  labelX[e] = r.x + labelW / 2;
                  labelY[e] = r.y + labelH / 2;
                  labelled++;
                  break placing;
                }
              }
            }
          }
        }
      }
    }
    return {
      key, w, h, columns, size, half, imageBox, colX, colStart, nodeX, nodeY, edgeStart, edges, bucket, fontPx, lineH, pad,
      showNeuronNumbers, neuronLabels, inputLabels, titles, lossBox, labelX, labelY, labelW, labelH, top, gap, taken,
    };
  }
}

/** Which neuron or edge of layout L is at (x, y) in CSS pixels, or null. */
export function hitTest(L, shape, x, y) {
  if (!L) return null;
  const { size, half, nodeX, nodeY, colStart, columns, edgeStart } = L;
  for (let c = 0; c < columns; c++) {
    // An image's pixels touch: each takes exactly its cell.
    const slack = c === 0 && L.imageBox ? 0 : 3;
    for (let j = 0; j < shape[c]; j++) {
      const n = colStart[c] + j;
      if (Math.abs(x - nodeX[n]) <= half[n] + slack && Math.abs(y - nodeY[n]) <= half[n] + slack) {
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
        const d = segmentDistance(x, y, nodeX[a] + half[a], nodeY[a], nodeX[b] - size / 2, nodeY[b]);
        // A label also selects its edge.
        const e = edgeStart[c] + j * inputs + i;
        const onLabel = Math.abs(x - L.labelX[e]) <= L.labelW / 2 && Math.abs(y - L.labelY[e]) <= L.labelH / 2;
        if (onLabel || d < bestD) {
          bestD = onLabel ? 0 : d;
          best = { type: 'edge', layer: c - 1, neuron: j, input: i };
        }
      }
    }
  }
  return best;
}

function segmentDistance(px, py, x1, y1, x2, y2) {
  const dx = x2 - x1;
  const dy = y2 - y1;
  const t = Math.max(0, Math.min(1, ((px - x1) * dx + (py - y1) * dy) / (dx * dx + dy * dy || 1)));
  return Math.hypot(px - (x1 + t * dx), py - (y1 + t * dy));
}
