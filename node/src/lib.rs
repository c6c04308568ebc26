//! The merchant's server library for Node (`epay-widget/server`): epay-core's signing,
//! callback verification, PayDala answers and Gate requests, compiled to WebAssembly
//! (`scripts/build-server-lib.sh`, wasm-bindgen's Node target). No child process, no native
//! binary, no network: the same code the `epay` CLI and the sandbox run.
//!
//! Every function takes text or bytes and answers one JSON document (`{"ok": true, ...}` or
//! `{"ok": false, ...}`); `node/js/server.mjs` turns those into the typed API of
//! `server.d.ts` (objects in, typed errors with a `code` out). Nothing here panics on input.

use epay_core::callback::{verify_callback_bytes as core_verify_callback, CallbackError};
use epay_core::gate::{self, GateCustomer, GatePayment, GeneralIds, ReturnUrl};
use epay_core::params::ParamError;
use epay_core::paydala::{
    self, Account, CheckDepositRequest, CheckDepositResponse, Deposit, DepositError, PaydalaMerchant, PaydalaRequest, VerifyRequest,
    VerifyResponse,
};
use epay_core::signature::{sign_checked, verify, SignatureError};
use epay_core::MinorUnits;
use serde::Deserialize;
use serde_json::{json, Value};
use std::cell::Cell;
use wasm_bindgen::prelude::wasm_bindgen;

fn errors_json(errs: &[ParamError]) -> Value {
    Value::Array(errs.iter().map(|e| json!({ "param": e.param, "code": e.code, "message": e.to_string() })).collect())
}

// ---------------------------------------------------------------------------------------
// Signing
// ---------------------------------------------------------------------------------------

/// Signs a JSON object of parameters exactly as the official SDKs do
/// (`epay_core::signature::sign_checked`): never refused for its values. `warnings` are
/// what the platform would refuse about how the set signs (the same rule the platform
/// applies: a value that could be read as, or hide, another parameter), for the merchant
/// to look at: `{"ok":true,"signature":"...","warnings":[{param,code,message}]}`.
#[wasm_bindgen(js_name = signJson)]
pub fn sign_json(params_json: &str, secret: &str) -> String {
    let doc: Value = match serde_json::from_str(params_json) {
        Ok(v) => v,
        Err(e) => return json!({ "ok": false, "message": format!("params: must be a JSON object ({e})") }).to_string(),
    };
    if !doc.is_object() {
        return json!({ "ok": false, "message": "params: must be an object of parameters" }).to_string();
    }
    let signed = sign_checked(&doc, secret);
    json!({ "ok": true, "signature": signed.signature, "warnings": signed.warnings }).to_string()
}

/// Checks the signature a document carries (root or `general`), in constant time:
/// `{"ok":true}` or `{"ok":false,"code":"not_json"|"bad_signature","message"}`.
#[wasm_bindgen(js_name = verifyJson)]
pub fn verify_json(doc_json: &str, secret: &str) -> String {
    let doc = match epay_core::callback::one_json_value(doc_json) {
        Ok(d) => d,
        Err(e) => return json!({ "ok": false, "code": e.code(), "message": e.to_string() }).to_string(),
    };
    match verify(&doc, secret) {
        Ok(()) => json!({ "ok": true }).to_string(),
        Err(e) => json!({ "ok": false, "code": "bad_signature", "message": e.to_string() }).to_string(),
    }
}

// ---------------------------------------------------------------------------------------
// Callbacks
// ---------------------------------------------------------------------------------------

/// `epay_core::callback::verify_callback_bytes`: size, exactly one JSON value, signature,
/// then the callback's structure. `{"ok":true,"callback":{...},"key":"250/...","document":{...}}`
/// or `{"ok":false,"code":"too_large"|"not_json"|"bad_signature"|"not_a_callback","message"}`.
#[wasm_bindgen(js_name = verifyCallbackBytes)]
pub fn verify_callback_bytes(body: &[u8], secret: &str, max_bytes: u32) -> String {
    match core_verify_callback(body, secret, max_bytes as usize) {
        Ok(cb) => {
            // The whole document too: fields the model does not name (clarification_fields, ...).
            let document = serde_json::from_slice::<Value>(body).unwrap_or(Value::Null);
            let callback = serde_json::to_value(&cb).unwrap_or(Value::Null);
            json!({ "ok": true, "callback": callback, "key": cb.key().to_string(), "document": document }).to_string()
        }
        Err(e) => callback_error(&e),
    }
}

fn callback_error(e: &CallbackError) -> String {
    json!({ "ok": false, "code": e.code(), "message": e.to_string() }).to_string()
}

// ---------------------------------------------------------------------------------------
// PayDala (seed 000)
// ---------------------------------------------------------------------------------------

