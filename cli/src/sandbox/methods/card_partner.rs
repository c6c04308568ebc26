//! The simulated card partner (`/sim/partner/...`).
//!
//! The platform sends the customer here with the seed's `redirect_data` (a POST form:
//! `live` ... `elipa`, `oid`, `inv`, `ttl`, `tel`, `eml`, `vid`, `curr`, `cbk`, `lbk`,
//! `cst`, `crl`, `hsh`). `hsh` is an HMAC-SHA256 of the other fields with a key only the
//! sandbox knows, so a tampered form is refused. The page shows the payment and two
//! buttons, Approve and Decline; the choice makes the payment final, enqueues the
//! signed callback, and sends the customer back to `lbk` (303).

use crate::sandbox::platform::checkout::{finish_sale, Finish, OperationData, Outcome};
use crate::sandbox::platform::store::{self, PaymentRow};
use crate::sandbox::server::html::{error_page, escape, page, STYLESHEET};
use crate::sandbox::{AppState, HttpError};
use axum::extract::rejection::FormRejection;
use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use epay_core::redirect::{FormBody, HttpMethod, RedirectData};
use epay_core::{MinorUnits, PaymentStatus};
use hmac::{Hmac, Mac};
use serde::Deserialize;
use sha2::Sha256;

pub const PAY_PATH: &str = "/sim/partner/pay";
pub const COMPLETE_PATH: &str = "/sim/partner/complete";
/// The partner's server-to-server result URL (`cbk`).
pub const NOTIFY_PATH: &str = "/sim/partner/notify";

/// The seed's `redirect_data.body` keys in the seed's order, `hsh` excluded (it comes last).
pub const BODY_KEYS: [&str; 21] = [
    "live", "mpesa", "bonga", "airtel", "equity", "mobilebanking", "debitcard", "mkoporahisi", "saida", "elipa", "oid",
    "inv", "ttl", "tel", "eml", "vid", "curr", "cbk", "lbk", "cst", "crl",
];

pub fn routes() -> axum::Router<AppState> {
    Router::new()
        .route(PAY_PATH, post(pay_page))
        .route(COMPLETE_PATH, post(complete))
        .route(NOTIFY_PATH, post(notify))
        .route("/sim/sim.css", get(stylesheet))
}

fn mac(key: &[u8], text: &str) -> Hmac<Sha256> {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes a key of any length");
    mac.update(text.as_bytes());
    mac
}

/// The text `hsh` covers: `key=value` lines in [`BODY_KEYS`] order.
fn hsh_text(fields: &[(&str, &str)]) -> String {
    fields.iter().map(|(k, v)| format!("{k}={v}\n")).collect()
}

pub fn hsh(key: &[u8], fields: &[(&str, &str)]) -> String {
    hex::encode(mac(key, &hsh_text(fields)).finalize().into_bytes())
}

/// Constant-time check of a hex HMAC.
fn check_hex(key: &[u8], text: &str, given: &str) -> bool {
    match hex::decode(given.trim()) {
        Ok(bytes) => mac(key, text).verify_slice(&bytes).is_ok(),
        Err(_) => false,
    }
}

/// The token the Approve/Decline forms carry, so only this sandbox's pages complete an operation.
pub fn completion_sig(key: &[u8], op_id: i64) -> String {
    hex::encode(mac(key, &format!("complete\n{op_id}")).finalize().into_bytes())
}

/// The seed-shaped `redirect_data` for a card-partner operation. Rebuilt from the stored
/// operation on every view, so it is identical for repeated `pay` calls.
pub fn redirect_data(base_url: &str, key: &[u8], op_id: i64, payment: &PaymentRow, data: &OperationData) -> RedirectData {
    let oid = op_id.to_string();
    let tel: String = data.customer.phone.as_deref().unwrap_or("").chars().filter(char::is_ascii_digit).collect();
    let eml = data.customer.email.clone().unwrap_or_default();
    let cbk = format!("{base_url}{NOTIFY_PATH}");
    let values: [&str; 21] = [
        "0", "0", "0", "0", "0", "0", "0", "0", "0", "0", &oid, &payment.payment_id, "900", &tel, &eml, "sandbox",
        &payment.currency, &cbk, &data.return_url, "1", "0",
    ];
    let fields: Vec<(&str, &str)> = BODY_KEYS.iter().copied().zip(values).collect();
    let hsh = hsh(key, &fields);
    let mut body: Vec<(String, String)> = fields.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    body.push(("hsh".into(), hsh));
    RedirectData { method: HttpMethod::Post, url: format!("{base_url}{PAY_PATH}"), body: FormBody(body) }
}

