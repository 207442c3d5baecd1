//! C's `printf` formatting, over a program's arguments in guest memory: what newlib prints
//! (its `vfprintf.c`, built with C99's formats), for the OS calls of the `printf` family.
//!
//! Arguments come as the AAPCS passes them ([`Args`]): r0-r3, then the caller's stack, a
//! `long long` or `double` in an even register pair or an 8-byte-aligned stack slot (soft
//! float: doubles are in core registers too); or from a `va_list`, which on the ARM EABI is
//! the address of the next argument.
//!
//! What it does, newlib's way where C leaves the choice to the library:
//! - flags `- + space # 0` and `'` (no grouping in the C locale), width and precision (`*`
//!   too: a negative width is the `-` flag, a negative precision none), in any order, as
//!   newlib's parser takes them;
//! - length modifiers `hh h l ll q j z t L` (on the ARM `l`, `z`, `t` are 32 bits, `ll`,
//!   `q` and `j` 64; `L` only says `long double`, which is `double`);
//! - `d i u o x X` (and the BSD `D O U`: `long`), `c s` (`lc C ls S`: `wint_t` and 32-bit
//!   `wchar_t`, bytes below 0x100 as the C locale has them, EILSEQ above), `p` (`0x` and hex),
//!   `n` (the count so far, stored where the program says: the store goes through guest
//!   memory like any other), `e E f F g G a A` (exactly rounded, as newlib's `dtoa`), `%`;
//! - a NULL `%s` prints `(null)`; an unknown conversion prints its character (`%y` is `y`);
//!   a format that ends inside a conversion ends the output there.
//!
//! What it refuses: positional arguments (`%1$d`), which newlib prints only when built with
//! `--enable-newlib-io-pos-args` (the SDK's is not): [`Error::Unsupported`]. Output past
//! `INT_MAX` bytes fails with EOVERFLOW, as glibc's does, and nothing is built in host memory
//! in proportion to a width or precision: padding and the zeros of a long precision are
//! streamed to the sink.

use super::Call;
use crate::guest::{GuestMemory, MemoryError};

/// newlib's `errno` values for the formatter's failures.
pub const EILSEQ: u32 = 138;
pub const EOVERFLOW: u32 = 139;

/// The most a C `int` count can say.
const INT_MAX: u64 = i32::MAX as u64;
/// The most a `%s` string may take without a precision (all of the CX's memory).
const STRING_MAX: usize = 64 << 20;
/// Digits past these are zeros for any double: it has at most 767 significant decimal
/// digits and 1074 after the point. The host formats up to them; zeros after are streamed.
const EXACT_DIGITS: u64 = 800;
const EXACT_FRACTION: u64 = 1100;

/// Where the arguments of a call are, and which comes next.
pub struct Args {
    next: Next,
}

enum Next {
    /// r0-r3, then the stack at `sp`: `slot` counts words from r0.
    Registers { regs: [u32; 4], sp: u32, slot: u32 },
    /// A `va_list`: the address of the next argument.
    List(u32),
}

impl Args {
    /// The arguments of `call` after its first `fixed` words (a variadic call's `...`).
    pub fn variadic(call: &Call, fixed: u32) -> Args {
        Args {
            next: Next::Registers {
                regs: call.args,
                sp: call.sp,
                slot: fixed,
            },
        }
    }

    /// The arguments a `va_list` points at.
    pub fn list(ap: u32) -> Args {
        Args {
            next: Next::List(ap),
        }
    }

    /// The next 32-bit argument.
    pub fn word(&mut self, mem: &mut dyn GuestMemory) -> Result<u32, MemoryError> {
        match &mut self.next {
            Next::Registers { regs, sp, slot } => {
                let n = *slot;
                *slot = n.checked_add(1).ok_or(MemoryError)?;
                match regs.get(n as usize) {
                    Some(&value) => Ok(value),
                    None => {
                        let offset = (n - 4).checked_mul(4).ok_or(MemoryError)?;
                        mem.read_u32(sp.checked_add(offset).ok_or(MemoryError)?)
                    }
                }
            }
            Next::List(at) => {
                let addr = *at;
                *at = addr.checked_add(4).ok_or(MemoryError)?;
                mem.read_u32(addr)
            }
        }
    }

    /// The next 64-bit argument (`long long`, `double`): from an even register pair or an
    /// 8-byte-aligned stack slot, low word first.
    pub fn pair(&mut self, mem: &mut dyn GuestMemory) -> Result<u64, MemoryError> {
        match &mut self.next {
            // The stack is 8-byte aligned at a call, so an even slot is an aligned address.
            Next::Registers { slot, .. } => *slot = slot.checked_add(1).ok_or(MemoryError)? & !1,
            Next::List(at) => *at = at.checked_add(7).ok_or(MemoryError)? & !7,
        }
        let low = self.word(mem)?;
        let high = self.word(mem)?;
        Ok(u64::from(high) << 32 | u64::from(low))
    }
}

/// Where formatted output goes; it may fail as a guest write or with an `errno`.
pub trait Sink {
    fn put(&mut self, mem: &mut dyn GuestMemory, bytes: &[u8]) -> Result<(), Error>;
}

