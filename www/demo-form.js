// The demo shop's page body, one source for www/index.html (classic script tag) and
// www/module.html (ES module): the order form, the payment panel and the shop's log.
// Built with the DOM (text as text), into <main id="shop">.

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

function orderPanel() {
  const form = h('form', { id: 'order-form' },
    row('amount', 'Amount', h('input', { id: 'amount', name: 'amount', inputmode: 'decimal', value: '100.00', required: true })),
    row('currency', 'Currency', select('currency', 'currency', [
      ['KES', 'KES · card partner'], ['USD', 'USD · card partner'], ['MYR', 'MYR · EPay cash'], ['KZT', 'KZT · PayDala terminal'],
    ])),
    row('method', 'Method', select('method', 'method', [
      ['', 'Let the customer choose'], ['card-partner', 'card-partner'], ['epaycash', 'epaycash'], ['paydala', 'paydala'],
    ])),
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
