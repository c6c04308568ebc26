// The one source of both loaders: the classic script (js/epay-widget.js) and the ES module
// (js/epay-widget.mjs) each import this file, and scripts/build-widget.sh bundles them with
// esbuild into pkg/epay-widget.js (IIFE) and pkg/epay-widget.mjs (ESM).
//
// What it does: the API (run, followRedirect, showCode) is there at once; calls made before
// the wasm module is ready are queued and replayed in order; run() and showCode() return a
// handle whose destroy() works even before the load. If the module cannot be loaded, every
// call, made before or after the failure, hears of it: onError with `load_failed`, a
// rejected promise from followRedirect, and one console message that says what to check.

function widgetError(code, param, message) {
  const e = new Error(message);
  e.name = 'EPayWidgetError';
  e.code = code;
  e.param = param;
  return e;
}

const argumentError = (param, rule) => widgetError('invalid_argument', param, `${param}: ${rule}`);

/**
 * @param {object} o
 * @param {() => Promise<object>} o.load  imports and initialises the wasm glue, resolving to its exports
 * @param {string | null} o.origin  the platform's origin (default `baseUrl`), or null when unknown
 * @param {string} o.from  where the files are loaded from, for the console message
 */
export function createEPayWidget({ load, origin, from }) {
  let wasm = null;
  let failure = null;
  let loading = null;
  let queue = [];

  const failureMessage = () => `the payment widget could not be loaded: ${failure}`;
  const loadFailed = () => widgetError('load_failed', null, failureMessage());

  function start() {
    if (!loading) {
      loading = Promise.resolve()
        .then(load)
        .then((m) => { wasm = m; })
        .catch((e) => {
          failure = (e && e.message) || String(e);
          const o = origin || 'the platform';
          console.error(
            `[epay-widget] could not load the widget from ${from}: ${failure}\n` +
            'Check: that the URL is right and the files are there; that the server sends ' +
            "Access-Control-Allow-Origin on them (a page on another origin loads them with CORS); that your page's " +
            `Content-Security-Policy allows script-src ${o} 'wasm-unsafe-eval' and connect-src ${o}.`,
            e,
          );
        })
        .then(() => {
          const q = queue;
          queue = [];
          for (const f of q) f();
        });
    }
    return loading;
  }

  // Runs `go` once the module is ready (at once if it is), or `failed` if it cannot be had.
  function whenLoaded(go, failed) {
    if (failure !== null) {
      Promise.resolve().then(failed); // after the caller has its handle or promise
    } else {
      queue.push(() => (wasm ? go() : failed()));
      start();
    }
  }

  function withBase(options) {
    if (options !== undefined && options !== null && (typeof options !== 'object' || Array.isArray(options))) {
      throw argumentError('options', "must be an object such as { target: '#checkout' }");
    }
    const o = { ...(options || {}) };
    if ((o.baseUrl === undefined || o.baseUrl === null) && origin) o.baseUrl = origin;
    return o;
  }

  function reportLoadFailure(args) {
    const f = args.find((a) => a && typeof a === 'object' && typeof a.onError === 'function');
    if (!f) return;
    try {
      f.onError({ code: 'load_failed', param: null, message: failureMessage(), retryable: false });
    } catch (e) {
      console.error('[epay-widget] onError threw:', e);
    }
  }

  // An export that returns a handle ({ destroy }), callable before the load.
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
      const go = () => {
        if (destroyed) return;
        if (typeof wasm[name] !== 'function') throw new Error(`EPayWidget.${name} is not available in this version`);
        inner = wasm[name](...args) || null;
      };
      if (wasm) {
        go(); // loaded: a programming mistake throws to the caller
        return handle;
      }
      whenLoaded(
        () => {
          try {
            go();
          } catch (e) {
            console.error(`[epay-widget] ${name} failed:`, e);
          }
        },
        () => destroyed || reportLoadFailure(args),
      );
      return handle;
    };
  }

  // A promise, loaded or not: resolves when the browser starts leaving for the partner;
  // rejects with the widget's error (`bad_redirect` naming the field, `redirect_failed`,
  // `load_failed`) and nothing navigates.
  function followRedirect(...args) {
    const go = () => {
      if (typeof wasm.followRedirect !== 'function') throw new Error('EPayWidget.followRedirect is not available in this version');
      return wasm.followRedirect(...args);
    };
    try {
      args[1] = withBase(args[1]);
      if (wasm) return Promise.resolve(go());
    } catch (e) {
      return Promise.reject(e);
    }
    return new Promise((resolve, reject) => {
      whenLoaded(
        () => {
          try {
            resolve(go());
          } catch (e) {
            reject(e);
          }
        },
        () => reject(loadFailed()),
      );
    });
  }

  return {
    /** Starts loading now instead of at the first call. */
    preload: start,
    api: Object.freeze({
      run: deferredHandle('run', 1, (args) => {
        const p = args[0];
        // A programming mistake throws at once, even before the load.
        if (p === null || typeof p !== 'object' || Array.isArray(p)) {
          throw argumentError('params', 'must be an object of payment parameters, as in EPayWidget.run({ project_id, payment_id, ... })');
        }
      }),
      followRedirect,
      showCode: deferredHandle('showCode', 2),
    }),
  };
}
