//! The EPay cash code (seed 002): what `redirect_data.body` carries, when it expires,
//! and how the countdown reads. Pure: the caller passes the clock.

use crate::redirect::RedirectData;
use crate::time::{civil_from_unix, days_from_civil};
use epay_drawing::text::{push_padded, push_u64};

/// EPay states `valid_time` as a local wall-clock time without a zone (`2019-06-15 14:17:26`);
/// EPay is Malaysian, so such times are read as Malaysia time (UTC+08:00, no daylight saving).
pub const MALAYSIA_OFFSET_SECS: i64 = 8 * 3600;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EpayCode {
    pub reference_number: String,
    /// As sent, for display next to the local rendering.
    pub valid_time: String,
    /// Unix seconds of `valid_time`.
    pub valid_until: i64,
    pub user_name: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeDataError {
    Missing(&'static str),
    BadTime(String),
}

impl CodeDataError {
    /// The message (also this error's `Display`), without the formatting machinery.
    pub fn message(&self) -> String {
        match self {
            CodeDataError::Missing(k) => ["redirect_data.body.", k, ": is required for an EPay code"].concat(),
            CodeDataError::BadTime(v) => [
                "redirect_data.body.valid_time: must be a time like 2019-06-15 14:17:26 (Malaysia time) or ISO 8601 with an offset, got \"",
                v,
                "\"",
            ]
            .concat(),
        }
    }
}

impl std::fmt::Display for CodeDataError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message())
    }
}
impl std::error::Error for CodeDataError {}

impl EpayCode {
    /// Reads the code from a callback's or the platform's `redirect_data`.
    pub fn from_redirect(rd: &RedirectData) -> Result<EpayCode, CodeDataError> {
        let get = |k: &'static str| -> Result<String, CodeDataError> {
            match rd.body.get(k).map(str::trim) {
                Some(v) if !v.is_empty() => Ok(v.to_string()),
                _ => Err(CodeDataError::Missing(k)),
            }
        };
        let reference_number = get("reference_number")?;
        let valid_time = get("valid_time")?;
        let user_name = get("user_name")?;
        let valid_until = parse_valid_time(&valid_time).ok_or_else(|| CodeDataError::BadTime(valid_time.clone()))?;
        Ok(EpayCode { reference_number, valid_time, valid_until, user_name })
    }

    pub fn remaining_secs(&self, now_unix: i64) -> i64 {
        (self.valid_until - now_unix).max(0)
    }

    pub fn is_expired(&self, now_unix: i64) -> bool {
        now_unix >= self.valid_until
    }
}

/// The ASCII digits `b[from..to]` as a number (`None` for anything else): no slicing
/// that can panic, no `str::parse`.
fn num(b: &[u8], from: usize, to: usize) -> Option<i64> {
    let digits = b.get(from..to).filter(|d| !d.is_empty())?;
    digits.iter().try_fold(0i64, |n, &c| c.is_ascii_digit().then(|| n * 10 + i64::from(c - b'0')))
}

