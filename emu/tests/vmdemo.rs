//! `roms/vmdemo`: a tiny operating system (two User-mode processes in separate address spaces,
//! switched on the SP804 timer's interrupt, a shared page, W^X, demand paging, the RTC mapped
//! into a process). Runs it under the built `emu` binary with a fixed RTC and checks the key
//! lines of its narrated log, which is deterministic (see `roms/vmdemo/kernel.c`).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn run(rom: &str) -> (Option<i32>, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_emu"))
        .args([
            "run",
            "--headless",
            "--semihosting",
            "--rtc",
            "1767225600",
            "--max-insns",
            "200000000",
        ])
        .arg(root().join(rom))
        .current_dir(root())
        .env("RUST_LOG", "error")
        .stdin(Stdio::null())
        .output()
        .expect("emu starts");
    let log = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code(), log)
}

/// Asserts that `lines` occur in `log` in this order, each as (part of) one line.
fn assert_in_order(log: &str, lines: &[&str]) {
    let log_lines: Vec<&str> = log.lines().collect();
    let mut at = 0;
    for want in lines {
        match log_lines[at..].iter().position(|l| l.contains(want)) {
            Some(i) => at += i + 1,
            None => {
                panic!("log line containing {want:?} missing or out of order\n--- log ---\n{log}")
            }
        }
    }
}

#[test]
fn vmdemo_narrates_two_processes_paging_wx_and_the_clock() {
    let (status, log) = run("roms/vmdemo/vmdemo.elf");
    assert_eq!(status, Some(0), "vmdemo exit status\n--- log ---\n{log}");
    assert_in_order(
        &log,
        &[
            "kernel: MMU on:",
            "kernel: RTC (physical 0x90090000) mapped at virtual 0xe0000000",
            "kernel: the RTC reads 1767225600 s = 2026-01-01 00:00:00 UTC",
            "kernel: process 1 \"alice\": a first-level table of its own",
            "kernel: process 2 \"bob\": a first-level table of its own",
            "kernel: bob also gets the RTC (physical 0x90090000) at 0x00800000, read-only",
            "kernel: timer: SP804 at 0x900d0000, 32768 Hz",
            "kernel: starting alice (TTBR := alice's table, TLB invalidated)",
            "  alice: hello! my private word at 0x00500000 holds 0xa11ce000",
            "  alice: reading page 1 of my book at 0x00600000",
            "kernel: page fault: alice read 0x00600000: translation fault (page), DFSR 0x17; \
             paging in 0x00600000 from swap slot 0",
            "kernel: tick 1: timer IRQ 19, switch alice -> bob (TTBR := bob's table, TLB invalidated)",
            "  bob: hello! my private word at 0x00500000 holds 0x0000b0b0",
            "  bob: alice says ping 1: \"Virtual memory lets every process believe it has the \
             machine to itself.\"",
            "kernel: tick 2: timer IRQ 19, switch bob -> alice",
            "  alice: bob answered \"pong 1, my clock at 0x00800000 reads 1767225600\"",
            "kernel: page fault: alice read 0x00601000: translation fault (page), DFSR 0x17; \
             paging in 0x00601000 from swap slot 1",
            "kernel: tick 3: timer IRQ 19, switch alice -> bob",
            "  bob: alice says ping 2: \"A page fault is only the kernel's cue to fetch what is \
             missing.\"",
            "kernel: tick 4: timer IRQ 19, switch bob -> alice",
            "  alice: bob answered \"pong 2, my clock at 0x00800000 reads 1767225600\"",
            "  alice: now let me patch my own code at",
            "in her read-only code: permission fault (page), DFSR 0xf - killing alice",
            "kernel: switching to bob (TTBR := bob's table, TLB invalidated)",
            "  bob: alice is gone, the kernel says. Bye!",
            "kernel: bob exited with status 0",
            "kernel: no process left: 4 timer ticks, 5 context switches, 2 pages paged in, \
             1 process killed, 1 exited",
            "vmdemo: done",
        ],
    );
    assert!(
        log.lines()
            .any(|l| l.starts_with("kernel: W^X: alice wrote to 0x")
                && l.ends_with(
                    "in her read-only code: permission fault (page), DFSR 0xf - killing alice"
                )),
        "the W^X kill line\n{log}"
    );
    assert!(
        !log.contains("patched!"),
        "the write to alice's code must not complete\n{log}"
    );
    assert!(!log.contains("PANIC"), "{log}");
}

#[test]
fn vmdemo_log_is_deterministic_and_the_flat_image_runs_the_same() {
    let (status_a, a) = run("roms/vmdemo/vmdemo.elf");
    let (status_b, b) = run("roms/vmdemo/vmdemo.bin");
    assert_eq!((status_a, status_b), (Some(0), Some(0)));
    assert_eq!(a, b, "two runs (ELF and flat image) gave different logs");
}
