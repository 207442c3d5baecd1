//! The OS's other C library calls, those that only compute: `<ctype.h>` in the C locale,
//! number conversions (`atoi`, `atof`, `strtol`, `strtoul`, `strtod`), `strtok`, `strpbrk`,
//! `strerror`, `rand` and `srand`, and TI-OS's own `memrev` and `read_unaligned_*` (its
//! UTF-16 helpers are [`super::dialogs`]'s). Answers are newlib's (what the SDK's C library answers; the tests hold newlib's
//! own, see `tools/printf-oracle/stdlib.c`), `errno` included, but where newlib 3.3 departs
//! from C: `strtol("0x", ..)` reads the "0" (newlib 3.3 reads nothing), and a base outside
//! 2-36 is EINVAL with nothing read.

use super::{layout, read, Answer, Call, Ndless};
use crate::guest::{GuestMemory, MemoryError};

const READ_UNALIGNED_LONGWORD: u32 = 35;
const READ_UNALIGNED_WORD: u32 = 36;
const ISALPHA: u32 = 38;
const ISASCII: u32 = 39;
const ISDIGIT: u32 = 40;
const ISLOWER: u32 = 41;
const ISPRINT: u32 = 42;
const ISSPACE: u32 = 43;
const ISUPPER: u32 = 44;
const ISXDIGIT: u32 = 45;
const TOLOWER: u32 = 46;
const ATOI: u32 = 47;
const ATOF: u32 = 48;
const STRPBRK: u32 = 51;
const MEMREV: u32 = 56;
const TOUPPER: u32 = 62;
const STRTOD: u32 = 63;
const STRTOL: u32 = 64;
const STRERROR: u32 = 66;
const STRTOK: u32 = 200;
const RAND: u32 = 206;
const SRAND: u32 = 207;
const STRTOUL: u32 = 208;

/// The OS calls answered here.
pub const NUMBERS: &[u32] = &[
    READ_UNALIGNED_LONGWORD,
    READ_UNALIGNED_WORD,
    ISALPHA,
    ISASCII,
    ISDIGIT,
    ISLOWER,
    ISPRINT,
    ISSPACE,
    ISUPPER,
    ISXDIGIT,
    TOLOWER,
    ATOI,
    ATOF,
    STRPBRK,
    MEMREV,
    TOUPPER,
    STRTOD,
    STRTOL,
    STRERROR,
    STRTOK,
    RAND,
    SRAND,
    STRTOUL,
];

// newlib's errno values.
const EINVAL: u32 = 22;
const ERANGE: u32 = 34;

// What these calls keep between calls, the C library's statics, in guest memory (cleared
// when a program starts).
/// Where `strtok` goes on (0: nowhere).
const STRTOK_NEXT: u32 = layout::LIBC_STATICS;
/// Whether `srand` was called (if not, `rand` starts as if `srand(1)` had been).
const RAND_SEEDED: u32 = layout::LIBC_STATICS + 4;
/// `rand`'s state, 64 bits.
const RAND_STATE: u32 = layout::LIBC_STATICS + 8;
/// `strerror`'s message: each call overwrites the last, as C allows.
const MESSAGE: u32 = layout::LIBC_STATICS + 16;
const MESSAGE_SIZE: usize = 48;

/// newlib's `rand`: a 64-bit linear congruential generator, its high word's low 31 bits.
fn rand(mem: &mut dyn GuestMemory) -> Result<u32, MemoryError> {
    let mut state = [0; 8];
    mem.read_bytes(RAND_STATE, &mut state)?;
    let state = match mem.read_u32(RAND_SEEDED)? {
        0 => 1,
        _ => u64::from_le_bytes(state),
    };
    let next = state
        .wrapping_mul(6_364_136_223_846_793_005)
        .wrapping_add(1);
    srand(mem, next)?;
    Ok((next >> 32) as u32 & 0x7FFF_FFFF)
}

fn srand(mem: &mut dyn GuestMemory, state: u64) -> Result<(), MemoryError> {
    mem.write_bytes(RAND_STATE, &state.to_le_bytes())?;
    mem.write_u32(RAND_SEEDED, 1)
}

