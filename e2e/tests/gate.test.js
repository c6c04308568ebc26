// Gate mode end to end (seed 001): the shop's server sends a signed card-partner sale to
// Gate → the platform's callback brings redirect_data → EPayWidget.followRedirect → the
// partner page → approve → back to gate.html → signed success callback at the shop →
// Refund (Gate) → seed-shaped refund callback → a second refund is declined (seed 001's
// refund-decline callback), on the page, and no money moves twice. A card order paid on
// the Payment Page is refunded from the same list.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BROWSERS, startSandbox, launch, newPage, orderFromShop, waitForCallback, shot, eventually } from '../lib/harness.js';

const order = (id) => `#orders li[data-payment-id="${id}"]`;

/** Waits until the order list shows `status` and the shop holds a signed callback saying so; returns it. */
async function shownAndCalledBack(page, base, paymentId, status) {
  await page.waitForSelector(`${order(paymentId)}[data-status="${status}"]`, { timeout: 20000 });
  const list = await waitForCallback(base, paymentId, (b) => b.payment?.status === status, `${status} callback`);
  const cb = list.find((c) => c.body.payment.status === status);
  assert.equal(cb.valid, true, `the ${status} callback is signed`);
  return cb;
}

for (const name of BROWSERS) {
  describe(`Gate card-partner in ${name}`, () => {
    let sandbox, browser;
    before(async () => { sandbox = await startSandbox(); browser = await launch(name); });
    after(async () => { await browser?.close(); await sandbox?.stop(); });

    it('sells through Gate, follows redirect_data to the partner, refunds once and shows the second refund declined', async () => {
      const page = await newPage(browser);
      await page.goto(`${sandbox.url}/gate.html`, { waitUntil: 'load' });
      await page.locator('#amount').fill('100.00');
      await page.select('#currency', 'KES');
      await page.locator('#email').fill('customer@example.com');
      await page.locator('#phone').fill('254712345678');
      await shot(page, `${name}-gate-form`);

      // The sale, the redirect_data callback and followRedirect's form submission (the page
      // first records the order in its URL with history.replaceState: not the navigation).
      await page.locator('#gate-pay').click();
      await eventually(async () => /\/sim\/partner\/pay$/.test(page.url())
        && await page.evaluate(() => document.readyState === 'complete' && !!document.querySelector('#approve')), 30000, 'the partner page');
      assert.match(page.url(), /\/sim\/partner\/pay$/);
      const partnerText = await page.evaluate(() => document.body.textContent);
      assert.match(partnerText, /100\.00 KES/);
      const paymentId = await page.$eval('#invoice', (e) => e.textContent);
      assert.match(paymentId, /^gate-\d+-[0-9a-f]{6}$/);
      const redirect = await waitForCallback(sandbox.url, paymentId, (b) => b.redirect_data, 'redirect_data callback');
      assert.equal(redirect[0].valid, true, 'the redirect_data callback is signed');
      assert.equal(redirect[0].body.payment.status, 'awaiting redirect result');
      assert.equal(redirect[0].body.redirect_data.method, 'POST');

      // Approve: the partner sends the customer back through the platform to return_url.success.
      await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.locator('#approve').click()]);
      const back = new URL(page.url());
      assert.equal(back.pathname, '/gate.html');
      assert.equal(back.searchParams.get('order'), paymentId);
      assert.equal(back.searchParams.get('result'), 'success');
      const sale = await shownAndCalledBack(page, sandbox.url, paymentId, 'success');
      assert.equal(sale.body.operation.type, 'sale');
      assert.deepEqual(sale.body.payment.sum, { amount: 10000, currency: 'KES' });
      await shot(page, `${name}-gate-paid`);

      // Refund: the shop's server calls Gate; the refund callback is seed 001's.
      await page.locator(`${order(paymentId)} button[data-refund]`).click();
      const cb = await shownAndCalledBack(page, sandbox.url, paymentId, 'refunded');
      assert.deepEqual(Object.keys(cb.body), ['project_id', 'payment', 'customer', 'operation', 'signature']);
      assert.deepEqual(cb.body.payment.sum, { amount: 0, currency: 'KES' });
      assert.equal(cb.body.operation.type, 'refund');
      assert.equal(cb.body.operation.status, 'success');
      assert.equal(cb.body.operation.code, '0');
      assert.deepEqual(cb.body.operation.sum_initial, { amount: 10000, currency: 'KES' });
      await eventually(async () => page.$(`${order(paymentId)} .log li[data-operation="refund"][data-status="refunded"]`), 10000, 'refund callback on the page');

      // A second refund: the platform accepts the request and declines it by callback.
      await page.locator(`${order(paymentId)} button[data-refund]`).click();
      const declined = await waitForCallback(sandbox.url, paymentId, (b) => b.operation?.type === 'refund' && b.operation.status === 'decline', 'refund decline callback');
      const dcb = declined.find((c) => c.body.operation.status === 'decline');
      assert.equal(dcb.valid, true);
      assert.deepEqual(Object.keys(dcb.body), ['project_id', 'payment', 'customer', 'operation', 'signature']);
      assert.equal(dcb.body.payment.status, 'refunded', 'still refunded, once');
      assert.equal(dcb.body.operation.code, '20000');
      assert.match(dcb.body.operation.message, /already refunded/);
      assert.equal(declined.filter((c) => c.body.operation?.type === 'refund').length, 2, 'one refund and one declined attempt, nothing more');
      await eventually(async () => page.$(`${order(paymentId)} .log li[data-operation="refund"][data-operation-status="decline"]`), 10000, 'the decline on the page');
      const line = await page.$eval(`${order(paymentId)} .log li[data-operation-status="decline"]`, (e) => e.textContent);
      assert.match(line, /refund decline code 20000 Refund is not allowed: the payment is already refunded/);
      assert.equal(await page.$eval(`${order(paymentId)}`, (e) => e.dataset.status), 'refunded');
      await shot(page, `${name}-gate-refunded-1280`);
      await page.setViewport({ width: 360, height: 800 });
      await shot(page, `${name}-gate-refunded-360`);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.ok(overflow <= 0, `no horizontal scrolling at 360 px (overflow ${overflow}px)`);
      assert.deepEqual(page.errors, []);
      await page.close();
    });

    it('refunds a card order paid on the Payment Page from the same order list', async () => {
      const page = await newPage(browser);
      const paymentId = await orderFromShop(page, sandbox.url, { amount: '20.00', currency: 'KES', method: 'card-partner', email: 'customer@example.com' });
      const phone = await page.waitForSelector('>>> input[name="customer_phone"]', { timeout: 15000 });
      await phone.type('254712345678');
      await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.locator('>>> .epay-form button[type="submit"]').click()]);
      await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.locator('#approve').click()]);
      await page.waitForSelector('#events li[data-event="success"]', { timeout: 20000 }); // the shop page's widget is done
      await waitForCallback(sandbox.url, paymentId, (b) => b.payment?.status === 'success', 'success callback');
      await page.goto(`${sandbox.url}/gate.html`, { waitUntil: 'load' });
      await page.waitForSelector(`${order(paymentId)}[data-status="success"]`, { timeout: 20000 });
      assert.equal(await page.$eval(`${order(paymentId)} .order-mode`, (e) => e.textContent), 'Payment Page');
      await page.locator(`${order(paymentId)} button[data-refund]`).click();
      const cb = await shownAndCalledBack(page, sandbox.url, paymentId, 'refunded');
      assert.equal(cb.body.operation.type, 'refund');
      assert.deepEqual(cb.body.operation.sum_initial, { amount: 2000, currency: 'KES' });
      assert.deepEqual(page.errors, []);
      await page.close();
    });
  });
}
