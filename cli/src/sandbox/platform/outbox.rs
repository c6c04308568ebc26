//! Callback delivery. Callbacks are written to the `callbacks` table in the same
//! transaction that makes a payment final, and this worker POSTs them (JSON) to the
//! project's callback URL until the merchant answers 200. After `n` failures it waits
//! `Backoff::delay(n)` (1 s doubling to a 30 s cap by default), forever; every attempt
//! is recorded. Nothing lives only in memory: after a restart the worker carries on.

use crate::sandbox::ledger::clock::now_ms;
use crate::sandbox::ledger::state::AppState;
use crate::sandbox::ledger::store::{self, OutboxRow};
use epay_core::time::callback_date_ms;
use std::collections::HashMap;
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::{self, JoinSet};

/// Longest sleep between looks at the table (a safety net; enqueueing wakes the worker).
const IDLE_WAIT: Duration = Duration::from_secs(5);

/// How callbacks are delivered: one attempt's timeout, and how many attempts run at once
/// (in all, and per destination so one slow merchant URL cannot take every slot).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeliveryLimits {
    pub timeout: Duration,
    pub max_in_flight: usize,
    /// Attempts at once to one destination (scheme, host and port of the callback URL).
    pub max_in_flight_per_destination: usize,
}

impl Default for DeliveryLimits {
    fn default() -> Self {
        DeliveryLimits { timeout: Duration::from_secs(10), max_in_flight: 16, max_in_flight_per_destination: 4 }
    }
}

/// How many due callbacks one look at the table considers.
const FETCH: u32 = 500;

/// Where a callback goes, for sharing the slots: the URL's scheme, host and port (one
/// server, whatever the path), or the whole text when it does not read as a URL.
pub fn destination(url: &str) -> String {
    match reqwest::Url::parse(url) {
        Ok(u) => u.origin().ascii_serialization(),
        Err(_) => url.to_string(),
    }
}

/// A due callback and where it goes (`None`: its project has no callback URL).
struct Due {
    row: OutboxRow,
    url: Result<Option<String>, String>,
}

/// Delivers due callbacks until `shutdown`: up to `limits.max_in_flight` attempts at once,
/// at most `limits.max_in_flight_per_destination` to one destination (a merchant URL that
/// hangs holds only its own slots, each attempt for at most `limits.timeout`, so other
/// URLs, in the same project too, go on), and one at a time per payment
/// ([`store::due_callbacks`] offers only a payment's oldest undelivered callback, so a
/// refund never overtakes its sale). Attempts still running at shutdown are dropped
/// unrecorded: their callbacks go again after the restart (at-least-once).
pub async fn run(s: AppState, mut shutdown: watch::Receiver<bool>, limits: DeliveryLimits) {
    let mut tasks: JoinSet<()> = JoinSet::new();
    // Task -> (callback id, destination) of the attempts in flight.
    let mut in_flight: HashMap<task::Id, (i64, String)> = HashMap::new();
    loop {
        if *shutdown.borrow() {
            return;
        }
        while let Some(done) = tasks.try_join_next_with_id() {
            in_flight.remove(&done.map(|(id, _)| id).unwrap_or_else(|e| e.id()));
        }
        let now = now_ms();
        let due = s.store.with(|c| {
            let rows = store::due_callbacks(c, now, FETCH)?;
            // The destination of each (the payment's own URL, else the project's).
            Ok(rows
                .into_iter()
                .map(|row| {
                    let url = super::callbacks::delivery_url(c, row.id).map_err(|e| format!("database: {e}"));
                    Due { row, url }
                })
                .collect::<Vec<_>>())
        });
        match due {
            Ok(rows) => {
                for Due { row, url } in rows {
                    if in_flight.len() >= limits.max_in_flight.max(1) {
                        break;
                    }
                    if in_flight.values().any(|(id, _)| *id == row.id) {
                        continue;
                    }
                    let dest = match &url {
                        Ok(Some(url)) => destination(url),
                        _ => format!("project {}", row.project_id),
                    };
                    let to_dest = in_flight.values().filter(|(_, d)| *d == dest).count();
                    if to_dest >= limits.max_in_flight_per_destination.max(1) {
                        continue;
                    }
                    let key = (row.id, dest);
                    let s = s.clone();
                    let handle = tasks.spawn(async move { deliver(&s, row, url, limits.timeout).await });
                    in_flight.insert(handle.id(), key);
                }
            }
            Err(e) => eprintln!("epay sandbox: outbox: {e}"),
        }
        // Due callbacks left waiting (for a slot, or for their payment's older one) are
        // looked at again when an attempt ends; later ones when they are due.
        let wait = match s.store.with(|c| store::next_callback_due_after(c, now)) {
            Ok(Some(at)) => Duration::from_millis((at - now_ms()).clamp(0, IDLE_WAIT.as_millis() as i64) as u64),
            Ok(None) => IDLE_WAIT,
            Err(e) => {
                eprintln!("epay sandbox: outbox: {e}");
                IDLE_WAIT
            }
        };
        tokio::select! {
            _ = s.outbox_wake.notified() => {}
            _ = tokio::time::sleep(wait) => {}
            Some(done) = tasks.join_next_with_id(), if !tasks.is_empty() => {
                in_flight.remove(&done.map(|(id, _)| id).unwrap_or_else(|e| e.id()));
            }
            _ = shutdown.changed() => return,
        }
    }
}

/// One attempt for one callback, to `url` (looked up when it was taken from the table).
async fn deliver(s: &AppState, row: OutboxRow, url: Result<Option<String>, String>, timeout: Duration) {
    let url = match url {
        Ok(Some(url)) => Ok(url),
        Ok(None) => Err(format!("project {} has no callback URL", row.project_id)),
        Err(e) => Err(e),
    };
    let result: Result<u16, String> = match url {
        Ok(url) => s
            .http
            .post(&url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .timeout(timeout)
            .body(row.body.clone())
            .send()
            .await
            .map(|r| r.status().as_u16())
            .map_err(|e| error_chain(&e)),
        Err(e) => Err(e),
    };
    let now = now_ms();
    let (status, error, next) = match result {
        Ok(200) => (Some(200), None, None),
        Ok(code) => {
            let next = now + s.backoff.delay(row.attempts + 1).as_millis() as i64;
            (Some(code), Some(format!("the merchant answered HTTP {code}, not 200")), Some(next))
        }
        Err(e) => (None, Some(e), Some(now + s.backoff.delay(row.attempts + 1).as_millis() as i64)),
    };
    if let Some(e) = &error {
        eprintln!("epay sandbox: callback {} attempt {} failed: {e}; retrying", row.id, row.attempts + 1);
    }
    let recorded = s.store.with(|c| store::record_attempt(c, row.id, status, error.as_deref(), &callback_date_ms(now), next));
    if let Err(e) = recorded {
        eprintln!("epay sandbox: outbox: cannot record attempt of callback {}: {e}", row.id);
        // Without a record the row stays due: back off a little instead of spinning.
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

/// An error with its causes (`error sending request: connection refused`), for the
/// delivery record: the top-level text alone does not say why.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}
