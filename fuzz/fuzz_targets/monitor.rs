//! Monitor commands, one per line, on a CX holding a short program. Through the gdb entry point
//! (`monitor CMD`), which refuses what would run the machine or touch host files: a fuzzer must
//! not write files where it runs, and refusing them is part of what is tested.
#![no_main]

use emu::machine::Machine;
use emu::monitor::Monitor;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return;
    };
    let mut machine = Machine::nspire_cx(0);
    // mov r0, #1; add r0, r0, #1; str r0, [r1]; b .-8, at the start of SDRAM.
    let code: Vec<u8> = [0xE3A0_0001u32, 0xE280_0001, 0xE581_0000, 0xEAFF_FFFC]
        .iter()
        .flat_map(|w| w.to_le_bytes())
        .collect();
    machine.board.load(0x1000_0000, &code);
    machine.cpu.set_pc(0x1000_0000);
    let mut monitor = Monitor::new();
    for line in text.lines().take(64) {
        let _ = monitor.execute_for_gdb(&mut machine, line);
    }
});
