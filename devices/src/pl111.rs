//! ARM PrimeCell Color LCD Controller (PL111), the CX's LCD controller at 0xC0000000, IRQ line
//! 21 (hardware doc 2.5; ARM DDI 0293 "PrimeCell Color LCD Controller (PL111) Technical
//! Reference Manual").
//!
//! Timing: while LCDControl.LcdEn is set, a frame event recurs at the period the timing
//! registers give at the CLCDCLK rate passed to [`Pl111::new`]. Each frame latches LCDUPBASE
//! into the current-frame base (LCDUPCURR) and sets LNBU and Vcomp in LCDRIS. Pixels are not
//! produced by events: the machine calls [`Pl111::render`] whenever it wants a picture, with a
//! reader of physical memory.
//!
//! The cell decodes `HADDR[11:2]` only, so its 4 KiB register block repeats through the window.

use crate::stub::{merge_lanes, read_lanes, write_lanes};
use crate::{Context, Device, EventTag, Size};
use serde::{Deserialize, Serialize};

/// The panel's width in pixels.
pub const WIDTH: usize = 320;
/// The panel's height in pixels.
pub const HEIGHT: usize = 240;

/// The scheduler tag of the frame event.
pub const FRAME_EVENT: EventTag = 0;

// LCDControl bits (TRM, "LCD Control Register, LCDControl").
const LCD_EN: u32 = 1 << 0;
const BGR: u32 = 1 << 8;
const BEBO: u32 = 1 << 9;
const BEPO: u32 = 1 << 10;
const LCD_PWR: u32 = 1 << 11;

// LCDIMSC / LCDRIS / LCDMIS / LCDICR bits (TRM, "Interrupt Mask Set/Clear Register,
// LCDIMSC").
const INT_LNBU: u32 = 1 << 2;
const INT_VCOMP: u32 = 1 << 3;
const INT_ALL: u32 = 0x1E;

/// A frame never recurs faster than this, whatever the timing registers hold (at reset they
/// describe a 16-clock frame).
const MAX_FRAMES_PER_SECOND: u64 = 1000;

/// CLCDPeriphID0-3 and CLCDPCellID0-3 as the CX reports them (doc 2.5): PL111 revision 1.
const ID: [u8; 8] = [0x11, 0x11, 0x14, 0x00, 0x0D, 0xF0, 0x05, 0xB1];

/// The PL111 CLCD controller.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Pl111 {
    /// CLCDCLK, the reference clock the pixel clock divides.
    clcd_hz: u64,
    /// LCDTiming0-3.
    timing: [u32; 4],
    lcd_upbase: u32,
    lcd_lpbase: u32,
    lcd_control: u32,
    lcd_imsc: u32,
    lcd_ris: u32,
    /// The frame bases latched at the start of the current frame (LCDUPCURR, LCDLPCURR: the
    /// hardware shows the DMA address moving through the frame; here it stays at the start).
    lcd_upcurr: u32,
    lcd_lpcurr: u32,
    /// 256 x 16-bit palette entries (TRM, "Color Palette Register": two per word, the even one
    /// in bits 15:0).
    #[serde(with = "crate::serde_array")]
    palette: [u16; 256],
    /// Cursor image RAM and registers: storage only, the cursor is not drawn.
    #[serde(with = "crate::serde_array")]
    cursor_image: [u32; 256],
    clcd_crsr_ctrl: u32,
    clcd_crsr_config: u32,
    clcd_crsr_palette0: u32,
    clcd_crsr_palette1: u32,
    clcd_crsr_xy: u32,
    clcd_crsr_clip: u32,
    clcd_crsr_imsc: u32,
    /// The cycle the pending frame event was scheduled for.
    next_frame: u64,
}

impl Pl111 {
    /// A controller in its reset state, its CLCDCLK at `clcd_hz` (12 MHz on the CX, as
    /// Firebird models it).
    pub fn new(clcd_hz: u64) -> Pl111 {
        Pl111 {
            clcd_hz: clcd_hz.max(1),
            timing: [0; 4],
            lcd_upbase: 0,
            lcd_lpbase: 0,
            lcd_control: 0,
            lcd_imsc: 0,
            lcd_ris: 0,
            lcd_upcurr: 0,
            lcd_lpcurr: 0,
            palette: [0; 256],
            cursor_image: [0; 256],
            clcd_crsr_ctrl: 0,
            clcd_crsr_config: 0,
            clcd_crsr_palette0: 0,
            clcd_crsr_palette1: 0,
            clcd_crsr_xy: 0,
            clcd_crsr_clip: 0,
            clcd_crsr_imsc: 0,
            next_frame: 0,
        }
    }

