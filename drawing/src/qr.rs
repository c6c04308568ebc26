//! A QR code encoder (ISO/IEC 18004, model 2) for what the widget draws: byte mode, error
//! correction level M, the smallest version 1 to 40 that holds the data. It draws the same
//! matrix as the `qrcode` crate 0.14 did (`Bits::push_byte_data`, `push_terminator(M)`,
//! `QrCode::with_bits`): the same functional patterns, data order, masks and penalty scores,
//! so the same mask is chosen (the tests compare the two on every version). Written here,
//! without std, because the drawings module then carries no std runtime, and because the
//! crate's tables for every level, Micro QR and the mode optimiser were most of that module
//! (issue 26): here the tables are two rows of 40 bytes and the rest is computed.

use alloc::vec;
use alloc::vec::Vec;

/// Error correction codewords per block at level M, versions 1 to 40 (ISO/IEC 18004 table 9).
const EC_PER_BLOCK: [u8; 40] = [
    10, 16, 26, 18, 24, 16, 18, 22, 22, 26, 30, 22, 22, 24, 24, 28, 28, 26, 26, 26, 26, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28,
    28, 28, 28, 28, 28, 28,
];
/// Error correction blocks at level M, versions 1 to 40 (ISO/IEC 18004 table 9).
const BLOCKS: [u8; 40] = [
    1, 1, 1, 2, 2, 4, 4, 4, 5, 5, 5, 8, 9, 9, 10, 10, 11, 13, 14, 16, 17, 17, 18, 20, 21, 23, 25, 26, 28, 29, 31, 33, 35, 37, 38, 40, 43,
    45, 47, 49,
];
/// The 15 format bits of level M with mask 0 to 7 (BCH-coded, XOR 0x5412).
const FORMAT_M: [u16; 8] = [0x5412, 0x5125, 0x5e7c, 0x5b4b, 0x45f9, 0x40ce, 0x4f97, 0x4aa0];

/// Module flags: dark, and fixed (a functional pattern, or masked).
const DARK: u8 = 1;
const FIXED: u8 = 2;
/// A data or error correction module placed, not yet masked (not [`EMPTY`]).
const DATA: u8 = 4;
const EMPTY: u8 = 0;

/// Codewords (data and error correction) a version holds: its modules less the functional ones.
fn raw_codewords(v: usize) -> usize {
    let mut modules = (16 * v + 128) * v + 64;
    if v >= 2 {
        let n = v / 7 + 2;
        modules -= (25 * n - 10) * n - 55;
        if v >= 7 {
            modules -= 36;
        }
    }
    modules / 8
}

/// `(version, data codewords, error correction codewords per block, blocks)` of the smallest
/// version whose data codewords hold `len` bytes in byte mode, or `None`.
fn version_for(len: usize) -> Option<(usize, usize, usize, usize)> {
    (1..).zip(EC_PER_BLOCK.iter().zip(&BLOCKS)).find_map(|(v, (&ec, &blocks))| {
        let (ec, blocks) = (usize::from(ec), usize::from(blocks));
        let data = raw_codewords(v) - ec * blocks;
        let count_bits = if v <= 9 { 8 } else { 16 };
        (4 + count_bits + 8 * len <= 8 * data).then_some((v, data, ec, blocks))
    })
}

/// The data codewords: mode 0100, the byte count, the bytes, the terminator, then the pad
/// bytes 0xEC 0x11 in turn. The header is 12 or 20 bits, so the bytes start at bit 4 of a
/// codeword and the 4-bit terminator ends at a codeword's end.
fn data_codewords(bytes: &[u8], v: usize, capacity: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(capacity);
    let n = bytes.len();
    if v <= 9 {
        out.push(0x40 | (n >> 4) as u8);
    } else {
        out.push(0x40 | (n >> 12) as u8);
        out.push((n >> 4) as u8);
    }
    let mut high = (n & 15) as u8; // the low nibble still to write, in the high half of the next codeword
    for &b in bytes {
        out.push(high << 4 | b >> 4);
        high = b & 15;
    }
    out.push(high << 4); // and the terminator 0000
    let mut pad = 0xEC;
    while out.len() < capacity {
        out.push(pad);
        pad ^= 0xEC ^ 0x11;
    }
    out
}

