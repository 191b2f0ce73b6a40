# backprop-viz: build, serve and test pipeline.
# Versions and the reasons behind them: ../shared/TOOLCHAIN.md (the shared folder beside this repository).
#   make setup   idempotent installs (wasm32 target, wasm-bindgen-cli, chromium, node_modules)
#   make build   wasm build -> www/pkg (wasm-bindgen --target web, then wasm-opt), then the
#                page bundled and minified -> dist/ (www/ itself runs as it is, unbundled)
#   make serve   build, then serve dist/ on 127.0.0.1:$(PORT)
#   make test    native tests, wasm tests (Node), build, browser end-to-end tests, the notebook widget
#   make test-widget-jupyterlab   the notebook widget in a real JupyterLab (not part of test)
#   make bench   the benchmark: engine (wasm, native) against hand JS, brain.js, convnetjs, tfjs; the page
#   make fuzz    fuzz the three parsers (model file, CSV, link) for FUZZ_SECONDS each, from fuzz/seeds
#   make clean   remove build outputs and test artefacts (distclean: node_modules too)

SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := build
# Steps of `test` must run in the order written, and stop at the first failure, even under -j.
.NOTPARALLEL:
# A half-written www/pkg file must not look up to date after a failed step.
.DELETE_ON_ERROR:

# `cargo install` puts wasm-bindgen here; a fresh login shell may not have it on PATH.
export PATH := $(or $(CARGO_HOME),$(HOME)/.cargo)/bin:$(PATH)

PORT    ?= 8000
TARGET  := wasm32-unknown-unknown
WASM    := target/$(TARGET)/release/backprop_viz.wasm
PKG     := www/pkg
BG_WASM := $(PKG)/backprop_viz_bg.wasm

# npm binaryen (not Debian's binaryen 108, whose output fails to load). wasm-opt rejects a
# module that uses a feature it was not told about, so enable exactly the features that
# rustc's default wasm32 CPU emits; nothing more, so that the output runs where rustc's does.
WASM_OPT       := node_modules/.bin/wasm-opt
WASM_FEATURES  := --enable-bulk-memory --enable-bulk-memory-opt --enable-nontrapping-float-to-int \
                  --enable-sign-ext --enable-mutable-globals --enable-reference-types \
                  --enable-multivalue --enable-call-indirect-overlong --enable-simd
WASM_OPT_FLAGS := -O3 $(WASM_FEATURES)

.PHONY: setup build dist widget-static serve test test-native test-wasm test-e2e test-widget test-widget-jupyterlab sizes bench fuzz clean distclean

setup:
	@bash scripts/setup.sh

build: setup $(BG_WASM) dist widget-static sizes

# Always ask cargo (it knows whether sources changed); make then re-reads the artefact's
# mtime, so wasm-bindgen and wasm-opt only rerun when cargo actually rewrote it.
$(WASM): setup
	cargo build --release --target $(TARGET) --lib

# Also redo www/pkg when the wasm-bindgen version (Cargo.lock) or wasm-opt (package-lock.json) changes.
$(BG_WASM): $(WASM) Cargo.lock package-lock.json
	wasm-bindgen --target web --out-dir $(PKG) $(WASM)
	$(WASM_OPT) $(WASM_OPT_FLAGS) -o $@.opt $@
	mv $@.opt $@

