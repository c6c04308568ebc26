//! PayDala Terminal on the platform side (seed 000), and the simulated terminal.
//!
//! A customer at a PayDala terminal picks the merchant's service and types their account
//! number. The platform then asks the merchant's web service, synchronously and signed
//! with the project secret:
//!
//! 1. `verify` ([`epay_core::paydala::build_verify`]): does the account exist? Code 0 with
//!    its `currency` (and maybe `additional_customer_id`), 404 unknown, 400 signature
//!    error, 500 with a `message`.
//! 2. `check_deposit` ([`epay_core::paydala::build_check_deposit`], amount in minor
//!    units): the merchant books the top-up and answers its own `payment_id`.
//!
//! On code 0 the platform records the top-up as one successful `sale` of one payment and
//! puts the signed result callback naming that payment (`payment.id`, `payment.method`
//! `paydala`, `account.number`) into the outbox in the same transaction ([`target`]):
//! - the merchant answered the `payment_id` of a Payment Page checkout waiting for a
//!   top-up of this account (seed 000, the `check_deposit` answer and scheme steps 11–14:
//!   the merchant names its own payment): that checkout ends in `success` with the
//!   deposited sum, and the callback names it;
//! - it answered a fresh id while such a checkout waits: the newest waiting checkout ends
//!   the same way and the callback names it (the fresh id is on the terminal's receipt;
//!   no second payment, one top-up is one callback);
//! - it answered a fresh id and nothing waits: a new payment with that id (the seed's
//!   `payment_47`);
//! - it answered an id already used otherwise: nothing booked, no callback, the terminal
//!   says why (`duplicate`, `mismatch`).
//!
//! The widget polling the checkout sees the result on its own.
//!
//! One terminal transaction sends `check_deposit` at most once: the deposit form claims
//! the transaction in the database before the request leaves, and a repeated submit (a
//! double click, a reload) only shows the recorded result. `check_deposit` carries
//! exactly seed 000's parameters (`type`, `project_id`, `customer_id`, `amount`,
//! `currency`, `payment_method`, `signature`), nothing the real platform would not send;
//! the platform's own request id only appears later, as the callback's
//! `operation.request_id`.
//!
//! The terminal's pages (`/sim/paydala...`) are server-rendered HTML with no script and
//! no inline style; every value shown is escaped.

use super::PaymentMethod;
use crate::sandbox::platform::operations::{callback, finish_sale, operation_of, signed_callback, OperationData, SaleEnd, SaleResult};
use crate::sandbox::platform::store::{self, NewOperation, NewPayment, OperationResult, OperationRow, PaymentRow, Store};
use crate::sandbox::server::html::{self, escape};
use crate::sandbox::{now_ms, random_hex, AppState, HttpError, Shared};
use axum::extract::rejection::FormRejection;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Form, Router};
use epay_core::callback::{Callback, CallbackAccount, CallbackPayment, Id, Sum};
use epay_core::catalog::Lifetime;
use epay_core::money::exponent;
use epay_core::paydala::{self, ResponseCode};
use epay_core::protocol::NextAction;
use epay_core::time::callback_date_ms;
use epay_core::{MethodCode, MinorUnits, PaymentStatus};
use rusqlite::{params, Connection, OptionalExtension};
use serde::Deserialize;
use serde_json::{json, Value};
use std::time::Duration;

/// `payment.method` in PayDala callbacks, as seed 000 writes it.
pub const TITLE: &str = "paydala";
/// The JetPay demo project that takes PayDala top-ups.
pub const PROJECT_ID: u64 = crate::sandbox::demo_project(MethodCode::Paydala.rule().platform).id;
/// The service name terminals list for it, unless configured otherwise.
pub const DEFAULT_SERVICE_NAME: &str = "Demo Shop";
/// How long the platform waits for each `verify` / `check_deposit` answer by default.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);
/// The demo merchant's web service, under the sandbox's base URL.
pub const MERCHANT_PATH: &str = "/merchant/paydala";
/// `operation.provider.id` in PayDala callbacks (the seed's example value).
pub const PROVIDER_ID: i64 = 12345;
/// PayDala takes KZT only (seed 000).
pub const CURRENCY: &str = "KZT";

pub const TERMINAL_PATH: &str = "/sim/paydala";
pub const CHECK_PATH: &str = "/sim/paydala/check";
pub const DEPOSIT_PATH: &str = "/sim/paydala/deposit";
const STYLESHEET_PATH: &str = "/sim/paydala.css";

/// The merchant's answers are small; anything larger is refused, not buffered.
const MAX_ANSWER_BYTES: usize = 64 * 1024;

/// How the sandbox's PayDala is set up for project 1234.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaydalaConfig {
    /// The name the terminal lists for the project (the customer picks it).
    pub service_name: String,
    /// The merchant web service for `verify` and `check_deposit`; `None`: the demo
    /// merchant at `http://127.0.0.1:PORT/merchant/paydala`.
    pub merchant_url: Option<String>,
    /// Applies to each of the two calls.
    pub timeout: Duration,
    /// Where project 1234's callbacks go; `None`: the demo merchant's callback URL.
    pub callback_url: Option<String>,
    /// How long a Payment Page PayDala payment waits for a top-up before it is declined
    /// ([`LIFETIME_CODE`], [`lifetime_message`]). Seed 000: base time 1 minute, limit 36
    /// days; the default is the limit, the most a real payment can wait.
    pub lifetime: Duration,
}

/// Seed 000's lifetime, from the catalog (`epay_core::catalog::PAYDALA`).
const LIFETIME: Lifetime = match MethodCode::Paydala.rule().lifetime {
    Some(l) => l,
    None => panic!("the catalog gives PayDala a lifetime (seed 000)"),
};
/// Seed 000's limit ("предельное" time): 36 days.
pub const MAX_LIFETIME: Duration = Duration::from_secs(LIFETIME.max_secs);
/// Seed 000's base time: 1 minute.
pub const BASE_LIFETIME: Duration = Duration::from_secs(LIFETIME.base_secs);

impl Default for PaydalaConfig {
    fn default() -> Self {
        PaydalaConfig {
            service_name: DEFAULT_SERVICE_NAME.into(),
            merchant_url: None,
            timeout: DEFAULT_TIMEOUT,
            callback_url: None,
            lifetime: MAX_LIFETIME,
        }
    }
}

/// `epay sandbox` flags for PayDala.
#[derive(Debug, Clone, clap::Args)]
pub struct PaydalaArgs {
    /// The service name PayDala terminals list for JetPay project 1234.
    #[arg(long = "paydala-service", default_value = DEFAULT_SERVICE_NAME)]
    pub service_name: String,
    /// The merchant web service that answers verify and check_deposit
    /// [default: the demo shop, http://127.0.0.1:PORT/merchant/paydala].
    #[arg(long = "paydala-url")]
    pub merchant_url: Option<String>,
    /// How long the platform waits for each verify / check_deposit answer, in milliseconds.
    #[arg(long = "paydala-timeout-ms", default_value_t = 5000)]
    pub timeout_ms: u64,
    /// Where the callbacks of project 1234 go
    /// [default: the demo shop, http://127.0.0.1:PORT/merchant/callback].
    #[arg(long = "paydala-callback-url")]
    pub callback_url: Option<String>,
    /// How long a Payment Page PayDala payment waits for a top-up before it is declined, in
    /// seconds (seed 000: base 60, limit 3110400 = 36 days).
    #[arg(long = "paydala-lifetime-secs", default_value_t = MAX_LIFETIME.as_secs())]
    pub lifetime_secs: u64,
}

