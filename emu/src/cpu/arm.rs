//! The ARM instruction set (ARM ARM, ARMv5 edition, chapter A3 "The ARM Instruction Set" and
//! A4 "ARM Instructions").
//!
//! Decoding is a table lookup: bits 27:20 and 7:4 of an instruction (4096 combinations) select an
//! [`ArmOp`], computed once at compile time; each class's handler reads its own fields. The
//! unconditional space (condition 0b1111) is decoded on its own before the condition check.
//!
//! Where the ARM ARM calls an encoding UNPREDICTABLE, the choice made is stated at the handler.

use super::alu::{self, Shift};
use super::memory::As;
use super::{cp15, psr, timing, Cpu, Event, Exception, Handler, Handlers, InstructionSet};
use crate::bus::{Bus, Size};

/// Instruction classes, selected by bits 27:20 and 7:4.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArmOp {
    /// Data processing with an immediate-shifted register operand.
    DataImmShift,
    /// Data processing with a register-shifted register operand.
    DataRegShift,
    /// Data processing with a rotated immediate operand.
    DataImm,
    Mrs,
    MsrReg,
    MsrImm,
    Bx,
    /// BXJ: Jazelle is not implemented, so it behaves as BX (ARM926EJ-S TRM 1.2, "Jazelle").
    Bxj,
    BlxReg,
    Clz,
    /// QADD, QSUB, QDADD, QDSUB.
    SaturatingArith,
    Bkpt,
    SmlaXy,
    SmlawY,
    SmulwY,
    SmlalXy,
    SmulXy,
    /// MUL, MLA.
    Multiply,
    /// UMULL, UMLAL, SMULL, SMLAL.
    MultiplyLong,
    /// SWP, SWPB.
    Swap,
    /// LDRH, STRH, LDRSB, LDRSH, LDRD, STRD.
    ExtraLoadStore,
    /// LDR, STR, LDRB, STRB (and the T forms) with a 12-bit immediate offset.
    LoadStoreImm,
    /// The same with a shifted register offset.
    LoadStoreReg,
    /// LDM, STM.
    BlockTransfer,
    /// B, BL.
    Branch,
    /// LDC, STC, MCRR, MRRC: no coprocessor of this core implements them.
    CoprocTransfer,
    /// CDP: no coprocessor of this core implements data operations.
    CoprocDataOp,
    /// MCR, MRC.
    CoprocRegTransfer,
    Swi,
    Undefined,
}

/// Decodes the class of an instruction from bits 27:20 (`hi`) and 7:4 (`lo`).
const fn decode(hi: u32, lo: u32) -> ArmOp {
    use ArmOp::*;
    match hi >> 5 {
        0b000 => {
            if lo == 0b1001 {
                if hi & 0xFC == 0x00 {
                    Multiply
                } else if hi & 0xF8 == 0x08 {
                    MultiplyLong
                } else if hi & 0xFB == 0x10 {
                    Swap
                } else {
                    Undefined
                }
            } else if lo & 0b1001 == 0b1001 {
                ExtraLoadStore
            } else if hi & 0x19 == 0x10 {
                // Miscellaneous instructions: TST/TEQ/CMP/CMN encodings without S (A3.16.3).
                let op = (hi >> 1) & 3;
                match lo {
                    0b0000 => {
                        if op & 1 == 0 {
                            Mrs
                        } else {
                            MsrReg
                        }
                    }
                    0b0001 if op == 1 => Bx,
                    0b0001 if op == 3 => Clz,
                    0b0010 if op == 1 => Bxj,
                    0b0011 if op == 1 => BlxReg,
                    0b0101 => SaturatingArith,
                    0b0111 if op == 1 => Bkpt,
                    _ if lo & 0b1001 == 0b1000 => match op {
                        0 => SmlaXy,
                        1 => {
                            if lo & 0b0010 == 0 {
                                SmlawY
                            } else {
                                SmulwY
                            }
                        }
                        2 => SmlalXy,
                        _ => SmulXy,
                    },
                    _ => Undefined,
                }
            } else if lo & 1 == 0 {
                DataImmShift
            } else {
                DataRegShift
            }
        }
        0b001 => {
            if hi & 0x19 == 0x10 {
                // MSR immediate; the encoding with bit 21 clear is undefined (A3.16.4).
                if hi & 0x02 != 0 {
                    MsrImm
                } else {
                    Undefined
                }
            } else {
                DataImm
            }
        }
        0b010 => LoadStoreImm,
        0b011 => {
            // Bit 4 set is the architecturally undefined space (A3.16.5).
            if lo & 1 != 0 {
                Undefined
            } else {
                LoadStoreReg
            }
        }
        0b100 => BlockTransfer,
        0b101 => Branch,
        0b110 => CoprocTransfer,
        _ => {
            if hi & 0x10 != 0 {
                Swi
            } else if lo & 1 != 0 {
                CoprocRegTransfer
            } else {
                CoprocDataOp
            }
        }
    }
}

const fn build_table() -> [ArmOp; 4096] {
    let mut table = [ArmOp::Undefined; 4096];
    let mut i = 0;
    while i < 4096 {
        table[i] = decode((i >> 4) as u32, (i & 0xF) as u32);
        i += 1;
    }
    table
}

static TABLE: [ArmOp; 4096] = build_table();

/// The class of an ARM instruction whose condition is not 0b1111.
pub fn classify(insn: u32) -> ArmOp {
    TABLE[(((insn >> 16) & 0xFF0) | ((insn >> 4) & 0xF)) as usize]
}

#[inline(always)]
fn bit(insn: u32, n: u32) -> bool {
    insn & (1 << n) != 0
}

#[inline(always)]
fn reg_field(insn: u32, lsb: u32) -> usize {
    ((insn >> lsb) & 0xF) as usize
}

/// The ARM state.
pub(super) struct Arm;

impl InstructionSet for Arm {
    const SIZE: Size = Size::Word;

    #[inline(always)]
    fn execute<B: Bus>(cpu: &mut Cpu, bus: &mut B, insn: u32) {
        let cond = insn >> 28;
        // AL, by far the most common condition, needs no look at the flags.
        if cond == 0xE || (cond != 0xF && psr::condition_passed(cond, cpu.cpsr)) {
            Handlers::<B>::ARM[table_index(insn)](cpu, bus, insn);
        } else if cond == 0xF {
            unconditional(cpu, bus, insn);
        }
    }

