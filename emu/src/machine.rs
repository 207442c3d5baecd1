//! The machine: the CPU, the physical bus with the TI-Nspire CX memory map, image loading,
//! semihosting, and the run loop.

use crate::bus::SystemBus;
use crate::cpu::{psr, Cpu, Event, Mode, Stop};
use crate::loader::{Image, ImageKind, LoadError};
use crate::semihosting::{self, Clock, GuestMemory, MemoryError, Outcome, Semihosting};

/// The CX's memory map (`../shared/hardware/nspire-cx.md`, section 1.2).
pub mod memory_map {
    /// Boot ROM: 512 KiB at 0, read-only.
    pub const ROM_BASE: u32 = 0x0000_0000;
    pub const ROM_SIZE: u32 = 0x0008_0000;
    /// SDRAM: 64 MiB.
    pub const SDRAM_BASE: u32 = 0x1000_0000;
    pub const SDRAM_SIZE: u32 = 0x0400_0000;
    /// Internal SRAM: 128 KiB.
    pub const SRAM_BASE: u32 = 0xA400_0000;
    pub const SRAM_SIZE: u32 = 0x0002_0000;
}

use memory_map::*;

/// The CPU clock of the CX (132 MHz); virtual time for semihosting's clock calls.
pub const CPU_HZ: u64 = 132_000_000;

/// Instructions run between looks at the outside world.
const SLICE: u64 = 1 << 22;

/// Why a run ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// The guest exited through semihosting with this status.
    Guest(i32),
    /// The instruction limit was reached.
    InstructionLimit,
    /// The CPU waits for an interrupt that nothing can raise.
    Halted,
}

pub struct Machine {
    pub cpu: Cpu,
    pub bus: SystemBus,
    semihosting: Option<Semihosting>,
}

impl Default for Machine {
    fn default() -> Self {
        Machine::new()
    }
}

impl Machine {
    /// A TI-Nspire CX with empty memory and the CPU at its reset vector.
    pub fn new() -> Machine {
        Machine {
            cpu: Cpu::new(),
            bus: SystemBus::new(&[
                ("boot ROM", ROM_BASE, ROM_SIZE, false),
                ("SDRAM", SDRAM_BASE, SDRAM_SIZE, true),
                ("SRAM", SRAM_BASE, SRAM_SIZE, true),
            ]),
            semihosting: None,
        }
    }

    /// Loads an image. A raw binary is the boot ROM: it must fit in it, and the CPU starts at
    /// the reset vector. An ELF's segments go to their physical addresses (anywhere in ROM or
    /// RAM) and the CPU starts at the entry point, in Thumb state if bit 0 is set. Either way
    /// the CPU is in SVC mode with IRQ and FIQ masked and the MMU off.
    pub fn load(&mut self, image: &Image) -> Result<(), LoadError> {
        let regions: Vec<(u32, u32, &str)> = match image.kind {
            ImageKind::Raw => vec![(ROM_BASE, ROM_SIZE, "boot ROM")],
            ImageKind::Elf => self
                .bus
                .regions()
                .iter()
                .map(|r| (r.base, r.size, r.name))
                .collect(),
        };
        image.check_fits(&regions)?;
        for segment in &image.segments {
            // check_fits proved every segment lies in one region, so these loads succeed.
            let zeros = vec![0; segment.mem_size as usize - segment.data.len()];
            self.bus.load(segment.addr, &segment.data);
            self.bus
                .load(segment.addr + segment.data.len() as u32, &zeros);
        }
        self.cpu.reset();
        if let Some(entry) = image.entry {
            let thumb = if entry & 1 != 0 { psr::T } else { 0 };
            self.cpu
                .set_cpsr(Mode::Supervisor as u32 | psr::I | psr::F | thumb);
            self.cpu.set_pc(entry & !1);
        }
        Ok(())
    }

    /// Turns semihosting on with the given handler.
    pub fn enable_semihosting(&mut self, handler: Semihosting) {
        self.cpu.semihosting = true;
        self.semihosting = Some(handler);
    }

    /// The heap and stack semihosting's SYS_HEAPINFO reports: the stack at the top of SDRAM
    /// (1 MiB), the heap from the end of the image's highest SDRAM segment (or the middle of
    /// SDRAM for a ROM image, whose data the emulator cannot see) up to the stack.
    pub fn heap_info(image: &Image) -> semihosting::HeapInfo {
        let stack_base = SDRAM_BASE + SDRAM_SIZE;
        let stack_limit = stack_base - 0x10_0000;
        let image_end = image
            .segments
            .iter()
            .filter(|s| (SDRAM_BASE..stack_limit).contains(&s.addr))
            .map(|s| s.addr + s.mem_size)
            .max();
        let heap_base = match image.kind {
            ImageKind::Elf => image_end.unwrap_or(SDRAM_BASE),
            ImageKind::Raw => SDRAM_BASE + SDRAM_SIZE / 2,
        };
        semihosting::HeapInfo {
            heap_base: (heap_base + 7) & !7,
            heap_limit: stack_limit,
            stack_base,
            stack_limit,
        }
    }

    /// Runs until the guest exits, the instruction limit is reached, or the CPU halts for good.
    pub fn run(&mut self, limit: Option<u64>) -> Exit {
        loop {
            let done = self.cpu.instructions();
            let budget = match limit {
                Some(limit) if done >= limit => return Exit::InstructionLimit,
                Some(limit) => (limit - done).min(SLICE),
                None => SLICE,
            };
            match self.cpu.run(&mut self.bus, budget) {
                Stop::Budget | Stop::DeviceAccess => {}
                // No device of this machine raises interrupts yet, so nothing can wake it.
                Stop::WaitForInterrupt => return Exit::Halted,
                Stop::Event(Event::Semihosting) => {
                    if let Some(status) = self.semihosting_call() {
                        return Exit::Guest(status);
                    }
                }
            }
        }
    }

    /// Performs the semihosting call the CPU stopped for: operation in r0, parameter in r1,
    /// result to r0. Returns the exit status if the guest asked to exit.
    fn semihosting_call(&mut self) -> Option<i32> {
        let handler = self.semihosting.as_mut()?;
        let (op, param) = (self.cpu.reg(0), self.cpu.reg(1));
        let clock = Clock {
            cycles: self.cpu.instructions(),
            hz: CPU_HZ,
        };
        let mut memory = VirtualMemory {
            cpu: &self.cpu,
            bus: &mut self.bus,
        };
        match handler.call(op, param, &mut memory, clock) {
            Outcome::Return(value) => {
                self.cpu.set_reg(0, value);
                None
            }
            Outcome::Exit(status) => Some(status),
        }
    }
}

/// Guest memory through the CPU's current translation, for semihosting.
struct VirtualMemory<'a> {
    cpu: &'a Cpu,
    bus: &'a mut SystemBus,
}

impl GuestMemory for VirtualMemory<'_> {
    fn read_bytes(&mut self, addr: u32, buf: &mut [u8]) -> Result<(), MemoryError> {
        self.cpu
            .debug_read(self.bus, addr, buf)
            .map_err(|_| MemoryError)
    }

    fn write_bytes(&mut self, addr: u32, data: &[u8]) -> Result<(), MemoryError> {
        self.cpu
            .debug_write(self.bus, addr, data)
            .map_err(|_| MemoryError)
    }
}
