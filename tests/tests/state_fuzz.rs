//! A saved state is an input file, and a crafted one must not panic the emulator: loading it
//! either refuses it in one line or gives a machine that runs. Real states (the built-in demo
//! after some frames, the device test ROMs stopped part-way with UART input waiting and keys
//! held, so that timers, the RTC alarm, the UART FIFO, the keypad scan and the LCD frames are
//! live) have their RON text mutated in many seeded ways: numbers replaced by edge values,
//! booleans flipped, list items removed, duplicated (a FIFO past its depth) or swapped, enum
//! variants and strings exchanged. Each mutant goes through `snapshot::restore`; one that loads
//! runs through the real run loop for a bounded time, takes host input (keys, the ON key, UART
//! bytes), is looked at through every side-effect-free view (the LCD picture, the monitor's
//! `regs`, `cp15`, `devices`, `irq`, `pagetable`, `bt`, `dis`, `x`, debugger peeks), and its
//! state, saved again, loads again.

use std::panic::{catch_unwind, AssertUnwindSafe};

use devices::pl111::{HEIGHT, WIDTH};
use emu::bus::{Bus, Size};
use emu::config::{MachineConfig, MemoryConfig};
use emu::loader;
use emu::machine::Machine;
use emu::monitor::Monitor;
use emu::semihosting::{Config, Semihosting};
use emu::snapshot;
use tests::Rng;

/// A RON value as `snapshot::text` writes it: an atom (a number, a boolean, a unit variant),
/// a string, or a group — a struct or tuple `(...)`, a list `[...]`, a variant `Name(...)` —
/// whose items may be named (`field:value`).
#[derive(Clone, Debug)]
enum Value {
    Atom(String),
    Str(String),
    Group {
        name: String,
        open: char,
        items: Vec<(Option<String>, Value)>,
    },
}

/// Parses RON text of that shape; `None` for anything else (a test bug: `parse` says so).
struct Parser<'a> {
    text: &'a [u8],
    at: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.text.get(self.at).copied()
    }

    fn word(&mut self) -> String {
        let start = self.at;
        while self
            .peek()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'-' || c == b'.')
        {
            self.at += 1;
        }
        String::from_utf8_lossy(&self.text[start..self.at]).into_owned()
    }

    fn value(&mut self) -> Option<Value> {
        match self.peek()? {
            b'"' => {
                let start = self.at;
                self.at += 1;
                loop {
                    match self.peek()? {
                        b'\\' => self.at += 2,
                        b'"' => break,
                        _ => self.at += 1,
                    }
                }
                self.at += 1;
                let s = &self.text[start..self.at];
                Some(Value::Str(String::from_utf8_lossy(s).into_owned()))
            }
            b'(' | b'[' => self.group(String::new()),
            _ => {
                let word = self.word();
                if word.is_empty() {
                    return None;
                }
                match self.peek() {
                    Some(b'(') => self.group(word),
                    _ => Some(Value::Atom(word)),
                }
            }
        }
    }

    fn group(&mut self, name: String) -> Option<Value> {
        let open = self.peek()? as char;
        let close = if open == '(' { b')' } else { b']' };
        self.at += 1;
        let mut items = Vec::new();
        while self.peek()? != close {
            let start = self.at;
            let word = self.word();
            let key = if !word.is_empty() && self.peek() == Some(b':') {
                self.at += 1;
                Some(word)
            } else {
                self.at = start;
                None
            };
            items.push((key, self.value()?));
            if self.peek()? == b',' {
                self.at += 1;
            }
        }
        self.at += 1;
        Some(Value::Group { name, open, items })
    }
}

fn parse(text: &str) -> Value {
    let mut parser = Parser {
        text: text.as_bytes(),
        at: 0,
    };
    let value = parser.value().expect("a state's RON text parses");
    assert_eq!(parser.at, text.len(), "the whole text parses");
    value
}

fn print(value: &Value, out: &mut String) {
    match value {
        Value::Atom(s) | Value::Str(s) => out.push_str(s),
        Value::Group { name, open, items } => {
            out.push_str(name);
            out.push(*open);
            for (i, (key, item)) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                if let Some(key) = key {
                    out.push_str(key);
                    out.push(':');
                }
                print(item, out);
            }
            out.push(if *open == '(' { ')' } else { ']' });
        }
    }
}

/// The atoms, strings and variant names of a state, to swap one for another.
#[derive(Default)]
struct Words {
    numbers: Vec<String>,
    idents: Vec<String>,
    strings: Vec<String>,
}

impl Words {
    fn collect(&mut self, value: &Value) {
        match value {
            Value::Atom(a) if a.starts_with(|c: char| c.is_ascii_digit()) => {
                self.numbers.push(a.clone())
            }
            Value::Atom(a) => self.idents.push(a.clone()),
            Value::Str(s) => self.strings.push(s.clone()),
            Value::Group { name, items, .. } => {
                if !name.is_empty() {
                    self.idents.push(name.clone());
                }
                for (_, item) in items {
                    self.collect(item);
                }
            }
        }
    }
}

