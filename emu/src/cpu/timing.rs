//! How many cycles instructions take: the ARM926EJ-S core's instruction timings, which its TRM
//! (ARM DDI 0198) leaves to the ARM9EJ-S TRM (ARM DDI 0222B), chapter 8 "Instruction Cycle
//! Times": Table 8.2 for ARM state, Table 8.3 for Thumb, and the sections on interlocks.
//!
//! Every instruction costs one cycle, counted with the instruction count; what is here is the
//! cycles an instruction takes beyond that one (its *extra* cycles), and the load-use
//! interlocks a load leaves for the next instruction. The tables assume memory as fast as the
//! core (every fetch and data access hits its cache or TCM, no wait states): the same
//! assumption is made here, so cache misses, TLB walks, the write buffer and the bus's wait
//! states cost nothing (docs/design.md, "Timing").
//!
//! The ARM9EJ-S multiplier has no early termination: a multiply's cycles depend on its kind and
//! on S, never on the operands' values (Table 8.2, and the ARM9E-S family's "Multiply and
//! multiply accumulate" section, where MUL takes 2 cycles whatever Rs holds).

/// A taken branch refills the pipeline: B, BL, BX, BLX take 3 cycles (Table 8.2; section 8.5
/// "Branch and exchange"), and so does a Thumb B, B<cond> taken, the BL suffix and BX (Table
/// 8.3). A branch not taken, like any instruction failing its condition, takes 1 cycle.
pub const BRANCH: u64 = 2;

/// Entering an exception (SWI, undefined, an abort, an interrupt) refills the pipeline from the
/// vector as a branch does.
pub const EXCEPTION: u64 = 2;

/// A data operation with a register-controlled shift: 2 cycles (Table 8.2).
pub const REGISTER_SHIFT: u64 = 1;

/// A data operation writing the PC: 3 cycles for an arithmetic result without an operand shift
/// (ADD, SUB, RSB, ADC, SBC), 4 for a logical one or with a shifted operand (Table 8.2).
pub fn data_to_pc(opcode: u32, shifted: bool) -> u64 {
    // SUB, RSB, ADD, ADC, SBC.
    let arithmetic = matches!(opcode, 0x2..=0x6);
    if arithmetic && !shifted {
        2
    } else {
        3
    }
}

/// LDR or STR with a shifted register offset: 2 cycles (Table 8.2, "shifted offset").
pub const SCALED_OFFSET: u64 = 1;

/// LDR to the PC: 5 cycles, 6 with a scaled register offset (Table 8.2).
pub const LOAD_PC: u64 = 4;

/// LDRD and STRD: 2 cycles (Table 8.2).
pub const DOUBLE: u64 = 1;

/// SWP and SWPB: 2 cycles (Table 8.2).
pub const SWAP: u64 = 1;

/// LDM of `n` registers: 2 cycles for one, `n` for more, `n` + 4 with the PC among them
/// (Table 8.2; POP in Table 8.3).
pub fn load_multiple(n: u32, pc: bool) -> u64 {
    if pc {
        n as u64 + 3
    } else {
        n.max(2) as u64 - 1
    }
}

/// STM of `n` registers: 2 cycles for one, `n` for more (Table 8.2; PUSH in Table 8.3).
pub fn store_multiple(n: u32) -> u64 {
    n.max(2) as u64 - 1
}

/// MUL and MLA take 2 cycles, MULS and MLAS 4; the long multiplies 3, with S 5 (Table 8.2).
/// Thumb's MUL sets the flags: 4 cycles (Table 8.3).
pub fn multiply(long: bool, s: bool) -> u64 {
    match (long, s) {
        (false, false) => 1,
        (false, true) => 3,
        (true, false) => 2,
        (true, true) => 4,
    }
}

/// SMLALxy: 2 cycles; the other halfword multiplies (SMULxy, SMLAxy, SMULWy, SMLAWy) take 1
/// (Table 8.2).
pub const HALFWORD_MULTIPLY_LONG: u64 = 1;

