//! The wasm global allocator. dlmalloc (std's default) is ~7 KB of code; the widget is
//! single-threaded and allocates little, so a free-list allocator is enough and smaller.

#[cfg(target_arch = "wasm32")]
use lol_alloc::{AssumeSingleThreaded, FreeListAllocator};

// SAFETY: the widget runs on the browser's main thread only (no wasm threads).
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: AssumeSingleThreaded<FreeListAllocator> = unsafe { AssumeSingleThreaded::new(FreeListAllocator::new()) };
