//! Reverse execution of an Ndless program, whose OS calls the emulator answers on the host:
//! roms/ndless/exec.tns loads itself from `/documents` (a host folder) through `nl_exec` four
//! times, its children paint the LCD and the parent's screen is put back, all through OS calls
//! that read host files and write guest memory and the LCD. Taken back by its history to any
//! instruction count, the machine must be, to the byte, the machine a plain run from the start
//! reaches at that count (its CPU and devices as a saved state writes them, all of memory);
//! running on from the past answers the calls from the journal (the program's output is printed
//! once); and a debugger's change in the past, before calls whose host side cannot go back, is
//! refused.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use emu::bus::Bus;
use emu::machine::{DebugStop, Exit, Machine};
use emu::monitor::Monitor;
use emu::ndless::{program, Ndless};
use emu::reverse::History;
use emu::snapshot;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// What the program prints.
#[derive(Clone, Default)]
struct Output(Arc<Mutex<Vec<u8>>>);

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Output {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

/// The CX running exec.tns, `/documents` being roms/ndless.
fn machine(output: &Output) -> Machine {
    let folder = root().join("roms/ndless");
    let program = program::parse(&std::fs::read(folder.join("exec.tns")).unwrap()).unwrap();
    let service = Ndless::new(Box::new(output.clone()), Box::new(output.clone()))
        .with_documents(&folder)
        .unwrap();
    let mut machine = Machine::nspire_cx(1_767_225_600);
    machine
        .boot_ndless(&program, &["/documents/exec.tns".to_string()], service)
        .unwrap();
    machine
}

fn state(machine: &Machine) -> (String, Vec<u8>) {
    (
        snapshot::text(machine).unwrap(),
        machine.board.ram().to_vec(),
    )
}

/// Runs to the program's exit in slices of `slice` instructions, as a debugger would, keeping
/// the history; the counts the slices ended at.
fn record(machine: &mut Machine, history: &mut History, slice: u64) -> Vec<u64> {
    let mut ends = Vec::new();
    loop {
        let stop = machine.run_debug(Some(machine.cpu.instructions() + slice));
        history.ran(machine).unwrap();
        ends.push(machine.cpu.instructions());
        match stop {
            DebugStop::Exit(Exit::Guest(status)) => {
                assert_eq!(status, 0, "exec.tns failed a check");
                return ends;
            }
            stop => assert_eq!(stop, DebugStop::Exit(Exit::InstructionLimit)),
        }
    }
}

#[test]
fn an_ndless_programs_os_calls_are_answered_again_from_the_journal() {
    let output = Output::default();
    let mut machine = machine(&output);
    let mut history = History::start(&mut machine, 40_000, usize::MAX).unwrap();
    let ends = record(&mut machine, &mut history, 7_919);
    let end = *ends.last().unwrap();
    let printed = output.text();
    assert!(printed.contains("exec: 12 checks, all passed"), "{printed}");
    // Every slice's end, backwards, is where a plain run is at that count.
    for &n in ends.iter().rev().step_by(3) {
        assert_eq!(history.goto(&mut machine, n), Ok(n));
        let plain_output = Output::default();
        let mut plain = self::machine(&plain_output);
        let exit = plain.run(Some(n));
        assert!(
            exit == Exit::InstructionLimit || n == end,
            "{exit:?} at {n}"
        );
        assert!(state(&machine) == state(&plain), "instruction {n} differs");
    }
    // Forward again from the start: nothing is printed again, and the run ends the same.
    history.goto(&mut machine, 0).unwrap();
    assert_eq!(
        record(&mut machine, &mut history, 10_007).last(),
        Some(&end)
    );
    assert_eq!(output.text(), printed);
}

#[test]
fn the_past_before_an_ndless_programs_os_calls_cannot_be_changed() {
    let output = Output::default();
    let mut machine = machine(&output);
    let mut monitor = Monitor::new();
    let mut out = Vec::new();
    let result = monitor.run_script(
        &mut machine,
        "continue\nreverse-step 5000\npoke 0x10000000 1\n",
        &mut out,
    );
    let out = String::from_utf8(out).unwrap();
    assert!(result.is_err(), "{out}");
    assert!(
        out.contains("cannot be changed here: the Ndless program's OS calls after this point"),
        "{out}"
    );
    // At the end of the run, a change is a debugger's right.
    let out = {
        let mut out = Vec::new();
        let text = "goto 0\nhistory\n";
        monitor.run_script(&mut machine, text, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    };
    let furthest: u64 = out
        .split("instructions 0 to ")
        .nth(1)
        .and_then(|rest| rest.split(',').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{out}"));
    let mut out = Vec::new();
    let text = format!("goto {furthest}\nset r4 7\n");
    assert_eq!(monitor.run_script(&mut machine, &text, &mut out), Ok(()));
}
