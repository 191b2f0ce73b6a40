// The computation-graph view (issue 13), in real headless Chromium: the panel opens in place of
// the layer view; for the chain-rule lesson after the backward pass every number it writes is
// the engine's (read through the inspector's chain rule and the engine's arrays); stepping a
// phase lights its nodes one by one with their formula; axe-core finds nothing on the panel; the
// keyboard reaches the nodes and hears each one's formula; a network past the folding threshold
// draws each neuron as one node, which a click, Enter or Space unfolds into nodes holding the
// engine's numbers and folds again; and the small lessons are laid out readable (no two nodes
// overlap, all inside the canvas, text of at least 10 px) at every screen.

import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT, assertNoErrors, clickEdge, frames } from './harness.mjs';
import { browserSession, shot } from './screens.mjs';

const browser = browserSession();
const AXE = path.join(REPO_ROOT, 'node_modules', 'axe-core', 'axe.min.js');

async function loadLesson(page, id) {
  // The graph may have hidden the settings panel to make room: open it for the menu, then close it.
  const hidden = !(await page.locator('#lesson').isVisible());
  if (hidden) await page.click('#setting-sidebar');
  await page.selectOption('#lesson', id);
  await page.waitForFunction((id) => window.app.session.settings().lesson === id, id);
  if (hidden) await page.click('#setting-sidebar');
}

async function openGraph(page) {
  await page.click('#setting-graph');
  await page.waitForSelector('#graph-panel:not([hidden])');
  await frames(page, 3);
}

/** Presses Tab from the top of the page until the graph's canvas has the focus. */
async function tabToGraph(page) {
  await page.evaluate(() => document.activeElement?.blur?.());
  for (let k = 0; k < 200; k++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate(() => document.activeElement?.id === 'graph')) return;
  }
  assert.fail('Tab never reached the graph');
}

/** Steps phases until the next one is the update. */
async function stepToUpdate(page) {
  while ((await page.evaluate(() => window.app.session.nextPhase().kind)) !== 'update') {
    await page.click('#step-phase');
  }
  await frames(page, 3);
}

/** The nodes as drawn: {title, value, gradient} by node label, numbers parsed. */
const drawnNodes = (page) => page.evaluate(() => {
  const graph = window.app.graph.graph();
  const number = (text) => Number(text.replace('∇', '').trim().replaceAll('−', '-'));
  return Object.fromEntries(window.app.graph.labels().filter((d) => d.kind === 'node').map((d) => {
    const [title, value, gradient] = d.text.split('\n');
    return [graph.nodes[d.id].label, { title, value: number(value), gradient: gradient ? number(gradient) : null, box: d }];
  }));
});

/** `shown` is `exact` written to 4 significant digits (3 below 0.001, with an exponent). */
function assertShows(what, shown, exact) {
  assert.ok(Number.isFinite(shown), `${what}: nothing shown`);
  const digits = Math.abs(exact) < 1e-3 ? 5e-3 : 5e-4;
  assert.ok(Math.abs(shown - exact) <= digits * Math.abs(exact) + 1e-12, `${what}: shows ${shown}, the engine holds ${exact}`);
}

