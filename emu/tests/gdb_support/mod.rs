//! What the tests that drive a real gdb-multiarch share: the repository's root, the check that
//! gdb-multiarch is there, and `emu run --gdb 0` started with the address it listens on.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStderr, Command, Stdio};

pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Fails the test, saying what to install, without gdb-multiarch (CI installs it).
pub fn require_gdb() {
    assert!(
        Command::new("gdb-multiarch")
            .arg("--version")
            .output()
            .is_ok(),
        "this test drives a real gdb: install gdb-multiarch (apt-get install gdb-multiarch)"
    );
}

/// `emu run --headless --gdb 0 ARGS...`, its stdout piped, and the address the stub listens on
/// (its first line on stderr: "emu: waiting for gdb on 127.0.0.1:PORT"), with the rest of its
/// stderr.
pub fn start_emu(args: &[&std::ffi::OsStr]) -> (Child, String, BufReader<ChildStderr>) {
    let mut emu = Command::new(env!("CARGO_BIN_EXE_emu"))
        .args(["run", "--headless", "--gdb", "0"])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(emu.stderr.take().unwrap());
    let mut line = String::new();
    stderr.read_line(&mut line).unwrap();
    let address = line
        .trim()
        .strip_prefix("emu: waiting for gdb on ")
        .unwrap_or_else(|| panic!("unexpected first line: {line}"))
        .to_string();
    (emu, address, stderr)
}
