//! Limits a real server has: connection count, header/idle timeout, request timeout,
//! session expiry.

use std::time::Duration;

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
