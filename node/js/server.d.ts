// Types of epay-widget/server (Node 18+): the merchant's server library.

/** A value the signature covers. */
export type ParamValue = string | number | boolean | null | ParamValue[] | { [key: string]: ParamValue };

/** Payment Page parameters (or any object to sign), without `signature`. */
export interface Params {
  [key: string]: ParamValue;
}

/** What the platform would refuse about how a set signs, naming the parameter and the rule. */
export interface SignWarning {
  /** The parameter holding the value (`customer_last_name`, `customer:last_name`). */
  param: string;
  /** `separator` (the value could be read as, or hide, another parameter) or `name` (a key the platform cannot read). */
  code: 'separator' | 'name';
  message: string;
}

/** The signature of `params` (HMAC-SHA512, Base64), byte for byte the official SDKs'. */
export function sign(params: Params, secret: string): string;
/** `sign`, plus the platform's warnings about how the set signs. Never refuses. */
export function signChecked(params: Params, secret: string): { signature: string; warnings: SignWarning[] };
/** `params` with `signature` added at the root. */
export function withSignature<P extends Params>(params: P, secret: string): P & { signature: string };

/** The default body limit of `verifyCallback` and `readBody`: 65536 bytes. */
export const DEFAULT_MAX_CALLBACK_BYTES: number;

export type CallbackErrorCode = 'too_large' | 'not_json' | 'bad_signature' | 'not_a_callback';

/** Why `verifyCallback` refused a body. Answer it with a 4xx. */
export class CallbackError extends Error {
  readonly name: 'CallbackError';
  readonly code: CallbackErrorCode;
}

/** A payment or operation status as on the wire (`success`, `decline`, `awaiting customer`, ...). */
export type PaymentStatus =
  | 'success' | 'decline' | 'processing' | 'awaiting customer' | 'awaiting redirect result'
  | 'awaiting clarification' | 'awaiting 3ds result' | 'awaiting confirmation' | 'awaiting capture'
  | 'external processing' | 'error' | 'internal error' | 'external error' | 'expired' | 'cancelled'
  | 'refunded' | 'partially refunded' | 'reversed' | 'partially reversed' | (string & {});

export interface Sum {
  /** Minor units. */
  amount: number;
  currency: string;
}

export interface CallbackPayment {
  /** Your `payment_id` (for PayDala top-ups: the `payment_id` you answered to check_deposit). */
  id: string;
  type: string;
  status: PaymentStatus;
  date: string;
  method: string;
  sum: Sum;
  description: string;
}

export interface CallbackOperation {
  id: number;
  type: string;
  status: PaymentStatus;
  date: string;
  created_date: string;
  request_id: string;
  sum_initial: Sum;
  sum_converted: Sum;
  code: string;
  message: string;
  provider: { id: number; payment_id: string; date?: string; auth_code: string };
}

/** Where to send the customer (pass it to EPayWidget.followRedirect in the page). */
export interface RedirectData {
  method: 'GET' | 'POST';
  url: string;
  /** The form fields, as text. */
  body: { [key: string]: string };
}

/** A verified callback. */
export interface Callback {
  project_id: number | string;
  payment: CallbackPayment;
  customer?: { id?: string; phone?: string; email?: string };
  account?: { number: string };
  operation: CallbackOperation;
  redirect_data?: RedirectData;
  signature?: string;
  /**
   * What makes it unique (`250/order-1/389/success/success`: project, payment id, operation
   * id and status, payment status): act on each key once, answer 200 to a repeat.
   */
  key: string;
  /** The whole document as received (fields the model does not name included). */
  document: { [key: string]: ParamValue };
}

export interface VerifyCallbackOptions {
  /** Refuse a larger body (`too_large`). Default DEFAULT_MAX_CALLBACK_BYTES. */
  maxBytes?: number;
}

/**
 * Verifies a callback as received (the raw body, before any JSON.parse): size, exactly one
 * JSON value, signature, then a callback's structure. Throws CallbackError.
 */
export function verifyCallback(rawBody: string | Uint8Array, secret: string, options?: VerifyCallbackOptions): Callback;