test('for the chain-rule lesson after the backward pass, the graph shows the engine\'s numbers', { timeout: 90_000 }, async () => {
  const opened = await browser.open({ width: 1280, height: 720, reducedMotion: 'reduce' });
  const { page } = opened;
  try {
    await loadLesson(page, 'chain-rule');
    await openGraph(page);
    assert.equal(await page.locator('#network').isVisible(), false, 'the graph takes the layer view\'s place');
    await stepToUpdate(page);
    const nodes = await drawnNodes(page);
    const engine = await page.evaluate(() => {
      const { session, view, Buffer } = window.app;
      return {
        w1: session.chainRule(0, 0, 0), w2: session.chainRule(1, 0, 0),
        x: view(Buffer.BatchInput)[0], y: view(Buffer.BatchTarget)[0], sampleLoss: view(Buffer.SampleLoss)[0],
        gradOutput: view(Buffer.GradOutput)[0], loss: session.loss(),
      };
    });
    assert.equal(Object.keys(nodes).length, 14);
    assertShows('x₁', nodes['x₁'].value, engine.x);
    assertShows('w¹₁₁', nodes['w¹₁₁'].value, engine.w1.value);
    assertShows('∇ w¹₁₁ = δ¹ · x', nodes['w¹₁₁'].gradient, engine.w1.sample_gradient);
    assertShows('∇ w²₁₁ = δ² · h', nodes['w²₁₁'].gradient, engine.w2.sample_gradient);
    assertShows('z¹₁', nodes['z¹₁'].value, engine.w1.z);
    assertShows('δ¹ on z¹₁', nodes['z¹₁'].gradient, engine.w1.delta);
    assertShows('a¹₁', nodes['a¹₁'].value, engine.w1.a);
    assertShows('dL/da¹₁', nodes['a¹₁'].gradient, engine.w1.grad_activation);
    assertShows('z²₁', nodes['z²₁'].value, engine.w2.z);
    assertShows('δ² on z²₁', nodes['z²₁'].gradient, engine.w2.delta);
    assertShows('ŷ₁', nodes['ŷ₁'].value, engine.w2.a);
    assertShows('dL/dŷ', nodes['ŷ₁'].gradient, engine.gradOutput);
    assertShows('y₁', nodes['y₁'].value, engine.y);
    assertShows('L of the sample', nodes['L (this sample)'].value, engine.sampleLoss);
    assertShows('L of the batch', nodes['L (batch mean)'].value, engine.loss);
    // The lesson's own text: dL/dw2 = −0.0560, dL/dw1 = −0.00756 (the graph writes a digit more).
    assert.equal(nodes['w²₁₁'].gradient, -0.05596);
    assert.equal(nodes['w¹₁₁'].gradient, -0.007557);
    // Edge labels: the local derivative of w²₁₁·a¹₁ with respect to w²₁₁ is a¹₁.
    const edges = await page.evaluate(() => window.app.graph.labels().filter((d) => d.kind === 'edge').map((d) => d.text));
    assert.ok(edges.length >= 4, `edge labels: ${edges}`);
    assertShows('∂(w²₁₁·a¹₁)/∂w²₁₁', Number(edges.find((t) => Math.abs(Number(t) - engine.w1.a) < 1e-3)), engine.w1.a);
    assertNoErrors(opened);
  } finally {
    await opened.page.close();
  }
});

test('stepping lights the nodes one by one, backward with grad = upstream × local', { timeout: 90_000 }, async () => {
  const opened = await browser.open({ width: 1280, height: 720 });
  const { page } = opened;
  try {
    await loadLesson(page, 'worked-example');
    await openGraph(page);
    await page.click('#step-phase');
    // The first forward phase: the inputs, then the products, then the sums, then the activations.
    const forward = [];
    for (let k = 0; k < 40; k++) {
      forward.push(await page.textContent('#graph-panel .graph-caption'));
      await page.waitForTimeout(120);
    }
    assert.ok(forward.some((t) => /^Forward: z¹₁ = w¹₁₁·x₁ \+ w¹₁₂·x₂ \+ b¹₁ = 0\.0075 \+ 0\.02 \+ 0\.35 = 0\.3775$/.test(t)), forward.join('\n'));
    while ((await page.evaluate(() => window.app.session.nextPhase().kind)) !== 'backward') await page.click('#step-phase');
    await page.waitForTimeout(5000);
    await page.click('#step-phase'); // backward through the output layer
    await page.click('#step-phase'); // backward through the hidden layer: a¹ fans out
    const backward = [];
    for (let k = 0; k < 40; k++) {
      backward.push(await page.textContent('#graph-panel .graph-caption'));
      await page.waitForTimeout(100);
    }
    assert.ok(backward.some((t) => /^Backward: a¹₁ is used 2 times, so its gradient adds one term per use: ∂L\/∂a¹₁ = \S+ × 0\.4 \+ \S+ × 0\.5 = \S+/.test(t)), backward.join('\n'));
    assert.ok(backward.some((t) => /^Backward: ∂L\/∂w¹₁₁ = upstream ∇ × local = \S+ × 0\.05 = /.test(t)), backward.join('\n'));
    await shot(page, 'graph-stepping-1280x720');
    assertNoErrors(opened);
  } finally {
    await opened.page.close();
  }
});

