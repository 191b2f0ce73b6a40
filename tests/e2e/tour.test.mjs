// Guided tours (issue 13), in real headless Chromium:
//   - the chain-rule tour played from its first stop to its last with the keyboard: at every
//     checkpoint the numbers it is made of are listed, a wrong choice is named as its mistake, a typed right answer is accepted, and
//     "Step to see" runs the phase, after which the engine holds exactly the checkpoint's answer;
//     Back returns to the stop before, with the session at that stop's place;
//   - progress survives a reload (Resume at the stop left) and is cleared by its button;
//   - an instructor's link (answers=1) shows the answer; a typed non-number is refused with a
//     message and kept; axe-core finds nothing on the tour bar with a question open.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { appSession, assertNoErrors, axeViolations, banner, frames } from './harness.mjs';

const app = appSession();

const tourState = (page) => page.evaluate(() => window.app.tour.state());

/** What the engine holds for `question` now (after its phase ran). */
const engineValue = (page, question) => page.evaluate((q) => {
  const { Buffer, view, session } = window.app;
  const shape = session.shape();
  const units = shape[q.layer + 1];
  const inputs = shape[q.layer];
  const k = q.sample * units + q.neuron;
  switch (q.quantity) {
    case 'z': return view(Buffer.PreActivation, q.layer)[k];
    case 'a': return view(Buffer.Activation, q.layer)[k];
    case 'delta': return view(Buffer.Delta, q.layer)[k];
    case 'gradient': return view(Buffer.GradWeights, q.layer)[q.neuron * inputs + q.input];
    default: return view(Buffer.Weights, q.layer)[q.neuron * inputs + q.input];
  }
}, question);

/** The session's place: steps done and the last phase run. */
const place = (page) => page.evaluate(() => ({ steps: window.app.session.steps(), last: window.app.session.position().last }));

