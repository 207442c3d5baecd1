//! `bt`: the call stack from the frame pointer chain and LR.
//!
//! Without debug information this is a heuristic. A saved return address is believed only if
//! the instruction before it is a call (BL or BLX, ARM or Thumb), and frames must go up the
//! stack. Frame layouts tried at each frame pointer, in order:
//! - APCS (`-mapcs-frame`): `mov ip, sp; stmdb sp!, {..., fp, ip, lr, pc}; sub fp, ip, #4`, so
//!   fp points at the saved pc, with lr at fp-4 and the caller's fp at fp-12;
//! - AAPCS as GCC builds ARM code with a frame pointer: `push {fp, lr}; add fp, sp, #4`, so fp
//!   points at the saved lr, with the caller's fp at fp-4;
//! - Thumb (r7 as frame pointer): `push {r7, lr}; add r7, sp, #0`, so r7 points at the caller's
//!   r7, with lr above it.

use super::memory;
use super::parse::Args;
use crate::bus::Size;
use crate::machine::Machine;

/// At most this many frames are followed.
const MAX_FRAMES: usize = 64;

fn word(machine: &Machine, addr: u32) -> Option<u32> {
    if !addr.is_multiple_of(4) {
        return None;
    }
    memory::read(machine, addr, Size::Word, false).ok()
}

/// Whether `lr` (bit 0 set for a Thumb caller) is the return address of a call: the
/// instruction before it is BL or BLX.
fn after_call(machine: &Machine, lr: u32) -> bool {
    let half = |addr: u32| memory::read(machine, addr, Size::Half, false).ok();
    if lr & 1 != 0 {
        let ret = lr & !1;
        let pair = half(ret.wrapping_sub(4)).is_some_and(|h| h & 0xF800 == 0xF000)
            && half(ret.wrapping_sub(2)).is_some_and(|h| h & 0xE800 == 0xE800);
        let blx_register = half(ret.wrapping_sub(2)).is_some_and(|h| h & 0xFF87 == 0x4780);
        pair || blx_register
    } else {
        word(machine, lr.wrapping_sub(4)).is_some_and(|w| {
            let cond = w >> 28;
            (cond != 0xF && (w >> 24) & 0xF == 0xB)
                || w >> 25 == 0b111_1101
                || (cond != 0xF && w & 0x0FFF_FFF0 == 0x012F_FF30)
        })
    }
}

/// Whether the word at `saved_pc - 12` or `- 8` is an APCS prologue's
/// `stmdb sp!, {..., fp, ip, lr, pc}`.
fn apcs_frame(machine: &Machine, saved_pc: u32) -> bool {
    [12, 8].iter().any(|back| {
        word(machine, saved_pc.wrapping_sub(*back)).is_some_and(|w| w & 0xFFFF_D800 == 0xE92D_D800)
    })
}

/// The return addresses (with bit 0 as saved) the frame chain from `fp` holds.
fn chain(machine: &Machine, mut fp: u32, sp: u32) -> Vec<u32> {
    let mut frames = Vec::new();
    while frames.len() < MAX_FRAMES && fp != 0 && fp >= sp {
        let apcs = word(machine, fp).is_some_and(|saved| apcs_frame(machine, saved));
        let layouts = [
            (apcs, fp.wrapping_sub(4), fp.wrapping_sub(12)),
            (true, fp, fp.wrapping_sub(4)),
            (true, fp.wrapping_add(4), fp),
        ];
        let found = layouts.iter().find_map(|&(possible, lr_at, fp_at)| {
            let lr = word(machine, lr_at).filter(|_| possible)?;
            after_call(machine, lr).then_some((lr, word(machine, fp_at)))
        });
        let Some((lr, next)) = found else {
            break;
        };
        frames.push(lr);
        match next {
            Some(next) if next > fp => fp = next,
            _ => break,
        }
    }
    frames
}

/// `bt`.
pub(super) fn backtrace(machine: &Machine, args: Args) -> Result<String, String> {
    args.finish()?;
    let cpu = &machine.cpu;
    let thumb = cpu.is_thumb();
    let fp = cpu.reg(if thumb { 7 } else { 11 });
    let lr = cpu.reg(14);
    let saved = chain(machine, fp, cpu.reg(13));
    let mut frames = vec![(cpu.pc(), thumb, "pc")];
    if lr != 0 && saved.first() != Some(&lr) && (saved.is_empty() || after_call(machine, lr)) {
        frames.push((lr & !1, lr & 1 != 0, "lr"));
    }
    frames.extend(saved.iter().map(|&r| (r & !1, r & 1 != 0, "frame")));
    let mut out = String::new();
    for (i, (addr, thumb, source)) in frames.into_iter().enumerate() {
        let (text, _) = memory::line(machine, addr, thumb);
        out.push_str(&format!("#{i:<2} {source:<5} {text}\n"));
    }
    Ok(out)
}