    /// The frame period in CLCDCLK ticks: pixel clock divisor x clocks per line x lines per
    /// frame, blanking included, as Firebird computes it (doc 2.5) from the TRM's fields
    /// (LCDTiming0-2): HSW, HFP, HBP and CPL hold their value minus one, VSW and LPP too, VFP and
    /// VBP their value. PCD divides CLCDCLK by PCD + 2 unless BCD bypasses the divider.
    pub fn frame_period_ticks(&self) -> u64 {
        let [t0, t1, t2, _] = self.timing.map(u64::from);
        let pcd = if t2 & (1 << 26) != 0 {
            1
        } else {
            ((t2 >> 27) << 5 | (t2 & 0x1F)) + 2
        };
        let hsw = (t0 >> 8) & 0xFF;
        let hfp = (t0 >> 16) & 0xFF;
        let hbp = (t0 >> 24) & 0xFF;
        let cpl = (t2 >> 16) & 0x3FF;
        let lpp = t1 & 0x3FF;
        let vsw = (t1 >> 10) & 0x3F;
        let vfp = (t1 >> 16) & 0xFF;
        let vbp = (t1 >> 24) & 0xFF;
        let htime = (hsw + 1) + (hfp + 1) + (hbp + 1) + (cpl + 1);
        let vtime = (vsw + 1) + vfp + vbp + (lpp + 1);
        (pcd * htime * vtime).max(self.clcd_hz / MAX_FRAMES_PER_SECOND)
    }

    /// The frame period in cycles of a CPU clocked at `cpu_hz`.
    pub fn frame_period_cycles(&self, cpu_hz: u64) -> u64 {
        let cycles = self.frame_period_ticks() as u128 * cpu_hz as u128 / self.clcd_hz as u128;
        u64::try_from(cycles).unwrap_or(u64::MAX).max(1)
    }

    fn update_irq(&self, ctx: &mut Context) {
        ctx.set_irq(self.lcd_ris & self.lcd_imsc != 0);
    }

    fn schedule_frame(&mut self, from: u64, ctx: &mut Context) {
        self.next_frame = from.saturating_add(self.frame_period_cycles(ctx.cpu_hz));
        ctx.events.schedule(FRAME_EVENT, self.next_frame);
    }

    fn write_control(&mut self, value: u32, ctx: &mut Context) {
        let was_enabled = self.lcd_control & LCD_EN != 0;
        self.lcd_control = value & 0x1_3FFF;
        match (was_enabled, self.lcd_control & LCD_EN != 0) {
            (false, true) => {
                // The DMA starts from LCDUPBASE as soon as the controller is enabled.
                self.lcd_upcurr = self.lcd_upbase;
                self.lcd_lpcurr = self.lcd_lpbase;
                self.schedule_frame(ctx.now, ctx);
            }
            (true, false) => ctx.events.cancel(FRAME_EVENT),
            _ => {}
        }
    }

    fn peek_word(&self, word: u32) -> u32 {
        match word {
            0x000..=0x00C => self.timing[(word / 4) as usize],
            0x010 => self.lcd_upbase,
            0x014 => self.lcd_lpbase,
            0x018 => self.lcd_control,
            0x01C => self.lcd_imsc,
            0x020 => self.lcd_ris,
            0x024 => self.lcd_ris & self.lcd_imsc,
            0x02C => self.lcd_upcurr,
            0x030 => self.lcd_lpcurr,
            0x200..=0x3FC => {
                let i = ((word - 0x200) / 2) as usize;
                self.palette[i] as u32 | (self.palette[i + 1] as u32) << 16
            }
            0x800..=0xBFC => self.cursor_image[((word - 0x800) / 4) as usize],
            0xC00 => self.clcd_crsr_ctrl,
            0xC04 => self.clcd_crsr_config,
            0xC08 => self.clcd_crsr_palette0,
            0xC0C => self.clcd_crsr_palette1,
            0xC10 => self.clcd_crsr_xy,
            0xC14 => self.clcd_crsr_clip,
            0xC20 => self.clcd_crsr_imsc,
            0xFE0..=0xFFC => ID[((word - 0xFE0) / 4) as usize] as u32,
            // ClcdCrsrRIS/MIS (0xC28/0xC2C): the cursor never interrupts; the rest is reserved.
            _ => 0,
        }
    }

