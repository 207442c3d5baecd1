//! The monitor driven through scripts, as `--script FILE` drives it, over real ROMs: every
//! command, with outputs checked against what is known without the emulator (GNU objdump's
//! disassembly of the ROM, the ROM's start-up code, page tables built by hand, the ARM ARM).
//!
//! Most tests run `roms/tests/cpu/clz.elf` (vectors and start-up at 0, `_reset` at 0x2e4, main at
//! 0x20, `t_eq` at 0x894 called from 11 call sites of straight-line code in main; the check
//! counter `checks` at 0x10000024 is stored by `str r3, [r2]` at 0x944) and a small program
//! poked into RAM at 0x10002000 (`PROGRAM`, assembled by arm-none-eabi-as from the source beside
//! it).

use std::sync::atomic::Ordering;

use emu::machine::{DebugStop, Exit, Machine};
use emu::monitor::{Break, Monitor, ScriptError, Watch};

mod machine_support;
use machine_support::{machine_with, Console};

const CLZ: &str = "roms/tests/cpu/clz.elf";

fn machine(rom: &str) -> Machine {
    machine_with(rom, "rom", &Console::default())
}

/// Runs a script that must succeed; returns what it printed.
fn script(monitor: &mut Monitor, machine: &mut Machine, text: &str) -> String {
    let mut out = Vec::new();
    let result = monitor.run_script(machine, text, &mut out);
    let out = String::from_utf8(out).unwrap();
    assert_eq!(result, Ok(()), "script failed:\n{out}");
    out
}

/// Runs one command that must succeed.
fn exec(monitor: &mut Monitor, machine: &mut Machine, line: &str) -> String {
    monitor
        .execute(machine, line)
        .unwrap_or_else(|e| panic!("{line}: {e:?}"))
}

/// Runs one command that must fail; returns its message.
fn fails(monitor: &mut Monitor, machine: &mut Machine, line: &str) -> String {
    match monitor.execute(machine, line) {
        Err(Break::Error(message)) => message,
        other => panic!("{line}: expected an error, got {other:?}"),
    }
}

fn has(out: &str, line: &str) {
    assert!(
        out.lines().any(|l| l.trim_end() == line),
        "no line {line:?} in:\n{out}"
    );
}

/// The test program, loaded at 0x10002000 (arm-none-eabi-as -march=armv5te; offsets from
/// 0x10002000 on the left):
/// ```text
/// 00 main:  bl f0            24 f2:   push {fp, lr}          54 undef: .word 0xe7f000f0
/// 04        b .              2c       add fp, sp, #4         58 dab:   ldr r0, [r1]
/// 08 f0:    push {fp, lr}    30       nop                    5c tmain: movs r0, #1   (Thumb)
/// 0c        add fp, sp, #4   34       pop {fp, pc}           5e        bl tfun
/// 10        bl f1            38 rmain: mov r0, #3            62        blx r3
/// 14        pop {fp, pc}     3c        bl rec                64        b .
/// 18 f1:    push {fp, lr}    40        b .                   66 tfun:  adds r0, #1
/// 1c        add fp, sp, #4   44 rec:   push {r4, lr}         68        bx lr
/// 20        bl f2            48        subs r0, r0, #1       6c vic:   mov r0, #0xdc000000
/// 24        pop {fp, pc}     4c        blne rec              70        mov r1, #2
///                            50        pop {r4, pc}          74        str r1, [r0, #16]
///                                                            78        str r1, [r0, #24]
///                                                            7c        b .
/// ```
const PROGRAM: [u32; 32] = [
    0xeb000000, 0xeafffffe, 0xe92d4800, 0xe28db004, 0xeb000000, 0xe8bd8800, 0xe92d4800, 0xe28db004,
    0xeb000000, 0xe8bd8800, 0xe92d4800, 0xe28db004, 0xe1a00000, 0xe8bd8800, 0xe3a00003, 0xeb000000,
    0xeafffffe, 0xe92d4010, 0xe2500001, 0x1bfffffc, 0xe8bd8010, 0xe7f000f0, 0xe5910000, 0xf0002001,
    0x4798f802, 0x3001e7fe, 0x00004770, 0xe3a00337, 0xe3a01002, 0xe5801010, 0xe5801018, 0xeafffffe,
];

/// A machine with the test program poked into SDRAM by the monitor, and that monitor.
fn with_program() -> (Machine, Monitor<'static>) {
    let mut m = machine(CLZ);
    let mut monitor = Monitor::new();
    script(&mut monitor, &mut m, &load_program());
    (m, monitor)
}

/// A script that pokes `PROGRAM` into RAM.
fn load_program() -> String {
    PROGRAM
        .iter()
        .enumerate()
        .map(|(i, word)| format!("poke -p {:#x} {word:#010x}\n", 0x1000_2000 + 4 * i))
        .collect()
}

const COMMANDS: [&str; 26] = [
    "help",
    "regs",
    "set",
    "step",
    "next",
    "continue",
    "until",
    "break",
    "watch",
    "points",
    "enable",
    "disable",
    "delete",
    "catch",
    "x",
    "poke",
    "dis",
    "translate",
    "pagetable",
    "cp15",
    "devices",
    "irq",
    "bt",
    "trace",
    "reset",
    "quit",
];

#[test]
fn help_lists_and_explains_every_command() {
    let mut m = machine(CLZ);
    let mut monitor = Monitor::new();
    let list = exec(&mut monitor, &mut m, "help");
    for name in COMMANDS {
        assert!(
            list.lines().any(|l| l.trim_start().starts_with(name)),
            "{name} not in help:\n{list}"
        );
        let one = exec(&mut monitor, &mut m, &format!("help {name}"));
        assert!(one.starts_with(name), "help {name}:\n{one}");
        assert!(
            one.lines().count() >= 3,
            "help {name} says too little:\n{one}"
        );
    }
    assert!(exec(&mut monitor, &mut m, "help x/4w").starts_with("x[/"));
    assert!(fails(&mut monitor, &mut m, "help nothing").contains("no command 'nothing'"));
}

