//! EPay cash (seed 002) in the sandbox: the code from `pay`, the simulated terminal,
//! expiry, the result callbacks, and the Gate sale.

mod common;

use common::{eventually, fast_config, hidden, signed, Sandbox, SECRET_250};
use epay_core::callback::verify_callback;
use epay_core::epay_cash::parse_valid_time;
use epay_core::gate::{epay_sale, payment_status_request, GateCustomer, GatePayment, GeneralIds, EPAY_SALE_PATH, PAYMENT_STATUS_PATH};
use epay_core::signature::with_signature;
use epay_core::{MinorUnits, PaymentStatus};
use serde_json::{json, Value};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const PUTRA: [(&str, &str); 4] = [
    ("customer_first_name", "Putra"),
    ("customer_last_name", "Cane"),
    ("customer_email", "putra@mail.com"),
    ("customer_phone", "60321669552"),
];

fn now_secs() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs() as i64
}

fn payment_id(params: &Value) -> String {
    params["payment_id"].as_str().unwrap().to_string()
}

fn keys(v: &Value) -> Vec<String> {
    v.as_object().unwrap().keys().cloned().collect()
}

/// An MYR order for 5 000.00 forced to epaycash, with the given customer fields.
async fn epay_order(sb: &Sandbox, fields: &[(&str, &str)]) -> Value {
    let mut order = json!({"amount": 500000, "currency": "MYR", "method": "epaycash", "description": "123"});
    for (k, v) in fields {
        order[*k] = json!(v);
    }
    sb.order(order).await
}

/// Orders with every field, opens and pays: (params, session, view).
async fn epay_payment(sb: &Sandbox) -> (Value, String, Value) {
    let params = epay_order(sb, &PUTRA).await;
    let session = sb.session(&params).await;
    let (status, view) = sb.pay(&session, "epaycash", json!({})).await;
    assert_eq!(status, 200, "{view}");
    (params, session, view)
}

fn reference_of(view: &Value) -> String {
    view["action"]["redirect_data"]["body"]["reference_number"].as_str().expect("reference_number").to_string()
}

fn is_reference(r: &str) -> bool {
    let b = r.as_bytes();
    b.len() == 11 && b[3] == b'-' && b[7] == b'-' && b.iter().enumerate().all(|(i, c)| i == 3 || i == 7 || c.is_ascii_digit())
}

/// Seed 002's `request_id` form: lowercase hex digits only (`bfe58066b0f4331c`).
fn is_plain_hex(v: &Value) -> bool {
    v.as_str().is_some_and(|r| !r.is_empty() && r.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)))
}

/// The terminal page of a reference: (status, html).
async fn terminal(sb: &Sandbox, reference: &str) -> (u16, String) {
    let r = sb.http.get(sb.url("/sim/epay")).query(&[("reference", reference)]).send().await.expect("terminal");
    let csp = r.headers().get("content-security-policy").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
    assert!(csp.contains("default-src 'none'"), "{csp}");
    (r.status().as_u16(), r.text().await.unwrap())
}

/// Presses `#pay-cash` or `#expire` on the terminal page of `reference`; returns the status (303 expected).
async fn press(sb: &Sandbox, reference: &str, button: &str) -> u16 {
    let (status, html) = terminal(sb, reference).await;
    assert_eq!(status, 200, "{html}");
    let sig = hidden(&html, button, "sig");
    let path = match button {
        "pay-cash" => "/sim/epay/pay",
        "decline" => "/sim/epay/decline",
        _ => "/sim/epay/expire",
    };
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let r = client.post(sb.url(path)).form(&[("reference", reference), ("sig", sig.as_str())]).send().await.unwrap();
    let status = r.status().as_u16();
    if status == 303 {
        assert_eq!(r.headers()["location"], format!("/sim/epay?reference={reference}").as_str());
    }
    status
}

/// Waits until every callback of the payment was delivered; returns what the merchant received.
async fn received(sb: &Sandbox, project_id: u64, payment_id: &str, count: usize) -> Vec<Value> {
    eventually(10, "callback delivery", || async {
        let d = sb.running.deliveries(project_id, payment_id).unwrap();
        (d.len() == count && d.iter().all(|x| x.delivered)).then_some(())
    })
    .await;
    sb.merchant_callbacks(payment_id).await
}

