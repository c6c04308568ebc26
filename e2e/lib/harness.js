// Shared e2e harness: starts a fresh sandbox on an ephemeral port with its own
// database, launches Debian's Chromium or Firefox headless through puppeteer-core.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach } from 'node:test';
import assert from 'node:assert/strict';
import puppeteer from 'puppeteer-core';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const BROWSERS = (process.env.E2E_BROWSERS || 'chromium,firefox').split(',');
export const ARTIFACTS = path.join(root, 'e2e', 'artifacts');

const bin = process.env.EPAY_BIN || path.join(root, 'target', 'debug', 'epay');

/** `params` with the signature the shop's server would add (`epay sign`; the secret stays here). */
export function signed(params, secret = 'sandbox-secret-250') {
  const signature = execFileSync(bin, ['sign', '--secret', secret], { input: JSON.stringify(params) }).toString().trim();
  return { ...params, signature };
}

/** Starts a sandbox; `args` are extra flags (e.g. ['--epay-ttl', '8']). */
export async function startSandbox(args = []) {
  const dir = mkdtempSync(path.join(tmpdir(), 'epay-e2e-'));
  const child = spawn(bin, ['sandbox', '--port', '0', '--db', path.join(dir, 'sandbox.sqlite'),
    '--www', path.join(root, 'www'), '--pkg', path.join(root, 'pkg'), ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const url = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`sandbox did not start in 20 s\n${stderr}`)), 20000);
    child.stdout.on('data', (d) => {
      out += d;
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`sandbox exited ${code}\n${stderr}`)); });
  });
  return {
    url,
    stderr: () => stderr,
    async stop() { child.kill('SIGTERM'); await new Promise((r) => child.once('exit', r)); rmSync(dir, { recursive: true, force: true }); },
  };
}

export async function launch(name) {
  if (name === 'firefox') {
    return puppeteer.launch({ browser: 'firefox', executablePath: '/usr/bin/firefox-esr', headless: true });
  }
  return puppeteer.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--no-first-run', '--disable-sync', '--disable-quic'],
  });
}

// Every page the sandbox serves from www/ runs under a strict Content-Security-Policy;
// any violation on any page of a test fails that test (in every test file).
const CSP_TAG = '[csp-violation]';
const openPages = new Set();
afterEach(() => {
  const found = [...openPages].flatMap((p) => p.cspViolations);
  openPages.clear();
  if (found.length) throw new Error(`Content-Security-Policy violations:\n${found.join('\n')}`);
});

/** A page that fails the test on any uncaught page error (and records console errors). */
export async function newPage(browser, { width = 1280, height = 900 } = {}) {
  const page = await browser.newPage();
  await page.setViewport({ width, height });
  page.errors = [];
  page.cspViolations = [];
  openPages.add(page);
  await page.evaluateOnNewDocument((tag) => {
    addEventListener('securitypolicyviolation', (e) => {
      console.error(`${tag} ${e.effectiveDirective} blocked ${e.blockedURI || '(inline)'} in ${e.sourceFile || e.documentURI}:${e.lineNumber}`);
    }, true);
  }, CSP_TAG);
  page.on('console', (m) => { if (m.text().startsWith(CSP_TAG)) page.cspViolations.push(m.text()); });
  page.on('pageerror', (e) => page.errors.push(String(e?.message ?? e)));
  // Resource failures are recorded by URL below (the console line has none); browsers
  // ask for /favicon.ico on their own, which is not the page's doing.
  page.on('console', (m) => { if (m.type() === 'error' && !/^Failed to load resource/.test(m.text())) page.errors.push(`console: ${m.text()}`); });
  page.on('response', (r) => { if (r.status() >= 400 && !r.url().endsWith('/favicon.ico')) page.errors.push(`HTTP ${r.status()} ${r.url()}`); });
  return page;
}

export async function shot(page, name) {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}

export async function getJson(url) {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return res.json();
}

