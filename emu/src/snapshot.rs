//! Saved machine states: everything the guest can see (the CPU, CP15, every device, pending
//! events, RAM and ROM, the clocks) in one file, to stop a run and take it up again later
//! exactly where it was (`--save-state`, `--load-state`, the monitor's `save` and `load`).
//!
//! The file is a gzip stream (whose CRC-32 catches a damaged file) holding: the magic
//! `EMUSTATE`, a format version (u32, little-endian), the length (u64) and RON text of the CPU
//! and the devices, then the length (u64) and bytes of memory. What belongs to the host is
//! not saved and is kept from the running machine: breakpoints and watchpoints, semihosting
//! (files the guest opened through it are not reopened), the console. A state loads only on
//! a machine of the same description.

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::Path;

use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use serde::{Deserialize, Serialize};

use crate::board::BoardState;
use crate::bus::Bus;
use crate::cpu::Cpu;
use crate::files;
use crate::machine::Machine;

const MAGIC: &[u8; 8] = b"EMUSTATE";
const VERSION: u32 = 1;

/// The part of a state written as RON, as it is saved...
#[derive(Serialize)]
struct SavedState<'a> {
    cpu: &'a Cpu,
    board: BoardState,
}

/// ...and as it is read back.
#[derive(Deserialize)]
struct State {
    cpu: Cpu,
    board: BoardState,
}

/// Saves `machine`'s state to `path`, whole or not at all. The error names the file.
pub fn save(machine: &Machine, path: &Path) -> Result<(), String> {
    let state = SavedState {
        cpu: &machine.cpu,
        board: machine.board.state(),
    };
    let text = ron::to_string(&state).map_err(|e| format!("{}: {e}", path.display()))?;
    files::write_whole(path, |temp| {
        let out = BufWriter::new(File::create(temp)?);
        let mut gz = GzEncoder::new(out, flate2::Compression::fast());
        gz.write_all(MAGIC)?;
        gz.write_all(&VERSION.to_le_bytes())?;
        gz.write_all(&(text.len() as u64).to_le_bytes())?;
        gz.write_all(text.as_bytes())?;
        let ram = machine.board.ram();
        gz.write_all(&(ram.len() as u64).to_le_bytes())?;
        gz.write_all(ram)?;
        let mut out = gz.finish()?;
        out.flush()?;
        out.get_ref().sync_all()
    })
}

/// Loads the state in `path` into `machine`, which keeps its host side. On an error (one line
/// naming the file) the machine is unchanged.
pub fn load(machine: &mut Machine, path: &Path) -> Result<(), String> {
    let fail = |e: &dyn std::fmt::Display| format!("{}: {e}", path.display());
    let file = File::open(path).map_err(|e| fail(&e))?;
    let mut data = Vec::new();
    GzDecoder::new(BufReader::new(file))
        .read_to_end(&mut data)
        .map_err(|e| fail(&format!("not a saved state ({e})")))?;
    let (state, ram) = parse(&data).map_err(|e| fail(&e))?;
    // Both checks come before either part changes.
    Cpu::check_saved(&state.cpu).map_err(|e| fail(&e))?;
    machine
        .board
        .restore(state.board, ram)
        .map_err(|e| fail(&e))?;
    machine.cpu.restore(state.cpu).map_err(|e| fail(&e))
}

/// Reads a decompressed state front to back.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        if self.0.len() < n {
            return Err("a truncated saved state".to_string());
        }
        let (head, tail) = self.0.split_at(n);
        self.0 = tail;
        Ok(head)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], String> {
        let mut bytes = [0; N];
        bytes.copy_from_slice(self.take(N)?);
        Ok(bytes)
    }

    /// A length (u64) and that many bytes.
    fn block(&mut self) -> Result<&'a [u8], String> {
        let length = u64::from_le_bytes(self.array()?);
        self.take(usize::try_from(length).map_err(|e| e.to_string())?)
    }
}

/// Splits a decompressed state into its parts.
fn parse(data: &[u8]) -> Result<(State, Vec<u8>), String> {
    let mut reader = Reader(data);
    if reader.array::<8>()? != *MAGIC {
        return Err("not a saved state".to_string());
    }
    let version = u32::from_le_bytes(reader.array()?);
    if version != VERSION {
        return Err(format!(
            "a saved state of format {version}; this emulator reads format {VERSION}"
        ));
    }
    let text = std::str::from_utf8(reader.block()?).map_err(|e| e.to_string())?;
    let state: State = ron::from_str(text).map_err(|e| format!("a damaged saved state ({e})"))?;
    let ram = reader.block()?.to_vec();
    Ok((state, ram))
}
