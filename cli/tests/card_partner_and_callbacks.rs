//! The simulated partner, the signed callbacks and their delivery (retries, restarts).

mod common;

use common::{eventually, fast_config, Sandbox, SECRET_250};
use epay_core::callback::verify_callback;
use epay_core::PaymentStatus;
use serde_json::{json, Value};
use std::time::Duration;

fn payment_id(params: &Value) -> String {
    params["payment_id"].as_str().unwrap().to_string()
}

/// Waits until the platform's outbox has delivered every callback of the payment; returns the attempts of each.
async fn delivered(sb: &Sandbox, payment_id: &str) -> Vec<u32> {
    eventually(10, "callback delivery", || async {
        let d = sb.running.deliveries(250, payment_id).unwrap();
        (!d.is_empty() && d.iter().all(|x| x.delivered)).then(|| d.iter().map(|x| x.attempts).collect())
    })
    .await
}

#[tokio::test]
async fn approve_makes_the_payment_successful_and_the_merchant_gets_one_signed_callback() {
    let sb = Sandbox::start().await;
    let (params, session, view) = sb.card_payment().await;
    let (status, html) = sb.partner_page(&view["action"]["redirect_data"]).await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("100.00 KES") && html.contains(&payment_id(&params)), "{html}");
    assert!(html.contains("id=\"approve\"") && html.contains("id=\"decline\""));
    assert!(!html.contains("<script"), "no script on the partner page");

    let r = sb.press(&html, "approve").await;
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(r.headers()["location"], sb.url("/?order=back").as_str());

    let (_, view) = sb.get_json(&format!("/api/v1/checkout/status?session={session}")).await;
    assert_eq!(
        view,
        json!({"status": "success", "method": "card-partner", "sum": {"amount": 10000, "currency": "KES"}, "code": "0", "message": "Success"})
    );

    assert_eq!(delivered(&sb, &payment_id(&params)).await, vec![1]);
    // Pressing again (a reload) changes nothing and sends no second callback.
    assert_eq!(sb.press(&html, "decline").await.status().as_u16(), 303);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let received = sb.merchant_callbacks(&payment_id(&params)).await;
    assert_eq!(received.len(), 1, "{received:?}");
    assert_eq!(received[0]["valid"], true);

    let body = received[0]["body"].to_string();
    let cb = verify_callback(&body, SECRET_250).expect("the merchant can verify the callback");
    assert_eq!(cb.payment.status, PaymentStatus::Success);
    let doc = &received[0]["body"];
    // The seed's shape, key by key and in order.
    let keys = |v: &Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    assert_eq!(keys(doc), ["project_id", "payment", "customer", "operation", "signature"]);
    assert_eq!(keys(&doc["payment"]), ["id", "type", "status", "date", "method", "sum", "description"]);
    assert_eq!(
        keys(&doc["operation"]),
        ["id", "type", "status", "date", "created_date", "request_id", "sum_initial", "sum_converted", "code", "message", "provider"]
    );
    assert_eq!(keys(&doc["operation"]["provider"]), ["id", "payment_id", "auth_code"]);
    assert_eq!(doc["project_id"], 250);
    assert_eq!(doc["payment"]["type"], "purchase");
    assert_eq!(doc["payment"]["method"], "Card partner");
    assert_eq!(doc["payment"]["sum"], json!({"amount": 10000, "currency": "KES"}));
    assert_eq!(doc["customer"], json!({"phone": "254712345678"}));
    assert_eq!(doc["operation"]["type"], "sale");
    assert_eq!((doc["operation"]["code"].as_str(), doc["operation"]["message"].as_str()), (Some("0"), Some("Success")));
    assert!(doc["operation"]["id"].is_i64());
    let date = doc["payment"]["date"].as_str().unwrap();
    assert_eq!(date.len(), "2020-08-26T15:03:20+0000".len());
    assert!(date.ends_with("+0000") && date.as_bytes()[10] == b'T', "{date}");
    assert!(doc["operation"]["request_id"].as_str().unwrap().ends_with("-00000001"));

    // The merchant's view of the order.
    let (_, order) = sb.get_json(&format!("/merchant/orders/{}", payment_id(&params))).await;
    assert_eq!(order["status"], "success");
    assert_eq!(order["params"], params);
    sb.stop().await;
}