impl From<PaydalaArgs> for PaydalaConfig {
    fn from(a: PaydalaArgs) -> Self {
        PaydalaConfig {
            service_name: a.service_name,
            merchant_url: a.merchant_url,
            timeout: Duration::from_millis(a.timeout_ms),
            callback_url: a.callback_url,
            lifetime: Duration::from_secs(a.lifetime_secs),
        }
    }
}

/// A merchant service the terminal lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Service {
    pub project_id: u64,
    pub name: String,
    pub merchant_url: String,
}

/// The configuration, checked and resolved against the port the sandbox listens on.
#[derive(Debug, Clone)]
pub struct Settings {
    pub services: Vec<Service>,
    pub timeout: Duration,
    pub lifetime: Duration,
}

impl Settings {
    pub fn resolve(config: &PaydalaConfig, base_url: &str) -> Result<Settings, String> {
        let name = config.service_name.trim();
        if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
            return Err("PayDala service name: must be 1 to 100 characters with no control characters".into());
        }
        let url = config.merchant_url.clone().unwrap_or_else(|| format!("{base_url}{MERCHANT_PATH}"));
        check_http_url("PayDala merchant URL", &url)?;
        if let Some(cb) = &config.callback_url {
            check_http_url("PayDala callback URL", cb)?;
        }
        if config.timeout.is_zero() || config.timeout > Duration::from_secs(600) {
            return Err("PayDala merchant timeout: must be between 1 ms and 600 s".into());
        }
        if config.lifetime < Duration::from_secs(1) || config.lifetime > MAX_LIFETIME {
            return Err(format!("PayDala payment lifetime: must be between 1 s and {} (seed 000's limit)", shown_duration(MAX_LIFETIME)));
        }
        Ok(Settings {
            services: vec![Service { project_id: PROJECT_ID, name: name.to_string(), merchant_url: url }],
            timeout: config.timeout,
            lifetime: config.lifetime,
        })
    }

    pub fn service(&self, project_id: u64) -> Option<&Service> {
        self.services.iter().find(|s| s.project_id == project_id)
    }
}

fn check_http_url(what: &str, url: &str) -> Result<(), String> {
    match reqwest::Url::parse(url) {
        Ok(u) if (u.scheme() == "http" || u.scheme() == "https") && u.host_str().is_some() => Ok(()),
        Ok(_) => Err(format!("{what}: must be an absolute http or https URL, got {url:?}")),
        Err(e) => Err(format!("{what}: {e}, got {url:?}")),
    }
}

const SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS paydala_transactions (
    id TEXT PRIMARY KEY,
    project_id INTEGER NOT NULL REFERENCES projects(id),
    account TEXT NOT NULL,
    currency TEXT NOT NULL,
    additional_customer_id TEXT,
    state TEXT NOT NULL,
    created_at TEXT NOT NULL,
    amount INTEGER,
    request_id TEXT,
    deposit_started_at TEXT,
    outcome TEXT,
    message TEXT,
    merchant_payment_id TEXT,
    payment_rowid INTEGER REFERENCES payments(rowid),
    page_payment_id TEXT
);
"#;

/// Points project 1234's callbacks at `--paydala-callback-url`, if given (at every start).
pub fn apply_callback_url(store: &Store, config: &PaydalaConfig) -> rusqlite::Result<()> {
    let Some(url) = &config.callback_url else { return Ok(()) };
    store.with(|c| c.execute("UPDATE projects SET callback_url = ?2 WHERE id = ?1", params![PROJECT_ID as i64, url])).map(|_| ())
}

/// PayDala terminal top-ups.
pub struct Paydala;

impl PaymentMethod for Paydala {
    fn code(&self) -> MethodCode {
        MethodCode::Paydala
    }

    fn title(&self) -> &'static str {
        TITLE
    }

    /// Seed 000, the callback example: 64 hex digits.
    fn new_request_id(&self) -> Result<String, HttpError> {
        random_hex(32)
    }

    /// The terminal transactions (one row per account check that succeeded; its state
    /// goes `verified` → `depositing` → `done` or `failed`, once).
    fn init(&self, store: &Store) -> rusqlite::Result<()> {
        store.with(|c| c.execute_batch(SCHEMA))
    }

    fn routes(&self) -> Router<AppState> {
        Router::new()
            .route(TERMINAL_PATH, get(terminal))
            .route(CHECK_PATH, post(check))
            .route(DEPOSIT_PATH, post(deposit))
            .route(STYLESHEET_PATH, get(stylesheet))
    }

    /// Only a project with a PayDala service (JetPay project 1234) takes it.
    fn unavailable(&self, s: &Shared, project_id: u64) -> Option<String> {
        match s.paydala.service(project_id) {
            Some(_) => None,
            None => Some(format!("project {project_id} has no PayDala service in this sandbox (JetPay project {PROJECT_ID} has)")),
        }
    }

    /// Until a top-up for the account arrives from a terminal.
    fn start_status(&self) -> PaymentStatus {
        PaymentStatus::AwaitingCustomer
    }

    /// Top up this account (the payment's `customer_id`) under this service name at a terminal.
    fn next_action(&self, s: &Shared, payment: &PaymentRow, _op: &OperationRow) -> Result<Option<NextAction>, HttpError> {
        let service_name = s.paydala.service(payment.project_id).map_or_else(|| DEFAULT_SERVICE_NAME.into(), |svc| svc.name.clone());
        Ok(Some(NextAction::Terminal { account: payment.customer_id.clone(), service_name }))
    }

    /// The sum a terminal top-up actually brought to a Payment Page payment (the customer
    /// chooses the amount at the terminal; it may differ from `payment_amount`).
    fn settled_sum(&self, op: &OperationRow) -> Option<Sum> {
        let data: Value = serde_json::from_str(&op.data).ok()?;
        let d = data.get(DEPOSIT_KEY)?;
        Some(Sum { amount: MinorUnits(d.get("amount")?.as_i64()?), currency: d.get("currency")?.as_str()?.to_string() })
    }

    fn expire_due(&self, s: &Shared) -> Result<usize, HttpError> {
        expire_due(s)
    }
}

/// The key in a settled Payment Page operation's `data` that holds the top-up.
const DEPOSIT_KEY: &str = "paydala_deposit";

// ---------------------------------------------------------------------------------------
// Calling the merchant
// ---------------------------------------------------------------------------------------

/// How a call to the merchant's web service (`verify`, `check_deposit`) ended, as the
/// terminal shows it (`data-outcome`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MerchantCallOutcome {
    Ok,
    NotFound,
    BadSignature,
    MerchantError,
    Garbage,
    Timeout,
    Unreachable,
    /// `check_deposit` answered a `payment_id` an earlier top-up already has.
    Duplicate,
    /// `check_deposit` answered the `payment_id` of a payment this top-up cannot pay
    /// (another account's checkout, or one not waiting for a PayDala top-up).
    Mismatch,
}

