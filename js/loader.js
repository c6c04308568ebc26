// The one source of both loaders: the classic script (js/epay-widget.js) and the ES module
// (js/epay-widget.mjs) each import this file, and scripts/build-widget.sh bundles them with
// esbuild into pkg/epay-widget.js (IIFE) and pkg/epay-widget.mjs (ESM).
//
// What it does: the API (run, followRedirect, showCode) is there at once; calls made before
// the wasm module is ready are queued and replayed in order; run() and showCode() return a
// handle whose destroy() works even before the load. If the module cannot be loaded, every
// call, made before or after the failure, hears of it: onError with `load_failed` (or
// `integrity`) naming the file, a rejected promise from followRedirect, a message in the
// widget's place, and one console message that says what to check.
//
// Pinned files: the build writes the SHA-384 of the glue and the wasm into the loaders
// (`__EPAY_SRI__`), and of the drawings module and each language pack into the glue (its export
// `__sri`): the loader uses only bytes with those hashes (fetch `integrity`; the glue through
// a `<link rel=modulepreload integrity>`, imported only once that verified it).

export function widgetError(code, param, message) {
  const e = new Error(message);
  e.name = 'EPayWidgetError';
  e.code = code;
  e.param = param;
  return e;
}

const argumentError = (param, rule) => widgetError('invalid_argument', param, `${param}: ${rule}`);

// Why the widget file `file` at `url` could not be had: a rejection with `integrity` (it is
// there, with other bytes: refused) or `load_failed` (HTTP status, network), naming the file.
export function fileFailed(url, file) {
  return fetch(url, { cache: 'no-store' })
    .catch(() => 0)
    .then((r) => {
      const e = widgetError(r && r.ok ? 'integrity' : 'load_failed', null, `${file}: ${r ? (r.ok ? 'SHA-384 mismatch' : `HTTP ${r.status}`) : 'unreachable'}`);
      e.file = file;
      throw e;
    });
}

/**
 * Fetches the widget file `file` from `url`: resolves to its response only when its bytes
 * have the SHA-384 `integrity` pins (a failed check is a network error: `fileFailed` says
 * which it was). A file without a pinned hash is refused.
 */
export const fetchPinned = (url, file, integrity) =>
  fetch(url, { integrity: integrity || 'sha384-AAAA' }).catch(() => fileFailed(url, file)); // no hash: refused

/**
 * The drawings module's exports (`drawings/src/lib.rs`: plain wasm, no glue) as the widget
 * calls them: `qr(text)` and `code128(text)` give `[viewBox, d]`, or null when the text
 * cannot be drawn.
 */
export function drawingsApi(x) {
  const enc = new TextEncoder();
  const dec = new TextDecoder();
  const draw = (fn) => (text) => {
    const bytes = enc.encode(String(text));
    const ptr = x.epay_alloc(bytes.length);
    new Uint8Array(x.memory.buffer, ptr, bytes.length).set(bytes);
    if (!fn(ptr, bytes.length)) return null;
    const out = dec.decode(new Uint8Array(x.memory.buffer, x.epay_out_ptr(), x.epay_out_len()));
    const nl = out.indexOf('\n');
    return [out.slice(0, nl), out.slice(nl + 1)];
  };
  return { qr: draw(x.epay_qr), code128: draw(x.epay_code128) };
}

/** Instantiates the drawings module from a fetch of it (streaming when served as wasm). */
export function instantiateDrawings(response) {
  const slow = () => response.then((r) => r.arrayBuffer()).then((b) => WebAssembly.instantiate(b, {}));
  const fast = WebAssembly.instantiateStreaming ? WebAssembly.instantiateStreaming(response, {}).catch(slow) : slow();
  return fast.then(({ instance }) => drawingsApi(instance.exports));
}

