//! The warnings a guest brings about in the log: an access nothing answers, a write to ROM, an
//! unmodelled register. Each is given once, and a run gives at most [`Warnings::LIMIT`] of them,
//! then one line saying the rest are not shown: a guest sweeping the address space would
//! otherwise log a line, and the emulator remember an address, for every page it touches.

use std::collections::HashSet;

/// What a warning is about, to give it once: a page (its first address) and the direction.
pub type Key = (u32, bool);

/// The warnings given so far.
#[derive(Default)]
pub struct Warnings {
    /// The keys of those given; never more than `LIMIT`.
    given: HashSet<Key>,
    /// Warnings given, keyed or not (a stub's registers are keyed by the stub).
    count: usize,
}

impl Warnings {
    /// The most warnings a run gives.
    pub const LIMIT: usize = 64;

    /// Whether to give the warning about `key`: the first time it comes, while the limit is
    /// not reached.
    pub fn first(&mut self, key: Key) -> bool {
        if self.given.contains(&key) || !self.another() {
            return false;
        }
        self.given.insert(key);
        true
    }

    /// Whether to give a warning something else gives only once: while the limit is not
    /// reached. The warning that reaches it is followed by the line saying so.
    pub fn another(&mut self) -> bool {
        if self.count > Self::LIMIT {
            return false;
        }
        self.count += 1;
        if self.count > Self::LIMIT {
            log::warn!(
                "{} warnings about the guest's accesses given; further ones are not shown",
                Self::LIMIT
            );
            return false;
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_key_once_and_no_more_than_the_limit() {
        let mut warnings = Warnings::default();
        assert!(warnings.first((0x1000, true)));
        assert!(!warnings.first((0x1000, true)));
        assert!(warnings.first((0x1000, false)));
        assert!(warnings.another());
        let given = (0..10_000u32)
            .filter(|page| warnings.first((page << 12, true)))
            .count();
        // 3 were given before the sweep; 0x1000 written was one of them.
        assert_eq!(given, Warnings::LIMIT - 3);
        assert!(!warnings.another());
        assert!(!warnings.first((0xFFFF_F000, false)));
        assert_eq!(warnings.given.len(), Warnings::LIMIT - 1);
    }
}
