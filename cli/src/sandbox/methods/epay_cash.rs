//! EPay cash (seed 002) in the sandbox: the payment code, the simulated EPay terminal,
//! expiry, the Gate sale's start and the result callbacks.
//!
//! - Payment Page: `pay` with method `epaycash` (MYR only, all four customer fields
//!   required) creates the operation and, in the same transaction, its code
//!   ([`create_code`]): a unique `reference_number` shaped like the seed's (`045-050-000`),
//!   `valid_time` = now + the sandbox's EPay TTL (default 30 min, `--epay-ttl SECS`) in
//!   Malaysia time (`core::epay_cash::format_valid_time`), `user_name` = `FIRST LAST` in capitals.
//!   The payment waits in status `awaiting customer`; the widget gets
//!   `NextAction::ShowCode` with `redirect_data` {GET, `{base}/sim/epay`, body
//!   `reference_number`, `valid_time`, `user_name`} (`next_action`). Repeating `pay`
//!   answers the same code.
//! - Gate: `POST /v2/payment/cash/epay/sale` (the platform's `gate::sale` checks it:
//!   signature, `core::gate::parse_sale(SaleKind::Epay)`, a new `payment_id`). Accepted,
//!   it starts here ([`GateSale`]): the code at once, and a signed callback carrying the
//!   same `redirect_data`, payment and operation status `awaiting customer`.
//! - The terminal, `GET /sim/epay` ([`TERMINAL_PATH`]): a cashier types the reference
//!   number, sees the name, amount, valid-until time and status, and takes the cash
//!   (`#pay-cash`: success, code `0` `Success`) or, as test knobs, makes the code expire
//!   now (`#expire`) or has EPay decline it (`#decline`: code `20000` `General decline`, as
//!   in seed 002). An expired code cannot be paid.
//! - Expiry: a sweep every second ([`expire_due`]), and on every terminal access, turns codes
//!   past their `valid_time` into payment status `expired` (operation `decline`, code
//!   `20000`, message `Payment code expired`); the merchant's callback says payment
//!   `decline` (`operations::reported_status`), the widget is told `expired`.
//!
//! Every completion makes the operation and the payment final and enqueues exactly one
//! signed result callback in the seed's shape (`payment.method` `ePayViaEGHL`,
//! `customer.phone`, operation `sale`, `provider {id 1353, payment_id, date, auth_code ""}`)
//! in one transaction. The codes live in this module's own table, `epay_codes`.

