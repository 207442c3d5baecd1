//! ARM PrimeCell SP804 dual-input timer module: two down-counters and one combined interrupt.
//!
//! Reference: ARM DDI 0271, "ARM Dual-Timer Module (SP804) Technical Reference Manual"
//! (chapter 3, the programmer's model), and `docs/hardware.md` section 2.2.
//! The CX has three blocks: 0x900C0000 and 0x900D0000 count TIMCLK = 32768 Hz (Linux uses
//! 0x900D0000, IRQ 19: timer 1 as clockevent, timer 2 free-running as clocksource); the
//! "fast timer" at 0x90010000 counts the APB clock.
//!
//! Nothing ticks: each counter is known at one clock edge (its epoch) and computed for any
//! later time; an event is scheduled only for the next instant a counter reaches zero while
//! its raw interrupt is clear, since that is the only change a guest can see without reading.
//!
//! Registers are decoded from address bits 11-2 (`offset & 0xFFC`), so the 4 KiB block repeats
//! through a larger window; narrow accesses follow the crate's lane rule (`stub::read_lanes`).
//! The same holds for the other PrimeCells of this crate (VIC, RTC, watchdog).
//!
//! This module also holds the down-counter arithmetic the SP805 watchdog shares, and the
//! conversion of CPU cycles to clock ticks for `peek`.

use crate::stub::{read_lanes, write_lanes};
use crate::{Context, Device, EventTag, Size};
use serde::{Deserialize, Serialize};

// ------------------------------------------------------------------------------------------
// Shared with the other PrimeCell models.

/// The ticks a clock of `hz` has counted at CPU cycle `now` ([`Context::ticks`], and for
/// `peek`, which has no context); `u64::MAX` for a count beyond its range.
pub(crate) fn ticks_at(now: u64, cpu_hz: u64, hz: u64) -> u64 {
    u64::try_from(now as u128 * hz as u128 / cpu_hz.max(1) as u128).unwrap_or(u64::MAX)
}

/// What a down-counter does after it reaches zero.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum Wrap {
    /// It continues from its maximum value (SP804 free-running mode).
    FreeRunning,
    /// It reloads this value on the next decrement (SP804 periodic mode, the SP805): zero is
    /// reached every reload + 1 edges. That is how Firebird counts, and what Linux's
    /// sp805_wdt assumes (a timeout of `(load + 1) * 2` ticks, `WDTValue + WDTLoad + 1` left).
    Periodic(u32),
    /// It halts at zero (SP804 one-shot mode).
    OneShot,
}

/// How a down-counter is clocked and wraps.
#[derive(Clone, Copy, Debug, Serialize, Deserialize)]
pub(crate) struct Counting {
    /// The bits that count: 0xFFFF in the SP804's 16-bit mode, else 0xFFFF_FFFF. The bits
    /// above hold their value (DDI 0271 3.3.2 note: they are not cleared in 16-bit mode).
    pub mask: u32,
    /// Clock ticks per decrement (the prescaler: 1, 16 or 256).
    pub prescale: u64,
    pub wrap: Wrap,
}

/// A down-counter known at one clock edge and computed for any later one.
#[derive(Clone, Copy, Debug, Serialize, Deserialize)]
pub(crate) struct DownCounter {
    /// The clock tick at which the count was `value`; decrements happen every `prescale`
    /// ticks after it. It may lie one tick ahead: a load takes effect at the next edge.
    epoch: u64,
    /// The counter register at `epoch`.
    value: u32,
}

impl DownCounter {
    pub fn new(value: u32) -> DownCounter {
        DownCounter { epoch: 0, value }
    }

    /// The count at the epoch: the value of a stopped counter.
    pub fn value(&self) -> u32 {
        self.value
    }

    /// Loads `value`, to count down from clock tick `tick`.
    pub fn restart(&mut self, tick: u64, value: u32) {
        self.epoch = tick;
        self.value = value;
    }

    /// Starts a stopped counter at `tick`, keeping its value (and a load still pending).
    pub fn resume(&mut self, tick: u64) {
        self.epoch = self.epoch.max(tick);
    }

    fn edges(&self, c: &Counting, tick: u64) -> u64 {
        tick.saturating_sub(self.epoch) / c.prescale
    }

