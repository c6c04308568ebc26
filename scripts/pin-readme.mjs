// Keeps the pinned tags of the README (and docs/embedding.md) in step with the build: every `/pkg/<version>/<file>"`
// followed in the same tag by `integrity="sha384-..."` gets this build's version and hash.
// Usage: node scripts/pin-readme.mjs README.md <version> <file>=<sri> ...
import { readFileSync, writeFileSync } from 'node:fs';

const [file, version, ...pins] = process.argv.slice(2);
const before = readFileSync(file, 'utf8');
let text = before;
for (const pin of pins) {
  const [name, sri] = pin.split(/=(.*)/s);
  const esc = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  text = text.replace(new RegExp(`(/pkg/)[^/"\\s]+(/${esc}"[^>]*?integrity=")sha384-[A-Za-z0-9+/=]+`, 'g'), `$1${version}$2${sri}`);
}
if (text !== before) {
  writeFileSync(file, text);
  console.log(`pin-readme: ${file} now pins version ${version}`);
}
