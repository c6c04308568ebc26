// What a merchant's front-end developer and a customer on a phone judge first:
// the npm package in Vite and webpack builds, a strict Content-Security-Policy (every
// www/ page is served with it; harness.js fails any test with a violation), every
// language, a hostile page stylesheet, axe-core on every screen in light and dark,
// keyboard-only checkout, live-region announcements, and phone-first layout (no
// horizontal overflow, 44 px tap targets, screenshots at 360 and 1280 px).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { BROWSERS, startSandbox, launch, newPage, shot, eventually, waitForCallback } from '../lib/harness.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'";

const CUSTOMER_MY = 'first=Putra&last=Cane&email=putra%40example.com&phone=60321669552';
const CARD_READY = 'currency=KES&method=card-partner&phone=254712345678&email=customer%40example.com';

/** A payment the platform is still working on, as `open` answers it (for `fake`). */
function pendingOpen(status, method = 'card-partner') {
  return {
    session: 'e2e-fake-session', project_id: 250, payment_id: `fake-${status.replace(/ /g, '-')}`, amount: 10000, currency: 'KES',
    methods: [{ code: method, fields: [] }], forced_method: method, customer: {}, payment: { status, method },
  };
}

/**
 * Every screen a customer can meet, and how to reach it on embed.html (or `path`).
 * `block`: answer that request with 204 (a navigation stays where it is; a fetch fails);
 * `fake`: [pathname regex, JSON body | 'abort'] pairs the browser gets instead of the
 * platform's answer (states the sandbox only passes through: a payment still processing,
 * the network going away); `then`: steps after load.
 */
const SCREENS = [
  { name: 'picker', query: 'currency=KES', screen: 'picker' },
  { name: 'picker-modal', query: 'currency=KES&modal=1', screen: 'picker' },
  { name: 'fields', query: 'currency=KES&method=card-partner', screen: 'fields' },
  {
    name: 'fields-invalid', query: 'currency=KES&method=card-partner', screen: 'fields',
    then: async (page) => {
      await page.locator('>>> .epay-form button[type="submit"]').click();
      await page.waitForSelector('>>> input[aria-invalid="true"]');
    },
  },
  { name: 'redirecting', query: CARD_READY, screen: 'redirecting', block: /\/sim\/partner\/pay$/ },
  { name: 'code', query: `currency=MYR&method=epaycash&${CUSTOMER_MY}`, screen: 'code' },
  { name: 'terminal', query: 'currency=KZT&method=paydala&account=7123456789', screen: 'terminal' },
  { name: 'error-params', query: 'currency=USD&amount=300001&method=card-partner', screen: 'error' },
  { name: 'error-network', query: 'currency=KES', screen: 'error', code: 'network', fake: [[/\/api\/v1\/checkout\/open$/, 'abort']] },
  { name: 'error-modal', query: 'currency=USD&amount=300001&method=card-partner&modal=1', screen: 'error' },
  { name: 'fields-epay', query: 'currency=MYR&method=epaycash', screen: 'fields' },
  {
    name: 'waiting', query: 'currency=KES&method=card-partner', screen: 'waiting',
    fake: [[/\/api\/v1\/checkout\/open$/, pendingOpen('processing')], [/\/api\/v1\/checkout\/status$/, { status: 'processing', method: 'card-partner' }]],
  },
  {
    name: 'stalled', query: 'currency=KES&method=card-partner', screen: 'stalled', timeout: 40000,
    fake: [[/\/api\/v1\/checkout\/open$/, pendingOpen('processing')], [/\/api\/v1\/checkout\/status$/, 'abort']],
  },
  { name: 'code-gate', path: '/epay-gate.html', query: '', screen: 'code', then: async (page) => page.locator('#epay-pay').click() },
  { name: 'result-success', query: CARD_READY, screen: 'result', then: partner('approve') },
  { name: 'result-decline', query: CARD_READY, screen: 'result', then: partner('decline') },
  { name: 'result-expired', query: `currency=MYR&method=epaycash&${CUSTOMER_MY}`, screen: 'result', then: expireAtTerminal },
  { name: 'result-refunded', query: CARD_READY, screen: 'result', status: 'refunded', then: refundAfterApproval },
];
const screen = (name) => SCREENS.find((s) => s.name === name);

