// The README's npm shop (docs/embedding.md "Install with npm": index.html and src/main.ts, copied out of
// the doc as they are), built with Vite from the packed package, served on its own origin
// under a strict CSP with a server that signs orders: pays by card, out to the partner and
// back, and resumes the same order, in both browsers.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { readFileSync, writeFileSync, mkdirSync, mkdtempSync, rmSync, existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BROWSERS, startSandbox, launch, newPage, signed, widgetText } from '../lib/harness.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const vite = path.join(root, 'www/example-vite/node_modules/vite/bin/vite.js');
const TYPES = { '.js': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json', '.html': 'text/html; charset=utf-8', '.css': 'text/css' };

/** The npm shop files of docs/embedding.md: { 'index.html': ..., 'src/main.ts': ... }, exactly as written. */
function npmFiles() {
  const text = readFileSync(path.join(root, 'docs', 'embedding.md'), 'utf8');
  const files = {};
  for (const m of text.matchAll(/<!-- npm-file: ([\w./-]+) -->\n```[a-z]*\n([\s\S]*?)\n```/g)) files[m[1]] = `${m[2]}\n`;
  return files;
}

describe('the README npm shop', () => {
  it('is in the README: a page with the viewport meta and its module', () => {
    const files = npmFiles();
    assert.deepEqual(Object.keys(files).sort(), ['index.html', 'src/main.ts']);
    assert.match(files['index.html'], /<meta name="viewport" content="width=device-width, initial-scale=1">/);
  });
});

for (const name of BROWSERS) {
  describe(`the README npm shop, built with Vite, in ${name}`, () => {
    let sandbox, browser, work, shop;
    const orders = new Map();
    before(async () => {
      sandbox = await startSandbox();
      browser = await launch(name);
      assert.ok(existsSync(vite), `Vite from www/example-vite: ${vite}`);
      work = mkdtempSync(path.join(tmpdir(), 'epay-npm-shop-'));
      const [packed] = JSON.parse(execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], { cwd: path.join(root, 'pkg'), encoding: 'utf8' }));
      const project = path.join(work, 'shop');
      mkdirSync(path.join(project, 'src'), { recursive: true });
      for (const [f, text] of Object.entries(npmFiles())) writeFileSync(path.join(project, f), text);
      writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'npm-shop', private: true, type: 'module' }));
      writeFileSync(path.join(project, '.env'), `VITE_PLATFORM_URL=${sandbox.url}\n`);
      execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', path.join(work, packed.filename)], { cwd: project, stdio: 'pipe' });
      execFileSync(process.execPath, [vite, 'build', '--logLevel', 'warn'], { cwd: project, stdio: 'pipe' });
      const dist = path.join(project, 'dist');
      // The shop's server: the built files under a strict CSP, and orders signed here.
      const csp = `default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self' ${sandbox.url}; style-src 'self'; form-action 'self' ${sandbox.url}`;
      const server = createServer((req, res) => {
        const p = new URL(req.url, 'http://shop').pathname;
        const json = (status, v) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(v));
        if (req.method === 'POST' && p === '/orders') {
          const params = signed({ project_id: 250, payment_id: `npm-${name}-${Date.now()}`, payment_amount: 10000, payment_currency: 'KES', customer_id: 'customer-npm', customer_email: 'customer@example.com', force_payment_method: 'card-partner' });
          orders.set(params.payment_id, params);
          return json(201, params);
        }
        if (p.startsWith('/orders/')) {
          const params = orders.get(decodeURIComponent(p.slice(8)));
          return params ? json(200, params) : json(404, { error: 'no such order' });
        }
        const file = path.join(dist, p === '/' ? 'index.html' : path.normalize(p));
        if (!file.startsWith(dist) || !existsSync(file)) return res.writeHead(404).end('not found');
        res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream', 'content-security-policy': csp }).end(readFileSync(file));
      });
      await new Promise((r) => server.listen(0, '127.0.0.1', r));
      shop = { url: `http://127.0.0.1:${server.address().port}`, stop: () => new Promise((r) => server.close(r)) };
    });
    after(async () => {
      await browser?.close();
      await shop?.stop();
      await sandbox?.stop();
      if (work) rmSync(work, { recursive: true, force: true });
    });

    it('card: out to the partner, back to the shop, the same order shows its result', async () => {
      const page = await newPage(browser, { width: 390, height: 844 });
      await page.goto(shop.url, { waitUntil: 'load' });
      const phone = await page.waitForSelector('>>> input[name="customer_phone"]', { timeout: 20000 });
      const orderId = () => page.evaluate(() => new URLSearchParams(location.search).get('order'));
      const paymentId = await orderId();
      assert.match(paymentId, /^npm-/);
      await phone.type('254712345678');
      await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.locator('>>> .epay-form button[type="submit"]').click()]);
      assert.equal(new URL(page.url()).origin, new URL(sandbox.url).origin, 'at the partner');
      await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.locator('#approve').click()]);
      assert.equal(new URL(page.url()).origin, new URL(shop.url).origin, 'back at the shop');
      assert.equal(await orderId(), paymentId, 'the same order, resumed');
      await page.waitForFunction((id) => document.querySelector('#result')?.textContent === `Paid: order ${id}`, { timeout: 20000 }, paymentId);
      assert.match(await widgetText(page), /Payment successful/);
      assert.equal(orders.size, 1, 'no second order');
      assert.deepEqual(page.errors, []);
      await page.close();
    });
  });
}