    fn value_after(&self, c: &Counting, n: u64) -> u32 {
        let low = self.value & c.mask;
        let low = match c.wrap {
            Wrap::FreeRunning => low.wrapping_sub(n as u32) & c.mask,
            Wrap::OneShot => low.saturating_sub(n.min(u32::MAX as u64) as u32),
            Wrap::Periodic(_) if n <= low as u64 => low - n as u32,
            // Zero at edge `low`, the reload value at the next edge, and so on.
            Wrap::Periodic(reload) => {
                let reload = reload & c.mask;
                reload - ((n - low as u64 - 1) % (reload as u64 + 1)) as u32
            }
        };
        (self.value & !c.mask) | low
    }

    /// The edge (counted from the epoch) at which the counter first reaches zero, and the
    /// edges between later zeros.
    fn zeros(&self, c: &Counting) -> (Option<u64>, Option<u64>) {
        let period = match c.wrap {
            Wrap::FreeRunning => Some(c.mask as u64 + 1),
            Wrap::Periodic(reload) => Some((reload & c.mask) as u64 + 1),
            Wrap::OneShot => None,
        };
        let low = (self.value & c.mask) as u64;
        (if low > 0 { Some(low) } else { period }, period)
    }

    /// How many times the counter reaches zero in edges 1..=n.
    fn zeros_by(&self, c: &Counting, n: u64) -> u64 {
        match self.zeros(c) {
            (Some(first), period) if first <= n => 1 + period.map_or(0, |p| (n - first) / p),
            _ => 0,
        }
    }

    /// The count at clock tick `tick`.
    pub fn value_at(&self, c: &Counting, tick: u64) -> u32 {
        self.value_after(c, self.edges(c, tick))
    }

    /// How many times the counter reaches zero from the epoch up to clock tick `tick`.
    pub fn zeros_at(&self, c: &Counting, tick: u64) -> u64 {
        self.zeros_by(c, self.edges(c, tick))
    }

    /// Moves the epoch to the last decrement edge at or before `tick` (keeping the
    /// prescaler's phase) and returns how many times the counter reached zero on the way.
    pub fn advance(&mut self, c: &Counting, tick: u64) -> u64 {
        let n = self.edges(c, tick);
        let zeros = self.zeros_by(c, n);
        self.value = self.value_after(c, n);
        self.epoch += n * c.prescale;
        zeros
    }

    /// The clock tick at which the counter next reaches zero, if it will; only meaningful
    /// right after [`DownCounter::advance`] or a restart.
    pub fn next_zero(&self, c: &Counting) -> Option<u64> {
        self.zeros(c)
            .0
            .map(|n| self.epoch.saturating_add(n * c.prescale))
    }
}

// ------------------------------------------------------------------------------------------
// The SP804.

/// Register offsets within a timer (timer 2 at +0x20) and of the block (DDI 0271 table 3-1).
const TIMER_LOAD: u32 = 0x00;
const TIMER_VALUE: u32 = 0x04;
const TIMER_CONTROL: u32 = 0x08;
const TIMER_INTCLR: u32 = 0x0C;
const TIMER_RIS: u32 = 0x10;
const TIMER_MIS: u32 = 0x14;
const TIMER_BGLOAD: u32 = 0x18;
const TIMER_ITCR: u32 = 0xF00;
const TIMER_PERIPHID0: u32 = 0xFE0;

/// TimerXControl bits (DDI 0271 3.3.3). Bit 4 is reserved.
const ONESHOT: u32 = 1 << 0;
const TIMER_SIZE: u32 = 1 << 1;
const TIMER_PRE_SHIFT: u32 = 2;
const INT_ENABLE: u32 = 1 << 5;
const TIMER_MODE: u32 = 1 << 6;
const TIMER_EN: u32 = 1 << 7;
const CONTROL_BITS: u32 = 0xEF;

/// TimerPeriphID0-3 and TimerPCellID0-3: SP804 (0x804), ARM, revision 1; the CX values.
const ID: [u32; 8] = [0x04, 0x18, 0x14, 0x00, 0x0D, 0xF0, 0x05, 0xB1];

