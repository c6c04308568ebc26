// A merchant page bundled by webpack 5 (no webpack.config.js): the wasm is found through
// the package's `new URL(..., import.meta.url)`, which webpack emits as an asset.
import { EPayWidget } from 'epay-widget';

const log = (name, detail) => {
  const li = document.createElement('li');
  li.dataset.event = name;
  li.textContent = `${name} ${JSON.stringify(detail ?? null)}`;
  document.querySelector('#events').append(li);
};

document.querySelector('#pay').addEventListener('click', async () => {
  // The shop's server signs the parameters (the sandbox's demo merchant back end).
  const res = await fetch('/merchant/orders', {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ amount: 10000, currency: 'KES' }),
  });
  const { params } = await res.json();
  EPayWidget.run({ ...params, onReady: (e) => log('ready', e), onError: (e) => log('error', e) }, { target: '#checkout' });
});
