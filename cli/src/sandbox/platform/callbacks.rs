//! Where callbacks go, and the sandbox's callback tools for developers.
//!
//! - A project's callback URL: the demo shop (`http://127.0.0.1:PORT/merchant/callback`)
//!   unless `epay sandbox --callback-url PROJECT_ID=URL` names the merchant's own back end.
//!   It is set at every start: with the flag the stored URL becomes the flag's, without it
//!   the demo shop's again (a restart never keeps sending to a back end nobody named).
//! - A Gate sale's `general.merchant_callback_url` (card-partner and EPay cash sales):
//!   every callback of that payment (the sale's and later refunds') goes there instead.
//!   Seeds 001 and 002 do not name a Payment Page parameter for it, so `open` has none.
//! - URLs are absolute `https:`, or `http:` to loopback only (the sandbox is local).
//! - `GET /sandbox/callbacks`: every project's callbacks with their delivery state, each
//!   delivered one with a Resend button (a plain form, no script); `GET
//!   /sandbox/callbacks.json`: the same as JSON (`epay callbacks list`).
//! - `POST /sandbox/callbacks/{id}/resend`: queues the identical signed body again (same
//!   signature, same payment and operation ids: merchants dedupe on them) to the payment's
//!   current URL (its `merchant_callback_url`, else the project's). A form gets a 303 back
//!   to the list; `Accept: application/json` gets 201 `{id, resend_of, url}`. Only delivered
//!   callbacks: a pending one is still retried by the outbox (409). A request whose
//!   `Origin` is not the sandbox's own is refused (403).

use crate::sandbox::ledger::clock::now_ms;
use crate::sandbox::ledger::state::{AppState, DEMO_PROJECTS};
use crate::sandbox::ledger::store::{self, store_error};
use crate::sandbox::server::html::{self, escape};
use crate::sandbox::server::HttpError;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use epay_core::redirect::{check_url, RedirectError, UrlPolicy};
use epay_core::time::callback_date_ms;
use epay_core::ErrorCode;
use epay_core::ParamError;
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;
use serde_json::Value;
use std::collections::HashMap;

pub const LIST_PATH: &str = "/sandbox/callbacks";
pub const LIST_JSON_PATH: &str = "/sandbox/callbacks.json";
/// `POST /sandbox/callbacks/{id}/resend`
pub const RESEND_PATH: &str = "/sandbox/callbacks/{id}/resend";
const STYLESHEET_PATH: &str = "/sandbox/sandbox.css";

const SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS payment_callback_urls (
    payment_rowid INTEGER PRIMARY KEY REFERENCES payments(rowid),
    url TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS callback_resends (
    callback_id INTEGER PRIMARY KEY REFERENCES callbacks(id),
    resend_of INTEGER NOT NULL REFERENCES callbacks(id),
    created_at TEXT NOT NULL
);
"#;

pub fn init(store: &store::Store) -> rusqlite::Result<()> {
    store.with(|c| c.execute_batch(SCHEMA))
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(LIST_PATH, get(list_page))
        .route(LIST_JSON_PATH, get(list_json))
        .route(RESEND_PATH, post(resend_handler))
        .route(STYLESHEET_PATH, get(stylesheet))
}

// ---------------------------------------------------------------------------------------
// Callback URLs
// ---------------------------------------------------------------------------------------

const SANDBOX_URLS: UrlPolicy = UrlPolicy { allow_loopback_http: true };

/// Checks a callback URL: absolute `https:`, or `http:` to loopback. The error says why.
pub fn check_callback_url(url: &str) -> Result<(), String> {
    check_url(url, SANDBOX_URLS).map_err(|e| match e {
        RedirectError::Malformed(why) => format!("must be an absolute https URL, or http to loopback ({why}), got {url:?}"),
        RedirectError::Scheme(s) => format!("scheme {s:?} is refused: use https, or plain http to loopback, got {url:?}"),
        RedirectError::InsecureHost(h) => {
            format!("plain http to {h:?} is refused: use https (plain http only to loopback in the sandbox), got {url:?}")
        }
        other => format!("{other}, got {url:?}"),
    })?;
    reqwest::Url::parse(url).map(|_| ()).map_err(|e| format!("must be an absolute https URL, or http to loopback ({e}), got {url:?}"))
}

/// Reads `--callback-url PROJECT_ID=URL`.
pub fn parse_callback_url_arg(arg: &str) -> Result<(u64, String), String> {
    let usage = || format!("expected PROJECT_ID=URL (e.g. 250=http://127.0.0.1:3000/epay/callback), got {arg:?}");
    let (id, url) = arg.split_once('=').ok_or_else(usage)?;
    let id = id.trim().parse::<u64>().ok().filter(|id| *id > 0).ok_or_else(usage)?;
    if url.is_empty() {
        return Err(usage());
    }
    Ok((id, url.to_string()))
}

/// Checks the `--callback-url` settings (known projects, once each, good URLs, not also
/// given by `--paydala-callback-url`).
pub fn check_project_urls(urls: &[(u64, String)], paydala_callback_url: bool) -> Result<(), String> {
    for (i, (id, url)) in urls.iter().enumerate() {
        if !DEMO_PROJECTS.iter().any(|p| p.id == *id) {
            let known = DEMO_PROJECTS.iter().map(|p| p.id.to_string()).collect::<Vec<_>>().join(", ");
            return Err(format!("--callback-url: callback URL for project {id}: no such project in this sandbox (projects: {known})"));
        }
        if urls[..i].iter().any(|(other, _)| other == id) {
            return Err(format!("--callback-url: callback URL for project {id} given twice"));
        }
        if *id == crate::sandbox::methods::paydala::PROJECT_ID && paydala_callback_url {
            return Err(format!(
                "--callback-url: callback URL for project {id} given by both --callback-url and --paydala-callback-url: give one"
            ));
        }
        check_callback_url(url).map_err(|e| format!("--callback-url: callback URL for project {id}: {e}"))?;
    }
    Ok(())
}

/// Points the projects named by `--callback-url` at their URLs (after `ensure_project`
/// has put every project back on the demo shop).
pub fn set_project_urls(c: &Connection, urls: &[(u64, String)]) -> rusqlite::Result<()> {
    for (id, url) in urls {
        c.execute("UPDATE projects SET callback_url = ?2 WHERE id = ?1", params![*id as i64, url])?;
    }
    Ok(())
}

/// `general.merchant_callback_url` of a Gate sale, checked.
pub fn gate_callback_url(doc: &Value) -> Result<Option<String>, ParamError> {
    const PARAM: &str = "general.merchant_callback_url";
    match doc.pointer("/general/merchant_callback_url") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(url)) => match check_callback_url(url) {
            Ok(()) => Ok(Some(url.clone())),
            Err(e) => Err(ParamError::new(PARAM, "url", e)),
        },
        Some(other) => Err(ParamError::new(PARAM, "type", format!("must be a URL string, got {other}"))),
    }
}

/// Sends every callback of the payment to `url`.
pub fn set_payment_url(c: &Connection, payment_rowid: i64, url: &str) -> rusqlite::Result<()> {
    c.execute(
        "INSERT INTO payment_callback_urls (payment_rowid, url) VALUES (?1, ?2)
         ON CONFLICT (payment_rowid) DO UPDATE SET url = excluded.url",
        params![payment_rowid, url],
    )?;
    Ok(())
}

/// Where a callback is delivered now: its payment's URL, else its project's.
pub fn delivery_url(c: &Connection, callback_id: i64) -> rusqlite::Result<Option<String>> {
    c.query_row(
        "SELECT COALESCE(u.url, p.callback_url) FROM callbacks cb
         JOIN projects p ON p.id = cb.project_id
         LEFT JOIN payment_callback_urls u ON u.payment_rowid = cb.payment_rowid
         WHERE cb.id = ?1",
        [callback_id],
        |r| r.get(0),
    )
    .optional()
}

// ---------------------------------------------------------------------------------------
// The list and resend
// ---------------------------------------------------------------------------------------

/// One callback and its delivery state (`GET /sandbox/callbacks.json`).
#[derive(Debug, Clone, Serialize)]
pub struct CallbackInfo {
    pub id: i64,
    pub project_id: u64,
    pub payment_id: String,
    /// From the body: `operation.type` / `operation.status` / `payment.status` (empty when absent).
    pub operation_type: String,
    pub operation_status: String,
    pub payment_status: String,
    pub created_at: String,
    pub attempts: u32,
    pub delivered: bool,
    pub delivered_at: Option<String>,
    pub last_http_status: Option<u16>,
    pub last_error: Option<String>,
    /// Where it goes (went) now.
    pub url: String,
    /// The callback this one resends, if it is a resend.
    pub resend_of: Option<i64>,
    /// The signed body as sent.
    pub body: Value,
}

