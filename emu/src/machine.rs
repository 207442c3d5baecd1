//! The machine: the CPU and the board its description lays out, image loading (ROMs, ELF
//! programs, Linux), semihosting, the UART console, and the run loop that interleaves
//! instructions with device events.

use std::collections::VecDeque;
use std::io::Write;
use std::sync::mpsc::{Receiver, RecvTimeoutError, TryRecvError};

use crate::board::{Board, HostInputs, Unclaimed, Wakers};
use crate::config::MachineConfig;
use crate::cpu::{psr, Cpu, Event, Exception, Mode, Stop, WatchHit, LAST_CYCLE};
use crate::engine::{Divergence, Engine, EngineKind};
use crate::fdt::Fdt;
use crate::loader::{Image, ImageKind, LoadError};
use crate::ndless::{self, program::Program, Answer, Ndless};
use crate::profile::{self, Profiler};
use crate::reverse::journal::{CallEffect, CallResult, Input, Journal, Noting, Position};
use crate::semihosting::{self, Clock, GuestMemory, MemoryError, Outcome, Semihosting};

/// Instructions run between looks at the outside world when no event comes sooner.
const SLICE: u64 = 1 << 22;

/// The fewest instructions a slice must have run for the machine to look whether the guest
/// is stuck for good at its end.
const STUCK_SLICE: u64 = 256;

/// Why a run ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// The guest exited through semihosting with this status.
    Guest(i32),
    /// The instruction limit was reached.
    InstructionLimit,
    /// The guest stopped for good: it can never run another instruction of use.
    Halted(Halt),
    /// The guest reset the machine (Linux `reboot`, the watchdog) and the run does not start
    /// again ([`Machine::reboot`] is off: `--no-reboot`).
    Reset,
    /// A semihosting call while semihosting is off, where the guest has no handler for it
    /// either (its vector is in an empty ROM): its operation, and the call's address.
    NoSemihosting { op: u32, pc: u32 },
    /// An Ndless program's OS call the emulator cannot answer: one it does not provide, or one
    /// given an address the program does not have (`bad_pointer`).
    OsCall {
        number: u32,
        pc: u32,
        bad_pointer: bool,
    },
    /// `--engine check`: the engines differed.
    Diverged(Divergence),
}

/// How a guest stopped for good.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Halt {
    /// The CPU waits for an interrupt (CP15 c7, c0, 4) that no source can raise: no line
    /// enabled at the interrupt controller belongs to a device with something scheduled, or to
    /// an input the host may still give (the UART's stdin, keys).
    Wait { pc: u32 },
    /// The CPU branches to itself and can take no interrupt (Linux's `halt` and `poweroff`
    /// without a power-off driver end there: "reboot: System halted").
    Loop { pc: u32 },
    /// The CPU runs in a read-only region nothing was loaded into (an empty boot ROM): an
    /// exception with no handler, or a jump to nowhere. `cpsr` tells which mode it is in (so
    /// which exception it took last), `lr` that mode's link register.
    Nowhere { pc: u32, cpsr: u32, lr: u32 },
    /// An Ndless program took an exception no handler of its own catches (TI-OS would show
    /// its crash screen): at this address.
    Crash { exception: Exception, pc: u32 },
}

impl Exit {
    /// One line saying why the run ended, for a person.
    pub fn reason(&self) -> String {
        match *self {
            Exit::Guest(status) => format!("the guest exited with status {status}"),
            Exit::InstructionLimit => "the instruction limit was reached".to_string(),
            Exit::Halted(halt) => halt.reason(),
            Exit::Reset => "the guest reset the machine (--no-reboot)".to_string(),
            Exit::OsCall {
                number,
                pc,
                bad_pointer: false,
            } => format!(
                "the program called {} at pc {pc:#010x}, which emu does not provide",
                ndless::call_name(number)
            ),
            Exit::OsCall {
                number,
                pc,
                bad_pointer: true,
            } => format!(
                "the program called {} at pc {pc:#010x} with an address it does not have",
                ndless::call_name(number)
            ),
            Exit::NoSemihosting { op, pc } => format!(
                "the guest made a semihosting call ({}) at pc {pc:#010x}, but semihosting is off \
                 and the guest has no handler for it: run with --semihosting",
                semihosting::operation_name(op)
            ),
            Exit::Diverged(divergence) => divergence.reason(),
        }
    }
}

impl Halt {
    /// One line saying how the guest stopped for good.
    pub fn reason(&self) -> String {
        match *self {
            Halt::Wait { pc } => format!(
                "the guest stopped for good: the CPU waits for an interrupt at pc {pc:#010x} \
                 and no enabled source can raise one"
            ),
            Halt::Loop { pc } => format!(
                "the guest stopped for good: the CPU branches to itself at pc {pc:#010x} with \
                 interrupts masked"
            ),
            Halt::Crash { exception, pc } => format!(
                "the program crashed: {} at pc {pc:#010x}, with no handler of its own",
                match exception {
                    Exception::Undefined => "an undefined instruction",
                    Exception::PrefetchAbort => "a prefetch abort",
                    Exception::DataAbort => "a data abort",
                    Exception::Fiq => "an FIQ",
                    _ => "a jump to the reserved vector",
                }
            ),
            Halt::Nowhere { pc, cpsr, lr } => {
                let mode = Mode::from_bits(cpsr).map_or("an unknown", Mode::name);
                format!(
                    "the guest stopped for good: the CPU runs at pc {pc:#010x} in {mode} mode \
                     (lr {lr:#010x}), in memory nothing was loaded into: an exception with no \
                     handler, or a jump to nowhere"
                )
            }
        }
    }
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
    /// What was booted, to boot again when the guest resets the machine; `None` for a machine
    /// whose boot the emulator does not know (a saved state's): a reset then restarts the CPU
    /// at its reset vector, as the hardware does.
    boot: Option<Boot>,
    /// Whether a reset the guest asks for (Linux `reboot`, the watchdog) boots again, as QEMU
    /// does; if not, the run ends with [`Exit::Reset`] (`--no-reboot`).
    pub reboot: bool,
    /// Whether the host may still press keys (a window, a key script with events to come): a
    /// keypad or ON key interrupt can then wake a waiting CPU.
    pub host_keys: bool,
    /// Whether the person was told that the guest makes semihosting calls with semihosting
    /// off (once a run).
    told_semihosting_off: bool,
    /// The OS an Ndless program calls, when one runs.
    ndless: Option<Ndless>,
    /// What runs the CPU's instructions (`--engine`).
    engine: Engine,
    /// The host's inputs, journaled while reverse execution keeps a history.
    pub(crate) journal: Option<Journal>,
    /// Where the devices' due events last fired: a host input given there comes after them.
    fired_at: Position,
    /// A profile being taken: the machine then runs one instruction a slice and shows it each.
    pub profiler: Option<Box<Profiler>>,
    /// The image's names, for the monitor (the host's knowledge, not the machine's state).
    pub symbols: crate::symbols::Symbols,
}

