//! Payment Page parameters as the merchant signs them, and their validation.
//! Every refusal names the parameter and the rule.

use crate::catalog::{methods_for, CustomerField, MethodCode, MethodProblem};
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
            Ok(i) => Some(std::mem::replace(&mut self.0[i].1, value)),
            Err(i) => {
                self.0.insert(i, (key, value));
                None
            }
        }
    }
    pub fn get(&self, key: &str) -> Option<&Scalar> {
        self.find(key).ok().map(|i| &self.0[i].1)
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

/// The Payment Page parameters this platform knows: seed 002's base and customer
/// parameters, `force_payment_method`, `language_code`, `payment_description`, our
/// merchant-signed `return_url` (docs/protocol.md) and `signature`. Anything else is refused
/// by name: a name the platform does not know is how a re-split signing string smuggles
/// values in (issue 13: `payment_amount_;payment_amount`).
pub const KNOWN_PARAMS: [&str; 14] = [
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

/// At most this many parameters in one request (the platform knows 14): refused before
/// any other work, naming the limit.
pub const MAX_PARAMS: usize = 64;
/// At most this many characters in one value.
pub const MAX_VALUE_CHARS: usize = 2048;

/// The name among `names` that `value` could be re-split into: the signature joins the
/// parameters as `name:value;name:value`, so a value holding `;payment_amount:` signs
/// exactly like a shorter value followed by another `payment_amount` (issue 13).
pub fn resplit_name<'a>(value: &str, names: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    if !value.contains(';') {
        return None;
    }
    names
        .into_iter()
        .find(|name| value.match_indices(';').any(|(i, _)| value[i + 1..].strip_prefix(*name).is_some_and(|rest| rest.starts_with(':'))))
}

/// The problems that stop a request before any other work: too many parameters, a value
/// too long. Cheap (one pass), so the platform runs it before checking the signature.
pub fn size_problems<'a>(count: usize, texts: impl Iterator<Item = (&'a str, &'a str)>) -> Vec<ParamError> {
    let mut errs = Vec::new();
    if count > MAX_PARAMS {
        errs.push(ParamError::new(
            "params",
            "too_many",
            format!("{count} parameters sent; at most {MAX_PARAMS} are accepted (the Payment Page has {})", KNOWN_PARAMS.len()),
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

fn text<'a>(p: &'a Params, key: &str) -> Option<&'a Scalar> {
    match p.get(key) {
        None | Some(Scalar::Null) => None,
        Some(Scalar::Text(s)) if s.trim().is_empty() => None,
        Some(v) => Some(v),
    }
}

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
/// non-integer number is described, not printed, which keeps float formatting (≈8 KB
/// gzip) out of the browser widget, where `PaymentRequest::parse` runs client-side.
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

impl PaymentRequest {
    /// Validates Payment Page parameters as the platform does: the whole set first (its size,
    /// only known names, no value that re-splits into another parameter), then each field.
    /// All problems are reported, each naming its parameter. `signature` presence is checked;
    /// its value is the platform's to verify.
    pub fn parse(p: &Params) -> Result<PaymentRequest, Vec<ParamError>> {
        let mut errs = Self::set_problems(p);
        if p.len() > MAX_PARAMS {
            return Err(errs);
        }
        match Self::parse_fields(p) {
            Ok(r) if errs.is_empty() => Ok(r),
            Ok(_) => Err(errs),
            Err(more) => {
                errs.extend(more);
                Err(errs)
            }
        }
    }

    /// The checks of the whole set that defend the signature (see [`parse`](Self::parse)).
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
        for (key, _) in p.iter().filter(|(k, _)| !KNOWN_PARAMS.contains(k)) {
            errs.push(ParamError::new(
                key,
                "unknown_param",
                format!("is not a Payment Page parameter this platform knows ({})", KNOWN_PARAMS.join(", ")),
            ));
        }
        // Numbers and booleans cannot hold a `;`: only text is looked at.
        for (key, value) in texts() {
            if let Some(name) = resplit_name(value, KNOWN_PARAMS) {
                errs.push(ParamError::new(
                    key,
                    "separator",
                    format!("must not contain \";{name}:\": the signature joins parameters as name:value; so this value signs like another {name}"),
                ));
            }
        }
        errs
    }

    /// Each field's own rule, without the set checks: what the browser widget checks before
    /// it sends anything (the platform runs [`parse`](Self::parse); keeping the set checks out
    /// of the widget keeps their code out of its wasm).
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
            // One problem per parameter: the first found (size, name, separator) wins.
            let mut seen: Vec<String> = Vec::new();
            errs.retain(|e| {
                let first = !seen.contains(&e.param);
                if first {
                    seen.push(e.param.clone());
                }
                first
            });
            return Err(errs);
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

/// `card-partner takes KES or USD, epaycash takes MYR, paydala takes KZT`, from the catalog.
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
        let e = only_error(&base("EUR", 1000));
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
        assert!(e.message.contains("card-partner, epaycash, paydala"));
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
    fn unknown_names_are_refused_by_name() {
        let mut p = base("KES", 10000);
        p.insert("payment_amount_;payment_amount".into(), Scalar::Text("500000".into()));
        let e = only_error(&p);
        assert_eq!((e.param.as_str(), e.code.as_str()), ("payment_amount_;payment_amount", "unknown_param"));
        assert!(e.message.contains("project_id"), "{e}");
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
