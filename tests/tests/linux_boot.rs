//! Mainline Linux for the nspire-cx (the guest in guests/linux-nspire) boots on the emulated
//! CX to busybox init, with a shell on the UART and one on the LCD's virtual terminal: the
//! UART's shell answers commands; the system clock comes from the emulated PL031 RTC, and
//! hwclock reads and writes it; the keypad is an evdev device, and a command typed on it runs
//! in the LCD's shell; saved to a file and loaded into a new machine, the system goes on; and
//! poweroff halts it. Input is given at fixed points of the run, so the whole exchange is
//! deterministic.

use std::cell::RefCell;
use std::path::PathBuf;
use std::rc::Rc;
use std::sync::mpsc::{channel, Sender};

use devices::keypad::key_position;
use emu::bus::{Bus, Size};
use emu::machine::{Console, Exit, Halt, Machine};

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

/// The RTC's count at power-on: 2026-01-01 00:00:00 UTC.
const RTC_START: u32 = 1_767_225_600;

/// The RTC's data register (PL031 RTCDR).
const RTCDR: u32 = 0x9009_0000;

impl Guest {
    /// Runs until `text` appears in new output, returning that output; panics with the output
    /// so far if it does not come within `budget` instructions or the machine stops. It looks
    /// every 10 ms of the machine's time, so that an idle guest's clock does not run far
    /// ahead of the exchange.
    fn wait_for(&mut self, text: &str, budget: u64) -> String {
        let end = self.machine.cpu.instructions() + budget;
        let slice = self.machine.config.cpu_hz / 100;
        loop {
            let end_of_text = {
                let output = self.output.0.borrow();
                output[self.seen..]
                    .windows(text.len())
                    .position(|w| w == text.as_bytes())
                    .map(|at| self.seen + at + text.len())
            };
            if let Some(end_of_text) = end_of_text {
                let new = self.output.0.borrow()[self.seen..end_of_text].to_vec();
                let new = String::from_utf8_lossy(&new).into_owned();
                self.seen = end_of_text;
                return new;
            }
            let all = || String::from_utf8_lossy(&self.output.0.borrow()).into_owned();
            assert!(
                self.machine.cpu.instructions() < end,
                "no {text:?} after {budget} instructions; output so far:\n{}",
                all()
            );
            if let Some(stop) = self.machine.run_cycles(slice) {
                panic!(
                    "the machine stopped ({stop:?}) before {text:?}; output so far:\n{}",
                    all()
                );
            }
        }
    }

    /// Types a command line on the UART and returns what the shell printed up to its next
    /// prompt.
    fn command(&mut self, line: &str) -> String {
        self.input.send(format!("{line}\n").into_bytes()).unwrap();
        self.wait_for("/ # ", 2_000_000_000)
    }

    /// Runs `ms` milliseconds of the machine's time.
    fn run_ms(&mut self, ms: u64) {
        let cycles = self.machine.config.cpu_hz * ms / 1000;
        assert_eq!(self.machine.run_cycles(cycles), None);
    }

    /// Presses the keypad's keys `names` (as `emu keys` names them) in order, holds them
    /// 40 ms, and lets them go in the reverse order: a chord such as shift + a. The kernel's
    /// driver scans the matrix every few milliseconds; 40 ms is well under the virtual
    /// terminal's 250 ms repeat delay.
    fn chord(&mut self, names: &[&str]) {
        let keys: Vec<(usize, usize)> = names
            .iter()
            .map(|name| key_position(name).unwrap_or_else(|| panic!("no key {name:?}")))
            .collect();
        for &(row, col) in &keys {
            self.machine.board.set_key(row, col, true);
            self.run_ms(10);
        }
        self.run_ms(40);
        for &(row, col) in keys.iter().rev() {
            self.machine.board.set_key(row, col, false);
            self.run_ms(10);
        }
        self.run_ms(30);
    }

    /// Types `text` on the keypad through the device tree's keymap (the kernel's US keymap
    /// on top): lowercase letters, digits, space, '.', '/' and newline as they are; uppercase
    /// letters and '>' with shift.
    fn type_on_keypad(&mut self, text: &str) {
        for c in text.chars() {
            let (shift, key) = match c {
                'a'..='z' => (false, format!("a{c}")),
                'A'..='Z' => (true, format!("a{}", c.to_ascii_lowercase())),
                '0'..='9' => (false, format!("n{c}")),
                ' ' => (false, "space".to_string()),
                '.' => (false, "dot".to_string()),
                '>' => (true, "dot".to_string()),
                '/' => (false, "div".to_string()),
                '\n' => (false, "ret".to_string()),
                _ => panic!("{c:?} is not typed on this keypad here"),
            };
            match shift {
                true => self.chord(&["shift", &key]),
                false => self.chord(&[&key]),
            }
        }
    }

