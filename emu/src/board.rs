//! The board: the machine's physical address space as its description lays it out. RAM and ROM
//! live in one arena (the CPU's TLB caches pages of it); device windows route to the device
//! models; the scheduler and the interrupt lines live here because devices act on them.
//!
//! An address that neither memory nor a device claims answers with a bus error, which the CPU
//! takes as an external abort; the first access to each such page is logged with the PC (within
//! the bound [`Warnings`] keeps).

use devices::gpio::{Gpio, CX_INPUTS};
use devices::keypad::Keypad;
use devices::misc::Misc;
use devices::pl011::Pl011;
use devices::pl111::{self, Pl111};
use devices::power::Power;
use devices::rtc::Pl031;
use devices::scheduler::Events;
use devices::sp804::Sp804;
use devices::stub::Stub;
use devices::touchpad::Touchpad;
use devices::vic::Pl190;
use devices::watchdog::Sp805;
use devices::{Context, Device, Lines, Requests, Scheduler};
use serde::{Deserialize, Serialize};

use crate::bus::{ram_read, ram_write, Bus, BusError, Origin, RamPage, Size, PAGE_SIZE};
use crate::config::{DeviceKind, MachineConfig};
use crate::dirty::{Taker, Written};
use crate::warnings::Warnings;

/// Every device model, as a closed set: accesses dispatch by `match`, not through a vtable.
#[derive(Clone, Serialize, Deserialize)]
pub enum AnyDevice {
    Vic(Pl190),
    Timer(Sp804),
    Uart(Pl011),
    Rtc(Pl031),
    /// Boxed: its palette and registers make it by far the largest.
    Lcd(Box<Pl111>),
    Keypad(Keypad),
    Power(Power),
    Misc(Misc),
    Gpio(Gpio),
    Watchdog(Sp805),
    Stub(Stub),
}

/// Runs `$body` with `$d` bound to the device inside an `AnyDevice`.
macro_rules! with_device {
    ($device:expr, $d:ident => $body:expr) => {
        match $device {
            AnyDevice::Vic($d) => $body,
            AnyDevice::Timer($d) => $body,
            AnyDevice::Uart($d) => $body,
            AnyDevice::Rtc($d) => $body,
            AnyDevice::Lcd($d) => $body,
            AnyDevice::Keypad($d) => $body,
            AnyDevice::Power($d) => $body,
            AnyDevice::Misc($d) => $body,
            AnyDevice::Gpio($d) => $body,
            AnyDevice::Watchdog($d) => $body,
            AnyDevice::Stub($d) => $body,
        }
    };
}

/// Runs `$body` with `$a` and `$b` bound to the devices inside two `AnyDevice`s of the same
/// kind; `None` if their kinds differ.
macro_rules! with_same_kind {
    ($pair:expr, $a:ident, $b:ident => $body:expr) => {
        with_same_kind!($pair, $a, $b => $body;
            Vic, Timer, Uart, Rtc, Lcd, Keypad, Power, Misc, Gpio, Watchdog, Stub)
    };
    ($pair:expr, $a:ident, $b:ident => $body:expr; $($kind:ident),*) => {
        match $pair {
            $((AnyDevice::$kind($a), AnyDevice::$kind($b)) => Some($body),)*
            _ => None,
        }
    };
}

impl AnyDevice {
    fn new(kind: &DeviceKind, name: &str, rtc_start: u32) -> AnyDevice {
        match kind {
            DeviceKind::Vic => AnyDevice::Vic(Pl190::new()),
            DeviceKind::Sp804 { clock_hz } => AnyDevice::Timer(Sp804::new(*clock_hz)),
            DeviceKind::Pl011 => AnyDevice::Uart(Pl011::new()),
            DeviceKind::Rtc => AnyDevice::Rtc(Pl031::new(rtc_start)),
            DeviceKind::Pl111 { clock_hz } => AnyDevice::Lcd(Box::new(Pl111::new(*clock_hz))),
            DeviceKind::Keypad { clock_hz } => AnyDevice::Keypad(Keypad::new(*clock_hz)),
            DeviceKind::Power => AnyDevice::Power(Power::new()),
            DeviceKind::Misc => AnyDevice::Misc(Misc::cx()),
            DeviceKind::Gpio => AnyDevice::Gpio(Gpio::new(CX_INPUTS)),
            DeviceKind::Watchdog { clock_hz } => AnyDevice::Watchdog(Sp805::new(*clock_hz)),
            // The configuration was checked, so the preset exists.
            DeviceKind::Stub { preset } => {
                AnyDevice::Stub(Stub::preset(preset, name).unwrap_or_else(|| Stub::new(name, &[])))
            }
        }
    }
}

