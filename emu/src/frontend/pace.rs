//! Pacing a machine's time to the host's clock: after each stretch of emulation, sleep until
//! the wall clock has caught up with the machine's. A host too slow to keep up falls behind
//! without trying to catch up later in a burst.

use std::time::{Duration, Instant};

/// How far behind the host may fall before pacing starts again from now.
const MAX_LAG: Duration = Duration::from_millis(250);

/// The machine's clock held to the host's.
pub struct Pacer {
    hz: u64,
    /// The machine's cycle and the host's instant that correspond.
    cycle: u64,
    at: Instant,
}

impl Pacer {
    /// A pacer for a clock of `hz` cycles a second, now at `cycle`.
    pub fn new(hz: u64, cycle: u64) -> Pacer {
        Pacer {
            hz: hz.max(1),
            cycle,
            at: Instant::now(),
        }
    }

    /// Starts again from now at `cycle` (after a pause: the monitor, a reset, a loaded state).
    pub fn restart(&mut self, cycle: u64) {
        self.cycle = cycle;
        self.at = Instant::now();
    }

    /// Sleeps until the host's clock reaches the machine's `cycle`.
    pub fn wait(&mut self, cycle: u64) {
        let Some(ahead) = cycle.checked_sub(self.cycle) else {
            // The machine went back in time (a state loaded, a reset).
            self.restart(cycle);
            return;
        };
        let due = self.at + Duration::from_secs_f64(ahead as f64 / self.hz as f64);
        let now = Instant::now();
        if due > now {
            std::thread::sleep(due - now);
        } else if now - due > MAX_LAG {
            self.restart(cycle);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_machine_waits_for_the_host_clock() {
        let mut pacer = Pacer::new(1000, 0);
        let start = Instant::now();
        pacer.wait(50); // 50 ms of the machine's time
        let waited = start.elapsed();
        assert!(waited >= Duration::from_millis(45), "{waited:?}");
        // Far behind: no burst to catch up, the next wait starts from now.
        std::thread::sleep(MAX_LAG + Duration::from_millis(50));
        pacer.wait(60);
        let start = Instant::now();
        pacer.wait(60);
        assert!(start.elapsed() < Duration::from_millis(20));
    }
}
