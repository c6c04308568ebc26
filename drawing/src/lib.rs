//! Payment codes as drawings: the EPay `reference_number` as a QR code and as a
//! Code 128 barcode, each reduced to ONE SVG path `d` string so that the widget
//! can draw it inline with attributes only (`<svg viewBox=..><path d=../></svg>`):
//! no image from another host, no `innerHTML`.
//!
//! Without std (`alloc` only), so that the drawings module (`drawings/`, shipped as
//! `pkg/epay_codes.wasm`) carries no std runtime; `epay-core` re-exports it as
//! `epay_core::drawing` (and [`text`] as `epay_core::text`). The QR encoder is written here
//! (`qr`: byte mode, level M, the matrix the `qrcode` crate drew), as is the Code 128
//! encoder (code sets B and C only: every printable ASCII character is in B), and numbers
//! are pushed into the path without `format!` ([`text::push_u64`]).

#![cfg_attr(not(test), no_std)]

extern crate alloc;

mod qr;
pub mod text;

use alloc::string::String;
use alloc::vec::Vec;
use text::push_u64;

/// Why a code cannot be drawn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeError {
    /// Nothing to encode.
    Empty,
    /// Code 128 carries printable ASCII only (32..=126). `position` counts
    /// characters (not bytes) from 0.
    Character { ch: char, position: usize },
    /// More bytes than a QR code at error correction level M holds (2331).
    TooLong { bytes: usize },
}

impl core::fmt::Display for CodeError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            CodeError::Empty => f.write_str("code: the text to encode is empty"),
            CodeError::Character { ch, position } => write!(
                f,
                "barcode: character '{ch}' (U+{:04X}) at position {position} cannot be encoded \
                 in Code 128, which takes printable ASCII only (codes 32 to 126)",
                *ch as u32
            ),
            CodeError::TooLong { bytes } => write!(
                f,
                "QR code: the text is {bytes} bytes, more than a QR code at error correction \
                 level M holds ({QR_MAX_BYTES} bytes)"
            ),
        }
    }
}

impl core::error::Error for CodeError {}

/// Bytes a version-40 QR code holds at error correction level M (byte mode).
pub const QR_MAX_BYTES: usize = 2331;
/// Light modules around the QR symbol, as the standard asks.
pub const QR_QUIET: usize = 4;

/// A square drawing: `viewBox` and one path `d` of all dark modules, one unit per module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Svg {
    /// `"0 0 W W"`, W = symbol width + 2 × 4-module quiet zone.
    pub view_box: String,
    /// Horizontal runs of dark modules, `M{x} {y}h{n}v1h-{n}z` each.
    pub path: String,
}

/// The QR matrix for `data` (UTF-8 bytes in byte mode, error correction level M,
/// smallest version that fits): its width in modules and the modules row by row,
/// `true` = dark. No quiet zone. Byte mode always, no automatic mode choice: a payment code
/// is a few bytes in any mode (the `qrcode` crate's segment optimiser cost ~2 KB gzip).
pub fn qr_matrix(data: &str) -> Result<(usize, Vec<bool>), CodeError> {
    if data.is_empty() {
        return Err(CodeError::Empty);
    }
    qr::encode(data.as_bytes()).ok_or(CodeError::TooLong { bytes: data.len() })
}

/// The QR code for `data` as one SVG path (see [`Svg`]).
pub fn qr_svg(data: &str) -> Result<Svg, CodeError> {
    let (width, cells) = qr_matrix(data)?;
    let side = width + 2 * QR_QUIET;
    let mut view_box = String::with_capacity(12);
    view_box.push_str("0 0 ");
    push_u64(&mut view_box, side as u64);
    view_box.push(' ');
    push_u64(&mut view_box, side as u64);

    let mut path = String::with_capacity(width * width);
    for (y, row) in cells.chunks(width.max(1)).enumerate() {
        // A run starts at a dark module and ends at the next light one (or the row's end).
        let mut start = None;
        for (x, &dark) in row.iter().chain(&[false]).enumerate() {
            match (start, dark) {
                (None, true) => start = Some(x),
                (Some(from), false) => {
                    let run = (x - from) as u64;
                    path.push('M');
                    push_u64(&mut path, (from + QR_QUIET) as u64);
                    path.push(' ');
                    push_u64(&mut path, (y + QR_QUIET) as u64);
                    path.push('h');
                    push_u64(&mut path, run);
                    path.push_str("v1h-");
                    push_u64(&mut path, run);
                    path.push('z');
                    start = None;
                }
                _ => {}
            }
        }
    }
    Ok(Svg { view_box, path })
}