    /// Draws the upper panel's frame, 320x240 from the current frame base, into `out` as
    /// 0x00RRGGBB. `read_mem(address, buffer)` fills `buffer` from physical memory and returns
    /// false where there is none (those lines draw black). With LcdEn or LcdPwr clear the panel
    /// gets no data (TRM, LCDControl: LcdPwr gates `CLD[23:0]`) and the picture is black.
    ///
    /// Choices: lines are 320 pixels whatever LCDTiming0.PPL says, as the CX panel has them
    /// (Firebird does the same); palette entries are always decoded as for a TFT panel (the CX
    /// has one); a colour's unused low bits are 0, as on the panel's data lines (TRM table of
    /// TFT `CLD[23:0]` assignments): 5:6:5 white is 0xF8FCF8.
    pub fn render(
        &self,
        read_mem: &mut dyn FnMut(u32, &mut [u8]) -> bool,
        out: &mut [u32; WIDTH * HEIGHT],
    ) {
        if self.lcd_control & (LCD_EN | LCD_PWR) != LCD_EN | LCD_PWR {
            out.fill(0);
            return;
        }
        let mode = self.mode();
        let bpp = Self::bits_per_pixel(mode);
        let row_bytes = WIDTH * bpp / 8;
        let mut line = [0u8; WIDTH * 4];
        for (y, row) in out.chunks_exact_mut(WIDTH).enumerate() {
            let at = self.lcd_upcurr.wrapping_add((y * row_bytes) as u32);
            let bytes = &mut line[..row_bytes];
            if !read_mem(at, bytes) {
                row.fill(0);
                continue;
            }
            for (x, pixel) in row.iter_mut().enumerate() {
                *pixel = self.decode(mode, bytes, x);
            }
        }
    }

    /// Pixel `i` (counting from the first on screen) of the 32-bit word `word` read from memory,
    /// `bpp` bits wide.
    fn pixel_bits(&self, word: u32, i: usize, bpp: u32) -> u32 {
        let mask = if bpp == 32 { u32::MAX } else { (1 << bpp) - 1 };
        (word >> self.pixel_shift(i as u32, bpp)) & mask
    }

    /// Where pixel `i` of a 32-bit word lies in it, `bpp` bits wide. TRM, "Pixel serializer":
    /// BEBO puts the first pixel in the most significant byte of the word, little-endian order
    /// in the least; for 1, 2 and 4 bpp BEPO then puts the first pixel of each byte in its most
    /// significant bits. 16 bpp pixels fill halfwords, 24 bpp ones whole words, unaffected by
    /// BEPO.
    fn pixel_shift(&self, i: u32, bpp: u32) -> u32 {
        let bebo = self.lcd_control & BEBO != 0;
        if bpp >= 8 {
            if bebo {
                32 - bpp * (i + 1)
            } else {
                bpp * i
            }
        } else {
            let per_byte = 8 / bpp;
            let (byte, j) = (i / per_byte, i % per_byte);
            let byte_shift = if bebo { 8 * (3 - byte) } else { 8 * byte };
            let bit = if self.lcd_control & BEPO != 0 {
                8 - bpp * (j + 1)
            } else {
                bpp * j
            };
            byte_shift + bit
        }
    }

    /// LCDControl.LcdBpp, the frame's pixel format: 0-3 1, 2, 4 and 8 bpp through the palette,
    /// 4 16 bpp 1:5:5:5, 5 24 bpp (a word a pixel), 6 16 bpp 5:6:5, 7 12 bpp 4:4:4.
    pub fn mode(&self) -> u32 {
        (self.lcd_control >> 1) & 7
    }

    /// The bits a pixel takes in memory in LcdBpp `mode` (1 to 32).
    pub fn bits_per_pixel(mode: u32) -> usize {
        match mode & 7 {
            0..=3 => 1 << mode,
            5 => 32,
            _ => 16,
        }
    }

    /// The colour (0x00RRGGBB) the panel would show for pixel `i` of `frame`, a frame laid out
    /// in LcdBpp `mode`, with this controller's byte and pixel order, BGR and palette; black
    /// past the frame's end.
    pub fn decode(&self, mode: u32, frame: &[u8], i: usize) -> u32 {
        let bpp = Self::bits_per_pixel(mode);
        let bit = i * bpp;
        let at = bit / 32 * 4;
        let Some(bytes) = frame.get(at..at + 4) else {
            return 0;
        };
        let word = u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
        self.colour(mode, self.pixel_bits(word, (bit % 32) / bpp, bpp as u32))
    }

