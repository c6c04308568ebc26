// The drawings module as shipped (pkg/epay_codes.wasm, no std since issue 26), under Node
// through the loader's own `drawingsApi`: its exports, QR codes that a decoder (jsQR) reads
// back, barcodes, what it refuses, and memory that stays the same over many calls (the loader
// calls epay_alloc then epay_qr / epay_code128 for every code it shows).
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import jsQR from 'jsqr';
import { drawingsApi } from '../../js/loader.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const file = path.join(root, 'pkg/epay_codes.wasm');

/** The text a drawn QR code `[viewBox, d]` carries, read by jsQR from a 4-px-a-module picture. */
function readQr([viewBox, d]) {
  const side = Number(viewBox.split(' ')[2]);
  const px = 4;
  const w = side * px;
  const rgba = new Uint8ClampedArray(w * w * 4).fill(255);
  for (const [, x, y, n] of d.matchAll(/M(\d+) (\d+)h(\d+)v1h-\3z/g)) {
    for (let yy = Number(y) * px; yy < (Number(y) + 1) * px; yy++) {
      for (let xx = Number(x) * px; xx < (Number(x) + Number(n)) * px; xx++) rgba.fill(0, (yy * w + xx) * 4, (yy * w + xx) * 4 + 3);
    }
  }
  const got = jsQR(rgba, w, w);
  assert.ok(got, 'jsQR finds the code');
  return got.data;
}

describe('the drawings module (pkg/epay_codes.wasm)', () => {
  let exports;
  let api;
  before(async () => {
    assert.ok(existsSync(file), 'build it first: bash scripts/build-widget.sh');
    ({ instance: { exports } } = await WebAssembly.instantiate(readFileSync(file), {}));
    api = drawingsApi(exports);
  });

  it('imports nothing and has the exports the loader calls, and its memory', () => {
    const mod = new WebAssembly.Module(readFileSync(file));
    assert.deepEqual(WebAssembly.Module.imports(mod), []);
    for (const name of ['epay_alloc', 'epay_qr', 'epay_code128', 'epay_out_ptr', 'epay_out_len']) assert.equal(typeof exports[name], 'function', name);
    assert.ok(exports.memory instanceof WebAssembly.Memory);
  });

  it('draws QR codes that a decoder reads back: a reference number, UTF-8 text, 1,000 bytes', () => {
    for (const text of ['045-050-000', 'Bayaran tunai: RM 5,000.00 · Қазақша · 支付 ✓', 'x'.repeat(400) + '0123456789'.repeat(60)]) {
      const drawn = api.qr(text);
      assert.match(drawn[0], /^0 0 (\d+) \1$/);
      assert.equal(readQr(drawn), text);
    }
    assert.deepEqual(api.qr('045-050-000')[0], '0 0 29 29', 'version 1 with a quiet zone of 4');
  });

  it('draws barcodes of printable ASCII and refuses what it cannot draw', () => {
    const [viewBox, d] = api.code128('045-050-000');
    assert.match(viewBox, /^0 0 \d+ 60$/);
    assert.match(d, /^(M\d+ 0h[1-4]v60h-[1-4]z)+$/);
    assert.equal(api.code128('ünïcode'), null);
    assert.equal(api.code128(''), null);
    assert.equal(api.qr(''), null);
    assert.equal(api.qr('a'.repeat(2332)), null, 'more than version 40 at level M holds');
    assert.ok(api.qr('a'.repeat(2331)), 'version 40 at level M');
  });

  it('keeps its memory over many calls', () => {
    const big = 'a'.repeat(2331);
    api.qr(big);
    api.code128('7'.repeat(80));
    const after = exports.memory.buffer.byteLength;
    for (let i = 0; i < 300; i++) {
      assert.ok(api.qr(i % 10 ? `045-050-${String(i).padStart(3, '0')}` : big));
      assert.ok(api.code128(`${i}`.repeat(1 + (i % 20))));
      assert.equal(api.code128('ü'), null);
    }
    assert.equal(exports.memory.buffer.byteLength, after, 'the memory has not grown');
  });
});
