//! The demo shop's Gate mode (`www/gate.html`): the shop's server talks to Gate itself.
//! Like [`super::orders`] it plays a real merchant's server: it builds and signs the
//! requests with `epay_core::gate` and its own copy of the secret, sends them to the
//! platform over HTTP, and learns the outcome from callbacks. It never reads the
//! platform's tables.
//!
//! - `POST /merchant/gate/card-partner` `{amount, currency, customer_email?, customer_phone?,
//!   description?}` → signs a card-partner sale (with `return_url` back to `gate.html`),
//!   POSTs it to `/v2/payment/card-partner/sale` → 200 `{accepted, order_id, payment_id, gate}`
//!   (`gate`: the platform's answer as received). The `redirect_data` arrives later in a
//!   callback: `GET /merchant/orders/{payment_id}` shows it.
//! - `GET /merchant/gate/orders` → the shop's card orders, newest first: its Gate sales
//!   (`mode` `gate`) and its KES/USD Payment Page orders (`mode` `payment_page`), both
//!   refundable through Gate:
//!   `[{order_id, payment_id, mode, amount, currency, status, created_at, sale, refund, callbacks}]`.
//!   `clarification` is `{missing: ["customer.phone", ...], fields: ["customer_phone", ...]}`
//!   while the latest signed callback is an `awaiting clarification` one (seed 001: the
//!   sale lacked the recommended phone or e-mail) the shop has not answered yet, else `null`.
//! - `GET /merchant/gate/orders/{payment_id}` → one such order (404 `unknown_order`), plus
//!   `redirect_data` from the latest signed callback that carries it (or `null`).
//! - `POST /merchant/gate/orders/{payment_id}/clarify` `{customer_phone?, customer_email?}`
//!   → the fields the clarification callback asked for (each required, checked with
//!   `epay_core::gate::clarification`: 400 naming `customer_phone` / `customer_email`),
//!   signed and POSTed to `/v2/payment/clarification` → 200 `{accepted, payment_id, gate}`;
//!   409 `not_awaiting_clarification` when the shop was not asked.
//! - `POST /merchant/orders/{payment_id}/refund` → signs a full refund, POSTs it to
//!   `/v2/payment/card-partner/refund` → 200 `{accepted, payment_id, gate}`; a refusal
//!   is `accepted: false` with the platform's `GateRejected` in `gate`.
//!
//! 502 `gate_unreachable` when the platform cannot be reached or answers something
//! that is not a Gate answer.

use super::order::{bad, order_amount};
use crate::sandbox::ledger::clock::{now_ms, random_hex};
use crate::sandbox::ledger::projects::secret_of;
use crate::sandbox::ledger::state::AppState;
use crate::sandbox::server::HttpError;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use epay_core::gate::{
    card_partner_refund, card_partner_sale_returning, clarification, ClarificationAsked, ClarificationData, GateCustomer, GatePayment,
    GateResponse, GeneralIds, ReturnUrl, CARD_PARTNER_REFUND_PATH, CARD_PARTNER_SALE_PATH, CLARIFICATION_PATH,
};
use epay_core::protocol::ApiError;
use epay_core::time::callback_date_ms;
use epay_core::ErrorCode;
use epay_core::{MinorUnits, ParamError};
use rusqlite::{params, OptionalExtension};
use serde_json::{json, Value};

pub const SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS merchant_gate_orders (
    payment_id TEXT PRIMARY KEY,
    order_id INTEGER NOT NULL,
    project_id INTEGER NOT NULL,
    amount INTEGER NOT NULL,
    currency TEXT NOT NULL,
    sale_answer TEXT,
    created_at TEXT NOT NULL
);
-- A clarification the platform accepted: how many callbacks the order had then (the
-- clarification callback among them), so it is not asked again while redirect_data comes.
CREATE TABLE IF NOT EXISTS merchant_gate_clarified (
    payment_id TEXT PRIMARY KEY,
    callbacks INTEGER NOT NULL
);
-- The last refund answer of any order, Gate or Payment Page (refunds go through Gate).
CREATE TABLE IF NOT EXISTS merchant_refund_answers (
    payment_id TEXT PRIMARY KEY,
    answer TEXT NOT NULL
);
"#;

