//! Gate (seeds 001 and 002): what a merchant's server sends the platform itself: the sale
//! of a method Gate starts (card partner, EPay cash), the card partner's full refund and
//! clarification, and a signed payment status request (our design).
//!
//! - `POST /v2/payment/card-partner/sale`, `POST /v2/payment/cash/epay/sale` ([`sale`]):
//!   signature (project secret) → 403 naming `general.signature`; parameters
//!   (`core::gate::parse_sale`, and what the method adds: the card partner's
//!   `return_url`) → 400 naming each dotted parameter, as is a value that reads as
//!   another item of the signing string (`core::gate::resplit_problems`, in every Gate
//!   request: `Tan;customer:phone:254...` signs like a last name and a phone); a used
//!   `payment_id` → 400
//!   `duplicate_payment`. Accepted at once (`GateAccepted`); the outbox then sends the
//!   method's first callback ([`GateSale`](crate::sandbox::methods::GateSale)). Card partner:
//!   `redirect_data` (the simulated partner's form, the same builder the Payment Page uses)
//!   and payment status `awaiting redirect result`, or `awaiting clarification` when the
//!   phone or e-mail is missing; the customer approves or declines at the partner, the
//!   result callback is the Payment Page's, and the partner sends the customer to the
//!   sale's return page. EPay cash: the code as `redirect_data`, payment `awaiting customer`.
//! - `POST /v2/payment/card-partner/refund`: `general` only, full refunds only. A
//!   successful card-partner payment is refunded at once: `GateAccepted`, then a callback
//!   shaped as seed 001's refund example (payment `refunded`, `payment.sum.amount` 0,
//!   operation `refund` `success`, `sum_initial` = the original amount). An unknown
//!   payment (or one opened but never paid) → 404 `unknown_payment`; a payment of another
//!   method → 400 `not_refundable`; both name `general.payment_id`. A payment that is not
//!   successful or already refunded: the request is accepted (the answer only checks the
//!   request, as in seed 001), then declined by callback in the seed's refund-decline shape
//!   (operation `refund` `decline`, code `20000`, a message saying why; the payment keeps
//!   its status). The partner's test knob
//!   ([`REFUND_DECLINE_PATH`](crate::sandbox::methods::card_partner::REFUND_DECLINE_PATH))
//!   makes it decline a payment's next refund: seed 001's refund-decline callback (payment
//!   stays `success`, operation `refund` `decline`, code `20000`, provider payment id with
//!   an `RF` suffix). A declined refund may be tried again.
//! - `POST /v2/payment/clarification`: the phone or e-mail a card-partner sale's first
//!   callback asked for ([`clarify`]).
//! - `POST /v2/payment/status`: signed `general {project_id, payment_id}` → the payment
//!   and all its operations, signed at the root like a callback ([`StatusAnswer`]).
//!
//! Refund operations live in the platform's `operations` table (one id space with the
//! sales): the first refund of a payment has kind `refund`, later attempts (after a
//! decline) `refund-2`, `refund-3`, ...; callbacks and the status answer say `refund`.

use super::callbacks;
use crate::sandbox::ledger::clock::now_ms;
use crate::sandbox::ledger::operations::{callback, reported_status, signed_callback, OperationData};
use crate::sandbox::ledger::state::{AppState, Shared};
use crate::sandbox::ledger::store::{self, NewOperation, NewPayment, OperationResult, OperationRow, PaymentRow, Project};
use crate::sandbox::methods::{self, GateSaleStart};
use crate::sandbox::server::GateRefusal;
use axum::body::Bytes;
use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use epay_core::callback::{CallbackCustomer, CallbackPayment, Operation, Sum};
use epay_core::gate::{
    body_limit_problem, customer_key, missing_after, parse_clarification, parse_refund, parse_sale, parse_status_request, resplit_problems,
    GateAccepted, GateRejected, SaleKind, CARD_PARTNER_REFUND_PATH, CARD_PARTNER_SALE_PATH, CLARIFICATION_PATH, EPAY_SALE_PATH,
    GATE_BODY_LIMITS, PAYMENT_STATUS_PATH,
};
use epay_core::signature::{verify, with_signature, SignatureError};
use epay_core::time::callback_date_ms;
use epay_core::ErrorCode;
use epay_core::{MethodCode, MinorUnits, ParamError, PaymentStatus};
use rusqlite::{params, Connection};
use serde::Serialize;
use serde_json::Value;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(CARD_PARTNER_SALE_PATH, post(card_partner_sale))
        .route(EPAY_SALE_PATH, post(epay_cash_sale))
        .route(CARD_PARTNER_REFUND_PATH, post(refund))
        .route(CLARIFICATION_PATH, post(clarify))
        .route(PAYMENT_STATUS_PATH, post(status))
}

