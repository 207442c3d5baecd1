//! Thumb state: one halfword at a time, or a BL/BLX pair.
//!
//! objdump decodes every 16-bit Thumb encoding it knows whatever the architecture, up to
//! ARMv8-M (`cbz`, `it`, `rev`, `blxns`, ...): on the ARM926EJ-S those are undefined, but they
//! print as objdump prints them so that listings agree. objdump searches its table top to bottom;
//! the order of the tests below is its order where entries overlap.

use super::{Line, CONDITIONS, REGISTERS};

/// Disassembles the Thumb instruction `halfword` at address `addr`. `next` is the halfword that
/// follows, if there is one: a BL or BLX (immediate) is a pair of halfwords, a prefix
/// (0xF000-0xF7FF) and a suffix (0xF800-0xFFFF for BL, 0xE800-0xEFFF for BLX), and is printed
/// as one instruction of 4 bytes. Returns the text and the number of bytes used, 2 or 4.
///
/// ARMv5T executes the two halves of a BL/BLX as separate instructions (ARM ARM A7.1.17), so a
/// half without its partner is still an instruction, printed as a comment that says what it does;
/// objdump only knows the pairs, and reads any other halfword from 0xE800 up as the first half of
/// a 32-bit Thumb-2 instruction.
pub fn disassemble_thumb(halfword: u16, next: Option<u16>, addr: u32) -> (String, u32) {
    let h = halfword as u32;
    if h >= 0xE800 {
        if let Some(n) = next.map(u32::from) {
            let prefix = h & 0xF800 == 0xF000;
            if prefix && n & 0xF800 == 0xF800 {
                return (format!("bl\t{:#x}", bl_target(h, n, addr)), 4);
            }
            if prefix && n & 0xF801 == 0xE800 {
                return (format!("blx\t{:#x}", bl_target(h, n, addr) & !3), 4);
            }
        }
        return (lone_half(h, addr), 2);
    }
    let mut line = Line::new();
    if decode(&mut line, h, addr) {
        (line.finish(), 2)
    } else {
        (undefined16(h), 2)
    }
}

/// The target of a BL/BLX pair at `addr`: 22 bits of offset in halfwords, from the address + 4.
fn bl_target(prefix: u32, suffix: u32, addr: u32) -> u32 {
    let offset = ((((prefix & 0x7FF) << 21) as i32) >> 9) as u32 | ((suffix & 0x7FF) << 1);
    addr.wrapping_add(4).wrapping_add(offset)
}

/// A BL/BLX prefix or suffix on its own.
fn lone_half(h: u32, addr: u32) -> String {
    let offset = (h & 0x7FF) << 1;
    match h >> 11 {
        0b11110 => {
            let lr = addr
                .wrapping_add(4)
                .wrapping_add(((((h & 0x7FF) << 21) as i32) >> 9) as u32);
            format!("\t\t@ BL/BLX prefix: lr = {lr:#x}")
        }
        0b11111 => format!("\t\t@ BL suffix: pc = lr + {offset:#x}"),
        // A BLX suffix with bit 0 set is UNDEFINED (ARM ARM A7.1.17).
        _ if h & 1 != 0 => undefined16(h),
        _ => format!("\t\t@ BLX suffix: pc = (lr + {offset:#x}) & ~3"),
    }
}

fn undefined16(h: u32) -> String {
    format!("\t\t@ <UNDEFINED> instruction: {h:#06x}")
}

/// A low register from the three bits at `lsb`.
fn low(l: &mut Line, h: u32, lsb: u32) {
    l.reg((h >> lsb) & 7);
}

/// `mnemonic\tRd, Rs` with both registers low, at bits 2:0 and 5:3.
fn low_pair(l: &mut Line, mnemonic: &str, h: u32) {
    l.push(mnemonic);
    l.push_char('\t');
    low(l, h, 0);
    l.push(", ");
    low(l, h, 3);
}

/// `{r0, r1, lr}` (objdump's `%M`, `%N` with LR, `%O` with PC).
fn register_list(l: &mut Line, h: u32, extra: Option<u32>) {
    let mut regs: Vec<u32> = (0..8).filter(|r| h & (1 << r) != 0).collect();
    regs.extend(extra);
    let names: Vec<&str> = regs.iter().map(|&r| REGISTERS[r as usize]).collect();
    l.push(&format!("{{{}}}", names.join(", ")));
}

/// An immediate that also sets objdump's comment value.
fn immediate(l: &mut Line, value: u32) {
    l.push(&format!("#{value}"));
    l.value = value as i64;
}

