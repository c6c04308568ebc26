//! Limits of a body, checked on its bytes before it is parsed.

use crate::params::ParamError;

// ---------------------------------------------------------------------------------------
// Limits of a body, checked on its bytes before it is parsed
// ---------------------------------------------------------------------------------------

/// The largest Gate request body taken, in bytes (a sale is well under 2 KiB).
pub const MAX_BODY_BYTES: usize = 64 * 1024;
/// The most keys a Gate request body may hold, all objects together (a sale has about 20).
pub const MAX_BODY_KEYS: usize = 256;
/// The deepest nesting of objects and arrays in a Gate request body (a sale nests 2 deep).
pub const MAX_BODY_DEPTH: usize = 8;

/// Limits a JSON body must keep before any parsing or per-key work.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BodyLimits {
    pub bytes: usize,
    pub keys: usize,
    pub depth: usize,
}

/// Gate's limits: [`MAX_BODY_BYTES`], [`MAX_BODY_KEYS`], [`MAX_BODY_DEPTH`].
pub const GATE_BODY_LIMITS: BodyLimits = BodyLimits { bytes: MAX_BODY_BYTES, keys: MAX_BODY_KEYS, depth: MAX_BODY_DEPTH };

/// Checks a JSON body's size, number of keys and nesting on its bytes, in one pass that
/// stops at the first limit passed, before the body is parsed: `body` `too_large`,
/// `too_many_keys` or `too_deep`, the message naming the limit. Not a JSON check (the
/// parser runs next): it counts each `:` outside strings as a key and each `{` or `[` as
/// a level.
pub fn body_limit_problem(body: &[u8], limits: BodyLimits) -> Option<ParamError> {
    if body.len() > limits.bytes {
        return Some(ParamError::new(
            "body",
            "too_large",
            format!("{} bytes sent; a request body is at most {} bytes", body.len(), limits.bytes),
        ));
    }
    let (mut depth, mut keys, mut in_string, mut escaped) = (0usize, 0usize, false, false);
    for &b in body {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'{' | b'[' => {
                depth += 1;
                if depth > limits.depth {
                    return Some(ParamError::new(
                        "body",
                        "too_deep",
                        format!("objects and arrays nest more than {} levels deep; at most {} are accepted", limits.depth, limits.depth),
                    ));
                }
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            b':' => {
                keys += 1;
                if keys > limits.keys {
                    return Some(ParamError::new(
                        "body",
                        "too_many_keys",
                        format!("more than {} keys sent; a request body holds at most {} keys", limits.keys, limits.keys),
                    ));
                }
            }
            _ => {}
        }
    }
    None
}
