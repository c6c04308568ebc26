//! The sandbox: a local stand-in for the payment platform, with everything a merchant
//! needs to develop against it on one machine.
//!
//! Layers, lowest first; a module imports only from its own folder or a lower layer, so
//! there is no import circle (`cli/tests/no_import_cycles.rs` checks both):
//!
//! 1. [`server`]: the HTTP plumbing every part shares: error answers, the HTML page shell,
//!    Host/Origin guard, connection limits, the widget's files. Imports nothing of the
//!    sandbox (the guard learns the paths open to any origin from its caller).
//! 2. [`ledger`]: the platform's data and the state every handler shares: the store (one
//!    SQLite file; a restart loses nothing), operations and the standard callback, the
//!    shared state, the demo projects, PayDala's settings, the clock.
//! 3. [`methods`]: one module per payment method (card partner, EPay cash, PayDala), each
//!    with its simulated partner or terminal (`/sim/...`), behind `PaymentMethod` /
//!    `GateSale`.
//! 4. [`platform`]: the platform's HTTP API (the widget's checkout API, the Payment Page,
//!    Gate), callbacks, the outbox, session expiry; it reaches a method only through the
//!    traits. [`demo_shop`], the demo merchant's back end (`/merchant/...`), is at the same
//!    level and a client of the platform over HTTP: neither imports the other.
//! 5. This module: the configuration, [`start`] and the router; it re-exports the old
//!    paths (`Backoff`, `AppState`, `HttpError`, `now_ms`, ...), which nothing below uses.
//!
//! Start it in-process with [`start`] (tests use port 0 and `:memory:` or a temp file).

pub mod demo_shop;
pub mod ledger;
pub mod methods;
pub mod platform;
pub mod server;

use axum::http::{header, HeaderValue};
use axum::routing::get;
use axum::Router;
pub use ledger::clock::{now_ms, random_hex};
pub use ledger::state::{demo_project, AppState, Backoff, DemoProject, MerchantState, Shared, DEMO_PROJECTS, SANDBOX_URLS};
use ledger::store::{self, Store};
use methods::{epay_cash, paydala};
use platform::{callbacks, checkout, gate, outbox};
pub use server::html::MERCHANT_CSP;
use server::{assets, guard, html, limits};
pub use server::{GateRefusal, HttpError};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{watch, Notify};
use tokio::task::JoinHandle;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

#[derive(Debug, Clone)]
pub struct Config {
    /// 0: an ephemeral port.
    pub port: u16,
    /// SQLite file, or `:memory:`.
    pub db: String,
    pub www: PathBuf,
    pub pkg: PathBuf,
    pub backoff: Backoff,
    /// PayDala: the service name terminals list, the merchant's web service, its timeout.
    pub paydala: paydala::PaydalaConfig,
    /// How long an EPay cash code is valid (`valid_time` = creation + this).
    pub epay_ttl: Duration,
    /// `--callback-url PROJECT_ID=URL`: projects whose callbacks go to the merchant's own
    /// back end instead of the demo shop (set at every start; see [`callbacks`]).
    pub callback_urls: Vec<(u64, String)>,
    /// Host names answered besides loopback (`127.0.0.1`, `localhost`, `[::1]`): `--allow-host`.
    pub allow_hosts: Vec<String>,
    /// Connection and request limits (slowloris, stuck requests).
    pub limits: limits::Limits,
    /// A checkout session unused this long is deleted.
    pub session_ttl: Duration,
    /// Callback delivery: one attempt's timeout and how many run at once.
    pub delivery: outbox::DeliveryLimits,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            port: 8787,
            db: "epay-sandbox.sqlite".into(),
            www: "www".into(),
            pkg: "pkg".into(),
            backoff: Backoff::default(),
            paydala: paydala::PaydalaConfig::default(),
            epay_ttl: epay_cash::DEFAULT_TTL,
            callback_urls: Vec::new(),
            allow_hosts: Vec::new(),
            limits: limits::Limits::default(),
            session_ttl: limits::DEFAULT_SESSION_TTL,
            delivery: outbox::DeliveryLimits::default(),
        }
    }
}

#[derive(Debug)]
pub enum StartError {
    Db(String),
    Bind(std::io::Error),
    /// A setting is invalid; the message names it.
    Config(String),
}

impl std::fmt::Display for StartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StartError::Db(e) => write!(f, "cannot open the sandbox database: {e}"),
            StartError::Bind(e) => write!(f, "cannot listen on 127.0.0.1: {e}"),
            StartError::Config(e) => write!(f, "invalid setting: {e}"),
        }
    }
}
impl std::error::Error for StartError {}

/// A sandbox running in this process.
pub struct RunningSandbox {
    pub addr: SocketAddr,
    shared: AppState,
    shutdown: watch::Sender<bool>,
    server: JoinHandle<()>,
    worker: JoinHandle<()>,
}

impl RunningSandbox {
    /// `http://127.0.0.1:PORT`
    pub fn base_url(&self) -> &str {
        &self.shared.base_url
    }

    /// Delivery state of the callbacks of one payment (attempts, last HTTP status), oldest first.
    pub fn deliveries(&self, project_id: u64, payment_id: &str) -> rusqlite::Result<Vec<store::DeliveryState>> {
        self.shared.store.with(|c| store::deliveries_for_payment(c, project_id, payment_id))
    }

    /// The database (fault tests inject rows and faults through it).
    pub fn store(&self) -> &Store {
        &self.shared.store
    }

    /// Wakes the outbox worker (after rows were added through [`RunningSandbox::store`]).
    pub fn wake_outbox(&self) {
        self.shared.outbox_wake.notify_one();
    }

