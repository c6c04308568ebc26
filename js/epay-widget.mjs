// epay-widget as an ES module: import { EPayWidget } from '.../epay-widget.mjs'
//
// Same API as the classic script (run, followRedirect, showCode). Importing this module
// does nothing else: the wasm is fetched on the first call (lazy), calls made meanwhile
// are queued and replayed in order, and run() returns a handle at once. The platform
// base URL defaults to the origin this module was loaded from; bundled (webpack turns
// import.meta.url into a file: URL at build time), to the page's origin.

const here = new URL(import.meta.url);
const origin = here.protocol === 'https:' || here.protocol === 'http:' ? here.origin : null;
let wasm = null;
let loading = null;
let failure = null;
let queue = [];

function widgetError(code, param, message) {
  const e = new Error(message);
  e.name = 'EPayWidgetError';
  e.code = code;
  e.param = param;
  return e;
}

const argumentError = (param, rule) => widgetError('invalid_argument', param, `${param}: ${rule}`);
const loadFailed = () => widgetError('load_failed', null, `the payment widget could not be loaded: ${failure}`);

function withBase(options) {
  if (options !== undefined && options !== null && (typeof options !== 'object' || Array.isArray(options))) {
    throw argumentError('options', "must be an object such as { target: '#checkout' }");
  }
  const o = { ...(options || {}) };
  if ((o.baseUrl === undefined || o.baseUrl === null) && origin) o.baseUrl = origin;
  return o;
}

function load() {
  if (!loading) {
    loading = import('./epay_widget.js')
      .then(async (m) => {
        await m.default();
        wasm = m;
      })
      .catch((e) => {
        failure = e?.message ?? String(e);
        console.error('[epay-widget] could not load the widget module:', e);
      })
      .then(() => {
        const q = queue;
        queue = [];
        for (const f of q) f();
      });
  }
  return loading;
}

function reportLoadFailure(args) {
  const f = args.find((a) => a && typeof a === 'object' && typeof a.onError === 'function')?.onError;
  if (!f) return;
  try {
    f({ code: 'load_failed', param: null, message: `the payment widget could not be loaded: ${failure}`, retryable: true });
  } catch (e) {
    console.error('[epay-widget] onError threw:', e);
  }
}

function deferredHandle(name, optionsIndex, check) {
  return (...args) => {
    if (check) check(args);
    args[optionsIndex] = withBase(args[optionsIndex]);
    let inner = null;
    let destroyed = false;
    const handle = {
      destroy() {
        destroyed = true;
        if (inner) {
          const i = inner;
          inner = null;
          i.destroy();
        }
      },
    };
    const start = () => {
      if (destroyed) return;
      if (typeof wasm[name] !== 'function') throw new Error(`EPayWidget.${name} is not available in this version`);
      inner = wasm[name](...args) || null;
    };
    if (wasm) {
      start();
      return handle;
    }
    queue.push(() => {
      if (destroyed) return;
      if (!wasm) return reportLoadFailure(args);
      try {
        start();
      } catch (e) {
        console.error(`[epay-widget] ${name} failed:`, e);
      }
    });
    load();
    return handle;
  };
}

// A promise, loaded or not: resolves once the form is submitted (the page is leaving);
// rejects with the widget's error (`bad_redirect` naming the field) and nothing navigates.
function followRedirect(...args) {
  const go = () => {
    if (typeof wasm.followRedirect !== 'function') throw new Error('EPayWidget.followRedirect is not available in this version');
    wasm.followRedirect(...args);
  };
  try {
    args[1] = withBase(args[1]);
    if (wasm) {
      go();
      return Promise.resolve();
    }
  } catch (e) {
    return Promise.reject(e);
  }
  return new Promise((resolve, reject) => {
    queue.push(() => {
      if (!wasm) return reject(loadFailed());
      try {
        go();
        resolve();
      } catch (e) {
        reject(e);
      }
    });
    load();
  });
}

export const EPayWidget = Object.freeze({
  run: deferredHandle('run', 1, (args) => {
    const p = args[0];
    if (p === null || typeof p !== 'object' || Array.isArray(p)) {
      throw argumentError('params', 'must be an object of payment parameters, as in EPayWidget.run({ project_id, payment_id, ... })');
    }
  }),
  followRedirect,
  showCode: deferredHandle('showCode', 2),
});

export default EPayWidget;
