//! The CX real-time clock at 0x90090000: an ARM PrimeCell PL031 register layout.
//!
//! Reference: ARM DDI 0224, "ARM PrimeCell Real Time Clock (PL031) Technical Reference
//! Manual" (2.1 for the operation), `docs/hardware.md` section 2.4, and what
//! Linux's rtc-pl031 driver does (probe: read RTCCR, write it back with the start bit; set
//! time: RTCLR; alarm: RTCMR, RTCICR, RTCIMSC; interrupt: RTCMIS then RTCICR).
//!
//! The 32-bit counter counts seconds of virtual time (CLK1HZ edges fall on whole seconds of
//! CPU cycles), computed when read. When it becomes equal to RTCMR the raw interrupt is set;
//! the device schedules one event, at that second, while the raw interrupt is clear.

use crate::sp804::ticks_at;
use crate::stub::{read_lanes, write_lanes};
use crate::{Context, Device, EventTag, Size};
use serde::{Deserialize, Serialize};

/// Register offsets (DDI 0224 table 3-1).
const RTCDR: u32 = 0x000;
const RTCMR: u32 = 0x004;
const RTCLR: u32 = 0x008;
const RTCCR: u32 = 0x00C;
const RTCIMSC: u32 = 0x010;
const RTCRIS: u32 = 0x014;
const RTCMIS: u32 = 0x018;
const RTCICR: u32 = 0x01C;
const RTCPERIPHID0: u32 = 0xFE0;

/// RTCPeriphID0-3: PL031, ARM, revision 0 (the CX value, hardware doc 2.4). The CX's cell ID
/// registers are not documented; we return the PrimeCell standard 0xB105F00D, which Linux's
/// AMBA bus requires before it would probe rtc-pl031 (the CX device tree gives the node no
/// compatible, so stock Linux never does).
const ID: [u32; 8] = [0x31, 0x10, 0x04, 0x00, 0x0D, 0xF0, 0x05, 0xB1];

/// The match event's tag.
const MATCH: EventTag = 0;

/// The RTC.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Pl031 {
    /// RTCDR at second `base_second` of virtual time.
    base_value: u32,
    /// The CLK1HZ edge count (seconds since power-on) at which the counter was `base_value`.
    base_second: u64,
    /// The second up to which matches are accounted for in `ris`.
    checked_second: u64,
    /// RTCMR.
    match_value: u32,
    /// RTCLR: the value last written to it.
    load: u32,
    /// RTCIMSC bit 0.
    imsc: bool,
    /// RTCRIS bit 0, as of `checked_second`.
    ris: bool,
}

impl Pl031 {
    /// An RTC whose counter reads `start` seconds at power-on (the host's Unix time, or a
    /// fixed value for reproducible runs). Its one event is tagged 0.
    pub fn new(start: u32) -> Pl031 {
        Pl031 {
            base_value: start,
            base_second: 0,
            checked_second: 0,
            match_value: 0,
            load: 0,
            imsc: false,
            ris: false,
        }
    }

    fn counter(&self, second: u64) -> u32 {
        let elapsed = second.saturating_sub(self.base_second);
        self.base_value.wrapping_add(elapsed as u32)
    }

    /// Seconds from `from` to the next second after it at which the counter equals RTCMR
    /// (1 to 2^32).
    fn seconds_to_match(&self, from: u64) -> u64 {
        match self.match_value.wrapping_sub(self.counter(from)) {
            0 => 1 << 32,
            d => d as u64,
        }
    }

    /// Whether the raw interrupt is set at `second`: set before, or a match since.
    fn ris_at(&self, second: u64) -> bool {
        self.ris
            || second.saturating_sub(self.checked_second)
                >= self.seconds_to_match(self.checked_second)
    }

    /// Accounts for the matches up to `second`.
    fn advance(&mut self, second: u64) {
        self.ris = self.ris_at(second);
        self.checked_second = second;
    }

    /// Drives RTCINTR and schedules the next match while the raw interrupt is clear.
    fn update(&mut self, second: u64, ctx: &mut Context) {
        ctx.set_irq(self.ris && self.imsc);
        match self.ris {
            false => {
                let at = second.saturating_add(self.seconds_to_match(second));
                ctx.events.schedule(MATCH, ctx.cycle_of_tick(at, 1));
            }
            true => ctx.events.cancel(MATCH),
        }
    }

    /// Brings the raw interrupt up to `ctx.now`, drives RTCINTR and schedules the next match:
    /// for a scheduled event, and for an RTC that a machine keeps across its reset, whose new
    /// interrupt lines and scheduler know nothing of it yet.
    pub fn resume(&mut self, ctx: &mut Context) {
        let second = ticks_at(ctx.now, ctx.cpu_hz, 1);
        self.advance(second);
        self.update(second, ctx);
    }

