// The data the network learns from, made by the engine's DataSet (src/wasm_data.rs):
// generated problems, a CSV file, points drawn by hand, or a lesson's exact samples.
//
// A data object is what every view reads:
//   { name, label, set (DataSet or null), kind: 'classification' | 'regression' | 'samples',
//     classes, dims, inputs (the network's input width), outputs, domain [lo, hi] (both axes),
//     yDomain [lo, hi] (1-D curves), train {x, y}, test {x, y} (raw coordinates and labels),
//     grid(x0, x1, y0, y1, n) → the network inputs of an n × n grid (top row first) }
// The raw points are plotted; `grid` and the engine see them through features and scaling.

import { DataSet } from './engine.js';

/** Built-in problems: name → {label, kind}. The names are the engine's (and the link's). */
export const PROBLEMS = {
  circle: { label: 'Circle', kind: 'classification' },
  xor: { label: 'XOR (the 4 points)', kind: 'classification' },
  noisy_xor: { label: 'XOR, noisy', kind: 'classification' },
  gaussians: { label: 'Two Gaussians', kind: 'classification' },
  spiral: { label: 'Spiral (2 classes)', kind: 'classification' },
  spiral3: { label: 'Spiral (3 classes)', kind: 'classification' },
  moons: { label: 'Moons', kind: 'classification' },
  checkerboard: { label: 'Checkerboard', kind: 'classification' },
  sine: { label: 'Sine (1 input, regression)', kind: 'regression' },
  polynomial: { label: 'Polynomial (1 input, regression)', kind: 'regression' },
  plane: { label: 'Plane (regression)', kind: 'regression' },
};

/** Input features: engine name → label. */
export const FEATURES = [
  ['x1', 'x₁'], ['x2', 'x₂'], ['x1_squared', 'x₁²'], ['x2_squared', 'x₂²'],
  ['x1_x2', 'x₁·x₂'], ['sin_x1', 'sin x₁'], ['sin_x2', 'sin x₂'],
];
export const SCALINGS = ['none', 'standardize', 'min_max'];

/** Up to this many points when drawing by hand or loading a file (the engine's limit is higher). */
export const MAX_POINTS = 5000;

/** Generates the settings' problem; throws the engine's error in words. */
export function generateData(s) {
  const set = DataSet.generate({ problem: s.dataset, points: s.points, noise: s.noise, test_ratio: s.testRatio, seed: s.dataSeed });
  return wrapSet(set, s.dataset, PROBLEMS[s.dataset]?.label ?? s.dataset, s);
}

/** Parses a CSV file's text into a data set (throws, naming the line, if it is malformed). */
export function csvData(text, options, name, s) {
  const set = DataSet.fromCsv(text, options, s.testRatio, s.dataSeed);
  return wrapSet(set, 'custom', name, s);
}

/** Points given as arrays (a link's, or drawn ones) as a data set: the first `train` of them
 *  for training when `train` is given (a link keeps who was in which set), else split like a CSV file. */
export function pointsData(points, name, s) {
  const { dims, classes, coords, labels, train } = points;
  if (Number.isInteger(train)) {
    const set = DataSet.fromPoints(dims, classes, Float64Array.from(coords), Float64Array.from(labels), train);
    return { ...wrapSet(set, 'custom', name, s), points: { dims, classes, coords: Array.from(coords), labels: Array.from(labels) } };
  }
  const header = [...Array.from({ length: dims }, (_, d) => `x${d + 1}`), 'label'].join(',');
  const rows = labels.map((label, p) => [...coords.slice(p * dims, (p + 1) * dims), label].map(exact).join(','));
  const text = [header, ...rows].join('\n');
  const set = DataSet.fromCsv(text, { header: true, task: classes > 0 ? 'classification' : 'regression' }, s.testRatio, s.dataSeed);
  // `points` in their order before the split: a link carries them so as to split them the same way.
  return { ...wrapSet(set, 'custom', name, s), points: { dims, classes, coords: Array.from(coords), labels: Array.from(labels) } };
}

/** Shortest text that reads back as the same f64. */
function exact(x) {
  return String(x);
}