# The page as it is served (issue 15, the page's weight): the ES modules bundled and minified
# into one main.js by esbuild (seconds), the style sheet minified, the rest copied. The glue is
# also kept whole in pkg/, for `reloadEngine`'s fresh instance after an internal error.
DIST    := dist
ESBUILD := node_modules/.bin/esbuild --log-level=error
dist: $(BG_WASM)
	rm -rf $(DIST)
	mkdir -p $(DIST)/pkg $(DIST)/data
	$(ESBUILD) www/main.js --bundle --minify --format=esm --outfile=$(DIST)/main.js
	$(ESBUILD) $(PKG)/backprop_viz.js --minify --format=esm --outfile=$(DIST)/pkg/backprop_viz.js
	$(ESBUILD) www/style.css --minify --outfile=$(DIST)/style.css
	# The embed page (its modules bundled like main.js), the <backprop-viz> element and the example.
	$(ESBUILD) www/embed.js --bundle --minify --format=esm --outfile=$(DIST)/embed.js
	$(ESBUILD) www/backprop-viz.js --minify --format=esm --outfile=$(DIST)/backprop-viz.js
	$(ESBUILD) www/embed.css --minify --outfile=$(DIST)/embed.css
	cp www/index.html www/embed.html www/embed-example.html www/embed-example.css www/favicon.svg $(DIST)/
	cp www/data/* $(DIST)/data/
	cp $(BG_WASM) $(DIST)/pkg/

# The notebook widget's assets (python/backprop_viz_widget/static/, git-ignored), shipped inside
# the Python package: the page's modules bundled with the widget's frame entry (python/js/frame.js),
# and from dist/ the page's body, style sheets, wasm and digits (widget.js says how they reach the view).
WIDGET_STATIC := python/backprop_viz_widget/static
widget-static: dist
	rm -rf $(WIDGET_STATIC)
	mkdir -p $(WIDGET_STATIC)
	$(ESBUILD) python/js/frame.js --bundle --minify --format=esm --outfile=$(WIDGET_STATIC)/frame.js
	cp $(DIST)/index.html $(DIST)/style.css $(DIST)/embed.css $(DIST)/pkg/backprop_viz_bg.wasm \
	  $(DIST)/data/digits.bin $(DIST)/data/DIGITS-LICENSE.md $(WIDGET_STATIC)/

sizes:
	@bash scripts/sizes.sh $(PKG)/*.wasm $(PKG)/*.js $(DIST)/main.js $(DIST)/style.css $(DIST)/index.html

serve: build
	python3 -m http.server --bind 127.0.0.1 --directory $(DIST) $(PORT)

test: setup test-native test-wasm build test-e2e test-widget

# Native: every target (lib, integration tests, examples, benches as tests), then doctests,
# which --all-targets leaves out.
test-native: setup
	cargo test --all-targets
	cargo test --doc

# Wasm: runs #[wasm_bindgen_test] tests in Node. --tests: doctests cannot run on wasm32.
test-wasm: setup
	CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
	  cargo test --target $(TARGET) --tests

# Browser end-to-end tests (Node's built-in runner; needs `build` first).
test-e2e: build
	node --test tests/e2e/

# The notebook widget (issue 14): `pip install ./python` into a fresh venv (target/widget-venv,
# made again only when the package's files change), its Python tests, then its front-end in
# Chromium through a minimal anywidget host (tests/widget/).
test-widget: build
	bash scripts/test-widget.sh

# Not part of `test` (JupyterLab is a large install, ~40 s once): the widget in a real JupyterLab
# notebook, driven in Chromium (tests/widget/jupyterlab.mjs).
test-widget-jupyterlab: build
	bash scripts/test-widget.sh jupyterlab

# Benchmark (issue 5, bench/README.md): the engine in wasm (Node) and native against a hand-written
# JS baseline, brain.js, convnetjs and tfjs (cpu) on identical workloads (W, W-large, the digits),
# scaling tables, and the page in Chromium.
# The JS libraries are dev dependencies of bench/ only; --ignore-scripts keeps gpu.js's native
# dependencies (headless-gl, webgpu), pulled in by brain.js, from building or downloading.
BENCH_NPM := bench/node_modules/.package-lock.json

bench: build $(BENCH_NPM)
	cargo build --release --bench engine
	node bench/run.mjs

$(BENCH_NPM): bench/package.json bench/package-lock.json
	npm ci --prefix bench --ignore-scripts --no-audit --no-fund

# cargo-fuzz needs a nightly toolchain (for the sanitizer flags); both install on first use.
# Each target starts from its committed seeds (fuzz/seeds/<target>/: every crash found so far
# and typical inputs) and writes what it finds to fuzz/corpus/<target>/ (not committed).
# The short run is a smoke test; a longer run, e.g. an hour per target:
#   make fuzz FUZZ_SECONDS=3600
# A crash is saved under fuzz/artifacts/<target>/: add it to fuzz/seeds/<target>/ once fixed
# (tests/bad_input.rs runs every seed through the targets' own assertions in `cargo test`).
FUZZ_SECONDS ?= 60
FUZZ_TARGETS := model_file csv share_link
fuzz:
	@rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal
	@command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked || cargo install cargo-fuzz
	cd fuzz && for target in $(FUZZ_TARGETS); do \
	  mkdir -p corpus/$$target && \
	  cargo +nightly fuzz run $$target corpus/$$target seeds/$$target -- \
	    -max_total_time=$(FUZZ_SECONDS) -max_len=4096 || exit 1; \
	done

clean:
	cargo clean
	rm -rf $(PKG) $(DIST) $(WIDGET_STATIC) python/build python/*.egg-info tests/e2e/artifacts bench/out

distclean: clean
	rm -rf node_modules bench/node_modules
