// Every screen a customer can meet on the www/ merchant pages, how to open each one, and
// the checks several e2e test files make on them: layout at phone width and axe-core.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { shot, waitForCallback } from './harness.js';

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export const CUSTOMER_MY = 'first=Putra&last=Cane&email=putra%40example.com&phone=60321669552';
const CARD_READY = 'currency=KES&method=card-partner&phone=254712345678&email=customer%40example.com';

/** A payment the platform is still working on, as `open` answers it (for `fake`). */
/**
 * A fake `open` answer for the very order the page signed (the widget refuses an answer for
 * another payment), read from the demo shop as the page left it in its URL (Firefox's
 * request interception has no request body).
 */
function pendingOpen(status, method = 'card-partner') {
  return async (page) => {
    const { origin, order } = await page.evaluate(() => ({ origin: location.origin, order: new URL(location.href).searchParams.get('order') }));
    const sent = (await (await fetch(`${origin}/merchant/orders/${encodeURIComponent(order)}`)).json()).params;
    return {
      session: 'e2e-fake-session', project_id: sent.project_id, payment_id: sent.payment_id, amount: sent.payment_amount, currency: sent.payment_currency,
      methods: [{ code: method, fields: [] }], forced_method: method, customer: {}, payment: { status, method },
    };
  };
}

/**
 * Every screen a customer can meet, and how to reach it on embed.html (or `path`).
 * `block`: answer that request with 204 (a navigation stays where it is; a fetch fails);
 * `fake`: [pathname regex, JSON body | async (page) => JSON body | 'abort'] pairs the browser gets instead of the
 * platform's answer (states the sandbox only passes through: a payment still processing,
 * the network going away); `then`: steps after load.
 */
export const SCREENS = [
  { name: 'picker', query: 'currency=KES', screen: 'picker' },
  { name: 'picker-modal', query: 'currency=KES&modal=1', screen: 'picker' },
  { name: 'fields', query: 'currency=KES&method=card-partner', screen: 'fields' },
  {
    name: 'fields-invalid', query: 'currency=KES&method=card-partner', screen: 'fields',
    then: async (page) => {
      await page.locator('>>> .epay-form button[type="submit"]').click();
      await page.waitForSelector('>>> input[aria-invalid="true"]');
    },
  },
  { name: 'redirecting', query: CARD_READY, screen: 'redirecting', block: /\/sim\/partner\/pay$/ },
  { name: 'code', query: `currency=MYR&method=epaycash&${CUSTOMER_MY}`, screen: 'code' },
  { name: 'terminal', query: 'currency=KZT&method=paydala&account=7123456789', screen: 'terminal' },
  { name: 'error-params', query: 'currency=USD&amount=300001&method=card-partner', screen: 'error' },
  { name: 'error-network', query: 'currency=KES', screen: 'error', code: 'network', fake: [[/\/api\/v1\/checkout\/open$/, 'abort']] },
  { name: 'error-modal', query: 'currency=USD&amount=300001&method=card-partner&modal=1', screen: 'error' },
  { name: 'fields-epay', query: 'currency=MYR&method=epaycash', screen: 'fields' },
  {
    name: 'waiting', query: 'currency=KES&method=card-partner', screen: 'waiting',
    fake: [[/\/api\/v1\/checkout\/open$/, pendingOpen('processing')], [/\/api\/v1\/checkout\/status$/, { status: 'processing', method: 'card-partner' }]],
  },
  {
    name: 'stalled', query: 'currency=KES&method=card-partner', screen: 'stalled', timeout: 40000,
    fake: [[/\/api\/v1\/checkout\/open$/, pendingOpen('processing')], [/\/api\/v1\/checkout\/status$/, 'abort']],
  },
  { name: 'code-gate', path: '/epay-gate.html', query: '', screen: 'code', then: async (page) => page.locator('#epay-pay').click() },
  { name: 'result-success', query: CARD_READY, screen: 'result', then: partner('approve') },
  { name: 'result-decline', query: CARD_READY, screen: 'result', then: partner('decline') },
  { name: 'result-expired', query: `currency=MYR&method=epaycash&${CUSTOMER_MY}`, screen: 'result', then: expireAtTerminal },
  { name: 'result-refunded', query: CARD_READY, screen: 'result', status: 'refunded', then: refundAfterApproval },
];
export const screen = (name) => SCREENS.find((s) => s.name === name);

/** Approves at the partner, has the shop refund the order through Gate, reloads: the widget shows it refunded. */
async function refundAfterApproval(page) {
  await partner('approve')(page);
  await page.waitForSelector('>>> .epay-body[data-screen="result"][data-status="success"]', { timeout: 20000 });
  const base = new URL(page.url()).origin;
  const order = new URL(page.url()).searchParams.get('order');
  const r = await fetch(`${base}/merchant/orders/${encodeURIComponent(order)}/refund`, { method: 'POST' });
  assert.equal((await r.json()).accepted, true);
  await waitForCallback(base, order, (b) => b.payment?.status === 'refunded', 'refund callback');
  await page.reload({ waitUntil: 'load' });
}

/** The EPay code is shown, then the sandbox terminal (another tab) makes it expire. */
async function expireAtTerminal(page) {
  const ref = await page.waitForSelector('>>> [data-testid="reference-number"]', { timeout: 20000 });
  const reference = (await ref.evaluate((e) => e.textContent)).trim();
  const base = new URL(page.url()).origin;
  const tab = await page.browser().newPage();
  await tab.goto(`${base}/sim/epay`, { waitUntil: 'load' });
  await tab.locator('#reference').fill(reference);
  await Promise.all([tab.waitForNavigation({ waitUntil: 'load' }), tab.locator('#find').click()]);
  await Promise.all([tab.waitForNavigation({ waitUntil: 'load' }), tab.locator('#expire').click()]);
  await tab.close();
  await page.bringToFront(); // a hidden tab does not poll
}