async fn status_of(sb: &Sandbox, session: &str) -> Value {
    sb.get_json(&format!("/api/v1/checkout/status?session={session}")).await.1
}

#[tokio::test]
async fn pay_with_epaycash_answers_a_code_shaped_like_the_seed() {
    let sb = Sandbox::start().await;
    // The shop sent only the first name: the customer typed the rest.
    let params = epay_order(&sb, &PUTRA[..1]).await;
    let session = sb.session(&params).await;
    let typed = json!({"last_name": "Cane", "email": "putra@mail.com", "phone": "+60 3-2166 9552"});
    let (status, view) = sb.pay(&session, "epaycash", typed).await;
    assert_eq!(status, 200, "{view}");
    assert_eq!(view["status"], "awaiting customer");
    assert_eq!(view["method"], "epaycash");
    assert_eq!(view["action"]["kind"], "show_code");
    let rd = &view["action"]["redirect_data"];
    assert_eq!(rd["method"], "GET");
    assert_eq!(rd["url"], sb.url("/sim/epay").as_str());
    assert_eq!(keys(&rd["body"]), ["reference_number", "valid_time", "user_name"]);
    let reference = reference_of(&view);
    assert!(is_reference(&reference), "{reference}");
    assert_eq!(rd["body"]["user_name"], "PUTRA CANE");
    // valid_time: Malaysia wall-clock time, 30 minutes from now.
    let valid_time = rd["body"]["valid_time"].as_str().unwrap();
    assert_eq!(valid_time.len(), "2019-06-15 14:17:26".len(), "{valid_time}");
    let until = parse_valid_time(valid_time).expect("valid_time parses");
    assert!((until - now_secs() - 1800).abs() <= 5, "{valid_time} is not now + 30 min");
    // The core reads it back as the widget will.
    let rd: epay_core::RedirectData = serde_json::from_value(rd.clone()).unwrap();
    assert_eq!(epay_core::epay_cash::EpayCode::from_redirect(&rd).unwrap().reference_number, reference);
    // Status follows with the same code.
    assert_eq!(status_of(&sb, &session).await, view);
    sb.stop().await;
}

#[tokio::test]
async fn every_missing_or_bad_customer_field_is_named() {
    let sb = Sandbox::start().await;
    let params = epay_order(&sb, &PUTRA[..2]).await;
    let (status, open) = sb.open(&params).await;
    assert_eq!(status, 200, "{open}");
    assert_eq!(open["methods"], json!([{"code": "epaycash", "fields": ["email", "phone"]}]));
    let session = open["session"].as_str().unwrap();
    let (status, body) = sb.pay(session, "epaycash", json!({"email": "putra@mail.com"})).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"]["code"], "invalid_params");
    assert_eq!(body["error"]["param"], "customer_phone");
    assert_eq!(body["error"]["errors"][0]["message"], "is required to pay with epaycash");
    let (status, body) = sb.pay(session, "epaycash", json!({"email": "putra@mail", "phone": "12ab"})).await;
    assert_eq!(status, 400);
    let named: Vec<&str> = body["error"]["errors"].as_array().unwrap().iter().map(|e| e["param"].as_str().unwrap()).collect();
    assert_eq!(named, ["customer_email", "customer_phone"]);
    // Nothing was started.
    assert_eq!(status_of(&sb, session).await, json!({}));
    sb.stop().await;
}

#[tokio::test]
async fn epaycash_takes_only_myr() {
    let sb = Sandbox::start().await;
    let mut p = json!({"project_id": 250, "payment_id": "EP-KES", "payment_amount": 10000, "payment_currency": "KES",
        "customer_id": "c1", "force_payment_method": "epaycash"});
    for (k, v) in PUTRA {
        p[k] = json!(v);
    }
    let (status, body) = sb.open(&signed(p, SECRET_250)).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"]["param"], "payment_currency");
    assert_eq!(body["error"]["message"], "payment_currency: epaycash accepts only MYR; got KES");
    // Not forced: a KES payment is not offered epaycash.
    let params = sb.order(json!({"amount": 10000, "currency": "KES"})).await;
    let session = sb.session(&params).await;
    let (status, body) = sb.pay(&session, "epaycash", json!({})).await;
    assert_eq!((status, body["error"]["code"].as_str()), (400, Some("method_not_allowed")));
    sb.stop().await;
}

