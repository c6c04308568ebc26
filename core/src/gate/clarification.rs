//! Clarification (seed 001, "Дополнение информации о платеже"): the fields the platform
//! asks for and the merchant's answer.

use super::build::general_json;
use super::parse::{parse_general, root_object, section};
use super::request::GeneralIds;
use super::splicing::signed;
use crate::catalog::CustomerField;
use crate::json_check::shown;
use crate::params::ParamError;
use serde_json::{json, Map, Value};

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
