// The JavaScript-side systems under test, behind one small interface:
//
//   const sys = SYSTEMS.wasm;                 // { name, precision, semantics }
//   const run = await sys.create(workload, options);
//   await run.trainEpochs(e);                 // e passes over the data (timed by the caller)
//   run.loss();                               // the workload's loss over the data set (f64 in JS):
//                                             // ½·mean squared error, or mean cross-entropy (digits)
//
// Every system starts from the workload's own initial weights and biases and sees the data in
// the same fixed order, with the workload's η and batch size (`w.training`). Where a library cannot do what the workload says, `semantics` says what
// it does instead; run.mjs prints that next to its numbers.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { HandMlp } from './hand.mjs';
import { datasetLoss, engineConfig, TRAINING, trainingOf } from './workloads.mjs';

const require = createRequire(import.meta.url);
const ROOT = new URL('../../', import.meta.url);

// ---------------------------------------------------------------- this engine, wasm in Node
let engineModule = null;
async function loadWasmEngine() {
  if (!engineModule) {
    engineModule = await import(new URL('www/engine.js', ROOT));
    await engineModule.loadEngine(readFileSync(new URL('www/pkg/backprop_viz_bg.wasm', ROOT)));
  }
  return engineModule;
}

const wasm = {
  id: 'wasm',
  name: 'engine (wasm, Node)',
  precision: 'f64',
  semantics: 'as specified',
  async create(w, { batchSize, learningRate, momentum, hidden, output } = {}) {
    const { Engine } = await loadWasmEngine();
    const net = { ...w.net, hidden: hidden ?? w.net.hidden, output: output ?? w.net.output };
    const engine = new Engine(engineConfig(net, trainingOf(w, { batchSize, learningRate, momentum })));
    engine.setData(w.data.inputs, w.data.targets);
    const stepsPerEpoch = engine.stepsPerEpoch();
    return {
      trainEpochs(e) {
        engine.train(stepsPerEpoch * e);
      },
      loss: () => engine.datasetLoss(false),
      free: () => engine.free(),
    };
  },
};

// ---------------------------------------------------------------- hand-written JS, Float64Array
// The baseline of issue 15: what a good JS programmer writes by hand (lib/hand.mjs), f64.
const hand = {
  id: 'hand',
  name: 'hand-written JS (Float64Array)',
  precision: 'f64',
  semantics: 'as specified',
  async create(w, options = {}) {
    const mlp = new HandMlp(w.net, w.data, trainingOf(w, options));
    return {
      trainEpochs: (e) => mlp.trainEpochs(e),
      loss: () => mlp.loss(),
      free() {},
    };
  },
};

// ---------------------------------------------------------------- brain.js 2.0.0-beta.24
// brain.js's NeuralNetwork trains online: one update per sample (no mini-batches), with
// momentum (validation refuses 0, so we pass 1e-300: its term then vanishes in f32), error
// y − a so the update is plain gradient descent on ½(y − a)², and ONE activation for every
// layer including the output (we use tanh, the hidden layers' activation). Weights are
// Float32Array. Set by hand after initialize(): weights[l][j][i], biases[l][j], l ≥ 1.
/** brain.js's momentum: the smallest it accepts, whose term vanishes (in f32, and in the
 *  engine's f64 too, so the like-for-like engine row trains with momentum μ = 1e-300 and pays
 *  for the velocity it keeps, as brain.js does, while both still compute plain SGD). */
export const BRAIN_MOMENTUM = 1e-300;

const brain = {
  id: 'brain',
  name: 'brain.js 2.0.0-beta.24',
  precision: 'f32',
  semantics: 'per-sample updates (no batch), output tanh (one activation for all layers)',
  async create(w, { learningRate = TRAINING.learningRate } = {}) {
    const { NeuralNetwork } = require('brain.js');
    const sizes = w.net.sizes;
    const net = new NeuralNetwork({
      inputSize: sizes[0],
      hiddenLayers: sizes.slice(1, -1),
      outputSize: sizes.at(-1),
      activation: 'tanh',
    });
    net.initialize();
    for (let l = 1; l < sizes.length; l++) {
      net.weights[l] = w.net.weights[l - 1].map((row) => Float32Array.from(row));
      net.biases[l] = Float32Array.from(w.net.biases[l - 1]);
    }
    const data = [];
    for (let s = 0; s < w.data.n; s++) {
      data.push({ input: [w.data.inputs[2 * s], w.data.inputs[2 * s + 1]], output: [w.data.targets[s]] });
    }
    const opts = { learningRate, momentum: BRAIN_MOMENTUM, errorThresh: 1e-300, log: false, activation: 'tanh' };
    return {
      trainEpochs(e) {
        const status = net.train(data, { ...opts, iterations: e });
        if (status.iterations !== e) throw new Error(`brain.js stopped after ${status.iterations} of ${e} iterations`);
      },
      loss: () => datasetLoss((x, y) => net.run([x, y])[0], w.data),
      free() {},
    };
  },
};

