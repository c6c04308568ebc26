//! Splicing: the signature joins a body's values as `path:value;path:value`, so a value
//! must not hold what would read as another item; signing after that check.

use crate::params::ParamError;
use crate::signature::{with_signature, SIGNED_OBJECTS, SKIPPED_KEYS};
use serde_json::Value;
use std::collections::HashMap;

// ---------------------------------------------------------------------------------------
// Splicing: the signature joins a body's values as `path:value;path:value`
// ---------------------------------------------------------------------------------------

/// The key paths and string values of a body, each with its dotted path
/// (`customer.last_name`), the keys the signature skips excepted.
pub(super) fn keys_and_texts<'a>(value: &'a Value, path: &str, keys: &mut Vec<(String, &'a str)>, texts: &mut Vec<(String, &'a str)>) {
    let child = |key: &str| if path.is_empty() { key.to_string() } else { format!("{path}.{key}") };
    match value {
        Value::Object(map) => {
            for (k, v) in map.iter().filter(|(k, _)| !SKIPPED_KEYS.contains(&k.as_str())) {
                keys.push((child(k), k));
                keys_and_texts(v, &child(k), keys, texts);
            }
        }
        Value::Array(list) => {
            for (i, v) in list.iter().enumerate() {
                keys_and_texts(v, &child(&i.to_string()), keys, texts);
            }
        }
        Value::String(s) => texts.push((path.to_string(), s)),
        _ => {}
    }
}

/// The text in `value` that could start another item of the signing string: a `;`
/// followed by a `:` before any other `;` (`;phone:` in `Tan;phone:254...`).
pub(super) fn hidden_item(value: &str) -> Option<&str> {
    value.match_indices(';').find_map(|(i, _)| {
        let rest = &value[i + 1..];
        let end = rest.find(';').unwrap_or(rest.len());
        rest[..end].find(':').map(|colon| &value[i..=i + 1 + colon])
    })
}

/// What the builders refuse to sign: a value holding `;name:` for any name. Gate takes
/// keys it does not know ("all parameters of the specification"), so `Tan;zz:1` would
/// also sign a body whose last name is `Tan` plus a `zz`; refused here, every reading of
/// what a builder signed other than its own is one [`resplit_problems`] refuses.
pub(super) fn separator_problems(doc: &Value) -> Vec<ParamError> {
    let (mut keys, mut texts) = (Vec::new(), Vec::new());
    keys_and_texts(doc, "", &mut keys, &mut texts);
    texts
        .into_iter()
        .filter_map(|(path, value)| {
            let hidden = hidden_item(value)?;
            Some(ParamError::new(
                &path,
                "separator",
                format!(
                    "must not contain {hidden:?}: the signature joins a body's values as path:value; so the same \
                     signature would also cover a body in which that text is another parameter"
                ),
            ))
        })
        .collect()
}

/// `doc` signed into `general.signature`, refusing what [`separator_problems`] refuses.
pub(super) fn signed(doc: Value, secret: &str) -> Result<Value, Vec<ParamError>> {
    let errs = separator_problems(&doc);
    if errs.is_empty() {
        Ok(with_signature(doc, secret))
    } else {
        Err(errs)
    }
}

/// What the platform refuses in a signed Gate body so that no two bodies it accepts share
/// a signing string, each naming its dotted path: a key holding `;` (it signs like two
/// items) or `:` (the signer writes it `::`, and a value that starts with `:` makes `::`
/// too: `last_name` = `::` signs like a key `last_name:` holding nothing), and a value
/// holding `;name:` for a Gate object or a top-level key of the body
/// (`customer.last_name` = `Tan;customer:phone:254...` signs exactly like a last name `Tan`
/// and a phone; `return_url.decline` = `https://a;return_url:success:https://a` like a
/// decline URL and a success URL). Nested keys are path-prefixed in the signing string
/// (`customer:last_name:Tan`), but values are not escaped, so the path does not make the
/// reading unique. Run it with the parameter checks, after the signature.
pub fn resplit_problems(doc: &Value) -> Vec<ParamError> {
    let (mut keys, mut texts) = (Vec::new(), Vec::new());
    keys_and_texts(doc, "", &mut keys, &mut texts);
    let own = doc.as_object().map(|o| o.keys().map(String::as_str).collect::<Vec<_>>()).unwrap_or_default();
    // Each name once, with its place in the order the names are tried (the Gate objects
    // first): built once, so every value is then read once, whatever the number of keys.
    let mut names: HashMap<&str, usize> = HashMap::new();
    for (i, name) in SIGNED_OBJECTS.iter().copied().chain(own).enumerate() {
        names.entry(name).or_insert(i);
    }
    let mut errs: Vec<ParamError> = keys
        .into_iter()
        .filter(|(_, key)| key.contains([';', ':']))
        .map(|(path, _)| {
            ParamError::new(
                &path,
                "separator",
                "a key must not contain ';' or ':': the signature joins items with ';' and a key to its value with ':', so it signs like other items",
            )
        })
        .collect();
    errs.extend(texts.into_iter().filter_map(|(path, value)| {
        let name = hidden_name(value, &names)?;
        Some(ParamError::new(
            &path,
            "separator",
            format!("must not contain \";{name}:\": the signature joins a body's values as path:value; so this value signs like another {name} item"),
        ))
    }));
    errs
}

/// The first of `names` (in their order) that `value` holds as `;name:`, reading `value`
/// once: each `;` starts one candidate, the text up to the next `:` unless a `;` comes
/// first, looked up in `names`. A name holding `;` or `:` is never found this way; such a
/// name is a key [`resplit_problems`] refuses anyway. Same answer as
/// [`resplit_name`](crate::params::resplit_name) for names without separators, in time
/// linear in `value` rather than in `value` times the number of names.
pub(super) fn hidden_name<'a>(value: &str, names: &HashMap<&'a str, usize>) -> Option<&'a str> {
    let mut best: Option<(usize, &'a str)> = None;
    let mut rest = value;
    while let Some(semi) = rest.find(';') {
        rest = &rest[semi + 1..];
        let Some(end) = rest.find([';', ':']) else { break };
        if rest.as_bytes()[end] == b':' {
            if let Some((name, &order)) = names.get_key_value(&rest[..end]) {
                if !matches!(best, Some((b, _)) if b <= order) {
                    best = Some((order, name));
                }
            }
        }
        rest = &rest[end..];
    }
    best.map(|(_, name)| name)
}
