//! The binary's global allocator: large blocks on transparent huge pages.
//!
//! At a million articles the similarity stage reads gigabytes of rows,
//! posting lists and accumulators at random, and with 4 KB pages nearly
//! every read misses the TLB. Linux backs a mapping with 2 MiB pages when
//! it is asked to (`madvise(MADV_HUGEPAGE)`, honoured under the default
//! `transparent_hugepage=madvise`), but only where a whole aligned 2 MiB
//! range is advised before it is touched. The system allocator cannot
//! promise that: it writes its header into the first page before the
//! caller can advise anything, reuses freed memory that is already mapped
//! with small pages, and its blocks are not aligned to 2 MiB.
//!
//! So every block of 2 MiB or more is mapped here on its own: rounded up to
//! whole 2 MiB pages, aligned to one, advised before first use, grown by
//! moving its pages (`mremap`, no copy) and returned to the OS when freed.
//! Smaller blocks, which are most allocations, go to the system allocator
//! unchanged. Elsewhere than Linux this is the system allocator.
//!
//! Measured on whole runs over a million articles (BENCHMARKS.md, "Huge
//! pages at one million articles"): ~1.1× on analysis and similarity, the
//! same bytes out, the same peak memory.
//! Used only by the binary (`main.rs`); the library leaves the choice of
//! allocator to whoever links it.

use std::alloc::{GlobalAlloc, Layout, System};

/// The global allocator of `related`: see the module documentation.
pub struct HugePageAlloc;

#[cfg(target_os = "linux")]
mod huge {
    use std::alloc::Layout;
    use std::ptr;

    /// The size of a transparent huge page on x86-64 and arm64 (4 KB base
    /// pages), and the threshold above which a block gets its own mapping.
    pub const HUGE_PAGE: usize = 2 << 20;

    /// Whether a block of this layout is mapped here rather than by the
    /// system allocator. Alignments above a huge page (none in practice)
    /// stay with the system allocator, which handles any alignment.
    pub fn is_large(layout: &Layout) -> bool {
        layout.size() >= HUGE_PAGE && layout.align() <= HUGE_PAGE
    }

    /// `size` rounded up to whole huge pages: the length of the mapping.
    fn mapped_len(size: usize) -> Option<usize> {
        size.checked_add(HUGE_PAGE - 1).map(|s| s & !(HUGE_PAGE - 1))
    }

    /// Reserves `len` bytes (a multiple of `HUGE_PAGE`) of address space
    /// aligned to a huge page: maps one huge page more than asked and
    /// unmaps the unaligned head and the tail.
    unsafe fn reserve_aligned(len: usize, prot: libc::c_int) -> *mut u8 {
        let Some(over) = len.checked_add(HUGE_PAGE) else {
            return ptr::null_mut();
        };
        // SAFETY: an anonymous private mapping at an address of the
        // kernel's choice touches no existing memory.
        let raw = unsafe {
            libc::mmap(ptr::null_mut(), over, prot, libc::MAP_PRIVATE | libc::MAP_ANONYMOUS, -1, 0)
        };
        if raw == libc::MAP_FAILED {
            return ptr::null_mut();
        }
        let start = raw as usize;
        let aligned = (start + HUGE_PAGE - 1) & !(HUGE_PAGE - 1);
        let head = aligned - start;
        let tail = over - head - len;
        // SAFETY: both ranges lie inside the mapping just made and nobody
        // else knows its address yet.
        unsafe {
            if head > 0 {
                libc::munmap(raw, head);
            }
            if tail > 0 {
                libc::munmap((aligned + len) as *mut libc::c_void, tail);
            }
        }
        aligned as *mut u8
    }

    /// Asks for huge pages on a range nothing has touched yet. A refusal
    /// (THP disabled, an old kernel) leaves ordinary pages: not an error.
    unsafe fn advise(ptr: *mut u8, len: usize) {
        // SAFETY: `ptr..ptr + len` is a mapping of ours; the advice
        // changes how it is backed, never its contents.
        unsafe {
            libc::madvise(ptr.cast(), len, libc::MADV_HUGEPAGE);
        }
    }

    /// A new zeroed block of at least `size` bytes, aligned to a huge page.
    pub unsafe fn map(size: usize) -> *mut u8 {
        let Some(len) = mapped_len(size) else {
            return ptr::null_mut();
        };
        // SAFETY: reserve_aligned returns a fresh mapping of `len` bytes.
        unsafe {
            let p = reserve_aligned(len, libc::PROT_READ | libc::PROT_WRITE);
            if !p.is_null() {
                advise(p, len);
            }
            p
        }
    }

