//! Mainline Linux for the nspire-cx (../shared/guests/linux-nspire) boots to its busybox shell
//! on the emulated CX and answers commands typed on the UART; keys pressed on the keypad reach
//! its console; saved to a file and loaded into a new machine, it goes on. Input is given at fixed points of the run, so the whole exchange is
//! deterministic.

use std::cell::RefCell;
use std::path::PathBuf;
use std::rc::Rc;
use std::sync::mpsc::{channel, Sender};

use emu::machine::{Console, Machine};

#[derive(Clone, Default)]
struct Output(Rc<RefCell<Vec<u8>>>);

impl std::io::Write for Output {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

struct Guest {
    machine: Machine,
    input: Sender<Vec<u8>>,
    output: Output,
    /// How much of the output earlier waits have consumed.
    seen: usize,
}

/// Instructions run between looks at the output.
const STEP: u64 = 20_000_000;

impl Guest {
    /// Runs until `text` appears in new output, returning that output; panics with the output
    /// so far if it does not come within `budget` instructions.
    fn wait_for(&mut self, text: &str, budget: u64) -> String {
        let end = self.machine.cpu.instructions() + budget;
        loop {
            let output = String::from_utf8_lossy(&self.output.0.borrow()).into_owned();
            if let Some(at) = output[self.seen..].find(text) {
                let new = output[self.seen..self.seen + at + text.len()].to_string();
                self.seen += at + text.len();
                return new;
            }
            let done = self.machine.cpu.instructions();
            assert!(
                done < end,
                "no {text:?} after {budget} instructions; output so far:\n{output}"
            );
            self.machine.run(Some(done + STEP));
        }
    }

    /// Types a command line and returns what the shell printed up to its next prompt.
    fn command(&mut self, line: &str) -> String {
        self.input.send(format!("{line}\n").into_bytes()).unwrap();
        self.wait_for("/ # ", 2_000_000_000)
    }
}

/// The number of timer interrupts in a `/proc/interrupts` listing.
fn timer_count(listing: &str) -> u64 {
    let line = listing
        .lines()
        .find(|l| l.trim_end().ends_with("timer"))
        .unwrap_or_else(|| panic!("no timer line in:\n{listing}"));
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

#[test]
fn linux_boots_to_a_shell_that_runs_commands() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/guests/linux-nspire");
    let (Ok(kernel), Ok(dtb)) = (
        std::fs::read(dir.join("zImage")),
        std::fs::read(dir.join("nspire-cx.dtb")),
    ) else {
        eprintln!("skipped: the Linux guest is absent from {}", dir.display());
        return;
    };
    let mut machine = Machine::nspire_cx(1_767_225_600);
    machine.boot_linux(&kernel, &dtb, None, None).unwrap();
    let (input, receiver) = channel();
    let output = Output::default();
    machine.attach_console(Console {
        input: Some(receiver),
        output: Box::new(output.clone()),
    });
    let mut guest = Guest {
        machine,
        input,
        output,
        seen: 0,
    };

    let boot = guest.wait_for("/ # ", 3_000_000_000);
    for expected in [
        "Linux version 6.1.192",
        "CPU: ARM926EJ-S [41069264] revision 4 (ARMv5TEJ)",
        "Machine model: TI-NSPIRE CX",
        "TI-NSPIRE Base: 264MHz CPU: 132MHz AHB: 66MHz",
        "ttyAMA0 at MMIO 0x90020000",
        "nspire-linux guest up",
        "Linux nspire 6.1.192",
        "model name\t: ARM926EJ-S rev 4 (v5l)",
        "CPU part\t: 0x926",
        "BusyBox v1.35.0",
    ] {
        assert!(
            boot.contains(expected),
            "{expected:?} missing from:\n{boot}"
        );
    }

    // The kernel's framebuffer console (DRM on the PL111, XRGB8888) shows its log on the LCD:
    // light text on black, 40x30 characters of 8x8.
    let mut frame = [0u32; 320 * 240];
    guest.machine.board.render_lcd(&mut frame);
    let lit = frame.iter().filter(|&&p| p & 0x80_8080 != 0).count();
    assert!(
        (frame.len() / 50..frame.len() / 2).contains(&lit),
        "{lit} of {} pixels lit: no console text on the LCD",
        frame.len()
    );

    let answer = guest.command("echo hello-$((6*7))");
    assert!(answer.contains("hello-42"), "{answer}");
    let listing = guest.command("ls /");
    for entry in ["bin", "dev", "init", "proc", "sys"] {
        assert!(listing.contains(entry), "{entry} missing from:\n{listing}");
    }
    let first = timer_count(&guest.command("cat /proc/interrupts"));
    guest.command("sleep 1");
    let second = timer_count(&guest.command("cat /proc/interrupts"));
    // HZ=100: a one-second sleep alone takes about 100 ticks (fewer with a tickless idle, but
    // never none).
    assert!(
        second > first,
        "timer interrupts did not count: {first} then {second}"
    );

    // The keypad reaches the kernel's nspire-keypad driver (its matrix from the device tree's
    // linux,keymap) and, through the keyboard handler, the foreground virtual terminal: a
    // reader of /dev/tty1 gets R then Enter as "r\n". Each key is held for about 75 ms, less
    // than the terminal's 250 ms repeat delay.
    guest.command("cat /dev/tty1 > /tmp/typed &");
    for (row, col) in [(2, 0), (0, 0)] {
        for pressed in [true, false] {
            guest.machine.board.set_key(row, col, pressed);
            guest
                .machine
                .run_cycles(guest.machine.config.cpu_hz * 75 / 1000);
        }
    }
    let typed = guest.command("od -An -c /tmp/typed");
    // The first line is the command's echo.
    let bytes: Vec<&str> = typed
        .lines()
        .nth(1)
        .unwrap_or("")
        .split_whitespace()
        .collect();
    assert_eq!(bytes, ["r", "\\n"], "{typed}");

    // The whole running system saved to a file and loaded into a machine that never booted:
    // the shell there answers, its files and its clock as they were.
    let state = std::env::temp_dir().join(format!("emu-linux-{}.state", std::process::id()));
    emu::snapshot::save(&guest.machine, &state).unwrap();
    let mut fresh = Machine::nspire_cx(0);
    emu::snapshot::load(&mut fresh, &state).unwrap();
    std::fs::remove_file(&state).unwrap();
    let (input, receiver) = channel();
    fresh.attach_console(Console {
        input: Some(receiver),
        output: Box::new(guest.output.clone()),
    });
    guest.machine = fresh;
    guest.input = input;
    let answer = guest.command("cat /tmp/typed | wc -c; echo again-$((6*7))");
    assert!(answer.contains("again-42"), "{answer}");
    assert!(answer.lines().any(|l| l.trim() == "2"), "{answer}");
}