impl MerchantCallOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            MerchantCallOutcome::Ok => "ok",
            MerchantCallOutcome::NotFound => "not_found",
            MerchantCallOutcome::BadSignature => "bad_signature",
            MerchantCallOutcome::MerchantError => "merchant_error",
            MerchantCallOutcome::Garbage => "garbage",
            MerchantCallOutcome::Timeout => "timeout",
            MerchantCallOutcome::Unreachable => "unreachable",
            MerchantCallOutcome::Duplicate => "duplicate",
            MerchantCallOutcome::Mismatch => "mismatch",
        }
    }

    fn parse(s: &str) -> MerchantCallOutcome {
        match s {
            "ok" => MerchantCallOutcome::Ok,
            "not_found" => MerchantCallOutcome::NotFound,
            "bad_signature" => MerchantCallOutcome::BadSignature,
            "garbage" => MerchantCallOutcome::Garbage,
            "timeout" => MerchantCallOutcome::Timeout,
            "unreachable" => MerchantCallOutcome::Unreachable,
            "duplicate" => MerchantCallOutcome::Duplicate,
            "mismatch" => MerchantCallOutcome::Mismatch,
            _ => MerchantCallOutcome::MerchantError,
        }
    }

    /// The heading the terminal shows.
    fn title(self, deposit: bool) -> &'static str {
        match (self, deposit) {
            (MerchantCallOutcome::Ok, false) => "Account found",
            (MerchantCallOutcome::Ok, true) => "Top-up complete",
            (MerchantCallOutcome::Timeout, true) => "No answer from the shop: top-up not completed",
            (MerchantCallOutcome::NotFound, _) => "Unknown account",
            (MerchantCallOutcome::BadSignature, _) => "Signature refused by the shop",
            (MerchantCallOutcome::MerchantError, _) => "The shop reported an error",
            (MerchantCallOutcome::Garbage, _) => "The shop's answer is unreadable",
            (MerchantCallOutcome::Timeout, _) => "The shop did not answer in time",
            (MerchantCallOutcome::Unreachable, _) => "The shop's web service is unreachable",
            (MerchantCallOutcome::Duplicate, _) => "Already recorded",
            (MerchantCallOutcome::Mismatch, _) => "The shop named a payment this top-up cannot pay",
        }
    }
}

/// A failed call, ready to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub outcome: MerchantCallOutcome,
    pub message: String,
}

impl Failure {
    fn new(outcome: MerchantCallOutcome, message: impl Into<String>) -> Failure {
        Failure { outcome, message: message.into() }
    }
}

enum CallError {
    Timeout,
    Unreachable(String),
    TooLarge,
}

/// POSTs `body` (JSON) to the merchant; the whole exchange is bounded by the timeout.
async fn post_to_merchant(s: &Shared, url: &str, body: &Value) -> Result<(u16, String), CallError> {
    let exchange = async {
        let mut resp = s
            .http
            .post(url)
            .timeout(s.paydala.timeout)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body.to_string())
            .send()
            .await
            .map_err(|e| if e.is_timeout() { CallError::Timeout } else { CallError::Unreachable(error_chain(&e)) })?;
        let status = resp.status().as_u16();
        let mut buf = Vec::new();
        loop {
            match resp.chunk().await {
                Ok(Some(chunk)) => {
                    buf.extend_from_slice(&chunk);
                    if buf.len() > MAX_ANSWER_BYTES {
                        return Err(CallError::TooLarge);
                    }
                }
                Ok(None) => break,
                Err(e) if e.is_timeout() => return Err(CallError::Timeout),
                Err(e) => return Err(CallError::Unreachable(error_chain(&e))),
            }
        }
        Ok((status, String::from_utf8_lossy(&buf).into_owned()))
    };
    match tokio::time::timeout(s.paydala.timeout, exchange).await {
        Ok(r) => r,
        Err(_) => Err(CallError::Timeout),
    }
}

/// reqwest's message plus its causes ("error sending request: connection refused").
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let more = s.to_string();
        if !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        source = s.source();
    }
    text
}

/// The start of an unreadable answer, for the message.
fn snippet(text: &str) -> String {
    let t: String = text.trim().chars().take(80).collect();
    if t.is_empty() {
        "an empty body".into()
    } else if text.trim().chars().count() > 80 {
        format!("\u{201c}{t}\u{2026}\u{201d}")
    } else {
        format!("\u{201c}{t}\u{201d}")
    }
}

fn call_failure(e: CallError, s: &Shared, url: &str) -> Failure {
    match e {
        CallError::Timeout => Failure::new(
            MerchantCallOutcome::Timeout,
            format!(
                "The shop's web service did not answer within {} ms; nothing was booked by the platform.",
                s.paydala.timeout.as_millis()
            ),
        ),
        CallError::Unreachable(e) => {
            Failure::new(MerchantCallOutcome::Unreachable, format!("Cannot reach the shop's web service at {url}: {e}."))
        }
        CallError::TooLarge => Failure::new(
            MerchantCallOutcome::Garbage,
            format!("The shop's answer is larger than {MAX_ANSWER_BYTES} bytes: not a PayDala answer."),
        ),
    }
}

fn coded_failure(code: ResponseCode, message: Option<&str>) -> Failure {
    let told = message.filter(|m| !m.trim().is_empty());
    match code {
        ResponseCode::NotFound => Failure::new(
            MerchantCallOutcome::NotFound,
            // Seed 000: 404 is "no such account" and also "the request cannot be processed".
            format!(
                "The shop has no such account, or cannot process the request (code 404){}.",
                told.map(|m| format!(": {m}")).unwrap_or_default()
            ),
        ),
        ResponseCode::BadSignature => Failure::new(
            MerchantCallOutcome::BadSignature,
            format!(
                "The shop refused the request's signature (code 400){}. The shop's web service must check signatures with project {PROJECT_ID}'s secret.",
                told.map(|m| format!(": {m}")).unwrap_or_default()
            ),
        ),
        // Code 500 always has a message (the parser insists).
        _ => Failure::new(MerchantCallOutcome::MerchantError, format!("The shop's web service failed (code 500): {}", told.unwrap_or("no message"))),
    }
}

fn garbage(status: u16, e: &paydala::ResponseError, text: &str) -> Failure {
    Failure::new(MerchantCallOutcome::Garbage, format!("HTTP {status}, {e}. The answer began with {}.", snippet(text)))
}

/// A found account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub currency: String,
    pub additional_customer_id: Option<String>,
}

/// Sends the signed `verify` for `account` and reads the answer.
pub async fn verify_account(s: &Shared, service: &Service, secret: &str, account: &str) -> Result<Verified, Failure> {
    let body = paydala::build_verify(service.project_id, account, secret);
    let (status, text) = post_to_merchant(s, &service.merchant_url, &body).await.map_err(|e| call_failure(e, s, &service.merchant_url))?;
    let answer = paydala::parse_verify_response(&text).map_err(|e| garbage(status, &e, &text))?;
    match (answer.code(), answer.currency()) {
        (ResponseCode::Ok, Some(CURRENCY)) => {
            Ok(Verified { currency: CURRENCY.into(), additional_customer_id: answer.additional_customer_id().map(str::to_string) })
        }
        (ResponseCode::Ok, currency) => Err(Failure::new(
            MerchantCallOutcome::MerchantError,
            format!("The shop answered currency {}, but PayDala terminals take {CURRENCY} only.", currency.unwrap_or("(none)")),
        )),
        (code, _) => Err(coded_failure(code, answer.message())),
    }
}

/// The signed `check_deposit`: seed 000's keys, in its order, and nothing else.
pub fn check_deposit_body(project_id: u64, account: &str, amount: MinorUnits, currency: &str, secret: &str) -> Value {
    paydala::build_check_deposit(project_id, account, amount, currency, secret)
}

/// What the merchant answered to `check_deposit`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Booked {
    pub payment_id: String,
    pub description: Option<String>,
}

