//! The ECommPay/JetPay signature: HMAC-SHA512 over the flattened, naturally sorted
//! parameters, standard Base64. Byte for byte what the official SDKs produce
//! (the PHP SDK is the reference; see shared/vectors/README.md).

use base64::{engine::general_purpose::STANDARD, Engine as _};
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha512;
use std::cmp::Ordering;

/// Keys that never take part in the string to sign, at any depth.
pub const SKIPPED_KEYS: [&str; 2] = ["signature", "frame_mode"];

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignatureError {
    /// No `signature` at the root nor in `general`.
    Missing,
    /// A signature is there but does not match the data and the secret.
    Mismatch,
    /// The document is not a JSON object.
    NotAnObject,
}

impl std::fmt::Display for SignatureError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            SignatureError::Missing => "signature: missing (looked at the root and in general.signature)",
            SignatureError::Mismatch => "signature: does not match the parameters and the project secret",
            SignatureError::NotAnObject => "signature: the signed data must be a JSON object",
        })
    }
}
impl std::error::Error for SignatureError {}

/// The `path:value` items joined with `;` in natural path order.
pub fn string_to_sign(params: &Value) -> String {
    let mut items: Vec<(String, String)> = Vec::new();
    flatten(params, "", &mut items);
    items.sort_by(|a, b| natural_cmp(&a.0, &b.0));
    let mut out = String::new();
    for (i, (path, value)) in items.iter().enumerate() {
        if i > 0 {
            out.push(';');
        }
        out.push_str(path);
        out.push(':');
        out.push_str(value);
    }
    out
}

/// Signs `params` with the project secret, whatever they hold (byte for byte the SDKs).
/// A merchant signing values a customer typed wants [`sign_checked`].
pub fn sign(params: &Value, secret: &str) -> String {
    sign_string(&string_to_sign(params), secret)
}

/// Top-level objects of Gate requests and callbacks: `;general:` inside a value could be
/// re-split into a `general` item as well as `;payment_amount:` into a parameter.
pub const SIGNED_OBJECTS: [&str; 8] =
    ["general", "customer", "payment", "account", "operation", "redirect_data", "return_url", "additional_data"];

/// A value [`sign_checked`] refuses: it holds `;name:` for a known name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResplitError {
    /// The parameter holding the value (`customer_last_name`, `customer:last_name`).
    pub param: String,
    /// The parameter it could be re-split into.
    pub hidden: String,
}

impl std::fmt::Display for ResplitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: refused to sign: the value contains \";{}:\", and the signature joins parameters as name:value; so the same signature would cover a request with another {}",
            self.param, self.hidden, self.hidden
        )
    }
}
impl std::error::Error for ResplitError {}

/// Checks that no string value of `params` could be re-split into a known parameter: the
/// Payment Page parameters ([`crate::params::KNOWN_PARAMS`]), the Gate objects
/// ([`SIGNED_OBJECTS`]) and the document's own top-level keys.
pub fn check_resplit(params: &Value) -> Result<(), ResplitError> {
    let own: Vec<&str> = params.as_object().map(|o| o.keys().map(String::as_str).collect()).unwrap_or_default();
    let names: Vec<&str> = crate::params::KNOWN_PARAMS.iter().chain(SIGNED_OBJECTS.iter()).copied().chain(own).collect();
    let mut items = Vec::new();
    flatten(params, "", &mut items);
    for (path, value) in &items {
        if let Some(hidden) = crate::params::resplit_name(value, names.iter().copied()) {
            return Err(ResplitError { param: path.clone(), hidden: hidden.to_string() });
        }
    }
    Ok(())
}

/// [`sign`], refusing a value that could be re-split into a known parameter with the same
/// signature (issue 13: a last name `Tan;payment_amount:1000;payment_amount_` let the
/// customer pay 10.00 for a 5,000.00 order). `epay sign` and the demo shop sign this way.
pub fn sign_checked(params: &Value, secret: &str) -> Result<String, ResplitError> {
    check_resplit(params)?;
    Ok(sign(params, secret))
}

fn sign_string(s: &str, secret: &str) -> String {
    STANDARD.encode(mac(s, secret).finalize().into_bytes())
}

fn mac(s: &str, secret: &str) -> Hmac<Sha512> {
    let mut mac = Hmac::<Sha512>::new_from_slice(secret.as_bytes()).expect("HMAC takes a key of any length");
    mac.update(s.as_bytes());
    mac
}

/// Where the signature of a document sits: the root `signature`, else `general.signature`.
pub fn find_signature(doc: &Value) -> Option<&str> {
    doc.get("signature").and_then(Value::as_str).or_else(|| doc.get("general").and_then(|g| g.get("signature")).and_then(Value::as_str))
}

/// Checks the signature carried by `doc` (root or `general`) in constant time.
pub fn verify(doc: &Value, secret: &str) -> Result<(), SignatureError> {
    if !doc.is_object() {
        return Err(SignatureError::NotAnObject);
    }
    let given = find_signature(doc).ok_or(SignatureError::Missing)?;
    let given = STANDARD.decode(given.trim()).map_err(|_| SignatureError::Mismatch)?;
    mac(&string_to_sign(doc), secret).verify_slice(&given).map_err(|_| SignatureError::Mismatch)
}