    /// Frees a block that [`map`] or [`remap`] returned for `size` bytes.
    pub unsafe fn unmap(ptr: *mut u8, size: usize) {
        let len = mapped_len(size).expect("a mapped block's length fits");
        // SAFETY: the caller passes a block of ours with its size.
        unsafe {
            libc::munmap(ptr.cast(), len);
        }
    }

    /// Grows or shrinks a mapped block, keeping its contents and its
    /// alignment. Growth moves the pages to a new aligned range without
    /// copying them (`mremap` with `MREMAP_FIXED`); a null return leaves
    /// the old block as it was.
    pub unsafe fn remap(ptr: *mut u8, old_size: usize, new_size: usize) -> *mut u8 {
        let old_len = mapped_len(old_size).expect("a mapped block's length fits");
        let Some(new_len) = mapped_len(new_size) else {
            return ptr::null_mut();
        };
        if new_len == old_len {
            return ptr;
        }
        if new_len < old_len {
            // SAFETY: the tail beyond `new_len` belongs to this block and
            // the caller has given up everything past `new_size`.
            unsafe {
                libc::munmap(ptr.add(new_len).cast(), old_len - new_len);
            }
            return ptr;
        }
        // SAFETY: the destination is a fresh inaccessible reservation of
        // `new_len` bytes; MREMAP_FIXED replaces it with the old pages
        // (which keep their protection) followed by new zeroed pages, and
        // unmaps the old range. On failure the reservation is released and
        // the old block is untouched.
        unsafe {
            let dest = reserve_aligned(new_len, libc::PROT_NONE);
            if dest.is_null() {
                return ptr::null_mut();
            }
            let moved = libc::mremap(
                ptr.cast(),
                old_len,
                new_len,
                libc::MREMAP_MAYMOVE | libc::MREMAP_FIXED,
                dest.cast::<libc::c_void>(),
            );
            if moved == libc::MAP_FAILED {
                libc::munmap(dest.cast(), new_len);
                return ptr::null_mut();
            }
            advise(dest, new_len);
            dest
        }
    }
}

#[cfg(target_os = "linux")]
// SAFETY: every block is either the system allocator's (and handed back to
// it) or a mapping of ours of at least the requested size, aligned to
// 2 MiB (≥ the layout's alignment, checked by `is_large`); `is_large` of
// the layout the caller passes back tells which.
unsafe impl GlobalAlloc for HugePageAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if huge::is_large(&layout) {
            // SAFETY: see the impl.
            unsafe { huge::map(layout.size()) }
        } else {
            // SAFETY: forwarded as the caller gave it.
            unsafe { System.alloc(layout) }
        }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if huge::is_large(&layout) {
            // Fresh anonymous pages are zero: no memset, and no page is
            // touched before the program writes it.
            // SAFETY: see the impl.
            unsafe { huge::map(layout.size()) }
        } else {
            // SAFETY: forwarded as the caller gave it.
            unsafe { System.alloc_zeroed(layout) }
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if huge::is_large(&layout) {
            // SAFETY: a large layout's block came from `map` or `remap`.
            unsafe { huge::unmap(ptr, layout.size()) }
        } else {
            // SAFETY: a small layout's block came from the system.
            unsafe { System.dealloc(ptr, layout) }
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: the caller guarantees `new_size`, rounded up to the
        // alignment, does not overflow isize.
        let new_layout = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
        match (huge::is_large(&layout), huge::is_large(&new_layout)) {
            // SAFETY (all arms): each block goes back to whoever made it;
            // copies are of the bytes both blocks hold.
            (false, false) => unsafe { System.realloc(ptr, layout, new_size) },
            (true, true) => unsafe { huge::remap(ptr, layout.size(), new_size) },
            (from_large, _) => unsafe {
                let new = self.alloc(new_layout);
                if !new.is_null() {
                    std::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
                    if from_large {
                        huge::unmap(ptr, layout.size());
                    } else {
                        System.dealloc(ptr, layout);
                    }
                }
                new
            },
        }
    }
}

