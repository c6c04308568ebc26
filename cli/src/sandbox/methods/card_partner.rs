//! Cards through the partner (seed 001, KES/USD): what `pay` answers (the partner's
//! `redirect_data` form), and the simulated partner (`/sim/partner/...`).
//!
//! The platform sends the customer here with the seed's `redirect_data` (a POST form:
//! `live` ... `elipa`, `oid`, `inv`, `ttl`, `tel`, `eml`, `vid`, `curr`, `cbk`, `lbk`,
//! `cst`, `crl`, `hsh`). `hsh` is an HMAC-SHA256 of the other fields with a key only the
//! sandbox knows, so a tampered form is refused. The page shows the payment and two
//! buttons, Approve and Decline; the choice makes the payment final, enqueues the
//! signed callback, and sends the customer back to `lbk` (303).
//!
//! Gate (seed 001): a sale starts here ([`GateSale`]): with the recommended phone and
//! e-mail, the first callback carries the same `redirect_data`; without them it asks for
//! clarification (`clarification_fields`), and the `redirect_data` callback follows the
//! merchant's clarification. The partner sends a Gate customer to [`RETURN_PATH`], which
//! forwards to the sale's `return_url.success` / `return_url.decline`, or shows a
//! "payment complete" page. The test knob [`REFUND_DECLINE_PATH`] makes the partner
//! decline a payment's next refund.

use super::method::{form_token, form_token_ok, GateSale, GateSaleStart, PaymentMethod};
use crate::sandbox::ledger::clock::{now_ms, random_hex};
use crate::sandbox::ledger::operations::{
    callback, finish_sale, insert_sale, signed_callback, NewSale, OperationData, SaleEnd, SaleResult,
};
use crate::sandbox::ledger::state::{AppState, Shared, SANDBOX_URLS};
use crate::sandbox::ledger::store::{self, OperationRow, PaymentRow, Project};
use crate::sandbox::server::html::{self, escape};
use crate::sandbox::server::{GateRefusal, HttpError};
use axum::body::Bytes;
use axum::extract::rejection::FormRejection;
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use epay_core::gate::{clarification_fields, parse_return_url, ReturnUrl, CLARIFIABLE};
use epay_core::params::CustomerData;
use epay_core::protocol::NextAction;
use epay_core::redirect::{FormBody, HttpMethod, RedirectData};
use epay_core::signature::with_signature;
use epay_core::time::callback_date_ms;
use epay_core::ErrorCode;
use epay_core::{CustomerField, MethodCode, MinorUnits, ParamError, PaymentStatus};
use rusqlite::{params, Connection, OptionalExtension};
use serde::Deserialize;
use serde_json::{json, Value};

/// `payment.method` in card-partner callbacks, as the seed writes it.
pub const TITLE: &str = "Card partner";

/// Where the partner sends a Gate customer back: `/sim/gate/return/{payment rowid}`.
pub const RETURN_PATH: &str = "/sim/gate/return";
/// Test knob: `POST {"payment_id": "X", "project_id": 250}` → the next refund of that payment is declined.
pub const REFUND_DECLINE_PATH: &str = "/sim/partner/refund-decline";

pub const PAY_PATH: &str = "/sim/partner/pay";
pub const COMPLETE_PATH: &str = "/sim/partner/complete";
/// The partner's server-to-server result URL (`cbk`).
pub const NOTIFY_PATH: &str = "/sim/partner/notify";

/// The seed's `redirect_data.body` keys in the seed's order, `hsh` excluded (it comes last).
pub const BODY_KEYS: [&str; 21] = [
    "live",
    "mpesa",
    "bonga",
    "airtel",
    "equity",
    "mobilebanking",
    "debitcard",
    "mkoporahisi",
    "saida",
    "elipa",
    "oid",
    "inv",
    "ttl",
    "tel",
    "eml",
    "vid",
    "curr",
    "cbk",
    "lbk",
    "cst",
    "crl",
];

const SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS gate_sales (
    payment_rowid INTEGER PRIMARY KEY REFERENCES payments(rowid),
    return_success TEXT,
    return_decline TEXT,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS gate_refund_declines (
    project_id INTEGER NOT NULL,
    payment_id TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (project_id, payment_id)
);
"#;

/// Cards through the partner.
pub struct CardPartner;

impl PaymentMethod for CardPartner {
    fn code(&self) -> MethodCode {
        MethodCode::CardPartner
    }

    fn title(&self) -> &'static str {
        TITLE
    }

    /// Seed 001, every callback example: `<hex>-00000001` (56 hex digits here; the seed
    /// prints them shortened).
    fn new_request_id(&self) -> Result<String, HttpError> {
        Ok(format!("{}-00000001", random_hex(28)?))
    }

    /// Gate sales' return URLs, refunds the partner is to decline.
    fn schema(&self) -> &'static str {
        SCHEMA
    }

    fn routes(&self) -> Router<AppState> {
        Router::new()
            .route(PAY_PATH, post(pay_page))
            .route(COMPLETE_PATH, post(complete))
            .route(NOTIFY_PATH, post(notify))
            .route(&format!("{RETURN_PATH}/{{payment}}"), get(return_page))
            .route(REFUND_DECLINE_PATH, post(refund_decline_knob))
    }

    /// The partner page is where a merchant's page (any origin) sends the customer with a
    /// form POST; its notification is signed (`hsh`) and comes from the partner's server.
    fn cross_origin_paths(&self) -> &'static [&'static str] {
        &[PAY_PATH, NOTIFY_PATH]
    }

    /// Until the partner sends the customer back with the result.
    fn start_status(&self) -> PaymentStatus {
        PaymentStatus::AwaitingRedirectResult
    }

    /// Go to the partner with its form.
    fn next_action(&self, s: &Shared, payment: &PaymentRow, op: &OperationRow) -> Result<Option<NextAction>, HttpError> {
        let data = OperationData::parse(op)?;
        Ok(Some(NextAction::Redirect { redirect_data: redirect_data(&s.base_url, &s.partner_key, op.id, payment, &data) }))
    }
}

impl GateSale for CardPartner {
    /// The sale's optional `return_url {success, decline}`.
    fn check_sale(&self, doc: &Value) -> Result<(), Vec<ParamError>> {
        parse_return_url(doc, SANDBOX_URLS).map(|_| ())
    }

    /// Seed 001: the customer goes to the partner (`redirect_data`), or, without the
    /// recommended phone and e-mail, the platform first asks the merchant for them.
    fn start_sale(&self, s: &Shared, c: &Connection, sale: &GateSaleStart) -> rusqlite::Result<(i64, String)> {
        let urls = parse_return_url(sale.doc, SANDBOX_URLS).unwrap_or_default();
        let data =
            OperationData { return_url: format!("{}{RETURN_PATH}/{}", s.base_url, sale.payment_rowid), customer: sale.customer.clone() };
        let missing = missing_customer_fields(&data.customer);
        let status = if missing.is_empty() { PaymentStatus::AwaitingRedirectResult } else { PaymentStatus::AwaitingClarification };
        let new_sale = NewSale {
            payment_rowid: sale.payment_rowid,
            method: MethodCode::CardPartner,
            status,
            data: &data,
            request_id: sale.request_id,
            now: sale.now,
        };
        let op_id = insert_sale(c, &new_sale)?;
        c.execute(
            "INSERT INTO gate_sales (payment_rowid, return_success, return_decline, created_at) VALUES (?1, ?2, ?3, ?4)",
            params![sale.payment_rowid, urls.success, urls.decline, sale.now],
        )?;
        let payment = store::payment(c, sale.payment_rowid)?.ok_or(rusqlite::Error::QueryReturnedNoRows)?;
        let op = store::operation(c, op_id)?.ok_or(rusqlite::Error::QueryReturnedNoRows)?;
        let body = if missing.is_empty() {
            redirect_callback(s, sale.project, &payment, &op, &data)?
        } else {
            clarification_callback(sale.project, &payment, &op, &data, &missing)?
        };
        Ok((op_id, body))
    }

    fn clarification_fields(&self, customer: &CustomerData) -> Vec<CustomerField> {
        missing_customer_fields(customer)
    }

    fn clarified_callback(
        &self,
        s: &Shared,
        project: &Project,
        payment: &PaymentRow,
        op: &OperationRow,
        data: &OperationData,
    ) -> rusqlite::Result<String> {
        redirect_callback(s, project, payment, op, data)
    }

