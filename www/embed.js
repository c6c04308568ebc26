// A bare merchant page for trying options and for the e2e tests. Query string:
//   currency, amount (minor units), method, lang, email, phone, first, last, account:
//     the order, signed by the shop's server (/merchant/orders);
//   theme=light|dark|auto, modal=1, base=URL (options.baseUrl);
//   hostile=1: adds hostile.css, a page stylesheet that tries to break the widget;
//   order=ID: resume that order (set by this page before the customer leaves for the partner).
(function () {
  'use strict';
  var q = new URLSearchParams(location.search);
  var info = document.getElementById('order-info');
  var events = document.getElementById('events');

  if (q.get('hostile') === '1') {
    var link = document.createElement('link');
    link.rel = 'stylesheet';
    link.href = '/hostile.css';
    document.head.appendChild(link);
  }
  if (q.get('theme') === 'dark') document.body.classList.add('dark');

  function log(name, detail) {
    var li = document.createElement('li');
    li.dataset.event = name;
    li.textContent = name + ' ' + JSON.stringify(detail === undefined ? null : detail);
    events.appendChild(li);
  }

  function json(res) {
    return res.json().then(function (body) {
      if (!res.ok) throw new Error((body && body.error && body.error.message) || 'HTTP ' + res.status);
      return body;
    });
  }

  function start(order) {
    var params = order.params;
    info.textContent = 'Order ' + params.payment_id;
    var url = new URL(location.href);
    url.searchParams.set('order', params.payment_id);
    history.replaceState(null, '', url);
    var options = {};
    if (q.get('modal') !== '1') options.target = '#checkout';
    if (q.get('theme')) options.theme = q.get('theme');
    if (q.get('base')) options.baseUrl = q.get('base');
    var names = ['onReady', 'onMethodSelected', 'onRedirect', 'onCode', 'onSuccess', 'onDecline', 'onError', 'onClose'];
    names.forEach(function (n) {
      options[n] = function (e) { log(n.slice(2).toLowerCase(), e); };
    });
    window.checkout = window.EPayWidget.run(params, options);
  }

  var resume = q.get('order');
  var ready = resume
    ? fetch('/merchant/orders/' + encodeURIComponent(resume)).then(json)
    : (function () {
      var body = { amount: Number(q.get('amount') || 10000), currency: q.get('currency') || 'KES' };
      var fields = { method: 'method', language_code: 'lang', customer_email: 'email', customer_phone: 'phone',
        customer_first_name: 'first', customer_last_name: 'last', account: 'account' };
      Object.keys(fields).forEach(function (k) { if (q.get(fields[k])) body[k] = q.get(fields[k]); });
      return fetch('/merchant/orders', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then(json);
    })();
  ready.then(start, function (e) { info.textContent = 'The shop could not create the order: ' + e.message; });
})();