/// One of the two timers.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct Timer {
    /// TimerXLoad, also read and written as TimerXBGLoad.
    load: u32,
    /// TimerXControl.
    control: u32,
    /// TimerXRIS, as of the counter's epoch (later zeros are computed).
    ris: bool,
    counter: DownCounter,
}

impl Timer {
    /// Reset: Load 0, Value 0xFFFFFFFF, Control 0x20 (interrupt enabled, timer disabled).
    fn new() -> Timer {
        Timer {
            load: 0,
            control: INT_ENABLE,
            ris: false,
            counter: DownCounter::new(u32::MAX),
        }
    }

    fn enabled(&self) -> bool {
        self.control & TIMER_EN != 0
    }

    fn counting(&self) -> Counting {
        Counting {
            mask: if self.control & TIMER_SIZE != 0 {
                u32::MAX
            } else {
                0xFFFF
            },
            // TimerPre 0b11 is "undefined, do not use"; we divide by 256 as for 0b10.
            prescale: match (self.control >> TIMER_PRE_SHIFT) & 3 {
                0 => 1,
                1 => 16,
                _ => 256,
            },
            // One-shot takes precedence over the mode bit (DDI 0271 3.3.3).
            wrap: if self.control & ONESHOT != 0 {
                Wrap::OneShot
            } else if self.control & TIMER_MODE != 0 {
                Wrap::Periodic(self.load)
            } else {
                Wrap::FreeRunning
            },
        }
    }

    /// Brings the counter and the raw interrupt up to clock tick `tick`.
    fn advance(&mut self, tick: u64) {
        if self.enabled() && self.counter.advance(&self.counting(), tick) > 0 {
            self.ris = true;
        }
    }

    fn value_at(&self, tick: u64) -> u32 {
        match self.enabled() {
            true => self.counter.value_at(&self.counting(), tick),
            false => self.counter.value(),
        }
    }

    fn ris_at(&self, tick: u64) -> bool {
        self.ris || (self.enabled() && self.counter.zeros_at(&self.counting(), tick) > 0)
    }

    /// TIMINTx as of the epoch.
    fn mis(&self) -> bool {
        self.ris && self.control & INT_ENABLE != 0
    }

    /// The clock tick at which the raw interrupt next rises, if it can.
    fn next_interrupt(&self) -> Option<u64> {
        match self.enabled() && !self.ris {
            true => self.counter.next_zero(&self.counting()),
            false => None,
        }
    }

    fn read(&self, register: u32, tick: u64) -> u32 {
        match register {
            TIMER_LOAD | TIMER_BGLOAD => self.load,
            TIMER_VALUE => self.value_at(tick),
            TIMER_CONTROL => self.control,
            TIMER_RIS => self.ris_at(tick) as u32,
            TIMER_MIS => (self.ris_at(tick) && self.control & INT_ENABLE != 0) as u32,
            // TimerXIntClr is write-only; 0x1C is reserved.
            _ => 0,
        }
    }

    fn write(&mut self, register: u32, value: u32, tick: u64) {
        self.advance(tick);
        match register {
            // The count restarts from the new value at the next TIMCLK edge; a load of zero
            // interrupts at once (DDI 0271 3.3.1).
            TIMER_LOAD => {
                self.load = value;
                self.counter.restart(tick.saturating_add(1), value);
                if self.enabled() && value & self.counting().mask == 0 {
                    self.ris = true;
                }
            }
            TIMER_CONTROL => {
                let was_enabled = self.enabled();
                self.control = value & CONTROL_BITS;
                if !was_enabled && self.enabled() {
                    self.counter.resume(tick);
                }
            }
            TIMER_INTCLR => self.ris = false,
            // Only the value reloaded after the next zero changes (DDI 0271 3.3.7).
            TIMER_BGLOAD => self.load = value,
            _ => log::debug!("SP804: write {value:#010x} to read-only or reserved {register:#04x}"),
        }
    }
}

/// An SP804 block: two timers, one combined interrupt line (TIMINTC).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Sp804 {
    /// TIMCLK in Hz.
    hz: u64,
    timers: [Timer; 2],
    /// TimerITCR bit 0. Test mode is accepted as plain storage: the outputs stay functional.
    itcr: bool,
}