#[test]
fn registers_stepping_and_banked_modes() {
    let mut m = machine(CLZ);
    let mut monitor = Monitor::new();
    let out = script(&mut monitor, &mut m, "regs\nstep 3\n");
    // The CPU starts at the ELF entry, _reset, in SVC mode with IRQ and FIQ masked.
    has(
        &out,
        "r12 00000000  sp  00000000  lr  00000000  pc  000002e4",
    );
    has(&out, "cpsr 000000d3  nzcvq IFt svc");
    // objdump -d: ldr r0, [pc, #540] (the stack top, 0x14000000, from the literal at 0x508);
    // msr CPSR_c, #209 (FIQ mode); mov sp, r0.
    has(&out, "0x000002e4:  e59f021c   ldr r0, [pc, #540]  @ 0x508");
    has(&out, "0x000002e8:  e321f0d1   msr CPSR_c, #209  @ 0xd1");
    has(&out, "0x000002ec:  e1a0d000   mov sp, r0");
    has(
        &out,
        "=> 0x000002f0:  e2400a01   sub r0, r0, #4096  @ 0x1000",
    );

    // start.S gives FIQ, IRQ, ABT and UND 4 KiB each from the top (0x14000000) down, SYS 16
    // KiB, SVC the rest; until the last mode switch's `mov sp, r0` has run:
    let out = script(&mut monitor, &mut m, "until 0x32c\nregs all\nregs irq\n");
    has(
        &out,
        "=> 0x0000032c:  e59f01d8   ldr r0, [pc, #472]  @ 0x50c",
    );
    has(
        &out,
        "r12 00000000  sp  13ff8000  lr  00000000  pc  0000032c",
    );
    has(&out, "cpsr 000000d3  nzcvq IFt svc");
    has(
        &out,
        "banks    r8       r9       r10      r11      r12      sp       lr       spsr",
    );
    has(
        &out,
        "usr/sys  00000000 00000000 00000000 00000000 00000000 13ffc000 00000000 --",
    );
    has(&out, "fiq      00000000 00000000 00000000 00000000 00000000 14000000 00000000 00000000  nzcvq ift ???");
    has(&out, "irq                                                   13fff000 00000000 00000000  nzcvq ift ???");
    has(&out, "svc    *                                              13ff8000 00000000 000000d3  nzcvq IFt svc");
    has(&out, "abt                                                   13ffe000 00000000 00000000  nzcvq ift ???");
    has(&out, "und                                                   13ffd000 00000000 00000000  nzcvq ift ???");
    has(&out, "as irq mode sees them:");
    has(
        &out,
        "r12 00000000  sp  13fff000  lr  00000000  pc  0000032c",
    );
}

#[test]
fn set_writes_core_banked_psr_and_cp15_registers() {
    let mut m = machine(CLZ);
    let mut monitor = Monitor::new();
    let out = script(
        &mut monitor,
        &mut m,
        "set r0 0x10\nset r1 r0+0x20\nset sp_irq 0x1234\nset lr_fiq -4\nset r8_fiq 8\n\
         set spsr_abt 0x600000d0\nset cpsr 0x600000df\nregs all\nset pc 0x300\nset control 1\n\
         set ttbr 0x10004abc\nset dacr 0x55\n",
    );
    has(&out, "r0 = 0x00000010");
    has(&out, "r1 = 0x00000030");
    has(&out, "sp_irq = 0x00001234");
    has(&out, "lr_fiq = 0xfffffffc");
    // The CPSR write switched to System mode (sharing User mode's bank, with no SPSR).
    has(&out, "cpsr = 600000df  nZCvq IFt sys");
    has(&out, "spsr --  (sys mode has none)");
    has(&out, "fiq      00000008 00000000 00000000 00000000 00000000 00000000 fffffffc 00000000  nzcvq ift ???");
    has(&out, "irq                                                   00001234 00000000 00000000  nzcvq ift ???");
    has(&out, "abt                                                   00000000 00000000 600000d0  nZCvq IFt usr");
    has(&out, "pc = 0x00000300");
    // Written as an MCR would: the control register's should-be-one bits, TTBR's low bits.
    has(&out, "control = 0x00050079");
    has(&out, "ttbr = 0x10004000");
    has(&out, "dacr = 0x00000055");
    assert_eq!(m.cpu.pc(), 0x300);
    assert_eq!(m.cpu.cp15.ttbr, 0x1000_4000);

    assert!(fails(&mut monitor, &mut m, "set spsr 0").contains("sys mode has no SPSR"));
    assert!(fails(&mut monitor, &mut m, "set r16 0").contains("no register 'r16'"));
    assert!(fails(&mut monitor, &mut m, "set r0 banana").contains("'banana' is not"));
    assert!(fails(&mut monitor, &mut m, "set r0").contains("missing value"));
    assert!(fails(&mut monitor, &mut m, "set r0 1 2").contains("unexpected '2'"));
}

#[test]
fn breakpoints_count_hits_and_can_be_disabled_and_deleted() {
    let console = Console::default();
    let mut m = machine_with(CLZ, "rom", &console);
    let mut monitor = Monitor::new();
    let out = script(
        &mut monitor,
        &mut m,
        "break 0x894\ncontinue\ncontinue\ncontinue\npoints\n",
    );
    has(&out, "breakpoint 1 at 0x00000894");
    has(&out, "breakpoint 1 at 0x00000894, hit 1 time");
    has(&out, "breakpoint 1 at 0x00000894, hit 3 times");
    has(&out, "=> 0x00000894:  e92d000c   push {r2, r3}");
    has(&out, "1    y   3     break 0x00000894");
    // Stopped in t_eq, called from main's third call site (bl at 0x64).
    assert_eq!(m.cpu.reg(14), 0x68);

    // Disabled, it does not stop the run; enabled again, it does and counts on.
    let out = script(
        &mut monitor,
        &mut m,
        "disable 1\nuntil 0x8c\nenable 1\ncontinue\npoints\n",
    );
    has(&out, "breakpoint 1 at 0x00000894, hit 4 times");
    has(&out, "1    y   4     break 0x00000894");
    assert_eq!(m.cpu.reg(14), 0x90, "the call from 0x78 was not counted");

    // A physical breakpoint at the same place (the MMU is off: the same address) counts too;
    // to the end, t_eq is entered 11 times in all.
    let mut text = String::from("delete 1\nbreak -p 0x894\n");
    for _ in 0..6 {
        text.push_str("continue\n");
    }
    let out = script(&mut monitor, &mut m, &text);
    has(&out, "breakpoint 2 at physical 0x00000894");
    has(&out, "breakpoint 2 at 0x00000894, hit 6 times");
    let out = script(&mut monitor, &mut m, "continue\npoints\n");
    has(&out, "the guest exited with status 0");
    has(&out, "2    y   6     break physical 0x00000894");
    // What the guest said about its own checks agrees: 11 calls to t_eq.
    assert!(
        console.text().contains("11 checks passed"),
        "{}",
        console.text()
    );

    assert!(fails(&mut monitor, &mut m, "continue").contains("the guest has exited (status 0)"));
    assert!(fails(&mut monitor, &mut m, "enable 9").contains("no breakpoint or watchpoint 9"));
    assert!(fails(&mut monitor, &mut m, "break -p 0x894").contains("number 2 is already that"));
    let out = script(&mut monitor, &mut m, "delete\npoints\n");
    has(&out, "deleted 1");
    has(&out, "no breakpoints or watchpoints");
    assert!(m.cpu.breakpoints().is_empty());
}

