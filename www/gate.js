// The demo shop in Gate mode. The shop's server (/merchant/gate/*) builds and signs the
// Gate requests and sends them to the platform; this page asks it to, waits for the
// callback that carries redirect_data, and hands that to EPayWidget.followRedirect.
// When the platform first asks for clarification (seed 001: the sale lacked the phone or
// e-mail), the page asks the shop user for them and the shop's server sends them.
// Everything from the server reaches the page as text (textContent), never as HTML.
import { majorToMinor, money, json, callbackItem } from '/shop-common.js';

const EPayWidget = window.EPayWidget ?? (await import('/pkg/epay-widget.mjs')).EPayWidget;

const $ = (sel) => document.querySelector(sel);
const query = new URLSearchParams(location.search);
let current = query.get('order');

async function post(url, body) {
  return json(await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body ?? {}) }));
}

function say(text) { $('#gate-status').textContent = text; }
function fail(text) {
  const el = $('#gate-error');
  el.textContent = text;
  el.hidden = !text;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Polls the shop's own server until the platform's next signed callback says what to do:
 * { redirectData } (go to the partner) or { clarification } (the platform asks for details).
 */
async function nextStep(paymentId) {
  const end = Date.now() + 30000;
  while (Date.now() < end) {
    const order = await json(await fetch(`/merchant/gate/orders/${encodeURIComponent(paymentId)}`));
    if (order.redirect_data) return { redirectData: order.redirect_data };
    if (order.clarification) return { clarification: order.clarification };
    await sleep(400);
  }
  throw new Error('no callback with redirect_data from the platform in 30 s');
}

/** From the sale's acceptance to the partner, answering a clarification on the way. */
async function proceed(paymentId) {
  for (;;) {
    const step = await nextStep(paymentId);
    if (step.redirectData) {
      say('Sending you to the card partner…');
      await EPayWidget.followRedirect(step.redirectData);
      return;
    }
    await askClarification(paymentId, step.clarification);
    say(`The shop sent your details to the platform. Waiting for the platform's callback with redirect_data…`);
  }
}

// ---------------------------------------------------------------------------------------
// Clarification: the platform's callback listed missing customer fields; the shop user
// supplies them, the shop's server signs and sends them (POST /merchant/gate/orders/{id}/clarify).
// ---------------------------------------------------------------------------------------

const CLARIFY = {
  customer_phone: { label: 'Phone', input: '#clarify-phone', error: '#clarify-phone-error' },
  customer_email: { label: 'Email', input: '#clarify-email', error: '#clarify-email-error' },
};
let pendingClarification = null;

function fieldError(name, message) {
  const f = CLARIFY[name];
  if (!f) return;
  const input = $(f.input);
  const el = $(f.error);
  el.textContent = message ? `${f.label}: ${message}` : '';
  el.hidden = !message;
  if (message) input.setAttribute('aria-invalid', 'true'); else input.removeAttribute('aria-invalid');
}

/** Shows the form for the asked fields; resolves once the platform accepted the answer. */
function askClarification(paymentId, clarification) {
  const asked = clarification.fields.filter((f) => CLARIFY[f]);
  const form = $('#clarify-form');
  for (const [name, f] of Object.entries(CLARIFY)) {
    const row = form.querySelector(`[data-field="${name}"]`);
    row.hidden = !asked.includes(name);
    $(f.input).required = asked.includes(name);
    fieldError(name, '');
  }
  const labels = asked.map((f) => CLARIFY[f].label.toLowerCase());
  $('#clarify-intro').textContent = `The payment platform needs your ${labels.join(' and ')} before it can send you to the card partner.`;
  form.hidden = false;
  refresh();
  say(`The platform asked the shop for your ${labels.join(' and ')} (payment ${paymentId}).`);
  $(CLARIFY[asked[0]].input).focus();
  return new Promise((resolve) => { pendingClarification = { paymentId, asked, resolve }; });
}

$('#clarify-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const pending = pendingClarification;
  if (!pending) return;
  fail('');
  const body = {};
  const missing = [];
  for (const name of pending.asked) {
    const v = $(CLARIFY[name].input).value.trim();
    fieldError(name, v ? '' : 'is required to go on with the payment');
    if (v) body[name] = v; else missing.push(name);
  }
  if (missing.length) { $(CLARIFY[missing[0]].input).focus(); return; }
  const button = $('#clarify-send');
  button.disabled = true;
  try {
    const answer = await post(`/merchant/gate/orders/${encodeURIComponent(pending.paymentId)}/clarify`, body);
    if (!answer.accepted) {
      // The platform refused: name the field it names (additional_data.customer.email).
      const param = (answer.gate?.param ?? '').replace(/^additional_data\./, '').replace('.', '_');
      if (CLARIFY[param]) { fieldError(param, answer.gate.message); $(CLARIFY[param].input).focus(); }
      fail(`The platform refused the details: ${answer.gate?.message ?? 'no reason given'}`);
      return;
    }
    pendingClarification = null;
    $('#clarify-form').hidden = true;
    refresh();
    pending.resolve();
  } catch (e) {
    const named = (e.errors ?? []).filter((x) => CLARIFY[x.param]);
    for (const x of named) fieldError(x.param, x.message);
    if (named.length) $(CLARIFY[named[0].param].input).focus();
    else fail(`The shop could not send your details: ${e.message}`);
  } finally {
    button.disabled = false;
  }
});

