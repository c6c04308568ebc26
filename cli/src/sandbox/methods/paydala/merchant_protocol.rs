//! Calling the merchant's web service: `verify` and `check_deposit` (seed 000), bounded
//! by the timeout and the answer size, each failure explained.

use super::consts::{CURRENCY, MAX_ANSWER_BYTES};
use crate::sandbox::ledger::paydala_settings::{Service, PROJECT_ID};
use crate::sandbox::ledger::state::Shared;
use epay_core::paydala::{self, ResponseCode};
use epay_core::MinorUnits;
use serde_json::Value;

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

    pub(super) fn parse(s: &str) -> MerchantCallOutcome {
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
    pub(super) fn title(self, deposit: bool) -> &'static str {
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
    pub(super) fn new(outcome: MerchantCallOutcome, message: impl Into<String>) -> Failure {
        Failure { outcome, message: message.into() }
    }
}

pub(super) enum CallError {
    Timeout,
    Unreachable(String),
    TooLarge,
}

/// POSTs `body` (JSON) to the merchant; the whole exchange is bounded by the timeout.
pub(super) async fn post_to_merchant(s: &Shared, url: &str, body: &Value) -> Result<(u16, String), CallError> {
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
pub(super) fn error_chain(e: &dyn std::error::Error) -> String {
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
pub(super) fn snippet(text: &str) -> String {
    let t: String = text.trim().chars().take(80).collect();
    if t.is_empty() {
        "an empty body".into()
    } else if text.trim().chars().count() > 80 {
        format!("\u{201c}{t}\u{2026}\u{201d}")
    } else {
        format!("\u{201c}{t}\u{201d}")
    }
}

pub(super) fn call_failure(e: CallError, s: &Shared, url: &str) -> Failure {
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

pub(super) fn coded_failure(code: ResponseCode, message: Option<&str>) -> Failure {
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

pub(super) fn garbage(status: u16, e: &paydala::ResponseError, text: &str) -> Failure {
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

pub(super) async fn request_deposit(s: &Shared, service: &Service, body: &Value) -> Result<Booked, Failure> {
    let (status, text) = post_to_merchant(s, &service.merchant_url, body).await.map_err(|e| call_failure(e, s, &service.merchant_url))?;
    let answer = paydala::parse_check_deposit_response(&text).map_err(|e| garbage(status, &e, &text))?;
    match (answer.code(), answer.payment_id()) {
        (ResponseCode::Ok, Some(id)) => Ok(Booked { payment_id: id.to_string(), description: answer.description().map(str::to_string) }),
        (ResponseCode::Ok, None) => Err(Failure::new(MerchantCallOutcome::Garbage, "code 0 without payment_id")),
        (code, _) => Err(coded_failure(code, answer.message())),
    }
}