/// Answers OS call `index`, one of [`NUMBERS`].
pub fn call(
    _: &mut Ndless,
    index: u32,
    call: &Call,
    mem: &mut dyn GuestMemory,
) -> Result<Answer, MemoryError> {
    let [a, b, c, _] = call.args;
    let value = match index {
        ISALPHA | ISASCII | ISDIGIT | ISLOWER | ISPRINT | ISSPACE | ISUPPER | ISXDIGIT => {
            u32::from(class(index, a))
        }
        TOLOWER => match u8::try_from(a) {
            Ok(byte) => u32::from(byte.to_ascii_lowercase()),
            Err(_) => a,
        },
        TOUPPER => match u8::try_from(a) {
            Ok(byte) => u32::from(byte.to_ascii_uppercase()),
            Err(_) => a,
        },
        ATOI => {
            let (value, _) = strtol(mem, a, 10, true)?;
            value
        }
        STRTOL | STRTOUL => {
            let (value, used) = strtol(mem, a, c as i32, index == STRTOL)?;
            if b != 0 {
                mem.write_u32(b, a.wrapping_add(used))?;
            }
            value
        }
        ATOF | STRTOD => {
            let (value, used) = strtod(mem, a)?;
            if index == STRTOD && b != 0 {
                mem.write_u32(b, a.wrapping_add(used))?;
            }
            return Ok(Answer::Pair(value as u32, (value >> 32) as u32));
        }
        STRPBRK => {
            let accept = super::string(mem, b)?;
            let mut text = Text::new(a);
            let mut i = 0;
            loop {
                match text.at(mem, i)? {
                    0 => break 0,
                    byte if accept.contains(&byte) => break a.wrapping_add(i as u32),
                    _ => i += 1,
                }
            }
        }
        STRTOK => strtok(mem, a, b)?,
        STRERROR => {
            let mut message = strerror(a).as_bytes().to_vec();
            message.resize(MESSAGE_SIZE, 0);
            mem.write_bytes(MESSAGE, &message)?;
            MESSAGE
        }
        RAND => rand(mem)?,
        SRAND => {
            srand(mem, u64::from(a))?;
            0
        }
        MEMREV => {
            let mut bytes = read(mem, a, b)?;
            bytes.reverse();
            mem.write_bytes(a, &bytes)?;
            a
        }
        READ_UNALIGNED_LONGWORD => mem.read_u32(a)?,
        READ_UNALIGNED_WORD => {
            let mut bytes = [0; 2];
            mem.read_bytes(a, &mut bytes)?;
            u32::from(u16::from_le_bytes(bytes))
        }
        _ => return Ok(Answer::Unsupported),
    };
    Ok(Answer::Value(value))
}

/// `isalpha`..`isxdigit` in the C locale: true only for ASCII characters (EOF and bytes
/// above 0x7F are none of these).
fn class(index: u32, c: u32) -> bool {
    let Some(byte) = u8::try_from(c).ok().filter(u8::is_ascii) else {
        return false;
    };
    match index {
        ISALPHA => byte.is_ascii_alphabetic(),
        ISASCII => true,
        ISDIGIT => byte.is_ascii_digit(),
        ISLOWER => byte.is_ascii_lowercase(),
        ISPRINT => (0x20..0x7F).contains(&byte),
        ISSPACE => is_space(byte),
        ISUPPER => byte.is_ascii_uppercase(),
        _ => byte.is_ascii_hexdigit(),
    }
}

/// C's `isspace` in the C locale (Rust's `is_ascii_whitespace` leaves out `\v`).
fn is_space(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\n' | 0x0B | 0x0C | b'\r')
}

/// A NUL-terminated string in guest memory, read as far as a parser looks (a number at the
/// start of a large buffer reads only the number).
struct Text {
    addr: u32,
    bytes: Vec<u8>,
    ended: bool,
}

impl Text {
    fn new(addr: u32) -> Text {
        Text {
            addr,
            bytes: Vec::new(),
            ended: false,
        }
    }

