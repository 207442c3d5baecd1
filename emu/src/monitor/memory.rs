//! Memory as the debugger sees it: `x`, `poke`, `dis`, `translate`, `pagetable`.
//!
//! Virtual addresses go through the current translation tables as a debugger's accesses do:
//! the walk alone, with every domain treated as a manager so that no permission check stops
//! the debugger from reading (or patching) what the guest protects from itself. Nothing is
//! cached: each access walks the tables with side-effect-free reads.

use super::parse::{self, Args};
use super::peek_word;
use crate::bus::{Bus, Size};
use crate::cpu::cp15::control;
use crate::disasm::{disassemble_arm, disassemble_thumb};
use crate::machine::Machine;
use crate::mmu::{self, dump, status, Access, DomainAccess, Fault, PageKind};

/// The physical address a debugger's access to `va` reaches: the translation alone.
pub(super) fn debugger_pa(machine: &Machine, va: u32) -> Result<u32, Fault> {
    let mut cp15 = machine.cpu.cp15.clone();
    cp15.dacr = !0;
    mmu::translate(&cp15, va, Access::Read, false, |pa| peek_word(machine, pa)).result
}

/// Why a debugger read failed, in words.
fn fault_text(fault: Fault) -> String {
    status::name(fault.status).to_string()
}

/// Reads `size` bytes at virtual (or physical) `addr`, aligned to the size, without side
/// effects.
pub(super) fn read(
    machine: &Machine,
    addr: u32,
    size: Size,
    physical: bool,
) -> Result<u32, String> {
    let pa = if physical {
        addr
    } else {
        debugger_pa(machine, addr).map_err(fault_text)?
    };
    machine
        .board
        .peek(pa, size)
        .ok_or_else(|| format!("nothing readable at physical 0x{pa:08x}"))
}

/// One instruction: its encoding as objdump prints it, its text and its size.
pub(super) struct Decoded {
    pub encoding: String,
    pub text: String,
    pub size: u32,
}

/// Disassembles the instruction at `addr` in ARM or Thumb state.
pub(super) fn decode(machine: &Machine, addr: u32, thumb: bool) -> Result<Decoded, String> {
    if thumb {
        let first = read(machine, addr, Size::Half, false)? as u16;
        let second = read(machine, addr.wrapping_add(2), Size::Half, false)
            .ok()
            .map(|h| h as u16);
        let (text, size) = disassemble_thumb(first, second, addr);
        let encoding = match (size, second) {
            (4, Some(second)) => format!("{first:04x} {second:04x}"),
            _ => format!("{first:04x}"),
        };
        Ok(Decoded {
            encoding,
            text: tidy(&text),
            size,
        })
    } else {
        let word = read(machine, addr, Size::Word, false)?;
        Ok(Decoded {
            encoding: format!("{word:08x}"),
            text: tidy(&disassemble_arm(word, addr)),
            size: 4,
        })
    }
}

/// objdump's tabs made into spaces: `ldr\tr0, [pc, #4]\t@ 0x60` -> `ldr r0, [pc, #4]  @ 0x60`.
pub(super) fn tidy(text: &str) -> String {
    let mut parts = text.split('\t').filter(|p| !p.is_empty());
    let mut out = parts.next().unwrap_or("").to_string();
    for (i, part) in parts.enumerate() {
        out.push_str(if i == 0 && !part.starts_with('@') {
            " "
        } else {
            "  "
        });
        out.push_str(part);
    }
    out
}

/// An address with its symbol's name, as `0x00000100 <main+0x8>` (the address alone where no
/// symbol holds it).
pub(super) fn addr_text(machine: &Machine, addr: u32) -> String {
    match machine.symbols.name_of(addr) {
        Some(name) => format!("0x{addr:08x} <{name}>"),
        None => format!("0x{addr:08x}"),
    }
}

/// ` at tests/gdb/target.c:14` for code the line table knows; empty otherwise.
pub(super) fn source_text(machine: &Machine, addr: u32) -> String {
    match machine.symbols.line_of(addr) {
        Some((file, line)) => format!(" at {file}:{line}"),
        None => String::new(),
    }
}