async fn stylesheet() -> Response {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "no-cache")],
        STYLESHEET,
    )
        .into_response()
}

fn internal_page(e: HttpError) -> Response {
    error_page(StatusCode::INTERNAL_SERVER_ERROR, "Sandbox error", &e.1.error.message)
}

/// `POST /sim/partner/pay`: the customer arrives with the redirect form.
async fn pay_page(State(s): State<AppState>, form: Result<Form<Vec<(String, String)>>, FormRejection>) -> Response {
    let Form(form) = match form {
        Ok(f) => f,
        Err(e) => return error_page(StatusCode::BAD_REQUEST, "Cannot read the payment form", &e.body_text()),
    };
    let get = |k: &str| form.iter().find(|(key, _)| key == k).map(|(_, v)| v.as_str());
    let mut fields = Vec::with_capacity(BODY_KEYS.len());
    for k in BODY_KEYS {
        match get(k) {
            Some(v) => fields.push((k, v)),
            None => {
                return error_page(StatusCode::BAD_REQUEST, "Incomplete payment form", &format!("The field {k} is missing."))
            }
        }
    }
    let Some(given) = get("hsh") else {
        return error_page(StatusCode::BAD_REQUEST, "Incomplete payment form", "The field hsh is missing.");
    };
    if !check_hex(&s.partner_key, &hsh_text(&fields), given) {
        return error_page(
            StatusCode::BAD_REQUEST,
            "Tampered payment data",
            "The payment data was tampered with: hsh does not match the other fields. Go back to the shop and start again.",
        );
    }
    let Ok(op_id) = fields[10].1.parse::<i64>() else {
        return error_page(StatusCode::BAD_REQUEST, "Unknown payment", "oid is not an operation id.");
    };
    let found = s.store.with(|c| {
        let Some(op) = store::operation(c, op_id)? else { return Ok(None) };
        let Some(payment) = store::payment(c, op.payment_rowid)? else { return Ok(None) };
        let project = store::project(c, payment.project_id)?;
        Ok(Some((op, payment, project)))
    });
    let (op, payment, project) = match found {
        Ok(Some(x)) => x,
        Ok(None) => return error_page(StatusCode::NOT_FOUND, "Unknown payment", &format!("No operation {op_id} in this sandbox.")),
        Err(e) => return internal_page(e.into()),
    };
    let data = match OperationData::parse(&op) {
        Ok(d) => d,
        Err(e) => return internal_page(e.into()),
    };
    let merchant = project.map(|p| p.name).unwrap_or_else(|| format!("project {}", payment.project_id));
    let amount = MinorUnits(payment.amount).format_plain(&payment.currency);
    let mut details = format!(
        "<dl>\n<dt>Merchant</dt><dd id=\"merchant\">{}</dd>\n<dt>Amount</dt><dd id=\"amount\">{}</dd>\n\
         <dt>Currency</dt><dd id=\"currency\">{}</dd>\n<dt>Invoice</dt><dd id=\"invoice\">{}</dd>\n",
        escape(&merchant),
        escape(&amount),
        escape(&payment.currency),
        escape(&payment.payment_id),
    );
    for (label, value) in [("Phone", get("tel")), ("E-mail", get("eml"))] {
        if let Some(v) = value.filter(|v| !v.is_empty()) {
            details.push_str(&format!("<dt>{label}</dt><dd>{}</dd>\n", escape(v)));
        }
    }
    details.push_str("</dl>\n");

    let status = PaymentStatus::parse(&op.status);
    if status.is_final() {
        let body = format!(
            "{details}<p id=\"result\">This payment is already final: {}.</p>\n<p><a id=\"back\" href=\"{}\">Back to the shop</a></p>",
            escape(status.as_str()),
            escape(&data.return_url),
        );
        return page(StatusCode::OK, "Payment already completed", &body);
    }
    let sig = completion_sig(&s.partner_key, op.id);
    let button = |decision: &str, label: &str| {
        format!(
            "<form method=\"post\" action=\"{COMPLETE_PATH}\">\n<input type=\"hidden\" name=\"oid\" value=\"{}\">\n\
             <input type=\"hidden\" name=\"decision\" value=\"{decision}\">\n<input type=\"hidden\" name=\"sig\" value=\"{}\">\n\
             <button type=\"submit\" id=\"{decision}\">{label}</button>\n</form>\n",
            op.id,
            escape(&sig),
        )
    };
    let body = format!(
        "{details}<div class=\"actions\">\n{}{}</div>\n<p class=\"note\">This is the sandbox's stand-in for the card partner: \
         choose how the payment ends. No card data is asked for.</p>",
        button("approve", "Approve"),
        button("decline", "Decline"),
    );
    page(StatusCode::OK, "Pay by card", &body)
}