impl Sink for Vec<u8> {
    fn put(&mut self, _: &mut dyn GuestMemory, bytes: &[u8]) -> Result<(), Error> {
        self.extend_from_slice(bytes);
        Ok(())
    }
}

/// Why formatting stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Error {
    /// An argument pointed outside the program's memory.
    Memory,
    /// A C failure: the call returns -1 with this `errno`.
    Errno(u32),
    /// A conversion the formatter does not do (positional arguments).
    Unsupported,
}

impl From<MemoryError> for Error {
    fn from(_: MemoryError) -> Error {
        Error::Memory
    }
}

/// Formats `format` (without its NUL) with `args` into `sink`; the count of bytes, as
/// `printf` returns it.
pub fn format(
    mem: &mut dyn GuestMemory,
    format: &[u8],
    args: &mut Args,
    sink: &mut dyn Sink,
) -> Result<u32, Error> {
    let mut out = Out { sink, count: 0 };
    let mut rest = format;
    while !rest.is_empty() {
        let text = rest.iter().position(|&b| b == b'%').unwrap_or(rest.len());
        out.put(mem, &rest[..text])?;
        rest = &rest[text..];
        if rest.is_empty() {
            break;
        }
        let Some(spec) = Spec::parse(&mut rest, args, mem)? else {
            break; // the format ended inside the conversion
        };
        conversion(mem, &spec, args, &mut out)?;
    }
    Ok(out.count as u32)
}

/// The output so far, counted.
struct Out<'a> {
    sink: &'a mut dyn Sink,
    count: u64,
}

impl Out<'_> {
    fn grow(&mut self, len: u64) -> Result<(), Error> {
        self.count += len;
        if self.count > INT_MAX {
            return Err(Error::Errno(EOVERFLOW));
        }
        Ok(())
    }

    fn put(&mut self, mem: &mut dyn GuestMemory, bytes: &[u8]) -> Result<(), Error> {
        self.grow(bytes.len() as u64)?;
        self.sink.put(mem, bytes)
    }

    /// `len` copies of `byte`, in pieces.
    fn repeat(&mut self, mem: &mut dyn GuestMemory, byte: u8, len: u64) -> Result<(), Error> {
        self.grow(len)?;
        let chunk = [byte; 4096];
        let mut left = len;
        while left > 0 {
            let n = left.min(chunk.len() as u64);
            self.sink.put(mem, &chunk[..n as usize])?;
            left -= n;
        }
        Ok(())
    }
}

// Length modifiers, as newlib's flags: when several are given, the first of these wins.
const QUAD: u8 = 1;
const LONG: u8 = 2;
const SHORT: u8 = 4;
const CHAR: u8 = 8;

/// One conversion specification.
#[derive(Debug, Default)]
struct Spec {
    left: bool,
    zero: bool,
    alt: bool,
    /// `+` or space.
    sign: Option<u8>,
    width: u64,
    precision: Option<u64>,
    size: u8,
    conversion: u8,
}

impl Spec {
    /// Parses the specification at the start of `rest` (its `%`) and moves past it; `None`
    /// if the format ends first. `*` takes its argument from `args`, as it is met.
    fn parse(
        rest: &mut &[u8],
        args: &mut Args,
        mem: &mut dyn GuestMemory,
    ) -> Result<Option<Spec>, Error> {
        let mut spec = Spec::default();
        let mut at = 1;
        loop {
            let Some(&ch) = rest.get(at) else {
                *rest = &[];
                return Ok(None);
            };
            at += 1;
            match ch {
                b' ' => spec.sign = spec.sign.or(Some(b' ')),
                b'+' => spec.sign = Some(b'+'),
                b'-' => spec.left = true,
                b'#' => spec.alt = true,
                b'0' => spec.zero = true,
                // Grouping: the C locale has no thousands separator.
                b'\'' => {}
                b'*' => {
                    if positional(&rest[at..]) {
                        return Err(Error::Unsupported);
                    }
                    let width = args.word(mem)? as i32;
                    if width < 0 {
                        spec.left = true;
                    }
                    spec.width = u64::from(width.unsigned_abs());
                    if spec.width > INT_MAX {
                        return Err(Error::Errno(EOVERFLOW));
                    }
                }
                b'.' => {
                    if rest.get(at) == Some(&b'*') {
                        at += 1;
                        if positional(&rest[at..]) {
                            return Err(Error::Unsupported);
                        }
                        let precision = args.word(mem)? as i32;
                        spec.precision = u64::try_from(precision).ok();
                    } else {
                        let (n, len) = number(&rest[at..])?;
                        at += len;
                        spec.precision = Some(n);
                    }
                }
                b'1'..=b'9' => {
                    let (n, len) = number(&rest[at - 1..])?;
                    at += len - 1;
                    if rest.get(at) == Some(&b'$') {
                        return Err(Error::Unsupported);
                    }
                    spec.width = n;
                }
                b'h' if rest.get(at) == Some(&b'h') => {
                    at += 1;
                    spec.size |= CHAR;
                }
                b'h' => spec.size |= SHORT,
                b'l' if rest.get(at) == Some(&b'l') => {
                    at += 1;
                    spec.size |= QUAD;
                }
                b'l' => spec.size |= LONG,
                b'q' | b'j' => spec.size |= QUAD,
                // size_t and ptrdiff_t are ints on the ARM; long double is double.
                b'z' | b't' | b'L' => {}
                _ => {
                    spec.conversion = ch;
                    *rest = &rest[at..];
                    return Ok(Some(spec));
                }
            }
        }
    }

