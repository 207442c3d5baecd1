//! The Thumb instruction set of ARMv5TE (ARM ARM, ARMv5 edition, chapters A6 "The Thumb
//! Instruction Set" and A7 "Thumb Instructions").
//!
//! Most Thumb instructions are ARM operations with fixed fields, so they share the ARM
//! implementation of the ALU, the load/store helpers and the block transfers. BL and BLX
//! (immediate) are two instructions each, a prefix and a suffix, executed one at a time as the
//! ARMv5 architecture defines them (A7.1.17), so an interrupt may come between the halves.
//!
//! Decoding is a table lookup, as for ARM: bits 15:6 of an instruction select a handler
//! compiled for the constant fields of its format ([`handler_table`]).

use super::alu::{self, Shift};
use super::arm::Transfer;
use super::memory::As;
use super::{psr, timing, Cpu, Handler, Handlers, InstructionSet};
use crate::bus::{Bus, Size};

/// ARM data-processing opcodes used by the Thumb forms (the JIT lowers them to the same).
pub(crate) mod op {
    pub const AND: u32 = 0x0;
    pub const EOR: u32 = 0x1;
    pub const SUB: u32 = 0x2;
    pub const RSB: u32 = 0x3;
    pub const ADD: u32 = 0x4;
    pub const ADC: u32 = 0x5;
    pub const SBC: u32 = 0x6;
    pub const TST: u32 = 0x8;
    pub const CMP: u32 = 0xA;
    pub const CMN: u32 = 0xB;
    pub const ORR: u32 = 0xC;
    pub const MOV: u32 = 0xD;
    pub const BIC: u32 = 0xE;
    pub const MVN: u32 = 0xF;
}

#[inline(always)]
fn low(insn: u32, lsb: u32) -> usize {
    ((insn >> lsb) & 7) as usize
}

/// The Thumb state.
pub(super) struct Thumb;

impl InstructionSet for Thumb {
    const SIZE: Size = Size::Half;

    #[inline(always)]
    fn execute<B: Bus>(cpu: &mut Cpu, bus: &mut B, insn: u32) {
        Handlers::<B>::THUMB[(insn >> 6) as usize](cpu, bus, insn);
    }

    #[inline(always)]
    fn waits(insn: u32, pending: u32) -> bool {
        timing::thumb_reads(insn) & pending & 0xFFFF != 0
    }
}

/// The handler of every value of bits 15:6, built at compile time for each bus type. Each
/// format's handler is compiled for the constant fields those bits hold (the operation, the
/// load/store kind, the branch condition), so the operation is chosen when the table is built.
pub(super) const fn handler_table<B: Bus>() -> [Handler<B>; 1024] {
    let mut table = [undefined::<B> as Handler<B>; 1024];
    let mut index = 0;
    while index < 1024 {
        // The instruction's bits 15:11, and its bits 12:11, 10:9, 9:6 and 11:8.
        let format = index >> 5;
        let (op_12_11, op_10_9, op_9_6, op_11_8) =
            (format & 3, (index >> 3) & 3, index & 15, (index >> 2) & 15);
        table[index] = match format {
            0b00000..=0b00010 => select!(format, [0 1 2], shift_immediate, B),
            0b00011 => select!(op_10_9, [0 1 2 3], add_subtract, B),
            0b00100..=0b00111 => select!(op_12_11, [0 1 2 3], immediate, B),
            0b01000 if index & 16 == 0 => select!(op_9_6, [0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15],
                data_processing_register, B),
            0b01000 => select!(op_9_6 >> 2, [0 1 2 3], high_register_or_branch_exchange, B),
            0b01001 => load_literal::<B>,
            0b01010 | 0b01011 => {
                select!((index >> 3) & 7, [0 1 2 3 4 5 6 7], load_store_register, B)
            }
            0b01100..=0b01111 => select!(op_12_11, [0 1 2 3], load_store_immediate, B),
            0b10000 | 0b10001 => select!(op_12_11 & 1, [0 1], load_store_halfword, B),
            0b10010 | 0b10011 => select!(op_12_11 & 1, [0 1], load_store_sp, B),
            0b10100 | 0b10101 => select!(op_12_11 & 1, [0 1], add_to_pc_or_sp, B),
            0b10110 | 0b10111 => miscellaneous::<B>,
            0b11000 | 0b11001 => select!(op_12_11 & 1, [0 1], load_store_multiple, B),
            0b11010 | 0b11011 => select!(op_11_8, [0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15],
                conditional_branch, B),
            0b11100 => branch::<B>,
            0b11101 => blx_suffix::<B>,
            0b11110 => bl_prefix::<B>,
            _ => bl_suffix::<B>,
        };
        index += 1;
    }
    table
}

