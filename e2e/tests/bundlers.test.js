// The npm package in a merchant's build: the Vite (TypeScript) and webpack 5 examples in
// www/ run a checkout from their built output (build them first, as scripts/test.sh does).
import { it, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { newPage, shot } from '../lib/harness.js';
import { describeInBrowsers } from '../lib/each-browser.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

describeInBrowsers('bundlers', (name, env) => {
  let sandbox, browser;
  before(() => ({ sandbox, browser } = env));

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
    // The wasm came from Vite's assets, not from /pkg: the first module (the picker), then the
    // flows module for the card's form.
    const wasm = await page.evaluate(() => performance.getEntriesByType('resource').map((e) => e.name).filter((n) => n.endsWith('.wasm')));
    assert.equal(wasm.length, 2, wasm.join(', '));
    assert.match(wasm[0], /\/example-vite\/dist\/assets\/epay_widget_bg-[\w-]+\.wasm$/);
    assert.match(wasm[1], /\/example-vite\/dist\/assets\/epay_flows_bg-[\w-]+\.wasm$/);
    await shot(page, `${name}-adopt-vite-example-360`);
    assert.deepEqual(page.errors, []);
    await page.close();

    // Language packs from Vite's output: ru.json as an emitted asset, ms.json inlined as a
    // data: URL (under Vite's 4 KB limit), read without a fetch.
    for (const [lang, heading] of [['ru-RU', 'Выберите способ оплаты'], ['ms-MY', 'Pilih cara pembayaran']]) {
      const p = await newPage(browser, { width: 360, height: 800 });
      await p.evaluateOnNewDocument((l) => Object.defineProperty(navigator, 'languages', { get: () => [l] }), lang);
      await p.goto(`${sandbox.url}/example-vite/dist/index.html`, { waitUntil: 'load' });
      await p.select('#currency', 'KES');
      await p.locator('button[type="submit"]').click();
      await p.waitForSelector('>>> .epay-body[data-screen="picker"]', { timeout: 20000 });
      assert.equal(await p.evaluate(() => document.querySelector('#checkout epay-checkout').shadowRoot.querySelector('.epay-h').textContent), heading, lang);
      assert.deepEqual(p.errors, []);
      await p.close();
    }
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

    // A language pack from webpack's output (emitted as an asset).
    const ru = await newPage(browser);
    await ru.evaluateOnNewDocument(() => Object.defineProperty(navigator, 'languages', { get: () => ['ru-RU'] }));
    await ru.goto(`${sandbox.url}/example-webpack/index.html`, { waitUntil: 'load' });
    await ru.locator('#pay').click();
    await ru.waitForSelector('>>> .epay-body[data-screen="picker"]', { timeout: 20000 });
    assert.equal(await ru.evaluate(() => document.querySelector('epay-checkout').shadowRoot.querySelector('.epay-h').textContent), 'Выберите способ оплаты');
    const pack = await ru.evaluate(() => performance.getEntriesByType('resource').map((e) => e.name).filter((n) => n.endsWith('.json')));
    assert.match(pack[0] || '', /\/example-webpack\/dist\/[0-9a-f]+\.json$/);
    assert.deepEqual(ru.errors, []);
    await ru.close();
  });
});
