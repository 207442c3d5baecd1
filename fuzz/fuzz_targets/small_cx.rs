//! The machine of the harnesses that save, load and reset states: a CX with every device of
//! the real one but only 16 KiB of memory (a state then holds kilobytes, not 64 MiB, and an
//! input that saves one still runs in a moment), holding the debugger tests' ROM
//! (roms/tests/gdb/target.elf, with its symbols and line tables) and answering its semihosting
//! calls.

use emu::config::{MachineConfig, MemoryConfig};
use emu::machine::Machine;
use emu::semihosting::{Config, Semihosting};
use emu::symbols::Symbols;

const ROM: &[u8] = include_bytes!("../../roms/tests/gdb/target.elf");

/// The ROM loaded on a small CX: its code at 0, its data at the start of SDRAM, its stacks
/// below 0x14000000 (where the CX's SDRAM ends).
pub fn small_cx() -> Result<Machine, String> {
    let mut config = MachineConfig::nspire_cx();
    config.memory = [
        ("boot ROM", 0, 0x1000, true),
        ("SDRAM", 0x1000_0000, 0x1000, false),
        ("SDRAM's top", 0x13FF_E000, 0x2000, false),
    ]
    .iter()
    .map(|&(name, base, size, read_only)| MemoryConfig {
        name: name.to_string(),
        base,
        size,
        read_only,
    })
    .collect();
    let mut machine = Machine::new(config, 0);
    let image = emu::loader::parse(ROM).map_err(|e| e.to_string())?;
    machine.load(&image).map_err(|e| e.to_string())?;
    machine.symbols = Symbols::from_elf(ROM, "target.elf")?;
    let config = Config {
        root: None,
        cmdline: "target.elf".to_string(),
        heap: machine.heap_info(&image),
        time_base: Some(0),
    };
    machine.enable_semihosting(Semihosting::new(
        config,
        Box::new(std::io::empty()),
        Box::new(std::io::sink()),
        Box::new(std::io::sink()),
    ));
    Ok(machine)
}
