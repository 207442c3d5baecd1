//! gdb on the Linux guest by its kernel's names: `emu symbols System.map --elf` writes the
//! System.map's symbols as an ELF file, Debian's gdb-multiarch loads it with `symbol-file`,
//! attaches to `emu run --kernel ... --gdb`, breaks on start_kernel and continues: the stop
//! must be at start_kernel's address as the System.map gives it, and gdb must name it.

mod gdb_support;

use std::process::Command;

use gdb_support::{require_gdb, root, start_emu};

#[test]
fn gdb_multiarch_breaks_on_start_kernel_by_the_system_maps_name() {
    require_gdb();
    let guest = root().join("guests/linux-nspire");
    let map = std::fs::read_to_string(guest.join("System.map")).unwrap();
    let start_kernel = map
        .lines()
        .find(|l| l.ends_with(" T start_kernel"))
        .and_then(|l| u32::from_str_radix(&l[..8], 16).ok())
        .unwrap();

    let dir = std::env::temp_dir().join(format!("emu-gdb-symbols-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let elf = dir.join("kernel-symbols.elf");
    let written = Command::new(env!("CARGO_BIN_EXE_emu"))
        .arg("symbols")
        .arg(guest.join("System.map"))
        .arg("--elf")
        .arg(&elf)
        .output()
        .unwrap();
    assert!(
        written.status.success(),
        "{}",
        String::from_utf8_lossy(&written.stderr)
    );

    let (zimage, dtb) = (guest.join("zImage"), guest.join("nspire-cx.dtb"));
    let (mut emu, address, _stderr) = start_emu(&[
        "--kernel".as_ref(),
        zimage.as_os_str(),
        "--dtb".as_ref(),
        dtb.as_os_str(),
    ]);
    let gdb = Command::new("gdb-multiarch")
        .args(["-nx", "-batch", "-ex", "set confirm off", "-ex"])
        .arg(format!("symbol-file {}", elf.display()))
        .args([
            "-ex",
            &format!("target remote {address}"),
            "-ex",
            "break start_kernel",
            "-ex",
            "continue",
            "-ex",
            "info registers pc",
            "-ex",
            "x/2i $pc",
            "-ex",
            "kill",
        ])
        .output()
        .unwrap();
    let out =
        String::from_utf8_lossy(&gdb.stdout).into_owned() + &String::from_utf8_lossy(&gdb.stderr);
    let _ = emu.kill();
    let _ = emu.wait();
    for expected in [
        format!("Breakpoint 1 at {start_kernel:#x}"),
        format!("Breakpoint 1, {start_kernel:#010x} in start_kernel ()"),
        format!("pc             {start_kernel:#x}          {start_kernel:#x} <start_kernel>"),
        format!("{:#x} <start_kernel+4>:", start_kernel + 4),
    ] {
        assert!(
            out.contains(&expected),
            "{expected:?} missing from gdb's output:\n{out}"
        );
    }
}
