// The official ECommPay SDKs, as a merchant's server uses them (issue 23): the npm package
// `ecommpay` (tools/sdk, installed by scripts/install.sh) and the PyPI package
// `ecommpay-sdk` (a venv in ~/.cache/epay-py, the same script). Their own URL builders and
// signers, never a hand-built URL.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(path.join(root, 'tools', 'sdk', 'package.json'));
/** The npm SDK: `{ Payment, Callback, signer }`. */
export const npmSdk = require('ecommpay');

export const PYTHON = process.env.EPAY_PY || path.join(process.env.EPAY_PY_VENV || path.join(homedir(), '.cache', 'epay-py'), 'bin', 'python');
if (!existsSync(PYTHON)) {
  throw new Error(`the official Python SDK is not installed (${PYTHON}): run scripts/install.sh`);
}

/**
 * A Payment Page URL built by the npm SDK: `new Payment(projectId, secret, {}, base)`, each
 * parameter set through the SDK's own setter, then `getUrl()` (`${base}/payment?...`).
 */
export function npmUrl(base, projectId, secret, params) {
  const payment = new npmSdk.Payment(projectId, secret, {}, base);
  for (const [k, v] of Object.entries(params)) payment[k] = v;
  return payment.getUrl();
}

const PY_URL = `
import datetime, json, sys
from payment_page_sdk.gate import Gate
from payment_page_sdk.payment import Payment
a = json.loads(sys.argv[1])
gate = Gate(a['secret'], a['base'] + '/payment')
payment = Payment(a['project_id'], a['params'].pop('payment_id'))
for k, v in a['params'].items():
    if k == 'best_before':
        v = datetime.datetime.fromisoformat(v)
    setattr(payment, k, v)
print(gate.get_purchase_payment_page_url(payment))
`;

/**
 * A Payment Page URL built by the Python SDK: `Gate(secret, base + '/payment')`,
 * `Payment(project_id, payment_id)` with each parameter set as an attribute (`best_before`
 * as a datetime, as its docstring says), then `get_purchase_payment_page_url`.
 */
export function pythonUrl(base, projectId, secret, params) {
  const arg = JSON.stringify({ base, project_id: projectId, secret, params });
  return execFileSync(PYTHON, ['-c', PY_URL, arg]).toString().trim();
}

const PY_SIGN = `
import json, sys
from payment_page_sdk.signature_handler import SignatureHandler
corpus = json.load(sys.stdin)
print(json.dumps([SignatureHandler(c['secret']).sign(c['params']) for c in corpus]))
`;

/** The Python SDK's signatures of `[{secret, params}]`, in one run. */
export function pythonSignatures(corpus) {
  return JSON.parse(execFileSync(PYTHON, ['-c', PY_SIGN], { input: JSON.stringify(corpus), maxBuffer: 64 << 20 }).toString());
}