#[tokio::test]
async fn pay_is_idempotent_one_code_per_payment() {
    let sb = Sandbox::start().await;
    let (params, session, first) = epay_payment(&sb).await;
    let (_, again) = sb.pay(&session, "epaycash", json!({})).await;
    assert_eq!(again, first);
    // Another session of the same payment (a reload) gets the same code too.
    let other = sb.session(&params).await;
    let (_, open) = sb.open(&params).await;
    assert_eq!(open["payment"], first);
    let (_, from_other) = sb.pay(&other, "epaycash", json!({})).await;
    assert_eq!(from_other, first);
    // Two at once.
    let (a, b) = tokio::join!(sb.pay(&other, "epaycash", json!({})), sb.pay(&session, "epaycash", json!({})));
    assert_eq!((a.1, b.1), (first.clone(), first.clone()));
    // Another payment gets another code.
    let (_, _, second) = epay_payment(&sb).await;
    assert_ne!(reference_of(&second), reference_of(&first));
    sb.stop().await;
}

#[tokio::test]
async fn paying_at_the_terminal_sends_one_success_callback_in_the_seed_shape() {
    let sb = Sandbox::start().await;
    let (params, session, view) = epay_payment(&sb).await;
    let reference = reference_of(&view);
    let (status, html) = terminal(&sb, &reference).await;
    assert_eq!(status, 200, "{html}");
    for shown in
        ["PUTRA CANE", "5,000.00 MYR", view["action"]["redirect_data"]["body"]["valid_time"].as_str().unwrap(), "awaiting customer"]
    {
        assert!(html.contains(shown), "{shown} not on the terminal page:\n{html}");
    }
    assert!(html.contains("id=\"pay-cash\"") && html.contains("id=\"expire\"") && html.contains("id=\"find\""));
    assert!(!html.contains("<script") && !html.contains("style="), "no inline script or style");
    let sig = hidden(&html, "pay-cash", "sig");
    // The cashier may type it without dashes.
    let (status, html2) = terminal(&sb, &reference.replace('-', "")).await;
    assert_eq!(status, 200);
    assert!(html2.contains(&reference));

    assert_eq!(press(&sb, &reference, "pay-cash").await, 303);
    let done =
        json!({"status": "success", "method": "epaycash", "sum": {"amount": 500000, "currency": "MYR"}, "code": "0", "message": "Success"});
    assert_eq!(status_of(&sb, &session).await, done);
    let (_, html) = terminal(&sb, &reference).await;
    assert!(html.contains("Paid in cash") && !html.contains("id=\"pay-cash\""), "{html}");

    let list = received(&sb, 250, &payment_id(&params), 1).await;
    assert_eq!(list.len(), 1, "{list:?}");
    assert_eq!(list[0]["valid"], true);
    let cb = verify_callback(&list[0]["body"].to_string(), SECRET_250).expect("signed with the project secret");
    assert_eq!(cb.payment.status, PaymentStatus::Success);
    let doc = &list[0]["body"];
    assert_eq!(keys(doc), ["project_id", "payment", "customer", "operation", "signature"]);
    assert_eq!(keys(&doc["payment"]), ["id", "type", "status", "date", "method", "sum", "description"]);
    // Seed 002, "Формат оповещений" (Payment Page and Gate, all four examples): EPay's
    // operation block ends `provider, code, message`, and its `request_id` is plain hex
    // (`bfe58066b0f4331c`), not card-partner's `<hex>-00000001`.
    assert_eq!(
        keys(&doc["operation"]),
        ["id", "type", "status", "date", "created_date", "request_id", "sum_initial", "sum_converted", "provider", "code", "message"]
    );
    assert_eq!(keys(&doc["operation"]["provider"]), ["id", "payment_id", "date", "auth_code"]);
    assert!(is_plain_hex(&doc["operation"]["request_id"]), "{}", doc["operation"]["request_id"]);
    assert_eq!(doc["project_id"], 250);
    assert_eq!(doc["payment"]["id"], payment_id(&params).as_str());
    assert_eq!(doc["payment"]["type"], "purchase");
    assert_eq!(doc["payment"]["method"], "ePayViaEGHL");
    assert_eq!(doc["payment"]["sum"], json!({"amount": 500000, "currency": "MYR"}));
    assert_eq!(doc["payment"]["description"], "123");
    assert_eq!(doc["customer"], json!({"phone": "60321669552"}));
    let op = &doc["operation"];
    assert_eq!((op["type"].as_str(), op["status"].as_str()), (Some("sale"), Some("success")));
    assert_eq!((op["code"].as_str(), op["message"].as_str()), (Some("0"), Some("Success")));
    assert_eq!(op["sum_initial"], op["sum_converted"]);
    assert_eq!(op["provider"]["id"], 1353);
    assert_eq!(op["provider"]["auth_code"], "");
    assert_eq!(op["provider"]["payment_id"], reference.replace('-', "").as_str());
    for date in [&doc["payment"]["date"], &op["date"], &op["created_date"], &op["provider"]["date"]] {
        let d = date.as_str().unwrap();
        assert!(d.len() == 24 && d.ends_with("+0000") && d.as_bytes()[10] == b'T', "{d}");
    }

    // Pressing again (a stale page), or expiring afterwards, changes nothing and sends nothing more.
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    for path in ["/sim/epay/pay", "/sim/epay/expire"] {
        let r = client.post(sb.url(path)).form(&[("reference", reference.as_str()), ("sig", sig.as_str())]).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 303);
    }
    assert_eq!(status_of(&sb, &session).await, done);
    // A form without the terminal's sig is refused.
    let r = client.post(sb.url("/sim/epay/pay")).form(&[("reference", reference.as_str()), ("sig", "00")]).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 400, "a forged form is refused");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(sb.merchant_callbacks(&payment_id(&params)).await.len(), 1);
    let (_, order) = sb.get_json(&format!("/merchant/orders/{}", payment_id(&params))).await;
    assert_eq!(order["status"], "success");
    sb.stop().await;
}

