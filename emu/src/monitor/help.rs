//! The monitor's commands: names, aliases and help texts.

use super::parse::Args;

/// One command.
pub(super) struct Command {
    pub name: &'static str,
    pub aliases: &'static [&'static str],
    pub usage: &'static str,
    pub summary: &'static str,
    pub details: &'static str,
    /// Whether gdb's `monitor` may run it.
    pub gdb: Gdb,
}

/// What gdb's `monitor` (the stub's qRcmd) does with a command. The stub owns the machine
/// while gdb debugs it: gdb runs it, gdb's Z packets own the CPU's breakpoints and watchpoints,
/// and gdb keeps copies of registers and memory it read until the target runs again. So a
/// command that runs the machine, changes it or touches the CPU's points is refused. So is one
/// that reads or writes a host file: whoever reaches the stub's port (which `--gdb ADDR:PORT`
/// may open to a network) must not get the host's files by it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Gdb {
    Allowed,
    /// Refused, with why and what to use in gdb instead.
    Refused(&'static str),
}

/// Why a command naming a host file is refused under gdb.
const HOST_FILES: &str = "a gdb client may not read or write the host's files; save the state \
                          from emu's own monitor (--monitor) or with --save-state FILE";

/// Every command, in the order `help` lists them.
pub(super) const COMMANDS: &[Command] = &[
    Command {
        name: "help",
        aliases: &["h", "?"],
        usage: "help [COMMAND]",
        summary: "list the commands, or explain one",
        details: "Where an address or value is expected, an expression stands: numbers \
                  (decimal, 0x hexadecimal, 0b binary), registers (r0-r15, sp lr pc, banked \
                  lr_irq, cpsr, spsr), symbols of the image (main, main+8), memory ([sp+4] a \
                  word, *(u8*)ADDR, *(u16*)ADDR), flags (n z c v t i f) and mode (mode == irq), \
                  with C's operators; an argument with spaces in it goes last or in quotes. \
                  file.c:LINE is the first instruction of a source line (with DWARF line \
                  tables). Symbols come from an ELF ROM or --symbols FILE (an ELF file or a \
                  Linux System.map).",
        gdb: Gdb::Allowed,
    },
    Command {
        name: "regs",
        aliases: &["registers", "r"],
        usage: "regs [all|MODE]",
        summary: "show the registers, CPSR and SPSR decoded",
        details: "Without an argument: r0-r15 of the current mode, the CPSR and the SPSR, decoded \
                  as flags (upper case when set), I F T masks and the mode. `regs all` adds every \
                  banked register: r8-r12 of FIQ mode and of the others, sp and lr of each mode, \
                  each mode's SPSR. `regs MODE` (usr fiq irq svc abt und sys) shows r0-r15 as that \
                  mode sees them.",
        gdb: Gdb::Allowed,
    },
    Command {
        name: "set",
        aliases: &[],
        usage: "set REGISTER VALUE",
        summary: "set a register (core, banked, CPSR/SPSR, or CP15)",
        details: "REGISTER is r0-r15 (or sl fp ip sp lr pc) of the current mode, a banked register \
                  NAME_MODE (r13_irq, lr_svc, r8_fiq, spsr_abt), cpsr or spsr, or a CP15 register: \
                  control, ttbr, dacr, dfsr, ifsr, far, fcsepid, contextid (written as an MCR \
                  would, with its reserved bits masked; the CPU's cached translations are dropped). \
                  Writing the CPSR's mode bits switches register banks; a reserved mode leaves the \
                  mode as it was.",
        gdb: Gdb::Refused("gdb keeps its own copy of the registers and would not see the change; \
                           use gdb's `set $REG = VALUE` (CP15 registers cannot be set from gdb)"),
    },
    Command {
        name: "step",
        aliases: &["s", "si", "stepi"],
        usage: "step [N]",
        summary: "execute N instructions (1), printing each",
        details: "Prints each instruction as it executes (a Thumb BL/BLX pair counts as one; an \
                  interrupt taken before an instruction is shown), then where the machine stands. \
                  A breakpoint at the PC does not stop the first instruction; one met later, a \
                  watchpoint or a break-on condition stops the steps early. Past 10000 \
                  instructions the rest run unprinted. An empty line at the prompt repeats it.",
        gdb: Gdb::Refused("it would run the machine behind gdb's back; use gdb's stepi"),
    },
    Command {
        name: "next",
        aliases: &["n", "ni", "nexti"],
        usage: "next [N]",
        summary: "step over calls: a BL/BLX runs until it returns",
        details: "Like step, except that a call (BL, BLX label, BLX register, in ARM or Thumb) runs \
                  until the instruction after it is reached with the stack pointer back at or \
                  above its level at the call (so recursion does not stop it early), or until a \
                  breakpoint, watchpoint, break-on condition, Ctrl-C or the guest's exit.",
        gdb: Gdb::Refused("it would run the machine behind gdb's back; use gdb's nexti"),
    },
    Command {
        name: "continue",
        aliases: &["c", "cont"],
        usage: "continue",
        summary: "run until a breakpoint, watchpoint, break-on condition, Ctrl-C or exit",
        details: "Prints why the machine stopped (which breakpoint or watchpoint and its hit \
                  count, the exception and its fault registers, the guest's exit status) and the \
                  instruction at the PC. After the guest has exited, `reset` starts it again.",
        gdb: Gdb::Refused("it would run the machine behind gdb's back; use gdb's continue"),
    },
    Command {
        name: "until",
        aliases: &["u"],
        usage: "until ADDR",
        summary: "run until the PC reaches virtual ADDR",
        details: "Runs as continue does, with a one-time stop at ADDR; a breakpoint, watchpoint or \
                  break-on condition met first stops it there.",
        gdb: Gdb::Refused("it would run the machine behind gdb's back; use gdb's until or advance"),
    },
    Command {
        name: "reverse-step",
        aliases: &["rs", "rsi"],
        usage: "reverse-step [N]",
        summary: "go back N instructions (1)",
        details: "Takes the machine back to where it stood N instructions ago (an interrupt's entry \
                  counts with the instruction after it), from the history the monitor keeps while \
                  it runs the machine: checkpoints every 8 Mi instructions and the host's inputs \
                  since, run again. The history starts when the monitor first runs the machine \
                  (with --reverse, at power-on), and again after a reset or a load; it cannot go \
                  back past its start. Running forward from the past gives the guest the same \
                  inputs again (UART input, keys and touches, semihosting and Ndless answers) and \
                  does not print its output twice.",
        gdb: Gdb::Refused("it would run the machine behind gdb's back; use gdb's reverse-stepi"),
    },
    Command {
        name: "reverse-next",
        aliases: &["rn", "rni"],
        usage: "reverse-next [N]",
        summary: "go back N instructions (1), over a call the machine came back from",
        details: "As reverse-step, but when the instruction before was a function's return to \
                  just after a call (BL, BLX), goes back to that call in the same frame (the \
                  stack pointer as now or above), stopping earlier at a breakpoint or watchpoint \
                  met on the way.",
        gdb: Gdb::Refused("it would run the machine behind gdb's back; use gdb's reverse-nexti"),
    },
    Command {
        name: "reverse-continue",
        aliases: &["rc"],
        usage: "reverse-continue",
        summary: "go back to the last breakpoint, watchpoint or break-on stop",
        details: "Runs the history again from its checkpoints to find the last stop of an enabled \
                  breakpoint, watchpoint or break-on condition before now, and takes the machine \
                  there (hit counts are not counted again); with none, to the start of the \
                  history.",
        gdb: Gdb::Refused("it would run the machine behind gdb's back; use gdb's reverse-continue"),
    },
    Command {
        name: "goto",
        aliases: &[],
        usage: "goto N",
        summary: "take the machine to instruction count N of its history",
        details: "N may lie anywhere between the history's start and the furthest the run has \
                  reached, back or forward; `history` shows that range and the count of \
                  instructions executed so far.",
        gdb: Gdb::Refused("it would run the machine behind gdb's back"),
    },
    Command {
        name: "history",
        aliases: &[],
        usage: "history",
        summary: "what reverse execution's history covers and holds",
        details: "The range of instruction counts the history reaches, where the machine stands, \
                  the checkpoints and the bytes they and the journal of inputs hold, and the copy \
                  of memory they are kept against.",
        gdb: Gdb::Refused("it is emu's monitor's history, not gdb's (gdb's is in the stub)"),
    },
    Command {
        name: "profile",
        aliases: &[],
        usage: "profile start [ELF]|stop|show [N]|save FILE",
        summary: "count instructions and cycles per function and address",
        details: "`profile start` counts from now what every run of the machine executes (the \
                  machine runs one instruction at a time meanwhile): each address's \
                  instructions and cycles, each function's own and inclusive ones (calls and \
                  returns followed on a stack: BL, BLX, bx lr, pop {pc}, ldm with the pc, \
                  exception entries and returns), calls between functions, and the exceptions \
                  and interrupts entered. Functions are named by the ELF's symbols (the ROM's, \
                  or ELF's). `profile show [N]` prints the N (10) costliest functions and \
                  addresses; `profile save FILE` writes the whole profile, in callgrind's format \
                  if FILE is named callgrind.out* or *.callgrind (for KCachegrind and \
                  callgrind_annotate), as folded stacks if *.folded (for flame graphs), as \
                  text otherwise; `profile stop` stops counting and \
                  keeps the profile for show and save. Going back (reverse-step...) is not \
                  counted; what runs again after it is.",
        gdb: Gdb::Refused("it changes how the machine runs and writes host files; use \
                           `emu run --profile FILE --gdb PORT`"),
    },
    Command {
        name: "break",
        aliases: &["b"],
        usage: "break [-p] ADDR [if COND]",
        summary: "set a breakpoint on a virtual (or, with -p, physical) address",
        details: "The machine stops before executing the instruction at ADDR. A physical \
                  breakpoint stops at any virtual address that maps to it. Each breakpoint gets a \
                  number (shared with watchpoints) for enable, disable and delete, and counts its \
                  hits. ADDR may be a name (main, main+8) or a source line (file.c:LINE); a \
                  function's name alone stops past its prologue where the line table says where \
                  that ends, as gdb does, and *ADDR stops exactly at ADDR; after `if`, a \
                  condition (see condition).",
        gdb: Gdb::Refused("the CPU's breakpoints are gdb's; use gdb's break or hbreak"),
    },
    Command {
        name: "tbreak",
        aliases: &["tb"],
        usage: "tbreak [-p] ADDR [if COND]",
        summary: "set a temporary breakpoint: deleted when it first stops the machine",
        details: "As break, with the breakpoint deleted at its first stop (a hit whose condition \
                  is false, or that an ignore count passes, does not delete it).",
        gdb: Gdb::Refused("the CPU's breakpoints are gdb's; use gdb's tbreak"),
    },
    Command {
        name: "condition",
        aliases: &["cond"],
        usage: "condition N [COND]",
        summary: "stop at point N only when COND holds (no COND: always)",
        details: "COND is an expression (help help says what one holds) tested when the \
                  breakpoint is reached (before its instruction) or after the access a \
                  watchpoint saw: non-zero stops the machine. Names in it are looked up when it \
                  is given. A condition that cannot be evaluated (memory that cannot be read, a \
                  division by zero) stops the machine and says why. break and watch take one \
                  after the word if: break leaf if r0 == 5.",
        gdb: Gdb::Refused("the CPU's breakpoints are gdb's; use gdb's condition"),
    },
    Command {
        name: "ignore",
        aliases: &[],
        usage: "ignore N COUNT",
        summary: "let point N's next COUNT hits pass without stopping",
        details: "Hits whose condition is false do not count. The hits passed are counted in the \
                  hit count; points lists the count left.",
        gdb: Gdb::Refused("the CPU's breakpoints are gdb's; use gdb's ignore"),
    },
    Command {
        name: "commands",
        aliases: &[],
        usage: "commands N",
        summary: "monitor commands to run when point N stops the machine, ended by end",
        details: "The lines after it, up to a line `end`, are point N's commands (an empty list \
                  removes them). They run after the stop is reported, each printed after >; a \
                  continue among them runs the machine on, and the commands of the next stop \
                  run after them, until a command fails, the guest exits or Ctrl-C.",
        gdb: Gdb::Refused("the CPU's breakpoints are gdb's; use gdb's commands"),
    },
    Command {
        name: "info",
        aliases: &["i"],
        usage: "info break|registers|symbol ADDR|line LOC",
        summary: "gdb's names: points, registers, the symbol and line of an address",
        details: "info break (b, breakpoints, watchpoints) is points; info registers (reg, r) \
                  is regs; info symbol ADDR (or line, address) names ADDR by its symbol and \
                  source line.",
        gdb: Gdb::Allowed,
    },
    Command {
        name: "watch",
        aliases: &["w"],
        usage: "watch [-r|-w|-a] [-p] ADDR [LEN] [if COND]",
        summary: "set a watchpoint on LEN bytes (4) at virtual or physical ADDR",
        details: "-w (the default) stops after an instruction that writes the range, -r after one \
                  that reads it, -a after either. -p watches a physical range, whatever virtual \
                  address reaches it. The report says which access and shows the watched value.",
        gdb: Gdb::Refused("the CPU's watchpoints are gdb's; use gdb's watch, rwatch or awatch"),
    },
    Command {
        name: "points",
        aliases: &["breakpoints", "watchpoints"],
        usage: "points",
        summary: "list breakpoints and watchpoints with their numbers and hit counts",
        details: "One line each: number, enabled or not, what it watches, hits so far.",
        gdb: Gdb::Refused("the CPU's breakpoints and watchpoints are gdb's; use gdb's info \
                           breakpoints"),
    },
    Command {
        name: "enable",
        aliases: &[],
        usage: "enable N...",
        summary: "enable breakpoints or watchpoints",
        details: "Takes the numbers `points` shows.",
        gdb: Gdb::Refused("the CPU's breakpoints and watchpoints are gdb's; use gdb's enable"),
    },
    Command {
        name: "disable",
        aliases: &[],
        usage: "disable N...",
        summary: "disable breakpoints or watchpoints (they keep their numbers and counts)",
        details: "Takes the numbers `points` shows.",
        gdb: Gdb::Refused("the CPU's breakpoints and watchpoints are gdb's; use gdb's disable"),
    },
    Command {
        name: "delete",
        aliases: &["d"],
        usage: "delete [N...]",
        summary: "delete breakpoints or watchpoints (all of them without N)",
        details: "Takes the numbers `points` shows.",
        gdb: Gdb::Refused("the CPU's breakpoints and watchpoints are gdb's; use gdb's delete"),
    },
    Command {
        name: "catch",
        aliases: &["break-on"],
        usage: "catch [-d] [CONDITION...]",
        summary: "stop when an exception is entered or an unclaimed address is accessed",
        details: "Conditions: undef (undefined instruction), swi, pabort (prefetch abort), dabort \
                  (data abort), irq, fiq, unclaimed (an access to a physical address that nothing \
                  answers), all. The machine stops at the exception's vector (for unclaimed, after \
                  the abort is taken). -d removes conditions. Without conditions, lists them. The \
                  command line's --break-on takes the same names.",
        gdb: Gdb::Refused("setting the conditions would replace gdb's breakpoints on the CPU; use \
                           a gdb breakpoint on the exception vector"),
    },
    Command {
        name: "x",
        aliases: &["examine"],
        usage: "x[/[N][x][b|h|w]] [-p] ADDR [N]",
        summary: "examine memory as bytes, halfwords or words with ASCII",
        details: "Reads N units (64 bytes' worth by default) of b (bytes), h (halfwords) or w \
                  (words, the default) from ADDR, 16 bytes a line, with an ASCII column. ADDR is \
                  virtual, translated by the current tables (as a debugger reads: translation \
                  only, no permission checks, no TLB fill); -p reads physical addresses. RAM, ROM \
                  and device registers are read without side effects; what cannot be read shows \
                  as ??.",
        gdb: Gdb::Allowed,
    },
    Command {
        name: "find",
        aliases: &["search"],
        usage: "find [-p] START END|+LEN \"TEXT\"|-b|-h|-w VALUE... | find next",
        summary: "search memory for a text, bytes, halfwords or words",
        details: "Searches virtual (or, with -p, physical) addresses START to END, or LEN bytes \
                  from START, for a text in double quotes (C escapes: \\n \\0 \\xNN; spaces \
                  in it count as one), for values as bytes (-b), halfwords (-h) or words (-w, \
                  the default), little-endian, each an expression. Only RAM and ROM are \
                  searched, through the current translation; what is not mapped is skipped and \
                  counted. At most 256 MiB a search; 16 matches are shown, and `find next` shows \
                  the next ones.",
        gdb: Gdb::Allowed,
    },
    Command {
        name: "poke",
        aliases: &["write"],
        usage: "poke [-p] ADDR VALUE [b|h|w]",
        summary: "write a byte, halfword or word (w) of RAM or ROM",
        details: "ADDR is virtual, translated as x does (a debugger may patch read-only pages and \
                  ROM), or physical with -p. Device registers are refused: a write to one would \
                  act on the device. Prints the old and new values.",
        gdb: Gdb::Refused("gdb keeps copies of memory it read and would not see the change; use \
                           gdb's `set {int}ADDR = VALUE`"),
    },
    Command {
        name: "dis",
        aliases: &["disassemble"],
        usage: "dis [-a|-t] [ADDR] [N]",
        summary: "disassemble N instructions (8) at ADDR (the PC)",
        details: "ARM or Thumb as the symbol of ADDR says (an ELF's Thumb function), else by \
                  the CPSR's T bit, or forced with -a (ARM) or -t (Thumb). The instruction at the \
                  PC is marked =>. Text is GNU objdump's syntax; symbols name the addresses, and \
                  headers mark where a symbol and a source line start.",
        gdb: Gdb::Allowed,
    },
    Command {
        name: "translate",
        aliases: &["tr"],
        usage: "translate [-u] [-w|-x] VA",
        summary: "show the whole MMU walk of a virtual address",
        details: "Prints the FCSE-modified address, TTBR, the first-level descriptor's address and \
                  value, the second-level one's, the domain and its DACR field, the AP bits and \
                  what they allow, then the physical address or the fault with its FSR value and \
                  name. The access is a privileged read by default (as the current mode if it is \
                  User); -u checks as User mode, -w as a write, -x as an instruction fetch.",
        gdb: Gdb::Allowed,
    },
    Command {
        name: "pagetable",
        aliases: &["pt", "maps"],
        usage: "pagetable [-f]",
        summary: "list what the page tables map, merged into ranges",
        details: "Reads the tables at TTBR and lists mapped ranges of virtual addresses (modified \
                  by the FCSE), merging neighbours with the same attributes that map contiguous \
                  physical memory: physical start, descriptor kind (section, large, small, tiny \
                  page), domain and its DACR field, AP and what it allows privileged and User \
                  code (rw, ro, --), and the C and B bits. With the MMU off it only says so, \
                  unless -f.",
        gdb: Gdb::Allowed,
    },
    Command {
        name: "cp15",
        aliases: &["mmu"],
        usage: "cp15",
        summary: "show the CP15 registers, decoded",
        details: "The control register bit by bit, TTBR, DACR domain by domain, DFSR and IFSR \
                  with their fault names, FAR, FCSE PID, context ID and the ID registers.",
        gdb: Gdb::Allowed,
    },
    Command {
        name: "devices",
        aliases: &["dev"],
        usage: "devices [NAME|ADDR]",
        summary: "list memory regions and devices with windows, lines and registers",
        details: "Each device: name, window, interrupt line, and its first registers read \
                  without side effects (-------- where a register cannot be read so), with the \
                  PrimeCell ID where it has one. With a name (or an address in its window): the \
                  first 16 registers of that device.",
        gdb: Gdb::Allowed,
    },
    Command {
        name: "irq",
        aliases: &["vic", "interrupts"],
        usage: "irq",
        summary: "show the interrupt lines, the VIC and the CPU's IRQ/FIQ inputs",
        details: "The asserted lines with their devices; the VIC's raw, select, enable, status \
                  and soft registers and the vector address a read would return (peeked: nothing \
                  is put in service); the nIRQ and nFIQ levels the VIC drives and whether the \
                  CPSR masks them.",
        gdb: Gdb::Allowed,
    },
    Command {
        name: "bt",
        aliases: &["backtrace", "where"],
        usage: "bt",
        summary: "show the call stack (DWARF CFI, .ARM.exidx, frame pointer chain, LR)",
        details: "Frame 0 is the PC. Where the image has DWARF call frame information \
                  (.debug_frame, from -g), each frame is unwound by it (cfi), through optimised \
                  code without a frame pointer, ARM and Thumb; else by the ARM exception-handling \
                  index (exidx: an ELF's .ARM.exidx, or the Linux kernel's, which its System.map \
                  locates), precise at calls and at a function's first instruction. Where it has \
                  neither, the frame \
                  pointer (r11 in ARM state, r7 in Thumb) is followed through APCS frames (fp \
                  pointing at the saved pc, with lr, sp and fp below it) or AAPCS frames (fp \
                  pointing at the saved lr, the caller's fp below), whichever the words there \
                  fit, while frames go up the stack; LR is shown as frame 1 when it is not the \
                  first saved return address. Each frame shows its symbol and source line; a \
                  last line says where and why the unwinding stopped when it did not reach the \
                  outermost frame.",
        gdb: Gdb::Allowed,
    },
    Command {
        name: "trace",
        aliases: &[],
        usage: "trace FILE [N] | trace off",
        summary: "log executed instructions with changed registers to a file",
        details: "`trace FILE N` steps N instructions, writing each (address, encoding, \
                  disassembly, registers it changed) to FILE, then closes it. `trace FILE` opens \
                  FILE and logs every instruction the later step, next, continue and until \
                  execute (they then run one instruction at a time, slower) until `trace off`. \
                  FILE is created or truncated.",
        gdb: Gdb::Refused("it traces the monitor's own runs, and under gdb the machine runs only \
                           for gdb"),
    },
    Command {
        name: "save",
        aliases: &[],
        usage: "save FILE",
        summary: "save the machine's state to a file",
        details: "Everything the guest can see (registers, CP15, devices, pending events, memory) \
                  goes to FILE; `load FILE` and `emu run --load-state FILE` take the run up again \
                  from there. Breakpoints and semihosting's open files are \
                  the host's and are not saved.",
        gdb: Gdb::Refused(HOST_FILES),
    },
    Command {
        name: "load",
        aliases: &[],
        usage: "load FILE",
        summary: "go back to a state saved by save or --save-state",
        details: "The machine takes the saved state; breakpoints, watchpoints and break-on \
                  conditions stay. A state saved on a machine of another description is refused, \
                  and a damaged file, leaving the machine as it was.",
        gdb: Gdb::Refused("gdb keeps its own copy of the registers and memory and would not \
                           see the change; start from the state with emu run --load-state FILE \
                           --gdb PORT"),
    },
    Command {
        name: "reset",
        aliases: &[],
        usage: "reset",
        summary: "start the machine again from the beginning",
        details: "Builds a new machine as the command line described it (the image reloaded, \
                  devices and semihosting new) and puts the breakpoints, watchpoints and break-on \
                  conditions on it; hit counts are kept.",
        gdb: Gdb::Refused("it would replace the machine under gdb; use gdb's kill and start emu \
                           again"),
    },
    Command {
        name: "quit",
        aliases: &["q", "exit"],
        usage: "quit",
        summary: "leave the monitor (and the emulator)",
        details: "The end of input (Ctrl-D) does the same.",
        gdb: Gdb::Refused("use gdb's detach (the machine runs on) or kill"),
    },
];