async fn request_deposit(s: &Shared, service: &Service, body: &Value) -> Result<Booked, Failure> {
    let (status, text) = post_to_merchant(s, &service.merchant_url, body).await.map_err(|e| call_failure(e, s, &service.merchant_url))?;
    let answer = paydala::parse_check_deposit_response(&text).map_err(|e| garbage(status, &e, &text))?;
    match (answer.code(), answer.payment_id()) {
        (ResponseCode::Ok, Some(id)) => Ok(Booked { payment_id: id.to_string(), description: answer.description().map(str::to_string) }),
        (ResponseCode::Ok, None) => Err(Failure::new(MerchantCallOutcome::Garbage, "code 0 without payment_id")),
        (code, _) => Err(coded_failure(code, answer.message())),
    }
}

// ---------------------------------------------------------------------------------------
// Terminal transactions
// ---------------------------------------------------------------------------------------

#[derive(Debug, Clone)]
struct Txn {
    id: String,
    project_id: u64,
    account: String,
    currency: String,
    additional_customer_id: Option<String>,
    state: String,
    amount: Option<i64>,
    outcome: Option<String>,
    message: Option<String>,
    merchant_payment_id: Option<String>,
    page_payment_id: Option<String>,
}

fn txn(c: &Connection, id: &str) -> rusqlite::Result<Option<Txn>> {
    c.query_row(
        "SELECT id, project_id, account, currency, additional_customer_id, state, amount, outcome, message,
                merchant_payment_id, page_payment_id
         FROM paydala_transactions WHERE id = ?1",
        [id],
        |r| {
            Ok(Txn {
                id: r.get(0)?,
                project_id: r.get::<_, i64>(1)? as u64,
                account: r.get(2)?,
                currency: r.get(3)?,
                additional_customer_id: r.get(4)?,
                state: r.get(5)?,
                amount: r.get(6)?,
                outcome: r.get(7)?,
                message: r.get(8)?,
                merchant_payment_id: r.get(9)?,
                page_payment_id: r.get(10)?,
            })
        },
    )
    .optional()
}

fn fail_txn(c: &Connection, id: &str, f: &Failure) -> rusqlite::Result<()> {
    c.execute(
        "UPDATE paydala_transactions SET state = 'failed', outcome = ?2, message = ?3 WHERE id = ?1",
        params![id, f.outcome.as_str(), f.message],
    )?;
    Ok(())
}

/// The newest Payment Page payment of the project waiting for a top-up of `account`.
fn pending_page_operation(c: &Connection, project_id: u64, account: &str, currency: &str) -> rusqlite::Result<Option<i64>> {
    c.query_row(
        "SELECT o.id FROM operations o JOIN payments p ON p.rowid = o.payment_rowid
         WHERE p.project_id = ?1 AND p.customer_id = ?2 AND p.currency = ?3
           AND o.kind = 'sale' AND o.method = ?4 AND o.status = ?5
         ORDER BY o.id DESC LIMIT 1",
        params![project_id as i64, account, currency, MethodCode::Paydala.as_str(), PaymentStatus::AwaitingCustomer.as_str()],
        |r| r.get(0),
    )
    .optional()
}

/// The seed's PayDala callback for a recorded top-up (seed 000, "Формат оповещений"):
/// `payment.id` is the payment the top-up paid, `account.number` the account, no
/// `customer`, PayDala's provider block after `code, message`. `payment.description` is the
/// checkout's own; a top-up started at the terminal has none (the seed's example sends ""
/// although the merchant's `check_deposit` answer said "Success").
fn top_up_callback(project_id: u64, payment: &PaymentRow, account: &str, op: &OperationRow, sum: &Sum, page: bool) -> Callback {
    let date = op.date.clone().unwrap_or_else(|| op.created_date.clone());
    Callback {
        project_id: Id::Int(project_id as i64),
        payment: CallbackPayment {
            id: payment.payment_id.clone(),
            kind: "purchase".into(),
            status: PaymentStatus::Success,
            date,
            method: TITLE.into(),
            sum: sum.clone(),
            description: if page { payment.description.clone().unwrap_or_default() } else { String::new() },
        },
        customer: None,
        account: Some(CallbackAccount { number: account.to_string() }),
        operation: Some(operation_of(op, sum, PROVIDER_ID)),
        redirect_data: None,
        signature: None,
    }
}

/// Which payment a booked top-up pays.
enum Target {
    /// A Payment Page PayDala payment waiting for this account: its sale operation.
    Page(Box<OperationRow>),
    /// A new payment with the merchant's `payment_id` (a top-up started at the terminal).
    New,
}

/// The payment a top-up pays, from the merchant's `check_deposit` answer (seed 000: the
/// answer's `payment_id` is the merchant's id of the payment, and the callback names it):
/// - the id of a Payment Page PayDala payment waiting for a top-up of this account (the
///   checkout the merchant opened for it): that payment;
/// - a fresh id while such a checkout waits: the newest waiting checkout (the customer
///   came from it; one top-up is one payment, so no second payment is made for the fresh
///   id, which stays on the terminal's receipt);
/// - a fresh id and nothing waiting: a new payment with that id;
/// - any other existing id: refused (a final payment, an earlier top-up, another
///   account's or method's payment), nothing booked and no callback.
fn target(c: &Connection, t: &Txn, booked: &Booked) -> rusqlite::Result<Result<Target, Failure>> {
    let Some(named) = store::payment_by_id(c, t.project_id, &booked.payment_id)? else {
        return Ok(Ok(match pending_page_operation(c, t.project_id, &t.account, &t.currency)? {
            Some(op_id) => Target::Page(Box::new(store::operation(c, op_id)?.ok_or(rusqlite::Error::QueryReturnedNoRows)?)),
            None => Target::New,
        }));
    };
    let sale = store::sale_operation(c, named.rowid)?;
    let waiting =
        sale.filter(|op| op.method == MethodCode::Paydala.as_str() && PaymentStatus::parse(&op.status) == PaymentStatus::AwaitingCustomer);
    let id = &booked.payment_id;
    Ok(match waiting {
        Some(op) if named.customer_id == t.account && named.currency == t.currency => Ok(Target::Page(Box::new(op))),
        Some(_) => Err(Failure::new(
            MerchantCallOutcome::Mismatch,
            format!(
                "The shop answered payment_id {id:?}, a checkout waiting for a top-up of account {:?} in {}, not of account {:?} in {}: nothing booked.",
                named.customer_id, named.currency, t.account, t.currency
            ),
        )),
        None if named.status.as_deref().map(PaymentStatus::parse).is_some_and(|st| st.is_final()) => Err(Failure::new(
            MerchantCallOutcome::Duplicate,
            format!(
                "The shop answered payment_id {id:?}, which {} already has in project {}: recorded once, no second callback.",
                if named.method.as_deref() == Some(MethodCode::Paydala.as_str()) { "an earlier top-up" } else { "another payment" },
                t.project_id
            ),
        )),
        None => Err(Failure::new(
            MerchantCallOutcome::Mismatch,
            format!(
                "The shop answered payment_id {id:?}, a payment of project {} that is not waiting for a PayDala top-up (status {}): nothing booked.",
                t.project_id,
                named.status.as_deref().unwrap_or("not paid")
            ),
        )),
    })
}

