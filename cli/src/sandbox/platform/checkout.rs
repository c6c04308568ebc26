//! The platform API the widget talks to (`epay_core::protocol`): open, pay, status. What
//! a method adds (whether it is offered, what the customer does next, its own rows) comes
//! from its [`PaymentMethod`](crate::sandbox::methods::PaymentMethod).

use crate::sandbox::ledger::clock::{now_ms, random_hex};
use crate::sandbox::ledger::operations::{insert_sale, NewSale, OperationData};
use crate::sandbox::ledger::state::{AppState, Shared, SANDBOX_URLS};
use crate::sandbox::ledger::store::{self, NewPayment, OperationRow, PaymentRow};
use crate::sandbox::methods;
use crate::sandbox::server::HttpError;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use epay_core::callback::Sum;
use epay_core::params::CustomerData;
use epay_core::params::{bool_text, is_bool_param, size_problems, undocumented_params};
use epay_core::protocol::{MethodOffer, OpenResponse, PayRequest, PaymentView, OPEN_PATH, PAY_PATH, STATUS_PATH};
use epay_core::redirect::{check_url, is_loopback_host, origin, scheme_and_host};
use epay_core::signature::verify;
use epay_core::time::callback_date_ms;
use epay_core::ErrorCode;
use epay_core::{CustomerField, MethodCode, MinorUnits, ParamError, Params, PaymentRequest, PaymentStatus, Scalar};
use serde_json::{json, Map, Value};
use std::collections::HashMap;
use tower_http::cors::CorsLayer;

/// The widget's API. Merchant pages on any origin may call it (no cookies are used).
pub fn routes() -> Router<AppState> {
    Router::new().route(OPEN_PATH, post(open)).route(PAY_PATH, post(pay)).route(STATUS_PATH, get(status)).layer(CorsLayer::permissive())
}

/// Converts the merchant's JSON object into flat parameters. Nested objects and arrays
/// are refused, naming the key (they are still covered by the signature check, which
/// runs over the body exactly as received).
pub fn json_to_params(obj: &Map<String, Value>) -> (Params, Vec<ParamError>) {
    let mut params = Vec::with_capacity(obj.len());
    let mut errors = Vec::new();
    for (key, value) in obj {
        let scalar = match value {
            Value::Null => Scalar::Null,
            Value::Bool(b) => Scalar::Bool(*b),
            Value::Number(n) => match n.as_i64() {
                Some(i) => Scalar::Int(i),
                None => Scalar::Float(n.as_f64().unwrap_or(f64::NAN)),
            },
            Value::String(s) => Scalar::Text(s.clone()),
            Value::Array(_) | Value::Object(_) => {
                errors.push(ParamError::new(key, "type", "must be a string, number or boolean"));
                continue;
            }
        };
        params.push((key.clone(), scalar));
    }
    // One sort, not one sorted insert per key (quadratic: issue 13).
    (Params::from_pairs(params), errors)
}

/// Refuses, before any other work, a body with more parameters than the platform could
/// know or a value longer than the limit (issue 13: 220 000 keys froze the sandbox).
fn check_size(obj: &Map<String, Value>) -> Result<(), HttpError> {
    let texts = obj.iter().filter_map(|(k, v)| v.as_str().map(|s| (k.as_str(), s)));
    let errors = size_problems(obj.len(), texts);
    if errors.is_empty() {
        Ok(())
    } else {
        Err(HttpError(StatusCode::BAD_REQUEST, epay_core::protocol::ApiError::from_params(errors)))
    }
}

fn parse_body(body: &Bytes) -> Result<Value, HttpError> {
    serde_json::from_slice::<Value>(body)
        .map_err(|e| HttpError::bad_request(ErrorCode::InvalidJson, None, format!("the body must be a JSON object: {e}")))
}

