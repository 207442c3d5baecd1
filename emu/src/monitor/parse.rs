//! The words of a command line: flags, numbers, register names and the small expressions that
//! stand for addresses and values (`0x10000000`, `sp+8`, `pc-4`, `r0_fiq`).

use super::expr;
use crate::cpu::{Cpu, Mode};
use crate::machine::Machine;

/// The arguments of one command, consumed as the command reads them.
pub(super) struct Args<'a> {
    words: Vec<&'a str>,
}

impl<'a> Args<'a> {
    pub(super) fn new(words: Vec<&'a str>) -> Args<'a> {
        Args { words }
    }

    /// Removes every occurrence of the flag `name` (`-p`), saying whether there was one.
    pub(super) fn flag(&mut self, name: &str) -> bool {
        let before = self.words.len();
        self.words.retain(|w| *w != name);
        self.words.len() != before
    }

    /// The next positional argument.
    pub(super) fn next(&mut self) -> Option<&'a str> {
        (!self.words.is_empty()).then(|| self.words.remove(0))
    }

    /// The next argument, which the command needs.
    pub(super) fn required(&mut self, what: &str) -> Result<&'a str, String> {
        self.next().ok_or_else(|| format!("missing {what}"))
    }

    /// Every argument left.
    pub(super) fn rest(&mut self) -> Vec<&'a str> {
        std::mem::take(&mut self.words)
    }

    /// Fails if arguments are left over.
    pub(super) fn finish(self) -> Result<(), String> {
        match self.words.first() {
            None => Ok(()),
            Some(word) => Err(format!("unexpected '{word}'")),
        }
    }
}

/// A number: `0x` hexadecimal, `0b` binary, or decimal (a leading `-` for two's complement);
/// `_` may separate digits.
pub(super) fn number(text: &str) -> Option<u32> {
    let text = text.replace('_', "");
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.as_str()),
    };
    let lower = digits.to_ascii_lowercase();
    let value = if let Some(hex) = lower.strip_prefix("0x") {
        u64::from_str_radix(hex, 16).ok()?
    } else if let Some(bin) = lower.strip_prefix("0b") {
        u64::from_str_radix(bin, 2).ok()?
    } else {
        lower.parse::<u64>().ok()?
    };
    if negative {
        (value <= 1 << 31).then(|| (value as u32).wrapping_neg())
    } else {
        u32::try_from(value).ok()
    }
}

/// A count: a number that is not negative.
pub(super) fn count(text: &str) -> Result<u64, String> {
    let plain = text.replace('_', "");
    let lower = plain.to_ascii_lowercase();
    let value = if let Some(hex) = lower.strip_prefix("0x") {
        u64::from_str_radix(hex, 16).ok()
    } else {
        lower.parse::<u64>().ok()
    };
    value.ok_or_else(|| format!("'{text}' is not a count"))
}

/// A register the monitor can name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Register {
    /// r0-r15 of the current mode.
    Current(usize),
    /// r0-r15 as a given mode sees them (`r13_irq`, `lr_svc`, `r8_fiq`).
    Banked(Mode, usize),
    Cpsr,
    /// The current mode's SPSR.
    Spsr,
    SpsrOf(Mode),
}

/// The number of a core register name: `r0`-`r15` or the aliases `sl fp ip sp lr pc`.
fn core_register(name: &str) -> Option<usize> {
    let aliases = ["sl", "fp", "ip", "sp", "lr", "pc"];
    if let Some(i) = aliases.iter().position(|a| *a == name) {
        return Some(10 + i);
    }
    let n: usize = name.strip_prefix('r')?.parse().ok()?;
    // Reject `r007` and the like: only the canonical spelling.
    (n < 16 && format!("r{n}") == name).then_some(n)
}

/// Parses a register name (case-insensitive).
pub(super) fn register(name: &str) -> Option<Register> {
    let name = name.to_ascii_lowercase();
    match name.as_str() {
        "cpsr" => return Some(Register::Cpsr),
        "spsr" => return Some(Register::Spsr),
        _ => {}
    }
    if let Some((base, mode)) = name.split_once('_') {
        let mode = Mode::from_name(mode)?;
        if base == "spsr" {
            return mode.has_spsr().then_some(Register::SpsrOf(mode));
        }
        return core_register(base).map(|n| Register::Banked(mode, n));
    }
    core_register(&name).map(Register::Current)
}