/// An access to a physical address nothing answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Unclaimed {
    pub addr: u32,
    pub write: bool,
    /// The instruction that made it.
    pub pc: u32,
}

/// A device at its window.
pub struct Slot {
    pub name: String,
    pub base: u32,
    pub size: u32,
    pub irq: Option<u8>,
    pub device: AnyDevice,
}

/// A region of the RAM arena.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Region {
    pub name: String,
    pub base: u32,
    pub size: u32,
    pub writable: bool,
    /// Offset of the region's first byte in the arena.
    arena_offset: u32,
    /// A read-only region holding nothing but zeros: nothing was loaded there (an empty boot
    /// ROM). Kept up to date by everything that writes ROM: loads, restores.
    blank: bool,
}

/// The inputs the host may still give a machine.
#[derive(Clone, Copy, Debug, Default)]
pub struct HostInputs {
    /// Bytes for the UART's receiver (its stdin is open).
    pub uart: bool,
    /// Key presses (the window, a key script with events to come).
    pub keys: bool,
}

/// What could still interrupt the CPU (or reset the machine) if the CPU itself did nothing
/// more: the interrupt controller's enabled lines whose devices have an event scheduled or
/// answer to the host's input.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Wakers {
    /// An enabled IRQ line can still be raised.
    pub irq: bool,
    /// An enabled FIQ line can still be raised.
    pub fiq: bool,
    /// A scheduled event may reset the machine (the watchdog).
    pub reset: bool,
    /// Some of the above comes from a scheduled event, not from the host's input alone.
    pub scheduled: bool,
}

impl Region {
    pub fn contains(&self, addr: u32) -> bool {
        addr.wrapping_sub(self.base) < self.size
    }
}

pub struct Board {
    arena: Vec<u8>,
    regions: Vec<Region>,
    /// Sorted by base address.
    slots: Vec<Slot>,
    pub scheduler: Scheduler,
    pub lines: Lines,
    pub requests: Requests,
    cpu_hz: u64,
    /// The time of the latest access or event, for side-effect-free reads.
    now: u64,
    /// The warnings the guest's accesses gave: unclaimed pages, ROM pages written, stubs'
    /// unmodelled registers.
    warnings: Warnings,
    /// The latest unclaimed access, until the machine takes it.
    unclaimed: Option<Unclaimed>,
    /// The slots of the interrupt controller and the console UART, which the run loop asks
    /// for after every slice.
    vic: Option<usize>,
    uart: Option<usize>,
    /// The arena pages written since each taker of them last took them.
    written: Written,
    /// Counts the writes to memory made other than by the CPU's stores (images and states
    /// loaded, a debugger's or host service's writes): the jit compares its pages of code with
    /// memory only when this moved.
    host_writes: u64,
}

impl Board {
    /// The board a machine description lays out. `rtc_start` is the RTC's count at power-on.
    pub fn new(config: &MachineConfig, rtc_start: u32) -> Board {
        let mut regions = Vec::new();
        let mut offset = 0u32;
        for region in &config.memory {
            regions.push(Region {
                name: region.name.clone(),
                base: region.base,
                size: region.size,
                writable: !region.read_only,
                arena_offset: offset,
                blank: region.read_only,
            });
            offset += region.size;
        }
        let mut slots: Vec<Slot> = config
            .devices
            .iter()
            .map(|d| Slot {
                name: d.name.clone(),
                base: d.base,
                size: d.size,
                irq: d.irq,
                device: AnyDevice::new(&d.kind, &d.name, rtc_start),
            })
            .collect();
        slots.sort_by_key(|slot| slot.base);
        let position =
            |wanted: fn(&AnyDevice) -> bool| slots.iter().position(|s| wanted(&s.device));
        let vic = position(|d| matches!(d, AnyDevice::Vic(_)));
        let uart = position(|d| matches!(d, AnyDevice::Uart(_)));
        Board {
            arena: vec![0; offset as usize],
            regions,
            slots,
            scheduler: Scheduler::new(),
            lines: Lines::ZERO,
            requests: Requests::default(),
            cpu_hz: config.cpu_hz,
            now: 0,
            warnings: Warnings::default(),
            unclaimed: None,
            vic,
            uart,
            written: Written::new(offset as usize),
            host_writes: 0,
        }
    }