#[tokio::test]
async fn the_expire_knob_ends_the_payment_as_expired_with_one_callback() {
    let sb = Sandbox::start().await;
    let (params, session, view) = epay_payment(&sb).await;
    let reference = reference_of(&view);
    let (_, html) = terminal(&sb, &reference).await;
    let sig = hidden(&html, "pay-cash", "sig");
    assert_eq!(press(&sb, &reference, "expire").await, 303);
    let expired = json!({"status": "expired", "method": "epaycash", "sum": {"amount": 500000, "currency": "MYR"},
        "code": "20000", "message": "Payment code expired"});
    assert_eq!(status_of(&sb, &session).await, expired);
    let (status, html) = terminal(&sb, &reference).await;
    assert_eq!(status, 200);
    assert!(html.contains("expired and cannot be paid") && !html.contains("id=\"pay-cash\""), "{html}");

    // Paying it anyway (a stale page) does not pay it.
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let r = client.post(sb.url("/sim/epay/pay")).form(&[("reference", reference.as_str()), ("sig", sig.as_str())]).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(status_of(&sb, &session).await, expired);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let list = received(&sb, 250, &payment_id(&params), 1).await;
    assert_eq!(list.len(), 1);
    let doc = &list[0]["body"];
    assert!(verify_callback(&doc.to_string(), SECRET_250).is_ok());
    assert_eq!(doc["payment"]["status"], "decline", "the merchant is told success or decline; the operation says why");
    assert_eq!(doc["payment"]["method"], "ePayViaEGHL");
    assert_eq!(doc["operation"]["status"], "decline");
    assert_eq!(doc["operation"]["code"], "20000");
    assert_eq!(doc["operation"]["message"], "Payment code expired");
    assert_eq!(doc["operation"]["provider"]["id"], 1353);
    sb.stop().await;
}

