//! The system around the core: `cp15`, `devices`, `irq`.

use super::parse::{self, Args};
use super::peek_word;
use crate::board::{AnyDevice, Slot};
use crate::cpu::cp15::{control, CACHE_TYPE, MAIN_ID};
use crate::cpu::psr;
use crate::machine::Machine;
use crate::mmu::status;

/// The control register's bits: name, mask, meaning when set.
const CONTROL_BITS: [(&str, u32, &str); 10] = [
    ("M", control::M, "MMU enabled"),
    ("A", control::A, "alignment fault checking"),
    ("C", control::C, "data cache"),
    ("B", control::B, "big-endian"),
    ("S", control::S, "system protection"),
    ("R", control::R, "ROM protection"),
    ("I", control::I, "instruction cache"),
    ("V", control::V, "high vectors at 0xffff0000"),
    ("RR", control::RR, "round-robin cache replacement"),
    ("L4", control::L4, "loads to pc do not interwork (ARMv4)"),
];

fn domain_field(bits: u32) -> &'static str {
    match bits & 3 {
        0 => "no access",
        1 => "client",
        2 => "reserved",
        _ => "manager",
    }
}

/// An FSR decoded: `domain 0, permission fault (section)`.
fn fsr_text(fsr: u32) -> String {
    if fsr & 0xF == 0 {
        return "no fault".to_string();
    }
    format!("domain {}, {}", (fsr >> 4) & 0xF, status::name(fsr & 0xF))
}

/// `cp15`.
pub(super) fn cp15(machine: &Machine, args: Args) -> Result<String, String> {
    args.finish()?;
    let cp = &machine.cpu.cp15;
    let mut out = format!("control   0x{:08x}\n", cp.control);
    for (name, mask, meaning) in CONTROL_BITS {
        out.push_str(&format!(
            "  {name:<2} {}  {meaning}\n",
            (cp.control & mask != 0) as u8
        ));
    }
    out.push_str(&format!("TTBR      0x{:08x}\n", cp.ttbr));
    out.push_str(&format!("DACR      0x{:08x}\n", cp.dacr));
    for row in 0..2 {
        let fields: Vec<String> = (row * 8..row * 8 + 8)
            .map(|d| format!("{d:>2} {:<9}", domain_field(cp.dacr >> (2 * d))))
            .collect();
        out.push_str(&format!("  {}\n", fields.join(" ").trim_end()));
    }
    out.push_str(&format!(
        "DFSR      0x{:08x}  {}\n",
        cp.dfsr,
        fsr_text(cp.dfsr)
    ));
    out.push_str(&format!(
        "IFSR      0x{:08x}  {}\n",
        cp.ifsr,
        fsr_text(cp.ifsr)
    ));
    out.push_str(&format!("FAR       0x{:08x}\n", cp.far));
    out.push_str(&format!(
        "FCSE PID  0x{:08x}  (process {})\n",
        cp.fcse_pid,
        cp.fcse_pid >> 25
    ));
    out.push_str(&format!("context   0x{:08x}\n", cp.context_id));
    out.push_str(&format!(
        "main ID   0x{MAIN_ID:08x}, cache type 0x{CACHE_TYPE:08x}\n"
    ));
    Ok(out)
}

/// A register of a device, read without side effects: `00000000`, or `--------`.
fn register(machine: &Machine, addr: u32) -> String {
    peek_word(machine, addr).map_or("--------".to_string(), |v| format!("{v:08x}"))
}

/// The PrimeCell identification of a device, if its ID registers hold one (PrimeCell TRMs,
/// "Peripheral and PrimeCell identification registers": PCellID0-2 read 0x0D, 0xF0, 0x05).
fn primecell_id(machine: &Machine, slot: &Slot) -> Option<String> {
    if slot.size < 0x1000 {
        return None;
    }
    let id = |offset: u32| peek_word(machine, slot.base + offset).map(|v| v & 0xFF);
    let cell = [id(0xFF0)?, id(0xFF4)?, id(0xFF8)?];
    if cell != [0x0D, 0xF0, 0x05] {
        return None;
    }
    let (p0, p1, p2) = (id(0xFE0)?, id(0xFE4)?, id(0xFE8)?);
    Some(format!(
        "PrimeCell part 0x{:03x}, designer 0x{:02x}, revision {}",
        p0 | (p1 & 0xF) << 8,
        (p1 >> 4) | (p2 & 0xF) << 4,
        p2 >> 4
    ))
}

/// The size of a window, as `64 KiB`.
fn size_text(size: u32) -> String {
    if size >= 1 << 20 && size.is_multiple_of(1 << 20) {
        format!("{} MiB", size >> 20)
    } else {
        format!("{} KiB", size >> 10)
    }
}

