// Gate mode end to end (seed 001): the shop's server sends a signed card-partner sale to
// Gate → the platform's callback brings redirect_data → EPayWidget.followRedirect → the
// partner page → approve → back to gate.html → signed success callback at the shop →
// Refund (Gate) → seed-shaped refund callback → a second refund is declined (seed 001's
// refund-decline callback), on the page, and no money moves twice. A card order paid on
// the Payment Page is refunded from the same list. A sale without the e-mail is first
// held for clarification (seed 001): the page asks the shop user, the shop's server sends
// the signed clarification, and the payment goes on to the partner.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BROWSERS, startSandbox, launch, newPage, orderFromShop, waitForCallback, shot, eventually, getJson } from '../lib/harness.js';

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

    it('asks the shop user for the e-mail the platform wants clarified, then goes to the partner and is paid', async () => {
      const page = await newPage(browser);
      await page.goto(`${sandbox.url}/gate.html`, { waitUntil: 'load' });
      await page.locator('#amount').fill('50.00');
      await page.select('#currency', 'KES');
      await page.locator('#phone').fill('254712345678'); // no e-mail: seed 001's clarification
      await page.locator('#gate-pay').click();

      // The shop got the signed clarification callback; the page asks for the e-mail only.
      await page.waitForSelector('#clarify-form:not([hidden]) #clarify-email', { visible: true, timeout: 20000 });
      const paymentId = await page.evaluate(() => new URLSearchParams(location.search).get('order'));
      assert.match(paymentId, /^gate-\d+-[0-9a-f]{6}$/);
      const asked = await waitForCallback(sandbox.url, paymentId, (b) => b.clarification_fields, 'clarification callback');
      assert.equal(asked.length, 1, 'no redirect_data before the clarification');
      assert.equal(asked[0].valid, true, 'the clarification callback is signed');
      assert.equal(asked[0].body.payment.status, 'awaiting clarification');
      assert.deepEqual(asked[0].body.clarification_fields.properties.customer.required, ['email']);
      assert.equal(await page.$eval('[data-field="customer_phone"]', (e) => e.hidden), true, 'the phone is known: not asked');
      assert.equal(await page.evaluate(() => document.activeElement?.id), 'clarify-email');
      assert.match(await page.$eval('#gate-status', (e) => e.textContent), /asked the shop for your email/);
      await page.waitForSelector(`${order(paymentId)}[data-status="awaiting clarification"]`, { timeout: 10000 });
      assert.match(await page.$eval(`${order(paymentId)} .log li`, (e) => e.textContent), /clarification_fields customer\.email/);
      await shot(page, `${name}-gate-clarify-1280`);

      // Phone first: nothing overflows, the field and the button are 44 px targets.
      await page.setViewport({ width: 360, height: 800 });
      await shot(page, `${name}-gate-clarify-360`);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.ok(overflow <= 0, `no horizontal scrolling at 360 px (overflow ${overflow}px)`);
      for (const sel of ['#clarify-email', '#clarify-send']) {
        const h = await page.$eval(sel, (e) => e.getBoundingClientRect().height);
        assert.ok(h >= 44, `${sel} is ${h}px tall`);
      }
      assert.equal(await page.$eval('#clarify-email', (e) => e.labels[0].textContent), 'Email');

      // Errors are named, tied to the field, and take the focus: empty (the page), then not
      // an address (the shop's server, checked with the core's builder).
      await page.locator('#clarify-send').click();
      await page.waitForSelector('#clarify-email-error:not([hidden])');
      assert.equal(await page.$eval('#clarify-email-error', (e) => e.textContent), 'Email: is required to go on with the payment');
      assert.equal(await page.$eval('#clarify-email', (e) => e.getAttribute('aria-invalid')), 'true');
      assert.equal(await page.evaluate(() => document.activeElement?.id), 'clarify-email');
      await page.locator('#clarify-email').fill('not-an-email');
      await page.locator('#clarify-send').click();
      await page.waitForFunction(() => /e-mail address/.test(document.querySelector('#clarify-email-error').textContent));
      assert.equal(await page.$eval('#clarify-email-error', (e) => e.textContent), 'Email: must be an e-mail address like name@example.com');
      await shot(page, `${name}-gate-clarify-error-360`);

      // Supplied: the shop's server sends the signed clarification, redirect_data follows, the partner.
      await page.locator('#clarify-email').fill('customer@example.com');
      await page.locator('#clarify-send').click();
      await eventually(async () => /\/sim\/partner\/pay$/.test(page.url())
        && await page.evaluate(() => document.readyState === 'complete' && !!document.querySelector('#approve')), 30000, 'the partner page');
      assert.equal(await page.$eval('#invoice', (e) => e.textContent), paymentId);
      assert.match(await page.evaluate(() => document.body.textContent), /50\.00 KES/);
      await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.locator('#approve').click()]);
      const back = new URL(page.url());
      assert.equal(back.pathname, '/gate.html');
      assert.equal(back.searchParams.get('result'), 'success');
      await shownAndCalledBack(page, sandbox.url, paymentId, 'success');

      // At the shop: the clarification callback, then redirect_data (with the e-mail), then success, all signed.
      const list = await getJson(`${sandbox.url}/merchant/callbacks?payment_id=${encodeURIComponent(paymentId)}`);
      assert.deepEqual(list.map((c) => c.body.payment.status), ['awaiting clarification', 'awaiting redirect result', 'success']);
      assert.ok(list.every((c) => c.valid), 'every callback is signed');
      assert.ok(list[0].body.clarification_fields && !list[0].body.redirect_data);
      assert.equal(list[1].body.redirect_data.body.eml, 'customer@example.com');
      assert.equal(list[1].body.redirect_data.body.tel, '254712345678');
      assert.deepEqual(list[2].body.payment.sum, { amount: 5000, currency: 'KES' });
      // The one error response was the refused address (400, named on the page).
      assert.deepEqual(page.errors.filter((e) => !/^HTTP 400 .*\/merchant\/gate\/orders\/[^/]+\/clarify$/.test(e)), []);
      assert.equal(page.errors.length, 1, page.errors.join('\n'));
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