#[tokio::test]
async fn the_decline_knob_sends_the_seeds_decline_callback() {
    let sb = Sandbox::start().await;
    let (params, session, view) = epay_payment(&sb).await;
    let reference = reference_of(&view);
    assert_eq!(press(&sb, &reference, "decline").await, 303);
    assert_eq!(status_of(&sb, &session).await["status"], "decline");
    assert_eq!(status_of(&sb, &session).await["message"], "General decline");
    let list = received(&sb, 250, &payment_id(&params), 1).await;
    let doc = &list[0]["body"];
    assert!(verify_callback(&doc.to_string(), SECRET_250).is_ok());
    // Seed 002, "Пример оповещения об отказе в проведении оплаты".
    assert_eq!((doc["payment"]["status"].as_str(), doc["payment"]["method"].as_str()), (Some("decline"), Some("ePayViaEGHL")));
    let op = &doc["operation"];
    assert_eq!((op["type"].as_str(), op["status"].as_str()), (Some("sale"), Some("decline")));
    assert_eq!((op["code"].as_str(), op["message"].as_str()), (Some("20000"), Some("General decline")));
    assert_eq!(op["provider"]["id"], 1353);
    // Final: the code cannot be paid any more.
    let (_, html) = terminal(&sb, &reference).await;
    assert!(html.contains("cannot be paid") && !html.contains("id=\"pay-cash\""), "{html}");
    sb.stop().await;
}

#[tokio::test]
async fn codes_expire_by_themselves_and_cannot_be_paid_after() {
    let mut config = fast_config(":memory:");
    config.epay_ttl = Duration::from_secs(2);
    let sb = Sandbox::start_with(config).await;
    let (params, session, view) = epay_payment(&sb).await;
    let reference = reference_of(&view);
    // Take the terminal's form while the code is still valid...
    let (_, html) = terminal(&sb, &reference).await;
    let sig = hidden(&html, "pay-cash", "sig");
    // ...the sweep expires it without anyone looking...
    let list = received(&sb, 250, &payment_id(&params), 1).await;
    assert_eq!(list[0]["body"]["payment"]["status"], "decline");
    assert_eq!(list[0]["body"]["operation"]["message"], "Payment code expired");
    assert_eq!(status_of(&sb, &session).await["status"], "expired", "the widget is told it expired");
    // ...and the cashier's late press does not pay it.
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let r = client.post(sb.url("/sim/epay/pay")).form(&[("reference", reference.as_str()), ("sig", sig.as_str())]).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(status_of(&sb, &session).await["status"], "expired");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(sb.merchant_callbacks(&payment_id(&params)).await.len(), 1, "exactly one callback");
    sb.stop().await;
}

#[tokio::test]
async fn terminal_pages_escape_what_they_show_and_refuse_bad_input() {
    let sb = Sandbox::start().await;
    let params =
        epay_order(&sb, &[("customer_first_name", "<img src=x onerror=alert(1)>"), ("customer_last_name", "O'Neil & \"Co\"")]).await;
    let session = sb.session(&params).await;
    let (status, view) = sb.pay(&session, "epaycash", json!({"email": "putra@mail.com", "phone": "60321669552"})).await;
    assert_eq!(status, 200, "{view}");
    assert_eq!(view["action"]["redirect_data"]["body"]["user_name"], "<IMG SRC=X ONERROR=ALERT(1)> O'NEIL & \"CO\"");
    let (_, html) = terminal(&sb, &reference_of(&view)).await;
    assert!(html.contains("&lt;IMG SRC=X ONERROR=ALERT(1)&gt; O&#39;NEIL &amp; &quot;CO&quot;"), "{html}");
    assert!(!html.contains("<IMG"));

    let (status, html) = terminal(&sb, "12<b>3").await;
    assert_eq!(status, 400);
    assert!(html.contains("nine digits") && html.contains("12&lt;b&gt;3"), "{html}");
    let (status, html) = terminal(&sb, "000-000-000").await;
    assert!(status == 404 && html.contains("No payment code 000-000-000"), "{html}");
    let (status, html) = {
        let r = sb.http.get(sb.url("/sim/epay")).send().await.unwrap();
        (r.status().as_u16(), r.text().await.unwrap())
    };
    assert_eq!(status, 200);
    assert!(html.contains("id=\"reference\"") && html.contains("id=\"find\""));
    // The code's redirect_data followed as a GET link opens the code too.
    let rd = &view["action"]["redirect_data"];
    let query: Vec<(String, String)> =
        rd["body"].as_object().unwrap().iter().map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string())).collect();
    let r = sb.http.get(rd["url"].as_str().unwrap()).query(&query).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert!(r.text().await.unwrap().contains("id=\"pay-cash\""));
    sb.stop().await;
}