/** Polls `fn` until it returns a truthy value or `ms` pass. */
export async function eventually(fn, ms = 15000, what = 'condition') {
  const end = Date.now() + ms;
  let last;
  while (Date.now() < end) {
    try { last = await fn(); if (last) return last; } catch (e) { last = e; }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}; last: ${last instanceof Error ? last.message : JSON.stringify(last)}`);
}

/**
 * The one callback of `list` (the shop's callbacks for a payment), checked: signed, with the
 * seed's keys in the seed's order (`keys` at the root, `operationKeys` in `operation`).
 */
export function theOneSignedCallback(list, keys, operationKeys) {
  assert.equal(list.length, 1, 'exactly one callback');
  const cb = list[0];
  assert.equal(cb.valid, true, 'signature verified by the shop');
  assert.deepEqual(Object.keys(cb.body), keys);
  assert.deepEqual(Object.keys(cb.body.operation), operationKeys);
  return cb;
}

/** The shop's callbacks for a payment, once `pred` holds for one of them. */
export async function waitForCallback(base, paymentId, pred, what) {
  return eventually(async () => {
    const list = await getJson(`${base}/merchant/callbacks?payment_id=${encodeURIComponent(paymentId)}`);
    return list.find((c) => pred(c.body)) ? list : null;
  }, 20000, what);
}

/** Fills the demo shop's order form and submits it. */
export async function orderFromShop(page, base, { amount, currency, method = '', email = '', phone = '', firstName = '', lastName = '', account = '', language = 'en', query = '' }) {
  await page.goto(`${base}/${query}`, { waitUntil: 'load' });
  await page.locator('#amount').fill(amount);
  await page.select('#currency', currency);
  await page.select('#method', method);
  await page.select('#language', language);
  for (const [sel, v] of [['#email', email], ['#phone', phone], ['#first-name', firstName], ['#last-name', lastName], ['#account', account]]) {
    if (v) await page.locator(sel).fill(v);
  }
  await page.locator('#checkout-btn').click();
  await page.waitForFunction(() => new URLSearchParams(location.search).get('order'));
  return page.evaluate(() => new URLSearchParams(location.search).get('order'));
}

/** The widget API calls `page` makes from now on, answered, as `"<call> <status>"` (`"pay 404"`). */
export function checkoutCalls(page) {
  const calls = [];
  page.on('response', (r) => {
    const p = new URL(r.url()).pathname;
    if (p.startsWith('/api/v1/checkout/')) calls.push(`${p.slice('/api/v1/checkout/'.length)} ${r.status()}`);
  });
  return calls;
}

/** Text of the widget's shadow root (all of it), for assertions. */
export async function widgetText(page) {
  return page.evaluate(() => {
    const hosts = [...document.querySelectorAll('*')].filter((e) => e.shadowRoot);
    return hosts.map((h) => h.shadowRoot.textContent).join('\n');
  });
}

/**
 * The files the merchant docs (docs/embedding.md, linked from the README) show as
 * `<!-- file: NAME -->` followed by a fenced block, exactly as written there:
 * { 'checkout.html': '...', ... }.
 */
export function readmeFiles() {
  const text = readFileSync(path.join(root, 'docs', 'embedding.md'), 'utf8');
  const files = {};
  for (const m of text.matchAll(/<!-- file: ([\w./-]+) -->\n```[a-z]*\n([\s\S]*?)\n```/g)) files[m[1]] = `${m[2]}\n`;
  return files;
}

/** Writes `files` into a new temp dir and returns it. */
export function writeTemp(files) {
  const dir = mkdtempSync(path.join(tmpdir(), 'epay-shop-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

/**
 * Runs `node script` in `dir` with `env` (plus `epay` on PATH), waits for its first line
 * that names an http://127.0.0.1:PORT URL, and returns { url, output, stop }.
 */
export async function startNode(dir, script, env = {}) {
  const child = spawn(process.execPath, [script], {
    cwd: dir,
    env: { ...process.env, PATH: `${path.dirname(bin)}:${process.env.PATH}`, PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stderr.on('data', (d) => { output += d; });
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script} did not start in 10 s\n${output}`)), 10000);
    child.stdout.on('data', (d) => {
      output += d;
      const m = /(http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`${script} exited ${code}\n${output}`)); });
  });
  return {
    url,
    output: () => output,
    async stop() { if (child.exitCode === null) { child.kill('SIGTERM'); await new Promise((r) => child.once('exit', r)); } },
  };
}

/**
 * A merchant's callback receiver on its own loopback port: records every POST body to
 * /callbacks and answers 200. { url, bodies, stop }.
 */
export async function startReceiver() {
  const bodies = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', () => {
      if (req.method === 'POST' && req.url === '/callbacks') bodies.push(body);
      res.writeHead(req.method === 'POST' && req.url === '/callbacks' ? 200 : 404).end('ok');
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    bodies,
    stop: () => new Promise((r) => server.close(r)),
  };
}

/** Checks a callback body with `epay verify` and the project secret. */
export function verifies(body, secret) {
  try {
    execFileSync(bin, ['verify', '--secret', secret], { input: body, stdio: ['pipe', 'ignore', 'ignore'] });
    return true;
  } catch {
    return false;
  }
}

/**
 * A static site on its own loopback port: `routes` maps a path to { type, body, csp }.
 * { url, stop }.
 */
export async function startStatic(routes) {
  const server = createServer((req, res) => {
    const r = routes[new URL(req.url, 'http://x').pathname];
    if (!r) return res.writeHead(404).end('not found');
    res.writeHead(200, { 'content-type': r.type, ...(r.csp ? { 'content-security-policy': r.csp } : {}) }).end(r.body);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${server.address().port}`, stop: () => new Promise((r) => server.close(r)) };
}
