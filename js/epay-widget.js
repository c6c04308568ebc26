// Not a legal comment (/*!): the build adds a one-line banner with the version instead.
/* epay-widget loader, classic script: <script src=".../epay-widget.js"></script>
 *
 * Defines window.EPayWidget = { run, followRedirect, showCode } at once and starts loading
 * the wasm module from next to this script (a dynamic import() of the glue), using only
 * bytes with the SHA-384 hashes the build pinned (docs/embedding.md "Content-Security-Policy"). The logic is
 * in ./loader.js, bundled in by scripts/build-widget.sh. The platform base URL defaults to
 * this script's origin. No inline code and no eval: works under
 * Content-Security-Policy: script-src <platform> 'wasm-unsafe-eval'.
 */
import { createEPayWidget, instantiateDrawings, fetchPinned, fileFailed } from './loader.js';

// The SHA-384 of the glue and the wasm, written by scripts/build-widget.sh.
const SRI = __EPAY_SRI__;

if (!(window.EPayWidget && window.EPayWidget.__loader)) { // included twice: keep the first
  let script = document.currentScript;
  if (!script) {
    const all = document.querySelectorAll('script[src*="epay-widget.js"]');
    script = all[all.length - 1];
  }
  const src = new URL(script && script.src ? script.src : 'epay-widget.js', location.href).href;
  const loadModule = (name, glueSri, wasmSri) => {
    const wasm = fetchPinned(new URL(`${name}_bg.wasm`, src), `${name}_bg.wasm`, wasmSri);
    wasm.catch(() => {}); // reported through the glue's init, not as an unhandled rejection
    const glue = new URL(`${name}.js`, src).href;
    const link = document.createElement('link');
    return new Promise((onload, onerror) => {
      document.head.append(Object.assign(link, { rel: 'modulepreload', crossOrigin: '', integrity: glueSri, href: glue, onload, onerror }));
    })
      .then(() => import(glue))
      .catch(() => fileFailed(glue, `${name}.js`))
      .finally(() => link.remove()) // the module map keeps the module: nothing left in the page
      .then((m) => m.default({ module_or_path: wasm }).then(() => m));
  };
  const loader = createEPayWidget({
    origin: new URL(src).origin,
    from: new URL('.', src).href,
    // The first module (the picker) and the flows module (the whole widget): each a glue and
    // its wasm, the wasm download started beside the glue's, not after it. Each is used only
    // when its bytes have the pinned hash. The glue is imported only once the browser has
    // verified its hash: a <link rel=modulepreload integrity> puts the verified module in the
    // page's module map, where import() finds it (no blob: URL, no eval: the strict CSP holds).
    load: () => loadModule('epay_widget', SRI.glue, SRI.wasm),
    loadFlows: () => loadModule('epay_flows', SRI.flowsGlue, SRI.flowsWasm),
    // The QR and barcode drawings: a second, small wasm module, fetched when a code is near.
    // Its hash and the packs' are in the (verified) glue: `sri`.
    loadDrawings: (sri) => instantiateDrawings(fetchPinned(new URL('epay_codes.wasm', src), 'epay_codes.wasm', sri['epay_codes.wasm'])),
    // The customer's language, if not English: a small JSON file, fetched beside `open`.
    loadLang: (code, sri, f = `lang/${code}.json`) => fetchPinned(new URL(f, src), f, sri[f]).then((r) => r.json()),
  });
  window.EPayWidget = { __loader: true, ...loader.api };
  // What to fetch before the first call, named on the script tag: the picker (the default,
  // for run), `data-preload="gate"` on a Gate page (showCode, followRedirect: what they draw,
  // not the picker they never show), `data-preload="none"`.
  const preload = script && script.dataset.preload;
  if (preload === 'gate') loader.preloadFlows();
  else if (preload !== 'none') {
    if (preload && preload !== 'picker') console.warn(`[epay-widget] data-preload="${preload}" is not one of picker, gate, none`);
    loader.preload();
  }
}