#[tokio::test]
async fn decline_sends_a_decline_callback_with_code_20000() {
    let sb = Sandbox::start().await;
    let (params, session, view) = sb.card_payment().await;
    let redirect_data = view["action"]["redirect_data"].clone();
    let (_, html) = sb.partner_page(&redirect_data).await;
    assert_eq!(sb.press(&html, "decline").await.status().as_u16(), 303);
    let (_, view) = sb.get_json(&format!("/api/v1/checkout/status?session={session}")).await;
    assert_eq!(view["status"], "decline");
    assert_eq!(view["code"], "20000");
    assert_eq!(view["message"], "General decline");

    delivered(&sb, &payment_id(&params)).await;
    let received = sb.merchant_callbacks(&payment_id(&params)).await;
    assert_eq!(received.len(), 1);
    let cb = verify_callback(&received[0]["body"].to_string(), SECRET_250).unwrap();
    assert_eq!(cb.payment.status, PaymentStatus::Decline);
    let op = cb.operation.unwrap();
    assert_eq!((op.status, op.code.as_str(), op.message.as_str()), (PaymentStatus::Decline, "20000", "General decline"));

    // Back at the partner with the old form: it says the payment is final, no buttons.
    let (status, html) = sb.partner_page(&redirect_data).await;
    assert_eq!(status, 200);
    assert!(html.contains("already final: decline"), "{html}");
    assert!(!html.contains("id=\"approve\""));
    // Paying again answers the final view: one click, one payment.
    let (_, again) = sb.pay(&session, "card-partner", json!({})).await;
    assert_eq!(again, view);
    sb.stop().await;
}

#[tokio::test]
async fn the_partner_refuses_tampered_forms() {
    let sb = Sandbox::start().await;
    let (_, session, view) = sb.card_payment().await;
    let mut rd = view["action"]["redirect_data"].clone();
    rd["body"]["inv"] = json!("someone-else");
    let (status, html) = sb.partner_page(&rd).await;
    assert_eq!(status, 400);
    assert!(html.contains("tampered"), "{html}");

    let mut rd = view["action"]["redirect_data"].clone();
    rd["body"].as_object_mut().unwrap().remove("oid");
    assert_eq!(sb.partner_page(&rd).await.0, 400);

    // A completion form with a forged sig changes nothing.
    let r =
        sb.http.post(sb.url("/sim/partner/complete")).form(&[("oid", "1"), ("decision", "approve"), ("sig", "00")]).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 400);
    let (_, view) = sb.get_json(&format!("/api/v1/checkout/status?session={session}")).await;
    assert_eq!(view["status"], "awaiting redirect result");
    sb.stop().await;
}

#[tokio::test]
async fn the_partner_escapes_what_it_shows() {
    let sb = Sandbox::start().await;
    let params =
        sb.order(json!({"amount": 10000, "currency": "KES", "customer_phone": "254712345678", "customer_email": "a<b>\"@x.co"})).await;
    let session = sb.session(&params).await;
    let (status, view) = sb.pay(&session, "card-partner", json!({})).await;
    assert_eq!(status, 200, "{view}");
    let (_, html) = sb.partner_page(&view["action"]["redirect_data"]).await;
    assert!(html.contains("a&lt;b&gt;&quot;@x.co"), "{html}");
    assert!(!html.contains("a<b>"));
    sb.stop().await;
}

#[tokio::test]
async fn a_merchant_failing_twice_gets_the_callback_on_the_third_attempt() {
    let sb = Sandbox::start().await;
    let (status, _) = sb.post_json("/merchant/test/fail-callbacks", &json!({"count": 2})).await;
    assert_eq!(status, 200);
    let (params, _, view) = sb.card_payment().await;
    let (_, html) = sb.partner_page(&view["action"]["redirect_data"]).await;
    sb.press(&html, "approve").await;

    assert_eq!(delivered(&sb, &payment_id(&params)).await, vec![3]);
    let d = sb.running.deliveries(250, &payment_id(&params)).unwrap();
    assert_eq!(d[0].last_http_status, Some(200));
    let received = sb.merchant_callbacks(&payment_id(&params)).await;
    assert_eq!(received.len(), 1, "the two refused attempts were not stored");
    assert_eq!(received[0]["valid"], true);
    sb.stop().await;
}

