// Calls made before the wasm has loaded are queued, not lost, with both loaders: the page
// calls EPayWidget.run at parse time (www/early.html: classic script; early-module.html:
// the ES module, unbundled), a second run destroyed at once never renders, and a
// followRedirect the widget must refuse rejects its promise; the queued run's open request
// goes out at once, beside the wasm download, and only once. The queued checkout is real:
// the customer pays by card-partner through the partner page and comes back to the result.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BROWSERS, startSandbox, launch, newPage, signed, waitForCallback, widgetText, eventually } from '../lib/harness.js';

/** The page's #events lines as [{event, detail}], in order. */
async function events(page) {
  return page.$$eval('#events li', (lis) => lis.map((li) => {
    const text = li.textContent;
    return { event: li.dataset.event, detail: JSON.parse(text.slice(text.indexOf(' ') + 1)) };
  }));
}

for (const name of BROWSERS) {
  describe(`calls before the wasm loads, in ${name}`, () => {
    let sandbox, browser;
    before(async () => { sandbox = await startSandbox(); browser = await launch(name); });
    after(async () => { await browser?.close(); await sandbox?.stop(); });

    for (const [file, loader] of [['early.html', 'script'], ['early-module.html', 'module']]) {
      it(`${loader}: the queued run pays for real, the destroyed one never renders, a bad followRedirect rejects`, async () => {
        const paymentId = `early-${loader}-${name}-${Date.now()}`;
        const params = signed({
          project_id: 250, payment_id: paymentId, payment_amount: 10000, payment_currency: 'KES',
          customer_id: 'customer-early', customer_email: 'customer@example.com', force_payment_method: 'card-partner', language_code: 'en',
        });
        const page = await newPage(browser);
        await page.goto(`${sandbox.url}/${file}#${encodeURIComponent(JSON.stringify(params))}`, { waitUntil: 'load' });
        const phone = await page.waitForSelector('>>> input[name="customer_phone"]', { timeout: 15000 });

        const log = await eventually(async () => {
          const l = await events(page);
          return l.some((e) => e.event === 'redirect-refused') && l.some((e) => e.event === 'ready') ? l : null;
        }, 10000, 'ready and the refused redirect');
        assert.equal(log[0].event, 'called');
        assert.equal(log[0].detail.loader, loader);
        assert.equal(log[0].detail.wasmRequested, false, 'the calls were made before the browser even asked for the wasm');
        assert.deepEqual(log.find((e) => e.event === 'redirect-refused').detail, { code: 'bad_redirect', param: 'redirect_data.url' });
        assert.equal(log.filter((e) => e.event === 'ready').length, 1, 'one widget mounted');
        // The loader sent the checkout's open request at run(), beside the wasm download, and
        // the widget took its answer instead of asking again.
        const timing = await page.evaluate(() => performance.getEntriesByType('resource')
          .map((e) => ({ path: new URL(e.name).pathname, start: e.startTime, end: e.responseEnd })));
        const opens = timing.filter((t) => t.path === '/api/v1/checkout/open');
        // A forced method has no picker: the flows module draws it (the first module is never needed).
        const wasm = timing.find((t) => t.path.endsWith('/epay_flows_bg.wasm'));
        assert.equal(opens.length, 1, `one open request: ${JSON.stringify(timing)}`);
        assert.ok(opens[0].start < wasm.end, `open sent before the wasm had arrived: ${JSON.stringify({ open: opens[0], wasm })}`);
        await new Promise((r) => setTimeout(r, 500));
        assert.equal(log.some((e) => e.event === 'doomed-ready' || e.event === 'redirect-followed'), false);
        assert.equal(await page.$eval('#doomed', (d) => d.childElementCount), 0, 'destroyed before load: nothing rendered');
        assert.equal(await page.evaluate(() => document.querySelectorAll('form[data-epay-redirect]').length), 0, 'the refused redirect built no form');

        // The queued checkout is a real one: pay through the partner and come back to the result.
        await phone.type('254712345678');
        await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.locator('>>> .epay-form button[type="submit"]').click()]);
        assert.match(page.url(), /\/sim\/partner\/pay$/);
        await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.locator('#approve').click()]);
        assert.equal(new URL(page.url()).pathname, `/${file}`, 'back on the page that started it');
        await eventually(async () => /Payment successful/.test(await widgetText(page)), 20000, 'the result after coming back');
        const list = await waitForCallback(sandbox.url, paymentId, (b) => b.payment?.status === 'success', 'success callback');
        assert.equal(list.length, 1);
        assert.equal(list[0].valid, true);
        assert.deepEqual(page.errors, []);
        await page.close();
      });
    }
  });
}