test('axe-core finds nothing on the graph panel, and the keyboard reaches its nodes', { timeout: 90_000 }, async () => {
  const opened = await browser.open({ width: 1280, height: 720, reducedMotion: 'reduce' });
  const { page } = opened;
  try {
    await loadLesson(page, 'worked-example');
    await openGraph(page);
    await stepToUpdate(page);
    await page.addScriptTag({ path: AXE });
    const violations = await page.evaluate(async () => {
      const result = await window.axe.run({ include: [['#graph-panel'], ['#setting-graph']] }, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21aa', 'wcag22aa', 'best-practice'] }, resultTypes: ['violations'] });
      return result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
    });
    assert.deepEqual(violations, []);
    // Tab to the graph: it takes the first node; arrows move along the edges and within a layer.
    await tabToGraph(page);
    await frames(page, 2);
    const announced = () => page.textContent('#graph-panel .graph-announce');
    const first = await announced();
    assert.match(first, /^x₁: x₁ = 0\.05\. x₁ is used 2 times, so its gradient adds one term per use: ∂L\/∂x₁ = /);
    const steps = await page.evaluate(() => window.app.session.steps());
    await page.keyboard.press('ArrowRight');
    await frames(page, 2);
    const next = await announced();
    assert.notEqual(next, first);
    assert.match(next, /×/);
    assert.equal(await page.evaluate(() => window.app.session.steps()), steps, 'an arrow on the graph must not step the training');
    assert.equal(await page.evaluate(() => window.app.session.progress()), 5, 'an arrow on the graph must not run a phase');
    // Enter inspects what the node belongs to: a product node, its weight.
    await page.keyboard.press('Enter');
    await page.waitForSelector('#inspector:not([hidden])');
    assert.match(await page.textContent('#inspector h2'), /^Weight from input x₁ to neuron/);
    const selected = await page.evaluate(() => window.app.session.position().selection);
    assert.equal(selected.type, 'edge');
    assertNoErrors(opened);
  } finally {
    await opened.page.close();
  }
});

/** The labels of the nodes the graph rings for the layer view's selection, sorted. */
const ringed = (page) => page.evaluate(() => {
  const graph = window.app.graph.graph();
  return window.app.graph.rings().map((id) => graph.nodes[id].label).sort();
});

test('the graph and the layer view are linked both ways: a selection in one shows in the other', { timeout: 90_000 }, async () => {
  const opened = await browser.open({ width: 1280, height: 720, reducedMotion: 'reduce' });
  const { page } = opened;
  try {
    await loadLesson(page, 'worked-example');
    await stepToUpdate(page);
    // Layer view → graph: an edge (w²₁₂, from a¹₂ to the first output) rings its weight and product.
    await clickEdge(page, { layer: 1, neuron: 0, input: 1 });
    await openGraph(page);
    assert.deepEqual(await ringed(page), ['w²₁₂', 'w²₁₂·a¹₂']);
    // A neuron (the second hidden one) rings its bias, its sum and its activation.
    await page.click('#setting-graph');
    await page.waitForSelector('#graph-panel', { state: 'hidden' });
    await frames(page, 3);
    const point = await page.evaluate(() => {
      const L = window.app.layout();
      const k = L.colStart[1] + 1;
      return { x: L.nodeX[k], y: L.nodeY[k] };
    });
    assert.deepEqual(await page.evaluate(({ x, y }) => window.app.hitTest(x, y), point), { type: 'neuron', layer: 0, neuron: 1 });
    const box = await page.locator('#network').boundingBox();
    await page.mouse.click(box.x + point.x, box.y + point.y);
    await page.waitForFunction(() => window.app.session.position().selection?.type === 'neuron');
    await openGraph(page);
    assert.deepEqual(await ringed(page), ['a¹₂', 'b¹₂', 'z¹₂']);
    // Graph → layer view and inspector: clicking the node z²₁ selects the first output neuron.
    const nodeAt = (label) => page.evaluate((label) => {
      const graph = window.app.graph.graph();
      const layout = window.app.graph.layout();
      const id = graph.nodes.find((n) => n.label === label).id;
      return { x: layout.x[id], y: layout.y[id] };
    }, label);
    const target = await nodeAt('z²₁');
    const graphBox = await page.locator('#graph').boundingBox();
    await page.mouse.click(graphBox.x + target.x, graphBox.y + target.y);
    await page.waitForFunction(() => window.app.session.position().selection?.layer === 1);
    assert.deepEqual(await page.evaluate(() => window.app.session.position().selection), { type: 'neuron', layer: 1, neuron: 0 });
    await page.waitForSelector('#inspector:not([hidden])');
    assert.match(await page.textContent('#inspector h2'), /neuron 1 of layer 2|output/i);
    await frames(page, 2);
    assert.deepEqual(await ringed(page), ['b²₁', 'z²₁', 'ŷ₁']);
    // A weight node selects its edge.
    await frames(page, 3);
    const weight = await nodeAt('w¹₂₁');
    await page.mouse.click(graphBox.x + weight.x, graphBox.y + weight.y);
    await page.waitForFunction(() => window.app.session.position().selection?.type === 'edge');
    assert.deepEqual(await page.evaluate(() => window.app.session.position().selection), { type: 'edge', layer: 0, neuron: 1, input: 0 });
    assert.match(await page.textContent('#inspector h2'), /from input x₁ to neuron 2 of layer 1/);
    assertNoErrors(opened);
  } finally {
    await opened.page.close();
  }
});

/** Where node `label` is drawn on the graph canvas, in page pixels. */
async function nodePoint(page, label) {
  const box = await page.locator('#graph').boundingBox();
  const at = await page.evaluate((label) => {
    const graph = window.app.graph.graph();
    const layout = window.app.graph.layout();
    const id = graph.nodes.find((n) => n.label === label).id;
    return { x: layout.x[id], y: layout.y[id] };
  }, label);
  return { x: box.x + at.x, y: box.y + at.y };
}

/** The nodes of neuron `neuron` of engine layer `layer`: {kind, label, value, gradient} by label. */
const neuronNodes = (page, layer, neuron) => page.evaluate(({ layer, neuron }) => Object.fromEntries(window.app.graph.graph().nodes
  .filter((n) => n.place && n.place.layer === layer && n.place.neuron === neuron)
  .map((n) => [n.label, { kind: n.kind, value: n.value, gradient: n.gradient }])), { layer, neuron });

/** Neuron `neuron` of engine layer 0 as the engine holds it: its weights' chain rules and its bias's. */
const engineNeuron = (page, neuron, inputs) => page.evaluate(({ neuron, inputs }) => ({
  weights: Array.from({ length: inputs }, (_, i) => window.app.session.chainRule(0, neuron, i)),
  bias: window.app.session.chainRule(0, neuron),
}), { neuron, inputs });

// The folding threshold is MAX_UNFOLDED_NODES = 60 (src/computation_graph.rs): 2 inputs, 6 tanh
// neurons and a sigmoid output make 63 nodes unfolded, so the page draws each neuron as one.
test('a larger network\'s graph folds its neurons; a click or Enter unfolds one with the engine\'s numbers, and folds it again', { timeout: 90_000 }, async () => {
  const opened = await browser.open({ width: 1920, height: 1080, query: '?layers=6:tanh,1:sigmoid', reducedMotion: 'reduce' });
  const { page } = opened;
  try {
    await openGraph(page);
    await stepToUpdate(page);
    const folded = await page.evaluate(() => window.app.graph.graph());
    assert.equal(folded.folded, true, `${folded.nodes.length} nodes, not folded`);
    assert.match(await page.textContent('#graph-panel .graph-caption'), /click a neuron, or press Enter on it, to unfold it/);
    assert.match(await page.getAttribute('#graph', 'aria-label'), /unfolds it into its operations/);
    assert.match(await page.textContent('#graph-panel .legend'), /⊞ a folded neuron \(click or Enter: unfold it\)/);
    const inputs = folded.nodes.filter((n) => n.kind === 'input').length;
    const second = folded.nodes.find((n) => n.kind === 'neuron' && n.place.layer === 0 && n.place.neuron === 1);
    assert.equal(second.label, 'a¹₂');
    const marks = await page.evaluate(() => window.app.graph.labels().filter((d) => d.fold === 'folded').length);
    assert.equal(marks, folded.nodes.filter((n) => n.kind === 'neuron').length, 'each folded neuron is marked ⊞');

    // A click on the folded neuron a¹₂: its weights, products, bias, sum and activation appear.
    let point = await nodePoint(page, 'a¹₂');
    await page.mouse.click(point.x, point.y);
    await page.waitForFunction(() => window.app.graph.unfolded().length === 1);
    await frames(page, 3);
    assert.deepEqual(await page.evaluate(() => window.app.graph.unfolded()), [[0, 1]]);
    const graph = await page.evaluate(() => window.app.graph.graph());
    assert.equal(graph.nodes.length, folded.nodes.length + 2 * inputs + 2, 'a weight and a product per input, a bias and a sum more');
    const nodes = await neuronNodes(page, 0, 1);
    const engine = await engineNeuron(page, 1, inputs);
    const kinds = Object.values(nodes).map((n) => n.kind).sort();
    assert.deepEqual(kinds, ['activation', 'add', 'bias', ...Array(inputs).fill('multiply'), ...Array(inputs).fill('weight')].sort());
    const close = (what, shown, exact) => assert.ok(Math.abs(shown - exact) <= 1e-12 * Math.max(1, Math.abs(exact)), `${what}: the graph holds ${shown}, the engine ${exact}`);
    const drawn = await drawnNodes(page);
    for (let i = 0; i < inputs; i++) {
      const w = engine.weights[i];
      const label = `w¹₂${'₁₂₃₄₅₆₇₈₉'[i]}`;
      close(`${label}`, nodes[label].value, w.value);
      close(`∇ ${label}`, nodes[label].gradient, w.sample_gradient);
      close(`${label}·x`, nodes[`${label}·x${'₁₂₃₄₅₆₇₈₉'[i]}`].value, w.value * w.a_prev);
      assertShows(`${label} as drawn`, drawn[label].value, w.value);
      assertShows(`∇ ${label} as drawn`, drawn[label].gradient, w.sample_gradient);
    }
    close('b¹₂', nodes['b¹₂'].value, engine.bias.value);
    close('∇ b¹₂', nodes['b¹₂'].gradient, engine.bias.sample_gradient);
    close('z¹₂', nodes['z¹₂'].value, engine.bias.z);
    close('δ¹₂ on z¹₂', nodes['z¹₂'].gradient, engine.bias.delta);
    close('a¹₂', nodes['a¹₂'].value, engine.bias.a);
    close('dL/da¹₂', nodes['a¹₂'].gradient, engine.bias.grad_activation);
    assertShows('z¹₂ as drawn', drawn['z¹₂'].value, engine.bias.z);
    assertShows('δ¹₂ as drawn', drawn['z¹₂'].gradient, engine.bias.delta);
    assertShows('a¹₂ as drawn', drawn['a¹₂'].value, engine.bias.a);
    // The other neurons stay folded, with the numbers they had.
    for (const n of folded.nodes.filter((m) => m.kind === 'neuron' && m.label !== 'a¹₂')) {
      const now = graph.nodes.find((m) => m.label === n.label);
      assert.equal(now.kind, 'neuron', `${n.label} stays folded`);
      assert.equal(now.value, n.value);
      assert.equal(now.gradient, n.gradient);
    }
    assert.equal(await page.evaluate(() => window.app.graph.labels().find((d) => d.fold === 'unfolded') !== undefined), true, 'the unfolded activation is marked ⊟');

    // A click on its activation folds it again.
    point = await nodePoint(page, 'a¹₂');
    await page.mouse.click(point.x, point.y);
    await page.waitForFunction(() => window.app.graph.unfolded().length === 0);
    assert.equal(await page.evaluate(() => window.app.graph.graph().nodes.length), folded.nodes.length);

    // The keyboard: Tab to the graph, → to the first input and on to a neuron it feeds; Enter
    // unfolds it and keeps the focus on its activation, Space folds it again (and does not play).
    await tabToGraph(page);
    // The click left the focus on a¹₂: Escape lets it go, the first arrow takes the first input.
    await page.keyboard.press('Escape');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    await frames(page, 2);
    const announced = () => page.textContent('#graph-panel .graph-announce');
    assert.match(await announced(), /^tanh a¹\S+: .*Enter or a click unfolds this neuron/);
    const name = (await announced()).split(':')[0].replace('tanh ', '');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => window.app.graph.unfolded().length === 1);
    await frames(page, 2);
    const [[layer, neuron]] = await page.evaluate(() => window.app.graph.unfolded());
    assert.equal(layer, 0);
    assert.match(await announced(), new RegExp(`^tanh ${name}: ${name} = tanh\\(z.*Enter or a click folds this neuron back`));
    const keyed = await neuronNodes(page, 0, neuron);
    const keyedEngine = await engineNeuron(page, neuron, inputs);
    assert.equal(Object.keys(keyed).length, 2 * inputs + 3);
    close('z by the keyboard', Object.values(keyed).find((n) => n.kind === 'add').value, keyedEngine.bias.z);
    close('δ by the keyboard', Object.values(keyed).find((n) => n.kind === 'add').gradient, keyedEngine.bias.delta);
    for (let i = 0; i < inputs; i++) {
      const w = Object.entries(keyed).find(([label, n]) => n.kind === 'weight' && label.endsWith('₁₂₃₄₅₆₇₈₉'[i]))[1];
      close(`weight ${i} by the keyboard`, w.value, keyedEngine.weights[i].value);
      close(`∇ weight ${i} by the keyboard`, w.gradient, keyedEngine.weights[i].sample_gradient);
    }
    await page.keyboard.press('Space');
    await page.waitForFunction(() => window.app.graph.unfolded().length === 0);
    await frames(page, 2);
    assert.match(await announced(), /unfolds this neuron/);
    assert.equal(await page.evaluate(() => window.app.page.playing()), false, 'Space on a neuron folds it, it does not play');
    await shot(page, 'graph-folded-1920x1080');
    assertNoErrors(opened);
  } finally {
    await opened.page.close();
  }
});

