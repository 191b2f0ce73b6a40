"""Plays the Python side of a notebook session for the browser test (tests/widget/widget.test.mjs).

Creates a widget over a comm that records instead of a kernel's: the message that opens it
(the state, binary traits split out as buffers), then the messages ipywidgets sends for the
changes and calls a notebook cell makes.
Prints one JSON object: {panels, open: {state, buffer_paths, buffers}, messages: [{data, buffers}]},
every buffer as base64.

With --receive, reads the view's saved changes ([{state}], as `save_changes` sends them) from
stdin, hands them to a widget the way a kernel does, and prints the widget's read-only traits.
"""

import base64
import json
import sys

import comm as comms

from backprop_viz_widget import PANELS, BackpropViz


class RecordingComm:
    """A comm that records what it is asked to send (ipywidgets sends only over a comm with a kernel)."""

    kernel = "recording"
    comm_id = "backprop-viz-test-model"

    def __init__(self, data=None, buffers=None, **kwargs):
        self.opened = {**(data or {}), "buffers": [b64(b) for b in buffers or []]}
        self.sent = []
        self.handler = None

    def on_msg(self, callback):
        self.handler = callback

    def send(self, data=None, metadata=None, buffers=None):
        self.sent.append({"data": data, "buffers": [b64(b) for b in buffers or []]})

    def close(self, *args, **kwargs):
        pass


def b64(buffer):
    return base64.b64encode(bytes(buffer)).decode()


def recorded():
    """A widget over a recording comm (ipywidgets opens its comm with comm.create_comm)."""
    comms.create_comm = RecordingComm


def dump():
    recorded()
    viz = BackpropViz(lesson="chain-rule", panels=["network", "controls"], height=420)
    comm = viz.comm
    # What a notebook cell does next, in this order (the test checks the view after each).
    viz.lesson = "xor"
    viz.step("batch")
    viz.apply({"lr": 0.1})
    viz.panels = "network,loss,controls"
    print(json.dumps({
        "panels": list(PANELS),
        "open": comm.opened,
        "messages": comm.sent,
    }))


def receive():
    recorded()
    viz = BackpropViz()
    comm = viz.comm
    for update in json.load(sys.stdin):
        comm.handler({"content": {"data": {"method": "update", "state": update["state"], "buffer_paths": []}}, "buffers": []})
    print(json.dumps({k: getattr(viz, k) for k in ("steps", "epochs", "loss", "learning_rate", "phase", "session", "error")}))


if __name__ == "__main__":
    receive() if "--receive" in sys.argv else dump()
