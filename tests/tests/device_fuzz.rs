//! The devices never panic, whatever a guest does to them: the real CX board, every device at
//! the window the built-in machine description gives it, takes hundreds of thousands of hostile
//! accesses (any window or the gaps around them; register offsets, the PrimeCell ID block, the
//! window's edges, unaligned offsets; bytes, halfwords and words; edge values), interleaved with
//! time passing (timers, LCD frames, keypad scans, RTC seconds, the watchdog), keys, host input
//! on the UART, machine resets, and every debugger view of the devices (the monitor's `devices`,
//! `irq`, `x` and `dis`, side-effect-free reads, LCD pictures in every pixel format from any
//! frame base). A second test runs random instructions on the real machine with registers
//! pointing into the device windows, so loads, stores, LDM/STM and SWP reach the devices through
//! the CPU, as a buggy ROM's would.
//!
//! Beyond not panicking: registers the TRMs describe as read/write read back what was written,
//! the PrimeCell IDs never change, the monitor finds every PrimeCell, a disabled or unmapped
//! frame draws black, the UART transmits what is written to UARTDR, and after all of it the
//! machine still runs a small program.

use devices::pl111::{HEIGHT, WIDTH};
use emu::board::{AnyDevice, Board};
use emu::bus::{Bus, Origin, Size};
use emu::machine::Machine;
use emu::monitor::Monitor;
use tests::{random_cpu, Rng};

const SIZES: [Size; 3] = [Size::Byte, Size::Half, Size::Word];

/// The guest idling in ROM at the reset vector: it disables every VIC line (so that nothing the
/// fuzzing enables keeps waking it), waits for an interrupt, and starts again.
///
/// ```text
/// mov r0, #0xDC000000     @ the VIC
/// mvn r1, #0
/// 1: str r1, [r0, #0x14]  @ VICINTENCLEAR
/// mcr p15, 0, r2, c7, c0, 4
/// b 1b
/// ```
const IDLE_LOOP: [u32; 5] = [
    0xE3A0_0337,
    0xE3E0_1000,
    0xE580_1014,
    0xEE07_2F90,
    0xEAFF_FFFC,
];

/// A program for the end, in SDRAM at `PROGRAM_AT`: stores 42 at `PROGRAM_AT + 0x100`, sends
/// 'K' through UARTDR, and stays.
///
/// ```text
/// mov r1, #0x10000000
/// mov r0, #42
/// str r0, [r1, #0x100]
/// mov r2, #0x90000000
/// orr r2, r2, #0x20000
/// mov r3, #'K'
/// strb r3, [r2]
/// b .
/// ```
const PROGRAM: [u32; 8] = [
    0xE3A0_1201,
    0xE3A0_002A,
    0xE581_0100,
    0xE3A0_2209,
    0xE382_2802,
    0xE3A0_304B,
    0xE5C2_3000,
    0xEAFF_FFFE,
];
const PROGRAM_AT: u32 = 0x1000_0000;

/// The misc block's reset register (hardware doc 2.8): any write resets the machine.
const MISC_RESET: u32 = 0x900A_0008;

fn bytes(words: &[u32]) -> Vec<u8> {
    words.iter().flat_map(|w| w.to_le_bytes()).collect()
}

/// The built-in CX with `IDLE_LOOP` in its boot ROM.
fn machine() -> Machine {
    let mut machine = Machine::nspire_cx(0);
    assert!(machine.board.load(0, &bytes(&IDLE_LOOP)));
    machine
}

/// An access from outside the CPU, now.
fn origin(machine: &Machine) -> Origin {
    Origin {
        now: machine.cpu.cycles(),
        pc: 0xF0F0_F0F0,
    }
}

