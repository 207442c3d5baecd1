//! Conditional breakpoints and watchpoints, ignore counts, temporary breakpoints and commands,
//! on roms/tests/unwind/unwind.elf. What must stop where follows from the ROM's C source alone:
//! `leaf_arguments` runs the same calls in Rust and lists the arguments leaf() gets (and stores
//! in `sink`), so the test knows how often each value comes.

use std::process::Command;

mod script_support;
use script_support::{root, run_script, script_stdout};

/// The arguments that run the -O2 test ROM.
const UNWIND: &[&str] = &["--semihosting", "roms/tests/unwind/unwind.elf"];

/// The arguments of leaf(), in call order, as roms/tests/unwind/unwind.c and unwind_thumb.c
/// compute them.
fn leaf_arguments() -> Vec<i32> {
    fn leaf(n: i32, log: &mut Vec<i32>) -> i32 {
        log.push(n);
        n * 3
    }
    fn inner(n: i32, log: &mut Vec<i32>) -> i32 {
        let r = leaf(n + 1, log);
        r + leaf(r & 15, log)
    }
    fn middle(n: i32, log: &mut Vec<i32>) -> i32 {
        let x = inner(n, log);
        x * 2 + inner(x & 7, log)
    }
    fn outer(n: i32, log: &mut Vec<i32>) -> i32 {
        let a = middle(n, log);
        a + middle(a & 7, log)
    }
    let mut log = Vec::new();
    for i in 0..3 {
        outer(i, &mut log);
    }
    log
}

#[test]
fn conditions_ignore_counts_temporaries_and_commands() {
    let args = leaf_arguments();
    let fives = args.iter().filter(|&&a| a == 5).count() as u64;
    let threes = args.iter().filter(|&&a| a == 3).count();
    assert!(fives > 4 && threes > 1, "{args:?}");
    let ignored = 3;
    let stops = (fives - ignored) as usize + 1 + threes;
    let script = format!(
        "break leaf if r0 == 5 && mode == svc && !t\n\
         ignore 1 {ignored}\n\
         commands 1\n\
         regs\n\
         end\n\
         tbreak middle\n\
         watch sink if *(u32*)sink == 3\n\
         points\n\
         {}",
        "continue\n".repeat(stops + 1)
    );
    let out = script_stdout(&script, UNWIND);
    // Breakpoint 1 stops at the fives after the ignored ones, counting every five.
    let hits: Vec<u64> = out
        .lines()
        .filter_map(|l| l.strip_prefix("breakpoint 1 at "))
        .filter(|l| l.contains(", hit "))
        .map(|l| {
            let count = l.split(", hit ").nth(1).unwrap();
            count.split(' ').next().unwrap().parse().unwrap()
        })
        .collect();
    assert_eq!(hits, ((ignored + 1)..=fives).collect::<Vec<_>>(), "{out}");
    // Its commands run at each stop, with r0 holding 5.
    assert_eq!(
        out.matches("> regs\nr0  00000005").count(),
        hits.len(),
        "{out}"
    );
    // The temporary breakpoint stops once and is gone.
    assert_eq!(
        out.matches("temporary breakpoint 2 at ").count(),
        2,
        "{out}"
    );
    assert_eq!(out.matches("hit 1 time (deleted)").count(), 1, "{out}");
    // The watchpoint stops on the writes of 3 only.
    assert_eq!(
        out.matches("write at 0x10000004 <sink>; value now 0x00000003")
            .count(),
        threes,
        "{out}"
    );
    assert!(out.contains("the guest exited with status 0\n"), "{out}");
}

#[test]
fn a_condition_that_cannot_be_evaluated_stops_and_says_why() {
    let out = script_stdout(
        "break leaf if [0xfffffff0] == 1\ncontinue\ncondition 1 1 / (r0 - r0)\ncontinue\n",
        UNWIND,
    );
    assert!(out.contains("breakpoint 1 at 0x"), "{out}");
    assert!(
        out.contains("the condition '[0xfffffff0] == 1' failed: "),
        "{out}"
    );
    assert!(
        out.contains("the condition '1 / (r0 - r0)' failed: division by zero"),
        "{out}"
    );
}

#[test]
fn a_bad_condition_is_refused_when_given() {
    let out = run_script("break leaf if r0 === 5\n", UNWIND);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "{stdout}");
    assert!(
        stdout.contains("error: line 1: break: the condition: '=' has no meaning in an expression"),
        "{stdout}"
    );
}

/// At the prompt (`--monitor`), `continue` hands the machine to the front end's own run,
/// which must go on past a breakpoint whose condition is false as the monitor's runs do.
#[test]
fn the_front_ends_run_goes_on_past_a_false_condition() {
    use std::io::Write;
    let fifteens = leaf_arguments().iter().filter(|&&a| a == 15).count();
    let mut child = Command::new(env!("CARGO_BIN_EXE_emu"))
        .args(["run", "--monitor", "--semihosting"])
        .arg("roms/tests/unwind/unwind.elf")
        .current_dir(root())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let input = format!(
        "break leaf if r0 == 15\n{}quit\n",
        "continue\ninfo reg\n".repeat(fifteens)
    );
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert_eq!(stdout.matches("r0  0000000f").count(), fifteens, "{stdout}");
    assert!(
        stdout.contains(&format!("hit {fifteens} times")),
        "{stdout}"
    );
}