    /// Stops accepting requests, lets the ones in flight finish (a few seconds at most),
    /// stops the outbox worker. Undelivered callbacks stay in the database.
    pub async fn stop(self) {
        let _ = self.shutdown.send(true);
        let mut server = self.server;
        if tokio::time::timeout(Duration::from_secs(5), &mut server).await.is_err() {
            server.abort();
        }
        let mut worker = self.worker;
        if tokio::time::timeout(Duration::from_secs(5), &mut worker).await.is_err() {
            worker.abort();
        }
    }
}

/// Opens the database, creates the demo projects if missing, binds 127.0.0.1:`port`,
/// and starts serving and delivering callbacks.
pub async fn start(config: Config) -> Result<RunningSandbox, StartError> {
    callbacks::check_project_urls(&config.callback_urls, config.paydala.callback_url.is_some()).map_err(StartError::Config)?;
    let store = Store::open(&config.db).map_err(|e| StartError::Db(e.to_string()))?;
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", config.port)).await.map_err(StartError::Bind)?;
    let addr = listener.local_addr().map_err(StartError::Bind)?;
    let base_url = format!("http://127.0.0.1:{}", addr.port());

    let callback_url = format!("{base_url}/merchant/callback");
    let partner_key = store
        .with(|c| {
            for p in &DEMO_PROJECTS {
                store::ensure_project(c, p.id, p.name, p.secret, &callback_url)?;
            }
            // `--callback-url`: the merchant's own back end (without it, the demo shop again).
            callbacks::set_project_urls(c, &config.callback_urls)?;
            store::meta_key(c, "partner_key")
        })
        .map_err(|e| StartError::Db(e.to_string()))?;
    let paydala = paydala::Settings::resolve(&config.paydala, &base_url).map_err(StartError::Config)?;
    // The demo projects' return URLs: pages on this machine (issue 13).
    let demo_ids: Vec<u64> = DEMO_PROJECTS.iter().map(|p| p.id).collect();
    callbacks::init(&store)
        .and_then(|()| checkout::init(&store, &demo_ids))
        .and_then(|()| methods::init(&store))
        .and_then(|()| paydala::apply_callback_url(&store, &config.paydala))
        .and_then(|()| demo_shop::init(&store))
        .map_err(|e| StartError::Db(e.to_string()))?;

    let http =
        reqwest::Client::builder().timeout(Duration::from_secs(10)).build().map_err(|e| StartError::Db(format!("HTTP client: {e}")))?;
    let shared = Arc::new(Shared {
        store,
        base_url,
        backoff: config.backoff,
        outbox_wake: Notify::new(),
        merchant: MerchantState::default(),
        http,
        partner_key,
        paydala,
        epay_ttl: config.epay_ttl,
    });

    let (shutdown, rx) = watch::channel(false);
    let worker = tokio::spawn(outbox::run(shared.clone(), rx.clone(), config.delivery));
    tokio::spawn(platform::sessions::session_sweeper(shared.clone(), config.session_ttl, rx.clone()));
    // Ends on its own when `shutdown` is sent.
    tokio::spawn(methods::expiry_sweeper(shared.clone(), rx.clone()));
    let app = router(shared.clone(), &config);
    let mut rx_server = rx;
    let conn_limits = config.limits;
    let server = tokio::spawn(async move {
        let stop = async move {
            while !*rx_server.borrow() {
                if rx_server.changed().await.is_err() {
                    break;
                }
            }
        };
        limits::serve(listener, app, conn_limits, stop).await;
    });
    Ok(RunningSandbox { addr, shared, shutdown, server, worker })
}

fn router(shared: AppState, config: &Config) -> Router {
    // The widget is rebuilt often while developing: always revalidate static files.
    let no_cache = SetResponseHeaderLayer::if_not_present(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    // Every merchant page runs under the strictest policy the widget supports, so every
    // e2e flow proves it needs nothing more (README: Content-Security-Policy).
    let csp = SetResponseHeaderLayer::overriding(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(MERCHANT_CSP));
    let www = Router::new().fallback_service(ServeDir::new(&config.www)).layer(csp);
    Router::new()
        .merge(checkout::routes())
        .merge(platform::payment_page::routes())
        .merge(gate::routes())
        .merge(callbacks::routes())
        .merge(methods::routes())
        .route(html::STYLESHEET_PATH, get(html::stylesheet))
        .merge(demo_shop::routes())
        .route("/healthz", get(|| async { "ok" }))
        // The widget as a CDN serves it to merchant pages on any origin (server/assets.rs).
        .nest_service("/pkg", assets::pkg_service(&config.pkg))
        .merge(www)
        .layer(no_cache)
        .layer(axum::middleware::from_fn_with_state(
            guard::Guard::new(&config.allow_hosts, &config.limits, methods::cross_origin_paths()),
            guard::check,
        ))
        .with_state(shared)
}

#[cfg(test)]
mod tests {
    use super::*;
    use epay_core::catalog::Platform;

    #[test]
    fn one_demo_project_per_platform() {
        for (i, p) in Platform::ALL.into_iter().enumerate() {
            assert_eq!(DEMO_PROJECTS[i].id, demo_project(p).id);
            assert!(DEMO_PROJECTS[..i].iter().all(|o| o.id != DEMO_PROJECTS[i].id), "{p:?}: its id is taken");
        }
    }

    #[test]
    fn backoff_doubles_from_one_second_to_thirty() {
        let b = Backoff::default();
        let secs: Vec<u64> = (1..=8).map(|n| b.delay(n).as_secs()).collect();
        assert_eq!(secs, vec![1, 2, 4, 8, 16, 30, 30, 30]);
        assert_eq!(b.delay(1000).as_secs(), 30);
    }
}
