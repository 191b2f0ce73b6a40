// Boot: load the engine, make the session (from the link, if any), build the controls from
// the catalogue, wire the views to the changes they paint, and run the frame loop.
//
// The page in four roles, imported in one direction (state ← actions ← controls; views read
// state only):
//   state      state.js (the declared state and the change names views subscribe to)
//   actions    actions.js (the only writers; one transaction helper)
//   views      network_view.js + network_layout.js, heatmaps.js, images_view.js, panels.js,
//              loss_chart.js, inspector.js, metrics.js (read-only painters)
//   controls   controls.js (generated from the catalogue), data_tools.js, draw_pad.js,
//              lesson_panel.js, share.js, keyboard.js, experiments.js (events → actions)
// and helpers: engine.js (the wasm and typed-array views), colors.js, canvas.js, files.js.

import { loadEngine, Buffer, view, internalErrorForTests } from './engine.js';
import { fitCanvas } from './canvas.js';
import { state, subscribe, SPEEDS, imageMode, value as settingValue } from './state.js';
import * as actions from './actions.js';
import { setupControls } from './controls.js';
import { setupTour, tourState } from './tour_view.js';
import { createMapsView, mapsShown, kernelCaption } from './maps_view.js';
import { createUnrolledView, unrolledShown, recurrentCaption, recurrentLayer } from './unrolled_view.js';
import { setupDataTools } from './data_tools.js';
import { setupLessons } from './lesson_panel.js';
import { createNetworkView } from './network_view.js';
import { createHeatmaps } from './heatmaps.js';
import { drawChart } from './loss_chart.js';
import { createInspector } from './inspector.js';
import { updatePanels, updateChrome } from './panels.js';
import { updateFrame } from './page_view.js';
import { announce, updateTables } from './announcer.js';
import { updateSamples } from './samples_view.js';
import { setupKeyboard } from './keyboard.js';
import { scaleGradientCss, PALETTE, fmt } from './colors.js';
import { updateMetrics } from './metrics.js';
import { setupExperiments, experimentFrame, drawExperiment, raceLesson, experiment } from './experiments.js';
import { setupShare } from './share.js';
import { createImagesView } from './images_view.js';
import { setupDrawPad } from './draw_pad.js';
import { createGraphView } from './graph_view.js';

const $ = (id) => document.getElementById(id);
const status = $('engine-status');

/** CSS sizes of the canvases, kept by a ResizeObserver so frames never force a layout. */
const sizes = new Map();
/** What needs painting at the next frame (the frame loop's own bookkeeping). */
const stale = { network: true, output: true, chart: true, panels: true, tables: true };

function watchSize(canvas, part) {
  new ResizeObserver(([entry]) => {
    const { width, height } = entry.contentRect;
    sizes.set(canvas, { w: Math.round(width), h: Math.round(height) });
    stale[part] = true;
  }).observe(canvas);
}

/** Sizes the backing store for the device pixel ratio; returns {w, h, dpr} in CSS pixels. */
function fit(canvas) {
  return fitCanvas(canvas, sizes.get(canvas));
}

// ---- graph room (issue 13) -------------------------------------------------------------------
/** Below this viewport width the computation graph of the lesson networks (13 columns) cannot
 *  write its labels at 12 px beside the settings panel. */
const GRAPH_ROOM_WIDTH = 1280;

/** Turning the computation graph on (or opening a link with graph=1 and no sidebar setting) on
 *  a screen narrower than GRAPH_ROOM_WIDTH hides the settings panel, so that the graph reads
 *  from the back of a lecture room; Settings shows the panel again (the graph then draws
 *  smaller). */
function setupGraphRoom() {
  const makeRoom = () => {
    if (window.innerWidth < GRAPH_ROOM_WIDTH && settingValue('graph') && settingValue('sidebar') && !settingValue('present')) {
      actions.apply({ sidebar: false });
    }
  };
  // After the toggle's own handler has applied graph = on.
  $('setting-graph')?.addEventListener('click', () => queueMicrotask(makeRoom));
  if (!new URLSearchParams(location.search).has('sidebar')) makeRoom();
}
// ---- end graph room ---------------------------------------------------------------------------

/** A recurrent weight's chain rule through time: one row per step with the shown sample's δ_t,
 *  input and term, and the batch's sum for that step. */
