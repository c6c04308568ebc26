//! Gate (seed 001): the card-partner sale and full refund a merchant's server sends
//! itself, and a signed payment status request (our design).
//!
//! - `POST /v2/payment/card-partner/sale`: signature (project secret) → 403; parameters
//!   (`core::gate::parse_sale`, `parse_return_url`) → 400 naming each dotted parameter; a
//!   used `payment_id` → 400. Accepted at once (`GateAccepted`); the outbox then sends a
//!   signed callback with `redirect_data` (the simulated partner's form, the same builder
//!   the Payment Page uses) and payment status `awaiting redirect result`. The customer
//!   approves or declines at the partner; the result callback is the Payment Page's; the
//!   partner sends the customer to [`RETURN_PATH`], which forwards to the sale's
//!   `return_url.success` / `return_url.decline`, or shows a "payment complete" page.
//! - `POST /v2/payment/card-partner/refund`: `general` only, full refunds only. A
//!   successful card-partner payment is refunded at once: `GateAccepted`, then a callback
//!   shaped as seed 001's refund example (payment `refunded`, `payment.sum.amount` 0,
//!   operation `refund` `success`, `sum_initial` = the original amount). An unknown
//!   payment (or one opened but never paid) → 404 `unknown_payment`; a payment of another
//!   method → 400 `not_refundable`; both name `general.payment_id`. A payment that is not
//!   successful or already refunded: the request is accepted (the answer only checks the
//!   request, as in seed 001), then declined by callback in the seed's refund-decline shape
//!   (operation `refund` `decline`, code `20000`, a message saying why; the payment keeps
//!   its status). The test knob
//!   [`REFUND_DECLINE_PATH`] makes the partner decline a payment's next refund: seed 001's
//!   refund-decline callback (payment stays `success`, operation `refund` `decline`,
//!   code `20000`, provider payment id with an `RF` suffix). A declined refund may be
//!   tried again.
//! - `POST /v2/payment/status`: signed `general {project_id, payment_id}` → the payment
//!   and all its operations, signed at the root like a callback ([`StatusAnswer`]).
//!
//! Refund operations live in the platform's `operations` table (one id space with the
//! sales): the first refund of a payment has kind `refund`, later attempts (after a
//! decline) `refund-2`, `refund-3`, ...; callbacks and the status answer say `refund`.

use super::callbacks;
use super::checkout::{callback, method_title, reported_status, signed_callback, OperationData};
use super::store::{self, NewOperation, NewPayment, OperationResult, OperationRow, PaymentRow, Project};
use crate::sandbox::methods::card_partner as partner;
use crate::sandbox::server::html::{self, escape, page};
use crate::sandbox::{now_ms, random_hex, AppState, GateRefusal, Shared};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use epay_core::callback::{CallbackCustomer, CallbackPayment, Operation, Sum};
use epay_core::gate::{
    clarification_fields, customer_key, missing_after, parse_clarification, parse_refund, parse_return_url, parse_sale,
    parse_status_request, GateAccepted, GateRejected, ReturnUrl, SaleKind, CARD_PARTNER_REFUND_PATH, CARD_PARTNER_SALE_PATH,
    CLARIFIABLE, CLARIFICATION_PATH, PAYMENT_STATUS_PATH,
};
use epay_core::params::CustomerData;
use epay_core::redirect::UrlPolicy;
use epay_core::signature::{verify, with_signature, SignatureError};
use epay_core::{CustomerField, MethodCode, MinorUnits, ParamError, PaymentStatus};
use epay_core::time::callback_date_ms;
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;
use serde_json::{json, Value};

/// Where the partner sends a Gate customer back: `/sim/gate/return/{payment rowid}`.
pub const RETURN_PATH: &str = "/sim/gate/return";
/// Test knob: `POST {"payment_id": "X", "project_id": 250}` → the next refund of that payment is declined.
pub const REFUND_DECLINE_PATH: &str = "/sim/partner/refund-decline";

/// The sandbox is loopback-only: return URLs may be `http://127.0.0.1...`.
const SANDBOX_URLS: UrlPolicy = UrlPolicy { allow_loopback_http: true };

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

