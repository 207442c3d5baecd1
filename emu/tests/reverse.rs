//! Reverse execution: a machine taken back to an instruction count by its history must be, to
//! the byte, the machine a plain run from the start reaches at that count (the CPU and the
//! devices as a saved state writes them, and all of memory); the guest's semihosting calls are
//! answered again without the host, and its output is shown once.
//!
//! The guests: roms/bench/bench.elf (newlib through semihosting: its command line, its output,
//! 3.6 million instructions for 3 iterations) and roms/tests/gdb/target.elf (`square` at 0x2d0
//! called from the `bl` at 0x324 in main's loop, five times; `total` at 0x10000004; the guest
//! exits after 212 instructions), whose addresses are those of arm-none-eabi-objdump -d.

use emu::bus::Bus;
use emu::machine::{DebugStop, Exit, Machine};
use emu::monitor::Monitor;
use emu::reverse::{Found, History};
use emu::snapshot;

mod machine_support;
use machine_support::{machine_with, root, Console};

const BENCH: &str = "roms/bench/bench.elf";
const TARGET: &str = "roms/tests/gdb/target.elf";

/// The whole state of a machine, as a saved state holds it.
fn state(machine: &Machine) -> (String, Vec<u8>) {
    (
        snapshot::text(machine).unwrap(),
        machine.board.ram().to_vec(),
    )
}

/// The state a plain run from the start has at instruction `n`.
fn plain_run_to(rom: &str, cmdline: &str, n: u64) -> (String, Vec<u8>) {
    let mut machine = machine_with(rom, cmdline, &Console::default());
    let exit = machine.run(Some(n));
    assert!(
        exit == Exit::InstructionLimit || machine.cpu.instructions() == n,
        "the plain run ended at {} ({exit:?}) before {n}",
        machine.cpu.instructions()
    );
    state(&machine)
}

/// Runs a machine with a history to its end, in uneven slices, as a debugger would.
fn record(machine: &mut Machine, history: &mut History, slice: u64) -> u64 {
    loop {
        let stop = machine.run_debug(Some(machine.cpu.instructions() + slice));
        history.ran(machine).unwrap();
        if let DebugStop::Exit(Exit::Guest(_)) = stop {
            return machine.cpu.instructions();
        }
        assert_eq!(stop, DebugStop::Exit(Exit::InstructionLimit));
    }
}

#[test]
fn any_past_count_is_the_state_a_plain_run_has_there() {
    let console = Console::default();
    let mut machine = machine_with(BENCH, "bench 3", &console);
    let mut history = History::start(&mut machine, 200_000, usize::MAX).unwrap();
    let end = record(&mut machine, &mut history, 77_777);
    assert!(end > 3_000_000, "{end}");
    let (checkpoints, _) = history.cost(&machine);
    assert!(checkpoints >= 15, "{checkpoints} checkpoints");
    let output = console.text();
    assert!(output.contains("bench: checksum 0x0cc0d3ef"), "{output}");
    // Backwards and forwards, at checkpoints, beside them and between them.
    for n in [
        end - 1,
        1,
        0,
        200_000,
        199_999,
        200_001,
        end / 2,
        end / 2 + 3,
        end - 100_000,
        1_234_567,
        end,
    ] {
        assert_eq!(history.goto(&mut machine, n).unwrap(), n);
        assert!(
            state(&machine) == plain_run_to(BENCH, "bench 3", n),
            "the state at {n} differs from a plain run's"
        );
    }
    // The guest's output was shown once, however often its calls were made again.
    assert_eq!(console.text(), output);
}

#[test]
fn running_on_from_the_past_replays_semihosting_and_shows_output_once() {
    let console = Console::default();
    let mut machine = machine_with(BENCH, "bench 3", &console);
    let mut history = History::start(&mut machine, 500_000, usize::MAX).unwrap();
    let end = record(&mut machine, &mut history, 1 << 20);
    let output = console.text();
    history.goto(&mut machine, 1000).unwrap();
    // Forward again: the calls are answered from the journal (the command line it reads is
    // the same) and nothing is printed again.
    assert_eq!(record(&mut machine, &mut history, 99_999), end);
    assert_eq!(console.text(), output);
    // A run without semihosting's host never got past its first call: the answers came from
    // the journal.
    assert_eq!(state(&machine).0, plain_run_to(BENCH, "bench 3", end).0);
}

#[test]
fn a_full_budget_drops_the_oldest_checkpoints() {
    let mut machine = machine_with(BENCH, "bench 3", &Console::default());
    let mut history = History::start(&mut machine, 100_000, 64 << 10).unwrap();
    let end = record(&mut machine, &mut history, 100_000);
    let (start, furthest) = history.span();
    assert_eq!(furthest, end);
    assert!(start > 0, "nothing was dropped");
    let (_, bytes) = history.cost(&machine);
    assert!(bytes < 256 << 10, "{bytes} bytes");
    // Before the start is out of reach: the earliest is the start.
    assert_eq!(history.goto(&mut machine, start).unwrap(), start);
    assert!(state(&machine) == plain_run_to(BENCH, "bench 3", start));
}

