// The Adyen reference page's script: Adyen Web Drop-in 6 with three redirect/voucher
// methods, tree-shaken imports (the smallest Drop-in an integrator can ship), payment
// methods given by the page (as a shop's server would embed its /paymentMethods answer).
import { AdyenCheckout, Dropin, Doku, Oxxo, Redirect } from '@adyen/adyen-web';

const data = JSON.parse(document.getElementById('checkout-data').textContent);

(async () => {
  const checkout = await AdyenCheckout({
    clientKey: 'test_BENCHLOCALBENCHLOCALBENCHLOCAL00',
    environment: 'test',
    // Everything Adyen would ask its servers for goes to this page's own origin instead
    // (the bench runs offline); the bench's server answers analytics and 404s the rest.
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
    paymentMethodComponents: [Doku, Oxxo, Redirect],
    openFirstPaymentMethod: false,
  }).mount('#dropin');
})();
