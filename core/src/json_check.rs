//! Checks of JSON request bodies that Gate and PayDala share (platform side): each names
//! the parameter by its path and says the rule, into the caller's list of problems.

use crate::money::is_currency_code;
use crate::params::ParamError;
use serde_json::{Map, Value};

/// A value as an error message shows it: strings quoted, others as JSON.
pub(crate) fn shown(v: &Value) -> String {
    match v {
        Value::String(s) => format!("{s:?}"),
        Value::Array(_) => "an array".into(),
        Value::Object(_) => "an object".into(),
        other => other.to_string(),
    }
}

/// A positive integer at `key` of `obj`, reported as `path`; `what` says what it is.
pub(crate) fn positive_int(obj: &Map<String, Value>, path: &str, key: &str, what: &str, errs: &mut Vec<ParamError>) -> Option<u64> {
    match obj.get(key) {
        None | Some(Value::Null) => {
            errs.push(ParamError::new(path, "required", format!("is required: {what}")));
            None
        }
        Some(Value::Number(n)) if n.as_u64().is_some_and(|v| v > 0 && v <= i64::MAX as u64) => n.as_u64(),
        Some(other) => {
            errs.push(ParamError::new(path, "integer", format!("must be {what}, got {}", shown(other))));
            None
        }
    }
}

/// An ISO 4217 alpha-3 code at `key` of `obj`, reported as `path`; `required` is the
/// message when it is missing, `example` a code to show (`KES`).
pub(crate) fn currency(
    obj: &Map<String, Value>,
    path: &str,
    key: &str,
    required: &str,
    example: &str,
    errs: &mut Vec<ParamError>,
) -> Option<String> {
    match obj.get(key) {
        None | Some(Value::Null) => {
            errs.push(ParamError::new(path, "required", required));
            None
        }
        Some(Value::String(s)) if is_currency_code(s) => Some(s.clone()),
        Some(other) => {
            errs.push(ParamError::new(
                path,
                "currency_format",
                format!("must be an ISO 4217 alpha-3 code in capitals such as {example}, got {}", shown(other)),
            ));
            None
        }
    }
}
