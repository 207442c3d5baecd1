//! Ndless programs run with no TI firmware: the project's own Ndless-ABI programs of
//! `roms/ndless/` (built against our own headers and packed by `tools/zehn.py`) run headless
//! and check, from inside, the loader (every Zehn relocation type, compression, PRG), the entry
//! state (mode, masks, arguments, MMU, LCD, the 100 Hz tick through the IRQ vector, the keypad)
//! and the OS calls (`nl_exec` too, the program running itself). Each prints `ok N - ...` per check and returns the number that failed.
//! The game `gems` prints its steps: its clock is checked here, its pictures in `golden.rs`, as
//! is the picture `gc` draws with TI's drawing API.

use std::path::Path;
use std::process::{Command, Output};

fn emu(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_emu"))
        .args(args)
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join(".."))
        .output()
        .expect("emu starts")
}

/// Runs `roms/ndless/NAME.tns` with `args` and checks it passed all its checks; its output.
fn passes(name: &str, args: &[&str], checks: u32) -> String {
    passes_with(name, &[], args, checks)
}

/// [`passes`], with these options for emu.
fn passes_with(name: &str, options: &[&str], args: &[&str], checks: u32) -> String {
    let rom = format!("roms/ndless/{name}.tns");
    let mut all = vec!["run", "--headless", "--rtc", "1767225600"];
    all.extend(options);
    all.extend([rom.as_str(), "--"]);
    all.extend(args);
    let out = emu(&all);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{name}:\n{stdout}{stderr}");
    assert!(!stdout.contains("not ok"), "{name}:\n{stdout}");
    let last = format!("{name}: {checks} checks, all passed");
    assert!(
        stdout.lines().any(|l| l == last),
        "{name}: no {last:?} in:\n{stdout}"
    );
    stdout
}

#[test]
fn every_relocation_type_is_applied() {
    passes("relocs", &[], 28);
}

#[test]
fn a_compressed_program_is_inflated_and_relocated() {
    passes("compressed", &[], 30);
}

#[test]
fn a_prg_program_is_entered_at_offset_4_and_relocates_itself() {
    passes("prg", &[], 11);
}

#[test]
fn the_entry_state_is_ndless_s() {
    let out = passes("entry", &["one", "two words"], 28);
    for line in ["argc: 3", "argv[1]: one", "argv[2]: two words"] {
        assert!(out.lines().any(|l| l == line), "{line:?} missing:\n{out}");
    }
}

#[test]
fn the_memory_calls_work() {
    passes("memory", &[], 24);
}

#[test]
fn the_string_calls_work() {
    passes("strings", &[], 40);
}

/// TI's String objects and drawing API: every call, checked from inside (the String results
/// against their meaning, the drawing by pixels read back from the graphics context).
#[test]
fn the_ti_string_and_drawing_calls_work() {
    passes("gc", &[], 69);
}

/// A drawing call given something that is not a graphics context ends the run in one line,
/// status 3, as any call given an address the program does not have.
#[test]
fn a_drawing_call_without_a_graphics_context_ends_in_one_line() {
    let dir = std::env::temp_dir().join(format!("emu-ndless-gc-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let program = dir.join("nogc.tns");
    // mov r0, #0x10000000 (the page table, not a context); swi #320 (gui_gc_fillRect).
    let code = [0xE3A0_0201u32, 0xEF00_0140];
    let size = 32 + 4 * code.len() as u32;
    let image: Vec<u8> = [0x6E68_655A, 1, size, 0, 0, 0, size, 0]
        .iter()
        .chain(&code)
        .flat_map(|w: &u32| w.to_le_bytes())
        .collect();
    std::fs::write(&program, &image).unwrap();
    let out = emu(&["run", "--headless", program.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("gui_gc_fillRect (OS call 320)"), "{stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// The program runs itself with `nl_exec`, from its folder as `/documents`: three children (one
/// running a grandchild), each of which checks what it was given.
#[test]
fn nl_exec_runs_a_program_and_returns_its_status() {
    let out = passes_with("exec", &["--documents", "roms/ndless"], &[], 12);
    let children = out
        .lines()
        .filter(|l| *l == "exec child: 5 checks, all passed");
    assert_eq!(children.count(), 3, "{out}");
    assert!(out.contains("exec child: 6 checks, all passed"), "{out}");
}

/// Without `--documents` the program is still in its `/documents`, as on a calculator: it can
/// run itself.
#[test]
fn a_program_finds_itself_in_documents_without_a_folder() {
    passes("exec", &[], 12);
}

/// A program file that is not one is refused in one line; an unknown call ends the run naming
/// it with status 3.
#[test]
fn bad_programs_and_unknown_calls_end_in_one_line() {
    let dir = std::env::temp_dir().join(format!("emu-ndless-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.tns");
    // A Zehn header announcing more than the file holds.
    let mut header: Vec<u8> = [0x6E68_655Au32, 1, 4096, 0, 0, 0, 4096, 0]
        .iter()
        .flat_map(|w| w.to_le_bytes())
        .collect();
    std::fs::write(&bad, &header).unwrap();
    let out = emu(&["run", "--headless", bad.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("bad.tns") && stderr.contains("Zehn"),
        "{stderr}"
    );
    // A program of one instruction: swi #0x123, an OS call nobody answers.
    let unknown = dir.join("unknown.tns");
    header[8..12].copy_from_slice(&36u32.to_le_bytes());
    header[24..28].copy_from_slice(&36u32.to_le_bytes());
    header.extend(0xEF00_0123u32.to_le_bytes());
    std::fs::write(&unknown, &header).unwrap();
    let out = emu(&["run", "--headless", unknown.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("OS call 291"), "{stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// The game `gems` (its pictures are golden.rs's): a finger only touching the pad at an edge
/// is no arrow, pushing it there is; the clock starts at that first step and runs out 30
/// seconds (3000 ticks of timer 2) later; Enter then quits, with the number of gems, 0.
#[test]
fn the_game_times_out_and_enter_quits() {
    let dir = std::env::temp_dir().join(format!("emu-ndless-gems-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let keys = dir.join("gems.keys");
    let script = "10 touch 2300 845\n20 untouch\n30 push 2300 845\n33 untouch\n\
                  1900 press enter\n1902 release enter\n";
    std::fs::write(&keys, script).unwrap();
    let keys = keys.to_str().unwrap();
    let args = ["run", "--headless", "--frames", "2000", "--keys", keys];
    let out = emu(&[&args[..], &["roms/ndless/gems.tns"]].concat());
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stdout}{stderr}");
    let lines = [
        "gems: start, player 7,5, gem 15,3",
        "step right: 8,5",
        "time up: 0 gems",
        "quit: 0 gems",
    ];
    assert_eq!(stdout.lines().collect::<Vec<_>>(), lines, "{stderr}");
    // The step at frame 30 is half a second in: the time is up 30 seconds later, between
    // frames 1820 and 1840 (a tick is 328/32768 s, a frame 1/60 s).
    for (frames, up) in [("1820", false), ("1840", true)] {
        let out = emu(&[
            &args[..3],
            &[frames, "--keys", keys, "roms/ndless/gems.tns"],
        ]
        .concat());
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(
            stdout.contains("time up: 0 gems"),
            up,
            "{frames} frames:\n{stdout}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