/// A number to put in place of `old`: an edge of some integer type, one bit flipped, a
/// neighbour, a number from elsewhere in the state, or anything.
fn number(rng: &mut Rng, old: &str, words: &Words) -> String {
    let old: u64 = old.parse().unwrap_or(0);
    let edges: [u64; 17] = [
        0,
        1,
        2,
        16,
        32,
        33,
        255,
        256,
        65_535,
        65_536,
        0x7FFF_FFFF,
        0x8000_0000,
        u32::MAX as u64,
        1 << 32,
        1 << 62,
        u64::MAX - 1,
        u64::MAX,
    ];
    match rng.below(20) {
        0..=6 => rng.pick(&edges).to_string(),
        7..=10 => {
            let width = rng.pick(&[32, 32, 32, 64]);
            (old ^ 1 << rng.below(width)).to_string()
        }
        11..=12 => old.wrapping_add(1).to_string(),
        13..=14 => old.wrapping_sub(1).to_string(),
        15..=16 => words.numbers[rng.below(words.numbers.len())].clone(),
        17..=18 => (rng.next_u32() as u64).to_string(),
        _ => ((rng.next_u32() as u64) << 32 | rng.next_u32() as u64).to_string(),
    }
}

/// Where the mutations go: every leaf (but only the ends of long arrays of numbers, such as a
/// palette or a RAM block), and every group.
#[derive(Default)]
struct Targets {
    leaves: Vec<Vec<usize>>,
    groups: Vec<Vec<usize>>,
    /// The leaves that are numbers in a named field.
    fields: Vec<Vec<usize>>,
}

impl Targets {
    /// Collects under `value`, at `path`; `named`: it is a named field; `stub`: it is in a
    /// stub, whose registers come from the machine description (so that a change to them
    /// only tests one refusal, and they are left to the random mutations).
    fn collect(&mut self, value: &Value, path: &mut Vec<usize>, named: bool, stub: bool) {
        let Value::Group { name, items, .. } = value else {
            let number =
                matches!(value, Value::Atom(a) if a.starts_with(|c: char| c.is_ascii_digit()));
            if named && number && !stub {
                self.fields.push(path.clone());
            }
            self.leaves.push(path.clone());
            return;
        };
        self.groups.push(path.clone());
        let long = items.len() > 16 && items.iter().all(|(_, v)| matches!(v, Value::Atom(_)));
        for (i, (key, item)) in items.iter().enumerate() {
            if long && (2..items.len() - 1).contains(&i) {
                continue;
            }
            path.push(i);
            self.collect(item, path, key.is_some(), stub || name == "Stub");
            path.pop();
        }
    }
}

/// The value at `path` (or as far as it goes, after an earlier mutation changed the tree),
/// and a description of the path.
fn at<'a>(mut value: &'a mut Value, path: &[usize], described: &mut String) -> &'a mut Value {
    for &i in path {
        if !matches!(value, Value::Group { items, .. } if i < items.len()) {
            break;
        }
        let Value::Group { items, .. } = value else {
            unreachable!("just matched");
        };
        let (key, item) = &mut items[i];
        match key {
            Some(key) => described.push_str(&format!(".{key}")),
            None => described.push_str(&format!("[{i}]")),
        }
        value = item;
    }
    value
}

/// Applies one random mutation, to a leaf (three times in four) or a group, and says what it
/// did.
fn mutate(rng: &mut Rng, value: &mut Value, targets: &Targets, words: &Words) -> String {
    let mut described = String::new();
    let path = match rng.below(4) {
        0 => &targets.groups[rng.below(targets.groups.len())],
        _ => &targets.leaves[rng.below(targets.leaves.len())],
    };
    let what = match at(value, path, &mut described) {
        Value::Atom(a) => {
            let old = std::mem::take(a);
            *a = match old.as_str() {
                "true" => "false".to_string(),
                "false" => "true".to_string(),
                s if s.starts_with(|c: char| c.is_ascii_digit()) => number(rng, s, words),
                _ => words.idents[rng.below(words.idents.len())].clone(),
            };
            format!("{old} -> {a}")
        }
        Value::Str(s) => {
            *s = match rng.below(2) {
                0 => "\"\"".to_string(),
                _ => words.strings[rng.below(words.strings.len())].clone(),
            };
            format!("string -> {s}")
        }
        Value::Group { name, items, .. } => mutate_group(rng, name, items, words).to_string(),
    };
    format!("{described}: {what}")
}

