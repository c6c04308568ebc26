//! The hosted Payment Page (issue 23): `GET /payment?project_id=..&...&signature=..`, the URL
//! the official SDKs build (`ecommpay-sdk`'s `PaymentPage.get_url`, npm `ecommpay`'s
//! `Payment.getUrl`) with the sandbox as base. The page is the same widget, full page,
//! through the pinned loader (`/pkg/epay-widget.js`); `www/payment-page.js` hands it the
//! query's parameters exactly as they arrived (text, as the merchant's SDK signed their
//! text forms), and `open` verifies them. Nothing is decided here that `open` decides: this
//! route only refuses a query that cannot be a parameter set (a name twice, too many, too
//! long), naming the parameter.
//!
//! The page carries no inline script: the parameters travel in a
//! `<script type="application/json">` data block (never executed, so allowed by the strict
//! CSP), with `<`, `>` and `&` escaped as JSON `\u` escapes so no value can close the block.

use crate::sandbox::ledger::state::AppState;
use crate::sandbox::server::html::escape;
use crate::sandbox::server::html::MERCHANT_CSP;
use axum::extract::RawQuery;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use epay_core::params::{size_problems, ParamError};
use serde_json::{Map, Value};

/// Where the hosted Payment Page lives (the SDKs append `/payment` to their base URL).
pub const PAYMENT_PATH: &str = "/payment";

pub fn routes() -> Router<AppState> {
    Router::new().route(PAYMENT_PATH, get(page))
}

/// The query's parameters in the order sent, or the problems that make it no parameter set.
pub fn query_params(query: &str) -> Result<Map<String, Value>, Vec<ParamError>> {
    let mut out = Map::new();
    let mut errs = Vec::new();
    let mut count = 0usize;
    for (k, v) in form_urlencoded::parse(query.as_bytes()) {
        count += 1;
        if count > epay_core::params::MAX_PARAMS {
            // Counted to the end by size_problems below; no more work on the values.
            continue;
        }
        if out.contains_key(k.as_ref()) {
            if !errs.iter().any(|e: &ParamError| e.param == k) {
                errs.push(ParamError::new(&k, "duplicate", "appears more than once in the query string; a parameter is sent once"));
            }
            continue;
        }
        out.insert(k.into_owned(), Value::String(v.into_owned()));
    }
    let sizes = size_problems(count, out.iter().filter_map(|(k, v)| v.as_str().map(|s| (k.as_str(), s))));
    if !sizes.is_empty() {
        return Err(sizes);
    }
    if out.is_empty() {
        errs.push(ParamError::new(
            "params",
            "required",
            "none sent: open /payment?project_id=...&payment_id=...&signature=... as built by the official SDKs or your server",
        ));
    }
    if errs.is_empty() {
        Ok(out)
    } else {
        Err(errs)
    }
}

/// JSON safe inside a `<script type="application/json">` element.
fn data_block(params: &Map<String, Value>) -> String {
    let json = serde_json::to_string(params).unwrap_or_else(|_| "{}".into());
    json.replace('<', "\\u003c").replace('>', "\\u003e").replace('&', "\\u0026")
}

fn html(status: StatusCode, body: String) -> Response {
    (
        status,
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8")),
            (header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(MERCHANT_CSP)),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
            (header::REFERRER_POLICY, HeaderValue::from_static("no-referrer")),
        ],
        body,
    )
        .into_response()
}

/// `GET /payment?...`
pub async fn page(RawQuery(query): RawQuery) -> Response {
    let params = match query_params(query.as_deref().unwrap_or_default()) {
        Ok(p) => p,
        Err(errs) => {
            let items: String =
                errs.iter().map(|e| format!("<li data-param=\"{}\">{}</li>", escape(&e.param), escape(&e.to_string()))).collect();
            return html(
                StatusCode::BAD_REQUEST,
                format!(
                    "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Payment Page: bad request · epay sandbox</title>\n\
                     <link rel=\"stylesheet\" href=\"/payment-page.css\">\n</head>\n<body>\n<main class=\"payment-page\">\n\
                     <h1>This payment link cannot be opened</h1>\n<ul class=\"error\" id=\"payment-errors\">{items}</ul>\n</main>\n</body>\n</html>\n"
                ),
            );
        }
    };
    html(
        StatusCode::OK,
        format!(
            "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
             <title>Payment · epay sandbox</title>\n\
             <link rel=\"icon\" href=\"/favicon.svg\" type=\"image/svg+xml\">\n\
             <link rel=\"stylesheet\" href=\"/payment-page.css\">\n\
             <script type=\"application/json\" id=\"epay-payment-params\">{data}</script>\n\
             <script src=\"/pkg/epay-widget.js\"></script>\n\
             <script type=\"module\" src=\"/payment-page.js\"></script>\n\
             </head>\n<body>\n<main class=\"payment-page\">\n\
             <p class=\"payment-page-brand\">Payment Page <span>sandbox</span></p>\n\
             <div id=\"checkout\"></div>\n\
             <p id=\"payment-return\" hidden></p>\n\
             </main>\n</body>\n</html>\n",
            data = data_block(&params)
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_query_is_read_as_sent_in_order() {
        let p = query_params("project_id=250&interface_type=%7B%22id%22%3A+24%7D&payment_description=a%3Bb%3Ac+d&x=").unwrap();
        assert_eq!(p.keys().collect::<Vec<_>>(), ["project_id", "interface_type", "payment_description", "x"]);
        assert_eq!(p["interface_type"], "{\"id\": 24}");
        assert_eq!(p["payment_description"], "a;b:c d");
        assert_eq!(p["x"], "");
    }

    #[test]
    fn a_name_twice_or_no_parameters_is_refused_by_name() {
        let e = query_params("a=1&b=2&a=3").unwrap_err();
        assert_eq!((e[0].param.as_str(), e[0].code.as_str()), ("a", "duplicate"));
        assert_eq!(query_params("").unwrap_err()[0].param, "params");
        let many: Vec<String> = (0..100).map(|i| format!("k{i}=1")).collect();
        assert_eq!(query_params(&many.join("&")).unwrap_err()[0].code, "too_many");
    }

    #[test]
    fn values_cannot_close_the_data_block() {
        let p = query_params("d=%3C%2Fscript%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E%26").unwrap();
        let block = data_block(&p);
        assert!(!block.contains('<') && !block.contains('>') && !block.contains('&'), "{block}");
        let back: Map<String, Value> = serde_json::from_str(&block).unwrap();
        assert_eq!(back, p);
    }
}