/// Names the address an instruction's text ends with (a branch's target, a literal's
/// address after `@`), as objdump does: `bl 0x2d0 <square>`.
fn name_target(machine: &Machine, text: String) -> String {
    let target = text
        .rsplit([' ', '\t'])
        .next()
        .and_then(|w| w.strip_prefix("0x"))
        .and_then(|hex| u32::from_str_radix(hex, 16).ok());
    match target.and_then(|t| machine.symbols.name_of(t)) {
        Some(name) => format!("{text} <{name}>"),
        None => text,
    }
}

/// One line of disassembly: `0x00000100 <main+0x8>:  e3a00001   mov r0, #1`.
pub(super) fn line(machine: &Machine, addr: u32, thumb: bool) -> (String, u32) {
    let at = addr_text(machine, addr);
    match decode(machine, addr, thumb) {
        Ok(d) => (
            format!("{at}:  {:<9}  {}", d.encoding, name_target(machine, d.text)),
            d.size,
        ),
        Err(e) => (format!("{at}:  <{e}>"), if thumb { 2 } else { 4 }),
    }
}

/// Where the machine stands: the instruction at the PC, and its source line if known.
pub(super) fn location(machine: &Machine) -> String {
    let cpu = &machine.cpu;
    let pc = cpu.pc();
    let mut out = format!("=> {}\n", line(machine, pc, cpu.is_thumb()).0);
    if let Some((file, line)) = machine.symbols.line_of(pc) {
        out.push_str(&format!("   {file}:{line}\n"));
    }
    out
}

/// A unit of `x` and `poke`.
fn unit(text: &str) -> Option<Size> {
    match text {
        "b" | "1" => Some(Size::Byte),
        "h" | "2" => Some(Size::Half),
        "w" | "4" => Some(Size::Word),
        _ => None,
    }
}

/// `x[/[N][b|h|w]] [-p] ADDR [N]`.
pub(super) fn examine(
    machine: &Machine,
    format: Option<&str>,
    mut args: Args,
) -> Result<String, String> {
    let physical = args.flag("-p");
    let mut size = Size::Word;
    let mut count = None;
    if let Some(format) = format {
        let digits: String = format.chars().take_while(char::is_ascii_digit).collect();
        // gdb's format letter x (hexadecimal, the only one) may stand with the unit: x/16xw.
        let letters: String = format[digits.len()..]
            .chars()
            .filter(|&c| c != 'x')
            .collect();
        if !digits.is_empty() {
            count = Some(parse::count(&digits)?);
        }
        if !letters.is_empty() {
            size = unit(&letters).ok_or_else(|| format!("'/{format}': the unit is b, h or w"))?;
        }
    }
    let addr = parse::eval(machine, args.required("address")?)?;
    if let Some(n) = args.next() {
        count = Some(parse::count(n)?);
    }
    args.finish()?;
    let bytes = size.bytes();
    let count = count.unwrap_or(64 / bytes as u64);
    if count == 0 || count.saturating_mul(bytes as u64) > 0x10000 {
        return Err("the count must be 1 to 64 KiB's worth".to_string());
    }
    if addr % bytes != 0 {
        return Err(format!("0x{addr:08x} is not aligned to {bytes} bytes"));
    }
    let mut out = String::new();
    let per_line = 16 / bytes;
    let mut at = addr;
    let mut left = count;
    while left > 0 {
        let units = left.min(per_line as u64) as u32;
        let mut hex = String::new();
        let mut ascii = String::new();
        for i in 0..units {
            let a = at.wrapping_add(i * bytes);
            match read(machine, a, size, physical) {
                Ok(value) => {
                    hex.push_str(&format!(" {value:0width$x}", width = 2 * bytes as usize));
                    for b in &value.to_le_bytes()[..bytes as usize] {
                        ascii.push(if b.is_ascii_graphic() || *b == b' ' {
                            *b as char
                        } else {
                            '.'
                        });
                    }
                }
                Err(_) => {
                    hex.push(' ');
                    hex.push_str(&"?".repeat(2 * bytes as usize));
                    ascii.push_str(&"?".repeat(bytes as usize));
                }
            }
        }
        let hex_width = (per_line * (2 * bytes + 1)) as usize;
        let label = match machine.symbols.name_of(at).filter(|_| !physical) {
            Some(name) => format!(" <{name}>"),
            None => String::new(),
        };
        out.push_str(&format!("0x{at:08x}:{hex:<hex_width$}  |{ascii}|{label}\n"));
        at = at.wrapping_add(units * bytes);
        left -= units as u64;
    }
    Ok(out)
}