/// LSL, LSR, ASR (immediate): flags N, Z and C from the shifter (A7.1.38).
fn shift_immediate<B: Bus, const SHIFT: u32>(cpu: &mut Cpu, _: &mut B, insn: u32) {
    let value = cpu.r[low(insn, 3)];
    let (result, carry) = alu::shift_imm(
        Shift::from_bits(SHIFT),
        value,
        (insn >> 6) & 31,
        cpu.carry(),
    );
    cpu.r[low(insn, 0)] = result;
    cpu.set_nz(result);
    cpu.cpsr = (cpu.cpsr & !psr::C) | (carry << 29);
}

/// ADD/SUB with a register or a 3-bit immediate; `OP` is bits 10:9 (immediate, subtract).
fn add_subtract<B: Bus, const OP: u32>(cpu: &mut Cpu, _: &mut B, insn: u32) {
    let a = cpu.r[low(insn, 3)];
    let b = if OP & 2 != 0 {
        (insn >> 6) & 7
    } else {
        cpu.r[low(insn, 6)]
    };
    let opcode = if OP & 1 != 0 { op::SUB } else { op::ADD };
    if let Some(result) = cpu.alu(opcode, a, b, 0, true) {
        cpu.r[low(insn, 0)] = result;
    }
}

/// MOV, CMP, ADD, SUB with an 8-bit immediate; `OP` is bits 12:11.
fn immediate<B: Bus, const OP: u32>(cpu: &mut Cpu, _: &mut B, insn: u32) {
    let rd = low(insn, 8);
    let opcode = [op::MOV, op::CMP, op::ADD, op::SUB][OP as usize];
    let sc = cpu.carry();
    if let Some(result) = cpu.alu(opcode, cpu.r[rd], insn & 0xFF, sc, true) {
        cpu.r[rd] = result;
    }
}

/// LDR (literal): the word-aligned PC plus an 8-bit word offset.
fn load_literal<B: Bus>(cpu: &mut Cpu, bus: &mut B, insn: u32) {
    let addr = (cpu.r[15] & !3).wrapping_add((insn & 0xFF) * 4);
    match cpu.read32(bus, addr) {
        Ok(value) => {
            cpu.r[low(insn, 8)] = value;
            cpu.load_interlock(timing::load_use(low(insn, 8), true));
        }
        Err(fault) => cpu.data_abort(fault),
    }
}

/// Load/store with a register offset; `KIND` is bits 11:9.
fn load_store_register<B: Bus, const KIND: u32>(cpu: &mut Cpu, bus: &mut B, insn: u32) {
    let addr = cpu.r[low(insn, 3)].wrapping_add(cpu.r[low(insn, 6)]);
    load_store::<B, true>(cpu, bus, KIND, addr, low(insn, 0));
}

/// STR/LDR/STRB/LDRB with a 5-bit immediate offset (words scaled by 4); `OP` is bits 12:11
/// (byte, load).
fn load_store_immediate<B: Bus, const OP: u32>(cpu: &mut Cpu, bus: &mut B, insn: u32) {
    let byte = OP & 2 != 0;
    let load = OP & 1 != 0;
    let offset = (insn >> 6) & 31;
    let base = cpu.r[low(insn, 3)];
    let addr = base.wrapping_add(if byte { offset } else { offset * 4 });
    let kind = match (load, byte) {
        (false, false) => STR,
        (false, true) => STRB,
        (true, false) => LDR,
        (true, true) => LDRB,
    };
    load_store::<B, true>(cpu, bus, kind, addr, low(insn, 0));
}

