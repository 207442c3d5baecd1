//! The profiler against a program whose profile is known: roms/tests/profile/profile.elf, hand
//! written in assembly so that each function's instructions and calls can be counted from its
//! source (the counts are in its header comment). Its callgrind file is read back by Valgrind's
//! `callgrind_annotate` (the test fails, saying what to install, without it); the text report
//! and the monitor's `profile` command give the same counts.

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

const ROM: &str = "roms/tests/profile/profile.elf";

/// (function, own instructions, inclusive instructions, times entered), from profile.S.
const KNOWN: [(&str, u64, u64, u64); 7] = [
    ("leaf", 177, 177, 13),
    ("middle", 57, 213, 3),
    ("_reset", 23, 294, 0),
    ("thumb_loop", 23, 33, 1),
    ("thumb_leaf", 10, 10, 5),
    ("_vectors", 2, 4, 2),
    ("_swi", 2, 2, 0),
];

fn emu(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_emu"))
        .current_dir(root())
        .args(args)
        .output()
        .unwrap()
}

/// Runs `rom` headless with semihosting, profiled to `name` in a new folder of the test's own
/// (`tag` names it): the run's output and the profile's path. A test removes the folder when it
/// passes, leaving it to look at when it fails.
fn profiled(tag: &str, name: &str, rom: &str) -> (std::process::Output, PathBuf) {
    let dir = std::env::temp_dir().join(format!("emu-profile-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(name);
    let out = emu(&[
        "run",
        "--headless",
        "--semihosting",
        "--profile",
        file.to_str().unwrap(),
        rom,
    ]);
    (out, file)
}

/// `callgrind_annotate`'s per-function lines: (function, instructions).
fn annotate(file: &Path, inclusive: bool) -> Vec<(String, u64)> {
    let out = Command::new("callgrind_annotate")
        // Every function, however small its share.
        .arg("--threshold=100")
        .arg(format!(
            "--inclusive={}",
            if inclusive { "yes" } else { "no" }
        ))
        .arg(file)
        .output()
        .expect("this test reads the profile with Valgrind's callgrind_annotate: install valgrind");
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    // "177 (60.20%) 177 (60.20%)  ???:leaf [profile.elf]"
    text.lines()
        .filter_map(|line| {
            let (_, function) = line.split_once("???:")?;
            let name = function.split_whitespace().next()?.to_string();
            let count = line
                .split_whitespace()
                .next()?
                .replace(',', "")
                .parse()
                .ok()?;
            Some((name, count))
        })
        .collect()
}

#[test]
fn callgrind_annotate_reads_the_known_profile() {
    let (out, file) = profiled("callgrind", "callgrind.out.profile", ROM);
    assert!(out.status.success(), "{out:?}");
    let own = annotate(&file, false);
    let inclusive = annotate(&file, true);
    for (name, expected_own, expected_inclusive, _) in KNOWN {
        let find = |list: &[(String, u64)]| list.iter().find(|(n, _)| n == name).map(|e| e.1);
        assert_eq!(find(&own), Some(expected_own), "{name}'s own: {own:?}");
        assert_eq!(
            find(&inclusive),
            Some(expected_inclusive),
            "{name}'s inclusive: {inclusive:?}"
        );
    }
    std::fs::remove_dir_all(file.parent().unwrap()).unwrap();
}

/// The text report's line for `name`: own, inclusive, calls.
fn text_line(report: &str, name: &str) -> (u64, u64, u64) {
    let line = report
        .lines()
        .find(|l| l.ends_with(&format!("  {name}")))
        .unwrap_or_else(|| panic!("no line for {name} in:\n{report}"));
    let fields: Vec<&str> = line.split_whitespace().collect();
    // own own% own-cycles inclusive incl% calls name
    let n = |i: usize| fields[i].parse::<u64>().unwrap();
    (n(0), n(3), n(5))
}

/// The cycles a text report's first line gives ("N instructions, C cycles ...").
fn cycles_of(report: &str) -> u64 {
    let words: Vec<&str> = report.split_whitespace().take(4).collect();
    assert_eq!(words.get(3), Some(&"cycles"), "{report}");
    words[2].parse().unwrap()
}

#[test]
fn the_text_report_counts_calls_and_exceptions() {
    let (out, file) = profiled("text", "profile.txt", ROM);
    assert!(out.status.success(), "{out:?}");
    let report = std::fs::read_to_string(&file).unwrap();
    // The cycles are the cycle model's: more than one an instruction, with its branches.
    assert!(report.starts_with("294 instructions, "), "{report}");
    assert!(cycles_of(&report) > 294, "{report}");
    assert!(
        report.contains("exceptions and interrupts: SWI 2\n"),
        "{report}"
    );
    for (name, own, inclusive, calls) in KNOWN {
        assert_eq!(text_line(&report, name), (own, inclusive, calls), "{name}");
    }
    // The hottest addresses: leaf's loop, 12 x 6 + 10 passes.
    assert!(
        report.contains("          82  27.9%  0x0000007c leaf+0x0\n"),
        "{report}"
    );
    std::fs::remove_dir_all(file.parent().unwrap()).unwrap();
}

#[test]
fn the_monitor_profiles_part_of_a_run_and_not_what_it_runs_again() {
    let dir = std::env::temp_dir().join(format!("emu-profile-monitor-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let script = dir.join("script.txt");
    // thumb_loop is at 0x8c (arm-none-eabi-nm): by then middle and leaf are done.
    std::fs::write(
        &script,
        "profile start\nuntil 0x8c\nreverse-step 5\nstep 5\nprofile stop\nprofile show 3\n\
         profile save callgrind.out.part\n",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_emu"))
        .current_dir(&dir)
        .args(["run", "--headless", "--semihosting", "--script"])
        .arg(&script)
        .arg(root().join(ROM))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "{text}");
    // Everything up to thumb_loop's first instruction (_reset's first 18, middle's and
    // leaf's: 252), and again the last five after going back (leaf's last three, _reset's
    // mov and blx), which the run going back did not count.
    let show = text.split("(emu) profile show 3\n").nth(1).unwrap();
    assert!(show.starts_with("257 instructions, "), "{text}");
    assert!(cycles_of(show) > 257, "{text}");
    assert_eq!(text_line(show, "leaf"), (180, 180, 13));
    assert_eq!(text_line(show, "middle"), (57, 213, 3));
    assert!(
        text.contains("profile saved to callgrind.out.part"),
        "{text}"
    );
    let own = annotate(&dir.join("callgrind.out.part"), false);
    assert!(own.contains(&("leaf".to_string(), 180)), "{own:?}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn folded_stacks_follow_the_call_paths() {
    let (out, file) = profiled("folded", "profile.folded", ROM);
    assert!(out.status.success(), "{out:?}");
    // Each path's own instructions, from profile.S: middle's calls of leaf (12 x 13), _reset's
    // (21), thumb_leaf's five (10); the SWI vector's branch and _swi's return, entered from
    // _reset.
    let expected = "_reset 23\n_reset;_vectors 2\n_reset;_vectors;_swi 2\n_reset;leaf 21\n\
                    _reset;middle 57\n_reset;middle;leaf 156\n_reset;thumb_loop 23\n\
                    _reset;thumb_loop;thumb_leaf 10\n";
    assert_eq!(std::fs::read_to_string(&file).unwrap(), expected);
    std::fs::remove_dir_all(file.parent().unwrap()).unwrap();
}

/// roms/tests/profile/irq.elf sleeps between timer interrupts and counts each in its handler,
/// then exits with its count as the status: the profile's IRQ count must be the ROM's own.
#[test]
fn the_interrupts_a_rom_counts_itself_are_the_profiles() {
    let (out, report) = profiled("irq", "irq.txt", "roms/tests/profile/irq.elf");
    let counted = out.status.code().unwrap();
    assert!(counted > 1, "{out:?}");
    let text = std::fs::read_to_string(&report).unwrap();
    assert!(
        text.contains(&format!("exceptions and interrupts: IRQ {counted}\n")),
        "the ROM counted {counted}:\n{text}"
    );
    let _ = std::fs::remove_dir_all(report.parent().unwrap());
}
