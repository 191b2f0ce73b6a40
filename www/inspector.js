// The inspector: the formulas of one neuron or weight with the engine's numbers plugged in,
// so a student can check every product by hand; and a box to change that weight or bias.
//
// Numbers come from engine.chainRule (the Rust ChainRule object) and the engine's arrays;
// each shown number carries its exact value in data-value. Everything is built with
// textContent: no text ever goes through innerHTML.

import { Buffer, view } from './engine.js';
import { fmt, fmtInt, fmtWhy } from './colors.js';
import { state, done, value as settingValue } from './state.js';

/** The name of network input i ("x₁", "sin x₁", a CSV column). */
function inputName(i) {
  return state.info.input_labels[i] ?? `x${i + 1}`;
}

const DIGITS = 6;

/** What Rprop's last update did to a step size, and how conjugate gradient chose its
 *  direction and ended its line search (the engine's names, in words). */
const RPROP_DECISIONS = {
  grew: 'the gradient kept its sign, so the step grew: s ← min(η⁺·s, s_max)',
  shrank: 'the gradient changed sign, so the step shrank: s ← max(η⁻·s, s_min)',
  kept: 'the first step, or the one after a sign change: s kept',
};
const CG_DIRECTIONS = {
  none: 'none yet',
  first: 'the first step, steepest descent d = −g',
  conjugate: 'conjugate, d = −g + β·d′ (Polak–Ribière)',
  negative_beta: 'a restart (β came out negative, so β = 0): d = −g',
  periodic_restart: 'a restart after n steps: d = −g',
  not_descent: 'a restart (−g + β·d′ pointed uphill): d = −g',
  after_failed_search: 'a restart after a failed line search: d = −g',
};
const CG_SEARCHES = {
  not_run: 'not run',
  accepted: 'the loss fell enough: step taken',
  failed: 'no trial lowered the loss enough: the weights stayed',
  zero_gradient: 'the gradient is 0: nothing to search',
};

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === 'class') node.className = value;
    else if (key.startsWith('data-')) node.setAttribute(key, value);
    else node[key] = value;
  }
  for (const child of children) if (child !== null && child !== undefined) node.append(child);
  return node;
}

/** A number as shown (6 significant digits) with its exact value in data-value. */
function num(value, name) {
  const props = { class: 'num', 'data-value': String(value), title: fmtWhy(value) || String(value) };
  if (name) props['data-name'] = name;
  return el('span', props, fmt(value, DIGITS));
}

/** One line of maths: a mix of strings and number spans. */
function line(...parts) {
  return el('div', { class: 'math' }, ...parts);
}

function section(title, ...rows) {
  return el('section', {}, el('h3', {}, title), ...rows);
}

function notYet(what) {
  return el('p', { class: 'pending' }, `${what} has not run in this step yet: step on to see it.`);
}

function layerWord(l) {
  return l === state.shape.length - 2 ? 'the output layer' : `layer ${l + 1}`;
}

function sourceName(l, i) {
  return l === 0 ? `input ${inputName(i)}` : `neuron ${i + 1} of layer ${l}`;
}

/**
 * The inspector in `root`: shown while the session has a selection. Its close button calls
 * `onClose()`, its edit box `onSet(selection, value)`: the page turns them into actions.
 */
