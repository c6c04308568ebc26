//! The platform's answers to the widget, decoded from any JSON-shaped value: the widget
//! reads them straight from the browser's `JSON.parse` objects (a [`WireValue`] over
//! `JsValue`), the tests and tools from `serde_json::Value`. One decoder for both, next
//! to the types it fills, and held to the types' serde derives: `core/tests/wire.rs`
//! serialises random values with serde and decodes them here, and the browser tests do
//! the same through `JSON.parse`.
//!
//! Why not serde in the browser: `serde-wasm-bindgen` decoding these four types costs
//! 30.7 KB of gzip'd wasm (measured: 97.4 KB → 128.2 KB), a third of the widget. These
//! decoders are monomorphised once, for `JsValue`, and cost about a tenth of that.
//!
//! Errors name the field and the rule as fields ([`Malformed`]), so the widget reports
//! `param` without reading it back out of a message.

use crate::callback::{PaymentStatus, Sum};
use crate::catalog::{CustomerField, MethodCode};
use crate::error_code::ErrorCode;
use crate::money::{is_currency_code, MinorUnits};
use crate::params::{CustomerData, ParamError};
use crate::protocol::{ActionKind, ApiError, ApiErrorBody, MethodOffer, NextAction, OpenResponse, PaymentView};
use crate::redirect::{FormBody, HttpMethod, RedirectData};

/// A JSON-shaped value to decode from. `undefined` and `null` are both "absent".
pub trait WireValue: Sized {
    /// The member `key` of an object; absent for a missing key or a non-object.
    fn member(&self, key: &str) -> Self;
    fn is_absent(&self) -> bool;
    fn text(&self) -> Option<String>;
    /// A number that is a safe integer (|n| ≤ 2^53 − 1, as JS's `Number.isSafeInteger`), else `None`.
    fn integer(&self) -> Option<i64>;
    fn boolean(&self) -> Option<bool>;
    /// A number as JSON writes it (`1000`, `10.5`), else `None`.
    fn number_text(&self) -> Option<String>;
    /// The items of an array, else `None`.
    fn items(&self) -> Option<Vec<Self>>;
    /// The members of an object that is not an array, in order, else `None`.
    fn entries(&self) -> Option<Vec<(String, Self)>>;
}

/// An answer that is not what the protocol says: which field, and the rule it breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Malformed {
    /// Dotted path: `currency`, `sum.currency`, `redirect_data.body.valid_time`.
    pub field: String,
    pub rule: &'static str,
}

impl Malformed {
    pub fn new(field: &str, rule: &'static str) -> Malformed {
        Malformed { field: field.into(), rule }
    }
    /// `field: rule`.
    pub fn message(&self) -> String {
        [self.field.as_str(), ": ", self.rule].concat()
    }
    fn under(mut self, prefix: &str) -> Malformed {
        self.field.insert_str(0, prefix);
        self
    }
}

pub type Decoded<T> = Result<T, Malformed>;

fn req_str<V: WireValue>(v: &V, key: &str) -> Decoded<String> {
    v.member(key).text().ok_or_else(|| Malformed::new(key, "must be a string"))
}

fn opt_string<V: WireValue>(v: &V, key: &str) -> Decoded<Option<String>> {
    let f = v.member(key);
    if f.is_absent() {
        return Ok(None);
    }
    f.text().map(Some).ok_or_else(|| Malformed::new(key, "must be a string"))
}

fn req_int<V: WireValue>(v: &V, key: &str) -> Decoded<i64> {
    v.member(key).integer().ok_or_else(|| Malformed::new(key, "must be an integer"))
}

fn array<V: WireValue>(v: &V, key: &str) -> Decoded<Vec<V>> {
    let f = v.member(key);
    if f.is_absent() {
        return Ok(vec![]);
    }
    f.items().ok_or_else(|| Malformed::new(key, "must be an array"))
}

fn method_code(s: &str) -> Decoded<MethodCode> {
    // Wire names only (serde's rename), not the `terminal/paydala` group alias.
    MethodCode::ALL.into_iter().find(|m| m.as_str() == s).ok_or_else(|| Malformed::new("method", "unknown method code"))
}

fn opt_method<V: WireValue>(v: &V, key: &str) -> Decoded<Option<MethodCode>> {
    opt_string(v, key)?.map(|s| method_code(&s)).transpose()
}