    #[inline(always)]
    fn waits(insn: u32, pending: u32) -> bool {
        timing::arm_waits(insn, pending)
    }
}

/// The index into the decode tables: bits 27:20 and 7:4.
#[inline(always)]
pub(super) fn table_index(insn: u32) -> usize {
    (((insn >> 16) & 0xFF0) | ((insn >> 4) & 0xF)) as usize
}

/// Chooses among `$f::<B, ..., 0>` to `$f::<B, ..., 31>` by a 5-bit value.
macro_rules! select32 {
    ($value:expr, $($rest:tt)*) => {
        select!($value & 31, [0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25
            26 27 28 29 30 31], $($rest)*)
    };
}

/// The handler of every table index, built at compile time for each bus type. The frequent
/// classes get handlers compiled for the constant bits of their index (the data-processing
/// opcode, S and shift type; the P, U, B/I, W, L bits of the loads and stores, halfword and
/// doubleword forms included; the block transfer's), so that the operation is chosen when the
/// table is built rather than for each instruction.
pub(super) const fn handler_table<B: Bus>() -> [Handler<B>; 4096] {
    let mut table = [execute::<B> as Handler<B>; 4096];
    let mut index = 0;
    while index < 4096 {
        let (hi, lo) = ((index >> 4) as u32, (index & 0xF) as u32);
        // Bits 24:20 of the instruction, and the shift type in bits 6:5.
        let bits = hi & 31;
        let shift = (lo >> 1) & 3;
        table[index] = match decode(hi, lo) {
            ArmOp::DataImmShift => match shift {
                0 => select32!(bits, data_imm_shift, B, 0),
                1 => select32!(bits, data_imm_shift, B, 1),
                2 => select32!(bits, data_imm_shift, B, 2),
                _ => select32!(bits, data_imm_shift, B, 3),
            },
            ArmOp::DataRegShift => match shift {
                0 => select32!(bits, data_reg_shift, B, 0),
                1 => select32!(bits, data_reg_shift, B, 1),
                2 => select32!(bits, data_reg_shift, B, 2),
                _ => select32!(bits, data_reg_shift, B, 3),
            },
            ArmOp::DataImm => select32!(bits, data_imm, B),
            ArmOp::LoadStoreImm => select32!(bits, load_store_imm, B),
            ArmOp::ExtraLoadStore => select32!(bits, extra_load_store_fixed, B),
            ArmOp::LoadStoreReg => select32!(bits, load_store_reg, B),
            ArmOp::BlockTransfer => select32!(bits, block_transfer_fixed, B),
            ArmOp::Branch => {
                if hi & 0x10 != 0 {
                    branch::<B, true>
                } else {
                    branch::<B, false>
                }
            }
            _ => execute::<B>,
        };
        index += 1;
    }
    table
}

/// The instruction with bits 24:20 replaced by the constant `BITS` (the same value they have
/// for every instruction reaching the handler), so the compiler folds what depends on them.
#[inline(always)]
fn fix_bits_24_20<const BITS: u32>(insn: u32) -> u32 {
    (insn & !(31 << 20)) | (BITS << 20)
}

/// The instruction with its shift type (bits 6:5) replaced by the constant `SHIFT`.
#[inline(always)]
fn fix_shift<const SHIFT: u32>(insn: u32) -> u32 {
    (insn & !(3 << 5)) | (SHIFT << 5)
}

fn data_imm_shift<B: Bus, const SHIFT: u32, const BITS: u32>(cpu: &mut Cpu, _: &mut B, insn: u32) {
    data_imm_shift_op(cpu, fix_shift::<SHIFT>(fix_bits_24_20::<BITS>(insn)));
}

fn data_reg_shift<B: Bus, const SHIFT: u32, const BITS: u32>(cpu: &mut Cpu, _: &mut B, insn: u32) {
    data_reg_shift_op(cpu, fix_shift::<SHIFT>(fix_bits_24_20::<BITS>(insn)));
}

fn data_imm<B: Bus, const BITS: u32>(cpu: &mut Cpu, _: &mut B, insn: u32) {
    data_imm_op(cpu, fix_bits_24_20::<BITS>(insn));
}

fn load_store_imm<B: Bus, const BITS: u32>(cpu: &mut Cpu, bus: &mut B, insn: u32) {
    let insn = fix_bits_24_20::<BITS>(insn);
    load_store::<B, true>(cpu, bus, insn, insn & 0xFFF);
}

fn load_store_reg<B: Bus, const BITS: u32>(cpu: &mut Cpu, bus: &mut B, insn: u32) {
    load_store_reg_op(cpu, bus, fix_bits_24_20::<BITS>(insn));
}

fn extra_load_store_fixed<B: Bus, const BITS: u32>(cpu: &mut Cpu, bus: &mut B, insn: u32) {
    extra_load_store(cpu, bus, fix_bits_24_20::<BITS>(insn));
}

fn block_transfer_fixed<B: Bus, const BITS: u32>(cpu: &mut Cpu, bus: &mut B, insn: u32) {
    block_transfer(cpu, bus, fix_bits_24_20::<BITS>(insn));
}

fn branch<B: Bus, const LINK: bool>(cpu: &mut Cpu, _: &mut B, insn: u32) {
    let offset = (((insn << 8) as i32) >> 6) as u32;
    if LINK {
        cpu.r[14] = cpu.insn_addr.wrapping_add(4);
    }
    cpu.next_pc = cpu.r[15].wrapping_add(offset);
    cpu.spend(timing::BRANCH);
}

#[inline(always)]
fn data_imm_shift_op(cpu: &mut Cpu, insn: u32) {
    let carry = cpu.carry();
    let rm = cpu.r[reg_field(insn, 0)];
    let (b, sc) = alu::shift_imm(Shift::from_bits(insn >> 5), rm, (insn >> 7) & 31, carry);
    let a = cpu.r[reg_field(insn, 16)];
    data_processing(cpu, insn, a, b, sc);
}

