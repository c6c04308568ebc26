// The npm package (pkg/) as a merchant's front-end developer gets it: complete, packed as
// published, importable under Node.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

describe('the npm package (pkg/)', () => {
  it('is complete: name, version, exports with types, every listed file present, types without any', () => {
    const pkg = JSON.parse(readFileSync(path.join(root, 'pkg/package.json'), 'utf8'));
    const cargoVersion = /^version = "(.+)"/m.exec(readFileSync(path.join(root, 'Cargo.toml'), 'utf8'))[1];
    assert.equal(pkg.name, 'epay-widget');
    assert.equal(pkg.version, cargoVersion);
    assert.equal(pkg.description, /^description = "(.+)"/m.exec(readFileSync(path.join(root, 'Cargo.toml'), 'utf8'))[1], "the crate's");
    for (const k of ['description', 'license', 'repository', 'types', 'files']) assert.ok(pkg[k], k);
    assert.deepEqual(pkg.exports['.'], { types: './epay-widget.d.ts', default: './epay-widget.mjs' });
    // A pattern (`lang/*.json`) must match at least one built file; any other entry must exist.
    for (const f of pkg.files) {
      const dir = path.join(root, 'pkg', path.dirname(f));
      const ok = f.includes('*')
        ? existsSync(dir) && readdirSync(dir).some((x) => x.endsWith(path.basename(f).slice(path.basename(f).indexOf('*') + 1)))
        : existsSync(path.join(root, 'pkg', f));
      assert.ok(ok, `pkg/${f}`);
    }
    const dts = readFileSync(path.join(root, 'pkg/epay-widget.d.ts'), 'utf8').replace(/\/\/.*$|\/\*[\s\S]*?\*\//gm, '');
    assert.doesNotMatch(dts, /\bany\b/, 'no `any` in the types');
    for (const t of ['PaymentParams', 'RunOptions', 'PaymentResultEvent', 'ErrorEvent', 'RedirectEvent', 'WidgetHandle', 'EPayWidgetEventMap']) {
      assert.match(dts, new RegExp(`\\b(interface|type) ${t}\\b`), t);
    }
  });

  it('packs as published: npm pack ships every file the exports and the loaders load, and the licenses', () => {
    const [packed] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: path.join(root, 'pkg') }).toString());
    const files = packed.files.map((f) => f.path).sort();
    const pkg = JSON.parse(readFileSync(path.join(root, 'pkg/package.json'), 'utf8'));
    const targets = Object.values(pkg.exports).flatMap((v) => (typeof v === 'string' ? [v] : Object.values(v))).map((f) => f.replace(/^\.\//, ''));
    // What the loaders fetch at run time, next to them: the glue and wasm of the first and the
    // flows modules, the drawings module
    // (QR and barcode) and the language packs. An export pattern (`lang/*`) matches files.
    const loaded = ['epay_widget.js', 'epay_widget_bg.wasm', 'epay_flows.js', 'epay_flows_bg.wasm', 'epay_codes.wasm', 'lang/ru.json', 'lang/kk.json', 'lang/ms.json', 'lang/sw.json'];
    for (const f of new Set([...targets, pkg.types.replace(/^\.\//, ''), ...loaded, 'LICENSE-MIT', 'LICENSE-APACHE'])) {
      const has = f.includes('*') ? files.some((x) => x.startsWith(f.slice(0, f.indexOf('*')))) : files.includes(f);
      assert.ok(has, `the tarball has ${f}: ${files.join(', ')}`);
    }
    assert.ok(!files.some((f) => /\.(rs|ts\.map)$|node_modules|\.gitignore/.test(f)), `nothing else: ${files.join(', ')}`);
    // The module loader names each pack literally (for bundlers): exactly the packs built.
    const named = [...readFileSync(path.join(root, 'pkg/epay-widget.mjs'), 'utf8').matchAll(/\.\/lang\/(\w+)\.json/g)].map((m) => m[1]).sort();
    const built = files.filter((f) => f.startsWith('lang/')).map((f) => f.slice(5, -5)).sort();
    assert.deepEqual(named, built, 'js/epay-widget.mjs PACKS lists every language pack');
  });

  it('imports under Node, as in server-side rendering, without touching window or document', async () => {
    assert.equal(typeof globalThis.window, 'undefined');
    const m = await import(pathToFileURL(path.join(root, 'pkg/epay-widget.mjs')).href);
    assert.deepEqual(Object.keys(m.EPayWidget), ['run', 'followRedirect', 'showCode']);
    assert.equal(m.default, m.EPayWidget);
  });
});
