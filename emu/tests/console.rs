//! The emulator's terminal as a person at one sees it: `emu run --headless` with its stdin,
//! stdout and stderr on a pseudo-terminal, driven from the pty's master side the way a
//! terminal emulator would (keys written, output read, busybox's cursor-position queries
//! answered).
//!
//! Under Linux (the guest in guests/linux-nspire, one boot for all the checks): the terminal is
//! raw while the guest has it, so the guest sees every key at once and echoes and completes
//! lines itself, with nothing echoed twice and the terminal's answers to its queries never
//! shown as text; Ctrl-C interrupts a command in the guest and leaves the emulator running;
//! the run is paced to real time; Ctrl-A c gives the monitor with the terminal's own line
//! editing and `continue` returns to the guest; Ctrl-A h prints the help, Ctrl-A Ctrl-A sends
//! a Ctrl-A, Ctrl-A x ends the run with status 0 and `--stats` line; and the terminal's
//! settings are what they were before the run. A ROM's run (the hello demo, which sleeps
//! after its line on the UART) ends on Ctrl-A x the same way.

use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::OwnedFd;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use nix::pty::openpty;
use nix::sys::termios::{tcgetattr, LocalFlags, OutputFlags, Termios};

/// What busybox's line editor sends to ask where the cursor is (ESC[6n).
const CURSOR_QUERY: &[u8] = b"\x1b[6n";
/// The terminal's answer: row 5, column 5, as a real terminal would write it.
const CURSOR_REPORT: &[u8] = b"\x1b[5;5R";

/// The shell's prompt at the start of a line.
const PROMPT: &str = "\n/ # ";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A repository file the run needs; a missing one fails the test.
fn repository_file(path: &str) -> String {
    let full = root().join(path);
    assert!(full.is_file(), "{} is missing", full.display());
    path.to_string()
}

/// `emu` on a pseudo-terminal, and the terminal's side of it.
struct Terminal {
    child: Child,
    /// The master side, written as keys are typed.
    keys: File,
    /// A slave descriptor of our own, to read the terminal's settings.
    slave: OwnedFd,
    /// The terminal's settings before `emu` started.
    before: Termios,
    /// What the reader thread reads from the master side.
    chunks: Receiver<Vec<u8>>,
    /// Everything the terminal has shown.
    output: Vec<u8>,
    /// How much of `output` the waits have consumed.
    seen: usize,
    /// How many cursor queries have been answered.
    answered: usize,
}

