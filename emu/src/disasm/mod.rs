//! A disassembler for the ARM and Thumb instruction sets of ARMv5TE as the ARM926EJ-S implements
//! them, printing GNU objdump's syntax: what Debian's `arm-none-eabi-objdump` (binutils 2.40)
//! prints for a raw binary with `-b binary -m armv5tej` (add `-M force-thumb` for Thumb), with its
//! default register names (`sl`, `fp`, `ip`, `sp`, `lr`, `pc`).
//!
//! The text is what objdump prints after the instruction's hex column: mnemonic, a tab, the
//! operands, and objdump's comments (`@ 0x40`, `@ <UNPREDICTABLE>`, `@ (mov r0, r0)`) with its
//! tabs. Branch and PC-relative targets print as bare hex addresses (`b 0x1234`), as objdump does
//! when it has no symbols. Every 32-bit word and every halfword pair has an output; nothing panics.
//!
//! objdump's choices are followed even where they are odd (it prints `hlt`, `csdb` and `ldaex` for
//! encodings of the NOP space and the swap space, and every 16-bit Thumb encoding up to ARMv8-M
//! whatever the architecture), so that a listing agrees with objdump line for line. The few places
//! where it cannot are stated where they arise and listed, with the reason for each, in
//! `emu/tests/disasm_objdump.rs`:
//! - coprocessors 0, 1, 2, 4, 5, 6, 10 and 11, which objdump decodes as XScale, FPA, Maverick and
//!   VFP/NEON instructions (it enables every coprocessor extension whatever `-m` says); this core
//!   has none of them, and the generic `cdp`/`ldc`/`mcr`/... forms are printed instead (or
//!   UNDEFINED where objdump's generic table skips 10 and 11);
//! - Advanced SIMD encodings in the unconditional space and the ARMv8.x SIMD extensions in the
//!   "2" coprocessor space, UNDEFINED on ARMv5TE;
//! - PLD with P (bit 24) clear, or with a register offset and bit 4 set, which objdump prints as
//!   PLD and the ARM926EJ-S (as ARMv5TE) takes as UNDEFINED;
//! - 32-bit Thumb-2 encodings: on ARMv5TE only the BL/BLX pairs exist, and a lone half of one is
//!   an instruction of its own (see [`disassemble_thumb`]);
//! - the conditions objdump adds inside the block of a Thumb-2 `it` instruction, which needs the
//!   preceding instructions (this disassembler looks at one instruction at a time).

mod arm;
mod thumb;

pub use arm::disassemble_arm;
pub use thumb::disassemble_thumb;

/// objdump's default ("gcc") register names.
const REGISTERS: [&str; 16] = [
    "r0", "r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8", "r9", "sl", "fp", "ip", "sp", "lr", "pc",
];

/// Condition suffixes; AL prints as nothing in ARM state, and 0b1111 is objdump's `<und>`.
const CONDITIONS: [&str; 16] = [
    "eq", "ne", "cs", "cc", "mi", "pl", "vs", "vc", "hi", "ls", "ge", "lt", "gt", "le", "al",
    "<und>",
];

/// One line of disassembly being built, with objdump's two trailing annotations: the value of
/// the last immediate operand in hex when it is outside -16..=32, and `<UNPREDICTABLE>`.
struct Line {
    text: String,
    /// objdump's `value_in_comment`.
    value: i64,
    unpredictable: bool,
}

impl Line {
    fn new() -> Line {
        Line {
            text: String::with_capacity(48),
            value: 0,
            unpredictable: false,
        }
    }

    fn push(&mut self, s: &str) {
        self.text.push_str(s);
    }

    fn push_char(&mut self, c: char) {
        self.text.push(c);
    }

    /// A register by number (bits of an instruction, so always below 16).
    fn reg(&mut self, n: u32) {
        self.push(REGISTERS[(n & 15) as usize]);
    }

