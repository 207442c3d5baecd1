//! Saved states: the state's text (CPU and devices) restored into a CX, with its memory whole.
#![no_main]

use std::cell::RefCell;

use emu::bus::Bus;
use emu::machine::Machine;
use libfuzzer_sys::fuzz_target;

// One machine for every input: a restore either refuses and leaves it unchanged, or replaces
// all of its state, so no input sees what an earlier one left.
thread_local! {
    static MACHINE: RefCell<Option<(Machine, Vec<u8>)>> = const { RefCell::new(None) };
}

fuzz_target!(|bytes: &[u8]| {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return;
    };
    MACHINE.with_borrow_mut(|slot| {
        let (machine, memory) = slot.get_or_insert_with(|| {
            let machine = Machine::nspire_cx(0);
            let memory = machine.board.ram().to_vec();
            (machine, memory)
        });
        let _ = emu::snapshot::restore(machine, text, memory);
    });
});
