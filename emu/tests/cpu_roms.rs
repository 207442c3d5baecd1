//! The CPU conformance ROMs of `roms/tests/cpu` (see `roms/README.md`): each is a self-checking
//! guest program that prints what it checks through semihosting and exits 0 only when every check
//! passed. This runs every one of them under the built `emu` binary; `tools/crossrun.sh`
//! additionally runs them on QEMU and compares the output.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The emu flavour of every conformance ROM (`*.elf`, not `*.qemu.elf`), sorted.
fn cpu_roms() -> Vec<PathBuf> {
    let dir = root().join("roms/tests/cpu");
    let mut roms: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|path| {
            let name = path.file_name().unwrap().to_string_lossy();
            name.ends_with(".elf") && !name.ends_with(".qemu.elf")
        })
        .collect();
    roms.sort();
    roms
}

/// An empty directory for the guest's semihosting files, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let path = std::env::temp_dir().join(format!("emu-cpu-roms-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).unwrap();
        TempDir(path)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs one ROM; `Err` holds a report with the ROM's output.
fn run_rom(rom: &Path) -> Result<(), String> {
    let name = rom.file_stem().unwrap().to_string_lossy().into_owned();
    let files = TempDir::new(&name);
    let out = Command::new(env!("CARGO_BIN_EXE_emu"))
        .args([
            "run",
            "--headless",
            "--semihosting",
            "--max-insns",
            "2000000000",
        ])
        .arg("--semihosting-root")
        .arg(&files.0)
        .arg(rom)
        .current_dir(root())
        .stdin(Stdio::null())
        .output()
        .expect("emu starts");
    let output = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    if out.status.code() != Some(0) {
        return Err(format!(
            "{name}: exit status {:?}\n--- output of {name} ---\n{output}--- end of {name} ---",
            out.status.code()
        ));
    }
    let left: Vec<_> = std::fs::read_dir(&files.0).unwrap().collect();
    if !left.is_empty() {
        return Err(format!(
            "{name}: exited 0 but left {} file(s) in its semihosting directory",
            left.len()
        ));
    }
    Ok(())
}

#[test]
fn every_cpu_conformance_rom_passes_on_emu() {
    let roms = cpu_roms();
    assert!(
        roms.len() >= 10,
        "expected the conformance ROMs in roms/tests/cpu, found {roms:?}"
    );
    let failures: Vec<String> = roms.iter().filter_map(|rom| run_rom(rom).err()).collect();
    assert!(
        failures.is_empty(),
        "{} of {} CPU conformance ROMs failed:\n\n{}",
        failures.len(),
        roms.len(),
        failures.join("\n\n")
    );
}

#[test]
fn every_rom_but_the_emu_only_ones_has_a_qemu_flavour() {
    // tools/crossrun.sh lists the ROMs built for emu only, with the reason.
    let emu_only = ["aborts", "v5_only"];
    for rom in cpu_roms() {
        let name = rom.file_stem().unwrap().to_string_lossy().into_owned();
        let qemu = rom.with_file_name(format!("{name}.qemu.elf"));
        assert_eq!(
            qemu.exists(),
            !emu_only.contains(&name.as_str()),
            "{}: a QEMU flavour must exist exactly for the cross-run ROMs",
            qemu.display()
        );
    }
}
