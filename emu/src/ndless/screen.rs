//! The screen: Ndless's LCD extensions (`nl_lcd_type`, `nl_lcd_init`, `nl_lcd_blit`) on the
//! CX's PL111, and the OS's redraw calls programs make around it (no-ops: there is no OS
//! screen to redraw).
//!
//! A buffer type is libndls's `scr_type_t`: 0 `SCR_320x240_565`, 1 `SCR_320x240_4`, 2
//! `SCR_240x320_565`, 3 `SCR_320x240_16`, 4 `SCR_320x240_8`, 5 `SCR_320x240_555`, 6
//! `SCR_240x320_555`. As Ndless does on a CX before the HW-W revision, `nl_lcd_init` sets the
//! LCD's LcdBpp for a type (5:6:5 for 0, 2, 3 and -1, the OS's mode; 1:5:5:5 for 5 and 6; 4
//! and 8 bpp through the palette for 1 and 4), and `nl_lcd_blit` gives a function that
//! copies a buffer of that type into the LCD's framebuffer `*(0xC0000010)`, the 240x320 types
//! transposed (a portrait buffer's rows become the screen's columns). The functions lie in the
//! emulator's code page ([`boot::blit_stub`]) and trap to [`blit`].
//!
//! When the LCD is in the buffer's format (the program called `lcd_init` with the type it
//! blits, as libndls asks), the bytes are copied as they are, which is what Ndless does.
//! Otherwise, where Ndless would copy them all the same and show garbage, each pixel is
//! converted so that the screen shows what it would in the buffer's format (through the
//! palette for the 4- and 8-bit types); into a 4- or 8-bit LCD, which has no colours to convert
//! to, the bytes are copied as they are, no more than its frame holds.

use devices::pl111::{Pl111, HEIGHT, WIDTH};

use super::{boot, read, Answer, Call, Ndless};
use crate::bus::{Bus, Size};
use crate::guest::{DeviceWrite, GuestMemory, MemoryError};

const REFRESH_HOMESCR: u32 = 198;
const REFRESH_DOCBROWSER: u32 = 199;

/// The OS calls answered here.
pub const NUMBERS: &[u32] = &[REFRESH_HOMESCR, REFRESH_DOCBROWSER];

/// Answers OS call `index`, one of [`NUMBERS`]: the OS's screens need no redrawing.
pub fn call(
    _: &mut Ndless,
    index: u32,
    _: &Call,
    _: &mut dyn GuestMemory,
) -> Result<Answer, MemoryError> {
    Ok(match index {
        REFRESH_HOMESCR | REFRESH_DOCBROWSER => Answer::Value(0),
        _ => Answer::Unsupported,
    })
}

/// `nl_lcd_type`: `SCR_320x240_565`, the CX's LCD before the HW-W revision.
pub const LCD_TYPE: u32 = 0;

/// The buffer types, 0 to 6.
pub const BUFFER_TYPES: u32 = 7;

/// `SCR_TYPE_INVALID` (-1): `nl_lcd_init`'s "back to the OS's mode".
const SCR_TYPE_INVALID: u32 = u32::MAX;

const LCD_UPBASE: u32 = 0xC000_0010;
const LCD_CONTROL: u32 = 0xC000_0018;
/// LCDControl.LcdBpp.
const LCD_BPP: u32 = 0b1110;
/// LcdBpp 16 bpp 5:6:5, the OS's mode on a CX.
const MODE_565: u32 = 6;

/// A buffer type's layout: its LcdBpp, and whether it is a 240x320 (portrait) buffer.
fn layout(kind: u32) -> Option<(u32, bool)> {
    Some(match kind {
        0 | 3 => (MODE_565, false),
        1 => (2, false),
        2 => (MODE_565, true),
        4 => (3, false),
        5 => (4, false),
        6 => (4, true),
        _ => return None,
    })
}

/// `nl_lcd_blit`: the function that blits buffers of type `kind`; 0 (NULL) for a type Ndless
/// does not know.
pub fn blit_function(kind: u32) -> u32 {
    match layout(kind) {
        Some(_) => boot::blit_stub(kind),
        None => 0,
    }
}

/// `nl_lcd_init`: the LCD set to the format of buffer type `kind` (-1: the OS's); 1, or 0 for
/// a type Ndless does not know.
pub fn lcd_init(kind: u32, mem: &mut dyn GuestMemory) -> Result<Answer, MemoryError> {
    let mode = match (kind, layout(kind)) {
        (SCR_TYPE_INVALID, _) => MODE_565,
        (_, Some((mode, _))) => mode,
        (_, None) => return Ok(Answer::Value(0)),
    };
    let Some(board) = mem.board() else {
        return Ok(Answer::Unsupported);
    };
    let Some(control) = board.peek(LCD_CONTROL, Size::Word) else {
        return Ok(Answer::Unsupported);
    };
    // The register was just read: it takes the write.
    let _ = mem.write_device(&DeviceWrite::Register(
        LCD_CONTROL,
        (control & !LCD_BPP) | mode << 1,
    ));
    Ok(Answer::Value(1))
}

