//! The ECommPay/JetPay signature: HMAC-SHA512 over the flattened, naturally sorted
//! parameters, standard Base64. Byte for byte what the official SDKs produce
//! (the PHP SDK is the reference; see shared/vectors/README.md).

use base64::{engine::general_purpose::STANDARD, Engine as _};
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha512;

/// Natural order and the keys left out of the string to sign, shared with `params`.
pub use crate::signing_string::{natural_cmp, SKIPPED_KEYS};

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

/// What [`sign_checked`] gives: the signature (byte for byte what the official SDKs give
/// for the same set) and the reasons the platform would refuse the set, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signed {
    pub signature: String,
    /// Each names the parameter and the rule (code `name` or `separator`); empty when the
    /// platform reads the signing string back as exactly this set.
    pub warnings: Vec<crate::params::ParamError>,
}

/// Why the platform would refuse `params` because of how they sign (the structural rule of
/// [`crate::params`], "Splicing, by structure"): a key that is no readable name, or a
/// value holding `;X:` that the signing string would read as a later item X. A flat set (a
/// Payment Page set) gets the exact rule ([`crate::params::later_item`]); a nested document
/// the conservative one ([`crate::params::later_item_nested`]).
pub fn platform_problems(params: &Value) -> Vec<crate::params::ParamError> {
    use crate::params::{hidden_item, hidden_item_error, is_param_name, later_item_nested, ParamError};
    let mut out = Vec::new();
    let flat = params.as_object().is_some_and(|o| o.values().all(|v| !v.is_object() && !v.is_array()));
    fn keys(v: &Value, path: &str, out: &mut Vec<ParamError>) {
        let children: Box<dyn Iterator<Item = (String, &Value)>> = match v {
            Value::Object(m) => Box::new(m.iter().filter(|(k, _)| !SKIPPED_KEYS.contains(&k.as_str())).map(|(k, v)| (k.clone(), v))),
            Value::Array(l) => Box::new(l.iter().enumerate().map(|(i, v)| (i.to_string(), v))),
            _ => return,
        };
        for (k, child) in children {
            let at = if path.is_empty() { k.clone() } else { format!("{path}:{k}") };
            if !is_param_name(&k) {
                out.push(ParamError::new(
                    &at,
                    "name",
                    "is not a name the platform can read: 1 to 64 of A-Z a-z 0-9 _ - . [ ] (with ; or : it signs like other parameters)",
                ));
            }
            keys(child, &at, out);
        }
    }
    keys(params, "", &mut out);
    let mut items = Vec::new();
    flatten(params, "", &mut items);
    for (path, value) in &items {
        if flat {
            let named = |x: &str| params.get(x).is_some() || crate::params::KNOWN_PARAMS.contains(&x);
            if let Some(x) = hidden_item(path, value, named) {
                out.push(hidden_item_error(path, x));
            }
        } else if let Some(x) = later_item_nested(path, value) {
            out.push(ParamError::new(
                path,
                "separator",
                format!("holds \";{x}:\": the signature joins the parameters sorted by name as name:value; and {x} sorts after {path}, so this signs exactly like a shorter {path} followed by a parameter {x}; the platform refuses such a set"),
            ));
        }
    }
    out
}

/// [`sign`], plus what the platform would refuse ([`platform_problems`]): never refuses to
/// sign, since the official SDKs sign anything; `epay sign` prints the warnings on stderr.
/// A merchant signing values a customer typed should not send a set with warnings (issue
/// 13: a last name `Tan;payment_amount:1000;payment_amount_`).
pub fn sign_checked(params: &Value, secret: &str) -> Signed {
    Signed { signature: sign(params, secret), warnings: platform_problems(params) }
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::cmp::Ordering;

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
    fn the_checked_signer_signs_anything_and_warns_by_structure() {
        let doc = json!({"project_id": 250, "payment_amount": 500000, "customer_last_name": "Tan;payment_amount:1000;payment_amount_"});
        let signed = sign_checked(&doc, "k");
        assert_eq!(signed.signature, sign(&doc, "k"), "the same bytes as the SDKs");
        assert_eq!(signed.warnings.len(), 1, "{:?}", signed.warnings);
        assert_eq!((signed.warnings[0].param.as_str(), signed.warnings[0].code.as_str()), ("customer_last_name", "separator"));
        assert!(signed.warnings[0].message.contains(";payment_amount:"), "{:?}", signed.warnings);
        // Gate: a nested value hiding a `general` item; a key with a separator.
        let gate = json!({"general": {"project_id": 1}, "customer": {"last_name": "x;general:payment_id:y"}});
        assert_eq!(sign_checked(&gate, "k").warnings[0].param, "customer:last_name");
        assert_eq!(sign_checked(&json!({"a;b": 1}), "k").warnings[0].code, "name");
        // `;` and `:` alone, or `;X:` with X sorting before the value's name, are fine.
        let ok = json!({"payment_description": "a;b: c;d", "customer_last_name": "O'Neil; Jr", "zz": "x;note:y"});
        assert_eq!(sign_checked(&ok, "k"), Signed { signature: sign(&ok, "k"), warnings: vec![] });
        // A later name is flagged whatever it is, known or not.
        assert_eq!(sign_checked(&json!({"a": "1;zz:2"}), "k").warnings[0].param, "a");
    }

    #[test]
    fn signature_in_general_is_found_and_verified() {
        let doc = with_signature(json!({"general": {"project_id": 1, "payment_id": "p"}, "payment": {"amount": 100}}), "k");
        assert!(doc["general"]["signature"].is_string());
        assert_eq!(verify(&doc, "k"), Ok(()));
        assert_eq!(verify(&doc, "other"), Err(SignatureError::Mismatch));
    }
}
