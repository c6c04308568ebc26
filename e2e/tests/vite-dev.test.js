// What a Vite user runs first: `vite`, the dev server, with the package as installed (here a
// linked `file:` install, which needs the one `server.fs.allow` line the README names).
// The page creates an order, the widget loads its wasm through the dev server and opens.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BROWSERS, startSandbox, launch, newPage, widgetText, eventually } from '../lib/harness.js';

const example = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../www/example-vite');

async function freePort() {
  const s = createServer();
  await new Promise((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address();
  await new Promise((r) => s.close(r));
  return port;
}

async function startVite(platform) {
  const port = await freePort();
  const child = spawn(process.execPath, ['node_modules/vite/bin/vite.js', '--host', '127.0.0.1', '--port', String(port), '--strictPort'], {
    cwd: example, env: { ...process.env, EPAY_PLATFORM: platform }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.on('data', (d) => { out += d; });
  await eventually(() => /ready in/.test(out), 30000, `vite dev server\n${out}`);
  return { url: `http://127.0.0.1:${port}`, output: () => out, stop: async () => { child.kill('SIGTERM'); await new Promise((r) => child.once('exit', r)); } };
}

describe('the Vite dev server', () => {
  let sandbox, vite;
  before(async () => { sandbox = await startSandbox(); vite = await startVite(sandbox.url); });
  after(async () => { await vite?.stop(); await sandbox?.stop(); });

  for (const name of BROWSERS) {
    it(`serves the widget and its wasm, and the checkout opens (${name})`, async () => {
      const browser = await launch(name);
      try {
        const page = await newPage(browser);
        const wasm = [];
        page.on('response', (r) => { if (r.url().endsWith('.wasm')) wasm.push(`${r.url().split('/').pop().split('?')[0]} ${r.status()}`); });
        await page.goto(vite.url, { waitUntil: 'load' });
        await page.select('#currency', 'KES');
        await page.locator('#order button[type="submit"]').click();
        await page.waitForSelector('#events li[data-event="ready"]', { timeout: 30000 });
        await page.waitForSelector('>>> button[data-method="card-partner"]', { timeout: 10000 });
        assert.match(await widgetText(page), /Card/);
        // The first module (the picker), then the flows module once the picker is on screen.
        await eventually(() => wasm.length >= 2, 10000, 'the flows module');
        assert.deepEqual(wasm, ['epay_widget_bg.wasm 200', 'epay_flows_bg.wasm 200'], 'each wasm, once, from the dev server');
        assert.deepEqual(page.errors.filter((e) => !/\[vite\]/.test(e)), []);
        await page.close();
      } finally {
        await browser.close();
      }
    });
  }
});
