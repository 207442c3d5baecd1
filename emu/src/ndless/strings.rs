//! The OS's C string calls.

use super::{compare, string, string_max, Answer, Call, Ndless};
use crate::guest::{GuestMemory, MemoryError};

const STRCMP: u32 = 26;
const STRCPY: u32 = 27;
const STRNCAT: u32 = 28;
const STRLEN: u32 = 29;
const STRRCHR: u32 = 31;
const STRNCPY: u32 = 37;
const STRCHR: u32 = 57;
const STRNCMP: u32 = 58;
const STRCAT: u32 = 67;
const STRSTR: u32 = 68;

/// The OS calls answered here.
pub const NUMBERS: &[u32] = &[
    STRCMP, STRCPY, STRNCAT, STRLEN, STRRCHR, STRNCPY, STRCHR, STRNCMP, STRCAT, STRSTR,
];

/// Answers OS call `index`, one of [`NUMBERS`].
pub fn call(
    _: &mut Ndless,
    index: u32,
    call: &Call,
    mem: &mut dyn GuestMemory,
) -> Result<Answer, MemoryError> {
    let [a, b, c, _] = call.args;
    let value = match index {
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
            // The terminating NUL is part of the string searched.
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

/// `strcmp` over strings without their NULs: a shorter prefix compares below.
fn compare_strings(x: &[u8], y: &[u8]) -> u32 {
    let mut x = x.to_vec();
    let mut y = y.to_vec();
    x.push(0);
    y.push(0);
    compare(&x, &y)
}