/// STRH/LDRH with a 5-bit immediate offset scaled by 2.
fn load_store_halfword<B: Bus, const LOAD: u32>(cpu: &mut Cpu, bus: &mut B, insn: u32) {
    let addr = cpu.r[low(insn, 3)].wrapping_add(((insn >> 6) & 31) * 2);
    let kind = if LOAD != 0 { LDRH } else { STRH };
    load_store::<B, true>(cpu, bus, kind, addr, low(insn, 0));
}

/// STR/LDR relative to SP.
fn load_store_sp<B: Bus, const LOAD: u32>(cpu: &mut Cpu, bus: &mut B, insn: u32) {
    let addr = cpu.r[13].wrapping_add((insn & 0xFF) * 4);
    let kind = if LOAD != 0 { LDR } else { STR };
    load_store::<B, true>(cpu, bus, kind, addr, low(insn, 8));
}

/// ADD Rd, PC/SP, #imm (the PC word-aligned).
fn add_to_pc_or_sp<B: Bus, const SP: u32>(cpu: &mut Cpu, _: &mut B, insn: u32) {
    let base = if SP != 0 { cpu.r[13] } else { cpu.r[15] & !3 };
    cpu.r[low(insn, 8)] = base.wrapping_add((insn & 0xFF) * 4);
}

/// STMIA/LDMIA Rn!, {list}.
fn load_store_multiple<B: Bus, const LOAD: u32>(cpu: &mut Cpu, bus: &mut B, insn: u32) {
    let rn = low(insn, 8);
    let list = insn & 0xFF;
    // An empty list is UNPREDICTABLE: undefined, as in the ARM forms.
    if list == 0 {
        return cpu.undefined();
    }
    let base = cpu.r[rn];
    let new_base = base.wrapping_add(list.count_ones() * 4);
    let transfer = Transfer {
        start: base,
        list,
        user_bank: false,
    };
    if LOAD != 0 {
        // LDMIA with the base in the list does not write back (A7.1.27).
        let writeback = (list & (1 << rn) == 0).then_some((rn, new_base));
        cpu.load_multiple(bus, transfer, writeback, false);
    } else {
        cpu.store_multiple(bus, transfer, Some((rn, new_base)));
    }
}

/// B<cond>, and SWI in the condition 0b1111 slot.
fn conditional_branch<B: Bus, const COND: u32>(cpu: &mut Cpu, _: &mut B, insn: u32) {
    match COND {
        // Condition 0b1110 in a conditional branch is undefined (A6.3.1).
        0xE => cpu.undefined(),
        0xF => cpu.software_interrupt(insn & 0xFF, 0xAB),
        _ => {
            if psr::condition_passed(COND, cpu.cpsr) {
                let offset = ((insn as i8) as i32 as u32) << 1;
                cpu.next_pc = cpu.r[15].wrapping_add(offset);
                cpu.spend(timing::BRANCH);
            }
        }
    }
}

/// B (unconditional), 11-bit offset.
fn branch<B: Bus>(cpu: &mut Cpu, _: &mut B, insn: u32) {
    let offset = (((insn << 21) as i32) >> 20) as u32;
    cpu.next_pc = cpu.r[15].wrapping_add(offset);
    cpu.spend(timing::BRANCH);
}

/// BLX suffix: branch to ARM code at LR + offset, word-aligned. Bit 0 set is undefined.
fn blx_suffix<B: Bus>(cpu: &mut Cpu, _: &mut B, insn: u32) {
    if insn & 1 != 0 {
        return cpu.undefined();
    }
    let target = cpu.r[14].wrapping_add((insn & 0x7FF) << 1) & !3;
    cpu.r[14] = cpu.insn_addr.wrapping_add(2) | 1;
    cpu.set_thumb(false);
    cpu.next_pc = target;
    cpu.spend(timing::BRANCH);
}

/// BL/BLX prefix: LR = PC + (signed offset << 12).
fn bl_prefix<B: Bus>(cpu: &mut Cpu, _: &mut B, insn: u32) {
    let offset = (((insn << 21) as i32) >> 9) as u32;
    cpu.r[14] = cpu.r[15].wrapping_add(offset);
}

