// The picker comes first (issue 26, decision 4): the first module (pkg/epay_widget*) draws
// the picker from `open`'s answer, the flows module (pkg/epay_flows*, the whole widget) is
// fetched once the picker is on screen, and the customer's choice hands the checkout over:
// one `open`, one onReady, one onMethodSelected, the same picker from either module, no
// network between the choice and the next screen once the flows module is here, and nothing
// mounted after the customer closed or the page destroyed the checkout.
import { it, before } from 'node:test';
import assert from 'node:assert/strict';
import { newPage, eventually, shot } from '../lib/harness.js';
import { describeInBrowsers } from '../lib/each-browser.js';
import { open } from '../lib/screens.js';

const events = (page) => page.$$eval('#events li', (lis) => lis.map((li) => li.dataset.event));
const requests = (page) => {
  const seen = [];
  page.on('request', (r) => seen.push(new URL(r.url()).pathname));
  return seen;
};
/** The picker's DOM (the widget's content, focus left out) and the computed styles of its parts. */
const picker = (page) => page.evaluate(() => {
  const root = document.querySelector('epay-checkout').shadowRoot;
  const props = ['color', 'background-color', 'font-size', 'font-weight', 'padding-top', 'margin-top', 'border-top-width', 'border-radius', 'display', 'width'];
  const styles = {};
  for (const sel of ['.epay', '.epay-top', '.epay-summary', '.epay-h', '.epay-methods', '.epay-method', '.epay-method-title', '.epay-method-hint']) {
    const cs = getComputedStyle(root.querySelector(sel));
    styles[sel] = Object.fromEntries(props.map((p) => [p, cs.getPropertyValue(p)]));
  }
  return { html: root.querySelector('.epay-content').innerHTML.replace(/ tabindex="-1"/g, ''), styles };
});