/// Every problem with the parameters, conversion problems first; one entry per parameter.
fn param_problems(conversion: Vec<ParamError>, parsed: Result<PaymentRequest, Vec<ParamError>>) -> Result<PaymentRequest, HttpError> {
    match parsed {
        Ok(req) if conversion.is_empty() => Ok(req),
        Ok(_) => Err(HttpError(StatusCode::BAD_REQUEST, epay_core::protocol::ApiError::from_params(conversion))),
        Err(errs) => {
            let mut all = conversion;
            for e in errs {
                if !all.iter().any(|c| c.param == e.param) {
                    all.push(e);
                }
            }
            Err(HttpError(StatusCode::BAD_REQUEST, epay_core::protocol::ApiError::from_params(all)))
        }
    }
}

/// The signature checked once more with the boolean parameters' text forms read as the
/// SDKs sign them: the official SDKs sign `true` as `1`, but their URLs carry `true`
/// (npm) or `True` (Python), and a hosted Payment Page passes the URL's text on.
/// `Some(())` when that verifies; both readings mean the same values.
fn verify_bools_as_signed(doc: &Value, secret: &str) -> Option<()> {
    let obj = doc.as_object()?;
    let mut changed = false;
    let mut out = obj.clone();
    for (k, v) in out.iter_mut() {
        if let Some(b) = v.as_str().filter(|_| is_bool_param(k)).and_then(bool_text) {
            let signed = if b { "1" } else { "0" };
            if v.as_str() != Some(signed) {
                *v = Value::String(signed.into());
                changed = true;
            }
        }
    }
    (changed && verify(&Value::Object(out), secret).is_ok()).then_some(())
}

