//! The real window, under Xvfb: `emu` opens it, draws the LCD at scale 2 with the keypad
//! beside it, takes keys and mouse clicks from the X server (sent with xdotool), keeps the
//! LCD's shape when resized and in full screen, quits on F12 with status 0; the picture,
//! grabbed with xwd, equals the headless golden pictures (the LCD's, and the keypad as
//! `window_view.rs` draws it). They need Xvfb, xdotool and xwd (Debian's xvfb, xdotool and
//! x11-apps): without them they fail, saying what to install.

#[allow(dead_code)]
mod gdb_support;
mod screenshot_support;
mod window_support;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use screenshot_support::{bars_rom, first_difference, golden_path, read_png, temp_dir};
use window_support::*;

/// The window shows the ROM's picture, a key typed in it reaches the keypad, its title shows
/// the speed, and F12 quits with status 0.
#[test]
fn window_shows_the_lcd_and_takes_keys() {
    let x = xvfb();
    let dir = temp_dir("window-keys");
    let rom = bars_rom(&dir);
    let mut emu = x.emu(&dir, &["run", rom.to_str().unwrap()]);
    let id = x.window(&emu, "^bars\\.bin - emu");
    x.expect_picture(&id, "colour_bars");

    x.client("xdotool", &["windowfocus", &id]);
    x.client("xdotool", &["key", "a"]);
    x.expect_picture(&id, "colour_bars_key_a");

    let title = String::from_utf8_lossy(&x.client("xdotool", &["getwindowname", &id])).into_owned();
    let speed = title.trim().strip_prefix("bars.bin - emu - ");
    assert!(
        speed.is_some_and(|s| s.ends_with('%') && s[..s.len() - 1].parse::<u32>().is_ok()),
        "{title}"
    );

    x.client("xdotool", &["key", "F12"]);
    assert_eq!(exit_code(&mut emu), Some(0));
    assert_eq!(read_all(&mut emu), "");
}

/// `--frames` ends a window run by itself, and `--screenshot` writes what it showed, one file
/// pixel per LCD pixel.
#[test]
fn window_run_ends_after_its_frames_with_a_screenshot() {
    let x = xvfb();
    let dir = temp_dir("window-frames");
    let rom = bars_rom(&dir);
    let shot = dir.join("shot.png");
    let mut emu = x.emu(
        &dir,
        &[
            "run",
            "--frames",
            "20",
            "--scale",
            "1",
            "--screenshot",
            shot.to_str().unwrap(),
            rom.to_str().unwrap(),
        ],
    );
    assert_eq!(
        exit_code(&mut emu),
        Some(0),
        "{}",
        std::fs::read_to_string(&emu.stderr).unwrap_or_default()
    );
    let expected = read_png(&golden_path("colour_bars")).unwrap();
    let difference = first_difference(&read_png(&shot).unwrap(), 1, &expected);
    assert_eq!(difference, None);
}

/// Plain `emu` opens the window on the built-in demo, whose semihosting output still reaches
/// stdout; after the demo exits the window stays until F12, and the status is the demo's.
#[test]
fn no_arguments_opens_the_demo_in_a_window() {
    let x = xvfb();
    let dir = temp_dir("window-demo");
    let mut emu = x.emu(&dir, &[]);
    let id = x.window(&emu, "^demo - emu");
    // The demo draws its show (the time comes from the host's clock here, so the picture is
    // not compared with a golden one: emu/tests/golden.rs does that headless, with --rtc).
    let start = Instant::now();
    loop {
        let picture = x.grab(&id);
        let lit = picture
            .pixels
            .iter()
            .filter(|&&p| p & 0xFF_FFFF != 0)
            .count();
        if lit > picture.pixels.len() / 4 {
            break;
        }
        assert!(start.elapsed() < PATIENCE, "the demo's window stays dark");
        std::thread::sleep(Duration::from_millis(100));
    }
    x.client("xdotool", &["windowfocus", &id]);
    x.client("xdotool", &["key", "a"]);
    // The demo reports each key it sees through semihosting.
    emu.wait_for_output("  key aa");
    x.client("xdotool", &["key", "F12"]);
    assert_eq!(exit_code(&mut emu), Some(0));
    let output = emu.seen.clone() + &read_all(&mut emu);
    assert!(output.contains("TI-Nspire CX emulator demo"), "{output}");
    assert!(output.contains("All checks passed"), "{output}");
}

/// F5 opens the monitor on the terminal emu runs on: it shows where the machine stopped and
/// reads commands; its `quit` ends the run like closing the window.
#[test]
fn f5_opens_the_monitor_on_the_terminal() {
    let x = xvfb();
    let dir = temp_dir("window-monitor");
    let rom = bars_rom(&dir);
    let mut emu = x.emu_on_terminal(&dir, &["run", rom.to_str().unwrap()]);
    let id = x.window(&emu, "^bars\\.bin - emu");
    x.client("xdotool", &["windowfocus", &id]);
    x.client("xdotool", &["key", "F5"]);
    emu.wait_for_output("(emu) ");
    assert!(emu.seen.contains("=> 0x"), "{}", emu.seen);
    emu.type_keys(b"quit\r");
    assert_eq!(exit_code(&mut emu), Some(0));
}

