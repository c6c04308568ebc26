//! The demo merchant's back end (`/merchant/...`). It plays a real shop's server: it
//! keeps its own copy of the project secrets and its own tables (`merchant_*`), signs
//! the Payment Page parameters on the server (the browser only ever gets the signed
//! parameters), and receives callbacks over HTTP, checking their signatures. It never
//! reads the platform's tables.
//!
//! - `POST /merchant/orders` `{amount, currency, method?, customer_email?, customer_phone?,
//!   customer_first_name?, customer_last_name?, language_code?, description?, account?}`
//!   → 201 `{order_id, params, opened}`
//! - `GET /merchant/orders/{payment_id}` → `{order_id, params, status, callbacks}`: reads
//!   only (no GET changes anything in the sandbox).
//! - `POST /merchant/orders/{payment_id}/open` → `{order_id, params, opened, status,
//!   callbacks}`: the returning customer's page (`www/demo.js`, `www/embed.js`). A POST, so
//!   the Origin guard covers it: it opens a checkout session on the platform.
//!
//!   `opened`: the platform's answer to `open` for these parameters, which the shop's
//!   server fetched itself (server to server, as docs/embedding.md "The fast first screen" shows), for
//!   the page to pass as `options.opened`: the widget then draws the picker at once and
//!   sends no `open`. `null` when the platform refused or could not be reached: the widget
//!   then sends `open` itself and shows why.
//! - `POST /merchant/callback`: 200 when the signature is good (stored once per payment,
//!   operation and status), 400 when not.
//! - `GET /merchant/callbacks?payment_id=X` (or `?account=A`: PayDala top-ups of account A)
//!   → `[{body, received_at, valid}]`
//! - `POST /merchant/test/fail-callbacks {"count": N}`: answer 500 to the next N callbacks.
//! - `POST /merchant/gate/epay` `{amount, customer_first_name, customer_last_name,
//!   customer_email, customer_phone, description?, currency?}`: Gate mode for EPay cash
//!   (`www/epay-gate.html`): signs a `/v2/payment/cash/epay/sale` with
//!   `epay_core::gate::epay_sale`, POSTs it to the platform over HTTP → 201 `{order_id,
//!   payment_id, gate}`; the code arrives later in a callback's `redirect_data`.

use super::order::{bad, order_amount};
use crate::sandbox::ledger::clock::{now_ms, random_hex};
use crate::sandbox::ledger::projects::{demo_project, secret_of};
use crate::sandbox::ledger::state::AppState;
use crate::sandbox::server::HttpError;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use epay_core::callback::{first_json_value, verify_callback};
use epay_core::catalog::Platform;
use epay_core::gate::{body_limit_problem, BodyLimits};
use epay_core::i18n::{method_keys, t, Lang};
use epay_core::signature::{check_resplit, sign};
use epay_core::time::callback_date_ms;
use epay_core::{ErrorCode, MethodCode};
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;
use serde_json::{json, Map, Value};
use std::collections::HashMap;
use std::sync::atomic::Ordering;

pub const SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS merchant_orders (
    order_id INTEGER PRIMARY KEY,
    payment_id TEXT NOT NULL UNIQUE,
    project_id INTEGER NOT NULL,
    params TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS merchant_callbacks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    payment_id TEXT,
    operation_id TEXT,
    status TEXT,
    body TEXT NOT NULL,
    valid INTEGER NOT NULL,
    received_at TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS merchant_callbacks_once
    ON merchant_callbacks (payment_id, operation_id, status) WHERE valid = 1;
"#;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/merchant/orders", post(create_order))
        .route("/merchant/orders/{payment_id}", get(get_order))
        .route("/merchant/orders/{payment_id}/open", post(open_order))
        .route("/merchant/callback", post(receive_callback))
        .route("/merchant/callbacks", get(list_callbacks))
        .route("/merchant/test/fail-callbacks", post(fail_callbacks))
        .route("/merchant/gate/epay", post(gate_epay_order))
        .route(METHODS_JS_PATH, get(methods_js))
}

/// The methods and currencies the shop's order form offers, as a script module.
pub const METHODS_JS_PATH: &str = "/merchant/methods.js";