/// Light modules left and right of a Code 128 symbol (the standard's minimum).
pub const BAR_QUIET: u32 = 10;
/// Height of the bars in the drawing, in modules.
pub const BAR_HEIGHT: u32 = 60;

/// A Code 128 symbol as bars.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Barcode {
    /// Element widths in modules, bar, space, bar, ... from the start character to
    /// the end of the stop pattern (starts and ends with a bar). No quiet zone.
    pub modules: Vec<u8>,
    /// Drawing width in modules: the elements plus a 10-module quiet zone each side.
    pub total_width: u32,
    /// Drawing height (= [`BAR_HEIGHT`]).
    pub height: u32,
    /// One bar per subpath, `M{x} 0h{w}v{H}h-{w}z`, x counted from the drawing's left edge.
    pub path: String,
}

impl Barcode {
    /// `"0 0 {total_width} {height}"`.
    pub fn view_box(&self) -> String {
        let mut s = String::with_capacity(12);
        s.push_str("0 0 ");
        push_u64(&mut s, u64::from(self.total_width));
        s.push(' ');
        push_u64(&mut s, u64::from(self.height));
        s
    }
}

/// Switch to code set C (in A or B).
pub const CODE_C: u8 = 99;
/// Switch to code set B (in A or C).
pub const CODE_B: u8 = 100;
pub const START_A: u8 = 103;
pub const START_B: u8 = 104;
pub const START_C: u8 = 105;
pub const STOP: u8 = 106;

/// Element widths of symbol values 0..=106 (ISO/IEC 15417 table 1), bar first;
/// 106 is the stop pattern with its final bar. Written as decimal digits here and
/// packed below at compile time, 2 bits per element.
const RAW_PATTERNS: [u32; 107] = [
    212222, 222122, 222221, 121223, 121322, 131222, 122213, 122312, 132212, 221213, // 0
    221312, 231212, 112232, 122132, 122231, 113222, 123122, 123221, 223211, 221132, // 10
    221231, 213212, 223112, 312131, 311222, 321122, 321221, 312212, 322112, 322211, // 20
    212123, 212321, 232121, 111323, 131123, 131321, 112313, 132113, 132311, 211313, // 30
    231113, 231311, 112133, 112331, 132131, 113123, 113321, 133121, 313121, 211331, // 40
    231131, 213113, 213311, 213131, 311123, 311321, 331121, 312113, 312311, 332111, // 50
    314111, 221411, 431111, 111224, 111422, 121124, 121421, 141122, 141221, 112214, // 60
    112412, 122114, 122411, 142112, 142211, 241211, 221114, 413111, 241112, 134111, // 70
    111242, 121142, 121241, 114212, 124112, 124211, 411212, 421112, 421211, 212141, // 80
    214121, 412121, 111143, 111341, 131141, 114113, 114311, 411113, 411311, 113141, // 90
    114131, 311141, 411131, 211412, 211214, 211232, 2331112, // 100..=106
];

/// Last element in the low 2 bits, each stored as width - 1.
const fn pack(mut digits: u32) -> u16 {
    let mut out = 0u16;
    let mut shift = 0;
    while digits > 0 {
        out |= ((digits % 10 - 1) as u16) << shift;
        shift += 2;
        digits /= 10;
    }
    out
}

const PATTERNS: [u16; 107] = {
    let mut out = [0u16; 107];
    let mut i = 0;
    while i < 107 {
        out[i] = pack(RAW_PATTERNS[i]);
        i += 1;
    }
    out
};

/// Append the element widths of one symbol value; `false` for a value above 106.
fn push_pattern(out: &mut Vec<u8>, value: u8) -> bool {
    let Some(&packed) = PATTERNS.get(value as usize) else {
        return false;
    };
    let len = if value == STOP { 7 } else { 6 };
    for i in (0..len).rev() {
        out.push(((packed >> (2 * i)) & 3) as u8 + 1);
    }
    true
}