    pub fn regions(&self) -> &[Region] {
        &self.regions
    }

    pub fn slots(&self) -> &[Slot] {
        &self.slots
    }

    fn region(&self, addr: u32) -> Option<&Region> {
        self.regions.iter().find(|r| r.contains(addr))
    }

    fn slot_index(&self, addr: u32) -> Option<usize> {
        let after = self.slots.partition_point(|s| s.base <= addr);
        let at = after.checked_sub(1)?;
        (addr - self.slots[at].base < self.slots[at].size).then_some(at)
    }

    /// Copies `bytes` to physical memory at `addr`, ROM included (the loader's path). Returns
    /// false, writing nothing, unless the range lies inside one region.
    pub fn load(&mut self, addr: u32, bytes: &[u8]) -> bool {
        let Some(region) = self.region(addr) else {
            return false;
        };
        let start = (addr - region.base) as usize;
        if start + bytes.len() > region.size as usize {
            return false;
        }
        let at = region.arena_offset as usize + start;
        self.arena[at..at + bytes.len()].copy_from_slice(bytes);
        self.written.mark_range(at, bytes.len());
        self.host_writes += 1;
        self.find_blank_regions();
        true
    }

    /// Marks the read-only regions that hold only zeros.
    fn find_blank_regions(&mut self) {
        for region in &mut self.regions {
            let start = region.arena_offset as usize;
            let bytes = &self.arena[start..start + region.size as usize];
            region.blank = !region.writable && bytes.iter().all(|&b| b == 0);
        }
    }

    /// Whether physical `addr` lies in a read-only region nothing was loaded into.
    pub fn is_blank(&self, addr: u32) -> bool {
        self.region(addr).is_some_and(|r| r.blank)
    }

    /// What could still interrupt a CPU that does nothing more itself, given the host's
    /// inputs. A device's events can raise only its own line, and only the CPU can enable a
    /// line at the interrupt controller, so a line counts if it is enabled and its device has
    /// an event scheduled, is raising it now, or answers to the host's input (the UART to
    /// stdin, the keypad and the power block to keys). The watchdog counts whatever its line
    /// if its next timeout may reset the machine.
    pub fn wakers(&self, host: HostInputs) -> Wakers {
        let (irq_lines, fiq_lines) = match self.vic.map(|index| &self.slots[index].device) {
            Some(AnyDevice::Vic(vic)) => vic.enabled_lines(),
            _ => (0, 0),
        };
        let mut scheduled = vec![false; self.slots.len()];
        for (_, owner, _) in self.scheduler.pending() {
            if let Some(slot) = scheduled.get_mut(owner as usize) {
                *slot = true;
            }
        }
        let mut wakers = Wakers::default();
        for (slot, &has_events) in self.slots.iter().zip(&scheduled) {
            if let AnyDevice::Watchdog(watchdog) = &slot.device {
                if has_events && watchdog.may_reset() {
                    wakers.reset = true;
                    wakers.scheduled = true;
                }
            }
            let Some(line) = slot.irq.map(usize::from).filter(|&l| l < 32) else {
                continue;
            };
            let from_host = match slot.device {
                AnyDevice::Uart(_) => host.uart,
                AnyDevice::Keypad(_) | AnyDevice::Power(_) => host.keys,
                _ => false,
            };
            let from_board = has_events || self.lines[line];
            if !(from_board || from_host) {
                continue;
            }
            let bit = 1u32 << line;
            let irq = irq_lines & bit != 0;
            let fiq = fiq_lines & bit != 0;
            wakers.irq |= irq;
            wakers.fiq |= fiq;
            wakers.scheduled |= from_board && (irq || fiq);
        }
        wakers
    }

    /// Reads physical RAM or ROM without side effects; false if any byte is elsewhere.
    pub fn read_ram(&self, addr: u32, buf: &mut [u8]) -> bool {
        buf.iter_mut().enumerate().all(|(i, byte)| {
            let pa = addr.wrapping_add(i as u32);
            self.region(pa)
                .and_then(|r| self.arena.get((r.arena_offset + (pa - r.base)) as usize))
                .map(|&b| *byte = b)
                .is_some()
        })
    }

