//! The monitor's `find`, checked against a plain search of the ROM's bytes as its ELF file
//! holds them (roms/tests/unwind/unwind.elf, a raw ROM whose segments load at their addresses
//! with the MMU off): every match, through `find next`, and no other.

mod script_support;
use script_support::{root, run_script, script_stdout};

const ROM: &str = "roms/tests/unwind/unwind.elf";

/// The first PT_LOAD segment's address and file bytes (the ROM's code and read-only data).
fn rom_image() -> (u32, Vec<u8>) {
    let elf = std::fs::read(root().join(ROM)).unwrap();
    let word = |at: usize| u32::from_le_bytes(elf[at..at + 4].try_into().unwrap());
    let half = |at: usize| u16::from_le_bytes(elf[at..at + 2].try_into().unwrap());
    let phoff = word(28) as usize;
    let ph = (0..half(44) as usize)
        .map(|i| phoff + i * half(42) as usize)
        .find(|&ph| word(ph) == 1 && word(ph + 12) == 0)
        .expect("a PT_LOAD segment at 0");
    let (offset, size) = (word(ph + 4) as usize, word(ph + 16) as usize);
    (word(ph + 12), elf[offset..offset + size].to_vec())
}

/// Where `pattern` is in the image, at multiples of `align`.
fn positions(image: &(u32, Vec<u8>), pattern: &[u8], align: usize) -> Vec<u32> {
    let (base, bytes) = image;
    (0..=bytes.len() - pattern.len())
        .filter(|&i| i % align == 0 && bytes[i..i + pattern.len()] == *pattern)
        .map(|i| base + i as u32)
        .collect()
}

/// The addresses `find` printed between the lines of these commands.
fn found(out: &str, command: &str) -> Vec<u32> {
    let start = out.find(&format!("(emu) {command}\n")).unwrap() + command.len() + 7;
    let mut addrs = Vec::new();
    for line in out[start..].lines() {
        if line.starts_with("(emu) find next") {
            continue;
        }
        if line.starts_with("(emu)") || line.ends_with("found") || line.contains(" found (") {
            break;
        }
        if let Some(hex) = line.strip_prefix("0x") {
            addrs.push(u32::from_str_radix(&hex[..8], 16).unwrap());
        }
    }
    addrs
}

#[test]
fn find_matches_a_plain_search_of_the_rom() {
    let image = rom_image();
    let end = image.0 + image.1.len() as u32 - 1;
    let zeros = positions(&image, &[0], 1);
    // Enough matches that `find next` must go on several times.
    let nexts = zeros.len() / 16 + 1;
    let searches = [
        format!("find 0 {end:#x} \"unwind:\""),
        format!("find 0 {end:#x} -w 0xe12fff1e"),
        format!("find 0 +{:#x} -h 0xb510", image.1.len()),
        format!("find -p 0 {end:#x} -b 0x10 0x40 0x2d 0xe9"),
        format!("find 0 {end:#x} -b 0"),
    ];
    let script = format!(
        "{}\n{}\n{}\n{}\n{}\n{}",
        searches[0],
        searches[1],
        searches[2],
        searches[3],
        searches[4],
        "find next\n".repeat(nexts)
    );
    let stdout = script_stdout(&script, &["--semihosting", ROM]);
    let physical = |out: &str, command: &str| -> Vec<u32> {
        let start = out.find(command).unwrap();
        out[start..]
            .lines()
            .skip(1)
            .map_while(|l| l.strip_prefix("physical 0x"))
            .map(|h| u32::from_str_radix(h, 16).unwrap())
            .collect()
    };
    let expected = [
        positions(&image, b"unwind:", 1),
        positions(&image, &0xe12f_ff1e_u32.to_le_bytes(), 4),
        positions(&image, &0xb510_u16.to_le_bytes(), 2),
    ];
    for (search, expected) in searches.iter().zip(&expected) {
        assert!(!expected.is_empty(), "{search}");
        assert_eq!(&found(&stdout, search), expected, "{search}\n{stdout}");
    }
    assert_eq!(
        physical(&stdout, &searches[3]),
        positions(&image, &[0x10, 0x40, 0x2d, 0xe9], 1),
        "{stdout}"
    );
    assert_eq!(found(&stdout, &searches[4]), zeros, "{stdout}");
    assert!(stdout.contains("16 shown; 'find next' goes on"), "{stdout}");
}

#[test]
fn a_search_is_bounded() {
    let out = run_script("find 0 0xffffffff \"x\"\n", &["--semihosting", ROM]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "{stdout}");
    assert!(
        stdout.contains("a search covers at most 256 MiB"),
        "{stdout}"
    );
}
