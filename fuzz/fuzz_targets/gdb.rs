//! The GDB stub: a client's bytes (packets, acknowledgements, Ctrl-C, garbage) through the
//! packet parser and every command, on the small CX of `small_cx` running a short program. A
//! mutation breaks a packet's checksum, and the stub drops such packets, so the harness first
//! writes the right checksum after every `$...#` it frames as the stub does; an input
//! starting with `!` goes as it is, for the bad-checksum path.
#![no_main]

#[path = "small_cx.rs"]
mod small_cx;

use libfuzzer_sys::fuzz_target;

/// `bytes` with the two characters after each packet's `#` replaced by the packet's checksum.
fn with_checksums(bytes: &[u8]) -> Vec<u8> {
    let mut out = bytes.to_vec();
    let mut at = 0;
    while let Some(start) = out[at..].iter().position(|&b| b == b'$').map(|p| at + p) {
        let Some(hash) = out[start..]
            .iter()
            .position(|&b| b == b'#')
            .map(|p| start + p)
        else {
            break;
        };
        let sum = out[start + 1..hash]
            .iter()
            .fold(0u8, |a, &b| a.wrapping_add(b));
        let hex = format!("{sum:02x}");
        for (i, &h) in hex.as_bytes().iter().enumerate() {
            if let Some(b) = out.get_mut(hash + 1 + i) {
                *b = h;
            }
        }
        at = hash + 1;
    }
    out
}

fuzz_target!(|bytes: &[u8]| {
    // The small CX: each resume records the machine for reverse execution, a copy of its
    // memory among it, which on the CX's 64 MiB made this harness run at 40 inputs a second.
    let mut machine = small_cx::small_cx().expect("the ROM loads");
    // At the start of SDRAM (over the ROM's data, which this program does not use): mov r0, #1; mov r2, #16; loop: add r0, r0, #1; str r0, [r1];
    // subs r2, r2, #1; bne loop; b . (IRQs masked: the machine halts, so `c` ends soon).
    let code: Vec<u8> = [
        0xE3A0_0001u32,
        0xE3A0_2010,
        0xE280_0001,
        0xE581_0000,
        0xE252_2001,
        0x1AFF_FFFB,
        0xEAFF_FFFE,
    ]
    .iter()
    .flat_map(|w| w.to_le_bytes())
    .collect();
    machine.board.load(0x1000_0000, &code);
    machine.cpu.set_pc(0x1000_0000);
    machine.cpu.set_reg(1, 0x1000_0800);
    match bytes.strip_prefix(b"!") {
        Some(raw) => emu::gdb::replay(&mut machine, raw),
        None => emu::gdb::replay(&mut machine, &with_checksums(bytes)),
    };
});
