//! The standard streams: `puts`. The calls on a FILE (`fwrite`, `fputc`, `fflush`... on stdout
//! and stderr too, whose FILE blocks are the OS variables 72 and 73) are [`super::files`]'s;
//! [`super::files::write`] writes to any FILE.

use std::io::Write;

use super::{string, Answer, Call, Ndless};
use crate::guest::{GuestMemory, MemoryError};

const PUTS: u32 = 22;

/// The OS calls answered here.
pub const NUMBERS: &[u32] = &[PUTS];

/// Answers OS call `index`, one of [`NUMBERS`]. What cannot be written (a closed stdout) is
/// dropped: it must not stop the program.
pub fn call(
    ndless: &mut Ndless,
    index: u32,
    call: &Call,
    mem: &mut dyn GuestMemory,
) -> Result<Answer, MemoryError> {
    let value = match index {
        PUTS => {
            let mut text = string(mem, call.args[0])?;
            text.push(b'\n');
            let _ = ndless.stdout.write_all(&text);
            let _ = ndless.stdout.flush();
            1
        }
        _ => return Ok(Answer::Unsupported),
    };
    Ok(Answer::Value(value))
}