/// With `--window --monitor` the window opens stopped in the monitor and stays live while the
/// monitor waits for a line: its title says so, F7 changes the picture, a key tapped in the
/// window reaches the ROM when the monitor's `continue` gives the machine back, and F12 at the
/// prompt ends the run with status 0.
#[test]
fn the_window_stays_live_while_the_monitor_waits() {
    let x = xvfb();
    let dir = temp_dir("window-live-monitor");
    let rom = bars_rom(&dir);
    let mut emu = x.emu_on_terminal(
        &dir,
        &["run", "--window", "--monitor", rom.to_str().unwrap()],
    );
    let id = x.window(&emu, "^bars\\.bin - emu");
    emu.wait_for_output("(emu) ");
    x.wait_title(&id, "in the monitor", |t| t.contains("in the monitor"));
    x.client("xdotool", &["windowfocus", &id]);
    let before = x.grab(&id);
    x.client("xdotool", &["key", "F7"]);
    x.wait_title(&id, "keypad hidden", |t| t.contains("keypad hidden"));
    wait_until("the picture without the keypad", || {
        x.grab(&id).pixels != before.pixels
    });
    x.client("xdotool", &["key", "F7"]);
    emu.type_keys(b"continue\r");
    x.expect_picture(&id, "colour_bars");

    x.client("xdotool", &["key", "F5"]);
    emu.wait_for_count("(emu) ", 2);
    let panel = (640, 0, 400, 480);
    let unlit = crop(&x.grab(&id), panel).pixels;
    x.client("xdotool", &["key", "a"]);
    // The window took the tap: the drawn keypad shows a held until a frame runs. Nothing runs
    // at the prompt: the tap waits for the machine.
    wait_until("a lit on the drawn keypad", || {
        crop(&x.grab(&id), panel).pixels != unlit
    });
    x.expect_picture(&id, "colour_bars");
    emu.type_keys(b"continue\r");
    x.expect_picture(&id, "colour_bars_key_a");

    x.client("xdotool", &["key", "F5"]);
    emu.wait_for_count("(emu) ", 3);
    x.client("xdotool", &["key", "F12"]);
    assert_eq!(exit_code(&mut emu), Some(0));
}

/// With `--window --gdb` a real gdb-multiarch debugs the ROM while the window stays live: the
/// title says when gdb has the machine stopped (waiting for gdb, at a breakpoint) and F7 still
/// changes the picture there; `continue` runs the ROM to its exit, which ends the run with its
/// status. In a second run F12, while gdb has the machine stopped at a breakpoint, ends the run
/// with status 0, and gdb finds the target disconnected.
#[test]
fn gdb_debugs_with_the_window_open() {
    let x = xvfb();
    let dir = temp_dir("window-gdb");
    let rom = gdb_support::root().join("roms/tests/gdb/target.elf");
    let (mut emu, address) = emu_with_gdb(&x, &dir, &rom);
    let id = x.window(&emu, "^target\\.elf - emu");
    x.wait_title(&id, "stopped by gdb", |t| t.ends_with("stopped by gdb"));
    let mut gdb = Gdb::attach(&rom, &address);
    gdb.send("break square\ncontinue\n");
    gdb.wait_for("Breakpoint 1, square (n=1)");
    x.wait_title(&id, "stopped by gdb", |t| t.ends_with("stopped by gdb"));
    x.client("xdotool", &["windowfocus", &id]);
    let before = x.grab(&id);
    x.client("xdotool", &["key", "F7"]);
    wait_until("the picture without the keypad", || {
        x.grab(&id).pixels != before.pixels
    });
    gdb.send("delete\ncontinue\n");
    gdb.wait_for("exited normally");
    assert_eq!(exit_code(&mut emu), Some(0));
    assert!(read_all(&mut emu).contains("gdb target: total 55"));
    gdb.quit();

    let (mut emu, address) = emu_with_gdb(&x, &dir, &rom);
    let id = x.window(&emu, "^target\\.elf - emu");
    let mut gdb = Gdb::attach(&rom, &address);
    gdb.send("break square\ncontinue\n");
    gdb.wait_for("Breakpoint 1, square (n=1)");
    x.client("xdotool", &["windowfocus", &id]);
    x.client("xdotool", &["key", "F12"]);
    assert_eq!(exit_code(&mut emu), Some(0));
    gdb.send("stepi\n");
    gdb.wait_for("Target disconnected");
    gdb.quit();
}

