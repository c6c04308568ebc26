// Panic and formatting machinery in a wasm built with names (issue 26, decision 3): the code
// bytes of the functions whose names are formatting or panic machinery (core::fmt, alloc::fmt,
// core::panicking, unwrap_failed, slice index failures, Debug impls, ...) plus the bytes of the
// panic location strings (source paths, `....rs`) in the data section. Prints the total and the
// top offenders; exit 1 above the budget.
// Usage: node scripts/panic-report.mjs <wasm with a name section> [budget bytes, default 1000]
import { readFileSync } from 'node:fs';
import { data, functions } from './wasm-read.mjs';

const [file, budgetArg] = process.argv.slice(2);
const budget = Number(budgetArg || 1000);
const b = readFileSync(file);
const fns = functions(b);
if (!fns.named) { console.error(`panic-report: ${file} has no name section (build with EPAY_KEEP_NAMES=1)`); process.exit(2); }

// Names (demangled, as rust-lld writes them: `core[1a2b...]::fmt::write`, `...::h<hash>`;
// read without the crate hashes) that are formatting or panic machinery.
const MACHINERY = [
  /\b(core|alloc|std)::fmt::/, // fmt::write, Formatter, builders, every Display/Debug/Write impl
  /\b(core|std)::panicking::/, /\bcore::panic::/, /\bstd::panic::/, // panic entry points, payloads, the hook
  /unwrap_failed|expect_failed|assert_failed|_fail(_rt)?$|len_mismatch_fail|panic_already|panic_access_error|panic_poisoned/,
  /escape_debug|<[ui](8|16|32|64|128|size)>::_fmt|ToString>::to_string|\bcore::unicode::printable::/,
];
const plain = (name) => name.replace(/\[[0-9a-f]{16}\]/g, '').replace(/::h[0-9a-f]{16}$/, '').replace(/\[\d+\]$/, '');
const hits = [];
for (let k = 0; k < fns.sizes.length; k++) {
  const name = plain(fns.name(fns.imported + k));
  if (MACHINERY.some((re) => re.test(name))) hits.push({ name, bytes: fns.sizes[k] });
}
hits.sort((a, c) => c.bytes - a.bytes);
const code = hits.reduce((a, h) => a + h.bytes, 0);

// Panic locations: source paths ending in `.rs` among the data section's strings (which are
// stored one after another, so a path is cut at its known start: /rustc/, /cargo/, ~/, or a
// crate's src/).
const text = data(b).toString('latin1');
const paths = [];
for (const m of text.matchAll(/[\w.\-\/~@+]*\.rs(?![\w])/g)) {
  let s = m[0];
  const at = s.search(/\/rustc\/|\/cargo\/|~\/|\/epay-widget\/|(?:core|codes|cli|node)\/src\/|(?<![\w])src\//);
  if (at > 0) s = s.slice(at);
  paths.push(s);
}
const strings = paths.reduce((a, s) => a + s.length, 0);
const total = code + strings;
console.log(`panic and formatting: ${code} bytes of code in ${hits.length} functions + ${strings} bytes of ${paths.length} panic location strings = ${total} bytes (budget ${budget})`);
for (const h of hits.slice(0, Number(process.env.PANIC_REPORT_TOP || 15))) console.log(`  ${String(h.bytes).padStart(6)}  ${h.name}`);
for (const p of paths.slice(0, Number(process.env.PANIC_REPORT_TOP || 15))) console.log(`  ${String(p.length).padStart(6)}  "${p}"`);
if (total > budget) { console.error(`panic-report: ${total} bytes of panic and formatting machinery, over the ${budget} B budget`); process.exit(1); }
