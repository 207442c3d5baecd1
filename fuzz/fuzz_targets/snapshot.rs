//! Saved-state files, as `--load-state` and the monitor's `load` read them, on the small CX of
//! `small_cx` (whose states hold 16 KiB of memory): an input that starts as gzip does (1f 8b)
//! is a file as it is on disk; any other input is what such a file holds once decompressed
//! (the magic, the format's version, the lengths, the RON text of the CPU and devices, the
//! memory), which the harness compresses first, so that mutations reach the reader and the
//! RON behind the framing instead of breaking the deflate stream or its CRC. A state that
//! loads then runs for 100,000 cycles.
#![no_main]

#[path = "small_cx.rs"]
mod small_cx;

use std::io::Write;

use flate2::write::GzEncoder;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let file = if bytes.starts_with(&[0x1f, 0x8b]) {
        bytes.to_vec()
    } else {
        // Stored, not compressed: the same framing for the reader, at a fraction of the cost
        // in a build whose every comparison calls a coverage hook.
        let mut gz = GzEncoder::new(Vec::new(), flate2::Compression::none());
        gz.write_all(bytes).expect("compressing into memory");
        gz.finish().expect("compressing into memory")
    };
    let mut machine = small_cx::small_cx().expect("the ROM loads");
    if emu::snapshot::load_from(&mut machine, file.as_slice()).is_ok() {
        machine.run_cycles(100_000);
    }
});