#[test]
fn watchpoints_stop_after_the_access() {
    let mut m = machine(CLZ);
    let mut monitor = Monitor::new();
    // After start-up cleared .bss: `checks` is written by t_eq's `str r3, [r2]` at 0x944.
    let out = script(
        &mut monitor,
        &mut m,
        "until 0x364\nwatch 0x10000024\ncontinue\ncontinue\npoints\n",
    );
    has(&out, "watchpoint 1: write 0x10000024-0x10000027");
    has(
        &out,
        "watchpoint 1 (write 0x10000024-0x10000027), hit 1 time: write at 0x10000024; value now 0x00000001",
    );
    has(
        &out,
        "watchpoint 1 (write 0x10000024-0x10000027), hit 2 times: write at 0x10000024; value now 0x00000002",
    );
    has(&out, "=> 0x00000948:  1a000008   bne 0x970");
    has(&out, "1    y   2     watch write 0x10000024-0x10000027");

    // A read watchpoint stops after t_eq's `ldr r3, [r2]` at 0x92c; a physical one for any
    // access to a byte of the range stops there too.
    let out = script(
        &mut monitor,
        &mut m,
        "delete 1\nwatch -r 0x10000024\ncontinue\n",
    );
    has(&out, "watchpoint 2: read 0x10000024-0x10000027");
    has(
        &out,
        "watchpoint 2 (read 0x10000024-0x10000027), hit 1 time: read at 0x10000024; value now 0x00000002",
    );
    has(&out, "=> 0x00000930:  e1550004   cmp r5, r4");
    // Then the word store at 0x944 touches the byte 0x10000026.
    let out = script(
        &mut monitor,
        &mut m,
        "delete\nwatch -a -p 0x10000026 1\ncontinue\n",
    );
    has(&out, "watchpoint 3: access physical 0x10000026-0x10000026");
    has(&out, "watchpoint 3 (access physical 0x10000026-0x10000026), hit 1 time: write at 0x10000024; value now 0x00");
    has(&out, "=> 0x00000948:  1a000008   bne 0x970");

    assert!(fails(&mut monitor, &mut m, "watch 0xffffffff 2").contains("end by 0xffffffff"));
    assert!(fails(&mut monitor, &mut m, "watch 0x10 0").contains("1 byte or more"));
}

#[test]
fn examine_and_poke_memory() {
    let mut m = machine(CLZ);
    let mut monitor = Monitor::new();
    // objdump -s of .text at 0x500: the literal pool after puthex.
    let out = script(
        &mut monitor,
        &mut m,
        "x/w 0x500 8\nx/b 0x500 20\nx/2h -p 0x508\nx 0x90020000 4\nx/b 0x80000000 2\n",
    );
    has(
        &out,
        "0x00000500: e28dd008 e8bd8070 14000000 00000cc0  |....p...........|",
    );
    has(
        &out,
        "0x00000510: 10000000 10000000 10000000 10000028  |............(...|",
    );
    has(
        &out,
        "0x00000500: 08 d0 8d e2 70 80 bd e8 00 00 00 14 c0 0c 00 00  |....p...........|",
    );
    has(
        &out,
        "0x00000510: 00 00 00 10                                      |....|",
    );
    has(
        &out,
        "0x00000508: 0000 1400                                |....|",
    );
    // Device registers are peeked: UARTDR (reading it would pop the receive FIFO) cannot be;
    // UARTRSR can. Nothing answers at 0x80000000.
    has(
        &out,
        "0x90020000: ???????? 00000000 00000000 00000000  |????............|",
    );
    has(
        &out,
        "0x80000000: ?? ??                                            |??|",
    );

    let out = script(
        &mut monitor,
        &mut m,
        "poke 0x10000100 0x41424344\nx/b 0x10000100 4\npoke -p 0x10000102 0xff b\npoke 0x10000100 -2 h\n\
         x/w 0x10000100 1\npoke 0x0 0xe1a00000\n",
    );
    has(
        &out,
        "0x10000100 (physical 0x10000100): 0x00000000 -> 0x41424344",
    );
    has(
        &out,
        "0x10000100: 44 43 42 41                                      |DCBA|",
    );
    has(&out, "physical 0x10000102: 0x42 -> 0xff");
    has(&out, "0x10000100 (physical 0x10000100): 0x4344 -> 0xfffe");
    has(
        &out,
        "0x10000100: 41fffffe                             |...A|",
    );
    // A debugger may patch the boot ROM.
    has(
        &out,
        "0x00000000 (physical 0x00000000): 0xea0000b7 -> 0xe1a00000",
    );

    assert!(fails(&mut monitor, &mut m, "poke 0x90020000 1").contains("register of UART"));
    assert!(fails(&mut monitor, &mut m, "poke 0x80000000 1").contains("nothing at physical"));
    assert!(fails(&mut monitor, &mut m, "poke 0x10000000 0x100 b").contains("does not fit"));
    assert!(fails(&mut monitor, &mut m, "poke 0x10000001 1").contains("not aligned"));
    assert!(fails(&mut monitor, &mut m, "x/q 0").contains("the unit is b, h or w"));
    assert!(fails(&mut monitor, &mut m, "x 0 0").contains("the count"));
    assert!(fails(&mut monitor, &mut m, "x/h 1").contains("not aligned"));
    assert!(fails(&mut monitor, &mut m, "dis/4 0").contains("only x takes a /FORMAT"));
}

