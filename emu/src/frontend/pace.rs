//! Pacing a machine's time to the host's clock: after each stretch of emulation, sleep until
//! the wall clock has caught up with the machine's, or ask whether the machine is behind it.
//! A host too slow to keep up falls behind without trying to catch up later in a burst. The
//! machine's clock may run at a fraction or a multiple of real time ([`Speed`]), or unpaced.

use std::fmt;
use std::time::{Duration, Instant};

/// How far behind the host may fall before pacing starts again from now.
const MAX_LAG: Duration = Duration::from_millis(250);

/// How fast the machine's time runs against the host's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Speed {
    /// This percentage of real time.
    Percent(u32),
    /// As fast as the host can.
    Unlimited,
}

/// The speeds the window steps through, slowest first, unless the settings give others.
pub const PRESETS: [Speed; 5] = [
    Speed::Percent(25),
    Speed::Percent(50),
    Speed::Percent(100),
    Speed::Percent(200),
    Speed::Unlimited,
];

impl Speed {
    /// The speed of a settings file's number: a percentage, 0 for unlimited.
    pub fn from_percent(percent: u32) -> Speed {
        match percent {
            0 => Speed::Unlimited,
            p => Speed::Percent(p),
        }
    }

    /// The preset of `presets` (sorted, never empty) `steps` places from this one (negative:
    /// slower), the slowest and the fastest staying so. A speed between presets steps from
    /// the preset below it.
    pub fn step(self, steps: i32, presets: &[Speed]) -> Speed {
        let index = presets.iter().rposition(|&p| p <= self).unwrap_or(0) as i32;
        presets[(index + steps).clamp(0, presets.len() as i32 - 1) as usize]
    }
}

/// Presets as a person listed them: sorted, each once; the defaults if none is left.
pub fn presets(speeds: &[Speed]) -> Vec<Speed> {
    let mut presets = speeds.to_vec();
    presets.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    presets.dedup();
    if presets.is_empty() {
        presets = PRESETS.to_vec();
    }
    presets
}

impl PartialOrd for Speed {
    fn partial_cmp(&self, other: &Speed) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Speed {
    fn cmp(&self, other: &Speed) -> std::cmp::Ordering {
        let rank = |s: &Speed| match *s {
            Speed::Percent(p) => u64::from(p),
            Speed::Unlimited => u64::MAX,
        };
        rank(self).cmp(&rank(other))
    }
}

impl fmt::Display for Speed {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            Speed::Percent(p) => write!(f, "{p}%"),
            Speed::Unlimited => f.write_str("unlimited"),
        }
    }
}

/// The machine's clock held to the host's.
pub struct Pacer {
    hz: u64,
    /// The machine's cycle and the host's instant that correspond.
    cycle: u64,
    at: Instant,
    speed: Speed,
}

impl Pacer {
    /// A pacer for a clock of `hz` cycles a second, now at `cycle`.
    pub fn new(hz: u64, cycle: u64) -> Pacer {
        Pacer {
            hz: hz.max(1),
            cycle,
            at: Instant::now(),
            speed: Speed::Percent(100),
        }
    }

    /// The speed the machine's clock runs at.
    pub fn speed(&self) -> Speed {
        self.speed
    }

    /// Runs the machine's clock at `speed` from now, the machine at `cycle`.
    pub fn set_speed(&mut self, speed: Speed, cycle: u64) {
        self.speed = speed;
        self.restart(cycle);
    }

    /// Starts again from now at `cycle` (after a pause: the monitor, a reset, a loaded state).
    pub fn restart(&mut self, cycle: u64) {
        self.cycle = cycle;
        self.at = Instant::now();
    }

    /// When the host's clock reaches the machine's `cycle` (`None`: unpaced, at once). A
    /// machine gone back in time (a state loaded, a reset) or too far behind starts again from
    /// now.
    fn due(&mut self, cycle: u64) -> Option<Instant> {
        let Speed::Percent(percent) = self.speed else {
            return None;
        };
        let Some(ahead) = cycle.checked_sub(self.cycle) else {
            self.restart(cycle);
            return Some(self.at);
        };
        let rate = self.hz as f64 * f64::from(percent.max(1)) / 100.0;
        let due = self.at + Duration::from_secs_f64(ahead as f64 / rate);
        let now = Instant::now();
        if now > due && now - due > MAX_LAG {
            self.restart(cycle);
            return Some(self.at);
        }
        Some(due)
    }

    /// Sleeps until the host's clock reaches the machine's `cycle`.
    pub fn wait(&mut self, cycle: u64) {
        if let Some(due) = self.due(cycle) {
            let now = Instant::now();
            if due > now {
                std::thread::sleep(due - now);
            }
        }
    }

    /// Whether the host's clock has reached the machine's `cycle`: the machine may run on.
    pub fn behind(&mut self, cycle: u64) -> bool {
        self.due(cycle).is_none_or(|due| due <= Instant::now())
    }
}

/// The window's speed: the preset in force, turbo (unlimited) and back to the paced preset
/// before it, fast forward while its key is held.
pub struct Throttle {
    pacer: Pacer,
    /// The paced preset turbo goes back to.
    paced: Speed,
    fast_forward: bool,
    /// The presets F9 and F10 step through (see [`presets`]).
    presets: Vec<Speed>,
}