#[inline(always)]
fn data_reg_shift_op(cpu: &mut Cpu, insn: u32) {
    // A register-specified shift takes an extra cycle, so a PC operand reads as the
    // instruction's address + 12 (UNPREDICTABLE in ARM ARM A5.1.1; ARM7/ARM9 behaviour).
    let carry = cpu.carry();
    let rm = cpu.reg_plus_12(reg_field(insn, 0));
    let rs = cpu.r[reg_field(insn, 8)];
    let (b, sc) = alu::shift_reg(Shift::from_bits(insn >> 5), rm, rs, carry);
    let a = cpu.reg_plus_12(reg_field(insn, 16));
    cpu.spend(timing::REGISTER_SHIFT);
    data_processing(cpu, insn, a, b, sc);
}

#[inline(always)]
fn data_imm_op(cpu: &mut Cpu, insn: u32) {
    let rotate = ((insn >> 8) & 0xF) * 2;
    let b = (insn & 0xFF).rotate_right(rotate);
    let sc = if rotate == 0 { cpu.carry() } else { b >> 31 };
    let a = cpu.r[reg_field(insn, 16)];
    data_processing(cpu, insn, a, b, sc);
}

#[inline(always)]
fn load_store_reg_op<B: Bus>(cpu: &mut Cpu, bus: &mut B, insn: u32) {
    let carry = cpu.carry();
    let rm = cpu.r[reg_field(insn, 0)];
    let (offset, _) = alu::shift_imm(Shift::from_bits(insn >> 5), rm, (insn >> 7) & 31, carry);
    // Bits 11:5 (the shift) clear: a plain register offset.
    if insn & 0xFE0 != 0 {
        cpu.spend(timing::SCALED_OFFSET);
    }
    load_store::<B, true>(cpu, bus, insn, offset);
}

/// Executes an instruction whose condition passed, by its class: the handler of the classes
/// without a specialised one, and the reference the specialised handlers are compiled from.
fn execute<B: Bus>(cpu: &mut Cpu, bus: &mut B, insn: u32) {
    match classify(insn) {
        ArmOp::DataImmShift => data_imm_shift_op(cpu, insn),
        ArmOp::DataRegShift => data_reg_shift_op(cpu, insn),
        ArmOp::DataImm => data_imm_op(cpu, insn),
        ArmOp::Mrs => {
            let value = if bit(insn, 22) { cpu.spsr() } else { cpu.cpsr };
            cpu.spend(timing::MRS);
            cpu.write_reg(reg_field(insn, 12), value);
        }
        ArmOp::MsrReg => {
            let value = cpu.r[reg_field(insn, 0)];
            cpu.msr(insn, value);
        }
        ArmOp::MsrImm => {
            let value = (insn & 0xFF).rotate_right(((insn >> 8) & 0xF) * 2);
            cpu.msr(insn, value);
        }
        ArmOp::Bx | ArmOp::Bxj => {
            let target = cpu.r[reg_field(insn, 0)];
            cpu.spend(timing::BRANCH);
            cpu.branch_exchange(target);
        }
        ArmOp::BlxReg => {
            let target = cpu.r[reg_field(insn, 0)];
            cpu.r[14] = cpu.insn_addr.wrapping_add(4);
            cpu.spend(timing::BRANCH);
            cpu.branch_exchange(target);
        }
        ArmOp::Clz => {
            let value = cpu.r[reg_field(insn, 0)].leading_zeros();
            cpu.write_reg(reg_field(insn, 12), value);
        }
        ArmOp::SaturatingArith => {
            let rm = cpu.r[reg_field(insn, 0)] as i32 as i64;
            let rn = cpu.r[reg_field(insn, 16)] as i32 as i64;
            let (rn, doubled_sat) = if bit(insn, 22) {
                let (d, sat) = alu::saturate(rn * 2);
                (d as i64, sat)
            } else {
                (rn, false)
            };
            let sum = if bit(insn, 21) { rm - rn } else { rm + rn };
            let (result, sat) = alu::saturate(sum);
            if sat || doubled_sat {
                cpu.cpsr |= psr::Q;
            }
            cpu.write_reg(reg_field(insn, 12), result as u32);
        }
        ArmOp::Bkpt => {
            let imm = ((insn >> 4) & 0xFFF0) | (insn & 0xF);
            cpu.breakpoint(imm);
        }
        ArmOp::SmlaXy => {
            let product = cpu.halfword_product(insn);
            let acc = cpu.r[reg_field(insn, 12)];
            let (result, _, overflow) = alu::add_with_carry(product as u32, acc, 0);
            if overflow {
                cpu.cpsr |= psr::Q;
            }
            cpu.write_reg(reg_field(insn, 16), result);
        }
        ArmOp::SmlawY | ArmOp::SmulwY => {
            let rm = cpu.r[reg_field(insn, 0)] as i32 as i64;
            let rs = cpu.r[reg_field(insn, 8)];
            let half = if bit(insn, 6) { rs >> 16 } else { rs } as u16 as i16 as i64;
            let product = ((rm * half) >> 16) as u32;
            // Bit 5 clear: SMLAWy accumulates; set: SMULWy.
            let result = if !bit(insn, 5) {
                let (sum, _, overflow) =
                    alu::add_with_carry(product, cpu.r[reg_field(insn, 12)], 0);
                if overflow {
                    cpu.cpsr |= psr::Q;
                }
                sum
            } else {
                product
            };
            cpu.write_reg(reg_field(insn, 16), result);
        }
        ArmOp::SmlalXy => {
            cpu.spend(timing::HALFWORD_MULTIPLY_LONG);
            let product = cpu.halfword_product(insn) as i64 as u64;
            let (lo, hi) = (reg_field(insn, 12), reg_field(insn, 16));
            let acc = ((cpu.r[hi] as u64) << 32) | cpu.r[lo] as u64;
            let result = acc.wrapping_add(product);
            cpu.write_reg(lo, result as u32);
            cpu.write_reg(hi, (result >> 32) as u32);
        }
        ArmOp::SmulXy => {
            let product = cpu.halfword_product(insn);
            cpu.write_reg(reg_field(insn, 16), product as u32);
        }
        ArmOp::Multiply => {
            cpu.spend(timing::multiply(false, bit(insn, 20)));
            let mut result = cpu.r[reg_field(insn, 0)].wrapping_mul(cpu.r[reg_field(insn, 8)]);
            if bit(insn, 21) {
                result = result.wrapping_add(cpu.r[reg_field(insn, 12)]);
            }
            // ARMv5: N and Z from the result; C and V are unaffected (A4.1.40).
            if bit(insn, 20) {
                cpu.set_nz(result);
            }
            cpu.write_reg(reg_field(insn, 16), result);
        }
        ArmOp::MultiplyLong => {
            cpu.spend(timing::multiply(true, bit(insn, 20)));
            let rm = cpu.r[reg_field(insn, 0)];
            let rs = cpu.r[reg_field(insn, 8)];
            let mut result = if bit(insn, 22) {
                (rm as i32 as i64).wrapping_mul(rs as i32 as i64) as u64
            } else {
                rm as u64 * rs as u64
            };
            let (lo, hi) = (reg_field(insn, 12), reg_field(insn, 16));
            if bit(insn, 21) {
                result = result.wrapping_add(((cpu.r[hi] as u64) << 32) | cpu.r[lo] as u64);
            }
            if bit(insn, 20) {
                let n = (result >> 32) as u32 & psr::N;
                let z = if result == 0 { psr::Z } else { 0 };
                cpu.cpsr = (cpu.cpsr & !(psr::N | psr::Z)) | n | z;
            }
            // RdHi == RdLo is UNPREDICTABLE; the high word is written last and wins.
            cpu.write_reg(lo, result as u32);
            cpu.write_reg(hi, (result >> 32) as u32);
        }
        ArmOp::Swap => swap(cpu, bus, insn),
        ArmOp::ExtraLoadStore => extra_load_store(cpu, bus, insn),
        ArmOp::LoadStoreImm => load_store::<B, false>(cpu, bus, insn, insn & 0xFFF),
        ArmOp::LoadStoreReg => load_store_reg_op(cpu, bus, insn),
        ArmOp::BlockTransfer => block_transfer(cpu, bus, insn),
        ArmOp::Branch if bit(insn, 24) => branch::<B, true>(cpu, bus, insn),
        ArmOp::Branch => branch::<B, false>(cpu, bus, insn),
        ArmOp::CoprocRegTransfer => coprocessor_register_transfer(cpu, insn),
        ArmOp::Swi => cpu.software_interrupt(insn & 0x00FF_FFFF, 0x0012_3456),
        ArmOp::CoprocTransfer | ArmOp::CoprocDataOp | ArmOp::Undefined => cpu.undefined(),
    }
}