/// `POST /api/v1/checkout/open`
pub async fn open(State(s): State<AppState>, body: Bytes) -> Result<Json<Value>, HttpError> {
    let doc = parse_body(&body)?;
    let Some(obj) = doc.as_object() else {
        return Err(HttpError::bad_request(ErrorCode::InvalidJson, None, "the body must be a JSON object of payment parameters"));
    };
    check_size(obj)?;
    let (params, conversion) = json_to_params(obj);

    // The rules first (issue 26): they are public and read only what was sent, so a
    // refusal names the parameter and its rule (a missing payment_amount is
    // `invalid_params` naming it, not `bad_signature`) and tells a caller nothing about
    // the secret, the project or its payments. Everything that looks at the project or
    // the store (its methods, a payment_id used before) waits for the signature.
    let req = param_problems(conversion, PaymentRequest::parse(&params))?;
    if let Some(url) = &req.return_url {
        if let Err(e) = check_url(url, SANDBOX_URLS) {
            return Err(HttpError(StatusCode::BAD_REQUEST, epay_core::protocol::ApiError::from_params(vec![return_url_refused(&e)])));
        }
    }
    let project_id = req.project_id;
    let project = s.store.with(|c| store::project(c, project_id))?.ok_or_else(|| {
        HttpError::new(
            StatusCode::FORBIDDEN,
            ErrorCode::UnknownProject,
            Some("project_id"),
            format!("project_id: no project {project_id} in this sandbox (demo projects: 250, 1234)"),
        )
    })?;
    // A missing signature was named by the rules above.
    if let Err(e) = verify(&doc, &project.secret).or_else(|e| verify_bools_as_signed(&doc, &project.secret).ok_or(e)) {
        return Err(HttpError::new(
            StatusCode::FORBIDDEN,
            ErrorCode::BadSignature,
            Some("signature"),
            format!("{e}: sign every parameter sent (handlers excluded) with project {project_id}'s secret on your server"),
        ));
    }
    // A method the project cannot take in this sandbox is not offered (PayDala: only
    // where the project has a PayDala service, JetPay project 1234).
    if let Some(why) = req.forced_method.and_then(|m| methods::of(m).unavailable(&s, req.project_id)) {
        return Err(HttpError::bad_request(
            ErrorCode::MethodNotAvailable,
            Some("force_payment_method"),
            format!("force_payment_method: {why}"),
        ));
    }
    let offered: Vec<MethodCode> =
        req.methods.iter().copied().filter(|m| methods::of(*m).unavailable(&s, req.project_id).is_none()).collect();

    let now = callback_date_ms(now_ms());
    let token = random_hex(32)?;
    let params_json = doc.to_string();
    let opened = s.store.with(|c| {
        let tx = c.transaction()?;
        let payment = match store::payment_by_id(&tx, req.project_id, &req.payment_id)? {
            Some(p) if p.amount != req.amount.0 || p.currency != req.currency => return Ok(Err(p)),
            Some(p) => p,
            None => {
                let rowid = store::insert_payment(
                    &tx,
                    &NewPayment {
                        project_id: req.project_id,
                        payment_id: &req.payment_id,
                        amount: req.amount.0,
                        currency: &req.currency,
                        customer_id: &req.customer_id,
                        description: req.description.as_deref(),
                        created_at: &now,
                    },
                )?;
                store::payment(&tx, rowid)?.ok_or(rusqlite::Error::QueryReturnedNoRows)?
            }
        };
        store::insert_session(&tx, &token, payment.rowid, &params_json, &now)?;
        let op = store::sale_operation(&tx, payment.rowid)?;
        tx.commit()?;
        Ok(Ok((payment, op)))
    })?;
    let (payment, op) = opened.map_err(|earlier| {
        HttpError::bad_request(
            ErrorCode::PaymentIdReused,
            Some("payment_id"),
            format!(
                "payment_id: {:?} was already used in project {} for {}; a payment with another amount or currency needs a new payment_id",
                earlier.payment_id,
                earlier.project_id,
                MinorUnits(earlier.amount).format_plain(&earlier.currency)
            ),
        )
    })?;
    let view = view(&s, &payment, op.as_ref())?;
    let mut warnings: Vec<Value> = offered.iter().filter_map(|m| methods::of(*m).open_warning(&req)).collect();
    let undocumented = undocumented_params(&params);
    if !undocumented.is_empty() {
        warnings.push(json!({
            "code": "undocumented_params",
            "params": undocumented,
            "message": format!(
                "{} {} not documented by the seeds nor the official SDKs' Payment Page: signed, accepted and carried \
                 as sent, but production may treat {} differently (or ignore {})",
                undocumented.join(", "),
                if undocumented.len() == 1 { "is" } else { "are" },
                if undocumented.len() == 1 { "it" } else { "them" },
                if undocumented.len() == 1 { "it" } else { "them" },
            ),
        }));
    }
    for w in &warnings {
        eprintln!(
            "epay sandbox: warning: project {} payment {:?}: {}",
            req.project_id,
            req.payment_id,
            w["message"].as_str().unwrap_or_default()
        );
    }
    let answer = OpenResponse {
        session: token,
        project_id: req.project_id,
        payment_id: req.payment_id.clone(),
        amount: req.amount,
        currency: req.currency.clone(),
        description: req.description.clone(),
        methods: offered.iter().map(|m| MethodOffer { code: *m, fields: req.fields_to_ask(*m) }).collect(),
        forced_method: req.forced_method,
        customer: req.customer.clone(),
        payment: view,
    };
    let mut answer = serde_json::to_value(&answer).map_err(HttpError::internal)?;
    if !warnings.is_empty() {
        answer["warnings"] = json!(warnings);
    }
    Ok(Json(answer))
}

struct SessionContext {
    payment: PaymentRow,
    op: Option<OperationRow>,
    params: String,
}

fn load_session(s: &Shared, token: &str) -> Result<SessionContext, HttpError> {
    let found = s.store.with(|c| {
        let Some(session) = store::session(c, token)? else { return Ok(None) };
        let payment = store::payment(c, session.payment_rowid)?.ok_or(rusqlite::Error::QueryReturnedNoRows)?;
        let op = store::sale_operation(c, payment.rowid)?;
        Ok(Some(SessionContext { payment, op, params: session.params }))
    })?;
    found.ok_or_else(|| {
        HttpError::new(StatusCode::NOT_FOUND, ErrorCode::UnknownSession, Some("session"), "session: unknown; open the checkout again")
    })
}