fn mutate_group(
    rng: &mut Rng,
    name: &mut String,
    items: &mut Vec<(Option<String>, Value)>,
    words: &Words,
) -> &'static str {
    let len = items.len();
    match rng.below(7) {
        _ if len == 0 => {
            let n = number(rng, "0", words);
            items.push((None, Value::Atom(n)));
            "a number added to an empty group"
        }
        0 => {
            items.remove(rng.below(len));
            "an item removed"
        }
        1 => {
            let item = items[rng.below(len)].clone();
            items.insert(rng.below(len + 1), item);
            "an item duplicated"
        }
        2 => {
            let item = items[rng.below(len)].clone();
            let copies = 1 + rng.below(40);
            items.extend(std::iter::repeat_n(item, copies));
            "an item repeated"
        }
        3 => {
            // The values swap; the keys stay (a field gets another field's value).
            let (a, b) = (rng.below(len), rng.below(len));
            let value = items[a].1.clone();
            items[a].1 = std::mem::replace(&mut items[b].1, value);
            "two items swapped"
        }
        4 if !name.is_empty() => {
            *name = words.idents[rng.below(words.idents.len())].clone();
            "the variant renamed"
        }
        _ => {
            items.clear();
            "emptied"
        }
    }
}

/// The CX with only the parts of its 64 MiB of SDRAM the programs use, its first and last
/// MiB (code, data and frame buffers; stacks), so that each restore copies little memory;
/// and a sink for semihosting, so that a state whose CPU uses it runs on.
fn machine() -> Machine {
    let mut config = MachineConfig::nspire_cx();
    let sdram = (config.memory.iter())
        .position(|r| r.name == "SDRAM")
        .unwrap();
    let part = |name: &str, base| MemoryConfig {
        name: name.to_string(),
        base,
        size: 1 << 20,
        ..config.memory[sdram].clone()
    };
    let (low, high) = (part("SDRAM", 0x1000_0000), part("SDRAM top", 0x13F0_0000));
    config.memory.splice(sdram..=sdram, [low, high]);
    let mut machine = Machine::new(config, 0);
    let config = Config {
        root: None,
        cmdline: "state".to_string(),
        heap: emu::semihosting::HeapInfo {
            heap_base: 0x1008_0000,
            heap_limit: 0x1010_0000,
            stack_base: 0x1400_0000,
            stack_limit: 0x13F0_0000,
        },
        time_base: Some(0),
    };
    machine.enable_semihosting(Semihosting::new(
        config,
        Box::new(std::io::empty()),
        Box::new(std::io::sink()),
        Box::new(std::io::sink()),
    ));
    machine
}

/// Random mutants of each state.
const RANDOM_CASES: usize = 120;

/// A program to take states of, and the instruction counts at which to take them.
const PROGRAMS: [(&str, &[u64]); 8] = [
    ("roms/demo/demo.bin", &[2_000_000, 4_000_000]),
    ("roms/demos/snake/snake.elf", &[1_500_000]),
    ("roms/tests/devices/timer_vic.elf", &[300_000, 2_000_000]),
    ("roms/tests/devices/keypad.elf", &[20_000, 35_000]),
    ("roms/tests/devices/rtc.elf", &[20_000, 40_000]),
    ("roms/tests/devices/uart.elf", &[30_000, 60_000]),
    ("roms/tests/devices/watchdog.elf", &[100_000, 500_000]),
    ("roms/tests/devices/lcd.elf", &[30_000, 55_000]),
];

fn root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Runs a loaded state for a while with host input, and looks at it every way a debugger or
/// the window can.
fn exercise(rng: &mut Rng, machine: &mut Machine, monitor: &mut Monitor, frame: &mut [u32]) {
    let frame: &mut [u32; WIDTH * HEIGHT] = frame.try_into().unwrap();
    for _ in 0..2 {
        match rng.below(4) {
            0 => machine
                .board
                .set_key(rng.below(9), rng.below(12), rng.below(2) == 0),
            1 => machine.board.set_on_key(rng.below(2) == 0),
            2 => {
                let len = rng.below(48);
                let input = rng.bytes(len);
                machine.board.push_uart_input(&input, machine.cpu.cycles());
            }
            _ => {}
        }
        let _ = machine.run_cycles(rng.pick(&[1, 1_000, 20_000, 100_000]));
    }
    machine.board.render_lcd(frame);
    let sp = machine.cpu.reg(13);
    let pc = machine.cpu.pc();
    for command in [
        "regs".to_string(),
        "cp15".to_string(),
        "devices".to_string(),
        "irq".to_string(),
        "pagetable".to_string(),
        "bt".to_string(),
        "dis".to_string(),
        format!("x/8w {sp:#x}"),
        format!("translate {pc:#x}"),
    ] {
        let _ = monitor.execute(machine, &command);
    }
    for _ in 0..3 {
        let slot = &machine.board.slots()[rng.below(machine.board.slots().len())];
        let (name, base) = (slot.name.clone(), slot.base);
        let _ = monitor.execute(machine, &format!("devices {name}"));
        for offset in (0..0x50).step_by(4).chain([0xFE0, 0xFFC]) {
            let _ = machine.board.peek(base + offset, Size::Word);
        }
    }
}

