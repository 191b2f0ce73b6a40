"""backprop-viz in a notebook cell: the visualizer of the <backprop-viz> element as an anywidget.

    from backprop_viz_widget import BackpropViz
    viz = BackpropViz(lesson="chain-rule", panels="network,controls")
    viz                      # shows it; then viz.step("batch"), viz.lesson = "xor", viz.steps …

The engine (wasm) and the page's script ship inside this package (static/, copied there by
`make widget-static` from what `make build` made), and reach the notebook page in the widget's
own state, so the widget works offline with no server of ours (widget.js says how).
"""

from __future__ import annotations

import hashlib
import importlib.metadata
from functools import cache
from pathlib import Path

import anywidget
import traitlets as t

__all__ = ["BackpropViz", "PANELS", "STEP_UNITS"]

_HERE = Path(__file__).parent
_STATIC = _HERE / "static"
# What the frame needs from `make build` (dist/), bundled or copied by `make widget-static`.
_ASSETS = ("frame.js", "index.html", "style.css", "embed.css", "backprop_viz_bg.wasm", "digits.bin")

#: The panels `panels` can name (www/embed_page.js holds the same list for the page).
PANELS = ("network", "graph", "output", "loss", "gradients", "inspector", "controls", "tour")
#: What one `step()` runs: a phase of the step, one training step, or one epoch.
STEP_UNITS = ("phase", "batch", "epoch")

try:
    __version__ = importlib.metadata.version("backprop-viz-widget")
except importlib.metadata.PackageNotFoundError:  # run from the source tree
    __version__ = "0"


@cache
def _assets() -> dict[str, bytes]:
    missing = [name for name in _ASSETS if not (_STATIC / name).is_file()]
    if missing:
        raise FileNotFoundError(
            f"backprop_viz_widget was installed without its built assets ({', '.join(missing)} "
            f"missing from {_STATIC}): run `make widget-static` in the repository, then install again"
        )
    return {name: (_STATIC / name).read_bytes() for name in _ASSETS}


class BackpropViz(anywidget.AnyWidget):
    """The visualizer in a notebook cell, with its own engine.

    Assigning `lesson`, `session`, `panels`, `readonly`, `height` or `scale` changes the view.
    `steps`, `epochs`, `loss`, `learning_rate`, `phase`, `error` and `session` are written
    back by the view (a few times a second); they update after the cell that displayed the
    widget or called a method has finished, since the view answers through the kernel.
    """

    _esm = _HERE / "widget.js"

    lesson = t.Unicode("", help="A lesson's id ('chain-rule', 'xor', …).").tag(sync=True)
    session = t.Unicode("", help="The state as a link query ('?…'); the view keeps it current.").tag(sync=True)
    panels = t.Unicode("", help="Comma-separated panels to show (PANELS); '' for all.").tag(sync=True)
    readonly = t.Bool(False, help="Hide the controls that change settings.").tag(sync=True)
    height = t.Int(480, help="Height in CSS pixels; the width follows the cell.").tag(sync=True)
    scale = t.Float(0.0, help="Presenter text size (e.g. 1.5); 0 for the default.").tag(sync=True)

    # Written by the view only.
    steps = t.Int(0, read_only=True).tag(sync=True)
    epochs = t.Int(0, read_only=True).tag(sync=True)
    loss = t.Float(None, allow_none=True, read_only=True).tag(sync=True)
    learning_rate = t.Float(None, allow_none=True, read_only=True).tag(sync=True)
    phase = t.Unicode("", read_only=True, help="The phase run last ('forward 0', 'loss', …).").tag(sync=True)
    error = t.Unicode("", read_only=True, help="Why the last call or load failed ('' when it did not).").tag(sync=True)

    # The assets (see widget.js): sent once per widget with its state.
    _wasm = t.Bytes(read_only=True).tag(sync=True)
    _digits = t.Bytes(read_only=True).tag(sync=True)
    _frame_js = t.Unicode(read_only=True).tag(sync=True)
    _index_html = t.Unicode(read_only=True).tag(sync=True)
    _frame_css = t.Unicode(read_only=True).tag(sync=True)
    _asset_key = t.Unicode(read_only=True).tag(sync=True)

    # Defaults, not assignments in __init__: ipywidgets opens the comm inside __init__ with
    # the state as it is then, so the assets travel in that first message, not in updates after it.
    @t.default("_wasm")
    def _default_wasm(self) -> bytes:
        return _assets()["backprop_viz_bg.wasm"]

    @t.default("_digits")
    def _default_digits(self) -> bytes:
        return _assets()["digits.bin"]

    @t.default("_frame_js")
    def _default_frame_js(self) -> str:
        return _assets()["frame.js"].decode()

    @t.default("_index_html")
    def _default_index_html(self) -> str:
        return _assets()["index.html"].decode()

    @t.default("_frame_css")
    def _default_frame_css(self) -> str:
        return _assets()["style.css"].decode() + "\n" + _assets()["embed.css"].decode()

    @t.default("_asset_key")
    def _default_asset_key(self) -> str:
        files = _assets()
        return hashlib.sha256(files["backprop_viz_bg.wasm"] + files["frame.js"]).hexdigest()[:16]

    def __init__(self, **kwargs: object) -> None:
        if "panels" in kwargs and not isinstance(kwargs["panels"], str):
            kwargs["panels"] = ",".join(kwargs["panels"])  # type: ignore[arg-type]
        _assets()  # a package without its assets says so here
        super().__init__(**kwargs)

    @t.validate("panels")
    def _valid_panels(self, proposal: t.Bunch) -> str:
        value = proposal["value"]
        names = [p for p in value.replace(" ", ",").split(",") if p]
        unknown = [p for p in names if p not in PANELS]
        if unknown:
            raise t.TraitError(f"no panel {', '.join(map(repr, unknown))}: choose from {', '.join(PANELS)}")
        return ",".join(names)

    def apply(self, patch: dict) -> None:
        """Applies a patch of settings ({"lr": 0.1, "optimizer": "adam"}), as the element's apply()."""
        if not isinstance(patch, dict):
            raise TypeError("apply() takes a dict of settings, e.g. {'lr': 0.1}")
        self.send({"method": "apply", "args": [patch]})

    def step(self, unit: str = "phase") -> None:
        """Runs one phase ('phase'), one training step ('batch') or one epoch ('epoch')."""
        if unit not in STEP_UNITS:
            raise ValueError(f"step() takes one of {', '.join(STEP_UNITS)}, not {unit!r}")
        self.send({"method": "step", "args": [unit]})

    def play(self) -> None:
        """Starts training (the view's Play)."""
        self.send({"method": "play", "args": []})

    def pause(self) -> None:
        """Pauses training."""
        self.send({"method": "pause", "args": []})
