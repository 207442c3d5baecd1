//! Unit tests of the interpreter: one or a few instructions on a flat RAM bus, with expected
//! values worked out from the ARM ARM's pseudo-code (encodings from GNU as for ARMv5TE).

use super::psr::{C, F, I, N, Q, T, V, Z};
use super::*;
use crate::bus::{FlatBus, Size};

const CODE: u32 = 0x1000;
const DATA: u32 = 0x2000;
const SVC: u32 = Mode::Supervisor as u32;

struct Rig {
    cpu: Cpu,
    bus: FlatBus,
}

impl Rig {
    fn arm(code: &[u32]) -> Rig {
        let mut bus = FlatBus::new(0x10000);
        for (i, word) in code.iter().enumerate() {
            bus.load(CODE + 4 * i as u32, &word.to_le_bytes());
        }
        let mut cpu = Cpu::new();
        cpu.set_cpsr(SVC | I | F);
        cpu.set_pc(CODE);
        Rig { cpu, bus }
    }

    fn thumb(code: &[u16]) -> Rig {
        let mut rig = Rig::arm(&[]);
        for (i, half) in code.iter().enumerate() {
            rig.bus.load(CODE + 2 * i as u32, &half.to_le_bytes());
        }
        rig.cpu.set_cpsr(SVC | I | F | T);
        rig
    }

    fn set(&mut self, regs: &[(usize, u32)]) -> &mut Rig {
        for &(n, v) in regs {
            self.cpu.set_reg(n, v);
        }
        self
    }

    fn flags(&mut self, flags: u32) -> &mut Rig {
        let cpsr = self.cpu.cpsr() & 0x0FFF_FFFF;
        self.cpu.set_cpsr(cpsr | flags);
        self
    }

    fn step(&mut self) -> &mut Rig {
        self.cpu.step(&mut self.bus);
        self
    }

    fn steps(&mut self, n: usize) -> &mut Rig {
        for _ in 0..n {
            self.step();
        }
        self
    }

    fn r(&self, n: usize) -> u32 {
        self.cpu.reg(n)
    }

    fn nzcvq(&self) -> u32 {
        self.cpu.cpsr() & 0xF800_0000
    }

    fn poke(&mut self, addr: u32, words: &[u32]) -> &mut Rig {
        for (i, w) in words.iter().enumerate() {
            self.bus.load(addr + 4 * i as u32, &w.to_le_bytes());
        }
        self
    }

    fn word(&self, addr: u32) -> u32 {
        self.bus.peek(addr, Size::Word).unwrap()
    }
}

// ----- data processing -----

#[test]
fn adds_sets_overflow_and_negative() {
    let mut rig = Rig::arm(&[0xE0910002]); // adds r0, r1, r2
    rig.set(&[(1, 0x7FFF_FFFF), (2, 1)]).step();
    assert_eq!(rig.r(0), 0x8000_0000);
    assert_eq!(rig.nzcvq(), N | V);
    assert_eq!(rig.r(15), CODE + 4);
}

#[test]
fn subs_equal_operands_sets_zero_and_carry() {
    let mut rig = Rig::arm(&[0xE0510002]); // subs r0, r1, r2
    rig.set(&[(1, 5), (2, 5)]).step();
    assert_eq!((rig.r(0), rig.nzcvq()), (0, Z | C));
}

#[test]
fn sbcs_and_rscs_use_the_inverted_carry_as_borrow() {
    // sbcs r0, r1, r2 with C clear: 10 - 3 - 1 = 6, no borrow so C set.
    let mut rig = Rig::arm(&[0xE0D10002, 0xE0F10002]);
    rig.set(&[(1, 10), (2, 3)]).flags(0).step();
    assert_eq!((rig.r(0), rig.nzcvq()), (6, C));
    // rscs r0, r1, r2 with C set: 3 - 10 = -7, borrow so C clear.
    rig.step();
    assert_eq!((rig.r(0), rig.nzcvq()), (0xFFFF_FFF9, N));
}

#[test]
fn rsbs_negates_and_adcs_adds_carry() {
    let mut rig = Rig::arm(&[0xE2710000, 0xE0B10002]); // rsbs r0, r1, #0; adcs r0, r1, r2
    rig.set(&[(1, 1)]).step();
    assert_eq!((rig.r(0), rig.nzcvq()), (0xFFFF_FFFF, N));
    rig.set(&[(1, 0xFFFF_FFFF), (2, 0)]).flags(C).step();
    assert_eq!((rig.r(0), rig.nzcvq()), (0, Z | C));
}

#[test]
fn immediate_shifts_of_32_and_rrx() {
    let mut rig = Rig::arm(&[0xE1B00021, 0xE1B00041, 0xE1B00061]);
    rig.set(&[(1, 0x8000_0000)]).step(); // lsrs r0, r1, #32
    assert_eq!((rig.r(0), rig.nzcvq()), (0, Z | C));
    rig.step(); // asrs r0, r1, #32
    assert_eq!((rig.r(0), rig.nzcvq()), (0xFFFF_FFFF, N | C));
    rig.set(&[(1, 3)]).flags(C).step(); // rrxs r0, r1
    assert_eq!((rig.r(0), rig.nzcvq()), (0x8000_0001, N | C));
}

#[test]
fn register_shift_by_32_rotates_fully_and_sets_carry_from_bit_31() {
    let mut rig = Rig::arm(&[0xE1B00271]); // rors r0, r1, r2
    rig.set(&[(1, 0x8000_0001), (2, 0x20)]).flags(0).step();
    assert_eq!((rig.r(0), rig.nzcvq()), (0x8000_0001, N | C));
}

#[test]
fn register_shifted_pc_reads_as_address_plus_12() {
    let mut rig = Rig::arm(&[0xE1A0021F]); // lsl r0, pc, r2
    rig.set(&[(2, 0)]).step();
    assert_eq!(rig.r(0), CODE + 12);
}

#[test]
fn logical_immediate_with_rotation_sets_carry_from_bit_31() {
    let mut rig = Rig::arm(&[0xE3110102]); // tst r1, #0x80000000
    rig.set(&[(1, 0x8000_0000)]).flags(0).step();
    assert_eq!(rig.nzcvq(), N | C);
    let mut rig = Rig::arm(&[0xE3D100FF]); // bics r0, r1, #255 (no rotation: C kept)
    rig.set(&[(1, 0x1FF)]).flags(C | V).step();
    assert_eq!((rig.r(0), rig.nzcvq()), (0x100, C | V));
}

#[test]
fn compares_with_rd_pc_are_undefined() {
    // tstp r1, r2; teqp r1, #1; cmpp r1, r2, lsl r3; cmnp r1, r2
    for insn in [0xE111F002, 0xE331F001, 0xE151F312, 0xE171F002] {
        let mut rig = Rig::arm(&[insn]);
        rig.set(&[(1, 1), (2, 1)]).step();
        assert_eq!(
            (rig.cpu.mode(), rig.r(15), rig.nzcvq()),
            (Mode::Undefined, 0x04, 0),
            "{insn:08x}"
        );
    }
    // cmp r1, r2 with Rd = 0 compares.
    let mut rig = Rig::arm(&[0xE1510002]);
    rig.set(&[(1, 1), (2, 1)]).step();
    assert_eq!((rig.r(15), rig.nzcvq()), (CODE + 4, Z | C));
}

#[test]
fn conditions_skip_instructions() {
    // moveq r0, #1; movne r0, #2
    let mut rig = Rig::arm(&[0x03A00001, 0x13A00002]);
    rig.flags(Z).step();
    assert_eq!(rig.r(0), 1);
    rig.step();
    assert_eq!(rig.r(0), 1);
    assert_eq!(rig.r(15), CODE + 8);
}

// ----- multiplies and the DSP extensions -----