/// The card-partner project of the shop.
const PROJECT_ID: u64 = 250;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/merchant/gate/card-partner", post(create_sale))
        .route("/merchant/gate/orders", get(list_orders))
        .route("/merchant/gate/orders/{payment_id}", get(get_order))
        .route("/merchant/gate/orders/{payment_id}/clarify", post(clarify))
        .route("/merchant/orders/{payment_id}/refund", post(refund))
}

/// POSTs a signed Gate body to the platform: the HTTP status, the answer read as Gate's,
/// and the answer as JSON (502 `gate_unreachable` naming the URL when there is none).
pub(super) async fn post_to_gate(s: &AppState, path: &str, body: &Value) -> Result<(StatusCode, GateResponse, Value), HttpError> {
    let url = format!("{}{path}", s.base_url);
    let unreachable = |why: String| HttpError::new(StatusCode::BAD_GATEWAY, ErrorCode::GateUnreachable, None, format!("{url}: {why}"));
    let r = s
        .http
        .post(&url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body(body.to_string())
        .send()
        .await
        .map_err(|e| unreachable(format!("cannot reach the platform: {e}")))?;
    let status = StatusCode::from_u16(r.status().as_u16()).unwrap_or(StatusCode::BAD_GATEWAY);
    let text = r.text().await.map_err(|e| unreachable(format!("cannot read the answer: {e}")))?;
    let parsed = GateResponse::parse(&text).map_err(unreachable)?;
    let answer = serde_json::from_str(&text).map_err(|e| unreachable(e.to_string()))?;
    Ok((status, parsed, answer))
}

/// POSTs a signed Gate body; the platform's answer as JSON, and whether it was accepted.
async fn send(s: &AppState, path: &str, body: &Value) -> Result<(bool, Value), HttpError> {
    let (_, parsed, answer) = post_to_gate(s, path, body).await?;
    Ok((matches!(parsed, GateResponse::Accepted(_)), answer))
}

fn optional_text(order: &serde_json::Map<String, Value>, field: &str) -> Result<Option<String>, HttpError> {
    match order.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(v)) if v.trim().is_empty() => Ok(None),
        Some(Value::String(v)) => Ok(Some(v.trim().to_string())),
        Some(_) => Err(bad(field, format!("{field}: must be a string"))),
    }
}

