//! Helpers shared by the sandbox integration tests: start a sandbox in-process on port 0,
//! talk to it over HTTP like the widget and a merchant would.
#![allow(dead_code)]

use epay_cli::sandbox::{self, Backoff, Config, RunningSandbox};
use epay_core::signature::sign;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

pub const SECRET_250: &str = "sandbox-secret-250";
pub const SECRET_1234: &str = "sandbox-secret-1234";

/// The card partner's `redirect_data.body` keys in the seed's order (`hsh` last), read from
/// seed 001's example (core/tests/data): what every card-partner redirect must carry.
pub fn seed_body_keys() -> Vec<String> {
    let seed: Value =
        serde_json::from_str(include_str!("../../../core/tests/data/seed_card_partner_redirect_data.json")).expect("the seed example");
    seed["redirect_data"]["body"].as_object().expect("a body object").keys().cloned().collect()
}

/// Fast retries so the outbox tests run in well under a second.
pub fn fast_config(db: &str) -> Config {
    Config {
        port: 0,
        db: db.to_string(),
        www: "/nonexistent-www".into(),
        pkg: "/nonexistent-pkg".into(),
        backoff: Backoff { first: Duration::from_millis(40), max: Duration::from_millis(160) },
        ..Config::default()
    }
}

pub struct Sandbox {
    pub running: RunningSandbox,
    pub http: reqwest::Client,
}

impl Sandbox {
    pub async fn start() -> Sandbox {
        Sandbox::start_with(fast_config(":memory:")).await
    }

    pub async fn start_with(config: Config) -> Sandbox {
        let running = sandbox::start(config).await.expect("sandbox starts");
        Sandbox { running, http: reqwest::Client::new() }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.running.base_url())
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> (u16, Value) {
        let r = self.http.post(self.url(path)).json(body).send().await.expect("request");
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    pub async fn get_json(&self, path: &str) -> (u16, Value) {
        let r = self.http.get(self.url(path)).send().await.expect("request");
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    /// A demo merchant order: its signed params.
    pub async fn order(&self, body: Value) -> Value {
        let (status, order) = self.post_json("/merchant/orders", &body).await;
        assert_eq!(status, 201, "{order}");
        order["params"].clone()
    }

    pub async fn open(&self, params: &Value) -> (u16, Value) {
        self.post_json("/api/v1/checkout/open", params).await
    }

    /// Opens and returns the session token, asserting success.
    pub async fn session(&self, params: &Value) -> String {
        let (status, open) = self.open(params).await;
        assert_eq!(status, 200, "{open}");
        open["session"].as_str().expect("session").to_string()
    }

    pub async fn pay(&self, session: &str, method: &str, customer: Value) -> (u16, Value) {
        let return_url = self.url("/?order=back");
        self.post_json(
            "/api/v1/checkout/pay",
            &json!({"session": session, "method": method, "customer": customer, "return_url": return_url}),
        )
        .await
    }

    /// A KES order with phone and email, opened and paid with card-partner: (params, session, view).
    pub async fn card_payment(&self) -> (Value, String, Value) {
        let params = self
            .order(json!({"amount": 10000, "currency": "KES", "customer_phone": "254712345678", "customer_email": "customer@example.com"}))
            .await;
        let session = self.session(&params).await;
        let (status, view) = self.pay(&session, "card-partner", json!({})).await;
        assert_eq!(status, 200, "{view}");
        (params, session, view)
    }

    /// Submits `redirect_data` to the simulated partner as the widget's form would; returns (status, html).
    pub async fn partner_page(&self, redirect_data: &Value) -> (u16, String) {
        let body: Vec<(String, String)> = redirect_data["body"]
            .as_object()
            .expect("body object")
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().expect("text value").to_string()))
            .collect();
        let url = redirect_data["url"].as_str().expect("url");
        let r = self.http.post(url).form(&body).send().await.expect("partner page");
        (r.status().as_u16(), r.text().await.expect("html"))
    }

    /// Presses Approve or Decline on the partner page; returns the response (redirects not followed).
    pub async fn press(&self, html: &str, decision: &str) -> reqwest::Response {
        let oid = hidden(html, decision, "oid");
        let sig = hidden(html, decision, "sig");
        let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        client
            .post(self.url("/sim/partner/complete"))
            .form(&[("oid", oid.as_str()), ("decision", decision), ("sig", sig.as_str())])
            .send()
            .await
            .expect("complete")
    }

    pub async fn merchant_callbacks(&self, payment_id: &str) -> Vec<Value> {
        let (status, list) = self.get_json(&format!("/merchant/callbacks?payment_id={payment_id}")).await;
        assert_eq!(status, 200);
        list.as_array().cloned().unwrap_or_default()
    }

    pub async fn stop(self) {
        self.running.stop().await;
    }
}

/// The value of hidden input `name` inside the form whose button has id `button_id`.
pub fn hidden(html: &str, button_id: &str, name: &str) -> String {
    let button = html.find(&format!("id=\"{button_id}\"")).expect("button");
    let form_start = html[..button].rfind("<form").expect("form");
    let form = &html[form_start..button];
    let marker = format!("name=\"{name}\" value=\"");
    let at = form.find(&marker).expect("hidden input") + marker.len();
    form[at..].split('"').next().unwrap().to_string()
}

/// Params signed like a merchant server would.
pub fn signed(mut params: Value, secret: &str) -> Value {
    let sig = sign(&params, secret);
    params["signature"] = json!(sig);
    params
}

