//! The CX's touchpad: the square pad in the middle of the keypad, which is also its arrows
//! (pressed at an edge) and its click (pressed in the middle). A Synaptics pad on an I2C bus
//! (the controller at 0x90050000); what is modelled here is the pad's register file, as TI-OS's
//! `touchpad_read` and `touchpad_write` give it to programs (the Ndless SDK's `touchpad.c`
//! describes it; Hackspire's "Touchpad I2C protocol"), not the bus.
//!
//! Registers are bytes in pages, the page selected by writing register 0xFF. Page 0x04 is the
//! report: 0x00 contact (a finger on the pad), 0x01 proximity, 0x02-0x03 x and 0x04-0x05 y
//! (big-endian; x grows to the right, y upwards, from 0 to [`WIDTH`] and [`HEIGHT`]),
//! 0x06-0x07 the relative motion since the last read, 0x0A pressed (the pad pushed down).
//! Page 0x10 has the pad's size: 0x04-0x05 width, 0x06-0x07 height (big-endian). Other
//! registers read 0.
//!
//! Choices: the relative motion always reads 0 (no program studied uses it, and a read that
//! changes the state would make a read-only peek impossible); proximity is 100 while touched,
//! 0 otherwise; the last position stays readable after the finger leaves.

use serde::{Deserialize, Serialize};

/// The pad's width and height in its own units, as a CX's pad reports them on page 0x10
/// (Firebird reports the same).
pub const WIDTH: u16 = 0x0918;
pub const HEIGHT: u16 = 0x069B;

/// The page of the report, selected at power-on (TI-OS's interrupt handler expects it).
const REPORT_PAGE: u8 = 0x04;
/// The page of the pad's description.
const INFO_PAGE: u8 = 0x10;
/// The register that selects the page.
const PAGE_SELECT: u8 = 0xFF;
/// Proximity while a finger is on the pad.
const PROXIMITY_TOUCHED: u8 = 100;

/// What a finger does on the pad.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Touch {
    /// A finger on the pad.
    pub contact: bool,
    /// The pad pushed down (a click; at an edge, an arrow).
    pub pressed: bool,
    /// Where, from the left edge, 0 to [`WIDTH`].
    pub x: u16,
    /// Where, from the bottom edge, 0 to [`HEIGHT`].
    pub y: u16,
}

/// The touchpad's state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Touchpad {
    touch: Touch,
    /// The register page selected.
    page: u8,
}

impl Default for Touchpad {
    fn default() -> Touchpad {
        Touchpad {
            touch: Touch::default(),
            page: REPORT_PAGE,
        }
    }
}

impl Touchpad {
    /// What the finger does now; a position past the pad's edges is taken at the edge. A pad
    /// pressed is touched too.
    pub fn set(&mut self, touch: Touch) {
        self.touch = Touch {
            contact: touch.contact || touch.pressed,
            pressed: touch.pressed,
            x: touch.x.min(WIDTH),
            y: touch.y.min(HEIGHT),
        };
    }

    /// What the finger does.
    pub fn touch(&self) -> Touch {
        self.touch
    }

    /// Register `register` of the page selected.
    pub fn read(&self, register: u8) -> u8 {
        let t = &self.touch;
        let [x_high, x_low] = t.x.to_be_bytes();
        let [y_high, y_low] = t.y.to_be_bytes();
        let [width_high, width_low] = WIDTH.to_be_bytes();
        let [height_high, height_low] = HEIGHT.to_be_bytes();
        match (self.page, register) {
            (_, PAGE_SELECT) => self.page,
            (REPORT_PAGE, 0x00) => t.contact as u8,
            (REPORT_PAGE, 0x01) if t.contact => PROXIMITY_TOUCHED,
            (REPORT_PAGE, 0x02) => x_high,
            (REPORT_PAGE, 0x03) => x_low,
            (REPORT_PAGE, 0x04) => y_high,
            (REPORT_PAGE, 0x05) => y_low,
            (REPORT_PAGE, 0x0A) => t.pressed as u8,
            (INFO_PAGE, 0x04) => width_high,
            (INFO_PAGE, 0x05) => width_low,
            (INFO_PAGE, 0x06) => height_high,
            (INFO_PAGE, 0x07) => height_low,
            _ => 0,
        }
    }

    /// Writes register `register`: 0xFF selects the page; the pad's other registers (its
    /// configuration) are not modelled and ignore writes.
    pub fn write(&mut self, register: u8, value: u8) {
        if register == PAGE_SELECT {
            self.page = value;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_range(pad: &Touchpad, from: u8, to: u8) -> Vec<u8> {
        (from..=to).map(|r| pad.read(r)).collect()
    }

    /// As libndls's `touchpad_getinfo` and `touchpad_scan` read it.
    #[test]
    fn the_report_and_the_size_read_as_the_sdk_expects() {
        let mut pad = Touchpad::default();
        pad.set(Touch {
            contact: false,
            pressed: true,
            x: 0x0123,
            y: 0x0456,
        });
        assert_eq!(
            read_range(&pad, 0x00, 0x0A),
            [1, 100, 0x01, 0x23, 0x04, 0x56, 0, 0, 0, 0, 1]
        );
        pad.write(0xFF, 0x10);
        assert_eq!(read_range(&pad, 0x04, 0x07), [0x09, 0x18, 0x06, 0x9B]);
        assert_eq!(pad.read(0xFF), 0x10);
        pad.write(0xFF, 0x04);
        pad.set(Touch::default());
        assert_eq!(read_range(&pad, 0x00, 0x01), [0, 0]);
        assert_eq!(pad.read(0x0A), 0);
    }

    #[test]
    fn positions_past_the_edges_are_at_the_edges() {
        let mut pad = Touchpad::default();
        pad.set(Touch {
            contact: true,
            pressed: false,
            x: u16::MAX,
            y: 5000,
        });
        assert_eq!((pad.touch().x, pad.touch().y), (WIDTH, HEIGHT));
    }
}