// ---------------------------------------------------------------------------------------
// Gate
// ---------------------------------------------------------------------------------------

fn gate_body(payment_id: &str) -> Value {
    let general = GeneralIds { project_id: 250, payment_id: payment_id.into() };
    let customer = GateCustomer::new("123", "172.10.123.11").with_name("Petra", "Davis").with_phone("640991025894").with_email("d@df.com");
    let payment = GatePayment::new(MinorUnits(50000), "MYR").with_description("payment cash");
    epay_sale(&general, &customer, &payment, SECRET_250).expect("a valid sale")
}

#[tokio::test]
async fn gate_sale_is_accepted_then_calls_back_with_the_code_then_with_the_result() {
    let sb = Sandbox::start().await;
    let (status, answer) = sb.post_json(EPAY_SALE_PATH, &gate_body("EP5fb7-bdg6")).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(keys(&answer), ["project_id", "payment_id", "status", "request_id"]);
    assert_eq!(
        (answer["project_id"].as_u64(), answer["payment_id"].as_str(), answer["status"].as_str()),
        (Some(250), Some("EP5fb7-bdg6"), Some("success"))
    );

    let list = received(&sb, 250, "EP5fb7-bdg6", 1).await;
    let first = &list[0]["body"];
    assert_eq!(list[0]["valid"], true);
    let cb = verify_callback(&first.to_string(), SECRET_250).unwrap();
    assert_eq!(cb.payment.status, PaymentStatus::AwaitingCustomer);
    assert_eq!(keys(first), ["project_id", "payment", "customer", "operation", "redirect_data", "signature"]);
    assert_eq!(first["payment"]["status"], "awaiting customer");
    assert_eq!(first["payment"]["method"], "ePayViaEGHL");
    assert_eq!(first["payment"]["description"], "payment cash");
    assert_eq!(first["operation"]["status"], "awaiting customer");
    assert_eq!(first["operation"]["request_id"], answer["request_id"]);
    // Seed 002: plain hex request ids; the Gate code callback's operation ends
    // `provider, code, message` as the seed's result callbacks do ("Формат оповещений").
    assert!(is_plain_hex(&answer["request_id"]), "{}", answer["request_id"]);
    assert_eq!(
        keys(&first["operation"]),
        ["id", "type", "status", "date", "created_date", "request_id", "sum_initial", "sum_converted", "provider", "code", "message"]
    );
    assert_eq!(first["customer"], json!({"phone": "640991025894"}));
    let rd = &first["redirect_data"];
    // Seed 002, "Формат данных для передачи пользователям": `{body, method, url}`.
    assert_eq!(keys(rd), ["body", "method", "url"]);
    assert_eq!(rd["method"], "GET");
    assert_eq!(rd["url"], sb.url("/sim/epay").as_str());
    assert_eq!(keys(&rd["body"]), ["reference_number", "valid_time", "user_name"]);
    assert_eq!(rd["body"]["user_name"], "PETRA DAVIS");
    let reference = rd["body"]["reference_number"].as_str().unwrap().to_string();
    assert!(is_reference(&reference));
    assert!(parse_valid_time(rd["body"]["valid_time"].as_str().unwrap()).is_some());

    // Payable at the same terminal.
    let (_, html) = terminal(&sb, &reference).await;
    assert!(html.contains("PETRA DAVIS") && html.contains("500.00 MYR"), "{html}");
    assert_eq!(press(&sb, &reference, "pay-cash").await, 303);
    let list = received(&sb, 250, "EP5fb7-bdg6", 2).await;
    assert_eq!(list.len(), 2);
    let result = &list[1]["body"];
    assert!(verify_callback(&result.to_string(), SECRET_250).is_ok());
    assert_eq!(keys(result), ["project_id", "payment", "customer", "operation", "signature"]);
    assert_eq!(result["payment"]["status"], "success");
    assert_eq!(result["operation"]["status"], "success");
    assert_eq!(result["operation"]["code"], "0");
    assert_eq!(result["operation"]["id"], first["operation"]["id"]);
    assert_eq!(result["operation"]["provider"]["id"], 1353);
    // The Gate status answer lists the operation in the callbacks' shape: seed 002's order.
    let (status, st) = sb
        .post_json(
            PAYMENT_STATUS_PATH,
            &payment_status_request(&GeneralIds { project_id: 250, payment_id: "EP5fb7-bdg6".into() }, SECRET_250).unwrap(),
        )
        .await;
    assert_eq!(status, 200, "{st}");
    assert_eq!(keys(&st["operations"][0]), keys(&result["operation"]));

    // The payment_id is used now.
    let (status, body) = sb.post_json(EPAY_SALE_PATH, &gate_body("EP5fb7-bdg6")).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(
        (body["status"].as_str(), body["code"].as_str(), body["param"].as_str()),
        (Some("error"), Some("duplicate_payment"), Some("general.payment_id"))
    );
    sb.stop().await;
}

