//! What `emu test` tells: a line per ROM on stdout, and the reports CI servers read, JUnit XML
//! and JSON.

use std::fmt::Write as _;
use std::path::Path;

use serde::Serialize;

use super::run::Outcome;

/// Lines of a failing ROM's output shown on stdout.
const TAIL_LINES: usize = 10;

/// The stdout lines of one ROM: `PASS path (N instructions)`, or `FAIL path: reason` and the
/// last lines of its output. Nothing in them depends on the host's speed.
pub fn console(outcome: &Outcome) -> String {
    let rom = outcome.rom.display();
    let mut text = String::new();
    match outcome.reason() {
        None => {
            let _ = write!(text, "PASS {rom} ({} instructions", outcome.instructions);
            for path in &outcome.updated {
                let _ = write!(text, "; updated {}", path.display());
            }
            text.push_str(")\n");
        }
        Some(reason) => {
            let _ = writeln!(text, "FAIL {rom}: {reason}");
            let lines: Vec<&str> = outcome.output.lines().collect();
            for line in &lines[lines.len().saturating_sub(TAIL_LINES)..] {
                let _ = writeln!(text, "    | {line}");
            }
        }
    }
    text
}

/// The last line: `N passed, N failed`.
pub fn summary(outcomes: &[Outcome]) -> String {
    let passed = outcomes.iter().filter(|o| o.passed()).count();
    format!("{passed} passed, {} failed", outcomes.len() - passed)
}

/// `text` made safe in XML text and attribute values: the five special characters escaped,
/// and the characters XML 1.0 does not allow (control characters other than tab, line feed and
/// carriage return; U+FFFE, U+FFFF) replaced with U+FFFD.
pub fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if c < ' ' || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// The folder part of a ROM's path, as a JUnit class name: `roms/tests/cpu/clz.elf` is in
/// `roms.tests.cpu`.
fn class_name(rom: &Path) -> String {
    let folder = rom.parent().map(|p| p.display().to_string());
    match folder.as_deref() {
        None | Some("") => ".".to_string(),
        Some(folder) => folder.replace(['/', '\\'], "."),
    }
}

/// The JUnit XML report: one testsuite, one testcase per ROM (its class name its folder, its
/// name the file's), a failing one with a `<failure>` holding the reason and the output.
pub fn junit(outcomes: &[Outcome], seconds: f64) -> String {
    let failures = outcomes.iter().filter(|o| !o.passed()).count();
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        xml,
        "<testsuite name=\"emu test\" tests=\"{}\" failures=\"{failures}\" errors=\"0\" \
         skipped=\"0\" time=\"{seconds:.3}\">",
        outcomes.len()
    );
    for outcome in outcomes {
        let name = outcome.rom.file_name().map_or_else(
            || outcome.rom.display().to_string(),
            |n| n.to_string_lossy().into(),
        );
        let _ = write!(
            xml,
            "  <testcase classname=\"{}\" name=\"{}\" time=\"{:.3}\"",
            xml_escape(&class_name(&outcome.rom)),
            xml_escape(&name),
            outcome.seconds
        );
        match outcome.reason() {
            None => xml.push_str("/>\n"),
            Some(reason) => {
                let _ = writeln!(
                    xml,
                    ">\n    <failure message=\"{}\">{}</failure>\n  </testcase>",
                    xml_escape(&reason),
                    xml_escape(&outcome.output)
                );
            }
        }
    }
    xml.push_str("</testsuite>\n");
    xml
}

/// One ROM in the JSON report.
#[derive(Serialize)]
struct JsonRom<'a> {
    path: String,
    verdict: &'static str,
    reason: Option<String>,
    instructions: u64,
    seconds: f64,
    output: &'a str,
}

/// The JSON report: an array of one object per ROM, in the order of the run.
pub fn json(outcomes: &[Outcome]) -> String {
    let roms: Vec<JsonRom> = outcomes
        .iter()
        .map(|o| JsonRom {
            path: o.rom.display().to_string(),
            verdict: if o.passed() { "pass" } else { "fail" },
            reason: o.reason(),
            instructions: o.instructions,
            seconds: o.seconds,
            output: &o.output,
        })
        .collect();
    // Plain data of strings and numbers: serialising it cannot fail.
    serde_json::to_string_pretty(&roms).unwrap_or_default() + "\n"
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    #[test]
    fn escaping_keeps_xml_well_formed() {
        assert_eq!(
            xml_escape("a<b & \"c\" 'd'>\u{1}\u{1b}[0m\tx\n"),
            "a&lt;b &amp; &quot;c&quot; &apos;d&apos;&gt;\u{FFFD}\u{FFFD}[0m\tx\n"
        );
    }

    #[test]
    fn class_names_are_folders() {
        assert_eq!(
            class_name(Path::new("roms/tests/cpu/clz.elf")),
            "roms.tests.cpu"
        );
        assert_eq!(class_name(Path::new("a.bin")), ".");
    }

    #[test]
    fn a_failure_shows_its_reason_and_last_lines() {
        let outcome = Outcome {
            rom: PathBuf::from("r/a.bin"),
            failures: vec!["one".into(), "two".into()],
            updated: Vec::new(),
            instructions: 5,
            seconds: 0.5,
            output: (1..=12).map(|n| format!("{n}\n")).collect(),
        };
        let text = console(&outcome);
        assert!(
            text.starts_with("FAIL r/a.bin: one; two\n    | 3\n"),
            "{text}"
        );
        assert!(text.ends_with("    | 12\n"), "{text}");
        assert_eq!(summary(&[outcome]), "0 passed, 1 failed");
    }
}
