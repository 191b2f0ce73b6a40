// Train XOR with the wasm engine in Node: `make build`, then `node examples/train_xor.mjs`.
// The same calls work in the browser (there, call loadEngine() with no argument).
import { readFileSync } from 'node:fs';
import { loadEngine, Engine, Buffer, view } from '../www/engine.js';

await loadEngine(readFileSync(new URL('../www/pkg/backprop_viz_bg.wasm', import.meta.url)));

const engine = new Engine({
  inputs: 2,
  layers: [
    { units: 3, activation: 'tanh' },     // layer 1 (hidden)
    { units: 1, activation: 'sigmoid' },  // layer 2 (output)
  ],
  loss: 'squared_error',
  optimizer: { kind: 'sgd', learning_rate: 0.5 },
  batch_size: 4,
  seed: 1,
});
engine.setData([0, 0, 0, 1, 1, 0, 1, 1], [0, 1, 1, 0]); // rows of x, then rows of y

// One training step, one phase at a time.
for (let i = 0; i < engine.phasesPerStep(); i++) {
  const phase = engine.stepPhase(); // { kind: 'forward' | 'loss' | 'backward' | 'update', layer? }
  const layer = phase.layer === undefined ? '' : ` ${phase.layer}`;
  console.log(phase.kind + layer + (phase.kind === 'loss' ? `: L = ${engine.loss()}` : ''));
}

// The chain rule for the weight from input 0 to hidden neuron 1, on sample 2 of the batch.
const rule = engine.chainRule(0, 1, 0, 2);
console.log(`dL/dw = δ · a_prev = ${rule.delta} × ${rule.a_prev} = ${rule.sample_gradient}`);

// Train fast, then read the weights through a view over wasm memory (no copy).
engine.train(2000);
console.log(`loss after ${engine.steps()} steps: ${engine.datasetLoss(false)}`);
console.log('layer 1 weights:', Array.from(view(engine, Buffer.Weights, 0), (w) => w.toFixed(3)).join(' '));

// Bad input throws an Error that says what is wrong.
try {
  engine.setLearningRate(-1);
} catch (error) {
  console.log(`refused: ${error.message}`);
}