    /// The byte at `i`; 0 at the NUL and past it.
    fn at(&mut self, mem: &mut dyn GuestMemory, i: usize) -> Result<u8, MemoryError> {
        while self.bytes.len() <= i && !self.ended {
            let at = self
                .addr
                .checked_add(self.bytes.len() as u32)
                .ok_or(MemoryError)?;
            let mut chunk = [0; 64];
            let len = 64 - (at & 63) as usize;
            mem.read_bytes(at, &mut chunk[..len])?;
            match chunk[..len].iter().position(|&b| b == 0) {
                Some(end) => {
                    self.bytes.extend_from_slice(&chunk[..end]);
                    self.ended = true;
                }
                None => self.bytes.extend_from_slice(&chunk[..len]),
            }
        }
        Ok(self.bytes.get(i).copied().unwrap_or(0))
    }

    /// Past white space from `i`.
    fn skip_space(
        &mut self,
        mem: &mut dyn GuestMemory,
        mut i: usize,
    ) -> Result<usize, MemoryError> {
        while is_space(self.at(mem, i)?) {
            i += 1;
        }
        Ok(i)
    }
}

/// The value of `byte` as a digit in bases up to 36.
fn digit(byte: u8) -> Option<u32> {
    (byte as char).to_digit(36)
}

/// Sets `errno`.
fn set_errno(mem: &mut dyn GuestMemory, errno: u32) -> Result<(), MemoryError> {
    mem.write_u32(layout::ERRNO, errno)
}

/// `strtol` (`signed`) or `strtoul` of the string at `addr`: the value and how many bytes
/// were read (0 when no number was).
fn strtol(
    mem: &mut dyn GuestMemory,
    addr: u32,
    base: i32,
    signed: bool,
) -> Result<(u32, u32), MemoryError> {
    if base < 0 || base == 1 || base > 36 {
        set_errno(mem, EINVAL)?;
        return Ok((0, 0));
    }
    let mut text = Text::new(addr);
    let mut i = text.skip_space(mem, 0)?;
    let negative = text.at(mem, i)? == b'-';
    if matches!(text.at(mem, i)?, b'-' | b'+') {
        i += 1;
    }
    let mut base = base as u32;
    // A 0x prefix (base 0 or 16) counts only if a hex digit follows it.
    let prefixed = text.at(mem, i)? == b'0'
        && matches!(text.at(mem, i + 1)?, b'x' | b'X')
        && text.at(mem, i + 2)?.is_ascii_hexdigit();
    if (base == 0 || base == 16) && prefixed {
        i += 2;
        base = 16;
    } else if base == 0 {
        base = if text.at(mem, i)? == b'0' { 8 } else { 10 };
    }
    let start = i;
    let mut magnitude: u64 = 0;
    while let Some(d) = digit(text.at(mem, i)?).filter(|&d| d < base) {
        // Past 2^32 the value only needs to be known too large.
        magnitude = (magnitude * u64::from(base) + u64::from(d)).min(1 << 33);
        i += 1;
    }
    if i == start {
        return Ok((0, 0));
    }
    let value = if signed {
        let limit = if negative { 1 << 31 } else { (1 << 31) - 1 };
        if magnitude > limit {
            set_errno(mem, ERANGE)?;
            if negative {
                i32::MIN as u32
            } else {
                i32::MAX as u32
            }
        } else if negative {
            (magnitude as u32).wrapping_neg()
        } else {
            magnitude as u32
        }
    } else if magnitude > u64::from(u32::MAX) {
        set_errno(mem, ERANGE)?;
        u32::MAX
    } else if negative {
        (magnitude as u32).wrapping_neg()
    } else {
        magnitude as u32
    };
    Ok((value, i as u32))
}

