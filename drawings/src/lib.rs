//! The widget's second wasm module: the EPay code's QR and Code 128 drawings and the
//! PayDala account's QR (`epay_drawing`, which is `epay_core::drawing`), kept out of the first
//! download and fetched when a code screen is near.
//!
//! No wasm-bindgen: four plain exports, called by `drawingsApi` in `js/loader.js`:
//! - `epay_alloc(len) -> ptr`: room for `len` bytes of UTF-8 input;
//! - `epay_qr(ptr, len) -> ok` / `epay_code128(ptr, len) -> ok`: takes (and frees) the input,
//!   draws it; 1 when drawn, 0 when it cannot be (too long, not printable ASCII);
//! - `epay_out_ptr()`, `epay_out_len()`: the last drawing as UTF-8, `viewBox` then `\n` then
//!   the path's `d`.
//!
//! Without std on wasm32 (issue 26): no std runtime in the file, and a panic traps (none is
//! expected: the drawings return an error for what they cannot draw).

#![cfg_attr(all(target_arch = "wasm32", not(test)), no_std)]

extern crate alloc;

use alloc::string::String;
use alloc::vec::Vec;
use core::cell::UnsafeCell;

/// The heap on wasm32: a bump allocator. An allocation takes the next free bytes (the memory
/// grows by pages when they run out) and a free gives nothing back; instead each drawing call
/// ends by moving its drawing to the heap's start and starting again just after it
/// ([`keep`]), so what one call uses is bounded by that call, however many came before.
/// Smaller than a free-list allocator (issue 26), and the module makes one drawing at a time.
#[cfg(all(target_arch = "wasm32", not(test)))]
mod heap {
    use core::alloc::{GlobalAlloc, Layout};
    use core::arch::wasm32;
    use core::cell::Cell;
    use core::ptr::null_mut;

    pub struct Bump(Cell<usize>);
    // SAFETY: a wasm module without threads.
    unsafe impl Sync for Bump {}

    #[global_allocator]
    pub static HEAP: Bump = Bump(Cell::new(0));

    extern "C" {
        /// The end of the static data (the linker's symbol): the heap starts here.
        static __heap_base: u8;
    }

    /// The heap's first byte.
    pub fn start() -> usize {
        core::ptr::addr_of!(__heap_base) as usize
    }

    /// The next allocation starts at `at` (or later, aligned).
    pub fn restart(at: usize) {
        HEAP.0.set(at);
    }

    unsafe impl GlobalAlloc for Bump {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            let from = self.0.get().max(start());
            let Some(end) = from.checked_next_multiple_of(layout.align()).and_then(|at| at.checked_add(layout.size())) else {
                return null_mut();
            };
            let (have, need) = (wasm32::memory_size(0), end.div_ceil(65536));
            if need > have && wasm32::memory_grow(0, need - have) == usize::MAX {
                return null_mut();
            }
            self.0.set(end);
            (end - layout.size()) as *mut u8
        }

        unsafe fn dealloc(&self, _: *mut u8, _: Layout) {}
    }
}

#[cfg(all(target_arch = "wasm32", not(test)))]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    core::arch::wasm32::unreachable()
}

/// The last drawing (`epay_out_ptr`, `epay_out_len`).
struct Out(UnsafeCell<Vec<u8>>);
// SAFETY: the wasm module has no threads; natively only one test calls the exports.
unsafe impl Sync for Out {}
static OUT: Out = Out(UnsafeCell::new(Vec::new()));

/// `view_box`, `\n`, `path`.
fn joined(view_box: &str, path: &str) -> String {
    let mut out = String::with_capacity(view_box.len() + 1 + path.len());
    out.push_str(view_box);
    out.push('\n');
    out.push_str(path);
    out
}

/// The drawing of `text` as `viewBox\nd`, or `None` when it cannot be drawn.
pub fn qr(text: &str) -> Option<String> {
    epay_drawing::qr_svg(text).ok().map(|s| joined(&s.view_box, &s.path))
}

/// The Code 128 barcode of `text` as `viewBox\nd`, or `None`.
pub fn code128(text: &str) -> Option<String> {
    epay_drawing::code128(text).ok().map(|b| joined(&b.view_box(), &b.path))
}

#[no_mangle]
pub extern "C" fn epay_alloc(len: usize) -> *mut u8 {
    let mut v = Vec::<u8>::with_capacity(len.max(1));
    let p = v.as_mut_ptr();
    core::mem::forget(v);
    p
}

/// # Safety
/// `ptr` and `len` come from `epay_alloc(len)`, filled by the caller; taken back here.
unsafe fn take(ptr: *mut u8, len: usize) -> Vec<u8> {
    Vec::from_raw_parts(ptr, len, len.max(1))
}

fn draw(ptr: *mut u8, len: usize, with: fn(&str) -> Option<String>) -> u32 {
    // SAFETY: the loader passes what `epay_alloc` returned, with the length it asked for.
    let input = unsafe { take(ptr, len) };
    // SAFETY: checked just before (`is_utf8` accepts what `core::str::from_utf8` accepts).
    let drawn = is_utf8(&input).then(|| with(unsafe { core::str::from_utf8_unchecked(&input) })).flatten();
    drop(input);
    let ok = drawn.is_some();
    keep(drawn.map(String::into_bytes).unwrap_or_default());
    u32::from(ok)
}

