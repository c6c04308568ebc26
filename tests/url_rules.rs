//! Issue 26, decision 2: the widget parses redirect URLs with the browser's `URL`, under the
//! core's rules (`epay_core::redirect::check_url_with`). The inputs of the core's own tests
//! (`core/src/redirect.rs`), through the browser's parser: the same answers.
#![cfg(target_arch = "wasm32")]

use epay_core::redirect::RedirectError;
use epay_core::UrlPolicy;
use epay_widget::redirect::{check_url, parse_url, redirect_policy, url_policy};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

include!("../core/src/redirect_cases.rs");

const SANDBOX: UrlPolicy = UrlPolicy { allow_loopback_http: true };
const LIVE: UrlPolicy = UrlPolicy { allow_loopback_http: false };

fn malformed(url: &str, policy: UrlPolicy) -> bool {
    matches!(check_url(url, policy), Err(RedirectError::Malformed(_)))
}

#[wasm_bindgen_test]
fn https_is_followed_in_any_case() {
    assert_eq!(check_url("https://payments.example.com/v3/ke", LIVE), Ok(()));
    assert_eq!(check_url("HTTPS://x.example/?a=b", LIVE), Ok(()));
    assert_eq!(check_url("HtTpS://X.Example/", LIVE), Ok(()));
}

#[wasm_bindgen_test]
fn dangerous_schemes_are_refused_naming_the_scheme() {
    for (u, scheme) in [
        ("javascript:alert(1)", "javascript"),
        ("JavaScript://x.com/%0aalert(1)", "javascript"),
        ("data:text/html,hi", "data"),
        ("data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==", "data"),
        ("ftp://x.com/", "ftp"),
        ("mailto:a@x.example", "mailto"),
        // The browser takes `https:/x.com` as `https://x.com/`; the rule wants `//`.
        ("https:/x.com", "https"),
        ("https:x.com", "https"),
    ] {
        assert_eq!(check_url(u, SANDBOX), Err(RedirectError::Scheme(scheme.into())), "{u}");
    }
    // No host: refused before the scheme is looked at (as natively).
    assert!(malformed("file:///etc/passwd", SANDBOX));
}

#[wasm_bindgen_test]
fn plain_http_only_to_loopback_written_just_so_in_sandbox_mode() {
    assert_eq!(check_url("http://127.0.0.1:8080/sim/partner", SANDBOX), Ok(()));
    assert_eq!(check_url("http://localhost/x", SANDBOX), Ok(()));
    assert_eq!(check_url("HTTP://LOCALHOST/x", SANDBOX), Ok(()));
    assert_eq!(check_url("http://[::1]:9/x", SANDBOX), Ok(()));
    assert_eq!(check_url("http://127.0.0.1/x", LIVE), Err(RedirectError::LoopbackNotAllowed));
    assert_eq!(check_url("http://[::1]/x", LIVE), Err(RedirectError::LoopbackNotAllowed));
    assert_eq!(check_url("http://evil.example/x", SANDBOX), Err(RedirectError::InsecureHost("evil.example".into())));
    assert_eq!(check_url("http://127.0.0.1.evil.example/", SANDBOX), Err(RedirectError::InsecureHost("127.0.0.1.evil.example".into())));
    // User info: the host is what follows the last `@`.
    assert!(malformed("http://localhost@evil.example/", SANDBOX), "user info");
    assert!(malformed("http://a@b@evil.example/", SANDBOX), "user info");
    // The browser writes these as 127.0.0.1 and [::1]; the rule takes loopback as written.
    for (u, host) in [
        ("http://127.1/", "127.1"),
        ("http://0x7f.0.0.1/", "0x7f.0.0.1"),
        ("http://localhost./", "localhost."),
        ("http://[0:0:0:0:0:0:0:1]/", "[0:0:0:0:0:0:0:1]"),
    ] {
        assert_eq!(check_url(u, SANDBOX), Err(RedirectError::InsecureHost(host.into())), "{u}");
    }
}

#[wasm_bindgen_test]
fn whitespace_control_characters_and_backslashes_are_refused_though_the_browser_strips_them() {
    for u in [
        "",
        " https://x.com",
        "https://x.com/\n",
        "https://x.com\t/",
        "https://x.com/\u{a0}",
        "\u{3000}https://x.com/",
        "https://x.com/\u{0}",
        "https:\\\\x.com",
        "https://x.com\\@evil.example/",
        "https://x.com/\\evil",
    ] {
        assert!(malformed(u, SANDBOX), "{u:?}: {:?}", check_url(u, SANDBOX));
    }
}

#[wasm_bindgen_test]
fn malformed_urls_are_refused() {
    for u in ["//x.com", "https://", "x.com", ":x"] {
        assert!(malformed(u, SANDBOX), "{u:?}: {:?}", check_url(u, SANDBOX));
    }
}

/// The core's hard cases (`core/src/redirect_cases.rs`, its tests read the same), and hosts
/// the browser would take but the rule refuses (not ASCII, percent-encoded).
#[wasm_bindgen_test]
fn urls_the_browser_cannot_parse_are_refused() {
    for u in URLS_THE_BROWSER_CANNOT_PARSE.iter().chain(&["https://bücher.example/", "https://ex%61mple.com/"]) {
        assert!(malformed(u, SANDBOX), "{u}: {:?}", check_url(u, SANDBOX));
    }
}

/// Issue 26 ("no credentials"): the browser parses user info; the rule refuses it.
#[wasm_bindgen_test]
fn user_info_is_refused() {
    for u in URLS_WITH_USER_INFO {
        assert!(malformed(u, SANDBOX), "{u}: {:?}", check_url(u, SANDBOX));
    }
}

#[wasm_bindgen_test]
fn urls_the_browser_parses_still_pass() {
    for u in URLS_THE_BROWSER_PARSES.iter().chain(&["https://xn--bcher-kva.example/"]) {
        assert_eq!(check_url(u, SANDBOX), Ok(()), "{u}");
    }
}

#[wasm_bindgen_test]
fn sandbox_mode_comes_from_a_loopback_http_platform_or_page() {
    assert!(url_policy("http://127.0.0.1:8787").allow_loopback_http);
    assert!(url_policy("http://localhost").allow_loopback_http);
    assert!(!url_policy("https://127.0.0.1").allow_loopback_http);
    assert!(!url_policy("http://platform.example").allow_loopback_http);
    assert!(!url_policy("http://127.1").allow_loopback_http);
    assert!(!url_policy("not a url").allow_loopback_http);
    assert!(redirect_policy(true, "https://shop.example").allow_loopback_http);
    assert!(redirect_policy(false, "http://[::1]:8080").allow_loopback_http);
    assert!(!redirect_policy(false, "https://shop.example").allow_loopback_http);
    assert!(parse_url("HTTPS://User@Shop.Example:8443/x").is_err(), "user info");
    let w = parse_url("HTTPS://Shop.Example:8443/x").unwrap();
    assert_eq!((w.scheme.as_str(), w.host.as_str(), w.after_host), ("https", "shop.example", ":8443"));
}
