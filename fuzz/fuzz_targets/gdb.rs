//! The GDB stub: a client's bytes (packets, acknowledgements, Ctrl-C, garbage) through the packet
//! parser and every command, on a CX holding a short program.
#![no_main]

use emu::machine::Machine;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let mut machine = Machine::nspire_cx(0);
    // mov r0, #1; add r0, r0, #1; str r0, [r1]; b .-8, at the start of SDRAM.
    let code: Vec<u8> = [0xE3A0_0001u32, 0xE280_0001, 0xE581_0000, 0xEAFF_FFFC]
        .iter()
        .flat_map(|w| w.to_le_bytes())
        .collect();
    machine.board.load(0x1000_0000, &code);
    machine.cpu.set_pc(0x1000_0000);
    machine.cpu.set_reg(1, 0x1000_1000);
    emu::gdb::replay(&mut machine, bytes);
});