    /// A register where the PC is UNPREDICTABLE (objdump's `%R`).
    fn reg_not_pc(&mut self, n: u32) {
        if n & 15 == 15 {
            self.unpredictable = true;
        }
        self.reg(n);
    }

    /// An address operand: objdump prints it with its `print_address_func`, which for a raw binary
    /// without symbols is the 32-bit address in hex.
    fn address(&mut self, addr: u32) {
        self.text.push_str(&format!("{addr:#x}"));
    }

    fn finish(mut self) -> String {
        if self.value > 32 || self.value < -16 {
            let shown = self.value as u32;
            self.text.push_str(&format!("\t@ {shown:#x}"));
        }
        if self.unpredictable {
            self.text.push_str("\t@ <UNPREDICTABLE>");
        }
        self.text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arm_examples() {
        let cases: &[(u32, u32, &str)] = &[
            (0xe1a0_0000, 0, "nop\t\t\t@ (mov r0, r0)"),
            (0xea00_0010, 4, "b\t0x4c"),
            (0x0aff_fffe, 0xc, "beq\t0xc"),
            (0xe3a0_04ff, 0, "mov\tr0, #-16777216\t@ 0xff000000"),
            (0xe3a0_0e01, 0, "mov\tr0, #1, 28"),
            (0xe59f_0004, 0x54, "ldr\tr0, [pc, #4]\t@ 0x60"),
            (0xe100_0090, 0, "swp\tr0, r0, [r0]\t@ <UNPREDICTABLE>"),
            (0xe8bd_8ff0, 0, "pop\t{r4, r5, r6, r7, r8, r9, sl, fp, pc}"),
            (0xee01_0f10, 0, "mcr\t15, 0, r0, cr1, cr0, {0}"),
            (0xe120_0070, 0, "bkpt\t0x0000"),
            (0xe600_0010, 0, "\t\t@ <UNDEFINED> instruction: 0xe6000010"),
            (0xf7d5_fe8e, 0, "pld\t[r5, lr, lsl #29]"),
            (0xf7d5_fe9e, 0, "\t\t@ <UNDEFINED> instruction: 0xf7d5fe9e"),
            (0xf455_f000, 0, "\t\t@ <UNDEFINED> instruction: 0xf455f000"),
        ];
        for &(word, addr, text) in cases {
            assert_eq!(disassemble_arm(word, addr), text, "{word:08x}");
        }
    }

    #[test]
    fn thumb_examples() {
        let cases: &[(u16, Option<u16>, u32, &str, u32)] = &[
            (0x2001, None, 0, "movs\tr0, #1", 2),
            (0xf000, Some(0xf800), 0x40, "bl\t0x44", 4),
            (0xf000, Some(0xe800), 0x22, "blx\t0x24", 4),
            (0x48ff, None, 0x10, "ldr\tr0, [pc, #1020]\t@ (0x410)", 2),
            (0xb010, None, 0, "add\tsp, #64\t@ 0x40", 2),
            (0x46c0, None, 0, "nop\t\t\t@ (mov r8, r8)", 2),
        ];
        for &(hw, next, addr, text, size) in cases {
            assert_eq!(disassemble_thumb(hw, next, addr), (text.to_string(), size));
        }
    }

    /// No encoding panics, and every one produces some text.
    #[test]
    fn every_thumb_halfword_and_a_sweep_of_arm_words() {
        for hw in 0..=u16::MAX {
            for next in [None, Some(0xf800), Some(0xe800), Some(0x0000)] {
                let (text, size) = disassemble_thumb(hw, next, 0xffff_fffe);
                assert!(!text.is_empty() && (size == 2 || size == 4));
            }
        }
        let mut word = 0u32;
        loop {
            assert!(!disassemble_arm(word, 0xffff_fffc).is_empty());
            word = match word.checked_add(0x0000_0fff) {
                Some(w) => w,
                None => break,
            };
        }
    }
}