/// What a machine booted, as a bootloader would boot it again after a reset.
enum Boot {
    /// A ROM or ELF image: its segments are copied again and the CPU starts at its entry.
    Image(Image),
    /// An Ndless program, with its arguments.
    Ndless(Program, Vec<String>),
    /// Linux, as [`Machine::boot_linux`] was given it.
    Linux {
        kernel: Vec<u8>,
        dtb: Vec<u8>,
        initrd: Option<Vec<u8>>,
        append: Option<String>,
    },
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
            boot: None,
            reboot: true,
            host_keys: false,
            told_semihosting_off: false,
            ndless: None,
            engine: Engine::Interp,
            journal: None,
            fired_at: (u64::MAX, u64::MAX),
            profiler: None,
            symbols: crate::symbols::Symbols::default(),
        }
    }

    /// Chooses the engine that runs the CPU (the interpreter unless told).
    pub fn set_engine(&mut self, kind: EngineKind) {
        self.engine = Engine::new(kind, &self.config, self.rtc_start);
    }

    pub fn engine(&self) -> EngineKind {
        self.engine.kind()
    }

    /// How the engine's translation blocks ran (none under the interpreter).
    pub fn block_stats(&self) -> Option<crate::engine::blocks::Stats> {
        self.engine.block_stats()
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
        if regions.is_empty() && image.kind == ImageKind::Raw {
            return Err(LoadError::NoBootRom);
        }
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
        self.boot = Some(Boot::Image(image.clone()));
        Ok(())
    }

    /// Forgets what was booted: a reset then restarts the CPU at its reset vector with memory
    /// as it is (a saved state's machine, whose boot is not the one first loaded).
    pub fn forget_boot(&mut self) {
        self.boot = None;
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
        let mut fdt = Fdt::parse(dtb).map_err(|e| format!("device tree: {e}"))?;
        if let Some(args) = append {
            let mut value = args.as_bytes().to_vec();
            value.push(0);
            fdt.set_chosen("bootargs", value);
        }
        // Reckoned in 64 bits: the RAM may end at the top of the address space, or be smaller
        // than the places below need.
        let kernel_at = u64::from(ram) + 0x8000;
        let dtb_at = (u64::from(ram) + u64::from(ram_size)).saturating_sub(0x10_0000);
        // The decompressor needs room for the kernel it unpacks (about four times the zImage)
        // above the load address; the initrd must stay clear of it.
        let kernel_reach = kernel_at + 4 * kernel.len() as u64 + 0x10_0000;
        if ram_size == 0 {
            return Err("kernel: this machine has no RAM to load it in".to_string());
        }
        if kernel_reach > dtb_at {
            return Err(format!(
                "kernel: {} bytes is too large for {} KiB of RAM",
                kernel.len(),
                ram_size >> 10
            ));
        }
        // Both lie below the RAM's end, so within 32 bits.
        let (kernel_at, dtb_at) = (kernel_at as u32, dtb_at as u32);
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
        self.boot = Some(Boot::Linux {
            kernel: kernel.to_vec(),
            dtb: dtb.to_vec(),
            initrd: initrd.map(<[u8]>::to_vec),
            append: append.map(str::to_string),
        });
        Ok(())
    }

    /// Starts an Ndless program as TI-OS with Ndless would ([`ndless::boot`]), its OS calls
    /// answered by `service`; `argv[0]` is the program's path as the program sees it.
    pub fn boot_ndless(
        &mut self,
        program: &Program,
        argv: &[String],
        mut service: Ndless,
    ) -> Result<(), String> {
        ndless::boot::start(self, &mut service, program, argv)?;
        self.ndless = Some(service);
        self.boot = Some(Boot::Ndless(program.clone(), argv.to_vec()));
        Ok(())
    }

    /// Whether the machine runs an Ndless program whose OS calls the emulator answers.
    pub fn runs_ndless(&self) -> bool {
        self.ndless.is_some()
    }

    /// The OS service of the Ndless program the machine runs, if it runs one.
    pub fn ndless_mut(&mut self) -> Option<&mut Ndless> {
        self.ndless.as_mut()
    }

    /// Turns semihosting on with the given handler.
    pub fn enable_semihosting(&mut self, handler: Semihosting) {
        self.cpu.semihosting = true;
        self.semihosting = Some(handler);
    }

    /// Makes the CPU stop at semihosting calls although there is no handler, so that a guest
    /// that makes one ends the run with [`Exit::NoSemihosting`] (a ROM run without
    /// `--semihosting`) instead of entering an SVC handler it may not have.
    pub fn trap_semihosting(&mut self) {
        self.cpu.semihosting = true;
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
        let ram_end = u64::from(ram) + u64::from(ram_size);
        // The stack's MiB, or the whole of a smaller RAM.
        let stack_limit = ram_end.saturating_sub(0x10_0000).max(u64::from(ram));
        let image_end = image
            .segments
            .iter()
            .filter(|s| (u64::from(ram)..stack_limit).contains(&u64::from(s.addr)))
            .map(|s| u64::from(s.addr) + u64::from(s.mem_size))
            .max();
        let heap_base = match image.kind {
            ImageKind::Elf => image_end.unwrap_or(u64::from(ram)),
            ImageKind::Raw => u64::from(ram) + u64::from(ram_size / 2),
        };
        // Every value but the stack's base lies below the RAM's end. A RAM ending at the top of
        // the address space has its stack base at 0: a descending stack's first push goes to
        // 0xFFFFFFFC (addresses are reduced modulo 2^32, ARM ARM A2.8).
        semihosting::HeapInfo {
            heap_base: ((heap_base + 7) & !7).min(stack_limit) as u32,
            heap_limit: stack_limit as u32,
            stack_base: ram_end as u32,
            stack_limit: stack_limit as u32,
        }
    }

    /// Presses or releases the key at (`row`, `col`) of the keypad's matrix.
    pub fn set_key(&mut self, row: usize, col: usize, pressed: bool) {
        self.give(Input::Key { row, col, pressed });
    }

    /// Presses or releases the ON key.
    pub fn set_on_key(&mut self, pressed: bool) {
        self.give(Input::On(pressed));
    }

    /// Puts the finger on the touchpad, moves, pushes or lifts it.
    pub fn set_touch(&mut self, touch: devices::touchpad::Touch) {
        self.give(Input::Touch(touch));
    }

    /// Gives the devices an input from the host where the machine stands, journaled for
    /// reverse execution.
    fn give(&mut self, input: Input) {
        let at = (self.cpu.instructions(), self.cpu.cycles());
        if let Some(journal) = self.journal.as_mut() {
            journal.record_input(at, self.fired_at != at, input.clone());
        }
        self.apply(input);
    }

    fn apply(&mut self, input: Input) {
        match input {
            Input::Uart(bytes) => self.board.push_uart_input(&bytes, self.cpu.cycles()),
            Input::Key { row, col, pressed } => self.board.set_key(row, col, pressed),
            Input::On(pressed) => self.board.set_on_key(pressed),
            Input::Touch(touch) => {
                if let Some(pad) = self.board.touchpad() {
                    pad.set(touch);
                }
            }
        }
        self.engine.machine_changed(&self.board);
    }

    /// Reverse execution's replay: gives the inputs the journal has for where the machine
    /// stands (with `before_events`, only those given before the devices' events there).
    fn replay_inputs(&mut self, before_events: bool) {
        let at = (self.cpu.instructions(), self.cpu.cycles());
        let waiting = self.cpu.is_waiting();
        while let Some(input) = self
            .journal
            .as_mut()
            .and_then(|j| j.replay_input(at, waiting, before_events))
        {
            self.apply(input);
        }
    }

    /// Runs until the guest exits, the instruction limit is reached, or the CPU halts for good.
    /// Breakpoints and watchpoints (which only a debugger sets) do not stop it.
    pub fn run(&mut self, limit: Option<u64>) -> Exit {
        self.engine.machine_changed(&self.board);
        loop {
            if let Some(DebugStop::Exit(exit)) = self.run_slice(limit, None) {
                return exit;
            }
        }
    }

    /// Runs until the guest exits, the instruction limit is reached (a debugger's step), the
    /// CPU halts, or a breakpoint or watchpoint stops it.
    pub fn run_debug(&mut self, limit: Option<u64>) -> DebugStop {
        self.engine.machine_changed(&self.board);
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
        self.run_debug_for(None, cycles)
    }

    /// As [`Machine::run_debug`], and for no more than `cycles` of virtual time: `None` when
    /// they ran out first. A guest waiting for an interrupt idles up to its next event, which
    /// may be seconds away; a front end that holds the machine's time to the host's gives it a
    /// frame at a time, so what the host does reaches the guest a frame later, not seconds.
    pub fn run_debug_for(&mut self, limit: Option<u64>, cycles: u64) -> Option<DebugStop> {
        let until = self.cpu.cycles().saturating_add(cycles);
        self.engine.machine_changed(&self.board);
        while self.cpu.cycles() < until {
            if let Some(stop) = self.run_slice(limit, Some(until)) {
                return Some(stop);
            }
        }
        None
    }

    /// One turn of the run loop: fire due events, update the interrupt lines, then run the CPU
    /// up to the next event (or `until`, a cycle, or the instruction `limit`).
    fn run_slice(&mut self, limit: Option<u64>, until: Option<u64>) -> Option<DebugStop> {
        let stop = self.run_one_slice(limit, until);
        if let Some(journal) = self.journal.as_mut() {
            journal.reached(self.cpu.cycles());
        }
        if let Some(DebugStop::Exit(_)) = stop {
            // The guest's last words (Linux's "reboot: System halted") reach the host.
            self.write_console_output();
        }
        stop
    }

    fn run_one_slice(&mut self, limit: Option<u64>, until: Option<u64>) -> Option<DebugStop> {
        let now = self.cpu.cycles();
        self.replay_inputs(true);
        self.board.fire_due_events(now);
        self.fired_at = (self.cpu.instructions(), now);
        self.replay_inputs(false);
        self.service_console(now);
        if let Some(exit) = self.service_requests() {
            return Some(DebugStop::Exit(exit));
        }
        let (irq, fiq) = self.board.interrupt_outputs();
        self.cpu.set_irq_line(irq);
        self.cpu.set_fiq_line(fiq);

        let done = self.cpu.instructions();
        let mut budget = SLICE;
        if let Some(limit) = limit {
            if done >= limit {
                return Some(DebugStop::Exit(Exit::InstructionLimit));
            }
            budget = budget.min(limit - done);
        }
        let mut deadline = match (self.board.scheduler.next_deadline(), until) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        if let Some((instructions, cycles)) = self.journal.as_ref().and_then(Journal::next_input) {
            // A replay stops where the next input was given, to give it there.
            if instructions > done {
                budget = budget.min(instructions - done);
            }
            deadline = Some(deadline.map_or(cycles, |d| d.min(cycles)));
        }
        if let Some(deadline) = deadline {
            budget = budget.min(deadline.saturating_sub(now).max(1));
        }
        let before = self
            .profiler
            .as_ref()
            .map(|_| profile::Before::take(&self.cpu));
        if before.is_some() {
            budget = 1;
        }
        let stop = match self.engine.run(
            &mut self.cpu,
            &mut self.board,
            budget,
            deadline.unwrap_or(u64::MAX),
        ) {
            Ok(stop) => stop,
            Err(divergence) => return Some(DebugStop::Exit(Exit::Diverged(divergence))),
        };
        if let (Some(profiler), Some(before)) = (self.profiler.as_mut(), before) {
            profiler.observe(&before, &self.cpu);
        }
        if let Some(unclaimed) = self.board.take_unclaimed() {
            if self.break_on_unclaimed {
                return Some(DebugStop::Unclaimed(unclaimed));
            }
        }
        match stop {
            // A guest stuck for good is found where its long slices end (an abort's bus error
            // ends one too): a stuck guest runs long slices, a busy one's device accesses make
            // short ones, and a debugger's single step of a branch to itself executes it.
            Stop::Budget | Stop::DeviceAccess if self.cpu.instructions() >= done + STUCK_SLICE => {
                if let Some(halt) = self.stuck() {
                    return Some(DebugStop::Exit(Exit::Halted(halt)));
                }
            }
            Stop::Budget | Stop::DeviceAccess => {}
            Stop::WaitForInterrupt => {
                let wakers = self.wakers();
                if !(wakers.irq || wakers.fiq || wakers.reset) {
                    let pc = self.cpu.pc();
                    return Some(DebugStop::Exit(Exit::Halted(Halt::Wait { pc })));
                }
                match deadline.filter(|&d| d <= LAST_CYCLE) {
                    Some(deadline) => self.cpu.idle_until(deadline),
                    // Nothing scheduled (before the clock's end): only the host can wake the
                    // guest, through the UART.
                    None => {
                        if !self.wait_for_console_input() {
                            let pc = self.cpu.pc();
                            return Some(DebugStop::Exit(Exit::Halted(Halt::Wait { pc })));
                        }
                    }
                }
            }
            Stop::Event(Event::Semihosting) => {
                let exit = self.semihosting_call();
                self.engine.machine_changed(&self.board);
                if let Some(exit) = exit {
                    return Some(DebugStop::Exit(exit));
                }
            }
            Stop::Event(Event::OsCall(number)) => {
                let exit = self.os_call(number);
                self.engine.machine_changed(&self.board);
                if let Some(exit) = exit {
                    return Some(DebugStop::Exit(exit));
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
        self.write_console_output();
        if self.journal.as_ref().is_some_and(|j| j.replaying(now)) {
            // Reverse execution's replay: the journal gives the input ([`Machine::replay_inputs`]).
            return;
        }
        let Some(console) = self.console.as_mut() else {
            return;
        };
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
            self.give(Input::Uart(bytes));
        }
    }

    /// Waits up to `timeout` for the host's console input (a front end's wait while the guest
    /// can only be woken by the host: [`Machine::waits_for_host`]).
    pub fn wait_for_input(&mut self, timeout: std::time::Duration) {
        let Some(console) = self.console.as_mut() else {
            return;
        };
        let Some(input) = &console.input else {
            return;
        };
        match input.recv_timeout(timeout) {
            Ok(bytes) => self.pending_input.extend(bytes),
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => console.input = None,
        }
    }

    /// Moves what the guest transmitted on the UART to the host.
    fn write_console_output(&mut self) {
        let Some(console) = self.console.as_mut() else {
            return;
        };
        let mut output = self.board.take_uart_output();
        if let Some(journal) = self.journal.as_mut() {
            // A replay sends again what the host was shown.
            let fresh = journal.output(output.len());
            output.drain(..output.len() - fresh);
        }
        if !output.is_empty() {
            // A closed output (a pipe whose reader left) must not stop the guest.
            let _ = console.output.write_all(&output);
            let _ = console.output.flush();
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
    /// the CPU and the devices, RAM keeping its contents as it does on the hardware, then boots
    /// again what was booted, as a bootloader would (the emulator is the CX's boot code).
    /// With [`Machine::reboot`] off the run ends instead, the machine as the reset found it.
    fn service_requests(&mut self) -> Option<Exit> {
        if !self.board.requests.reset {
            return None;
        }
        if !self.reboot {
            return Some(Exit::Reset);
        }
        self.board.requests.reset = false;
        log::info!("machine reset requested by a device");
        let keep = std::mem::replace(&mut self.board, Board::new(&self.config, self.rtc_start));
        self.board.take_memory_from(keep);
        self.cpu.reset();
        let booted = match self.boot.take() {
            Some(Boot::Image(image)) => self.load(&image).map_err(|e| e.to_string()),
            Some(Boot::Linux {
                kernel,
                dtb,
                initrd,
                append,
            }) => self.boot_linux(&kernel, &dtb, initrd.as_deref(), append.as_deref()),
            Some(Boot::Ndless(program, argv)) => match self.ndless.take() {
                Some(service) => self.boot_ndless(&program, &argv, service),
                None => Ok(()),
            },
            None => Ok(()),
        };
        // It was booted from the same bytes before, so it fits again.
        if let Err(e) = booted {
            log::warn!("booting again after the reset: {e}");
        }
        self.engine.machine_changed(&self.board);
        None
    }

    /// What could still wake the CPU from a wait for interrupt, given the host's inputs.
    pub fn wakers(&self) -> Wakers {
        // A replay's inputs to come are the host's too.
        let replayed = self.journal.as_ref().is_some_and(Journal::inputs_ahead);
        let uart = self.console.as_ref().is_some_and(|c| c.input.is_some());
        self.board.wakers(HostInputs {
            uart: uart || replayed,
            keys: self.host_keys || replayed,
        })
    }

    /// Whether the CPU waits for an interrupt that only the host's input can raise (nothing
    /// scheduled can): a front end may then wait for the host instead of letting time run.
    pub fn waits_for_host(&self) -> bool {
        self.cpu.is_waiting() && !self.wakers().scheduled
    }

    /// Whether the CPU, at a slice's end, is somewhere it can never leave: in memory nothing
    /// was loaded into, or on a branch to itself that no interrupt can take it from.
    fn stuck(&self) -> Option<Halt> {
        // A reset asked for and not yet done takes the CPU anywhere.
        if self.board.requests.reset {
            return None;
        }
        let pc = self.cpu.pc();
        let cpsr = self.cpu.cpsr();
        let physical = self.cpu.debug_translate(&self.board, pc)?;
        if self.board.is_blank(physical) {
            let lr = self.cpu.reg(14);
            return Some(Halt::Nowhere { pc, cpsr, lr });
        }
        let thumb = cpsr & psr::T != 0;
        let mut bytes = [0u8; 4];
        let len = if thumb { 2 } else { 4 };
        self.cpu
            .debug_read(&self.board, pc, &mut bytes[..len])
            .ok()?;
        let insn = u32::from_le_bytes(bytes);
        // B . (always): ARM 0xEAFFFFFE, Thumb 0xE7FE.
        let branches_to_itself = if thumb {
            insn == 0xE7FE
        } else {
            insn == 0xEAFF_FFFE
        };
        if !branches_to_itself {
            return None;
        }
        let wakers = self.wakers();
        let takes_irq = wakers.irq && cpsr & psr::I == 0;
        let takes_fiq = wakers.fiq && cpsr & psr::F == 0;
        (!takes_irq && !takes_fiq && !wakers.reset).then_some(Halt::Loop { pc })
    }

    /// Performs the semihosting call the CPU stopped for: operation in r0, parameter in r1,
    /// result to r0. Returns how the run ends if the guest asked to exit, or if semihosting is
    /// off (the CPU traps the calls anyway, so that the run ends with a hint rather than in an
    /// SVC handler the guest may not have).
    fn semihosting_call(&mut self) -> Option<Exit> {
        let (op, param) = (self.cpu.reg(0), self.cpu.reg(1));
        let Some(handler) = self.semihosting.as_mut() else {
            return self.refuse_semihosting(op);
        };
        let cycles = self.cpu.cycles();
        let clock = Clock {
            cycles,
            hz: self.config.cpu_hz,
        };
        let mut memory = VirtualMemory {
            cpu: &self.cpu,
            board: &mut self.board,
        };
        let replayed = self.journal.as_mut().and_then(|j| j.replay_call(cycles));
        let effect = match replayed {
            // Reverse execution's replay: what the call did when it was first made.
            Some(effect) => {
                for write in &effect.writes {
                    write.apply(&mut memory);
                }
                effect
            }
            None => {
                let mut noting = Noting {
                    memory: &mut memory,
                    writes: Vec::new(),
                };
                let result = match handler.call(op, param, &mut noting, clock) {
                    Outcome::Return(value) => CallResult::Return(value),
                    Outcome::Exit(status) => CallResult::Exit(status),
                };
                let effect = CallEffect {
                    writes: noting.writes,
                    result,
                };
                if let Some(journal) = self.journal.as_mut() {
                    journal.record_call(cycles, effect.clone());
                }
                effect
            }
        };
        match effect.result {
            CallResult::Return(value) => {
                self.cpu.set_reg(0, value);
                None
            }
            CallResult::Exit(status) => Some(Exit::Guest(status)),
            CallResult::Os(_) => None,
        }
    }
}

impl Machine {
    /// Answers the OS call the CPU stopped for (an Ndless program's `swi`); how the run ends, if
    /// it does.
    fn os_call(&mut self, number: u32) -> Option<Exit> {
        let thumb = self.cpu.cpsr() & psr::T != 0;
        let pc = self.cpu.pc().wrapping_sub(if thumb { 2 } else { 4 });
        let Some(service) = self.ndless.as_mut() else {
            return Some(Exit::OsCall {
                number,
                pc,
                bad_pointer: false,
            });
        };
        let call = ndless::Call {
            number,
            args: [0, 1, 2, 3].map(|n| self.cpu.reg(n)),
            sp: self.cpu.reg(13),
            lr: self.cpu.reg(14),
            cpsr: self.cpu.cpsr(),
            pc,
            regs: std::array::from_fn(|n| self.cpu.reg(n)),
        };
        let mut memory = VirtualMemory {
            cpu: &self.cpu,
            board: &mut self.board,
        };
        let cycles = self.cpu.cycles();
        let answer = match self.journal.as_mut().and_then(|j| j.replay_call(cycles)) {
            // Reverse execution's replay: what the call did when it was first made (the
            // service's own state, open files, programs run, stays as the present has it).
            Some(CallEffect {
                writes,
                result: CallResult::Os(answer),
            }) => {
                for write in &writes {
                    write.apply(&mut memory);
                }
                answer
            }
            _ => {
                let mut noting = Noting {
                    memory: &mut memory,
                    writes: Vec::new(),
                };
                let answer = service.call(&call, &mut noting);
                if let Some(journal) = self.journal.as_mut() {
                    let effect = CallEffect {
                        writes: noting.writes,
                        result: CallResult::Os(answer),
                    };
                    journal.record_call(cycles, effect);
                }
                answer
            }
        };
        match answer {
            Answer::Value(value) => self.cpu.set_reg(0, value),
            Answer::Pair(low, high) => {
                self.cpu.set_reg(0, low);
                self.cpu.set_reg(1, high);
            }
            Answer::ValueAndCpsr(value, cpsr) => {
                self.cpu.set_reg(0, value);
                self.cpu.set_cpsr(cpsr);
            }
            Answer::Switch { regs, cpsr } => {
                // The mode first, so that r13 and r14 land in its bank.
                self.cpu.set_cpsr(cpsr);
                for (n, &value) in regs.iter().enumerate().take(15) {
                    self.cpu.set_reg(n, value);
                }
                self.cpu.set_pc(regs[15]);
            }
            Answer::Exit(status) => return Some(Exit::Guest(status)),
            Answer::Crash(exception, pc) => {
                return Some(Exit::Halted(Halt::Crash { exception, pc }))
            }
            Answer::Unsupported => {
                return Some(Exit::OsCall {
                    number,
                    pc,
                    bad_pointer: false,
                })
            }
            Answer::BadPointer => {
                return Some(Exit::OsCall {
                    number,
                    pc,
                    bad_pointer: true,
                })
            }
        }
        None
    }

    /// A semihosting call with semihosting off: the guest's own handler gets it, as on a core
    /// without semihosting (the kit's returns -1), and the person is told once what to add. A
    /// guest with no handler (its vector in an empty ROM) ends the run there instead.
    fn refuse_semihosting(&mut self, op: u32) -> Option<Exit> {
        let thumb = self.cpu.cpsr() & psr::T != 0;
        let pc = self.cpu.pc().wrapping_sub(if thumb { 2 } else { 4 });
        self.cpu.refuse_semihosting(&self.board);
        let vector = self.cpu.pc();
        let handled = self
            .cpu
            .debug_translate(&self.board, vector)
            .is_some_and(|physical| !self.board.is_blank(physical));
        if !handled {
            return Some(Exit::NoSemihosting { op, pc });
        }
        if !self.told_semihosting_off {
            self.told_semihosting_off = true;
            eprintln!(
                "emu: the guest made a semihosting call ({}) at pc {pc:#010x}, but semihosting \
                 is off: its own handler gets it (run with --semihosting to answer it)",
                semihosting::operation_name(op)
            );
        }
        None
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

    fn board(&mut self) -> Option<&mut Board> {
        Some(self.board)
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
    const SRAM: u32 = 0xA400_0000;
    const TIMER: u32 = 0x900D_0000;
    const TIMER_LINE: usize = 19;
    const GPIO_LINE: usize = 7;

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

    /// A CX whose boot ROM holds `code`.
    fn machine_with_rom(code: &[u32]) -> Machine {
        let mut machine = Machine::nspire_cx(1000);
        let rom: Vec<u8> = code.iter().flat_map(|w| w.to_le_bytes()).collect();
        assert!(machine.board.load(0, &rom));
        machine
    }

    /// A CX whose boot ROM waits for interrupt (MCR p15, 0, r0, c7, c0, 4), for ever.
    fn idle_machine() -> Machine {
        machine_with_rom(&[0xEE07_0F90, 0xEAFF_FFFD])
    }

    /// A CX whose boot ROM spins in a two-instruction loop (MOV r0, r0; B back), for ever.
    fn busy_machine() -> Machine {
        machine_with_rom(&[0xE1A0_0000, 0xEAFF_FFFD])
    }

    /// An ELF-like image at the start of SDRAM that counts its boots in SRAM (which keeps its
    /// contents through a reset), then writes the misc block's reset register.
    fn rebooting_machine() -> Machine {
        let code: [u32; 10] = [
            0xE59F_0018, // ldr r0, [pc, #0x18]: the counter's address
            0xE590_1000, // ldr r1, [r0]
            0xE281_1001, // add r1, r1, #1
            0xE580_1000, // str r1, [r0]
            0xE59F_200C, // ldr r2, [pc, #0xc]: the reset register
            0xE3A0_3002, // mov r3, #2
            0xE582_3000, // str r3, [r2]
            0xEAFF_FFFE, // b .
            SRAM,
            MISC_RESET,
        ];
        let image = Image {
            kind: ImageKind::Elf,
            entry: Some(0x1000_0000),
            segments: vec![crate::loader::Segment {
                addr: 0x1000_0000,
                data: code.iter().flat_map(|w| w.to_le_bytes()).collect(),
                mem_size: 40,
            }],
        };
        let mut machine = Machine::nspire_cx(1000);
        machine.load(&image).unwrap();
        machine
    }

    /// The scheduler's owner number of the GPIO block (line 7), whose events nobody else's
    /// affect.
    fn gpio_slot(machine: &Machine) -> u16 {
        let slots = machine.board.slots();
        slots.iter().position(|s| s.base == 0x9000_0000).unwrap() as u16
    }

    fn boots(machine: &Machine) -> u32 {
        machine.board.peek(SRAM, Size::Word).unwrap()
    }

    #[test]
    fn a_reset_boots_the_image_again() {
        let mut machine = rebooting_machine();
        assert_eq!(machine.run(Some(1000)), Exit::InstructionLimit);
        assert!(boots(&machine) > 10, "{}", boots(&machine));
    }

    #[test]
    fn without_reboot_a_reset_ends_the_run() {
        let mut machine = rebooting_machine();
        machine.reboot = false;
        assert_eq!(machine.run(Some(1000)), Exit::Reset);
        assert_eq!(boots(&machine), 1);
    }

    /// Waiting for an interrupt with events scheduled only for devices whose lines are not
    /// enabled at the VIC is the end; with the line enabled, the end comes only once the event
    /// has come and gone.
    #[test]
    fn a_wait_no_enabled_source_can_end_halts() {
        let halted = Some(DebugStop::Exit(Exit::Halted(Halt::Wait { pc: 4 })));
        let mut machine = idle_machine();
        let gpio = gpio_slot(&machine);
        machine.board.scheduler.schedule(gpio, 0, 1_000);
        assert_eq!(machine.run_cycles(10_000), halted);
        assert!(machine.cpu.cycles() < 1_000);
        let mut machine = idle_machine();
        machine.board.scheduler.schedule(gpio, 0, 1_000);
        write(&mut machine, VIC_INTENABLE, 1 << GPIO_LINE);
        assert_eq!(machine.run_cycles(10_000), halted);
        assert!(machine.cpu.cycles() >= 1_000);
    }

    /// A branch to itself with interrupts masked is the end (Linux's halt); a loop of two
    /// instructions is not, nor is a branch to itself an enabled timer can interrupt.
    #[test]
    fn a_branch_to_itself_that_nothing_can_interrupt_halts() {
        let mut machine = machine_with_rom(&[0xEAFF_FFFE]);
        assert_eq!(machine.run(None), Exit::Halted(Halt::Loop { pc: 0 }));
        let mut machine = busy_machine();
        assert_eq!(machine.run(Some(100_000)), Exit::InstructionLimit);
        // IRQs unmasked, a timer line enabled with its timer counting: not stuck.
        let mut machine = machine_with_rom(&[0xE321_F01F, 0xEAFF_FFFE]); // msr cpsr_c, #0x1f
        write(&mut machine, TIMER + 0x08, 0x82); // free-running, 32-bit, enabled
        write(&mut machine, VIC_INTENABLE, 1 << TIMER_LINE);
        assert_eq!(machine.run(Some(100_000)), Exit::InstructionLimit);
    }

    /// A CPU running in an empty boot ROM (nothing was loaded there) is the end.
    #[test]
    fn running_in_an_empty_boot_rom_halts() {
        let mut machine = Machine::nspire_cx(0);
        let exit = machine.run(None);
        assert!(
            matches!(exit, Exit::Halted(Halt::Nowhere { .. })),
            "{exit:?}"
        );
    }

    /// Without semihosting, a semihosting call goes to the guest's SVC handler; a guest with
    /// none (its code in SDRAM, the boot ROM empty) ends the run where the call was made.
    #[test]
    fn a_semihosting_call_without_semihosting_goes_to_the_guest_or_ends_the_run() {
        // 0x00: b 0x0c; 0x04: mov r0, #4 (SYS_WRITE0); 0x08: b . (the SVC vector); 0x0c: svc
        // 0x123456; the SVC handler at 0x08 loops for ever.
        let mut machine = machine_with_rom(&[0xEA00_0001, 0xE3A0_0004, 0xEAFF_FFFE, 0xEF12_3456]);
        machine.trap_semihosting();
        assert_eq!(machine.run(None), Exit::Halted(Halt::Loop { pc: 8 }));
        assert_eq!(machine.cpu.reg(14), 0x10, "the SVC's return address");
        // The same call from SDRAM, with nothing in the boot ROM.
        let mut machine = Machine::nspire_cx(0);
        let image = Image {
            kind: ImageKind::Elf,
            entry: Some(0x1000_0000),
            segments: vec![crate::loader::Segment {
                addr: 0x1000_0000,
                data: [0xE3A0_0004u32, 0xEF12_3456]
                    .iter()
                    .flat_map(|w| w.to_le_bytes())
                    .collect(),
                mem_size: 8,
            }],
        };
        machine.load(&image).unwrap();
        machine.trap_semihosting();
        let exit = machine.run(None);
        assert_eq!(
            exit,
            Exit::NoSemihosting {
                op: 4,
                pc: 0x1000_0004
            }
        );
        assert!(exit.reason().contains("SYS_WRITE0"));
    }

    /// An alarm set before a reset still rings after it: the RTC keeps its state through a
    /// system reset, and the new board's scheduler learns of its match.
    #[test]
    fn an_rtc_alarm_rings_after_a_machine_reset() {
        let mut machine = busy_machine();
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
        let gpio = gpio_slot(&machine);
        machine.board.scheduler.schedule(gpio, 0, LAST_CYCLE + 1);
        write(&mut machine, VIC_INTENABLE, 1 << GPIO_LINE);
        let halted = Exit::Halted(Halt::Wait { pc: 4 });
        assert_eq!(machine.run(None), halted);
        assert!(machine.cpu.cycles() < 10, "{}", machine.cpu.cycles());
        let stop = machine.run_cycles(u64::MAX);
        assert_eq!(stop, Some(DebugStop::Exit(halted)));
    }

    /// A CX whose SDRAM is `size` bytes at `base` instead.
    fn machine_with_sdram(base: u32, size: u32) -> Machine {
        let mut config = MachineConfig::nspire_cx();
        for region in config.memory.iter_mut().filter(|r| r.name == "SDRAM") {
            (region.base, region.size) = (base, size);
        }
        Machine::new(config, 0)
    }

    /// The smallest device tree: an empty root.
    fn empty_dtb() -> Vec<u8> {
        let root = crate::fdt::Node::default();
        let fdt = Fdt {
            boot_cpuid: 0,
            reserved: Vec::new(),
            root,
        };
        fdt.to_bytes()
    }

    #[test]
    fn linux_boots_from_ram_that_ends_at_the_top_of_the_address_space() {
        let mut machine = machine_with_sdram(0xFC00_0000, 64 << 20);
        let kernel = [0xEAFF_FFFEu32.to_le_bytes(); 4].concat(); // b .
        machine
            .boot_linux(&kernel, &empty_dtb(), Some(&[1; 100]), None)
            .unwrap();
        // The zImage at RAM + 0x8000, the tree 1 MiB below the top, the initrd below it.
        assert_eq!(
            (machine.cpu.reg(15), machine.cpu.reg(2)),
            (0xFC00_8000, 0xFFF0_0000)
        );
        assert_eq!(machine.board.peek(0xFFEF_F000, Size::Byte), Some(1));
        let heap = machine.heap_info(&Image {
            kind: ImageKind::Elf,
            entry: Some(0xFC00_0000),
            segments: vec![crate::loader::Segment {
                addr: 0xFC00_0000,
                data: vec![],
                mem_size: 0x1001,
            }],
        });
        assert_eq!(
            (
                heap.heap_base,
                heap.heap_limit,
                heap.stack_limit,
                heap.stack_base
            ),
            (0xFC00_1008, 0xFFF0_0000, 0xFFF0_0000, 0)
        );
    }

    #[test]
    fn linux_on_too_little_ram_is_refused() {
        let mut machine = machine_with_sdram(0x1000_0000, 0x1000);
        let refused = machine.boot_linux(&[0; 16], &empty_dtb(), None, None);
        assert_eq!(
            refused,
            Err("kernel: 16 bytes is too large for 128 KiB of RAM".to_string())
        );
        // The largest writable region is SRAM's 128 KiB, smaller than the stack's MiB: it all
        // goes to the stack.
        let heap = machine.heap_info(&Image {
            kind: ImageKind::Raw,
            entry: None,
            segments: vec![],
        });
        assert_eq!(
            (
                heap.heap_base,
                heap.heap_limit,
                heap.stack_limit,
                heap.stack_base
            ),
            (0xA400_0000, 0xA400_0000, 0xA400_0000, 0xA402_0000)
        );
        // No RAM at all.
        let mut config = MachineConfig::nspire_cx();
        config.memory.retain(|r| r.read_only);
        let mut machine = Machine::new(config, 0);
        let refused = machine.boot_linux(&[0; 16], &empty_dtb(), None, None);
        assert_eq!(
            refused,
            Err("kernel: this machine has no RAM to load it in".to_string())
        );
    }

    /// One way the host writes bytes at an address.
    type HostWrite = fn(&mut Machine, &[u8]);

    /// Code the host writes over code the jit has compiled runs as written, by every way the
    /// host writes memory: the new instruction's effect shows (ARM ARM A4.1.35: MOV r1, #7 sets
    /// r1 to 7), and the interpreter, which fetches every instruction from memory, agrees.
    #[test]
    fn code_the_host_rewrites_runs_as_rewritten_in_both_engines() {
        const CODE: u32 = 0x1000_0000;
        const MOV_R1_7: u32 = 0xE3A0_1007;
        let new = MOV_R1_7.to_le_bytes();
        let writes: [(&str, HostWrite); 6] = [
            ("a debugger's write", |m, new| {
                m.cpu.debug_write(&mut m.board, CODE, new).unwrap()
            }),
            ("a host service's write", |m, new| {
                let mut memory = VirtualMemory {
                    cpu: &m.cpu,
                    board: &mut m.board,
                };
                memory.write_bytes(CODE, new).unwrap()
            }),
            ("a load (the monitor's poke)", |m, new| {
                assert!(m.board.load(CODE, new))
            }),
            ("a device's write", |m, new| {
                assert!(m.board.write_ram(CODE, new))
            }),
            ("the board's poke", |m, _| {
                assert!(m.board.poke(CODE, MOV_R1_7))
            }),
            ("a state loaded", |m, new| {
                let text = crate::snapshot::text(m).unwrap();
                let mut memory = m.board.ram().to_vec();
                let at = m.board.ram_page(CODE).unwrap().offset as usize;
                memory[at..at + 4].copy_from_slice(new);
                crate::snapshot::restore(m, &text, &memory).unwrap()
            }),
        ];
        let code: [u32; 3] = [
            0xE3A0_1001, // mov r1, #1
            0xE280_0001, // add r0, r0, #1
            0xEAFF_FFFC, // b back to the mov
        ];
        for (how, write) in writes {
            let ran = [EngineKind::Interp, EngineKind::Jit].map(|engine| {
                let image = Image {
                    kind: ImageKind::Elf,
                    entry: Some(CODE),
                    segments: vec![crate::loader::Segment {
                        addr: CODE,
                        data: code.iter().flat_map(|w| w.to_le_bytes()).collect(),
                        mem_size: 12,
                    }],
                };
                let mut machine = Machine::nspire_cx(1000);
                machine.set_engine(engine);
                machine.load(&image).unwrap();
                machine.run_cycles(20_000);
                assert_eq!(machine.cpu.reg(1), 1, "{how}, {engine:?}: before");
                write(&mut machine, &new);
                machine.run_cycles(20_000);
                assert_eq!(machine.cpu.reg(1), 7, "{how}, {engine:?}: after");
                (
                    machine.cpu.reg(0),
                    machine.cpu.reg(15),
                    machine.cpu.instructions(),
                )
            });
            assert_eq!(ran[0], ran[1], "{how}: interp, then jit");
        }
    }
}
