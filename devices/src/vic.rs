//! ARM PrimeCell PL190 vectored interrupt controller (VIC), at 0xDC000000 on the CX.
//!
//! Reference: ARM DDI 0181E, "PrimeCell Vectored Interrupt Controller (PL190) Technical
//! Reference Manual" (section numbers below are from it), and
//! `docs/hardware.md` section 2.1.
//!
//! The 32 interrupt lines are levels the devices drive in the machine's [`Lines`]; the VIC
//! reads them on every access and in [`Pl190::outputs`], which the machine calls to drive the
//! CPU's IRQ and FIQ inputs. Besides masking and FIQ/IRQ steering, the PL190 has priority
//! hardware (3.5): FIQ above vectored slots 0..15 above non-vectored IRQs. Reading
//! VICVECTADDR marks the highest-priority pending IRQ as in service and masks nIRQ for it and
//! every lower priority; writing VICVECTADDR ends the service of the highest-priority
//! interrupt in service. Services nest, so the state is the set of priorities in service.
//!
//! Linux's irq-vic never reads VICVECTADDR in its handler: it loops on VICIRQSTATUS and acks
//! with VICINTENCLEAR and VICSOFTINTCLEAR. It only runs the write, then 19 x (read, write back)
//! sequence at boot, which ends any service left in progress.

use crate::stub::{read_lanes, write_lanes};
use crate::{Context, Device, Lines, Size};
use serde::{Deserialize, Serialize};

/// Register offsets (DDI 0181E table 3.1).
const VICIRQSTATUS: u32 = 0x000;
const VICFIQSTATUS: u32 = 0x004;
const VICRAWINTR: u32 = 0x008;
const VICINTSELECT: u32 = 0x00C;
const VICINTENABLE: u32 = 0x010;
const VICINTENCLEAR: u32 = 0x014;
const VICSOFTINT: u32 = 0x018;
const VICSOFTINTCLEAR: u32 = 0x01C;
const VICPROTECTION: u32 = 0x020;
const VICVECTADDR: u32 = 0x030;
const VICDEFVECTADDR: u32 = 0x034;
const VICVECTADDR0: u32 = 0x100;
const VICVECTCNTL0: u32 = 0x200;
const VICITCR: u32 = 0x300;
const VICPERIPHID0: u32 = 0xFE0;

/// VICVECTCNTLn: bit 5 enables the slot, bits 4-0 name its interrupt source.
const VECTCNTL_E: u32 = 1 << 5;
const VECTCNTL_INTSOURCE: u32 = 0x1F;

/// VICPeriphID0-3 and VICPCellID0-3 as Firebird returns them for the CX (hardware doc 2.1):
/// part 0x190, designer 0x41 (ARM), revision 0. VICPCellID3 is 0x81 there where the TRM
/// gives 0xB1; we keep the CX's. Linux reads only the peripheral ID (for the vendor).
const ID: [u32; 8] = [0x90, 0x11, 0x04, 0x00, 0x0D, 0xF0, 0x05, 0x81];

/// The number of vectored slots; priority 16 is the non-vectored IRQ level.
const SLOTS: usize = 16;
const NON_VECTORED: usize = SLOTS;

/// The PL190 VIC.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Pl190 {
    /// VICINTSELECT: 1 = the line is an FIQ source, 0 = IRQ.
    int_select: u32,
    /// VICINTENABLE.
    int_enable: u32,
    /// VICSOFTINT: software-asserted lines, ORed with the hardware levels.
    soft_int: u32,
    /// VICPROTECTION bit 0. Stored only: the bus does not tell devices the CPU mode, so
    /// user-mode accesses are not refused.
    protection: bool,
    /// VICDEFVECTADDR: the ISR address of non-vectored IRQs.
    def_vect_addr: u32,
    /// VICVECTADDR0-15.
    vect_addr: [u32; SLOTS],
    /// VICVECTCNTL0-15 (bits 5-0).
    vect_cntl: [u32; SLOTS],
    /// VICITCR bit 0. Test mode is accepted as plain storage: the outputs stay functional.
    itcr: bool,
    /// The priority levels in service (bit p = slot p, bit 16 = non-vectored), pushed by
    /// reading VICVECTADDR and popped, highest priority first, by writing it.
    in_service: u32,
}