    fn read_word(&self, offset: u32, second: u64) -> u32 {
        match offset {
            RTCDR => self.counter(second),
            RTCMR => self.match_value,
            RTCLR => self.load,
            // The counter has been running since the battery went in: RTCCR's start bit reads
            // 1 from power-on, and once set it cannot be cleared (DDI 0224 3.3.4).
            RTCCR => 1,
            RTCIMSC => self.imsc as u32,
            RTCRIS => self.ris_at(second) as u32,
            RTCMIS => (self.ris_at(second) && self.imsc) as u32,
            0xFE0..=0xFFC => ID[((offset - RTCPERIPHID0) / 4) as usize],
            // RTCICR is write-only; the rest is reserved.
            _ => 0,
        }
    }
}

impl Device for Pl031 {
    fn read(&mut self, offset: u32, size: Size, ctx: &mut Context) -> u32 {
        let second = ticks_at(ctx.now, ctx.cpu_hz, 1);
        read_lanes(self.read_word(offset & 0xFFC, second), offset, size)
    }

    fn write(&mut self, offset: u32, size: Size, value: u32, ctx: &mut Context) {
        let second = ticks_at(ctx.now, ctx.cpu_hz, 1);
        let (offset, value) = (offset & 0xFFC, write_lanes(value, offset, size));
        self.advance(second);
        // The comparator raises the interrupt when counter and match become equal (DDI 0224
        // 2.1), whether by counting or by a write to either side.
        let matched = self.counter(second) == self.match_value;
        match offset {
            RTCMR => self.match_value = value,
            RTCLR => {
                self.load = value;
                self.base_value = value;
                self.base_second = second;
            }
            RTCCR => {} // The start bit is already set and stays so.
            RTCIMSC => self.imsc = value & 1 != 0,
            // Any write clears the interrupt (DDI 0224 2.1).
            RTCICR => self.ris = false,
            _ => log::debug!("RTC: write {value:#010x} to read-only or reserved {offset:#05x}"),
        }
        if !matched && self.counter(second) == self.match_value {
            self.ris = true;
        }
        self.update(second, ctx);
    }

    fn peek(&self, offset: u32, size: Size, now: u64, cpu_hz: u64) -> Option<u32> {
        let second = ticks_at(now, cpu_hz, 1);
        Some(read_lanes(
            self.read_word(offset & 0xFFC, second),
            offset,
            size,
        ))
    }

    fn event(&mut self, _tag: EventTag, ctx: &mut Context) {
        self.resume(ctx);
    }

    fn events(&self) -> &'static [EventTag] {
        &[MATCH]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stub::bench::Bench;

    const CPU_HZ: u64 = 90_000_000;

    const START: u32 = 1_700_000_000;

    #[test]
    fn counter_starts_at_the_given_time_and_counts_virtual_seconds() {
        let mut h = Bench::new(CPU_HZ, Some(4));
        let mut rtc = Pl031::new(START);
        assert_eq!(h.read(&mut rtc, RTCDR), START);
        h.run_until(&mut rtc, CPU_HZ - 1);
        assert_eq!(h.read(&mut rtc, RTCDR), START);
        h.run_until(&mut rtc, CPU_HZ);
        assert_eq!(h.read(&mut rtc, RTCDR), START + 1);
        h.run_until(&mut rtc, 61 * CPU_HZ + 5);
        assert_eq!(h.read(&mut rtc, RTCDR), START + 61);
        assert_eq!(
            rtc.peek(RTCDR, Size::Word, 61 * CPU_HZ, CPU_HZ),
            Some(START + 61)
        );
    }

    /// A machine reset keeps the RTC but gives it new lines and a new scheduler: resuming
    /// there drives its pending interrupt at once and its next match when it comes.
    #[test]
    fn resume_in_a_new_context_redrives_the_line_and_the_match() {
        let mut h = Bench::new(CPU_HZ, Some(4));
        let mut rtc = Pl031::new(START);
        h.write(&mut rtc, RTCMR, START + 2);
        h.write(&mut rtc, RTCIMSC, 1);
        h.run_until(&mut rtc, CPU_HZ / 2);
        let mut after = Bench::new(CPU_HZ, Some(4));
        after.now = h.now;
        rtc.resume(&mut after.ctx());
        assert!(!after.line());
        assert_eq!(after.scheduler.next_deadline(), Some(2 * CPU_HZ));
        after.run_until(&mut rtc, 2 * CPU_HZ);
        assert!(after.line());

        let mut again = Bench::new(CPU_HZ, Some(4));
        again.now = after.now;
        rtc.resume(&mut again.ctx());
        assert!(again.line(), "the pending interrupt stays asserted");
    }

