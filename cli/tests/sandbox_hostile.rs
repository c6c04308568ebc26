//! Issue 13 (hostile input): cross-site writes and foreign Host names, connection and
//! session limits, callback delivery that one slow merchant cannot hold up.

mod common;

use common::*;
use epay_cli::sandbox::server::limits::Limits;
use epay_cli::sandbox::Config;
use epay_core::protocol::{OPEN_PATH, STATUS_PATH};
use serde_json::json;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

async fn post_from(sb: &Sandbox, path: &str, origin: &str, body: &str) -> (u16, String) {
    let r = sb
        .http
        .post(sb.url(path))
        .header("origin", origin)
        .header("content-type", "text/plain")
        .body(body.to_string())
        .send()
        .await
        .expect("request");
    (r.status().as_u16(), r.text().await.unwrap_or_default())
}

#[tokio::test]
async fn cross_site_writes_to_the_shop_and_the_simulators_are_refused() {
    let sb = Sandbox::start().await;
    for origin in ["http://evil.example", "http://127.0.0.1:9001", "null"] {
        for path in ["/merchant/test/fail-callbacks", "/merchant/orders", "/sim/partner/refund-decline", "/sim/epay/pay"] {
            let (status, text) = post_from(&sb, path, origin, r#"{"count": 5, "amount": 100, "currency": "KES"}"#).await;
            assert_eq!(status, 403, "{origin} -> {path}: {text}");
            assert!(text.contains("Origin"), "{text}");
        }
    }
    // Nothing changed: no order was made.
    let (_, orders) = sb.get_json("/merchant/gate/orders").await;
    assert_eq!(orders.as_array().map(Vec::len), Some(0), "{orders}");

    // The shop's own page (same origin) and servers and the CLI (no Origin) still write.
    let base = sb.running.base_url().to_string();
    let (status, text) = post_from(&sb, "/merchant/orders", &base, r#"{"amount": 10000, "currency": "KES"}"#).await;
    assert_eq!(status, 201, "{text}");
    let localhost_origin = base.replace("127.0.0.1", "localhost");
    let r = sb
        .http
        .post(sb.url("/merchant/orders").replace("127.0.0.1", "localhost"))
        .header("origin", &localhost_origin)
        .json(&json!({"amount": 10000, "currency": "KES"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 201, "same origin by the name localhost");
    let params = sb.order(json!({"amount": 10000, "currency": "KES"})).await;

    // The widget API is cross-origin by design: a merchant page on another port opens a checkout.
    let r = sb.http.post(sb.url(OPEN_PATH)).header("origin", "http://127.0.0.1:9001").json(&params).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert!(r.headers().get("access-control-allow-origin").is_some());
    // So is the partner page: the merchant's page submits redirect_data to it.
    let (_, _, view) = sb.card_payment().await;
    let rd = &view["action"]["redirect_data"];
    let form: Vec<(String, String)> =
        rd["body"].as_object().unwrap().iter().map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string())).collect();
    let r = sb.http.post(rd["url"].as_str().unwrap()).header("origin", "http://127.0.0.1:9001").form(&form).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200, "the partner page takes the merchant's cross-origin redirect");
    sb.stop().await;
}

async fn get_with_host(sb: &Sandbox, path: &str, host: &str) -> (u16, String) {
    let r = sb.http.get(sb.url(path)).header("host", host).send().await.expect("request");
    (r.status().as_u16(), r.text().await.unwrap_or_default())
}

#[tokio::test]
async fn only_loopback_and_allowed_host_names_are_answered() {
    let sb = Sandbox::start_with(Config { allow_hosts: vec!["devbox.test".into()], ..fast_config(":memory:") }).await;
    for host in ["rebind.evil.example", "rebind.evil.example:8787", "127.0.0.1.evil.example", "localhost.evil.example:80"] {
        for path in ["/healthz", "/merchant/gate/orders", &format!("{STATUS_PATH}?session=x")] {
            let (status, text) = get_with_host(&sb, path, host).await;
            assert!(status == 403 || status == 421, "Host {host} {path}: {status} {text}");
            assert!(text.contains("Host") && text.contains("--allow-host"), "{text}");
        }
    }
    for host in
        ["127.0.0.1", "127.0.0.1:8787", "localhost", "LOCALHOST:1", "[::1]:8787", "shop.localhost:8787", "devbox.test:8787", "DEVBOX.test"]
    {
        let (status, text) = get_with_host(&sb, "/healthz", host).await;
        assert_eq!((status, text.as_str()), (200, "ok"), "Host {host}");
    }
    sb.stop().await;
}

/// Opens `n` TCP connections that send nothing (or half a request).
async fn idle_connections(addr: std::net::SocketAddr, n: usize) -> Vec<tokio::net::TcpStream> {
    let mut conns = Vec::new();
    for i in 0..n {
        match tokio::time::timeout(Duration::from_secs(2), tokio::net::TcpStream::connect(addr)).await {
            Ok(Ok(mut c)) => {
                if i % 2 == 0 {
                    let _ = c.write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ").await;
                }
                conns.push(c);
            }
            _ => break,
        }
    }
    conns
}

#[tokio::test]
async fn idle_connections_are_closed_and_do_not_lock_others_out() {
    let limits = Limits { max_connections: 64, header_timeout: Duration::from_secs(1), request_timeout: Duration::from_secs(5) };
    let sb = Sandbox::start_with(Config { limits, ..fast_config(":memory:") }).await;
    let mut conns = idle_connections(sb.running.addr, 300).await;
    assert_eq!(conns.len(), 300);
    // More idle connections than the limit: the server still answers at once.
    let started = Instant::now();
    let r = tokio::time::timeout(Duration::from_secs(3), sb.http.get(sb.url("/healthz")).send()).await;
    assert!(matches!(&r, Ok(Ok(r)) if r.status() == 200), "healthz under 300 idle connections: {r:?}");
    assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
    // And every idle connection is closed by the server (evicted, or after the header timeout).
    let deadline = tokio::time::Instant::now() + Duration::from_secs(3);
    let mut closed = 0;
    for c in conns.iter_mut() {
        let mut buf = [0u8; 256];
        // EOF, or a 408 answer: closed by the server.
        if let Ok(Ok(_)) = tokio::time::timeout_at(deadline, c.read(&mut buf)).await {
            closed += 1;
        }
    }
    assert_eq!(closed, 300, "idle connections closed by the server");
    sb.stop().await;
}

#[tokio::test]
async fn a_stuck_request_body_times_out() {
    let limits = Limits { max_connections: 64, header_timeout: Duration::from_secs(5), request_timeout: Duration::from_secs(1) };
    let sb = Sandbox::start_with(Config { limits, ..fast_config(":memory:") }).await;
    let mut c = tokio::net::TcpStream::connect(sb.running.addr).await.unwrap();
    c.write_all(
        b"POST /merchant/orders HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"amo",
    )
    .await
    .unwrap();
    let mut answer = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(4), c.read_to_end(&mut answer)).await;
    assert!(read.is_ok(), "the server gave up on the body");
    let text = String::from_utf8_lossy(&answer);
    assert!(text.starts_with("HTTP/1.1 408"), "{text}");
    sb.stop().await;
}