fn customer_field(s: &str) -> Decoded<CustomerField> {
    CustomerField::ALL.into_iter().find(|f| f.gate_key() == s).ok_or_else(|| Malformed::new("fields", "unknown customer field"))
}

pub fn decode_customer<V: WireValue>(v: &V) -> Decoded<CustomerData> {
    let mut c = CustomerData::default();
    if v.is_absent() {
        return Ok(c);
    }
    for f in CustomerField::ALL {
        c.set(f, opt_string(v, f.gate_key())?);
    }
    Ok(c)
}

/// A currency code from the platform: the widget formats amounts with it, so anything not
/// shaped like ISO 4217 is a bad answer naming the field.
fn currency<V: WireValue>(v: &V, key: &str) -> Decoded<String> {
    Some(req_str(v, key)?)
        .filter(|c| is_currency_code(c))
        .ok_or_else(|| Malformed::new(key, "must be an ISO 4217 alpha-3 code such as MYR"))
}

fn decode_sum<V: WireValue>(v: &V) -> Decoded<Sum> {
    let sum = || Ok(Sum { amount: MinorUnits(req_int(v, "amount")?), currency: currency(v, "currency")? });
    sum().map_err(|e: Malformed| e.under("sum."))
}

/// `redirect_data` as the seeds write it: `{ method, url, body }`, body values as text
/// (numbers as JSON writes them, booleans `1`/`0`, null empty), an empty body also as
/// `[]` (PHP). Errors name `redirect_data.<field>`.
pub fn decode_redirect_data<V: WireValue>(v: &V) -> Decoded<RedirectData> {
    let method = match v.member("method").text().as_deref() {
        Some("GET" | "get") => HttpMethod::Get,
        Some("POST" | "post") => HttpMethod::Post,
        _ => return Err(Malformed::new("redirect_data.method", "must be GET or POST")),
    };
    let url = v.member("url").text().ok_or_else(|| Malformed::new("redirect_data.url", "must be a string"))?;
    let b = v.member("body");
    let mut body = Vec::new();
    if let Some(items) = b.items() {
        if !items.is_empty() {
            return Err(Malformed::new("redirect_data.body", "must be an object"));
        }
    } else if let Some(entries) = b.entries() {
        for (name, val) in entries {
            let text = if let Some(s) = val.text() {
                s
            } else if let Some(x) = val.boolean() {
                (if x { "1" } else { "0" }).to_string()
            } else if let Some(n) = val.number_text() {
                n
            } else if val.is_absent() {
                String::new()
            } else {
                return Err(Malformed { field: ["redirect_data.body.", &name].concat(), rule: "must be a string, a number or a boolean" });
            };
            body.push((name, text));
        }
    } else if !b.is_absent() {
        return Err(Malformed::new("redirect_data.body", "must be an object"));
    }
    Ok(RedirectData { method, url, body: FormBody(body) })
}

/// The next step, by its `kind`: the `match` on [`ActionKind`] is exhaustive, so a new
/// kind of [`NextAction`] does not compile until it is decoded here.
fn decode_action<V: WireValue>(v: &V) -> Decoded<Option<NextAction>> {
    if v.is_absent() {
        return Ok(None);
    }
    let name = req_str(v, "kind")?;
    let kind = ActionKind::ALL.into_iter().find(|k| k.as_str() == name).ok_or_else(|| Malformed::new("action.kind", "unknown"))?;
    let redirect_data = || decode_redirect_data(&v.member("redirect_data"));
    let action = match kind {
        ActionKind::Redirect => NextAction::Redirect { redirect_data: redirect_data()? },
        ActionKind::ShowCode => NextAction::ShowCode { redirect_data: redirect_data()? },
        ActionKind::Terminal => NextAction::Terminal { account: req_str(v, "account")?, service_name: req_str(v, "service_name")? },
    };
    Ok(Some(action))
}

pub fn decode_payment_view<V: WireValue>(v: &V) -> Decoded<PaymentView> {
    if v.entries().is_none() {
        return Err(Malformed::new("payment", "must be an object"));
    }
    let sum = v.member("sum");
    Ok(PaymentView {
        status: opt_string(v, "status")?.map(|s| PaymentStatus::parse(&s)),
        method: opt_method(v, "method")?,
        action: decode_action(&v.member("action"))?,
        sum: if sum.is_absent() { None } else { Some(decode_sum(&sum)?) },
        code: opt_string(v, "code")?,
        message: opt_string(v, "message")?,
    })
}

