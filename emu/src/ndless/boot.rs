//! Starting an Ndless program as TI-OS with Ndless would, without TI-OS: the program relocated
//! into SDRAM, the MMU on with TI-OS-like tables, exception vectors in SRAM at virtual address 0
//! with the emulator's handlers, the LCD showing a 320x240 RGB565 screen, the 100 Hz tick of
//! timer 2 on IRQ 19, the keypad scanning, a stack, a heap, and `main(argc, argv)` entered in
//! SVC mode with IRQ and FIQ masked (Ndless's `ld_exec_with_args`).

use super::heap::Heap;
use super::layout::*;
use super::program::Program;
use super::{gc, screen, Answer, Call, Ndless, KIND_PRIVATE};
use crate::bus::{Bus, Origin, Size};
use crate::cpu::cp15::{control, RegAddr};
use crate::cpu::{psr, Exception, Mode};
use crate::guest::GuestMemory;
use crate::machine::Machine;

/// The emulator's private calls (`swi #(0xE00000 | n)`), made by its code page.
const RETURN_FROM_MAIN: u32 = 0;
/// 1 to 5: an exception with no handler, in the order of [`CRASHES`].
const CRASHES: [Exception; 5] = [
    Exception::Undefined,
    Exception::PrefetchAbort,
    Exception::DataAbort,
    Exception::Reset, // the reserved vector: nothing branches there
    Exception::Fiq,
];

/// 0x10 to 0x16: `nl_lcd_blit`'s function for buffer type 0 to 6 ([`screen::blit`]).
const BLIT: u32 = 0x10;
/// The return of a program `nl_exec` ran ([`super::exec::finish`]).
pub(super) const EXEC_RETURN: u32 = 0x20;

/// The code page's offsets.
const STUB_RETURN: u32 = 0;
const STUB_CRASH: u32 = 4;
const STUB_IRQ: u32 = 0x18;
/// The blit functions, two instructions each.
const STUB_BLIT: u32 = 0x34;
/// Where a program `nl_exec` runs returns to.
const STUB_EXEC_RETURN: u32 = 0x6C;

/// `swi #(0xE00000 | n)`: private call `n`.
const fn private_swi(n: u32) -> u32 {
    0xEF00_0000 | KIND_PRIVATE | n
}

/// `bx lr`.
const RETURN: u32 = 0xE12F_FF1E;

/// The code page: the return from `main`, one call per exception with no handler, the IRQ
/// handler of TI-OS's tick (it acknowledges timer 2 and returns), and the functions
/// `nl_lcd_blit` gives, one per buffer type (`swi` then `bx lr`: the emulator's `swi` leaves
/// `lr` as it was), and where a program `nl_exec` ran returns to.
#[rustfmt::skip]
const STUBS_CODE: [u32; 28] = [
    0xEF00_0000 | KIND_PRIVATE | RETURN_FROM_MAIN, // swi: main returned
    0xEF00_0000 | KIND_PRIVATE | 1,                // swi: undefined instruction
    0xEF00_0000 | KIND_PRIVATE | 2,                // swi: prefetch abort
    0xEF00_0000 | KIND_PRIVATE | 3,                // swi: data abort
    0xEF00_0000 | KIND_PRIVATE | 4,                // swi: the reserved vector
    0xEF00_0000 | KIND_PRIVATE | 5,                // swi: FIQ
    0xE92D_0003, // irq: push {r0, r1}
    0xE59F_000C, //      ldr r0, [pc, #12]   (TIMER2_CLEAR below)
    0xE3A0_1001, //      mov r1, #1
    0xE580_1000, //      str r1, [r0]
    0xE8BD_0003, //      pop {r0, r1}
    0xE25E_F004, //      subs pc, lr, #4
    0x900D_000C, // timer 2's interrupt clear register
    private_swi(BLIT), RETURN,     // blit: SCR_320x240_565
    private_swi(BLIT + 1), RETURN, // SCR_320x240_4
    private_swi(BLIT + 2), RETURN, // SCR_240x320_565
    private_swi(BLIT + 3), RETURN, // SCR_320x240_16
    private_swi(BLIT + 4), RETURN, // SCR_320x240_8
    private_swi(BLIT + 5), RETURN, // SCR_320x240_555
    private_swi(BLIT + 6), RETURN, // SCR_240x320_555
    private_swi(EXEC_RETURN),      // exec return: a program nl_exec ran returned
];