#[tokio::test]
async fn the_merchant_rejects_callbacks_with_a_bad_signature_and_dedupes_retries() {
    let sb = Sandbox::start().await;
    let (params, _, view) = sb.card_payment().await;
    let (_, html) = sb.partner_page(&view["action"]["redirect_data"]).await;
    sb.press(&html, "approve").await;
    delivered(&sb, &payment_id(&params)).await;
    let good = sb.merchant_callbacks(&payment_id(&params)).await[0]["body"].clone();

    // The same callback again (a platform retry): accepted, stored once.
    let (status, answer) = sb.post_json("/merchant/callback", &good).await;
    assert_eq!((status, &answer["duplicate"]), (200, &json!(true)));
    // A forged one: 400, kept only as invalid.
    let mut forged = good.clone();
    forged["payment"]["sum"]["amount"] = json!(1);
    let (status, _) = sb.post_json("/merchant/callback", &forged).await;
    assert_eq!(status, 400);
    let received = sb.merchant_callbacks(&payment_id(&params)).await;
    let valid: Vec<bool> = received.iter().map(|c| c["valid"].as_bool().unwrap()).collect();
    assert_eq!(valid, vec![true, false]);
    sb.stop().await;
}

#[tokio::test]
async fn after_a_restart_the_undelivered_callback_is_delivered_and_the_status_kept() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("sandbox.sqlite");
    let db = db.to_str().unwrap();

    let sb = Sandbox::start_with(fast_config(db)).await;
    sb.post_json("/merchant/test/fail-callbacks", &json!({"count": 1000000})).await;
    let (params, session, view) = sb.card_payment().await;
    let (_, html) = sb.partner_page(&view["action"]["redirect_data"]).await;
    sb.press(&html, "approve").await;
    let pid = payment_id(&params);
    eventually(10, "a failed attempt", || async {
        let d = sb.running.deliveries(250, &pid).unwrap();
        (d.len() == 1 && d[0].attempts >= 1 && !d[0].delivered).then_some(())
    })
    .await;
    assert_eq!(sb.running.deliveries(250, &pid).unwrap()[0].last_http_status, Some(500));
    let first_url = sb.url("");
    sb.stop().await;

    // Same database, a new process-level start (new port, merchant answering again).
    let sb = Sandbox::start_with(fast_config(db)).await;
    assert_ne!(sb.url(""), first_url, "port 0 gives a new port: callbacks follow it");
    let attempts = delivered(&sb, &pid).await;
    assert!(attempts[0] >= 2, "{attempts:?}");
    let received = sb.merchant_callbacks(&pid).await;
    assert_eq!(received.len(), 1);
    verify_callback(&received[0]["body"].to_string(), SECRET_250).unwrap();

    let (status, view) = sb.get_json(&format!("/api/v1/checkout/status?session={session}")).await;
    assert_eq!(status, 200, "sessions survive restarts");
    assert_eq!(view["status"], "success");
    let (_, open) = sb.open(&params).await;
    assert_eq!(open["payment"]["status"], "success");
    let (_, order) = sb.get_json(&format!("/merchant/orders/{pid}")).await;
    assert_eq!(order["status"], "success");
    sb.stop().await;
}

#[tokio::test]
async fn a_pending_redirect_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("sandbox.sqlite");
    let db = db.to_str().unwrap();
    let sb = Sandbox::start_with(fast_config(db)).await;
    let (_, session, _) = sb.card_payment().await;
    sb.stop().await;

    let sb = Sandbox::start_with(fast_config(db)).await;
    let (_, view) = sb.get_json(&format!("/api/v1/checkout/status?session={session}")).await;
    assert_eq!(view["status"], "awaiting redirect result");
    // The partner key is kept: the rebuilt form is still accepted.
    let (status, html) = sb.partner_page(&view["action"]["redirect_data"]).await;
    assert_eq!(status, 200, "{html}");
    assert_eq!(sb.press(&html, "approve").await.status().as_u16(), 303);
    sb.stop().await;
}
