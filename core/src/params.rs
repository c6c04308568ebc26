//! Payment Page parameters as the merchant signs them, and their validation.
//! Every refusal names the parameter and the rule.

use crate::catalog::CustomerField;
#[cfg(feature = "merchant")]
use crate::catalog::{methods_for, MethodCode, MethodProblem};
#[cfg(feature = "merchant")]
use crate::money::{is_currency_code, MinorUnits};
use serde::{Deserialize, Serialize};

/// One flat parameter value as it arrives from JS or JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Scalar {
    Bool(bool),
    Int(i64),
    Float(f64),
    Text(String),
    Null,
}

impl Scalar {
    /// The value as text, the way the signature sees it (`true` → `1`).
    pub fn to_text(&self) -> String {
        match self {
            Scalar::Bool(b) => if *b { "1" } else { "0" }.into(),
            Scalar::Int(i) => i.to_string(),
            Scalar::Float(f) => f.to_string(),
            Scalar::Text(s) => s.clone(),
            Scalar::Null => String::new(),
        }
    }
}

/// The parameters by name, sorted. A handful of entries: a sorted `Vec` does what a
/// `BTreeMap` would here, in a fraction of the widget's wasm.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Params(Vec<(String, Scalar)>);

impl Params {
    pub fn new() -> Params {
        Params(Vec::new())
    }
    fn find(&self, key: &str) -> Result<usize, usize> {
        self.0.binary_search_by(|(k, _)| k.as_str().cmp(key))
    }
    /// Sets `key`; returns the value it had.
    pub fn insert(&mut self, key: String, value: Scalar) -> Option<Scalar> {
        match self.find(&key) {
            Ok(i) => self.0.get_mut(i).map(|slot| std::mem::replace(&mut slot.1, value)),
            Err(i) => {
                self.0.insert(i, (key, value));
                None
            }
        }
    }
    pub fn get(&self, key: &str) -> Option<&Scalar> {
        self.find(key).ok().and_then(|i| self.0.get(i)).map(|(_, v)| v)
    }
    pub fn remove(&mut self, key: &str) -> Option<Scalar> {
        self.find(key).ok().map(|i| self.0.remove(i).1)
    }
    /// In key order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Scalar)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v))
    }
    pub fn len(&self) -> usize {
        self.0.len()
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl Params {
    /// The parameters from `pairs` in O(n log n) (one sort), where `insert` one by one is
    /// quadratic: a hostile body of 220 000 keys took 43 s of CPU that way. A later pair
    /// wins over an earlier one with the same key, as with `insert`.
    pub fn from_pairs(mut pairs: Vec<(String, Scalar)>) -> Params {
        // Stable: equal keys keep their order, so the last of a run is the latest pair.
        pairs.sort_by(|a, b| a.0.cmp(&b.0));
        let mut out: Vec<(String, Scalar)> = Vec::with_capacity(pairs.len());
        for (k, v) in pairs {
            match out.last_mut() {
                Some(last) if last.0 == k => last.1 = v,
                _ => out.push((k, v)),
            }
        }
        Params(out)
    }
}

/// The Payment Page parameters documented by the seeds (001/002 "Формат запросов": the base
/// and customer parameters, `force_payment_method`) and by the official SDKs' Payment Page
/// classes (`payment_page_sdk.payment.Payment` of PyPI `ecommpay-sdk` 1.0.6, `Payment` of npm
/// `ecommpay` 0.1.7, which also add `interface_type` to every URL), plus our merchant-signed
/// `return_url` (docs/protocol.md) and `signature`. Each has its own rule
/// ([`PaymentRequest::parse_fields`] for the ones a request is read from, [`documented_problems`]
/// for the others). Any other well-formed name is accepted and carried, with a warning
/// ([`undocumented_params`]): the seeds allow any Payment Page parameter.
pub const KNOWN_PARAMS: [&str; 57] = [
    "account_token",
    "baseurl",
    "best_before",
    "billing_address",
    "billing_city",
    "billing_country",
    "billing_postal",
    "billing_region",
    "card_operation_type",
    "cash_voucher_data",
    "cashier_default_mode",
    "cashier_force_mode",
    "cashier_manual_input",
    "cashier_max_value",
    "cashier_min_value",
    "cashier_predefined_amounts",
    "close_on_missclick",
    "css_modal_wrap",
    "customer_city",
    "customer_country",
    "customer_day_of_birth",
    "customer_email",
    "customer_first_name",
    "customer_id",
    "customer_last_name",
    "customer_phone",
    "customer_ssn",
    "customer_state",
    "force_acs_new_window",
    "force_payment_method",
    "frame_mode",
    "interface_type",
    "language_code",
    "list_payment_block",
    "merchant_fail_url",
    "merchant_success_url",
    "mode",
    "payment_amount",
    "payment_currency",
    "payment_description",
    "payment_extra_param",
    "payment_id",
    "project_id",
    "recurring_register",
    "redirect",
    "redirect_fail_mode",
    "redirect_fail_url",
    "redirect_on_mobile",
    "redirect_success_mode",
    "redirect_success_url",
    "redirect_tokenize_mode",
    "redirect_tokenize_url",
    "region_code",
    "return_url",
    "signature",
    "target_element",
    "terminal_id",
];

/// At most this many parameters in one request: refused before any other work, naming
/// the limit.
pub const MAX_PARAMS: usize = 64;
/// At most this many characters in one value.
pub const MAX_VALUE_CHARS: usize = 2048;
/// At most this many characters in a parameter name.
pub const MAX_NAME_CHARS: usize = 64;

/// The name among `names` that `value` could be re-split into: the signature joins the
/// parameters as `name:value;name:value`, so a value holding `;payment_amount:` signs
/// exactly like a shorter value followed by another `payment_amount` (issue 13). Used by
/// Gate's checks (core/src/gate.rs) and the demo shop; the Payment Page uses the
/// structural rule of [`later_item`].
pub fn resplit_name<'a>(value: &str, names: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    if !value.contains(';') {
        return None;
    }
    names
        .into_iter()
        .find(|name| value.match_indices(';').any(|(i, _)| value[i + 1..].strip_prefix(*name).is_some_and(|rest| rest.starts_with(':'))))
}