impl Sp804 {
    /// A block in its reset state whose timers count a TIMCLK of `hz` (32768 for the CX's
    /// 0x900C0000/0x900D0000 blocks, the APB clock for the fast timer at 0x90010000).
    /// Its events are tagged 0 (timer 1) and 1 (timer 2).
    pub fn new(hz: u64) -> Sp804 {
        Sp804 {
            hz: hz.max(1),
            timers: [Timer::new(), Timer::new()],
            itcr: false,
        }
    }

    /// Drives TIMINTC and schedules each timer's next interrupt.
    fn update(&mut self, ctx: &mut Context) {
        ctx.set_irq(self.timers.iter().any(Timer::mis));
        for (tag, timer) in self.timers.iter().enumerate() {
            let tag = tag as EventTag;
            match timer.next_interrupt() {
                Some(tick) => ctx.events.schedule(tag, ctx.cycle_of_tick(tick, self.hz)),
                None => ctx.events.cancel(tag),
            }
        }
    }

    fn read_word(&self, offset: u32, tick: u64) -> u32 {
        match offset {
            0x00..=0x3F => self.timers[(offset / 0x20) as usize].read(offset % 0x20, tick),
            TIMER_ITCR => self.itcr as u32,
            0xFE0..=0xFFC => ID[((offset - TIMER_PERIPHID0) / 4) as usize],
            // TimerITOP is write-only; the rest is reserved.
            _ => 0,
        }
    }
}

impl Device for Sp804 {
    fn read(&mut self, offset: u32, size: Size, ctx: &mut Context) -> u32 {
        let tick = ticks_at(ctx.now, ctx.cpu_hz, self.hz);
        read_lanes(self.read_word(offset & 0xFFC, tick), offset, size)
    }

    fn write(&mut self, offset: u32, size: Size, value: u32, ctx: &mut Context) {
        let tick = ticks_at(ctx.now, ctx.cpu_hz, self.hz);
        let (offset, value) = (offset & 0xFFC, write_lanes(value, offset, size));
        match offset {
            0x00..=0x3F => self.timers[(offset / 0x20) as usize].write(offset % 0x20, value, tick),
            TIMER_ITCR => self.itcr = value & 1 != 0,
            _ => log::debug!("SP804: write {value:#010x} to read-only or reserved {offset:#05x}"),
        }
        self.update(ctx);
    }

    fn peek(&self, offset: u32, size: Size, now: u64, cpu_hz: u64) -> Option<u32> {
        let tick = ticks_at(now, cpu_hz, self.hz);
        Some(read_lanes(
            self.read_word(offset & 0xFFC, tick),
            offset,
            size,
        ))
    }

    fn event(&mut self, _tag: EventTag, ctx: &mut Context) {
        let tick = ticks_at(ctx.now, ctx.cpu_hz, self.hz);
        for timer in &mut self.timers {
            timer.advance(tick);
        }
        self.update(ctx);
    }

