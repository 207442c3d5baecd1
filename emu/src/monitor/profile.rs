//! `profile start [ELF]`, `profile stop`, `profile show [N]`, `profile save FILE`: the
//! profiler of [`crate::profile`] on the machine the monitor runs.

use std::path::{Path, PathBuf};

use super::parse::{self, Args};
use super::Monitor;
use crate::machine::Machine;
use crate::profile::{report, symbols::Symbols, Profiler};

/// The monitor's side of profiling.
#[derive(Default)]
pub(super) struct Profiling {
    /// Where function names come from unless `profile start` names a file: the ROM.
    pub symbols_file: Option<PathBuf>,
    /// A stopped profile, for `show` and `save`.
    stopped: Option<Box<Profiler>>,
}

/// The functions of the file at `path`: an ELF file's, a System.map's, none for a raw image.
pub fn symbols_of(path: &Path) -> Result<Symbols, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    if !bytes.starts_with(b"\x7fELF") && std::str::from_utf8(&bytes).is_err() {
        return Ok(Symbols::default());
    }
    crate::symbols::Symbols::load(path).map(|names| Symbols::from_names(&names))
}

/// `profile ...`.
pub(super) fn profile(
    monitor: &mut Monitor,
    machine: &mut Machine,
    mut args: Args,
) -> Result<String, String> {
    let what = args.required("start, stop, show or save")?;
    match what {
        "start" => {
            let file = args.next().map(PathBuf::from);
            args.finish()?;
            let file = file.or_else(|| monitor.profiling.symbols_file.clone());
            let symbols = match &file {
                Some(path) => symbols_of(path)?,
                None => Symbols::default(),
            };
            let named = if symbols.is_empty() {
                "functions by address (no symbols)".to_string()
            } else {
                format!(
                    "functions named by {}",
                    file.as_deref().unwrap_or(Path::new("")).display()
                )
            };
            machine.profiler = Some(Box::new(Profiler::new(symbols)));
            monitor.profiling.stopped = None;
            Ok(format!(
                "profiling from instruction {}, {named}; the machine runs one instruction at a \
                 time while it does\n",
                machine.cpu.instructions()
            ))
        }
        "stop" => {
            args.finish()?;
            let profiler = machine
                .profiler
                .take()
                .ok_or("no profile is being taken ('profile start')")?;
            let total = profiler.snapshot().total;
            monitor.profiling.stopped = Some(profiler);
            Ok(format!(
                "profile stopped: {} instructions, {} cycles\n",
                total.instructions, total.cycles
            ))
        }
        "show" => {
            let limit = args.next().map(parse::count).transpose()?.unwrap_or(10);
            args.finish()?;
            let profiler = current(monitor, machine)?;
            Ok(report::text(&profiler.snapshot(), limit as usize))
        }
        "save" => {
            let path = args.required("file")?;
            args.finish()?;
            let profiler = current(monitor, machine)?;
            let object = monitor
                .profiling
                .symbols_file
                .as_deref()
                .and_then(Path::file_name)
                .map_or("guest".to_string(), |n| n.to_string_lossy().into_owned());
            report::save(&profiler.snapshot(), Path::new(path), &object)?;
            Ok(format!("profile saved to {path}\n"))
        }
        other => Err(format!(
            "'{other}': give start, stop, show or save ('help profile')"
        )),
    }
}

/// The profile being taken, or the last one stopped.
fn current<'m>(monitor: &'m Monitor, machine: &'m Machine) -> Result<&'m Profiler, String> {
    machine
        .profiler
        .as_deref()
        .or(monitor.profiling.stopped.as_deref())
        .ok_or_else(|| "no profile ('profile start' takes one)".to_string())
}