/// The command a name or alias stands for.
pub(super) fn find(name: &str) -> Option<&'static Command> {
    let name = name.to_ascii_lowercase();
    COMMANDS
        .iter()
        .find(|c| c.name == name || c.aliases.contains(&name.as_str()))
}

/// `help` and `help COMMAND`; `under_gdb`: as gdb's `monitor help`, which lists the commands
/// refused there apart.
pub(super) fn help(mut args: Args, under_gdb: bool) -> Result<String, String> {
    let topic = args.next();
    args.finish()?;
    let Some(topic) = topic else {
        let line = |c: &Command| format!("  {:<34} {}\n", c.usage, c.summary);
        let mut out = String::from("Commands (help COMMAND for more):\n");
        if !under_gdb {
            out.extend(COMMANDS.iter().map(line));
            return Ok(out);
        }
        out.extend(COMMANDS.iter().filter(|c| c.gdb == Gdb::Allowed).map(line));
        out.push_str(
            "Refused under gdb, which runs the machine, owns its breakpoints and watchpoints, \
             and keeps copies of registers and memory, and whose client does not get the \
             host's files:\n",
        );
        for c in COMMANDS {
            if let Gdb::Refused(reason) = c.gdb {
                out.push_str(&format!("  {:<10} {reason}\n", c.name));
            }
        }
        return Ok(out);
    };
    let c = find(topic.split('/').next().unwrap_or(topic))
        .ok_or_else(|| format!("no command '{topic}'"))?;
    let mut out = format!("{}\n  {}\n", c.usage, c.summary);
    if !c.aliases.is_empty() {
        out.push_str(&format!("  aliases: {}\n", c.aliases.join(", ")));
    }
    out.push('\n');
    out.push_str(&wrap(c.details, 78));
    if let (true, Gdb::Refused(reason)) = (under_gdb, c.gdb) {
        out.push('\n');
        out.push_str(&wrap(&format!("Refused under gdb: {reason}."), 78));
    }
    Ok(out)
}

/// Wraps text at word boundaries, every line indented by two spaces.
fn wrap(text: &str, width: usize) -> String {
    let mut out = String::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.len() + 1 + word.len() > width - 2 {
            out.push_str(&format!("  {line}\n"));
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        out.push_str(&format!("  {line}\n"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_aliases_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for c in COMMANDS {
            for name in std::iter::once(&c.name).chain(c.aliases) {
                assert!(seen.insert(*name), "{name} twice");
            }
        }
    }

    #[test]
    fn every_command_naming_a_host_file_is_refused_under_gdb() {
        let file_commands: Vec<&str> = COMMANDS
            .iter()
            .filter(|c| c.usage.contains("FILE"))
            .map(|c| c.name)
            .collect();
        assert_eq!(file_commands, ["profile", "trace", "save", "load"]);
        for c in COMMANDS.iter().filter(|c| c.usage.contains("FILE")) {
            assert!(matches!(c.gdb, Gdb::Refused(_)), "{}", c.name);
        }
    }
}
