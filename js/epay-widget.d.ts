// Types of the epay-widget package: `import { EPayWidget } from 'epay-widget'`.
// Also describe `window.EPayWidget` of the classic script (pkg/epay-widget.js).
//
// Amounts are integers in minor units everywhere (`payment_amount: 10000` is 100.00).

/** Payment method codes (`force_payment_method`, events). */
export type MethodCode = 'card-partner' | 'epaycash' | 'paydala';

/** Languages the widget speaks; anything else falls back to the browser's, then English. */
export type LanguageCode = 'en' | 'ru' | 'kk' | 'ms' | 'sw';

/** Payment statuses of the standard callback format. Unknown future statuses arrive as strings. */
export type PaymentStatus =
  | 'success'
  | 'decline'
  | 'processing'
  | 'awaiting customer'
  | 'awaiting redirect result'
  | 'awaiting clarification'
  | 'awaiting 3ds result'
  | 'awaiting confirmation'
  | 'awaiting capture'
  | 'external processing'
  | 'error'
  | 'internal error'
  | 'external error'
  | 'expired'
  | 'cancelled'
  | 'refunded'
  | 'partially refunded'
  | 'reversed'
  | 'partially reversed'
  | (string & {});

/**
 * Stable error codes of `onError` payloads and thrown `EPayWidgetError`s: exactly the
 * error codes the widget raises and the platform's widget API answers (`ErrorCode` in
 * `core/src/error_code.rs`; a test compares the two lists). `param` names the parameter
 * and `message` the rule.
 */
export type ErrorCode =
  | 'invalid_argument'
  | 'invalid_params'
  | 'invalid_option'
  | 'target_not_found'
  | 'no_document'
  | 'load_failed'
  | 'integrity'
  | 'network'
  | 'protocol'
  | 'bad_redirect'
  | 'redirect_failed'
  | 'no_method'
  | 'invalid_json'
  | 'bad_signature'
  | 'unknown_project'
  | 'unknown_session'
  | 'method_not_allowed'
  | 'method_not_available'
  | 'payment_id_reused'
  | 'storage_unavailable'
  | 'internal';

/** A value that can be sent (and signed) as a Payment Page parameter. */
export type ParamValue =
  | string
  | number
  | boolean
  | null
  | undefined
  | readonly ParamValue[]
  | { readonly [key: string]: ParamValue };

/** `{ amount, currency }`: amount in minor units. */
export interface Sum {
  amount: number;
  currency: string;
}

/** `redirect_data` as the platform sends it (seeds 001 and 002). */
export interface RedirectData {
  method: 'GET' | 'POST';
  /**
   * Where the form goes. Followed only when it passes the widget's redirect URL rule: in
   * short, `https:`, or plain `http:` to loopback in sandbox mode, and nothing a browser's
   * URL parser refuses. The rule in full: docs/embedding.md, "Which redirect URLs are followed".
   */
  url: string;
  /** Form fields; for EPay: `reference_number`, `valid_time`, `user_name`. */
  body: Record<string, string>;
}

export interface ReadyEvent {
  payment_id?: string;
}

export interface MethodSelectedEvent {
  payment_id?: string;
  method: MethodCode;
}

/** `onRedirect` and `onCode`: `redirect_data`'s own fields, plus the payment. */
export interface RedirectEvent extends RedirectData {
  payment_id?: string;
  payment_method?: MethodCode;
  redirect_data: RedirectData;
}

/** `onSuccess` and `onDecline`: where the payment ended. */
export interface PaymentResultEvent {
  payment_id?: string;
  method?: MethodCode;
  status?: PaymentStatus;
  /** Operation code: `"0"` success, `"20000"` general decline, ... */
  code?: string;
  message?: string;
  /** What was actually paid, in minor units. */
  sum?: Sum;
}

