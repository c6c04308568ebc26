//! Resending a delivered callback, as a platform's developer tools offer: the list of every
//! project's callbacks (`/sandbox/callbacks`, HTML with a Resend form per delivered
//! callback, and `.json`), the resend endpoint, and `epay callbacks list|resend`.

mod common;

use common::{eventually, Sandbox};
use std::process::{Command, Output};

/// A Payment Page card payment approved at the partner, its callback delivered to the
/// demo shop: (payment id, callback id).
async fn delivered_payment(sb: &Sandbox) -> (String, i64) {
    let (params, _, view) = sb.card_payment().await;
    let (_, html) = sb.partner_page(&view["action"]["redirect_data"]).await;
    assert_eq!(sb.press(&html, "approve").await.status().as_u16(), 303);
    let payment_id = params["payment_id"].as_str().unwrap().to_string();
    let id = eventually(10, "delivery", || async {
        let d = sb.running.deliveries(250, &payment_id).unwrap();
        d.first().filter(|x| x.delivered).map(|x| x.id)
    })
    .await;
    (payment_id, id)
}

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

#[tokio::test]
async fn a_delivered_callback_is_resent_byte_for_byte_from_the_page() {
    let sb = Sandbox::start().await;
    let (payment_id, id) = delivered_payment(&sb).await;

    // The page lists it, delivered, with a Resend form and no script or inline style.
    let r = sb.http.get(sb.url("/sandbox/callbacks")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let csp = r.headers()["content-security-policy"].to_str().unwrap().to_string();
    assert!(csp.contains("default-src 'none'") && csp.contains("form-action 'self'"), "{csp}");
    let html = r.text().await.unwrap();
    assert!(html.contains(&payment_id) && html.contains("delivered"), "{html}");
    let form = format!("<form method=\"post\" action=\"/sandbox/callbacks/{id}/resend\">");
    assert!(html.contains(&form), "{html}");
    assert!(!html.contains("<script") && !html.contains("style=") && !html.contains("<style"), "{html}");

    // A same-origin form POST (what the browser sends): 303 back to the list.
    let origin = sb.running.base_url().to_string();
    let r = no_redirects()
        .post(sb.url(&format!("/sandbox/callbacks/{id}/resend")))
        .header("Origin", &origin)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body("")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let location = r.headers()["location"].to_str().unwrap().to_string();
    assert!(location.starts_with("/sandbox/callbacks?resent="), "{location}");

    // The shop receives the identical body again (it dedupes on the ids: duplicate).
    let d = eventually(10, "the resent callback's delivery", || async {
        let d = sb.running.deliveries(250, &payment_id).unwrap();
        (d.len() == 2 && d[1].delivered).then_some(d)
    })
    .await;
    assert_eq!(d[0].id, id);
    let (_, list) = sb.get_json("/sandbox/callbacks.json").await;
    let rows = list.as_array().unwrap();
    let original = rows.iter().find(|r| r["id"] == id).unwrap();
    let resent = rows.iter().find(|r| r["id"] == d[1].id).unwrap();
    assert_eq!(resent["body"], original["body"], "same signature, same ids");
    assert_eq!(resent["resend_of"], id);
    assert_eq!(resent["delivered"], true);
    assert_eq!(resent["url"], original["url"]);
    assert_eq!(original["payment_status"], "success");
    let shop = sb.merchant_callbacks(&payment_id).await;
    assert_eq!(shop.len(), 1, "the shop stored it once: {shop:?}");

    // The page after the redirect says so.
    let html = sb.http.get(sb.url(&location)).send().await.unwrap().text().await.unwrap();
    assert!(html.contains(&format!("resend of #{id}")), "{html}");
    sb.stop().await;
}

#[tokio::test]
async fn resend_refuses_unknown_pending_and_cross_origin_requests() {
    let sb = Sandbox::start().await;
    let (_, id) = delivered_payment(&sb).await;
    let post = |path: String, origin: Option<&'static str>| {
        let mut r = no_redirects().post(sb.url(&path)).header("Accept", "application/json");
        if let Some(o) = origin {
            r = r.header("Origin", o);
        }
        r.send()
    };
    let r = post("/sandbox/callbacks/999999/resend".into(), None).await.unwrap();
    assert_eq!(r.status(), 404);
    let r = post(format!("/sandbox/callbacks/{id}/resend"), Some("http://127.0.0.1:9999")).await.unwrap();
    assert_eq!(r.status(), 403, "a page of another origin cannot resend");

    // A callback the merchant has not taken yet is still the outbox's: 409.
    let (_, _) = sb.post_json("/merchant/test/fail-callbacks", &serde_json::json!({"count": 1000})).await;
    let (params, _, view) = sb.card_payment().await;
    let (_, html) = sb.partner_page(&view["action"]["redirect_data"]).await;
    sb.press(&html, "approve").await;
    let payment_id = params["payment_id"].as_str().unwrap().to_string();
    let pending = eventually(10, "a failed attempt", || async {
        let d = sb.running.deliveries(250, &payment_id).unwrap();
        d.first().filter(|x| x.attempts > 0).map(|x| x.id)
    })
    .await;
    let r = post(format!("/sandbox/callbacks/{pending}/resend"), None).await.unwrap();
    assert_eq!(r.status(), 409);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "not_delivered", "{body}");
    let html = sb.http.get(sb.url("/sandbox/callbacks")).send().await.unwrap().text().await.unwrap();
    assert!(!html.contains(&format!("/sandbox/callbacks/{pending}/resend")), "no Resend for a pending callback");
    assert!(html.contains("pending"), "{html}");

    // JSON clients get 201 with the new id.
    let r = post(format!("/sandbox/callbacks/{id}/resend"), None).await.unwrap();
    assert_eq!(r.status(), 201);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["resend_of"], id);
    assert!(body["id"].as_i64().unwrap() > id);
    sb.stop().await;
}

fn epay(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_epay")).args(args).output().expect("epay runs")
}

#[tokio::test]
async fn the_cli_lists_and_resends_through_the_running_sandbox() {
    let sb = Sandbox::start().await;
    let (payment_id, id) = delivered_payment(&sb).await;
    let url = sb.running.base_url().to_string();

    let out = tokio::task::spawn_blocking({
        let url = url.clone();
        move || epay(&["callbacks", "list", "--url", &url])
    })
    .await
    .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let line = text.lines().find(|l| l.contains(&payment_id)).unwrap_or_else(|| panic!("{text}"));
    assert!(line.starts_with(&id.to_string()) && line.contains("delivered") && line.contains("sale success"), "{line}");

    let out = tokio::task::spawn_blocking({
        let url = url.clone();
        move || epay(&["callbacks", "resend", &id.to_string(), "--url", &url])
    })
    .await
    .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(text.starts_with(&format!("callback {id} queued again as callback ")), "{text}");
    eventually(10, "the resent callback's delivery", || async {
        let d = sb.running.deliveries(250, &payment_id).unwrap();
        (d.len() == 2 && d[1].delivered).then_some(())
    })
    .await;

    let out = tokio::task::spawn_blocking({
        let url = url.clone();
        move || epay(&["callbacks", "resend", "999999", "--url", &url])
    })
    .await
    .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no callback 999999"));
    sb.stop().await;

    // Nobody listening: it says where it looked.
    let out = tokio::task::spawn_blocking(move || epay(&["callbacks", "list", "--url", &url])).await.unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot reach the sandbox"), "{}", String::from_utf8_lossy(&out.stderr));
}
