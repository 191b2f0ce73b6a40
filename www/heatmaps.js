// Heatmaps: what every neuron outputs over the whole input plane, computed by the engine.
//
// One `engine.probe(grid)` call per change of the weights runs the network on every grid point;
// the ProbeActivation buffers then hold every layer's activations for all of them. Each
// neuron's map is coloured through a lookup table into an ImageData that is created once
// (per layout) and reused, then copied to a small offscreen canvas that the network view
// and the output panel draw scaled. For 1-input problems the "plane" is a line: each map is
// one pixel high, and the output panel draws the fitted curve instead.

import { Buffer, view } from './engine.js';
import { LUT32, lutIndex, COLOURS } from './colors.js';

const GRID_2D = 48;
const GRID_1D = 160;

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
    const { data, shape } = state;
    const next = `${data.name}|${shape.join(',')}`;
    if (next === key) return;
    key = next;
    computed = -1;
    const [lo, hi] = data.domain;
    const oneD = data.inputs === 1;
    width = oneD ? GRID_1D : GRID_2D;
    height = oneD ? 1 : GRID_2D;
    grid = new Float64Array(width * height * data.inputs);
    curve = new Float64Array(width);
    for (let py = 0; py < height; py++) {
      for (let px = 0; px < width; px++) {
        const row = py * width + px;
        const x1 = lo + ((px + 0.5) / width) * (hi - lo);
        if (oneD) {
          grid[row] = x1;
        } else {
          grid[2 * row] = x1;
          grid[2 * row + 1] = hi - ((py + 0.5) / height) * (hi - lo); // x₂ grows upwards
        }
      }
    }
    maps = shape.map((units) => Array.from({ length: units }, makeMap));
    // The inputs' maps never change: x_i itself, scaled to the colour range.
    const scale = 1 / Math.max(Math.abs(lo), Math.abs(hi));
    const rows = width * height;
    for (let i = 0; i < data.inputs; i++) {
      const { pixels, ctx, image } = maps[0][i];
      for (let r = 0; r < rows; r++) pixels[r] = LUT32[lutIndex(grid[r * data.inputs + i] * scale)];
      ctx.putImageData(image, 0, 0);
    }
  }

  /** Recomputes the maps if the weights changed since the last call: the output's always,
   *  the hidden neurons' only if `hidden` (they are drawn). While training runs, a frame may
   *  skip the update if the last one took long, so big networks stay smooth. */
  function update(hidden) {
    const { engine, data, shape } = state;
    if (!engine) return;
    layout();
    if (computed === state.version && (builtHidden || !hidden)) return;
    if (state.playing && skip > 0) {
      skip--;
      state.dirty = true;
      return;
    }
    const started = performance.now();
    computed = state.version;
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
      if (isOutput) for (let r = 0; r < rows; r++) curve[r] = a[r * units];
    }
    // About 4 ms of a 16.7 ms frame for heatmaps: beyond that, update every few frames.
    skip = Math.min(5, Math.floor((performance.now() - started) / 4));
  }

  /** The map of neuron j in column c (0 = inputs), or null. */
  function map(c, j) {
    return maps[c]?.[j]?.canvas ?? null;
  }

  /** Draws the output panel: the output map (or curve) with the data points on top. */
  function drawOutput(canvas, ctx, size) {
    const { data, settings } = state;
    const { w, h } = size;
    const [lo, hi] = data.domain;
    const toX = (x) => ((x - lo) / (hi - lo)) * w;
    const oneD = data.inputs === 1;
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, w, h);
    if (oneD) {
      // y from −1.25 to 1.25, like the input axis.
      const toY = (y) => h - ((y - lo) / (hi - lo)) * h;
      ctx.strokeStyle = COLOURS.grid;
      ctx.lineWidth = 1;
      ctx.beginPath();
      ctx.moveTo(0, toY(0));
      ctx.lineTo(w, toY(0));
      ctx.moveTo(toX(0), 0);
      ctx.lineTo(toX(0), h);
      ctx.stroke();
      drawPoints(ctx, data.train, toX, (p) => toY(data.train.y[p]), COLOURS.train, false, 1);
      if (settings.showTest) drawPoints(ctx, data.test, toX, (p) => toY(data.test.y[p]), COLOURS.test, true, 1);
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
      drawAxes(ctx, w, h);
      return;
    }
    const out = map(state.shape.length - 1, 0);
    if (out) {
      ctx.imageSmoothingEnabled = true;
      ctx.drawImage(out, 0, 0, w, h);
    }
    const toY = (y) => h - ((y - lo) / (hi - lo)) * h;
    drawClassPoints(ctx, data.train, toX, toY, false);
    if (settings.showTest) drawClassPoints(ctx, data.test, toX, toY, true);
    drawAxes(ctx, w, h);
  }

  /** Axis names and the domain's ends, in the corners (after the data, so always readable). */
  function drawAxes(ctx, w, h) {
    const { data } = state;
    const [lo, hi] = data.domain;
    ctx.font = '12px system-ui, sans-serif';
    ctx.fillStyle = 'rgba(255,255,255,0.85)';
    ctx.fillRect(0, h - 16, 40, 16);
    ctx.fillRect(w - 64, h - 16, 64, 16);
    ctx.fillRect(0, 0, 64, 16);
    ctx.fillStyle = COLOURS.ink;
    ctx.textBaseline = 'bottom';
    ctx.textAlign = 'left';
    ctx.fillText(String(lo), 3, h - 2);
    ctx.textAlign = 'right';
    ctx.fillText(`x₁ → ${hi}`, w - 3, h - 2);
    ctx.textAlign = 'left';
    ctx.textBaseline = 'top';
    ctx.fillText(`${data.inputs === 1 ? 'y' : 'x₂'} ↑ ${hi}`, 3, 2);
  }

  return { update, map, drawOutput, layout };
}

/** Classification points, coloured by class (blue = 1, orange = 0): training points filled
 *  with a dark rim (visible on their own class's colour), test points hollow rings. */
function drawClassPoints(ctx, set, toX, toY, isTest) {
  for (const label of [0, 1]) {
    const colour = label ? COLOURS.positive : COLOURS.negative;
    ctx.beginPath();
    for (let p = 0; p < set.y.length; p++) {
      if (set.y[p] !== label) continue;
      const x = toX(set.x[2 * p]);
      const y = toY(set.x[2 * p + 1]);
      ctx.moveTo(x + 4, y);
      ctx.arc(x, y, 4, 0, 2 * Math.PI);
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

/** Regression points: filled (training) or hollow (test) dots. */
function drawPoints(ctx, set, toX, toY, colour, hollow, width) {
  ctx.beginPath();
  for (let p = 0; p < set.y.length; p++) {
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