/// MRS: 2 cycles (Table 8.2).
pub const MRS: u64 = 1;

/// MSR writing the control field (the mode and interrupt masks): 3 cycles; the flags alone take
/// 1 (Table 8.2).
pub const MSR_CONTROL: u64 = 2;

/// MCR and MRC to CP15, which answers without busy-waiting: 2 cycles (Table 8.2).
pub const COPROCESSOR: u64 = 1;

/// The most cycles one instruction can take, its interlock included: an LDM of all 16
/// registers (20), after a byte load it uses (2), aborting into its exception (2), rounded up.
/// Compiled code runs only where this many cycles per instruction cannot pass the deadline.
pub const MOST_PER_INSTRUCTION: u64 = 32;

/// A load's pending interlock (`Cpu::interlock`): the registers it loads in bits 15:0, the
/// cycles the next instruction waits if it reads one of them in bits 31:16. A loaded word is
/// available to the next instruction after 1 cycle; a byte, a halfword or an unaligned word
/// (which the core rotates) after 2 (Table 8.2, "load-use interlock"). LDM and LDRD delay only
/// their last register, by 1. A load to the PC interlocks nothing: it branches.
pub fn load_use(rd: usize, whole_word: bool) -> u32 {
    if rd == 15 {
        return 0;
    }
    let wait = if whole_word { 1 } else { 2 };
    (wait << 16) | 1 << rd
}

/// The pending interlock of an LDM (or POP) of `list`: its last register but the PC.
pub fn load_multiple_use(list: u32) -> u32 {
    match list & 0x7FFF {
        0 => 0,
        rest => load_use(31 - rest.leading_zeros() as usize, true),
    }
}

/// The registers an ARM instruction reads (bit n for register n), for its load-use interlock:
/// its operands, a store's data, a block store's list. Looked up after every load, so it is
/// the fields [`arm_reads_decoded`] finds for the instruction's decode-table index (which
/// fixes its class, and which of Rn, Rd, Rs, Rm and the list it reads), filled in.
pub fn arm_reads(insn: u32) -> u32 {
    if insn >> 28 == 0xF {
        return 0;
    }
    let fields = ARM_FIELDS[super::arm::table_index(insn)];
    let reg = |lsb: u32| 1u32 << ((insn >> lsb) & 0xF);
    let mut reads = 0;
    if fields & LIST != 0 {
        reads |= insn & 0xFFFF;
    }
    if fields & RN != 0 {
        reads |= reg(16);
    }
    if fields & RD != 0 {
        reads |= reg(12);
    }
    if fields & RD_PAIR != 0 {
        reads |= reg(12) | (reg(12) << 1 & 0xFFFF);
    }
    if fields & RS != 0 {
        reads |= reg(8);
    }
    if fields & RM != 0 {
        reads |= reg(0);
    }
    reads
}

/// Whether an ARM instruction reads the register a load left `pending` (one register, not the
/// PC), as [`arm_reads`] says, in a few operations on its word: looked at after every load.
/// The fields Rm, Rs, Rd and Rn are nibbles 0, 2, 3 and 4; XOR-ing the register into each
/// leaves a zero nibble where it is named, the fields the instruction does not read are set to
/// 0xF, and one subtraction finds a zero nibble (the "has a zero byte" test on nibbles: a
/// borrow only crosses a lane above a zero one).
#[inline(always)]
pub fn arm_waits(insn: u32, pending: u32) -> bool {
    if insn >> 28 == 0xF {
        return false;
    }
    let fields = ARM_LANES[super::arm::table_index(insn)];
    let r = (pending & 0xFFFF).trailing_zeros();
    let lanes = ((insn ^ r.wrapping_mul(0x1_1111)) | !fields) & 0xF_FFFF;
    lanes.wrapping_sub(0x1_1111) & !lanes & 0x8_8888 != 0
        || (fields & LANE_LIST != 0 && insn & pending & 0xFFFF != 0)
        || (fields & LANE_PAIR != 0 && (insn >> 12) & 0xF == r.wrapping_sub(1))
}

