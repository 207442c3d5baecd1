//! `--record FILE.gif` in a headless run, checked with an independent decoder (ImageMagick's
//! `convert` and `identify`): a frame for each frame run, 320x240, a sixtieth of a second each
//! in all, and the last frame the picture `--screenshot` writes.

#[allow(dead_code)]
mod screenshot_support;

use std::path::Path;
use std::process::Command;

use screenshot_support::{first_difference, read_png, temp_dir};

/// ImageMagick, or a failure saying what to install.
fn magick(tool: &str, args: &[&str]) -> String {
    let out = Command::new(tool)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{tool}: {e} (apt-get install imagemagick)"));
    assert!(
        out.status.success(),
        "{tool} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn a_headless_recording_has_every_frame_and_ends_on_the_screenshot() {
    let dir = temp_dir("record");
    let rom = Path::new(env!("CARGO_MANIFEST_DIR")).join("../roms/demos/snake/snake.bin");
    let keys = dir.join("keys.txt");
    std::fs::write(
        &keys,
        "10 press n6\n20 release n6\n40 press n2\n45 release n2\n",
    )
    .unwrap();
    let (gif, shot) = (dir.join("run.gif"), dir.join("run.png"));
    let out = Command::new(env!("CARGO_BIN_EXE_emu"))
        .args(["run", "--headless", "--frames", "90", "--rtc", "1767225600"])
        .args(["--keys", keys.to_str().unwrap()])
        .args(["--record", gif.to_str().unwrap()])
        .args(["--screenshot", shot.to_str().unwrap()])
        .arg(&rom)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let frames = magick(
        "identify",
        &["-format", "%W %H %T\n", gif.to_str().unwrap()],
    );
    let frames: Vec<&str> = frames.lines().collect();
    assert_eq!(frames.len(), 90);
    let mut hundredths = 0;
    for frame in &frames {
        let fields: Vec<&str> = frame.split(' ').collect();
        assert_eq!(&fields[..2], ["320", "240"], "{frame}");
        hundredths += fields[2].parse::<u32>().unwrap();
    }
    assert_eq!(hundredths, 150, "90 frames at 60 a second");

    let pattern = dir.join("frame-%02d.png");
    magick(
        "convert",
        &[
            gif.to_str().unwrap(),
            "-coalesce",
            &format!("PNG24:{}", pattern.display()),
        ],
    );
    let last = read_png(&dir.join("frame-89.png")).unwrap();
    let first = read_png(&dir.join("frame-00.png")).unwrap();
    let expected = read_png(&shot).unwrap();
    assert_eq!(first_difference(&last, 1, &expected), None);
    assert!(
        first_difference(&first, 1, &expected).is_some(),
        "the snake moved"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A recording's name must end in .gif, and its folder exist, before anything runs.
#[test]
fn a_bad_recording_name_is_refused_before_the_run() {
    for (name, problem) in [
        ("run.png", "recordings are animated GIFs"),
        ("no/such/dir/run.gif", "No such file or directory"),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_emu"))
            .args(["run", "--headless", "--frames", "1", "--record", name])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(problem), "{stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
    }
}
