//! The OS's formatted input: `sscanf(str, format, ...)`. The scanner works on host bytes and
//! says what to store through each pointer argument; the call reads the input and the format
//! from guest memory and writes the stores there.
//!
//! It reads as newlib's `__svfscanf` reads (its cases, from newlib itself, are in
//! `scanf_cases.rs`): numbers are taken by its state machines, the longest prefix that can
//! still begin a number, then given back as far as the last character that completes one (a
//! lone `0x` is 0 with the `x` left; `1e+` is 1 with `e+` left), and converted as `strtol`,
//! `strtoul`, `strtoll`, `strtoull` or `strtod` would (out-of-range integers saturate). C99's
//! `hh` stores a char (newlib built without C99 formats fails it instead).
//!
//! The result is the number of stores made, or -1 (EOF) when the input ended before the first
//! conversion; `%n` stores without counting, `*` converts without storing.

use super::format::Args;
use super::{Answer, Call, Ndless};
use crate::guest::{GuestMemory, MemoryError};

const SSCANF: u32 = 266;

/// The OS calls answered here.
pub const NUMBERS: &[u32] = &[SSCANF];

/// The longest input or format read (text a program wrote: far less).
const TEXT_MAX: usize = 1 << 20;
/// The most characters a number may take (newlib's buffer for one).
const NUMBER_MAX: usize = 39;

/// Answers `sscanf`.
pub fn call(
    _: &mut Ndless,
    _: u32,
    call: &Call,
    mem: &mut dyn GuestMemory,
) -> Result<Answer, MemoryError> {
    let input = mem.read_cstring(call.args[0], TEXT_MAX)?;
    let format = mem.read_cstring(call.args[1], TEXT_MAX)?;
    let (result, stores) = scan(&input, &format);
    let mut args = Args::variadic(call, 2);
    for bytes in stores {
        let at = args.word(mem)?;
        mem.write_bytes(at, &bytes)?;
    }
    Ok(Answer::Value(result as u32))
}

/// How wide an integer argument is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Size {
    Char,
    Short,
    Int,
    LongLong,
}

/// The input and how far it has been read.
struct Input<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Input<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn skip_space(&mut self) {
        while self.peek().is_some_and(is_space) {
            self.at += 1;
        }
    }
}

/// C's `isspace` in the C locale.
fn is_space(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\n' | 0x0B | 0x0C | b'\r')
}

/// How a conversion failed.
enum Failure {
    /// The input ended: EOF if nothing was stored yet.
    Input,
    /// The input did not match.
    Matching,
}

/// Scans `input` by `format`: the result, and the bytes to store through each pointer argument
/// in turn.
pub fn scan(input: &[u8], format: &[u8]) -> (i32, Vec<Vec<u8>>) {
    let mut input = Input {
        bytes: input,
        at: 0,
    };
    let mut stores = Vec::new();
    let mut assigned = 0;
    let failure = run(&mut input, format, &mut stores, &mut assigned);
    let result = match failure {
        Some(Failure::Input) if assigned == 0 => -1,
        _ => assigned,
    };
    (result, stores)
}

