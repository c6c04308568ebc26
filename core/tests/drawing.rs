//! Payment codes: the QR path is read back by a real decoder (rqrr) and compared with
//! the matrix cell by cell; the Code 128 bars are read back by a decoder written here
//! from the standard's table, and the symbol values are checked against values
//! worked out by hand.

use std::collections::{BTreeSet, HashMap};

use epay_core::drawing::{
    code128, code128_checksum, code128_modules, code128_symbols, qr_matrix, qr_svg, CodeError, BAR_HEIGHT, BAR_QUIET, QR_MAX_BYTES,
    QR_QUIET,
};
use proptest::prelude::*;

// ---------------------------------------------------------------- Code 128

// ISO/IEC 15417 table 1, typed in again so that the library's table is checked against an
// independent copy: values 0..=105, then the stop pattern (`CODE128_STANDARD`).
include!("data/code128_standard.rs");
const STANDARD: [&str; 107] = CODE128_STANDARD;

fn widths(s: &str) -> Vec<u8> {
    s.bytes().map(|b| b - b'0').collect()
}

#[test]
fn pattern_table_matches_the_standard() {
    // The values the brief names, spelled out.
    assert_eq!(code128_modules(&[0]).unwrap(), widths("212222"));
    assert_eq!(code128_modules(&[1]).unwrap(), widths("222122"));
    assert_eq!(code128_modules(&[103]).unwrap(), widths("211412")); // Start A
    assert_eq!(code128_modules(&[104]).unwrap(), widths("211214")); // Start B
    assert_eq!(code128_modules(&[105]).unwrap(), widths("211232")); // Start C
    assert_eq!(code128_modules(&[106]).unwrap(), widths("2331112")); // Stop
    for (v, p) in STANDARD.iter().enumerate() {
        assert_eq!(code128_modules(&[v as u8]).unwrap(), widths(p), "value {v}");
    }
    assert_eq!(code128_modules(&[107]), None);
    assert_eq!(code128_modules(&[5, 255]), None);
    // Structure of the standard's table itself: 11 modules per symbol (13 for stop),
    // bars sum to an even number, all patterns distinct.
    let mut seen = BTreeSet::new();
    for (v, p) in STANDARD.iter().enumerate() {
        let w = widths(p);
        let total: u32 = w.iter().map(|&x| x as u32).sum();
        assert_eq!(total, if v == 106 { 13 } else { 11 }, "value {v}");
        if v < 106 {
            let bars: u32 = w.iter().step_by(2).map(|&x| x as u32).sum();
            assert_eq!(bars % 2, 0, "value {v}: bar modules must be even");
        }
        assert!(w.iter().all(|&x| (1..=4).contains(&x)));
        assert!(seen.insert(p.to_string()), "value {v} repeats");
    }
}

/// Symbols worked out by hand (B value = ASCII − 32; C value = the two digits;
/// check = (start + Σ i·vᵢ) mod 103), see the comments.
#[test]
fn hand_computed_symbols() {
    // Only runs of 3 digits: all code set B. '0'=16 '4'=20 '5'=21 '-'=13.
    // 104 + 16 + 2·20 + 3·21 + 4·13 + 5·16 + 6·21 + 7·16 + 8·13 + 9·16 + 10·16 + 11·16
    // = 1177 = 11·103 + 44.
    assert_eq!(code128_symbols("045-050-000").unwrap(), [104, 16, 20, 21, 13, 16, 21, 16, 13, 16, 16, 16, 44, 106]);
    // H=40 e=69 l=76 o=79: 104 + 40 + 138 + 228 + 304 + 395 = 1209 = 11·103 + 76.
    assert_eq!(code128_symbols("Hello").unwrap(), [104, 40, 69, 76, 76, 79, 76, 106]);
    // Start C, 12 34 56: 105 + 12 + 68 + 168 = 353 = 3·103 + 44.
    assert_eq!(code128_symbols("123456").unwrap(), [105, 12, 34, 56, 44, 106]);
    // R=50 I=41, then a 9-digit run mid-data: '4'=20 in B, Code C (99), 76 39 46 52,
    // Code B (100), C=35 H=40.
    // 104 + 50 + 82 + 60 + 396 + 380 + 234 + 322 + 416 + 900 + 350 + 440 = 3734 = 36·103 + 26.
    assert_eq!(code128_symbols("RI476394652CH").unwrap(), [104, 50, 41, 20, 99, 76, 39, 46, 52, 100, 35, 40, 26, 106]);
    // Exactly two digits: start C. 105 + 42 = 147 = 103 + 44.
    assert_eq!(code128_symbols("42").unwrap(), [105, 42, 44, 106]);
    // Odd leading run: C for the pairs, B for the last digit.
    // 105 + 12 + 2·34 + 3·100 + 4·21('5') + 5·33('A') = 734 = 7·103 + 13.
    assert_eq!(code128_symbols("12345A").unwrap(), [105, 12, 34, 100, 21, 33, 13, 106]);
    // A 4-digit run at the end switches to C: 'A'=33, 99, 12, 34.
    // 104 + 33 + 198 + 36 + 136 = 507 = 4·103 + 95.
    assert_eq!(code128_symbols("A1234").unwrap(), [104, 33, 99, 12, 34, 95, 106]);
    // The same run in the middle stays in B (switching there saves nothing).
    assert_eq!(code128_symbols("A1234B").unwrap()[1..7], [33, 17, 18, 19, 20, 34]);
}