impl Pl190 {
    /// A VIC in its reset state: everything disabled, nothing in service.
    pub fn new() -> Pl190 {
        Pl190::default()
    }

    /// The levels driving the CPU: (nIRQ asserted, nFIQ asserted). The machine calls this
    /// after every device access or event, with the current line levels.
    pub fn outputs(&self, lines: &Lines) -> (bool, bool) {
        let raw = self.raw(lines);
        let irq = self
            .highest_pending(raw)
            .is_some_and(|p| p < self.current_priority());
        (irq, self.fiq_status(raw) != 0)
    }

    /// A debugger read of any register, given the line levels: what [`Device::read`] would
    /// return, without its side effect (reading VICVECTADDR puts nothing in service).
    pub fn peek_lines(&self, offset: u32, size: Size, lines: &Lines) -> u32 {
        let word = offset & 0xFFC;
        read_lanes(self.read_word(word, self.raw(lines)), offset, size)
    }

    /// The lines that can interrupt the CPU: (enabled as IRQs, enabled as FIQs), bit n = line n.
    pub fn enabled_lines(&self) -> (u32, u32) {
        (
            self.int_enable & !self.int_select,
            self.int_enable & self.int_select,
        )
    }

    /// VICRAWINTR: the line levels ORed with the software interrupts.
    fn raw(&self, lines: &Lines) -> u32 {
        lines.data[0] | self.soft_int
    }

    fn irq_status(&self, raw: u32) -> u32 {
        raw & self.int_enable & !self.int_select
    }

    fn fiq_status(&self, raw: u32) -> u32 {
        raw & self.int_enable & self.int_select
    }

    /// The priority of the highest-priority pending IRQ: the lowest enabled vectored slot
    /// whose source is pending, else the non-vectored level if any IRQ is pending. A source
    /// named by no enabled slot is non-vectored (3.5).
    fn highest_pending(&self, raw: u32) -> Option<usize> {
        let status = self.irq_status(raw);
        let vectored = self.vect_cntl.iter().position(|&cntl| {
            cntl & VECTCNTL_E != 0 && status & (1 << (cntl & VECTCNTL_INTSOURCE)) != 0
        });
        vectored.or((status != 0).then_some(NON_VECTORED))
    }

    /// The priority being serviced (17 when none): only higher priorities assert nIRQ.
    fn current_priority(&self) -> usize {
        (self.in_service.trailing_zeros() as usize).min(NON_VECTORED + 1)
    }

    fn isr_address(&self, priority: usize) -> u32 {
        self.vect_addr
            .get(priority)
            .copied()
            .unwrap_or(self.def_vect_addr)
    }

    /// What reading VICVECTADDR returns, and the priority it puts in service, if any.
    /// Outside an interrupt (nothing pending above the current level) the TRM leaves the read
    /// undefined (3.3.10); we return the address of the interrupt in service, or
    /// VICDEFVECTADDR when none is, and change nothing.
    fn vect_addr_read(&self, raw: u32) -> (u32, Option<usize>) {
        let current = self.current_priority();
        match self.highest_pending(raw) {
            Some(p) if p < current => (self.isr_address(p), Some(p)),
            _ => (self.isr_address(current), None),
        }
    }

