// One describe per browser (E2E_BROWSERS), each with its own sandbox and browser.
import { describe, before, after } from 'node:test';
import { BROWSERS, startSandbox, launch } from './harness.js';

/**
 * `describe(`${subject} in ${name}`)` for every browser. `body(name, env)` registers its
 * tests; before they run, `env.sandbox` (a fresh sandbox) and `env.browser` are set, and
 * after them both are stopped. A body copies them in its own `before`:
 *
 *   describeInBrowsers('languages', (name, env) => {
 *     let sandbox, browser;
 *     before(() => ({ sandbox, browser } = env));
 *     it('...', async () => { const page = await newPage(browser); ... });
 *   });
 */
export function describeInBrowsers(subject, body) {
  for (const name of BROWSERS) {
    describe(`${subject} in ${name}`, () => {
      const env = {};
      before(async () => { env.sandbox = await startSandbox(); env.browser = await launch(name); });
      after(async () => { await env.browser?.close(); await env.sandbox?.stop(); });
      body(name, env);
    });
  }
}
