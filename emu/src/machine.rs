//! The machine: the CPU and the board its description lays out, image loading (ROMs, ELF
//! programs, Linux), semihosting, the UART console, and the run loop that interleaves
//! instructions with device events.

use std::collections::VecDeque;
use std::io::Write;
use std::sync::mpsc::{Receiver, TryRecvError};

use crate::board::{Board, Unclaimed};
use crate::config::MachineConfig;
use crate::cpu::{psr, Cpu, Event, Exception, Mode, Stop, WatchHit, LAST_CYCLE};
use crate::fdt::Fdt;
use crate::loader::{Image, ImageKind, LoadError};
use crate::semihosting::{self, Clock, GuestMemory, MemoryError, Outcome, Semihosting};

/// Instructions run between looks at the outside world when no event comes sooner.
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

/// Why a run under a debugger stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DebugStop {
    /// The run ended as a plain run would (an instruction limit is the debugger's step).
    Exit(Exit),
    /// A breakpoint at this address, before its instruction.
    Breakpoint(u32),
    /// The last instruction touched a watched address.
    Watchpoint(WatchHit),
    /// The CPU entered an exception listed in `cpu.break_on`; it is at the vector.
    Exception(Exception),
    /// With `break_on_unclaimed`: an access to a physical address nothing answers (the CPU
    /// has taken its abort).
    Unclaimed(Unclaimed),
}

/// The UART wired to the host: bytes from the host go to the receiver, what the guest
/// transmits goes to `output`.
pub struct Console {
    pub input: Option<Receiver<Vec<u8>>>,
    pub output: Box<dyn Write>,
}

pub struct Machine {
    pub cpu: Cpu,
    pub board: Board,
    pub config: MachineConfig,
    rtc_start: u32,
    semihosting: Option<Semihosting>,
    console: Option<Console>,
    /// Host input not yet handed to the UART.
    pending_input: VecDeque<u8>,
    /// Whether `run_debug` stops after an access to an unclaimed physical address.
    pub break_on_unclaimed: bool,
}

impl Machine {
    /// A machine as `config` describes it, with empty memory and the CPU at its reset vector.
    /// `rtc_start` is the real-time clock's count of seconds at power-on.
    pub fn new(config: MachineConfig, rtc_start: u32) -> Machine {
        Machine {
            cpu: Cpu::new(),
            board: Board::new(&config, rtc_start),
            config,
            rtc_start,
            semihosting: None,
            console: None,
            pending_input: VecDeque::new(),
            break_on_unclaimed: false,
        }
    }

    /// The real-time clock's count of seconds at power-on.
    pub fn rtc_start(&self) -> u32 {
        self.rtc_start
    }

    /// The built-in TI-Nspire CX with its RTC at `rtc_start`.
    pub fn nspire_cx(rtc_start: u32) -> Machine {
        Machine::new(MachineConfig::nspire_cx(), rtc_start)
    }

