// Views of image data and autoencoders, in place of the output plane: the digit drawn by hand
// and the network's answer to it, the test images with their predicted and true classes (or,
// for an autoencoder, beside their reconstructions with each one's error), the code space,
// and the first layer's weights drawn as images. Read only: every number comes from the
// engine (session.activationsOf, session.metrics), every pixel from its data.

import { state, imageMode, shownImages } from './state.js';
import { view, Buffer } from './engine.js';
import { layerKinds } from './maps_view.js';
import { fitCanvas } from './canvas.js';
import { COLOURS, LUT32, lutIndex, fmt, fmtInt } from './colors.js';

const $ = (id) => document.getElementById(id);

/** Ten categorical colours for ten classes (Tableau 10); each point is also drawn as its class's
 *  own digit, so colour is never the only cue. */
export const CATEGORY_COLOURS = ['#4e79a7', '#f28e2b', '#e15759', '#59a14f', '#b07aa1', '#9c755f', '#d37295', '#76b7b2', '#b8860b', '#6b6b6b'];

/** How many test images the gallery shows. */
const GALLERY_IMAGES = 24;


/** The code of an autoencoder: its narrowest hidden layer (the first, if several are as
 *  narrow), as an engine layer index; −1 without hidden layers. */
export function codeLayer(shape) {
  let best = -1;
  for (let l = 0; l + 2 < shape.length; l++) if (best < 0 || shape[l + 1] < shape[best + 1]) best = l;
  return best;
}

/** Paints `pixels` (row by row, values 0…1: ink) as a width × height image at (x, y), `cell`
 *  CSS pixels a pixel; white paper, dark ink, as the digits are drawn. */
function paintImage(ctx, pixels, offset, image, x, y, cell) {
  for (let r = 0; r < image.height; r++) {
    for (let c = 0; c < image.width; c++) {
      const ink = Math.min(1, Math.max(0, pixels[offset + r * image.width + c]));
      const grey = Math.round(255 * (1 - ink));
      ctx.fillStyle = `rgb(${grey},${grey},${grey})`;
      ctx.fillRect(x + c * cell, y + r * cell, Math.ceil(cell), Math.ceil(cell));
    }
  }
  ctx.strokeStyle = '#999999';
  ctx.lineWidth = 1;
  ctx.strokeRect(x + 0.5, y + 0.5, image.width * cell - 1, image.height * cell - 1);
}

/** Prepares a canvas for `height` CSS pixels at its CSS width; returns {ctx, w, h}. */
function prepare(canvas, height) {
  canvas.style.height = `${height}px`;
  const size = fitCanvas(canvas, { w: canvas.clientWidth, h: height });
  const ctx = canvas.getContext('2d');
  ctx.setTransform(size.dpr, 0, 0, size.dpr, 0, 0);
  ctx.clearRect(0, 0, size.w, size.h);
  return { ctx, w: size.w, h: size.h };
}

