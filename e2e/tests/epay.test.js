// EPay cash end to end (seed 002). Payment Page: shop order in MYR with only some customer
// fields → the widget asks for the rest → code screen (reference number, QR code, barcode,
// countdown) → the code is paid (or expires) at the simulated EPay terminal in a second tab →
// the widget in the first tab switches to the result by itself (polling) → the shop's server
// has the signed callback. Gate mode: epay-gate.html → the shop's server sends the Gate sale →
// the callback's redirect_data → EPayWidget.showCode → paid at the terminal → result callback.
// The QR code is decoded with jsQR from the widget's own SVG.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import jsQR from 'jsqr';
import { BROWSERS, startSandbox, launch, newPage, orderFromShop, waitForCallback, widgetText, shot, eventually, checkoutCalls, theOneSignedCallback } from '../lib/harness.js';

const REFERENCE = /^\d{3}-\d{3}-\d{3}$/;
const SEED_CALLBACK_KEYS = ['project_id', 'payment', 'customer', 'operation', 'signature'];
// Seed 002, "Формат оповещений" (all four examples): EPay's operation ends provider, code, message,
// and its request_id is plain hex (bfe58066b0f4331c).
const SEED_OPERATION_KEYS = ['id', 'type', 'status', 'date', 'created_date', 'request_id', 'sum_initial', 'sum_converted', 'provider', 'code', 'message'];
const SEED_REQUEST_ID = /^[0-9a-f]+$/;

/** Text of the first element matching `selector` inside the widget's shadow root. */
async function widgetField(page, selector) {
  const el = await page.waitForSelector(`>>> ${selector}`, { timeout: 20000 });
  return (await el.evaluate((e) => e.textContent)).trim();
}

/**
 * Decodes the widget's QR code: the <svg data-testid="qr"> is serialized, drawn as an
 * image onto a canvas (white background, quiet zone) and read back with getImageData;
 * jsQR decodes the pixels. The drawing happens in a blank helper tab: the shop page's
 * strict CSP (img-src 'self') rightly refuses data: images, and is not loosened for a test.
 */
