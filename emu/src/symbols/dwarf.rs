//! DWARF, read with `gimli`: the line tables (`.debug_line`, one program per unit of
//! `.debug_info`) and the call frame information (`.debug_frame`).

use gimli::{EndianSlice, LittleEndian, UnwindSection};

type Slice<'a> = EndianSlice<'a, LittleEndian>;

/// One row of a line table: code from `addr` on is `line` of file `file` (an index into
/// [`LineTable::files`]), up to the next row; an end row closes a sequence.
#[derive(Clone, Copy, Debug)]
struct Row {
    addr: u32,
    file: usize,
    line: u32,
    end: bool,
    stmt: bool,
}

/// Addresses to source lines and back.
pub struct LineTable {
    rows: Vec<Row>,
    files: Vec<String>,
}

/// A path as the DWARF states it, without a leading `./`.
fn tidy_path(dir: Option<&str>, name: &str) -> String {
    let joined = match dir {
        Some(dir) if !dir.is_empty() && dir != "." && !name.starts_with('/') => {
            format!("{}/{name}", dir.trim_end_matches('/'))
        }
        _ => name.to_string(),
    };
    let mut path = joined.as_str();
    while let Some(rest) = path.strip_prefix("./") {
        path = rest;
    }
    path.to_string()
}

impl LineTable {
    /// The line tables of the units in `.debug_info`; `None` if there is no `.debug_line`.
    pub(super) fn read<'a>(
        section: &dyn Fn(&str) -> Option<&'a [u8]>,
    ) -> Result<Option<LineTable>, gimli::Error> {
        if section(".debug_line").is_none() {
            return Ok(None);
        }
        let load = |id: gimli::SectionId| -> Result<Slice<'a>, gimli::Error> {
            Ok(EndianSlice::new(
                section(id.name()).unwrap_or_default(),
                LittleEndian,
            ))
        };
        let dwarf = gimli::Dwarf::load(load)?;
        let mut table = LineTable {
            rows: Vec::new(),
            files: Vec::new(),
        };
        let mut units = dwarf.units();
        while let Some(header) = units.next()? {
            let unit = dwarf.unit(header)?;
            let Some(program) = unit.line_program.clone() else {
                continue;
            };
            let mut rows = program.rows();
            // This unit's file indices to the table's.
            let mut known: Vec<(u64, usize)> = Vec::new();
            while let Some((header, row)) = rows.next_row()? {
                let index = row.file_index();
                let file = match known.iter().find(|(i, _)| *i == index) {
                    Some(&(_, f)) => f,
                    None => {
                        let path = match row.file(header) {
                            Some(entry) => {
                                let name = dwarf.attr_string(&unit, entry.path_name())?;
                                let dir = match entry.directory(header) {
                                    Some(d) => Some(dwarf.attr_string(&unit, d)?),
                                    None => None,
                                };
                                tidy_path(
                                    dir.map(|d| d.to_string_lossy().into_owned()).as_deref(),
                                    &name.to_string_lossy(),
                                )
                            }
                            None => "?".to_string(),
                        };
                        let f = match table.files.iter().position(|p| *p == path) {
                            Some(f) => f,
                            None => {
                                table.files.push(path);
                                table.files.len() - 1
                            }
                        };
                        known.push((index, f));
                        f
                    }
                };
                let Ok(addr) = u32::try_from(row.address()) else {
                    continue;
                };
                table.rows.push(Row {
                    addr,
                    file,
                    line: row.line().map_or(0, |l| l.get() as u32),
                    end: row.end_sequence(),
                    stmt: row.is_stmt(),
                });
            }
        }
        // Sequences end where others may start: at one address an end row comes first.
        table.rows.sort_by_key(|r| (r.addr, !r.end));
        Ok(Some(table))
    }

    /// The file and line of the code at `addr`.
    pub fn line_of(&self, addr: u32) -> Option<(&str, u32)> {
        let after = self.rows.partition_point(|r| r.addr <= addr);
        let row = self.rows.get(after.checked_sub(1)?)?;
        if row.end || row.line == 0 {
            return None;
        }
        Some((self.files.get(row.file)?.as_str(), row.line))
    }

    /// Where the prologue of the function at `start` (its code up to `end`) ends, as gdb puts
    /// a breakpoint on a function's name: GCC gives the function's first line a row, and the
    /// body's first statement the next; two rows at `start` mean there is no prologue. `None`
    /// where the line table has no row at `start`.
    pub(super) fn after_prologue(&self, start: u32, end: u32) -> Option<u32> {
        let first = self.rows.partition_point(|r| r.addr < start);
        let mut rows = self.rows[first..]
            .iter()
            .take_while(|r| r.addr < end)
            .filter(|r| !r.end && r.line != 0);
        rows.next().filter(|r| r.addr == start)?;
        // A function of one line (or one row) has nothing to skip.
        Some(rows.next().map_or(start, |r| r.addr))
    }

    /// The lowest address of a statement on `line` of `file` (a path, or the end of one after
    /// a `/`), or of the nearest line after it that has code, as gdb places a breakpoint.
    pub(super) fn address_of(&self, file: &str, line: u32) -> Result<u32, String> {
        let matches = |path: &str| path == file || path.ends_with(&format!("/{file}"));
        let files: Vec<usize> = (0..self.files.len())
            .filter(|&f| matches(&self.files[f]))
            .collect();
        if files.is_empty() {
            return Err(format!("no source file '{file}' in the line table"));
        }
        let best = self
            .rows
            .iter()
            .filter(|r| !r.end && r.stmt && files.contains(&r.file) && r.line >= line)
            .min_by_key(|r| (r.line, r.addr));
        best.map(|r| r.addr)
            .ok_or_else(|| format!("no code at or after line {line} of {file}"))
    }
}