#[test]
fn disassembly_in_arm_and_thumb() {
    let (mut m, mut monitor) = with_program();
    // objdump -d --adjust-vma=0x10002000 of the program.
    let out = script(
        &mut monitor,
        &mut m,
        "dis 0x10002000 3\ndis -t 0x1000205c 4\ndis\n",
    );
    has(&out, "   0x10002000:  eb000000   bl 0x10002008");
    has(&out, "   0x10002004:  eafffffe   b 0x10002004");
    has(&out, "   0x10002008:  e92d4800   push {fp, lr}");
    has(&out, "   0x1000205c:  2001       movs r0, #1");
    has(&out, "   0x1000205e:  f000 f802  bl 0x10002066");
    has(&out, "   0x10002062:  4798       blx r3");
    has(&out, "   0x10002064:  e7fe       b.n 0x10002064");
    // Without an address: at the PC, marked.
    has(
        &out,
        "=> 0x000002e4:  e59f021c   ldr r0, [pc, #540]  @ 0x508",
    );
    // The CPSR's T bit chooses Thumb; -a forces ARM.
    let out = script(
        &mut monitor,
        &mut m,
        "set cpsr 0xf3\nset pc 0x1000205c\ndis pc 2\ndis -a 0x10002000 1\n",
    );
    has(&out, "=> 0x1000205c:  2001       movs r0, #1");
    has(&out, "   0x1000205e:  f000 f802  bl 0x10002066");
    has(&out, "   0x10002000:  eb000000   bl 0x10002008");
    assert!(fails(&mut monitor, &mut m, "dis -a -t").contains("-a and -t together"));
}

#[test]
fn thumb_steps_count_a_bl_pair_as_one_and_next_steps_over_calls() {
    let (mut m, mut monitor) = with_program();
    let out = script(
        &mut monitor,
        &mut m,
        "set cpsr 0xf3\nset pc 0x1000205c\nset sp 0x10010000\nset r3 0x10002067\nstep 2\n",
    );
    has(&out, "0x1000205c:  2001       movs r0, #1");
    has(&out, "0x1000205e:  f000 f802  bl 0x10002066");
    has(&out, "=> 0x10002066:  3001       adds r0, #1");
    assert_eq!(
        m.cpu.reg(14),
        0x1000_2063,
        "BL leaves the return address | 1"
    );

    let out = script(
        &mut monitor,
        &mut m,
        "set pc 0x1000205c\nnext\nnext\nregs\nnext\nregs\n",
    );
    has(&out, "0x1000205c:  2001       movs r0, #1");
    has(&out, "0x1000205e:  f000 f802  bl 0x10002066");
    has(&out, "=> 0x10002062:  4798       blx r3");
    has(
        &out,
        "r0  00000002  r1  00000000  r2  00000000  r3  10002067",
    );
    has(&out, "0x10002062:  4798       blx r3");
    has(&out, "=> 0x10002064:  e7fe       b.n 0x10002064");
    has(
        &out,
        "r0  00000003  r1  00000000  r2  00000000  r3  10002067",
    );
}

#[test]
fn next_over_a_recursive_call_waits_for_the_stack_to_come_back() {
    let (mut m, mut monitor) = with_program();
    // rec(3) calls itself twice more; its `blne rec` at 0x1000204c is reached three times, and
    // each deeper call returns to 0x10002050 with a lower sp first.
    let out = script(
        &mut monitor,
        &mut m,
        "set pc 0x10002038\nset sp 0x10010000\nuntil 0x1000204c\nregs\nnext\nregs\nnext\n",
    );
    has(&out, "=> 0x1000204c:  1bfffffc   blne 0x10002044");
    has(
        &out,
        "r12 00000000  sp  1000fff8  lr  10002040  pc  1000204c",
    );
    has(&out, "0x1000204c:  1bfffffc   blne 0x10002044");
    has(&out, "=> 0x10002050:  e8bd8010   pop {r4, pc}");
    has(
        &out,
        "r0  00000000  r1  00000000  r2  00000000  r3  00000000",
    );
    has(
        &out,
        "r12 00000000  sp  1000fff8  lr  10002050  pc  10002050",
    );
    // A plain instruction: next is step.
    has(&out, "0x10002050:  e8bd8010   pop {r4, pc}");
    has(&out, "=> 0x10002040:  eafffffe   b 0x10002040");
}

#[test]
fn backtrace_follows_frame_pointers() {
    let (mut m, mut monitor) = with_program();
    let out = script(
        &mut monitor,
        &mut m,
        "set pc 0x10002000\nset sp 0x10010000\nset fp 0\nbreak 0x10002030\ncontinue\nbt\n",
    );
    has(&out, "breakpoint 1 at 0x10002030, hit 1 time");
    // main -> f0 -> f1 -> f2: the return addresses after each bl.
    has(
        &out,
        "#0  pc    0x10002030:  e1a00000   nop  @ (mov r0, r0)",
    );
    has(&out, "#1  frame 0x10002024:  e8bd8800   pop {fp, pc}");
    has(&out, "#2  frame 0x10002014:  e8bd8800   pop {fp, pc}");
    has(&out, "#3  frame 0x10002004:  eafffffe   b 0x10002004");
    assert_eq!(
        out.lines().filter(|l| l.starts_with('#')).count(),
        4,
        "{out}"
    );

    // Before f2's prologue, its return address is only in LR.
    let out = script(
        &mut monitor,
        &mut m,
        "set pc 0x10002000\nset fp 0\nuntil 0x10002028\nbt\n",
    );
    has(&out, "#0  pc    0x10002028:  e92d4800   push {fp, lr}");
    has(&out, "#1  lr    0x10002024:  e8bd8800   pop {fp, pc}");
    has(&out, "#2  frame 0x10002014:  e8bd8800   pop {fp, pc}");
    has(&out, "#3  frame 0x10002004:  eafffffe   b 0x10002004");
}