    /// Whether the padding is zeros (after any sign and prefix) rather than spaces.
    fn zero_padded(&self) -> bool {
        self.zero && !self.left
    }
}

/// Whether digits then `$` start `text`: a positional argument.
fn positional(text: &[u8]) -> bool {
    let digits = text.iter().take_while(|b| b.is_ascii_digit()).count();
    digits > 0 && text.get(digits) == Some(&b'$')
}

/// The decimal number at the start of `text` and its length; more than `INT_MAX` fails.
fn number(text: &[u8]) -> Result<(u64, usize), Error> {
    let mut value: u64 = 0;
    let mut len = 0;
    for &b in text.iter().take_while(|b| b.is_ascii_digit()) {
        value = value * 10 + u64::from(b - b'0');
        if value > INT_MAX {
            return Err(Error::Errno(EOVERFLOW));
        }
        len += 1;
    }
    Ok((value, len))
}

/// A piece of a converted value: bytes, or a run of zeros too long to hold.
enum Piece {
    Bytes(Vec<u8>),
    Zeros(u64),
}

impl Piece {
    fn len(&self) -> u64 {
        match self {
            Piece::Bytes(bytes) => bytes.len() as u64,
            Piece::Zeros(n) => *n,
        }
    }
}

/// A converted value, to be padded to its width.
struct Field {
    sign: Option<u8>,
    /// `0x` and the like: zero padding goes after it.
    prefix: &'static [u8],
    /// Zeros a precision asks of an integer.
    leading_zeros: u64,
    body: Vec<Piece>,
    /// Whether the `0` flag pads (not for an integer with a precision, nor inf and nan).
    zero_pad: bool,
}

impl Field {
    fn new(body: Vec<u8>) -> Field {
        Field {
            sign: None,
            prefix: b"",
            leading_zeros: 0,
            body: vec![Piece::Bytes(body)],
            zero_pad: true,
        }
    }

    /// Writes the field padded to `spec`'s width, as newlib lays it out.
    fn emit(self, mem: &mut dyn GuestMemory, spec: &Spec, out: &mut Out) -> Result<(), Error> {
        let len = u64::from(self.sign.is_some())
            + self.prefix.len() as u64
            + self.leading_zeros
            + self.body.iter().map(Piece::len).sum::<u64>();
        let padding = spec.width.saturating_sub(len);
        let zero_padded = spec.zero_padded() && self.zero_pad;
        if !spec.left && !zero_padded {
            out.repeat(mem, b' ', padding)?;
        }
        if let Some(sign) = self.sign {
            out.put(mem, &[sign])?;
        }
        out.put(mem, self.prefix)?;
        if zero_padded {
            out.repeat(mem, b'0', padding)?;
        }
        out.repeat(mem, b'0', self.leading_zeros)?;
        for piece in &self.body {
            match piece {
                Piece::Bytes(bytes) => out.put(mem, bytes)?,
                Piece::Zeros(n) => out.repeat(mem, b'0', *n)?,
            }
        }
        if spec.left {
            out.repeat(mem, b' ', padding)?;
        }
        Ok(())
    }
}

/// Converts one argument (or none) as `spec` says.
fn conversion(
    mem: &mut dyn GuestMemory,
    spec: &Spec,
    args: &mut Args,
    out: &mut Out,
) -> Result<(), Error> {
    let field = match spec.conversion {
        b'd' | b'i' | b'D' => {
            let value = signed(spec, b'D', args, mem)?;
            let mut field = integer(spec, value.unsigned_abs(), 10, false);
            field.sign = if value < 0 { Some(b'-') } else { spec.sign };
            field
        }
        b'u' | b'U' => integer(spec, unsigned(spec, b'U', args, mem)?, 10, false),
        b'o' | b'O' => integer(spec, unsigned(spec, b'O', args, mem)?, 8, false),
        b'x' | b'X' => {
            let value = unsigned(spec, 0, args, mem)?;
            let upper = spec.conversion == b'X';
            let mut field = integer(spec, value, 16, upper);
            if spec.alt && value != 0 {
                field.prefix = if upper { b"0X" } else { b"0x" };
            }
            field
        }
        b'p' => {
            let mut field = integer(spec, u64::from(args.word(mem)?), 16, false);
            field.prefix = b"0x";
            field
        }
        b'c' | b'C' => {
            let value = args.word(mem)?;
            if spec.conversion == b'C' || spec.size & LONG != 0 {
                Field::new(vec![wide_char(value)?])
            } else {
                Field::new(vec![value as u8])
            }
        }
        b's' | b'S' => {
            let addr = args.word(mem)?;
            let wide = spec.conversion == b'S' || spec.size & LONG != 0;
            Field::new(string(mem, addr, spec.precision, wide)?)
        }
        b'n' => {
            let addr = args.word(mem)?;
            let count = out.count as u32;
            match spec.size {
                s if s & QUAD != 0 => mem.write_bytes(addr, &u64::from(count).to_le_bytes()),
                s if s & LONG != 0 => mem.write_u32(addr, count),
                s if s & SHORT != 0 => mem.write_bytes(addr, &(count as u16).to_le_bytes()),
                s if s & CHAR != 0 => mem.write_bytes(addr, &[count as u8]),
                _ => mem.write_u32(addr, count),
            }?;
            return Ok(());
        }
        b'e' | b'E' | b'f' | b'F' | b'g' | b'G' | b'a' | b'A' => {
            float(spec, f64::from_bits(args.pair(mem)?))
        }
        // `%%`, and what newlib does with any other character: prints it.
        other => Field::new(vec![other]),
    };
    field.emit(mem, spec, out)
}

