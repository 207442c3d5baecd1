//! The CX "misc" system block at 0x900A0000 (hardware doc 2.8): the model ID, the hardware
//! reset register and the 64-bit ID/fuse word. No interrupt line.
//!
//! | Off         | Read                    | Write                                   |
//! |-------------|-------------------------|-----------------------------------------|
//! | 0x00        | model: 0x101 on the CX  | ignored                                 |
//! | 0x08        | 0                       | any value resets the machine            |
//! | 0x28 / 0x2C | ID/fuse word, low/high  | ignored                                 |
//!
//! Everything else reads 0 and ignores writes (on the CX the classic timer interrupt registers
//! at 0x10-0x24 are unused).

use crate::stub::read_lanes;
use crate::{Context, Device, Size};
use serde::{Deserialize, Serialize};

/// The model ID a CX (not CX II) reports at 0x00 (doc 2.8).
pub const CX_MODEL: u32 = 0x101;

/// The misc block.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Misc {
    model: u32,
    fuse: u64,
}

impl Misc {
    /// A block reporting `model` at 0x00 and the ID/fuse word `fuse` at 0x28/0x2C. Bits 62:58
    /// of the fuse word are the "ASIC user flags" the TI OS checks against its own build (0 on
    /// a non-CAS CX, which is also what Linux's loader reads as the revision).
    pub fn new(model: u32, fuse: u64) -> Misc {
        Misc { model, fuse }
    }

    /// A non-CAS TI-Nspire CX: model 0x101, fuse word 0 (Firebird's ID for product 0x100).
    pub fn cx() -> Misc {
        Misc::new(CX_MODEL, 0)
    }

    fn peek_word(&self, word: u32) -> u32 {
        match word {
            0x00 => self.model,
            0x28 => self.fuse as u32,
            0x2C => (self.fuse >> 32) as u32,
            _ => 0,
        }
    }
}

impl Device for Misc {
    fn read(&mut self, offset: u32, size: Size, _ctx: &mut Context) -> u32 {
        read_lanes(self.peek_word(offset & !3), offset, size)
    }

    fn write(&mut self, offset: u32, _size: Size, _value: u32, ctx: &mut Context) {
        // NSPIRE_MISC_HWRESET: Linux's restart hook writes 2 here; Firebird resets on any write.
        if offset & !3 == 0x08 {
            ctx.requests.reset = true;
        }
    }

    fn peek(&self, offset: u32, size: Size, _now: u64, _cpu_hz: u64) -> Option<u32> {
        Some(read_lanes(self.peek_word(offset & !3), offset, size))
    }

    fn check_saved(&self, current: &Self) -> Result<(), String> {
        match (self.model, self.fuse) == (current.model, current.fuse) {
            true => Ok(()),
            false => Err(format!(
                "model {:#x} and ID word {:#x}, not this machine's {:#x} and {:#x}",
                self.model, self.fuse, current.model, current.fuse
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stub::bench::Bench;

    #[test]
    fn model_fuse_and_reset() {
        let mut b = Bench::new(132_000_000, None);
        let mut m = Misc::cx();
        assert_eq!(b.read(&mut m, 0x00), 0x101);
        assert_eq!((b.read(&mut m, 0x28), b.read(&mut m, 0x2C)), (0, 0));
        let mut cas = Misc::new(CX_MODEL, 0x0400_0001_0001_0105);
        assert_eq!(b.read(&mut cas, 0x28), 0x0001_0105);
        assert_eq!(b.read(&mut cas, 0x2C), 0x0400_0001);
        assert_eq!(
            (b.read(&mut cas, 0x2C) >> 26) & 0x1F,
            1,
            "ASIC user flags: CAS"
        );
        b.write(&mut m, 0x00, 5);
        assert_eq!(b.read(&mut m, 0x00), 0x101);
        assert!(!b.requests.reset);
        b.write(&mut m, 0x08, 2);
        assert!(b.requests.reset);
    }

    #[test]
    fn any_access_is_harmless() {
        let mut b = Bench::new(132_000_000, None);
        let mut m = Misc::cx();
        for offset in (0..0x1000).chain([u32::MAX, 0xFFFF_FFFC, 0x10000]) {
            for size in [Size::Byte, Size::Half, Size::Word] {
                let mut ctx = b.ctx();
                m.read(offset, size, &mut ctx);
                let _ = m.peek(offset, size, 0, 1);
            }
        }
    }

    #[test]
    fn a_saved_block_keeps_the_description_model() {
        assert_eq!(Misc::cx().check_saved(&Misc::cx()), Ok(()));
        let error = Misc::new(0x102, 0).check_saved(&Misc::cx()).unwrap_err();
        assert_eq!(
            error,
            "model 0x102 and ID word 0x0, not this machine's 0x101 and 0x0"
        );
    }
}
