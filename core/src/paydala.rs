//! PayDala Terminal (seed 000): the two synchronous requests the platform sends the
//! merchant's web service before a terminal top-up, and their answers.
//!
//! 1. `verify`: does this account (`customer_id`, typed at the terminal) exist? Answer
//!    code 0 with its `currency`, or 404.
//! 2. `check_deposit`: the customer is paying `amount` `currency` into it; answer code 0
//!    with the merchant's own `payment_id` for the deposit.
//!
//! Then the standard callback ([`crate::callback`]) tells the result. Both requests are
//! signed with the project secret (root `signature`). Response codes, from the seed:
//! `0` success, `400` signature error, `404` no such account *or a request that cannot
//! be processed correctly* ("Если запрос нельзя корректно обработать или не удалось
//! обнаружить запрошенный лицевой счет … 404"), `500` any other error (the merchant's
//! own), described in `message`. The HTTP status is always 200: the code is in the body.
//!
//! A merchant implements [`PaydalaMerchant`] (two functions) and passes each request body
//! to [`handle`]; this module does the rest (parsing, signature, codes, messages). The
//! platform side (the sandbox) uses [`build_verify`], [`build_check_deposit`],
//! [`parse_verify_response`] and [`parse_check_deposit_response`].
//!
//! ```
//! use epay_core::paydala::{
//!     self, Account, CheckDeposit, Deposit, DepositError, PaydalaMerchant, ResponseCode,
//! };
//! use epay_core::MinorUnits;
//! use std::cell::RefCell;
//!
//! struct Shop {
//!     deposits: RefCell<Vec<(String, i64)>>,
//! }
//!
//! impl PaydalaMerchant for Shop {
//!     fn lookup_account(&self, customer_id: &str) -> Result<Option<Account>, String> {
//!         Ok(match customer_id {
//!             "7123456789" => Some(Account {
//!                 currency: "KZT".into(),
//!                 additional_customer_id: Some("customer_123".into()),
//!             }),
//!             _ => None,
//!         })
//!     }
//!
//!     fn create_deposit(&self, req: &CheckDeposit) -> Result<Deposit, DepositError> {
//!         let mut deposits = self.deposits.borrow_mut();
//!         deposits.push((req.customer_id.clone(), req.amount.0));
//!         Ok(Deposit { payment_id: format!("payment_{}", deposits.len()), description: None })
//!     }
//! }
//!
//! let shop = Shop { deposits: RefCell::new(Vec::new()) };
//! let secret = "sandbox-secret-1234";
//!
//! // What the platform sends (here built with the platform-side helper) ...
//! let body = paydala::build_verify(1234, "7123456789", secret).to_string();
//! // ... and what the merchant answers, with HTTP status 200.
//! let reply = paydala::handle(body.as_bytes(), secret, &shop);
//! assert_eq!(reply.status, 200);
//! assert_eq!(reply.body, r#"{"code":0,"currency":"KZT","additional_customer_id":"customer_123"}"#);
//!
//! let body = paydala::build_check_deposit(1234, "7123456789", MinorUnits(100_000), "KZT", secret);
//! let reply = paydala::handle(body.to_string().as_bytes(), secret, &shop);
//! let answer = paydala::parse_check_deposit_response(&reply.body).unwrap();
//! assert_eq!(answer.code(), ResponseCode::Ok);
//! assert_eq!(answer.payment_id(), Some("payment_1"));
//!
//! // A request signed with another secret is refused with code 400.
//! let forged = paydala::build_verify(1234, "7123456789", "guess").to_string();
//! let reply = paydala::handle(forged.as_bytes(), secret, &shop);
//! assert_eq!(reply.code, ResponseCode::BadSignature);
//! ```
//!
//! `check_deposit` carries only `type`, `project_id`, `customer_id`, `amount`,
//! `currency`, `payment_method` and `signature`: nothing tells two requests for the same
//! account and amount apart, so two such requests are two top-ups. To never credit one
//! deposit twice, book it as pending in `create_deposit` and credit the account only when
//! the signed callback with `payment.id` = your `payment_id` and `operation.status`
//! `success` arrives, once per `payment_id` (callbacks may be delivered more than once).
//! A booking whose callback never comes is never credited.

