//! Term interning for the analyze stage: each distinct term string gets a
//! dense id, in order of first appearance.
//!
//! This runs once per term occurrence of every article (hundreds of millions
//! of times at a million articles), on a table of up to a few hundred
//! thousand terms that does not fit in the L2 cache, so its cost is cache
//! misses, not instructions. A `HashMap<String, u32>` pays three per lookup:
//! the control bytes, the bucket (the `String`'s pointer), and the key's
//! bytes on the heap to compare them. Here a slot keeps the key's first
//! [`INLINE`] bytes beside its id, so a term of up to that length (nearly
//! every word: a Japanese word of 7 characters is 21 bytes) is compared in
//! the slot itself, and the hash is xxh3 instead of SipHash (no
//! adversary can choose what a worker's table holds; a flood of colliding
//! terms would only slow the stage down, as any input size does).
//! Longer terms are checked against their full string as well.
//!
//! What is left to the caller: merging the tables of several workers into
//! one vocabulary ([`crate::vector::vocab`]).

use hashbrown::HashTable;
use hashbrown::hash_table::Entry;
use xxhash_rust::xxh3::xxh3_64;

/// Bytes of a term kept inside its slot.
const INLINE: usize = 22;

/// One slot: the id, the caller's mark, the term's length and its first
/// [`INLINE`] bytes, zero-padded (32 bytes, two to a cache line).
#[derive(Clone, Copy)]
struct Slot {
    id: u32,
    mark: u32,
    /// The length, or `u16::MAX` for that length or more.
    len: u16,
    inline: [u8; INLINE],
}

/// Interns strings to dense ids `0, 1, 2…` in order of first appearance.
#[derive(Default)]
pub struct Interner {
    table: HashTable<Slot>,
    /// Every term, by id.
    names: Vec<String>,
}

impl Interner {
    /// The id of `term`, adding it if it is new.
    #[cfg(test)]
    pub fn intern(&mut self, term: &str) -> u32 {
        self.intern_marked(term).0
    }

    /// The id of `term`, adding it if it is new, and its mark: a `u32` the
    /// caller keeps beside the term in its slot (`u32::MAX` for a new
    /// term). The slot is in the cache once the term is found, so what the
    /// caller keeps per term there costs no second miss, as an array
    /// indexed by id would.
    pub fn intern_marked(&mut self, term: &str) -> (u32, &mut u32) {
        let bytes = term.as_bytes();
        let hash = xxh3_64(bytes);
        let head = &bytes[..bytes.len().min(INLINE)];
        // Zero-padded like the slots, so the comparison is of two whole
        // arrays (two vector compares) rather than a call to `memcmp` with
        // a variable length.
        let mut inline = [0u8; INLINE];
        inline[..head.len()].copy_from_slice(head);
        let len = u16::try_from(bytes.len()).unwrap_or(u16::MAX);
        let Interner { table, names } = self;
        let same = |slot: &Slot| {
            slot.len == len
                && slot.inline == inline
                && (bytes.len() <= INLINE || names[slot.id as usize] == term)
        };
        // On growth every slot's hash is recomputed from its full term.
        let rehash = |slot: &Slot| xxh3_64(names[slot.id as usize].as_bytes());
        let slot = match table.entry(hash, same, rehash) {
            Entry::Occupied(found) => found.into_mut(),
            Entry::Vacant(vacant) => {
                let id = u32::try_from(names.len()).expect("fewer than 2^32 distinct terms");
                names.push(term.to_owned());
                vacant.insert(Slot { id, mark: u32::MAX, len, inline }).into_mut()
            }
        };
        (slot.id, &mut slot.mark)
    }

    /// The terms, indexed by id (the table is dropped).
    pub fn into_names(self) -> Vec<String> {
        self.names
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    #[test]
    fn ids_are_dense_in_order_of_first_appearance() {
        let mut i = Interner::default();
        assert_eq!(i.intern("rust"), 0);
        assert_eq!(i.intern("検索"), 1);
        assert_eq!(i.intern("rust"), 0);
        assert_eq!(i.intern(""), 2);
        assert_eq!(i.intern("検索"), 1);
        assert_eq!(i.into_names(), ["rust", "検索", ""]);
    }

    #[test]
    fn long_terms_that_share_the_inline_prefix_stay_distinct() {
        let mut i = Interner::default();
        let base = "x".repeat(INLINE);
        let (a, b) = (format!("{base}a"), format!("{base}b"));
        // Same length, same first INLINE bytes: only the full string differs.
        assert_eq!(i.intern(&a), 0);
        assert_eq!(i.intern(&b), 1);
        assert_eq!(i.intern(&base), 2);
        assert_eq!(i.intern(&a), 0);
        assert_eq!(i.intern(&b), 1);
        assert_eq!(i.intern(&base), 2);
    }

    /// The same ids as a `HashMap` interner, over many terms of every
    /// length around the inline limit, through several table growths.
    #[test]
    fn equals_a_hash_map_interner() {
        let mut i = Interner::default();
        let mut reference: HashMap<String, u32> = HashMap::new();
        let mut state = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..200_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let len = (state % (2 * INLINE as u64 + 3)) as usize;
            let c = ['a', 'b', 'é', '語'][(state >> 20) as usize % 4];
            let term: String = std::iter::repeat_n(c, len / c.len_utf8())
                .chain(std::iter::once(char::from(b'a' + (state >> 40) as u8 % 26)))
                .collect();
            let next = reference.len() as u32;
            let want = *reference.entry(term.clone()).or_insert(next);
            assert_eq!(i.intern(&term), want, "{term:?}");
        }
        let names = i.into_names();
        assert_eq!(names.len(), reference.len());
        assert!(names.iter().enumerate().all(|(id, n)| reference[n] == id as u32));
    }
}
