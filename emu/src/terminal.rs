//! The host's terminal and stdin, as the guest's serial console and the monitor share them.
//!
//! One thread reads stdin and hands what it reads to whoever wants it now: the monitor while it
//! waits for a command line, else the latest machine's UART (a reset in the window builds a new
//! machine). The UART's channel is bounded, so a large piped input waits in the pipe rather
//! than in memory while the guest is slow to take it.
//!
//! When the UART reads a terminal, the terminal is put in raw mode, as `qemu -nographic`
//! does: every key goes to the guest as it is typed (Ctrl-C included, as the byte 0x03), the
//! guest echoes and edits lines itself, and the terminal's answers to the guest's queries (the
//! cursor position busybox asks for) reach the guest instead of the screen. Output processing
//! stays on, so a bare `\n` from the guest or the emulator still starts a new line. The escape
//! key Ctrl-A, followed by a letter, talks to the emulator instead ([`ESCAPE_HELP`]). While the
//! monitor reads a command line the terminal is back in its own (cooked) mode, with its line
//! editing; the raw mode returns when the guest has the terminal again, and the terminal is
//! restored however the run ends ([`restore`]).

use std::io::{IsTerminal, Read, Write};
use std::os::fd::AsFd;
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::sync::mpsc::{Receiver, SyncSender};
use std::sync::{Mutex, MutexGuard, Once};

use nix::sys::termios::{self, SetArg, Termios};

/// The escape byte: Ctrl-A, as QEMU's.
const ESCAPE: u8 = 0x01;

/// What Ctrl-A h prints.
pub const ESCAPE_HELP: &str =
    "emu: Ctrl-A x quit, Ctrl-A c monitor, Ctrl-A h help, Ctrl-A Ctrl-A send Ctrl-A\n";

/// Chunks of input the UART's channel holds before the stdin thread waits.
const UART_CHANNEL_CHUNKS: usize = 16;

/// What the person at the terminal asked of the emulator with the escape key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Request {
    /// Ctrl-A x: end the run.
    Quit,
    /// Ctrl-A c: stop in the monitor.
    Monitor,
}

/// The request not yet taken: 0 none, 1 monitor, 2 quit (the larger wins).
static REQUEST: AtomicU8 = AtomicU8::new(0);

/// Set by SIGTERM and SIGHUP once [`end_on_termination`] asked for it.
static TERMINATED: AtomicBool = AtomicBool::new(false);

/// Makes SIGTERM and SIGHUP (a `kill`, a closed terminal window) ask the run to end as Ctrl-A x
/// does, so that the terminal is restored and what is asked at the end is done. Only for front
/// ends that take requests ([`take_request`]) all along: the window and headless runs.
pub fn end_on_termination() {
    for signal in [signal_hook::consts::SIGTERM, signal_hook::consts::SIGHUP] {
        // Without the handler the signal ends the process as before.
        let _ = signal_hook::flag::register(signal, &TERMINATED);
    }
}

/// Takes the latest request (the escape key's, or a termination signal's), if any.
pub fn take_request() -> Option<Request> {
    if TERMINATED.swap(false, Ordering::Relaxed) {
        return Some(Request::Quit);
    }
    match REQUEST.swap(0, Ordering::Relaxed) {
        1 => Some(Request::Monitor),
        2 => Some(Request::Quit),
        _ => None,
    }
}

fn post(request: Request) {
    let code = match request {
        Request::Monitor => 1,
        Request::Quit => 2,
    };
    // A quit outranks a monitor request made before it was taken.
    let _ = REQUEST.fetch_max(code, Ordering::Relaxed);
}

/// Where the stdin thread hands what it reads; nobody once stdin has ended.
enum Sink {
    Open {
        uart: Option<SyncSender<Vec<u8>>>,
        monitor: Option<std::sync::mpsc::Sender<Vec<u8>>>,
    },
    Ended,
}