use crate::json_check::{currency, positive_int, shown};
use crate::money::{is_currency_code, MinorUnits};
use crate::params::ParamError;
use crate::signature::{verify, with_signature, SignatureError};
use serde::{Serialize, Serializer};
use serde_json::{json, Map, Value};

/// The only `payment_method` of a `check_deposit` request (the PayDala payment group).
pub const PAYMENT_METHOD: &str = "terminal/paydala";
/// `type` of the account check.
pub const TYPE_VERIFY: &str = "verify";
/// `type` of the deposit request.
pub const TYPE_CHECK_DEPOSIT: &str = "check_deposit";
/// The `message` of a 404 answer, as in the seed.
pub const ACCOUNT_NOT_FOUND: &str = "Account does not exist";

// ---------------------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------------------

/// `{"type": "verify", "customer_id", "project_id", "signature"}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyRequest {
    /// The account as the customer typed it at the terminal.
    pub customer_id: String,
    pub project_id: u64,
    pub signature: String,
}

/// `{"type": "check_deposit", "project_id", "customer_id", "amount", "currency",
/// "payment_method": "terminal/paydala", "signature"}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckDepositRequest {
    pub project_id: u64,
    pub customer_id: String,
    /// Minor units (for a currency without them, such as JPY, major units).
    pub amount: MinorUnits,
    pub currency: String,
    pub signature: String,
}

/// The name the merchant trait uses for a deposit request.
pub type CheckDeposit = CheckDepositRequest;

/// A request from the platform, told apart by its `type`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaydalaRequest {
    Verify(VerifyRequest),
    CheckDeposit(CheckDepositRequest),
}

impl PaydalaRequest {
    /// Reads a request body. Every problem is reported, each naming its parameter.
    /// The signature is only checked for presence here; [`handle`] verifies it.
    pub fn parse(body: &[u8]) -> Result<PaydalaRequest, Vec<ParamError>> {
        let doc: Value =
            serde_json::from_slice(body).map_err(|e| vec![ParamError::new("body", "json", format!("must be a JSON object ({e})"))])?;
        PaydalaRequest::from_value(&doc)
    }

    /// Like [`PaydalaRequest::parse`], from a JSON document.
    pub fn from_value(doc: &Value) -> Result<PaydalaRequest, Vec<ParamError>> {
        let Some(obj) = doc.as_object() else {
            return Err(vec![ParamError::new("body", "type", "must be a JSON object")]);
        };
        let mut errs = Vec::new();
        let kind = match obj.get("type") {
            None | Some(Value::Null) => {
                errs.push(ParamError::new("type", "required", "is required: verify or check_deposit"));
                None
            }
            Some(Value::String(s)) if s == TYPE_VERIFY || s == TYPE_CHECK_DEPOSIT => Some(s.as_str()),
            Some(other) => {
                errs.push(ParamError::new("type", "unknown_type", format!("must be verify or check_deposit, got {}", shown(other))));
                None
            }
        };
        let project_id = positive_int(obj, "project_id", "project_id", "a positive integer", &mut errs);
        let customer_id = customer_id(obj, &mut errs);
        let signature = signature(obj, &mut errs);
        match kind {
            Some(TYPE_VERIFY) => {
                if !errs.is_empty() {
                    return Err(errs);
                }
                Ok(PaydalaRequest::Verify(VerifyRequest {
                    customer_id: customer_id.unwrap_or_default(),
                    project_id: project_id.unwrap_or_default(),
                    signature: signature.unwrap_or_default(),
                }))
            }
            Some(_) => {
                let amount = positive_int(obj, "amount", "amount", "a positive integer in minor units (100000 is 1000.00)", &mut errs);
                let currency = currency(obj, "currency", "currency", "is required", "KZT", &mut errs);
                match obj.get("payment_method") {
                    None | Some(Value::Null) => errs.push(ParamError::new("payment_method", "required", "is required: terminal/paydala")),
                    Some(Value::String(s)) if s == PAYMENT_METHOD => {}
                    Some(other) => errs.push(ParamError::new(
                        "payment_method",
                        "unknown_method",
                        format!("must be terminal/paydala, got {}", shown(other)),
                    )),
                }
                if !errs.is_empty() {
                    return Err(errs);
                }
                Ok(PaydalaRequest::CheckDeposit(CheckDepositRequest {
                    project_id: project_id.unwrap_or_default(),
                    customer_id: customer_id.unwrap_or_default(),
                    amount: MinorUnits(amount.unwrap_or_default() as i64),
                    currency: currency.unwrap_or_default(),
                    signature: signature.unwrap_or_default(),
                }))
            }
            None => Err(errs),
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            PaydalaRequest::Verify(_) => TYPE_VERIFY,
            PaydalaRequest::CheckDeposit(_) => TYPE_CHECK_DEPOSIT,
        }
    }