/// `poke [-p] ADDR VALUE [b|h|w]`.
pub(super) fn poke(machine: &mut Machine, mut args: Args) -> Result<String, String> {
    let physical = args.flag("-p");
    let addr = parse::eval(machine, args.required("address")?)?;
    let value = parse::eval(machine, args.required("value")?)?;
    let size = match args.next() {
        Some(text) => unit(text).ok_or_else(|| format!("'{text}': the size is b, h or w"))?,
        None => Size::Word,
    };
    args.finish()?;
    let bytes = size.bytes();
    if addr % bytes != 0 {
        return Err(format!("0x{addr:08x} is not aligned to {bytes} bytes"));
    }
    // A value fits if it does unsigned, or as a negative number (-1 for 0xff).
    let bits = 8 * bytes;
    let fits = bits == 32
        || value >> bits == 0
        || ((value as i32) < 0 && (value as i32) >= -(1i32 << (bits - 1)));
    if !fits {
        return Err(format!("0x{value:x} does not fit in {bytes} byte(s)"));
    }
    let pa = if physical {
        addr
    } else {
        debugger_pa(machine, addr).map_err(fault_text)?
    };
    let in_memory = machine
        .board
        .regions()
        .iter()
        .any(|r| r.contains(pa) && r.contains(pa + bytes - 1));
    if !in_memory {
        let device = machine
            .board
            .slots()
            .iter()
            .find(|s| pa.wrapping_sub(s.base) < s.size)
            .map(|s| s.name.clone());
        return Err(match device {
            Some(name) => {
                format!("physical 0x{pa:08x} is a register of {name}: poke writes RAM and ROM only")
            }
            None => format!("nothing at physical 0x{pa:08x}"),
        });
    }
    let old = machine.board.peek(pa, size).unwrap_or(0);
    let mask = if bytes == 4 {
        u32::MAX
    } else {
        (1 << (8 * bytes)) - 1
    };
    let value = value & mask;
    machine
        .board
        .load(pa, &value.to_le_bytes()[..bytes as usize]);
    let width = 2 * bytes as usize;
    let place = if physical {
        format!("physical 0x{pa:08x}")
    } else {
        format!("0x{addr:08x} (physical 0x{pa:08x})")
    };
    Ok(format!("{place}: 0x{old:0width$x} -> 0x{value:0width$x}\n"))
}

/// `dis [-a|-t] [ADDR] [N]`.
pub(super) fn disassemble(machine: &Machine, mut args: Args) -> Result<String, String> {
    let arm = args.flag("-a");
    let thumb_flag = args.flag("-t");
    if arm && thumb_flag {
        return Err("-a and -t together".to_string());
    }
    let pc = machine.cpu.pc();
    let addr = match args.next() {
        Some(text) => parse::eval(machine, text)?,
        None => pc,
    };
    // Without -a or -t: the state of the function the address is in, if the symbols say
    // (an ELF's Thumb functions have bit 0 set), else the CPU's.
    let function = machine
        .symbols
        .containing(addr)
        .map(|(s, _)| s)
        .filter(|s| s.code && addr != pc);
    let thumb = thumb_flag || (!arm && function.map_or(machine.cpu.is_thumb(), |s| s.thumb));
    let count = match args.next() {
        Some(text) => parse::count(text)?,
        None => 8,
    };
    args.finish()?;
    if count == 0 || count > 10_000 {
        return Err("the count must be 1 to 10000".to_string());
    }
    let align = if thumb { 2 } else { 4 };
    let mut at = addr & !(align - 1);
    let mut out = String::new();
    let mut last_line = None;
    for _ in 0..count {
        // objdump -l's headers: a symbol's start, a new source line.
        if let Some((symbol, 0)) = machine.symbols.containing(at) {
            out.push_str(&format!("<{}>:\n", symbol.name));
        }
        let source = machine.symbols.line_of(at);
        if source.is_some() && source != last_line {
            if let Some((file, number)) = source {
                out.push_str(&format!("{file}:{number}\n"));
            }
        }
        last_line = source;
        let (text, size) = line(machine, at, thumb);
        let marker = if at == pc { "=> " } else { "   " };
        out.push_str(&format!("{marker}{text}\n"));
        at = at.wrapping_add(size);
    }
    Ok(out)
}