/// Instructions with condition 0b1111 (ARM ARM A3.16.1): BLX (immediate) and PLD in ARMv5TE;
/// the coprocessor "2" forms (CDP2, MCR2, MRC2, LDC2, STC2) are routed to a coprocessor that
/// does not implement them, and everything else is undefined.
pub(super) fn unconditional<B: Bus>(cpu: &mut Cpu, _bus: &mut B, insn: u32) {
    if insn & 0x0E00_0000 == 0x0A00_0000 {
        // BLX <target_addr>: H (bit 24) adds a halfword, the target is Thumb code.
        let offset = ((((insn << 8) as i32) >> 6) as u32) | ((insn >> 23) & 2);
        cpu.r[14] = cpu.insn_addr.wrapping_add(4);
        cpu.set_thumb(true);
        cpu.next_pc = cpu.r[15].wrapping_add(offset);
        cpu.spend(timing::BRANCH);
    } else if insn & 0x0D70_F000 == 0x0550_F000 && insn & 0x0200_0010 != 0x0200_0010 {
        // PLD (1111 01I1 U101 Rn 1111 offset): a hint with no architectural effect. Its
        // register form has bit 4 clear (A5.2); with bit 4 set the encoding is in the undefined
        // space (A3.16.5), under condition 0b1111 as under any other.
    } else {
        cpu.undefined();
    }
}

/// The sixteen data-processing operations on `a` (Rn) and `b` (the shifter operand), with the
/// shifter's carry-out `sc` (ARM ARM A4.1: AND .. MVN).
#[inline(always)]
fn data_processing(cpu: &mut Cpu, insn: u32, a: u32, b: u32, sc: u32) {
    let opcode = (insn >> 21) & 0xF;
    let set_flags = bit(insn, 20);
    let rd = reg_field(insn, 12);
    // (The opcode is a constant in each specialised handler, so this test costs nothing.)
    if (0x8..=0xB).contains(&opcode) {
        // TST, TEQ, CMP, CMN: Rd is SBZ (ARM ARM A4 "TST" etc.). Rd = 15 is the 26-bit
        // architecture's TSTP/TEQP/CMPP/CMNP, which wrote the PSR: undefined, as in QEMU. Other
        // nonzero Rd values (UNPREDICTABLE; QEMU makes them undefined too) compare.
        if rd == 15 {
            return cpu.undefined();
        }
        cpu.alu(opcode, a, b, sc, set_flags);
    } else if let Some(result) = cpu.alu(opcode, a, b, sc, set_flags && rd != 15) {
        if rd == 15 {
            // A register operand with a shift (bits 11:4 not all clear) costs the PC write more.
            let shifted = !bit(insn, 25) && insn & 0xFF0 != 0;
            cpu.spend(timing::data_to_pc(opcode, shifted));
            cpu.alu_write_pc(result, set_flags);
        } else {
            cpu.r[rd] = result;
        }
    }
}

impl Cpu {
    /// The C flag as 0 or 1.
    #[inline(always)]
    pub(super) fn carry(&self) -> u32 {
        (self.cpsr >> 29) & 1
    }

    /// A register read by an instruction whose PC reads as the address + 12.
    #[inline(always)]
    fn reg_plus_12(&self, n: usize) -> u32 {
        if n == 15 {
            self.r[15].wrapping_add(4)
        } else {
            self.r[n]
        }
    }

    #[inline(always)]
    pub(super) fn set_nz(&mut self, result: u32) {
        let z = if result == 0 { psr::Z } else { 0 };
        self.cpsr = (self.cpsr & !(psr::N | psr::Z)) | (result & psr::N) | z;
    }

