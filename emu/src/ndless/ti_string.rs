//! TI-OS's `String` objects (OS calls 209-226 but 223), as the SDK's `nucleus.h` lays them out:
//! a `String` points at four words, `char *str` (the text, UTF-16LE and NUL-terminated),
//! `int len` (its length in UTF-16 units), `int chunk_size` and a word the SDK leaves unknown.
//! Here `chunk_size` is the size in bytes of the block `str` points at, which grows in chunks
//! of 64 bytes from the program's heap, and the unknown word holds the block of the text
//! `string_to_ascii` last gave (freed with the string). All of it is in guest memory.
//!
//! TI documents none of the calls; their names follow Java's `String`, and this is what they
//! do here. Indices are UTF-16 units and are cut to the text. `string_set_ascii`,
//! `string_set_utf16`, `string_concat_utf16`, `string_insert_utf16` (at an index) and
//! `string_insert_replace_utf16` (replacing `start..end`) return 1, or 0 with the string
//! unchanged when the heap has no room. `string_charAt` gives the unit at an index as a
//! `char` (`?` past Latin-1, 0 outside the text); `string_indexOf_utf16(s, from, text)` the
//! first index from `from` where `text` is, `string_last_indexOf_utf16(s, from, text)` the
//! last at or before `from`, -1 if none; `string_compareTo_utf16` the difference of the first
//! units that differ, else of the lengths; `string_substring(s, dest, start, end)` puts
//! `start..end` of `s` in `dest` and returns `dest`'s text; `string_erase(s, i)` removes
//! the unit at `i`, `string_truncate(s, n)` keeps the first `n`; `string_lower` lowers
//! ASCII letters; `string_to_ascii` gives the text with `?` for what is not ASCII;
//! `string_sprintf_utf16(s, format, ...)` formats as `sprintf` does (a UTF-16 format; `%s`
//! takes a C string) into `s` and returns its length. `string_substring_utf16` (223), whose
//! arguments the SDK does not know either, is not answered.

use super::format::{self, Args, Error, Sink};
use super::{read, utf16, Answer, Call, Ndless};
use crate::guest::{GuestMemory, MemoryError};

const STRING_NEW: u32 = 209;
const STRING_FREE: u32 = 210;
const STRING_TO_ASCII: u32 = 211;
const STRING_LOWER: u32 = 212;
const STRING_CHAR_AT: u32 = 213;
const STRING_CONCAT_UTF16: u32 = 214;
const STRING_SET_ASCII: u32 = 215;
const STRING_SET_UTF16: u32 = 216;
const STRING_INDEX_OF_UTF16: u32 = 217;
const STRING_LAST_INDEX_OF_UTF16: u32 = 218;
const STRING_COMPARE_TO_UTF16: u32 = 219;
const STRING_SUBSTRING: u32 = 220;
const STRING_ERASE: u32 = 221;
const STRING_TRUNCATE: u32 = 222;
const STRING_INSERT_REPLACE_UTF16: u32 = 224;
const STRING_INSERT_UTF16: u32 = 225;
const STRING_SPRINTF_UTF16: u32 = 226;

/// The OS calls answered here.
pub const NUMBERS: &[u32] = &[
    STRING_NEW,
    STRING_FREE,
    STRING_TO_ASCII,
    STRING_LOWER,
    STRING_CHAR_AT,
    STRING_CONCAT_UTF16,
    STRING_SET_ASCII,
    STRING_SET_UTF16,
    STRING_INDEX_OF_UTF16,
    STRING_LAST_INDEX_OF_UTF16,
    STRING_COMPARE_TO_UTF16,
    STRING_SUBSTRING,
    STRING_ERASE,
    STRING_TRUNCATE,
    STRING_INSERT_REPLACE_UTF16,
    STRING_INSERT_UTF16,
    STRING_SPRINTF_UTF16,
];

/// The four words of a `String`.
const HEADER: u32 = 16;
/// The text's block grows by this many bytes.
const CHUNK: u32 = 64;
/// The longest text, in units (as long as a UTF-16 string read from the program may be).
const UNITS_MAX: u32 = 0x1_0000;

/// A `String` as its words say.
struct TiString {
    addr: u32,
    text: u32,
    len: u32,
    size: u32,
    ascii: u32,
}

impl TiString {
    /// The `String` at `addr`; an error if its words cannot be one.
    fn load(mem: &mut dyn GuestMemory, addr: u32) -> Result<TiString, MemoryError> {
        let words = read(mem, addr, HEADER)?;
        let word =
            |i: usize| u32::from_le_bytes([words[i], words[i + 1], words[i + 2], words[i + 3]]);
        let s = TiString {
            addr,
            text: word(0),
            len: word(4),
            size: word(8),
            ascii: word(12),
        };
        if s.text == 0 || s.len >= UNITS_MAX || 2 * (s.len + 1) > s.size {
            return Err(MemoryError);
        }
        Ok(s)
    }