use super::method::{form_token, form_token_ok, GateSale, GateSaleStart, PaymentMethod};
use crate::sandbox::ledger::clock::{now_ms, random_hex};
use crate::sandbox::ledger::operations::{
    callback, finish_sale, insert_sale, signed_callback, NewSale, OperationData, SaleEnd, SaleResult,
};
use crate::sandbox::ledger::state::{AppState, Shared};
use crate::sandbox::ledger::store::{self, OperationRow, PaymentRow, Project};
use crate::sandbox::server::html::{self, escape};
use crate::sandbox::server::HttpError;
use axum::extract::rejection::FormRejection;
use axum::extract::{Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use epay_core::callback::Provider;
use epay_core::epay_cash::format_valid_time;
use epay_core::params::CustomerData;
use epay_core::protocol::NextAction;
use epay_core::redirect::{FormBody, HttpMethod, RedirectData};
use epay_core::time::callback_date_ms;
use epay_core::{Callback, MethodCode, MinorUnits, PaymentRequest, PaymentStatus};
use rusqlite::{params, Connection, OptionalExtension};
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::time::Duration;

/// The simulated EPay terminal (and the `redirect_data.url` of every code).
pub const TERMINAL_PATH: &str = "/sim/epay";
/// The terminal's "take the cash" form.
pub const TERMINAL_PAY_PATH: &str = "/sim/epay/pay";
/// The terminal's test knob: the code expires now.
pub const TERMINAL_EXPIRE_PATH: &str = "/sim/epay/expire";
/// The terminal's test knob: EPay declines the payment (seed 002's decline example).
pub const TERMINAL_DECLINE_PATH: &str = "/sim/epay/decline";
/// The terminal's own stylesheet (on top of `/sim/sim.css`).
pub const STYLESHEET_PATH: &str = "/sim/epay.css";

/// `payment.method` in EPay callbacks, as the seed writes it.
pub const TITLE: &str = "ePayViaEGHL";
/// `operation.provider.id` in EPay callbacks, as in the seed's examples.
pub const PROVIDER_ID: i64 = 1353;
/// How long a code is valid unless configured otherwise.
pub const DEFAULT_TTL: Duration = Duration::from_secs(30 * 60);
/// Code and message of an expired code's operation.
pub const EXPIRED_CODE: &str = "20000";
pub const EXPIRED_MESSAGE: &str = "Payment code expired";

const SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS epay_codes (
    operation_id INTEGER PRIMARY KEY REFERENCES operations(id),
    reference_number TEXT NOT NULL UNIQUE,
    valid_until INTEGER NOT NULL,
    valid_time TEXT NOT NULL,
    user_name TEXT NOT NULL,
    provider_payment_id TEXT NOT NULL,
    provider_date TEXT,
    channel TEXT NOT NULL,
    created_at TEXT NOT NULL
);
"#;

/// EPay cash.
pub struct EpayCash;

impl PaymentMethod for EpayCash {
    fn code(&self) -> MethodCode {
        MethodCode::EpayCash
    }

    fn title(&self) -> &'static str {
        TITLE
    }

    /// Seed 002, every callback example: plain hex (`bfe58066b0f4331c`), 16 digits here.
    fn new_request_id(&self) -> Result<String, HttpError> {
        random_hex(8)
    }

    /// The codes, in their own table `epay_codes`.
    fn schema(&self) -> &'static str {
        SCHEMA
    }

    fn routes(&self) -> Router<AppState> {
        Router::new()
            .route(TERMINAL_PATH, get(terminal))
            .route(TERMINAL_PAY_PATH, post(terminal_pay))
            .route(TERMINAL_EXPIRE_PATH, post(terminal_expire))
            .route(TERMINAL_DECLINE_PATH, post(terminal_decline))
            .route(STYLESHEET_PATH, get(stylesheet))
    }

    /// Seed 002 says `customer_first_name`, `customer_last_name`, `customer_email` and
    /// `customer_phone` must be sent when opening the Payment Page for EPay. The widget asks
    /// the customer for what is missing (as the real Payment Page does), but the merchant is
    /// told: the open answer's `warnings` and the sandbox log carry this (issue 12 item 6).
    /// `None` when all four are signed.
    fn open_warning(&self, req: &PaymentRequest) -> Option<Value> {
        let rule = MethodCode::EpayCash.rule();
        let missing: Vec<&str> = rule.required.iter().filter(|f| !req.customer.has(**f)).map(|f| f.param()).collect();
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

    /// Until the customer pays the code at a terminal (or it expires).
    fn start_status(&self) -> PaymentStatus {
        PaymentStatus::AwaitingCustomer
    }

    /// The code, in the same transaction as its operation.
    fn start(&self, s: &Shared, c: &Connection, op_id: i64, data: &OperationData) -> rusqlite::Result<()> {
        create_code(c, op_id, &data.customer, s.epay_ttl, Channel::Page).map(|_| ())
    }

    /// Show the code.
    fn next_action(&self, s: &Shared, _payment: &PaymentRow, op: &OperationRow) -> Result<Option<NextAction>, HttpError> {
        let code = s.store.with(|c| code_of(c, op.id))?;
        Ok(code.map(|code| NextAction::ShowCode { redirect_data: redirect_data(&s.base_url, &code) }))
    }

    fn expire_due(&self, s: &Shared) -> Result<usize, HttpError> {
        expire_due(s)
    }
}

impl GateSale for EpayCash {
    /// Seed 002: the code at once, in the first callback's `redirect_data`; the payment
    /// waits for the customer.
    fn start_sale(&self, s: &Shared, c: &Connection, sale: &GateSaleStart) -> rusqlite::Result<(i64, String)> {
        let data = OperationData { return_url: String::new(), customer: sale.customer.clone() };
        let new_sale = NewSale {
            payment_rowid: sale.payment_rowid,
            method: MethodCode::EpayCash,
            status: PaymentStatus::AwaitingCustomer,
            data: &data,
            request_id: sale.request_id,
            now: sale.now,
        };
        let op_id = insert_sale(c, &new_sale)?;
        let code = create_code(c, op_id, &data.customer, s.epay_ttl, Channel::Gate)?;
        let payment = store::payment(c, sale.payment_rowid)?.ok_or(rusqlite::Error::QueryReturnedNoRows)?;
        let op = store::operation(c, op_id)?.ok_or(rusqlite::Error::QueryReturnedNoRows)?;
        let mut cb = epay_callback(sale.project, &payment, &op, &data, &code);
        cb.redirect_data = Some(redirect_data(&s.base_url, &code));
        Ok((op_id, signed_callback(sale.project, &cb)?))
    }
}

