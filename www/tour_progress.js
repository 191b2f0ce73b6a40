// What a student has done in the lessons' tours, kept in this browser's local storage under
// one key: per lesson, the stop reached, whether the tour was finished, and each checkpoint's
// verdict. Storage can be missing or refuse (a private window, a sandboxed embedding, a full
// quota): progress then lasts as long as the page. A damaged entry reads as no progress.
// Storage is read once per page and written on every change (the tour bar reads its progress
// each frame while training plays).

const KEY = 'backprop-viz.tours';
/** Every lesson's progress, as read from storage at the first call (null: not read yet). */
let memory = null;

function read() {
  if (memory) return memory;
  memory = {};
  try {
    const text = globalThis.localStorage?.getItem(KEY);
    const all = text ? JSON.parse(text) : {};
    if (all && typeof all === 'object' && !Array.isArray(all)) memory = all;
  } catch {
    // No storage, or a damaged entry: no progress.
  }
  return memory;
}

function write(all) {
  memory = all;
  try {
    globalThis.localStorage?.setItem(KEY, JSON.stringify(all));
  } catch {
    // Kept in `memory`: the tour goes on without storage.
  }
}

/** Lesson `lesson`'s progress: {stop, finished, answers: {[stop]: {correct, mistake}}}. */
export function progressOf(lesson) {
  const saved = read()[lesson];
  const stop = Number.isInteger(saved?.stop) && saved.stop >= 0 ? saved.stop : 0;
  const answers = saved?.answers && typeof saved.answers === 'object' ? saved.answers : {};
  return { stop, finished: saved?.finished === true, answers };
}

/** Replaces lesson `lesson`'s progress. */
export function saveProgress(lesson, progress) {
  write({ ...read(), [lesson]: progress });
}

/** Forgets every lesson's progress. */
export function clearProgress() {
  memory = {};
  try {
    globalThis.localStorage?.removeItem(KEY);
  } catch {
    // Nothing was stored.
  }
}