/// `strtod` of the string at `addr`: the double's bits and how many bytes were read.
fn strtod(mem: &mut dyn GuestMemory, addr: u32) -> Result<(u64, u32), MemoryError> {
    let mut text = Text::new(addr);
    let mut i = text.skip_space(mem, 0)?;
    let negative = text.at(mem, i)? == b'-';
    if matches!(text.at(mem, i)?, b'-' | b'+') {
        i += 1;
    }
    let sign = if negative { 1 << 63 } else { 0 };
    if starts_with(&mut text, mem, i, b"inf")? {
        let used = if starts_with(&mut text, mem, i + 3, b"inity")? {
            i + 8
        } else {
            i + 3
        };
        return Ok((sign | f64::INFINITY.to_bits(), used as u32));
    }
    if starts_with(&mut text, mem, i, b"nan")? {
        i += 3;
        let mut bits = f64::NAN.to_bits();
        // nan(n-char-sequence): newlib takes a hex payload as the low bits.
        if text.at(mem, i)? == b'(' {
            let mut j = i + 1;
            while text.at(mem, j)?.is_ascii_alphanumeric() || text.at(mem, j)? == b'_' {
                j += 1;
            }
            if text.at(mem, j)? == b')' {
                let inside = &text.bytes[i + 1..j];
                let payload = std::str::from_utf8(inside)
                    .ok()
                    .and_then(|s| u64::from_str_radix(s, 16).ok())
                    .map_or(0, |p| p & ((1 << 52) - 1));
                if payload != 0 {
                    bits = f64::INFINITY.to_bits() | payload;
                }
                i = j + 1;
            }
        }
        return Ok((sign | bits, i as u32));
    }
    let hex = text.at(mem, i)? == b'0'
        && lower(&mut text, mem, i + 1)? == b'x'
        && (text.at(mem, i + 2)?.is_ascii_hexdigit()
            || (text.at(mem, i + 2)? == b'.' && text.at(mem, i + 3)?.is_ascii_hexdigit()));
    if hex {
        let (bits, used) = hex_float(&mut text, mem, i + 2)?;
        return Ok((sign | bits, used as u32));
    }
    // Digits, a point, digits (one at least), then an exponent if it has digits.
    let start = i;
    let mut digits = 0;
    let mut nonzero = false;
    while text.at(mem, i)?.is_ascii_digit() {
        nonzero |= text.at(mem, i)? != b'0';
        digits += 1;
        i += 1;
    }
    if text.at(mem, i)? == b'.' {
        i += 1;
        while text.at(mem, i)?.is_ascii_digit() {
            nonzero |= text.at(mem, i)? != b'0';
            digits += 1;
            i += 1;
        }
    }
    if digits == 0 {
        return Ok((0, 0));
    }
    if lower(&mut text, mem, i)? == b'e' {
        let mut j = i + 1;
        if matches!(text.at(mem, j)?, b'-' | b'+') {
            j += 1;
        }
        if text.at(mem, j)?.is_ascii_digit() {
            while text.at(mem, j)?.is_ascii_digit() {
                j += 1;
            }
            i = j;
        }
    }
    let number = std::str::from_utf8(&text.bytes[start..i]).unwrap_or("0");
    let value: f64 = number.parse().unwrap_or(0.0);
    if value.is_infinite() || (value == 0.0 && nonzero) {
        set_errno(mem, ERANGE)?;
    }
    Ok((sign | value.to_bits(), i as u32))
}

/// The byte at `i`, in lower case.
fn lower(text: &mut Text, mem: &mut dyn GuestMemory, i: usize) -> Result<u8, MemoryError> {
    Ok(text.at(mem, i)?.to_ascii_lowercase())
}

/// Whether `word` (in lower case) is at `i`, in any case.
fn starts_with(
    text: &mut Text,
    mem: &mut dyn GuestMemory,
    i: usize,
    word: &[u8],
) -> Result<bool, MemoryError> {
    for (k, &w) in word.iter().enumerate() {
        if lower(text, mem, i + k)? != w {
            return Ok(false);
        }
    }
    Ok(true)
}

