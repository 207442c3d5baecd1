//! Where an Ndless program's world lies in the CX's memory: the emulator's stand-in for what
//! TI-OS with Ndless gives a program (its memory, the vectors, the screen, the stack and heap).
//!
//! Virtual addresses equal physical ones but for the first megabyte, which maps the SRAM at
//! 0xA4000000 as TI-OS does (the exception vectors, and the handler addresses at 0x20-0x3C that
//! programs patch). The MMU is on; one page table of sections maps SDRAM and every device window.
//!
//! ```text
//! 0x10000000  the page table (16 KiB)
//! 0x10004000  OS variables: stdin, stdout, stderr FILE blocks, errno, keypad_type
//! 0x10005000  the emulator's code: the return from main, exception and IRQ handlers, lcd_blit
//! 0x10006000  the program's arguments
//! 0x10010000  the program, then the heap up to HEAP_END
//! 0x13C00000  the stack (1 MiB, down from STACK_TOP)
//! 0x13D00000  the screen the LCD shows, 320x240 RGB565
//! 0x13D40000  the screen's graphics context for TI's drawing API, and its pixels
//! ```

/// The first-level page table.
pub const PAGE_TABLE: u32 = 0x1000_0000;
/// The OS variables' page.
pub const VARIABLES: u32 = 0x1000_4000;
/// The three FILE blocks of stdin, stdout and stderr, in this order.
pub const STD_FILES: u32 = VARIABLES;
/// The size of a FILE block.
pub const FILE_SIZE: u32 = 64;
/// `errno`, as `errno_addr` gives it.
pub const ERRNO: u32 = VARIABLES + 0x100;
/// `keypad_type`: a byte, 4 on the CX's touchpad keypad.
pub const KEYPAD_TYPE: u32 = VARIABLES + 0x104;
/// The OS variable `gui_gc_global_GC_ptr`: a word holding the screen's graphics context.
pub const GLOBAL_GC_VARIABLE: u32 = VARIABLES + 0x108;
/// The C library's statics (`strtok`'s place, `rand`'s state, `strerror`'s message): the last
/// 64 bytes of what the start of a program clears.
pub const LIBC_STATICS: u32 = VARIABLES + 0x1C0;
/// The emulator's code page (see `boot::STUBS`).
pub const STUBS: u32 = 0x1000_5000;
/// The program's `argv` and its strings.
pub const ARGS: u32 = 0x1000_6000;
/// How many bytes the arguments may take.
pub const ARGS_SIZE: u32 = 0x1000;
/// Where the program is loaded.
pub const PROGRAM: u32 = 0x1001_0000;
/// The end of the heap (the stack's lowest address).
pub const HEAP_END: u32 = 0x13C0_0000;
/// The stack's top (it grows down).
pub const STACK_TOP: u32 = 0x13D0_0000;
/// The screen the LCD shows when the program starts.
pub const SCREEN: u32 = 0x13D0_0000;
/// The SRAM the first megabyte of virtual addresses maps.
pub const SRAM: u32 = 0xA400_0000;
/// Stacks of the exception modes, in the SRAM above the vectors.
pub const IRQ_STACK_TOP: u32 = SRAM + 0x1_0000;
pub const ABORT_STACK_TOP: u32 = SRAM + 0x1_8000;
/// The screen's graphics context (`gc.rs`): its block, row table and pixels (about 151 KiB).
pub const GLOBAL_GC: u32 = 0x13D4_0000;
