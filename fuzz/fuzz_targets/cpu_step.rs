//! One CPU step from a random state: the sixteen registers, the CPSR and an SPSR, four
//! instruction words at the PC, and data bytes at the addresses in r0-r3 and SP; every other
//! address is a bus error. Up to four instructions run.
#![no_main]

use emu::cpu::Cpu;
use emu::difftest::SparseBus;
use libfuzzer_sys::fuzz_target;

fn word(bytes: &[u8], i: usize) -> u32 {
    u32::from_le_bytes(bytes[4 * i..4 * i + 4].try_into().unwrap())
}

fuzz_target!(|bytes: &[u8]| {
    // 16 registers, CPSR, SPSR, 4 instruction words.
    const HEAD: usize = 4 * (16 + 2 + 4);
    if bytes.len() < HEAD {
        return;
    }
    let (head, data) = bytes.split_at(HEAD);
    let data = &data[..data.len().min(64)];
    let mut cpu = Cpu::new();
    cpu.set_cpsr(word(head, 16));
    cpu.set_spsr(word(head, 17));
    for n in 0..15 {
        cpu.set_reg(n, word(head, n));
    }
    let pc = word(head, 15) & !1;
    cpu.set_pc(pc);
    let code: Vec<u8> = head[4 * 18..].to_vec();
    let mut regions = vec![(pc, code)];
    for n in [0, 1, 2, 3, 13] {
        regions.push((cpu.reg(n), data.to_vec()));
    }
    let mut bus = SparseBus::new(&regions);
    for _ in 0..4 {
        cpu.step(&mut bus);
    }
});
