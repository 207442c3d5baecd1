//! The examples of README.md and roms/README.md, run: every command, session and output the two
//! files show is read from them when the test runs and checked against this build's `emu` (and
//! the tools they name: make and the ARM cross compiler, QEMU, gdb-multiarch, Python), so an
//! example that is added or edited is checked without a change here. README.md's options and
//! keys tables are compared with `emu run --help`, `emu test --help` and `emu keys`.
//!
//! # What the files' blocks mean here
//!
//! - ```` ```sh ````: commands, one a line (`\` continues one; a trailing `# comment` is dropped,
//!   and one saying `status N` gives the exit status expected). A command is expected to exit
//!   with status 0, or 124 if it has `--max-insns`.
//! - ```` ```text ````: the output of the commands just before it: those written inline (in
//!   backquotes) in the prose since the previous block, or else the last command of the `sh` block
//!   right before it. Its lines must appear in that output (emu's stdout; other programs' stdout
//!   and stderr) in order, each run of lines between `...` lines contiguous; `...` within a line
//!   stands for any text, and runs of spaces compare equal. `text status=N` gives the exit
//!   status expected of inline commands. Its first line decides otherwise:
//!   - `(emu) `: a monitor session, for the `--monitor` and `--script FILE` runs of the `sh`
//!     block before it. `--script` gets FILE holding the session's commands and must print the
//!     session, prompts included; `--monitor` gets the commands on stdin and must print the rest.
//!   - `(gdb) `: a gdb session, for the `sh` block before it: its `emu run --gdb PORT` runs in
//!     the background (on a free port), its `gdb-multiarch ... -ex 'target remote :PORT'` in
//!     batch mode with the session's commands (and `kill` to end), and gdb must print the
//!     session's output lines; emu must then end with status 0.
//!   - `$ `: a shell session: the command (with its `\` lines), then what it prints.
//! - ```` ```text usage ````: the command-line synopsis: every subcommand and option it names
//!   must exist (`emu --help`, `emu SUBCOMMAND --help`).
//! - ```` ```text sample ````: lines ROMs print on a fatal exception. Throw-away ROMs built here
//!   produce them on emu (common/crt0.S: an undefined instruction, a load from and a jump to
//!   0x20000000, where nothing is; the kit: a load from 0x20000000, built with
//!   `make -C roms PROJECT=DIR`); the lines must match theirs with every hexadecimal number
//!   masked (the samples come from other ROMs).
//! - a block with `file=PATH` after its language (`c`, `make`, `ron`, `text`): its text is
//!   written to PATH (relative to the repository root; `~/` is the sandbox's HOME) for the
//!   commands after it.
//!
//! Code spans in the prose whose first word is a command (`emu`, `cargo`, `make`,
//! `qemu-system-arm`, `tools/crossrun.sh`, ...: [`PROGRAMS`]) are run too, in their place
//! between the blocks. Any other block fails the test, as does a command listed in [`NOT_RUN`]
//! that the files no longer contain.
//!
//! # How the commands run
//!
//! Through bash, in a sandbox: a temporary directory holding a copy of `roms/` (so that the
//! first-ROM example's `mkdir roms/demos/mine` and the builds change nothing in the tree) and
//! links to the rest of the repository, also HOME (for `~/mine`) and TMPDIR. A command runs in
//! the sandbox's root, or in its `roms/` when its paths are relative to that (the QEMU examples
//! of roms/README.md). `cargo run --release --`, `cargo run --release` and `./target/release/emu`
//! mean this build's `emu` (first on PATH, and EMU for `tools/crossrun.sh`); `/path/to/emu`
//! means the sandbox. Some commands are changed, and these changes are all:
//!
//! - A run that would open a window (`emu`, or `emu run` without `--headless`, `--gdb`,
//!   `--monitor` or `--script`) runs headless, for `--frames 30` unless it gives `--frames` or
//!   `--max-insns`.
//! - A run that would not end, or would take too long here: a Linux boot (`--kernel` without
//!   `--max-insns`) gets `--max-insns 200000000`, status 124, and its first line must begin
//!   `Booting Linux`; a saved state run without a bound (`--load-state`: the README's booted
//!   Linux) gets `poweroff` on stdin, status 125, and must print `reboot: System halted`;
//!   `roms/bench/bench.elf` at its default 1500 iterations (1.7e9 instructions, ~9 s) gets
//!   `--max-insns 50000000`, status 124, and its first line must be `bench: 1500 iterations`.
//! - `--gdb PORT` becomes `--gdb 0` (a free port) and gdb's `:PORT` that port.
//! - `NAME` in a path: the command runs once for every file or directory that fits.
//!
//! A tool that is missing fails the test, saying what to install.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// The first words that make a code span in the prose a command.
const PROGRAMS: &[&str] = &[
    "emu",
    "cargo",
    "./target/release/emu",
    "make",
    "qemu-system-arm",
    "gdb-multiarch",
    "tools/crossrun.sh",
    "python3",
    "bash",
    "apt-get",
    "UPDATE_GOLDEN=1",
];

/// Commands of the two files this test does not run, and why.
const NOT_RUN: &[(&str, &str)] = &[
    (
        "cargo test --workspace",
        "the whole test suite, this test included",
    ),
    (
        "bash .ci/run",
        "CI's script: it installs packages and runs everything",
    ),
    ("apt-get install xvfb xdotool x11-apps", "installs packages"),
    ("cargo install cargo-fuzz", "installs a tool from crates.io"),
    (
        "UPDATE_GOLDEN=1 cargo test -p emu --test screenshot",
        "rewrites the golden pictures; that test is part of the suite",
    ),
    (
        "UPDATE_GOLDEN=1 cargo test -p emu --test golden",
        "rewrites the golden pictures; that test is part of the suite",
    ),
    (
        "cargo test -p emu --test cpu_roms",
        "a test of this suite (cargo in a test would wait for the build directory's lock)",
    ),
    (
        "cargo test -p emu --test device_roms",
        "a test of this suite (cargo in a test would wait for the build directory's lock)",
    ),
    (
        "cargo test --test mmu_roms",
        "a test of this suite (cargo in a test would wait for the build directory's lock)",
    ),
    (
        "emu test",
        "names the subcommand, without the PATHs a command needs (the examples with PATHs run)",
    ),
    (
        "tools/crossrun.sh",
        "every conformance ROM on QEMU and on emu: CI's step (.ci/run); the examples naming ROMs run",
    ),
    (
        "cargo build --release && tools/crossrun.sh",
        "a release build, then every conformance ROM on QEMU and on emu: CI's step (.ci/run)",
    ),
    (
        "make -C roms",
        "rebuilds every image: CI does and checks they are the committed ones; the examples building one ROM run",
    ),
    (
        "make -C roms clean",
        "would remove the images the later examples run",
    ),
    (
        "make -C roms check",
        "`make -C roms`, then every QEMU flavour under QEMU",
    ),
];

