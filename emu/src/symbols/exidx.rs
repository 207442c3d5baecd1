//! Unwinding by the ARM exception-handling index (`.ARM.exidx`), as the Exception Handling ABI
//! for the ARM Architecture (ARM IHI 0038) defines it: what `-funwind-tables` code and the Linux
//! kernel (`CONFIG_ARM_UNWIND`) carry instead of DWARF call frame information.
//!
//! The index is read from guest memory: a table of 8-byte entries sorted by function, each a
//! prel31 offset to a function's start and either `EXIDX_CANTUNWIND` (1), the unwind
//! instructions inline (bit 31 set: the compact model, personality routine 0) or a prel31
//! offset to them in `.ARM.extab` (compact models 0, 1 and 2 are understood; a generic
//! personality routine is not). The instructions (IHI 0038 section 10.3) pop registers from a
//! virtual stack pointer `vsp`, which starts at the frame's sp and ends as the caller's.

use super::dwarf::{Registers, Unwound};

/// prel31: a 31-bit signed offset from the word's own address (IHI 0038 section 4.4.2).
fn prel31(word: u32, at: u32) -> u32 {
    let offset = ((word << 1) as i32) >> 1;
    at.wrapping_add(offset as u32)
}

/// The start of the function the entry for `pc` in the index `[start, end)` covers, and its
/// unwind instructions; `None` if no entry covers it.
fn instructions(
    start: u32,
    end: u32,
    pc: u32,
    read: &dyn Fn(u32) -> Option<u32>,
) -> Result<Option<(u32, Vec<u8>)>, String> {
    let entries = end.saturating_sub(start) / 8;
    let unreadable = |at: u32| format!("the unwind index at 0x{at:08x} cannot be read");
    let function = |i: u32| -> Result<u32, String> {
        let at = start + 8 * i;
        // A Thumb function's start may have bit 0 set.
        read(at)
            .map(|w| prel31(w, at) & !1)
            .ok_or_else(|| unreadable(at))
    };
    // The last entry whose function starts at or before pc.
    let (mut low, mut high) = (0, entries);
    while low < high {
        let mid = low + (high - low) / 2;
        if function(mid)? <= pc {
            low = mid + 1;
        } else {
            high = mid;
        }
    }
    let Some(index) = low.checked_sub(1) else {
        return Ok(None);
    };
    let function_start = function(index)?;
    let at = start + 8 * index + 4;
    let data = read(at).ok_or_else(|| unreadable(at))?;
    if data == 1 {
        return Err("the unwind index says this function cannot be unwound".to_string());
    }
    let (word, table) = if data & 0x8000_0000 != 0 {
        (data, None)
    } else {
        let table = prel31(data, at);
        let word = read(table).ok_or_else(|| unreadable(table))?;
        (word, Some(table))
    };
    if word & 0x8000_0000 == 0 {
        return Err("a generic personality routine's unwind data".to_string());
    }
    let mut bytes = Vec::new();
    match (word >> 24) & 0xF {
        0 => bytes.extend_from_slice(&word.to_be_bytes()[1..]),
        1 | 2 => {
            let more = (word >> 16) & 0xFF;
            let table = table.ok_or("a long compact model inline")?;
            bytes.extend_from_slice(&word.to_be_bytes()[2..]);
            for n in 1..=more {
                let at = table + 4 * n;
                bytes.extend_from_slice(&read(at).ok_or_else(|| unreadable(at))?.to_be_bytes());
            }
        }
        other => {
            return Err(format!(
                "compact model {other}, which the ABI does not define"
            ))
        }
    }
    Ok(Some((function_start, bytes)))
}

