// Seeded toy data sets (issue 4 moves generation into Rust). Each generator returns points in
// its own domain; `makeData` splits them into a training and a test set, deterministically
// from the seed. Classification targets are 0/1 (for a sigmoid output); `sine` is a 1-input
// regression set (for an identity output).

/** A small, fast PRNG (mulberry32): the same seed always gives the same data. */
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function gaussian(random) {
  const u = 1 - random();
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** name → { label, inputs, kind, domain: [lo, hi], points(random) → [[x…, y], …] } */
export const DATASETS = {
  circle: {
    label: 'Circle',
    inputs: 2,
    kind: 'classification',
    domain: [-1.25, 1.25],
    points(random) {
      const out = [];
      for (let n = 0; n < 240; n++) {
        const inside = n % 2 === 0;
        const r = inside ? 0.5 * Math.sqrt(random()) : 0.7 + 0.3 * random();
        const angle = 2 * Math.PI * random();
        out.push([r * Math.cos(angle), r * Math.sin(angle), inside ? 1 : 0]);
      }
      return out;
    },
  },
  xor: {
    label: 'XOR (4 points)',
    inputs: 2,
    kind: 'classification',
    domain: [-0.5, 1.5],
    testIsTrain: true,
    points: () => [[0, 0, 0], [0, 1, 1], [1, 0, 1], [1, 1, 0]],
  },
  gaussians: {
    label: 'Two Gaussians',
    inputs: 2,
    kind: 'classification',
    domain: [-1.25, 1.25],
    points(random) {
      const out = [];
      for (let n = 0; n < 240; n++) {
        const label = n % 2;
        const c = label ? 0.45 : -0.45;
        out.push([c + 0.25 * gaussian(random), c + 0.25 * gaussian(random), label]);
      }
      return out;
    },
  },
  spiral: {
    label: 'Spiral',
    inputs: 2,
    kind: 'classification',
    domain: [-1.25, 1.25],
    points(random) {
      const out = [];
      const perArm = 150;
      for (let n = 0; n < 2 * perArm; n++) {
        const label = n % 2;
        const t = Math.floor(n / 2) / perArm;
        const r = 0.05 + t;
        const angle = 1.75 * t * 2 * Math.PI + label * Math.PI;
        out.push([r * Math.sin(angle) + 0.04 * gaussian(random), r * Math.cos(angle) + 0.04 * gaussian(random), label]);
      }
      return out;
    },
  },
  sine: {
    label: 'Sine (1 input, regression)',
    inputs: 1,
    kind: 'regression',
    domain: [-1.25, 1.25],
    points(random) {
      const out = [];
      for (let n = 0; n < 160; n++) {
        const x = -1 + 2 * random();
        out.push([x, 0.8 * Math.sin(Math.PI * x) + 0.05 * gaussian(random)]);
      }
      return out;
    },
  },
};

/**
 * The data set `name` drawn with `seed`, split 2:1 into training and test rows:
 * { name, inputs, kind, domain, train: {x, y}, test: {x, y} } with flat row-major arrays.
 */
export function makeData(name, seed) {
  const spec = DATASETS[name];
  if (!spec) throw new Error(`there is no data set called "${name}"`);
  const random = rng(seed);
  const points = spec.points(random);
  // Fisher–Yates with the same generator, so the split is random but reproducible.
  for (let i = points.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [points[i], points[j]] = [points[j], points[i]];
  }
  const split = (rows) => ({
    x: rows.flatMap((p) => p.slice(0, spec.inputs)),
    y: rows.map((p) => p[spec.inputs]),
  });
  const cut = spec.testIsTrain ? points.length : Math.round((points.length * 2) / 3);
  return {
    name,
    inputs: spec.inputs,
    kind: spec.kind,
    domain: spec.domain,
    train: split(points.slice(0, cut)),
    test: split(spec.testIsTrain ? points : points.slice(cut)),
  };
}