// ---------------------------------------------------------------------------------------
// Codes
// ---------------------------------------------------------------------------------------

/// Where the payment was started: the Payment Page (`pay`) or Gate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    Page,
    Gate,
}

impl Channel {
    fn as_str(self) -> &'static str {
        match self {
            Channel::Page => "page",
            Channel::Gate => "gate",
        }
    }
}

/// One payment code, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Code {
    pub operation_id: i64,
    pub reference_number: String,
    /// Unix seconds.
    pub valid_until: i64,
    /// `valid_until` as EPay writes it: `YYYY-MM-DD HH:MM:SS`, Malaysia time.
    pub valid_time: String,
    pub user_name: String,
    pub provider_payment_id: String,
    pub provider_date: Option<String>,
}

const CODE_COLS: &str = "operation_id, reference_number, valid_until, valid_time, user_name, provider_payment_id, provider_date";

fn code_row(r: &rusqlite::Row) -> rusqlite::Result<Code> {
    Ok(Code {
        operation_id: r.get(0)?,
        reference_number: r.get(1)?,
        valid_until: r.get(2)?,
        valid_time: r.get(3)?,
        user_name: r.get(4)?,
        provider_payment_id: r.get(5)?,
        provider_date: r.get(6)?,
    })
}

pub fn code_of(c: &Connection, operation_id: i64) -> rusqlite::Result<Option<Code>> {
    c.query_row(&format!("SELECT {CODE_COLS} FROM epay_codes WHERE operation_id = ?1"), [operation_id], code_row).optional()
}

pub fn code_by_reference(c: &Connection, reference: &str) -> rusqlite::Result<Option<Code>> {
    c.query_row(&format!("SELECT {CODE_COLS} FROM epay_codes WHERE reference_number = ?1"), [reference], code_row).optional()
}

fn now_secs() -> i64 {
    now_ms().div_euclid(1000)
}

fn random_u64() -> rusqlite::Result<u64> {
    let mut buf = [0u8; 8];
    getrandom::getrandom(&mut buf).map_err(|e| store::store_error(format!("random source: {e}")))?;
    Ok(u64::from_le_bytes(buf))
}

/// `NNN-NNN-NNN` from nine digits.
fn reference_from_digits(n: u64) -> String {
    let d = format!("{:09}", n % 1_000_000_000);
    format!("{}-{}-{}", &d[0..3], &d[3..6], &d[6..9])
}

/// What a cashier types, as a stored reference: nine digits with or without the dashes
/// (spaces ignored). `None` when it cannot be one.
pub fn normalize_reference(typed: &str) -> Option<String> {
    let digits: String = typed.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
    (digits.len() == 9 && digits.bytes().all(|b| b.is_ascii_digit()))
        .then(|| format!("{}-{}-{}", &digits[0..3], &digits[3..6], &digits[6..9]))
}

/// `FIRST LAST` in capitals, inner runs of white space made single.
pub fn user_name(customer: &CustomerData) -> String {
    let name = format!("{} {}", customer.first_name.as_deref().unwrap_or(""), customer.last_name.as_deref().unwrap_or(""));
    name.split_whitespace().collect::<Vec<_>>().join(" ").to_uppercase()
}