// ---------------------------------------------------------------------------------------
// Splicing, by structure (issue 23).
//
// The platform verifies the signature over the parameters it received, as received (JSON
// body or query string): it never re-splits a joined string. The only danger is two
// different sets with one signing string, hence one signature: a merchant signs S (with a
// value the customer typed), the customer sends S' instead. For a flat Payment Page set
// the signing string is `k1:v1;k2:v2;...;kn:vn`, the names sorted in natural order
// ([`crate::signature::natural_cmp`]), `signature` and `frame_mode` left out.
//
// 1. Names. A name the platform reads is 1-64 of `A-Z a-z 0-9 _ - . [ ]` ([`is_param_name`]).
//    So a name never holds `:` or `;`, and in an item the name ends at its first `:`.
//    A name outside this alphabet is refused by name (code `name`): `a;b` would sign
//    like two items, `a:b` like a nested path.
// 2. The platform's one reading of a string T ([`read_flat`]): the first item's name runs
//    to the first `:`; after that, a `;` starts a new item if and only if it is followed
//    by `X:` where X is a readable name, not one the signer leaves out, that sorts AFTER
//    the current item's name. Every real boundary of a sorted set is such a `;` (the next
//    name is readable and sorts after), so the reading only goes wrong on a value
//    holding `;X:` with X readable and later than the value's own name.
// 3. The rule ([`later_item`], code `separator`): a set is refused iff some value of
//    parameter k holds `;X:` with X readable, not left out by the signer, and
//    `natural_cmp(X, k) == Greater`. Equivalently: iff the platform's reading of its
//    signing string is a different set. A `;`, a `:`, `;X:` with X sorting before k
//    (`note;a:b` in `payment_description`), or with X not a readable name (`a; b:c`) are
//    all fine: no reading of the string can put an item there, because items are sorted.
// 3b. Rule 3 alone leaves issue 13's attack open (shown by the test
//    `a_customer_cannot_send_another_reading_of_a_set_the_shop_signed` in
//    cli/tests/hostile_input.rs): the shop signs S, whose last name
//    `Tan;payment_amount:1000;...;zzz:` rule 3 refuses, and the customer sends the reading
//    S' of the same string, in which `zzz` swallows the shop's real `;payment_amount:500000`
//    and the rest: `payment_amount` sorts before `zzz`, so rule 3 takes S'. So a value is
//    also refused when it holds `;X:` for an X that is a parameter of the set or one the
//    platform documents ([`KNOWN_PARAMS`]), in any order ([`hidden_item`]): a reading that
//    changes or drops a parameter the shop signed must swallow that parameter's real item
//    into another value, and this refuses it. What no rule on the received set can refuse:
//    a reading that adds a parameter the shop did not send, split off a value the shop
//    signed (the split set looks like any clean set). Our signers warn about every such
//    value; the README says to sign none.
// 4. Why no two different accepted sets S ≠ S' share a string T: take the first `;` of T
//    where one of them starts an item and the other does not. Up to there both read the
//    same items, so the item running over that `;` has the same name k in both. The one
//    that starts an item there starts it with `X:` where X is a readable name (rule 1)
//    sorting after k (the items are sorted); so in the other set, the value of k holds
//    `;X:` with X readable and later than k: rule 3 refuses it. (The proptest
//    `accepted_sets_never_share_a_signing_string` in core/tests/properties.rs checks it.)
//    `signature` and `frame_mode` are outside the string, as in every official SDK: sets
//    differing only there share a signature by design (`frame_mode` only chooses how the
//    page is shown; the platform decides nothing on it).
// 5. What it costs, and what it leaves. Rule 3 refuses S as soon as the platform's reading
//    of its string is another set S', even when S' would break another rule (a required
//    parameter swallowed): to accept such an S, the platform would have to show that no
//    other reading of the string passes every rule, a search over all the ways to split
//    at each `;X:` (two sets S1, S2 both breaking rule 3, whose reading fails, would
//    otherwise both be accepted). It stays one pass. What it leaves: a shop that signs
//    such an S anyway (the official SDKs sign anything without a word) hands out a
//    signature for the reading S', which the platform may accept; with a value the
//    customer typed, that is issue 13's attack. So our signers (`epay sign`,
//    [`crate::signature::sign_checked`]) sign S byte for byte as the SDKs do, but warn: a
//    shop must not send a set with warnings.
// 6. Nested documents (Gate, callbacks) have paths `a:b:c`; a path may also be a prefix of
//    a later one, so [`later_item_nested`] flags `;X:` when some path starting with X could
//    sort after the value's path (conservative; Gate's own checks are in gate.rs).
// ---------------------------------------------------------------------------------------

/// A name the platform reads as one parameter: 1-64 characters of ASCII letters, digits,
/// `_`, `-`, `.`, `[`, `]` (never `:` or `;`, the signing string's separators).
pub fn is_param_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= MAX_NAME_CHARS
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b'[' | b']'))
}

#[cfg(feature = "merchant")]
pub use platform_rules::*;

/// The platform's own checks (the sandbox, the CLI): not in the browser widget's wasm.
#[cfg(feature = "merchant")]
mod platform_rules {
    use super::*;

    /// The readable name `X` right after a `;` at byte `i` of `value`, when `;X:` follows.
    fn name_after(value: &str, i: usize) -> Option<&str> {
        let rest = &value[i + 1..];
        // A name is at most MAX_NAME_CHARS long: look no further for its `:` (one pass per value).
        let end = rest.bytes().take(MAX_NAME_CHARS + 1).position(|b| b == b':')?;
        let name = &rest[..end];
        (is_param_name(name) && !crate::signing_string::SKIPPED_KEYS.contains(&name)).then_some(name)
    }

