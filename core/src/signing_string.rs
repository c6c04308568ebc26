//! What the string to sign is made of and the parameter checks also read: the keys left
//! out of it and the natural order of its items. A leaf: `signature` (which re-exports both)
//! and `params` use it, it uses neither.

use std::cmp::Ordering;

/// Keys that never take part in the string to sign, at any depth.
pub const SKIPPED_KEYS: [&str; 2] = ["signature", "frame_mode"];

/// Natural order: runs of ASCII digits compare as numbers, other bytes by value.
pub fn natural_cmp(a: &str, b: &str) -> Ordering {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        if a[i].is_ascii_digit() && b[j].is_ascii_digit() {
            let si = i;
            while i < a.len() && a[i].is_ascii_digit() {
                i += 1;
            }
            let sj = j;
            while j < b.len() && b[j].is_ascii_digit() {
                j += 1;
            }
            let (ra, rb) = (trim_zeros(&a[si..i]), trim_zeros(&b[sj..j]));
            let ord = ra.len().cmp(&rb.len()).then_with(|| ra.cmp(rb));
            if ord != Ordering::Equal {
                return ord;
            }
            // Same number: the run with fewer leading zeros first, as strnatcmp does.
            let ord = (i - si).cmp(&(j - sj));
            if ord != Ordering::Equal {
                return ord;
            }
        } else {
            let ord = a[i].cmp(&b[j]);
            if ord != Ordering::Equal {
                return ord;
            }
            i += 1;
            j += 1;
        }
    }
    (a.len() - i).cmp(&(b.len() - j))
}

fn trim_zeros(run: &[u8]) -> &[u8] {
    let n = run.iter().take_while(|&&c| c == b'0').count();
    &run[n..]
}