/// A frame's registers as unwinding finds them: r0-r15, `None` where unknown.
pub type Registers = [Option<u32>; 16];

/// What unwinding one frame found.
pub enum Unwound {
    /// The caller's registers (its pc the return address).
    Caller(Registers),
    /// No call frame information covers the address.
    NoInfo,
}

/// The call frame information of `.debug_frame`.
pub struct Frames {
    bytes: Vec<u8>,
}

impl Frames {
    pub(super) fn new(bytes: Vec<u8>) -> Frames {
        Frames { bytes }
    }

    /// Unwinds the frame of the code at `addr` whose registers are `regs`: the caller's
    /// registers, reading saved ones with `read`. ARM's DWARF register numbers are r0-r15 as
    /// 0-15 (DWARF for the ARM Architecture, 4.1); the return address is in r14.
    pub fn unwind(
        &self,
        addr: u32,
        regs: &Registers,
        read: &dyn Fn(u32) -> Option<u32>,
    ) -> Result<Unwound, String> {
        let mut section = gimli::DebugFrame::new(&self.bytes, LittleEndian);
        section.set_address_size(4);
        let bases = gimli::BaseAddresses::default();
        let mut context = gimli::UnwindContext::new();
        let row = match section.unwind_info_for_address(
            &bases,
            &mut context,
            u64::from(addr),
            gimli::DebugFrame::cie_from_offset,
        ) {
            Ok(row) => row,
            Err(gimli::Error::NoUnwindInfoForAddress) => return Ok(Unwound::NoInfo),
            Err(e) => return Err(format!("call frame information: {e}")),
        };
        let cfa = match row.cfa() {
            gimli::CfaRule::RegisterAndOffset { register, offset } => {
                let base = regs
                    .get(usize::from(register.0))
                    .copied()
                    .flatten()
                    .ok_or("the frame's base register is unknown")?;
                base.wrapping_add(*offset as u32)
            }
            gimli::CfaRule::Expression(_) => {
                return Err("a frame address given as a DWARF expression".to_string())
            }
        };
        let mut caller = *regs;
        for (n, slot) in caller.iter_mut().enumerate().take(15) {
            match row.register(gimli::Register(n as u16)) {
                // Registers the CFI does not mention keep their values (GCC describes only
                // those a function saves).
                gimli::RegisterRule::Undefined | gimli::RegisterRule::SameValue => {}
                gimli::RegisterRule::Offset(off) => {
                    let at = cfa.wrapping_add(off as u32);
                    *slot = Some(read(at).ok_or_else(|| {
                        format!("r{n}'s saved value at 0x{at:08x} cannot be read")
                    })?);
                }
                gimli::RegisterRule::ValOffset(off) => *slot = Some(cfa.wrapping_add(off as u32)),
                gimli::RegisterRule::Register(r) => {
                    *slot = regs.get(usize::from(r.0)).copied().flatten();
                }
                _ => *slot = None,
            }
        }
        caller[13] = Some(cfa);
        caller[15] = caller[14];
        Ok(Unwound::Caller(caller))
    }
}
