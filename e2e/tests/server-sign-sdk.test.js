// epay-widget/server's `sign` against the official npm SDK (`ecommpay`, its `signer`), on
// random parameter sets from a seeded generator: nested objects, lists, booleans, null,
// numbers (integers, fractions, exponents), Unicode (astral too), `;` and `:` inside values.
// They must agree on every set the SDKs agree on among themselves. Where the JS SDK departs
// from the PHP SDK (the reference, core/tests/data/signature.json: keys
// that differ after a digit, `:` in a key, keys named `signature`), the library follows PHP:
// pinned below.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { rng } from '../lib/random.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const lib = await import(pathToFileURL(path.join(root, 'pkg/server/index.mjs')).href);
const { signer: sdkSign } = createRequire(import.meta.url)('ecommpay');

const hmac = (text, secret) => createHmac('sha512', secret).update(text).digest('base64');


const KEY_CHARS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_';
// Separators, JSON and HTML specials, spaces, accents, Cyrillic, CJK, RTL, emoji (astral), ZWJ.
const VALUE_PIECES = [';', ':', ';payment_amount:', '::', ' ', '"', '\\', '<', '&', '=', '%', '\n', '\t', 'é', 'ß', 'Ω', 'Жанар',
  'テスト', 'עברית', '😀', '👩‍💻', '\u200d', '\u00a0', 'a', 'Z', '0', '9', '-', '.', ',', '+', 'KES', 'order-1'];

function generator(seed) {
  const r = rng(seed);
  const int = (n) => Math.floor(r() * n);
  const pick = (xs) => xs[int(xs.length)];
  const key = () => {
    for (;;) {
      const k = Array.from({ length: 1 + int(10) }, () => pick(KEY_CHARS)).join('');
      if (k !== 'signature' && k !== 'frame_mode') return k;
    }
  };
  const number = () => pick([
    () => int(2 ** 31) - 2 ** 30, () => int(1_000_000), () => Number.MAX_SAFE_INTEGER - int(1000), () => -int(100),
    () => int(100_000) / 100, () => r() * 1e6, () => r() * 1e-7, () => r() * 1e22, () => 0, () => -0, () => 2 ** 60,
  ])();
  const string = () => Array.from({ length: int(8) }, () => pick(VALUE_PIECES)).join('');
  const scalar = () => pick([string, string, number, () => r() < 0.5, () => null])();
  const value = (depth) => {
    const kind = depth > 2 ? 0 : int(5);
    if (kind === 3) return Array.from({ length: int(15) }, () => value(depth + 1)); // 0..14 items: 10 and up too
    if (kind === 4) return object(depth + 1, int(5));
    return scalar();
  };
  const object = (depth, n) => {
    const o = {};
    for (let i = 0; i < n; i += 1) o[key()] = value(depth);
    return o;
  };
  return () => object(0, 1 + int(8));
}

describe('epay-widget/server sign and the official npm SDK (ecommpay)', () => {
  it('agree on 2,000 random parameter sets', () => {
    const seed = Number(process.env.SIGN_SEED ?? 20261206);
    const next = generator(seed);
    for (let i = 0; i < 2000; i += 1) {
      const params = next();
      const secret = i % 7 === 0 ? 'sécret-ключ-🔑' : `sandbox-secret-${i}`;
      assert.equal(lib.sign(params, secret), sdkSign(params, secret), `seed ${seed}, case ${i}: ${JSON.stringify(params)}`);
    }
  });

  it('agree on the shapes a merchant signs: Payment Page parameters, a Gate body, a callback', () => {
    const page = { project_id: 250, payment_id: 'order-1001', payment_amount: 10000, payment_currency: 'KES', customer_id: 'customer-42',
      customer_last_name: "O'Neil; Jr: the 2nd", language_code: 'en', return_url: 'https://shop.example/checkout?order=order-1001' };
    const gate = { general: { project_id: 250, payment_id: 'order-1002' }, customer: { id: 'c', ip_address: '1.2.3.4', email: 'a@b.c' },
      payment: { amount: 10000, currency: 'KES', description: 'Тест ; : 😀' }, return_url: { success: 'https://s.example/', decline: 'https://s.example/' } };
    const cb = { project_id: 1234, payment: { id: 'payment_47', status: 'success', sum: { amount: 100000, currency: 'KZT' } }, account: { number: '7123456789' },
      operation: { id: 28, provider: { id: 12345, payment_id: '123abc123-321', auth_code: '' }, flags: [true, false, null] } };
    for (const p of [page, gate, cb]) assert.equal(lib.sign(p, 'sandbox-secret-250'), sdkSign(p, 'sandbox-secret-250'));
  });

  it('reproduces the 26 SDK vectors (core/tests/data/signature.json)', () => {
    const vectors = JSON.parse(readFileSync(path.join(root, 'core/tests/data/signature.json'), 'utf8'));
    assert.equal(vectors.length, 26);
    for (const v of vectors) assert.equal(lib.sign(v.params, v.secret), v.signature, v.name);
  });

  it('where the JS SDK departs from the PHP SDK, the library follows PHP (the reference)', () => {
    // Keys that differ after a digit: PHP's natural order puts a2 before a10, the JS SDK's
    // sort() puts "a10" first. The library signs PHP's string.
    const digits = { a10: 'x', a2: 'y' };
    assert.notEqual(lib.sign(digits, 'k'), sdkSign(digits, 'k'));
    assert.equal(lib.sign(digits, 'k'), hmac('a2:y;a10:x', 'k'));
    // A `:` in a key is doubled by PHP (e::f), not by the JS SDK.
    const colon = { 'e:f': 1 };
    assert.notEqual(lib.sign(colon, 'k'), sdkSign(colon, 'k'));
    assert.equal(lib.sign(colon, 'k'), hmac('e::f:1', 'k'));
    // `signature` is never signed, at any depth (the SDK's Callback strips it before checking).
    assert.equal(lib.sign({ a: 1, signature: 'x', b: { signature: 'y' } }, 'k'), sdkSign({ a: 1 }, 'k'));
  });

  it('refuses what JSON cannot carry, naming the parameter (the SDK would sign "undefined")', () => {
    for (const [params, param] of [[{ a: undefined }, 'a'], [{ a: { b: NaN } }, 'a:b'], [{ l: [1, () => 1] }, 'l:1'], [{ d: new Date(0) }, 'd'], [{ s: '\ud800' }, 's']]) {
      assert.throws(() => lib.sign(params, 'k'), (e) => e.code === 'invalid_params' && e.param === param && e.message.startsWith(`${param}: `), param);
    }
    assert.throws(() => lib.sign({ a: 1 }, ''), /secret: must be the project secret/);
  });
});