    /// The first `X` for which `value` (of the flat parameter `key`) holds `;X:` with X a
    /// readable name sorting after `key`: where the platform's reading of the signing string
    /// would start another item (rule 3 above). One pass over the value.
    pub fn later_item<'a>(key: &str, value: &'a str) -> Option<&'a str> {
        hidden_item(key, value, |_| false)
    }

    /// Rule 3 and rule 3b together: the first `X` for which `value` (of the flat parameter
    /// `key`) holds `;X:` with X a readable name that sorts after `key` (rule 3: the value
    /// would split there) or for which `named(X)` holds, X being a parameter of the set or
    /// one the platform documents (rule 3b: the value would hold that parameter's real item,
    /// swallowed). One pass over the value.
    pub fn hidden_item<'a>(key: &str, value: &'a str, named: impl Fn(&str) -> bool) -> Option<&'a str> {
        value
            .match_indices(';')
            .filter_map(|(i, _)| name_after(value, i))
            .find(|x| crate::signing_string::natural_cmp(x, key) == std::cmp::Ordering::Greater || named(x))
    }

    /// `;X:` in a value of a flat set, explained: [`hidden_item`] found X in `key`'s value.
    pub fn hidden_item_error(key: &str, x: &str) -> ParamError {
        let message = if crate::signing_string::natural_cmp(x, key) == std::cmp::Ordering::Greater {
            format!(
                "must not contain \";{x}:\": the signature joins the parameters sorted by name as name:value; and {x} sorts after {key}, so this value signs exactly like a shorter {key} followed by a parameter {x}"
            )
        } else {
            format!(
                "must not contain \";{x}:\": {x} is a parameter of this set or one the platform reads, and the signature joins the parameters as name:value; so the same signature would cover a set in which {key} swallowed the real {x} and another {x} took its place"
            )
        };
        ParamError::new(key, "separator", message)
    }

    /// [`later_item`] for a value at a nested `path` (`customer:last_name`): flags `;X:` when
    /// some path `X` or `X:...` could sort after `path`.
    pub fn later_item_nested<'a>(path: &str, value: &'a str) -> Option<&'a str> {
        use std::cmp::Ordering::Greater;
        value.match_indices(';').filter_map(|(i, _)| name_after(value, i)).find(|x| {
            crate::signing_string::natural_cmp(x, path) == Greater
                || path.strip_prefix(*x).and_then(|rest| rest.bytes().next()).is_some_and(|b| b <= b':')
        })
    }

    /// The platform's one reading of a flat signing string (rule 2 above), as `(name, value)`
    /// items; `None` when its first item has no readable name. For a set the platform accepts,
    /// `read_flat(string_to_sign(set))` gives the set back.
    pub fn read_flat(s: &str) -> Option<Vec<(String, String)>> {
        if s.is_empty() {
            return Some(Vec::new());
        }
        let colon = s.find(':')?;
        let first = &s[..colon];
        if !is_param_name(first) {
            return None;
        }
        let mut items = vec![(first.to_string(), String::new())];
        let mut start = colon + 1;
        let mut i = start;
        while let Some(off) = s[i..].find(';') {
            let at = i + off;
            let current = items.last().map(|(k, _)| k.clone()).unwrap_or_default();
            match name_after(s, at).filter(|x| crate::signing_string::natural_cmp(x, &current) == std::cmp::Ordering::Greater) {
                Some(x) => {
                    if let Some(last) = items.last_mut() {
                        last.1 = s[start..at].to_string();
                    }
                    start = at + 1 + x.len() + 1;
                    items.push((x.to_string(), String::new()));
                    i = start;
                }
                None => i = at + 1,
            }
        }
        if let Some(last) = items.last_mut() {
            last.1 = s[start..].to_string();
        }
        Some(items)
    }

    /// The rule of a documented Payment Page parameter that a request is not read from.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum Rule {
        /// Free text (or a number): carried as it is.
        Text,
        /// `true`/`false`, `1`/`0` (the SDKs sign a boolean as `1`/`0`; their URLs carry
        /// `true`, `True`, `false`, `False`).
        Bool,
        /// A positive integer (digits in a query string).
        PositiveInt,
        /// An absolute https URL (plain http only to loopback hosts in the sandbox).
        Url,
        /// ISO 3166-1 alpha-2 in capitals (`KE`).
        Country,
        /// A mode name: 1-64 of `a-z 0-9 _ -`.
        Mode,
        /// Where the customer goes after the result: `parent_page` or `iframe`.
        RedirectMode,
        /// `sale` or `auth`.
        CardOperation,
        /// A JSON object with an integer `id` (`{"id": 24}`, as the SDKs send it).
        InterfaceType,
        /// `DD-MM-YYYY`.
        DayOfBirth,
        /// ISO 8601 date and time (`2026-12-31T23:59:59`, optional fraction and offset).
        DateTime,
        /// The last 4 digits of a US social security number.
        Ssn,
        /// Positive integers separated by commas (`100,500,1000`).
        AmountList,
        /// Standard Base64 with padding.
        Base64,
    }

    /// The documented parameters [`PaymentRequest::parse_fields`] does not read, each with its
    /// rule (the list of [`KNOWN_PARAMS`] minus the 14 a request is read from).
    const PAGE_RULES: [(&str, Rule); 43] = [
        ("account_token", Rule::Text),
        ("baseurl", Rule::Url),
        ("best_before", Rule::DateTime),
        ("billing_address", Rule::Text),
        ("billing_city", Rule::Text),
        ("billing_country", Rule::Country),
        ("billing_postal", Rule::Text),
        ("billing_region", Rule::Text),
        ("card_operation_type", Rule::CardOperation),
        ("cash_voucher_data", Rule::Base64),
        ("cashier_default_mode", Rule::Mode),
        ("cashier_force_mode", Rule::Mode),
        ("cashier_manual_input", Rule::Bool),
        ("cashier_max_value", Rule::PositiveInt),
        ("cashier_min_value", Rule::PositiveInt),
        ("cashier_predefined_amounts", Rule::AmountList),
        ("close_on_missclick", Rule::Bool),
        ("css_modal_wrap", Rule::Text),
        ("customer_city", Rule::Text),
        ("customer_country", Rule::Country),
        ("customer_day_of_birth", Rule::DayOfBirth),
        ("customer_ssn", Rule::Ssn),
        ("customer_state", Rule::Text),
        ("force_acs_new_window", Rule::Bool),
        ("frame_mode", Rule::Mode),
        ("interface_type", Rule::InterfaceType),
        ("list_payment_block", Rule::Mode),
        ("merchant_fail_url", Rule::Url),
        ("merchant_success_url", Rule::Url),
        ("mode", Rule::Mode),
        ("payment_extra_param", Rule::Text),
        ("recurring_register", Rule::Bool),
        ("redirect", Rule::Bool),
        ("redirect_fail_mode", Rule::RedirectMode),
        ("redirect_fail_url", Rule::Url),
        ("redirect_on_mobile", Rule::Bool),
        ("redirect_success_mode", Rule::RedirectMode),
        ("redirect_success_url", Rule::Url),
        ("redirect_tokenize_mode", Rule::RedirectMode),
        ("redirect_tokenize_url", Rule::Url),
        ("region_code", Rule::Country),
        ("target_element", Rule::Text),
        ("terminal_id", Rule::PositiveInt),
    ];

    /// The documented parameters whose values are URLs the customer may be sent to.
    pub const URL_PARAMS: [&str; 6] =
        ["baseurl", "merchant_fail_url", "merchant_success_url", "redirect_fail_url", "redirect_success_url", "redirect_tokenize_url"];

    /// The boolean parameters: the platform also verifies a signature with their text forms
    /// `true`/`false` read as the `1`/`0` the SDKs signed.
    pub fn is_bool_param(key: &str) -> bool {
        PAGE_RULES.iter().any(|(k, r)| *k == key && *r == Rule::Bool)
    }

    /// `true`, `True`, `1` → `Some(true)`; `false`, `False`, `0` → `Some(false)`.
    pub fn bool_text(s: &str) -> Option<bool> {
        match s {
            "1" | "true" | "True" => Some(true),
            "0" | "false" | "False" => Some(false),
            _ => None,
        }
    }

    fn all_digits(s: &str) -> bool {
        !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
    }

    fn two_digits(s: &str, lo: u32, hi: u32) -> bool {
        s.len() == 2 && all_digits(s) && s.parse::<u32>().is_ok_and(|n| (lo..=hi).contains(&n))
    }

    fn is_date(y: &str, m: &str, d: &str) -> bool {
        y.len() == 4 && all_digits(y) && two_digits(m, 1, 12) && two_digits(d, 1, 31)
    }

    fn is_date_time(s: &str) -> bool {
        let Some((date, time)) = s.split_once(['T', ' ']) else { return false };
        let mut d = date.split('-');
        let (Some(y), Some(m), Some(day), None) = (d.next(), d.next(), d.next(), d.next()) else { return false };
        if !is_date(y, m, day) || time.len() < 8 {
            return false;
        }
        let (hms, mut rest) = time.split_at(8);
        let b = hms.as_bytes();
        if !(two_digits(&hms[0..2], 0, 23)
            && b[2] == b':'
            && two_digits(&hms[3..5], 0, 59)
            && b[5] == b':'
            && two_digits(&hms[6..8], 0, 60))
        {
            return false;
        }
        if let Some(frac) = rest.strip_prefix('.') {
            let n = frac.bytes().take_while(u8::is_ascii_digit).count();
            if n == 0 {
                return false;
            }
            rest = &frac[n..];
        }
        match rest {
            "" | "Z" => true,
            o if o.starts_with(['+', '-']) => {
                let o = o[1..].replace(':', "");
                o.len() == 4 && two_digits(&o[..2], 0, 23) && two_digits(&o[2..], 0, 59)
            }
            _ => false,
        }
    }

    fn check_rule(rule: Rule, v: &Scalar) -> Result<(), String> {
        let text = match v {
            Scalar::Text(s) => Some(s.as_str()),
            _ => None,
        };
        let int = match v {
            Scalar::Int(i) => Some(*i),
            Scalar::Text(s) if all_digits(s) && s.len() <= 18 => s.parse().ok(),
            _ => None,
        };
        let ok = match rule {
            Rule::Text => !matches!(v, Scalar::Bool(_)),
            Rule::Bool => matches!(v, Scalar::Bool(_) | Scalar::Int(0 | 1)) || text.and_then(bool_text).is_some(),
            Rule::PositiveInt => int.is_some_and(|i| i > 0),
            Rule::Url => match text {
                Some(s) => {
                    return crate::redirect::check_url(s, crate::redirect::UrlPolicy { allow_loopback_http: true }).map_err(|e| {
                        format!(
                            "must be an absolute https URL (plain http only to 127.0.0.1, localhost or [::1] in the sandbox): {}",
                            e.to_string().replacen("redirect_data.url: ", "", 1)
                        )
                    })
                }
                None => false,
            },
            Rule::Country => text.is_some_and(|s| s.len() == 2 && s.bytes().all(|b| b.is_ascii_uppercase())),
            Rule::Mode => text.is_some_and(|s| {
                s.len() <= 64 && !s.is_empty() && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
            }),
            Rule::RedirectMode => matches!(text, Some("parent_page" | "iframe")),
            Rule::CardOperation => matches!(text, Some("sale" | "auth")),
            Rule::InterfaceType => text
                .and_then(|s| serde_json::from_str::<serde_json::Value>(s).ok())
                .is_some_and(|j| j.get("id").is_some_and(|id| id.is_i64() || id.is_u64())),
            Rule::DayOfBirth => text.is_some_and(|s| {
                let p: Vec<&str> = s.split('-').collect();
                p.len() == 3 && is_date(p[2], p[1], p[0])
            }),
            Rule::DateTime => text.is_some_and(is_date_time),
            Rule::Ssn => match v {
                Scalar::Int(i) => (0..=9999).contains(i),
                _ => text.is_some_and(|s| s.len() == 4 && all_digits(s)),
            },
            Rule::AmountList => {
                text.is_some_and(|s| s.split(',').all(|a| all_digits(a.trim()) && a.trim().parse::<u64>().is_ok_and(|n| n > 0)))
            }
            Rule::Base64 => text.is_some_and(|s| {
                use base64::Engine as _;
                !s.is_empty() && base64::engine::general_purpose::STANDARD.decode(s).is_ok()
            }),
        };
        if ok {
            return Ok(());
        }
        Err(match rule {
            Rule::Text => "must be a string".into(),
            Rule::Bool => "must be a boolean: true or false (1 or 0)".into(),
            Rule::PositiveInt => "must be a positive integer".into(),
            Rule::Url => "must be a string holding an absolute https URL".into(),
            Rule::Country => "must be an ISO 3166-1 alpha-2 code in capitals such as KE".into(),
            Rule::Mode => "must be a mode name: 1 to 64 of a-z 0-9 _ -".into(),
            Rule::RedirectMode => "must be parent_page or iframe".into(),
            Rule::CardOperation => "must be sale or auth".into(),
            Rule::InterfaceType => "must be a JSON object with an integer id, such as {\"id\": 24}".into(),
            Rule::DayOfBirth => "must be a date as DD-MM-YYYY".into(),
            Rule::DateTime => "must be an ISO 8601 date and time such as 2026-12-31T23:59:59+00:00".into(),
            Rule::Ssn => "must be the last 4 digits of the social security number".into(),
            Rule::AmountList => "must be positive integers in minor units separated by commas, such as 1000,5000".into(),
            Rule::Base64 => "must be standard Base64".into(),
        })
    }

    /// Each documented parameter a request is not read from, checked by its own rule
    /// ([`PAGE_RULES`]); error code `format`, naming the parameter and the rule.
    pub fn documented_problems(p: &Params) -> Vec<ParamError> {
        PAGE_RULES
            .iter()
            .filter_map(|(key, rule)| match p.get(key) {
                None | Some(Scalar::Null) => None,
                Some(v) => check_rule(*rule, v).err().map(|why| ParamError::new(key, "format", why)),
            })
            .collect()
    }

    /// The parameters of `p` that no seed and no official SDK documents: accepted and carried
    /// (the seeds allow any Payment Page parameter), but production may treat them differently.
    pub fn undocumented_params(p: &Params) -> Vec<&str> {
        p.iter().map(|(k, _)| k).filter(|k| !KNOWN_PARAMS.contains(k)).collect()
    }
}

