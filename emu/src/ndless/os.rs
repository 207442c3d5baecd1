//! The OS calls, Ndless extensions and OS variables the emulator answers.
//!
//! Values that present the machine: a CX (`nl_hwtype` 1, `nl_hwsubtype` 0), a touchpad keypad
//! (`keypad_type` 4), on TI-OS 4.5.4 (`nl_osid` 37, Ndless's number for the non-CAS CX's 4.5.4),
//! with Ndless revision 2022.

use super::layout;
use super::{string, Answer, Call, Ndless};
use crate::guest::{GuestMemory, MemoryError};

/// The Ndless extensions, by index (the SDK's `syscall-list.h`).
pub const EXTENSIONS: [&str; 16] = [
    "nl_osvalue",
    "nl_relocdatab",
    "nl_hwtype",
    "nl_isstartup",
    "nl_lua_getstate",
    "nl_set_resident",
    "nl_ndless_rev",
    "nl_no_scr_redraw",
    "nl_loaded_by_3rd_party_loader",
    "nl_hwsubtype",
    "nl_exec",
    "nl_osid",
    "_nl_hassyscall",
    "nl_lcd_blit",
    "nl_lcd_type",
    "nl_lcd_init",
];

/// `nl_hwtype`: 1 for the CX family.
const HWTYPE_CX: u32 = 1;
/// `nl_osid`: TI-OS 4.5.4 on a non-CAS CX, in Ndless's numbering of the OSes it supports.
const OSID_CX_4_5_4: u32 = 37;
/// `nl_ndless_rev`.
const NDLESS_REVISION: u32 = 2022;

// OS variables (`__SYSCALLS_ISVAR` | index).
const VAR_KEYPAD_TYPE: u32 = 59;
const VAR_STDIN: u32 = 71;
const VAR_STDOUT: u32 = 72;
const VAR_STDERR: u32 = 73;

/// The address of an OS variable; 0 for one the emulator does not have.
pub fn variable(index: u32) -> Answer {
    Answer::Value(match index {
        VAR_KEYPAD_TYPE => layout::KEYPAD_TYPE,
        VAR_STDIN => layout::STD_FILES,
        VAR_STDOUT => layout::STD_FILES + layout::FILE_SIZE,
        VAR_STDERR => layout::STD_FILES + 2 * layout::FILE_SIZE,
        _ => return Answer::Unsupported,
    })
}

/// An Ndless extension.
pub fn extension(index: u32, call: &Call) -> Result<Answer, MemoryError> {
    let value = match EXTENSIONS.get(index as usize).copied() {
        Some("nl_hwtype") => HWTYPE_CX,
        Some("nl_hwsubtype") => 0,
        Some("nl_osid") => OSID_CX_4_5_4,
        Some("nl_ndless_rev") => NDLESS_REVISION,
        // Not started at boot, not by another loader; nothing for the OS to redraw.
        Some("nl_isstartup" | "nl_loaded_by_3rd_party_loader" | "nl_no_scr_redraw") => 0,
        // Whether a call exists: the ones answered below.
        Some("_nl_hassyscall") => u32::from(answers(call.args[0])),
        _ => return Ok(Answer::Unsupported),
    };
    Ok(Answer::Value(value))
}

/// Whether the emulator answers OS call `number` (for `_nl_hassyscall`).
fn answers(number: u32) -> bool {
    ANSWERED.contains(&number)
}

// OS call numbers (the SDK's `syscall-list.h`).
const FWRITE: u32 = 2;
const MALLOC: u32 = 5;
const FREE: u32 = 6;
const MEMSET: u32 = 7;
const MEMCPY: u32 = 8;
const MEMCMP: u32 = 9;
const TCT_LOCAL_CONTROL_INTERRUPTS: u32 = 14;
const PUTS: u32 = 22;
const STRCMP: u32 = 26;
const STRCPY: u32 = 27;
const STRNCAT: u32 = 28;
const STRLEN: u32 = 29;
const STRRCHR: u32 = 31;
const STRNCPY: u32 = 37;
const CALLOC: u32 = 49;
const REALLOC: u32 = 50;
const MEMMOVE: u32 = 55;
const STRCHR: u32 = 57;
const STRNCMP: u32 = 58;
const FPUTC: u32 = 54;
const ERRNO_ADDR: u32 = 61;
const FFLUSH: u32 = 69;
const STRCAT: u32 = 67;
const STRSTR: u32 = 68;

/// The OS calls answered.
const ANSWERED: [u32; 24] = [
    FWRITE,
    MALLOC,
    FREE,
    MEMSET,
    MEMCPY,
    MEMCMP,
    TCT_LOCAL_CONTROL_INTERRUPTS,
    PUTS,
    STRCMP,
    STRCPY,
    STRNCAT,
    STRLEN,
    STRRCHR,
    STRNCPY,
    CALLOC,
    REALLOC,
    MEMMOVE,
    STRCHR,
    STRNCMP,
    FPUTC,
    ERRNO_ADDR,
    FFLUSH,
    STRCAT,
    STRSTR,
];

/// Where the standard stream whose FILE block is at `file` goes, if it is stdout or stderr.
fn output(ndless: &mut Ndless, file: u32) -> Option<&mut Box<dyn std::io::Write>> {
    if file == layout::STD_FILES + layout::FILE_SIZE {
        Some(&mut ndless.stdout)
    } else if file == layout::STD_FILES + 2 * layout::FILE_SIZE {
        Some(&mut ndless.stderr)
    } else {
        None
    }
}