#[test]
fn multiplies() {
    // mlas r0, r1, r2, r3: 3 * 4 + (-12) = 0, Z set, C and V kept.
    let mut rig = Rig::arm(&[0xE0303291]);
    rig.set(&[(1, 3), (2, 4), (3, (-12i32) as u32)])
        .flags(C | V)
        .step();
    assert_eq!((rig.r(0), rig.nzcvq()), (0, Z | C | V));
    // smull r0, r1, r2, r3: -2 * 3 = -6.
    let mut rig = Rig::arm(&[0xE0C10392]);
    rig.set(&[(2, (-2i32) as u32), (3, 3)]).step();
    assert_eq!((rig.r(0), rig.r(1)), (0xFFFF_FFFA, 0xFFFF_FFFF));
    // umull r0, r1, r2, r3: 0xFFFFFFFF^2 = 0xFFFFFFFE_00000001.
    let mut rig = Rig::arm(&[0xE0810392]);
    rig.set(&[(2, 0xFFFF_FFFF), (3, 0xFFFF_FFFF)]).step();
    assert_eq!((rig.r(0), rig.r(1)), (1, 0xFFFF_FFFE));
    // umlal r0, r1, r2, r3: 0x1_FFFFFFFF + 2 * 1 = 0x2_00000001.
    let mut rig = Rig::arm(&[0xE0A10392]);
    rig.set(&[(0, 0xFFFF_FFFF), (1, 1), (2, 2), (3, 1)]).step();
    assert_eq!((rig.r(0), rig.r(1)), (1, 2));
    // smlals r0, r1, r2, r3: 0 + (-1 * 1) = -1: N set.
    let mut rig = Rig::arm(&[0xE0F10392]);
    rig.set(&[(0, 0), (1, 0), (2, 0xFFFF_FFFF), (3, 1)])
        .flags(0)
        .step();
    assert_eq!(
        (rig.r(0), rig.r(1), rig.nzcvq()),
        (0xFFFF_FFFF, 0xFFFF_FFFF, N)
    );
}

#[test]
fn smlaxy_overflow_sets_the_sticky_q_flag() {
    // smlabb r0, r1, r2, r3: -32768 * -32768 + 0x40000000 overflows.
    let mut rig = Rig::arm(&[0xE1003281, 0xE10032E1]);
    rig.set(&[(1, 0x8000), (2, 0x8000), (3, 0x4000_0000)])
        .step();
    assert_eq!((rig.r(0), rig.nzcvq()), (0x8000_0000, Q));
    // smlatt r0, r1, r2, r3: top halves 2 * 3 + 1 = 7; Q stays set.
    rig.set(&[(1, 0x0002_0000), (2, 0x0003_0000), (3, 1)])
        .step();
    assert_eq!((rig.r(0), rig.nzcvq()), (7, Q));
}

#[test]
fn smulxy_smlawy_smulwy_smlalxy() {
    // smulbt r0, r1, r2: bottom of r1 (-1) times top of r2 (5).
    let mut rig = Rig::arm(&[0xE16002C1]);
    rig.set(&[(1, 0x1234_FFFF), (2, 0x0005_0000)]).step();
    assert_eq!(rig.r(0), (-5i32) as u32);
    // smlawb r0, r1, r2, r3: (0x10000 * 0x4000) >> 16 + 1.
    let mut rig = Rig::arm(&[0xE1203281]);
    rig.set(&[(1, 0x10000), (2, 0x4000), (3, 1)]).step();
    assert_eq!(rig.r(0), 0x4001);
    // smulwt r0, r1, r2: (-0x20000 * 0x7FFF) >> 16 = -0xFFFE.
    let mut rig = Rig::arm(&[0xE12002E1]);
    rig.set(&[(1, (-0x20000i32) as u32), (2, 0x7FFF_0000)])
        .step();
    assert_eq!(rig.r(0), (-0xFFFEi32) as u32);
    // smlalbb r0, r1, r2, r3: 0x00000000_FFFFFFFF + (-2 * 3) = 0x00000000_FFFFFFF9.
    let mut rig = Rig::arm(&[0xE1410382]);
    rig.set(&[(0, 0xFFFF_FFFF), (1, 0), (2, 0xFFFE), (3, 3)])
        .step();
    assert_eq!((rig.r(0), rig.r(1)), (0xFFFF_FFF9, 0));
}

#[test]
fn saturating_arithmetic() {
    // qadd r0, r1, r2 saturates to 0x7FFFFFFF.
    let mut rig = Rig::arm(&[0xE1020051]);
    rig.set(&[(1, 0x7FFF_FFFF), (2, 1)]).step();
    assert_eq!((rig.r(0), rig.nzcvq()), (0x7FFF_FFFF, Q));
    // qsub r0, r1, r2 saturates to 0x80000000.
    let mut rig = Rig::arm(&[0xE1220051]);
    rig.set(&[(1, 0x8000_0000), (2, 1)]).step();
    assert_eq!((rig.r(0), rig.nzcvq()), (0x8000_0000, Q));
    // qdadd r0, r1, r2: r1 + sat(2 * r2); the doubling saturates but the sum does not.
    let mut rig = Rig::arm(&[0xE1420051]);
    rig.set(&[(1, (-1i32) as u32), (2, 0x4000_0000)]).step();
    assert_eq!((rig.r(0), rig.nzcvq()), (0x7FFF_FFFE, Q));
    // qdsub r0, r1, r2 without saturation leaves Q clear.
    let mut rig = Rig::arm(&[0xE1620051]);
    rig.set(&[(1, 10), (2, 3)]).step();
    assert_eq!((rig.r(0), rig.nzcvq()), (4, 0));
}

#[test]
fn count_leading_zeros() {
    let mut rig = Rig::arm(&[0xE16F0F11, 0xE16F0F11, 0xE16F0F11]); // clz r0, r1
    for (value, zeros) in [(0, 32), (1, 31), (0x8000_0000, 0)] {
        rig.set(&[(1, value)]).step();
        assert_eq!(rig.r(0), zeros);
    }
}

// ----- loads and stores -----

#[test]
fn ldr_writeback_and_unaligned_rotation() {
    let mut rig = Rig::arm(&[0xE5B10004, 0xE4110004]); // ldr r0, [r1, #4]!; ldr r0, [r1], #-4
    rig.poke(DATA, &[0x1122_3344, 0xAABB_CCDD]);
    rig.set(&[(1, DATA)]).step();
    assert_eq!((rig.r(0), rig.r(1)), (0xAABB_CCDD, DATA + 4));
    // Unaligned: the word at DATA rotated right by 8 (ARM ARM A4.1.23).
    rig.set(&[(1, DATA + 1)]).step();
    assert_eq!((rig.r(0), rig.r(1)), (0x4411_2233, DATA - 3));
}

#[test]
fn byte_and_register_offset_forms() {
    // ldrb r0, [r1, r2, lsl #2]; str r0, [r1, #-8]!; strb r0, [r1], r2
    let mut rig = Rig::arm(&[0xE7D10102, 0xE5210008, 0xE6C10002]);
    rig.poke(DATA + 8, &[0x0000_00F0]);
    rig.set(&[(1, DATA), (2, 2)]).step();
    assert_eq!(rig.r(0), 0xF0);
    rig.set(&[(1, DATA + 16)]).step();
    assert_eq!((rig.word(DATA + 8), rig.r(1)), (0xF0, DATA + 8));
    rig.set(&[(0, 0x1234_56AB), (1, DATA)]).step();
    assert_eq!((rig.word(DATA) & 0xFF, rig.r(1)), (0xAB, DATA + 2));
}

#[test]
fn store_of_pc_stores_address_plus_8() {
    let mut rig = Rig::arm(&[0xE581F000]); // str pc, [r1]
    rig.set(&[(1, DATA)]).step();
    assert_eq!(rig.word(DATA), CODE + 8);
}

#[test]
fn halfword_and_signed_loads() {
    // ldrh r0, [r1, #2]!; ldrsb r0, [r1], #-1; ldrsh r0, [r1, r2]; strh r0, [r1, #6]
    let mut rig = Rig::arm(&[0xE1F100B2, 0xE05100D1, 0xE19100F2, 0xE1C100B6]);
    rig.poke(DATA, &[0x8765_4321, 0x0000_0080]);
    rig.set(&[(1, DATA)]).step();
    assert_eq!((rig.r(0), rig.r(1)), (0x8765, DATA + 2));
    rig.set(&[(1, DATA + 4)]).step();
    assert_eq!((rig.r(0), rig.r(1)), (0xFFFF_FF80, DATA + 3));
    rig.set(&[(1, DATA), (2, 2)]).step();
    assert_eq!(rig.r(0), 0xFFFF_8765);
    rig.set(&[(0, 0xFFFF_BEEF)]).step();
    assert_eq!(rig.word(DATA + 4), 0xBEEF_0080);
}