/// An offset in (or just outside) a window of `size` bytes: mostly where registers are.
fn offset(rng: &mut Rng, size: u32) -> u32 {
    let word = match rng.below(8) {
        0..=2 => rng.below(0x50) as u32,
        3 => 0xFE0 + 4 * rng.below(8) as u32,
        4 => {
            let blocks = [
                0x100, 0x13C, 0x200, 0x23C, 0x300, 0x3FC, 0x800, 0xBFC, 0xC00,
            ];
            rng.pick(&blocks) + 4 * rng.below(16) as u32
        }
        5 => rng.next_u32() % size,
        6 => size.wrapping_sub(1 + rng.below(8) as u32),
        _ => size.wrapping_add(rng.below(16) as u32),
    } & !3;
    if rng.below(4) == 0 {
        word.wrapping_add(rng.below(4) as u32)
    } else {
        word
    }
}

/// A physical address: mostly in a device window (three times in four the `focus` one, so that
/// a device's state builds up), else around the windows and the memory regions, or anywhere.
fn address(rng: &mut Rng, board: &Board, focus: usize) -> u32 {
    let slots = board.slots();
    let slot = &slots[if rng.below(4) == 0 {
        rng.below(slots.len())
    } else {
        focus % slots.len()
    }];
    match rng.below(16) {
        0 => rng.next_u32(),
        1 => {
            let region = &board.regions()[rng.below(board.regions().len())];
            let edge = rng.pick(&[region.base, region.base.wrapping_add(region.size)]);
            edge.wrapping_add(rng.below(16) as u32).wrapping_sub(8)
        }
        2 => slot.base.wrapping_sub(1 + rng.below(16) as u32),
        _ => slot.base.wrapping_add(offset(rng, slot.size)),
    }
}

/// A value to write: zero, all ones, one bit, a small count, a key, or anything.
fn value(rng: &mut Rng) -> u32 {
    match rng.below(6) {
        0 => 0,
        1 => u32::MAX,
        2 => 1 << rng.below(32),
        3 => rng.below(64) as u32,
        4 => rng.pick(&[0x1ACC_E551, 0xFF, 0xFFFF, 0x7FFF_FFFF, 0x8000_0000]),
        _ => rng.next_u32(),
    }
}

/// The bits of the word register at `offset` in `device` that read back what a word write put
/// there, if the TRM describes it as read/write storage.
fn read_back_mask(device: &AnyDevice, offset: u32) -> Option<u32> {
    match (device, offset & 0xFFF) {
        // TimerXLoad, and TimerXBGLoad which reads as TimerXLoad (SP804 TRM 3.3.1, 3.3.7).
        (AnyDevice::Timer(_), 0x00 | 0x18 | 0x20 | 0x38) => Some(!0),
        // VICIntSelect, VICDefVectAddr, VICVectAddr0-15; VICVectCntl0-15 bits 5:0 (PL190 TRM
        // 3.3).
        (AnyDevice::Vic(_), 0x00C | 0x034 | 0x100..=0x13C) => Some(!0),
        (AnyDevice::Vic(_), 0x200..=0x23C) => Some(0x3F),
        // RTCMR, and RTCLR which reads the last value written (PL031 TRM 3.3).
        (AnyDevice::Rtc(_), 0x004 | 0x008) => Some(!0),
        // UARTIBRD, UARTFBRD, UARTIMSC (PL011 TRM 3.3).
        (AnyDevice::Uart(_), 0x024) => Some(0xFFFF),
        (AnyDevice::Uart(_), 0x028) => Some(0x3F),
        (AnyDevice::Uart(_), 0x038) => Some(0x7FF),
        // LCDUPBASE and LCDLPBASE bits 31:3, the palette (PL111 TRM 3.2).
        (AnyDevice::Lcd(_), 0x010 | 0x014) => Some(!7),
        (AnyDevice::Lcd(_), 0x200..=0x3FC) => Some(!0),
        _ => None,
    }
}

