//! Civil dates from unix time and back, without a date crate (the widget carries this).

/// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
pub fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

/// The civil date and time (UTC) of unix seconds: (y, m, d, hh, mm, ss).
pub fn civil_from_unix(t: i64) -> (i64, i64, i64, i64, i64, i64) {
    let days = t.div_euclid(86400);
    let secs = t.rem_euclid(86400);
    let z = days + 719468;
    let era = if z >= 0 { z } else { z - 146096 } / 146097;
    let doe = z - era * 146097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + if m <= 2 { 1 } else { 0 };
    (y, m, d, secs / 3600, secs % 3600 / 60, secs % 60)
}

/// The seeds' callback date format, in UTC: `2020-08-26T15:03:20+0000`.
pub fn callback_date(unix_secs: i64) -> String {
    let (y, m, d, hh, mm, ss) = civil_from_unix(unix_secs);
    format!("{y:04}-{m:02}-{d:02}T{hh:02}:{mm:02}:{ss:02}+0000")
}

/// [`callback_date`] of unix milliseconds (a server's clock), to the second below.
pub fn callback_date_ms(unix_ms: i64) -> String {
    callback_date(unix_ms.div_euclid(1000))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_round_trip() {
        for t in [0i64, 951_782_400, 1_560_579_446, 4_102_444_800, -86_400] {
            let (y, m, d, hh, mm, ss) = civil_from_unix(t);
            assert_eq!(days_from_civil(y, m, d) * 86400 + hh * 3600 + mm * 60 + ss, t);
        }
    }

    #[test]
    fn callback_dates_look_like_the_seed() {
        // 2020-08-26T15:03:20+0000, the seed's card-partner success callback
        assert_eq!(callback_date(1_598_454_200), "2020-08-26T15:03:20+0000");
        assert_eq!(callback_date_ms(1_598_454_200_999), "2020-08-26T15:03:20+0000");
        assert_eq!(callback_date_ms(0), "1970-01-01T00:00:00+0000");
        assert_eq!(callback_date_ms(951_782_400_000), "2000-02-29T00:00:00+0000");
    }
}