    pub fn customer_id(&self) -> &str {
        match self {
            PaydalaRequest::Verify(r) => &r.customer_id,
            PaydalaRequest::CheckDeposit(r) => &r.customer_id,
        }
    }

    pub fn project_id(&self) -> u64 {
        match self {
            PaydalaRequest::Verify(r) => r.project_id,
            PaydalaRequest::CheckDeposit(r) => r.project_id,
        }
    }
}

/// The account number: a non-empty string; an integer is taken as its digits.
fn customer_id(obj: &Map<String, Value>, errs: &mut Vec<ParamError>) -> Option<String> {
    const RULE: &str = "must be a non-empty string of at most 255 characters with no control characters";
    match obj.get("customer_id") {
        None | Some(Value::Null) => {
            errs.push(ParamError::new("customer_id", "required", "is required: the account number typed at the terminal"));
            None
        }
        Some(Value::String(s)) if !s.trim().is_empty() && s.chars().count() <= 255 && !s.chars().any(char::is_control) => Some(s.clone()),
        Some(Value::Number(n)) if n.is_u64() || n.is_i64() => Some(n.to_string()),
        Some(other) => {
            errs.push(ParamError::new("customer_id", "format", format!("{RULE}, got {}", shown(other))));
            None
        }
    }
}

fn signature(obj: &Map<String, Value>, errs: &mut Vec<ParamError>) -> Option<String> {
    match obj.get("signature") {
        None | Some(Value::Null) => {
            errs.push(ParamError::new("signature", "required", "is required: the request must be signed with the project secret"));
            None
        }
        Some(Value::String(s)) if !s.trim().is_empty() => Some(s.clone()),
        Some(other) => {
            errs.push(ParamError::new("signature", "type", format!("must be a non-empty string (Base64), got {}", shown(other))));
            None
        }
    }
}

// ---------------------------------------------------------------------------------------
// Responses
// ---------------------------------------------------------------------------------------

/// The `code` of an answer (tables 1 and 2 of the seed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ResponseCode {
    /// 0: success.
    Ok,
    /// 400: signature error.
    BadSignature,
    /// 404: the account does not exist.
    NotFound,
    /// 500: any other error, described in `message`.
    Error,
}

impl ResponseCode {
    pub fn as_u16(self) -> u16 {
        match self {
            ResponseCode::Ok => 0,
            ResponseCode::BadSignature => 400,
            ResponseCode::NotFound => 404,
            ResponseCode::Error => 500,
        }
    }

    pub fn from_u16(code: u16) -> Option<ResponseCode> {
        match code {
            0 => Some(ResponseCode::Ok),
            400 => Some(ResponseCode::BadSignature),
            404 => Some(ResponseCode::NotFound),
            500 => Some(ResponseCode::Error),
            _ => None,
        }
    }
}

impl Serialize for ResponseCode {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u16(self.as_u16())
    }
}

/// Default `message` of a 400 answer.
const BAD_SIGNATURE_MESSAGE: &str = "signature: does not match the parameters and the project secret";

/// The answer to `verify`. Fields are private: the constructors allow only what the seed
/// allows (code 0 always carries `currency`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VerifyResponse {
    code: ResponseCode,
    #[serde(skip_serializing_if = "Option::is_none")]
    currency: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    additional_customer_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<String>,
}

