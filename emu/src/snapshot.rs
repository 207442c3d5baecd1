//! Saved machine states: everything the guest can see (the CPU, CP15, every device, pending
//! events, RAM and ROM, the clocks) in one file, to stop a run and take it up again later
//! exactly where it was (`--save-state`, `--load-state`, the monitor's `save` and `load`).
//!
//! The file is a gzip stream (whose CRC-32 catches a damaged file) holding: the magic
//! `EMUSTATE`, a format version (u32, little-endian), the length (u64) and RON text of the CPU
//! and the devices, then the length (u64) and bytes of memory. What belongs to the host is
//! not saved and is kept from the running machine: breakpoints and watchpoints, semihosting
//! (files the guest opened through it are not reopened), the console. A state loads only on
//! a machine of the same description: the same memory, devices and windows, the same CPU clock
//! and interrupt wiring.

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
/// 2: the board's state holds the CPU's clock and the interrupt wiring, which a state must share
/// with the machine it loads on.
const VERSION: u32 = 2;

/// The longest RON text a state file may declare, far more than any machine's CPU and devices
/// write (a few tens of KB, plus the UART's pending host input): a larger length is refused
/// before anything is read, so a crafted file cannot make the reader allocate it.
const TEXT_LIMIT: u64 = 64 << 20;

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

/// The RON text of `machine`'s CPU and devices: its saved state without the memory.
pub fn text(machine: &Machine) -> Result<String, String> {
    let state = SavedState {
        cpu: &machine.cpu,
        board: machine.board.state(),
    };
    ron::to_string(&state).map_err(|e| e.to_string())
}

/// Takes into `machine` the state made of `text` (as [`text`] writes it) and `memory` (its RAM
/// and ROM, as `Bus::ram` has them), or refuses it with one line naming what is wrong (not a
/// state, another machine's, or one no guest could have brought about), leaving the machine
/// unchanged.
pub fn restore(machine: &mut Machine, text: &str, memory: &[u8]) -> Result<(), String> {
    let state: State = ron::from_str(text).map_err(|e| format!("a damaged saved state ({e})"))?;
    // Both checks come before either part changes.
    Cpu::check_saved(&state.cpu)?;
    machine
        .board
        .restore(state.board, memory, state.cpu.cycles())?;
    machine.cpu.restore(state.cpu)
}

/// Saves `machine`'s state to `path`, whole or not at all. The error names the file.
pub fn save(machine: &Machine, path: &Path) -> Result<(), String> {
    let text = text(machine).map_err(|e| format!("{}: {e}", path.display()))?;
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
    let fail = |e: String| format!("{}: {e}", path.display());
    let file = File::open(path).map_err(|e| fail(e.to_string()))?;
    load_from(machine, BufReader::new(file)).map_err(fail)
}

/// Loads a state file's bytes, read from `file` (gzip, as [`save`] writes them), into
/// `machine`; on an error (one line) the machine is unchanged.
pub fn load_from(machine: &mut Machine, file: impl Read) -> Result<(), String> {
    let (text, memory) = read(GzDecoder::new(file), machine.board.ram().len())?;
    restore(machine, &text, &memory)
}

/// Reads a decompressed state, `memory_size` bytes of memory for this machine, as its text
/// and its memory. Lengths are checked before what they announce is read, and reading stops
/// at the end of the memory, so nothing larger than a state of this machine is ever held,
/// whatever the stream would expand to.
fn read(mut input: impl Read, memory_size: usize) -> Result<(String, Vec<u8>), String> {
    let damaged = |e: std::io::Error| match e.kind() {
        std::io::ErrorKind::UnexpectedEof => "not a saved state (it is truncated)".to_string(),
        _ => format!("not a saved state ({e})"),
    };
    if read_array(&mut input).map_err(damaged)? != *MAGIC {
        return Err("not a saved state".to_string());
    }
    let version = u32::from_le_bytes(read_array(&mut input).map_err(damaged)?);
    if version != VERSION {
        return Err(format!(
            "a saved state of format {version}; this emulator reads format {VERSION}"
        ));
    }
    let text_length = read_length(&mut input).map_err(damaged)?;
    if text_length > TEXT_LIMIT {
        return Err(format!(
            "not a saved state (its text would be {text_length} bytes)"
        ));
    }
    let text = read_block(&mut input, text_length as usize).map_err(damaged)?;
    let text = String::from_utf8(text).map_err(|_| "not a saved state (its text is not UTF-8)")?;
    let memory_length = read_length(&mut input).map_err(damaged)?;
    if memory_length != memory_size as u64 {
        return Err(format!(
            "it was saved on a machine of another description ({memory_length} bytes of \
             memory, not {memory_size})"
        ));
    }
    let memory = read_block(&mut input, memory_size).map_err(damaged)?;
    // Reading on to the end makes gzip check its CRC and length.
    match input.read(&mut [0]).map_err(damaged)? {
        0 => Ok((text, memory)),
        _ => Err("not a saved state (it goes on after its memory)".to_string()),
    }
}