/// BL suffix: PC = LR + (offset << 1), staying in Thumb state (ARM ARM A7.1.17). Executed
/// alone, LR may be odd (code that puts a Thumb function's address in LR and calls it with a lone
/// suffix): Thumb code is halfword aligned, so bit 0 of the target is dropped.
fn bl_suffix<B: Bus>(cpu: &mut Cpu, _: &mut B, insn: u32) {
    let target = cpu.r[14].wrapping_add((insn & 0x7FF) << 1) & !1;
    cpu.r[14] = cpu.insn_addr.wrapping_add(2) | 1;
    cpu.next_pc = target;
    cpu.spend(timing::BRANCH);
}

/// The placeholder the table starts from; every entry is replaced.
fn undefined<B: Bus>(cpu: &mut Cpu, _: &mut B, _: u32) {
    cpu.undefined();
}

/// The register-offset load/store kinds, in the order of bits 11:9 of that format.
const STR: u32 = 0;
const STRH: u32 = 1;
const STRB: u32 = 2;
const LDRSB: u32 = 3;
const LDR: u32 = 4;
const LDRH: u32 = 5;
const LDRB: u32 = 6;
const LDRSH: u32 = 7;

/// A load or store of `kind` at `addr` to or from `rd`. With `FAST`, an access that is not a
/// plain TLB hit starts over in `load_store_slow` (nothing has changed by then).
#[inline(always)]
fn load_store<B: Bus, const FAST: bool>(
    cpu: &mut Cpu,
    bus: &mut B,
    kind: u32,
    addr: u32,
    rd: usize,
) {
    let result = if kind < LDRSB {
        let size = [Size::Word, Size::Half, Size::Byte][kind as usize];
        cpu.try_store::<B, FAST>(bus, addr, size, cpu.r[rd], As::Current)
            .map(|stored| stored.map(|()| None))
    } else {
        let size = match kind {
            LDR => Size::Word,
            LDRH | LDRSH => Size::Half,
            _ => Size::Byte,
        };
        let extend = |value: u32| match kind {
            LDRSB => value as u8 as i8 as u32,
            LDRSH => value as u16 as i16 as u32,
            // An unaligned word loads rotated, as `load_word_rotated` does.
            LDR => value.rotate_right((addr & 3) * 8),
            _ => value,
        };
        cpu.try_load::<B, FAST>(bus, addr, size, As::Current)
            .map(|loaded| loaded.map(|value| Some(extend(value))))
    };
    let Some(result) = result else {
        return load_store_slow(cpu, bus, kind, addr, rd);
    };
    match result {
        Ok(Some(value)) => {
            cpu.r[rd] = value;
            cpu.load_interlock(timing::load_use(rd, kind == LDR && addr & 3 == 0));
        }
        Ok(None) => {}
        Err(fault) => cpu.data_abort(fault),
    }
}

/// `load_store` with every access through the full path, out of line.
#[inline(never)]
fn load_store_slow<B: Bus>(cpu: &mut Cpu, bus: &mut B, kind: u32, addr: u32, rd: usize) {
    load_store::<B, false>(cpu, bus, kind, addr, rd);
}

/// The sixteen register-to-register data-processing instructions (format 4, A6.4.1); `OP` is
/// bits 9:6.
fn data_processing_register<B: Bus, const OP: u32>(cpu: &mut Cpu, _: &mut B, insn: u32) {
    let rd = low(insn, 0);
    let rm = cpu.r[low(insn, 3)];
    let a = cpu.r[rd];
    let c = cpu.carry();
    let result = match OP {
        0x0 => cpu.alu(op::AND, a, rm, c, true),
        0x1 => cpu.alu(op::EOR, a, rm, c, true),
        0x2..=0x4 | 0x7 => {
            let shift = match OP {
                0x2 => Shift::Lsl,
                0x3 => Shift::Lsr,
                0x4 => Shift::Asr,
                _ => Shift::Ror,
            };
            let (value, carry) = alu::shift_reg(shift, a, rm, c);
            cpu.spend(timing::REGISTER_SHIFT);
            cpu.alu(op::MOV, 0, value, carry, true)
        }
        0x5 => cpu.alu(op::ADC, a, rm, c, true),
        0x6 => cpu.alu(op::SBC, a, rm, c, true),
        0x8 => cpu.alu(op::TST, a, rm, c, true),
        0x9 => cpu.alu(op::RSB, rm, 0, c, true),
        0xA => cpu.alu(op::CMP, a, rm, c, true),
        0xB => cpu.alu(op::CMN, a, rm, c, true),
        0xC => cpu.alu(op::ORR, a, rm, c, true),
        0xD => {
            // MUL: N and Z from the result, C and V unaffected in ARMv5 (A7.1.45).
            let product = a.wrapping_mul(rm);
            cpu.spend(timing::multiply(false, true));
            cpu.set_nz(product);
            Some(product)
        }
        0xE => cpu.alu(op::BIC, a, rm, c, true),
        _ => cpu.alu(op::MVN, a, rm, c, true),
    };
    if let Some(result) = result {
        cpu.r[rd] = result;
    }
}