export function createImagesView() {
  const root = $('images');
  let paintedFor = '';

  /** The first `n` test images (or training images when there is no test set). */
  function sampleImages(n) {
    const { set, test } = shownImages();
    const dims = state.info.dims;
    const count = Math.min(n, set.y.length);
    return { coords: set.x.subarray ? set.x.subarray(0, count * dims) : set.x.slice(0, count * dims), labels: set.y, count, test };
  }

  function className(k) {
    return state.info.class_names?.[k] ?? String(k);
  }

  function drawPad() {
    const info = state.info;
    const canvas = $('draw-pad');
    const side = Math.min(168, canvas.clientWidth || 168);
    const { ctx } = prepare(canvas, side);
    const image = info.image;
    const cell = side / image.width;
    paintImage(ctx, state.drawnImage, 0, image, 0, 0, cell);
    ctx.strokeStyle = '#dddddd';
    for (let k = 1; k < image.width; k++) {
      ctx.beginPath();
      ctx.moveTo(k * cell, 0);
      ctx.lineTo(k * cell, side);
      ctx.moveTo(0, k * cell);
      ctx.lineTo(side, k * cell);
      ctx.stroke();
    }
    if (state.drawCursor >= 0 && document.activeElement === canvas) {
      const r = Math.floor(state.drawCursor / image.width);
      const c = state.drawCursor % image.width;
      ctx.strokeStyle = COLOURS.backward;
      ctx.lineWidth = 2;
      ctx.strokeRect(c * cell + 1, r * cell + 1, cell - 2, cell - 2);
    }
  }

  /** The network's answer to the drawn image: each class's probability, or the reconstruction. */
  function drawAnswer() {
    const s = state.session;
    const last = state.shape.length - 2;
    const outputs = s.activationsOf(state.drawnImage, last);
    const list = $('draw-answer');
    if (state.info.kind === 'reconstruction') {
      const code = s.activationsOf(state.drawnImage, codeLayer(state.shape));
      const canvas = $('draw-reconstruction');
      canvas.hidden = false;
      const side = Math.min(168, canvas.clientWidth || 168);
      const { ctx } = prepare(canvas, side);
      paintImage(ctx, outputs, 0, state.info.image, 0, 0, side / state.info.image.width);
      const text = `code (layer ${codeLayer(state.shape) + 1}): ${Array.from(code, (v) => fmt(v, 3)).join(', ')}`;
      list.replaceChildren(Object.assign(document.createElement('li'), { textContent: text, className: 'code' }));
      $('draw-verdict').textContent = '';
      list.dataset.code = Array.from(code).join(',');
      return;
    }
    $('draw-reconstruction').hidden = true;
    let best = 0;
    for (let k = 1; k < outputs.length; k++) if (outputs[k] > outputs[best]) best = k;
    const items = Array.from(outputs, (p, k) => {
      const li = document.createElement('li');
      li.className = k === best ? 'best' : '';
      const bar = document.createElement('i');
      bar.className = 'bar';
      bar.style.width = `${Math.max(0, Math.min(1, p)) * 100}%`;
      const name = document.createElement('span');
      name.className = 'name';
      name.textContent = className(k);
      const number = document.createElement('span');
      number.className = 'p';
      number.textContent = fmt(p, 3);
      li.append(name, bar, number);
      return li;
    });
    list.replaceChildren(...items);
    list.dataset.best = String(best);
    list.dataset.probabilities = Array.from(outputs).join(',');
    $('draw-verdict').textContent = `The network says ${className(best)} (probability ${fmt(outputs[best], 3)}).`;
  }

  /** Test images with their predicted and true classes, or beside their reconstructions. */
  function drawGallery() {
    const s = state.session;
    const info = state.info;
    const image = info.image;
    const canvas = $('gallery');
    const { coords, labels, count, test } = sampleImages(GALLERY_IMAGES);
    if (count === 0) return;
    const outputs = s.activationsOf(coords, state.shape.length - 2);
    const reconstruction = info.kind === 'reconstruction';
    const width = canvas.clientWidth || 300;
    // Thumbnails about 40 px (a pair for an autoencoder), with a caption line below.
    const per = reconstruction ? 2 : 1;
    const columns = Math.max(1, Math.floor((width + 6) / (per * 42 + 6)));
    const thumb = Math.min(48, ((width + 6) / columns - 6) / per);
    const cell = thumb / image.width;
    const rowH = thumb + 16;
    const rows = Math.ceil(count / columns);
    const { ctx } = prepare(canvas, rows * rowH);
    const errors = reconstruction ? s.metrics(test)?.per_sample : null;
    ctx.font = '11px system-ui, sans-serif';
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    let right = 0;
    for (let i = 0; i < count; i++) {
      const x = (i % columns) * (per * thumb + 6);
      const y = Math.floor(i / columns) * rowH;
      paintImage(ctx, coords, i * info.dims, image, x, y, cell);
      const label = labels[i];
      if (reconstruction) {
        paintImage(ctx, outputs, i * info.outputs, image, x + thumb, y, cell);
        ctx.fillStyle = COLOURS.ink;
        ctx.fillText(`err ${fmt(errors?.[i], 2)}`, x + thumb, y + thumb + 2);
        continue;
      }
      let best = 0;
      for (let k = 1; k < info.outputs; k++) if (outputs[i * info.outputs + k] > outputs[i * info.outputs + best]) best = k;
      const ok = best === label;
      right += ok;
      ctx.fillStyle = ok ? COLOURS.ink : '#b00020';
      ctx.fillText(ok ? `${className(best)} ✓` : `${className(best)} ✗ (${className(label)})`, x + thumb / 2, y + thumb + 2);
      if (!ok) {
        ctx.strokeStyle = '#b00020';
        ctx.lineWidth = 2;
        ctx.strokeRect(x + 1, y + 1, thumb - 2, thumb - 2);
      }
    }
    const which = test ? 'test' : 'training';
    const note = reconstruction
      ? `The first ${count} ${which} images (left) and the network's reconstruction of each (right); err is that image's mean squared error per pixel.`
      : `The first ${count} ${which} images: predicted class ✓ when right; ✗ (true class) when wrong. ${right} of ${count} right.`;
    $('gallery-note').textContent = note;
    canvas.setAttribute('aria-label', note);
    canvas.dataset.right = String(right);
  }

  /** Each hidden unit of the first layer: its 64 incoming weights as an 8×8 image. */
  function drawWeights() {
    const info = state.info;
    const image = info.image;
    const canvas = $('weight-images');
    const units = state.shape[1];
    const inputs = state.shape[0];
    const weights = view(state.session, Buffer.Weights, 0);
    const width = canvas.clientWidth || 300;
    const columns = Math.max(1, Math.floor((width + 4) / 36));
    const thumb = Math.min(40, (width + 4) / columns - 4);
    const rows = Math.ceil(units / columns);
    const { ctx } = prepare(canvas, rows * (thumb + 4));
    // One scale for all units, so that their strengths compare: the largest |w| is full colour.
    let max = 1e-12;
    for (let k = 0; k < weights.length; k++) max = Math.max(max, Math.abs(weights[k]));
    const pixels = new ImageData(image.width, image.height);
    const words = new Uint32Array(pixels.data.buffer);
    const scratch = new OffscreenCanvas(image.width, image.height);
    const sctx = scratch.getContext('2d');
    ctx.imageSmoothingEnabled = false;
    for (let j = 0; j < units; j++) {
      for (let i = 0; i < inputs; i++) words[i] = LUT32[lutIndex(weights[j * inputs + i] / max)];
      sctx.putImageData(pixels, 0, 0);
      const x = (j % columns) * (thumb + 4);
      const y = Math.floor(j / columns) * (thumb + 4);
      ctx.drawImage(scratch, x, y, thumb, thumb);
      ctx.strokeStyle = '#999999';
      ctx.strokeRect(x + 0.5, y + 0.5, thumb - 1, thumb - 1);
    }
    $('weights-note').textContent = `Each of the ${units} neurons of layer 1, its ${inputs} weights in the places of their pixels: blue weighs ink there for the neuron, orange against it (largest |w| ${fmt(max, 3)}).`;
  }

  /** Every test code (two numbers of the code layer) as a point, drawn as its class's digit. */
  function drawCodes() {
    const s = state.session;
    const info = state.info;
    const layer = codeLayer(state.shape);
    const units = layer >= 0 ? state.shape[layer + 1] : 0;
    const canvas = $('code-space');
    const section = $('code-section');
    section.hidden = units < 1;
    if (section.hidden) return;
    const { set, test } = shownImages();
    const codes = s.activationsOf(set.x, layer);
    const n = set.y.length;
    const side = Math.min(canvas.clientWidth || 300, 360);
    const { ctx, w, h } = prepare(canvas, side);
    const dimsShown = Math.min(2, units);
    let [x0, x1, y0, y1] = [Infinity, -Infinity, Infinity, -Infinity];
    for (let p = 0; p < n; p++) {
      const cx = codes[p * units];
      const cy = dimsShown > 1 ? codes[p * units + 1] : 0;
      x0 = Math.min(x0, cx); x1 = Math.max(x1, cx); y0 = Math.min(y0, cy); y1 = Math.max(y1, cy);
    }
    const spanX = x1 - x0 || 1;
    const spanY = y1 - y0 || 1;
    const pad = 14;
    const px = (v) => pad + ((v - x0) / spanX) * (w - 2 * pad);
    const py = (v) => h - pad - ((v - y0) / spanY) * (h - 2 * pad);
    ctx.strokeStyle = COLOURS.grid;
    ctx.strokeRect(0.5, 0.5, w - 1, h - 1);
    ctx.font = 'bold 11px system-ui, sans-serif';
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    for (let p = 0; p < n; p++) {
      const k = set.y[p];
      ctx.fillStyle = CATEGORY_COLOURS[k % CATEGORY_COLOURS.length];
      ctx.fillText(String(k), px(codes[p * units]), py(dimsShown > 1 ? codes[p * units + 1] : 0));
    }
    ctx.fillStyle = COLOURS.muted;
    ctx.font = '11px system-ui, sans-serif';
    ctx.textAlign = 'left';
    ctx.textBaseline = 'bottom';
    ctx.fillText(`code 1: ${fmt(x0, 3)} … ${fmt(x1, 3)}`, 4, h - 1);
    if (dimsShown > 1) {
      ctx.textBaseline = 'top';
      ctx.fillText(`code 2: ${fmt(y0, 3)} … ${fmt(y1, 3)}`, 4, 2);
    }
    const names = info.class_names.map((name, k) => (name === String(k) ? name : `${k} ${name}`)).join(', ');
    const which = test ? 'test' : 'training';
    const note = `Layer ${layer + 1} (${units} neuron${units > 1 ? 's' : ''}) is the code: each of the ${fmtInt(n)} ${which} points is drawn at its code${units > 2 ? ' (the first two of its numbers)' : ''}, as its true class (${names}), which the network never saw.`;
    $('code-note').textContent = note;
    canvas.setAttribute('aria-label', note);
    $('code-title').textContent = info.kind === 'reconstruction' ? 'Code space' : 'Layer activations';
  }

  return {
    /** Paints everything for the current state (the caller throttles it while playing). */
    update() {
      const info = state.info;
      const on = imageMode(info) && state.session;
      root.hidden = !on;
      if (!on) return;
      const image = Boolean(info.image);
      $('draw-box').hidden = !image;
      $('gallery-section').hidden = !image;
      // A first layer that is a convolution has kernels, not a picture per neuron: the maps
      // view draws them (maps_view.js).
      const denseFirst = layerKinds()[0]?.type === 'dense';
      $('weights-section').hidden = !image || !denseFirst;
      if (image) {
        // The pad draws what the data's images are: digits, or (the edges) any image.
        $('draw-title').textContent = info.name === 'digits' ? 'Draw a digit' : 'Draw an image';
        drawPad();
        drawAnswer();
        drawGallery();
        if (denseFirst) drawWeights();
      }
      // The code space is an autoencoder's.
      if (info.kind === 'reconstruction') drawCodes();
      else $('code-section').hidden = true;
      paintedFor = `${info.version}|${state.weightsVersion}`;
    },
    /** Only the pad and the answer (while drawing). */
    updateDrawing() {
      if (root.hidden || !state.info.image) return;
      drawPad();
      drawAnswer();
    },
    paintedFor: () => paintedFor,
  };
}