    fn events(&self) -> &'static [EventTag] {
        &[0, 1]
    }

    fn check_saved(&self, current: &Self) -> Result<(), String> {
        crate::check_clock(self.hz, current.hz)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stub::bench::Bench;

    const CPU_HZ: u64 = 90_000_000;

    const SLOW_HZ: u64 = 32_768;
    /// 22.5 MHz: exactly 4 CPU cycles per tick at 90 MHz.
    const FAST_HZ: u64 = 22_500_000;

    /// The first CPU cycle at which TIMCLK of `hz` has ticked `tick` times.
    fn cycle(tick: u64, hz: u64) -> u64 {
        (tick * CPU_HZ).div_ceil(hz)
    }

    #[test]
    fn reset_values_and_identification() {
        let mut h = Bench::new(CPU_HZ, Some(19));
        let mut t = Sp804::new(SLOW_HZ);
        for base in [0x00, 0x20] {
            assert_eq!(h.read(&mut t, base + TIMER_LOAD), 0);
            assert_eq!(h.read(&mut t, base + TIMER_VALUE), 0xFFFF_FFFF);
            assert_eq!(h.read(&mut t, base + TIMER_CONTROL), 0x20);
            assert_eq!(h.read(&mut t, base + TIMER_RIS), 0);
            assert_eq!(h.read(&mut t, base + TIMER_MIS), 0);
        }
        let ids: Vec<u32> = (0..8).map(|i| h.read(&mut t, 0xFE0 + 4 * i)).collect();
        assert_eq!(ids, [0x04, 0x18, 0x14, 0x00, 0x0D, 0xF0, 0x05, 0xB1]);
    }

    /// Linux's clockevent in periodic mode: Load = 32768 / 100 = 327, then
    /// `32BIT | IE | PERIODIC | ENABLE`. The load lands at TIMCLK edge 1, the counter reaches
    /// zero 327 edges later, reloads on the next edge: an interrupt every 328 ticks.
    #[test]
    fn periodic_timer_raises_its_line_at_each_zero_and_intclr_lowers_it() {
        let mut h = Bench::new(CPU_HZ, Some(19));
        let mut t = Sp804::new(SLOW_HZ);
        h.write(&mut t, TIMER_LOAD, 327);
        h.write(&mut t, TIMER_CONTROL, 0xE2);
        let first = cycle(328, SLOW_HZ);
        h.run_until(&mut t, first - 1);
        assert!(!h.line());
        assert_eq!(h.read(&mut t, TIMER_VALUE), 1);
        h.run_until(&mut t, first);
        assert!(h.line());
        assert_eq!(h.read(&mut t, TIMER_VALUE), 0);
        assert_eq!(h.read(&mut t, TIMER_RIS), 1);
        assert_eq!(h.read(&mut t, TIMER_MIS), 1);
        // While the interrupt is pending nothing needs to be scheduled.
        assert_eq!(h.scheduler.next_deadline(), None);

        h.run_until(&mut t, first + 100);
        h.write(&mut t, TIMER_INTCLR, 1);
        assert!(!h.line());
        assert_eq!(h.read(&mut t, TIMER_RIS), 0);
        let second = cycle(328 + 328, SLOW_HZ);
        h.run_until(&mut t, second - 1);
        assert!(!h.line());
        h.run_until(&mut t, second);
        assert!(h.line());
    }

    #[test]
    fn value_reads_count_down_between_events_and_reload_in_periodic_mode() {
        let mut h = Bench::new(CPU_HZ, Some(17));
        let mut t = Sp804::new(FAST_HZ);
        h.write(&mut t, TIMER_LOAD, 1000);
        h.write(&mut t, TIMER_CONTROL, 0xC2); // periodic, 32-bit, no IE
                                              // Loaded at edge 1, so at edge 501 it has decremented 500 times.
        h.run_until(&mut t, 4 * 501);
        assert_eq!(h.read(&mut t, TIMER_VALUE), 500);
        h.run_until(&mut t, 4 * 501 + 3);
        assert_eq!(h.read(&mut t, TIMER_VALUE), 500);
        h.run_until(&mut t, 4 * 1001);
        assert_eq!(h.read(&mut t, TIMER_VALUE), 0);
        assert_eq!(h.read(&mut t, TIMER_RIS), 1);
        // Interrupt disabled: the raw status is set, the line is not.
        assert_eq!(h.read(&mut t, TIMER_MIS), 0);
        assert!(!h.line());
        h.run_until(&mut t, 4 * 1002);
        assert_eq!(h.read(&mut t, TIMER_VALUE), 1000);
        h.run_until(&mut t, 4 * 1012);
        assert_eq!(h.read(&mut t, TIMER_VALUE), 990);
    }

    #[test]
    fn prescaler_divides_by_16_and_256() {
        let mut h = Bench::new(CPU_HZ, Some(17));
        let mut t = Sp804::new(FAST_HZ);
        h.write(&mut t, TIMER_LOAD, 10);
        h.write(&mut t, TIMER_CONTROL, 0xE6); // periodic, IE, /16
        h.write(&mut t, 0x20 + TIMER_LOAD, 10);
        h.write(&mut t, 0x20 + TIMER_CONTROL, 0xCA); // periodic, /256
        h.run_until(&mut t, 4 * 16);
        assert_eq!(h.read(&mut t, TIMER_VALUE), 10);
        h.run_until(&mut t, 4 * 17);
        assert_eq!(h.read(&mut t, TIMER_VALUE), 9);
        h.run_until(&mut t, 4 * (1 + 160) - 1);
        assert!(!h.line());
        h.run_until(&mut t, 4 * (1 + 160));
        assert!(h.line());
        assert_eq!(h.read(&mut t, 0x20 + TIMER_VALUE), 10);
        h.run_until(&mut t, 4 * (1 + 256 * 3));
        assert_eq!(h.read(&mut t, 0x20 + TIMER_VALUE), 7);
    }

    #[test]
    fn sixteen_bit_free_running_wraps_at_0xffff_and_keeps_the_upper_half() {
        let mut h = Bench::new(CPU_HZ, Some(17));
        let mut t = Sp804::new(FAST_HZ);
        h.write(&mut t, TIMER_LOAD, 0x0001_0002);
        h.write(&mut t, TIMER_CONTROL, 0xA0); // free-running, 16-bit, IE
        h.run_until(&mut t, 4 * 2);
        assert_eq!(h.read(&mut t, TIMER_VALUE), 0x0001_0001);
        assert!(!h.line());
        h.run_until(&mut t, 4 * 3);
        assert_eq!(h.read(&mut t, TIMER_VALUE), 0x0001_0000);
        assert!(h.line());
        h.run_until(&mut t, 4 * 4);
        assert_eq!(h.read(&mut t, TIMER_VALUE), 0x0001_FFFF);
        // The next zero is 0x10000 edges later.
        h.write(&mut t, TIMER_INTCLR, 0);
        h.run_until(&mut t, 4 * (3 + 0x10000) - 1);
        assert!(!h.line());
        h.run_until(&mut t, 4 * (3 + 0x10000));
        assert!(h.line());
    }

    #[test]
    fn thirty_two_bit_free_running_wraps_to_0xffffffff() {
        let mut h = Bench::new(CPU_HZ, Some(17));
        let mut t = Sp804::new(FAST_HZ);
        h.write(&mut t, TIMER_LOAD, 1);
        h.write(&mut t, TIMER_CONTROL, 0x82); // free-running, 32-bit, no IE
        h.run_until(&mut t, 4 * 2);
        assert_eq!(h.read(&mut t, TIMER_VALUE), 0);
        h.run_until(&mut t, 4 * 3);
        assert_eq!(h.read(&mut t, TIMER_VALUE), 0xFFFF_FFFF);
        assert_eq!(h.read(&mut t, TIMER_RIS), 1);
    }

    /// Linux's `set_next_event`: Load = next, then `32BIT | IE | ONESHOT | ENABLE`.
    #[test]
    fn one_shot_stops_at_zero_until_reloaded() {
        let mut h = Bench::new(CPU_HZ, Some(19));
        let mut t = Sp804::new(SLOW_HZ);
        h.write(&mut t, TIMER_LOAD, 5);
        h.write(&mut t, TIMER_CONTROL, 0xA3);
        h.run_until(&mut t, cycle(6, SLOW_HZ) - 1);
        assert!(!h.line());
        h.run_until(&mut t, cycle(6, SLOW_HZ));
        assert!(h.line());
        h.write(&mut t, TIMER_INTCLR, 1);
        h.run_until(&mut t, cycle(100_000, SLOW_HZ));
        assert_eq!(h.read(&mut t, TIMER_VALUE), 0);
        assert!(!h.line());
        assert_eq!(h.scheduler.next_deadline(), None);
        // A new load restarts it, still enabled.
        h.write(&mut t, TIMER_LOAD, 3);
        assert_eq!(h.read(&mut t, TIMER_VALUE), 3);
        h.run_until(&mut t, cycle(100_000 + 1 + 3, SLOW_HZ) - 1);
        assert!(!h.line());
        h.run_until(&mut t, cycle(100_000 + 1 + 3, SLOW_HZ));
        assert!(h.line());
    }

    #[test]
    fn bgload_changes_the_next_reload_without_restarting() {
        let mut h = Bench::new(CPU_HZ, Some(17));
        let mut t = Sp804::new(FAST_HZ);
        h.write(&mut t, TIMER_LOAD, 100);
        h.write(&mut t, TIMER_CONTROL, 0xE2);
        h.run_until(&mut t, 4 * 51);
        h.write(&mut t, TIMER_BGLOAD, 10);
        assert_eq!(h.read(&mut t, TIMER_LOAD), 10);
        assert_eq!(h.read(&mut t, TIMER_VALUE), 50);
        h.run_until(&mut t, 4 * 101);
        assert_eq!(h.read(&mut t, TIMER_VALUE), 0);
        h.run_until(&mut t, 4 * 102);
        assert_eq!(h.read(&mut t, TIMER_VALUE), 10);
    }

    #[test]
    fn disabled_timer_holds_its_value_and_load_of_zero_interrupts_at_once() {
        let mut h = Bench::new(CPU_HZ, Some(17));
        let mut t = Sp804::new(FAST_HZ);
        h.write(&mut t, TIMER_LOAD, 50);
        h.write(&mut t, TIMER_CONTROL, 0xE2);
        h.run_until(&mut t, 4 * 11);
        h.write(&mut t, TIMER_CONTROL, 0x62);
        h.run_until(&mut t, 4 * 1000);
        assert_eq!(h.read(&mut t, TIMER_VALUE), 40);
        assert!(!h.line());
        h.write(&mut t, TIMER_CONTROL, 0xE2);
        h.run_until(&mut t, 4 * 1005);
        assert_eq!(h.read(&mut t, TIMER_VALUE), 35);
        h.write(&mut t, TIMER_LOAD, 0);
        assert!(h.line());
    }

    /// The Linux clocksource on timer 2, the clockevent's interrupt on timer 1: TIMINTC is
    /// the OR of the two masked interrupts.
    #[test]
    fn combined_interrupt_is_the_or_of_both_timers() {
        let mut h = Bench::new(CPU_HZ, Some(19));
        let mut t = Sp804::new(SLOW_HZ);
        h.write(&mut t, 0x20 + TIMER_LOAD, 0xFFFF_FFFF);
        h.write(&mut t, 0x20 + TIMER_CONTROL, 0xC2); // 32BIT | ENABLE | PERIODIC
        h.write(&mut t, TIMER_LOAD, 2);
        h.write(&mut t, TIMER_CONTROL, 0xA3);
        h.run_until(&mut t, cycle(10, SLOW_HZ));
        assert_eq!(h.read(&mut t, 0x20 + TIMER_VALUE), 0xFFFF_FFFF - 9);
        assert!(h.line());
        h.write(&mut t, TIMER_INTCLR, 1);
        assert!(!h.line());
        // Timer 2 reaches zero 2^32 - 1 edges after its load edge, with IE clear: no line.
        h.run_until(&mut t, cycle(1 + 0xFFFF_FFFF, SLOW_HZ));
        assert_eq!(h.read(&mut t, 0x20 + TIMER_RIS), 1);
        assert!(!h.line());
        h.write(&mut t, 0x20 + TIMER_CONTROL, 0xE2);
        assert!(h.line());
    }

    #[test]
    fn peek_reads_like_read() {
        let mut h = Bench::new(CPU_HZ, Some(17));
        let mut t = Sp804::new(FAST_HZ);
        h.write(&mut t, TIMER_LOAD, 1000);
        h.write(&mut t, TIMER_CONTROL, 0xE2);
        assert_eq!(t.peek(TIMER_VALUE, Size::Word, 4 * 101, CPU_HZ), Some(900));
        assert_eq!(t.peek(TIMER_VALUE, Size::Half, 4 * 101, CPU_HZ), Some(900));
        assert_eq!(t.peek(TIMER_RIS, Size::Word, 4 * 1001, CPU_HZ), Some(1));
        assert_eq!(t.peek(TIMER_RIS, Size::Word, 4 * 1000, CPU_HZ), Some(0));
    }

    #[test]
    fn any_access_anywhere_is_harmless() {
        let mut h = Bench::new(CPU_HZ, Some(17));
        let mut t = Sp804::new(FAST_HZ);
        h.hammer(&mut t, &[0, 1, 0xFFFF_FFFF], 3);
        let mut zero_rate = Sp804::new(0);
        zero_rate.write(TIMER_CONTROL, Size::Word, 0xFF, &mut h.ctx());
        let _ = zero_rate.read(TIMER_VALUE, Size::Word, &mut h.ctx());
    }
}
