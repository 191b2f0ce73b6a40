// The loss chart: the session's loss history (src/history.rs), drawn by Rust with
// plotters-canvas (src/wasm_chart.rs). Read only.

import { state } from './state.js';
import { COLOURS } from './colors.js';

const hex = (css) => parseInt(css.slice(1), 16);

/** Draws the chart on `canvas` (sized by the caller for the device pixel ratio), in the
 *  page's colours for the training and test losses (the legend's). */
export function drawChart(canvas, dpr) {
  state.session.drawLossChart(canvas, dpr, hex(COLOURS.train), hex(COLOURS.test));
}