/// Every callback, newest first (at most `limit`).
pub fn list(c: &Connection, limit: u32) -> rusqlite::Result<Vec<CallbackInfo>> {
    let mut stmt = c.prepare(
        "SELECT cb.id, cb.project_id, p.payment_id, cb.body, cb.created_at, cb.attempts, cb.delivered_at,
                cb.last_http_status, cb.last_error, COALESCE(u.url, pr.callback_url), r.resend_of
         FROM callbacks cb
         JOIN payments p ON p.rowid = cb.payment_rowid
         JOIN projects pr ON pr.id = cb.project_id
         LEFT JOIN payment_callback_urls u ON u.payment_rowid = cb.payment_rowid
         LEFT JOIN callback_resends r ON r.callback_id = cb.id
         ORDER BY cb.id DESC LIMIT ?1",
    )?;
    let rows = stmt.query_map([limit], |r| {
        let text: String = r.get(3)?;
        let body: Value = serde_json::from_str(&text).unwrap_or(Value::String(text));
        let at = |p: &str| body.pointer(p).and_then(Value::as_str).unwrap_or_default().to_string();
        let delivered_at: Option<String> = r.get(6)?;
        Ok(CallbackInfo {
            id: r.get(0)?,
            project_id: r.get::<_, i64>(1)? as u64,
            payment_id: r.get(2)?,
            operation_type: at("/operation/type"),
            operation_status: at("/operation/status"),
            payment_status: at("/payment/status"),
            created_at: r.get(4)?,
            attempts: r.get(5)?,
            delivered: delivered_at.is_some(),
            delivered_at,
            last_http_status: r.get(7)?,
            last_error: r.get(8)?,
            url: r.get(9)?,
            resend_of: r.get(10)?,
            body,
        })
    })?;
    rows.collect()
}

#[derive(Debug, PartialEq, Eq)]
pub enum ResendError {
    Unknown,
    NotDelivered,
}

/// Queues callback `id` again, byte for byte; returns the new callback's id.
pub fn resend(c: &mut Connection, id: i64) -> rusqlite::Result<Result<i64, ResendError>> {
    let now_ms = now_ms();
    let now = callback_date_ms(now_ms);
    let tx = c.transaction()?;
    struct Sent {
        project_id: i64,
        payment_rowid: i64,
        operation_id: Option<i64>,
        body: String,
        delivered: bool,
    }
    let row = tx
        .query_row(
            "SELECT project_id, payment_rowid, operation_id, body, delivered_at IS NOT NULL FROM callbacks WHERE id = ?1",
            [id],
            |r| {
                Ok(Sent { project_id: r.get(0)?, payment_rowid: r.get(1)?, operation_id: r.get(2)?, body: r.get(3)?, delivered: r.get(4)? })
            },
        )
        .optional()?;
    let Some(Sent { project_id, payment_rowid, operation_id, body, delivered }) = row else {
        return Ok(Err(ResendError::Unknown));
    };
    if !delivered {
        return Ok(Err(ResendError::NotDelivered));
    }
    let project_id = u64::try_from(project_id).map_err(|e| store_error(format!("callback {id}: project id: {e}")))?;
    let new_id = store::enqueue_callback(&tx, project_id, payment_rowid, operation_id, &body, &now, now_ms)?;
    tx.execute("INSERT INTO callback_resends (callback_id, resend_of, created_at) VALUES (?1, ?2, ?3)", params![new_id, id, now])?;
    tx.commit()?;
    Ok(Ok(new_id))
}

async fn list_json(State(s): State<AppState>) -> Result<Json<Vec<CallbackInfo>>, HttpError> {
    Ok(Json(s.store.with(|c| list(c, 1000))?))
}

/// A form POST from a page of another origin is refused (the sandbox's own pages and
/// non-browser clients, which send no `Origin`, pass).
fn same_origin(headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else { return true };
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or_default();
    !host.is_empty() && origin.eq_ignore_ascii_case(&format!("http://{host}"))
}

fn wants_json(headers: &HeaderMap) -> bool {
    headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|a| a.contains("application/json"))
}

