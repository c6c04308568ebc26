// A strict Content-Security-Policy: every www/ page is served with it, and harness.js fails
// any test with a violation (proven here, so that none elsewhere means none).
import { it, before } from 'node:test';
import assert from 'node:assert/strict';
import { newPage, eventually } from '../lib/harness.js';
import { describeInBrowsers } from '../lib/each-browser.js';

const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'";

describeInBrowsers('Content-Security-Policy', (name, env) => {
  let sandbox, browser;
  before(() => ({ sandbox, browser } = env));

  it('serves every merchant page with the strict Content-Security-Policy', async () => {
    for (const p of ['/', '/index.html', '/module.html', '/embed.html', '/example-vite/dist/index.html', '/example-webpack/index.html']) {
      const res = await fetch(`${sandbox.url}${p}`);
      assert.equal(res.status, 200, p);
      assert.equal(res.headers.get('content-security-policy'), CSP, p);
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
});
