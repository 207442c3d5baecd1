//! ARM state: one 32-bit word at a time.
//!
//! The decode follows objdump's: its opcode table is searched top to bottom and the first entry
//! whose fixed bits match wins, so where entries overlap (the SBZ/SBO fields it checks or not,
//! the miscellaneous instructions inside the data-processing space) the order below is its order.
//! Groups are split by bits 27:25 first, which no entry's fixed bits cross.

use super::{Line, CONDITIONS};

/// Disassembles the ARM instruction `word` at address `addr` (the address matters for branch
/// and PC-relative targets).
pub fn disassemble_arm(word: u32, addr: u32) -> String {
    let mut line = Line::new();
    if decode(&mut line, word, addr) {
        line.finish()
    } else {
        let mut text = format!("\t\t@ <UNDEFINED> instruction: {word:#010x}");
        // objdump prints an unknown word with its SWI format, which notes two numbers some old
        // ARM systems gave a meaning, even when the condition is 0b1111.
        text.push_str(imb_note(word));
        text
    }
}

fn imb_note(word: u32) -> &'static str {
    match word & 0x0FFF_FFFF {
        0x0FF0_0000 => "\t@ IMB",
        0x0FF0_0001 => "\t@ IMBRange",
        _ => "",
    }
}

const SHIFTS: [&str; 4] = ["lsl", "lsr", "asr", "ror"];

const DATA_OPS: [&str; 16] = [
    "and", "eor", "sub", "rsb", "add", "adc", "sbc", "rsc", "tst", "teq", "cmp", "cmn", "orr",
    "mov", "bic", "mvn",
];

/// `word & mask == value`.
fn is(word: u32, mask: u32, value: u32) -> bool {
    word & mask == value
}

fn bit(word: u32, n: u32) -> bool {
    word & (1 << n) != 0
}

fn field(word: u32, lsb: u32) -> u32 {
    (word >> lsb) & 15
}

/// Writes a mnemonic, the condition suffix (nothing for AL) and the tab before the operands.
fn op(l: &mut Line, word: u32, mnemonic: &str) {
    l.push(mnemonic);
    l.push(cond(word));
    l.push_char('\t');
}

fn cond(word: u32) -> &'static str {
    match word >> 28 {
        0xE => "",
        c => CONDITIONS[c as usize],
    }
}

/// Returns false for an encoding objdump prints as `<UNDEFINED>`.
fn decode(l: &mut Line, w: u32, pc: u32) -> bool {
    if w >> 28 == 0xF {
        return unconditional(l, w, pc);
    }
    match (w >> 25) & 7 {
        0b000 => group_000(l, w, pc),
        0b001 => data_immediate(l, w),
        0b010 | 0b011 => load_store(l, w, pc),
        0b100 => block_transfer(l, w),
        0b101 => {
            op(l, w, if bit(w, 24) { "bl" } else { "b" });
            l.address(branch_target(w, pc));
            true
        }
        0b110 => coprocessor(l, w, pc, cond(w)),
        _ => {
            if bit(w, 24) {
                op(l, w, "svc");
                l.push(&format!("{:#010x}", w & 0x00FF_FFFF));
                l.push(imb_note(w));
                true
            } else {
                coprocessor(l, w, pc, cond(w))
            }
        }
    }
}

fn branch_target(w: u32, pc: u32) -> u32 {
    let offset = (((w << 8) as i32) >> 6) as u32;
    pc.wrapping_add(8).wrapping_add(offset)
}

/// Condition 0b1111: BLX (immediate), PLD and the coprocessor "2" forms in ARMv5TE, and two
/// speculation barriers objdump recognises for every architecture.
fn unconditional(l: &mut Line, w: u32, pc: u32) -> bool {
    if (w >> 25) & 7 == 0b110 || (w >> 24) & 15 == 0b1110 {
        return coprocessor(l, w, pc, "");
    }
    match w {
        0xF57F_F040 => l.push("ssbb"),
        0xF57F_F044 => l.push("pssbb"),
        _ if is(w, 0xFE00_0000, 0xFA00_0000) => {
            // BLX <target>: H (bit 24) selects the halfword.
            l.push("blx\t");
            l.address(branch_target(w, pc).wrapping_add((w >> 23) & 2));
        }
        // objdump's PLD entry ignores P (bit 24) and, in the register form, bit 4; ARMv5TE has
        // neither post-indexed PLD nor a register-shifted register offset: those are UNDEFINED
        // (ARM ARM A4 "PLD", A5.2), as the CPU executes them.
        _ if is(w, 0xFD70_F000, 0xF550_F000) && !is(w, 0x0200_0010, 0x0200_0010) => {
            l.push("pld\t");
            address_mode_2(l, w, pc);
        }
        _ => return false,
    }
    true
}

