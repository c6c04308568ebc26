//! What a development server checks before anything else (issue 13):
//!
//! - **Host**: only loopback names (`127.0.0.1`, `localhost` and `*.localhost`, `[::1]`, any
//!   port) and the names given with `--allow-host` are answered. A web page that rebinds its
//!   own DNS name to 127.0.0.1 sends its own name as Host, and gets 403 instead of the
//!   developer's sandbox.
//! - **Origin**: a state-changing request (not GET/HEAD/OPTIONS) to the demo shop
//!   (`/merchant/...`) or the simulators (`/sim/...`) that carries an `Origin` must come from
//!   the page's own origin (`http://` + Host). Browsers send `Origin` on every cross-origin
//!   POST, simple `text/plain` ones included; servers, the CLI and tests send none and pass.
//!   The sandbox's own tool pages (`/sandbox/...`) are checked the same way.
//!   Not checked: the widget API (`/api/...`, cross-origin by design, authenticated by the
//!   merchant's signature), Gate (`/v2/...`, server to server, signed), the partner page a
//!   merchant's page redirects to with a form POST, and the partner's signed notification.
//! - **Request timeout**: a request (its body included) not answered within
//!   [`Limits::request_timeout`](super::limits::Limits) gets 408 and its connection is closed.

use super::limits::Limits;
use crate::sandbox::methods::card_partner as partner;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;
use std::time::Duration;

/// The guard's settings, resolved at start.
#[derive(Debug, Clone)]
pub struct Guard {
    /// Lower-case host names (no port) answered besides loopback.
    allow_hosts: Vec<String>,
    request_timeout: Duration,
}

impl Guard {
    pub fn new(allow_hosts: &[String], limits: &Limits) -> Arc<Guard> {
        let allow_hosts = allow_hosts.iter().map(|h| strip_port(h.trim()).to_ascii_lowercase()).filter(|h| !h.is_empty()).collect();
        Arc::new(Guard { allow_hosts, request_timeout: limits.request_timeout })
    }

    fn host_allowed(&self, host: &str) -> bool {
        let name = strip_port(host).to_ascii_lowercase();
        is_loopback_name(&name) || self.allow_hosts.contains(&name)
    }
}

/// `name:port` -> `name`; `[::1]:80` -> `[::1]`.
fn strip_port(host: &str) -> &str {
    if host.starts_with('[') {
        return match host.find(']') {
            Some(end) => &host[..=end],
            None => host,
        };
    }
    match host.rsplit_once(':') {
        Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name,
        _ => host,
    }
}

fn is_loopback_name(name: &str) -> bool {
    matches!(name, "127.0.0.1" | "localhost" | "[::1]") || name.ends_with(".localhost")
}

/// Paths whose unsafe requests must come from the sandbox's own pages.
fn origin_checked(method: &Method, path: &str) -> bool {
    let unsafe_method = !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS);
    let own_pages = path.starts_with("/merchant/") || path.starts_with("/sim/") || path.starts_with("/sandbox/");
    // The partner page is where a merchant's page (any origin) sends the customer with a
    // form POST; its notification is signed (`hsh`) and comes from the partner's server.
    let cross_origin_by_design = path == partner::PAY_PATH || path == partner::NOTIFY_PATH;
    unsafe_method && own_pages && !cross_origin_by_design
}

fn refuse(status: StatusCode, text: String) -> Response {
    (status, [(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"))], text).into_response()
}

fn header_str(headers: &HeaderMap, name: header::HeaderName) -> Option<&str> {
    headers.get(name).map(|v| v.to_str().unwrap_or("\u{fffd}"))
}

/// The middleware: `.layer(axum::middleware::from_fn_with_state(guard, guard::check))`.
pub async fn check(State(guard): State<Arc<Guard>>, req: Request, next: Next) -> Response {
    // HTTP/1.1 requires Host; a request without one cannot come from a rebinding page.
    let host = header_str(req.headers(), header::HOST).or_else(|| req.uri().authority().map(|a| a.as_str()));
    if let Some(host) = host {
        if !guard.host_allowed(host) {
            return refuse(
                StatusCode::FORBIDDEN,
                format!(
                    "epay sandbox: Host {host:?} is not allowed (DNS rebinding protection). It answers 127.0.0.1, \
                     localhost and [::1] on any port; start it with --allow-host NAME to also answer NAME.\n"
                ),
            );
        }
    }
    if origin_checked(req.method(), req.uri().path()) {
        if let Some(origin) = header_str(req.headers(), header::ORIGIN) {
            let own = host.map(|h| format!("http://{h}"));
            if own.as_deref().map(|o| !o.eq_ignore_ascii_case(origin)).unwrap_or(true) {
                return refuse(
                    StatusCode::FORBIDDEN,
                    format!(
                        "epay sandbox: cross-site request refused: Origin {origin:?} is not this sandbox ({}). The demo \
                         shop and the simulators take writes only from their own pages; the widget API (/api/...) and \
                         Gate (/v2/...) take any origin.\n",
                        own.as_deref().unwrap_or("no Host")
                    ),
                );
            }
        }
    }
    match tokio::time::timeout(guard.request_timeout, next.run(req)).await {
        Ok(response) => response,
        Err(_) => {
            let mut r = refuse(
                StatusCode::REQUEST_TIMEOUT,
                format!("epay sandbox: the request was not complete within {} s\n", guard.request_timeout.as_secs_f32()),
            );
            r.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
            r
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_names() {
        let g = Guard::new(&["DevBox.test:8787".into()], &Limits::default());
        for ok in [
            "127.0.0.1",
            "127.0.0.1:1",
            "localhost",
            "LocalHost:8787",
            "[::1]",
            "[::1]:8787",
            "a.localhost:3",
            "devbox.test",
            "devbox.test:1",
        ] {
            assert!(g.host_allowed(ok), "{ok}");
        }
        for bad in ["evil.example", "127.0.0.1.evil.example", "localhost.evil", "[::2]:80", "127.0.0.2", "devbox.test.evil", ""] {
            assert!(!g.host_allowed(bad), "{bad}");
        }
    }

    #[test]
    fn which_requests_need_their_own_origin() {
        assert!(origin_checked(&Method::POST, "/merchant/orders"));
        assert!(origin_checked(&Method::POST, "/sim/partner/refund-decline"));
        assert!(origin_checked(&Method::DELETE, "/sim/epay/pay"));
        assert!(origin_checked(&Method::POST, "/sandbox/callbacks/1/resend"));
        assert!(!origin_checked(&Method::GET, "/merchant/orders/x"));
        assert!(!origin_checked(&Method::POST, "/api/v1/checkout/open"));
        assert!(!origin_checked(&Method::POST, "/v2/payment/card-partner/sale"));
        assert!(!origin_checked(&Method::POST, partner::PAY_PATH));
        assert!(!origin_checked(&Method::POST, partner::NOTIFY_PATH));
    }
}
