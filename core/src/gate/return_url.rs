//! Return URLs of a card-partner sale, and the signed payment status request.

use super::build::{card_partner_sale, general_json, put};
use super::parse::{parse_general, root_object};
use super::request::{GateCustomer, GatePayment, GeneralIds};
use super::splicing::signed;
use crate::json_check::shown;
use crate::params::ParamError;
use crate::redirect::{check_url, UrlPolicy};
use serde_json::{json, Map, Value};

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

#[cfg(test)]
mod return_url_and_status_tests {
    use super::super::parse::parse_sale;
    use super::super::request::SaleKind;
    use super::*;
    use crate::money::MinorUnits;

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
