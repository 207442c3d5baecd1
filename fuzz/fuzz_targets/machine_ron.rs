//! Machine descriptions (`--machine FILE.ron`): parsed, checked, and a machine built from one.
#![no_main]

use emu::config::MachineConfig;
use emu::machine::Machine;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return;
    };
    if let Ok(config) = MachineConfig::parse(text) {
        let _ = Machine::new(config, 0);
    }
});
