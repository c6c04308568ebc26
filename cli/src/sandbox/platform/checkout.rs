//! The platform API the widget talks to (`epay_core::protocol`): open, pay, status.
//! Also what happens when a method's operation ends: the payment becomes final and a
//! signed callback goes into the outbox in the same transaction.

use super::store::{self, NewOperation, NewPayment, OperationResult, OperationRow, PaymentRow, Project};
use crate::sandbox::methods::{card_partner as partner, epay_cash, paydala};
use crate::sandbox::{now_ms, random_hex, AppState, HttpError, Shared};
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::Json;
use epay_core::callback::{CallbackCustomer, CallbackPayment, Id, Operation, Provider, Sum};
use epay_core::params::CustomerData;
use epay_core::protocol::{MethodOffer, NextAction, OpenResponse, PayRequest, PaymentView};
use epay_core::params::size_problems;
use epay_core::redirect::{check_url, is_loopback_host, origin, scheme_and_host, UrlPolicy};
use epay_core::signature::{verify, with_signature, SignatureError};
use epay_core::{Callback, CustomerField, MethodCode, MinorUnits, ParamError, Params, PaymentRequest, PaymentStatus, Scalar};
use epay_core::time::callback_date_ms;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use std::collections::HashMap;

/// The sandbox is loopback-only: the customer may be sent back to `http://127.0.0.1...`.
const SANDBOX_URLS: UrlPolicy = UrlPolicy { allow_loopback_http: true };

/// The provider id the simulated partner reports in callbacks.
pub const PARTNER_PROVIDER_ID: i64 = 2377;

/// Method-specific state of an operation, kept in `operations.data`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct OperationData {
    /// Where the partner sends the customer back.
    pub return_url: String,
    /// The customer data the payment was made with (signed values, then typed ones).
    #[serde(default)]
    pub customer: CustomerData,
}

impl OperationData {
    pub fn parse(op: &OperationRow) -> rusqlite::Result<OperationData> {
        serde_json::from_str(&op.data)
            .map_err(|e| store::store_error(format!("operation {} has unreadable data: {e}", op.id)))
    }
}