/// Product in GF(2^8) modulo x^8 + x^4 + x^3 + x^2 + 1.
fn gf_mul(x: u8, y: u8) -> u8 {
    let mut z: u16 = 0;
    for i in (0..8).rev() {
        z = (z << 1) ^ ((z >> 7) * 0x11D);
        z ^= u16::from((y >> i) & 1) * u16::from(x);
    }
    z as u8
}

/// The coefficients (highest first, the leading 1 left out) of the Reed-Solomon generator
/// polynomial of `degree`: (x - a^0)(x - a^1)...(x - a^(degree-1)), a = 2.
fn generator(degree: usize) -> Vec<u8> {
    let mut poly = vec![0u8; degree];
    if let Some(last) = poly.last_mut() {
        *last = 1;
    }
    let mut root = 1u8;
    for _ in 0..degree {
        for j in 0..degree {
            let next = poly.get(j + 1).copied().unwrap_or(0);
            if let Some(p) = poly.get_mut(j) {
                *p = gf_mul(*p, root) ^ next;
            }
        }
        root = gf_mul(root, 2);
    }
    poly
}

/// The error correction codewords of one block: the remainder of data(x)·x^n by the generator
/// (a shift register: each data codeword shifts it one place and adds the generator times
/// the codeword that left it).
fn remainder(data: &[u8], generator: &[u8]) -> Vec<u8> {
    let n = generator.len();
    let mut rem = vec![0u8; n];
    for &b in data {
        let factor = b ^ rem.first().copied().unwrap_or(0);
        for (j, &g) in generator.iter().enumerate() {
            let next = rem.get(j + 1).copied().unwrap_or(0);
            if let Some(r) = rem.get_mut(j) {
                *r = next ^ gf_mul(g, factor);
            }
        }
    }
    rem
}

/// The codewords in the order they are placed: the blocks' data interleaved (codeword 0 of
/// each block, then codeword 1, ...), then their error correction interleaved. The first
/// blocks are one data codeword shorter than the last ones, whose last codewords come after
/// all the others' data.
fn interleaved(data: &[u8], v: usize, ec: usize, blocks: usize) -> Vec<u8> {
    let raw = raw_codewords(v);
    let short = blocks - raw % blocks; // blocks with the shorter data
    let short_len = raw / blocks - ec; // their data codewords
    let gen = generator(ec);
    let mut out = vec![0u8; raw];
    let mut put = |at: usize, c: u8| {
        if let Some(o) = out.get_mut(at) {
            *o = c;
        }
    };
    let mut rest = data;
    for k in 0..blocks {
        let len = short_len + usize::from(k >= short);
        let (block, tail) = rest.split_at_checked(len).unwrap_or((rest, &[]));
        rest = tail;
        for (i, &c) in block.iter().enumerate() {
            put(if i < short_len { i * blocks + k } else { short_len * blocks + k - short }, c);
        }
        for (i, &c) in remainder(block, &gen).iter().enumerate() {
            put(data.len() + i * blocks + k, c);
        }
    }
    out
}

/// The matrix under construction, row by row; coordinates below 0 count from the far side.
struct Grid {
    width: i32,
    cells: Vec<u8>,
}

impl Grid {
    fn index(&self, x: i32, y: i32) -> usize {
        let x = if x < 0 { x + self.width } else { x };
        let y = if y < 0 { y + self.width } else { y };
        (y * self.width + x) as usize
    }

    fn get(&self, x: i32, y: i32) -> u8 {
        self.cells.get(self.index(x, y)).copied().unwrap_or(FIXED)
    }

    /// Sets a functional module.
    fn put(&mut self, x: i32, y: i32, dark: bool) {
        let i = self.index(x, y);
        if let Some(c) = self.cells.get_mut(i) {
            *c = FIXED | u8::from(dark);
        }
    }