    fn declines_next_refund(&self, c: &Connection, project_id: u64, payment_id: &str) -> rusqlite::Result<bool> {
        declines_next_refund(c, project_id, payment_id)
    }
}

/// The text `hsh` covers: `key=value` lines in [`BODY_KEYS`] order.
fn hsh_text(fields: &[(&str, &str)]) -> String {
    fields.iter().map(|(k, v)| format!("{k}={v}\n")).collect()
}

pub fn hsh(key: &[u8], fields: &[(&str, &str)]) -> String {
    form_token(key, &hsh_text(fields))
}

/// The token the Approve/Decline forms carry, so only this sandbox's pages complete an operation.
pub fn completion_sig(key: &[u8], op_id: i64) -> String {
    form_token(key, &format!("complete\n{op_id}"))
}

/// The seed-shaped `redirect_data` for a card-partner operation. Rebuilt from the stored
/// operation on every view, so it is identical for repeated `pay` calls.
pub fn redirect_data(base_url: &str, key: &[u8], op_id: i64, payment: &PaymentRow, data: &OperationData) -> RedirectData {
    let oid = op_id.to_string();
    let tel: String = data.customer.phone.as_deref().unwrap_or("").chars().filter(char::is_ascii_digit).collect();
    let eml = data.customer.email.clone().unwrap_or_default();
    let cbk = format!("{base_url}{NOTIFY_PATH}");
    let values: [&str; 21] = [
        "0",
        "0",
        "0",
        "0",
        "0",
        "0",
        "0",
        "0",
        "0",
        "0",
        &oid,
        &payment.payment_id,
        "900",
        &tel,
        &eml,
        "sandbox",
        &payment.currency,
        &cbk,
        &data.return_url,
        "1",
        "0",
    ];
    let fields: Vec<(&str, &str)> = BODY_KEYS.iter().copied().zip(values).collect();
    let hsh = hsh(key, &fields);
    let mut body: Vec<(String, String)> = fields.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    body.push(("hsh".into(), hsh));
    RedirectData { method: HttpMethod::Post, url: format!("{base_url}{PAY_PATH}"), body: FormBody(body) }
}

/// The partner's pages: forms may post anywhere (the partner redirects the customer back
/// to the merchant's return URL).
const SHELL: html::Shell = html::Shell {
    brand: "Card partner",
    kind: "sandbox simulation",
    title_suffix: "Card partner (sandbox)",
    stylesheets: &[html::STYLESHEET_PATH],
    body_class: None,
    main_class: "sim",
    csp: "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; frame-ancestors 'none'",
};

/// A complete page of the partner; see [`html::page_in`].
fn page(status: StatusCode, title: &str, body: &str) -> Response {
    html::page_in(&SHELL, status, title, body)
}

/// A page of the partner that only says what went wrong.
fn error_page(status: StatusCode, title: &str, message: &str) -> Response {
    page(status, title, &format!("<p class=\"error\" role=\"alert\">{}</p>", escape(message)))
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
            None => return error_page(StatusCode::BAD_REQUEST, "Incomplete payment form", &format!("The field {k} is missing.")),
        }
    }
    let Some(given) = get("hsh") else {
        return error_page(StatusCode::BAD_REQUEST, "Incomplete payment form", "The field hsh is missing.");
    };
    if !form_token_ok(&s.partner_key, &hsh_text(&fields), given) {
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

/// What the customer chose on the partner's page (or the partner's server said).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartnerDecision {
    Approve,
    Decline,
}

impl PartnerDecision {
    /// How the sale ends: success, or the seed's general decline (`20000`); the partner's
    /// payment id is the time with an `A`.
    fn sale_result(self, now_ms: i64) -> SaleResult {
        let provider_payment_id = format!("{now_ms}A");
        match self {
            PartnerDecision::Approve => SaleResult::success(provider_payment_id),
            PartnerDecision::Decline => SaleResult::decline("20000", "General decline", provider_payment_id),
        }
    }
}

/// Ends a card-partner sale as the partner decided, with the standard callback.
pub fn finish(s: &Shared, op_id: i64, decision: PartnerDecision) -> Result<SaleEnd, HttpError> {
    finish_sale(
        s,
        op_id,
        |_, _, now_ms| Ok(Some(decision.sale_result(now_ms))),
        |_, project, payment, op, data| Ok(callback(TITLE, project, payment, op, data)),
    )
}

