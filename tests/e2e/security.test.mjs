// Nothing leaves the page, and no user-supplied text becomes HTML (issue 6): a whole session
// under the page's Content-Security-Policy with every request recorded, and HTML-like strings
// fed through a file name, CSV headers and a link.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { appSession, assertNoErrors, frames } from './harness.mjs';

const session = appSession();
const requests = [];


const PAYLOAD = (n) => `<img src=x onerror="window.__xss=${n}"><b>bold</b>`;

/** Collects CSP violations from now on (Chromium also reports them as console errors). */
const watchViolations = (page) => page.evaluate(() => {
  window.__violations = [];
  document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(`${e.violatedDirective} ${e.blockedURI}`));
});

async function assertNoInjection(page) {
  assert.equal(await page.evaluate(() => window.__xss), undefined, 'a payload ran');
  assert.equal(await page.locator('img[src="x"], b:text("bold")').count(), 0, 'user text became HTML');
}

test('the page declares the policy and a whole session keeps it, with no request leaving the origin', { timeout: 120_000 }, async () => {
  session.browser.context.on('request', (request) => requests.push(request.url()));
  const opened = await session.open();
  const { page } = opened;
  try {
    const policy = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
    assert.match(policy, /default-src 'self'/);
    assert.match(policy, /script-src 'self' 'wasm-unsafe-eval'/);
    assert.equal(await page.locator('script:not([src])').count(), 0, 'no inline script');
    await watchViolations(page);
    // Train, step, inspect, take a lesson, run an experiment, share, export.
    await page.click('#play');
    await page.waitForTimeout(800);
    await page.click('#play');
    for (let k = 0; k < 4; k++) await page.click('#step-phase');
    await page.selectOption('#lesson', 'optimizers');
    await page.click('#experiment-button');
    await page.waitForTimeout(800);
    await page.keyboard.press('Escape');
    await page.click('#share-button');
    await frames(page);
    const violations = await page.evaluate(() => window.__violations);
    assert.deepEqual(violations, []);
    assertNoErrors(opened);
  } finally {
    await page.close();
  }
  const origin = new URL(session.server.url).origin;
  const outside = requests.filter((url) => !url.startsWith(origin) && !url.startsWith('blob:') && !url.startsWith('data:'));
  assert.deepEqual(outside, [], 'requests outside the page\'s origin');
  assert.ok(requests.length > 5, 'the requests were recorded');
});

test('HTML in a file name, CSV headers or a link stays text', { timeout: 60_000 }, async () => {
  const opened = await session.open();
  const { page } = opened;
  try {
    const csv = [`${PAYLOAD(1)},"${PAYLOAD(2).replaceAll('"', '""')}",label`, '1,2,0', '3,4,1', '5,1,1', '2,2,0'].join('\n');
    await page.setInputFiles('#csv-file', { name: `${PAYLOAD(3)}.csv`, mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.waitForFunction(() => window.app.session.dataInfo().name === 'custom');
    await frames(page);
    await assertNoInjection(page);
    const bad = `not,numbers\n${PAYLOAD(4)},1\n`;
    await page.setInputFiles('#csv-file', { name: `${PAYLOAD(5)}.csv`, mimeType: 'text/csv', buffer: Buffer.from(bad) });
    await page.waitForFunction(() => document.getElementById('message').dataset.error === 'invalid_data');
    assert.match(await page.locator('#message').textContent(), /<img src=x/, 'the message shows the name as text');
    await assertNoInjection(page);
  } finally {
    await page.close();
  }
  const link = `?lesson=${encodeURIComponent(PAYLOAD(6))}&problem=${encodeURIComponent(PAYLOAD(7))}&${encodeURIComponent(PAYLOAD(8))}=1`;
  const linked = await session.open({ query: link });
  try {
    await frames(linked.page);
    assert.match(await linked.page.locator('#message').textContent(), /could not be read/);
    await assertNoInjection(linked.page);
  } finally {
    await linked.page.close();
  }
});