/// `YYYY-MM-DD HH:MM:SS` in Malaysia time, or ISO 8601 with `T` and `Z`/`±HH:MM`/`±HHMM`.
/// Returns unix seconds.
pub fn parse_valid_time(s: &str) -> Option<i64> {
    let s = s.trim();
    let (dt, zone) = s.split_at_checked(19)?;
    let b = dt.as_bytes();
    let at = |i: usize| b.get(i).copied();
    if at(4) != Some(b'-') || at(7) != Some(b'-') || !matches!(at(10), Some(b' ' | b'T')) || at(13) != Some(b':') || at(16) != Some(b':') {
        return None;
    }
    let (y, mo, d) = (num(b, 0, 4)?, num(b, 5, 7)?, num(b, 8, 10)?);
    let (h, mi, se) = (num(b, 11, 13)?, num(b, 14, 16)?, num(b, 17, 19)?);
    let month_days = [31, if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 { 29 } else { 28 }, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    let days = usize::try_from(mo - 1).ok().and_then(|i| month_days.get(i).copied());
    if !matches!(days, Some(n) if (1..=n).contains(&d)) || h > 23 || mi > 59 || se > 59 {
        return None;
    }
    let zone = zone.trim_start_matches(|c: char| c == '.' || c.is_ascii_digit());
    let offset = match zone {
        "" => MALAYSIA_OFFSET_SECS,
        "Z" | "z" => 0,
        z if z.starts_with('+') || z.starts_with('-') => {
            let sign = if z.starts_with('-') { -1 } else { 1 };
            let digits: Vec<u8> = z.bytes().skip(1).filter(|c| *c != b':').collect();
            // Four ASCII digits: `+1é1` is 4 bytes too.
            if digits.len() != 4 {
                return None;
            }
            let (oh, om) = (num(&digits, 0, 2)?, num(&digits, 2, 4)?);
            if oh > 14 || om > 59 {
                return None;
            }
            sign * (oh * 3600 + om * 60)
        }
        _ => return None,
    };
    Some(days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se - offset)
}

/// `valid_time` as EPay writes it (Malaysia time) for unix seconds `t`.
pub fn format_valid_time(t: i64) -> String {
    let (y, m, d, hh, mm, ss) = civil_from_unix(t + MALAYSIA_OFFSET_SECS);
    let mut out = String::with_capacity(19);
    if y < 0 {
        out.push('-'); // `{y:04}`: the sign takes one of the four places
    }
    for (n, width, after) in [
        (y.unsigned_abs(), if y < 0 { 3 } else { 4 }, "-"),
        (m as u64, 2, "-"),
        (d as u64, 2, " "),
        (hh as u64, 2, ":"),
        (mm as u64, 2, ":"),
        (ss as u64, 2, ""),
    ] {
        push_padded(&mut out, n, width);
        out.push_str(after);
    }
    out
}

/// The countdown as shown: `M:SS` under an hour, `H:MM:SS` under a day, `Dd HH:MM:SS` beyond.
pub fn countdown_text(remaining_secs: i64) -> String {
    let r = remaining_secs.max(0);
    let (d, h, m, s) = (r / 86400, r % 86400 / 3600, r % 3600 / 60, r % 60);
    let (d, h, m, s) = (d as u64, h as u64, m as u64, s as u64);
    let mut out = String::with_capacity(12);
    if d > 0 {
        push_u64(&mut out, d);
        out.push_str("d ");
        push_padded(&mut out, h, 2);
        out.push(':');
        push_padded(&mut out, m, 2);
    } else if h > 0 {
        push_u64(&mut out, h);
        out.push(':');
        push_padded(&mut out, m, 2);
    } else {
        push_u64(&mut out, m);
    }
    out.push(':');
    push_padded(&mut out, s, 2);
    out
}

/// Marks (seconds left) at which the countdown is announced to screen readers; the
/// visible timer ticks every second but is announced only here, and at expiry.
pub const ANNOUNCE_AT: [i64; 8] = [3600, 1800, 900, 600, 300, 120, 60, 0];

/// Whether going from `before` to `now` seconds left crosses an announcement mark.
pub fn should_announce(before: i64, now: i64) -> bool {
    ANNOUNCE_AT.iter().any(|&mark| before > mark && now <= mark)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::redirect::{FormBody, HttpMethod};

    fn seed_rd() -> RedirectData {
        RedirectData {
            method: HttpMethod::Get,
            url: "https://onlinepayment.epay.com".into(),
            body: FormBody(vec![
                ("reference_number".into(), "045-050-000".into()),
                ("valid_time".into(), "2019-06-15 14:17:26".into()),
                ("user_name".into(), "THANAPAT JISAMANYA".into()),
            ]),
        }
    }

    #[test]
    fn seed_code_parses_as_malaysia_time() {
        let c = EpayCode::from_redirect(&seed_rd()).unwrap();
        assert_eq!(c.reference_number, "045-050-000");
        assert_eq!(c.user_name, "THANAPAT JISAMANYA");
        // 2019-06-15 14:17:26 +08:00 = 06:17:26Z
        assert_eq!(c.valid_until, 1_560_579_446);
        assert_eq!(format_valid_time(c.valid_until), "2019-06-15 14:17:26");
    }

    #[test]
    fn iso_times_with_offsets_parse() {
        assert_eq!(parse_valid_time("2019-06-15T06:17:26Z"), Some(1_560_579_446));
        assert_eq!(parse_valid_time("2019-06-15T14:17:26+08:00"), Some(1_560_579_446));
        assert_eq!(parse_valid_time("2019-06-15T14:17:26+0800"), Some(1_560_579_446));
        assert_eq!(parse_valid_time("2019-06-15T06:17:26.123Z"), Some(1_560_579_446));
    }

    #[test]
    fn bad_times_are_refused() {
        for s in [
            "",
            "2019-06-15",
            "2019-13-01 00:00:00",
            "2019-02-29 00:00:00",
            "2019-06-15 24:00:00",
            "tomorrow at noon",
            "2019-06-15 14:17:26 MYT",
        ] {
            assert_eq!(parse_valid_time(s), None, "{s}");
        }
        assert!(parse_valid_time("2020-02-29 00:00:00").is_some());
    }

    #[test]
    fn non_ascii_in_the_offset_is_refused_not_a_panic() {
        // Issue 13 item 6: `…+1é1` sliced `digits[0..2]` inside `é` and panicked.
        for s in [
            "2019-06-15T14:17:26+1é1",
            "2019-06-15T14:17:26+é:00",
            "2019-06-15T14:17:26-0é",
            "2019-06-15T14:17:26+08:0é",
            "2019-06-15T14:17:26.é",
        ] {
            assert_eq!(parse_valid_time(s), None, "{s}");
        }
    }

    #[test]
    fn missing_body_fields_are_named() {
        let mut rd = seed_rd();
        rd.body.0.retain(|(k, _)| k != "user_name");
        assert_eq!(EpayCode::from_redirect(&rd), Err(CodeDataError::Missing("user_name")));
        assert!(CodeDataError::Missing("user_name").to_string().starts_with("redirect_data.body.user_name"));
    }

    #[test]
    fn countdown_and_expiry() {
        let c = EpayCode::from_redirect(&seed_rd()).unwrap();
        assert_eq!(c.remaining_secs(c.valid_until - 61), 61);
        assert!(!c.is_expired(c.valid_until - 1));
        assert!(c.is_expired(c.valid_until));
        assert_eq!(countdown_text(61), "1:01");
        assert_eq!(countdown_text(3_600), "1:00:00");
        assert_eq!(countdown_text(90_061), "1d 01:01:01");
        assert_eq!(countdown_text(-5), "0:00");
    }

    #[test]
    fn announcements_are_sparse() {
        let announced = (0..=3600).rev().collect::<Vec<i64>>().windows(2).filter(|w| should_announce(w[0], w[1])).count();
        assert_eq!(announced, 7, "one per mark below an hour, plus expiry");
        assert!(should_announce(61, 60));
        assert!(!should_announce(59, 58));
        assert!(should_announce(1, 0));
    }
}
