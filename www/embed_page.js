// The embed page's frame, shared by the embed page (embed.js) and the notebook widget's frame
// (python/js/frame.js): index.html's body with only the chosen panels, and when the page is ready.

export const PANELS = ['network', 'graph', 'output', 'loss', 'gradients', 'inspector', 'controls', 'tour'];

/** Puts index.html's body (`html`, its text), without its scripts, in place of this page's
 *  placeholder, showing only the panels in `chosen`; `readonly` hides the settings' controls. */
export function adoptPageBody(html, chosen, readonly) {
  const page = new DOMParser().parseFromString(html, 'text/html');
  for (const script of page.body.querySelectorAll('script')) script.remove();
  document.body.replaceChildren(...Array.from(page.body.childNodes, (node) => document.importNode(node, true)));
  showPanels(chosen, readonly);
}

/** Shows the panels in `chosen` (names from PANELS) and hides the rest; `readonly` hides the
 *  controls that change settings. Can be called again on a running page. */
export function showPanels(chosen, readonly) {
  const body = document.body.dataset;
  for (const panel of PANELS) body[`show${panel[0].toUpperCase()}${panel.slice(1)}`] = String(chosen.includes(panel));
  body.readonly = String(readonly);
}

/** Resolves when main.js says the page is ready. */
export function ready() {
  return new Promise((resolve) => {
    if (document.body.dataset.state === 'ready') return resolve();
    new MutationObserver((_, observer) => {
      if (document.body.dataset.state === 'ready') { observer.disconnect(); resolve(); }
    }).observe(document.body, { attributes: true, attributeFilter: ['data-state'] });
  });
}
