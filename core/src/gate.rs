//! Gate requests (seeds 001 and 002): card-partner sale and full refund, EPay cash sale.
//!
//! Bodies are JSON objects with `general` (`project_id`, `payment_id`, `signature`),
//! `customer` and `payment`, signed with the project secret into `general.signature`.
//! The merchant side builds them ([`card_partner_sale`], [`card_partner_refund`],
//! [`epay_sale`]); the platform side (the sandbox) checks them ([`parse_sale`],
//! [`parse_refund`]) after checking the signature with [`crate::signature::verify`].
//! A builder runs the same check on what it built, so whatever it returns the platform
//! accepts. A card-partner sale may carry a root `return_url {success, decline}`
//! ([`card_partner_sale_returning`], [`parse_return_url`]); the sandbox also answers a
//! signed status request ([`payment_status_request`], [`PAYMENT_STATUS_PATH`]).
//!
//! The immediate answer to a Gate request is our own design ([`GateResponse`]):
//!
//! - accepted, HTTP 200: `{"project_id": 250, "payment_id": "X1", "status": "success", "request_id": "…"}`;
//!   the outcome comes later in callbacks (first with `redirect_data`, then the result);
//! - refused: `{"status": "error", "code": "invalid_params", "param": "payment.amount",
//!   "message": "payment.amount: …", "errors": [{"param", "code", "message"}, …]}`,
//!   with the HTTP status of [`GateRejected::http_status`].
//!
//! ```
//! use epay_core::gate::{self, GateCustomer, GatePayment, GeneralIds, SaleKind};
//! use epay_core::MinorUnits;
//!
//! let general = GeneralIds { project_id: 250, payment_id: "TEST_184".into() };
//! let customer = GateCustomer::new("123", "1.2.3.4").with_phone("123456789");
//! let payment = GatePayment::new(MinorUnits(1000), "KES");
//! let body = gate::card_partner_sale(&general, &customer, &payment, "secret").unwrap();
//! assert!(body["general"]["signature"].is_string());
//!
//! // Platform side: signature first, then the parameters.
//! epay_core::signature::verify(&body, "secret").unwrap();
//! let sale = gate::parse_sale(SaleKind::CardPartner, &body).unwrap();
//! assert_eq!(sale.payment.amount, MinorUnits(1000));
//!
//! // Below the seed's minimum of 10.00 KES: refused, naming the parameter.
//! let errs = gate::card_partner_sale(&general, &customer, &GatePayment::new(MinorUnits(999), "KES"), "secret")
//!     .unwrap_err();
//! assert_eq!(errs[0].param, "payment.amount");
//! ```

use crate::catalog::{CustomerField, MethodCode, MethodProblem};
use crate::error_code::ErrorCode;
use crate::json_check::{currency, positive_int, shown};
use crate::money::MinorUnits;
use crate::params::{method_problem_message, CustomerData, ParamError};
use crate::protocol::{ApiError, ApiErrorBody};
use crate::redirect::{check_url, UrlPolicy};
use crate::signature::{with_signature, SignatureError, SIGNED_OBJECTS, SKIPPED_KEYS};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use std::collections::HashMap;

pub const CARD_PARTNER_SALE_PATH: &str = "/v2/payment/card-partner/sale";
pub const CARD_PARTNER_REFUND_PATH: &str = "/v2/payment/card-partner/refund";
pub const EPAY_SALE_PATH: &str = "/v2/payment/cash/epay/sale";

/// Which sale request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SaleKind {
    /// `/v2/payment/card-partner/sale`: KES or USD within the seed's limits.
    CardPartner,
    /// `/v2/payment/cash/epay/sale`: MYR; names, e-mail, phone and description required.
    Epay,
}

impl SaleKind {
    pub fn path(self) -> &'static str {
        match self {
            SaleKind::CardPartner => CARD_PARTNER_SALE_PATH,
            SaleKind::Epay => EPAY_SALE_PATH,
        }
    }

    pub fn method(self) -> MethodCode {
        match self {
            SaleKind::CardPartner => MethodCode::CardPartner,
            SaleKind::Epay => MethodCode::EpayCash,
        }
    }
}

/// What a Gate path asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GateEndpoint {
    Sale(SaleKind),
    Refund,
}

impl GateEndpoint {
    /// The endpoint of a request path (exact match, with or without a trailing `/`).
    pub fn from_path(path: &str) -> Option<GateEndpoint> {
        let path = path.strip_suffix('/').unwrap_or(path);
        match path {
            CARD_PARTNER_SALE_PATH => Some(GateEndpoint::Sale(SaleKind::CardPartner)),
            EPAY_SALE_PATH => Some(GateEndpoint::Sale(SaleKind::Epay)),
            CARD_PARTNER_REFUND_PATH => Some(GateEndpoint::Refund),
            _ => None,
        }
    }

    pub fn path(self) -> &'static str {
        match self {
            GateEndpoint::Sale(kind) => kind.path(),
            GateEndpoint::Refund => CARD_PARTNER_REFUND_PATH,
        }
    }
}

/// `general` without the signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneralIds {
    pub project_id: u64,
    pub payment_id: String,
}

/// `customer`: Gate's `id` and `ip_address`, and the names, email and phone as the
/// Payment Page takes them ([`CustomerData`]). `phone` and `email` are recommended for
/// card-partner; EPay requires `first_name`, `last_name`, `email` and `phone` too.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GateCustomer {
    pub id: String,
    pub ip_address: String,
    pub data: CustomerData,
}

