//! `find`: a byte string, values of a width (little-endian) or a text, searched for in virtual
//! or physical memory over a range; `find next` goes on after the last match shown.
//!
//! Only RAM and ROM are searched (device registers are not memory: reading them in bulk means
//! nothing). Virtual addresses are translated as the monitor reads (the walk alone, 1 KiB at a
//! time, the smallest page); unmapped parts are skipped and counted. A search covers at most
//! [`MAX_RANGE`] bytes and shows at most [`MAX_SHOWN`] matches a command, so it always ends
//! soon.

use super::parse::{self, Args};
use super::{memory, Monitor};
use crate::bus::{Bus, Size};
use crate::machine::Machine;

/// The largest range one `find` covers.
const MAX_RANGE: u64 = 256 << 20;
/// Matches shown by one command; `find next` shows the next ones.
const MAX_SHOWN: usize = 16;
/// The unit translated at once: a tiny page.
const CHUNK: u32 = 1024;

/// A search in progress, for `find next`.
pub(super) struct Search {
    pattern: Vec<u8>,
    /// Values match only at addresses aligned to their width; bytes and texts anywhere.
    align: u64,
    physical: bool,
    /// Where the search goes on.
    next: u64,
    /// One past its last address.
    end: u64,
}

/// The bytes of a quoted text, with C's escapes `\n \t \r \0 \\ \" \xNN`.
fn text_bytes(text: &str) -> Result<Vec<u8>, String> {
    let inner = text
        .strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .filter(|t| !t.is_empty())
        .ok_or_else(|| format!("{text}: a text is written in double quotes"))?;
    let mut out = Vec::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            let mut buf = [0; 4];
            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            continue;
        }
        match chars.next() {
            Some('n') => out.push(b'\n'),
            Some('t') => out.push(b'\t'),
            Some('r') => out.push(b'\r'),
            Some('0') => out.push(0),
            Some('\\') => out.push(b'\\'),
            Some('"') => out.push(b'"'),
            Some('x') => {
                let hex: String = chars.by_ref().take(2).collect();
                let byte = u8::from_str_radix(&hex, 16)
                    .ok()
                    .filter(|_| hex.len() == 2)
                    .ok_or_else(|| format!("\\x{hex}: two hexadecimal digits follow \\x"))?;
                out.push(byte);
            }
            other => return Err(format!("\\{}: not an escape", other.unwrap_or(' '))),
        }
    }
    Ok(out)
}

/// The bytes of values of `size`, each an expression, little-endian.
fn value_bytes(machine: &Machine, words: &[&str], size: Size) -> Result<Vec<u8>, String> {
    let bytes = size.bytes() as usize;
    let mut out = Vec::new();
    for word in words {
        let value = parse::eval(machine, word)?;
        let bits = 8 * bytes as u32;
        let fits = bits == 32
            || value >> bits == 0
            || (value as i32) < 0 && (value as i32) >= -(1i32 << (bits - 1));
        if !fits {
            return Err(format!("{word} does not fit in {bytes} byte(s)"));
        }
        out.extend_from_slice(&value.to_le_bytes()[..bytes]);
    }
    Ok(out)
}

