// The lesson menu and card: the engine's lessons (src/presets.rs). Choosing one loads it
// through the session exactly as a `?lesson=` link does; the card shows its text and its
// variants: load a variant, or race them all in an experiment. Events → actions.

import { state, subscribe } from './state.js';
import { loadLesson, leaveLesson } from './actions.js';
import { placeControl } from './controls.js';

const $ = (id) => document.getElementById(id);

/** `race(lesson)` is called by the card's "compare all side by side" button. */
export function setupLessons({ race }) {
  const select = $('lesson');
  const none = document.createElement('option');
  none.value = '';
  none.textContent = '— free play —';
  select.replaceChildren(none, ...state.lessons.map((l, k) => {
    const o = document.createElement('option');
    o.value = l.id;
    o.textContent = `${k + 1}. ${l.title}`;
    return o;
  }));
  select.addEventListener('change', () => {
    if (select.value) loadLesson(select.value);
    else leaveLesson();
  });
  subscribe(['settings'], () => syncLesson(race));
  syncLesson(race);
}

/** The current lesson, or null. */
export function currentLesson() {
  const id = state.session?.settings().lesson;
  return state.lessons.find((l) => l.id === id) ?? null;
}

/** The settings the current lesson shows in its card (borrowed from the settings panel). */
let featured = [];

function syncLesson(race) {
  const lesson = currentLesson();
  $('lesson').value = lesson ? lesson.id : '';
  $('lesson-card').hidden = !lesson;
  const wanted = lesson?.controls ?? [];
  for (const key of featured) if (!wanted.includes(key)) placeControl(key, null);
  for (const key of wanted) placeControl(key, $('lesson-controls'));
  featured = wanted;
  if (!lesson) return;
  $('lesson-title').textContent = lesson.title;
  $('lesson-text').textContent = lesson.text;
  const variant = state.session.lessonVariant();
  const buttons = lesson.variants.map((label, k) => {
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'small';
    b.textContent = label;
    b.title = `load the variant "${label}"`;
    b.dataset.variant = String(k);
    b.classList.toggle('active', variant === k);
    b.setAttribute('aria-pressed', String(variant === k));
    b.addEventListener('click', () => loadLesson(lesson.id, k));
    return b;
  });
  if (lesson.variants.length >= 2) {
    const compare = document.createElement('button');
    compare.type = 'button';
    compare.className = 'small race';
    compare.textContent = `▶ compare all ${lesson.variants.length} side by side`;
    compare.addEventListener('click', () => race(lesson));
    buttons.push(compare);
  }
  $('lesson-variants').replaceChildren(...buttons);
}