impl GateCustomer {
    pub fn new(id: impl Into<String>, ip_address: impl Into<String>) -> Self {
        GateCustomer { id: id.into(), ip_address: ip_address.into(), ..Default::default() }
    }
    pub fn with_phone(mut self, v: impl Into<String>) -> Self {
        self.data.phone = Some(v.into());
        self
    }
    pub fn with_email(mut self, v: impl Into<String>) -> Self {
        self.data.email = Some(v.into());
        self
    }
    pub fn with_name(mut self, first: impl Into<String>, last: impl Into<String>) -> Self {
        self.data.first_name = Some(first.into());
        self.data.last_name = Some(last.into());
        self
    }
}

/// `payment`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GatePayment {
    pub amount: MinorUnits,
    pub currency: String,
    pub description: Option<String>,
}

impl GatePayment {
    pub fn new(amount: MinorUnits, currency: impl Into<String>) -> Self {
        GatePayment { amount, currency: currency.into(), description: None }
    }
    pub fn with_description(mut self, v: impl Into<String>) -> Self {
        self.description = Some(v.into());
        self
    }
}

/// A checked sale request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaleRequest {
    pub kind: SaleKind,
    pub general: GeneralIds,
    pub customer: GateCustomer,
    pub payment: GatePayment,
    /// `general.signature` as sent; [`crate::signature::verify`] checks it.
    pub signature: String,
}

/// A checked (full) refund request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundRequest {
    pub general: GeneralIds,
    pub signature: String,
}

// ---------------------------------------------------------------------------------------
// Builders (merchant side)
// ---------------------------------------------------------------------------------------

fn put(obj: &mut Map<String, Value>, key: &str, v: &Option<String>) {
    if let Some(v) = v {
        obj.insert(key.into(), Value::String(v.clone()));
    }
}

fn general_json(g: &GeneralIds) -> Value {
    json!({ "project_id": g.project_id, "payment_id": g.payment_id })
}

fn payment_json(p: &GatePayment) -> Value {
    let mut m = Map::new();
    m.insert("amount".into(), json!(p.amount.0));
    m.insert("currency".into(), json!(p.currency));
    put(&mut m, "description", &p.description);
    Value::Object(m)
}

/// A signed `/v2/payment/card-partner/sale` body, shaped as the seed's example
/// (`general`, `customer{ip_address, phone?, email?, id, first_name?, last_name?}`,
/// `payment{amount, currency, description?}`). Refused, naming each parameter, when the
/// platform would refuse it (currency KES or USD, the seed's amount limits, formats).
pub fn card_partner_sale(
    general: &GeneralIds,
    customer: &GateCustomer,
    payment: &GatePayment,
    secret: &str,
) -> Result<Value, Vec<ParamError>> {
    let mut c = Map::new();
    c.insert("ip_address".into(), json!(customer.ip_address));
    put(&mut c, "phone", &customer.data.phone);
    put(&mut c, "email", &customer.data.email);
    c.insert("id".into(), json!(customer.id));
    put(&mut c, "first_name", &customer.data.first_name);
    put(&mut c, "last_name", &customer.data.last_name);
    let doc = json!({ "general": general_json(general), "customer": Value::Object(c), "payment": payment_json(payment) });
    checked_sale(SaleKind::CardPartner, doc, secret)
}

/// A signed `/v2/payment/cash/epay/sale` body, shaped as the seed's example (`general`,
/// `payment{amount, currency, description}`, `customer{first_name, last_name, ip_address,
/// phone, email, id}`). All of those are required; the currency must be MYR.
pub fn epay_sale(general: &GeneralIds, customer: &GateCustomer, payment: &GatePayment, secret: &str) -> Result<Value, Vec<ParamError>> {
    let mut c = Map::new();
    put(&mut c, "first_name", &customer.data.first_name);
    put(&mut c, "last_name", &customer.data.last_name);
    c.insert("ip_address".into(), json!(customer.ip_address));
    put(&mut c, "phone", &customer.data.phone);
    put(&mut c, "email", &customer.data.email);
    c.insert("id".into(), json!(customer.id));
    let doc = json!({ "general": general_json(general), "payment": payment_json(payment), "customer": Value::Object(c) });
    checked_sale(SaleKind::Epay, doc, secret)
}

fn checked_sale(kind: SaleKind, doc: Value, secret: &str) -> Result<Value, Vec<ParamError>> {
    let mut errs = separator_problems(&doc);
    let signed = with_signature(doc, secret);
    errs.extend(parse_sale(kind, &signed).err().unwrap_or_default());
    if errs.is_empty() {
        Ok(signed)
    } else {
        Err(errs)
    }
}

/// A signed `/v2/payment/card-partner/refund` body: a full refund, `general` only.
pub fn card_partner_refund(general: &GeneralIds, secret: &str) -> Result<Value, Vec<ParamError>> {
    let signed = signed(json!({ "general": general_json(general) }), secret)?;
    parse_refund(&signed)?;
    Ok(signed)
}

// ---------------------------------------------------------------------------------------
// Splicing: the signature joins a body's values as `path:value;path:value`
// ---------------------------------------------------------------------------------------

/// The key paths and string values of a body, each with its dotted path
/// (`customer.last_name`), the keys the signature skips excepted.
fn keys_and_texts<'a>(value: &'a Value, path: &str, keys: &mut Vec<(String, &'a str)>, texts: &mut Vec<(String, &'a str)>) {
    let child = |key: &str| if path.is_empty() { key.to_string() } else { format!("{path}.{key}") };
    match value {
        Value::Object(map) => {
            for (k, v) in map.iter().filter(|(k, _)| !SKIPPED_KEYS.contains(&k.as_str())) {
                keys.push((child(k), k));
                keys_and_texts(v, &child(k), keys, texts);
            }
        }
        Value::Array(list) => {
            for (i, v) in list.iter().enumerate() {
                keys_and_texts(v, &child(&i.to_string()), keys, texts);
            }
        }
        Value::String(s) => texts.push((path.to_string(), s)),
        _ => {}
    }
}

