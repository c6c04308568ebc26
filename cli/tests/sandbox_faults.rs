//! The sandbox's fault suite (issue 13): a merchant that is down, slow, or answers garbage;
//! kill -9 of the real `epay` binary during delivery, many times; a full disk and a
//! read-only database. Callbacks are at-least-once: never lost, sometimes repeated, and a
//! merchant deduplicates them with `epay_core::callback::verify_new_callback`.

mod common;

use common::*;
use epay_cli::sandbox::platform::outbox::DeliveryLimits;
use epay_cli::sandbox::platform::store;
use epay_cli::sandbox::Config;
use epay_core::callback::{verify_new_callback, CallbackKey};
use epay_core::signature::with_signature;
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashSet};
use std::process::{Child, Command};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A signed callback of `project` for operation `op` of `payment`.
fn callback(project: u64, secret: &str, payment: &str, op: i64) -> String {
    let sum = json!({"amount": 100, "currency": "KES"});
    let doc = json!({
        "project_id": project,
        "payment": {"id": payment, "type": "purchase", "status": "success", "date": "d", "method": "card-partner", "sum": sum, "description": ""},
        "operation": {"id": op, "type": "sale", "status": "success", "date": "d", "created_date": "d", "request_id": format!("r{op}"),
                      "sum_initial": sum, "sum_converted": sum, "code": "0", "message": "Success",
                      "provider": {"id": 1, "payment_id": "p", "auth_code": ""}}
    });
    with_signature(doc, secret).to_string()
}

/// What a merchant's callback endpoint saw: every arrival, and the keys it acted on.
#[derive(Default)]
struct Received {
    arrivals: Vec<(String, i64)>,
    seen: HashSet<CallbackKey>,
    duplicates: usize,
}

/// A merchant endpoint (the README's way): verify, deduplicate, answer 200 after `delay_ms(n)`.
async fn merchant(secret: &'static str, delay_ms: fn(usize) -> u64, log: Arc<Mutex<Received>>) -> String {
    let app = axum::Router::new().fallback(move |body: String| {
        let log = log.clone();
        async move {
            let n = {
                let mut r = log.lock().unwrap();
                let r = &mut *r;
                match verify_new_callback(&body, secret, |k| r.seen.insert(k.clone())) {
                    Ok(Some(cb)) => r.arrivals.push((cb.payment.id.clone(), cb.operation.map(|o| o.id).unwrap_or(0))),
                    Ok(None) => r.duplicates += 1,
                    Err(e) => panic!("unsigned callback: {e}"),
                }
                r.arrivals.len() + r.duplicates
            };
            tokio::time::sleep(Duration::from_millis(delay_ms(n))).await;
            "ok"
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.ok() });
    base
}

fn set_callback_url(sb: &Sandbox, project: u64, url: &str) {
    sb.running
        .store()
        .with(|c| c.execute("UPDATE projects SET callback_url = ?2 WHERE id = ?1", rusqlite::params![project as i64, url]))
        .unwrap();
}

fn delivered(sb: &Sandbox, payment: &str) -> Vec<store::DeliveryState> {
    sb.running.deliveries(250, payment).unwrap()
}

fn quick_config() -> Config {
    Config { delivery: DeliveryLimits { timeout: Duration::from_millis(500), ..DeliveryLimits::default() }, ..fast_config(":memory:") }
}

#[tokio::test]
async fn a_merchant_that_is_down_slow_or_answers_garbage_gets_its_callback_when_it_recovers() {
    let sb = Sandbox::start_with(quick_config()).await;
    // Down: nothing listens on the port.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let down = format!("http://{}/cb", closed.local_addr().unwrap());
    drop(closed);
    // Slow: answers after 2 s, past the 500 ms delivery timeout.
    let slow_log = Arc::new(Mutex::new(Received::default()));
    let slow = merchant(SECRET_250, |_| 2000, slow_log.clone()).await;
    // Garbage: not HTTP at all.
    let garbage = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let garbage_url = format!("http://{}/cb", garbage.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((mut c, _)) = garbage.accept().await {
            let mut buf = [0u8; 4096];
            let _ = c.read(&mut buf).await;
            let _ = c.write_all(b"\x00\xffNOT HTTP\r\n\r\n{{{").await;
        }
    });
    let good_log = Arc::new(Mutex::new(Received::default()));
    let good = merchant(SECRET_250, |_| 0, good_log.clone()).await;

    for (name, url, expect) in [("down", down, "connect"), ("slow", format!("{slow}/cb"), "timed out"), ("garbage", garbage_url, "")] {
        set_callback_url(&sb, 250, &url);
        let payment = format!("fault-{name}");
        enqueue(sb.running.store(), 250, &payment, &callback(250, SECRET_250, &payment, 1));
        sb.running.wake_outbox();
        // At least two failed attempts, each with its reason recorded; not delivered.
        let state = eventually(10, &format!("two failed attempts ({name})"), || {
            let d = delivered(&sb, &payment);
            async move { d.first().filter(|d| d.attempts >= 2).cloned() }
        })
        .await;
        assert!(!state.delivered, "{name}: {state:?}");
        let error = state.last_error.clone().unwrap_or_default().to_lowercase();
        assert!(!error.is_empty() && error.contains(expect), "{name}: {error}");
        // The merchant recovers: the callback arrives, once acted on.
        set_callback_url(&sb, 250, &format!("{good}/cb"));
        eventually(10, &format!("delivery after recovery ({name})"), || {
            let d = delivered(&sb, &payment);
            async move { d.first().filter(|d| d.delivered).cloned() }
        })
        .await;
        assert!(good_log.lock().unwrap().arrivals.contains(&(payment.clone(), 1)), "{name}");
    }
    let slow_duplicates = slow_log.lock().unwrap().duplicates;
    assert!(slow_duplicates >= 1, "the slow merchant got the same callback again after each timeout, and knew it");
    sb.stop().await;
}

