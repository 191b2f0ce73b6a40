// Colour scales and number formats shared by every view.
//
// One diverging, colour-blind-safe scale (orange for negative, white for zero, blue for
// positive, after ColorBrewer's PuOr/RdBu ends) encodes weights, activations and the
// network's output; violet marks the backward pass, dark ink the forward pass. The violet was
// chosen (scratch search, checked by tests/e2e/colours.test.mjs) to stay at least ΔE 30 from
// the blue, the orange, the ink and white under protanopia, deuteranopia and tritanopia
// (Machado et al. 2009), with a 5.8 : 1 contrast on white for its numbers. Colour is never the
// only cue: negative weights are dashed, the backward pass is dashed and hollow, classes have
// shapes.

export const COLOURS = {
  positive: '#2166ac',
  negative: '#d95f02',
  forward: '#222222',
  backward: '#9800f0',
  ink: '#1b1b1b',
  muted: '#666666',
  grid: '#e4e4e4',
  train: '#1f6fb4',
  test: '#d95f02',
};

/** The colours the style sheet uses, as CSS custom properties (set once at boot). */
export const PALETTE = {
  pos: COLOURS.positive,
  neg: COLOURS.negative,
  fwd: COLOURS.forward,
  bwd: COLOURS.backward,
  train: COLOURS.train,
  test: COLOURS.test,
  'test-text': '#b35806',
};

/** Class colours (colour-blind safe): class 0 orange, class 1 blue (the scale's two ends), class 2 bluish green. */
export const CLASS_COLOURS = ['#d95f02', '#2166ac', '#009e73'];
/** Class shapes, the second cue: class 0 a circle, 1 a square, 2 a triangle (then again). */
export const CLASS_SHAPES = ['circle', 'square', 'triangle'];

/** Adds the outline of a class's shape, of radius r at (x, y), to the current path. */
export function classShape(ctx, label, x, y, r) {
  switch (CLASS_SHAPES[label % CLASS_SHAPES.length]) {
    case 'square':
      ctx.rect(x - r * 0.9, y - r * 0.9, 1.8 * r, 1.8 * r);
      break;
    case 'triangle':
      ctx.moveTo(x, y - 1.2 * r);
      ctx.lineTo(x + 1.1 * r, y + 0.8 * r);
      ctx.lineTo(x - 1.1 * r, y + 0.8 * r);
      ctx.closePath();
      break;
    default:
      ctx.moveTo(x + r, y);
      ctx.arc(x, y, r, 0, 2 * Math.PI);
  }
}
export const CLASS_RGB = CLASS_COLOURS.map((c) => [1, 3, 5].map((k) => parseInt(c.slice(k, k + 2), 16)));

// Stops from −1 to +1 (orange → white → blue).
const STOPS = [
  [-1.0, [179, 88, 6]],
  [-0.5, [241, 163, 64]],
  [-0.15, [254, 224, 182]],
  [0.0, [247, 247, 247]],
  [0.15, [209, 229, 240]],
  [0.5, [103, 169, 207]],
  [1.0, [33, 102, 172]],
];

const LUT_SIZE = 256;

/** 256 RGBA colours (as little-endian uint32, ready for an ImageData's Uint32Array view)
 *  for values from −1 to +1. */
export const LUT32 = new Uint32Array(LUT_SIZE);
/** The same colours as CSS strings, for canvas fills. */
export const LUT_CSS = new Array(LUT_SIZE);

for (let k = 0; k < LUT_SIZE; k++) {
  const v = -1 + (2 * k) / (LUT_SIZE - 1);
  let s = 0;
  while (s < STOPS.length - 2 && v > STOPS[s + 1][0]) s++;
  const [v0, c0] = STOPS[s];
  const [v1, c1] = STOPS[s + 1];
  const t = Math.min(1, Math.max(0, (v - v0) / (v1 - v0)));
  const [r, g, b] = c0.map((c, i) => Math.round(c + t * (c1[i] - c)));
  LUT32[k] = (255 << 24) | (b << 16) | (g << 8) | r;
  LUT_CSS[k] = `rgb(${r},${g},${b})`;
}

/** The LUT index of a value on the −1…+1 scale (clamped; NaN maps to white). */
export function lutIndex(value) {
  if (!(value === value)) return LUT_SIZE >> 1;
  const v = value < -1 ? -1 : value > 1 ? 1 : value;
  return Math.round(((v + 1) / 2) * (LUT_SIZE - 1));
}

/** A CSS gradient of the scale, for legends. */
export function scaleGradientCss() {
  const parts = STOPS.map(([v, [r, g, b]]) => `rgb(${r},${g},${b}) ${((v + 1) * 50).toFixed(1)}%`);
  return `linear-gradient(to right, ${parts.join(', ')})`;
}

/** The engine's exact number, to `digits` significant digits (no exponent for ordinary sizes);
 *  "overflow" past f64's range and "—" for no number (NaN). */
export function fmt(value, digits = 4) {
  if (value === null || value === undefined) return '—';
  // Never NaN or Infinity on screen: a student reads "overflow" (the number outgrew f64) or a dash.
  if (Number.isNaN(value)) return '—';
  if (!Number.isFinite(value)) return value > 0 ? 'overflow' : '−overflow';
  if (value === 0) return '0';
  const abs = Math.abs(value);
  const text = abs >= 1e-4 && abs < 1e6 ? value.toPrecision(digits) : value.toExponential(digits - 1);
  return trimZeros(text).replace('-', '−');
}

/** Why `fmt` wrote no digits for `value` (a tooltip beside "overflow" or "—"), or '' for a
 *  number it wrote. */
export function fmtWhy(value) {
  if (value === null || value === undefined || Number.isNaN(value)) return 'No number here: it is not measured yet, or the step that would give it was refused.';
  if (!Number.isFinite(value)) return 'The number outgrew the largest a 64-bit float holds (about 1.8e308).';
  return '';
}

function trimZeros(text) {
  const [mantissa, exponent] = text.split('e');
  const m = mantissa.includes('.') ? mantissa.replace(/0+$/, '').replace(/\.$/, '') : mantissa;
  return exponent === undefined ? m : `${m}e${exponent}`;
}

/** 1234567 → "1,234,567". */
export function fmtInt(n) {
  return Math.round(n).toLocaleString('en-US');
}