/// Unwinds the frame of the code at `addr`, whose registers are `regs`, by the index
/// `[start, end)`.
pub fn unwind(
    start: u32,
    end: u32,
    addr: u32,
    regs: &Registers,
    read: &dyn Fn(u32) -> Option<u32>,
) -> Result<Unwound, String> {
    let Some((function, code)) = instructions(start, end, addr, read)? else {
        return Ok(Unwound::NoInfo);
    };
    let mut caller = *regs;
    // The instructions describe the function's body, after its prologue (the index is
    // precise only at calls, IHI 0038 section 9.2); at its first instruction nothing is saved
    // yet and the return address is in lr.
    if addr == function {
        caller[15] = caller[14];
        return Ok(Unwound::Caller(caller));
    }
    let mut vsp = regs[13].ok_or("the stack pointer is unknown")?;
    let mut pc_set = false;
    let mut bytes = code.into_iter();
    // Pops the registers of `mask` (bit n for rn), lowest first; whether pc was among them.
    // Popping r13 sets vsp to the value popped (IHI 0038 section 10.3, note 1).
    let pop = |mask: u32, caller: &mut Registers, vsp: &mut u32| -> Result<bool, String> {
        let mut pc = false;
        for (n, slot) in caller.iter_mut().enumerate() {
            if mask & 1 << n != 0 {
                let value = read(*vsp)
                    .ok_or_else(|| format!("the saved r{n} at 0x{vsp:08x} cannot be read"))?;
                *slot = Some(value);
                *vsp = vsp.wrapping_add(4);
                pc |= n == 15;
            }
        }
        if mask & 1 << 13 != 0 {
            *vsp = caller[13].unwrap_or(*vsp);
        }
        Ok(pc)
    };
    while let Some(op) = bytes.next() {
        let mut next = || {
            bytes
                .next()
                .ok_or("the unwind instructions end in the middle of one")
        };
        match op {
            0x00..=0x3F => vsp = vsp.wrapping_add((u32::from(op) << 2) + 4),
            0x40..=0x7F => vsp = vsp.wrapping_sub((u32::from(op & 0x3F) << 2) + 4),
            0x80..=0x8F => {
                let mask = (u32::from(op & 0xF) << 8 | u32::from(next()?)) << 4;
                if mask == 0 {
                    return Err("the unwind instructions refuse to unwind".to_string());
                }
                pc_set |= pop(mask, &mut caller, &mut vsp)?;
            }
            0x90..=0x9F if op & 0xF != 13 && op & 0xF != 15 => {
                vsp = caller[usize::from(op & 0xF)].ok_or("vsp from an unknown register")?;
            }
            0xA0..=0xAF => {
                let last = 4 + u32::from(op & 7);
                let mut mask = (1 << (last + 1)) - (1 << 4);
                if op & 8 != 0 {
                    mask |= 1 << 14;
                }
                pc_set |= pop(mask, &mut caller, &mut vsp)?;
            }
            0xB0 => break,
            0xB1 => {
                let mask = u32::from(next()?);
                if mask == 0 || mask & 0xF0 != 0 {
                    return Err("spare unwind instruction 0xb1".to_string());
                }
                pop(mask, &mut caller, &mut vsp)?;
            }
            0xB2 => {
                let mut value = 0u32;
                let mut shift = 0;
                loop {
                    let b = next()?;
                    value |= u32::from(b & 0x7F).checked_shl(shift).unwrap_or(0);
                    shift += 7;
                    if b & 0x80 == 0 {
                        break;
                    }
                }
                vsp = vsp.wrapping_add(0x204).wrapping_add(value << 2);
            }
            // VFP registers popped: only vsp matters here.
            0xB3 | 0xC8 | 0xC9 => {
                let count = u32::from(next()? & 0xF) + 1;
                vsp = vsp.wrapping_add(8 * count + if op == 0xB3 { 4 } else { 0 });
            }
            0xB8..=0xBF => vsp = vsp.wrapping_add(8 * (u32::from(op & 7) + 1) + 4),
            0xD0..=0xD7 => vsp = vsp.wrapping_add(8 * (u32::from(op & 7) + 1)),
            _ => return Err(format!("unwind instruction 0x{op:02x} is not understood")),
        }
    }
    caller[13] = Some(vsp);
    if !pc_set {
        caller[15] = caller[14];
    }
    Ok(Unwound::Caller(caller))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prel31_offsets() {
        assert_eq!(prel31(0x7FFF_FFFC, 0x1000), 0xFFC);
        assert_eq!(prel31(0x0000_0010, 0x1000), 0x1010);
    }
}
