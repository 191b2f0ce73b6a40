// The README's API example (examples/train_xor.mjs) must run in Node and print what the README says.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

const root = new URL('../../', import.meta.url);

test('the README example runs in Node and trains XOR', () => {
  const output = execFileSync(process.execPath, ['examples/train_xor.mjs'], { cwd: root, encoding: 'utf8' });
  const lines = output.trim().split('\n');
  assert.deepEqual(lines.slice(0, 6).map((line) => line.split(':')[0]),
    ['forward 0', 'forward 1', 'loss', 'backward 1', 'backward 0', 'update']);
  assert.match(output, /L = 0\.12996607693964185/);
  const loss = Number(output.match(/loss after 2001 steps: (\S+)/)[1]);
  assert.ok(loss < 0.01, `loss ${loss}`);
  assert.match(output, /refused: invalid network settings: the learning rate must be a number above 0 and at most 100, not -1/);
});

test('the README shows the example as it is in examples/train_xor.mjs', () => {
  const readme = readFileSync(new URL('README.md', root), 'utf8');
  const example = readFileSync(new URL('examples/train_xor.mjs', root), 'utf8');
  // Everything but the two header comment lines, which say how to run the file.
  const body = example.split('\n').slice(2).join('\n').trim();
  assert.ok(readme.includes(body), 'README.md and examples/train_xor.mjs have drifted apart');
});