/// Creates the code of a new EPay operation, inside the caller's transaction (so an
/// operation never exists without its code). The reference number is unique.
pub fn create_code(c: &Connection, operation_id: i64, customer: &CustomerData, ttl: Duration, channel: Channel) -> rusqlite::Result<Code> {
    if let Some(existing) = code_of(c, operation_id)? {
        return Ok(existing);
    }
    let exists = |r: &str| -> rusqlite::Result<bool> {
        c.query_row("SELECT 1 FROM epay_codes WHERE reference_number = ?1", [r], |_| Ok(())).optional().map(|x| x.is_some())
    };
    let mut reference = reference_from_digits(random_u64()?);
    let mut tries = 0;
    while exists(&reference)? {
        tries += 1;
        if tries > 50 {
            return Err(store::store_error("no free EPay reference number after 50 tries".into()));
        }
        reference = reference_from_digits(random_u64()?);
    }
    let now = now_secs();
    let valid_until = now.saturating_add(i64::try_from(ttl.as_secs()).unwrap_or(i64::MAX / 4).max(1));
    let code = Code {
        operation_id,
        provider_payment_id: reference.replace('-', ""),
        reference_number: reference,
        valid_until,
        valid_time: format_valid_time(valid_until),
        user_name: user_name(customer),
        provider_date: None,
    };
    c.execute(
        "INSERT INTO epay_codes (operation_id, reference_number, valid_until, valid_time, user_name, provider_payment_id, channel, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            code.operation_id,
            code.reference_number,
            code.valid_until,
            code.valid_time,
            code.user_name,
            code.provider_payment_id,
            channel.as_str(),
            callback_date_ms(now_ms()),
        ],
    )?;
    Ok(code)
}

/// The code as `redirect_data`, seed 002's shape: `{body, method, url}`, GET to the
/// terminal, body `reference_number`, `valid_time`, `user_name` in that order.
pub fn redirect_data(base_url: &str, code: &Code) -> RedirectData {
    RedirectData {
        method: HttpMethod::Get,
        url: format!("{base_url}{TERMINAL_PATH}"),
        body: FormBody(vec![
            ("reference_number".into(), code.reference_number.clone()),
            ("valid_time".into(), code.valid_time.clone()),
            ("user_name".into(), code.user_name.clone()),
        ]),
    }
}

// ---------------------------------------------------------------------------------------
// Completion and expiry
// ---------------------------------------------------------------------------------------

/// How a code ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeEnd {
    /// Paid in cash at the terminal.
    Paid,
    /// Past its `valid_time` (or made to expire by the test knob).
    Expired,
    /// Declined by EPay (test knob): code `20000` `General decline`, as in seed 002.
    Declined,
}

/// The seed's EPay callback of an operation: the standard callback with `ePayViaEGHL`
/// and EPay's provider block.
pub fn epay_callback(project: &Project, payment: &PaymentRow, op: &OperationRow, data: &OperationData, code: &Code) -> Callback {
    let mut cb = callback(TITLE, project, payment, op, data);
    if let Some(operation) = cb.operation.as_mut() {
        operation.provider = Provider {
            id: PROVIDER_ID,
            payment_id: code.provider_payment_id.clone(),
            date: code.provider_date.clone(),
            auth_code: String::new(),
        };
    }
    cb
}

/// Ends an EPay operation (`operations::finish_sale`): operation and payment final, the
/// seed's EPay callback into the outbox. A code that is past its `valid_time` cannot be
/// paid: asked to pay it, this expires it instead.
pub fn finish(s: &Shared, op_id: i64, end: CodeEnd) -> Result<SaleEnd, HttpError> {
    finish_sale(
        s,
        op_id,
        |c, op, now_ms| {
            let Some(code) = code_of(c, op.id)? else { return Ok(None) };
            let now_secs = now_ms.div_euclid(1000);
            let end = if end == CodeEnd::Paid && now_secs >= code.valid_until { CodeEnd::Expired } else { end };
            // The seed's provider reports a moment before the platform records the operation.
            let provider_date = callback_date_ms(now_ms - 1000);
            c.execute(
                "UPDATE epay_codes SET provider_date = ?2, valid_until = MIN(valid_until, ?3) WHERE operation_id = ?1",
                params![op.id, provider_date, if end == CodeEnd::Expired { now_secs } else { i64::MAX }],
            )?;
            let paid_by = code.provider_payment_id;
            Ok(Some(match end {
                CodeEnd::Paid => SaleResult::success(paid_by),
                CodeEnd::Expired => {
                    SaleResult { payment_status: PaymentStatus::Expired, ..SaleResult::decline(EXPIRED_CODE, EXPIRED_MESSAGE, paid_by) }
                }
                CodeEnd::Declined => SaleResult::decline("20000", "General decline", paid_by),
            }))
        },
        |c, project, payment, op, data| {
            let code = code_of(c, op.id)?.ok_or(rusqlite::Error::QueryReturnedNoRows)?;
            Ok(epay_callback(project, payment, op, data, &code))
        },
    )
}