/// The `{code, message}` answer given before a request's type is known (both answers
/// have that shape then), as `epay_core::paydala::handle` gives it.
fn paydala_refusal(code: u16, message: String) -> String {
    let body = match code {
        400 => VerifyResponse::bad_signature().with_message(message.clone()),
        _ => VerifyResponse::not_found(message.clone()),
    }
    .to_json();
    json!({ "ok": false, "code": code, "message": message, "body": body }).to_string()
}

/// Reads and verifies a PayDala request in `handle`'s order: a JSON object (else code 404),
/// a signature that matches (else 400), the parameters (else 404, naming each).
/// `{"ok":true,"request":{"type":"verify","project_id","customer_id"}}` (check_deposit adds
/// `amount`, `currency`), or `{"ok":false,"code":400|404,"message","body":"<the answer>"}`.
#[wasm_bindgen(js_name = paydalaRead)]
pub fn paydala_read(body: &[u8], secret: &str) -> String {
    let doc: Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(e) => return paydala_refusal(404, format!("body: must be a JSON object ({e})")),
    };
    if !doc.is_object() {
        return paydala_refusal(404, "body: must be a JSON object".into());
    }
    match doc.get("signature") {
        None | Some(Value::Null) => {
            return paydala_refusal(400, "signature: is required: the request must be signed with the project secret".into())
        }
        Some(Value::String(_)) => {}
        Some(_) => return paydala_refusal(400, "signature: must be a string (Base64)".into()),
    }
    if let Err(e) = verify(&doc, secret) {
        let message = match e {
            SignatureError::Mismatch => VerifyResponse::bad_signature().message().unwrap_or_default().to_string(),
            other => other.to_string(),
        };
        return paydala_refusal(400, message);
    }
    match PaydalaRequest::from_value(&doc) {
        Ok(PaydalaRequest::Verify(r)) => {
            json!({ "ok": true, "request": { "type": paydala::TYPE_VERIFY, "project_id": r.project_id, "customer_id": r.customer_id } })
                .to_string()
        }
        Ok(PaydalaRequest::CheckDeposit(r)) => json!({ "ok": true, "request": {
            "type": paydala::TYPE_CHECK_DEPOSIT, "project_id": r.project_id, "customer_id": r.customer_id,
            "amount": r.amount.0, "currency": r.currency,
        } })
        .to_string(),
        Err(errs) => paydala_refusal(404, errs.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ")),
    }
}

#[derive(Deserialize)]
struct RequestIn {
    #[serde(rename = "type")]
    kind: String,
    project_id: u64,
    customer_id: String,
    #[serde(default)]
    amount: i64,
    #[serde(default)]
    currency: String,
}

#[derive(Deserialize)]
struct AccountIn {
    currency: String,
    #[serde(default)]
    additional_customer_id: Option<String>,
}

/// What the merchant's `lookupAccount` gave: an account, none, or its failure.
#[derive(Deserialize)]
struct LookupIn {
    #[serde(default)]
    account: Option<AccountIn>,
    #[serde(default)]
    error: Option<String>,
}

#[derive(Deserialize)]
struct DepositIn {
    payment_id: String,
    #[serde(default)]
    description: Option<String>,
}

/// What the merchant's `createDeposit` gave, once asked.
#[derive(Deserialize)]
struct DepositOutcome {
    #[serde(default)]
    deposit: Option<DepositIn>,
    #[serde(default)]
    unknown_account: bool,
    #[serde(default)]
    error: Option<String>,
}

/// A merchant whose answers were fetched beforehand (by async JS functions): the core's
/// own `answer_verify` / `answer_check_deposit` then decide the code, so the rules
/// (currency checks, empty ids, 404 vs 500) are the core's.
struct Fetched {
    lookup: LookupIn,
    deposit: Option<DepositOutcome>,
    asked_for_deposit: Cell<bool>,
}

impl PaydalaMerchant for Fetched {
    fn lookup_account(&self, _customer_id: &str) -> Result<Option<Account>, String> {
        if let Some(e) = &self.lookup.error {
            return Err(e.clone());
        }
        Ok(self
            .lookup
            .account
            .as_ref()
            .map(|a| Account { currency: a.currency.clone(), additional_customer_id: a.additional_customer_id.clone() }))
    }

    fn create_deposit(&self, _req: &CheckDepositRequest) -> Result<Deposit, DepositError> {
        match &self.deposit {
            None => {
                self.asked_for_deposit.set(true);
                Err(DepositError::Failed("not asked yet".into()))
            }
            Some(o) if o.unknown_account => Err(DepositError::UnknownAccount),
            Some(DepositOutcome { error: Some(e), .. }) => Err(DepositError::Failed(e.clone())),
            Some(DepositOutcome { deposit: Some(d), .. }) => {
                Ok(Deposit { payment_id: d.payment_id.clone(), description: d.description.clone() })
            }
            Some(_) => Err(DepositError::Failed("createDeposit returned neither a deposit nor an error".into())),
        }
    }
}