export interface ErrorEvent {
  code: ErrorCode;
  /** The parameter or option at fault (`payment_amount`, `signature`, `target`), or null. */
  param: string | null;
  /** English, for developers: names the parameter and the rule. */
  message: string;
  /** True for connection trouble the customer can retry; false for a request the shop must fix. */
  retryable: boolean;
  payment_id?: string;
  /**
   * `load_failed` and `integrity`: the widget file that could not be had (`epay_widget.js`,
   * `epay_widget_bg.wasm`, `epay_codes.wasm`, `lang/ru.json`, ...). A drawings module or a
   * language pack that fails leaves the widget working (numbers without drawings; English).
   */
  file?: string;
}

export interface CloseEvent {
  payment_id?: string;
  status?: PaymentStatus;
}

/** Event handlers: in `params` (function-valued keys are never sent) or in `options` (those win). */
export interface EventHandlers {
  onReady?: (event: ReadyEvent) => void;
  onMethodSelected?: (event: MethodSelectedEvent) => void;
  onRedirect?: (event: RedirectEvent) => void;
  onCode?: (event: RedirectEvent) => void;
  onSuccess?: (event: PaymentResultEvent) => void;
  onDecline?: (event: PaymentResultEvent) => void;
  onError?: (event: ErrorEvent) => void;
  /** The modal was closed (close button or Escape). */
  onClose?: (event: CloseEvent) => void;
  /** The EPay code's countdown reached `valid_time` (the code screen turns to "expired"). */
  onExpire?: (event: RedirectEvent) => void;
}

/** ISO 4217 alpha-3 currencies the methods take: KES, USD (card-partner), MYR (epaycash), KZT (paydala). */
export type CurrencyCode = 'KES' | 'USD' | 'MYR' | 'KZT';

/** A positive integer, as a number or its decimal string (`250`, `'250'`). */
export type IntegerLike = number | `${number}`;

/**
 * Payment Page parameters exactly as your server signed them (seed 002): the 14 the platform
 * knows. Every key that is not a function is sent to the platform and must be covered by
 * `signature`; the platform refuses any other name (`invalid_params`). A misspelled or
 * unknown key, a string amount, a nested `customer` object (that is Gate's shape) or an
 * option such as `target` among the parameters is a compile error. A parameter these types
 * do not know yet: name it in `run`'s type argument, the one explicit way
 * (`EPayWidget.run<{ new_param: string }>({ ...params, new_param: 'x' })`).
 */
export interface PaymentParams extends EventHandlers {
  /** Your project's id: a positive integer. */
  project_id: IntegerLike;
  /** Your order's id, unique in the project (letters, digits, `-`, `_`, ...). */
  payment_id: string | number;
  /** An integer in minor units: 10000 is 100.00 (never `'100.00'`, never 100.5). */
  payment_amount: number;
  /** ISO 4217 alpha-3, upper case. */
  payment_currency: CurrencyCode;
  /** Your customer's id in your shop. */
  customer_id: string | number;
  customer_first_name?: string;
  customer_last_name?: string;
  customer_email?: string;
  /** Digits with the country code, e.g. `254712345678` (card-partner), `60321669552` (epaycash). */
  customer_phone?: string | number;
  /** Skips the picker. `terminal/paydala` is accepted for `paydala`. */
  force_payment_method?: MethodCode | 'terminal/paydala';
  /** ISO 639-1; the widget speaks these (others fall back to the browser's, then English). */
  language_code?: LanguageCode;
  payment_description?: string;
  /** Where the card partner sends the customer back; signed, so the customer cannot change it. Default: the page's URL, taken only on an origin registered for the project. */
  return_url?: string;
  /** Base64 HMAC-SHA512 over every other parameter, made on your server. */
  signature: string;
}

/** Parameters the types do not know: `run<Extra>` takes them, named explicitly. */
export type ExtraParams = { readonly [param: string]: ParamValue };

export type Theme = 'light' | 'dark' | 'auto';

