//! The perf map: with `EMU_PERF_MAP=1` in the environment, every compiled block is named in
//! `/tmp/perf-PID.map`, one line `START SIZE NAME` (hexadecimal, the format perf reads for
//! code generated at run time), so that `perf report` names host code by the guest address and
//! instruction set it was compiled from (`emu:arm:c0008000`, `emu:thumb:00012a4c`) instead of
//! an anonymous address.

use std::fs::File;
use std::io::Write;

/// Where compiled blocks are named, if anywhere.
#[derive(Default)]
pub struct PerfMap {
    file: Option<File>,
}

impl PerfMap {
    /// The map `EMU_PERF_MAP=1` asks for; none without it. A file that cannot be created is
    /// said in one line and the run goes on without it.
    pub fn from_env() -> PerfMap {
        if std::env::var_os("EMU_PERF_MAP").is_none_or(|value| value != "1") {
            return PerfMap::default();
        }
        let path = format!("/tmp/perf-{}.map", std::process::id());
        match File::create(&path) {
            Ok(file) => PerfMap { file: Some(file) },
            Err(e) => {
                eprintln!("emu: EMU_PERF_MAP: cannot create {path}: {e}");
                PerfMap::default()
            }
        }
    }

    /// Names the `len` bytes of host code at `start`, compiled from guest `pc`. Each line is
    /// one write, so the map is whole however the process ends.
    pub fn name(&mut self, start: usize, len: usize, pc: u32, thumb: bool) {
        let Some(file) = &mut self.file else {
            return;
        };
        let set = if thumb { "thumb" } else { "arm" };
        let line = format!("{start:x} {len:x} emu:{set}:{pc:08x}\n");
        if let Err(e) = file.write_all(line.as_bytes()) {
            eprintln!("emu: EMU_PERF_MAP: {e}; no more blocks are named");
            self.file = None;
        }
    }
}