/// A hexadecimal float's digits from `i` (after its `0x`), correctly rounded (half to even):
/// its bits and where it ends. Out of range it is infinity or zero, with no ERANGE, as
/// newlib's `gethex` has it.
fn hex_float(
    text: &mut Text,
    mem: &mut dyn GuestMemory,
    mut i: usize,
) -> Result<(u64, usize), MemoryError> {
    // The first 60 bits of the digits, and whether any further bit is set.
    let mut mantissa: u64 = 0;
    let mut exponent: i64 = 0;
    let mut sticky = false;
    let mut point = false;
    loop {
        let byte = text.at(mem, i)?;
        if byte == b'.' && !point {
            point = true;
        } else if let Some(d) = (byte as char).to_digit(16) {
            if mantissa >> 56 == 0 {
                mantissa = mantissa << 4 | u64::from(d);
                if point {
                    exponent -= 4;
                }
            } else {
                sticky |= d != 0;
                if !point {
                    exponent += 4;
                }
            }
        } else {
            break;
        }
        i += 1;
    }
    if lower(text, mem, i)? == b'p' {
        let mut j = i + 1;
        let negative = text.at(mem, j)? == b'-';
        if matches!(text.at(mem, j)?, b'-' | b'+') {
            j += 1;
        }
        if text.at(mem, j)?.is_ascii_digit() {
            let mut e: i64 = 0;
            while let Some(d) = (text.at(mem, j)? as char).to_digit(10) {
                e = (e * 10 + i64::from(d)).min(1 << 20);
                j += 1;
            }
            exponent += if negative { -e } else { e };
            i = j;
        }
    }
    if mantissa == 0 {
        return Ok((0, i));
    }
    // value = mantissa * 2^exponent; with the top bit at 63, its binary exponent is `top`.
    let shift = mantissa.leading_zeros();
    let mantissa = u128::from(mantissa << shift);
    let top = exponent - i64::from(shift) + 63;
    if top > 1023 {
        return Ok((f64::INFINITY.to_bits(), i));
    }
    // Bits kept: 53, fewer for a subnormal.
    let kept = if top >= -1022 { 53 } else { 53 - (-1022 - top) };
    let dropped = 64 - kept;
    if dropped >= 128 {
        return Ok((0, i));
    }
    let dropped = dropped as u32;
    let mut q = mantissa >> dropped;
    let rest = mantissa & ((1 << dropped) - 1);
    let half: u128 = 1 << (dropped - 1);
    if rest > half || (rest == half && (sticky || q & 1 == 1)) {
        q += 1;
    }
    let bits = if top >= -1022 {
        let (q, top) = if q >> 53 != 0 {
            (q >> 1, top + 1)
        } else {
            (q, top)
        };
        if top > 1023 {
            return Ok((f64::INFINITY.to_bits(), i));
        }
        ((top + 1023) as u64) << 52 | (q as u64 & ((1 << 52) - 1))
    } else {
        // A subnormal's bits are its multiple of 2^-1074 (2^52 of them is the least normal).
        q as u64
    };
    Ok((bits, i))
}

/// `strtok`: the next token of the string at `s` (or where the last call stopped, if `s` is
/// NULL), ended in place with a NUL.
fn strtok(mem: &mut dyn GuestMemory, s: u32, delimiters: u32) -> Result<u32, MemoryError> {
    let start = if s != 0 {
        s
    } else {
        mem.read_u32(STRTOK_NEXT)?
    };
    if start == 0 {
        return Ok(0);
    }
    let delimiters = super::string(mem, delimiters)?;
    let mut text = Text::new(start);
    let mut i = 0;
    while text.at(mem, i)? != 0 && delimiters.contains(&text.at(mem, i)?) {
        i += 1;
    }
    if text.at(mem, i)? == 0 {
        mem.write_u32(STRTOK_NEXT, 0)?;
        return Ok(0);
    }
    let token = i;
    while text.at(mem, i)? != 0 && !delimiters.contains(&text.at(mem, i)?) {
        i += 1;
    }
    let next = if text.at(mem, i)? == 0 {
        0
    } else {
        let end = start.wrapping_add(i as u32);
        mem.write_bytes(end, &[0])?;
        end.wrapping_add(1)
    };
    mem.write_u32(STRTOK_NEXT, next)?;
    Ok(start.wrapping_add(token as u32))
}

