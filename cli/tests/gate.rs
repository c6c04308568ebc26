//! Gate in the sandbox (seed 001): card-partner sale with `redirect_data` callback, the
//! partner, the result callback, full refunds (and their refusals, and a declined refund),
//! the status request; the demo shop's Gate mode; `epay gate ...` and `epay verify`.

mod common;

use common::{eventually, Sandbox, SECRET_250};
use epay_core::callback::verify_callback;
use epay_core::gate::{
    self, GateCustomer, GatePayment, GeneralIds, ReturnUrl, CARD_PARTNER_REFUND_PATH, CARD_PARTNER_SALE_PATH, PAYMENT_STATUS_PATH,
};
use epay_core::signature::{verify, with_signature};
use epay_core::{MinorUnits, PaymentStatus};
use serde_json::{json, Value};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicU32, Ordering};

static NEXT: AtomicU32 = AtomicU32::new(1);

/// A payment id no other test uses.
fn fresh(prefix: &str) -> String {
    format!("{prefix}-{}-{}", std::process::id(), NEXT.fetch_add(1, Ordering::SeqCst))
}

fn ids(payment_id: &str) -> GeneralIds {
    GeneralIds { project_id: 250, payment_id: payment_id.into() }
}

fn customer() -> GateCustomer {
    GateCustomer::new("123", "1.2.3.4").with_phone("123456789").with_email("customer@example.com")
}

/// The seed's sale (1000 KES), signed, with optional return URLs.
fn sale_body(payment_id: &str, urls: &ReturnUrl) -> Value {
    sale_body_for(payment_id, &customer(), urls)
}

/// A 1000 KES sale for `customer`, signed.
fn sale_body_for(payment_id: &str, customer: &GateCustomer, urls: &ReturnUrl) -> Value {
    gate::card_partner_sale_returning(&ids(payment_id), customer, &GatePayment::new(MinorUnits(1000), "KES"), urls, SECRET_250)
        .expect("a valid sale")
}

/// Sends a 1000 KES sale for `customer` (no return URLs); returns Gate's answer, accepted.
async fn accepted_sale_for(sb: &Sandbox, payment_id: &str, customer: &GateCustomer) -> Value {
    let (status, accepted) = sb.post_json(CARD_PARTNER_SALE_PATH, &sale_body_for(payment_id, customer, &ReturnUrl::default())).await;
    assert_eq!(status, 200, "{accepted}");
    accepted
}

fn refund_body(payment_id: &str) -> Value {
    gate::card_partner_refund(&ids(payment_id), SECRET_250).expect("a valid refund")
}

fn keys(v: &Value) -> Vec<String> {
    v.as_object().map(|o| o.keys().cloned().collect()).unwrap_or_default()
}

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

/// The shop's valid callbacks for a payment, once one satisfies `pred`.
async fn callback_where(sb: &Sandbox, payment_id: &str, what: &str, pred: impl Fn(&Value) -> bool) -> Value {
    eventually(10, what, || async {
        sb.merchant_callbacks(payment_id).await.into_iter().find(|c| c["valid"] == true && pred(&c["body"])).map(|c| c["body"].clone())
    })
    .await
}

/// Sends the sale, checks the immediate answer, waits for the `redirect_data` callback.
async fn sale(sb: &Sandbox, payment_id: &str, urls: &ReturnUrl) -> (Value, Value) {
    let (status, accepted) = sb.post_json(CARD_PARTNER_SALE_PATH, &sale_body(payment_id, urls)).await;
    assert_eq!(status, 200, "{accepted}");
    let redirect = callback_where(sb, payment_id, "redirect_data callback", |b| b.get("redirect_data").is_some()).await;
    (accepted, redirect)
}

/// A sale the customer approved or declined at the partner; returns the partner's 303 location.
async fn paid(sb: &Sandbox, payment_id: &str, urls: &ReturnUrl, decision: &str) -> String {
    let (_, redirect) = sale(sb, payment_id, urls).await;
    let (status, html) = sb.partner_page(&redirect["redirect_data"]).await;
    assert_eq!(status, 200, "{html}");
    let r = sb.press(&html, decision).await;
    assert_eq!(r.status().as_u16(), 303);
    let want = if decision == "approve" { "success" } else { "decline" };
    callback_where(sb, payment_id, "result callback", |b| b["payment"]["status"] == want).await;
    r.headers()["location"].to_str().unwrap().to_string()
}

#[tokio::test]
async fn sale_is_accepted_then_redirect_data_then_the_partner_result() {
    let sb = Sandbox::start().await;
    let pid = fresh("G");
    let urls = ReturnUrl { success: Some(sb.url("/gate.html?ok")), decline: Some(sb.url("/gate.html?no")) };
    let (accepted, cb) = sale(&sb, &pid, &urls).await;
    assert_eq!(keys(&accepted), ["project_id", "payment_id", "status", "request_id"]);
    assert_eq!(
        (accepted["project_id"].as_u64(), accepted["payment_id"].as_str(), accepted["status"].as_str()),
        (Some(250), Some(pid.as_str()), Some("success"))
    );

    // The redirect_data callback: signed, the standard format plus redirect_data (seed 001).
    verify_callback(&cb.to_string(), SECRET_250).expect("signed with the project secret");
    assert_eq!(keys(&cb), ["project_id", "payment", "customer", "operation", "redirect_data", "signature"]);
    assert_eq!(cb["payment"]["status"], "awaiting redirect result");
    assert_eq!(cb["payment"]["method"], "Card partner");
    assert_eq!(cb["payment"]["sum"], json!({"amount": 1000, "currency": "KES"}));
    assert_eq!(cb["operation"]["type"], "sale");
    assert_eq!(cb["operation"]["status"], "awaiting redirect result");
    assert_eq!(cb["operation"]["request_id"], accepted["request_id"]);
    let rd = &cb["redirect_data"];
    // Seed 001, "Форматы данных для перенаправления пользователей": `{body, method, url}`.
    assert_eq!(keys(rd), ["body", "method", "url"]);
    assert_eq!(rd["method"], "POST");
    assert_eq!(rd["url"], sb.url("/sim/partner/pay"));
    assert_eq!(keys(&rd["body"]), common::seed_body_keys());
    assert!(rd["body"].as_object().unwrap().values().all(Value::is_string));
    assert_eq!((rd["body"]["inv"].as_str(), rd["body"]["curr"].as_str()), (Some(pid.as_str()), Some("KES")));
    assert_eq!((rd["body"]["tel"].as_str(), rd["body"]["eml"].as_str()), (Some("123456789"), Some("customer@example.com")));

    // The customer at the partner: approve → back through the platform to return_url.success.
    let (status, html) = sb.partner_page(rd).await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("10.00 KES") && html.contains(&pid), "{html}");
    let r = sb.press(&html, "approve").await;
    assert_eq!(r.status().as_u16(), 303);
    let back = r.headers()["location"].to_str().unwrap().to_string();
    assert_eq!(back, rd["body"]["lbk"].as_str().unwrap());
    let r = no_redirects().get(&back).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(r.headers()["location"], sb.url("/gate.html?ok").as_str());

    let result = callback_where(&sb, &pid, "success callback", |b| b["payment"]["status"] == "success").await;
    assert_eq!(keys(&result), ["project_id", "payment", "customer", "operation", "signature"]);
    assert_eq!(result["operation"]["id"], cb["operation"]["id"], "the same sale operation");
    assert_eq!((result["operation"]["status"].as_str(), result["operation"]["code"].as_str()), (Some("success"), Some("0")));
    assert_eq!(sb.merchant_callbacks(&pid).await.len(), 2, "one redirect_data callback, one result");
    sb.stop().await;
}