impl VerifyResponse {
    /// Code 0: the account exists and is kept in `currency` (ISO 4217 alpha-3).
    pub fn ok(currency: impl Into<String>, additional_customer_id: Option<String>) -> Self {
        VerifyResponse { code: ResponseCode::Ok, currency: Some(currency.into()), additional_customer_id, message: None }
    }
    /// Code 404, with the reason (the seed says `Account does not exist`).
    pub fn not_found(message: impl Into<String>) -> Self {
        VerifyResponse { code: ResponseCode::NotFound, currency: None, additional_customer_id: None, message: Some(message.into()) }
    }
    /// Code 400: the request's signature does not check out.
    pub fn bad_signature() -> Self {
        VerifyResponse {
            code: ResponseCode::BadSignature,
            currency: None,
            additional_customer_id: None,
            message: Some(BAD_SIGNATURE_MESSAGE.into()),
        }
    }
    /// Code 500, with the reason.
    pub fn error(message: impl Into<String>) -> Self {
        VerifyResponse { code: ResponseCode::Error, currency: None, additional_customer_id: None, message: Some(message.into()) }
    }
    /// Sets the free-text `message` (allowed with any code).
    pub fn with_message(mut self, message: impl Into<String>) -> Self {
        self.message = Some(message.into());
        self
    }

    pub fn code(&self) -> ResponseCode {
        self.code
    }
    /// `Some` exactly when the code is 0.
    pub fn currency(&self) -> Option<&str> {
        self.currency.as_deref()
    }
    pub fn additional_customer_id(&self) -> Option<&str> {
        self.additional_customer_id.as_deref()
    }
    pub fn message(&self) -> Option<&str> {
        self.message.as_deref()
    }
    /// The compact JSON body, fields in the seed's order, absent ones omitted.
    pub fn to_json(&self) -> String {
        to_json(self)
    }
}

/// The answer to `check_deposit`. Code 0 always carries `payment_id`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckDepositResponse {
    code: ResponseCode,
    #[serde(skip_serializing_if = "Option::is_none")]
    payment_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
}

impl CheckDepositResponse {
    /// Code 0: the deposit is booked under the merchant's `payment_id`.
    pub fn ok(payment_id: impl Into<String>, description: Option<String>) -> Self {
        CheckDepositResponse { code: ResponseCode::Ok, payment_id: Some(payment_id.into()), message: None, description }
    }
    pub fn not_found(message: impl Into<String>) -> Self {
        CheckDepositResponse { code: ResponseCode::NotFound, payment_id: None, message: Some(message.into()), description: None }
    }
    pub fn bad_signature() -> Self {
        CheckDepositResponse {
            code: ResponseCode::BadSignature,
            payment_id: None,
            message: Some(BAD_SIGNATURE_MESSAGE.into()),
            description: None,
        }
    }
    pub fn error(message: impl Into<String>) -> Self {
        CheckDepositResponse { code: ResponseCode::Error, payment_id: None, message: Some(message.into()), description: None }
    }
    pub fn with_message(mut self, message: impl Into<String>) -> Self {
        self.message = Some(message.into());
        self
    }

    pub fn code(&self) -> ResponseCode {
        self.code
    }
    /// `Some` exactly when the code is 0.
    pub fn payment_id(&self) -> Option<&str> {
        self.payment_id.as_deref()
    }
    pub fn message(&self) -> Option<&str> {
        self.message.as_deref()
    }
    pub fn description(&self) -> Option<&str> {
        self.description.as_deref()
    }
    pub fn to_json(&self) -> String {
        to_json(self)
    }
}

fn to_json<T: Serialize>(v: &T) -> String {
    // Plain structs of strings and integers: serializing cannot fail.
    serde_json::to_string(v).unwrap_or_else(|_| r#"{"code":500,"message":"internal error"}"#.into())
}

/// Why an answer from the merchant is refused (platform side).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResponseError {
    /// Not one JSON value.
    NotJson(String),
    /// JSON, but not an object.
    NotAnObject,
    /// `code` is not one of 0, 400, 404, 500; holds the value as received.
    UnknownCode(String),
    /// A field the code requires is absent.
    Missing { field: &'static str, rule: &'static str },
    /// A field is there with a value of the wrong kind.
    Invalid { field: &'static str, rule: String },
}

impl std::fmt::Display for ResponseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ResponseError::NotJson(e) => write!(f, "answer: not JSON ({e})"),
            ResponseError::NotAnObject => f.write_str("answer: must be a JSON object"),
            ResponseError::UnknownCode(c) => write!(f, "code: must be 0, 400, 404 or 500, got {c}"),
            ResponseError::Missing { field, rule } => write!(f, "{field}: is required {rule}"),
            ResponseError::Invalid { field, rule } => write!(f, "{field}: {rule}"),
        }
    }
}
impl std::error::Error for ResponseError {}

