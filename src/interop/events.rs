//! What the merchant's page hears: core events as the plain JS objects handed to the
//! `on*` handlers and the `epay:*` DOM events (`redirect_data`, payments, errors).

use epay_core::callback::Sum;
use epay_core::flow::{Event, WidgetError};
use epay_core::protocol::PaymentView;
use epay_core::{MethodCode, RedirectData};
use js_sys::{Object, Reflect};
use wasm_bindgen::JsValue;

pub fn object(pairs: &[(&str, JsValue)]) -> JsValue {
    let o = Object::new();
    for (k, v) in pairs {
        if !v.is_undefined() {
            let _ = Reflect::set(&o, &JsValue::from_str(k), v);
        }
    }
    o.into()
}

fn opt_str(s: Option<&str>) -> JsValue {
    s.map_or(JsValue::UNDEFINED, JsValue::from_str)
}

pub fn sum_to_js(s: &Sum) -> JsValue {
    object(&[("amount", JsValue::from_f64(s.amount.0 as f64)), ("currency", s.currency.as_str().into())])
}

/// `redirect_data` as seeds 001 and 002 print it: `{ body: { ... }, method, url }`.
pub fn redirect_data_to_js(rd: &RedirectData) -> JsValue {
    let body = Object::new();
    for (k, v) in &rd.body.0 {
        let _ = Reflect::set(&body, &k.as_str().into(), &v.as_str().into());
    }
    object(&[("body", body.into()), ("method", rd.method.as_str().into()), ("url", rd.url.as_str().into())])
}

pub fn error_to_js(e: &WidgetError) -> JsValue {
    object(&[
        ("code", e.code.as_str().into()),
        ("param", e.param.as_deref().map_or(JsValue::NULL, JsValue::from_str)),
        ("message", e.message.as_str().into()),
        ("retryable", e.retryable.into()),
    ])
}

pub fn payment_to_js(payment_id: Option<&str>, v: &PaymentView) -> JsValue {
    object(&[
        ("payment_id", opt_str(payment_id)),
        ("method", opt_str(v.method.map(MethodCode::as_str))),
        ("status", opt_str(v.status.as_ref().map(|s| s.as_str()))),
        ("code", opt_str(v.code.as_deref())),
        ("message", opt_str(v.message.as_deref())),
        ("sum", v.sum.as_ref().map_or(JsValue::UNDEFINED, sum_to_js)),
    ])
}

/// The `on*` handler name and the `epay:*` DOM event name of a core event.
pub fn event_names(ev: &Event) -> (&'static str, &'static str) {
    match ev {
        Event::Ready => ("onReady", "epay:ready"),
        Event::MethodSelected(_) => ("onMethodSelected", "epay:method"),
        Event::Redirect(_) => ("onRedirect", "epay:redirect"),
        Event::Code(_) => ("onCode", "epay:code"),
        Event::Success(_) => ("onSuccess", "epay:success"),
        Event::Decline(_) => ("onDecline", "epay:decline"),
        Event::Error(_) => ("onError", "epay:error"),
    }
}

/// The payload of a core event. `payment_id` and `method` come from the checkout.
pub fn event_payload(ev: &Event, payment_id: Option<&str>, method: Option<MethodCode>) -> JsValue {
    let pid = opt_str(payment_id);
    match ev {
        Event::Ready => object(&[("payment_id", pid)]),
        Event::MethodSelected(m) => object(&[("payment_id", pid), ("method", m.as_str().into())]),
        // `body`/`method`/`url` are redirect_data's own fields, in the seeds' order.
        Event::Redirect(rd) | Event::Code(rd) => {
            let o = redirect_data_to_js(rd);
            let _ = Reflect::set(&o, &"payment_id".into(), &pid);
            let _ = Reflect::set(&o, &"payment_method".into(), &opt_str(method.map(MethodCode::as_str)));
            let _ = Reflect::set(&o, &"redirect_data".into(), &redirect_data_to_js(rd));
            o
        }
        Event::Success(v) | Event::Decline(v) => {
            let mut v = v.clone();
            if v.method.is_none() {
                v.method = method;
            }
            payment_to_js(payment_id, &v)
        }
        Event::Error(e) => {
            let o = error_to_js(e);
            let _ = Reflect::set(&o, &"payment_id".into(), &pid);
            o
        }
    }
}
