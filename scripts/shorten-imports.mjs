// Renames wasm-bindgen's imports to short names in the wasm and its JS glue, together.
//
// wasm-bindgen names each import `__wbg_<name>_<16 hex digits>` and stores every name twice:
// in the wasm's import section and as a key of the glue's import object. The hashes do not
// compress (about 5 KB of gzip over both files); the names mean nothing at run time.
// Usage: node scripts/shorten-imports.mjs pkg/epay_widget_bg.wasm pkg/epay_widget.js
// Fails (exit 1) unless every renamed import is found exactly once in the glue.
import { readFileSync, writeFileSync } from 'node:fs';
import { imports, sections } from './wasm-read.mjs';

const [wasmPath, gluePath] = process.argv.slice(2);
const b = readFileSync(wasmPath);
const glue = readFileSync(gluePath, 'utf8');

function uleb(v) {
  const out = [];
  do { let c = v & 0x7f; v = Math.floor(v / 128); if (v) c |= 0x80; out.push(c); } while (v);
  return Buffer.from(out);
}
const name = (s) => Buffer.concat([uleb(Buffer.byteLength(s)), Buffer.from(s)]);

// Short names: a, b, ..., Z, aa, ab, ... (valid JS identifiers, no clash with __wbg_*).
const letters = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
function short(n) {
  let s = '';
  do { s = letters[n % letters.length] + s; n = Math.floor(n / letters.length) - 1; } while (n >= 0);
  return s;
}

const map = new Map();
const out = [b.subarray(0, 8)];
for (const { id, start, body, end } of sections(b)) {
  if (id !== 2) { out.push(b.subarray(start, end)); continue; }
  // The import section: module, field, then the kind and its description (copied as is).
  const { list, end: last } = imports(b, body);
  if (last !== end) throw new Error('import section: unexpected length');
  const entries = [uleb(list.length)];
  for (const { module, field, kind, desc } of list) {
    let renamed = field;
    if (kind === 0 && field.startsWith('__wbg_')) {
      renamed = short(map.size);
      map.set(field, renamed);
    }
    entries.push(name(module), name(renamed), b.subarray(desc[0], desc[1]));
  }
  const content = Buffer.concat(entries);
  out.push(Buffer.from([2]), uleb(content.length), content);
}

let replaced = 0;
const seen = new Set();
const newGlue = glue.replace(/\b(__wbg_\w+)(?=\s*:\s*function\b)/g, (m) => {
  const s = map.get(m);
  if (!s) return m;
  if (seen.has(m)) throw new Error(`${m} is defined twice in the glue`);
  seen.add(m);
  replaced++;
  return s;
});
if (replaced !== map.size) {
  const missing = [...map.keys()].filter((k) => !seen.has(k));
  console.error(`shorten-imports: ${missing.length} imports not found in ${gluePath}: ${missing.slice(0, 5).join(', ')}`);
  process.exit(1);
}
const wasm = Buffer.concat(out);
if (!WebAssembly.validate(wasm)) { console.error('shorten-imports: the rewritten wasm is invalid'); process.exit(1); }
writeFileSync(wasmPath, wasm);
writeFileSync(gluePath, newGlue);
console.log(`shorten-imports: ${map.size} imports renamed (wasm ${b.length} -> ${wasm.length} bytes)`);