#[tokio::test]
async fn a_full_disk_or_a_read_only_database_is_a_clear_error_and_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("sandbox.sqlite").to_str().unwrap().to_string();
    let sb = Sandbox::start_with(Config { db, ..quick_config() }).await;
    let log = Arc::new(Mutex::new(Received::default()));
    let good = merchant(SECRET_250, |_| 0, log.clone()).await;
    set_callback_url(&sb, 250, &format!("{good}/cb"));
    // A big order (its signed params take several pages), so saving it needs room.
    let order = json!({"amount": 10000, "currency": "KES", "description": "x".repeat(60_000)});

    // Full disk: SQLite is told the file may not grow (max_page_count; root or not, a write
    // that needs a page fails with SQLITE_FULL, exactly as on a full disk).
    // Read-only: `PRAGMA query_only` (chmod does not stop root, which runs these tests).
    let faults: [(&str, &str, &str, &str); 2] = [
        ("full", "PRAGMA max_page_count = 1", "PRAGMA max_page_count = 1073741823", "full"),
        ("read-only", "PRAGMA query_only = 1", "PRAGMA query_only = 0", "read-only"),
    ];
    for (name, break_it, fix_it, says) in faults {
        // A callback waiting when the fault starts.
        let payment = format!("disk-{name}");
        set_callback_url(&sb, 250, "http://127.0.0.1:9/down");
        enqueue(sb.running.store(), 250, &payment, &callback(250, SECRET_250, &payment, 7));
        sb.running
            .store()
            .with(|c| {
                c.query_row(break_it, [], |_| Ok(())).or_else(|e| {
                    if matches!(e, rusqlite::Error::QueryReturnedNoRows) {
                        Ok(())
                    } else {
                        Err(e)
                    }
                })
            })
            .unwrap();
        set_callback_url_unchecked(&sb, &format!("{good}/cb"));
        sb.running.wake_outbox();

        // A write is refused with a clear error, and changes nothing.
        let r = sb.http.post(sb.url("/merchant/orders")).json(&order).send().await.unwrap();
        let status = r.status().as_u16();
        let body: Value = r.json().await.unwrap_or(Value::Null);
        assert_eq!(status, 503, "{name}: {body}");
        assert_eq!(body["error"]["code"], "storage_unavailable", "{body}");
        let message = body["error"]["message"].as_str().unwrap_or_default();
        assert!(message.contains(says) && message.contains("nothing was changed"), "{name}: {message}");
        // Reads still work.
        let (status, _) = sb.get_json("/merchant/gate/orders").await;
        assert_eq!(status, 200, "{name}: reads still work");

        // Back to normal: writes work, and the waiting callback is delivered.
        sb.running
            .store()
            .with(|c| {
                c.query_row(fix_it, [], |_| Ok(()))
                    .or_else(|e| if matches!(e, rusqlite::Error::QueryReturnedNoRows) { Ok(()) } else { Err(e) })
            })
            .unwrap();
        let (status, body) = sb.post_json("/merchant/orders", &order).await;
        assert_eq!(status, 201, "{name}: {body}");
        eventually(10, &format!("the waiting callback after the {name} fault"), || {
            let d = delivered(&sb, &payment);
            async move { d.first().filter(|d| d.delivered).cloned() }
        })
        .await;
        assert!(log.lock().unwrap().arrivals.contains(&(payment.clone(), 7)), "{name}: nothing lost");
    }
    sb.stop().await;
}

