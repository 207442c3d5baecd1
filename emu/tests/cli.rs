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

/// An ELF32 ARM executable of one segment holding `code` at `addr`, its entry.
fn tiny_elf(addr: u32, code: &[u32]) -> Vec<u8> {
    let code: Vec<u8> = code.iter().flat_map(|w| w.to_le_bytes()).collect();
    let mut elf = b"\x7fELF\x01\x01\x01\0\0\0\0\0\0\0\0\0".to_vec();
    let half = |elf: &mut Vec<u8>, v: u16| elf.extend(v.to_le_bytes());
    let word = |elf: &mut Vec<u8>, v: u32| elf.extend(v.to_le_bytes());
    half(&mut elf, 2); // ET_EXEC
    half(&mut elf, 40); // EM_ARM
    word(&mut elf, 1);
    word(&mut elf, addr); // e_entry
    word(&mut elf, 52); // e_phoff
    word(&mut elf, 0); // e_shoff
    word(&mut elf, 0x0500_0000); // EABI 5
    for v in [52, 32, 1, 40, 0, 0] {
        half(&mut elf, v); // ehsize, phentsize, phnum, shentsize, shnum, shstrndx
    }
    let len = code.len() as u32;
    for v in [1, 84, addr, addr, len, len, 5, 4] {
        word(&mut elf, v); // PT_LOAD at file offset 84, R+X
    }
    elf.extend(code);
    elf
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
        "enter    Enter ",
        "ee       keypad Enter ",
        "trig     CapsLock\n",
        "on       Home",
        "F12      quit",
    ] {
        assert!(stdout.contains(line), "{line} missing from:\n{stdout}");
    }
}

/// `emu [OPTIONS] [ROM]` is `emu run [OPTIONS] [ROM]`: the same output and status, its
/// arguments and stdin included.
#[test]
fn the_run_command_may_be_left_out() {
    let args = [
        "--headless",
        "--semihosting",
        "roms/examples/newlib/hello.elf",
        "--",
        "one",
    ];
    let with = emu(&[&["run"], &args[..]].concat(), b"typed\n");
    let without = emu(&args, b"typed\n");
    assert_eq!(with.status.code(), Some(3), "{}", text(&with.stderr));
    assert_eq!(without.status.code(), with.status.code());
    assert_eq!(text(&without.stdout), text(&with.stdout));
    assert!(text(&without.stdout).contains("argc = 2"));
    // A subcommand's name is still the subcommand.
    let keys = emu(&["keys"], b"");
    assert!(
        text(&keys.stdout).contains("CX key"),
        "{}",
        text(&keys.stderr)
    );
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

/// A ROM run without --semihosting that makes a semihosting call is told, once, what to add.
/// Its own SVC handler gets the call (roms/common's parks the CPU for good); a program with no
/// handler (the boot ROM empty) ends the run there with status 2, not in a hang.
#[test]
fn without_semihosting_a_semihosting_call_gets_a_hint_not_a_hang() {
    let out = emu(&["run", "--headless", "roms/tests/gdb/target.elf"], b"");
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(125), "{stderr}");
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 2, "{stderr}");
    assert!(
        lines[0].contains("semihosting call (SYS_WRITE0)") && lines[0].contains("--semihosting"),
        "{stderr}"
    );
    assert!(lines[1].contains("stopped for good"), "{stderr}");
    assert!(out.stdout.is_empty());
    let out = emu(
        &["run", "--headless", "roms/examples/newlib/hello.elf"],
        b"",
    );
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("no handler") && stderr.contains("--semihosting"),
        "{stderr}"
    );
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

