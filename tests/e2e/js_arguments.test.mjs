// The engine as JS calls it (www/engine.js over the built www/pkg, in Node): the reproductions
// of issue 16. wasm-bindgen's u32 arguments wrapped `2**32` to 0 and read NaN and undefined
// as 0, `drawLossSeries` trapped on an overflowing sum of lengths, and a freed object said
// "null pointer passed to rust". Each call here is refused with a message naming the argument
// and its range (or the freed object), changes nothing, and leaves the instance usable.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { WWW_DIR } from './harness.mjs';
import { loadEngine, Engine, Session, DataSet, Buffer, drawLossSeries, view, isInternalError } from '../../www/engine.js';

await loadEngine(readFileSync(path.join(WWW_DIR, 'pkg', 'backprop_viz_bg.wasm')));

const XOR = {
  inputs: 2,
  layers: [{ units: 3, activation: 'tanh' }, { units: 1, activation: 'sigmoid' }],
  optimizer: { kind: 'sgd', learning_rate: 0.5 },
  batch_size: 4,
  seed: 1,
};

function xorEngine() {
  const engine = new Engine(XOR);
  engine.setData([0, 0, 0, 1, 1, 0, 1, 1], [0, 1, 1, 0]);
  return engine;
}

/** Asserts `call` throws an engine error (not a trap) whose message matches `message`. */
function refused(call, message) {
  assert.throws(call, (error) => {
    assert.ok(!isInternalError(error), `a trap, not a refusal: ${error}`);
    assert.equal(typeof error.kind, 'string');
    assert.match(error.message, message);
    return true;
  });
}

test('indices are whole numbers in range: undefined, NaN, 2**32 and -1 no longer write layer 0\'s first weight', () => {
  const engine = xorEngine();
  const first = () => view(engine, Buffer.Weights, 0)[0];
  const before = first();
  refused(() => engine.setWeight(undefined, undefined, undefined, 7), /^layer must be a whole number from 0 to 1, not undefined$/);
  refused(() => engine.setWeight(NaN, 0, 0, 7), /^layer must be a whole number from 0 to 1, not NaN$/);
  refused(() => engine.setWeight(2 ** 32, 0, 0, 9), /^layer must be a whole number from 0 to 1, not 4294967296$/);
  refused(() => engine.setWeight(-1, 0, 0, 9), /^layer must be a whole number from 0 to 1, not -1$/);
  refused(() => engine.setWeight(0, 0, 2 ** 32, 9), /^input must be a whole number from 0 to 1, not 4294967296$/);
  refused(() => engine.setWeight(null, 0, 0, 9), /not null$/);
  refused(() => engine.setWeight('0', 0, 0, 9), /not a string$/);
  refused(() => engine.setWeight(0.5, 0, 0, 9), /not 0\.5$/);
  assert.equal(first(), before);
  engine.setWeight(0, 0, 0, 7);
  assert.equal(first(), 7);

  const session = new Session();
  const weights = () => Array.from(view(session, Buffer.Weights, 0));
  const kept = weights();
  refused(() => session.setWeight(undefined, undefined, undefined, 7), /^layer must be a whole number/);
  refused(() => session.setWeight(2 ** 32, 0, 0, 9), /not 4294967296$/);
  refused(() => session.setBias(0, NaN, 9), /^neuron must be a whole number/);
  assert.deepEqual(weights(), kept);
});

test('counts are whole numbers: train(NaN) and train(2**32 + 3) are refused, not run as 0 and 3 steps', () => {
  const engine = xorEngine();
  refused(() => engine.train(NaN), /^steps must be a whole number from 0 to 10000000, not NaN$/);
  refused(() => engine.train(2 ** 32 + 3), /not 4294967299$/);
  refused(() => engine.train(undefined), /not undefined$/);
  refused(() => engine.train(2.5), /not 2\.5$/);
  assert.equal(engine.steps(), 0);
  engine.train(3);
  assert.equal(engine.steps(), 3);

  const session = new Session();
  refused(() => session.train(NaN), /^steps must be/);
  refused(() => session.train(2 ** 32 + 3), /not 4294967299$/);
  refused(() => session.setSample(2 ** 32), /^sample must be/);
  refused(() => session.gridInputs(-1, 1, -1, 1, 2 ** 32 + 16), /^the grid resolution must be a whole number from 2 to 512/);
  assert.equal(session.steps(), 0);
  // Optional arguments: undefined leaves them out, anything else must be a whole number.
  session.reset();
  session.reset(5);
  refused(() => session.reset(-1), /^seed must be/);
  refused(() => session.reset(null), /^seed must be .* not null$/);
  session.loadLesson('xor');
  refused(() => session.loadLesson('xor', 0.5), /^variant must be/);
  session.train(2);
  assert.equal(session.steps(), 2);
});

