//! The interpreter never panics: random instruction words executed from random CPU states
//! (every mode, ARM and Thumb, random registers and flags) over random memory, with some
//! addresses mapped and some not.

use emu::bus::FlatBus;
use emu::cpu::{psr, Cpu, Mode};

/// xorshift64*: a small deterministic generator, so a failure reproduces from its seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u32 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 32) as u32
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.next() as usize % items.len()]
    }
}

const MEMORY: usize = 0x1_0000;

/// A register value: often inside the mapped memory, sometimes an edge value or anywhere.
fn value(rng: &mut Rng) -> u32 {
    match rng.next() % 4 {
        0 => rng.next() % MEMORY as u32,
        1 => rng.pick(&[0, 1, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF, 0xFFFF_FFFC]),
        _ => rng.next(),
    }
}

fn random_state(rng: &mut Rng, bus: &mut FlatBus) -> Cpu {
    let mut cpu = Cpu::new();
    cpu.semihosting = rng.next().is_multiple_of(2);
    for mode in Mode::ALL {
        cpu.set_cpsr(mode as u32 | psr::I | psr::F);
        for n in 0..15 {
            cpu.set_reg(n, value(rng));
        }
        cpu.set_spsr(rng.next());
    }
    let thumb = if rng.next().is_multiple_of(2) {
        psr::T
    } else {
        0
    };
    let mode = rng.pick(&Mode::ALL) as u32;
    cpu.set_cpsr((rng.next() & 0xF800_00C0) | thumb | mode);
    if rng.next().is_multiple_of(8) {
        cpu.cp15.control |= rng.next() & (emu::cpu::cp15::control::V | emu::cpu::cp15::control::L4);
    }
    let pc = (rng.next() % (MEMORY as u32 - 8)) & !1;
    cpu.set_pc(pc);
    let words: Vec<u8> = (0..64).map(|_| rng.next() as u8).collect();
    bus.load(pc & !0x3F, &words);
    cpu
}

#[test]
fn random_instructions_from_random_states_never_panic() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut bus = FlatBus::new(MEMORY);
    let fill: Vec<u8> = (0..MEMORY).map(|_| rng.next() as u8).collect();
    bus.load(0, &fill);
    for _ in 0..200_000 {
        let mut cpu = random_state(&mut rng, &mut bus);
        // A few instructions each, so that what follows a first one runs too.
        for _ in 0..4 {
            cpu.step(&mut bus);
            if rng.next().is_multiple_of(16) {
                cpu.set_irq_line(true);
            }
        }
        let _ = cpu.run(&mut bus, 8);
    }
}
