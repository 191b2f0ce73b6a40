#!/usr/bin/env bash
# Print raw and gzip -9 size of each file given (the build's wasm and JS glue).
set -euo pipefail
printf '%-36s %10s %10s\n' file bytes gzipped
for f in "$@"; do
  [ -f "$f" ] || continue
  printf '%-36s %10d %10d\n' "$f" "$(stat -c %s "$f")" "$(gzip -9c "$f" | wc -c)"
done