/// Expires every pending code past its `valid_time`; returns how many.
pub fn expire_due(s: &Shared) -> Result<usize, HttpError> {
    let due: Vec<i64> = s.store.with(|c| {
        let mut stmt = c.prepare(
            "SELECT e.operation_id FROM epay_codes e JOIN operations o ON o.id = e.operation_id
             WHERE e.valid_until <= ?1 AND o.status = ?2 ORDER BY e.valid_until",
        )?;
        let rows = stmt.query_map(params![now_secs(), PaymentStatus::AwaitingCustomer.as_str()], |r| r.get(0))?;
        rows.collect()
    })?;
    let mut n = 0;
    for op_id in due {
        if matches!(finish(s, op_id, CodeEnd::Expired)?, SaleEnd::Ended { .. }) {
            n += 1;
        }
    }
    Ok(n)
}

// ---------------------------------------------------------------------------------------
// The simulated terminal
// ---------------------------------------------------------------------------------------

/// No scripts, styles only from our stylesheets, forms only to ourselves.
const SHELL: html::Shell = html::Shell {
    brand: "EPay terminal",
    kind: "sandbox simulation",
    title_suffix: "EPay terminal (sandbox)",
    stylesheets: &[html::STYLESHEET_PATH, STYLESHEET_PATH],
    body_class: None,
    main_class: "sim epay-terminal",
    csp: "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
};

fn page(status: StatusCode, title: &str, body: &str) -> Response {
    html::page_in(&SHELL, status, title, body)
}

fn find_form(typed: &str) -> String {
    format!(
        "<form class=\"find\" method=\"get\" action=\"{TERMINAL_PATH}\">\n\
         <label for=\"reference\">Reference number</label>\n\
         <div class=\"find-row\"><input id=\"reference\" name=\"reference\" value=\"{}\" inputmode=\"numeric\" \
         autocomplete=\"off\" placeholder=\"045-050-000\" required>\n\
         <button id=\"find\" type=\"submit\">Find</button></div>\n</form>\n",
        escape(typed)
    )
}

/// The token the terminal's buttons carry, so only the terminal's own page acts on a code.
fn terminal_sig(key: &[u8], reference: &str) -> String {
    form_token(key, &format!("epay-terminal\n{reference}"))
}

fn sig_ok(key: &[u8], reference: &str, given: &str) -> bool {
    form_token_ok(key, &format!("epay-terminal\n{reference}"), given)
}

/// A found code with everything the terminal shows.
struct Found {
    code: Code,
    op: OperationRow,
    payment: PaymentRow,
    merchant: String,
}

fn lookup(s: &Shared, reference: &str) -> Result<Option<Found>, HttpError> {
    Ok(s.store.with(|c| {
        let Some(code) = code_by_reference(c, reference)? else { return Ok(None) };
        let Some(op) = store::operation(c, code.operation_id)? else { return Ok(None) };
        let Some(payment) = store::payment(c, op.payment_rowid)? else { return Ok(None) };
        let merchant = store::project(c, payment.project_id)?.map(|p| p.name).unwrap_or_else(|| format!("project {}", payment.project_id));
        Ok(Some(Found { code, op, payment, merchant }))
    })?)
}

fn error_page(status: StatusCode, title: &str, typed: &str, message: &str) -> Response {
    page(status, title, &format!("{}<p id=\"result\" class=\"error\" role=\"alert\">{}</p>", find_form(typed), escape(message)))
}

