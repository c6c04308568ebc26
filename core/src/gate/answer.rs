//! The immediate answer to a Gate request (our own design): accepted or refused.

use super::request::GeneralIds;
use crate::error_code::ErrorCode;
use crate::params::ParamError;
use crate::protocol::{ApiError, ApiErrorBody};
use crate::signature::SignatureError;
use serde::{Deserialize, Serialize};
use serde_json::Value;

// ---------------------------------------------------------------------------------------
// Immediate answer
// ---------------------------------------------------------------------------------------

/// The only `status` of an accepted request.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AcceptedStatus {
    #[default]
    Success,
}

/// The only `status` of a refused request.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RejectedStatus {
    #[default]
    Error,
}

/// Request received and correct: `{"project_id", "payment_id", "status": "success", "request_id"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GateAccepted {
    pub project_id: u64,
    pub payment_id: String,
    pub status: AcceptedStatus,
    /// The platform's id of this request; callbacks carry it as `operation.request_id`.
    pub request_id: String,
}

impl GateAccepted {
    pub fn new(general: &GeneralIds, request_id: impl Into<String>) -> Self {
        GateAccepted {
            project_id: general.project_id,
            payment_id: general.payment_id.clone(),
            status: AcceptedStatus::Success,
            request_id: request_id.into(),
        }
    }
}

/// Request refused: `{"status": "error", "code", "param"?, "message", "errors"?}`: the
/// platform's error body ([`ApiErrorBody`]: `code` is e.g. `invalid_params`, `bad_signature`,
/// `unknown_project`, `unknown_payment`, `duplicate_payment`, `not_refundable`, `internal`)
/// beside Gate's `status`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GateRejected {
    pub status: RejectedStatus,
    #[serde(flatten)]
    pub error: ApiErrorBody,
}

impl GateRejected {
    pub fn new(code: ErrorCode, param: Option<&str>, message: impl Into<String>) -> Self {
        GateRejected { status: RejectedStatus::Error, error: ApiError::new(code, param, message).error }
    }

    /// `invalid_params` with all the problems; `param` is the first one.
    pub fn invalid(errors: Vec<ParamError>) -> Self {
        GateRejected { status: RejectedStatus::Error, error: ApiError::from_params(errors).error }
    }

    /// `bad_signature` on `general.signature`.
    pub fn bad_signature(e: &SignatureError) -> Self {
        let message = match e {
            SignatureError::Missing => "general.signature: is required: sign the request with the project secret".to_string(),
            SignatureError::Mismatch => "general.signature: does not match the parameters and the project secret".to_string(),
            SignatureError::NotAnObject => "body: must be a JSON object".to_string(),
        };
        GateRejected::new(ErrorCode::BadSignature, Some("general.signature"), message)
    }

    /// The HTTP status to answer with: 403 for signature and project, 404 for an
    /// unknown payment, 413 for a body over [`GATE_BODY_LIMITS`] in size or keys, 500 for
    /// `internal`, 503 for `storage_unavailable` (busy or full database: try again), 400 otherwise.
    pub fn http_status(&self) -> u16 {
        match self.error.code {
            ErrorCode::BadSignature | ErrorCode::UnknownProject => 403,
            ErrorCode::UnknownPayment => 404,
            ErrorCode::Internal => 500,
            ErrorCode::StorageUnavailable => 503,
            ErrorCode::InvalidParams
                if self.error.errors.first().is_some_and(|e| matches!(e.code.as_str(), "too_large" | "too_many_keys")) =>
            {
                413
            }
            _ => 400,
        }
    }
}

/// Either immediate answer, for the side that reads them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum GateResponse {
    Accepted(GateAccepted),
    Rejected(GateRejected),
}

impl GateResponse {
    /// Reads an immediate answer; `Err` says why it is neither shape.
    pub fn parse(text: &str) -> Result<GateResponse, String> {
        let doc: Value = serde_json::from_str(text).map_err(|e| format!("Gate answer: not JSON ({e})"))?;
        match doc.get("status").and_then(Value::as_str) {
            Some("success") => serde_json::from_value(doc).map(GateResponse::Accepted),
            Some("error") => serde_json::from_value(doc).map(GateResponse::Rejected),
            _ => return Err("Gate answer: status must be \"success\" or \"error\"".into()),
        }
        .map_err(|e| format!("Gate answer: {e}"))
    }
}
