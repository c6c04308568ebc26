//! The demo merchant's PayDala web service (`POST /merchant/paydala`), built the way a
//! real shop would build it: with the core library ([`epay_core::paydala::handle`]) and
//! a [`PaydalaMerchant`] of its own. Like the rest of the demo merchant it keeps its own
//! copy of the secret and its own tables (`merchant_paydala_*`), and never reads the
//! platform's.
//!
//! Accounts: `7123456789` (KZT, `additional_customer_id` `customer_123`) and
//! `7000000001` (KZT); any other number is unknown (404). Test knobs, to watch the
//! platform cope with a misbehaving shop:
//!
//! | account | the shop |
//! |---|---|
//! | `7000000500` | its lookup fails: code 500 with a message |
//! | `7000000400` | checks signatures with the wrong secret: code 400 |
//! | `7000000999` | answers an HTML error page instead of JSON |
//! | `7000000777` | answers one second after the platform's timeout |
//! | `7000000550` | exists, but booking its deposit fails: `check_deposit` code 500 |
//!
//! Deposits get ids `deposit-<n>`. `check_deposit` carries only seed 000's fields, so two
//! requests for the same account and amount are two top-ups: each is booked (the platform
//! sends one per terminal transaction). A real shop credits the account when the signed
//! callback with `payment.id` = its `payment_id` and `operation.status` `success`
//! arrives, once per `payment_id` (see the README).
//!
//! A request that cannot be processed correctly (unreadable, a parameter missing or of the
//! wrong type, another project) is answered with code 404, as seed 000 says; a bad
//! signature with 400; the shop's own failures with 500.
//!
//! `GET /merchant/paydala/log?account=X` lists every request received (oldest first) with
//! the answer given, for tests and for the demo.

use crate::sandbox::ledger::clock::now_ms;
use crate::sandbox::ledger::state::{AppState, DEMO_PROJECTS};
use crate::sandbox::ledger::store::Store;
use crate::sandbox::server::HttpError;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use epay_core::paydala::{self, Account, CheckDeposit, Deposit, DepositError, PaydalaMerchant, VerifyResponse};
use epay_core::time::callback_date_ms;
use rusqlite::params;
use serde::Serialize;
use serde_json::Value;
use std::collections::HashMap;
use std::time::Duration;

/// The project whose PayDala requests this shop answers.
pub const PROJECT_ID: u64 = crate::sandbox::methods::paydala::PROJECT_ID;
/// The account a KZT order uses when the customer typed none.
pub const DEFAULT_ACCOUNT: &str = "7123456789";

pub const ACCOUNT_FAILS: &str = "7000000500";
pub const ACCOUNT_WRONG_SECRET: &str = "7000000400";
pub const ACCOUNT_GARBAGE: &str = "7000000999";
pub const ACCOUNT_SLOW: &str = "7000000777";
pub const ACCOUNT_DEPOSIT_FAILS: &str = "7000000550";

pub const SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS merchant_paydala_deposits (
    n INTEGER PRIMARY KEY AUTOINCREMENT,
    customer_id TEXT NOT NULL,
    amount INTEGER NOT NULL,
    currency TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS merchant_paydala_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    type TEXT,
    customer_id TEXT,
    request TEXT NOT NULL,
    http_status INTEGER NOT NULL,
    reply TEXT NOT NULL,
    received_at TEXT NOT NULL
);
"#;

pub fn routes() -> Router<AppState> {
    Router::new().route("/merchant/paydala", post(answer)).route("/merchant/paydala/log", get(log))
}

/// The shop's accounts and deposits.
struct DemoShop<'a> {
    store: &'a Store,
}

impl PaydalaMerchant for DemoShop<'_> {
    fn lookup_account(&self, customer_id: &str) -> Result<Option<Account>, String> {
        match customer_id {
            DEFAULT_ACCOUNT => Ok(Some(Account { currency: "KZT".into(), additional_customer_id: Some("customer_123".into()) })),
            "7000000001" | ACCOUNT_DEPOSIT_FAILS => Ok(Some(Account { currency: "KZT".into(), additional_customer_id: None })),
            ACCOUNT_FAILS => {
                Err(format!("Something went wrong: the shop's account database is unavailable (test account {ACCOUNT_FAILS})"))
            }
            _ => Ok(None),
        }
    }

    fn create_deposit(&self, req: &CheckDeposit) -> Result<Deposit, DepositError> {
        if req.customer_id == ACCOUNT_DEPOSIT_FAILS {
            return Err(DepositError::Failed(format!(
                "Something went wrong: the shop's ledger refused the deposit (test account {ACCOUNT_DEPOSIT_FAILS})"
            )));
        }
        let now = callback_date_ms(now_ms());
        let n = self
            .store
            .with(|c| {
                c.execute(
                    "INSERT INTO merchant_paydala_deposits (customer_id, amount, currency, created_at) VALUES (?1, ?2, ?3, ?4)",
                    params![req.customer_id, req.amount.0, req.currency, now],
                )?;
                Ok(c.last_insert_rowid())
            })
            .map_err(|e| DepositError::Failed(format!("the shop cannot book the deposit: {e}")))?;
        Ok(Deposit { payment_id: format!("deposit-{n}"), description: Some("Success".into()) })
    }
}

