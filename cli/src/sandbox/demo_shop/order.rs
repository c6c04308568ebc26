//! What the shop's order endpoints (`orders`, `gate`) read alike from an order's body. A
//! leaf of the demo shop.

use crate::sandbox::server::HttpError;
use epay_core::ErrorCode;
use serde_json::{Map, Value};

/// `invalid_params` naming `param`.
pub(super) fn bad(param: &str, message: impl Into<String>) -> HttpError {
    HttpError::bad_request(ErrorCode::InvalidParams, Some(param), message)
}

/// An order's `amount`: a positive integer in minor units, or the error naming it.
pub(super) fn order_amount(order: &Map<String, Value>) -> Result<i64, HttpError> {
    order
        .get("amount")
        .and_then(Value::as_i64)
        .filter(|a| *a > 0)
        .ok_or_else(|| bad("amount", "amount: must be a positive integer in minor units (10000 is 100.00)"))
}
