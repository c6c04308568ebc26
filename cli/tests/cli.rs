//! `epay sign` and `epay verify` as a merchant's script would run them.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn epay(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_epay"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("epay runs");
    // A usage error exits before reading stdin: a broken pipe here is expected then.
    let _ = child.stdin.take().unwrap().write_all(stdin.as_bytes());
    child.wait_with_output().unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).trim().to_string()
}

const SEED_PARAMS: &str = r#"{"payment_id":"X03936","payment_amount":10000,"payment_currency":"KES","project_id":250,
  "customer_id":"customer1","customer_phone":"123456789","customer_email":"customer@example.com"}"#;

#[test]
fn sign_prints_the_sdk_signature() {
    let out = epay(&["sign", "--secret", "sandbox-secret-250"], SEED_PARAMS);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let doc: serde_json::Value = serde_json::from_str(SEED_PARAMS).unwrap();
    assert_eq!(text(&out.stdout), epay_core::signature::sign(&doc, "sandbox-secret-250"));
}

#[test]
fn verify_accepts_what_sign_produced_and_refuses_a_tampered_copy() {
    let sig = text(&epay(&["sign", "--secret", "s3cret"], SEED_PARAMS).stdout);
    let mut doc: serde_json::Value = serde_json::from_str(SEED_PARAMS).unwrap();
    doc["signature"] = sig.into();

    let out = epay(&["verify", "--secret", "s3cret"], &doc.to_string());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "valid parameters (not a callback: payment: is required)");

    doc["payment_amount"] = 1.into();
    let out = epay(&["verify", "--secret", "s3cret"], &doc.to_string());
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stdout).is_empty());
    assert!(text(&out.stderr).contains("does not match"), "{}", text(&out.stderr));

    let out = epay(&["verify", "--secret", "other"], &serde_json::to_string(&doc).unwrap());
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn verify_finds_the_signature_in_general_for_gate_requests() {
    let doc = epay_core::signature::with_signature(
        serde_json::json!({"general": {"project_id": 125, "payment_id": "TEST_184"}, "payment": {"amount": 1000, "currency": "KES"}}),
        "k",
    );
    let out = epay(&["verify", "--secret", "k"], &doc.to_string());
    assert_eq!((out.status.code(), text(&out.stdout)), (Some(0), "valid parameters (not a callback: payment.id: is required)".to_string()));
}

#[test]
fn verify_says_which_problem_it_found() {
    let out = epay(&["verify", "--secret", "k"], r#"{"project_id": 1}"#);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("missing"), "{}", text(&out.stderr));

    let out = epay(&["verify", "--secret", "k"], "this is not json");
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("not JSON"), "{}", text(&out.stderr));

    let out = epay(&["verify", "--secret", "k"], "[1, 2]");
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("JSON object"), "{}", text(&out.stderr));

    let out = epay(&["sign", "--secret", "k"], "{oops");
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("not JSON"));
}

#[test]
fn verify_takes_exactly_one_json_value_and_tells_a_callback_from_parameters() {
    let callback = epay_core::signature::with_signature(
        serde_json::json!({
            "project_id": 250,
            "payment": {"id": "order-1", "type": "purchase", "status": "success", "date": "d", "method": "card-partner",
                        "sum": {"amount": 100, "currency": "KES"}, "description": ""},
            "operation": {"id": 3, "type": "sale", "status": "success", "date": "d", "created_date": "d", "request_id": "r",
                          "sum_initial": {"amount": 100, "currency": "KES"}, "sum_converted": {"amount": 100, "currency": "KES"},
                          "code": "0", "message": "Success", "provider": {"id": 1, "payment_id": "p", "auth_code": ""}}
        }),
        "k",
    )
    .to_string();
    let out = epay(&["verify", "--secret", "k"], &callback);
    assert_eq!((out.status.code(), text(&out.stdout)), (Some(0), "valid callback: payment order-1 success".to_string()));
    // One trailing byte: refused, nothing on stdout (before issue 22: "valid").
    let out = epay(&["verify", "--secret", "k"], &format!("{callback}}}"));
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stdout).is_empty());
    assert!(text(&out.stderr).contains("not exactly one JSON value"), "{}", text(&out.stderr));
    // Empty payment and operation objects, signed: valid parameters, not a callback.
    let empty = epay_core::signature::with_signature(serde_json::json!({"project_id": 250, "payment": {}, "operation": {}}), "k");
    let out = epay(&["verify", "--secret", "k"], &empty.to_string());
    assert_eq!(text(&out.stdout), "valid parameters (not a callback: payment: must not be empty)");
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(epay(&["verify"], "{}").status.code(), Some(2));
    assert_eq!(epay(&["frobnicate"], "").status.code(), Some(2));
    assert_eq!(epay(&["sandbox", "--port", "not-a-port"], "").status.code(), Some(2));
}

#[test]
fn the_sandbox_binary_prints_its_url_first_and_serves() {
    // Its own pages: the repository's pkg/ is not built before `cargo test`.
    let dir = tempfile::tempdir().unwrap();
    let (www, pkg) = (dir.path().join("www"), dir.path().join("pkg"));
    std::fs::create_dir(&www).unwrap();
    std::fs::create_dir(&pkg).unwrap();
    std::fs::write(www.join("index.html"), "<!doctype html>").unwrap();
    std::fs::write(pkg.join("epay-widget.js"), "").unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_epay"))
        .args(["sandbox", "--port", "0", "--db", ":memory:"])
        .args([std::ffi::OsStr::new("--www"), www.as_os_str(), "--pkg".as_ref(), pkg.as_os_str()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    std::io::BufRead::read_line(&mut stdout, &mut line).unwrap();
    let url = line.trim().strip_prefix("epay sandbox listening on ").map(str::to_string);
    let result = url.as_deref().map(|u| {
        let addr = u.strip_prefix("http://").unwrap().to_string();
        let mut s = std::net::TcpStream::connect(addr).unwrap();
        s.write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").unwrap();
        let mut resp = String::new();
        std::io::Read::read_to_string(&mut s, &mut resp).unwrap();
        resp
    });
    let _ = child.kill();
    let _ = child.wait();
    assert!(line.starts_with("epay sandbox listening on http://127.0.0.1:"), "{line:?}");
    let resp = result.unwrap();
    assert!(resp.starts_with("HTTP/1.1 200") && resp.ends_with("ok"), "{resp}");
}

/// Issue 23: `epay sign` signs what the official SDKs sign, byte for byte, and warns on
/// stderr, naming the parameter and the rule, when the platform would refuse the set (a
/// value the signing string reads as another parameter). Issue 13's value still warns.
#[test]
fn sign_signs_a_set_the_platform_refuses_and_warns() {
    let set = r#"{"project_id":250,"payment_amount":500000,"customer_last_name":"Tan;payment_amount:1000;payment_amount_"}"#;
    let out = epay(&["sign", "--secret", "k"], set);
    assert_eq!(out.status.code(), Some(0));
    let doc: serde_json::Value = serde_json::from_str(set).unwrap();
    assert_eq!(text(&out.stdout).trim(), epay_core::signature::sign(&doc, "k"));
    let err = text(&out.stderr);
    assert!(err.contains("warning: customer_last_name:") && err.contains(";payment_amount:") && err.contains("separator"), "{err}");
    // A set the platform accepts: no warning.
    let out = epay(&["sign", "--secret", "k"], r#"{"payment_description":"a;b: c","customer_last_name":"O'Neil; Jr"}"#);
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stderr.is_empty(), "{}", text(&out.stderr));
}