/// A `d`/`i` argument, of the size the modifiers say (`long` for the BSD capital `long_form`).
fn signed(
    spec: &Spec,
    long_form: u8,
    args: &mut Args,
    mem: &mut dyn GuestMemory,
) -> Result<i64, MemoryError> {
    let size = size(spec, long_form);
    Ok(if size & QUAD != 0 {
        args.pair(mem)? as i64
    } else {
        let word = args.word(mem)?;
        i64::from(match size {
            s if s & LONG != 0 => word as i32,
            s if s & SHORT != 0 => i32::from(word as i16),
            s if s & CHAR != 0 => i32::from(word as i8),
            _ => word as i32,
        })
    })
}

/// An unsigned argument, of the size the modifiers say.
fn unsigned(
    spec: &Spec,
    long_form: u8,
    args: &mut Args,
    mem: &mut dyn GuestMemory,
) -> Result<u64, MemoryError> {
    let size = size(spec, long_form);
    Ok(if size & QUAD != 0 {
        args.pair(mem)?
    } else {
        let word = args.word(mem)?;
        u64::from(match size {
            s if s & LONG != 0 => word,
            s if s & SHORT != 0 => u32::from(word as u16),
            s if s & CHAR != 0 => u32::from(word as u8),
            _ => word,
        })
    })
}

/// The size flags, with `LONG` for the BSD capital conversions (`%D`, `%O`, `%U`).
fn size(spec: &Spec, long_form: u8) -> u8 {
    if spec.conversion == long_form {
        spec.size | LONG
    } else {
        spec.size
    }
}

/// An unsigned integer in `base`, with the precision's zeros; no sign, no prefix.
fn integer(spec: &Spec, value: u64, base: u64, upper: bool) -> Field {
    let digits: &[u8; 16] = if upper {
        b"0123456789ABCDEF"
    } else {
        b"0123456789abcdef"
    };
    let mut text = Vec::new();
    // "The result of converting a zero value with a precision of zero is no characters."
    if value != 0 || spec.precision != Some(0) {
        let mut v = value;
        loop {
            text.push(digits[(v % base) as usize]);
            v /= base;
            if v == 0 {
                break;
            }
        }
    }
    // `#o`: the precision grows to make the first digit a zero.
    if base == 8 && spec.alt && text.last() != Some(&b'0') {
        text.push(b'0');
    }
    text.reverse();
    let leading_zeros = spec
        .precision
        .map_or(0, |p| p.saturating_sub(text.len() as u64));
    let mut field = Field::new(text);
    field.leading_zeros = leading_zeros;
    field.zero_pad = spec.precision.is_none();
    field
}

/// A wide character as the C locale writes it: one byte, below 0x100; EILSEQ above.
fn wide_char(value: u32) -> Result<u8, Error> {
    u8::try_from(value).map_err(|_| Error::Errno(EILSEQ))
}

/// The bytes `%s` prints of the string at `addr` (of 32-bit `wchar_t`s if `wide`).
fn string(
    mem: &mut dyn GuestMemory,
    addr: u32,
    precision: Option<u64>,
    wide: bool,
) -> Result<Vec<u8>, Error> {
    let max = precision.map_or(STRING_MAX, |p| p.min(STRING_MAX as u64) as usize);
    if addr == 0 {
        return Ok(b"(null)"[..max.min(6)].to_vec());
    }
    if !wide {
        return Ok(bounded_string(mem, addr, max)?);
    }
    let mut text = Vec::new();
    let mut at = addr;
    while text.len() < max {
        let unit = mem.read_u32(at)?;
        if unit == 0 {
            break;
        }
        text.push(wide_char(unit)?);
        at = at.checked_add(4).ok_or(MemoryError)?;
    }
    Ok(text)
}