/// The text in `value` that could start another item of the signing string: a `;`
/// followed by a `:` before any other `;` (`;phone:` in `Tan;phone:254...`).
fn hidden_item(value: &str) -> Option<&str> {
    value.match_indices(';').find_map(|(i, _)| {
        let rest = &value[i + 1..];
        let end = rest.find(';').unwrap_or(rest.len());
        rest[..end].find(':').map(|colon| &value[i..=i + 1 + colon])
    })
}

/// What the builders refuse to sign: a value holding `;name:` for any name. Gate takes
/// keys it does not know ("all parameters of the specification"), so `Tan;zz:1` would
/// also sign a body whose last name is `Tan` plus a `zz`; refused here, every reading of
/// what a builder signed other than its own is one [`resplit_problems`] refuses.
fn separator_problems(doc: &Value) -> Vec<ParamError> {
    let (mut keys, mut texts) = (Vec::new(), Vec::new());
    keys_and_texts(doc, "", &mut keys, &mut texts);
    texts
        .into_iter()
        .filter_map(|(path, value)| {
            let hidden = hidden_item(value)?;
            Some(ParamError::new(
                &path,
                "separator",
                format!(
                    "must not contain {hidden:?}: the signature joins a body's values as path:value; so the same \
                     signature would also cover a body in which that text is another parameter"
                ),
            ))
        })
        .collect()
}

/// `doc` signed into `general.signature`, refusing what [`separator_problems`] refuses.
fn signed(doc: Value, secret: &str) -> Result<Value, Vec<ParamError>> {
    let errs = separator_problems(&doc);
    if errs.is_empty() {
        Ok(with_signature(doc, secret))
    } else {
        Err(errs)
    }
}

/// What the platform refuses in a signed Gate body so that no two bodies it accepts share
/// a signing string, each naming its dotted path: a key holding `;` (it signs like two
/// items) or `:` (the signer writes it `::`, and a value that starts with `:` makes `::`
/// too: `last_name` = `::` signs like a key `last_name:` holding nothing), and a value
/// holding `;name:` for a Gate object or a top-level key of the body
/// (`customer.last_name` = `Tan;customer:phone:254...` signs exactly like a last name `Tan`
/// and a phone; `return_url.decline` = `https://a;return_url:success:https://a` like a
/// decline URL and a success URL). Nested keys are path-prefixed in the signing string
/// (`customer:last_name:Tan`), but values are not escaped, so the path does not make the
/// reading unique. Run it with the parameter checks, after the signature.
pub fn resplit_problems(doc: &Value) -> Vec<ParamError> {
    let (mut keys, mut texts) = (Vec::new(), Vec::new());
    keys_and_texts(doc, "", &mut keys, &mut texts);
    let own = doc.as_object().map(|o| o.keys().map(String::as_str).collect::<Vec<_>>()).unwrap_or_default();
    // Each name once, with its place in the order the names are tried (the Gate objects
    // first): built once, so every value is then read once, whatever the number of keys.
    let mut names: HashMap<&str, usize> = HashMap::new();
    for (i, name) in SIGNED_OBJECTS.iter().copied().chain(own).enumerate() {
        names.entry(name).or_insert(i);
    }
    let mut errs: Vec<ParamError> = keys
        .into_iter()
        .filter(|(_, key)| key.contains([';', ':']))
        .map(|(path, _)| {
            ParamError::new(
                &path,
                "separator",
                "a key must not contain ';' or ':': the signature joins items with ';' and a key to its value with ':', so it signs like other items",
            )
        })
        .collect();
    errs.extend(texts.into_iter().filter_map(|(path, value)| {
        let name = hidden_name(value, &names)?;
        Some(ParamError::new(
            &path,
            "separator",
            format!("must not contain \";{name}:\": the signature joins a body's values as path:value; so this value signs like another {name} item"),
        ))
    }));
    errs
}

/// The first of `names` (in their order) that `value` holds as `;name:`, reading `value`
/// once: each `;` starts one candidate, the text up to the next `:` unless a `;` comes
/// first, looked up in `names`. A name holding `;` or `:` is never found this way; such a
/// name is a key [`resplit_problems`] refuses anyway. Same answer as
/// [`resplit_name`](crate::params::resplit_name) for names without separators, in time
/// linear in `value` rather than in `value` times the number of names.
fn hidden_name<'a>(value: &str, names: &HashMap<&'a str, usize>) -> Option<&'a str> {
    let mut best: Option<(usize, &'a str)> = None;
    let mut rest = value;
    while let Some(semi) = rest.find(';') {
        rest = &rest[semi + 1..];
        let Some(end) = rest.find([';', ':']) else { break };
        if rest.as_bytes()[end] == b':' {
            if let Some((name, &order)) = names.get_key_value(&rest[..end]) {
                if !matches!(best, Some((b, _)) if b <= order) {
                    best = Some((order, name));
                }
            }
        }
        rest = &rest[end..];
    }
    best.map(|(_, name)| name)
}

// ---------------------------------------------------------------------------------------
// Limits of a body, checked on its bytes before it is parsed
// ---------------------------------------------------------------------------------------

/// The largest Gate request body taken, in bytes (a sale is well under 2 KiB).
pub const MAX_BODY_BYTES: usize = 64 * 1024;
/// The most keys a Gate request body may hold, all objects together (a sale has about 20).
pub const MAX_BODY_KEYS: usize = 256;
/// The deepest nesting of objects and arrays in a Gate request body (a sale nests 2 deep).
pub const MAX_BODY_DEPTH: usize = 8;

/// Limits a JSON body must keep before any parsing or per-key work.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BodyLimits {
    pub bytes: usize,
    pub keys: usize,
    pub depth: usize,
}

