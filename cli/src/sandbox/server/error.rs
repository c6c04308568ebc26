//! The sandbox's HTTP error answers, each with its status: [`HttpError`] in the shape of
//! the widget protocol's `ApiError` (checkout API, demo shop, simulators' JSON answers),
//! [`GateRefusal`] in the shape of Gate's `GateRejected`.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use epay_core::gate::GateRejected;
use epay_core::protocol::ApiError;
use epay_core::{ErrorCode, ParamError};

/// An error answer in the protocol's [`ApiError`] shape, with its HTTP status.
#[derive(Debug)]
pub struct HttpError(pub StatusCode, pub ApiError);

impl HttpError {
    pub fn new(status: StatusCode, code: ErrorCode, param: Option<&str>, message: impl Into<String>) -> HttpError {
        HttpError(status, ApiError::new(code, param, message))
    }
    pub fn bad_request(code: ErrorCode, param: Option<&str>, message: impl Into<String>) -> HttpError {
        HttpError::new(StatusCode::BAD_REQUEST, code, param, message)
    }
    pub fn internal(message: impl std::fmt::Display) -> HttpError {
        eprintln!("epay sandbox: internal error: {message}");
        HttpError::new(StatusCode::INTERNAL_SERVER_ERROR, ErrorCode::Internal, None, format!("sandbox internal error: {message}"))
    }
}

/// Seconds a client is told to wait (`Retry-After`) when the database is busy or full.
pub const RETRY_AFTER_SECS: u32 = 2;

/// Why the database could not be written, when it is worth trying again later: another
/// program holds the file's lock (busy, locked), the disk is full, the file is read-only
/// or cannot be written. `None` for any other error (a bug: `internal`).
pub fn storage_unavailable(e: &rusqlite::Error) -> Option<String> {
    use rusqlite::ErrorCode::{CannotOpen, DatabaseBusy, DatabaseLocked, DiskFull, ReadOnly, SystemIoFailure};
    let why = match e.sqlite_error_code()? {
        DatabaseBusy | DatabaseLocked => "the database is busy (another program holds its lock)",
        DiskFull => "the disk (or the database) is full",
        ReadOnly => "the database is read-only",
        SystemIoFailure | CannotOpen => "the database file cannot be written",
        _ => return None,
    };
    eprintln!("epay sandbox: storage unavailable: {why} ({e})");
    Some(format!("the sandbox cannot save: {why} ({e}); nothing was changed, try again in {RETRY_AFTER_SECS} s"))
}

impl From<rusqlite::Error> for HttpError {
    fn from(e: rusqlite::Error) -> Self {
        // Busy, full or read-only: say so, and that nothing was changed (the transaction
        // rolled back), so the caller can retry later (503 with Retry-After).
        match storage_unavailable(&e) {
            Some(message) => HttpError::new(StatusCode::SERVICE_UNAVAILABLE, ErrorCode::StorageUnavailable, None, message),
            None => HttpError::internal(format!("database: {e}")),
        }
    }
}

/// `Retry-After` on every 503 (the database was busy or full: nothing was changed).
fn with_retry_after(status: StatusCode, mut r: Response) -> Response {
    if status == StatusCode::SERVICE_UNAVAILABLE {
        r.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECS));
    }
    r
}

impl IntoResponse for HttpError {
    fn into_response(self) -> Response {
        with_retry_after(self.0, (self.0, Json(self.1)).into_response())
    }
}

/// A refused Gate request: [`GateRejected`] with its HTTP status
/// ([`GateRejected::http_status`]).
#[derive(Debug)]
pub struct GateRefusal(pub GateRejected);

impl GateRefusal {
    pub fn new(code: ErrorCode, param: Option<&str>, message: impl Into<String>) -> GateRefusal {
        GateRefusal(GateRejected::new(code, param, message))
    }
    /// Parameters refused, each named by its dotted path.
    pub fn invalid(errors: Vec<ParamError>) -> GateRefusal {
        GateRefusal(GateRejected::invalid(errors))
    }
    pub fn internal(message: impl std::fmt::Display) -> GateRefusal {
        eprintln!("epay sandbox: gate: internal error: {message}");
        GateRefusal::new(ErrorCode::Internal, None, format!("sandbox internal error: {message}"))
    }
}

impl From<rusqlite::Error> for GateRefusal {
    fn from(e: rusqlite::Error) -> Self {
        match storage_unavailable(&e) {
            Some(message) => GateRefusal::new(ErrorCode::StorageUnavailable, None, message),
            None => GateRefusal::internal(format!("database: {e}")),
        }
    }
}

impl IntoResponse for GateRefusal {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.0.http_status()).unwrap_or(StatusCode::BAD_REQUEST);
        with_retry_after(status, (status, Json(self.0)).into_response())
    }
}