test('drawLossSeries refuses lengths that overflow or exceed the points given, and the instance stays usable', () => {
  refused(() => drawLossSeries({}, Uint32Array.of(2 ** 31, 2 ** 31), new Float64Array(0), new Float64Array(0),
    Uint32Array.of(0, 0), false, 1), /^the length of series 0 must be a whole number from 0 to 0, not 2147483648$/);
  refused(() => drawLossSeries({}, [NaN], Float64Array.of(0), Float64Array.of(1), [0], false, 1), /not NaN$/);
  refused(() => drawLossSeries({}, Uint32Array.of(1, 1), Float64Array.of(0, 1), Float64Array.of(1, 1), [0, 2 ** 32], false, 1),
    /^the style of series 1 must be/);
  const engine = xorEngine();
  engine.train(5);
  assert.equal(engine.steps(), 5);
});

test('a freed engine, session or data set says so (not "null pointer passed to rust"), and freeing twice is harmless', () => {
  const engine = xorEngine();
  engine.free();
  assert.throws(() => engine.train(1), { message: 'this engine was freed', kind: 'freed' });
  assert.throws(() => engine.exportModel(), { message: 'this engine was freed' });
  engine.free();

  const fromModel = Engine.fromModel(xorEngine().exportModel());
  fromModel.free();
  assert.throws(() => fromModel.steps(), { message: 'this engine was freed' });

  const session = new Session();
  session.free();
  assert.throws(() => session.train(1), { message: 'this session was freed', kind: 'freed' });

  const data = DataSet.generate({ problem: 'xor' });
  data.free();
  assert.throws(() => data.len(false), { message: 'this data set was freed' });
  const user = xorEngine();
  assert.throws(() => user.useData(data), { message: 'this data set was freed', kind: 'freed' });
  user.train(1);
  assert.equal(user.steps(), 1);
});

test('free() from inside one of the object\'s own calls waits for the call to end (wasm-bindgen would leak it)', () => {
  const session = new Session();
  let inside;
  // serde reads the patch's fields, so this getter runs while Rust holds the session.
  const result = session.apply({
    get lr() {
      session.free();
      assert.throws(() => session.learningRate(), { message: 'this session was freed', kind: 'freed' });
      inside = 'freed';
      return 0.1;
    },
  });
  assert.equal(inside, 'freed');
  assert.deepEqual(result.changed, ['settings'], 'the call itself finishes');
  assert.equal(session.__wbg_ptr, 0, 'freed once the call returned');
  assert.throws(() => session.train(1), { message: 'this session was freed' });
  session.free();
  const next = new Session();
  next.train(1);
});

test('200,000 features are refused, the largest grid still builds, and a new engine works afterwards', () => {
  const data = DataSet.generate({ problem: 'circle', points: 200 });
  refused(() => data.setFeatures(Array(200000).fill('x1')), /feature/);
  assert.deepEqual(data.features(), ['x1', 'x2']);
  assert.equal(data.gridInputs(-6, 6, -6, 6, 512).length, 512 * 512 * 2);
  refused(() => data.gridInputs(-6, 6, -6, 6, 513), /^the grid resolution must be a whole number from 2 to 512, not 513$/);
  const engine = new Engine({ ...XOR, layers: [{ units: 3, activation: 'tanh' }, { units: 1, activation: 'sigmoid' }] });
  engine.useData(data);
  engine.train(10);
  assert.equal(engine.steps(), 10);
});
