//! A block compiled by the x86-64 backend against the interpreter (`emu::engine::x64::trial`):
//! byte 0 chooses Thumb (bit 0) and whether r4-r13 point into the trial's RAM (bit 1); then
//! r0-r14 and the flags, 4 bytes each; then the block, up to 48 instructions (Thumb: 2 bytes
//! each, ARM: 4). The input's first 64 bytes, repeated, are the data in memory. Any difference
//! between the two is a crash.
#![no_main]

use emu::engine::x64::trial::{Trial, CODE, RAM};
use libfuzzer_sys::fuzz_target;

fn word(bytes: &[u8], i: usize) -> u32 {
    u32::from_le_bytes(bytes[1 + 4 * i..5 + 4 * i].try_into().unwrap())
}

fuzz_target!(|bytes: &[u8]| {
    const HEAD: usize = 1 + 4 * 16;
    if bytes.len() < HEAD + 2 {
        return;
    }
    let thumb = bytes[0] & 1 != 0;
    let mut regs = [0; 15];
    for (n, reg) in regs.iter_mut().enumerate() {
        *reg = word(bytes, n);
        if bytes[0] & 2 != 0 && (4..=13).contains(&n) {
            *reg = CODE + 0x1000 + *reg % (RAM - 0x2000);
        }
    }
    let size = if thumb { 2 } else { 4 };
    let code = bytes[HEAD..]
        .chunks_exact(size)
        .take(48)
        .map(|c| {
            if thumb {
                u16::from_le_bytes([c[0], c[1]]) as u32
            } else {
                u32::from_le_bytes(c.try_into().unwrap())
            }
        })
        .collect::<Vec<_>>();
    if code.is_empty() {
        return;
    }
    let trial = Trial {
        thumb,
        code,
        regs,
        flags: word(bytes, 15),
        data: bytes[..bytes.len().min(64)].to_vec(),
    };
    if let Err(difference) = trial.run(3) {
        panic!("{difference}: {trial:x?}");
    }
});