/// Records a booked top-up: the payment it pays ([`target`]), its successful sale, the
/// signed callback naming that payment, the terminal transaction, all in one transaction.
fn record_deposit(
    s: &Shared,
    t: &Txn,
    amount: i64,
    request_id: &str,
    started: &str,
    booked: &Booked,
) -> Result<Result<(), Failure>, HttpError> {
    let now_ms = now_ms();
    let now = callback_date_ms(now_ms);
    let sum = Sum { amount: MinorUnits(amount), currency: t.currency.clone() };
    let recorded = s.store.with(|c| {
        let tx = c.transaction()?;
        let project = store::project(&tx, t.project_id)?.ok_or(rusqlite::Error::QueryReturnedNoRows)?;
        let target = match target(&tx, t, booked)? {
            Ok(target) => target,
            Err(f) => {
                fail_txn(&tx, &t.id, &f)?;
                tx.execute("UPDATE paydala_transactions SET merchant_payment_id = ?2 WHERE id = ?1", params![t.id, booked.payment_id])?;
                tx.commit()?;
                return Ok(Err(f));
            }
        };
        let terminal = json!({ "transaction": t.id, "account": t.account });
        let (rowid, op_id, page_payment_id) = match target {
            Target::Page(page_op) => {
                // The checkout's own sale operation ends: the deposited sum, the terminal's
                // transaction and the merchant's answer kept in its data.
                let mut page_data: Value = serde_json::from_str(&page_op.data).unwrap_or_else(|_| json!({}));
                if !page_data.is_object() {
                    page_data = json!({});
                }
                page_data[DEPOSIT_KEY] = json!({ "amount": amount, "currency": t.currency, "payment_id": booked.payment_id });
                page_data["paydala_terminal"] = terminal;
                tx.execute("UPDATE operations SET data = ?2 WHERE id = ?1", params![page_op.id, page_data.to_string()])?;
                let page = store::payment(&tx, page_op.payment_rowid)?.ok_or(rusqlite::Error::QueryReturnedNoRows)?;
                (page_op.payment_rowid, page_op.id, Some(page.payment_id))
            }
            Target::New => {
                let rowid = store::insert_payment(
                    &tx,
                    &NewPayment {
                        project_id: t.project_id,
                        payment_id: &booked.payment_id,
                        amount,
                        currency: &t.currency,
                        customer_id: &t.account,
                        description: booked.description.as_deref(),
                        created_at: started,
                    },
                )?;
                let mut data = serde_json::to_value(OperationData::default()).map_err(|e| store::store_error(e.to_string()))?;
                data["paydala_terminal"] = terminal;
                let op_id = store::insert_operation(
                    &tx,
                    &NewOperation {
                        payment_rowid: rowid,
                        kind: "sale",
                        method: MethodCode::Paydala.as_str(),
                        status: PaymentStatus::Processing.as_str(),
                        created_date: started,
                        request_id,
                        data: &data.to_string(),
                    },
                )?;
                (rowid, op_id, None)
            }
        };
        let result = OperationResult {
            status: PaymentStatus::Success.as_str(),
            date: &now,
            code: "0",
            message: "Success",
            provider_payment_id: &t.id,
        };
        store::finish_operation(&tx, op_id, &result)?;
        store::set_payment_status(&tx, rowid, PaymentStatus::Success.as_str(), MethodCode::Paydala.as_str(), &now)?;
        let op = store::operation(&tx, op_id)?.ok_or(rusqlite::Error::QueryReturnedNoRows)?;
        let payment = store::payment(&tx, rowid)?.ok_or(rusqlite::Error::QueryReturnedNoRows)?;
        let body = signed_callback(&project, &top_up_callback(project.id, &payment, &t.account, &op, &sum, page_payment_id.is_some()))?;
        store::enqueue_callback(&tx, project.id, rowid, Some(op_id), &body, &now, now_ms)?;
        tx.execute(
            "UPDATE paydala_transactions SET state = 'done', outcome = 'ok', message = NULL, merchant_payment_id = ?2,
                    payment_rowid = ?3, page_payment_id = ?4
             WHERE id = ?1",
            params![t.id, booked.payment_id, rowid, page_payment_id],
        )?;
        tx.commit()?;
        Ok(Ok(()))
    })?;
    if recorded.is_ok() {
        s.outbox_wake.notify_one();
    }
    Ok(recorded)
}

// ---------------------------------------------------------------------------------------
// Lifetime of a Payment Page PayDala payment (seed 000: base 1 minute, limit 36 days)
// ---------------------------------------------------------------------------------------

/// `operation.code` of a Payment Page PayDala payment declined because no top-up came
/// within its lifetime (the platform's general decline code, as for an expired EPay code).
pub const LIFETIME_CODE: &str = "20000";

/// `operation.message` of that decline.
pub fn lifetime_message(lifetime: Duration) -> String {
    format!("PayDala payment lifetime expired: no top-up at a terminal within {}", shown_duration(lifetime))
}

fn shown_duration(d: Duration) -> String {
    let secs = d.as_secs();
    let (n, unit) = if secs.is_multiple_of(86_400) {
        (secs / 86_400, "day")
    } else if secs.is_multiple_of(3600) {
        (secs / 3600, "hour")
    } else if secs.is_multiple_of(60) {
        (secs / 60, "minute")
    } else {
        (secs, "second")
    };
    format!("{n} {unit}{}", if n == 1 { "" } else { "s" })
}

/// Declines every Payment Page PayDala payment still `awaiting customer` after the
/// configured lifetime: operation and payment `decline` ([`LIFETIME_CODE`],
/// [`lifetime_message`]) and the signed callback, one transaction each
/// (`operations::finish_sale`); returns how many.
/// The widget's status then shows the decline with that message.
pub fn expire_due(s: &Shared) -> Result<usize, HttpError> {
    let lifetime_ms = i64::try_from(s.paydala.lifetime.as_millis()).unwrap_or(i64::MAX);
    // Dates are `YYYY-MM-DDTHH:MM:SS+0000`: their text order is their time order.
    let cutoff = callback_date_ms(now_ms().saturating_sub(lifetime_ms));
    let message = lifetime_message(s.paydala.lifetime);
    let due: Vec<i64> = s.store.with(|c| {
        let mut stmt =
            c.prepare("SELECT id FROM operations WHERE kind = 'sale' AND method = ?1 AND status = ?2 AND created_date <= ?3 ORDER BY id")?;
        let rows = stmt.query_map(params![MethodCode::Paydala.as_str(), PaymentStatus::AwaitingCustomer.as_str(), cutoff], |r| r.get(0))?;
        rows.collect()
    })?;
    let mut n = 0;
    for op_id in due {
        let end = finish_sale(
            s,
            op_id,
            // A top-up may have settled it meanwhile.
            |_, op, _| {
                Ok((PaymentStatus::parse(&op.status) == PaymentStatus::AwaitingCustomer)
                    .then(|| SaleResult::decline(LIFETIME_CODE, message.clone(), "")))
            },
            // Seed 000's callback shape: `account`, no `customer`, PayDala's provider.
            |_, project, payment, op, data| {
                let mut cb = callback(TITLE, project, payment, op, data);
                cb.customer = None;
                cb.account = Some(CallbackAccount { number: payment.customer_id.clone() });
                if let Some(o) = cb.operation.as_mut() {
                    o.provider.id = PROVIDER_ID;
                }
                Ok(cb)
            },
        )?;
        if matches!(end, SaleEnd::Ended { .. }) {
            n += 1;
        }
    }
    Ok(n)
}

