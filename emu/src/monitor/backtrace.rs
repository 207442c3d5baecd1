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
use crate::symbols::Unwound;

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

/// One frame of the listing: its pc, whether it runs Thumb code, and how it was found.
struct Frame {
    pc: u32,
    thumb: bool,
    source: &'static str,
}

/// Unwinds one frame by the tables the image has: the DWARF call frame information
/// (`.debug_frame`), else the exception-handling index (`.ARM.exidx`); which one did it.
fn unwind_one(
    machine: &Machine,
    addr: u32,
    regs: &[Option<u32>; 16],
) -> (Result<Unwound, String>, &'static str) {
    let read = |addr: u32| word(machine, addr);
    let symbols = &machine.symbols;
    if let Some(cfi) = symbols.frames() {
        match cfi.unwind(addr, regs, &read) {
            Ok(Unwound::NoInfo) => {}
            other => return (other, "cfi"),
        }
    }
    let by_index = symbols.unwind_by_index(addr, regs, &read);
    (by_index.unwrap_or(Ok(Unwound::NoInfo)), "exidx")
}

/// The frames the unwinding tables unwind from the current registers, then why it stopped:
/// `None` at the outermost frame (a return address of 0), else the reason and the registers of
/// the last frame, from which the frame pointer chain may go on.
fn unwind_tables(
    machine: &Machine,
    frames: &mut Vec<Frame>,
) -> Option<(String, [Option<u32>; 16])> {
    let cpu = &machine.cpu;
    let mut regs: [Option<u32>; 16] = std::array::from_fn(|n| Some(cpu.reg(n)));
    if !has_tables(machine) {
        return Some((
            "no call frame information (.debug_frame) or unwind index (.ARM.exidx)".to_string(),
            regs,
        ));
    }
    while frames.len() < MAX_FRAMES {
        let Some(pc) = regs[15] else {
            return Some(("the return address is unknown".to_string(), regs));
        };
        // A caller's pc is a return address: the call is the instruction before it (which
        // matters where a call to a function that does not return ends a function).
        let inside = if frames.len() == 1 {
            pc
        } else {
            pc.wrapping_sub(1)
        };
        let (unwound, source) = unwind_one(machine, inside, &regs);
        match unwound {
            Ok(Unwound::Caller(caller)) => {
                let (Some(ret), Some(sp)) = (caller[15], caller[13]) else {
                    return Some(("the return address is unknown".to_string(), regs));
                };
                if ret & !1 == 0 {
                    return None;
                }
                let sp_now = regs[13].unwrap_or(0);
                if sp < sp_now || (ret & !1 == pc && sp == sp_now) {
                    return Some(("the frames do not go up the stack".to_string(), regs));
                }
                frames.push(Frame {
                    pc: ret & !1,
                    thumb: ret & 1 != 0,
                    source,
                });
                regs = caller;
                regs[15] = Some(ret & !1);
            }
            Ok(Unwound::NoInfo) => {
                return Some((
                    format!(
                        "no unwinding information for {}",
                        memory::addr_text(machine, pc)
                    ),
                    regs,
                ));
            }
            Err(e) => return Some((e, regs)),
        }
    }
    None
}

/// Whether the image has tables to unwind by.
fn has_tables(machine: &Machine) -> bool {
    machine.symbols.frames().is_some() || machine.symbols.has_unwind_index()
}

/// `bt`.
pub(super) fn backtrace(machine: &Machine, args: Args) -> Result<String, String> {
    args.finish()?;
    let cpu = &machine.cpu;
    let thumb = cpu.is_thumb();
    let mut frames = vec![Frame {
        pc: cpu.pc(),
        thumb,
        source: "pc",
    }];
    let mut note = None;
    if let Some((why, regs)) = unwind_tables(machine, &mut frames) {
        // Where the call frame information ends, the frame pointer chain and LR go on from
        // the registers of the last frame it found.
        let last_thumb = frames.last().is_some_and(|f| f.thumb);
        let fp = regs[if last_thumb { 7 } else { 11 }].unwrap_or(0);
        let sp = regs[13].unwrap_or(0);
        let saved = chain(machine, fp, sp);
        let before = frames.len();
        if frames.len() == 1 {
            let lr = cpu.reg(14);
            if lr != 0
                && saved.first() != Some(&lr)
                && (saved.is_empty() || after_call(machine, lr))
            {
                frames.push(Frame {
                    pc: lr & !1,
                    thumb: lr & 1 != 0,
                    source: "lr",
                });
            }
        }
        frames.extend(saved.iter().map(|&r| Frame {
            pc: r & !1,
            thumb: r & 1 != 0,
            source: "frame",
        }));
        if has_tables(machine) || frames.len() == before {
            note = Some(why);
        }
    }
    let mut out = String::new();
    for (i, frame) in frames.iter().enumerate() {
        let (text, _) = memory::line(machine, frame.pc, frame.thumb);
        let at = memory::source_text(machine, frame.pc);
        out.push_str(&format!("#{i:<2} {:<5} {text}{at}\n", frame.source));
    }
    if let Some(why) = note {
        out.push_str(&format!("(the unwinding stops here: {why})\n"));
    }
    Ok(out)
}