/// Checks a completion form and ends the operation.
fn decide(s: &AppState, form: &CompleteForm) -> Result<SaleEnd, (StatusCode, String)> {
    let decision = match form.decision.as_str() {
        "approve" => PartnerDecision::Approve,
        "decline" => PartnerDecision::Decline,
        other => return Err((StatusCode::BAD_REQUEST, format!("decision must be approve or decline, got {other:?}"))),
    };
    let op_id = form.oid.trim().parse::<i64>().map_err(|_| (StatusCode::BAD_REQUEST, "oid is not an operation id".to_string()))?;
    if !form_token_ok(&s.partner_key, &format!("complete\n{op_id}"), &form.sig) {
        return Err((StatusCode::BAD_REQUEST, "sig does not match oid: the form was tampered with".into()));
    }
    match finish(s, op_id, decision) {
        Ok(SaleEnd::UnknownOperation) => Err((StatusCode::NOT_FOUND, format!("no operation {op_id} in this sandbox"))),
        Ok(end) => Ok(end),
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
        Ok(SaleEnd::Ended { data, .. } | SaleEnd::AlreadyFinal { data, .. }) => data.return_url,
        Ok(SaleEnd::UnknownOperation) => return error_page(StatusCode::NOT_FOUND, "Unknown payment", "No such operation."),
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
        Err(e) => return HttpError::bad_request(ErrorCode::InvalidParams, None, e.body_text()).into_response(),
    };
    match decide(&s, &form) {
        Ok(SaleEnd::Ended { .. }) => Json(serde_json::json!({"result": "done"})).into_response(),
        Ok(_) => Json(serde_json::json!({"result": "already_final"})).into_response(),
        Err((status, message)) => HttpError::new(status, ErrorCode::PartnerRefused, None, message).into_response(),
    }
}

// ---------------------------------------------------------------------------------------
// Gate
// ---------------------------------------------------------------------------------------

/// The recommended customer fields (seed 001: phone, email) a sale lacks.
pub fn missing_customer_fields(customer: &CustomerData) -> Vec<CustomerField> {
    CLARIFIABLE.into_iter().filter(|f| !customer.has(*f)).collect()
}

/// The signed callback with `redirect_data`: the customer goes to the partner.
pub fn redirect_callback(
    s: &Shared,
    project: &Project,
    payment: &PaymentRow,
    op: &OperationRow,
    data: &OperationData,
) -> rusqlite::Result<String> {
    let mut cb = callback(TITLE, project, payment, op, data);
    cb.redirect_data = Some(redirect_data(&s.base_url, &s.partner_key, op.id, payment, data));
    signed_callback(project, &cb)
}

/// The signed callback asking for clarification: the standard callback (payment and
/// operation `awaiting clarification`) plus `clarification_fields` listing what is missing.
pub fn clarification_callback(
    project: &Project,
    payment: &PaymentRow,
    op: &OperationRow,
    data: &OperationData,
    missing: &[CustomerField],
) -> rusqlite::Result<String> {
    let cb = callback(TITLE, project, payment, op, data);
    let mut doc = serde_json::to_value(&cb).map_err(|e| store::store_error(format!("callback: {e}")))?;
    if let Some(obj) = doc.as_object_mut() {
        obj.insert("clarification_fields".into(), clarification_fields(missing));
    }
    Ok(with_signature(doc, &project.secret).to_string())
}

/// Whether the partner is to decline this payment's refund (the test knob was set); the
/// knob is used up.
pub fn declines_next_refund(c: &Connection, project_id: u64, payment_id: &str) -> rusqlite::Result<bool> {
    let n =
        c.execute("DELETE FROM gate_refund_declines WHERE project_id = ?1 AND payment_id = ?2", params![project_id as i64, payment_id])?;
    Ok(n > 0)
}