// ---------------------------------------------------------------- convnetjs 0.3.0
// Built layer by layer (makeLayers would insert an extra fc before the regression layer):
// input → (fc → tanh)… → fc → sigmoid → regression. RegressionLayer's gradient is a − y, i.e.
// of ½(y − a)²; the Trainer sums gradients over batch_size samples, divides by batch_size and
// updates once per batch (vanilla SGD when momentum is 0). Float64Array throughout.
const convnet = {
  id: 'convnet',
  name: 'convnetjs 0.3.0',
  precision: 'f64',
  semantics: 'as specified',
  async create(w, { batchSize = TRAINING.batchSize, learningRate = TRAINING.learningRate } = {}) {
    const cj = require('convnetjs');
    const sizes = w.net.sizes;
    const at = (depth) => ({ in_sx: 1, in_sy: 1, in_depth: depth });
    const layers = [new cj.InputLayer({ out_sx: 1, out_sy: 1, out_depth: sizes[0] })];
    for (let l = 1; l < sizes.length; l++) {
      const fc = new cj.FullyConnLayer({ num_neurons: sizes[l], ...at(sizes[l - 1]) });
      w.net.weights[l - 1].forEach((row, j) => fc.filters[j].w.set(row));
      fc.biases.w.set(w.net.biases[l - 1]);
      layers.push(fc);
      const last = l === sizes.length - 1;
      const activation = last ? w.net.output : w.net.hidden;
      if (activation !== 'tanh' && activation !== 'sigmoid') throw new Error(`convnetjs adapter: no ${activation}`);
      layers.push(activation === 'tanh' ? new cj.TanhLayer(at(sizes[l])) : new cj.SigmoidLayer(at(sizes[l])));
    }
    layers.push(new cj.RegressionLayer(at(sizes.at(-1))));
    const net = new cj.Net();
    net.layers = layers;
    const trainer = new cj.Trainer(net, { method: 'sgd', learning_rate: learningRate, momentum: 0, batch_size: batchSize, l2_decay: 0, l1_decay: 0 });
    const xs = [];
    const ys = [];
    for (let s = 0; s < w.data.n; s++) {
      xs.push(new cj.Vol([w.data.inputs[2 * s], w.data.inputs[2 * s + 1]]));
      ys.push([w.data.targets[s]]);
    }
    if (w.data.n % batchSize !== 0) throw new Error('convnetjs adapter: batches must not straddle epochs');
    return {
      trainEpochs(e) {
        for (let epoch = 0; epoch < e; epoch++) {
          for (let s = 0; s < xs.length; s++) trainer.train(xs[s], ys[s]);
        }
      },
      loss: () => datasetLoss((x, y) => net.forward(new cj.Vol([x, y]), false).w[0], w.data),
      free() {},
    };
  },
};

// ---------------------------------------------------------------- TensorFlow.js 4.22.0, cpu
// tfjs-layers Sequential of dense layers, model.fit(batchSize 10, shuffle false), plain SGD,
// loss ½·Σ(y − a)² per sample (tfjs's meanSquaredError has no ½), mean over the batch. The
// cpu backend computes in float32 only. Kernels are [in, out], the transpose of ours.
let tfLoaded = null;
async function loadTf() {
  tfLoaded ??= (async () => {
    const tf = await import('@tensorflow/tfjs-core');
    tf.env().set('PROD', true); // production mode: no "install tfjs-node" banner, no debug checks
    await import('@tensorflow/tfjs-backend-cpu');
    const tfl = await import('@tensorflow/tfjs-layers');
    await tf.setBackend('cpu');
    await tf.ready();
    return { tf, tfl };
  })();
  return tfLoaded;
}

