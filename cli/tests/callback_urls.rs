//! Callbacks to the merchant's own back end: a project's callback URL set at start
//! (`--callback-url PROJECT_ID=URL`, kept in the database until the next start), and a
//! Gate sale's `general.merchant_callback_url`, which sends that payment's callbacks there.

mod common;

use common::{eventually, fast_config, gate_sale, Receiver, Sandbox, SECRET_250};
use epay_core::callback::verify_callback;
use epay_core::gate::{self, GateCustomer, GatePayment, GeneralIds, CARD_PARTNER_SALE_PATH, EPAY_SALE_PATH};
use epay_core::signature::with_signature;
use epay_core::{MinorUnits, PaymentStatus};
use serde_json::{json, Value};
use std::time::Duration;

fn checked(body: &Value) -> epay_core::Callback {
    verify_callback(&body.to_string(), SECRET_250).expect("a callback signed with the project secret")
}

#[tokio::test]
async fn a_gate_sale_with_merchant_callback_url_sends_its_callbacks_there() {
    let receiver = Receiver::start().await;
    let sb = Sandbox::start().await;
    let (status, accepted) = sb.post_json(CARD_PARTNER_SALE_PATH, &gate_sale("MCB-1", Some(&receiver.url))).await;
    assert_eq!(status, 200, "{accepted}");
    let redirect = receiver.wait("MCB-1", "the redirect_data callback", |b| b.get("redirect_data").is_some()).await;
    assert_eq!(checked(&redirect).payment.status, PaymentStatus::AwaitingRedirectResult);

    // The customer approves at the partner: the result goes to the same place.
    let (status, html) = sb.partner_page(&redirect["redirect_data"]).await;
    assert_eq!(status, 200, "{html}");
    assert_eq!(sb.press(&html, "approve").await.status().as_u16(), 303);
    let result = receiver.wait("MCB-1", "the result callback", |b| b["payment"]["status"] == "success").await;
    assert_eq!(checked(&result).payment.status, PaymentStatus::Success);
    assert!(sb.merchant_callbacks("MCB-1").await.is_empty(), "nothing went to the demo shop");

    // Without the parameter: the project's URL (the demo shop).
    let (status, _) = sb.post_json(CARD_PARTNER_SALE_PATH, &gate_sale("MCB-2", None)).await;
    assert_eq!(status, 200);
    eventually(10, "the demo shop's callback", || async { (!sb.merchant_callbacks("MCB-2").await.is_empty()).then_some(()) }).await;
    assert!(receiver.of("MCB-2").is_empty());
    sb.stop().await;
}

#[tokio::test]
async fn an_epay_gate_sale_honours_merchant_callback_url_too() {
    let receiver = Receiver::start().await;
    let sb = Sandbox::start().await;
    let mut doc = gate::epay_sale(
        &GeneralIds { project_id: 250, payment_id: "MCB-EPAY".into() },
        &GateCustomer::new("123", "1.2.3.4").with_phone("60123456789").with_email("customer@example.com").with_name("Ali", "Tan"),
        &GatePayment::new(MinorUnits(5000), "MYR").with_description("Order 42"),
        SECRET_250,
    )
    .expect("a valid EPay sale");
    doc["general"].as_object_mut().unwrap().remove("signature");
    doc["general"]["merchant_callback_url"] = json!(receiver.url);
    let doc = with_signature(doc, SECRET_250);
    let (status, accepted) = sb.post_json(EPAY_SALE_PATH, &doc).await;
    assert_eq!(status, 200, "{accepted}");
    let code = receiver.wait("MCB-EPAY", "the code callback", |b| b.get("redirect_data").is_some()).await;
    checked(&code);
    sb.stop().await;
}

#[tokio::test]
async fn merchant_callback_url_must_be_https_or_loopback_http() {
    let sb = Sandbox::start().await;
    for (i, (url, why)) in
        [("http://shop.example.com/callback", "plain http"), ("ftp://127.0.0.1/callback", "scheme"), ("/callback", "absolute")]
            .into_iter()
            .enumerate()
    {
        let (status, answer) = sb.post_json(CARD_PARTNER_SALE_PATH, &gate_sale(&format!("MCB-BAD-{i}"), Some(url))).await;
        assert_eq!(status, 400, "{url}: {answer}");
        let text = answer.to_string();
        assert!(text.contains("general.merchant_callback_url"), "{url}: {text}");
        assert!(text.to_lowercase().contains(why), "{url}: {text}");
    }
    let mut doc = gate_sale("MCB-BAD-NUM", None);
    doc["general"].as_object_mut().unwrap().remove("signature");
    doc["general"]["merchant_callback_url"] = json!(42);
    let (status, answer) = sb.post_json(CARD_PARTNER_SALE_PATH, &with_signature(doc, SECRET_250)).await;
    assert_eq!(status, 400, "{answer}");
    assert!(answer.to_string().contains("general.merchant_callback_url"), "{answer}");
    // An https URL is accepted (delivery to it is the outbox's business).
    let (status, answer) = sb.post_json(CARD_PARTNER_SALE_PATH, &gate_sale("MCB-HTTPS", Some("https://shop.example.com/cb"))).await;
    assert_eq!(status, 200, "{answer}");
    sb.stop().await;
}

