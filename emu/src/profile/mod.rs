//! The profiler: instructions and cycles per address and per function (flat and inclusive),
//! calls between functions, and exceptions and interrupts entered, written as text
//! ([`report::text`]), in callgrind's format for KCachegrind and `callgrind_annotate`
//! ([`report::callgrind`]), or as folded stacks for flame graphs ([`report::folded`]).
//!
//! While a profiler is on the machine ([`crate::machine::Machine::profiler`]) the machine runs
//! one instruction a slice and shows the profiler each ([`Profiler::observe`]): the CPU's loop
//! is the same as without, and a machine without a profiler pays one test a slice.
//!
//! Calls and returns are followed on a shadow stack, by what the instructions did rather than
//! by decoding them: a call is a jump that left the return address in lr (BL, BLX, a Thumb BL
//! pair's second half, `mov lr, pc` before a load of the pc), a return a jump to the return
//! address of a frame on the stack (`bx lr`, `mov pc, lr`, `pop {pc}`, `ldm` with the pc,
//! `subs pc, lr, #4`), an exception the CPU entering a vector with the SPSR holding the CPSR
//! of before (ARM ARM A2.6). Returns that skip frames (longjmp) pop them all.

pub mod report;
pub mod symbols;

use std::collections::HashMap;

use crate::cpu::{Cpu, Mode};
use symbols::Symbols;

/// Frames the shadow stack holds at most; deeper calls are counted but not followed.
const MAX_DEPTH: usize = 4096;

/// Instructions and cycles.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Cost {
    pub instructions: u64,
    pub cycles: u64,
}

impl std::ops::AddAssign for Cost {
    fn add_assign(&mut self, other: Cost) {
        self.instructions += other.instructions;
        self.cycles += other.cycles;
    }
}

impl std::ops::Sub for Cost {
    type Output = Cost;
    fn sub(self, other: Cost) -> Cost {
        Cost {
            instructions: self.instructions - other.instructions,
            cycles: self.cycles - other.cycles,
        }
    }
}

/// The exceptions, by vector offset (ARM ARM A2.6), as the reports name them.
pub const EXCEPTIONS: [(u32, &str); 7] = [
    (0x00, "reset"),
    (0x04, "undefined instruction"),
    (0x08, "SWI"),
    (0x0C, "prefetch abort"),
    (0x10, "data abort"),
    (0x18, "IRQ"),
    (0x1C, "FIQ"),
];

/// One activation on the shadow stack.
#[derive(Clone, Copy, Debug)]
struct Frame {
    /// The function (its symbol's start, or the address called).
    function: u32,
    /// Its call path's node in [`Profiler::paths`].
    node: usize,
    /// The call instruction (or the interrupted one), and its function.
    site: u32,
    caller: u32,
    /// Where it returns to.
    returns_to: u32,
    /// The profile's totals when it was entered.
    entered: Cost,
}

/// The CPU before an instruction.
#[derive(Clone, Copy, Debug)]
pub struct Before {
    pc: u32,
    cpsr: u32,
    mode: Mode,
    cost: Cost,
}

impl Before {
    pub fn take(cpu: &Cpu) -> Before {
        Before {
            pc: cpu.pc(),
            cpsr: cpu.cpsr(),
            mode: cpu.mode(),
            cost: Cost {
                instructions: cpu.instructions(),
                cycles: cpu.cycles(),
            },
        }
    }
}

/// An address's counts.
#[derive(Clone, Copy, Debug, Default)]
pub struct AddressCost {
    /// The function it belongs to.
    pub function: u32,
    pub cost: Cost,
}

/// Calls from one call site to one function.
#[derive(Clone, Copy, Debug, Default)]
pub struct Calls {
    pub count: u64,
    /// What the calls cost, the callee's callees included.
    pub inclusive: Cost,
}

