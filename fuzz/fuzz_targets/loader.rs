//! The ROM loader: any file given as a ROM (ELF or raw), parsed and then loaded into a CX.
#![no_main]

use emu::machine::Machine;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    if let Ok(image) = emu::loader::parse(bytes) {
        let _ = Machine::nspire_cx(0).load(&image);
    }
});