#[test]
fn doubleword_transfers() {
    // ldrd r2, [r1, #8]; strd r2, [r1, #-8]!
    let mut rig = Rig::arm(&[0xE1C120D8, 0xE16120F8]);
    rig.poke(DATA + 8, &[0x1111_1111, 0x2222_2222]);
    rig.set(&[(1, DATA)]).step();
    assert_eq!((rig.r(2), rig.r(3)), (0x1111_1111, 0x2222_2222));
    rig.set(&[(1, DATA + 0x20)]).step();
    assert_eq!(rig.r(1), DATA + 0x18);
    assert_eq!(
        (rig.word(DATA + 0x18), rig.word(DATA + 0x1C)),
        (0x1111_1111, 0x2222_2222)
    );
    // An odd first register is taken as undefined.
    let mut rig = Rig::arm(&[0xE1C130D8]); // ldrd r3, [r1, #8]
    rig.set(&[(1, DATA)]).step();
    assert_eq!((rig.cpu.mode(), rig.r(15)), (Mode::Undefined, 0x04));
}

#[test]
fn block_transfers_in_all_four_modes() {
    let mut rig = Rig::arm(&[0xE8B0000E, 0xE990000E, 0xE830000E, 0xE910000E]);
    rig.poke(DATA, &[1, 2, 3, 4, 5, 6, 7, 8]);
    rig.set(&[(0, DATA + 8)]).step(); // ldmia r0!, {r1-r3}
    assert_eq!(
        (rig.r(1), rig.r(2), rig.r(3), rig.r(0)),
        (3, 4, 5, DATA + 20)
    );
    rig.set(&[(0, DATA + 8)]).step(); // ldmib r0, {r1-r3}
    assert_eq!(
        (rig.r(1), rig.r(2), rig.r(3), rig.r(0)),
        (4, 5, 6, DATA + 8)
    );
    rig.set(&[(0, DATA + 8)]).step(); // ldmda r0!, {r1-r3}
    assert_eq!(
        (rig.r(1), rig.r(2), rig.r(3), rig.r(0)),
        (1, 2, 3, DATA - 4)
    );
    rig.set(&[(0, DATA + 8)]).step(); // ldmdb r0, {r1-r3}
    assert_eq!(
        (rig.r(1), rig.r(2), rig.r(3), rig.r(0)),
        (0, 1, 2, DATA + 8)
    );
}

#[test]
fn push_pop_with_pc_interworks() {
    // push {r0, lr}; pop {r0, pc} where lr has bit 0 set: Thumb state at lr & !1.
    let mut rig = Rig::arm(&[0xE92D4001, 0xE8BD8001]);
    rig.set(&[(0, 7), (13, DATA + 0x100), (14, 0x3001)]).step();
    assert_eq!(rig.r(13), DATA + 0xF8);
    assert_eq!((rig.word(DATA + 0xF8), rig.word(DATA + 0xFC)), (7, 0x3001));
    rig.set(&[(0, 0)]).step();
    assert_eq!((rig.r(0), rig.r(15), rig.r(13)), (7, 0x3000, DATA + 0x100));
    assert!(rig.cpu.is_thumb());
}

#[test]
fn stm_with_base_first_in_list_stores_original_base() {
    let mut rig = Rig::arm(&[0xE8A00003]); // stmia r0!, {r0, r1}
    rig.set(&[(0, DATA), (1, 9)]).step();
    assert_eq!(
        (rig.word(DATA), rig.word(DATA + 4), rig.r(0)),
        (DATA, 9, DATA + 8)
    );
}

#[test]
fn ldm_with_base_in_list_keeps_the_loaded_value() {
    let mut rig = Rig::arm(&[0xE8B00003]); // ldmia r0!, {r0, r1}
    rig.poke(DATA, &[0x55, 0x66]);
    rig.set(&[(0, DATA)]).step();
    assert_eq!((rig.r(0), rig.r(1)), (0x55, 0x66));
}

#[test]
fn user_bank_transfers_from_a_privileged_mode() {
    // stmia r0, {sp, lr}^ then ldm r0, {sp, lr}^ from IRQ mode.
    let mut rig = Rig::arm(&[0xE8C06000, 0xE8D06000]);
    rig.cpu.set_reg_of(Mode::User, 13, 0xAAAA);
    rig.cpu.set_reg_of(Mode::User, 14, 0xBBBB);
    rig.cpu.set_cpsr(Mode::Irq as u32 | I | F);
    rig.set(&[(0, DATA), (13, 0x1313), (14, 0x1414)]).step();
    assert_eq!((rig.word(DATA), rig.word(DATA + 4)), (0xAAAA, 0xBBBB));
    rig.poke(DATA, &[0x77, 0x88]).step();
    assert_eq!((rig.r(13), rig.r(14)), (0x1313, 0x1414));
    assert_eq!(rig.cpu.reg_of(Mode::User, 13), 0x77);
    assert_eq!(rig.cpu.reg_of(Mode::User, 14), 0x88);
}

#[test]
fn ldm_with_pc_and_caret_returns_from_an_exception() {
    // ldm sp!, {r0, pc}^ in IRQ mode with SPSR = Thumb user mode.
    let mut rig = Rig::arm(&[0xE8FD8001]);
    rig.cpu.set_cpsr(Mode::Irq as u32 | I | F);
    rig.cpu.set_spsr(Mode::User as u32 | T | Z);
    rig.poke(DATA, &[0x42, 0x3003]);
    rig.set(&[(13, DATA)]).step();
    assert_eq!(rig.cpu.mode(), Mode::User);
    assert_eq!(rig.cpu.cpsr(), Mode::User as u32 | T | Z);
    assert_eq!((rig.r(15), rig.r(0)), (0x3002, 0x42));
    assert_eq!(rig.cpu.reg_of(Mode::Irq, 13), DATA + 8);
}

#[test]
fn empty_register_list_is_undefined() {
    let mut rig = Rig::arm(&[0xE8900000]); // ldmia r0, {}
    rig.step();
    assert_eq!(
        (rig.cpu.mode(), rig.r(15), rig.r(14)),
        (Mode::Undefined, 4, CODE + 4)
    );
}

#[test]
fn swap_word_and_byte() {
    let mut rig = Rig::arm(&[0xE1020091, 0xE1420091]); // swp r0, r1, [r2]; swpb r0, r1, [r2]
    rig.poke(DATA, &[0x1234_5678]);
    rig.set(&[(1, 0xCAFE_F00D), (2, DATA)]).step();
    assert_eq!((rig.r(0), rig.word(DATA)), (0x1234_5678, 0xCAFE_F00D));
    rig.set(&[(1, 0x11)]).step();
    assert_eq!((rig.r(0), rig.word(DATA)), (0x0D, 0xCAFE_F011));
}

// ----- branches and state changes -----

#[test]
fn branches() {
    let mut rig = Rig::arm(&[0xEB000001]); // bl .+12
    rig.step();
    assert_eq!((rig.r(15), rig.r(14)), (CODE + 12, CODE + 4));
    let mut rig = Rig::arm(&[0xEAFFFFFE]); // b .
    rig.step();
    assert_eq!(rig.r(15), CODE);
    // blx .+8 with H = 1: Thumb code at CODE + 10.
    let mut rig = Rig::arm(&[0xFB000000]);
    rig.step();
    assert_eq!(
        (rig.r(15), rig.r(14), rig.cpu.is_thumb()),
        (CODE + 10, CODE + 4, true)
    );
    // blx r0 to ARM code.
    let mut rig = Rig::arm(&[0xE12FFF30]);
    rig.set(&[(0, 0x4000)]).step();
    assert_eq!(
        (rig.r(15), rig.r(14), rig.cpu.is_thumb()),
        (0x4000, CODE + 4, false)
    );
    // bx r0 to Thumb code; bxj behaves the same.
    for insn in [0xE12FFF10, 0xE12FFF20] {
        let mut rig = Rig::arm(&[insn]);
        rig.set(&[(0, 0x4001)]).step();
        assert_eq!((rig.r(15), rig.cpu.is_thumb()), (0x4000, true));
    }
}

#[test]
fn ldr_to_pc_interworks_unless_l4_is_set() {
    let mut rig = Rig::arm(&[0xE591F000]); // ldr pc, [r1]
    rig.poke(DATA, &[0x5001]);
    rig.set(&[(1, DATA)]).step();
    assert_eq!((rig.r(15), rig.cpu.is_thumb()), (0x5000, true));
    let mut rig = Rig::arm(&[0xE591F000]);
    rig.cpu.cp15.control |= cp15::control::L4;
    rig.poke(DATA, &[0x5001]);
    rig.set(&[(1, DATA)]).step();
    assert_eq!((rig.r(15), rig.cpu.is_thumb()), (0x5000, false));
}