    /// Performs data-processing `opcode` (the ARM encoding, shared with Thumb), setting the flags
    /// if asked. Returns the result, or `None` for the test and compare operations.
    #[inline(always)]
    pub(super) fn alu(
        &mut self,
        opcode: u32,
        a: u32,
        b: u32,
        sc: u32,
        set_flags: bool,
    ) -> Option<u32> {
        let c = self.carry();
        let (result, arith) = match opcode {
            0x0 | 0x8 => (a & b, None),
            0x1 | 0x9 => (a ^ b, None),
            0x2 | 0xA => {
                let (r, c, v) = alu::add_with_carry(a, !b, 1);
                (r, Some((c, v)))
            }
            0x3 => {
                let (r, c, v) = alu::add_with_carry(b, !a, 1);
                (r, Some((c, v)))
            }
            0x4 | 0xB => {
                let (r, c, v) = alu::add_with_carry(a, b, 0);
                (r, Some((c, v)))
            }
            0x5 => {
                let (r, c, v) = alu::add_with_carry(a, b, c);
                (r, Some((c, v)))
            }
            0x6 => {
                let (r, c, v) = alu::add_with_carry(a, !b, c);
                (r, Some((c, v)))
            }
            0x7 => {
                let (r, c, v) = alu::add_with_carry(b, !a, c);
                (r, Some((c, v)))
            }
            0xC => (a | b, None),
            0xD => (b, None),
            0xE => (a & !b, None),
            _ => (!b, None),
        };
        if set_flags {
            let mut cpsr = self.cpsr & !(psr::N | psr::Z | psr::C);
            cpsr |= result & psr::N;
            if result == 0 {
                cpsr |= psr::Z;
            }
            match arith {
                Some((carry, overflow)) => {
                    cpsr &= !psr::V;
                    cpsr |= if carry { psr::C } else { 0 } | if overflow { psr::V } else { 0 };
                }
                None => cpsr |= sc << 29,
            }
            self.cpsr = cpsr;
        }
        (!(0x8..=0xB).contains(&opcode)).then_some(result)
    }

    /// A data-processing result written to the PC. With S set this is an exception return: the
    /// SPSR is copied to the CPSR (in User or System mode, which have no SPSR, the CPSR is kept:
    /// an UNPREDICTABLE case). ARMv5 does not interwork here: the new state comes from the
    /// restored T bit only.
    fn alu_write_pc(&mut self, result: u32, restore_cpsr: bool) {
        if restore_cpsr {
            self.set_cpsr(self.spsr());
        }
        self.next_pc = result & if self.is_thumb() { !1 } else { !3 };
    }

    /// Writes a general register from an instruction that does not branch (multiplies, CLZ,
    /// MRS...). Rd = 15 is UNPREDICTABLE for all of them; the value goes to the PC as a
    /// non-interworking branch.
    #[inline(always)]
    pub(super) fn write_reg(&mut self, rd: usize, value: u32) {
        if rd == 15 {
            self.next_pc = value & if self.is_thumb() { !1 } else { !3 };
        } else {
            self.r[rd] = value;
        }
    }

    /// BX: branch to `target`, entering Thumb state if bit 0 is set. In ARM state a target with
    /// bits 1:0 = 0b10 is UNPREDICTABLE; bit 1 is ignored.
    #[inline(always)]
    pub(super) fn branch_exchange(&mut self, target: u32) {
        let thumb = target & 1 != 0;
        self.set_thumb(thumb);
        self.next_pc = target & if thumb { !1 } else { !3 };
    }

    /// A load to the PC (LDR, LDM, POP): interworks as BX does in ARMv5, unless CP15 c1 L4
    /// asks for the ARMv4 behaviour of staying in the current state (ARM926EJ-S TRM 2.3.3).
    pub(super) fn load_pc(&mut self, value: u32) {
        if self.cp15.control & cp15::control::L4 != 0 {
            self.write_reg(15, value);
        } else {
            self.branch_exchange(value);
        }
    }

    /// MSR: writes the fields (mask bits 19:16: c, x, s, f) of the CPSR or SPSR.
    fn msr(&mut self, insn: u32, value: u32) {
        let fields = (insn >> 16) & 0xF;
        if fields & 1 != 0 {
            self.spend(timing::MSR_CONTROL);
        }
        let mut mask = 0;
        for i in 0..4 {
            if fields & (1 << i) != 0 {
                mask |= 0xFF << (8 * i);
            }
        }
        if bit(insn, 22) {
            let spsr = self.spsr();
            self.set_spsr((spsr & !mask) | (value & mask));
        } else {
            // User mode may change only the flags. MSR never changes the T or J bits, which
            // only BX-type instructions and exception returns set (ARM ARM A4.1.39).
            let writable = if self.mode.is_privileged() {
                psr::N | psr::Z | psr::C | psr::V | psr::Q | psr::I | psr::F | psr::MODE_MASK
            } else {
                psr::N | psr::Z | psr::C | psr::V | psr::Q
            };
            let mask = mask & writable;
            self.set_cpsr((self.cpsr & !mask) | (value & mask));
        }
    }

    /// The signed 16x16 product of SMLAxy, SMULxy and SMLALxy: Rm's half chosen by bit 5 (x),
    /// Rs's by bit 6 (y).
    fn halfword_product(&self, insn: u32) -> i32 {
        let rm = self.r[reg_field(insn, 0)];
        let rs = self.r[reg_field(insn, 8)];
        let x = if bit(insn, 5) { rm >> 16 } else { rm } as u16 as i16 as i32;
        let y = if bit(insn, 6) { rs >> 16 } else { rs } as u16 as i16 as i32;
        x * y
    }

    /// SWI with its comment field: an OS call the machine answers when the CPU runs a hosted
    /// OS's program (Ndless), a semihosting call if semihosting is on and the field is the
    /// state's semihosting number, else the SWI exception.
    pub(super) fn software_interrupt(&mut self, comment: u32, semihosting_number: u32) {
        if self.os_calls {
            self.raise_event(Event::OsCall(comment));
        } else if self.semihosting && comment == semihosting_number {
            self.raise_event(Event::Semihosting);
        } else {
            let size = if self.is_thumb() { 2 } else { 4 };
            self.take_exception(Exception::Swi, self.insn_addr.wrapping_add(size));
        }
    }

