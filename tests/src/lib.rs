//! Cross-crate integration and conformance tests live in `tests/tests/`; this library holds
//! what several of them share.

use emu::cpu::cp15::control;
use emu::cpu::{psr, Cpu, Mode};

/// xorshift64*: a small deterministic generator for the fuzz tests, so a failure reproduces
/// from its seed.
pub struct Rng(pub u64);

impl Rng {
    pub fn next_u32(&mut self) -> u32 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 32) as u32
    }

    /// A number in 0..n (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        self.next_u32() as usize % n
    }

    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }

    pub fn bytes(&mut self, len: usize) -> Vec<u8> {
        (0..len).map(|_| self.next_u32() as u8).collect()
    }
}

/// A CPU in a random state at `pc`: every mode's registers from `value` and a random SPSR,
/// random flags, ARM or Thumb, any mode, semihosting on or off, sometimes high vectors or the
/// ARMv4 load behaviour (CP15 control V and L4).
pub fn random_cpu(rng: &mut Rng, pc: u32, value: impl Fn(&mut Rng) -> u32) -> Cpu {
    let mut cpu = Cpu::new();
    cpu.semihosting = rng.next_u32().is_multiple_of(2);
    for mode in Mode::ALL {
        cpu.set_cpsr(mode as u32 | psr::I | psr::F);
        for n in 0..15 {
            cpu.set_reg(n, value(rng));
        }
        cpu.set_spsr(rng.next_u32());
    }
    let thumb = if rng.next_u32().is_multiple_of(2) {
        psr::T
    } else {
        0
    };
    let mode = rng.pick(&Mode::ALL) as u32;
    cpu.set_cpsr((rng.next_u32() & 0xF800_00C0) | thumb | mode);
    if rng.next_u32().is_multiple_of(8) {
        cpu.cp15.control |= rng.next_u32() & (control::V | control::L4);
    }
    cpu.set_pc(pc);
    cpu
}