describeInBrowsers('picker first', (name, env) => {
  let sandbox, browser;
  before(() => ({ sandbox, browser } = env));

  it('draws the picker without the flows module, fetches it after, and hands over the choice once', async () => {
    const page = await newPage(browser, { width: 360, height: 800 });
    const seen = requests(page);
    await open(page, sandbox.url, { query: 'currency=KES', screen: 'picker' });
    const first = await picker(page);
    const atPicker = [...seen];
    assert.ok(atPicker.some((p) => p.endsWith('/epay_widget_bg.wasm')), atPicker.join(' '));
    // The flows module was not what drew the picker: it is asked for once the picker is on screen.
    const timing = await page.evaluate(() => performance.getEntriesByType('resource').map((e) => ({ path: new URL(e.name).pathname, start: e.startTime, end: e.responseEnd })));
    const openAt = timing.find((t) => t.path === '/api/v1/checkout/open');
    await eventually(() => page.evaluate(() => performance.getEntriesByType('resource').some((e) => e.name.endsWith('/epay_flows_bg.wasm') && e.responseEnd > 0)), 10000, 'the flows module');
    const flows = await page.evaluate(() => performance.getEntriesByType('resource').find((e) => e.name.endsWith('/epay_flows_bg.wasm')).startTime);
    assert.ok(flows >= openAt.end, `the flows module is fetched after open's answer (the picker), not before: ${flows} < ${openAt.end}`);
    await new Promise((r) => setTimeout(r, 300)); // its glue and instantiation
    assert.deepEqual(await events(page), ['ready']);

    // The choice: the next screen with no request on the way (the card's form asks the phone).
    const before = seen.length;
    const t0 = Date.now();
    await page.locator('>>> button[data-method="card-partner"]').click();
    await page.waitForSelector('>>> .epay-body[data-screen="fields"]');
    console.log(`picker first (${name}): choice -> fields form ${Date.now() - t0} ms (puppeteer round trips included)`);
    assert.deepEqual(seen.slice(before), [], 'nothing fetched between the choice and the next screen');
    assert.equal(await page.evaluate(() => document.querySelectorAll('epay-checkout').length), 1, 'one widget in the page');
    await eventually(async () => (await events(page)).includes('methodselected'), 5000, 'onMethodSelected');
    assert.deepEqual(await events(page), ['ready', 'methodselected'], 'onReady once (first module), onMethodSelected once (flows module)');
    assert.equal(seen.filter((p) => p === '/api/v1/checkout/open').length, 1, 'one open request for both modules');
    // Focus follows the customer to the new screen's heading.
    assert.equal(await page.evaluate(() => document.querySelector('epay-checkout').shadowRoot.activeElement?.id), 'epay-heading');

    // Back: the flows module draws the same picker the first module drew.
    await page.locator('>>> .epay-body[data-screen="fields"] button.epay-secondary').click(); // Back
    await page.waitForSelector('>>> .epay-body[data-screen="picker"]');
    assert.deepEqual(await picker(page), first, 'the same picker, element for element and style for style');
    await shot(page, `${name}-picker-first-back-360`);
    assert.deepEqual(page.errors, []);
    await page.close();
  });

  it('a payment the first module does not draw (an error, a forced method) is the flows module\'s, from the same answer', async () => {
    const page = await newPage(browser);
    const seen = requests(page);
    // A currency no method takes: the platform refuses, naming it; the flows module shows it.
    await open(page, sandbox.url, { query: 'currency=XTS', screen: 'error' });
    await eventually(async () => (await events(page)).includes('error'), 5000, 'onError');
    assert.deepEqual(await events(page), ['error']);
    assert.equal(seen.filter((p) => p === '/api/v1/checkout/open').length, 1, 'the first module\'s answer, handed over, not asked again');
    assert.ok(seen.some((p) => p.endsWith('/epay_flows_bg.wasm')));
    await page.close();

    // A forced method: no picker to draw, the loader goes to the flows module at once.
    const forced = await newPage(browser);
    const seen2 = requests(forced);
    await open(forced, sandbox.url, { query: 'currency=KES&method=card-partner', screen: 'fields' });
    assert.equal(seen2.filter((p) => p === '/api/v1/checkout/open').length, 1);
    assert.deepEqual(forced.errors, []);
    await forced.close();
  });

  it('nothing is mounted after the page destroys the checkout or the customer closes it while the flows module comes', async () => {
    for (const how of ['destroy', 'close']) {
      const page = await newPage(browser);
      const seen = requests(page);
      // The flows module takes 1.5 s to come.
      await page.setRequestInterception(true);
      page.on('request', (r) => {
        if (r.isInterceptResolutionHandled()) return;
        if (r.url().endsWith('/epay_flows_bg.wasm')) setTimeout(() => r.continue(), 1500);
        else r.continue();
      });
      await open(page, sandbox.url, { query: `currency=KES&email=a%40example.com&phone=254712345678${how === 'close' ? '&modal=1' : ''}`, screen: 'picker' });
      await page.locator('>>> button[data-method="card-partner"]').click();
      // The choice waits for the flows module: the picker shows it taken (buttons disabled).
      await page.waitForSelector('>>> button[data-method="card-partner"][disabled]', { timeout: 1000 });
      if (how === 'destroy') await page.evaluate(() => window.checkout.destroy());
      else await page.keyboard.press('Escape');
      assert.equal(await page.evaluate(() => document.querySelectorAll('epay-checkout, epay-overlay').length), 0, `${how}: removed at once`);
      await new Promise((r) => setTimeout(r, 2500));
      assert.equal(await page.evaluate(() => document.querySelectorAll('epay-checkout, epay-overlay').length), 0, `${how}: the flows module mounted nothing`);
      assert.ok(!seen.includes('/api/v1/checkout/pay'), `${how}: no payment`);
      assert.deepEqual(await events(page), how === 'close' ? ['ready', 'close'] : ['ready']);
      assert.deepEqual(page.errors, []);
      await page.close();
    }
  });

  it('a Gate page preloads what showCode and followRedirect draw, not the picker (data-preload)', async () => {
    const wasm = (seen) => ['/epay_widget_bg.wasm', '/epay_flows_bg.wasm'].filter((f) => seen.some((p) => p.endsWith(f)));
    // The demo's two Gate pages: the flows module at once, never the first module's files.
    for (const file of ['gate.html', 'epay-gate.html']) {
      const page = await newPage(browser);
      const seen = requests(page);
      await page.goto(`${sandbox.url}/${file}`, { waitUntil: 'load' });
      await eventually(() => wasm(seen).length > 0, 10000, `${file}: a preload`);
      await new Promise((r) => setTimeout(r, 500));
      assert.deepEqual(wasm(seen), ['/epay_flows_bg.wasm'], `${file}: ${seen.join(' ')}`);
      assert.ok(!seen.some((p) => p.endsWith('/epay_widget.js')), `${file}: not the first module's glue`);
      assert.deepEqual(page.errors, []);
      await page.close();
    }
    // `none` fetches nothing before a call; a value it does not know warns and preloads the picker.
    for (const [value, want, warns] of [['none', [], false], ['bogus', ['/epay_widget_bg.wasm'], true], ['picker', ['/epay_widget_bg.wasm'], false]]) {
      const page = await newPage(browser);
      const seen = requests(page);
      const warnings = [];
      page.on('console', (m) => { if (m.type() === 'warn' || m.type() === 'warning') warnings.push(m.text()); });
      await page.setRequestInterception(true);
      page.on('request', (r) => {
        if (r.isInterceptResolutionHandled()) return;
        if (r.url().endsWith('/preload-test.html')) {
          r.respond({ status: 200, contentType: 'text/html', body: `<!doctype html><title>t</title><script src="/pkg/epay-widget.js" data-preload="${value}"></script>` });
        } else r.continue();
      });
      await page.goto(`${sandbox.url}/preload-test.html`, { waitUntil: 'load' });
      await new Promise((r) => setTimeout(r, 1000));
      assert.deepEqual(wasm(seen), want, `data-preload="${value}": ${seen.join(' ')}`);
      assert.equal(warnings.some((w) => w.includes(`data-preload="${value}"`) && w.includes('picker, gate, none')), warns, warnings.join('\n'));
      assert.equal(await page.evaluate(() => typeof window.EPayWidget.run), 'function');
      await page.close();
    }
  });
});
