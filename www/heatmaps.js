// Heatmaps: what every neuron outputs over the whole input plane, computed by the engine.
//
// One `engine.probe(grid)` call per change of the weights runs the network on every grid point;
// the ProbeActivation buffers then hold every layer's activations for all of them. Each
// neuron's map is coloured through a lookup table into an ImageData that is created once
// (per layout) and reused, then copied to a small offscreen canvas that the network view
// and the output panel draw scaled. For 1-input problems the "plane" is a line: each map is
// one pixel high, and the output panel draws the fitted curve instead.

import { Buffer, view } from './engine.js';
import { LUT32, LUT_CSS, lutIndex, COLOURS, CLASS_RGB, CLASS_COLOURS, classShape } from './colors.js';
import { value as settingValue } from './state.js';

/** At most about this many points of a set are drawn on the plane: every k-th point of a larger
 *  set (the same ones every time), so that redrawing 100,000 points when the plane resizes
 *  takes a tenth of the time. The legend says so (see `drawnEvery`). */
export const MAX_DRAWN_POINTS = 10_000;

/** k: every k-th point of a set of `count` is drawn (1: all of them). */
export function drawnEvery(count) {
  return Math.max(1, Math.ceil(count / MAX_DRAWN_POINTS));
}

const GRID_2D = 48;
const GRID_1D = 160;