impl Throttle {
    /// At 100% (unlimited if `turbo`), the machine at `cycle`, stepping through `presets`.
    pub fn new(hz: u64, cycle: u64, turbo: bool, presets: Vec<Speed>) -> Throttle {
        let mut pacer = Pacer::new(hz, cycle);
        if turbo {
            pacer.set_speed(Speed::Unlimited, cycle);
        }
        Throttle {
            pacer,
            paced: Speed::Percent(100),
            fast_forward: false,
            presets,
        }
    }

    /// The preset in force (fast forward aside).
    pub fn speed(&self) -> Speed {
        self.pacer.speed()
    }

    pub fn fast_forward(&self) -> bool {
        self.fast_forward
    }

    /// Turbo on (unlimited) or off (the paced preset before it); the new speed.
    pub fn toggle_turbo(&mut self, cycle: u64) -> Speed {
        let speed = match self.pacer.speed() {
            Speed::Unlimited => self.paced,
            speed => {
                self.paced = speed;
                Speed::Unlimited
            }
        };
        self.pacer.set_speed(speed, cycle);
        speed
    }

    /// The preset `steps` away (negative: slower); the new speed.
    pub fn step(&mut self, steps: i32, cycle: u64) -> Speed {
        let speed = self.pacer.speed().step(steps, &self.presets);
        if speed != Speed::Unlimited {
            self.paced = speed;
        }
        self.pacer.set_speed(speed, cycle);
        speed
    }

    /// Fast forward while `held`; true when that changed.
    pub fn hold_fast_forward(&mut self, held: bool, cycle: u64) -> bool {
        let changed = held != self.fast_forward;
        if changed {
            self.fast_forward = held;
            self.pacer.restart(cycle);
        }
        changed
    }

    /// Starts pacing again from now (after the monitor, a reset).
    pub fn restart(&mut self, cycle: u64) {
        self.pacer.restart(cycle);
    }

    /// Whether the machine at `cycle` may run its next frame now.
    pub fn due(&mut self, cycle: u64) -> bool {
        self.fast_forward || self.pacer.behind(cycle)
    }

    /// Whether the machine runs as fast as the host can.
    pub fn unpaced(&self) -> bool {
        self.fast_forward || self.pacer.speed() == Speed::Unlimited
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

    /// At 25% the machine's 10 ms take 40 ms of the host's; unlimited, none.
    #[test]
    fn speeds_scale_the_machines_clock() {
        let mut pacer = Pacer::new(1000, 0);
        pacer.set_speed(Speed::Percent(25), 0);
        assert!(pacer.behind(0));
        assert!(!pacer.behind(10));
        let start = Instant::now();
        pacer.wait(10);
        let waited = start.elapsed();
        assert!(waited >= Duration::from_millis(38), "{waited:?}");
        pacer.set_speed(Speed::Unlimited, 10);
        assert!(pacer.behind(1_000_000));
    }

    /// Turbo goes back to the preset before it; a step from unlimited lands on a preset that
    /// turbo then goes back to; fast forward is due at once, whatever the preset.
    #[test]
    fn turbo_steps_and_fast_forward() {
        let mut throttle = Throttle::new(1000, 0, false, PRESETS.to_vec());
        assert_eq!(throttle.step(-1, 0), Speed::Percent(50));
        assert_eq!(throttle.toggle_turbo(0), Speed::Unlimited);
        assert!(throttle.unpaced());
        assert_eq!(throttle.toggle_turbo(0), Speed::Percent(50));
        assert!(!throttle.due(1000));
        assert!(throttle.hold_fast_forward(true, 0));
        assert!(!throttle.hold_fast_forward(true, 0));
        assert!(throttle.due(1000) && throttle.unpaced());
        throttle.hold_fast_forward(false, 0);
        assert_eq!(throttle.step(9, 0), Speed::Unlimited);
        assert_eq!(throttle.step(-1, 0), Speed::Percent(200));
        throttle.toggle_turbo(0);
        assert_eq!(throttle.toggle_turbo(0), Speed::Percent(200));
        assert_eq!(
            Throttle::new(1000, 0, true, PRESETS.to_vec()).speed(),
            Speed::Unlimited
        );
    }

    #[test]
    fn presets_step_and_stop_at_the_ends() {
        let normal = Speed::Percent(100);
        assert_eq!(normal.step(1, &PRESETS), Speed::Percent(200));
        assert_eq!(normal.step(2, &PRESETS), Speed::Unlimited);
        assert_eq!(normal.step(9, &PRESETS), Speed::Unlimited);
        assert_eq!(normal.step(-1, &PRESETS), Speed::Percent(50));
        assert_eq!(normal.step(-9, &PRESETS), Speed::Percent(25));
        assert_eq!(Speed::Percent(150).step(1, &PRESETS), Speed::Percent(200));
        assert_eq!(Speed::Percent(10).step(0, &PRESETS), Speed::Percent(25));
        assert_eq!(Speed::Unlimited.to_string(), "unlimited");
    }

    /// A settings file's speeds, in any order and repeated, are stepped through sorted, once
    /// each; an empty list gives the defaults.
    #[test]
    fn presets_from_the_settings() {
        let listed: Vec<Speed> = [300, 0, 10, 300].map(Speed::from_percent).to_vec();
        let presets = presets(&listed);
        assert_eq!(
            presets,
            [Speed::Percent(10), Speed::Percent(300), Speed::Unlimited]
        );
        assert_eq!(Speed::Percent(100).step(1, &presets), Speed::Percent(300));
        assert_eq!(Speed::Percent(100).step(-1, &presets), Speed::Percent(10));
        assert_eq!(super::presets(&[]), PRESETS.to_vec());
    }
}