    /// Takes the exception a semihosting call stopped the CPU for ([`Event::Semihosting`]), as
    /// a core without semihosting would: the SVC exception, or the prefetch abort of a BKPT.
    /// For a machine that traps the calls to say that semihosting is off, then lets the
    /// guest's own handler have them.
    pub fn refuse_semihosting<B: Bus>(&mut self, bus: &B) {
        let thumb = self.is_thumb();
        let mut bytes = [0u8; 4];
        let size = if thumb { 2 } else { 4 };
        let read = self.debug_read(bus, self.insn_addr, &mut bytes[..size]);
        let insn = u32::from_le_bytes(bytes);
        let bkpt = read.is_ok()
            && if thumb {
                insn & 0xFF00 == 0xBE00
            } else {
                insn & 0x0FF0_00F0 == 0x0120_0070
            };
        if bkpt {
            self.cp15.ifsr = crate::mmu::status::DEBUG_EVENT;
            self.take_exception(Exception::PrefetchAbort, self.insn_addr.wrapping_add(4));
        } else {
            self.take_exception(Exception::Swi, self.insn_addr.wrapping_add(size as u32));
        }
    }

    /// BKPT: a semihosting call for 0xAB with semihosting on; otherwise a prefetch abort, since
    /// the core has no debugger attached (ARM ARM A4.1.7). IFSR records a debug event (0b0010,
    /// the encoding ARMv6 gives it and QEMU uses).
    pub(super) fn breakpoint(&mut self, imm: u32) {
        if self.semihosting && imm == 0xAB {
            self.raise_event(Event::Semihosting);
        } else {
            self.cp15.ifsr = crate::mmu::status::DEBUG_EVENT;
            self.take_exception(Exception::PrefetchAbort, self.insn_addr.wrapping_add(4));
        }
    }
}

/// LDR, STR, LDRB, STRB, LDRT, STRT, LDRBT, STRBT (ARM ARM A5.2 "Addressing Mode 2"). With
/// `FAST`, an access that is not a plain TLB hit starts the instruction over in
/// `load_store_slow` (nothing has changed by then).
#[inline(always)]
fn load_store<B: Bus, const FAST: bool>(cpu: &mut Cpu, bus: &mut B, insn: u32, offset: u32) {
    let (pre, up, byte, wb, load) = (
        bit(insn, 24),
        bit(insn, 23),
        bit(insn, 22),
        bit(insn, 21),
        bit(insn, 20),
    );
    let rn = reg_field(insn, 16);
    let rd = reg_field(insn, 12);
    let base = cpu.r[rn];
    let moved = if up {
        base.wrapping_add(offset)
    } else {
        base.wrapping_sub(offset)
    };
    let addr = if pre { moved } else { base };
    // Post-indexed with W set: the access is made with User mode permissions.
    let who = if !pre && wb { As::User } else { As::Current };
    let writeback = !pre || wb;
    let size = if byte { Size::Byte } else { Size::Word };
    if load {
        let Some(value) = cpu.try_load::<B, FAST>(bus, addr, size, who) else {
            return load_store_slow(cpu, bus, insn, offset);
        };
        let value = match value {
            Ok(value) if byte => value,
            // An unaligned word loads rotated, as `load_word_rotated` does.
            Ok(word) => word.rotate_right((addr & 3) * 8),
            // The ARM926EJ-S restores the base on an abort (TRM 3.6.5): nothing is written.
            Err(fault) => return cpu.data_abort(fault),
        };
        // Rn = Rd with writeback is UNPREDICTABLE: the loaded value wins (written last).
        if writeback {
            cpu.write_reg(rn, moved);
        }
        if rd == 15 {
            cpu.spend(timing::LOAD_PC);
            cpu.load_pc(value);
        } else {
            cpu.r[rd] = value;
            cpu.load_interlock(timing::load_use(rd, !byte && addr & 3 == 0));
        }
    } else {
        // STR of the PC stores the instruction's address + 8 (implementation defined, ARM ARM
        // A4.1.99; the same as QEMU).
        let value = cpu.r[rd];
        let Some(result) = cpu.try_store::<B, FAST>(bus, addr, size, value, who) else {
            return load_store_slow(cpu, bus, insn, offset);
        };
        if let Err(fault) = result {
            return cpu.data_abort(fault);
        }
        if writeback {
            cpu.write_reg(rn, moved);
        }
    }
}

/// `load_store` with every access through the full path, out of line.
#[inline(never)]
fn load_store_slow<B: Bus>(cpu: &mut Cpu, bus: &mut B, insn: u32, offset: u32) {
    load_store::<B, false>(cpu, bus, insn, offset);
}

/// LDRH, STRH, LDRSB, LDRSH, LDRD, STRD (ARM ARM A5.3 "Addressing Mode 3").
#[inline(always)]
fn extra_load_store<B: Bus>(cpu: &mut Cpu, bus: &mut B, insn: u32) {
    let (pre, up, imm, wb, load) = (
        bit(insn, 24),
        bit(insn, 23),
        bit(insn, 22),
        bit(insn, 21),
        bit(insn, 20),
    );
    let rn = reg_field(insn, 16);
    let rd = reg_field(insn, 12);
    let offset = if imm {
        ((insn >> 4) & 0xF0) | (insn & 0xF)
    } else {
        cpu.r[reg_field(insn, 0)]
    };
    let base = cpu.r[rn];
    let moved = if up {
        base.wrapping_add(offset)
    } else {
        base.wrapping_sub(offset)
    };
    let addr = if pre { moved } else { base };
    // Post-indexed with W set is UNPREDICTABLE here (there are no T forms): it writes back as
    // post-indexing always does.
    let writeback = !pre || wb;
    let sh = (insn >> 5) & 3;
    match (load, sh) {
        (false, 0b10) | (false, 0b11) => {
            // LDRD/STRD need an even Rd; an odd one is UNPREDICTABLE and taken as undefined,
            // as QEMU does. Each word is accessed at its word-aligned address.
            if rd & 1 != 0 {
                return cpu.undefined();
            }
            cpu.spend(timing::DOUBLE);
            if sh == 0b10 {
                let first = cpu.read32(bus, addr);
                let second = cpu.read32(bus, addr.wrapping_add(4));
                let (first, second) = match (first, second) {
                    (Ok(a), Ok(b)) => (a, b),
                    (Err(fault), _) | (_, Err(fault)) => return cpu.data_abort(fault),
                };
                if writeback {
                    cpu.write_reg(rn, moved);
                }
                cpu.r[rd] = first;
                cpu.write_reg(rd + 1, second);
                cpu.load_interlock(timing::load_use(rd + 1, true));
            } else {
                let (first, second) = (cpu.r[rd], cpu.r[rd + 1]);
                if let Err(fault) = cpu
                    .write32(bus, addr, first)
                    .and_then(|_| cpu.write32(bus, addr.wrapping_add(4), second))
                {
                    return cpu.data_abort(fault);
                }
                if writeback {
                    cpu.write_reg(rn, moved);
                }
            }
        }
        (false, _) => {
            if let Err(fault) = cpu.write16(bus, addr, cpu.r[rd]) {
                return cpu.data_abort(fault);
            }
            if writeback {
                cpu.write_reg(rn, moved);
            }
        }
        (true, _) => {
            // An unaligned halfword load is UNPREDICTABLE on ARMv5: the ARM926EJ-S ignores
            // address bit 0.
            let value = match sh {
                0b01 => cpu.read16(bus, addr),
                0b10 => cpu.read8(bus, addr).map(|v| v as u8 as i8 as u32),
                _ => cpu.read16(bus, addr).map(|v| v as u16 as i16 as u32),
            };
            let value = match value {
                Ok(value) => value,
                Err(fault) => return cpu.data_abort(fault),
            };
            if writeback {
                cpu.write_reg(rn, moved);
            }
            cpu.write_reg(rd, value);
            cpu.load_interlock(timing::load_use(rd, false));
        }
    }
}