/// Bits 27:25 = 000: data processing with a register operand, and the multiply, swap, extra
/// load/store and miscellaneous instructions that live in its unused corners.
fn group_000(l: &mut Line, w: u32, pc: u32) -> bool {
    let (rd, rn, rs, rm) = (field(w, 12), field(w, 16), field(w, 8), field(w, 0));
    if w == 0xE1A0_0000 {
        l.push("nop\t\t\t@ (mov r0, r0)");
        return true;
    }
    if is(w, 0x0FFF_FFF0, 0x012F_FF10) {
        op(l, w, "bx");
        l.reg(rm);
        return true;
    }
    if is(w, 0x0FC0_00F0, 0x0000_0090) {
        // MUL, MLA.
        let mla = bit(w, 21);
        op2(l, w, if mla { "mla" } else { "mul" }, bit(w, 20));
        regs_not_pc(l, &[rn, rm, rs]);
        if mla {
            l.push(", ");
            l.reg_not_pc(rd);
        }
        return true;
    }
    if is(w, 0x0FB0_0FF0, 0x0100_0090) {
        op(l, w, if bit(w, 22) { "swpb" } else { "swp" });
        regs_not_pc(l, &[rd, rm]);
        l.push(", [");
        l.reg_not_pc(rn);
        l.push("]");
        // objdump also flags a base register equal to either of the others.
        if rn == rm || rn == rd {
            l.unpredictable = true;
        }
        return true;
    }
    if is(w, 0x0F80_00F0, 0x0080_0090) {
        // UMULL, UMLAL, SMULL, SMLAL.
        let name = match (bit(w, 22), bit(w, 21)) {
            (false, false) => "umull",
            (false, true) => "umlal",
            (true, false) => "smull",
            (true, true) => "smlal",
        };
        op2(l, w, name, bit(w, 20));
        long_multiply_operands(l, w);
        return true;
    }
    if is(w, 0xFFF0_00F0, 0xE100_0070) {
        // HLT is ARMv8, but in the NOP space, so objdump decodes it for every architecture.
        l.push("hlt\t");
        immediate_16_hex(l, w);
        return true;
    }
    if load_acquire_store_release(l, w) {
        return true;
    }
    if is(w, 0x0FFF_FFF0, 0x012F_FF20) {
        op(l, w, "bxj");
        l.reg_not_pc(rm);
        return true;
    }
    if is(w, 0xFFF0_00F0, 0xE120_0070) {
        l.push("bkpt\t");
        immediate_16_hex(l, w);
        return true;
    }
    if is(w, 0x0FFF_FFF0, 0x012F_FF30) {
        op(l, w, "blx");
        l.reg_not_pc(rm);
        return true;
    }
    if is(w, 0x0FFF_0FF0, 0x016F_0F10) {
        op(l, w, "clz");
        regs_not_pc(l, &[rd, rm]);
        return true;
    }
    if is(w, 0x0E10_00D0, 0x0000_00D0) {
        // LDRD (bit 5 clear), STRD.
        op(l, w, if bit(w, 5) { "strd" } else { "ldrd" });
        l.reg(rd);
        l.push(", ");
        address_mode_3(l, w, pc);
        return true;
    }
    if dsp_multiply(l, w) {
        return true;
    }
    if is(w, 0x0E50_00F0, 0x0040_00B0) || is(w, 0x0E50_0FF0, 0x0000_00B0) {
        op(l, w, "strh");
        l.reg_not_pc(rd);
        l.push(", ");
        address_mode_3(l, w, pc);
        return true;
    }
    if is(w, 0x0E50_00F0, 0x0050_0090) || is(w, 0x0E50_0FF0, 0x0010_0090) {
        // The load form of the SWP encoding space: undefined.
        return false;
    }
    if is(w, 0x0E50_0090, 0x0050_0090) || is(w, 0x0E50_0F90, 0x0010_0090) {
        // LDRH, LDRSB, LDRSH.
        let name = match (w >> 5) & 3 {
            1 => "ldrh",
            2 => "ldrsb",
            _ => "ldrsh",
        };
        op(l, w, name);
        l.reg_not_pc(rd);
        l.push(", ");
        address_mode_3(l, w, pc);
        return true;
    }
    data_register(l, w)
}