/// [`METHODS_JS_PATH`]: `export const METHODS = [{code, name, currencies}, ...]`, from the
/// catalog (`www/demo.js` fills the order form's pickers with it).
async fn methods_js() -> Response {
    let methods: Vec<Value> = MethodCode::ALL
        .iter()
        .map(|m| {
            let currencies: Vec<&str> = m.rule().currencies.iter().map(|l| l.currency).collect();
            json!({ "code": m.as_str(), "name": t(Lang::En, method_keys(*m).0), "currencies": currencies })
        })
        .collect();
    let body =
        ["// The demo shop's methods and currencies (the catalog).\nexport const METHODS = ", &Value::Array(methods).to_string(), ";\n"]
            .concat();
    ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8")], body).into_response()
}

/// The shop's own configuration: which project takes which currency, and its secret: the
/// demo project of the platform whose methods take it (the catalog), else ECommPay's.
fn project_for_currency(currency: &str) -> (u64, &'static str) {
    let platform = method_for_currency(currency).map_or(Platform::Ecommpay, |m| m.rule().platform);
    let p = demo_project(platform);
    (p.id, p.secret)
}

/// The first method of the catalog that takes the currency.
fn method_for_currency(currency: &str) -> Option<MethodCode> {
    MethodCode::ALL.into_iter().find(|m| m.rule().currencies.iter().any(|l| l.currency == currency))
}

/// The currencies the catalog's methods take, for messages (`KES, USD, MYR, KZT`).
fn currencies() -> String {
    let mut all: Vec<&str> = Vec::new();
    for l in MethodCode::ALL.iter().flat_map(|m| m.rule().currencies) {
        if !all.contains(&l.currency) {
            all.push(l.currency);
        }
    }
    all.join(", ")
}

/// Optional order fields and the Payment Page parameter each becomes.
const OPTIONAL: [(&str, &str); 8] = [
    ("account", "customer_id"),
    ("customer_first_name", "customer_first_name"),
    ("customer_last_name", "customer_last_name"),
    ("customer_email", "customer_email"),
    ("customer_phone", "customer_phone"),
    ("method", "force_payment_method"),
    ("language_code", "language_code"),
    ("description", "payment_description"),
];

/// What the shop's JSON forms may send: counted on the bytes before they are parsed.
const FORM_LIMITS: BodyLimits = BodyLimits { bytes: 256 * 1024, keys: 64, depth: 4 };

/// A JSON body of the shop's own forms: refused past [`FORM_LIMITS`] (413 for size or
/// keys, 400 for depth, naming the limit) before it is parsed, or when it is not JSON.
fn read_form(body: &Bytes, what: &str) -> Result<Value, HttpError> {
    if let Some(e) = body_limit_problem(body, FORM_LIMITS) {
        let status = if e.code == "too_deep" { StatusCode::BAD_REQUEST } else { StatusCode::PAYLOAD_TOO_LARGE };
        return Err(HttpError(status, epay_core::protocol::ApiError::from_params(vec![e])));
    }
    serde_json::from_slice(body).map_err(|e| HttpError::bad_request(ErrorCode::InvalidJson, None, format!("{what}: not JSON: {e}")))
}

