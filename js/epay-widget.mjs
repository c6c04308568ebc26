// epay-widget as an ES module: import { EPayWidget } from '.../epay-widget.mjs'
//
// Same API as the classic script (run, followRedirect, showCode); the logic is in
// ./loader.js, bundled in by scripts/build-widget.sh. Importing this module does nothing
// else: the wasm is fetched on the first call, calls made meanwhile are queued and
// replayed in order, and run() returns a handle at once. The platform base URL defaults
// to the origin this module was loaded from; bundled (webpack turns import.meta.url into
// a file: URL at build time), to the page's origin.
import { createEPayWidget, instantiateDrawings, fetchPinned, widgetError } from './loader.js';

// The SHA-384 of the wasm (and the glue), written by scripts/build-widget.sh. A bundler
// copies the wasm files and the packs as they are; the glue becomes part of your bundle.
const SRI = __EPAY_SRI__;

// The language packs, each a literal `new URL` so that bundlers emit all four as assets.
const PACKS = {
  ru: new URL('./lang/ru.json', import.meta.url),
  kk: new URL('./lang/kk.json', import.meta.url),
  ms: new URL('./lang/ms.json', import.meta.url),
  sw: new URL('./lang/sw.json', import.meta.url),
};

const here = new URL(import.meta.url);
const origin = here.protocol === 'https:' || here.protocol === 'http:' ? here.origin : null;

const { api } = createEPayWidget({
  origin,
  from: new URL('.', here).href,
  // A literal specifier, so that bundlers (Vite, webpack) see the glue and its wasm asset.
  // The wasm download starts beside the glue's, not after it. `new URL(..., import.meta.url)`
  // is also what bundlers rewrite to the emitted asset.
  load: () => {
    const wasm = fetchPinned(new URL('./epay_widget_bg.wasm', import.meta.url), 'epay_widget_bg.wasm', SRI.wasm);
    wasm.catch(() => {}); // reported through the glue's init, not as an unhandled rejection
    return import('./epay_widget.js').then((m) => m.default({ module_or_path: wasm }).then(() => m));
  },
  // The flows module (the whole widget), fetched once the picker is on screen: the same way.
  loadFlows: () => {
    const wasm = fetchPinned(new URL('./epay_flows_bg.wasm', import.meta.url), 'epay_flows_bg.wasm', SRI.flowsWasm);
    wasm.catch(() => {});
    return import('./epay_flows.js').then((m) => m.default({ module_or_path: wasm }).then(() => m));
  },
  // The QR and barcode drawings: a second, small wasm module, fetched when a code is near.
  // Its hash and the packs' are in the glue: `sri`.
  loadDrawings: (sri) => instantiateDrawings(fetchPinned(new URL('./epay_codes.wasm', import.meta.url), 'epay_codes.wasm', sri['epay_codes.wasm'])),
  // The customer's language, if not English: a small JSON file, fetched beside `open`.
  // A bundler may inline a small pack as a base64 data: URL (Vite does, under 4 KB): read
  // it here, as a fetch of it would need connect-src data:.
  loadLang: (code, sri) => {
    const url = PACKS[code];
    const base64 = /^data:[^,]*;base64,/.exec(url.href);
    if (!base64) return fetchPinned(url, `lang/${code}.json`, sri[`lang/${code}.json`]).then((r) => r.json());
    return Promise.resolve().then(() => {
      const bytes = Uint8Array.from(atob(url.href.slice(base64[0].length)), (c) => c.charCodeAt(0));
      return JSON.parse(new TextDecoder().decode(bytes));
    });
  },
});

// Imported under Node (server-side rendering) this module does nothing; calling it there
// says why it cannot work (the classic script only ever runs in a page).
const browserOnly = (name) => (...args) => {
  if (typeof document === 'undefined') {
    throw widgetError('no_document', null, `EPayWidget.${name}() runs in a browser: it draws the checkout into the page's DOM and runs WebAssembly there. Call it from client-side code (an event handler, a useEffect or onMounted), not in Node or during server-side rendering.`);
  }
  return api[name](...args);
};

export const EPayWidget = Object.freeze({ run: browserOnly('run'), followRedirect: api.followRedirect, showCode: browserOnly('showCode') });
export default EPayWidget;