/// `emu test` on a folder with no manifest: a ROM must exit with status 0 (the newlib example,
/// copied away from its manifest, exits with 3).
#[test]
fn test_command_reports_each_rom_and_a_summary() {
    let hello = std::fs::read(root().join("roms/examples/newlib/hello.elf")).unwrap();
    let hello = temp_file("hello.elf", &hello);
    let out = emu(&["test", "roms/tests/gdb", hello.to_str().unwrap()], b"");
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("PASS roms/tests/gdb/target.elf"),
        "{stdout}"
    );
    assert!(!stdout.contains("qemu.elf"), "{stdout}");
    assert!(
        stdout.contains(&format!(
            "FAIL {}: the guest exited with status 3",
            hello.display()
        )),
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
        "--no-reboot",
        "Exit status:",
        "125  the guest stopped for good",
        "Ctrl-A x quit",
    ] {
        assert!(help.contains(option), "{option} missing from:\n{help}");
    }
    let help = text(&emu(&["--help"], b"").stdout);
    for command in ["run", "keys", "test", "difftest"] {
        assert!(help.contains(command), "{command} missing from:\n{help}");
    }
}

/// A file given where it does not fit is refused in one line that says where it belongs.
#[test]
fn a_file_in_the_wrong_place_gets_a_hint() {
    let mut zimage = vec![0u8; 0x100];
    zimage[0x24..0x28].copy_from_slice(&0x016F_2818u32.to_le_bytes());
    let zimage = temp_file("zImage", &zimage);
    let zimage = zimage.to_str().unwrap();
    let text_rom = temp_file("notes.txt", b"remember to build the ROM first\n");
    let text_rom = text_rom.to_str().unwrap();
    let cases: [(&[&str], &str); 4] = [
        (&["run", "--headless", zimage], "--kernel"),
        (&["run", "--headless", text_rom], "a text file, not a ROM"),
        (
            &[
                "run",
                "--headless",
                "--kernel",
                "roms/bench/bench.elf",
                "--dtb",
                zimage,
            ],
            "emu run FILE",
        ),
        (
            &["run", "--headless", "--kernel", zimage, "--dtb", zimage],
            "--dtb",
        ),
    ];
    for (args, hint) in cases {
        let out = emu(args, b"");
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
        assert!(stderr.contains(hint), "{args:?}: {stderr}");
    }
}

/// Values that cannot be right are refused before the run, in one line.
#[test]
fn invalid_values_are_refused_before_the_run() {
    let out = emu(&["run", "--headless", "--frames", "-1"], b"");
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("-1") && stderr.contains("--frames"),
        "{stderr}"
    );
    let out = emu(
        &[
            "run",
            "--headless",
            "--frames",
            "1",
            "--screenshot",
            "x.jpg",
        ],
        b"",
    );
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("x.jpg") && stderr.contains(".png"),
        "{stderr}"
    );
    assert!(!root().join("x.jpg").exists());
}

/// `emu test` says so when there is nothing to run, and fails a ROM that never exits within
/// its time, with the reason.
#[test]
fn test_command_refuses_no_roms_and_times_out_a_rom_that_never_exits() {
    let empty = std::env::temp_dir().join(format!("emu-cli-empty-{}", std::process::id()));
    std::fs::create_dir_all(&empty).unwrap();
    let out = emu(&["test", empty.to_str().unwrap()], b"");
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("no ROMs"), "{stderr}");
    // hello sleeps for ever, woken 60 times a second by the LCD (away from its manifest,
    // which runs it for 30 frames).
    let hello = std::fs::read(root().join("roms/demos/hello/hello.bin")).unwrap();
    let hello = temp_file("hello.bin", &hello);
    let start = std::time::Instant::now();
    let out = emu(&["test", "--timeout", "1", hello.to_str().unwrap()], b"");
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains(&format!(
            "FAIL {}: no exit after 1 s (--timeout)",
            hello.display()
        )),
        "{stdout}"
    );
    assert!(start.elapsed().as_secs() < 10);
}

