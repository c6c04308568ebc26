//! The builders (merchant side): a sale or refund body, checked as the platform will and
//! signed.

use super::parse::{parse_refund, parse_sale};
use super::request::{GateCustomer, GatePayment, GeneralIds, SaleKind};
use super::splicing::{separator_problems, signed};
use crate::params::ParamError;
use crate::signature::with_signature;
use serde_json::{json, Map, Value};

// ---------------------------------------------------------------------------------------
// Builders (merchant side)
// ---------------------------------------------------------------------------------------

pub(super) fn put(obj: &mut Map<String, Value>, key: &str, v: &Option<String>) {
    if let Some(v) = v {
        obj.insert(key.into(), Value::String(v.clone()));
    }
}

pub(super) fn general_json(g: &GeneralIds) -> Value {
    json!({ "project_id": g.project_id, "payment_id": g.payment_id })
}

pub(super) fn payment_json(p: &GatePayment) -> Value {
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

pub(super) fn checked_sale(kind: SaleKind, doc: Value, secret: &str) -> Result<Value, Vec<ParamError>> {
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
