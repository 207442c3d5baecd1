//! `info`: gdb's words for the monitor's views, for the habits of gdb users (`info break`,
//! `info reg`), and the symbol table's answers (`info symbol ADDR`, `info line LOC`).

use super::parse::{self, Args};
use super::{memory, points, registers, Monitor};
use crate::machine::Machine;

/// `info WHAT [ARGS]`.
pub(super) fn info(monitor: &Monitor, machine: &Machine, mut args: Args) -> Result<String, String> {
    let what = args.required("what: break, registers, symbol ADDR, line LOC")?;
    match what {
        "break" | "breakpoints" | "b" | "watchpoints" | "watch" | "points" => {
            points::list(monitor, machine, args)
        }
        "registers" | "reg" | "r" | "all-registers" => registers::regs(machine, args),
        "symbol" | "line" | "address" => {
            let text = args.rest().join(" ");
            if text.is_empty() {
                return Err(format!("info {what} needs an address or a name"));
            }
            let addr = parse::eval(machine, &text)?;
            if machine.symbols.name_of(addr).is_none() && machine.symbols.line_of(addr).is_none() {
                return Ok(format!("0x{addr:08x}: no symbol holds it\n"));
            }
            Ok(format!(
                "{}{}\n",
                memory::addr_text(machine, addr),
                memory::source_text(machine, addr)
            ))
        }
        other => Err(format!(
            "no 'info {other}' (break, registers, symbol ADDR, line LOC)"
        )),
    }
}