/// Points project 250 at `url` even while the database refuses writes (through a second
/// connection when the sandbox's own one is read-only or full).
fn set_callback_url_unchecked(sb: &Sandbox, url: &str) {
    if sb.running.store().with(|c| c.execute("UPDATE projects SET callback_url = ?1 WHERE id = 250", [url])).is_err() {
        let path = sb.running.store().with(|c| c.path().map(str::to_string).ok_or(rusqlite::Error::InvalidQuery)).unwrap();
        let other = rusqlite::Connection::open(path).unwrap();
        other.busy_timeout(Duration::from_secs(5)).unwrap();
        other.execute("UPDATE projects SET callback_url = ?1 WHERE id = 250", [url]).unwrap();
    }
}

fn start_binary(db: &str, callback_url: &str) -> (Child, String, tempfile::TempDir) {
    start_binary_with(&[], db, &["--paydala-callback-url", callback_url])
}

fn pending(db: &str) -> i64 {
    let c = rusqlite::Connection::open(db).unwrap();
    c.busy_timeout(Duration::from_secs(5)).unwrap();
    c.query_row("SELECT COUNT(*) FROM callbacks WHERE delivered_at IS NULL", [], |r| r.get(0)).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_during_delivery_many_times_loses_no_callback() {
    const PAYMENTS: usize = 80;
    const PER_PAYMENT: i64 = 3;
    const KILLS: usize = 15;
    let started = Instant::now();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("kill.sqlite").to_str().unwrap().to_string();
    let log = Arc::new(Mutex::new(Received::default()));
    // Answers after 0-60 ms, so kills land while deliveries are in flight.
    let url = merchant(SECRET_1234, |n| (n as u64 * 7919) % 61, log.clone()).await;
    {
        let store = store::Store::open(&db).unwrap();
        store.with(|c| store::ensure_project(c, 1234, "p", SECRET_1234, "http://127.0.0.1:9/")).unwrap();
        for p in 0..PAYMENTS {
            for op in 1..=PER_PAYMENT {
                let payment = format!("kill-{p}");
                enqueue(&store, 1234, &payment, &callback(1234, SECRET_1234, &payment, op));
            }
        }
    }
    let total = PAYMENTS as i64 * PER_PAYMENT;
    let mut kills = 0;
    let mut rng = 0x2545_f491_4f6c_dd1d_u64;
    let mut pending_at_kill = Vec::new();
    while kills < KILLS && pending(&db) > 0 {
        let (mut child, _, _site) = start_binary(&db, &format!("{url}/callback"));
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        tokio::time::sleep(Duration::from_millis(20 + rng % 150)).await;
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        kills += 1;
        pending_at_kill.push(pending(&db));
    }
    // A last run without a kill delivers the rest.
    let (mut child, _, _site) = start_binary(&db, &format!("{url}/callback"));
    let deadline = Instant::now() + Duration::from_secs(30);
    while pending(&db) > 0 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let _ = child.kill();
    let _ = child.wait();

    let r = log.lock().unwrap();
    let unique: HashSet<&(String, i64)> = r.arrivals.iter().collect();
    let lost = total - unique.len() as i64;
    eprintln!(
        "kill -9 test: {kills} kills (pending after each: {pending_at_kill:?}), {total} callbacks, {} deliveries, {} duplicates, {lost} lost, {:.1} s",
        r.arrivals.len() + r.duplicates,
        r.duplicates,
        started.elapsed().as_secs_f32()
    );
    assert_eq!(lost, 0, "no callback lost");
    assert_eq!(pending(&db), 0);
    assert_eq!(kills, KILLS);
    assert!(pending_at_kill.iter().any(|&p| p > 0 && p < total), "kills landed during delivery: {pending_at_kill:?}");
    // Order kept per payment: a payment's operations were first received 1, 2, 3.
    let mut by_payment: BTreeMap<&str, Vec<i64>> = BTreeMap::new();
    for (p, op) in &r.arrivals {
        by_payment.entry(p).or_default().push(*op);
    }
    for (p, ops) in by_payment {
        assert_eq!(ops, (1..=PER_PAYMENT).collect::<Vec<_>>(), "payment {p}");
    }
    assert!(started.elapsed() < Duration::from_secs(60));
}

#[test]
fn a_database_that_cannot_be_opened_is_a_clear_start_error() {
    let (_site, site) = site_dirs();
    let out = Command::new(env!("CARGO_BIN_EXE_epay"))
        .args(["sandbox", "--port", "0", "--db", "/nonexistent-dir/sandbox.sqlite"])
        .args(&site)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cannot open the sandbox database") && err.contains("/nonexistent-dir/sandbox.sqlite"), "{err}");
}

/// The slowloris: more idle connections than the process may open files. Before
/// the connection cap and timeouts the sandbox stopped answering anyone.
#[tokio::test]
async fn idle_connections_beyond_the_file_limit_do_not_lock_others_out() {
    let (mut child, url, _site) = start_binary_with(&["ulimit -n 128"], ":memory:", &[]);
    let addr: std::net::SocketAddr = url.strip_prefix("http://").unwrap().parse().unwrap();
    let mut idle = Vec::new();
    for _ in 0..300 {
        match tokio::time::timeout(Duration::from_secs(3), tokio::net::TcpStream::connect(addr)).await {
            Ok(Ok(c)) => idle.push(c),
            _ => break,
        }
    }
    let started = Instant::now();
    let healthz = async {
        let mut c = tokio::net::TcpStream::connect(addr).await?;
        c.write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").await?;
        let mut answer = String::new();
        c.read_to_string(&mut answer).await?;
        Ok::<_, std::io::Error>(answer)
    };
    let answer = tokio::time::timeout(Duration::from_secs(3), healthz).await;
    let elapsed = started.elapsed();
    let _ = child.kill();
    let _ = child.wait();
    // Well past the file limit (a loaded machine may refuse the odd connect meanwhile: the
    // listen backlog is full while the sandbox is closing the oldest ones).
    assert!(idle.len() >= 200, "the idle connections were made: {}", idle.len());
    let answer = answer.expect("healthz answered within 3 s").expect("healthz");
    assert!(answer.starts_with("HTTP/1.1 200") && answer.ends_with("ok"), "{answer}");
    assert!(elapsed < Duration::from_secs(2), "{elapsed:?}");
}
