//! The QR encoder written here (`qr_matrix`) draws the same matrix as the `qrcode` crate 0.14,
//! which the drawings used before (byte mode, level M, smallest version): at both sides of
//! every version's capacity and for any text, so the same mask is chosen everywhere.

use epay_drawing::{qr_matrix, CodeError, QR_MAX_BYTES};
use proptest::prelude::*;
use qrcode::bits::Bits;
use qrcode::{Color, EcLevel, QrCode, Version};

/// What `qr_matrix` returned before it had its own encoder.
fn qrcode_crate(data: &str) -> Option<(usize, Vec<bool>)> {
    let bits = (1..=40).find_map(|v| {
        let mut bits = Bits::new(Version::Normal(v));
        (bits.push_byte_data(data.as_bytes()).is_ok() && bits.push_terminator(EcLevel::M).is_ok()).then_some(bits)
    })?;
    let code = QrCode::with_bits(bits, EcLevel::M).ok()?;
    Some((code.width(), code.into_colors().into_iter().map(|c| c == Color::Dark).collect()))
}

/// Bytes each version holds at level M in byte mode (ISO/IEC 18004 table 7).
const CAPACITY: [usize; 40] = [
    14, 26, 42, 62, 84, 106, 122, 152, 180, 213, 251, 287, 331, 362, 412, 450, 504, 560, 624, 666, 711, 779, 857, 911, 997, 1059, 1125,
    1190, 1264, 1370, 1452, 1538, 1628, 1722, 1809, 1911, 1989, 2099, 2213, 2331,
];

/// `len` characters of printable ASCII, varied by `seed` (a linear congruential sequence).
fn text(len: usize, seed: u32) -> String {
    let mut x = seed;
    (0..len)
        .map(|_| {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            char::from(b' ' + ((x >> 16) % 95) as u8)
        })
        .collect()
}

fn same_as_the_crate(data: &str) {
    let ours = qr_matrix(data).unwrap();
    let theirs = qrcode_crate(data).unwrap();
    assert_eq!(ours.0, theirs.0, "width for {} bytes", data.len());
    assert!(ours.1 == theirs.1, "the matrices differ for {} bytes: {data:?}", data.len());
}

#[test]
fn every_version_is_drawn_as_the_qrcode_crate_draws_it() {
    for (v, &cap) in CAPACITY.iter().enumerate() {
        let full = text(cap, v as u32);
        assert_eq!(qr_matrix(&full).unwrap().0, 4 * (v + 1) + 17, "{cap} bytes fit version {}", v + 1);
        same_as_the_crate(&full);
        if cap < QR_MAX_BYTES {
            let over = text(cap + 1, 7 * v as u32);
            assert_eq!(qr_matrix(&over).unwrap().0, 4 * (v + 2) + 17, "{} bytes need version {}", cap + 1, v + 2);
            same_as_the_crate(&over);
        }
    }
    assert_eq!(qr_matrix(&"a".repeat(QR_MAX_BYTES + 1)), Err(CodeError::TooLong { bytes: QR_MAX_BYTES + 1 }));
}

/// The mask pattern a matrix's format bits name (row 8, columns 0 to 4: bits 14 to 10).
fn mask_of((width, cells): &(usize, Vec<bool>)) -> usize {
    let bits = (0..5).fold(0u16, |f, x| f << 1 | u16::from(cells[8 * width + x]));
    usize::from((bits ^ (0x5412 >> 10)) & 7)
}

#[test]
fn every_mask_is_chosen_as_the_qrcode_crate_chooses() {
    // Short texts of one version, many contents: between them every mask pattern wins.
    let mut masks = [0; 8];
    for seed in 0..200 {
        let data = text(1 + seed as usize % 14, seed);
        same_as_the_crate(&data);
        masks[mask_of(&qr_matrix(&data).unwrap())] += 1;
    }
    assert!(masks.iter().all(|&n| n > 0), "masks chosen: {masks:?}");
    same_as_the_crate("045-050-000");
    same_as_the_crate("7123456789");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn any_text_is_drawn_as_the_qrcode_crate_draws_it(data in "\\PC{1,120}") {
        same_as_the_crate(&data);
    }
}
