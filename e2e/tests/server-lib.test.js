// epay-widget/server as a merchant's Node server gets it (pkg/server, built from node/ by
// scripts/build-server-lib.sh): the package entry (a `node` condition; a browser bundle gets
// an error instead of the secret-handling code), and the PayDala answers it builds, asked by
// the sandbox's terminal, which reads them with the core's parsers (seed 000's codes).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startSandbox, eventually } from '../lib/harness.js';
import { shopDir } from '../lib/shop.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const lib = await import(pathToFileURL(path.join(root, 'pkg/server/index.mjs')).href);
const SECRET = 'sandbox-secret-1234';
const seed = (name) => JSON.parse(readFileSync(path.join(root, 'core/tests/data', name), 'utf8'));

describe('the package entry epay-widget/server', () => {
  it('is exported for Node only, typed without any, and listed in files', () => {
    const pkg = JSON.parse(readFileSync(path.join(root, 'pkg/package.json'), 'utf8'));
    assert.deepEqual(pkg.exports['./server'], { types: './server/index.d.ts', node: './server/index.mjs', default: './server/browser.js' });
    assert.ok(pkg.files.includes('server/'));
    for (const f of ['index.mjs', 'index.d.ts', 'browser.js', 'epay_node.cjs', 'epay_node_bg.wasm']) assert.ok(existsSync(path.join(root, 'pkg/server', f)), f);
    const dts = readFileSync(path.join(root, 'pkg/server/index.d.ts'), 'utf8').replace(/\/\/.*$|\/\*[\s\S]*?\*\//gm, '');
    assert.doesNotMatch(dts, /\bany\b/, 'no `any` in the types');
    for (const name of Object.keys(lib)) assert.match(dts, new RegExp(`export (function|const|class) ${name}\\b`), `${name} is typed`);
  });

  it('resolves by name under Node, and to a clear "server only" error in a browser bundle', () => {
    const dir = shopDir({ 'app.mjs': "import { sign } from 'epay-widget/server';\nconsole.log(sign({ project_id: 250 }, 'k'));\n" });
    const out = execFileSync(process.execPath, ['app.mjs'], { cwd: dir }).toString().trim();
    assert.equal(out, lib.sign({ project_id: 250 }, 'k'));
    const esbuild = path.join(root, 'tools/node_modules/.bin/esbuild');
    const bundle = (platform) => execFileSync(esbuild, ['app.mjs', '--bundle', '--format=esm', `--platform=${platform}`, '--log-level=error'], { cwd: dir }).toString();
    const browser = bundle('browser');
    assert.match(browser, /epay-widget\/server is server only/);
    assert.doesNotMatch(browser, /epay_node|signJson|createHmac/, 'nothing of the library in a browser bundle');
    assert.match(bundle('node'), /signJson/, 'a Node bundle gets the library');
    assert.throws(() => execFileSync(process.execPath, [path.join(root, 'pkg/server/browser.js')], { stdio: 'pipe' }), /server only/);
  });
});

describe('signChecked', () => {
  it('signs what the SDKs sign and warns exactly where the platform refuses how a set signs', () => {
    const base = { project_id: 250, payment_id: 'o-1', payment_amount: 500000, payment_currency: 'MYR', customer_id: 'c1' };
    const clean = lib.signChecked({ ...base, payment_description: 'gift;color:red' }, 'k');
    assert.deepEqual(clean.warnings, []);
    assert.equal(clean.signature, lib.sign({ ...base, payment_description: 'gift;color:red' }, 'k'));
    // The shop's set (a later parameter inside the last name) and the customer's other
    // reading of it (zzz swallowing the real amount): one signature, both warned.
    const shop = { ...base, customer_last_name: 'Tan;payment_amount:1000;payment_currency:MYR;payment_id:o-1;project_id:250;zzz:' };
    const other = { ...base, payment_amount: 1000, customer_last_name: 'Tan', zzz: ';payment_amount:500000;payment_currency:MYR;payment_id:o-1;project_id:250' };
    const a = lib.signChecked(shop, 'k');
    const b = lib.signChecked(other, 'k');
    assert.equal(a.signature, b.signature, 'the same signing string');
    assert.deepEqual(a.warnings.map((w) => [w.param, w.code]), [['customer_last_name', 'separator']]);
    assert.deepEqual(b.warnings.map((w) => [w.param, w.code]), [['zzz', 'separator']]);
    assert.match(b.warnings[0].message, /;payment_amount:/);
  });
});

describe('PayDala answers built by epay-widget/server', () => {
  it('are the seed\'s examples, byte for byte', () => {
    assert.deepEqual(JSON.parse(lib.paydalaAnswer.verifyOk('KZT', 'customer_123')), seed('seed_paydala_verify_response_ok.json'));
    assert.deepEqual(JSON.parse(lib.paydalaAnswer.notFound()), seed('seed_paydala_verify_response_not_found.json'));
    assert.deepEqual(JSON.parse(lib.paydalaAnswer.checkDepositOk('payment_47', 'Success')), seed('seed_paydala_check_deposit_response_ok.json'));
    assert.deepEqual(JSON.parse(lib.paydalaAnswer.error('Something went wrong')), seed('seed_paydala_check_deposit_response_error.json'));
    assert.equal(JSON.parse(lib.paydalaAnswer.badSignature()).code, 400);
    assert.throws(() => lib.paydalaAnswer.verifyOk('tenge'), /currency/);
    assert.throws(() => lib.paydalaAnswer.checkDepositOk(''), /payment_id: is required/);
  });

  it('read the seed\'s requests: signed ones typed, the printed placeholder signature refused with 400', () => {
    const verify = { ...seed('seed_paydala_verify_request.json') };
    const deposit = { ...seed('seed_paydala_check_deposit_request.json') };
    assert.throws(() => lib.readPaydalaRequest(JSON.stringify(verify), SECRET), (e) => e instanceof lib.PaydalaError && e.code === 400 && JSON.parse(e.answer).code === 400);
    delete verify.signature;
    delete deposit.signature;
    assert.deepEqual(lib.readPaydalaRequest(JSON.stringify(lib.withSignature(verify, SECRET)), SECRET), { type: 'verify', projectId: 1234, customerId: '7123456789' });
    assert.deepEqual(lib.readPaydalaRequest(Buffer.from(JSON.stringify(lib.withSignature(deposit, SECRET))), SECRET),
      { type: 'check_deposit', projectId: 1234, customerId: '7123456789', amount: 100000, currency: 'KZT' });
    const broken = lib.withSignature({ type: 'check_deposit', project_id: 1234, customer_id: '7123456789', amount: 100000, currency: 'KZT' }, SECRET);
    assert.throws(() => lib.readPaydalaRequest(JSON.stringify(broken), SECRET), (e) => e.code === 404 && /payment_method/.test(e.message));
    assert.throws(() => lib.readPaydalaRequest('{', SECRET), (e) => e.code === 404 && /body/.test(e.message));
  });

  describe('asked by the sandbox terminal (the core parses every answer)', () => {
    let sandbox, service;
    const asked = [];
    const callbacks = [];
    const deposits = [];
    const merchant = {
      async lookupAccount(account) {
        if (account === '7000000500') throw new Error('accounts database unavailable');
        return account === '7123456789' ? { currency: 'KZT', additionalCustomerId: 'customer_123' } : null;
      },
      async createDeposit(req) {
        if (req.customerId === '7123456789' && req.amount === 55500) throw new Error('ledger is read-only');
        deposits.push(req);
        return { paymentId: `deposit-${deposits.length}` };
      },
    };
    before(async () => {
      const server = createServer((req, res) => {
        const chunks = [];
        req.on('data', (d) => chunks.push(d));
        req.on('end', async () => {
          const body = Buffer.concat(chunks);
          if (req.url === '/callback') {
            callbacks.push(body.toString());
            return res.writeHead(200).end('ok');
          }
          const reply = await lib.handlePaydala(body, SECRET, merchant);
          asked.push({ request: JSON.parse(body), code: reply.code });
          res.writeHead(reply.status, { 'content-type': reply.contentType }).end(reply.body);
        });
      });
      await new Promise((r) => server.listen(0, '127.0.0.1', r));
      const base = `http://127.0.0.1:${server.address().port}`;
      service = { base, stop: () => new Promise((r) => server.close(r)) };
      sandbox = await startSandbox(['--paydala-url', `${base}/paydala`, '--paydala-callback-url', `${base}/callback`, '--paydala-timeout-ms', '3000']);
    });
    after(async () => {
      await sandbox?.stop();
      await service?.stop();
    });

    const form = async (p, fields) => {
      const r = await fetch(`${sandbox.url}${p}`, { method: 'POST', body: new URLSearchParams(fields) });
      return r.text();
    };
    const outcome = (html, id) => new RegExp(`<[^>]*id="${id}"[^>]*data-outcome="([^"]+)"|<[^>]*data-outcome="([^"]+)"[^>]*id="${id}"`).exec(html)?.slice(1).find(Boolean);
    const txn = (html) => /name="txn" value="([^"]+)"/.exec(html)?.[1];

    it('verify: 0 with the currency, 404 for an unknown account, 500 when the lookup fails', async () => {
      let html = await form('/sim/paydala/check', { service: '1234', account: '7000000001' });
      assert.equal(outcome(html, 'verify-result'), 'not_found', html);
      html = await form('/sim/paydala/check', { service: '1234', account: '7000000500' });
      assert.equal(outcome(html, 'verify-result'), 'merchant_error', html);
      html = await form('/sim/paydala/check', { service: '1234', account: '7123456789' });
      assert.equal(outcome(html, 'verify-result'), 'ok', html);
      assert.match(html, /customer_123/);
      assert.deepEqual(asked.map((a) => [a.request.type, a.code]), [['verify', 404], ['verify', 500], ['verify', 0]]);
    });

    it('check_deposit: booked under the merchant\'s id, which the signed callback carries as payment.id; a failed booking is 500', async () => {
      let html = await form('/sim/paydala/check', { service: '1234', account: '7123456789' });
      html = await form('/sim/paydala/deposit', { txn: txn(html), amount: '1000.00' });
      assert.equal(outcome(html, 'deposit-result'), 'ok', html);
      assert.match(html, /deposit-1/);
      assert.deepEqual(deposits, [{ type: 'check_deposit', projectId: 1234, customerId: '7123456789', amount: 100000, currency: 'KZT' }]);
      const raw = await eventually(() => callbacks[0], 15000, 'the top-up callback');
      const cb = lib.verifyCallback(raw, SECRET);
      assert.equal(cb.payment.id, 'deposit-1');
      assert.equal(cb.payment.method, 'paydala');
      assert.deepEqual(cb.payment.sum, { amount: 100000, currency: 'KZT' });
      assert.equal(cb.account.number, '7123456789');
      assert.match(cb.key, /^1234\/deposit-1\/\d+\/success\/success$/);

      html = await form('/sim/paydala/check', { service: '1234', account: '7123456789' });
      html = await form('/sim/paydala/deposit', { txn: txn(html), amount: '555.00' });
      assert.equal(outcome(html, 'deposit-result'), 'merchant_error', html);
      assert.deepEqual(asked.slice(-2).map((a) => [a.request.type, a.code]), [['verify', 0], ['check_deposit', 500]]);
    });
  });
});

