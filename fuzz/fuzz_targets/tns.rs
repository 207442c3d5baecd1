//! The Ndless program loader: a `.tns` file parsed (Zehn or PRG), relocated and started on a CX.
#![no_main]

use emu::machine::Machine;
use emu::ndless::{boot, program, Ndless};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    if let Ok(program) = program::parse(bytes) {
        let mut machine = Machine::nspire_cx(0);
        let mut ndless = Ndless::new(Box::new(std::io::sink()), Box::new(std::io::sink()));
        let _ = boot::start(
            &mut machine,
            &mut ndless,
            &program,
            &["fuzz.tns".to_string()],
        );
    }
});
