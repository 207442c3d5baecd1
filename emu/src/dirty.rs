//! The pages of the RAM arena written since they were last taken: what the stores of past
//! states ([`crate::deltas`]: the rewind ring, reverse execution's checkpoints) ask for at
//! each capture instead of comparing the whole of memory.
//!
//! The CPU notes a page when a store to it goes the slow way (the first one after the page
//! left the TLB's write tables, which the taker empties: `Cpu::drop_write_entries`), and when
//! a debugger writes; the board notes what it writes itself (images loaded, a device's or a
//! host service's writes, a state restored). Stores that hit the TLB need no note: their page
//! was noted when it entered the write tables.
//!
//! Each taker has a set of its own, marked together: one's taking (and emptying the write
//! tables) leaves the other's pages in place, and a page written after it goes the slow way
//! again, into both.

use crate::bus::PAGE_SIZE;

/// Who takes the pages written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Taker {
    /// The window's rewind ring.
    Rewind,
    /// Reverse execution's history.
    Reverse,
}

/// The pages written, a set for each taker.
#[derive(Clone)]
pub struct Written {
    sets: [PageSet; 2],
}

impl Written {
    /// Empty sets for an arena of `bytes` bytes.
    pub fn new(bytes: usize) -> Written {
        Written {
            sets: [PageSet::new(bytes), PageSet::new(bytes)],
        }
    }

    /// Adds the page holding arena offset `offset`.
    #[inline]
    pub fn mark(&mut self, offset: usize) {
        for set in &mut self.sets {
            set.mark(offset);
        }
    }

    /// Adds the pages holding `length` bytes from `offset`.
    pub fn mark_range(&mut self, offset: usize, length: usize) {
        for set in &mut self.sets {
            set.mark_range(offset, length);
        }
    }

    /// Adds every page.
    pub fn mark_all(&mut self) {
        for set in &mut self.sets {
            set.mark_all();
        }
    }

    /// Empties `taker`'s set into `pages`, as page numbers in increasing order.
    pub fn take(&mut self, taker: Taker, pages: &mut Vec<u32>) {
        self.sets[taker as usize].take(pages);
    }
}

/// A set of arena pages, one bit each.
#[derive(Clone, Default)]
struct PageSet {
    bits: Vec<u64>,
    pages: usize,
}

impl PageSet {
    /// An empty set for an arena of `bytes` bytes.
    pub fn new(bytes: usize) -> PageSet {
        let pages = bytes.div_ceil(PAGE_SIZE as usize);
        PageSet {
            bits: vec![0; pages.div_ceil(64)],
            pages,
        }
    }

    /// Adds the page holding arena offset `offset`.
    #[inline]
    pub fn mark(&mut self, offset: usize) {
        let page = offset / PAGE_SIZE as usize;
        if let Some(word) = self.bits.get_mut(page / 64) {
            *word |= 1 << (page % 64);
        }
    }

    /// Adds the pages holding `length` bytes from `offset`.
    pub fn mark_range(&mut self, offset: usize, length: usize) {
        let page = PAGE_SIZE as usize;
        let mut at = offset / page * page;
        while at < offset + length {
            self.mark(at);
            at += page;
        }
    }

    /// Adds every page.
    pub fn mark_all(&mut self) {
        self.bits.fill(u64::MAX);
    }

    /// Empties the set into `pages`, as page numbers in increasing order.
    pub fn take(&mut self, pages: &mut Vec<u32>) {
        pages.clear();
        for (index, word) in self.bits.iter_mut().enumerate() {
            let mut bits = std::mem::take(word);
            while bits != 0 {
                let page = index * 64 + bits.trailing_zeros() as usize;
                if page < self.pages {
                    pages.push(page as u32);
                }
                bits &= bits - 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_marked_come_out_once_in_order() {
        let mut set = PageSet::new(100 * 4096);
        set.mark(70 * 4096 + 5);
        set.mark_range(4095, 2);
        set.mark(3);
        let mut pages = Vec::new();
        set.take(&mut pages);
        assert_eq!(pages, [0, 1, 70]);
        set.take(&mut pages);
        assert!(pages.is_empty());
        set.mark_all();
        set.take(&mut pages);
        assert_eq!(pages, (0..100).collect::<Vec<u32>>());
    }

    #[test]
    fn one_takers_taking_leaves_the_others_pages() {
        let mut written = Written::new(100 * 4096);
        written.mark(5 * 4096);
        let mut pages = Vec::new();
        written.take(Taker::Rewind, &mut pages);
        assert_eq!(pages, [5]);
        written.mark_range(9 * 4096, 1);
        written.take(Taker::Reverse, &mut pages);
        assert_eq!(pages, [5, 9]);
        written.take(Taker::Rewind, &mut pages);
        assert_eq!(pages, [9]);
        written.take(Taker::Reverse, &mut pages);
        assert!(pages.is_empty());
    }
}
