//! ARM PrimeCell SP805 watchdog, at 0x90060000 on the CX (IRQ 3).
//!
//! Reference: ARM DDI 0270, "ARM Watchdog Module (SP805) Technical Reference Manual"
//! (chapter 2 for the operation, chapter 3 for the registers), and
//! `docs/hardware.md` section 2.9 (Firebird clocks it from the APB clock).
//!
//! A 32-bit down-counter, running while INTEN is set, reaches zero, raises WDOGINT and
//! reloads from WdogLoad; if it reaches zero again before the interrupt is cleared and RESEN
//! is set, it asserts WDOGRES, which resets the machine. The counter is computed when read;
//! an event is scheduled only for a timeout that changes something.

use crate::sp804::{ticks_at, Counting, DownCounter, Wrap};
use crate::stub::{read_lanes, write_lanes};
use crate::{Context, Device, EventTag, Size};
use serde::{Deserialize, Serialize};

/// Register offsets (DDI 0270 table 3-1).
const WDOG_LOAD: u32 = 0x000;
const WDOG_VALUE: u32 = 0x004;
const WDOG_CONTROL: u32 = 0x008;
const WDOG_INTCLR: u32 = 0x00C;
const WDOG_RIS: u32 = 0x010;
const WDOG_MIS: u32 = 0x014;
const WDOG_LOCK: u32 = 0xC00;
const WDOG_ITCR: u32 = 0xF00;
const WDOG_PERIPHID0: u32 = 0xFE0;

/// WdogControl bits (DDI 0270 3.3.3).
const INTEN: u32 = 1 << 0;
const RESEN: u32 = 1 << 1;

/// Writing this to WdogLock enables writes to the other registers; any other value disables
/// them (DDI 0270 3.3.7).
const UNLOCK_KEY: u32 = 0x1ACC_E551;

/// WdogPeriphID0-3 and WdogPCellID0-3 from the TRM: SP805, ARM, revision 1. The hardware doc
/// notes Firebird models none; the CX's real values are not documented.
const ID: [u32; 8] = [0x05, 0x18, 0x14, 0x00, 0x0D, 0xF0, 0x05, 0xB1];

/// The timeout event's tag.
const TIMEOUT: EventTag = 0;

/// The SP805 watchdog.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Sp805 {
    /// WDOGCLK in Hz.
    hz: u64,
    /// WdogLoad.
    load: u32,
    /// WdogControl (INTEN, RESEN).
    control: u32,
    /// WdogRIS, as of the counter's epoch.
    ris: bool,
    /// WdogLock: writes to the other registers are ignored while set.
    locked: bool,
    /// WdogITCR bit 0. Test mode is accepted as plain storage: the outputs stay functional.
    itcr: bool,
    counter: DownCounter,
}

impl Sp805 {
    /// A watchdog in its reset state (stopped, Load = Value = 0xFFFFFFFF, unlocked) counting
    /// a WDOGCLK of `hz`. Its one event is tagged 0.
    pub fn new(hz: u64) -> Sp805 {
        Sp805 {
            hz: hz.max(1),
            load: u32::MAX,
            control: 0,
            ris: false,
            locked: false,
            itcr: false,
            counter: DownCounter::new(u32::MAX),
        }
    }

    fn counting(&self) -> Counting {
        Counting {
            mask: u32::MAX,
            prescale: 1,
            wrap: Wrap::Periodic(self.load),
        }
    }

    /// The counter and the interrupt run only while INTEN is set.
    fn enabled(&self) -> bool {
        self.control & INTEN != 0
    }

    /// Whether a timeout to come may reset the machine (counting, with RESEN set).
    pub fn may_reset(&self) -> bool {
        self.enabled() && self.control & RESEN != 0
    }

    /// Brings the counter up to clock tick `tick`, raising the interrupt at a timeout and
    /// requesting the reset at a timeout that finds it still raised.
    fn advance(&mut self, tick: u64, ctx: &mut Context) {
        if !self.enabled() {
            return;
        }
        let timeouts = self.counter.advance(&self.counting(), tick);
        if timeouts > 0 {
            if (self.ris || timeouts > 1) && self.control & RESEN != 0 {
                log::info!("watchdog: second timeout with the interrupt pending, reset");
                ctx.requests.reset = true;
            }
            self.ris = true;
        }
    }

    /// Drives WDOGINT and schedules the next timeout that matters: one that raises the
    /// interrupt, or one that resets.
    fn update(&mut self, ctx: &mut Context) {
        ctx.set_irq(self.ris && self.enabled());
        let next = match self.enabled() && (!self.ris || self.control & RESEN != 0) {
            true => self.counter.next_zero(&self.counting()),
            false => None,
        };
        match next {
            Some(tick) => ctx
                .events
                .schedule(TIMEOUT, ctx.cycle_of_tick(tick, self.hz)),
            None => ctx.events.cancel(TIMEOUT),
        }
    }

