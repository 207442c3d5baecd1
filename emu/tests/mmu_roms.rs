//! The MMU conformance ROMs of `roms/tests/mmu` (see `roms/README.md`): self-checking guest
//! programs that print what they check through semihosting and exit 0 only when every check
//! passed. One test per ROM runs it under the built `emu` binary; `tools/crossrun.sh` also runs
//! the cross-run ones on QEMU and compares the output.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn mmu_dir() -> PathBuf {
    root().join("roms/tests/mmu")
}

/// Runs `roms/tests/mmu/NAME.elf` headless with semihosting and asserts exit status 0.
fn run_rom(name: &str) {
    let rom = mmu_dir().join(format!("{name}.elf"));
    assert!(
        rom.exists(),
        "{}: no such ROM (make -C roms)",
        rom.display()
    );
    let out = Command::new(env!("CARGO_BIN_EXE_emu"))
        .args([
            "run",
            "--headless",
            "--semihosting",
            "--max-insns",
            "200000000",
        ])
        .arg(&rom)
        .current_dir(root())
        .env("RUST_LOG", "error")
        .stdin(Stdio::null())
        .output()
        .expect("emu starts");
    let output = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let failed: Vec<&str> = output.lines().filter(|l| l.contains("FAIL")).collect();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{name}: exit status {:?}; failed checks:\n{}\n--- output of {name} ---\n{output}--- end ---",
        out.status.code(),
        failed.join("\n")
    );
    assert!(
        output.contains(&format!("{name}: all ")) && output.contains(" checks passed"),
        "{name}: no summary line\n{output}"
    );
}

/// One `#[test]` per ROM. A ROM that emu is known to fail is listed with `#[ignore]` and the
/// reason; `cargo test -- --ignored` runs it.
macro_rules! mmu_roms {
    ($($(#[$attr:meta])* $name:ident),* $(,)?) => {
        $(
            #[test]
            $(#[$attr])*
            fn $name() {
                run_rom(stringify!($name));
            }
        )*
        const ROMS: &[&str] = &[$(stringify!($name)),*];
    };
}

mmu_roms! {
    pages,
    domains,
    perms,
    faults,
    aborted,
    tlb,
    hivecs,
    spaces,
    fcse,
    fcse_far,
    walkabort,
    extabort,
}

/// The ROMs built for emu only (no `NAME.qemu.elf`; `tools/crossrun.sh` gives the reasons).
const EMU_ONLY: &[&str] = &["fcse_far", "extabort"];

#[test]
fn every_mmu_rom_has_a_test_and_qemu_flavours_exist_for_the_cross_run_ones() {
    let mut found: Vec<String> = std::fs::read_dir(mmu_dir())
        .expect("roms/tests/mmu")
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".elf") && !name.ends_with(".qemu.elf"))
        .map(|name| name.trim_end_matches(".elf").to_owned())
        .collect();
    found.sort();
    let mut listed: Vec<String> = ROMS.iter().map(|s| s.to_string()).collect();
    listed.sort();
    assert_eq!(
        found, listed,
        "roms/tests/mmu/*.elf and the list in this file differ"
    );
    for name in ROMS {
        let qemu = mmu_dir().join(format!("{name}.qemu.elf"));
        assert_eq!(
            qemu.exists(),
            !EMU_ONLY.contains(name),
            "{}: a QEMU flavour must exist exactly for the cross-run ROMs",
            qemu.display()
        );
    }
}