#[test]
fn a_change_in_the_past_forgets_the_future() {
    let mut machine = machine_with(BENCH, "bench 3", &Console::default());
    let mut history = History::start(&mut machine, 100_000, usize::MAX).unwrap();
    record(&mut machine, &mut history, 100_000);
    history.goto(&mut machine, 250_000).unwrap();
    let r5 = machine.cpu.reg(5);
    machine.cpu.set_reg(5, r5 ^ 1);
    history.changed(&mut machine).unwrap();
    assert_eq!(history.span().1, 250_000);
    // Going back before the change and forward to it again gives the changed machine back.
    let changed = state(&machine);
    history.goto(&mut machine, 150_000).unwrap();
    history.goto(&mut machine, 250_000).unwrap();
    assert!(state(&machine) == changed);
}

#[test]
fn reverse_continue_finds_the_last_breakpoint_and_watchpoint_stops() {
    let mut machine = machine_with(TARGET, "target", &Console::default());
    let mut history = History::start(&mut machine, 20, usize::MAX).unwrap();
    record(&mut machine, &mut history, 13);
    let square = emu::cpu::Breakpoint {
        addr: 0x2d0,
        physical: false,
    };
    machine.cpu.add_breakpoint(square);
    // Back from the end: the fifth call of square, then the fourth, with r0 = n.
    for n in [5, 4] {
        let found = history
            .find_last_stop(&mut machine, |_, _| true, |_| true)
            .unwrap();
        assert_eq!(found, Found::Hit(DebugStop::Breakpoint(0x2d0)));
        assert_eq!(machine.cpu.pc(), 0x2d0);
        assert_eq!(machine.cpu.reg(0), n);
    }
    machine.cpu.remove_breakpoint(square);
    // The write to total (str r3, [r2] at 0x33c) that made it 1 + 4 + 9 = 14, after the third
    // call, is the last write before the fourth call; the watchpoint stops after it.
    machine.cpu.add_watchpoint(emu::cpu::Watchpoint {
        addr: 0x1000_0004,
        len: 4,
        kind: emu::cpu::WatchKind::Write,
        physical: false,
    });
    // Before it: the writes that made it 5 and 1, and the start-up code's zeroing of .bss
    // (`strcc r3, [r1], #4` at 0x78); then the start.
    for (value, pc) in [(14, 0x340), (5, 0x340), (1, 0x340), (0, 0x7c)] {
        let found = history
            .find_last_stop(&mut machine, |_, _| true, |_| true)
            .unwrap();
        assert!(
            matches!(found, Found::Hit(DebugStop::Watchpoint(_))),
            "{found:?}"
        );
        assert_eq!(machine.cpu.pc(), pc);
        let mut total = [0u8; 4];
        machine
            .cpu
            .debug_read(&machine.board, 0x1000_0004, &mut total)
            .unwrap();
        assert_eq!(u32::from_le_bytes(total), value);
    }
    assert_eq!(
        history
            .find_last_stop(&mut machine, |_, _| true, |_| true)
            .unwrap(),
        Found::Start
    );
    assert_eq!(machine.cpu.instructions(), 0);
}

/// A search stopped from outside (a window's F5, Ctrl-C) takes the machine back to where it
/// began, in the very state it had there, and says so; the front end was asked between the
/// runs, seeing the machine in the past as the search ran it.
#[test]
fn a_reverse_search_stopped_from_outside_goes_back_to_the_present() {
    let mut machine = machine_with(TARGET, "target", &Console::default());
    let mut history = History::start(&mut machine, 20, usize::MAX).unwrap();
    let end = record(&mut machine, &mut history, 13);
    let present = state(&machine);
    machine.cpu.add_breakpoint(emu::cpu::Breakpoint {
        addr: 0x2d0,
        physical: false,
    });
    let mut seen = Vec::new();
    let found = history.find_last_stop(
        &mut machine,
        |_, _| true,
        |m| {
            seen.push(m.cpu.instructions());
            seen.len() < 3
        },
    );
    assert_eq!(
        found,
        Err(format!("interrupted, back at instruction {end}"))
    );
    assert_eq!(seen.len(), 3);
    assert!(seen.iter().all(|&n| n < end), "{seen:?} {end}");
    assert_eq!(machine.cpu.instructions(), end);
    assert!(state(&machine) == present);
}

/// Runs a monitor script that must succeed; returns what it printed.
fn script(monitor: &mut Monitor, machine: &mut Machine, text: &str) -> String {
    let mut out = Vec::new();
    let result = monitor.run_script(machine, text, &mut out);
    let out = String::from_utf8(out).unwrap();
    assert_eq!(result, Ok(()), "script failed:\n{out}");
    out
}

