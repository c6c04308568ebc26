//! The sandbox serves every merchant page (www/) under a strict Content-Security-Policy,
//! so every end-to-end flow proves the widget needs nothing more; the platform API and
//! the partner pages are not merchant pages and do not get it.

mod common;

use common::{fast_config, Sandbox};
use epay_cli::sandbox::MERCHANT_CSP;

#[tokio::test]
async fn merchant_pages_get_the_strict_policy_and_the_api_does_not() {
    let www = tempfile::tempdir().expect("temp dir");
    std::fs::write(www.path().join("index.html"), "<!doctype html><title>shop</title>").expect("write");
    std::fs::create_dir(www.path().join("example")).expect("mkdir");
    std::fs::write(www.path().join("example").join("app.js"), "export {}").expect("write");
    let mut config = fast_config(":memory:");
    config.www = www.path().to_path_buf();
    let sb = Sandbox::start_with(config).await;

    assert_eq!(MERCHANT_CSP, "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'");
    for path in ["/", "/index.html", "/example/app.js", "/missing.html"] {
        let r = sb.http.get(sb.url(path)).send().await.expect("request");
        let csp = r.headers().get("content-security-policy").and_then(|v| v.to_str().ok()).map(str::to_string);
        assert_eq!(csp.as_deref(), Some(MERCHANT_CSP), "{path}");
    }
    let r = sb.http.get(sb.url("/")).send().await.expect("request");
    assert_eq!(r.status(), 200);
    assert!(r.text().await.expect("body").contains("<title>shop</title>"));

    for path in ["/healthz", "/api/v1/checkout/status?session=nope"] {
        let r = sb.http.get(sb.url(path)).send().await.expect("request");
        assert!(r.headers().get("content-security-policy").is_none(), "{path}");
    }
    sb.running.stop().await;
}