/// Gate's limits: [`MAX_BODY_BYTES`], [`MAX_BODY_KEYS`], [`MAX_BODY_DEPTH`].
pub const GATE_BODY_LIMITS: BodyLimits = BodyLimits { bytes: MAX_BODY_BYTES, keys: MAX_BODY_KEYS, depth: MAX_BODY_DEPTH };

/// Checks a JSON body's size, number of keys and nesting on its bytes, in one pass that
/// stops at the first limit passed, before the body is parsed: `body` `too_large`,
/// `too_many_keys` or `too_deep`, the message naming the limit. Not a JSON check (the
/// parser runs next): it counts each `:` outside strings as a key and each `{` or `[` as
/// a level.
pub fn body_limit_problem(body: &[u8], limits: BodyLimits) -> Option<ParamError> {
    if body.len() > limits.bytes {
        return Some(ParamError::new(
            "body",
            "too_large",
            format!("{} bytes sent; a request body is at most {} bytes", body.len(), limits.bytes),
        ));
    }
    let (mut depth, mut keys, mut in_string, mut escaped) = (0usize, 0usize, false, false);
    for &b in body {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'{' | b'[' => {
                depth += 1;
                if depth > limits.depth {
                    return Some(ParamError::new(
                        "body",
                        "too_deep",
                        format!("objects and arrays nest more than {} levels deep; at most {} are accepted", limits.depth, limits.depth),
                    ));
                }
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            b':' => {
                keys += 1;
                if keys > limits.keys {
                    return Some(ParamError::new(
                        "body",
                        "too_many_keys",
                        format!("more than {} keys sent; a request body holds at most {} keys", limits.keys, limits.keys),
                    ));
                }
            }
            _ => {}
        }
    }
    None
}

// ---------------------------------------------------------------------------------------
// Validators (platform side)
// ---------------------------------------------------------------------------------------

/// The object at `key` of the root; reports it missing or of the wrong type.
fn section<'a>(root: &'a Map<String, Value>, key: &str, holds: &str, errs: &mut Vec<ParamError>) -> Option<&'a Map<String, Value>> {
    match root.get(key) {
        Some(Value::Object(m)) => Some(m),
        None | Some(Value::Null) => {
            errs.push(ParamError::new(key, "required", format!("is required: an object with {holds}")));
            None
        }
        Some(other) => {
            errs.push(ParamError::new(key, "type", format!("must be an object with {holds}, got {}", shown(other))));
            None
        }
    }
}

/// An identifier: a non-empty string of at most 255 characters, or an integer.
fn id_at(obj: &Map<String, Value>, section: &str, key: &str, errs: &mut Vec<ParamError>) -> Option<String> {
    let path = format!("{section}.{key}");
    match obj.get(key) {
        None | Some(Value::Null) => {
            errs.push(ParamError::new(&path, "required", "is required"));
            None
        }
        Some(Value::String(s)) if s.trim().is_empty() => {
            errs.push(ParamError::new(&path, "required", "is required: must not be empty"));
            None
        }
        Some(Value::String(s)) if s.chars().count() > 255 || s.chars().any(char::is_control) => {
            errs.push(ParamError::new(&path, "format", "must be at most 255 characters with no control characters"));
            None
        }
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Number(n)) if n.is_u64() || n.is_i64() => Some(n.to_string()),
        Some(other) => {
            errs.push(ParamError::new(&path, "type", format!("must be a string, got {}", shown(other))));
            None
        }
    }
}

fn parse_general(root: &Map<String, Value>, errs: &mut Vec<ParamError>) -> (Option<GeneralIds>, Option<String>) {
    let Some(g) = section(root, "general", "project_id, payment_id and signature", errs) else {
        return (None, None);
    };
    let project_id = positive_int(g, "general.project_id", "project_id", "a positive integer", errs);
    let payment_id = id_at(g, "general", "payment_id", errs);
    let signature = match g.get("signature") {
        None | Some(Value::Null) => {
            errs.push(ParamError::new("general.signature", "required", "is required: sign the request with the project secret"));
            None
        }
        Some(Value::String(s)) if !s.trim().is_empty() => Some(s.clone()),
        Some(other) => {
            errs.push(ParamError::new("general.signature", "type", format!("must be a non-empty string (Base64), got {}", shown(other))));
            None
        }
    };
    match (project_id, payment_id) {
        (Some(project_id), Some(payment_id)) => (Some(GeneralIds { project_id, payment_id }), signature),
        _ => (None, signature),
    }
}

fn root_object(doc: &Value) -> Result<&Map<String, Value>, Vec<ParamError>> {
    doc.as_object().ok_or_else(|| vec![ParamError::new("body", "type", "must be a JSON object with general, customer and payment")])
}

