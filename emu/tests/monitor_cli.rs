//! The monitor from the command line: `--script`, `--monitor`, `--break-on`, and Ctrl-C in a
//! headless run.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn emu(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_emu"))
        .args(args)
        .current_dir(root())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn script(name: &str, body: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("emu-monitor-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, body).unwrap();
    path
}

/// The address of an ELF file's second instruction (e_entry + 4) and the word there, read
/// from the file.
fn second_instruction(path: &Path) -> (u32, u32) {
    let elf = std::fs::read(path).unwrap();
    let word = |at: usize| u32::from_le_bytes(elf[at..at + 4].try_into().unwrap());
    let entry = word(24) + 4;
    let phoff = word(28) as usize;
    // The PT_LOAD segment holding the entry: its file offset and address.
    let (offset, vaddr) = (0..elf[44] as usize)
        .map(|i| phoff + 32 * i)
        .filter(|&ph| word(ph) == 1)
        .map(|ph| (word(ph + 4), word(ph + 8)))
        .find(|&(_, vaddr)| vaddr <= entry)
        .unwrap();
    (entry, word((offset + entry - vaddr) as usize))
}

#[test]
fn a_script_runs_to_a_breakpoint_examines_and_continues_to_the_end() {
    let rom = root().join("roms/bench/bench.elf");
    // The CPU starts at the entry; a breakpoint at the next instruction stops it there.
    let (entry, word) = second_instruction(&rom);
    let path = script(
        "bench.txt",
        &format!("break {entry:#x}\ncontinue\nx/1w {entry:#x}\nregs\ncontinue\n"),
    );
    let out = emu(
        &[
            "run",
            "--semihosting",
            "--script",
            path.to_str().unwrap(),
            rom.to_str().unwrap(),
            "--",
            "1",
        ],
        "",
    );
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    // The ELF's symbols name the address: `breakpoint 1 at 0x10000... <_start+0x4>, hit 1 time`.
    assert!(
        stdout.contains(&format!("breakpoint 1 at {entry:#010x} <")),
        "{stdout}"
    );
    assert!(stdout.contains(">, hit 1 time"), "{stdout}");
    assert!(
        stdout.contains(&format!("{entry:#010x}: {word:08x}")),
        "{stdout}"
    );
    assert!(stdout.contains(&format!("pc  {entry:08x}")), "{stdout}");
    assert!(stdout.contains("bench: checksum"), "{stdout}");
}

#[test]
fn a_bad_script_line_ends_the_run_with_one_line_and_status_2() {
    let path = script("bad.txt", "regs\nfrobnicate 3\nregs\n");
    let out = emu(
        &[
            "run",
            "--script",
            path.to_str().unwrap(),
            "roms/bench/bench.elf",
        ],
        "",
    );
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("bad.txt: line 2"), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
}

/// `--max-insns` bounds what a script runs: the built-in demo never ends, yet `continue`
/// and `step` stop at the limit (they ran past it, `continue` for ever), and the run ends as a
/// limited run does. The monitor's fuzz harness relies on the same limit.
#[test]
fn a_script_stops_at_the_instruction_limit() {
    let path = script("limit.txt", "continue\nstep 1000000\nregs\n");
    let out = emu(
        &[
            "run",
            "--script",
            path.to_str().unwrap(),
            "--max-insns",
            "200000",
        ],
        "",
    );
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(124), "{stdout}{stderr}");
    assert_eq!(
        stdout
            .matches("the instruction limit was reached (--max-insns)")
            .count(),
        2,
        "{stdout}"
    );
    assert!(stdout.contains("(emu) regs"), "{stdout}");
    assert!(stderr.contains("after 200000 instructions"), "{stderr}");
}