/// The address a program `nl_exec` runs returns to.
pub(super) fn exec_return() -> u32 {
    STUBS + STUB_EXEC_RETURN
}

/// The address of the blit function for buffer type `kind` (0 to [`screen::BUFFER_TYPES`]
/// less one).
pub(super) fn blit_stub(kind: u32) -> u32 {
    STUBS + STUB_BLIT + 8 * kind
}

/// `ldr pc, [pc, #0x18]`: a vector that jumps to the handler address 0x20 bytes above it.
const VECTOR: u32 = 0xE59F_F018;

// Devices as TI-OS leaves them for a program (docs/hardware.md sections 2.2, 2.5, 2.6).
const LCD: u32 = 0xC000_0000;
/// LCDControl: enabled, powered, TFT, 16 bpp 5:6:5, BGR (as the kit's `lcd_init`).
const LCD_CONTROL_565: u32 = 1 | 6 << 1 | 1 << 5 | 1 << 8 | 1 << 11;
/// LCDTiming0-3 for 320x240 at 60 Hz from the 12 MHz CLCDCLK (as the kit's `lcd_init`).
const LCD_TIMING: [u32; 4] = [
    35 << 24 | 37 << 16 | 5 << 8 | 19 << 2,
    6 << 24 | 3 << 16 | 239,
    319 << 16,
    0,
];
const TIMER2: u32 = 0x900D_0000;
/// 32768 Hz / 328: the 100 Hz tick (99.9 Hz).
const TICK_LOAD: u32 = 328;
/// Timer enable, periodic, interrupt enable, 32-bit.
const TICK_CONTROL: u32 = 0x80 | 0x40 | 0x20 | 0x02;
const TICK_LINE: u32 = 19;
const VIC_INT_ENABLE: u32 = 0xDC00_0010;
const KEYPAD_SCAN_MODE: u32 = 0x900E_0000;
/// Continuous scanning, with the kit's row delay and interval.
const KEYPAD_SCANNING: u32 = 33000 << 16 | 6600 << 2 | 3;

/// Section descriptor bits: section, bit 4 (should be one on the ARM926EJ-S), full access.
const SECTION: u32 = 0b10 | 1 << 4 | 0b11 << 10;
/// Cacheable, bufferable.
const CACHED: u32 = 0b11 << 2;