for (const screen of [
  { name: '1024x768', width: 1024, height: 768, dpr: 1 },
  { name: '1280x720', width: 1280, height: 720, dpr: 1 },
  { name: '1920x1080', width: 1920, height: 1080, dpr: 1 },
  { name: 'phone-390x844', width: 390, height: 844, dpr: 3, phone: true },
]) {
  test(`at ${screen.name} the small lessons' graphs are readable`, { timeout: 90_000 }, async () => {
    const opened = await browser.open({ ...screen, reducedMotion: 'reduce' });
    const { page } = opened;
    try {
      for (const lesson of ['chain-rule', 'worked-example']) {
        await loadLesson(page, lesson);
        if (!(await page.locator('#graph-panel').isVisible())) await openGraph(page);
        await stepToUpdate(page);
        const { layout, boxes, canvas } = await page.evaluate(() => ({
          layout: window.app.graph.layout(),
          boxes: window.app.graph.labels().filter((d) => d.kind === 'node'),
          canvas: document.getElementById('graph').getBoundingClientRect().toJSON(),
        }));
        // On a phone the 1-1-1 graph is written out; the 2-2-2 one may be drawn as boxes whose
        // numbers the caption gives (focus a node).
        if (screen.phone && lesson !== 'chain-rule') {
          await shot(page, `graph-${lesson}-${screen.name}`, { fullPage: false });
          continue;
        }
        assert.equal(layout.compact, false, `${lesson}: nodes drawn without their numbers`);
        // Below 1280 px wide, turning the graph on hides the settings panel to give it room, so
        // that a 1024×768 projector writes the 2-2-2 graph at 12 px or more (9 px beside the panel).
        if (screen.width < 1280) {
          assert.equal(await page.evaluate(() => document.body.dataset.sidebar), 'false', 'the settings panel stays open beside the graph');
        }
        assert.ok(layout.px >= (screen.width >= 1280 || screen.phone ? 10 : 12), `${lesson}: text of ${layout.px} px`);
        for (const a of boxes) {
          assert.ok(a.x >= 0 && a.y >= 0 && a.x + a.w <= canvas.width + 0.5 && a.y + a.h <= canvas.height + 0.5, `${lesson}: ${a.text} outside the canvas`);
          for (const b of boxes) {
            if (a !== b) assert.ok(a.x + a.w <= b.x || b.x + b.w <= a.x || a.y + a.h <= b.y || b.y + b.h <= a.y, `${lesson}: ${a.text} overlaps ${b.text}`);
          }
        }
        await shot(page, `graph-${lesson}-${screen.name}`, { fullPage: false });
      }
      assertNoErrors(opened);
    } finally {
      await opened.page.close();
    }
  });
}