    /// Calls `f` on device `index` with a context at time `now`.
    fn with_context<R>(
        &mut self,
        index: usize,
        now: u64,
        f: impl FnOnce(&mut AnyDevice, &mut Context) -> R,
    ) -> R {
        self.now = self.now.max(now);
        let slot = &mut self.slots[index];
        let mut ctx = Context {
            now,
            cpu_hz: self.cpu_hz,
            lines: &mut self.lines,
            irq: slot.irq,
            events: Events {
                scheduler: &mut self.scheduler,
                owner: index as u16,
            },
            requests: &mut self.requests,
        };
        f(&mut slot.device, &mut ctx)
    }

    /// Logs, once each, the unmodelled registers a stub saw for the first time.
    fn log_stub_accesses(&mut self, index: usize, pc: u32) {
        let slot = &mut self.slots[index];
        if let AnyDevice::Stub(stub) = &mut slot.device {
            while let Some((offset, write)) = stub.take_unlogged() {
                if !self.warnings.another() {
                    continue;
                }
                log::warn!(
                    "{}: unmodelled register {:#010x} {} by the instruction at {pc:#010x}",
                    slot.name,
                    slot.base + offset,
                    if write { "written" } else { "read" },
                );
            }
        }
    }

    /// Takes the latest access to an address nothing answered.
    pub fn take_unclaimed(&mut self) -> Option<Unclaimed> {
        self.unclaimed.take()
    }

    fn unclaimed(&mut self, addr: u32, write: bool, pc: u32) -> BusError {
        self.unclaimed = Some(Unclaimed { addr, write, pc });
        if self.warnings.first((addr & !(PAGE_SIZE - 1), write)) {
            log::warn!(
                "nothing at physical {addr:#010x} ({} by the instruction at {pc:#010x}): external abort",
                if write { "written" } else { "read" }
            );
        }
        BusError
    }

    /// Fires every event due at or before `now`, each at its own time.
    pub fn fire_due_events(&mut self, now: u64) {
        while let Some((when, owner, tag)) = self.scheduler.pop_due(now) {
            let index = owner as usize;
            if index < self.slots.len() {
                self.with_context(
                    index,
                    when,
                    |device, ctx| with_device!(device, d => d.event(tag, ctx)),
                );
            }
        }
    }

    /// The levels of the CPU's nIRQ and nFIQ inputs, from the interrupt controller.
    pub fn interrupt_outputs(&self) -> (bool, bool) {
        match self.vic.map(|index| &self.slots[index].device) {
            Some(AnyDevice::Vic(vic)) => vic.outputs(&self.lines),
            _ => (false, false),
        }
    }

    fn find(&self, wanted: impl Fn(&AnyDevice) -> bool) -> Option<usize> {
        self.slots.iter().position(|slot| wanted(&slot.device))
    }

    /// What the guest sent to the (first) UART since the last call.
    pub fn take_uart_output(&mut self) -> Vec<u8> {
        match self.uart.map(|index| &mut self.slots[index].device) {
            Some(AnyDevice::Uart(uart)) => uart.take_output(),
            _ => Vec::new(),
        }
    }

    /// Gives bytes to the UART's receiver at time `now`.
    pub fn push_uart_input(&mut self, bytes: &[u8], now: u64) {
        if let Some(index) = self.uart {
            self.with_context(index, now, |device, ctx| {
                if let AnyDevice::Uart(uart) = device {
                    uart.push_input(bytes, ctx);
                }
            });
        }
    }

    /// The LCD's current frame, 320x240 pixels of 0x00RRGGBB (black without an LCD).
    pub fn render_lcd(&self, out: &mut [u32; pl111::WIDTH * pl111::HEIGHT]) {
        let lcd = self.slots.iter().find_map(|slot| match &slot.device {
            AnyDevice::Lcd(lcd) => Some(lcd),
            _ => None,
        });
        match lcd {
            Some(lcd) => lcd.render(&mut |addr, buf| self.read_ram(addr, buf), out),
            None => out.fill(0),
        }
    }

    /// Presses or releases the ON key, which the CX wires to the power block, not the matrix.
    pub fn set_on_key(&mut self, pressed: bool) {
        let now = self.now;
        if let Some(index) = self.find(|d| matches!(d, AnyDevice::Power(_))) {
            self.with_context(index, now, |device, ctx| {
                if let AnyDevice::Power(power) = device {
                    power.set_on_key(pressed, ctx);
                }
            });
        }
    }

