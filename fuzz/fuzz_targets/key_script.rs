//! Key scripts (`--keys`): parsed, and what parses written back and read again the same.
#![no_main]

use emu::frontend::script::Script;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return;
    };
    if let Ok(script) = Script::parse(text) {
        let written = script.to_text();
        let again = Script::parse(&written).expect("a written script parses");
        assert_eq!(
            again.to_text(),
            written,
            "a written script reads back the same"
        );
    }
});