/// The problems that stop a request before any other work: too many parameters, a value
/// too long. Cheap (one pass), so the platform runs it before checking the signature.
pub fn size_problems<'a>(count: usize, texts: impl Iterator<Item = (&'a str, &'a str)>) -> Vec<ParamError> {
    let mut errs = Vec::new();
    if count > MAX_PARAMS {
        errs.push(ParamError::new(
            "params",
            "too_many",
            format!("{count} parameters sent; at most {MAX_PARAMS} are accepted (the Payment Page documents {})", KNOWN_PARAMS.len()),
        ));
        return errs;
    }
    for (key, text) in texts {
        // `len` first: chars are at most bytes, so short values cost nothing more.
        if text.len() > MAX_VALUE_CHARS && text.chars().count() > MAX_VALUE_CHARS {
            errs.push(ParamError::new(key, "too_long", format!("must be at most {MAX_VALUE_CHARS} characters")));
        }
    }
    errs
}

impl<const N: usize> From<[(String, Scalar); N]> for Params {
    fn from(entries: [(String, Scalar); N]) -> Params {
        let mut p = Params::new();
        for (k, v) in entries {
            p.insert(k, v);
        }
        p
    }
}

/// A refused parameter: `param` names it, `code` is stable for programs, `message` says the rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParamError {
    pub param: String,
    pub code: String,
    pub message: String,
}

impl ParamError {
    pub fn new(param: &str, code: &str, message: impl Into<String>) -> Self {
        ParamError { param: param.into(), code: code.into(), message: message.into() }
    }
}

impl std::fmt::Display for ParamError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.param, self.message)
    }
}
impl std::error::Error for ParamError {}

/// Customer data the merchant sent (or the customer typed).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerData {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
}