/// The machine the mutants load into (one for all: a load replaces everything the guest
/// sees), the views, and what came out.
struct Fuzz {
    target: Machine,
    monitor: Monitor<'static>,
    frame: Vec<u32>,
    cases: usize,
    loaded: usize,
    panics: Vec<String>,
}

impl Fuzz {
    /// Loads a mutant; if it loads, runs it and looks at it, then checks that the state it
    /// ran into loads too (the state a machine saves is one it takes).
    fn case(&mut self, rng: &mut Rng, what: &str, mutant: &Value, memory: &[u8]) {
        let mut text = String::new();
        print(mutant, &mut text);
        self.cases += 1;
        let result = catch_unwind(AssertUnwindSafe(|| {
            match snapshot::restore(&mut self.target, &text, memory) {
                Err(e) => {
                    assert!(!e.is_empty() && !e.contains('\n'), "not one line: {e}");
                    false
                }
                Ok(()) => {
                    exercise(rng, &mut self.target, &mut self.monitor, &mut self.frame);
                    // Memory is not checked: the mutant's serves.
                    let again = snapshot::text(&self.target).unwrap();
                    if let Err(e) = snapshot::restore(&mut self.target, &again, memory) {
                        panic!("the state it ran into is refused: {e}");
                    }
                    true
                }
            }
        }));
        match result {
            Ok(loaded) => self.loaded += loaded as usize,
            Err(_) => self.panics.push(what.to_string()),
        }
    }

    /// Mutants of the state `text` of the program `name`: with `sweep`, every named number
    /// (but in the stubs) set to 0, `u32::MAX` and `u64::MAX` in turn; then `RANDOM_CASES` of
    /// one to four random mutations.
    fn state(&mut self, rng: &mut Rng, name: &str, text: &str, memory: &[u8], sweep: bool) {
        let tree = parse(text);
        let mut words = Words::default();
        words.collect(&tree);
        let mut targets = Targets::default();
        targets.collect(&tree, &mut Vec::new(), false, false);
        for path in targets.fields.iter().filter(|_| sweep) {
            for edge in [0, u32::MAX as u64, u64::MAX] {
                let mut mutant = tree.clone();
                let mut described = String::new();
                *at(&mut mutant, path, &mut described) = Value::Atom(edge.to_string());
                self.case(
                    rng,
                    &format!("{name}: {described} = {edge}"),
                    &mutant,
                    memory,
                );
            }
        }
        for case in 0..RANDOM_CASES {
            let mut mutant = tree.clone();
            let mutations = rng.pick(&[1, 1, 1, 2, 2, 3, 4]);
            let what: Vec<String> = (0..mutations)
                .map(|_| mutate(rng, &mut mutant, &targets, &words))
                .collect();
            let what = format!("{name} case {case}: {}", what.join("; "));
            self.case(rng, &what, &mutant, memory);
        }
    }
}

#[test]
fn crafted_states_are_refused_or_run() {
    let mut rng = Rng(0x5EED_5A7E_F11E_0001);
    let mut fuzz = Fuzz {
        target: machine(),
        monitor: Monitor::new(),
        frame: vec![0; WIDTH * HEIGHT],
        cases: 0,
        loaded: 0,
        panics: Vec::new(),
    };
    for (path, stops) in PROGRAMS {
        let image = loader::parse(&std::fs::read(root().join(path)).unwrap()).unwrap();
        let mut machine = machine();
        machine.load(&image).unwrap();
        for (i, &stop) in stops.iter().enumerate() {
            machine.run(Some(stop));
            // Host input waiting past the receive FIFO, and a key held.
            machine
                .board
                .push_uart_input(&[b'x'; 40], machine.cpu.cycles());
            machine.board.set_key(2, 3, true);
            let text = snapshot::text(&machine).unwrap();
            let memory = machine.board.ram().to_vec();
            let name = format!("{path} at {stop}");
            // The sweep, at each program's last stop, where the most is under way.
            let sweep = i == stops.len() - 1;
            fuzz.state(&mut rng, &name, &text, &memory, sweep);
        }
    }
    let (cases, loaded, panics) = (fuzz.cases, fuzz.loaded, &fuzz.panics);
    eprintln!("{cases} mutated states, {loaded} loaded and ran");
    assert!(
        panics.is_empty(),
        "{} panics:\n{}",
        panics.len(),
        panics.join("\n")
    );
    assert!(
        loaded > cases / 10,
        "too few mutants load to test running them"
    );
}
