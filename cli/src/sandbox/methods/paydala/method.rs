//! PayDala as a [`PaymentMethod`]: its tables, routes, availability, next action, settled
//! sum and expiry.

use super::consts::{CHECK_PATH, DEPOSIT_KEY, DEPOSIT_PATH, STYLESHEET_PATH, TERMINAL_PATH, TITLE};
use super::lifetime::expire_due;
use super::terminal::{check, deposit, stylesheet, terminal};
use crate::sandbox::ledger::clock::random_hex;
use crate::sandbox::ledger::paydala_settings::{PaydalaConfig, DEFAULT_SERVICE_NAME, PROJECT_ID};
use crate::sandbox::ledger::state::{AppState, Shared};
use crate::sandbox::ledger::store::{OperationRow, PaymentRow, Store};
use crate::sandbox::methods::method::PaymentMethod;
use crate::sandbox::server::HttpError;
use axum::routing::{get, post};
use axum::Router;
use epay_core::callback::Sum;
use epay_core::protocol::NextAction;
use epay_core::{MethodCode, MinorUnits, PaymentStatus};
use rusqlite::params;
use serde_json::Value;

pub(super) const SCHEMA: &str = r#"
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
    fn schema(&self) -> &'static str {
        SCHEMA
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