/// Page tables built by hand at 0x10004000 (ARM ARM B4.7): a section mapping the ROM, two
/// contiguous RAM sections, a section in a no-access domain, a coarse table with a small page
/// and a large page (16 copies), a fine table with a tiny page.
fn page_tables() -> String {
    let mut s = String::new();
    let mut word = |addr: u32, value: u32| s.push_str(&format!("poke -p {addr:#x} {value:#x}\n"));
    word(0x1000_4000, 0x0000_0C02); // 0x00000000: section, AP 11, domain 0
    word(0x1000_4400, 0x1000_0C0E); // 0x10000000: section, AP 11, C B
    word(0x1000_4404, 0x1010_0C0E); // 0x10100000: the next one
    word(0x1000_4800, 0x1000_0C42); // 0x20000000: section in domain 2
    word(0x1000_7000, 0x1000_8021); // 0xc0000000: coarse table at 0x10008000, domain 1
    word(0x1000_8000, 0x1010_0AAE); //   small page -> 0x10100000, AP 10, C B
    for i in 16..32 {
        word(0x1000_8000 + 4 * i, 0x1020_0551); // 0xc0010000: large page, AP 01
    }
    word(0x1000_7400, 0x1000_C003); // 0xd0000000: fine table at 0x1000c000, domain 0
    word(0x1000_C000, 0x1030_0033); //   tiny page -> 0x10300000, AP 11
    s.push_str("set ttbr 0x10004000\nset dacr 5\nset control 1\n");
    s
}

#[test]
fn translate_shows_the_whole_walk() {
    let mut m = machine(CLZ);
    let mut monitor = Monitor::new();
    let out = script(&mut monitor, &mut m, "translate 0x1234\n");
    has(&out, "MMU off: the physical address is the MVA");
    has(&out, "physical 0x00001234");

    let text = format!(
        "{}translate 0xc0000123\ntranslate -u -w 0xc0000123\ntranslate 0x20000010\n\
         translate 0x30000000\ntranslate -x 0xd0000010\ncp15\n",
        page_tables()
    );
    let out = script(&mut monitor, &mut m, &text);
    has(&out, "control = 0x00050079");
    has(
        &out,
        "virtual 0xc0000123, privileged read; MVA 0xc0000123 (FCSE PID 0x00000000)",
    );
    has(&out, "TTBR 0x10004000");
    has(
        &out,
        "L1 descriptor at 0x10007000: 0x10008021  coarse page table",
    );
    has(&out, "domain 1: DACR bits 3:2 = 01, client");
    has(
        &out,
        "L2 descriptor at 0x10008000: 0x10100aae  small page (4 KiB)",
    );
    has(&out, "AP 10 (S=0 R=0): priv rw, user ro; CB");
    has(&out, "physical 0x10100123 (small page)");
    // As User mode, a write: AP 10 allows User code to read only.
    has(
        &out,
        "virtual 0xc0000123, User write; MVA 0xc0000123 (FCSE PID 0x00000000)",
    );
    has(
        &out,
        "fault: permission fault (page); FSR 0x01f (domain 1, status 1111), FAR 0xc0000123",
    );
    // Domain 2 is "no access" in the DACR.
    has(&out, "L1 descriptor at 0x10004800: 0x10000c42  section");
    has(&out, "domain 2: DACR bits 5:4 = 00, no access");
    has(
        &out,
        "fault: domain fault (section); FSR 0x029 (domain 2, status 1001), FAR 0x20000010",
    );
    has(
        &out,
        "L1 descriptor at 0x10004c00: 0x00000000  fault (unmapped)",
    );
    has(
        &out,
        "fault: translation fault (section); FSR 0x005 (domain 0, status 0101), FAR 0x30000000",
    );
    has(
        &out,
        "virtual 0xd0000010, privileged fetch; MVA 0xd0000010 (FCSE PID 0x00000000)",
    );
    has(
        &out,
        "L1 descriptor at 0x10007400: 0x1000c003  fine page table",
    );
    has(
        &out,
        "L2 descriptor at 0x1000c000: 0x10300033  tiny page (1 KiB)",
    );
    has(&out, "physical 0x10300010 (tiny page)");
    // cp15 decodes the same state.
    has(&out, "control   0x00050079");
    has(&out, "  M  1  MMU enabled");
    has(&out, "  V  0  high vectors at 0xffff0000");
    has(&out, "TTBR      0x10004000");
    has(&out, "DACR      0x00000005");
    has(&out, "   0 client     1 client     2 no access  3 no access  4 no access  5 no access  6 no access  7 no access");
    has(&out, "DFSR      0x00000000  no fault");

    // Memory through the tables: virtual 0xc0000120 is physical 0x10100120.
    let out = script(
        &mut monitor,
        &mut m,
        "poke -p 0x10100120 0x11223344\nx/w 0xc0000120 1\nx/w 0x30000000 1\npoke 0xc0000124 7\nx/w -p 0x10100124 1\n",
    );
    has(
        &out,
        "0xc0000120: 11223344                             |D3\"\x11|"
            .replace('\x11', ".")
            .as_str(),
    );
    has(
        &out,
        "0x30000000: ????????                             |????|",
    );
    has(
        &out,
        "0xc0000124 (physical 0x10100124): 0x00000000 -> 0x00000007",
    );
    has(
        &out,
        "0x10100124: 00000007                             |....|",
    );

    // The MMU on, the CPU still runs the ROM through its identity section.
    let out = script(&mut monitor, &mut m, "step\n");
    has(&out, "0x000002e4:  e59f021c   ldr r0, [pc, #540]  @ 0x508");

    // The FCSE relocates addresses below 32 MiB by the PID.
    let out = script(
        &mut monitor,
        &mut m,
        "set fcsepid 0x02000000\ntranslate 0x1000\n",
    );
    has(
        &out,
        "virtual 0x00001000, privileged read; MVA 0x02001000 (FCSE PID 0x02000000)",
    );
    has(
        &out,
        "L1 descriptor at 0x10004080: 0x00000000  fault (unmapped)",
    );
    has(
        &out,
        "fault: translation fault (section); FSR 0x005 (domain 0, status 0101), FAR 0x02001000",
    );
}

