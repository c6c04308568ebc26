// scripts/snip-panics.mjs (issue 26, decision 3), on small modules written here in the text
// format (binaryen's wasm-as, tools/), named as rustc names them: the panic entry points and
// the formatting machinery trap, a panic location's file name becomes zeros and nothing else
// in the data does, and a widget function that formats (what `format!` or `to_string()`
// compile to: a direct call into core::fmt) stops the build with its name. The release
// widget's own figures are checked by scripts/size-report.sh (scripts/panic-report.mjs).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { spawnSync, execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeTemp } from '../lib/harness.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const bin = (name) => path.join(root, 'tools/node_modules/.bin', name);

// A module with a panic entry point, two formatting functions in the function table (as a
// vtable puts them), a `core::panic::Location` at 1056 whose file name is at 1036, and a
// string ending in `.rs` that no Location points at. `body` is the widget function's.
const module = (body, extra = '') => `(module
 (memory 1)
 (table 2 funcref)
 (elem (i32.const 0) $"<u32 as core::fmt::Display>::fmt" $"core::fmt::write")
 (data (i32.const 1024) "hello.rs\\00\\00\\00\\00src/view/mod.rs\\00")
 (data (i32.const 1056) "\\0c\\04\\00\\00\\0f\\00\\00\\00\\2a\\00\\00\\00\\05\\00\\00\\00")
 (func $"core::panicking::panic_fmt" (param i32) (drop (call $"core::fmt::write" (local.get 0))))
 (func $"core::fmt::write" (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
 (func $"<u32 as core::fmt::Display>::fmt" (param i32) (result i32) (call $"core::fmt::write" (local.get 0)))
 (func $"epay_widget::run::h0123456789abcdef" (export "run") (param i32) (result i32) ${body})${extra}
)`;

function snip(body, extra) {
  const dir = writeTemp({ 'm.wat': module(body, extra) });
  const wasm = path.join(dir, 'm.wasm');
  execFileSync(bin('wasm-as'), ['-g', path.join(dir, 'm.wat'), '-o', wasm]);
  const r = spawnSync(process.execPath, [path.join(root, 'scripts/snip-panics.mjs'), wasm], { encoding: 'utf8' });
  return { ...r, wasm, wat: r.status === 0 ? execFileSync(bin('wasm-dis'), [wasm], { encoding: 'utf8' }) : '' };
}
const bodyOf = (wat, name) => wat.slice(wat.indexOf(`\n (func $${name}`) + 2).split('\n (func')[0];

describe('snip-panics', () => {
  it('makes the panic entry points and the formatting machinery trap, and leaves the widget\'s code', () => {
    const r = snip('(i32.load (local.get 0))');
    assert.equal(r.status, 0, r.stderr);
    assert.ok(WebAssembly.validate(readFileSync(r.wasm)));
    for (const name of ['core::panicking::panic_fmt', 'core::fmt::write', '"<u32 as core::fmt::Display>::fmt"']) {
      assert.match(bodyOf(r.wat, name), /^\(func \S+[^\n]*\n  \(unreachable\)\n \)/, name);
    }
    assert.match(bodyOf(r.wat, 'epay_widget::run'), /i32\.load/);
  });

  it('zeroes the file name a panic location points at, and nothing else in the data', () => {
    const r = snip('(i32.load (local.get 0))');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /1 panic locations' file names \(15 B\) zeroed/);
    assert.ok(!r.wat.includes('src/view/mod.rs'), 'the location\'s file name is gone');
    assert.ok(r.wat.includes('hello.rs'), 'a string no location points at stays');
    assert.ok(r.wat.includes('(i32.const 1056) "\\0c\\04\\00\\00\\0f\\00\\00\\00*'), 'the location itself stays');
  });

  it('stops the build when the widget calls the formatting machinery (format!, to_string)', () => {
    const r = snip('(call $"<u32 as core::fmt::Display>::fmt" (local.get 0))');
    assert.equal(r.status, 1);
    assert.match(r.stderr, /formats at run time/);
    assert.match(r.stderr, /epay_widget::run -> <u32 as core::fmt::Display>::fmt/);
  });

  it('takes a Debug impl of a generic type for machinery, not for the widget formatting', () => {
    const r = snip('(i32.load (local.get 0))',
      '\n (func $"<alloc::vec::Vec<T, A> as core::fmt::Debug>::fmt" (param i32) (result i32) (call $"core::fmt::write" (local.get 0)))');
    assert.equal(r.status, 0, r.stderr);
    assert.match(bodyOf(r.wat, '"<alloc::vec::Vec<T, A> as core::fmt::Debug>::fmt"'), /\(unreachable\)/);
  });
});