$('#gate-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  fail('');
  const amount = majorToMinor($('#amount').value);
  if (amount === null) { fail('Amount: enter a number such as 100.00'); return; }
  const body = { amount, currency: $('#currency').value };
  for (const [k, sel] of [['customer_email', '#email'], ['customer_phone', '#phone']]) {
    const v = $(sel).value.trim();
    if (v) body[k] = v;
  }
  const button = $('#gate-pay');
  button.disabled = true;
  try {
    say('The shop is sending a signed card-partner sale to Gate…');
    const order = await post('/merchant/gate/card-partner', body);
    current = order.payment_id;
    const url = new URL(location.href);
    url.search = `?order=${encodeURIComponent(current)}`;
    history.replaceState(null, '', url);
    refresh();
    if (!order.accepted) {
      fail(`The platform refused the sale: ${order.gate?.message ?? 'no reason given'}`);
      say('');
      return;
    }
    say(`Gate accepted sale ${current}. Waiting for the platform's callback with redirect_data…`);
    await proceed(current);
  } catch (e) {
    fail(`The shop could not start the payment: ${e.message}`);
    say('');
  } finally {
    button.disabled = false;
  }
});

// ---------------------------------------------------------------------------------------
// Orders: keyed updates, so a button keeps its focus while the list refreshes.
// ---------------------------------------------------------------------------------------

const STATUS_CLASS = { success: 'paid', refunded: 'refunded', decline: 'bad', refused: 'bad', error: 'bad', expired: 'bad' };

function text(el, value) { if (el.textContent !== value) el.textContent = value; }

function callbackLine(c) {
  return callbackItem(c, (b, op) => {
    const parts = [`payment ${b.payment?.status}`,
      `sum ${b.payment?.sum ? money(b.payment.sum.amount, b.payment.sum.currency) : '?'}`,
      `${op.type} ${op.status}${op.code ? ` code ${op.code} ${op.message}` : ''}`];
    if (b.redirect_data) parts.push(`redirect_data ${b.redirect_data.method} ${b.redirect_data.url}`);
    if (b.clarification_fields) {
      const asked = Object.entries(b.clarification_fields.properties ?? {}).flatMap(([k, v]) => (v.required ?? []).map((n) => `${k}.${n}`));
      parts.push(`clarification_fields ${asked.join(', ')}`);
    }
    return parts;
  });
}

function orderItem(paymentId) {
  const li = document.createElement('li');
  li.className = 'order';
  li.dataset.paymentId = paymentId;
  const head = document.createElement('div');
  head.className = 'order-head';
  for (const cls of ['order-id', 'order-mode', 'order-amount', 'order-status']) {
    const span = document.createElement('span');
    span.className = cls;
    head.append(span);
  }
  const actions = document.createElement('span');
  actions.className = 'order-actions';
  const button = document.createElement('button');
  button.type = 'button';
  button.dataset.refund = paymentId;
  button.hidden = true;
  button.addEventListener('click', () => refund(paymentId, button));
  actions.append(button);
  head.append(actions);
  const answer = document.createElement('p');
  answer.className = 'refund-answer';
  answer.setAttribute('role', 'status');
  const log = document.createElement('ol');
  log.className = 'log';
  log.setAttribute('aria-label', `Callbacks for ${paymentId}`);
  li.append(head, answer, log);
  return li;
}