/** Reads a request body up to `maxBytes` (rejects with CallbackError `too_large` beyond); a Buffer under Node. */
export function readBody(req: AsyncIterable<Uint8Array> & { headers?: { [name: string]: string | string[] | undefined } }, maxBytes?: number): Promise<Uint8Array>;

// --- PayDala --------------------------------------------------------------------------------

export interface PaydalaVerifyRequest {
  type: 'verify';
  projectId: number;
  /** The account number typed at the terminal. */
  customerId: string;
}

export interface PaydalaCheckDepositRequest {
  type: 'check_deposit';
  projectId: number;
  customerId: string;
  /** Minor units (100000 is 1000.00 KZT). */
  amount: number;
  currency: string;
}

export type PaydalaRequest = PaydalaVerifyRequest | PaydalaCheckDepositRequest;

/** The seed's codes: 0 ok, 400 bad signature, 404 no such account or cannot be processed, 500 your failure. */
export type PaydalaCode = 0 | 400 | 404 | 500;

/** A request refused before your code is asked; send `answer` with HTTP 200. */
export class PaydalaError extends Error {
  readonly name: 'PaydalaError';
  readonly code: 400 | 404;
  /** The JSON answer body. */
  readonly answer: string;
}

/** Verifies a PayDala request; throws PaydalaError. */
export function readPaydalaRequest(rawBody: string | Uint8Array, secret: string): PaydalaRequest;

/** The answers' JSON bodies, built with the core's rules (throws TypeError on what the seed forbids). */
export const paydalaAnswer: {
  verifyOk(currency: string, additionalCustomerId?: string): string;
  checkDepositOk(paymentId: string, description?: string): string;
  notFound(message?: string): string;
  badSignature(message?: string): string;
  error(message: string): string;
};

export interface PaydalaAccount {
  /** ISO 4217 alpha-3 (KZT). */
  currency: string;
  additionalCustomerId?: string;
}

export interface PaydalaDeposit {
  /** Your id of the deposit: the callback's `payment.id`. */
  paymentId: string;
  description?: string;
}

export interface PaydalaMerchant {
  lookupAccount(customerId: string): PaydalaAccount | null | Promise<PaydalaAccount | null>;
  /** Book the deposit as pending (credit it on the callback); null: the account is gone (404). */
  createDeposit(request: PaydalaCheckDepositRequest): PaydalaDeposit | null | Promise<PaydalaDeposit | null>;
}

export interface PaydalaReply {
  /** Always 200: the outcome is `code` in the body. */
  status: 200;
  contentType: 'application/json';
  code: PaydalaCode;
  body: string;
}

/** Answers one PayDala request body for `merchant`. */
export function handlePaydala(rawBody: string | Uint8Array, secret: string, merchant: PaydalaMerchant): Promise<PaydalaReply>;

// --- Gate -----------------------------------------------------------------------------------

export interface GateCustomer {
  id: string;
  ipAddress: string;
  phone?: string;
  email?: string;
  firstName?: string;
  lastName?: string;
}

export interface GateSale {
  /** Default 'card-partner' (KES or USD); 'epay' is EPay cash (MYR). */
  method?: 'card-partner' | 'epay';
  projectId: number;
  paymentId: string;
  customer: GateCustomer;
  payment: { amount: number; currency: string; description?: string };
  /** card-partner only: where the partner sends the customer back. */
  returnUrl?: { success?: string; decline?: string };
}

export interface GateParamError {
  /** The parameter, as a path (`payment.amount`, `customer.email`). */
  param: string;
  code: string;
  message: string;
}

/** A Gate request the platform would refuse. */
export class GateRequestError extends Error {
  readonly name: 'GateRequestError';
  readonly code: 'invalid_params';
  readonly errors: GateParamError[];
}

export interface GateRequest {
  /** POST `body` as JSON to `{platform}{path}`. */
  path: string;
  body: { [key: string]: ParamValue };
}

export function gateSale(sale: GateSale, secret: string): GateRequest;
export function gateRefund(refund: { projectId: number; paymentId: string }, secret: string): GateRequest;