/** The neurons' maps and the output plane, painting `state` (read only). */
export function createHeatmaps(state) {
  let key = '';
  let grid = null;
  let width = 0;
  let height = 0;
  /** maps[c][j]: {canvas, ctx, image, pixels} for column c (0 = inputs) and neuron j. */
  let maps = [];
  /** The network's output at each grid point (1-input problems: the fitted curve). */
  let curve = null;
  let computed = -1;
  let builtHidden = false;
  let skip = 0;
  /** The output panel's map: the output, or for several classes the predicted class's colour. */
  let outputMap = null;
  /** The data points, drawn once into a transparent bitmap ({image, key}): they change only with
   *  the data, the size or the test switch, never while training, so a frame copies one image
   *  instead of drawing up to 100,000 points again. (An ImageBitmap, not a canvas: drawing a
   *  canvas can replay its recorded paths every time.) */
  const pointsLayer = { image: null, key: '' };

  function makeMap() {
    const canvas = document.createElement('canvas');
    canvas.width = width;
    canvas.height = height;
    const ctx = canvas.getContext('2d');
    const image = ctx.createImageData(width, height);
    return { canvas, ctx, image, pixels: new Uint32Array(image.data.buffer) };
  }

  /** Rebuilds the grid and the images when the network's shape or the data set changes. */
  function layout() {
    const { info: data, shape } = state;
    const next = `${data.version}|${state.session.networkVersion()}|${shape.join(',')}`;
    if (next === key) return;
    key = next;
    computed = -1;
    const [lo, hi] = data.domain;
    const oneD = data.dims === 1;
    width = oneD ? GRID_1D : GRID_2D;
    height = oneD ? 1 : GRID_2D;
    // The engine's grid runs from edge to edge; half a cell in from each side puts each
    // value at the centre of its pixel.
    const half = (hi - lo) / (2 * width);
    grid = state.session.gridInputs(lo + half, hi - half, lo + half, hi - half, width);
    curve = new Float64Array(width);
    maps = shape.map((units) => Array.from({ length: units }, makeMap));
    outputMap = makeMap();
    // The inputs' maps never change: each input (feature) itself, scaled to the colour range.
    const rows = width * height;
    for (let i = 0; i < data.inputs; i++) {
      let max = 1e-12;
      for (let r = 0; r < rows; r++) max = Math.max(max, Math.abs(grid[r * data.inputs + i]));
      const { pixels, ctx, image } = maps[0][i];
      for (let r = 0; r < rows; r++) pixels[r] = LUT32[lutIndex(grid[r * data.inputs + i] / max)];
      ctx.putImageData(image, 0, 0);
    }
  }

  /** Recomputes the maps if the weights changed since the last call: the output's always,
   *  the hidden neurons' only if `hidden` (they are drawn). While training runs, a frame may
   *  skip the update if the last one took long, so big networks stay smooth. Returns true
   *  when the maps are still behind the weights (the caller draws again next frame). */
  function update(hidden) {
    const { session: engine, info: data, shape } = state;
    if (!engine) return false;
    layout();
    if (computed === state.weightsVersion && (builtHidden || !hidden)) return false;
    if (state.playing && skip > 0) {
      skip--;
      return true;
    }
    const started = performance.now();
    computed = state.weightsVersion;
    builtHidden = hidden;
    const rows = engine.probe(grid);
    const layers = shape.length - 1;
    for (let l = hidden ? 0 : layers - 1; l < layers; l++) {
      const units = shape[l + 1];
      const a = view(engine, Buffer.ProbeActivation, l);
      const isOutput = l === layers - 1;
      // The output of a classifier is a probability: centre its colours on 0.5.
      const centre = isOutput && data.kind === 'classification' ? 0.5 : 0;
      const gain = centre ? 2 : 1;
      for (let j = 0; j < units; j++) {
        const { pixels, ctx, image } = maps[l + 1][j];
        for (let r = 0; r < rows; r++) pixels[r] = LUT32[lutIndex((a[r * units + j] - centre) * gain)];
        ctx.putImageData(image, 0, 0);
      }
      if (isOutput) {
        for (let r = 0; r < rows; r++) curve[r] = a[r * units];
        if (units > 1 && data.kind === 'classification') classMap(a, units, rows);
      }
    }
    // About 4 ms of a 16.7 ms frame for heatmaps: beyond that, update every few frames.
    skip = Math.min(5, Math.floor((performance.now() - started) / 4));
    return false;
  }

  /** Colours each grid point by its predicted class (argmax), paler where the network is unsure. */
  function classMap(a, units, rows) {
    const { pixels, ctx, image } = outputMap;
    for (let r = 0; r < rows; r++) {
      let best = 0;
      for (let j = 1; j < units; j++) if (a[r * units + j] > a[r * units + best]) best = j;
      const [cr, cg, cb] = CLASS_RGB[best % CLASS_RGB.length];
      // Probability 1/units → white, 1 → 70 % of the class colour (points stay readable).
      const t = 0.7 * Math.max(0, (a[r * units + best] - 1 / units) / (1 - 1 / units));
      const mix = (c) => Math.round(255 + t * (c - 255));
      pixels[r] = (255 << 24) | (mix(cb) << 16) | (mix(cg) << 8) | mix(cr);
    }
    ctx.putImageData(image, 0, 0);
  }

  /** The map of neuron j in column c (0 = inputs), or null. */
  function map(c, j) {
    return maps[c]?.[j]?.canvas ?? null;
  }

  /** The data points over the plane of CSS size {w, h, dpr} (an ImageBitmap), redrawn only
   *  when they or the size changed. */
  function points(size) {
    const { info: data, points: sets } = state;
    const showTest = Boolean(settingValue('show_test'));
    const { w, h, dpr } = size;
    const key = `${data.version}|${data.domain}|${data.y_domain}|${sets.train.y.length}|${sets.test.y.length}|${showTest}|${w}|${h}|${dpr}`;
    if (pointsLayer.key === key) return pointsLayer.image;
    pointsLayer.key = key;
    pointsLayer.image?.close();
    const layer = new OffscreenCanvas(Math.max(1, Math.round(w * dpr)), Math.max(1, Math.round(h * dpr)));
    const ctx = layer.getContext('2d');
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    drawSets(ctx, w, h, showTest);
    pointsLayer.image = layer.transferToImageBitmap();
    return pointsLayer.image;
  }

  /** Draws the training points (and the test points if `showTest`) on a plane of w × h. */
  function drawSets(ctx, w, h, showTest) {
    const { info: data, points: sets } = state;
    const [lo, hi] = data.domain;
    const toX = (x) => ((x - lo) / (hi - lo)) * w;
    const dims = data.dims;
    if (dims === 1) {
      const [ylo, yhi] = data.y_domain;
      const toY = (y) => h - ((y - ylo) / (yhi - ylo)) * h;
      drawPoints(ctx, sets.train, toX, (p) => toY(sets.train.y[p]), COLOURS.train, false, 1);
      if (showTest) drawPoints(ctx, sets.test, toX, (p) => toY(sets.test.y[p]), COLOURS.test, true, 1);
      return;
    }
    const toY = (y) => h - ((y - lo) / (hi - lo)) * h;
    const drawSet = data.kind === 'classification'
      ? (set, isTest) => drawClassPoints(ctx, set, toX, toY, isTest, dims, data.classes)
      : (set, isTest) => drawValuePoints(ctx, set, toX, toY, isTest, dims);
    drawSet(sets.train, false);
    if (showTest) drawSet(sets.test, true);
  }

  /** Draws the output panel: the output map (or curve) with the data points on top. */
  function drawOutput(canvas, ctx, size) {
    const { info: data, points: sets } = state;
    const { w, h } = size;
    const [lo, hi] = data.domain;
    const toX = (x) => ((x - lo) / (hi - lo)) * w;
    const oneD = data.dims === 1;
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, w, h);
    if (oneD) {
      const [ylo, yhi] = data.y_domain;
      const toY = (y) => h - ((y - ylo) / (yhi - ylo)) * h;
      ctx.strokeStyle = COLOURS.grid;
      ctx.lineWidth = 1;
      ctx.beginPath();
      ctx.moveTo(0, toY(0));
      ctx.lineTo(w, toY(0));
      ctx.moveTo(toX(0), 0);
      ctx.lineTo(toX(0), h);
      ctx.stroke();
      ctx.drawImage(points(size), 0, 0, w, h);
      ctx.strokeStyle = COLOURS.ink;
      ctx.lineWidth = 2.5;
      ctx.beginPath();
      for (let px = 0; px < width; px++) {
        const x = ((px + 0.5) / width) * w;
        const y = Math.max(-10, Math.min(h + 10, toY(curve[px])));
        if (px === 0) ctx.moveTo(x, y);
        else ctx.lineTo(x, y);
      }
      ctx.stroke();
      drawSample(ctx, toX, (p) => toY(sets.train.y[p]));
      drawAxes(ctx, w, h);
      return;
    }
    const units = state.shape[state.shape.length - 1];
    const out = units > 1 && data.kind === 'classification' ? outputMap?.canvas : map(state.shape.length - 1, 0);
    if (out) {
      ctx.imageSmoothingEnabled = true;
      ctx.drawImage(out, 0, 0, w, h);
    }
    const toY = (y) => h - ((y - lo) / (hi - lo)) * h;
    ctx.drawImage(points(size), 0, 0, w, h);
    const dims = data.dims;
    drawSample(ctx, toX, (p) => toY(sets.train.x[dims * p + 1]));
    drawAxes(ctx, w, h);
  }

  /** Marks the point of the sample the network view shows (a ring and a cross), so the
   *  numbers on the network can be found on the plane. */
  function drawSample(ctx, toX, toYOf) {
    const engine = state.session;
    const batch = engine.batchLength();
    if (batch === 0 || state.progress === 0) return;
    const row = engine.batchIndices()[Math.min(state.position.sample, batch - 1)];
    const dims = state.info.dims;
    if (row === undefined || dims > 2 || row * dims >= state.points.train.x.length) return;
    const x = toX(state.points.train.x[row * dims]);
    const y = toYOf(row);
    ctx.lineWidth = 4;
    ctx.strokeStyle = '#ffffff';
    ctx.beginPath();
    ctx.arc(x, y, 9, 0, 2 * Math.PI);
    ctx.stroke();
    ctx.lineWidth = 2;
    ctx.strokeStyle = COLOURS.ink;
    ctx.beginPath();
    ctx.arc(x, y, 9, 0, 2 * Math.PI);
    ctx.moveTo(x - 14, y);
    ctx.lineTo(x - 5, y);
    ctx.moveTo(x + 5, y);
    ctx.lineTo(x + 14, y);
    ctx.moveTo(x, y - 14);
    ctx.lineTo(x, y - 5);
    ctx.moveTo(x, y + 5);
    ctx.lineTo(x, y + 14);
    ctx.stroke();
  }

  /** Each output neuron's own map, side by side with its class (several outputs). */
  function drawOutputMaps(canvas, ctx, size) {
    const outputs = state.shape[state.shape.length - 1];
    const column = state.shape.length - 1;
    const { w, h } = size;
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, w, h);
    const cell = Math.min(h - 16, (w - 4 * (outputs - 1)) / outputs);
    ctx.font = '12px system-ui, sans-serif';
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    for (let j = 0; j < outputs; j++) {
      const x = j * (cell + 4);
      const map = maps[column]?.[j]?.canvas;
      if (map) {
        ctx.imageSmoothingEnabled = true;
        ctx.drawImage(map, x, 0, cell, cell);
      }
      ctx.strokeStyle = CLASS_COLOURS[j % CLASS_COLOURS.length];
      ctx.lineWidth = 3;
      ctx.strokeRect(x + 1.5, 1.5, cell - 3, cell - 3);
      ctx.fillStyle = COLOURS.ink;
      ctx.fillText(state.info.kind === 'classification' ? `ŷ${j + 1}: class ${j}` : `ŷ${j + 1}`, x + cell / 2, cell + 2);
    }
  }

  /** Axis names and the domain's ends, in the corners (after the data, so always readable).
   *  Each corner says which axis its number belongs to; on a plane too narrow for both ends of
   *  x₁ on the bottom row, its right end goes one row up. */
  function drawAxes(ctx, w, h) {
    const { info: data } = state;
    const [lo, hi] = data.domain;
    ctx.font = '12px system-ui, sans-serif';
    const row = 16;
    const labels = [
      { text: `x₁ = ${lo}`, x: 0, y: h - row, align: 'left' },
      { text: `${data.dims === 1 ? 'y' : 'x₂'} ↑ ${data.dims === 1 ? data.y_domain[1] : hi}`, x: 0, y: 0, align: 'left' },
    ];
    if (data.dims === 1) labels.push({ text: `y = ${data.y_domain[0]}`, x: 0, y: h - 2 * row, align: 'left' });
    const right = { text: `x₁ → ${hi}`, x: w, y: h - row, align: 'right' };
    const width = (t) => ctx.measureText(t).width + 6;
    if (width(labels[0].text) + width(right.text) + 4 > w) right.y = h - (data.dims === 1 ? 3 : 2) * row;
    labels.push(right);
    ctx.fillStyle = 'rgba(255,255,255,0.85)';
    for (const l of labels) ctx.fillRect(l.align === 'left' ? l.x : l.x - width(l.text), l.y, width(l.text), row);
    ctx.fillStyle = COLOURS.ink;
    ctx.textBaseline = 'bottom';
    for (const l of labels) {
      ctx.textAlign = l.align;
      ctx.fillText(l.text, l.align === 'left' ? l.x + 3 : l.x - 3, l.y + row - 2);
    }
    ctx.textAlign = 'left';
  }

  return { update, map, drawOutput, drawOutputMaps, layout };
}