export function createInspector(root, { onClose, onSet }) {
  const body = root.querySelector('.body');
  const title = root.querySelector('h2');
  let lastRender = 0;
  let shownFor = null;

  root.querySelector('.close').addEventListener('click', () => onClose());

  /** Shows or hides the inspector for the selection; re-renders if open (at most 4 times a
   *  second while playing; never while its box is being edited). */
  function refresh() {
    const sel = state.position.selection;
    root.hidden = !sel;
    if (!sel) {
      shownFor = null;
      return;
    }
    const key = JSON.stringify(sel);
    if (key !== shownFor) {
      shownFor = key;
      render();
      return;
    }
    if (root.contains(document.activeElement) && document.activeElement.tagName === 'INPUT') return;
    const now = performance.now();
    if (state.playing && now - lastRender < 250) return;
    render();
  }

  function render() {
    lastRender = performance.now();
    const sel = state.position.selection;
    const { session: engine, shape } = state;
    const layers = shape.length - 1;
    if (!sel || !engine || sel.layer >= layers || sel.neuron >= shape[sel.layer + 1]
      || (sel.type === 'edge' && sel.input >= shape[sel.layer])) {
      return;
    }
    const batch = engine.batchLength();
    const sample = Math.min(state.position.sample, Math.max(0, batch - 1));
    const rows = [];
    const meta = batch > 0
      ? `Sample ${sample + 1} of the batch of ${batch} (data row ${engine.batchIndices()[sample] + 1}), step ${fmtInt(engine.steps())}.`
      : 'No batch yet: run a phase to load one.';
    if (sel.layer < 0) {
      title.textContent = `Input ${inputName(sel.neuron)}`;
      rows.push(el('p', { class: 'meta' }, meta));
      if (batch > 0 && state.progress > 0) {
        const x = view(engine, Buffer.BatchInput)[sample * shape[0] + sel.neuron];
        rows.push(line(`${inputName(sel.neuron)} = `, num(x, 'x')));
      }
      rows.push(el('p', {}, 'An input neuron just passes the data on: a = x. It has no weights or bias of its own.'));
      body.replaceChildren(...rows);
      return;
    }
    const l = sel.layer;
    const j = sel.neuron;
    const isEdge = sel.type === 'edge';
    title.textContent = isEdge
      ? `Weight from ${sourceName(l, sel.input)} to neuron ${j + 1} of ${layerWord(l)}`
      : `Neuron ${j + 1} of ${layerWord(l)}`;
    rows.push(el('p', { class: 'meta' }, meta));

    let rule = null;
    let ruleError = null;
    try {
      rule = engine.chainRule(l, j, isEdge ? sel.input : undefined);
    } catch (error) {
      ruleError = error.message;
    }
    const paramName = isEdge ? 'w' : 'b';
    const current = isEdge
      ? view(engine, Buffer.Weights, l)[j * shape[l] + sel.input]
      : view(engine, Buffer.Biases, l)[j];

    if (!rule) {
      rows.push(line(`${paramName} = `, num(current, paramName)));
      rows.push(el('p', { class: 'pending' }, `${ruleError}.`));
    } else {
      rows.push(forwardSection(l, rule));
      rows.push(backwardSection(l, rule, isEdge, sel));
      rows.push(updateSection(l, rule, paramName));
    }
    rows.push(editSection(sel, paramName, current));
    body.replaceChildren(...rows);
  }

  function forwardSection(l, rule) {
    if (!done({ kind: 'forward', layer: l })) return section('Forward', notYet(`The forward phase of ${layerWord(l)}`));
    // The engine gives the terms w·a with the weights the forward pass used (before any update since).
    const terms = [];
    const shown = Math.min(rule.upstream.length, 10);
    for (let i = 0; i < shown; i++) {
      const term = rule.upstream[i];
      terms.push(i ? ' + ' : '', '(', num(term.weight), ' × ', num(term.activation), ')');
    }
    if (shown < rule.upstream.length) terms.push(` + … (${rule.upstream.length - shown} more)`);
    return section(
      'Forward: z = Σ w·a + b, then a = f(z)',
      done({ kind: 'update' }) ? el('p', { class: 'hint' }, 'With the weights this step used, before its update.') : null,
      // A layer without biases has no '+ b' to write.
      line('z = ', ...terms, ...(settingValue('layers')[l].bias ? [' + ', num(rule.bias)] : [])),
      line('  = ', num(rule.z, 'z')),
      line(`a = ${rule.activation}(z) = `, num(rule.a, 'a')),
    );
  }

  function backwardSection(l, rule, isEdge, sel) {
    if (!done({ kind: 'backward', layer: l })) return section('Backward', notYet(`The backward phase of ${layerWord(l)}`));
    const rows = [];
    if (rule.is_output) {
      rows.push(el('p', { class: 'formula' }, rule.delta_formula));
      if (rule.delta_form === 'output_difference') {
        rows.push(line('δ = ', num(rule.a), ' − ', num(rule.target), ' = ', num(rule.delta, 'delta')));
      } else {
        rows.push(line('dL/dŷ = ', num(rule.grad_activation), `, f'(z) = `, num(rule.d_activation)));
        rows.push(line('δ = ', num(rule.grad_activation), ' × ', num(rule.d_activation), ' = ', num(rule.delta, 'delta')));
      }
    } else {
      rows.push(el('p', { class: 'formula' }, rule.delta_formula));
      // The engine gives the terms w_kj · δ_k with the weights the backward pass used.
      const terms = [];
      rule.downstream.slice(0, 8).forEach((term, k) => terms.push(k ? ' + ' : '', '(', num(term.weight), ' × ', num(term.delta), ')'));
      if (rule.downstream.length > 8) terms.push(` + … (${rule.downstream.length - 8} more)`);
      rows.push(line('Σ w·δ = ', ...terms, ' = ', num(rule.grad_activation, 'grad-activation')));
      const mask = rule.dropout_mask === 1 ? [] : [' × ', num(rule.dropout_mask), ' (dropout mask)'];
      rows.push(line(`δ = f'(z) × Σ w·δ = `, num(rule.d_activation), ' × ', num(rule.grad_activation), ...mask, ' = ', num(rule.delta, 'delta')));
    }
    const name = isEdge ? 'dL/dw' : 'dL/db';
    const aPrev = isEdge ? (l === 0 ? inputName(sel.input) : 'a_prev') : '1';
    rows.push(line(`${name} = δ × ${aPrev} = `, num(rule.delta), ' × ', num(rule.a_prev), ' = ', num(rule.sample_gradient, 'sample-gradient'), ' (this sample)'));
    const over = rule.reduction === 'mean' ? `mean over the ${rule.batch_size} samples of the batch` : `sum over the ${rule.batch_size} samples of the batch`;
    rows.push(line(`${name} of the batch (${over}) = `, num(rule.batch_gradient, 'gradient')));
    if (rule.regularization_gradient !== 0) {
      rows.push(line('+ regularization gradient ', num(rule.regularization_gradient, 'regularization-gradient')));
    }
    return section('Backward: the chain rule', ...rows);
  }

  function updateSection(l, rule, paramName) {
    if (!done({ kind: 'update' })) return section('Update', notYet('The update'));
    if (state.position.edited) {
      return section('Update', el('p', { class: 'pending' },
        `The ${paramName === 'w' ? 'weight' : 'bias'} was set by hand after the last update: it is now `, num(rule.value, 'new'),
        '. Step on to see the next update.'));
    }
    const g = rule.batch_gradient + rule.regularization_gradient;
    const old = rule.previous_value;
    const rows = [el('p', { class: 'formula' }, rule.update_formula.replaceAll('w', paramName))];
    if (rule.optimizer === 'sgd') {
      rows.push(line(`${paramName} ← `, num(old, 'old'), ' − ', num(rule.learning_rate, 'learning-rate'), ' × ', num(g), ' = ', num(rule.value, 'new')));
    } else {
      rows.push(...optimizerRows(rule, g));
      if (rule.optimizer !== 'rprop' && rule.optimizer !== 'cg') {
        rows.push(line(`Δ = `, num(rule.update, 'update'), ` (${rule.optimizer}, η = `, num(rule.learning_rate, 'learning-rate'), ')'));
      }
      rows.push(line(`${paramName} ← `, num(old, 'old'), ' + ', num(rule.update), ' = ', num(rule.value, 'new')));
    }
    return section(`Update (${rule.optimizer})`, ...rows);
  }

  /** The optimizer's own numbers for this parameter (rule.optimizer_numbers, tagged by kind). */
  function optimizerRows(rule, g) {
    const n = rule.optimizer_numbers;
    switch (n.kind) {
      case 'momentum': return [line('m = μ·m + g = ', num(n.velocity, 'velocity'))];
      case 'nesterov': return [
        line('m = μ·m + g = ', num(n.velocity, 'velocity')),
        line('look-ahead g + μ·m = ', num(g), ' + ', num(settingValue('momentum')), ' × ', num(n.velocity), ' = ', num(n.look_ahead, 'look-ahead')),
      ];
      case 'rmsprop': return [line('v = ρ·v + (1 − ρ)·g² = ', num(n.mean_square, 'mean-square'))];
      case 'adagrad': return [line('G = sum of every g² so far = ', num(n.sum_of_squares, 'sum-of-squares'))];
      case 'adam': return [line('m = ', num(n.first_moment, 'first-moment'), ', v = ', num(n.second_moment, 'second-moment'))];
      case 'rprop': return [
        line(`sign(g′·g) = ${n.sign_product > 0 ? '+1' : n.sign_product < 0 ? '−1' : '0'}: ${RPROP_DECISIONS[n.decision]}`),
        line('step size s = ', num(n.step_size, 'step-size'), ' (η is not used)'),
        n.decision === 'shrank'
          ? line('Δ = 0: no move after a sign change, and the stored g′ = ', num(n.previous_gradient, 'previous-gradient'))
          : line('Δ = −sign(g) × s = −sign(', num(g), ') × ', num(n.step_size), ' = ', num(rule.update, 'update'), '; stored g′ = ', num(n.previous_gradient, 'previous-gradient')),
      ];
      case 'cg': return [
        line(`direction: ${CG_DIRECTIONS[n.direction_kind] ?? n.direction_kind}, β = `, num(n.beta, 'beta')),
        line('this parameter\'s d = ', num(n.direction, 'direction'), ', its g = ', num(n.gradient, 'cg-gradient'), '; slope gᵀd = ', num(n.slope, 'slope')),
        line('line search: α = ', num(n.step_length, 'step-length'), ` after ${n.trials} loss evaluation${n.trials === 1 ? '' : 's'} (${CG_SEARCHES[n.line_search] ?? n.line_search})`),
        line('batch loss (with the penalty) ', num(n.loss_before, 'loss-before'), ' → ', num(n.loss_after, 'loss-after')),
        line('Δ = α × d = ', num(n.step_length), ' × ', num(n.direction), ' = ', num(rule.update, 'update'), ' (η is not used)'),
      ];
      default: return [];
    }
  }

  function editSection(sel, paramName, current) {
    const input = el('input', { type: 'number', step: 'any', value: String(current), id: 'inspector-value' });
    const button = el('button', { type: 'submit', id: 'inspector-set' }, `Set ${paramName === 'w' ? 'weight' : 'bias'}`);
    const form = el('form', { class: 'edit' }, el('label', {}, `${paramName} = `, input), button);
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const typed = input.value.trim() === '' ? NaN : Number(input.value);
      if (onSet(sel, typed)) {
        input.blur();
        render();
      }
    });
    return section('Change it', form, el('p', { class: 'hint' }, 'Takes effect from the next phase; the optimizer carries on from there.'));
  }

  return { refresh, render };
}
