// Canvases drawn at the screen's resolution: the backing store follows the CSS size times
// devicePixelRatio, so lines and text stay sharp on any screen.

/** Resizes `canvas`'s backing store to `size` (CSS pixels; by default its own) × devicePixelRatio.
 *  Returns { w, h, dpr }, the CSS size and the ratio to draw with. */
export function fitCanvas(canvas, size = { w: canvas.clientWidth, h: canvas.clientHeight }) {
  const dpr = window.devicePixelRatio || 1;
  const width = Math.max(1, Math.round(size.w * dpr));
  const height = Math.max(1, Math.round(size.h * dpr));
  if (canvas.width !== width || canvas.height !== height) {
    canvas.width = width;
    canvas.height = height;
  }
  return { w: size.w, h: size.h, dpr };
}