/// Checks a sale body of `kind`: every problem is reported, each naming its dotted path
/// (`general.project_id`, `customer.ip_address`, `payment.amount`, ...). Keys the seed
/// does not mention are allowed ("all parameters of the specification may be used").
/// The signature is only checked for presence: verify it first with
/// [`crate::signature::verify`].
pub fn parse_sale(kind: SaleKind, doc: &Value) -> Result<SaleRequest, Vec<ParamError>> {
    let root = root_object(doc)?;
    let mut errs = Vec::new();
    let (general, signature) = parse_general(root, &mut errs);

    let customer_holds = match kind {
        SaleKind::CardPartner => "id and ip_address (phone and email recommended)",
        SaleKind::Epay => "id, ip_address, first_name, last_name, email and phone",
    };
    let customer = section(root, "customer", customer_holds, &mut errs).map(|c| {
        let mut out =
            GateCustomer { id: id_at(c, "customer", "id", &mut errs).unwrap_or_default(), ip_address: String::new(), ..Default::default() };
        match c.get("ip_address") {
            None | Some(Value::Null) => {
                errs.push(ParamError::new("customer.ip_address", "required", "is required: the customer's IP address"))
            }
            Some(Value::String(s)) if s.trim().parse::<std::net::IpAddr>().is_ok() => out.ip_address = s.clone(),
            Some(other) => errs.push(ParamError::new(
                "customer.ip_address",
                "format",
                format!("must be an IPv4 or IPv6 address such as 1.2.3.4, got {}", shown(other)),
            )),
        }
        let required: &[CustomerField] = match kind {
            SaleKind::CardPartner => &[],
            SaleKind::Epay => &CustomerField::ALL,
        };
        for f in CustomerField::ALL {
            let path = format!("customer.{}", f.gate_key());
            match c.get(f.gate_key()) {
                None | Some(Value::Null) => {
                    if required.contains(&f) {
                        errs.push(ParamError::new(&path, "required", format!("is required for {}", kind.method().as_str())));
                    }
                }
                Some(Value::String(s)) => match f.check(s) {
                    Ok(()) => out.data.set(f, Some(s.clone())),
                    Err(problem) => {
                        let code = if s.trim().is_empty() && required.contains(&f) { "required" } else { "format" };
                        errs.push(ParamError::new(&path, code, problem.rule()))
                    }
                },
                Some(Value::Number(n)) if f == CustomerField::Phone && n.is_u64() => {
                    let s = n.to_string();
                    match f.check(&s) {
                        Ok(()) => out.data.phone = Some(s),
                        Err(problem) => errs.push(ParamError::new(&path, "format", problem.rule())),
                    }
                }
                Some(other) => errs.push(ParamError::new(&path, "type", format!("must be a string, got {}", shown(other)))),
            }
        }
        out
    });

    let payment = section(root, "payment", "amount and currency", &mut errs).map(|p| {
        let amount = positive_int(p, "payment.amount", "amount", "a positive integer in minor units (1000 is 10.00)", &mut errs)
            .map(|a| MinorUnits(a as i64));
        let currency = currency(p, "payment.currency", "currency", "is required: ISO 4217 alpha-3", "KES", &mut errs);
        let description = match p.get("description") {
            None | Some(Value::Null) => {
                if kind == SaleKind::Epay {
                    errs.push(ParamError::new("payment.description", "required", "is required for epaycash: a description of the payment"));
                }
                None
            }
            Some(Value::String(s)) if kind == SaleKind::Epay && s.trim().is_empty() => {
                errs.push(ParamError::new("payment.description", "required", "is required for epaycash: must not be empty"));
                None
            }
            Some(Value::String(s)) => Some(s.clone()),
            Some(other) => {
                errs.push(ParamError::new("payment.description", "type", format!("must be a string, got {}", shown(other))));
                None
            }
        };
        if let (Some(amount), Some(currency)) = (amount, &currency) {
            let method = kind.method();
            if let Err(problem) = method.rule().check(currency, amount) {
                let (param, code) = match problem {
                    MethodProblem::Currency { .. } => ("payment.currency", "currency_not_supported"),
                    _ => ("payment.amount", "amount_out_of_range"),
                };
                errs.push(ParamError::new(param, code, method_problem_message(method, currency, &problem)));
            }
        }
        GatePayment { amount: amount.unwrap_or(MinorUnits(0)), currency: currency.unwrap_or_default(), description }
    });

    match (general, signature, customer, payment) {
        (Some(general), Some(signature), Some(customer), Some(payment)) if errs.is_empty() => {
            Ok(SaleRequest { kind, general, customer, payment, signature })
        }
        _ => Err(errs),
    }
}

/// Checks a card-partner refund body: `general` only. A `payment.amount` (a partial
/// refund) is refused: the method refunds in full.
pub fn parse_refund(doc: &Value) -> Result<RefundRequest, Vec<ParamError>> {
    let root = root_object(doc)?;
    let mut errs = Vec::new();
    let (general, signature) = parse_general(root, &mut errs);
    if let Some(amount) = root.get("payment").and_then(|p| p.get("amount")).filter(|a| !a.is_null()) {
        errs.push(ParamError::new(
            "payment.amount",
            "partial_refund",
            format!("card-partner refunds are full refunds only: send general alone, without an amount (got {})", shown(amount)),
        ));
    }
    match (general, signature) {
        (Some(general), Some(signature)) if errs.is_empty() => Ok(RefundRequest { general, signature }),
        _ => Err(errs),
    }
}

// ---------------------------------------------------------------------------------------
// Return URLs of a sale, and the payment status request
// ---------------------------------------------------------------------------------------

/// The sale's optional root `return_url` (as in the docs-style Gate vector E2): where the
/// partner sends the customer back after a successful (`success`) or declined
/// (`decline`) payment. Without it the platform shows its own "payment complete" page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReturnUrl {
    pub success: Option<String>,
    pub decline: Option<String>,
}

impl ReturnUrl {
    /// The same page for both outcomes.
    pub fn both(url: impl Into<String>) -> Self {
        let url = url.into();
        ReturnUrl { success: Some(url.clone()), decline: Some(url) }
    }
    pub fn is_empty(&self) -> bool {
        self.success.is_none() && self.decline.is_none()
    }
}

/// [`card_partner_sale`] with a root `return_url {success?, decline?}`, signed with the rest.
/// Each URL must be https (plain http only to loopback, for the sandbox).
pub fn card_partner_sale_returning(
    general: &GeneralIds,
    customer: &GateCustomer,
    payment: &GatePayment,
    return_url: &ReturnUrl,
    secret: &str,
) -> Result<Value, Vec<ParamError>> {
    let mut body = card_partner_sale(general, customer, payment, secret)?;
    if return_url.is_empty() {
        return Ok(body);
    }
    let mut r = Map::new();
    put(&mut r, "success", &return_url.success);
    put(&mut r, "decline", &return_url.decline);
    if let Some(obj) = body.as_object_mut() {
        obj.insert("return_url".into(), Value::Object(r));
    }
    if let Some(general) = body.get_mut("general").and_then(Value::as_object_mut) {
        general.remove("signature");
    }
    let signed = signed(body, secret)?;
    parse_return_url(&signed, UrlPolicy { allow_loopback_http: true })?;
    Ok(signed)
}

