//! The interpreter never panics: random instruction words executed from random CPU states
//! (every mode, ARM and Thumb, random registers and flags) over random memory, with some
//! addresses mapped and some not.

use emu::bus::FlatBus;
use emu::cpu::Cpu;
use tests::{random_cpu, Rng};

const MEMORY: usize = 0x1_0000;

/// A register value: often inside the mapped memory, sometimes an edge value or anywhere.
fn value(rng: &mut Rng) -> u32 {
    match rng.next_u32() % 4 {
        0 => rng.next_u32() % MEMORY as u32,
        1 => rng.pick(&[0, 1, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF, 0xFFFF_FFFC]),
        _ => rng.next_u32(),
    }
}

/// A random state over the flat memory, with random code at the PC.
fn random_state(rng: &mut Rng, bus: &mut FlatBus) -> Cpu {
    let pc = (rng.next_u32() % (MEMORY as u32 - 8)) & !1;
    let cpu = random_cpu(rng, pc, value);
    bus.load(pc & !0x3F, &rng.bytes(64));
    cpu
}

#[test]
fn random_instructions_from_random_states_never_panic() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut bus = FlatBus::new(MEMORY);
    bus.load(0, &rng.bytes(MEMORY));
    for _ in 0..200_000 {
        let mut cpu = random_state(&mut rng, &mut bus);
        // A few instructions each, so that what follows a first one runs too.
        for _ in 0..4 {
            cpu.step(&mut bus);
            if rng.next_u32().is_multiple_of(16) {
                cpu.set_irq_line(true);
            }
        }
        let _ = cpu.run(&mut bus, 8);
    }
}