/// Writes "mnemonic{s}{cond}\t".
fn op2(l: &mut Line, w: u32, mnemonic: &str, s: bool) {
    l.push(mnemonic);
    if s {
        l.push_char('s');
    }
    l.push(cond(w));
    l.push_char('\t');
}

/// A comma-separated list of registers in which the PC is UNPREDICTABLE.
fn regs_not_pc(l: &mut Line, regs: &[u32]) {
    for (i, &r) in regs.iter().enumerate() {
        if i > 0 {
            l.push(", ");
        }
        l.reg_not_pc(r);
    }
}

/// RdLo, RdHi, Rm, Rs; RdLo == RdHi is UNPREDICTABLE.
fn long_multiply_operands(l: &mut Line, w: u32) {
    let (lo, hi) = (field(w, 12), field(w, 16));
    regs_not_pc(l, &[lo, hi, field(w, 0), field(w, 8)]);
    if lo == hi {
        l.unpredictable = true;
    }
}

/// BKPT and HLT: the 16-bit immediate from bits 19:8 and 3:0 as four hex digits.
fn immediate_16_hex(l: &mut Line, w: u32) {
    let imm = ((w >> 4) & 0xFFF0) | (w & 0xF);
    l.push(&format!("{imm:#06x}"));
}

/// ARMv8's load-acquire and store-release instructions. binutils lists most of them under a
/// feature bit that reads as ARMv3 when it tests an architecture's core features, so objdump
/// prints them for ARMv5 too (LDAEX, STLEXB, ..., but not STLEX, LDAEXD or STLEXD).
fn load_acquire_store_release(l: &mut Line, w: u32) -> bool {
    let (rd, rn, rm) = (field(w, 12), field(w, 16), field(w, 0));
    let loads = [
        (0x0190_0E9F, "ldaex"),
        (0x01D0_0E9F, "ldaexb"),
        (0x01F0_0E9F, "ldaexh"),
        (0x0190_0C9F, "lda"),
        (0x01D0_0C9F, "ldab"),
        (0x01F0_0C9F, "ldah"),
    ];
    let exclusive_stores = [(0x01C0_0E90, "stlexb"), (0x01E0_0E90, "stlexh")];
    let stores = [
        (0x0180_FC90, "stl"),
        (0x01C0_FC90, "stlb"),
        (0x01E0_FC90, "stlh"),
    ];
    if let Some(&(_, name)) = loads.iter().find(|&&(v, _)| is(w, 0x0FF0_0FFF, v)) {
        op(l, w, name);
        l.reg(rd);
    } else if let Some(&(_, name)) = exclusive_stores
        .iter()
        .find(|&&(v, _)| is(w, 0x0FF0_0FF0, v))
    {
        op(l, w, name);
        l.reg(rd);
        l.push(", ");
        l.reg(rm);
    } else if let Some(&(_, name)) = stores.iter().find(|&&(v, _)| is(w, 0x0FF0_FFF0, v)) {
        op(l, w, name);
        l.reg(rm);
    } else {
        return false;
    }
    l.push(", [");
    l.reg_not_pc(rn);
    l.push("]");
    true
}

/// The ARMv5TE DSP multiplies (SMLAxy, SMLAWy, SMLALxy, SMULxy, SMULWy) and saturating
/// arithmetic (QADD, QSUB, QDADD, QDSUB).
fn dsp_multiply(l: &mut Line, w: u32) -> bool {
    let (rd, rn, rs, rm) = (field(w, 12), field(w, 16), field(w, 8), field(w, 0));
    // x (bit 5) and y (bit 6) select the bottom or top halves.
    let xy = match (w >> 5) & 3 {
        0 => "bb",
        1 => "tb",
        2 => "bt",
        _ => "tt",
    };
    let y = if bit(w, 6) { "t" } else { "b" };
    if is(w, 0x0FF0_0090, 0x0100_0080) {
        op(l, w, &format!("smla{xy}"));
        if xy == "tt" {
            // objdump's SMLATT entry does not flag the PC in Rd and Rm.
            l.reg(rn);
            l.push(", ");
            l.reg(rm);
            l.push(", ");
            regs_not_pc(l, &[rs, rd]);
        } else {
            regs_not_pc(l, &[rn, rm, rs, rd]);
        }
        return true;
    }
    if is(w, 0x0FF0_00B0, 0x0120_0080) {
        op(l, w, &format!("smlaw{y}"));
        l.reg_not_pc(rn);
        l.push(", ");
        // Nor does its SMLAWT entry the PC in Rm.
        if y == "t" {
            l.reg(rm);
        } else {
            l.reg_not_pc(rm);
        }
        l.push(", ");
        regs_not_pc(l, &[rs, rd]);
        return true;
    }
    if is(w, 0x0FF0_0090, 0x0140_0080) {
        op(l, w, &format!("smlal{xy}"));
        long_multiply_operands(l, w);
        return true;
    }
    if is(w, 0x0FF0_F090, 0x0160_0080) {
        op(l, w, &format!("smul{xy}"));
        regs_not_pc(l, &[rn, rm, rs]);
        return true;
    }
    if is(w, 0x0FF0_F0B0, 0x0120_00A0) {
        op(l, w, &format!("smulw{y}"));
        regs_not_pc(l, &[rn, rm, rs]);
        return true;
    }
    if is(w, 0x0F90_0FF0, 0x0100_0050) {
        let name = ["qadd", "qsub", "qdadd", "qdsub"][((w >> 21) & 3) as usize];
        op(l, w, name);
        regs_not_pc(l, &[rd, rm, rn]);
        return true;
    }
    false
}