/// The name of the method in callbacks' `payment.method`, as the seeds write it.
pub fn method_title(method: &str) -> &str {
    match MethodCode::parse(method) {
        Some(MethodCode::CardPartner) => "Card partner",
        Some(MethodCode::EpayCash) => epay_cash::METHOD_TITLE,
        Some(MethodCode::Paydala) => "paydala",
        None => method,
    }
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

/// The project id, when it reads as one (else `PaymentRequest::parse` names the problem).
fn project_id_of(params: &Params) -> Option<u64> {
    match params.get("project_id")? {
        Scalar::Int(i) if *i > 0 => Some(*i as u64),
        Scalar::Text(s) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => s.parse().ok().filter(|n| *n > 0),
        _ => None,
    }
}

fn parse_body(body: &Bytes) -> Result<Value, HttpError> {
    serde_json::from_slice::<Value>(body)
        .map_err(|e| HttpError::bad_request("invalid_json", None, format!("the body must be a JSON object: {e}")))
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

/// Seed 002 says `customer_first_name`, `customer_last_name`, `customer_email` and
/// `customer_phone` must be sent when opening the Payment Page for EPay. The widget asks
/// the customer for what is missing (as the real Payment Page does), but the merchant is
/// told: the open answer's `warnings` and the sandbox log carry this (issue 12 item 6).
/// `None` when EPay is not offered or all four are signed.
pub fn epay_customer_warning(req: &PaymentRequest, methods: &[MethodCode]) -> Option<Value> {
    if !methods.contains(&MethodCode::EpayCash) {
        return None;
    }
    let missing: Vec<&str> = MethodCode::EpayCash.rule().required.iter().filter(|f| !req.customer.has(**f)).map(|f| f.param()).collect();
    if missing.is_empty() {
        return None;
    }
    Some(json!({
        "code": "epaycash_customer_fields",
        "params": missing,
        "message": format!(
            "EPay cash (seed 002): the real platform expects {} in the signed parameters; \
             this sandbox lets the widget ask the customer for them, the real Payment Page may not",
            missing.join(", ")
        ),
    }))
}

/// `POST /api/v1/checkout/open`
pub async fn open(State(s): State<AppState>, body: Bytes) -> Result<Json<Value>, HttpError> {
    let doc = parse_body(&body)?;
    let Some(obj) = doc.as_object() else {
        return Err(HttpError::bad_request("invalid_json", None, "the body must be a JSON object of payment parameters"));
    };
    check_size(obj)?;
    let (params, conversion) = json_to_params(obj);

    if let Some(project_id) = project_id_of(&params) {
        let project = s.store.with(|c| store::project(c, project_id))?.ok_or_else(|| {
            HttpError::new(StatusCode::FORBIDDEN, "unknown_project", Some("project_id"), format!("project_id: no project {project_id} in this sandbox (demo projects: 250, 1234)"))
        })?;
        match verify(&doc, &project.secret) {
            Ok(()) => {}
            // A missing signature is a missing parameter: reported below with the others.
            Err(SignatureError::Missing) => {}
            Err(e) => {
                return Err(HttpError::new(
                    StatusCode::FORBIDDEN,
                    "bad_signature",
                    Some("signature"),
                    format!("{e}: sign every parameter sent (handlers excluded) with project {project_id}'s secret on your server"),
                ))
            }
        }
    }
    let req = param_problems(conversion, PaymentRequest::parse(&params))?;
    if let Some(url) = &req.return_url {
        if let Err(e) = check_url(url, SANDBOX_URLS) {
            return Err(HttpError(StatusCode::BAD_REQUEST, epay_core::protocol::ApiError::from_params(vec![return_url_refused(&e)])));
        }
    }
    // PayDala is offered only where the project has a PayDala service (JetPay project 1234).
    let paydala_here = s.paydala.service(req.project_id).is_some();
    if req.forced_method == Some(MethodCode::Paydala) && !paydala_here {
        return Err(HttpError::bad_request(
            "method_not_available",
            Some("force_payment_method"),
            format!(
                "force_payment_method: project {} has no PayDala service in this sandbox (JetPay project {} has)",
                req.project_id,
                paydala::PROJECT_ID
            ),
        ));
    }
    let methods: Vec<MethodCode> = req.methods.iter().copied().filter(|m| *m != MethodCode::Paydala || paydala_here).collect();

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
            "payment_id_reused",
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
    let warning = epay_customer_warning(&req, &methods);
    if let Some(w) = &warning {
        eprintln!("epay sandbox: warning: project {} payment {:?}: {}", req.project_id, req.payment_id, w["message"].as_str().unwrap_or_default());
    }
    let answer = OpenResponse {
        session: token,
        project_id: req.project_id,
        payment_id: req.payment_id.clone(),
        amount: req.amount,
        currency: req.currency.clone(),
        description: req.description.clone(),
        methods: methods.iter().map(|m| MethodOffer { code: *m, fields: req.fields_to_ask(*m) }).collect(),
        forced_method: req.forced_method,
        customer: req.customer.clone(),
        payment: view,
    };
    let mut answer = serde_json::to_value(&answer).map_err(HttpError::internal)?;
    if let Some(w) = warning {
        answer["warnings"] = json!([w]);
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
        HttpError::new(StatusCode::NOT_FOUND, "unknown_session", Some("session"), "session: unknown; open the checkout again")
    })
}

/// Reads a [`PayRequest`], naming the field that is wrong.
fn parse_pay_request(body: &Bytes) -> Result<PayRequest, HttpError> {
    let doc = parse_body(body)?;
    let Some(obj) = doc.as_object() else {
        return Err(HttpError::bad_request("invalid_json", None, "the body must be a JSON object"));
    };
    for key in ["session", "method", "return_url"] {
        match obj.get(key) {
            Some(Value::String(_)) => {}
            None | Some(Value::Null) => {
                return Err(HttpError::bad_request("invalid_params", Some(key), format!("{key}: is required")));
            }
            Some(_) => return Err(HttpError::bad_request("invalid_params", Some(key), format!("{key}: must be a string"))),
        }
    }
    if let Some(Value::String(m)) = obj.get("method") {
        if MethodCode::parse(m).is_none() {
            return Err(HttpError::bad_request(
                "invalid_params",
                Some("method"),
                format!("method: must be one of card-partner, epaycash, paydala; got {m:?}"),
            ));
        }
    }
    let mut doc = doc;
    // Accept the PayDala group code too, as `force_payment_method` does.
    if let Some(m) = doc.get("method").and_then(Value::as_str).and_then(MethodCode::parse) {
        doc["method"] = Value::String(m.as_str().into());
    }
    serde_json::from_value(doc).map_err(|e| HttpError::bad_request("invalid_params", None, format!("pay request: {e}")))
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
            "method_not_allowed",
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

    if method == MethodCode::Paydala {
        paydala::check_service(&s, ctx.payment.project_id)?;
    }
    let status = start_status(method)?;
    let data = OperationData { return_url: pay.return_url.clone(), customer };
    let data_json = serde_json::to_string(&data).map_err(HttpError::internal)?;
    let request_id = format!("{}-00000001", random_hex(28)?);
    let now = callback_date_ms(now_ms());
    let (payment, op) = s.store.with(|c| {
        let tx = c.transaction()?;
        // Checked again under the lock: a concurrent pay may have won the race.
        if store::sale_operation(&tx, ctx.payment.rowid)?.is_none() {
            let op_id = store::insert_operation(
                &tx,
                &NewOperation {
                    payment_rowid: ctx.payment.rowid,
                    kind: "sale",
                    method: method.as_str(),
                    status: status.as_str(),
                    created_date: &now,
                    request_id: &request_id,
                    data: &data_json,
                },
            )?;
            store::set_payment_status(&tx, ctx.payment.rowid, status.as_str(), method.as_str(), &now)?;
            if method == MethodCode::EpayCash {
                epay_cash::create_code(&tx, op_id, &data.customer, s.epay_ttl, epay_cash::Channel::Page)?;
            }
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
            Err(ParamError::new("return_url", "not_signed", format!("must be the return_url the merchant signed ({signed:?}); got {url:?}")))
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

/// The status a payment takes when the customer starts paying with `method`.
/// Each method the sandbox runs is one arm here and one in [`action_for`].
fn start_status(method: MethodCode) -> Result<PaymentStatus, HttpError> {
    match method {
        MethodCode::CardPartner => Ok(PaymentStatus::AwaitingRedirectResult),
        MethodCode::EpayCash => Ok(PaymentStatus::AwaitingCustomer),
        // Until a top-up for the account arrives from a terminal (sandbox::paydala).
        MethodCode::Paydala => Ok(PaymentStatus::AwaitingCustomer),
    }
}

/// What the customer has to do for a pending operation.
fn action_for(s: &Shared, payment: &PaymentRow, op: &OperationRow) -> Result<Option<NextAction>, HttpError> {
    let data = OperationData::parse(op)?;
    Ok(match MethodCode::parse(&op.method) {
        Some(MethodCode::CardPartner) => Some(NextAction::Redirect {
            redirect_data: partner::redirect_data(&s.base_url, &s.partner_key, op.id, payment, &data),
        }),
        Some(MethodCode::EpayCash) => epay_cash::action(s, op)?,
        Some(MethodCode::Paydala) => Some(paydala::terminal_action(s, payment.project_id, &payment.customer_id)),
        None => None,
    })
}

/// The payment as the widget sees it.
pub fn view(s: &Shared, payment: &PaymentRow, op: Option<&OperationRow>) -> Result<PaymentView, HttpError> {
    let (Some(op), Some(status)) = (op, payment.status.as_deref()) else {
        return Ok(PaymentView::default());
    };
    let status = PaymentStatus::parse(status);
    let method = MethodCode::parse(&op.method);
    if status.is_final() {
        return Ok(PaymentView {
            status: Some(status),
            method,
            action: None,
            // PayDala: what the customer deposited at the terminal, which may differ.
            sum: Some(
                paydala::deposited_sum(op)
                    .unwrap_or_else(|| Sum { amount: MinorUnits(payment.amount), currency: payment.currency.clone() }),
            ),
            code: op.code.clone(),
            message: op.message.clone(),
        });
    }
    Ok(PaymentView { status: Some(status), method, action: action_for(s, payment, op)?, ..PaymentView::default() })
}

/// `GET /api/v1/checkout/status?session=S`
pub async fn status(State(s): State<AppState>, Query(q): Query<HashMap<String, String>>) -> Result<Json<PaymentView>, HttpError> {
    let token = q
        .get("session")
        .filter(|t| !t.is_empty())
        .ok_or_else(|| HttpError::bad_request("invalid_params", Some("session"), "session: is required (?session=...)"))?;
    let ctx = load_session(&s, token)?;
    Ok(Json(view(&s, &ctx.payment, ctx.op.as_ref())?))
}

/// How an operation ended at the partner.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Success,
    Decline,
}

impl Outcome {
    fn status(self) -> PaymentStatus {
        match self {
            Outcome::Success => PaymentStatus::Success,
            Outcome::Decline => PaymentStatus::Decline,
        }
    }
    /// Operation code and message, as in the seeds' callbacks.
    fn code_message(self) -> (&'static str, &'static str) {
        match self {
            Outcome::Success => ("0", "Success"),
            Outcome::Decline => ("20000", "General decline"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finish {
    /// The payment is now final; a callback was enqueued.
    Done { return_url: String },
    /// It was final already: nothing changed (the partner's answer is idempotent).
    AlreadyFinal { return_url: String },
    UnknownOperation,
}

/// Ends a sale operation: operation and payment final, the signed callback into the
/// outbox, all in one transaction; then wakes the outbox worker.
pub fn finish_sale(s: &Shared, op_id: i64, outcome: Outcome) -> Result<Finish, HttpError> {
    let now_ms = now_ms();
    let now = callback_date_ms(now_ms);
    let finish = s.store.with(|c| {
        let tx = c.transaction()?;
        let Some(op) = store::operation(&tx, op_id)? else { return Ok(Finish::UnknownOperation) };
        let data = OperationData::parse(&op)?;
        if PaymentStatus::parse(&op.status).is_final() {
            return Ok(Finish::AlreadyFinal { return_url: data.return_url });
        }
        let status = outcome.status();
        let (code, message) = outcome.code_message();
        let provider_payment_id = format!("{now_ms}A");
        store::finish_operation(
            &tx,
            op.id,
            &OperationResult { status: status.as_str(), date: &now, code, message, provider_payment_id: &provider_payment_id },
        )?;
        store::set_payment_status(&tx, op.payment_rowid, status.as_str(), &op.method, &now)?;
        let op = store::operation(&tx, op.id)?.ok_or(rusqlite::Error::QueryReturnedNoRows)?;
        let payment = store::payment(&tx, op.payment_rowid)?.ok_or(rusqlite::Error::QueryReturnedNoRows)?;
        let project = store::project(&tx, payment.project_id)?.ok_or(rusqlite::Error::QueryReturnedNoRows)?;
        let body = callback_body(&project, &payment, &op, &data)?;
        store::enqueue_callback(&tx, project.id, payment.rowid, Some(op.id), &body, &now, now_ms)?;
        tx.commit()?;
        Ok(Finish::Done { return_url: data.return_url })
    })?;
    if matches!(finish, Finish::Done { .. }) {
        s.outbox_wake.notify_one();
    }
    Ok(finish)
}

/// The standard callback (seed format), signed with the project's secret, as JSON text.
pub fn callback_body(project: &Project, payment: &PaymentRow, op: &OperationRow, data: &OperationData) -> rusqlite::Result<String> {
    signed_callback(project, &callback(project, payment, op, data))
}

/// The payment status the merchant is told (callbacks, Gate status): the seeds' results
/// are success and decline, so a payment code that ran out is a decline, and its operation
/// says why. The platform keeps `expired` for itself and the widget (its own protocol), so
/// the customer sees "expired" rather than "declined".
pub fn reported_status(status: PaymentStatus) -> PaymentStatus {
    match status {
        PaymentStatus::Expired => PaymentStatus::Decline,
        other => other,
    }
}

/// The standard callback of an operation, unsigned (Gate adds `redirect_data` or adjusts
/// a refund's sums before signing it with [`signed_callback`]).
pub fn callback(project: &Project, payment: &PaymentRow, op: &OperationRow, data: &OperationData) -> Callback {
    let sum = Sum { amount: MinorUnits(payment.amount), currency: payment.currency.clone() };
    let date = op.date.clone().unwrap_or_else(|| op.created_date.clone());
    Callback {
        project_id: Id::Int(project.id as i64),
        payment: CallbackPayment {
            id: payment.payment_id.clone(),
            kind: "purchase".into(),
            status: reported_status(PaymentStatus::parse(payment.status.as_deref().unwrap_or(&op.status))),
            date: payment.date.clone().unwrap_or_else(|| date.clone()),
            method: method_title(&op.method).into(),
            sum: sum.clone(),
            description: payment.description.clone().unwrap_or_default(),
        },
        // Seed 001 and 002 show `customer` in every callback: always there, `phone` when
        // known (`{}` only before a Gate sale's clarification supplies it).
        customer: Some(CallbackCustomer { id: None, phone: data.customer.phone.clone(), email: None }),
        account: None,
        operation: Some(Operation {
            id: op.id,
            kind: op.kind.clone(),
            status: PaymentStatus::parse(&op.status),
            date,
            created_date: op.created_date.clone(),
            request_id: op.request_id.clone(),
            sum_initial: sum.clone(),
            sum_converted: sum,
            code: op.code.clone().unwrap_or_default(),
            message: op.message.clone().unwrap_or_default(),
            provider: Provider {
                id: PARTNER_PROVIDER_ID,
                payment_id: op.provider_payment_id.clone().unwrap_or_default(),
                date: None,
                auth_code: String::new(),
            },
        }),
        redirect_data: None,
        signature: None,
    }
}

/// A callback signed with the project's secret, as JSON text.
pub fn signed_callback(project: &Project, callback: &Callback) -> rusqlite::Result<String> {
    let doc = serde_json::to_value(callback).map_err(|e| store::store_error(format!("callback: {e}")))?;
    Ok(with_signature(doc, &project.secret).to_string())
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

    #[test]
    fn project_id_reads_as_number_or_digits() {
        let p = |v: Scalar| Params::from([("project_id".to_string(), v)]);
        assert_eq!(project_id_of(&p(Scalar::Int(250))), Some(250));
        assert_eq!(project_id_of(&p(Scalar::Text("1234".into()))), Some(1234));
        assert_eq!(project_id_of(&p(Scalar::Text("12a".into()))), None);
        assert_eq!(project_id_of(&p(Scalar::Int(-1))), None);
    }
}
