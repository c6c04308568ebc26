/*! epay-widget loader, classic script: <script src=".../epay-widget.js"></script>
 *
 * Defines window.EPayWidget = { run, followRedirect, showCode } at once. Calls made before
 * the wasm module is ready are queued and replayed in order; run() returns a handle whose
 * destroy() works even before the module has loaded. The module is loaded with a dynamic
 * import() from next to this script, and the platform base URL defaults to this script's
 * origin. No inline code and no eval: works under
 * Content-Security-Policy: script-src 'self' 'wasm-unsafe-eval'.
 */
(function () {
  'use strict';
  if (window.EPayWidget && window.EPayWidget.__loader) return; // included twice: keep the first

  var script = document.currentScript;
  if (!script) {
    var all = document.querySelectorAll('script[src*="epay-widget.js"]');
    script = all[all.length - 1];
  }
  var src = new URL(script && script.src ? script.src : 'epay-widget.js', location.href).href;
  var origin = new URL(src).origin;
  var wasm = null;
  var failure = null;
  var queue = [];

  function widgetError(code, param, message) {
    var e = new Error(message);
    e.name = 'EPayWidgetError';
    e.code = code;
    e.param = param;
    return e;
  }

  function argumentError(param, rule) { return widgetError('invalid_argument', param, param + ': ' + rule); }
  function loadFailed() { return widgetError('load_failed', null, 'the payment widget could not be loaded: ' + failure); }

  // The last argument is the options object: fill in the default platform URL.
  function withBase(options) {
    if (options !== undefined && options !== null && (typeof options !== 'object' || Array.isArray(options))) {
      throw argumentError('options', "must be an object such as { target: '#checkout' }");
    }
    var o = {};
    for (var k in options || {}) if (Object.prototype.hasOwnProperty.call(options, k)) o[k] = options[k];
    if (o.baseUrl === undefined || o.baseUrl === null) o.baseUrl = origin;
    return o;
  }

  function reportLoadFailure(args) {
    for (var i = 0; i < args.length; i++) {
      var f = args[i] && typeof args[i] === 'object' ? args[i].onError : null;
      if (typeof f === 'function') {
        try {
          f({ code: 'load_failed', param: null, message: 'the payment widget could not be loaded: ' + failure, retryable: true });
        } catch (e) { console.error('[epay-widget] onError threw:', e); }
        return;
      }
    }
  }

  function flush() {
    var q = queue;
    queue = [];
    for (var i = 0; i < q.length; i++) q[i]();
  }

  import(new URL('epay_widget.js', src).href)
    .then(function (m) {
      return m.default({ module_or_path: new URL('epay_widget_bg.wasm', src) }).then(function () { wasm = m; });
    })
    .catch(function (e) {
      failure = e && e.message ? e.message : String(e);
      console.error('[epay-widget] could not load the widget module:', e);
    })
    .then(flush);

  // Wraps an export that returns a handle ({ destroy }) so that it can be called at once.
  function deferredHandle(name, optionsIndex, check) {
    return function () {
      var args = Array.prototype.slice.call(arguments);
      if (check) check(args);
      args[optionsIndex] = withBase(args[optionsIndex]);
      var inner = null;
      var destroyed = false;
      var handle = {
        destroy: function () {
          destroyed = true;
          if (inner) { var i = inner; inner = null; i.destroy(); }
        },
      };
      var start = function () {
        if (destroyed) return;
        if (typeof wasm[name] !== 'function') throw new Error('EPayWidget.' + name + ' is not available in this version');
        inner = wasm[name].apply(null, args) || null;
      };
      if (wasm) { start(); return handle; }
      queue.push(function () {
        if (destroyed) return;
        if (!wasm) { reportLoadFailure(args); return; }
        try { start(); } catch (e) { console.error('[epay-widget] ' + name + ' failed:', e); }
      });
      return handle;
    };
  }

  // A promise, loaded or not: resolves once the form is submitted (the page is leaving);
  // rejects with the widget's error (`bad_redirect` naming the field) and nothing navigates.
  function followRedirect() {
    var args = Array.prototype.slice.call(arguments);
    var go = function () {
      if (typeof wasm.followRedirect !== 'function') throw new Error('EPayWidget.followRedirect is not available in this version');
      wasm.followRedirect.apply(null, args);
    };
    try {
      args[1] = withBase(args[1]);
      if (wasm) { go(); return Promise.resolve(); }
    } catch (e) {
      return Promise.reject(e);
    }
    return new Promise(function (resolve, reject) {
      queue.push(function () {
        if (!wasm) { reject(loadFailed()); return; }
        try { go(); resolve(); } catch (e) { reject(e); }
      });
    });
  }

  window.EPayWidget = {
    __loader: true,
    run: deferredHandle('run', 1, function (args) {
      var p = args[0];
      // Same rule as the module: a programming mistake throws at once, even before load.
      if (p === null || typeof p !== 'object' || Array.isArray(p)) {
        throw argumentError('params', 'must be an object of payment parameters, as in EPayWidget.run({ project_id, payment_id, ... })');
      }
    }),
    followRedirect: followRedirect,
    showCode: deferredHandle('showCode', 2),
  };
})();
