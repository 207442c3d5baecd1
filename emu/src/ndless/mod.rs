//! Ndless programs without TI-OS: the emulator loads a `.tns` program itself ([`program`]),
//! builds the world TI-OS with Ndless gives it ([`boot`]), and answers its OS calls in Rust, as
//! it answers semihosting.
//!
//! A program reaches TI-OS with `swi #n` (ARM: a 24-bit comment; Thumb: 8 bits), arguments and
//! results as the AAPCS has them (r0-r3, then the caller's stack; r0, or r0:r1 for 64 bits).
//! Bits 21-23 of `n` say what kind of call it is: 0 an OS call (index into TI-OS's table,
//! numbered as the Ndless SDK's public-domain `syscall-list.h`), 0x200000 an Ndless extension
//! (`nl_*`), 0x400000 an emulator hook, 0x800000 an OS variable (the call returns its address).
//! The emulator's own code (the return from `main`, handlers, `lcd_blit`) uses the kind that
//! Ndless leaves free, 0xE00000. A call the emulator does not answer ends the run, naming it.

pub mod boot;
mod dialogs;
mod dirs;
mod documents;
mod exec;
mod files;
mod format;
mod gc;
pub(crate) mod heap;
mod layout;
mod memory;
mod names;
mod os;
mod printf;
pub mod program;
mod scan;
mod screen;
mod stdio;
mod stdlib;
mod strings;
mod ti_string;
mod touchpad;

use std::io::Write;

use crate::cpu::Exception;
use crate::guest::{GuestMemory, MemoryError};
use heap::Heap;

/// The kinds of call, by bits 21-23 of the SWI's comment.
const KIND_MASK: u32 = 0xE0_0000;
const KIND_OS: u32 = 0;
const KIND_EXTENSION: u32 = 0x20_0000;
const KIND_EMULATOR_HOOK: u32 = 0x40_0000;
const KIND_VARIABLE: u32 = 0x80_0000;
/// The emulator's own calls, from its code page.
const KIND_PRIVATE: u32 = 0xE0_0000;

/// An OS call as the CPU stopped for it.
#[derive(Clone, Copy, Debug)]
pub struct Call {
    /// The SWI's comment field.
    pub number: u32,
    /// r0-r3.
    pub args: [u32; 4],
    /// The caller's stack pointer (arguments past the fourth are there).
    pub sp: u32,
    /// The caller's CPSR.
    pub cpsr: u32,
    /// The caller's link register.
    pub lr: u32,
    /// The address of the SWI.
    pub pc: u32,
    /// r0-r15 as the call found them (r15: where the caller goes on, after the SWI).
    pub regs: [u32; 16],
}

#[cfg(test)]
impl Call {
    /// A call as the tests make one: these arguments and stack, the rest zero.
    pub fn with(number: u32, args: [u32; 4], sp: u32) -> Call {
        Call {
            number,
            args,
            sp,
            cpsr: 0,
            lr: 0,
            pc: 0,
            regs: [0; 16],
        }
    }
}

/// How the emulator answers a call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Answer {
    /// The result, in r0.
    Value(u32),
    /// A 64-bit result, in r0 (low) and r1 (high).
    Pair(u32, u32),
    /// A result, and the caller's new CPSR (`TCT_Local_Control_Interrupts`).
    ValueAndCpsr(u32, u32),
    /// The program's `main` returned this.
    Exit(i32),
    /// The program took an exception it has no handler for, at this address.
    Crash(Exception, u32),
    /// A call the emulator does not answer.
    Unsupported,
    /// An argument pointed at memory the program does not have.
    BadPointer,
    /// Go on with these r0-r15 and this CPSR: into a program `nl_exec` runs, and back.
    Switch { regs: [u32; 16], cpsr: u32 },
}

/// The name of call `number`, for a person: `malloc`, `nl_hwtype`, `OS variable 72`.
pub fn call_name(number: u32) -> String {
    let index = number & !KIND_MASK;
    match number & KIND_MASK {
        KIND_OS => match names::OS_CALLS.get(index as usize).copied().flatten() {
            Some(name) => format!("{name} (OS call {index})"),
            None => format!("OS call {index}"),
        },
        KIND_EXTENSION => match os::EXTENSIONS.get(index as usize) {
            Some(name) => format!("{name} (Ndless extension {index})"),
            None => format!("Ndless extension {index}"),
        },
        KIND_VARIABLE => format!("OS variable {index}"),
        KIND_EMULATOR_HOOK => format!("emulator hook {index}"),
        KIND_PRIVATE => boot::private_name(index),
        _ => format!("call {number:#x}"),
    }
}

/// The service: what the program's calls need of the host.
pub struct Ndless {
    heap: Heap,
    /// Whether the program is a PRG (which relocates its data itself) and where it was loaded.
    prg_base: Option<u32>,
    stdout: Box<dyn Write>,
    stderr: Box<dyn Write>,
    documents: documents::Documents,
    /// The button message boxes are answered with, from 1 (`--msgbox-answer`).
    msgbox_answer: u32,
    /// The programs `nl_exec` is running, innermost last.
    execs: Vec<exec::Frame>,
    /// The running program asked that its caller's screen not be put back (`nl_no_scr_redraw`).
    no_scr_redraw: bool,
}

impl Ndless {
    /// A service whose program's standard output and error go to these (its heap is set when
    /// the program starts: [`boot::start`]).
    pub fn new(stdout: Box<dyn Write>, stderr: Box<dyn Write>) -> Ndless {
        Ndless {
            heap: Heap { start: 0, end: 0 },
            prg_base: None,
            stdout,
            stderr,
            documents: documents::Documents::default(),
            msgbox_answer: 1,
            execs: Vec::new(),
            no_scr_redraw: false,
        }
    }