/// Data processing with a register operand shifted by an immediate (bit 4 clear) or by a
/// register (bit 4 set, bit 7 clear), with MSR and MRS in the TST..CMN space without S.
fn data_register(l: &mut Line, w: u32) -> bool {
    let opcode = (w >> 21) & 15;
    let reg_shift = bit(w, 4);
    if (8..=11).contains(&opcode) {
        // MSR and MRS, whose entries do not look at bits 7:4 (MSR) or bit 20 (MRS).
        if is(w, 0x0DB0_F000, 0x0120_F000) {
            msr(l, w);
            return true;
        }
        if is(w, 0x0FB0_0CFF, 0x0100_0000) {
            op(l, w, "mrs");
            l.reg_not_pc(field(w, 12));
            l.push(", ");
            banked_register(l, w);
            return true;
        }
    }
    if reg_shift && bit(w, 7) && !(opcode == 9 && bit(w, 20)) && opcode != 13 {
        // The multiply and extra load/store space; objdump's TEQ and MOV-family entries do not
        // look at bit 7, so those two fall through to their own forms.
        return false;
    }
    match opcode {
        0..=7 | 12 | 14 => {
            op2(l, w, DATA_OPS[opcode as usize], bit(w, 20));
            dest_and_first(l, w, reg_shift);
            shifted_register(l, w, true);
            true
        }
        8..=11 => {
            if opcode == 9 && !bit(w, 20) {
                return false;
            }
            compare(l, w, opcode, reg_shift);
            shifted_register(l, w, true);
            true
        }
        13 => move_register(l, w),
        _ => {
            op2(l, w, "mvn", bit(w, 20));
            reg_maybe_pc(l, field(w, 12), reg_shift);
            l.push(", ");
            shifted_register(l, w, true);
            true
        }
    }
}

/// TST, TEQ, CMP, CMN: the `p` suffix (Rd = 15, the ARMv2 way of writing the PSR flags) and Rn.
fn compare(l: &mut Line, w: u32, opcode: u32, reg_shift: bool) {
    l.push(DATA_OPS[opcode as usize]);
    if field(w, 12) == 15 {
        l.push_char('p');
    }
    l.push(cond(w));
    l.push_char('\t');
    reg_maybe_pc(l, field(w, 16), reg_shift);
    l.push(", ");
}

/// objdump flags the PC as Rd or Rn only in the register-shifted forms.
fn reg_maybe_pc(l: &mut Line, r: u32, flag_pc: bool) {
    if flag_pc {
        l.reg_not_pc(r);
    } else {
        l.reg(r);
    }
}

fn dest_and_first(l: &mut Line, w: u32, flag_pc: bool) {
    reg_maybe_pc(l, field(w, 12), flag_pc);
    l.push(", ");
    reg_maybe_pc(l, field(w, 16), flag_pc);
    l.push(", ");
}

/// MOV with a register operand, which objdump writes as LSL, LSR, ASR, ROR or RRX when shifted.
/// It requires the SBZ field Rn to be zero.
fn move_register(l: &mut Line, w: u32) -> bool {
    if field(w, 16) != 0 {
        return false;
    }
    let s = bit(w, 20);
    let (rd, rm) = (field(w, 12), field(w, 0));
    if w & 0xFF0 == 0 || w & 0xFF0 == 0x060 {
        op2(l, w, if w & 0xFF0 == 0 { "mov" } else { "rrx" }, s);
        l.reg(rd);
        l.push(", ");
        l.reg(rm);
        return true;
    }
    op2(l, w, SHIFTS[((w >> 5) & 3) as usize], s);
    l.reg_not_pc(rd);
    l.push(", ");
    shifted_register(l, w, false);
    true
}

