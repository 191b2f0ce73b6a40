// The lesson's guided tour (src/tour.rs), in a bar above the network: stop k of n, its
// sentence, and what it names to look at highlighted (a phase chip, or a neuron, an edge or a
// graph node selected, which the layer view, the graph and the inspector all show). At a
// checkpoint the student computes the next number before the engine does: picks one of the
// engine's choices (the wrong ones are common mistakes, src/checkpoint.rs) or types it, and the
// engine judges it; "Step to see" then runs the phase. Progress is kept in local storage
// (tour_progress.js). Events → actions; the tour's place (which stop) is this view's own.

import { state, subscribe, value, phaseKey } from './state.js';
import * as actions from './actions.js';
import { fmt } from './colors.js';
import { progressOf, saveProgress, clearProgress } from './tour_progress.js';

const $ = (id) => document.getElementById(id);

/** The current lesson's id (null: free play) and its tour (null: none). */
let lessonId = null;
let tour = null;
/** The stop shown, or −1 before the tour starts (or after it ends). */
let at = -1;
/** The shown stop's checkpoint: {checkpoint, where, verdict, chosen} (null: no question).
 *  `where` is the session's place when it was asked: once a phase runs or is undone, the
 *  question is past (the engine's answer is on screen). */
let asked = null;

/** Where the session stands, to tell whether the question's phase has run since. */
function where() {
  return `${state.session.steps()}:${state.progress}`;
}

const past = () => asked !== null && asked.where !== where();


/** "1 000" → 1000, "0,25" → 0.25, "−1.5e−3" → −0.0015; NaN for anything else. */
export function parseAnswer(text) {
  const cleaned = text.trim().replace(/[−–]/g, '-').replace(/\s/g, '').replace(',', '.');
  return /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(cleaned) ? Number(cleaned) : NaN;
}

function questions() {
  return tour ? tour.stops.filter((s) => s.checkpoint).length : 0;
}

function score(progress) {
  const verdicts = Object.values(progress.answers);
  return { answered: verdicts.length, right: verdicts.filter((v) => v?.correct).length };
}

/** Selects what stop `stop` names, so every view shows it. */
function highlight(stop) {
  const target = stop.target;
  if (target.kind === 'neuron' || target.kind === 'edge') {
    actions.select({ type: target.kind, layer: target.layer, neuron: target.neuron, input: target.input });
  } else if (target.kind === 'node') {
    const graph = state.session.computationGraph(state.position.sample);
    const node = graph.nodes.find((n) => n.label === target.label);
    const place = node?.place;
    if (place) {
      actions.select(place.input === null ? { type: 'neuron', layer: place.layer, neuron: place.neuron }
        : { type: 'edge', layer: place.layer, neuron: place.neuron, input: place.input });
    } else if (state.position.selection) actions.select(null);
    actions.focusGraphNode(node ? node.id : null);
  } else if (state.position.selection) {
    actions.select(null);
  }
}

/** Shows stop `k` (0-based), bringing the session to its place. */
export function goTo(k) {
  if (!tour) return;
  const stop = Math.max(0, Math.min(tour.stops.length - 1, k));
  if (actions.goToStop(stop) === undefined) return; // refused: the banner says why
  at = stop;
  $('tour-typed').value = '';
  delete $('tour-feedback').dataset.verdict;
  const progress = progressOf(lessonId);
  const question = tour.stops[stop].checkpoint ? actions.transact((s) => s.checkpoint(stop)) : null;
  asked = question && question !== true ? { checkpoint: question, where: where(), verdict: null, chosen: null, buttons: [] } : null;
  if (asked) {
    // The choices' buttons are made once per question; each render sets only their state.
    asked.buttons = question.choices.map((choice, k) => {
      const b = button(`${k + 1}: ${fmt(choice.value, 4)}`, () => choose(k));
      b.dataset.choice = String(k);
      b.title = `answer ${fmt(choice.value, 10)} (key ${k + 1})`;
      b.setAttribute('aria-label', `choice ${k + 1}: ${fmt(choice.value, 4)}`);
      return b;
    });
    $('tour-choices').replaceChildren(...asked.buttons);
  }
  saveProgress(lessonId, { ...progress, stop });
  highlight(tour.stops[stop]);
  render();
}

