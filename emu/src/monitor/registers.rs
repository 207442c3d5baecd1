//! `regs` and `set`.

use super::memory;
use super::parse::{self, Args, Register};
use crate::cpu::cp15::RegAddr;
use crate::cpu::{psr, Cpu, Mode};
use crate::machine::Machine;

/// The name the monitor prints for register `n`.
fn name(n: usize) -> String {
    match n {
        13 => "sp".to_string(),
        14 => "lr".to_string(),
        15 => "pc".to_string(),
        n => format!("r{n}"),
    }
}

/// A PSR as `600000d3  nZCvq IFt svc`.
pub(super) fn psr_text(value: u32) -> String {
    format!("{value:08x}  {}", psr::describe(value))
}

/// r0-r15 as `mode` sees them, four a line.
fn core_registers(cpu: &Cpu, mode: Mode) -> String {
    let mut out = String::new();
    for row in 0..4 {
        let line: Vec<String> = (0..4)
            .map(|col| {
                let n = row * 4 + col;
                format!("{:<3} {:08x}", name(n), cpu.reg_of(mode, n))
            })
            .collect();
        out.push_str(line.join("  ").trim_end());
        out.push('\n');
    }
    out
}

/// The SPSR line of a mode.
fn spsr_line(cpu: &Cpu, mode: Mode) -> String {
    match cpu.spsr_of(mode) {
        Some(spsr) => format!("spsr {}\n", psr_text(spsr)),
        None => format!("spsr --  ({} mode has none)\n", mode.name()),
    }
}

/// Every banked register: r8-r12 (FIQ's and the others'), sp, lr and SPSR by mode.
fn banked(cpu: &Cpu) -> String {
    let mut out = String::from(
        "banks    r8       r9       r10      r11      r12      sp       lr       spsr\n",
    );
    let banks = [
        Mode::User,
        Mode::Fiq,
        Mode::Irq,
        Mode::Supervisor,
        Mode::Abort,
        Mode::Undefined,
    ];
    for mode in banks {
        let label = if mode == Mode::User {
            "usr/sys".to_string()
        } else {
            mode.name().to_string()
        };
        let current = if mode.bank() == cpu.mode().bank() {
            '*'
        } else {
            ' '
        };
        let mut line = format!("{label:<7}{current}");
        for n in 8..=12 {
            // Only FIQ mode has r8-r12 of its own; the others share User mode's.
            if mode == Mode::User || mode == Mode::Fiq {
                line.push_str(&format!(" {:08x}", cpu.reg_of(mode, n)));
            } else {
                line.push_str("         ");
            }
        }
        for n in 13..=14 {
            line.push_str(&format!(" {:08x}", cpu.reg_of(mode, n)));
        }
        match cpu.spsr_of(mode) {
            Some(spsr) => line.push_str(&format!(" {}", psr_text(spsr))),
            None => line.push_str(" --"),
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// `regs [all|MODE]`.
pub(super) fn regs(machine: &Machine, mut args: Args) -> Result<String, String> {
    let which = args.next();
    args.finish()?;
    let cpu = &machine.cpu;
    let mode = match which {
        None | Some("all") => cpu.mode(),
        Some(name) => Mode::from_name(&name.to_ascii_lowercase()).ok_or_else(|| {
            format!("'{name}' is not 'all' or a mode (usr fiq irq svc abt und sys)")
        })?,
    };
    let mut out = String::new();
    if mode != cpu.mode() {
        out.push_str(&format!("as {} mode sees them:\n", mode.name()));
    }
    out.push_str(&core_registers(cpu, mode));
    out.push_str(&format!("cpsr {}\n", psr_text(cpu.cpsr())));
    out.push_str(&spsr_line(cpu, mode));
    if which == Some("all") {
        out.push_str(&banked(cpu));
    }
    // Where pc and lr are, by name, when the image has names for them.
    for (label, n) in [("pc", 15), ("lr", 14)] {
        let value = cpu.reg_of(mode, n) & if n == 14 { !1 } else { !0 };
        if machine.symbols.name_of(value).is_some() {
            out.push_str(&format!(
                "{label}  {}{}\n",
                memory::addr_text(machine, value),
                memory::source_text(machine, value)
            ));
        }
    }
    Ok(out)
}

/// CP15 registers `set` can write: their names and MCR addresses (CRn, opcode2).
const CP15_REGISTERS: [(&str, u32, u32); 9] = [
    ("control", 1, 0),
    ("sctlr", 1, 0),
    ("ttbr", 2, 0),
    ("dacr", 3, 0),
    ("dfsr", 5, 0),
    ("ifsr", 5, 1),
    ("far", 6, 0),
    ("fcsepid", 13, 0),
    ("contextid", 13, 1),
];

/// `set REGISTER VALUE`.
pub(super) fn set(machine: &mut Machine, mut args: Args) -> Result<String, String> {
    let target = args.required("register")?;
    let value_text = args.required("value")?;
    args.finish()?;
    let value = parse::eval(machine, value_text)?;
    let lower = target.to_ascii_lowercase();
    if let Some(&(name, crn, opc2)) = CP15_REGISTERS.iter().find(|r| r.0 == lower) {
        let reg = RegAddr {
            opc1: 0,
            crn,
            crm: 0,
            opc2,
        };
        let cpu = &mut machine.cpu;
        cpu.cp15
            .write(reg, value)
            .map_err(|_| format!("CP15 has no {name}"))?;
        cpu.control_changed();
        let now = cpu.cp15.read(reg).unwrap_or(value);
        return Ok(format!("{name} = 0x{now:08x}\n"));
    }
    let reg = parse::register(target).ok_or_else(|| format!("no register '{target}'"))?;
    let cpu = &mut machine.cpu;
    match reg {
        Register::Current(n) => cpu.set_reg(n, value),
        Register::Banked(mode, n) => cpu.set_reg_of(mode, n, value),
        Register::Cpsr => cpu.set_cpsr(value),
        Register::Spsr | Register::SpsrOf(_) => {
            let mode = match reg {
                Register::SpsrOf(mode) => mode,
                _ => cpu.mode(),
            };
            if !mode.has_spsr() {
                return Err(format!("{} mode has no SPSR", mode.name()));
            }
            cpu.set_spsr_of(mode, value);
        }
    }
    let now = parse::read_register(cpu, reg).unwrap_or(value);
    Ok(match reg {
        Register::Cpsr | Register::Spsr | Register::SpsrOf(_) => {
            format!("{lower} = {}\n", psr_text(now))
        }
        _ => format!("{lower} = 0x{now:08x}\n"),
    })
}
