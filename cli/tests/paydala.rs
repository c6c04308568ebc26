//! PayDala terminal top-ups (seed 000), end to end over real HTTP: the simulated
//! terminal → signed `verify` and `check_deposit` to the demo merchant's web service
//! (built with `epay_core::paydala::handle`) → the recorded top-up → the signed callback
//! → the Payment Page payment waiting for that account.

mod common;

use common::{eventually, fast_config, Sandbox, SECRET_1234};
use epay_cli::sandbox::methods::paydala::PaydalaConfig;
use epay_cli::sandbox::Config;
use epay_core::callback::verify_callback;
use epay_core::paydala::{self, ResponseCode};
use epay_core::{MinorUnits, PaymentStatus};
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The merchant timeout in these tests: short, so the slow account is quick to test.
const TIMEOUT: Duration = Duration::from_millis(400);

/// A JSON example of the seeds (core/tests/data, verbatim copies).
fn seed_json(name: &str) -> Value {
    let path = format!("{}/../core/tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

fn config() -> Config {
    Config { paydala: PaydalaConfig { timeout: TIMEOUT, ..PaydalaConfig::default() }, ..fast_config(":memory:") }
}

async fn start() -> Sandbox {
    Sandbox::start_with(config()).await
}

/// The value of attribute `attr` on the element with id `id`.
fn attr(html: &str, id: &str, attr: &str) -> Option<String> {
    let at = html.find(&format!("id=\"{id}\""))?;
    let tag_start = html[..at].rfind('<')?;
    let tag_end = at + html[at..].find('>')?;
    let tag = &html[tag_start..tag_end];
    let marker = format!("{attr}=\"");
    let v = tag.find(&marker)? + marker.len();
    Some(tag[v..].split('"').next()?.to_string())
}

/// The text of the element with id `id` (up to its first child tag or closing tag).
fn text(html: &str, id: &str) -> Option<String> {
    let at = html.find(&format!("id=\"{id}\""))?;
    let start = at + html[at..].find('>')? + 1;
    Some(html[start..start + html[start..].find('<')?].to_string())
}

fn outcome(html: &str, id: &str) -> String {
    attr(html, id, "data-outcome").unwrap_or_else(|| panic!("no #{id}[data-outcome] in {html}"))
}

/// The terminal's `#check`: (status, html).
async fn check(sb: &Sandbox, account: &str) -> (u16, String) {
    let r = sb.http.post(sb.url("/sim/paydala/check")).form(&[("service", "1234"), ("account", account)]).send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

/// The deposit form's hidden transaction id.
fn txn(html: &str) -> String {
    let marker = "name=\"txn\" value=\"";
    let at = html.find(marker).unwrap_or_else(|| panic!("no deposit form in {html}")) + marker.len();
    html[at..].split('"').next().unwrap().to_string()
}

/// The terminal's `#deposit`: (status, html).
async fn deposit(sb: &Sandbox, txn: &str, amount: &str) -> (u16, String) {
    let r = sb.http.post(sb.url("/sim/paydala/deposit")).form(&[("txn", txn), ("amount", amount)]).send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

async fn log(sb: &Sandbox, account: &str) -> Vec<Value> {
    let (status, list) = sb.get_json(&format!("/merchant/paydala/log?account={account}")).await;
    assert_eq!(status, 200);
    list.as_array().cloned().unwrap_or_default()
}

async fn callbacks_for(sb: &Sandbox, account: &str) -> Vec<Value> {
    let (status, list) = sb.get_json(&format!("/merchant/callbacks?account={account}")).await;
    assert_eq!(status, 200);
    list.as_array().cloned().unwrap_or_default()
}

#[tokio::test]
async fn the_terminal_page_lists_the_service_and_carries_no_script() {
    let sb = start().await;
    let r = sb.http.get(sb.url("/sim/paydala")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let csp = r.headers()["content-security-policy"].to_str().unwrap().to_string();
    assert!(csp.contains("default-src 'none'"), "{csp}");
    let html = r.text().await.unwrap();
    assert!(html.contains("<select id=\"service\" name=\"service\"><option value=\"1234\">Demo Shop</option></select>"), "{html}");
    assert!(html.contains("id=\"account\"") && html.contains("id=\"check\""));
    assert!(!html.contains("<script") && !html.contains("style=\""), "no inline script or style");
    let css = sb.http.get(sb.url("/sim/paydala.css")).send().await.unwrap();
    assert_eq!(css.status(), 200);
    assert!(css.headers()["content-type"].to_str().unwrap().starts_with("text/css"));
    sb.stop().await;
}

#[tokio::test]
async fn a_known_account_is_found_with_its_currency_and_additional_id() {
    let sb = start().await;
    let (status, html) = check(&sb, "7123456789").await;
    assert_eq!(status, 200);
    assert_eq!(outcome(&html, "verify-result"), "ok");
    assert_eq!(text(&html, "currency").as_deref(), Some("KZT"));
    assert_eq!(text(&html, "additional-id").as_deref(), Some("customer_123"));
    assert_eq!(text(&html, "service-name").as_deref(), Some("Demo Shop"));
    assert!(html.contains("id=\"amount\"") && html.contains("id=\"deposit\""));

    // The shop received exactly the seed's verify, signed, and answered the seed's way.
    let entries = log(&sb, "7123456789").await;
    assert_eq!(entries.len(), 1, "{entries:?}");
    let req = &entries[0]["request"];
    let keys: Vec<&String> = req.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["type", "customer_id", "project_id", "signature"]);
    assert_eq!(req["type"], "verify");
    assert_eq!(req["project_id"], 1234);
    assert!(epay_core::signature::verify(req, SECRET_1234).is_ok(), "verify is signed with project 1234's secret");
    assert_eq!(entries[0]["reply"], json!({"code": 0, "currency": "KZT", "additional_customer_id": "customer_123"}));

    // The other demo account has no additional id.
    let (_, html) = check(&sb, "7000000001").await;
    assert_eq!(outcome(&html, "verify-result"), "ok");
    assert!(!html.contains("id=\"additional-id\""));
    sb.stop().await;
}

#[tokio::test]
async fn every_way_the_shop_can_fail_is_told_apart() {
    let sb = start().await;
    let cases = [
        ("7999999999", "not_found", "Account does not exist"),
        ("7000000400", "bad_signature", "signature"),
        ("7000000500", "merchant_error", "Something went wrong"),
        ("7000000999", "garbage", "not JSON"),
        ("7000000777", "timeout", "did not answer within 400 ms"),
    ];
    for (account, expected, says) in cases {
        let started = std::time::Instant::now();
        let (status, html) = check(&sb, account).await;
        assert_eq!(status, 200);
        assert_eq!(outcome(&html, "verify-result"), expected, "{account}: {html}");
        assert!(html.contains(says), "{account}: the message says {says:?}: {html}");
        assert_eq!(attr(&html, "verify-result", "role").as_deref(), Some("alert"));
        assert!(!html.contains("id=\"deposit\""), "{account}: no deposit after a failed check");
        // The check form is back, with the account typed in.
        assert_eq!(attr(&html, "account", "value").as_deref(), Some(account));
        if expected == "timeout" {
            assert!(started.elapsed() < TIMEOUT + Duration::from_millis(800), "the platform gives up at its timeout");
        }
    }
    // The shop answered with the codes of the seed's table.
    assert_eq!(log(&sb, "7999999999").await[0]["code"], 404);
    assert_eq!(log(&sb, "7000000400").await[0]["code"], 400);
    let failed = log(&sb, "7000000500").await;
    assert_eq!(failed[0]["code"], 500);
    assert!(failed[0]["reply"]["message"].as_str().unwrap().contains("Something went wrong"));

    // The demo shop can fail at the second step too: the account exists, the booking fails.
    let (_, html) = check(&sb, "7000000550").await;
    assert_eq!(outcome(&html, "verify-result"), "ok", "{html}");
    let (status, html) = deposit(&sb, &txn(&html), "1000").await;
    assert_eq!(status, 200);
    assert_eq!(outcome(&html, "deposit-result"), "merchant_error", "{html}");
    assert!(html.contains("ledger refused the deposit"), "{html}");
    let asked: Vec<_> = log(&sb, "7000000550").await.iter().map(|e| (e["type"].clone(), e["code"].clone())).collect();
    assert_eq!(asked, [(json!("verify"), json!(0)), (json!("check_deposit"), json!(500))]);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(callbacks_for(&sb, "7000000550").await.is_empty(), "no callback without a booked deposit");
    sb.stop().await;
}

#[tokio::test]
async fn bad_terminal_input_is_refused_before_anything_is_sent() {
    let sb = start().await;
    let (status, html) = check(&sb, "   ").await;
    assert_eq!(status, 400);
    assert!(text(&html, "account-error").unwrap().contains("Account number"), "{html}");
    let r = sb.http.post(sb.url("/sim/paydala/check")).form(&[("service", "250"), ("account", "7123456789")]).send().await.unwrap();
    assert_eq!(r.status(), 400);
    assert!(r.text().await.unwrap().contains("Service: choose one of the listed services"));
    // Markup typed as an account is shown as text.
    let (_, html) = check(&sb, "<b>x</b>").await;
    assert_eq!(outcome(&html, "verify-result"), "not_found");
    assert!(!html.contains("<b>x</b>") && html.contains("&lt;b&gt;x&lt;/b&gt;"));
    // Amounts are checked before check_deposit.
    let (_, html) = check(&sb, "7123456789").await;
    let t = txn(&html);
    for bad in ["", "abc", "0", "-1", "1.234"] {
        let (status, page) = deposit(&sb, &t, bad).await;
        assert_eq!(status, 400, "{bad:?}");
        assert!(text(&page, "amount-error").unwrap().starts_with("Amount:"), "{bad:?}: {page}");
        assert!(page.contains("id=\"deposit\""), "the form is back");
    }
    let (status, page) = deposit(&sb, "no-such-transaction", "1000").await;
    assert_eq!(status, 404, "{page}");
    assert!(log(&sb, "7123456789").await.iter().all(|e| e["type"] == "verify"), "no check_deposit was sent");
    sb.stop().await;
}

#[tokio::test]
async fn a_top_up_books_once_and_the_shop_gets_the_seed_callback() {
    let sb = start().await;
    let (_, html) = check(&sb, "7123456789").await;
    let t = txn(&html);
    let (status, html) = deposit(&sb, &t, "1000.00").await;
    assert_eq!(status, 200);
    assert_eq!(outcome(&html, "deposit-result"), "ok", "{html}");
    assert_eq!(text(&html, "payment-id").as_deref(), Some("deposit-1"));
    assert_eq!(text(&html, "deposit-amount").as_deref(), Some("1,000.00 KZT"));

    // verify and check_deposit exactly as seed 000 prints them (this top-up is the
    // seed's own example: 1,000.00 KZT into 7123456789 of project 1234), field by field,
    // nothing added; only the signature differs (another secret).
    let entries = log(&sb, "7123456789").await;
    let kinds: Vec<&str> = entries.iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["verify", "check_deposit"]);
    for (entry, file) in [(&entries[0], "seed_paydala_verify_request.json"), (&entries[1], "seed_paydala_check_deposit_request.json")] {
        let req = &entry["request"];
        let seed = seed_json(file);
        let keys = |v: &Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
        assert_eq!(keys(req), keys(&seed), "{file}: the seed's parameters, in its order, nothing else");
        for (k, v) in seed.as_object().unwrap() {
            if k != "signature" {
                assert_eq!(&req[k], v, "{file}: {k}");
            }
        }
        assert!(epay_core::signature::verify(req, SECRET_1234).is_ok());
    }
    let req = &entries[1]["request"];
    assert_eq!(entries[1]["reply"], json!({"code": 0, "payment_id": "deposit-1", "description": "Success"}));

    // The callback, delivered through the outbox, in the seed's shape, verified by the shop.
    let list = eventually(10, "the PayDala callback", || async {
        let l = callbacks_for(&sb, "7123456789").await;
        (!l.is_empty()).then_some(l)
    })
    .await;
    assert_eq!(list.len(), 1, "{list:?}");
    assert_eq!(list[0]["valid"], true);
    let body = &list[0]["body"];
    let cb = verify_callback(&body.to_string(), SECRET_1234).expect("signed with project 1234's secret");
    assert_eq!(cb.payment.status, PaymentStatus::Success);
    let keys = |v: &Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    assert_eq!(keys(body), ["project_id", "payment", "account", "operation", "signature"]);
    assert_eq!(keys(&body["payment"]), ["id", "type", "status", "date", "method", "sum", "description"]);
    assert_eq!(
        keys(&body["operation"]),
        ["id", "type", "status", "date", "created_date", "request_id", "sum_initial", "sum_converted", "code", "message", "provider"]
    );
    assert_eq!(body["project_id"], 1234);
    assert_eq!(body["payment"]["id"], "deposit-1");
    assert_eq!(body["payment"]["type"], "purchase");
    assert_eq!(body["payment"]["method"], "paydala");
    assert_eq!(body["payment"]["sum"], json!({"amount": 100000, "currency": "KZT"}));
    assert_eq!(body["payment"]["description"], "");
    assert_eq!(body["account"], json!({"number": "7123456789"}));
    assert_eq!(body["operation"]["type"], "sale");
    assert_eq!(body["operation"]["status"], "success");
    assert_eq!(body["operation"]["code"], "0");
    assert_eq!(body["operation"]["message"], "Success");
    assert_eq!(body["operation"]["sum_initial"], body["payment"]["sum"]);
    assert_eq!(body["operation"]["sum_converted"], body["payment"]["sum"]);
    assert!(req.get("request_id").is_none(), "check_deposit carries no request_id (seed 000)");
    assert_eq!(body["operation"]["request_id"].as_str().map(str::len), Some(64), "the platform's own request id");
    assert_eq!(body["operation"]["provider"]["id"], 12345);
    assert_eq!(body["operation"]["provider"]["payment_id"], t.as_str());
    let delivered = sb.running.deliveries(1234, "deposit-1").unwrap();
    assert_eq!(delivered.len(), 1);
    assert!(delivered[0].delivered);

    // Submitting the same form again (double click, reload): the same result, nothing sent.
    for _ in 0..3 {
        let (status, again) = deposit(&sb, &t, "1000.00").await;
        assert_eq!(status, 200);
        assert_eq!(outcome(&again, "deposit-result"), "ok");
        assert_eq!(text(&again, "payment-id").as_deref(), Some("deposit-1"));
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(log(&sb, "7123456789").await.len(), 2, "check_deposit went out once");
    assert_eq!(callbacks_for(&sb, "7123456789").await.len(), 1, "one callback");
    sb.stop().await;
}

#[tokio::test]
async fn concurrent_submits_of_one_transaction_send_one_check_deposit() {
    let sb = start().await;
    let (_, html) = check(&sb, "7000000001").await;
    let t = txn(&html);
    let results = futures_join(&sb, &t).await;
    // Every submit shows the one result: the later ones wait for the first one's answer.
    for h in &results {
        assert_eq!(outcome(h, "deposit-result"), "ok", "{h}");
        assert_eq!(text(h, "payment-id").as_deref(), Some("deposit-1"));
    }
    let deposits: Vec<Value> = log(&sb, "7000000001").await.into_iter().filter(|e| e["type"] == "check_deposit").collect();
    assert_eq!(deposits.len(), 1);
    sb.stop().await;
}

async fn futures_join(sb: &Sandbox, t: &str) -> Vec<String> {
    let (a, b, c) = tokio::join!(deposit(sb, t, "50"), deposit(sb, t, "50"), deposit(sb, t, "50"));
    vec![a.1, b.1, c.1]
}

#[tokio::test]
async fn the_demo_merchant_answers_the_seeds_requests_and_404s_what_it_cannot_process() {
    let sb = start().await;
    let post = |body: Value| {
        let sb = &sb;
        async move {
            let r = sb.http.post(sb.url("/merchant/paydala")).json(&body).send().await.unwrap();
            assert_eq!(r.status(), 200, "PayDala answers always use HTTP 200");
            r.text().await.unwrap()
        }
    };
    // The seed's check_deposit, twice: with only the seed's fields two requests for the
    // same account and amount are two top-ups (the platform sends one per terminal
    // transaction); the shop books each, and credits it when the callback comes.
    let seed = |amount: i64| paydala::build_check_deposit(1234, "7123456789", MinorUnits(amount), "KZT", SECRET_1234);
    let first = paydala::parse_check_deposit_response(&post(seed(100_000)).await).unwrap();
    let second = paydala::parse_check_deposit_response(&post(seed(100_000)).await).unwrap();
    assert_eq!(first.payment_id(), Some("deposit-1"));
    assert_eq!(second.payment_id(), Some("deposit-2"));
    // A forged request is refused with 400 and books nothing.
    let forged = paydala::build_check_deposit(1234, "7123456789", MinorUnits(700), "KZT", "guess");
    let f = paydala::parse_check_deposit_response(&post(forged).await).unwrap();
    assert_eq!(f.code(), ResponseCode::BadSignature);
    // Requests that cannot be processed correctly are answered 404 (seed 000), naming why.
    let foreign = paydala::build_verify(250, "7123456789", SECRET_1234);
    let v = paydala::parse_verify_response(&post(foreign).await).unwrap();
    assert_eq!(v.code(), ResponseCode::NotFound);
    assert!(v.message().unwrap().contains("project_id"));
    let no_customer = epay_core::signature::with_signature(json!({"type": "verify", "project_id": 1234}), SECRET_1234);
    let v = paydala::parse_verify_response(&post(no_customer).await).unwrap();
    assert_eq!(v.code(), ResponseCode::NotFound, "{v:?}");
    assert!(v.message().unwrap().contains("customer_id"));
    let string_project =
        epay_core::signature::with_signature(json!({"type": "verify", "customer_id": "7123456789", "project_id": "1234"}), SECRET_1234);
    let v = paydala::parse_verify_response(&post(string_project).await).unwrap();
    assert_eq!(v.code(), ResponseCode::NotFound, "{v:?}");
    assert!(v.message().unwrap().contains("project_id"));
    // The shop's own failure stays 500.
    let fails = paydala::build_verify(1234, "7000000500", SECRET_1234);
    assert_eq!(paydala::parse_verify_response(&post(fails).await).unwrap().code(), ResponseCode::Error);
    sb.stop().await;
}

/// A merchant web service for the check_deposit failure paths: verify always finds the
/// account; check_deposit answers as `mode` says. Returns its URL and the mode cell.
async fn stub_merchant() -> (String, Arc<Mutex<&'static str>>) {
    let mode: Arc<Mutex<&'static str>> = Arc::new(Mutex::new("ok"));
    let m = mode.clone();
    let app = axum::Router::new().route(
        "/paydala",
        axum::routing::post(move |body: String| {
            let m = m.clone();
            async move {
                let doc: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
                if doc["type"] == "verify" {
                    return r#"{"code":0,"currency":"KZT"}"#.to_string();
                }
                let mode = *m.lock().unwrap();
                match mode {
                    "error" => r#"{"code":500,"message":"Something went wrong"}"#.into(),
                    "not_found" => r#"{"code":404,"message":"Account does not exist"}"#.into(),
                    "bad_sig" => r#"{"code":400,"message":"Invalid signature"}"#.into(),
                    "no_id" => r#"{"code":0}"#.into(),
                    "garbage" => "<h1>oops</h1>".into(),
                    "slow" => {
                        tokio::time::sleep(TIMEOUT + Duration::from_millis(600)).await;
                        r#"{"code":0,"payment_id":"late-1"}"#.into()
                    }
                    "same" => r#"{"code":0,"payment_id":"payment_47","description":"Success"}"#.into(),
                    named if named.starts_with("id=") => json!({"code": 0, "payment_id": &named[3..]}).to_string(),
                    _ => {
                        static N: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
                        format!(r#"{{"code":0,"payment_id":"p-{}"}}"#, N.fetch_add(1, std::sync::atomic::Ordering::Relaxed))
                    }
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/paydala", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.ok() });
    (url, mode)
}

#[tokio::test]
async fn a_merchant_that_cannot_be_reached_is_shown_as_unreachable() {
    // A port nobody listens on.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/paydala", closed.local_addr().unwrap());
    drop(closed);
    let cfg = Config {
        paydala: PaydalaConfig { timeout: TIMEOUT, merchant_url: Some(url), ..PaydalaConfig::default() },
        ..fast_config(":memory:")
    };
    let sb = Sandbox::start_with(cfg).await;
    let (status, html) = check(&sb, "7123456789").await;
    assert_eq!(status, 200);
    assert_eq!(outcome(&html, "verify-result"), "unreachable", "{html}");
    assert_eq!(attr(&html, "verify-result", "role").as_deref(), Some("alert"));
    assert!(!html.contains("id=\"deposit\""), "no deposit without an answer");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(callbacks_for(&sb, "7123456789").await.is_empty());
    sb.stop().await;
}

#[tokio::test]
async fn a_failed_check_deposit_is_final_for_its_transaction_and_sends_no_callback() {
    let (url, mode) = stub_merchant().await;
    let cfg = Config {
        paydala: PaydalaConfig { timeout: TIMEOUT, merchant_url: Some(url), ..PaydalaConfig::default() },
        ..fast_config(":memory:")
    };
    let sb = Sandbox::start_with(cfg).await;
    let cases = [
        ("error", "merchant_error", "Something went wrong"),
        ("not_found", "not_found", "Account does not exist"),
        ("bad_sig", "bad_signature", "signature"),
        ("no_id", "garbage", "payment_id"),
        ("garbage", "garbage", "not JSON"),
        ("slow", "timeout", "did not answer within 400 ms"),
    ];
    for (m, expected, says) in cases {
        *mode.lock().unwrap() = m;
        let (_, html) = check(&sb, "42").await;
        assert_eq!(outcome(&html, "verify-result"), "ok", "{html}");
        let t = txn(&html);
        let (status, html) = deposit(&sb, &t, "1000").await;
        assert_eq!(status, 200);
        assert_eq!(outcome(&html, "deposit-result"), expected, "{m}: {html}");
        assert!(html.contains(says), "{m}: {html}");
        // Pressing again shows the recorded failure; nothing is sent again, even when
        // the shop would now answer well.
        *mode.lock().unwrap() = "ok";
        let (_, again) = deposit(&sb, &t, "1000").await;
        assert_eq!(outcome(&again, "deposit-result"), expected, "{m}: the failure is final");
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(callbacks_for(&sb, "42").await.is_empty(), "no callback without a booked deposit");

    // The shop answering a payment_id it already used: recorded once, one callback.
    *mode.lock().unwrap() = "same";
    let (_, html) = check(&sb, "42").await;
    let (_, first) = deposit(&sb, &txn(&html), "1000").await;
    assert_eq!(outcome(&first, "deposit-result"), "ok");
    assert_eq!(text(&first, "payment-id").as_deref(), Some("payment_47"));
    let (_, html) = check(&sb, "42").await;
    let (_, second) = deposit(&sb, &txn(&html), "1000").await;
    assert_eq!(outcome(&second, "deposit-result"), "duplicate", "{second}");
    assert!(second.contains("payment_47"));
    eventually(10, "one callback", || async { (callbacks_for(&sb, "42").await.len() == 1).then_some(()) }).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(callbacks_for(&sb, "42").await.len(), 1);
    assert_eq!(sb.running.deliveries(1234, "payment_47").unwrap().len(), 1);
    sb.stop().await;
}

#[tokio::test]
async fn the_payment_page_shows_the_terminal_and_then_the_deposited_sum() {
    let sb = start().await;
    // The shop's KZT order: customer_id is the account (default 7123456789).
    let params = sb.order(json!({"amount": 50000, "currency": "KZT", "method": "paydala"})).await;
    assert_eq!(params["customer_id"], "7123456789");
    assert_eq!(params["project_id"], 1234);
    let typed = sb.order(json!({"amount": 50000, "currency": "KZT", "account": "7000000001"})).await;
    assert_eq!(typed["customer_id"], "7000000001");

    let session = sb.session(&params).await;
    let (status, view) = sb.pay(&session, "paydala", json!({})).await;
    assert_eq!(status, 200, "{view}");
    assert_eq!(
        view,
        json!({"status": "awaiting customer", "method": "paydala",
               "action": {"kind": "terminal", "account": "7123456789", "service_name": "Demo Shop"}})
    );
    // pay is idempotent; status says the same until the top-up.
    assert_eq!(sb.pay(&session, "paydala", json!({})).await.1, view);
    let status_path = format!("/api/v1/checkout/status?session={session}");
    assert_eq!(sb.get_json(&status_path).await.1, view);

    // The customer tops up 1000.00 KZT (not the 500.00 asked): the widget sees that sum.
    let (_, html) = check(&sb, "7123456789").await;
    let (_, html) = deposit(&sb, &txn(&html), "1000.00").await;
    assert_eq!(outcome(&html, "deposit-result"), "ok");
    assert_eq!(text(&html, "page-payment").as_deref(), params["payment_id"].as_str());
    let (_, after) = sb.get_json(&status_path).await;
    assert_eq!(
        after,
        json!({"status": "success", "method": "paydala", "sum": {"amount": 100000, "currency": "KZT"}, "code": "0", "message": "Success"})
    );
    // A returning customer opens the same payment: final, with the same sum.
    let (_, reopened) = sb.open(&params).await;
    assert_eq!(reopened["payment"], after);

    // One top-up, one payment, one callback, and it names the Payment Page payment the
    // top-up paid (seed 000, "Формат оповещений": the callback's `payment.id` is the
    // merchant's payment; this one it opened itself), with the deposited sum. The shop's
    // fresh id (`deposit-1`, on the receipt) is no second payment.
    let pid = params["payment_id"].as_str().unwrap();
    assert_eq!(text(&html, "payment-id").as_deref(), Some("deposit-1"));
    let cb = eventually(10, "the callback", || async { sb.merchant_callbacks(pid).await.into_iter().next() }).await;
    assert_eq!(cb["valid"], true);
    assert_eq!(cb["body"]["payment"]["id"], pid);
    assert_eq!(cb["body"]["payment"]["status"], "success");
    assert_eq!(cb["body"]["payment"]["sum"], json!({"amount": 100000, "currency": "KZT"}));
    assert_eq!(cb["body"]["account"], json!({"number": "7123456789"}));
    assert_eq!(cb["body"]["operation"]["status"], "success");
    assert_eq!(cb["body"]["operation"]["sum_initial"], cb["body"]["payment"]["sum"]);
    assert_eq!(cb["body"]["operation"]["request_id"].as_str().map(str::len), Some(64), "seed 000's 64 hex digits");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(callbacks_for(&sb, "7123456789").await.len(), 1, "one top-up, one callback");
    assert!(sb.running.deliveries(1234, "deposit-1").unwrap().is_empty(), "no payment for the fresh id");

    // The next top-up of the account finds no pending checkout: it is just a top-up.
    let (_, html) = check(&sb, "7123456789").await;
    let (_, html) = deposit(&sb, &txn(&html), "5").await;
    assert_eq!(outcome(&html, "deposit-result"), "ok");
    assert!(!html.contains("id=\"page-payment\""));
    assert_eq!(sb.get_json(&status_path).await.1, after, "a final payment stays as it was");
    sb.stop().await;
}

/// Seed 000, "Формат запросов" (the `check_deposit` answer's `payment_id` is the payment's
/// id at the merchant) and the scheme's steps 11–14 (the platform asks the web service for
/// the payment's id, gets it, then sends the result callback): a shop that answers with
/// the id of the Payment Page payment it opened for the account gets that payment paid and
/// one callback naming it, not "duplicate". An id of a checkout for another account pays
/// nothing.
#[tokio::test]
async fn check_deposit_answered_with_the_checkouts_own_id_pays_that_checkout_and_its_callback_names_it() {
    let (url, mode) = stub_merchant().await;
    let cfg = Config {
        paydala: PaydalaConfig { timeout: TIMEOUT, merchant_url: Some(url), ..PaydalaConfig::default() },
        ..fast_config(":memory:")
    };
    let sb = Sandbox::start_with(cfg).await;
    let params = sb.order(json!({"amount": 50000, "currency": "KZT", "method": "paydala", "account": "42"})).await;
    let pid = params["payment_id"].as_str().unwrap().to_string();
    let session = sb.session(&params).await;
    let (status, view) = sb.pay(&session, "paydala", json!({})).await;
    assert_eq!((status, view["status"].as_str()), (200, Some("awaiting customer")), "{view}");
    let status_path = format!("/api/v1/checkout/status?session={session}");
    *mode.lock().unwrap() = Box::leak(format!("id={pid}").into_boxed_str());

    // The checkout is account 42's: a top-up of account 43 cannot pay it.
    let (_, html) = check(&sb, "43").await;
    let (_, html) = deposit(&sb, &txn(&html), "1000.00").await;
    assert_eq!(outcome(&html, "deposit-result"), "mismatch", "{html}");
    assert!(html.contains(&pid) && html.contains("nothing booked"), "{html}");
    assert_eq!(sb.get_json(&status_path).await.1["status"], "awaiting customer");

    let (_, html) = check(&sb, "42").await;
    let (_, html) = deposit(&sb, &txn(&html), "1000.00").await;
    assert_eq!(outcome(&html, "deposit-result"), "ok", "{html}");
    assert_eq!(text(&html, "payment-id").as_deref(), Some(pid.as_str()));
    assert_eq!(text(&html, "page-payment").as_deref(), Some(pid.as_str()));
    let (_, after) = sb.get_json(&status_path).await;
    assert_eq!(
        after,
        json!({"status": "success", "method": "paydala", "sum": {"amount": 100000, "currency": "KZT"}, "code": "0", "message": "Success"})
    );
    let cb = eventually(10, "the callback", || async { sb.merchant_callbacks(&pid).await.into_iter().next() }).await;
    assert_eq!(cb["valid"], true);
    let body = &cb["body"];
    let keys = |v: &Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    assert_eq!(keys(body), ["project_id", "payment", "account", "operation", "signature"]);
    assert_eq!(body["payment"]["id"], pid.as_str());
    assert_eq!((body["payment"]["status"].as_str(), body["operation"]["status"].as_str()), (Some("success"), Some("success")));
    assert_eq!(body["payment"]["sum"], json!({"amount": 100000, "currency": "KZT"}));
    assert_eq!(body["account"], json!({"number": "42"}));

    // Answered again for the next top-up: that checkout is paid, so it is a duplicate.
    let (_, html) = check(&sb, "42").await;
    let (_, again) = deposit(&sb, &txn(&html), "5").await;
    assert_eq!(outcome(&again, "deposit-result"), "duplicate", "{again}");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(sb.running.deliveries(1234, &pid).unwrap().len(), 1, "one callback for the checkout");
    assert_eq!(callbacks_for(&sb, "42").await.len(), 1);
    assert_eq!(sb.get_json(&status_path).await.1, after);
    sb.stop().await;
}

#[tokio::test]
async fn paydala_needs_a_project_with_a_paydala_service() {
    let sb = start().await;
    // A KZT payment signed for project 250 (ECommPay, no PayDala service).
    let params = common::signed(
        json!({"project_id": 250, "payment_id": "kzt-250", "payment_amount": 1000, "payment_currency": "KZT", "customer_id": "7123456789"}),
        common::SECRET_250,
    );
    let session = sb.session(&params).await;
    let (status, err) = sb.pay(&session, "paydala", json!({})).await;
    assert_eq!(status, 400, "{err}");
    assert_eq!(err["error"]["code"], "method_not_available");
    assert_eq!(err["error"]["param"], "method");
    sb.stop().await;
}

#[tokio::test]
async fn settings_are_checked_at_start() {
    let bad =
        Config { paydala: PaydalaConfig { merchant_url: Some("not a url".into()), ..PaydalaConfig::default() }, ..fast_config(":memory:") };
    let Err(e) = epay_cli::sandbox::start(bad).await else { panic!("a bad merchant URL must stop the start") };
    assert!(e.to_string().contains("PayDala merchant URL"), "{e}");
}

// ---------------------------------------------------------------------------------------
// "PayDala for back-end developers" (docs/server.md): its Rust block appears verbatim below
// between `// README-BEGIN paydala` and `// README-END paydala`, and runs there as a real
// web service that the sandbox's terminal talks to.
// ---------------------------------------------------------------------------------------

fn readme_rust_blocks() -> Vec<String> {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/server.md")).expect("docs/server.md");
    let start = text.find("## PayDala for back-end developers").expect("docs/server.md (linked from the README) has the section");
    let rest = &text[start + 3..];
    let mut section = &rest[..rest.find("\n## ").unwrap_or(rest.len())];
    let mut out = Vec::new();
    while let Some(at) = section.find("```rust\n") {
        let body = &section[at + 8..];
        let end = body.find("```").expect("closed block");
        out.push(body[..end].to_string());
        section = &body[end + 3..];
    }
    out
}

/// The code between this file's README markers, one level (4 spaces) less indented.
fn marked() -> String {
    let me = include_str!("paydala.rs");
    let begin = concat!("// README-BEGIN ", "paydala\n");
    let start = me.find(begin).expect("begin marker") + begin.len();
    let end = start + me[start..].find(concat!("// README-END ", "paydala")).expect("end marker");
    let block = &me[start..end];
    let block = &block[..block.rfind('\n').map_or(0, |i| i + 1)];
    block.lines().map(|l| format!("{}\n", l.strip_prefix("    ").unwrap_or(l))).collect()
}

#[test]
fn readme_paydala_example_is_the_one_tested_here() {
    assert_eq!(readme_rust_blocks(), vec![marked()], "the README's PayDala example differs from the tested one");
}

#[tokio::test]
async fn readme_paydala_example_answers_the_sandbox_terminal() {
    // README-BEGIN paydala
    use epay_core::paydala::{self, Account, CheckDeposit, Deposit, DepositError, PaydalaMerchant};
    use std::sync::Mutex;

    /// Your accounts and deposits (your database in real life).
    struct Shop {
        /// (account, amount in minor units) of each deposit booked.
        deposits: Mutex<Vec<(String, i64)>>,
    }

    impl PaydalaMerchant for Shop {
        /// `verify`: Some → code 0 with the currency; None → 404; Err(message) → 500 with it.
        fn lookup_account(&self, customer_id: &str) -> Result<Option<Account>, String> {
            Ok(match customer_id {
                "7123456789" => Some(Account { currency: "KZT".into(), additional_customer_id: Some("customer_123".into()) }),
                _ => None,
            })
        }

        /// `check_deposit`, for an account `lookup_account` has just found: book it, name it.
        fn create_deposit(&self, req: &CheckDeposit) -> Result<Deposit, DepositError> {
            let mut deposits = self.deposits.lock().map_err(|_| DepositError::Failed("deposits are unavailable".into()))?;
            deposits.push((req.customer_id.clone(), req.amount.0));
            Ok(Deposit { payment_id: format!("payment_{}", deposits.len()), description: None })
        }
    }

    /// Your web service endpoint, in any framework: the raw request body in; HTTP status,
    /// content type and body out.
    fn paydala_endpoint(shop: &Shop, body: &[u8]) -> (u16, &'static str, String) {
        let reply = paydala::handle(body, "sandbox-secret-1234", shop); // your project secret
        (reply.status, paydala::PaydalaReply::CONTENT_TYPE, reply.body)
    }
    // README-END paydala

    use axum::http::{header, StatusCode};
    // The example served over HTTP, with a callback endpoint next to it.
    let shop = Arc::new(Shop { deposits: Mutex::new(Vec::new()) });
    let callbacks: Arc<Mutex<Vec<String>>> = Arc::new(Mutex::new(Vec::new()));
    let (s2, c2) = (shop.clone(), callbacks.clone());
    let app = axum::Router::new()
        .route(
            "/paydala",
            axum::routing::post(move |body: axum::body::Bytes| {
                let shop = s2.clone();
                async move {
                    let (status, content_type, body) = paydala_endpoint(&shop, &body);
                    (StatusCode::from_u16(status).unwrap(), [(header::CONTENT_TYPE, content_type)], body)
                }
            }),
        )
        .route(
            "/callback",
            axum::routing::post(move |body: String| {
                let c = c2.clone();
                async move {
                    c.lock().unwrap().push(body);
                    "ok"
                }
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.ok() });

    let cfg = Config {
        paydala: PaydalaConfig {
            timeout: Duration::from_secs(2),
            merchant_url: Some(format!("{base}/paydala")),
            callback_url: Some(format!("{base}/callback")),
            ..PaydalaConfig::default()
        },
        ..fast_config(":memory:")
    };
    let sb = Sandbox::start_with(cfg).await;
    let (_, html) = check(&sb, "7000000001").await;
    assert_eq!(outcome(&html, "verify-result"), "not_found", "{html}");
    let (_, html) = check(&sb, "7123456789").await;
    assert_eq!(outcome(&html, "verify-result"), "ok", "{html}");
    assert_eq!(text(&html, "additional-id").as_deref(), Some("customer_123"));
    let (_, html) = deposit(&sb, &txn(&html), "1000.00").await;
    assert_eq!(outcome(&html, "deposit-result"), "ok", "{html}");
    assert_eq!(text(&html, "payment-id").as_deref(), Some("payment_1"));
    assert_eq!(*shop.deposits.lock().unwrap(), vec![("7123456789".to_string(), 100_000)]);

    // The callback reaches the configured URL, and verifies with the project secret.
    let body = eventually(10, "the callback at the merchant's URL", || {
        let c = callbacks.clone();
        async move { c.lock().unwrap().first().cloned() }
    })
    .await;
    let cb = verify_callback(&body, SECRET_1234).expect("a signed callback");
    assert_eq!(cb.payment.id, "payment_1");
    assert_eq!(cb.payment.method, "paydala");
    assert_eq!(cb.payment.sum.amount, MinorUnits(100_000));
    assert_eq!(cb.account.map(|a| a.number).as_deref(), Some("7123456789"));
    sb.stop().await;
}

#[tokio::test]
async fn paydala_is_offered_only_to_a_project_with_a_paydala_service() {
    let sb = start().await;
    let kzt = |extra: Value| {
        let mut p = json!({"project_id": 250, "payment_id": format!("kzt-{}", extra.as_object().map_or(0, |o| o.len())),
            "payment_amount": 50000, "payment_currency": "KZT", "customer_id": "7123456789"});
        p.as_object_mut().unwrap().extend(extra.as_object().cloned().unwrap_or_default());
        epay_core::signature::with_signature(p, common::SECRET_250)
    };
    // ECommPay project 250 has no PayDala service: KZT there gets no method at all...
    let (status, open) = sb.open(&kzt(json!({}))).await;
    assert_eq!(status, 200, "{open}");
    assert_eq!(open["methods"], json!([]));
    // ...and forcing it is refused at once, by name, instead of failing at pay.
    let (status, open) = sb.open(&kzt(json!({"force_payment_method": "paydala"}))).await;
    assert_eq!(status, 400, "{open}");
    assert_eq!(
        (open["error"]["code"].as_str(), open["error"]["param"].as_str()),
        (Some("method_not_available"), Some("force_payment_method"))
    );
    // JetPay project 1234 offers it.
    let params = sb.order(json!({"amount": 50000, "currency": "KZT"})).await;
    let (_, open) = sb.open(&params).await;
    assert_eq!(open["methods"], json!([{"code": "paydala", "fields": []}]));
    sb.stop().await;
}

/// Seed 000: a PayDala payment's time is 1 minute base, 36 days at most. A Payment Page
/// PayDala payment nobody tops up ends after its lifetime (`lifetime` in the sandbox's
/// settings): declined with a code and message saying so, a signed callback, and the
/// widget's status shows the decline with that message (issue 12 item 4).
#[tokio::test]
async fn a_payment_page_paydala_payment_nobody_tops_up_ends_after_its_lifetime() {
    let cfg = Config {
        paydala: PaydalaConfig { timeout: TIMEOUT, lifetime: Duration::from_secs(1), ..PaydalaConfig::default() },
        ..fast_config(":memory:")
    };
    let sb = Sandbox::start_with(cfg).await;
    let params = sb.order(json!({"amount": 50000, "currency": "KZT", "method": "paydala", "account": "7000000001"})).await;
    let pid = params["payment_id"].as_str().unwrap().to_string();
    let session = sb.session(&params).await;
    let (status, view) = sb.pay(&session, "paydala", json!({})).await;
    assert_eq!((status, view["status"].as_str()), (200, Some("awaiting customer")), "{view}");
    let status_path = format!("/api/v1/checkout/status?session={session}");
    let ended = eventually(10, "the lifetime decline", || async {
        let (_, v) = sb.get_json(&status_path).await;
        (v["status"] == "decline").then_some(v)
    })
    .await;
    assert_eq!(ended["code"], paydala_lifetime_code());
    assert!(ended["message"].as_str().unwrap().contains("lifetime"), "{ended}");
    // The merchant's callback: decline, same code and message, signed.
    let cb = eventually(10, "the decline callback", || async {
        sb.merchant_callbacks(&pid).await.into_iter().find(|c| c["body"]["payment"]["status"] == "decline")
    })
    .await;
    assert_eq!(cb["valid"], true);
    let body = &cb["body"];
    assert_eq!(body["payment"]["method"], "paydala");
    assert_eq!(body["operation"]["status"], "decline");
    // Seed 000, "Формат оповещений": PayDala's `request_id` is 64 hex digits, and the
    // operation block ends `code, message, provider`.
    let request_id = body["operation"]["request_id"].as_str().unwrap();
    assert!(request_id.len() == 64 && request_id.bytes().all(|b| b.is_ascii_hexdigit()), "{request_id}");
    assert_eq!(
        body["operation"].as_object().unwrap().keys().cloned().collect::<Vec<_>>(),
        ["id", "type", "status", "date", "created_date", "request_id", "sum_initial", "sum_converted", "code", "message", "provider"]
    );
    assert_eq!(body["operation"]["code"], ended["code"]);
    assert_eq!(body["operation"]["message"], ended["message"]);
    // A top-up after that is just a top-up: the ended payment stays declined.
    let (_, html) = check(&sb, "7000000001").await;
    let (_, html) = deposit(&sb, &txn(&html), "5").await;
    assert_eq!(outcome(&html, "deposit-result"), "ok");
    assert!(!html.contains("id=\"page-payment\""));
    assert_eq!(sb.get_json(&status_path).await.1, ended);
    sb.stop().await;
}

fn paydala_lifetime_code() -> &'static str {
    epay_cli::sandbox::methods::paydala::LIFETIME_CODE
}

#[test]
fn the_paydala_lifetime_is_the_seeds_limit_by_default_and_checked() {
    assert_eq!(PaydalaConfig::default().lifetime, Duration::from_secs(36 * 24 * 3600));
    let seed = epay_core::MethodCode::Paydala.rule().lifetime.expect("seed 000 gives a lifetime");
    assert_eq!(PaydalaConfig::default().lifetime, Duration::from_secs(seed.max_secs), "the sandbox reads the catalog's");
    let too_long = PaydalaConfig { lifetime: Duration::from_secs(36 * 24 * 3600 + 1), ..PaydalaConfig::default() };
    assert!(epay_cli::sandbox::methods::paydala::Settings::resolve(&too_long, "http://127.0.0.1:9").unwrap_err().contains("lifetime"));
    let zero = PaydalaConfig { lifetime: Duration::ZERO, ..PaydalaConfig::default() };
    assert!(epay_cli::sandbox::methods::paydala::Settings::resolve(&zero, "http://127.0.0.1:9").is_err());
}
