//! Replays single-instruction test cases (the JSON-lines format of `docs/difftest-format.md`)
//! against the CPU and reports every difference.
//!
//! Each case names its memory exactly: a [`SparseBus`] holds those bytes and nothing else, so an
//! access anywhere else is a bus error (an external abort), which the comparison then shows. The
//! CPU gets the case's registers, executes the case's `steps` instructions (one by default; see
//! [`Prepared::new`] for older cases holding a Thumb BL/BLX pair), and its registers, CPSR, the
//! banked registers the case names and every listed byte are compared with the expected state.
//!
//! The engine (`--engine`) says what executes them: the interpreter, the `jit` engine's blocks
//! ([`blocks`]: each instruction compiled to host code on x86-64), or `check`, both from the
//! same state, each held to the case and the two to each other as `--engine check` holds them
//! (the stop, the instruction count, every register of every mode, CP15, the stores in order).
//!
//! The cases come from `tools/difftest/gen.py` (an oracle run of Unicorn); `tests/data/` holds a
//! corpus, replayed by `tests/tests/difftest_corpus.rs` and by `emu difftest FILE...`.

mod blocks;

use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::io::{BufRead, BufReader, Read, Write};
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::bus::{Bus, BusError, Origin, RamPage, Size, PAGE_SIZE};
use crate::cpu::{psr, Cpu, Mode, Stop};
use crate::engine::check::{self, Divergence};
use crate::engine::EngineKind;

use blocks::CaseBlocks;

/// How many cases of a file passed and failed, and in how many compiled code ran.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    pub passed: u64,
    pub failed: u64,
    /// Cases in which the `jit` engine (under `jit` or `check`) ran compiled code: on x86-64
    /// hosts, every case whose instructions are in its memory; elsewhere none.
    pub compiled: u64,
}

/// Replays every case of several files (`emu difftest FILE...`) with `engine`: each file's
/// report and summary line, then, for more than one file, a total line. The error names the
/// file.
pub fn replay_files(
    paths: &[PathBuf],
    engine: EngineKind,
    out: &mut dyn Write,
) -> Result<Summary, String> {
    let mut total = Summary::default();
    for path in paths {
        let summary =
            replay_file(path, engine, out).map_err(|e| format!("{}: {e}", path.display()))?;
        total.passed += summary.passed;
        total.failed += summary.failed;
        total.compiled += summary.compiled;
    }
    if paths.len() > 1 {
        write_summary(out, &total, engine).map_err(|e| format!("cannot write the report: {e}"))?;
    }
    Ok(total)
}

/// Replays every case of a `.jsonl` or `.jsonl.gz` file with `engine`, writing a report of each
/// failure and a closing `N passed, N failed` line to `out`. An unreadable file or a malformed
/// line is an error (the message names the line); failing cases are not.
pub fn replay_file(
    path: &Path,
    engine: EngineKind,
    out: &mut dyn Write,
) -> Result<Summary, String> {
    let file = File::open(path).map_err(|e| format!("cannot open: {e}"))?;
    let reader: Box<dyn Read> = if path.extension().is_some_and(|ext| ext == "gz") {
        Box::new(flate2::read::MultiGzDecoder::new(file))
    } else {
        Box::new(file)
    };
    replay_reader(BufReader::new(reader), engine, out)
}

/// Replays the cases of a JSON-lines stream (see [`replay_file`]).
pub fn replay_reader(
    reader: impl BufRead,
    engine: EngineKind,
    out: &mut dyn Write,
) -> Result<Summary, String> {
    let mut summary = Summary::default();
    let mut blocks = CaseBlocks::default();
    let write_err = |e: std::io::Error| format!("cannot write the report: {e}");
    for (index, line) in reader.lines().enumerate() {
        let line = line.map_err(|e| format!("line {}: cannot read: {e}", index + 1))?;
        if line.trim().is_empty() {
            continue;
        }
        let case: Case =
            serde_json::from_str(&line).map_err(|e| format!("line {}: {e}", index + 1))?;
        let prepared = Prepared::new(&case).map_err(|e| format!("line {}: {e}", index + 1))?;
        let compiled_before = blocks.compiled_runs;
        let diffs = match panic::catch_unwind(AssertUnwindSafe(|| {
            run(&case, &prepared, engine, &mut blocks)
        })) {
            Ok(diffs) => diffs,
            Err(_) => vec!["the emulator panicked".to_string()],
        };
        if blocks.compiled_runs > compiled_before {
            summary.compiled += 1;
        }
        if diffs.is_empty() {
            summary.passed += 1;
        } else {
            summary.failed += 1;
            write_failure(out, &case, &diffs).map_err(write_err)?;
        }
    }
    write_summary(out, &summary, engine).map_err(write_err)?;
    Ok(summary)
}

