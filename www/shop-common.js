// Helpers the demo shop's pages share (demo.js, gate.js, epay-gate.js). Text as text: every
// value reaches the page through textContent.

/** "100.00" (or "100,5") as minor units, or null when it is not such an amount. */
export function majorToMinor(text) {
  const m = /^\s*(\d{1,12})(?:[.,](\d{1,2}))?\s*$/.exec(text);
  if (!m) return null;
  return Number(m[1]) * 100 + Number((m[2] || '0').padEnd(2, '0'));
}

export const money = (amount, currency) => `${(amount / 100).toFixed(2)} ${currency}`;

/** The shop server's JSON answer; an error that is not 2xx, with the platform's message and `errors`. */
export async function json(res) {
  const body = await res.json().catch(() => ({}));
  if (!res.ok) {
    const e = new Error(body?.error?.message || `HTTP ${res.status}`);
    e.errors = body?.error?.errors ?? [];
    throw e;
  }
  return body;
}

/** One widget event in the page's #events log. */
export function logEvent(name, detail) {
  const li = document.createElement('li');
  li.dataset.event = name;
  li.className = name === 'success' ? 'ok' : (name === 'decline' || name === 'error') ? 'bad' : '';
  li.textContent = `${new Date().toLocaleTimeString()} ${name} ${detail ? JSON.stringify(detail) : ''}`;
  document.querySelector('#events').append(li);
}

/**
 * A callback the shop received (`{valid, body}`), as a log line: "signature ok" (class ok) or
 * "BAD SIGNATURE" (class bad), then `parts(body, operation)` joined with " · "; data-status,
 * data-operation and data-operation-status for the tests.
 */
export function callbackItem(c, parts) {
  const b = c.body || {};
  const op = b.operation || {};
  const li = document.createElement('li');
  li.className = c.valid ? 'ok' : 'bad';
  li.dataset.status = b.payment?.status ?? '';
  li.dataset.operation = op.type ?? '';
  li.dataset.operationStatus = op.status ?? '';
  li.textContent = [c.valid ? 'signature ok' : 'BAD SIGNATURE', ...parts(b, op)].join(' · ');
  return li;
}