    /// The service with `/documents` the host folder `dir` (without one, the program sees an
    /// empty `/documents` that refuses writes; see also [`Ndless::with_scratch_documents`]).
    pub fn with_documents(mut self, dir: &std::path::Path) -> Result<Ndless, String> {
        self.documents = documents::Documents::new(Some(documents::Documents::host_folder(dir)?));
        Ok(self)
    }

    /// The service with `/documents` holding only the program file `program`, read-only (a
    /// copy in a temporary folder of the run's own, removed with the service).
    pub fn with_scratch_documents(mut self, program: &std::path::Path) -> Result<Ndless, String> {
        self.documents = documents::Documents::scratch(program)?;
        Ok(self)
    }

    /// Answers message boxes with button `button` (1 the first; a box with fewer buttons is
    /// answered with its last), as if a person had pressed it.
    pub fn set_msgbox_answer(&mut self, button: u32) {
        self.msgbox_answer = button.max(1);
    }

    /// Answers a call, reading and writing guest memory through `mem`.
    pub fn call(&mut self, call: &Call, mem: &mut dyn GuestMemory) -> Answer {
        let index = call.number & !KIND_MASK;
        let answer = match call.number & KIND_MASK {
            KIND_OS => os::call(self, index, call, mem),
            KIND_EXTENSION => os::extension(self, index, call, mem),
            KIND_VARIABLE => Ok(os::variable(index)),
            KIND_PRIVATE if index == boot::EXEC_RETURN => exec::finish(self, call.args[0], mem),
            KIND_PRIVATE => Ok(boot::private(index, call, mem)),
            // Ndless's hooks for Firebird's debugger: nothing to do.
            KIND_EMULATOR_HOOK => Ok(Answer::Value(0)),
            _ => Ok(Answer::Unsupported),
        };
        answer.unwrap_or(Answer::BadPointer)
    }
}

/// Reads the NUL-terminated string at `addr` (at most 64 KiB).
fn string(mem: &mut dyn GuestMemory, addr: u32) -> Result<Vec<u8>, MemoryError> {
    mem.read_cstring(addr, 0x1_0000)
}

/// The string at `addr`, of at most `max` bytes (no NUL needed within them).
fn string_max(mem: &mut dyn GuestMemory, addr: u32, max: u32) -> Result<Vec<u8>, MemoryError> {
    let mut out = Vec::new();
    let mut at = addr;
    while out.len() < max as usize {
        let mut byte = [0];
        mem.read_bytes(at, &mut byte)?;
        if byte[0] == 0 {
            break;
        }
        out.push(byte[0]);
        at = at.wrapping_add(1);
    }
    Ok(out)
}

/// Argument `n` (from 0) of a call: r0-r3, then the caller's stack.
fn argument(mem: &mut dyn GuestMemory, call: &Call, n: u32) -> Result<u32, MemoryError> {
    match n {
        0..=3 => Ok(call.args[n as usize]),
        _ => mem.read_u32(call.sp.wrapping_add(4 * (n - 4))),
    }
}

/// The NUL-terminated UTF-16LE string at `addr`, without its terminator.
fn utf16(mem: &mut dyn GuestMemory, addr: u32) -> Result<Vec<u16>, MemoryError> {
    let mut units = Vec::new();
    loop {
        if units.len() as u32 >= UTF16_MAX {
            return Err(MemoryError);
        }
        let at = addr.wrapping_add(2 * units.len() as u32);
        let unit = u16::from_le_bytes(read(mem, at, 2)?.try_into().unwrap_or_default());
        if unit == 0 {
            return Ok(units);
        }
        units.push(unit);
    }
}

/// The longest UTF-16 string read, in code units.
const UTF16_MAX: u32 = 0x1_0000;

/// `len` bytes of guest memory at `addr` (at most 64 MiB: more than memory holds).
fn read(mem: &mut dyn GuestMemory, addr: u32, len: u32) -> Result<Vec<u8>, MemoryError> {
    if len > 64 << 20 {
        return Err(MemoryError);
    }
    let mut bytes = vec![0; len as usize];
    mem.read_bytes(addr, &mut bytes)?;
    Ok(bytes)
}

/// Sets `len` bytes at `addr` to `value`.
fn fill(mem: &mut dyn GuestMemory, addr: u32, value: u8, len: u32) -> Result<(), MemoryError> {
    if len > 64 << 20 {
        return Err(MemoryError);
    }
    mem.write_bytes(addr, &vec![value; len as usize])
}

/// `memcmp`'s sign, as the C library gives it: the difference of the first differing bytes.
fn compare(x: &[u8], y: &[u8]) -> u32 {
    x.iter()
        .zip(y)
        .find(|(a, b)| a != b)
        .map_or(0, |(&a, &b)| (i32::from(a) - i32::from(b)) as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calls_are_named_by_kind_and_number() {
        assert_eq!(call_name(5), "malloc (OS call 5)");
        assert_eq!(call_name(0x20_0002), "nl_hwtype (Ndless extension 2)");
        assert_eq!(call_name(0x80_0048), "OS variable 72");
        assert_eq!(call_name(9999), "OS call 9999");
        assert_eq!(
            call_name(0xE0_0012),
            "nl_lcd_blit's function for buffer type 2"
        );
    }
}
