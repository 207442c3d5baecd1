//! Device models of a TI-Nspire CX class machine.
//!
//! A device sees offsets inside its window, the time (CPU cycles), a scheduler for its timed
//! events and its interrupt line; it never sees the CPU. The machine in the `emu` crate places
//! devices at addresses (from its machine description), routes accesses to them, fires their
//! events, and drives the CPU's IRQ/FIQ inputs from the interrupt controller.
//!
//! References: `../shared/hardware/nspire-cx.md` and the ARM PrimeCell TRMs (PL190, SP804,
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
        ((self.now as u128 * hz as u128) / self.cpu_hz.max(1) as u128) as u64
    }

    /// The first CPU cycle at which a clock of `hz` has counted `ticks` ticks.
    pub fn cycle_of_tick(&self, ticks: u64, hz: u64) -> u64 {
        ((ticks as u128 * self.cpu_hz as u128).div_ceil(hz.max(1) as u128)) as u64
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
}