/** Approves at the partner, has the shop refund the order through Gate, reloads: the widget shows it refunded. */
async function refundAfterApproval(page) {
  await partner('approve')(page);
  await page.waitForSelector('>>> .epay-body[data-screen="result"][data-status="success"]', { timeout: 20000 });
  const base = new URL(page.url()).origin;
  const order = new URL(page.url()).searchParams.get('order');
  const r = await fetch(`${base}/merchant/orders/${encodeURIComponent(order)}/refund`, { method: 'POST' });
  assert.equal((await r.json()).accepted, true);
  await waitForCallback(base, order, (b) => b.payment?.status === 'refunded', 'refund callback');
  await page.reload({ waitUntil: 'load' });
}

/** The EPay code is shown, then the sandbox terminal (another tab) makes it expire. */
async function expireAtTerminal(page) {
  const ref = await page.waitForSelector('>>> [data-testid="reference-number"]', { timeout: 20000 });
  const reference = (await ref.evaluate((e) => e.textContent)).trim();
  const base = new URL(page.url()).origin;
  const tab = await page.browser().newPage();
  await tab.goto(`${base}/sim/epay`, { waitUntil: 'load' });
  await tab.locator('#reference').fill(reference);
  await Promise.all([tab.waitForNavigation({ waitUntil: 'load' }), tab.locator('#find').click()]);
  await Promise.all([tab.waitForNavigation({ waitUntil: 'load' }), tab.locator('#expire').click()]);
  await tab.close();
  await page.bringToFront(); // a hidden tab does not poll
}

function partner(decision) {
  return async (page) => {
    await page.waitForFunction(() => location.pathname === '/sim/partner/pay', { timeout: 15000 });
    await page.waitForSelector(`#${decision}`);
    await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.locator(`#${decision}`).click()]);
  };
}

/** Opens embed.html with `query` and waits for `screen`. */
async function open(page, base, spec, extra = '') {
  if (spec.block || spec.fake) {
    await page.setRequestInterception(true);
    page.on('request', (r) => {
      if (r.isInterceptResolutionHandled()) return;
      const pathname = new URL(r.url()).pathname;
      if (r.method() === 'OPTIONS') return r.continue();
      const fake = (spec.fake ?? []).find(([re]) => re.test(pathname));
      if (fake && fake[1] === 'abort') return r.abort('internetdisconnected');
      if (fake) return r.respond({ status: 200, contentType: 'application/json', headers: { 'access-control-allow-origin': '*' }, body: JSON.stringify(fake[1]) });
      if (spec.block?.test(pathname)) return r.respond({ status: 204, body: '' });
      return r.continue();
    });
  }
  await page.goto(`${base}${spec.path ?? '/embed.html'}?${spec.query}${extra}`, { waitUntil: 'load' });
  if (spec.then) await spec.then(page);
  try {
    const sel = `>>> .epay-body[data-screen="${spec.screen}"]${spec.code ? `[data-code="${spec.code}"]` : ''}${spec.status ? `[data-status="${spec.status}"]` : ''}`;
    await page.waitForSelector(sel, { timeout: spec.timeout ?? 20000 });
  } catch (e) {
    const seen = await page.evaluate(() => ({
      url: location.href, visibility: document.visibilityState,
      widget: document.querySelector('epay-checkout')?.shadowRoot?.textContent ?? null,
      page: document.body.textContent.replace(/\s+/g, ' ').slice(0, 500),
    })).catch((err) => String(err));
    await shot(page, `FAILED-${spec.name}`).catch(() => {});
    throw new Error(`screen ${spec.screen} did not show: ${JSON.stringify(seen)}; page errors: ${JSON.stringify(page.errors)}`, { cause: e });
  }
  // Let fonts, the focus move and the first poll settle.
  await new Promise((r) => setTimeout(r, 300));
}

