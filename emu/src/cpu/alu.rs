//! Arithmetic shared by the ARM and Thumb instruction sets: the barrel shifter (ARM ARM A5.1
//! "Addressing Mode 1 - Data-processing operands"), addition with carry and overflow, and
//! signed saturation (A2.7 "The DSP extensions").

/// The four shift types encoded in bits 6:5 of a shifter operand.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shift {
    Lsl = 0,
    Lsr = 1,
    Asr = 2,
    Ror = 3,
}

impl Shift {
    pub fn from_bits(bits: u32) -> Shift {
        match bits & 3 {
            0 => Shift::Lsl,
            1 => Shift::Lsr,
            2 => Shift::Asr,
            _ => Shift::Ror,
        }
    }
}

/// A shift by an immediate amount (0..=31, from bits 11:7), where the encodings with amount 0
/// mean LSL #0 (no shift), LSR #32, ASR #32 and RRX. Returns the value and the shifter carry-out
/// (0 or 1); `carry` is the current C flag (0 or 1).
#[inline(always)]
pub fn shift_imm(shift: Shift, value: u32, amount: u32, carry: u32) -> (u32, u32) {
    match (shift, amount) {
        (Shift::Lsl, 0) => (value, carry),
        (Shift::Lsl, n) => (value << n, (value >> (32 - n)) & 1),
        (Shift::Lsr, 0) => (0, value >> 31),
        (Shift::Lsr, n) => (value >> n, (value >> (n - 1)) & 1),
        (Shift::Asr, 0) => (((value as i32) >> 31) as u32, value >> 31),
        (Shift::Asr, n) => (((value as i32) >> n) as u32, (value >> (n - 1)) & 1),
        // RRX: rotate right by one through the carry flag.
        (Shift::Ror, 0) => ((carry << 31) | (value >> 1), value & 1),
        (Shift::Ror, n) => (value.rotate_right(n), (value >> (n - 1)) & 1),
    }
}

/// A shift by the bottom byte of a register (0..=255), with the ARM ARM's rules for amounts of
/// 0, 32 and more. Returns the value and the carry-out (0 or 1).
#[inline(always)]
pub fn shift_reg(shift: Shift, value: u32, amount: u32, carry: u32) -> (u32, u32) {
    let amount = amount & 0xFF;
    if amount == 0 {
        return (value, carry);
    }
    match shift {
        Shift::Lsl => match amount {
            1..=31 => (value << amount, (value >> (32 - amount)) & 1),
            32 => (0, value & 1),
            _ => (0, 0),
        },
        Shift::Lsr => match amount {
            1..=31 => (value >> amount, (value >> (amount - 1)) & 1),
            32 => (0, value >> 31),
            _ => (0, 0),
        },
        Shift::Asr => match amount {
            1..=31 => (
                ((value as i32) >> amount) as u32,
                (value >> (amount - 1)) & 1,
            ),
            _ => (((value as i32) >> 31) as u32, value >> 31),
        },
        Shift::Ror => {
            let rot = amount & 31;
            if rot == 0 {
                (value, value >> 31)
            } else {
                (value.rotate_right(rot), (value >> (rot - 1)) & 1)
            }
        }
    }
}

/// `a + b + carry_in` with the carry-out and signed overflow (ARM ARM A2.5.2 and the
/// pseudo-functions CarryFrom and OverflowFrom).
#[inline(always)]
pub fn add_with_carry(a: u32, b: u32, carry_in: u32) -> (u32, bool, bool) {
    let wide = a as u64 + b as u64 + carry_in as u64;
    let result = wide as u32;
    let carry = wide > 0xFFFF_FFFF;
    let overflow = ((a ^ result) & (b ^ result)) >> 31 != 0;
    (result, carry, overflow)
}

/// Signed saturation of a 64-bit value to 32 bits: the value and whether it saturated.
#[inline(always)]
pub fn saturate(value: i64) -> (i32, bool) {
    if value > i32::MAX as i64 {
        (i32::MAX, true)
    } else if value < i32::MIN as i64 {
        (i32::MIN, true)
    } else {
        (value as i32, false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn immediate_shift_zero_encodings() {
        // ARM ARM A5.1.5-A5.1.13: LSR #0 means LSR #32, ASR #0 ASR #32, ROR #0 RRX.
        assert_eq!(shift_imm(Shift::Lsl, 0x8000_0001, 0, 1), (0x8000_0001, 1));
        assert_eq!(shift_imm(Shift::Lsr, 0x8000_0001, 0, 0), (0, 1));
        assert_eq!(shift_imm(Shift::Asr, 0x8000_0000, 0, 0), (0xFFFF_FFFF, 1));
        assert_eq!(shift_imm(Shift::Asr, 0x7FFF_FFFF, 0, 1), (0, 0));
        assert_eq!(shift_imm(Shift::Ror, 0x0000_0003, 0, 1), (0x8000_0001, 1));
        assert_eq!(shift_imm(Shift::Lsl, 0x4000_0001, 2, 0), (0x0000_0004, 1));
        assert_eq!(shift_imm(Shift::Ror, 0x0000_00F1, 4, 0), (0x1000_000F, 0));
    }

    #[test]
    fn register_shift_large_amounts() {
        assert_eq!(
            shift_reg(Shift::Lsl, 0xFFFF_FFFF, 0x100, 1),
            (0xFFFF_FFFF, 1)
        );
        assert_eq!(shift_reg(Shift::Lsl, 0x0000_0003, 32, 0), (0, 1));
        assert_eq!(shift_reg(Shift::Lsl, 0x0000_0003, 33, 1), (0, 0));
        assert_eq!(shift_reg(Shift::Lsr, 0x8000_0000, 32, 0), (0, 1));
        assert_eq!(shift_reg(Shift::Lsr, 0x8000_0000, 40, 1), (0, 0));
        assert_eq!(shift_reg(Shift::Asr, 0x8000_0000, 200, 0), (0xFFFF_FFFF, 1));
        assert_eq!(shift_reg(Shift::Ror, 0x8000_0001, 32, 0), (0x8000_0001, 1));
        assert_eq!(shift_reg(Shift::Ror, 0x8000_0001, 33, 0), (0xC000_0000, 1));
    }

    #[test]
    fn add_with_carry_flags() {
        assert_eq!(add_with_carry(0xFFFF_FFFF, 1, 0), (0, true, false));
        assert_eq!(
            add_with_carry(0x7FFF_FFFF, 1, 0),
            (0x8000_0000, false, true)
        );
        assert_eq!(add_with_carry(0x8000_0000, 0x8000_0000, 0), (0, true, true));
        // SUBS r0, 5, 5 computes 5 + NOT(5) + 1: carry set means "no borrow".
        assert_eq!(add_with_carry(5, !5, 1), (0, true, false));
        assert_eq!(add_with_carry(4, !5, 1), (0xFFFF_FFFF, false, false));
    }

    #[test]
    fn saturation() {
        assert_eq!(saturate(0x8000_0000), (i32::MAX, true));
        assert_eq!(saturate(-0x8000_0001), (i32::MIN, true));
        assert_eq!(saturate(-5), (-5, false));
    }
}