#[test]
fn checksum_is_weighted_mod_103() {
    assert_eq!(code128_checksum(&[104, 40, 69, 76, 76, 79]), 76);
    assert_eq!(code128_checksum(&[105, 12, 34, 56]), 44);
    assert_eq!(code128_checksum(&[104]), 1);
    // Long data never overflows.
    let long = [vec![104u8], vec![95u8; 10_000]].concat();
    let sum: u64 = 104 + (1..=10_000u64).map(|i| 95 * i).sum::<u64>();
    assert_eq!(code128_checksum(&long) as u64, sum % 103);
}

#[test]
fn barcode_drawing_for_the_reference_number() {
    let b = code128("045-050-000").unwrap();
    // 14 symbols: 13 of 11 modules + stop of 13, plus two quiet zones.
    assert_eq!(b.modules.iter().map(|&w| w as u32).sum::<u32>(), 13 * 11 + 13);
    assert_eq!(b.total_width, 13 * 11 + 13 + 2 * BAR_QUIET);
    assert_eq!(b.height, BAR_HEIGHT);
    assert_eq!(b.view_box(), format!("0 0 {} {}", b.total_width, BAR_HEIGHT));
    assert_eq!(&b.modules[..6], &widths("211214")[..]);
    assert_eq!(&b.modules[b.modules.len() - 7..], &widths("2331112")[..]);
    assert!(b.path.starts_with("M10 0h2v60h-2zM13 0h1v60h-1z"), "{}", &b.path[..40]);
    assert_eq!(decode_code128(&b.modules).unwrap(), "045-050-000");
}

#[test]
fn barcode_rejects_what_code_128_b_cannot_carry() {
    assert_eq!(code128(""), Err(CodeError::Empty));
    assert_eq!(code128("045-é"), Err(CodeError::Character { ch: 'é', position: 4 }));
    assert_eq!(code128("a\tb"), Err(CodeError::Character { ch: '\t', position: 1 }));
    assert_eq!(code128("\u{7f}"), Err(CodeError::Character { ch: '\u{7f}', position: 0 }));
    let msg = code128("Оплата").unwrap_err().to_string();
    assert!(msg.contains("'О'") && msg.contains("U+041E") && msg.contains("position 0"), "{msg}");
    assert!(msg.contains("32 to 126"), "{msg}");
}

/// Reads element widths back to text: stop, start, symbols by the standard's table,
/// check value, then code sets A/B/C with shift.
fn decode_code128(modules: &[u8]) -> Result<String, String> {
    let table: HashMap<Vec<u8>, u8> = STANDARD.iter().enumerate().map(|(v, p)| (widths(p), v as u8)).collect();
    if modules.len() < 3 * 6 + 7 || !(modules.len() - 7).is_multiple_of(6) {
        return Err(format!("bad element count {}", modules.len()));
    }
    let (body, stop) = modules.split_at(modules.len() - 7);
    if stop != widths("2331112") {
        return Err("no stop pattern".into());
    }
    let values: Vec<u8> =
        body.chunks(6).map(|c| table.get(c).copied().ok_or_else(|| format!("unknown pattern {c:?}"))).collect::<Result<_, _>>()?;
    let (check, symbols) = values.split_last().ok_or("empty")?;
    if code128_checksum(symbols) != *check {
        return Err("check value mismatch".into());
    }
    #[derive(Clone, Copy, PartialEq)]
    enum Set {
        A,
        B,
        C,
    }
    let mut set = match symbols[0] {
        103 => Set::A,
        104 => Set::B,
        105 => Set::C,
        v => return Err(format!("not a start character: {v}")),
    };
    let mut out = String::new();
    let mut shift = false;
    for &v in &symbols[1..] {
        let here = if shift {
            if set == Set::A {
                Set::B
            } else {
                Set::A
            }
        } else {
            set
        };
        shift = false;
        match (here, v) {
            (Set::C, 0..=99) => {
                out.push(char::from(b'0' + v / 10));
                out.push(char::from(b'0' + v % 10));
            }
            (Set::A | Set::B, 0..=63) => out.push(char::from(v + 32)),
            (Set::A, 64..=95) => out.push(char::from(v - 64)),
            (Set::B, 64..=95) => out.push(char::from(v + 32)),
            (Set::A | Set::B, 98) => shift = true,
            (Set::A | Set::B, 99) => set = Set::C,
            (Set::A | Set::C, 100) => set = Set::B,
            (Set::B | Set::C, 101) => set = Set::A,
            _ => return Err(format!("value {v} unexpected here")),
        }
    }
    Ok(out)
}

