// The demo shop's page body, one source for www/index.html (classic script tag) and
// www/module.html (ES module): the order form, the payment panel and the shop's log.
// Built with the DOM (text as text), into <main id="shop">. The currencies and methods on
// offer come from the shop's methods (/merchant/methods.js, the catalog): none is listed here.
import { METHODS } from '/merchant/methods.js';

/** An element: `attrs` set as attributes (`true` for a bare one), then the children (text or elements). */
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === true) el.setAttribute(k, '');
    else if (v !== false && v != null) el.setAttribute(k, v);
  }
  el.append(...children);
  return el;
}

const row = (id, label, control) => h('div', { class: 'row' }, h('label', { for: id }, label), control);
const select = (id, name, options) =>
  h('select', { id, name }, ...options.map(([value, text]) => h('option', { value }, text)));
const textInput = (id, name, label, attrs = {}) => row(id, label, h('input', { id, name, autocomplete: 'off', ...attrs }));

/** Each currency once, named with the first method that takes it (`KES · Card`). */
function currencies() {
  const seen = new Map();
  for (const m of METHODS) for (const c of m.currencies) if (!seen.has(c)) seen.set(c, `${c} · ${m.name}`);
  return [...seen];
}

function orderPanel() {
  const form = h('form', { id: 'order-form' },
    row('amount', 'Amount', h('input', { id: 'amount', name: 'amount', inputmode: 'decimal', value: '100.00', required: true })),
    row('currency', 'Currency', select('currency', 'currency', currencies())),
    row('method', 'Method', select('method', 'method', [['', 'Let the customer choose'], ...METHODS.map((m) => [m.code, m.code])])),
    row('language', 'Language', select('language', 'language', [
      ['', "Browser's"], ['en', 'English'], ['ru', 'Русский'], ['kk', 'Қазақша'], ['ms', 'Bahasa Melayu'], ['sw', 'Kiswahili'],
    ])),
    h('fieldset', {},
      h('legend', {}, 'Customer data the shop already has (optional)'),
      textInput('first-name', 'first_name', 'First name'),
      textInput('last-name', 'last_name', 'Last name'),
      textInput('email', 'email', 'Email', { type: 'email' }),
      textInput('phone', 'phone', 'Phone', { type: 'tel' }),
      textInput('account', 'account', 'Account (PayDala)', { placeholder: '7123456789' })),
    h('button', { id: 'checkout-btn', type: 'submit' }, 'Checkout'),
    h('label', { class: 'inline' }, h('input', { id: 'in-modal', type: 'checkbox' }), ' open in a modal'));
  return h('section', { class: 'panel', 'aria-labelledby': 'order-h' },
    h('h2', { id: 'order-h' }, 'New order'), form, h('p', { id: 'order-error', class: 'error', role: 'alert', hidden: true }));
}

/** Fills <main id="shop"> with the three panels. */
export function buildShop() {
  document.getElementById('shop').replaceChildren(
    orderPanel(),
    h('section', { class: 'panel', 'aria-labelledby': 'pay-h' },
      h('h2', { id: 'pay-h' }, 'Payment'), h('p', { class: 'muted', id: 'order-info' }, 'No order yet.'), h('div', { id: 'checkout' })),
    h('section', { class: 'panel', 'aria-labelledby': 'log-h' },
      h('h2', { id: 'log-h' }, 'What the shop sees'),
      h('h3', {}, 'Widget events'), h('ol', { id: 'events', class: 'log' }),
      h('h3', {}, "Signed callbacks received by the shop's server"), h('ol', { id: 'callbacks', class: 'log' })));
}