/// `N passed, N failed`, and under `jit` and `check` in how many cases compiled code ran.
fn write_summary(
    out: &mut dyn Write,
    summary: &Summary,
    engine: EngineKind,
) -> std::io::Result<()> {
    write!(out, "{} passed, {} failed", summary.passed, summary.failed)?;
    if engine != EngineKind::Interp {
        write!(out, " (compiled code ran in {})", summary.compiled)?;
    }
    writeln!(out)
}

// ----- the case format -----

#[derive(Deserialize)]
struct Case {
    id: String,
    isa: String,
    #[serde(default)]
    asm: String,
    initial: State,
    memory: Vec<Region>,
    #[serde(rename = "final")]
    expected: State,
    #[serde(default)]
    memory_after: Vec<Region>,
    #[serde(default)]
    exception: Option<String>,
    #[serde(default)]
    note: Option<String>,
    #[serde(default)]
    steps: Option<u32>,
}

#[derive(Deserialize)]
struct State {
    r: [u32; 16],
    cpsr: u32,
    /// Mode name -> register name (`r8`..`r14`, `spsr`) -> value.
    #[serde(default)]
    banked: BTreeMap<String, BTreeMap<String, u32>>,
}

#[derive(Deserialize)]
struct Region {
    addr: u32,
    bytes: String,
}

/// A banked register named in a case.
#[derive(Clone, Copy)]
enum BankedReg {
    R(usize),
    Spsr,
}

/// A case checked and decoded: what `run` needs, so that a malformed case is an input error
/// rather than a failure.
struct Prepared {
    /// Instructions to execute.
    steps: u32,
    memory: Vec<(u32, Vec<u8>)>,
    memory_after: Vec<(u32, Vec<u8>)>,
    initial_banked: Vec<(Mode, BankedReg, u32)>,
    expected_banked: Vec<(Mode, BankedReg, u32)>,
    exception: Option<(Mode, u32)>,
}

impl Prepared {
    fn new(case: &Case) -> Result<Prepared, String> {
        let thumb = match case.isa.as_str() {
            "arm" => false,
            "thumb" => true,
            other => return Err(format!("case {}: unknown isa {other:?}", case.id)),
        };
        let regions = |list: &[Region]| -> Result<Vec<(u32, Vec<u8>)>, String> {
            list.iter()
                .map(|r| {
                    let bytes = decode_hex(&r.bytes)
                        .ok_or_else(|| format!("case {}: bad hex at {:#x}", case.id, r.addr))?;
                    if r.addr as u64 + bytes.len() as u64 > 1 << 32 {
                        return Err(format!("case {}: region past 4 GiB", case.id));
                    }
                    Ok((r.addr, bytes))
                })
                .collect()
        };
        let exception = match case.exception.as_deref() {
            None => None,
            // ARM ARM A2.6, table A2-4: the exception's mode and vector (low vectors).
            Some("und") => Some((Mode::Undefined, 0x04)),
            Some("swi") => Some((Mode::Supervisor, 0x08)),
            Some("pabt") => Some((Mode::Abort, 0x0C)),
            Some("dabt") => Some((Mode::Abort, 0x10)),
            Some(other) => return Err(format!("case {}: unknown exception {other:?}", case.id)),
        };
        let memory = regions(&case.memory)?;
        let steps = match case.steps {
            Some(0) => return Err(format!("case {}: steps must be at least 1", case.id)),
            Some(n) => n,
            // Older corpora hold a Thumb BL/BLX pair as one case without `steps`.
            None if thumb && holds_bl_pair(&memory, case.initial.r[15]) => 2,
            None => 1,
        };
        Ok(Prepared {
            steps,
            memory,
            memory_after: regions(&case.memory_after)?,
            initial_banked: banked(&case.id, &case.initial.banked)?,
            expected_banked: banked(&case.id, &case.expected.banked)?,
            exception,
        })
    }
}