/// `devices [NAME|ADDR]`.
pub(super) fn devices(machine: &Machine, mut args: Args) -> Result<String, String> {
    let filter = args.rest().join(" ");
    let board = &machine.board;
    let slot_line = |slot: &Slot| {
        let irq = slot.irq.map_or(String::new(), |l| format!(" irq {l}"));
        format!(
            "{} 0x{:08x}-0x{:08x} ({}){irq}\n",
            slot.name,
            slot.base,
            slot.base.wrapping_add(slot.size.saturating_sub(1)),
            size_text(slot.size)
        )
    };
    let rows = |slot: &Slot, words: u32| {
        let mut out = String::new();
        for row in 0..words.div_ceil(4) {
            let cells: Vec<String> = (row * 4..(row * 4 + 4).min(words))
                .map(|i| format!("+{:03x} {}", 4 * i, register(machine, slot.base + 4 * i)))
                .collect();
            out.push_str(&format!("    {}\n", cells.join("  ")));
        }
        if let Some(id) = primecell_id(machine, slot) {
            out.push_str(&format!("    {id}\n"));
        }
        out
    };
    if !filter.is_empty() {
        let by_addr = parse::number(&filter);
        let slot = board
            .slots()
            .iter()
            .find(|s| {
                s.name.eq_ignore_ascii_case(&filter)
                    || by_addr.is_some_and(|a| a.wrapping_sub(s.base) < s.size)
            })
            .ok_or_else(|| format!("no device '{filter}'"))?;
        return Ok(format!("{}{}", slot_line(slot), rows(slot, 16)));
    }
    let mut out = String::from("memory:\n");
    for region in board.regions() {
        out.push_str(&format!(
            "  {} 0x{:08x}-0x{:08x} ({}{})\n",
            region.name,
            region.base,
            region.base.wrapping_add(region.size.saturating_sub(1)),
            size_text(region.size),
            if region.writable { "" } else { ", read-only" }
        ));
    }
    out.push_str("devices:\n");
    for slot in board.slots() {
        out.push_str("  ");
        out.push_str(&slot_line(slot));
        out.push_str(&rows(slot, 4));
    }
    Ok(out)
}

/// The lines set in `bits`, with the devices wired to them: `1 (UART), 17 (fast timer)`.
fn lines_text(machine: &Machine, bits: u32) -> String {
    if bits == 0 {
        return "none".to_string();
    }
    (0..32)
        .filter(|line| bits & (1 << line) != 0)
        .map(|line| {
            let names: Vec<&str> = machine
                .board
                .slots()
                .iter()
                .filter(|s| s.irq == Some(line as u8))
                .map(|s| s.name.as_str())
                .collect();
            if names.is_empty() {
                format!("{line}")
            } else {
                format!("{line} ({})", names.join(", "))
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// VIC registers `irq` shows (PL190 TRM table 3.1), and whether to name the lines set in them.
const VIC_REGISTERS: [(&str, u32, bool); 8] = [
    ("VICIRQSTATUS", 0x000, true),
    ("VICFIQSTATUS", 0x004, true),
    ("VICRAWINTR", 0x008, true),
    ("VICINTSELECT", 0x00C, true),
    ("VICINTENABLE", 0x010, true),
    ("VICSOFTINT", 0x018, true),
    ("VICVECTADDR", 0x030, false),
    ("VICDEFVECTADDR", 0x034, false),
];

/// `irq`.
pub(super) fn interrupts(machine: &Machine, args: Args) -> Result<String, String> {
    args.finish()?;
    let board = &machine.board;
    let levels = board.lines.data[0];
    let mut out = format!("lines asserted: {}\n", lines_text(machine, levels));
    match board
        .slots()
        .iter()
        .find(|s| matches!(s.device, AnyDevice::Vic(_)))
    {
        Some(vic) => {
            out.push_str(&format!("{} at 0x{:08x}:\n", vic.name, vic.base));
            for (name, offset, lines) in VIC_REGISTERS {
                let value = peek_word(machine, vic.base + offset);
                let text = match value {
                    Some(v) if lines && v != 0 => format!("0x{v:08x}  {}", lines_text(machine, v)),
                    Some(v) => format!("0x{v:08x}"),
                    None => "--------".to_string(),
                };
                out.push_str(&format!("  {name:<15}{text}\n"));
            }
        }
        None => out.push_str("no interrupt controller\n"),
    }
    let (irq, fiq) = board.interrupt_outputs();
    let cpsr = machine.cpu.cpsr();
    let input = |asserted: bool, mask: u32, name: &str| {
        format!(
            "{name} {}{}",
            if asserted { "asserted" } else { "not asserted" },
            if cpsr & mask != 0 {
                format!(
                    " (masked by CPSR.{})",
                    if mask == psr::I { "I" } else { "F" }
                )
            } else {
                String::new()
            }
        )
    };
    out.push_str(&format!(
        "CPU inputs: {}; {}\n",
        input(irq, psr::I, "nIRQ"),
        input(fiq, psr::F, "nFIQ")
    ));
    Ok(out)
}
