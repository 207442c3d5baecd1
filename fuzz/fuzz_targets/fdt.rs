//! The device tree editor (`--dtb`, `--append`): a blob parsed, its /chosen edited as `--append`
//! and `--initrd` do, written, and the written blob read back as the same tree.
#![no_main]

use emu::fdt::Fdt;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    if let Ok(mut fdt) = Fdt::parse(bytes) {
        fdt.set_chosen("bootargs", b"console=ttyAMA0\0".to_vec());
        fdt.set_chosen("linux,initrd-start", 0x1100_0000u32.to_be_bytes().to_vec());
        let written = fdt.to_bytes();
        let again = Fdt::parse(&written).expect("a written tree parses");
        assert_eq!(again, fdt, "a written tree reads back the same");
    }
});