/// The answer to a request [`paydala_read`] accepted, given what the merchant's lookup (and,
/// for `check_deposit`, its booking) returned: `{"done":true,"code":0,"body":"..."}`, or
/// `{"done":false}` when the core wants the deposit booked (call again with `deposit_json`).
/// `deposit_json` is empty until then.
#[wasm_bindgen(js_name = paydalaAnswer)]
pub fn paydala_answer(request_json: &str, lookup_json: &str, deposit_json: &str) -> String {
    let req: RequestIn = match serde_json::from_str(request_json) {
        Ok(r) => r,
        Err(e) => {
            return answer_done(
                VerifyResponse::error(format!("request: {e}")).code(),
                VerifyResponse::error(format!("request: {e}")).to_json(),
            )
        }
    };
    let lookup: LookupIn = serde_json::from_str(lookup_json).unwrap_or_else(|e| LookupIn {
        account: None,
        error: Some(format!("lookupAccount: must return {{currency, additional_customer_id?}} or null ({e})")),
    });
    let deposit = if deposit_json.is_empty() {
        None
    } else {
        Some(serde_json::from_str(deposit_json).unwrap_or_else(|e| DepositOutcome {
            deposit: None,
            unknown_account: false,
            error: Some(format!("createDeposit: must return {{payment_id, description?}} ({e})")),
        }))
    };
    let merchant = Fetched { lookup, deposit, asked_for_deposit: Cell::new(false) };
    if req.kind == paydala::TYPE_VERIFY {
        let r = paydala::answer_verify(
            &VerifyRequest { customer_id: req.customer_id, project_id: req.project_id, signature: String::new() },
            &merchant,
        );
        return answer_done(r.code(), r.to_json());
    }
    let r = paydala::answer_check_deposit(
        &CheckDepositRequest {
            project_id: req.project_id,
            customer_id: req.customer_id,
            amount: MinorUnits(req.amount),
            currency: req.currency,
            signature: String::new(),
        },
        &merchant,
    );
    if merchant.asked_for_deposit.get() {
        return json!({ "done": false }).to_string();
    }
    answer_done(r.code(), r.to_json())
}

fn answer_done(code: paydala::ResponseCode, body: String) -> String {
    json!({ "done": true, "code": code.as_u16(), "body": body }).to_string()
}

#[derive(Deserialize)]
struct ResponseSpec {
    #[serde(rename = "type")]
    kind: String,
    code: u16,
    #[serde(default)]
    currency: Option<String>,
    #[serde(default)]
    additional_customer_id: Option<String>,
    #[serde(default)]
    payment_id: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    message: Option<String>,
}

/// Builds one answer body from its parts, with the core's constructors and rules (code 0
/// of `verify` needs an ISO 4217 `currency`, code 0 of `check_deposit` a `payment_id`, 500 a
/// `message`): `{"ok":true,"body":"..."}` or `{"ok":false,"message"}`.
#[wasm_bindgen(js_name = paydalaResponse)]
pub fn paydala_response(spec_json: &str) -> String {
    let s: ResponseSpec = match serde_json::from_str(spec_json) {
        Ok(s) => s,
        Err(e) => return json!({ "ok": false, "message": format!("answer: {e}") }).to_string(),
    };
    let nonempty = |v: &Option<String>| v.as_deref().filter(|t| !t.trim().is_empty()).map(str::to_string);
    let body = match (s.kind.as_str(), s.code) {
        ("verify", 0) => match nonempty(&s.currency) {
            Some(c) => VerifyResponse::ok(c, nonempty(&s.additional_customer_id)).to_json(),
            None => return refuse("currency: is required with code 0 (ISO 4217 alpha-3, such as KZT)"),
        },
        ("check_deposit", 0) => match nonempty(&s.payment_id) {
            Some(id) => CheckDepositResponse::ok(id, nonempty(&s.description)).to_json(),
            None => return refuse("payment_id: is required with code 0 (your id of the deposit)"),
        },
        (_, 400) => with_message(VerifyResponse::bad_signature(), &s.message).to_json(),
        (_, 404) => VerifyResponse::not_found(nonempty(&s.message).unwrap_or_else(|| paydala::ACCOUNT_NOT_FOUND.into())).to_json(),
        (_, 500) => match nonempty(&s.message) {
            Some(m) => VerifyResponse::error(m).to_json(),
            None => return refuse("message: is required with code 500 (the reason)"),
        },
        ("verify" | "check_deposit", other) => return refuse(&format!("code: must be 0, 400, 404 or 500, got {other}")),
        (other, _) => return refuse(&format!("type: must be verify or check_deposit, got {other:?}")),
    };
    // The parsers the platform side uses accept it (a check, not a transformation).
    let parsed = match s.kind.as_str() {
        "verify" => paydala::parse_verify_response(&body).map(|_| ()),
        _ => paydala::parse_check_deposit_response(&body).map(|_| ()),
    };
    if let Err(e) = parsed {
        return refuse(&e.to_string());
    }
    json!({ "ok": true, "body": body }).to_string()
}

