#!/usr/bin/env bash
# Where the engine spends its time, on the W and W-large workloads (issue 5):
#   native: perf record of the release bench binary built with line tables, reported by
#           function and by source line (needs `perf`; run as root or with perf_event_paranoid ≤ 1);
#   wasm:   V8's sampling profiler (node --cpu-prof) on the engine in Node, self time by function,
#           on a copy of the wasm built like `make build` but with its function names kept (-g).
# Usage: bash bench/profile.sh   (after `make build`; writes into bench/out/profile/)
# The line-table build goes to its own target dir, so it never disturbs `make bench`'s build.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=bench/out/profile
mkdir -p "$OUT"
# Line numbers below refer to the sources as they are now; a copy is kept beside the profile.
echo "profile: sources at $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git status --porcelain src 2>/dev/null | grep -q . && echo ' + uncommitted changes in src/'), $(date -u +%H:%M) UTC (copied to $OUT/src)"
rm -rf "$OUT/src" && cp -r src "$OUT/src"

node --input-type=module -e "
import { writeFileSync } from 'node:fs';
import { workloads, engineConfig } from './bench/lib/workloads.mjs';
for (const w of workloads()) {
  const job = { name: w.id, config: engineConfig(w.net), inputs: w.data.inputs, targets: w.data.targets,
                warmup_epochs: 5, epochs_per_run: 0, target_seconds: 2, runs: 1 };
  writeFileSync('$OUT/jobs-' + w.id + '.json', JSON.stringify([job]));
}"

if command -v perf >/dev/null 2>&1; then
  echo "profile: building the native bench with line tables (target/profile-bench, once ~1 min)"
  bin=$(CARGO_PROFILE_RELEASE_DEBUG=line-tables-only CARGO_TARGET_DIR=target/profile-bench \
        cargo build --release --manifest-path "${BENCH_CARGO_MANIFEST:-Cargo.toml}" --bench engine --message-format=json 2>/dev/null \
        | node -e "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>{for(const l of s.split('\n')){try{const m=JSON.parse(l);if(m.executable&&m.target?.name==='engine')console.log(m.executable)}catch{}}})")
  for w in W W-large; do
    perf record -q -F 4999 -g -o "$OUT/perf-$w.data" "$bin" --jobs "$OUT/jobs-$w.json" --out /dev/null 2>/dev/null
    echo; echo "== native $w: self time by function"
    perf report -i "$OUT/perf-$w.data" --no-children --sort symbol --stdio 2>/dev/null | grep -E '^ +[0-9.]+%' | head -10 || true
    echo "== native $w: self time by line of src/ (inlined std code charged to the line of ours that called it)"
    node bench/lib/perf-lines.mjs "$OUT/perf-$w.data" "$bin" 25
  done
else
  echo "profile: perf not found, skipping the native profile"
fi

# A copy of the page's wasm that keeps its function names: the same cargo build and wasm-opt
# flags as `make build`, plus -g (wasm-opt drops the name section otherwise).
echo "profile: wasm with function names (bench/out/profile/pkg)"
cargo build --quiet --release --target wasm32-unknown-unknown --lib
wasm-bindgen --target web --out-dir "$OUT/pkg" target/wasm32-unknown-unknown/release/backprop_viz.wasm
flags=$(make -s --no-print-directory --eval='print-%: ; @echo $($*)' print-WASM_OPT_FLAGS)
node_modules/.bin/wasm-opt $flags -g -o "$OUT/pkg/named.wasm" "$OUT/pkg/backprop_viz_bg.wasm"
cat > "$OUT/wasm-profile.mjs" <<'EOF'
import { readFileSync } from 'node:fs';
import { initSync, Engine } from './pkg/backprop_viz.js';
import { workloads, engineConfig } from '../../lib/workloads.mjs';
initSync({ module: readFileSync(new URL('./pkg/named.wasm', import.meta.url)) });
const w = workloads().find((x) => x.id === process.argv[2]);
const engine = new Engine(engineConfig(w.net));
engine.setData(w.data.inputs, w.data.targets);
const start = performance.now();
while (performance.now() - start < 3000) engine.train(10 * engine.stepsPerEpoch());
EOF
cat > "$OUT/cpuprofile-top.mjs" <<'EOF'
import { readFileSync, readdirSync } from 'node:fs';
const dir = process.argv[2];
const p = JSON.parse(readFileSync(`${dir}/${readdirSync(dir).find((f) => f.endsWith('.cpuprofile'))}`, 'utf8'));
const nodes = new Map(p.nodes.map((n) => [n.id, n]));
const self = new Map();
let total = 0;
p.samples.forEach((id, i) => {
  const name = nodes.get(id).callFrame.functionName || '(anonymous)';
  const us = p.timeDeltas[i] ?? 0;
  self.set(name, (self.get(name) ?? 0) + us);
  total += us;
});
[...self].sort((a, b) => b[1] - a[1]).slice(0, 12)
  .forEach(([name, us]) => console.log(`${((100 * us) / total).toFixed(1).padStart(6)}%  ${name.replace(/::h[0-9a-f]{16}$/, '')}`));
EOF
for w in W W-large; do
  rm -rf "$OUT/cpu-$w"
  node --cpu-prof --cpu-prof-dir="$OUT/cpu-$w" "$OUT/wasm-profile.mjs" "$w"
  echo; echo "== wasm (Node) $w: self time by function"
  node "$OUT/cpuprofile-top.mjs" "$OUT/cpu-$w"
done