function showRefundAnswer(li, refund) {
  const el = li.querySelector('.refund-answer');
  if (!refund) { text(el, ''); delete el.dataset.result; return; }
  el.dataset.result = refund.accepted ? 'accepted' : 'refused';
  text(el, refund.accepted
    ? `Refund accepted by the platform (request ${refund.answer?.request_id ?? '?'}); the result comes in a callback.`
    : `Refund refused by the platform: ${refund.answer?.message ?? 'no reason given'}`);
}

function render(orders) {
  const ol = $('#orders');
  const existing = new Map([...ol.children].map((li) => [li.dataset.paymentId, li]));
  $('#orders-empty').hidden = orders.length > 0;
  orders.forEach((o, i) => {
    const li = existing.get(o.payment_id) ?? orderItem(o.payment_id);
    existing.delete(o.payment_id);
    if (ol.children[i] !== li) ol.insertBefore(li, ol.children[i] ?? null);
    li.dataset.status = o.status;
    li.classList.toggle('current', o.payment_id === current);
    text(li.querySelector('.order-id'), o.payment_id);
    text(li.querySelector('.order-mode'), o.mode === 'payment_page' ? 'Payment Page' : 'Gate');
    text(li.querySelector('.order-amount'), money(o.amount, o.currency));
    const status = li.querySelector('.order-status');
    text(status, o.status);
    status.className = `order-status ${STATUS_CLASS[o.status] ?? ''}`;
    const button = li.querySelector('button[data-refund]');
    const paid = o.status === 'success' || o.status === 'refunded';
    button.hidden = !paid;
    text(button, o.status === 'refunded' ? 'Refund again' : 'Refund');
    button.classList.toggle('secondary', o.status === 'refunded');
    button.setAttribute('aria-label', `${o.status === 'refunded' ? 'Refund again' : 'Refund'} ${o.payment_id}`);
    showRefundAnswer(li, o.refund);
    const log = li.querySelector('.log');
    if (log.children.length !== o.callbacks.length) log.replaceChildren(...o.callbacks.map(callbackLine));
  });
  for (const li of existing.values()) li.remove();
}

async function refund(paymentId, button) {
  button.disabled = true;
  try {
    if ($('#decline-next-refund').checked) {
      await post('/sim/partner/refund-decline', { payment_id: paymentId });
      $('#decline-next-refund').checked = false;
    }
    const answer = await post(`/merchant/orders/${encodeURIComponent(paymentId)}/refund`);
    const li = button.closest('li');
    showRefundAnswer(li, { accepted: answer.accepted, answer: answer.gate });
    await refresh();
  } catch (e) {
    fail(`The shop could not ask for the refund: ${e.message}`);
  } finally {
    button.disabled = false;
  }
}

let timer = null;
async function refresh() {
  try {
    render(await json(await fetch('/merchant/gate/orders')));
  } catch (e) { /* the shop's own server is down: try again later */ }
}

function poll() {
  clearTimeout(timer);
  refresh().finally(() => { timer = setTimeout(poll, document.hidden ? 5000 : 1500); });
}
document.addEventListener('visibilitychange', () => { if (!document.hidden) poll(); });
poll();

// A customer coming back from the partner.
const result = query.get('result');
if (current && !result) {
  // Reloaded while the platform waits for details: ask again.
  fetch(`/merchant/gate/orders/${encodeURIComponent(current)}`).then(json).then((o) => {
    if (o.clarification) {
      $('#gate-pay').disabled = true;
      proceed(current)
        .catch((e) => { fail(`The shop could not go on with the payment: ${e.message}`); say(''); })
        .finally(() => { $('#gate-pay').disabled = false; });
    }
  }).catch(() => { /* not one of the shop's card orders */ });
}
if (current && result) {
  say(result === 'success'
    ? `Back from the card partner: payment ${current} approved. The order below turns "success" when the shop's server gets the signed callback.`
    : `Back from the card partner: payment ${current} declined.`);
}