async fn create_sale(State(s): State<AppState>, body: Bytes) -> Result<Json<Value>, HttpError> {
    let doc: Value =
        serde_json::from_slice(&body).map_err(|e| HttpError::bad_request(ErrorCode::InvalidJson, None, format!("order: not JSON: {e}")))?;
    let Some(order) = doc.as_object() else {
        return Err(HttpError::bad_request(ErrorCode::InvalidJson, None, "order: must be a JSON object"));
    };
    let amount = order_amount(order)?;
    let currency = optional_text(order, "currency")?.ok_or_else(|| bad("currency", "currency: is required: KES or USD"))?;
    let email = optional_text(order, "customer_email")?;
    let phone = optional_text(order, "customer_phone")?;
    let description = optional_text(order, "description")?;
    let secret = secret_of(PROJECT_ID).ok_or_else(|| HttpError::internal("the shop has no secret for project 250"))?;

    let suffix = random_hex(3)?;
    let now = callback_date_ms(now_ms());
    let order_id: i64 = s.store.with(|c| c.query_row("SELECT COALESCE(MAX(order_id), 0) + 1 FROM merchant_orders", [], |r| r.get(0)))?;
    let payment_id = format!("gate-{order_id}-{suffix}");
    let general = GeneralIds { project_id: PROJECT_ID, payment_id: payment_id.clone() };
    let mut customer = GateCustomer::new(format!("customer-{order_id}"), "127.0.0.1");
    customer.data.email = email;
    customer.data.phone = phone;
    let mut payment = GatePayment::new(MinorUnits(amount), currency.clone());
    payment.description = description;
    // The partner sends the customer back to this page, on this order.
    let back = |result: &str| format!("{}/gate.html?order={payment_id}&result={result}", s.base_url);
    let urls = ReturnUrl { success: Some(back("success")), decline: Some(back("decline")) };
    let sale = card_partner_sale_returning(&general, &customer, &payment, &urls, secret)
        .map_err(|errs| HttpError(StatusCode::BAD_REQUEST, ApiError::from_params(errs)))?;

    // The order exists before the request leaves: callbacks may arrive before the answer.
    s.store.with(|c| {
        let tx = c.transaction()?;
        tx.execute(
            "INSERT INTO merchant_orders (order_id, payment_id, project_id, params, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![order_id, payment_id, PROJECT_ID as i64, sale.to_string(), now],
        )?;
        tx.execute(
            "INSERT INTO merchant_gate_orders (payment_id, order_id, project_id, amount, currency, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![payment_id, order_id, PROJECT_ID as i64, amount, currency, now],
        )?;
        tx.commit()
    })?;
    let (accepted, answer) = send(&s, CARD_PARTNER_SALE_PATH, &sale).await?;
    s.store.with(|c| {
        c.execute("UPDATE merchant_gate_orders SET sale_answer = ?2 WHERE payment_id = ?1", params![payment_id, answer.to_string()])
    })?;
    Ok(Json(json!({ "accepted": accepted, "order_id": order_id, "payment_id": payment_id, "gate": answer })))
}

async fn refund(State(s): State<AppState>, Path(payment_id): Path<String>) -> Result<Json<Value>, HttpError> {
    let project_id: Option<i64> = s
        .store
        .with(|c| c.query_row("SELECT project_id FROM merchant_orders WHERE payment_id = ?1", [&payment_id], |r| r.get(0)).optional())?;
    let project_id = project_id.ok_or_else(|| {
        HttpError::new(
            StatusCode::NOT_FOUND,
            ErrorCode::UnknownOrder,
            Some("payment_id"),
            format!("no order with payment_id {payment_id:?}"),
        )
    })? as u64;
    let secret = secret_of(project_id).ok_or_else(|| HttpError::internal(format!("the shop has no secret for project {project_id}")))?;
    let body = card_partner_refund(&GeneralIds { project_id, payment_id: payment_id.clone() }, secret)
        .map_err(|errs| HttpError(StatusCode::BAD_REQUEST, ApiError::from_params(errs)))?;
    let (accepted, answer) = send(&s, CARD_PARTNER_REFUND_PATH, &body).await?;
    let now = callback_date_ms(now_ms());
    let recorded = json!({ "accepted": accepted, "answer": answer, "at": now });
    s.store.with(|c| {
        c.execute(
            "INSERT OR REPLACE INTO merchant_refund_answers (payment_id, answer) VALUES (?1, ?2)",
            params![payment_id, recorded.to_string()],
        )
    })?;
    Ok(Json(json!({ "accepted": accepted, "payment_id": payment_id, "gate": answer })))
}

async fn list_orders(State(s): State<AppState>) -> Result<Json<Vec<Value>>, HttpError> {
    Ok(Json(orders(&s, None)?))
}