/// SWP and SWPB: an atomic read then write (ARM ARM A4.1.108). An unaligned SWP reads the
/// rotated word, as LDR does, and writes the aligned word.
fn swap<B: Bus>(cpu: &mut Cpu, bus: &mut B, insn: u32) {
    let addr = cpu.r[reg_field(insn, 16)];
    let new = cpu.r[reg_field(insn, 0)];
    cpu.spend(timing::SWAP);
    let result = if bit(insn, 22) {
        cpu.read8(bus, addr)
            .and_then(|old| cpu.write8(bus, addr, new).map(|_| old))
    } else {
        cpu.load_word_rotated(bus, addr, As::Current)
            .and_then(|old| cpu.write32(bus, addr, new).map(|_| old))
    };
    match result {
        Ok(old) => {
            let rd = reg_field(insn, 12);
            cpu.write_reg(rd, old);
            cpu.load_interlock(timing::load_use(rd, !bit(insn, 22) && addr & 3 == 0));
        }
        Err(fault) => cpu.data_abort(fault),
    }
}

/// LDM and STM in all four addressing modes, with the ^ forms (ARM ARM A5.4).
#[inline(always)]
fn block_transfer<B: Bus>(cpu: &mut Cpu, bus: &mut B, insn: u32) {
    let (pre, up, s, wb, load) = (
        bit(insn, 24),
        bit(insn, 23),
        bit(insn, 22),
        bit(insn, 21),
        bit(insn, 20),
    );
    let rn = reg_field(insn, 16);
    let list = insn & 0xFFFF;
    // An empty list or a PC base is UNPREDICTABLE: taken as undefined, as QEMU does.
    if list == 0 || rn == 15 {
        return cpu.undefined();
    }
    let bytes = list.count_ones() * 4;
    let base = cpu.r[rn];
    let (start, end) = if up {
        (
            base.wrapping_add(if pre { 4 } else { 0 }),
            base.wrapping_add(bytes),
        )
    } else {
        let low = base.wrapping_sub(bytes);
        (low.wrapping_add(if pre { 0 } else { 4 }), low)
    };
    let new_base = end;
    let transfer = Transfer {
        start,
        list,
        user_bank: s && !(load && list & 0x8000 != 0),
    };
    if load {
        cpu.load_multiple(bus, transfer, wb.then_some((rn, new_base)), s);
    } else {
        cpu.store_multiple(bus, transfer, wb.then_some((rn, new_base)));
    }
}

/// The register numbers in a block transfer's `list` (bits 15:0), lowest first.
#[inline(always)]
fn registers(list: u32) -> impl Iterator<Item = usize> {
    let mut rest = list & 0xFFFF;
    std::iter::from_fn(move || {
        (rest != 0).then(|| {
            let i = rest.trailing_zeros() as usize;
            rest &= rest - 1;
            i
        })
    })
}

/// A block transfer: ascending addresses from `start`, one word per register in `list`.
#[derive(Clone, Copy)]
pub(super) struct Transfer {
    pub start: u32,
    pub list: u32,
    /// Transfer the User mode registers (the ^ form without the PC loaded).
    pub user_bank: bool,
}

impl Cpu {
    /// LDM/POP: loads every word first, so that an abort leaves the registers (and the base) as
    /// they were, which the ARM926EJ-S's base restored abort model allows (TRM 3.6.5). Then the
    /// base is written back, then the registers, so a base in the list takes the loaded value
    /// (UNPREDICTABLE in ARMv5; QEMU does the same). With the PC loaded and `restore_cpsr`, the
    /// SPSR is copied to the CPSR (an exception return) before the branch.
    pub(super) fn load_multiple<B: Bus>(
        &mut self,
        bus: &mut B,
        transfer: Transfer,
        writeback: Option<(usize, u32)>,
        restore_cpsr: bool,
    ) {
        let count = transfer.list.count_ones();
        self.spend(timing::load_multiple(count, transfer.list & 0x8000 != 0));
        let mut values = [0u32; 16];
        let mut addr = transfer.start;
        for i in registers(transfer.list) {
            match self.read32(bus, addr) {
                Ok(v) => values[i] = v,
                Err(fault) => return self.data_abort(fault),
            }
            addr = addr.wrapping_add(4);
        }
        if let Some((rn, new_base)) = writeback {
            self.r[rn] = new_base;
        }
        for i in registers(transfer.list & 0x7FFF) {
            if transfer.user_bank {
                self.set_reg_of(super::Mode::User, i, values[i]);
            } else {
                self.r[i] = values[i];
            }
        }
        if transfer.list & 0x8000 == 0 {
            self.load_interlock(timing::load_multiple_use(transfer.list));
        } else {
            if restore_cpsr {
                self.alu_write_pc(values[15], true);
            } else {
                self.load_pc(values[15]);
            }
        }
    }