/// Loads `program` and starts it with these arguments (`argv[0]` first), its heap given to
/// `ndless`. The machine must be a CX as the built-in description has it.
pub fn start(
    machine: &mut Machine,
    ndless: &mut Ndless,
    program: &Program,
    argv: &[String],
) -> Result<(), String> {
    let end = PROGRAM
        .checked_add(program.size())
        .filter(|&end| end < HEAP_END - 0x1_0000)
        .ok_or_else(|| {
            format!(
                "the program needs {} bytes: more than memory holds",
                program.size()
            )
        })?;
    let load = |machine: &mut Machine, addr: u32, bytes: &[u8]| {
        if machine.board.load(addr, bytes) {
            Ok(())
        } else {
            Err(format!(
                "the machine has no memory at {addr:#010x} (not a CX?)"
            ))
        }
    };
    load(machine, PROGRAM, &program.relocated(PROGRAM))?;
    load(machine, PAGE_TABLE, &page_table())?;
    load(machine, STUBS, &words(&STUBS_CODE))?;
    load(machine, SRAM, &vectors())?;
    load(machine, VARIABLES, &[0; 0x200])?;
    load(machine, KEYPAD_TYPE, &[4])?;
    load(machine, ARGS, &arguments(argv)?)?;

    let cpu = &mut machine.cpu;
    cpu.reset();
    for (crn, value) in [
        (2, PAGE_TABLE),
        (3, 0x5555_5555),
        (1, control::M | control::C | control::I),
    ] {
        let reg = RegAddr {
            opc1: 0,
            crn,
            crm: 0,
            opc2: 0,
        };
        cpu.cp15
            .write(reg, value)
            .map_err(|_| "CP15 refused a register".to_string())?;
    }
    cpu.control_changed();
    let masked = psr::I | psr::F;
    for (mode, sp) in [
        (Mode::Irq, IRQ_STACK_TOP),
        (Mode::Abort, ABORT_STACK_TOP),
        (Mode::Undefined, ABORT_STACK_TOP),
    ] {
        cpu.set_cpsr(mode as u32 | masked);
        cpu.set_reg(13, sp);
    }
    cpu.set_cpsr(Mode::Supervisor as u32 | masked);
    cpu.set_reg(0, argv.len() as u32);
    cpu.set_reg(1, ARGS);
    cpu.set_reg(13, STACK_TOP);
    cpu.set_reg(14, STUBS + STUB_RETURN);
    cpu.set_pc(PROGRAM + program.entry);
    cpu.os_calls = true;

    let now = cpu.cycles();
    let origin = Origin { now, pc: 0 };
    let mut write = |addr: u32, value: u32| {
        machine
            .board
            .write(addr, Size::Word, value, origin)
            .map_err(|_| format!("no device answers at {addr:#010x} (not a CX?)"))
    };
    for (i, &value) in LCD_TIMING.iter().enumerate() {
        write(LCD + 4 * i as u32, value)?;
    }
    write(LCD + 0x10, SCREEN)?;
    write(LCD + 0x18, LCD_CONTROL_565)?;
    // Ndless loads a palette of 16 grays, black to white, for programs that switch the LCD to
    // 4 bits a pixel (libndls's lcd_ingray): entries of 5:5:5 (TRM, "Color Palette Register"),
    // two a word.
    for pair in 0..8u32 {
        let gray = |i: u32| {
            let g = (i * 31 + 7) / 15;
            g << 10 | g << 5 | g
        };
        write(
            LCD + 0x200 + 4 * pair,
            gray(2 * pair) | gray(2 * pair + 1) << 16,
        )?;
    }
    write(TIMER2, TICK_LOAD)?;
    write(TIMER2 + 0x08, TICK_CONTROL)?;
    write(VIC_INT_ENABLE, 1 << TICK_LINE)?;
    write(KEYPAD_SCAN_MODE, KEYPAD_SCANNING)?;

    let heap_start = (end + 0xFFFF) & !0xFFFF;
    let heap = Heap {
        start: heap_start,
        end: HEAP_END,
    };
    heap.init(&mut PhysicalMemory(&mut machine.board))
        .map_err(|_| "the heap lies outside memory (not a CX?)".to_string())?;
    gc::create_global(&mut PhysicalMemory(&mut machine.board))
        .map_err(|_| "the screen's graphics context lies outside memory (not a CX?)".to_string())?;
    ndless.heap = heap;
    ndless.prg_base = program.prg.then_some(PROGRAM);
    ndless.documents.restart();
    Ok(())
}

/// The page table: sections, virtual = physical, SDRAM cached, everything from 0x80000000 up
/// (the devices) uncached; the first megabyte maps the SRAM.
fn page_table() -> Vec<u8> {
    let mut table = vec![0u32; 4096];
    for (index, entry) in table.iter_mut().enumerate() {
        let base = (index as u32) << 20;
        *entry = match base {
            0x1000_0000..=0x13F0_0000 => base | SECTION | CACHED,
            0x8000_0000.. => base | SECTION,
            _ => 0,
        };
    }
    table[0] = SRAM | SECTION | CACHED;
    words(&table)
}

/// The vector page: eight `ldr pc, [pc, #0x18]`, then the handlers' addresses.
fn vectors() -> Vec<u8> {
    let crash = |n: u32| STUBS + STUB_CRASH + 4 * n;
    let handlers = [
        crash(3),         // reset: as the reserved vector
        crash(0),         // undefined instruction
        crash(3),         // SWI: never taken, every SWI is an OS call
        crash(1),         // prefetch abort
        crash(2),         // data abort
        crash(3),         // reserved
        STUBS + STUB_IRQ, // IRQ
        crash(4),         // FIQ
    ];
    let mut page = vec![VECTOR; 8];
    page.extend(handlers);
    words(&page)
}

/// `argv`: the pointers, NULL-terminated, then the strings.
fn arguments(argv: &[String]) -> Result<Vec<u8>, String> {
    let pointers = 4 * (argv.len() as u32 + 1);
    let mut strings = Vec::new();
    let mut table = Vec::new();
    for arg in argv {
        table.push(ARGS + pointers + strings.len() as u32);
        strings.extend(arg.as_bytes());
        strings.push(0);
    }
    table.push(0);
    let mut bytes = words(&table);
    bytes.extend(strings);
    if bytes.len() > ARGS_SIZE as usize {
        return Err(format!(
            "the program's arguments take more than {ARGS_SIZE} bytes"
        ));
    }
    Ok(bytes)
}