/// Returns a copy of `doc` signed with `secret`: `signature` set at the root, or in
/// `general` when the document has a `general` object (the Gate format).
pub fn with_signature(mut doc: Value, secret: &str) -> Value {
    let sig = Value::String(sign(&doc, secret));
    match doc.get_mut("general").and_then(Value::as_object_mut) {
        Some(general) => {
            general.insert("signature".into(), sig);
        }
        None => {
            if let Some(obj) = doc.as_object_mut() {
                obj.insert("signature".into(), sig);
            }
        }
    }
    doc
}

fn flatten(value: &Value, path: &str, out: &mut Vec<(String, String)>) {
    let child = |key: &str| -> String {
        let key = key.replace(':', "::");
        if path.is_empty() {
            key
        } else {
            format!("{path}:{key}")
        }
    };
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                if SKIPPED_KEYS.contains(&k.as_str()) {
                    continue;
                }
                flatten(v, &child(k), out);
            }
        }
        Value::Array(list) => {
            for (i, v) in list.iter().enumerate() {
                flatten(v, &child(&i.to_string()), out);
            }
        }
        Value::Null => out.push((path.to_string(), String::new())),
        Value::Bool(b) => out.push((path.to_string(), if *b { "1" } else { "0" }.to_string())),
        Value::Number(n) => out.push((path.to_string(), n.to_string())),
        Value::String(s) => out.push((path.to_string(), s.clone())),
    }
}

/// Natural order: runs of ASCII digits compare as numbers, other bytes by value.
pub fn natural_cmp(a: &str, b: &str) -> Ordering {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        if a[i].is_ascii_digit() && b[j].is_ascii_digit() {
            let si = i;
            while i < a.len() && a[i].is_ascii_digit() {
                i += 1;
            }
            let sj = j;
            while j < b.len() && b[j].is_ascii_digit() {
                j += 1;
            }
            let (ra, rb) = (trim_zeros(&a[si..i]), trim_zeros(&b[sj..j]));
            let ord = ra.len().cmp(&rb.len()).then_with(|| ra.cmp(rb));
            if ord != Ordering::Equal {
                return ord;
            }
            // Same number: the run with fewer leading zeros first, as strnatcmp does.
            let ord = (i - si).cmp(&(j - sj));
            if ord != Ordering::Equal {
                return ord;
            }
        } else {
            let ord = a[i].cmp(&b[j]);
            if ord != Ordering::Equal {
                return ord;
            }
            i += 1;
            j += 1;
        }
    }
    (a.len() - i).cmp(&(b.len() - j))
}

fn trim_zeros(run: &[u8]) -> &[u8] {
    let n = run.iter().take_while(|&&c| c == b'0').count();
    &run[n..]
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn natural_order_puts_2_before_10() {
        assert_eq!(natural_cmp("items:2", "items:10"), Ordering::Less);
        assert_eq!(natural_cmp("AuthCode", "account"), Ordering::Less);
        assert_eq!(natural_cmp("a", "a:b"), Ordering::Less);
    }

    #[test]
    fn lists_of_ten_or_more_sort_by_index_value() {
        let items: Vec<i32> = (0..12).collect();
        let s = string_to_sign(&json!({ "l": items }));
        assert!(s.starts_with("l:0:0;l:1:1;l:2:2;"), "{s}");
        assert!(s.ends_with("l:9:9;l:10:10;l:11:11"), "{s}");
    }

    #[test]
    fn colon_in_key_is_doubled_and_empty_containers_vanish() {
        let s = string_to_sign(&json!({"e:f": 1, "x": [], "y": {}, "n": null}));
        assert_eq!(s, "e::f:1;n:");
    }

    #[test]
    fn the_checked_signer_refuses_a_value_that_hides_a_parameter() {
        let doc = json!({"project_id": 250, "payment_amount": 500000, "customer_last_name": "Tan;payment_amount:1000;payment_amount_"});
        let e = sign_checked(&doc, "k").unwrap_err();
        assert_eq!((e.param.as_str(), e.hidden.as_str()), ("customer_last_name", "payment_amount"));
        assert!(e.to_string().starts_with("customer_last_name: refused to sign"), "{e}");
        // Gate: a nested value hiding a `general` item; a key of the document itself.
        let gate = json!({"general": {"project_id": 1}, "customer": {"last_name": "x;general:payment_id:y"}});
        assert_eq!(check_resplit(&gate).unwrap_err().param, "customer:last_name");
        assert_eq!(check_resplit(&json!({"a": "1;zz:2", "zz": 3})).unwrap_err().hidden, "zz");
        // `;` and `:` alone are fine, and the signature is the plain one.
        let ok = json!({"payment_description": "a;b: c;d", "customer_last_name": "O'Neil; Jr"});
        assert_eq!(sign_checked(&ok, "k"), Ok(sign(&ok, "k")));
    }

    #[test]
    fn signature_in_general_is_found_and_verified() {
        let doc = with_signature(json!({"general": {"project_id": 1, "payment_id": "p"}, "payment": {"amount": 100}}), "k");
        assert!(doc["general"]["signature"].is_string());
        assert_eq!(verify(&doc, "k"), Ok(()));
        assert_eq!(verify(&doc, "other"), Err(SignatureError::Mismatch));
    }
}
