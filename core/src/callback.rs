//! The standard callback the platform sends the merchant (seed format), and the
//! payment and operation statuses.

use crate::money::MinorUnits;
use crate::redirect::RedirectData;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A payment or operation status, as on the wire. Unknown values are kept, not refused.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PaymentStatus {
    Success,
    Decline,
    Processing,
    AwaitingCustomer,
    AwaitingRedirectResult,
    AwaitingClarification,
    Awaiting3dsResult,
    AwaitingConfirmation,
    AwaitingCapture,
    ExternalProcessing,
    Error,
    InternalError,
    ExternalError,
    Expired,
    Cancelled,
    Refunded,
    PartiallyRefunded,
    Reversed,
    PartiallyReversed,
    Other(String),
}

const STATUS_NAMES: [(PaymentStatus, &str); 19] = [
    (PaymentStatus::Success, "success"),
    (PaymentStatus::Decline, "decline"),
    (PaymentStatus::Processing, "processing"),
    (PaymentStatus::AwaitingCustomer, "awaiting customer"),
    (PaymentStatus::AwaitingRedirectResult, "awaiting redirect result"),
    (PaymentStatus::AwaitingClarification, "awaiting clarification"),
    (PaymentStatus::Awaiting3dsResult, "awaiting 3ds result"),
    (PaymentStatus::AwaitingConfirmation, "awaiting confirmation"),
    (PaymentStatus::AwaitingCapture, "awaiting capture"),
    (PaymentStatus::ExternalProcessing, "external processing"),
    (PaymentStatus::Error, "error"),
    (PaymentStatus::InternalError, "internal error"),
    (PaymentStatus::ExternalError, "external error"),
    (PaymentStatus::Expired, "expired"),
    (PaymentStatus::Cancelled, "cancelled"),
    (PaymentStatus::Refunded, "refunded"),
    (PaymentStatus::PartiallyRefunded, "partially refunded"),
    (PaymentStatus::Reversed, "reversed"),
    (PaymentStatus::PartiallyReversed, "partially reversed"),
];

impl PaymentStatus {
    pub fn as_str(&self) -> &str {
        match self {
            PaymentStatus::Other(s) => s,
            known => STATUS_NAMES.iter().find(|(s, _)| s == known).map(|(_, n)| *n).unwrap_or(""),
        }
    }

    pub fn parse(s: &str) -> PaymentStatus {
        STATUS_NAMES.iter().find(|(_, n)| *n == s).map(|(st, _)| st.clone()).unwrap_or_else(|| PaymentStatus::Other(s.to_string()))
    }

    /// No further change is expected for the customer's purchase.
    pub fn is_final(&self) -> bool {
        matches!(
            self,
            PaymentStatus::Success
                | PaymentStatus::Decline
                | PaymentStatus::Error
                | PaymentStatus::InternalError
                | PaymentStatus::ExternalError
                | PaymentStatus::Expired
                | PaymentStatus::Cancelled
                | PaymentStatus::Refunded
                | PaymentStatus::PartiallyRefunded
                | PaymentStatus::Reversed
                | PaymentStatus::PartiallyReversed
        )
    }

    /// The customer's money was taken (a refund later does not undo that moment).
    pub fn is_paid(&self) -> bool {
        matches!(
            self,
            PaymentStatus::Success | PaymentStatus::Refunded | PaymentStatus::PartiallyRefunded | PaymentStatus::PartiallyReversed
        )
    }
}

impl Serialize for PaymentStatus {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}
impl<'de> Deserialize<'de> for PaymentStatus {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(PaymentStatus::parse(&String::deserialize(d)?))
    }
}

/// An identifier the platform sends as a number or a string.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Id {
    Int(i64),
    Text(String),
}

