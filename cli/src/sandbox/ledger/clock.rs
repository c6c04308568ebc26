//! Time and randomness for every layer.

use crate::sandbox::server::HttpError;
use std::time::{SystemTime, UNIX_EPOCH};

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

/// `n` random bytes from the OS as lower-case hex (tokens, ids).
pub fn random_hex(n: usize) -> Result<String, HttpError> {
    let mut buf = vec![0u8; n];
    getrandom::getrandom(&mut buf).map_err(|e| HttpError::internal(format!("random source: {e}")))?;
    Ok(hex::encode(buf))
}
