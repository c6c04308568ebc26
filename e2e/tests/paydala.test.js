// PayDala terminal top-ups end to end (seed 000). Payment Page: a KZT order at the shop
// (customer_id = the account typed in #account) → the widget's terminal screen shows the
// account number and the service name → in a second tab the simulated PayDala terminal
// checks the account (the platform sends a signed `verify` to the shop's web service) and
// tops up 1000.00 KZT (`check_deposit`) → the widget turns to success by itself with the
// deposited sum → the shop's log has verify then check_deposit, and the shop's server has
// the signed callback (method paydala, account.number). And the unknown-account path.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BROWSERS, startSandbox, launch, newPage, orderFromShop, widgetText, shot, eventually, getJson, theOneSignedCallback } from '../lib/harness.js';

const SEED_CALLBACK_KEYS = ['project_id', 'payment', 'account', 'operation', 'signature'];
const SEED_OPERATION_KEYS = ['id', 'type', 'status', 'date', 'created_date', 'request_id', 'sum_initial', 'sum_converted', 'code', 'message', 'provider'];

/** Text of the first element matching `selector` inside the widget's shadow root. */
async function widgetField(page, selector) {
  const el = await page.waitForSelector(`>>> ${selector}`, { timeout: 20000 });
  return (await el.evaluate((e) => e.textContent)).trim();
}

/** The terminal in its own tab: service, account, #check. Returns the tab and the outcome. */
async function checkAccount(browser, base, account, shotName, width = 360) {
  const tab = await newPage(browser, { width, height: 800 });
  await tab.goto(`${base}/sim/paydala`, { waitUntil: 'load' });
  const services = await tab.$$eval('#service option', (os) => os.map((o) => [o.value, o.textContent]));
  assert.deepEqual(services, [['1234', 'Demo Shop']]);
  await tab.select('#service', '1234');
  await tab.locator('#account').fill(account);
  if (shotName) await shot(tab, `${shotName}-start-${width}`);
  await Promise.all([tab.waitForNavigation({ waitUntil: 'load' }), tab.locator('#check').click()]);
  const outcome = await tab.$eval('#verify-result', (e) => e.dataset.outcome);
  if (shotName) await shot(tab, `${shotName}-verify-${outcome}-${width}`);
  return { tab, outcome };
}

