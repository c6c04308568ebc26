//! Numbers written into text without the formatting machinery (`format!`, `to_string` on
//! numbers, `Display`): the browser's wasm carries none of it (issue 26). One writer for the
//! whole workspace, here without std for the drawings module; `epay_core::text` re-exports it.

use alloc::string::String;

/// Appends `n` in decimal.
pub fn push_u64(out: &mut String, n: u64) {
    push_padded(out, n, 0);
}

/// Appends `n` in decimal, with leading zeros up to `width` digits (`{n:0width$}`).
pub fn push_padded(out: &mut String, mut n: u64, width: usize) {
    let mut buf = [b'0'; 20];
    let mut len = 0;
    for slot in buf.iter_mut().rev() {
        *slot = b'0' + (n % 10) as u8;
        n /= 10;
        len += 1;
        if n == 0 {
            break;
        }
    }
    for _ in len..width {
        out.push('0');
    }
    for &d in buf.iter().skip(buf.len() - len) {
        out.push(char::from(d));
    }
}

/// Appends `n` in decimal, with `-` when negative.
pub fn push_i64(out: &mut String, n: i64) {
    if n < 0 {
        out.push('-');
    }
    push_u64(out, n.unsigned_abs());
}

/// `n` in decimal (`n.to_string()`).
pub fn u64_text(n: u64) -> String {
    let mut s = String::new();
    push_u64(&mut s, n);
    s
}

/// `n` in decimal (`n.to_string()`).
pub fn i64_text(n: i64) -> String {
    let mut s = String::new();
    push_i64(&mut s, n);
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_written_as_display_writes_them() {
        for n in [0u64, 7, 9, 10, 99, 100, 4096, 1_000_000, u64::MAX / 7, u64::MAX] {
            assert_eq!(u64_text(n), n.to_string());
        }
        for n in [0i64, -1, 1, -10, 12345, i64::MIN, i64::MAX] {
            assert_eq!(i64_text(n), n.to_string());
        }
    }

    #[test]
    fn padding_is_like_zero_width_formatting() {
        for (n, w) in [(0u64, 2usize), (7, 2), (12, 2), (123, 2), (5, 4), (2024, 4), (0, 0), (42, 0)] {
            let mut s = String::from("x");
            push_padded(&mut s, n, w);
            assert_eq!(s, format!("x{n:0w$}"));
        }
    }
}