    fn store(&self, mem: &mut dyn GuestMemory) -> Result<(), MemoryError> {
        let words: Vec<u8> = [self.text, self.len, self.size, self.ascii]
            .iter()
            .flat_map(|w| w.to_le_bytes())
            .collect();
        mem.write_bytes(self.addr, &words)
    }

    fn units(&self, mem: &mut dyn GuestMemory) -> Result<Vec<u16>, MemoryError> {
        let bytes = read(mem, self.text, 2 * self.len)?;
        Ok(bytes
            .chunks_exact(2)
            .map(|p| u16::from_le_bytes([p[0], p[1]]))
            .collect())
    }

    /// Makes `units` the text, growing its block if needed; false (unchanged) when the heap
    /// has no room.
    fn set(
        &mut self,
        ndless: &Ndless,
        mem: &mut dyn GuestMemory,
        units: &[u16],
    ) -> Result<bool, MemoryError> {
        let len = units.len().min(UNITS_MAX as usize - 1) as u32;
        let needed = 2 * (len + 1);
        if needed > self.size {
            let size = needed.div_ceil(CHUNK) * CHUNK;
            let text = ndless.heap.realloc(mem, self.text, size)?;
            if text == 0 {
                return Ok(false);
            }
            (self.text, self.size) = (text, size);
        }
        let mut bytes: Vec<u8> = units[..len as usize]
            .iter()
            .flat_map(|u| u.to_le_bytes())
            .collect();
        bytes.extend([0, 0]);
        mem.write_bytes(self.text, &bytes)?;
        self.len = len;
        self.store(mem)?;
        Ok(true)
    }
}

/// An index into a text of `len` units, cut to it.
fn cut(index: u32, len: usize) -> usize {
    (index as i32).max(0).unsigned_abs().min(len as u32) as usize
}

/// Answers OS call `index`, one of [`NUMBERS`].
pub fn call(
    ndless: &mut Ndless,
    index: u32,
    call: &Call,
    mem: &mut dyn GuestMemory,
) -> Result<Answer, MemoryError> {
    let [addr, a, b, c] = call.args;
    match index {
        STRING_NEW => return Ok(Answer::Value(new(ndless, mem)?)),
        STRING_FREE => {
            if addr != 0 {
                let s = TiString::load(mem, addr)?;
                for block in [s.text, s.ascii, addr] {
                    ndless.heap.free(mem, block)?;
                }
            }
            return Ok(Answer::Value(0));
        }
        _ => {}
    }
    let mut s = TiString::load(mem, addr)?;
    let text = s.units(mem)?;
    let len = text.len();
    let done = |ok: bool| u32::from(ok);
    let value = match index {
        STRING_TO_ASCII => {
            let mut bytes: Vec<u8> = text
                .iter()
                .map(|&u| if u < 0x80 { u as u8 } else { b'?' })
                .collect();
            bytes.push(0);
            ndless.heap.free(mem, s.ascii)?;
            s.ascii = ndless.heap.alloc(mem, bytes.len() as u32)?;
            if s.ascii != 0 {
                mem.write_bytes(s.ascii, &bytes)?;
            }
            s.store(mem)?;
            s.ascii
        }
        STRING_LOWER => {
            let lower: Vec<u16> = text
                .iter()
                .map(|&u| {
                    if (0x41..=0x5A).contains(&u) {
                        u + 0x20
                    } else {
                        u
                    }
                })
                .collect();
            s.set(ndless, mem, &lower)?;
            0
        }
        STRING_CHAR_AT => match text.get(a as usize) {
            Some(&u) if u < 0x100 => u32::from(u),
            Some(_) => u32::from(b'?'),
            None => 0,
        },
        STRING_CONCAT_UTF16 => {
            let joined = [text, utf16(mem, a)?].concat();
            done(s.set(ndless, mem, &joined)?)
        }
        STRING_SET_ASCII => {
            let units: Vec<u16> = super::string(mem, a)?
                .iter()
                .map(|&b| u16::from(b))
                .collect();
            done(s.set(ndless, mem, &units)?)
        }
        STRING_SET_UTF16 => {
            let units = utf16(mem, a)?;
            done(s.set(ndless, mem, &units)?)
        }
        STRING_INDEX_OF_UTF16 | STRING_LAST_INDEX_OF_UTF16 => {
            let needle = utf16(mem, b)?;
            let at = |i: &usize| text[*i..].starts_with(&needle);
            let found = match index {
                STRING_INDEX_OF_UTF16 => (cut(a, len)..=len).find(at),
                _ if (a as i32) < 0 => None,
                _ => (0..=cut(a, len)).rev().find(at),
            };
            found.map_or(u32::MAX, |i| i as u32)
        }
        STRING_COMPARE_TO_UTF16 => {
            let other = utf16(mem, a)?;
            let differ = text.iter().zip(&other).find(|(x, y)| x != y);
            match differ {
                Some((&x, &y)) => (i32::from(x) - i32::from(y)) as u32,
                None => (len as i32 - other.len() as i32) as u32,
            }
        }
        STRING_SUBSTRING => {
            let (start, end) = (cut(b, len), cut(c, len));
            let mut dest = TiString::load(mem, a)?;
            dest.set(ndless, mem, &text[start..end.max(start)])?;
            dest.text
        }
        STRING_ERASE => {
            let i = a as usize;
            if i < len {
                s.set(ndless, mem, &[&text[..i], &text[i + 1..]].concat())?;
            }
            0
        }
        STRING_TRUNCATE => {
            s.set(ndless, mem, &text[..cut(a, len)])?;
            0
        }
        STRING_INSERT_UTF16 | STRING_INSERT_REPLACE_UTF16 => {
            let insert = utf16(mem, a)?;
            let start = cut(b, len);
            let end = match index {
                STRING_INSERT_UTF16 => start,
                _ => cut(c, len).max(start),
            };
            let units = [&text[..start], &insert, &text[end..]].concat();
            done(s.set(ndless, mem, &units)?)
        }
        STRING_SPRINTF_UTF16 => {
            let format: Vec<u8> = String::from_utf16_lossy(&utf16(mem, a)?).into_bytes();
            let mut out = Capped(Vec::new());
            match format::format(mem, &format, &mut Args::variadic(call, 2), &mut out) {
                Ok(_) => {}
                Err(Error::Memory) => return Err(MemoryError),
                Err(Error::Unsupported) => return Ok(Answer::Unsupported),
                Err(Error::Errno(_)) => return Ok(Answer::Value(u32::MAX)),
            }
            let units: Vec<u16> = String::from_utf8_lossy(&out.0).encode_utf16().collect();
            match s.set(ndless, mem, &units)? {
                true => units.len() as u32,
                false => u32::MAX,
            }
        }
        _ => return Ok(Answer::Unsupported),
    };
    Ok(Answer::Value(value))
}