async fn resend_handler(State(s): State<AppState>, Path(id): Path<String>, headers: HeaderMap) -> Response {
    let json = wants_json(&headers);
    let fail = |status: StatusCode, code: ErrorCode, message: String| -> Response {
        if json {
            HttpError::new(status, code, Some("id"), message).into_response()
        } else {
            page(status, "Callback not resent", &format!("<p class=\"error\" role=\"alert\">{}</p>{BACK}", escape(&message)))
        }
    };
    if !same_origin(&headers) {
        return fail(StatusCode::FORBIDDEN, ErrorCode::CrossOrigin, "resend: this form posts only from the sandbox's own pages".into());
    }
    let Some(id) = id.parse::<i64>().ok().filter(|id| *id > 0) else {
        return fail(StatusCode::NOT_FOUND, ErrorCode::UnknownCallback, format!("no callback {id:?}"));
    };
    let resent = s.store.with(|c| resend(c, id).map(|r| r.map(|new| (new, delivery_url(c, new)))));
    let (new_id, url) = match resent {
        Ok(Ok((new_id, url))) => (new_id, url.ok().flatten().unwrap_or_default()),
        Ok(Err(ResendError::Unknown)) => return fail(StatusCode::NOT_FOUND, ErrorCode::UnknownCallback, format!("no callback {id}")),
        Ok(Err(ResendError::NotDelivered)) => {
            return fail(
                StatusCode::CONFLICT,
                ErrorCode::NotDelivered,
                format!("callback {id} is not delivered yet: the outbox keeps retrying it; resend it once it is delivered"),
            )
        }
        Err(e) => return HttpError::from(e).into_response(),
    };
    s.outbox_wake.notify_one();
    if json {
        (StatusCode::CREATED, Json(serde_json::json!({ "id": new_id, "resend_of": id, "url": url }))).into_response()
    } else {
        let to = format!("{LIST_PATH}?resent={new_id}#callback-{new_id}");
        (StatusCode::SEE_OTHER, [(header::LOCATION, to)]).into_response()
    }
}

const BACK: &str = "<p><a href=\"/sandbox/callbacks\">Back to the callbacks</a></p>";

/// No script at all, styles from our stylesheet, forms post only here.
const SHELL: html::Shell = html::Shell {
    brand: "epay",
    kind: "sandbox platform",
    title_suffix: "epay sandbox",
    stylesheets: &[STYLESHEET_PATH],
    body_class: None,
    main_class: "sb",
    csp: "default-src 'none'; style-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
};

fn page(status: StatusCode, title: &str, body: &str) -> Response {
    html::page_in(&SHELL, status, title, body)
}

fn delivery_cell(cb: &CallbackInfo) -> String {
    let last = match (&cb.last_http_status, &cb.last_error) {
        (_, Some(e)) => format!("<br><span class=\"note\">last: {}</span>", escape(e)),
        (Some(code), None) => format!("<br><span class=\"note\">HTTP {code}</span>"),
        (None, None) => String::new(),
    };
    let tries = if cb.attempts == 1 { "1 attempt".to_string() } else { format!("{} attempts", cb.attempts) };
    match &cb.delivered_at {
        Some(at) => format!("<span class=\"ok\">delivered</span> {}<br>{tries}{last}", escape(at)),
        None => format!("<span class=\"pending\">pending</span><br>{tries}{last}"),
    }
}

async fn list_page(State(s): State<AppState>, Query(q): Query<HashMap<String, String>>) -> Response {
    let rows = match s.store.with(|c| list(c, 1000)) {
        Ok(rows) => rows,
        Err(e) => return HttpError::from(e).into_response(),
    };
    let mut body = String::from(
        "<p class=\"note\">Every signed callback the platform has sent, newest first. Resend queues the \
         identical body (same signature and ids) to the payment's current callback URL.</p>\n",
    );
    if let Some(new) = q.get("resent").and_then(|v| v.parse::<i64>().ok()) {
        body.push_str(&format!("<p class=\"notice\" role=\"status\">Queued again as callback #{new}.</p>\n"));
    }
    if rows.is_empty() {
        body.push_str("<p>No callbacks yet.</p>\n");
    } else {
        body.push_str(
            "<table>\n<thead><tr><th scope=\"col\">#</th><th scope=\"col\">Project</th><th scope=\"col\">Payment</th>\
             <th scope=\"col\">Operation</th><th scope=\"col\">Created</th><th scope=\"col\">Delivery</th>\
             <th scope=\"col\">URL</th><th scope=\"col\"><span class=\"visually-hidden\">Action</span></th></tr></thead>\n<tbody>\n",
        );
        for cb in &rows {
            let resend_of = cb.resend_of.map(|o| format!("<br><span class=\"note\">resend of #{o}</span>")).unwrap_or_default();
            let operation = [cb.operation_type.as_str(), cb.operation_status.as_str()]
                .iter()
                .filter(|t| !t.is_empty())
                .map(|t| escape(t))
                .collect::<Vec<_>>()
                .join(" ");
            let payment_status = if cb.payment_status.is_empty() {
                String::new()
            } else {
                format!("<br><span class=\"note\">payment {}</span>", escape(&cb.payment_status))
            };
            let action = if cb.delivered {
                format!(
                    "<form method=\"post\" action=\"/sandbox/callbacks/{id}/resend\">\
                     <button type=\"submit\" id=\"resend-{id}\" aria-label=\"Resend callback {id}\">Resend</button></form>",
                    id = cb.id
                )
            } else {
                String::new()
            };
            body.push_str(&format!(
                "<tr id=\"callback-{id}\"><td data-label=\"#\">{id}{resend_of}</td><td data-label=\"Project\">{project}</td>\
                 <td data-label=\"Payment\">{payment}</td><td data-label=\"Operation\">{operation}{payment_status}</td>\
                 <td data-label=\"Created\">{created}</td><td data-label=\"Delivery\">{delivery}</td>\
                 <td class=\"url\" data-label=\"URL\">{url}</td><td>{action}</td></tr>\n",
                id = cb.id,
                project = cb.project_id,
                payment = escape(&cb.payment_id),
                created = escape(&cb.created_at),
                delivery = delivery_cell(cb),
                url = escape(&cb.url),
            ));
        }
        body.push_str("</tbody>\n</table>\n");
    }
    page(StatusCode::OK, "Callbacks", &body)
}

