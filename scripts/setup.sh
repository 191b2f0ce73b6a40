#!/usr/bin/env bash
# Idempotent install of everything the build and the tests need beyond
# rustup/cargo, Node/npm and python3 (see shared/TOOLCHAIN.md).
# One line per check; each step is skipped when already satisfied.
set -euo pipefail
cd "$(dirname "$0")/.."

CARGO_BIN="${CARGO_HOME:-$HOME/.cargo}/bin"
case ":$PATH:" in *":$CARGO_BIN:"*) ;; *) export PATH="$CARGO_BIN:$PATH" ;; esac

say() { printf 'setup: %-24s %s\n' "$1" "$2"; }

# Run a command as root: directly when we are root (CI), else through sudo.
as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else echo "setup: need root (or sudo) to run: $*" >&2; exit 1
  fi
}

# 0. Tools the image is expected to have: report them, install python3 if missing.
for t in cargo node npm; do
  command -v "$t" >/dev/null 2>&1 || { echo "setup: $t not found on PATH" >&2; exit 1; }
done
say "node" "$(node --version)"
if command -v python3 >/dev/null 2>&1; then
  say "python3" "ok ($(python3 --version 2>&1 | awk '{print $2}'))"
else
  say "python3" "installing (apt)"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3
fi

# 0b. venv with pip for the notebook widget's test (Debian splits it into python3-venv).
if python3 -c 'import ensurepip, venv' >/dev/null 2>&1; then
  say "python3 venv" "ok"
else
  say "python3 venv" "installing python3-venv (apt)"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3-venv
fi

# 1. Rust target for the wasm build.
if rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "wasm32 target" "ok"
else
  say "wasm32 target" "installing"
  rustup target add wasm32-unknown-unknown
fi

# 2. wasm-bindgen CLI: must equal the wasm-bindgen crate in Cargo.lock exactly.
want="$(cargo pkgid wasm-bindgen | sed 's/.*@//')"
have_bg="$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)"
have_tr="$(wasm-bindgen-test-runner --version 2>/dev/null | awk '{print $2}' || true)"
if [ "$have_bg" = "$want" ] && [ "$have_tr" = "$want" ]; then
  say "wasm-bindgen-cli" "ok ($want)"
else
  say "wasm-bindgen-cli" "installing $want (have: ${have_bg:-none}); takes ~5 min once"
  # --locked fails on this registry mirror (a locked dependency is newer
  # than the registry holds): try it first, fall back to a plain install.
  cargo install wasm-bindgen-cli --version "$want" --locked \
    || cargo install wasm-bindgen-cli --version "$want"
  got="$(wasm-bindgen --version | awk '{print $2}')"
  [ "$got" = "$want" ] || { echo "setup: wasm-bindgen is $got after install, want $want (PATH?)" >&2; exit 1; }
fi

# 3. Debian's Chromium + chromedriver (end-to-end tests, wasm browser tests).
if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
  say "chromium" "ok"
else
  say "chromium" "installing chromium chromium-driver (apt)"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium chromium-driver
fi

# 4. node_modules (playwright-core, binaryen's wasm-opt) exactly as package-lock.json says.
# A stamp holding the lock file's hash tells whether `npm ci` already ran for it.
stamp=node_modules/.setup-lock.sha256
lock_hash="$(sha256sum package.json package-lock.json | sha256sum | cut -d' ' -f1)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$lock_hash" ] && [ -x node_modules/.bin/wasm-opt ]; then
  say "node_modules" "ok"
else
  say "node_modules" "npm ci"
  npm ci --no-audit --no-fund
  echo "$lock_hash" > "$stamp"
fi
