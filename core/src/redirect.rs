//! `redirect_data`: where and how the customer is sent on (card partner), or the
//! payment code (EPay). A redirect is followed only to `https:`, or to loopback
//! `http:` when the sandbox allows it, and only to a URL a browser's URL parser takes
//! (`check_url`).

use serde::de::{self, MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum HttpMethod {
    #[serde(rename = "GET", alias = "get")]
    Get,
    #[serde(rename = "POST", alias = "post")]
    Post,
}

impl HttpMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            HttpMethod::Get => "GET",
            HttpMethod::Post => "POST",
        }
    }
}

/// The form body, in the order the platform sent it. Scalar values are kept as text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FormBody(pub Vec<(String, String)>);

impl FormBody {
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }
}

impl Serialize for FormBody {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

#[derive(Deserialize)]
#[serde(untagged)]
enum BodyValue {
    Text(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    Null,
}

impl<'de> Deserialize<'de> for FormBody {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = FormBody;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an object of scalar values (or an empty list)")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<FormBody, A::Error> {
                let mut out = Vec::new();
                while let Some((k, v)) = map.next_entry::<String, BodyValue>()? {
                    let v = match v {
                        BodyValue::Text(s) => s,
                        BodyValue::Int(i) => i.to_string(),
                        BodyValue::Float(f) => f.to_string(),
                        BodyValue::Bool(b) => if b { "1" } else { "0" }.to_string(),
                        BodyValue::Null => String::new(),
                    };
                    out.push((k, v));
                }
                Ok(FormBody(out))
            }
            // PHP encodes an empty body as `[]`.
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<FormBody, A::Error> {
                if seq.next_element::<de::IgnoredAny>()?.is_some() {
                    return Err(de::Error::custom("redirect_data.body must be an object"));
                }
                Ok(FormBody::default())
            }
        }
        d.deserialize_any(V)
    }
}

/// `redirect_data`, serialized `{body, method, url}` as seeds 001 ("Форматы данных для
/// перенаправления пользователей") and 002 ("Формат данных для передачи пользователям")
/// print it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RedirectData {
    #[serde(default)]
    pub body: FormBody,
    pub method: HttpMethod,
    pub url: String,
}

/// Which URLs a redirect may go to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UrlPolicy {
    /// Sandbox mode: plain `http:` to 127.0.0.0/8, `localhost` or `[::1]` is allowed too.
    pub allow_loopback_http: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RedirectError {
    /// Not an absolute URL with a host as a browser's URL parser (WHATWG) takes it: empty,
    /// whitespace, control characters or backslashes, no scheme, no host, a bad port or host.
    Malformed(String),
    /// A scheme other than `https` and `http`, or one without `//` after it
    /// (`javascript:alert(1)`, `https:/x.example`).
    Scheme(String),
    /// Plain http to a host that is not loopback.
    InsecureHost(String),
    /// Plain http to loopback while sandbox mode is off.
    LoopbackNotAllowed,
}

impl RedirectError {
    /// The message (also this error's `Display`), assembled without the formatting machinery
    /// (issue 26: none in the browser's wasm).
    pub fn message(&self) -> String {
        match self {
            RedirectError::Malformed(why) => ["redirect_data.url: must be an absolute https URL (", why, ")"].concat(),
            RedirectError::Scheme(s) => ["redirect_data.url: scheme \"", s, "\" is refused; only https is followed"].concat(),
            RedirectError::InsecureHost(h) => {
                ["redirect_data.url: plain http to \"", h, "\" is refused; only https is followed (http only to loopback in sandbox mode)"]
                    .concat()
            }
            RedirectError::LoopbackNotAllowed => "redirect_data.url: plain http to loopback is allowed only in sandbox mode".into(),
        }
    }
}

impl std::fmt::Display for RedirectError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message())
    }
}
impl std::error::Error for RedirectError {}

/// An absolute URL as written, split where the redirect rules look (`written`): what a URL
/// parser must still confirm is the port and the host's form (an IPv4 or IPv6 address, a
/// name), see [`UrlParser`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written<'a> {
    /// Lower case, without the `:`.
    pub scheme: String,
    /// Lower case, as written (`0x7f.1` stays so), brackets kept for IPv6 (`[::1]`).
    pub host: String,
    /// What follows the host up to the path, query or fragment: `""` or `:` and the port
    /// as written (not yet checked).
    pub after_host: &'a str,
}