static SINK: Mutex<Sink> = Mutex::new(Sink::Open {
    uart: None,
    monitor: None,
});
/// What the stdin thread read past the end of the monitor's last line.
static MONITOR_PENDING: Mutex<Vec<u8>> = Mutex::new(Vec::new());
static STDIN_THREAD: Once = Once::new();

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

/// The terminal's own settings, saved when raw mode was first set; `None` while it has them.
static SAVED: Mutex<Option<Termios>> = Mutex::new(None);
/// Whether raw mode is wanted while the guest has the terminal.
static RAW_WANTED: AtomicBool = AtomicBool::new(false);

/// The host's stdin for the UART: read on one thread and handed over in chunks as it comes. A
/// receiver made after stdin ended is disconnected at once. When stdin is a terminal it goes
/// into raw mode and the escape key works.
pub fn uart_input() -> Receiver<Vec<u8>> {
    let (sender, receiver) = std::sync::mpsc::sync_channel(UART_CHANNEL_CHUNKS);
    if let Sink::Open { uart, .. } = &mut *lock(&SINK) {
        *uart = Some(sender);
    }
    if std::io::stdin().is_terminal() && !RAW_WANTED.swap(true, Ordering::Relaxed) {
        set_raw(true);
        // A panic must not leave the person's terminal raw.
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            restore();
            previous(info);
        }));
    }
    start_thread();
    receiver
}

/// Puts the terminal back as it was before the run (at the end of a run, before a panic's
/// message).
pub fn restore() {
    RAW_WANTED.store(false, Ordering::Relaxed);
    set_raw(false);
}

/// Raw mode on (saving the terminal's settings first) or the saved settings back.
fn set_raw(raw: bool) {
    let stdin = std::io::stdin();
    let mut saved = lock(&SAVED);
    if raw {
        let Ok(current) = termios::tcgetattr(stdin.as_fd()) else {
            return;
        };
        let mut settings = current.clone();
        termios::cfmakeraw(&mut settings);
        // Output processing stays: a bare "\n" still returns the carriage.
        settings.output_flags = current.output_flags;
        if termios::tcsetattr(stdin.as_fd(), SetArg::TCSADRAIN, &settings).is_ok() {
            saved.get_or_insert(current);
        }
    } else if let Some(settings) = saved.take() {
        let _ = termios::tcsetattr(stdin.as_fd(), SetArg::TCSADRAIN, &settings);
    }
}

/// The escape key's state across reads: whether the last byte was Ctrl-A.
#[derive(Default)]
struct Escapes {
    pending: bool,
}

impl Escapes {
    /// Takes the escape sequences out of `bytes`, acting on them; returns what goes to the
    /// guest.
    fn filter(&mut self, bytes: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(bytes.len());
        for &byte in bytes {
            if !self.pending {
                if byte == ESCAPE {
                    self.pending = true;
                } else {
                    out.push(byte);
                }
                continue;
            }
            self.pending = false;
            match byte {
                ESCAPE => out.push(ESCAPE),
                b'x' | b'X' => post(Request::Quit),
                b'c' | b'C' => post(Request::Monitor),
                b'h' | b'H' | b'?' => {
                    let mut stderr = std::io::stderr();
                    let _ = stderr.write_all(ESCAPE_HELP.as_bytes());
                    let _ = stderr.flush();
                }
                // As QEMU: an unknown escape does nothing.
                _ => {}
            }
        }
        out
    }
}

