// The benchmark workloads: deterministic data, network shapes and initial weights, shared by
// every system (the native bench reads them from the JSON file run.mjs writes, so native and
// wasm train on bit-identical numbers).
//
// Data: TensorFlow Playground's "circle" set (dataset.ts, classifyCircleData, noise 0):
// radius 5; half the points at r ~ U(0, 2.5) (class 1), half at r ~ U(3.5, 5) (class 0, the
// Playground's −1 mapped to a sigmoid target), angle ~ U(0, 2π), x = r·sin(angle),
// y = r·cos(angle). Then one seeded Fisher–Yates shuffle, so a fixed-order pass
// (`shuffle: false`) sees both classes in every batch.
//
// Initial weights: Xavier/Glorot uniform, w ~ U(−√(6/(in+out)), +√(6/(in+out))), biases 0.1
// (the Playground's bias start), all from one seeded mulberry32 stream.

/** mulberry32: a small 32-bit PRNG; the same seed gives the same stream everywhere. */
export function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const uniform = (random, lo, hi) => lo + (hi - lo) * random();

/** `n` circle points: { inputs: [x0, y0, x1, y1, …], targets: [t0, t1, …] } (flat, f64). */
export function circleData(n, seed = 42) {
  const random = mulberry32(seed);
  const radius = 5;
  const points = [];
  for (let i = 0; i < n; i++) {
    const inside = i < n / 2;
    const r = inside ? uniform(random, 0, radius * 0.5) : uniform(random, radius * 0.7, radius);
    const angle = uniform(random, 0, 2 * Math.PI);
    points.push([r * Math.sin(angle), r * Math.cos(angle), inside ? 1 : 0]);
  }
  for (let i = points.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [points[i], points[j]] = [points[j], points[i]];
  }
  return { inputs: points.flatMap((p) => [p[0], p[1]]), targets: points.map((p) => p[2]), n };
}

/**
 * A network: `sizes` = [inputs, hidden…, outputs], with `weights[l][j][i]` (layer l+1,
 * neuron j, input i) and `biases[l][j]`, plus the activations.
 */
export function network(sizes, { hidden = 'tanh', output = 'sigmoid', seed = 1 } = {}) {
  const random = mulberry32(seed);
  const weights = [];
  const biases = [];
  for (let l = 1; l < sizes.length; l++) {
    const [fanIn, fanOut] = [sizes[l - 1], sizes[l]];
    const r = Math.sqrt(6 / (fanIn + fanOut));
    weights.push(Array.from({ length: fanOut }, () => Array.from({ length: fanIn }, () => uniform(random, -r, r))));
    biases.push(new Array(fanOut).fill(0.1));
  }
  return { sizes, weights, biases, hidden, output };
}

/** Σ over layers of inputs × outputs: the multiply-adds of one sample's forward pass. */
export const macsPerSample = (sizes) => sizes.slice(1).reduce((sum, out, l) => sum + sizes[l] * out, 0);

/**
 * FLOP per training sample, counting each multiply-add as 2 FLOP:
 *   forward   2·Σ in·out                 (z = W·a + b)
 *   backward  4·Σ in·out                 (dL/dW += δ·aᵀ, and δ_prev = Wᵀ·δ, counted for every layer)
 * = 6·Σ in·out. Activations, the loss and the update (2 FLOP per parameter per batch) are not
 * counted, so GFLOP/s is a lower bound on the work done.
 */
export const flopPerSample = (sizes) => 6 * macsPerSample(sizes);

/** The hyper-parameters of the issue: plain SGD, η = 0.03, batch 10, ½ squared error, mean. */
export const TRAINING = { learningRate: 0.03, batchSize: 10 };

/** The engine's config for a network (weights given by hand, fixed data order). */
export function engineConfig(net, { batchSize = TRAINING.batchSize, learningRate = TRAINING.learningRate } = {}) {
  const last = net.sizes.length - 2;
  return {
    inputs: net.sizes[0],
    layers: net.weights.map((w, l) => ({
      units: net.sizes[l + 1],
      activation: l === last ? net.output : net.hidden,
      weights: w,
      biases: net.biases[l],
    })),
    loss: 'squared_error',
    reduction: 'mean',
    optimizer: { kind: 'sgd', learning_rate: learningRate },
    regularization: { kind: 'none', rate: 0 },
    batch_size: batchSize,
    shuffle: false,
    seed: 1,
  };
}

/** The two workloads of the issue. */
export function workloads() {
  const data = circleData(500);
  return [
    { id: 'W', label: 'W: 2→8→8→8→1', data, net: network([2, 8, 8, 8, 1]) },
    { id: 'W-large', label: 'W-large: 2→16×6→1', data, net: network([2, 16, 16, 16, 16, 16, 16, 1]) },
  ];
}

/** ½ Σ (y − a)² averaged over the data set, from a prediction function (f64 in JS). */
export function datasetLoss(predict, data) {
  let total = 0;
  for (let s = 0; s < data.n; s++) {
    const a = predict(data.inputs[2 * s], data.inputs[2 * s + 1]);
    total += 0.5 * (data.targets[s] - a) ** 2;
  }
  return total / data.n;
}
