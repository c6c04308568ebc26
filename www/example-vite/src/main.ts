// A merchant page built with Vite: the only widget-specific line is the import.
import { EPayWidget, type PaymentParams, type WidgetHandle } from 'epay-widget';
import './shop.css';

const events = document.querySelector<HTMLOListElement>('#events')!;
const log = (name: string, detail: unknown): void => {
  const li = document.createElement('li');
  li.dataset.event = name;
  li.textContent = `${name} ${JSON.stringify(detail)}`;
  events.append(li);
};

// The shop's server signs the parameters (here: the sandbox's demo merchant back end).
async function createOrder(currency: string): Promise<PaymentParams> {
  const body: Record<string, string | number> = { amount: 10000, currency };
  if (currency === 'KZT') body.account = '7123456789';
  if (currency === 'MYR') Object.assign(body, { customer_first_name: 'Putra', customer_last_name: 'Cane', customer_email: 'putra@example.com', customer_phone: '60321669552' });
  const res = await fetch('/merchant/orders', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`order: HTTP ${res.status}`);
  return ((await res.json()) as { params: PaymentParams }).params;
}

let handle: WidgetHandle | null = null;
const checkout = document.querySelector<HTMLElement>('#checkout')!;
checkout.addEventListener('epay:success', (e) => log('dom:success', e.detail.status));

document.querySelector<HTMLFormElement>('#order')!.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const currency = document.querySelector<HTMLSelectElement>('#currency')!.value;
  const params = await createOrder(currency);
  handle?.destroy();
  handle = EPayWidget.run(
    {
      ...params,
      onReady: (e) => log('ready', e.payment_id),
      onMethodSelected: (e) => log('method', e.method),
      onCode: (e) => log('code', e.body.reference_number),
      onSuccess: (e) => log('success', e.status),
      onDecline: (e) => log('decline', e.code),
      onError: (e) => log('error', `${e.param}: ${e.message}`),
    },
    { target: checkout, theme: 'light' },
  );
});