impl Terminal {
    /// Starts `emu ARGS` with the slave side of a new pty as its stdin, stdout and stderr.
    fn start(args: &[&str]) -> Terminal {
        let pty = openpty(None, None).expect("openpty");
        // Duplicates are close-on-exec (the originals are not): the child gets the slave only
        // as its 0, 1 and 2, and never the master.
        let master = pty.master.try_clone().unwrap();
        let slave = pty.slave.try_clone().unwrap();
        drop(pty);
        let before = tcgetattr(&slave).expect("tcgetattr on the pty");
        assert!(!is_raw(&before), "a new pty is raw: {}", flags(&before));
        let stdio = || Stdio::from(slave.try_clone().unwrap());
        let child = Command::new(env!("CARGO_BIN_EXE_emu"))
            .args(args)
            .current_dir(root())
            .env_remove("RUST_LOG")
            .stdin(stdio())
            .stdout(stdio())
            .stderr(stdio())
            .spawn()
            .expect("start emu");
        let mut reader = File::from(master.try_clone().unwrap());
        let (sender, chunks) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n @ 1..) = reader.read(&mut buf) {
                if sender.send(buf[..n].to_vec()).is_err() {
                    break;
                }
            }
        });
        Terminal {
            child,
            keys: File::from(master),
            slave,
            before,
            chunks,
            output: Vec::new(),
            seen: 0,
            answered: 0,
        }
    }

    fn termios(&self) -> Termios {
        tcgetattr(&self.slave).expect("tcgetattr on the pty")
    }

    fn type_keys(&mut self, keys: &[u8]) {
        self.keys.write_all(keys).expect("write to the pty");
    }

    /// Takes what the terminal has shown within `timeout`; answers each cursor query in it.
    fn pump(&mut self, timeout: Duration) -> bool {
        match self.chunks.recv_timeout(timeout) {
            Ok(chunk) => {
                self.output.extend_from_slice(&chunk);
                let queries = count(&self.output, CURSOR_QUERY);
                while self.answered < queries {
                    self.type_keys(CURSOR_REPORT);
                    self.answered += 1;
                }
                true
            }
            Err(RecvTimeoutError::Timeout) => false,
            Err(RecvTimeoutError::Disconnected) => {
                std::thread::sleep(timeout);
                false
            }
        }
    }

    /// Waits until `text` appears in new output; returns the new output up to its end.
    fn wait_for(&mut self, text: &str, timeout: Duration) -> String {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(at) = find(&self.output[self.seen..], text.as_bytes()) {
                let end = self.seen + at + text.len();
                let new = String::from_utf8_lossy(&self.output[self.seen..end]).into_owned();
                self.seen = end;
                return new;
            }
            let now = Instant::now();
            if now >= deadline {
                panic!(
                    "no {text:?} within {timeout:?}; the terminal shows since the last \
                     check:\n{}",
                    self.shown()
                );
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                // Whatever it wrote before it ended.
                while self.pump(Duration::from_millis(100)) {}
                if find(&self.output[self.seen..], text.as_bytes()).is_none() {
                    panic!(
                        "emu ended ({status}) before {text:?}; the terminal shows since the \
                         last check:\n{}",
                        self.shown()
                    );
                }
                continue;
            }
            self.pump((deadline - now).min(Duration::from_millis(50)));
        }
    }

    /// The output the waits have not consumed, readable in a failure message.
    fn shown(&self) -> String {
        String::from_utf8_lossy(&self.output[self.seen..])
            .escape_debug()
            .to_string()
            .replace("\\r\\n", "\\r\\n\n")
    }

    /// Waits for the process to end; its status.
    fn wait_exit(&mut self, timeout: Duration) -> ExitStatus {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "emu still runs {timeout:?} later; the terminal shows since the last \
                 check:\n{}",
                self.shown()
            );
            self.pump(Duration::from_millis(20));
        }
    }

    /// Waits until the terminal is raw again (or still): the guest has it.
    fn wait_raw(&mut self, timeout: Duration) {
        let deadline = Instant::now() + timeout;
        while !is_raw(&self.termios()) {
            assert!(
                Instant::now() < deadline,
                "the terminal is not raw {timeout:?} later: {}",
                flags(&self.termios())
            );
            self.pump(Duration::from_millis(10));
        }
    }
}