/// Reads an amount typed in major units (`1000`, `1000.00`, `1 000,5`) into minor units.
pub fn parse_major(text: &str, currency: &str) -> Result<i64, String> {
    let exp = exponent(currency) as usize;
    let compact: String = text.chars().filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '\'')).collect();
    let rule = if exp == 0 {
        format!("a whole number of {currency} such as 1000")
    } else {
        format!("an amount in {currency} such as 1000 or 1000.{}", "0".repeat(exp))
    };
    let (int, frac) = match compact.split_once(['.', ',']) {
        Some((i, f)) => (i, f),
        None => (compact.as_str(), ""),
    };
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if int.is_empty()
        || int.len() > 12
        || !digits(int)
        || !digits(frac)
        || frac.len() > exp
        || (compact.contains(['.', ',']) && frac.is_empty())
    {
        return Err(format!("Amount: enter {rule}."));
    }
    let major: i64 = int.parse().map_err(|_| format!("Amount: enter {rule}."))?;
    let minor: i64 = if frac.is_empty() { 0 } else { format!("{frac:0<exp$}").parse().unwrap_or(0) };
    let value =
        major.checked_mul(10i64.pow(exp as u32)).and_then(|m| m.checked_add(minor)).ok_or_else(|| format!("Amount: enter {rule}."))?;
    if value <= 0 {
        return Err("Amount: must be more than zero.".into());
    }
    Ok(value)
}

// ---------------------------------------------------------------------------------------
// Pages
// ---------------------------------------------------------------------------------------

/// No scripts, styles only from our stylesheets.
const SHELL: html::Shell = html::Shell {
    brand: "PayDala terminal",
    kind: "sandbox simulation",
    title_suffix: "PayDala terminal (sandbox)",
    stylesheets: &[html::STYLESHEET_PATH, STYLESHEET_PATH],
    body_class: Some("paydala"),
    main_class: "sim terminal",
    csp: "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
};

fn page(status: StatusCode, title: &str, body: &str) -> Response {
    html::page_in(&SHELL, status, title, body)
}

fn message_page(status: StatusCode, title: &str, message: &str) -> Response {
    page(
        status,
        title,
        &format!(
            "<p class=\"error\" role=\"alert\">{}</p>\n<p><a id=\"again\" href=\"{TERMINAL_PATH}\">Start again</a></p>",
            escape(message)
        ),
    )
}

const TEST_ACCOUNTS: &str = "<p class=\"note\">Accounts at the demo shop: <b>7123456789</b> and <b>7000000001</b> exist. \
     Test knobs: 7000000400 (the shop refuses the signature), 7000000500 (the shop fails with a message), \
     7000000999 (the shop answers garbage), 7000000777 (the shop answers too late). Any other number is unknown.</p>";

/// The first screen: pick the service, type the account.
fn check_form(s: &Shared, selected: Option<u64>, account: &str, error: Option<&str>) -> String {
    let options: String = s
        .paydala
        .services
        .iter()
        .map(|svc| {
            format!(
                "<option value=\"{}\"{}>{}</option>",
                svc.project_id,
                if selected == Some(svc.project_id) { " selected" } else { "" },
                escape(&svc.name)
            )
        })
        .collect();
    let (invalid, error_html) = match error {
        Some(e) => (
            " aria-invalid=\"true\" aria-describedby=\"account-error\"",
            format!("<p id=\"account-error\" class=\"error\" role=\"alert\">{}</p>\n", escape(e)),
        ),
        None => ("", String::new()),
    };
    format!(
        "<form method=\"post\" action=\"{CHECK_PATH}\" class=\"terminal-form\">\n\
         <div class=\"field\"><label for=\"service\">Service</label>\n<select id=\"service\" name=\"service\">{options}</select></div>\n\
         <div class=\"field\"><label for=\"account\">Account number</label>\n\
         <input id=\"account\" name=\"account\" inputmode=\"numeric\" autocomplete=\"off\" required maxlength=\"255\" value=\"{}\"{invalid}></div>\n\
         {error_html}<button type=\"submit\" id=\"check\">Check account</button>\n</form>\n",
        escape(account),
    )
}

fn result_section(id: &str, outcome: MerchantCallOutcome, deposit: bool, inner: &str) -> String {
    let (class, role) = if matches!(outcome, MerchantCallOutcome::Ok) { ("result ok", "status") } else { ("result bad", "alert") };
    format!(
        "<section id=\"{id}\" class=\"{class}\" data-outcome=\"{}\" role=\"{role}\" aria-labelledby=\"{id}-title\">\n\
         <h2 id=\"{id}-title\">{}</h2>\n{inner}</section>\n",
        outcome.as_str(),
        escape(outcome.title(deposit)),
    )
}

fn service_name(s: &Shared, project_id: u64) -> String {
    s.paydala.service(project_id).map(|svc| svc.name.clone()).unwrap_or_else(|| format!("project {project_id}"))
}

/// The screen after a successful check: the account, and the amount to top up.
fn deposit_form(s: &Shared, t: &Txn, amount: &str, error: Option<&str>) -> String {
    let mut details = format!(
        "<dl>\n<dt>Service</dt><dd id=\"service-name\">{}</dd>\n<dt>Account</dt><dd id=\"account-number\">{}</dd>\n\
         <dt>Currency</dt><dd id=\"currency\">{}</dd>\n",
        escape(&service_name(s, t.project_id)),
        escape(&t.account),
        escape(&t.currency),
    );
    if let Some(id) = &t.additional_customer_id {
        details.push_str(&format!("<dt>Customer at the shop</dt><dd id=\"additional-id\">{}</dd>\n", escape(id)));
    }
    details.push_str("</dl>\n");
    let (invalid, error_html) = match error {
        Some(e) => (
            " aria-invalid=\"true\" aria-describedby=\"amount-error\"",
            format!("<p id=\"amount-error\" class=\"error\" role=\"alert\">{}</p>\n", escape(e)),
        ),
        None => ("", String::new()),
    };
    format!(
        "{}<form method=\"post\" action=\"{DEPOSIT_PATH}\" class=\"terminal-form\">\n\
         <input type=\"hidden\" name=\"txn\" value=\"{}\">\n\
         <div class=\"field\"><label for=\"amount\">Amount, {}</label>\n\
         <input id=\"amount\" name=\"amount\" inputmode=\"decimal\" autocomplete=\"off\" required placeholder=\"1000.00\" value=\"{}\"{invalid}></div>\n\
         {error_html}<button type=\"submit\" id=\"deposit\">Top up</button>\n</form>\n\
         <p><a id=\"cancel\" href=\"{TERMINAL_PATH}\">Cancel</a></p>\n",
        result_section("verify-result", MerchantCallOutcome::Ok, false, &details),
        escape(&t.id),
        escape(&t.currency),
        escape(amount),
    )
}