/// The function `nl_lcd_blit` gave for buffer type `kind`, called with the buffer in r0.
pub fn blit(kind: u32, call: &Call, mem: &mut dyn GuestMemory) -> Result<Answer, MemoryError> {
    let Some((mode, portrait)) = layout(kind) else {
        return Ok(Answer::Unsupported);
    };
    let size = WIDTH * HEIGHT * Pl111::bits_per_pixel(mode) / 8;
    let buffer = read(mem, call.args[0], size as u32)?;
    let Some(board) = mem.board() else {
        return Ok(Answer::Unsupported);
    };
    let (Some(lcd), Some(base)) = (board.lcd(), board.peek(LCD_UPBASE, Size::Word)) else {
        return Ok(Answer::Unsupported);
    };
    let buffer = if portrait { transpose(&buffer) } else { buffer };
    let frame = frame(lcd, mode, buffer);
    mem.write_device(&DeviceWrite::Ram(base, frame))?;
    // The function returns nothing: r0 stays as it was.
    Ok(Answer::Value(call.args[0]))
}

/// A 240x320 buffer of 16-bit pixels as the 320x240 screen shows it: its row r is the
/// screen's column r (Ndless's own copy does this, halfword by halfword).
fn transpose(buffer: &[u8]) -> Vec<u8> {
    let mut out = vec![0; buffer.len()];
    for (i, pixel) in buffer.chunks_exact(2).enumerate() {
        let (col, row) = (i / HEIGHT, i % HEIGHT);
        let at = 2 * (row * WIDTH + col);
        out[at..at + 2].copy_from_slice(pixel);
    }
    out
}