/// Follows the format until it ends (None) or a conversion fails.
fn run(
    input: &mut Input,
    format: &[u8],
    stores: &mut Vec<Vec<u8>>,
    assigned: &mut i32,
) -> Option<Failure> {
    let mut f = 0;
    while let Some(&c) = format.get(f) {
        f += 1;
        if is_space(c) {
            input.skip_space();
            continue;
        }
        if c != b'%' {
            match input.peek() {
                None => return Some(Failure::Input),
                Some(b) if b == c => input.at += 1,
                Some(_) => return Some(Failure::Matching),
            }
            continue;
        }
        // %[*][width][length]conversion
        let suppress = format.get(f) == Some(&b'*');
        if suppress {
            f += 1;
        }
        let mut width = 0usize;
        while let Some(d) = format.get(f).filter(|d| d.is_ascii_digit()) {
            width = width
                .saturating_mul(10)
                .saturating_add(usize::from(d - b'0'));
            f += 1;
        }
        let mut size = Size::Int;
        let mut double = false;
        loop {
            match format.get(f) {
                Some(b'h') if size == Size::Short => size = Size::Char,
                Some(b'h') => size = Size::Short,
                Some(b'l') if double => size = Size::LongLong,
                Some(b'l') => double = true,
                Some(b'L' | b'q') => {
                    size = Size::LongLong;
                    double = true;
                }
                // intmax_t, size_t, ptrdiff_t: 64, 32 and 32 bits on ARM.
                Some(b'j') => size = Size::LongLong,
                Some(b'z' | b't') => {}
                _ => break,
            }
            f += 1;
        }
        let Some(&conversion) = format.get(f) else {
            return Some(Failure::Matching);
        };
        f += 1;
        let store = match conversion {
            b'%' => {
                input.skip_space();
                match input.peek() {
                    None => return Some(Failure::Input),
                    Some(b'%') => input.at += 1,
                    Some(_) => return Some(Failure::Matching),
                }
                continue;
            }
            b'n' => {
                if !suppress {
                    stores.push(integer(input.at as u64, size));
                }
                continue;
            }
            b'c' => {
                let width = if width == 0 { 1 } else { width };
                let rest = &input.bytes[input.at..];
                if rest.is_empty() {
                    return Some(Failure::Input);
                }
                let taken = rest[..width.min(rest.len())].to_vec();
                input.at += taken.len();
                taken
            }
            b's' => {
                input.skip_space();
                let start = input.at;
                while input.peek().is_some_and(|b| !is_space(b))
                    && (width == 0 || input.at - start < width)
                {
                    input.at += 1;
                }
                if input.at == start {
                    return Some(Failure::Input);
                }
                [&input.bytes[start..input.at], &[0]].concat()
            }
            b'[' => {
                let Some((set, next)) = Set::parse(format, f) else {
                    return Some(Failure::Matching);
                };
                f = next;
                let start = input.at;
                while input.peek().is_some_and(|b| set.contains(b))
                    && (width == 0 || input.at - start < width)
                {
                    input.at += 1;
                }
                if input.at == start {
                    return Some(match input.peek() {
                        None => Failure::Input,
                        Some(_) => Failure::Matching,
                    });
                }
                [&input.bytes[start..input.at], &[0]].concat()
            }
            b'd' | b'i' | b'o' | b'u' | b'x' | b'X' | b'p' => {
                let (base, signed) = match conversion {
                    b'd' => (10, true),
                    b'i' => (0, true),
                    b'o' => (8, false),
                    b'u' => (10, false),
                    _ => (16, false),
                };
                let size = if conversion == b'p' { Size::Int } else { size };
                input.skip_space();
                if input.peek().is_none() {
                    return Some(Failure::Input);
                }
                let Some(value) = scan_integer(input, width, base, signed, size) else {
                    return Some(Failure::Matching);
                };
                integer(value, size)
            }
            b'e' | b'E' | b'f' | b'F' | b'g' | b'G' | b'a' | b'A' => {
                input.skip_space();
                if input.peek().is_none() {
                    return Some(Failure::Input);
                }
                let Some(value) = scan_float(input, width) else {
                    return Some(Failure::Matching);
                };
                if double {
                    value.to_bits().to_le_bytes().to_vec()
                } else {
                    (value as f32).to_bits().to_le_bytes().to_vec()
                }
            }
            _ => return Some(Failure::Matching),
        };
        if !suppress {
            stores.push(store);
            *assigned += 1;
        }
    }
    None
}

/// `value`'s low bytes, as an integer of `size` holds it.
fn integer(value: u64, size: Size) -> Vec<u8> {
    let bytes = value.to_le_bytes();
    let len = match size {
        Size::Char => 1,
        Size::Short => 2,
        Size::Int => 4,
        Size::LongLong => 8,
    };
    bytes[..len].to_vec()
}

/// Takes an integer in `base` (0: by its prefix) as newlib's state machine does; its value
/// as `strtol` (`signed`) or `strtoul` (`strtoll`, `strtoull` for a long long) gives it.
fn scan_integer(
    input: &mut Input,
    width: usize,
    mut base: u32,
    signed: bool,
    size: Size,
) -> Option<u64> {
    let width = if width == 0 || width > NUMBER_MAX {
        NUMBER_MAX
    } else {
        width
    };
    let start = input.at;
    let mut sign_ok = true;
    let mut have_sign = false;
    let mut no_digits = true;
    let mut nonzero_digits = true;
    let mut prefix_ok = base == 16;
    while input.at - start < width {
        let Some(c) = input.peek() else { break };
        let taken = match c {
            b'0' => {
                if base == 0 {
                    base = 8;
                    prefix_ok = true;
                }
                if nonzero_digits {
                    nonzero_digits = false;
                } else {
                    prefix_ok = false;
                }
                sign_ok = false;
                no_digits = false;
                true
            }
            b'1'..=b'9' | b'a'..=b'f' | b'A'..=b'F' => {
                if base == 0 {
                    base = 10;
                }
                let fits = (c as char).to_digit(16).is_some_and(|d| d < base);
                if fits {
                    sign_ok = false;
                    prefix_ok = false;
                    no_digits = false;
                }
                fits
            }
            b'+' | b'-' if sign_ok => {
                sign_ok = false;
                have_sign = true;
                true
            }
            b'x' | b'X' if prefix_ok && input.at - start == 1 + usize::from(have_sign) => {
                base = 16;
                prefix_ok = false;
                true
            }
            _ => false,
        };
        if !taken {
            break;
        }
        input.at += 1;
    }
    if no_digits {
        // A sign alone: given back, and the conversion fails.
        if input.at > start {
            input.at -= 1;
        }
        return None;
    }
    // A prefix with no digit after it: the x is given back, the 0 is the number.
    if matches!(input.bytes[input.at - 1], b'x' | b'X') {
        input.at -= 1;
    }
    let text = &input.bytes[start..input.at];
    let base = if base == 0 { 10 } else { base };
    Some(convert(text, base, signed, size == Size::LongLong))
}