/// The PrimeCell ID block (0xFE0-0xFFC) of every window whose component ID starts 0x0D, 0xF0,
/// 0x05 (the CX's VIC ends it with 0x81, not 0xB1), by window base.
fn primecell_ids(machine: &mut Machine) -> Vec<(u32, [u32; 8])> {
    let bases: Vec<u32> = machine.board.slots().iter().map(|s| s.base).collect();
    let mut cells = Vec::new();
    for base in bases {
        let mut ids = [0; 8];
        for (i, id) in ids.iter_mut().enumerate() {
            let at = base + 0xFE0 + 4 * i as u32;
            *id = machine.board.read(at, Size::Word, origin(machine)).unwrap();
        }
        if ids[4..7] == [0x0D, 0xF0, 0x05] {
            cells.push((base, ids));
        }
    }
    cells
}

/// Lets `cycles` of machine time pass, the guest idling.
fn run(machine: &mut Machine, cycles: u64) {
    let _ = machine.run_cycles(cycles);
}

/// One random access by the bus, with the checks that apply to it.
fn access(rng: &mut Rng, machine: &mut Machine, focus: usize) {
    let addr = address(rng, &machine.board, focus);
    let size = rng.pick(&SIZES);
    if rng.below(2) == 0 {
        let _ = machine.board.read(addr, size, origin(machine));
        return;
    }
    let v = value(rng);
    let uart =
        machine.board.slots().iter().position(|s| {
            matches!(s.device, AnyDevice::Uart(_)) && addr.wrapping_sub(s.base) < s.size
        });
    // UARTDR with loopback off: the byte leaves at once (the model's transmitter).
    let transmits = uart.is_some_and(|_| addr & 0xFFF == 0)
        && size == Size::Word
        && machine.board.peek(addr + 0x30, Size::Word).unwrap() & 0x80 == 0;
    if transmits {
        machine.board.take_uart_output();
    }
    let _ = machine.board.write(addr, size, v, origin(machine));
    if transmits {
        assert_eq!(machine.board.take_uart_output(), [v as u8]);
    }
    if size != Size::Word || addr & 3 != 0 {
        return;
    }
    let mask = machine
        .board
        .slots()
        .iter()
        .find(|s| addr.wrapping_sub(s.base) < s.size)
        .and_then(|s| read_back_mask(&s.device, addr - s.base));
    if let Some(mask) = mask {
        let back = machine
            .board
            .read(addr, Size::Word, origin(machine))
            .unwrap();
        assert_eq!(
            back & mask,
            v & mask,
            "{addr:#010x} written {v:#010x}, read back {back:#010x}"
        );
    }
}

/// Draws the LCD with a random pixel format, byte order and frame base; checks that a
/// controller without LcdEn and LcdPwr, or a frame nowhere in memory, draws black.
fn screenshot(rng: &mut Rng, machine: &mut Machine, frame: &mut [u32; WIDTH * HEIGHT]) {
    let lcd = machine
        .board
        .slots()
        .iter()
        .find(|s| matches!(s.device, AnyDevice::Lcd(_)))
        .unwrap()
        .base;
    // (frame base, whether no line of any frame from there is in memory)
    let random = rng.next_u32();
    let (base, nowhere) = rng.pick(&[
        (0x1000_0000, false),
        (0x13FF_FFF8, false),
        (0x13FD_A800, false),
        (0xA401_FFF8, false),
        (0x0007_FFF8, false),
        (0xFFFF_FFF8, false),
        (0x2000_0000, true),
        (0x9000_0000, true),
        (random, false),
    ]);
    let control = (rng.below(8) as u32) << 1 | rng.pick(&[0, 1 << 8, 1 << 9, 1 << 10]) | 0x801;
    let control = if rng.below(8) == 0 {
        control & !rng.pick(&[1, 0x800])
    } else {
        control
    };
    // Enabling the controller starts the frame at LCDUPBASE (else it waits for the next frame).
    let o = origin(machine);
    for (register, v) in [(0x18, 0), (0x10, base), (0x18, control)] {
        machine
            .board
            .write(lcd + register, Size::Word, v, o)
            .unwrap();
    }
    machine.board.render_lcd(frame);
    if control & 0x801 != 0x801 || nowhere {
        assert!(
            frame.iter().all(|&p| p == 0),
            "base {base:#x} control {control:#x}"
        );
    }
}