#[derive(Debug, Deserialize)]
pub struct CompleteForm {
    pub oid: String,
    pub decision: String,
    pub sig: String,
}

/// Checks a completion form and ends the operation.
fn decide(s: &AppState, form: &CompleteForm) -> Result<Finish, (StatusCode, String)> {
    let outcome = match form.decision.as_str() {
        "approve" => Outcome::Success,
        "decline" => Outcome::Decline,
        other => return Err((StatusCode::BAD_REQUEST, format!("decision must be approve or decline, got {other:?}"))),
    };
    let op_id = form.oid.trim().parse::<i64>().map_err(|_| (StatusCode::BAD_REQUEST, "oid is not an operation id".to_string()))?;
    if !check_hex(&s.partner_key, &format!("complete\n{op_id}"), &form.sig) {
        return Err((StatusCode::BAD_REQUEST, "sig does not match oid: the form was tampered with".into()));
    }
    match finish_sale(s, op_id, outcome) {
        Ok(Finish::UnknownOperation) => Err((StatusCode::NOT_FOUND, format!("no operation {op_id} in this sandbox"))),
        Ok(done) => Ok(done),
        Err(e) => Err((StatusCode::INTERNAL_SERVER_ERROR, e.1.error.message)),
    }
}

/// `POST /sim/partner/complete`: the customer pressed Approve or Decline. Idempotent:
/// a second press (or a reload) changes nothing and sends the customer back again.
async fn complete(State(s): State<AppState>, form: Result<Form<CompleteForm>, FormRejection>) -> Response {
    let Form(form) = match form {
        Ok(f) => f,
        Err(e) => return error_page(StatusCode::BAD_REQUEST, "Cannot read the form", &e.body_text()),
    };
    let return_url = match decide(&s, &form) {
        Ok(Finish::Done { return_url }) | Ok(Finish::AlreadyFinal { return_url }) => return_url,
        Ok(Finish::UnknownOperation) => return error_page(StatusCode::NOT_FOUND, "Unknown payment", "No such operation."),
        Err((status, message)) => return error_page(status, "The payment cannot be completed", &message),
    };
    // The return URL passed check_url at pay time; a non-ASCII one cannot be a header value.
    match HeaderValue::from_str(&return_url) {
        Ok(location) => (StatusCode::SEE_OTHER, [(header::LOCATION, location)]).into_response(),
        Err(_) => page(
            StatusCode::OK,
            "Payment completed",
            &format!("<p><a id=\"back\" href=\"{}\">Back to the shop</a></p>", escape(&return_url)),
        ),
    }
}

/// `POST /sim/partner/notify` (`cbk`): the same decision sent server to server, answered in JSON.
async fn notify(State(s): State<AppState>, form: Result<Form<CompleteForm>, FormRejection>) -> Response {
    let Form(form) = match form {
        Ok(f) => f,
        Err(e) => return HttpError::bad_request("invalid_params", None, e.body_text()).into_response(),
    };
    match decide(&s, &form) {
        Ok(Finish::Done { .. }) => Json(serde_json::json!({"result": "done"})).into_response(),
        Ok(_) => Json(serde_json::json!({"result": "already_final"})).into_response(),
        Err((status, message)) => HttpError::new(status, "partner_refused", None, message).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hsh_changes_when_any_field_changes() {
        let key = b"k";
        let a = hsh(key, &[("oid", "1"), ("inv", "X")]);
        assert_eq!(a.len(), 64);
        assert_ne!(a, hsh(key, &[("oid", "2"), ("inv", "X")]));
        assert!(check_hex(key, &hsh_text(&[("oid", "1"), ("inv", "X")]), &a));
        assert!(!check_hex(key, &hsh_text(&[("oid", "1"), ("inv", "Y")]), &a));
        assert!(!check_hex(key, "x", "not hex"));
    }
}
