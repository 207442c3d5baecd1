//! Device models of a TI-Nspire CX class machine.
//!
//! A device sees offsets inside its window, the time (CPU cycles), a scheduler for its timed
//! events and its interrupt line; it never sees the CPU. The machine in the `emu` crate places
//! devices at addresses (from its machine description), routes accesses to them, fires their
//! events, and drives the CPU's IRQ/FIQ inputs from the interrupt controller.
//!
//! References: `docs/hardware.md` and the ARM PrimeCell TRMs (PL190, SP804,
//! PL011, PL031, PL111, SP805), cited in each module.

use serde::{Deserialize, Serialize};
pub mod gpio;
pub mod keypad;
pub mod misc;
pub mod pl011;
pub mod pl111;
pub mod power;
pub mod rtc;
pub mod scheduler;
mod serde_array;
pub mod sp804;
pub mod stub;
pub mod touchpad;
pub mod vic;
pub mod watchdog;

pub use scheduler::{EventTag, Scheduler};

use bitvec::prelude::*;

/// Width of a register access.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Size {
    Byte = 1,
    Half = 2,
    Word = 4,
}

impl Size {
    pub fn bytes(self) -> u32 {
        self as u32
    }
}

/// The levels of the 32 interrupt lines into the VIC (bit n = line n, 1 = asserted).
pub type Lines = BitArr!(for 32, in u32, Lsb0);

/// What the machine asks of itself on a device's behalf.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Requests {
    /// Reset the whole machine (watchdog expiry, the misc block's reset register).
    pub reset: bool,
    /// Power off (the guest halted the machine).
    pub power_off: bool,
}

/// What a device may touch while it handles an access or an event.
pub struct Context<'a> {
    /// CPU cycles since power-on.
    pub now: u64,
    /// CPU clock rate in Hz, to convert cycles to a device's own clock.
    pub cpu_hz: u64,
    /// The machine's interrupt lines.
    pub lines: &'a mut Lines,
    /// The line this device drives, if it is wired to one.
    pub irq: Option<u8>,
    /// The scheduler, seen as this device's own events.
    pub events: scheduler::Events<'a>,
    pub requests: &'a mut Requests,
}

impl Context<'_> {
    /// Drives this device's interrupt line (level-sensitive).
    pub fn set_irq(&mut self, level: bool) {
        if let Some(line) = self.irq {
            self.lines.set(line as usize, level);
        }
    }

    /// Converts the CPU cycle count to ticks of a clock of `hz`.
    pub fn ticks(&self, hz: u64) -> u64 {
        sp804::ticks_at(self.now, self.cpu_hz, hz)
    }

    /// The first CPU cycle at which a clock of `hz` has counted `ticks` ticks; `u64::MAX`
    /// (never) for a tick beyond the cycle count's range, rather than a wrapped cycle in the past.
    pub fn cycle_of_tick(&self, ticks: u64, hz: u64) -> u64 {
        let cycle = (ticks as u128 * self.cpu_hz as u128).div_ceil(hz.max(1) as u128);
        u64::try_from(cycle).unwrap_or(u64::MAX)
    }
}

/// A memory-mapped device.
pub trait Device {
    /// A read, with whatever side effects the register has.
    fn read(&mut self, offset: u32, size: Size, ctx: &mut Context) -> u32;
    /// A write.
    fn write(&mut self, offset: u32, size: Size, value: u32, ctx: &mut Context);
    /// A read with no side effects, for debuggers; `now` is the CPU cycle count and `cpu_hz`
    /// its rate. `None` for registers that cannot be read without disturbing the device.
    fn peek(&self, offset: u32, size: Size, now: u64, cpu_hz: u64) -> Option<u32>;
    /// One of this device's scheduled events is due.
    fn event(&mut self, tag: EventTag, ctx: &mut Context) {
        let _ = (tag, ctx);
    }

    /// The tags of the events this device schedules.
    fn events(&self) -> &'static [EventTag] {
        &[]
    }

    /// Whether `self`, read from a saved state, may replace `current`, the device of the same
    /// kind at the same window of this machine: the error (one line) names what no guest could
    /// have brought about, such as a clock other than the machine description's.
    fn check_saved(&self, current: &Self) -> Result<(), String> {
        let _ = current;
        Ok(())
    }
}

/// The error for a saved device whose clock is not the one the machine description gives.
pub(crate) fn check_clock(saved: u64, current: u64) -> Result<(), String> {
    match saved == current {
        true => Ok(()),
        false => Err(format!(
            "a clock of {saved} Hz, not this machine's {current} Hz"
        )),
    }
}

#[cfg(test)]
mod tests {
    use crate::stub::bench::Bench;

    /// A counter whose next zero (or a clock faster than the CPU's) lies beyond `u64::MAX`
    /// cycles or ticks gets `u64::MAX`, never a wrapped value: an event that wrapped into the
    /// past would fire at once and be rescheduled there for ever.
    #[test]
    fn clock_conversions_saturate() {
        let mut bench = Bench::new(132_000_000, None);
        assert_eq!(bench.ctx().cycle_of_tick(u64::MAX - 5, 32_768), u64::MAX);
        assert_eq!(
            bench.ctx().cycle_of_tick(1 << 40, 32_768),
            132_000_000 << 25
        );
        bench.now = u64::MAX - 1;
        assert_eq!(bench.ctx().ticks(264_000_000), u64::MAX);
        assert_eq!(bench.ctx().ticks(66_000_000), (u64::MAX - 1) / 2);
    }

    /// A saved device whose clock is not the machine description's is refused: at 0 Hz the
    /// LCD and the keypad would divide by zero; a timer faster than the CPU would turn its
    /// (saturated) ticks back into cycles in the past, and fire there for ever.
    #[test]
    fn saved_devices_keep_the_description_clocks() {
        use crate::{keypad::Keypad, pl111::Pl111, sp804::Sp804, watchdog::Sp805, Device};
        assert_eq!(Sp804::new(32_768).check_saved(&Sp804::new(32_768)), Ok(()));
        let error = Sp804::new(u64::MAX).check_saved(&Sp804::new(32_768));
        let expected = "a clock of 18446744073709551615 Hz, not this machine's 32768 Hz";
        assert_eq!(error.unwrap_err(), expected);
        assert!(Sp805::new(1).check_saved(&Sp805::new(33_000_000)).is_err());
        assert!(Keypad::new(1)
            .check_saved(&Keypad::new(33_000_000))
            .is_err());
        assert!(Pl111::new(1).check_saved(&Pl111::new(12_000_000)).is_err());
    }
}
