// The demo shop's front end. Its server (/merchant/*) signs the payment parameters and
// fetches the platform's answer to `open` for them (README "The fast first screen"); this
// page only passes both to the widget and shows what the shop learns.
import { METHODS } from '/merchant/methods.js';

// The order form's pickers, from the shop's methods (the catalog), before anything else
// runs: a currency per option (`KES · Card`), each method after "Let the customer choose".
for (const m of METHODS) {
  const currency = document.querySelector('#currency');
  for (const c of m.currencies) {
    if ([...currency.options].some((o) => o.value === c)) continue;
    currency.append(new Option(`${c} · ${m.name}`, c));
  }
  document.querySelector('#method').append(new Option(m.code, m.code));
}

const EPayWidget = window.EPayWidget ?? (await import('/pkg/epay-widget.mjs')).EPayWidget;

const $ = (sel) => document.querySelector(sel);
let handle = null;
let currentPaymentId = null;
// PayDala (KZT): the top-up's callback carries the shop's deposit id, so list the account's.
let currentAccount = null;
let callbackTimer = null;

function logEvent(name, detail) {
  const li = document.createElement('li');
  li.dataset.event = name;
  li.className = name === 'success' ? 'ok' : (name === 'decline' || name === 'error') ? 'bad' : '';
  li.textContent = `${new Date().toLocaleTimeString()} ${name} ${detail ? JSON.stringify(detail) : ''}`;
  $('#events').append(li);
}

function majorToMinor(text) {
  const m = /^\s*(\d{1,12})(?:[.,](\d{1,2}))?\s*$/.exec(text);
  if (!m) return null;
  return Number(m[1]) * 100 + Number((m[2] || '0').padEnd(2, '0'));
}

async function json(res) {
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(body?.error?.message || `HTTP ${res.status}`);
  return body;
}

function startCheckout(order) {
  if (handle) handle.destroy();
  currentPaymentId = order.params.payment_id;
  currentAccount = order.params.payment_currency === 'KZT' ? String(order.params.customer_id) : null;
  $('#order-info').textContent = `Order ${order.params.payment_id}: ${order.params.payment_amount} minor units ${order.params.payment_currency}`;
  const url = new URL(location.href);
  url.searchParams.set('order', currentPaymentId);
  history.replaceState(null, '', url);
  const inModal = $('#in-modal').checked;
  handle = EPayWidget.run(
    {
      ...order.params,
      onReady: () => logEvent('ready'),
      onMethodSelected: (e) => logEvent('method', e),
      onRedirect: (e) => logEvent('redirect', { url: e.url, method: e.method }),
      onCode: (e) => logEvent('code', e),
      onSuccess: (e) => logEvent('success', e),
      onDecline: (e) => logEvent('decline', e),
      onError: (e) => logEvent('error', e),
      onClose: () => logEvent('close'),
    },
    // `opened` (null when the shop's server could not get it): the picker at once, no `open` from here.
    inModal ? { opened: order.opened } : { target: '#checkout', opened: order.opened },
  );
  watchCallbacks();
}

function watchCallbacks() {
  clearTimeout(callbackTimer);
  const poll = async () => {
    if (!currentPaymentId) return;
    try {
      const query = currentAccount ? `account=${encodeURIComponent(currentAccount)}` : `payment_id=${encodeURIComponent(currentPaymentId)}`;
      const list = await json(await fetch(`/merchant/callbacks?${query}`));
      const ol = $('#callbacks');
      ol.replaceChildren(...list.map((c) => {
        const li = document.createElement('li');
        const b = c.body || {};
        li.dataset.status = b.payment?.status ?? '';
        li.dataset.operation = b.operation?.type ?? '';
        li.className = c.valid ? 'ok' : 'bad';
        li.textContent = `${c.valid ? 'signature ok' : 'BAD SIGNATURE'} · payment ${b.payment?.id} ${b.payment?.status}` +
          ` · operation ${b.operation?.type} ${b.operation?.status} code ${b.operation?.code} ${b.operation?.message ?? ''}`;
        return li;
      }));
    } catch (e) { /* the shop's own server is down: try again later */ }
    callbackTimer = setTimeout(poll, 1500);
  };
  poll();
}

$('#order-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  $('#order-error').hidden = true;
  const amount = majorToMinor($('#amount').value);
  if (amount === null) {
    $('#order-error').textContent = 'Amount: enter a number such as 100.00';
    $('#order-error').hidden = false;
    return;
  }
  const body = { amount, currency: $('#currency').value };
  const opt = { method: '#method', language_code: '#language', customer_first_name: '#first-name',
    customer_last_name: '#last-name', customer_email: '#email', customer_phone: '#phone', account: '#account' };
  for (const [k, sel] of Object.entries(opt)) { const v = $(sel).value.trim(); if (v) body[k] = v; }
  try {
    const order = await json(await fetch('/merchant/orders', {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
    }));
    $('#events').replaceChildren();
    startCheckout(order);
  } catch (e) {
    $('#order-error').textContent = `The shop could not create the order: ${e.message}`;
    $('#order-error').hidden = false;
  }
});

// A customer coming back from the partner: the shop re-renders the same order. A POST:
// its server opens a checkout for it again (`opened`), and no GET changes anything.
const resume = new URLSearchParams(location.search).get('order');
if (resume) {
  fetch(`/merchant/orders/${encodeURIComponent(resume)}/open`, { method: 'POST' }).then(json).then(startCheckout).catch((e) => {
    $('#order-error').textContent = `Order ${resume}: ${e.message}`;
    $('#order-error').hidden = false;
  });
}