/// What a domain's DACR field means, in words.
fn domain_text(access: DomainAccess) -> &'static str {
    match access {
        DomainAccess::NoAccess => "no access",
        DomainAccess::Client => "client",
        DomainAccess::Reserved => "reserved (no access)",
        DomainAccess::Manager => "manager",
    }
}

/// What AP bits allow privileged and User code, as `priv rw, user ro`.
fn ap_text(ap: u32, s: bool, r: bool) -> String {
    let (privileged, user) = dump::permissions(ap, s, r);
    format!("priv {}, user {}", privileged.as_str(), user.as_str())
}

fn l1_kind(l1: u32) -> &'static str {
    match l1 & 3 {
        0 => "fault (unmapped)",
        1 => "coarse page table",
        2 => "section",
        _ => "fine page table",
    }
}

fn l2_kind(l2: u32, fine: bool) -> &'static str {
    match (l2 & 3, fine) {
        (0, _) => "fault (unmapped)",
        (1, _) => "large page (64 KiB)",
        (2, _) => "small page (4 KiB)",
        (_, true) => "tiny page (1 KiB)",
        (_, false) => "tiny page in a coarse table: fault",
    }
}

/// `translate [-u] [-w|-x] VA`.
pub(super) fn translate(machine: &Machine, mut args: Args) -> Result<String, String> {
    let user_flag = args.flag("-u");
    let write = args.flag("-w");
    let fetch = args.flag("-x");
    if write && fetch {
        return Err("-w and -x together".to_string());
    }
    let va = parse::eval(machine, args.required("address")?)?;
    args.finish()?;
    let cpu = &machine.cpu;
    let user = user_flag || !cpu.mode().is_privileged();
    let access = if write {
        Access::Write
    } else if fetch {
        Access::Fetch
    } else {
        Access::Read
    };
    let walk = cpu.translate(&machine.board, va, access, user);
    let cp15 = &cpu.cp15;
    let (s, r) = dump::s_r_bits(cp15);
    let what = match access {
        Access::Read => "read",
        Access::Write => "write",
        Access::Fetch => "fetch",
    };
    let mut out = format!(
        "virtual 0x{va:08x}, {} {what}; MVA 0x{:08x} (FCSE PID 0x{:08x})\n",
        if user { "User" } else { "privileged" },
        walk.mva,
        cp15.fcse_pid
    );
    if !walk.mmu_enabled {
        out.push_str("MMU off: the physical address is the MVA\n");
    } else {
        out.push_str(&format!("TTBR 0x{:08x}\n", walk.ttbr));
        if let Some((addr, value)) = walk.l1 {
            match value {
                Some(l1) => {
                    out.push_str(&format!(
                        "L1 descriptor at 0x{addr:08x}: 0x{l1:08x}  {}\n",
                        l1_kind(l1)
                    ));
                    if l1 & 3 != 0 {
                        let domain = (l1 >> 5) & 0xF;
                        let field = (cp15.dacr >> (2 * domain)) & 3;
                        let access = walk.domain.map(|d| d.1).unwrap_or(match field {
                            0 => DomainAccess::NoAccess,
                            1 => DomainAccess::Client,
                            2 => DomainAccess::Reserved,
                            _ => DomainAccess::Manager,
                        });
                        out.push_str(&format!(
                            "domain {domain}: DACR bits {}:{} = {field:02b}, {}\n",
                            2 * domain + 1,
                            2 * domain,
                            domain_text(access)
                        ));
                    }
                }
                None => out.push_str(&format!(
                    "L1 descriptor at 0x{addr:08x}: nothing answers there\n"
                )),
            }
        }
        if let Some((addr, value)) = walk.l2 {
            let fine = walk.l1.and_then(|l| l.1).is_some_and(|l1| l1 & 3 == 3);
            match value {
                Some(l2) => out.push_str(&format!(
                    "L2 descriptor at 0x{addr:08x}: 0x{l2:08x}  {}\n",
                    l2_kind(l2, fine)
                )),
                None => out.push_str(&format!(
                    "L2 descriptor at 0x{addr:08x}: nothing answers there\n"
                )),
            }
        }
        if let Some(ap) = walk.ap {
            let descriptor = walk.l2.or(walk.l1).and_then(|d| d.1).unwrap_or(0);
            out.push_str(&format!(
                "AP {ap:02b} (S={} R={}): {}; {}{}\n",
                s as u8,
                r as u8,
                ap_text(ap, s, r),
                if descriptor & 8 != 0 { "C" } else { "-" },
                if descriptor & 4 != 0 { "B" } else { "-" },
            ));
            if walk.domain.is_some_and(|d| d.1 == DomainAccess::Manager) {
                out.push_str("manager domain: AP is not checked\n");
            }
        }
    }
    match walk.result {
        Ok(pa) => {
            let kind = walk
                .kind
                .map_or(String::new(), |k| format!(" ({})", kind_name(k)));
            out.push_str(&format!("physical 0x{pa:08x}{kind}\n"));
        }
        Err(fault) => out.push_str(&format!(
            "fault: {}; FSR 0x{:03x} (domain {}, status {:04b}), FAR 0x{:08x}\n",
            status::name(fault.status),
            fault.fsr(),
            fault.domain,
            fault.status,
            fault.addr
        )),
    }
    Ok(out)
}