fn start_thread() {
    STDIN_THREAD.call_once(|| {
        std::thread::spawn(|| {
            let mut stdin = std::io::stdin();
            let mut buf = [0u8; 4096];
            let mut escapes = Escapes::default();
            while let Ok(n @ 1..) = stdin.read(&mut buf) {
                let uart = match &mut *lock(&SINK) {
                    Sink::Open { uart, monitor } => {
                        if let Some(waiting) = monitor {
                            let _ = waiting.send(buf[..n].to_vec());
                            // The monitor has its line: what is typed after it (pasted with
                            // `continue`, say) is the UART's unless the monitor asks again.
                            // Done here, under the lock, so that nothing is sent to a monitor
                            // that has stopped waiting, whose channel is gone with it.
                            if buf[..n].contains(&b'\n') {
                                *monitor = None;
                            }
                            continue;
                        }
                        uart.clone()
                    }
                    Sink::Ended => None,
                };
                if let Some(uart) = uart {
                    let bytes = if RAW_WANTED.load(Ordering::Relaxed) {
                        escapes.filter(&buf[..n])
                    } else {
                        buf[..n].to_vec()
                    };
                    // An empty chunk still wakes a machine blocked waiting for input, so that
                    // it sees an escape request. A receiver dropped with its machine loses
                    // nothing that matters.
                    let _ = uart.send(bytes);
                }
            }
            *lock(&SINK) = Sink::Ended;
        });
    });
}

/// The monitor's line reader when the UART has stdin: only one reader may own the terminal,
/// so the monitor takes its lines from the stdin thread, which hands them to the monitor
/// instead of the UART while it waits for one (with the terminal's own line editing: raw mode
/// is off meanwhile).
pub fn monitor_line(prompt: &str) -> Option<String> {
    let mut pending = lock(&MONITOR_PENDING);
    let (sender, receiver) = std::sync::mpsc::channel();
    match &mut *lock(&SINK) {
        // The stdin thread stops handing over input after a line (see `start_thread`), so
        // the monitor waits for it only when no line is pending.
        Sink::Open { monitor, .. } if !pending.contains(&b'\n') => *monitor = Some(sender),
        // Past the end of input only what is pending is left.
        _ => drop(sender),
    }
    let raw = RAW_WANTED.load(Ordering::Relaxed);
    if raw {
        set_raw(false);
    }
    start_thread();
    // The prompt once the input is the monitor's: what is typed after it is a command.
    print!("{prompt}");
    let _ = std::io::stdout().flush();
    // Ends when the line is complete, or when stdin ends (the thread drops the sender).
    let newline = loop {
        if let Some(at) = pending.iter().position(|&b| b == b'\n') {
            break Some(at);
        }
        match receiver.recv() {
            Ok(chunk) => pending.extend(chunk),
            Err(_) => break None,
        }
    };
    if let Sink::Open { monitor, .. } = &mut *lock(&SINK) {
        *monitor = None;
    }
    if raw && RAW_WANTED.load(Ordering::Relaxed) {
        set_raw(true);
    }
    let line: Vec<u8> = match newline {
        Some(at) => pending.drain(..=at).collect(),
        None if pending.is_empty() => return None,
        None => std::mem::take(&mut *pending),
    };
    Some(
        String::from_utf8_lossy(&line)
            .trim_end_matches(['\r', '\n'])
            .to_string(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_escape_key_is_taken_out_and_acted_on() {
        let mut escapes = Escapes::default();
        assert_eq!(escapes.filter(b"ls\x03"), b"ls\x03");
        assert_eq!(escapes.filter(b"a\x01\x01b"), b"a\x01b");
        assert_eq!(take_request(), None);
        // Split across reads.
        assert_eq!(escapes.filter(b"q\x01"), b"q");
        assert_eq!(escapes.filter(b"c!"), b"!");
        assert_eq!(take_request(), Some(Request::Monitor));
        assert_eq!(escapes.filter(b"\x01z\x01x"), b"");
        assert_eq!(take_request(), Some(Request::Quit));
        assert_eq!(take_request(), None);
        // A quit typed after a monitor request not yet taken wins; not the other way round.
        assert_eq!(escapes.filter(b"\x01c\x01x"), b"");
        assert_eq!(take_request(), Some(Request::Quit));
        assert_eq!(escapes.filter(b"\x01x\x01c"), b"");
        assert_eq!(take_request(), Some(Request::Quit));
    }
}
