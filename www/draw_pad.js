// The digits pad's controls: draw a digit with the mouse, a pen or a finger (a stroke inks
// the pixels it crosses; the right button or Shift erases), or from the keyboard (arrows move
// the cell, Space or Enter inks or clears it, C clears the pad). The pad's image goes to the
// network as it is drawn (images_view.js paints the answer).

import { state } from './state.js';
import * as actions from './actions.js';

const $ = (id) => document.getElementById(id);

export function setupDrawPad() {
  const pad = $('draw-pad');
  let stroking = false;
  let erasing = false;

  /** The pixel under a pointer event, or −1. */
  const pixelAt = (e) => {
    const image = state.info?.image;
    if (!image) return -1;
    const rect = pad.getBoundingClientRect();
    const c = Math.floor(((e.clientX - rect.left) / rect.width) * image.width);
    const r = Math.floor(((e.clientY - rect.top) / rect.height) * image.height);
    return r >= 0 && r < image.height && c >= 0 && c < image.width ? r * image.width + c : -1;
  };
  const ink = (e) => {
    const k = pixelAt(e);
    if (k >= 0) actions.inkPixel(k, erasing);
  };

  pad.addEventListener('pointerdown', (e) => {
    stroking = true;
    erasing = e.button === 2 || e.shiftKey;
    pad.setPointerCapture(e.pointerId);
    ink(e);
    e.preventDefault();
  });
  pad.addEventListener('pointermove', (e) => { if (stroking) ink(e); });
  const end = () => { stroking = false; };
  pad.addEventListener('pointerup', end);
  pad.addEventListener('pointercancel', end);
  pad.addEventListener('contextmenu', (e) => e.preventDefault());

  pad.addEventListener('focus', () => actions.moveDrawCursor(Math.max(0, state.drawCursor)));
  pad.addEventListener('blur', () => actions.moveDrawCursor(state.drawCursor));
  pad.addEventListener('keydown', (e) => {
    const image = state.info?.image;
    if (!image || e.ctrlKey || e.metaKey || e.altKey) return;
    const k = Math.max(0, state.drawCursor);
    const r = Math.floor(k / image.width);
    const c = k % image.width;
    const move = {
      ArrowLeft: [0, -1], ArrowRight: [0, 1], ArrowUp: [-1, 0], ArrowDown: [1, 0],
    }[e.key];
    if (move) {
      const rr = Math.min(image.height - 1, Math.max(0, r + move[0]));
      const cc = Math.min(image.width - 1, Math.max(0, c + move[1]));
      actions.moveDrawCursor(rr * image.width + cc);
    } else if (e.key === ' ' || e.key === 'Enter') {
      actions.setPixel(k, state.drawnImage[k] > 0 ? 0 : 1);
    } else if (e.key === 'c' || e.key === 'C' || e.key === 'Delete') {
      actions.clearDrawing();
    } else {
      return;
    }
    // The pad's keys are its own, not the page's shortcuts (→ steps a phase elsewhere).
    e.preventDefault();
    e.stopPropagation();
  });

  $('draw-clear').addEventListener('click', () => actions.clearDrawing());
  $('draw-copy').addEventListener('click', () => actions.copyTestImage());
}