/**
 * @param {object} o
 * @param {() => Promise<object>} o.load  imports and initialises the first module's glue (the loading,
 *   error and picker screens), resolving to its exports
 * @param {() => Promise<object>} o.loadFlows  the same for the flows module (the whole widget), fetched
 *   once the picker is on screen, or at once for what the first module does not draw
 * @param {() => Promise<object>} [o.loadDrawings]  fetches and starts the drawings module (QR and barcode
 *   drawings), resolving to `drawingsApi(...)`; called at most once, when the widget first needs it
 * @param {(code: string) => Promise<object>} [o.loadLang]  fetches the language pack `lang/<code>.json`
 *   (every language but English); called at most once per language
 * @param {string | null} o.origin  the platform's origin (default `baseUrl`), or null when unknown
 * @param {string} o.from  where the files are loaded from, for the console message
 */
export function createEPayWidget({ load, loadFlows, loadDrawings, loadLang, origin, from }) {
  const live = new Set(); // the args of runs not destroyed: they hear of a codes or pack failure
  const packs = {};
  let drawings = null;

  const failureMessage = (failure) => `the payment widget could not be loaded: ${failure.message}`;
  const loadFailed = (failure) => Object.assign(widgetError(failure.code, null, failureMessage(failure)), { file: failure.file });
  // A file the widget fetched later (drawings module, language pack) that could not be had: the
  // widget goes on without it (numbers without drawings; English); every live run hears of it.
  const later = (p) => {
    p.catch((e) => {
      console.error(`[epay-widget] ${e.message}`);
      live.forEach((args) => report(args, e, e.message));
    });
    return p;
  };

  // The drawings module, fetched once whichever module asks first (or the picker, for a code
  // method on offer); `sri` is the asking glue's pins.
  const drawingsOnce = (sri) => drawings || (drawings = later(loadDrawings(sri)));

  // One wasm module: loaded once (`start`); `when(go, failed)` runs `go` once it is ready (at
  // once if it is), or `failed` if it cannot be had. Both modules share the packs and the
  // drawings module the loader fetched.
  function module(loadIt) {
    const s = { m: null, failure: null, loading: null, queue: [] };
    s.start = () => {
      if (!s.loading) {
        s.loading = Promise.resolve()
          .then(loadIt)
          .then((m) => {
            s.m = m;
            if (loadLang && typeof m.__setLangLoader === 'function') {
              m.__setLangLoader((code) => packs[code] || (packs[code] = later(loadLang(code, m.__sri))));
            }
            if (loadDrawings && typeof m.__setDrawingLoader === 'function') {
              m.__setDrawingLoader(() => drawingsOnce(m.__sri));
            }
            if (typeof m.__warm === 'function') m.__warm(); // the flows module: ready before the choice
          })
          .catch((e) => {
            s.failure = e && e.code ? e : widgetError('load_failed', null, (e && e.message) || String(e));
            const o = origin || 'the platform';
            console.error(
              `[epay-widget] could not load the widget from ${from}: ${s.failure.message}\n` +
              'Check the URL, that the files are there with Access-Control-Allow-Origin (for pages on other ' +
              `origins), and your CSP: script-src ${o} 'wasm-unsafe-eval'; connect-src ${o}.`,
              e,
            );
          })
          .then(() => {
            const q = s.queue;
            s.queue = [];
            for (const f of q) f();
          });
      }
      return s.loading;
    };
    s.when = (go, failed) => {
      if (s.m) {
        go();
      } else if (s.failure !== null) {
        Promise.resolve().then(failed); // after the caller has its handle or promise
      } else {
        s.queue.push(() => (s.m ? go() : failed()));
        s.start();
      }
    };
    return s;
  }
  const first = module(load);
  const flows = module(loadFlows);

  function withBase(options) {
    if (options !== undefined && options !== null && (typeof options !== 'object' || Array.isArray(options))) {
      throw argumentError('options', "must be an object such as { target: '#checkout' }");
    }
    const o = { ...(options || {}) };
    if ((o.baseUrl === undefined || o.baseUrl === null) && origin) o.baseUrl = origin;
    return o;
  }

  // onError of a call, with `code` and `file` from `e`.
  function report(args, e, message) {
    const f = args.find((a) => a && typeof a === 'object' && typeof a.onError === 'function');
    try {
      if (f) f.onError({ code: e.code, param: null, message, retryable: false, file: e.file });
    } catch (x) {
      console.error('[epay-widget] onError threw:', x);
    }
  }

  // The widget could not be had: onError, and a message in its place (never a blank page).
  function reportLoadFailure(args, t, failure) {
    report(args, failure, failureMessage(failure));
    const el = typeof t === 'string' ? document.querySelector(t) : t || document.body.appendChild(document.createElement('p'));
    if (el) {
      el.setAttribute('role', 'alert');
      el.textContent = 'The payment form could not be loaded.';
    }
  }

  // An `open` answer already here (the page's `options.opened`, or the one the first module
  // hands over): the shape of an early request, answered, with nothing to abort.
  function answered(url, body, status, text) {
    const ready = { status, text };
    return { url, body, ready, answer: Promise.resolve(ready), abort() {} };
  }

  // run() before the wasm is there: the checkout's `open` request starts now, beside the
  // wasm download, with the body the widget would send (JSON.stringify leaves out the
  // handlers, as the widget does). The widget takes its answer if it would have sent the
  // same request, and aborts it if the parameters fail its check or it is destroyed.
  //
  // `options.opened`: the answer the shop's server already had from `open` for these
  // parameters (the fast first screen, README "Performance"). Nothing is sent: the widget
  // takes it as it takes an early answer, at once, loaded or not.
  function openEarly(params, options) {
    const base = options && typeof options.baseUrl === 'string' ? options.baseUrl.replace(/\/+$/, '') : '';
    const opened = options ? options.opened : undefined;
    if (opened == null && (!base || typeof fetch !== 'function' || typeof AbortController !== 'function')) return undefined;
    let body;
    try {
      body = JSON.stringify(params);
    } catch (e) {
      return undefined; // a BigInt or a cycle: the widget names it
    }
    const url = `${base}/api/v1/checkout/open`;
    if (opened != null) return answered(url, body, 200, JSON.stringify(opened));
    const controller = new AbortController();
    // No Content-Type, as the widget sends it: a CORS simple request, no preflight.
    const answer = fetch(url, { method: 'POST', body, signal: controller.signal })
      .then((r) => r.text().then((text) => ({ status: r.status, text })));
    answer.catch(() => {}); // the widget reports it (a network failure), or never asks
    return { url, body, answer, abort: () => controller.abort() };
  }

  // An export that returns a handle ({ destroy }), callable before the load. `early`
  // (run only) starts work that need not wait for the wasm and is passed as an argument.
  //
  // run() draws with the first module (the picker) unless the flows module is already here or
  // the payment is forced to one method (no picker to draw): the first module calls `shown`
  // once its first screen is drawn (the flows module is fetched then, while the customer
  // chooses) and `handover` when the checkout needs the flows module, which then mounts in
  // the same place with the same `open` answer and the customer's choice.
  function deferredHandle(name, optionsIndex, check, early) {
    return (...args) => {
      if (check) check(args);
      args[optionsIndex] = withBase(args[optionsIndex]);
      let inner = null;
      let destroyed = false;
      let started;
      if (optionsIndex === 1) live.add(args);
      const handle = {
        destroy() {
          destroyed = true;
          live.delete(args);
          if (started) started.abort();
          if (inner) {
            const i = inner;
            inner = null;
            i.destroy();
          }
        },
      };
      const target = optionsIndex === 1 ? args[1].target : args[0];
      const failed = (mod) => () => {
        if (started) started.abort();
        if (!destroyed) reportLoadFailure(args, target, mod.failure);
      };
      // One checkout per place: what the other module shows there goes.
      const clear = (other) => other.m && other.m.__clear(target);
      const viaFlows = (params) => {
        if (typeof flows.m[name] !== 'function') throw new Error(`EPayWidget.${name} is not available in this version`);
        clear(first);
        inner = flows.m[name](...(early ? [args[0], args[1], started, params] : args)) || null;
      };
      // After this task (the first module may hand over from inside its run()); not after the
      // customer closed the picker or the page destroyed the checkout.
      const handover = (method, readyTold, url, body, status, text) =>
        queueMicrotask(() =>
          flows.when(() => {
            if (destroyed || (inner && !inner.__live())) return;
            if (inner) inner.destroy();
            inner = null;
            started = text === undefined ? undefined : answered(url, body, status, text);
            viaFlows({ method, readyTold });
          }, () => {
            if (inner) inner.destroy();
            inner = null;
            failed(flows)();
          }));
      const forced = early && typeof args[0].force_payment_method === 'string' && args[0].force_payment_method !== '';
      const mod = !early || flows.m || forced ? flows : first;
      const go = () => {
        if (destroyed) return;
        if (mod === flows) return viaFlows();
        clear(flows);
        if (!started) started = early(args); // the first module draws from the loader's `open` only
        // Once the picker is drawn: the flows module, and the drawings module for a code method.
        const shown = (codes) => {
          flows.start();
          if (codes && loadDrawings) drawingsOnce(first.m.__sri);
        };
        inner = first.m.run(args[0], args[1], started, { shown, handover }) || null;
      };
      // An answer the page already has (options.opened) is taken at once, loaded or not.
      const given = early && args[optionsIndex].opened != null;
      if (given) started = early(args);
      if (mod.m) {
        go(); // loaded: a programming mistake throws to the caller
        return handle;
      }
      // After this task: a run destroyed at once (a page replacing it) sends nothing.
      if (early && !given) {
        queueMicrotask(() => {
          if (!destroyed && !mod.m && mod.failure === null) started = early(args);
        });
      }
      mod.when(() => {
        try {
          go();
        } catch (e) {
          console.error(`[epay-widget] ${name} failed:`, e);
        }
      }, failed(mod));
      return handle;
    };
  }

  // A promise, loaded or not: resolves when the browser starts leaving for the partner;
  // rejects with the widget's error (`bad_redirect` naming the field, `redirect_failed`,
  // `load_failed`) and nothing navigates.
  function followRedirect(...args) {
    const go = () => {
      if (typeof flows.m.followRedirect !== 'function') throw new Error('EPayWidget.followRedirect is not available in this version');
      return flows.m.followRedirect(...args);
    };
    try {
      args[1] = withBase(args[1]);
      if (flows.m) return Promise.resolve(go());
    } catch (e) {
      return Promise.reject(e);
    }
    return new Promise((resolve, reject) => {
      flows.when(
        () => {
          try {
            resolve(go());
          } catch (e) {
            reject(e);
          }
        },
        () => reject(loadFailed(flows.failure)),
      );
    });
  }

  return {
    /** Starts loading the first module (the picker) now instead of at the first call. */
    preload: first.start,
    /** Starts loading the flows module now: a Gate page's `showCode` and `followRedirect` use it. */
    preloadFlows: flows.start,
    api: Object.freeze({
      run: deferredHandle(
        'run',
        1,
        (args) => {
          const p = args[0];
          // A programming mistake throws at once, even before the load.
          if (p === null || typeof p !== 'object' || Array.isArray(p)) {
            throw argumentError('params', 'must be an object of payment parameters, as in EPayWidget.run({ project_id, payment_id, ... })');
          }
          const o = args[1];
          const opened = o && typeof o === 'object' ? o.opened : undefined;
          if (opened == null) return;
          if (typeof opened !== 'object' || Array.isArray(opened)) {
            throw argumentError('options.opened', 'must be the object your server got from POST /api/v1/checkout/open for these parameters');
          }
          for (const key of ['project_id', 'payment_id']) {
            if (String(opened[key]) !== String(p[key])) {
              throw argumentError('options.opened', `is the answer for ${key} ${JSON.stringify(opened[key])}, not for these parameters' ${JSON.stringify(p[key])}`);
            }
          }
        },
        (args) => openEarly(args[0], args[1]),
      ),
      followRedirect,
      showCode: deferredHandle('showCode', 2),
    }),
  };
}