pub fn init(store: &store::Store) -> rusqlite::Result<()> {
    store.with(|c| c.execute_batch(SCHEMA))
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(CARD_PARTNER_SALE_PATH, post(sale))
        .route(CARD_PARTNER_REFUND_PATH, post(refund))
        .route(CLARIFICATION_PATH, post(clarify))
        .route(PAYMENT_STATUS_PATH, post(status))
        .route(&format!("{RETURN_PATH}/{{payment}}"), get(return_page))
        .route(REFUND_DECLINE_PATH, post(refund_decline_knob))
}

// ---------------------------------------------------------------------------------------
// Reading a signed request
// ---------------------------------------------------------------------------------------

/// Reads a Gate body and checks its signature with the secret of the project it names.
/// A body whose `general.project_id` does not read is left to the parameter check, which
/// names the problem; so is a missing signature.
fn read_signed(s: &Shared, body: &Bytes) -> Result<(Value, Option<Project>), GateRefusal> {
    let doc: Value = serde_json::from_slice(body)
        .map_err(|e| GateRefusal::new("invalid_json", Some("body"), format!("body: must be a JSON object: {e}")))?;
    if !doc.is_object() {
        return Err(GateRefusal::new("invalid_json", Some("body"), "body: must be a JSON object with general, customer and payment"));
    }
    let Some(project_id) = doc.pointer("/general/project_id").and_then(Value::as_u64).filter(|id| *id > 0) else {
        return Ok((doc, None));
    };
    let project = s.store.with(|c| store::project(c, project_id))?.ok_or_else(|| {
        GateRefusal::new(
            "unknown_project",
            Some("general.project_id"),
            format!("general.project_id: no project {project_id} in this sandbox (demo projects: 250, 1234)"),
        )
    })?;
    match verify(&doc, &project.secret) {
        Ok(()) | Err(SignatureError::Missing) => Ok((doc, Some(project))),
        Err(e) => Err(GateRefusal(GateRejected::bad_signature(&e))),
    }
}

/// The project of a body that passed the parameter check (which guarantees a project id).
fn known(project: Option<Project>) -> Result<Project, GateRefusal> {
    project.ok_or_else(|| GateRefusal::internal("a checked request without a project"))
}

fn request_id() -> Result<String, GateRefusal> {
    random_hex(28).map(|h| format!("{h}-00000001")).map_err(|e| GateRefusal::internal(e.1.error.message))
}

/// A signed Gate request on a payment that already exists (clarification, refund, status):
/// the signature checked, then the body read by `parse`, refusals naming each parameter.
fn read_request<T>(s: &Shared, body: &Bytes, parse: fn(&Value) -> Result<T, Vec<ParamError>>) -> Result<(T, Project), GateRefusal> {
    let (doc, project) = read_signed(s, body)?;
    let req = parse(&doc).map_err(GateRefusal::invalid)?;
    Ok((req, known(project)?))
}

/// The platform's id and time of a new operation.
struct Stamp {
    request_id: String,
    now_ms: i64,
    now: String,
}

fn stamp() -> Result<Stamp, GateRefusal> {
    let now_ms = now_ms();
    Ok(Stamp { request_id: request_id()?, now_ms, now: callback_date_ms(now_ms) })
}

// ---------------------------------------------------------------------------------------
// Sale
// ---------------------------------------------------------------------------------------