/// A profile being taken.
pub struct Profiler {
    symbols: Symbols,
    /// Counted so far.
    total: Cost,
    /// Cycles the CPU waited for an interrupt between instructions.
    waiting: u64,
    /// The CPU's clock after the last instruction seen.
    last_cycles: Option<u64>,
    addresses: HashMap<u32, AddressCost>,
    /// By (caller, call site, callee).
    calls: HashMap<(u32, u32, u32), Calls>,
    /// Inclusive costs of finished activations (outermost ones, for recursion), by function.
    inclusive: HashMap<u32, Cost>,
    /// Entries by function.
    entries: HashMap<u32, u64>,
    /// Exceptions entered, by vector offset.
    exceptions: HashMap<u32, u64>,
    stack: Vec<Frame>,
    /// The function running at the bottom of the stack (where the profile started).
    root: Option<u32>,
    /// The call paths seen, as a tree: each node's parent (the root's is itself) and function.
    paths: Vec<(usize, u32)>,
    /// Nodes by (parent, function).
    children: HashMap<(usize, u32), usize>,
    /// Instructions by (call path, function of the address), for folded stacks.
    stacks: HashMap<(usize, u32), u64>,
}

impl Profiler {
    /// A profile naming functions by `symbols`.
    pub fn new(symbols: Symbols) -> Profiler {
        Profiler {
            symbols,
            total: Cost::default(),
            waiting: 0,
            last_cycles: None,
            addresses: HashMap::new(),
            calls: HashMap::new(),
            inclusive: HashMap::new(),
            entries: HashMap::new(),
            exceptions: HashMap::new(),
            stack: Vec::new(),
            root: None,
            paths: Vec::new(),
            children: HashMap::new(),
            stacks: HashMap::new(),
        }
    }

    /// The function `pc` belongs to: its symbol's, or the innermost frame's.
    fn function_of(&self, pc: u32) -> u32 {
        match self.symbols.function_at(pc) {
            Some(function) => function.addr,
            None => self.stack.last().map_or(pc, |f| f.function),
        }
    }

    /// Takes in what the CPU did since `before` (one instruction, with the exception it may
    /// have entered first).
    pub fn observe(&mut self, before: &Before, cpu: &Cpu) {
        let after = Cost {
            instructions: cpu.instructions(),
            cycles: cpu.cycles(),
        };
        if let Some(last) = self.last_cycles {
            self.waiting += before.cost.cycles.saturating_sub(last);
        }
        self.last_cycles = Some(after.cycles);
        let spent = after - before.cost;
        if spent.instructions == 0 {
            return;
        }
        if self.root.is_none() {
            let root = self.function_of(before.pc);
            self.root = Some(root);
            self.paths.push((0, root));
        }
        let thumb = before.cpsr & crate::cpu::psr::T != 0;
        let size = if thumb { 2 } else { 4 };
        let pc = cpu.pc();
        let mode = cpu.mode();
        let lr = cpu.reg(14);
        let vectors = cpu.cp15.vector_base();
        let entered = cpu.spsr_of(mode) == Some(before.cpsr);
        // An interrupt taken before the instruction at `before.pc`: the CPU entered IRQ or FIQ
        // mode and ran the vector's instruction (lr = the interrupted instruction + 4).
        let interrupt = (mode == Mode::Irq || mode == Mode::Fiq)
            && mode != before.mode
            && entered
            && lr == before.pc.wrapping_add(4);
        if interrupt {
            let offset = if mode == Mode::Irq { 0x18 } else { 0x1C };
            let vector = vectors.wrapping_add(offset);
            self.exception(offset, vector, before.pc, before.pc);
            self.count(vector, spent);
            return;
        }
        self.count(before.pc, spent);
        if pc == before.pc.wrapping_add(size) {
            return;
        }
        // Entering a vector: SWI and undefined instructions return after the instruction,
        // aborts to it (lr = it + 4 for a prefetch abort, + 8 for a data abort).
        let offset = pc.wrapping_sub(vectors);
        let exception = match offset {
            0x04 | 0x08 if lr == before.pc.wrapping_add(size) => Some(before.pc.wrapping_add(size)),
            0x0C if lr == before.pc.wrapping_add(4) => Some(before.pc),
            0x10 if lr == before.pc.wrapping_add(8) => Some(before.pc),
            _ => None,
        };
        if let Some(returns_to) = exception.filter(|_| entered) {
            self.exception(offset, pc, before.pc, returns_to);
            return;
        }
        if let Some(depth) = self.stack.iter().rposition(|f| f.returns_to == pc & !1) {
            self.pop_to(depth);
            return;
        }
        if lr & !1 == before.pc.wrapping_add(size) {
            self.push(pc, before.pc, lr & !1);
        }
    }

