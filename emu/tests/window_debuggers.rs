//! The window while a debugger has the machine, under Xvfb: `--window --monitor` on a
//! pseudo-terminal, as a person at a terminal runs it, and `--window --gdb` with a real
//! gdb-multiarch. The guest's keys follow the host's across the monitor's commands, the mouse
//! drives the drawn touchpad as in the window's own runs, and every way out of the monitor's
//! window (Ctrl-D, F12, closing it) ends the run cleanly with the terminal as it was. They need
//! Xvfb, xdotool and xwd (and gdb-multiarch, python3): without them they fail, saying what to
//! install.

#[allow(dead_code)]
mod gdb_support;
#[allow(dead_code)]
mod screenshot_support;
#[allow(dead_code)]
mod window_support;

use std::path::{Path, PathBuf};
use std::time::Duration;

use nix::sys::termios::{self, LocalFlags};
use screenshot_support::temp_dir;
use window_support::*;

/// The keys demo ROM as an ELF, whose symbols the monitor knows.
fn keys_elf() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../roms/demos/keys/keys.elf")
}

/// The Ndless game `gems.tns`, which reads the touchpad and prints its steps.
fn gems() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../roms/ndless/gems.tns")
}

/// Runs the keys ROM's main loop `times` times in the monitor (`until keys_poll`): each turn
/// waits for the LCD's next frame, so the machine runs past the end of the window's frame.
fn run_loops_in_the_monitor(emu: &mut Emu, times: usize) {
    for _ in 0..times {
        let prompts = emu.seen.matches("(emu) ").count();
        emu.type_keys(b"until keys_poll\r");
        emu.wait_for_count("(emu) ", prompts + 1);
    }
}

/// Types `continue` at the monitor's prompt and waits until the window runs the machine.
fn continue_in_the_window(x: &Xvfb, emu: &mut Emu, id: &str) {
    emu.type_keys(b"continue\r");
    x.wait_title(id, "running", |t| !t.contains("in the monitor"));
    // A few frames run.
    std::thread::sleep(Duration::from_millis(300));
}

/// A key held down when the monitor takes the machine and runs it on (`until`, across frames)
/// is released in the guest when it is released after `continue`; a key tapped at the
/// prompt, which the machine holds while the monitor runs it, is released after `continue`.
/// (Both stayed down in the guest for good: the window took the machine's move for a state
/// loaded and forgot the keys held.)
#[test]
fn keys_follow_the_host_across_monitor_commands() {
    let x = xvfb();
    let dir = temp_dir("window-monitor-keys");
    let rom = keys_elf();
    let mut emu = x.emu_on_terminal(
        &dir,
        &["run", "--window", "--monitor", rom.to_str().unwrap()],
    );
    let id = x.window(&emu, "^keys\\.elf - emu");
    emu.wait_for_output("(emu) ");
    // The pointer off the window: with the focus on it, X gives it the keys.
    x.client("xdotool", &["mousemove", "1919", "1079"]);
    x.client("xdotool", &["windowfocus", &id]);
    continue_in_the_window(&x, &mut emu, &id);
    emu.wait_for_output("keys: the keypad tester is running");

    x.client("xdotool", &["keydown", "c"]);
    emu.wait_for_output("keys: press ac");
    x.client("xdotool", &["key", "F5"]);
    emu.wait_for_count("(emu) ", 2);
    run_loops_in_the_monitor(&mut emu, 4);
    continue_in_the_window(&x, &mut emu, &id);
    assert!(!emu.seen.contains("keys: release ac"), "{}", emu.seen);
    x.client("xdotool", &["keyup", "c"]);
    emu.wait_for_output("keys: release ac");

    x.client("xdotool", &["key", "F5"]);
    let prompts = emu.seen.matches("(emu) ").count();
    emu.wait_for_count("(emu) ", prompts + 1);
    let panel = (640, 0, 400, 480);
    let unlit = crop(&x.grab(&id), panel).pixels;
    x.client("xdotool", &["key", "d"]);
    // The window took the tap at a host frame: the drawn keypad shows d held until a frame of
    // the machine's has run (the monitor's commands run it with the keys held then).
    wait_until("d lit on the drawn keypad", || {
        crop(&x.grab(&id), panel).pixels != unlit
    });
    run_loops_in_the_monitor(&mut emu, 4);
    assert!(emu.seen.contains("keys: press ad"), "{}", emu.seen);
    continue_in_the_window(&x, &mut emu, &id);
    emu.wait_for_output("keys: release ad");

    x.client("xdotool", &["key", "F12"]);
    assert_eq!(exit_code(&mut emu), Some(0));
}

