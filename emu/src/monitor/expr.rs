//! The monitor's expressions: addresses (`main+8`, `sp+4`, `[r0+4]`) and the conditions of
//! breakpoints and watchpoints (`r0 == 3 && *(u16*)(sp+2) != 0`, `mode == irq`, `z && !c`).
//!
//! The language is C's integer expressions on 32-bit unsigned values, wrapping:
//! - numbers: decimal, `0x` hexadecimal, `0b` binary (`_` may separate digits);
//! - registers: `r0`-`r15`, `sp lr pc fp ip sl`, banked `r13_irq`, `cpsr`, `spsr`, `spsr_svc`;
//! - flags of the CPSR, 0 or 1: `n z c v q`, `t` (Thumb), `i` and `f` (masks);
//! - `mode` (the CPSR's mode bits) and the modes' names `usr fiq irq svc abt und sys`;
//! - memory: `[ADDR]` a word, `*(u8*)ADDR`, `*(u16*)ADDR`, `*(u32*)ADDR`, `*ADDR` a word, read
//!   little-endian as a debugger reads (no side effects);
//! - any other name: a symbol's address;
//! - operators by C's precedence, lowest first: `||`, `&&`, `|`, `^`, `&`, `== !=`,
//!   `< <= > >=` (unsigned), `<< >>`, `+ -`, `* / %`, and unary `! ~ -`; parentheses.
//!
//! An expression is parsed once (names resolved then) into an [`Expr`] and evaluated against
//! a [`Context`]: the live machine, or a fake one in the tests.

use super::memory;
use super::parse::{self, Register};
use crate::bus::Size;
use crate::cpu::{psr, Mode};
use crate::machine::Machine;

