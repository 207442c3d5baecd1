//! `--machine FILE.ron`: the example in the README is a working machine, and broken
//! descriptions are refused with one line and exit status 2.

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The RON example of the README.
fn readme_example() -> String {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    // The fence's line goes on after the language, naming the file for docs.rs (the README
    // has other RON examples: `emu test`'s manifest).
    let fence = readme
        .find("```ron file=board.ron")
        .expect("the machine description example in the README");
    let start = fence + readme[fence..].find('\n').unwrap() + 1;
    let end = start + readme[start..].find("```").unwrap();
    readme[start..end].to_string()
}

fn run_with(description: &str, name: &str) -> std::process::Output {
    run_image(description, name, "roms/examples/newlib/hello.elf")
}

/// Runs `image` (a path under the repository) on the machine `description` saved as `name`.
fn run_image(description: &str, name: &str, image: &str) -> std::process::Output {
    let dir = std::env::temp_dir().join(format!("emu-machine-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, description).unwrap();
    Command::new(env!("CARGO_BIN_EXE_emu"))
        .args([
            "run",
            "--headless",
            "--semihosting",
            "--max-insns",
            "10000000",
        ])
        .arg("--machine")
        .arg(&path)
        .arg(root().join(image))
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap()
}

#[test]
fn the_readme_example_runs_a_program() {
    let out = run_with(&readme_example(), "example.ron");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(3), "{stdout}");
    assert!(stdout.contains("Hello from newlib"), "{stdout}");
}

#[test]
fn broken_descriptions_are_refused_with_one_line() {
    let example = readme_example();
    let cases = [
        (example.replace("kind: Pl011", "kind: Pl012"), "Pl012"),
        (
            example.replace("base: 0x900D0000", "base: 0x90020000"),
            "overlaps",
        ),
        (example.replace("cpu_hz: 132000000", "cpu_hz: 5"), "cpu_hz"),
        ("MachineConfig(".to_string(), "line"),
    ];
    for (i, (description, expected)) in cases.iter().enumerate() {
        let out = run_with(description, &format!("bad{i}.ron"));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(
            stderr.contains(&format!("bad{i}.ron")) && stderr.contains(expected),
            "{stderr}"
        );
    }
}

#[test]
fn a_raw_rom_on_a_machine_without_a_boot_rom_is_refused_for_that() {
    let example = readme_example();
    let rom_line = example
        .lines()
        .find(|line| line.contains("read_only: true"))
        .expect("a boot ROM in the example");
    let without_rom = example.replace(rom_line, "");
    let out = run_image(&without_rom, "no-rom.ron", "roms/demo/demo.bin");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("demo.bin") && stderr.contains("no read-only memory region at 0x00000000"),
        "{stderr}"
    );
}
