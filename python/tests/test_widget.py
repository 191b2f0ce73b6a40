"""The installed package (run in the test venv by `make test-widget`): its assets, traits and messages."""

import unittest

import traitlets

import backprop_viz_widget
from backprop_viz_widget import BackpropViz


class Sent:
    """Stands in for the comm: records the custom messages `send` would put on it."""

    def __init__(self, viz):
        self.messages = []
        viz._send = lambda msg, buffers=None: self.messages.append(msg)


class TestPackage(unittest.TestCase):
    def test_assets_ship_inside_the_package(self):
        viz = BackpropViz()
        self.assertEqual(bytes(viz._wasm[:4]), b"\0asm")
        self.assertGreater(len(viz._digits), 10_000)
        self.assertIn('id="network"', viz._index_html)
        self.assertIn("backprop-viz-host", viz._frame_js)
        self.assertIn("render", viz._esm)
        self.assertIn("/site-packages/", backprop_viz_widget.__file__.replace("\\", "/"))

    def test_traits_and_their_checks(self):
        viz = BackpropViz(lesson="xor", panels=("network", "loss"), readonly=True)
        self.assertEqual(viz.panels, "network,loss")
        self.assertEqual(viz.get_state("lesson"), {"lesson": "xor"})
        with self.assertRaises(traitlets.TraitError):
            viz.panels = "network,chart"
        with self.assertRaises(traitlets.TraitError):
            viz.steps = 3  # the view writes it, not Python

    def test_methods_send_the_calls_the_view_acts_on(self):
        viz = BackpropViz()
        sent = Sent(viz)
        viz.step("epoch")
        viz.apply({"lr": 0.5})
        viz.play()
        viz.pause()
        self.assertEqual([m["content"] for m in sent.messages], [
            {"method": "step", "args": ["epoch"]},
            {"method": "apply", "args": [{"lr": 0.5}]},
            {"method": "play", "args": []},
            {"method": "pause", "args": []},
        ])
        with self.assertRaises(ValueError):
            viz.step("layer")
        with self.assertRaises(TypeError):
            viz.apply("lr=0.5")


if __name__ == "__main__":
    unittest.main()