/** Starts the tour where the student left it (or at its first stop). */
export function startTour() {
  if (!tour) return;
  const progress = progressOf(lessonId);
  goTo(progress.finished ? 0 : progress.stop);
}

export function nextStop() {
  if (!tour) return;
  if (at < 0) startTour();
  else if (at < tour.stops.length - 1) goTo(at + 1);
  else finish();
}

export function previousStop() {
  if (tour && at > 0) goTo(at - 1);
}

function finish() {
  const progress = progressOf(lessonId);
  saveProgress(lessonId, { ...progress, stop: 0, finished: true });
  const { right, answered } = score(progress);
  endTour();
  actions.say(`Tour finished: ${right} of the ${answered} question${answered === 1 ? '' : 's'} you answered right at the first try (the tour asks ${questions()}).`);
}

export function endTour() {
  at = -1;
  asked = null;
  actions.focusGraphNode(null);
  render();
}

/** Judges `answer` (a number) for the shown checkpoint; `chosen` is the choice's index, if any. */
function judge(answer, chosen = null) {
  if (!asked || past()) return;
  const verdict = actions.transact((s) => s.answer(at, answer));
  if (!verdict || verdict === true) return;
  asked.verdict = verdict;
  asked.chosen = chosen;
  // The tally keeps the first answer to each question: what the student knew before the
  // engine told them.
  const progress = progressOf(lessonId);
  if (!progress.answers[at]) {
    saveProgress(lessonId, { ...progress, answers: { ...progress.answers, [at]: { correct: verdict.correct, mistake: verdict.mistake } } });
  }
  render();
}

/** Picks choice `n` (from 0) of the shown checkpoint (keys 1–4). */
export function choose(n) {
  const choice = asked?.checkpoint.choices[n];
  if (choice) judge(choice.value, n);
}

function setup() {
  $('tour-start').addEventListener('click', () => startTour());
  $('tour-restart').addEventListener('click', () => goTo(0));
  $('tour-back').addEventListener('click', () => previousStop());
  $('tour-next').addEventListener('click', () => nextStop());
  $('tour-end').addEventListener('click', () => endTour());
  $('tour-clear').addEventListener('click', () => {
    clearProgress();
    actions.say('Your tour progress is cleared: every tour starts again at its first stop.');
    render();
  });
  $('tour-see').addEventListener('click', () => actions.stepPhase());
  $('tour-check').addEventListener('submit', (e) => {
    e.preventDefault();
    const input = $('tour-typed');
    const typed = parseAnswer(input.value);
    if (Number.isNaN(typed)) {
      // The typed text stays, to be mended.
      $('tour-feedback').textContent = input.value.trim()
        ? `"${input.value.trim()}" is not a number: type a decimal such as 0.25, −1.5 or 2e−3.`
        : 'Type a number first, or pick one of the choices.';
      $('tour-feedback').dataset.verdict = 'invalid';
      return;
    }
    judge(typed);
  });
}

/** Follows the lesson: a new lesson brings its own tour (not started). */
function syncLesson() {
  const id = state.session.settings().lesson ?? null;
  if (id !== lessonId) {
    lessonId = id;
    tour = id ? state.session.tour() : null;
    at = -1;
    asked = null;
    $('tour-typed').value = '';
  }
  render();
}

function button(text, onClick) {
  const b = document.createElement('button');
  b.type = 'button';
  b.className = 'small';
  b.textContent = text;
  b.addEventListener('click', onClick);
  return b;
}

/** "From: x₁ = 0.5, w¹₁₁ = 0.4", or with several samples "From: w²₁₁ = 0.3, B = 4;
 *  sample 1: ŷ₁ = 0.51, y₁ = 0; sample 2: …": the engine's numbers the answer is made of. */
export function givenText(given) {
  const write = (g) => `${g.symbol} = ${fmt(g.value, 4)}`;
  const samples = [...new Set(given.filter((g) => g.sample !== null).map((g) => g.sample))];
  const shared = given.filter((g) => g.sample === null).map(write);
  if (samples.length <= 1) return `From: ${[...given.filter((g) => g.sample !== null).map(write), ...shared].join(', ')}.`;
  const per = samples.map((s) => `sample ${s + 1}: ${given.filter((g) => g.sample === s).map(write).join(', ')}`);
  return `From: ${[shared.join(', '), ...per].filter(Boolean).join('; ')}.`;
}