#[test]
fn msr_and_mrs_follow_the_mode_rules() {
    // msr cpsr_c, r0 to IRQ mode banks r13.
    let mut rig = Rig::arm(&[0xE121F000, 0xE10F0000]);
    rig.set(&[(13, 0x5555), (0, Mode::Irq as u32 | I | F)])
        .step();
    assert_eq!(rig.cpu.mode(), Mode::Irq);
    assert_eq!(rig.cpu.reg_of(Mode::Supervisor, 13), 0x5555);
    rig.step(); // mrs r0, cpsr
    assert_eq!(rig.r(0), Mode::Irq as u32 | I | F);
    // In User mode only the flags change, and MSR never sets T.
    let mut rig = Rig::arm(&[0xE129F000]); // msr cpsr_fc, r0
    rig.cpu.set_cpsr(Mode::User as u32);
    rig.set(&[(0, N | T | Mode::Supervisor as u32)]).step();
    assert_eq!(rig.cpu.cpsr(), N | Mode::User as u32);
    // msr cpsr_f, #0xF0000000.
    let mut rig = Rig::arm(&[0xE328F20F]);
    rig.step();
    assert_eq!(rig.nzcvq(), N | Z | C | V);
    // msr spsr_fsxc, r0; mrs r0, spsr
    let mut rig = Rig::arm(&[0xE16FF000, 0xE14F0000]);
    rig.set(&[(0, 0xF000_0030)]).step();
    rig.set(&[(0, 0)]).step();
    assert_eq!(rig.r(0), 0xF000_0030);
}

#[test]
fn msr_to_a_reserved_mode_keeps_the_mode() {
    let mut rig = Rig::arm(&[0xE121F000]); // msr cpsr_c, r0
    rig.set(&[(0, 0x15 | I)]).step();
    assert_eq!(rig.cpu.mode(), Mode::Supervisor);
}

#[test]
fn fiq_mode_banks_r8_to_r14() {
    let mut rig = Rig::arm(&[]);
    for n in 8..15 {
        rig.cpu.set_reg(n, n as u32);
    }
    rig.cpu.set_cpsr(Mode::Fiq as u32 | I | F);
    for n in 8..15 {
        assert_eq!(rig.r(n), 0);
        rig.cpu.set_reg(n, 0x100 + n as u32);
    }
    rig.cpu.set_cpsr(Mode::Irq as u32 | I | F);
    for n in 8..13 {
        assert_eq!(rig.r(n), n as u32);
        assert_eq!(rig.cpu.reg_of(Mode::Fiq, n), 0x100 + n as u32);
    }
    assert_eq!(rig.r(13), 0);
    rig.cpu.set_cpsr(Mode::System as u32);
    assert_eq!(rig.cpu.reg_of(Mode::User, 14), rig.r(14));
    assert_eq!(rig.cpu.reg_of(Mode::Supervisor, 13), 13);
}

// ----- exceptions -----

#[test]
fn swi_enters_supervisor_mode() {
    let mut rig = Rig::arm(&[0xEF000010]); // svc 0x10
    rig.cpu.set_cpsr(Mode::User as u32 | C);
    rig.step();
    assert_eq!(rig.cpu.mode(), Mode::Supervisor);
    assert_eq!((rig.r(15), rig.r(14)), (0x08, CODE + 4));
    assert_eq!(rig.cpu.spsr(), Mode::User as u32 | C);
    assert_eq!(rig.cpu.cpsr(), Mode::Supervisor as u32 | C | I);
}

#[test]
fn undefined_instruction_and_return() {
    // 0xE7F000F0 is permanently undefined; the handler returns with movs pc, lr.
    let mut rig = Rig::arm(&[0xE7F000F0, 0xE1A00000]);
    rig.poke(0x04, &[0xE1B0F00E]);
    rig.cpu.set_cpsr(Mode::User as u32 | Z);
    rig.step();
    assert_eq!(rig.cpu.mode(), Mode::Undefined);
    assert_eq!((rig.r(15), rig.r(14)), (0x04, CODE + 4));
    rig.step();
    assert_eq!(rig.cpu.cpsr(), Mode::User as u32 | Z);
    assert_eq!(rig.r(15), CODE + 4);
}

#[test]
fn other_coprocessors_and_the_f_space_are_undefined() {
    // The last two: PLD's register form with bit 4 set, and post-indexed.
    for insn in [
        0xEE100E10, 0xEE000000, 0xED900100, 0xF7F000F0, 0xF7D5FE9E, 0xF455F000,
    ] {
        let mut rig = Rig::arm(&[insn]);
        rig.step();
        assert_eq!(
            (rig.cpu.mode(), rig.r(15)),
            (Mode::Undefined, 0x04),
            "{insn:08x}"
        );
    }
    // PLD has no effect, immediate or register offset.
    for insn in [0xF5D0F000, 0xF7D5FE8E] {
        let mut rig = Rig::arm(&[insn]);
        rig.step();
        assert_eq!((rig.cpu.mode(), rig.r(15)), (Mode::Supervisor, CODE + 4));
    }
}

#[test]
fn bkpt_is_a_prefetch_abort() {
    let mut rig = Rig::arm(&[0xE1200172]); // bkpt 0x12
    rig.step();
    assert_eq!(rig.cpu.mode(), Mode::Abort);
    assert_eq!((rig.r(15), rig.r(14)), (0x0C, CODE + 4));
}

#[test]
fn data_abort_restores_the_base_and_records_fsr_and_far() {
    let mut rig = Rig::arm(&[0xE5B10004]); // ldr r0, [r1, #4]! beyond the bus
    rig.set(&[(0, 0x99), (1, 0x0010_0000)]).step();
    assert_eq!(rig.cpu.mode(), Mode::Abort);
    assert_eq!((rig.r(15), rig.r(14)), (0x10, CODE + 8));
    assert_eq!(rig.cpu.cp15.dfsr, 0x8);
    assert_eq!(rig.cpu.cp15.far, 0x0010_0004);
    assert_eq!(rig.cpu.reg_of(Mode::Supervisor, 1), 0x0010_0000);
    assert_eq!(rig.cpu.reg_of(Mode::Supervisor, 0), 0x99);
}

#[test]
fn prefetch_abort_on_fetch_from_nowhere() {
    let mut rig = Rig::arm(&[]);
    rig.cpu.set_pc(0x0020_0000);
    rig.step();
    assert_eq!(rig.cpu.mode(), Mode::Abort);
    assert_eq!((rig.r(15), rig.r(14)), (0x0C, 0x0020_0004));
    assert_eq!(rig.cpu.cp15.ifsr, 0x8);
}

#[test]
fn irq_entry_and_return_with_subs_pc_lr_4() {
    // Two NOPs at CODE; the IRQ handler at 0x18 is subs pc, lr, #4.
    let mut rig = Rig::arm(&[0xE1A00000, 0xE1A00000]);
    rig.poke(0x18, &[0xE25EF004]);
    rig.cpu.set_cpsr(SVC | F | C);
    rig.cpu.set_irq_line(true);
    // A run with no budget takes the interrupt and stops before the handler.
    assert_eq!(rig.cpu.run(&mut rig.bus, 0), Stop::Budget);
    assert_eq!(rig.cpu.mode(), Mode::Irq);
    assert_eq!(rig.r(14), CODE + 4);
    assert_eq!(rig.cpu.spsr(), SVC | F | C);
    assert_eq!(
        (rig.r(15), rig.cpu.cpsr()),
        (0x18, Mode::Irq as u32 | I | F | C)
    );
    // The device lowers its line; the handler returns to the interrupted instruction.
    rig.cpu.set_irq_line(false);
    assert_eq!(rig.cpu.run(&mut rig.bus, 1), Stop::Budget);
    assert_eq!((rig.r(15), rig.cpu.cpsr()), (CODE, SVC | F | C));
}

#[test]
fn fiq_has_priority_and_masks_both() {
    let mut rig = Rig::arm(&[0xE1A00000]);
    rig.poke(0x1C, &[0xEAFFFFFE]);
    rig.cpu.set_cpsr(SVC);
    rig.cpu.set_irq_line(true);
    rig.cpu.set_fiq_line(true);
    rig.cpu.run(&mut rig.bus, 1);
    assert_eq!(rig.cpu.mode(), Mode::Fiq);
    assert_eq!(rig.cpu.cpsr() & (I | F), I | F);
    assert_eq!((rig.r(15), rig.r(14)), (0x1C, CODE + 4));
}

