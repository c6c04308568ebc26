// The README shop's server.mjs (copied out of README.md as it is, run with no `epay` on its
// PATH) against hostile callbacks (issue 22): the order's own signed parameters, one trailing
// byte, empty payment/operation objects, a wrong signature, a body over the limit, a callback
// for the order's id with another amount or currency. Each is refused with a 4xx, the server
// keeps answering, and no order is marked paid (read back through GET /orders/<id>/state).
// Then the genuine callback marks it paid, once.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { readmeFiles } from '../lib/harness.js';
import { shopDir, startShop } from '../lib/shop.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const { withSignature } = await import(pathToFileURL(path.join(root, 'pkg/server/index.mjs')).href);
const SECRET = 'sandbox-secret-250';

/** A callback for `order` as the platform sends it (seed format), signed with `secret`. */
function callback(order, { amount = order.payment_amount, currency = order.payment_currency, status = 'success', opId = 389 } = {}, secret = SECRET) {
  const sum = { amount, currency };
  return withSignature({
    project_id: order.project_id,
    payment: { id: order.payment_id, type: 'purchase', status, date: '2026-01-01T00:00:00+0000', method: 'card-partner', sum, description: '' },
    operation: {
      id: opId, type: 'sale', status, date: '2026-01-01T00:00:00+0000', created_date: '2026-01-01T00:00:00+0000', request_id: 'r-1',
      sum_initial: sum, sum_converted: sum, code: '0', message: 'Success', provider: { id: 1, payment_id: 'p-1', auth_code: '' },
    },
  }, secret);
}

describe('the README server.mjs under hostile callbacks', () => {
  let shop;
  it('is plain Node and epay-widget/server: no child process, no epay binary, no default secret', () => {
    const server = readmeFiles()['server.mjs'];
    assert.match(server, /from 'epay-widget\/server'/);
    assert.doesNotMatch(server, /child_process|execFile|spawn\(|'epay'/);
    assert.doesNotMatch(server, /EPAY_SECRET \?\?|sandbox-secret-250'/, 'no secret in the code');
  });

  before(async () => {
    shop = await startShop(shopDir(readmeFiles()), { EPAY_SECRET: SECRET, PLATFORM: 'http://127.0.0.1:9' });
  });
  after(async () => { await shop?.stop(); });

  const post = async (body, headers = {}) => {
    const r = await fetch(`${shop.url}/callbacks`, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });
    return { status: r.status, text: await r.text() };
  };
  const state = async (id) => (await (await fetch(`${shop.url}/orders/${encodeURIComponent(id)}/state`)).json()).state;
  const newOrder = async () => (await fetch(`${shop.url}/orders`, { method: 'POST' })).json();

  it('refuses each with a 4xx naming why, keeps answering, and marks no order paid', async () => {
    const order = await newOrder();
    const other = await newOrder();
    assert.match(order.payment_id, /^order-/);
    const genuine = JSON.stringify(callback(order));
    const { signature: _, ...unsigned } = order;
    const hostile = [
      ['the order\'s own signed parameters', JSON.stringify(order), 400, 'not_a_callback'],
      ['a genuine callback plus one trailing byte', `${genuine}}`, 400, 'not_json'],
      ['a genuine callback plus a second value', `${genuine}{}`, 400, 'not_json'],
      ['empty payment and operation objects, signed', JSON.stringify(withSignature({ project_id: 250, payment: {}, operation: {} }, SECRET)), 400, 'not_a_callback'],
      ['no operation, signed', JSON.stringify(withSignature({ project_id: 250, payment: { id: order.payment_id, status: 'success' } }, SECRET)), 400, 'not_a_callback'],
      ['signed with another secret', JSON.stringify(callback(order, {}, 'sandbox-secret-1234')), 400, 'bad_signature'],
      ['unsigned', JSON.stringify({ ...callback(order), signature: undefined }), 400, 'bad_signature'],
      ['the unsigned parameters', JSON.stringify(unsigned), 400, 'bad_signature'],
      ['not JSON', 'payment.status=success', 400, 'not_json'],
      ['empty', '', 400, 'not_json'],
      ['a body over the limit', JSON.stringify({ ...callback(order), pad: 'x'.repeat(70 * 1024) }), 413, 'too_large'],
      ['a callback for this order with the other order\'s amount', JSON.stringify(callback(order, { amount: order.payment_amount + 1 })), 409, null],
      ['a callback for this order in another currency', JSON.stringify(callback(order, { currency: 'USD' })), 409, null],
    ];
    for (const [what, body, status, code] of hostile) {
      const r = await post(body);
      assert.equal(r.status, status, `${what}: ${r.text}`);
      if (code) assert.equal(r.text, code, what);
      // Still answering, nothing paid.
      assert.equal(await state(order.payment_id), 'created', `after ${what}`);
      assert.equal(await state(other.payment_id), 'created', `after ${what}`);
    }
    // A body that says it is larger than the limit is refused before it is read.
    const big = await fetch(`${shop.url}/callbacks`, { method: 'POST', body: 'x'.repeat(65 * 1024 + 1) });
    assert.equal(big.status, 413);
    // Parse errors of the routes: 4xx, never a crash.
    assert.equal((await fetch(`${shop.url}/orders/%E0%A4%A/state`)).status, 400);
    assert.equal((await fetch(`${shop.url}/orders/no-such-order/state`)).status, 404);
    assert.equal(await state(order.payment_id), 'created');
    assert.doesNotMatch(shop.output(), /Unhandled|TypeError|SyntaxError/, shop.output());

    // The genuine callback: paid, acted on once; the other order stays as it was.
    assert.deepEqual(await post(genuine), { status: 200, text: 'ok' });
    assert.equal(await state(order.payment_id), 'paid');
    assert.deepEqual(await post(genuine), { status: 200, text: 'already handled' });
    assert.equal(await state(other.payment_id), 'created');
    assert.equal(shop.output().match(/callback: payment order-\S+ success/g)?.length, 1, 'acted on once');
    // A later decline for the paid order does not unpay it.
    assert.equal((await post(JSON.stringify(callback(order, { status: 'decline', opId: 390 })))).status, 200);
    assert.equal(await state(order.payment_id), 'paid');
    // GET /orders/<id> still gives the signed parameters to resume the checkout.
    assert.deepEqual(await (await fetch(`${shop.url}/orders/${order.payment_id}`)).json(), order);
  });
});
