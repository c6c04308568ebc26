//! Limits a real server has (issue 13): a cap on open connections, a header/idle timeout,
//! a request timeout (in [`super::guard`]), and how long an unused checkout session lives
//! (the sweeper itself is the platform's: `platform::sessions`).
//!
//! `axum::serve` sets none of these (hyper's header timeout needs a timer it does not
//! give, and a connection that sends nothing is kept forever), so [`serve`] runs its own
//! accept loop on hyper's HTTP/1 connection builder:
//!
//! - every connection gets [`Limits::header_timeout`] to send a request's headers, the
//!   first one and each next one on a kept-alive connection (an idle connection is closed);
//! - at most [`Limits::max_connections`] are open (fewer if the process may not open that
//!   many files); a new connection beyond that closes the oldest one at once: an idle one
//!   cleanly, one in the middle of a request (a body sent a byte a second) is cut, so its
//!   file is free for the new one. Waiting for such requests to finish let slow clients
//!   hold more connections than the cap, past the file limit, and nobody was answered.

use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use std::collections::BTreeMap;
use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::{watch, Notify};

/// Checkout sessions unused for an hour are deleted.
pub const DEFAULT_SESSION_TTL: Duration = Duration::from_secs(3600);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Most connections open at once.
    pub max_connections: usize,
    /// Time to send a request's headers, and the idle time allowed between requests.
    pub header_timeout: Duration,
    /// Time for a whole request (body included) to be answered.
    pub request_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_connections: 512, header_timeout: Duration::from_secs(10), request_timeout: Duration::from_secs(60) }
    }
}

/// The soft limit on open files (Linux: /proc/self/limits), if known.
fn open_files_limit() -> Option<usize> {
    let text = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = text.lines().find(|l| l.starts_with("Max open files"))?;
    line["Max open files".len()..].split_whitespace().next()?.parse().ok()
}

/// The connection cap: the setting, but at most half the files the process may open (the
/// rest is for the database, callback deliveries and static files).
pub fn connection_cap(limits: &Limits) -> usize {
    let by_files = open_files_limit().map(|n| (n / 2).max(8)).unwrap_or(usize::MAX);
    limits.max_connections.clamp(1, by_files)
}

/// Asks one connection to close: cut (over the cap) or let its request finish (stopping).
#[derive(Default)]
struct Closer {
    notify: Notify,
    /// Stopping: a request in progress gets its time.
    finish: AtomicBool,
}

/// Open connections by accept order; each can be asked to close.
#[derive(Default)]
struct Open {
    next_id: u64,
    conns: BTreeMap<u64, Arc<Closer>>,
}

/// Serves `app` on `listener` until `stop` completes, then closes every connection
/// gracefully (requests in progress are finished).
pub async fn serve(listener: TcpListener, app: Router, limits: Limits, stop: impl Future<Output = ()>) {
    let cap = connection_cap(&limits);
    let open = Arc::new(Mutex::new(Open::default()));
    let (closed_tx, mut closed_rx) = watch::channel(0usize);
    let closed_tx = Arc::new(closed_tx);
    tokio::pin!(stop);
    loop {
        let accepted = tokio::select! {
            _ = &mut stop => break,
            a = listener.accept() => a,
        };
        let stream = match accepted {
            Ok((stream, _)) => stream,
            Err(e) => {
                // Out of file descriptors, or the peer gave up before accept: wait a little
                // (closing the oldest connection frees one) rather than spin.
                eprintln!("epay sandbox: cannot accept a connection: {e}");
                close_oldest(&open);
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let close = Arc::new(Closer::default());
        let id = {
            let mut o = open.lock().unwrap_or_else(|p| p.into_inner());
            while o.conns.len() >= cap {
                if let Some((_, oldest)) = o.conns.pop_first() {
                    oldest.notify.notify_one();
                }
            }
            let id = o.next_id;
            o.next_id += 1;
            o.conns.insert(id, close.clone());
            id
        };
        let service = TowerToHyperService::new(app.clone());
        let (open, closed_tx) = (open.clone(), closed_tx.clone());
        let header_timeout = limits.header_timeout;
        tokio::spawn(async move {
            let mut builder = hyper::server::conn::http1::Builder::new();
            builder.timer(TokioTimer::new()).header_read_timeout(header_timeout);
            let conn = builder.serve_connection(TokioIo::new(stream), service);
            tokio::pin!(conn);
            tokio::select! {
                _ = conn.as_mut() => {}
                _ = close.notify.notified() => {
                    // An idle connection closes cleanly at once. Over the cap, one in the
                    // middle of a request is cut (dropped), not waited for; when stopping,
                    // a request in progress gets its time.
                    conn.as_mut().graceful_shutdown();
                    let grace = if close.finish.load(Ordering::SeqCst) {
                        header_timeout.max(Duration::from_secs(1)) * 6
                    } else {
                        Duration::ZERO
                    };
                    let _ = tokio::time::timeout(grace, conn).await;
                }
            }
            open.lock().unwrap_or_else(|p| p.into_inner()).conns.remove(&id);
            closed_tx.send_modify(|n| *n += 1);
        });
    }
    // Stop: ask every connection to close, and wait until they have.
    let waiting: Vec<Arc<Closer>> = open.lock().unwrap_or_else(|p| p.into_inner()).conns.values().cloned().collect();
    for c in &waiting {
        c.finish.store(true, Ordering::SeqCst);
        c.notify.notify_one();
    }
    while !open.lock().unwrap_or_else(|p| p.into_inner()).conns.is_empty() {
        if closed_rx.changed().await.is_err() {
            break;
        }
    }
}

fn close_oldest(open: &Mutex<Open>) {
    let mut o = open.lock().unwrap_or_else(|p| p.into_inner());
    if let Some((_, oldest)) = o.conns.pop_first() {
        oldest.notify.notify_one();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cap_leaves_files_for_the_rest() {
        let cap = connection_cap(&Limits { max_connections: usize::MAX, ..Limits::default() });
        if let Some(files) = open_files_limit() {
            assert!(cap <= files / 2 || cap == 8, "{cap} of {files}");
        }
        assert_eq!(connection_cap(&Limits { max_connections: 3, ..Limits::default() }), 3);
    }
}
