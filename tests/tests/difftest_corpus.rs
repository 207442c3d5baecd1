//! Replays the committed single-instruction corpora (`tests/data/*.jsonl.gz` and the regression
//! cases `tests/data/regressions.jsonl`, made by `tools/difftest/gen.py` with Unicorn as the
//! oracle; see `tools/difftest/README.md`) and requires every case to pass. A missing file fails.

use std::path::PathBuf;

use emu::difftest::{replay_file, Summary};

/// Failure reports printed per corpus before the rest are only counted.
const REPORT_LINES: usize = 200;

fn replay(name: &str) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("data")
        .join(name);
    let mut report = Vec::new();
    let summary =
        replay_file(&path, &mut report).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let report = String::from_utf8_lossy(&report);
    let lines: Vec<&str> = report.lines().collect();
    for line in lines.iter().take(REPORT_LINES) {
        eprintln!("{line}");
    }
    if lines.len() > REPORT_LINES {
        eprintln!("... ({} more report lines)", lines.len() - REPORT_LINES);
        eprintln!("{}", lines.last().unwrap_or(&""));
    }
    assert!(summary.passed > 0, "{name}: no cases");
    assert_eq!(
        summary,
        Summary {
            passed: summary.passed,
            failed: 0
        },
        "{name}: {} of {} cases failed (replay with `emu difftest {}`)",
        summary.failed,
        summary.passed + summary.failed,
        path.display()
    );
}

#[test]
fn arm_corpus_matches_the_oracle() {
    replay("arm.jsonl.gz");
}

#[test]
fn thumb_corpus_matches_the_oracle() {
    replay("thumb.jsonl.gz");
}

/// One class per CPU bug fixed since the corpora were made (the BL suffix with an odd LR, a lone
/// BL prefix as one step, condition 0b1111 with bit 4 set, compares with Rd = 15).
#[test]
fn regression_cases_match_the_oracle() {
    replay("regressions.jsonl");
}