/// The recorded end of a transaction's deposit, shown again on every repeat.
fn deposit_result(s: &Shared, t: &Txn) -> Response {
    let again = format!("<p><a id=\"again\" href=\"{TERMINAL_PATH}\">New top-up</a></p>\n");
    let amount = t.amount.map(|a| MinorUnits(a).format_plain(&t.currency)).unwrap_or_default();
    match t.state.as_str() {
        "done" => {
            let mut details = format!(
                "<dl>\n<dt>Service</dt><dd id=\"service-name\">{}</dd>\n<dt>Account</dt><dd id=\"account-number\">{}</dd>\n\
                 <dt>Amount</dt><dd id=\"deposit-amount\">{}</dd>\n<dt>Shop's payment id</dt><dd id=\"payment-id\">{}</dd>\n\
                 <dt>Terminal transaction</dt><dd id=\"transaction\">{}</dd>\n",
                escape(&service_name(s, t.project_id)),
                escape(&t.account),
                escape(&amount),
                escape(t.merchant_payment_id.as_deref().unwrap_or("")),
                escape(&t.id),
            );
            if let Some(p) = &t.page_payment_id {
                details.push_str(&format!("<dt>Checkout settled</dt><dd id=\"page-payment\">{}</dd>\n", escape(p)));
            }
            details.push_str("</dl>\n<p class=\"note\">The shop gets the signed result callback. Keep your receipt.</p>\n");
            page(
                StatusCode::OK,
                "Receipt",
                &format!("{}{again}", result_section("deposit-result", MerchantCallOutcome::Ok, true, &details)),
            )
        }
        "failed" => {
            let outcome = MerchantCallOutcome::parse(t.outcome.as_deref().unwrap_or(""));
            let inner = format!(
                "<p class=\"message\">{}</p>\n<p class=\"note\">Account {}, amount {}. No money was taken by this terminal.</p>\n",
                escape(t.message.as_deref().unwrap_or("")),
                escape(&t.account),
                escape(&amount),
            );
            page(StatusCode::OK, "Receipt", &format!("{}{again}", result_section("deposit-result", outcome, true, &inner)))
        }
        _ => {
            let inner = "<p class=\"message\">This top-up was already sent to the shop and is still waiting for its answer. \
                         It is not sent twice.</p>\n";
            page(
                StatusCode::OK,
                "Top-up in progress",
                &format!(
                    "<section id=\"deposit-result\" class=\"result\" data-outcome=\"in_progress\" role=\"status\">{inner}</section>\n{again}"
                ),
            )
        }
    }
}

/// The result of a transaction another request already sent: if that request is still
/// waiting for the shop, wait for it (at most the merchant timeout) rather than answer
/// "in progress" to a double click.
async fn settled_result(s: &Shared, mut t: Txn) -> Response {
    let deadline = tokio::time::Instant::now() + s.paydala.timeout + Duration::from_millis(500);
    while t.state == "depositing" || t.state == "verified" {
        if tokio::time::Instant::now() >= deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
        t = match s.store.with(|c| txn(c, &t.id)) {
            Ok(Some(now)) => now,
            Ok(None) => return message_page(StatusCode::NOT_FOUND, "Unknown top-up", "This terminal has no such transaction."),
            Err(e) => return message_page(StatusCode::INTERNAL_SERVER_ERROR, "Sandbox error", &format!("database: {e}")),
        };
    }
    deposit_result(s, &t)
}

async fn stylesheet() -> Response {
    html::css(STYLESHEET)
}

/// `GET /sim/paydala`: the terminal's first screen.
async fn terminal(State(s): State<AppState>) -> Response {
    let body = format!(
        "<p class=\"lead\">Top up an account at a shop, as a customer at a PayDala terminal does.</p>\n{}{TEST_ACCOUNTS}",
        check_form(&s, None, "", None)
    );
    page(StatusCode::OK, "Top up an account", &body)
}

#[derive(Debug, Deserialize)]
struct CheckForm {
    service: Option<String>,
    account: Option<String>,
}

/// `POST /sim/paydala/check`: sends `verify` to the shop and shows what it said.
async fn check(State(s): State<AppState>, form: Result<Form<CheckForm>, FormRejection>) -> Response {
    let Form(form) = match form {
        Ok(f) => f,
        Err(e) => return message_page(StatusCode::BAD_REQUEST, "Cannot read the form", &e.body_text()),
    };
    let service = form.service.as_deref().and_then(|v| v.trim().parse::<u64>().ok()).and_then(|id| s.paydala.service(id).cloned());
    let Some(service) = service else {
        return page(
            StatusCode::BAD_REQUEST,
            "Choose a service",
            &check_form(&s, None, form.account.as_deref().unwrap_or(""), Some("Service: choose one of the listed services.")),
        );
    };
    let account = form.account.as_deref().unwrap_or("").trim().to_string();
    if account.is_empty() || account.chars().count() > 255 || account.chars().any(char::is_control) {
        let error = if account.is_empty() {
            "Account number: type the account to top up."
        } else {
            "Account number: at most 255 characters, no control characters."
        };
        return page(StatusCode::BAD_REQUEST, "Top up an account", &check_form(&s, Some(service.project_id), &account, Some(error)));
    }
    let secret = match s.store.with(|c| store::project(c, service.project_id)) {
        Ok(Some(p)) => p.secret,
        Ok(None) => return message_page(StatusCode::INTERNAL_SERVER_ERROR, "Sandbox error", "The service's project is missing."),
        Err(e) => return message_page(StatusCode::INTERNAL_SERVER_ERROR, "Sandbox error", &format!("database: {e}")),
    };
    match verify_account(&s, &service, &secret, &account).await {
        Ok(v) => {
            let id = match random_hex(16) {
                Ok(id) => id,
                Err(e) => return message_page(StatusCode::INTERNAL_SERVER_ERROR, "Sandbox error", &e.1.error.message),
            };
            let now = callback_date_ms(now_ms());
            let t = Txn {
                id,
                project_id: service.project_id,
                account,
                currency: v.currency,
                additional_customer_id: v.additional_customer_id,
                state: "verified".into(),
                amount: None,
                outcome: None,
                message: None,
                merchant_payment_id: None,
                page_payment_id: None,
            };
            let saved = s.store.with(|c| {
                c.execute(
                    "INSERT INTO paydala_transactions (id, project_id, account, currency, additional_customer_id, state, created_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, 'verified', ?6)",
                    params![t.id, t.project_id as i64, t.account, t.currency, t.additional_customer_id, now],
                )
            });
            if let Err(e) = saved {
                return message_page(StatusCode::INTERNAL_SERVER_ERROR, "Sandbox error", &format!("database: {e}"));
            }
            page(StatusCode::OK, "Enter the amount", &deposit_form(&s, &t, "", None))
        }
        Err(f) => {
            let inner = format!(
                "<p class=\"message\">{}</p>\n<dl>\n<dt>Service</dt><dd id=\"service-name\">{}</dd>\n<dt>Account</dt><dd id=\"account-number\">{}</dd>\n</dl>\n",
                escape(&f.message),
                escape(&service.name),
                escape(&account),
            );
            let body = format!(
                "{}{}{TEST_ACCOUNTS}",
                result_section("verify-result", f.outcome, false, &inner),
                check_form(&s, Some(service.project_id), &account, None)
            );
            page(StatusCode::OK, "Account check failed", &body)
        }
    }
}

#[derive(Debug, Deserialize)]
struct DepositForm {
    txn: Option<String>,
    amount: Option<String>,
}

