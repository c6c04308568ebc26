// The README shop as a merchant runs it: its files in a folder of their own, `epay-widget`
// installed beside them (the built pkg/, linked as node_modules/epay-widget, so
// `import ... from 'epay-widget/server'` resolves as from npm), and no `epay` binary on PATH.
import { mkdirSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeTemp, startNode } from './harness.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** A PATH with the system's tools and nothing of this repository (no target/debug/epay). */
export const NO_EPAY_PATH = '/usr/local/bin:/usr/bin:/bin';

/** Writes `files` into a new folder with node_modules/epay-widget -> pkg/; returns the folder. */
export function shopDir(files) {
  const dir = writeTemp(files);
  mkdirSync(path.join(dir, 'node_modules'));
  symlinkSync(path.join(root, 'pkg'), path.join(dir, 'node_modules', 'epay-widget'), 'dir');
  return dir;
}

/** Runs server.mjs in `dir` with `env`, without `epay` on PATH ({ url, output, stop }). */
export function startShop(dir, env = {}) {
  return startNode(dir, 'server.mjs', { ...env, PATH: NO_EPAY_PATH });
}
