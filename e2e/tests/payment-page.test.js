// Issue 23: the hosted Payment Page. URLs built by the official SDKs (npm `ecommpay`, PyPI
// `ecommpay-sdk`) with the sandbox as base open the checkout, for the three methods, with
// the SDKs' defaults and with the standard Payment Page parameters; one is paid to the end
// (card partner, out to the partner and back, then to redirect_success_url).
import { it, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeInBrowsers } from '../lib/each-browser.js';
import { newPage, widgetText, eventually, waitForCallback, shot } from '../lib/harness.js';
import { npmUrl, pythonUrl, PYTHON } from '../lib/official-sdks.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

const PROJECTS = { 250: 'sandbox-secret-250', 1234: 'sandbox-secret-1234' };
// The three methods, each with the project that takes its currency in the sandbox.
const METHODS = [
  { method: 'card-partner', project: 250, amount: 10000, currency: 'KES', shown: /100\.00/ },
  { method: 'epaycash', project: 250, amount: 500000, currency: 'MYR', shown: /5,000\.00/ },
  { method: 'paydala', project: 1234, amount: 100000, currency: 'KZT', shown: /1,000\.00|1 000,00|1\s000/ },
];
const BUILDERS = { npm: npmUrl, python: pythonUrl };

let seq = 0;
const paymentId = (who) => `pp-${who}-${Date.now().toString(36)}-${seq++}`;

/** Only what the seeds require (001/002 "Формат запросов", item 1). */
function defaults(m, who) {
  return { payment_id: paymentId(who), payment_amount: m.amount, payment_currency: m.currency, customer_id: 'customer1' };
}

/** The standard Payment Page parameters, and their companions. */
function standard(m, who, back) {
  return {
    ...defaults(m, who),
    force_payment_method: m.method,
    language_code: 'en',
    customer_email: 'customer@example.com',
    customer_country: 'KE',
    region_code: 'KE',
    mode: 'purchase',
    frame_mode: 'iframe',
    best_before: '2099-12-31T23:59:59+00:00',
    payment_extra_param: 'order;note:fragile',
    payment_description: 'Order 17: 2 items; gift wrap',
    close_on_missclick: true,
    merchant_success_url: `${back}?merchant=success`,
    merchant_fail_url: `${back}?merchant=fail`,
    redirect_success_url: `${back}?redirect=success`,
    redirect_success_mode: 'parent_page',
    redirect_fail_url: `${back}?redirect=fail`,
    redirect_fail_mode: 'parent_page',
  };
}