/// Whether `memory` holds a Thumb BL/BLX prefix (bits 15:11 = 0b11110) at `pc` and a BL or BLX
/// suffix (0b11111, 0b11101) after it. A lone prefix is an instruction of its own in ARMv5 (ARM
/// ARM A7 "BL, BLX (1)"), and so is a lone suffix.
fn holds_bl_pair(memory: &[(u32, Vec<u8>)], pc: u32) -> bool {
    let byte = |addr: u32| {
        memory
            .iter()
            .find_map(|(start, bytes)| bytes.get(addr.wrapping_sub(*start) as usize).copied())
    };
    let top = |addr: u32| {
        byte(addr)?;
        Some(byte(addr.wrapping_add(1))? >> 3)
    };
    top(pc) == Some(0b11110) && matches!(top(pc.wrapping_add(2)), Some(0b11111 | 0b11101))
}

fn banked(
    id: &str,
    map: &BTreeMap<String, BTreeMap<String, u32>>,
) -> Result<Vec<(Mode, BankedReg, u32)>, String> {
    let mut out = Vec::new();
    for (mode_name, regs) in map {
        let mode = Mode::from_name(mode_name)
            .ok_or_else(|| format!("case {id}: unknown mode {mode_name:?}"))?;
        for (name, &value) in regs {
            let reg = match name.as_str() {
                "spsr" if mode.has_spsr() => BankedReg::Spsr,
                _ => match name.strip_prefix('r').and_then(|n| n.parse::<usize>().ok()) {
                    Some(n @ 8..=14) => BankedReg::R(n),
                    _ => return Err(format!("case {id}: bad banked register {mode_name}.{name}")),
                },
            };
            out.push((mode, reg, value));
        }
    }
    Ok(out)
}

fn decode_hex(text: &str) -> Option<Vec<u8>> {
    let pairs = text.as_bytes().chunks_exact(2);
    if !pairs.remainder().is_empty() {
        return None;
    }
    let nibble = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
    pairs
        .map(|pair| Some(nibble(pair[0])? << 4 | nibble(pair[1])?))
        .collect()
}

// ----- running one case -----

/// Runs a case with `engine` and returns its differences (none when it passed).
fn run(
    case: &Case,
    prepared: &Prepared,
    engine: EngineKind,
    blocks: &mut CaseBlocks,
) -> Vec<String> {
    match engine {
        EngineKind::Interp => {
            let (cpu, bus, stop) = execute(case, prepared, None);
            expected(case, prepared, &cpu, &bus, stop)
        }
        EngineKind::Jit => {
            let (cpu, bus, stop) = execute(case, prepared, Some(blocks));
            expected(case, prepared, &cpu, &bus, stop)
        }
        EngineKind::Check => {
            let (icpu, ibus, istop) = execute(case, prepared, None);
            let (jcpu, jbus, jstop) = execute(case, prepared, Some(blocks));
            let side = |name: &'static str, diffs: Vec<String>| {
                diffs.into_iter().map(move |d| format!("{name}: {d}"))
            };
            let mut diffs: Vec<String> =
                side("interp", expected(case, prepared, &icpu, &ibus, istop)).collect();
            diffs.extend(side("jit", expected(case, prepared, &jcpu, &jbus, jstop)));
            diffs.extend(engines_differ((icpu, &ibus, istop), (jcpu, &jbus, jstop)));
            diffs
        }
    }
}