/// `POST /v2/payment/card-partner/sale`
pub async fn sale(State(s): State<AppState>, body: Bytes) -> Result<Json<GateAccepted>, GateRefusal> {
    let (doc, project) = read_signed(&s, &body)?;
    // `general.merchant_callback_url`: this payment's callbacks go there (callbacks.rs).
    let callback_url = callbacks::gate_callback_url(&doc);
    let (req, urls, callback_url) =
        match (parse_sale(SaleKind::CardPartner, &doc), parse_return_url(&doc, SANDBOX_URLS), callback_url) {
            (Ok(req), Ok(urls), Ok(callback_url)) => (req, urls, callback_url),
            (req, urls, callback_url) => {
                let mut errs = req.err().unwrap_or_default();
                errs.extend(urls.err().unwrap_or_default());
                errs.extend(callback_url.err());
                return Err(GateRefusal::invalid(errs));
            }
        };
    let project = known(project)?;
    let request_id = request_id()?;
    let now_ms = now_ms();
    let now = callback_date_ms(now_ms);
    let customer = CustomerData {
        first_name: req.customer.first_name.clone(),
        last_name: req.customer.last_name.clone(),
        email: req.customer.email.clone(),
        phone: req.customer.phone.clone(),
    };
    let accepted = s.store.with(|c| {
        let tx = c.transaction()?;
        if let Some(earlier) = store::payment_by_id(&tx, project.id, &req.general.payment_id)? {
            return Ok(Err(earlier));
        }
        let rowid = store::insert_payment(
            &tx,
            &NewPayment {
                project_id: project.id,
                payment_id: &req.general.payment_id,
                amount: req.payment.amount.0,
                currency: &req.payment.currency,
                customer_id: &req.customer.id,
                description: req.payment.description.as_deref(),
                created_at: &now,
            },
        )?;
        let data = OperationData { return_url: format!("{}{RETURN_PATH}/{rowid}", s.base_url), customer };
        let data_json = serde_json::to_string(&data).map_err(|e| store::store_error(format!("operation data: {e}")))?;
        // Seed 001: without the recommended phone and email the platform asks for them.
        let missing = missing_customer_fields(&data.customer);
        let status = if missing.is_empty() { PaymentStatus::AwaitingRedirectResult } else { PaymentStatus::AwaitingClarification };
        let method = MethodCode::CardPartner.as_str();
        let op_id = store::insert_operation(
            &tx,
            &NewOperation {
                payment_rowid: rowid,
                kind: "sale",
                method,
                status: status.as_str(),
                created_date: &now,
                request_id: &request_id,
                data: &data_json,
            },
        )?;
        store::set_payment_status(&tx, rowid, status.as_str(), method, &now)?;
        tx.execute(
            "INSERT INTO gate_sales (payment_rowid, return_success, return_decline, created_at) VALUES (?1, ?2, ?3, ?4)",
            params![rowid, urls.success, urls.decline, now],
        )?;
        if let Some(url) = &callback_url {
            callbacks::set_payment_url(&tx, rowid, url)?;
        }
        let payment = store::payment(&tx, rowid)?.ok_or(rusqlite::Error::QueryReturnedNoRows)?;
        let op = store::operation(&tx, op_id)?.ok_or(rusqlite::Error::QueryReturnedNoRows)?;
        let body = if missing.is_empty() {
            redirect_callback(&s, &project, &payment, &op, &data)?
        } else {
            clarification_callback(&project, &payment, &op, &data, &missing)?
        };
        store::enqueue_callback(&tx, project.id, rowid, Some(op.id), &body, &now, now_ms)?;
        tx.commit()?;
        Ok(Ok(()))
    })?;
    if let Err(earlier) = accepted {
        return Err(GateRefusal::new(
            "duplicate_payment",
            Some("general.payment_id"),
            format!(
                "general.payment_id: {:?} was already used in project {} ({}, status {}); every sale needs a new payment_id",
                earlier.payment_id,
                earlier.project_id,
                MinorUnits(earlier.amount).format_plain(&earlier.currency),
                earlier.status.as_deref().unwrap_or("not paid"),
            ),
        ));
    }
    s.outbox_wake.notify_one();
    Ok(Json(GateAccepted::new(&req.general, request_id)))
}

/// The recommended customer fields (seed 001: phone, email) a sale lacks.
fn missing_customer_fields(customer: &CustomerData) -> Vec<CustomerField> {
    CLARIFIABLE.into_iter().filter(|f| !customer.has(*f)).collect()
}

/// The signed callback with `redirect_data`: the customer goes to the partner.
fn redirect_callback(s: &Shared, project: &Project, payment: &PaymentRow, op: &OperationRow, data: &OperationData) -> rusqlite::Result<String> {
    let mut cb = callback(project, payment, op, data);
    cb.redirect_data = Some(partner::redirect_data(&s.base_url, &s.partner_key, op.id, payment, data));
    signed_callback(project, &cb)
}

/// The signed callback asking for clarification: the standard callback (payment and
/// operation `awaiting clarification`) plus `clarification_fields` listing what is missing.
fn clarification_callback(
    project: &Project,
    payment: &PaymentRow,
    op: &OperationRow,
    data: &OperationData,
    missing: &[CustomerField],
) -> rusqlite::Result<String> {
    let cb = callback(project, payment, op, data);
    let mut doc = serde_json::to_value(&cb).map_err(|e| store::store_error(format!("callback: {e}")))?;
    if let Some(obj) = doc.as_object_mut() {
        obj.insert("clarification_fields".into(), clarification_fields(missing));
    }
    Ok(with_signature(doc, &project.secret).to_string())
}

