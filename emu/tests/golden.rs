//! Golden pictures of the demo ROMs (`roms/demos/*`, the built-in demo `roms/demo`, and
//! `roms/vmdemo`, the tiny operating system, which draws its page tables), of the Ndless game
//! `roms/ndless/gems.tns` and of `roms/ndless/gc.tns`'s picture drawn by TI's drawing API: each runs headless for a fixed number of frames, with the RTC at
//! 2026-01-01 00:00:00 UTC (`--rtc 1767225600`) and the key script `tests/golden/NAME.keys`,
//! and its screenshot must equal `tests/golden/NAME.png` pixel for pixel.
//!
//! The screenshot of every run is kept as `NAME.png` in the `golden` directory of Cargo's
//! target temporary directory (`target/tmp/golden/` by default), so a failing picture can be
//! looked at beside the committed one. `UPDATE_GOLDEN=1 cargo test -p emu --test golden`
//! rewrites the committed pictures from the current output instead (as `screenshot.rs` does):
//! look at them before committing.

#[allow(dead_code)]
mod screenshot_support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use screenshot_support::{first_difference, golden_path, read_png};

/// 2026-01-01 00:00:00 UTC.
const RTC: &str = "1767225600";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Runs `rom` (the built-in demo if `None`) for `frames` frames with the RTC at `rtc` and the
/// key script of `name`, and returns where its screenshot is.
fn run(name: &str, shot_name: &str, rom: Option<&str>, frames: u64, rtc: &str) -> PathBuf {
    run_with(name, shot_name, rom, frames, rtc, &[])
}

/// `run`, with more options for `emu run` (`--semihosting`).
fn run_with(
    name: &str,
    shot_name: &str,
    rom: Option<&str>,
    frames: u64,
    rtc: &str,
    options: &[&str],
) -> PathBuf {
    let (shot, out) = run_emu(name, shot_name, rom, frames, rtc, options);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{name}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    shot
}

/// `run_with`, whatever the run's status: where its screenshot is, and how it ended.
fn run_emu(
    name: &str,
    shot_name: &str,
    rom: Option<&str>,
    frames: u64,
    rtc: &str,
    options: &[&str],
) -> (PathBuf, Output) {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("golden");
    std::fs::create_dir_all(&dir).unwrap();
    let shot = dir.join(format!("{shot_name}.png"));
    let _ = std::fs::remove_file(&shot);
    let keys = golden_path(name).with_extension("keys");
    assert!(keys.exists(), "{} is missing", keys.display());
    let frames = frames.to_string();
    let mut command = Command::new(env!("CARGO_BIN_EXE_emu"));
    command
        .current_dir(root())
        .env_remove("DISPLAY")
        .args(["run", "--headless", "--frames", &frames, "--rtc", rtc])
        .arg("--keys")
        .arg(&keys)
        .arg("--screenshot")
        .arg(&shot)
        .args(options);
    if let Some(rom) = rom {
        command.arg(rom);
    }
    let out = command.output().expect("emu starts");
    (shot, out)
}

/// Compares the screenshot `shot` with the golden picture `name` (or rewrites the golden
/// picture under UPDATE_GOLDEN).
fn compare(name: &str, shot: &Path) {
    let golden = golden_path(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::copy(shot, &golden).unwrap();
        println!("updated {}", golden.display());
        return;
    }
    let actual = read_png(shot).unwrap();
    let expected = read_png(&golden).unwrap_or_else(|e| {
        panic!("{name}: no golden picture ({e}); UPDATE_GOLDEN=1 writes it from the run")
    });
    if let Some(difference) = first_difference(&actual, 1, &expected) {
        panic!(
            "{name}: the screenshot differs from {}: {difference}; the screenshot is kept at {}",
            golden.display(),
            shot.display()
        );
    }
}

fn check(name: &str, rom: &str, frames: u64) {
    let shot = run(name, name, Some(rom), frames, RTC);
    compare(name, &shot);
}

#[test]
fn hello_draws_text() {
    check("hello", "roms/demos/hello/hello.bin", 30);
}

#[test]
fn clock_shows_the_rtc_two_seconds_in() {
    check("clock", "roms/demos/clock/clock.bin", 150);
}

/// The hands at ten past ten (2026-01-01 10:10:30 UTC, two seconds later): the README's
/// picture.
#[test]
fn clock_at_ten_past_ten() {
    let shot = run(
        "clock_1010",
        "clock_1010",
        Some("roms/demos/clock/clock.bin"),
        150,
        "1767262230",
    );
    compare("clock_1010", &shot);
}

#[test]
fn keys_shows_held_and_pressed_keys() {
    check("keys", "roms/demos/keys/keys.bin", 40);
}

#[test]
fn snake_title_screen() {
    check("snake_title", "roms/demos/snake/snake.bin", 10);
}