#[tokio::test]
async fn a_declined_sale_returns_to_return_url_decline_and_without_return_url_to_the_sandbox_page() {
    let sb = Sandbox::start().await;
    let urls = ReturnUrl { success: Some(sb.url("/gate.html?ok")), decline: Some(sb.url("/gate.html?no")) };
    let pid = fresh("D");
    let back = paid(&sb, &pid, &urls, "decline").await;
    let r = no_redirects().get(&back).send().await.unwrap();
    assert_eq!(r.headers()["location"], sb.url("/gate.html?no").as_str());
    let cb = callback_where(&sb, &pid, "decline", |b| b["payment"]["status"] == "decline").await;
    assert_eq!((cb["operation"]["code"].as_str(), cb["operation"]["message"].as_str()), (Some("20000"), Some("General decline")));

    // No return_url: the platform's own "payment complete" page.
    for (decision, title, status) in [("approve", "Payment complete", "success"), ("decline", "Payment not completed", "decline")] {
        let pid = fresh("N");
        let back = paid(&sb, &pid, &ReturnUrl::default(), decision).await;
        let r = no_redirects().get(&back).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 200);
        let html = r.text().await.unwrap();
        assert!(html.contains(title) && html.contains(&pid) && html.contains(&format!("id=\"status\">{status}<")), "{html}");
        assert!(!html.contains("<script"));
    }
    let r = no_redirects().get(sb.url("/sim/gate/return/999999")).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 404);
    sb.stop().await;
}

#[tokio::test]
async fn a_full_refund_sends_the_seeds_refund_callback_and_a_second_refund_is_refused() {
    let sb = Sandbox::start().await;
    let pid = fresh("R");
    paid(&sb, &pid, &ReturnUrl::default(), "approve").await;
    let sale_cb = callback_where(&sb, &pid, "sale", |b| b["payment"]["status"] == "success").await;

    let (status, accepted) = sb.post_json(CARD_PARTNER_REFUND_PATH, &refund_body(&pid)).await;
    assert_eq!(status, 200, "{accepted}");
    assert_eq!(accepted["status"], "success");
    let cb = callback_where(&sb, &pid, "refund callback", |b| b["payment"]["status"] == "refunded").await;
    verify_callback(&cb.to_string(), SECRET_250).expect("signed");
    // Seed 001, "Пример оповещения о проведении возврата", key by key and in order.
    assert_eq!(keys(&cb), ["project_id", "payment", "customer", "operation", "signature"]);
    assert_eq!(keys(&cb["payment"]), ["id", "type", "status", "date", "method", "sum", "description"]);
    assert_eq!(
        keys(&cb["operation"]),
        ["id", "type", "status", "date", "created_date", "request_id", "sum_initial", "sum_converted", "code", "message", "provider"]
    );
    assert_eq!(keys(&cb["operation"]["provider"]), ["id", "payment_id", "auth_code"]);
    assert_eq!(cb["project_id"], 250);
    assert_eq!((cb["payment"]["type"].as_str(), cb["payment"]["method"].as_str()), (Some("purchase"), Some("Card partner")));
    assert_eq!(cb["payment"]["sum"], json!({"amount": 0, "currency": "KES"}));
    assert_eq!(cb["payment"]["description"], "");
    assert_eq!(cb["customer"], json!({"phone": "123456789"}));
    let op = &cb["operation"];
    assert_eq!((op["type"].as_str(), op["status"].as_str()), (Some("refund"), Some("success")));
    assert_eq!((op["code"].as_str(), op["message"].as_str()), (Some("0"), Some("Success")));
    assert_eq!(op["sum_initial"], json!({"amount": 1000, "currency": "KES"}));
    assert_eq!(op["sum_converted"], json!({"amount": 1000, "currency": "KES"}));
    assert_eq!(op["provider"]["id"], 2377);
    let provider_id = op["provider"]["payment_id"].as_str().unwrap();
    assert!(!provider_id.is_empty() && provider_id.bytes().all(|b| b.is_ascii_digit()), "{provider_id}");
    assert_eq!(op["request_id"], accepted["request_id"]);
    assert_ne!(op["id"], sale_cb["operation"]["id"], "a refund is its own operation");
    assert_eq!(cb["payment"]["date"], op["date"]);

    // Full refunds only: a second one is accepted as a request and declined by callback in
    // the seed's refund-decline shape; no money moves twice.
    let (status, again) = sb.post_json(CARD_PARTNER_REFUND_PATH, &refund_body(&pid)).await;
    assert_eq!((status, again["status"].as_str()), (200, Some("success")), "{again}");
    let declined = callback_where(&sb, &pid, "second refund declined", |b| b["operation"]["status"] == "decline").await;
    verify_callback(&declined.to_string(), SECRET_250).expect("signed");
    assert_eq!(keys(&declined), ["project_id", "payment", "customer", "operation", "signature"]);
    assert_eq!(keys(&declined["operation"]), keys(&cb["operation"]));
    assert_eq!(declined["payment"]["status"], "refunded", "the payment stays refunded");
    assert_eq!(declined["payment"]["sum"], json!({"amount": 0, "currency": "KES"}));
    let op = &declined["operation"];
    assert_eq!((op["type"].as_str(), op["status"].as_str(), op["code"].as_str()), (Some("refund"), Some("decline"), Some("20000")));
    assert!(op["message"].as_str().unwrap().contains("already refunded"), "{op}");
    assert_eq!(op["request_id"], again["request_id"]);
    assert_ne!(op["id"], cb["operation"]["id"]);
    // A partial refund is refused by name.
    let partial = with_signature(json!({"general": {"project_id": 250, "payment_id": pid}, "payment": {"amount": 500}}), SECRET_250);
    let (status, refused) = sb.post_json(CARD_PARTNER_REFUND_PATH, &partial).await;
    assert_eq!((status, refused["param"].as_str()), (400, Some("payment.amount")), "{refused}");
    let all = sb.merchant_callbacks(&pid).await;
    assert_eq!(all.len(), 4, "redirect_data, sale result, the refund, the declined second refund");
    let (_, st) = sb.post_json(PAYMENT_STATUS_PATH, &gate::payment_status_request(&ids(&pid), SECRET_250).unwrap()).await;
    let refunds: Vec<_> =
        st["operations"].as_array().unwrap().iter().filter(|o| o["type"] == "refund").map(|o| o["status"].clone()).collect();
    assert_eq!(refunds, [json!("success"), json!("decline")], "one refund, one declined attempt: {st}");
    sb.stop().await;
}

#[tokio::test]
async fn refunds_of_unknown_payments_are_refused_and_of_unpaid_ones_declined() {
    let sb = Sandbox::start().await;
    let (status, r) = sb.post_json(CARD_PARTNER_REFUND_PATH, &refund_body(&fresh("nobody"))).await;
    assert_eq!(status, 404, "{r}");
    assert_eq!((r["code"].as_str(), r["param"].as_str()), (Some("unknown_payment"), Some("general.payment_id")));

    for (prefix, decision, status_before) in [("D", Some("decline"), "decline"), ("P", None, "awaiting redirect result")] {
        let pid = fresh(prefix);
        match decision {
            Some(d) => drop(paid(&sb, &pid, &ReturnUrl::default(), d).await),
            None => drop(sale(&sb, &pid, &ReturnUrl::default()).await),
        }
        let before = sb.merchant_callbacks(&pid).await.len();
        let (status, r) = sb.post_json(CARD_PARTNER_REFUND_PATH, &refund_body(&pid)).await;
        assert_eq!((status, r["status"].as_str()), (200, Some("success")), "{r}");
        let cb = callback_where(&sb, &pid, "refund declined", |b| b["operation"]["type"] == "refund").await;
        verify_callback(&cb.to_string(), SECRET_250).expect("signed");
        assert_eq!(cb["payment"]["status"], status_before, "the payment keeps its status");
        let op = &cb["operation"];
        assert_eq!((op["status"].as_str(), op["code"].as_str()), (Some("decline"), Some("20000")), "{op}");
        let message = op["message"].as_str().unwrap();
        assert!(message.contains("not successful") && message.contains(&format!("status {status_before}")), "{message}");
        assert_eq!(sb.merchant_callbacks(&pid).await.len(), before + 1, "one decline callback");
    }
    sb.stop().await;
}