    /// Loads an image. A raw binary is the boot ROM: it must fit in the read-only region at
    /// address 0, and the CPU starts at the reset vector. An ELF's segments go to their physical
    /// addresses (anywhere in ROM or RAM) and the CPU starts at the entry point, in Thumb state
    /// if bit 0 is set. Either way the CPU is in SVC mode with IRQ and FIQ masked, MMU off.
    pub fn load(&mut self, image: &Image) -> Result<(), LoadError> {
        let regions: Vec<(u32, u32, &str)> = self
            .board
            .regions()
            .iter()
            .filter(|r| image.kind == ImageKind::Elf || (r.base == 0 && !r.writable))
            .map(|r| (r.base, r.size, r.name.as_str()))
            .collect();
        image.check_fits(&regions)?;
        for segment in &image.segments {
            // check_fits proved every segment lies in one region, so these loads succeed.
            let zeros = vec![0; segment.mem_size as usize - segment.data.len()];
            self.board.load(segment.addr, &segment.data);
            self.board
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

    /// The main RAM: the largest writable region (SDRAM on the CX).
    fn main_ram(&self) -> (u32, u32) {
        self.board
            .regions()
            .iter()
            .filter(|r| r.writable)
            .max_by_key(|r| r.size)
            .map_or((0, 0), |r| (r.base, r.size))
    }

    /// Prepares a Linux boot as the ARM boot protocol asks (Documentation/arm/booting.rst):
    /// the zImage at RAM + 0x8000, the device tree 1 MiB below the top of RAM with its
    /// `/chosen` node updated (`bootargs` from `append`, the initrd range), an initrd just
    /// below the tree; r0 = 0, r1 = ~0 (no machine number: the tree describes the machine),
    /// r2 = the tree's address; SVC mode, IRQ and FIQ masked, MMU and caches off.
    pub fn boot_linux(
        &mut self,
        kernel: &[u8],
        dtb: &[u8],
        initrd: Option<&[u8]>,
        append: Option<&str>,
    ) -> Result<(), String> {
        let (ram, ram_size) = self.main_ram();
        let kernel_at = ram + 0x8000;
        let mut fdt = Fdt::parse(dtb).map_err(|e| format!("device tree: {e}"))?;
        if let Some(args) = append {
            let mut value = args.as_bytes().to_vec();
            value.push(0);
            fdt.set_chosen("bootargs", value);
        }
        let dtb_at = ram + ram_size - 0x10_0000;
        // The decompressor needs room for the kernel it unpacks (about four times the zImage)
        // above the load address; the initrd must stay clear of it.
        let kernel_reach = kernel_at as u64 + 4 * kernel.len() as u64 + 0x10_0000;
        if kernel_reach > dtb_at as u64 {
            return Err(format!(
                "kernel: {} bytes is too large for {} MiB of RAM",
                kernel.len(),
                ram_size >> 20
            ));
        }
        if let Some(initrd) = initrd {
            let start = (dtb_at as u64)
                .checked_sub(initrd.len() as u64)
                .map(|s| s & !0xFFF)
                .filter(|&s| s >= kernel_reach)
                .ok_or_else(|| {
                    format!(
                        "initrd: {} bytes does not fit in RAM beside the kernel",
                        initrd.len()
                    )
                })? as u32;
            self.board.load(start, initrd);
            fdt.set_chosen("linux,initrd-start", start.to_be_bytes().to_vec());
            let end = start + initrd.len() as u32;
            fdt.set_chosen("linux,initrd-end", end.to_be_bytes().to_vec());
        }
        let blob = fdt.to_bytes();
        if blob.len() > 0x10_0000 || !self.board.load(dtb_at, &blob) {
            return Err("device tree: larger than 1 MiB".to_string());
        }
        self.board.load(kernel_at, kernel);
        self.cpu.reset();
        self.cpu.set_cpsr(Mode::Supervisor as u32 | psr::I | psr::F);
        self.cpu.set_reg(0, 0);
        self.cpu.set_reg(1, 0xFFFF_FFFF);
        self.cpu.set_reg(2, dtb_at);
        self.cpu.set_pc(kernel_at);
        Ok(())
    }

    /// Turns semihosting on with the given handler.
    pub fn enable_semihosting(&mut self, handler: Semihosting) {
        self.cpu.semihosting = true;
        self.semihosting = Some(handler);
    }

    /// Connects the UART to the host.
    pub fn attach_console(&mut self, console: Console) {
        self.console = Some(console);
    }

    /// The heap and stack semihosting's SYS_HEAPINFO reports: the stack at the top of main
    /// RAM (1 MiB), the heap from the end of the image's highest segment in RAM (or the middle
    /// of RAM for a ROM image, whose data the emulator cannot see) up to the stack.
    pub fn heap_info(&self, image: &Image) -> semihosting::HeapInfo {
        let (ram, ram_size) = self.main_ram();
        let stack_base = ram + ram_size;
        let stack_limit = stack_base - 0x10_0000;
        let image_end = image
            .segments
            .iter()
            .filter(|s| (ram..stack_limit).contains(&s.addr))
            .map(|s| s.addr + s.mem_size)
            .max();
        let heap_base = match image.kind {
            ImageKind::Elf => image_end.unwrap_or(ram),
            ImageKind::Raw => ram + ram_size / 2,
        };
        semihosting::HeapInfo {
            heap_base: (heap_base + 7) & !7,
            heap_limit: stack_limit,
            stack_base,
            stack_limit,
        }
    }

    /// Runs until the guest exits, the instruction limit is reached, or the CPU halts for good.
    /// Breakpoints and watchpoints (which only a debugger sets) do not stop it.
    pub fn run(&mut self, limit: Option<u64>) -> Exit {
        loop {
            if let Some(DebugStop::Exit(exit)) = self.run_slice(limit, None) {
                return exit;
            }
        }
    }

    /// Runs until the guest exits, the instruction limit is reached (a debugger's step), the
    /// CPU halts, or a breakpoint or watchpoint stops it.
    pub fn run_debug(&mut self, limit: Option<u64>) -> DebugStop {
        loop {
            if let Some(stop) = self.run_slice(limit, None) {
                return stop;
            }
        }
    }

    /// Runs for `cycles` of virtual time (a window's frame, say). Returns why it stopped first,
    /// if it did: the guest exited or halted, or a breakpoint, watchpoint or break-on condition
    /// a debugger set.
    pub fn run_cycles(&mut self, cycles: u64) -> Option<DebugStop> {
        let until = self.cpu.cycles().saturating_add(cycles);
        while self.cpu.cycles() < until {
            if let Some(stop) = self.run_slice(None, Some(until)) {
                return Some(stop);
            }
        }
        None
    }

    /// One turn of the run loop: fire due events, update the interrupt lines, then run the CPU
    /// up to the next event (or `until`, a cycle, or the instruction `limit`).
    fn run_slice(&mut self, limit: Option<u64>, until: Option<u64>) -> Option<DebugStop> {
        let now = self.cpu.cycles();
        self.board.fire_due_events(now);
        self.service_console(now);
        let (irq, fiq) = self.board.interrupt_outputs();
        self.cpu.set_irq_line(irq);
        self.cpu.set_fiq_line(fiq);
        self.service_requests();

        let done = self.cpu.instructions();
        let mut budget = SLICE;
        if let Some(limit) = limit {
            if done >= limit {
                return Some(DebugStop::Exit(Exit::InstructionLimit));
            }
            budget = budget.min(limit - done);
        }
        let deadline = match (self.board.scheduler.next_deadline(), until) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        if let Some(deadline) = deadline {
            budget = budget.min(deadline.saturating_sub(now).max(1));
        }
        let stop = self.cpu.run(&mut self.board, budget);
        if let Some(unclaimed) = self.board.take_unclaimed() {
            if self.break_on_unclaimed {
                return Some(DebugStop::Unclaimed(unclaimed));
            }
        }
        match stop {
            Stop::Budget | Stop::DeviceAccess => {}
            Stop::WaitForInterrupt => match deadline.filter(|&d| d <= LAST_CYCLE) {
                Some(deadline) => self.cpu.idle_until(deadline),
                // Nothing scheduled (before the clock's end): only the host can wake the guest,
                // through the UART.
                None => {
                    if !self.wait_for_console_input() {
                        return Some(DebugStop::Exit(Exit::Halted));
                    }
                }
            },
            Stop::Event(Event::Semihosting) => {
                if let Some(status) = self.semihosting_call() {
                    return Some(DebugStop::Exit(Exit::Guest(status)));
                }
            }
            Stop::Event(Event::Exception(exception)) => {
                return Some(DebugStop::Exception(exception))
            }
            Stop::Breakpoint(addr) => return Some(DebugStop::Breakpoint(addr)),
            Stop::Watchpoint(hit) => return Some(DebugStop::Watchpoint(hit)),
        }
        None
    }

    /// Moves what the guest transmitted to the host, and host input to the UART.
    fn service_console(&mut self, now: u64) {
        let Some(console) = self.console.as_mut() else {
            return;
        };
        let output = self.board.take_uart_output();
        if !output.is_empty() {
            // A closed output (a pipe whose reader left) must not stop the guest.
            let _ = console.output.write_all(&output);
            let _ = console.output.flush();
        }
        if let Some(input) = &console.input {
            loop {
                match input.try_recv() {
                    Ok(bytes) => self.pending_input.extend(bytes),
                    Err(TryRecvError::Empty) => break,
                    Err(TryRecvError::Disconnected) => {
                        console.input = None;
                        break;
                    }
                }
            }
        }
        if !self.pending_input.is_empty() {
            let bytes: Vec<u8> = self.pending_input.drain(..).collect();
            self.board.push_uart_input(&bytes, now);
        }
    }

    /// Blocks until the host sends console input; false if it never will.
    fn wait_for_console_input(&mut self) -> bool {
        let Some(input) = self.console.as_ref().and_then(|c| c.input.as_ref()) else {
            return false;
        };
        match input.recv() {
            Ok(bytes) => {
                self.pending_input.extend(bytes);
                true
            }
            Err(_) => false,
        }
    }

    /// Acts on what devices asked of the machine: a reset (watchdog, misc register) restarts
    /// the CPU and the devices; RAM keeps its contents, as it does on the hardware.
    fn service_requests(&mut self) {
        let requests = std::mem::take(&mut self.board.requests);
        if requests.reset {
            log::info!("machine reset requested by a device");
            let keep = std::mem::replace(&mut self.board, Board::new(&self.config, self.rtc_start));
            self.board.take_memory_from(keep);
            self.cpu.reset();
        }
    }

    /// Performs the semihosting call the CPU stopped for: operation in r0, parameter in r1,
    /// result to r0. Returns the exit status if the guest asked to exit.
    fn semihosting_call(&mut self) -> Option<i32> {
        let handler = self.semihosting.as_mut()?;
        let (op, param) = (self.cpu.reg(0), self.cpu.reg(1));
        let clock = Clock {
            cycles: self.cpu.cycles(),
            hz: self.config.cpu_hz,
        };
        let mut memory = VirtualMemory {
            cpu: &self.cpu,
            board: &mut self.board,
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
    board: &'a mut Board,
}

impl GuestMemory for VirtualMemory<'_> {
    fn read_bytes(&mut self, addr: u32, buf: &mut [u8]) -> Result<(), MemoryError> {
        self.cpu
            .debug_read(self.board, addr, buf)
            .map_err(|_| MemoryError)
    }

    fn write_bytes(&mut self, addr: u32, data: &[u8]) -> Result<(), MemoryError> {
        self.cpu
            .debug_write(self.board, addr, data)
            .map_err(|_| MemoryError)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bus::{Bus, Origin, Size};

    const RTC: u32 = 0x9009_0000;
    const RTC_LINE: usize = 4;
    const MISC_RESET: u32 = 0x900A_0008;
    const VIC_INTENABLE: u32 = 0xDC00_0010;

    fn write(machine: &mut Machine, addr: u32, value: u32) {
        let origin = Origin {
            now: machine.cpu.cycles(),
            pc: 0,
        };
        machine
            .board
            .write(addr, Size::Word, value, origin)
            .unwrap();
    }

    /// A CX whose boot ROM waits for interrupt (MCR p15, 0, r0, c7, c0, 4), for ever.
    fn idle_machine() -> Machine {
        let mut machine = Machine::nspire_cx(1000);
        let idle = [0xEE07_0F90u32, 0xEAFF_FFFD];
        let rom: Vec<u8> = idle.iter().flat_map(|w| w.to_le_bytes()).collect();
        assert!(machine.board.load(0, &rom));
        machine
    }

    /// An alarm set before a reset still rings after it: the RTC keeps its state through a
    /// system reset, and the new board's scheduler learns of its match.
    #[test]
    fn an_rtc_alarm_rings_after_a_machine_reset() {
        let mut machine = idle_machine();
        write(&mut machine, RTC + 0x04, 1002); // RTCMR: two seconds from now
        write(&mut machine, RTC + 0x10, 1); // RTCIMSC: the match interrupts
        write(&mut machine, VIC_INTENABLE, 1 << RTC_LINE);
        write(&mut machine, MISC_RESET, 2);
        let second = machine.config.cpu_hz;
        machine.run_cycles(second / 2);
        let vic_enable = machine.board.peek(VIC_INTENABLE, Size::Word);
        assert_eq!(vic_enable, Some(0), "the reset cleared the VIC");
        assert!(!machine.board.lines[RTC_LINE], "no match yet");
        machine.run_cycles(2 * second);
        assert!(machine.board.lines[RTC_LINE], "the alarm rang");
    }

    /// A guest waiting for an event past the clock's end halts instead of idling to it, so the
    /// cycle count never nears overflow; a run of any length stops there too.
    #[test]
    fn waiting_for_an_event_past_the_last_cycle_halts() {
        let mut machine = idle_machine();
        machine.board.scheduler.schedule(0, 0, LAST_CYCLE + 1);
        assert_eq!(machine.run(None), Exit::Halted);
        assert!(machine.cpu.cycles() < 10, "{}", machine.cpu.cycles());
        let stop = machine.run_cycles(u64::MAX);
        assert_eq!(stop, Some(DebugStop::Exit(Exit::Halted)));
    }
}
