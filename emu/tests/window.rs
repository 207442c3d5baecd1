//! The real window, under Xvfb: `emu` opens it, draws the LCD at scale 2, takes keys from the
//! X server (sent with xdotool), quits on F12 with status 0; the picture, grabbed with xwd,
//! equals the headless golden picture. They need Xvfb, xdotool and xwd (Debian's xvfb, xdotool
//! and x11-apps): without them they fail, saying what to install.

mod screenshot_support;

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

use screenshot_support::{bars_rom, first_difference, golden_path, read_png, temp_dir, Picture};

/// How long the window may take to appear or to show a picture.
const PATIENCE: Duration = Duration::from_secs(30);

fn have(tool: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(tool).is_file()))
}

/// A child process ended when dropped, so a failing test leaves nothing running.
struct Process(Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// An Xvfb server on a display it chose itself.
struct Xvfb {
    display: String,
    _server: Process,
}

/// Starts Xvfb; a missing tool fails the test, saying what to install.
fn xvfb() -> Xvfb {
    let missing: Vec<&str> = ["Xvfb", "xdotool", "xwd"]
        .into_iter()
        .filter(|tool| !have(tool))
        .collect();
    assert!(
        missing.is_empty(),
        "the window tests need {} (apt-get install xvfb xdotool x11-apps)",
        missing.join(", ")
    );
    let mut child = Command::new("Xvfb")
        .args([
            "-displayfd",
            "1",
            "-screen",
            "0",
            "800x600x24",
            "-nolisten",
            "tcp",
            "-noreset",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("Xvfb starts");
    let stdout = child.stdout.take().unwrap();
    let server = Process(child);
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).unwrap();
    let number = line.trim();
    assert!(
        !number.is_empty() && number.chars().all(|c| c.is_ascii_digit()),
        "Xvfb did not report its display: {line:?}"
    );
    let x = Xvfb {
        display: format!(":{number}"),
        _server: server,
    };
    // Xvfb can name its display a moment before it accepts clients. (-noreset: without it the
    // server resets, refusing connections for a moment, each time its last client leaves.)
    let start = Instant::now();
    while !x
        .command("xdotool")
        .arg("getdisplaygeometry")
        .stderr(Stdio::null())
        .output()
        .unwrap()
        .status
        .success()
    {
        assert!(start.elapsed() < PATIENCE, "Xvfb does not accept clients");
        std::thread::sleep(Duration::from_millis(50));
    }
    x
}

impl Xvfb {
    fn command(&self, program: &str) -> Command {
        let mut command = Command::new(program);
        command.env("DISPLAY", &self.display);
        command
    }

    /// Runs an X client to completion; its stdout.
    fn client(&self, program: &str, args: &[&str]) -> Vec<u8> {
        let out = self.command(program).args(args).output().unwrap();
        assert!(
            out.status.success(),
            "{program} {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    }

    /// Starts `emu` with `args` on this display, its stdout collected and its stderr in a
    /// file of `dir`; its stdin ends at once.
    fn emu(&self, dir: &Path, args: &[&str]) -> Emu {
        let mut emu = self.emu_with_stdin(dir, args);
        emu.stdin = None;
        emu
    }

    /// `emu`, keeping its save-state slots in `data` (as `$XDG_DATA_HOME`).
    fn emu_with_data(&self, dir: &Path, args: &[&str], data: &Path) -> Emu {
        let mut emu = self.spawn(dir, args, Some(data));
        emu.stdin = None;
        emu
    }

    /// `emu`, with a pipe to its standard input that the test writes to.
    fn emu_with_stdin(&self, dir: &Path, args: &[&str]) -> Emu {
        self.spawn(dir, args, None)
    }

    /// `emu` with a pipe to its standard input, and `$XDG_DATA_HOME` at `data` if given (in
    /// `dir` otherwise, as `$XDG_CONFIG_HOME` is, so no test touches the user's folders), in
    /// `dir` (where F3 and Ctrl+F3 write).
    fn spawn(&self, dir: &Path, args: &[&str], data: Option<&Path>) -> Emu {
        let stderr = dir.join("stderr.txt");
        let mut child = self
            .command(env!("CARGO_BIN_EXE_emu"))
            .args(args)
            .env("XDG_DATA_HOME", data.unwrap_or(&dir.join("data")))
            .env("XDG_CONFIG_HOME", dir.join("config"))
            .current_dir(dir)
            .env_remove("WAYLAND_DISPLAY")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&stderr).unwrap())
            .spawn()
            .expect("emu starts");
        let stdin = child.stdin.take();
        let mut stdout = child.stdout.take().unwrap();
        // Read on a thread, so that a test waiting for some output cannot block for ever.
        let (sender, receiver) = mpsc::channel();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n @ 1..) = stdout.read(&mut buf) {
                if sender.send(buf[..n].to_vec()).is_err() {
                    break;
                }
            }
        });
        Emu {
            process: Process(child),
            stdin,
            stdout: receiver,
            seen: String::new(),
            stderr,
        }
    }

    /// The id of `emu`'s window, whose title matches `pattern`, once it is there.
    fn window(&self, emu: &Emu, pattern: &str) -> String {
        let start = Instant::now();
        loop {
            let out = self
                .command("xdotool")
                .args(["search", "--name", pattern])
                .output()
                .unwrap();
            let ids = String::from_utf8_lossy(&out.stdout);
            if let Some(id) = ids.split_whitespace().next() {
                return id.to_string();
            }
            assert!(
                start.elapsed() < PATIENCE,
                "no window titled {pattern}; emu's stderr: {}",
                std::fs::read_to_string(&emu.stderr).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// The window's picture.
    fn grab(&self, id: &str) -> Picture {
        parse_xwd(&self.client("xwd", &["-silent", "-id", id])).unwrap()
    }

    /// Waits until the window shows `golden` at scale 2.
    fn expect_picture(&self, id: &str, golden: &str) {
        let expected = read_png(&golden_path(golden)).unwrap();
        let start = Instant::now();
        loop {
            let Some(difference) = first_difference(&self.grab(id), 2, &expected) else {
                return;
            };
            assert!(
                start.elapsed() < PATIENCE,
                "the window does not show {golden}: {difference}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

/// A running `emu`.
struct Emu {
    process: Process,
    stdin: Option<ChildStdin>,
    /// What it prints, as the reading thread hands it over.
    stdout: Receiver<Vec<u8>>,
    /// What it printed so far.
    seen: String,
    stderr: PathBuf,
}

impl Emu {
    /// Waits until `emu` has printed `text`.
    fn wait_for_output(&mut self, text: &str) {
        let start = Instant::now();
        while !self.seen.contains(text) {
            let left = PATIENCE.saturating_sub(start.elapsed());
            match self.stdout.recv_timeout(left) {
                Ok(chunk) => self.seen.push_str(&String::from_utf8_lossy(&chunk)),
                Err(_) => panic!("emu does not print {text:?}; it printed {:?}", self.seen),
            }
        }
    }
}

/// Waits for `emu` to exit; its status code.
fn exit_code(emu: &mut Emu) -> Option<i32> {
    let start = Instant::now();
    loop {
        if let Some(status) = emu.process.0.try_wait().unwrap() {
            return status.code();
        }
        assert!(start.elapsed() < PATIENCE, "emu does not exit");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Reads an X window dump (X11/XWDFile.h): a big-endian header, the colour map, then the
/// pixels in the header's byte order. Only the TrueColor 24- and 32-bit formats Xvfb uses.
fn parse_xwd(data: &[u8]) -> Result<Picture, String> {
    let field = |i: usize| -> Result<u32, String> {
        data.get(i * 4..i * 4 + 4)
            .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
            .ok_or_else(|| "truncated header".to_string())
    };
    let header_size = field(0)? as usize;
    let (width, height) = (field(4)? as usize, field(5)? as usize);
    let lsb_first = field(7)? == 0;
    let bits_per_pixel = field(11)?;
    let bytes_per_line = field(12)? as usize;
    let masks = [field(14)?, field(15)?, field(16)?];
    let ncolors = field(19)? as usize;
    if bits_per_pixel != 32 || masks.iter().any(|m| m.count_ones() != 8) {
        return Err(format!("{bits_per_pixel} bits a pixel, masks {masks:x?}"));
    }
    let start = header_size + ncolors * 12;
    let image = data
        .get(start..start + height * bytes_per_line)
        .ok_or("truncated image")?;
    let mut pixels = Vec::with_capacity(width * height);
    for row in image.chunks_exact(bytes_per_line) {
        for p in row[..width * 4].chunks_exact(4) {
            let bytes = [p[0], p[1], p[2], p[3]];
            let value = if lsb_first {
                u32::from_le_bytes(bytes)
            } else {
                u32::from_be_bytes(bytes)
            };
            let channel = |mask: u32| (value & mask) >> mask.trailing_zeros();
            pixels.push(channel(masks[0]) << 16 | channel(masks[1]) << 8 | channel(masks[2]));
        }
    }
    Ok(Picture {
        width,
        height,
        pixels,
    })
}

/// What `emu` printed on stdout.
fn read_all(emu: &mut Emu) -> String {
    while let Ok(chunk) = emu.stdout.recv_timeout(PATIENCE) {
        emu.seen.push_str(&String::from_utf8_lossy(&chunk));
    }
    std::mem::take(&mut emu.seen)
}

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
    std::thread::sleep(Duration::from_millis(300));
    x.client("xdotool", &["key", "F12"]);
    assert_eq!(exit_code(&mut emu), Some(0));
    let output = read_all(&mut emu);
    assert!(output.contains("TI-Nspire CX emulator demo"), "{output}");
    assert!(output.contains("All checks passed"), "{output}");
    // The demo reports each key it sees through semihosting.
    assert!(output.contains("  key aa"), "{output}");
}

#[test]
fn f5_opens_the_monitor_on_the_terminal() {
    let x = xvfb();
    let dir = temp_dir("window-monitor");
    let rom = bars_rom(&dir);
    let mut emu = x.emu(&dir, &["run", rom.to_str().unwrap()]);
    let id = x.window(&emu, "^bars\\.bin - emu");
    x.client("xdotool", &["windowfocus", &id]);
    x.client("xdotool", &["key", "F5"]);
    // The monitor shows where the machine stopped, then reads the terminal: stdin is empty
    // here, and the end of input quits, which ends the run like closing the window.
    assert_eq!(exit_code(&mut emu), Some(0));
    let output = read_all(&mut emu);
    assert!(output.starts_with("=> 0x"), "{output}");
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
    let mut emu = x.emu_with_stdin(&dir, &["run", rom.to_str().unwrap()]);
    let id = x.window(&emu, "^bars\\.bin - emu");
    x.client("xdotool", &["windowfocus", &id]);
    x.client("xdotool", &["key", "F5"]);
    emu.wait_for_output("(emu) ");
    let stdin = emu.stdin.as_mut().unwrap();
    stdin.write_all(b"break 0\ncontinue\n").unwrap();
    stdin.flush().unwrap();
    emu.wait_for_output("breakpoint 1 at 0x00000000\n");
    // `continue` hands the machine back to the window, which takes F2 after it.
    x.client("xdotool", &["key", "F2"]);
    emu.wait_for_output("breakpoint 1 at 0x00000000, hit 1 time");
    // The end of input quits the monitor, and the run.
    emu.stdin = None;
    assert_eq!(exit_code(&mut emu), Some(0));
    let output = read_all(&mut emu);
    assert!(output.contains("hit 1 time\n=> 0x00000000:"), "{output}");
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
    x.client("xdotool", &["mousemove", "799", "599"]);
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

/// Polls `done` until it holds, or fails saying `what` never happened.
fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(start.elapsed() < PATIENCE, "{what} never happened");
        std::thread::sleep(Duration::from_millis(100));
    }
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
    x.client("xdotool", &["key", "a", "ctrl+F1"]);
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
    let saved = x.grab(&id);

    x.client("xdotool", &["key", "F2"]);
    x.expect_picture(&id, "colour_bars");
    x.client("xdotool", &["key", "ctrl+F2"]);
    wait_until("the slot's picture back", || {
        x.grab(&id).pixels == saved.pixels
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
    // The picture stays as the chord left it (ctrl seen: the bars inverted).
    let shown = x.grab(&id);
    x.client("xdotool", &["key", "F12"]);
    assert_eq!(exit_code(&mut emu), Some(0));
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
    assert_eq!(first_difference(&shown, 2, &last), None);
}
