//! What the picture tests share: a tiny LCD-drawing ROM, and PNG reading.

use std::path::{Path, PathBuf};

/// A raw boot ROM that draws through the PL111 and shows the keypad. It starts continuous
/// keypad scanning, puts a 16-bpp 5:6:5 framebuffer at the start of SDRAM, then redraws for
/// ever: a 16-row band showing the keys seen so far (bit i of the OR of the four KEYPAD_DATA
/// words as pixels 10i..10i+9, white if set, grey if not) and, below it, eight 40-pixel colour
/// bars, inverted once any key has been pressed. Assembled by hand (`arm-none-eabi-as
/// -mcpu=arm926ej-s` agrees); `sl` is r10, `fp` r11, `ip` r12.
#[rustfmt::skip]
pub const BARS_ROM: [u32; 59] = [
    0xE59F00D4, // 00 reset:   ldr   r0, =0x900E0000     @ keypad
    0xE3A01003, // 04          mov   r1, #3              @ KEYPAD_SCAN_MODE: scan continuously
    0xE5801000, // 08          str   r1, [r0]
    0xE3A00103, // 0c          mov   r0, #0xC0000000     @ PL111
    0xE3A01201, // 10          mov   r1, #0x10000000     @ the framebuffer
    0xE5801010, // 14          str   r1, [r0, #0x10]     @ LCDUPBASE
    0xE59F10C0, // 18          ldr   r1, =0x82D          @ LcdEn | LcdBpp 6 (5:6:5) | LcdTFT | LcdPwr
    0xE5801018, // 1c          str   r1, [r0, #0x18]     @ LCDControl
    0xE3A0A000, // 20          mov   sl, #0              @ the keys seen so far
    0xE59FC0B8, // 24          ldr   ip, =0x21042104     @ two grey pixels
    0xE59F00B8, // 28 frame:   ldr   r0, =0x900E0010     @ KEYPAD_DATA, two rows a word
    0xE890001E, // 2c          ldmia r0, {r1-r4}
    0xE1811002, // 30          orr   r1, r1, r2
    0xE1833004, // 34          orr   r3, r3, r4
    0xE1811003, // 38          orr   r1, r1, r3
    0xE18AA001, // 3c          orr   sl, sl, r1
    0xE35A0000, // 40          cmp   sl, #0
    0x03A0B000, // 44          moveq fp, #0              @ no key yet: bars as they are
    0x13E0B000, // 48          mvnne fp, #0              @ a key seen: bars inverted
    0xE3A01201, // 4c          mov   r1, #0x10000000
    0xE3A02010, // 50          mov   r2, #16             @ the band's rows
    0xE3A03001, // 54 band:    mov   r3, #1              @ the bit shown
    0xE11A0003, // 58 bit:     tst   sl, r3
    0x13E04000, // 5c          mvnne r4, #0              @ white
    0x01A0400C, // 60          moveq r4, ip              @ grey
    0xE3A05005, // 64          mov   r5, #5              @ 5 words: 10 pixels
    0xE4814004, // 68 bit_px:  str   r4, [r1], #4
    0xE2555001, // 6c          subs  r5, r5, #1
    0x1AFFFFFC, // 70          bne   bit_px
    0xE1B03083, // 74          movs  r3, r3, lsl #1
    0x1AFFFFF6, // 78          bne   bit
    0xE2522001, // 7c          subs  r2, r2, #1
    0x1AFFFFF3, // 80          bne   band
    0xE3A020E0, // 84          mov   r2, #224            @ the bars' rows
    0xE28F602C, // 88 row:     adr   r6, colours
    0xE3A07008, // 8c          mov   r7, #8
    0xE4968004, // 90 bar:     ldr   r8, [r6], #4
    0xE028800B, // 94          eor   r8, r8, fp
    0xE3A09014, // 98          mov   r9, #20             @ 20 words: 40 pixels
    0xE4818004, // 9c bar_px:  str   r8, [r1], #4
    0xE2599001, // a0          subs  r9, r9, #1
    0x1AFFFFFC, // a4          bne   bar_px
    0xE2577001, // a8          subs  r7, r7, #1
    0x1AFFFFF7, // ac          bne   bar
    0xE2522001, // b0          subs  r2, r2, #1
    0x1AFFFFF3, // b4          bne   row
    0xEAFFFFDA, // b8          b     frame
    // colours: pixel pairs, 5:6:5 with red in bits 4:0 (LCDControl.BGR clear)
    0xFFFFFFFF, // bc white
    0x07FF07FF, // c0 yellow
    0xFFE0FFE0, // c4 cyan
    0x07E007E0, // c8 green
    0xF81FF81F, // cc magenta
    0x001F001F, // d0 red
    0xF800F800, // d4 blue
    0x00000000, // d8 black
    // the literal pool
    0x900E0000, // dc
    0x0000082D, // e0
    0x21042104, // e4
    0x900E0010, // e8
];

