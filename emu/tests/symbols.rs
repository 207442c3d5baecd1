//! The monitor's names, checked against binutils: roms/tests/unwind/unwind.elf (optimised ARM
//! and Thumb code with DWARF) is stopped in its innermost function, and every frame `bt`
//! unwinds must be the function and source line that `arm-none-eabi-addr2line` gives for its
//! address, in the call order the source has; names and `file.c:line` given as addresses must
//! be where `arm-none-eabi-nm` and `objdump --dwarf=decodedline` put them. The Linux guest's
//! System.map names the kernel's functions.

use std::process::Command;

mod script_support;
use script_support::{root, script_stdout};

const ROM: &str = "roms/tests/unwind/unwind.elf";

/// A binutils tool's output for these arguments.
fn binutils(tool: &str, args: &[&str]) -> String {
    let out = Command::new(format!("arm-none-eabi-{tool}"))
        .args(args)
        .current_dir(root())
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "this test checks against binutils: install binutils-arm-none-eabi ({tool}: {e})"
            )
        });
    assert!(out.status.success(), "{tool} {args:?} failed");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// addr2line's function and `file:line` for an address (without `./` or a discriminator).
fn addr2line(addr: u32) -> (String, String) {
    addr2line_in(ROM, addr)
}

fn addr2line_in(rom: &str, addr: u32) -> (String, String) {
    let out = binutils("addr2line", &["-f", "-e", rom, &format!("{addr:#x}")]);
    let mut lines = out.lines();
    let function = lines.next().unwrap().to_string();
    let place = lines.next().unwrap();
    let place = place.split(" (").next().unwrap().trim_start_matches("./");
    (function, place.to_string())
}

/// nm's address of a symbol (a Thumb function's without bit 0).
fn nm(name: &str) -> u32 {
    let out = binutils("nm", &[ROM]);
    let line = out
        .lines()
        .find(|l| l.split_whitespace().nth(2) == Some(name))
        .unwrap_or_else(|| panic!("nm has no {name}"));
    u32::from_str_radix(line.split_whitespace().next().unwrap(), 16).unwrap() & !1
}

/// The frames of a `bt`: (address, function, file:line).
fn frames(out: &str) -> Vec<(u32, String, String)> {
    out.lines()
        .filter(|l| l.starts_with('#'))
        .map(|l| {
            let words: Vec<&str> = l.split_whitespace().collect();
            let addr = u32::from_str_radix(words[2].trim_start_matches("0x"), 16).unwrap();
            let name = words[3]
                .trim_start_matches('<')
                .split(['+', '>'])
                .next()
                .unwrap()
                .to_string();
            let place = l.split(" at ").nth(1).unwrap_or("").to_string();
            (addr, name, place)
        })
        .collect()
}

#[test]
fn bt_unwinds_optimised_arm_and_thumb_frames_as_addr2line_names_them() {
    let out = script_stdout(
        "break leaf\ncontinue\nbt\ncontinue\nbt\n",
        &["--semihosting", ROM],
    );
    let stops: Vec<&str> = out.split("(emu) bt\n").skip(1).collect();
    assert_eq!(stops.len(), 2, "{out}");
    for stop in stops {
        let frames = frames(stop.split("(emu)").next().unwrap());
        let names: Vec<&str> = frames.iter().map(|f| f.1.as_str()).collect();
        // The call chain of unwind.c: main -> outer -> middle (Thumb) -> inner -> leaf, entered
        // from the start-up code, which has no call frame information.
        assert_eq!(
            names,
            ["leaf", "inner", "middle", "outer", "main", "_reset"],
            "{stop}"
        );
        for (addr, name, place) in &frames[..5] {
            assert_eq!(&addr2line(*addr), &(name.clone(), place.clone()), "{stop}");
        }
        assert!(
            stop.contains("(the unwinding stops here: no unwinding information for 0x"),
            "{stop}"
        );
    }
}

/// The same program built without DWARF, with the exception-handling index instead
/// (`-funwind-tables`): bt unwinds by `.ARM.exidx`, and every frame is the function addr2line
/// names (from the symbol table alone).
#[test]
fn bt_unwinds_by_the_exception_index_as_addr2line_names_the_frames() {
    let rom = "roms/tests/unwind/unwind-exidx.elf";
    let out = script_stdout(
        "break leaf\ncontinue\nbt\ncontinue\nbt\n",
        &["--semihosting", rom],
    );
    let stops: Vec<&str> = out.split("(emu) bt\n").skip(1).collect();
    assert_eq!(stops.len(), 2, "{out}");
    for stop in stops {
        let frames = frames(stop.split("(emu)").next().unwrap());
        let names: Vec<&str> = frames.iter().map(|f| f.1.as_str()).collect();
        assert_eq!(
            names,
            ["leaf", "inner", "middle", "outer", "main", "_reset"],
            "{stop}"
        );
        assert!(stop.contains("#1  exidx "), "{stop}");
        for (addr, name, _) in &frames {
            assert_eq!(&addr2line_in(rom, *addr).0, name, "{stop}");
        }
    }
}