#[tokio::test]
async fn unused_sessions_expire_and_are_deleted() {
    let sb = Sandbox::start_with(Config { session_ttl: Duration::from_secs(1), ..fast_config(":memory:") }).await;
    let params = sb.order(json!({"amount": 10000, "currency": "KES"})).await;
    let kept = sb.session(&params).await;
    let params2 = sb.order(json!({"amount": 10000, "currency": "KES"})).await;
    let dropped = sb.session(&params2).await;
    let count =
        |sb: &Sandbox| sb.running.store().with(|c| c.query_row("SELECT COUNT(*) FROM sessions", [], |r| r.get::<_, i64>(0))).unwrap();
    // The demo shop's server opened each order too (`opened`, for options.opened): 4 sessions.
    assert_eq!(count(&sb), 4);
    // A session in use stays; the unused ones go.
    for _ in 0..8 {
        tokio::time::sleep(Duration::from_millis(300)).await;
        let (status, _) = sb.get_json(&format!("{STATUS_PATH}?session={kept}")).await;
        assert_eq!(status, 200);
    }
    let (status, err) = sb.get_json(&format!("{STATUS_PATH}?session={dropped}")).await;
    assert_eq!((status, err["error"]["code"].as_str()), (404, Some("unknown_session")), "{err}");
    assert_eq!(count(&sb), 1, "the expired session row is deleted");
    sb.stop().await;
}

/// A merchant endpoint that records (path and body, arrival) and answers 200 after `delay`.
async fn merchant(delay: Duration, log: Arc<Mutex<Vec<(String, Instant)>>>) -> String {
    let app = axum::Router::new().fallback(move |uri: axum::http::Uri, body: String| {
        let log = log.clone();
        async move {
            log.lock().unwrap().push((format!("{} {body}", uri.path()), Instant::now()));
            tokio::time::sleep(delay).await;
            "ok"
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.ok() });
    base
}

#[tokio::test]
async fn a_slow_merchant_does_not_delay_another_projects_callbacks() {
    let log = Arc::new(Mutex::new(Vec::new()));
    let slow = merchant(Duration::from_secs(3), log.clone()).await;
    let fast = merchant(Duration::ZERO, log.clone()).await;
    let sb = Sandbox::start().await;
    sb.running
        .store()
        .with(|c| {
            c.execute("UPDATE projects SET callback_url = ?1 WHERE id = 250", [format!("{slow}/slow")])?;
            c.execute("UPDATE projects SET callback_url = ?1 WHERE id = 1234", [format!("{fast}/fast")])
        })
        .unwrap();
    // The slow merchant's callbacks first, then another project's, then a second one of a
    // slow payment (it must wait for the first: order is kept per payment).
    for i in 0..6 {
        enqueue(sb.running.store(), 250, &format!("slow-{i}"), &format!("slow-{i} first"));
    }
    enqueue(sb.running.store(), 1234, "fast-0", "fast-0");
    enqueue(sb.running.store(), 250, "slow-0", "slow-0 second");
    let started = Instant::now();
    sb.running.wake_outbox();
    let arrived = |what: &'static str| {
        let log = log.clone();
        async move { log.lock().unwrap().iter().find(|(b, _)| b.ends_with(what)).map(|(_, t)| *t) }
    };
    let fast_at = eventually(10, "the other project's callback", || arrived("fast-0")).await;
    assert!(fast_at - started < Duration::from_secs(1), "arrived after {:?}", fast_at - started);
    let first = eventually(15, "slow-0's first callback", || arrived("slow-0 first")).await;
    let second = eventually(15, "slow-0's second callback", || arrived("slow-0 second")).await;
    assert!(second - first >= Duration::from_secs(3), "the second waited for the first's answer");
    sb.stop().await;
}
