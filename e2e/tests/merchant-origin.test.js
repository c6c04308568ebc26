// The merchant's real deployment, end to end: the README's shop (checkout.html, checkout.js,
// server.mjs, copied out of docs/embedding.md as they are) runs on its own loopback port under its
// own strict CSP, loads the widget from the platform (the sandbox, another port) and signs
// its orders; the platform posts callbacks to the merchant's receiver on a third port.
// Card (out to the partner and back to the shop), EPay cash and PayDala, in both browsers.
// The shop runs as a merchant deploys it: `epay-widget` installed beside it (here the built
// pkg/, linked as node_modules/epay-widget), and NO `epay` binary on its PATH.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import {
  BROWSERS, startSandbox, launch, newPage, widgetText, shot, eventually, readmeFiles,
  verifies, startStatic,
} from '../lib/harness.js';
import { shopDir, startShop, NO_EPAY_PATH } from '../lib/shop.js';

const files = readmeFiles();

/**
 * The merchant's callback URL as the platform sees it: records every body and passes it on to
 * the shop started last (`target`), answering what the shop answered.
 */
async function startForwarder() {
  const bodies = [];
  const answers = [];
  const fwd = { target: null, bodies, answers };
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (d) => chunks.push(d));
    req.on('end', async () => {
      const body = Buffer.concat(chunks).toString();
      if (req.method !== 'POST' || req.url !== '/callbacks') return res.writeHead(404).end();
      bodies.push(body);
      if (!fwd.target) return res.writeHead(200).end('ok');
      try {
        const r = await fetch(`${fwd.target}/callbacks`, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
        const text = await r.text();
        answers.push({ status: r.status, text, body });
        res.writeHead(r.status).end(text);
      } catch (e) {
        answers.push({ status: 502, text: String(e), body });
        res.writeHead(502).end();
      }
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  fwd.url = `http://127.0.0.1:${server.address().port}`;
  fwd.stop = () => new Promise((r) => server.close(r));
  return fwd;
}

const stateOf = async (shopUrl, id) => (await (await fetch(`${shopUrl}/orders/${encodeURIComponent(id)}/state`)).json()).state;

describe('the README shop without the epay binary', () => {
  it('has no epay on its PATH', () => {
    assert.throws(() => execFileSync('/bin/sh', ['-c', 'command -v epay'], { env: { PATH: NO_EPAY_PATH } }));
  });
  it('refuses to start without EPAY_SECRET, saying so (no default secret)', async () => {
    const dir = shopDir(files);
    await assert.rejects(startShop(dir, { EPAY_SECRET: '' }), /exited 1[\s\S]*set EPAY_SECRET to your project secret/);
  });
});

describe('the README shop files', () => {
  it('are in the README', () => {
    assert.deepEqual(Object.keys(files).sort(), ['checkout-fast.html', 'checkout-fast.js', 'checkout.html', 'checkout.js', 'server.mjs']);
  });

  it("the README's own short example is the shop's checkout, line for line", () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const block = /## Embedding[\s\S]*?```js\n([\s\S]*?)```/.exec(readme)[1];
    const shop = new Set(`${files['checkout.js']}${files['checkout-fast.js']}`.split('\n'));
    const code = block.split('\n').filter((l) => l.trim() && !l.trim().startsWith('//'));
    assert.ok(code.length >= 8, block);
    for (const line of code) assert.ok(shop.has(line), `not in the shop's checkout.js or checkout-fast.js: ${line}`);
  });
});

/** Waits for the receiver to hold a callback for `paymentId` that satisfies `pred`. */
async function callbackFor(receiver, paymentId, pred, what) {
  return eventually(() => {
    const mine = receiver.bodies.map((b) => ({ raw: b, body: JSON.parse(b) })).filter((c) => c.body.payment?.id === paymentId);
    return mine.find((c) => pred(c.body)) ? mine : null;
  }, 30000, what);
}

const orderId = (page) => page.evaluate(() => new URLSearchParams(location.search).get('order'));

for (const name of BROWSERS) {
  describe(`a merchant page on its own origin, in ${name}`, () => {
    let sandbox, browser, receiver, dir;
    const shops = [];
    /**
     * The README's server.mjs with `env` (the secret passed explicitly, as the README's command
     * does), no `epay` on its PATH; `edit` may change the files first (a variant). Callbacks
     * reach it through the recording forwarder.
     */
    async function shop(env, edit) {
      const d = edit ? shopDir(edit({ ...files })) : dir;
      const s = await startShop(d, { PLATFORM: sandbox.url, EPAY_SECRET: 'sandbox-secret-250', ...env });
      shops.push(s);
      receiver.target = s.url;
      assert.notEqual(new URL(s.url).origin, new URL(sandbox.url).origin);
      return s;
    }

    before(async () => {
      receiver = await startForwarder();
      sandbox = await startSandbox(['--callback-url', `250=${receiver.url}/callbacks`, '--callback-url', `1234=${receiver.url}/callbacks`]);
      browser = await launch(name);
      dir = shopDir(files);
    });
    after(async () => {
      await browser?.close();
      for (const s of shops) await s.stop();
      await sandbox?.stop();
      await receiver?.stop();
    });

    it('card: out to the partner, back to the shop, the same order shows its result; one signed callback at the merchant', async () => {
      const s = await shop({ ORDER: JSON.stringify({ payment_amount: 10000, payment_currency: 'KES', force_payment_method: 'card-partner', customer_email: 'customer@example.com' }) });
      const page = await newPage(browser);
      await page.goto(s.url, { waitUntil: 'load' });
      const phone = await page.waitForSelector('>>> input[name="customer_phone"]', { timeout: 20000 });
      const paymentId = await orderId(page);
      assert.match(paymentId, /^order-/);
      await phone.type('254712345678');
      await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.locator('>>> .epay-form button[type="submit"]').click()]);
      assert.equal(new URL(page.url()).origin, new URL(sandbox.url).origin, 'at the partner');
      await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.locator('#approve').click()]);
      assert.equal(new URL(page.url()).origin, new URL(s.url).origin, 'back at the shop');
      assert.equal(await orderId(page), paymentId, 'the same order');
      await page.waitForFunction((id) => document.querySelector('#result')?.textContent.startsWith(`Paid: order ${id}`), { timeout: 20000 }, paymentId);
      assert.match(await widgetText(page), /Payment successful/);
      await shot(page, `${name}-merchant-origin-card-success`);
      const list = await callbackFor(receiver, paymentId, (b) => b.payment?.status === 'success', 'success callback at the merchant');
      assert.equal(list.length, 1, 'one callback');
      assert.ok(verifies(list[0].raw, 'sandbox-secret-250'), 'signed with the project secret');
      // The shop verified it with epay-widget/server, matched it to its order, and the page
      // read the order's state after the return from the partner.
      assert.deepEqual(receiver.answers.filter((a) => a.body === list[0].raw).map((a) => [a.status, a.text]), [[200, 'ok']]);
      assert.equal(await stateOf(s.url, paymentId), 'paid');
      await page.waitForFunction((id) => document.querySelector('#result')?.textContent === `Paid: order ${id} (confirmed by the shop)`, { timeout: 20000 }, paymentId);
      assert.deepEqual(page.errors, []);
      await page.close();
    });

    it('the fast first screen (/fast): the open answer is in the page, the browser sends no open and fetches each widget file once; card out and back to /fast?order', async () => {
      const s = await shop({ ORDER: JSON.stringify({ payment_amount: 10000, payment_currency: 'KES', customer_email: 'customer@example.com', customer_phone: '254712345678' }) });
      const page = await newPage(browser);
      const asked = [];
      page.on('request', (r) => asked.push(r.url()));
      // Downloaded: Firefox asks the HTTP cache again for a preloaded file fetched with
      // `integrity`, and an earlier test may have cached the release's (immutable) files:
      // at most one download each.
      const downloaded = [];
      page.on('requestfinished', (r) => { if (!r.response()?.fromCache()) downloaded.push(r.url()); });
      await page.goto(`${s.url}/fast`, { waitUntil: 'load' });
      const card = await page.waitForSelector('>>> button[data-method="card-partner"]', { timeout: 20000 });
      const paymentId = await orderId(page);
      assert.match(paymentId, /^order-/);
      const count = (re) => asked.filter((u) => re.test(new URL(u).pathname)).length;
      assert.equal(count(/\/api\/v1\/checkout\/open$/), 0, 'no open from the browser: the page had the answer');
      const once = (re) => downloaded.filter((u) => re.test(new URL(u).pathname)).length;
      for (const [what, re] of [['the wasm', /\/pkg\/(?:[\w.-]+\/)?epay_widget_bg\.wasm$/], ['the glue', /\/pkg\/(?:[\w.-]+\/)?epay_widget\.js$/]]) {
        assert.ok(count(re) >= 1 && once(re) <= 1, `${what} once: ${asked.join(' ')}; downloaded ${downloaded.join(' ')}`);
      }
      await shot(page, `${name}-merchant-origin-fast-picker`);
      // A programming mistake names the option: an answer for another payment.
      const refused = await page.evaluate(() => {
        const { params, opened } = JSON.parse(document.querySelector('#order').textContent);
        try {
          EPayWidget.run(params, { target: '#checkout', opened: { ...opened, payment_id: 'order-other' } });
          return null;
        } catch (e) {
          return { code: e.code, param: e.param, message: e.message };
        }
      });
      assert.equal(refused?.code, 'invalid_argument');
      assert.equal(refused.param, 'options.opened');
      assert.match(refused.message, /payment_id "order-other"/);
      await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), card.click()]); // nothing to ask: out to the partner
      assert.equal(new URL(page.url()).origin, new URL(sandbox.url).origin, 'at the partner');
      await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.locator('#approve').click()]);
      assert.equal(new URL(page.url()).pathname, '/fast', 'back at the fast page');
      assert.equal(await orderId(page), paymentId, 'the same order');
      await page.waitForFunction((id) => document.querySelector('#result')?.textContent === `Paid: order ${id}`, { timeout: 20000 }, paymentId);
      assert.match(await widgetText(page), /Payment successful/);
      assert.equal(count(/\/api\/v1\/checkout\/open$/), 0, 'the server opened the returning order too');
      await eventually(async () => (await stateOf(s.url, paymentId)) === 'paid', 20000, 'the /fast order paid at the shop');
      await callbackFor(receiver, paymentId, (b) => b.payment?.status === 'success', 'success callback at the merchant');
      assert.deepEqual(page.cspViolations, []);
      assert.deepEqual(page.errors, []);
      await page.close();
    });

    it('EPay cash: the code screen, paid at the terminal, the result; the callback at the merchant', async () => {
      const s = await shop({
        ORDER: JSON.stringify({
          payment_amount: 5000, payment_currency: 'MYR', force_payment_method: 'epaycash', customer_first_name: 'Siti',
          customer_last_name: 'Tan', customer_email: 'siti@example.com', customer_phone: '60123456789',
        }),
      });
      const page = await newPage(browser);
      await page.goto(s.url, { waitUntil: 'load' });
      const ref = await page.waitForSelector('>>> [data-testid="reference-number"]', { timeout: 20000 });
      const reference = (await ref.evaluate((e) => e.textContent)).trim();
      const paymentId = await orderId(page);
      const tab = await newPage(browser, { width: 360, height: 800 });
      await tab.goto(`${sandbox.url}/sim/epay`, { waitUntil: 'load' });
      await tab.locator('#reference').fill(reference);
      await Promise.all([tab.waitForNavigation({ waitUntil: 'load' }), tab.locator('#find').click()]);
      await Promise.all([tab.waitForNavigation({ waitUntil: 'load' }), tab.locator('#pay-cash').click()]);
      await tab.close();
      await page.waitForFunction((id) => document.querySelector('#result')?.textContent.startsWith(`Paid: order ${id}`), { timeout: 30000 }, paymentId);
      const list = await callbackFor(receiver, paymentId, (b) => b.payment?.status === 'success', 'EPay success callback');
      assert.ok(verifies(list.at(-1).raw, 'sandbox-secret-250'));
      await eventually(async () => (await stateOf(s.url, paymentId)) === 'paid', 20000, 'the EPay order paid at the shop');
      await page.waitForFunction((id) => document.querySelector('#result')?.textContent === `Paid: order ${id} (confirmed by the shop)`, { timeout: 20000 }, paymentId);
      assert.deepEqual(page.errors, []);
      await page.close();
    });

    it('PayDala: the terminal screen, a top-up at the terminal, the result; the callback at the merchant', async () => {
      const account = '7123456789';
      const s = await shop({
        PROJECT_ID: '1234', EPAY_SECRET: 'sandbox-secret-1234',
        ORDER: JSON.stringify({ payment_amount: 50000, payment_currency: 'KZT', force_payment_method: 'paydala', customer_id: account }),
      });
      const page = await newPage(browser);
      await page.goto(s.url, { waitUntil: 'load' });
      await page.waitForSelector('>>> [data-testid="account-number"]', { timeout: 20000 });
      const paymentId = await orderId(page);
      const tab = await newPage(browser, { width: 360, height: 800 });
      await tab.goto(`${sandbox.url}/sim/paydala`, { waitUntil: 'load' });
      await tab.select('#service', '1234');
      await tab.locator('#account').fill(account);
      await Promise.all([tab.waitForNavigation({ waitUntil: 'load' }), tab.locator('#check').click()]);
      await tab.locator('#amount').fill('500.00');
      await Promise.all([tab.waitForNavigation({ waitUntil: 'load' }), tab.locator('#deposit').click()]);
      await tab.close();
      await page.waitForFunction((id) => document.querySelector('#result')?.textContent.startsWith(`Paid: order ${id}`), { timeout: 30000 }, paymentId);
      // The top-up pays the order that was waiting for it, and its callback names that order
      // (seed 000, steps 11-14), with the account: the shop marks its own order paid.
      const cb = await eventually(() => receiver.bodies.map((b) => ({ raw: b, body: JSON.parse(b) }))
        .find((c) => c.body.payment?.method === 'paydala' && c.body.account?.number === account && c.body.payment?.status === 'success'), 30000, 'PayDala success callback');
      assert.ok(verifies(cb.raw, 'sandbox-secret-1234'));
      assert.equal(cb.body.payment.id, paymentId, 'the callback names the shop\'s order');
      await eventually(() => receiver.answers.find((a) => a.body === cb.raw), 10000, 'the shop\'s answer to the top-up callback');
      assert.deepEqual(receiver.answers.filter((a) => a.body === cb.raw).map((a) => [a.status, a.text]), [[200, 'ok']]);
      await eventually(async () => (await stateOf(s.url, paymentId)) === 'paid', 20000, 'the PayDala order paid at the shop');
      assert.deepEqual(page.errors, []);
      await page.close();
    });

    it("a CSP whose form-action leaves out the partner: onError redirect_failed within seconds, and a way on", async () => {
      const s = await shop(
        { ORDER: JSON.stringify({ payment_amount: 10000, payment_currency: 'KES', force_payment_method: 'card-partner', customer_email: 'a@example.com', customer_phone: '254712345678' }) },
        (f) => ({
          ...f,
          'server.mjs': f['server.mjs'].replace('`form-action \'self\' ${PLATFORM}`', '"form-action \'self\'"'),
          'checkout.js': f['checkout.js'].replace("onError: (e) => console.warn('[checkout]', e.code, e.param, e.message)", 'onError: (e) => { document.body.dataset.error = e.code; }'),
        }),
      );
      const page = await newPage(browser);
      const started = Date.now();
      await page.goto(s.url, { waitUntil: 'load' });
      await page.waitForFunction(() => document.body.dataset.error === 'redirect_failed', { timeout: 15000 });
      const took = Date.now() - started;
      assert.ok(took < 10000, `reported in ${took} ms`);
      assert.match(await widgetText(page), /could not take you to the payment partner/);
      await page.waitForSelector('>>> [data-code="redirect_failed"] button.epay-primary', { timeout: 5000 }); // Try again
      assert.equal(new URL(page.url()).origin, new URL(s.url).origin, 'still on the shop');
      await shot(page, `${name}-merchant-origin-form-action-blocked`);
      page.cspViolations.length = 0; // the refusal this test provokes
      page.errors = page.errors.filter((e) => !/form-action|Content Security Policy|Content-Security-Policy/i.test(e));
      assert.deepEqual(page.errors, []);
      await page.close();
    });

    it('a load that fails reaches every call, made before or after the failure', async () => {
      // The loader from a place without the rest of the widget (no glue next to it).
      const loader = await (await fetch(`${sandbox.url}/pkg/epay-widget.js`)).text();
      const page = `<!doctype html><meta charset="utf-8"><title>load failure</title>
        <script src="/epay-widget.js"></script><script src="/page.js"></script><div id="checkout"></div>`;
      const js = `window.seen = [];
        const note = (tag) => (e) => window.seen.push(tag + ':' + e.code);
        EPayWidget.run({ project_id: 250, onError: note('before') }, { target: '#checkout' });
        EPayWidget.followRedirect({ method: 'GET', url: 'https://partner.example/', body: {} }).catch(note('redirect-before'));
        setTimeout(() => {
          EPayWidget.run({ project_id: 250 }, { target: '#checkout', onError: note('after') });
          EPayWidget.followRedirect({ method: 'GET', url: 'https://partner.example/', body: {} }).catch(note('redirect-after'));
        }, 1500);`;
      const site = await startStatic({
        '/': { type: 'text/html', body: page, csp: "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'" },
        '/epay-widget.js': { type: 'text/javascript', body: loader },
        '/page.js': { type: 'text/javascript', body: js },
      });
      try {
        const p = await newPage(browser);
        const consoleErrors = [];
        p.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
        await p.goto(site.url, { waitUntil: 'load' });
        await p.waitForFunction(() => window.seen.length === 4, { timeout: 10000 });
        assert.deepEqual((await p.evaluate(() => window.seen)).sort(), ['after:load_failed', 'before:load_failed', 'redirect-after:load_failed', 'redirect-before:load_failed']);
        assert.ok(consoleErrors.some((t) => /could not load the widget/.test(t) && /Access-Control-Allow-Origin/.test(t)), consoleErrors.join('\n'));
        await p.close();
      } finally {
        await site.stop();
      }
    });
  });
}
