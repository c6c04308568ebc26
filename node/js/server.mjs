// epay-widget/server: the merchant's server library for Node 18+. Signing, callback
// verification, PayDala answers and Gate requests from the project's Rust core (epay-core),
// compiled to WebAssembly: the same code as the `epay` CLI and the sandbox. No child process,
// no native binary, no network. Types: index.d.ts.
import { createRequire } from 'node:module';

// wasm-bindgen's Node glue (CommonJS, loads epay_node_bg.wasm next to it with
// fs.readFileSync + WebAssembly.Module, synchronously).
const core = createRequire(import.meta.url)('./epay_node.cjs');

/** The body limit `verifyCallback` applies unless told otherwise (bytes). */
export const DEFAULT_MAX_CALLBACK_BYTES = 64 * 1024;

const call = (text) => JSON.parse(text);

/**
 * A copy of `value` to sign: numbers as JavaScript writes them (`String(n)`, as the official
 * JS SDK does: 1e21 is "1e+21"), everything JSON cannot carry refused, naming the parameter
 * (the SDK would sign `undefined` as the text "undefined").
 */
function plain(value, path) {
  if (value === null || typeof value === 'boolean') return value;
  if (typeof value === 'string') {
    if (typeof value.isWellFormed === 'function' ? !value.isWellFormed() : /\p{Surrogate}/u.test(value)) {
      throw paramsError(path, 'must be well-formed Unicode (it holds a lone surrogate)');
    }
    return value;
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw paramsError(path, `must be a finite number, got ${value}`);
    return String(value);
  }
  if (Array.isArray(value)) return value.map((v, i) => plain(v, `${path}:${i}`));
  if (typeof value === 'object') {
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) throw paramsError(path, 'must be a plain object, an array, a string, a number, a boolean or null');
    const out = Object.create(null); // a key named __proto__ stays a key
    for (const [k, v] of Object.entries(value)) out[k] = plain(v, path ? `${path}:${k}` : k);
    return out;
  }
  throw paramsError(path, `must be a string, a number, a boolean, null, an array or an object, got ${typeof value}`);
}

function paramsError(param, rule) {
  const e = new TypeError(`${param || 'params'}: ${rule}`);
  e.code = 'invalid_params';
  e.param = param || 'params';
  return e;
}

function checkSecret(secret) {
  if (typeof secret !== 'string' || secret === '') {
    const e = new TypeError('secret: must be the project secret, a non-empty string');
    e.code = 'invalid_secret';
    e.param = 'secret';
    throw e;
  }
}

/**
 * The signature of `params` (HMAC-SHA512, Base64), byte for byte the official SDKs'. Sign
 * exactly what will be sent: every parameter but the widget's `on*` handlers.
 */
export function sign(params, secret) {
  return signChecked(params, secret).signature;
}

/**
 * `sign`, plus what the platform would refuse about how the set signs (a value that could
 * be read as, or hide, another parameter: `{ param, code, message }` each). Never refuses
 * to sign; do not send a set with warnings that holds what your customer typed.
 */
export function signChecked(params, secret) {
  checkSecret(secret);
  if (params === null || typeof params !== 'object' || Array.isArray(params)) throw paramsError('', 'must be an object of parameters');
  const r = call(core.signJson(JSON.stringify(plain(params, '')), secret));
  if (!r.ok) throw paramsError('', r.message);
  return { signature: r.signature, warnings: r.warnings ?? [] };
}

/** `params` with `signature` added at the root: what the page passes to EPayWidget.run. */
export function withSignature(params, secret) {
  return { ...params, signature: sign(params, secret) };
}

/** Why `verifyCallback` refused a body; `code` says it in one word. */
export class CallbackError extends Error {
  constructor(code, message) {
    super(message);
    this.name = 'CallbackError';
    this.code = code;
  }
}

const encoder = new TextEncoder();