/// Reads a sale's optional `return_url`: absent or null is empty; otherwise an object whose
/// `success` and `decline` (each optional) are URLs allowed by `policy`, named
/// `return_url.success` / `return_url.decline` when refused.
pub fn parse_return_url(doc: &Value, policy: UrlPolicy) -> Result<ReturnUrl, Vec<ParamError>> {
    let mut errs = Vec::new();
    let mut out = ReturnUrl::default();
    match doc.get("return_url") {
        None | Some(Value::Null) => {}
        Some(Value::Object(m)) => {
            for (key, slot) in [("success", &mut out.success), ("decline", &mut out.decline)] {
                let path = format!("return_url.{key}");
                match m.get(key) {
                    None | Some(Value::Null) => {}
                    Some(Value::String(url)) => match check_url(url, policy) {
                        Ok(()) => *slot = Some(url.clone()),
                        Err(e) => errs.push(ParamError::new(&path, "url", e.to_string().replacen("redirect_data.url: ", "", 1))),
                    },
                    Some(other) => errs.push(ParamError::new(&path, "type", format!("must be a URL string, got {}", shown(other)))),
                }
            }
        }
        Some(other) => errs.push(ParamError::new(
            "return_url",
            "type",
            format!("must be an object with success and/or decline URLs, got {}", shown(other)),
        )),
    }
    if errs.is_empty() {
        Ok(out)
    } else {
        Err(errs)
    }
}

/// `POST /v2/payment/status`: the sandbox's merchant status request (our design; the
/// seeds do not show one). Body: `general {project_id, payment_id, signature}`.
pub const PAYMENT_STATUS_PATH: &str = "/v2/payment/status";

/// A checked status request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusRequest {
    pub general: GeneralIds,
    pub signature: String,
}

/// A signed `/v2/payment/status` body.
pub fn payment_status_request(general: &GeneralIds, secret: &str) -> Result<Value, Vec<ParamError>> {
    let signed = signed(json!({ "general": general_json(general) }), secret)?;
    parse_status_request(&signed)?;
    Ok(signed)
}

/// Checks a status request body: `general` with `project_id`, `payment_id`, `signature`.
pub fn parse_status_request(doc: &Value) -> Result<StatusRequest, Vec<ParamError>> {
    let root = root_object(doc)?;
    let mut errs = Vec::new();
    let (general, signature) = parse_general(root, &mut errs);
    match (general, signature) {
        (Some(general), Some(signature)) if errs.is_empty() => Ok(StatusRequest { general, signature }),
        _ => Err(errs),
    }
}

// ---------------------------------------------------------------------------------------
// Clarification (seed 001, "Дополнение информации о платеже")
// ---------------------------------------------------------------------------------------

/// `POST /v2/payment/clarification`: the merchant supplies what the platform asked for.
///
/// Seed 001: a Gate card-partner sale should carry `customer.phone` and `customer.email`;
/// when they are missing, the platform sends a callback (payment and operation status
/// `awaiting clarification`) whose `clarification_fields` list the missing parameters,
/// and the merchant supplies them with this request. The path is the one ECommPay's
/// public Gate documentation and a public Gate stub use; the body, `general` plus
/// `additional_data` holding the requested objects, is this project's choice (the seed
/// shows neither): `{"general": {project_id, payment_id, signature},
/// "additional_data": {"customer": {"phone": ..., "email": ...}}}`, signed like every
/// Gate request into `general.signature`.
pub const CLARIFICATION_PATH: &str = "/v2/payment/clarification";

/// The customer fields a card-partner sale may be asked to clarify (seed 001 recommends
/// both), as `customer` keys.
pub const CLARIFIABLE: [CustomerField; 2] = [CustomerField::Phone, CustomerField::Email];

/// The `customer` key of a clarifiable field (`phone`, `email`).
pub fn customer_key(f: CustomerField) -> &'static str {
    f.param().strip_prefix("customer_").unwrap_or(f.param())
}

/// What the merchant supplies.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClarificationData {
    pub phone: Option<String>,
    pub email: Option<String>,
}

impl ClarificationData {
    pub fn get(&self, f: CustomerField) -> Option<&str> {
        match f {
            CustomerField::Phone => self.phone.as_deref(),
            CustomerField::Email => self.email.as_deref(),
            _ => None,
        }
    }
}

/// A checked clarification request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClarificationRequest {
    pub general: GeneralIds,
    pub data: ClarificationData,
    pub signature: String,
}

/// A signed `/v2/payment/clarification` body; refuses what the platform would refuse.
pub fn clarification(general: &GeneralIds, data: &ClarificationData, secret: &str) -> Result<Value, Vec<ParamError>> {
    let mut customer = Map::new();
    for f in CLARIFIABLE {
        if let Some(v) = data.get(f) {
            customer.insert(customer_key(f).into(), json!(v));
        }
    }
    let doc = json!({ "general": general_json(general), "additional_data": { "customer": customer } });
    let signed = signed(doc, secret)?;
    parse_clarification(&signed)?;
    Ok(signed)
}

