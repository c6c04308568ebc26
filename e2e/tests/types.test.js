// The types catch a merchant's typical mistakes: e2e/types/mistakes.ts holds them, each under
// `// @ts-expect-error` (tsc fails on a directive with no error under it), and
// e2e/types/control.ts what a merchant writes, which must compile. tsc --strict --noEmit,
// with 'epay-widget' resolved to js/epay-widget.d.ts (TypeScript from www/example-vite).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeTemp } from '../lib/harness.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const tsc = path.join(root, 'www/example-vite/node_modules/typescript/bin/tsc');

/** Runs tsc --strict on `files` ({ name: text }); resolves to its output and exit status. */
function compile(files, dts = readFileSync(path.join(root, 'js/epay-widget.d.ts'), 'utf8')) {
  const dir = writeTemp({ ...files, 'epay-widget.d.ts': dts });
  writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({
    compilerOptions: {
      target: 'ES2022', module: 'ESNext', moduleResolution: 'bundler', lib: ['ES2022', 'DOM', 'DOM.Iterable'],
      strict: true, noEmit: true, skipLibCheck: false, types: [], paths: { 'epay-widget': ['./epay-widget.d.ts'] },
    },
    files: Object.keys(files),
  }));
  try {
    return { status: 0, output: execFileSync(process.execPath, [tsc, '-p', dir], { encoding: 'utf8' }) };
  } catch (e) {
    return { status: e.status, output: `${e.stdout}${e.stderr}` };
  }
}

const read = (f) => readFileSync(path.join(root, 'e2e/types', f), 'utf8');

describe('the TypeScript types (js/epay-widget.d.ts) under tsc --strict', () => {
  it('TypeScript is there (www/example-vite/node_modules)', () => assert.ok(existsSync(tsc), tsc));

  it('compile what a merchant writes (the control), the explicit escape hatch for extra parameters included', () => {
    const r = compile({ 'control.ts': read('control.ts') });
    assert.equal(r.status, 0, r.output);
  });

  it('refuse every typical mistake (at least 10), each on its own', () => {
    const text = read('mistakes.ts');
    const count = text.match(/^\/\/ @ts-expect-error/gm).length;
    assert.ok(count >= 10, `${count} mistakes`);
    const r = compile({ 'mistakes.ts': text });
    assert.equal(r.status, 0, `a mistake compiles (an unused @ts-expect-error) or the file has another error:\n${r.output}`);
    // Each directive covers an error: without the directives, exactly that many lines fail.
    const bare = compile({ 'mistakes.ts': text.replace(/^\/\/ @ts-expect-error.*$/gm, '//') });
    const lines = new Set([...bare.output.matchAll(/mistakes\.ts\((\d+),/g)].map((m) => m[1]));
    assert.equal(lines.size, count, bare.output);
  });
});
