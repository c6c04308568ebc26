/*! epay-widget loader, classic script: <script src=".../epay-widget.js"></script>
 *
 * Defines window.EPayWidget = { run, followRedirect, showCode } at once and starts loading
 * the wasm module from next to this script (a dynamic import() of the glue). The logic is
 * in ./loader.js, bundled in by scripts/build-widget.sh. The platform base URL defaults to
 * this script's origin. No inline code and no eval: works under
 * Content-Security-Policy: script-src <platform> 'wasm-unsafe-eval'.
 */
import { createEPayWidget, instantiateCodes, readPack } from './loader.js';

if (!(window.EPayWidget && window.EPayWidget.__loader)) { // included twice: keep the first
  let script = document.currentScript;
  if (!script) {
    const all = document.querySelectorAll('script[src*="epay-widget.js"]');
    script = all[all.length - 1];
  }
  const src = new URL(script && script.src ? script.src : 'epay-widget.js', location.href).href;
  const loader = createEPayWidget({
    origin: new URL(src).origin,
    from: new URL('.', src).href,
    load: () => {
      // The wasm download starts now, beside the glue's: not after it.
      const wasm = fetch(new URL('epay_widget_bg.wasm', src));
      wasm.catch(() => {}); // reported through the glue's init, not as an unhandled rejection
      return import(new URL('epay_widget.js', src).href).then((m) => m.default({ module_or_path: wasm }).then(() => m));
    },
    // The QR and barcode drawings: a second, small wasm module, fetched when a code is near.
    loadCodes: () => instantiateCodes(fetch(new URL('epay_codes.wasm', src))),
    // The customer's language, if not English: a small JSON file, fetched beside `open`.
    loadLang: (code) => readPack(fetch(new URL(`lang/${code}.json`, src))),
  });
  window.EPayWidget = { __loader: true, ...loader.api };
  loader.preload();
}
