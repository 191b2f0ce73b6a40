// The benchmark workloads: deterministic data, network shapes and initial weights, shared by
// every system (the native bench reads them from the JSON file run.mjs writes, so native and
// wasm train on bit-identical numbers; the digits it reads from the file itself, through the
// crate's own parser, which also checks the reader here).
//
// Data: TensorFlow Playground's "circle" set (dataset.ts, classifyCircleData, noise 0):
// radius 5; half the points at r ~ U(0, 2.5) (class 1), half at r ~ U(3.5, 5) (class 0, the
// Playground's −1 mapped to a sigmoid target), angle ~ U(0, 2π), x = r·sin(angle),
// y = r·cos(angle). Then one seeded Fisher–Yates shuffle, so a fixed-order pass
// (`shuffle: false`) sees both classes in every batch.
//
// Digits: the 1,797 8×8 images of www/data/digits.bin (format: src/digits.rs) in file order,
// x = pixel / 16, one-hot targets over the 10 classes.
//
// Initial weights: Xavier/Glorot uniform, w ~ U(−√(6/(in+out)), +√(6/(in+out))), biases 0.1
// (the Playground's bias start), all from one seeded mulberry32 stream.

import { readFileSync } from 'node:fs';

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

// Every data set: { n, inputWidth, targetWidth, inputs (n × inputWidth), targets (n × targetWidth) }, flat, f64.

/** `n` circle points: inputs [x0, y0, x1, y1, …], targets [t0, t1, …]. */
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
  return { inputs: points.flatMap((p) => [p[0], p[1]]), targets: points.map((p) => p[2]), n, inputWidth: 2, targetWidth: 1 };
}

const DIGITS_FILE = new URL('../../www/data/digits.bin', import.meta.url);

/** FNV-1a, 32 bits: the digits file's checksum of everything after its header. */
function fnv1a32(bytes) {
  let hash = 0x811c9dc5;
  for (const b of bytes) hash = Math.imul(hash ^ b, 0x01000193) >>> 0;
  return hash;
}

/** Every image of a digits file (src/digits.rs: a 20-byte header, one label byte per image,
 *  then `bits`-bit pixels, least significant bit first), in file order: inputs pixel / max
 *  value (64 in [0, 1], row by row), one-hot targets, and the labels. */
export function digitsData(bytes = readFileSync(DIGITS_FILE)) {
  const [width, height, bits, maxValue, classes] = bytes.subarray(9, 14);
  const n = bytes[14] | (bytes[15] << 8);
  const perImage = width * height;
  const pixelBytes = Math.ceil((n * perImage * bits) / 8);
  const hash = (bytes[16] | (bytes[17] << 8) | (bytes[18] << 16) | (bytes[19] << 24)) >>> 0;
  if (String.fromCharCode(...bytes.subarray(0, 8)) !== 'BPVDIGIT' || bytes[8] !== 1
    || bytes.length !== 20 + n + pixelBytes || fnv1a32(bytes.subarray(20)) !== hash) {
    throw new Error(`${DIGITS_FILE.pathname} is not a good version-1 digits file`);
  }
  const labels = bytes.subarray(20, 20 + n);
  const packed = bytes.subarray(20 + n);
  const mask = (1 << bits) - 1;
  const inputs = new Float64Array(n * perImage);
  for (let k = 0; k < inputs.length; k++) {
    const bit = k * bits;
    const pair = packed[bit >> 3] | ((packed[(bit >> 3) + 1] ?? 0) << 8); // a pixel spans ≤ 2 bytes
    inputs[k] = ((pair >> (bit & 7)) & mask) / maxValue;
  }
  const targets = new Float64Array(n * classes);
  labels.forEach((label, s) => { targets[s * classes + label] = 1; });
  return { n, inputWidth: perImage, targetWidth: classes, inputs, targets, labels: Array.from(labels) };
}

/**
 * A network: `sizes` = [inputs, hidden…, outputs], with `weights[l][j][i]` (layer l+1,
 * neuron j, input i) and `biases[l][j]`, plus the activations and the loss (the engine's names).
 */