#[test]
fn high_vectors() {
    let mut rig = Rig::arm(&[0xEF000000]);
    rig.cpu.cp15.control |= cp15::control::V;
    rig.step();
    assert_eq!(rig.r(15), 0xFFFF_0008);
}

#[test]
fn reset_state() {
    let cpu = Cpu::new();
    assert_eq!(cpu.cpsr(), SVC | I | F);
    assert_eq!(cpu.pc(), 0);
}

// ----- CP15 -----

#[test]
fn cp15_transfers() {
    // mrc p15, 0, r0, c0, c0, 0; mcr p15, 0, r0, c1, c0, 0; mrc p15, 0, r15, c7, c10, 3
    let mut rig = Rig::arm(&[0xEE100F10, 0xEE010F10, 0xEE17FF7A]);
    rig.step();
    assert_eq!(rig.r(0), 0x4106_9264);
    rig.set(&[(0, cp15::control::V)]).step();
    assert_eq!(rig.cpu.cp15.vector_base(), 0xFFFF_0000);
    rig.flags(0).step();
    assert_eq!(rig.nzcvq(), Z);
    // User mode has no access.
    let mut rig = Rig::arm(&[0xEE100F10]);
    rig.cpu.set_cpsr(Mode::User as u32);
    rig.step();
    assert_eq!(rig.cpu.mode(), Mode::Undefined);
}

#[test]
fn wait_for_interrupt_stops_the_run_until_an_interrupt() {
    let mut rig = Rig::arm(&[0xEE070F90, 0xE1A00000]); // mcr p15, 0, r0, c7, c0, 4; nop
    rig.poke(0x18, &[0xEAFFFFFE]);
    rig.cpu.set_cpsr(SVC | F);
    assert_eq!(rig.cpu.run(&mut rig.bus, 100), Stop::WaitForInterrupt);
    assert_eq!(rig.cpu.instructions(), 1);
    assert_eq!(rig.cpu.run(&mut rig.bus, 100), Stop::WaitForInterrupt);
    rig.cpu.set_irq_line(true);
    rig.cpu.run(&mut rig.bus, 1);
    assert_eq!(rig.cpu.mode(), Mode::Irq);
    assert_eq!(rig.r(14), CODE + 8);
}

// ----- semihosting traps -----

#[test]
fn semihosting_calls_raise_an_event_only_when_enabled() {
    let mut rig = Rig::arm(&[0xEF123456]);
    rig.cpu.semihosting = true;
    assert_eq!(
        rig.cpu.run(&mut rig.bus, 10),
        Stop::Event(Event::Semihosting)
    );
    assert_eq!((rig.cpu.mode(), rig.r(15)), (Mode::Supervisor, CODE + 4));
    let mut rig = Rig::thumb(&[0xDFAB, 0xBEAB]); // svc 0xab; bkpt 0xab
    rig.cpu.semihosting = true;
    assert_eq!(
        rig.cpu.run(&mut rig.bus, 10),
        Stop::Event(Event::Semihosting)
    );
    assert_eq!(
        rig.cpu.run(&mut rig.bus, 10),
        Stop::Event(Event::Semihosting)
    );
    assert_eq!(rig.r(15), CODE + 4);
    let mut rig = Rig::arm(&[0xEF123456]);
    rig.step();
    assert_eq!(rig.r(15), 0x08);
}

// ----- Thumb -----

#[test]
fn thumb_shifts_and_arithmetic() {
    // lsls r0, r1, #3; lsrs r0, r1, #32; adds r0, r1, r2; subs r0, r1, #3
    let mut rig = Rig::thumb(&[0x00C8, 0x0808, 0x1888, 0x1EC8]);
    rig.set(&[(1, 0x2000_0001)]).flags(0).step();
    assert_eq!((rig.r(0), rig.nzcvq()), (8, C));
    rig.set(&[(1, 0x8000_0000)]).step();
    assert_eq!((rig.r(0), rig.nzcvq()), (0, Z | C));
    rig.set(&[(1, 0xFFFF_FFFF), (2, 2)]).step();
    assert_eq!((rig.r(0), rig.nzcvq()), (1, C));
    rig.set(&[(1, 2)]).step();
    assert_eq!((rig.r(0), rig.nzcvq()), (0xFFFF_FFFF, N));
}

#[test]
fn thumb_immediate_and_register_alu() {
    // movs r0, #200; cmp r0, #200; negs r0, r1; muls r0, r1; rors r0, r1; mvns r0, r1
    let mut rig = Rig::thumb(&[0x20C8, 0x28C8, 0x4248, 0x4348, 0x41C8, 0x43C8]);
    rig.flags(V).step();
    assert_eq!((rig.r(0), rig.nzcvq()), (200, V));
    rig.step();
    assert_eq!(rig.nzcvq(), Z | C);
    rig.set(&[(1, 1)]).step();
    assert_eq!((rig.r(0), rig.nzcvq()), (0xFFFF_FFFF, N));
    rig.set(&[(0, 6), (1, 7)]).flags(C | V).step();
    assert_eq!((rig.r(0), rig.nzcvq()), (42, C | V));
    rig.set(&[(0, 0x0000_0081), (1, 4)]).flags(0).step();
    assert_eq!((rig.r(0), rig.nzcvq()), (0x1000_0008, 0));
    rig.set(&[(1, 0)]).step();
    assert_eq!((rig.r(0), rig.nzcvq()), (0xFFFF_FFFF, N));
}

#[test]
fn thumb_high_registers_and_branch_exchange() {
    // add r8, r1; cmp r8, r1; mov pc, lr
    let mut rig = Rig::thumb(&[0x4488, 0x4588, 0x46F7]);
    rig.set(&[(8, 5), (1, 5), (14, 0x3001)]).step();
    assert_eq!(rig.r(8), 10);
    rig.flags(0).step();
    assert_eq!(rig.nzcvq(), C);
    rig.step();
    assert_eq!((rig.r(15), rig.cpu.is_thumb()), (0x3000, true));
    // blx r3 to ARM code; bx lr back.
    let mut rig = Rig::thumb(&[0x4798]);
    rig.set(&[(3, 0x4000)]).step();
    assert_eq!(
        (rig.r(15), rig.r(14), rig.cpu.is_thumb()),
        (0x4000, CODE + 3, false)
    );
}

#[test]
fn thumb_loads_and_stores() {
    // ldr r0, [pc, #8]; str r0, [r1, r2]; ldrsb r0, [r1, r2]; ldrh r0, [r1, #62]; strb r0, [r1, #31]
    let mut rig = Rig::thumb(&[0x4802, 0x5088, 0x5688, 0x8FC8, 0x77C8]);
    // The literal is at (CODE + 4) & !3 + 8.
    rig.poke(CODE + 12, &[0x0000_00FE]);
    rig.step();
    assert_eq!(rig.r(0), 0xFE);
    rig.set(&[(1, DATA), (2, 4)]).step();
    assert_eq!(rig.word(DATA + 4), 0xFE);
    rig.step();
    assert_eq!(rig.r(0), 0xFFFF_FFFE);
    rig.poke(DATA + 60, &[0xABCD_0000]).step();
    assert_eq!(rig.r(0), 0xABCD);
    rig.step();
    assert_eq!(rig.word(DATA + 28), 0xCD00_0000);
}

#[test]
fn thumb_push_pop_and_multiple() {
    // push {r0, r7, lr}; pop {r0, r7, pc}
    let mut rig = Rig::thumb(&[0xB581, 0xBD81]);
    rig.set(&[(0, 1), (7, 2), (14, 0x4000), (13, DATA + 0x40)])
        .step();
    assert_eq!(rig.r(13), DATA + 0x34);
    assert_eq!(
        (
            rig.word(DATA + 0x34),
            rig.word(DATA + 0x38),
            rig.word(DATA + 0x3C)
        ),
        (1, 2, 0x4000)
    );
    rig.set(&[(0, 0), (7, 0)]).step();
    // Bit 0 of the loaded PC clear: back to ARM state (ARMv5T interworking).
    assert_eq!((rig.r(0), rig.r(7), rig.r(15)), (1, 2, 0x4000));
    assert!(!rig.cpu.is_thumb());
    // ldmia r0, {r0, r1}: the base is in the list, so no writeback.
    let mut rig = Rig::thumb(&[0xC803]);
    rig.poke(DATA, &[0x10, 0x20]);
    rig.set(&[(0, DATA)]).step();
    assert_eq!((rig.r(0), rig.r(1)), (0x10, 0x20));
}