/// Formatted output kept up to what a text can hold (a width of a billion is streamed by the
/// formatter, and dropped here).
struct Capped(Vec<u8>);

impl Sink for Capped {
    fn put(&mut self, _: &mut dyn GuestMemory, bytes: &[u8]) -> Result<(), Error> {
        let room = (4 * UNITS_MAX as usize).saturating_sub(self.0.len());
        self.0.extend_from_slice(&bytes[..bytes.len().min(room)]);
        Ok(())
    }
}

/// `string_new`: an empty string from the heap; 0 when it has no room.
fn new(ndless: &Ndless, mem: &mut dyn GuestMemory) -> Result<u32, MemoryError> {
    let addr = ndless.heap.alloc(mem, HEADER)?;
    if addr == 0 {
        return Ok(0);
    }
    let text = ndless.heap.alloc(mem, CHUNK)?;
    if text == 0 {
        ndless.heap.free(mem, addr)?;
        return Ok(0);
    }
    mem.write_bytes(text, &[0, 0])?;
    let s = TiString {
        addr,
        text,
        len: 0,
        size: CHUNK,
        ascii: 0,
    };
    s.store(mem)?;
    Ok(addr)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::machine::Machine;
    use crate::ndless::boot::PhysicalMemory;
    use crate::ndless::heap::Heap;

    /// Every call on a new string, with every other argument (registers and stack) an extreme,
    /// a pointer to text or one to nothing: each answers, none panics.
    #[test]
    fn no_arguments_make_a_call_panic() {
        let mut machine = Machine::nspire_cx(0);
        let mut mem = PhysicalMemory(&mut machine.board);
        let mut ndless = Ndless::new(Box::new(std::io::sink()), Box::new(std::io::sink()));
        ndless.heap = Heap {
            start: 0x1100_0000,
            end: 0x1200_0000,
        };
        ndless.heap.init(&mut mem).unwrap();
        let (text, stack) = (0x1300_0000, 0x1300_1000);
        let units: Vec<u8> = "a%s%d%999999999d"
            .encode_utf16()
            .chain([0])
            .flat_map(u16::to_le_bytes)
            .collect();
        mem.write_bytes(text, &units).unwrap();
        for &index in NUMBERS {
            for v in [0, 1, u32::MAX, 0x8000_0000, 0x7FFF_FFFF, text, 0x2000_0000] {
                let s = new(&ndless, &mut mem).unwrap();
                let words: Vec<u8> = (0..8).flat_map(|_| v.to_le_bytes()).collect();
                mem.write_bytes(stack, &words).unwrap();
                let call = Call::with(index, [s, v, v, v], stack);
                let _ = super::call(&mut ndless, index, &call, &mut mem);
                if index != STRING_FREE {
                    let string = TiString::load(&mut mem, s).expect("still a String");
                    assert!(string.len < UNITS_MAX, "call {index}, {v:#x}");
                }
            }
        }
    }

    #[test]
    fn indices_are_cut_to_the_text() {
        assert_eq!(cut(3, 10), 3);
        assert_eq!(cut(30, 10), 10);
        assert_eq!(cut(-4i32 as u32, 10), 0);
    }
}