fn words(values: &[u32]) -> Vec<u8> {
    values.iter().flat_map(|w| w.to_le_bytes()).collect()
}

/// A private call from the code page.
pub(super) fn private(index: u32, call: &Call, mem: &mut dyn GuestMemory) -> Answer {
    match index {
        BLIT.. if index - BLIT < screen::BUFFER_TYPES => {
            screen::blit(index - BLIT, call, mem).unwrap_or(Answer::BadPointer)
        }
        RETURN_FROM_MAIN => Answer::Exit(call.args[0] as i32),
        1..=5 => {
            let exception = CRASHES[index as usize - 1];
            // Where it happened, from the link register as the exception set it.
            let back = match exception {
                Exception::DataAbort => 8,
                _ => 4,
            };
            Answer::Crash(exception, call.lr.wrapping_sub(back))
        }
        _ => Answer::Unsupported,
    }
}

/// The name of private call `index`, for a person.
pub(super) fn private_name(index: u32) -> String {
    match index {
        RETURN_FROM_MAIN => "the return from main".to_string(),
        EXEC_RETURN => "the return of a program nl_exec ran".to_string(),
        BLIT.. if index - BLIT < screen::BUFFER_TYPES => {
            format!("nl_lcd_blit's function for buffer type {}", index - BLIT)
        }
        _ => format!("the emulator's call {index}"),
    }
}

/// Physical memory as guest memory, for setting up before the MMU's tables are in force.
pub(super) struct PhysicalMemory<'a>(pub(super) &'a mut crate::board::Board);