struct Common {
    obj: Map<String, Value>,
    code: ResponseCode,
    message: Option<String>,
}

fn parse_common(text: &str) -> Result<Common, ResponseError> {
    let doc: Value = serde_json::from_str(text).map_err(|e| ResponseError::NotJson(e.to_string()))?;
    let Value::Object(obj) = doc else {
        return Err(ResponseError::NotAnObject);
    };
    let code = match obj.get("code") {
        None | Some(Value::Null) => return Err(ResponseError::Missing { field: "code", rule: "(0, 400, 404 or 500)" }),
        Some(Value::Number(n)) => n
            .as_u64()
            .and_then(|c| u16::try_from(c).ok())
            .and_then(ResponseCode::from_u16)
            .ok_or_else(|| ResponseError::UnknownCode(n.to_string()))?,
        Some(other) => return Err(ResponseError::UnknownCode(other.to_string())),
    };
    let message = opt_string(&obj, "message")?;
    let has_message = matches!(&message, Some(m) if !m.trim().is_empty());
    if code == ResponseCode::Error && !has_message {
        return Err(ResponseError::Missing { field: "message", rule: "with code 500: the seed asks for the reason there" });
    }
    Ok(Common { obj, code, message })
}

fn opt_string(obj: &Map<String, Value>, field: &'static str) -> Result<Option<String>, ResponseError> {
    match obj.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(other) => Err(ResponseError::Invalid { field, rule: format!("must be a string, got {}", shown(other)) }),
    }
}

/// Reads the merchant's answer to `verify`.
pub fn parse_verify_response(text: &str) -> Result<VerifyResponse, ResponseError> {
    let Common { obj, code, message } = parse_common(text)?;
    let additional_customer_id = opt_string(&obj, "additional_customer_id")?;
    let currency = match code {
        ResponseCode::Ok => match opt_string(&obj, "currency")? {
            None => return Err(ResponseError::Missing { field: "currency", rule: "with code 0 (ISO 4217 alpha-3, such as KZT)" }),
            Some(c) if is_currency_code(&c) => Some(c),
            Some(c) => {
                return Err(ResponseError::Invalid {
                    field: "currency",
                    rule: format!("must be an ISO 4217 alpha-3 code in capitals such as KZT, got {c:?}"),
                })
            }
        },
        // Only meaningful with code 0: ignored otherwise.
        _ => None,
    };
    let additional_customer_id = if code == ResponseCode::Ok { additional_customer_id } else { None };
    Ok(VerifyResponse { code, currency, additional_customer_id, message })
}

/// Reads the merchant's answer to `check_deposit`.
pub fn parse_check_deposit_response(text: &str) -> Result<CheckDepositResponse, ResponseError> {
    let Common { obj, code, message } = parse_common(text)?;
    let description = opt_string(&obj, "description")?;
    let payment_id = match code {
        ResponseCode::Ok => {
            let id = match obj.get("payment_id") {
                None | Some(Value::Null) => None,
                Some(Value::String(s)) => Some(s.clone()),
                // A merchant's numeric id is still an id.
                Some(Value::Number(n)) if n.is_u64() || n.is_i64() => Some(n.to_string()),
                Some(other) => {
                    return Err(ResponseError::Invalid { field: "payment_id", rule: format!("must be a string, got {}", shown(other)) })
                }
            };
            match id {
                Some(id) if !id.trim().is_empty() => Some(id),
                _ => return Err(ResponseError::Missing { field: "payment_id", rule: "with code 0 (the merchant's id of the deposit)" }),
            }
        }
        _ => None,
    };
    Ok(CheckDepositResponse { code, payment_id, message, description })
}

// ---------------------------------------------------------------------------------------
// Merchant side
// ---------------------------------------------------------------------------------------