    /// The pixel value that shows `colour` (0x00RRGGBB) in LcdBpp `mode` with this
    /// controller's BGR, to the precision of the format: the inverse of [`Pl111::decode`].
    /// `None` for the palette modes (0-3).
    pub fn encode(&self, mode: u32, colour: u32) -> Option<u32> {
        let (r, g, b) = ((colour >> 16) & 0xFF, (colour >> 8) & 0xFF, colour & 0xFF);
        // The field the panel shows as red holds blue with BGR set, and the other way round.
        let (low, high) = if self.lcd_control & BGR != 0 {
            (b, r)
        } else {
            (r, b)
        };
        match mode & 7 {
            4 => Some(low >> 3 | (g >> 3) << 5 | (high >> 3) << 10),
            5 => Some(low | g << 8 | high << 16),
            6 => Some(low >> 3 | (g >> 2) << 5 | (high >> 3) << 11),
            7 => Some(low >> 4 | (g >> 4) << 4 | (high >> 4) << 8),
            _ => None,
        }
    }

    /// Stores `value` as pixel `i` of `frame`, a frame laid out in LcdBpp `mode`, in this
    /// controller's byte and pixel order; nothing past the frame's end.
    pub fn store(&self, mode: u32, frame: &mut [u8], i: usize, value: u32) {
        let bpp = Self::bits_per_pixel(mode);
        let bit = i * bpp;
        let at = bit / 32 * 4;
        let Some(bytes) = frame.get_mut(at..at + 4) else {
            return;
        };
        let mut word = u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
        let mask = if bpp == 32 { u32::MAX } else { (1 << bpp) - 1 };
        let shift = self.pixel_shift(((bit % 32) / bpp) as u32, bpp as u32);
        word = (word & !(mask << shift)) | (value & mask) << shift;
        bytes.copy_from_slice(&word.to_le_bytes());
    }

    /// The colour of a pixel value in LcdBpp `mode`, as 0x00RRGGBB. The TRM's formats ("Pixel
    /// serializer", "Color Palette Register") put red in the least significant field: palette
    /// entries and 1:5:5:5 pixels are R[4:0], G[9:5], B[14:10] and an intensity bit 15; 5:6:5
    /// is R[4:0] G[10:5] B[15:11]; 4:4:4 is R[3:0] G[7:4] B[11:8]; 24 bpp is R[7:0] G[15:8]
    /// B[23:16]. The intensity bit drives the bit below each 5-bit colour on the panel lines.
    ///
    /// LCDControl.BGR swaps red and blue. Firebird's note that on the CX the fields are swapped
    /// when BGR is *clear* is the same rule seen from its decoder, which takes red from the top
    /// field; and Linux's pl111 DRM driver sets BGR for XRGB8888 and RGB565, whose red is on top.
    fn colour(&self, mode: u32, value: u32) -> u32 {
        let c5i = |v: u32| {
            let i = (v >> 15) & 1;
            let c = |f: u32| ((v >> f) & 0x1F) << 3 | i << 2;
            (c(0), c(5), c(10))
        };
        let (r, g, b) = match mode {
            0..=3 => c5i(self.palette[value as usize & 0xFF] as u32),
            4 => c5i(value),
            5 => (value & 0xFF, (value >> 8) & 0xFF, (value >> 16) & 0xFF),
            6 => (
                (value & 0x1F) << 3,
                ((value >> 5) & 0x3F) << 2,
                ((value >> 11) & 0x1F) << 3,
            ),
            _ => ((value & 0xF) << 4, value & 0xF0, (value >> 4) & 0xF0),
        };
        let (r, b) = if self.lcd_control & BGR != 0 {
            (b, r)
        } else {
            (r, b)
        };
        r << 16 | g << 8 | b
    }
}

impl Device for Pl111 {
    fn read(&mut self, offset: u32, size: Size, _ctx: &mut Context) -> u32 {
        read_lanes(self.peek_word(offset & 0xFFC), offset, size)
    }