/// [`ARM_FIELDS`] as the nibbles of the fields read, with a block store's list and STRD's
/// second register as flags above them.
const LANE_LIST: u32 = 1 << 31;
const LANE_PAIR: u32 = 1 << 30;
static ARM_LANES: std::sync::LazyLock<[u32; 4096]> = std::sync::LazyLock::new(|| {
    let mut lanes = [0; 4096];
    for (lane, &fields) in lanes.iter_mut().zip(ARM_FIELDS.iter()) {
        for (flag, bits) in [
            (RN, 0xF_0000),
            (RD | RD_PAIR, 0xF000),
            (RS, 0xF00),
            (RM, 0xF),
            (LIST, LANE_LIST),
            (RD_PAIR, LANE_PAIR),
        ] {
            if fields & flag != 0 {
                *lane |= bits;
            }
        }
    }
    lanes
});

/// The register fields an instruction of a decode-table index reads.
const RN: u8 = 1;
const RD: u8 = 2;
const RD_PAIR: u8 = 4;
const RS: u8 = 8;
const RM: u8 = 16;
const LIST: u8 = 32;

/// By decode-table index, found once by asking [`arm_reads_decoded`] about an instruction of
/// that index whose fields name distinct registers (Rn r6, Rd r8, Rs r11, Rm r12; a block
/// transfer's list then holds r15, which no field names).
static ARM_FIELDS: std::sync::LazyLock<[u8; 4096]> = std::sync::LazyLock::new(|| {
    let mut fields = [0; 4096];
    for (index, field) in fields.iter_mut().enumerate() {
        let index = index as u32;
        let probe = 0xE000_0000
            | (index >> 4) << 20
            | (index & 0xF) << 4
            | 6 << 16
            | 8 << 12
            | 11 << 8
            | 12;
        let reads = arm_reads_decoded(probe);
        let has = |n: u32| reads & 1 << n != 0;
        *field = if has(15) {
            LIST | if has(6) { RN } else { 0 }
        } else {
            [(6, RN), (8, RD), (9, RD_PAIR), (11, RS), (12, RM)]
                .iter()
                .filter(|&&(n, _)| has(n))
                .fold(0, |acc, &(_, flag)| acc | flag)
        };
    }
    fields
});

/// [`arm_reads`] worked out from the instruction's class.
fn arm_reads_decoded(insn: u32) -> u32 {
    use super::arm::{classify, ArmOp};
    let reg = |lsb: u32| 1u32 << ((insn >> lsb) & 0xF);
    let (rn, rd, rs, rm) = (reg(16), reg(12), reg(8), reg(0));
    let store = insn & 1 << 20 == 0;
    // MOV and MVN have no first operand.
    let first = |opcode: u32| {
        if opcode == 0xD || opcode == 0xF {
            0
        } else {
            rn
        }
    };
    let opcode = (insn >> 21) & 0xF;
    match classify(insn) {
        ArmOp::DataImmShift => first(opcode) | rm,
        ArmOp::DataRegShift => first(opcode) | rm | rs,
        ArmOp::DataImm => first(opcode),
        ArmOp::MsrReg | ArmOp::Bx | ArmOp::Bxj | ArmOp::BlxReg | ArmOp::Clz => rm,
        ArmOp::SaturatingArith | ArmOp::Swap => rm | rn,
        ArmOp::SmulXy | ArmOp::SmulwY => rm | rs,
        ArmOp::SmlaXy | ArmOp::SmlawY => rm | rs | rd,
        ArmOp::SmlalXy => rm | rs | rd | rn,
        ArmOp::Multiply if insn & 1 << 21 != 0 => rm | rs | rd,
        ArmOp::Multiply => rm | rs,
        ArmOp::MultiplyLong if insn & 1 << 21 != 0 => rm | rs | rd | rn,
        ArmOp::MultiplyLong => rm | rs,
        ArmOp::ExtraLoadStore => {
            let offset = if insn & 1 << 22 == 0 { rm } else { 0 };
            // STRD (bits 6:5 = 0b11 without L) stores Rd and Rd+1; STRH stores Rd.
            let data = match (store, (insn >> 5) & 3) {
                (true, 0b11) => rd | (rd << 1 & 0xFFFF),
                (true, 0b10) => 0,
                (true, _) => rd,
                _ => 0,
            };
            rn | offset | data
        }
        ArmOp::LoadStoreImm => rn | if store { rd } else { 0 },
        ArmOp::LoadStoreReg => rn | rm | if store { rd } else { 0 },
        ArmOp::BlockTransfer => rn | if store { insn & 0xFFFF } else { 0 },
        ArmOp::CoprocRegTransfer if store => rd,
        _ => 0,
    }
}