    fn count(&mut self, pc: u32, spent: Cost) {
        let function = self.function_of(pc);
        let node = self.stack.last().map_or(0, |f| f.node);
        *self.stacks.entry((node, function)).or_default() += spent.instructions;
        let entry = self.addresses.entry(pc).or_insert(AddressCost {
            function,
            cost: Cost::default(),
        });
        entry.cost += spent;
        self.total += spent;
    }

    fn exception(&mut self, offset: u32, vector: u32, site: u32, returns_to: u32) {
        *self.exceptions.entry(offset).or_default() += 1;
        self.push(vector, site, returns_to);
    }

    fn push(&mut self, target: u32, site: u32, returns_to: u32) {
        let caller = self.function_of(site);
        let function = self.function_of_target(target);
        *self.entries.entry(function).or_default() += 1;
        if self.stack.len() < MAX_DEPTH {
            let parent = self.stack.last().map_or(0, |f| f.node);
            let next = self.paths.len();
            let node = *self.children.entry((parent, function)).or_insert(next);
            if node == next {
                self.paths.push((parent, function));
            }
            self.stack.push(Frame {
                function,
                node,
                site,
                caller,
                returns_to,
                entered: self.total,
            });
        }
    }

    /// The function a call enters: the symbol's, or the address called when there is none.
    fn function_of_target(&self, target: u32) -> u32 {
        self.symbols.function_at(target).map_or(target, |f| f.addr)
    }

    /// Returns from the frame at `depth` (and any above it).
    fn pop_to(&mut self, depth: usize) {
        while self.stack.len() > depth {
            let Some(frame) = self.stack.pop() else {
                break;
            };
            self.finish(&frame);
        }
    }

    /// Counts a finished activation (or one still running, for a report).
    fn finish(&mut self, frame: &Frame) {
        let spent = self.total - frame.entered;
        let calls = self
            .calls
            .entry((frame.caller, frame.site, frame.function))
            .or_default();
        calls.count += 1;
        calls.inclusive += spent;
        // Only an outermost activation adds: a recursive one is inside it.
        if !self.stack.iter().any(|f| f.function == frame.function) {
            *self.inclusive.entry(frame.function).or_default() += spent;
        }
    }

    /// The machine went elsewhere in time (reverse execution): the activations running are
    /// counted as returned here, and the stack starts again empty.
    pub fn travelled(&mut self) {
        self.pop_to(0);
        self.last_cycles = None;
    }