    /// The RTC's counter as the emulator holds it.
    fn rtc(&self) -> u32 {
        self.machine.board.peek(RTCDR, Size::Word).unwrap()
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

/// The number a command printed alone on a line (after the echo of the command itself).
fn number(answer: &str) -> u64 {
    answer
        .lines()
        .find_map(|l| l.trim().parse().ok())
        .unwrap_or_else(|| panic!("no number in:\n{answer}"))
}

/// The guest in the repository, booting, its console on a channel and a buffer.
fn boot_guest() -> Guest {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../guests/linux-nspire");
    let read = |name: &str| {
        let path = dir.join(name);
        std::fs::read(&path).unwrap_or_else(|e| panic!("the Linux guest: {}: {e}", path.display()))
    };
    let (kernel, dtb) = (read("zImage"), read("nspire-cx.dtb"));
    let mut machine = Machine::nspire_cx(RTC_START);
    machine.boot_linux(&kernel, &dtb, None, None).unwrap();
    let (input, receiver) = channel();
    let output = Output::default();
    machine.attach_console(Console {
        input: Some(receiver),
        output: Box::new(output.clone()),
    });
    Guest {
        machine,
        input,
        output,
        seen: 0,
    }
}

/// `reboot` boots the kernel again, as QEMU does; with rebooting off the run ends there.
#[test]
fn reboot_boots_the_kernel_again_or_ends_the_run() {
    let mut guest = boot_guest();
    guest.wait_for("/ # ", 3_000_000_000);
    guest.input.send(b"reboot -f\n".to_vec()).unwrap();
    guest.wait_for("reboot: Restarting system", 1_000_000_000);
    let again = guest.wait_for("/ # ", 3_000_000_000);
    assert!(again.contains("Booting Linux on physical CPU"), "{again}");
    assert!(again.contains("nspire-linux guest up"), "{again}");

    // The boot's last messages ("random: crng init done") come after the prompt: a reboot
    // racing them can lose its own message, as on a real machine. A second of the guest's
    // time lets them out first.
    guest.machine.run_cycles(guest.machine.config.cpu_hz);
    guest.machine.reboot = false;
    guest.input.send(b"reboot -f\n".to_vec()).unwrap();
    let exit = guest
        .machine
        .run(Some(guest.machine.cpu.instructions() + 1_000_000_000));
    assert_eq!(exit, Exit::Reset);
    let output = String::from_utf8_lossy(&guest.output.0.borrow()[guest.seen..]).into_owned();
    assert!(output.contains("reboot: Restarting system"), "{output}");
}

#[test]
fn linux_boots_to_shells_on_the_uart_and_the_lcd() {
    let mut guest = boot_guest();
    let boot = guest.wait_for("/ # ", 3_000_000_000);
    for expected in [
        "Linux version 6.1.192",
        "CPU: ARM926EJ-S [41069264] revision 4 (ARMv5TEJ)",
        "Machine model: TI-NSPIRE CX",
        "TI-NSPIRE Base: 264MHz CPU: 132MHz AHB: 66MHz",
        "ttyAMA0 at MMIO 0x90020000",
        "rtc-pl031 90090000.rtc: registered as rtc0",
        "setting system clock to 2026-01-01T00:00:",
        "input: nspire-keypad as",
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
    for entry in ["bin", "dev", "etc", "init", "proc", "sys"] {
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

    // The system clock was set from the RTC at boot (RTC_HCTOSYS): a few seconds of the
    // machine's time after the RTC's start.
    let date = guest.command("date");
    assert!(
        date.contains("Jan  1 00:00:") && date.contains("2026"),
        "{date}"
    );
    let now = number(&guest.command("date -u +%s"));
    assert!(
        (RTC_START as u64..RTC_START as u64 + 30).contains(&now),
        "{now}"
    );
    let read = guest.command("hwclock -r");
    assert!(
        read.contains("Jan  1 00:00:") && read.contains("2026"),
        "{read}"
    );
    // hwclock -w sets the RTC (RTCLR) from the system time, and -r reads it back.
    guest.command("date -u -s '2030-05-06 07:08:09' >/dev/null");
    guest.command("hwclock -w -u");
    let rtc = guest.rtc();
    assert!((1_904_281_689..1_904_281_689 + 3).contains(&rtc), "{rtc}");
    let read = guest.command("hwclock -r -u");
    assert!(
        read.contains("May  6 07:08:") && read.contains("2030"),
        "{read}"
    );

    // The keypad is an input device with an evdev node.
    let devices = guest.command("cat /proc/bus/input/devices; ls /dev/input");
    for expected in ["N: Name=\"nspire-keypad\"", "Handlers=", "event0"] {
        assert!(
            devices.contains(expected),
            "{expected:?} missing from:\n{devices}"
        );
    }

    // A command typed on the keypad runs in the shell on tty1 (the LCD's virtual terminal,
    // through the device tree's keymap): it tells the UART which terminal it runs on.
    guest.type_on_keypad("tty >/dev/ttyAMA0\n");
    guest.wait_for("/dev/tty1", 1_000_000_000);
    guest.command("echo kept >/tmp/kept");

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
    let answer = guest.command("cat /tmp/kept; echo again-$((6*7)); hwclock -r -u");
    assert!(answer.contains("again-42"), "{answer}");
    assert!(answer.lines().any(|l| l.trim() == "kept"), "{answer}");
    assert!(answer.contains("May  6 07:08:"), "{answer}");

    // busybox poweroff: init runs its shutdown entry, ends every process and calls reboot(2);
    // with no power-off driver the kernel halts instead (interrupts off, a branch to itself),
    // and the run ends there: the guest stopped for good.
    guest.input.send(b"poweroff\n".to_vec()).unwrap();
    let exit = guest
        .machine
        .run(Some(guest.machine.cpu.instructions() + 2_000_000_000));
    assert!(matches!(exit, Exit::Halted(Halt::Loop { .. })), "{exit:?}");
    let output = String::from_utf8_lossy(&guest.output.0.borrow()[guest.seen..]).into_owned();
    assert!(output.contains("The system is going down NOW!"), "{output}");
    assert!(output.contains("reboot: System halted"), "{output}");
    let rtc = guest.rtc();
    assert!((1_904_281_689..1_904_281_689 + 10).contains(&rtc), "{rtc}");
}
