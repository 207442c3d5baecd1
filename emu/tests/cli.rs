//! The `emu` command line as a user meets it: the demo, ROMs with semihosting, the instruction
//! limit, `emu test`, `emu keys`, and one clear line with exit status 2 for every kind of bad
//! input. Runs are headless; `window.rs` tests the window.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn emu(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_emu"))
        .args(args)
        .current_dir(root())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("emu starts");
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    child.wait_with_output().unwrap()
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn temp_file(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("emu-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

#[test]
fn the_demo_runs_headless() {
    // The demo prints its checks, then shows on the LCD for ever: 60 frames (a second of the
    // machine's time) are plenty, and --frames ends the run with status 0.
    let out = emu(&["run", "--headless", "--frames", "60"], b"");
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    assert!(stdout.contains("TI-Nspire CX emulator demo"), "{stdout}");
    assert!(stdout.contains("MIDR         0x41069264"), "{stdout}");
    assert!(stdout.contains("All checks passed"), "{stdout}");
}

/// Plain `emu` opens a window; with no display it says so in one line.
#[test]
fn without_a_display_the_window_is_one_line_and_status_2() {
    for args in [&[][..], &["run", "roms/demo/demo.bin"][..]] {
        let out = Command::new(env!("CARGO_BIN_EXE_emu"))
            .args(args)
            .current_dir(root())
            .env_remove("DISPLAY")
            .stdin(Stdio::null())
            .output()
            .unwrap();
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
        assert!(
            stderr.contains("no display") && stderr.contains("--headless"),
            "{args:?}: {stderr}"
        );
        assert!(out.stdout.is_empty(), "{args:?}");
    }
}

#[test]
fn keys_lists_the_mapping() {
    let out = emu(&["keys"], b"");
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0));
    for line in [
        "enter    Enter, keypad Enter",
        "on       Home",
        "F12      quit",
    ] {
        assert!(stdout.contains(line), "{line} missing from:\n{stdout}");
    }
}

#[test]
fn frames_bound_a_headless_run_with_status_0() {
    // bench.elf would run for far longer than two frames (1/30 s of the machine's time).
    let out = emu(
        &[
            "run",
            "--headless",
            "--semihosting",
            "--frames",
            "2",
            "roms/bench/bench.elf",
        ],
        b"",
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(!text(&out.stdout).contains("checksum"));
}

#[test]
fn newlib_program_reads_stdin_gets_arguments_and_exits_with_its_status() {
    let out = emu(
        &[
            "run",
            "--headless",
            "--semihosting",
            "roms/examples/newlib/hello.elf",
            "--",
            "one",
            "two",
        ],
        b"a line of input\n",
    );
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(3), "{stdout}{}", text(&out.stderr));
    assert!(
        stdout.contains("int 42, negative -7, unsigned 3000000000"),
        "{stdout}"
    );
    assert!(stdout.contains("argc = 3"), "{stdout}");
    assert!(stdout.contains("argv[2] = \"two\""), "{stdout}");
    assert!(stdout.contains("You typed \"a line of input\""), "{stdout}");
}

#[test]
fn instruction_limit_stops_with_its_own_status() {
    let out = emu(
        &[
            "run",
            "--headless",
            "--semihosting",
            "--max-insns",
            "5000",
            "roms/bench/bench.elf",
        ],
        b"",
    );
    assert_eq!(out.status.code(), Some(124));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("stopped after 5000 instructions"),
        "{stderr}"
    );
}

#[test]
fn stats_report_instructions_and_runs_are_deterministic() {
    let run = || {
        emu(
            &[
                "run",
                "--headless",
                "--semihosting",
                "--stats",
                "roms/bench/bench.elf",
                "--",
                "3",
            ],
            b"",
        )
    };
    let (first, second) = (run(), run());
    assert_eq!(first.status.code(), Some(0), "{}", text(&first.stderr));
    assert!(text(&first.stdout).contains("bench: checksum"));
    let count = |out: &Output| {
        let stderr = text(&out.stderr);
        assert!(stderr.contains("MIPS"), "{stderr}");
        stderr.split_whitespace().nth(1).unwrap().to_string()
    };
    assert_eq!(first.stdout, second.stdout);
    assert_eq!(count(&first), count(&second));
}

