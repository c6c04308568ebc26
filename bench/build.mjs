// Builds the Adyen reference page into bench/dist/: Drop-in + Redirect, Econtext and DuitNow
// bundled and minified with esbuild (one classic script), Adyen's CSS minified, the page.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const DIST = path.join(here, 'dist');

export async function buildAdyen() {
  mkdirSync(DIST, { recursive: true });
  await build({
    entryPoints: [path.join(here, 'adyen', 'entry.js')],
    bundle: true, minify: true, format: 'iife', target: 'es2020', legalComments: 'none',
    outfile: path.join(DIST, 'adyen.js'), logLevel: 'error',
  });
  await build({
    entryPoints: [path.join(here, 'node_modules', '@adyen', 'adyen-web', 'styles', 'adyen.css')],
    bundle: true, minify: true, legalComments: 'none', outfile: path.join(DIST, 'adyen.css'), logLevel: 'error',
  });
  copyFileSync(path.join(here, 'adyen', 'index.html'), path.join(DIST, 'index.html'));
  return DIST;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await buildAdyen();
  console.log(`built ${DIST}`);
}
