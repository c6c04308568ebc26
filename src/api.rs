//! Calls to the platform (core::protocol), behind the [`Transport`] trait so that the
//! browser tests can run the whole widget against canned answers.
//!
//! The real transport uses gloo-net and no serde_json: the body is read as text, parsed
//! by the browser's `JSON.parse` and read into the core types by `interop` (by hand, not
//! serde-wasm-bindgen: that halves the wasm).

use epay_core::ErrorCode;
use epay_core::flow::CallFailure;
use crate::interop;
use epay_core::wire::Decoded;
use epay_core::protocol::{ApiError, OpenResponse, PayRequest, PaymentView, OPEN_PATH, PAY_PATH, STATUS_PATH};
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

/// The platform over HTTP.
#[derive(Debug, Clone)]
pub struct HttpTransport {
    base: String,
}

impl HttpTransport {
    pub fn new(base_url: &str) -> HttpTransport {
        HttpTransport { base: base_url.trim_end_matches('/').to_string() }
    }
}

/// Maps an HTTP answer to the protocol: 2xx → `T`; 4xx/5xx with an `ApiError` body →
/// `Rejected`; anything else → `Protocol`.
pub fn decode<T>(status: u16, text: &str, read: fn(&JsValue) -> Decoded<T>) -> Result<T, CallFailure> {
    let parsed: Option<JsValue> = js_sys::JSON::parse(text).ok();
    if (200..300).contains(&status) {
        let v = parsed.ok_or_else(|| CallFailure::Protocol(format!("HTTP {status} answer is not JSON")))?;
        // A well-formed answer with a bad field (a `currency` that is not ISO 4217, say) will
        // not get better by asking again: the error screen, naming the field.
        return read(&v).map_err(|e| CallFailure::Rejected(ApiError::new(ErrorCode::Protocol, Some(&e.field), ["platform answer: ", &e.message()].concat())));
    }
    if status >= 400 {
        if let Some(Ok(api)) = parsed.as_ref().map(interop::decode_api_error) {
            return Err(CallFailure::Rejected(api));
        }
    }
    Err(CallFailure::Protocol(format!("HTTP {status}")))
}

async fn send<T>(
    req: Result<gloo_net::http::Request, gloo_net::Error>,
    read: fn(&JsValue) -> Decoded<T>,
) -> Result<T, CallFailure> {
    let req = req.map_err(|e| CallFailure::Protocol(e.to_string()))?;
    let resp = req.send().await.map_err(|e| CallFailure::Network(e.to_string()))?;
    let status = resp.status();
    let text = resp.text().await.map_err(|e| CallFailure::Network(e.to_string()))?;
    decode(status, &text, read)
}

impl Transport for HttpTransport {
    fn open(&self, body: String, signal: &AbortSignal) -> Call<OpenResponse> {
        let req = gloo_net::http::Request::post(&format!("{}{OPEN_PATH}", self.base))
            .header("Content-Type", "application/json")
            .abort_signal(Some(signal))
            .body(body);
        Box::pin(send(req, interop::decode_open))
    }

    fn pay(&self, request: PayRequest, signal: &AbortSignal) -> Call<PaymentView> {
        let req = gloo_net::http::Request::post(&format!("{}{PAY_PATH}", self.base))
            .header("Content-Type", "application/json")
            .abort_signal(Some(signal))
            .body(interop::pay_request_json(&request));
        Box::pin(send(req, interop::decode_payment_view))
    }

    fn status(&self, session: String, signal: &AbortSignal) -> Call<PaymentView> {
        let url = format!("{}{STATUS_PATH}?session={}", self.base, String::from(js_sys::encode_uri_component(&session)));
        let req = gloo_net::http::Request::get(&url).abort_signal(Some(signal)).build();
        Box::pin(send(req, interop::decode_payment_view))
    }
}