#[test]
fn pagetable_dumps_a_hand_built_table() {
    let mut m = machine(CLZ);
    let mut monitor = Monitor::new();
    let out = script(&mut monitor, &mut m, "pagetable\n");
    has(
        &out,
        "the MMU is off: every address maps to itself (pagetable -f reads the tables anyway)",
    );
    let out = script(
        &mut monitor,
        &mut m,
        &format!("{}pagetable\n", page_tables()),
    );
    let expected = "\
TTBR 0x10004000, DACR 0x00000005, S=0 R=0, FCSE PID 0x00000000, MMU on
0x00000000-0x000fffff -> 0x00000000     1 MiB  section     domain  0 client     AP 11 priv rw user rw  --
0x10000000-0x101fffff -> 0x10000000     2 MiB  section     domain  0 client     AP 11 priv rw user rw  CB
0x20000000-0x200fffff -> 0x10000000     1 MiB  section     domain  2 no access  AP 11 priv -- user --  --
0xc0000000-0xc0000fff -> 0x10100000     4 KiB  small page  domain  1 client     AP 10 priv rw user ro  CB
0xc0010000-0xc001ffff -> 0x10200000    64 KiB  large page  domain  1 client     AP 01 priv rw user --  --
0xd0000000-0xd00003ff -> 0x10300000     1 KiB  tiny page   domain  0 client     AP 11 priv rw user rw  --
";
    let dump = out.split("(emu) pagetable\n").nth(1).unwrap();
    assert_eq!(dump, expected);
    // With the S bit, AP 00 means privileged read-only.
    script(
        &mut monitor,
        &mut m,
        "poke -p 0x10004000 0x00000002\nset control 0x101\n",
    );
    let out = exec(&mut monitor, &mut m, "pagetable");
    has(&out, "0x00000000-0x000fffff -> 0x00000000     1 MiB  section     domain  0 client     AP 00 priv ro user --  --");
}

#[test]
fn catch_stops_on_exceptions_and_unclaimed_accesses() {
    let (mut m, mut monitor) = with_program();
    let out = script(
        &mut monitor,
        &mut m,
        "catch undef\nset pc 0x10002054\ncontinue\nregs\n",
    );
    has(&out, "catching: undef");
    has(&out, "caught: undefined instruction at 0x10002054");
    has(&out, "=> 0x00000004:  ea000085   b 0x220");
    has(&out, "cpsr 000000db  nzcvq IFt und");

    // ldr r0, [r1] from 0x80000000, where nothing answers: an external abort.
    let out = script(
        &mut monitor,
        &mut m,
        "catch -d undef\ncatch unclaimed\nset cpsr 0xd3\nset pc 0x10002058\nset r1 0x80000000\ncontinue\n",
    );
    has(&out, "catching nothing");
    has(&out, "caught: read of physical 0x80000000, which nothing answers, by the instruction at 0x10002058 (the CPU took the abort)");
    let out = script(
        &mut monitor,
        &mut m,
        "catch -d unclaimed\ncatch dabort\nset cpsr 0xd3\nset pc 0x10002058\ncontinue\npoints\n",
    );
    has(&out, "caught: data abort by the instruction at 0x10002058: DFSR 0x008, external abort (domain 0), FAR 0x80000000");
    has(&out, "=> 0x00000010:  ea000094   b 0x268");
    has(&out, "catching: dabort");
    assert!(fails(&mut monitor, &mut m, "catch nothing").contains("no condition 'nothing'"));
    let out = exec(&mut monitor, &mut m, "catch all");
    has(&out, "catching: dabort undef swi pabort irq fiq unclaimed");
    assert_eq!(m.cpu.break_on.len(), 6);
    assert!(m.break_on_unclaimed);
}

#[test]
fn devices_and_interrupts_are_read_without_side_effects() {
    let mut m = machine(CLZ);
    let mut monitor = Monitor::new();
    let out = script(
        &mut monitor,
        &mut m,
        "devices\ndevices uart\ndevices 0xdc000100\n",
    );
    has(
        &out,
        "  boot ROM 0x00000000-0x0007ffff (512 KiB, read-only)",
    );
    has(&out, "  SDRAM 0x10000000-0x13ffffff (64 MiB)");
    has(&out, "  UART 0x90020000-0x9002ffff (64 KiB) irq 1");
    has(&out, "UART 0x90020000-0x9002ffff (64 KiB) irq 1");
    // PL011: UARTFR has TXFE (bit 7) and RXFE (bit 4) set when idle; UARTCR resets to 0x300.
    has(
        &out,
        "    +010 00000000  +014 00000000  +018 00000090  +01c 00000000",
    );
    has(
        &out,
        "    +030 00000300  +034 00000012  +038 00000000  +03c 00000000",
    );
    has(&out, "    PrimeCell part 0x011, designer 0x41, revision 3");
    has(&out, "  VIC 0xdc000000-0xdc000fff (4 KiB)");
    has(&out, "    PrimeCell part 0x190, designer 0x41, revision 0");
    assert!(fails(&mut monitor, &mut m, "devices nothing").contains("no device 'nothing'"));

    // The program enables VIC line 1 and asserts it by software (VICINTENABLE, VICSOFTINT).
    script(&mut monitor, &mut m, &load_program());
    let out = script(
        &mut monitor,
        &mut m,
        "irq\nset pc 0x1000206c\nstep 4\nirq\nirq\n",
    );
    has(&out, "lines asserted: none");
    has(
        &out,
        "CPU inputs: nIRQ not asserted (masked by CPSR.I); nFIQ not asserted (masked by CPSR.F)",
    );
    has(&out, "  VICIRQSTATUS   0x00000002  1 (UART)");
    has(&out, "  VICRAWINTR     0x00000002  1 (UART)");
    has(&out, "  VICINTENABLE   0x00000002  1 (UART)");
    has(&out, "  VICSOFTINT     0x00000002  1 (UART)");
    has(&out, "  VICINTSELECT   0x00000000");
    has(
        &out,
        "CPU inputs: nIRQ asserted (masked by CPSR.I); nFIQ not asserted (masked by CPSR.F)",
    );
    // Peeking VICVECTADDR twice put nothing in service: the IRQ is still pending.
    assert_eq!(m.board.interrupt_outputs(), (true, false));

    // Unmasked, the IRQ is taken before the next instruction; step shows it.
    let out = script(&mut monitor, &mut m, "set cpsr 0x53\nstep\nregs\n");
    has(&out, "-- IRQ taken before 0x1000207c --");
    has(&out, "0x00000018:  ea00009e   b 0x298");
    has(
        &out,
        "r12 00000000  sp  00000000  lr  10002080  pc  00000298",
    );
    has(&out, "cpsr 000000d2  nzcvq IFt irq");
    has(&out, "spsr 00000053  nzcvq iFt svc");
}