/// Without a terminal (emu started from a desktop, its input not a terminal) F5 does not quit
/// or wait: the window says why there is no monitor, and runs on.
#[test]
fn f5_without_a_terminal_says_why_on_the_window() {
    let x = xvfb();
    let dir = temp_dir("window-no-monitor");
    let rom = bars_rom(&dir);
    let mut emu = x.emu(&dir, &["run", rom.to_str().unwrap()]);
    let id = x.window(&emu, "^bars\\.bin - emu");
    x.client("xdotool", &["windowfocus", &id]);
    x.client("xdotool", &["key", "F5"]);
    x.window(&emu, "no monitor: emu's input is not a terminal");
    assert!(emu.process.0.try_wait().unwrap().is_none(), "emu ended");
    x.client("xdotool", &["key", "F12"]);
    assert_eq!(exit_code(&mut emu), Some(0));
}

/// F2 rebuilds the machine and keeps the monitor's breakpoints: a breakpoint on the reset
/// vector, set in the monitor F5 opened, stops the machine F2 restarts, into the monitor
/// again. The ROM prints on the UART, which reads the terminal too: while the monitor waits
/// for a line, what is typed is the monitor's.
#[test]
fn f2_keeps_the_monitors_breakpoints() {
    let x = xvfb();
    let dir = temp_dir("window-reset");
    let rom = bars_rom(&dir);
    let mut emu = x.emu_on_terminal(&dir, &["run", rom.to_str().unwrap()]);
    let id = x.window(&emu, "^bars\\.bin - emu");
    x.client("xdotool", &["windowfocus", &id]);
    x.client("xdotool", &["key", "F5"]);
    emu.wait_for_output("(emu) ");
    emu.type_keys(b"break 0\r");
    emu.wait_for_output("breakpoint 1 at 0x00000000");
    // Typed before the next prompt, a line would be the guest's.
    emu.wait_for_count("(emu) ", 2);
    emu.type_keys(b"continue\r");
    // `continue` hands the machine back to the window, which takes F2 after it (before, F2
    // waits for the monitor's continue).
    x.wait_title(&id, "running", |t| !t.contains("in the monitor"));
    x.client("xdotool", &["key", "F2"]);
    emu.wait_for_output("breakpoint 1 at 0x00000000, hit 1 time");
    emu.wait_for_count("(emu) ", 3);
    let after = &emu.seen[emu.seen.find("hit 1 time").unwrap()..];
    assert!(after.contains("=> 0x00000000:"), "{}", emu.seen);
    emu.type_keys(b"quit\r");
    assert_eq!(exit_code(&mut emu), Some(0));
}

