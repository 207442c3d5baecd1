//! Saved states (`--save-state`, `--load-state`, the monitor's `save` and `load`): a run saved
//! and taken up again ends exactly as the same run straight through, to the instruction and
//! the pixel; a file that is not a state, or a state from another machine, is refused with one
//! line.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use emu::loader;
use emu::machine::Machine;
use emu::monitor::Monitor;

fn emu(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_emu"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("emu runs")
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn temp_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("emu-snapshot-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The instruction count `--stats` prints.
fn instructions(out: &Output) -> u64 {
    let stderr = String::from_utf8_lossy(&out.stderr);
    let words: Vec<&str> = stderr.split_whitespace().collect();
    let at = words
        .iter()
        .position(|&w| w == "instructions")
        .expect("--stats line");
    words[at - 1].parse().unwrap()
}

/// The built-in demo saved after 60 frames and taken up again for 60 more draws what 120
/// frames straight through draw, after as many instructions; the key pressed before the save
/// (its count on the LCD) is in the state.
#[test]
fn a_saved_run_goes_on_as_if_never_stopped() {
    let dir = temp_dir();
    let (state, keys) = (dir.join("demo.state"), dir.join("keys.txt"));
    std::fs::write(&keys, "10 press n6\n12 release n6\n").unwrap();
    let (resumed, straight) = (dir.join("resumed.png"), dir.join("straight.png"));
    let common = ["run", "--headless", "--stats"];
    let run = |extra: &[&str]| {
        let out = emu(&[&common[..], extra].concat());
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        out
    };
    // The first half and the whole run press the key; the second half starts from a state
    // where it was pressed.
    let from_power_on = ["--rtc", "1767225600", "--keys", keys.to_str().unwrap()];
    let (state, resumed, straight) = (
        state.to_str().unwrap(),
        resumed.to_str().unwrap(),
        straight.to_str().unwrap(),
    );
    run(&[
        &from_power_on[..],
        &["--frames", "60", "--save-state", state],
    ]
    .concat());
    let second_half = run(&[
        "--frames",
        "60",
        "--load-state",
        state,
        "--screenshot",
        resumed,
    ]);
    let whole = run(&[
        &from_power_on[..],
        &["--frames", "120", "--screenshot", straight],
    ]
    .concat());
    assert_eq!(instructions(&second_half), instructions(&whole));
    assert_eq!(
        std::fs::read(resumed).unwrap(),
        std::fs::read(straight).unwrap()
    );
}

#[test]
fn what_is_not_a_state_of_this_machine_is_refused_in_one_line() {
    let dir = temp_dir();
    let state = dir.join("small.state");
    let out = emu(&[
        "run",
        "--headless",
        "--frames",
        "1",
        "--save-state",
        state.to_str().unwrap(),
    ]);
    assert!(out.status.success());
    let bytes = std::fs::read(&state).unwrap();
    let truncated = dir.join("truncated.state");
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).unwrap();
    // A byte of the CRC-32 in gzip's trailer, so that the data no longer matches it (a byte
    // flipped in the middle of the deflate stream may happen to leave the data as it was: an
    // unused code in a Huffman table, say).
    let mut flipped = bytes.clone();
    let crc = flipped.len() - 8;
    flipped[crc] ^= 0x55;
    let damaged = dir.join("damaged.state");
    std::fs::write(&damaged, flipped).unwrap();
    let not_a_state = root().join("roms/bench/bench.elf");
    // The CX with its SDRAM halved: the same devices, other memory.
    let description = std::fs::read_to_string(root().join("emu/machines/nspire-cx.ron")).unwrap();
    let smaller = description.replacen("0x4000000", "0x2000000", 1);
    assert_ne!(smaller, description, "the SDRAM size is written 0x4000000");
    let other_machine = dir.join("smaller.ron");
    std::fs::write(&other_machine, smaller).unwrap();
    // The same windows, with another clock, and with timer 2 on another interrupt line.
    let slower = description.replacen("cpu_hz: 132000000", "cpu_hz: 66000000", 1);
    let timer_line = "irq: Some(19)";
    let rewired = description.replacen(timer_line, "irq: Some(21)", 1);
    assert!(slower != description && rewired != description);
    let (slower_machine, rewired_machine) = (dir.join("slower.ron"), dir.join("rewired.ron"));
    std::fs::write(&slower_machine, slower).unwrap();
    std::fs::write(&rewired_machine, rewired).unwrap();

    let cases: [(&Path, &[&str], &str); 6] = [
        (&truncated, &[], "not a saved state"),
        (&damaged, &[], "not a saved state"),
        (&not_a_state, &[], "not a saved state"),
        (
            &state,
            &["--machine", other_machine.to_str().unwrap()],
            "another description",
        ),
        (
            &state,
            &["--machine", slower_machine.to_str().unwrap()],
            "whose CPU runs at 132000000 Hz, not 66000000 Hz",
        ),
        (
            &state,
            &["--machine", rewired_machine.to_str().unwrap()],
            "whose timer 2 has line 19, not line 21 as here",
        ),
    ];
    for (path, extra, problem) in cases {
        let mut args = vec!["run", "--headless", "--frames", "1"];
        args.extend(extra);
        args.extend(["--load-state", path.to_str().unwrap()]);
        let out = emu(&args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{path:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{path:?}: {stderr}");
        assert!(stderr.contains(problem), "{path:?}: {stderr}");
    }
}

/// The monitor's `save` and `load`: back at the saved point, with the same registers, and the
/// breakpoint set after the save still there.
#[test]
fn the_monitor_saves_and_goes_back() {
    let image =
        loader::parse(&std::fs::read(root().join("roms/tests/cpu/clz.elf")).unwrap()).unwrap();
    let mut machine = Machine::nspire_cx(0);
    machine.load(&image).unwrap();
    let mut monitor = Monitor::new();
    let mut exec = |machine: &mut Machine, line: &str| monitor.execute(machine, line).unwrap();
    let state = temp_dir().join("monitor.state");
    exec(&mut machine, "step 20");
    let before = exec(&mut machine, "regs");
    let saved = exec(&mut machine, &format!("save {}", state.display()));
    assert!(saved.starts_with("saved the state to "), "{saved}");
    exec(&mut machine, "break 0x894");
    exec(&mut machine, "step 100");
    assert_ne!(exec(&mut machine, "regs"), before);
    let loaded = exec(&mut machine, &format!("load {}", state.display()));
    assert!(loaded.starts_with("loaded the state in "), "{loaded}");
    assert_eq!(exec(&mut machine, "regs"), before);
    assert!(exec(&mut machine, "points").contains("0x00000894"));
}
