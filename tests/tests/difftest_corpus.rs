//! Replays the committed single-instruction corpora (`tests/data/*.jsonl.gz` and the regression
//! cases `tests/data/regressions.jsonl`, made by `tools/difftest/gen.py` with Unicorn as the
//! oracle; see `tools/difftest/README.md`) under `--engine check`: every case runs in the
//! interpreter and in the jit engine (each instruction compiled to host code on x86-64), both
//! must give the oracle's state and the two must agree on everything `check` compares. A missing
//! file fails.

use std::path::PathBuf;

use emu::difftest::{replay_file, Summary};
use emu::engine::EngineKind;

/// Failure reports printed per corpus before the rest are only counted.
const REPORT_LINES: usize = 200;

fn replay(name: &str) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("data")
        .join(name);
    let mut report = Vec::new();
    let summary = replay_file(&path, EngineKind::Check, &mut report)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
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
            failed: 0,
            ..summary
        },
        "{name}: {} of {} cases failed (replay with `emu difftest --engine check {}`)",
        summary.failed,
        summary.passed + summary.failed,
        path.display()
    );
    // On x86-64 the jit side runs compiled code in every case but one whose fetch aborts (the
    // instruction's bytes not in the case's memory): in all 48,043 of the corpora today.
    if cfg!(target_arch = "x86_64") {
        let cases = summary.passed;
        assert!(
            summary.compiled * 100 >= cases * 99,
            "{name}: compiled code ran in only {} of {cases} cases",
            summary.compiled
        );
    }
}

#[test]
fn arm_corpus_matches_the_oracle_in_both_engines() {
    replay("arm.jsonl.gz");
}

#[test]
fn thumb_corpus_matches_the_oracle_in_both_engines() {
    replay("thumb.jsonl.gz");
}

/// One class per CPU bug fixed since the corpora were made (the BL suffix with an odd LR, a lone
/// BL prefix as one step, condition 0b1111 with bit 4 set, compares with Rd = 15).
#[test]
fn regression_cases_match_the_oracle_in_both_engines() {
    replay("regressions.jsonl");
}
