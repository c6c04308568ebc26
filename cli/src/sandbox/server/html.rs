//! Server-rendered pages of the sandbox (the simulated partner and terminals, the callback
//! list): every interpolated value goes through [`escape`], pages carry no script at all
//! (plain forms), and a strict CSP says so.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// The Content-Security-Policy of the demo shop and every other page under `www/`.
pub const MERCHANT_CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'";

/// Escapes text for HTML element content and quoted attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// How one family of sandbox pages looks and what its Content-Security-Policy allows. Every
/// page is the same shell: no script at all, styles only from our stylesheets, escaped text.
pub struct Shell {
    /// The brand line (`Card partner`) and what it is (`sandbox simulation`).
    pub brand: &'static str,
    pub kind: &'static str,
    /// After the title in `<title>`: `Card partner (sandbox)`.
    pub title_suffix: &'static str,
    pub stylesheets: &'static [&'static str],
    pub body_class: Option<&'static str>,
    pub main_class: &'static str,
    pub csp: &'static str,
}

/// A complete page in `shell`. `title` is text (escaped here); `body` is HTML built by the
/// caller from escaped pieces.
pub fn page_in(shell: &Shell, status: StatusCode, title: &str, body: &str) -> Response {
    let links: String = shell.stylesheets.iter().map(|href| format!("<link rel=\"stylesheet\" href=\"{href}\">\n")).collect();
    let body_tag = match shell.body_class {
        Some(c) => format!("<body class=\"{c}\">"),
        None => "<body>".to_string(),
    };
    let html = format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title} · {suffix}</title>\n{links}</head>\n\
         {body_tag}\n<main class=\"{main}\">\n<p class=\"brand\">{brand} <span>{kind}</span></p>\n\
         <h1>{title}</h1>\n{body}\n</main>\n</body>\n</html>\n",
        title = escape(title),
        suffix = shell.title_suffix,
        main = shell.main_class,
        brand = shell.brand,
        kind = shell.kind,
    );
    (
        status,
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8")),
            (header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(shell.csp)),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        html,
    )
        .into_response()
}

/// Where the simulators' common stylesheet ([`STYLESHEET`]) is served.
pub const STYLESHEET_PATH: &str = "/sim/sim.css";

/// A stylesheet answer (the sandbox's pages are rebuilt often: always revalidated).
pub fn css(text: &'static str) -> Response {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "no-cache")], text).into_response()
}

/// `GET /sim/sim.css`
pub async fn stylesheet() -> Response {
    css(STYLESHEET)
}

/// The simulators' common stylesheet: every simulator page links it first.
pub const STYLESHEET: &str = "\
:root { color-scheme: light; font-family: system-ui, sans-serif; }
body { margin: 0; background: #f3f5f8; color: #1d2330; }
.sim { max-width: 28rem; margin: 3rem auto; background: #fff; border-radius: 12px; padding: 1.5rem 2rem;
  box-shadow: 0 2px 12px rgba(0,0,0,.08); }
.brand { font-weight: 700; color: #0b5cad; margin: 0 0 .5rem; }
.brand span { font-weight: 400; color: #667; font-size: .85em; margin-left: .4em; }
h1 { font-size: 1.3rem; margin: .2rem 0 1rem; }
dl { display: grid; grid-template-columns: auto 1fr; gap: .4rem 1rem; margin: 0 0 1.5rem; }
dt { color: #556; }
dd { margin: 0; font-weight: 600; overflow-wrap: anywhere; }
.actions { display: flex; gap: .75rem; }
.actions form { flex: 1; }
button { width: 100%; font: inherit; padding: .7rem 1rem; border-radius: 8px; border: 1px solid transparent; cursor: pointer; }
button#approve { background: #11804a; color: #fff; }
button#decline { background: #fff; color: #b42318; border-color: #b42318; }
button:focus-visible, a:focus-visible { outline: 3px solid #0b5cad; outline-offset: 2px; }
.error { color: #b42318; font-weight: 600; }
.note { color: #556; font-size: .9rem; }
";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(escape(r#"<img src=x onerror="a('b')">&"#), "&lt;img src=x onerror=&quot;a(&#39;b&#39;)&quot;&gt;&amp;");
        assert_eq!(escape("plain 100.00 KES"), "plain 100.00 KES");
    }
}
