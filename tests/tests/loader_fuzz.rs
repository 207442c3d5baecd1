//! The image loader never panics: valid ELF images mutated (bytes flipped, header and program
//! header fields set to edge values, truncated, extended) and random byte strings all parse to
//! `Ok` or `Err`. What parses must also be self-consistent, and every error is one line.

use emu::loader::{parse, Image, ImageKind};
use std::panic::{catch_unwind, AssertUnwindSafe};
use tests::Rng;

const EHDR_SIZE: usize = 52;
const PHDR_SIZE: usize = 32;
const PT_LOAD: u32 = 1;

fn put(v: &mut [u8], off: usize, bytes: &[u8]) {
    if let Some(dst) = v.get_mut(off..off + bytes.len()) {
        dst.copy_from_slice(bytes);
    }
}

/// Assembles an ELF32 little-endian ARM executable from (p_type, p_offset, p_paddr, p_filesz,
/// p_memsz) program headers, followed by the payload.
fn elf(entry: u32, phdrs: &[(u32, u32, u32, u32, u32)], payload: &[u8]) -> Vec<u8> {
    let mut v = vec![0u8; EHDR_SIZE];
    put(&mut v, 0, b"\x7fELF\x01\x01\x01");
    put(&mut v, 16, &2u16.to_le_bytes()); // ET_EXEC
    put(&mut v, 18, &40u16.to_le_bytes()); // EM_ARM
    put(&mut v, 20, &1u32.to_le_bytes());
    put(&mut v, 24, &entry.to_le_bytes());
    put(&mut v, 28, &(EHDR_SIZE as u32).to_le_bytes());
    put(&mut v, 40, &(EHDR_SIZE as u16).to_le_bytes());
    put(&mut v, 42, &(PHDR_SIZE as u16).to_le_bytes());
    put(&mut v, 44, &(phdrs.len() as u16).to_le_bytes());
    for &(p_type, offset, paddr, filesz, memsz) in phdrs {
        for word in [p_type, offset, paddr, paddr, filesz, memsz, 7, 4] {
            v.extend_from_slice(&word.to_le_bytes());
        }
    }
    v.extend_from_slice(payload);
    v
}

/// Valid seeds: code + data + .bss, a Thumb entry with a non-load header, a single segment.
fn seeds() -> Vec<Vec<u8>> {
    let off3 = (EHDR_SIZE + 3 * PHDR_SIZE) as u32;
    let off2 = (EHDR_SIZE + 2 * PHDR_SIZE) as u32;
    let off1 = (EHDR_SIZE + PHDR_SIZE) as u32;
    vec![
        elf(
            0x1000_0000,
            &[
                (PT_LOAD, off3, 0x1000_0000, 16, 16),
                (PT_LOAD, off3 + 16, 0x1000_1000, 8, 64),
                (PT_LOAD, 0, 0x1000_2000, 0, 0x100),
            ],
            &(0..24).collect::<Vec<u8>>(),
        ),
        elf(
            0x8001,
            &[(4, off2, 0, 4, 4), (PT_LOAD, off2 + 4, 0x8000, 4, 4)],
            &[1, 2, 3, 4, 0x70, 0x47, 0, 0],
        ),
        elf(0, &[(PT_LOAD, off1, 0, 4, 4)], &[0xfe, 0xff, 0xff, 0xea]),
    ]
}

const INTERESTING32: [u32; 10] = [
    0,
    1,
    4,
    0x20,
    0x34,
    0x7fff_ffff,
    0x8000_0000,
    0xffff_f000,
    0xffff_fffc,
    0xffff_ffff,
];

const INTERESTING16: [u16; 9] = [0, 1, 2, 3, 32, 40, 62, 0x7fff, 0xffff];

/// Applies one random mutation.
fn mutate(rng: &mut Rng, v: &mut Vec<u8>) {
    // Most fields worth hitting are in the header and the program headers.
    let hot = v.len().clamp(1, EHDR_SIZE + 3 * PHDR_SIZE);
    match rng.below(7) {
        0 => {
            for _ in 0..1 + rng.below(8) {
                if !v.is_empty() {
                    let i = rng.below(v.len());
                    v[i] ^= 1 << rng.below(8);
                }
            }
        }
        1 => {
            let word = match rng.below(3) {
                0 => rng.pick(&INTERESTING32),
                1 => (v.len() as u32).wrapping_sub(rng.below(3) as u32),
                _ => rng.next_u32(),
            };
            let off = rng.below(hot) & !3;
            put(v, off, &word.to_le_bytes());
        }
        2 => {
            let half = rng.pick(&INTERESTING16);
            let off = rng.below(hot.min(EHDR_SIZE)) & !1;
            put(v, off, &half.to_le_bytes());
        }
        3 => {
            let len = rng.below(v.len() + 1);
            v.truncate(len);
        }
        4 => {
            let len = rng.below(64);
            let extra = rng.bytes(len);
            v.extend_from_slice(&extra);
        }
        5 => {
            // Point a program header somewhere around the end of the file.
            let off = EHDR_SIZE + PHDR_SIZE * rng.below(3) + 4 * rng.pick(&[1, 3, 4, 5]);
            let word = (v.len() as u32)
                .wrapping_add(rng.next_u32() % 9)
                .wrapping_sub(4);
            put(v, off, &word.to_le_bytes());
        }
        _ => {
            let i = rng.below(v.len().max(1));
            let byte = rng.pick(&[0u8, 1, 2, 3, 0x7f, 0x80, 0xff]);
            if let Some(b) = v.get_mut(i) {
                *b = byte;
            }
        }
    }
}

