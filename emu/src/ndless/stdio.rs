//! The standard streams: `puts`, and `fwrite`, `fputc`, `fflush` on stdout and stderr (whose
//! FILE blocks are the OS variables 72 and 73).

use std::io::Write;

use super::layout;
use super::{read, string, Answer, Call, Ndless};
use crate::guest::{GuestMemory, MemoryError};

const FWRITE: u32 = 2;
const PUTS: u32 = 22;
const FPUTC: u32 = 54;
const FFLUSH: u32 = 69;

/// The OS calls answered here.
pub const NUMBERS: &[u32] = &[FWRITE, PUTS, FPUTC, FFLUSH];

/// Where the stream whose FILE block is at `file` goes, if it is stdout or stderr.
pub fn output(ndless: &mut Ndless, file: u32) -> Option<&mut Box<dyn Write>> {
    if file == layout::STD_FILES + layout::FILE_SIZE {
        Some(&mut ndless.stdout)
    } else if file == layout::STD_FILES + 2 * layout::FILE_SIZE {
        Some(&mut ndless.stderr)
    } else {
        None
    }
}

/// Answers OS call `index`, one of [`NUMBERS`]. What cannot be written (a closed stdout) is
/// dropped: it must not stop the program.
pub fn call(
    ndless: &mut Ndless,
    index: u32,
    call: &Call,
    mem: &mut dyn GuestMemory,
) -> Result<Answer, MemoryError> {
    let [a, b, ..] = call.args;
    let value = match index {
        PUTS => {
            let mut text = string(mem, a)?;
            text.push(b'\n');
            let _ = ndless.stdout.write_all(&text);
            let _ = ndless.stdout.flush();
            1
        }
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
        _ => return Ok(Answer::Unsupported),
    };
    Ok(Answer::Value(value))
}