    /// Presses or releases a key of the keypad matrix.
    pub fn set_key(&mut self, row: usize, col: usize, pressed: bool) {
        for slot in &mut self.slots {
            if let AnyDevice::Keypad(keypad) = &mut slot.device {
                keypad.set_key(row, col, pressed);
            }
        }
    }

    /// Whether the key of the keypad matrix at (`row`, `col`) is held down (false without a
    /// keypad).
    pub fn key_down(&self, row: usize, col: usize) -> bool {
        self.slots.iter().any(|slot| match &slot.device {
            AnyDevice::Keypad(keypad) => keypad.is_down(row, col),
            _ => false,
        })
    }

    /// Whether the ON key is held down (false without a power block).
    pub fn on_key_down(&self) -> bool {
        self.slots.iter().any(|slot| match &slot.device {
            AnyDevice::Power(power) => power.on_key_down(),
            _ => false,
        })
    }

    /// The touchpad (the keypad's), if the machine has a keypad.
    pub fn touchpad(&mut self) -> Option<&mut Touchpad> {
        self.slots
            .iter_mut()
            .find_map(|slot| match &mut slot.device {
                AnyDevice::Keypad(keypad) => Some(keypad.touchpad()),
                _ => None,
            })
    }

    /// The LCD controller, if the machine has one.
    pub fn lcd(&self) -> Option<&Pl111> {
        self.slots.iter().find_map(|slot| match &slot.device {
            AnyDevice::Lcd(lcd) => Some(&**lcd),
            _ => None,
        })
    }

    /// Writes a word to a device register as the host's own services do (the Ndless OS
    /// calls), at the time of the latest access; false if nothing answers there.
    pub fn poke(&mut self, addr: u32, value: u32) -> bool {
        let origin = Origin {
            now: self.now,
            pc: 0,
        };
        self.write(addr, Size::Word, value, origin).is_ok()
    }

    /// Copies `bytes` to writable physical memory at `addr` (RAM, not ROM), as a device's DMA
    /// would; false, writing nothing, unless the range lies inside one writable region.
    pub fn write_ram(&mut self, addr: u32, bytes: &[u8]) -> bool {
        let Some(region) = self.region(addr).filter(|r| r.writable) else {
            return false;
        };
        let start = (addr - region.base) as usize;
        if start + bytes.len() > region.size as usize {
            return false;
        }
        let at = region.arena_offset as usize + start;
        self.arena[at..at + bytes.len()].copy_from_slice(bytes);
        self.written.mark_range(at, bytes.len());
        self.host_writes += 1;
        true
    }

    /// The arena pages written since `taker`'s last call, as page numbers in `pages`; its set
    /// starts again empty. The CPU's TLB write entries must be dropped at the same time
    /// (`Cpu::drop_write_entries`), so that the next store to each page is seen.
    pub fn take_written(&mut self, taker: Taker, pages: &mut Vec<u32>) {
        self.written.take(taker, pages);
    }

    /// How many times memory was written other than by the CPU's stores so far: it moves
    /// with every image or state loaded and every write by a debugger, a host service or the
    /// board's own `poke`.
    pub fn host_writes(&self) -> u64 {
        self.host_writes
    }
}

impl Bus for Board {
    fn read(&mut self, addr: u32, size: Size, origin: Origin) -> Result<u32, BusError> {
        if let Some(value) = self.peek_ram(addr, size) {
            return Ok(value);
        }
        let Some(index) = self.slot_index(addr) else {
            return Err(self.unclaimed(addr, false, origin.pc));
        };
        let offset = addr - self.slots[index].base;
        let value = self.with_context(
            index,
            origin.now,
            |device, ctx| with_device!(device, d => d.read(offset, size, ctx)),
        );
        self.log_stub_accesses(index, origin.pc);
        Ok(value)
    }

    fn write(&mut self, addr: u32, size: Size, value: u32, origin: Origin) -> Result<(), BusError> {
        if let Some(region) = self.region(addr) {
            let (writable, at) = (
                region.writable,
                (region.arena_offset + (addr - region.base)) as usize,
            );
            if !writable {
                // The boot ROM ignores writes (nothing on the bus answers them with an error).
                if self.warnings.first((addr & !(PAGE_SIZE - 1), true)) {
                    log::warn!(
                        "write of {value:#x} to read-only {addr:#010x} ignored (pc {:#010x})",
                        origin.pc
                    );
                }
                return Ok(());
            }
            // The CPU's stores to RAM go to the arena directly (`Bus::ram_page`): this is the
            // host's `poke`.
            self.written.mark(at);
            self.host_writes += 1;
            return ram_write(&mut self.arena, at, size, value).ok_or(BusError);
        }
        let Some(index) = self.slot_index(addr) else {
            return Err(self.unclaimed(addr, true, origin.pc));
        };
        let offset = addr - self.slots[index].base;
        self.with_context(
            index,
            origin.now,
            |device, ctx| with_device!(device, d => d.write(offset, size, value, ctx)),
        );
        self.log_stub_accesses(index, origin.pc);
        Ok(())
    }