/// What an `Ok` image must satisfy.
fn check_image(input: &[u8], image: &Image) {
    match image.kind {
        ImageKind::Raw => {
            assert_eq!(image.entry, None);
            assert_eq!(image.segments.len(), 1);
            assert_eq!(image.segments[0].addr, 0);
            assert_eq!(image.segments[0].data, input);
            assert_eq!(image.segments[0].mem_size as usize, input.len());
        }
        ImageKind::Elf => {
            assert!(input.starts_with(b"\x7fELF"));
            assert!(image.entry.is_some());
            assert!(!image.segments.is_empty());
            let mut ranges = Vec::new();
            let mut total = 0;
            for seg in &image.segments {
                assert!(seg.mem_size > 0);
                assert!(seg.data.len() <= seg.mem_size as usize);
                let end = u64::from(seg.addr) + u64::from(seg.mem_size);
                assert!(end <= 1 << 32);
                ranges.push((u64::from(seg.addr), end));
                total += seg.data.len();
            }
            assert!(total <= input.len());
            ranges.sort_unstable();
            for pair in ranges.windows(2) {
                assert!(pair[0].1 <= pair[1].0, "overlap: {pair:x?}");
            }
        }
    }
}

fn check_one_line(msg: &str) {
    assert!(!msg.is_empty() && !msg.contains('\n'), "{msg:?}");
}

/// Parses one input; a panic is reported with the input that caused it.
fn run(input: &[u8], ok: &mut usize, err: &mut usize) {
    let regions: [&[(u32, u32, &str)]; 3] = [
        &[(0, 512 << 10, "boot ROM"), (0x1000_0000, 64 << 20, "SDRAM")],
        &[(0xffff_0000, 0x1_0000, "high vectors")],
        &[],
    ];
    let result = catch_unwind(AssertUnwindSafe(|| match parse(input) {
        Ok(image) => {
            check_image(input, &image);
            for r in regions {
                if let Err(e) = image.check_fits(r) {
                    check_one_line(&e.to_string());
                }
            }
            true
        }
        Err(e) => {
            check_one_line(&e.to_string());
            false
        }
    }));
    match result {
        Ok(true) => *ok += 1,
        Ok(false) => *err += 1,
        Err(panic) => {
            let hex: String = input.iter().map(|b| format!("{b:02x}")).collect();
            eprintln!("loader panicked on {} bytes: {hex}", input.len());
            std::panic::resume_unwind(panic);
        }
    }
}

#[test]
fn mutated_elf_images_never_panic() {
    let seeds = seeds();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let (mut ok, mut err) = (0, 0);
    for seed in &seeds {
        run(seed, &mut ok, &mut err);
        assert_eq!(err, 0, "seed images must be valid");
    }
    for _ in 0..30_000 {
        let mut v = seeds[rng.below(seeds.len())].clone();
        for _ in 0..1 + rng.below(4) {
            mutate(&mut rng, &mut v);
        }
        run(&v, &mut ok, &mut err);
    }
    println!("mutated ELF images: {ok} parsed, {err} rejected");
    assert!(
        ok > 100 && err > 1000,
        "fuzzing lost its variety: {ok} ok, {err} err"
    );
}

#[test]
fn random_bytes_never_panic() {
    let mut rng = Rng(0x0123_4567_89ab_cdef);
    let (mut ok, mut err) = (0, 0);
    for i in 0..20_000 {
        let len = rng.below(if i % 10 == 0 { 1024 } else { 160 });
        let mut v = rng.bytes(len);
        // Most inputs claim to be an ELF32 LE file, so the parser gets past the identification.
        match i % 4 {
            0 => {}
            1 => put(&mut v, 0, b"\x7fELF"),
            _ => {
                put(&mut v, 0, b"\x7fELF\x01\x01\x01");
                put(&mut v, 16, &[2, 0, 40, 0, 1, 0, 0, 0]);
                if i % 8 == 2 {
                    put(&mut v, 28, &[52, 0, 0, 0]);
                    put(&mut v, 42, &[32, 0]);
                    put(&mut v, 44, &[rng.next_u32() as u8 % 4, 0]);
                }
            }
        }
        run(&v, &mut ok, &mut err);
    }
    println!("random inputs: {ok} parsed, {err} rejected");
    assert!(err > 1000, "fuzzing lost its variety: {ok} ok, {err} err");
}
