//! Calls to the platform (core::protocol), behind the [`Transport`] trait so that the
//! browser tests can run the whole widget against canned answers.
//!
//! The real transport uses the browser's `fetch` (web-sys; gloo-net measured 2.0 KB gzip more) and no serde_json: the body is read as text, parsed
//! by the browser's `JSON.parse` and read into the core types by the core's decoder
//! (`epay_core::wire`, through `interop::JsWire`; serde-wasm-bindgen would cost 30.7 KB).

use crate::interop;
use epay_core::flow::CallFailure;
use epay_core::protocol::{ApiError, OpenResponse, PayRequest, PaymentView, OPEN_PATH, PAY_PATH, STATUS_PATH};
use epay_core::text::u64_text;
use epay_core::wire::Decoded;
use epay_core::ErrorCode;
use std::future::Future;
use std::pin::Pin;
use wasm_bindgen::JsValue;
use web_sys::AbortSignal;

pub type Call<T> = Pin<Box<dyn Future<Output = Result<T, CallFailure>>>>;

/// The three platform calls. `signal` aborts a call when the widget is destroyed.
pub trait Transport {
    /// `body` is the merchant's signed parameters as JSON text.
    fn open(&self, body: String, signal: &AbortSignal) -> Call<OpenResponse>;
    fn pay(&self, request: PayRequest, signal: &AbortSignal) -> Call<PaymentView>;
    fn status(&self, session: String, signal: &AbortSignal) -> Call<PaymentView>;
}

/// The `open` request the loader started while the wasm was downloading
/// (`openEarly` in `js/loader.js`): `{ url, body, answer: Promise<{ status, text }>, abort() }`,
/// with `ready: { status, text }` too when the page already had the answer (`options.opened`).
#[derive(Debug, Clone)]
pub struct EarlyOpen {
    url: String,
    body: String,
    answer: js_sys::Promise,
    abort: js_sys::Function,
    ready: Option<(u16, String)>,
}

impl EarlyOpen {
    /// The loader's object; `None` for anything else (`run` called directly: `undefined`).
    pub fn read(v: &JsValue) -> Option<EarlyOpen> {
        use wasm_bindgen::JsCast;
        let get = |k: &str| js_sys::Reflect::get(v, &k.into()).ok();
        Some(EarlyOpen {
            url: get("url")?.as_string()?,
            body: get("body")?.as_string()?,
            answer: get("answer")?.dyn_into().ok()?,
            abort: get("abort")?.dyn_into().ok()?,
            ready: get("ready").filter(|r| r.is_object()).map(|r| {
                let field = |k: &str| js_sys::Reflect::get(&r, &k.into()).unwrap_or_default();
                (field("status").as_f64().unwrap_or(0.0) as u16, field("text").as_string().unwrap_or_default())
            }),
        })
    }

    /// The answer, now, if the page already had it and it is for this very request.
    pub fn ready(&self, url: &str, body: &str) -> Option<(u16, String)> {
        self.ready.clone().filter(|_| self.url == url && self.body == body)
    }

    /// Its URL and body.
    pub fn request(&self) -> (String, String) {
        (self.url.clone(), self.body.clone())
    }

    /// The answer the page already had (`options.opened`), now.
    pub fn ready_now(&self) -> Option<(u16, String)> {
        self.ready.clone()
    }

    /// Calls `f` with the answer's status and text when it comes; `None` when the request
    /// failed (network) or was stopped.
    pub fn on_answer(&self, f: impl FnOnce(Option<(u16, String)>) + 'static) {
        crate::view::dom::settle(&self.answer, move |answer| {
            let read = |a: JsValue| {
                let field = |k: &str| js_sys::Reflect::get(&a, &k.into()).unwrap_or_default();
                Some((field("status").as_f64().unwrap_or(0.0) as u16, field("text").as_string()?))
            };
            f(answer.ok().and_then(read))
        });
    }

    /// Stops it: the widget will not use its answer.
    pub fn abort(&self) {
        let _ = self.abort.call0(&JsValue::UNDEFINED);
    }
}

/// The platform over HTTP.
#[derive(Debug, Clone)]
pub struct HttpTransport {
    base: String,
    early: std::cell::RefCell<Option<EarlyOpen>>,
}

impl HttpTransport {
    pub fn new(base_url: &str) -> HttpTransport {
        HttpTransport { base: base_url.trim_end_matches('/').to_string(), early: Default::default() }
    }

    /// The first `open` with the same URL and body takes `early`'s answer instead of
    /// asking again; any other request aborts it.
    pub fn with_early(self, early: Option<EarlyOpen>) -> HttpTransport {
        *self.early.borrow_mut() = early;
        self
    }
}