/// A customer account in the merchant's system.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// The account's currency, ISO 4217 alpha-3 (KZT for PayDala).
    pub currency: String,
    /// The merchant's own id of the customer, passed on to the platform.
    pub additional_customer_id: Option<String>,
}

/// A deposit booked by the merchant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deposit {
    /// The merchant's id of this payment; the callback carries it as `payment.id`.
    pub payment_id: String,
    pub description: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DepositError {
    /// The account vanished between the check and the deposit: answered with 404.
    UnknownAccount,
    /// Anything else: answered with 500 and this message.
    Failed(String),
}

impl std::fmt::Display for DepositError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DepositError::UnknownAccount => f.write_str(ACCOUNT_NOT_FOUND),
            DepositError::Failed(m) => f.write_str(m),
        }
    }
}
impl std::error::Error for DepositError {}

/// What a merchant plugs in to answer PayDala.
pub trait PaydalaMerchant {
    /// The account with this number, `Ok(None)` when there is none. `Err` is answered
    /// with code 500 and the message.
    fn lookup_account(&self, customer_id: &str) -> Result<Option<Account>, String>;

    /// Books a deposit into an account that [`PaydalaMerchant::lookup_account`] has just
    /// found, in its currency. Called again for a repeated request: recognise it.
    fn create_deposit(&self, req: &CheckDeposit) -> Result<Deposit, DepositError>;
}

/// What to answer: HTTP status (always 200, the outcome is `code` in the body) and body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaydalaReply {
    pub status: u16,
    /// The `code` the body carries.
    pub code: ResponseCode,
    /// Compact JSON.
    pub body: String,
}

impl PaydalaReply {
    pub const CONTENT_TYPE: &'static str = "application/json";

    fn verify(r: VerifyResponse) -> Self {
        PaydalaReply { status: 200, code: r.code(), body: r.to_json() }
    }
    fn deposit(r: CheckDepositResponse) -> Self {
        PaydalaReply { status: 200, code: r.code(), body: r.to_json() }
    }
    /// Errors before the request's type is known: both answers have the same
    /// `{code, message}` shape then.
    fn error(code: ResponseCode, message: String) -> Self {
        let r = match code {
            ResponseCode::BadSignature => VerifyResponse::bad_signature().with_message(message),
            ResponseCode::NotFound => VerifyResponse::not_found(message),
            _ => VerifyResponse::error(message),
        };
        PaydalaReply::verify(r)
    }
}

fn joined(errs: &[ParamError]) -> String {
    errs.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ")
}

/// Answers one PayDala request body for a merchant.
///
/// Order of checks: the body must be a JSON object (else 404: it cannot be processed);
/// its `signature` must be there and match `secret` (else 400, naming `signature`); then
/// the parameters (else 404, naming each); then the account (404 when unknown); then, for
/// `check_deposit`, the currency (another one than the account's: 404) and the merchant's
/// booking (its failures: 500). Unsigned data is never looked at further.
pub fn handle(body: &[u8], secret: &str, merchant: &impl PaydalaMerchant) -> PaydalaReply {
    let doc: Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(e) => return PaydalaReply::error(ResponseCode::NotFound, format!("body: must be a JSON object ({e})")),
    };
    if !doc.is_object() {
        return PaydalaReply::error(ResponseCode::NotFound, "body: must be a JSON object".into());
    }
    match doc.get("signature") {
        None | Some(Value::Null) => {
            return PaydalaReply::error(
                ResponseCode::BadSignature,
                "signature: is required: the request must be signed with the project secret".into(),
            )
        }
        Some(Value::String(_)) => {}
        Some(_) => return PaydalaReply::error(ResponseCode::BadSignature, "signature: must be a string (Base64)".into()),
    }
    if let Err(e) = verify(&doc, secret) {
        let message = match e {
            SignatureError::Mismatch => BAD_SIGNATURE_MESSAGE.to_string(),
            other => other.to_string(),
        };
        return PaydalaReply::error(ResponseCode::BadSignature, message);
    }
    let request = match PaydalaRequest::from_value(&doc) {
        Ok(r) => r,
        Err(errs) => return PaydalaReply::error(ResponseCode::NotFound, joined(&errs)),
    };
    // A merchant function that panics is a failing one: answer 500 naming it, keep serving.
    match request {
        PaydalaRequest::Verify(req) => {
            PaydalaReply::verify(unwound(|| answer_verify(&req, merchant)).unwrap_or_else(VerifyResponse::error))
        }
        PaydalaRequest::CheckDeposit(req) => {
            PaydalaReply::deposit(unwound(|| answer_check_deposit(&req, merchant)).unwrap_or_else(CheckDepositResponse::error))
        }
    }
}