/// The value of a register; `None` for the SPSR of a mode without one.
pub(super) fn read_register(cpu: &Cpu, reg: Register) -> Option<u32> {
    match reg {
        Register::Current(n) => Some(cpu.reg(n)),
        Register::Banked(mode, n) => Some(cpu.reg_of(mode, n)),
        Register::Cpsr => Some(cpu.cpsr()),
        Register::Spsr => cpu.spsr_of(cpu.mode()),
        Register::SpsrOf(mode) => cpu.spsr_of(mode),
    }
}

/// `file.c:14` as a file and a line, if `text` is that.
fn file_line(text: &str) -> Option<(&str, u32)> {
    let (file, line) = text.rsplit_once(':')?;
    let plain = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '/' | '_' | '-' | '+');
    let line = line.parse().ok()?;
    (!file.is_empty() && file.chars().all(plain)).then_some((file, line))
}

/// Evaluates an address or a value: `file.c:LINE` (the line's first instruction), or an
/// expression of the monitor's language (see [`super::expr`]: `main+8`, `sp+4`, `[r0]`).
pub(super) fn eval(machine: &Machine, text: &str) -> Result<u32, String> {
    if let Some((file, line)) = file_line(text) {
        return machine.symbols.address_of_line(file, line);
    }
    let expr = expr::parse(text, &|name| machine.symbols.address_of(name))?;
    expr.eval(&expr::Live(machine))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers() {
        assert_eq!(number("0x10"), Some(16));
        assert_eq!(number("0X1_0000"), Some(0x10000));
        assert_eq!(number("42"), Some(42));
        assert_eq!(number("0b101"), Some(5));
        assert_eq!(number("-1"), Some(0xFFFF_FFFF));
        assert_eq!(number("0xFFFFFFFF"), Some(u32::MAX));
        assert_eq!(number("0x100000000"), None);
        assert_eq!(number("-"), None);
        assert_eq!(number("0x"), None);
        assert_eq!(number("sp"), None);
        assert_eq!(number("--1"), None);
    }

    #[test]
    fn registers() {
        assert_eq!(register("r0"), Some(Register::Current(0)));
        assert_eq!(register("SP"), Some(Register::Current(13)));
        assert_eq!(register("r13_irq"), Some(Register::Banked(Mode::Irq, 13)));
        assert_eq!(
            register("lr_svc"),
            Some(Register::Banked(Mode::Supervisor, 14))
        );
        assert_eq!(register("spsr_fiq"), Some(Register::SpsrOf(Mode::Fiq)));
        assert_eq!(register("spsr_usr"), None);
        assert_eq!(register("r16"), None);
        assert_eq!(register("r01"), None);
        assert_eq!(register("r8_xyz"), None);
        assert_eq!(register("_"), None);
    }

    #[test]
    fn expressions() {
        let mut machine = Machine::new(crate::config::MachineConfig::nspire_cx(), 0);
        machine.cpu.set_reg(13, 0x1000);
        machine.cpu.set_reg(0, 3);
        assert_eq!(eval(&machine, "sp+8"), Ok(0x1008));
        assert_eq!(eval(&machine, "sp-0x10+r0"), Ok(0xFF3));
        assert_eq!(eval(&machine, "-4"), Ok(0xFFFF_FFFC));
        assert_eq!(eval(&machine, "-r0"), Ok(0u32.wrapping_sub(3)));
        assert!(eval(&machine, "sp+").is_err());
        assert!(eval(&machine, "+").is_err());
        assert!(eval(&machine, "r0+nothing").is_err());
        assert_eq!(file_line("target.c:14"), Some(("target.c", 14)));
        assert_eq!(
            file_line("tests/gdb/target.c:7"),
            Some(("tests/gdb/target.c", 7))
        );
        assert_eq!(file_line("main+4"), None);
        assert_eq!(file_line("a b:4"), None);
    }
}