impl std::fmt::Display for Id {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Id::Int(i) => write!(f, "{i}"),
            Id::Text(s) => f.write_str(s),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sum {
    pub amount: MinorUnits,
    pub currency: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallbackPayment {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub status: PaymentStatus,
    pub date: String,
    pub method: String,
    pub sum: Sum,
    #[serde(default)]
    pub description: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallbackCustomer {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallbackAccount {
    pub number: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Provider {
    pub id: i64,
    pub payment_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    #[serde(default)]
    pub auth_code: String,
}

/// Where a method's callbacks put `operation.provider`: the seeds differ, and a merchant
/// comparing our callbacks with the seeds' byte for byte sees the order (the signature,
/// over sorted keys, does not).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum ProviderPosition {
    /// `…, code, message, provider`: seed 000 (PayDala, "Формат оповещений") and seed 001
    /// (card-partner, "Формат оповещений", all four examples).
    #[default]
    AfterMessage,
    /// `…, provider, code, message`: seed 002 (EPay, "Формат оповещений" of Payment Page
    /// and of Gate, all four examples).
    BeforeCode,
}

/// A callback's `operation` block. Its keys go out in the seeds' order: `id`, `type`,
/// `status`, `date`, `created_date`, `request_id`, `sum_initial`, `sum_converted`, then
/// `code`, `message`, `provider` or `provider`, `code`, `message` as
/// [`provider_position`](Operation::provider_position) says.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Operation {
    pub id: i64,
    #[serde(rename = "type")]
    pub kind: String,
    pub status: PaymentStatus,
    pub date: String,
    pub created_date: String,
    pub request_id: String,
    pub sum_initial: Sum,
    pub sum_converted: Sum,
    pub code: String,
    pub message: String,
    pub provider: Provider,
    /// Not on the wire: where `provider` goes when this block is serialized (parsing
    /// accepts either order and leaves the default).
    #[serde(skip)]
    pub provider_position: ProviderPosition,
}

impl Serialize for Operation {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut o = s.serialize_struct("Operation", 11)?;
        o.serialize_field("id", &self.id)?;
        o.serialize_field("type", &self.kind)?;
        o.serialize_field("status", &self.status)?;
        o.serialize_field("date", &self.date)?;
        o.serialize_field("created_date", &self.created_date)?;
        o.serialize_field("request_id", &self.request_id)?;
        o.serialize_field("sum_initial", &self.sum_initial)?;
        o.serialize_field("sum_converted", &self.sum_converted)?;
        if self.provider_position == ProviderPosition::BeforeCode {
            o.serialize_field("provider", &self.provider)?;
        }
        o.serialize_field("code", &self.code)?;
        o.serialize_field("message", &self.message)?;
        if self.provider_position == ProviderPosition::AfterMessage {
            o.serialize_field("provider", &self.provider)?;
        }
        o.end()
    }
}

/// The standard callback. Field order on the wire follows the seeds' examples.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Callback {
    pub project_id: Id,
    pub payment: CallbackPayment,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer: Option<CallbackCustomer>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<CallbackAccount>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operation: Option<Operation>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redirect_data: Option<RedirectData>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
}

/// What makes a callback unique, for a merchant to store each one once: the platform
/// delivers **at least once** (a callback whose 200 it did not record, because of a crash
/// or a lost answer, comes again, byte for byte), so a merchant keeps the keys it has
/// handled and answers 200 to a repeat without acting on it again.
///
/// The key is the project, the payment id, the operation id and status, and the payment
/// status: one payment gets several callbacks (a Gate sale's `awaiting redirect result`,
/// then its result, then a refund), each with a different operation or status.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CallbackKey {
    pub project_id: String,
    pub payment_id: String,
    pub operation_id: Option<i64>,
    pub operation_status: Option<String>,
    pub payment_status: String,
}

impl std::fmt::Display for CallbackKey {
    /// `250/EP79a6-d2db/389/success/success` (`-` for a callback without an operation), for a
    /// UNIQUE text column.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let op = self.operation_id.map(|id| id.to_string()).unwrap_or_else(|| "-".into());
        let op_status = self.operation_status.as_deref().unwrap_or("-");
        write!(f, "{}/{}/{op}/{op_status}/{}", self.project_id, self.payment_id, self.payment_status)
    }
}

impl Callback {
    /// This callback's deduplication key (see [`CallbackKey`]).
    pub fn key(&self) -> CallbackKey {
        CallbackKey {
            project_id: self.project_id.to_string(),
            payment_id: self.payment.id.clone(),
            operation_id: self.operation.as_ref().map(|o| o.id),
            operation_status: self.operation.as_ref().map(|o| o.status.as_str().to_string()),
            payment_status: self.payment.status.as_str().to_string(),
        }
    }
}

#[cfg(feature = "merchant")]
pub use self::merchant::*;

#[cfg(feature = "merchant")]
mod merchant {
    use super::Callback;
    use crate::signature::{verify, SignatureError};
    use serde_json::Value;

    /// Why a body is not a verified callback. [`CallbackError::code`] names the reason in one
    /// word for programs (the Node library's `error.code`, the CLI's message).
    #[derive(Debug)]
    pub enum CallbackError {
        /// Larger than the limit the receiver set (bytes).
        TooLarge {
            limit: usize,
            size: usize,
        },
        /// Not exactly one JSON value (not JSON, empty, or text after the value); says where.
        NotJson(String),
        /// Signed, but not shaped like a callback (the order's signed Payment Page parameters,
        /// a Gate request, empty `payment` / `operation` objects); names the field.
        NotACallback(String),
        Signature(SignatureError),
    }

