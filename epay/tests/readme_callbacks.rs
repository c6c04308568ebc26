//! The README's "Receive and verify callbacks" example: its Rust block appears verbatim
//! below between `// README-BEGIN callbacks` and `// README-END callbacks`, and runs here
//! as the endpoint of a merchant that receives a real sandbox callback twice (at-least-once
//! delivery) and acts on it once.

mod common;

use common::*;
use std::sync::{Arc, Mutex};

fn readme_rust_block() -> String {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md")).expect("README.md");
    let start = text.find("### 2. Receive and verify callbacks").expect("the README has the section");
    let section = &text[start..];
    let section = &section[..section[4..].find("\n### ").map_or(section.len(), |e| e + 4)];
    let code = section.find("```rust\n").expect("a Rust block") + "```rust\n".len();
    section[code..code + section[code..].find("```").unwrap()].to_string()
}

/// The code between this file's README markers, one level (4 spaces) less indented.
fn marked() -> String {
    let me = include_str!("readme_callbacks.rs");
    let begin = concat!("// README-BEGIN ", "callbacks\n");
    let start = me.find(begin).expect("begin marker") + begin.len();
    let end = start + me[start..].find(concat!("// README-END ", "callbacks")).expect("end marker");
    let text: String = me[start..end].lines().map(|l| l.strip_prefix("    ").unwrap_or(l)).map(|l| format!("{}\n", l.trim_end())).collect();
    format!("{}\n", text.trim_end())
}

#[test]
fn the_readme_callback_example_is_the_tested_one() {
    assert_eq!(readme_rust_block(), marked(), "the README's callback example differs from the tested one");
}

mod readme {
    // README-BEGIN callbacks
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
    // README-END callbacks

    pub fn run(body: &str, secret: &str, handled: &mut HashSet<CallbackKey>) -> u16 {
        on_callback(body, secret, handled)
    }
}

#[tokio::test]
async fn a_callback_delivered_twice_is_acted_on_once() {
    // The merchant's endpoint runs the README's function; the first time its answer is
    // "lost" (500 after acting), so the platform delivers the same callback again.
    #[derive(Default)]
    struct Shop {
        handled: std::collections::HashSet<epay_core::callback::CallbackKey>,
        answers: Vec<u16>,
    }
    let shop = Arc::new(Mutex::new(Shop::default()));
    let s2 = shop.clone();
    let app = axum::Router::new().route(
        "/callback",
        axum::routing::post(move |body: String| {
            let shop = s2.clone();
            async move {
                let mut shop = shop.lock().unwrap();
                let shop = &mut *shop;
                let status = readme::run(&body, SECRET_250, &mut shop.handled);
                shop.answers.push(status);
                let lost = shop.answers.len() == 1;
                axum::http::StatusCode::from_u16(if lost { 500 } else { status }).unwrap()
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.ok() });

    let sb = Sandbox::start().await;
    sb.running.store().with(|c| c.execute("UPDATE projects SET callback_url = ?1 WHERE id = 250", [format!("{base}/callback")])).unwrap();
    let (params, _, view) = sb.card_payment().await;
    let (_, html) = sb.partner_page(&view["action"]["redirect_data"]).await;
    assert_eq!(sb.press(&html, "approve").await.status().as_u16(), 303);
    let payment_id = params["payment_id"].as_str().unwrap().to_string();
    eventually(10, "the callback, delivered", || {
        let d = sb.running.deliveries(250, &payment_id).unwrap();
        async move { d.first().filter(|d| d.delivered).map(|d| d.attempts) }
    })
    .await;
    let shop = shop.lock().unwrap();
    assert_eq!(shop.answers, vec![200, 200], "two deliveries, both verified");
    assert_eq!(shop.handled.len(), 1, "acted on once");
    // And an unsigned copy is refused.
    let mut handled = Default::default();
    assert_eq!(readme::run(r#"{"project_id":250}"#, SECRET_250, &mut handled), 400);
    sb.stop().await;
}