impl CustomerData {
    pub fn get(&self, f: CustomerField) -> Option<&str> {
        match f {
            CustomerField::FirstName => self.first_name.as_deref(),
            CustomerField::LastName => self.last_name.as_deref(),
            CustomerField::Email => self.email.as_deref(),
            CustomerField::Phone => self.phone.as_deref(),
        }
    }
    pub fn set(&mut self, f: CustomerField, v: Option<String>) {
        let slot = match f {
            CustomerField::FirstName => &mut self.first_name,
            CustomerField::LastName => &mut self.last_name,
            CustomerField::Email => &mut self.email,
            CustomerField::Phone => &mut self.phone,
        };
        *slot = v;
    }
    pub fn has(&self, f: CustomerField) -> bool {
        self.get(f).is_some_and(|v| !v.trim().is_empty())
    }
    /// Fills the gaps of `self` from `other` (the merchant's values win).
    pub fn merged_with(&self, other: &CustomerData) -> CustomerData {
        let mut out = self.clone();
        for f in CustomerField::ALL {
            if !out.has(f) {
                out.set(f, other.get(f).map(str::to_string));
            }
        }
        out
    }
}

/// A validated Payment Page request.
#[cfg(feature = "merchant")]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentRequest {
    pub project_id: u64,
    pub payment_id: String,
    pub amount: MinorUnits,
    pub currency: String,
    pub customer_id: String,
    pub customer: CustomerData,
    pub forced_method: Option<MethodCode>,
    pub language_code: Option<String>,
    pub description: Option<String>,
    /// Where the partner sends the customer back, when the merchant signed one
    /// (our design, docs/protocol.md); else the platform takes the page's URL on the
    /// project's registered origin.
    pub return_url: Option<String>,
    /// The methods the customer may choose from: the forced one, or all that fit.
    pub methods: Vec<MethodCode>,
}

#[cfg(feature = "merchant")]
fn text<'a>(p: &'a Params, key: &str) -> Option<&'a Scalar> {
    match p.get(key) {
        None | Some(Scalar::Null) => None,
        Some(Scalar::Text(s)) if s.trim().is_empty() => None,
        Some(v) => Some(v),
    }
}

#[cfg(feature = "merchant")]
fn id_like(p: &Params, key: &str, errs: &mut Vec<ParamError>) -> Option<String> {
    match text(p, key) {
        None => {
            errs.push(ParamError::new(key, "required", "is required"));
            None
        }
        Some(Scalar::Text(s)) if s.chars().count() > 255 || s.chars().any(|c| c.is_control() || c == ';') => {
            errs.push(ParamError::new(
                key,
                "format",
                "must be at most 255 characters with no control characters and no ; (the signature's separator)",
            ));
            None
        }
        Some(Scalar::Text(s)) => Some(s.clone()),
        Some(Scalar::Int(i)) => Some(i.to_string()),
        Some(_) => {
            errs.push(ParamError::new(key, "type", "must be a string or an integer"));
            None
        }
    }
}

/// A refused value as an error message shows it: like `Scalar::to_text`, except that a
/// non-integer number is described, not printed (no float formatting in the server library's wasm).
#[cfg(feature = "merchant")]
fn shown(v: &Scalar) -> String {
    match v {
        Scalar::Bool(b) => if *b { "1" } else { "0" }.into(),
        Scalar::Int(i) => i.to_string(),
        Scalar::Text(s) => s.clone(),
        Scalar::Null => String::new(),
        Scalar::Float(f) if !f.is_finite() => "a number that is not finite".into(),
        Scalar::Float(f) if f.fract() != 0.0 => "a number with a fraction".into(),
        Scalar::Float(_) => "a number too large to be exact".into(),
    }
}

#[cfg(feature = "merchant")]
fn positive_int(p: &Params, key: &str, what: &str, errs: &mut Vec<ParamError>) -> Option<i64> {
    let bad = |errs: &mut Vec<ParamError>, got: String| {
        errs.push(ParamError::new(key, "integer", format!("must be {what}, got {got}")));
        None
    };
    match text(p, key) {
        None => {
            errs.push(ParamError::new(key, "required", "is required"));
            None
        }
        Some(Scalar::Int(i)) if *i > 0 => Some(*i),
        Some(Scalar::Text(s)) if !s.is_empty() && s.len() <= 18 && s.bytes().all(|b| b.is_ascii_digit()) => match s.parse::<i64>() {
            Ok(i) if i > 0 => Some(i),
            _ => bad(errs, format!("\"{s}\"")),
        },
        Some(other) => bad(
            errs,
            match other {
                Scalar::Text(s) => format!("\"{s}\""),
                v => shown(v),
            },
        ),
    }
}

/// The problem of one method with a currency and amount, in words.
#[cfg(feature = "merchant")]
pub fn method_problem_message(method: MethodCode, currency: &str, problem: &MethodProblem) -> String {
    match problem {
        MethodProblem::Currency { accepted } => {
            format!("{} accepts only {}; got {currency}", method.as_str(), accepted.join(", "))
        }
        MethodProblem::BelowMin { min } => {
            format!("{} takes at least {} ({} minor units)", method.as_str(), min.format_plain(currency), min.0)
        }
        MethodProblem::AboveMax { max } => {
            format!("{} takes at most {} ({} minor units)", method.as_str(), max.format_plain(currency), max.0)
        }
    }
}