/// --stats is printed however the run ends: frames, a guest that stops for good, a mistake.
#[test]
fn stats_are_printed_however_the_run_ends() {
    let halting = temp_file("halt.bin", &0xEAFF_FFFEu32.to_le_bytes());
    for (args, status) in [
        (vec!["run", "--headless", "--stats", "--frames", "5"], 0),
        (
            vec!["run", "--headless", "--stats", halting.to_str().unwrap()],
            125,
        ),
        (
            vec![
                "run",
                "--headless",
                "--stats",
                "roms/examples/newlib/hello.elf",
            ],
            2,
        ),
    ] {
        let out = emu(&args, b"");
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(status), "{args:?}: {stderr}");
        assert!(stderr.contains(" instructions in "), "{args:?}: {stderr}");
    }
}

/// A guest that stops for good ends the run with status 125 and one line saying why: a
/// branch to itself with interrupts masked, a wait for an interrupt nothing enabled can raise
/// (a kit ROM whose main returned: it masks everything, then waits), a CPU in an empty ROM.
#[test]
fn a_guest_that_stops_for_good_ends_the_run() {
    // b . ; mcr p15, 0, r0, c7, c0, 4 (wait for interrupt) with the VIC as reset left it.
    let wait = temp_file("wait.bin", &0xEE07_0F90u32.to_le_bytes());
    let loops = temp_file("loop.bin", &0xEAFF_FFFEu32.to_le_bytes());
    // An ELF in SDRAM whose undefined instruction goes to a vector in the empty boot ROM.
    let crash = temp_file("crash.elf", &tiny_elf(0x1000_0000, &[0xE7F0_00F0]));
    for (rom, why) in [
        (loops, "branches to itself"),
        (wait, "waits for an interrupt"),
        (crash, "nothing was loaded"),
    ] {
        let out = emu(&["run", "--headless", rom.to_str().unwrap()], b"");
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(125), "{rom:?}: {stderr}");
        // Besides the log's warnings (the abort's access to nothing, in the ELF's case).
        let said: Vec<&str> = stderr.lines().filter(|l| l.starts_with("emu:")).collect();
        assert_eq!(said.len(), 1, "{stderr}");
        assert!(stderr.contains(why), "{rom:?}: {stderr}");
    }
}

/// A kit ROM whose `main` returns after `lcd_init()` (so the LCD's frame events go on) ends
/// the run: without semihosting the kit masks every interrupt and waits for one, for good
/// (status 125, after the line saying semihosting is off); with it, the kit exits with main's
/// status. Built out of the tree as roms/README.md says.
#[test]
fn a_kit_rom_whose_main_returns_ends_the_run() {
    let dir = std::env::temp_dir().join(format!("emu-cli-returns-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("returns.c"),
        "#include \"kit.h\"\n\
         int main(void)\n{\n    lcd_init();\n    lcd_clear(RGB(0, 0, 64));\n    lcd_present();\n\
         \x20   uart_puts(\"returning\\n\");\n    return 3;\n}\n",
    )
    .unwrap();
    let make = Command::new("make")
        .args(["-s", "-C", "roms"])
        .arg(format!("PROJECT={}", dir.display()))
        .arg("NAME=returns")
        .current_dir(root())
        .output()
        .expect("make runs (apt-get install make gcc-arm-none-eabi libnewlib-arm-none-eabi)");
    assert!(make.status.success(), "{}", text(&make.stderr));
    let rom = dir.join("returns.bin");
    let rom = rom.to_str().unwrap();
    let out = emu(&["run", "--headless", rom], b"");
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(125), "{stderr}");
    assert_eq!(text(&out.stdout), "returning\n");
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 2, "{stderr}");
    assert!(lines[0].contains("semihosting is off"), "{stderr}");
    assert!(lines[1].contains("waits for an interrupt"), "{stderr}");
    let out = emu(&["run", "--headless", "--semihosting", rom], b"");
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    let _ = std::fs::remove_dir_all(&dir);
}

/// --turbo is allowed headless: a bounded run is unpaced anyway, and gives the same result.
#[test]
fn turbo_is_allowed_headless() {
    let out = emu(&["run", "--headless", "--turbo", "--frames", "5"], b"");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
}

