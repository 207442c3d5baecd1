//! A real debugger against the stub: Debian's gdb-multiarch, in batch mode, attaches to
//! `emu run --gdb` running roms/tests/gdb/target.elf, breaks in a C function, prints a local and
//! a global, steps, runs built-in monitor commands through `monitor`, hits a watchpoint, reads
//! registers and detaches. Fails, saying what to install, without gdb-multiarch (CI installs
//! it).

mod gdb_support;

use std::process::Command;

use gdb_support::{require_gdb, root, start_emu};

#[test]
fn gdb_multiarch_debugs_a_rom() {
    require_gdb();
    let rom = root().join("roms/tests/gdb/target.elf");
    let (mut emu, address, _stderr) = start_emu(&["--semihosting".as_ref(), rom.as_os_str()]);

    // From roms/, where the ROM's debug information says its sources are.
    let gdb = Command::new("gdb-multiarch")
        .current_dir(root().join("roms"))
        .args(["-nx", "-batch"])
        .arg(&rom)
        .args([
            "-ex",
            "set confirm off",
            "-ex",
            &format!("target remote {address}"),
            "-ex",
            "break square",
            "-ex",
            "continue",
            "-ex",
            "next",
            "-ex",
            "print square",
            "-ex",
            "print total",
            "-ex",
            "info registers pc",
            "-ex",
            // `total` is at 0x10000000, in SDRAM; the MMU is off.
            "monitor translate 0x10000000",
            "-ex",
            "monitor cp15",
            "-ex",
            "monitor step",
            "-ex",
            "delete",
            "-ex",
            "watch total",
            "-ex",
            "continue",
            "-ex",
            "continue",
            "-ex",
            "delete",
            "-ex",
            "info registers cpsr",
            "-ex",
            "detach",
        ])
        .output()
        .unwrap();
    let out =
        String::from_utf8_lossy(&gdb.stdout).into_owned() + &String::from_utf8_lossy(&gdb.stderr);
    let status = emu.wait().unwrap();
    let emu_out = String::from_utf8_lossy(&emu.stdout.take().map_or(Vec::new(), |mut o| {
        let mut v = Vec::new();
        std::io::Read::read_to_end(&mut o, &mut v).unwrap();
        v
    }))
    .into_owned();

    for expected in [
        // The breakpoint in square(), first called with n = 1, with its source line.
        "Breakpoint 1, square (n=1) at tests/gdb/target.c:14",
        "int square = n * n;",
        // After `next`, the local holds 1 * 1.
        "$1 = 1",
        // Nothing added to the global yet.
        "$2 = 0",
        "pc ",
        // The monitor's output (which gdb prints on its stderr, as all `monitor` output).
        "virtual 0x10000000, privileged read",
        "MMU off: the physical address is the MVA",
        "physical 0x10000000",
        "main ID   0x41069264",
        "error: step is refused under gdb: it would run the machine behind gdb's back; use gdb's stepi",
        // The watchpoint: 0 -> 1, then 1 -> 5 (1 + 2 * 2).
        "Old value = 0",
        "New value = 1",
        "Old value = 1",
        "New value = 5",
        "cpsr",
        "(Remote target) detached",
    ] {
        assert!(
            out.contains(expected),
            "{expected:?} missing from gdb's output:\n{out}"
        );
    }
    // Detached, the ROM runs to its end.
    assert!(status.success(), "emu: {status}\n{emu_out}");
    assert!(emu_out.contains("gdb target: total 55"), "{emu_out}");
}
