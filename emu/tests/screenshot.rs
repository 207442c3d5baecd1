//! Golden pictures: a ROM runs headless for a fixed number of frames with scripted key
//! presses, and its screenshot must equal a committed PNG (`tests/golden/NAME.png`) pixel for
//! pixel. `UPDATE_GOLDEN=1 cargo test --test screenshot` rewrites the committed pictures from
//! the current output instead: look at them before committing.

mod screenshot_support;

use std::path::Path;
use std::process::{Command, Output};

use screenshot_support::{bars_rom, first_difference, golden_path, read_png, temp_dir};

fn emu(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_emu"))
        .args(args)
        .env_remove("DISPLAY")
        .output()
        .expect("emu starts")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Runs `rom` headless for `frames` frames with the key script `keys` and compares its
/// screenshot with the golden picture `name`.
fn check_golden(name: &str, rom: &Path, frames: u64, keys: &str) {
    let dir = temp_dir(&format!("golden-{name}"));
    let script = dir.join("keys.txt");
    std::fs::write(&script, keys).unwrap();
    let shot = dir.join("shot.png");
    let frames = frames.to_string();
    let out = emu(&[
        "run",
        "--headless",
        "--frames",
        &frames,
        "--keys",
        script.to_str().unwrap(),
        "--screenshot",
        shot.to_str().unwrap(),
        rom.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let golden = golden_path(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::copy(&shot, &golden).unwrap();
        println!("updated {}", golden.display());
        return;
    }
    let actual = read_png(&shot).unwrap();
    let expected = read_png(&golden).unwrap();
    if let Some(difference) = first_difference(&actual, 1, &expected) {
        panic!(
            "{name}: the screenshot differs from {}: {difference} (the screenshot is {})",
            golden.display(),
            shot.display()
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn colour_bars() {
    let dir = temp_dir("bars");
    check_golden("colour_bars", &bars_rom(&dir), 10, "");
}

/// The key pressed in frames 2 and 3 shows in the band (KEYPAD_DATA row 4, column 6: bit 6)
/// and inverts the bars.
#[test]
fn colour_bars_after_a_key() {
    let dir = temp_dir("bars-key");
    let keys = "# the A key, for two frames\n2 press aa\n4 release aa\n";
    check_golden("colour_bars_key_a", &bars_rom(&dir), 10, keys);
}

/// Golden pictures would mean nothing if a run's picture depended on anything but its inputs.
#[test]
fn headless_pictures_are_deterministic_and_frames_end_the_run() {
    let dir = temp_dir("bars-twice");
    let rom = bars_rom(&dir);
    let shot = |name: &str| {
        let path = dir.join(name);
        let out = emu(&[
            "run",
            "--headless",
            "--frames",
            "3",
            "--screenshot",
            path.to_str().unwrap(),
            rom.to_str().unwrap(),
        ]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        std::fs::read(path).unwrap()
    };
    assert_eq!(shot("a.png"), shot("b.png"));
}

/// Runs `emu run --headless ARGS` and expects a refusal: status 2 and one line on stderr,
/// which it returns.
fn refused(args: &[&str]) -> String {
    let out = emu(&[&["run", "--headless"][..], args].concat());
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    stderr
}

#[test]
fn a_bad_key_script_names_its_line_and_writes_no_picture() {
    let dir = temp_dir("bad-script");
    let rom = bars_rom(&dir);
    let script = dir.join("keys.txt");
    std::fs::write(&script, "1 press aa\n# fine so far\n3 press nosuchkey\n").unwrap();
    let shot = dir.join("shot.png");
    let stderr = refused(&[
        "--frames",
        "5",
        "--keys",
        script.to_str().unwrap(),
        "--screenshot",
        shot.to_str().unwrap(),
        rom.to_str().unwrap(),
    ]);
    assert!(
        stderr.contains("keys.txt: line 3: no key named `nosuchkey`"),
        "{stderr}"
    );
    assert!(!shot.exists());
}

#[test]
fn an_unwritable_screenshot_is_one_line_and_leaves_no_file() {
    let dir = temp_dir("bad-shot");
    let rom = bars_rom(&dir);
    // A directory that does not exist: refused before the run.
    let missing = dir.join("no/such/dir/shot.png");
    let shoot = |to: &Path| {
        refused(&[
            "--frames",
            "1",
            "--screenshot",
            to.to_str().unwrap(),
            rom.to_str().unwrap(),
        ])
    };
    let stderr = shoot(&missing);
    assert!(stderr.contains("no/such/dir"), "{stderr}");
    // A path that is a directory: found only when the picture is written.
    shoot(&dir);
    let leftovers: Vec<String> = std::fs::read_dir(dir.parent().unwrap())
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with(".emu-bad-shot") && name.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}
