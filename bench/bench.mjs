// Benchmark for issue 11: epay-widget against the Adyen Web Drop-in reference, in headless
// Chromium. Prints bytes, time to interactive and screen change times with every ratio
// (ours / Adyen's, measured in the same interleaved run), each against its target with
// PASS/MISS. Not a test: it always exits 0 once it has measured. Run: scripts/bench.sh
//
// Env: BENCH_ROUNDS (default 9) loads of each page per condition; BENCH_LATENCY_MS (100);
//      EPAY_BIN (target/debug/epay); BENCH_JSON=path also writes the raw samples there;
//      BENCH_OURS_VIA=cdn (default: our page and /pkg from the bench's static server, which
//      serves both sides alike, precompressed, /api proxied to the sandbox) or sandbox (all
//      from the sandbox, which compresses /pkg per request); BENCH_TRACE=dir also takes one
//      Chromium trace per side at 1x CPU and prints where the main thread's time went
//      (BENCH_TRACE_LATENCY_MS adds latency to those loads, BENCH_TRACE_CPU=4 throttles them);
//      BENCH_CHROME_ARGS: extra Chromium flags (e.g. --js-flags=--no-wasm-lazy-compilation, tried: slower);
//      BENCH_PROFILE=N: only N profiled loads of our fast page (V8 CPU profile sampled every
//      100 us, BENCH_PROFILE_CPU=4 throttles), printed as inclusive time per function until
//      interactive, per load (wasm names need an EPAY_KEEP_NAMES=1 build); BENCH_PROFILE_FOCUS=name
//      also splits that function's time among its direct callees.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import puppeteer from 'puppeteer-core';
import { buildAdyen } from './build.mjs';
import { compressed, startStatic } from './serve.mjs';
import { functions } from '../scripts/wasm-read.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS || 9));
const LATENCY = Number(process.env.BENCH_LATENCY_MS || 100);
const BIN = process.env.EPAY_BIN || path.join(root, 'target', 'debug', 'epay');
const PKG = process.env.BENCH_PKG ? path.resolve(process.env.BENCH_PKG) : path.join(root, 'pkg'); // BENCH_PKG: another build, to compare
const VIA = process.env.BENCH_OURS_VIA === 'sandbox' ? 'sandbox' : 'cdn';

const CONDITIONS = [
  { key: 'cpu1', label: '1x CPU', cpu: 1, latency: 0 },
  { key: 'cpu4', label: '4x CPU', cpu: 4, latency: 0 },
  { key: 'lat', label: `1x CPU +${LATENCY} ms/request`, cpu: 1, latency: LATENCY },
];

// The methods each side offers, in picker order. Ours: one order per currency (the sandbox
// offers one method per currency); Adyen: the three methods of the reference page.
const OURS_METHODS = [
  { method: 'card-partner', currency: 'KES' },
  { method: 'epaycash', currency: 'MYR' },
  { method: 'paydala', currency: 'KZT' },
];
const ADYEN_METHODS = ['doku_alfamart', 'oxxo', 'ideal'];

// BENCH_TRACE=dir: also one traced load per side, summarized (main thread and requests).
const TRACE = process.env.BENCH_TRACE || null;
const PROFILE = Number(process.env.BENCH_PROFILE || 0); // BENCH_PROFILE=N: N profiled loads of the fast page, then exit
const PROFILE_CPU = Number(process.env.BENCH_PROFILE_CPU || 1);
const TRACE_LATENCY = Number(process.env.BENCH_TRACE_LATENCY_MS || 0); // added to each traced request
const TRACE_CPU = Number(process.env.BENCH_TRACE_CPU || 1); // CPU throttling of the traced loads
const TRACE_CATEGORIES = ['devtools.timeline', 'v8', 'v8.wasm', 'blink.user_timing', 'loading', 'netlog', 'disabled-by-default-devtools.timeline',
  'disabled-by-default-v8.cpu_profiler'];