describe('Gate requests built by epay-widget/server', () => {
  let sandbox;
  before(async () => { sandbox = await startSandbox(); });
  after(async () => { await sandbox?.stop(); });
  const post = async ({ path: p, body }) => {
    const r = await fetch(`${sandbox.url}${p}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: r.status, answer: await r.json() };
  };

  it('are accepted by the platform: a card-partner sale, its refund, an EPay cash sale; a changed body is refused', async () => {
    const secret = 'sandbox-secret-250';
    const paymentId = `order-lib-${Date.now()}`;
    const customer = { id: 'customer-42', ipAddress: '1.2.3.4', phone: '254712345678', email: 'customer@example.com' };
    const sale = lib.gateSale({ projectId: 250, paymentId, customer, payment: { amount: 10000, currency: 'KES' }, returnUrl: { success: 'https://shop.example/ok' } }, secret);
    assert.equal(sale.path, '/v2/payment/card-partner/sale');
    let r = await post(sale);
    assert.deepEqual([r.status, r.answer.status, r.answer.payment_id], [200, 'success', paymentId], JSON.stringify(r.answer));
    r = await post(lib.gateRefund({ projectId: 250, paymentId }, secret));
    assert.deepEqual([r.status, r.answer.status], [200, 'success'], JSON.stringify(r.answer));
    const epay = lib.gateSale({
      method: 'epay', projectId: 250, paymentId: `${paymentId}-epay`,
      customer: { ...customer, firstName: 'Siti', lastName: 'Tan', phone: '60123456789' }, payment: { amount: 5000, currency: 'MYR', description: 'Order' },
    }, secret);
    assert.equal(epay.path, '/v2/payment/cash/epay/sale');
    r = await post(epay);
    assert.equal(r.status, 200, JSON.stringify(r.answer));
    const forged = lib.gateSale({ projectId: 250, paymentId: `${paymentId}-2`, customer, payment: { amount: 10000, currency: 'KES' } }, secret);
    forged.body.payment.amount = 1;
    r = await post(forged);
    assert.equal(r.status, 403, JSON.stringify(r.answer));
    // What the platform would refuse is refused here first, naming each parameter.
    assert.throws(() => lib.gateSale({ projectId: 250, paymentId: 'x', customer: { id: 'c', ipAddress: '1.2.3.4' }, payment: { amount: 10000, currency: 'MYR' } }, secret),
      (e) => e instanceof lib.GateRequestError && e.errors.some((x) => x.param === 'payment.currency'));
  });
});