/// The pad's top edge's middle and its right edge's middle, in the window at its starting
/// size: the pad is 208x148 at (96, 8) of the panel at x 640.
const PAD_TOP: [&str; 2] = ["840", "16"];
const PAD_RIGHT: [&str; 2] = ["936", "82"];

/// Moves the mouse over the window `id` to `at`, then presses and releases `button` as
/// xdotool's arguments say (`click 3`, `mousedown 3`...).
fn mouse(x: &Xvfb, id: &str, at: [&str; 2], button: &[&str]) {
    x.client("xdotool", &["mousemove", "--window", id, at[0], at[1]]);
    x.client("xdotool", button);
}

/// With `--window --monitor` the mouse drives the drawn touchpad as in the window's own runs:
/// gems walks a step up while the right button pushes the pad's top edge, and a quick push at
/// its right edge clicked while the monitor waits reaches the game after `continue` (held for
/// a frame of the machine's time, as a key tapped there is).
#[test]
fn the_touchpad_takes_the_mouse_in_the_monitor_window() {
    let x = xvfb();
    let dir = temp_dir("window-monitor-pad");
    let gems = gems();
    let args = ["run", "--window", "--monitor", "--rtc", "1767225600"];
    let mut emu = x.emu_on_terminal(&dir, &[&args[..], &[gems.to_str().unwrap()]].concat());
    let id = x.window(&emu, "^gems\\.tns - emu");
    emu.wait_for_output("(emu) ");
    continue_in_the_window(&x, &mut emu, &id);
    emu.wait_for_output("gems: start");
    mouse(&x, &id, PAD_TOP, &["mousedown", "3"]);
    emu.wait_for_output("step up: 7,4");
    x.client("xdotool", &["mouseup", "3"]);

    x.client("xdotool", &["windowfocus", &id]);
    x.client("xdotool", &["key", "F5"]);
    emu.wait_for_count("(emu) ", 2);
    mouse(&x, &id, PAD_RIGHT, &["click", "3"]);
    std::thread::sleep(Duration::from_millis(300));
    assert!(!emu.seen.contains(" right: "), "{}", emu.seen);
    continue_in_the_window(&x, &mut emu, &id);
    emu.wait_for_output(" right: ");
    x.client("xdotool", &["key", "F12"]);
    assert_eq!(exit_code(&mut emu), Some(0));
}