    fn ris_at(&self, tick: u64) -> bool {
        self.ris || (self.enabled() && self.counter.zeros_at(&self.counting(), tick) > 0)
    }

    fn read_word(&self, offset: u32, tick: u64) -> u32 {
        match offset {
            WDOG_LOAD => self.load,
            WDOG_VALUE => match self.enabled() {
                true => self.counter.value_at(&self.counting(), tick),
                false => self.counter.value(),
            },
            WDOG_CONTROL => self.control,
            WDOG_RIS => self.ris_at(tick) as u32,
            WDOG_MIS => (self.ris_at(tick) && self.enabled()) as u32,
            WDOG_LOCK => self.locked as u32,
            WDOG_ITCR => self.itcr as u32,
            0xFE0..=0xFFC => ID[((offset - WDOG_PERIPHID0) / 4) as usize],
            // WdogIntClr and WdogITOP are write-only; the rest is reserved.
            _ => 0,
        }
    }
}

impl Device for Sp805 {
    fn read(&mut self, offset: u32, size: Size, ctx: &mut Context) -> u32 {
        let tick = ticks_at(ctx.now, ctx.cpu_hz, self.hz);
        read_lanes(self.read_word(offset & 0xFFC, tick), offset, size)
    }

    fn write(&mut self, offset: u32, size: Size, value: u32, ctx: &mut Context) {
        let tick = ticks_at(ctx.now, ctx.cpu_hz, self.hz);
        let (offset, value) = (offset & 0xFFC, write_lanes(value, offset, size));
        if offset == WDOG_LOCK {
            self.locked = value != UNLOCK_KEY;
            return;
        }
        if self.locked {
            log::debug!("watchdog: write to {offset:#05x} while locked, ignored");
            return;
        }
        self.advance(tick, ctx);
        // Loads take effect at the next WDOGCLK edge, as in the SP804.
        match offset {
            // The count restarts from the new value at once (DDI 0270 3.3.1).
            WDOG_LOAD => {
                self.load = value;
                self.counter.restart(tick.saturating_add(1), value);
            }
            WDOG_CONTROL => {
                let was_enabled = self.enabled();
                self.control = value & (INTEN | RESEN);
                // Enabling reloads the counter from WdogLoad (DDI 0270 3.3.3).
                if !was_enabled && self.enabled() {
                    self.counter.restart(tick.saturating_add(1), self.load);
                }
            }
            // Clearing the interrupt also reloads the counter (DDI 0270 3.3.4).
            WDOG_INTCLR => {
                self.ris = false;
                self.counter.restart(tick.saturating_add(1), self.load);
            }
            WDOG_ITCR => self.itcr = value & 1 != 0,
            _ => {
                log::debug!("watchdog: write {value:#010x} to read-only or reserved {offset:#05x}")
            }
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
        self.advance(tick, ctx);
        self.update(ctx);
    }

    fn events(&self) -> &'static [EventTag] {
        &[TIMEOUT]
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

    /// 22.5 MHz, the CX's APB clock at reset: 4 CPU cycles per tick at 90 MHz.
    const APB_HZ: u64 = 22_500_000;

    #[test]
    fn reset_values_and_identification() {
        let mut h = Bench::new(CPU_HZ, Some(3));
        let mut w = Sp805::new(APB_HZ);
        assert_eq!(h.read(&mut w, WDOG_LOAD), 0xFFFF_FFFF);
        assert_eq!(h.read(&mut w, WDOG_VALUE), 0xFFFF_FFFF);
        assert_eq!(h.read(&mut w, WDOG_CONTROL), 0);
        assert_eq!(h.read(&mut w, WDOG_RIS), 0);
        assert_eq!(h.read(&mut w, WDOG_LOCK), 0);
        let ids: Vec<u32> = (0..8).map(|i| h.read(&mut w, 0xFE0 + 4 * i)).collect();
        assert_eq!(ids, [0x05, 0x18, 0x14, 0x00, 0x0D, 0xF0, 0x05, 0xB1]);
        // Stopped: nothing counts, nothing is scheduled.
        h.run_until(&mut w, 1_000_000);
        assert_eq!(h.read(&mut w, WDOG_VALUE), 0xFFFF_FFFF);
        assert_eq!(h.scheduler.next_deadline(), None);
    }

    /// Load N, INTEN: the counter is loaded at the next edge, reaches zero N edges later,
    /// reloads at the next one; the second zero, with the interrupt still pending and RESEN
    /// set, resets.
    #[test]
    fn first_timeout_interrupts_second_resets() {
        let mut h = Bench::new(CPU_HZ, Some(3));
        let mut w = Sp805::new(APB_HZ);
        h.write(&mut w, WDOG_LOAD, 100);
        h.write(&mut w, WDOG_CONTROL, INTEN | RESEN);
        h.run_until(&mut w, 4 * 51);
        assert_eq!(h.read(&mut w, WDOG_VALUE), 50);
        h.run_until(&mut w, 4 * 101 - 1);
        assert!(!h.line());
        h.run_until(&mut w, 4 * 101);
        assert!(h.line());
        assert_eq!(h.read(&mut w, WDOG_RIS), 1);
        assert_eq!(h.read(&mut w, WDOG_MIS), 1);
        assert!(!h.requests.reset);
        h.run_until(&mut w, 4 * 102);
        assert_eq!(h.read(&mut w, WDOG_VALUE), 100);
        h.run_until(&mut w, 4 * 202 - 1);
        assert!(!h.requests.reset);
        h.run_until(&mut w, 4 * 202);
        assert!(h.requests.reset);
    }

    #[test]
    fn intclr_clears_and_reloads_so_a_serviced_watchdog_never_resets() {
        let mut h = Bench::new(CPU_HZ, Some(3));
        let mut w = Sp805::new(APB_HZ);
        h.write(&mut w, WDOG_LOAD, 100);
        h.write(&mut w, WDOG_CONTROL, INTEN | RESEN);
        h.run_until(&mut w, 4 * 101);
        assert!(h.line());
        h.run_until(&mut w, 4 * 150);
        h.write(&mut w, WDOG_INTCLR, 0);
        assert!(!h.line());
        assert_eq!(h.read(&mut w, WDOG_VALUE), 100);
        // Reloaded at edge 151: the next timeout is at 251, an interrupt, not a reset.
        h.run_until(&mut w, 4 * 251 - 1);
        assert!(!h.line());
        h.run_until(&mut w, 4 * 251);
        assert!(h.line());
        assert!(!h.requests.reset);
    }

    #[test]
    fn without_resen_the_interrupt_stays_and_nothing_resets() {
        let mut h = Bench::new(CPU_HZ, Some(3));
        let mut w = Sp805::new(APB_HZ);
        h.write(&mut w, WDOG_LOAD, 10);
        h.write(&mut w, WDOG_CONTROL, INTEN);
        h.run_until(&mut w, 4 * 11);
        assert!(h.line());
        assert_eq!(h.scheduler.next_deadline(), None);
        h.run_until(&mut w, 4 * 1000);
        assert!(h.line());
        assert!(!h.requests.reset);
        // Clearing INTEN stops the counter and masks the interrupt.
        h.write(&mut w, WDOG_CONTROL, 0);
        assert!(!h.line());
        assert_eq!(h.read(&mut w, WDOG_MIS), 0);
        assert_eq!(h.read(&mut w, WDOG_RIS), 1);
    }

    #[test]
    fn lock_ignores_writes_until_the_key_is_written() {
        let mut h = Bench::new(CPU_HZ, Some(3));
        let mut w = Sp805::new(APB_HZ);
        h.write(&mut w, WDOG_LOCK, 0);
        assert_eq!(h.read(&mut w, WDOG_LOCK), 1);
        h.write(&mut w, WDOG_LOAD, 5);
        h.write(&mut w, WDOG_CONTROL, INTEN);
        assert_eq!(h.read(&mut w, WDOG_LOAD), 0xFFFF_FFFF);
        assert_eq!(h.read(&mut w, WDOG_CONTROL), 0);
        h.write(&mut w, WDOG_LOCK, 0x1ACC_E551);
        assert_eq!(h.read(&mut w, WDOG_LOCK), 0);
        h.write(&mut w, WDOG_LOAD, 5);
        assert_eq!(h.read(&mut w, WDOG_LOAD), 5);
    }

    #[test]
    fn a_late_event_still_counts_both_timeouts() {
        let mut h = Bench::new(CPU_HZ, Some(3));
        let mut w = Sp805::new(APB_HZ);
        h.write(&mut w, WDOG_LOAD, 10);
        h.write(&mut w, WDOG_CONTROL, INTEN | RESEN);
        // The machine fires the first timeout's event long after both timeouts.
        h.scheduler = crate::scheduler::Scheduler::new();
        h.now = 4 * 1000;
        w.event(TIMEOUT, &mut h.ctx());
        assert!(h.requests.reset);
    }

    #[test]
    fn any_access_anywhere_is_harmless() {
        let mut h = Bench::new(CPU_HZ, Some(3));
        let mut w = Sp805::new(APB_HZ);
        h.hammer(&mut w, &[0, 1, u32::MAX, UNLOCK_KEY], 5);
        let mut zero_rate = Sp805::new(0);
        zero_rate.write(WDOG_CONTROL, Size::Word, 3, &mut h.ctx());
        let _ = zero_rate.read(WDOG_VALUE, Size::Word, &mut h.ctx());
    }
}