/// The string at `addr` up to its NUL or `max` bytes, read in pieces that do not cross a
/// 64-byte boundary (a string that ends before an unmapped page is read).
fn bounded_string(
    mem: &mut dyn GuestMemory,
    addr: u32,
    max: usize,
) -> Result<Vec<u8>, MemoryError> {
    let mut text = Vec::new();
    let mut chunk = [0; 64];
    while text.len() < max {
        let at = addr.checked_add(text.len() as u32).ok_or(MemoryError)?;
        let len = (64 - (at & 63) as usize).min(max - text.len());
        mem.read_bytes(at, &mut chunk[..len])?;
        match chunk[..len].iter().position(|&b| b == 0) {
            Some(end) => {
                text.extend_from_slice(&chunk[..end]);
                break;
            }
            None => text.extend_from_slice(&chunk[..len]),
        }
    }
    Ok(text)
}

/// `e E f F g G a A`.
fn float(spec: &Spec, value: f64) -> Field {
    let upper = spec.conversion.is_ascii_uppercase();
    let negative = value.is_sign_negative();
    if !value.is_finite() {
        let text = match (value.is_nan(), upper) {
            (true, false) => b"nan",
            (true, true) => b"NAN",
            (false, false) => b"inf",
            (false, true) => b"INF",
        };
        let mut field = Field::new(text.to_vec());
        field.sign = if negative { Some(b'-') } else { spec.sign };
        field.zero_pad = false;
        return field;
    }
    let value = value.abs();
    let mut field = match spec.conversion.to_ascii_lowercase() {
        b'f' => Field {
            body: fixed(value, spec.precision.unwrap_or(6), spec.alt),
            ..Field::new(Vec::new())
        },
        b'e' => Field {
            body: scientific(value, spec.precision.unwrap_or(6), spec.alt, upper),
            ..Field::new(Vec::new())
        },
        b'g' => Field {
            body: general(value, spec.precision, spec.alt, upper),
            ..Field::new(Vec::new())
        },
        _ => Field {
            prefix: if upper { b"0X" } else { b"0x" },
            body: hexadecimal(value, spec.precision, spec.alt, upper),
            ..Field::new(Vec::new())
        },
    };
    field.sign = if negative { Some(b'-') } else { spec.sign };
    field
}

/// `%f` of a finite, non-negative value.
fn fixed(value: f64, precision: u64, alt: bool) -> Vec<Piece> {
    let shown = precision.min(EXACT_FRACTION);
    let mut text = format!("{:.*}", shown as usize, value).into_bytes();
    if precision == 0 && alt {
        text.push(b'.');
    }
    vec![Piece::Bytes(text), Piece::Zeros(precision - shown)]
}

/// `%e` of a finite, non-negative value.
fn scientific(value: f64, precision: u64, alt: bool, upper: bool) -> Vec<Piece> {
    let shown = precision.min(EXACT_DIGITS);
    let (mut mantissa, exponent) = exponential(value, shown);
    if precision == 0 && alt {
        mantissa.push(b'.');
    }
    vec![
        Piece::Bytes(mantissa),
        Piece::Zeros(precision - shown),
        Piece::Bytes(exponent_text(exponent, upper)),
    ]
}

/// `format!("{:.*e}")`'s mantissa and exponent.
fn exponential(value: f64, precision: u64) -> (Vec<u8>, i32) {
    let text = format!("{:.*e}", precision as usize, value);
    let (mantissa, exponent) = text.split_once('e').unwrap_or((&text, "0"));
    (mantissa.as_bytes().to_vec(), exponent.parse().unwrap_or(0))
}

/// `e+05`: a sign and at least two digits.
fn exponent_text(exponent: i32, upper: bool) -> Vec<u8> {
    let e = if upper { 'E' } else { 'e' };
    let sign = if exponent < 0 { '-' } else { '+' };
    format!("{e}{sign}{:02}", exponent.unsigned_abs()).into_bytes()
}

/// `%g` of a finite, non-negative value: `%e` or `%f` by the exponent, with `P` significant
/// digits, and without trailing zeros unless `#`.
fn general(value: f64, precision: Option<u64>, alt: bool, upper: bool) -> Vec<Piece> {
    let p = match precision {
        None => 6,
        Some(0) => 1,
        Some(p) => p,
    };
    let exponent = if value == 0.0 {
        0
    } else {
        i64::from(exponential(value, (p - 1).min(EXACT_DIGITS)).1)
    };
    let mut pieces = if exponent < -4 || exponent >= p as i64 {
        scientific(value, p - 1, alt, upper)
    } else {
        fixed(value, (p as i64 - 1 - exponent) as u64, alt)
    };
    if !alt {
        pieces.retain(|piece| !matches!(piece, Piece::Zeros(_)));
        if let Some(Piece::Bytes(digits)) = pieces.first_mut() {
            if digits.contains(&b'.') {
                while digits.last() == Some(&b'0') {
                    digits.pop();
                }
                if digits.last() == Some(&b'.') {
                    digits.pop();
                }
            }
        }
    }
    pieces
}