/// Whether `b` is UTF-8: `core::str::from_utf8(b).is_ok()`, but a fraction of its size (its
/// fast paths for long text were 5% of the module, issue 26). Each sequence is decoded: the
/// lead byte's leading ones say its length (none: 1 byte; 2 to 4), each byte after it must be
/// 10xxxxxx, and the code point must need that length (no overlong form), not be a
/// surrogate, and not pass U+10FFFF.
fn is_utf8(b: &[u8]) -> bool {
    let mut i = 0;
    while let Some(&lead) = b.get(i) {
        let n = lead.leading_ones() as usize;
        let min = match n {
            0 => 0,
            2 => 0x80,
            3 => 0x800,
            4 => 0x10000,
            _ => return false,
        };
        let mut cp = u32::from(lead & (0x7F >> n));
        for k in 1..n {
            match b.get(i + k) {
                Some(&c) if c & 0xC0 == 0x80 => cp = cp << 6 | u32::from(c & 0x3F),
                _ => return false,
            }
        }
        if cp < min || cp > 0x10FFFF || (0xD800..0xE000).contains(&cp) {
            return false;
        }
        i += n.max(1);
    }
    true
}

/// Makes `bytes` the last drawing. On wasm32 it moves to the heap's start and the heap starts
/// again after it: nothing else is alive then (the input and the previous drawing are done).
fn keep(bytes: Vec<u8>) {
    #[cfg(all(target_arch = "wasm32", not(test)))]
    let bytes = {
        let (len, to) = (bytes.len(), heap::start() as *mut u8);
        // SAFETY: `bytes` lies in the heap at or after its start, so [start, start + len) is
        // memory the heap has; nothing else alive points there; `copy` allows the overlap.
        // The old Vec's free does nothing (bump allocator); the new one owns its bytes until
        // the next `keep`, as the heap restarts after them.
        unsafe {
            core::ptr::copy(bytes.as_ptr(), to, len);
            heap::restart(to as usize + len);
            Vec::from_raw_parts(to, len, len)
        }
    };
    // SAFETY: no other reference to OUT lives (one thread, no reentrance).
    unsafe { *OUT.0.get() = bytes };
}

#[no_mangle]
pub extern "C" fn epay_qr(ptr: *mut u8, len: usize) -> u32 {
    draw(ptr, len, qr)
}

#[no_mangle]
pub extern "C" fn epay_code128(ptr: *mut u8, len: usize) -> u32 {
    draw(ptr, len, code128)
}

#[no_mangle]
pub extern "C" fn epay_out_ptr() -> *const u8 {
    // SAFETY: as in `draw`.
    unsafe { (*OUT.0.get()).as_ptr() }
}

#[no_mangle]
pub extern "C" fn epay_out_len() -> usize {
    // SAFETY: as in `draw`.
    unsafe { (*OUT.0.get()).len() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drawings_are_the_cores_with_the_view_box_first() {
        let q = qr("045-050-000").unwrap();
        let (view_box, d) = q.split_once('\n').unwrap();
        let core = epay_drawing::qr_svg("045-050-000").unwrap();
        assert_eq!((view_box, d), (core.view_box.as_str(), core.path.as_str()));
        assert!(code128("045-050-000").unwrap().starts_with("0 0 "));
        assert_eq!(code128("ünïcode"), None);
    }

    #[test]
    fn utf8_is_what_core_accepts() {
        // Every sequence of 1 to 3 bytes.
        for x in 0..1u32 << 24 {
            let [a, b, c, _] = x.to_le_bytes();
            for s in [&[a][..], &[a, b], &[a, b, c]] {
                if s.len() == 1 && (b, c) != (0, 0) || s.len() == 2 && c != 0 {
                    continue;
                }
                assert_eq!(is_utf8(s), std::str::from_utf8(s).is_ok(), "{s:02x?}");
            }
        }
        // Four bytes: each lead byte and second byte, the others at the edges of the ranges.
        let edges = [0x00, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xFF];
        for a in 0xEFu8..=0xFF {
            for b in 0..=255u8 {
                for c in edges {
                    for d in edges {
                        let s = [a, b, c, d];
                        assert_eq!(is_utf8(&s), std::str::from_utf8(&s).is_ok(), "{s:02x?}");
                    }
                }
            }
        }
        // Text, and text cut anywhere.
        let text = "045-050-000 · Қазақша 支付 ✓ 🙂".as_bytes();
        for end in 0..=text.len() {
            assert_eq!(is_utf8(&text[..end]), std::str::from_utf8(&text[..end]).is_ok(), "{end}");
        }
    }

    #[test]
    fn the_exports_take_their_input_and_leave_the_drawing() {
        for (text, f) in [("7123456789", epay_qr as extern "C" fn(*mut u8, usize) -> u32), ("045-050-000", epay_code128)] {
            let p = epay_alloc(text.len());
            unsafe { std::ptr::copy_nonoverlapping(text.as_ptr(), p, text.len()) };
            assert_eq!(f(p, text.len()), 1);
            let out = unsafe { std::slice::from_raw_parts(epay_out_ptr(), epay_out_len()) };
            assert!(std::str::from_utf8(out).unwrap().contains('\n'));
        }
        let p = epay_alloc(0);
        assert_eq!(epay_code128(p, 0), 0, "nothing to draw");
        assert_eq!(epay_out_len(), 0);
        let bad = [b'4', 0xC0, 0x80]; // an overlong '\0': not UTF-8, not drawn
        let p = epay_alloc(bad.len());
        unsafe { std::ptr::copy_nonoverlapping(bad.as_ptr(), p, bad.len()) };
        assert_eq!(epay_qr(p, bad.len()), 0);
    }
}
