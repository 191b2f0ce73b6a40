// The page's colours under the three common colour-vision deficiencies (plain Node, no browser).
//
// The backward pass is drawn in COLOURS.backward beside positive (blue) and negative (orange)
// weights, ink and a white ground: it must stay told apart from each of them by a person with
// protanopia, deuteranopia or tritanopia, and its numbers must stay readable on white.
//
// Simulation: Machado, Oliveira and Fernandes (2009), "A physiologically-based model for
// simulation of color vision deficiency", IEEE TVCG 15(6), the matrices of their table for
// severity 1.0, applied to linear sRGB. Difference: CIE76 ΔE (Euclidean distance in CIELAB,
// D65 white). Contrast: the WCAG 2 contrast ratio of relative luminances.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { COLOURS, CLASS_COLOURS, CLASS_SHAPES, PALETTE } from '../../www/colors.js';

/** Machado et al. (2009), severity 1.0, rows of a 3×3 matrix on linear RGB. */
const MACHADO_2009 = {
  protanopia: [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]],
  deuteranopia: [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.011820, 0.042940, 0.968881]],
  tritanopia: [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602], [0.004733, 0.691367, 0.303900]],
};

const WHITE = '#ffffff';

function rgb(hex) {
  assert.match(hex, /^#[0-9a-f]{6}$/i, `not a #rrggbb colour: ${hex}`);
  return [1, 3, 5].map((k) => parseInt(hex.slice(k, k + 2), 16) / 255);
}

const toLinear = (c) => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);

/** The colour as seen with `deficiency` (none: as it is), in linear RGB, clamped to the gamut. */
function seen(hex, deficiency) {
  const linear = rgb(hex).map(toLinear);
  if (!deficiency) return linear;
  return MACHADO_2009[deficiency].map((row) => Math.min(1, Math.max(0, row[0] * linear[0] + row[1] * linear[1] + row[2] * linear[2])));
}

/** Linear sRGB → CIELAB (D65). */
function lab([r, g, b]) {
  const x = (0.4124564 * r + 0.3575761 * g + 0.1804375 * b) / 0.95047;
  const y = 0.2126729 * r + 0.7151522 * g + 0.072175 * b;
  const z = (0.0193339 * r + 0.119192 * g + 0.9503041 * b) / 1.08883;
  const f = (t) => (t > 216 / 24389 ? Math.cbrt(t) : (24389 / 27 * t + 16) / 116);
  return [116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))];
}

/** CIE76 ΔE between two colours as seen with `deficiency`. */
function deltaE(a, b, deficiency) {
  const [p, q] = [lab(seen(a, deficiency)), lab(seen(b, deficiency))];
  return Math.hypot(p[0] - q[0], p[1] - q[1], p[2] - q[2]);
}

function luminance(hex) {
  const [r, g, b] = rgb(hex).map(toLinear);
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

function contrast(a, b) {
  const [la, lb] = [luminance(a), luminance(b)];
  return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
}

describe('colours for every eye', () => {
  test('the reference computations agree with known values', () => {
    // Sanity of the maths itself, so that a wrong formula cannot pass the tests below:
    // white is L* = 100, black on white is 21 : 1, and pure red and green, which protanopes
    // and deuteranopes confuse, come much closer under those simulations than in normal vision.
    assert.ok(Math.abs(lab(seen(WHITE))[0] - 100) < 1e-3);
    assert.ok(Math.abs(contrast('#000000', WHITE) - 21) < 1e-9);
    const normal = deltaE('#ff0000', '#00ff00');
    for (const d of ['protanopia', 'deuteranopia']) {
      assert.ok(deltaE('#ff0000', '#00ff00', d) < normal / 2, `red and green under ${d}: ${deltaE('#ff0000', '#00ff00', d)} vs ${normal}`);
    }
    // Tritanopes confuse blue with green far more than a normal eye does.
    assert.ok(deltaE('#0000ff', '#00aa88', 'tritanopia') < deltaE('#0000ff', '#00aa88'));
  });

  for (const deficiency of [null, ...Object.keys(MACHADO_2009)]) {
    test(`the backward colour stays distinct ${deficiency ? `under ${deficiency}` : 'in normal vision'} (ΔE ≥ 20)`, () => {
      const others = { positive: COLOURS.positive, negative: COLOURS.negative, ink: COLOURS.ink, white: WHITE };
      for (const [name, colour] of Object.entries(others)) {
        const d = deltaE(COLOURS.backward, colour, deficiency);
        assert.ok(d >= 20, `backward ${COLOURS.backward} vs ${name} ${colour}${deficiency ? ` under ${deficiency}` : ''}: ΔE ${d.toFixed(1)} < 20`);
      }
    });
  }

  test('the backward colour\'s numbers are readable on white (contrast ≥ 4.5 : 1)', () => {
    const ratio = contrast(COLOURS.backward, WHITE);
    assert.ok(ratio >= 4.5, `contrast of ${COLOURS.backward} on white: ${ratio.toFixed(2)} : 1`);
  });

  test('the style sheet takes these colours from colors.js, the one owner of the page\'s colours', () => {
    // The legends are CSS, the network is canvas: main.js sets the style sheet's --pos, --neg
    // and --bwd from PALETTE at boot, so a colour checked above is the one in both.
    assert.equal(PALETTE.bwd, COLOURS.backward);
    assert.equal(PALETTE.pos, COLOURS.positive);
    assert.equal(PALETTE.neg, COLOURS.negative);
    const css = readFileSync(new URL('../../www/style.css', import.meta.url), 'utf8');
    for (const name of Object.keys(PALETTE)) {
      assert.doesNotMatch(css, new RegExp(`--${name}:\\s*#`), `style.css sets --${name} itself`);
    }
  });

  test('classes differ by shape as well as colour, and by colour for every eye', () => {
    assert.equal(new Set(CLASS_SHAPES).size, CLASS_SHAPES.length, `class shapes repeat: ${CLASS_SHAPES}`);
    assert.ok(CLASS_SHAPES.length >= CLASS_COLOURS.length, 'a class colour without a shape of its own');
    for (const deficiency of [null, ...Object.keys(MACHADO_2009)]) {
      for (let a = 0; a < CLASS_COLOURS.length; a++) {
        for (let b = a + 1; b < CLASS_COLOURS.length; b++) {
          const d = deltaE(CLASS_COLOURS[a], CLASS_COLOURS[b], deficiency);
          // Shape is the second cue; colour should still help (ΔE 10 is clearly visible).
          assert.ok(d >= 10, `class ${a} vs ${b} under ${deficiency ?? 'normal vision'}: ΔE ${d.toFixed(1)}`);
        }
      }
    }
  });
});