/// What an expression reads when evaluated.
pub(super) trait Context {
    /// A register's value; `None` for the SPSR of a mode without one.
    fn register(&self, reg: Register) -> Option<u32>;
    /// `size` bytes at virtual `addr`, little-endian.
    fn read(&self, addr: u32, size: Size) -> Result<u32, String>;
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Unary {
    Not,
    Complement,
    Negate,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Binary {
    Or,
    And,
    BitOr,
    BitXor,
    BitAnd,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Shl,
    Shr,
    Add,
    Sub,
    Mul,
    Div,
    Rem,
}

/// The binary operators: spelling, operator, precedence (higher binds tighter).
const BINARY: [(&str, Binary, u8); 18] = [
    ("||", Binary::Or, 1),
    ("&&", Binary::And, 2),
    ("|", Binary::BitOr, 3),
    ("^", Binary::BitXor, 4),
    ("&", Binary::BitAnd, 5),
    ("==", Binary::Eq, 6),
    ("!=", Binary::Ne, 6),
    ("<", Binary::Lt, 7),
    ("<=", Binary::Le, 7),
    (">", Binary::Gt, 7),
    (">=", Binary::Ge, 7),
    ("<<", Binary::Shl, 8),
    (">>", Binary::Shr, 8),
    ("+", Binary::Add, 9),
    ("-", Binary::Sub, 9),
    ("*", Binary::Mul, 10),
    ("/", Binary::Div, 10),
    ("%", Binary::Rem, 10),
];

/// A parsed expression.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Expr {
    Number(u32),
    Register(Register),
    /// A CPSR bit, as 0 or 1.
    Flag(u32),
    /// The CPSR's mode bits.
    Mode,
    Read(Size, Box<Expr>),
    Unary(Unary, Box<Expr>),
    Binary(Binary, Box<Expr>, Box<Expr>),
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Token {
    Number(u32),
    Name(String),
    /// An operator or a bracket.
    Op(&'static str),
}

/// Every operator and bracket, longest first so that `<=` is not read as `<`.
const OPS: [&str; 24] = [
    "||", "&&", "==", "!=", "<=", ">=", "<<", ">>", "|", "^", "&", "<", ">", "+", "-", "*", "/",
    "%", "!", "~", "(", ")", "[", "]",
];

fn is_name_start(c: char) -> bool {
    c.is_ascii_alphabetic() || matches!(c, '_' | '$' | '.')
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '$' | '.')
}

fn tokens(text: &str) -> Result<Vec<Token>, String> {
    let mut out = Vec::new();
    let mut rest = text.trim_start();
    while let Some(c) = rest.chars().next() {
        if c.is_ascii_digit() {
            let end = rest.find(|c: char| !c.is_ascii_alphanumeric() && c != '_');
            let (word, tail) = rest.split_at(end.unwrap_or(rest.len()));
            let value = parse::number(word).ok_or_else(|| format!("'{word}' is not a number"))?;
            out.push(Token::Number(value));
            rest = tail;
        } else if is_name_start(c) {
            let end = rest.find(|c: char| !is_name_char(c));
            let (word, tail) = rest.split_at(end.unwrap_or(rest.len()));
            out.push(Token::Name(word.to_string()));
            rest = tail;
        } else if let Some(op) = OPS.iter().find(|op| rest.starts_with(**op)) {
            out.push(Token::Op(op));
            rest = &rest[op.len()..];
        } else {
            return Err(format!("'{c}' has no meaning in an expression"));
        }
        rest = rest.trim_start();
    }
    Ok(out)
}

/// Parses `text`; names that are not registers, flags or modes are looked up with `symbol`.
pub(super) fn parse(
    text: &str,
    symbol: &dyn Fn(&str) -> Result<u32, String>,
) -> Result<Expr, String> {
    let tokens = tokens(text)?;
    if tokens.is_empty() {
        return Err("an empty expression".to_string());
    }
    let mut parser = Parser {
        tokens,
        at: 0,
        symbol,
        depth: 0,
    };
    let expr = parser.binary(1)?;
    match parser.tokens.get(parser.at) {
        None => Ok(expr),
        Some(t) => Err(format!("unexpected {} in '{text}'", describe(t))),
    }
}

fn describe(token: &Token) -> String {
    match token {
        Token::Number(n) => format!("number {n}"),
        Token::Name(n) => format!("'{n}'"),
        Token::Op(op) => format!("'{op}'"),
    }
}

/// Nesting deeper than this is refused (a line of 10000 parentheses must not overflow the
/// stack).
const MAX_DEPTH: u32 = 64;

struct Parser<'a> {
    tokens: Vec<Token>,
    at: usize,
    symbol: &'a dyn Fn(&str) -> Result<u32, String>,
    depth: u32,
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn eat(&mut self, op: &str) -> bool {
        let here = matches!(self.peek(), Some(Token::Op(o)) if *o == op);
        if here {
            self.at += 1;
        }
        here
    }

    fn expect(&mut self, op: &str) -> Result<(), String> {
        if self.eat(op) {
            Ok(())
        } else {
            Err(match self.peek() {
                Some(t) => format!("expected '{op}', found {}", describe(t)),
                None => format!("expected '{op}' at the end"),
            })
        }
    }

    /// Binary operators of precedence `min` or higher, left-associative.
    fn binary(&mut self, min: u8) -> Result<Expr, String> {
        let mut left = self.unary()?;
        while let Some(Token::Op(op)) = self.peek() {
            let Some(&(_, operator, precedence)) =
                BINARY.iter().find(|(s, _, p)| s == op && *p >= min)
            else {
                break;
            };
            self.at += 1;
            let right = self.binary(precedence + 1)?;
            left = Expr::Binary(operator, Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Expr, String> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err("the expression nests too deeply".to_string());
        }
        let expr = self.unary_inner();
        self.depth -= 1;
        expr
    }

    fn unary_inner(&mut self) -> Result<Expr, String> {
        for (op, unary) in [
            ("!", Unary::Not),
            ("~", Unary::Complement),
            ("-", Unary::Negate),
        ] {
            if self.eat(op) {
                return Ok(Expr::Unary(unary, Box::new(self.unary()?)));
            }
        }
        if self.eat("*") {
            let size = self.cast()?.unwrap_or(Size::Word);
            return Ok(Expr::Read(size, Box::new(self.unary()?)));
        }
        self.primary()
    }

    /// `(u8*)`, `(u16*)` or `(u32*)` after a `*`, if there is one.
    fn cast(&mut self) -> Result<Option<Size>, String> {
        let size = match (self.tokens.get(self.at), self.tokens.get(self.at + 1)) {
            (Some(Token::Op("(")), Some(Token::Name(name))) => match name.as_str() {
                "u8" => Size::Byte,
                "u16" => Size::Half,
                "u32" => Size::Word,
                _ => return Ok(None),
            },
            _ => return Ok(None),
        };
        self.at += 2;
        self.expect("*")?;
        self.expect(")")?;
        Ok(Some(size))
    }

    fn primary(&mut self) -> Result<Expr, String> {
        let Some(token) = self.peek().cloned() else {
            return Err("the expression ends too soon".to_string());
        };
        self.at += 1;
        match token {
            Token::Number(n) => Ok(Expr::Number(n)),
            Token::Name(name) => name_value(&name, self.symbol),
            Token::Op("(") => {
                let inner = self.binary(1)?;
                self.expect(")")?;
                Ok(inner)
            }
            Token::Op("[") => {
                let inner = self.binary(1)?;
                self.expect("]")?;
                Ok(Expr::Read(Size::Word, Box::new(inner)))
            }
            Token::Op(op) => Err(format!("unexpected '{op}'")),
        }
    }
}

/// What a name stands for: a register, a flag, `mode`, a mode's name, else a symbol.
fn name_value(name: &str, symbol: &dyn Fn(&str) -> Result<u32, String>) -> Result<Expr, String> {
    if let Some(reg) = parse::register(name) {
        return Ok(Expr::Register(reg));
    }
    let lower = name.to_ascii_lowercase();
    let flag = match lower.as_str() {
        "n" => Some(psr::N),
        "z" => Some(psr::Z),
        "c" => Some(psr::C),
        "v" => Some(psr::V),
        "q" => Some(psr::Q),
        "t" => Some(psr::T),
        "i" => Some(psr::I),
        "f" => Some(psr::F),
        _ => None,
    };
    if let Some(bit) = flag {
        return Ok(Expr::Flag(bit));
    }
    if lower == "mode" {
        return Ok(Expr::Mode);
    }
    if let Some(mode) = Mode::from_name(&lower) {
        return Ok(Expr::Number(mode as u32));
    }
    symbol(name).map(Expr::Number)
}

impl Expr {
    /// The expression's value now.
    pub(super) fn eval(&self, cx: &dyn Context) -> Result<u32, String> {
        Ok(match self {
            Expr::Number(n) => *n,
            Expr::Register(reg) => cx
                .register(*reg)
                .ok_or_else(|| "this mode has no SPSR".to_string())?,
            Expr::Flag(bit) => u32::from(cpsr(cx)? & bit != 0),
            Expr::Mode => cpsr(cx)? & 0x1F,
            Expr::Read(size, addr) => cx.read(addr.eval(cx)?, *size)?,
            Expr::Unary(op, e) => {
                let v = e.eval(cx)?;
                match op {
                    Unary::Not => u32::from(v == 0),
                    Unary::Complement => !v,
                    Unary::Negate => v.wrapping_neg(),
                }
            }
            Expr::Binary(Binary::Or, a, b) => u32::from(a.eval(cx)? != 0 || b.eval(cx)? != 0),
            Expr::Binary(Binary::And, a, b) => u32::from(a.eval(cx)? != 0 && b.eval(cx)? != 0),
            Expr::Binary(op, a, b) => {
                let (a, b) = (a.eval(cx)?, b.eval(cx)?);
                match op {
                    Binary::BitOr => a | b,
                    Binary::BitXor => a ^ b,
                    Binary::BitAnd => a & b,
                    Binary::Eq => u32::from(a == b),
                    Binary::Ne => u32::from(a != b),
                    Binary::Lt => u32::from(a < b),
                    Binary::Le => u32::from(a <= b),
                    Binary::Gt => u32::from(a > b),
                    Binary::Ge => u32::from(a >= b),
                    Binary::Shl => a.checked_shl(b).unwrap_or(0),
                    Binary::Shr => a.checked_shr(b).unwrap_or(0),
                    Binary::Add => a.wrapping_add(b),
                    Binary::Sub => a.wrapping_sub(b),
                    Binary::Mul => a.wrapping_mul(b),
                    Binary::Div => a.checked_div(b).ok_or("division by zero")?,
                    Binary::Rem => a.checked_rem(b).ok_or("division by zero")?,
                    Binary::Or | Binary::And => unreachable!("evaluated above"),
                }
            }
        })
    }
}

/// The machine as expressions see it: registers from the CPU, memory through the current
/// translation as the monitor reads it (no side effects; a misaligned value byte by byte).
pub(super) struct Live<'a>(pub &'a Machine);

impl Context for Live<'_> {
    fn register(&self, reg: Register) -> Option<u32> {
        parse::read_register(&self.0.cpu, reg)
    }