#[cfg(not(target_os = "linux"))]
// SAFETY: every call is forwarded to the system allocator unchanged.
unsafe impl GlobalAlloc for HugePageAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded as the caller gave it.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded as the caller gave it.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded as the caller gave it.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: forwarded as the caller gave it.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::huge::HUGE_PAGE;
    use super::*;

    const MIB: usize = 1 << 20;

    /// Fills `len` bytes with a pattern that depends on the position.
    unsafe fn fill(ptr: *mut u8, len: usize) {
        for i in (0..len).step_by(4093) {
            unsafe { *ptr.add(i) = (i % 251) as u8 }
        }
    }

    unsafe fn check(ptr: *const u8, len: usize) {
        for i in (0..len).step_by(4093) {
            assert_eq!(unsafe { *ptr.add(i) }, (i % 251) as u8, "byte {i}");
        }
    }

    #[test]
    fn large_blocks_are_aligned_zeroed_and_keep_their_bytes_through_growth() {
        let a = HugePageAlloc;
        unsafe {
            let layout = Layout::from_size_align(3 * MIB + 5, 8).unwrap();
            let p = a.alloc_zeroed(layout);
            assert!(!p.is_null());
            assert_eq!(p as usize % HUGE_PAGE, 0, "aligned to a huge page");
            assert!((0..layout.size()).step_by(4096).all(|i| *p.add(i) == 0));
            fill(p, layout.size());
            // Same mapped length: the block stays where it is.
            let same = a.realloc(p, layout, 4 * MIB - 1);
            assert_eq!(same, p);
            // Growth moves the pages: contents kept, new part zero.
            let grown = a.realloc(same, Layout::from_size_align(4 * MIB - 1, 8).unwrap(), 64 * MIB);
            assert!(!grown.is_null());
            assert_eq!(grown as usize % HUGE_PAGE, 0);
            check(grown, layout.size());
            assert_eq!(*grown.add(63 * MIB), 0);
            *grown.add(64 * MIB - 1) = 7;
            // Shrinking keeps the start.
            let big = Layout::from_size_align(64 * MIB, 8).unwrap();
            let shrunk = a.realloc(grown, big, 5 * MIB);
            assert_eq!(shrunk, grown);
            check(shrunk, layout.size());
            a.dealloc(shrunk, Layout::from_size_align(5 * MIB, 8).unwrap());
        }
    }

    #[test]
    fn blocks_cross_between_the_system_and_the_mapped_side() {
        let a = HugePageAlloc;
        unsafe {
            let small = Layout::from_size_align(100_000, 16).unwrap();
            let p = a.alloc(small);
            fill(p, small.size());
            // Small → large: copied into a mapping of ours.
            let large = a.realloc(p, small, 10 * MIB);
            assert_eq!(large as usize % HUGE_PAGE, 0);
            check(large, small.size());
            fill(large, 10 * MIB);
            // Large → small: copied back to the system allocator.
            let back = a.realloc(large, Layout::from_size_align(10 * MIB, 16).unwrap(), 1_000_000);
            assert!(!back.is_null());
            assert_eq!(back as usize % 16, 0);
            check(back, 1_000_000);
            a.dealloc(back, Layout::from_size_align(1_000_000, 16).unwrap());
        }
    }

    #[test]
    fn vectors_and_odd_layouts_work_as_with_the_system_allocator() {
        let a = HugePageAlloc;
        unsafe {
            // An alignment above a huge page stays with the system.
            let odd = Layout::from_size_align(8 * MIB, 4 * MIB).unwrap();
            let p = a.alloc(odd);
            assert!(!p.is_null());
            assert_eq!(p as usize % (4 * MIB), 0);
            a.dealloc(p, odd);
            // Exactly the threshold is mapped; one byte less is not.
            let at = Layout::from_size_align(HUGE_PAGE, 1).unwrap();
            let q = a.alloc(at);
            assert_eq!(q as usize % HUGE_PAGE, 0);
            a.dealloc(q, at);
        }
        // Doubling from 8 bytes to 64 MiB, as a Vec grows, with the
        // contents checked after every move.
        unsafe {
            let mut size = 8;
            let mut p = a.alloc(Layout::from_size_align(size, 8).unwrap());
            fill(p, size);
            while size < 64 * MIB {
                let layout = Layout::from_size_align(size, 8).unwrap();
                p = a.realloc(p, layout, size * 2);
                assert!(!p.is_null());
                check(p, size);
                size *= 2;
                fill(p, size);
            }
            check(p, size);
            a.dealloc(p, Layout::from_size_align(size, 8).unwrap());
        }
    }
}