/// `POST /sim/partner/refund-decline {"payment_id": "X", "project_id": 250}` (`project_id`
/// defaults to 250): the partner declines that payment's next refund.
async fn refund_decline_knob(State(s): State<AppState>, body: Bytes) -> Response {
    let bad = |param: &str, message: &str| GateRefusal::new(ErrorCode::InvalidParams, Some(param), message).into_response();
    let Ok(doc) = serde_json::from_slice::<Value>(&body) else {
        return bad("body", "body: must be a JSON object such as {\"payment_id\": \"X\"}");
    };
    let Some(payment_id) = doc.get("payment_id").and_then(Value::as_str).filter(|p| !p.trim().is_empty()) else {
        return bad("payment_id", "payment_id: is required (a string)");
    };
    let project_id = match doc.get("project_id") {
        None | Some(Value::Null) => 250,
        Some(v) => match v.as_u64().and_then(|p| i64::try_from(p).ok()) {
            Some(p) => p,
            None => return bad("project_id", "project_id: must be a positive integer"),
        },
    };
    let now = callback_date_ms(now_ms());
    let stored = s.store.with(|c| {
        c.execute(
            "INSERT OR REPLACE INTO gate_refund_declines (project_id, payment_id, created_at) VALUES (?1, ?2, ?3)",
            params![project_id, payment_id, now],
        )
    });
    match stored {
        Ok(_) => Json(json!({"project_id": project_id, "payment_id": payment_id, "decline_next_refund": true})).into_response(),
        Err(e) => GateRefusal::from(e).into_response(),
    }
}

/// `GET /sim/gate/return/{payment rowid}`: where the partner sends a Gate customer.
/// Forwards (303) to the sale's `return_url` for the outcome, else shows the result.
async fn return_page(State(s): State<AppState>, Path(payment): Path<String>) -> Response {
    let not_found = || error_page(StatusCode::NOT_FOUND, "Unknown payment", "No such Gate payment in this sandbox.");
    let Ok(rowid) = payment.parse::<i64>() else { return not_found() };
    let found = s.store.with(|c| {
        let urls: Option<ReturnUrl> = c
            .query_row("SELECT return_success, return_decline FROM gate_sales WHERE payment_rowid = ?1", [rowid], |r| {
                Ok(ReturnUrl { success: r.get(0)?, decline: r.get(1)? })
            })
            .optional()?;
        let Some(urls) = urls else { return Ok(None) };
        let Some(payment) = store::payment(c, rowid)? else { return Ok(None) };
        let project = store::project(c, payment.project_id)?;
        Ok(Some((urls, payment, project)))
    });
    let (urls, payment, project) = match found {
        Ok(Some(x)) => x,
        Ok(None) => return not_found(),
        Err(e) => return error_page(StatusCode::INTERNAL_SERVER_ERROR, "Sandbox error", &format!("database: {e}")),
    };
    let status = PaymentStatus::parse(payment.status.as_deref().unwrap_or(""));
    let target = if status.is_paid() {
        urls.success.as_deref()
    } else if status.is_final() {
        urls.decline.as_deref()
    } else {
        None
    };
    if let Some(location) = target.and_then(|u| HeaderValue::from_str(u).ok()) {
        return (StatusCode::SEE_OTHER, [(header::LOCATION, location)]).into_response();
    }
    let merchant = project.map(|p| p.name).unwrap_or_else(|| format!("project {}", payment.project_id));
    let (title, said) = if status.is_paid() {
        ("Payment complete", "The payment was successful. You can close this page and go back to the shop.")
    } else if status.is_final() {
        ("Payment not completed", "The payment was declined. Go back to the shop to try again.")
    } else {
        ("Payment pending", "The payment is not finished yet.")
    };
    let body = format!(
        "<dl>\n<dt>Merchant</dt><dd id=\"merchant\">{}</dd>\n<dt>Invoice</dt><dd id=\"invoice\">{}</dd>\n\
         <dt>Amount</dt><dd id=\"amount\">{}</dd>\n<dt>Status</dt><dd id=\"status\">{}</dd>\n</dl>\n<p id=\"result\">{}</p>",
        escape(&merchant),
        escape(&payment.payment_id),
        escape(&MinorUnits(payment.amount).format_plain(&payment.currency)),
        escape(status.as_str()),
        escape(said),
    );
    page(StatusCode::OK, title, &body)
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
        assert!(form_token_ok(key, &hsh_text(&[("oid", "1"), ("inv", "X")]), &a));
        assert!(!form_token_ok(key, &hsh_text(&[("oid", "1"), ("inv", "Y")]), &a));
        assert!(!form_token_ok(key, "x", "not hex"));
    }
}