describe('guided tours', () => {
  test('the chain-rule tour from start to end: wrong choices named, right answers accepted, the engine then holds each answer; Back returns', { timeout: 120_000 }, async () => {
    const opened = await app.open({ query: '?lesson=chain-rule' });
    const { page } = opened;
    try {
      const stops = (await page.evaluate(() => window.app.session.tour())).stops;
      assert.ok(stops.length >= 5, 'the chain-rule lesson has a tour');
      assert.equal(await page.isVisible('#tour'), true, 'the tour bar shows for a lesson with a tour');
      assert.match(await page.textContent('#tour-progress'), new RegExp(`${stops.length} stops, ${stops.filter((s) => s.checkpoint).length} questions`));
      await page.keyboard.press('t');
      let questions = 0;
      for (let k = 0; k < stops.length; k++) {
        const shown = await tourState(page);
        assert.equal(shown.at, k, `the tour is at stop ${k + 1}`);
        assert.equal(await page.textContent('#tour-text'), stops[k].text);
        assert.equal(await page.textContent('#tour-progress').then((t) => t.startsWith(`Stop ${k + 1} of ${stops.length}`)), true);
        assert.deepEqual(await place(page), { steps: stops[k].at.steps, last: stops[k].at.last }, `the session is at stop ${k + 1}'s place`);
        if (stops[k].target.kind === 'neuron' || stops[k].target.kind === 'edge') {
          const selection = await page.evaluate(() => window.app.session.position().selection);
          assert.equal(selection?.layer, stops[k].target.layer, `stop ${k + 1} selects what it names`);
          assert.equal(selection?.neuron, stops[k].target.neuron);
        }
        if (stops[k].checkpoint) {
          questions++;
          const question = shown.question;
          assert.ok(question, `stop ${k + 1} asks its question`);
          assert.equal(await page.isVisible('#tour-check'), true);
          // The numbers the answer is made of are listed beside the question.
          const given = await page.textContent('#tour-given');
          assert.ok(question.given.length > 0 && given.startsWith('From: '), `stop ${k + 1} lists its numbers: ${given}`);
          for (const g of question.given) assert.ok(given.includes(`${g.symbol} = `), `stop ${k + 1}: ${g.symbol} is listed in "${given}"`);
          // A wrong choice, by its number key: the verdict names the choice's own mistake.
          const wrong = question.choices.findIndex((c) => c.mistake !== null);
          assert.ok(wrong >= 0, `stop ${k + 1} offers a wrong choice`);
          await page.keyboard.press(String(wrong + 1));
          const afterWrong = await tourState(page);
          assert.equal(afterWrong.verdict.correct, false);
          assert.equal(afterWrong.verdict.mistake, question.choices[wrong].mistake, 'the feedback is about the mistake this choice makes');
          assert.equal(await page.getAttribute('#tour-feedback', 'data-verdict'), 'false');
          assert.ok((await page.textContent('#tour-feedback')).length > 20, 'the feedback says what went wrong');
          assert.equal(await page.$eval(`#tour-choices button[data-choice="${wrong}"]`, (b) => b.classList.contains('wrong')), true);
          // The right answer typed, rounded to 5 significant digits (within the tolerance).
          await page.fill('#tour-typed', question.answer.toPrecision(5));
          await page.press('#tour-typed', 'Enter');
          assert.equal((await tourState(page)).verdict.correct, true, `a typed ${question.answer.toPrecision(5)} is right at stop ${k + 1}`);
          assert.equal(await page.getAttribute('#tour-feedback', 'data-verdict'), 'true');
          // Step to see: the phase the question is about runs, and the engine holds the answer.
          await page.click('#tour-see');
          const afterStep = await tourState(page);
          assert.equal(afterStep.past, true, 'after the step the question is past');
          assert.equal(await page.isDisabled('#tour-see'), true);
          const held = await engineValue(page, question.question);
          assert.ok(Math.abs(held - question.answer) <= 1e-12 * Math.max(1, Math.abs(question.answer)),
            `stop ${k + 1}: the checkpoint's answer ${question.answer} is what the engine computed, ${held}`);
          await page.evaluate(() => document.activeElement?.blur());
        } else {
          assert.equal(shown.question, null);
          assert.equal(await page.isVisible('#tour-check'), false);
        }
        if (k === 3) {
          // Back, then on again: the session returns to the stop before's place.
          await page.keyboard.press('b');
          assert.equal((await tourState(page)).at, 2);
          assert.deepEqual(await place(page), { steps: stops[2].at.steps, last: stops[2].at.last }, 'Back brings the session to the stop before');
          await page.keyboard.press('n');
          assert.equal((await tourState(page)).at, 3);
        }
        if (k < stops.length - 1) await page.keyboard.press('n');
      }
      assert.equal(await page.textContent('#tour-next'), 'Finish ✓');
      await page.click('#tour-next');
      assert.equal((await tourState(page)).at, -1, 'Finish ends the tour');
      assert.match((await banner(page)).text, new RegExp(`Tour finished: 0 of the ${questions} questions you answered right at the first try`));
      assert.equal(await page.textContent('#tour-start'), 'Start the tour again');
      assertNoErrors(opened);
    } finally {
      await page.close();
    }
  });

  test('progress is kept over a reload and cleared by its button; answers=1 shows the answer; a non-number is refused and kept; axe finds nothing', { timeout: 90_000 }, async () => {
    const opened = await app.open({ query: '?lesson=worked-example' });
    const { page } = opened;
    try {
      await page.click('#tour-start');
      await page.click('#tour-next');
      await page.click('#tour-next');
      assert.equal((await tourState(page)).at, 2);
      const question = (await tourState(page)).question;
      assert.ok(question, 'stop 3 of the worked example asks a question');
      // A typed non-number: a message, the text kept, nothing judged or saved.
      await page.fill('#tour-typed', '0.7x');
      await page.press('#tour-typed', 'Enter');
      assert.match(await page.textContent('#tour-feedback'), /"0\.7x" is not a number/);
      assert.equal(await page.inputValue('#tour-typed'), '0.7x');
      assert.equal((await tourState(page)).verdict, null);
      // A comma decimal and a typographic minus are numbers.
      await page.fill('#tour-typed', question.answer.toPrecision(5).replace('.', ',').replace('-', '−'));
      await page.press('#tour-typed', 'Enter');
      assert.equal((await tourState(page)).verdict?.correct, true, 'a comma decimal is read as a number');
      const violations = await axeViolations(page, { include: [['#tour']] });
      assert.deepEqual(violations, [], `axe-core on the tour bar with a question answered:\n  ${violations.join('\n  ')}`);

      await page.reload();
      await page.waitForFunction(() => document.body.dataset.state === 'ready');
      assert.equal(await page.textContent('#tour-start'), 'Resume at stop 3', 'the stop reached is kept over a reload');
      assert.match(await page.textContent('#tour-progress'), /1 of 1 right at the first try/);
      await page.click('#tour-start');
      assert.equal((await tourState(page)).at, 2, 'Resume goes back to the stop left');
      await page.click('#tour-end');
      await page.click('#tour-clear');
      assert.equal(await page.textContent('#tour-start'), 'Start the tour', 'cleared: the tour starts again at its first stop');
      assert.doesNotMatch(await page.textContent('#tour-progress'), /right/);
      await page.reload();
      await page.waitForFunction(() => document.body.dataset.state === 'ready');
      assert.equal(await page.textContent('#tour-start'), 'Start the tour', 'the clearing is kept over a reload');
      assertNoErrors(opened);
    } finally {
      await page.close();
    }

    // The instructor's demo: answers=1 in the link shows each question's answer.
    const demo = await app.open({ query: '?lesson=chain-rule&answers=1' });
    try {
      assert.equal(await demo.page.isChecked('#setting-answers'), true, 'the link turns the answers on');
      await demo.page.click('#tour-start');
      await demo.page.click('#tour-next');
      const { question } = await tourState(demo.page);
      assert.match(await demo.page.textContent('#tour-prompt'), new RegExp(`answer, shown for the demo: ${question.symbol} = 0\\.2`));
      const right = question.choices.findIndex((c) => c.mistake === null);
      assert.equal(await demo.page.$eval(`#tour-choices button[data-choice="${right}"]`, (b) => b.classList.contains('right')), true);
      await demo.page.click('#setting-answers');
      await frames(demo.page, 1);
      assert.doesNotMatch(await demo.page.textContent('#tour-prompt'), /answer/, 'turned off, the answer is hidden again');
      assertNoErrors(demo);
    } finally {
      await demo.page.close();
    }
  });

  test('a lesson without a tour shows no tour bar, and the tour keys do nothing there', { timeout: 60_000 }, async () => {
    const opened = await app.open({ query: '?lesson=overfitting' });
    const { page } = opened;
    try {
      const lesson = await page.evaluate(() => window.app.session.settings().lesson);
      assert.ok(lesson, 'a lesson is loaded');
      assert.equal(await page.evaluate(() => window.app.session.tour()), null, `${lesson} has no tour`);
      assert.equal(await page.isVisible('#tour'), false);
      const before = await place(page);
      await page.keyboard.press('t');
      await page.keyboard.press('n');
      assert.deepEqual(await place(page), before);
      assertNoErrors(opened);
    } finally {
      await page.close();
    }
  });
});