const tfjs = {
  id: 'tfjs',
  name: 'tfjs-layers 4.22.0 (cpu)',
  precision: 'f32',
  semantics: 'as specified',
  async create(w, { batchSize = TRAINING.batchSize, learningRate = TRAINING.learningRate } = {}) {
    const { tf, tfl } = await loadTf();
    const sizes = w.net.sizes;
    const model = tfl.sequential();
    for (let l = 1; l < sizes.length; l++) {
      model.add(tfl.layers.dense({
        units: sizes[l],
        activation: l === sizes.length - 1 ? w.net.output : w.net.hidden,
        inputShape: l === 1 ? [sizes[0]] : undefined,
        kernelInitializer: 'zeros',
      }));
    }
    const weights = [];
    for (let l = 1; l < sizes.length; l++) {
      const rows = w.net.weights[l - 1];
      const kernel = [];
      for (let i = 0; i < sizes[l - 1]; i++) kernel.push(rows.map((row) => row[i]));
      weights.push(tf.tensor2d(kernel), tf.tensor1d(w.net.biases[l - 1]));
    }
    model.setWeights(weights);
    weights.forEach((t) => t.dispose());
    const halfSquaredError = (yTrue, yPred) => tf.tidy(() => tf.mul(0.5, tf.sum(tf.square(tf.sub(yTrue, yPred)), -1)));
    model.compile({ optimizer: tf.train.sgd(learningRate), loss: halfSquaredError });
    const xs = tf.tensor2d(w.data.inputs, [w.data.n, sizes[0]]);
    const ys = tf.tensor2d(w.data.targets, [w.data.n, 1]);
    return {
      async trainEpochs(e) {
        await model.fit(xs, ys, { batchSize, epochs: e, shuffle: false, verbose: 0 });
      },
      loss() {
        const out = tf.tidy(() => model.predict(xs).dataSync());
        let i = 0;
        return datasetLoss(() => out[i++], w.data);
      },
      free() {
        xs.dispose();
        ys.dispose();
        model.dispose();
      },
    };
  },
};

// ---------------------------------------------------------------- tfjs-core, own training loop
// The same maths without tfjs-layers' fit() machinery: variables W [in, out] and b, and per
// batch optimizer.minimize(½·mean over the batch of Σ(y − a)²) with tf.train.sgd. Batches are
// sliced once up front. Float32 (cpu backend).
const tfcore = {
  id: 'tfcore',
  name: 'tfjs-core 4.22.0 (cpu), own loop',
  precision: 'f32',
  semantics: 'as specified',
  async create(w, { batchSize = TRAINING.batchSize, learningRate = TRAINING.learningRate } = {}) {
    const { tf } = await loadTf();
    const sizes = w.net.sizes;
    const kernels = [];
    const biases = [];
    for (let l = 1; l < sizes.length; l++) {
      const rows = w.net.weights[l - 1];
      const kernel = [];
      for (let i = 0; i < sizes[l - 1]; i++) kernel.push(rows.map((row) => row[i]));
      kernels.push(tf.variable(tf.tensor2d(kernel)));
      biases.push(tf.variable(tf.tensor1d(w.net.biases[l - 1])));
    }
    const last = sizes.length - 2;
    const activate = (z, l) => {
      const f = l === last ? w.net.output : w.net.hidden;
      return f === 'tanh' ? tf.tanh(z) : tf.sigmoid(z);
    };
    const forward = (x) => kernels.reduce((a, k, l) => activate(tf.add(tf.matMul(a, k), biases[l]), l), x);
    const optimizer = tf.train.sgd(learningRate);
    const xs = tf.tensor2d(w.data.inputs, [w.data.n, sizes[0]]);
    const ys = tf.tensor2d(w.data.targets, [w.data.n, 1]);
    const batches = [];
    for (let start = 0; start < w.data.n; start += batchSize) {
      const size = Math.min(batchSize, w.data.n - start);
      batches.push([tf.slice(xs, [start, 0], [size, sizes[0]]), tf.slice(ys, [start, 0], [size, 1])]);
    }
    return {
      trainEpochs(e) {
        for (let epoch = 0; epoch < e; epoch++) {
          for (const [x, y] of batches) {
            optimizer.minimize(() => tf.mean(tf.mul(0.5, tf.sum(tf.square(tf.sub(y, forward(x))), -1))));
          }
        }
      },
      loss() {
        const out = tf.tidy(() => forward(xs).dataSync());
        let i = 0;
        return datasetLoss(() => out[i++], w.data);
      },
      free() {
        batches.flat().forEach((t) => t.dispose());
        [xs, ys, ...kernels, ...biases].forEach((t) => t.dispose());
        optimizer.dispose();
      },
    };
  },
};