fn with_message(r: VerifyResponse, m: &Option<String>) -> VerifyResponse {
    match m {
        Some(m) if !m.trim().is_empty() => r.with_message(m.clone()),
        _ => r,
    }
}

fn refuse(message: &str) -> String {
    json!({ "ok": false, "message": message }).to_string()
}

// ---------------------------------------------------------------------------------------
// Gate (seed 001, seed 002)
// ---------------------------------------------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CustomerIn {
    id: String,
    ip_address: String,
    #[serde(default)]
    phone: Option<String>,
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    first_name: Option<String>,
    #[serde(default)]
    last_name: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PaymentIn {
    amount: i64,
    currency: String,
    #[serde(default)]
    description: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReturnUrlIn {
    #[serde(default)]
    success: Option<String>,
    #[serde(default)]
    decline: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SaleIn {
    #[serde(default = "card_partner")]
    method: String,
    project_id: u64,
    payment_id: String,
    customer: CustomerIn,
    payment: PaymentIn,
    #[serde(default)]
    return_url: Option<ReturnUrlIn>,
}

fn card_partner() -> String {
    "card-partner".into()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RefundIn {
    project_id: u64,
    payment_id: String,
}

fn gate_result(path: &str, r: Result<Value, Vec<ParamError>>) -> String {
    match r {
        Ok(body) => json!({ "ok": true, "path": path, "body": body }).to_string(),
        Err(errs) => json!({ "ok": false, "errors": errors_json(&errs) }).to_string(),
    }
}

fn spec_error(what: &str, e: serde_json::Error) -> String {
    json!({ "ok": false, "errors": [{ "param": what, "code": "type", "message": format!("{what}: {e}") }] }).to_string()
}

/// A signed Gate sale body (`method` `card-partner`, the default, or `epay`), checked as the
/// platform checks it: `{"ok":true,"path":"/v2/payment/...","body":{...}}` or
/// `{"ok":false,"errors":[{param,code,message}]}` naming each parameter.
#[wasm_bindgen(js_name = gateSale)]
pub fn gate_sale(spec_json: &str, secret: &str) -> String {
    let s: SaleIn = match serde_json::from_str(spec_json) {
        Ok(s) => s,
        Err(e) => return spec_error("sale", e),
    };
    let general = GeneralIds { project_id: s.project_id, payment_id: s.payment_id };
    let c = s.customer;
    let customer = GateCustomer {
        id: c.id,
        ip_address: c.ip_address,
        data: epay_core::params::CustomerData { first_name: c.first_name, last_name: c.last_name, email: c.email, phone: c.phone },
    };
    let payment = GatePayment { amount: MinorUnits(s.payment.amount), currency: s.payment.currency, description: s.payment.description };
    match s.method.as_str() {
        "card-partner" => {
            let back = s.return_url.map(|r| ReturnUrl { success: r.success, decline: r.decline }).unwrap_or_default();
            gate_result(gate::CARD_PARTNER_SALE_PATH, gate::card_partner_sale_returning(&general, &customer, &payment, &back, secret))
        }
        "epay" if s.return_url.is_none() => gate_result(gate::EPAY_SALE_PATH, gate::epay_sale(&general, &customer, &payment, secret)),
        "epay" => json!({ "ok": false, "errors": [{ "param": "return_url", "code": "unknown_param",
            "message": "return_url: an EPay cash sale has none (the customer pays at a terminal)" }] })
        .to_string(),
        other => json!({ "ok": false, "errors": [{ "param": "method", "code": "unknown_method",
            "message": format!("method: must be card-partner or epay, got {other:?}") }] })
        .to_string(),
    }
}

/// A signed full-refund body for a card-partner payment (`general` only).
#[wasm_bindgen(js_name = gateRefund)]
pub fn gate_refund(spec_json: &str, secret: &str) -> String {
    let s: RefundIn = match serde_json::from_str(spec_json) {
        Ok(s) => s,
        Err(e) => return spec_error("refund", e),
    };
    let general = GeneralIds { project_id: s.project_id, payment_id: s.payment_id };
    gate_result(gate::CARD_PARTNER_REFUND_PATH, gate::card_partner_refund(&general, secret))
}