/// MSR: the PSR and field mask (or, with bit 9 set in the register form, a banked register name
/// as ARMv7's virtualization extensions define it), then the operand.
fn msr(l: &mut Line, w: u32) {
    op(l, w, "msr");
    if w & 0x0200_0200 == 0x200 {
        banked_register(l, w);
    } else {
        l.push(if bit(w, 22) { "SPSR_" } else { "CPSR_" });
        for (b, c) in [(19, 'f'), (18, 's'), (17, 'x'), (16, 'c')] {
            if bit(w, b) {
                l.push_char(c);
            }
        }
    }
    l.push(", ");
    operand_2(l, w);
}

/// The register named by an MRS (or a banked MSR): objdump decodes R (bit 22), bits 19:16 and
/// bits 9:8 as ARMv7's SYSm, so the plain ARMv5 forms read CPSR and SPSR.
fn banked_register(l: &mut Line, w: u32) {
    let sysm = ((w & 0x004F_0000) >> 16) | ((w & 0x300) >> 4);
    let name = match sysm {
        15 => "CPSR",
        32 => "R8_usr",
        33 => "R9_usr",
        34 => "R10_usr",
        35 => "R11_usr",
        36 => "R12_usr",
        37 => "SP_usr",
        38 => "LR_usr",
        40 => "R8_fiq",
        41 => "R9_fiq",
        42 => "R10_fiq",
        43 => "R11_fiq",
        44 => "R12_fiq",
        45 => "SP_fiq",
        46 => "LR_fiq",
        48 => "LR_irq",
        49 => "SP_irq",
        50 => "LR_svc",
        51 => "SP_svc",
        52 => "LR_abt",
        53 => "SP_abt",
        54 => "LR_und",
        55 => "SP_und",
        60 => "LR_mon",
        61 => "SP_mon",
        62 => "ELR_hyp",
        63 => "SP_hyp",
        79 => "SPSR",
        110 => "SPSR_fiq",
        112 => "SPSR_irq",
        114 => "SPSR_svc",
        116 => "SPSR_abt",
        118 => "SPSR_und",
        124 => "SPSR_mon",
        126 => "SPSR_hyp",
        _ => {
            l.push(&format!("(UNDEF: {sysm})"));
            return;
        }
    };
    l.push(name);
}

/// Bits 27:25 = 001: data processing with a rotated immediate, and MSR (immediate).
fn data_immediate(l: &mut Line, w: u32) -> bool {
    let opcode = (w >> 21) & 15;
    if w == 0xE320_F014 {
        // An MSR that writes no field: ARMv8's CSDB, which objdump decodes for every
        // architecture.
        l.push("csdb");
        return true;
    }
    if is(w, 0x0DB0_F000, 0x0120_F000) {
        msr(l, w);
        return true;
    }
    match opcode {
        8..=11 => {
            if opcode == 9 && !bit(w, 20) {
                return false;
            }
            compare(l, w, opcode, false);
        }
        13 | 15 => {
            if opcode == 13 && field(w, 16) != 0 {
                return false;
            }
            op2(l, w, DATA_OPS[opcode as usize], bit(w, 20));
            l.reg(field(w, 12));
            l.push(", ");
        }
        _ => {
            op2(l, w, DATA_OPS[opcode as usize], bit(w, 20));
            dest_and_first(l, w, false);
        }
    }
    operand_2(l, w);
    true
}

/// The shifter operand: a rotated immediate (bit 25) or a shifted register.
fn operand_2(l: &mut Line, w: u32) {
    if !bit(w, 25) {
        shifted_register(l, w, true);
        return;
    }
    let rotate = (w >> 7) & 0x1E;
    let imm = w & 0xFF;
    let value = imm.rotate_right(rotate);
    // objdump writes "#imm, rotate" when a smaller rotation would encode the same value.
    let smallest = (0..32).step_by(2).find(|&i| value.rotate_left(i) <= 0xFF);
    if smallest != Some(rotate) {
        l.push(&format!("#{imm}, {rotate}"));
    } else {
        l.push(&format!("#{}", value as i32));
    }
    l.value = value as i64;
}