/// `strtol`, `strtoul`, `strtoll` or `strtoull` of a number scanned whole (an optional sign, an
/// optional 0x, digits): saturated when out of range, a negated magnitude for unsigned.
fn convert(text: &[u8], base: u32, signed: bool, long_long: bool) -> u64 {
    let (negative, digits) = match text.first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let digits = match digits {
        [b'0', b'x' | b'X', rest @ ..] if base == 16 => rest,
        _ => digits,
    };
    let mut magnitude: u128 = 0;
    for &d in digits {
        let d = (d as char).to_digit(base).unwrap_or(0);
        magnitude = (magnitude * u128::from(base) + u128::from(d)).min(1 << 70);
    }
    let bits = if long_long { 64 } else { 32 };
    let all = if long_long {
        u64::MAX
    } else {
        u64::from(u32::MAX)
    };
    if signed {
        let max = (1u128 << (bits - 1)) - 1;
        let value: i128 = match (negative, magnitude) {
            (false, m) if m > max => max as i128,
            (true, m) if m > max + 1 => -(max as i128) - 1,
            (false, m) => m as i128,
            (true, m) => -(m as i128),
        };
        value as u64 & all
    } else if magnitude > u128::from(all) {
        all
    } else if negative {
        (magnitude as u64).wrapping_neg() & all
    } else {
        magnitude as u64
    }
}

/// Takes a floating-point number as newlib's state machine does (digits, a point, an exponent
/// with digits; `inf`, `infinity`, `nan`, in any case, after an optional sign).
fn scan_float(input: &mut Input, width: usize) -> Option<f64> {
    let width = if width == 0 { usize::MAX } else { width };
    let start = input.at;
    let room = |input: &Input| input.at - start < width;
    if room(input) && matches!(input.peek(), Some(b'+' | b'-')) {
        input.at += 1;
    }
    let negative = input.bytes[start] == b'-';
    let sign = if negative { -1.0 } else { 1.0 };
    // inf, infinity, nan: whole words, or given back.
    for (word, value) in [
        (&b"infinity"[..], f64::INFINITY),
        (b"inf", f64::INFINITY),
        (b"nan", f64::NAN),
    ] {
        let end = input.at + word.len();
        let fits = end - start <= width;
        let matches = input
            .bytes
            .get(input.at..end)
            .is_some_and(|w| w.eq_ignore_ascii_case(word));
        if fits && matches {
            input.at = end;
            return Some(sign * value);
        }
    }
    let mantissa = input.at;
    let mut digits = 0;
    let mut point = false;
    while room(input) {
        match input.peek() {
            Some(b'0'..=b'9') => digits += 1,
            Some(b'.') if !point => point = true,
            _ => break,
        }
        input.at += 1;
    }
    if digits == 0 {
        input.at = start;
        return None;
    }
    // An exponent counts only with a digit; otherwise the e and its sign are given back.
    let before_exponent = input.at;
    if room(input) && matches!(input.peek(), Some(b'e' | b'E')) {
        input.at += 1;
        if room(input) && matches!(input.peek(), Some(b'+' | b'-')) {
            input.at += 1;
        }
        let exponent_digits = input.at;
        while room(input) && input.peek().is_some_and(|b| b.is_ascii_digit()) {
            input.at += 1;
        }
        if input.at == exponent_digits {
            input.at = before_exponent;
        }
    }
    let text = std::str::from_utf8(&input.bytes[mantissa..input.at]).ok()?;
    // Rust's parser takes "5." and ".5" as C's does; "1e999" is infinity, "1e-999" zero.
    let value: f64 = text.parse().ok()?;
    Some(sign * value)
}

/// A scan set, `%[...]`.
struct Set {
    members: [bool; 256],
}