function recurrentTerms(caption) {
  const { terms, steps, sample, input } = caption;
  const table = document.createElement('table');
  const cell = (tag, text) => {
    const c = document.createElement(tag);
    c.textContent = text;
    return c;
  };
  const head = document.createElement('tr');
  head.append(...['step t', 'δ_t', input, 'δ_t · ' + input, "the batch's term of step t"].map((t) => { const th = cell('th', t); th.scope = 'col'; return th; }));
  table.append(head);
  for (const t of terms) {
    const tr = document.createElement('tr');
    const th = cell('th', `${t.step}`);
    th.scope = 'row';
    tr.append(th, cell('td', fmt(t.delta, 4)), cell('td', fmt(t.input, 4)), cell('td', fmt(t.term, 4)), cell('td', fmt(steps[t.step - 1], 4)));
    table.append(tr);
  }
  const sum = terms.reduce((a, t) => a + t.term, 0);
  const batchSum = steps.reduce((a, v) => a + v, 0);
  table.prepend(cell('caption', `Sample ${sample + 1}'s ${terms.length} terms δ_t · ${input}, one per step (their sum ${fmt(sum, 4)}), beside each step's term over the batch (their sum ${fmt(batchSum, 4)}, the gradient before clipping)`));
  return table;
}

/** The picked shared weight's chain rule under the network: the sum, and the shown sample's
 *  terms in a table (for a kernel weight: position, δ, x̃, δ · x̃; for a recurrent weight: one
 *  row per time step). */
function updateKernelInfo() {
  const box = $('kernel-info');
  // A pick made on another network (a lesson with other layers since) shows nothing.
  const picked = state.kernel?.type === 'recurrent' ? unrolledShown() && state.kernel.layer === recurrentLayer()
    : state.kernel?.type === 'kernel' && mapsShown();
  box.hidden = !picked;
  if (!picked) return;
  const summary = $('kernel-terms').querySelector('summary');
  if (state.kernel.type === 'recurrent') {
    const caption = recurrentCaption(state.kernel);
    $('kernel-caption').textContent = caption.text;
    summary.textContent = "the shown sample's term at every time step, and the batch's";
    if ($('kernel-terms').open) box.querySelector('.terms').replaceChildren(recurrentTerms(caption));
    return;
  }
  summary.textContent = "the shown sample's terms δ · x̃, one per position";
  const { text, terms, sample } = kernelCaption(state.kernel);
  $('kernel-caption').textContent = text;
  if (!$('kernel-terms').open) return;
  // The terms laid out as the output map: the cell at (row, column) is δ · x̃ of that position.
  const table = document.createElement('table');
  const cell = (tag, text, title = '') => {
    const c = document.createElement(tag);
    c.textContent = text;
    if (title) c.title = title;
    return c;
  };
  const rows = Math.max(0, ...terms.map((t) => t.row)) + 1;
  const columns = Math.max(0, ...terms.map((t) => t.column)) + 1;
  const head = document.createElement('tr');
  head.append(cell('th', ''), ...Array.from({ length: columns }, (_, c) => { const th = cell('th', `col ${c + 1}`); th.scope = 'col'; return th; }));
  table.append(head);
  for (let r = 0; r < rows; r++) {
    const tr = document.createElement('tr');
    const th = cell('th', `row ${r + 1}`);
    th.scope = 'row';
    tr.append(th);
    for (const t of terms.filter((t) => t.row === r)) {
      const from = t.in_padding ? 'padding, x̃ = 0' : `input (${t.input_row + 1}, ${t.input_column + 1})`;
      tr.append(cell('td', fmt(t.term, 3), `δ ${fmt(t.delta, 4)} × x̃ ${fmt(t.input, 4)} (${from})`));
    }
    table.append(tr);
  }
  const sum = terms.reduce((a, t) => a + t.term, 0);
  table.prepend(cell('caption', `Sample ${sample + 1}'s ${terms.length} terms δ · x̃ (hover one for its δ and x̃); their sum ${fmt(sum, 4)}`));
  box.querySelector('.terms').replaceChildren(table);
}

