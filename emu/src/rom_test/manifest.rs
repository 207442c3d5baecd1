//! What a folder's ROMs are expected to do: the manifest `tests.ron` beside them.
//!
//! The manifest maps a ROM's file name to what its run is (key script, frames, arguments, the
//! files it starts with, the RTC) and what it must give (exit status, output, picture). Every
//! field may be left out; `Option` fields are written bare (`frames: 30`, not `Some(30)`).
//! Paths are relative to the manifest's folder.
//!
//! ```ron
//! {
//!     "gems.tns": (
//!         keys: "gems.keys",         // a key script, as `emu run --keys` reads
//!         frames: 300,               // run for this many frames, as `--frames` (status 0 if they run out)
//!         status: 2,                 // the exit status expected (default 0)
//!         output: "gems.out",        // a file holding the whole output expected
//!         contains: ["quit: 2 gems"],// lines the output must contain
//!         screenshot: "gems.png",    // the picture expected at the end, pixel for pixel
//!         args: ["level2"],          // the program's arguments after argv[0]
//!         documents: "data",         // a folder whose files the guest starts with
//!         rtc: 1767225600,           // the RTC's count at power-on
//!     ),
//! }
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::TEST_RTC;
use crate::frontend::script::Script;
use crate::frontend::setup;

/// The manifest's file name in a folder of ROMs.
pub const FILE_NAME: &str = "tests.ron";

/// One ROM's entry as written (named so in RON's messages).
#[derive(Deserialize, Default)]
#[serde(default, deny_unknown_fields, rename = "ROM")]
struct Entry {
    keys: Option<String>,
    frames: Option<u64>,
    status: Option<i32>,
    output: Option<String>,
    contains: Vec<String>,
    screenshot: Option<String>,
    args: Vec<String>,
    documents: Option<String>,
    rtc: Option<u32>,
}

/// What one ROM's run is and must give, its paths resolved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expect {
    /// Keys pressed as frames start.
    pub keys: Script,
    /// Stop after this many frames (status 0), if the ROM has not stopped before.
    pub frames: Option<u64>,
    /// The exit status expected: the guest's own, or 0 when the frames ran out.
    pub status: i32,
    /// The file holding the exact output expected.
    pub output: Option<PathBuf>,
    /// Lines the output must contain.
    pub contains: Vec<String>,
    /// The picture expected at the end.
    pub screenshot: Option<PathBuf>,
    /// The guest's arguments after argv[0].
    pub args: Vec<String>,
    /// A folder whose files are copied into the guest's own folder before the run.
    pub documents: Option<PathBuf>,
    /// The RTC's count at power-on.
    pub rtc: u32,
}

impl Default for Expect {
    /// A ROM with no entry: it must exit with status 0.
    fn default() -> Expect {
        Expect {
            keys: Script::default(),
            frames: None,
            status: 0,
            output: None,
            contains: Vec::new(),
            screenshot: None,
            args: Vec::new(),
            documents: None,
            rtc: TEST_RTC,
        }
    }
}

/// The expectations of a folder's ROMs, by file name.
pub type Manifest = BTreeMap<String, Expect>;

/// Reads the manifest of `folder`, if it has one (an empty one if not). Every error is one line
/// naming the file, and for the RON itself the line and column.
pub fn load(folder: &Path) -> Result<Manifest, String> {
    let path = folder.join(FILE_NAME);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Manifest::new()),
        Err(e) => return Err(format!("{}: {e}", path.display())),
    };
    let fail = |message: String| format!("{}: {message}", path.display());
    let entries: BTreeMap<String, Entry> = ron::Options::default()
        .with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME)
        .from_str(&text)
        .map_err(|e| {
            let message = e.code.to_string().replace('\n', " ");
            fail(format!(
                "line {}, column {}: {message}",
                e.position.line, e.position.col
            ))
        })?;
    let mut manifest = Manifest::new();
    for (name, entry) in entries {
        let rom = folder.join(&name);
        if name.contains('/') || !rom.is_file() {
            return Err(fail(format!(
                "`{name}`: no such ROM in {} (entries are file names there)",
                folder.display()
            )));
        }
        let within = |file: Option<String>| file.map(|f| folder.join(f));
        let keys = match within(entry.keys) {
            Some(script) => {
                setup::read_script(&script).map_err(|e| fail(format!("`{name}`: keys {e}")))?
            }
            None => Script::default(),
        };
        let documents = within(entry.documents);
        if let Some(dir) = &documents {
            if !dir.is_dir() {
                return Err(fail(format!(
                    "`{name}`: documents {}: not a directory",
                    dir.display()
                )));
            }
        }
        let expect = Expect {
            keys,
            frames: entry.frames,
            status: entry.status.unwrap_or(0),
            output: within(entry.output),
            contains: entry.contains,
            screenshot: within(entry.screenshot),
            args: entry.args,
            documents,
            rtc: entry.rtc.unwrap_or(TEST_RTC),
        };
        manifest.insert(name, expect);
    }
    Ok(manifest)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folder(name: &str, manifest: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("emu-manifest-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("a.bin"), [0u8; 4]).unwrap();
        std::fs::write(dir.join("a.keys"), "3 press enter\n4 release enter\n").unwrap();
        std::fs::write(dir.join(FILE_NAME), manifest).unwrap();
        dir
    }

    #[test]
    fn entries_resolve_against_the_folder() {
        let dir = folder(
            "ok",
            r#"{ "a.bin": (keys: "a.keys", frames: 30, status: 2, screenshot: "a.png",
                 contains: ["x"], args: ["-v"]) }"#,
        );
        let manifest = load(&dir).unwrap();
        let a = &manifest["a.bin"];
        assert_eq!(a.keys.events.len(), 2);
        assert_eq!((a.frames, a.status, a.rtc), (Some(30), 2, TEST_RTC));
        assert_eq!(a.screenshot.as_deref(), Some(dir.join("a.png").as_path()));
        assert_eq!(a.args, ["-v"]);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn errors_name_the_file_and_the_position() {
        let cases = [
            (
                "syntax",
                "{\n  \"a.bin\": (frames: \"many\"),\n}",
                "line 2, column",
            ),
            ("field", "{ \"a.bin\": (colour: 3) }", "line 1, column"),
            ("rom", "{ \"b.bin\": () }", "`b.bin`: no such ROM"),
            ("keys", "{ \"a.bin\": (keys: \"none.keys\") }", "none.keys"),
        ];
        for (name, text, want) in cases {
            let dir = folder(name, text);
            let error = load(&dir).unwrap_err();
            assert!(error.starts_with(&dir.join(FILE_NAME).display().to_string()));
            assert!(error.contains(want), "{name}: {error}");
            assert_eq!(error.lines().count(), 1, "{error}");
            std::fs::remove_dir_all(&dir).unwrap();
        }
        assert!(load(Path::new("/no/such/folder")).unwrap().is_empty());
    }
}