#[tokio::test]
async fn gate_expiry_sends_a_decline_saying_the_code_expired() {
    let sb = Sandbox::start().await;
    let (status, _) = sb.post_json(EPAY_SALE_PATH, &gate_body("EP-exp")).await;
    assert_eq!(status, 200);
    let list = received(&sb, 250, "EP-exp", 1).await;
    let reference = list[0]["body"]["redirect_data"]["body"]["reference_number"].as_str().unwrap().to_string();
    assert_eq!(press(&sb, &reference, "expire").await, 303);
    let list = received(&sb, 250, "EP-exp", 2).await;
    assert_eq!(list[1]["body"]["payment"]["status"], "decline");
    assert_eq!(list[1]["body"]["operation"]["status"], "decline");
    assert_eq!(list[1]["body"]["operation"]["code"], "20000");
    assert_eq!(list[1]["body"]["operation"]["message"], "Payment code expired");
    sb.stop().await;
}

#[tokio::test]
async fn gate_refuses_bad_signatures_and_parameters_by_name() {
    let sb = Sandbox::start().await;
    // Signed with another secret.
    let mut body = gate_body("EP-sig");
    body["general"].as_object_mut().unwrap().remove("signature");
    let forged = with_signature(body.clone(), "not-the-secret");
    let (status, answer) = sb.post_json(EPAY_SALE_PATH, &forged).await;
    assert_eq!(status, 403, "{answer}");
    assert_eq!((answer["code"].as_str(), answer["param"].as_str()), (Some("bad_signature"), Some("general.signature")));
    // Tampered after signing.
    let mut tampered = gate_body("EP-sig");
    tampered["payment"]["amount"] = json!(1);
    let (status, answer) = sb.post_json(EPAY_SALE_PATH, &tampered).await;
    assert_eq!((status, answer["param"].as_str()), (403, Some("general.signature")));
    // Signed, but without customer.first_name.
    let mut no_name = body.clone();
    no_name["customer"].as_object_mut().unwrap().remove("first_name");
    let (status, answer) = sb.post_json(EPAY_SALE_PATH, &with_signature(no_name, SECRET_250)).await;
    assert_eq!(status, 400, "{answer}");
    assert_eq!((answer["code"].as_str(), answer["param"].as_str()), (Some("invalid_params"), Some("customer.first_name")));
    assert!(answer["message"].as_str().unwrap().starts_with("customer.first_name:"));
    // Not MYR.
    let mut kes = body.clone();
    kes["payment"]["currency"] = json!("KES");
    let (status, answer) = sb.post_json(EPAY_SALE_PATH, &with_signature(kes, SECRET_250)).await;
    assert_eq!((status, answer["param"].as_str()), (400, Some("payment.currency")));
    // Unknown project.
    let mut other = body.clone();
    other["general"]["project_id"] = json!(999);
    let (status, answer) = sb.post_json(EPAY_SALE_PATH, &with_signature(other, SECRET_250)).await;
    assert_eq!((status, answer["code"].as_str()), (403, Some("unknown_project")));
    // Not JSON.
    let r = sb.http.post(sb.url(EPAY_SALE_PATH)).body("{").header("content-type", "application/json").send().await.unwrap();
    assert_eq!(r.status().as_u16(), 400);
    // Nothing was created, nothing is sent.
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(sb.running.deliveries(250, "EP-sig").unwrap().is_empty());
    sb.stop().await;
}