/// Looks at the devices through the monitor and the debugger's reads.
fn inspect(rng: &mut Rng, machine: &mut Machine, monitor: &mut Monitor, cells: usize) {
    let all = monitor.execute(machine, "devices").unwrap();
    assert_eq!(all.matches("PrimeCell part").count(), cells, "{all}");
    monitor.execute(machine, "irq").unwrap();
    let focus = rng.next_u32() as usize;
    let addr = address(rng, &machine.board, focus);
    let slot = &machine.board.slots()[rng.below(machine.board.slots().len())];
    let name = slot.name.clone();
    monitor
        .execute(machine, &format!("devices {name}"))
        .unwrap();
    let _ = monitor.execute(machine, &format!("devices {addr:#x}"));
    for unit in ["b", "h", "w"] {
        let _ = monitor.execute(machine, &format!("x/16{unit} -p {addr:#x}"));
        let _ = monitor.execute(machine, &format!("x/16{unit} -p {:#x}", addr & !3));
    }
    let _ = monitor.execute(machine, &format!("dis {:#x} 4", addr & !3));
    for size in SIZES {
        let _ = machine.board.peek(addr, size);
    }
}

/// Checks that the PrimeCell IDs read as they did at power-on, at one of the window's copies.
fn check_ids(rng: &mut Rng, machine: &mut Machine, cells: &[(u32, [u32; 8])]) {
    for &(base, ids) in cells {
        for (i, &id) in ids.iter().enumerate() {
            let at = base + 0xFE0 + 4 * i as u32;
            let now = machine.board.read(at, Size::Word, origin(machine)).unwrap();
            assert_eq!(now, id, "PrimeCell ID at {at:#010x}");
            if rng.below(4) == 0 {
                let lane = machine.board.read(at, Size::Byte, origin(machine)).unwrap();
                assert_eq!(lane, id & 0xFF);
            }
        }
    }
}

/// Resets the machine as a guest does, through the misc block, and checks that every device
/// reads as on a new board, except what a reset keeps (`Board::take_memory_from`: the RTC and
/// the fastboot RAM). A register of the VIC is set first, so that a reset that did not happen
/// shows.
fn reset(machine: &mut Machine) {
    for (addr, v) in [(0xDC00_0034, 0x1234), (MISC_RESET, 0)] {
        machine
            .board
            .write(addr, Size::Word, v, origin(machine))
            .unwrap();
    }
    run(machine, 1);
    let mut fresh = Board::new(&machine.config, 0);
    // Only the RTC, which the reset kept, may assert its line; the VIC shows it.
    let rtc_line = machine
        .board
        .slots()
        .iter()
        .find(|s| matches!(s.device, AnyDevice::Rtc(_)))
        .and_then(|s| s.irq)
        .unwrap();
    assert_eq!(machine.board.lines.data[0] & !(1 << rtc_line), 0);
    fresh.lines = machine.board.lines;
    let words = (0..0x100)
        .chain(0x200..0x240)
        .chain(0xC00..0xC40)
        .chain(0xF00..0x1000);
    for (slot, new) in machine.board.slots().iter().zip(fresh.slots()) {
        if matches!(slot.device, AnyDevice::Rtc(_)) || slot.name == "fastboot RAM" {
            continue;
        }
        for offset in words.clone().step_by(4) {
            let addr = slot.base + offset;
            assert_eq!(
                machine.board.peek(addr, Size::Word),
                fresh.peek(new.base + offset, Size::Word),
                "{} +{offset:#x} after a reset",
                slot.name
            );
        }
    }
}