/** Layout problems of the widget: horizontal overflow, tap targets under 44 px. */
async function layoutProblems(page) {
  return page.evaluate(() => {
    const problems = [];
    const host = document.querySelector('epay-checkout');
    const root = host.shadowRoot;
    const card = root.querySelector('.epay-card');
    for (const el of [host, root.querySelector('.epay'), card]) {
      if (el.clientWidth > 0 && el.scrollWidth > el.clientWidth) {
        problems.push(`overflow: ${el.className || el.tagName} scrollWidth ${el.scrollWidth} > clientWidth ${el.clientWidth}`);
      }
    }
    const doc = document.documentElement;
    if (doc.scrollWidth > doc.clientWidth) problems.push(`page overflow: ${doc.scrollWidth} > ${doc.clientWidth}`);
    const box = card.getBoundingClientRect();
    for (const el of root.querySelectorAll('*')) {
      if (el.closest('.epay-sr') || el.closest('details:not([open]) > :not(summary)')) continue;
      const r = el.getBoundingClientRect();
      if (r.width === 0 && r.height === 0) continue;
      if (r.left < box.left - 1 || r.right > box.right + 1) {
        problems.push(`${el.tagName.toLowerCase()}.${el.className} sticks out of the card: ${Math.round(r.left)}..${Math.round(r.right)} vs ${Math.round(box.left)}..${Math.round(box.right)}`);
      }
    }
    for (const el of root.querySelectorAll('button, input, select, textarea, summary, a[href]')) {
      const r = el.getBoundingClientRect();
      if (el.type === 'hidden' || (r.width === 0 && r.height === 0)) continue;
      if (r.height < 44 || r.width < 44) {
        problems.push(`tap target ${el.tagName.toLowerCase()}.${el.className} is ${Math.round(r.width)}x${Math.round(r.height)}`);
      }
    }
    return problems;
  });
}

/** axe-core on the widget's host (axe walks open shadow roots); returns readable violations. */
async function axe(page) {
  await page.evaluate(AXE_SOURCE); // through the DevTools protocol: not subject to the page's CSP
  const result = await page.evaluate(async () => {
    const r = await window.axe.run(document.querySelector('epay-checkout'), {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] },
      resultTypes: ['violations', 'incomplete'],
    });
    // A contrast axe could not work out (a background it cannot read) is not a pass; a
    // glyph that is not text (the result screen's aria-hidden ✓) has none to work out.
    const unsure = r.incomplete.filter((v) => v.id === 'color-contrast')
      .map((v) => ({ ...v, impact: 'incomplete', nodes: v.nodes.filter((n) => !/only non-text characters/.test(n.any?.[0]?.message ?? '')) }))
      .filter((v) => v.nodes.length > 0);
    return [...r.violations, ...unsure].map((v) => `${v.id} (${v.impact}): ${v.help}\n    ${v.nodes.map((n) => `${n.target.join(' ')} ${n.failureSummary ?? n.any?.[0]?.message ?? ''}`).join('\n    ')}`);
  });
  return result;
}

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

/** Computed styles of the page's own elements (the widget must not change them). */
function pageStyles(page) {
  return page.evaluate(() => {
    const props = ['color', 'font-size', 'font-family', 'display', 'margin-top', 'padding-top', 'background-color', 'line-height', 'box-sizing'];
    const out = {};
    for (const sel of ['html', 'body', '.page-title', '.page-text', '.page-button', '#events']) {
      const cs = getComputedStyle(document.querySelector(sel));
      out[sel] = Object.fromEntries(props.map((p) => [p, cs.getPropertyValue(p)]));
    }
    return out;
  });
}

/** Computed styles of the widget's parts (the page must not change them). */
function widgetStyles(page) {
  return page.evaluate(() => {
    const root = document.querySelector('epay-checkout').shadowRoot;
    const props = ['color', 'font-size', 'font-family', 'display', 'visibility', 'padding-top', 'background-color', 'line-height', 'text-transform', 'letter-spacing', 'border-top-width'];
    const out = {};
    for (const sel of ['.epay-card', '.epay-h', '.epay-amount', '.epay-method', '.epay-method-title', '.epay-input', '.epay-primary', 'label']) {
      const el = root.querySelector(sel);
      if (!el) continue;
      const cs = getComputedStyle(el);
      const r = el.getBoundingClientRect();
      out[sel] = Object.fromEntries(props.map((p) => [p, cs.getPropertyValue(p)]));
      // Controls keep their size; text blocks may wrap differently in the page's own (reset) layout.
      if (el.matches('button, input')) out[sel].height = Math.round(r.height);
    }
    return out;
  });
}