    fn peek(&self, addr: u32, size: Size) -> Option<u32> {
        if let Some(value) = self.peek_ram(addr, size) {
            return Some(value);
        }
        let slot = &self.slots[self.slot_index(addr)?];
        let offset = addr - slot.base;
        match &slot.device {
            AnyDevice::Vic(vic) => Some(vic.peek_lines(offset, size, &self.lines)),
            device => with_device!(device, d => d.peek(offset, size, self.now, self.cpu_hz)),
        }
    }

    fn ram_page(&self, addr: u32) -> Option<RamPage> {
        let region = self.region(addr)?;
        Some(RamPage {
            offset: region.arena_offset + ((addr - region.base) & !(PAGE_SIZE - 1)),
            writable: region.writable,
        })
    }

    fn ram(&self) -> &[u8] {
        &self.arena
    }

    fn ram_mut(&mut self) -> &mut [u8] {
        &mut self.arena
    }

    fn note_written(&mut self, offset: u32) {
        self.written.mark(offset as usize);
    }

    fn note_host_written(&mut self, offset: u32) {
        self.written.mark(offset as usize);
        self.host_writes += 1;
    }
}

impl Board {
    fn peek_ram(&self, addr: u32, size: Size) -> Option<u32> {
        let region = self.region(addr)?;
        ram_read(
            &self.arena,
            (region.arena_offset + (addr - region.base)) as usize,
            size,
        )
    }
}

/// What a saved state keeps of the board besides its memory: the devices, the pending events,
/// the interrupt lines and requests, the time; and the layout, to refuse a state saved on a
/// machine of another description.
#[derive(Serialize, Deserialize)]
pub struct BoardState {
    /// (name, base, size) of each memory region, then of each device window.
    layout: Vec<(String, u32, u32)>,
    /// The CPU's clock, in which the devices reckon their times (cycles per second).
    cpu_hz: u64,
    /// The interrupt line of each device window, in the order of `layout`.
    irqs: Vec<Option<u8>>,
    devices: Vec<AnyDevice>,
    scheduler: Scheduler,
    lines: Lines,
    requests: Requests,
    now: u64,
}

impl Board {
    /// What `restore` refuses: another layout, other devices or memory size, a device no
    /// guest could have left so (its own check), events a scheduler never holds (out of
    /// order, twice, for a device that has no such event, due well before the CPU's time), devices
    /// ahead of the CPU's time.
    fn check_saved(&self, state: &BoardState, memory: usize, cycles: u64) -> Result<(), String> {
        if state.layout != self.layout() {
            return Err("it was saved on a machine of another description".to_string());
        }
        // The same windows, but another clock or other wiring: the devices' times and the
        // lines they drive would mean something else here.
        if state.cpu_hz != self.cpu_hz {
            return Err(format!(
                "it was saved on a machine whose CPU runs at {} Hz, not {} Hz",
                state.cpu_hz, self.cpu_hz
            ));
        }
        let line =
            |irq: Option<u8>| irq.map_or("no interrupt line".to_string(), |n| format!("line {n}"));
        if state.irqs.len() != self.slots.len() {
            return Err("its interrupt wiring lists other devices than this machine's".to_string());
        }
        if let Some((slot, saved)) = self
            .slots
            .iter()
            .zip(&state.irqs)
            .find(|(s, i)| s.irq != **i)
        {
            return Err(format!(
                "it was saved on a machine whose {} has {}, not {} as here",
                slot.name,
                line(*saved),
                line(slot.irq)
            ));
        }
        let differ = || "its devices or its memory differ from this machine's".to_string();
        if state.devices.len() != self.slots.len() || memory != self.arena.len() {
            return Err(differ());
        }
        for (device, slot) in state.devices.iter().zip(&self.slots) {
            with_same_kind!((device, &slot.device), saved, current => saved.check_saved(current))
                .ok_or_else(differ)?
                .map_err(|e| format!("{}: {e}", slot.name))?;
        }
        state.scheduler.check()?;
        for (when, owner, tag) in state.scheduler.pending() {
            let Some(slot) = self.slots.get(owner as usize) else {
                return Err(format!(
                    "an event of device {owner}, which this machine lacks"
                ));
            };
            if !with_device!(&slot.device, d => d.events()).contains(&tag) {
                return Err(format!(
                    "an event {tag} of the {}, which has no such event",
                    slot.name
                ));
            }
            // A run ends after the instruction that reaches its deadline, so an event may be
            // overdue in a saved state by that instruction's cycles (it fires when the run goes
            // on), never by more.
            if when.saturating_add(crate::cpu::timing::MOST_PER_INSTRUCTION) < cycles {
                return Err(format!(
                    "an event of the {} due at cycle {when}, long before the CPU's {cycles}",
                    slot.name
                ));
            }
        }
        match state.now <= cycles {
            true => Ok(()),
            false => Err(format!(
                "the devices' time {} is later than the CPU's {cycles}",
                state.now
            )),
        }
    }