/// `--documents DIR`: an Ndless program of our own (`fopen("out.txt", "w")`, `fwrite` of
/// "hello", `fclose`, its value the status) writes there; without it nothing is written, and a
/// directory that is not there is refused before the run.
#[test]
fn an_ndless_program_writes_in_its_documents_directory() {
    #[rustfmt::skip]
    let code: [u32; 18] = [
        0xE92D_4010, // push {r4, lr}
        0xE28F_0028, // add r0, pc, #0x28: "out.txt"
        0xE28F_102C, // add r1, pc, #0x2c: "w"
        0xEF00_0000, // swi #0: fopen
        0xE1A0_4000, // mov r4, r0
        0xE28F_0024, // add r0, pc, #0x24: "hello"
        0xE3A0_1001, // mov r1, #1
        0xE3A0_2005, // mov r2, #5
        0xE1A0_3004, // mov r3, r4
        0xEF00_0002, // swi #2: fwrite
        0xE1A0_0004, // mov r0, r4
        0xEF00_0003, // swi #3: fclose
        0xE8BD_8010, // pop {r4, pc}
        0x2E74_756F, 0x0074_7874, // "out.txt"
        0x0000_0077,              // "w"
        0x6C6C_6568, 0x0000_006F, // "hello"
    ];
    let size = 32 + 4 * code.len() as u32;
    let zehn: Vec<u8> = [0x6E68_655A, 1, size, 0, 0, 0, size, 0]
        .iter()
        .chain(&code)
        .flat_map(|w| w.to_le_bytes())
        .collect();
    let program = temp_file("write.tns", &zehn);
    let documents = program.with_file_name("documents");
    let _ = std::fs::remove_dir_all(&documents);
    std::fs::create_dir_all(&documents).unwrap();
    let dir = documents.to_str().unwrap();
    let out = emu(
        &[
            "run",
            "--headless",
            "--documents",
            dir,
            program.to_str().unwrap(),
        ],
        b"",
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(std::fs::read(documents.join("out.txt")).unwrap(), b"hello");
    // Without it: fopen fails (EROFS), and fclose(NULL) gives -1.
    let out = emu(&["run", "--headless", program.to_str().unwrap()], b"");
    assert_eq!(out.status.code(), Some(255), "{}", text(&out.stderr));
    let missing = documents.join("missing");
    let out = emu(
        &[
            "run",
            "--headless",
            "--documents",
            missing.to_str().unwrap(),
            program.to_str().unwrap(),
        ],
        b"",
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("--documents"),
        "{}",
        text(&out.stderr)
    );
}

/// A Zehn program (no relocations) of these ARM instructions, entered at its first.
fn tiny_zehn(code: &[u32]) -> Vec<u8> {
    let image: Vec<u8> = code.iter().flat_map(|w| w.to_le_bytes()).collect();
    let size = 32 + image.len() as u32;
    let header = [0x6E68_655A, 1, size, 0, 0, 0, size, 0];
    let mut file: Vec<u8> = header.iter().flat_map(|w: &u32| w.to_le_bytes()).collect();
    file.extend(image);
    file
}

/// An Ndless program's two-button message box is printed on stderr and answered with the
/// button `--msgbox-answer` names (the first by default); a value out of range is refused.
#[test]
fn message_boxes_are_answered_with_the_button_asked_for() {
    let utf16 = |s: &str| -> Vec<u32> {
        let mut units: Vec<u16> = s.encode_utf16().collect();
        units.resize(4, 0);
        vec![
            units[0] as u32 | (units[1] as u32) << 16,
            units[2] as u32 | (units[3] as u32) << 16,
        ]
    };
    // _show_msgbox_2b(0, "Hi", "Go?", "Yes", 11, "No", 22, NULL), its value the status.
    let mut code = vec![
        0xE52D_E004, // push {lr}
        0xE24D_D010, // sub sp, sp, #16
        0xE3A0_000B, // mov r0, #11
        0xE58D_0000, // str r0, [sp]: the first button's value
        0xE3A0_0016, // mov r0, #22
        0xE58D_0008, // str r0, [sp, #8]: the second's
        0xE3A0_0000, // mov r0, #0
        0xE58D_000C, // str r0, [sp, #12]
        0xE28F_0034, // add r0, pc, #0x34: "No" at 0x5C
        0xE58D_0004, // str r0, [sp, #4]
        0xE28F_1014, // add r1, pc, #0x14: "Hi" at 0x44
        0xE28F_2018, // add r2, pc, #0x18: "Go?" at 0x4C
        0xE28F_301C, // add r3, pc, #0x1C: "Yes" at 0x54
        0xE3A0_0000, // mov r0, #0
        0xEF00_005D, // swi #93: _show_msgbox_2b
        0xE28D_D010, // add sp, sp, #16
        0xE49D_F004, // pop {pc}
    ];
    for s in ["Hi", "Go?", "Yes", "No"] {
        code.extend(utf16(s));
    }
    let program = temp_file("msgbox.tns", &tiny_zehn(&code));
    let program = program.to_str().unwrap();
    let out = emu(&["run", "--headless", program], b"");
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(11), "{stderr}");
    assert!(
        stderr.contains(
            "emu: message box: Hi\n  Go?\n  buttons 1 Yes, 2 No: answered 1 (Yes) \
             (--msgbox-answer)\n"
        ),
        "{stderr}"
    );
    let out = emu(&["run", "--headless", "--msgbox-answer", "2", program], b"");
    assert_eq!(out.status.code(), Some(22), "{}", text(&out.stderr));
    let out = emu(&["run", "--headless", "--msgbox-answer", "4", program], b"");
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("--msgbox-answer"), "{stderr}");
}

