//! What every handler shares: the state ([`Shared`], [`AppState`]) and the sandbox's fixed
//! facts (the demo projects, from `projects`, the URL policy, the callback backoff).

use super::paydala_settings;
pub use super::projects::{demo_project, DemoProject, DEMO_PROJECTS};
use super::store::Store;
use epay_core::redirect::UrlPolicy;
use std::sync::atomic::AtomicU32;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

/// The sandbox is loopback-only: return, redirect and callback URLs may be plain
/// `http://` to loopback (`127.0.0.1`, `localhost`, `[::1]`).
pub const SANDBOX_URLS: UrlPolicy = UrlPolicy { allow_loopback_http: true };

/// Delay before callback delivery attempt `n + 1` after `n` failures: `first`, doubling,
/// capped at `max`. Forever: a callback is never given up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    pub first: Duration,
    pub max: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff { first: Duration::from_secs(1), max: Duration::from_secs(30) }
    }
}

impl Backoff {
    /// The wait after `failures` failed attempts (`failures >= 1`).
    pub fn delay(&self, failures: u32) -> Duration {
        let shift = failures.saturating_sub(1).min(20);
        self.first.saturating_mul(1u32 << shift).min(self.max)
    }
}

/// State shared by every handler and the outbox worker.
pub struct Shared {
    pub store: Store,
    /// `http://127.0.0.1:PORT`: what the platform puts in redirect URLs and callback URLs.
    pub base_url: String,
    pub backoff: Backoff,
    /// Wakes the outbox worker when a callback is enqueued.
    pub outbox_wake: Notify,
    pub merchant: MerchantState,
    pub http: reqwest::Client,
    /// Key of the simulated partner's `hsh` and of its completion forms (kept in the db so
    /// pending redirects stay valid across restarts).
    pub partner_key: Vec<u8>,
    /// PayDala services and the merchant timeout, resolved at start.
    pub paydala: paydala_settings::Settings,
    /// How long an EPay cash code is valid.
    pub epay_ttl: Duration,
}

pub type AppState = Arc<Shared>;

/// The demo merchant's in-memory test knob: how many of the next callbacks to refuse with
/// 500 (`demo_shop::orders`).
#[derive(Debug, Default)]
pub struct MerchantState {
    pub(crate) fail_next: AtomicU32,
}