/// `--record-keys` writes the keys typed in the window as a key script, and a headless run
/// with that script draws the very picture the window ended on.
#[test]
fn keys_recorded_in_the_window_replay_headless() {
    let x = xvfb();
    let dir = temp_dir("window-record");
    let (recorded, shot) = (dir.join("keys.txt"), dir.join("window.png"));
    let common = ["--frames", "240", "--rtc", "1767225600"];
    let mut args = vec!["run", "--record-keys", recorded.to_str().unwrap()];
    args.extend(["--screenshot", shot.to_str().unwrap()]);
    args.extend(common);
    let mut emu = x.emu(&dir, &args);
    let id = x.window(&emu, "^demo - emu");
    x.client("xdotool", &["windowfocus", &id]);
    x.client("xdotool", &["key", "a", "Right", "Right"]);
    assert_eq!(exit_code(&mut emu), Some(0));

    let script = std::fs::read_to_string(&recorded).unwrap();
    for event in ["press aa", "release aa", "press n6", "release n6"] {
        assert!(script.contains(event), "{event} missing from:\n{script}");
    }
    let replayed = dir.join("replayed.png");
    let mut args = vec!["run", "--headless", "--keys", recorded.to_str().unwrap()];
    args.extend(["--screenshot", replayed.to_str().unwrap()]);
    args.extend(common);
    let out = Command::new(env!("CARGO_BIN_EXE_emu"))
        .args(&args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (window, headless) = (read_png(&shot).unwrap(), read_png(&replayed).unwrap());
    assert_eq!(first_difference(&headless, 1, &window), None);
}

/// A key held down when the window loses the focus is released in the guest: the window gets
/// no key events while it has not the focus, so the key's release would never reach it.
#[test]
fn a_key_held_when_the_focus_goes_is_released() {
    let x = xvfb();
    let dir = temp_dir("window-focus");
    let rom = Path::new(env!("CARGO_MANIFEST_DIR")).join("../roms/demos/keys/keys.bin");
    let mut emu = x.emu(&dir, &["run", rom.to_str().unwrap()]);
    let id = x.window(&emu, "^keys\\.bin - emu");
    // The pointer off the window: with the focus on the root window, X gives the keys to the
    // window under the pointer.
    x.client("xdotool", &["mousemove", "1919", "1079"]);
    x.client("xdotool", &["windowfocus", &id]);
    x.client("xdotool", &["keydown", "c"]);
    emu.wait_for_output("keys: press ac");
    let root = x.client("xdotool", &["search", "--maxdepth", "0", "--name", ""]);
    let root = String::from_utf8_lossy(&root);
    x.client(
        "xdotool",
        &["windowfocus", root.split_whitespace().next().unwrap()],
    );
    emu.wait_for_output("keys: release ac");
    x.client("xdotool", &["keyup", "c"]);
    x.client("xdotool", &["windowfocus", &id]);
    x.client("xdotool", &["key", "F12"]);
    assert_eq!(exit_code(&mut emu), Some(0));
}

/// Ctrl+F1 saves the state in a slot of the ROM's own in the XDG data folder, with a
/// thumbnail; after a reset (F2) Ctrl+F2 brings the picture back; Ctrl+3 chooses an empty
/// slot, which the title says; a headless run with --load-last-state starts from the slot.
#[test]
fn save_state_slots_in_the_window() {
    let x = xvfb();
    let dir = temp_dir("window-slots");
    let rom = bars_rom(&dir);
    let data = dir.join("data");
    let mut emu = x.emu_with_data(&dir, &["run", rom.to_str().unwrap()], &data);
    let id = x.window(&emu, "^bars\\.bin - emu");
    x.expect_picture(&id, "colour_bars");
    x.client("xdotool", &["windowfocus", &id]);
    // The ROM's band shows every key seen so far, and the Ctrl of the chords below may be
    // pressed and released within one frame, seen by the guest or not. Held long enough to
    // be seen before the state is saved, it is in the saved picture and the saved state alike.
    x.hold("a");
    x.hold("ctrl");
    x.hold("ctrl+F1");
    let states = data.join("emu/states");
    let slot = || {
        let folder = std::fs::read_dir(&states).ok()?.next()?.ok()?.path();
        Some(folder)
    };
    wait_until("the slot's thumbnail", || {
        slot().is_some_and(|folder| folder.join("slot-1.png").exists())
    });
    let folder = slot().unwrap();
    let name = folder.file_name().unwrap().to_string_lossy().into_owned();
    assert!(name.starts_with("bars.bin-"), "{name}");
    assert!(folder.join("slot-1.state").exists());
    let thumbnail = read_png(&folder.join("slot-1.png")).unwrap();
    assert_eq!((thumbnail.width, thumbnail.height), (80, 60));
    // The LCD's part of the window as saved, once the note saying so has gone: it lasts 2 s
    // of the host's time, and a loaded host may draw the frame that drops it later, so the
    // picture must also be the same half a second on.
    std::thread::sleep(Duration::from_millis(2500));
    let lcd = (0, 0, 640, 480);
    let mut saved = crop(&x.grab(&id), lcd);
    wait_until("the picture to settle after the note", || {
        std::thread::sleep(Duration::from_millis(500));
        let again = crop(&x.grab(&id), lcd);
        std::mem::replace(&mut saved, again).pixels == saved.pixels
    });

    x.client("xdotool", &["key", "F2"]);
    x.expect_picture(&id, "colour_bars");
    x.client("xdotool", &["key", "ctrl+F2"]);
    wait_until("the slot's picture back", || {
        crop(&x.grab(&id), lcd).pixels == saved.pixels
    });

    x.client("xdotool", &["key", "ctrl+3"]);
    wait_until("the title naming slot 3", || {
        let title = x.client("xdotool", &["getwindowname", &id]);
        String::from_utf8_lossy(&title).contains("slot 3: empty")
    });
    x.client("xdotool", &["key", "F12"]);
    assert_eq!(exit_code(&mut emu), Some(0));

    let shot = dir.join("last.png");
    let out = Command::new(env!("CARGO_BIN_EXE_emu"))
        .args(["run", "--headless", "--frames", "1", "--load-last-state"])
        .args([
            "--screenshot",
            shot.to_str().unwrap(),
            rom.to_str().unwrap(),
        ])
        .env("XDG_DATA_HOME", &data)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let headless = read_png(&shot).unwrap();
    assert_eq!(first_difference(&saved, 2, &headless), None);
}

/// A settings file in `$XDG_CONFIG_HOME/emu` remaps a host key: Q presses the CX's `ab`.
#[test]
fn the_settings_file_remaps_keys_in_the_window() {
    let x = xvfb();
    let dir = temp_dir("window-settings");
    let config = dir.join("config/emu");
    std::fs::create_dir_all(&config).unwrap();
    std::fs::write(config.join("settings.ron"), "(keys: {\"Q\": \"ab\"})").unwrap();
    let rom = Path::new(env!("CARGO_MANIFEST_DIR")).join("../roms/demos/keys/keys.bin");
    let mut emu = x.emu(&dir, &["run", rom.to_str().unwrap()]);
    let id = x.window(&emu, "^keys\\.bin - emu");
    x.client("xdotool", &["windowfocus", &id]);
    x.client("xdotool", &["key", "q"]);
    emu.wait_for_output("keys: press ab");
    x.client("xdotool", &["key", "F12"]);
    assert_eq!(exit_code(&mut emu), Some(0));
    assert!(!read_all(&mut emu).contains("press aq"));
}

/// With gilrs started and no gamepad (this machine and CI have none), the window runs as it
/// does without: keys reach the guest and F12 quits with status 0; the only word of the pads
/// is one line at debug level, whichever way gilrs finds pads (udev, or inotify on /dev/input
/// as in a sandbox) and whether or not it could start.
#[test]
fn the_window_runs_as_before_without_gamepads() {
    let x = xvfb();
    let rom = Path::new(env!("CARGO_MANIFEST_DIR")).join("../roms/demos/keys/keys.bin");
    for (name, finder) in [("udev", None), ("inotify", Some("GILRS_DISABLE_UDEV"))] {
        let dir = temp_dir(&format!("window-no-pads-{name}"));
        let config = dir.join("config/emu");
        std::fs::create_dir_all(&config).unwrap();
        std::fs::write(
            config.join("settings.ron"),
            "(buttons: {\"South\": \"ab\"})",
        )
        .unwrap();
        let (mut command, stderr) = x.emu_command(&dir, &["run", rom.to_str().unwrap()]);
        command.env("RUST_LOG", "emu::frontend::gamepad=debug");
        if let Some(finder) = finder {
            command.env(finder, "1");
        }
        let mut emu = x.spawn((command, stderr));
        let id = x.window(&emu, "^keys\\.bin - emu");
        x.client("xdotool", &["windowfocus", &id]);
        x.client("xdotool", &["key", "a"]);
        emu.wait_for_output("keys: press aa");
        x.client("xdotool", &["key", "F12"]);
        assert_eq!(exit_code(&mut emu), Some(0), "{name}");
        let stderr = std::fs::read_to_string(&emu.stderr).unwrap();
        let lines: Vec<&str> = stderr.lines().collect();
        assert!(
            lines.len() == 1 && lines[0].contains("DEBUG emu::frontend::gamepad] gamepads: none"),
            "{name}: {stderr}"
        );
    }
}

/// With --rewind, Ctrl+Backspace held runs time backwards: the picture goes back to before a
/// key was pressed.
#[test]
fn holding_ctrl_backspace_rewinds_the_window() {
    let x = xvfb();
    let dir = temp_dir("window-rewind");
    let rom = bars_rom(&dir);
    let mut emu = x.emu(&dir, &["run", "--rewind", rom.to_str().unwrap()]);
    let id = x.window(&emu, "^bars\\.bin - emu");
    x.expect_picture(&id, "colour_bars");
    x.client("xdotool", &["windowfocus", &id]);
    x.client("xdotool", &["key", "a"]);
    x.expect_picture(&id, "colour_bars_key_a");
    x.client("xdotool", &["keydown", "ctrl+BackSpace"]);
    x.expect_picture(&id, "colour_bars");
    x.client("xdotool", &["keyup", "ctrl+BackSpace"]);
    x.client("xdotool", &["key", "F12"]);
    assert_eq!(exit_code(&mut emu), Some(0));
}

/// `--frames` counts the frames the window shows, those run backwards too: paused at frame K
/// (K of the 100 asked for, at least 60), holding Ctrl+Backspace shows up to K - 1 frames more
/// (the ring's first capture is only its copy of memory), going back, so the run ends while it
/// is held. At K = 50 the ring would run out one frame short.
#[test]
fn frames_rewound_count_toward_frames() {
    let x = xvfb();
    let dir = temp_dir("window-rewind-frames");
    let rom = bars_rom(&dir);
    let args = ["run", "--rewind", "--frames", "100", rom.to_str().unwrap()];
    let mut emu = x.emu(&dir, &args);
    let id = x.window(&emu, "^bars\\.bin - emu");
    x.client("xdotool", &["windowfocus", &id]);
    let frames = loop {
        std::thread::sleep(Duration::from_millis(300));
        x.client("xdotool", &["key", "F1"]);
        let title = x.wait_title(&id, "paused", |t| paused_at(t).is_some());
        let frames = paused_at(&title).unwrap();
        if frames >= 60 {
            break frames;
        }
        x.client("xdotool", &["key", "F1"]);
    };
    assert!(frames < 100, "{frames}");
    x.client("xdotool", &["keydown", "ctrl+BackSpace"]);
    let code = exit_code(&mut emu);
    x.client("xdotool", &["keyup", "ctrl+BackSpace"]);
    assert_eq!(code, Some(0));
}

/// Ctrl+F3 starts recording the LCD and stops it: an animated GIF named like the screenshots,
/// in the current folder, of at least 6 frames in half a second, showing what the window
/// shows (decoded by ImageMagick).
#[test]
fn ctrl_f3_records_the_window_to_a_gif() {
    let x = xvfb();
    let dir = temp_dir("window-gif");
    let rom = bars_rom(&dir);
    let mut emu = x.emu(&dir, &["run", rom.to_str().unwrap()]);
    let id = x.window(&emu, "^bars\\.bin - emu");
    x.expect_picture(&id, "colour_bars");
    x.client("xdotool", &["windowfocus", &id]);
    x.client("xdotool", &["key", "ctrl+F3"]);
    std::thread::sleep(Duration::from_millis(500));
    x.client("xdotool", &["key", "ctrl+F3"]);
    let gif = || {
        std::fs::read_dir(&dir).unwrap().find_map(|entry| {
            let name = entry.unwrap().file_name().into_string().unwrap();
            (name.starts_with("emu-") && name.ends_with(".gif")).then(|| dir.join(name))
        })
    };
    wait_until("the recording", || gif().is_some());
    let gif = gif().unwrap();
    let out = Command::new("convert")
        .arg(&gif)
        .args([
            "-coalesce",
            &format!("PNG24:{}", dir.join("f-%d.png").display()),
        ])
        .output()
        .expect("convert runs (apt-get install imagemagick)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let last = read_png(&dir.join("f-5.png")).unwrap();
    assert_eq!((last.width, last.height), (320, 240));
    // The picture stays as the chord left it (ctrl seen: the bars inverted): the LCD's part of
    // the window, once the note saying the recording was written has gone (2 s of the host's
    // time, later on a loaded host), is the recording's.
    let lcd = (0, 0, 640, 480);
    let mut difference = None;
    wait_until("the window showing the recorded picture", || {
        difference = first_difference(&crop(&x.grab(&id), lcd), 2, &last);
        difference.is_none()
    });
    x.client("xdotool", &["key", "F12"]);
    assert_eq!(exit_code(&mut emu), Some(0));
}

/// The keypad beside the LCD is the one `window_view.rs` draws; a click on a key presses it
/// in the guest, lit while the button is held, and released with the button; the touchpad
/// drawn above the keys takes the mouse too.
#[test]
fn a_click_on_the_drawn_keypad_presses_the_key() {
    let x = xvfb();
    let dir = temp_dir("window-click");
    let mut emu = x.emu(&dir, &["run", keys_rom().to_str().unwrap()]);
    let id = x.window(&emu, "^keys\\.bin - emu");
    // The panel right of the LCD, nothing held: as drawn headless.
    let golden = read_png(&golden_path("window")).unwrap();
    let panel = (640, 0, 400, 480);
    let expected = crop(&golden, panel);
    let start = Instant::now();
    while let Some(difference) = first_difference(&crop(&x.grab(&id), panel), 1, &expected) {
        assert!(
            start.elapsed() < PATIENCE,
            "the keypad differs: {difference}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    // esc: 60x32 at (8, 14) of the panel's 400x480; the mouse on its middle.
    x.client("xdotool", &["mousemove", "--window", &id, "678", "30"]);
    x.client("xdotool", &["mousedown", "1"]);
    emu.wait_for_output("keys: press esc");
    let start = Instant::now();
    while first_difference(&crop(&x.grab(&id), panel), 1, &expected).is_none() {
        assert!(start.elapsed() < PATIENCE, "esc is not lit while held");
        std::thread::sleep(Duration::from_millis(50));
    }
    x.client("xdotool", &["mouseup", "1"]);
    emu.wait_for_output("keys: release esc");
    // A click on 7 (44x28 at (128, 200)) is a press and a release, even one whose release
    // comes at once, within the host frame of its press (xdotool's click): the key is held for
    // a frame of the machine's time.
    x.client("xdotool", &["mousemove", "--window", &id, "790", "214"]);
    x.client("xdotool", &["click", "1"]);
    emu.wait_for_output("keys: press n7");
    emu.wait_for_output("keys: release n7");
    x.client("xdotool", &["key", "F12"]);
    assert_eq!(exit_code(&mut emu), Some(0));
}

/// F7 hides the keypad: the LCD alone, centred in the same window at the largest whole scale
/// that fits (1040x480 above the status line: 2, so 640x480 at x 200); F7 shows it again.
#[test]
fn f7_hides_and_shows_the_keypad() {
    let x = xvfb();
    let dir = temp_dir("window-f7");
    let rom = bars_rom(&dir);
    let mut emu = x.emu(&dir, &["run", rom.to_str().unwrap()]);
    let id = x.window(&emu, "^bars\\.bin - emu");
    x.expect_picture(&id, "colour_bars");
    x.client("xdotool", &["windowfocus", &id]);
    x.client("xdotool", &["key", "F7"]);
    x.expect_lcd(&id, "colour_bars", (200, 0, 640, 480));
    x.client("xdotool", &["key", "F7"]);
    x.expect_picture(&id, "colour_bars");
    x.client("xdotool", &["key", "F12"]);
    assert_eq!(exit_code(&mut emu), Some(0));
}

/// Resized, the window keeps the LCD's shape: at 1700x600 the LCD and keypad (520x240 LCD
/// pixels) fit twice (three times would be 1560x720), centred: the LCD 640x480 at (330, 53),
/// above the 13-pixel status line. At 400x300 not even once: shrunk to 400/520 of the size,
/// the LCD 246x184 at the left, 51 rows down.
#[test]
fn a_resized_window_keeps_the_lcds_shape() {
    let x = xvfb();
    let dir = temp_dir("window-resize");
    let rom = bars_rom(&dir);
    let mut emu = x.emu(&dir, &["run", rom.to_str().unwrap()]);
    let id = x.window(&emu, "^bars\\.bin - emu");
    x.expect_picture(&id, "colour_bars");
    // At the screen's top left, so that the whole window is on the screen for xwd.
    x.client("xdotool", &["windowmove", &id, "0", "0"]);
    x.client("xdotool", &["windowsize", &id, "1700", "600"]);
    x.expect_lcd(&id, "colour_bars", (330, 53, 640, 480));
    // Black bars left and right of it.
    let grab = x.grab(&id);
    assert_eq!((grab.width, grab.height), (1700, 600));
    assert_eq!(grab.pixels[300 * 1700 + 100], 0);
    assert_eq!(grab.pixels[300 * 1700 + 1600], 0);
    x.client("xdotool", &["windowsize", &id, "400", "300"]);
    let bars = read_png(&golden_path("colour_bars")).unwrap();
    let start = Instant::now();
    loop {
        let grab = x.grab(&id);
        // The shrunk LCD's first bar, white, from (0, 51 + 16 * 184 / 240): at (5, 71) the
        // LCD's pixel (6, 26).
        let white = grab.width == 400 && grab.pixels[71 * 400 + 5] == bars.pixels[26 * 320 + 6];
        let above = grab.width == 400 && grab.pixels[49 * 400 + 5] == 0;
        if white && above {
            break;
        }
        assert!(
            start.elapsed() < PATIENCE,
            "the shrunk window does not show the LCD: {}x{}, {:x} {:x}",
            grab.width,
            grab.height,
            grab.pixels.get(71 * 400 + 5).copied().unwrap_or(1),
            grab.pixels.get(49 * 400 + 5).copied().unwrap_or(1)
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    x.client("xdotool", &["windowfocus", &id]);
    x.client("xdotool", &["key", "F12"]);
    assert_eq!(exit_code(&mut emu), Some(0));
}

/// F11 opens a borderless window the size of the screen (Xvfb's 1920x1080) at its top left,
/// the picture in it at the largest whole scale that fits (3: the LCD 960x720 at (180, 173));
/// F11 again gives back the window of before.
#[test]
fn f11_fills_the_screen() {
    let x = xvfb();
    let dir = temp_dir("window-full");
    let rom = bars_rom(&dir);
    let mut emu = x.emu(&dir, &["run", rom.to_str().unwrap()]);
    let id = x.window(&emu, "^bars\\.bin - emu");
    x.client("xdotool", &["windowfocus", &id]);
    x.client("xdotool", &["key", "F11"]);
    let full = x.window(&emu, "full screen \\(1920x1080\\)");
    let geometry =
        String::from_utf8_lossy(&x.client("xdotool", &["getwindowgeometry", &full])).into_owned();
    assert!(geometry.contains("Position: 0,0"), "{geometry}");
    assert!(geometry.contains("Geometry: 1920x1080"), "{geometry}");
    x.expect_lcd(&full, "colour_bars", (180, 173, 960, 720));
    x.client("xdotool", &["windowfocus", &full]);
    x.client("xdotool", &["key", "F11"]);
    let back = x.window(&emu, "full screen off");
    let geometry =
        String::from_utf8_lossy(&x.client("xdotool", &["getwindowgeometry", &back])).into_owned();
    assert!(geometry.contains("Geometry: 1040x493"), "{geometry}");
    x.client("xdotool", &["windowfocus", &back]);
    x.client("xdotool", &["key", "F12"]);
    assert_eq!(exit_code(&mut emu), Some(0));
}

/// The frame a title says the machine is paused at.
fn paused_at(title: &str) -> Option<u64> {
    let (_, after) = title.split_once("paused at frame ")?;
    after
        .split(|c: char| !c.is_ascii_digit())
        .next()?
        .parse()
        .ok()
}

/// F8 pauses and runs one frame a press: the title counts them; F1 runs on.
#[test]
fn f8_advances_one_frame_a_press() {
    let x = xvfb();
    let dir = temp_dir("window-advance");
    let rom = bars_rom(&dir);
    let mut emu = x.emu(&dir, &["run", rom.to_str().unwrap()]);
    let id = x.window(&emu, "^bars\\.bin - emu");
    x.client("xdotool", &["windowfocus", &id]);
    x.client("xdotool", &["key", "F8"]);
    let title = x.wait_title(&id, "paused", |t| paused_at(t).is_some());
    let first = paused_at(&title).unwrap();
    // Still there a moment later: paused.
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(paused_at(&x.title(&id)), Some(first));
    for _ in 0..5 {
        x.client("xdotool", &["key", "F8"]);
    }
    x.wait_title(&id, "five frames on", |t| paused_at(t) == Some(first + 5));
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(paused_at(&x.title(&id)), Some(first + 5));
    x.client("xdotool", &["key", "F1"]);
    x.wait_title(&id, "running", |t| t.ends_with('%'));
    x.client("xdotool", &["key", "F12"]);
    assert_eq!(exit_code(&mut emu), Some(0));
}

/// F9 and F10 step through the speed presets, the title saying which and the speed reached,
/// which at 25% stays under it; F6 held is fast forward.
#[test]
fn speed_keys_set_the_pace() {
    let x = xvfb();
    let dir = temp_dir("window-speed");
    let rom = bars_rom(&dir);
    let mut emu = x.emu(&dir, &["run", rom.to_str().unwrap()]);
    let id = x.window(&emu, "^bars\\.bin - emu");
    x.client("xdotool", &["windowfocus", &id]);
    x.client("xdotool", &["key", "F9", "F9", "F9"]);
    x.wait_title(&id, "at 25%", |t| t.contains("(speed 25%)"));
    // The speed reached, measured over half a second: after a second at 25%, at most that
    // (and some for the measure's jitter).
    std::thread::sleep(Duration::from_millis(1500));
    let title = x.title(&id);
    let percent: u32 = title
        .strip_prefix("bars.bin - emu - ")
        .and_then(|t| t.split('%').next())
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("no speed in {title}"));
    assert!(percent <= 35, "{title}");
    x.client("xdotool", &["key", "F10", "F10", "F10", "F10"]);
    x.wait_title(&id, "unlimited", |t| t.contains("(turbo)"));
    x.client("xdotool", &["key", "F9"]);
    x.wait_title(&id, "at 200%", |t| t.contains("(speed 200%)"));
    x.client("xdotool", &["keydown", "F6"]);
    x.wait_title(&id, "fast forward", |t| t.contains("(fast forward)"));
    x.client("xdotool", &["keyup", "F6"]);
    x.wait_title(&id, "back at 200%", |t| t.contains("(speed 200%)"));
    x.client("xdotool", &["key", "F12"]);
    assert_eq!(exit_code(&mut emu), Some(0));
}

/// The drawn touchpad is the CX's: the Ndless game `gems.tns` walks a step up when the right
/// button pushes the pad at its top edge, and none while the left button only touches it.
#[test]
fn the_drawn_touchpad_takes_the_mouse() {
    let x = xvfb();
    let dir = temp_dir("window-pad");
    let gems = Path::new(env!("CARGO_MANIFEST_DIR")).join("../roms/ndless/gems.tns");
    let mut emu = x.emu(
        &dir,
        &["run", "--rtc", "1767225600", gems.to_str().unwrap()],
    );
    let id = x.window(&emu, "^gems\\.tns - emu");
    emu.wait_for_output("gems: start");
    // The pad: 208x148 at (96, 8) of the panel at x 640; its top edge's middle.
    x.client("xdotool", &["mousemove", "--window", &id, "840", "16"]);
    x.client("xdotool", &["mousedown", "1"]);
    std::thread::sleep(Duration::from_millis(500));
    x.client("xdotool", &["mouseup", "1"]);
    x.client("xdotool", &["mousedown", "3"]);
    emu.wait_for_output("step up: 7,4");
    x.client("xdotool", &["mouseup", "3"]);
    // The touch before it made no step.
    let first = emu.seen.find("step").unwrap();
    assert!(
        emu.seen[first..].starts_with("step up: 7,4"),
        "{}",
        emu.seen
    );
    // A quick push at the right edge's middle (xdotool's click, released at once) pushes the
    // pad for a frame: a step right (or a wall there).
    x.client("xdotool", &["mousemove", "--window", &id, "936", "82"]);
    x.client("xdotool", &["click", "3"]);
    emu.wait_for_output(" right: ");
    x.client("xdotool", &["windowfocus", &id]);
    x.client("xdotool", &["key", "F12"]);
    assert_eq!(exit_code(&mut emu), Some(0));
}