/// The tools the examples use, with what to install.
const TOOLS: &[(&str, &str)] = &[
    ("bash", "bash"),
    ("make", "make"),
    (
        "arm-none-eabi-gcc",
        "gcc-arm-none-eabi libnewlib-arm-none-eabi",
    ),
    ("qemu-system-arm", "qemu-system-arm"),
    ("gdb-multiarch", "gdb-multiarch"),
    ("python3", "python3"),
];

/// A bound on every command's time.
const TIMEOUT: Duration = Duration::from_secs(120);

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn emu_help(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_emu"))
        .args(args)
        .env("COLUMNS", "200")
        .output()
        .unwrap();
    assert!(out.status.success(), "emu {args:?}: {}", out.status);
    String::from_utf8_lossy(&out.stdout).into_owned()
}

// ------------------------------------------------------------------------------------ parsing

/// A fenced block or a command written inline, in the order of the file.
#[derive(Debug)]
enum Item {
    Block {
        line: usize,
        lang: String,
        attrs: Vec<String>,
        lines: Vec<String>,
    },
    Inline {
        line: usize,
        /// The paragraph's number in the file.
        paragraph: usize,
        text: String,
    },
}

/// The blocks and the inline code spans that are commands.
fn parse(doc: &str) -> Vec<Item> {
    let mut items = Vec::new();
    let mut paragraph: Vec<(usize, &str)> = Vec::new();
    let mut lines = doc.lines().enumerate();
    while let Some((i, line)) = lines.next() {
        let trimmed = line.trim_start();
        if let Some(info) = trimmed.strip_prefix("```") {
            inline_commands(&paragraph, &mut items);
            paragraph.clear();
            let indent = line.len() - trimmed.len();
            let mut words = info.split_whitespace().map(str::to_string);
            let lang = words.next().unwrap_or_default();
            let attrs = words.collect();
            let mut body = Vec::new();
            for (_, l) in lines.by_ref() {
                if l.trim() == "```" {
                    break;
                }
                let strip = l.len() - l.trim_start().len();
                body.push(l[strip.min(indent)..].to_string());
            }
            items.push(Item::Block {
                line: i + 1,
                lang,
                attrs,
                lines: body,
            });
        } else if line.trim().is_empty() {
            inline_commands(&paragraph, &mut items);
            paragraph.clear();
        } else {
            paragraph.push((i + 1, line));
        }
    }
    inline_commands(&paragraph, &mut items);
    items
}

/// The code spans of a paragraph (which may cross its lines) that begin with a command.
fn inline_commands(paragraph: &[(usize, &str)], items: &mut Vec<Item>) {
    let number = paragraph.first().map_or(0, |&(n, _)| n);
    let mut text = String::new();
    let mut line_of = Vec::new();
    for &(n, l) in paragraph {
        for _ in 0..=l.len() {
            line_of.push(n);
        }
        text.push_str(l);
        text.push('\n');
    }
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'`' {
            i += 1;
            continue;
        }
        let ticks = bytes[i..].iter().take_while(|&&b| b == b'`').count();
        let open = i + ticks;
        let fence = "`".repeat(ticks);
        let mut j = open;
        let mut close = None;
        while let Some(k) = text[j..].find(&fence) {
            let at = j + k;
            let run = bytes[at..].iter().take_while(|&&b| b == b'`').count();
            if run == ticks {
                close = Some(at);
                break;
            }
            j = at + run;
        }
        let Some(close) = close else {
            i = open;
            continue;
        };
        let span = text[open..close].replace('\n', " ");
        let span = span.trim();
        if span
            .split_whitespace()
            .next()
            .is_some_and(|w| PROGRAMS.contains(&w))
        {
            items.push(Item::Inline {
                line: line_of[i],
                paragraph: number,
                text: span.to_string(),
            });
        }
        i = close + ticks;
    }
}

/// The commands of an `sh` block, each with its trailing comment.
fn sh_commands(lines: &[String]) -> Vec<(String, String)> {
    let mut commands = Vec::new();
    let mut current = String::new();
    for line in lines {
        let (code, comment) = split_comment(line);
        if let Some(cont) = code.trim_end().strip_suffix('\\') {
            current.push_str(cont);
            current.push(' ');
            continue;
        }
        current.push_str(code);
        let command = current.split_whitespace().collect::<Vec<_>>().join(" ");
        current.clear();
        if !command.is_empty() {
            commands.push((command, comment.to_string()));
        }
    }
    commands
}

/// A line's code and its `# comment` (a `#` at the start or after a space, outside quotes).
fn split_comment(line: &str) -> (&str, &str) {
    let mut quote = None;
    let mut prev = ' ';
    for (i, c) in line.char_indices() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '\'' || c == '"' => quote = Some(c),
            None if c == '#' && prev.is_whitespace() => return (&line[..i], &line[i + 1..]),
            None => {}
        }
        prev = c;
    }
    (line, "")
}

/// Words as the shell splits them (quotes removed; enough for the examples' options).
fn words(command: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut quote = None;
    let mut any = false;
    for c in command.chars() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => word.push(c),
            None if c == '\'' || c == '"' => {
                quote = Some(c);
                any = true;
            }
            None if c.is_whitespace() => {
                if any || !word.is_empty() {
                    out.push(std::mem::take(&mut word));
                }
                any = false;
            }
            None => word.push(c),
        }
    }
    if any || !word.is_empty() {
        out.push(word);
    }
    out
}