#[test]
fn trace_logs_instructions_and_changed_registers() {
    let dir = std::env::temp_dir().join(format!("emu-monitor-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let first = dir.join("first.trace");
    let second = dir.join("second.trace");
    let mut m = machine(CLZ);
    let mut monitor = Monitor::new();
    let out = script(
        &mut monitor,
        &mut m,
        &format!("trace {} 3\n", first.display()),
    );
    has(
        &out,
        &format!("trace to {} closed: 3 instructions", first.display()),
    );
    has(
        &out,
        "=> 0x000002f0:  e2400a01   sub r0, r0, #4096  @ 0x1000",
    );
    let log = std::fs::read_to_string(&first).unwrap();
    let lines: Vec<&str> = log.lines().collect();
    assert_eq!(lines.len(), 3, "{log}");
    assert!(lines[0].starts_with("0x000002e4:  e59f021c   ldr r0, [pc, #540]  @ 0x508"));
    assert!(lines[0].ends_with("r0=14000000"), "{log}");
    assert!(lines[1].ends_with("cpsr=000000d1  nzcvq IFt fiq"), "{log}");
    assert!(lines[2].ends_with("sp=14000000"), "{log}");

    // Open-ended: every instruction the next commands run, until `trace off`.
    let out = script(
        &mut monitor,
        &mut m,
        &format!(
            "trace {}\nuntil 0x2fc\nstep\ntrace off\ntrace off\n",
            second.display()
        ),
    );
    has(&out, &format!("tracing to {}", second.display()));
    has(
        &out,
        &format!("trace to {} closed: 4 instructions", second.display()),
    );
    has(&out, "no trace is open");
    let log = std::fs::read_to_string(&second).unwrap();
    assert_eq!(log.lines().count(), 4, "{log}");
    assert!(
        log.lines().nth(1).unwrap().contains("msr CPSR_c, #210"),
        "{log}"
    );
    assert!(fails(&mut monitor, &mut m, "trace /nonexistent/dir/file 1")
        .contains("/nonexistent/dir/file"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn reset_rebuilds_the_machine_and_keeps_the_points() {
    let mut m = machine(CLZ);
    let mut monitor = Monitor::new().with_reset(|| Ok(machine(CLZ)));
    let out = script(
        &mut monitor,
        &mut m,
        "break 0x894\ncontinue\ndelete\ncontinue\n",
    );
    has(&out, "the guest exited with status 0");
    assert!(fails(&mut monitor, &mut m, "step").contains("'reset' starts it again"));
    let out = script(
        &mut monitor,
        &mut m,
        "break 0x20\nreset\npoints\ncontinue\n",
    );
    has(&out, "reset: svc mode, cpsr 000000d3  nzcvq IFt svc");
    has(
        &out,
        "=> 0x000002e4:  e59f021c   ldr r0, [pc, #540]  @ 0x508",
    );
    has(&out, "2    y   0     break 0x00000020");
    has(&out, "breakpoint 2 at 0x00000020, hit 1 time");
    has(
        &out,
        "=> 0x00000020:  e92d41f0   push {r4, r5, r6, r7, r8, lr}",
    );

    let mut plain = Monitor::new();
    assert!(fails(&mut plain, &mut m, "reset").contains("no way to rebuild"));
    let mut broken = Monitor::new().with_reset(|| Err("roms/x.elf: no such file".to_string()));
    assert!(fails(&mut broken, &mut m, "reset").contains("roms/x.elf: no such file"));
}

#[test]
fn a_script_stops_at_its_first_bad_line_or_at_quit() {
    let mut m = machine(CLZ);
    let mut monitor = Monitor::new();
    let mut out = Vec::new();
    let result = monitor.run_script(
        &mut m,
        "# a comment\n\nstep\nfrobnicate 3\nstep\n",
        &mut out,
    );
    let out = String::from_utf8(out).unwrap();
    assert_eq!(
        result,
        Err(ScriptError {
            line: 4,
            message: "unknown command 'frobnicate' ('help' lists the commands)".to_string()
        })
    );
    has(
        &out,
        "error: line 4: unknown command 'frobnicate' ('help' lists the commands)",
    );
    assert_eq!(out.matches("(emu) step").count(), 1, "{out}");
    assert_eq!(m.cpu.pc(), 0x2e8, "the line after the error did not run");

    let mut out = Vec::new();
    let result = monitor.run_script(&mut m, "step\nquit\nstep\n", &mut out);
    assert_eq!(result, Ok(()));
    assert_eq!(m.cpu.pc(), 0x2ec);
    let out = String::from_utf8(out).unwrap();
    assert!(out.ends_with("(emu) quit\n"), "{out}");
    assert_eq!(monitor.execute(&mut m, "q"), Err(Break::Quit));
    assert_eq!(
        monitor.execute(&mut m, "quit now"),
        Err(Break::Error("quit: unexpected 'now'".to_string()))
    );
}

#[test]
fn the_front_end_api() {
    let mut m = machine(CLZ);
    let mut monitor = Monitor::new().returning_on_continue();
    assert_eq!(monitor.execute(&mut m, "continue"), Err(Break::Resume));
    assert_eq!(monitor.execute(&mut m, "c"), Err(Break::Resume));
    // The front end runs the machine and hands its stop to the monitor.
    exec(&mut monitor, &mut m, "break 0x894");
    let stop = m.run_debug(None);
    assert_eq!(stop, DebugStop::Breakpoint(0x894));
    let report = monitor.stopped(&mut m, stop, &mut ());
    assert_eq!(
        report.as_deref(),
        Some("breakpoint 1 at 0x00000894, hit 1 time\n")
    );
    assert_eq!(
        monitor.location(&m),
        "=> 0x00000894:  e92d000c   push {r2, r3}\n"
    );
    // `continue` runs the instruction at the breakpoint, so the front end's run goes on.
    assert_eq!(monitor.execute(&mut m, "continue"), Err(Break::Resume));
    assert_eq!(m.cpu.pc(), 0x898);
    let next = m.cpu.instructions() + 1;
    assert_eq!(
        m.run_debug(Some(next)),
        DebugStop::Exit(Exit::InstructionLimit)
    );

    // --break-on takes the catch names, comma or space separated.
    monitor.set_break_on(&mut m, "undef,dabort swi").unwrap();
    assert_eq!(m.cpu.break_on.len(), 3);
    assert!(monitor
        .set_break_on(&mut m, "undef,bogus")
        .unwrap_err()
        .contains("'bogus'"));
    assert_eq!(monitor.exit(), None);
}

#[test]
fn the_interrupt_flag_stops_a_run() {
    let (mut m, mut monitor) = with_program();
    // A loop of two instructions (MOV r0, r0; B back) in free RAM: it runs for ever.
    exec(&mut monitor, &mut m, "poke 0x10010000 0xe1a00000");
    exec(&mut monitor, &mut m, "poke 0x10010004 0xeafffffd");
    exec(&mut monitor, &mut m, "set pc 0x10010000");
    let flag = monitor.interrupt_flag();
    let setter = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(200));
        flag.store(true, Ordering::Relaxed);
    });
    let out = exec(&mut monitor, &mut m, "continue");
    setter.join().unwrap();
    has(&out, "interrupted");
    assert!(out.lines().any(|l| l.starts_with("=> 0x1001000")), "{out}");
}

/// A front end's watch (the window's) is kept live while a command runs the machine, seeing
/// it run on, and stops the command when it says so, as Ctrl-C does; a command that does not
/// run the machine never asks it.
#[test]
fn a_watch_is_kept_live_and_can_stop_a_run() {
    struct Counting(Vec<u64>);
    impl Watch for Counting {
        fn watch(&mut self, machine: &Machine) -> bool {
            self.0.push(machine.cpu.instructions());
            self.0.len() < 4
        }
    }
    let (mut m, mut monitor) = with_program();
    exec(&mut monitor, &mut m, "poke 0x10010000 0xe1a00000");
    exec(&mut monitor, &mut m, "poke 0x10010004 0xeafffffd");
    exec(&mut monitor, &mut m, "set pc 0x10010000");
    let mut watch = Counting(Vec::new());
    let out = monitor.execute_watched(&mut m, "regs", &mut watch).unwrap();
    assert!(watch.0.is_empty(), "{out}");
    let out = monitor
        .execute_watched(&mut m, "until 4", &mut watch)
        .unwrap();
    has(&out, "interrupted");
    assert_eq!(watch.0.len(), 4);
    assert!(watch.0.windows(2).all(|w| w[0] < w[1]), "{:?}", watch.0);
    assert_eq!(m.cpu.instructions(), *watch.0.last().unwrap());
}

/// `continue` on a branch to itself with interrupts masked ends: the guest stopped for good.
#[test]
fn continue_into_a_branch_to_itself_says_the_guest_stopped_for_good() {
    let (mut m, mut monitor) = with_program();
    exec(&mut monitor, &mut m, "set pc 0x10002004");
    let out = exec(&mut monitor, &mut m, "continue");
    assert!(
        out.contains("the guest stopped for good: the CPU branches to itself at pc 0x10002004"),
        "{out}"
    );
}

/// Whatever a line says, the monitor answers without panicking.
#[test]
fn no_input_line_panics() {
    let words = [
        "help",
        "regs",
        "set",
        "x",
        "x/",
        "x/0",
        "x/99999999999b",
        "x/w",
        "x/3q",
        "poke",
        "dis",
        "translate",
        "pagetable",
        "cp15",
        "devices",
        "irq",
        "bt",
        "break",
        "watch",
        "points",
        "enable",
        "disable",
        "delete",
        "catch",
        "step",
        "next",
        "until",
        "trace",
        "b",
        "w",
        "-p",
        "-r",
        "-w",
        "-a",
        "-t",
        "-u",
        "-x",
        "-d",
        "-f",
        "0",
        "1",
        "-1",
        "0x",
        "0xffffffff",
        "0xfffffffc",
        "0x100000000",
        "99999999999999999999",
        "sp",
        "pc+",
        "+",
        "-",
        "r0+r1",
        "r13_irq",
        "spsr_usr",
        "cpsr",
        "spsr",
        "all",
        "usr",
        "fiq",
        "é",
        "\u{0}",
        "🦀",
        "b",
        "h",
        "w",
        "uart",
        "off",
        "#",
        "/",
        "x/-1",
        "r15",
        "lr-4",
        "0b",
        "0b2",
        "1_000",
        "__",
    ];
    let mut m = machine(CLZ);
    let mut monitor = Monitor::new();
    let mut seed = 0x9E37_79B9u32;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        seed as usize
    };
    for _ in 0..20_000 {
        let n = 1 + next() % 5;
        let line: Vec<&str> = (0..n).map(|_| words[next() % words.len()]).collect();
        let line = line.join(" ");
        // Commands that run the machine only with arguments they refuse (a run could last).
        let first = line.split_whitespace().next().unwrap_or("");
        let runs = ["step", "next", "until"].contains(&first);
        if first == "trace" || (runs && !line.contains('é')) {
            continue;
        }
        let _ = monitor.execute(&mut m, &line);
    }
    for line in [
        "",
        "   ",
        "#",
        "x/",
        "/",
        "x/b",
        "step é",
        "until",
        "trace",
        "next 🦀",
    ] {
        let _ = monitor.execute(&mut m, line);
    }
}

#[test]
fn step_prints_at_most_ten_thousand_instructions() {
    let (mut m, mut monitor) = with_program();
    exec(&mut monitor, &mut m, "set pc 0x10002004");
    let out = exec(&mut monitor, &mut m, "step 10005");
    assert_eq!(
        out.lines().filter(|l| l.starts_with("0x10002004:")).count(),
        10_000
    );
    has(&out, "(5 more instructions not shown)");
    assert_eq!(m.cpu.instructions(), 10_005);
}