    fn read(&self, addr: u32, size: Size) -> Result<u32, String> {
        if addr.is_multiple_of(size.bytes()) {
            return memory::read(self.0, addr, size, false);
        }
        let mut value = 0;
        for i in (0..size.bytes()).rev() {
            let byte = memory::read(self.0, addr.wrapping_add(i), Size::Byte, false)?;
            value = value << 8 | byte;
        }
        Ok(value)
    }
}

fn cpsr(cx: &dyn Context) -> Result<u32, String> {
    cx.register(Register::Cpsr)
        .ok_or_else(|| "no CPSR".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Registers r0-r15 = 0x100 * n, the CPSR as given, memory whose byte at `a` is `a & 0xff`.
    struct Fake {
        cpsr: u32,
    }

    impl Context for Fake {
        fn register(&self, reg: Register) -> Option<u32> {
            match reg {
                Register::Current(n) => Some(0x100 * n as u32),
                Register::Cpsr => Some(self.cpsr),
                _ => None,
            }
        }
        fn read(&self, addr: u32, size: Size) -> Result<u32, String> {
            if addr >= 0xF000_0000 {
                return Err(format!("nothing at 0x{addr:08x}"));
            }
            let bytes: Vec<u8> = (0..size.bytes()).map(|i| (addr + i) as u8).collect();
            let mut word = [0u8; 4];
            word[..bytes.len()].copy_from_slice(&bytes);
            Ok(u32::from_le_bytes(word))
        }
    }

    fn symbols(name: &str) -> Result<u32, String> {
        match name {
            "main" => Ok(0x1000_0100),
            "buf.1" => Ok(0x2000),
            _ => Err(format!("no symbol '{name}'")),
        }
    }

    fn eval(text: &str) -> Result<u32, String> {
        // svc mode, Z and C set.
        let cx = Fake {
            cpsr: psr::Z | psr::C | 0x13,
        };
        parse(text, &symbols)?.eval(&cx)
    }

    #[test]
    fn arithmetic_and_precedence() {
        assert_eq!(eval("1 + 2 * 3"), Ok(7));
        assert_eq!(eval("(1 + 2) * 3"), Ok(9));
        assert_eq!(eval("10 - 4 - 3"), Ok(3));
        assert_eq!(eval("1 << 4 | 1"), Ok(17));
        assert_eq!(eval("0 - 1"), Ok(u32::MAX));
        assert_eq!(eval("-1 == 0xffffffff"), Ok(1));
        assert_eq!(eval("7 / 2 + 7 % 2"), Ok(4));
        assert_eq!(eval("~0 >> 28"), Ok(15));
        assert_eq!(eval("1 << 32"), Ok(0));
        assert_eq!(eval("1 / 0"), Err("division by zero".to_string()));
    }

    #[test]
    fn comparisons_and_logic() {
        assert_eq!(eval("r1 == 0x100 && r2 != 0x100"), Ok(1));
        assert_eq!(eval("r1 > r2 || r0 == 0"), Ok(1));
        assert_eq!(eval("!(r3 >= 0x300)"), Ok(0));
        // Unsigned: -1 is the largest value.
        assert_eq!(eval("-1 > 5"), Ok(1));
        // && and || do not evaluate what they need not: no read fault here.
        assert_eq!(eval("0 && [0xf0000000]"), Ok(0));
        assert_eq!(eval("1 || [0xf0000000]"), Ok(1));
    }

    #[test]
    fn registers_flags_and_modes() {
        assert_eq!(eval("sp"), Ok(0xD00));
        assert_eq!(eval("pc - lr"), Ok(0x100));
        assert_eq!(eval("z && c && !n && !v"), Ok(1));
        assert_eq!(eval("mode == svc"), Ok(1));
        assert_eq!(eval("mode == irq"), Ok(0));
        assert_eq!(eval("cpsr & 0x1f"), Ok(0x13));
        assert!(eval("spsr").is_err());
    }

    #[test]
    fn memory() {
        assert_eq!(eval("[0x10]"), Ok(0x1312_1110));
        assert_eq!(eval("*(u8*)0x21"), Ok(0x21));
        assert_eq!(eval("*(u16*)(0x20 + 2)"), Ok(0x2322));
        assert_eq!(eval("*(u32*)0x30 == [0x30]"), Ok(1));
        assert_eq!(eval("*0x40"), Ok(0x4342_4140));
        assert_eq!(eval("[r1 + 4] & 0xff"), Ok(4));
        assert!(eval("[0xf0000000]").unwrap_err().contains("nothing"));
    }

    #[test]
    fn symbols_as_values() {
        assert_eq!(eval("main + 8"), Ok(0x1000_0108));
        assert_eq!(eval("buf.1"), Ok(0x2000));
        assert_eq!(eval("nothing").unwrap_err(), "no symbol 'nothing'");
    }

    #[test]
    fn bad_input_is_an_error_not_a_panic() {
        for text in [
            "", "(", ")", "1 +", "+ 1", "[1", "*(u8*", "*(u8)1", "1 2", "r0 ==", "#", "0x", "@r0",
        ] {
            assert!(eval(text).is_err(), "{text:?}");
        }
        let deep = "(".repeat(10_000) + "1" + &")".repeat(10_000);
        assert!(eval(&deep).is_err());
    }
}
