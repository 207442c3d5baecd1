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

/// The functions of `elf` with a size, as arm-none-eabi-nm lists them.
fn functions(elf: &str) -> Vec<String> {
    let nm = Command::new("arm-none-eabi-nm")
        .args(["-S", elf])
        .current_dir(root())
        .output()
        .expect(
            "this test lists symbols with arm-none-eabi-nm: apt-get install binutils-arm-none-eabi",
        );
    String::from_utf8_lossy(&nm.stdout)
        .lines()
        .filter_map(|l| match l.split_whitespace().collect::<Vec<_>>()[..] {
            [_, _, "T" | "t", name] => Some(name.to_string()),
            _ => None,
        })
        .collect()
}

/// Where `break NAME` puts each breakpoint, by the lines "... NAME ... at 0xADDR" that
/// `parse` finds in a tool's output.
fn addresses(out: &str, parse: impl Fn(&str) -> Option<(String, u32)>) -> Vec<(String, u32)> {
    out.lines().filter_map(parse).collect()
}

#[test]
fn break_on_a_name_stops_past_the_prologue_where_gdb_multiarch_does() {
    require_gdb();
    let mut compared = 0;
    for elf in ["roms/tests/gdb/target.elf", "roms/tests/unwind/unwind.elf"] {
        let names = functions(elf);
        let mut gdb = Command::new("gdb-multiarch");
        gdb.args(["-nx", "-batch"]).current_dir(root());
        for name in &names {
            gdb.args(["-ex", &format!("break {name}")]);
        }
        let gdb = gdb.arg(elf).output().unwrap();
        // "Breakpoint 3 at 0x2e0: file tests/gdb/target.c, line 14.": only functions gdb places
        // by the line table (the others by its own prologue analysis).
        let gdb_out = String::from_utf8_lossy(&gdb.stdout).into_owned();
        let by_gdb = addresses(&gdb_out, |l| {
            let rest = l.strip_prefix("Breakpoint ")?;
            let (number, rest) = rest.split_once(" at 0x")?;
            let (addr, _) = rest.split_once(": file ")?;
            let name = &names[number.parse::<usize>().ok()? - 1];
            Some((name.clone(), u32::from_str_radix(addr, 16).ok()?))
        });
        assert!(
            by_gdb.len() >= 2,
            "{elf}: gdb placed few by lines:\n{gdb_out}"
        );
        compared += by_gdb.len();

        // Each deleted before the next, as a breakpoint is not set twice at one address.
        let script: String = (1..)
            .step_by(2)
            .zip(&by_gdb)
            .map(|(n, (name, _))| {
                format!(
                    "break {name}\ndelete {n}\nbreak *{name}\ndelete {}\n",
                    n + 1
                )
            })
            .collect();
        let path = std::env::temp_dir().join(format!(
            "emu-break-{}-{}.txt",
            std::process::id(),
            by_gdb.len()
        ));
        std::fs::write(&path, script).unwrap();
        let emu = Command::new(env!("CARGO_BIN_EXE_emu"))
            .args(["run", "--headless", "--semihosting", "--script"])
            .arg(&path)
            .arg(elf)
            .current_dir(root())
            .output()
            .unwrap();
        let emu_out = String::from_utf8_lossy(&emu.stdout).into_owned();
        assert!(emu.status.success(), "{emu_out}");
        // "breakpoint 1 at 0x000002e0 <square+0x10>", a name's and then its exact address's.
        let by_emu = addresses(&emu_out, |l| {
            let rest = l.strip_prefix("breakpoint ")?;
            let (number, rest) = rest.split_once(" at 0x")?;
            let index = (number.parse::<usize>().ok()? - 1) / 2;
            let exact = number.parse::<usize>().ok()? % 2 == 0;
            let name = &by_gdb.get(index)?.0;
            let addr = u32::from_str_radix(rest.get(..8)?, 16).ok()?;
            Some((
                format!("{name}{}", if exact { " exactly" } else { "" }),
                addr,
            ))
        });
        let names_at: Vec<(String, u32)> = by_emu
            .iter()
            .filter(|(n, _)| !n.ends_with(" exactly"))
            .cloned()
            .collect();
        assert_eq!(names_at, by_gdb, "{elf}:\n{emu_out}");
        // `break *NAME` is the symbol's own address, which gdb's `info address` gives.
        let skipped = by_gdb
            .iter()
            .filter(|(name, addr)| {
                let exact = by_emu.iter().find(|(n, _)| *n == format!("{name} exactly"));
                exact.is_some_and(|(_, a)| a != addr)
            })
            .count();
        if elf.ends_with("target.elf") {
            // Built with -O0: every function has a prologue to skip.
            assert!(skipped >= 2, "{emu_out}");
        }
    }
    assert!(compared >= 6, "only {compared} functions compared");
}