async fn create_order(State(s): State<AppState>, body: Bytes) -> Result<(StatusCode, Json<Value>), HttpError> {
    let doc = read_form(&body, "order")?;
    let Some(order) = doc.as_object() else {
        return Err(HttpError::bad_request(ErrorCode::InvalidJson, None, "order: must be a JSON object"));
    };
    let amount = order_amount(order)?;
    let currency = match order.get("currency") {
        Some(Value::String(c)) if !c.trim().is_empty() => c.trim().to_string(),
        _ => return Err(bad("currency", format!("currency: is required, e.g. {}", currencies()))),
    };
    let mut extra = Vec::new();
    for (field, param) in OPTIONAL {
        match order.get(field) {
            None | Some(Value::Null) => {}
            Some(Value::String(v)) if v.trim().is_empty() => {}
            Some(Value::String(v)) => extra.push((param, v.trim().to_string())),
            Some(_) => return Err(bad(field, format!("{field}: must be a string"))),
        }
    }
    // What the customer typed is signed: never a value that hides another parameter.
    let typed: Map<String, Value> = extra.iter().map(|(param, value)| ((*param).to_string(), json!(value))).collect();
    if let Err(e) = check_resplit(&Value::Object(typed)) {
        let field = OPTIONAL.iter().find(|(_, p)| *p == e.param).map_or(e.param.as_str(), |(f, _)| f);
        return Err(bad(field, e.to_string()));
    }
    let (project_id, secret) = project_for_currency(&currency);
    let suffix = random_hex(3)?;
    let now = callback_date_ms(now_ms());
    let (order_id, params) = s.store.with(|c| {
        let tx = c.transaction()?;
        let order_id: i64 = tx.query_row("SELECT COALESCE(MAX(order_id), 0) + 1 FROM merchant_orders", [], |r| r.get(0))?;
        let payment_id = format!("order-{order_id}-{suffix}");
        let mut p = Map::new();
        p.insert("project_id".into(), json!(project_id));
        p.insert("payment_id".into(), json!(payment_id));
        p.insert("payment_amount".into(), json!(amount));
        p.insert("payment_currency".into(), json!(currency));
        // PayDala (KZT): the customer_id is the account topped up at the terminal.
        let paydala = method_for_currency(&currency) == Some(MethodCode::Paydala);
        let customer_id = if paydala { super::paydala::DEFAULT_ACCOUNT.to_string() } else { format!("customer-{order_id}") };
        p.insert("customer_id".into(), json!(customer_id));
        for (param, value) in &extra {
            p.insert((*param).into(), json!(value));
        }
        let mut params = Value::Object(p);
        let signature = sign(&params, secret);
        params["signature"] = json!(signature);
        tx.execute(
            "INSERT INTO merchant_orders (order_id, payment_id, project_id, params, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![order_id, payment_id, project_id as i64, params.to_string(), now],
        )?;
        tx.commit()?;
        Ok((order_id, params))
    })?;
    let opened = open_answer(&s, &params).await;
    Ok((StatusCode::CREATED, Json(json!({ "order_id": order_id, "params": params, "opened": opened }))))
}

/// The platform's answer to `open` for `params` (over HTTP, as any shop's server would
/// call it), or `null` when it refused them or could not be reached.
async fn open_answer(s: &AppState, params: &Value) -> Value {
    let url = format!("{}/api/v1/checkout/open", s.base_url);
    let answer = s.http.post(&url).header(reqwest::header::CONTENT_TYPE, "application/json").body(params.to_string()).send().await;
    match answer {
        Ok(r) if r.status().is_success() => r.json().await.unwrap_or(Value::Null),
        _ => Value::Null,
    }
}

#[derive(Debug, Serialize)]
struct Received {
    /// The callback as received (JSON), or the raw text when it was not JSON.
    body: Value,
    received_at: String,
    valid: bool,
}

fn callbacks_of(c: &Connection, payment_id: Option<&str>) -> rusqlite::Result<Vec<Received>> {
    let mut stmt = c.prepare("SELECT body, received_at, valid FROM merchant_callbacks WHERE ?1 IS NULL OR payment_id = ?1 ORDER BY id")?;
    let rows = stmt.query_map([payment_id], |r| {
        let text: String = r.get(0)?;
        Ok(Received { body: serde_json::from_str(&text).unwrap_or(Value::String(text)), received_at: r.get(1)?, valid: r.get(2)? })
    })?;
    rows.collect()
}

