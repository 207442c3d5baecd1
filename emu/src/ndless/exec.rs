//! `nl_exec(path, argsn, args)`: a program runs another, as Ndless's `ld_exec_with_args` does.
//! The file is read from `/documents`, loaded into a heap block and relocated there, and its
//! entry called with `argv[0]` the path as given and the `argsn` arguments after it, IRQ and
//! FIQ masked, on the caller's stack. When it returns (to the code page's `exec return`), the
//! caller's registers and CPSR come back, the screen as it was before is put back (unless the
//! program called `nl_no_scr_redraw`), the blocks are freed, and `nl_exec` returns what the
//! program's entry returned. A file that is missing or not a program gives 0xDEAD, as Ndless.

use super::documents::Node;
use super::program::{self, Program};
use super::{boot, string, Answer, Call, Ndless};
use crate::bus::{Bus, Size};
use crate::cpu::psr;
use crate::guest::{DeviceWrite, GuestMemory, MemoryError};

/// What `nl_exec` returns when it cannot run the program (Ndless's value).
pub const CANNOT_RUN: u32 = 0xDEAD;
/// How deep programs may run programs: enough for any menu of menus, and a bound on a
/// program that runs itself.
const MAX_DEPTH: usize = 16;
/// The bytes of the screen Ndless saves: 320x240 at 16 bits a pixel.
const SCREEN_BYTES: usize = 320 * 240 * 2;
/// The PL111's upper panel base register, which says where the screen is (physical).
const LCD_UPPER_BASE: u32 = 0xC000_0010;

/// What a running `nl_exec` must put back when its program returns.
pub struct Frame {
    /// The caller's r0-r15 (r15: where it goes on, after its `swi`) and CPSR.
    regs: [u32; 16],
    cpsr: u32,
    /// The heap blocks of the program and of its `argv`.
    image: u32,
    argv: u32,
    /// The screen as it was, and its physical address (Ndless keeps a copy in its heap).
    screen: Option<(u32, Vec<u8>)>,
    /// The caller's `prg_base` (a PRG relocates its own data by it).
    prg_base: Option<u32>,
}

/// `nl_exec`: starts the program, or answers 0xDEAD.
pub fn start(
    ndless: &mut Ndless,
    call: &Call,
    mem: &mut dyn GuestMemory,
) -> Result<Answer, MemoryError> {
    let [path, argsn, args, _] = call.args;
    if ndless.execs.len() >= MAX_DEPTH || argsn > 0x1000 {
        return Ok(Answer::Value(CANNOT_RUN));
    }
    let path = string(mem, path)?;
    let shown = String::from_utf8_lossy(&path).into_owned();
    let program = match load(ndless, &path) {
        Ok(program) => program,
        Err(why) => {
            log::warn!("nl_exec: {shown}: {why}");
            return Ok(Answer::Value(CANNOT_RUN));
        }
    };
    let heap = ndless.heap;
    let image = heap.alloc(mem, program.size())?;
    // argv: the path, the arguments, NULL; then the path's characters.
    let argc = argsn + 1;
    let argv = heap.alloc(mem, 4 * (argc + 1) + path.len() as u32 + 1)?;
    if image == 0 || argv == 0 {
        for block in [image, argv] {
            heap.free(mem, block)?;
        }
        log::warn!("nl_exec: {shown}: the heap has no room for it");
        return Ok(Answer::Value(CANNOT_RUN));
    }
    mem.write_bytes(image, &program.relocated(image))?;
    let text = argv + 4 * (argc + 1);
    let mut words = vec![text];
    for i in 0..argsn {
        words.push(mem.read_u32(args.wrapping_add(4 * i))?);
    }
    words.push(0);
    let bytes: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
    mem.write_bytes(argv, &bytes)?;
    mem.write_bytes(text, &[path.as_slice(), &[0]].concat())?;
    let screen = mem.board().and_then(|board| {
        let at = board.peek(LCD_UPPER_BASE, Size::Word)?;
        let mut pixels = vec![0; SCREEN_BYTES];
        board.read_ram(at, &mut pixels).then_some((at, pixels))
    });

    ndless.execs.push(Frame {
        regs: call.regs,
        cpsr: call.cpsr,
        image,
        argv,
        screen,
        prg_base: ndless.prg_base,
    });
    ndless.prg_base = program.prg.then_some(image);
    ndless.no_scr_redraw = false;
    let entry = image.wrapping_add(program.entry);
    let mut next = call.regs;
    next[0] = argc;
    next[1] = argv;
    next[14] = boot::exec_return();
    next[15] = entry & !1;
    let thumb = if entry & 1 != 0 { psr::T } else { 0 };
    let cpsr = (call.cpsr & !psr::T) | psr::I | psr::F | thumb;
    Ok(Answer::Switch { regs: next, cpsr })
}

/// The program `nl_exec` ran returned `status`: back to its caller.
pub fn finish(
    ndless: &mut Ndless,
    status: u32,
    mem: &mut dyn GuestMemory,
) -> Result<Answer, MemoryError> {
    let Some(frame) = ndless.execs.pop() else {
        return Ok(Answer::Unsupported);
    };
    ndless.prg_base = frame.prg_base;
    if let (Some((at, pixels)), false) = (frame.screen, ndless.no_scr_redraw) {
        // A screen that was read back can be written back.
        let _ = mem.write_device(&DeviceWrite::Ram(at, pixels));
    }
    ndless.no_scr_redraw = false;
    // A program that broke the heap broke its caller's too; the blocks are then left.
    for block in [frame.argv, frame.image] {
        if ndless.heap.free(mem, block).is_err() {
            log::debug!("nl_exec: the block at {block:#x} is no longer a heap block in use");
        }
    }
    let mut regs = frame.regs;
    regs[0] = status;
    Ok(Answer::Switch {
        regs,
        cpsr: frame.cpsr,
    })
}

/// The program at `path` in `/documents`, read and checked.
fn load(ndless: &Ndless, path: &[u8]) -> Result<Program, String> {
    let node = ndless
        .documents
        .node(path)
        .map_err(|errno| format!("errno {}", errno.0))?;
    let Node::Host(host) = node else {
        return Err("no such file".to_string());
    };
    let metadata = std::fs::metadata(&host).map_err(|e| e.to_string())?;
    if !metadata.is_file() {
        return Err("not a file".to_string());
    }
    // A program larger than the CX's memory cannot be one.
    if metadata.len() > 64 << 20 {
        return Err("larger than memory".to_string());
    }
    let bytes = std::fs::read(&host).map_err(|e| e.to_string())?;
    program::parse(&bytes)
}