/// The early `open`'s answer, as `send` reads a response.
async fn early_answer(early: EarlyOpen, signal: AbortSignal) -> Result<OpenResponse, CallFailure> {
    let abort = early.abort.clone();
    signal.set_onabort(Some(&abort));
    let answer = wasm_bindgen_futures::JsFuture::from(early.answer).await;
    signal.set_onabort(None);
    let answer = answer.map_err(|e| CallFailure::Network(crate::browser::js_error_text(&e)))?;
    let status = js_sys::Reflect::get(&answer, &"status".into()).ok().and_then(|v| v.as_f64()).unwrap_or(0.0) as u16;
    let text = js_sys::Reflect::get(&answer, &"text".into()).ok().and_then(|v| v.as_string()).unwrap_or_default();
    decode(status, &text, interop::decode_open)
}

/// Maps an HTTP answer to the protocol: 2xx → `T`; 4xx/5xx with an `ApiError` body →
/// `Rejected`; anything else → `Protocol`.
pub fn decode<T>(status: u16, text: &str, read: fn(&JsValue) -> Decoded<T>) -> Result<T, CallFailure> {
    let parsed: Option<JsValue> = js_sys::JSON::parse(text).ok();
    if (200..300).contains(&status) {
        let v = parsed.ok_or_else(|| CallFailure::Protocol(["HTTP ", &u64_text(status.into()), " answer is not JSON"].concat()))?;
        // A well-formed answer with a bad field (a `currency` that is not ISO 4217, say) will
        // not get better by asking again: the error screen, naming the field.
        return read(&v).map_err(|e| {
            CallFailure::Rejected(ApiError::new(ErrorCode::Protocol, Some(&e.field), ["platform answer: ", &e.message()].concat()))
        });
    }
    if status >= 400 {
        if let Some(Ok(api)) = parsed.as_ref().map(interop::decode_api_error) {
            return Err(CallFailure::Rejected(api));
        }
    }
    Err(CallFailure::Protocol(["HTTP ", &u64_text(status.into())].concat()))
}

/// One call with the browser's `fetch`. A body goes without a `Content-Type` header: the
/// browser sends it as `text/plain`, which makes the call a CORS simple request, so a
/// merchant page on another origin pays no preflight round trip before `open` and `pay`
/// (the platform reads the body as JSON whatever its type).
async fn send<T>(url: &str, body: Option<String>, signal: &AbortSignal, read: fn(&JsValue) -> Decoded<T>) -> Result<T, CallFailure> {
    use wasm_bindgen::JsCast;
    use wasm_bindgen_futures::JsFuture;
    let network = |e: JsValue| CallFailure::Network(crate::browser::js_error_text(&e));
    let init = web_sys::RequestInit::new();
    init.set_signal(Some(signal));
    if let Some(body) = body {
        init.set_method("POST");
        init.set_body(&JsValue::from_str(&body));
    }
    let window = web_sys::window().ok_or_else(|| CallFailure::Network("no window".into()))?;
    let resp: web_sys::Response = JsFuture::from(window.fetch_with_str_and_init(url, &init)).await.map_err(network)?.unchecked_into();
    let text = JsFuture::from(resp.text().map_err(network)?).await.map_err(network)?;
    decode(resp.status(), &text.as_string().unwrap_or_default(), read)
}

impl Transport for HttpTransport {
    fn open(&self, body: String, signal: &AbortSignal) -> Call<OpenResponse> {
        let url = [&self.base, OPEN_PATH].concat();
        if let Some(early) = self.early.borrow_mut().take() {
            if early.url == url && early.body == body {
                return Box::pin(early_answer(early, signal.clone()));
            }
            early.abort();
        }
        let signal = signal.clone();
        Box::pin(async move { send(&url, Some(body), &signal, interop::decode_open).await })
    }

    fn pay(&self, request: PayRequest, signal: &AbortSignal) -> Call<PaymentView> {
        let (url, body, signal) = ([&self.base, PAY_PATH].concat(), interop::pay_request_json(&request), signal.clone());
        Box::pin(async move { send(&url, Some(body), &signal, interop::decode_payment_view).await })
    }

    fn status(&self, session: String, signal: &AbortSignal) -> Call<PaymentView> {
        let url = [&self.base, STATUS_PATH, "?session=", &String::from(js_sys::encode_uri_component(&session))].concat();
        let signal = signal.clone();
        Box::pin(async move { send(&url, None, &signal, interop::decode_payment_view).await })
    }
}