for (const name of BROWSERS) {
  describe(`paydala in ${name}`, () => {
    let sandbox, browser;
    before(async () => { sandbox = await startSandbox(); browser = await launch(name); });
    after(async () => { await browser?.close(); await sandbox?.stop(); });

    it('shows the terminal screen, the terminal tops up 1000.00, the widget turns to success and the shop gets the callback', async () => {
      const account = '7123456789';
      const page = await newPage(browser);
      // The shop asks for 500.00; the customer chooses 1000.00 at the terminal.
      const paymentId = await orderFromShop(page, sandbox.url, { amount: '500.00', currency: 'KZT', method: 'paydala', account });
      assert.equal(await widgetField(page, '[data-testid="account-number"]'), account);
      assert.equal(await widgetField(page, '[data-testid="service-name"]'), 'Demo Shop');
      assert.match(await widgetText(page), /Demo Shop/);
      await shot(page, `${name}-paydala-terminal-1280`);
      await page.setViewport({ width: 360, height: 800 });
      await shot(page, `${name}-paydala-terminal-360`);
      await page.setViewport({ width: 1280, height: 900 });
      // Nothing is booked before the customer is at the terminal.
      assert.deepEqual(await getJson(`${sandbox.url}/merchant/paydala/log?account=${account}`), []);

      const { tab, outcome } = await checkAccount(browser, sandbox.url, account, `${name}-paydala`);
      assert.equal(outcome, 'ok');
      assert.equal((await tab.$eval('#account-number', (e) => e.textContent)).trim(), account);
      assert.equal((await tab.$eval('#currency', (e) => e.textContent)).trim(), 'KZT');
      assert.equal((await tab.$eval('#additional-id', (e) => e.textContent)).trim(), 'customer_123');
      const txn = await tab.$eval('input[name="txn"]', (e) => e.value);
      await tab.locator('#amount').fill('1000.00');
      await Promise.all([tab.waitForNavigation({ waitUntil: 'load' }), tab.locator('#deposit').click()]);
      assert.equal(await tab.$eval('#deposit-result', (e) => e.dataset.outcome), 'ok');
      const depositId = (await tab.$eval('#payment-id', (e) => e.textContent)).trim();
      assert.match(depositId, /^deposit-\d+$/);
      assert.equal((await tab.$eval('#page-payment', (e) => e.textContent)).trim(), paymentId, 'the waiting checkout was settled');
      await shot(tab, `${name}-paydala-deposit-ok-360`);
      // The same form posted again (a reload, a double click) books nothing more.
      for (let i = 0; i < 2; i++) {
        const again = await fetch(`${sandbox.url}/sim/paydala/deposit`, { method: 'POST', body: new URLSearchParams({ txn, amount: '1000.00' }) });
        const html = await again.text();
        assert.match(html, /id="deposit-result"[^>]*data-outcome="ok"/);
        assert.ok(html.includes(`id="payment-id">${depositId}<`), 'the same deposit');
      }
      assert.deepEqual(tab.errors, []);
      await tab.close();

      // The widget, polling on its own, shows the deposit.
      await page.bringToFront();
      await page.waitForSelector('#events li[data-event="success"]', { timeout: 30000 });
      await eventually(async () => /Payment successful/i.test(await widgetText(page)), 10000, 'success screen');
      assert.match(await widgetText(page), /1,000\.00|1 000[.,]00|1000\.00/, 'the deposited sum, not the 500.00 asked');
      const success = await page.$eval('#events li[data-event="success"]', (e) => e.textContent);
      assert.match(success, /"amount":100000/);
      await shot(page, `${name}-paydala-success-1280`);
      await page.setViewport({ width: 360, height: 800 });
      await shot(page, `${name}-paydala-success-360`);
      await page.setViewport({ width: 1280, height: 900 });

      // The shop's web service: verify, then check_deposit (seed amounts in minor units).
      const log = await getJson(`${sandbox.url}/merchant/paydala/log?account=${account}`);
      assert.deepEqual(log.map((e) => e.type), ['verify', 'check_deposit']);
      assert.deepEqual(log.map((e) => e.code), [0, 0]);
      assert.equal(log[1].request.amount, 100000);
      assert.equal(log[1].request.currency, 'KZT');
      assert.equal(log[1].request.payment_method, 'terminal/paydala');
      assert.equal(log[1].reply.payment_id, depositId);

      // The shop's server: one signed callback for the top-up, naming the checkout it paid
      // (seed 000: the callback's payment.id is the merchant's payment); the shop's fresh id
      // (deposit-N, on the receipt) is no second payment.
      const list = await eventually(async () => {
        const l = await getJson(`${sandbox.url}/merchant/callbacks?account=${account}`);
        return l.length ? l : null;
      }, 20000, 'the PayDala callback');
      const cb = theOneSignedCallback(list, SEED_CALLBACK_KEYS, SEED_OPERATION_KEYS);
      assert.equal(cb.body.project_id, 1234);
      assert.equal(cb.body.payment.id, paymentId);
      assert.deepEqual(await getJson(`${sandbox.url}/merchant/callbacks?payment_id=${depositId}`), []);
      assert.equal(cb.body.payment.method, 'paydala');
      assert.equal(cb.body.payment.status, 'success');
      assert.deepEqual(cb.body.payment.sum, { amount: 100000, currency: 'KZT' });
      assert.deepEqual(cb.body.account, { number: account });
      assert.equal(cb.body.operation.type, 'sale');
      assert.equal(cb.body.operation.code, '0');
      assert.equal(cb.body.operation.provider.id, 12345);
      // check_deposit carries exactly seed 000's parameters; the platform's request id is the callback's only.
      assert.deepEqual(Object.keys(log[1].request), ['type', 'project_id', 'customer_id', 'amount', 'currency', 'payment_method', 'signature']);
      assert.match(cb.body.operation.request_id, /^[0-9a-f]{64}$/);
      // The shop page lists it too.
      await page.waitForSelector('#callbacks li[data-status="success"]', { timeout: 10000 });
      assert.deepEqual(page.errors, []);
      await page.close();
    });

    it('an unknown account is refused at the terminal, and nothing is booked', async () => {
      const account = '7999999999';
      const page = await newPage(browser);
      await orderFromShop(page, sandbox.url, { amount: '500.00', currency: 'KZT', method: 'paydala', account });
      assert.equal(await widgetField(page, '[data-testid="account-number"]'), account);

      const { tab, outcome } = await checkAccount(browser, sandbox.url, account, `${name}-paydala-unknown`, 1280);
      assert.equal(outcome, 'not_found');
      const said = await tab.$eval('#verify-result', (e) => e.textContent);
      assert.match(said, /Unknown account/);
      assert.match(said, /Account does not exist/);
      assert.equal(await tab.$('#deposit'), null, 'no top-up for an unknown account');
      assert.equal(await tab.$eval('#account', (e) => e.value), account, 'the account stays typed in to correct it');
      assert.deepEqual(tab.errors, []);
      await tab.close();

      const log = await getJson(`${sandbox.url}/merchant/paydala/log?account=${account}`);
      assert.deepEqual(log.map((e) => [e.type, e.code]), [['verify', 404]]);
      await new Promise((r) => setTimeout(r, 1500));
      assert.deepEqual(await getJson(`${sandbox.url}/merchant/callbacks?account=${account}`), [], 'no callback');
      await page.bringToFront();
      assert.equal(await page.$('#events li[data-event="success"]'), null, 'the widget still waits');
      assert.match(await widgetText(page), new RegExp(account));
      assert.deepEqual(page.errors, []);
      await page.close();
    });
  });
}