/// Runs `f`; a panic becomes `Err("the merchant's PayDala handler panicked: <message>")`.
fn unwound<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).map_err(|payload| {
        let what = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "no message".into());
        format!("the merchant's PayDala handler panicked: {what}")
    })
}

/// Looks the account up; `Err` is the answer to give instead.
fn lookup(customer_id: &str, merchant: &impl PaydalaMerchant) -> Result<Account, (ResponseCode, String)> {
    match merchant.lookup_account(customer_id) {
        Err(m) => Err((ResponseCode::Error, nonempty(m, "lookup_account failed"))),
        Ok(None) => Err((ResponseCode::NotFound, ACCOUNT_NOT_FOUND.into())),
        Ok(Some(acc)) if !is_currency_code(&acc.currency) => {
            Err((ResponseCode::Error, format!("account currency {:?} is not an ISO 4217 alpha-3 code such as KZT", acc.currency)))
        }
        Ok(Some(acc)) => Ok(acc),
    }
}

fn nonempty(m: String, fallback: &str) -> String {
    if m.trim().is_empty() {
        fallback.to_string()
    } else {
        m
    }
}

/// The answer to a parsed, signature-checked `verify`.
pub fn answer_verify(req: &VerifyRequest, merchant: &impl PaydalaMerchant) -> VerifyResponse {
    match lookup(&req.customer_id, merchant) {
        Ok(acc) => VerifyResponse::ok(acc.currency, acc.additional_customer_id.filter(|s| !s.is_empty())),
        Err((ResponseCode::NotFound, m)) => VerifyResponse::not_found(m),
        Err((_, m)) => VerifyResponse::error(m),
    }
}

/// The answer to a parsed, signature-checked `check_deposit`.
pub fn answer_check_deposit(req: &CheckDepositRequest, merchant: &impl PaydalaMerchant) -> CheckDepositResponse {
    let acc = match lookup(&req.customer_id, merchant) {
        Ok(acc) => acc,
        Err((ResponseCode::NotFound, m)) => return CheckDepositResponse::not_found(m),
        Err((_, m)) => return CheckDepositResponse::error(m),
    };
    if acc.currency != req.currency {
        return CheckDepositResponse::not_found(format!("currency mismatch: account is {}, deposit is {}", acc.currency, req.currency));
    }
    match merchant.create_deposit(req) {
        Ok(d) if d.payment_id.trim().is_empty() => CheckDepositResponse::error("create_deposit returned an empty payment_id"),
        Ok(d) => CheckDepositResponse::ok(d.payment_id, d.description),
        Err(DepositError::UnknownAccount) => CheckDepositResponse::not_found(ACCOUNT_NOT_FOUND),
        Err(DepositError::Failed(m)) => CheckDepositResponse::error(nonempty(m, "create_deposit failed")),
    }
}

// ---------------------------------------------------------------------------------------
// Platform side
// ---------------------------------------------------------------------------------------

/// A signed `verify` request, keys in the seed's order.
pub fn build_verify(project_id: u64, customer_id: &str, secret: &str) -> Value {
    with_signature(json!({ "type": TYPE_VERIFY, "customer_id": customer_id, "project_id": project_id }), secret)
}

/// A signed `check_deposit` request, keys in the seed's order.
pub fn build_check_deposit(project_id: u64, customer_id: &str, amount: MinorUnits, currency: &str, secret: &str) -> Value {
    with_signature(
        json!({
            "type": TYPE_CHECK_DEPOSIT,
            "project_id": project_id,
            "customer_id": customer_id,
            "amount": amount.0,
            "currency": currency,
            "payment_method": PAYMENT_METHOD,
        }),
        secret,
    )
}