/// Checks a clarification body: `general`, and `additional_data.customer` with `phone`
/// and/or `email` (each checked like the sale's), nothing else. Whether these are the
/// fields the payment waits for is the platform's business ([`missing_after`]).
pub fn parse_clarification(doc: &Value) -> Result<ClarificationRequest, Vec<ParamError>> {
    let root = root_object(doc)?;
    let mut errs = Vec::new();
    let (general, signature) = parse_general(root, &mut errs);
    let mut data = ClarificationData::default();
    if let Some(additional) = section(root, "additional_data", "customer", &mut errs) {
        match additional.get("customer") {
            Some(Value::Object(customer)) => {
                for (key, value) in customer {
                    let name = format!("additional_data.customer.{key}");
                    let Some(f) = CLARIFIABLE.into_iter().find(|f| customer_key(*f) == key) else {
                        errs.push(ParamError::new(&name, "unknown_param", "cannot be clarified: only phone and email"));
                        continue;
                    };
                    match value {
                        Value::String(v) if !v.trim().is_empty() => match f.check(v) {
                            Ok(()) => match f {
                                CustomerField::Phone => data.phone = Some(f.normalize(v)),
                                _ => data.email = Some(f.normalize(v)),
                            },
                            Err(problem) => errs.push(ParamError::new(&name, "format", problem.rule())),
                        },
                        other => errs.push(ParamError::new(&name, "type", format!("must be a non-empty string, got {}", shown(other)))),
                    }
                }
                if customer.is_empty() {
                    errs.push(ParamError::new(
                        "additional_data.customer",
                        "required",
                        "must hold the fields asked for: phone and/or email",
                    ));
                }
            }
            None | Some(Value::Null) => {
                errs.push(ParamError::new("additional_data.customer", "required", "is required: an object with phone and/or email"))
            }
            Some(other) => errs.push(ParamError::new(
                "additional_data.customer",
                "type",
                format!("must be an object with phone and/or email, got {}", shown(other)),
            )),
        }
        for key in additional.keys().filter(|k| *k != "customer") {
            errs.push(ParamError::new(&format!("additional_data.{key}"), "unknown_param", "cannot be clarified: only customer"));
        }
    }
    match (general, signature) {
        (Some(general), Some(signature)) if errs.is_empty() => Ok(ClarificationRequest { general, data, signature }),
        _ => Err(errs),
    }
}

/// The fields still missing once `supplied` is added to what the sale carried (`known`).
pub fn missing_after(asked: &[CustomerField], supplied: &ClarificationData) -> Vec<CustomerField> {
    asked.iter().copied().filter(|f| supplied.get(*f).is_none()).collect()
}

/// The callback's `clarification_fields`: a JSON Schema of the body part to send, here
/// `{"type": "object", "required": ["customer"], "properties": {"customer": {"type":
/// "object", "required": ["phone", "email"], "properties": {"phone": {"type": "string"},
/// "email": {"type": "string"}}}}}` for a sale that had neither.
pub fn clarification_fields(missing: &[CustomerField]) -> Value {
    let keys: Vec<&str> = missing.iter().map(|f| customer_key(*f)).collect();
    let mut props = Map::new();
    for k in &keys {
        props.insert((*k).into(), json!({ "type": "string" }));
    }
    json!({
        "type": "object",
        "required": ["customer"],
        "properties": { "customer": { "type": "object", "required": keys, "properties": props } },
    })
}

/// The merchant's view of a callback asking for clarification (`clarification_fields`
/// present): the payment, and the parameters to supply as dotted names
/// (`customer.phone`). Read it from a callback whose signature was checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClarificationAsked {
    pub project_id: u64,
    pub payment_id: String,
    /// Dotted names, `customer.phone`, `customer.email`.
    pub missing: Vec<String>,
}

impl ClarificationAsked {
    /// `None` when the callback does not ask for clarification.
    pub fn from_callback(doc: &Value) -> Option<ClarificationAsked> {
        let fields = doc.get("clarification_fields")?;
        let mut missing = Vec::new();
        if let Some(props) = fields.get("properties").and_then(Value::as_object) {
            for (object, schema) in props {
                let required = schema.get("required").and_then(Value::as_array);
                let inner = schema.get("properties").and_then(Value::as_object);
                let names: Vec<String> = match (required, inner) {
                    (Some(r), _) => r.iter().filter_map(Value::as_str).map(str::to_string).collect(),
                    (None, Some(p)) => p.keys().cloned().collect(),
                    (None, None) => Vec::new(),
                };
                missing.extend(names.into_iter().map(|n| format!("{object}.{n}")));
            }
        }
        Some(ClarificationAsked {
            project_id: doc.get("project_id").and_then(|v| v.as_u64().or_else(|| v.as_str()?.parse().ok())).unwrap_or(0),
            payment_id: doc.pointer("/payment/id").and_then(Value::as_str).unwrap_or_default().to_string(),
            missing,
        })
    }
}

// ---------------------------------------------------------------------------------------
// Immediate answer
// ---------------------------------------------------------------------------------------

/// The only `status` of an accepted request.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AcceptedStatus {
    #[default]
    Success,
}

/// The only `status` of a refused request.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RejectedStatus {
    #[default]
    Error,
}

/// Request received and correct: `{"project_id", "payment_id", "status": "success", "request_id"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GateAccepted {
    pub project_id: u64,
    pub payment_id: String,
    pub status: AcceptedStatus,
    /// The platform's id of this request; callbacks carry it as `operation.request_id`.
    pub request_id: String,
}

impl GateAccepted {
    pub fn new(general: &GeneralIds, request_id: impl Into<String>) -> Self {
        GateAccepted {
            project_id: general.project_id,
            payment_id: general.payment_id.clone(),
            status: AcceptedStatus::Success,
            request_id: request_id.into(),
        }
    }
}

/// Request refused: `{"status": "error", "code", "param"?, "message", "errors"?}`: the
/// platform's error body ([`ApiErrorBody`]: `code` is e.g. `invalid_params`, `bad_signature`,
/// `unknown_project`, `unknown_payment`, `duplicate_payment`, `not_refundable`, `internal`)
/// beside Gate's `status`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GateRejected {
    pub status: RejectedStatus,
    #[serde(flatten)]
    pub error: ApiErrorBody,
}