/// `POST /v2/payment/clarification`: the merchant supplies what the clarification
/// callback listed. Signature → 403; parameters → 400 naming each; an unknown payment →
/// 404 `unknown_payment`; a payment not awaiting clarification → 400
/// `not_awaiting_clarification`; a field asked for and still missing → 400 naming it.
/// Accepted: the sale goes on (`awaiting redirect result`) and the usual `redirect_data`
/// callback follows.
pub async fn clarify(State(s): State<AppState>, body: Bytes) -> Result<Json<GateAccepted>, GateRefusal> {
    let (req, project) = read_request(&s, &body, parse_clarification)?;
    let Stamp { request_id, now_ms, now } = stamp()?;
    let payment_id = req.general.payment_id.clone();
    let done = s.store.with(|c| {
        let tx = c.transaction()?;
        let Some(payment) = store::payment_by_id(&tx, project.id, &payment_id)? else { return Ok(Err(None)) };
        let Some(op) = store::sale_operation(&tx, payment.rowid)? else { return Ok(Err(None)) };
        if PaymentStatus::parse(&op.status) != PaymentStatus::AwaitingClarification {
            return Ok(Err(Some(GateRefusal::new(
                "not_awaiting_clarification",
                Some("general.payment_id"),
                format!("general.payment_id: payment {payment_id:?} is not awaiting clarification (status {})", op.status),
            ))));
        }
        let mut data = OperationData::parse(&op)?;
        let asked = missing_customer_fields(&data.customer);
        let still = missing_after(&asked, &req.data);
        if !still.is_empty() {
            let errs = still
                .iter()
                .map(|f| ParamError::new(&format!("additional_data.customer.{}", customer_key(*f)), "required", "was asked for in clarification_fields"))
                .collect();
            return Ok(Err(Some(GateRefusal::invalid(errs))));
        }
        for f in asked {
            data.customer.set(f, req.data.get(f).map(str::to_string));
        }
        let data_json = serde_json::to_string(&data).map_err(|e| store::store_error(format!("operation data: {e}")))?;
        let status = PaymentStatus::AwaitingRedirectResult;
        tx.execute("UPDATE operations SET status = ?2, data = ?3 WHERE id = ?1", params![op.id, status.as_str(), data_json])?;
        store::set_payment_status(&tx, payment.rowid, status.as_str(), &op.method, &now)?;
        let payment = store::payment(&tx, payment.rowid)?.ok_or(rusqlite::Error::QueryReturnedNoRows)?;
        let op = store::operation(&tx, op.id)?.ok_or(rusqlite::Error::QueryReturnedNoRows)?;
        let body = redirect_callback(&s, &project, &payment, &op, &data)?;
        store::enqueue_callback(&tx, project.id, payment.rowid, Some(op.id), &body, &now, now_ms)?;
        tx.commit()?;
        Ok(Ok(()))
    })?;
    match done {
        Ok(()) => {
            s.outbox_wake.notify_one();
            Ok(Json(GateAccepted::new(&req.general, request_id)))
        }
        Err(Some(fail)) => Err(fail),
        Err(None) => Err(GateRefusal::new(
            "unknown_payment",
            Some("general.payment_id"),
            format!("general.payment_id: no Gate sale {payment_id:?} in project {}", project.id),
        )),
    }
}