#[tokio::test]
async fn the_refund_decline_knob_gives_the_seeds_decline_callback_and_a_retry_refunds() {
    let sb = Sandbox::start().await;
    let pid = fresh("K");
    paid(&sb, &pid, &ReturnUrl::default(), "approve").await;
    let (status, knob) = sb.post_json("/sim/partner/refund-decline", &json!({"payment_id": pid})).await;
    assert_eq!(status, 200, "{knob}");
    let (status, _) = sb.post_json(CARD_PARTNER_REFUND_PATH, &refund_body(&pid)).await;
    assert_eq!(status, 200);
    let cb = callback_where(&sb, &pid, "refund decline", |b| b["operation"]["type"] == "refund").await;
    // Seed 001, "Пример оповещения об отказе в проведении возврата".
    assert_eq!(keys(&cb), ["project_id", "payment", "customer", "operation", "signature"]);
    assert_eq!(cb["payment"]["status"], "success", "the payment stays successful");
    assert_eq!(cb["payment"]["sum"], json!({"amount": 1000, "currency": "KES"}));
    let op = &cb["operation"];
    assert_eq!(
        (op["status"].as_str(), op["code"].as_str(), op["message"].as_str()),
        (Some("decline"), Some("20000"), Some("General decline"))
    );
    assert_eq!(op["sum_initial"], json!({"amount": 1000, "currency": "KES"}));
    assert!(op["provider"]["payment_id"].as_str().unwrap().ends_with("RF"), "{op}");
    assert_eq!(cb["payment"]["date"], op["date"]);

    // The knob works once: the merchant tries again and the payment is refunded.
    let (status, _) = sb.post_json(CARD_PARTNER_REFUND_PATH, &refund_body(&pid)).await;
    assert_eq!(status, 200);
    let done = callback_where(&sb, &pid, "refund", |b| b["payment"]["status"] == "refunded").await;
    assert_ne!(done["operation"]["id"], cb["operation"]["id"]);
    assert_eq!(done["operation"]["type"], "refund");

    let (status, r) = sb.post_json("/sim/partner/refund-decline", &json!({"project_id": "x"})).await;
    assert_eq!((status, r["param"].as_str()), (400, Some("payment_id")));
    sb.stop().await;
}

#[tokio::test]
async fn bad_signatures_and_bad_parameters_are_refused_by_name() {
    let sb = Sandbox::start().await;
    let pid = fresh("B");
    let mut tampered = sale_body(&pid, &ReturnUrl::default());
    tampered["payment"]["amount"] = json!(100000);
    let (status, r) = sb.post_json(CARD_PARTNER_SALE_PATH, &tampered).await;
    assert_eq!(status, 403, "{r}");
    assert_eq!((r["code"].as_str(), r["param"].as_str()), (Some("bad_signature"), Some("general.signature")));

    let other = with_signature(json!({"general": {"project_id": 999, "payment_id": "x"}}), "k");
    let (status, r) = sb.post_json(CARD_PARTNER_SALE_PATH, &other).await;
    assert_eq!((status, r["code"].as_str(), r["param"].as_str()), (403, Some("unknown_project"), Some("general.project_id")));

    let missing = with_signature(
        json!({"general": {"project_id": 250, "payment_id": pid}, "customer": {"id": "1"}, "payment": {"amount": 1000}}),
        SECRET_250,
    );
    let (status, r) = sb.post_json(CARD_PARTNER_SALE_PATH, &missing).await;
    assert_eq!(status, 400, "{r}");
    assert_eq!(r["code"], "invalid_params");
    let named: Vec<&str> = r["errors"].as_array().unwrap().iter().map(|e| e["param"].as_str().unwrap()).collect();
    assert_eq!(named, ["customer.ip_address", "payment.currency"]);
    assert!(r["message"].as_str().unwrap().contains("customer.ip_address: is required"), "{r}");

    let unsigned = json!({"general": {"project_id": 250, "payment_id": pid}, "customer": {"id": "1", "ip_address": "1.2.3.4"}, "payment": {"amount": 1000, "currency": "KES"}});
    let (status, r) = sb.post_json(CARD_PARTNER_SALE_PATH, &unsigned).await;
    assert_eq!((status, r["param"].as_str()), (400, Some("general.signature")), "{r}");

    let mut bad_url = sale_body(&pid, &ReturnUrl::default());
    bad_url["return_url"] = json!({"success": "javascript:alert(1)"});
    let bad_url = with_signature(bad_url, SECRET_250);
    let (status, r) = sb.post_json(CARD_PARTNER_SALE_PATH, &bad_url).await;
    assert_eq!((status, r["param"].as_str()), (400, Some("return_url.success")), "{r}");

    let r = sb.http.post(sb.url(CARD_PARTNER_SALE_PATH)).body("{not json").send().await.unwrap();
    assert_eq!(r.status().as_u16(), 400);
    assert_eq!(r.json::<Value>().await.unwrap()["code"], "invalid_json");

    // A payment_id is used once.
    let (status, _) = sb.post_json(CARD_PARTNER_SALE_PATH, &sale_body(&pid, &ReturnUrl::default())).await;
    assert_eq!(status, 200);
    let (status, r) = sb.post_json(CARD_PARTNER_SALE_PATH, &sale_body(&pid, &ReturnUrl::default())).await;
    assert_eq!((status, r["code"].as_str(), r["param"].as_str()), (400, Some("duplicate_payment"), Some("general.payment_id")), "{r}");

    // Refund and status check signatures the same way.
    let mut forged = refund_body(&pid);
    forged["general"]["payment_id"] = json!("someone-else");
    let (status, r) = sb.post_json(CARD_PARTNER_REFUND_PATH, &forged).await;
    assert_eq!((status, r["param"].as_str()), (403, Some("general.signature")));
    let forged = gate::payment_status_request(&ids(&pid), "wrong-secret").unwrap();
    let (status, r) = sb.post_json(PAYMENT_STATUS_PATH, &forged).await;
    assert_eq!((status, r["code"].as_str()), (403, Some("bad_signature")));
    sb.stop().await;
}

/// A value that reads as another item of the signing string (README: Security). Signed
/// by a signer that does not check (an SDK signs whatever it is given), the sandbox refuses
/// it, naming each value; the core's builders refuse to sign it at all.
#[tokio::test]
async fn a_request_hiding_another_item_in_a_value_is_refused_by_name() {
    let sb = Sandbox::start().await;
    let pid = fresh("S");
    // A last name that also signs as a phone; a decline URL that also signs as a success URL.
    let body = with_signature(
        json!({
            "general": {"project_id": 250, "payment_id": pid},
            "customer": {"id": "123", "ip_address": "1.2.3.4", "email": "customer@example.com", "last_name": "Tan;customer:phone:254700000001"},
            "payment": {"amount": 1000, "currency": "KES"},
            "return_url": {"decline": "https://shop.example/back;return_url:success:https://evil.example/"},
        }),
        SECRET_250,
    );
    let (status, r) = sb.post_json(CARD_PARTNER_SALE_PATH, &body).await;
    assert_eq!((status, r["code"].as_str()), (400, Some("invalid_params")), "{r}");
    let named: Vec<&str> = r["errors"].as_array().unwrap().iter().map(|e| e["param"].as_str().unwrap()).collect();
    assert_eq!(named, ["customer.last_name", "return_url.decline"]);
    assert!(r["message"].as_str().unwrap().contains(";customer:"), "{r}");
    // Nothing was recorded: the payment_id is still free.
    let (status, r) = sb.post_json(CARD_PARTNER_SALE_PATH, &sale_body(&pid, &ReturnUrl::default())).await;
    assert_eq!(status, 200, "{r}");

    // Every Gate request: a payment_id hiding `general`.
    let status_req = with_signature(json!({"general": {"project_id": 250, "payment_id": "x;general:project_id:1"}}), SECRET_250);
    let (status, r) = sb.post_json(PAYMENT_STATUS_PATH, &status_req).await;
    assert_eq!((status, r["param"].as_str()), (400, Some("general.payment_id")), "{r}");

    let hiding = GateCustomer::new("123", "1.2.3.4").with_name("Siti", "Tan;customer:phone:254700000001");
    let errs = gate::card_partner_sale(&ids(&fresh("S")), &hiding, &GatePayment::new(MinorUnits(1000), "KES"), SECRET_250).unwrap_err();
    assert_eq!(errs[0].param, "customer.last_name");
    sb.stop().await;
}