const STYLESHEET: &str = "\
:root { color-scheme: light; font-family: system-ui, sans-serif; }
body { margin: 0; background: #f3f5f8; color: #1d2330; }
.sb { max-width: 72rem; margin: 2rem auto; background: #fff; border-radius: 12px; padding: 1.5rem 2rem;
  box-shadow: 0 2px 12px rgba(0,0,0,.08); }
.brand { font-weight: 700; color: #0b5cad; margin: 0 0 .5rem; }
.brand span { font-weight: 400; color: #556; font-size: .85em; margin-left: .4em; }
h1 { font-size: 1.3rem; margin: .2rem 0 1rem; }
table { width: 100%; border-collapse: collapse; font-size: .9rem; }
th, td { text-align: left; vertical-align: top; padding: .5rem .4rem; border-bottom: 1px solid #dde2ea; }
td.url { overflow-wrap: anywhere; max-width: 18rem; }
.note { color: #4a5160; font-size: .85rem; }
.ok { color: #11703f; font-weight: 600; }
.pending { color: #8a4b00; font-weight: 600; }
.notice { background: #e8f4ec; color: #0e5a33; padding: .5rem .75rem; border-radius: 8px; }
.error { color: #b42318; font-weight: 600; }
button { font: inherit; padding: .35rem .8rem; border-radius: 8px; border: 1px solid #0b5cad; background: #fff;
  color: #0b5cad; cursor: pointer; }
button:focus-visible, a:focus-visible { outline: 3px solid #0b5cad; outline-offset: 2px; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
button { min-height: 44px; }
/* Phones: one block per callback, each value under its label. */
@media (max-width: 40rem) {
  .sb { margin: 0; border-radius: 0; padding: 1rem; }
  thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); }
  table, tbody, tr, td { display: block; }
  tr { border-bottom: 1px solid #dde2ea; padding: .5rem 0; }
  td { border: 0; padding: .2rem 0 .2rem 6.5rem; position: relative; }
  td[data-label]::before { content: attr(data-label); color: #4a5160; position: absolute; left: 0; }
  td:last-child { padding-left: 0; }
  td.url { max-width: none; }
}
";

async fn stylesheet() -> Response {
    html::css(STYLESHEET)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn callback_urls_are_https_or_loopback_http() {
        assert!(check_callback_url("https://shop.example.com/cb").is_ok());
        assert!(check_callback_url("http://127.0.0.1:3000/cb").is_ok());
        assert!(check_callback_url("http://localhost:3000/cb").is_ok());
        assert!(check_callback_url("http://shop.example.com/cb").unwrap_err().contains("plain http"));
        assert!(check_callback_url("ftp://127.0.0.1/cb").unwrap_err().contains("scheme"));
        assert!(check_callback_url("/cb").unwrap_err().contains("absolute"));
    }

    #[test]
    fn only_the_sandboxs_own_origin_may_post() {
        let mut h = HeaderMap::new();
        h.insert(header::HOST, HeaderValue::from_static("127.0.0.1:8787"));
        assert!(same_origin(&h), "no Origin: curl, the CLI");
        h.insert(header::ORIGIN, HeaderValue::from_static("http://127.0.0.1:8787"));
        assert!(same_origin(&h));
        h.insert(header::ORIGIN, HeaderValue::from_static("http://127.0.0.1:9999"));
        assert!(!same_origin(&h));
        h.insert(header::ORIGIN, HeaderValue::from_static("null"));
        assert!(!same_origin(&h));
    }
}
