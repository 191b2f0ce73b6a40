#!/usr/bin/env bash
# The notebook widget's tests (after make build). Installs python/ into a fresh virtual
# environment with pip (anywidget from PyPI), then:
#   scripts/test-widget.sh             (make test-widget) its Python tests, then the browser
#                                      test (tests/widget/), which runs that venv's Python to
#                                      play the notebook's side
#   scripts/test-widget.sh jupyterlab  (make test-widget-jupyterlab) also installs JupyterLab
#                                      and runs tests/widget/jupyterlab.mjs: a real notebook
# Each venv is kept in target/ with a stamp of everything its install read; an unchanged
# package reuses it (seconds), any change makes it anew.
set -euo pipefail
cd "$(dirname "$0")/.."

mode="${1:-host}"
case "$mode" in
  host) venv=target/widget-venv; extra=() ;;
  jupyterlab) venv=target/widget-jupyterlab-venv; extra=(jupyterlab) ;;
  *) echo "test-widget: unknown mode $mode (host, jupyterlab)" >&2; exit 2 ;;
esac
stamp="$venv/.inputs.sha256"
[ -f python/backprop_viz_widget/static/frame.js ] || { echo "test-widget: run make build first (no widget assets)" >&2; exit 1; }

inputs="$( (python3 --version; echo "${extra[@]}"; find python -type f -not -path 'python/build/*' -not -path '*.egg-info/*' \
  -not -path '*/__pycache__/*' -not -path 'python/tests/*' | LC_ALL=C sort | xargs sha256sum) | sha256sum | cut -d' ' -f1)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$inputs" ] && "$venv/bin/python" -c 'import backprop_viz_widget' 2>/dev/null; then
  echo "test-widget: $venv ok (package unchanged)"
else
  echo "test-widget: fresh $venv, pip install ./python ${extra[*]}"
  rm -rf "$venv" python/build python/*.egg-info
  python3 -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check ./python "${extra[@]}"
  rm -rf python/build python/*.egg-info
  echo "$inputs" > "$stamp"
fi

if [ "$mode" = host ]; then
  # From another folder, so that the installed package is the one imported, not python/'s sources.
  (cd python/tests && "../../$venv/bin/python" -m unittest -v test_widget 2>&1)
  WIDGET_PYTHON="$venv/bin/python" node --test tests/widget/
else
  JUPYTER="$venv/bin/jupyter" node tests/widget/jupyterlab.mjs
fi
