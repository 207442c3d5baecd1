//! Reverse execution with a real debugger: Debian's gdb-multiarch, in batch mode, attached to
//! `emu run --gdb` running roms/tests/gdb/target.elf (main's loop calls `square(i)` for i = 1
//! to 5 on line 21 and adds it to `total`; `square`'s body is line 14), goes back with
//! reverse-continue, reverse-step and reverse-stepi, and watches `total` change backwards,
//! through the stub's `bs` and `bc` packets. Fails, saying what to install, without
//! gdb-multiarch (CI installs it).

mod gdb_support;

use std::io::Read;
use std::process::Command;

use gdb_support::{require_gdb, root, start_emu};

#[test]
fn gdb_multiarch_goes_back() {
    require_gdb();
    let rom = root().join("roms/tests/gdb/target.elf");
    let (mut emu, address, _stderr) = start_emu(&["--semihosting".as_ref(), rom.as_os_str()]);

    let commands = [
        "set confirm off",
        &format!("target remote {address}"),
        // Nothing ran yet: there is no history to go back in.
        "reverse-stepi",
        "break square",
        "continue",
        "continue",
        "continue",
        "print n",
        // Back to the call before: n = 2.
        "reverse-continue",
        "print n",
        // Back out of square to the start of line 21 in main, then one instruction more: the
        // loop's condition on line 20.
        "reverse-step",
        "reverse-stepi",
        // i was incremented to 2 before the condition.
        "print i",
        "delete",
        "watch total",
        // total went 0 -> 1 at the end of the first pass: going back from the second pass finds
        // that write, which gdb reports with the values the other way round.
        "reverse-continue",
        "print total",
        "delete",
        // Back past the start: gdb says the history ends.
        "reverse-continue",
        "continue",
    ];
    let mut gdb = Command::new("gdb-multiarch");
    gdb.current_dir(root().join("roms"))
        .args(["-nx", "-batch"])
        .arg(&rom);
    for command in commands {
        gdb.args(["-ex", command]);
    }
    let gdb = gdb.output().unwrap();
    let out =
        String::from_utf8_lossy(&gdb.stdout).into_owned() + &String::from_utf8_lossy(&gdb.stderr);
    let status = emu.wait().unwrap();
    let mut emu_out = String::new();
    emu.stdout
        .take()
        .unwrap()
        .read_to_string(&mut emu_out)
        .unwrap();

    let mut rest = out.as_str();
    for expected in [
        "No more reverse-execution history.",
        "Breakpoint 1, square (n=3) at tests/gdb/target.c:14",
        "$1 = 3",
        "Breakpoint 1, square (n=2) at tests/gdb/target.c:14",
        "$2 = 2",
        "main () at tests/gdb/target.c:21",
        "20\t    for (int i = 1; i <= 5; i++) {",
        "$3 = 2",
        "Hardware watchpoint 2: total",
        "Old value = 1",
        "New value = 0",
        "$4 = 0",
        "No more reverse-execution history.",
        "exited normally",
    ] {
        match rest.find(expected) {
            Some(at) => rest = &rest[at + expected.len()..],
            None => panic!("{expected:?} missing (in this order) from gdb's output:\n{out}"),
        }
    }
    assert!(status.success(), "emu: {status}\n{emu_out}");
    // The guest's line, printed once although its run went back and forth.
    assert_eq!(emu_out, "gdb target: total 55\n");
}