impl Set {
    /// The set whose text begins at `format[from]` (after the `[`), and where the format goes
    /// on after its `]`; None if it never closes.
    fn parse(format: &[u8], from: usize) -> Option<(Set, usize)> {
        let mut f = from;
        let negated = format.get(f) == Some(&b'^');
        if negated {
            f += 1;
        }
        let mut members = [false; 256];
        // A `]` first is a member. `previous`: the member before, which a `-` may make the
        // start of a range.
        let mut previous = None;
        if format.get(f) == Some(&b']') {
            members[usize::from(b']')] = true;
            previous = Some(b']');
            f += 1;
        }
        // The member before, which a `-` may make the start of a range.
        loop {
            let &c = format.get(f)?;
            f += 1;
            match (c, previous) {
                (b']', _) => break,
                // a-z: a range, unless the `-` is first or last or the range runs backwards.
                (b'-', Some(low)) => match format.get(f) {
                    Some(&high) if high != b']' && high >= low => {
                        for b in low..=high {
                            members[usize::from(b)] = true;
                        }
                        f += 1;
                        previous = None;
                    }
                    _ => members[usize::from(b'-')] = true,
                },
                _ => {
                    members[usize::from(c)] = true;
                    previous = Some(c);
                }
            }
        }
        if negated {
            for m in members.iter_mut() {
                *m = !*m;
            }
            members[0] = false;
        }
        Some((Set { members }, f))
    }

    fn contains(&self, byte: u8) -> bool {
        self.members[usize::from(byte)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An argument as the oracle shows it after the call: an integer or float's bits, or a
    /// char[32]'s bytes up to the first 0xA5.
    enum Arg {
        V(u64),
        T(&'static [u8]),
    }
    use Arg::{T, V};

    type Case = (
        &'static [u8],
        &'static [u8],
        &'static str,
        i32,
        &'static [Arg],
    );

    mod cases {
        use super::*;
        include!("scanf_cases.rs");
    }

    /// The bytes of an argument of `kind`, as it starts: 0xA5 throughout.
    fn slot(kind: char) -> Vec<u8> {
        let size = match kind {
            'h' => 2,
            'i' | 'f' => 4,
            'q' | 'd' => 8,
            _ => 32,
        };
        vec![0xA5; size]
    }

    #[test]
    fn sscanf_agrees_with_newlib() {
        let mut failed = Vec::new();
        for (input, format, kinds, result, after) in cases::NEWLIB {
            let (got, stores) = scan(input, format);
            let mut slots: Vec<Vec<u8>> = kinds.chars().map(slot).collect();
            for (slot, bytes) in slots.iter_mut().zip(&stores) {
                slot[..bytes.len()].copy_from_slice(bytes);
            }
            let matches = slots.iter().zip(*after).all(|(slot, want)| match want {
                V(bits) => {
                    let mut word = [0; 8];
                    word[..slot.len()].copy_from_slice(slot);
                    u64::from_le_bytes(word) == *bits
                }
                T(text) => {
                    let end = slot.iter().position(|&b| b == 0xA5).unwrap_or(32);
                    &slot[..end] == *text
                }
            });
            if got != *result || !matches || stores.len() > kinds.len() {
                failed.push(format!(
                    "{:?} with {:?}: got {got} {stores:x?}",
                    String::from_utf8_lossy(input),
                    String::from_utf8_lossy(format)
                ));
            }
        }
        assert!(failed.is_empty(), "{}", failed.join("\n"));
    }

    /// The OS call: the input and format from guest memory, the values through the pointers
    /// in r2 and r3 (and past them, on the stack: not needed here).
    #[test]
    fn the_call_stores_through_the_pointer_arguments() {
        use super::super::documents::fixture::Guest;
        let mut guest = Guest::new(None);
        let input = guest.put("width=320 lcd");
        let format = guest.put("width=%d %s");
        let number = guest.buffer(4);
        let text = guest.buffer(16);
        assert_eq!(guest.call(SSCANF, &[input, format, number, text]), 2);
        assert_eq!(guest.word(number), 320);
        assert_eq!(guest.text(text), "lcd");
        let empty = guest.put("");
        assert_eq!(guest.call(SSCANF, &[empty, format, number, text]), u32::MAX);
    }

    #[test]
    fn hh_stores_a_char() {
        assert_eq!(
            scan(b"200 -1", b"%hhd %hhu"),
            (2, vec![vec![200], vec![255]])
        );
    }

    #[test]
    fn a_format_that_ends_inside_a_conversion_fails_it() {
        assert_eq!(scan(b"1 2", b"%d %"), (1, vec![vec![1, 0, 0, 0]]));
        assert_eq!(scan(b"abc", b"%[abc"), (0, vec![]));
    }
}