function setupTransport() {
  $('play').addEventListener('click', () => actions.play());
  $('step-phase').addEventListener('click', () => actions.stepPhase());
  $('step-sample').addEventListener('click', () => actions.stepSample());
  $('step-epoch').addEventListener('click', () => actions.stepEpoch());
  $('reset').addEventListener('click', () => actions.resetTraining());
  $('recover-rate').addEventListener('click', () => actions.continueSlower());
  $('undo').addEventListener('click', () => actions.undo());
  $('new-seed').addEventListener('click', () => actions.newSeed());
  const speed = $('speed');
  speed.replaceChildren(...SPEEDS.map((s, k) => {
    const o = document.createElement('option');
    o.value = String(k);
    o.textContent = s.label;
    return o;
  }));
  speed.addEventListener('change', () => actions.setSpeed(Number(speed.value)));
  subscribe(['transport'], () => { speed.value = String(state.speed); });
  speed.value = String(state.speed);
  $('sample-prev').addEventListener('click', () => actions.moveSample(-1));
  $('sample-next').addEventListener('click', () => actions.moveSample(1));
}

/** The one requestAnimationFrame loop: train, then paint what changed. */
function startLoop(paint) {
  let previous = 0;
  const frame = (now) => {
    const t0 = performance.now();
    const before = state.session?.steps() ?? 0;
    actions.advance(now);
    try {
      experimentFrame();
    } catch (error) {
      actions.reportError(error);
    }
    const t1 = performance.now();
    if (state.anim && now - state.anim.start > state.anim.duration + 50) actions.endAnimation();
    if (state.anim) stale.network = true;
    let drawMs = -1;
    if (!state.broken && state.session) {
      try {
        paint(now);
      } catch (error) {
        actions.reportError(error);
      }
      drawMs = performance.now() - t1;
    }
    actions.recordFrame(previous ? now - previous : 0, t1 - t0, drawMs, (state.session?.steps() ?? 0) - before);
    previous = now;
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
}

async function boot() {
  try {
    await loadEngine();
  } catch (error) {
    status.textContent = `The engine could not load: ${error.message}`;
    document.body.dataset.state = 'error';
    return;
  }
  const networkCanvas = $('network');
  const outputCanvas = $('output');
  const chartCanvas = $('loss-chart');
  const mapsCanvas = $('output-maps');
  watchSize(mapsCanvas, 'output');
  watchSize(networkCanvas, 'network');
  watchSize(outputCanvas, 'output');
  watchSize(chartCanvas, 'chart');

  actions.start(location.search);
  const heatmaps = createHeatmaps(state);
  const network = createNetworkView(networkCanvas, state, heatmaps);
  const inspector = createInspector($('inspector'), {
    onClose: () => actions.select(null),
    onSet: (selection, value) => actions.setParameter(selection, value) !== undefined,
  });
  setupTransport();
  setupControls();
  setupGraphRoom();
  setupDataTools();
  setupLessons({ race: (lesson) => raceLesson(lesson, (id) => actions.loadLesson(id)) });
  setupTour();
  setupExperiments();
  setupShare();
  setupKeyboard();
  setupDrawPad();
  const graph = createGraphView($('graph-panel'), { onFocus: (id) => actions.focusGraphNode(id), onSelect: (selection) => actions.select(selection) });
  const images = createImagesView();
  subscribe(['drawing'], () => images.updateDrawing());
  for (const legend of document.querySelectorAll('.scale')) legend.style.background = scaleGradientCss();
  // The style sheet's palette comes from colors.js, the one owner of the page's colours.
  for (const [name, colour] of Object.entries(PALETTE)) document.documentElement.style.setProperty(`--${name}`, colour);

  // Which change repaints what.
  subscribe(['weights', 'position', 'network', 'data', 'view', 'hover', 'settings'], () => { stale.network = true; });
  subscribe(['weights', 'network', 'data', 'view', 'position'], () => { stale.output = true; });
  subscribe(['history', 'view', 'network', 'data'], () => { stale.chart = true; });
  subscribe(['weights', 'position', 'network', 'data', 'history', 'message', 'transport', 'settings'], () => { stale.panels = true; });
  subscribe(['weights', 'position', 'network', 'data'], () => { stale.tables = true; });
  $('numbers').addEventListener('toggle', () => { stale.tables = true; });
  // The banner and the play button at once, even while the engine is broken (no frame paints then).
  subscribe(['message', 'transport'], updateChrome);
  subscribe(['weights', 'position', 'network', 'settings'], () => inspector.refresh());
  subscribe(['view', 'settings', 'data'], () => { updateFrame(); stale.network = true; stale.output = true; stale.chart = true; });
  updateFrame();
  inspector.refresh();

  const maps = createMapsView(networkCanvas);
  const unrolled = createUnrolledView(networkCanvas);
  networkCanvas.addEventListener('click', (e) => {
    if (unrolledShown()) actions.pickKernel(unrolled.hitTest(e.offsetX, e.offsetY));
    else if (mapsShown()) actions.pickKernel(maps.hitTest(e.offsetX, e.offsetY));
    else actions.select(network.hitTest(e.offsetX, e.offsetY));
  });
  networkCanvas.addEventListener('mousemove', (e) => {
    const shared = unrolledShown() ? unrolled : mapsShown() ? maps : null;
    if (shared) {
      networkCanvas.style.cursor = shared.hitTest(e.offsetX, e.offsetY) ? 'pointer' : 'default';
      return;
    }
    const hit = network.hitTest(e.offsetX, e.offsetY);
    networkCanvas.style.cursor = hit ? 'pointer' : 'default';
    actions.hover(hit, e.offsetX, e.offsetY);
  });
  networkCanvas.addEventListener('mouseleave', () => actions.hover(null, 0, 0));

  let chartAt = 0;
  let kernelAt = 0;
  $('kernel-terms').addEventListener('toggle', updateKernelInfo);
  let tablesAt = 0;
  let samplesAt = 0;
  startLoop((now) => {
    if (stale.network || stale.output) {
      const layout = network.layout();
      const behind = heatmaps.update(state.controls.heatmaps?.value && !imageMode(state.info) && (!layout || layout.size >= 14));
      stale.output ||= behind;
      if (behind) stale.network = true;
    }
    if (stale.network) {
      stale.network = false;
      if (unrolledShown() || mapsShown()) {
        (unrolledShown() ? unrolled : maps).draw(now, fit(networkCanvas));
        if (!state.playing || now - kernelAt > 250) {
          kernelAt = now;
          updateKernelInfo();
        }
      } else {
        network.draw(now, fit(networkCanvas));
        $('kernel-info').hidden = true;
      }
    }
    if (stale.output && imageMode(state.info)) {
      // Images and codes in place of the output plane (a forward pass over the test images).
      if (!state.playing || now - samplesAt > 250) {
        samplesAt = now;
        stale.output = false;
        images.update();
      }
    } else if (stale.output) {
      stale.output = false;
      images.update(); // hides the images view
      const out = fit(outputCanvas);
      const octx = outputCanvas.getContext('2d');
      octx.setTransform(out.dpr, 0, 0, out.dpr, 0, 0);
      heatmaps.drawOutput(outputCanvas, octx, out);
      if (!state.playing || now - samplesAt > 250) {
        samplesAt = now;
        updateSamples();
      } else {
        stale.output = true;
      }
      // Several outputs: each one's own map below the plane.
      mapsCanvas.hidden = state.shape[state.shape.length - 1] < 2 || state.info.dims > 2;
      if (!mapsCanvas.hidden) {
        const maps = fit(mapsCanvas);
        const mctx = mapsCanvas.getContext('2d');
        mctx.setTransform(maps.dpr, 0, 0, maps.dpr, 0, 0);
        if (maps.w > 0) heatmaps.drawOutputMaps(mapsCanvas, mctx, maps);
      }
    }
    // The chart redraws when a point was added (at most ~12 times a second while playing).
    if (stale.chart && (!state.playing || now - chartAt > 80)) {
      const chart = fit(chartCanvas);
      if (chart.w > 0) {
        drawChart(chartCanvas, chart.dpr);
        chartAt = now;
        stale.chart = false;
      }
    }
    if (stale.panels) {
      stale.panels = false;
      updatePanels();
    }
    announce(now, $('phase-caption').textContent);
    if (stale.tables && (!state.playing || now - tablesAt > 500)) {
      stale.tables = false;
      tablesAt = now;
      updateTables();
    }
    updateMetrics(now);
    graph.draw(now);
    drawExperiment(now);
  });

  // The browser tests' read-only handle (and curious students' in the console): what the
  // page shows, read through the session's getters; nothing here changes anything.
  const session = () => state.session;
  window.app = Object.freeze({
    Buffer,
    view: (buffer, layer) => view(session(), buffer, layer),
    session: Object.freeze({
      steps: () => session().steps(),
      epochs: () => session().epochs(),
      loss: () => session().loss(),
      learningRate: () => session().learningRate(),
      updateLearningRate: () => session().updateLearningRate(),
      datasetLoss: (test = false) => session().datasetLoss(test),
      config: () => session().config(),
      settings: () => session().settings(),
      controls: () => session().controlState(),
      shape: () => Array.from(session().shape()),
      dataInfo: () => session().dataInfo(),
      coords: (test = false) => Array.from(session().coords(test)),
      labels: (test = false) => Array.from(session().labels(test)),
      position: () => session().position(),
      /** The current lesson's tour (src/tour.rs), or null. */
      tour: () => session().tour(),
      progress: () => session().progress(),
      nextPhase: () => session().nextPhase(),
      batchLength: () => session().batchLength(),
      chainRule: (layer, neuron, input) => session().chainRule(layer, neuron, input),
      kernelChainRule: (layer, out, input, row, column) => session().kernelChainRule(layer, out, input, row, column),
      recurrentChainRule: (layer, row, column) => session().recurrentChainRule(layer, row, column),
      recurrentStepNorms: (layer) => session().recurrentStepNorms(layer),
      metrics: (test = true) => session().metrics(test),
      /** Layer `layer`'s activations for rows of raw coordinates (a forward pass, no training). */
      activationsOf: (coords, layer) => Array.from(session().activationsOf(Float64Array.from(coords), layer)),
      history: () => ({ steps: Array.from(session().historySteps()), train: Array.from(session().historyTrain()), test: Array.from(session().historyTest()) }),
      /** The step at which training exploded, as the loss chart marks it (undefined: it did not). */
      historyDivergedAt: () => session().historyDivergedAt(),
      exportModel: () => session().exportModel(),
      link: () => session().link(),
      finished: () => session().finished(),
    }),
    page: Object.freeze({
      playing: () => state.playing,
      broken: () => state.broken,
      speed: () => state.speed,
      message: () => ({ ...state.message }),
      anim: () => (state.anim ? { ...state.anim } : null),
      stats: () => ({ ...state.stats }),
      catalogue: () => state.catalogue,
    }),
    /** Where things are drawn on the network canvas (CSS pixels), for tests that click. */
    layout: () => network.layout(),
    /** What a click at (x, y) on the network canvas (CSS pixels) would select. */
    hitTest: (x, y) => network.hitTest(x, y),
    /** The computation graph view: its labels ([{kind, id?, text, x, y, w, h}]), layout and graph. */
    graph: Object.freeze({ labels: () => graph.labels(), layout: () => graph.layout(), graph: () => graph.graph(), hitTest: (x, y) => graph.hitTest(x, y), rings: () => graph.rings(), unfolded: () => graph.unfolded() }),
    /** The maps view of a convolutional network: whether it is shown, its titles and kernel cells. */
    maps: Object.freeze({ shown: () => mapsShown(), labels: () => maps.labels(), kernelCells: () => maps.kernelCells(), picked: () => state.kernel }),
    /** The unrolled view of a recurrent network: whether it is shown, its labels, bars and cells. */
    unrolled: Object.freeze({ shown: () => unrolledShown(), labels: () => unrolled.labels(), bars: () => unrolled.bars(), cells: () => unrolled.cells(), picked: () => state.kernel }),
    /** The tour: which stop it shows, its question and the verdict (tour_view.js). */
    tour: Object.freeze({ state: () => tourState() }),
    /** The labels the network view drew in its last frame: [{kind, text, x, y, w, h}]. */
    labels: () => network.labels(),
    experiment: Object.freeze({
      /** Each run: its label, steps, error, whether done, last training loss, how many points
       *  its curve has, and its session's config (what the run trains: η, optimizer, seed…). */
      runs: () => experiment.runs.map((r) => ({ label: r.label, steps: r.session?.steps() ?? 0, error: r.error, done: r.done, train: r.train.at(-1),
        points: r.steps.length, config: r.session?.config() ?? null })),
      running: () => experiment.running,
    }),
    /** Makes the engine panic, for the recovery test: the error goes where any engine error goes. */
    internalErrorForTests: () => {
      try {
        internalErrorForTests();
      } catch (error) {
        actions.reportError(error);
      }
    },
  });
  // A link to the digits is ready once they are fetched and the link opened again.
  await actions.digitsSettled();
  status.textContent = 'Engine loaded.';
  document.body.dataset.state = 'ready';
}

boot().catch((error) => {
  // A failure while building the page leaves no page to show a banner on: say it where the
  // loading message was, and tell whoever waits for "ready" (the tests, an embedding).
  status.textContent = `The page could not start: ${error.message}`;
  document.body.dataset.state = 'error';
  console.error(error);
});