    /// STM/PUSH: stores in ascending order; an abort leaves the words already written and
    /// restores the base. A base in the list stores its original value (the architected value
    /// when it is the lowest register; UNPREDICTABLE otherwise, where QEMU does the same).
    /// The PC stores as the instruction's address + 8 (ARM) or + 4 (Thumb).
    pub(super) fn store_multiple<B: Bus>(
        &mut self,
        bus: &mut B,
        transfer: Transfer,
        writeback: Option<(usize, u32)>,
    ) {
        self.spend(timing::store_multiple(transfer.list.count_ones()));
        let mut addr = transfer.start;
        for i in registers(transfer.list) {
            let value = if transfer.user_bank {
                self.reg_of(super::Mode::User, i)
            } else {
                self.r[i]
            };
            if let Err(fault) = self.write32(bus, addr, value) {
                return self.data_abort(fault);
            }
            addr = addr.wrapping_add(4);
        }
        if let Some((rn, new_base)) = writeback {
            self.r[rn] = new_base;
        }
    }
}

/// MCR and MRC. Only CP15 exists, and only privileged modes may use it; anything else is
/// undefined (ARM926EJ-S TRM 2.2).
fn coprocessor_register_transfer(cpu: &mut Cpu, insn: u32) {
    let coprocessor = (insn >> 8) & 0xF;
    if coprocessor != 15 || !cpu.mode.is_privileged() {
        return cpu.undefined();
    }
    cpu.spend(timing::COPROCESSOR);
    let reg = cp15::RegAddr::from_insn(insn);
    let rd = reg_field(insn, 12);
    if bit(insn, 20) {
        match cpu.cp15.read(reg) {
            // MRC to r15 sets the flags from bits 31:28 (ARM ARM A4.1.32).
            Ok(value) if rd == 15 => {
                cpu.cpsr = (cpu.cpsr & 0x0FFF_FFFF) | (value & 0xF000_0000);
            }
            Ok(value) => cpu.r[rd] = value,
            Err(cp15::NoSuchRegister) => cpu.undefined(),
        }
    } else {
        match cpu.cp15.write(reg, cpu.r[rd]) {
            Ok(effect) => cpu.cp15_effect(effect),
            Err(cp15::NoSuchRegister) => cpu.undefined(),
        }
    }
}

impl Cpu {
    fn cp15_effect(&mut self, effect: cp15::Effect) {
        match effect {
            cp15::Effect::None => {}
            // The TLB is tagged by virtual address; with an FCSE PID set, a single-entry
            // invalidation (of a modified virtual address) empties it all, as a real TLB may
            // always drop more than it is asked to.
            cp15::Effect::InvalidateTlbEntry(mva) if self.cp15.fcse_pid == 0 => {
                self.tlb.invalidate_entry(mva);
                self.attention = true;
            }
            // Linux switches the user domain's access, and its kernel domain between client
            // and manager, at every exception entry and return and around each access to user
            // memory; emptying the whole TLB each time was most of its refills.
            cp15::Effect::DomainsChanged(domains) => {
                self.tlb.forget_domains(domains, self.cp15.dacr);
                self.attention = true;
            }
            cp15::Effect::TranslationChanged
            | cp15::Effect::InvalidateTlb
            | cp15::Effect::InvalidateTlbEntry(_) => self.control_changed(),
            cp15::Effect::WaitForInterrupt => {
                self.waiting = true;
                self.attention = true;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_table_classifies_representative_encodings() {
        // Encodings assembled by hand from ARM ARM A3 figures.
        let cases: &[(u32, ArmOp)] = &[
            (0xE0810002, ArmOp::DataImmShift),      // add r0, r1, r2
            (0xE0810312, ArmOp::DataRegShift),      // add r0, r1, r2, lsl r3
            (0xE3A00001, ArmOp::DataImm),           // mov r0, #1
            (0xE10F0000, ArmOp::Mrs),               // mrs r0, cpsr
            (0xE129F000, ArmOp::MsrReg),            // msr cpsr_fc, r0
            (0xE328F20F, ArmOp::MsrImm),            // msr cpsr_f, #0xf0000000
            (0xE12FFF1E, ArmOp::Bx),                // bx lr
            (0xE12FFF2E, ArmOp::Bxj),               // bxj lr
            (0xE12FFF33, ArmOp::BlxReg),            // blx r3
            (0xE16F0F11, ArmOp::Clz),               // clz r0, r1
            (0xE1010052, ArmOp::SaturatingArith),   // qadd r0, r2, r1
            (0xE1200070, ArmOp::Bkpt),              // bkpt 0
            (0xE1003281, ArmOp::SmlaXy),            // smlabb r0, r1, r2, r3
            (0xE1203281, ArmOp::SmlawY),            // smlawb r0, r1, r2, r3
            (0xE12002A1, ArmOp::SmulwY),            // smulwb r0, r1, r2
            (0xE1410382, ArmOp::SmlalXy),           // smlalbb r0, r1, r2, r3
            (0xE1600281, ArmOp::SmulXy),            // smulbb r0, r1, r2
            (0xE0000291, ArmOp::Multiply),          // mul r0, r1, r2
            (0xE0810392, ArmOp::MultiplyLong),      // umull r0, r1, r2, r3
            (0xE1020091, ArmOp::Swap),              // swp r0, r1, [r2]
            (0xE1D100B2, ArmOp::ExtraLoadStore),    // ldrh r0, [r1, #2]
            (0xE1C100D0, ArmOp::ExtraLoadStore),    // ldrd r0, [r1]
            (0xE5910004, ArmOp::LoadStoreImm),      // ldr r0, [r1, #4]
            (0xE7910002, ArmOp::LoadStoreReg),      // ldr r0, [r1, r2]
            (0xE7910012, ArmOp::Undefined),         // media space
            (0xE8BD8000, ArmOp::BlockTransfer),     // pop {pc}
            (0xEAFFFFFE, ArmOp::Branch),            // b .
            (0xEE110F10, ArmOp::CoprocRegTransfer), // mrc p15, 0, r0, c1, c0, 0
            (0xEE000000, ArmOp::CoprocDataOp),      // cdp p0, ...
            (0xED900100, ArmOp::CoprocTransfer),    // ldc p1, ...
            (0xEF123456, ArmOp::Swi),               // svc 0x123456
            (0xE3000000, ArmOp::Undefined),         // movw (ARMv6T2): undefined here
        ];
        for &(insn, op) in cases {
            assert_eq!(classify(insn), op, "{insn:08x}");
        }
    }
}
