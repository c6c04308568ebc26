// What a merchant writes: compiles under tsc --strict (e2e/tests/types.test.js).
import { EPayWidget, type PaymentParams, type ErrorEvent } from 'epay-widget';

export async function checkout(): Promise<void> {
  const params: PaymentParams = await (await fetch('/orders', { method: 'POST' })).json();
  const handle = EPayWidget.run(
    {
      ...params,
      language_code: 'ru',
      force_payment_method: 'epaycash',
      onSuccess: (e) => console.log(e.payment_id, e.sum?.amount),
      onError: (e: ErrorEvent) => console.warn(e.code, e.param, e.message, e.file),
    },
    { target: '#checkout', baseUrl: 'https://platform.example', theme: 'dark' },
  );
  handle.destroy();
  const literal: PaymentParams = {
    project_id: 250,
    payment_id: 'order-1',
    payment_amount: 10000,
    payment_currency: 'MYR',
    customer_id: 'c1',
    customer_email: 'a@example.com',
    customer_phone: '60321669552',
    payment_description: 'Order 1',
    signature: 'c2ln',
  };
  EPayWidget.run(literal, { target: document.querySelector('#checkout') });
  // The one explicit way to send a parameter these types do not know.
  EPayWidget.run<{ promo_code: string }>({ ...literal, promo_code: 'SPRING' });
  document.querySelector('#checkout')?.addEventListener('epay:success', (e) => console.log(e.detail.sum));
  await EPayWidget.followRedirect({ method: 'POST', url: 'https://partner.example/pay', body: { a: 'b' } });
}