#[cfg(feature = "merchant")]
impl PaymentRequest {
    /// Each field's own rule, without the set checks ([`parse`](Self::parse) runs both).
    /// The platform's alone (issue 26): the browser widget sends the parameters to `open`
    /// and shows what it answers, so none of these rules is compiled into its wasm.
    pub fn parse_fields(p: &Params) -> Result<PaymentRequest, Vec<ParamError>> {
        let mut errs = Vec::new();
        let project_id = positive_int(p, "project_id", "a positive integer", &mut errs);
        let payment_id = id_like(p, "payment_id", &mut errs);
        let customer_id = id_like(p, "customer_id", &mut errs);
        let amount = positive_int(p, "payment_amount", "a positive integer in minor units (1000 is 10.00)", &mut errs).map(MinorUnits);
        let currency = match text(p, "payment_currency") {
            None => {
                errs.push(ParamError::new("payment_currency", "required", "is required"));
                None
            }
            Some(Scalar::Text(s)) if is_currency_code(s) => Some(s.clone()),
            Some(v) => {
                errs.push(ParamError::new(
                    "payment_currency",
                    "currency_format",
                    format!("must be an ISO 4217 alpha-3 code in capitals such as KES, got \"{}\"", shown(v)),
                ));
                None
            }
        };
        match text(p, "signature") {
            Some(Scalar::Text(_)) => {}
            None => errs.push(ParamError::new(
                "signature",
                "required",
                "is required: sign the parameters on your server with the project secret",
            )),
            Some(_) => errs.push(ParamError::new("signature", "type", "must be a string (Base64)")),
        }

        let mut customer = CustomerData::default();
        for f in CustomerField::ALL {
            match text(p, f.param()) {
                None => {}
                Some(Scalar::Text(s)) => match f.check(s) {
                    Ok(()) => customer.set(f, Some(s.clone())),
                    Err(problem) => errs.push(ParamError::new(f.param(), "format", problem.rule())),
                },
                Some(Scalar::Int(i)) if f == CustomerField::Phone => customer.set(f, Some(i.to_string())),
                Some(_) => errs.push(ParamError::new(f.param(), "type", "must be a string")),
            }
        }

        let forced_method = match text(p, "force_payment_method") {
            None => None,
            Some(Scalar::Text(s)) => match MethodCode::parse(s) {
                Some(m) => Some(m),
                None => {
                    errs.push(ParamError::new(
                        "force_payment_method",
                        "unknown_method",
                        format!("must be one of {}; got \"{s}\"", MethodCode::ALL.map(MethodCode::as_str).join(", ")),
                    ));
                    None
                }
            },
            Some(_) => {
                errs.push(ParamError::new("force_payment_method", "type", "must be a string"));
                None
            }
        };
        let opt_text = |key: &str, errs: &mut Vec<ParamError>| match text(p, key) {
            None => None,
            Some(Scalar::Text(s)) => Some(s.clone()),
            Some(_) => {
                errs.push(ParamError::new(key, "type", "must be a string"));
                None
            }
        };
        let language_code = opt_text("language_code", &mut errs);
        let description = opt_text("payment_description", &mut errs);
        let return_url = opt_text("return_url", &mut errs);

        let mut methods = Vec::new();
        if let (Some(currency), Some(amount)) = (&currency, amount) {
            match forced_method {
                Some(m) => match m.rule().check(currency, amount) {
                    Ok(()) => methods.push(m),
                    Err(problem) => {
                        let param = match problem {
                            MethodProblem::Currency { .. } => "payment_currency",
                            _ => "payment_amount",
                        };
                        let code = match problem {
                            MethodProblem::Currency { .. } => "currency_not_supported",
                            _ => "amount_out_of_range",
                        };
                        errs.push(ParamError::new(param, code, method_problem_message(m, currency, &problem)));
                    }
                },
                None => {
                    methods = methods_for(currency, amount);
                    if methods.is_empty() {
                        let currency_known = MethodCode::ALL.iter().any(|m| m.rule().currencies.iter().any(|l| l.currency == currency));
                        if currency_known {
                            let why: Vec<String> = MethodCode::ALL
                                .iter()
                                .filter_map(|m| m.rule().check(currency, amount).err().map(|e| (m, e)))
                                .filter(|(_, e)| !matches!(e, MethodProblem::Currency { .. }))
                                .map(|(m, e)| method_problem_message(*m, currency, &e))
                                .collect();
                            errs.push(ParamError::new("payment_amount", "amount_out_of_range", why.join("; ")));
                        } else {
                            errs.push(ParamError::new(
                                "payment_currency",
                                "currency_not_supported",
                                format!("no payment method accepts {currency}: {}", accepted_currencies()),
                            ));
                        }
                    }
                }
            }
        }

        if !errs.is_empty() {
            return Err(one_per_param(errs));
        }
        Ok(PaymentRequest {
            project_id: project_id.unwrap_or_default() as u64,
            payment_id: payment_id.unwrap_or_default(),
            amount: amount.unwrap_or(MinorUnits(0)),
            currency: currency.unwrap_or_default(),
            customer_id: customer_id.unwrap_or_default(),
            customer,
            forced_method,
            language_code,
            description,
            return_url,
            methods,
        })
    }

    /// The fields the customer must be asked for before paying with `method`.
    pub fn fields_to_ask(&self, method: MethodCode) -> Vec<CustomerField> {
        method.rule().fields_to_ask(|f| self.customer.has(f))
    }
}

#[cfg(feature = "merchant")]
impl PaymentRequest {
    /// Validates Payment Page parameters as the platform does: the whole set first (its size,
    /// readable names, no value that the signing string would read as another item), then
    /// each field, then the documented parameters a request is not read from
    /// ([`documented_problems`]). All problems are reported, each naming its parameter.
    /// `signature` presence is checked; its value is the platform's to verify.
    pub fn parse(p: &Params) -> Result<PaymentRequest, Vec<ParamError>> {
        let mut errs = Self::set_problems(p);
        if p.len() > MAX_PARAMS {
            return Err(errs);
        }
        errs.extend(documented_problems(p));
        match Self::parse_fields(p) {
            Ok(r) if errs.is_empty() => Ok(r),
            Ok(_) => Err(one_per_param(errs)),
            Err(more) => {
                errs.extend(more);
                Err(one_per_param(errs))
            }
        }
    }

    /// The checks of the whole set that defend the signature (the module's "Splicing, by
    /// structure": names the platform can read, no value read as a later item).
    pub fn set_problems(p: &Params) -> Vec<ParamError> {
        let texts = || {
            p.iter().filter_map(|(k, v)| match v {
                Scalar::Text(s) => Some((k, s.as_str())),
                _ => None,
            })
        };
        let mut errs = size_problems(p.len(), texts());
        if p.len() > MAX_PARAMS {
            return errs;
        }
        for (key, _) in p.iter().filter(|(k, _)| !is_param_name(k)) {
            errs.push(ParamError::new(
                key,
                "name",
                format!(
                    "is not a Payment Page parameter name the platform can read: a name is 1 to {MAX_NAME_CHARS} of A-Z a-z 0-9 _ - . [ ] (with ; or : it would sign like other parameters)"
                ),
            ));
        }
        // Numbers and booleans cannot hold a `;`: only text is looked at; the values the
        // signer leaves out (`signature`, `frame_mode`) cannot be spliced.
        for (key, value) in texts().filter(|(k, _)| is_param_name(k) && !crate::signature::SKIPPED_KEYS.contains(k)) {
            if let Some(name) = hidden_item(key, value, |x| p.get(x).is_some() || KNOWN_PARAMS.contains(&x)) {
                errs.push(hidden_item_error(key, name));
            }
        }
        errs
    }
}

/// One problem per parameter: the first found (size, name, separator) wins.
#[cfg(feature = "merchant")]
fn one_per_param(mut errs: Vec<ParamError>) -> Vec<ParamError> {
    let mut seen: Vec<String> = Vec::new();
    errs.retain(|e| {
        let first = !seen.contains(&e.param);
        if first {
            seen.push(e.param.clone());
        }
        first
    });
    errs
}

