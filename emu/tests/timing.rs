//! The emulated CX runs at the real one's rate: Linux measures it. At boot the kernel counts
//! how many turns of its delay loop (`subs r0, r0, #1; bhi`, arch/arm/lib/delay-loop.S) fit in
//! a tick of its timer, and prints BogoMIPS = loops per tick x HZ / 500000. On an ARM926EJ-S a
//! turn takes 4 cycles (SUBS 1, the taken branch 3: ARM9EJ-S TRM Table 8.2), so ARM926EJ-S
//! boards print about half their clock in MHz (a 132 MHz CX: about 66); an emulator giving
//! every instruction one cycle prints twice that.

use std::process::Command;

#[test]
fn linux_calibrates_the_delay_loop_at_the_arm926_rate() {
    let guest = concat!(env!("CARGO_MANIFEST_DIR"), "/../guests/linux-nspire");
    let out = Command::new(env!("CARGO_BIN_EXE_emu"))
        .args([
            "run",
            "--headless",
            "--engine",
            "jit",
            "--rtc",
            "1767225600",
        ])
        .args(["--max-insns", "250000000", "--kernel"])
        .arg(format!("{guest}/zImage"))
        .arg("--dtb")
        .arg(format!("{guest}/nspire-cx.dtb"))
        .stdin(std::process::Stdio::null())
        .output()
        .expect("emu runs");
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text
        .lines()
        .find(|line| line.contains("BogoMIPS"))
        .unwrap_or_else(|| panic!("no BogoMIPS line in the boot:\n{text}"));
    // "Calibrating delay loop... 65.94 BogoMIPS (lpj=329728)"
    let bogomips: f64 = line
        .split_whitespace()
        .find_map(|word| word.parse().ok())
        .unwrap_or_else(|| panic!("no figure in {line:?}"));
    assert!(
        (64.0..=68.0).contains(&bogomips),
        "{bogomips} BogoMIPS, not about 66: {line}"
    );
}
