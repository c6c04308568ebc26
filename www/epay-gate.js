// The demo shop, EPay cash in Gate mode. The shop's server (POST /merchant/gate/epay)
// builds and signs the Gate sale and sends it to the platform; this page waits for the
// callback that carries the code (redirect_data), shows it with EPayWidget.showCode, and
// follows the order until the result callback. Everything from the server reaches the
// page as text (textContent), never as HTML.
import { majorToMinor, money, json, logEvent, callbackItem } from '/shop-common.js';

const EPayWidget = window.EPayWidget ?? (await import('/pkg/epay-widget.mjs')).EPayWidget;

const $ = (sel) => document.querySelector(sel);
const FINAL = new Set(['success', 'decline', 'expired', 'error', 'cancelled', 'refunded']);
let current = new URLSearchParams(location.search).get('order');
let handle = null;
let shownCode = null;
let timer = null;

function say(text) { $('#epay-status').textContent = text; }
function fail(text) {
  const el = $('#epay-error');
  el.textContent = text;
  el.hidden = !text;
}


function callbackLine(c) {
  return callbackItem(c, (b, op) => {
    const parts = [`payment ${b.payment?.id} ${b.payment?.status}`,
      `${b.payment?.method ?? ''} ${b.payment?.sum ? money(b.payment.sum.amount, b.payment.sum.currency) : ''}`.trim(),
      `operation ${op.type} ${op.status}${op.code ? ` code ${op.code} ${op.message}` : ''}`];
    if (b.redirect_data) parts.push(`redirect_data ${b.redirect_data.method} ${b.redirect_data.url} reference ${b.redirect_data.body?.reference_number}`);
    return parts;
  });
}

function showResult(status, op) {
  const el = $('#result');
  el.dataset.status = status;
  el.className = status === 'success' ? 'ok' : 'error';
  el.textContent = status === 'success'
    ? 'Paid at the EPay terminal. The shop\'s server got the signed success callback.'
    : `The payment ended: ${status}${op?.message ? ` (${op.message})` : ''}. Start a new order for a new code.`;
  el.hidden = false;
  if (handle) { handle.destroy(); handle = null; }
}

function showCode(order, redirectData) {
  const reference = redirectData.body?.reference_number;
  if (shownCode === reference) return;
  shownCode = reference;
  if (handle) handle.destroy();
  const theme = new URLSearchParams(location.search).get('theme'); // light | dark | auto (default)
  handle = EPayWidget.showCode('#checkout', redirectData, {
    ...(theme ? { theme } : {}),
    payment_amount: order.params?.payment?.amount,
    payment_currency: order.params?.payment?.currency,
    onCode: (e) => logEvent('code', e),
    onError: (e) => logEvent('error', e),
  });
  say(`Code ${reference} received in the platform's callback: pay it at the EPay terminal before it expires.`);
}

/** Follows the order on the shop's own server: the callbacks, the code, the result. */
async function follow() {
  clearTimeout(timer);
  if (!current) return;
  let done = false;
  try {
    const order = await json(await fetch(`/merchant/orders/${encodeURIComponent(current)}`));
    const callbacks = order.callbacks.filter((c) => c.valid);
    const ol = $('#callbacks');
    if (ol.children.length !== order.callbacks.length) ol.replaceChildren(...order.callbacks.map(callbackLine));
    const withCode = callbacks.find((c) => c.body?.redirect_data);
    const last = callbacks[callbacks.length - 1]?.body;
    const status = last?.payment?.status;
    if (status && FINAL.has(status)) {
      showResult(status, last.operation);
      say('');
      done = true;
    } else if (withCode) {
      showCode(order, withCode.body.redirect_data);
    }
  } catch (e) {
    fail(`Order ${current}: ${e.message}`);
  }
  if (!done) timer = setTimeout(follow, document.hidden ? 5000 : 1000);
}

$('#epay-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  fail('');
  const amount = majorToMinor($('#amount').value);
  if (amount === null) { fail('Amount: enter a number such as 50.00'); return; }
  const body = { amount };
  for (const [k, sel] of [['customer_first_name', '#first-name'], ['customer_last_name', '#last-name'],
    ['customer_email', '#email'], ['customer_phone', '#phone'], ['description', '#description']]) {
    const v = $(sel).value.trim();
    if (v) body[k] = v;
  }
  const button = $('#epay-pay');
  button.disabled = true;
  try {
    say('The shop is sending a signed EPay cash sale to Gate…');
    const order = await json(await fetch('/merchant/gate/epay', {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
    }));
    if (handle) { handle.destroy(); handle = null; }
    shownCode = null;
    $('#result').hidden = true;
    $('#events').replaceChildren();
    $('#callbacks').replaceChildren();
    current = order.payment_id;
    const url = new URL(location.href);
    url.search = `?order=${encodeURIComponent(current)}`;
    history.replaceState(null, '', url);
    $('#order-info').textContent = `Order ${current}: ${money(amount, 'MYR')}`;
    say(`Gate accepted sale ${current}. Waiting for the platform's callback with the code…`);
    follow();
  } catch (e) {
    fail(`The shop could not start the payment: ${e.message}`);
    say('');
  } finally {
    button.disabled = false;
  }
});

document.addEventListener('visibilitychange', () => { if (!document.hidden && current) follow(); });
if (current) {
  $('#order-info').textContent = `Order ${current}`;
  follow();
}