/// The shop's card orders (newest first), or the one with `payment_id`.
fn orders(s: &AppState, payment_id: Option<&str>) -> Result<Vec<Value>, HttpError> {
    let orders = s.store.with(|c| {
        // Gate sales, and the card orders paid on the Payment Page: both are refunded through Gate.
        let mut stmt = c.prepare(
            "SELECT o.payment_id, o.order_id, o.amount, o.currency, o.sale_answer, r.answer, o.created_at, o.mode
             FROM (SELECT payment_id, order_id, amount, currency, sale_answer, created_at, 'gate' AS mode
                   FROM merchant_gate_orders
                   UNION ALL
                   SELECT payment_id, order_id, json_extract(params, '$.payment_amount'), json_extract(params, '$.payment_currency'),
                          NULL, created_at, 'payment_page'
                   FROM merchant_orders
                   WHERE project_id = ?1 AND json_extract(params, '$.payment_currency') IN ('KES', 'USD')
                     AND payment_id NOT IN (SELECT payment_id FROM merchant_gate_orders)) o
             LEFT JOIN merchant_refund_answers r ON r.payment_id = o.payment_id
             WHERE ?2 IS NULL OR o.payment_id = ?2
             ORDER BY o.order_id DESC LIMIT 50",
        )?;
        let rows = stmt.query_map(params![PROJECT_ID as i64, payment_id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, Option<String>>(4)?,
                r.get::<_, Option<String>>(5)?,
                r.get::<_, String>(6)?,
                r.get::<_, String>(7)?,
            ))
        })?;
        let orders: Vec<_> = rows.collect::<rusqlite::Result<_>>()?;
        let mut cb = c.prepare("SELECT body, received_at, valid FROM merchant_callbacks WHERE payment_id = ?1 ORDER BY id")?;
        let mut clarified = c.prepare("SELECT callbacks FROM merchant_gate_clarified WHERE payment_id = ?1")?;
        let mut out = Vec::with_capacity(orders.len());
        for (payment_id, order_id, amount, currency, sale, refund, created_at, mode) in orders {
            let callbacks: Vec<Value> = cb
                .query_map([&payment_id], |r| {
                    let text: String = r.get(0)?;
                    Ok(json!({
                        "body": serde_json::from_str::<Value>(&text).unwrap_or(Value::String(text)),
                        "received_at": r.get::<_, String>(1)?,
                        "valid": r.get::<_, bool>(2)?,
                    }))
                })?
                .collect::<rusqlite::Result<_>>()?;
            let parse = |t: Option<String>| t.and_then(|t| serde_json::from_str::<Value>(&t).ok()).unwrap_or(Value::Null);
            let sale = parse(sale);
            // What the shop knows: the latest signed callback's payment status.
            let status = callbacks
                .iter()
                .rev()
                .filter(|c| c["valid"] == true)
                .find_map(|c| c.pointer("/body/payment/status").and_then(Value::as_str))
                .unwrap_or(if sale["status"] == "error" { "refused" } else { "created" })
                .to_string();
            let answered: Option<i64> = clarified.query_row([&payment_id], |r| r.get(0)).optional()?;
            let clarification = asked_for(&callbacks, answered.unwrap_or(0) as usize).map_or(Value::Null, |asked| {
                let fields: Vec<String> = asked.missing.iter().map(|m| m.replace('.', "_")).collect();
                json!({ "missing": asked.missing, "fields": fields })
            });
            out.push(json!({
                "order_id": order_id, "payment_id": payment_id, "mode": mode, "amount": amount, "currency": currency,
                "status": status, "created_at": created_at, "sale": sale, "refund": parse(refund), "callbacks": callbacks,
                "clarification": clarification,
            }));
        }
        Ok(out)
    })?;
    Ok(orders)
}

/// What the platform asks the shop to clarify: the latest signed callback, when it is an
/// `awaiting clarification` one (read with the core's `ClarificationAsked`) the shop has
/// not answered yet (it is not among the first `answered` callbacks).
fn asked_for(callbacks: &[Value], answered: usize) -> Option<ClarificationAsked> {
    let (at, latest) = callbacks.iter().enumerate().rev().find(|(_, c)| c["valid"] == true)?;
    if at < answered || latest.pointer("/body/payment/status").and_then(Value::as_str) != Some("awaiting clarification") {
        return None;
    }
    ClarificationAsked::from_callback(&latest["body"])
}

