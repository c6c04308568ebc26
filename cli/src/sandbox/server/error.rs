//! The sandbox's HTTP error answers, each with its status: [`HttpError`] in the shape of
//! the widget protocol's `ApiError` (checkout API, demo shop, simulators' JSON answers),
//! [`GateRefusal`] in the shape of Gate's `GateRejected`.

use axum::http::StatusCode;
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

impl From<rusqlite::Error> for HttpError {
    fn from(e: rusqlite::Error) -> Self {
        use rusqlite::ErrorCode::{CannotOpen, DiskFull, ReadOnly, SystemIoFailure};
        match e.sqlite_error_code() {
            // A full disk or a database that cannot be written: say so, and that nothing
            // was changed (the transaction rolled back), so the caller can retry later.
            Some(code @ (DiskFull | ReadOnly | SystemIoFailure | CannotOpen)) => {
                let why = match code {
                    DiskFull => "the disk (or the database) is full",
                    ReadOnly => "the database is read-only",
                    _ => "the database file cannot be written",
                };
                eprintln!("epay sandbox: storage unavailable: {why} ({e})");
                HttpError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    ErrorCode::StorageUnavailable,
                    None,
                    format!("the sandbox cannot save: {why} ({e}); nothing was changed, try again when it has room"),
                )
            }
            _ => HttpError::internal(format!("database: {e}")),
        }
    }
}

impl IntoResponse for HttpError {
    fn into_response(self) -> Response {
        (self.0, Json(self.1)).into_response()
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
        GateRefusal::internal(format!("database: {e}"))
    }
}

impl IntoResponse for GateRefusal {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.0.http_status()).unwrap_or(StatusCode::BAD_REQUEST);
        (status, Json(self.0)).into_response()
    }
}