#[tokio::test]
async fn the_status_request_lists_the_payment_and_its_operations() {
    let sb = Sandbox::start().await;
    let pid = fresh("S");
    sale(&sb, &pid, &ReturnUrl::default()).await;
    let ask = |pid: &str| gate::payment_status_request(&ids(pid), SECRET_250).unwrap();
    let (status, pending) = sb.post_json(PAYMENT_STATUS_PATH, &ask(&pid)).await;
    assert_eq!(status, 200, "{pending}");
    verify(&pending, SECRET_250).expect("the answer is signed");
    assert_eq!(keys(&pending), ["project_id", "payment", "customer", "operations", "signature"]);
    assert_eq!(pending["payment"]["status"], "awaiting redirect result");
    assert_eq!(pending["operations"].as_array().unwrap().len(), 1);

    let pid = fresh("S");
    paid(&sb, &pid, &ReturnUrl::default(), "approve").await;
    sb.post_json("/sim/partner/refund-decline", &json!({"payment_id": pid})).await;
    sb.post_json(CARD_PARTNER_REFUND_PATH, &refund_body(&pid)).await;
    sb.post_json(CARD_PARTNER_REFUND_PATH, &refund_body(&pid)).await;
    let (status, answer) = sb.post_json(PAYMENT_STATUS_PATH, &ask(&pid)).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["payment"]["status"], "refunded");
    assert_eq!(answer["payment"]["method"], "Card partner");
    assert_eq!(answer["payment"]["sum"], json!({"amount": 0, "currency": "KES"}));
    let ops: Vec<(String, String, String)> = answer["operations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| (o["type"].as_str().unwrap().into(), o["status"].as_str().unwrap().into(), o["code"].as_str().unwrap().into()))
        .collect();
    let o = |t: &str, s: &str, c: &str| (t.to_string(), s.to_string(), c.to_string());
    assert_eq!(ops, [o("sale", "success", "0"), o("refund", "decline", "20000"), o("refund", "success", "0")]);
    assert_eq!(PaymentStatus::parse(answer["payment"]["status"].as_str().unwrap()), PaymentStatus::Refunded);

    let (status, r) = sb.post_json(PAYMENT_STATUS_PATH, &ask("nobody")).await;
    assert_eq!((status, r["code"].as_str(), r["param"].as_str()), (404, Some("unknown_payment"), Some("general.payment_id")));
    let (status, r) = sb.post_json(PAYMENT_STATUS_PATH, &json!({"general": {"project_id": 250}})).await;
    assert_eq!(status, 400, "{r}");
    sb.stop().await;
}

#[tokio::test]
async fn the_demo_shop_sells_through_gate_and_refunds_once() {
    let sb = Sandbox::start().await;
    let (status, order) = sb
        .post_json(
            "/merchant/gate/card-partner",
            &json!({"amount": 10000, "currency": "KES", "customer_email": "a@example.com", "customer_phone": "254712345678"}),
        )
        .await;
    assert_eq!(status, 200, "{order}");
    assert_eq!(order["accepted"], true, "{order}");
    let pid = order["payment_id"].as_str().unwrap().to_string();
    // The shop's page polls its own server for the redirect_data callback.
    let rd = eventually(10, "redirect_data at the shop", || async {
        let (_, o) = sb.get_json(&format!("/merchant/orders/{pid}")).await;
        o["callbacks"].as_array()?.iter().find_map(|c| c["body"].get("redirect_data").cloned())
    })
    .await;
    let (_, html) = sb.partner_page(&rd).await;
    let back = sb.press(&html, "approve").await.headers()["location"].to_str().unwrap().to_string();
    let r = no_redirects().get(&back).send().await.unwrap();
    assert_eq!(r.headers()["location"], sb.url(&format!("/gate.html?order={pid}&result=success")).as_str());
    eventually(10, "order paid", || async {
        let (_, list) = sb.get_json("/merchant/gate/orders").await;
        (list[0]["status"] == "success").then_some(())
    })
    .await;

    let (status, r) = sb.post_json(&format!("/merchant/orders/{pid}/refund"), &json!({})).await;
    assert_eq!((status, r["accepted"].as_bool()), (200, Some(true)), "{r}");
    let list = eventually(10, "order refunded", || async {
        let (_, list) = sb.get_json("/merchant/gate/orders").await;
        (list[0]["status"] == "refunded").then_some(list)
    })
    .await;
    assert_eq!((list[0]["payment_id"].as_str(), list[0]["mode"].as_str()), (Some(pid.as_str()), Some("gate")));
    // A second refund: accepted as a request, declined by callback; the order stays refunded.
    let (_, r) = sb.post_json(&format!("/merchant/orders/{pid}/refund"), &json!({})).await;
    assert_eq!(r["accepted"], true, "{r}");
    let list = eventually(10, "second refund declined", || async {
        let (_, list) = sb.get_json("/merchant/gate/orders").await;
        list[0]["callbacks"].as_array()?.iter().any(|c| c["body"]["operation"]["status"] == "decline").then_some(list)
    })
    .await;
    assert_eq!(list[0]["status"], "refunded");
    assert_eq!(list[0]["refund"]["answer"]["request_id"], r["gate"]["request_id"], "the last refund answer is kept");

    // A card order paid on the Payment Page is in the list too, and refundable through Gate.
    let (status, order) = sb.post_json("/merchant/orders", &json!({"amount": 10000, "currency": "KES", "method": "card-partner"})).await;
    assert_eq!(status, 201, "{order}");
    let pp = order["params"]["payment_id"].as_str().unwrap().to_string();
    let (_, myr) = sb.post_json("/merchant/orders", &json!({"amount": 10000, "currency": "MYR"})).await;
    let (_, list) = sb.get_json("/merchant/gate/orders").await;
    let modes: Vec<_> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|o| (o["payment_id"].as_str().unwrap().to_string(), o["mode"].as_str().unwrap().to_string()))
        .collect();
    assert_eq!(modes[0], (pp.clone(), "payment_page".to_string()), "{list}");
    assert!(!modes.iter().any(|(p, _)| Some(p.as_str()) == myr["params"]["payment_id"].as_str()), "EPay orders are not card orders");
    assert_eq!(
        (list[0]["amount"].as_i64(), list[0]["currency"].as_str(), list[0]["status"].as_str()),
        (Some(10000), Some("KES"), Some("created"))
    );

    let (status, r) = sb.post_json("/merchant/gate/card-partner", &json!({"amount": 5, "currency": "KES"})).await;
    assert_eq!((status, r["error"]["param"].as_str()), (400, Some("payment.amount")), "{r}");
    sb.stop().await;
}

// ---------------------------------------------------------------------------------------
// The CLI
// ---------------------------------------------------------------------------------------

fn epay(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_epay")).args(args).output().expect("epay runs")
}

/// `epay gate CMD` for project 250 and `payment_id`, sent to the sandbox at `base`.
fn sent_gate_command(cmd: &str, payment_id: &str, base: &str) -> Vec<String> {
    ["gate", cmd, "--project", "250", "--payment-id", payment_id, "--secret", SECRET_250, "--send", base].map(String::from).to_vec()
}

/// Runs `epay` off the async runtime (the sandbox it talks to runs on it).
fn run(args: Vec<String>) -> tokio::task::JoinHandle<Output> {
    tokio::task::spawn_blocking(move || epay(&args.iter().map(String::as_str).collect::<Vec<_>>()))
}