    /// Puts the low `bits` bits of `number`, highest first, at the modules `at(0)`, `at(1)`, ...
    fn put_number(&mut self, number: u32, bits: u32, at: impl Fn(i32) -> (i32, i32)) {
        for k in 0..bits {
            let (x, y) = at(k as i32);
            self.put(x, y, number >> (bits - 1 - k) & 1 == 1);
        }
    }

    /// The format bits, twice, and the dark module beside the bottom-left finder.
    fn put_format(&mut self, format: u16) {
        let f = u32::from(format);
        self.put_number(f, 15, |k| match k {
            0..=5 => (k, 8),
            6 => (7, 8),
            7 => (8, 8),
            8 => (8, 7),
            _ => (8, 14 - k),
        });
        self.put_number(f, 15, |k| if k < 7 { (8, -1 - k) } else { (k - 15, 8) });
        self.put(8, -8, true);
    }

    fn is_dark(&self, x: i32, y: i32) -> bool {
        self.get(x, y) & DARK != 0
    }
}

/// Whether mask `pattern` inverts the module at column `x`, row `y`.
fn mask_inverts(pattern: usize, x: i32, y: i32) -> bool {
    match pattern {
        0 => (x + y) % 2 == 0,
        1 => y % 2 == 0,
        2 => x % 3 == 0,
        3 => (x + y) % 3 == 0,
        4 => (y / 2 + x / 3) % 2 == 0,
        5 => (x * y) % 2 + (x * y) % 3 == 0,
        6 => ((x * y) % 2 + (x * y) % 3) % 2 == 0,
        _ => ((x + y) % 2 + (x * y) % 3) % 2 == 0,
    }
}

/// The matrix with every functional pattern, the format area reserved (light) and no data.
fn functional(v: usize) -> Grid {
    let width = 4 * v as i32 + 17;
    let mut g = Grid { width, cells: vec![EMPTY; (width * width) as usize] };
    // The square of radius `r` centred at (cx, cy), clipped to the symbol: by ring (0 at the centre).
    let square = |g: &mut Grid, cx: i32, cy: i32, r: i32, dark: fn(i32) -> bool| {
        for y in cy - r..=cy + r {
            for x in cx - r..=cx + r {
                if (0..width).contains(&x) && (0..width).contains(&y) {
                    g.put(x, y, dark(i32::max(i32::abs(x - cx), i32::abs(y - cy))));
                }
            }
        }
    };
    // Finder patterns with their light separators, centred 3 modules in from three corners.
    for (cx, cy) in [(3, 3), (width - 4, 3), (3, width - 4)] {
        square(&mut g, cx, cy, 4, |ring| ring != 2 && ring != 4);
    }
    // Alignment patterns: at each pair of positions whose centre is still free.
    if v >= 2 {
        let n = v as i32 / 7 + 2;
        let step = if v == 32 { 26 } else { (4 * v as i32 + 2 * n + 1) / (2 * n - 2) * 2 };
        let position = |k: i32| if k == 0 { 6 } else { width - 7 - (n - 1 - k) * step };
        for a in 0..n {
            for b in 0..n {
                let (cx, cy) = (position(a), position(b));
                if g.get(cx, cy) == EMPTY {
                    square(&mut g, cx, cy, 2, |ring| ring != 1);
                }
            }
        }
    }
    g.put_format(0);
    // Timing patterns.
    for k in 8..=width - 9 {
        g.put(k, 6, k % 2 == 0);
        g.put(6, k, k % 2 == 0);
    }
    // Version information (versions 7 and up): the version and its BCH(18, 6) remainder.
    if v >= 7 {
        let mut rem = v as u32;
        for _ in 0..12 {
            rem = (rem << 1) ^ ((rem >> 11) * 0x1F25);
        }
        let info = (v as u32) << 12 | rem;
        g.put_number(info, 18, |k| (5 - k / 3, -9 - k % 3));
        g.put_number(info, 18, |k| (-9 - k % 3, 5 - k / 3));
    }
    g
}