function renderCheckpoint() {
  const form = $('tour-check');
  form.hidden = !asked;
  if (!asked) return;
  const { checkpoint: c, verdict, chosen } = asked;
  const over = past();
  const shown = value('answers');
  $('tour-prompt').textContent = c.prompt
    + (shown ? ` (answer, shown for the demo: ${c.symbol} = ${fmt(c.answer, 6)})` : '') + ':';
  $('tour-given').textContent = givenText(c.given);
  asked.buttons.forEach((b, k) => {
    const picked = Boolean(verdict) && chosen === k;
    b.setAttribute('aria-pressed', String(chosen === k));
    b.disabled = over;
    b.classList.toggle('right', (picked || shown) && c.choices[k].mistake === null && (shown || verdict.correct));
    b.classList.toggle('wrong', picked && !verdict.correct);
  });
  $('tour-typed').disabled = over;
  form.querySelector('button[type=submit]').disabled = over;
  $('tour-see').disabled = over;
  const feedback = $('tour-feedback');
  if (over) {
    const yours = !verdict ? '' : verdict.correct ? 'You had it: ' : `You answered ${fmt(verdict.typed, 6)}; `;
    feedback.textContent = `${yours}the engine computed ${c.symbol} = ${fmt(c.answer, 6)}, on screen now.`;
    feedback.dataset.verdict = verdict ? String(verdict.correct) : 'past';
  } else if (verdict) {
    feedback.textContent = `${verdict.feedback}${verdict.correct ? ' Step to see the engine compute it (→).' : ''}`;
    feedback.dataset.verdict = String(verdict.correct);
  } else if (feedback.dataset.verdict !== 'invalid') {
    feedback.textContent = `Pick a choice, or type it: a typed answer counts ${c.tolerance_text}.`;
    delete feedback.dataset.verdict;
  }
}

function render() {
  const section = $('tour');
  section.hidden = !tour;
  $('tour-tools').hidden = !tour;
  if (!tour) return;
  const n = tour.stops.length;
  const active = at >= 0;
  const progress = progressOf(lessonId);
  const { right, answered } = score(progress);
  const tally = answered ? ` · ${right} of ${answered} right at the first try` : '';
  $('tour-progress').textContent = active ? `Stop ${at + 1} of ${n}${tally}` : `${n} stops, ${questions()} questions${tally}`;
  section.dataset.active = String(active);
  const resume = !progress.finished && progress.stop > 0;
  $('tour-start').hidden = active;
  $('tour-start').textContent = resume ? `Resume at stop ${progress.stop + 1}` : progress.finished ? 'Start the tour again' : 'Start the tour';
  $('tour-restart').hidden = active || !resume;
  for (const id of ['tour-back', 'tour-next', 'tour-end']) $(id).hidden = !active;
  $('tour-back').disabled = at <= 0;
  $('tour-next').textContent = at === n - 1 ? 'Finish ✓' : 'Next ›';
  $('tour-text').textContent = active ? tour.stops[at].text
    : 'Stop by stop through this lesson: each stop says what to look at, and some ask you for the next number before the engine computes it.';
  const target = active ? tour.stops[at].target : null;
  for (const chip of document.querySelectorAll('#phase-bar li')) {
    chip.classList.toggle('tour-target', target?.kind === 'phase' && chip.dataset.phase === phaseKey(target.phase));
  }
  if (!active) $('tour-check').hidden = true;
  else renderCheckpoint();
}

export function setupTour() {
  setup();
  subscribe(['settings'], syncLesson);
  subscribe(['position', 'weights', 'network', 'view'], render);
  syncLesson();
}

/** What the tour shows, for the tests: {lesson, stops, at, question, verdict, past}. */
export function tourState() {
  return {
    lesson: lessonId,
    stops: tour?.stops.length ?? 0,
    at,
    question: asked ? { ...asked.checkpoint } : null,
    verdict: asked?.verdict ?? null,
    past: past(),
  };
}