/** Classification points, coloured by class (class 0 orange, 1 blue, 2 green): training
 *  points filled with a dark rim (visible on their own class's colour), test points hollow rings. */
function drawClassPoints(ctx, set, toX, toY, isTest, dims, classes) {
  const every = drawnEvery(set.y.length);
  for (let label = 0; label < Math.max(2, classes); label++) {
    const colour = CLASS_COLOURS[label % CLASS_COLOURS.length];
    ctx.beginPath();
    for (let p = 0; p < set.y.length; p += every) {
      if (set.y[p] !== label) continue;
      classShape(ctx, label, toX(set.x[dims * p]), toY(set.x[dims * p + 1]), 4);
    }
    if (isTest) {
      ctx.fillStyle = '#ffffff';
      ctx.fill();
      ctx.lineWidth = 2.5;
      ctx.strokeStyle = colour;
      ctx.stroke();
    } else {
      ctx.fillStyle = colour;
      ctx.fill();
      ctx.lineWidth = 1;
      ctx.strokeStyle = 'rgba(20,20,20,0.75)';
      ctx.stroke();
    }
  }
}

/** 2-D regression points: coloured by their value on the diverging scale, with a dark rim. */
function drawValuePoints(ctx, set, toX, toY, isTest, dims) {
  ctx.lineWidth = isTest ? 2.5 : 1;
  for (let p = 0; p < set.y.length; p += drawnEvery(set.y.length)) {
    const x = toX(set.x[dims * p]);
    const y = toY(set.x[dims * p + 1]);
    ctx.beginPath();
    ctx.arc(x, y, 4, 0, 2 * Math.PI);
    ctx.fillStyle = isTest ? '#ffffff' : LUT_CSS[lutIndex(set.y[p])];
    ctx.fill();
    ctx.strokeStyle = isTest ? LUT_CSS[lutIndex(set.y[p])] : 'rgba(20,20,20,0.75)';
    ctx.stroke();
  }
}

/** Regression points: filled (training) or hollow (test) dots. */
function drawPoints(ctx, set, toX, toY, colour, hollow, width) {
  ctx.beginPath();
  for (let p = 0; p < set.y.length; p += drawnEvery(set.y.length)) {
    const x = toX(set.x[p * width]);
    const y = toY(p);
    ctx.moveTo(x + 3.5, y);
    ctx.arc(x, y, 3.5, 0, 2 * Math.PI);
  }
  if (hollow) {
    ctx.strokeStyle = colour;
    ctx.lineWidth = 1.5;
    ctx.stroke();
  } else {
    ctx.fillStyle = colour;
    ctx.fill();
  }
}