    fn write(&mut self, offset: u32, size: Size, value: u32, ctx: &mut Context) {
        let word = offset & 0xFFC;
        let merge = |old: u32, mask: u32| merge_lanes(old, value, offset, size) & mask;
        match word {
            // LCDTiming0 bits 1:0 and LCDTiming2 bit 15 are reserved.
            0x000 => self.timing[0] = merge(self.timing[0], 0xFFFF_FFFC),
            0x004 => self.timing[1] = merge(self.timing[1], u32::MAX),
            0x008 => self.timing[2] = merge(self.timing[2], 0xFFFF_7FFF),
            0x00C => self.timing[3] = merge(self.timing[3], 0x0001_007F),
            // Frame bases are doubleword aligned: bits 2:0 are ignored (TRM,
            // LCDUPBASE).
            0x010 => self.lcd_upbase = merge(self.lcd_upbase, !7),
            0x014 => self.lcd_lpbase = merge(self.lcd_lpbase, !7),
            0x018 => self.write_control(merge(self.lcd_control, u32::MAX), ctx),
            0x01C => self.lcd_imsc = merge(self.lcd_imsc, INT_ALL),
            0x028 => self.lcd_ris &= !write_lanes(value, offset, size),
            0x200..=0x3FC => {
                let i = ((word - 0x200) / 2) as usize;
                let old = self.peek_word(word);
                let new = merge(old, u32::MAX);
                self.palette[i] = new as u16;
                self.palette[i + 1] = (new >> 16) as u16;
            }
            0x800..=0xBFC => {
                let i = ((word - 0x800) / 4) as usize;
                self.cursor_image[i] = merge(self.cursor_image[i], u32::MAX);
            }
            // Cursor registers (TRM, "ClcdCrsrCtrl" onwards), kept with their defined bits.
            0xC00 => self.clcd_crsr_ctrl = merge(self.clcd_crsr_ctrl, 0x31),
            0xC04 => self.clcd_crsr_config = merge(self.clcd_crsr_config, 0x3),
            0xC08 => self.clcd_crsr_palette0 = merge(self.clcd_crsr_palette0, 0xFF_FFFF),
            0xC0C => self.clcd_crsr_palette1 = merge(self.clcd_crsr_palette1, 0xFF_FFFF),
            0xC10 => self.clcd_crsr_xy = merge(self.clcd_crsr_xy, 0x0FFF_0FFF),
            0xC14 => self.clcd_crsr_clip = merge(self.clcd_crsr_clip, 0x3F3F),
            0xC20 => self.clcd_crsr_imsc = merge(self.clcd_crsr_imsc, 1),
            // LCDRIS/MIS/UPCURR/LPCURR, ClcdCrsrICR/RIS/MIS and the IDs are read-only or have
            // nothing to clear.
            _ => {}
        }
        self.update_irq(ctx);
    }

    fn peek(&self, offset: u32, size: Size, _now: u64, _cpu_hz: u64) -> Option<u32> {
        Some(read_lanes(self.peek_word(offset & 0xFFC), offset, size))
    }

    fn event(&mut self, tag: EventTag, ctx: &mut Context) {
        if tag != FRAME_EVENT || self.lcd_control & LCD_EN == 0 {
            return;
        }
        // A new frame: the DMA restarts from the (possibly updated) LCDUPBASE, which raises LNBU
        // ("LCD next base address update", TRM, LCDRIS). Vcomp marks the vertical phase LcdVComp
        // selects; one event per frame stands for both.
        self.lcd_upcurr = self.lcd_upbase;
        self.lcd_lpcurr = self.lcd_lpbase;
        self.lcd_ris |= INT_LNBU | INT_VCOMP;
        self.update_irq(ctx);
        // Frames stay on their grid when an event fires late, but are never scheduled into the
        // past.
        let period = self.frame_period_cycles(ctx.cpu_hz);
        let from = if self.next_frame.saturating_add(period) > ctx.now {
            self.next_frame
        } else {
            ctx.now
        };
        self.schedule_frame(from, ctx);
    }

