// Keyboard-only checkout, focus in a modal, and live-region announcements (axe-core on every
// screen is in screens.test.js).
import { it, before } from 'node:test';
import assert from 'node:assert/strict';
import { newPage, eventually, waitForCallback } from '../lib/harness.js';
import { describeInBrowsers } from '../lib/each-browser.js';
import { screen, open } from '../lib/screens.js';

/** The focused element, looking into shadow roots. */
function focused(page) {
  return page.evaluate(() => {
    let a = document.activeElement;
    while (a && a.shadowRoot && a.shadowRoot.activeElement) a = a.shadowRoot.activeElement;
    if (!a) return null;
    return { tag: a.tagName.toLowerCase(), id: a.id, name: a.getAttribute('name'), method: a.dataset.method ?? null, type: a.getAttribute('type'), text: a.textContent.trim().slice(0, 80) };
  });
}

async function tabTo(page, pred, what, max = 25) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const f = await focused(page);
    if (f && pred(f)) return f;
  }
  throw new Error(`Tab never reached ${what}; focus is on ${JSON.stringify(await focused(page))}`);
}

describeInBrowsers('accessibility', (name, env) => {
  let sandbox, browser;
  before(() => ({ sandbox, browser } = env));

  it('keyboard only: picker, fields form, partner page and back to the result (Tab, Enter, Space, typing)', async () => {
    const page = await newPage(browser, { width: 360, height: 800 });
    await open(page, sandbox.url, { query: 'currency=KES', screen: 'picker' });
    await tabTo(page, (f) => f.method === 'card-partner', 'the card method');
    await page.keyboard.press('Enter');
    await page.waitForSelector('>>> .epay-body[data-screen="fields"]');
    const heading = await focused(page);
    assert.equal(heading.id, 'epay-heading', 'focus moves to the new screen\'s heading');
    assert.equal(heading.text, 'Your details');
    const live = await page.evaluate(() => document.querySelector('epay-checkout').shadowRoot.querySelector('[role="status"]').textContent);
    assert.equal(live, 'Your details', 'the live region announces the new screen');
    // Submit empty with Space on the pay button: the first invalid field gets focus.
    await tabTo(page, (f) => f.tag === 'button' && f.type === 'submit', 'the pay button');
    await page.keyboard.press(' '); // Space
    await page.waitForSelector('>>> input[aria-invalid="true"]');
    let f = await focused(page);
    assert.equal(f.tag, 'input', 'focus on the first invalid field');
    for (let i = 0; i < 4 && f.tag === 'input'; i++) {
      if (f.name === 'customer_phone') await page.keyboard.type('254712345678');
      if (f.name === 'customer_email') await page.keyboard.type('customer@example.com');
      await page.keyboard.press('Tab');
      f = await focused(page);
    }
    assert.deepEqual([f.tag, f.type], ['button', 'submit'], 'after the last field, Tab reaches the pay button');
    await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.keyboard.press('Enter')]);
    assert.match(page.url(), /\/sim\/partner\/pay$/);
    await tabTo(page, (x) => x.id === 'approve', 'the partner\'s Approve button');
    await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.keyboard.press('Enter')]);
    await page.waitForSelector('>>> .epay-body[data-screen="result"][data-status="success"]', { timeout: 20000 });
    await page.waitForSelector('#events li[data-event="success"]');
    const order = new URL(page.url()).searchParams.get('order');
    await waitForCallback(sandbox.url, order, (b) => b.payment?.status === 'success', 'success callback');
    assert.deepEqual(page.errors, []);
    await page.close();
  });

  it('in a modal, focus starts on the heading, Tab stays usable and Escape closes it, giving focus back', async () => {
    const page = await newPage(browser, { width: 360, height: 800 });
    await page.goto(`${sandbox.url}/embed.html?currency=KES&modal=1`, { waitUntil: 'load' });
    await page.waitForSelector('>>> .epay-body[data-screen="picker"]');
    await eventually(async () => (await focused(page))?.id === 'epay-heading', 5000, 'focus on the modal heading');
    const dialog = await page.evaluate(() => {
      const el = document.querySelector('epay-checkout').shadowRoot.querySelector('.epay');
      return [el.getAttribute('role'), el.getAttribute('aria-modal'), el.getAttribute('aria-labelledby')];
    });
    assert.deepEqual(dialog, ['dialog', 'true', 'epay-heading']);
    await tabTo(page, (f) => f.method === 'card-partner', 'a method in the modal');
    await page.keyboard.press('Escape');
    await page.waitForSelector('#events li[data-event="close"]');
    assert.equal(await page.$('epay-overlay'), null);
    assert.deepEqual(page.errors, []);
    await page.close();
  });

  it('the live region speaks once per screen and the code countdown does not flood it', async () => {
    const page = await newPage(browser, { width: 360, height: 800 });
    await open(page, sandbox.url, screen('code'));
    const counts = await page.evaluate(async () => {
      const root = document.querySelector('epay-checkout').shadowRoot;
      const live = [...root.querySelectorAll('[aria-live]:not([aria-live="off"]), [role="status"], [role="alert"], [role="log"]')]
        .filter((el) => !el.closest('[aria-live="off"]'));
      let changes = 0;
      const obs = new MutationObserver((list) => { changes += list.length; });
      for (const el of live) obs.observe(el, { childList: true, characterData: true, subtree: true });
      const timer = root.querySelector('[role="timer"]');
      const before = timer?.textContent;
      await new Promise((r) => setTimeout(r, 3500));
      obs.disconnect();
      return { regions: live.length, changes, timer: timer ? { live: timer.getAttribute('aria-live'), changed: timer.textContent !== before } : null };
    });
    assert.ok(counts.regions >= 1, 'there is a live region');
    assert.ok(counts.changes <= 1, `live regions changed ${counts.changes} times in 3.5 s on the code screen`);
    if (counts.timer) assert.notEqual(counts.timer.live, 'polite', 'the countdown (role=timer) is not read out every tick');
    await page.close();
  });
});
