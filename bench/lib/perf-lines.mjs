// Self time by line of the crate's own source, from a `perf record` of the native bench:
// each sample's instruction address is resolved with `addr2line -i` through its whole chain
// of inlined calls, and charged to the innermost frame that lies in src/ (so the iterator and
// slice code the compiler inlined is charged to the line of ours that called it). Samples
// outside our code (libm's tanh, memcpy, the kernel) are charged to their function.
//
//   node bench/lib/perf-lines.mjs perf.data path/to/engine-binary [top=25]

import { execFileSync } from 'node:child_process';

const [data, binary, topArg] = process.argv.slice(2);
const top = Number(topArg) || 25;

// One line per sample: "ip sym+0xoff (dso)", mangled names so that nm can find them.
const script = execFileSync('perf', ['script', '-i', data, '-F', 'ip,sym,symoff,dso', '-G', '--no-demangle'], {
  encoding: 'utf8', maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'ignore'],
});
const symbols = new Map();
for (const line of execFileSync('nm', [binary], { encoding: 'utf8', maxBuffer: 1 << 28 }).split('\n')) {
  const [address, , name] = line.trim().split(/\s+/);
  if (name) symbols.set(name, BigInt(`0x${address}`));
}

const outside = new Map();
const addresses = new Map(); // file address (hex) → samples
let total = 0;
for (const line of script.split('\n')) {
  const m = /^\s*[0-9a-f]+\s+(\S+)\+0x([0-9a-f]+)\s+\((.*)\)\s*$/.exec(line);
  if (!m) continue;
  total++;
  const [, sym, off, dso] = m;
  const base = dso.includes(binary.split('/').pop()) ? symbols.get(sym) : undefined;
  if (base === undefined) {
    const name = `${sym.replace(/^_ZN.*$/, (s) => s)} (${dso.split('/').pop()})`;
    outside.set(name, (outside.get(name) ?? 0) + 1);
    continue;
  }
  const address = (base + BigInt(`0x${off}`)).toString(16);
  addresses.set(address, (addresses.get(address) ?? 0) + 1);
}

// addr2line -a -i: for each address, a header line "0x…", then (function, file:line) pairs
// from the innermost inlined frame outwards.
const list = [...addresses.keys()];
const resolved = execFileSync('addr2line', ['-a', '-i', '-f', '-C', '-e', binary, ...list.map((a) => `0x${a}`)], {
  encoding: 'utf8', maxBuffer: 1 << 28,
}).split('\n');
const ours = new Map();
let i = 0;
for (const address of list) {
  i++; // header
  const frames = [];
  while (i < resolved.length && !/^0x[0-9a-f]+$/.test(resolved[i]) && resolved[i] !== '') {
    frames.push({ fn: resolved[i], where: resolved[i + 1] ?? '' });
    i += 2;
  }
  const mine = frames.find((f) => /\/src\/[a-z_]+\.rs:\d+/.test(f.where) && !/\/rustc\/|\/library\/|\/\.cargo\//.test(f.where));
  const key = mine ? mine.where.replace(/^.*\/(src\/[a-z_]+\.rs:\d+).*$/, '$1') : `${frames.at(-1)?.fn ?? '?'} (no src line)`;
  const samples = addresses.get(address);
  ours.set(key, (ours.get(key) ?? 0) + samples);
}

const rows = [...ours, ...outside].sort((a, b) => b[1] - a[1]).slice(0, top);
for (const [key, samples] of rows) console.log(`${((100 * samples) / total).toFixed(1).padStart(6)}%  ${key}`);