    fn events(&self) -> &'static [EventTag] {
        &[FRAME_EVENT]
    }

    fn check_saved(&self, current: &Self) -> Result<(), String> {
        crate::check_clock(self.clcd_hz, current.clcd_hz)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stub::bench::Bench;

    const CPU_HZ: u64 = 132_000_000;
    const CONTROL: u32 = 0x018;
    const IMSC: u32 = 0x01C;
    const RIS: u32 = 0x020;
    const MIS: u32 = 0x024;
    const ICR: u32 = 0x028;
    const EN_PWR_TFT: u32 = LCD_EN | LCD_PWR | 1 << 5;
    const FB: u32 = 0x1000_0000;

    fn bench() -> Bench {
        Bench::new(CPU_HZ, Some(21))
    }

    /// The timing Linux's panel-simple entry for `ti,nspire-cx-lcd-panel` asks for (doc 2.5):
    /// 320x240, hsync 320+50/+6/+38, vsync 240+3/+1/+17, with PCD = 1 (divide by 3).
    fn program_linux_timing(b: &mut Bench, lcd: &mut Pl111) {
        b.write(lcd, 0x000, 37 << 24 | 49 << 16 | 5 << 8 | 19 << 2);
        b.write(lcd, 0x004, 17 << 24 | 3 << 16 | 239);
        b.write(lcd, 0x008, 319 << 16 | 1);
    }

    #[test]
    fn ids_and_register_masks() {
        let mut b = bench();
        let mut lcd = Pl111::new(12_000_000);
        let ids: Vec<u32> = (0..8).map(|i| b.read(&mut lcd, 0xFE0 + 4 * i)).collect();
        assert_eq!(ids, [0x11, 0x11, 0x14, 0x00, 0x0D, 0xF0, 0x05, 0xB1]);
        b.write(&mut lcd, 0x010, 0x1234_5677);
        assert_eq!(b.read(&mut lcd, 0x010), 0x1234_5670);
        b.write(&mut lcd, IMSC, 0xFFFF_FFFF);
        assert_eq!(b.read(&mut lcd, IMSC), 0x1E);
        b.write(&mut lcd, 0x204, 0x7FFF_1234);
        let mut ctx = b.ctx();
        lcd.write(0x206, Size::Half, 0xABCD, &mut ctx);
        assert_eq!(lcd.read(0x204, Size::Word, &mut ctx), 0xABCD_1234);
        assert_eq!(lcd.read(0x207, Size::Byte, &mut ctx), 0xAB);
        assert_eq!(
            b.read(&mut lcd, 0x1018),
            b.read(&mut lcd, 0x018),
            "4 KiB mirror"
        );
    }

    #[test]
    fn frame_period_follows_the_timing_registers() {
        let mut b = bench();
        let mut lcd = Pl111::new(12_000_000);
        // At reset the registers describe 16 clocks: the floor of 1 ms (12000 ticks) applies.
        assert_eq!(lcd.frame_period_ticks(), 12_000);
        program_linux_timing(&mut b, &mut lcd);
        // PCD 3 x (38 + 50 + 6 + 320) x (17 + 3 + 1 + 240) = 3 x 414 x 261.
        assert_eq!(lcd.frame_period_ticks(), 324_162);
        assert_eq!(lcd.frame_period_cycles(CPU_HZ), 324_162 * 11);
        b.write(&mut lcd, 0x008, 1 << 26 | 319 << 16);
        assert_eq!(
            lcd.frame_period_ticks(),
            414 * 261,
            "BCD bypasses the divider"
        );
    }

    #[test]
    fn frame_event_latches_base_and_raises_lnbu() {
        let mut b = bench();
        let mut lcd = Pl111::new(12_000_000);
        program_linux_timing(&mut b, &mut lcd);
        b.write(&mut lcd, 0x010, FB);
        b.write(&mut lcd, IMSC, INT_LNBU);
        b.write(&mut lcd, CONTROL, EN_PWR_TFT | 6 << 1);
        let period = 324_162 * 11;
        assert_eq!(b.scheduler.when(0, FRAME_EVENT), Some(period));
        b.write(&mut lcd, 0x010, FB + 0x2_5800);
        assert_eq!(
            b.read(&mut lcd, 0x02C),
            FB,
            "LCDUPCURR holds until the frame starts"
        );
        assert!(!b.line());
        assert_eq!(
            b.run_until(&mut lcd, 3 * period),
            [period, 2 * period, 3 * period]
        );
        assert_eq!(b.read(&mut lcd, RIS), INT_LNBU | INT_VCOMP);
        assert_eq!(b.read(&mut lcd, MIS), INT_LNBU);
        assert_eq!(b.read(&mut lcd, 0x02C), FB + 0x2_5800);
        assert!(b.line());
        b.write(&mut lcd, ICR, INT_LNBU | INT_VCOMP);
        assert!(!b.line());
        b.write(&mut lcd, CONTROL, 0);
        assert_eq!(b.run_until(&mut lcd, 10 * period), Vec::<u64>::new());
        assert_eq!(b.read(&mut lcd, RIS), 0);
    }

    /// Renders the frame at `FB` held in `mem` (zeros beyond it) with LCDControl = `control`.
    fn render(lcd: &mut Pl111, control: u32, mem: &[u8]) -> Box<[u32; WIDTH * HEIGHT]> {
        let mut b = bench();
        b.write(lcd, 0x010, FB);
        b.write(lcd, CONTROL, control);
        let mut fb = mem.to_vec();
        fb.resize(WIDTH * HEIGHT * 4, 0);
        let mut read = |addr: u32, buf: &mut [u8]| {
            let at = addr.wrapping_sub(FB) as usize;
            match fb.get(at..at + buf.len()) {
                Some(src) => {
                    buf.copy_from_slice(src);
                    true
                }
                None => false,
            }
        };
        let mut out = Box::new([0xFFFF_FFFF; WIDTH * HEIGHT]);
        lcd.render(&mut read, &mut out);
        out
    }

    fn halfwords(pixels: &[u16]) -> Vec<u8> {
        pixels.iter().flat_map(|p| p.to_le_bytes()).collect()
    }

    #[test]
    fn render_565_with_and_without_bgr_and_bebo() {
        let mut lcd = Pl111::new(12_000_000);
        let mem = halfwords(&[0xF800, 0x07E0, 0x001F, 0xFFFF]);
        let out = render(&mut lcd, EN_PWR_TFT | 6 << 1, &mem);
        assert_eq!(out[..5], [0x0000F8, 0x00FC00, 0xF80000, 0xF8FCF8, 0]);
        let out = render(&mut lcd, EN_PWR_TFT | 6 << 1 | BGR, &mem);
        assert_eq!(out[..4], [0xF80000, 0x00FC00, 0x0000F8, 0xF8FCF8]);
        // BEBO: the first pixel of each word is in its upper halfword.
        let out = render(&mut lcd, EN_PWR_TFT | 6 << 1 | BGR | BEBO, &mem);
        assert_eq!(out[..4], [0x00FC00, 0xF80000, 0xF8FCF8, 0x0000F8]);
    }

    #[test]
    fn render_1555_444_and_24bpp() {
        let mut lcd = Pl111::new(12_000_000);
        let mem = halfwords(&[0x801F, 0x7C00, 0x03E0, 0x0000]);
        let out = render(&mut lcd, EN_PWR_TFT | 4 << 1, &mem);
        assert_eq!(out[..4], [0xFC0404, 0x0000F8, 0x00F800, 0]);
        let mem = halfwords(&[0x0F00, 0x0ABC, 0xF00F]);
        let out = render(&mut lcd, EN_PWR_TFT | 7 << 1, &mem);
        assert_eq!(out[..3], [0x0000F0, 0xC0B0A0, 0xF00000]);
        // 24 bpp as Linux sets it up for XRGB8888: LcdBpp24 | BGR, red in bits 23:16.
        let mem: Vec<u8> = [0x0011_2233u32, 0xFF00_00FF]
            .iter()
            .flat_map(|w| w.to_le_bytes())
            .collect();
        let out = render(&mut lcd, EN_PWR_TFT | 5 << 1 | BGR, &mem);
        assert_eq!(out[..2], [0x112233, 0x0000FF]);
        let out = render(&mut lcd, EN_PWR_TFT | 5 << 1, &mem);
        assert_eq!(out[..2], [0x332211, 0xFF0000]);
    }

    /// A colour encoded for a direct-colour mode, stored, and decoded again is the colour (to
    /// the format's precision), in every byte order and with or without BGR; the palette
    /// modes have no encoding.
    #[test]
    fn encode_store_and_decode_are_inverses() {
        let mut b = bench();
        let mut lcd = Pl111::new(12_000_000);
        for control in [0, BGR, BGR | BEBO] {
            for mode in 4..8 {
                b.write(&mut lcd, CONTROL, EN_PWR_TFT | mode << 1 | control);
                let mut frame = vec![0u8; 16];
                let colours = [0xF8FCF8, 0xF80000, 0x00FC00, 0x0000F8];
                for (i, &colour) in colours.iter().enumerate() {
                    let value = lcd.encode(mode, colour).unwrap();
                    lcd.store(mode, &mut frame, i, value);
                }
                let back: Vec<u32> = (0..4).map(|i| lcd.decode(mode, &frame, i)).collect();
                let precise = |c: u32| match mode {
                    4 => c & 0xF8F8F8,
                    7 => c & 0xF0F0F0,
                    _ => c,
                };
                let expected: Vec<u32> = colours.iter().map(|&c| precise(c)).collect();
                assert_eq!(back, expected, "mode {mode}, control {control:#x}");
            }
        }
        assert_eq!(lcd.encode(3, 0xFFFFFF), None);
        assert_eq!(lcd.decode(6, &[0; 4], 2), 0, "past the frame's end");
        lcd.store(6, &mut [0; 4], 2, 0xFFFF);
    }

    fn palette_lcd() -> Pl111 {
        let mut b = bench();
        let mut lcd = Pl111::new(12_000_000);
        // Entries 0-3: black, red, green, blue (R[4:0], G[9:5], B[14:10]).
        b.write(&mut lcd, 0x200, 0x001F_0000);
        b.write(&mut lcd, 0x204, 0x7C00_03E0);
        lcd
    }

    const RED: u32 = 0xF80000;
    const GREEN: u32 = 0x00F800;
    const BLUE: u32 = 0x0000F8;

    #[test]
    fn render_palettized_in_each_pixel_order() {
        let mut lcd = palette_lcd();
        // 1 bpp. LBLP: pixel n is bit n; BBBP: bit 31 - n; LBBP: bit 7 - n of byte 0.
        let out = render(&mut lcd, EN_PWR_TFT, &[0b10]);
        assert_eq!(out[..3], [0, RED, 0]);
        let out = render(&mut lcd, EN_PWR_TFT | BEBO | BEPO, &[0, 0, 0, 0x80]);
        assert_eq!(out[..2], [RED, 0]);
        let out = render(&mut lcd, EN_PWR_TFT | BEPO, &[0x80]);
        assert_eq!(out[..2], [RED, 0]);
        assert_eq!(out[8..10], [0, 0]);
        // 2 bpp: pixels 0-3 = entries 0-3.
        let out = render(&mut lcd, EN_PWR_TFT | 1 << 1, &[0b11_10_01_00]);
        assert_eq!(out[..5], [0, RED, GREEN, BLUE, 0]);
        let out = render(&mut lcd, EN_PWR_TFT | 1 << 1 | BEPO, &[0b00_01_10_11]);
        assert_eq!(out[..4], [0, RED, GREEN, BLUE]);
        // 4 bpp.
        let out = render(&mut lcd, EN_PWR_TFT | 2 << 1, &[0x21, 0x03]);
        assert_eq!(out[..4], [RED, GREEN, BLUE, 0]);
        let out = render(&mut lcd, EN_PWR_TFT | 2 << 1 | BEPO, &[0x12, 0x30]);
        assert_eq!(out[..4], [RED, GREEN, BLUE, 0]);
        // 8 bpp; BBBP reverses the bytes of each word.
        let out = render(&mut lcd, EN_PWR_TFT | 3 << 1, &[1, 2, 3, 0]);
        assert_eq!(out[..4], [RED, GREEN, BLUE, 0]);
        let out = render(&mut lcd, EN_PWR_TFT | 3 << 1 | BEBO | BEPO, &[1, 2, 3, 0]);
        assert_eq!(out[..4], [0, BLUE, GREEN, RED]);
        // BGR swaps the palette's red and blue too.
        let out = render(&mut lcd, EN_PWR_TFT | 3 << 1 | BGR, &[1, 2, 3, 0]);
        assert_eq!(out[..4], [BLUE, GREEN, RED, 0]);
    }

    #[test]
    fn render_rows_stride_and_blank_states() {
        let mut lcd = palette_lcd();
        // 8 bpp: row 1 starts 320 bytes in; the last row is the last 320 bytes.
        let mut mem = vec![0u8; WIDTH * HEIGHT];
        mem[WIDTH] = 1;
        mem[WIDTH * HEIGHT - 1] = 3;
        let out = render(&mut lcd, EN_PWR_TFT | 3 << 1, &mem);
        assert_eq!(out[WIDTH], RED);
        assert_eq!(out[WIDTH * HEIGHT - 1], BLUE);
        assert_eq!(out.iter().filter(|&&p| p != 0).count(), 2);
        // LcdPwr clear: no data reaches the panel.
        let out = render(&mut lcd, LCD_EN | 1 << 5 | 3 << 1, &mem);
        assert!(out.iter().all(|&p| p == 0));
        // Memory that does not exist reads as black lines.
        let mut b = bench();
        b.write(&mut lcd, 0x010, 0xFFFF_FF00);
        b.write(&mut lcd, CONTROL, 0);
        b.write(&mut lcd, CONTROL, EN_PWR_TFT | 5 << 1);
        let mut out = Box::new([1; WIDTH * HEIGHT]);
        lcd.render(&mut |_, _| false, &mut out);
        assert!(out.iter().all(|&p| p == 0));
    }

    #[test]
    fn any_access_is_harmless() {
        let mut b = bench();
        let mut lcd = Pl111::new(0);
        for offset in (0..0x1000).chain([u32::MAX, 0xFFFF_FFFC, 0x10000]) {
            for size in [Size::Byte, Size::Half, Size::Word] {
                let mut ctx = b.ctx();
                lcd.write(offset, size, 0xFFFF_FFFF, &mut ctx);
                lcd.read(offset, size, &mut ctx);
                let _ = lcd.peek(offset, size, 0, 1);
            }
        }
        b.run_until(&mut lcd, 10_000_000);
        let mut out = Box::new([0; WIDTH * HEIGHT]);
        lcd.render(&mut |_, _| true, &mut out);
    }
}