/** Applies features and scaling to a DataSet and describes it for the views. Frees `set` on failure. */
export function wrapSet(set, name, label, s) {
  try {
    const dims = set.dims();
    if (dims <= 2) set.setFeatures(s.features.filter((f) => dims === 2 || !f.includes('x2')));
    set.setScaling(s.scaling);
    return describe(set, name, label);
  } catch (error) {
    set.free();
    throw error;
  }
}

/** Re-reads a DataSet after a change (a drawn point, new features or scaling). */
export function describe(set, name, label) {
  const classes = set.classes();
  const dims = set.dims();
  const train = { x: set.coords(false), y: set.labels(false) };
  const test = { x: set.coords(true), y: set.labels(true) };
  const [domain, yDomain] = domains(set, name, dims, train, test);
  return {
    name,
    label,
    set,
    kind: classes > 0 ? 'classification' : 'regression',
    classes,
    dims,
    inputs: set.inputWidth(),
    outputs: classes > 2 ? classes : 1,
    features: set.features(),
    domain,
    yDomain,
    train,
    test,
    grid: (x0, x1, y0, y1, n) => set.gridInputs(x0, x1, y0, y1, n),
  };
}

function domains(set, name, dims, train, test) {
  if (name !== 'custom' && name !== 'xor') {
    const y = dims === 1 ? padded(minMax([...train.y, ...test.y]), 0.15) : [-6, 6];
    return [[-6, 6], y];
  }
  const bounds = set.bounds();
  const lo = Math.min(...bounds.slice(0, Math.min(2, dims)).map((b) => b[0]));
  const hi = Math.max(...bounds.slice(0, Math.min(2, dims)).map((b) => b[1]));
  const domain = padded([lo, hi], 0.2);
  const y = dims === 1 ? padded(minMax([...train.y, ...test.y]), 0.15) : domain;
  return [domain, y];
}

function minMax(values) {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return Number.isFinite(lo) ? [lo, hi] : [-1, 1];
}

function padded([lo, hi], share) {
  const span = hi - lo > 1e-9 ? hi - lo : Math.max(1, Math.abs(lo));
  return [roundNice(lo - share * span), roundNice(hi + share * span)];
}

function roundNice(x) {
  return Number(x.toPrecision(2));
}

/** A lesson's exact samples (no DataSet): the points are plotted when they have 1 or 2 inputs. */
export function samplesData(samples, inputs, outputs, label) {
  const rows = samples.targets.length / outputs;
  const x = samples.inputs;
  const y = Array.from({ length: rows }, (_, r) => samples.targets[r * outputs]);
  const binary = outputs === 1 && y.every((v) => v === 0 || v === 1) && inputs === 2;
  const values = x.length ? minMax(x) : [0, 1];
  const domain = padded([Math.min(0, values[0]), Math.max(1, values[1])], 0.25);
  return {
    name: 'samples',
    label,
    set: null,
    samples,
    kind: binary ? 'classification' : 'samples',
    classes: binary ? 2 : 0,
    dims: inputs,
    inputs,
    outputs,
    features: inputs === 1 ? ['x1'] : ['x1', 'x2'],
    domain,
    yDomain: padded(minMax([0, 1, ...y]), 0.15),
    train: { x: Array.from(x), y },
    test: { x: [], y: [] },
    grid(x0, x1, y0, y1, n) {
      const step = (lo, hi, i) => lo + ((hi - lo) * i) / (n - 1);
      if (inputs === 1) return Float64Array.from({ length: n }, (_, i) => step(x0, x1, i));
      const out = new Float64Array(n * n * inputs);
      for (let row = 0; row < n; row++) {
        for (let col = 0; col < n; col++) {
          out[(row * n + col) * inputs] = step(x0, x1, col);
          out[(row * n + col) * inputs + 1] = step(y1, y0, row);
        }
      }
      return out;
    },
  };
}

/** Puts a data object's training (and test) rows into an engine. */
export function loadInto(engine, data) {
  if (data.set) {
    engine.useData(data.set);
  } else {
    engine.setData(data.samples.inputs, data.samples.targets);
  }
}