/// The URL parser the rules trust for what `written` leaves open (the port, IPv4 and IPv6
/// addresses): the core's own grammar (`grammar`, feature `url-grammar`, for native users)
/// or, in the widget, the browser's `URL`. Gets the split URL and the whole text; refuses
/// with `Malformed`.
pub type UrlParser = fn(&Written<'_>, &str) -> Result<(), RedirectError>;

fn malformed(why: &str) -> RedirectError {
    RedirectError::Malformed(why.into())
}

/// Splits an absolute URL into its lower-case scheme and host (and the port as written),
/// refusing what the rules refuse on the text itself, whatever the parser: an empty URL,
/// whitespace, control characters or backslashes anywhere, no scheme, a scheme without
/// `//` after it (`Scheme`), no host, an unclosed `[`, and a host name with characters a
/// URL host cannot have (non-ASCII: international names must be in punycode).
pub fn written(url: &str) -> Result<Written<'_>, RedirectError> {
    if url.is_empty() {
        return Err(malformed("empty"));
    }
    if url.chars().any(|c| c.is_control() || c.is_whitespace() || c == '\\') {
        return Err(malformed("contains spaces, control characters or backslashes"));
    }
    let (scheme, rest) = url.split_once(':').ok_or_else(|| malformed("no scheme"))?;
    let scheme = scheme.to_ascii_lowercase();
    if scheme.is_empty() || !scheme.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'-' || b == b'.') {
        return Err(malformed("bad scheme"));
    }
    let Some(rest) = rest.strip_prefix("//") else {
        return Err(RedirectError::Scheme(scheme));
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    // No user info (`user:pw@`): it carries credentials into the customer's address bar and
    // makes a URL read as another host (`https://platform.example@evil.example/`).
    if authority.contains('@') {
        return Err(malformed("user info (user:password@) is refused: it can make the URL read as another host"));
    }
    let host_port = authority;
    let (host, after_host) = if host_port.starts_with('[') {
        match host_port.split_once(']') {
            Some((inner, after)) => (host_port.get(..inner.len() + 1).unwrap_or(""), after),
            None => return Err(malformed("unclosed [")),
        }
    } else {
        host_port.split_once(':').map_or((host_port, ""), |(h, _)| (h, host_port.get(h.len()..).unwrap_or("")))
    };
    if host.is_empty() {
        return Err(malformed("no host"));
    }
    const FORBIDDEN: &[u8] = b"#%/:<>?@[\\]^|";
    if !host.starts_with('[') && !host.bytes().all(|b| b.is_ascii_graphic() && !FORBIDDEN.contains(&b)) {
        return Err(malformed("the host has characters a URL host cannot have (international names in punycode)"));
    }
    Ok(Written { scheme, host: host.to_ascii_lowercase(), after_host })
}

/// The redirect rules on a URL as written and parsed: `https:`, or `http:` to a loopback
/// host when `policy` allows it. One statement of the rules for every parser.
pub fn check_written(w: &Written<'_>, policy: UrlPolicy) -> Result<(), RedirectError> {
    match w.scheme.as_str() {
        "https" => Ok(()),
        "http" if is_loopback_host(&w.host) => {
            if policy.allow_loopback_http {
                Ok(())
            } else {
                Err(RedirectError::LoopbackNotAllowed)
            }
        }
        "http" => Err(RedirectError::InsecureHost(w.host.clone())),
        _ => Err(RedirectError::Scheme(w.scheme.clone())),
    }
}

/// Checks that a URL may be navigated to under `policy`, with `parser` for the URL grammar:
/// nothing `written` refuses, nothing `parser` refuses, then [`check_written`]. README.md
/// states this rule for merchants ("Which redirect URLs are followed"): change both together.
pub fn check_url_with(url: &str, policy: UrlPolicy, parser: UrlParser) -> Result<(), RedirectError> {
    let w = written(url)?;
    parser(&w, url)?;
    check_written(&w, policy)
}