/// `GET /sim/epay[?reference=045-050-000]` (also `?reference_number=`, as the code's
/// `redirect_data` reads when followed as a GET link).
async fn terminal(State(s): State<AppState>, Query(q): Query<HashMap<String, String>>) -> Response {
    // A GET changes nothing: a code past its valid time is shown expired here, and the
    // expiry sweep (every second) ends its payment.
    let typed = q.get("reference").or_else(|| q.get("reference_number")).map(|t| t.trim().to_string()).unwrap_or_default();
    if typed.is_empty() {
        let body = format!(
            "{}<p class=\"note\">This is the sandbox's stand-in for an EPay cash terminal in Malaysia: type the reference \
             number the customer shows (QR code, barcode or the number itself) to take the payment.</p>",
            find_form("")
        );
        return page(StatusCode::OK, "Pay a code in cash", &body);
    }
    let Some(reference) = normalize_reference(&typed) else {
        return error_page(
            StatusCode::BAD_REQUEST,
            "Not a reference number",
            &typed,
            "A reference number has nine digits, like 045-050-000.",
        );
    };
    let found = match lookup(&s, &reference) {
        Ok(Some(f)) => f,
        Ok(None) => {
            return error_page(StatusCode::NOT_FOUND, "Unknown code", &reference, &format!("No payment code {reference} in this sandbox."))
        }
        Err(e) => return error_page(StatusCode::INTERNAL_SERVER_ERROR, "Sandbox error", &reference, &e.1.error.message),
    };
    let Found { code, op, payment, merchant } = found;
    let status = match PaymentStatus::parse(payment.status.as_deref().unwrap_or(&op.status)) {
        PaymentStatus::AwaitingCustomer if now_secs() >= code.valid_until => PaymentStatus::Expired,
        status => status,
    };
    let mut body = find_form(&reference);
    body.push_str(&format!(
        "<dl>\n<dt>Reference</dt><dd id=\"reference-number\">{}</dd>\n<dt>Name</dt><dd id=\"user-name\">{}</dd>\n\
         <dt>Merchant</dt><dd id=\"merchant\">{}</dd>\n<dt>Amount</dt><dd id=\"amount\">{}</dd>\n\
         <dt>Valid until</dt><dd id=\"valid-time\">{} <span class=\"muted\">Malaysia time</span></dd>\n\
         <dt>Status</dt><dd id=\"status\">{}</dd>\n</dl>\n",
        escape(&code.reference_number),
        escape(&code.user_name),
        escape(&merchant),
        escape(&MinorUnits(payment.amount).format_plain(&payment.currency)),
        escape(&code.valid_time),
        escape(status.as_str()),
    ));
    let title = if status == PaymentStatus::AwaitingCustomer {
        let sig = terminal_sig(&s.partner_key, &code.reference_number);
        let button = |action: &str, id: &str, label: &str| {
            format!(
                "<form method=\"post\" action=\"{action}\">\n<input type=\"hidden\" name=\"reference\" value=\"{}\">\n\
                 <input type=\"hidden\" name=\"sig\" value=\"{}\">\n<button type=\"submit\" id=\"{id}\">{label}</button>\n</form>\n",
                escape(&code.reference_number),
                escape(&sig),
            )
        };
        body.push_str(&format!(
            "<div class=\"actions\">\n{}{}{}</div>\n<p class=\"note\">Take the cash, or (sandbox test knobs) make the code \
             expire now as if its valid time had passed, or have EPay decline the payment.</p>",
            button(TERMINAL_PAY_PATH, "pay-cash", "Take cash payment"),
            button(TERMINAL_EXPIRE_PATH, "expire", "Expire code now"),
            button(TERMINAL_DECLINE_PATH, "decline", "Decline payment"),
        ));
        "Payment code"
    } else if status.is_paid() {
        body.push_str("<p id=\"result\" class=\"ok\" role=\"status\">Paid in cash. The merchant has been told.</p>");
        "Code paid"
    } else if status == PaymentStatus::Expired {
        body.push_str("<p id=\"result\" class=\"error\" role=\"alert\">This code has expired and cannot be paid. The customer needs a new code from the shop.</p>");
        "Code expired"
    } else {
        body.push_str(&format!(
            "<p id=\"result\" class=\"error\" role=\"alert\">This code cannot be paid: the payment is {}.</p>",
            escape(status.as_str())
        ));
        "Code closed"
    };
    page(StatusCode::OK, title, &body)
}

#[derive(Debug, Deserialize)]
pub struct TerminalForm {
    pub reference: String,
    pub sig: String,
}

fn back_to(reference: &str) -> Response {
    let location = format!("{TERMINAL_PATH}?reference={reference}");
    match HeaderValue::from_str(&location) {
        Ok(v) => (StatusCode::SEE_OTHER, [(header::LOCATION, v)]).into_response(),
        Err(_) => page(StatusCode::OK, "Done", "<p><a href=\"/sim/epay\">Back to the terminal</a></p>"),
    }
}