export function network(sizes, { hidden = 'tanh', output = 'sigmoid', loss = 'squared_error', seed = 1 } = {}) {
  const random = mulberry32(seed);
  const weights = [];
  const biases = [];
  for (let l = 1; l < sizes.length; l++) {
    const [fanIn, fanOut] = [sizes[l - 1], sizes[l]];
    const r = Math.sqrt(6 / (fanIn + fanOut));
    weights.push(Array.from({ length: fanOut }, () => Array.from({ length: fanIn }, () => uniform(random, -r, r))));
    biases.push(new Array(fanOut).fill(0.1));
  }
  return { sizes, weights, biases, hidden, output, loss };
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

/** The hyper-parameters of W and W-large (issue 5): plain SGD, η = 0.03, batch 10, mean over the batch. */
export const TRAINING = { learningRate: 0.03, batchSize: 10 };
/** The digits' (issue 11): plain SGD, η = 0.1, batch 10 (the last batch of an epoch holds 7), mean. */
export const DIGITS_TRAINING = { learningRate: 0.1, batchSize: 10 };

/** η and batch size for a workload: those of `options` where given, else the workload's, else TRAINING. */
export const trainingOf = (w, { batchSize, learningRate, momentum } = {}) => ({
  batchSize: batchSize ?? w.training?.batchSize ?? TRAINING.batchSize,
  learningRate: learningRate ?? w.training?.learningRate ?? TRAINING.learningRate,
  momentum,
});

/**
 * The digits-cnn lesson's network (issue 12, src/presets.rs): input 1×8×8 → convolution 3×3,
 * 8 channels, valid, relu (8 maps of 6×6) → max pooling 2 (8 × 3×3) → flatten (72) → dense 10,
 * softmax; softmax cross-entropy. A share link writes it
 * `layers=conv2d-k3-c8-valid:relu,pool2d-max-2:identity,flatten:identity,10:softmax&shape=1x8x8`.
 * Initial weights Xavier-uniform from mulberry32 `seed`, as `network` draws them: the kernels
 * first (fan-in C_in·k² = 9, fan-out C_out·k² = 72; one row of 9 per output channel, the
 * engine's layout), then the dense layer (72 → 10); biases 0.1. `layers` are the engine's own
 * layer configs, so `engineConfig` passes them through.
 */
export function convNetwork({ channels = 8, kernel = 3, pool = 2, classes = 10, side = 8, seed = 1 } = {}) {
  const random = mulberry32(seed);
  const xavier = (rows, cols, fanIn, fanOut) => {
    const r = Math.sqrt(6 / (fanIn + fanOut));
    return Array.from({ length: rows }, () => Array.from({ length: cols }, () => uniform(random, -r, r)));
  };
  const mapSide = side - kernel + 1; // valid padding
  const pooledSide = Math.floor(mapSide / pool);
  const flat = channels * pooledSide * pooledSide;
  const kernels = xavier(channels, kernel * kernel, kernel * kernel, channels * kernel * kernel);
  const dense = xavier(classes, flat, flat, classes);
  const layers = [
    {
      activation: 'relu',
      kind: { type: 'convolution', dimensions: 'two', kernel_size: kernel, channels, padding: 'valid' },
      weights: kernels,
      biases: new Array(channels).fill(0.1),
    },
    { activation: 'identity', kind: { type: 'pooling', dimensions: 'two', pool: 'max', size: pool } },
    { activation: 'identity', kind: { type: 'flatten' } },
    { units: classes, activation: 'softmax', weights: dense, biases: new Array(classes).fill(0.1) },
  ];
  // Multiply-adds of one forward pass: every output position of every map reads k² inputs;
  // pooling and flatten have none.
  const macs = channels * mapSide * mapSide * kernel * kernel + flat * classes;
  return {
    inputs: side * side,
    inputShape: { channels: 1, height: side, width: side },
    layers,
    loss: 'softmax_cross_entropy',
    output: 'softmax',
    macs,
    label: `1×${side}×${side} → conv ${kernel}×${kernel}×${channels} valid relu → max pool ${pool} → flatten ${flat} → ${classes} softmax`,
  };
}

/** The engine's config for a network (weights given by hand, fixed data order). */
/** `momentum`: μ of the momentum optimizer (plain SGD when not given). */
export function engineConfig(net, { batchSize = TRAINING.batchSize, learningRate = TRAINING.learningRate, momentum } = {}) {
  const training = {
    loss: net.loss,
    reduction: 'mean',
    optimizer: momentum === undefined ? { kind: 'sgd', learning_rate: learningRate } : { kind: 'momentum', learning_rate: learningRate, momentum },
    regularization: { kind: 'none', rate: 0 },
    batch_size: batchSize,
    shuffle: false,
    seed: 1,
  };
  // A network of layer kinds (convNetwork): its layer configs as they are.
  if (net.layers) return { inputs: net.inputs, input_shape: net.inputShape, layers: net.layers, ...training };
  const last = net.sizes.length - 2;
  return {
    inputs: net.sizes[0],
    layers: net.weights.map((w, l) => ({
      units: net.sizes[l + 1],
      activation: l === last ? net.output : net.hidden,
      weights: w,
      biases: net.biases[l],
    })),
    ...training,
  };
}

/**
 * The workloads: W and W-large (issue 5), run by every system; digits (issue 11), run by the
 * engine and the hand-written JS (`systems`: the JS systems that take it; native always does).
 */
export function workloads() {
  const data = circleData(500);
  return [
    { id: 'W', label: 'W: 2→8→8→8→1', data, net: network([2, 8, 8, 8, 1]), training: TRAINING },
    { id: 'W-large', label: 'W-large: 2→16×6→1', data, net: network([2, 16, 16, 16, 16, 16, 16, 1]), training: TRAINING },
    // Issue 15's third target: 64 wide, 4 hidden layers.
    { id: 'W-64x4', label: 'W-64x4: 2→64×4→1', data, net: network([2, 64, 64, 64, 64, 1]), training: TRAINING, systems: ['wasm', 'hand', 'brain'] },
    {
      id: 'digits',
      label: 'digits: 64→32→10',
      data: digitsData(),
      net: network([64, 32, 10], { output: 'softmax', loss: 'softmax_cross_entropy' }),
      training: DIGITS_TRAINING,
      source: 'digits',
      systems: ['wasm', 'hand'],
    },
  ];
}

/**
 * `n` sequences of `steps` random bits (mulberry32 `seed`) and their running parity: x_t is
 * bit t (0 or 1), y_t the parity of bits 1 … t (0 or 1). Flat: sequence after sequence, T
 * values each, for inputs and for targets.
 */
export function parityData(n = 256, steps = 16, seed = 7) {
  const random = mulberry32(seed);
  const inputs = new Array(n * steps);
  const targets = new Array(n * steps);
  for (let s = 0; s < n; s++) {
    let parity = 0;
    for (let t = 0; t < steps; t++) {
      const bit = random() < 0.5 ? 0 : 1;
      parity ^= bit;
      inputs[s * steps + t] = bit;
      targets[s * steps + t] = parity;
    }
  }
  return { n, steps, inputWidth: 1, targetWidth: 1, inputs, targets };
}

/**
 * The recurrent workload's settings: the Elman layer of `src/layers/recurrent.rs` (benches/engine.rs
 * `RecurrentJob`) and the same layer in `Network` (`LayerKind::Recurrent`), 1 → 16 hidden, tanh,
 * a linear readout at every step, T = 16, ½ squared error at every step summed over the steps,
 * plain SGD η = 0.01, one sequence per update. Initial weights U(±`init_limit`) from mulberry32
 * `seed` (`recurrentWeights`), biases 0, given to both paths by hand.
 */
export const RECURRENT = {
  inputs: 1, hidden: 16, outputs: 1, steps: 16, activation: 'tanh', loss_at: 'every_step',
  learning_rate: 0.01, init_limit: 0.25, seed: 1,
};
/** The recurrent workload's training in `Network`: one sequence per update, as the layer's own loop. */
export const RECURRENT_TRAINING = { learningRate: RECURRENT.learning_rate, batchSize: 1 };

/** Multiply-adds of one sequence's forward pass: per step W_x·x + W_h·h + V·h. */
export const recurrentMacs = ({ inputs, hidden, outputs, steps }) => steps * hidden * (inputs + hidden + outputs);

/**
 * Initial weights of the Elman layer, drawn as `Recurrent::randomize` draws them (W_x, then W_h,
 * then V, row by row, each U(−limit, +limit)) but from mulberry32 `seed`, so that JS can give
 * them to `Network` too: flat, row-major, `weights_input` hidden × inputs, `weights_hidden`
 * hidden × hidden, `readout_weights` outputs × hidden (benches/engine.rs `GivenWeights`).
 */
export function recurrentWeights({ inputs, hidden, outputs, init_limit: limit, seed } = RECURRENT) {
  const random = mulberry32(seed);
  const draw = (n) => Array.from({ length: n }, () => uniform(random, -limit, limit));
  return { weights_input: draw(hidden * inputs), weights_hidden: draw(hidden * hidden), readout_weights: draw(outputs * hidden) };
}

/**
 * The same Elman layer as a `Network` config's layers (README.md, "### Layer kinds"): the input
 * a 1-D signal of `inputs` channels over T = `steps` steps (the width), a recurrent layer that
 * returns its sequence (row j of its weights: W_x's row j, then W_h's), and a 1-D convolution of
 * kernel size 1 as the output layer, ŷ_t = V·h_t + c at every step (one row of `hidden` numbers
 * per output channel), so the loss scores every step; `squared_error` is ½ Σ over the T outputs.
 * The weights are `recurrentWeights`; `engineConfig` passes the layers through.
 */
export function recurrentNetwork(r = RECURRENT, weights = recurrentWeights(r)) {
  const { inputs, hidden, outputs, steps } = r;
  const row = (flat, width, j) => flat.slice(j * width, (j + 1) * width);
  const layers = [
    {
      units: hidden,
      activation: r.activation,
      kind: { type: 'recurrent', returns: 'sequence' },
      weights: Array.from({ length: hidden }, (_, j) => [...row(weights.weights_input, inputs, j), ...row(weights.weights_hidden, hidden, j)]),
      biases: new Array(hidden).fill(0),
    },
    {
      activation: 'identity',
      kind: { type: 'convolution', dimensions: 'one', kernel_size: 1, channels: outputs, padding: 'valid' },
      weights: Array.from({ length: outputs }, (_, o) => row(weights.readout_weights, hidden, o)),
      biases: new Array(outputs).fill(0),
    },
  ];
  return {
    inputs: inputs * steps,
    inputShape: { channels: inputs, height: 1, width: steps },
    layers,
    loss: 'squared_error',
    output: 'identity',
    label: `${inputs}×1×${steps} → recurrent ${hidden} ${r.activation}, sequence → conv1d k1 ${outputs}, identity`,
  };
}

/**
 * The workloads of the layer kinds (issue 12), measured in a round-robin of their own (the
 * hand-written JS and the libraries do not take them): digits-cnn (the engine, wasm and native;
 * the same data, η and batch as `digits`, so the two compare like with like), and recurrent
 * (the Elman layer in `Network`, wasm and native, and natively also the self-contained layer of
 * `layers::recurrent`, all three from the same weights). `flop`: 6 × the forward
 * multiply-adds, the dense workloads' convention.
 */
export function layerKindWorkloads() {
  const cnn = convNetwork();
  const weights = recurrentWeights(RECURRENT);
  const { init_limit: _limit, seed: _seed, ...layer } = RECURRENT; // the given weights replace them
  return [
    {
      id: 'digits-cnn',
      label: `digits-cnn: ${cnn.label}`,
      data: digitsData(),
      net: cnn,
      flop: 6 * cnn.macs,
      training: DIGITS_TRAINING,
      source: 'digits',
    },
    {
      id: 'recurrent',
      label: `recurrent: Elman, T = ${RECURRENT.steps}, ${RECURRENT.inputs}→${RECURRENT.hidden}→${RECURRENT.outputs}, ${RECURRENT.activation}`,
      data: parityData(256, RECURRENT.steps),
      // The self-contained layer's job (native only), with the weights given by hand …
      recurrent: { ...layer, weights },
      // … and the same layer, weights and training in Network (wasm and native).
      net: recurrentNetwork(RECURRENT, weights),
      training: RECURRENT_TRAINING,
      flop: 6 * recurrentMacs(RECURRENT),
    },
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
