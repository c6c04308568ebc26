//! Amounts are integers in minor units from the first byte to the last.

use serde::{Deserialize, Serialize};

/// An amount in the currency's minor units (cents, sen, tiyn).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct MinorUnits(pub i64);

/// Digits after the decimal point (ISO 4217). Unknown codes are taken as 2.
pub fn exponent(currency: &str) -> u32 {
    match currency {
        "JPY" | "KRW" | "VND" | "CLP" | "ISK" | "UGX" | "XAF" | "XOF" => 0,
        "BHD" | "KWD" | "OMR" | "JOD" | "TND" | "IQD" | "LYD" => 3,
        _ => 2,
    }
}

/// A currency code shaped as ISO 4217 alpha-3: three upper-case Latin letters.
pub fn is_currency_code(s: &str) -> bool {
    s.len() == 3 && s.bytes().all(|b| b.is_ascii_uppercase())
}

impl MinorUnits {
    /// `1234567` KES → `"12,345.67"`: a locale-free rendering, used natively and as
    /// the browser's fallback when `Intl` is missing.
    pub fn format_plain(self, currency: &str) -> String {
        let exp = exponent(currency);
        let neg = self.0 < 0;
        let abs = self.0.unsigned_abs();
        // Not zero: no division-by-zero panic path in the wasm.
        let unit = std::num::NonZeroU64::new(10u64.pow(exp)).unwrap_or(std::num::NonZeroU64::MIN);
        let (major, minor) = (abs / unit, abs % unit);
        let digits = epay_drawing::text::u64_text(major);
        let mut grouped = String::with_capacity(digits.len() + digits.len() / 3 + 8);
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                grouped.push(',');
            }
            grouped.push(c);
        }
        let mut out = String::new();
        if neg {
            out.push('-');
        }
        out.push_str(&grouped);
        if exp > 0 {
            out.push('.');
            epay_drawing::text::push_padded(&mut out, minor, exp as usize);
        }
        out.push(' ');
        out.push_str(currency);
        out
    }

    /// The amount in major units as a float, only for handing to `Intl.NumberFormat`.
    pub fn as_major_f64(self, currency: &str) -> f64 {
        self.0 as f64 / 10f64.powi(exponent(currency) as i32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn formats_minor_units_with_grouping() {
        assert_eq!(MinorUnits(1000).format_plain("KES"), "10.00 KES");
        assert_eq!(MinorUnits(20_000_000).format_plain("KES"), "200,000.00 KES");
        assert_eq!(MinorUnits(5).format_plain("MYR"), "0.05 MYR");
        assert_eq!(MinorUnits(-123456).format_plain("USD"), "-1,234.56 USD");
        assert_eq!(MinorUnits(1500).format_plain("JPY"), "1,500 JPY");
    }
    #[test]
    fn currency_code_shape() {
        assert!(is_currency_code("KZT"));
        assert!(!is_currency_code("kzt"));
        assert!(!is_currency_code("KZTT"));
    }
}