// From a Chromium trace: the requests (sent -> finished) and the main thread's work, each
// slice of 0.5 ms or more, in ms from navigation start until `until` (+10 ms).
function summarizeTrace(trace, until, wasmFile = null) {
  const ev = trace.traceEvents || trace;
  const main = ev.find((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain' && ev.some((x) => x.pid === e.pid && x.name === 'navigationStart'));
  const nav = ev.filter((e) => e.name === 'navigationStart' && (!main || e.pid === main.pid)).map((e) => e.ts).sort((a, b) => b - a)[0];
  const at = (ts) => ((ts - nav) / 1000).toFixed(1).padStart(7);
  const lines = [];
  const sent = new Map();
  for (const e of ev) {
    if (e.name === 'ResourceSendRequest') sent.set(e.args.data.requestId, { url: e.args.data.url, ts: e.ts });
    if (e.name === 'ResourceFinish' && sent.has(e.args.data.requestId)) { const r = sent.get(e.args.data.requestId); r.end = e.ts; }
  }
  for (const r of [...sent.values()].sort((a, b) => a.ts - b.ts)) {
    if (r.ts < nav) continue;
    lines.push(`${at(r.ts)} -> ${r.end ? at(r.end) : '   ....'}  request ${new URL(r.url).pathname}`);
  }
  const limit = nav + (until + 10) * 1000;
  const TOP = new Set(['ParseHTML', 'EvaluateScript', 'v8.compile', 'v8.compileModule', 'v8.evaluateModule', 'FunctionCall', 'TimerFire', 'FireAnimationFrame',
    'EventDispatch', 'Layout', 'UpdateLayoutTree', 'Paint', 'PrePaint', 'Commit', 'ResourceReceivedData', 'v8.wasm.streamFromResponseCallback',
    'v8.wasm.compiledModule', 'v8.wasm.cachedModule', 'v8.wasm.moduleCacheHit', 'wasm.CompileLazy', 'wasm.SyncCompile', 'wasm.AsyncCompile', 'V8.GCScavenger', 'MajorGC', 'MinorGC', 'RunMicrotasks', 'HandlePostMessage', 'ParseAuthorStyleSheet', 'v8.run']);
  const work = ev.filter((e) => main && e.pid === main.pid && e.tid === main.tid && e.ph === 'X' && e.ts >= nav && e.ts <= limit && TOP.has(e.name) && (e.dur || 0) >= 500);
  for (const e of work.sort((a, b) => a.ts - b.ts)) {
    const what = e.args?.data?.url ? ` ${new URL(e.args.data.url, 'http://x').pathname}` : e.args?.data?.functionName ? ` ${e.args.data.functionName}` : '';
    lines.push(`${at(e.ts)} +${(e.dur / 1000).toFixed(1).padStart(5)}  ${e.name}${what}`);
  }
  // The sampling profile (self time per function, main thread, until interactive): wasm
  // functions are named when pkg/ was built with EPAY_KEEP_NAMES=1.
  const nodes = new Map(); const self = new Map();
  const prof = ev.find((e) => e.name === 'Profile' && main && e.pid === main.pid && e.args?.data?.startTime);
  let t = prof ? prof.args.data.startTime : null;
  for (const e of ev.filter((x) => x.name === 'ProfileChunk' && prof && x.id === prof.id).sort((a, b) => a.ts - b.ts)) {
    const cp = e.args?.data?.cpuProfile; const deltas = e.args?.data?.timeDeltas || [];
    for (const n of cp?.nodes || []) nodes.set(n.id, n.callFrame);
    (cp?.samples || []).forEach((id, k) => {
      t += deltas[k] || 0;
      if (t < nav || t > limit) return;
      const f = nodes.get(id); const name = f ? `${f.functionName || '(anonymous)'}${f.url ? ` ${f.url.split('/').pop()}` : ''}` : '?';
      self.set(name, (self.get(name) || 0) + (deltas[k + 1] || 0) / 1000);
    });
  }
  if (self.size) {
    lines.push('sampled self time (ms), top 25:');
    for (const [k, v] of [...self].filter(([k]) => !/^\((idle|program)\)/.test(k)).sort((a, b) => b[1] - a[1]).slice(0, 25)) lines.push(`  ${v.toFixed(1).padStart(6)}  ${k}`);
  }
  if (wasmFile) {
    // V8 compiles a wasm function the first time it is called (lazy compilation), on the
    // calling thread: the code run before interactive is compiled on the critical path.
    const fns = functions(readFileSync(wasmFile));
    const lazy = ev.filter((e) => e.name === 'wasm.CompileLazy' && main && e.pid === main.pid && e.ts >= nav && e.ts <= limit && e.args?.func_index !== undefined);
    const seen = [...new Set(lazy.map((e) => e.args.func_index))];
    const bytes = seen.reduce((a, f) => a + fns.size(f), 0);
    lines.push(`wasm compiled lazily before interactive: ${seen.length} functions, ${bytes.toLocaleString('en-US')} of ${fns.total.toLocaleString('en-US')} bytes of code, ${(lazy.reduce((a, e) => a + (e.dur || 0), 0) / 1000).toFixed(1)} ms; largest:`);
    for (const f of seen.sort((a, b) => fns.size(b) - fns.size(a)).slice(0, 8)) lines.push(`  ${String(fns.size(f)).padStart(6)}  ${fns.name(f).replace(/::h[0-9a-f]{16}$/, '').slice(0, 110)}`);
  }
  const busy = {};
  for (const e of work) busy[e.name] = (busy[e.name] || 0) + e.dur / 1000;
  lines.push(`main thread, by kind (ms, nested slices counted in each): ${Object.entries(busy).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(', ')}`);
  return lines.join('\n');
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const log = (...a) => console.error('[bench]', ...a);

// ---------------------------------------------------------------- servers and pages

async function startSandbox(www) {
  const child = spawn(BIN, ['sandbox', '--port', '0', '--db', ':memory:', '--www', www, '--pkg', PKG],
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stderr.on('data', (d) => { out += d; });
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`sandbox did not start in 20 s\n${out}`)), 20000);
    child.stdout.on('data', (d) => {
      out += d;
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`sandbox (${BIN}) exited ${code}\n${out.slice(-3000)}`)); });
  });
  child.stdout.resume();
  return { url, stop: async () => { if (child.exitCode === null) { child.kill('SIGTERM'); await new Promise((r) => child.once('exit', r)); } } };
}