    /// The word at `offset` (word aligned), without side effects.
    fn read_word(&self, offset: u32, raw: u32) -> u32 {
        match offset {
            VICIRQSTATUS => self.irq_status(raw),
            VICFIQSTATUS => self.fiq_status(raw),
            VICRAWINTR => raw,
            VICINTSELECT => self.int_select,
            VICINTENABLE => self.int_enable,
            VICSOFTINT => self.soft_int,
            VICPROTECTION => self.protection as u32,
            VICVECTADDR => self.vect_addr_read(raw).0,
            VICDEFVECTADDR => self.def_vect_addr,
            0x100..=0x13C => self.vect_addr[((offset - VICVECTADDR0) / 4) as usize],
            0x200..=0x23C => self.vect_cntl[((offset - VICVECTCNTL0) / 4) as usize],
            VICITCR => self.itcr as u32,
            0xFE0..=0xFFC => ID[((offset - VICPERIPHID0) / 4) as usize],
            // Write-only registers and reserved space read as zero.
            _ => 0,
        }
    }
}

impl Device for Pl190 {
    fn read(&mut self, offset: u32, size: Size, ctx: &mut Context) -> u32 {
        let word = offset & 0xFFC;
        let raw = self.raw(ctx.lines);
        if word == VICVECTADDR {
            if let (_, Some(p)) = self.vect_addr_read(raw) {
                self.in_service |= 1 << p;
            }
        }
        read_lanes(self.read_word(word, raw), offset, size)
    }

    fn write(&mut self, offset: u32, size: Size, value: u32, _ctx: &mut Context) {
        let (offset, value) = (offset & 0xFFC, write_lanes(value, offset, size));
        match offset {
            VICINTSELECT => self.int_select = value,
            VICINTENABLE => self.int_enable |= value,
            VICINTENCLEAR => self.int_enable &= !value,
            VICSOFTINT => self.soft_int |= value,
            VICSOFTINTCLEAR => self.soft_int &= !value,
            VICPROTECTION => self.protection = value & 1 != 0,
            // Any write ends the service of the highest-priority interrupt in service
            // (3.3.10); the value is ignored.
            VICVECTADDR => self.in_service &= self.in_service.wrapping_sub(1),
            VICDEFVECTADDR => self.def_vect_addr = value,
            0x100..=0x13C => self.vect_addr[((offset - VICVECTADDR0) / 4) as usize] = value,
            0x200..=0x23C => {
                self.vect_cntl[((offset - VICVECTCNTL0) / 4) as usize] =
                    value & (VECTCNTL_E | VECTCNTL_INTSOURCE)
            }
            VICITCR => self.itcr = value & 1 != 0,
            _ => log::debug!("VIC: write {value:#010x} to read-only or reserved {offset:#05x}"),
        }
    }