function partner(decision) {
  return async (page) => {
    await page.waitForFunction(() => location.pathname === '/sim/partner/pay', { timeout: 15000 });
    await page.waitForSelector(`#${decision}`);
    await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.locator(`#${decision}`).click()]);
  };
}

/** Opens embed.html with `query` and waits for `screen`. */
export async function open(page, base, spec, extra = '') {
  if (spec.block || spec.fake) {
    await page.setRequestInterception(true);
    page.on('request', (r) => {
      if (r.isInterceptResolutionHandled()) return;
      const pathname = new URL(r.url()).pathname;
      if (r.method() === 'OPTIONS') return r.continue();
      const fake = (spec.fake ?? []).find(([re]) => re.test(pathname));
      if (fake && fake[1] === 'abort') return r.abort('internetdisconnected');
      if (fake && typeof fake[1] === 'function') {
        return fake[1](page).then((body) => r.respond({ status: 200, contentType: 'application/json', headers: { 'access-control-allow-origin': '*' }, body: JSON.stringify(body) }));
      }
      if (fake) return r.respond({ status: 200, contentType: 'application/json', headers: { 'access-control-allow-origin': '*' }, body: JSON.stringify(fake[1]) });
      if (spec.block?.test(pathname)) return r.respond({ status: 204, body: '' });
      return r.continue();
    });
  }
  await page.goto(`${base}${spec.path ?? '/embed.html'}?${spec.query}${extra}`, { waitUntil: 'load' });
  if (spec.then) await spec.then(page);
  try {
    const sel = `>>> .epay-body[data-screen="${spec.screen}"]${spec.code ? `[data-code="${spec.code}"]` : ''}${spec.status ? `[data-status="${spec.status}"]` : ''}`;
    await page.waitForSelector(sel, { timeout: spec.timeout ?? 20000 });
  } catch (e) {
    const seen = await page.evaluate(() => ({
      url: location.href, visibility: document.visibilityState,
      widget: document.querySelector('epay-checkout')?.shadowRoot?.textContent ?? null,
      page: document.body.textContent.replace(/\s+/g, ' ').slice(0, 500),
    })).catch((err) => String(err));
    await shot(page, `FAILED-${spec.name}`).catch(() => {});
    throw new Error(`screen ${spec.screen} did not show: ${JSON.stringify(seen)}; page errors: ${JSON.stringify(page.errors)}`, { cause: e });
  }
  // Let fonts, the focus move and the first poll settle.
  await new Promise((r) => setTimeout(r, 300));
}

/** Layout problems of the widget: horizontal overflow, tap targets under 44 px. */
export async function layoutProblems(page) {
  return page.evaluate(() => {
    const problems = [];
    const host = document.querySelector('epay-checkout');
    const root = host.shadowRoot;
    const card = root.querySelector('.epay-card');
    for (const el of [host, root.querySelector('.epay'), card]) {
      if (el.clientWidth > 0 && el.scrollWidth > el.clientWidth) {
        problems.push(`overflow: ${el.className || el.tagName} scrollWidth ${el.scrollWidth} > clientWidth ${el.clientWidth}`);
      }
    }
    const doc = document.documentElement;
    if (doc.scrollWidth > doc.clientWidth) problems.push(`page overflow: ${doc.scrollWidth} > ${doc.clientWidth}`);
    const box = card.getBoundingClientRect();
    for (const el of root.querySelectorAll('*')) {
      if (el.closest('.epay-sr') || el.closest('details:not([open]) > :not(summary)')) continue;
      const r = el.getBoundingClientRect();
      if (r.width === 0 && r.height === 0) continue;
      if (r.left < box.left - 1 || r.right > box.right + 1) {
        problems.push(`${el.tagName.toLowerCase()}.${el.className} sticks out of the card: ${Math.round(r.left)}..${Math.round(r.right)} vs ${Math.round(box.left)}..${Math.round(box.right)}`);
      }
    }
    for (const el of root.querySelectorAll('button, input, select, textarea, summary, a[href]')) {
      const r = el.getBoundingClientRect();
      if (el.type === 'hidden' || (r.width === 0 && r.height === 0)) continue;
      if (r.height < 44 || r.width < 44) {
        problems.push(`tap target ${el.tagName.toLowerCase()}.${el.className} is ${Math.round(r.width)}x${Math.round(r.height)}`);
      }
    }
    return problems;
  });
}

/** axe-core on the widget's host (axe walks open shadow roots); returns readable violations. */
export async function axe(page) {
  await page.evaluate(AXE_SOURCE); // through the DevTools protocol: not subject to the page's CSP
  const result = await page.evaluate(async () => {
    const r = await window.axe.run(document.querySelector('epay-checkout'), {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] },
      resultTypes: ['violations', 'incomplete'],
    });
    // A contrast axe could not work out (a background it cannot read) is not a pass; a
    // glyph that is not text (the result screen's aria-hidden ✓) has none to work out.
    const unsure = r.incomplete.filter((v) => v.id === 'color-contrast')
      .map((v) => ({ ...v, impact: 'incomplete', nodes: v.nodes.filter((n) => !/only non-text characters/.test(n.any?.[0]?.message ?? '')) }))
      .filter((v) => v.nodes.length > 0);
    return [...r.violations, ...unsure].map((v) => `${v.id} (${v.impact}): ${v.help}\n    ${v.nodes.map((n) => `${n.target.join(' ')} ${n.failureSummary ?? n.any?.[0]?.message ?? ''}`).join('\n    ')}`);
  });
  return result;
}