/// After a reset by the guest, the machine runs a program: RAM and the UART work.
fn check_program_runs(machine: &mut Machine) {
    reset(machine);
    assert!(machine.board.load(PROGRAM_AT, &bytes(&PROGRAM)));
    machine.cpu.set_pc(PROGRAM_AT);
    machine.board.take_uart_output();
    run(machine, 100);
    let mut stored = [0; 4];
    assert!(machine.board.read_ram(PROGRAM_AT + 0x100, &mut stored));
    assert_eq!(u32::from_le_bytes(stored), 42);
    assert_eq!(machine.board.take_uart_output(), b"K");
}

fn fuzz_board(seed: u64, steps: usize) {
    let mut rng = Rng(seed);
    let mut machine = machine();
    let mut monitor = Monitor::new();
    let mut frame = Box::new([0u32; WIDTH * HEIGHT]);
    let cells = primecell_ids(&mut machine);
    assert!(cells.len() >= 8, "the CX's PrimeCells: {cells:x?}");
    let mut focus = 0;
    for step in 0..steps {
        if rng.below(500) == 0 {
            focus = rng.next_u32() as usize;
        }
        match rng.below(1000) {
            0..=949 => access(&mut rng, &mut machine, focus),
            950..=979 => run(&mut machine, rng.below(4000) as u64),
            980..=984 => run(&mut machine, rng.below(2_000_000) as u64),
            985..=989 => {
                let (row, col) = (rng.below(10), rng.below(13));
                machine.board.set_key(row, col, rng.below(2) == 0);
            }
            990..=991 => machine.board.set_on_key(rng.below(2) == 0),
            992..=994 => {
                let len = rng.below(40);
                let input = rng.bytes(len);
                machine.board.push_uart_input(&input, machine.cpu.cycles());
            }
            995..=996 => screenshot(&mut rng, &mut machine, &mut frame),
            997 => inspect(&mut rng, &mut machine, &mut monitor, cells.len()),
            998 => check_ids(&mut rng, &mut machine, &cells),
            _ => reset(&mut machine),
        }
        if step % 50_000 == 0 {
            // RTC seconds, and a long stretch for everything else.
            let second = machine.config.cpu_hz;
            run(&mut machine, 3 * second / 2);
        }
    }
    check_ids(&mut rng, &mut machine, &cells);
    check_program_runs(&mut machine);
}

#[test]
fn random_accesses_to_every_device_never_panic() {
    for seed in [
        0x9E37_79B9_7F4A_7C15,
        0x0123_4567_89AB_CDEF,
        0xD1B5_4A32_D192_ED03,
    ] {
        fuzz_board(seed, 150_000);
    }
}

/// A register value for the CPU test: mostly in a device window, sometimes in RAM or anywhere.
fn register(rng: &mut Rng, board: &Board) -> u32 {
    match rng.below(8) {
        0..=4 => {
            let focus = rng.next_u32() as usize;
            address(rng, board, focus)
        }
        5 => PROGRAM_AT + rng.below(0x1_0000) as u32,
        6 => rng.pick(&[0, 1, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF, 0xFFFF_FFFC]),
        _ => rng.next_u32(),
    }
}

#[test]
fn random_instructions_on_the_real_machine_never_panic() {
    let mut rng = Rng(0x2545_F491_4F6C_DD1D);
    let mut machine = machine();
    let cells = primecell_ids(&mut machine);
    // Random code in SDRAM, freshly random around each start.
    let code = rng.bytes(0x1_0000);
    assert!(machine.board.load(PROGRAM_AT, &code));
    for _ in 0..60_000 {
        let pc = PROGRAM_AT + (rng.below(0x1_0000 - 64) as u32 & !1);
        let board = &machine.board;
        machine.cpu = random_cpu(&mut rng, pc, |rng| register(rng, board));
        let code = rng.bytes(64);
        assert!(machine.board.load(pc & !0x3F, &code));
        for _ in 0..4 {
            let _ = machine.run_cycles(1 + rng.below(8) as u64);
        }
    }
    check_ids(&mut rng, &mut machine, &cells);
    check_program_runs(&mut machine);
}
