// Lessons: the engine's presets (src/presets.rs) in the sidebar. Loading one sets the network
// (with its given weights), the data (or the exact samples), the settings, and shows its text
// and its variants: load a variant, or race them all in an experiment.

import { lessons as engineLessons } from './engine.js';
import { state, rebuild, reportError } from './state.js';
import { generateData, pointsData, samplesData } from './data.js';
import { syncControls } from './controls.js';

const $ = (id) => document.getElementById(id);

let all = [];
let openExperiment = () => {};

/** The lessons, as the engine gives them. */
export function lessonList() {
  return all;
}

export function lessonById(id) {
  return all.find((l) => l.id === id) ?? null;
}

/** `experiment(variants, label)` is called by the card's "race the variants" button. */
export function setupLessons({ experiment }) {
  all = engineLessons();
  openExperiment = experiment;
  const select = $('lesson');
  const none = document.createElement('option');
  none.value = '';
  none.textContent = '— free play —';
  select.replaceChildren(none, ...all.map((l, k) => {
    const o = document.createElement('option');
    o.value = l.id;
    o.textContent = `${k + 1}. ${l.title}`;
    return o;
  }));
  select.addEventListener('change', () => {
    if (select.value) loadLesson(select.value);
    else {
      state.settings.lesson = null;
      syncLesson();
    }
  });
}

/** Loads lesson `id` (its variant `variant` if given). Returns true on success. */
export function loadLesson(id, variant = -1) {
  const lesson = lessonById(id);
  if (!lesson) {
    reportError(new Error(`there is no lesson called "${id}"`));
    return false;
  }
  const session = variant >= 0 ? lesson.variants[variant].session : lesson.session;
  const what = variant >= 0 ? `${lesson.title}: ${lesson.variants[variant].label}` : lesson.title;
  const ok = applySession(session, lesson.samples, `Lesson loaded: ${what}.`);
  if (ok) state.lessonVariant = variant;
  syncLesson();
  return ok;
}

/**
 * Makes the page what a session describes (a lesson's or a link's): settings, data (the
 * `samples` if given), and the network with its weights. A refusal keeps what was there.
 */
export function applySession(session, samples, why) {
  const s = state.settings;
  const previous = structuredClone(s);
  s.features = [...session.features];
  s.scaling = session.scaling;
  s.points = session.data.points;
  s.noise = session.data.noise;
  s.testRatio = session.data.test_ratio;
  s.dataSeed = session.data.seed;
  s.lesson = session.lesson ?? null;
  s.dataset = samples ? 'samples' : session.points ? 'custom' : session.data.problem;
  let data;
  try {
    if (samples) {
      const layers = session.network.layers;
      data = samplesData(samples, session.network.inputs, layers[layers.length - 1].units, 'the lesson\'s samples');
    } else if (session.points) {
      data = pointsData(session.points, 'the link\'s points', s);
    } else {
      data = generateData(s);
    }
  } catch (error) {
    Object.assign(s, previous);
    reportError(error);
    syncControls();
    return false;
  }
  const ok = rebuild(why, { data, config: session.network, previous });
  syncControls();
  return ok;
}

/** Shows the lesson card for the current lesson. */
export function syncLesson() {
  const id = state.settings.lesson;
  const lesson = id ? lessonById(id) : null;
  $('lesson').value = lesson ? lesson.id : '';
  $('lesson-card').hidden = !lesson;
  if (!lesson) return;
  $('lesson-title').textContent = lesson.title;
  $('lesson-text').textContent = lesson.text;
  const box = $('lesson-variants');
  const buttons = lesson.variants.map((v, k) => {
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'small';
    b.textContent = v.label;
    b.title = `load the variant "${v.label}"`;
    b.dataset.variant = String(k);
    b.classList.toggle('active', state.lessonVariant === k);
    b.addEventListener('click', () => loadLesson(lesson.id, k));
    return b;
  });
  if (lesson.variants.length >= 2) {
    const race = document.createElement('button');
    race.type = 'button';
    race.className = 'small race';
    race.textContent = `▶ compare all ${lesson.variants.length} side by side`;
    race.addEventListener('click', () => openExperiment(lesson));
    buttons.push(race);
  }
  box.replaceChildren(...buttons);
}