/// The interrupt mask bits of the CPSR (I and F) `TCT_Local_Control_Interrupts` sets.
const INTERRUPT_MASK: u32 = 0xC0;

/// A TI-OS call.
pub fn call(
    ndless: &mut Ndless,
    index: u32,
    call: &Call,
    mem: &mut dyn GuestMemory,
) -> Result<Answer, MemoryError> {
    let [a, b, c, _] = call.args;
    use std::io::Write as _;
    let value = match index {
        MALLOC => ndless.heap.alloc(mem, a)?,
        FREE => {
            ndless.heap.free(mem, a)?;
            0
        }
        CALLOC => {
            let Some(size) = a.checked_mul(b) else {
                return Ok(Answer::Value(0));
            };
            let ptr = ndless.heap.alloc(mem, size)?;
            if ptr != 0 {
                fill(mem, ptr, 0, size)?;
            }
            ptr
        }
        REALLOC => ndless.heap.realloc(mem, a, b)?,
        MEMSET => {
            fill(mem, a, b as u8, c)?;
            a
        }
        MEMCPY | MEMMOVE => {
            let bytes = read(mem, b, c)?;
            mem.write_bytes(a, &bytes)?;
            a
        }
        MEMCMP => {
            let (x, y) = (read(mem, a, c)?, read(mem, b, c)?);
            compare(&x, &y)
        }
        TCT_LOCAL_CONTROL_INTERRUPTS => {
            // The old mask is returned; the caller's I and F bits become the argument's.
            let old = call.cpsr & INTERRUPT_MASK;
            let cpsr = (call.cpsr & !INTERRUPT_MASK) | (a & INTERRUPT_MASK);
            return Ok(Answer::ValueAndCpsr(old, cpsr));
        }
        PUTS => {
            let mut text = string(mem, a)?;
            text.push(b'\n');
            // A closed stdout must not stop the program.
            let _ = ndless.stdout.write_all(&text);
            let _ = ndless.stdout.flush();
            1
        }
        ERRNO_ADDR => layout::ERRNO,
        FWRITE => {
            let [ptr, size, count, file] = call.args;
            let Some(len) = size.checked_mul(count) else {
                return Ok(Answer::Value(0));
            };
            let bytes = read(mem, ptr, len)?;
            let Some(stream) = output(ndless, file) else {
                return Ok(Answer::Unsupported);
            };
            let _ = stream.write_all(&bytes);
            count
        }
        FPUTC => {
            let Some(stream) = output(ndless, b) else {
                return Ok(Answer::Unsupported);
            };
            let _ = stream.write_all(&[a as u8]);
            a & 0xFF
        }
        FFLUSH => {
            if let Some(stream) = output(ndless, a) {
                let _ = stream.flush();
            }
            0
        }
        STRLEN => string(mem, a)?.len() as u32,
        STRCPY => {
            let mut s = string(mem, b)?;
            s.push(0);
            mem.write_bytes(a, &s)?;
            a
        }
        STRNCPY => {
            // Copies up to `n` bytes, padding with NULs after a shorter source.
            let mut s = string_max(mem, b, c)?;
            s.resize(c as usize, 0);
            mem.write_bytes(a, &s)?;
            a
        }
        STRCAT | STRNCAT => {
            let end = a + string(mem, a)?.len() as u32;
            let mut s = match index {
                STRCAT => string(mem, b)?,
                _ => string_max(mem, b, c)?,
            };
            s.push(0);
            mem.write_bytes(end, &s)?;
            a
        }
        STRCMP => compare_strings(&string(mem, a)?, &string(mem, b)?),
        STRNCMP => compare_strings(&string_max(mem, a, c)?, &string_max(mem, b, c)?),
        STRCHR | STRRCHR => {
            let s = string(mem, a)?;
            let wanted = b as u8;
            // The terminating NUL is part of the string to search.
            let found = match (wanted, index) {
                (0, _) => Some(s.len()),
                (_, STRCHR) => s.iter().position(|&x| x == wanted),
                _ => s.iter().rposition(|&x| x == wanted),
            };
            found.map_or(0, |at| a + at as u32)
        }
        STRSTR => {
            let (hay, needle) = (string(mem, a)?, string(mem, b)?);
            if needle.is_empty() {
                a
            } else {
                hay.windows(needle.len())
                    .position(|w| w == needle.as_slice())
                    .map_or(0, |at| a + at as u32)
            }
        }
        _ => return Ok(Answer::Unsupported),
    };
    Ok(Answer::Value(value))
}

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

/// `memcmp`'s sign, as the C library gives it: the difference of the first differing bytes.
fn compare(x: &[u8], y: &[u8]) -> u32 {
    x.iter()
        .zip(y)
        .find(|(a, b)| a != b)
        .map_or(0, |(&a, &b)| (i32::from(a) - i32::from(b)) as u32)
}

/// `strcmp` over strings without their NULs: a shorter prefix compares below.
fn compare_strings(x: &[u8], y: &[u8]) -> u32 {
    let mut x = x.to_vec();
    let mut y = y.to_vec();
    x.push(0);
    y.push(0);
    compare(&x, &y)
}
