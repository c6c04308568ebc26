// Calls the widget before its wasm has loaded, as a page does whose server rendered the
// signed parameters into it: run (kept), run then destroy at once (must never render), and
// followRedirect with a URL it must refuse (its promise must reject, nothing navigates).
// Parameters: the URL fragment, url-encoded JSON signed by the shop (tests sign them).
// Each outcome is a line in #events: <li data-event="...">name {json}</li>.
(function () {
  'use strict';

  function start(api, loader) {
    var events = document.getElementById('events');
    function note(name, detail) {
      var li = document.createElement('li');
      li.dataset.event = name;
      li.textContent = name + ' ' + JSON.stringify(detail === undefined ? null : detail);
      events.appendChild(li);
    }
    var params;
    try {
      params = JSON.parse(decodeURIComponent(location.hash.slice(1)));
    } catch (e) {
      note('bad-fragment', { message: e.message });
      return;
    }
    var wasm = new URL('/pkg/epay_widget_bg.wasm', location.href).href;
    // Whether the browser had even asked for the wasm when the page called the widget.
    note('called', { loader: loader, wasmRequested: performance.getEntriesByName(wasm).length > 0 });

    var options = { target: '#checkout' };
    ['onReady', 'onMethodSelected', 'onRedirect', 'onSuccess', 'onDecline', 'onError'].forEach(function (n) {
      options[n] = function (e) { note(n.slice(2).toLowerCase(), e); };
    });
    window.checkout = api.run(params, options);

    var doomed = api.run(params, { target: '#doomed', onReady: function () { note('doomed-ready'); } });
    doomed.destroy();

    api.followRedirect({ method: 'POST', url: 'javascript:alert(1)', body: {} }).then(
      function () { note('redirect-followed'); },
      function (e) { note('redirect-refused', { code: e.code, param: e.param }); }
    );
  }

  window.earlyStart = start;
  if (window.EPayWidget) start(window.EPayWidget, 'script');
})();
