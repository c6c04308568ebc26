// The Adyen reference page's script: Adyen Web 6 Drop-in with the Redirect, Econtext and
// DuitNow components, tree-shaken imports (the smallest Drop-in an integrator ships for these
// three), payment methods given by the page (as a shop's server embeds its /paymentMethods
// answer). Redirect serves every type Adyen Web has no component of (here grabpay_MY, a
// redirect to the wallet, as card-partner is ours); Econtext a convenience-store voucher
// (econtext_seven_eleven, as PayDala's terminal code); DuitNow a QR (as EPay cash's code).
import { AdyenCheckout, Dropin, Redirect, Econtext, DuitNow } from '@adyen/adyen-web';

const data = JSON.parse(document.getElementById('checkout-data').textContent);

(async () => {
  const checkout = await AdyenCheckout({
    clientKey: 'test_BENCHLOCALBENCHLOCALBENCHLOCAL00',
    environment: 'test',
    // Everything Adyen would ask its servers for goes to this page's own origin instead
    // (the bench runs offline, *.adyen.com is blocked): the bench's server answers
    // analytics, 404s images and translations, and the bench counts these requests.
    _environmentUrls: {
      api: `${location.origin}/adyen-test-api/`,
      analytics: `${location.origin}/adyen-test-analytics/`,
      cdn: { images: `${location.origin}/adyen-test-cdn/`, translations: `${location.origin}/adyen-test-cdn/` },
    },
    analytics: { enabled: false },
    amount: data.amount,
    countryCode: data.countryCode,
    locale: data.locale,
    paymentMethodsResponse: data.paymentMethodsResponse,
    onSubmit: (state, component, actions) => actions.reject(),
    onError: (e) => console.error('adyen onError', e && e.message),
  });
  new Dropin(checkout, {
    paymentMethodComponents: [Redirect, Econtext, DuitNow],
    openFirstPaymentMethod: false,
  }).mount('#dropin');
})();