describeInBrowsers('hosted Payment Page from the official SDKs', (name, env) => {
  let sandbox, browser;
  before(() => ({ sandbox, browser } = env));

  for (const [sdk, build] of Object.entries(BUILDERS)) {
    for (const m of METHODS) {
      for (const kind of ['defaults', 'standard']) {
        it(`${sdk} SDK, ${m.method} ${m.currency}, ${kind}: the URL opens the checkout`, async () => {
          const back = `${sandbox.url}/index.html`;
          const params = kind === 'defaults' ? defaults(m, sdk) : standard(m, sdk, back);
          const url = build(sandbox.url, m.project, PROJECTS[m.project], params);
          assert.ok(url.startsWith(`${sandbox.url}/payment?`), url);
          assert.match(url, /interface_type=/, 'the SDK adds interface_type to every URL');
          const page = await newPage(browser);
          const opened = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/checkout/open', { timeout: 20000 });
          await page.goto(url, { waitUntil: 'load' });
          const answer = await opened;
          const body = await answer.json();
          assert.equal(answer.status(), 200, `open refused the SDK's URL: ${JSON.stringify(body)}`);
          assert.equal(body.payment_id, params.payment_id);
          assert.deepEqual(body.methods.map((x) => x.code), [m.method]);
          await eventually(async () => m.shown.test(await widgetText(page)), 15000, `the checkout showing ${m.currency}`);
          const text = await widgetText(page);
          assert.match(text, new RegExp(m.currency));
          assert.doesNotMatch(text, /invalid|refused|signature/i, text);
          if (kind === 'standard') {
            // Nothing undocumented was sent: no warning about parameters.
            assert.ok(!(body.warnings || []).some((w) => w.code === 'undocumented_params'), JSON.stringify(body.warnings));
          }
          await shot(page, `${name}-payment-page-${sdk}-${m.method}-${kind}`);
          assert.deepEqual(page.errors, []);
          await page.close();
        });
      }
    }
  }

  it('npm SDK, card-partner KES: paid at the partner, back on the page, then to redirect_success_url', async () => {
    const back = `${sandbox.url}/index.html`;
    const params = standard(METHODS[0], 'paid', back);
    const url = npmUrl(sandbox.url, 250, PROJECTS[250], params);
    const page = await newPage(browser);
    await page.goto(url, { waitUntil: 'load' });
    // The URL had the e-mail, not the phone: the checkout asks for it (seed 001).
    const phone = await page.waitForSelector('>>> input[name="customer_phone"]', { timeout: 15000 });
    await phone.type('254712345678');
    await Promise.all([
      page.waitForNavigation({ waitUntil: 'load' }),
      page.locator('>>> .epay-form button[type="submit"]').click(),
    ]);
    assert.match(page.url(), /\/sim\/partner\/pay$/);
    await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.locator('#approve').click()]);
    // Back on the Payment Page (seed 001 steps 15, 18-19): the result is shown there ...
    assert.equal(new URL(page.url()).pathname, '/payment');
    await eventually(async () => /Payment successful/.test(await widgetText(page)), 15000, 'the result on the Payment Page');
    assert.equal(await page.$eval('#payment-return-link', (a) => a.href), `${back}?merchant=success`);
    await shot(page, `${name}-payment-page-paid`);
    // ... then the customer is sent to redirect_success_url.
    await page.waitForNavigation({ waitUntil: 'load', timeout: 15000 });
    assert.equal(page.url(), `${back}?redirect=success`);
    const list = await waitForCallback(sandbox.url, params.payment_id, (b) => b.payment?.status === 'success', 'success callback');
    assert.equal(list.length, 1, 'exactly one callback');
    assert.equal(list[0].valid, true);
    assert.deepEqual(list[0].body.payment.sum, { amount: 10000, currency: 'KES' });
    assert.deepEqual(page.errors, []);
    await page.close();
  });

  it('python SDK, card-partner KES: declined at the partner, then to redirect_fail_url', async () => {
    const back = `${sandbox.url}/index.html`;
    const params = { ...standard(METHODS[0], 'declined', back), customer_phone: '254712345678' };
    const url = pythonUrl(sandbox.url, 250, PROJECTS[250], params);
    const page = await newPage(browser);
    await page.goto(url, { waitUntil: 'load' });
    // The method is forced and nothing is missing: the checkout goes on to the partner.
    await eventually(async () => /\/sim\/partner\/pay$/.test(page.url()), 20000, 'the partner page');
    await page.waitForSelector('#decline', { timeout: 10000 });
    await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.locator('#decline').click()]);
    assert.equal(new URL(page.url()).pathname, '/payment');
    await eventually(async () => /Payment declined/.test(await widgetText(page)), 15000, 'the decline on the Payment Page');
    assert.equal(await page.$eval('#payment-return-link', (a) => a.href), `${back}?merchant=fail`);
    await page.waitForNavigation({ waitUntil: 'load', timeout: 15000 });
    assert.equal(page.url(), `${back}?redirect=fail`);
    assert.deepEqual(page.errors, []);
    await page.close();
  });

  it("the README's SDK examples build URLs that open the checkout", async () => {
    const readme = readFileSync(path.join(root, 'docs', 'server.md'), 'utf8'); // linked from the README
    const section = readme.slice(readme.indexOf('### 1b.'), readme.indexOf('### 2.'));
    const python = /```python\n([\s\S]*?)```/.exec(section)[1].replaceAll('http://127.0.0.1:8787', sandbox.url);
    const js = /```js\n([\s\S]*?)```/.exec(section)[1].replaceAll('http://127.0.0.1:8787', sandbox.url);
    const urls = [
      execFileSync(PYTHON, ['-c', `${python}\nprint(url)`]).toString().trim(),
      execFileSync(process.execPath, ['-e', `${js}\nconsole.log(url)`], { cwd: path.join(root, 'tools', 'sdk') }).toString().trim(),
    ];
    for (const url of urls) {
      assert.ok(url.startsWith(`${sandbox.url}/payment?`), url);
      const page = await newPage(browser);
      const opened = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/checkout/open', { timeout: 20000 });
      await page.goto(url, { waitUntil: 'load' });
      const answer = await opened;
      assert.equal(answer.status(), 200, JSON.stringify(await answer.json()));
      await eventually(async () => /100\.00/.test(await widgetText(page)), 15000, 'the checkout');
      assert.deepEqual(page.errors, []);
      await page.close();
    }
  });

  it('a URL whose parameters were changed after signing is refused by open, naming the signature', async () => {
    const url = new URL(pythonUrl(sandbox.url, 250, PROJECTS[250], defaults(METHODS[0], 'tampered')));
    url.searchParams.set('payment_amount', '1000');
    const page = await newPage(browser);
    const opened = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/checkout/open', { timeout: 20000 });
    await page.goto(url.href, { waitUntil: 'load' });
    const answer = await opened;
    assert.equal(answer.status(), 403);
    assert.equal((await answer.json()).error.param, 'signature');
    await eventually(async () => /signature/.test(await widgetText(page)), 15000, 'the error naming the signature');
    page.errors = page.errors.filter((e) => !/403/.test(e));
    assert.deepEqual(page.errors, []);
    await page.close();
  });
});
