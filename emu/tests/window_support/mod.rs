//! What the tests of the real window share: an Xvfb server on a display of its own, `emu`
//! started on it (with an empty stdin, or a pseudo-terminal as a person's terminal), xdotool
//! and xwd to drive the window and grab its picture, and a gdb-multiarch to debug it. Without
//! Xvfb, xdotool or xwd (Debian's xvfb, xdotool and x11-apps) the tests fail, saying what to
//! install.

use std::fs::File;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

use nix::pty::openpty;

use crate::gdb_support;
use crate::screenshot_support::{first_difference, golden_path, read_png, Picture};

/// How long the window may take to appear or to show a picture.
pub const PATIENCE: Duration = Duration::from_secs(30);

pub fn have(tool: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(tool).is_file()))
}

/// A child process ended when dropped, so a failing test leaves nothing running.
pub struct Process(pub Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// An Xvfb server on a display it chose itself.
pub struct Xvfb {
    pub display: String,
    _server: Process,
}

/// Starts Xvfb; a missing tool fails the test, saying what to install.
pub fn xvfb() -> Xvfb {
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
            "1920x1080x24",
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
    pub fn command(&self, program: &str) -> Command {
        let mut command = Command::new(program);
        command.env("DISPLAY", &self.display);
        command
    }

    /// Runs an X client to completion; its stdout.
    pub fn client(&self, program: &str, args: &[&str]) -> Vec<u8> {
        let out = self.command(program).args(args).output().unwrap();
        assert!(
            out.status.success(),
            "{program} {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    }

    /// Starts `emu` with `args` on this display, its stdout collected and its stderr in a
    /// file of `dir`; its stdin is an empty pipe (not a terminal).
    pub fn emu(&self, dir: &Path, args: &[&str]) -> Emu {
        self.spawn(self.emu_command(dir, args))
    }

    /// `emu`, keeping its save-state slots in `data` (as `$XDG_DATA_HOME`).
    pub fn emu_with_data(&self, dir: &Path, args: &[&str], data: &Path) -> Emu {
        let (mut command, stderr) = self.emu_command(dir, args);
        command.env("XDG_DATA_HOME", data);
        self.spawn((command, stderr))
    }

    /// Starts `command` with an empty stdin and its stdout collected.
    pub fn spawn(&self, (mut command, stderr): (Command, PathBuf)) -> Emu {
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .spawn()
            .expect("emu starts");
        let stdout = child.stdout.take().unwrap();
        Emu::new(child, None, stdout, stderr)
    }

    /// `emu` with a pseudo-terminal as its stdin and stdout, as a person at a terminal runs
    /// it: the test types on it and reads what it shows.
    pub fn emu_on_terminal(&self, dir: &Path, args: &[&str]) -> Emu {
        let (mut command, stderr) = self.emu_command(dir, args);
        let pty = openpty(None, None).expect("openpty");
        // Duplicates are close-on-exec: the child gets the slave only as its 0 and 1.
        let master = pty.master.try_clone().unwrap();
        let slave = pty.slave.try_clone().unwrap();
        drop(pty);
        let child = command
            .stdin(Stdio::from(slave.try_clone().unwrap()))
            .stdout(Stdio::from(slave))
            .spawn()
            .expect("emu starts");
        let keys = File::from(master.try_clone().unwrap());
        Emu::new(child, Some(keys), File::from(master), stderr)
    }

    /// The command that starts `emu` on this display, and the file its stderr goes to.
    pub fn emu_command(&self, dir: &Path, args: &[&str]) -> (Command, PathBuf) {
        let stderr = dir.join("stderr.txt");
        let mut command = self.command(env!("CARGO_BIN_EXE_emu"));
        // In `dir` (where F3 and Ctrl+F3 write), with its XDG folders there too, so no test
        // touches the user's.
        command
            .args(args)
            .current_dir(dir)
            .env("XDG_DATA_HOME", dir.join("data"))
            .env("XDG_CONFIG_HOME", dir.join("config"))
            .env_remove("WAYLAND_DISPLAY")
            .stderr(std::fs::File::create(&stderr).unwrap());
        (command, stderr)
    }

    /// The id of `emu`'s window, whose title matches `pattern`, once it is there.
    pub fn window(&self, emu: &Emu, pattern: &str) -> String {
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

    /// Presses `key` (xdotool's name for it, or a chord: `ctrl+F1`) in the window with the
    /// focus, holds it for 0.3 s, then lets it go: a key pressed and released within one of
    /// the window's frames is seen by the guest or not, as the frame falls, and a chord's Ctrl
    /// may reach the guest on its own.
    pub fn hold(&self, key: &str) {
        self.client("xdotool", &["keydown", key, "sleep", "0.3", "keyup", key]);
    }

    /// The window's title.
    pub fn title(&self, id: &str) -> String {
        let name = self.client("xdotool", &["getwindowname", id]);
        String::from_utf8_lossy(&name).trim().to_string()
    }

    /// Waits until the window's title satisfies `ok`; the title.
    pub fn wait_title(&self, id: &str, what: &str, ok: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let title = self.title(id);
            if ok(&title) {
                return title;
            }
            assert!(
                start.elapsed() < PATIENCE,
                "the title is not {what}: {title}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The window's picture.
    pub fn grab(&self, id: &str) -> Picture {
        parse_xwd(&self.client("xwd", &["-silent", "-id", id])).unwrap()
    }

    /// Waits until the window shows `golden` at scale 2 at its top left, where the LCD is at
    /// the window's starting size.
    pub fn expect_picture(&self, id: &str, golden: &str) {
        self.expect_lcd(id, golden, (0, 0, 640, 480));
    }

    /// Waits until the window shows `golden` in the rectangle `(x, y, width, height)`, scaled
    /// to it by a whole number.
    pub fn expect_lcd(&self, id: &str, golden: &str, (x, y, width, height): Rect) {
        let expected = read_png(&golden_path(golden)).unwrap();
        let scale = width / expected.width;
        let start = Instant::now();
        loop {
            let picture = crop(&self.grab(id), (x, y, width, height));
            let Some(difference) = first_difference(&picture, scale, &expected) else {
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

/// A rectangle of a picture: x, y, width, height.
pub type Rect = (usize, usize, usize, usize);

/// The part of `picture` in `rect` (what lies outside the picture is black).
pub fn crop(picture: &Picture, (x, y, width, height): Rect) -> Picture {
    let mut pixels = Vec::with_capacity(width * height);
    for row in y..y + height {
        for column in x..x + width {
            let inside = row < picture.height && column < picture.width;
            pixels.push(match inside {
                true => picture.pixels[row * picture.width + column],
                false => 0,
            });
        }
    }
    Picture {
        width,
        height,
        pixels,
    }
}

/// A running `emu`.
pub struct Emu {
    pub process: Process,
    /// The terminal it reads, if it has one (see [`Xvfb::emu_on_terminal`]).
    pub terminal: Option<File>,
    /// What it prints, as the reading thread hands it over.
    pub stdout: Receiver<Vec<u8>>,
    /// What it printed so far.
    pub seen: String,
    pub stderr: PathBuf,
}

impl Emu {
    pub fn new(
        child: Child,
        terminal: Option<File>,
        mut stdout: impl Read + Send + 'static,
        stderr: PathBuf,
    ) -> Emu {
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
            terminal,
            stdout: receiver,
            seen: String::new(),
            stderr,
        }
    }

    /// Types `keys` on its terminal.
    pub fn type_keys(&mut self, keys: &[u8]) {
        let terminal = self.terminal.as_mut().expect("emu has a terminal");
        terminal.write_all(keys).unwrap();
        terminal.flush().unwrap();
    }

    /// Waits until `emu` has printed `text`.
    pub fn wait_for_output(&mut self, text: &str) {
        self.wait_for_count(text, 1);
    }

    /// Waits until `emu` has printed `text` `times` times.
    pub fn wait_for_count(&mut self, text: &str, times: usize) {
        let start = Instant::now();
        while self.seen.matches(text).count() < times {
            let left = PATIENCE.saturating_sub(start.elapsed());
            match self.stdout.recv_timeout(left) {
                Ok(chunk) => self.seen.push_str(&String::from_utf8_lossy(&chunk)),
                Err(_) => panic!("emu does not print {text:?}; it printed {:?}", self.seen),
            }
        }
    }
}

/// Waits for `emu` to exit; its status code.
pub fn exit_code(emu: &mut Emu) -> Option<i32> {
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
pub fn parse_xwd(data: &[u8]) -> Result<Picture, String> {
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
pub fn read_all(emu: &mut Emu) -> String {
    while let Ok(chunk) = emu.stdout.recv_timeout(PATIENCE) {
        emu.seen.push_str(&String::from_utf8_lossy(&chunk));
    }
    std::mem::take(&mut emu.seen)
}
/// A gdb-multiarch reading commands from a pipe, its output collected on a thread.
pub struct Gdb {
    pub child: Child,
    pub output: Receiver<Vec<u8>>,
    pub seen: String,
}

impl Gdb {
    /// gdb-multiarch on `rom`, connected to the stub at `address`.
    pub fn attach(rom: &Path, address: &str) -> Gdb {
        gdb_support::require_gdb();
        let mut child = Command::new("gdb-multiarch")
            .current_dir(gdb_support::root().join("roms"))
            .args(["-nx", "-q"])
            .arg(rom)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("gdb-multiarch starts");
        let (sender, output) = mpsc::channel();
        for mut stream in [
            Box::new(child.stdout.take().unwrap()) as Box<dyn Read + Send>,
            Box::new(child.stderr.take().unwrap()),
        ] {
            let sender = sender.clone();
            std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                while let Ok(n @ 1..) = stream.read(&mut buf) {
                    if sender.send(buf[..n].to_vec()).is_err() {
                        break;
                    }
                }
            });
        }
        let mut gdb = Gdb {
            child,
            output,
            seen: String::new(),
        };
        gdb.send(&format!("set confirm off\ntarget remote {address}\n"));
        gdb
    }

    pub fn send(&mut self, commands: &str) {
        let stdin = self.child.stdin.as_mut().unwrap();
        stdin.write_all(commands.as_bytes()).unwrap();
        stdin.flush().unwrap();
    }

    /// Waits until gdb has printed `text`.
    pub fn wait_for(&mut self, text: &str) {
        let start = Instant::now();
        while !self.seen.contains(text) {
            let left = PATIENCE.saturating_sub(start.elapsed());
            match self.output.recv_timeout(left) {
                Ok(chunk) => self.seen.push_str(&String::from_utf8_lossy(&chunk)),
                Err(_) => panic!("gdb does not print {text:?}; it printed {:?}", self.seen),
            }
        }
    }

    /// Quits gdb and waits for it.
    pub fn quit(mut self) {
        self.send("quit\n");
        let status = self.child.wait().unwrap();
        assert!(status.success(), "gdb: {status}; {}", self.seen);
    }
}

/// `emu run --window --gdb 0 --semihosting ROM`, and the address its stub listens on.
pub fn emu_with_gdb(x: &Xvfb, dir: &Path, rom: &Path) -> (Emu, String) {
    emu_under_gdb(x, dir, &["--semihosting", rom.to_str().unwrap()])
}

/// `emu run --window --gdb 0 ARGS...`, and the address its stub listens on.
pub fn emu_under_gdb(x: &Xvfb, dir: &Path, args: &[&str]) -> (Emu, String) {
    let mut all = vec!["run", "--window", "--gdb", "0"];
    all.extend(args);
    let emu = x.emu(dir, &all);
    let mut address = None;
    wait_until("the stub's address on stderr", || {
        let text = std::fs::read_to_string(&emu.stderr).unwrap_or_default();
        address = text
            .lines()
            .find_map(|line| line.strip_prefix("emu: waiting for gdb on "))
            .map(str::to_string);
        address.is_some()
    });
    (emu, address.unwrap())
}

/// Polls `done` until it holds, or fails saying `what` never happened.
pub fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(start.elapsed() < PATIENCE, "{what} never happened");
        std::thread::sleep(Duration::from_millis(100));
    }
}
/// The keys demo ROM, which prints each key it sees pressed or released on the UART.
pub fn keys_rom() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../roms/demos/keys/keys.bin")
}
