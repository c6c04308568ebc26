//! The simulated PayDala terminal (`/sim/paydala...`): server-rendered pages with no
//! script and no inline style, every value escaped.

use super::consts::{CHECK_PATH, DEPOSIT_PATH, STYLESHEET_PATH, TERMINAL_PATH};
use super::deposit::{fail_txn, record_deposit, txn, Txn};
use super::merchant_protocol::{check_deposit_body, request_deposit, verify_account, MerchantCallOutcome};
use crate::sandbox::ledger::clock::{now_ms, random_hex};
use crate::sandbox::ledger::state::{AppState, Shared};
use crate::sandbox::ledger::store::{self};
use crate::sandbox::server::html::{self, escape};
use crate::sandbox::server::HttpError;
use axum::extract::rejection::FormRejection;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::Form;
use epay_core::money::exponent;
use epay_core::time::callback_date_ms;
use epay_core::MinorUnits;
use rusqlite::params;
use serde::Deserialize;
use std::time::Duration;

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
pub(super) const SHELL: html::Shell = html::Shell {
    brand: "PayDala terminal",
    kind: "sandbox simulation",
    title_suffix: "PayDala terminal (sandbox)",
    stylesheets: &[html::STYLESHEET_PATH, STYLESHEET_PATH],
    body_class: Some("paydala"),
    main_class: "sim terminal",
    csp: "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
};

pub(super) fn page(status: StatusCode, title: &str, body: &str) -> Response {
    html::page_in(&SHELL, status, title, body)
}

pub(super) fn message_page(status: StatusCode, title: &str, message: &str) -> Response {
    page(
        status,
        title,
        &format!(
            "<p class=\"error\" role=\"alert\">{}</p>\n<p><a id=\"again\" href=\"{TERMINAL_PATH}\">Start again</a></p>",
            escape(message)
        ),
    )
}

pub(super) const TEST_ACCOUNTS: &str = "<p class=\"note\">Accounts at the demo shop: <b>7123456789</b> and <b>7000000001</b> exist. \
     Test knobs: 7000000400 (the shop refuses the signature), 7000000500 (the shop fails with a message), \
     7000000999 (the shop answers garbage), 7000000777 (the shop answers too late). Any other number is unknown.</p>";

/// The first screen: pick the service, type the account.
pub(super) fn check_form(s: &Shared, selected: Option<u64>, account: &str, error: Option<&str>) -> String {
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

pub(super) fn result_section(id: &str, outcome: MerchantCallOutcome, deposit: bool, inner: &str) -> String {
    let (class, role) = if matches!(outcome, MerchantCallOutcome::Ok) { ("result ok", "status") } else { ("result bad", "alert") };
    format!(
        "<section id=\"{id}\" class=\"{class}\" data-outcome=\"{}\" role=\"{role}\" aria-labelledby=\"{id}-title\">\n\
         <h2 id=\"{id}-title\">{}</h2>\n{inner}</section>\n",
        outcome.as_str(),
        escape(outcome.title(deposit)),
    )
}

pub(super) fn service_name(s: &Shared, project_id: u64) -> String {
    s.paydala.service(project_id).map(|svc| svc.name.clone()).unwrap_or_else(|| format!("project {project_id}"))
}

/// The screen after a successful check: the account, and the amount to top up.
pub(super) fn deposit_form(s: &Shared, t: &Txn, amount: &str, error: Option<&str>) -> String {
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
pub(super) fn deposit_result(s: &Shared, t: &Txn) -> Response {
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
pub(super) async fn settled_result(s: &Shared, mut t: Txn) -> Response {
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

pub(super) async fn stylesheet() -> Response {
    html::css(STYLESHEET)
}

/// `GET /sim/paydala`: the terminal's first screen.
pub(super) async fn terminal(State(s): State<AppState>) -> Response {
    let body = format!(
        "<p class=\"lead\">Top up an account at a shop, as a customer at a PayDala terminal does.</p>\n{}{TEST_ACCOUNTS}",
        check_form(&s, None, "", None)
    );
    page(StatusCode::OK, "Top up an account", &body)
}

#[derive(Debug, Deserialize)]
pub(super) struct CheckForm {
    service: Option<String>,
    account: Option<String>,
}

/// `POST /sim/paydala/check`: sends `verify` to the shop and shows what it said.
pub(super) async fn check(State(s): State<AppState>, form: Result<Form<CheckForm>, FormRejection>) -> Response {
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
pub(super) struct DepositForm {
    txn: Option<String>,
    amount: Option<String>,
}

/// `POST /sim/paydala/deposit`: sends `check_deposit` once per terminal transaction.
pub(super) async fn deposit(State(s): State<AppState>, form: Result<Form<DepositForm>, FormRejection>) -> Response {
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

pub(super) const STYLESHEET: &str = "\
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
