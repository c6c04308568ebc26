// Takes the panic and formatting machinery out of a release wasm that still has its name
// section (issue 26, decision 3), in place; run wasm-opt afterwards, which drops what is left
// unreachable. Stable Rust cannot build std without it (`panic_immediate_abort` needs a
// nightly build-std). Three steps:
//
// 1. Rust's panic entry points get the body `unreachable` (what the `wasm-snip` tool does):
//    with `panic = "abort"` a panic ends in a trap anyway, and the release widget has no panic
//    hook, so nothing observable changes.
// 2. So does the formatting machinery (`core::fmt::write`, `Formatter`, every `Display`,
//    `Debug` and `fmt::Write` impl). The widget formats nothing (no `format!`, `to_string` on
//    a number, `write!`): only a panic message did, and wasm-opt cannot see that, because the
//    impls sit in the function table (vtables in the data section). This is checked, not
//    assumed: the build fails if any other function calls one of them directly, which is what
//    a `format!`, `to_string()` or `write!` in the widget's code compiles to (the only way into
//    the machinery besides the vtables the panic messages use).
// 3. The panic locations' file names (`src/view/mod.rs`, `/rustc/<hash>/library/...`) in the
//    data section become zero bytes, which wasm-opt's memory packing leaves out of the file
//    (`--zero-filled-memory`). They are read only by a panic message, which step 1 removed.
//    Each is found exactly, through its `core::panic::Location` (file pointer and length,
//    line, column): nothing else in the data is touched.
//
// Usage: node scripts/snip-panics.mjs <wasm>
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { functions, leb, sections, segments as allSegments } from './wasm-read.mjs';

const PANIC = new RegExp('^(core::panicking::panic_fmt|core::panicking::panic_nounwind_fmt|std::panicking::begin_panic_handler'
  + '|std::panicking::rust_panic_with_hook|std::panicking::panic_with_hook'
  + '|<std::panicking::panic_handler::(FormatStringPayload|StaticStrPayload) as core::(panic::PanicPayload|fmt::Display)>::[a-z_]+'
  + '|<std::panicking::begin_panic::Payload<[^>]*> as core::panic::PanicPayload>::[a-z_]+)$');
// The formatting machinery (not diverging: what calls it directly expects it to return).
const FORMATTING = /^(core::fmt::|alloc::fmt::|<core::fmt::)| as core::fmt::(Display|Debug|Write|LowerHex|UpperHex|Octal|Binary|Pointer)>::/;

const file = process.argv[2];
const b = readFileSync(file);
const fns = functions(b);
if (!fns.named) { console.error(`snip-panics: ${file} has no name section`); process.exit(1); }
const plain = (name) => name.replace(/\[[0-9a-f]{16}\]/g, '').replace(/::h[0-9a-f]{16}$/, '');
const snip = new Set();
const formatting = new Set();
for (let k = 0; k < fns.sizes.length; k++) {
  const name = plain(fns.name(fns.imported + k));
  if (PANIC.test(name)) snip.add(k);
  else if (FORMATTING.test(name)) formatting.add(k);
}
if (!snip.size) { console.error('snip-panics: no panic entry point found (renamed in this Rust?)'); process.exit(1); }

// Who calls the formatting machinery directly (binaryen's wasm-dis, tools/): only itself.
const here = path.dirname(fileURLToPath(import.meta.url));
const wat = execFileSync(path.join(here, '..', 'tools', 'node_modules', '.bin', 'wasm-dis'), [file], { maxBuffer: 1 << 30 }).toString();
const byName = new Map();
for (const k of formatting) byName.set(plain(fns.name(fns.imported + k)), k);
const unquote = (s) => plain(s.startsWith('"') ? JSON.parse(s) : s);
const callers = [];
let current = null;
for (const line of wat.split('\n')) {
  const f = /^ \(func \$("(?:[^"\\]|\\.)*"|\S+)/.exec(line);
  if (f) { current = unquote(f[1]); continue; }
  for (const c of line.matchAll(/\(call \$("(?:[^"\\]|\\.)*"|\S+)/g)) {
    const callee = unquote(c[1]);
    if (byName.has(callee) && !FORMATTING.test(current) && !PANIC.test(current)) callers.push(`${current} -> ${callee}`);
  }
}
if (callers.length) {
  console.error('snip-panics: the widget formats at run time (issue 26, decision 3: no format!, to_string() on a number, write!); write the text without core::fmt (core/src/text.rs):');
  for (const c of [...new Set(callers)].slice(0, 20)) console.error(`  ${c}`);
  process.exit(1);
}
for (const k of formatting) snip.add(k);

function uleb(v) {
  const out = [];
  do { let c = v & 0x7f; v = Math.floor(v / 128); if (v) c |= 0x80; out.push(c); } while (v);
  return Buffer.from(out);
}

// The active data segments: where each lies in memory and in the file.
const segments = allSegments(b).filter((g) => g.addr !== null);
const at = (addr, len) => {
  const s = segments.find((g) => addr >= g.addr && addr + len <= g.addr + g.len);
  return s ? s.start + (addr - s.addr) : -1;
};
// `core::panic::Location { file: &str, line: u32, col: u32 }`: 16 bytes, 4-aligned.
// A source path: path characters with at least one `/`, ending in `.rs`.
const PATH = /^[\w.\-/~@+]*\/[\w.\-/~@+]*\.rs$/;
const zeroed = new Map(); // file offset -> length
for (const g of segments) {
  for (let a = g.addr + ((4 - (g.addr % 4)) % 4); a + 16 <= g.addr + g.len; a += 4) {
    const o = g.start + (a - g.addr);
    const ptr = b.readUInt32LE(o), len = b.readUInt32LE(o + 4), line = b.readUInt32LE(o + 8), col = b.readUInt32LE(o + 12);
    if (len < 4 || len > 300 || line < 1 || line > 200000 || col < 1 || col > 1000) continue;
    const s = at(ptr, len);
    if (s >= 0 && PATH.test(b.toString('latin1', s, s + len))) zeroed.set(s, len);
  }
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
const result = Buffer.concat(out);
// The data section comes after the code section: its offsets moved by the code's change.
const shift = result.length - b.length;
const dataStart = [...sections(b)].find((s) => s.id === 11)?.start ?? Infinity;
let bytes = 0;
for (const [s, len] of zeroed) {
  if (s < dataStart) throw new Error('snip-panics: a panic location outside the data section');
  result.fill(0, s + shift, s + shift + len);
  bytes += len;
}
writeFileSync(file, result);
if (!WebAssembly.validate(readFileSync(file))) { console.error(`snip-panics: ${file} is invalid after snipping`); process.exit(1); }
console.log(`snip-panics: ${snip.size} functions (${[...snip].filter((k) => !formatting.has(k)).map((k) => plain(fns.name(fns.imported + k))).join(', ')}; ${formatting.size} of formatting); ${zeroed.size} panic locations' file names (${bytes} B) zeroed`);