async function decodeQr(browser, page) {
  const svg = await page.waitForSelector('>>> svg[data-testid="qr"]', { timeout: 20000 });
  const markup = await svg.evaluate((el) => {
    const clone = el.cloneNode(true);
    clone.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
    clone.setAttribute('width', '400');
    clone.setAttribute('height', '400');
    // Colours that came from the widget's stylesheet, kept on the standalone copy.
    const paths = [...el.querySelectorAll('path, rect')];
    [...clone.querySelectorAll('path, rect')].forEach((p, i) => {
      const fill = getComputedStyle(paths[i]).fill;
      if (fill && fill !== 'none') p.setAttribute('fill', fill);
    });
    return new XMLSerializer().serializeToString(clone);
  });
  const helper = await browser.newPage();
  try {
    const pixels = await helper.evaluate(async (text) => {
      const img = new Image();
      img.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(text)}`;
      await img.decode();
      const size = 480;
      const canvas = document.createElement('canvas');
      canvas.width = size;
      canvas.height = size;
      const ctx = canvas.getContext('2d');
      ctx.fillStyle = '#fff';
      ctx.fillRect(0, 0, size, size);
      ctx.drawImage(img, 40, 40, 400, 400);
      return { width: size, height: size, data: Array.from(ctx.getImageData(0, 0, size, size).data) };
    }, markup);
    const found = jsQR(Uint8ClampedArray.from(pixels.data), pixels.width, pixels.height);
    assert.ok(found, 'jsQR finds a QR code in the widget\'s SVG');
    return found.data;
  } finally {
    await helper.close();
  }
}

/** Opens the terminal in its own tab, finds `reference`, and presses `button` (#pay-cash, #expire or #decline). */
async function atTerminal(browser, base, reference, button, name) {
  const tab = await newPage(browser, { width: 360, height: 800 });
  await tab.goto(`${base}/sim/epay`, { waitUntil: 'load' });
  await tab.locator('#reference').fill(reference);
  await Promise.all([tab.waitForNavigation({ waitUntil: 'load' }), tab.locator('#find').click()]);
  assert.equal((await tab.$eval('#reference-number', (e) => e.textContent)).trim(), reference);
  await shot(tab, `${name}-epay-terminal-360`);
  await Promise.all([tab.waitForNavigation({ waitUntil: 'load' }), tab.locator(`#${button}`).click()]);
  const said = await tab.$eval('#result', (e) => e.textContent);
  await shot(tab, `${name}-epay-terminal-${button}-360`);
  assert.deepEqual(tab.errors, []);
  await tab.close();
  return said;
}

for (const name of BROWSERS) {
  describe(`epaycash in ${name}`, () => {
    // `shortLived` issues codes valid for TTL seconds: they expire while the test watches.
    const TTL = 25; // long enough for a loaded 2-core machine to reach the code screen first
    let sandbox, shortLived, browser;
    before(async () => {
      [sandbox, shortLived] = await Promise.all([startSandbox(), startSandbox(['--epay-ttl', String(TTL)])]);
      browser = await launch(name);
    });
    after(async () => { await browser?.close(); await sandbox?.stop(); await shortLived?.stop(); });

    /** Shop order in MYR with first name and email only; the widget asks for the rest. */
    async function codeFromShop(platform = sandbox) {
      const page = await newPage(browser);
      const paymentId = await orderFromShop(page, platform.url, {
        amount: '5000.00', currency: 'MYR', method: 'epaycash', firstName: 'Putra', email: 'putra@mail.com',
      });
      const last = await page.waitForSelector('>>> input[name="customer_last_name"]', { timeout: 15000 });
      const phone = await page.waitForSelector('>>> input[name="customer_phone"]');
      assert.equal(await page.$('>>> input[name="customer_first_name"]'), null, 'first name was sent by the shop');
      assert.equal(await page.$('>>> input[name="customer_email"]'), null, 'email was sent by the shop');
      await shot(page, `${name}-epay-fields`);
      await last.type('Cane');
      await phone.type('60321669552');
      await page.locator('>>> .epay-form button[type="submit"]').click();

      const reference = await widgetField(page, '[data-testid="reference-number"]');
      assert.match(reference, REFERENCE);
      await page.waitForSelector('>>> svg[data-testid="qr"]');
      await page.waitForSelector('>>> svg[data-testid="barcode"]');
      const timer = await widgetField(page, '[role="timer"]');
      assert.match(timer, /\d+:\d\d/, 'a countdown');
      await page.waitForSelector('#events li[data-event="code"]', { timeout: 10000 });
      // onCode's payload spreads redirect_data in seed 002's order ({body, method, url}), then the ids.
      const logged = await page.$eval('#events li[data-event="code"]', (e) => e.textContent);
      const payload = JSON.parse(logged.slice(logged.indexOf('{')));
      assert.deepEqual(Object.keys(payload).slice(0, 3), ['body', 'method', 'url']);
      assert.deepEqual(Object.keys(payload.redirect_data), ['body', 'method', 'url']);
      const text = await widgetText(page);
      assert.match(text, /PUTRA CANE/);
      assert.match(text, /5,000\.00|5 000[.,]00|5000\.00/);
      assert.equal(await decodeQr(browser, page), reference, 'the QR code carries the reference number');
      await shot(page, `${name}-epay-code-1280`);
      await page.setViewport({ width: 360, height: 800 });
      await shot(page, `${name}-epay-code-360`);
      await page.setViewport({ width: 1280, height: 900 });
      return { page, paymentId, reference };
    }

    it('a tab hidden past the session\'s life (the customer gone to the terminal): back, it opens again and shows the payment', async () => {
      // Sessions unused for 2 s are deleted; a hidden tab does not poll, so its session goes.
      const short = await startSandbox(['--session-ttl', '2']);
      try {
        const { page, paymentId, reference } = await codeFromShop(short);
        const calls = checkoutCalls(page);
        const setHidden = (hidden) => page.evaluate((h) => {
          Object.defineProperty(document, 'hidden', { configurable: true, get: () => h });
          document.dispatchEvent(new Event('visibilitychange'));
        }, hidden);
        await setHidden(true);
        await new Promise((r) => setTimeout(r, 3500));
        assert.match(await atTerminal(browser, short.url, reference, 'pay-cash', `${name}-hidden`), /Paid/);
        await page.bringToFront();
        await setHidden(false);
        await page.waitForSelector('#events li[data-event="success"]', { timeout: 30000 });
        await eventually(async () => /Payment successful/i.test(await widgetText(page)), 10000, 'success screen');
        assert.deepEqual(calls.slice(0, 2), ['status 404', 'open 200'], 'the deleted session, then a new one');
        assert.ok(!calls.some((c) => c.startsWith('pay')), 'nothing paid again');
        assert.equal(await page.$('#events li[data-event="error"]'), null, 'no error reached the shop');
        const list = await waitForCallback(short.url, paymentId, (b) => b.payment?.status === 'success', 'success callback');
        assert.equal(list.length, 1, 'exactly one callback');
        assert.deepEqual(page.errors.filter((e) => !/^HTTP 404 \S+\/api\/v1\/checkout\/status\?session=\w+$/.test(e)), []);
        await page.close();
      } finally {
        await short.stop();
      }
    });

    it('shows the code, is paid at the terminal in another tab, and the widget turns to success by itself', async () => {
      const { page, paymentId, reference } = await codeFromShop();
      const said = await atTerminal(browser, sandbox.url, reference, 'pay-cash', name);
      assert.match(said, /Paid/);
      await page.bringToFront();
      await page.waitForSelector('#events li[data-event="success"]', { timeout: 30000 });
      await eventually(async () => /Payment successful/i.test(await widgetText(page)), 10000, 'success screen');
      await shot(page, `${name}-epay-success`);

      const list = await waitForCallback(sandbox.url, paymentId, (b) => b.payment?.status === 'success', 'success callback');
      const cb = theOneSignedCallback(list, SEED_CALLBACK_KEYS, SEED_OPERATION_KEYS);
      assert.match(cb.body.operation.request_id, SEED_REQUEST_ID);
      assert.equal(cb.body.payment.id, paymentId);
      assert.equal(cb.body.payment.method, 'ePayViaEGHL');
      assert.deepEqual(cb.body.payment.sum, { amount: 500000, currency: 'MYR' });
      assert.equal(cb.body.customer.phone, '60321669552');
      assert.equal(cb.body.operation.type, 'sale');
      assert.equal(cb.body.operation.code, '0');
      assert.equal(cb.body.operation.message, 'Success');
      assert.equal(cb.body.operation.provider.id, 1353);
      assert.deepEqual(page.errors, []);
      await page.close();
    });

    // Print media emulation needs CDP (Firefox over WebDriver BiDi has none).
    it('prints the code with its instructions and without buttons', { skip: name !== 'chromium' && 'needs CDP' }, async () => {
      const { page } = await codeFromShop();
      await page.emulateMediaType('print');
      const printed = await page.evaluate(() => {
        const root = [...document.querySelectorAll('*')].find((e) => e.shadowRoot)?.shadowRoot;
        const shown = (sel) => [...root.querySelectorAll(sel)].filter((e) => e.getClientRects().length > 0);
        return {
          steps: shown('ol.epay-steps li').length,
          heading: shown('h2').length,
          reference: shown('[data-testid="reference-number"]').length,
          qr: shown('svg[data-testid="qr"]').length,
          barcode: shown('svg[data-testid="barcode"]').length,
          buttons: shown('button').map((b) => b.textContent),
          color: getComputedStyle(root.querySelector('.epay-steps li')).color,
        };
      });
      await shot(page, `${name}-epay-code-print`);
      assert.deepEqual(printed, {
        steps: 4, heading: 1, reference: 1, qr: 1, barcode: 1, buttons: [], color: 'rgb(0, 0, 0)',
      }, 'the printout keeps the code, its drawings and the steps; no buttons; black text');
      await page.emulateMediaType(null);
      assert.ok((await page.$$('>>> button[data-action="print"]')).length === 1);
      await page.close();
    });

    it('lets the code run out: the countdown ends, the widget shows it expired, the shop gets a decline saying so', async () => {
      const { page, paymentId, reference } = await codeFromShop(shortLived);
      const left = await widgetField(page, '[role="timer"]');
      const m = /(\d+):(\d\d)/.exec(left);
      assert.ok(m && Number(m[1]) * 60 + Number(m[2]) <= TTL, `counts down from the platform's valid_time: ${left}`);
      // No one pays: the widget's own countdown reaches zero...
      await page.waitForSelector('#events li[data-event="decline"]', { timeout: (TTL + 20) * 1000 });
      // ...and the platform's sweep expires the code; the widget follows it to the result.
      await eventually(async () => /Payment expired/.test(await widgetText(page)), 10000, 'expired result screen');
      assert.doesNotMatch(await widgetText(page), /Payment declined/);
      await shot(page, `${name}-epay-expired`);
      const list = await waitForCallback(shortLived.url, paymentId, (b) => b.operation?.status === 'decline', 'decline callback');
      assert.equal(list.length, 1, 'exactly one callback');
      assert.equal(list[0].valid, true);
      assert.deepEqual(Object.keys(list[0].body), SEED_CALLBACK_KEYS);
      assert.equal(list[0].body.payment.status, 'decline', 'the merchant is told success or decline');
      assert.equal(list[0].body.payment.method, 'ePayViaEGHL');
      assert.equal(list[0].body.operation.code, '20000');
      assert.equal(list[0].body.operation.message, 'Payment code expired');
      // The terminal refuses the code now.
      const tab = await newPage(browser, { width: 360, height: 800 });
      await tab.goto(`${shortLived.url}/sim/epay?reference=${encodeURIComponent(reference)}`, { waitUntil: 'load' });
      assert.match(await tab.$eval('#result', (e) => e.textContent), /expired and cannot be paid/);
      assert.equal(await tab.$('#pay-cash'), null);
      await tab.close();
      assert.deepEqual(page.errors, []);
      await page.close();
    });

    it('Gate mode: the shop gets the code in a callback, showCode renders it, the terminal pays it', async () => {
      const page = await newPage(browser);
      await page.goto(`${sandbox.url}/epay-gate.html`, { waitUntil: 'load' });
      await page.locator('#amount').fill('50.00');
      await page.locator('#epay-pay').click();
      await page.waitForFunction(() => new URLSearchParams(location.search).get('order'), { timeout: 15000 });
      const paymentId = await page.evaluate(() => new URLSearchParams(location.search).get('order'));
      const reference = await widgetField(page, '[data-testid="reference-number"]');
      assert.match(reference, REFERENCE);
      await page.waitForSelector('>>> svg[data-testid="barcode"]');
      await page.waitForSelector('>>> [role="timer"]');
      assert.equal(await decodeQr(browser, page), reference);
      const first = await waitForCallback(sandbox.url, paymentId, (b) => b.redirect_data, 'callback with redirect_data');
      assert.equal(first[0].valid, true);
      assert.equal(first[0].body.payment.status, 'awaiting customer');
      // Seed 002: the code callback's operation as the result callbacks', redirect_data {body, method, url}.
      assert.deepEqual(Object.keys(first[0].body.operation), SEED_OPERATION_KEYS);
      assert.match(first[0].body.operation.request_id, SEED_REQUEST_ID);
      assert.deepEqual(Object.keys(first[0].body.redirect_data), ['body', 'method', 'url']);
      assert.equal(first[0].body.redirect_data.method, 'GET');
      assert.equal(first[0].body.redirect_data.body.reference_number, reference);
      assert.equal(first[0].body.redirect_data.body.user_name, 'PUTRA CANE');
      const shown = await widgetText(page);
      assert.match(shown, /PUTRA CANE/);
      assert.match(shown, /50\.00/, 'the amount the shop passed to showCode');
      assert.equal(await page.$('#events li[data-event="error"]'), null, 'showCode reported no error');
      await shot(page, `${name}-epay-gate-code-1280`);
      await page.setViewport({ width: 360, height: 800 });
      await shot(page, `${name}-epay-gate-code-360`);
      await page.setViewport({ width: 1280, height: 900 });

      await atTerminal(browser, sandbox.url, reference, 'pay-cash', `${name}-gate`);
      await page.bringToFront();
      await page.waitForSelector('#result[data-status="success"]', { timeout: 20000 });
      const list = await waitForCallback(sandbox.url, paymentId, (b) => b.payment?.status === 'success', 'success callback');
      assert.equal(list.length, 2, 'the code, then the result');
      assert.equal(list[1].valid, true);
      assert.equal(list[1].body.payment.method, 'ePayViaEGHL');
      assert.equal(list[1].body.operation.code, '0');
      await page.waitForSelector('#callbacks li[data-status="success"]', { timeout: 10000 });
      await shot(page, `${name}-epay-gate-success`);
      assert.deepEqual(page.errors, []);
      await page.close();
    });
  });
}