#[test]
fn the_monitor_steps_nexts_continues_and_goes_back() {
    let console = Console::default();
    let mut machine = machine_with(TARGET, "target", &console);
    let mut monitor = Monitor::new();
    // Nothing ran yet: there is no past.
    let mut out = Vec::new();
    assert!(monitor
        .run_script(&mut machine, "reverse-step", &mut out)
        .is_err());
    let out = script(
        &mut monitor,
        &mut machine,
        "break 0x2d0\ncontinue\ncontinue\ncontinue\nreverse-continue\nregs\nreverse-step\n\
         disable 1\nuntil 0x328\nreverse-next\nrs 2\nenable 1\ncontinue\ncontinue\ncontinue\n\
         continue\ndelete 1\ncontinue\ngoto 10\nhistory\n",
    );
    let expected = [
        // The third call (r0 = 3), then back to the second (r0 = 2).
        "breakpoint 1 at 0x000002d0, hit 3 times",
        "(emu) reverse-continue\nat instruction ",
        ": breakpoint 1 at 0x000002d0\n=> 0x000002d0:",
        "r0  00000002",
        // One instruction back: the bl in main.
        "(emu) reverse-step\nat instruction ",
        "=> 0x00000324:  ebffffe9   bl 0x2d0",
        // Back over the whole call square made (the return to 0x328).
        "(emu) reverse-next\nat instruction ",
        // Two before the bl: the loop's ldr r0, [fp, #-8], and the branch back to it.
        "(emu) rs 2\nat instruction ",
        "=> 0x00000354:  dafffff1   ble 0x320",
        // Forward again to the same stops: the second call again, then the third...
        "breakpoint 1 at 0x000002d0, hit 6 times",
        "the guest exited with status 0",
        "(emu) goto 10\nat instruction 10\n",
        "instructions 0 to 212, now at 10",
    ];
    for line in expected {
        assert!(out.contains(line), "{line:?} missing:\n{out}");
    }
    // The bl at 0x324, reached by reverse-next from 0x328.
    let after_next = out.split("(emu) reverse-next").nth(1).unwrap();
    assert!(
        after_next.contains("=> 0x00000324:  ebffffe9   bl 0x2d0"),
        "{out}"
    );
    // Printed once although the guest ran to its exit twice.
    assert_eq!(console.text(), "gdb target: total 55\n");
}

/// Runs the machine to instruction `n` in slices, as a debugger would, keeping its history.
fn run_to(machine: &mut Machine, history: &mut History, n: u64) {
    while machine.cpu.instructions() < n {
        let limit = (machine.cpu.instructions() + (1 << 20)).min(n);
        let stop = machine.run_debug(Some(limit));
        history.ran(machine).unwrap();
        assert_eq!(stop, DebugStop::Exit(Exit::InstructionLimit));
    }
}

#[test]
fn the_uart_input_of_the_linux_guest_is_given_again_at_its_cycle() {
    let dir = root().join("guests/linux-nspire");
    let kernel = std::fs::read(dir.join("zImage")).unwrap();
    let dtb = std::fs::read(dir.join("nspire-cx.dtb")).unwrap();
    let mut machine = Machine::nspire_cx(1_767_225_600);
    machine.boot_linux(&kernel, &dtb, None, None).unwrap();
    let (input, receiver) = std::sync::mpsc::channel();
    let console = Console::default();
    machine.attach_console(emu::machine::Console {
        input: Some(receiver),
        output: Box::new(console.clone()),
    });
    // Checkpoints every 2^26 instructions: none between 268 and 335 million, so the way
    // forward from 299 to 330 million runs through the input again.
    let mut history = History::start(&mut machine, 1 << 26, usize::MAX).unwrap();
    // The shell's prompt comes before 300 million instructions.
    run_to(&mut machine, &mut history, 300_000_000);
    assert!(console.text().contains("# "), "{}", console.text());
    input.send(b"echo reversed\n".to_vec()).unwrap();
    run_to(&mut machine, &mut history, 330_000_000);
    let output = console.text();
    assert!(output.contains("echo reversed\r\nreversed"), "{output}");
    let present = state(&machine);
    // Back before the line was typed, then forward past it: the journal types it again at
    // the same cycle, and the guest's echo is not shown twice.
    history.goto(&mut machine, 299_000_000).unwrap();
    history.goto(&mut machine, 330_000_000).unwrap();
    assert!(
        state(&machine) == present,
        "the state after the input differs"
    );
    assert_eq!(console.text(), output);
    // Live input is taken again past the furthest point: the next line is answered.
    input.send(b"echo again\n".to_vec()).unwrap();
    run_to(&mut machine, &mut history, 360_000_000);
    assert!(console.text().contains("again\r\n"), "{}", console.text());
}
