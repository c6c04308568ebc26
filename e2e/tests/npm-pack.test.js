// The npm package as published: `npm pack` of pkg/, installed into a fresh Vite project with
// no network, built with Vite. Nothing private ships: no sandbox secret, no build-machine
// path, no test data, in the tarball or anywhere under pkg/ (the versioned folder included).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, readdirSync, statSync, existsSync, mkdtempSync, rmSync, mkdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const pkgDir = path.join(root, 'pkg');
const vite = path.join(root, 'www/example-vite/node_modules/vite/bin/vite.js');

// What must never ship: the sandbox's secrets, paths of the machine that built it, test data.
const PRIVATE = [/sandbox-secret/, /\/root\//, /\/work\//, /\.cargo\/registry/, /\.rustup\//, /proptest-regressions/, /e2e\/tests/];
// What a merchant needs, and nothing the repository's README carried (sandbox keys).
const NEEDED = ['package.json', 'README.md', 'CHANGELOG.md', 'LICENSE-MIT', 'LICENSE-APACHE', 'epay-widget.mjs', 'epay-widget.js',
  'epay-widget.d.ts', 'epay_widget.js', 'epay_widget_bg.wasm', 'epay_flows.js', 'epay_flows_bg.wasm', 'epay_codes.wasm', 'lang/ru.json', 'lang/kk.json', 'lang/ms.json', 'lang/sw.json'];

function walk(dir, base = dir) {
  return readdirSync(dir).flatMap((n) => {
    const f = path.join(dir, n);
    return statSync(f).isDirectory() ? walk(f, base) : [path.relative(base, f)];
  });
}

/** The private strings found in the files under `dir`: ["file: /pattern/"]. */
function leaks(dir) {
  return walk(dir).flatMap((f) => {
    const text = readFileSync(path.join(dir, f)).toString('latin1');
    return PRIVATE.filter((re) => re.test(text) || re.test(f)).map((re) => `${f}: ${re}`);
  });
}

describe('the npm package, packed and installed offline into a fresh Vite project', () => {
  let work, tarball, project;
  before(() => {
    work = mkdtempSync(path.join(tmpdir(), 'epay-npm-'));
    const [packed] = JSON.parse(execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], { cwd: pkgDir, encoding: 'utf8' }));
    tarball = path.join(work, packed.filename);
    project = path.join(work, 'shop');
    mkdirSync(path.join(project, 'src'), { recursive: true });
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  it('nothing private anywhere under pkg/ (the versioned folder included)', () => {
    assert.ok(existsSync(path.join(pkgDir, 'epay_codes.wasm')), 'build it first: bash scripts/build-widget.sh');
    assert.deepEqual(leaks(pkgDir), []);
  });

  it('the tarball holds what a merchant needs, its own README, a real repository, and nothing private', () => {
    const list = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).trim().split('\n').map((f) => f.replace(/^package\//, ''));
    for (const f of NEEDED) assert.ok(list.includes(f), `the tarball has ${f}: ${list.join(', ')}`);
    assert.ok(!list.some((f) => /^\d+\.\d+\.\d+/.test(f)), 'no versioned folder (that is for the CDN)');
    assert.deepEqual(list.filter((f) => /\.(br|gz)$/.test(f)), [], 'no precompressed copies (those are for the CDN)');
    const unpacked = path.join(work, 'unpacked');
    mkdirSync(unpacked);
    execFileSync('tar', ['-xzf', tarball, '-C', unpacked]);
    assert.deepEqual(leaks(path.join(unpacked, 'package')), []);
    const readme = readFileSync(path.join(unpacked, 'package/README.md'), 'utf8');
    for (const want of [/npm install epay-widget/, /integrity="sha384-/, /import \{ EPayWidget/, /\.d\.ts|Types/, /https:\/\/github\.com\/epay-widget\/epay-widget/]) assert.match(readme, want);
    const pkg = JSON.parse(readFileSync(path.join(unpacked, 'package/package.json'), 'utf8'));
    assert.match(pkg.version, /^\d+\.\d+\.\d+/);
    assert.doesNotMatch(JSON.stringify(pkg.repository), /example\.invalid|example\.com/);
    assert.equal(pkg.types, './epay-widget.d.ts');
    assert.equal(pkg.exports['.'].default, './epay-widget.mjs');
    assert.match(readFileSync(path.join(unpacked, 'package/CHANGELOG.md'), 'utf8'), /^# Changelog/);
  });

  it('installs with no network and builds with Vite: the wasm files and packs are emitted; run() under Node says it needs a browser', async () => {
    assert.ok(existsSync(vite), `Vite from www/example-vite: (cd www/example-vite && npm ci): ${vite}`);
    writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'fresh-shop', private: true, type: 'module' }));
    writeFileSync(path.join(project, 'index.html'), '<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Shop</title></head><body><div id="checkout"></div><script type="module" src="/src/main.js"></script></body></html>\n');
    writeFileSync(path.join(project, 'src/main.js'), "import { EPayWidget } from 'epay-widget';\nEPayWidget.run(window.params, { target: '#checkout' });\n");
    execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', tarball], { cwd: project, stdio: 'pipe' });
    execFileSync(process.execPath, [vite, 'build', '--logLevel', 'warn'], { cwd: project, stdio: 'pipe' });
    const dist = walk(path.join(project, 'dist'));
    for (const want of [/^assets\/epay_widget_bg-[\w-]+\.wasm$/, /^assets\/epay_flows_bg-[\w-]+\.wasm$/, /^assets\/epay_codes-[\w-]+\.wasm$/, /^assets\/ru-[\w-]+\.json$/]) {
      assert.ok(dist.some((f) => want.test(f)), `${want} in ${dist.join(', ')}`);
    }
    assert.deepEqual(leaks(path.join(project, 'dist')), []);
    // Importing under Node (SSR) runs nothing; run() says why it cannot work there.
    const m = await import(pathToFileURL(path.join(project, 'node_modules/epay-widget/epay-widget.mjs')).href);
    assert.throws(() => m.EPayWidget.run({}, { target: '#checkout' }), (e) => e.code === 'no_document' && /runs in a browser/.test(e.message) && /server-side|Node/.test(e.message));
  });
});