/// Reads a [`PayRequest`], naming the field that is wrong.
fn parse_pay_request(body: &Bytes) -> Result<PayRequest, HttpError> {
    let doc = parse_body(body)?;
    let Some(obj) = doc.as_object() else {
        return Err(HttpError::bad_request(ErrorCode::InvalidJson, None, "the body must be a JSON object"));
    };
    for key in ["session", "method", "return_url"] {
        match obj.get(key) {
            Some(Value::String(_)) => {}
            None | Some(Value::Null) => {
                return Err(HttpError::bad_request(ErrorCode::InvalidParams, Some(key), format!("{key}: is required")));
            }
            Some(_) => return Err(HttpError::bad_request(ErrorCode::InvalidParams, Some(key), format!("{key}: must be a string"))),
        }
    }
    if let Some(Value::String(m)) = obj.get("method") {
        if MethodCode::parse(m).is_none() {
            return Err(HttpError::bad_request(
                ErrorCode::InvalidParams,
                Some("method"),
                format!("method: must be one of {}; got {m:?}", MethodCode::ALL.map(MethodCode::as_str).join(", ")),
            ));
        }
    }
    let mut doc = doc;
    // Accept the PayDala group code too, as `force_payment_method` does.
    if let Some(m) = doc.get("method").and_then(Value::as_str).and_then(MethodCode::parse) {
        doc["method"] = Value::String(m.as_str().into());
    }
    serde_json::from_value(doc).map_err(|e| HttpError::bad_request(ErrorCode::InvalidParams, None, format!("pay request: {e}")))
}

/// `POST /api/v1/checkout/pay`
pub async fn pay(State(s): State<AppState>, body: Bytes) -> Result<Json<PaymentView>, HttpError> {
    let pay = parse_pay_request(&body)?;
    let ctx = load_session(&s, &pay.session)?;
    // One click is one payment: once an operation exists, every pay answers with it.
    if let Some(op) = &ctx.op {
        return Ok(Json(view(&s, &ctx.payment, Some(op))?));
    }

    let doc: Value = serde_json::from_str(&ctx.params).map_err(HttpError::internal)?;
    let obj = doc.as_object().ok_or_else(|| HttpError::internal("session parameters are not an object"))?;
    let req = PaymentRequest::parse(&json_to_params(obj).0)
        .map_err(|errs| HttpError::internal(format!("session parameters no longer parse: {errs:?}")))?;

    let method = pay.method;
    if !req.methods.contains(&method) {
        let offered: Vec<&str> = req.methods.iter().map(|m| m.as_str()).collect();
        return Err(HttpError::bad_request(
            ErrorCode::MethodNotAllowed,
            Some("method"),
            format!("method: {} is not offered for this payment; offered: {}", method.as_str(), offered.join(", ")),
        ));
    }

    // The merchant's signed values win; typed values fill the gaps and are checked.
    let mut errors = Vec::new();
    let mut typed = CustomerData::default();
    for f in CustomerField::ALL {
        let Some(v) = pay.customer.get(f) else { continue };
        if req.customer.has(f) || v.trim().is_empty() {
            continue;
        }
        match f.check(v) {
            Ok(()) => typed.set(f, Some(f.normalize(v))),
            Err(problem) => errors.push(ParamError::new(f.param(), "format", problem.rule())),
        }
    }
    let customer = req.customer.merged_with(&typed);
    let rule = method.rule();
    for f in rule.required.iter().chain(rule.recommended) {
        if !customer.has(*f) && !errors.iter().any(|e| e.param == f.param()) {
            errors.push(ParamError::new(f.param(), "required", format!("is required to pay with {}", method.as_str())));
        }
    }
    if let Err(e) = check_return_url(&s, req.project_id, req.return_url.as_deref(), &pay.return_url) {
        errors.push(e);
    }
    if !errors.is_empty() {
        return Err(HttpError(StatusCode::BAD_REQUEST, epay_core::protocol::ApiError::from_params(errors)));
    }

    let paid_with = methods::of(method);
    if let Some(why) = paid_with.unavailable(&s, ctx.payment.project_id) {
        return Err(HttpError::bad_request(ErrorCode::MethodNotAvailable, Some("method"), format!("method: {why}")));
    }
    let data = OperationData { return_url: pay.return_url.clone(), customer };
    let request_id = paid_with.new_request_id()?;
    let now = callback_date_ms(now_ms());
    let (payment, op) = s.store.with(|c| {
        let tx = c.transaction()?;
        // Checked again under the lock: a concurrent pay may have won the race.
        if store::sale_operation(&tx, ctx.payment.rowid)?.is_none() {
            let sale = NewSale {
                payment_rowid: ctx.payment.rowid,
                method,
                status: paid_with.start_status(),
                data: &data,
                request_id: &request_id,
                now: &now,
            };
            let op_id = insert_sale(&tx, &sale)?;
            paid_with.start(&s, &tx, op_id, &data)?;
        }
        let payment = store::payment(&tx, ctx.payment.rowid)?.ok_or(rusqlite::Error::QueryReturnedNoRows)?;
        let op = store::sale_operation(&tx, ctx.payment.rowid)?;
        tx.commit()?;
        Ok((payment, op))
    })?;
    Ok(Json(view(&s, &payment, op.as_ref())?))
}