/// Element widths for a sequence of symbol values (as [`code128_symbols`] returns);
/// `None` if a value is above 106.
pub fn code128_modules(symbols: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(symbols.len() * 6 + 1);
    for &v in symbols {
        if !push_pattern(&mut out, v) {
            return None;
        }
    }
    Some(out)
}

/// The Code 128 check value: start value plus each data value times its position
/// (1-based), modulo 103. `symbols` = start character then data, nothing after.
pub fn code128_checksum(symbols: &[u8]) -> u8 {
    let mut sum: u64 = 0;
    for (i, &v) in symbols.iter().enumerate() {
        sum += v as u64 * (i.max(1) as u64);
    }
    (sum % 103) as u8
}

fn digit_run(b: &[u8]) -> usize {
    b.iter().take_while(|c| c.is_ascii_digit()).count()
}

/// Symbol values for `data`: start character, data, check value, stop (106).
///
/// Code set B for printable ASCII; code set C (two digits per symbol) where it makes
/// the symbol shorter (ISO/IEC 15417 annex E): start in C when the data is exactly
/// two digits or begins with four or more; from B switch to C for a run of six or
/// more digits, or four or more at the end of the data (an odd run keeps its first
/// digit in B). The result is the shortest B/C encoding.
pub fn code128_symbols(data: &str) -> Result<Vec<u8>, CodeError> {
    if data.is_empty() {
        return Err(CodeError::Empty);
    }
    if let Some((position, ch)) = data.chars().enumerate().find(|(_, c)| !(' '..='~').contains(c)) {
        return Err(CodeError::Character { ch, position });
    }
    let b = data.as_bytes(); // printable ASCII only from here: one byte per character
    let n = b.len();
    let lead = digit_run(b);
    let mut in_c = lead >= 4 || (lead == 2 && n == 2);
    let mut out = Vec::with_capacity(n + 4);
    out.push(if in_c { START_C } else { START_B });
    let mut rest = b;
    while let [c, tail @ ..] = rest {
        if in_c {
            if let [d1 @ b'0'..=b'9', d2 @ b'0'..=b'9', after @ ..] = rest {
                out.push((d1 - b'0') * 10 + (d2 - b'0'));
                rest = after;
            } else {
                out.push(CODE_B);
                in_c = false;
            }
            continue;
        }
        let run = digit_run(rest);
        if run >= 6 || (run >= 4 && run == rest.len()) {
            if run % 2 == 1 {
                out.push(c - b' ');
                rest = tail;
            }
            out.push(CODE_C);
            in_c = true;
            continue;
        }
        out.push(c - b' ');
        rest = tail;
    }
    out.push(code128_checksum(&out));
    out.push(STOP);
    Ok(out)
}

/// The Code 128 barcode for `data` (printable ASCII), as bars and one SVG path.
pub fn code128(data: &str) -> Result<Barcode, CodeError> {
    let symbols = code128_symbols(data)?;
    // Every value comes from the encoder above, so all are in 0..=106.
    let modules = code128_modules(&symbols).unwrap_or_default();
    let mut path = String::with_capacity(modules.len() * 8);
    let mut x = BAR_QUIET as usize;
    for (k, &w) in modules.iter().enumerate() {
        if k % 2 == 0 {
            path.push('M');
            push_u64(&mut path, x as u64);
            path.push_str(" 0h");
            push_u64(&mut path, u64::from(w));
            path.push('v');
            push_u64(&mut path, u64::from(BAR_HEIGHT));
            path.push_str("h-");
            push_u64(&mut path, u64::from(w));
            path.push('z');
        }
        x += w as usize;
    }
    Ok(Barcode { modules, total_width: (x + BAR_QUIET as usize) as u32, height: BAR_HEIGHT, path })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packed_patterns_unpack_to_the_table() {
        for (v, raw) in RAW_PATTERNS.iter().enumerate() {
            let mut w = Vec::new();
            assert!(push_pattern(&mut w, v as u8));
            let digits: String = w.iter().map(|d| char::from(b'0' + d)).collect();
            assert_eq!(digits, raw.to_string(), "value {v}");
        }
        assert!(!push_pattern(&mut Vec::new(), 107));
    }
}