/// Splits an absolute URL into (lower-case scheme, host). Host is lower-case, without port
/// and brackets kept for IPv6 (`[::1]`).
#[cfg(feature = "url-grammar")]
pub fn scheme_and_host(url: &str) -> Result<(String, String), RedirectError> {
    let w = written(url)?;
    grammar(&w, url)?;
    Ok((w.scheme, w.host))
}

/// The core's URL grammar (what a browser's URL parser, WHATWG, refuses, refused here too:
/// otherwise the form is submitted and the customer lands on `about:blank#blocked`): after
/// the host only a port from 0 to 65535, a valid IPv6 address between `[ ]`, and a host
/// whose last label is a number a valid IPv4 address. The widget asks the browser instead.
#[cfg(feature = "url-grammar")]
pub fn grammar(w: &Written<'_>, _url: &str) -> Result<(), RedirectError> {
    let port = w.after_host;
    if !port.is_empty() {
        let digits = port.strip_prefix(':').ok_or_else(|| RedirectError::Malformed("junk after the host".into()))?;
        if !digits.bytes().all(|b| b.is_ascii_digit())
            || digits.trim_start_matches('0').len() > 5
            || digits.parse::<u32>().is_ok_and(|p| p > 65535)
        {
            return Err(RedirectError::Malformed("the port must be a number from 0 to 65535".into()));
        }
    }
    let host = w.host.as_str();
    if let Some(inner) = host.strip_prefix('[') {
        if !is_ipv6(inner.strip_suffix(']').unwrap_or(inner)) {
            return Err(RedirectError::Malformed("not an IPv6 address between [ ]".into()));
        }
    } else {
        check_domain(host)?;
    }
    Ok(())
}

/// A host name as the WHATWG URL parser takes it (its characters checked by `written`): a
/// valid IPv4 address when its last label is a number.
#[cfg(feature = "url-grammar")]
fn check_domain(host: &str) -> Result<(), RedirectError> {
    let labels = host.strip_suffix('.').unwrap_or(host);
    let last = labels.rsplit('.').next().unwrap_or("");
    let numeric = !last.is_empty() && last.bytes().all(|b| b.is_ascii_digit())
        || last.len() >= 2 && last[..2].eq_ignore_ascii_case("0x") && last[2..].bytes().all(|b| b.is_ascii_hexdigit());
    if numeric && !is_ipv4(labels) {
        return Err(RedirectError::Malformed("the host ends in a number but is not an IPv4 address".into()));
    }
    Ok(())
}

#[cfg(feature = "url-grammar")]
/// One IPv4 part: decimal, `0x` hex or leading-`0` octal, as browsers read them.
fn ipv4_part(p: &str) -> Option<u64> {
    let (digits, radix) = if p.len() >= 2 && p[..2].eq_ignore_ascii_case("0x") {
        (&p[2..], 16)
    } else if p.len() > 1 && p.starts_with('0') {
        (&p[1..], 8)
    } else {
        (p, 10)
    };
    if digits.is_empty() {
        return (radix != 10).then_some(0);
    }
    if digits.len() > 12 {
        return None; // more than 2^32 in any radix
    }
    u64::from_str_radix(digits, radix).ok()
}

#[cfg(feature = "url-grammar")]
/// The WHATWG IPv4 parser: 1 to 4 parts, every part but the last at most 255, the last
/// filling the remaining bytes.
fn is_ipv4(s: &str) -> bool {
    let parts: Vec<&str> = s.split('.').collect();
    if parts.len() > 4 {
        return false;
    }
    let mut nums = Vec::with_capacity(4);
    for p in &parts {
        match ipv4_part(p) {
            Some(n) => nums.push(n),
            None => return false,
        }
    }
    let (last, init) = nums.split_last().unwrap_or((&0, &[]));
    init.iter().all(|n| *n <= 255) && *last < 1u64 << (8 * (5 - nums.len()))
}