/// `%a` of a finite, non-negative value, after the `0x`: newlib's digits, a leading 1 for
/// every value but zero (subnormals normalised), rounded to the precision half to even.
fn hexadecimal(value: f64, precision: Option<u64>, alt: bool, upper: bool) -> Vec<Piece> {
    const FRACTION_BITS: u32 = 52;
    let bits = value.to_bits();
    let (mut lead, mut fraction, exponent) = if value == 0.0 {
        (0, 0, 0)
    } else {
        let biased = (bits >> FRACTION_BITS) as i32;
        let mut mantissa = bits & ((1 << FRACTION_BITS) - 1);
        let mut exponent = biased - 1023;
        if biased == 0 {
            // A subnormal: shift the first 1 up to the implicit bit's place.
            let shift = mantissa.leading_zeros() - (63 - FRACTION_BITS);
            mantissa <<= shift;
            exponent = -1022 - shift as i32;
        }
        (1, mantissa & ((1 << FRACTION_BITS) - 1), exponent)
    };
    // 13 hex digits hold the fraction; fewer, rounded, if the precision says.
    let mut digits = 13;
    if let Some(p) = precision.filter(|&p| p < 13) {
        let dropped = 4 * (13 - p as u32);
        let kept = fraction >> dropped;
        let rest = fraction & ((1 << dropped) - 1);
        let half = 1 << (dropped - 1);
        // The last digit kept is the leading one if the precision is 0.
        let last_odd = if p == 0 { lead & 1 == 1 } else { kept & 1 == 1 };
        fraction = kept;
        if rest > half || (rest == half && last_odd) {
            fraction += 1;
            if fraction >> (4 * p) != 0 {
                fraction = 0;
                lead += 1;
            }
        }
        digits = p as usize;
    }
    let hex = if upper {
        format!("{fraction:0digits$X}")
    } else {
        format!("{fraction:0digits$x}")
    };
    let mut hex = if digits == 0 { String::new() } else { hex };
    if precision.is_none() {
        hex.truncate(hex.trim_end_matches('0').len());
    }
    let zeros = precision.map_or(0, |p| p.saturating_sub(13));
    let mut text = format!("{lead}");
    if !hex.is_empty() || zeros > 0 || alt {
        text.push('.');
    }
    text.push_str(&hex);
    let p = if upper { 'P' } else { 'p' };
    let sign = if exponent < 0 { '-' } else { '+' };
    let exponent = format!("{p}{sign}{}", exponent.unsigned_abs());
    vec![
        Piece::Bytes(text.into_bytes()),
        Piece::Zeros(zeros),
        Piece::Bytes(exponent.into_bytes()),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::guest::testing::Flat;

    /// An argument, as the tables of `format_cases.rs` give them.
    #[derive(Clone, Copy, Debug)]
    enum Arg {
        /// A 32-bit word.
        I(u32),
        /// A 64-bit integer.
        L(u64),
        /// A double, by its bits.
        D(u64),
        /// A string (its address is the argument).
        S(&'static [u8]),
        /// A pointer.
        P(u32),
    }
    use Arg::*;

    /// (format, arguments, what C's snprintf wrote, what it returned)
    type Case = (&'static [u8], &'static [Arg], &'static [u8], i32);

    mod cases {
        use super::{Arg::*, Case};
        include!("format_cases.rs");
    }

    /// Where the tests put a call's stacked arguments, or a `va_list`'s.
    const STACK: u32 = Flat::BASE + 0x4000;
    /// Where they put the strings the arguments point at.
    const STRINGS: u32 = Flat::BASE + 0x8000;

    /// Guest memory holding `args` as a call passes them after `fixed` words (registers, then
    /// the stack), or in memory as a `va_list` has them (`fixed` = `None`).
    fn place(args: &[Arg], fixed: Option<u32>) -> (Flat, Args) {
        let mut mem = Flat::new(Flat::BASE, 0x1_0000);
        let mut slots: Vec<u32> = vec![0xDEAD_BEEF; fixed.unwrap_or(0) as usize];
        let mut strings = STRINGS;
        for arg in args {
            match *arg {
                I(word) | P(word) => slots.push(word),
                L(pair) | D(pair) => {
                    if slots.len() % 2 == 1 {
                        slots.push(0xDEAD_BEEF);
                    }
                    slots.push(pair as u32);
                    slots.push((pair >> 32) as u32);
                }
                S(text) => {
                    mem.write_bytes(strings, text).unwrap();
                    mem.write_bytes(strings + text.len() as u32, &[0]).unwrap();
                    slots.push(strings);
                    strings += text.len() as u32 + 1;
                }
            }
        }
        let args = match fixed {
            Some(fixed) => {
                let mut regs = [0xDEAD_BEEF; 4];
                for (n, &word) in slots.iter().enumerate() {
                    match regs.get_mut(n) {
                        Some(reg) => *reg = word,
                        None => mem.write_u32(STACK + 4 * (n as u32 - 4), word).unwrap(),
                    }
                }
                let call = Call::with(0, regs, STACK);
                Args::variadic(&call, fixed)
            }
            None => {
                for (n, &word) in slots.iter().enumerate() {
                    mem.write_u32(STACK + 4 * n as u32, word).unwrap();
                }
                Args::list(STACK)
            }
        };
        (mem, args)
    }

    /// `format` with `args`, passed after `fixed` words or in a `va_list`: the count (or why
    /// it failed) and the output.
    fn run(format: &[u8], args: &[Arg], fixed: Option<u32>) -> (Result<u32, Error>, Vec<u8>) {
        let (mut mem, mut args) = place(args, fixed);
        let mut out = Vec::new();
        let result = super::format(&mut mem, format, &mut args, &mut out);
        (result, out)
    }

    /// The output of `format` with `args` (as `printf` passes them); it must not fail.
    fn text(format: &str, args: &[Arg]) -> String {
        let (result, out) = run(format.as_bytes(), args, Some(1));
        assert_eq!(result, Ok(out.len() as u32), "{format}");
        String::from_utf8(out).unwrap()
    }

    /// Every case, with its arguments after 1, 2 and 3 words (printf, sprintf, snprintf) and
    /// in a va_list, so that every argument is met in registers, on the stack and across.
    fn check(cases: &[Case]) {
        for &(format, args, expected, count) in cases {
            for fixed in [Some(1), Some(2), Some(3), None] {
                let (result, out) = run(format, args, fixed);
                let shown = String::from_utf8_lossy(format);
                assert_eq!(
                    String::from_utf8_lossy(&out),
                    String::from_utf8_lossy(expected),
                    "{shown} {args:?} after {fixed:?}"
                );
                assert_eq!(result, Ok(count as u32), "{shown} {args:?} after {fixed:?}");
            }
        }
    }

    #[test]
    fn prints_what_newlib_prints() {
        check(cases::NEWLIB);
    }

    #[test]
    fn prints_c99s_formats_as_c99_says() {
        check(cases::C99);
    }

    /// Where newlib's `%a` departs from glibc's (the `C99` table's): subnormals are
    /// normalised, with a leading 1 (newlib's `cvt` takes `frexp`'s mantissa).
    #[test]
    fn hex_floats_of_subnormals_are_normalised_as_newlib_has_them() {
        assert_eq!(text("%a", &[D(1)]), "0x1p-1074");
        assert_eq!(text("%a", &[D(0x0008_0000_0000_0000)]), "0x1p-1023");
        assert_eq!(text("%a", &[D(0x0000_0000_0000_0003)]), "0x1.8p-1073");
        assert_eq!(text("%.1a", &[D(1)]), "0x1.0p-1074");
        assert_eq!(
            text("%A", &[D(0x000F_FFFF_FFFF_FFFF)]),
            "0X1.FFFFFFFFFFFFEP-1023"
        );
    }

    /// Formats C leaves undefined, done newlib's way.
    #[test]
    fn undefined_formats_are_printed_as_newlib_prints_them() {
        // A `%` with a width is padded like a character (newlib 3.3 writes this but returns a
        // count of 2: its count is wrong, not its text).
        assert_eq!(text("%5%|", &[]), "    %|");
        assert_eq!(text("%-5%|", &[]), "%    |");
        assert_eq!(text("%05%", &[]), "0000%");
        // `L` is only for floats: `%Ld` takes an int.
        assert_eq!(text("%Ld %d", &[I(7), I(8)]), "7 8");
        // Flags, width and length in any order (newlib's parser loops over them).
        assert_eq!(text("%5-d|", &[I(1)]), "1    |");
        assert_eq!(text("%l5d|", &[I(1)]), "    1|");
        // A `*` then digits: the digits win.
        assert_eq!(text("%*5d|", &[I(9), I(1)]), "    1|");
    }

    #[test]
    fn positional_arguments_are_not_supported() {
        for format in ["%1$d", "%*1$d", "%.*2$d", "a %2$s"] {
            let (result, _) = run(format.as_bytes(), &[I(1), I(2)], Some(1));
            assert_eq!(result, Err(Error::Unsupported), "{format}");
        }
    }

    /// A sink that counts what it is given.
    struct Count(u64);

    impl Sink for Count {
        fn put(&mut self, _: &mut dyn GuestMemory, bytes: &[u8]) -> Result<(), Error> {
            self.0 += bytes.len() as u64;
            Ok(())
        }
    }

    fn count(format: &str, args: &[Arg]) -> (Result<u32, Error>, u64) {
        let (mut mem, mut args) = place(args, Some(1));
        let mut sink = Count(0);
        let result = super::format(&mut mem, format.as_bytes(), &mut args, &mut sink);
        (result, sink.0)
    }

    /// Widths and precisions up to INT_MAX are streamed, not built; output past INT_MAX
    /// fails with EOVERFLOW, as glibc's printf does.
    #[test]
    fn huge_widths_and_precisions_stream_and_past_int_max_overflow() {
        let max = i32::MAX as u32;
        assert_eq!(count("%2147483647d", &[I(1)]), (Ok(max), u64::from(max)));
        assert_eq!(
            count("%-2147483647s", &[S(b"x")]),
            (Ok(max), u64::from(max))
        );
        assert_eq!(count("%.2147483645f", &[D(0)]), (Ok(max), u64::from(max)));
        let overflow = Err(Error::Errno(EOVERFLOW));
        assert_eq!(count("%2147483647d%d", &[I(1), I(2)]).0, overflow);
        assert_eq!(count("%.2147483647f", &[D(0)]).0, overflow);
        assert_eq!(count("%2147483648d", &[I(1)]).0, overflow);
        assert_eq!(count("%.99999999999999999999d", &[I(1)]).0, overflow);
        // A width of INT_MIN from `*` is a `-` flag and a width too large.
        assert_eq!(count("%*d", &[I(0x8000_0000), I(1)]).0, overflow);
        // A precision from `*` may be INT_MAX: a string is read only as far as its NUL.
        assert_eq!(count("%.*s", &[I(max), S(b"abc")]), (Ok(3), 3));
    }

    /// Digits past a double's exact expansion are zeros, streamed.
    #[test]
    fn long_precisions_end_in_zeros() {
        let third = D((1.0f64 / 3.0).to_bits());
        let f = text("%.2000f", &[third]);
        assert_eq!(f.len(), 2002);
        assert!(f.starts_with("0.333333333333333314829616256247390992939472198486328125000"));
        assert!(f[57..].bytes().all(|b| b == b'0'));
        let e = text("%.1000e", &[third]);
        assert!(e.starts_with("3.33333333333333314829616256247390992939472198486328125000"));
        assert!(e.ends_with("000e-01"));
        assert_eq!(e.len(), 1006);
        assert_eq!(
            text("%.1000g", &[third]),
            "0.333333333333333314829616256247390992939472198486328125"
        );
        assert_eq!(text("%#.1000g", &[third]).len(), 1002);
        let a = text("%.1000a", &[D(1.5f64.to_bits())]);
        assert_eq!(
            (a.len(), &a[..6], &a[a.len() - 3..]),
            (1007, "0x1.80", "p+0")
        );
    }

    #[test]
    fn a_thousand_conversions_read_a_thousand_arguments() {
        // The stack is zeroes past the arguments: NULL strings.
        let format = "%s".repeat(1000);
        let expected = "(null)".repeat(999);
        assert_eq!(
            text(&format, &[S(b"a"), P(0), P(0)]),
            format!("a{expected}")
        );
        // Arguments past the end of memory fail, as a bad pointer.
        let format = "%d".repeat(20_000);
        assert_eq!(run(format.as_bytes(), &[], Some(1)).0, Err(Error::Memory));
    }

    #[test]
    fn a_string_outside_memory_is_a_bad_pointer() {
        assert_eq!(run(b"%s", &[P(0x2000_0000)], Some(1)).0, Err(Error::Memory));
        assert_eq!(
            run(b"%.3s", &[P(0x0FFF_FFFF)], Some(1)).0,
            Err(Error::Memory)
        );
        // A string that ends at the end of memory is read.
        let (mut mem, mut args) = place(&[P(Flat::BASE + 0xFFFE)], Some(1));
        mem.bytes[0xFFFE] = b'z';
        let mut out = Vec::new();
        assert_eq!(super::format(&mut mem, b"%s", &mut args, &mut out), Ok(1));
        assert_eq!(out, b"z");
    }

    #[test]
    fn percent_n_stores_the_count_so_far_in_the_size_given() {
        let at = Flat::BASE + 0x100;
        let (mut mem, mut args) = place(
            &[P(at), P(at + 8), P(at + 16), P(at + 24), P(at + 32)],
            Some(1),
        );
        mem.bytes[0x100..0x128].fill(0xAA);
        let mut out = Vec::new();
        let format = b"ab%nc%hhnde%hnf%lln%ln!";
        assert_eq!(super::format(&mut mem, format, &mut args, &mut out), Ok(7));
        assert_eq!(out, b"abcdef!");
        assert_eq!(mem.bytes[0x100..0x104], [2, 0, 0, 0]);
        assert_eq!(mem.bytes[0x108..0x10A], [3, 0xAA]);
        assert_eq!(mem.bytes[0x110..0x113], [5, 0, 0xAA]);
        assert_eq!(mem.bytes[0x118..0x120], [6, 0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(mem.bytes[0x120..0x124], [6, 0, 0, 0]);
        // Through a bad pointer, it is a bad pointer.
        assert_eq!(run(b"%n", &[P(4)], Some(1)).0, Err(Error::Memory));
    }

    #[test]
    fn wide_characters_are_bytes_below_0x100_and_eilseq_above() {
        let (mut mem, mut args) = place(&[P(Flat::BASE + 0x100)], Some(1));
        for (n, unit) in [0x41u32, 0xE9, 0x42, 0].iter().enumerate() {
            mem.write_u32(Flat::BASE + 0x100 + 4 * n as u32, *unit)
                .unwrap();
        }
        let mut out = Vec::new();
        assert_eq!(super::format(&mut mem, b"%ls", &mut args, &mut out), Ok(3));
        assert_eq!(out, b"A\xe9B");
        let (result, out) = run(b"%.2S|%lc%C", &[P(0), I(0x7A), I(0xFF)], Some(1));
        assert_eq!((result, &out[..]), (Ok(5), &b"(n|z\xff"[..]));
        let eilseq = Err(Error::Errno(EILSEQ));
        assert_eq!(run(b"%lc", &[I(0x263A)], Some(1)).0, eilseq);
        assert_eq!(run(b"%C", &[I(0xFFFF_FFFF)], Some(1)).0, eilseq);
    }
}