    /// The profile as it stands, with the activations still running counted as if they
    /// returned now.
    pub fn snapshot(&self) -> Profile {
        let mut copy = Profiler {
            symbols: Symbols::default(),
            total: self.total,
            waiting: self.waiting,
            last_cycles: None,
            addresses: HashMap::new(),
            calls: self.calls.clone(),
            inclusive: self.inclusive.clone(),
            entries: HashMap::new(),
            exceptions: HashMap::new(),
            stack: self.stack.clone(),
            root: self.root,
            paths: Vec::new(),
            children: HashMap::new(),
            stacks: HashMap::new(),
        };
        copy.pop_to(0);
        let mut inclusive = copy.inclusive;
        if let Some(root) = self.root {
            if !self.stack.iter().any(|f| f.function == root) {
                inclusive.insert(root, self.total);
            }
        }
        let name = |addr: u32| match self.symbols.function_at(addr) {
            Some(f) if f.addr == addr => f.name.clone(),
            _ => format!("0x{addr:08x}"),
        };
        let mut functions: HashMap<u32, FunctionCost> = HashMap::new();
        for (&pc, cost) in &self.addresses {
            let f = functions
                .entry(cost.function)
                .or_insert_with(|| FunctionCost {
                    addr: cost.function,
                    name: name(cost.function),
                    ..FunctionCost::default()
                });
            f.own += cost.cost;
            f.addresses.push((pc, cost.cost));
        }
        for (&addr, &cost) in &inclusive {
            functions
                .entry(addr)
                .or_insert_with(|| FunctionCost {
                    addr,
                    name: name(addr),
                    ..FunctionCost::default()
                })
                .inclusive = cost;
        }
        for (&addr, &count) in &self.entries {
            if let Some(f) = functions.get_mut(&addr) {
                f.calls = count;
            }
        }
        let mut functions: Vec<FunctionCost> = functions.into_values().collect();
        for f in &mut functions {
            f.addresses.sort_by_key(|&(pc, _)| pc);
            // A function never returned from nor called (the root, unseen frames) includes
            // at least itself.
            if f.inclusive.instructions < f.own.instructions {
                f.inclusive = f.own;
            }
        }
        functions.sort_by(|a, b| {
            b.own
                .instructions
                .cmp(&a.own.instructions)
                .then(a.addr.cmp(&b.addr))
        });
        let mut calls: Vec<CallEdge> = copy
            .calls
            .iter()
            .map(|(&(caller, site, callee), &c)| CallEdge {
                caller,
                site,
                callee,
                calls: c,
            })
            .collect();
        calls.sort_by_key(|c| (c.caller, c.site, c.callee));
        let mut exceptions: Vec<(&'static str, u64)> = EXCEPTIONS
            .iter()
            .filter_map(|&(offset, name)| self.exceptions.get(&offset).map(|&n| (name, n)))
            .collect();
        exceptions.sort_by_key(|e| std::cmp::Reverse(e.1));
        let mut stacks: Vec<(String, u64)> = self
            .stacks
            .iter()
            .map(|(&(node, function), &count)| {
                let mut names = Vec::new();
                let mut at = node;
                while let Some(&(parent, f)) = self.paths.get(at) {
                    names.push(name(f));
                    if at == 0 {
                        break;
                    }
                    at = parent;
                }
                names.reverse();
                if self.paths.get(node).map(|&(_, f)| f) != Some(function) {
                    names.push(name(function));
                }
                (names.join(";"), count)
            })
            .collect();
        stacks.sort();
        Profile {
            stacks,
            total: self.total,
            waiting: self.waiting,
            functions,
            calls,
            exceptions,
        }
    }
}

/// A function's costs in a profile.
#[derive(Clone, Debug, Default)]
pub struct FunctionCost {
    pub addr: u32,
    pub name: String,
    /// Its own instructions (flat).
    pub own: Cost,
    /// With those of what it called (inclusive).
    pub inclusive: Cost,
    /// Times it was entered.
    pub calls: u64,
    /// Its addresses and their costs, in address order.
    pub addresses: Vec<(u32, Cost)>,
}

/// Calls from one call site to one function.
#[derive(Clone, Copy, Debug)]
pub struct CallEdge {
    pub caller: u32,
    pub site: u32,
    pub callee: u32,
    pub calls: Calls,
}

/// A finished profile, for the reports.
#[derive(Clone, Debug, Default)]
pub struct Profile {
    pub total: Cost,
    /// Cycles spent waiting for an interrupt.
    pub waiting: u64,
    /// By own instructions, most first.
    pub functions: Vec<FunctionCost>,
    pub calls: Vec<CallEdge>,
    /// Exceptions and interrupts entered, by name, most first.
    pub exceptions: Vec<(&'static str, u64)>,
    /// Instructions by call path (`outer;...;inner`), in the order of the paths.
    pub stacks: Vec<(String, u64)>,
}

impl Profile {
    /// The function whose start is `addr`.
    pub fn function(&self, addr: u32) -> Option<&FunctionCost> {
        self.functions.iter().find(|f| f.addr == addr)
    }

    /// The function named `name`.
    pub fn named(&self, name: &str) -> Option<&FunctionCost> {
        self.functions.iter().find(|f| f.name == name)
    }
}
