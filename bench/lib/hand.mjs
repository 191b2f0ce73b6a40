// The hand-written baseline: a multilayer perceptron trained in plain JavaScript on
// Float64Array, the way a careful JS programmer writes one without a library: flat row-major
// weights per layer, loops over whole layers with the activation chosen outside the loop, the
// data read in place, nothing allocated while training. The same maths as the engine:
//
//   forward   z = W·a_prev + b (Σ in input order, then + b), a = f(z): tanh, sigmoid, or
//             softmax over the output row (after subtracting its largest z)
//   loss      squared error ½·Σ(y − a)², or softmax cross-entropy −Σ y·ln a; mean over the batch
//   backward  output δ = dL/dz = (a − y) ⊙ f'(z) (squared error), a − y (softmax + cross-entropy);
//             hidden δ = (W_nextᵀ·δ_next) ⊙ f'(z), with tanh' = 1 − a², σ' = a·(1 − a);
//             dL/dW = mean over the batch of δ·a_prevᵀ, dL/db = mean of δ
//   update    plain SGD once per batch: w ← w − η·dL/dw
//
// Batches take the samples in order; an epoch's last batch may be short (as in the engine).

const TANH = 0;
const SIGMOID = 1;
const SOFTMAX = 2;
const ACTIVATIONS = { tanh: TANH, sigmoid: SIGMOID, softmax: SOFTMAX };

/** a = f(z) in place over `rows` rows of `units`. */
function activate(kind, a, rows, units) {
  const count = rows * units;
  if (kind === TANH) {
    for (let k = 0; k < count; k++) a[k] = Math.tanh(a[k]);
  } else if (kind === SIGMOID) {
    for (let k = 0; k < count; k++) a[k] = 1 / (1 + Math.exp(-a[k]));
  } else {
    for (let row = 0; row < count; row += units) {
      let max = -Infinity;
      for (let j = row; j < row + units; j++) if (a[j] > max) max = a[j];
      let sum = 0;
      for (let j = row; j < row + units; j++) {
        a[j] = Math.exp(a[j] - max);
        sum += a[j];
      }
      for (let j = row; j < row + units; j++) a[j] /= sum;
    }
  }
}

/** δ ← δ ⊙ f'(z), f' from the activation a (tanh or sigmoid), over `count` values. */
function timesDerivative(kind, delta, a, count) {
  if (kind === TANH) {
    for (let k = 0; k < count; k++) delta[k] *= 1 - a[k] * a[k];
  } else {
    for (let k = 0; k < count; k++) delta[k] *= a[k] * (1 - a[k]);
  }
}

/** z = W·x + b for `rows` samples, x read from `input` at `offset` (row after row). */
function forwardLayer(layer, input, offset, rows) {
  const { nIn, nOut, weights, biases, activations } = layer;
  for (let s = 0; s < rows; s++) {
    const x = offset + s * nIn;
    const out = s * nOut;
    for (let j = 0; j < nOut; j++) {
      const row = j * nIn;
      let sum = 0;
      for (let i = 0; i < nIn; i++) sum += weights[row + i] * input[x + i];
      activations[out + j] = sum + biases[j];
    }
  }
  activate(layer.kind, activations, rows, nOut);
}

export class HandMlp {
  /**
   * `net`: sizes, weights[l][j][i], biases[l][j], hidden and output activations, loss
   * ('squared_error' or 'softmax_cross_entropy', the latter with a softmax output) as in
   * workloads.mjs; `data`: { n, inputs, targets } flat; plain SGD with `learningRate`, `batchSize`.
   */
  constructor(net, data, { learningRate, batchSize }) {
    const last = net.sizes.length - 2;
    const softmaxOut = net.output === 'softmax';
    if (softmaxOut !== (net.loss === 'softmax_cross_entropy') || (net.loss !== 'squared_error' && !softmaxOut)) {
      throw new Error(`hand-written JS: ${net.loss} with a ${net.output} output is not written`);
    }
    this.layers = net.weights.map((w, l) => {
      const [nIn, nOut] = [net.sizes[l], net.sizes[l + 1]];
      const name = l === last ? net.output : net.hidden;
      const kind = ACTIVATIONS[name];
      if (kind === undefined || (kind === SOFTMAX && l !== last)) throw new Error(`hand-written JS: no ${name} layer ${l + 1}`);
      return {
        nIn,
        nOut,
        kind,
        weights: Float64Array.from(w.flat()),
        biases: Float64Array.from(net.biases[l]),
        gradWeights: new Float64Array(nOut * nIn),
        gradBiases: new Float64Array(nOut),
        activations: new Float64Array(batchSize * nOut),
        delta: new Float64Array(batchSize * nOut),
      };
    });
    this.crossEntropy = softmaxOut;
    this.inputs = Float64Array.from(data.inputs);
    this.targets = Float64Array.from(data.targets);
    this.n = data.n;
    this.learningRate = learningRate;
    this.batchSize = batchSize;
  }