/// An order as the shop knows it: `{order_id, params, status, callbacks}`. Reads only.
fn order_view(s: &AppState, payment_id: &str) -> Result<Map<String, Value>, HttpError> {
    let found = s.store.with(|c| {
        let order: Option<(i64, String)> = c
            .query_row("SELECT order_id, params FROM merchant_orders WHERE payment_id = ?1", [payment_id], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        match order {
            Some((id, params)) => Ok(Some((id, params, callbacks_of(c, Some(payment_id))?))),
            None => Ok(None),
        }
    })?;
    let Some((order_id, params, callbacks)) = found else {
        return Err(HttpError::new(
            StatusCode::NOT_FOUND,
            ErrorCode::UnknownOrder,
            Some("payment_id"),
            format!("no order with payment_id {payment_id:?}"),
        ));
    };
    let params: Value = serde_json::from_str(&params).map_err(HttpError::internal)?;
    // What the shop knows: the latest signed callback's payment status.
    let status = callbacks
        .iter()
        .rev()
        .filter(|c| c.valid)
        .find_map(|c| c.body.pointer("/payment/status").and_then(Value::as_str))
        .unwrap_or("created")
        .to_string();
    let view = json!({ "order_id": order_id, "params": params, "status": status, "callbacks": callbacks });
    Ok(view.as_object().cloned().unwrap_or_default())
}

/// `GET /merchant/orders/{payment_id}`: the order, its status and callbacks. Changes nothing
/// (a cross-site page can make a browser send GETs; they must not open sessions).
async fn get_order(State(s): State<AppState>, Path(payment_id): Path<String>) -> Result<Json<Value>, HttpError> {
    Ok(Json(Value::Object(order_view(&s, &payment_id)?)))
}

/// `POST /merchant/orders/{payment_id}/open`: the order again for a returning customer's
/// page, with the platform's `open` answer fetched again for it (`opened`, a new session).
async fn open_order(State(s): State<AppState>, Path(payment_id): Path<String>) -> Result<Json<Value>, HttpError> {
    let mut view = order_view(&s, &payment_id)?;
    let opened = match view.get("params") {
        Some(params) => open_answer(&s, params).await,
        None => Value::Null,
    };
    view.insert("opened".into(), opened);
    Ok(Json(Value::Object(view)))
}

/// Checks a callback's signature with the secret of the project it names.
fn check_callback(text: &str) -> Result<epay_core::Callback, String> {
    let doc = first_json_value(text).map_err(|e| e.to_string())?;
    let project_id = match doc.get("project_id") {
        Some(Value::Number(n)) => n.as_u64(),
        Some(Value::String(s)) => s.parse().ok(),
        _ => None,
    }
    .ok_or("callback: project_id is missing")?;
    let secret = secret_of(project_id).ok_or_else(|| format!("callback: project {project_id} is not one of this shop's projects"))?;
    verify_callback(text, secret).map_err(|e| e.to_string())
}

async fn receive_callback(State(s): State<AppState>, body: Bytes) -> Response {
    // The test knob: play a shop whose server is down.
    let refused = s.merchant.fail_next.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1)).is_ok();
    if refused {
        return (StatusCode::INTERNAL_SERVER_ERROR, "simulated merchant failure (POST /merchant/test/fail-callbacks)").into_response();
    }
    let text = String::from_utf8_lossy(&body).into_owned();
    let now = callback_date_ms(now_ms());
    let checked = check_callback(&text);
    let stored = s.store.with(|c| match &checked {
        Ok(cb) => {
            let op_id = cb.operation.as_ref().map(|o| o.id.to_string()).unwrap_or_default();
            let n = c.execute(
                "INSERT OR IGNORE INTO merchant_callbacks (payment_id, operation_id, status, body, valid, received_at)
                 VALUES (?1, ?2, ?3, ?4, 1, ?5)",
                params![cb.payment.id, op_id, cb.payment.status.as_str(), text, now],
            )?;
            Ok(n == 0)
        }
        Err(_) => {
            let payment_id =
                first_json_value(&text).ok().and_then(|d| d.pointer("/payment/id").and_then(Value::as_str).map(str::to_string));
            c.execute(
                "INSERT INTO merchant_callbacks (payment_id, body, valid, received_at) VALUES (?1, ?2, 0, ?3)",
                params![payment_id, text, now],
            )?;
            Ok(false)
        }
    });
    match (checked, stored) {
        (_, Err(e)) => HttpError::from(e).into_response(),
        (Ok(_), Ok(duplicate)) => Json(json!({ "received": true, "duplicate": duplicate })).into_response(),
        (Err(e), Ok(_)) => HttpError::bad_request(ErrorCode::BadCallback, Some("signature"), e).into_response(),
    }
}

async fn list_callbacks(State(s): State<AppState>, Query(q): Query<HashMap<String, String>>) -> Result<Json<Vec<Received>>, HttpError> {
    let payment_id = q.get("payment_id").map(String::as_str);
    let mut list = s.store.with(|c| callbacks_of(c, payment_id))?;
    // PayDala callbacks name the topped-up account (`account.number`).
    if let Some(account) = q.get("account") {
        list.retain(|c| c.body.pointer("/account/number").and_then(Value::as_str) == Some(account.as_str()));
    }
    Ok(Json(list))
}