#[test]
fn names_and_source_lines_stand_for_addresses() {
    let out = script_stdout(
        "break middle\nbreak unwind.c:23\nbreak tests/unwind/unwind.c:40 \
         \ndelete\nuntil inner+4\nregs\ndis middle 2\nx/4b greeting\n",
        &["--semihosting", ROM],
    );
    let middle = nm("middle");
    assert!(
        out.contains(&format!("breakpoint 1 at {middle:#010x} <middle>\n")),
        "{out}"
    );
    // A line's first statement, as objdump decodes the line table.
    let decoded = binutils("objdump", &["--dwarf=decodedline", ROM]);
    let first_statement = |line: u32| {
        decoded
            .lines()
            .filter_map(|l| {
                let words: Vec<&str> = l.split_whitespace().collect();
                let stmt = words.last() == Some(&"x");
                let (file, number, addr) = (words.first()?, words.get(1)?, words.get(2)?);
                let addr = u32::from_str_radix(addr.strip_prefix("0x")?, 16).ok()?;
                (*file == "unwind.c" && number.parse() == Ok(line) && stmt).then_some(addr)
            })
            .min()
            .unwrap()
    };
    for (number, line) in [(2, 23), (3, 40)] {
        let addr = first_statement(line);
        assert!(
            out.contains(&format!("breakpoint {number} at {addr:#010x} <")),
            "line {line}: {addr:#x}\n{out}"
        );
    }
    // until stops at inner+4, which regs names with its line.
    let inner = nm("inner") + 4;
    let (_, line) = addr2line(inner);
    assert!(
        out.contains(&format!("pc  {inner:#010x} <inner+0x4> at {line}")),
        "{out}"
    );
    // middle is Thumb: dis decodes it so (push {r4, lr}), whatever state the CPU is in.
    assert!(out.contains("<middle>:  b510       push {r4, lr}"), "{out}");
    assert!(out.contains("|unwi| <greeting>"), "{out}");
}

#[test]
fn a_system_map_names_the_linux_kernel() {
    let guest = root().join("guests/linux-nspire");
    let map = std::fs::read_to_string(guest.join("System.map")).unwrap();
    let start_kernel = map
        .lines()
        .find(|l| l.ends_with(" T start_kernel"))
        .and_then(|l| u32::from_str_radix(&l[..8], 16).ok())
        .unwrap();
    let out = script_stdout(
        "break start_kernel\ncontinue\ndis pc 2\ndelete\nbreak driver_register\ncontinue\nbt\n",
        &[
            "--kernel",
            "guests/linux-nspire/zImage",
            "--dtb",
            "guests/linux-nspire/nspire-cx.dtb",
            "--symbols",
            "guests/linux-nspire/System.map",
        ],
    );
    assert!(
        out.contains(&format!(
            "breakpoint 1 at {start_kernel:#010x} <start_kernel>, hit 1 time"
        )),
        "{out}"
    );
    assert!(
        out.contains(&format!("=> {start_kernel:#010x} <start_kernel>:")),
        "{out}"
    );
    assert!(
        out.contains(&format!("{:#010x} <start_kernel+0x4>:", start_kernel + 4)),
        "{out}"
    );
    // The kernel's own unwind index (__start_unwind_idx to __stop_unwind_idx, in memory)
    // unwinds its stack. The first driver registered: by gpiolib_dev_init, an initcall
    // (drivers/gpio/gpiolib.c), which do_one_initcall calls for kernel_init_freeable (init/main.c:
    // do_basic_setup and do_initcalls are inlined into it), in the kernel_init thread, which
    // ret_from_fork starts and which has no unwind entry (arch/arm/kernel/entry-common.S).
    let bt = out.split("(emu) bt\n").nth(1).unwrap();
    let names: Vec<String> = frames(bt).into_iter().map(|f| f.1).collect();
    assert_eq!(
        names,
        [
            "driver_register",
            "gpiolib_dev_init",
            "do_one_initcall",
            "kernel_init_freeable",
            "kernel_init",
            "ret_from_fork"
        ],
        "{bt}"
    );
    assert!(
        bt.contains("the unwind index says this function cannot be unwound"),
        "{bt}"
    );
}

#[test]
fn a_file_that_is_no_symbol_table_is_refused_in_one_line() {
    let out = Command::new(env!("CARGO_BIN_EXE_emu"))
        .args([
            "run",
            "--headless",
            "--symbols",
            "roms/tests/unwind/unwind.c",
            ROM,
        ])
        .current_dir(root())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("--symbols roms/tests/unwind/unwind.c: line 1:"),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
}