  /** The forward pass of samples start … start + rows − 1; the output is the last layer's activations. */
  forward(start, rows) {
    const { layers } = this;
    forwardLayer(layers[0], this.inputs, start * layers[0].nIn, rows);
    for (let l = 1; l < layers.length; l++) forwardLayer(layers[l], layers[l - 1].activations, 0, rows);
  }

  /** One SGD step on samples start … start + rows − 1. */
  trainBatch(start, rows) {
    this.forward(start, rows);
    const { layers, targets } = this;
    const output = layers.at(-1);
    const count = rows * output.nOut;
    const y0 = start * output.nOut;
    // Output layer: dL/dz = a − y (softmax + cross-entropy), or (a − y) ⊙ f'(z) (squared error).
    for (let k = 0; k < count; k++) output.delta[k] = output.activations[k] - targets[y0 + k];
    if (!this.crossEntropy) timesDerivative(output.kind, output.delta, output.activations, count);
    const step = this.learningRate / rows;
    for (let l = layers.length - 1; l >= 0; l--) {
      const layer = layers[l];
      const { nIn, nOut, weights, biases, gradWeights, gradBiases, delta } = layer;
      // The layer below's δ first, while W still holds this step's weights:
      // dL/da_j = Σ_k w_kj·δ_k, then dL/dz_j = dL/da_j · f'(z_j).
      if (l > 0) {
        const below = layers[l - 1];
        const d = below.delta;
        d.fill(0, 0, rows * nIn);
        for (let s = 0; s < rows; s++) {
          const base = s * nIn;
          for (let k = 0; k < nOut; k++) {
            const dk = delta[s * nOut + k];
            const row = k * nIn;
            for (let j = 0; j < nIn; j++) d[base + j] += weights[row + j] * dk;
          }
        }
        timesDerivative(below.kind, d, below.activations, rows * nIn);
      }
      // dL/dw_ji = Σ_s δ_j·a_prev_i, dL/db_j = Σ_s δ_j (the mean's 1/rows is in `step`).
      const input = l === 0 ? this.inputs : layers[l - 1].activations;
      const offset = l === 0 ? start * nIn : 0;
      gradWeights.fill(0);
      gradBiases.fill(0);
      for (let s = 0; s < rows; s++) {
        const x = offset + s * nIn;
        for (let j = 0; j < nOut; j++) {
          const dj = delta[s * nOut + j];
          const row = j * nIn;
          for (let i = 0; i < nIn; i++) gradWeights[row + i] += dj * input[x + i];
          gradBiases[j] += dj;
        }
      }
      for (let k = 0; k < weights.length; k++) weights[k] -= step * gradWeights[k];
      for (let j = 0; j < nOut; j++) biases[j] -= step * gradBiases[j];
    }
  }

  /** `epochs` passes over the data in order, one SGD step per batch. */
  trainEpochs(epochs) {
    for (let e = 0; e < epochs; e++) {
      for (let start = 0; start < this.n; start += this.batchSize) this.trainBatch(start, Math.min(this.batchSize, this.n - start));
    }
  }

  /** The loss over the whole data set, mean over the samples (f64). */
  loss() {
    const { targets } = this;
    const output = this.layers.at(-1);
    let total = 0;
    for (let start = 0; start < this.n; start += this.batchSize) {
      const rows = Math.min(this.batchSize, this.n - start);
      this.forward(start, rows);
      const a = output.activations;
      const y0 = start * output.nOut;
      for (let k = 0; k < rows * output.nOut; k++) {
        const y = targets[y0 + k];
        if (this.crossEntropy) total -= y === 0 ? 0 : y * Math.log(a[k]);
        else total += 0.5 * (y - a[k]) ** 2;
      }
    }
    return total / this.n;
  }
}