fn kind_name(kind: PageKind) -> &'static str {
    match kind {
        PageKind::Section => "section",
        PageKind::Large => "large page",
        PageKind::Small => "small page",
        PageKind::Tiny => "tiny page",
    }
}

/// A size in bytes as `4 KiB`, `1 MiB`.
fn size_text(size: u64) -> String {
    if size >= 1 << 20 && size.is_multiple_of(1 << 20) {
        format!("{} MiB", size >> 20)
    } else if size >= 1 << 10 && size.is_multiple_of(1 << 10) {
        format!("{} KiB", size >> 10)
    } else {
        format!("{size} B")
    }
}

/// `pagetable [-f]`.
pub(super) fn pagetable(machine: &Machine, mut args: Args) -> Result<String, String> {
    let force = args.flag("-f");
    args.finish()?;
    let cp15 = &machine.cpu.cp15;
    let mmu_on = cp15.control & control::M != 0;
    let (s, r) = dump::s_r_bits(cp15);
    let mut out = format!(
        "TTBR 0x{:08x}, DACR 0x{:08x}, S={} R={}, FCSE PID 0x{:08x}, MMU {}\n",
        cp15.ttbr,
        cp15.dacr,
        s as u8,
        r as u8,
        cp15.fcse_pid,
        if mmu_on { "on" } else { "off" }
    );
    if !mmu_on && !force {
        out.push_str(
            "the MMU is off: every address maps to itself (pagetable -f reads the tables anyway)\n",
        );
        return Ok(out);
    }
    let dump = dump::dump(cp15, |pa| peek_word(machine, pa));
    if dump.mappings.is_empty() {
        out.push_str("nothing is mapped\n");
    }
    for m in &dump.mappings {
        let (privileged, user) = m.permissions(s, r);
        out.push_str(&format!(
            "0x{:08x}-0x{:08x} -> 0x{:08x}  {:>8}  {:<10}  domain {:>2} {:<9}  AP {:02b} priv {} user {}  {}{}\n",
            m.va,
            m.va_end(),
            m.pa,
            size_text(m.size),
            kind_name(m.kind),
            m.domain,
            domain_text(m.access),
            m.ap,
            privileged.as_str(),
            user.as_str(),
            if m.cacheable { "C" } else { "-" },
            if m.bufferable { "B" } else { "-" },
        ));
    }
    if let (Some(first), n) = (dump.unreadable.first(), dump.unreadable.len()) {
        out.push_str(&format!(
            "{n} descriptor(s) unreadable, the first at physical 0x{:08x} (for 0x{:08x})\n",
            first.descriptor, first.va
        ));
    }
    Ok(out)
}
