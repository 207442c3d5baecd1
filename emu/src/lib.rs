//! An emulator of a TI-Nspire CX class handheld: an ARM926EJ-S core, its MMU, and the machine
//! around it. The `emu` binary is the front end; this library is everything it drives.

pub mod board;
pub mod bus;
pub mod config;
pub mod cpu;
pub mod deltas;
pub mod difftest;
pub mod dirty;
pub mod disasm;
pub mod engine;
pub mod errno;
pub mod fdt;
pub mod files;
pub mod font;
pub mod frontend;
pub mod gdb;
pub mod guest;
pub mod loader;
pub mod machine;
pub mod mmu;
pub mod monitor;
pub mod ndless;
pub mod profile;
pub mod reverse;
pub mod rom_test;
pub mod semihosting;
pub mod snapshot;
pub mod symbols;
pub mod terminal;
pub mod warnings;
