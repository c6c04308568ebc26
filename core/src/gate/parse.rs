//! The validators (platform side): `general`, the sale and the refund, each refusal
//! naming its parameter.

use super::request::{GateCustomer, GatePayment, GeneralIds, RefundRequest, SaleKind, SaleRequest};
use crate::catalog::{CustomerField, MethodProblem};
use crate::json_check::{currency, positive_int, shown};
use crate::money::MinorUnits;
use crate::params::{method_problem_message, ParamError};
use serde_json::{Map, Value};

// ---------------------------------------------------------------------------------------
// Validators (platform side)
// ---------------------------------------------------------------------------------------

/// The object at `key` of the root; reports it missing or of the wrong type.
pub(super) fn section<'a>(
    root: &'a Map<String, Value>,
    key: &str,
    holds: &str,
    errs: &mut Vec<ParamError>,
) -> Option<&'a Map<String, Value>> {
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
pub(super) fn id_at(obj: &Map<String, Value>, section: &str, key: &str, errs: &mut Vec<ParamError>) -> Option<String> {
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

pub(super) fn parse_general(root: &Map<String, Value>, errs: &mut Vec<ParamError>) -> (Option<GeneralIds>, Option<String>) {
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

pub(super) fn root_object(doc: &Value) -> Result<&Map<String, Value>, Vec<ParamError>> {
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