/// With `--window --gdb` the mouse drives the drawn touchpad too (it did nothing there): gems
/// walks a step up while the right button pushes the pad's top edge as gdb lets the machine
/// run, and a quick push at its right edge clicked while gdb has the machine stopped (by
/// Ctrl-C) reaches the game once gdb continues. F12 then ends the run, closing gdb's
/// connection.
#[test]
fn the_touchpad_takes_the_mouse_under_gdb() {
    let x = xvfb();
    let dir = temp_dir("window-gdb-pad");
    let gems = gems();
    let (mut emu, address) =
        emu_under_gdb(&x, &dir, &["--rtc", "1767225600", gems.to_str().unwrap()]);
    let id = x.window(&emu, "^gems\\.tns - emu");
    let mut gdb = Gdb::attach(&gems.with_extension("elf"), &address);
    gdb.send("continue\n");
    emu.wait_for_output("gems: start");
    // The game idles meanwhile, waiting for its tick: the press reaches it a frame of its time
    // later all the same. (The stub ran a million instructions a slice, which an idle gems
    // takes 30 to 50 s of its time over, and the paced window waited that long to run the
    // next: a press that missed the slice gems started in came too late.)
    std::thread::sleep(Duration::from_secs(1));
    mouse(&x, &id, PAD_TOP, &["mousedown", "3"]);
    emu.wait_for_output("step up: 7,4");
    x.client("xdotool", &["mouseup", "3"]);

    // Ctrl-C in gdb: it stops the machine.
    let kill = std::process::Command::new("kill")
        .args(["-INT", &gdb.child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    gdb.wait_for("SIGINT");
    x.wait_title(&id, "stopped by gdb", |t| t.ends_with("stopped by gdb"));
    mouse(&x, &id, PAD_RIGHT, &["click", "3"]);
    std::thread::sleep(Duration::from_millis(300));
    emu.wait_for_output("step up: 7,4");
    assert!(!emu.seen.contains(" right: "), "{}", emu.seen);
    gdb.send("continue\n");
    emu.wait_for_output(" right: ");
    x.client("xdotool", &["windowfocus", &id]);
    x.client("xdotool", &["key", "F12"]);
    assert_eq!(exit_code(&mut emu), Some(0));
    gdb.wait_for("Remote connection closed");
    gdb.quit();
}

/// The window of `--window --gdb` reads the gamepads as the plain window does (it read none):
/// with no pad here, its one line at debug level says gilrs found none, and F12 still ends
/// the run with status 0.
#[test]
fn the_gdb_window_reads_the_gamepads() {
    let x = xvfb();
    let dir = temp_dir("window-gdb-gamepads");
    let rom = keys_rom();
    let args = ["run", "--window", "--gdb", "0", rom.to_str().unwrap()];
    let (mut command, stderr) = x.emu_command(&dir, &args);
    command.env("RUST_LOG", "emu::frontend::gamepad=debug");
    let mut emu = x.spawn((command, stderr));
    let id = x.window(&emu, "^keys\\.bin - emu");
    x.client("xdotool", &["windowfocus", &id]);
    x.client("xdotool", &["key", "F12"]);
    assert_eq!(exit_code(&mut emu), Some(0));
    let stderr = std::fs::read_to_string(&emu.stderr).unwrap();
    assert!(
        stderr.contains("DEBUG emu::frontend::gamepad] gamepads: none"),
        "{stderr}"
    );
}

/// Whether the terminal `emu` had is as a shell leaves it: lines edited by the terminal,
/// echoed, Ctrl-C a signal (not the raw mode of the monitor's line editor or of the UART).
fn terminal_restored(emu: &Emu) -> bool {
    let settings = termios::tcgetattr(emu.terminal.as_ref().unwrap()).unwrap();
    let cooked = LocalFlags::ICANON | LocalFlags::ECHO | LocalFlags::ISIG;
    settings.local_flags.contains(cooked)
}

/// Sends the window `id` WM_DELETE_WINDOW, as a window manager's close button does (Xvfb has
/// no window manager; xdotool's windowclose destroys the window instead), through Xlib from
/// Python.
fn close_window(x: &Xvfb, id: &str) {
    const CLOSE: &str = r#"
import ctypes, ctypes.util, sys
x = ctypes.cdll.LoadLibrary(ctypes.util.find_library("X11") or "libX11.so.6")
x.XOpenDisplay.restype = ctypes.c_void_p
x.XOpenDisplay.argtypes = [ctypes.c_char_p]
x.XInternAtom.restype = ctypes.c_ulong
x.XInternAtom.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
x.XSendEvent.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_int, ctypes.c_long,
                         ctypes.c_void_p]
x.XFlush.argtypes = [ctypes.c_void_p]
class ClientMessage(ctypes.Structure):
    _fields_ = [("type", ctypes.c_int), ("serial", ctypes.c_ulong),
                ("send_event", ctypes.c_int), ("display", ctypes.c_void_p),
                ("window", ctypes.c_ulong), ("message_type", ctypes.c_ulong),
                ("format", ctypes.c_int), ("data", ctypes.c_long * 5)]
class Event(ctypes.Union):
    _fields_ = [("client", ClientMessage), ("pad", ctypes.c_long * 24)]
d = x.XOpenDisplay(None)
e = Event()
e.client.type = 33  # ClientMessage
e.client.window = int(sys.argv[1])
e.client.message_type = x.XInternAtom(d, b"WM_PROTOCOLS", 0)
e.client.format = 32
e.client.data[0] = x.XInternAtom(d, b"WM_DELETE_WINDOW", 0)
x.XSendEvent(d, e.client.window, 0, 0, ctypes.byref(e))
x.XFlush(d)
"#;
    x.client("python3", &["-c", CLOSE, id]);
}

/// Sends `emu` SIGINT, as its terminal does at Ctrl-C.
fn ctrl_c(emu: &Emu) {
    let pid = emu.process.0.id().to_string();
    let kill = std::process::Command::new("kill")
        .args(["-INT", &pid])
        .status();
    assert!(kill.unwrap().success());
}

/// `emu run --window --monitor` on the demo, on a terminal, and its window's id.
fn demo_in_the_monitor(x: &Xvfb, what: &str) -> (Emu, String) {
    let dir = temp_dir(what);
    let mut emu = x.emu_on_terminal(&dir, &["run", "--window", "--monitor"]);
    let id = x.window(&emu, "^demo - emu");
    emu.wait_for_output("(emu) ");
    (emu, id)
}

/// A newcomer's mistakes at the monitor's prompt get a line each and the prompt again, as
/// does Ctrl-C there (the line is dropped); Ctrl-D ends the run with status 0 and the terminal
/// as it was. Closing the window while the prompt waits does the same.
#[test]
fn the_monitor_windows_prompt_ends_cleanly() {
    let x = xvfb();
    let (mut emu, _) = demo_in_the_monitor(&x, "window-monitor-mistakes");
    emu.type_keys(b"foo\r");
    emu.wait_for_output("error: unknown command 'foo' ('help' lists the commands)");
    emu.type_keys(b"x\r");
    emu.wait_for_output("error: x: missing address");
    // Ctrl-C typed before the line editor has the terminal again would be the terminal's own
    // (it drops the line typed so far), not the prompt's: wait for the prompt.
    emu.wait_for_count("(emu) ", 3);
    emu.type_keys(b"conti\x03");
    emu.wait_for_count("(emu) ", 4);
    emu.type_keys(b"\x04");
    assert_eq!(exit_code(&mut emu), Some(0));
    assert!(terminal_restored(&emu));
    assert!(!emu.seen.contains("keys you press"), "it ran: {}", emu.seen);

    let (mut emu, id) = demo_in_the_monitor(&x, "window-monitor-close");
    emu.type_keys(b"regs");
    close_window(&x, &id);
    assert_eq!(exit_code(&mut emu), Some(0));
    assert!(terminal_restored(&emu));
}

/// Ctrl-C on the terminal (SIGINT: the test's terminal is not emu's controlling terminal, so
/// the test sends the signal the terminal would) while the window runs the machine opens the
/// monitor, as F5 does (it killed emu); Ctrl-C stops a monitor command that runs the machine
/// (`until` an address never reached) with the prompt again; F12 there ends the run with
/// status 0 and the terminal as it was. A run bounded by --frames ends at Ctrl-C with status
/// 130, as a headless one does.
#[test]
fn ctrl_c_in_the_window_opens_the_monitor() {
    let x = xvfb();
    let (mut emu, id) = demo_in_the_monitor(&x, "window-monitor-ctrl-c");
    continue_in_the_window(&x, &mut emu, &id);
    emu.wait_for_output("Keys pressed:");
    ctrl_c(&emu);
    emu.wait_for_count("(emu) ", 2);
    x.wait_title(&id, "in the monitor", |t| t.contains("in the monitor"));
    emu.type_keys(b"until 4\r");
    wait_for_a_command(&x, &id);
    ctrl_c(&emu);
    emu.wait_for_output("interrupted");
    emu.wait_for_count("(emu) ", 3);
    x.client("xdotool", &["windowfocus", &id]);
    x.client("xdotool", &["key", "F12"]);
    assert_eq!(exit_code(&mut emu), Some(0));
    assert!(terminal_restored(&emu));

    let dir = temp_dir("window-frames-ctrl-c");
    let mut emu = x.emu_on_terminal(&dir, &["run", "--frames", "100000"]);
    x.window(&emu, "^demo - emu");
    emu.wait_for_output("Keys pressed:");
    ctrl_c(&emu);
    assert_eq!(exit_code(&mut emu), Some(130));
    let stderr = std::fs::read_to_string(&emu.stderr).unwrap();
    assert_eq!(stderr, "emu: interrupted (Ctrl-C)\n");
}

/// Waits until the window says the monitor runs a command.
fn wait_for_a_command(x: &Xvfb, id: &str) {
    x.wait_title(id, "running a monitor command", |t| {
        t.contains("the monitor runs a command")
    });
}

/// The LCD's part of the window's picture, at its starting size.
fn lcd(x: &Xvfb, id: &str) -> Vec<u32> {
    crop(&x.grab(id), (0, 0, 640, 480)).pixels
}

/// While a monitor command runs the machine for long (`until` an address never reached) the
/// window stays live: its title and status line say so, and the picture follows the machine
/// (the demo draws its show, its clock ticking); F5 in the window stops the command,
/// "interrupted" as Ctrl-C does, with the prompt again; F12 during a command stops it and
/// ends the run with status 0, and so does closing the window, the terminal as it was.
/// (The window showed the picture of the prompt, its title too, until the command ended.)
#[test]
fn the_window_stays_live_while_a_monitor_command_runs() {
    let x = xvfb();
    let (mut emu, id) = demo_in_the_monitor(&x, "window-monitor-busy");
    x.wait_title(&id, "in the monitor", |t| t.contains("in the monitor"));
    let at_the_prompt = lcd(&x, &id);
    emu.type_keys(b"until 4\r");
    wait_for_a_command(&x, &id);
    let mut first = at_the_prompt.clone();
    wait_until("the demo's picture", || {
        first = lcd(&x, &id);
        first != at_the_prompt
    });
    wait_until("the picture changing again", || lcd(&x, &id) != first);
    x.client("xdotool", &["windowfocus", &id]);
    x.hold("F5");
    emu.wait_for_output("interrupted");
    emu.wait_for_count("(emu) ", 2);
    x.wait_title(&id, "in the monitor", |t| t.contains("in the monitor"));

    emu.type_keys(b"until 4\r");
    wait_for_a_command(&x, &id);
    x.hold("F12");
    assert_eq!(exit_code(&mut emu), Some(0));
    assert!(read_all(&mut emu).contains("interrupted"));
    assert!(terminal_restored(&emu));

    let (mut emu, id) = demo_in_the_monitor(&x, "window-monitor-busy-close");
    emu.type_keys(b"until 4\r");
    wait_for_a_command(&x, &id);
    close_window(&x, &id);
    assert_eq!(exit_code(&mut emu), Some(0));
    assert!(terminal_restored(&emu));
}

/// Under `--window --gdb`, Ctrl-C on emu's terminal (SIGINT, sent as the terminal would) does
/// what gdb's own Ctrl-C does instead of ending emu: with no client attached it says so in a
/// line and the stub waits on; with gdb running the machine it stops it, which gdb reports as
/// SIGINT; with gdb's machine stopped it says so. gdb then continues, and F12 ends the run.
/// (The window also said "stopped by gdb", frozen, while gems waited for a key under gdb's
/// `continue`: the stub slept until the host's clock caught up with the idle machine.)
#[test]
fn ctrl_c_under_gdb_stops_the_machine_for_gdb() {
    let x = xvfb();
    let dir = temp_dir("window-gdb-ctrl-c");
    let gems = gems();
    let (mut emu, address) =
        emu_under_gdb(&x, &dir, &["--rtc", "1767225600", gems.to_str().unwrap()]);
    let id = x.window(&emu, "^gems\\.tns - emu");
    let stderr = |emu: &Emu| std::fs::read_to_string(&emu.stderr).unwrap_or_default();
    ctrl_c(&emu);
    wait_until("the line saying no client is attached", || {
        stderr(&emu).contains("emu: Ctrl-C: no gdb client is attached")
    });
    let mut gdb = Gdb::attach(&gems.with_extension("elf"), &address);
    gdb.send("continue\n");
    emu.wait_for_output("gems: start");
    x.wait_title(&id, "running under gdb", |t| {
        t.ends_with("running under gdb")
    });
    ctrl_c(&emu);
    gdb.wait_for("Program received signal SIGINT");
    x.wait_title(&id, "stopped by gdb", |t| t.ends_with("stopped by gdb"));
    ctrl_c(&emu);
    wait_until("the line saying gdb has the machine stopped", || {
        stderr(&emu).contains("emu: Ctrl-C: gdb has the machine stopped already")
    });
    assert!(emu.process.0.try_wait().unwrap().is_none(), "emu ended");
    gdb.send("continue\n");
    x.wait_title(&id, "running under gdb", |t| {
        t.ends_with("running under gdb")
    });
    x.client("xdotool", &["windowfocus", &id]);
    x.hold("F12");
    assert_eq!(exit_code(&mut emu), Some(0));
    gdb.wait_for("Remote connection closed");
    gdb.quit();
}