impl GuestMemory for PhysicalMemory<'_> {
    fn read_bytes(&mut self, addr: u32, buf: &mut [u8]) -> Result<(), crate::guest::MemoryError> {
        self.0
            .read_ram(addr, buf)
            .then_some(())
            .ok_or(crate::guest::MemoryError)
    }

    fn write_bytes(&mut self, addr: u32, data: &[u8]) -> Result<(), crate::guest::MemoryError> {
        self.0
            .load(addr, data)
            .then_some(())
            .ok_or(crate::guest::MemoryError)
    }

    fn board(&mut self) -> Option<&mut crate::board::Board> {
        Some(self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frontend::setup::SharedBuffer;
    use crate::machine::{Exit, Halt};
    use devices::pl111;

    /// A Zehn program of these ARM instructions, with no relocations.
    fn program(code: &[u32]) -> Program {
        let image = words(code);
        let mut file = words(&[
            0x6E68_655A,
            1,
            32 + image.len() as u32,
            0,
            0,
            0,
            32 + image.len() as u32,
            0,
        ]);
        file.extend(image);
        super::super::program::parse(&file).unwrap()
    }

    fn run(code: &[u32]) -> (Exit, Machine, String) {
        let mut machine = Machine::nspire_cx(0);
        let out = SharedBuffer::default();
        let service = Ndless::new(Box::new(out.clone()), Box::new(out.clone()));
        let argv = ["/documents/t.tns".to_string(), "one".to_string()];
        machine.boot_ndless(&program(code), &argv, service).unwrap();
        let exit = machine.run(Some(10_000_000));
        (exit, machine, out.text())
    }

    #[test]
    fn main_gets_argc_argv_in_svc_mode_with_interrupts_masked_and_its_value_is_the_status() {
        let (exit, machine, out) = run(&[
            0xE10F_2000, // mrs r2, cpsr
            0xE591_0000, // ldr r0, [r1]: argv[0]
            0xEF00_0016, // swi #22: puts
            0xE1A0_0002, // mov r0, r2
            0xE12F_FF1E, // bx lr: back to the emulator
        ]);
        assert_eq!(out, "/documents/t.tns\n");
        assert_eq!(
            exit,
            Exit::Guest((Mode::Supervisor as u32 | psr::I | psr::F) as i32)
        );
        assert_eq!(
            machine.cpu.cp15.control & control::M,
            control::M,
            "the MMU is on"
        );
        let lcd = machine.board.peek(LCD + 0x18, Size::Word).unwrap();
        assert_eq!(lcd, LCD_CONTROL_565);
    }

    #[test]
    fn an_exception_with_no_handler_of_the_program_ends_the_run() {
        let (exit, ..) = run(&[0xE1A0_0000, 0xE7F0_00F0]); // nop; udf
        assert_eq!(
            exit,
            Exit::Halted(Halt::Crash {
                exception: Exception::Undefined,
                pc: PROGRAM + 4
            })
        );
    }

    #[test]
    fn an_unknown_call_ends_the_run_naming_it() {
        let (exit, ..) = run(&[0xEF00_0123]); // swi #0x123
        assert_eq!(
            exit,
            Exit::OsCall {
                number: 0x123,
                pc: PROGRAM,
                bad_pointer: false
            }
        );
        assert!(exit.reason().contains("OS call 291"), "{}", exit.reason());
    }

    /// A program fills a 320x240 RGB565 buffer with blue, asks `nl_lcd_blit` for the function
    /// of its type and calls it: the LCD shows the buffer.
    #[test]
    fn the_code_page_has_each_call_at_its_offset() {
        let at = |offset: u32| STUBS_CODE[(offset / 4) as usize];
        assert_eq!(at(STUB_RETURN), private_swi(RETURN_FROM_MAIN));
        assert_eq!(at(STUB_CRASH), private_swi(1));
        assert_eq!(at(STUB_BLIT), private_swi(BLIT));
        assert_eq!(at(STUB_EXEC_RETURN), private_swi(EXEC_RETURN));
    }

    #[test]
    fn the_blit_function_copies_the_buffer_to_the_screen() {
        let (exit, machine, _) = run(&[
            0xE92D_4030, // push {r4, r5, lr}
            0xE3A0_0B96, // mov r0, #0x25800: 320 x 240 x 2 bytes
            0xEF00_0005, // swi #5: malloc
            0xE1A0_5000, // mov r5, r0
            0xE3A0_101F, // mov r1, #0x1F: blue
            0xE3A0_2B96, // mov r2, #0x25800
            0xE252_2002, // 1: subs r2, r2, #2
            0xE185_10B2, //    strh r1, [r5, r2]
            0x1AFF_FFFC, //    bne 1b
            0xE3A0_0000, // mov r0, #0: SCR_320x240_565
            0xEF20_000D, // swi #0x20000D: nl_lcd_blit
            0xE1A0_4000, // mov r4, r0
            0xE1A0_0005, // mov r0, r5
            0xE12F_FF34, // blx r4
            0xE1A0_0004, // mov r0, r4: the function, as the status
            0xE8BD_8030, // pop {r4, r5, pc}
        ]);
        assert_eq!(exit, Exit::Guest(blit_stub(0) as i32));
        assert_eq!(STUBS_CODE[(STUB_BLIT / 4) as usize], private_swi(BLIT));
        let mut picture = Box::new([0; pl111::WIDTH * pl111::HEIGHT]);
        machine.board.render_lcd(&mut picture);
        assert!(picture.iter().all(|&p| p == 0x0000F8), "{:#x}", picture[0]);
    }

    /// The tick: with interrupts unmasked (TCT_Local_Control_Interrupts(0)), timer 2 interrupts
    /// the program, and the emulator's handler acknowledges it and returns.
    #[test]
    fn the_tick_interrupts_the_program_once_interrupts_are_unmasked() {
        let (exit, machine, _) = run(&[
            0xE3A0_0000, // mov r0, #0
            0xEF00_000E, // swi #14: TCT_Local_Control_Interrupts(0)
            0xE59F_1008, // ldr r1, [pc, #8]: a count of loops
            0xE251_1001, // 1: subs r1, r1, #1
            0x1AFF_FFFD, //    bne 1b
            0xE12F_FF1E, // bx lr
            1_320_000,   // about 20 ms of loops at 2 instructions each
        ]);
        // r0 is still what TCT_Local_Control_Interrupts returned: the mask before, I and F.
        assert_eq!(exit, Exit::Guest(0xC0));
        // The IRQ mode's LR is set by the last interrupt taken.
        let irq_lr = machine.cpu.reg_of(Mode::Irq, 14);
        assert!(
            (PROGRAM + 16..=PROGRAM + 20).contains(&irq_lr),
            "{irq_lr:#x}"
        );
    }
}