fn epay_stdin(args: &[&str], stdin: &str) -> Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_epay"))
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("epay runs");
    let _ = child.stdin.take().unwrap().write_all(stdin.as_bytes());
    child.wait_with_output().unwrap()
}

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// `epay gate CMD --project 250 --payment-id ID ARGS... --secret SECRET_250`, which must
/// succeed: the body it printed.
fn printed_gate_body(cmd: &str, payment_id: &str, args: &[&str]) -> Value {
    let o = epay(&[&["gate", cmd, "--project", "250", "--payment-id", payment_id], args, &["--secret", SECRET_250]].concat());
    assert!(o.status.success(), "{}", err(&o));
    serde_json::from_str(&out(&o)).unwrap()
}

#[test]
fn gate_sale_prints_the_body_the_rust_builder_makes() {
    let body = printed_gate_body(
        "sale",
        "TEST_184",
        &[
            "--amount",
            "1000",
            "--currency",
            "KES",
            "--customer-id",
            "123",
            "--ip",
            "1.2.3.4",
            "--phone",
            "123456789",
            "--email",
            "customer@example.com",
        ],
    );
    let want = gate::card_partner_sale(&ids("TEST_184"), &customer(), &GatePayment::new(MinorUnits(1000), "KES"), SECRET_250).unwrap();
    assert_eq!(body, want);
    // The seed's request, key for key.
    assert_eq!(keys(&body), ["general", "customer", "payment"]);
    assert_eq!(keys(&body["customer"]), ["ip_address", "phone", "email", "id"]);

    let body = printed_gate_body(
        "epay-sale",
        "E1",
        &[
            "--amount",
            "1000",
            "--currency",
            "MYR",
            "--customer-id",
            "123",
            "--ip",
            "172.10.123.11",
            "--first-name",
            "Petra",
            "--last-name",
            "Davis",
            "--email",
            "d@df.com",
            "--phone",
            "640991025894",
            "--description",
            "payment cash",
        ],
    );
    verify(&body, SECRET_250).unwrap();
    assert!(gate::parse_sale(gate::SaleKind::Epay, &body).is_ok());

    let o = epay(&["gate", "refund", "--project", "239", "--payment-id", "refund_02", "--secret", "s"]);
    let body: Value = serde_json::from_str(&out(&o)).unwrap();
    assert_eq!(keys(&body), ["general"]);
    verify(&body, "s").unwrap();
}