    fn layout(&self) -> Vec<(String, u32, u32)> {
        let regions = self
            .regions
            .iter()
            .map(|r| (r.name.clone(), r.base, r.size));
        let windows = self.slots.iter().map(|s| (s.name.clone(), s.base, s.size));
        regions.chain(windows).collect()
    }

    /// The board's state, for a snapshot; its memory is `ram()`.
    pub fn state(&self) -> BoardState {
        BoardState {
            layout: self.layout(),
            cpu_hz: self.cpu_hz,
            irqs: self.slots.iter().map(|s| s.irq).collect(),
            devices: self.slots.iter().map(|s| s.device.clone()).collect(),
            scheduler: self.scheduler.clone(),
            lines: self.lines,
            requests: self.requests,
            now: self.now,
        }
    }

    /// Takes a saved state and memory, if they were saved on a board laid out as this one
    /// (the same regions, and the same devices at the same windows) and hold nothing a guest
    /// could not have brought about; `cycles` is the CPU's cycle count in the same state.
    pub fn restore(&mut self, state: BoardState, memory: &[u8], cycles: u64) -> Result<(), String> {
        self.check_saved(&state, memory.len(), cycles)?;
        for (slot, device) in self.slots.iter_mut().zip(state.devices) {
            slot.device = device;
        }
        // Page by page, only where they differ: pages neither side touched are never written,
        // and a machine copied again and again (`--engine check`) copies only what changed.
        let page = PAGE_SIZE as usize;
        for (index, (to, from)) in self
            .arena
            .chunks_mut(page)
            .zip(memory.chunks(page))
            .enumerate()
        {
            if to != from {
                to.copy_from_slice(from);
                self.written.mark(index * page);
                self.host_writes += 1;
            }
        }
        self.find_blank_regions();
        self.scheduler = state.scheduler;
        self.lines = state.lines;
        self.requests = state.requests;
        self.now = state.now;
        self.unclaimed = None;
        Ok(())
    }
}