/// Checks a terminal form and ends its code with `end`; answers 303 back to the code's page.
fn act(s: &Shared, form: Result<Form<TerminalForm>, FormRejection>, end: CodeEnd) -> Response {
    let Form(form) = match form {
        Ok(f) => f,
        Err(e) => return error_page(StatusCode::BAD_REQUEST, "Cannot read the form", "", &e.body_text()),
    };
    let Some(reference) = normalize_reference(&form.reference) else {
        return error_page(
            StatusCode::BAD_REQUEST,
            "Not a reference number",
            &form.reference,
            "A reference number has nine digits, like 045-050-000.",
        );
    };
    if !sig_ok(&s.partner_key, &reference, &form.sig) {
        return error_page(
            StatusCode::BAD_REQUEST,
            "Tampered form",
            &reference,
            "sig does not match the reference number: use the terminal's own buttons.",
        );
    }
    let code = match s.store.with(|c| code_by_reference(c, &reference)) {
        Ok(Some(code)) => code,
        Ok(None) => {
            return error_page(StatusCode::NOT_FOUND, "Unknown code", &reference, &format!("No payment code {reference} in this sandbox."))
        }
        Err(e) => return error_page(StatusCode::INTERNAL_SERVER_ERROR, "Sandbox error", &reference, &format!("database: {e}")),
    };
    match finish(s, code.operation_id, end) {
        Ok(_) => back_to(&reference),
        Err(e) => error_page(StatusCode::INTERNAL_SERVER_ERROR, "Sandbox error", &reference, &e.1.error.message),
    }
}

/// `POST /sim/epay/pay` (`reference`, `sig`): the cashier takes the cash. Idempotent; an
/// expired code is expired, not paid.
async fn terminal_pay(State(s): State<AppState>, form: Result<Form<TerminalForm>, FormRejection>) -> Response {
    act(&s, form, CodeEnd::Paid)
}

/// `POST /sim/epay/expire` (`reference`, `sig`): test knob, the code expires now.
async fn terminal_expire(State(s): State<AppState>, form: Result<Form<TerminalForm>, FormRejection>) -> Response {
    act(&s, form, CodeEnd::Expired)
}

/// `POST /sim/epay/decline` (`reference`, `sig`): test knob, EPay declines the payment.
async fn terminal_decline(State(s): State<AppState>, form: Result<Form<TerminalForm>, FormRejection>) -> Response {
    act(&s, form, CodeEnd::Declined)
}

const STYLESHEET: &str = "\
.epay-terminal .brand { color: #1a7f5a; }
.find { margin: 0 0 1.25rem; }
.find label { display: block; color: #556; margin-bottom: .3rem; }
.find-row { display: flex; gap: .5rem; }
.find-row input { flex: 1; min-width: 0; font: inherit; font-size: 1.15rem; letter-spacing: .06em; padding: .6rem .7rem;
  border: 1px solid #99a; border-radius: 8px; }
.find-row button { width: auto; background: #1d2330; color: #fff; }
button#pay-cash { background: #1a7f5a; color: #fff; }
button#expire, button#decline { background: #fff; color: #b42318; border-color: #b42318; }
#reference-number { font-variant-numeric: tabular-nums; letter-spacing: .06em; }
.muted { color: #667; font-weight: 400; font-size: .85em; }
.ok { color: #11804a; font-weight: 600; }
input:focus-visible { outline: 3px solid #0b5cad; outline-offset: 1px; }
@media (max-width: 30rem) { .sim { margin: 0; border-radius: 0; padding: 1.25rem 1rem; } .actions { flex-direction: column; } }
";

async fn stylesheet() -> Response {
    html::css(STYLESHEET)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_look_like_the_seed() {
        assert_eq!(reference_from_digits(45_050_000), "045-050-000");
        assert_eq!(reference_from_digits(1_999_999_999), "999-999-999");
        assert_eq!(normalize_reference(" 045050000 "), Some("045-050-000".into()));
        assert_eq!(normalize_reference("045-050-000"), Some("045-050-000".into()));
        assert_eq!(normalize_reference("045 050 000"), Some("045-050-000".into()));
        assert_eq!(normalize_reference("04505000"), None);
        assert_eq!(normalize_reference("04a-050-000"), None);
    }

    #[test]
    fn user_name_is_first_last_in_capitals() {
        let c = CustomerData { first_name: Some(" Thanapat ".into()), last_name: Some("Jisamanya".into()), ..Default::default() };
        assert_eq!(user_name(&c), "THANAPAT JISAMANYA");
    }

    #[test]
    fn terminal_sig_is_bound_to_the_reference() {
        let sig = terminal_sig(b"k", "045-050-000");
        assert!(sig_ok(b"k", "045-050-000", &sig));
        assert!(!sig_ok(b"k", "045-050-001", &sig));
        assert!(!sig_ok(b"k", "045-050-000", "zz"));
    }
}
