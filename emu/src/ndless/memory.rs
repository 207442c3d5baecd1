//! The OS's memory calls: the `malloc` family over the program's heap ([`super::heap`]), and
//! `memset`, `memcpy`, `memmove`, `memcmp`.

use super::{compare, fill, read, Answer, Call, Ndless};
use crate::guest::{GuestMemory, MemoryError};

const MALLOC: u32 = 5;
const FREE: u32 = 6;
const MEMSET: u32 = 7;
const MEMCPY: u32 = 8;
const MEMCMP: u32 = 9;
const CALLOC: u32 = 49;
const REALLOC: u32 = 50;
const MEMMOVE: u32 = 55;

/// The OS calls answered here.
pub const NUMBERS: &[u32] = &[
    MALLOC, FREE, MEMSET, MEMCPY, MEMCMP, CALLOC, REALLOC, MEMMOVE,
];

/// Answers OS call `index`, one of [`NUMBERS`].
pub fn call(
    ndless: &mut Ndless,
    index: u32,
    call: &Call,
    mem: &mut dyn GuestMemory,
) -> Result<Answer, MemoryError> {
    let [a, b, c, _] = call.args;
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
        // Read whole, then written: overlapping ranges copy as memmove does.
        MEMCPY | MEMMOVE => {
            let bytes = read(mem, b, c)?;
            mem.write_bytes(a, &bytes)?;
            a
        }
        MEMCMP => compare(&read(mem, a, c)?, &read(mem, b, c)?),
        _ => return Ok(Answer::Unsupported),
    };
    Ok(Answer::Value(value))
}
