//! The platform, as the widget speaks to it: its answers (`JSON.parse`'d objects) read by
//! the core's one decoder (`epay_core::wire`) through [`JsWire`], and the `pay` request
//! written as JSON.

use super::events::object;
use epay_core::catalog::CustomerField;
use epay_core::params::CustomerData;
use epay_core::protocol::{ApiError, OpenResponse, PayRequest, PaymentView};
use epay_core::wire::{self, Decoded, WireValue};
use epay_core::{RedirectData, Scalar};
use js_sys::{Array, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};

/// A JS number as a scalar: integers stay integers (`500000`, not `500000.0`).
pub fn scalar_of_number(n: f64) -> Scalar {
    if n.is_finite() && n.fract() == 0.0 && n.abs() <= 9_007_199_254_740_991.0 {
        Scalar::Int(n as i64)
    } else {
        Scalar::Float(n)
    }
}

/// A `JSON.parse`'d value, read by the core's decoders.
pub struct JsWire(pub JsValue);

impl WireValue for JsWire {
    fn member(&self, key: &str) -> JsWire {
        let v = &self.0;
        JsWire(if v.is_object() { Reflect::get(v, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED) } else { JsValue::UNDEFINED })
    }
    fn is_absent(&self) -> bool {
        self.0.is_undefined() || self.0.is_null()
    }
    fn text(&self) -> Option<String> {
        self.0.as_string()
    }
    fn integer(&self) -> Option<i64> {
        match self.0.as_f64().map(scalar_of_number) {
            Some(Scalar::Int(i)) => Some(i),
            _ => None,
        }
    }
    fn boolean(&self) -> Option<bool> {
        self.0.as_bool()
    }
    fn number_text(&self) -> Option<String> {
        // JS's own number to text: no float formatting code in the wasm. (Not
        // `JsString::from(val)`: that only relabels the number, and reading it as a
        // string then throws.)
        self.0.as_f64()?;
        self.0.unchecked_ref::<js_sys::Number>().to_string_with_radix(10).ok().map(String::from)
    }
    fn items(&self) -> Option<Vec<JsWire>> {
        Array::is_array(&self.0).then(|| self.0.unchecked_ref::<Array>().iter().map(JsWire).collect())
    }
    fn entries(&self) -> Option<Vec<(String, JsWire)>> {
        let v = &self.0;
        if !v.is_object() || Array::is_array(v) {
            return None;
        }
        let keys = Object::keys(v.unchecked_ref::<Object>());
        Some(keys.iter().map(|k| (k.as_string().unwrap_or_default(), JsWire(Reflect::get(v, &k).unwrap_or(JsValue::UNDEFINED)))).collect())
    }
}

pub fn decode_redirect_data(v: &JsValue) -> Decoded<RedirectData> {
    wire::decode_redirect_data(&JsWire(v.clone()))
}
pub fn decode_payment_view(v: &JsValue) -> Decoded<PaymentView> {
    wire::decode_payment_view(&JsWire(v.clone()))
}
pub fn decode_open(v: &JsValue) -> Decoded<OpenResponse> {
    wire::decode_open(&JsWire(v.clone()))
}
pub fn decode_api_error(v: &JsValue) -> Decoded<ApiError> {
    wire::decode_api_error(&JsWire(v.clone()))
}

fn customer_to_js(c: &CustomerData) -> JsValue {
    let o = Object::new();
    for f in CustomerField::ALL {
        if let Some(v) = c.get(f) {
            let _ = Reflect::set(&o, &f.gate_key().into(), &v.into());
        }
    }
    o.into()
}

/// The `pay` request body as JSON text.
pub fn pay_request_json(r: &PayRequest) -> String {
    let o = object(&[
        ("session", r.session.as_str().into()),
        ("method", r.method.as_str().into()),
        ("customer", customer_to_js(&r.customer)),
        ("return_url", r.return_url.as_str().into()),
    ]);
    js_sys::JSON::stringify(&o).ok().and_then(|s| s.as_string()).unwrap_or_default()
}