function bytesOf(rawBody, what) {
  if (typeof rawBody === 'string') return encoder.encode(rawBody);
  if (rawBody instanceof Uint8Array) return rawBody; // a Buffer is one
  throw new TypeError(`${what}: must be the raw request body, a string or a Uint8Array/Buffer`);
}

/**
 * Verifies a callback as received (the raw body, before any JSON.parse): at most `maxBytes`,
 * exactly one JSON value, the signature (constant time), then a callback's structure (a
 * non-empty `payment` with `id` and `status`, an `operation` with `id` and `status`). The
 * order's signed Payment Page parameters are not a callback. Throws a CallbackError whose
 * `code` is `too_large`, `not_json`, `bad_signature` or `not_a_callback`.
 */
export function verifyCallback(rawBody, secret, options = {}) {
  checkSecret(secret);
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_CALLBACK_BYTES;
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 1 || maxBytes > 0xffffffff) {
    throw new TypeError(`options.maxBytes: must be a positive integer, got ${maxBytes}`);
  }
  const bytes = bytesOf(rawBody, 'rawBody');
  if (bytes.length > maxBytes) {
    throw new CallbackError('too_large', `callback: body is ${bytes.length} bytes, over the limit of ${maxBytes}`);
  }
  const r = call(core.verifyCallbackBytes(bytes, secret, maxBytes));
  if (!r.ok) throw new CallbackError(r.code, r.message);
  return { ...r.callback, key: r.key, document: r.document };
}

/**
 * Reads a request body as a stream (a node:http IncomingMessage), stopping at `maxBytes`:
 * resolves to a Buffer, or rejects with CallbackError `too_large` without reading the rest.
 */