/// The case's machine made and run: the interpreter's loop, with `blocks` running straight-line
/// code for the `jit` engine (`None`: the interpreter). Every store is logged.
fn execute(
    case: &Case,
    prepared: &Prepared,
    blocks: Option<&mut CaseBlocks>,
) -> (Cpu, SparseBus, Stop) {
    let mut bus = SparseBus::new(&prepared.memory);
    let mut cpu = Cpu::new();
    cpu.semihosting = false;
    cpu.set_cpsr(case.initial.cpsr);
    for &(mode, reg, value) in &prepared.initial_banked {
        match reg {
            BankedReg::R(n) => cpu.set_reg_of(mode, n, value),
            BankedReg::Spsr => cpu.set_spsr_of(mode, value),
        }
    }
    for (n, &value) in case.initial.r.iter().enumerate().take(15) {
        cpu.set_reg(n, value);
    }
    cpu.set_pc(case.initial.r[15]);
    cpu.log_stores(true);
    // Memory that is not a whole page is served as a device's would be, and the run loop stops
    // after each such access (`Stop::DeviceAccess`); the machine's loop carries on, as this one
    // does, until the case's instructions are done or the run stops for another reason.
    let steps = prepared.steps as u64;
    let mut blocks = blocks;
    let stop = loop {
        let left = steps - cpu.instructions();
        let stop = match blocks.as_deref_mut() {
            None => cpu.run(&mut bus, left),
            Some(blocks) => cpu.run_with(&mut bus, left, u64::MAX, blocks),
        };
        match stop {
            Stop::DeviceAccess if cpu.instructions() < steps => continue,
            Stop::DeviceAccess => break Stop::Budget,
            stop => break stop,
        }
    };
    (cpu, bus, stop)
}

/// How a run differs from the case's expected state.
fn expected(
    case: &Case,
    prepared: &Prepared,
    cpu: &Cpu,
    bus: &SparseBus,
    stop: Stop,
) -> Vec<String> {
    let mut diffs = Vec::new();
    if stop != Stop::Budget {
        diffs.push(format!(
            "stopped for {stop:?} after {} of {} instructions",
            cpu.instructions(),
            prepared.steps
        ));
    }
    let expected = &case.expected;
    for n in 0..15 {
        let got = cpu.reg(n);
        if got != expected.r[n] {
            diffs.push(format!(
                "r{n}: expected {:#010x}, got {got:#010x}",
                expected.r[n]
            ));
        }
    }
    if cpu.pc() != expected.r[15] {
        diffs.push(format!(
            "pc: expected {:#010x}, got {:#010x}",
            expected.r[15],
            cpu.pc()
        ));
    }
    if cpu.cpsr() != expected.cpsr {
        diffs.push(format!(
            "cpsr: expected {:#010x} ({}), got {:#010x} ({})",
            expected.cpsr,
            psr::describe(expected.cpsr),
            cpu.cpsr(),
            psr::describe(cpu.cpsr())
        ));
    }
    for &(mode, reg, want) in &prepared.expected_banked {
        let (name, got) = match reg {
            BankedReg::R(n) => (format!("r{n}"), cpu.reg_of(mode, n)),
            BankedReg::Spsr => ("spsr".to_string(), cpu.spsr_of(mode).unwrap_or(0)),
        };
        if got != want {
            let extra = match reg {
                BankedReg::Spsr => format!(" ({} vs {})", psr::describe(want), psr::describe(got)),
                BankedReg::R(_) => String::new(),
            };
            diffs.push(format!(
                "{}.{name}: expected {want:#010x}, got {got:#010x}{extra}",
                mode.name()
            ));
        }
    }
    if let Some((mode, vector)) = prepared.exception {
        if cpu.mode() != mode || cpu.pc() != vector {
            diffs.push(format!(
                "exception {}: expected {} mode at {vector:#x}, got {} mode at {:#010x}",
                case.exception.as_deref().unwrap_or(""),
                mode.name(),
                cpu.mode().name(),
                cpu.pc()
            ));
        }
    }
    diffs.extend(compare_memory(bus, prepared));
    diffs
}

/// How the interpreter's run of a case and the jit's differ, as `--engine check` compares them
/// ([`check::compare`]: the instruction count, every register of every mode, CP15), then their
/// stops, their stores in order and all of memory.
fn engines_differ(
    (mut interp, interp_bus, interp_stop): (Cpu, &SparseBus, Stop),
    (mut jit, jit_bus, jit_stop): (Cpu, &SparseBus, Stop),
) -> Vec<String> {
    let mut diffs = Vec::new();
    if let Some(what) = check::compare(&interp, &jit) {
        let divergence = Divergence {
            insns: interp.instructions(),
            pc: interp.pc(),
            what,
        };
        diffs.push(divergence.reason());
    }
    if interp_stop != jit_stop {
        diffs.push(format!(
            "the interpreter stopped for {interp_stop:?}, the jit for {jit_stop:?}"
        ));
    }
    let (theirs, ours) = (interp.take_stores(), jit.take_stores());
    if theirs != ours {
        diffs.push(format!(
            "the interpreter stored {theirs:x?}, the jit {ours:x?}"
        ));
    }
    if let Some(at) = (0..interp_bus.arena.len()).find(|&i| interp_bus.arena[i] != jit_bus.arena[i])
    {
        diffs.push(format!(
            "memory differs between the engines at arena offset {at:#x}"
        ));
    }
    diffs
}