fn read_array<const N: usize>(input: &mut impl Read) -> std::io::Result<[u8; N]> {
    let mut bytes = [0; N];
    input.read_exact(&mut bytes)?;
    Ok(bytes)
}

/// A length (u64, little-endian).
fn read_length(input: &mut impl Read) -> std::io::Result<u64> {
    read_array(input).map(u64::from_le_bytes)
}

/// `length` bytes, which the caller has bounded; a stream that ends first holds no more than
/// it gave.
fn read_block(input: &mut impl Read, length: usize) -> std::io::Result<Vec<u8>> {
    let mut block = Vec::new();
    input.take(length as u64).read_to_end(&mut block)?;
    match block.len() == length {
        true => Ok(block),
        false => Err(std::io::ErrorKind::UnexpectedEof.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bus::{Origin, Size};
    use crate::config::MachineConfig;

    /// A CX with 1 MiB of SDRAM (nothing here needs more), idling at the reset vector.
    fn machine() -> Machine {
        let mut config = MachineConfig::nspire_cx();
        for region in config.memory.iter_mut().filter(|r| r.name == "SDRAM") {
            region.size = 1 << 20;
        }
        let mut machine = Machine::new(config, 0);
        // wait for interrupt (MCR p15, 0, r0, c7, c0, 4), for ever
        let idle = [0xEE07_0F90u32, 0xEAFF_FFFD];
        let rom: Vec<u8> = idle.iter().flat_map(|w| w.to_le_bytes()).collect();
        assert!(machine.board.load(0, &rom));
        machine
    }

    /// The state of a machine whose keypad scans and whose LCD draws, part-way through, with
    /// its memory.
    fn saved() -> (String, Vec<u8>) {
        let mut machine = machine();
        let origin = Origin { now: 0, pc: 0 };
        for (addr, value) in [(0x900E_0000, 3 | 100 << 16), (0xC000_0018, 1)] {
            machine
                .board
                .write(addr, Size::Word, value, origin)
                .unwrap();
        }
        machine.run_cycles(1_000_000);
        (text(&machine).unwrap(), machine.board.ram().to_vec())
    }

    /// `text` with the number after the first (or, with `last`, the last) `field:` replaced.
    fn set(text: &str, field: &str, value: &str, last: bool) -> String {
        let key = format!("{field}:");
        let at = match last {
            false => text.find(&key),
            true => text.rfind(&key),
        };
        let start = at.expect("the field is in the state") + key.len();
        let end = start + text[start..].find(|c: char| !c.is_ascii_digit()).unwrap();
        format!("{}{value}{}", &text[..start], &text[end..])
    }

    /// A state carries the clock's extra cycles (and the pending interlock), so a machine that
    /// takes it is at the same cycle; a state saved before the cycle model, which has neither,
    /// loads with none, its clock where it was.
    #[test]
    fn states_carry_the_clock_and_older_ones_load() {
        let mut machine = machine();
        // A loop of LDMs, 4 cycles each: ldm r0, {r1-r4}; b .-4 (3 cycles).
        let code = [0xE890_001Eu32, 0xEAFF_FFFD];
        let rom: Vec<u8> = code.iter().flat_map(|w| w.to_le_bytes()).collect();
        assert!(machine.board.load(0, &rom));
        machine.cpu.set_reg(0, 0x1000_0000);
        machine.cpu.invalidate_tlb();
        assert_eq!(
            machine.run(Some(1000)),
            crate::machine::Exit::InstructionLimit
        );
        let cycles = machine.cpu.cycles();
        assert_eq!(cycles, 500 * 4 + 500 * 3, "each LDM and each branch");
        let state = text(&machine).unwrap();
        let memory = machine.board.ram().to_vec();
        let mut other = self::machine();
        restore(&mut other, &state, &memory).unwrap();
        assert_eq!(other.cpu.cycles(), cycles);
        let old = state
            .replacen(&format!("extra_cycles:{},", cycles - 1000), "", 1)
            .replacen(",interlock:0", "", 1);
        assert!(!old.contains("extra_cycles") && !old.contains("interlock"));
        restore(&mut other, &old, &memory).unwrap();
        assert_eq!(other.cpu.cycles(), 1000);
    }

    /// The states no guest could have left, each refused in one line naming what is wrong
    /// (without the checks, the zero clocks divide by zero, the timer clocked past the CPU and
    /// the events behind its time loop for ever, the clock past the last cycle overflows), and
    /// the machine is unchanged.
    #[test]
    fn impossible_states_are_refused_in_one_line() {
        let (state, memory) = saved();
        let cases = [
            (
                set(&state, "clcd_hz", "0", false),
                "LCD: a clock of 0 Hz, not",
            ),
            (
                set(&state, "apb_hz", "0", false),
                "keypad: a clock of 0 Hz, not",
            ),
            (
                set(&state, "(hz", "18446744073709551615", false),
                "a clock of 18446744073709551615 Hz",
            ),
            (
                set(&state, "cpu_hz", "66000000", false),
                "whose CPU runs at 66000000 Hz, not 132000000 Hz",
            ),
            (
                state.replacen("irqs:[", "irqs:[None,", 1),
                "its interrupt wiring lists other devices",
            ),
            (
                set(&state, "insns", "18446744073709551615", false),
                "past the last cycle",
            ),
            (
                set(&state, "idle_cycles", "4611686018427387904", false),
                "past the last cycle",
            ),
            (
                set(&set(&state, "idle_cycles", "100", false), "when", "0", true),
                "due at cycle 0, long before the CPU's",
            ),
            (set(&state, "tag", "7", true), "an event 7 of the"),
            (
                set(&state, "owner", "99", true),
                "an event of device 99, which this machine lacks",
            ),
            (
                set(&state, "now", "4611686018427387904", true),
                "later than the CPU's",
            ),
            (set(&state, "model", "258", false), "misc: model 0x102"),
            (
                state.replacen("rx:[]", &format!("rx:{:?}", [0; 33]), 1),
                "33 bytes in a receive FIFO",
            ),
            (
                state.replacen("name:\"LED\"", "name:\"LEDs\"", 1),
                "not this machine's \"LED\" block",
            ),
        ];
        let mut machine = machine();
        let before = text(&machine).unwrap();
        for (crafted, problem) in cases {
            assert_ne!(crafted, state, "{problem}: the state changed");
            let error = restore(&mut machine, &crafted, &memory).expect_err(problem);
            assert!(error.contains(problem), "{problem}: {error}");
            assert!(!error.contains('\n'), "{error}");
            assert_eq!(
                text(&machine).unwrap(),
                before,
                "{problem}: the machine changed"
            );
        }
        restore(&mut machine, &state, &memory).unwrap();
    }

    /// A stream that starts with `prefix` and then gives zeros for ever, counting what it
    /// gave.
    struct Endless {
        prefix: Vec<u8>,
        given: usize,
    }

    impl Read for Endless {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = buf.len().min(1 << 16);
            for (i, byte) in buf[..n].iter_mut().enumerate() {
                *byte = self.prefix.get(self.given + i).copied().unwrap_or(0);
            }
            self.given += n;
            Ok(n)
        }
    }

    /// The start of a decompressed state: the magic, the version, a text of `text` bytes.
    fn header(text: u64) -> Vec<u8> {
        let mut bytes = MAGIC.to_vec();
        bytes.extend(VERSION.to_le_bytes());
        bytes.extend(text.to_le_bytes());
        bytes
    }

    /// However far a stream would go (a gzip bomb expands to any size), the reader takes no
    /// more than a state of this machine holds: an absurd text length or a memory length
    /// other than this machine's is refused before anything more is read, and reading stops
    /// one byte after the memory.
    #[test]
    fn reading_stops_at_what_a_state_of_this_machine_holds() {
        let memory = 4096;
        let read_from = |prefix: Vec<u8>| {
            let mut stream = Endless { prefix, given: 0 };
            let error = read(&mut stream, memory).unwrap_err();
            (error, stream.given)
        };
        let (error, given) = read_from(header(1 << 63));
        assert_eq!(
            error,
            "not a saved state (its text would be 9223372036854775808 bytes)"
        );
        assert!(given <= 1 << 16, "{given}");
        // A text of 10 zeros, then a memory length of 0.
        let (error, _) = read_from(header(10));
        assert!(
            error.contains("another description (0 bytes of memory, not 4096)"),
            "{error}"
        );
        let mut prefix = header(2);
        prefix.extend(b"()");
        prefix.extend((memory as u64).to_le_bytes());
        let (error, given) = read_from(prefix);
        assert_eq!(error, "not a saved state (it goes on after its memory)");
        assert!(given <= 2 * memory + (1 << 16), "{given}");
    }

    /// A state file whose gzip holds an absurd length is refused in one line naming the file,
    /// as is one that ends early.
    #[test]
    fn a_file_announcing_more_than_it_holds_is_refused() {
        let dir = std::env::temp_dir().join(format!("emu-snapshot-unit-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let mut machine = machine();
        for (name, text_length, problem) in [
            (
                "absurd.state",
                u64::MAX,
                "not a saved state (its text would be 18446744073709551615 bytes)",
            ),
            ("short.state", 100, "not a saved state (it is truncated)"),
        ] {
            let path = dir.join(name);
            let mut gz = GzEncoder::new(File::create(&path).unwrap(), flate2::Compression::fast());
            gz.write_all(&header(text_length)).unwrap();
            gz.finish().unwrap();
            let error = load(&mut machine, &path).unwrap_err();
            assert_eq!(error, format!("{}: {problem}", path.display()));
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