export interface RunOptions extends EventHandlers {
  /** Where to render: an element or a CSS selector. Default: a modal over the page. */
  target?: Element | string | null;
  /**
   * The platform, e.g. `https://platform.example`. Default: the origin the script or module
   * was loaded from (bundled: the page's origin).
   */
  baseUrl?: string | null;
  /** Colour scheme; default `auto` (follows `prefers-color-scheme`). */
  theme?: Theme | null;
  /**
   * The answer your server got from `POST <platform>/api/v1/checkout/open` for these very
   * parameters (the fast first screen: the browser sends no `open` of its own). Its
   * `project_id` and `payment_id` must be the parameters'; otherwise `run` throws
   * `invalid_argument` naming `options.opened`.
   */
  opened?: object | null;
}

/** `showCode` options: no platform call, so no `baseUrl`; `target` is its first argument. */
export interface ShowCodeOptions extends EventHandlers {
  /** Language of the code screen; default: the browser's, then English. */
  language_code?: LanguageCode | (string & {});
  /** The amount to show, in minor units, given with `payment_currency`. */
  payment_amount?: number;
  payment_currency?: string;
  theme?: Theme | null;
}

export interface FollowRedirectOptions {
  /**
   * Sandbox mode: also follow plain `http:` to a loopback host; default false. A page that is
   * itself served over `http:` from a loopback host is in sandbox mode without it. The rule
   * for `redirect_data.url`: docs/embedding.md, "Which redirect URLs are followed".
   */
  sandbox?: boolean;
}

/** A mounted checkout. */
export interface WidgetHandle {
  /** Removes the widget and everything it started (requests, timers, listeners). Idempotent. */
  destroy(): void;
}

/** What `run` and `showCode` throw for programming mistakes (not an object, an option of the wrong type), and what `followRedirect` rejects with. */
export interface EPayWidgetError extends Error {
  name: 'EPayWidgetError';
  code: ErrorCode;
  param: string | null;
}

export interface EPayWidgetApi {
  /**
   * Mounts a checkout and returns at once; calls made before the wasm loaded are queued.
   * A second `run` on the same target (or a second modal) replaces the first.
   */
  run<Extra extends ExtraParams = {}>(params: PaymentParams & NoInfer<Extra>, options?: RunOptions): WidgetHandle;
  /**
   * Gate mode: submits `redirect_data` (a hidden form, `method` to `url`). Resolves when the
   * browser starts leaving the page; rejects with an `EPayWidgetError` and nothing navigates:
   * `bad_redirect` naming the field (for `url`, see `RedirectData.url`), `redirect_failed`
   * (the browser refused the form: a Content-Security-Policy `form-action` without the
   * partner's origin, or a frame sandboxed without `allow-forms`; within 3 s), or
   * `load_failed`.
   */
  followRedirect(redirectData: RedirectData, options?: FollowRedirectOptions): Promise<void>;
  /** Gate mode: renders the EPay code screen from a callback's `redirect_data`. */
  showCode(target: Element | string, redirectData: RedirectData, options?: ShowCodeOptions): WidgetHandle;
}

export declare const EPayWidget: Readonly<EPayWidgetApi>;
export default EPayWidget;

/** The widget's DOM events, dispatched on its host element (they bubble and cross shadow roots). */
export interface EPayWidgetEventMap {
  'epay:ready': CustomEvent<ReadyEvent>;
  'epay:method': CustomEvent<MethodSelectedEvent>;
  'epay:redirect': CustomEvent<RedirectEvent>;
  'epay:code': CustomEvent<RedirectEvent>;
  'epay:success': CustomEvent<PaymentResultEvent>;
  'epay:decline': CustomEvent<PaymentResultEvent>;
  'epay:error': CustomEvent<ErrorEvent>;
  'epay:close': CustomEvent<CloseEvent>;
  'epay:expire': CustomEvent<RedirectEvent>;
}

declare global {
  interface ElementEventMap extends EPayWidgetEventMap {}
  interface HTMLElementEventMap extends EPayWidgetEventMap {}
  interface DocumentEventMap extends EPayWidgetEventMap {}
  interface Window {
    /** Defined by the classic script `epay-widget.js`. */
    EPayWidget?: Readonly<EPayWidgetApi>;
  }
}
