//! The event scheduler: devices ask to be called back at a CPU cycle instead of being ticked
//! every instruction. The run loop executes instructions up to the next deadline, then fires
//! what is due.

use serde::{Deserialize, Serialize};
/// A device's own name for one of its events (a timer number, "frame end"...).
pub type EventTag = u16;

/// The owner of an event: the index the machine gave the device.
pub type Owner = u16;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct Entry {
    when: u64,
    owner: Owner,
    tag: EventTag,
}

/// Pending events, at most one per (owner, tag). Few devices have events, so a small vector
/// kept sorted by time is both simple and fast.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Scheduler {
    /// Sorted by `when`, latest first, so the next event is popped from the end.
    pending: Vec<Entry>,
}

impl Scheduler {
    pub fn new() -> Scheduler {
        Scheduler::default()
    }

    /// Schedules (or moves) `owner`'s event `tag` to cycle `when`.
    pub fn schedule(&mut self, owner: Owner, tag: EventTag, when: u64) {
        self.cancel(owner, tag);
        let at = self.pending.partition_point(|e| e.when > when);
        self.pending.insert(at, Entry { when, owner, tag });
    }

    pub fn cancel(&mut self, owner: Owner, tag: EventTag) {
        self.pending.retain(|e| (e.owner, e.tag) != (owner, tag));
    }

    /// When `owner`'s event `tag` is due, if it is pending.
    pub fn when(&self, owner: Owner, tag: EventTag) -> Option<u64> {
        self.pending
            .iter()
            .find(|e| (e.owner, e.tag) == (owner, tag))
            .map(|e| e.when)
    }

    /// The cycle of the next event.
    pub fn next_deadline(&self) -> Option<u64> {
        self.pending.last().map(|e| e.when)
    }

    /// The pending events, latest first: (when, owner, tag).
    pub fn pending(&self) -> impl Iterator<Item = (u64, Owner, EventTag)> + '_ {
        self.pending.iter().map(|e| (e.when, e.owner, e.tag))
    }

    /// Whether the pending events are kept as this scheduler keeps them (a saved state's may
    /// not be): latest first, at most one per (owner, tag).
    pub fn check(&self) -> Result<(), String> {
        if self.pending.windows(2).any(|w| w[0].when < w[1].when) {
            return Err("its pending events are out of order".to_string());
        }
        let mut seen = std::collections::HashSet::new();
        match self.pending.iter().all(|e| seen.insert((e.owner, e.tag))) {
            true => Ok(()),
            false => Err("an event is pending twice".to_string()),
        }
    }

    /// Removes and returns the next event due at or before `now`: (when, owner, tag).
    pub fn pop_due(&mut self, now: u64) -> Option<(u64, Owner, EventTag)> {
        let next = *self.pending.last()?;
        (next.when <= now).then(|| {
            self.pending.pop();
            (next.when, next.owner, next.tag)
        })
    }
}

/// The scheduler as one device sees it: its own events only.
pub struct Events<'a> {
    pub scheduler: &'a mut Scheduler,
    pub owner: Owner,
}

impl Events<'_> {
    pub fn schedule(&mut self, tag: EventTag, when: u64) {
        self.scheduler.schedule(self.owner, tag, when);
    }

    pub fn cancel(&mut self, tag: EventTag) {
        self.scheduler.cancel(self.owner, tag);
    }

    pub fn when(&self, tag: EventTag) -> Option<u64> {
        self.scheduler.when(self.owner, tag)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_fire_in_time_order_and_reschedule_replaces() {
        let mut s = Scheduler::new();
        s.schedule(0, 1, 300);
        s.schedule(1, 0, 100);
        s.schedule(2, 0, 200);
        s.schedule(0, 1, 50);
        assert_eq!(s.next_deadline(), Some(50));
        assert_eq!(s.pop_due(49), None);
        assert_eq!(s.pop_due(1000), Some((50, 0, 1)));
        assert_eq!(s.pop_due(1000), Some((100, 1, 0)));
        s.cancel(2, 0);
        assert_eq!(s.pop_due(1000), None);
        assert_eq!(s.next_deadline(), None);
    }

    #[test]
    fn check_refuses_what_schedule_never_makes() {
        let entry = |when, owner, tag| Entry { when, owner, tag };
        let mut s = Scheduler::new();
        s.schedule(0, 1, 300);
        s.schedule(1, 0, 100);
        assert_eq!(s.check(), Ok(()));
        let pending: Vec<_> = s.pending().collect();
        assert_eq!(pending, [(300, 0, 1), (100, 1, 0)]);
        s.pending.reverse();
        assert_eq!(
            s.check().unwrap_err(),
            "its pending events are out of order"
        );
        s.pending = vec![entry(300, 0, 1), entry(200, 0, 1)];
        assert_eq!(s.check().unwrap_err(), "an event is pending twice");
    }
}