#[test]
fn thumb_branches_and_bl_pairs() {
    // beq .+8 taken with Z
    let mut rig = Rig::thumb(&[0xD002]);
    rig.flags(Z).step();
    assert_eq!(rig.r(15), CODE + 8);
    // b . (offset -4 from PC+4)
    let mut rig = Rig::thumb(&[0xE7FE]);
    rig.step();
    assert_eq!(rig.r(15), CODE);
    // bl .+0x1000: prefix f000 (high offset 0), suffix f800 | (0xFFC >> 1).
    let mut rig = Rig::thumb(&[0xF000, 0xF800 | 0x7FE]);
    rig.steps(2);
    assert_eq!((rig.r(15), rig.r(14)), (CODE + 0x1000, (CODE + 4) | 1));
    // blx .+0x1000 from CODE + 2 (unaligned): the target is word-aligned ARM code.
    let mut rig = Rig::thumb(&[0x46C0, 0xF000, 0xE800 | 0x7FE]);
    rig.steps(3);
    assert_eq!(
        (rig.r(15), rig.r(14)),
        ((CODE + 2 + 0x1000) & !3, (CODE + 6) | 1)
    );
    assert!(!rig.cpu.is_thumb());
    // A lone suffix with an odd LR (a Thumb address): the target's bit 0 is dropped, the state
    // stays Thumb. A lone BLX suffix goes to word-aligned ARM code.
    let mut rig = Rig::thumb(&[0xF800 | 0x10]);
    rig.set(&[(14, 0x2001)]).step();
    assert_eq!((rig.r(15), rig.r(14)), (0x2020, (CODE + 2) | 1));
    assert!(rig.cpu.is_thumb());
    let mut rig = Rig::thumb(&[0xE800 | 0x10]);
    rig.set(&[(14, 0x2003)]).step();
    assert_eq!((rig.r(15), rig.r(14)), (0x2020, (CODE + 2) | 1));
    assert!(!rig.cpu.is_thumb());
}

#[test]
fn thumb_exceptions_use_halfword_return_addresses() {
    let mut rig = Rig::thumb(&[0xDF10]); // svc 0x10
    rig.step();
    assert_eq!((rig.r(15), rig.r(14)), (0x08, CODE + 2));
    assert!(!rig.cpu.is_thumb());
    assert_eq!(rig.cpu.spsr() & T, T);
    let mut rig = Rig::thumb(&[0xDE00]); // undefined
    rig.step();
    assert_eq!((rig.cpu.mode(), rig.r(14)), (Mode::Undefined, CODE + 2));
    let mut rig = Rig::thumb(&[0x6808]); // ldr r0, [r1] from nowhere
    rig.set(&[(1, 0x0100_0000)]).step();
    assert_eq!((rig.cpu.mode(), rig.r(14)), (Mode::Abort, CODE + 8));
}

#[test]
fn thumb_sp_and_pc_relative_arithmetic() {
    // add r0, pc, #4; add r0, sp, #8; add sp, #508; sub sp, #4
    let mut rig = Rig::thumb(&[0x46C0, 0xA001, 0xA802, 0xB07F, 0xB081]);
    rig.set(&[(13, 0x8000)]).steps(2);
    assert_eq!(rig.r(0), ((CODE + 2 + 4) & !3) + 4);
    rig.step();
    assert_eq!(rig.r(0), 0x8008);
    rig.steps(2);
    assert_eq!(rig.r(13), 0x8000 + 508 - 4);
}

// ----- with the MMU on -----

const TTBR: u32 = 0x4000;
const COARSE: u32 = 0x8000;

/// Maps the first 64 KiB flat with small pages (AP 11 everywhere, domain 0 a client), then
/// turns the MMU on.
fn with_mmu(mut rig: Rig) -> Rig {
    rig.poke(TTBR, &[COARSE | 0b01]);
    for page in 0..16u32 {
        rig.poke(COARSE + 4 * page, &[(page << 12) | 0xFF0 | 0b10]);
    }
    rig.cpu.cp15.ttbr = TTBR;
    rig.cpu.cp15.dacr = 0b01;
    rig.cpu.cp15.control |= cp15::control::M;
    rig.cpu.control_changed();
    rig
}

/// Sets all four subpage APs of the small page at `va` (below 64 KiB).
fn set_ap(rig: &mut Rig, va: u32, ap: u32) {
    rig.poke(
        COARSE + 4 * (va >> 12),
        &[(va & !0xFFF) | (ap * 0x55) << 4 | 0b10],
    );
    rig.cpu.invalidate_tlb();
}

#[test]
fn user_store_to_a_read_only_page_aborts_with_base_restored() {
    let mut rig = with_mmu(Rig::arm(&[0xE5A10004])); // str r0, [r1, #4]!
    set_ap(&mut rig, DATA, 0b10);
    rig.cpu.set_cpsr(Mode::User as u32);
    rig.set(&[(0, 0x55), (1, DATA)]).step();
    assert_eq!(rig.cpu.mode(), Mode::Abort);
    assert_eq!((rig.r(15), rig.r(14)), (0x10, CODE + 8));
    // Domain 0, permission fault (page); FAR is the address of the access.
    assert_eq!((rig.cpu.cp15.dfsr, rig.cpu.cp15.far), (0x0F, DATA + 4));
    assert_eq!(rig.cpu.reg_of(Mode::User, 1), DATA);
    assert_eq!(rig.word(DATA + 4), 0);
}

#[test]
fn ldrt_and_strt_use_user_permissions_from_a_privileged_mode() {
    // ldr r0, [r1] succeeds on a privileged-only page; ldrt r0, [r1], #4 aborts.
    let mut rig = with_mmu(Rig::arm(&[0xE5910000, 0xE4B10004]));
    set_ap(&mut rig, DATA, 0b01);
    rig.poke(DATA, &[0x1234]);
    rig.set(&[(1, DATA)]).step();
    assert_eq!(rig.r(0), 0x1234);
    rig.set(&[(0, 0)]).step();
    assert_eq!(rig.cpu.mode(), Mode::Abort);
    assert_eq!(rig.cpu.cp15.dfsr, 0x0F);
    assert_eq!(rig.cpu.reg_of(Mode::Supervisor, 1), DATA);
    assert_eq!(rig.cpu.reg_of(Mode::Supervisor, 0), 0);
}

#[test]
fn stm_faulting_partway_keeps_the_words_written_and_restores_the_base() {
    // stmia r0!, {r1-r3} from DATA + 0xFF8: the third word falls on a read-only page.
    let mut rig = with_mmu(Rig::arm(&[0xE8A0000E]));
    set_ap(&mut rig, DATA + 0x1000, 0b10);
    rig.cpu.set_cpsr(Mode::User as u32);
    rig.set(&[(0, DATA + 0xFF8), (1, 1), (2, 2), (3, 3)]).step();
    assert_eq!(rig.cpu.mode(), Mode::Abort);
    assert_eq!(rig.cpu.cp15.far, DATA + 0x1000);
    assert_eq!((rig.word(DATA + 0xFF8), rig.word(DATA + 0xFFC)), (1, 2));
    assert_eq!(rig.word(DATA + 0x1000), 0);
    assert_eq!(rig.cpu.reg_of(Mode::User, 0), DATA + 0xFF8);
}

#[test]
fn ldm_faulting_partway_changes_no_register() {
    let mut rig = with_mmu(Rig::arm(&[0xE8B0000E])); // ldmia r0!, {r1-r3}
    rig.poke(COARSE + 4 * 3, &[0]); // page 0x3000 unmapped
    rig.cpu.invalidate_tlb();
    rig.set(&[(0, DATA + 0xFF8), (1, 0xA), (2, 0xB), (3, 0xC)])
        .step();
    assert_eq!(rig.cpu.mode(), Mode::Abort);
    // Translation fault (page) in domain 0.
    assert_eq!((rig.cpu.cp15.dfsr, rig.cpu.cp15.far), (0x07, DATA + 0x1000));
    let svc = |n| rig.cpu.reg_of(Mode::Supervisor, n);
    assert_eq!(
        [svc(0), svc(1), svc(2), svc(3)],
        [DATA + 0xFF8, 0xA, 0xB, 0xC]
    );
}