/// A register, possibly shifted (objdump's `arm_decode_shift`); without `print_shift` the shift
/// type is left out, as for LSL and friends whose mnemonic already says it.
fn shifted_register(l: &mut Line, w: u32, print_shift: bool) {
    l.reg(w & 15);
    if w & 0xFF0 == 0 {
        return;
    }
    let shift = SHIFTS[((w >> 5) & 3) as usize];
    if !bit(w, 4) {
        let mut amount = (w >> 7) & 31;
        if amount == 0 {
            if (w >> 5) & 3 == 3 {
                l.push(", rrx");
                return;
            }
            amount = 32;
        }
        if print_shift {
            l.push(&format!(", {shift} #{amount}"));
        } else {
            l.push(&format!(", #{amount}"));
        }
    } else if bit(w, 7) {
        l.push("\t@ <illegal shifter operand>");
    } else {
        l.push(", ");
        if print_shift {
            l.push(shift);
            l.push_char(' ');
        }
        l.reg(field(w, 8));
    }
}

/// Bits 27:25 = 01x: LDR, STR, LDRB, STRB and their T forms.
fn load_store(l: &mut Line, w: u32, pc: u32) -> bool {
    let rd = field(w, 12);
    if is(w, 0xFFF0_00F0, 0xE7F0_00F0) {
        let imm = ((w >> 4) & 0xFFF0) | (w & 0xF);
        l.push(&format!("udf\t#{imm}"));
        l.value = imm as i64;
        return true;
    }
    if bit(w, 25) && bit(w, 4) {
        // The architecturally undefined space (ARMv6 media instructions).
        return false;
    }
    let byte = bit(w, 22);
    // P = 0 and W = 1: the user-mode (T) forms.
    let t = if w & 0x0120_0000 == 0x0020_0000 {
        "t"
    } else {
        ""
    };
    if !bit(w, 20) {
        if is(w, 0x0FFF_0FFF, 0x052D_0004) {
            single_push_pop(l, w, pc, "push", "str");
            return true;
        }
        op(l, w, &format!("{}{t}", if byte { "strb" } else { "str" }));
        reg_maybe_pc(l, rd, byte);
    } else {
        if is(w, 0x0FFF_0FFF, 0x049D_0004) {
            single_push_pop(l, w, pc, "pop", "ldr");
            return true;
        }
        if byte {
            op(l, w, &format!("ldrb{t}"));
            l.reg_not_pc(rd);
        } else if t == "t" {
            op(l, w, "ldrt");
            l.reg_not_pc(rd);
        } else {
            op(l, w, "ldr");
            l.reg(rd);
        }
    }
    l.push(", ");
    address_mode_2(l, w, pc);
    true
}

/// `str rX, [sp, #-4]!` and `ldr rX, [sp], #4`, which objdump writes as PUSH and POP with the
/// original in a comment.
fn single_push_pop(l: &mut Line, w: u32, pc: u32, name: &str, original: &str) {
    let c = cond(w);
    l.push(&format!("{name}{c}\t{{"));
    l.reg(field(w, 12));
    l.push(&format!("}}\t\t@ ({original}{c} "));
    l.reg(field(w, 12));
    l.push(", ");
    address_mode_2(l, w, pc);
    l.push(")");
}

/// The addressing mode of LDR/STR/PLD (objdump's `print_arm_address`).
fn address_mode_2(l: &mut Line, w: u32, pc: u32) {
    let (pre, up, writeback, register) = (bit(w, 24), bit(w, 23), bit(w, 21), bit(w, 25));
    let sign = if up { "" } else { "-" };
    let rn = field(w, 16);
    let offset = w & 0xFFF;
    if rn == 15 && !register {
        l.push("[pc");
        let target = if pre {
            if writeback || !up || offset != 0 {
                l.push(&format!(", #{sign}{offset}"));
            }
            l.push(if writeback { "]!" } else { "]" });
            signed_add(pc.wrapping_add(8), offset, up)
        } else {
            l.push(&format!("], #{sign}{offset}"));
            pc.wrapping_add(8)
        };
        l.push("\t@ ");
        l.address(target);
        l.value = 0;
        return;
    }
    l.push_char('[');
    l.reg(rn);
    if pre {
        if !register {
            if writeback || !up || offset != 0 {
                l.push(&format!(", #{sign}{offset}"));
            }
        } else {
            l.push(&format!(", {sign}"));
            shifted_register(l, w, true);
        }
        l.push(if writeback { "]!" } else { "]" });
    } else if !register {
        l.push(&format!("], #{sign}{offset}"));
    } else {
        l.push(&format!("], {sign}"));
        shifted_register(l, w, true);
    }
    l.value = if register {
        0
    } else if up {
        offset as i64
    } else {
        -(offset as i64)
    };
}