impl Drop for Terminal {
    fn drop(&mut self) {
        // A failed check must not leave the emulator running.
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Whether the terminal is in the emulator's raw mode: no line editing, echo or signal keys,
/// but output processing (a bare "\n" returns the carriage).
fn is_raw(termios: &Termios) -> bool {
    !termios
        .local_flags
        .intersects(LocalFlags::ICANON | LocalFlags::ECHO | LocalFlags::ISIG)
        && termios.output_flags.contains(OutputFlags::OPOST)
}

/// The terminal's modes, for a failure message.
fn flags(termios: &Termios) -> String {
    format!(
        "input {:?}, output {:?}, local {:?}",
        termios.input_flags, termios.output_flags, termios.local_flags
    )
}

/// Checks that the terminal's settings are `expected` (all of them: flags, characters, speeds).
fn assert_settings(now: &Termios, expected: &Termios, what: &str) {
    assert!(
        now == expected,
        "{what}: {} (or another setting) instead of {}",
        flags(now),
        flags(expected)
    );
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn count(haystack: &[u8], needle: &[u8]) -> usize {
    haystack
        .windows(needle.len())
        .filter(|w| *w == needle)
        .count()
}

/// The lines a terminal shows for `text`: characters overwrite at the cursor, `\r` returns it,
/// `\n` starts a line, backspace and ESC[nD / ESC[nC move it, ESC[J and ESC[K clear to the end
/// of the line; other escape sequences show nothing.
fn screen_lines(text: &str) -> Vec<String> {
    let mut lines = vec![Vec::new()];
    let mut col = 0usize;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        let line = lines.last_mut().unwrap();
        match c {
            '\r' => col = 0,
            '\n' => {
                lines.push(Vec::new());
                col = 0;
            }
            '\u{8}' => col = col.saturating_sub(1),
            '\u{1b}' if chars.peek() == Some(&'[') => {
                chars.next();
                let mut parameters = String::new();
                let mut end = None;
                for c in chars.by_ref() {
                    if ('\u{40}'..='\u{7e}').contains(&c) {
                        end = Some(c);
                        break;
                    }
                    parameters.push(c);
                }
                let n = parameters.parse::<usize>().unwrap_or(1);
                match end {
                    Some('J' | 'K') => line.truncate(col),
                    Some('D') => col = col.saturating_sub(n),
                    Some('C') => col += n,
                    _ => {}
                }
            }
            c => {
                if line.len() <= col {
                    line.resize(col + 1, ' ');
                }
                line[col] = c;
                col += 1;
            }
        }
    }
    lines
        .into_iter()
        .map(|l| l.into_iter().collect::<String>().trim_end().to_string())
        .collect()
}

fn seconds(n: u64) -> Duration {
    Duration::from_secs(n)
}

#[test]
fn linux_on_the_terminal_gets_every_key_and_the_escape_key_reaches_the_emulator() {
    let kernel = repository_file("guests/linux-nspire/zImage");
    let dtb = repository_file("guests/linux-nspire/nspire-cx.dtb");
    let started = Instant::now();
    let mut term = Terminal::start(&[
        "run",
        "--headless",
        "--stats",
        "--kernel",
        &kernel,
        "--dtb",
        &dtb,
    ]);
    let before = term.before.clone();

    // The prompt, and busybox's query of the cursor after it (answered by `pump`).
    term.wait_for(PROMPT, seconds(60));
    term.wait_for("\x1b[6n", seconds(5));
    eprintln!("the shell's prompt after {:.2?}", started.elapsed());
    assert!(
        is_raw(&term.termios()),
        "the terminal is not raw under the guest: {}",
        flags(&term.termios())
    );

    // Each key reaches the guest as it is typed: `ech` is echoed before any Enter, and Tab
    // completes it. The line shows what was typed once; the command runs.
    let mut shown = String::from("/ # ");
    term.type_keys(b"ech");
    shown += &term.wait_for("ech", seconds(5));
    term.type_keys(b"\t");
    shown += &term.wait_for("echo ", seconds(5));
    term.type_keys(b"hi\r");
    shown += &term.wait_for(PROMPT, seconds(5));
    assert_eq!(
        screen_lines(&shown),
        ["/ # echo hi", "hi", "/ #"],
        "the terminal showed {shown:?}"
    );

    // Ctrl-C interrupts the command in the guest, whose shell prompts again; the emulator
    // runs on. The subshell says when it runs, with the terminal its own: a Ctrl-C typed
    // before that is the shell's, as on any Linux machine.
    term.type_keys(b"(echo SLEE''PING; sleep 100)\r");
    term.wait_for("SLEEPING", seconds(5));
    term.type_keys(b"\x03");
    term.wait_for(PROMPT, seconds(5));
    assert!(
        term.child.try_wait().unwrap().is_none(),
        "emu ended on Ctrl-C"
    );

    // Paced to real time: `sleep 2` takes two seconds of the host's time, less what the
    // machine was behind the host's clock when it began. The pacer catches up on up to 250 ms
    // and a frame (MAX_LAG in frontend/pace.rs), and this soon after the boot the machine is
    // often behind: it took 1.80 to 2.00 s here. Unpaced, it takes some 30 ms.
    let typed = Instant::now();
    term.type_keys(b"sleep 2; echo SL''EPT\r");
    term.wait_for("SLEPT", seconds(10));
    let slept = typed.elapsed();
    eprintln!("sleep 2 took {slept:.2?}");
    assert!(
        slept >= Duration::from_millis(1700),
        "sleep 2 took {slept:?}"
    );
    term.wait_for(PROMPT, seconds(5));

    // Ctrl-A c: the monitor, on the terminal as it was (cooked: its own line editing, so
    // `regx`, Backspace, `s` is `regs`).
    term.type_keys(b"\x01c");
    term.wait_for("(emu) ", seconds(5));
    assert_settings(
        &term.termios(),
        &before,
        "the monitor's terminal is not cooked",
    );
    term.type_keys(b"regx\x7fs\n");
    term.wait_for("cpsr", seconds(5));
    term.wait_for("(emu) ", seconds(5));
    // `continue` gives the terminal back to the guest, raw again. What follows its line,
    // typed ahead (pasted with it), is the guest's.
    term.type_keys(b"continue\necho ba''ck\r");
    term.wait_for("back", seconds(5));
    term.wait_for(PROMPT, seconds(5));
    term.wait_raw(seconds(5));

    // Ctrl-A h: the help, and the `h` is not the guest's (the line below would be `hecho`).
    term.type_keys(b"\x01h");
    term.wait_for("x quit", seconds(5));
    term.type_keys(b"echo HE''LPED\r");
    term.wait_for("HELPED", seconds(5));
    term.wait_for(PROMPT, seconds(5));

    // Ctrl-A Ctrl-A: the guest's Ctrl-A, which moves busybox's cursor to the start of the
    // line, where `e` completes `echo`.
    term.type_keys(b"cho X''Y\x01\x01e\r");
    term.wait_for("\nXY\r", seconds(5));
    term.wait_for(PROMPT, seconds(5));

    // Ctrl-A x: the run ends at once, as asked, with the statistics.
    term.type_keys(b"\x01x");
    let status = term.wait_exit(seconds(5));
    assert_eq!(status.code(), Some(0), "{status}");
    term.wait_for("instructions in", seconds(5));

    // busybox asked for the cursor; the answers went to it, never on the screen.
    assert!(term.answered > 0, "busybox never asked for the cursor");
    let all = String::from_utf8_lossy(&term.output);
    assert!(
        !all.contains("^[[") && !all.contains("5;5R"),
        "a cursor report was shown as text:\n{all}"
    );

    assert_settings(&term.termios(), &before, "the terminal was not restored");
}

#[test]
fn a_rom_on_the_terminal_ends_on_ctrl_a_x_with_the_terminal_restored() {
    let rom = repository_file("roms/demos/hello/hello.bin");
    let mut term = Terminal::start(&["run", "--headless", &rom]);
    let before = term.before.clone();
    term.wait_for("hello: the picture is on the LCD\r\n", seconds(10));
    term.wait_raw(seconds(5));
    // Sleeping, woken by nothing but the LCD.
    std::thread::sleep(Duration::from_millis(200));
    assert!(
        term.child.try_wait().unwrap().is_none(),
        "the ROM's run ended"
    );
    term.type_keys(b"\x01x");
    let status = term.wait_exit(seconds(5));
    assert_eq!(status.code(), Some(0), "{status}");
    assert_settings(&term.termios(), &before, "the terminal was not restored");
}

/// SIGTERM (a `kill`) ends a run on a raw terminal as Ctrl-A x does: status 0, `--stats`
/// printed, the terminal's settings back.
#[test]
fn a_termination_signal_ends_the_run_with_the_terminal_restored() {
    let rom = repository_file("roms/demos/hello/hello.bin");
    let mut term = Terminal::start(&["run", "--headless", "--stats", &rom]);
    let before = term.before.clone();
    term.wait_for("hello: the picture is on the LCD\r\n", seconds(10));
    term.wait_raw(seconds(5));
    let killed = Command::new("kill")
        .args(["-TERM", &term.child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(killed.success());
    let status = term.wait_exit(seconds(5));
    assert_eq!(status.code(), Some(0), "{status}");
    term.wait_for("instructions in", seconds(5));
    assert_settings(&term.termios(), &before, "the terminal was not restored");
}
