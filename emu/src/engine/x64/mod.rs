//! The x86-64 backend of the `jit` engine: hot translation blocks compiled to host code.
//!
//! A block ([`super::blocks`]) runs through the op runner until it has run [`HOT`] times; then
//! it is compiled ([`emit`]) into the code cache, an executable buffer of [`CACHE_BYTES`]
//! emptied whole when full. Compiled code is entered only where it behaves exactly as the op
//! runner would: at the address it was compiled for, and only when the whole block fits in the
//! instruction budget (else the op runner runs it, stopping at the budget's last instruction).
//!
//! The assembler is dynasm-rs: its macros encode x86-64 at compile time into plain byte pushes,
//! so compiling a block costs little and its runtime is small (an executable buffer type);
//! iced-x86's code assembler would have been a much larger build on a 2-core machine.

mod emit;
pub mod lower;
pub mod trial;

use dynasmrt::{AssemblyOffset, ExecutableBuffer};

use crate::bus::Bus;
use crate::cpu::{Cpu, Op};

pub use crate::cpu::{EngineLayout as Layout, TLB_SETS};

/// Runs through the op runner before a block is compiled.
pub const HOT: u32 = 4;

/// The code cache's size; when a block does not fit, every compiled block is dropped.
const CACHE_BYTES: usize = 16 << 20;

/// What compiled code reads at its entry (`emit` names the fields by their offsets).
#[repr(C)]
pub struct Context {
    /// The bus, for handler calls.
    bus: usize,
    /// The instruction count at the block's entry.
    base: u64,
    /// The RAM arena and its length.
    arena: usize,
    arena_len: u64,
    /// The current mode's TLB tables for reads and for writes.
    read_table: usize,
    write_table: usize,
}

impl Context {
    const BASE: i32 = 8;
    const ARENA: i32 = 16;
    const ARENA_LEN: i32 = 24;
    const READ_TABLE: i32 = 32;
    const WRITE_TABLE: i32 = 40;
}

/// A compiled block's entry point.
type Entry = unsafe extern "sysv64" fn(*mut Cpu, *mut Context);

/// Runs one op for compiled code, as [`Cpu::call_op`] says; true when the block must end.
///
/// # Safety
/// The pointers are the CPU, the context (whose `bus` is a `B`) and an op of a live block.
unsafe extern "sysv64" fn call_op<B: Bus>(
    cpu: *mut Cpu,
    context: *mut Context,
    op: *const Op<B>,
    pc: u32,
    count: u32,
) -> bool {
    // SAFETY: compiled code passes what `Code::run` gave it and an op of the block it runs.
    unsafe {
        let context = &mut *context;
        let bus = &mut *(context.bus as *mut B);
        (*cpu).call_op(bus, &*op, pc, context.base + count as u64)
    }
}

/// A compiled block: where its code is and the address it was compiled for.
#[derive(Clone, Copy)]
pub struct Compiled {
    at: AssemblyOffset,
    pc: u32,
    /// Its generation of the cache: a block compiled before the cache was last emptied is
    /// gone.
    generation: u32,
}

/// How much the backend did, for `--stats`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    pub compiled: u64,
    pub compiled_runs: u64,
    pub flushes: u64,
}

/// The code cache.
pub struct Code {
    /// `None` if executable memory could not be had: nothing is compiled then.
    buffer: Option<ExecutableBuffer>,
    used: usize,
    generation: u32,
    layout: Layout,
    pub stats: Stats,
}

impl Default for Code {
    fn default() -> Self {
        Code {
            buffer: None,
            used: 0,
            generation: 0,
            layout: Cpu::engine_layout(),
            stats: Stats::default(),
        }
    }
}

impl Code {
    /// Drops every compiled block.
    pub fn flush(&mut self) {
        self.used = 0;
        self.generation = self.generation.wrapping_add(1);
    }

    /// Whether `compiled` is still in the cache.
    pub fn holds(&self, compiled: &Compiled) -> bool {
        compiled.generation == self.generation
    }

    /// Compiles the block `ops` at `pc` (`thumb` or ARM); `None` if it cannot be (no executable
    /// memory). A full cache is emptied first.
    pub(crate) fn compile<B: Bus>(
        &mut self,
        ops: &[Op<B>],
        pc: u32,
        thumb: bool,
    ) -> Option<Compiled> {
        let size = if thumb { 2 } else { 4 };
        let insns: Vec<emit::Insn> = ops
            .iter()
            .enumerate()
            .map(|(i, op)| {
                let at = pc.wrapping_add(i as u32 * size);
                let (native, cond) = if thumb {
                    let cond = lower::thumb_branch_condition(op.insn()).unwrap_or(0xE);
                    (lower::thumb(op.insn(), at), cond)
                } else {
                    (lower::arm(op.insn(), at), op.cond())
                };
                emit::Insn {
                    pc: at,
                    cond,
                    native,
                    op: op as *const Op<B> as usize,
                }
            })
            .collect();
        let call = call_op::<B> as unsafe extern "sysv64" fn(_, _, _, _, _) -> _ as usize;
        let bytes = emit::block(&insns, size, call, &self.layout)?;
        if self.buffer.is_none() {
            self.buffer = Some(ExecutableBuffer::new(CACHE_BYTES).ok()?);
        }
        if self.used + bytes.len() > CACHE_BYTES {
            self.flush();
            self.stats.flushes += 1;
            if bytes.len() > CACHE_BYTES {
                return None;
            }
        }
        let at = self.used;
        let mut writable = self.buffer.take()?.make_mut().ok()?;
        writable.set_len(at + bytes.len());
        writable[at..].copy_from_slice(&bytes);
        self.buffer = Some(writable.make_exec().ok()?);
        self.used = at + bytes.len();
        self.stats.compiled += 1;
        Some(Compiled {
            at: AssemblyOffset(at),
            pc,
            generation: self.generation,
        })
    }

    /// Runs a compiled block if it may run now: it is in the cache, compiled for `pc`, and all
    /// its `len` instructions fit before `end`. False if it did not run.
    pub fn run<B: Bus>(
        &mut self,
        compiled: &Compiled,
        len: usize,
        cpu: &mut Cpu,
        bus: &mut B,
        end: u64,
    ) -> bool {
        if compiled.pc != cpu.pc()
            || compiled.generation != self.generation
            || cpu.instructions() + len as u64 > end
        {
            return false;
        }
        let Some(buffer) = &self.buffer else {
            return false;
        };
        let (read_table, write_table) = cpu.tlb_tables();
        let arena = bus.ram_mut();
        let mut context = Context {
            bus: 0,
            base: cpu.instructions(),
            arena: arena.as_mut_ptr() as usize,
            arena_len: arena.len() as u64,
            read_table: read_table as usize,
            write_table: write_table as usize,
        };
        context.bus = bus as *mut B as usize;
        // SAFETY: the code at `compiled.at` is a block `emit` compiled for this bus type, whose
        // ops are alive (a dropped block's `Compiled` is dropped with it); it reads and writes
        // the CPU and the arena within the bounds in the context.
        unsafe {
            let entry: Entry = std::mem::transmute(buffer.ptr(compiled.at));
            entry(cpu, &mut context);
        }
        self.stats.compiled_runs += 1;
        true
    }
}