pub fn decode_open<V: WireValue>(v: &V) -> Decoded<OpenResponse> {
    let mut methods = Vec::new();
    for m in array(v, "methods")? {
        let mut fields = Vec::new();
        for f in array(&m, "fields")? {
            fields.push(customer_field(&f.text().unwrap_or_default())?);
        }
        methods.push(MethodOffer { code: method_code(&req_str(&m, "code")?)?, fields });
    }
    let project_id = req_int(v, "project_id")?;
    Ok(OpenResponse {
        session: req_str(v, "session")?,
        project_id: u64::try_from(project_id).map_err(|_| Malformed::new("project_id", "must not be negative"))?,
        payment_id: req_str(v, "payment_id")?,
        amount: MinorUnits(req_int(v, "amount")?),
        currency: currency(v, "currency")?,
        description: opt_string(v, "description")?,
        methods,
        forced_method: opt_method(v, "forced_method")?,
        customer: decode_customer(&v.member("customer"))?,
        payment: decode_payment_view(&v.member("payment"))?,
    })
}

/// What the widget's first module reads of an `open` answer to draw the picker (issue 26,
/// decision 4): the ids, the amount and the methods' codes, nothing of the customer, the
/// fields or the payment. `None`: not an answer the picker is for (a payment is already
/// under way, a method is forced, no method is offered); the flows module then reads the
/// whole answer with [`decode_open`], which decides everything this one does not.
pub fn decode_open_for_picker<V: WireValue>(v: &V) -> Decoded<Option<OpenResponse>> {
    if !v.member("payment").member("status").is_absent() || !v.member("forced_method").is_absent() {
        return Ok(None);
    }
    let mut methods = Vec::new();
    for m in array(v, "methods")? {
        methods.push(MethodOffer { code: method_code(&req_str(&m, "code")?)?, fields: vec![] });
    }
    let project_id = u64::try_from(req_int(v, "project_id")?).map_err(|_| Malformed::new("project_id", "must not be negative"))?;
    Ok((!methods.is_empty()).then(|| OpenResponse {
        session: String::new(),
        project_id,
        payment_id: req_str(v, "payment_id").unwrap_or_default(),
        amount: MinorUnits(req_int(v, "amount").unwrap_or_default()),
        currency: currency(v, "currency").unwrap_or_default(),
        description: None,
        methods,
        forced_method: None,
        customer: CustomerData::default(),
        payment: PaymentView::default(),
    }))
}

/// `{"error": {code, param?, message, errors?}}`; a code no version of us writes is
/// malformed (the widget then reports the HTTP status as a protocol error).
pub fn decode_api_error<V: WireValue>(v: &V) -> Decoded<ApiError> {
    let e = v.member("error");
    let mut errors = Vec::new();
    for pe in array(&e, "errors")? {
        errors.push(ParamError { param: req_str(&pe, "param")?, code: req_str(&pe, "code")?, message: req_str(&pe, "message")? });
    }
    let code = ErrorCode::parse(&req_str(&e, "code")?).ok_or_else(|| Malformed::new("error.code", "unknown"))?;
    Ok(ApiError { error: ApiErrorBody { code, param: opt_string(&e, "param")?, message: req_str(&e, "message")?, errors } })
}

/// `serde_json::Value` as a [`WireValue`], for the tools and the tests.
#[cfg(feature = "merchant")]
mod json {
    use super::WireValue;
    use serde_json::Value;

    impl WireValue for Value {
        fn member(&self, key: &str) -> Value {
            self.get(key).cloned().unwrap_or(Value::Null)
        }
        fn is_absent(&self) -> bool {
            self.is_null()
        }
        fn text(&self) -> Option<String> {
            self.as_str().map(str::to_string)
        }
        fn integer(&self) -> Option<i64> {
            match self {
                Value::Number(n) => n
                    .as_i64()
                    .filter(|i| i.unsigned_abs() < (1 << 53))
                    .or_else(|| n.as_f64().filter(|f| f.fract() == 0.0 && f.abs() < 9_007_199_254_740_992.0).map(|f| f as i64)),
                _ => None,
            }
        }
        fn boolean(&self) -> Option<bool> {
            self.as_bool()
        }
        fn number_text(&self) -> Option<String> {
            self.as_number().map(|n| n.to_string())
        }
        fn items(&self) -> Option<Vec<Value>> {
            self.as_array().cloned()
        }
        fn entries(&self) -> Option<Vec<(String, Value)>> {
            self.as_object().map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
        }
    }
}
