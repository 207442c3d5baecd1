//! `emu test`: runs every ROM under the given paths headless, in parallel, and reports each as
//! PASS or FAIL (with the reason and the last lines of its output), then `N passed, N failed`;
//! optionally as JUnit XML and JSON too.
//!
//! Each ROM runs alone on a machine of its own (`run`), with the RTC at a fixed time, an
//! instruction limit and a time limit. What it must do comes from its folder's manifest
//! (`manifest`): by default, exit with status 0. ROMs are found and sorted by path
//! (`discovery`), a shard takes a slice of them, and the results are printed in that order
//! whatever order the workers finish in, so any number of jobs prints the same thing (`report`).

pub mod discovery;
pub mod manifest;
pub mod picture;
pub mod report;
pub mod run;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use discovery::Shard;
use run::{Case, Outcome, Settings};

use crate::engine::EngineKind;

/// The RTC's count for `emu test` runs, so they are reproducible: 2026-01-01 00:00:00 UTC.
pub const TEST_RTC: u32 = 1_767_225_600;

/// The stack of a worker thread: a ROM runs there as it would on the main thread.
const WORKER_STACK: usize = 8 << 20;

/// How each ROM is bounded.
#[derive(Clone, Copy)]
pub struct Limits {
    /// Instructions.
    pub instructions: u64,
    /// The host's time.
    pub time: Duration,
}

/// What `emu test` is asked to do.
pub struct Options {
    pub paths: Vec<PathBuf>,
    pub limits: Limits,
    /// ROMs run at once.
    pub jobs: usize,
    pub shard: Option<Shard>,
    pub junit: Option<PathBuf>,
    pub json: Option<PathBuf>,
    /// Where failing pictures' actual and difference images go (default: the report's folder,
    /// else the system's temporary folder).
    pub out: Option<PathBuf>,
    /// Rewrite the expected pictures and outputs from the runs.
    pub update: bool,
    /// What runs the guests' instructions.
    pub engine: EngineKind,
}

/// The host's processors: the default number of jobs.
pub fn default_jobs() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Runs the ROMs `options` selects, printing each result as it is known (in path order) and
/// the summary, and writes the reports. True if all passed; an error (bad input: a path, a
/// manifest, a report's folder) comes before any ROM runs.
pub fn run(options: &Options) -> Result<bool, String> {
    let roms = discovery::find_roms(&options.paths)?;
    let mut manifests: BTreeMap<PathBuf, manifest::Manifest> = BTreeMap::new();
    let mut cases = Vec::new();
    for (index, rom) in roms.into_iter().enumerate() {
        let folder = rom.parent().unwrap_or(Path::new("")).to_path_buf();
        if !manifests.contains_key(&folder) {
            let dir = if folder.as_os_str().is_empty() {
                Path::new(".")
            } else {
                &folder
            };
            manifests.insert(folder.clone(), manifest::load(dir)?);
        }
        if options.shard.is_some_and(|shard| !shard.takes(index)) {
            continue;
        }
        let name = rom.file_name().unwrap_or_default().to_string_lossy();
        let expect = manifests[&folder]
            .get(name.as_ref())
            .cloned()
            .unwrap_or_default();
        cases.push(Case { rom, expect, index });
    }
    for report in [&options.junit, &options.json].into_iter().flatten() {
        crate::files::check_destination(report)?;
    }
    let out = match (
        &options.out,
        options.junit.as_ref().or(options.json.as_ref()),
    ) {
        (Some(out), _) => out.clone(),
        (None, Some(report)) => report.parent().unwrap_or(Path::new("")).to_path_buf(),
        (None, None) => std::env::temp_dir(),
    };
    if !out.as_os_str().is_empty() {
        std::fs::create_dir_all(&out).map_err(|e| format!("--out {}: {e}", out.display()))?;
    }
    let settings = Settings {
        limits: options.limits,
        update: options.update,
        out,
        engine: options.engine,
    };
    let started = Instant::now();
    let outcomes = run_all(&cases, options.jobs, &settings, |outcome| {
        print!("{}", report::console(outcome));
    });
    println!("{}", report::summary(&outcomes));
    let seconds = started.elapsed().as_secs_f64();
    if let Some(path) = &options.junit {
        let xml = report::junit(&outcomes, seconds);
        crate::files::write_whole(path, |temp| std::fs::write(temp, xml))?;
    }
    if let Some(path) = &options.json {
        let json = report::json(&outcomes);
        crate::files::write_whole(path, |temp| std::fs::write(temp, json))?;
    }
    Ok(outcomes.iter().all(Outcome::passed))
}

/// Runs `cases` on `jobs` worker threads; `each` gets every outcome in the order of `cases`,
/// as soon as it and all before it are known. Returns the outcomes in that order.
fn run_all(
    cases: &[Case],
    jobs: usize,
    settings: &Settings,
    mut each: impl FnMut(&Outcome),
) -> Vec<Outcome> {
    let next = AtomicUsize::new(0);
    let (sender, receiver) = mpsc::channel();
    let mut outcomes = Vec::with_capacity(cases.len());
    std::thread::scope(|scope| {
        for _ in 0..jobs.clamp(1, cases.len().max(1)) {
            let sender = sender.clone();
            let next = &next;
            let worker = move || loop {
                let position = next.fetch_add(1, Ordering::Relaxed);
                let Some(case) = cases.get(position) else {
                    break;
                };
                if sender.send((position, run::run(case, settings))).is_err() {
                    break;
                }
            };
            let spawned = std::thread::Builder::new()
                .stack_size(WORKER_STACK)
                .spawn_scoped(scope, worker);
            if spawned.is_err() {
                // The workers already started take every case; with none, this thread does.
                break;
            }
        }
        drop(sender);
        let mut waiting = BTreeMap::new();
        for (position, outcome) in receiver {
            waiting.insert(position, outcome);
            while let Some(outcome) = waiting.remove(&outcomes.len()) {
                each(&outcome);
                outcomes.push(outcome);
            }
        }
    });
    // No worker could start: run the cases here.
    for case in &cases[outcomes.len()..] {
        let outcome = run::run(case, settings);
        each(&outcome);
        outcomes.push(outcome);
    }
    outcomes
}