/// Returns false for an encoding objdump prints as `<UNDEFINED>`.
fn decode(l: &mut Line, h: u32, pc: u32) -> bool {
    let is = |mask: u32, value: u32| h & mask == value;
    // Register fields: Rd/Rm at 2:0, Rn/Rm at 5:3, the high-register forms' 4-bit Rm at 6:3.
    let rm4 = (h >> 3) & 15;
    if is(0xFF87, 0x4784) || is(0xFF87, 0x4704) {
        // ARMv8-M BLXNS/BXNS: BLX/BX with the SBZ bits 2:0 set to 0b100.
        l.push(if bit(h, 7) { "blxns\t" } else { "bxns\t" });
        l.reg(rm4);
    } else if h == 0xBF50 {
        l.push("sevl");
    } else if is(0xFFF7, 0xB610) {
        l.push(&format!("setpan\t#{}", (h >> 3) & 1));
    } else if is(0xFF0F, 0xBF00) {
        // The ARMv6K/ARMv7 hints.
        match (h >> 4) & 15 {
            0 => l.push("nop"),
            1 => l.push("yield"),
            2 => l.push("wfe"),
            3 => l.push("wfi"),
            4 => l.push("sev"),
            hint => l.push(&format!("nop\t{{{hint}}}")),
        }
    } else if is(0xF500, 0xB100) {
        // CBZ, CBNZ: forward only, from the address + 4.
        l.push(if bit(h, 11) { "cbnz\t" } else { "cbz\t" });
        low(l, h, 0);
        l.push(", ");
        l.address(pc.wrapping_add(4) + ((h & 0xF8) >> 2) + ((h & 0x200) >> 3));
    } else if is(0xFF00, 0xBF00) {
        if_then(l, h);
    } else if is(0xFFE8, 0xB660) {
        l.push(if bit(h, 4) { "cpsid\t" } else { "cpsie\t" });
        for (b, c) in [(2, 'a'), (1, 'i'), (0, 'f')] {
            if bit(h, b) {
                l.push_char(c);
            }
        }
    } else if is(0xFFC0, 0x4600) {
        low_pair(l, "mov", h);
    } else if is(0xFF00, 0xBA00) {
        match (h >> 6) & 3 {
            0 => low_pair(l, "rev", h),
            1 => low_pair(l, "rev16", h),
            // ARMv8's HLT.
            2 => l.push(&format!("hlt\t{:#06x}", h & 0x3F)),
            _ => low_pair(l, "revsh", h),
        }
    } else if is(0xFFF7, 0xB650) {
        l.push(if bit(h, 3) {
            "setend\tbe"
        } else {
            "setend\tle"
        });
    } else if is(0xFF00, 0xB200) {
        low_pair(
            l,
            ["sxth", "sxtb", "uxth", "uxtb"][((h >> 6) & 3) as usize],
            h,
        );
    } else if is(0xFF00, 0xBE00) {
        l.push(&format!("bkpt\t{:#06x}", h & 0xFF));
    } else if is(0xFF87, 0x4780) {
        l.push("blx\t");
        l.reg(rm4);
    } else if h == 0x46C0 {
        l.push("nop\t\t\t@ (mov r8, r8)");
    } else if is(0xFC00, 0x4000) {
        // Format 4: ALU operations on low registers; all but the comparisons set the flags and
        // say so with an "s".
        let name = [
            "ands", "eors", "lsls", "lsrs", "asrs", "adcs", "sbcs", "rors", "tst", "negs", "cmp",
            "cmn", "orrs", "muls", "bics", "mvns",
        ][((h >> 6) & 15) as usize];
        low_pair(l, name, h);
    } else if is(0xFF00, 0xB000) {
        l.push(if bit(h, 7) { "sub\tsp, " } else { "add\tsp, " });
        immediate(l, (h & 0x7F) * 4);
    } else if is(0xFF80, 0x4700) {
        l.push("bx\t");
        l.reg(rm4);
    } else if is(0xFC00, 0x4400) && h < 0x4700 {
        // ADD, CMP, MOV with high registers (BX/BLX above; the rest of 0x47xx is undefined).
        l.push(["add\t", "cmp\t", "mov\t"][((h >> 8) & 3) as usize]);
        l.reg((h & 7) | ((h >> 4) & 8));
        l.push(", ");
        l.reg(rm4);
    } else if is(0xF600, 0xB400) {
        // PUSH with LR, POP with PC (bit 8).
        let pop = bit(h, 11);
        l.push(if pop { "pop\t" } else { "push\t" });
        let extra = bit(h, 8).then_some(if pop { 15 } else { 14 });
        register_list(l, h, extra);
    } else if is(0xF800, 0x1800) {
        // Format 2: add/subtract with a register or a 3-bit immediate.
        l.push(if bit(h, 9) { "subs\t" } else { "adds\t" });
        low(l, h, 0);
        l.push(", ");
        low(l, h, 3);
        l.push(", ");
        if bit(h, 10) {
            immediate(l, (h >> 6) & 7);
        } else {
            low(l, h, 6);
        }
    } else if is(0xF000, 0x5000) {
        // Format 7/8: load/store with a register offset.
        let name = [
            "str", "strh", "strb", "ldrsb", "ldr", "ldrh", "ldrb", "ldrsh",
        ];
        l.push(name[((h >> 9) & 7) as usize]);
        l.push_char('\t');
        low(l, h, 0);
        l.push(", [");
        low(l, h, 3);
        l.push(", ");
        low(l, h, 6);
        l.push("]");
    } else if h < 0x1800 {
        // Format 1: shift by an immediate; LSL #0 is MOVS.
        let amount = (h >> 6) & 31;
        if h < 0x0800 && amount == 0 {
            low_pair(l, "movs", h);
        } else {
            low_pair(l, ["lsls", "lsrs", "asrs"][(h >> 11) as usize], h);
            l.push(", ");
            if h < 0x0800 {
                immediate(l, amount);
            } else {
                // LSR and ASR #0 mean #32.
                l.push(&format!("#{}", if amount == 0 { 32 } else { amount }));
            }
        }
    } else if h < 0x4000 {
        // Format 3: MOV, CMP, ADD, SUB with an 8-bit immediate.
        l.push(["movs\t", "cmp\t", "adds\t", "subs\t"][((h >> 11) & 3) as usize]);
        low(l, h, 8);
        l.push(", ");
        immediate(l, h & 0xFF);
    } else if is(0xF800, 0x4800) {
        // LDR (PC-relative): objdump shows the literal's address, from the word-aligned PC.
        l.push("ldr\t");
        low(l, h, 8);
        let offset = (h & 0xFF) * 4;
        l.push(&format!(", [pc, #{offset}]\t@ ("));
        l.address((pc.wrapping_add(4) & !3).wrapping_add(offset));
        l.push(")");
    } else if (0x6000..0x9000).contains(&h) {
        // Formats 9 and 10: load/store with an immediate offset, scaled by the access size.
        let kind = (h >> 11) - 0b01100;
        let (name, scale) = [
            ("str", 4),
            ("ldr", 4),
            ("strb", 1),
            ("ldrb", 1),
            ("strh", 2),
            ("ldrh", 2),
        ][kind as usize];
        l.push(name);
        l.push_char('\t');
        low(l, h, 0);
        l.push(", [");
        low(l, h, 3);
        l.push(", ");
        immediate(l, ((h >> 6) & 31) * scale);
        l.push("]");
    } else if is(0xF000, 0x9000) {
        // Format 11: SP-relative load/store.
        l.push(if bit(h, 11) { "ldr\t" } else { "str\t" });
        low(l, h, 8);
        l.push(", [sp, ");
        immediate(l, (h & 0xFF) * 4);
        l.push("]");
    } else if is(0xF000, 0xA000) {
        // Format 12: ADD Rd, PC/SP, #imm; the PC form with objdump's ADR note.
        let offset = (h & 0xFF) * 4;
        l.push("add\t");
        low(l, h, 8);
        if bit(h, 11) {
            l.push(", sp, ");
            immediate(l, offset);
        } else {
            l.push(&format!(", pc, #{offset}\t@ (adr "));
            low(l, h, 8);
            l.push(", ");
            l.address((pc.wrapping_add(4) & !3).wrapping_add(offset));
            l.push(")");
        }
    } else if is(0xF000, 0xC000) {
        // Format 15: LDMIA/STMIA; an LDMIA writes back unless the base is in the list.
        let load = bit(h, 11);
        l.push(if load { "ldmia\t" } else { "stmia\t" });
        low(l, h, 8);
        if !load || h & (1 << ((h >> 8) & 7)) == 0 {
            l.push_char('!');
        }
        l.push(", ");
        register_list(l, h, None);
    } else if is(0xFF00, 0xDF00) {
        l.push("svc\t");
        l.push(&format!("{}", h & 0xFF));
        l.value = (h & 0xFF) as i64;
    } else if is(0xFF00, 0xDE00) {
        l.push("udf\t");
        immediate(l, h & 0xFF);
    } else if is(0xF000, 0xD000) {
        l.push(&format!("b{}.n\t", CONDITIONS[((h >> 8) & 15) as usize]));
        let offset = (((h << 24) as i32) >> 23) as u32;
        l.address(pc.wrapping_add(4).wrapping_add(offset));
    } else if is(0xF800, 0xE000) {
        l.push("b.n\t");
        let offset = (((h << 21) as i32) >> 20) as u32;
        l.address(pc.wrapping_add(4).wrapping_add(offset));
    } else {
        return false;
    }
    true
}

fn bit(h: u32, n: u32) -> bool {
    h & (1 << n) != 0
}

/// IT: "t"/"e" for each instruction after the first, from the mask against firstcond[0].
fn if_then(l: &mut Line, h: u32) {
    l.push("it");
    let mut tmp = h << 1;
    while tmp & 0xF != 0 {
        l.push(if (h ^ tmp) & 0x10 != 0 { "e" } else { "t" });
        tmp <<= 1;
    }
    l.push_char('\t');
    l.push(CONDITIONS[((h >> 4) & 15) as usize]);
}