/// newlib's `strerror` messages ("" for a number it has none for), each shorter than
/// `MESSAGE_SIZE`.
fn strerror(errno: u32) -> &'static str {
    match errno {
        0 => "Success",
        1 => "Not owner",
        2 => "No such file or directory",
        3 => "No such process",
        4 => "Interrupted system call",
        5 => "I/O error",
        6 => "No such device or address",
        7 => "Arg list too long",
        8 => "Exec format error",
        9 => "Bad file number",
        10 => "No children",
        11 => "No more processes",
        12 => "Not enough space",
        13 => "Permission denied",
        14 => "Bad address",
        16 => "Device or resource busy",
        17 => "File exists",
        18 => "Cross-device link",
        19 => "No such device",
        20 => "Not a directory",
        21 => "Is a directory",
        22 => "Invalid argument",
        23 => "Too many open files in system",
        24 => "File descriptor value too large",
        25 => "Not a character device",
        26 => "Text file busy",
        27 => "File too large",
        28 => "No space left on device",
        29 => "Illegal seek",
        30 => "Read-only file system",
        31 => "Too many links",
        32 => "Broken pipe",
        33 => "Mathematics argument out of domain of function",
        34 => "Result too large",
        35 => "No message of desired type",
        36 => "Identifier removed",
        45 => "Deadlock",
        46 => "No lock",
        60 => "Not a stream",
        61 => "No data",
        62 => "Stream ioctl timeout",
        63 => "No stream resources",
        67 => "Virtual circuit is gone",
        71 => "Protocol error",
        74 => "Multihop attempted",
        77 => "Bad message",
        88 => "Function not implemented",
        90 => "Directory not empty",
        91 => "File or path name too long",
        92 => "Too many symbolic links",
        95 => "Operation not supported on socket",
        104 => "Connection reset by peer",
        105 => "No buffer space available",
        106 => "Address family not supported by protocol family",
        107 => "Protocol wrong type for socket",
        108 => "Socket operation on non-socket",
        109 => "Protocol not available",
        111 => "Connection refused",
        112 => "Address already in use",
        113 => "Software caused connection abort",
        114 => "Network is unreachable",
        115 => "Network interface is not configured",
        116 => "Connection timed out",
        117 => "Host is down",
        118 => "Host is unreachable",
        119 => "Connection already in progress",
        120 => "Socket already connected",
        121 => "Destination address required",
        122 => "Message too long",
        123 => "Unknown protocol",
        125 => "Address not available",
        126 => "Connection aborted by network",
        127 => "Socket is already connected",
        128 => "Socket is not connected",
        134 => "Not supported",
        138 => "Illegal byte sequence",
        139 => "Value too large for defined data type",
        140 => "Operation canceled",
        141 => "State not recoverable",
        142 => "Previous owner died",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frontend::setup::SharedBuffer;
    use crate::guest::testing::Flat;

    mod cases {
        include!("stdlib_cases.rs");
    }

    /// Where the tests put strings, and `strtol`'s end pointer.
    const STRINGS: u32 = Flat::BASE + 0x8000;
    const END: u32 = Flat::BASE + 0x7000;

    struct World {
        ndless: Ndless,
        mem: Flat,
    }

    fn world() -> World {
        let (out, err) = (SharedBuffer::default(), SharedBuffer::default());
        let ndless = Ndless::new(Box::new(out), Box::new(err));
        World {
            ndless,
            mem: Flat::new(Flat::BASE, 0x1_0000),
        }
    }

    impl World {
        /// `bytes` at `STRINGS`, then a NUL.
        fn string(&mut self, bytes: &[u8]) -> u32 {
            self.mem.write_bytes(STRINGS, bytes).unwrap();
            self.mem
                .write_bytes(STRINGS + bytes.len() as u32, &[0])
                .unwrap();
            STRINGS
        }

        fn call(&mut self, index: u32, args: [u32; 4]) -> Answer {
            let call = Call::with(index, args, Flat::BASE + 0x7F00);
            self.ndless.call(&call, &mut self.mem)
        }

        fn value(&mut self, index: u32, args: [u32; 4]) -> u32 {
            match self.call(index, args) {
                Answer::Value(value) => value,
                other => panic!("{other:?}"),
            }
        }

        fn errno(&mut self) -> u32 {
            self.mem.read_u32(layout::ERRNO).unwrap()
        }

        fn clear_errno(&mut self) {
            self.mem.write_u32(layout::ERRNO, 0).unwrap();
        }

        /// The NUL-terminated string at `addr`.
        fn text(&mut self, addr: u32) -> String {
            String::from_utf8(self.mem.read_cstring(addr, 4096).unwrap()).unwrap()
        }
    }

    /// newlib 3.3 reads nothing of "0x" and "0xg" in base 0 or 16 (C reads the "0", as newer
    /// newlib and glibc do), and its answers for a base outside 2-36 are its own.
    fn newlib_quirk(input: &str, base: i32) -> bool {
        let zero_x = matches!(input, "0x" | "0xg") && (base == 0 || base == 16);
        zero_x || !(base == 0 || (2..=36).contains(&base))
    }

    #[test]
    fn strtol_and_strtoul_answer_as_newlib_does() {
        let mut w = world();
        for (index, table) in [(STRTOL, cases::STRTOL), (STRTOUL, cases::STRTOUL)] {
            for &(input, base, value, used, errno) in table {
                if newlib_quirk(input, base) {
                    continue;
                }
                let s = w.string(input.as_bytes());
                w.clear_errno();
                let got = w.value(index, [s, END, base as u32, 0]);
                let end = w.mem.read_u32(END).unwrap();
                assert_eq!(
                    (got, end - s, w.errno()),
                    (value, used, errno),
                    "{index} {input:?} {base}"
                );
            }
        }
    }

    #[test]
    fn strtol_reads_the_0_of_a_0x_with_no_digits_and_refuses_bad_bases() {
        let mut w = world();
        for (input, base, used) in [("0x", 0, 1), ("0xg", 16, 1), ("-0x", 0, 2), ("0x", 10, 1)] {
            let s = w.string(input.as_bytes());
            assert_eq!(w.value(STRTOL, [s, END, base, 0]), 0, "{input}");
            assert_eq!(w.mem.read_u32(END).unwrap() - s, used, "{input}");
        }
        for base in [1, 37, u32::MAX] {
            let s = w.string(b"12");
            w.clear_errno();
            assert_eq!(w.value(STRTOUL, [s, END, base, 0]), 0);
            assert_eq!((w.mem.read_u32(END).unwrap(), w.errno()), (s, EINVAL));
        }
        // No end pointer: fine.
        let s = w.string(b" -17");
        assert_eq!(w.value(STRTOL, [s, 0, 10, 0]), -17i32 as u32);
    }

    #[test]
    fn atoi_answers_as_newlib_does() {
        let mut w = world();
        for &(input, value) in cases::ATOI {
            let s = w.string(input.as_bytes());
            assert_eq!(w.value(ATOI, [s, 0, 0, 0]), value, "{input:?}");
        }
    }

    #[test]
    fn strtod_and_atof_answer_as_newlib_does() {
        let mut w = world();
        for &(input, bits, used, errno) in cases::STRTOD {
            let s = w.string(input.as_bytes());
            w.clear_errno();
            let answer = w.call(STRTOD, [s, END, 0, 0]);
            let end = w.mem.read_u32(END).unwrap();
            let pair = Answer::Pair(bits as u32, (bits >> 32) as u32);
            assert_eq!(
                (answer, end - s, w.errno()),
                (pair, used, errno),
                "{input:?}"
            );
            assert_eq!(w.call(ATOF, [s, 0, 0, 0]), pair, "{input:?}");
        }
    }

    #[test]
    fn strtod_reads_only_as_far_as_the_number() {
        let mut w = world();
        // "7.5" then no NUL up to the end of memory: only the number is read.
        w.mem.bytes[0xFFF0..].fill(b'x');
        w.mem.bytes[0xFFF0..0xFFF3].copy_from_slice(b"7.5");
        let at = Flat::BASE + 0xFFF0;
        let bits = 7.5f64.to_bits();
        let answer = w.call(STRTOD, [at, END, 0, 0]);
        assert_eq!(answer, Answer::Pair(bits as u32, (bits >> 32) as u32));
        assert_eq!(w.mem.read_u32(END).unwrap(), at + 3);
        assert_eq!(w.call(STRTOD, [0x2000_0000, 0, 0, 0]), Answer::BadPointer);
    }

    #[test]
    fn strerror_gives_newlibs_messages() {
        let mut w = world();
        for &(errno, message) in cases::STRERROR {
            let addr = w.value(STRERROR, [errno, 0, 0, 0]);
            assert_eq!(w.text(addr), message, "{errno}");
        }
        assert_eq!(
            w.value(STRERROR, [999, 0, 0, 0]),
            w.value(STRERROR, [15, 0, 0, 0])
        );
        // The same message, the same string.
        assert_eq!(
            w.value(STRERROR, [2, 0, 0, 0]),
            w.value(STRERROR, [2, 0, 0, 0])
        );
    }

    #[test]
    fn rand_is_newlibs_sequence() {
        let mut w = world();
        // Unseeded, it is seeded with 1.
        let first = w.value(RAND, [0; 4]);
        assert_eq!(first, cases::RAND[0].1[0]);
        for &(seed, values) in cases::RAND {
            w.value(SRAND, [seed, 0, 0, 0]);
            for value in values {
                assert_eq!(w.value(RAND, [0; 4]), value, "seed {seed}");
            }
        }
    }

    #[test]
    fn ctype_is_the_c_locales() {
        let mut w = world();
        let calls = [
            ISALPHA, ISASCII, ISDIGIT, ISLOWER, ISPRINT, ISSPACE, ISUPPER, ISXDIGIT,
        ];
        for c in (0..=300).chain([u32::MAX, 0xFFFF_FF80, 0x141]) {
            let answers = calls.map(|index| w.value(index, [c, 0, 0, 0]) != 0);
            let byte = u8::try_from(c).ok().filter(u8::is_ascii);
            let expected = match byte {
                Some(b) => [
                    b.is_ascii_alphabetic(),
                    true,
                    b.is_ascii_digit(),
                    b.is_ascii_lowercase(),
                    (b' '..=b'~').contains(&b),
                    b" \t\n\x0b\x0c\r".contains(&b),
                    b.is_ascii_uppercase(),
                    b.is_ascii_hexdigit(),
                ],
                None => [false; 8],
            };
            assert_eq!(answers, expected, "{c:#x}");
            let (lower, upper) = match byte {
                Some(b) => (
                    u32::from(b.to_ascii_lowercase()),
                    u32::from(b.to_ascii_uppercase()),
                ),
                None => (c, c),
            };
            assert_eq!(w.value(TOLOWER, [c, 0, 0, 0]), lower);
            assert_eq!(w.value(TOUPPER, [c, 0, 0, 0]), upper);
        }
    }

    #[test]
    fn strtok_splits_in_place_and_remembers_where_it_stopped() {
        let mut w = world();
        let s = w.string(b",,ab,c;;d,");
        let delimiters = s + 16;
        w.mem.write_bytes(delimiters, b",;\0").unwrap();
        let mut tokens = Vec::new();
        let mut from = s;
        loop {
            let token = w.value(STRTOK, [from, delimiters, 0, 0]);
            if token == 0 {
                break;
            }
            tokens.push((token - s, w.text(token)));
            from = 0;
        }
        let expected = [(2, "ab"), (5, "c"), (8, "d")].map(|(at, t)| (at, t.to_string()));
        assert_eq!(tokens, expected);
        assert_eq!(w.value(STRTOK, [0, delimiters, 0, 0]), 0);
        // Only delimiters: no token.
        let s = w.string(b",;,");
        assert_eq!(w.value(STRTOK, [s, delimiters, 0, 0]), 0);
    }

    #[test]
    fn strpbrk_memrev_and_unaligned_reads() {
        let mut w = world();
        let s = w.string(b"hello, world");
        let accept = s + 32;
        w.mem.write_bytes(accept, b" ,\0").unwrap();
        assert_eq!(w.value(STRPBRK, [s, accept, 0, 0]), s + 5);
        w.mem.write_bytes(accept, b"xyz\0").unwrap();
        assert_eq!(w.value(STRPBRK, [s, accept, 0, 0]), 0);
        assert_eq!(w.value(MEMREV, [s, 5, 0, 0]), s);
        assert_eq!(w.text(s), "olleh, world");
        w.mem.write_bytes(s + 1, &[0x78, 0x56, 0x34, 0x12]).unwrap();
        assert_eq!(
            w.value(READ_UNALIGNED_LONGWORD, [s + 1, 0, 0, 0]),
            0x1234_5678
        );
        assert_eq!(w.value(READ_UNALIGNED_WORD, [s + 3, 0, 0, 0]), 0x1234);
    }
}