/// `status N` in a comment.
fn status_in(comment: &str) -> Option<i32> {
    let at = comment.find("status ")?;
    let digits: String = comment[at + 7..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

// --------------------------------------------------------------------------------- comparing

fn normalize(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `line` matches `pattern`, where `...` stands for any text.
fn line_matches(pattern: &str, line: &str) -> bool {
    let (p, l) = (normalize(pattern), normalize(line));
    let pieces: Vec<&str> = p.split("...").collect();
    if pieces.len() == 1 {
        return p == l;
    }
    let (first, last) = (pieces[0], pieces[pieces.len() - 1]);
    if !l.starts_with(first) || !l[first.len()..].ends_with(last) {
        return false;
    }
    let mut rest = &l[first.len()..l.len() - last.len()];
    for piece in &pieces[1..pieces.len() - 1] {
        match rest.find(piece) {
            Some(at) => rest = &rest[at + piece.len()..],
            None => return false,
        }
    }
    true
}

/// Checks that `actual` holds `expected`'s segments (split at `...` lines, and at the lines
/// `split_at` says) in order, each contiguous. On failure, says which segment is missing.
fn contains_segments(
    actual: &str,
    expected: &[String],
    split_at: impl Fn(&str) -> bool,
) -> Result<(), String> {
    let actual: Vec<&str> = actual.lines().collect();
    let mut segments: Vec<Vec<&str>> = vec![Vec::new()];
    for line in expected {
        if line.trim() == "..." || split_at(line) {
            segments.push(Vec::new());
        } else {
            segments.last_mut().unwrap().push(line);
        }
    }
    let mut from = 0;
    for segment in segments.iter().filter(|s| !s.is_empty()) {
        let found = (from..=actual.len().saturating_sub(segment.len())).find(|&at| {
            at + segment.len() <= actual.len()
                && segment
                    .iter()
                    .zip(&actual[at..])
                    .all(|(p, l)| line_matches(p, l))
        });
        match found {
            Some(at) => from = at + segment.len(),
            None => {
                return Err(format!(
                    "these lines are missing (in this order, together):\n{}",
                    indent(&segment.join("\n"))
                ))
            }
        }
    }
    Ok(())
}

fn indent(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let shown = if lines.len() > 60 {
        let mut v = lines[..30].to_vec();
        v.push("[...]");
        v.extend(&lines[lines.len() - 25..]);
        v
    } else {
        lines
    };
    shown
        .iter()
        .map(|l| format!("    | {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Hexadecimal numbers masked, spaces normalized.
fn mask_hex(line: &str) -> String {
    let mut out = String::new();
    let mut rest = normalize(line);
    while let Some(at) = rest.find("0x") {
        out.push_str(&rest[..at + 2]);
        out.push('#');
        let tail = &rest[at + 2..];
        let n = tail
            .chars()
            .take_while(char::is_ascii_hexdigit)
            .map(char::len_utf8)
            .sum::<usize>();
        rest = tail[n..].to_string();
    }
    out + &rest
}

// ------------------------------------------------------------------------------ the sandbox

/// What a command did.
#[derive(Clone)]
struct Ran {
    /// The command as run, and where.
    shown: String,
    status: i32,
    stdout: String,
    stderr: String,
}

impl Ran {
    fn report(&self) -> String {
        format!(
            "{}\nexit status {}\nstdout:\n{}\nstderr:\n{}",
            self.shown,
            self.status,
            indent(&self.stdout),
            indent(&self.stderr)
        )
    }
}

/// What the test expects of a command beyond what the files show.
#[derive(Clone, Default)]
struct Expect {
    status: Option<i32>,
    first_line: Option<&'static str>,
    contains: Option<&'static str>,
    stdin: Option<&'static str>,
}

struct Sandbox {
    dir: PathBuf,
    path: String,
    failures: Vec<String>,
    /// Inline commands already run, by their text.
    done: BTreeMap<String, Vec<usize>>,
    results: Vec<(String, Ran, Expect)>,
    ran: usize,
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!(
                "docs: the sandbox is kept for a look: {}",
                self.dir.display()
            );
        } else {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// Copies a directory tree, but for the entries of `from` itself named `skip`.
fn copy_dir(from: &Path, to: &Path, skip: &str) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        if entry.file_name() == skip {
            continue;
        }
        let (src, dst) = (entry.path(), to.join(entry.file_name()));
        let kind = entry.file_type().unwrap();
        if kind.is_dir() {
            copy_dir(&src, &dst, "");
        } else if kind.is_symlink() {
            std::os::unix::fs::symlink(std::fs::read_link(&src).unwrap(), &dst).unwrap();
        } else {
            std::fs::copy(&src, &dst).unwrap();
        }
    }
}

impl Sandbox {
    fn new(name: &str) -> Sandbox {
        for (tool, package) in TOOLS {
            let found = std::env::var_os("PATH").is_some_and(|path| {
                std::env::split_paths(&path).any(|dir| dir.join(tool).is_file())
            });
            assert!(
                found,
                "the README's examples need {tool}: install it (apt-get install {package})"
            );
        }
        let dir = std::env::temp_dir().join(format!("emu-docs-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join(".bin")).unwrap();
        std::fs::create_dir_all(dir.join("tmp")).unwrap();
        let root = root();
        for entry in std::fs::read_dir(&root).unwrap() {
            let name = entry.unwrap().file_name();
            let name_str = name.to_string_lossy();
            if name_str == "roms" {
                // Without roms/build, the objects of the tree's own builds.
                copy_dir(&root.join("roms"), &dir.join("roms"), "build");
            } else if !matches!(&*name_str, ".git" | "target" | ".bin" | "tmp") {
                std::os::unix::fs::symlink(root.join(&name), dir.join(&name)).unwrap();
            }
        }
        std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_emu"), dir.join(".bin/emu")).unwrap();
        let path = format!(
            "{}:{}",
            dir.join(".bin").display(),
            std::env::var("PATH").unwrap_or_default()
        );
        Sandbox {
            dir,
            path,
            failures: Vec::new(),
            done: BTreeMap::new(),
            results: Vec::new(),
            ran: 0,
        }
    }

    fn fail(&mut self, at: &str, message: String) {
        self.failures.push(format!("{at}: {message}"));
    }

    fn finish(self, doc: &str) {
        eprintln!("docs: {doc}: {} commands run", self.ran);
        if !self.failures.is_empty() {
            panic!(
                "{} of {doc}'s examples failed:\n\n{}",
                self.failures.len(),
                self.failures.join("\n\n")
            );
        }
    }

    /// A bash process for `script` in `cwd`, with the sandbox's environment.
    fn bash(&self, script: &str, cwd: &Path) -> Command {
        let mut command = Command::new("bash");
        command
            .arg("-c")
            .arg(script)
            .current_dir(cwd)
            .env("PATH", &self.path)
            .env("HOME", &self.dir)
            .env("TMPDIR", self.dir.join("tmp"))
            .env("EMU", env!("CARGO_BIN_EXE_emu"))
            .env_remove("DISPLAY")
            .env_remove("WAYLAND_DISPLAY")
            .env_remove("RUST_LOG")
            .env_remove("MAKEFLAGS")
            .env_remove("MFLAGS")
            .process_group(0);
        command
    }

    /// Runs `script` under bash, with `stdin`, within the time bound.
    fn run_script(&mut self, script: &str, cwd: &Path, stdin: Option<&str>) -> Ran {
        self.ran += 1;
        let shown = format!("$ (cd {}; {script})", cwd.display());
        let mut child = self
            .bash(script, cwd)
            .stdin(if stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("bash starts");
        if let Some(text) = stdin {
            let mut pipe = child.stdin.take().unwrap();
            let _ = pipe.write_all(text.as_bytes());
        }
        let started = std::time::Instant::now();
        let (status, stdout, stderr) = wait_bounded(child);
        eprintln!(
            "docs: {shown}: status {status}, {:.1} s",
            started.elapsed().as_secs_f64()
        );
        Ran {
            shown,
            status,
            stdout,
            stderr,
        }
    }

    /// Where a command runs: the root, or roms/ when its paths are relative to that.
    fn cwd_for(&self, command: &str) -> PathBuf {
        let mut in_roms = false;
        let words = words(command);
        if words.iter().any(|w| w == "-C") {
            return self.dir.clone();
        }
        for w in &words {
            let w = w.trim_end_matches([';', '&', '|', ')']);
            if !w.contains('/') || w.starts_with(['-', '/', '~', '$']) || w.contains('$') {
                continue;
            }
            if self.dir.join(w).exists() {
                return self.dir.clone();
            }
            in_roms |= self.dir.join("roms").join(w).exists();
        }
        if in_roms {
            self.dir.join("roms")
        } else {
            self.dir.clone()
        }
    }

    /// The command with the files' shorthands for this build's emulator replaced, and
    /// `/path/to/emu` made the sandbox.
    fn mapped(&self, command: &str) -> String {
        let mut c = command.trim().to_string();
        for prefix in ["cargo run --release --", "./target/release/emu"] {
            if let Some(rest) = c.strip_prefix(prefix) {
                c = format!("emu{rest}");
            }
        }
        if c == "cargo run --release" {
            c = "emu".into();
        }
        c.replace("/path/to/emu", &self.dir.display().to_string())
    }

    /// The commands `NAME` stands for: one for every file or directory that fits.
    fn expand(&self, command: &str) -> Vec<String> {
        let Some(word) = words(command)
            .into_iter()
            .find(|w| w.contains("NAME") && w.contains('/'))
        else {
            return vec![command.to_string()];
        };
        let parts: Vec<&str> = word.split('/').collect();
        let at = parts.iter().position(|p| p.contains("NAME")).unwrap();
        let (before, after) = parts[at].split_once("NAME").unwrap();
        let mut names = BTreeSet::new();
        for base in [self.dir.clone(), self.dir.join("roms")] {
            let dir = base.join(parts[..at].join("/"));
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            for e in entries {
                let file = e.unwrap().file_name().to_string_lossy().into_owned();
                if let Some(name) = file
                    .strip_prefix(before)
                    .and_then(|f| f.strip_suffix(after))
                {
                    let path = word.replace("NAME", name);
                    if base.join(&path).exists() && !name.is_empty() {
                        names.insert(name.to_string());
                    }
                }
            }
        }
        names.iter().map(|n| command.replace("NAME", n)).collect()
    }

    /// Runs one command of the files (after [`Self::mapped`]), with the changes of the module's
    /// comment; returns what it did and what is expected of it beyond the files.
    fn run_command(&mut self, command: &str, stdin: Option<&str>) -> (Ran, Expect) {
        let w = words(command);
        let mut expect = Expect::default();
        let mut script = command.to_string();
        if w[0] == "emu" {
            if w.len() == 1 {
                script = "emu run".into();
            }
            let w = words(&script);
            if w[1] == "run" {
                let has = |flag: &str| w.iter().any(|x| x == flag);
                let mut add = String::new();
                if !["--headless", "--gdb", "--monitor", "--script"]
                    .iter()
                    .any(|f| has(f))
                {
                    add += " --headless";
                    if !has("--frames") && !has("--max-insns") {
                        add += " --frames 30";
                    }
                }
                if has("--kernel") && !has("--max-insns") {
                    add += " --max-insns 200000000";
                    expect.status = Some(124);
                    expect.first_line = Some("Booting Linux");
                }
                if has("--load-state") && !has("--max-insns") && !has("--frames") {
                    expect.stdin = Some("poweroff\n");
                    expect.status = Some(125);
                    expect.contains = Some("reboot: System halted");
                }
                if has("roms/bench/bench.elf") && !has("--") && !has("--max-insns") {
                    add += " --max-insns 50000000";
                    expect.status = Some(124);
                    expect.first_line = Some("bench: 1500 iterations");
                }
                script = format!("emu run{add}{}", &script["emu run".len()..]);
            }
        } else {
            // Other programs' stderr is output too (QEMU prints semihosting text there).
            script = format!("{{ {script}\n}} 2>&1");
        }
        let cwd = self.cwd_for(command);
        let ran = self.run_script(&script, &cwd, stdin.or(expect.stdin));
        (ran, expect)
    }

    /// Checks a command's status (`status`, else the expectation's, else 124 for
    /// `--max-insns`, else 0) and the expectation's lines.
    fn check(&mut self, at: &str, command: &str, ran: &Ran, expect: &Expect, status: Option<i32>) {
        let want = expect.status.or(status).unwrap_or(
            if words(command).iter().any(|w| w == "--max-insns") {
                124
            } else {
                0
            },
        );
        if ran.status != want {
            self.fail(
                at,
                format!("exit status {}, not {want}:\n{}", ran.status, ran.report()),
            );
            return;
        }
        if let Some(first) = expect.first_line {
            let line = ran.stdout.lines().find(|l| !l.trim().is_empty());
            if !line.is_some_and(|l| l.starts_with(first)) {
                self.fail(
                    at,
                    format!("the first line should begin {first:?}:\n{}", ran.report()),
                );
            }
        }
        if let Some(text) = expect.contains {
            if !ran.stdout.contains(text) {
                self.fail(at, format!("{text:?} is missing:\n{}", ran.report()));
            }
        }
    }

    fn check_output(&mut self, at: &str, ran: &Ran, expected: &[String], split: fn(&str) -> bool) {
        if let Err(e) = contains_segments(&ran.stdout, expected, split) {
            self.fail(at, format!("{e}\nin the output of:\n{}", ran.report()));
        }
    }
}

/// Waits for `child` within [`TIMEOUT`] (killing its process group after it); its status and
/// output.
fn wait_bounded(child: Child) -> (i32, String, String) {
    let pid = child.id();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    match rx.recv_timeout(TIMEOUT) {
        Ok(Ok(out)) => (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        ),
        Ok(Err(e)) => (-1, String::new(), format!("wait: {e}")),
        Err(_) => {
            let _ = Command::new("kill")
                .arg("-KILL")
                .arg(format!("-{pid}"))
                .status();
            let _ = rx.recv_timeout(Duration::from_secs(5));
            (-1, String::new(), format!("killed after {TIMEOUT:?}"))
        }
    }
}

fn not_run_reason(command: &str) -> Option<&'static str> {
    NOT_RUN
        .iter()
        .find(|(c, _)| normalize(c) == normalize(command))
        .map(|(_, why)| *why)
}

fn is_prompt(line: &str) -> bool {
    line.starts_with("(emu) ") || line.starts_with("(gdb) ")
}

/// Quoted for bash.
fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

// ------------------------------------------------------------------------------- the walk

/// Runs every example of `doc` (a path relative to the repository root).
fn run_doc(doc: &str) {
    let text = std::fs::read_to_string(root().join(doc)).unwrap();
    let items = parse(&text);
    let mut sb = Sandbox::new(&doc.replace('/', "-"));
    // Inline commands since the last block: where, their paragraph, their results.
    let mut inline: Vec<(String, usize, Vec<usize>)> = Vec::new();
    // The last command of the sh block just before, if the last block was one.
    let mut last_sh: Option<usize> = None;
    let mut skip_next_block = false;

    for (n, item) in items.iter().enumerate() {
        match item {
            Item::Inline {
                line,
                paragraph,
                text,
            } => {
                let at = format!("{doc}:{line}");
                if not_run_reason(text).is_some() {
                    continue;
                }
                let command = sb.mapped(text);
                if let Some(done) = sb.done.get(&command) {
                    inline.push((at, *paragraph, done.clone()));
                    continue;
                }
                let mut ids = Vec::new();
                for c in sb.expand(&command) {
                    let (ran, expect) = sb.run_command(&c, None);
                    sb.results.push((c, ran, expect));
                    ids.push(sb.results.len() - 1);
                }
                if ids.is_empty() {
                    sb.fail(&at, format!("`{text}`: NAME stands for nothing here"));
                }
                sb.done.insert(command, ids.clone());
                inline.push((at, *paragraph, ids));
            }
            Item::Block {
                line,
                lang,
                attrs,
                lines,
            } => {
                let at = format!("{doc}:{line}");
                if std::mem::take(&mut skip_next_block) {
                    continue;
                }
                let status_attr = attrs
                    .iter()
                    .find_map(|a| a.strip_prefix("status="))
                    .map(|s| s.parse::<i32>().expect("status=N"));
                let file_attr = attrs.iter().find_map(|a| a.strip_prefix("file="));
                let first = lines.first().map(String::as_str).unwrap_or("");
                let is_output = lang == "text"
                    && attrs.iter().all(|a| a.starts_with("status="))
                    && !is_prompt(first)
                    && !first.starts_with("$ ");

                // Inline commands before this block: those of the last paragraph that has any are
                // checked against it if it is output, the others for their exit status alone.
                let pending = std::mem::take(&mut inline);
                let output_of = pending.last().filter(|_| is_output).map(|p| p.1);
                for (cat, paragraph, ids) in &pending {
                    let ours = output_of == Some(*paragraph);
                    for &id in ids {
                        let (c, ran, expect) = sb.results[id].clone();
                        sb.check(cat, &c, &ran, &expect, status_attr.filter(|_| ours));
                        if ours {
                            let at = format!("{at} (output of {cat})");
                            sb.check_output(&at, &ran, lines, |_| false);
                        }
                    }
                }
                if output_of.is_some() {
                    last_sh = None;
                    continue;
                }

                if let Some(path) = file_attr {
                    let path = match path.strip_prefix("~/") {
                        Some(rest) => sb.dir.join(rest),
                        None => sb.dir.join(path),
                    };
                    let mut body = lines.join("\n");
                    body.push('\n');
                    let body = body.replace("/path/to/emu", &sb.dir.display().to_string());
                    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                    std::fs::write(&path, body).unwrap();
                    last_sh = None;
                    continue;
                }
                match (lang.as_str(), attrs.first().map(String::as_str)) {
                    ("sh", None) => {
                        // A session right after the block is for its commands.
                        let next = items[n + 1..].iter().find_map(|i| match i {
                            Item::Block { lines, .. } => Some(lines),
                            Item::Inline { .. } => None,
                        });
                        let session = next.filter(|l| l.first().is_some_and(|f| is_prompt(f)));
                        match session {
                            Some(session) => {
                                skip_next_block = true;
                                last_sh = None;
                                if session[0].starts_with("(emu) ") {
                                    monitor_session(&mut sb, &at, lines, session);
                                } else {
                                    gdb_session(&mut sb, &at, lines, session);
                                }
                            }
                            None => last_sh = sh_block(&mut sb, &at, lines),
                        }
                    }
                    ("text", None) if first.starts_with("$ ") => {
                        shell_session(&mut sb, &at, lines);
                        last_sh = None;
                    }
                    ("text", None) if is_prompt(first) => {
                        sb.fail(&at, "a session with no commands before it".into());
                    }
                    ("text", _) if is_output => match last_sh.take() {
                        Some(id) => {
                            let ran = sb.results[id].1.clone();
                            sb.check_output(&at, &ran, lines, |_| false);
                        }
                        None => sb.fail(&at, "output with no command before it".into()),
                    },
                    ("text", Some("usage")) => {
                        usage(&mut sb, &at, lines);
                        last_sh = None;
                    }
                    ("text", Some("sample")) => {
                        samples(&mut sb, &at, lines);
                        last_sh = None;
                    }
                    _ => {
                        sb.fail(
                            &at,
                            format!("a block this test does not know: ```{lang} {attrs:?}"),
                        );
                    }
                }
            }
        }
    }
    for (cat, _, ids) in std::mem::take(&mut inline) {
        for id in ids {
            let (c, ran, expect) = sb.results[id].clone();
            sb.check(&cat, &c, &ran, &expect, None);
        }
    }
    sb.finish(doc);
}

/// Runs an `sh` block's commands; the result index of the last one run.
fn sh_block(sb: &mut Sandbox, at: &str, lines: &[String]) -> Option<usize> {
    let mut last = None;
    for (command, comment) in sh_commands(lines) {
        if not_run_reason(&command).is_some() {
            last = None;
            continue;
        }
        let mapped = sb.mapped(&command);
        if words(&mapped).iter().any(|w| w == "--gdb") {
            sb.fail(
                at,
                format!("`{command}`: --gdb with no (gdb) session after it"),
            );
            continue;
        }
        for c in sb.expand(&mapped) {
            let (ran, expect) = sb.run_command(&c, None);
            sb.check(at, &c, &ran, &expect, status_in(&comment));
            sb.results.push((c, ran, expect));
            last = Some(sb.results.len() - 1);
        }
    }
    last
}

/// An `sh` block of `--monitor` and `--script FILE` runs, and the session they show.
fn monitor_session(sb: &mut Sandbox, at: &str, lines: &[String], session: &[String]) {
    let commands: String = session
        .iter()
        .filter_map(|l| l.strip_prefix("(emu) "))
        .map(|c| format!("{c}\n"))
        .collect();
    for (command, comment) in sh_commands(lines) {
        let mapped = sb.mapped(&command);
        let w = words(&mapped);
        if let Some(i) = w.iter().position(|x| x == "--script") {
            let file = sb.cwd_for(&mapped).join(&w[i + 1]);
            std::fs::write(file, &commands).unwrap();
            let (ran, expect) = sb.run_command(&mapped, None);
            sb.check(at, &mapped, &ran, &expect, status_in(&comment));
            sb.check_output(at, &ran, session, |_| false);
        } else if w.iter().any(|x| x == "--monitor") {
            let (ran, expect) = sb.run_command(&mapped, Some(&commands));
            sb.check(at, &mapped, &ran, &expect, status_in(&comment));
            sb.check_output(at, &ran, session, is_prompt);
        } else {
            let (ran, expect) = sb.run_command(&mapped, None);
            sb.check(at, &mapped, &ran, &expect, status_in(&comment));
        }
    }
}

/// An `sh` block with `emu run --gdb PORT` and `gdb-multiarch ... :PORT`, and the session.
fn gdb_session(sb: &mut Sandbox, at: &str, lines: &[String], session: &[String]) {
    let mut emu: Option<(Child, String, String)> = None;
    for (command, comment) in sh_commands(lines) {
        let mapped = sb.mapped(&command);
        let w = words(&mapped);
        if let Some(i) = w.iter().position(|x| x == "--gdb") {
            let port = w[i + 1].clone();
            let script = mapped.replacen(&format!("--gdb {port}"), "--gdb 0", 1);
            let cwd = sb.cwd_for(&mapped);
            sb.ran += 1;
            let mut child = sb
                .bash(&format!("exec {script}"), &cwd)
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap();
            // "emu: waiting for gdb on 127.0.0.1:PORT"
            let mut stderr = BufReader::new(child.stderr.take().unwrap());
            let mut first = String::new();
            stderr.read_line(&mut first).unwrap();
            let Some(address) = first.trim().strip_prefix("emu: waiting for gdb on ") else {
                let _ = child.kill();
                let _ = child.wait();
                sb.fail(at, format!("`{script}` said {first:?}"));
                return;
            };
            let listening = address.rsplit(':').next().unwrap().to_string();
            std::thread::spawn(move || {
                let _ = std::io::copy(&mut stderr, &mut std::io::sink());
            });
            emu = Some((child, port, listening));
        } else if w[0] == "gdb-multiarch" {
            let Some((_, port, listening)) = &emu else {
                sb.fail(at, "gdb-multiarch with no `emu run --gdb` before it".into());
                return;
            };
            let mut script = mapped
                .replacen("gdb-multiarch", "gdb-multiarch -nx -batch", 1)
                .replace(&format!(":{port}"), &format!(":{listening}"));
            for c in session.iter().filter_map(|l| l.strip_prefix("(gdb) ")) {
                script += &format!(" -ex {}", quote(c));
            }
            script += " -ex kill";
            let cwd = sb.cwd_for(&mapped);
            let ran = sb.run_script(&format!("{{ {script}\n}} 2>&1"), &cwd, None);
            sb.check(at, &mapped, &ran, &Expect::default(), status_in(&comment));
            sb.check_output(at, &ran, session, is_prompt);
        } else {
            let (ran, expect) = sb.run_command(&mapped, None);
            sb.check(at, &mapped, &ran, &expect, status_in(&comment));
        }
    }
    let Some((mut child, _, _)) = emu else {
        sb.fail(at, "a gdb session with no `emu run --gdb`".into());
        return;
    };
    let mut stdout = child.stdout.take().unwrap();
    let (status, _, _) = wait_bounded(child);
    let mut out = String::new();
    let _ = stdout.read_to_string(&mut out);
    if status != 0 {
        sb.fail(
            at,
            format!("emu under gdb ended with status {status}, not 0:\n{out}"),
        );
    }
}

/// A `$ COMMAND` block: the command, then its output.
fn shell_session(sb: &mut Sandbox, at: &str, lines: &[String]) {
    let mut command = lines[0][2..].to_string();
    let mut rest = 1;
    while command.trim_end().ends_with('\\') && rest < lines.len() {
        command.push('\n');
        command.push_str(&lines[rest]);
        rest += 1;
    }
    let cwd = sb.cwd_for(&command.replace("\\\n", " "));
    let ran = sb.run_script(&format!("{{ {command}\n}} 2>&1"), &cwd, None);
    sb.check(at, &command, &ran, &Expect::default(), None);
    sb.check_output(at, &ran, &lines[rest..], |_| false);
}

/// The synopsis: its subcommands and options exist.
fn usage(sb: &mut Sandbox, at: &str, lines: &[String]) {
    let top = emu_help(&["--help"]);
    let commands: BTreeSet<String> = top
        .lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .collect();
    for line in lines.iter().filter(|l| l.starts_with("emu")) {
        let tokens: Vec<&str> = line.split_whitespace().collect();
        let mut help = top.clone();
        for (i, t) in tokens.iter().enumerate() {
            let t = t.trim_matches(|c| c == '[' || c == ']' || c == ',');
            if t == "emu" {
                help = top.clone();
                if let Some(sub) = tokens.get(i + 1).filter(|s| !s.starts_with(['-', '['])) {
                    if !commands.contains(*sub) {
                        sb.fail(at, format!("`emu {sub}` is no subcommand ({line})"));
                    } else {
                        help = emu_help(&[sub, "--help"]);
                    }
                }
            } else if t.starts_with("--") && t.len() > 2 && !help.contains(t) {
                sb.fail(
                    at,
                    format!("{t} is not in the --help it belongs to ({line})"),
                );
            }
        }
    }
}

/// Fatal-exception lines: the throw-away ROMs of the module's comment print them.
fn samples(sb: &mut Sandbox, at: &str, lines: &[String]) {
    let mut produced = Vec::new();
    let dir = sb.dir.clone();
    if lines.iter().any(|l| l.starts_with("*** crt0:")) {
        let source = "#include \"sh.h\"\nint main(void)\n{\n#if KIND == 0\n    \
                      __asm__ volatile(\".word 0xe7f000f0\");\n#elif KIND == 1\n    \
                      return *(volatile int *)0x20000000;\n#else\n    \
                      ((void (*)(void))0x20000000)();\n#endif\n    return 0;\n}\n";
        std::fs::write(dir.join("tmp/fault.c"), source).unwrap();
        for kind in 0..3 {
            let build = format!(
                "arm-none-eabi-gcc -mcpu=arm926ej-s -mfloat-abi=soft -O2 -ffreestanding \
                 -nostdlib -nostartfiles -Wl,-n -Wl,--use-blx -Iroms/common -Lroms/common \
                 -T rom.ld roms/common/crt0.S roms/common/sh.c roms/common/string.c \
                 tmp/fault.c -lgcc -DKIND={kind} -o tmp/fault{kind}.elf 2>&1 && \
                 emu run --headless --semihosting tmp/fault{kind}.elf"
            );
            let ran = sb.run_script(&build, &dir, None);
            if ran.status != 1 {
                sb.fail(at, format!("a crt0 ROM should exit 1:\n{}", ran.report()));
            }
            produced.extend(ran.stdout.lines().map(mask_hex));
        }
    }
    if lines.iter().any(|l| l.starts_with("*** kit:")) {
        let project = dir.join("tmp/kitfault");
        std::fs::create_dir_all(&project).unwrap();
        std::fs::write(
            project.join("kitfault.c"),
            "#include \"kit.h\"\nint main(void)\n{\n    return *(volatile int *)0x20000000;\n}\n",
        )
        .unwrap();
        let build = format!(
            "make -s -C roms PROJECT={} 2>&1 && emu run --headless --semihosting {}",
            project.display(),
            project.join("kitfault.bin").display()
        );
        let ran = sb.run_script(&build, &dir, None);
        if ran.status != 1 {
            sb.fail(at, format!("a kit ROM should exit 1:\n{}", ran.report()));
        }
        produced.extend(ran.stdout.lines().map(mask_hex));
    }
    for line in lines {
        if !produced.contains(&mask_hex(line)) {
            sb.fail(
                at,
                format!(
                    "no throw-away ROM prints a line like {line:?}; they print:\n{}",
                    indent(&produced.join("\n"))
                ),
            );
        }
    }
}

// ---------------------------------------------------------------------------------- tests

#[test]
fn readme_examples_run() {
    run_doc("README.md");
}

#[test]
fn roms_readme_examples_run() {
    run_doc("roms/README.md");
}

#[test]
fn every_command_left_out_is_in_the_files() {
    let text = std::fs::read_to_string(root().join("README.md")).unwrap()
        + &std::fs::read_to_string(root().join("roms/README.md")).unwrap();
    let mut commands = BTreeSet::new();
    for item in parse(&text) {
        match item {
            Item::Inline { text, .. } => {
                commands.insert(normalize(&text));
            }
            Item::Block { lang, lines, .. } if lang == "sh" => {
                for (c, _) in sh_commands(&lines) {
                    commands.insert(normalize(&c));
                }
            }
            Item::Block { .. } => {}
        }
    }
    for (command, _) in NOT_RUN {
        assert!(
            commands.contains(&normalize(command)),
            "NOT_RUN lists `{command}`, which the READMEs no longer show: remove it"
        );
    }
}

/// The cells of the table that follows the line `heading` in `doc`: rows of cells.
fn table_after(doc: &str, heading: &str) -> Vec<Vec<String>> {
    let lines: Vec<&str> = doc.lines().collect();
    let start = lines
        .iter()
        .position(|l| l.contains(heading))
        .unwrap_or_else(|| panic!("README.md has no {heading:?}"));
    // The heading is a line before the table or its header row.
    lines[start..]
        .iter()
        .skip_while(|l| !l.starts_with('|'))
        .take_while(|l| l.starts_with('|'))
        .skip(2)
        .map(|row| {
            // Cells split at `|` outside code spans (a span opened by N backquotes closes with N).
            let mut cells = Vec::new();
            let mut cell = String::new();
            let mut code: Option<usize> = None;
            let chars: Vec<char> = row.trim().trim_matches('|').chars().collect();
            let mut i = 0;
            while i < chars.len() {
                let c = chars[i];
                if c == '`' {
                    let run = chars[i..].iter().take_while(|&&c| c == '`').count();
                    code = match code {
                        None => Some(run),
                        Some(n) if n == run => None,
                        open => open,
                    };
                    cell.extend(&chars[i..i + run]);
                    i += run;
                    continue;
                }
                if c == '|' && code.is_none() && (i == 0 || chars[i - 1] != '\\') {
                    cells.push(std::mem::take(&mut cell));
                } else {
                    cell.push(c);
                }
                i += 1;
            }
            cells.push(cell);
            cells
        })
        .collect()
}

/// The code spans of a cell, with `X`-`Y` ranges (`aa`-`az`) spelled out.
fn spans(cell: &str) -> Vec<String> {
    let parts: Vec<&str> = cell.split('`').collect();
    let mut out: Vec<String> = Vec::new();
    let mut i = 1;
    while i < parts.len() {
        let span = parts[i];
        if parts.get(i + 1) == Some(&"-") && i + 2 < parts.len() {
            let end = parts[i + 2];
            let (a, b) = (span.chars().last().unwrap(), end.chars().last().unwrap());
            let prefix = &span[..span.len() - 1];
            for c in a..=b {
                out.push(format!("{prefix}{c}"));
            }
            i += 4;
        } else {
            out.push(span.to_string());
            i += 2;
        }
    }
    out
}

/// The options README.md's table after `heading` names are those `emu COMMAND --help` lists.
fn options_table_is_help(command: &str) {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let heading = format!("Options of `emu {command}`:");
    let table: BTreeSet<String> = table_after(&readme, &heading)
        .iter()
        .flat_map(|row| spans(&row[0]))
        .flat_map(|span| {
            span.split([' ', ','])
                .filter(|w| w.starts_with("--") && w.len() > 2)
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .collect();
    let help: BTreeSet<String> = emu_help(&[command, "--help"])
        .lines()
        .filter_map(|l| {
            let l = l.trim_start();
            let l = l.strip_prefix("-h, ").unwrap_or(l);
            l.starts_with("--")
                .then(|| l.split([' ', '=']).next().unwrap().to_string())
        })
        .filter(|o| o != "--help")
        .collect();
    let missing: Vec<_> = help.difference(&table).collect();
    let unknown: Vec<_> = table.difference(&help).collect();
    assert!(
        missing.is_empty() && unknown.is_empty(),
        "README.md's table {heading:?}: missing {missing:?}, not options of `emu {command}` \
         {unknown:?}"
    );
}

#[test]
fn options_table_is_emu_run_help() {
    options_table_is_help("run");
}

#[test]
fn options_table_is_emu_test_help() {
    options_table_is_help("test");
}

#[test]
fn keys_tables_are_emu_keys() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let keys = emu_help(&["keys"]);
    let mut sections = keys.split("\n\n");
    let cx: BTreeSet<String> = sections
        .next()
        .unwrap()
        .lines()
        .skip(1)
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .collect();
    let emulator: BTreeSet<String> = keys
        .lines()
        .skip_while(|l| !l.starts_with("Emulator keys"))
        .skip(1)
        .take_while(|l| !l.is_empty())
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .collect();
    let table_cx: BTreeSet<String> = table_after(&readme, "| host keys | CX keys |")
        .iter()
        .flat_map(|row| spans(&row[1]))
        .flat_map(|s| s.split_whitespace().map(str::to_string).collect::<Vec<_>>())
        .collect();
    let table_emulator: BTreeSet<String> = table_after(&readme, "Keys of the emulator:")
        .iter()
        .flat_map(|row| {
            row[0]
                .split([',', ' '])
                .map(|w| w.trim_matches('`'))
                .filter(|w| {
                    let key = w.strip_prefix("Ctrl+").unwrap_or(w);
                    w.starts_with("Ctrl+")
                        || key.starts_with('F') && key[1..].parse::<u32>().is_ok()
                })
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .collect();
    assert!(cx.len() > 60 && emulator.len() > 4, "emu keys:\n{keys}");
    assert_eq!(
        table_cx, cx,
        "README.md's keypad table and `emu keys` name different keys"
    );
    assert_eq!(
        table_emulator, emulator,
        "README.md's table of the emulator's keys and `emu keys` differ"
    );
}

/// README.md's table of the gamepad's defaults says what `emu keys` prints with no settings:
/// each button of it once, and the CX keys of each row in order (the d-pad's those of the arrow
/// keys, Ndless then ROMs; `nothing`, none).
#[test]
fn gamepad_table_is_emu_keys() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let keys = emu_help(&["keys"]);
    let printed: BTreeMap<String, String> = keys
        .lines()
        .skip_while(|l| !l.starts_with("Gamepad button"))
        .skip(1)
        .take_while(|l| !l.is_empty())
        .filter_map(|l| l.split_once(' '))
        .map(|(button, key)| (button.to_string(), key.trim().to_string()))
        .collect();
    let mut documented = BTreeMap::new();
    for row in table_after(&readme, "| gamepad buttons | CX keys |") {
        let (buttons, cx, said) = (spans(&row[0]), spans(&row[1]), row[1].trim());
        for (i, button) in buttons.iter().enumerate() {
            let key = match cx.get(i) {
                Some(key) if cx.len() == buttons.len() => key.clone(),
                _ if said == "nothing" => "none".to_string(),
                // The d-pad: as the arrow keys, which differ for Ndless programs and ROMs.
                _ => printed
                    .get(button)
                    .filter(|key| key.contains(" (Ndless), ") && key.ends_with(" (ROMs)"))
                    .cloned()
                    .unwrap_or_default(),
            };
            documented.insert(button.clone(), key);
        }
        if buttons.len() != cx.len() && said != "nothing" {
            assert!(said.starts_with("what the arrow keys press"), "{row:?}");
        }
    }
    assert!(printed.len() > 10, "emu keys:\n{keys}");
    assert_eq!(
        documented, printed,
        "README.md's gamepad table and `emu keys` differ"
    );
}

/// README.md's table of the sticks says what `emu keys` prints with no settings: each stick
/// once, and what it does (the word before the colon).
#[test]
fn gamepad_sticks_table_is_emu_keys() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let keys = emu_help(&["keys"]);
    let printed: BTreeMap<String, String> = keys
        .lines()
        .skip_while(|l| !l.starts_with("Gamepad stick"))
        .skip(1)
        .take_while(|l| !l.is_empty())
        .filter_map(|l| l.split_once(' '))
        .map(|(stick, what)| {
            let what = what.trim().split(':').next().unwrap_or_default();
            (stick.to_string(), what.to_string())
        })
        .collect();
    let documented: BTreeMap<String, String> = table_after(&readme, "| gamepad sticks |")
        .iter()
        .map(|row| (spans(&row[0]).join(" "), spans(&row[1])[0].clone()))
        .collect();
    assert_eq!(printed.len(), 2, "emu keys:\n{keys}");
    assert_eq!(
        documented, printed,
        "README.md's table of the sticks and `emu keys` differ"
    );
}