/// A directory of this test process's own under the system's temporary directory.
pub fn temp_dir(what: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("emu-{what}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// [`BARS_ROM`] as a raw ROM file in `dir`.
pub fn bars_rom(dir: &Path) -> PathBuf {
    let path = dir.join("bars.bin");
    let bytes: Vec<u8> = BARS_ROM.iter().flat_map(|w| w.to_le_bytes()).collect();
    std::fs::write(&path, bytes).unwrap();
    path
}

/// The committed picture `name`.
pub fn golden_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(format!("{name}.png"))
}

/// An RGB picture: width, height, pixels as 0x00RRGGBB.
pub struct Picture {
    pub width: usize,
    pub height: usize,
    pub pixels: Vec<u32>,
}

/// Reads an 8-bit RGB or RGBA PNG.
pub fn read_png(path: &Path) -> Result<Picture, String> {
    let fail = |e: &dyn std::fmt::Display| format!("{}: {e}", path.display());
    let file = std::fs::File::open(path).map_err(|e| fail(&e))?;
    let mut reader = png::Decoder::new(std::io::BufReader::new(file))
        .read_info()
        .map_err(|e| fail(&e))?;
    let mut buf = vec![
        0;
        reader
            .output_buffer_size()
            .ok_or_else(|| fail(&"too large"))?
    ];
    let info = reader.next_frame(&mut buf).map_err(|e| fail(&e))?;
    let channels = match (info.color_type, info.bit_depth) {
        (png::ColorType::Rgb, png::BitDepth::Eight) => 3,
        (png::ColorType::Rgba, png::BitDepth::Eight) => 4,
        other => return Err(fail(&format!("unexpected pixel format {other:?}"))),
    };
    let pixels = buf[..info.buffer_size()]
        .chunks_exact(channels)
        .map(|p| u32::from(p[0]) << 16 | u32::from(p[1]) << 8 | u32::from(p[2]))
        .collect();
    Ok(Picture {
        width: info.width as usize,
        height: info.height as usize,
        pixels,
    })
}

/// Where `actual`, shrunk by `scale` each way (every one of a block's pixels must agree),
/// first differs from `expected`: `None` if nowhere.
pub fn first_difference(actual: &Picture, scale: usize, expected: &Picture) -> Option<String> {
    if (actual.width, actual.height) != (expected.width * scale, expected.height * scale) {
        return Some(format!(
            "size {}x{}, expected {}x{} at scale {scale}",
            actual.width, actual.height, expected.width, expected.height
        ));
    }
    for y in 0..actual.height {
        for x in 0..actual.width {
            let got = actual.pixels[y * actual.width + x];
            let want = expected.pixels[(y / scale) * expected.width + x / scale];
            if got != want {
                return Some(format!(
                    "pixel ({}, {}) is {got:#08x}, expected {want:#08x}",
                    x / scale,
                    y / scale
                ));
            }
        }
    }
    None
}