fn secret() -> &'static str {
    DEMO_PROJECTS.iter().find(|p| p.id == PROJECT_ID).map(|p| p.secret).unwrap_or_default()
}

/// A field of an unverified request, for routing the test knobs and for the log only.
fn peek(doc: Option<&Value>, key: &str) -> Option<String> {
    match doc?.get(key)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// `POST /merchant/paydala`: the shop's answer to `verify` and `check_deposit`.
async fn answer(State(s): State<AppState>, body: Bytes) -> Response {
    let doc: Option<Value> = serde_json::from_slice(&body).ok();
    let kind = peek(doc.as_ref(), "type");
    let account = peek(doc.as_ref(), "customer_id");
    let project = peek(doc.as_ref(), "project_id");

    let (status, content_type, reply) = if project.as_deref().is_some_and(|p| p != PROJECT_ID.to_string()) {
        let message =
            format!("project_id: this shop's PayDala web service serves project {PROJECT_ID}, got {}", project.unwrap_or_default());
        (200, paydala::PaydalaReply::CONTENT_TYPE, VerifyResponse::not_found(message).to_json())
    } else {
        match account.as_deref() {
            Some(ACCOUNT_GARBAGE) => (200, "text/html; charset=utf-8", "<html><body><h1>502 Bad Gateway</h1></body></html>".to_string()),
            Some(ACCOUNT_WRONG_SECRET) => {
                let shop = DemoShop { store: &s.store };
                let r = paydala::handle(&body, "a-secret-that-is-not-the-project-secret", &shop);
                (r.status, paydala::PaydalaReply::CONTENT_TYPE, r.body)
            }
            other => {
                if other == Some(ACCOUNT_SLOW) {
                    tokio::time::sleep(s.paydala.timeout + Duration::from_secs(1)).await;
                }
                let shop = DemoShop { store: &s.store };
                let r = paydala::handle(&body, secret(), &shop);
                (r.status, paydala::PaydalaReply::CONTENT_TYPE, r.body)
            }
        }
    };

    let request = String::from_utf8_lossy(&body).into_owned();
    let now = callback_date_ms(now_ms());
    let logged = s.store.with(|c| {
        c.execute(
            "INSERT INTO merchant_paydala_log (type, customer_id, request, http_status, reply, received_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![kind, account, request, status, reply, now],
        )
    });
    if let Err(e) = logged {
        eprintln!("epay sandbox: demo merchant: cannot log a PayDala request: {e}");
    }
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    (status, [(header::CONTENT_TYPE, content_type)], reply).into_response()
}

#[derive(Debug, Serialize)]
struct LogEntry {
    /// `verify`, `check_deposit`, or whatever the request said (null when unreadable).
    #[serde(rename = "type")]
    kind: Option<String>,
    customer_id: Option<String>,
    /// The request as received (JSON), or its text when it was not JSON.
    request: Value,
    http_status: u16,
    /// The answer's `code`, when the answer was a PayDala answer.
    code: Option<u16>,
    /// The answer as sent (JSON), or its text.
    reply: Value,
    received_at: String,
}

fn json_or_text(text: String) -> Value {
    serde_json::from_str(&text).unwrap_or(Value::String(text))
}

/// `GET /merchant/paydala/log?account=X`: what the shop received and answered, oldest first.
async fn log(State(s): State<AppState>, Query(q): Query<HashMap<String, String>>) -> Result<Json<Vec<LogEntry>>, HttpError> {
    let account = q.get("account").map(String::as_str);
    let rows = s.store.with(|c| {
        let mut stmt = c.prepare(
            "SELECT type, customer_id, request, http_status, reply, received_at FROM merchant_paydala_log
             WHERE ?1 IS NULL OR customer_id = ?1 ORDER BY id",
        )?;
        let rows = stmt.query_map([account], |r| {
            let reply = json_or_text(r.get(4)?);
            Ok(LogEntry {
                kind: r.get(0)?,
                customer_id: r.get(1)?,
                request: json_or_text(r.get(2)?),
                http_status: r.get(3)?,
                code: reply.get("code").and_then(Value::as_u64).and_then(|c| u16::try_from(c).ok()),
                reply,
                received_at: r.get(5)?,
            })
        })?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
    })?;
    Ok(Json(rows))
}