fn return_url_refused(e: &epay_core::redirect::RedirectError) -> ParamError {
    ParamError::new(
        "return_url",
        "url",
        format!(
            "must be an absolute https URL (plain http only to 127.0.0.1, localhost or [::1] in the sandbox): {}",
            e.to_string().replacen("redirect_data.url: ", "", 1)
        ),
    )
}

/// Where the partner may send the customer back: the browser relays `return_url`, so it
/// is taken only when the merchant decided it (issue 13): equal to the `return_url` the
/// merchant signed, or, when none was signed, on an origin registered for the project.
fn check_return_url(s: &Shared, project_id: u64, signed: Option<&str>, url: &str) -> Result<(), ParamError> {
    check_url(url, SANDBOX_URLS).map_err(|e| return_url_refused(&e))?;
    if let Some(signed) = signed {
        return if url == signed {
            Ok(())
        } else {
            Err(ParamError::new(
                "return_url",
                "not_signed",
                format!("must be the return_url the merchant signed ({signed:?}); got {url:?}"),
            ))
        };
    }
    let got = origin(url).map_err(|e| return_url_refused(&e))?;
    let registered = s.store.with(|c| registered_origins(c, project_id)).unwrap_or_default();
    let loopback = scheme_and_host(url).is_ok_and(|(_, host)| is_loopback_host(&host));
    if registered.iter().any(|r| *r == got || (r == ANY_LOOPBACK && loopback)) {
        return Ok(());
    }
    Err(ParamError::new(
        "return_url",
        "origin_not_registered",
        format!(
            "must be on an origin registered for project {project_id} ({}), or signed by the merchant as the return_url parameter; got origin {got}",
            registered.join(", ")
        ),
    ))
}

const ORIGINS_SCHEMA: &str = "CREATE TABLE IF NOT EXISTS project_origins (
    project_id INTEGER NOT NULL REFERENCES projects(id),
    origin TEXT NOT NULL,
    -- 'sandbox': the sandbox's own origin, renewed at every start (the port changes)
    kind TEXT NOT NULL DEFAULT 'merchant',
    PRIMARY KEY (project_id, origin)
);";

/// A registered origin that stands for every loopback origin (`http://127.0.0.1:*`,
/// `localhost`, `[::1]`, any port, http or https).
pub const ANY_LOOPBACK: &str = "any loopback origin (127.0.0.1, localhost, [::1], any port)";