#[test]
fn the_monitor_prompt_reads_commands_from_stdin() {
    let out = emu(
        &[
            "run",
            "--monitor",
            "--semihosting",
            "roms/tests/cpu/clz.elf",
        ],
        "step 2\nregs\nquit\n",
    );
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    // The ROM's start-up code (roms/tests/cpu/lib/start.S) first loads the top of SDRAM,
    // then switches to FIQ mode with interrupts masked: `msr CPSR_c, #0xd1`.
    assert!(stdout.contains("r0  14000000"), "{stdout}");
    assert!(stdout.contains("cpsr 000000d1"), "{stdout}");
}

#[test]
fn break_on_undefined_stops_in_the_monitor_at_the_vector() {
    let out = emu(
        &[
            "run",
            "--headless",
            "--semihosting",
            "--break-on",
            "undef",
            "roms/tests/cpu/exceptions.elf",
        ],
        "regs\nquit\n",
    );
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("=> 0x00000004"), "{stdout}");
    assert!(stdout.contains(" und"), "{stdout}");
}

/// A run by frames (the built-in demo, whose timer interrupts) stops for `--break-on` too:
/// `continue` runs on to the next interrupt, `quit` ends the run with status 0.
#[test]
fn break_on_stops_a_run_by_frames() {
    let out = emu(
        &["run", "--headless", "--frames", "60", "--break-on", "irq"],
        "continue\nquit\n",
    );
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert_eq!(stdout.matches("caught: IRQ taken").count(), 2, "{stdout}");
}

#[test]
fn ctrl_c_in_a_headless_run_enters_the_monitor() {
    // The benchmark with more iterations than the test waits for.
    let mut child = Command::new(env!("CARGO_BIN_EXE_emu"))
        .args(["run", "--headless", "--semihosting"])
        .arg(root().join("roms/bench/bench.elf"))
        .args(["--", "1000000"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    std::thread::sleep(Duration::from_millis(300));
    child.stdin.take().unwrap().write_all(b"quit\n").unwrap();
    let out = child.wait_with_output().unwrap();
    let stdout = text(&out.stdout);
    assert!(stdout.contains("interrupted"), "{stdout}");
    assert_eq!(out.status.code(), Some(0), "{stdout}");
}

/// vmdemo's first system call, caught headless by `--break-on swi` after two million
/// instructions run without the monitor: with `--reverse` the history reaches back to
/// power-on, and going back three instructions lands where a plain run's third-last was.
#[test]
fn reverse_keeps_the_history_from_power_on_for_a_monitor_entered_later() {
    let args = [
        "run",
        "--headless",
        "--semihosting",
        "--rtc",
        "1767225600",
        "--break-on",
        "swi",
    ];
    let rom = "roms/vmdemo/vmdemo.elf";
    let without = emu(&[&args[..], &[rom]].concat(), "history\nquit\n");
    assert!(
        text(&without.stdout).contains("error: history: no history"),
        "{}",
        text(&without.stdout)
    );
    let with = emu(
        &[&args[..], &["--reverse", rom]].concat(),
        "history\nreverse-step 3\nregs\nquit\n",
    );
    let out = text(&with.stdout);
    let caught = out
        .split("instructions 0 to ")
        .nth(1)
        .and_then(|rest| rest.split(',').next())
        .and_then(|n| n.parse::<u64>().ok())
        .unwrap_or_else(|| panic!("no history from 0:\n{out}"));
    assert!(
        out.contains(&format!("at instruction {}\n", caught - 3)),
        "{out}"
    );
    // The registers there are those of a run that steps forward to that count.
    let forward = emu(
        &[
            &args[..5],
            &[
                "--script",
                script("step-to-count", &format!("step {}\nregs\n", caught - 3))
                    .to_str()
                    .unwrap(),
                rom,
            ],
        ]
        .concat(),
        "",
    );
    // The last `regs`'s r0 to pc.
    let regs = |out: &str| -> String {
        let start = out.rfind("r0  ").unwrap_or(out.len());
        out[start..].lines().take(4).collect::<Vec<_>>().join("\n")
    };
    let stepped = text(&forward.stdout);
    assert!(regs(&stepped).starts_with("r0  "), "{stepped}");
    assert_eq!(regs(&out), regs(&stepped));
}