    impl CallbackError {
        /// `too_large`, `not_json`, `not_a_callback` or `bad_signature`.
        pub fn code(&self) -> &'static str {
            match self {
                CallbackError::TooLarge { .. } => "too_large",
                CallbackError::NotJson(_) => "not_json",
                CallbackError::NotACallback(_) => "not_a_callback",
                CallbackError::Signature(_) => "bad_signature",
            }
        }
    }

    impl std::fmt::Display for CallbackError {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            match self {
                CallbackError::TooLarge { limit, size } => write!(f, "callback: body is {size} bytes, over the limit of {limit}"),
                CallbackError::NotJson(e) => write!(f, "callback: not JSON ({e})"),
                CallbackError::NotACallback(e) => write!(f, "callback: not a callback ({e})"),
                CallbackError::Signature(e) => write!(f, "callback {e}"),
            }
        }
    }
    impl std::error::Error for CallbackError {}

    /// Reads the first JSON value of `text` and ignores what follows: only for the seeds'
    /// printed examples, which end with a stray `}`. Anything received uses [`one_json_value`].
    pub fn first_json_value(text: &str) -> Result<Value, CallbackError> {
        serde_json::Deserializer::from_str(text)
            .into_iter::<Value>()
            .next()
            .ok_or_else(|| CallbackError::NotJson("empty body".into()))?
            .map_err(|e| CallbackError::NotJson(e.to_string()))
    }

    /// Reads exactly one JSON value: whitespace around it is fine, anything else after it is
    /// refused (a receiver that stopped after the first value would act on a body that its
    /// own JSON parser, or the next one down the line, reads differently).
    pub fn one_json_value(text: &str) -> Result<Value, CallbackError> {
        if text.trim().is_empty() {
            return Err(CallbackError::NotJson("empty body".into()));
        }
        serde_json::from_str(text).map_err(|e| CallbackError::NotJson(e.to_string()))
    }

    /// A non-empty object at `doc[key]`, else why not.
    fn object<'a>(doc: &'a Value, key: &str) -> Result<&'a serde_json::Map<String, Value>, CallbackError> {
        match doc.get(key) {
            None | Some(Value::Null) => Err(CallbackError::NotACallback(format!("{key}: is required"))),
            Some(Value::Object(o)) if o.is_empty() => Err(CallbackError::NotACallback(format!("{key}: must not be empty"))),
            Some(Value::Object(o)) => Ok(o),
            Some(_) => Err(CallbackError::NotACallback(format!("{key}: must be an object"))),
        }
    }

    fn text_field(obj: &serde_json::Map<String, Value>, path: &str, key: &str) -> Result<(), CallbackError> {
        match obj.get(key) {
            Some(Value::String(s)) if !s.trim().is_empty() => Ok(()),
            None | Some(Value::Null) => Err(CallbackError::NotACallback(format!("{path}.{key}: is required"))),
            Some(_) => Err(CallbackError::NotACallback(format!("{path}.{key}: must be a non-empty string"))),
        }
    }

    /// The structure that tells a callback from any other signed document: an object with a
    /// non-empty `payment` carrying `id` and `status`, and an `operation` carrying `id` and
    /// `status`. The order's Payment Page parameters (flat) and Gate requests (`general`)
    /// have neither.
    pub fn check_callback_shape(doc: &Value) -> Result<(), CallbackError> {
        if !doc.is_object() {
            return Err(CallbackError::NotACallback("must be a JSON object".into()));
        }
        let payment = object(doc, "payment")?;
        text_field(payment, "payment", "id")?;
        text_field(payment, "payment", "status")?;
        let operation = object(doc, "operation")?;
        match operation.get("id") {
            Some(Value::Number(n)) if n.is_i64() => {}
            None | Some(Value::Null) => return Err(CallbackError::NotACallback("operation.id: is required".into())),
            Some(_) => return Err(CallbackError::NotACallback("operation.id: must be an integer".into())),
        }
        text_field(operation, "operation", "status")
    }

    /// Parses a callback without checking its signature: [`check_callback_shape`], then
    /// every field the model needs.
    pub fn parse_callback(doc: &Value) -> Result<Callback, CallbackError> {
        check_callback_shape(doc)?;
        serde_json::from_value(doc.clone()).map_err(|e| CallbackError::NotACallback(e.to_string()))
    }

    /// A receiver's default body limit: the seeds' callbacks are under 2 KB.
    pub const DEFAULT_MAX_BYTES: usize = 64 * 1024;

    /// Exactly one JSON value, its signature (root or `general`, constant time), then the
    /// callback structure ([`parse_callback`]): signed parameters that are not a callback
    /// are refused with [`CallbackError::NotACallback`].
    pub fn verify_callback(body: &str, secret: &str) -> Result<Callback, CallbackError> {
        let doc = one_json_value(body)?;
        verify(&doc, secret).map_err(CallbackError::Signature)?;
        parse_callback(&doc)
    }

    /// [`verify_callback`] on raw bytes, refusing a body over `max_bytes` first and one that
    /// is not UTF-8 as not JSON.
    pub fn verify_callback_bytes(body: &[u8], secret: &str, max_bytes: usize) -> Result<Callback, CallbackError> {
        if body.len() > max_bytes {
            return Err(CallbackError::TooLarge { limit: max_bytes, size: body.len() });
        }
        let text = std::str::from_utf8(body).map_err(|e| CallbackError::NotJson(format!("not UTF-8: {e}")))?;
        verify_callback(text, secret)
    }

    /// [`verify_callback`], then deduplication: `first_time(key)` records the callback's
    /// [`CallbackKey`](super::CallbackKey) and says whether it was new (a `HashSet::insert`, or
    /// an `INSERT` into a table where the key is UNIQUE). `Ok(Some(cb))`: act on it;
    /// `Ok(None)`: a repeat of a callback already handled, answer 200 and do nothing.
    /// Record the key in the same transaction as what you do with the callback, so a crash
    /// in between leaves neither.
    pub fn verify_new_callback(
        body: &str,
        secret: &str,
        first_time: impl FnOnce(&super::CallbackKey) -> bool,
    ) -> Result<Option<Callback>, CallbackError> {
        let cb = verify_callback(body, secret)?;
        Ok(first_time(&cb.key()).then_some(cb))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_round_trip_and_unknown_ones_survive() {
        for (st, name) in STATUS_NAMES.iter() {
            assert_eq!(PaymentStatus::parse(name), *st);
            assert_eq!(st.as_str(), *name);
        }
        assert_eq!(PaymentStatus::parse("awaiting something new").as_str(), "awaiting something new");
        assert!(PaymentStatus::Success.is_final() && PaymentStatus::Expired.is_final());
        assert!(!PaymentStatus::Processing.is_final() && !PaymentStatus::AwaitingCustomer.is_final());
    }

    #[cfg(feature = "merchant")]
    #[test]
    fn a_repeated_callback_is_new_once_and_each_step_of_a_payment_is_new() {
        use crate::signature::with_signature;
        let cb = |pay_status: &str, op_id: i64, op_type: &str, op_status: &str| {
            let doc = serde_json::json!({
                "project_id": 250,
                "payment": {"id": "EP79a6-d2db", "type": "purchase", "status": pay_status, "date": "d", "method": "card-partner",
                            "sum": {"amount": 100, "currency": "KES"}, "description": ""},
                "operation": {"id": op_id, "type": op_type, "status": op_status, "date": "d", "created_date": "d", "request_id": "r",
                              "sum_initial": {"amount": 100, "currency": "KES"}, "sum_converted": {"amount": 100, "currency": "KES"},
                              "code": "0", "message": "Success", "provider": {"id": 1, "payment_id": "p", "auth_code": ""}}
            });
            with_signature(doc, "k").to_string()
        };
        let steps = [
            cb("awaiting redirect result", 389, "sale", "awaiting redirect result"),
            cb("success", 389, "sale", "success"),
            cb("refunded", 391, "refund", "success"),
        ];
        let mut seen = std::collections::HashSet::new();
        for (i, body) in steps.iter().enumerate() {
            let first = verify_new_callback(body, "k", |k| seen.insert(k.clone())).unwrap();
            assert!(first.is_some(), "step {i} is new");
            let again = verify_new_callback(body, "k", |k| seen.insert(k.clone())).unwrap();
            assert!(again.is_none(), "step {i} repeated is a duplicate");
        }
        assert!(verify_new_callback(&steps[0], "other", |_| true).is_err(), "verified before deduplicated");
        let key = verify_callback(&steps[1], "k").unwrap().key();
        assert_eq!(key.to_string(), "250/EP79a6-d2db/389/success/success");
    }
}