// ---------------------------------------------------------------- convnetjs 0.3.0, digits-cnn
// The digits-cnn network (workloads.mjs convNetwork) in convnetjs's own layers: conv 3×3, 8
// filters, stride 1, pad 0, relu → pool 2, stride 2 (max) → fc 10 → softmax; sgd, momentum 0,
// no decay. convnetjs stores a volume as (y, x, depth), depth fastest, where the engine keeps
// maps channel-major: a kernel of one input channel reads alike (row y, column x), but the
// dense layer's inputs are permuted, engine input c·H·W + y·W + x = convnetjs (y·W + x)·C + c.
// convnetjs updates every batch_size samples counted across calls, so the last 7 digits of an
// epoch (1,797 = 179 × 10 + 7) are made a batch of their own, as the engine makes them.
export const convnetCnn = {
  id: 'convnet',
  name: 'convnetjs 0.3.0',
  precision: 'f64',
  semantics: 'as specified',
  async create(w) {
    const cj = require('convnetjs');
    const { batchSize, learningRate } = trainingOf(w);
    const [conv, pool, , dense] = w.net.layers;
    const { channels: filters, kernel_size: k } = conv.kind;
    const { height: side } = w.net.inputShape;
    const mapSide = side - k + 1;
    const pooled = Math.floor(mapSide / pool.kind.size);
    const convLayer = new cj.ConvLayer({ in_sx: side, in_sy: side, in_depth: 1, sx: k, filters, stride: 1, pad: 0 });
    conv.weights.forEach((row, o) => convLayer.filters[o].w.set(row));
    convLayer.biases.w.set(conv.biases);
    const fc = new cj.FullyConnLayer({ num_neurons: dense.units, in_sx: pooled, in_sy: pooled, in_depth: filters });
    const area = pooled * pooled;
    dense.weights.forEach((row, j) => row.forEach((weight, n) => {
      const [c, position] = [Math.floor(n / area), n % area];
      fc.filters[j].w[position * filters + c] = weight;
    }));
    fc.biases.w.set(dense.biases);
    const net = new cj.Net();
    net.layers = [
      new cj.InputLayer({ out_sx: side, out_sy: side, out_depth: 1 }),
      convLayer,
      new cj.ReluLayer({ in_sx: mapSide, in_sy: mapSide, in_depth: filters }),
      new cj.PoolLayer({ in_sx: mapSide, in_sy: mapSide, in_depth: filters, sx: pool.kind.size, stride: pool.kind.size }),
      fc,
      new cj.SoftmaxLayer({ in_sx: 1, in_sy: 1, in_depth: dense.units }),
    ];
    const trainer = new cj.Trainer(net, { method: 'sgd', learning_rate: learningRate, momentum: 0, batch_size: batchSize, l2_decay: 0, l1_decay: 0 });
    const perImage = side * side;
    const xs = [];
    for (let s = 0; s < w.data.n; s++) {
      const x = new cj.Vol(side, side, 1, 0.0);
      x.w.set(w.data.inputs.subarray(s * perImage, (s + 1) * perImage));
      xs.push(x);
    }
    const labels = w.data.labels;
    const whole = w.data.n - (w.data.n % batchSize);
    return {
      trainEpochs(e) {
        for (let epoch = 0; epoch < e; epoch++) {
          for (let s = 0; s < whole; s++) trainer.train(xs[s], labels[s]);
          if (whole === w.data.n) continue;
          // The epoch's last, short batch: convnetjs divides by batch_size, so make it that long.
          trainer.k = 0;
          trainer.batch_size = w.data.n - whole;
          for (let s = whole; s < w.data.n; s++) trainer.train(xs[s], labels[s]);
          trainer.k = 0;
          trainer.batch_size = batchSize;
        }
      },
      // Mean cross-entropy over the data set, −log p of the true class.
      loss() {
        let total = 0;
        for (let s = 0; s < w.data.n; s++) total -= Math.log(net.forward(xs[s], false).w[labels[s]]);
        return total / w.data.n;
      },
      free() {},
    };
  },
};

export const SYSTEMS = { wasm, hand, brain, convnet, tfjs, tfcore };

/** Installed versions (read from bench/node_modules), and whether brain.js could reach a GPU. */
export function installed() {
  const version = (name) => {
    try {
      return JSON.parse(readFileSync(new URL(`../node_modules/${name}/package.json`, import.meta.url), 'utf8')).version;
    } catch {
      return 'not installed';
    }
  };
  const names = ['brain.js', 'gpu.js', 'convnetjs', '@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-cpu', '@tensorflow/tfjs-layers'];
  const versions = Object.fromEntries(names.map((n) => [n, version(n)]));
  let gpu = 'unknown';
  try {
    const { GPU, HeadlessGLKernel } = require('gpu.js');
    gpu = `gpu.js mode "${new GPU().mode}", headless-gl supported: ${HeadlessGLKernel.isSupported}`;
  } catch (error) {
    gpu = `gpu.js not loadable: ${error.message}`;
  }
  return { versions, gpu };
}