/// `GET /sim/gate/return/{payment rowid}`: where the partner sends a Gate customer.
/// Forwards (303) to the sale's `return_url` for the outcome, else shows the result.
async fn return_page(State(s): State<AppState>, Path(payment): Path<String>) -> Response {
    let not_found = || html::error_page(StatusCode::NOT_FOUND, "Unknown payment", "No such Gate payment in this sandbox.");
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
        Err(e) => {
            return html::error_page(StatusCode::INTERNAL_SERVER_ERROR, "Sandbox error", &format!("database: {e}"))
        }
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

// ---------------------------------------------------------------------------------------
// Refund
// ---------------------------------------------------------------------------------------

/// `refund`, `refund-2`, ... → `refund`.
fn operation_type(kind: &str) -> &str {
    if kind.starts_with("refund") {
        "refund"
    } else {
        kind
    }
}

fn refund_count(c: &Connection, payment_rowid: i64) -> rusqlite::Result<i64> {
    c.query_row(
        "SELECT COUNT(*) FROM operations WHERE payment_rowid = ?1 AND (kind = 'refund' OR kind LIKE 'refund-%')",
        [payment_rowid],
        |r| r.get(0),
    )
}

enum Refused {
    Unknown,
    NotCardPartner(String),
}

/// Code of a refund the platform declines itself (the payment cannot be refunded): the
/// seed's decline code; the message says why.
pub const REFUND_NOT_ALLOWED_CODE: &str = "20000";

/// `POST /v2/payment/card-partner/refund`
pub async fn refund(State(s): State<AppState>, body: Bytes) -> Result<Json<GateAccepted>, GateRefusal> {
    let (req, project) = read_request(&s, &body, parse_refund)?;
    let Stamp { request_id, now_ms, now } = stamp()?;
    let payment_id = req.general.payment_id.clone();
    let done = s.store.with(|c| {
        let tx = c.transaction()?;
        let Some(payment) = store::payment_by_id(&tx, project.id, &payment_id)? else { return Ok(Err(Refused::Unknown)) };
        // Opened on the Payment Page but never paid: the platform has no such payment yet.
        let Some(sale) = store::sale_operation(&tx, payment.rowid)? else { return Ok(Err(Refused::Unknown)) };
        if sale.method != MethodCode::CardPartner.as_str() {
            return Ok(Err(Refused::NotCardPartner(sale.method)));
        }
        // The request is well-formed and signed, so it is accepted (seed 001: the answer
        // only says so); a payment that cannot be refunded is then declined by callback.
        let current = PaymentStatus::parse(payment.status.as_deref().unwrap_or(""));
        let not_allowed = match &current {
            PaymentStatus::Success => None,
            PaymentStatus::Refunded => Some("Refund is not allowed: the payment is already refunded".to_string()),
            other => Some(format!("Refund is not allowed: the payment is not successful (status {})", other.as_str())),
        };
        let decline = not_allowed.is_some()
            || tx.execute(
                "DELETE FROM gate_refund_declines WHERE project_id = ?1 AND payment_id = ?2",
                params![project.id as i64, payment_id],
            )? > 0;
        let attempt = refund_count(&tx, payment.rowid)? + 1;
        let kind = if attempt == 1 { "refund".to_string() } else { format!("refund-{attempt}") };
        let op_id = store::insert_operation(
            &tx,
            &NewOperation {
                payment_rowid: payment.rowid,
                kind: &kind,
                method: &sale.method,
                status: PaymentStatus::Processing.as_str(),
                created_date: &now,
                request_id: &request_id,
                data: &sale.data,
            },
        )?;
        // The simulated partner answers at once.
        let (status, code, message, provider_payment_id) = match (&not_allowed, decline) {
            (Some(why), _) => (PaymentStatus::Decline, REFUND_NOT_ALLOWED_CODE, why.as_str(), String::new()),
            (None, true) => (PaymentStatus::Decline, "20000", "General decline", format!("{now_ms}RF")),
            (None, false) => (PaymentStatus::Success, "0", "Success", now_ms.to_string()),
        };
        store::finish_operation(
            &tx,
            op_id,
            &OperationResult { status: status.as_str(), date: &now, code, message, provider_payment_id: &provider_payment_id },
        )?;
        // As in the seed's examples, the payment's date is its last operation's; a declined
        // refund leaves its status as it was.
        let payment_status = if decline { current } else { PaymentStatus::Refunded };
        store::set_payment_status(&tx, payment.rowid, payment_status.as_str(), &sale.method, &now)?;
        let payment = store::payment(&tx, payment.rowid)?.ok_or(rusqlite::Error::QueryReturnedNoRows)?;
        let op = store::operation(&tx, op_id)?.ok_or(rusqlite::Error::QueryReturnedNoRows)?;
        let data = OperationData::parse(&op)?;
        let body = signed_callback(&project, &operation_callback(&project, &payment, &op, &data))?;
        store::enqueue_callback(&tx, project.id, payment.rowid, Some(op.id), &body, &now, now_ms)?;
        tx.commit()?;
        Ok(Ok(()))
    })?;
    let refused = |code: &str, message: String| Err(GateRefusal::new(code, Some("general.payment_id"), message));
    match done {
        Ok(()) => {
            s.outbox_wake.notify_one();
            Ok(Json(GateAccepted::new(&req.general, request_id)))
        }
        Err(Refused::Unknown) => refused(
            "unknown_payment",
            format!("general.payment_id: no payment {payment_id:?} in project {}", project.id),
        ),
        Err(Refused::NotCardPartner(method)) => refused(
            "not_refundable",
            format!("general.payment_id: payment {payment_id:?} was paid with {method}; this endpoint refunds card-partner payments only"),
        ),
    }
}

/// The callback of any operation in the seed's shape: a refund says `refund`, and a
/// refunded payment's `sum` is 0 while the operation's sums stay the refunded amount.
fn operation_callback(project: &Project, payment: &PaymentRow, op: &OperationRow, data: &OperationData) -> epay_core::Callback {
    let mut cb = callback(project, payment, op, data);
    if let Some(operation) = cb.operation.as_mut() {
        operation.kind = operation_type(&op.kind).to_string();
    }
    if cb.payment.status == PaymentStatus::Refunded {
        cb.payment.sum.amount = MinorUnits(0);
    }
    cb
}

/// `POST /sim/partner/refund-decline {"payment_id": "X", "project_id": 250}` (`project_id`
/// defaults to 250): the partner declines that payment's next refund.
async fn refund_decline_knob(State(s): State<AppState>, body: Bytes) -> Response {
    let bad = |param: &str, message: &str| GateRefusal::new("invalid_params", Some(param), message).into_response();
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

// ---------------------------------------------------------------------------------------
// Status
// ---------------------------------------------------------------------------------------

/// The answer of `POST /v2/payment/status`, signed at the root like a callback.
#[derive(Debug, Serialize)]
pub struct StatusAnswer {
    pub project_id: u64,
    /// As in callbacks; a payment opened on the Payment Page but not paid yet has status
    /// `awaiting customer` and an empty `method`.
    pub payment: CallbackPayment,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customer: Option<CallbackCustomer>,
    /// Every operation, oldest first: the sale, then refunds.
    pub operations: Vec<Operation>,
}

/// `POST /v2/payment/status`
pub async fn status(State(s): State<AppState>, body: Bytes) -> Result<Json<Value>, GateRefusal> {
    let (req, project) = read_request(&s, &body, parse_status_request)?;
    let found = s.store.with(|c| {
        let Some(payment) = store::payment_by_id(c, project.id, &req.general.payment_id)? else { return Ok(None) };
        let ids: Vec<i64> = {
            let mut stmt = c.prepare("SELECT id FROM operations WHERE payment_rowid = ?1 ORDER BY id")?;
            let rows = stmt.query_map([payment.rowid], |r| r.get(0))?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        let mut ops = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(op) = store::operation(c, id)? {
                ops.push(op);
            }
        }
        Ok(Some((payment, ops)))
    })?;
    let Some((payment, ops)) = found else {
        return Err(GateRefusal::new(
            "unknown_payment",
            Some("general.payment_id"),
            format!("general.payment_id: no payment {:?} in project {}", req.general.payment_id, project.id),
        ));
    };
    let mut customer = None;
    let mut operations = Vec::with_capacity(ops.len());
    for op in &ops {
        let data = OperationData::parse(op)?;
        let cb = operation_callback(&project, &payment, op, &data);
        customer = customer.or(cb.customer.filter(|c| c.phone.is_some()));
        operations.extend(cb.operation);
    }
    let status = payment.status.as_deref().map(PaymentStatus::parse).map(reported_status).unwrap_or(PaymentStatus::AwaitingCustomer);
    let amount = if status == PaymentStatus::Refunded { 0 } else { payment.amount };
    let answer = StatusAnswer {
        project_id: project.id,
        payment: CallbackPayment {
            id: payment.payment_id.clone(),
            kind: "purchase".into(),
            status,
            date: payment.date.clone().unwrap_or_else(|| payment.created_at.clone()),
            method: payment.method.as_deref().map(method_title).unwrap_or("").to_string(),
            sum: Sum { amount: MinorUnits(amount), currency: payment.currency.clone() },
            description: payment.description.clone().unwrap_or_default(),
        },
        customer,
        operations,
    };
    let doc = serde_json::to_value(&answer).map_err(GateRefusal::internal)?;
    Ok(Json(with_signature(doc, &project.secret)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refund_attempts_are_all_refunds_on_the_wire() {
        assert_eq!(operation_type("refund"), "refund");
        assert_eq!(operation_type("refund-2"), "refund");
        assert_eq!(operation_type("sale"), "sale");
    }
}