/// Polls `check` until it returns Some, or panics after `secs`.
pub async fn eventually<T, F, Fut>(secs: u64, what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        if let Some(v) = check().await {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A signed card-partner sale of project 250 (10.00 KES) whose callbacks go to
/// `callback_url` (`general.merchant_callback_url`), else to the project's.
pub fn gate_sale(payment_id: &str, callback_url: Option<&str>) -> Value {
    use epay_core::gate::{self, GateCustomer, GatePayment, GeneralIds, ReturnUrl};
    let mut doc = gate::card_partner_sale_returning(
        &GeneralIds { project_id: 250, payment_id: payment_id.into() },
        &GateCustomer::new("123", "1.2.3.4").with_phone("123456789").with_email("customer@example.com"),
        &GatePayment::new(epay_core::MinorUnits(1000), "KES"),
        &ReturnUrl::default(),
        SECRET_250,
    )
    .expect("a valid sale");
    doc["general"].as_object_mut().unwrap().remove("signature");
    if let Some(url) = callback_url {
        doc["general"]["merchant_callback_url"] = json!(url);
    }
    epay_core::signature::with_signature(doc, SECRET_250)
}

/// Callback bodies as they arrived, with when.
type Got = std::sync::Arc<std::sync::Mutex<Vec<(Value, Instant)>>>;

/// The merchant's own back end on its own loopback port: keeps every callback body it is
/// sent, and when, and answers 200.
pub struct Receiver {
    pub url: String,
    got: Got,
    server: tokio::task::JoinHandle<()>,
}

impl Receiver {
    pub async fn start() -> Receiver {
        use axum::{body::Bytes, extract::State, routing::post, Router};
        let got: Got = Default::default();
        let app = Router::new()
            .route(
                "/shop/epay-callback",
                post(|State(got): State<Got>, body: Bytes| async move {
                    got.lock().unwrap().push((serde_json::from_slice(&body).unwrap_or(Value::Null), Instant::now()));
                    "ok"
                }),
            )
            .with_state(got.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://127.0.0.1:{}/shop/epay-callback", listener.local_addr().unwrap().port());
        let server = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Receiver { url, got, server }
    }

    /// The callbacks of `payment_id`, in the order they came.
    pub fn of(&self, payment_id: &str) -> Vec<Value> {
        let got = self.got.lock().unwrap();
        got.iter().filter(|(b, _)| b.pointer("/payment/id").and_then(Value::as_str) == Some(payment_id)).map(|(b, _)| b.clone()).collect()
    }

    /// When the first callback of `payment_id` came.
    pub fn arrived(&self, payment_id: &str) -> Option<Instant> {
        let got = self.got.lock().unwrap();
        got.iter().find(|(b, _)| b.pointer("/payment/id").and_then(Value::as_str) == Some(payment_id)).map(|(_, t)| *t)
    }

    /// Waits for a callback of the payment that satisfies `pred`.
    pub async fn wait(&self, payment_id: &str, what: &str, pred: impl Fn(&Value) -> bool) -> Value {
        eventually(10, what, || async { self.of(payment_id).into_iter().find(|b| pred(b)) }).await
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// A `www/` and a `pkg/` that the sandbox binary accepts, and the flags that name them.
pub fn site_dirs() -> (tempfile::TempDir, [String; 4]) {
    let dir = tempfile::tempdir().unwrap();
    let (www, pkg) = (dir.path().join("www"), dir.path().join("pkg"));
    std::fs::create_dir_all(&www).unwrap();
    std::fs::create_dir_all(&pkg).unwrap();
    std::fs::write(www.join("index.html"), "<!doctype html><title>t</title>").unwrap();
    std::fs::write(pkg.join("epay-widget.js"), "").unwrap();
    let args = ["--www".into(), www.to_str().unwrap().into(), "--pkg".into(), pkg.to_str().unwrap().into()];
    (dir, args)
}

/// The `epay` binary, run by `sh -c "<shell>; exec epay sandbox ..."` (`ulimit -n 128`, say):
/// the child, its URL, and its site folder (keep it while the child runs).
pub fn start_binary_with(shell: &[&str], db: &str, args: &[&str]) -> (std::process::Child, String, tempfile::TempDir) {
    use std::io::BufRead;
    use std::process::{Command, Stdio};
    let (dir, site) = site_dirs();
    let script = format!("{}exec \"$0\" \"$@\"", shell.iter().map(|s| format!("{s}; ")).collect::<String>());
    let mut child = Command::new("sh")
        .args(["-c", &script, env!("CARGO_BIN_EXE_epay"), "sandbox", "--port", "0", "--db", db])
        .args(&site)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the epay binary starts");
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    assert!(line.starts_with("epay sandbox listening on "), "{line:?}");
    (child, line.trim().rsplit(' ').next().unwrap().to_string(), dir)
}

/// Adds a payment of `project` (if missing, 1.00 KES) and one callback for it, with `body`,
/// straight into the outbox of `store`.
pub fn enqueue(store: &sandbox::platform::store::Store, project: u64, payment: &str, body: &str) {
    use sandbox::platform::store;
    store
        .with(|c| {
            let rowid = match store::payment_by_id(c, project, payment)? {
                Some(p) => p.rowid,
                None => store::insert_payment(
                    c,
                    &store::NewPayment {
                        project_id: project,
                        payment_id: payment,
                        amount: 100,
                        currency: "KES",
                        customer_id: "c",
                        description: None,
                        created_at: "now",
                    },
                )?,
            };
            store::enqueue_callback(c, project, rowid, None, body, "now", 0)
        })
        .unwrap();
}