// Our merchant page: the loader as the README shows it, and the shop's signed parameters
// in the page (as a shop's server renders them; the bench gets them from the sandbox's demo
// shop beforehand, so no order round trip is timed: Adyen's page has its methods inline too).
const OURS_JS = `(function () {
  'use strict';
  var params = JSON.parse(document.getElementById('checkout-params').textContent);
  window.checkout = window.EPayWidget.run(params, { target: '#checkout' });
})();
`;
// The fast page (README "The fast first screen", checkout-fast.html): the shop's server also
// fetched `open`'s answer for the parameters and put it in the page (as Adyen's page has
// `paymentMethodsResponse`), and the page preloads the glue and the wasm beside the loader.
const FAST_JS = `(function () {
  'use strict';
  var order = JSON.parse(document.getElementById('checkout-params').textContent);
  window.checkout = window.EPayWidget.run(order.params, { target: '#checkout', opened: order.opened });
})();
`;
function oursHtml(params, opened) {
  const data = opened === undefined ? params : { params, opened };
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>epay-widget · bench</title>
${opened === undefined ? '' : `  <link rel="modulepreload" href="/pkg/epay_widget.js">
  <link rel="preload" href="/pkg/epay_widget_bg.wasm" as="fetch" crossorigin>
`}  <script src="/pkg/epay-widget.js"></script>
${opened === undefined ? '  <script defer src="/ours.js"></script>\n' : ''}</head>
<body>
  <main>
    <h1>epay-widget</h1>
    <div id="checkout"></div>
  </main>
  <script type="application/json" id="checkout-params">${JSON.stringify(data).replace(/</g, '\\u003c')}</script>
${opened === undefined ? '' : '  <script src="/fast.js"></script>\n'}</body>
</html>
`;
}

class OursPages {
  // Pages go into the sandbox's --www directory (VIA=sandbox) or the static server's map.
  constructor(sandboxUrl, { www, cdn }) { this.url = sandboxUrl; this.www = www; this.cdn = cdn; this.n = 0; }
  async page(currency = 'KES', fast = false) {
    const res = await fetch(`${this.url}/merchant/orders`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ amount: 10000, currency, language_code: 'en' }),
    });
    const body = await res.json();
    if (!res.ok) throw new Error(`/merchant/orders: HTTP ${res.status} ${JSON.stringify(body)}`);
    let opened;
    if (fast) { // server to server, before the page is served (not timed, as Adyen's /paymentMethods)
      const o = await fetch(`${this.url}/api/v1/checkout/open`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body.params) });
      opened = await o.json();
      if (!o.ok) throw new Error(`/api/v1/checkout/open: HTTP ${o.status} ${JSON.stringify(opened)}`);
    }
    const name = `ours-${++this.n}.html`;
    if (this.cdn) { this.cdn.pages.set(`/${name}`, oursHtml(body.params, opened)); return `${this.cdn.url}/${name}`; }
    writeFileSync(path.join(this.www, name), oursHtml(body.params, opened));
    return `${this.url}/${name}`;
  }
}

// ---------------------------------------------------------------- in-page instrumentation

// Installed before any page script: records performance.now() (ms since navigation start)
// at the first moment the picker's buttons exist and are enabled, checked on every DOM
// mutation of the document and of every shadow root (attachShadow is wrapped to observe
// the widget's root as soon as it exists), with a requestAnimationFrame poll as a fallback.
function instrument(kind) {
  const B = (window.__bench = { tti: null, roots: [document] });
  let done;
  B.ready = new Promise((r) => { done = r; });
  B.q = (sel) => { for (const r of B.roots) { const l = r.querySelectorAll(sel); if (l.length) return [...l]; } return []; };
  B.buttons = kind === 'ours'
    ? () => B.q('button[data-method]')
    : () => B.q('.adyen-checkout__dropin--ready button.adyen-checkout__payment-method__header__title');
  const min = kind === 'ours' ? 1 : 3;
  const check = () => {
    if (B.tti !== null) return;
    const bs = B.buttons();
    if (bs.length >= min && bs.every((b) => !b.disabled)) { B.tti = performance.now(); done(B.tti); mo.disconnect(); }
  };
  const mo = new MutationObserver(check);
  const opts = { childList: true, subtree: true, attributes: true, attributeFilter: ['class', 'disabled'] };
  const attach = Element.prototype.attachShadow;
  Element.prototype.attachShadow = function (init) {
    const r = attach.call(this, init);
    B.roots.push(r);
    if (B.tti === null) mo.observe(r, opts);
    return r;
  };
  mo.observe(document, opts);
  const poll = () => { check(); if (B.tti === null) requestAnimationFrame(poll); };
  requestAnimationFrame(poll);
}

// Screen change: at the start of a frame (in a requestAnimationFrame callback) clicks the
// method's button, then after each frame's rendering (a task posted from the frame's rAF
// callback runs once that frame is committed) checks for the method's form; the time is
// click -> end of the first frame that shows it. No vsync wait is included when the work
// fits in the frame it starts in.
function screenChange(kind, index, needForm) {
  const B = window.__bench;
  const btn = B.buttons()[index];
  const shown = kind === 'ours'
    ? () => !B.q('button[data-method]').length && (!needForm || B.q('form input').length > 0)
    : () => !!document.querySelector('.adyen-checkout__payment-method--selected .adyen-checkout__payment-method__details__content');
  const post = (fn) => { const ch = new MessageChannel(); ch.port1.onmessage = fn; ch.port2.postMessage(0); };
  return new Promise((resolve, reject) => {
    requestAnimationFrame(() => {
      const t0 = performance.now();
      btn.click();
      let frames = 0;
      const after = () => {
        if (shown()) resolve({ ms: performance.now() - t0, frames });
        else if (++frames > 600) reject(new Error('the method screen did not show in 600 frames'));
        else requestAnimationFrame(() => post(after));
      };
      post(after);
    });
  });
}

// ---------------------------------------------------------------- one load

async function load(browser, { kind, url, cpu = 1, latency = 0, click = 0, settleMs = 400, afterClickMs = 0, needForm = false, trace = null, profile = false }) {
  const context = await browser.createBrowserContext(); // incognito: cold HTTP cache, new connections
  try {
    const page = await context.newPage();
    await page.setViewport({ width: 1280, height: 900 });
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e?.message ?? e)));
    const cdp = await page.createCDPSession();
    const reqs = new Map();
    let phase = 'load';
    cdp.on('Network.requestWillBeSent', (e) => { reqs.set(e.requestId, { url: e.request.url, method: e.request.method, phase, body: 0, wire: 0, status: 0, enc: '' }); });
    cdp.on('Network.responseReceived', (e) => { const r = reqs.get(e.requestId); if (r) { r.status = e.response.status; r.enc = e.response.headers['content-encoding'] || e.response.headers['Content-Encoding'] || ''; } });
    cdp.on('Network.dataReceived', (e) => { const r = reqs.get(e.requestId); if (r) r.body += e.encodedDataLength; });
    cdp.on('Network.loadingFinished', (e) => { const r = reqs.get(e.requestId); if (r) r.wire = e.encodedDataLength; });
    await cdp.send('Network.enable');
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: false });
    if (cpu !== 1) await cdp.send('Emulation.setCPUThrottlingRate', { rate: cpu });
    if (latency) await cdp.send('Network.emulateNetworkConditions', { offline: false, latency, downloadThroughput: -1, uploadThroughput: -1 });
    await page.evaluateOnNewDocument(instrument, kind);
    if (trace) await page.tracing.start({ path: trace, categories: TRACE_CATEGORIES });
    if (profile) {
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.setSamplingInterval', { interval: 100 });
      await cdp.send('Profiler.start');
    }
    await page.goto(url, { waitUntil: 'load', timeout: 60000 });
    let timer;
    const tti = await Promise.race([
      page.evaluate(() => window.__bench.ready),
      new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`${kind}: no enabled picker buttons in 60 s; page errors: ${errors.join('; ')}`)), 60000); }),
    ]).finally(() => clearTimeout(timer));
    if (trace) { await sleep(50); await page.tracing.stop(); }
    const cpuProfile = profile ? (await cdp.send('Profiler.stop')).profile : null;
    // Where the time went (resource timing, ms from navigation start).
    const timeline = await page.evaluate(() => {
      const nav = performance.getEntriesByType('navigation')[0];
      const res = performance.getEntriesByType('resource').map((e) => ({ path: new URL(e.name).pathname, end: e.responseEnd }));
      const last = (re) => Math.max(0, ...res.filter((r) => re.test(r.path)).map((r) => r.end));
      return { html: nav.responseEnd, files: last(/^\/pkg\/|^\/adyen\.(js|css)$/), api: last(/^\/api\/v1\/checkout\/open$/) };
    });
    let change = null;
    if (click !== null) {
      await sleep(settleMs);
      phase = 'method';
      change = await page.evaluate(screenChange, kind, click, needForm);
      if (afterClickMs) await sleep(afterClickMs);
    }
    return { tti, change, timeline, requests: [...reqs.values()], errors, cpuProfile };
  } finally {
    await context.close();
  }
}

// Inclusive sampled time per function (a function counted once per sample however deep it
// recurs), from CDP profiles taken from before navigation until just after interactive.
// Idle, (program) and GC samples are left out.
// With `focus`, also the time of each direct callee of the functions so named.
function inclusive(profiles, focus = null) {
  const total = new Map(); const callees = new Map(); let all = 0;
  for (const { profile } of profiles) {
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    const parent = new Map();
    for (const n of profile.nodes) for (const c of n.children || []) parent.set(c, n.id);
    profile.samples.forEach((id, k) => {
      const w = (profile.timeDeltas[k + 1] || 0) / 1000;
      const top = byId.get(id)?.callFrame.functionName || '';
      if (/^\((idle|program|garbage collector)\)$/.test(top)) return;
      all += w;
      const seen = new Set(); const seenCallee = new Set(); let below = null;
      for (let n = id; n !== undefined; n = parent.get(n)) {
        const f = byId.get(n).callFrame;
        const name = `${(f.functionName || '(anonymous)').replace(/::h[0-9a-f]{16}$/, '')}${f.url && !/\.wasm$/.test(f.url) ? ` ${f.url.split('/').pop()}` : ''}`;
        if (focus && name === focus && !seenCallee.has(below)) {
          seenCallee.add(below);
          callees.set(below ?? '(self)', (callees.get(below ?? '(self)') || 0) + w);
        }
        below = name;
        if (name === '(root)' || seen.has(name)) continue;
        seen.add(name);
        total.set(name, (total.get(name) || 0) + w);
      }
    });
  }
  return { all, rows: [...total].sort((a, b) => b[1] - a[1]), callees: [...callees].sort((a, b) => b[1] - a[1]) };
}

// ---------------------------------------------------------------- statistics and printing

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const stats = (xs) => ({ med: median(xs), min: Math.min(...xs), max: Math.max(...xs), n: xs.length });
const fmtMs = (s) => `${s.med.toFixed(1)} (${s.min.toFixed(1)}–${s.max.toFixed(1)})`;
const fmtB = (n) => n.toLocaleString('en-US');
const verdict = (ok) => (ok ? 'PASS' : 'MISS');
const isApi = (u) => /\/api\/|\/adyen-test-api\/|\/adyen-test-analytics\//.test(new URL(u).pathname);
const isAsset = (u) => { const p = new URL(u).pathname; return p.startsWith('/pkg/') || /^\/adyen\.(js|css)$/.test(p) || p.startsWith('/adyen-test-cdn/'); };

function table(rows) {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i] ?? '').length)));
  return rows.map((r, ri) => {
    const line = r.map((c, i) => String(c ?? '').padEnd(widths[i])).join('  ').trimEnd();
    return ri === 0 ? `${line}\n${widths.map((w) => '-'.repeat(w)).join('  ')}` : line;
  }).join('\n');
}

// ---------------------------------------------------------------- main

async function main() {
  const started = Date.now();
  const load0 = os.loadavg();
  log(`building the Adyen reference page (esbuild) ...`);
  const dist = await buildAdyen();
  const www = mkdtempSync(path.join(os.tmpdir(), 'epay-bench-www-'));
  writeFileSync(path.join(www, 'ours.js'), OURS_JS);
  writeFileSync(path.join(www, 'fast.js'), FAST_JS);
  // The sandbox wants an index.html in --www (its demo shop's); the bench's pages are ours-N.html.
  writeFileSync(path.join(www, 'index.html'), '<!doctype html><title>epay-widget bench</title><p>bench pages: /ours-N.html\n');
  const sandbox = await startSandbox(www);
  const adyen = await startStatic({ mounts: { '/': dist } });
  const cdn = VIA === 'cdn'
    ? await startStatic({ mounts: { '/pkg/': PKG }, pages: new Map([['/ours.js', OURS_JS], ['/fast.js', FAST_JS]]), proxy: { '/api/': sandbox.url } })
    : null;
  const ours = new OursPages(sandbox.url, { www, cdn });
  const adyenUrl = `${adyen.url}/index.html`;
  const browser = await puppeteer.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--no-first-run', '--disable-sync', '--disable-quic', '--disable-extensions',
      // Offline: any host but loopback fails to resolve (nothing leaves the machine).
      '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1', ...(process.env.BENCH_CHROME_ARGS ? process.env.BENCH_CHROME_ARGS.split(' ') : [])],
  });
  const raw = { rounds: ROUNDS, latency: LATENCY, conditions: {}, bytes: {} };
  try {
    // Warm-up (not counted): one load of each page.
    log('warm-up ...');
    await load(browser, { kind: 'ours', url: await ours.page() });
    await load(browser, { kind: 'adyen', url: adyenUrl });
    if (PROFILE) {
      const profiles = [];
      for (let i = 0; i < PROFILE; i++) {
        const res = await load(browser, { kind: 'ours', url: await ours.page('KES', true), click: null, cpu: PROFILE_CPU, profile: true });
        profiles.push({ profile: res.cpuProfile, tti: res.tti });
      }
      const { all, rows, callees } = inclusive(profiles, process.env.BENCH_PROFILE_FOCUS || null);
      console.log(`\nfast page, ${PROFILE} loads at ${PROFILE_CPU}x CPU: interactive at ${profiles.map((p) => p.tti.toFixed(0)).join(', ')} ms; ` +
        `${(all / PROFILE).toFixed(1)} ms of main-thread work sampled per load (until the profile stopped, just after interactive)`);
      console.log('inclusive time per load (ms), top 70:');
      for (const [k, v] of rows.slice(0, 70)) console.log(`  ${(v / PROFILE).toFixed(2).padStart(7)}  ${k.slice(0, 130)}`);
      if (callees.length) {
        console.log(`direct callees of ${process.env.BENCH_PROFILE_FOCUS} (ms per load):`);
        for (const [k, v] of callees.slice(0, 40)) console.log(`  ${(v / PROFILE).toFixed(2).padStart(7)}  ${k.slice(0, 130)}`);
      }
      return;
    }
    if (TRACE) {
      // One traced load of each page at 1x CPU: the renderer's main thread and the network,
      // from navigation start to interactive (the profile behind "where the time goes").
      mkdirSync(TRACE, { recursive: true });
      for (const side of ['ours', 'fast', 'adyen']) {
        const kind = side === 'adyen' ? 'adyen' : 'ours';
        const file = path.join(TRACE, `${side}.json`);
        const res = await load(browser, { kind, url: side === 'adyen' ? adyenUrl : await ours.page('KES', side === 'fast'), click: null, trace: file, latency: TRACE_LATENCY, cpu: TRACE_CPU });
        console.log(`\n${side}: interactive at ${res.tti.toFixed(1)} ms; trace ${file}\n${summarizeTrace(JSON.parse(readFileSync(file, 'utf8')), res.tti, kind === 'ours' ? path.join(PKG, 'epay_widget_bg.wasm') : null)}`);
      }
    }

    // Bytes: one load per method per side, recording every response (CDP) as transferred;
    // files as downloaded also compressed here with gzip -9 and brotli 11.
    log('bytes: one load per method ...');
    const bytes = { ours: [], adyen: [] };
    for (let i = 0; i < 3; i++) {
      bytes.ours.push(await load(browser, { kind: 'ours', url: await ours.page(OURS_METHODS[i].currency), click: 0, afterClickMs: 1500 }));
      bytes.adyen.push(await load(browser, { kind: 'adyen', url: adyenUrl, click: i, afterClickMs: 1500 }));
    }

    // Timing: ROUNDS interleaved rounds; in each, every condition loads both pages, the
    // order of the two alternating round by round. A new incognito context per load.
    const samples = {};
    const SIDES = ['ours', 'fast', 'adyen'];
    for (const c of CONDITIONS) samples[c.key] = Object.fromEntries(SIDES.map((k) => [k, { tti: [], change: [], timeline: [] }]));
    for (let r = 0; r < ROUNDS; r++) {
      log(`round ${r + 1}/${ROUNDS} (load average ${os.loadavg()[0].toFixed(2)})`);
      for (const c of CONDITIONS) {
        const order = r % 2 ? [...SIDES].reverse() : SIDES;
        for (const side of order) {
          const kind = side === 'adyen' ? 'adyen' : 'ours';
          const url = side === 'adyen' ? adyenUrl : await ours.page('KES', side === 'fast');
          const res = await load(browser, { kind, url, cpu: c.cpu, latency: c.latency, click: 0, settleMs: 300 * c.cpu, needForm: true });
          samples[c.key][side].tti.push(res.tti);
          samples[c.key][side].change.push(res.change.ms);
          samples[c.key][side].timeline.push(res.timeline);
          if (kind === 'ours' && res.errors.length) log(`${side} page errors: ${res.errors.join('; ')}`);
          if (side === 'fast' && res.requests.some((q) => /\/api\/v1\/checkout\/open$/.test(q.url))) log('fast page: the browser sent open (it should not)');
        }
      }
    }
    raw.conditions = samples;

    // ------------------------------------------------------------ report: bytes
    const fileOf = (u) => {
      const p = new URL(u).pathname;
      if (p.startsWith('/pkg/')) return path.join(PKG, p.slice(5));
      if (/^\/adyen\.(js|css)$/.test(p)) return path.join(dist, p.slice(1));
      return null;
    };
    const firstDownload = (res) => {
      const files = res.requests.filter((q) => q.phase === 'load' && isAsset(q.url) && q.status === 200);
      const out = { files: [], gzip: 0, br: 0, raw: 0, transferred: 0 };
      for (const f of files) {
        const local = fileOf(f.url);
        const c = local ? compressed(readFileSync(local)) : { raw: 0, gzip: 0, br: 0 };
        out.files.push({ name: new URL(f.url).pathname, ...c, transferred: f.body, enc: f.enc });
        out.gzip += c.gzip; out.br += c.br; out.raw += c.raw; out.transferred += f.body;
      }
      return out;
    };
    const later = (res) => {
      const after = res.requests.filter((q) => q.phase === 'method');
      const assets = after.filter((q) => isAsset(q.url) && q.status === 200);
      const missing = res.requests.filter((q) => q.status === 404 && !q.url.endsWith('/favicon.ico')).map((q) => new URL(q.url).pathname);
      const api = after.filter((q) => isApi(q.url));
      return { assets: assets.reduce((s, q) => s + q.body, 0), assetList: assets.map((q) => new URL(q.url).pathname), api: api.reduce((s, q) => s + q.body, 0), apiCount: api.length, missing };
    };
    const fdO = firstDownload(bytes.ours[0]);
    const fdA = firstDownload(bytes.adyen[0]);
    raw.bytes = { ours: fdO, adyen: fdA };

    const out = [];
    const p = (s = '') => out.push(s);
    p(`epay-widget bench (issue 11): ours / Adyen Web Drop-in ${JSON.parse(readFileSync(path.join(here, 'node_modules/@adyen/adyen-web/package.json'), 'utf8')).version}, same run, interleaved`);
    p(`${os.cpus().length} CPUs (${os.cpus()[0]?.model?.trim()}), Chromium ${(await browser.version()).replace(/^\D+/, '')}, ${ROUNDS} rounds per condition, cold cache (new incognito context) per load`);
    p(`ours served ${VIA === 'cdn' ? 'like Adyen\'s: page and /pkg from the bench\'s static server (precompressed brotli 11 / gzip 9), /api proxied to the sandbox' : 'by the sandbox (page, /pkg compressed per request, API)'}; Adyen's page, JS and CSS from the same static server code`);
    p(`load average at start ${load0.map((x) => x.toFixed(2)).join(' ')}; at end ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
    p();
    p('Files of the first download (compressed here: gzip -9, brotli 11; transferred: body bytes as served, CDP)');
    p(table([['side', 'file', 'raw', 'gzip -9', 'brotli', 'transferred'],
      ...fdO.files.map((f) => ['ours', f.name, fmtB(f.raw), fmtB(f.gzip), fmtB(f.br), `${fmtB(f.transferred)} ${f.enc}`]),
      ...fdA.files.map((f) => ['Adyen', f.name, fmtB(f.raw), fmtB(f.gzip), fmtB(f.br), `${fmtB(f.transferred)} ${f.enc}`])]));
    p();
    const rows = [['figure', 'ours', 'Adyen', 'ratio', 'target', 'result']];
    const ratioRow = (name, o, a, target, fmt = fmtB) => { const r = o / a; rows.push([name, fmt(o), fmt(a), r.toFixed(2), target ? `<= ${target}` : '', target ? verdict(r <= target) : '']); };
    ratioRow('first download, gzip -9 (B)', fdO.gzip, fdA.gzip, 0.5);
    ratioRow('first download, brotli 11 (B)', fdO.br, fdA.br, null);
    ratioRow('first download, transferred (B)', fdO.transferred, fdA.transferred, null);
    for (let i = 0; i < 3; i++) {
      const lo = later(bytes.ours[i]); const la = later(bytes.adyen[i]);
      // Everything one payment needs: the first download plus the files that method loads
      // (gzip -9 of the files).
      const extraGz = (res) => res.requests.filter((q) => q.phase === 'method' && isAsset(q.url) && q.status === 200)
        .reduce((s, q) => s + (fileOf(q.url) ? compressed(readFileSync(fileOf(q.url))).gzip : q.body), 0);
      // Each method's own load: its first download (our EPay and PayDala pages also fetch the
      // codes module, right after the picker is interactive) plus what the click loaded.
      const o = firstDownload(bytes.ours[i]).gzip + extraGz(bytes.ours[i]); const a = firstDownload(bytes.adyen[i]).gzip + extraGz(bytes.adyen[i]);
      ratioRow(`one payment, ${OURS_METHODS[i].method} / ${ADYEN_METHODS[i]}, gzip (B)`, o, a, 0.6);
      raw.bytes[`method${i}`] = { ours: lo, adyen: la };
    }
    for (const side of ['ours', 'fast']) {
      for (const c of CONDITIONS) {
        const so = stats(samples[c.key][side].tti); const sa = stats(samples[c.key].adyen.tti);
        const target = c.latency ? 0.8 : 0.6;
        const r = so.med / sa.med;
        rows.push([`time to interactive, ${c.label}${side === 'fast' ? ', fast page' : ''} (ms)`, fmtMs(so), fmtMs(sa), r.toFixed(2), `<= ${target}`, verdict(r <= target)]);
      }
    }
    for (const c of CONDITIONS) {
      const so = stats(samples[c.key].ours.change); const sa = stats(samples[c.key].adyen.change);
      const limit = c.latency ? null : c.cpu === 1 ? 16 : 50;
      rows.push([`screen change, ${c.label} (ms)`, fmtMs(so), fmtMs(sa), (so.med / sa.med).toFixed(2), limit ? `ours < ${limit} ms` : '(info)', limit ? verdict(so.med < limit) : '']);
    }
    p(table(rows));
    p();
    p('Where the time goes (medians, ms from navigation start): page HTML received -> widget files received -> ours: checkout/open answered -> interactive');
    p('("fast": the README\'s fast page, with open\'s answer and the preloads in the page; no open from the browser)');
    for (const c of CONDITIONS) {
      const line = (kind) => {
        const t = samples[c.key][kind].timeline; const m = (k) => median(t.map((x) => x[k])).toFixed(0);
        return `${m('html')} -> ${m('files')}${kind === 'ours' ? ` -> ${m('api')}` : ''} -> ${median(samples[c.key][kind].tti).toFixed(0)}`;
      };
      p(`  ${c.label.padEnd(24)} ours ${line('ours').padEnd(28)} fast ${line('fast').padEnd(20)} Adyen ${line('adyen')}`);
    }
    p();
    p('Loaded after choosing a method (per method, within 1.5 s of the click):');
    for (let i = 0; i < 3; i++) {
      const lo = raw.bytes[`method${i}`].ours; const la = raw.bytes[`method${i}`].adyen;
      p(`  ours ${OURS_METHODS[i].method}: files ${fmtB(lo.assets)} B${lo.assetList.length ? ` (${lo.assetList.join(', ')})` : ''}, API ${lo.apiCount} call(s) ${fmtB(lo.api)} B;`
        + `  Adyen ${ADYEN_METHODS[i]}: files ${fmtB(la.assets)} B${la.assetList.length ? ` (${la.assetList.join(', ')})` : ''}, API ${la.apiCount} call(s) ${fmtB(la.api)} B`);
    }
    const miss = [...new Set(later(bytes.adyen[0]).missing)];
    if (miss.length) p(`  not counted: Adyen also asks its CDN/API for ${miss.join(', ')} (not in the npm package; 404 here, offline)`);
    const oursMiss = [...new Set(later(bytes.ours[0]).missing)];
    if (oursMiss.length) p(`  ours: 404 for ${oursMiss.join(', ')}`);
    const packs = ['ru', 'kk', 'ms', 'sw'].map((c) => `${c} ${fmtB(compressed(readFileSync(path.join(PKG, 'lang', `${c}.json`))).gzip)}`).join(', ');
    p(`  languages: ours has English in the wasm and fetches another language's pack beside open (gzip: ${packs}; these pages are English); Adyen loads non-en-US translations from its CDN (not in the npm package: not measured)`);
    p();
    p(`ratio = ours / Adyen of the medians (min–max in brackets); interactive = navigation start -> picker buttons present and enabled;`);
    p(`screen change = click on the first method (at a frame start) -> end of the first frame showing its form. Took ${((Date.now() - started) / 1000).toFixed(0)} s.`);
    console.log(out.join('\n'));
    if (process.env.BENCH_JSON) writeFileSync(process.env.BENCH_JSON, JSON.stringify(raw, null, 2));
  } finally {
    await browser.close();
    await adyen.stop();
    if (cdn) await cdn.stop();
    await sandbox.stop();
    rmSync(www, { recursive: true, force: true });
  }
}

main().catch((e) => { console.error(`bench failed: ${e.stack || e}`); process.exit(1); });