/// `find [-p] START END|+LEN PATTERN` and `find next`.
pub(super) fn find(
    monitor: &mut Monitor,
    machine: &Machine,
    mut args: Args,
) -> Result<String, String> {
    let physical = args.flag("-p");
    let words = args.rest();
    if words == ["next"] {
        let Some(search) = monitor.search.as_mut() else {
            return Err("no search to go on with".to_string());
        };
        return Ok(run(machine, search));
    }
    let [start, end, pattern @ ..] = words.as_slice() else {
        return Err("give a range (START END, or START +LEN) and what to find".to_string());
    };
    let start = u64::from(parse::eval(machine, start)?);
    let end = match end.strip_prefix('+') {
        Some(len) => start + u64::from(parse::eval(machine, len)?),
        None => u64::from(parse::eval(machine, end)?) + 1,
    };
    if end <= start {
        return Err("the range ends before it starts".to_string());
    }
    if end - start > MAX_RANGE {
        return Err(format!(
            "a search covers at most {} MiB: give a smaller range",
            MAX_RANGE >> 20
        ));
    }
    let (pattern, align) = match pattern {
        [] => return Err("what to find: \"text\", -b BYTES, -h HALFWORDS or -w WORDS".to_string()),
        [first, ..] if first.starts_with('"') => (text_bytes(&pattern.join(" "))?, 1),
        [flag, values @ ..] if matches!(*flag, "-b" | "-h" | "-w") => {
            if values.is_empty() {
                return Err(format!("{flag} needs values"));
            }
            let size = match *flag {
                "-b" => Size::Byte,
                "-h" => Size::Half,
                _ => Size::Word,
            };
            (value_bytes(machine, values, size)?, u64::from(size.bytes()))
        }
        values => (value_bytes(machine, values, Size::Word)?, 4),
    };
    let search = monitor.search.insert(Search {
        pattern,
        align,
        physical,
        next: start,
        end,
    });
    Ok(run(machine, search))
}

/// The RAM or ROM bytes of the chunk at `addr`, if it is mapped to memory.
fn chunk(machine: &Machine, addr: u32, physical: bool) -> Option<&[u8]> {
    let pa = if physical {
        addr
    } else {
        memory::debugger_pa(machine, addr).ok()?
    };
    let page = machine.board.ram_page(pa)?;
    let start = page.offset as usize + (pa & (crate::bus::PAGE_SIZE - 1)) as usize;
    machine.board.ram().get(start..start + CHUNK as usize)
}

/// Searches on from `search.next`, showing up to [`MAX_SHOWN`] matches.
fn run(machine: &Machine, search: &mut Search) -> String {
    let len = search.pattern.len() as u64;
    let mut out = String::new();
    let mut shown = 0;
    let mut skipped = 0u64;
    // The bytes of the chunks read so far that a match starting in them may still need, and
    // the address of the first.
    let mut window: Vec<u8> = Vec::new();
    let mut window_at = search.next;
    let mut at = search.next & !u64::from(CHUNK - 1);
    while at < search.end && shown < MAX_SHOWN {
        match chunk(machine, at as u32, search.physical) {
            Some(bytes) => {
                if window.is_empty() {
                    window_at = at;
                }
                window.extend_from_slice(bytes);
            }
            None => {
                skipped += u64::from(CHUNK);
                window.clear();
            }
        }
        at += u64::from(CHUNK);
        // Every start in the window whose match fits in it.
        let mut consumed = 0;
        if window.len() as u64 >= len {
            for i in 0..=(window.len() - len as usize) {
                let addr = window_at + i as u64;
                consumed = i + 1;
                if addr < search.next
                    || addr + len > search.end
                    || !addr.is_multiple_of(search.align)
                {
                    continue;
                }
                if window[i..i + len as usize] == search.pattern[..] {
                    let place = if search.physical {
                        format!("physical 0x{addr:08x}")
                    } else {
                        memory::addr_text(machine, addr as u32)
                    };
                    out.push_str(&format!("{place}\n"));
                    shown += 1;
                    search.next = addr + 1;
                    if shown == MAX_SHOWN {
                        break;
                    }
                }
            }
        }
        window.drain(..consumed.min(window.len()));
        window_at += consumed as u64;
    }
    if shown == MAX_SHOWN && search.next < search.end {
        out.push_str(&format!("{shown} shown; 'find next' goes on\n"));
        return out;
    }
    search.next = search.end;
    if shown == 0 {
        out.push_str("not found");
    } else {
        out.push_str(&format!("{shown} found"));
    }
    if skipped > 0 {
        out.push_str(&format!(
            " ({skipped} bytes not searched: not mapped, or not RAM or ROM)"
        ));
    }
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts() {
        assert_eq!(text_bytes("\"ab\\n\\x41\\0\""), Ok(b"ab\nA\0".to_vec()));
        assert!(text_bytes("\"\"").is_err());
        assert!(text_bytes("\"\\q\"").is_err());
        assert!(text_bytes("\"\\x4\"").is_err());
        assert!(text_bytes("noquotes").is_err());
    }
}