const LANGUAGES = [
  { code: 'en', tag: 'en', choose: 'Choose how to pay', fields: 'Your details', phone: 'Phone number' },
  { code: 'ru', tag: 'ru-RU', choose: 'Выберите способ оплаты', fields: 'Ваши данные', phone: 'Номер телефона' },
  { code: 'kk', tag: 'kk-KZ', choose: 'Төлем тәсілін таңдаңыз', fields: 'Сіздің деректеріңіз', phone: 'Телефон нөмірі' },
  { code: 'ms', tag: 'ms-MY', choose: 'Pilih cara pembayaran', fields: 'Butiran anda', phone: 'Nombor telefon' },
  { code: 'sw', tag: 'sw-KE', choose: 'Chagua njia ya kulipa', fields: 'Taarifa zako', phone: 'Nambari ya simu' },
];

describe('the npm package (pkg/)', () => {
  it('is complete: name, version, exports with types, every listed file present, types without any', () => {
    const pkg = JSON.parse(readFileSync(path.join(root, 'pkg/package.json'), 'utf8'));
    const cargoVersion = /^version = "(.+)"/m.exec(readFileSync(path.join(root, 'Cargo.toml'), 'utf8'))[1];
    assert.equal(pkg.name, 'epay-widget');
    assert.equal(pkg.version, cargoVersion);
    for (const k of ['description', 'license', 'repository', 'types', 'files']) assert.ok(pkg[k], k);
    assert.deepEqual(pkg.exports['.'], { types: './epay-widget.d.ts', default: './epay-widget.mjs' });
    for (const f of pkg.files) assert.ok(existsSync(path.join(root, 'pkg', f)), `pkg/${f}`);
    const dts = readFileSync(path.join(root, 'pkg/epay-widget.d.ts'), 'utf8').replace(/\/\/.*$|\/\*[\s\S]*?\*\//gm, '');
    assert.doesNotMatch(dts, /\bany\b/, 'no `any` in the types');
    for (const t of ['PaymentParams', 'RunOptions', 'PaymentResultEvent', 'ErrorEvent', 'RedirectEvent', 'WidgetHandle', 'EPayWidgetEventMap']) {
      assert.match(dts, new RegExp(`\\b(interface|type) ${t}\\b`), t);
    }
  });

  it('packs as published: npm pack ships every file the exports and the loaders load, and the licenses', () => {
    const [packed] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: path.join(root, 'pkg') }).toString());
    const files = packed.files.map((f) => f.path).sort();
    const pkg = JSON.parse(readFileSync(path.join(root, 'pkg/package.json'), 'utf8'));
    const targets = Object.values(pkg.exports).flatMap((v) => (typeof v === 'string' ? [v] : Object.values(v))).map((f) => f.replace(/^\.\//, ''));
    // What the loaders fetch at run time: the glue and the wasm, next to them.
    for (const f of new Set([...targets, pkg.types.replace(/^\.\//, ''), 'epay_widget.js', 'epay_widget_bg.wasm', 'LICENSE-MIT', 'LICENSE-APACHE'])) {
      assert.ok(files.includes(f), `the tarball has ${f}: ${files.join(', ')}`);
    }
    assert.ok(!files.some((f) => /\.(rs|ts\.map)$|node_modules|\.gitignore/.test(f)), `nothing else: ${files.join(', ')}`);
  });

  it('imports under Node, as in server-side rendering, without touching window or document', async () => {
    assert.equal(typeof globalThis.window, 'undefined');
    const m = await import(pathToFileURL(path.join(root, 'pkg/epay-widget.mjs')).href);
    assert.deepEqual(Object.keys(m.EPayWidget), ['run', 'followRedirect', 'showCode']);
    assert.equal(m.default, m.EPayWidget);
  });
});

for (const name of BROWSERS) {
  describe(`adoption in ${name}`, () => {
    let sandbox, browser;
    before(async () => { sandbox = await startSandbox(); browser = await launch(name); });
    after(async () => { await browser?.close(); await sandbox?.stop(); });

    it('serves every merchant page with the strict Content-Security-Policy', async () => {
      for (const p of ['/', '/index.html', '/module.html', '/embed.html', '/example-vite/dist/index.html', '/example-webpack/index.html']) {
        const res = await fetch(`${sandbox.url}${p}`);
        assert.equal(res.status, 200, p);
        assert.equal(res.headers.get('content-security-policy'), CSP, p);
      }
    });

    it('the Vite example (npm package, TypeScript) runs a checkout from its built output', async () => {
      assert.ok(existsSync(path.join(root, 'www/example-vite/dist/index.html')), 'build it first: (cd www/example-vite && npm run build)');
      const page = await newPage(browser, { width: 360, height: 800 });
      await page.goto(`${sandbox.url}/example-vite/dist/index.html`, { waitUntil: 'load' });
      await page.select('#currency', 'KES');
      await page.locator('button[type="submit"]').click();
      await page.waitForSelector('>>> .epay-body[data-screen="picker"]', { timeout: 20000 });
      await page.locator('>>> button[data-method="card-partner"]').click();
      await page.waitForSelector('>>> .epay-body[data-screen="fields"]');
      await page.waitForSelector('#events li[data-event="method"]');
      assert.match(await page.$eval('#events li[data-event="ready"]', (li) => li.textContent), /"order-\d+-\w+"/);
      // The wasm came from Vite's assets, not from /pkg.
      const wasm = await page.evaluate(() => performance.getEntriesByType('resource').map((e) => e.name).filter((n) => n.endsWith('.wasm')));
      assert.equal(wasm.length, 1);
      assert.match(wasm[0], /\/example-vite\/dist\/assets\/epay_widget_bg-[\w-]+\.wasm$/);
      await shot(page, `${name}-adopt-vite-example-360`);
      assert.deepEqual(page.errors, []);
      await page.close();
    });

    it('the webpack 5 example (no webpack config) runs a checkout from its built output', async () => {
      assert.ok(existsSync(path.join(root, 'www/example-webpack/dist/main.js')), 'build it first: (cd www/example-webpack && npm run build)');
      const page = await newPage(browser);
      await page.goto(`${sandbox.url}/example-webpack/index.html`, { waitUntil: 'load' });
      await page.locator('#pay').click();
      await page.waitForSelector('>>> .epay-body[data-screen="picker"]', { timeout: 20000 });
      await page.waitForSelector('#events li[data-event="ready"]');
      const wasm = await page.evaluate(() => performance.getEntriesByType('resource').map((e) => e.name).filter((n) => n.endsWith('.wasm')));
      assert.match(wasm[0], /\/example-webpack\/dist\/[0-9a-f]+\.wasm$/);
      assert.deepEqual(page.errors, []);
      await page.close();
    });

    it('speaks every language: headings, labels, lang attribute, amounts and dates through Intl', async () => {
      for (const lang of LANGUAGES) {
        const page = await newPage(browser, { width: 360, height: 800 });
        await open(page, sandbox.url, { query: `currency=KES&lang=${lang.code}`, screen: 'picker' });
        const seen = await page.evaluate((tag) => {
          const root = document.querySelector('epay-checkout').shadowRoot;
          const expected = new Intl.NumberFormat(tag, { style: 'currency', currency: 'KES' }).format(100);
          return { lang: root.querySelector('.epay').getAttribute('lang'), heading: root.querySelector('.epay-h').textContent, amount: root.querySelector('.epay-amount').textContent, expected };
        }, lang.tag);
        assert.equal(seen.lang, lang.tag);
        assert.equal(seen.heading, lang.choose);
        assert.equal(seen.amount, seen.expected, `${lang.code}: amount formatted by Intl`);
        await page.locator('>>> button[data-method="card-partner"]').click();
        await page.waitForSelector('>>> .epay-body[data-screen="fields"]');
        const form = await page.evaluate(() => {
          const root = document.querySelector('epay-checkout').shadowRoot;
          return { heading: root.querySelector('.epay-h').textContent, label: root.querySelector('label[for="customer_phone"]').textContent, pay: root.querySelector('.epay-primary').textContent };
        });
        assert.equal(form.heading, lang.fields);
        assert.equal(form.label, lang.phone);
        assert.ok(form.pay.includes(seen.expected), `${lang.code}: pay button shows the amount: ${form.pay}`);
        if (name === 'chromium') await shot(page, `${name}-adopt-lang-${lang.code}-360`);
        assert.deepEqual(page.errors, []);
        await page.close();

        // The EPay code's expiry: valid_time is Malaysia time; shown by Intl in the customer's language.
        const code = await newPage(browser, { width: 360, height: 800 });
        await open(code, sandbox.url, { query: `currency=MYR&method=epaycash&${CUSTOMER_MY}&lang=${lang.code}`, screen: 'code' });
        const when = await code.evaluate((tag) => {
          const li = document.querySelector('#events li[data-event="code"]');
          const valid = JSON.parse(li.textContent.slice('code '.length)).body.valid_time;
          const date = new Date(`${valid.replace(' ', 'T')}+08:00`);
          const expected = new Intl.DateTimeFormat(tag, { dateStyle: 'medium', timeStyle: 'short' }).format(date);
          return { shown: document.querySelector('epay-checkout').shadowRoot.querySelector('.epay-valid').textContent, expected };
        }, lang.tag);
        assert.ok(when.shown.includes(when.expected), `${lang.code}: "${when.shown}" shows ${when.expected}`);
        assert.deepEqual(code.errors, []);
        await code.close();
      }
    });

    it('a hostile page stylesheet changes nothing in the widget, and the widget changes nothing on the page', async () => {
      for (const spec of [screen('picker'), screen('picker-modal'), screen('fields'), screen('code'), screen('terminal')]) {
        const plain = await newPage(browser, { width: 360, height: 800 });
        await open(plain, sandbox.url, spec);
        const hostile = await newPage(browser, { width: 360, height: 800 });
        await open(hostile, sandbox.url, spec, '&hostile=1');
        assert.deepEqual(await widgetStyles(hostile), await widgetStyles(plain), `${spec.name}: widget styles under hostile.css`);
        assert.deepEqual(await layoutProblems(hostile), [], spec.name);
        await shot(hostile, `${name}-adopt-hostile-${spec.name}-360`);
        assert.deepEqual([...plain.errors, ...hostile.errors], []);
        await plain.close();
        await hostile.close();
      }
      // No leak: the page looks the same with and without a mounted widget (an unknown
      // order mounts none), and the widget adds no stylesheet to the document.
      const bare = await newPage(browser);
      await bare.goto(`${sandbox.url}/embed.html?order=no-such-order`, { waitUntil: 'load' });
      await bare.waitForFunction(() => /could not/.test(document.querySelector('#order-info').textContent));
      const mounted = await newPage(browser);
      await open(mounted, sandbox.url, screen('fields'));
      assert.deepEqual(await pageStyles(mounted), await pageStyles(bare));
      const sheets = await mounted.evaluate(() => ({ doc: document.styleSheets.length, adopted: document.adoptedStyleSheets.length, styles: document.querySelectorAll('style').length }));
      assert.deepEqual(sheets, { doc: 1, adopted: 0, styles: 0 }, 'only embed.css on the page');
      await bare.close();
      await mounted.close();
    });

    // Media emulation needs CDP (Firefox over WebDriver BiDi has none); theme=dark is tested in both.
    it('follows prefers-color-scheme by default (theme auto): dark, and still AA', { skip: name !== 'chromium' && 'needs CDP' }, async () => {
      const page = await newPage(browser, { width: 360, height: 780 });
      await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: 'dark' }]);
      await open(page, sandbox.url, screen('fields'));
      const bg = await page.evaluate(() => getComputedStyle(document.querySelector('epay-checkout').shadowRoot.querySelector('.epay-card')).backgroundColor);
      assert.equal(bg, 'rgb(21, 24, 30)', 'the dark card');
      assert.deepEqual(await axe(page), [], 'axe, auto theme in dark mode');
      await shot(page, `${name}-adopt-auto-dark-fields-360`);
      await page.close();
    });

    it('the --epay-* custom properties theme the widget, in light and dark', async () => {
      const THEME = { '--epay-color-primary': '#6b2bd9', '--epay-color-bg': '#fffdf5', '--epay-color-text': '#222222', '--epay-font': 'Georgia, serif', '--epay-radius': '3px', '--epay-space': '24px', '--epay-font-size': '18px' };
      for (const theme of ['light', 'dark']) {
        const page = await newPage(browser, { width: 360, height: 800 });
        await open(page, sandbox.url, screen('fields'), `&theme=${theme}`);
        const before = await page.evaluate(() => getComputedStyle(document.querySelector('epay-checkout').shadowRoot.querySelector('.epay-primary')).backgroundColor);
        const seen = await page.evaluate((props) => {
          const host = document.querySelector('epay-checkout');
          // CSSOM, which the page's strict style-src allows (as a merchant's stylesheet would).
          for (const [k, v] of Object.entries(props)) host.style.setProperty(k, v);
          const root = host.shadowRoot;
          const cs = (sel) => getComputedStyle(root.querySelector(sel));
          return {
            primary: cs('.epay-primary').backgroundColor, onPrimary: cs('.epay-primary').color,
            card: cs('.epay-card').backgroundColor, text: cs('.epay-h').color, font: cs('.epay').fontFamily,
            radius: cs('.epay-card').borderTopLeftRadius, padding: cs('.epay-card').paddingTop, size: cs('.epay').fontSize,
          };
        }, THEME);
        assert.notEqual(before, 'rgb(107, 43, 217)');
        assert.deepEqual(seen, {
          primary: 'rgb(107, 43, 217)', onPrimary: 'rgb(255, 253, 245)', card: 'rgb(255, 253, 245)', text: 'rgb(34, 34, 34)',
          font: 'Georgia, serif', radius: '3px', padding: seen.padding, size: '18px',
        }, theme);
        assert.ok(['24px', '18px'].includes(seen.padding), `padding follows --epay-space (phones use 3/4 of it): ${seen.padding}`);
        await shot(page, `${name}-adopt-themed-${theme}-360`);
        assert.deepEqual(page.errors, []);
        await page.close();
      }
    });

    it('the harness catches a Content-Security-Policy violation (so that none elsewhere means none)', async () => {
      const page = await newPage(browser);
      await page.goto(`${sandbox.url}/embed.html?order=no-such-order`, { waitUntil: 'load' });
      await page.evaluate(() => {
        const style = document.createElement('style'); // inline: refused by style-src 'self'
        style.textContent = 'body { outline: 1px solid red; }';
        document.head.append(style);
      });
      await eventually(async () => page.cspViolations.length > 0, 5000, 'the violation to be reported');
      assert.match(page.cspViolations[0], /style-src/);
      page.cspViolations.length = 0; // seen: not this test's failure
      await page.close();
    });

    it("without language_code the widget speaks the browser's language, else English", async () => {
      for (const [languages, query, heading] of [
        [['ru-RU', 'ru'], 'currency=KES', 'Выберите способ оплаты'],
        [['sw-KE'], 'currency=KES', 'Chagua njia ya kulipa'],
        [['de-DE', 'fr'], 'currency=KES', 'Choose how to pay'],
        [['ru-RU'], 'currency=KES&lang=kk', 'Төлем тәсілін таңдаңыз'],
      ]) {
        const page = await newPage(browser, { width: 360, height: 800 });
        await page.evaluateOnNewDocument((l) => {
          Object.defineProperty(navigator, 'languages', { get: () => l });
          Object.defineProperty(navigator, 'language', { get: () => l[0] });
        }, languages);
        await open(page, sandbox.url, { query, screen: 'picker' });
        assert.equal(await page.evaluate(() => document.querySelector('epay-checkout').shadowRoot.querySelector('.epay-h').textContent), heading, `${languages} ${query}`);
        assert.deepEqual(page.errors, []);
        await page.close();
      }
    });

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

    for (const spec of SCREENS) {
      it(`${spec.name}: axe, no horizontal overflow, 44 px tap targets, screenshots at 360 and 1280 px`, async () => {
        const page = await newPage(browser, { width: 360, height: 780 });
        await open(page, sandbox.url, spec);
        assert.deepEqual(await layoutProblems(page), [], `${spec.name} at 360 px`);
        await shot(page, `${name}-adopt-${spec.name}-360`);
        if (name === 'chromium') assert.deepEqual(await axe(page), [], `${spec.name}: axe, light`);
        await page.setViewport({ width: 1280, height: 900 });
        await new Promise((r) => setTimeout(r, 200));
        assert.deepEqual(await layoutProblems(page), [], `${spec.name} at 1280 px`);
        await shot(page, `${name}-adopt-${spec.name}-1280`);
        await page.close();
        if (name !== 'chromium') return;
        // The dark theme: contrast and the rest, again.
        const dark = await newPage(browser, { width: 360, height: 780 });
        await open(dark, sandbox.url, spec, '&theme=dark');
        assert.deepEqual(await axe(dark), [], `${spec.name}: axe, dark`);
        assert.deepEqual(await layoutProblems(dark), [], `${spec.name} dark at 360 px`);
        await shot(dark, `${name}-adopt-${spec.name}-dark-360`);
        await dark.close();
      });
    }
  });
}