/// The return-URL origins of the projects. The demo projects are a developer's: their
/// shop pages are on this machine (the sandbox's own pages, or a shop's dev server on
/// another local port), so they register every loopback origin, and nothing else.
pub fn init(store: &store::Store, projects: &[u64]) -> rusqlite::Result<()> {
    store.with(|c| {
        c.execute_batch(ORIGINS_SCHEMA)?;
        c.execute("DELETE FROM project_origins WHERE kind = 'sandbox'", [])?;
        for id in projects {
            c.execute(
                "INSERT OR REPLACE INTO project_origins (project_id, origin, kind) VALUES (?1, ?2, 'sandbox')",
                rusqlite::params![*id as i64, ANY_LOOPBACK],
            )?;
        }
        Ok(())
    })
}

/// Registers `url`'s origin for the project's return URLs (a merchant whose pages live
/// elsewhere than the sandbox).
pub fn register_origin(store: &store::Store, project_id: u64, url: &str) -> Result<String, String> {
    let o = origin(url).map_err(|e| e.to_string().replacen("redirect_data.url", "origin", 1))?;
    store
        .with(|c| {
            c.execute(
                "INSERT OR REPLACE INTO project_origins (project_id, origin, kind) VALUES (?1, ?2, 'merchant')",
                rusqlite::params![project_id as i64, o],
            )
        })
        .map_err(|e| e.to_string())?;
    Ok(o)
}

/// The origins registered for a project's return URLs, sorted.
pub fn registered_origins(c: &rusqlite::Connection, project_id: u64) -> rusqlite::Result<Vec<String>> {
    let mut stmt = c.prepare("SELECT origin FROM project_origins WHERE project_id = ?1 ORDER BY origin")?;
    let rows = stmt.query_map([project_id as i64], |r| r.get::<_, String>(0))?;
    rows.collect()
}

/// The payment as the widget sees it.
pub fn view(s: &Shared, payment: &PaymentRow, op: Option<&OperationRow>) -> Result<PaymentView, HttpError> {
    let (Some(op), Some(status)) = (op, payment.status.as_deref()) else {
        return Ok(PaymentView::default());
    };
    let status = PaymentStatus::parse(status);
    let method = MethodCode::parse(&op.method);
    let paid_with = method.map(methods::of);
    if status.is_final() {
        return Ok(PaymentView {
            status: Some(status),
            method,
            action: None,
            // PayDala: what the customer deposited at the terminal, which may differ.
            sum: Some(
                paid_with
                    .and_then(|m| m.settled_sum(op))
                    .unwrap_or_else(|| Sum { amount: MinorUnits(payment.amount), currency: payment.currency.clone() }),
            ),
            code: op.code.clone(),
            message: op.message.clone(),
        });
    }
    let action = match paid_with {
        Some(m) => m.next_action(s, payment, op)?,
        None => None,
    };
    Ok(PaymentView { status: Some(status), method, action, ..PaymentView::default() })
}

/// `GET /api/v1/checkout/status?session=S`
pub async fn status(State(s): State<AppState>, Query(q): Query<HashMap<String, String>>) -> Result<Json<PaymentView>, HttpError> {
    let token = q
        .get("session")
        .filter(|t| !t.is_empty())
        .ok_or_else(|| HttpError::bad_request(ErrorCode::InvalidParams, Some("session"), "session: is required (?session=...)"))?;
    let ctx = load_session(&s, token)?;
    Ok(Json(view(&s, &ctx.payment, ctx.op.as_ref())?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn nested_values_are_refused_by_name() {
        let doc = json!({"project_id": 250, "payment_amount": {"a": 1}, "tags": [1], "ok": true, "n": null});
        let (params, errs) = json_to_params(doc.as_object().unwrap());
        let named: Vec<&str> = errs.iter().map(|e| e.param.as_str()).collect();
        assert_eq!(named, vec!["payment_amount", "tags"]);
        assert!(errs[0].message.contains("must be a string, number or boolean"));
        assert_eq!(params.get("project_id"), Some(&Scalar::Int(250)));
        assert_eq!(params.get("ok"), Some(&Scalar::Bool(true)));
        assert_eq!(params.get("n"), Some(&Scalar::Null));
    }
}