/// Compares every listed byte with the expected memory: `memory_after` where it says, else the
/// initial contents. Runs of differing bytes are reported together.
fn compare_memory(bus: &SparseBus, prepared: &Prepared) -> Vec<String> {
    let mut expected: BTreeMap<u32, u8> = BTreeMap::new();
    for (addr, bytes) in prepared.memory.iter().chain(&prepared.memory_after) {
        for (i, &b) in bytes.iter().enumerate() {
            expected.insert(addr.wrapping_add(i as u32), b);
        }
    }
    let mut diffs = Vec::new();
    let mut run: Option<(u32, Vec<u8>, Vec<u8>)> = None;
    let flush = |run: &mut Option<(u32, Vec<u8>, Vec<u8>)>, diffs: &mut Vec<String>| {
        if let Some((start, want, got)) = run.take() {
            diffs.push(format!(
                "mem[{start:#010x}..+{}]: expected {}, got {}",
                want.len(),
                hex(&want),
                hex(&got)
            ));
        }
    };
    for (&addr, &want) in &expected {
        let got = bus.byte(addr).unwrap_or(want);
        if got == want {
            flush(&mut run, &mut diffs);
            continue;
        }
        match &mut run {
            Some((start, w, g)) if start.wrapping_add(w.len() as u32) == addr => {
                w.push(want);
                g.push(got);
            }
            _ => {
                flush(&mut run, &mut diffs);
                run = Some((addr, vec![want], vec![got]));
            }
        }
    }
    flush(&mut run, &mut diffs);
    diffs
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn write_failure(out: &mut dyn Write, case: &Case, diffs: &[String]) -> std::io::Result<()> {
    write!(out, "FAIL {} `{}`", case.id, case.asm)?;
    if let Some(note) = &case.note {
        write!(out, " [{note}]")?;
    }
    writeln!(
        out,
        " at {:#010x}, from cpsr {:#010x} ({})",
        case.initial.r[15],
        case.initial.cpsr,
        psr::describe(case.initial.cpsr)
    )?;
    for diff in diffs {
        writeln!(out, "    {diff}")?;
    }
    Ok(())
}

// ----- the bus -----

/// A bus holding exactly the bytes a case lists. Every page that holds a listed byte gets a
/// 4 KiB slot in the RAM arena; a page listed whole is handed to the CPU's fast path
/// (`ram_page`), a partly listed one is served through `read`/`write`, which check every byte.
pub struct SparseBus {
    arena: Vec<u8>,
    pages: HashMap<u32, Slot>,
}

struct Slot {
    /// Arena offset of the page.
    offset: u32,
    /// Which bytes of the page are listed.
    listed: Box<[u64; PAGE_SIZE as usize / 64]>,
    /// Every byte is listed.
    whole: bool,
}

impl SparseBus {
    /// A bus with `regions` (address, bytes) mapped and nothing else.
    pub fn new(regions: &[(u32, Vec<u8>)]) -> SparseBus {
        let mut bus = SparseBus {
            arena: Vec::new(),
            pages: HashMap::new(),
        };
        for (addr, bytes) in regions {
            for (i, &b) in bytes.iter().enumerate() {
                let a = addr.wrapping_add(i as u32);
                let page = a & !(PAGE_SIZE - 1);
                let next = bus.arena.len() as u32;
                let slot = bus.pages.entry(page).or_insert_with(|| Slot {
                    offset: next,
                    listed: Box::new([0; PAGE_SIZE as usize / 64]),
                    whole: false,
                });
                if slot.offset == next {
                    bus.arena.resize(next as usize + PAGE_SIZE as usize, 0);
                }
                let within = (a - page) as usize;
                slot.listed[within / 64] |= 1 << (within % 64);
                bus.arena[slot.offset as usize + within] = b;
            }
        }
        for slot in bus.pages.values_mut() {
            slot.whole = slot.listed.iter().all(|&w| w == u64::MAX);
        }
        bus
    }

    /// Arena index of a listed byte.
    fn index(&self, addr: u32) -> Option<usize> {
        let page = addr & !(PAGE_SIZE - 1);
        let slot = self.pages.get(&page)?;
        let within = (addr - page) as usize;
        (slot.listed[within / 64] >> (within % 64) & 1 != 0)
            .then_some(slot.offset as usize + within)
    }

    /// A listed byte.
    pub fn byte(&self, addr: u32) -> Option<u8> {
        self.index(addr).map(|i| self.arena[i])
    }

    /// Arena indices of an access, if every byte of it is listed.
    fn indices(&self, addr: u32, size: Size) -> Option<[usize; 4]> {
        let n = size.bytes();
        if addr as u64 + n as u64 > 1 << 32 {
            return None;
        }
        let mut at = [0; 4];
        for (i, slot) in at.iter_mut().enumerate().take(n as usize) {
            *slot = self.index(addr + i as u32)?;
        }
        Some(at)
    }

    fn load(&self, addr: u32, size: Size) -> Option<u32> {
        let at = self.indices(addr, size)?;
        Some(
            at[..size.bytes() as usize]
                .iter()
                .rev()
                .fold(0, |v, &i| v << 8 | self.arena[i] as u32),
        )
    }
}

impl Bus for SparseBus {
    fn read(&mut self, addr: u32, size: Size, _origin: Origin) -> Result<u32, BusError> {
        self.load(addr, size).ok_or(BusError)
    }

    fn write(
        &mut self,
        addr: u32,
        size: Size,
        value: u32,
        _origin: Origin,
    ) -> Result<(), BusError> {
        let at = self.indices(addr, size).ok_or(BusError)?;
        for (k, &i) in at[..size.bytes() as usize].iter().enumerate() {
            self.arena[i] = (value >> (8 * k)) as u8;
        }
        Ok(())
    }

    fn peek(&self, addr: u32, size: Size) -> Option<u32> {
        self.load(addr, size)
    }

    fn ram_page(&self, addr: u32) -> Option<RamPage> {
        let slot = self.pages.get(&(addr & !(PAGE_SIZE - 1)))?;
        slot.whole.then_some(RamPage {
            offset: slot.offset,
            writable: true,
        })
    }

    fn ram(&self) -> &[u8] {
        &self.arena
    }

    fn ram_mut(&mut self) -> &mut [u8] {
        &mut self.arena
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `adds r0, r1, r2, lsl #3` at 0x1000 in SVC mode.
    const ADDS: &str = r#"{"id":"t-1","isa":"arm","asm":"adds r0, r1, r2, lsl #3","initial":{"r":[0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,4096],"cpsr":211},"memory":[{"addr":4096,"bytes":"820191e0"}],"final":{"r":[17,1,2,3,4,5,6,7,8,9,10,11,12,13,14,4100],"cpsr":211},"memory_after":[]}"#;

    fn replay(text: &str) -> (Summary, String) {
        replay_with(text, EngineKind::Interp)
    }

    fn replay_with(text: &str, engine: EngineKind) -> (Summary, String) {
        let mut out = Vec::new();
        let summary = replay_reader(text.as_bytes(), engine, &mut out).expect("well-formed");
        (summary, String::from_utf8(out).unwrap())
    }

    #[test]
    fn a_correct_case_passes() {
        let (summary, report) = replay(ADDS);
        assert_eq!(
            summary,
            Summary {
                passed: 1,
                failed: 0,
                compiled: 0
            },
            "{report}"
        );
        assert!(report.ends_with("1 passed, 0 failed\n"));
    }

    #[test]
    fn a_wrong_expectation_is_reported_with_the_register() {
        let (summary, report) = replay(&ADDS.replace("[17,", "[18,"));
        assert_eq!(
            summary,
            Summary {
                passed: 0,
                failed: 1,
                compiled: 0
            }
        );
        assert!(
            report.contains("FAIL t-1 `adds r0, r1, r2, lsl #3`"),
            "{report}"
        );
        assert!(
            report.contains("r0: expected 0x00000012, got 0x00000011"),
            "{report}"
        );
    }

    #[test]
    fn stores_are_compared_and_unlisted_memory_aborts() {
        // STR first with the word listed, then without it (the store is a bus error: a data
        // abort to 0x10 in abort mode).
        let case = STR;
        let (summary, report) = replay(case);
        assert_eq!(summary.passed, 1, "{report}");
        let unlisted = case.replace(r#",{"addr":8192,"bytes":"00000000"}"#, "");
        let unlisted = unlisted.replace(r#"[{"addr":8192,"bytes":"78563412"}]"#, "[]");
        let (summary, report) = replay(&unlisted);
        assert_eq!(summary.failed, 1);
        assert!(
            report.contains("pc: expected 0x00001004, got 0x00000010"),
            "{report}"
        );
    }

    #[test]
    fn a_partly_listed_page_is_checked_byte_by_byte() {
        let mut bus = SparseBus::new(&[(0x1000, vec![1, 2, 3, 4]), (0x1FFE, vec![9, 9])]);
        const O: Origin = Origin { now: 0, pc: 0 };
        assert_eq!(bus.read(0x1000, Size::Word, O), Ok(0x0403_0201));
        assert_eq!(bus.read(0x1002, Size::Half, O), Ok(0x0403));
        assert_eq!(bus.read(0x1004, Size::Byte, O), Err(BusError));
        assert_eq!(bus.read(0x1FFE, Size::Word, O), Err(BusError));
        assert_eq!(bus.write(0x0FFF, Size::Half, 0, O), Err(BusError));
        assert_eq!(bus.ram_page(0x1000), None);
    }

    #[test]
    fn a_whole_page_goes_to_the_fast_path() {
        let bus = SparseBus::new(&[(0x3000, vec![7; PAGE_SIZE as usize])]);
        let page = bus.ram_page(0x3123).expect("whole page");
        assert_eq!(bus.ram()[page.offset as usize + 0x123], 7);
        assert_eq!(bus.ram_page(0x4000), None);
    }

    /// A case at 0x1000 in SVC mode (Thumb state with `thumb`) with only the PC and LR set:
    /// `code` is the listed memory there, `pc` and `lr` the expected values, `steps` the field
    /// as written.
    fn case(thumb: bool, code: &str, pc: u32, lr: u32, steps: &str) -> String {
        let cpsr = if thumb { 0xF3 } else { 0xD3 };
        format!(
            r#"{{"id":"s","isa":"{}","initial":{{"r":[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,4096],"cpsr":{cpsr}}},"memory":[{{"addr":4096,"bytes":"{code}"}}],"final":{{"r":[0,0,0,0,0,0,0,0,0,0,0,0,0,0,{lr},{pc}],"cpsr":{cpsr}}}{steps}}}"#,
            if thumb { "thumb" } else { "arm" }
        )
    }

    fn passes(text: &str) -> bool {
        let (summary, report) = replay(text);
        assert_eq!(summary.passed + summary.failed, 1, "{report}");
        summary.passed == 1
    }

    #[test]
    fn steps_says_how_many_instructions_run() {
        // mov lr, #1; add lr, lr, #2
        let code = "01e0a0e302e08ee2";
        assert!(passes(&case(false, code, 0x1004, 1, "")));
        assert!(passes(&case(false, code, 0x1004, 1, r#","steps":1"#)));
        assert!(passes(&case(false, code, 0x1008, 3, r#","steps":2"#)));
        assert!(!passes(&case(false, code, 0x1004, 1, r#","steps":2"#)));
    }

    #[test]
    fn a_case_holding_a_bl_pair_without_steps_is_two_steps() {
        // bl 0x2000: prefix 0xF000 (LR = 0x1004), suffix 0xF800 | 0x7FE; BLX suffix 0xE800 | 0x7FE.
        let bl = "00f0feff";
        assert!(passes(&case(true, bl, 0x2000, 0x1005, "")));
        assert!(passes(&case(true, bl, 0x2000, 0x1005, r#","steps":2"#)));
        // With `steps` 1, the prefix alone.
        assert!(passes(&case(true, bl, 0x1002, 0x1004, r#","steps":1"#)));
        // The BLX pair ends in ARM state.
        let blx = case(true, "00f0feef", 0x2000, 0x1005, "");
        assert!(passes(
            &blx.replace(r#"8192],"cpsr":243"#, r#"8192],"cpsr":211"#)
        ));
    }

    #[test]
    fn a_lone_bl_prefix_is_one_step() {
        // bl prefix 0xF001: LR = 0x1004 + 0x1000. Nothing is listed after it, so a second step
        // would abort.
        for steps in ["", r#","steps":1"#] {
            assert!(passes(&case(true, "01f0", 0x1002, 0x2004, steps)));
        }
        // Followed by something other than a suffix: still one step.
        assert!(passes(&case(true, "01f0c046", 0x1002, 0x2004, "")));
    }

    #[test]
    fn zero_steps_is_malformed() {
        let mut out = Vec::new();
        let err = replay_reader(
            case(false, "01e0a0e3", 0x1000, 0, r#","steps":0"#).as_bytes(),
            EngineKind::Interp,
            &mut out,
        )
        .expect_err("malformed");
        assert!(err.contains("steps must be at least 1"), "{err}");
    }

    #[test]
    fn malformed_lines_are_errors_naming_the_line() {
        let mut out = Vec::new();
        let err = replay_reader(
            format!("{ADDS}\n{{\"id\":1}}\n").as_bytes(),
            EngineKind::Interp,
            &mut out,
        )
        .expect_err("malformed");
        assert!(err.starts_with("line 2:"), "{err}");
    }

    /// Under `check` a case runs in both engines, the jit's compiled on x86-64 hosts, and a
    /// wrong expectation is reported for each.
    #[test]
    fn check_runs_the_case_in_both_engines() {
        let (summary, report) = replay_with(ADDS, EngineKind::Check);
        assert_eq!((summary.passed, summary.failed), (1, 0), "{report}");
        assert_eq!(summary.compiled, cfg!(target_arch = "x86_64") as u64);
        let (summary, report) = replay_with(&ADDS.replace("[17,", "[18,"), EngineKind::Check);
        assert_eq!(summary.failed, 1);
        for engine in ["interp", "jit"] {
            assert!(
                report.contains(&format!(
                    "{engine}: r0: expected 0x00000012, got 0x00000011"
                )),
                "{report}"
            );
        }
        // A store, and one to an unlisted word (a data abort), agree too.
        let (summary, report) = replay_with(STR, EngineKind::Check);
        assert_eq!((summary.passed, summary.failed), (1, 0), "{report}");
    }

    /// `str r0, [r1]` with r1 = 0x2000 and the word listed.
    const STR: &str = r#"{"id":"t-2","isa":"arm","asm":"str r0, [r1]","initial":{"r":[305419896,8192,0,0,0,0,0,0,0,0,0,0,0,0,0,4096],"cpsr":211},"memory":[{"addr":4096,"bytes":"000081e5"},{"addr":8192,"bytes":"00000000"}],"final":{"r":[305419896,8192,0,0,0,0,0,0,0,0,0,0,0,0,0,4100],"cpsr":211},"memory_after":[{"addr":8192,"bytes":"78563412"}]}"#;

    /// What `check` compares between the engines' runs: each kind of difference is reported.
    #[test]
    fn the_engines_differing_is_reported() {
        let case: Case = serde_json::from_str(STR).unwrap();
        let prepared = Prepared::new(&case).unwrap();
        let run = || execute(&case, &prepared, None);
        let ((a, abus, astop), (b, bbus, bstop)) = (run(), run());
        assert_eq!(
            engines_differ((a, &abus, astop), (b, &bbus, bstop)),
            Vec::<String>::new()
        );

        let ((a, abus, astop), (mut b, mut bbus, _)) = (run(), run());
        b.set_reg(3, 7);
        bbus.arena[0] ^= 1;
        let diffs = engines_differ((a, &abus, astop), (b, &bbus, Stop::DeviceAccess));
        assert_eq!(diffs.len(), 3, "{diffs:?}");
        assert!(
            diffs[0].contains("r3 is 0x00000000 in the interpreter, 0x00000007 in the jit"),
            "{diffs:?}"
        );
        assert!(diffs[1].contains("the jit for DeviceAccess"), "{diffs:?}");
        assert!(diffs[2].contains("memory differs"), "{diffs:?}");

        let ((a, abus, astop), (mut b, mut bbus, bstop)) = (run(), run());
        // The jit side runs the STR once more: one store more in its log.
        b.set_pc(0x1000);
        let _ = b.run(&mut bbus, 1);
        let diffs = engines_differ((a, &abus, astop), (b, &bbus, bstop));
        assert!(
            diffs.iter().any(|d| d.contains("the interpreter stored")),
            "{diffs:?}"
        );
    }
}