/// Places the codewords' bits, highest first, in the free modules: two columns at a time from
/// the right, up then down, the vertical timing column skipped. What is left stays empty.
fn place(g: &mut Grid, codewords: &[u8]) {
    let w = g.width;
    let mut bits = codewords.iter().flat_map(|&b| (0..8).rev().map(move |i| b >> i & 1 == 1));
    let mut right = w - 1;
    while right >= 1 {
        if right == 6 {
            right = 5;
        }
        let upward = (right + 1) & 2 == 0;
        for vert in 0..w {
            let y = if upward { w - 1 - vert } else { vert };
            for x in [right, right - 1] {
                let i = g.index(x, y);
                if let Some(c) = g.cells.get_mut(i).filter(|c| **c == EMPTY) {
                    match bits.next() {
                        Some(dark) => *c = DATA | u8::from(dark),
                        None => return,
                    }
                }
            }
        }
        right -= 2;
    }
}

/// The penalty score of a masked matrix, as `qrcode` 0.14 computes it (in release builds,
/// where its u16 sums wrap): runs of 5 or more, 2×2 blocks, finder-like patterns (less the
/// three real finders' 360 points) and the dark/light balance.
fn penalty(g: &Grid) -> u16 {
    let w = g.width;
    let mut score: u32 = 0;
    for horizontal in [true, false] {
        let at = |i: i32, j: i32| if horizontal { g.is_dark(j, i) } else { g.is_dark(i, j) };
        for i in 0..w {
            // Runs of the same colour: 5 + n in a row cost 3 + n.
            let mut run = 1;
            for j in 1..=w {
                if j < w && at(i, j) == at(i, j - 1) {
                    run += 1;
                } else {
                    if run >= 5 {
                        score += run - 2;
                    }
                    run = 1;
                }
            }
            // 1:1:3:1:1 with 4 light modules (or the edge) on at least one side: 40.
            for j in 0..w - 6 {
                if (0..7).any(|k| at(i, j + k) != (k != 1 && k != 5)) {
                    continue;
                }
                let dark_in = |from: i32| (from..from + 4).any(|k| (0..w).contains(&k) && at(i, k));
                if !dark_in(j - 4) || !dark_in(j + 7) {
                    score += 40;
                }
            }
        }
        score = score.wrapping_sub(360); // the three finders, each counted in 3 lines
    }
    for y in 0..w - 1 {
        for x in 0..w - 1 {
            let c = g.is_dark(x, y);
            if g.is_dark(x + 1, y) == c && g.is_dark(x, y + 1) == c && g.is_dark(x + 1, y + 1) == c {
                score += 3;
            }
        }
    }
    let dark = g.cells.iter().filter(|&&c| c & DARK != 0).count();
    let ratio = dark * 200 / g.cells.len().max(1);
    score = score.wrapping_add(ratio.abs_diff(100) as u32);
    score as u16
}

/// The QR matrix of `bytes` (byte mode, level M, smallest version): its width and the modules
/// row by row, `true` = dark; `None` when more than a version 40 symbol holds.
pub fn encode(bytes: &[u8]) -> Option<(usize, Vec<bool>)> {
    let (v, capacity, ec, blocks) = version_for(bytes.len())?;
    let codewords = interleaved(&data_codewords(bytes, v, capacity), v, ec, blocks);
    let mut grid = functional(v);
    place(&mut grid, &codewords);
    let mut best: Option<(u16, Grid)> = None;
    for (pattern, &format) in FORMAT_M.iter().enumerate() {
        let mut g = Grid { width: grid.width, cells: grid.cells.clone() };
        let (w, mut x, mut y) = (g.width, 0, 0);
        for c in g.cells.iter_mut() {
            if *c & FIXED == 0 {
                *c = FIXED | ((*c & DARK) ^ u8::from(mask_inverts(pattern, x, y)));
            }
            x += 1;
            if x == w {
                (x, y) = (0, y + 1);
            }
        }
        g.put_format(format);
        let score = penalty(&g);
        match &best {
            Some((s, _)) if *s <= score => {}
            _ => best = Some((score, g)),
        }
    }
    let (_, g) = best?;
    Some((g.width as usize, g.cells.iter().map(|&c| c & DARK != 0).collect()))
}