#[test]
fn swp_on_a_read_only_page_aborts_without_writing() {
    let mut rig = with_mmu(Rig::arm(&[0xE1020091])); // swp r0, r1, [r2]
    set_ap(&mut rig, DATA, 0b10);
    rig.poke(DATA, &[0x77]);
    rig.cpu.set_cpsr(Mode::User as u32);
    rig.set(&[(0, 0x11), (1, 0x99), (2, DATA)]).step();
    assert_eq!(rig.cpu.mode(), Mode::Abort);
    assert_eq!(rig.word(DATA), 0x77);
    assert_eq!(rig.cpu.reg_of(Mode::User, 0), 0x11);
}

#[test]
fn alignment_faults_only_when_a_is_set() {
    let mut rig = Rig::arm(&[0xE5910000, 0xE5910000]); // ldr r0, [r1] twice
    rig.poke(DATA, &[0x1122_3344]);
    rig.set(&[(1, DATA + 2)]).step();
    assert_eq!(rig.r(0), 0x3344_1122);
    rig.cpu.cp15.control |= cp15::control::A;
    rig.cpu.control_changed();
    rig.step();
    assert_eq!(rig.cpu.mode(), Mode::Abort);
    assert_eq!((rig.cpu.cp15.dfsr, rig.cpu.cp15.far), (0x01, DATA + 2));
}

#[test]
fn prefetch_abort_on_an_unmapped_page_sets_ifsr_not_far() {
    let mut rig = with_mmu(Rig::arm(&[0xE12FFF10])); // bx r0
    rig.cpu.cp15.far = 0xFACE;
    rig.set(&[(0, 0x0010_0000)]).steps(2);
    assert_eq!(rig.cpu.mode(), Mode::Abort);
    assert_eq!((rig.r(15), rig.r(14)), (0x0C, 0x0010_0004));
    // Section translation fault; the domain is the (fault) descriptor's, 0.
    assert_eq!((rig.cpu.cp15.ifsr, rig.cpu.cp15.far), (0x05, 0xFACE));
}

#[test]
fn tlb_invalidation_by_mcr_makes_a_page_table_change_visible() {
    // ldr r0, [r1]; mcr p15, 0, r2, c8, c7, 0 (invalidate TLB); ldr r0, [r1]
    let mut rig = with_mmu(Rig::arm(&[0xE5910000, 0xEE082F17, 0xE5910000]));
    rig.poke(DATA, &[0x5A5A]);
    rig.set(&[(1, DATA)]).step();
    assert_eq!(rig.r(0), 0x5A5A);
    // Point the page at 0x3000 instead; after the invalidation the new mapping applies.
    rig.poke(COARSE + 4 * 2, &[0x3000 | 0xFF0 | 0b10]);
    rig.poke(0x3000, &[0xBEEF]);
    rig.steps(2);
    assert_eq!(rig.r(0), 0xBEEF);
}

#[test]
fn invalidating_one_tlb_entry_makes_its_page_table_change_visible() {
    // ldr r0, [r1]; mcr p15, 0, r1, c8, c7, 1 (invalidate the entry of r1); ldr r0, [r1]
    let mut rig = with_mmu(Rig::arm(&[0xE5910000, 0xEE081F37, 0xE5910000]));
    rig.poke(DATA, &[0x5A5A]);
    rig.set(&[(1, DATA)]).step();
    rig.poke(COARSE + 4 * 2, &[0x3000 | 0xFF0 | 0b10]);
    rig.poke(0x3000, &[0xBEEF]);
    rig.steps(2);
    assert_eq!(rig.r(0), 0xBEEF);
}

#[test]
fn invalidating_one_address_of_a_section_drops_the_whole_section() {
    // The section at 1 MiB maps to physical 0. Two of its pages are read (cached as two 4 KiB
    // entries); the section is unmapped and only the first page's address invalidated. A TLB
    // entry caches a whole section (ARM ARM B4.2.1), so the second page must fault too.
    // ldr r0, [r1]; ldr r0, [r3]; mcr p15, 0, r1, c8, c7, 1; ldr r0, [r3]
    let mut rig = with_mmu(Rig::arm(&[0xE5910000, 0xE5930000, 0xEE081F37, 0xE5930000]));
    rig.poke(TTBR + 4, &[0xC02]); // section, AP 11, domain 0, base 0
    rig.poke(0x3000, &[0x77]);
    rig.set(&[(1, 0x0010_2000), (3, 0x0010_3000)]).steps(2);
    assert_eq!(rig.r(0), 0x77);
    rig.poke(TTBR + 4, &[0]);
    rig.steps(2);
    assert_eq!(rig.cpu.mode(), Mode::Abort);
    // Section translation fault, domain 0.
    assert_eq!((rig.cpu.cp15.dfsr, rig.cpu.cp15.far), (0x05, 0x0010_3000));
}

/// `program` with the MMU on, the code and DATA in domain 0 (a client), the section at 1 MiB
/// in domain 1 (a client, AP 11) and the one at 2 MiB in domain 2 (a manager, AP 00: no
/// access for a client with S and R clear), both mapping physical 0, where 0x3000 holds 0x77.
/// r1 and r7 point to 0x3000 in each section, r5 to DATA; r2 holds `dacr` for an MCR.
fn domains_rig(program: &[u32], dacr: u32) -> Rig {
    let mut rig = with_mmu(Rig::arm(program));
    rig.poke(TTBR + 4, &[0xC02 | 1 << 5]);
    rig.poke(TTBR + 8, &[0x002 | 2 << 5]);
    rig.cpu.cp15.dacr = 0b11_01_01;
    rig.cpu.control_changed();
    rig.poke(0x3000, &[0x77]);
    rig.poke(DATA, &[0x5A5A]);
    rig.set(&[(1, 0x0010_3000), (7, 0x0020_3000), (5, DATA), (2, dacr)]);
    rig
}

#[test]
fn a_dacr_write_revokes_the_cached_pages_of_a_domain_made_no_access() {
    // ldr r0, [r1]; ldr r4, [r5]; mcr p15, 0, r2, c3, c0, 0; ldr r4, [r5]; ldr r0, [r1]
    let program = [0xE5910000, 0xE5954000, 0xEE032F10, 0xE5954000, 0xE5910000];
    // Domain 1 becomes no access; 0 and 2 stay as they were.
    let mut rig = domains_rig(&program, 0b11_00_01);
    rig.steps(2);
    assert_eq!((rig.r(0), rig.r(4)), (0x77, 0x5A5A));
    rig.poke(DATA, &[0x6B6B]);
    rig.steps(2);
    assert_eq!(rig.r(4), 0x6B6B);
    rig.step();
    // The page read before, cached, must fault now (ARM ARM B4.6.4: the domain is checked at
    // every access): a domain fault (section) in domain 1.
    assert_eq!(rig.cpu.mode(), Mode::Abort);
    assert_eq!((rig.cpu.cp15.dfsr, rig.cpu.cp15.far), (0x19, 0x0010_3000));
}

#[test]
fn a_manager_made_a_client_loses_the_cached_pages_its_ap_bits_refuse() {
    // ldr r6, [r7]; mcr p15, 0, r2, c3, c0, 0; ldr r0, [r1]; ldr r6, [r7]
    let program = [0xE5976000, 0xEE032F10, 0xE5910000, 0xE5976000];
    // Domain 2 becomes a client; 0 and 1 stay clients.
    let mut rig = domains_rig(&program, 0b01_01_01);
    rig.step();
    assert_eq!(rig.r(6), 0x77);
    rig.steps(2);
    assert_eq!(rig.r(0), 0x77);
    rig.step();
    // AP 00 with S and R clear permits nothing to a client: a permission fault (section) in
    // domain 2.
    assert_eq!(rig.cpu.mode(), Mode::Abort);
    assert_eq!((rig.cpu.cp15.dfsr, rig.cpu.cp15.far), (0x2D, 0x0020_3000));
}

#[test]
fn translate_reports_the_whole_walk() {
    let rig = with_mmu(Rig::arm(&[]));
    let walk = rig
        .cpu
        .translate(&rig.bus, DATA + 4, crate::mmu::Access::Read, true);
    assert_eq!(walk.l1, Some((TTBR, Some(COARSE | 1))));
    assert_eq!(walk.l2, Some((COARSE + 8, Some(DATA | 0xFF2))));
    assert_eq!(walk.result, Ok(DATA + 4));
}