/// `POST /sim/paydala/deposit`: sends `check_deposit` once per terminal transaction.
async fn deposit(State(s): State<AppState>, form: Result<Form<DepositForm>, FormRejection>) -> Response {
    let Form(form) = match form {
        Ok(f) => f,
        Err(e) => return message_page(StatusCode::BAD_REQUEST, "Cannot read the form", &e.body_text()),
    };
    let id = form.txn.as_deref().unwrap_or("").trim().to_string();
    let found = match s.store.with(|c| txn(c, &id)) {
        Ok(t) => t,
        Err(e) => return message_page(StatusCode::INTERNAL_SERVER_ERROR, "Sandbox error", &format!("database: {e}")),
    };
    let Some(t) = found else {
        return message_page(
            StatusCode::NOT_FOUND,
            "Unknown top-up",
            "This terminal has no such transaction (txn). Check the account again to start a top-up.",
        );
    };
    if t.state != "verified" {
        // A double click, a reload, the back button: never a second check_deposit.
        return settled_result(&s, t).await;
    }
    let typed = form.amount.as_deref().unwrap_or("").trim().to_string();
    let amount = match parse_major(&typed, &t.currency) {
        Ok(a) => a,
        Err(e) => return page(StatusCode::BAD_REQUEST, "Enter the amount", &deposit_form(&s, &t, &typed, Some(&e))),
    };
    let Some(service) = s.paydala.service(t.project_id).cloned() else {
        return message_page(StatusCode::INTERNAL_SERVER_ERROR, "Sandbox error", "The service is no longer configured.");
    };
    let request_id = match random_hex(32) {
        Ok(r) => r,
        Err(e) => return message_page(StatusCode::INTERNAL_SERVER_ERROR, "Sandbox error", &e.1.error.message),
    };
    let started = callback_date_ms(now_ms());
    // Claim the transaction: only the request that moves it out of `verified` goes on.
    let claimed = s.store.with(|c| {
        let n = c.execute(
            "UPDATE paydala_transactions SET state = 'depositing', amount = ?2, request_id = ?3, deposit_started_at = ?4
             WHERE id = ?1 AND state = 'verified'",
            params![t.id, amount, request_id, started],
        )?;
        let secret = store::project(c, t.project_id)?.map(|p| p.secret);
        Ok((n == 1, secret))
    });
    let secret = match claimed {
        Ok((true, Some(secret))) => secret,
        Ok((true, None)) => return message_page(StatusCode::INTERNAL_SERVER_ERROR, "Sandbox error", "The service's project is missing."),
        Ok((false, _)) => return settled_result(&s, t).await,
        Err(e) => return message_page(StatusCode::INTERNAL_SERVER_ERROR, "Sandbox error", &format!("database: {e}")),
    };
    let body = check_deposit_body(t.project_id, &t.account, MinorUnits(amount), &t.currency, &secret);
    let outcome = match request_deposit(&s, &service, &body).await {
        Ok(booked) => record_deposit(&s, &t, amount, &request_id, &started, &booked),
        Err(f) => s.store.with(|c| fail_txn(c, &t.id, &f)).map(|_| Err(f)).map_err(HttpError::from),
    };
    if let Err(e) = outcome {
        return message_page(StatusCode::INTERNAL_SERVER_ERROR, "Sandbox error", &e.1.error.message);
    }
    match s.store.with(|c| txn(c, &t.id)) {
        Ok(Some(now)) => deposit_result(&s, &now),
        Ok(None) => message_page(StatusCode::NOT_FOUND, "Unknown top-up", "This terminal has no such transaction."),
        Err(e) => message_page(StatusCode::INTERNAL_SERVER_ERROR, "Sandbox error", &format!("database: {e}")),
    }
}

const STYLESHEET: &str = "\
body.paydala { background: #e9eef2; }
.terminal { max-width: 30rem; border-top: 6px solid #00a19a; }
.terminal .brand { color: #00796f; }
.lead { margin: 0 0 1.25rem; color: #334; }
.terminal-form { display: grid; gap: 1rem; margin: 0 0 1rem; }
.field { display: grid; gap: .35rem; }
.field label { font-weight: 600; }
.field input, .field select { font: inherit; font-size: 1.15rem; padding: .65rem .75rem; border: 1px solid #8a94a6;
  border-radius: 8px; background: #fff; color: inherit; min-width: 0; }
.field input[aria-invalid=true] { border-color: #b42318; }
.field input:focus-visible, .field select:focus-visible { outline: 3px solid #00a19a; outline-offset: 1px; }
.terminal-form button { background: #00a19a; color: #fff; font-weight: 600; font-size: 1.05rem; }
.terminal-form button:focus-visible { outline: 3px solid #0b5cad; outline-offset: 2px; }
.result { border-radius: 10px; padding: .9rem 1rem; margin: 0 0 1.25rem; border: 1px solid #c7ccd6; background: #f7f8fa; }
.result h2 { font-size: 1.1rem; margin: 0 0 .5rem; }
.result.ok { border-color: #11804a; background: #ecf8f1; }
.result.ok h2 { color: #0d6b3d; }
.result.bad { border-color: #b42318; background: #fdf0ef; }
.result.bad h2 { color: #b42318; }
.result dl { margin: .5rem 0 0; grid-template-columns: minmax(6rem, max-content) 1fr; }
.result .message { margin: 0; overflow-wrap: anywhere; }
#account-number, #payment-id, #transaction { font-family: ui-monospace, monospace; letter-spacing: .02em; }
.note b { font-family: ui-monospace, monospace; font-weight: 600; }
@media (max-width: 32rem) {
  .sim.terminal { margin: 0; border-radius: 0; padding: 1.25rem 1rem; box-shadow: none; min-height: 100vh; box-sizing: border-box; }
  .result dl { grid-template-columns: 1fr; gap: .1rem; }
  .result dd { margin-bottom: .45rem; }
}
";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_in_major_units() {
        assert_eq!(parse_major("1000.00", "KZT"), Ok(100_000));
        assert_eq!(parse_major("1000", "KZT"), Ok(100_000));
        assert_eq!(parse_major("1 000,5", "KZT"), Ok(100_050));
        assert_eq!(parse_major("0.01", "KZT"), Ok(1));
        for bad in ["", "0", "0.00", "-5", "1.234", "1.", ".5", "abc", "1e3", "1.2.3", "9999999999999"] {
            assert!(parse_major(bad, "KZT").is_err(), "{bad:?}");
        }
        assert!(parse_major("abc", "KZT").unwrap_err().starts_with("Amount:"));
    }

    #[test]
    fn check_deposit_carries_exactly_the_seed_keys() {
        let body = check_deposit_body(1234, "7123456789", MinorUnits(100_000), "KZT", "sandbox-secret-1234");
        let keys: Vec<&String> = body.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["type", "project_id", "customer_id", "amount", "currency", "payment_method", "signature"]);
        assert!(epay_core::signature::verify(&body, "sandbox-secret-1234").is_ok());
        assert_eq!(body["amount"], 100_000);
        assert_eq!(body["payment_method"], "terminal/paydala");
    }

    #[test]
    fn settings_check_the_url_and_timeout() {
        let ok = Settings::resolve(&PaydalaConfig::default(), "http://127.0.0.1:9").unwrap();
        assert_eq!(ok.services[0].merchant_url, "http://127.0.0.1:9/merchant/paydala");
        assert_eq!(ok.services[0].name, "Demo Shop");
        let bad_url = PaydalaConfig { merchant_url: Some("ftp://x".into()), ..PaydalaConfig::default() };
        assert!(Settings::resolve(&bad_url, "http://127.0.0.1:9").unwrap_err().contains("http or https"));
        let no_time = PaydalaConfig { timeout: Duration::ZERO, ..PaydalaConfig::default() };
        assert!(Settings::resolve(&no_time, "http://127.0.0.1:9").is_err());
        let blank = PaydalaConfig { service_name: " ".into(), ..PaydalaConfig::default() };
        assert!(Settings::resolve(&blank, "http://127.0.0.1:9").is_err());
    }
}