fn signed_add(base: u32, offset: u32, up: bool) -> u32 {
    if up {
        base.wrapping_add(offset)
    } else {
        base.wrapping_sub(offset)
    }
}

/// The addressing mode of LDRH/STRH/LDRSB/LDRSH/LDRD/STRD (objdump's `%s`).
fn address_mode_3(l: &mut Line, w: u32, pc: u32) {
    let (pre, up, immediate, writeback) = (bit(w, 24), bit(w, 23), bit(w, 22), bit(w, 21));
    let sign = if up { "" } else { "-" };
    let (rd, rn, rm) = (field(w, 12), field(w, 16), field(w, 0));
    let offset = ((w >> 4) & 0xF0) | (w & 0xF);
    if immediate && rn == 15 {
        if pre {
            // objdump prints no "!" here even when W is set.
            if offset != 0 || !up {
                l.push(&format!("[pc, #{sign}{offset}]"));
            } else {
                l.push("[pc]");
            }
            l.push("\t@ ");
            l.address(signed_add(pc.wrapping_add(8), offset, up));
        } else {
            l.push(&format!("[pc], #{sign}{offset}"));
            l.unpredictable = true;
        }
        return;
    }
    l.push_char('[');
    l.reg(rn);
    if pre {
        if immediate {
            if writeback || !up || offset != 0 {
                l.push(&format!(", #{sign}{offset}"));
            }
            l.value = if up { offset as i64 } else { -(offset as i64) };
        } else {
            l.push(&format!(", {sign}"));
            l.reg(rm);
            // Writing back to the transfer register is UNPREDICTABLE.
            if writeback && rm == rd {
                l.unpredictable = true;
            }
        }
        l.push(if writeback { "]!" } else { "]" });
    } else {
        if immediate {
            l.push(&format!("], #{sign}{offset}"));
            l.value = if up { offset as i64 } else { -(offset as i64) };
        } else {
            l.push(&format!("], {sign}"));
            l.reg(rm);
            if rm == rd {
                l.unpredictable = true;
            }
        }
        // Post-indexing always writes back; W set, or the PC as the index, is UNPREDICTABLE.
        if writeback || (!immediate && rm == 15) {
            l.unpredictable = true;
        }
    }
}

/// Bits 27:25 = 100: LDM and STM, with objdump's PUSH/POP and single-register STMFD/LDMFD forms
/// for SP with writeback.
fn block_transfer(l: &mut Line, w: u32) -> bool {
    let load = bit(w, 20);
    let list = w & 0xFFFF;
    let sp_writeback = if load { 0x08BD_0000 } else { 0x092D_0000 };
    if w & 0x0FFF_0000 == sp_writeback {
        if list.count_ones() == 1 {
            op(l, w, if load { "ldmfd" } else { "stmfd" });
            l.push("sp!, ");
        } else {
            op(l, w, if load { "pop" } else { "push" });
        }
        register_list(l, list);
        return true;
    }
    // Increment-after without writeback or S (STM), or increment-after (LDM), is plain.
    let plain = if load {
        is(w, 0x0F90_0000, 0x0890_0000)
    } else {
        is(w, 0x0FF0_0000, 0x0880_0000)
    };
    let mut name = String::from(if load { "ldm" } else { "stm" });
    if !plain {
        name.push(if bit(w, 23) { 'i' } else { 'd' });
        name.push(if bit(w, 24) { 'b' } else { 'a' });
    }
    op(l, w, &name);
    l.reg_not_pc(field(w, 16));
    if bit(w, 21) {
        l.push_char('!');
    }
    l.push(", ");
    register_list(l, list);
    if bit(w, 22) {
        l.push_char('^');
    }
    true
}

/// `{r0, r4, lr}`; an empty list is UNPREDICTABLE.
fn register_list(l: &mut Line, list: u32) {
    l.push_char('{');
    let mut first = true;
    for r in (0..16).filter(|r| list & (1 << r) != 0) {
        if !first {
            l.push(", ");
        }
        first = false;
        l.reg(r);
    }
    l.push_char('}');
    if list == 0 {
        l.unpredictable = true;
    }
}

