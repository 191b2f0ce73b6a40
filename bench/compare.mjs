// Before and after in one run: this tree's engine (wasm) against another tree's build of it
// (e.g. an earlier commit, built into its own www/pkg) and the hand-written JS, timed
// round-robin in this one Node process on CPU time (and the wall clock), on the workloads of
// lib/workloads.mjs (their batch size, or --batch N).
//
//   node bench/compare.mjs --baseline /path/to/other/tree [--runs N] [--only W,W-large]
//
// Prints per workload the samples per CPU second of each and the ratios (medians of per-round ratios).

import { readFileSync } from 'node:fs';
import os from 'node:os';
import v8 from 'node:v8';
import vm from 'node:vm';
import { HandMlp } from './lib/hand.mjs';
import { median, ratio, table } from './lib/report.mjs';
import { engineConfig, trainingOf, workloads } from './lib/workloads.mjs';

const args = process.argv.slice(2);
const option = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const RUNS = Number(option('--runs', 11));
const BASELINE = option('--baseline', null);
const ONLY = option('--only', null)?.split(',');
const BATCH = option('--batch', undefined) && Number(option('--batch'));
const TARGET_S = 0.2;

v8.setFlagsFromString('--expose-gc');
const collectGarbage = vm.runInNewContext('gc');

async function loadEngine(root) {
  const module = await import(new URL('www/engine.js', root));
  await module.loadEngine(readFileSync(new URL('www/pkg/backprop_viz_bg.wasm', root)));
  return module;
}

function engineRun(module, w) {
  const engine = new module.Engine(engineConfig(w.net, trainingOf(w, { batchSize: BATCH })));
  engine.setData(w.data.inputs, w.data.targets);
  const steps = engine.stepsPerEpoch();
  return { trainEpochs: (e) => engine.train(steps * e), free: () => engine.free() };
}

function time(run, epochs) {
  collectGarbage();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  run.trainEpochs(epochs);
  const wall = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return { wall, cpu: (cpu.user + cpu.system) / 1e6 };
}

function calibrate(run) {
  let epochs = 1;
  for (let spent = 0; ; ) {
    const { cpu } = time(run, epochs);
    spent += cpu;
    if (spent > 0.4 && cpu > 0.02) return Math.max(1, Math.ceil((TARGET_S / cpu) * epochs));
    if (cpu < 0.02) epochs *= 2;
  }
}

const here = new URL('../', import.meta.url);
const systems = [['engine', await loadEngine(here)]];
if (BASELINE) systems.push(['baseline', await loadEngine(new URL(`file://${BASELINE.replace(/\/?$/, '/')}`))]);
console.log(`${new Date().toISOString()}  ${os.cpus()[0]?.model}, ${os.cpus().length} cores, load ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
console.log(`baseline: ${BASELINE ?? '(none)'}; ${RUNS} rounds, runs of ≈ ${TARGET_S * 1000} ms CPU; batch ${BATCH ?? 'of the workload'}`);
const rows = [];
for (const w of workloads().filter((w) => !ONLY || ONLY.includes(w.id))) {
  const entries = systems.map(([name, module]) => ({ name, run: engineRun(module, w) }));
  const mlp = new HandMlp(w.net, w.data, trainingOf(w, { batchSize: BATCH }));
  entries.push({ name: 'hand', run: { trainEpochs: (e) => mlp.trainEpochs(e), free() {} } });
  for (const e of entries) {
    e.epochs = calibrate(e.run);
    e.cpu = [];
    e.wall = [];
  }
  for (let r = 0; r < RUNS; r++) {
    for (let k = 0; k < entries.length; k++) {
      const e = entries[(k + r) % entries.length];
      const { cpu, wall } = time(e.run, e.epochs);
      e.cpu.push((w.data.n * e.epochs) / cpu);
      e.wall.push((w.data.n * e.epochs) / wall);
    }
  }
  const by = Object.fromEntries(entries.map((e) => [e.name, e]));
  const over = (a, b, key) => median(a[key].map((x, i) => x / b[key][i]));
  rows.push([
    w.id,
    ...entries.map((e) => String(Math.round(median(e.cpu)))),
    ratio(over(by.engine, by.hand, 'cpu')),
    ratio(over(by.engine, by.hand, 'wall')),
    ...(by.baseline ? [ratio(over(by.baseline, by.hand, 'cpu')), ratio(over(by.engine, by.baseline, 'cpu'))] : []),
  ]);
  entries.forEach((e) => e.run.free());
}
console.log(table(
  [
    { title: 'workload', align: 'left' }, ...systems.map(([n]) => ({ title: `${n} samples/CPU s` })), { title: 'hand samples/CPU s' },
    { title: 'engine÷hand (CPU)' }, { title: 'engine÷hand (wall)' },
    ...(BASELINE ? [{ title: 'baseline÷hand (CPU)' }, { title: 'engine÷baseline (CPU)' }] : []),
  ],
  rows,
).join('\n'));
console.log(`load at end ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