impl Board {
    /// After a reset, takes from the board before it what a system reset does not clear:
    /// RAM and ROM, the stubs' RAM (the CX's fastboot RAM survives resets), and the RTC, whose
    /// counter has its own reset, nRTCRST, apart from the bus's (PL031 TRM 2.2). Time goes on:
    /// the kept RTC drives its interrupt line and schedules its match on this board. The
    /// warnings given go on too, so that a guest resetting in a loop stays within their bound.
    pub fn take_memory_from(&mut self, old: Board) {
        self.arena = old.arena;
        self.written.mark_all();
        self.host_writes = old.host_writes + 1;
        self.regions = old.regions;
        self.now = old.now;
        self.warnings = old.warnings;
        for (new, old) in self.slots.iter_mut().zip(old.slots) {
            match (&mut new.device, old.device) {
                (AnyDevice::Stub(stub), AnyDevice::Stub(old)) => stub.keep_ram(old),
                (device, rtc @ AnyDevice::Rtc(_)) => *device = rtc,
                _ => {}
            }
        }
        for index in 0..self.slots.len() {
            self.with_context(index, self.now, |device, ctx| {
                if let AnyDevice::Rtc(rtc) = device {
                    rtc.resume(ctx);
                }
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RTC: u32 = 0x9009_0000;
    const RTC_LINE: usize = 4;
    const FASTBOOT_RAM: u32 = 0x9003_0000;
    /// A storage word of the LED block's stub.
    const LED: u32 = 0x9011_0B00;

    fn write(board: &mut Board, addr: u32, value: u32, now: u64) {
        let origin = Origin { now, pc: 0 };
        board.write(addr, Size::Word, value, origin).unwrap();
    }

    /// What `Machine` does on a watchdog or software reset.
    fn reset(board: Board) -> Board {
        let mut new = Board::new(&MachineConfig::nspire_cx(), 0);
        new.take_memory_from(board);
        new
    }

    thread_local! {
        /// The warnings this thread logged, while it captures them.
        static CAPTURED: std::cell::RefCell<Option<Vec<String>>> = const { std::cell::RefCell::new(None) };
    }

    /// A logger keeping the warnings of the threads that capture them.
    struct Capture;

    impl log::Log for Capture {
        fn enabled(&self, metadata: &log::Metadata) -> bool {
            metadata.level() <= log::Level::Warn
        }

        fn log(&self, record: &log::Record) {
            if self.enabled(record.metadata()) {
                CAPTURED.with(|lines| {
                    if let Some(lines) = lines.borrow_mut().as_mut() {
                        lines.push(record.args().to_string());
                    }
                });
            }
        }

        fn flush(&self) {}
    }

    /// The warnings logged while `f` runs on this thread.
    fn warnings_of(f: impl FnOnce()) -> Vec<String> {
        static LOGGER: Capture = Capture;
        // Another test of this binary may have set it already: it is the same logger.
        let _ = log::set_logger(&LOGGER);
        log::set_max_level(log::LevelFilter::Warn);
        CAPTURED.with(|lines| *lines.borrow_mut() = Some(Vec::new()));
        f();
        CAPTURED.with(|lines| lines.borrow_mut().take().unwrap_or_default())
    }

    /// A guest reading and writing every page of the address space gets a warning for each
    /// page nothing answers and for each ROM page, up to the bound, then one line.
    #[test]
    fn a_sweep_of_the_address_space_gives_a_bounded_number_of_warnings() {
        let mut board = Board::new(&MachineConfig::nspire_cx(), 0);
        let origin = Origin { now: 0, pc: 0x1000 };
        let lines = warnings_of(|| {
            for page in 0..1u64 << 20 {
                let addr = (page << 12) as u32;
                let rom = board.ram_page(addr).is_some_and(|p| !p.writable);
                if rom || board.read(addr, Size::Word, origin).is_err() {
                    let _ = board.write(addr, Size::Word, 0, origin);
                    let _ = board.write(addr + 4, Size::Word, 0, origin);
                }
            }
        });
        assert_eq!(lines.len(), Warnings::LIMIT + 1, "{lines:#?}");
        assert!(
            lines[0].starts_with("write of 0x0 to read-only 0x00000000"),
            "{}",
            lines[0]
        );
        assert!(
            lines[1].starts_with("write of 0x0 to read-only 0x00001000"),
            "{}",
            lines[1]
        );
        assert!(lines[Warnings::LIMIT].contains("further ones are not shown"));
    }

    #[test]
    fn a_reset_keeps_the_rtc_working_and_the_fastboot_ram_but_resets_stub_registers() {
        let config = MachineConfig::nspire_cx();
        let second = config.cpu_hz;
        let mut board = Board::new(&config, 100);
        write(&mut board, RTC + 0x04, 102, 0); // RTCMR: an alarm at second 2
        write(&mut board, RTC + 0x10, 1, 0); // RTCIMSC
        write(&mut board, FASTBOOT_RAM, 0xCAFE_F00D, 0);
        write(&mut board, LED, 0x1F, 0);
        let origin = Origin { now: second, pc: 0 };
        assert_eq!(board.read(RTC, Size::Word, origin), Ok(101));

        let mut board = reset(board);
        assert_eq!(board.peek(FASTBOOT_RAM, Size::Word), Some(0xCAFE_F00D));
        assert_eq!(board.peek(LED, Size::Word), Some(0));
        assert_eq!(board.peek(RTC, Size::Word), Some(101));
        assert!(!board.lines[RTC_LINE]);
        board.fire_due_events(2 * second);
        assert!(
            board.lines[RTC_LINE],
            "the alarm set before the reset rings"
        );

        // A reset with the interrupt pending keeps it asserted.
        let board = reset(board);
        assert!(board.lines[RTC_LINE]);
    }
}
