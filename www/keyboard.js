// Keyboard shortcuts and the help overlay that lists them.
//   space  play / pause        →  step one phase       shift+→  step one sample (a whole step)
//   e      step one epoch      r  reset                ?        this help          Esc  close

import { play, stepPhase, stepSample, stepEpoch, resetTraining, select } from './actions.js';

export const KEYS = [
  ['Space', 'play / pause'],
  ['→', 'step one phase (forward, loss, backward, update)'],
  ['Shift + →', 'step one sample: finish a whole training step'],
  ['E', 'step one epoch'],
  ['R', 'reset: fresh weights, same seed'],
  ['?', 'show or hide this help'],
  ['Esc', 'close this help, the share dialog or the inspector'],
];

/** Typing in a field or choosing in a list must not trigger shortcuts. */
function typing(target) {
  return target.closest?.('input[type=number], input[type=text], select, textarea') !== null;
}

export function setupKeyboard() {
  const help = document.getElementById('help');
  const list = help.querySelector('dl');
  list.replaceChildren(...KEYS.flatMap(([key, what]) => {
    const dt = document.createElement('dt');
    const kbd = document.createElement('kbd');
    kbd.textContent = key;
    dt.append(kbd);
    const dd = document.createElement('dd');
    dd.textContent = what;
    return [dt, dd];
  }));
  const toggleHelp = (show = help.hidden) => {
    help.hidden = !show;
  };
  document.getElementById('help-button').addEventListener('click', () => toggleHelp());
  help.querySelector('.close').addEventListener('click', () => toggleHelp(false));
  help.addEventListener('click', (e) => { if (e.target === help) toggleHelp(false); });

  document.addEventListener('keydown', (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey || typing(e.target)) return;
    let handled = true;
    if (e.key === ' ') play();
    else if (e.key === 'ArrowRight' && e.shiftKey) stepSample();
    else if (e.key === 'ArrowRight') stepPhase();
    else if (e.key === 'e' || e.key === 'E') stepEpoch();
    else if (e.key === 'r' || e.key === 'R') resetTraining();
    else if (e.key === '?' || e.key === 'h') toggleHelp();
    else if (e.key === 'Escape') {
      const share = document.getElementById('share');
      if (!help.hidden) toggleHelp(false);
      else if (!share.hidden) share.hidden = true;
      else select(null);
    } else handled = false;
    if (handled) e.preventDefault();
  });
}