/// The bars a barcode path draws, as (x, width); every subpath must be a full-height bar.
fn parse_bar_path(path: &str) -> Vec<(u32, u32)> {
    let mut bars = Vec::new();
    for sub in path.split_terminator('z') {
        let rest = sub.strip_prefix('M').unwrap_or_else(|| panic!("subpath {sub:?}"));
        let (x, rest) = rest.split_once(" 0h").unwrap();
        let (w, rest) = rest.split_once('v').unwrap();
        let (h, back) = rest.split_once("h-").unwrap();
        assert_eq!(h, BAR_HEIGHT.to_string());
        assert_eq!(w, back);
        bars.push((x.parse().unwrap(), w.parse().unwrap()));
    }
    assert!(path.ends_with('z'));
    bars
}

/// Minimum number of data symbols (switches included) over code sets B and C.
fn shortest_bc(data: &[u8]) -> usize {
    let n = data.len();
    const INF: usize = usize::MAX / 2;
    // best[i][s]: symbols to have encoded data[..i] and be in set s (0 = B, 1 = C).
    let mut best = vec![[INF; 2]; n + 1];
    best[0] = [0, 0];
    for i in 0..=n {
        // Switching within position i (at most once is ever useful).
        let b = best[i][0].min(best[i][1] + 1);
        let c = best[i][1].min(best[i][0] + 1);
        best[i] = [b, c];
        if i < n {
            best[i + 1][0] = best[i + 1][0].min(b + 1);
        }
        if i + 1 < n && data[i].is_ascii_digit() && data[i + 1].is_ascii_digit() {
            best[i + 2][1] = best[i + 2][1].min(c + 1);
        }
    }
    best[n][0].min(best[n][1])
}

fn ascii_text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[ -~]{1,40}",
        // Digit-heavy: runs of every length between letters and dashes.
        "[0-9]{0,11}([A-Za-z -]{1,3}[0-9]{0,11}){0,4}".prop_filter("non-empty", |s| !s.is_empty()),
        "[0-9]{1,30}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn code128_round_trips(data in ascii_text()) {
        let b = code128(&data).unwrap();
        prop_assert_eq!(decode_code128(&b.modules), Ok(data.clone()));

        // The path draws exactly the bars, at their offsets after the quiet zone.
        let mut expected = Vec::new();
        let mut x = BAR_QUIET;
        for (k, &w) in b.modules.iter().enumerate() {
            if k % 2 == 0 {
                expected.push((x, w as u32));
            }
            x += w as u32;
        }
        prop_assert_eq!(parse_bar_path(&b.path), expected);
        prop_assert_eq!(b.total_width, x + BAR_QUIET);
        prop_assert_eq!(b.modules.len() % 2, 1);

        // As short as any B/C encoding can be.
        let symbols = code128_symbols(&data).unwrap();
        prop_assert_eq!(symbols.len() - 3, shortest_bc(data.as_bytes()), "{:?}", symbols);
    }

    #[test]
    fn code128_names_the_first_bad_character(prefix in "[ -~]{0,10}", bad in "[^ -~]", suffix in "\\PC{0,5}") {
        let data = format!("{prefix}{bad}{suffix}");
        let ch = bad.chars().next().unwrap();
        prop_assert_eq!(code128(&data), Err(CodeError::Character { ch, position: prefix.len() }));
    }
}

// ---------------------------------------------------------------- QR

