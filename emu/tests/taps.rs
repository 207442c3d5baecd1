//! No lost keys: a quick tap from a `--keys` script (pressed at frame f and released at f + 1,
//! or pressed and released at frame f) reaches every ROM that reads the keypad, the kit's
//! demos `keys` and `snake` and the built-in demo, whatever moment of their keypad reading it
//! falls at. Each reports the keys it sees: `keys` and `snake` on the UART, the demo through
//! semihosting; the test counts the reports of 20 taps.
//!
//! The moments: the kit scans the keypad every 343,200 CPU cycles (85,800 APB cycles: a
//! 1 ms interval and 8 rows of 200 us, Linux's settings), which do not divide a frame
//! (2,200,000 cycles), so each frame starts 16/39 of a scan later in the scan than the one
//! before, coming back to the same moment after 39 frames. Taps 5 frames apart fall 2/39 of a
//! scan apart, at 20 of the 39 moments; the run from frame 32 puts its taps 1/39 of a scan
//! after those of the run from frame 10, at the 19 others (and one again). Both runs alternate
//! between the two halves of the two-frame loop in which `keys` and the demo draw and poll.
//! (The kit reads the rows at every frame interrupt, at the same moment of each frame.)
//!
//! Before the keypad reported the keys released since its last scan and the session held a
//! tap for its frame, `keys` saw 12 of these 20 one-frame taps of `aa`, the demo 17 or 18,
//! `snake` 14 or 15 of those of `n6`, and none of those pressed and released at the same frame.

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// 20 taps of `key`, 5 frames apart from frame `first`, each released `held` frames after
/// its press.
fn taps(key: &str, first: u64, held: u64) -> String {
    (0..20)
        .map(|n| first + 5 * n)
        .map(|f| format!("{f} press {key}\n{} release {key}\n", f + held))
        .collect()
}

/// What `rom` (the built-in demo if `None`) prints when run headless with the key script
/// `script`, until a few frames after the last tap.
fn run(rom: Option<&str>, name: &str, script: &str) -> String {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("taps");
    std::fs::create_dir_all(&dir).unwrap();
    let keys = dir.join(format!("{name}.keys"));
    std::fs::write(&keys, script).unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_emu"));
    command
        .current_dir(root())
        .env_remove("DISPLAY")
        .args([
            "run",
            "--headless",
            "--frames",
            "140",
            "--rtc",
            "1767225600",
        ])
        .arg("--keys")
        .arg(&keys);
    command.args(rom);
    let out = command.output().expect("emu starts");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{name}: {stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// `rom` reports every one of 20 taps of `key` as each line of `reports`, from either start
/// and held a frame or none.
fn every_tap_is_seen(rom: Option<&str>, key: &str, reports: &[&str]) {
    for first in [10, 32] {
        for held in [1, 0] {
            let name = format!("{}-{key}-{first}-{held}", rom.map_or("demo", short_name));
            let out = run(rom, &name, &taps(key, first, held));
            for report in reports {
                let seen = out.lines().filter(|line| line == report).count();
                assert_eq!(
                    seen, 20,
                    "{name}: 20 taps of {key} from frame {first}, held {held} frames, \
                     {report:?} {seen} times:\n{out}"
                );
            }
        }
    }
}

fn short_name(rom: &str) -> &str {
    Path::new(rom)
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or(rom)
}

#[test]
fn the_keypad_tester_sees_every_tap() {
    let rom = Some("roms/demos/keys/keys.bin");
    // A tap that falls between two of its polls (it polls every other frame) is reported
    // released too: it printed the press alone, and a test waiting for the release of a click
    // on the drawn keypad waited for ever.
    for (key, at) in [("aa", "(row 4, column 6)"), ("on", "(row 0, column 9)")] {
        let press = format!("keys: press {key} {at}");
        let release = format!("keys: release {key} {at}");
        every_tap_is_seen(rom, key, &[&press, &release]);
    }
}

/// snake reads the keypad in its 60 Hz timer's interrupt, on its own (not through the kit's
/// frame interrupt).
#[test]
fn snake_sees_every_tap() {
    every_tap_is_seen(Some("roms/demos/snake/snake.bin"), "n6", &["snake: key n6"]);
}

#[test]
fn the_demo_sees_every_tap() {
    every_tap_is_seen(None, "aa", &["  key aa"]);
    every_tap_is_seen(None, "on", &["  key on"]);
}
