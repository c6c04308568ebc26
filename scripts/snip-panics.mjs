// Replaces the body of Rust's panic entry points with `unreachable` in a wasm that still has
// its name section (what the `wasm-snip` tool does): with `panic = "abort"` a panic ends in
// a trap anyway, and the release widget has no panic hook, so nothing observable changes,
// but wasm-opt then drops the formatting machinery (core::fmt, the panic payloads) that only
// the panic handler used (issue 26, decision 3). Stable Rust cannot build std without it
// (`panic_immediate_abort` needs a nightly build-std).
// Usage: node scripts/snip-panics.mjs <wasm>   (in place; run wasm-opt afterwards)
import { readFileSync, writeFileSync } from 'node:fs';
import { functions, leb, sections } from './wasm-read.mjs';

// The entry points, and the panic payloads' methods: private types of std's panic handler,
// reached only from it, but kept by wasm-opt because their vtables are in the function table.
const SNIP = new RegExp('^(core::panicking::panic_fmt|core::panicking::panic_nounwind_fmt|std::panicking::begin_panic_handler'
  + '|std::panicking::rust_panic_with_hook|std::panicking::panic_with_hook'
  + '|<std::panicking::panic_handler::(FormatStringPayload|StaticStrPayload) as core::(panic::PanicPayload|fmt::Display)>::[a-z_]+'
  + '|<std::panicking::begin_panic::Payload<[^>]*> as core::panic::PanicPayload>::[a-z_]+)$');
const file = process.argv[2];
const b = readFileSync(file);
const fns = functions(b);
if (!fns.named) { console.error(`snip-panics: ${file} has no name section`); process.exit(1); }
const plain = (name) => name.replace(/\[[0-9a-f]{16}\]/g, '').replace(/::h[0-9a-f]{16}$/, '');
const snip = new Set();
for (let k = 0; k < fns.sizes.length; k++) if (SNIP.test(plain(fns.name(fns.imported + k)))) snip.add(k);
if (!snip.size) { console.error('snip-panics: no panic entry point found (renamed in this Rust?)'); process.exit(1); }

function uleb(v) {
  const out = [];
  do { let c = v & 0x7f; v = Math.floor(v / 128); if (v) c |= 0x80; out.push(c); } while (v);
  return Buffer.from(out);
}
const UNREACHABLE = Buffer.from([0x00, 0x00, 0x0b]); // no locals, `unreachable`, `end`
const out = [b.subarray(0, 8)];
for (const { id, start, body, end } of sections(b)) {
  if (id !== 10) { out.push(b.subarray(start, end)); continue; }
  let [n, i] = leb(b, body);
  const parts = [uleb(n)];
  for (let k = 0; k < n; k++) {
    const [sz, at] = leb(b, i);
    parts.push(snip.has(k) ? Buffer.concat([uleb(UNREACHABLE.length), UNREACHABLE]) : b.subarray(i, at + sz));
    i = at + sz;
  }
  const content = Buffer.concat(parts);
  out.push(Buffer.from([10]), uleb(content.length), content);
}
writeFileSync(file, Buffer.concat(out));
if (!WebAssembly.validate(readFileSync(file))) { console.error(`snip-panics: ${file} is invalid after snipping`); process.exit(1); }
console.log(`snip-panics: ${[...snip].map((k) => plain(fns.name(fns.imported + k))).join(', ')}`);
