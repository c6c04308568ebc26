// Every file the loader fetches is pinned (README "Content-Security-Policy", SPEC "Trust
// chain"): a tampered copy of the glue, the wasm, the drawings module or a language pack,
// served from a CDN on its own origin, is refused, its code never runs, and the page hears
// of it through onError (`integrity`, the file's name) with a message in the widget's
// place; a missing file is `load_failed` with its name. The page runs under a strict CSP.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { cpSync, readFileSync, writeFileSync, rmSync, mkdtempSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BROWSERS, startSandbox, launch, newPage, signed, eventually, widgetText, shot } from '../lib/harness.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const TYPES = { '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json', '.html': 'text/html' };

/** A CDN for `dir` on its own loopback port, with CORS as the platform's: { url, stop }. */
async function cdn(dir, extra = {}) {
  const server = createServer((req, res) => {
    const p = new URL(req.url, 'http://x').pathname;
    if (extra[p]) return res.writeHead(200, extra[p].headers).end(extra[p].body);
    const file = path.join(dir, path.normalize(p));
    if (!file.startsWith(dir) || !existsSync(file)) return res.writeHead(404, { 'access-control-allow-origin': '*' }).end('not found');
    res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream', 'access-control-allow-origin': '*', 'cache-control': 'no-store' });
    res.end(readFileSync(file));
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${server.address().port}`, stop: () => new Promise((r) => server.close(r)) };
}

/** A copy of pkg/ with `edit(dir)` applied. */
function pkgCopy(edit) {
  const dir = mkdtempSync(path.join(tmpdir(), 'epay-pkg-'));
  cpSync(path.join(root, 'pkg'), dir, { recursive: true, filter: (f) => !/\/\d+\.\d+\.\d+[^/]*$/.test(f) });
  edit(dir);
  return dir;
}

/** A valid wasm module with one more (custom) section: other bytes, same code. */
const addSection = (f) => {
  const name = Buffer.from('tampered');
  writeFileSync(f, Buffer.concat([readFileSync(f), Buffer.from([0, name.length + 1, name.length]), name]));
};

const VARIANTS = [
  { what: 'a tampered glue', file: 'epay_widget.js', code: 'integrity',
    edit: (d) => writeFileSync(path.join(d, 'epay_widget.js'), `${readFileSync(path.join(d, 'epay_widget.js'))}\nglobalThis.__epayTampered = 'glue';\n`) },
  { what: 'a tampered wasm', file: 'epay_widget_bg.wasm', code: 'integrity', edit: (d) => addSection(path.join(d, 'epay_widget_bg.wasm')) },
  { what: 'a tampered drawings module', file: 'epay_codes.wasm', code: 'integrity', later: true, currency: 'MYR', edit: (d) => addSection(path.join(d, 'epay_codes.wasm')) },
  { what: 'a tampered language pack', file: 'lang/ru.json', code: 'integrity', later: true, lang: 'ru',
    edit: (d) => {
      const f = path.join(d, 'lang/ru.json');
      const pack = JSON.parse(readFileSync(f, 'utf8'));
      for (const k of Object.keys(pack)) pack[k] = `TAMPERED ${pack[k]}`;
      writeFileSync(f, JSON.stringify(pack));
    } },
  { what: 'a missing glue', file: 'epay_widget.js', code: 'load_failed', edit: (d) => rmSync(path.join(d, 'epay_widget.js')) },
  // The flows module (issue 26, decision 4): fetched once the picker is on screen; the customer's
  // choice meets the failure. followRedirect needs it too.
  { what: 'a tampered flows glue', file: 'epay_flows.js', code: 'integrity', choose: true,
    edit: (d) => writeFileSync(path.join(d, 'epay_flows.js'), `${readFileSync(path.join(d, 'epay_flows.js'))}\nglobalThis.__epayTampered = 'flows';\n`) },
  { what: 'a tampered flows wasm', file: 'epay_flows_bg.wasm', code: 'integrity', choose: true, edit: (d) => addSection(path.join(d, 'epay_flows_bg.wasm')) },
  { what: 'a missing language pack', file: 'lang/ru.json', code: 'load_failed', later: true, lang: 'ru', edit: (d) => rmSync(path.join(d, 'lang/ru.json')) },
];

// The merchant's page: the loader from the CDN, two calls made before the load.
const PAGE_JS = `
const [platform, params] = JSON.parse(decodeURIComponent(location.hash.slice(1)));
const log = (window.__log = []);
EPayWidget.run({ ...params, onError: (e) => log.push({ on: 'run', code: e.code, file: e.file, message: e.message }) }, { target: '#checkout', baseUrl: platform });
EPayWidget.followRedirect({ method: 'GET', url: 'javascript:void 0', body: {} }) // refused: bad_redirect once loaded
  .then(() => log.push({ on: 'redirect', followed: true }), (e) => log.push({ on: 'redirect', code: e.code, file: e.file }));
`;

for (const name of BROWSERS) {
  describe(`pinned widget files, in ${name}`, () => {
    let sandbox, browser;
    const stops = [];
    before(async () => { sandbox = await startSandbox(); browser = await launch(name); });
    after(async () => { await browser?.close(); for (const s of stops) await s(); await sandbox?.stop(); });

    for (const v of VARIANTS) {
      it(`${v.what}: refused${v.code === 'integrity' ? ', never run' : ''}; onError gets ${v.code} naming ${v.file}`, async () => {
        const dir = pkgCopy(v.edit);
        const files = await cdn(dir);
        const csp = `default-src 'self'; script-src 'self' ${files.url} 'wasm-unsafe-eval'; connect-src 'self' ${files.url} ${sandbox.url}; style-src 'self'`;
        const page = { 'content-type': 'text/html', 'content-security-policy': csp };
        const shop = await cdn(dir, {
          '/': { headers: page, body: `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Shop</title>
<script src="${files.url}/epay-widget.js"></script><script src="/page.js"></script></head><body><div id="checkout"></div></body></html>` },
          '/page.js': { headers: { 'content-type': 'text/javascript' }, body: PAGE_JS },
        });
        stops.push(files.stop, shop.stop, () => rmSync(dir, { recursive: true, force: true }));
        const params = signed({
          project_id: 250, payment_id: `pin-${name}-${Date.now()}`, payment_amount: 10000, payment_currency: v.currency ?? 'KES',
          customer_id: 'customer-pin', language_code: v.lang ?? 'en',
        });
        const p = await newPage(browser);
        await p.goto(`${shop.url}/#${encodeURIComponent(JSON.stringify([sandbox.url, params]))}`, { waitUntil: 'load' });
        if (v.choose) {
          // The first module draws the picker; the choice needs the flows module.
          await p.waitForSelector('>>> .epay-body[data-screen="picker"]', { timeout: 20000 });
          await p.click('>>> button.epay-method');
        }
        const log = await eventually(async () => {
          const l = await p.evaluate(() => window.__log);
          return l.some((e) => e.on === 'run' && e.file === v.file) && (v.later || l.some((e) => e.on === 'redirect')) ? l : null;
        }, 20000, `onError naming ${v.file}`);
        const err = log.find((e) => e.on === 'run' && e.file === v.file);
        assert.equal(err.code, v.code, JSON.stringify(log));
        assert.match(err.message, new RegExp(v.file.replace('.', '\\.')));
        assert.equal(await p.evaluate(() => globalThis.__epayTampered), undefined, 'the tampered code never ran');
        if (v.later) {
          // The widget goes on without that file: English text, numbers without drawings.
          await p.waitForSelector('>>> .epay-body[data-screen="picker"]', { timeout: 20000 });
          assert.doesNotMatch(await widgetText(p), /TAMPERED/);
          const r = log.find((e) => e.on === 'redirect');
          assert.equal(r.code, 'bad_redirect', `the widget itself loaded: ${JSON.stringify(log)}`);
        } else {
          // The queued call made before the failure hears of it too when it needs that file
          // (followRedirect is the flows module's; the first module draws only the picker); the
          // widget's place says so.
          const r = log.find((e) => e.on === 'redirect');
          const flowsFile = v.file.startsWith('epay_flows');
          assert.deepEqual([r.code, r.file], flowsFile ? [v.code, v.file] : ['bad_redirect', undefined], JSON.stringify(log));
          assert.match(await p.$eval('#checkout', (el) => el.textContent), /could not be loaded/);
          assert.equal(await p.$eval('#checkout', (el) => el.getAttribute('role')), 'alert');
          if (name === 'chromium') await shot(p, `${name}-integrity-${v.code}-${v.file.replace(/\W/g, '-')}`);
        }
        // Expected: the browser's own console lines on the refused file, the loader's; nothing else.
        // (a 404 page fails the integrity check too, before the loader tells the two apart)
        const expected = /integrity|Subresource|could not load|digest|hash|SHA-384|HTTP 404|MIME type|Cross-Origin Request Blocked/i;
        const other = p.errors.filter((e) => !expected.test(e));
        assert.deepEqual(other, []);
        await p.close();
      });
    }

    it('the untouched files load and pay as usual (the control)', async () => {
      const files = await cdn(path.join(root, 'pkg'));
      stops.push(files.stop);
      const csp = `default-src 'self'; script-src 'self' ${files.url} 'wasm-unsafe-eval'; connect-src 'self' ${files.url} ${sandbox.url}; style-src 'self'`;
      const shop = await cdn(path.join(root, 'pkg'), {
        '/': { headers: { 'content-type': 'text/html', 'content-security-policy': csp }, body: `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Shop</title>
<script src="${files.url}/epay-widget.js"></script><script src="/page.js"></script></head><body><div id="checkout"></div></body></html>` },
        '/page.js': { headers: { 'content-type': 'text/javascript' }, body: PAGE_JS },
      });
      stops.push(shop.stop);
      const params = signed({ project_id: 250, payment_id: `pin-ok-${name}-${Date.now()}`, payment_amount: 10000, payment_currency: 'MYR', customer_id: 'c', language_code: 'ru' });
      const p = await newPage(browser);
      await p.goto(`${shop.url}/#${encodeURIComponent(JSON.stringify([sandbox.url, params]))}`, { waitUntil: 'load' });
      await p.waitForSelector('>>> .epay-body[data-screen="picker"]', { timeout: 20000 });
      await eventually(async () => /Выберите способ оплаты/.test(await widgetText(p)), 10000, 'the Russian pack');
      // The drawings module was fetched (an EPay order) and accepted: no error at all.
      await eventually(() => p.evaluate(() => performance.getEntriesByType('resource').some((e) => e.name.endsWith('/epay_codes.wasm'))), 10000, 'the drawings module');
      await new Promise((r) => setTimeout(r, 300));
      assert.deepEqual(await p.evaluate(() => window.__log.filter((e) => e.on === 'run')), []);
      assert.deepEqual(p.errors, []);
      await p.close();
    });
  });
}
