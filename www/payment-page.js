// The hosted Payment Page (GET /payment, served by the sandbox: cli/src/sandbox/platform/
// payment_page.rs). The merchant's server built the URL with an official SDK and signed its
// parameters; the page hands them to the widget exactly as they arrived (the query string's
// text, which is what the SDKs signed), full page. After the result the customer goes back
// where the merchant said: `redirect_success_url` / `redirect_fail_url` at once (after the
// result is shown), `merchant_success_url` / `merchant_fail_url` by a link on the result.
const EPayWidget = window.EPayWidget ?? (await import('/pkg/epay-widget.mjs')).EPayWidget;

const params = JSON.parse(document.getElementById('epay-payment-params').textContent);
const back = document.getElementById('payment-return');
// How long the result stays on screen before a redirect_*_url takes the customer back.
const REDIRECT_AFTER_MS = 1500;

/** A URL the customer may be sent to: absolute http(s) only (the platform checked it in `open`). */
function safeUrl(text) {
  if (typeof text !== 'string' || !text) return null;
  try {
    const u = new URL(text);
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.href : null;
  } catch {
    return null;
  }
}

let finished = false;
function finish(ok) {
  if (finished) return;
  finished = true;
  const redirect = safeUrl(ok ? params.redirect_success_url : params.redirect_fail_url);
  const merchant = safeUrl(ok ? params.merchant_success_url : params.merchant_fail_url);
  if (merchant) {
    const a = document.createElement('a');
    a.href = merchant;
    a.id = 'payment-return-link';
    a.textContent = 'Return to the shop';
    back.replaceChildren(a);
    back.hidden = false;
  }
  if (redirect) {
    back.dataset.redirect = redirect;
    // `redirect_*_mode` is parent_page or iframe: this page is the top page either way.
    setTimeout(() => window.location.assign(redirect), REDIRECT_AFTER_MS);
  }
}

window.epayPaymentPage = EPayWidget.run(
  { ...params, onSuccess: () => finish(true), onDecline: () => finish(false) },
  { target: '#checkout' },
);