/// LDC, STC, MCRR, MRRC, CDP, MCR, MRC and (condition 0b1111, `cond` empty) their "2" forms, in
/// objdump's generic syntax with the coprocessor number in decimal.
fn coprocessor(l: &mut Line, w: u32, pc: u32, cond: &str) -> bool {
    let two = if w >> 28 == 0xF { "2" } else { "" };
    let cp = field(w, 8);
    let (crd, crn, crm) = (field(w, 12), field(w, 16), field(w, 0));
    // objdump leaves coprocessors 9 to 11 to its VFP and half-precision entries: its generic
    // CDP, CDP2, MCR, MRC (but for MRC to APSR_nzcv), LDC and STC entries skip them, so what
    // those do not claim is undefined to it. It marks the other "2" forms there UNPREDICTABLE,
    // and any condition but AL on coprocessor 9.
    let fp_space = (9..=11).contains(&cp);
    let unpredictable_cp = !two.is_empty() && fp_space || cp == 9 && !cond.is_empty();
    match (w >> 20) & 0xFF {
        0xC4 | 0xC5 if two.is_empty() => {
            let load = bit(w, 20);
            l.push(&format!(
                "{}{cond}\t{cp}, {}, ",
                if load { "mrrc" } else { "mcrr" },
                (w >> 4) & 15
            ));
            if load {
                regs_not_pc(l, &[crd, crn]);
                if crd == crn {
                    l.unpredictable = true;
                }
            } else {
                l.reg_not_pc(crd);
                l.push(", ");
                l.reg(crn);
            }
            l.push(&format!(", cr{crm}"));
            l.unpredictable |= unpredictable_cp;
        }
        0xC0..=0xDF => {
            if fp_space && two.is_empty() {
                return false;
            }
            let name = if bit(w, 20) { "ldc" } else { "stc" };
            let long = if bit(w, 22) { "l" } else { "" };
            l.push(&format!("{name}{two}{long}{cond}\t{cp}, cr{crd}, "));
            // Coprocessor 9 is half-precision to objdump: its offsets count halfwords.
            coprocessor_address(l, w, pc, if cp == 9 { 2 } else { 4 });
            l.unpredictable |= unpredictable_cp;
        }
        _ => {
            let opc2 = (w >> 5) & 7;
            let apsr = two.is_empty() && bit(w, 20) && crd == 15;
            if fp_space && (!bit(w, 4) || two.is_empty() && !apsr) {
                return false;
            }
            if !bit(w, 4) {
                let opc1 = (w >> 20) & 15;
                l.push(&format!(
                    "cdp{two}{cond}\t{cp}, {opc1}, cr{crd}, cr{crn}, cr{crm}, {{{opc2}}}"
                ));
                return true;
            }
            let opc1 = (w >> 21) & 7;
            let load = bit(w, 20);
            l.push(&format!(
                "{}{two}{cond}\t{cp}, {opc1}, ",
                if load { "mrc" } else { "mcr" }
            ));
            if apsr {
                l.push("APSR_nzcv");
            } else if load {
                l.reg(crd);
            } else {
                l.reg_not_pc(crd);
            }
            l.push(&format!(", cr{crn}, cr{crm}, {{{opc2}}}"));
            l.unpredictable |= unpredictable_cp;
        }
    }
    true
}

/// The addressing mode of LDC/STC (objdump's `%A`): an 8-bit word offset, or with P and W both
/// clear an "option" field in braces.
fn coprocessor_address(l: &mut Line, w: u32, pc: u32, scale: u32) {
    let (pre, up, writeback) = (bit(w, 24), bit(w, 23), bit(w, 21));
    let rn = field(w, 16);
    let imm = w & 0xFF;
    let offset = if up {
        (imm * scale) as i32
    } else {
        -((imm * scale) as i32)
    };
    l.push_char('[');
    l.reg(rn);
    if (pre || writeback) && rn != 15 {
        l.value = offset as i64;
    }
    if pre {
        if offset != 0 {
            l.push(&format!(", #{offset}]"));
            if writeback {
                l.push_char('!');
            }
        } else if !up {
            l.push(", #-0]");
        } else {
            l.push_char(']');
        }
    } else {
        l.push_char(']');
        if writeback {
            if offset != 0 {
                l.push(&format!(", #{offset}"));
            } else if !up {
                l.push(", #-0");
            }
        } else {
            let sign = if !up && imm == 0 { "-" } else { "" };
            l.push(&format!(", {{{sign}{imm}}}"));
            l.value = imm as i64;
        }
    }
    if rn == 15 && (pre || writeback) {
        l.push("\t@ ");
        l.address(pc.wrapping_add(8).wrapping_add(offset as u32));
    }
}
