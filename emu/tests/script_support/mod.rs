//! What the tests of monitor scripts share: `emu run ARGS... --script FILE` run from the
//! repository's root, FILE holding the commands.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Runs `emu run ARGS... --script FILE` (FILE holding `commands`) from the repository's root.
pub fn run_script(commands: &str, args: &[&str]) -> Output {
    // A file of its own for each script, as tests run at the same time.
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!("emu-scripts-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{}.txt", NEXT.fetch_add(1, Ordering::Relaxed)));
    std::fs::write(&path, commands).unwrap();
    Command::new(env!("CARGO_BIN_EXE_emu"))
        .arg("run")
        .args(args)
        .arg("--script")
        .arg(&path)
        .current_dir(root())
        .output()
        .unwrap()
}

/// What a script prints on stdout, the run having succeeded.
pub fn script_stdout(commands: &str, args: &[&str]) -> String {
    let out = run_script(commands, args);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}