/// ADD, CMP and MOV on high registers, BX and BLX (register) (format 5, A6.4.3).
/// ADD/MOV/CMP with two low registers are UNPREDICTABLE in ARMv5; they execute as the same
/// operation on those registers. `OP` is bits 9:8.
fn high_register_or_branch_exchange<B: Bus, const OP: u32>(cpu: &mut Cpu, _: &mut B, insn: u32) {
    let rd = low(insn, 0) | (((insn >> 7) & 1) << 3) as usize;
    let rm = ((insn >> 3) & 0xF) as usize;
    let value = cpu.r[rm];
    // ADD or MOV to the PC branches: 3 cycles, as BX (ARM9EJ-S TRM Table 8.3).
    if rd == 15 && OP != 1 || OP == 3 {
        cpu.spend(timing::BRANCH);
    }
    match OP {
        0 => cpu.write_reg(rd, cpu.r[rd].wrapping_add(value)),
        1 => {
            let c = cpu.carry();
            cpu.alu(op::CMP, cpu.r[rd], value, c, true);
        }
        2 => cpu.write_reg(rd, value),
        _ => {
            // Bit 7 (H1) selects BLX. The SBZ field Rd is ignored.
            if insn & (1 << 7) != 0 {
                cpu.r[14] = cpu.insn_addr.wrapping_add(2) | 1;
            }
            cpu.branch_exchange(value);
        }
    }
}

/// ADD/SUB SP, PUSH, POP and BKPT (the 1011 space, A6.2.1); the rest of it is undefined.
fn miscellaneous<B: Bus>(cpu: &mut Cpu, bus: &mut B, insn: u32) {
    match (insn >> 8) & 0xF {
        0b0000 => {
            let offset = (insn & 0x7F) * 4;
            cpu.r[13] = if insn & (1 << 7) != 0 {
                cpu.r[13].wrapping_sub(offset)
            } else {
                cpu.r[13].wrapping_add(offset)
            };
        }
        // PUSH {list, LR}: STMDB SP!.
        0b0100 | 0b0101 => {
            let list = (insn & 0xFF) | if insn & (1 << 8) != 0 { 1 << 14 } else { 0 };
            if list == 0 {
                return cpu.undefined();
            }
            let new_sp = cpu.r[13].wrapping_sub(list.count_ones() * 4);
            let transfer = Transfer {
                start: new_sp,
                list,
                user_bank: false,
            };
            cpu.store_multiple(bus, transfer, Some((13, new_sp)));
        }
        // POP {list, PC}: LDMIA SP!; loading the PC interworks in ARMv5T (A7.1.49).
        0b1100 | 0b1101 => {
            let list = (insn & 0xFF) | if insn & (1 << 8) != 0 { 1 << 15 } else { 0 };
            if list == 0 {
                return cpu.undefined();
            }
            let base = cpu.r[13];
            let transfer = Transfer {
                start: base,
                list,
                user_bank: false,
            };
            let new_sp = base.wrapping_add(list.count_ones() * 4);
            cpu.load_multiple(bus, transfer, Some((13, new_sp)), false);
        }
        0b1110 => cpu.breakpoint(insn & 0xFF),
        _ => cpu.undefined(),
    }
}