#[cfg(feature = "url-grammar")]
/// An IPv6 address (RFC 4291 text form, as the WHATWG parser takes it): up to 8 hex pieces
/// of 1 to 4 digits, one `::` at most, an IPv4 address in the last 32 bits.
fn is_ipv6(s: &str) -> bool {
    // A byte search, not `str::find("::")`: a substring searcher costs the widget ~1 KB.
    let double = |t: &str| t.as_bytes().windows(2).position(|w| w == b"::");
    let (head, tail, compressed) = match double(s) {
        Some(i) => (&s[..i], &s[i + 2..], true),
        None => (s, "", false),
    };
    if double(tail).is_some() {
        return false;
    }
    let pieces = |part: &str, last: bool| -> Option<usize> {
        if part.is_empty() {
            return Some(0);
        }
        let items: Vec<&str> = part.split(':').collect();
        let mut n = 0;
        for (i, item) in items.iter().enumerate() {
            if last && i == items.len() - 1 && item.contains('.') {
                let quad: Vec<&str> = item.split('.').collect();
                let ok = quad.len() == 4
                    && quad.iter().all(|q| {
                        !q.is_empty() && q.len() <= 3 && q.bytes().all(|b| b.is_ascii_digit()) && q.parse::<u16>().is_ok_and(|v| v <= 255)
                    });
                if !ok {
                    return None;
                }
                n += 2;
            } else if (1..=4).contains(&item.len()) && item.bytes().all(|b| b.is_ascii_hexdigit()) {
                n += 1;
            } else {
                return None;
            }
        }
        Some(n)
    };
    let (Some(h), Some(t)) = (pieces(head, !compressed), pieces(tail, true)) else { return false };
    if compressed {
        h + t <= 7
    } else {
        h == 8
    }
}

#[cfg(feature = "url-grammar")]
/// The origin of an absolute URL as browsers serialize it: `scheme://host[:port]`, lower
/// case, the scheme's default port left out (`https://Shop.example:443/x` →
/// `https://shop.example`).
pub fn origin(url: &str) -> Result<String, RedirectError> {
    let (scheme, host) = scheme_and_host(url)?;
    let rest = &url[scheme.len() + 3..];
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let after_host = if host_port.starts_with('[') {
        host_port.find(']').map_or("", |e| &host_port[e + 1..])
    } else {
        host_port.find(':').map_or("", |i| &host_port[i..])
    };
    let port = after_host.strip_prefix(':').unwrap_or("").parse::<u32>().ok();
    let default = match scheme.as_str() {
        "https" => Some(443),
        "http" => Some(80),
        _ => None,
    };
    Ok(match port {
        Some(p) if Some(p) != default => format!("{scheme}://{host}:{p}"),
        _ => format!("{scheme}://{host}"),
    })
}

/// Loopback hosts: `localhost`, 127.0.0.0/8 in four decimal parts, `[::1]`, written just so
/// (`127.1`, `0x7f.0.0.1`, `localhost.` and `[0:0:0:0:0:0:0:1]` are not taken as loopback).
pub fn is_loopback_host(host: &str) -> bool {
    if host == "localhost" || host == "[::1]" {
        return true;
    }
    host.starts_with("127.")
        && host.split('.').count() == 4
        && host
            .split('.')
            .all(|p| !p.is_empty() && p.len() <= 3 && p.bytes().all(|b| b.is_ascii_digit()) && p.parse::<u16>().is_ok_and(|n| n <= 255))
}

/// Checks that a URL may be navigated to under `policy`, with the core's URL grammar
/// ([`check_url_with`], [`grammar`]).
#[cfg(feature = "url-grammar")]
pub fn check_url(url: &str, policy: UrlPolicy) -> Result<(), RedirectError> {
    check_url_with(url, policy, grammar)
}