/// The cells a QR path paints, in drawing coordinates; also checks that runs are
/// merged (no two subpaths touch in a row) and stay inside the viewBox.
fn parse_qr_path(path: &str, side: usize) -> BTreeSet<(usize, usize)> {
    let mut cells = BTreeSet::new();
    let mut runs: Vec<(usize, usize, usize)> = Vec::new();
    for sub in path.split_terminator('z') {
        let rest = sub.strip_prefix('M').unwrap_or_else(|| panic!("subpath {sub:?}"));
        let (x, rest) = rest.split_once(' ').unwrap();
        let (y, rest) = rest.split_once('h').unwrap();
        let (n, back) = rest.split_once("v1h-").unwrap();
        assert_eq!(n, back, "{sub}");
        let (x, y, n): (usize, usize, usize) = (x.parse().unwrap(), y.parse().unwrap(), n.parse().unwrap());
        assert!(n >= 1 && x + n <= side && y < side, "{sub} outside {side}");
        for i in x..x + n {
            assert!(cells.insert((i, y)), "cell {i},{y} painted twice");
        }
        runs.push((y, x, n));
    }
    runs.sort();
    for w in runs.windows(2) {
        let ((y0, x0, n0), (y1, x1, _)) = (w[0], w[1]);
        assert!(!(y0 == y1 && x0 + n0 == x1), "runs at {x0},{y0} and {x1},{y1} not merged");
    }
    cells
}

fn side_of(view_box: &str) -> usize {
    let parts: Vec<&str> = view_box.split(' ').collect();
    assert_eq!(parts.len(), 4);
    assert_eq!((parts[0], parts[1]), ("0", "0"));
    assert_eq!(parts[2], parts[3]);
    parts[2].parse().unwrap()
}

/// Draw the painted cells as a greyscale picture (4 px a module, white around) and
/// read it with rqrr. Returns the text and the error correction level it reports.
fn scan(cells: &BTreeSet<(usize, usize)>, side: usize) -> (String, u16) {
    const PX: usize = 4;
    let img_side = side * PX;
    let mut img =
        rqrr::PreparedImage::prepare_from_greyscale(img_side, img_side, |x, y| if cells.contains(&(x / PX, y / PX)) { 0 } else { 255 });
    let grids = img.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code in the picture");
    let (meta, text) = grids[0].decode().expect("rqrr decodes");
    (text, meta.ecc_level)
}

fn qr_round_trip(data: &str) {
    let svg = qr_svg(data).unwrap();
    let (width, matrix) = qr_matrix(data).unwrap();
    assert_eq!(matrix.len(), width * width);
    let side = side_of(&svg.view_box);
    assert_eq!(side, width + 2 * QR_QUIET);

    let painted = parse_qr_path(&svg.path, side);
    let dark: BTreeSet<(usize, usize)> =
        (0..width * width).filter(|&i| matrix[i]).map(|i| (i % width + QR_QUIET, i / width + QR_QUIET)).collect();
    assert_eq!(painted, dark, "the path paints exactly the dark modules");

    let (text, ecc) = scan(&painted, side);
    assert_eq!(text, data);
    assert_eq!(ecc, 0, "format bits 00 = level M");
}

#[test]
fn qr_reference_number_scans() {
    qr_round_trip("045-050-000");
    let svg = qr_svg("045-050-000").unwrap();
    // 11 bytes at level M fit version 1: 21 modules + 2·4 quiet.
    assert_eq!(svg.view_box, "0 0 29 29");
    // The top-left finder's first row is one run of 7 at the quiet zone's corner.
    assert!(svg.path.starts_with("M4 4h7v1h-7z"), "{}", &svg.path[..20]);
}

#[test]
fn qr_forty_characters_scan() {
    let data = "EPAY:045-050-000;VALID:2019-06-15 14:17";
    let data = format!("{data}!");
    assert_eq!(data.len(), 40);
    qr_round_trip(&data);
}

#[test]
fn qr_utf8_text_scans() {
    qr_round_trip("THANAPAT JISAMANYA — оплата 045-050-000 в терминале ✓");
    qr_round_trip("Bayaran tunai: RM 5,000.00 · Қазақша · 支付");
}

#[test]
fn qr_errors() {
    assert_eq!(qr_svg(""), Err(CodeError::Empty));
    assert_eq!(qr_matrix(""), Err(CodeError::Empty));
    let fits = "a".repeat(QR_MAX_BYTES);
    let (width, _) = qr_matrix(&fits).unwrap();
    assert_eq!(width, 177, "version 40");
    let big = "a".repeat(QR_MAX_BYTES + 1);
    assert_eq!(qr_svg(&big), Err(CodeError::TooLong { bytes: QR_MAX_BYTES + 1 }));
    let msg = CodeError::TooLong { bytes: 3000 }.to_string();
    assert!(msg.contains("3000 bytes") && msg.contains("2331"), "{msg}");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 40, ..ProptestConfig::default() })]

    #[test]
    fn qr_any_text_scans(data in "\\PC{1,60}") {
        qr_round_trip(&data);
    }
}