/// A Payment Page card payment of project 250 approved at the partner; its payment id.
async fn paid_on_the_payment_page(sb: &Sandbox) -> String {
    let (params, _, view) = sb.card_payment().await;
    let (status, html) = sb.partner_page(&view["action"]["redirect_data"]).await;
    assert_eq!(status, 200, "{html}");
    assert_eq!(sb.press(&html, "approve").await.status().as_u16(), 303);
    params["payment_id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn a_projects_callback_url_flag_sends_payment_page_callbacks_to_the_merchant() {
    let receiver = Receiver::start().await;
    let mut config = fast_config(":memory:");
    config.callback_urls = vec![(250, receiver.url.clone())];
    let sb = Sandbox::start_with(config).await;
    let payment_id = paid_on_the_payment_page(&sb).await;
    let body = receiver.wait(&payment_id, "the callback at the merchant's back end", |b| b["payment"]["status"] == "success").await;
    assert_eq!(checked(&body).payment.status, PaymentStatus::Success);
    assert_eq!(body["project_id"], 250);
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(sb.merchant_callbacks(&payment_id).await.is_empty(), "nothing went to the demo shop");
    sb.stop().await;
}

#[tokio::test]
async fn the_flag_is_stored_and_a_start_without_it_restores_the_demo_shop() {
    let receiver = Receiver::start().await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("sandbox.sqlite");
    let db = db.to_str().unwrap();

    let mut config = fast_config(db);
    config.callback_urls = vec![(250, receiver.url.clone())];
    let sb = Sandbox::start_with(config).await;
    let first = paid_on_the_payment_page(&sb).await;
    receiver.wait(&first, "the first callback", |b| b["payment"]["status"] == "success").await;
    sb.stop().await;

    // The same database, no flag: the demo shop gets the callbacks again.
    let sb = Sandbox::start_with(fast_config(db)).await;
    let second = paid_on_the_payment_page(&sb).await;
    eventually(10, "the demo shop's callback", || async { (!sb.merchant_callbacks(&second).await.is_empty()).then_some(()) }).await;
    assert!(receiver.of(&second).is_empty());
    sb.stop().await;

    // And the flag again: the merchant.
    let mut config = fast_config(db);
    config.callback_urls = vec![(250, receiver.url.clone())];
    let sb = Sandbox::start_with(config).await;
    let third = paid_on_the_payment_page(&sb).await;
    receiver.wait(&third, "the third callback", |b| b["payment"]["status"] == "success").await;
    sb.stop().await;
}

#[tokio::test]
async fn bad_callback_url_settings_are_refused_at_start() {
    for (urls, says) in [
        (vec![(250, "http://shop.example.com/cb".to_string())], "plain http"),
        (vec![(250, "not a url".to_string())], "250"),
        (vec![(999, "http://127.0.0.1:1/cb".to_string())], "999"),
        (vec![(250, "http://127.0.0.1:1/a".to_string()), (250, "http://127.0.0.1:1/b".to_string())], "twice"),
    ] {
        let mut config = fast_config(":memory:");
        config.callback_urls = urls.clone();
        let err = match epay_cli::sandbox::start(config).await {
            Ok(running) => {
                running.stop().await;
                panic!("{urls:?} must be refused");
            }
            Err(e) => e.to_string(),
        };
        assert!(err.contains("callback URL") && err.to_lowercase().contains(says), "{urls:?}: {err}");
    }
    // --paydala-callback-url and --callback-url 1234=... name the same thing: one of them.
    let mut config = fast_config(":memory:");
    config.callback_urls = vec![(1234, "http://127.0.0.1:1/a".to_string())];
    config.paydala.callback_url = Some("http://127.0.0.1:1/b".to_string());
    let err = epay_cli::sandbox::start(config).await.err().expect("refused").to_string();
    assert!(err.contains("--paydala-callback-url"), "{err}");
}

#[test]
fn the_flag_reads_project_id_equals_url() {
    use epay_cli::sandbox::platform::callbacks::parse_callback_url_arg;
    assert_eq!(parse_callback_url_arg("250=http://127.0.0.1:3000/cb"), Ok((250, "http://127.0.0.1:3000/cb".to_string())));
    assert_eq!(parse_callback_url_arg("1234=https://shop.example.com/cb?a=b"), Ok((1234, "https://shop.example.com/cb?a=b".to_string())));
    for bad in ["250", "=http://127.0.0.1/", "x=http://127.0.0.1/", "0=http://127.0.0.1/"] {
        assert!(parse_callback_url_arg(bad).unwrap_err().contains("PROJECT_ID=URL"), "{bad}");
    }
}

#[test]
fn the_sandbox_binary_checks_callback_url_flags() {
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_epay"))
            .args(["sandbox", "--port", "0", "--db", ":memory:", "--www", "/nonexistent-www", "--pkg", "/nonexistent-pkg"])
            .args(args)
            .output()
            .expect("epay runs")
    };
    let out = run(&["--callback-url", "250"]);
    assert_eq!(out.status.code(), Some(2), "a usage error");
    assert!(String::from_utf8_lossy(&out.stderr).contains("PROJECT_ID=URL"));
    let out = run(&["--callback-url", "250=http://127.0.0.1:3000/cb", "--callback-url", "1234=https://shop.example.com/cb", "--help"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("--callback-url <PROJECT_ID=URL>"));
}