async fn fail_callbacks(State(s): State<AppState>, body: Bytes) -> Result<Json<Value>, HttpError> {
    let doc = read_form(&body, "fail-callbacks")?;
    let count = doc
        .get("count")
        .and_then(Value::as_u64)
        .and_then(|n| u32::try_from(n).ok())
        .ok_or_else(|| bad("count", "count: must be a non-negative integer"))?;
    s.merchant.fail_next.store(count, Ordering::SeqCst);
    Ok(Json(json!({ "count": count })))
}

/// `POST /merchant/gate/epay`: the shop's server starts an EPay cash sale through Gate.
/// The order is stored before the request leaves (its callbacks may come before the answer).
async fn gate_epay_order(State(s): State<AppState>, body: Bytes) -> Result<(StatusCode, Json<Value>), HttpError> {
    use epay_core::gate::{epay_sale, GateCustomer, GatePayment, GateResponse, GeneralIds, EPAY_SALE_PATH};
    let doc = read_form(&body, "order")?;
    let Some(order) = doc.as_object() else {
        return Err(HttpError::bad_request(ErrorCode::InvalidJson, None, "order: must be a JSON object"));
    };
    let amount = order_amount(order)?;
    let text = |field: &str| -> Result<Option<String>, HttpError> {
        match order.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(v)) if v.trim().is_empty() => Ok(None),
            Some(Value::String(v)) => Ok(Some(v.trim().to_string())),
            Some(_) => Err(bad(field, format!("{field}: must be a string"))),
        }
    };
    let currency = text("currency")?.unwrap_or_else(|| "MYR".into());
    let project_id = 250;
    let secret = secret_of(project_id).ok_or_else(|| HttpError::internal("the shop has no secret for project 250"))?;
    let suffix = random_hex(3)?;
    let now = callback_date_ms(now_ms());
    let order_id: i64 = s.store.with(|c| c.query_row("SELECT COALESCE(MAX(order_id), 0) + 1 FROM merchant_orders", [], |r| r.get(0)))?;
    let payment_id = format!("epay-gate-{order_id}-{suffix}");
    let mut customer = GateCustomer::new(format!("customer-{order_id}"), "127.0.0.1");
    customer.data.first_name = text("customer_first_name")?;
    customer.data.last_name = text("customer_last_name")?;
    customer.data.email = text("customer_email")?;
    customer.data.phone = text("customer_phone")?;
    let description = text("description")?.unwrap_or_else(|| format!("Demo shop order {order_id}"));
    let payment = GatePayment::new(epay_core::MinorUnits(amount), currency).with_description(description);
    let general = GeneralIds { project_id, payment_id: payment_id.clone() };
    // The builder runs the platform's own checks: a refusal names the Gate parameter.
    let sale = epay_sale(&general, &customer, &payment, secret)
        .map_err(|errs| HttpError(StatusCode::BAD_REQUEST, epay_core::protocol::ApiError::from_params(errs)))?;
    s.store.with(|c| {
        c.execute(
            "INSERT INTO merchant_orders (order_id, payment_id, project_id, params, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![order_id, payment_id, project_id as i64, sale.to_string(), now],
        )
    })?;
    match super::gate::post_to_gate(&s, EPAY_SALE_PATH, &sale).await? {
        (_, GateResponse::Accepted(accepted), _) => {
            Ok((StatusCode::CREATED, Json(json!({ "order_id": order_id, "payment_id": payment_id, "gate": accepted }))))
        }
        (status, GateResponse::Rejected(r), _) => Err(HttpError(status, epay_core::protocol::ApiError { error: r.error })),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each currency of the catalog goes to the demo project of the platform of its
    /// method, with that project's secret; the shop's message names every currency.
    #[test]
    fn each_currency_goes_to_its_methods_platform() {
        for m in MethodCode::ALL {
            for l in m.rule().currencies {
                let p = demo_project(m.rule().platform);
                assert_eq!(project_for_currency(l.currency), (p.id, p.secret), "{}", l.currency);
                assert!(currencies().split(", ").any(|c| c == l.currency));
            }
        }
        assert_eq!(project_for_currency("KZT").0, 1234, "seed 000: PayDala is JetPay's");
        assert_eq!(project_for_currency("XTS").0, 250, "a currency no method takes: ECommPay's");
    }
}