#[test]
fn without_semihosting_the_svc_is_an_ordinary_exception() {
    // roms/common's crt0 parks in a loop when its SWI handler is reached without semihosting.
    let out = emu(
        &[
            "run",
            "--headless",
            "--max-insns",
            "100000",
            "roms/tests/gdb/target.elf",
        ],
        b"",
    );
    assert_eq!(out.status.code(), Some(124));
    assert!(out.stdout.is_empty());
}

/// Every kind of bad input ends with exit status 2 and one line naming the file.
#[test]
fn bad_images_get_one_clear_line_and_status_2() {
    let mut elf = std::fs::read(root().join("roms/bench/bench.elf")).unwrap();
    let mut big_endian = elf.clone();
    big_endian[5] = 2;
    let mut x86 = elf.clone();
    x86[18] = 3;
    let truncated = elf[..40].to_vec();
    // Move the PT_LOAD segment (the second program header; the first is PT_ARM_EXIDX) to
    // 0x20000000, where nothing is mapped.
    let phdr = u32::from_le_bytes(elf[28..32].try_into().unwrap()) as usize + 32;
    assert_eq!(elf[phdr], 1, "PT_LOAD");
    elf[phdr + 12..phdr + 16].copy_from_slice(&0x2000_0000u32.to_le_bytes());
    let cases: [(&str, Vec<u8>, &str); 6] = [
        ("empty.bin", Vec::new(), "empty"),
        ("big.bin", vec![0; 0x80001], "larger than"),
        ("truncated.elf", truncated, "truncated"),
        ("big-endian.elf", big_endian, "big-endian"),
        ("x86.elf", x86, "expected ARM"),
        ("outside.elf", elf, "outside"),
    ];
    for (name, bytes, problem) in cases {
        let path = temp_file(name, &bytes);
        // The limit keeps a wrongly accepted image from running for ever.
        let out = emu(
            &[
                "run",
                "--headless",
                "--max-insns",
                "1000000",
                path.to_str().unwrap(),
            ],
            b"",
        );
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{name}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{name}: {stderr}");
        assert!(
            stderr.contains(name) && stderr.contains(problem),
            "{name}: {stderr}"
        );
    }
    let out = emu(&["run", "--headless", "no/such/rom.bin"], b"");
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("no/such/rom.bin"));
    let out = emu(
        &["run", "--headless", "--semihosting-root", "no/such/dir"],
        b"",
    );
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        text(&out.stderr),
        "emu: --semihosting-root no/such/dir: not a directory\n"
    );
}

#[test]
fn test_command_reports_each_rom_and_a_summary() {
    let out = emu(&["test", "roms/tests/gdb", "roms/examples"], b"");
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("PASS roms/tests/gdb/target.elf"),
        "{stdout}"
    );
    assert!(!stdout.contains("qemu.elf"), "{stdout}");
    assert!(
        stdout.contains("FAIL roms/examples/newlib/hello.elf: exit status 3"),
        "{stdout}"
    );
    assert!(
        stdout.trim_end().ends_with("1 passed, 1 failed"),
        "{stdout}"
    );
    assert_eq!(out.status.code(), Some(1));
    let out = emu(&["test", "roms/tests/gdb"], b"");
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn help_describes_every_option() {
    let out = emu(&["run", "--help"], b"");
    let help = text(&out.stdout);
    for option in [
        "--headless",
        "--semihosting",
        "--semihosting-root",
        "--max-insns",
        "--stats",
        "--scale",
        "--turbo",
        "--frames",
        "--keys",
        "--screenshot",
    ] {
        assert!(help.contains(option), "{option} missing from:\n{help}");
    }
    let help = text(&emu(&["--help"], b"").stdout);
    for command in ["run", "keys", "test", "difftest"] {
        assert!(help.contains(command), "{command} missing from:\n{help}");
    }
}