#[tokio::test]
async fn the_demo_shop_runs_an_epay_gate_sale_from_its_server() {
    let sb = Sandbox::start().await;
    let order = json!({"amount": 12345, "customer_first_name": "Putra", "customer_last_name": "Cane",
        "customer_email": "putra@mail.com", "customer_phone": "60321669552"});
    let (status, created) = sb.post_json("/merchant/gate/epay", &order).await;
    assert_eq!(status, 201, "{created}");
    let payment_id = created["payment_id"].as_str().unwrap().to_string();
    assert_eq!(created["gate"]["status"], "success");
    let got = eventually(10, "the code callback at the shop", || async {
        let (_, o) = sb.get_json(&format!("/merchant/orders/{payment_id}")).await;
        o["callbacks"].as_array().and_then(|c| c.first()).map(|c| c["body"]["redirect_data"].clone())
    })
    .await;
    assert_eq!(got["body"]["user_name"], "PUTRA CANE");
    let (_, o) = sb.get_json(&format!("/merchant/orders/{payment_id}")).await;
    assert_eq!(o["status"], "awaiting customer");
    // The order keeps the signed Gate request: the signature checks out.
    assert!(epay_core::signature::verify(&o["params"], SECRET_250).is_ok());

    // A missing field is refused by the shop's own builder, naming the Gate parameter.
    let (status, body) = sb.post_json("/merchant/gate/epay", &json!({"amount": 100, "customer_first_name": "Putra"})).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"]["param"], "customer.last_name");
    sb.stop().await;
}

/// Seed 002: `customer_first_name`, `customer_last_name`, `customer_email` and
/// `customer_phone` must be sent when opening the Payment Page for EPay. The widget still
/// asks the customer for what is missing, but the open answer warns the merchant, naming
/// the missing parameters (issue 12 item 6); with all four signed, no warning.
#[tokio::test]
async fn opening_epay_without_the_seeds_customer_fields_warns_the_merchant() {
    let sb = Sandbox::start().await;
    let params = epay_order(&sb, &PUTRA[..1]).await;
    let (status, open) = sb.open(&params).await;
    assert_eq!(status, 200, "{open}");
    let warnings = open["warnings"].as_array().unwrap_or_else(|| panic!("no warnings in {open}"));
    assert_eq!(warnings.len(), 1, "{open}");
    let w = &warnings[0];
    assert_eq!(w["code"], "epaycash_customer_fields");
    assert_eq!(w["params"], json!(["customer_last_name", "customer_email", "customer_phone"]));
    let message = w["message"].as_str().unwrap();
    assert!(message.contains("signed") && message.contains("customer_last_name, customer_email, customer_phone"), "{message}");
    // The widget still asks for them.
    let epay = open["methods"].as_array().unwrap().iter().find(|m| m["code"] == "epaycash").unwrap();
    assert_eq!(epay["fields"], json!(["last_name", "email", "phone"]));

    let full = epay_order(&sb, &PUTRA).await;
    let (status, open) = sb.open(&full).await;
    assert_eq!(status, 200, "{open}");
    assert!(open.get("warnings").is_none(), "{open}");
    // A payment EPay cannot take (KES) is not warned about.
    let kes = sb.order(json!({"amount": 10000, "currency": "KES"})).await;
    let (_, open) = sb.open(&kes).await;
    assert!(open.get("warnings").is_none(), "{open}");
    sb.stop().await;
}