#[cfg(feature = "url-grammar")]
impl RedirectData {
    pub fn check(&self, policy: UrlPolicy) -> Result<(), RedirectError> {
        check_url(&self.url, policy)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    include!("redirect_cases.rs");
    const SANDBOX: UrlPolicy = UrlPolicy { allow_loopback_http: true };
    const LIVE: UrlPolicy = UrlPolicy { allow_loopback_http: false };

    #[test]
    fn https_is_followed() {
        assert_eq!(check_url("https://payments.example.com/v3/ke", LIVE), Ok(()));
        assert_eq!(check_url("HTTPS://x.example/?a=b", LIVE), Ok(()));
    }

    #[test]
    fn dangerous_schemes_are_refused() {
        for u in ["javascript:alert(1)", "data:text/html,hi", "JavaScript://x.com/%0aalert(1)", "file:///etc/passwd", "ftp://x.com/"] {
            assert!(check_url(u, SANDBOX).is_err(), "{u}");
        }
        assert_eq!(check_url("javascript:alert(1)", SANDBOX), Err(RedirectError::Scheme("javascript".into())));
    }

    #[test]
    fn plain_http_only_to_loopback_in_sandbox_mode() {
        assert_eq!(check_url("http://127.0.0.1:8080/sim/partner", SANDBOX), Ok(()));
        assert_eq!(check_url("http://localhost/x", SANDBOX), Ok(()));
        assert_eq!(check_url("http://[::1]:9/x", SANDBOX), Ok(()));
        assert_eq!(check_url("http://127.0.0.1/x", LIVE), Err(RedirectError::LoopbackNotAllowed));
        assert_eq!(check_url("http://evil.example/x", SANDBOX), Err(RedirectError::InsecureHost("evil.example".into())));
        assert_eq!(check_url("http://127.0.0.1.evil.example/", SANDBOX), Err(RedirectError::InsecureHost("127.0.0.1.evil.example".into())));
        assert!(matches!(check_url("http://localhost@evil.example/", SANDBOX), Err(RedirectError::Malformed(_))), "user info");
    }

    #[test]
    fn malformed_urls_are_refused() {
        for u in ["", "//x.com", "https://", "https:/x.com", " https://x.com", "https://x.com/\n", "https:\\\\x.com"] {
            assert!(check_url(u, SANDBOX).is_err(), "{u:?}");
        }
    }

    /// Issue 13 item 9: URLs a browser's URL parser (WHATWG) refuses were accepted and the
    /// form was submitted to `about:blank#blocked`.
    #[test]
    fn urls_the_browser_cannot_parse_are_refused() {
        for u in URLS_THE_BROWSER_CANNOT_PARSE {
            assert!(matches!(check_url(u, SANDBOX), Err(RedirectError::Malformed(_))), "{u}: {:?}", check_url(u, SANDBOX));
        }
    }

    /// Issue 26 ("no credentials"): user info was followed (`https://user:pw@x.example/`),
    /// and `https://platform.example@evil.example/` reads as the platform but goes to evil.
    #[test]
    fn user_info_is_refused() {
        for u in URLS_WITH_USER_INFO {
            assert!(matches!(check_url(u, SANDBOX), Err(RedirectError::Malformed(_))), "{u}: {:?}", check_url(u, SANDBOX));
        }
    }

    #[test]
    fn urls_the_browser_parses_still_pass() {
        for u in URLS_THE_BROWSER_PARSES {
            assert_eq!(check_url(u, SANDBOX), Ok(()), "{u}");
        }
    }

    #[test]
    fn origins_are_serialized_like_browsers_do() {
        assert_eq!(origin("https://Shop.Example:443/pay?x#y").unwrap(), "https://shop.example");
        assert_eq!(origin("http://127.0.0.1:8787/?order=1").unwrap(), "http://127.0.0.1:8787");
        assert!(origin("http://u:p@localhost:080/").is_err(), "user info is refused");
        assert_eq!(origin("https://[::1]:8443").unwrap(), "https://[::1]:8443");
        assert_eq!(origin("https://x.example:/").unwrap(), "https://x.example");
        assert!(origin("https://x.example:99999/").is_err());
    }

    #[test]
    fn seed_redirect_data_parses_in_order() {
        let rd: RedirectData = serde_json::from_str(
            r#"{"body":{"live":"0","oid":"112","ttl":900,"hsh":"abc"},"method":"POST","url":"https://payments.example.com/v3/ke"}"#,
        )
        .unwrap();
        assert_eq!(rd.method, HttpMethod::Post);
        assert_eq!(rd.body.0[0], ("live".into(), "0".into()));
        assert_eq!(rd.body.get("ttl"), Some("900"));
        let empty: RedirectData = serde_json::from_str(r#"{"body":[],"method":"GET","url":"https://x.example"}"#).unwrap();
        assert!(empty.body.0.is_empty());
        assert!(serde_json::from_str::<RedirectData>(r#"{"method":"PUT","url":"https://x"}"#).is_err());
    }
}