export async function readBody(req, maxBytes = DEFAULT_MAX_CALLBACK_BYTES) {
  const declared = Number(req.headers?.['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    throw new CallbackError('too_large', `body: ${declared} bytes declared, over the limit of ${maxBytes}`);
  }
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > maxBytes) throw new CallbackError('too_large', `body: over the limit of ${maxBytes} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

// --- PayDala (seed 000) ------------------------------------------------------------------

/** A PayDala request refused before the merchant is asked; `answer` is the body to send. */
export class PaydalaError extends Error {
  constructor(code, message, answer) {
    super(message);
    this.name = 'PaydalaError';
    this.code = code;
    this.answer = answer;
  }
}

const camelRequest = (r) =>
  r.type === 'verify'
    ? { type: 'verify', projectId: r.project_id, customerId: r.customer_id }
    : { type: 'check_deposit', projectId: r.project_id, customerId: r.customer_id, amount: r.amount, currency: r.currency };

/**
 * Verifies a PayDala request (`verify` or `check_deposit`): a JSON object, signed with the
 * project secret, with the seed's parameters. Throws a PaydalaError (code 400 for the
 * signature, 404 for anything that cannot be processed) whose `answer` is what to send.
 */
export function readPaydalaRequest(rawBody, secret) {
  checkSecret(secret);
  const r = call(core.paydalaRead(bytesOf(rawBody, 'rawBody'), secret));
  if (!r.ok) throw new PaydalaError(r.code, r.message, r.body);
  return camelRequest(r.request);
}

const answer = (spec) => {
  const r = call(core.paydalaResponse(JSON.stringify(spec)));
  if (!r.ok) throw new TypeError(r.message);
  return r.body;
};

/** The answers' bodies (send each with HTTP 200 and content type application/json). */
export const paydalaAnswer = {
  /** `verify`, code 0: the account exists, in `currency`. */
  verifyOk: (currency, additionalCustomerId) =>
    answer({ type: 'verify', code: 0, currency, additional_customer_id: additionalCustomerId ?? null }),
  /** `check_deposit`, code 0: the deposit is booked as your `paymentId` (the callback's payment.id). */
  checkDepositOk: (paymentId, description) =>
    answer({ type: 'check_deposit', code: 0, payment_id: paymentId, description: description ?? null }),
  /** Code 404: no such account, or a request that cannot be processed. */
  notFound: (message) => answer({ type: 'verify', code: 404, message: message ?? null }),
  /** Code 400: the request's signature does not match. */
  badSignature: (message) => answer({ type: 'verify', code: 400, message: message ?? null }),
  /** Code 500: your own failure, described. */
  error: (message) => answer({ type: 'verify', code: 500, message }),
};

/**
 * Answers one PayDala request: verifies it, asks `merchant.lookupAccount(customerId)` (an
 * account `{ currency, additionalCustomerId? }` or null) and, for `check_deposit`,
 * `merchant.createDeposit(request)` (`{ paymentId, description? }`; book it as pending and
 * credit it on the callback), each may be async. Resolves to `{ status: 200, contentType,
 * code, body }`; a merchant function that throws is answered with code 500 naming it.
 */
export async function handlePaydala(rawBody, secret, merchant) {
  const reply = (code, body) => ({ status: 200, contentType: 'application/json', code, body });
  let request;
  try {
    request = readPaydalaRequest(rawBody, secret);
  } catch (e) {
    if (e instanceof PaydalaError) return reply(e.code, e.answer);
    throw e;
  }
  const wire = { type: request.type, project_id: request.projectId, customer_id: request.customerId, amount: request.amount, currency: request.currency };
  let lookup;
  try {
    const acc = await merchant.lookupAccount(request.customerId);
    lookup = acc == null ? { account: null } : { account: { currency: acc.currency, additional_customer_id: acc.additionalCustomerId ?? null } };
  } catch (e) {
    lookup = { error: `lookupAccount failed: ${e?.message ?? e}` };
  }
  let r = call(core.paydalaAnswer(JSON.stringify(wire), JSON.stringify(lookup), ''));
  if (!r.done) {
    let deposit;
    try {
      const d = await merchant.createDeposit(request);
      deposit = d == null ? { unknown_account: true } : { deposit: { payment_id: d.paymentId, description: d.description ?? null } };
    } catch (e) {
      deposit = { error: `createDeposit failed: ${e?.message ?? e}` };
    }
    r = call(core.paydalaAnswer(JSON.stringify(wire), JSON.stringify(lookup), JSON.stringify(deposit)));
  }
  return reply(r.code, r.body);
}

// --- Gate (seed 001, seed 002) -----------------------------------------------------------

/** A Gate request the platform would refuse; `errors` names each parameter. */
export class GateRequestError extends Error {
  constructor(errors) {
    super(errors.map((e) => e.message).join('; '));
    this.name = 'GateRequestError';
    this.code = 'invalid_params';
    this.errors = errors;
  }
}

function gate(fn, spec, secret) {
  checkSecret(secret);
  const r = call(fn(JSON.stringify(spec), secret));
  if (!r.ok) throw new GateRequestError(r.errors);
  return { path: r.path, body: r.body };
}

/**
 * A signed Gate sale body: `method` 'card-partner' (the default; KES or USD, optional
 * `returnUrl`) or 'epay' (MYR; names, e-mail, phone and description required). POST `body`
 * as JSON to `{platform}{path}`.
 */
export function gateSale(sale, secret) {
  const c = sale?.customer ?? {};
  const p = sale?.payment ?? {};
  const spec = {
    method: sale?.method ?? 'card-partner',
    project_id: sale?.projectId,
    payment_id: sale?.paymentId,
    customer: { id: c.id, ip_address: c.ipAddress, phone: c.phone, email: c.email, first_name: c.firstName, last_name: c.lastName },
    payment: { amount: p.amount, currency: p.currency, description: p.description },
    ...(sale?.returnUrl ? { return_url: { success: sale.returnUrl.success, decline: sale.returnUrl.decline } } : {}),
  };
  return gate(core.gateSale, spec, secret);
}

/** A signed full refund of a card-partner payment (`general` only). */
export function gateRefund(refund, secret) {
  return gate(core.gateRefund, { project_id: refund?.projectId, payment_id: refund?.paymentId }, secret);
}
