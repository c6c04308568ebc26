//! Unused checkout sessions are deleted ([`session_sweeper`]; the time to live is
//! `server::limits::DEFAULT_SESSION_TTL` unless configured).

use crate::sandbox::ledger::clock::now_ms;
use crate::sandbox::ledger::state::AppState;
use crate::sandbox::ledger::store;
use std::time::Duration;
use tokio::sync::watch;

/// Deletes checkout sessions unused for `ttl`, every `ttl / 4` (at most every minute),
/// until `shutdown`.
pub async fn session_sweeper(s: AppState, ttl: Duration, mut shutdown: watch::Receiver<bool>) {
    let every = (ttl / 4).clamp(Duration::from_millis(100), Duration::from_secs(60));
    loop {
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = shutdown.changed() => return,
        }
        if *shutdown.borrow() {
            return;
        }
        let cutoff = now_ms() - ttl.as_millis() as i64;
        if let Err(e) = s.store.with(|c| store::delete_sessions_unused_since(c, cutoff)) {
            eprintln!("epay sandbox: cannot delete expired sessions: {e}");
        }
    }
}
