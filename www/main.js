// Boot: load the engine, build the first network, wire the views, start the frame loop.
//
// Modules by role: state.js (the one state object, engine building, messages), controls.js,
// training.js (actions and the frame loop), network_view.js, heatmaps.js, loss_chart.js,
// inspector.js, panels.js (read-outs), keyboard.js (shortcuts and help), colors.js; data:
// data.js (the engine's DataSet), data_controls.js; metrics.js; lessons.js; experiments.js;
// share.js (links, model and CSV files, PNG); files.js.

import { loadEngine, Buffer, view, internalErrorForTests } from './engine.js';
import { fitCanvas } from './canvas.js';
import { state, rebuild, onChange, onReset, reportError } from './state.js';
import { setupControls, syncControls } from './controls.js';
import { startLoop, restartHistory } from './training.js';
import { createNetworkView } from './network_view.js';
import { createHeatmaps } from './heatmaps.js';
import { history, drawChart } from './loss_chart.js';
import { createInspector } from './inspector.js';
import { updatePanels } from './panels.js';
import { setupKeyboard } from './keyboard.js';
import { scaleGradientCss } from './colors.js';
import { updateMetrics } from './metrics.js';
import { setupLessons, syncLesson, loadLesson } from './lessons.js';
import { setupExperiments, experimentFrame, drawExperiment, raceLesson, experiment } from './experiments.js';
import { setupShare, openLink } from './share.js';

const $ = (id) => document.getElementById(id);
const status = $('engine-status');

/** CSS sizes of the canvases, kept by a ResizeObserver so frames never force a layout. */
const sizes = new Map();

function watchSize(canvas) {
  new ResizeObserver(([entry]) => {
    const { width, height } = entry.contentRect;
    sizes.set(canvas, { w: Math.round(width), h: Math.round(height) });
    state.dirty = true;
    state.chartStale = true;
  }).observe(canvas);
}

/** Sizes the backing store for the device pixel ratio; returns {w, h, dpr} in CSS pixels. */
function fit(canvas) {
  return fitCanvas(canvas, sizes.get(canvas));
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
  [networkCanvas, outputCanvas, chartCanvas].forEach(watchSize);

  const heatmaps = createHeatmaps(state);
  const network = createNetworkView(networkCanvas, state, heatmaps);
  const inspector = createInspector($('inspector'));
  onReset(restartHistory);
  onChange(() => inspector.refresh());
  onChange(() => syncLesson());
  setupControls();
  setupLessons({ experiment: (lesson) => raceLesson(lesson, (id) => loadLesson(id)) });
  setupExperiments();
  setupShare();
  setupKeyboard({ inspector });
  for (const legend of document.querySelectorAll('.scale')) legend.style.background = scaleGradientCss();

  networkCanvas.addEventListener('click', (e) => {
    const hit = network.hitTest(e.offsetX, e.offsetY);
    if (hit) inspector.open(hit);
    else inspector.close();
  });
  networkCanvas.addEventListener('mousemove', (e) => {
    state.hover = network.hitTest(e.offsetX, e.offsetY);
    state.hoverAt = { x: e.offsetX, y: e.offsetY };
    networkCanvas.style.cursor = state.hover ? 'pointer' : 'default';
    state.dirty = true;
  });
  networkCanvas.addEventListener('mouseleave', () => {
    state.hover = null;
    state.dirty = true;
  });

  // A link opens the state it describes (with a message for anything it could not read).
  if (!openLink(location.search) && !rebuild(null, { withData: true })) {
    status.textContent = 'The engine refused the starting settings (see the message above).';
    document.body.dataset.state = 'error';
    return;
  }
  syncControls();
  syncLesson();

  let chartDrawn = -1;
  let chartAt = 0;
  startLoop((now) => {
    const networkSize = fit(networkCanvas);
    const layout = network.layout();
    heatmaps.update(state.settings.thumbnails && (!layout || layout.size >= 20));
    network.draw(now, networkSize);
    const out = fit(outputCanvas);
    const octx = outputCanvas.getContext('2d');
    octx.setTransform(out.dpr, 0, 0, out.dpr, 0, 0);
    heatmaps.drawOutput(outputCanvas, octx, out);
    // The chart redraws when a point was added (at most ~12 times a second while playing).
    if ((history.version !== chartDrawn || state.chartStale) && (!state.playing || now - chartAt > 80)) {
      const chart = fit(chartCanvas);
      if (chart.w > 0) {
        drawChart(chartCanvas, state.settings.logScale, chart.dpr);
        chartDrawn = history.version;
        chartAt = now;
        state.chartStale = false;
      }
    } else if (history.version !== chartDrawn) {
      state.dirty = true;
    }
    updatePanels();
    updateMetrics(now);
  }, (now) => {
    experimentFrame();
    if (experiment.running) state.dirty = true;
    drawExperiment(now);
  });

  // A small read-only hook for the end-to-end tests (and curious students in the console).
  window.app = {
    state,
    history,
    Buffer,
    view: (buffer, layer) => view(state.engine, buffer, layer),
    /** Where things are drawn on the network canvas (CSS pixels), for tests that click. */
    layout: () => network.layout(),
    experiment,
    /** Makes the engine panic, for the recovery test: the error goes where any engine error goes. */
    internalErrorForTests: () => {
      try {
        internalErrorForTests();
      } catch (error) {
        reportError(error);
      }
    },
  };
  status.textContent = 'Engine loaded.';
  document.body.dataset.state = 'ready';
}

boot().catch(reportError);