fn unknown_order(payment_id: &str) -> HttpError {
    HttpError::new(
        StatusCode::NOT_FOUND,
        ErrorCode::UnknownOrder,
        Some("payment_id"),
        format!("no card order with payment_id {payment_id:?}"),
    )
}

async fn get_order(State(s): State<AppState>, Path(payment_id): Path<String>) -> Result<Json<Value>, HttpError> {
    let mut order = orders(&s, Some(&payment_id))?.pop().ok_or_else(|| unknown_order(&payment_id))?;
    let redirect_data = order["callbacks"]
        .as_array()
        .and_then(|list| list.iter().rev().filter(|c| c["valid"] == true).find_map(|c| c["body"].get("redirect_data").cloned()))
        .unwrap_or(Value::Null);
    order["redirect_data"] = redirect_data;
    Ok(Json(order))
}

/// The shop user's answer to a clarification callback: the shop's server checks it, signs
/// it with the project secret and sends it to the platform, as a real merchant's would.
async fn clarify(State(s): State<AppState>, Path(payment_id): Path<String>, body: Bytes) -> Result<Json<Value>, HttpError> {
    let doc: Value = serde_json::from_slice(&body)
        .map_err(|e| HttpError::bad_request(ErrorCode::InvalidJson, None, format!("clarification: not JSON: {e}")))?;
    let Some(answer) = doc.as_object() else {
        return Err(HttpError::bad_request(ErrorCode::InvalidJson, None, "clarification: must be a JSON object"));
    };
    let order = orders(&s, Some(&payment_id))?.pop().ok_or_else(|| unknown_order(&payment_id))?;
    let callbacks = order["callbacks"].as_array().cloned().unwrap_or_default();
    let asked = order["clarification"].is_object().then(|| asked_for(&callbacks, 0)).flatten().ok_or_else(|| {
        HttpError::new(
            StatusCode::CONFLICT,
            ErrorCode::NotAwaitingClarification,
            Some("payment_id"),
            format!("order {payment_id:?}: the platform has not asked to clarify it (status {})", order["status"]),
        )
    })?;
    // Only what was asked for, each required; the page's names (customer_phone, customer_email).
    let mut data = ClarificationData::default();
    let mut errs = Vec::new();
    for missing in &asked.missing {
        let field = missing.replace('.', "_");
        match (optional_text(answer, &field)?, missing.as_str()) {
            (None, _) => errs.push(ParamError::new(&field, "required", "is required to go on with the payment")),
            (Some(v), "customer.phone") => data.phone = Some(v),
            (Some(v), "customer.email") => data.email = Some(v),
            (Some(_), other) => errs.push(ParamError::new(&field, "unknown_param", format!("the shop cannot supply {other}"))),
        }
    }
    if !errs.is_empty() {
        return Err(HttpError(StatusCode::BAD_REQUEST, ApiError::from_params(errs)));
    }
    let project_id = if asked.project_id == 0 { PROJECT_ID } else { asked.project_id };
    let secret = secret_of(project_id).ok_or_else(|| HttpError::internal(format!("the shop has no secret for project {project_id}")))?;
    let general = GeneralIds { project_id, payment_id: payment_id.clone() };
    let request = clarification(&general, &data, secret).map_err(|errs| {
        // additional_data.customer.email → customer_email, the page's name.
        let named = errs
            .into_iter()
            .map(|e| ParamError::new(&e.param.strip_prefix("additional_data.").unwrap_or(&e.param).replace('.', "_"), &e.code, e.message))
            .collect();
        HttpError(StatusCode::BAD_REQUEST, ApiError::from_params(named))
    })?;
    let (accepted, answer) = send(&s, CLARIFICATION_PATH, &request).await?;
    if accepted {
        s.store.with(|c| {
            c.execute(
                "INSERT OR REPLACE INTO merchant_gate_clarified (payment_id, callbacks) VALUES (?1, ?2)",
                params![payment_id, callbacks.len() as i64],
            )
        })?;
    }
    Ok(Json(json!({ "accepted": accepted, "payment_id": payment_id, "gate": answer })))
}