#[test]
fn snake_eats_an_apple() {
    check("snake", "roms/demos/snake/snake.bin", 150);
}

/// The built-in demo (no ROM given), and `roms/demo/demo.bin` run as a file, which is the
/// same ROM (without --semihosting its banner calls return at once: the picture is the same).
#[test]
fn the_built_in_demo() {
    let shot = run("demo", "demo", None, 120, RTC);
    compare("demo", &shot);
    if std::env::var_os("UPDATE_GOLDEN").is_none() {
        let file = run("demo", "demo-file", Some("roms/demo/demo.bin"), 120, RTC);
        compare("demo", &file);
    }
}

/// vmdemo narrates through semihosting (without it, its first message would trap to its own
/// kernel): it runs with `--semihosting` and the same RTC as its log test (`vmdemo.rs`).
fn check_vmdemo(name: &str, frames: u64) {
    let shot = run_with(
        name,
        name,
        Some("roms/vmdemo/vmdemo.elf"),
        frames,
        RTC,
        &["--semihosting"],
    );
    compare(name, &shot);
}

/// vmdemo's last picture: it exits (status 0) about 45 frames in, before the 120 frames are
/// up, and the screenshot is taken at the exit. alice killed for writing to her read-only
/// code, bob exited, the TTBR back on the kernel's table, the final counters.
#[test]
fn vmdemo_at_its_exit() {
    check_vmdemo("vmdemo", 120);
}

/// vmdemo mid-run (each event's picture stays up two frames): alice runs, her second page
/// fault has just paged in 0x00601000 from swap slot 1 into frame 8 (the highlighted row);
/// she was copying page 2's first line into the shared page, so ping 2 is only begun.
#[test]
fn vmdemo_pages_in_alices_book() {
    check_vmdemo("vmdemo_paging", 24);
}

/// Runs the Ndless game `roms/ndless/gems.tns` with the key script `name` for up to `frames`
/// frames: its screenshot, its output and its status.
fn run_gems(name: &str, frames: u64) -> (PathBuf, String, Option<i32>) {
    let (shot, out) = run_emu(name, name, Some("roms/ndless/gems.tns"), frames, RTC, &[]);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.is_empty(), "{name}: {stdout}{stderr}");
    (shot, stdout, out.status.code())
}

/// The game before any key: the board, the player in the middle, the first gem, the clock
/// full (it starts at the first step) and the banner asking for an arrow.
#[test]
fn gems_start_screen() {
    let (shot, out, status) = run_gems("gems_start", 30);
    assert_eq!(status, Some(0), "--frames ran out:\n{out}");
    assert_eq!(out, "gems: start, player 7,5, gem 15,3\n");
    compare("gems_start", &shot);
}

/// A key-script game: taps of the touchpad's arrows (`press up`...), a held arrow that repeats,
/// a corner (up and left at once: a diagonal step), a step into a wall, then Esc on the keypad.
/// Two gems picked up: the game prints every step and returns 2, the run's status, and the
/// last picture is the position it quit in.
#[test]
fn gems_a_key_script_game() {
    let (shot, out, status) = run_gems("gems", 300);
    let steps = [
        "gems: start, player 7,5, gem 15,3",
        "step up: 7,4",
        "step right: 8,4",
        "step right: 9,4",
        "step right: 10,4",
        "step right: 11,4",
        "step right: 12,4",
        "step right: 13,4",
        "step right: 14,4",
        "step right: 15,4",
        "step up: 15,3",
        "gem 1 at 15,3, next 10,2",
        "step left: 14,3",
        "step left: 13,3",
        "step left: 12,3",
        "step left: 11,3",
        "step up left: 10,2",
        "gem 2 at 10,2, next 5,1",
        "step down: 10,3",
        "blocked left: 10,3",
        "quit: 2 gems",
    ];
    assert_eq!(out.lines().collect::<Vec<_>>(), steps);
    assert_eq!(status, Some(2), "main's value, the number of gems");
    compare("gems", &shot);
}

/// `roms/ndless/gc.tns` draws with every call of TI's drawing API (`gui_gc_*`) into the
/// screen's graphics context, checks pixels of it from inside (69 checks with its String
/// checks, `ndless.rs` runs them too), and copies it to the LCD as libndls's
/// `gui_gc_blit_to_screen` does: a gradient band, strings in the emulator's own font (bold,
/// italic, 24 points, anchored and turned), pens, rectangles, half-alpha, ellipses, a pie, an
/// arc, polygons, a sprite, a TI.Image, a region, a clip, and scaled copies.
#[test]
fn ndless_gc_draws_its_test_picture() {
    let (shot, out) = run_emu("gc", "gc", Some("roms/ndless/gc.tns"), 30, RTC, &[]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(stdout.ends_with("gc: 69 checks, all passed\n"), "{stdout}");
    compare("gc", &shot);
}