/// The bytes of the LCD's frame that show `buffer`, a 320x240 buffer in LcdBpp `mode`.
fn frame(lcd: &Pl111, mode: u32, buffer: Vec<u8>) -> Vec<u8> {
    let lcd_mode = lcd.mode();
    let size = WIDTH * HEIGHT * Pl111::bits_per_pixel(lcd_mode) / 8;
    if mode == lcd_mode || lcd.encode(lcd_mode, 0).is_none() {
        let mut buffer = buffer;
        buffer.truncate(size);
        return buffer;
    }
    let mut frame = vec![0; size];
    for i in 0..WIDTH * HEIGHT {
        let colour = lcd.decode(mode, &buffer, i);
        let value = lcd.encode(lcd_mode, colour).unwrap_or(0);
        lcd.store(lcd_mode, &mut frame, i, value);
    }
    frame
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::machine::Machine;
    use crate::ndless::boot::PhysicalMemory;

    const BUFFER: u32 = 0x1100_0000;
    const SCREEN: u32 = 0x1200_0000;
    /// Enabled, powered, TFT, BGR, and LcdBpp `mode`.
    const fn control(mode: u32) -> u32 {
        1 | mode << 1 | 1 << 5 | 1 << 8 | 1 << 11
    }

    /// A CX whose LCD shows SCREEN in LcdBpp `mode`, as TI-OS leaves it (BGR set).
    fn lcd_machine(mode: u32) -> Machine {
        let mut machine = Machine::nspire_cx(0);
        assert!(machine.board.poke(LCD_UPBASE, SCREEN));
        assert!(machine.board.poke(LCD_CONTROL, control(mode)));
        machine
    }

    fn call(r0: u32) -> Call {
        Call::with(0, [r0, 0, 0, 0], 0)
    }

    fn blit_buffer(machine: &mut Machine, kind: u32, buffer: &[u8]) -> Answer {
        assert!(machine.board.load(BUFFER, buffer));
        blit(kind, &call(BUFFER), &mut PhysicalMemory(&mut machine.board)).unwrap()
    }

    fn picture(machine: &Machine) -> Vec<u32> {
        let mut out = Box::new([0; WIDTH * HEIGHT]);
        machine.board.render_lcd(&mut out);
        out.to_vec()
    }

    fn halfwords(pixels: impl IntoIterator<Item = u16>) -> Vec<u8> {
        pixels.into_iter().flat_map(u16::to_le_bytes).collect()
    }

    const RED_565: u16 = 0xF800;
    const BLUE_565: u16 = 0x001F;
    const RED_555: u16 = 0x7C00;
    const RED: u32 = 0xF80000;
    const BLUE: u32 = 0x0000F8;

    #[test]
    fn init_sets_the_lcds_format_and_blit_gives_a_function_per_type() {
        let mut machine = lcd_machine(MODE_565);
        let mut mem = PhysicalMemory(&mut machine.board);
        for (kind, mode) in [
            (1, 2),
            (4, 3),
            (5, 4),
            (6, 4),
            (2, 6),
            (3, 6),
            (u32::MAX, 6),
        ] {
            assert_eq!(lcd_init(kind, &mut mem), Ok(Answer::Value(1)));
            let lcd = mem.0.peek(LCD_CONTROL, Size::Word).unwrap();
            assert_eq!(lcd, control(mode), "type {kind}");
        }
        assert_eq!(lcd_init(7, &mut mem), Ok(Answer::Value(0)));
        assert_eq!(mem.0.peek(LCD_CONTROL, Size::Word), Some(control(6)));
        let functions: Vec<u32> = (0..8).map(blit_function).collect();
        assert_eq!(functions[7], 0);
        assert!(functions[..7].windows(2).all(|w| w[1] == w[0] + 8));
        assert_eq!(blit_function(u32::MAX), 0);
    }

    /// A buffer in the LCD's format is copied as it is.
    #[test]
    fn a_buffer_in_the_lcds_format_is_copied() {
        let mut machine = lcd_machine(MODE_565);
        let pixels = (0..WIDTH * HEIGHT).map(|i| i as u16);
        let buffer = halfwords(pixels);
        assert_eq!(blit_buffer(&mut machine, 0, &buffer), Answer::Value(BUFFER));
        let mut screen = vec![0; buffer.len()];
        assert!(machine.board.read_ram(SCREEN, &mut screen));
        assert_eq!(screen, buffer);
        let picture = picture(&machine);
        assert_eq!(picture[0xF800], RED);
    }

    /// A 5:6:5 buffer on the LCD in 1:5:5:5, and 1:5:5:5 on 5:6:5, show their colours.
    #[test]
    fn a_buffer_in_another_16_bit_format_is_converted() {
        let mut machine = lcd_machine(4);
        blit_buffer(&mut machine, 0, &halfwords([RED_565, BLUE_565]));
        let mut screen = [0; 4];
        assert!(machine.board.read_ram(SCREEN, &mut screen));
        assert_eq!(screen, [0x00, 0x7C, 0x1F, 0x00]);
        assert_eq!(picture(&machine)[..2], [RED, BLUE]);

        let mut machine = lcd_machine(MODE_565);
        blit_buffer(&mut machine, 5, &halfwords([RED_555, 0x001F]));
        assert_eq!(picture(&machine)[..2], [RED, BLUE]);
    }

    /// An 8-bit buffer holds palette indices: on a 16-bit LCD they are the palette's colours.
    #[test]
    fn an_8_bit_buffer_goes_through_the_palette() {
        let mut machine = lcd_machine(MODE_565);
        // Palette entries 0 and 1: R[4:0] G[9:5] B[14:10], red and blue swapped by BGR.
        assert!(machine.board.poke(0xC000_0200, 0x001F_7C00));
        let mut buffer = vec![0; WIDTH * HEIGHT];
        buffer[1] = 1;
        blit_buffer(&mut machine, 4, &buffer);
        assert_eq!(picture(&machine)[..3], [RED, BLUE, RED]);
    }

    /// Into an LCD in 4 bits, a 5:6:5 buffer is copied as it is, no more than the frame.
    #[test]
    fn into_a_palette_lcd_the_bytes_are_copied_up_to_its_frame() {
        let mut machine = lcd_machine(2);
        assert!(machine.board.load(SCREEN + 38400, &[0xAA; 4]));
        blit_buffer(&mut machine, 0, &vec![0x11; WIDTH * HEIGHT * 2]);
        let mut screen = vec![0; 38400 + 4];
        assert!(machine.board.read_ram(SCREEN, &mut screen));
        assert!(screen[..38400].iter().all(|&b| b == 0x11));
        assert_eq!(screen[38400..], [0xAA; 4]);
    }

    /// A 240x320 buffer's row r is the screen's column r.
    #[test]
    fn a_portrait_buffer_is_transposed() {
        let mut machine = lcd_machine(MODE_565);
        let mut pixels = vec![0u16; WIDTH * HEIGHT];
        pixels[1] = RED_565; // row 0, column 1: the screen's row 1, column 0
        pixels[HEIGHT] = BLUE_565; // row 1, column 0: the screen's row 0, column 1
        blit_buffer(&mut machine, 2, &halfwords(pixels));
        let picture = picture(&machine);
        assert_eq!((picture[WIDTH], picture[1], picture[0]), (RED, BLUE, 0));
    }

    #[test]
    fn a_buffer_outside_memory_is_an_error() {
        let mut machine = lcd_machine(MODE_565);
        let mut mem = PhysicalMemory(&mut machine.board);
        assert_eq!(blit(0, &call(0x2000_0000), &mut mem), Err(MemoryError));
        // A framebuffer outside RAM too.
        assert!(mem.0.poke(LCD_UPBASE, 0x2000_0000));
        assert_eq!(blit(0, &call(BUFFER), &mut mem), Err(MemoryError));
    }
}