#[test]
fn wait_for_interrupt_with_irqs_masked_wakes_without_taking_the_interrupt() {
    let mut rig = Rig::arm(&[0xEE070F90, 0xE3A00007]); // mcr p15, 0, r0, c7, c0, 4; mov r0, #7
    assert_eq!(rig.cpu.run(&mut rig.bus, 100), Stop::WaitForInterrupt);
    rig.cpu.idle_until(1000);
    assert_eq!(rig.cpu.cycles(), 1000);
    rig.cpu.set_irq_line(true);
    assert_eq!(rig.cpu.run(&mut rig.bus, 1), Stop::Budget);
    assert_eq!(
        (rig.cpu.mode(), rig.r(0), rig.r(15)),
        (Mode::Supervisor, 7, CODE + 8)
    );
    assert_eq!(rig.cpu.instructions(), 2);
}

// ----- breakpoints and watchpoints -----

#[test]
fn breakpoints_stop_before_the_instruction_and_resume_past_it() {
    // mov r0, #1; mov r0, #2; b .
    let mut rig = Rig::arm(&[0xE3A00001, 0xE3A00002, 0xEAFFFFFE]);
    rig.cpu.add_breakpoint(Breakpoint {
        addr: CODE + 4,
        physical: false,
    });
    assert_eq!(rig.cpu.run(&mut rig.bus, 100), Stop::Breakpoint(CODE + 4));
    assert_eq!((rig.r(0), rig.cpu.instructions()), (1, 1));
    // Running again executes the instruction at the breakpoint.
    assert_eq!(rig.cpu.run(&mut rig.bus, 10), Stop::Budget);
    assert_eq!(rig.r(0), 2);
    assert!(rig.cpu.remove_breakpoint(Breakpoint {
        addr: CODE + 4,
        physical: false
    }));
    assert!(rig.cpu.breakpoints().is_empty());
}

/// A debugger's reads and writes go through the translation a piece at a time: bytes on
/// either side of a page boundary land in the two physical pages mapped there, and an unmapped
/// page ends the access with a translation fault at its address.
#[test]
fn debug_reads_and_writes_follow_the_translation_page_by_page() {
    use crate::mmu::status::{EXTERNAL, TRANSLATION_PAGE};
    let mut rig = with_mmu(Rig::arm(&[]));
    // Virtual page 6 -> physical page 3, 7 -> 9, 8 unmapped.
    rig.poke(COARSE + 4 * 6, &[0x3000 | 0xFF0 | 0b10]);
    rig.poke(COARSE + 4 * 7, &[0x9000 | 0xFF0 | 0b10]);
    rig.poke(COARSE + 4 * 8, &[0]);
    rig.cpu.invalidate_tlb();
    rig.cpu
        .debug_write(&mut rig.bus, 0x6ffe, &[1, 2, 3, 4])
        .unwrap();
    assert_eq!(rig.bus.ram()[0x3ffe..0x4000], [1, 2]);
    assert_eq!(rig.bus.ram()[0x9000..0x9002], [3, 4]);
    let mut back = [0; 4];
    rig.cpu.debug_read(&rig.bus, 0x6ffe, &mut back).unwrap();
    assert_eq!(back, [1, 2, 3, 4]);

    let mut over = [0; 4];
    let fault = rig.cpu.debug_read(&rig.bus, 0x7ffe, &mut over).unwrap_err();
    assert_eq!((fault.status, fault.addr), (TRANSLATION_PAGE, 0x8000));
    let fault = rig
        .cpu
        .debug_write(&mut rig.bus, 0x7ffe, &[5; 4])
        .unwrap_err();
    assert_eq!((fault.status, fault.addr), (TRANSLATION_PAGE, 0x8000));
    // Memory beyond the bus is no translation's fault: an external abort.
    rig.poke(COARSE + 4 * 8, &[0x0010_0000 | 0xFF0 | 0b10]);
    rig.cpu.invalidate_tlb();
    let fault = rig.cpu.debug_read(&rig.bus, 0x8000, &mut over).unwrap_err();
    assert_eq!((fault.status, fault.addr), (EXTERNAL, 0x8000));
}

#[test]
fn physical_breakpoints_see_through_the_mmu() {
    // The code page mapped again at virtual 0x5000 (page 5 -> physical 0x1000).
    let mut rig = with_mmu(Rig::arm(&[0xE3A00001, 0xE3A00002]));
    rig.poke(COARSE + 4 * 5, &[CODE | 0xFF0 | 0b10]);
    rig.cpu.invalidate_tlb();
    rig.cpu.set_pc(0x5000);
    rig.cpu.add_breakpoint(Breakpoint {
        addr: CODE + 4,
        physical: true,
    });
    assert_eq!(rig.cpu.run(&mut rig.bus, 100), Stop::Breakpoint(0x5004));
}

#[test]
fn watchpoints_stop_after_the_access_with_its_address() {
    // ldr r0, [r1]; str r0, [r1, #8]; ldr r2, [r1, #4]
    let mut rig = Rig::arm(&[0xE5910000, 0xE5810008, 0xE5912004]);
    rig.poke(DATA, &[0x11, 0x22, 0x33]);
    rig.set(&[(1, DATA)]);
    // Warm the TLB first: adding a watchpoint must take the page out of it.
    rig.step();
    rig.cpu.set_pc(CODE);
    let write = Watchpoint {
        addr: DATA + 8,
        len: 4,
        kind: WatchKind::Write,
        physical: false,
    };
    rig.cpu.add_watchpoint(write);
    let Stop::Watchpoint(hit) = rig.cpu.run(&mut rig.bus, 100) else {
        panic!("no watchpoint hit");
    };
    assert_eq!(
        (hit.addr, hit.access, hit.watchpoint),
        (DATA + 8, WatchKind::Write, write)
    );
    assert_eq!((rig.word(DATA + 8), rig.r(15)), (0x11, CODE + 8));
    rig.cpu.remove_watchpoint(write);
    rig.cpu.add_watchpoint(Watchpoint {
        addr: DATA + 6,
        len: 2,
        kind: WatchKind::Access,
        physical: true,
    });
    assert!(matches!(
        rig.cpu.run(&mut rig.bus, 100),
        Stop::Watchpoint(WatchHit { addr, access: WatchKind::Read, .. }) if addr == DATA + 4
    ));
}

#[test]
fn a_watched_range_past_0xffffffff_goes_on_from_0() {
    // str r0, [r1]; str r0, [r2]: the first store lies outside the range, the second inside,
    // at 0x800 of a range that runs from 0xfffff800 through 0x00000fff (the address space is
    // reduced modulo 2^32, ARM ARM A2.8).
    let mut rig = Rig::arm(&[0xE5810000, 0xE5820000]);
    rig.set(&[(1, 0x1800), (2, 0x0800)]);
    let wrapping = Watchpoint {
        addr: 0xFFFF_F800,
        len: 0x1800,
        kind: WatchKind::Write,
        physical: false,
    };
    rig.cpu.add_watchpoint(wrapping);
    let Stop::Watchpoint(hit) = rig.cpu.run(&mut rig.bus, 100) else {
        panic!("no watchpoint hit");
    };
    assert_eq!((hit.addr, rig.r(15)), (0x0800, CODE + 8));
    assert!(rig.cpu.remove_watchpoint(wrapping));
    // The whole address space from its last byte: every access is inside.
    rig.cpu.set_pc(CODE);
    rig.cpu.add_watchpoint(Watchpoint {
        addr: 0xFFFF_FFFF,
        len: u32::MAX,
        kind: WatchKind::Write,
        physical: true,
    });
    assert!(matches!(
        rig.cpu.run(&mut rig.bus, 100),
        Stop::Watchpoint(WatchHit { addr: 0x1800, .. })
    ));
}

#[test]
fn break_on_stops_after_entering_the_exception() {
    let mut rig = Rig::arm(&[0xE1A00000, 0xE7F000F0]); // nop; undefined
    rig.cpu.break_on = vec![Exception::Undefined];
    assert_eq!(
        rig.cpu.run(&mut rig.bus, 100),
        Stop::Event(Event::Exception(Exception::Undefined))
    );
    assert_eq!(
        (rig.cpu.mode(), rig.r(15), rig.r(14)),
        (Mode::Undefined, 4, CODE + 8)
    );
}