#[test]
fn gate_sale_refuses_bad_input_naming_each_parameter() {
    let o = epay(&[
        "gate",
        "sale",
        "--project",
        "250",
        "--payment-id",
        "P",
        "--amount",
        "999",
        "--currency",
        "KES",
        "--customer-id",
        "C",
        "--ip",
        "not-an-ip",
        "--secret",
        "s",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(out(&o).is_empty());
    let e = err(&o);
    assert!(e.contains("customer.ip_address") && e.contains("payment.amount"), "{e}");
    let o = epay(&[
        "gate",
        "epay-sale",
        "--project",
        "250",
        "--payment-id",
        "P",
        "--amount",
        "1000",
        "--currency",
        "MYR",
        "--customer-id",
        "C",
        "--ip",
        "1.2.3.4",
        "--secret",
        "s",
    ]);
    assert_eq!(o.status.code(), Some(2), "usage error: names and contact are required");
    assert!(err(&o).contains("--first-name"), "{}", err(&o));
    let o = epay(&["gate", "refund", "--project", "250", "--payment-id", "P", "--secret", "s", "--send", "https://gate.example"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(err(&o).contains("no TLS"), "{}", err(&o));
}

#[tokio::test(flavor = "multi_thread")]
async fn gate_commands_send_to_the_sandbox_and_verify_checks_what_comes_back() {
    let sb = Sandbox::start().await;
    let base = sb.running.base_url().to_string();
    let pid = fresh("CLI");
    let common = |cmd: &str| sent_gate_command(cmd, &pid, &base);
    let mut sale = common("sale");
    sale.extend(
        [
            "--amount",
            "1000",
            "--currency",
            "KES",
            "--customer-id",
            "C",
            "--ip",
            "1.2.3.4",
            "--phone",
            "254712345678",
            "--email",
            "c@example.com",
        ]
        .map(String::from),
    );
    let o = run(sale).await.unwrap();
    assert!(o.status.success(), "{}", err(&o));
    let answer: Value = serde_json::from_str(&out(&o)).unwrap();
    assert_eq!((answer["status"].as_str(), answer["payment_id"].as_str()), (Some("success"), Some(pid.as_str())));

    let redirect = callback_where(&sb, &pid, "redirect_data", |b| b.get("redirect_data").is_some()).await;
    let (_, html) = sb.partner_page(&redirect["redirect_data"]).await;
    sb.press(&html, "approve").await;
    let paid = callback_where(&sb, &pid, "success", |b| b["payment"]["status"] == "success").await;

    // `epay verify` takes the callback as the shop received it (signature at the root)...
    let text = paid.to_string();
    let o = tokio::task::spawn_blocking(move || epay_stdin(&["verify", "--secret", SECRET_250], &text)).await.unwrap();
    assert_eq!((o.status.code(), out(&o).trim()), (Some(0), format!("valid callback: payment {pid} success").as_str()), "{}", err(&o));
    let mut tampered = paid.clone();
    tampered["payment"]["sum"]["amount"] = json!(1);
    let text = tampered.to_string();
    let o = tokio::task::spawn_blocking(move || epay_stdin(&["verify", "--secret", SECRET_250], &text)).await.unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(err(&o).contains("does not match"), "{}", err(&o));
    // ... and a Gate request (signature in general).
    let text = refund_body(&pid).to_string();
    let o = tokio::task::spawn_blocking(move || epay_stdin(&["verify", "--secret", SECRET_250], &text)).await.unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));

    let o = run(common("refund")).await.unwrap();
    assert!(o.status.success(), "{}", err(&o));
    // A second refund is a valid request (exit 0); the platform declines it by callback.
    let o = run(common("refund")).await.unwrap();
    assert!(o.status.success(), "{}", err(&o));
    let declined = callback_where(&sb, &pid, "second refund declined", |b| b["operation"]["status"] == "decline").await;
    assert_eq!((declined["operation"]["type"].as_str(), declined["payment"]["status"].as_str()), (Some("refund"), Some("refunded")));
    // An unknown payment is refused at once (exit 1, the platform's answer on stdout).
    let mut unknown = common("refund");
    let at = unknown.iter().position(|a| a == &pid).unwrap();
    unknown[at] = fresh("nobody");
    let o = run(unknown).await.unwrap();
    assert_eq!(o.status.code(), Some(1), "refused");
    assert!(out(&o).contains("unknown_payment"), "{}\n{}", err(&o), out(&o));

    let o = run(common("status")).await.unwrap();
    assert!(o.status.success(), "{}", err(&o));
    let answer: Value = serde_json::from_str(&out(&o)).unwrap();
    assert_eq!(answer["payment"]["status"], "refunded");
    sb.stop().await;
}

// ---------------------------------------------------------------------------------------
// The "For back-end developers" section (docs/server.md): each ```rust block appears verbatim
// below between `// README-BEGIN n` and `// README-END n` and runs there; its
// `epay gate` command lines run against a sandbox.
// ---------------------------------------------------------------------------------------

fn readme_section() -> String {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/server.md")).expect("docs/server.md");
    let start = text.find("## For back-end developers").expect("docs/server.md (linked from the README) has the section");
    let rest = &text[start + 3..];
    rest[..rest.find("\n## ").unwrap_or(rest.len())].to_string()
}

fn fenced(section: &str, lang: &str) -> Vec<String> {
    let open = format!("```{lang}\n");
    let mut out = Vec::new();
    let mut rest = section;
    while let Some(at) = rest.find(&open) {
        let body = &rest[at + open.len()..];
        let end = body.find("```").expect("closed block");
        out.push(body[..end].to_string());
        rest = &body[end..];
    }
    out
}

/// The code between this file's markers `n`, one level (4 spaces) less indented.
fn marked(n: u32) -> String {
    let me = include_str!("gate.rs");
    let begin = format!("// README-BEGIN {n}\n");
    let start = me.find(&begin).expect("begin marker") + begin.len();
    let end = start + me[start..].find(&format!("// README-END {n}")).expect("end marker");
    // Up to the end marker's own line.
    let block = &me[start..end];
    let block = &block[..block.rfind('\n').map_or(0, |i| i + 1)];
    block.lines().map(|l| format!("{}\n", l.strip_prefix("    ").unwrap_or(l))).collect()
}

#[test]
fn readme_rust_examples_are_the_ones_tested_here() {
    let blocks = fenced(&readme_section(), "rust");
    assert_eq!(blocks.len(), 4, "four Rust examples");
    for (i, block) in blocks.iter().enumerate() {
        assert_eq!(*block, marked(i as u32 + 1), "README example {} differs from the tested one", i + 1);
    }
}

#[tokio::test]
async fn readme_1_signed_parameters_open_a_checkout() {
    // README-BEGIN 1
    use epay_core::signature::with_signature;
    use serde_json::json;

    let secret = "sandbox-secret-250"; // from your configuration; never sent to the browser
    let params = json!({
        "project_id": 250,
        "payment_id": "order-1001",       // unique in the project
        "payment_amount": 10000,          // minor units: 100.00 KES
        "payment_currency": "KES",
        "customer_id": "customer-42",
        "customer_email": "customer@example.com",
        "force_payment_method": "card-partner",
    });
    let signed = with_signature(params, secret); // adds "signature" at the root

    // Answer `signed` to your page, which calls EPayWidget.run({ ...signed, onSuccess, ... }).
    // README-END 1
    verify(&signed, SECRET_250).expect("signed");
    let sb = Sandbox::start().await;
    let (status, open) = sb.open(&signed).await;
    assert_eq!(status, 200, "{open}");
    assert_eq!(open["forced_method"], "card-partner");
    sb.stop().await;
}

#[tokio::test]
async fn readme_2_the_callback_handler_takes_signed_callbacks_only() {
    // README-BEGIN 2
    use epay_core::callback::{verify_new_callback, CallbackKey};
    use epay_core::PaymentStatus;
    use std::collections::HashSet;

    /// Your callback endpoint: `body` is the raw request body; answer with the returned HTTP status.
    /// `handled`: the keys of the callbacks acted on (in production, a UNIQUE column written in
    /// the same transaction as the order's new state).
    fn on_callback(body: &str, secret: &str, handled: &mut HashSet<CallbackKey>) -> u16 {
        match verify_new_callback(body, secret, |key| handled.insert(key.clone())) {
            Ok(Some(cb)) => {
                match cb.payment.status {
                    PaymentStatus::Success => { /* order cb.payment.id is paid: ship it (once) */ }
                    PaymentStatus::Refunded => { /* the money went back */ }
                    _ => { /* cb.operation says what happened (type, status, code, message) */ }
                }
                200
            }
            Ok(None) => 200, // a repeat of a callback already handled: answer 200, do nothing
            Err(e) => {
                eprintln!("refused callback: {e}"); // not JSON, not a callback, or not signed with your secret
                400
            }
        }
    }
    // README-END 2
    let sb = Sandbox::start().await;
    let pid = fresh("RD2");
    paid(&sb, &pid, &ReturnUrl::default(), "approve").await;
    let cb = callback_where(&sb, &pid, "success", |b| b["payment"]["status"] == "success").await;
    let mut handled = HashSet::new();
    assert_eq!(on_callback(&cb.to_string(), "another secret", &mut handled), 400);
    assert!(handled.is_empty(), "an unverified callback is not recorded");
    assert_eq!(on_callback(&cb.to_string(), SECRET_250, &mut handled), 200);
    // At-least-once delivery: the same callback again is answered 200 and not acted on again.
    assert_eq!(on_callback(&cb.to_string(), SECRET_250, &mut handled), 200);
    assert_eq!(handled.len(), 1, "acted on once");
    let mut tampered = cb.clone();
    tampered["payment"]["status"] = json!("refunded");
    assert_eq!(on_callback(&tampered.to_string(), SECRET_250, &mut handled), 400);
    assert_eq!(on_callback("not json", SECRET_250, &mut handled), 400);
    // The callback's key names what makes it unique.
    let key = epay_core::callback::verify_callback(&cb.to_string(), SECRET_250).unwrap().key();
    assert!(handled.contains(&key) && key.to_string().starts_with(&format!("250/{pid}/")), "{key}");
    sb.stop().await;
}

#[tokio::test]
async fn readme_3_gate_sale_and_refund_are_accepted() {
    let secret = SECRET_250;
    // README-BEGIN 3
    use epay_core::gate::{self, GateCustomer, GatePayment, GeneralIds, ReturnUrl};
    use epay_core::MinorUnits;

    let general = GeneralIds { project_id: 250, payment_id: "order-1002".into() };
    let customer = GateCustomer::new("customer-42", "1.2.3.4").with_phone("254712345678").with_email("customer@example.com");
    let payment = GatePayment::new(MinorUnits(10000), "KES");
    let back = ReturnUrl::both("https://shop.example/orders/order-1002");
    let sale = gate::card_partner_sale_returning(&general, &customer, &payment, &back, secret)
        .expect("checked as the platform checks: a refusal names each parameter, e.g. payment.amount");
    // POST `sale` (JSON) to {platform}{gate::CARD_PARTNER_SALE_PATH}; read the answer with
    // gate::GateResponse::parse: Accepted { request_id, .. } or Rejected { code, param, message, .. }.

    let refund = gate::card_partner_refund(&general, secret).expect("general only");
    // Later, POST `refund` to {platform}{gate::CARD_PARTNER_REFUND_PATH}.
    // README-END 3
    let sb = Sandbox::start().await;
    let (status, answer) = sb.post_json(gate::CARD_PARTNER_SALE_PATH, &sale).await;
    assert_eq!(status, 200, "{answer}");
    let rd = callback_where(&sb, "order-1002", "redirect_data", |b| b.get("redirect_data").is_some()).await;
    let (_, html) = sb.partner_page(&rd["redirect_data"]).await;
    let back = sb.press(&html, "approve").await.headers()["location"].to_str().unwrap().to_string();
    let r = no_redirects().get(&back).send().await.unwrap();
    assert_eq!(r.headers()["location"], "https://shop.example/orders/order-1002");
    callback_where(&sb, "order-1002", "success", |b| b["payment"]["status"] == "success").await;
    let (status, answer) = sb.post_json(gate::CARD_PARTNER_REFUND_PATH, &refund).await;
    assert_eq!(status, 200, "{answer}");
    callback_where(&sb, "order-1002", "refunded", |b| b["payment"]["status"] == "refunded").await;
    sb.stop().await;
}

#[tokio::test]
async fn readme_4_a_clarification_is_answered_from_the_callback() {
    let secret = SECRET_250;
    // README-BEGIN 4
    use epay_core::gate::{self, ClarificationAsked, ClarificationData, GeneralIds};
    use serde_json::Value;

    /// For a verified callback that asks for clarification, the signed body to POST to
    /// {platform}{gate::CLARIFICATION_PATH}; `None` for any other callback.
    fn clarification_for(callback: &Value, secret: &str) -> Option<Value> {
        let asked = ClarificationAsked::from_callback(callback)?;
        // asked.missing: "customer.phone", "customer.email". Take them from your records, or
        // ask the customer first (the demo shop's gate.html does).
        let wants = |field: &str| asked.missing.iter().any(|m| m == field);
        let data = ClarificationData {
            phone: wants("customer.phone").then(|| "254712345678".to_string()),
            email: wants("customer.email").then(|| "customer@example.com".to_string()),
        };
        let general = GeneralIds { project_id: asked.project_id, payment_id: asked.payment_id };
        // Err names each value the platform would refuse, e.g. additional_data.customer.email.
        gate::clarification(&general, &data, secret).ok()
    }
    // README-END 4
    let sb = Sandbox::start().await;
    let customer = GateCustomer::new("customer-42", "1.2.3.4").with_phone("254712345678");
    let sale = gate::card_partner_sale_returning(
        &ids("order-1004"),
        &customer,
        &GatePayment::new(MinorUnits(10000), "KES"),
        &ReturnUrl::default(),
        secret,
    )
    .unwrap();
    let (status, answer) = sb.post_json(gate::CARD_PARTNER_SALE_PATH, &sale).await;
    assert_eq!(status, 200, "{answer}");
    let asked = callback_where(&sb, "order-1004", "clarification", |b| b.get("clarification_fields").is_some()).await;
    verify_callback(&asked.to_string(), secret).expect("signed");
    let body = clarification_for(&asked, secret).expect("a clarification callback");
    assert_eq!(body["additional_data"], json!({"customer": {"email": "customer@example.com"}}), "only what was asked for");
    let (status, answer) = sb.post_json(gate::CLARIFICATION_PATH, &body).await;
    assert_eq!(status, 200, "{answer}");
    let rd = callback_where(&sb, "order-1004", "redirect_data", |b| b.get("redirect_data").is_some()).await;
    assert_eq!(rd["redirect_data"]["body"]["eml"], "customer@example.com");
    assert_eq!(clarification_for(&rd, secret), None, "any other callback");
    sb.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn readme_gate_command_lines_run_as_written() {
    let lines: Vec<String> = fenced(&readme_section(), "sh")
        .iter()
        .flat_map(|b| b.lines().map(str::to_string).collect::<Vec<_>>())
        .filter(|l| l.starts_with("epay gate"))
        .collect();
    assert_eq!(lines.len(), 5, "{lines:?}");
    let sb = Sandbox::start().await;
    let base = sb.running.base_url().to_string();
    let run = |line: &str| {
        let args: Vec<String> = line.split_whitespace().skip(1).map(|a| a.replace("http://127.0.0.1:8787", &base)).collect();
        tokio::task::spawn_blocking(move || epay(&args.iter().map(String::as_str).collect::<Vec<_>>()))
    };
    let o = run(&lines[0]).await.unwrap();
    assert!(o.status.success(), "{}: {}", lines[0], err(&o));
    let rd = callback_where(&sb, "order-1003", "redirect_data", |b| b.get("redirect_data").is_some()).await;
    let (_, html) = sb.partner_page(&rd["redirect_data"]).await;
    sb.press(&html, "approve").await;
    callback_where(&sb, "order-1003", "success", |b| b["payment"]["status"] == "success").await;
    let o = run(&lines[1]).await.unwrap();
    assert!(o.status.success(), "{}: {}", lines[1], err(&o));
    let o = run(&lines[2]).await.unwrap();
    assert!(o.status.success(), "{}: {}", lines[2], err(&o));
    let answer: Value = serde_json::from_str(&out(&o)).unwrap();
    assert_eq!(answer["payment"]["status"], "refunded");
    // A sale without the e-mail, then its clarification.
    let o = run(&lines[3]).await.unwrap();
    assert!(o.status.success(), "{}: {}", lines[3], err(&o));
    callback_where(&sb, "order-1004", "clarification", |b| b.get("clarification_fields").is_some()).await;
    let o = run(&lines[4]).await.unwrap();
    assert!(o.status.success(), "{}: {}", lines[4], err(&o));
    let rd = callback_where(&sb, "order-1004", "redirect_data", |b| b.get("redirect_data").is_some()).await;
    assert_eq!(rd["redirect_data"]["body"]["eml"], "customer@example.com");
    sb.stop().await;
}

/// Seed 001 shows `customer` in every card-partner callback (Payment Page and Gate, sale
/// and refund): the block is there even when the sale named no phone (issue 12 item 5).
#[tokio::test]
async fn every_card_partner_callback_has_the_customer_block_even_without_a_phone() {
    let sb = Sandbox::start().await;
    let pid = fresh("NOPHONE");
    accepted_sale_for(&sb, &pid, &GateCustomer::new("123", "1.2.3.4").with_email("customer@example.com")).await;
    let first = callback_where(&sb, &pid, "the first callback", |_| true).await;
    let seed: Value = serde_json::from_str(include_str!("../../core/tests/data/seed_card_partner_gate_callback_success.json")).unwrap();
    assert_eq!(keys(&seed)[..3], ["project_id", "payment", "customer"]);
    assert_eq!(keys(&first)[..3], ["project_id", "payment", "customer"], "{first}");
    assert!(first["customer"].is_object(), "{first}");
    sb.stop().await;
}

/// Seed 001 "Дополнение информации о платеже": a Gate card-partner sale without the
/// recommended `customer.phone` / `customer.email` gets a callback in `awaiting
/// clarification` listing them; the merchant supplies them with a signed
/// `POST /v2/payment/clarification`; then the usual `redirect_data` callback, the partner
/// and the result (issue 12 item 1).
#[tokio::test]
async fn a_sale_without_phone_and_email_is_clarified_then_goes_to_the_partner() {
    use epay_core::gate::{clarification, ClarificationAsked, ClarificationData, CLARIFICATION_PATH};
    let sb = Sandbox::start().await;
    let pid = fresh("CLAR");
    let accepted = accepted_sale_for(&sb, &pid, &GateCustomer::new("123", "1.2.3.4")).await;
    assert_eq!(accepted["status"], "success");

    // The clarification callback: signed, the standard shape plus clarification_fields.
    let asked = callback_where(&sb, &pid, "the clarification callback", |b| b.get("clarification_fields").is_some()).await;
    verify_callback(&asked.to_string(), SECRET_250).expect("signed");
    assert_eq!(keys(&asked), ["project_id", "payment", "customer", "operation", "clarification_fields", "signature"]);
    assert_eq!(asked["payment"]["status"], "awaiting clarification");
    assert_eq!(asked["operation"]["status"], "awaiting clarification");
    assert_eq!(asked["operation"]["request_id"], accepted["request_id"]);
    assert_eq!(asked["customer"], json!({}));
    let model = ClarificationAsked::from_callback(&asked).unwrap();
    assert_eq!((model.project_id, model.payment_id.as_str()), (250, pid.as_str()));
    assert_eq!(model.missing, ["customer.phone", "customer.email"]);
    assert_eq!(sb.merchant_callbacks(&pid).await.len(), 1, "no redirect_data before the clarification");

    // Refusals: a bad signature (403), a field asked for and not sent (400, named), an
    // unknown payment (404).
    let general = ids(&pid);
    let phone_only = ClarificationData { phone: Some("254712345678".into()), email: None };
    let (st, r) = sb.post_json(CLARIFICATION_PATH, &clarification(&general, &phone_only, "guess").unwrap()).await;
    assert_eq!(st, 403, "{r}");
    let (st, r) = sb.post_json(CLARIFICATION_PATH, &clarification(&general, &phone_only, SECRET_250).unwrap()).await;
    assert_eq!((st, r["param"].as_str()), (400, Some("additional_data.customer.email")), "{r}");
    let (st, r) = sb.post_json(CLARIFICATION_PATH, &clarification(&ids("nobody"), &phone_only, SECRET_250).unwrap()).await;
    assert_eq!(st, 404, "{r}");

    // Supplied: accepted, then redirect_data with the supplied phone and email.
    let both = ClarificationData { phone: Some("254712345678".into()), email: Some("customer@example.com".into()) };
    let (st, ok) = sb.post_json(CLARIFICATION_PATH, &clarification(&general, &both, SECRET_250).unwrap()).await;
    assert_eq!(st, 200, "{ok}");
    assert_eq!(keys(&ok), ["project_id", "payment_id", "status", "request_id"]);
    let redirect = callback_where(&sb, &pid, "redirect_data callback", |b| b.get("redirect_data").is_some()).await;
    assert_eq!(redirect["payment"]["status"], "awaiting redirect result");
    assert_eq!(redirect["customer"], json!({"phone": "254712345678"}));
    let rd = &redirect["redirect_data"];
    assert_eq!((rd["body"]["tel"].as_str(), rd["body"]["eml"].as_str()), (Some("254712345678"), Some("customer@example.com")));
    // Once is enough.
    let (st, r) = sb.post_json(CLARIFICATION_PATH, &clarification(&general, &both, SECRET_250).unwrap()).await;
    assert_eq!((st, r["code"].as_str()), (400, Some("not_awaiting_clarification")), "{r}");

    // The partner, then the result callback with the customer block.
    let (status, html) = sb.partner_page(rd).await;
    assert_eq!(status, 200, "{html}");
    assert_eq!(sb.press(&html, "approve").await.status().as_u16(), 303);
    let result = callback_where(&sb, &pid, "success", |b| b["payment"]["status"] == "success").await;
    assert_eq!(result["customer"], json!({"phone": "254712345678"}));
    sb.stop().await;
}

/// `epay gate clarify` (issue 12 item 1): prints the body `gate::clarification` builds,
/// refuses what the platform would refuse naming the parameter, and with `--send`
/// answers a sale's clarification callback so the `redirect_data` callback follows.
#[tokio::test(flavor = "multi_thread")]
async fn gate_clarify_prints_and_sends_the_clarification() {
    use epay_core::gate::{clarification, ClarificationData};
    // Printed: the builder's body, key for key.
    let body = printed_gate_body("clarify", "TEST_184", &["--phone", "123456789", "--email", "customer@example.com"]);
    let data = ClarificationData { phone: Some("123456789".into()), email: Some("customer@example.com".into()) };
    assert_eq!(body, clarification(&ids("TEST_184"), &data, SECRET_250).unwrap());
    assert_eq!(keys(&body), ["general", "additional_data"]);
    verify(&body, SECRET_250).unwrap();
    // Refused before sending, naming the parameter.
    let o = epay(&["gate", "clarify", "--project", "250", "--payment-id", "P", "--email", "nope", "--secret", "s"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(out(&o).is_empty());
    assert!(err(&o).contains("additional_data.customer.email"), "{}", err(&o));
    let o = epay(&["gate", "clarify", "--project", "250", "--payment-id", "P", "--secret", "s"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(err(&o).contains("additional_data.customer"), "{}", err(&o));

    // Sent: a sale without phone and email waits for them.
    let sb = Sandbox::start().await;
    let base = sb.running.base_url().to_string();
    let pid = fresh("CLICLAR");
    let common = |cmd: &str| sent_gate_command(cmd, &pid, &base);
    let mut sale = common("sale");
    sale.extend(["--amount", "1000", "--currency", "KES", "--customer-id", "C", "--ip", "1.2.3.4"].map(String::from));
    let o = run(sale).await.unwrap();
    assert!(o.status.success(), "{}", err(&o));
    let asked = callback_where(&sb, &pid, "the clarification callback", |b| b.get("clarification_fields").is_some()).await;
    assert_eq!(asked["payment"]["status"], "awaiting clarification");

    // The platform refuses a clarification missing a field it asked for: exit 1, named.
    let mut phone_only = common("clarify");
    phone_only.extend(["--phone", "254712345678"].map(String::from));
    let o = run(phone_only).await.unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", out(&o));
    let answer: Value = serde_json::from_str(&out(&o)).unwrap();
    assert_eq!(answer["param"], "additional_data.customer.email", "{answer}");
    assert!(err(&o).contains("refused by the platform, HTTP 400"), "{}", err(&o));

    // Both: accepted, then the redirect_data callback carries them.
    let mut both = common("clarify");
    both.extend(["--phone", "254712345678", "--email", "customer@example.com"].map(String::from));
    let o = run(both.clone()).await.unwrap();
    assert!(o.status.success(), "{}", err(&o));
    let answer: Value = serde_json::from_str(&out(&o)).unwrap();
    assert_eq!((answer["status"].as_str(), answer["payment_id"].as_str()), (Some("success"), Some(pid.as_str())), "{answer}");
    let redirect = callback_where(&sb, &pid, "redirect_data callback", |b| b.get("redirect_data").is_some()).await;
    let rd = &redirect["redirect_data"]["body"];
    assert_eq!((rd["tel"].as_str(), rd["eml"].as_str()), (Some("254712345678"), Some("customer@example.com")));
    // Once only.
    let o = run(both).await.unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(err(&o).contains("not_awaiting_clarification"), "{}", err(&o));
    sb.stop().await;
}

/// The demo shop's Gate mode answers a clarification (issue 12 item 1): a sale without
/// e-mail shows `clarification` on the order; the shop's server refuses an answer that
/// lacks or mangles the field (naming the page's field), then signs and sends a good one;
/// the `redirect_data` callback follows with the supplied e-mail.
#[tokio::test]
async fn the_demo_shop_asks_for_what_the_platform_wants_clarified() {
    let sb = Sandbox::start().await;
    let (status, order) =
        sb.post_json("/merchant/gate/card-partner", &json!({"amount": 10000, "currency": "KES", "customer_phone": "254712345678"})).await;
    assert_eq!((status, order["accepted"].as_bool()), (200, Some(true)), "{order}");
    let pid = order["payment_id"].as_str().unwrap().to_string();
    let path = format!("/merchant/gate/orders/{pid}");
    let shown = eventually(10, "the order awaiting clarification", || async {
        let (_, o) = sb.get_json(&path).await;
        (o["status"] == "awaiting clarification").then_some(o)
    })
    .await;
    assert_eq!(shown["clarification"], json!({"missing": ["customer.email"], "fields": ["customer_email"]}));
    assert_eq!(shown["redirect_data"], Value::Null);
    let (_, list) = sb.get_json("/merchant/gate/orders").await;
    assert_eq!(list[0]["clarification"]["fields"], json!(["customer_email"]), "{list}");

    let clarify = format!("{path}/clarify");
    let (st, r) = sb.post_json(&clarify, &json!({})).await;
    assert_eq!((st, r["error"]["param"].as_str()), (400, Some("customer_email")), "{r}");
    let (st, r) = sb.post_json(&clarify, &json!({"customer_email": "not an address"})).await;
    assert_eq!((st, r["error"]["param"].as_str()), (400, Some("customer_email")), "{r}");
    assert_eq!(r["error"]["errors"][0]["message"], "must be an e-mail address like name@example.com", "{r}");
    let (st, r) = sb.post_json("/merchant/gate/orders/nobody/clarify", &json!({"customer_email": "a@example.com"})).await;
    assert_eq!(st, 404, "{r}");

    // The shop refuses the redirect_data callback's first delivery: it comes a little later.
    sb.post_json("/merchant/test/fail-callbacks", &json!({"count": 1})).await;
    let (st, r) = sb.post_json(&clarify, &json!({"customer_email": "customer@example.com"})).await;
    assert_eq!((st, r["accepted"].as_bool()), (200, Some(true)), "{r}");
    assert_eq!(r["gate"]["status"], "success", "{r}");
    let (_, now) = sb.get_json(&path).await;
    assert_eq!(now["clarification"], Value::Null, "answered: not asked again while redirect_data comes {now}");
    let shown = eventually(10, "redirect_data at the shop", || async {
        let (_, o) = sb.get_json(&path).await;
        (!o["redirect_data"].is_null()).then_some(o)
    })
    .await;
    assert_eq!(shown["status"], "awaiting redirect result");
    assert_eq!(shown["clarification"], Value::Null);
    assert_eq!(shown["redirect_data"]["body"]["eml"], "customer@example.com");
    // Asked once, answered once.
    let (st, r) = sb.post_json(&clarify, &json!({"customer_email": "customer@example.com"})).await;
    assert_eq!((st, r["error"]["code"].as_str()), (409, Some("not_awaiting_clarification")), "{r}");
    sb.stop().await;
}
