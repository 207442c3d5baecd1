//! The monitor's whole command language, one command per line (at most 64 lines), as a
//! `--script` runs it (but going on after a line that fails, as at the prompt): on a small CX
//! holding a ROM with symbols (`small_cx`), with a `reset` that builds it again, and an
//! instruction limit, so that no input runs long. A file a line names (`save`, `load`,
//! `trace`, `profile start` and `profile save`) is put in a folder of the harness's own,
//! emptied before each input, under a name of letters, digits, `.`, `-` and `_` that starts
//! with a letter: no input reads or writes anything else of the host.
#![no_main]

#[path = "small_cx.rs"]
mod small_cx;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use emu::monitor::{Break, Monitor};
use libfuzzer_sys::fuzz_target;

/// The instruction count no run goes past (the ROM runs 212 to its exit). A `reset` starts
/// the count again, so an input's 64 lines run at most 1.3 million instructions.
const LIMIT: u64 = 20_000;

/// The harness's folder for the files lines name.
fn folder() -> &'static Path {
    static FOLDER: OnceLock<PathBuf> = OnceLock::new();
    FOLDER.get_or_init(|| {
        std::env::temp_dir().join(format!("emu-fuzz-monitor-{}", std::process::id()))
    })
}

/// `line` with the file it names, if any, moved into [`folder`].
fn sandboxed(line: &str) -> String {
    let mut words: Vec<String> = line.split_whitespace().map(str::to_string).collect();
    let name = words.first().map(|w| w.to_ascii_lowercase());
    let file = match (name.as_deref(), words.get(1).map(String::as_str)) {
        (Some("trace"), Some("off")) => None,
        (Some("trace" | "save" | "load"), Some(_)) => Some(1),
        (Some("profile"), Some("start" | "save")) => Some(2),
        _ => None,
    };
    if let Some(word) = file.and_then(|i| words.get_mut(i)) {
        let name: String = word
            .chars()
            .map(|c| match c {
                'a'..='z' | 'A'..='Z' | '0'..='9' | '-' | '_' => c,
                _ => '.',
            })
            .collect();
        // No `.` or `..`: a file's name starts with a letter.
        *word = folder().join(format!("f{name}")).display().to_string();
    }
    words.join(" ")
}

fuzz_target!(|bytes: &[u8]| {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return;
    };
    let _ = std::fs::remove_dir_all(folder());
    std::fs::create_dir_all(folder()).expect("the harness's folder");
    let mut machine = small_cx::small_cx().expect("the ROM loads");
    let mut monitor = Monitor::new()
        .with_reset(small_cx::small_cx)
        .with_instruction_limit(Some(LIMIT));
    for line in text.lines().take(64) {
        // As at the interactive prompt, a command that fails leaves the next to run.
        if let Err(Break::Quit | Break::Resume) = monitor.execute(&mut machine, &sandboxed(line)) {
            break;
        }
    }
});