    #[test]
    fn identification_and_reset_values() {
        let mut h = Bench::new(CPU_HZ, Some(4));
        let mut rtc = Pl031::new(START);
        let ids: Vec<u32> = (0..8).map(|i| h.read(&mut rtc, 0xFE0 + 4 * i)).collect();
        assert_eq!(ids, [0x31, 0x10, 0x04, 0x00, 0x0D, 0xF0, 0x05, 0xB1]);
        for reg in [RTCMR, RTCLR, RTCIMSC, RTCRIS, RTCMIS] {
            assert_eq!(h.read(&mut rtc, reg), 0);
        }
    }

    /// rtc-pl031's probe and set_time.
    #[test]
    fn linux_probe_and_set_time() {
        let mut h = Bench::new(CPU_HZ, Some(4));
        let mut rtc = Pl031::new(START);
        let cr = h.read(&mut rtc, RTCCR);
        h.write(&mut rtc, RTCCR, cr | 1);
        assert_eq!(h.read(&mut rtc, RTCCR), 1);
        h.write(&mut rtc, RTCCR, 0);
        assert_eq!(h.read(&mut rtc, RTCCR), 1);

        h.run_until(&mut rtc, CPU_HZ / 2);
        h.write(&mut rtc, RTCLR, 1000);
        assert_eq!(h.read(&mut rtc, RTCDR), 1000);
        assert_eq!(h.read(&mut rtc, RTCLR), 1000);
        // The load does not move the CLK1HZ edges: the next increment is at second 1.
        h.run_until(&mut rtc, CPU_HZ);
        assert_eq!(h.read(&mut rtc, RTCDR), 1001);
    }

    /// rtc-pl031's set_alarm (RTCMR, RTCICR, RTCIMSC |= 1) and interrupt handler (RTCMIS,
    /// RTCICR).
    #[test]
    fn match_raises_the_interrupt_at_that_second() {
        let mut h = Bench::new(CPU_HZ, Some(4));
        let mut rtc = Pl031::new(START);
        h.write(&mut rtc, RTCMR, START + 3);
        h.write(&mut rtc, RTCICR, 1);
        let imsc = h.read(&mut rtc, RTCIMSC);
        h.write(&mut rtc, RTCIMSC, imsc | 1);
        h.run_until(&mut rtc, 3 * CPU_HZ - 1);
        assert!(!h.line());
        assert_eq!(h.read(&mut rtc, RTCRIS), 0);
        h.run_until(&mut rtc, 3 * CPU_HZ);
        assert!(h.line());
        assert_eq!(h.read(&mut rtc, RTCMIS), 1);
        h.write(&mut rtc, RTCICR, 1);
        assert!(!h.line());
        assert_eq!(h.read(&mut rtc, RTCRIS), 0);
        // Still equal for the rest of the second, but the interrupt was an edge.
        h.run_until(&mut rtc, 4 * CPU_HZ - 1);
        assert!(!h.line());
    }

    #[test]
    fn masked_match_sets_only_the_raw_status() {
        let mut h = Bench::new(CPU_HZ, Some(4));
        let mut rtc = Pl031::new(START);
        h.write(&mut rtc, RTCMR, START + 2);
        h.run_until(&mut rtc, 2 * CPU_HZ);
        assert_eq!(h.read(&mut rtc, RTCRIS), 1);
        assert_eq!(h.read(&mut rtc, RTCMIS), 0);
        assert!(!h.line());
        h.write(&mut rtc, RTCIMSC, 1);
        assert!(h.line());
        assert_eq!(rtc.peek(RTCMIS, Size::Word, h.now, CPU_HZ), Some(1));
    }

    #[test]
    fn writing_a_match_equal_to_the_counter_matches_at_once() {
        let mut h = Bench::new(CPU_HZ, Some(4));
        let mut rtc = Pl031::new(START);
        h.write(&mut rtc, RTCIMSC, 1);
        h.run_until(&mut rtc, 5 * CPU_HZ + 7);
        h.write(&mut rtc, RTCMR, START + 5);
        assert!(h.line());
        // And a load onto the match value too.
        h.write(&mut rtc, RTCICR, 0);
        h.write(&mut rtc, RTCMR, 42);
        assert!(!h.line());
        h.write(&mut rtc, RTCLR, 42);
        assert!(h.line());
    }

    #[test]
    fn any_access_anywhere_is_harmless() {
        let mut h = Bench::new(CPU_HZ, Some(4));
        let mut rtc = Pl031::new(u32::MAX);
        h.hammer(&mut rtc, &[0, 1, u32::MAX], CPU_HZ / 3);
    }
}