/// The registers a Thumb instruction reads (bit n for register n), as [`arm_reads`]: looked up
/// in a table of every halfword, made once from [`thumb_reads_decoded`].
pub fn thumb_reads(insn: u32) -> u32 {
    THUMB_READS[(insn & 0xFFFF) as usize] as u32
}

static THUMB_READS: std::sync::LazyLock<Box<[u16]>> = std::sync::LazyLock::new(|| {
    (0..=0xFFFF)
        .map(|i| thumb_reads_decoded(i) as u16)
        .collect()
});

/// [`thumb_reads`] worked out from the instruction's format.
fn thumb_reads_decoded(insn: u32) -> u32 {
    let low = |lsb: u32| 1u32 << ((insn >> lsb) & 7);
    match insn >> 11 {
        // Shift by an immediate; ADD/SUB with a register or a 3-bit immediate.
        0b00000..=0b00010 => low(3),
        0b00011 if insn & 1 << 10 != 0 => low(3),
        0b00011 => low(3) | low(6),
        // MOV, CMP, ADD, SUB with an 8-bit immediate: all but MOV read Rd.
        0b00100 => 0,
        0b00101..=0b00111 => low(8),
        0b01000 => match (insn >> 8) & 7 {
            // Data processing on two low registers: NEG (9) and MVN (15) read Rm alone.
            0b000..=0b011 => match (insn >> 6) & 0xF {
                0x9 | 0xF => low(3),
                _ => low(3) | low(0),
            },
            // ADD, CMP, MOV on high registers, BX, BLX: Rm, and Rd for ADD and CMP.
            op => {
                let rm = 1 << ((insn >> 3) & 0xF);
                let rd = 1 << ((insn & 7) | ((insn >> 4) & 8));
                match op & 3 {
                    0b00 | 0b01 => rm | rd,
                    _ => rm,
                }
            }
        },
        // LDR (PC-relative): the PC only.
        0b01001 => 0,
        // Register offset: Rn, Rm, and Rd for the stores (bits 11:9 below LDRSB).
        0b01010 | 0b01011 => {
            let store = (insn >> 9) & 7 < 3;
            low(3) | low(6) | if store { low(0) } else { 0 }
        }
        // Immediate offset, word and byte (bit 11 L), halfword (bit 11 L).
        0b01100 | 0b01110 | 0b10000 => low(3) | low(0),
        0b01101 | 0b01111 | 0b10001 => low(3),
        // SP-relative.
        0b10010 => 1 << 13 | low(8),
        0b10011 => 1 << 13,
        // ADD Rd, PC or SP.
        0b10100 => 0,
        0b10101 => 1 << 13,
        0b10110 | 0b10111 => match (insn >> 8) & 0xF {
            // PUSH reads SP and the list (LR with R).
            0b0100 | 0b0101 => 1 << 13 | (insn & 0xFF) | ((insn >> 8) & 1) << 14,
            0b0000 | 0b1100 | 0b1101 => 1 << 13,
            _ => 0,
        },
        // STMIA reads Rn and the list, LDMIA Rn.
        0b11000 => low(8) | (insn & 0xFF),
        0b11001 => low(8),
        // The BL and BLX suffixes add to LR.
        0b11101 | 0b11111 => 1 << 14,
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tables_numbers() {
        // ARM9EJ-S TRM Table 8.2, as whole cycles: one plus the extra.
        assert_eq!(1 + load_multiple(1, false), 2);
        assert_eq!(1 + load_multiple(5, false), 5);
        assert_eq!(1 + load_multiple(5, true), 9);
        assert_eq!(1 + load_multiple(1, true), 5);
        assert_eq!(1 + store_multiple(1), 2);
        assert_eq!(1 + store_multiple(16), 16);
        assert_eq!(1 + multiply(false, false), 2);
        assert_eq!(1 + multiply(false, true), 4);
        assert_eq!(1 + multiply(true, false), 3);
        assert_eq!(1 + multiply(true, true), 5);
        assert_eq!(1 + data_to_pc(0x4, false), 3, "ADD pc");
        assert_eq!(1 + data_to_pc(0xD, false), 4, "MOV pc");
        assert_eq!(1 + data_to_pc(0x4, true), 4, "ADD pc, with a shift");
        assert!(1 + load_multiple(16, true) + 2 + EXCEPTION <= MOST_PER_INSTRUCTION);
    }

    /// The tables give what decoding each instruction gives, for a spread of instructions.
    #[test]
    fn the_tables_agree_with_decoding() {
        let mut x = 0x1234_5678u32;
        for _ in 0..200_000 {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            let insn = (x & 0x0FFF_FFFF) | 0xE000_0000;
            assert_eq!(arm_reads(insn), arm_reads_decoded(insn), "{insn:#010x}");
        }
    }

    /// The quick look agrees with the registers an instruction reads, for every register.
    #[test]
    fn the_quick_look_agrees_with_the_reads() {
        let mut x = 0x9876_5432u32;
        for _ in 0..200_000 {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            let insn = (x & 0x0FFF_FFFF) | 0xE000_0000;
            for r in 0..15 {
                let pending = load_use(r, true);
                let reads = arm_reads(insn) & pending & 0xFFFF != 0;
                assert_eq!(arm_waits(insn, pending), reads, "{insn:#010x} r{r}");
            }
        }
        // add r1, r2, #1 reads no r0; add r1, r0, #1 does; mov r0, r0 (Rn field 0) too.
        assert!(!arm_waits(0xE282_1001, load_use(0, true)));
        assert!(arm_waits(0xE280_1001, load_use(0, true)));
        assert!(!arm_waits(0xE3A0_1000, load_use(0, true)), "mov r1, #0");
    }

    #[test]
    fn what_instructions_read() {
        // add r0, r1, r2, lsl r3; mov r0, r4; ldr r0, [r5, #4]; str r6, [r7]
        assert_eq!(arm_reads(0xE081_0312), 0b1110);
        assert_eq!(arm_reads(0xE1A0_0004), 1 << 4);
        assert_eq!(arm_reads(0xE595_0004), 1 << 5);
        assert_eq!(arm_reads(0xE587_6000), 1 << 7 | 1 << 6);
        // stmia r0, {r1, r2}; mla r0, r1, r2, r3; bx lr
        assert_eq!(arm_reads(0xE880_0006), 0b111);
        assert_eq!(arm_reads(0xE020_3291), 0b1110);
        assert_eq!(arm_reads(0xE12F_FF1E), 1 << 14);
        // Thumb: adds r0, r1, r2; movs r0, #1; ldr r0, [r1, #4]; str r2, [r3, #0]; push {r4, lr}
        assert_eq!(thumb_reads(0x1888), 0b110);
        assert_eq!(thumb_reads(0x2001), 0);
        assert_eq!(thumb_reads(0x6848), 1 << 1);
        assert_eq!(thumb_reads(0x601A), 1 << 3 | 1 << 2);
        assert_eq!(thumb_reads(0xB510), 1 << 13 | 1 << 14 | 1 << 4);
        // mov r8, r1 (high register form) reads r1 only; add r8, r1 reads both.
        assert_eq!(thumb_reads(0x4688), 1 << 1);
        assert_eq!(thumb_reads(0x4488), 1 << 1 | 1 << 8);
    }
}