/// A key script's `press up` reaches an Ndless program as TI-OS's `touchpad_read` gives the
/// pad: pressed at its top edge (y 1410 of 1691, in libndls's "up" third); `--record-keys`
/// writes the press back.
#[test]
fn a_scripted_arrow_presses_the_touchpad_an_ndless_program_reads() {
    let program = temp_file(
        "touchpad.tns",
        &tiny_zehn(&[
            0xE92D_4010, // push {r4, lr}
            0xE24D_D010, // sub sp, sp, #16
            0xE3A0_0000, // 1: mov r0, #0
            0xE3A0_100A, //    mov r1, #10
            0xE1A0_200D, //    mov r2, sp
            0xEF00_004B, //    swi #75: touchpad_read(0, 10, sp)
            0xE5DD_000A, //    ldrb r0, [sp, #10]: pressed
            0xE350_0000, //    cmp r0, #0
            0x0AFF_FFF8, //    beq 1b
            0xE5DD_0004, // ldrb r0, [sp, #4]: y, big-endian
            0xE5DD_1005, // ldrb r1, [sp, #5]
            0xE181_0400, // orr r0, r1, r0, lsl #8
            0xE1A0_0220, // mov r0, r0, lsr #4: the status
            0xE28D_D010, // add sp, sp, #16
            0xE8BD_8010, // pop {r4, pc}
        ]),
    );
    let keys = temp_file("touchpad.keys", b"5 press up\n8 release up\n");
    let recorded = keys.with_file_name("touchpad-recorded.keys");
    let out = emu(
        &[
            "run",
            "--headless",
            "--frames",
            "60",
            "--keys",
            keys.to_str().unwrap(),
            "--record-keys",
            recorded.to_str().unwrap(),
            program.to_str().unwrap(),
        ],
        b"",
    );
    assert_eq!(out.status.code(), Some(1410 >> 4), "{}", text(&out.stderr));
    let recorded = std::fs::read_to_string(recorded).unwrap();
    assert!(recorded.ends_with("\n5 press up\n"), "{recorded}");
}