    /// `None` for the registers that depend on the line levels, which a peek cannot see: the
    /// machine reads those through [`Pl190::peek_lines`].
    fn peek(&self, offset: u32, size: Size, _now: u64, _cpu_hz: u64) -> Option<u32> {
        match offset & 0xFFC {
            VICIRQSTATUS | VICFIQSTATUS | VICRAWINTR | VICVECTADDR => None,
            word => Some(read_lanes(self.read_word(word, 0), offset, size)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stub::bench::Bench;

    const CPU_HZ: u64 = 90_000_000;

    fn lines(mask: u32) -> Lines {
        let mut lines = Lines::ZERO;
        lines.data[0] = mask;
        lines
    }

    #[test]
    fn status_registers_combine_levels_soft_enable_and_select() {
        let mut h = Bench::new(CPU_HZ, None);
        let mut vic = Pl190::new();
        h.lines = lines(1 << 19 | 1 << 1);
        vic.write(VICSOFTINT, Size::Word, 1 << 4, &mut h.ctx());
        assert_eq!(
            vic.read(VICRAWINTR, Size::Word, &mut h.ctx()),
            1 << 19 | 1 << 4 | 1 << 1
        );
        // Nothing enabled: no status, no outputs.
        assert_eq!(vic.read(VICIRQSTATUS, Size::Word, &mut h.ctx()), 0);
        assert_eq!(vic.outputs(&h.lines), (false, false));

        vic.write(VICINTENABLE, Size::Word, 1 << 19, &mut h.ctx());
        vic.write(VICINTENABLE, Size::Word, 1 << 4, &mut h.ctx());
        vic.write(VICINTSELECT, Size::Word, 1 << 4, &mut h.ctx());
        assert_eq!(
            vic.read(VICINTENABLE, Size::Word, &mut h.ctx()),
            1 << 19 | 1 << 4
        );
        assert_eq!(vic.read(VICIRQSTATUS, Size::Word, &mut h.ctx()), 1 << 19);
        assert_eq!(vic.read(VICFIQSTATUS, Size::Word, &mut h.ctx()), 1 << 4);
        assert_eq!(vic.outputs(&h.lines), (true, true));

        vic.write(VICSOFTINTCLEAR, Size::Word, 1 << 4, &mut h.ctx());
        vic.write(VICINTENCLEAR, Size::Word, 1 << 19, &mut h.ctx());
        assert_eq!(vic.read(VICSOFTINT, Size::Word, &mut h.ctx()), 0);
        assert_eq!(vic.read(VICINTENABLE, Size::Word, &mut h.ctx()), 1 << 4);
        assert_eq!(vic.outputs(&h.lines), (false, false));
    }

    #[test]
    fn identification_registers_read_the_cx_values() {
        let mut h = Bench::new(CPU_HZ, None);
        let mut vic = Pl190::new();
        let ids: Vec<u32> = (0..8)
            .map(|i| vic.read(0xFE0 + 4 * i, Size::Word, &mut h.ctx()))
            .collect();
        assert_eq!(ids, [0x90, 0x11, 0x04, 0x00, 0x0D, 0xF0, 0x05, 0x81]);
    }

    /// The sequence Linux's irq-vic.c runs at boot, then its handler loop.
    #[test]
    fn linux_init_sequence_and_handler_loop() {
        let mut h = Bench::new(CPU_HZ, None);
        let mut vic = Pl190::new();
        vic.write(VICINTSELECT, Size::Word, 0, &mut h.ctx());
        vic.write(VICINTENABLE, Size::Word, 0, &mut h.ctx());
        vic.write(VICINTENCLEAR, Size::Word, !0, &mut h.ctx());
        vic.write(VICITCR, Size::Word, 0, &mut h.ctx());
        vic.write(VICSOFTINTCLEAR, Size::Word, !0, &mut h.ctx());
        vic.write(VICVECTADDR, Size::Word, 0, &mut h.ctx());
        for _ in 0..19 {
            let v = vic.read(VICVECTADDR, Size::Word, &mut h.ctx());
            vic.write(VICVECTADDR, Size::Word, v, &mut h.ctx());
        }
        for i in 0..16 {
            vic.write(
                VICVECTCNTL0 + 4 * i,
                Size::Word,
                VECTCNTL_E | i,
                &mut h.ctx(),
            );
        }
        vic.write(VICDEFVECTADDR, Size::Word, 32, &mut h.ctx());

        vic.write(VICINTENABLE, Size::Word, 1 << 19 | 1 << 1, &mut h.ctx());
        h.lines = lines(1 << 19 | 1 << 1);
        assert_eq!(vic.outputs(&h.lines), (true, false));
        // The handler reads VICIRQSTATUS and handles the lowest set bit until none is left;
        // it never touches VICVECTADDR, so the priority hardware never masks anything.
        assert_eq!(
            vic.read(VICIRQSTATUS, Size::Word, &mut h.ctx()),
            1 << 19 | 1 << 1
        );
        h.lines.set(1, false);
        assert_eq!(vic.read(VICIRQSTATUS, Size::Word, &mut h.ctx()), 1 << 19);
        h.lines.set(19, false);
        assert_eq!(vic.read(VICIRQSTATUS, Size::Word, &mut h.ctx()), 0);
        assert_eq!(vic.outputs(&h.lines), (false, false));
    }

    #[test]
    fn vectaddr_returns_the_highest_priority_slot_and_masks_same_and_lower() {
        let mut h = Bench::new(CPU_HZ, None);
        let mut vic = Pl190::new();
        // Slot 0 = line 7, slot 3 = line 2; line 9 is non-vectored.
        vic.write(VICVECTCNTL0, Size::Word, VECTCNTL_E | 7, &mut h.ctx());
        vic.write(VICVECTADDR0, Size::Word, 0x1000, &mut h.ctx());
        vic.write(VICVECTCNTL0 + 12, Size::Word, VECTCNTL_E | 2, &mut h.ctx());
        vic.write(VICVECTADDR0 + 12, Size::Word, 0x1300, &mut h.ctx());
        vic.write(VICDEFVECTADDR, Size::Word, 0xDEF0, &mut h.ctx());
        vic.write(
            VICINTENABLE,
            Size::Word,
            1 << 7 | 1 << 2 | 1 << 9,
            &mut h.ctx(),
        );

        h.lines = lines(1 << 2 | 1 << 9);
        assert!(vic.outputs(&h.lines).0);
        // Slot 3 beats the non-vectored line 9.
        assert_eq!(vic.read(VICVECTADDR, Size::Word, &mut h.ctx()), 0x1300);
        // In service: slot 3 and everything below it (line 9) are masked.
        assert!(!vic.outputs(&h.lines).0);
        // VICIRQSTATUS is not affected by the priority hardware.
        assert_eq!(
            vic.read(VICIRQSTATUS, Size::Word, &mut h.ctx()),
            1 << 2 | 1 << 9
        );

        // A higher priority (slot 0) nests.
        h.lines.set(7, true);
        assert!(vic.outputs(&h.lines).0);
        assert_eq!(vic.read(VICVECTADDR, Size::Word, &mut h.ctx()), 0x1000);
        assert!(!vic.outputs(&h.lines).0);
        h.lines.set(7, false);
        // End of the slot 0 service: back to slot 3's level, line 9 still masked.
        vic.write(VICVECTADDR, Size::Word, 0, &mut h.ctx());
        assert!(!vic.outputs(&h.lines).0);
        // End of slot 3's: line 2 is still high, so nIRQ is asserted again.
        vic.write(VICVECTADDR, Size::Word, 0, &mut h.ctx());
        assert!(vic.outputs(&h.lines).0);
        h.lines.set(2, false);
        // Only the non-vectored line 9 is left.
        assert_eq!(vic.read(VICVECTADDR, Size::Word, &mut h.ctx()), 0xDEF0);
        assert!(!vic.outputs(&h.lines).0);
        vic.write(VICVECTADDR, Size::Word, 0, &mut h.ctx());
        assert!(vic.outputs(&h.lines).0);
    }

    #[test]
    fn non_vectored_service_still_lets_vectored_interrupts_through() {
        let mut h = Bench::new(CPU_HZ, None);
        let mut vic = Pl190::new();
        vic.write(
            VICVECTCNTL0 + 4 * 15,
            Size::Word,
            VECTCNTL_E | 5,
            &mut h.ctx(),
        );
        vic.write(VICVECTADDR0 + 4 * 15, Size::Word, 0x15, &mut h.ctx());
        vic.write(VICINTENABLE, Size::Word, 1 << 5 | 1 << 6, &mut h.ctx());
        h.lines = lines(1 << 6);
        assert_eq!(vic.read(VICVECTADDR, Size::Word, &mut h.ctx()), 0);
        assert!(!vic.outputs(&h.lines).0);
        h.lines.set(5, true);
        assert!(vic.outputs(&h.lines).0);
        assert_eq!(vic.read(VICVECTADDR, Size::Word, &mut h.ctx()), 0x15);
    }

    #[test]
    fn fiq_sources_are_not_vectored_nor_masked_by_priority() {
        let mut h = Bench::new(CPU_HZ, None);
        let mut vic = Pl190::new();
        vic.write(VICVECTCNTL0, Size::Word, VECTCNTL_E | 3, &mut h.ctx());
        vic.write(VICVECTADDR0, Size::Word, 0x30, &mut h.ctx());
        vic.write(VICDEFVECTADDR, Size::Word, 0x99, &mut h.ctx());
        vic.write(VICINTENABLE, Size::Word, 1 << 3 | 1 << 4, &mut h.ctx());
        vic.write(VICINTSELECT, Size::Word, 1 << 3, &mut h.ctx());
        h.lines = lines(1 << 3 | 1 << 4);
        // Line 3 is an FIQ: slot 0 does not claim it; line 4 is the non-vectored IRQ.
        assert_eq!(vic.read(VICVECTADDR, Size::Word, &mut h.ctx()), 0x99);
        assert_eq!(vic.outputs(&h.lines), (false, true));
    }

    #[test]
    fn peek_of_vectaddr_has_no_side_effect() {
        let mut h = Bench::new(CPU_HZ, None);
        let mut vic = Pl190::new();
        vic.write(VICVECTCNTL0, Size::Word, VECTCNTL_E | 1, &mut h.ctx());
        vic.write(VICVECTADDR0, Size::Word, 0x4000, &mut h.ctx());
        vic.write(VICSOFTINT, Size::Word, 1 << 1, &mut h.ctx());
        vic.write(VICINTENABLE, Size::Word, 1 << 1, &mut h.ctx());
        assert_eq!(vic.peek_lines(VICVECTADDR, Size::Word, &h.lines), 0x4000);
        assert_eq!(vic.peek_lines(VICVECTADDR, Size::Word, &h.lines), 0x4000);
        assert!(vic.outputs(&h.lines).0);
        assert_eq!(vic.peek(VICVECTADDR, Size::Word, 0, 1), None);
        assert_eq!(vic.peek(VICVECTADDR0, Size::Word, 0, 1), Some(0x4000));
        // A real read does put it in service.
        assert_eq!(vic.read(VICVECTADDR, Size::Word, &mut h.ctx()), 0x4000);
        assert!(!vic.outputs(&h.lines).0);
    }

    #[test]
    fn registers_hold_their_values_and_narrow_reads_select_byte_lanes() {
        let mut h = Bench::new(CPU_HZ, None);
        let mut vic = Pl190::new();
        vic.write(VICVECTADDR0 + 4 * 9, Size::Word, 0x1234_5678, &mut h.ctx());
        vic.write(VICVECTCNTL0 + 4 * 9, Size::Word, 0xFFFF_FFFF, &mut h.ctx());
        vic.write(VICPROTECTION, Size::Word, 3, &mut h.ctx());
        assert_eq!(
            vic.read(VICVECTADDR0 + 36, Size::Word, &mut h.ctx()),
            0x1234_5678
        );
        assert_eq!(vic.read(VICVECTADDR0 + 37, Size::Byte, &mut h.ctx()), 0x56);
        assert_eq!(
            vic.read(VICVECTADDR0 + 38, Size::Half, &mut h.ctx()),
            0x1234
        );
        assert_eq!(vic.read(VICVECTCNTL0 + 36, Size::Word, &mut h.ctx()), 0x3F);
        assert_eq!(vic.read(VICPROTECTION, Size::Word, &mut h.ctx()), 1);
        // A byte store writes its lane; the register takes the word (other lanes 0).
        vic.write(VICDEFVECTADDR + 1, Size::Byte, 0xAB, &mut h.ctx());
        assert_eq!(vic.read(VICDEFVECTADDR, Size::Word, &mut h.ctx()), 0xAB00);
    }

    #[test]
    fn any_access_anywhere_is_harmless() {
        let mut h = Bench::new(CPU_HZ, None);
        let mut vic = Pl190::new();
        for offset in (0..0x1010).step_by(1) {
            for size in [Size::Byte, Size::Half, Size::Word] {
                vic.write(offset, size, 0xFFFF_FFFF, &mut h.ctx());
                let _ = vic.read(offset, size, &mut h.ctx());
                let _ = vic.peek(offset, size, 0, 0);
                let _ = vic.peek_lines(offset, size, &h.lines);
            }
        }
        let _ = vic.outputs(&h.lines);
    }
}