// ---------------------------------------------------------------------------------------
// Reading a signed request
// ---------------------------------------------------------------------------------------

/// Reads a Gate body (refused with 413 or 400 past `core::gate::GATE_BODY_LIMITS`: its
/// size, keys and depth are counted before it is parsed) and checks its signature with the secret of the project it names.
/// A body whose `general.project_id` does not read is left to the parameter check, which
/// names the problem; so is a missing signature.
fn read_signed(s: &Shared, body: &Bytes) -> Result<(Value, Option<Project>), GateRefusal> {
    // Size, keys and depth first, on the bytes: no per-key work on a body past a limit.
    if let Some(limit) = body_limit_problem(body, GATE_BODY_LIMITS) {
        return Err(GateRefusal::invalid(vec![limit]));
    }
    let doc: Value = serde_json::from_slice(body)
        .map_err(|e| GateRefusal::new(ErrorCode::InvalidJson, Some("body"), format!("body: must be a JSON object: {e}")))?;
    if !doc.is_object() {
        return Err(GateRefusal::new(
            ErrorCode::InvalidJson,
            Some("body"),
            "body: must be a JSON object with general, customer and payment",
        ));
    }
    let Some(project_id) = doc.pointer("/general/project_id").and_then(Value::as_u64).filter(|id| *id > 0) else {
        return Ok((doc, None));
    };
    let project = s.store.with(|c| store::project(c, project_id))?.ok_or_else(|| {
        GateRefusal::new(
            ErrorCode::UnknownProject,
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

/// The parameters of a signed body as `parse` reads them, and the values no signed body
/// may hold (`core::gate::resplit_problems`: a value that reads as another item of the
/// signing string); every refusal names its parameter.
fn parameters<T>(doc: &Value, parse: impl FnOnce(&Value) -> Result<T, Vec<ParamError>>) -> Result<T, Vec<ParamError>> {
    let spliced = resplit_problems(doc);
    match parse(doc) {
        Ok(req) if spliced.is_empty() => Ok(req),
        Ok(_) => Err(spliced),
        Err(mut errs) => {
            errs.extend(spliced);
            Err(errs)
        }
    }
}

/// A signed Gate request on a payment that already exists (clarification, refund, status):
/// the signature checked, then the body read by `parse`, refusals naming each parameter.
fn read_request<T>(s: &Shared, body: &Bytes, parse: fn(&Value) -> Result<T, Vec<ParamError>>) -> Result<(T, Project), GateRefusal> {
    let (doc, project) = read_signed(s, body)?;
    let req = parameters(&doc, parse).map_err(GateRefusal::invalid)?;
    Ok((req, known(project)?))
}

/// The platform's id and time of a new operation.
struct Stamp {
    request_id: String,
    now_ms: i64,
    now: String,
}

/// `method`: whose operation it is (each seed shapes its `request_id` differently).
fn stamp(method: MethodCode) -> Result<Stamp, GateRefusal> {
    let now_ms = now_ms();
    let request_id = methods::of(method).new_request_id().map_err(|e| GateRefusal::internal(e.1.error.message))?;
    Ok(Stamp { request_id, now_ms, now: callback_date_ms(now_ms) })
}

// ---------------------------------------------------------------------------------------
// Sale
// ---------------------------------------------------------------------------------------

/// `POST /v2/payment/card-partner/sale`
async fn card_partner_sale(State(s): State<AppState>, body: Bytes) -> Result<Json<GateAccepted>, GateRefusal> {
    sale(SaleKind::CardPartner, &s, &body)
}

/// `POST /v2/payment/cash/epay/sale`
async fn epay_cash_sale(State(s): State<AppState>, body: Bytes) -> Result<Json<GateAccepted>, GateRefusal> {
    sale(SaleKind::Epay, &s, &body)
}

/// A Gate sale of `kind`: the signature, the parameters (the core's and the method's own),
/// a new `payment_id`; then, in one transaction, the payment, the method's start of it
/// ([`GateSale::start_sale`](methods::GateSale::start_sale)) and its first callback.
pub fn sale(kind: SaleKind, s: &Shared, body: &Bytes) -> Result<Json<GateAccepted>, GateRefusal> {
    let method = methods::gate_sale(kind);
    let (doc, project) = read_signed(s, body)?;
    // `general.merchant_callback_url`: this payment's callbacks go there (callbacks.rs).
    let (req, callback_url) = match (parameters(&doc, |d| parse_sale(kind, d)), method.check_sale(&doc), callbacks::gate_callback_url(&doc))
    {
        (Ok(req), Ok(()), Ok(callback_url)) => (req, callback_url),
        (req, own, callback_url) => {
            let mut errs = req.err().unwrap_or_default();
            errs.extend(own.err().unwrap_or_default());
            errs.extend(callback_url.err());
            return Err(GateRefusal::invalid(errs));
        }
    };
    let project = known(project)?;
    let Stamp { request_id, now_ms, now } = stamp(kind.method())?;
    let customer = req.customer.data.clone();
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
        if let Some(url) = &callback_url {
            callbacks::set_payment_url(&tx, rowid, url)?;
        }
        let start =
            GateSaleStart { project: &project, payment_rowid: rowid, customer: &customer, doc: &doc, request_id: &request_id, now: &now };
        let (op_id, body) = method.start_sale(s, &tx, &start)?;
        store::enqueue_callback(&tx, project.id, rowid, Some(op_id), &body, &now, now_ms)?;
        tx.commit()?;
        Ok(Ok(()))
    })?;
    if let Err(earlier) = accepted {
        return Err(GateRefusal::new(
            ErrorCode::DuplicatePayment,
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

// ---------------------------------------------------------------------------------------
// Clarification
// ---------------------------------------------------------------------------------------

/// `POST /v2/payment/clarification`: the merchant supplies what the clarification
/// callback listed. Signature → 403; parameters → 400 naming each; an unknown payment →
/// 404 `unknown_payment`; a payment not awaiting clarification → 400
/// `not_awaiting_clarification`; a field asked for and still missing → 400 naming it.
/// Accepted: the sale goes on (`awaiting redirect result`) and the usual `redirect_data`
/// callback follows.
pub async fn clarify(State(s): State<AppState>, body: Bytes) -> Result<Json<GateAccepted>, GateRefusal> {
    let (req, project) = read_request(&s, &body, parse_clarification)?;
    let Stamp { request_id, now_ms, now } = stamp(MethodCode::CardPartner)?;
    let payment_id = req.general.payment_id.clone();
    let done = s.store.with(|c| {
        let tx = c.transaction()?;
        let Some(payment) = store::payment_by_id(&tx, project.id, &payment_id)? else { return Ok(Err(None)) };
        let Some(op) = store::sale_operation(&tx, payment.rowid)? else { return Ok(Err(None)) };
        if PaymentStatus::parse(&op.status) != PaymentStatus::AwaitingClarification {
            return Ok(Err(Some(GateRefusal::new(
                ErrorCode::NotAwaitingClarification,
                Some("general.payment_id"),
                format!("general.payment_id: payment {payment_id:?} is not awaiting clarification (status {})", op.status),
            ))));
        }
        let mut data = OperationData::parse(&op)?;
        let method = methods::gate_sale(SaleKind::CardPartner);
        let asked = method.clarification_fields(&data.customer);
        let still = missing_after(&asked, &req.data);
        if !still.is_empty() {
            let errs = still
                .iter()
                .map(|f| {
                    ParamError::new(
                        &format!("additional_data.customer.{}", customer_key(*f)),
                        "required",
                        "was asked for in clarification_fields",
                    )
                })
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
        let body = method.clarified_callback(&s, &project, &payment, &op, &data)?;
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
            ErrorCode::UnknownPayment,
            Some("general.payment_id"),
            format!("general.payment_id: no Gate sale {payment_id:?} in project {}", project.id),
        )),
    }
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
    let Stamp { request_id, now_ms, now } = stamp(MethodCode::CardPartner)?;
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
        let decline =
            not_allowed.is_some() || methods::gate_sale(SaleKind::CardPartner).declines_next_refund(&tx, project.id, &payment_id)?;
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
    let refused = |code: ErrorCode, message: String| Err(GateRefusal::new(code, Some("general.payment_id"), message));
    match done {
        Ok(()) => {
            s.outbox_wake.notify_one();
            Ok(Json(GateAccepted::new(&req.general, request_id)))
        }
        Err(Refused::Unknown) => {
            refused(ErrorCode::UnknownPayment, format!("general.payment_id: no payment {payment_id:?} in project {}", project.id))
        }
        Err(Refused::NotCardPartner(method)) => refused(
            ErrorCode::NotRefundable,
            format!("general.payment_id: payment {payment_id:?} was paid with {method}; this endpoint refunds card-partner payments only"),
        ),
    }
}

/// The callback of any operation in the seed's shape: a refund says `refund`, and a
/// refunded payment's `sum` is 0 while the operation's sums stay the refunded amount.
fn operation_callback(project: &Project, payment: &PaymentRow, op: &OperationRow, data: &OperationData) -> epay_core::Callback {
    let mut cb = callback(methods::title(&op.method), project, payment, op, data);
    if let Some(operation) = cb.operation.as_mut() {
        operation.kind = operation_type(&op.kind).to_string();
    }
    if cb.payment.status == PaymentStatus::Refunded {
        cb.payment.sum.amount = MinorUnits(0);
    }
    cb
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
            ErrorCode::UnknownPayment,
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
            method: payment.method.as_deref().map(methods::title).unwrap_or("").to_string(),
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
