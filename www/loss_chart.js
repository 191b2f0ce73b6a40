// The loss chart: the session's loss history (src/history.rs), drawn by Rust with
// plotters-canvas (src/wasm_chart.rs). Read only.

import { state } from './state.js';

/** Draws the chart on `canvas` (sized by the caller for the device pixel ratio). */
export function drawChart(canvas, dpr) {
  state.session.drawLossChart(canvas, dpr);
}