impl GateRejected {
    pub fn new(code: ErrorCode, param: Option<&str>, message: impl Into<String>) -> Self {
        GateRejected { status: RejectedStatus::Error, error: ApiError::new(code, param, message).error }
    }

    /// `invalid_params` with all the problems; `param` is the first one.
    pub fn invalid(errors: Vec<ParamError>) -> Self {
        GateRejected { status: RejectedStatus::Error, error: ApiError::from_params(errors).error }
    }

    /// `bad_signature` on `general.signature`.
    pub fn bad_signature(e: &SignatureError) -> Self {
        let message = match e {
            SignatureError::Missing => "general.signature: is required: sign the request with the project secret".to_string(),
            SignatureError::Mismatch => "general.signature: does not match the parameters and the project secret".to_string(),
            SignatureError::NotAnObject => "body: must be a JSON object".to_string(),
        };
        GateRejected::new(ErrorCode::BadSignature, Some("general.signature"), message)
    }

    /// The HTTP status to answer with: 403 for signature and project, 404 for an
    /// unknown payment, 413 for a body over [`GATE_BODY_LIMITS`] in size or keys, 500 for
    /// `internal`, 503 for `storage_unavailable` (busy or full database: try again), 400 otherwise.
    pub fn http_status(&self) -> u16 {
        match self.error.code {
            ErrorCode::BadSignature | ErrorCode::UnknownProject => 403,
            ErrorCode::UnknownPayment => 404,
            ErrorCode::Internal => 500,
            ErrorCode::StorageUnavailable => 503,
            ErrorCode::InvalidParams
                if self.error.errors.first().is_some_and(|e| matches!(e.code.as_str(), "too_large" | "too_many_keys")) =>
            {
                413
            }
            _ => 400,
        }
    }
}

/// Either immediate answer, for the side that reads them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum GateResponse {
    Accepted(GateAccepted),
    Rejected(GateRejected),
}

impl GateResponse {
    /// Reads an immediate answer; `Err` says why it is neither shape.
    pub fn parse(text: &str) -> Result<GateResponse, String> {
        let doc: Value = serde_json::from_str(text).map_err(|e| format!("Gate answer: not JSON ({e})"))?;
        match doc.get("status").and_then(Value::as_str) {
            Some("success") => serde_json::from_value(doc).map(GateResponse::Accepted),
            Some("error") => serde_json::from_value(doc).map(GateResponse::Rejected),
            _ => return Err("Gate answer: status must be \"success\" or \"error\"".into()),
        }
        .map_err(|e| format!("Gate answer: {e}"))
    }
}

#[cfg(test)]
mod return_url_and_status_tests {
    use super::*;

    const SANDBOX: UrlPolicy = UrlPolicy { allow_loopback_http: true };

    #[test]
    fn return_url_is_signed_with_the_sale_and_read_back() {
        let general = GeneralIds { project_id: 250, payment_id: "G1".into() };
        let customer = GateCustomer::new("c1", "1.2.3.4");
        let payment = GatePayment::new(MinorUnits(1000), "KES");
        let urls = ReturnUrl { success: Some("https://shop.example/ok".into()), decline: Some("http://127.0.0.1:8787/no".into()) };
        let body = card_partner_sale_returning(&general, &customer, &payment, &urls, "k").unwrap();
        assert_eq!(body["return_url"], json!({"success": "https://shop.example/ok", "decline": "http://127.0.0.1:8787/no"}));
        crate::signature::verify(&body, "k").unwrap();
        assert!(parse_sale(SaleKind::CardPartner, &body).is_ok());
        assert_eq!(parse_return_url(&body, SANDBOX).unwrap(), urls);
        // Without return URLs it is the plain sale.
        let plain = card_partner_sale_returning(&general, &customer, &payment, &ReturnUrl::default(), "k").unwrap();
        assert_eq!(plain, card_partner_sale(&general, &customer, &payment, "k").unwrap());
    }

    #[test]
    fn bad_return_urls_are_named() {
        let errs = parse_return_url(&json!({"return_url": {"success": "javascript:alert(1)", "decline": 5}}), SANDBOX).unwrap_err();
        let named: Vec<&str> = errs.iter().map(|e| e.param.as_str()).collect();
        assert_eq!(named, ["return_url.success", "return_url.decline"]);
        let errs = parse_return_url(&json!({"return_url": {"success": "http://127.0.0.1/x"}}), UrlPolicy { allow_loopback_http: false })
            .unwrap_err();
        assert_eq!(errs[0].code, "url");
        assert_eq!(parse_return_url(&json!({"return_url": "https://x.example"}), SANDBOX).unwrap_err()[0].param, "return_url");
        assert_eq!(parse_return_url(&json!({}), SANDBOX).unwrap(), ReturnUrl::default());
        let general = GeneralIds { project_id: 250, payment_id: "G1".into() };
        let errs = card_partner_sale_returning(
            &general,
            &GateCustomer::new("c1", "1.2.3.4"),
            &GatePayment::new(MinorUnits(1000), "KES"),
            &ReturnUrl::both("http://evil.example/"),
            "k",
        )
        .unwrap_err();
        assert_eq!(errs[0].param, "return_url.success");
    }

    #[test]
    fn status_request_is_general_only() {
        let general = GeneralIds { project_id: 250, payment_id: "G1".into() };
        let body = payment_status_request(&general, "k").unwrap();
        crate::signature::verify(&body, "k").unwrap();
        assert_eq!(parse_status_request(&body).unwrap().general, general);
        let errs = parse_status_request(&json!({"general": {"project_id": 250}})).unwrap_err();
        let named: Vec<&str> = errs.iter().map(|e| e.param.as_str()).collect();
        assert_eq!(named, ["general.payment_id", "general.signature"]);
    }
}