/// `card-partner takes KES or USD, epaycash takes MYR, paydala takes KZT`, from the catalog.
#[cfg(feature = "merchant")]
fn accepted_currencies() -> String {
    let takes =
        |m: &MethodCode| [m.as_str(), " takes ", &m.rule().currencies.iter().map(|c| c.currency).collect::<Vec<_>>().join(" or ")].concat();
    MethodCode::ALL.iter().map(takes).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn params_keep_one_value_per_name_in_name_order() {
        let mut p = Params::from([("b".to_string(), Scalar::Int(1)), ("a".to_string(), Scalar::Null)]);
        assert_eq!(p.insert("b".into(), Scalar::Int(2)), Some(Scalar::Int(1)));
        assert_eq!(p.insert("c".into(), Scalar::Bool(true)), None);
        assert_eq!(p.iter().map(|(k, _)| k).collect::<Vec<_>>(), ["a", "b", "c"]);
        assert_eq!((p.get("b"), p.get("z"), p.len()), (Some(&Scalar::Int(2)), None, 3));
        assert_eq!(p.remove("a"), Some(Scalar::Null));
        assert_eq!((p.remove("a"), p.len(), p.is_empty()), (None, 2, false));
    }

    fn base(currency: &str, amount: i64) -> Params {
        let mut p = Params::new();
        p.insert("project_id".into(), Scalar::Int(250));
        p.insert("payment_id".into(), Scalar::Text("X03936".into()));
        p.insert("payment_amount".into(), Scalar::Int(amount));
        p.insert("payment_currency".into(), Scalar::Text(currency.into()));
        p.insert("customer_id".into(), Scalar::Text("customer1".into()));
        p.insert("signature".into(), Scalar::Text("c2ln".into()));
        p
    }

    fn only_error(p: &Params) -> ParamError {
        let errs = PaymentRequest::parse(p).unwrap_err();
        assert_eq!(errs.len(), 1, "{errs:?}");
        errs[0].clone()
    }

    #[test]
    fn seed_card_partner_example_is_valid_and_offers_card_partner() {
        let mut p = base("KES", 10000);
        p.insert("customer_phone".into(), Scalar::Text("123456789".into()));
        p.insert("customer_email".into(), Scalar::Text("customer@example.com".into()));
        let r = PaymentRequest::parse(&p).unwrap();
        assert_eq!(r.methods, vec![MethodCode::CardPartner]);
        assert!(r.fields_to_ask(MethodCode::CardPartner).is_empty());
    }

    #[test]
    fn every_base_parameter_is_required_and_named() {
        for key in ["project_id", "payment_id", "payment_amount", "payment_currency", "customer_id", "signature"] {
            let mut p = base("KES", 10000);
            p.remove(key);
            let e = only_error(&p);
            assert_eq!((e.param.as_str(), e.code.as_str()), (key, "required"));
        }
    }

    #[test]
    fn fractional_amount_is_refused_with_the_rule() {
        let mut p = base("KES", 10000);
        p.insert("payment_amount".into(), Scalar::Float(100.5));
        let e = only_error(&p);
        assert_eq!(e.param, "payment_amount");
        assert!(e.message.contains("minor units"), "{e}");
    }

    #[test]
    fn lower_case_currency_is_refused() {
        let e = only_error(&base("kes", 10000));
        assert_eq!((e.param.as_str(), e.code.as_str()), ("payment_currency", "currency_format"));
    }

    #[test]
    fn forced_method_with_the_wrong_currency_is_refused() {
        let mut p = base("MYR", 10000);
        p.insert("force_payment_method".into(), Scalar::Text("card-partner".into()));
        let e = only_error(&p);
        assert_eq!(e.param, "payment_currency");
        assert_eq!(e.message, "card-partner accepts only KES, USD; got MYR");
        let mut p = base("KES", 10000);
        p.insert("force_payment_method".into(), Scalar::Text("epaycash".into()));
        assert_eq!(only_error(&p).message, "epaycash accepts only MYR; got KES");
    }

    #[test]
    fn amount_outside_card_limits_names_the_limit() {
        let e = only_error(&base("USD", 300_001));
        assert_eq!(e.param, "payment_amount");
        assert!(e.message.contains("3,000.00 USD"), "{e}");
        let e = only_error(&base("KES", 999));
        assert!(e.message.contains("10.00 KES"), "{e}");
    }

    #[test]
    fn unsupported_currency_is_named() {
        // XTS: ISO 4217's code for testing, which no method will take.
        let e = only_error(&base("XTS", 1000));
        assert_eq!(e.code, "currency_not_supported");
    }

    #[test]
    fn epay_asks_for_missing_customer_fields() {
        let mut p = base("MYR", 500000);
        p.insert("customer_first_name".into(), Scalar::Text("Putra".into()));
        let r = PaymentRequest::parse(&p).unwrap();
        assert_eq!(r.fields_to_ask(MethodCode::EpayCash), vec![CustomerField::LastName, CustomerField::Email, CustomerField::Phone]);
    }

    #[test]
    fn bad_email_from_merchant_is_refused() {
        let mut p = base("KES", 10000);
        p.insert("customer_email".into(), Scalar::Text("nope".into()));
        assert_eq!(only_error(&p).param, "customer_email");
    }

    #[test]
    fn unknown_forced_method_lists_known_codes() {
        let mut p = base("KES", 10000);
        p.insert("force_payment_method".into(), Scalar::Text("card".into()));
        let e = only_error(&p);
        assert_eq!(e.code, "unknown_method");
        assert!(e.message.contains(&MethodCode::ALL.map(MethodCode::as_str).join(", ")), "{}", e.message);
    }

    #[test]
    fn from_pairs_keeps_the_last_value_of_a_key_in_key_order() {
        let pairs = vec![("b".to_string(), Scalar::Int(1)), ("a".to_string(), Scalar::Null), ("b".to_string(), Scalar::Int(2))];
        let mut one_by_one = Params::new();
        for (k, v) in pairs.clone() {
            one_by_one.insert(k, v);
        }
        assert_eq!(Params::from_pairs(pairs), one_by_one);
    }

    #[test]
    fn names_the_signing_string_cannot_hold_are_refused_by_name() {
        let mut p = base("KES", 10000);
        p.insert("payment_amount_;payment_amount".into(), Scalar::Text("500000".into()));
        let e = only_error(&p);
        assert_eq!((e.param.as_str(), e.code.as_str()), ("payment_amount_;payment_amount", "name"));
        assert!(e.message.contains("not a Payment Page parameter name"), "{e}");
        for bad in ["a:b", "", "é", &"x".repeat(65)] {
            assert!(!is_param_name(bad), "{bad}");
        }
        for good in ["a", "items[0]", "x-y.z", "A_1"] {
            assert!(is_param_name(good), "{good}");
        }
    }

    #[test]
    fn undocumented_names_are_accepted_carried_and_listed() {
        let mut p = base("KES", 10000);
        p.insert("my_order_ref".into(), Scalar::Text("A-17;x".into()));
        p.insert("interface_type".into(), Scalar::Text("{\"id\": 24}".into()));
        assert!(PaymentRequest::parse(&p).is_ok());
        assert_eq!(undocumented_params(&p), vec!["my_order_ref"]);
    }

    /// Every documented parameter has exactly one rule: the widget's fields or PAGE_RULES.
    #[test]
    fn every_documented_parameter_has_one_rule() {
        let widget = [
            "customer_email",
            "customer_first_name",
            "customer_id",
            "customer_last_name",
            "customer_phone",
            "force_payment_method",
            "language_code",
            "payment_amount",
            "payment_currency",
            "payment_description",
            "payment_id",
            "project_id",
            "return_url",
            "signature",
        ];
        let ruled: Vec<&str> = KNOWN_PARAMS.iter().copied().filter(|k| !widget.contains(k)).collect();
        assert_eq!(ruled.len() + widget.len(), KNOWN_PARAMS.len());
        // Each ruled one refuses an obviously wrong value (a bare `true`), naming itself.
        for key in ruled {
            let mut p = base("KES", 10000);
            p.insert(key.into(), Scalar::Text("\u{1}not valid for anything but text".into()));
            let wrong = documented_problems(&p);
            let text_rule = [
                "account_token",
                "billing_address",
                "billing_city",
                "billing_postal",
                "billing_region",
                "css_modal_wrap",
                "customer_city",
                "customer_state",
                "payment_extra_param",
                "target_element",
            ];
            if text_rule.contains(&key) {
                assert!(wrong.is_empty(), "{key}: {wrong:?}");
                p.insert(key.into(), Scalar::Bool(true));
                assert_eq!(documented_problems(&p)[0].message, "must be a string");
            } else {
                assert_eq!(wrong.len(), 1, "{key}");
                assert_eq!((wrong[0].param.as_str(), wrong[0].code.as_str()), (key, "format"));
            }
        }
    }

    #[test]
    fn documented_parameters_take_what_the_sdks_send() {
        let mut p = base("KES", 10000);
        for (k, v) in [
            ("interface_type", "{\"id\":22}"),
            ("best_before", "2026-12-31T23:59:59"),
            ("customer_country", "KE"),
            ("region_code", "KE"),
            ("merchant_success_url", "https://shop.example/ok"),
            ("merchant_fail_url", "http://127.0.0.1:8080/fail"),
            ("redirect_success_url", "https://shop.example/ok"),
            ("redirect_success_mode", "parent_page"),
            ("redirect_fail_mode", "iframe"),
            ("mode", "purchase"),
            ("frame_mode", "iframe"),
            ("close_on_missclick", "True"),
            ("redirect", "false"),
            ("customer_day_of_birth", "31-01-1990"),
            ("customer_ssn", "1234"),
            ("cashier_predefined_amounts", "1000,5000"),
            ("cash_voucher_data", "eyJhIjoxfQ=="),
            ("terminal_id", "17"),
            ("card_operation_type", "sale"),
            ("payment_extra_param", "anything;at:all"),
        ] {
            p.insert(k.into(), Scalar::Text(v.into()));
        }
        p.insert("best_before".into(), Scalar::Text("2026-12-31T23:59:59.123+05:00".into()));
        assert_eq!(PaymentRequest::parse(&p).map(|_| ()), Ok(()));
        for (k, v, rule) in [
            ("merchant_success_url", "javascript:alert(1)", "https URL"),
            ("redirect_success_url", "http://shop.example/ok", "https URL"),
            ("customer_country", "ke", "alpha-2"),
            ("best_before", "31.12.2026", "ISO 8601"),
            ("close_on_missclick", "yes", "boolean"),
            ("redirect_success_mode", "popup", "parent_page or iframe"),
            ("interface_type", "22", "JSON object"),
            ("customer_day_of_birth", "1990-01-31", "DD-MM-YYYY"),
        ] {
            let mut q = p.clone();
            q.insert(k.into(), Scalar::Text(v.into()));
            let e = only_error(&q);
            assert_eq!(e.param, k, "{k}={v}: {e}");
            assert!(e.message.contains(rule), "{k}={v}: {e}");
        }
    }

    #[test]
    fn the_platform_reads_an_accepted_sets_string_back_as_the_set() {
        let items = vec![
            ("customer_id".to_string(), "c1".to_string()),
            ("payment_description".to_string(), "a;b:c; d;note:x".to_string()),
            ("project_id".to_string(), "250".to_string()),
            ("zz".to_string(), "1;a:2".to_string()),
        ];
        let s = items.iter().map(|(k, v)| format!("{k}:{v}")).collect::<Vec<_>>().join(";");
        assert_eq!(read_flat(&s), Some(items));
        // A value holding a later name is read as two items: refused.
        assert_eq!(later_item("customer_last_name", "Tan;payment_amount:1"), Some("payment_amount"));
        assert_eq!(read_flat("customer_last_name:Tan;payment_amount:1").map(|v| v.len()), Some(2));
        // Left out by the signer, so never an item: `signature`, `frame_mode`.
        assert_eq!(later_item("a", "x;signature:y;frame_mode:z"), None);
    }

    #[test]
    fn a_value_hiding_a_known_parameter_is_refused_naming_both() {
        let mut p = base("MYR", 500000);
        p.insert("customer_last_name".into(), Scalar::Text("Tan;payment_amount:1000;payment_amount_".into()));
        let e = only_error(&p);
        assert_eq!((e.param.as_str(), e.code.as_str()), ("customer_last_name", "separator"));
        assert!(e.message.contains(";payment_amount:"), "{e}");
        // A `;` alone is no splice.
        p.insert("customer_last_name".into(), Scalar::Text("Tan; Jr".into()));
        assert!(PaymentRequest::parse(&p).is_ok());
        assert_eq!(resplit_name("x;signature:", KNOWN_PARAMS), Some("signature"));
        assert_eq!(resplit_name("x;signature", KNOWN_PARAMS), None);
    }

    #[test]
    fn ids_may_not_hold_the_separator() {
        let mut p = base("KES", 10000);
        p.insert("payment_id".into(), Scalar::Text("a;b".into()));
        assert_eq!(only_error(&p).param, "payment_id");
    }

    #[test]
    fn sizes_are_limited_and_named() {
        let mut p = base("KES", 10000);
        p.insert("payment_description".into(), Scalar::Text("é".repeat(MAX_VALUE_CHARS + 1)));
        let e = only_error(&p);
        assert_eq!((e.param.as_str(), e.code.as_str()), ("payment_description", "too_long"));
        p.insert("payment_description".into(), Scalar::Text("é".repeat(MAX_VALUE_CHARS)));
        assert!(PaymentRequest::parse(&p).is_ok(), "2048 two-byte characters are within the limit");
        let many = Params::from_pairs((0..1000).map(|i| (format!("k{i}"), Scalar::Int(i))).collect());
        let errs = PaymentRequest::parse(&many).unwrap_err();
        assert_eq!(errs.len(), 1);
        assert_eq!((errs[0].param.as_str(), errs[0].code.as_str()), ("params", "too_many"));
        assert!(errs[0].message.contains("at most 64"), "{}", errs[0]);
    }

    #[test]
    fn a_signed_return_url_is_read() {
        let mut p = base("KES", 10000);
        p.insert("return_url".into(), Scalar::Text("https://shop.example/done".into()));
        assert_eq!(PaymentRequest::parse(&p).unwrap().return_url.as_deref(), Some("https://shop.example/done"));
    }

    #[test]
    fn numeric_strings_are_accepted_for_ids_and_amount() {
        let mut p = base("KZT", 100000);
        p.insert("project_id".into(), Scalar::Text("1234".into()));
        p.insert("payment_amount".into(), Scalar::Text("100000".into()));
        let r = PaymentRequest::parse(&p).unwrap();
        assert_eq!((r.project_id, r.amount), (1234, MinorUnits(100000)));
        assert_eq!(r.methods, vec![MethodCode::Paydala]);
    }
}
