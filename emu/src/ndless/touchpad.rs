//! The touchpad's calls: `touchpad_read` (75) and `touchpad_write` (76) read and write a range
//! of the pad's registers (the first and last register, then a buffer), in the page register
//! 0xFF selects, as TI-OS does over the pad's I2C bus: libndls's `touchpad_scan`,
//! `touchpad_getinfo` and, through them, `isKeyPressed` for the arrows read the pad so. The
//! pad is the keypad's ([`devices::touchpad`]), which the frontend touches. Both return 1
//! (done).

use super::{read, Answer, Call, Ndless};
use crate::guest::{DeviceWrite, GuestMemory, MemoryError};

const TOUCHPAD_READ: u32 = 75;
const TOUCHPAD_WRITE: u32 = 76;

/// The OS calls answered here.
pub const NUMBERS: &[u32] = &[TOUCHPAD_READ, TOUCHPAD_WRITE];

/// Answers OS call `index`, one of [`NUMBERS`].
pub fn call(
    _: &mut Ndless,
    index: u32,
    call: &Call,
    mem: &mut dyn GuestMemory,
) -> Result<Answer, MemoryError> {
    // The registers are bytes (the arguments are `unsigned char`): first to last, none if
    // the last comes before the first.
    let (first, last, buffer) = (call.args[0] as u8, call.args[1] as u8, call.args[2]);
    let registers = first..=last;
    let count = registers.clone().count() as u32;
    match index {
        TOUCHPAD_READ => {
            let Some(pad) = mem.board().and_then(|board| board.touchpad()) else {
                return Ok(Answer::Unsupported);
            };
            let bytes: Vec<u8> = registers.map(|r| pad.read(r)).collect();
            mem.write_bytes(buffer, &bytes)?;
        }
        TOUCHPAD_WRITE => {
            let bytes = read(mem, buffer, count)?;
            if mem.board().and_then(|board| board.touchpad()).is_none() {
                return Ok(Answer::Unsupported);
            }
            for (register, value) in registers.zip(bytes) {
                mem.write_device(&DeviceWrite::Touchpad(register, value))?;
            }
        }
        _ => return Ok(Answer::Unsupported),
    }
    Ok(Answer::Value(1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bus::Bus;
    use crate::frontend::setup::SharedBuffer;
    use crate::machine::Machine;
    use crate::ndless::boot::PhysicalMemory;
    use crate::snapshot;
    use devices::touchpad::Touch;

    const BUFFER: u32 = 0x1100_0000;

    fn os(machine: &mut Machine, index: u32, first: u32, last: u32) -> Answer {
        let call = Call::with(index, [first, last, BUFFER, 0], 0);
        let out = SharedBuffer::default();
        let mut ndless = Ndless::new(Box::new(out.clone()), Box::new(out));
        let mut mem = PhysicalMemory(&mut machine.board);
        super::call(&mut ndless, index, &call, &mut mem).unwrap_or(Answer::BadPointer)
    }

    fn buffer(machine: &Machine, len: usize) -> Vec<u8> {
        let mut bytes = vec![0; len];
        assert!(machine.board.read_ram(BUFFER, &mut bytes));
        bytes
    }

    /// What libndls's `touchpad_getinfo` and `touchpad_scan` do: page 0x10, its registers 4-7,
    /// page 4 again; then registers 0-0x0A of the report.
    #[test]
    fn libndls_reads_the_size_and_the_report() {
        let mut machine = Machine::nspire_cx(0);
        let touch = Touch {
            contact: true,
            pressed: true,
            x: 2000,
            y: 100,
        };
        machine.board.touchpad().unwrap().set(touch);
        assert!(machine.board.load(BUFFER, &[0x10]));
        assert_eq!(
            os(&mut machine, TOUCHPAD_WRITE, 0xFF, 0xFF),
            Answer::Value(1)
        );
        assert_eq!(
            os(&mut machine, TOUCHPAD_READ, 0x04, 0x07),
            Answer::Value(1)
        );
        assert_eq!(buffer(&machine, 4), [0x09, 0x18, 0x06, 0x9B]);
        assert!(machine.board.load(BUFFER, &[0x04]));
        os(&mut machine, TOUCHPAD_WRITE, 0xFF, 0xFF);
        assert_eq!(
            os(&mut machine, TOUCHPAD_READ, 0x00, 0x0A),
            Answer::Value(1)
        );
        assert_eq!(
            buffer(&machine, 12),
            [1, 100, 0x07, 0xD0, 0x00, 100, 0, 0, 0, 0, 1, 0]
        );
    }

    /// The touch and the page selected are part of the machine's saved state.
    #[test]
    fn a_saved_state_keeps_the_touch_and_the_page() {
        let mut machine = Machine::nspire_cx(0);
        let touch = Touch {
            contact: true,
            pressed: false,
            x: 1164,
            y: 1409,
        };
        machine.board.touchpad().unwrap().set(touch);
        assert!(machine.board.load(BUFFER, &[0x10]));
        os(&mut machine, TOUCHPAD_WRITE, 0xFF, 0xFF);
        let text = snapshot::text(&machine).unwrap();
        let memory = machine.board.ram().to_vec();

        let mut loaded = Machine::nspire_cx(0);
        snapshot::restore(&mut loaded, &text, &memory).unwrap();
        assert_eq!(loaded.board.touchpad().unwrap().touch(), touch);
        os(&mut loaded, TOUCHPAD_READ, 0xFF, 0xFF);
        assert_eq!(buffer(&loaded, 1), [0x10]);
        assert!(loaded.board.load(BUFFER, &[0x04]));
        os(&mut loaded, TOUCHPAD_WRITE, 0xFF, 0xFF);
        os(&mut loaded, TOUCHPAD_READ, 0x00, 0x05);
        assert_eq!(buffer(&loaded, 6), [1, 100, 0x04, 0x8C, 0x05, 0x81]);
    }

    #[test]
    fn empty_ranges_and_bad_buffers() {
        let mut machine = Machine::nspire_cx(0);
        assert!(machine.board.load(BUFFER, &[0xAA]));
        assert_eq!(os(&mut machine, TOUCHPAD_READ, 5, 4), Answer::Value(1));
        assert_eq!(buffer(&machine, 1), [0xAA], "nothing read");
        // Arguments are bytes: 0x1FF is register 0xFF.
        assert_eq!(
            os(&mut machine, TOUCHPAD_READ, 0x1FF, 0x1FF),
            Answer::Value(1)
        );
        assert_eq!(buffer(&machine, 1), [0x04], "the page");
        let call = Call::with(TOUCHPAD_READ, [0, 10, 0x2000_0000, 0], 0);
        let mut ndless = Ndless::new(Box::new(std::io::sink()), Box::new(std::io::sink()));
        let mut mem = PhysicalMemory(&mut machine.board);
        let answer = super::call(&mut ndless, TOUCHPAD_READ, &call, &mut mem);
        assert_eq!(answer, Err(MemoryError));
    }
}
