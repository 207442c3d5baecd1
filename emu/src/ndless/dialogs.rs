//! TI-OS's dialogs, and the UTF-16 helpers programs use to fill them. There is no OS screen to
//! show a dialog on: its title and text go to the program's stderr, each line after an `emu:`
//! line that names the dialog, and it is answered at once as if a person had pressed a button:
//! the one `--msgbox-answer` names (1, the first, by default; a box with fewer buttons gets its
//! last).
//!
//! - `show_dialog_box2_` (30): a message with OK.
//! - `_show_msgbox_2b`, `_show_msgbox_3b` (93, 94): two or three buttons, each given with the
//!   value the call returns when it is pressed (libndls passes 1, 2, 3).
//! - `_show_1NumericInput`, `_show_2NumericInput` (203, 204): OK or Cancel, buttons 1 and 2; OK
//!   returns 5103 (what libndls tests for) and leaves the values as the program set them,
//!   Cancel returns 0.
//! - `_show_msgUserInput` (205): a request for text, in TI-OS `String` objects the emulator
//!   does not have: always cancelled (0).
//! - `ascii2utf16` (13), `utf162ascii` (201), `utf16_strlen` (202). Strings are UTF-16LE; bytes
//!   above 0x7F convert as Latin-1 and characters above U+007F to ASCII as `?`. The size is the
//!   destination's in bytes, its terminator included: a longer string is cut to fit.

use std::io::Write;

use super::{argument, string, utf16, Answer, Call, Ndless};
use crate::guest::{GuestMemory, MemoryError};

const ASCII2UTF16: u32 = 13;
const SHOW_DIALOG_BOX2: u32 = 30;
const SHOW_MSGBOX_2B: u32 = 93;
const SHOW_MSGBOX_3B: u32 = 94;
const UTF162ASCII: u32 = 201;
const UTF16_STRLEN: u32 = 202;
const SHOW_1NUMERIC_INPUT: u32 = 203;
const SHOW_2NUMERIC_INPUT: u32 = 204;
const SHOW_MSG_USER_INPUT: u32 = 205;

/// The OS calls answered here.
pub const NUMBERS: &[u32] = &[
    ASCII2UTF16,
    SHOW_DIALOG_BOX2,
    SHOW_MSGBOX_2B,
    SHOW_MSGBOX_3B,
    UTF162ASCII,
    UTF16_STRLEN,
    SHOW_1NUMERIC_INPUT,
    SHOW_2NUMERIC_INPUT,
    SHOW_MSG_USER_INPUT,
];

/// What the numeric inputs return for OK.
const NUMERIC_OK: u32 = 5103;

/// Answers OS call `index`, one of [`NUMBERS`].
pub fn call(
    ndless: &mut Ndless,
    index: u32,
    call: &Call,
    mem: &mut dyn GuestMemory,
) -> Result<Answer, MemoryError> {
    let [a, b, c, d] = call.args;
    let value = match index {
        ASCII2UTF16 => {
            let units: Vec<u16> = string(mem, b)?.into_iter().map(u16::from).collect();
            write_terminated(mem, a, &units, c as i32, 2)?;
            0
        }
        UTF162ASCII => {
            let text: Vec<u8> = utf16(mem, b)?
                .into_iter()
                .map(|u| if u < 0x80 { u as u8 } else { b'?' })
                .collect();
            let units: Vec<u16> = text.into_iter().map(u16::from).collect();
            write_terminated(mem, a, &units, c as i32, 1)?;
            0
        }
        UTF16_STRLEN => utf16(mem, a)?.len() as u32,
        SHOW_DIALOG_BOX2 => {
            let (title, text) = (text(mem, b)?, text(mem, c)?);
            show(
                ndless,
                "message box",
                &title,
                &[text.as_str()],
                "OK".to_string(),
            );
            0
        }
        SHOW_MSGBOX_2B | SHOW_MSGBOX_3B => {
            let count = if index == SHOW_MSGBOX_2B { 2 } else { 3 };
            let (title, message) = (text(mem, b)?, text(mem, c)?);
            // Button n's label is argument 3 + 2n, the value it returns the next.
            let mut buttons = Vec::new();
            for n in 0..count {
                let label = argument(mem, call, 3 + 2 * n)?;
                let value = argument(mem, call, 4 + 2 * n)?;
                buttons.push((text(mem, label)?, value));
            }
            let chosen = (ndless.msgbox_answer.clamp(1, count) - 1) as usize;
            let labels: Vec<String> = (buttons.iter().enumerate())
                .map(|(n, (label, _))| format!("{} {label}", n + 1))
                .collect();
            let answer = format!(
                "buttons {}: answered {} ({})",
                labels.join(", "),
                chosen + 1,
                buttons[chosen].0
            );
            show(ndless, "message box", &title, &[message.as_str()], answer);
            buttons[chosen].1
        }
        SHOW_1NUMERIC_INPUT | SHOW_2NUMERIC_INPUT => {
            let (title, subtitle) = (text(mem, b)?, text(mem, c)?);
            // (label, value pointer, min, max): arguments 3, 4, 6, 7, then 8, 9, 11, 12.
            let count = if index == SHOW_1NUMERIC_INPUT { 1 } else { 2 };
            let mut fields = Vec::new();
            for n in 0..count {
                let first = 3 + 5 * n;
                let label = argument(mem, call, first)?;
                let label = text(mem, label)?;
                let value = argument(mem, call, first + 1)?;
                let value = mem.read_u32(value)? as i32;
                let min = argument(mem, call, first + 3)? as i32;
                let max = argument(mem, call, first + 4)? as i32;
                fields.push(format!("{label} {value} ({min} to {max})"));
            }
            let ok = ndless.msgbox_answer == 1;
            let answer = format!("answered {}", if ok { "OK" } else { "Cancel" });
            let mut lines = vec![subtitle.as_str()];
            lines.extend(fields.iter().map(String::as_str));
            show(ndless, "numeric input", &title, &lines, answer);
            if ok {
                NUMERIC_OK
            } else {
                0
            }
        }
        SHOW_MSG_USER_INPUT => {
            let (title, message) = (text(mem, c)?, text(mem, d)?);
            let answer = "cancelled: emu takes no text".to_string();
            show(ndless, "text input", &title, &[message.as_str()], answer);
            0
        }
        _ => return Ok(Answer::Unsupported),
    };
    Ok(Answer::Value(value))
}

/// Writes `units` and a terminator at `addr`, `unit` bytes each (1 or 2), in at most `size`
/// bytes: the string is cut to fit; nothing is written if not even the terminator fits.
fn write_terminated(
    mem: &mut dyn GuestMemory,
    addr: u32,
    units: &[u16],
    size: i32,
    unit: usize,
) -> Result<(), MemoryError> {
    let room = usize::try_from(size).unwrap_or(0) / unit;
    if room == 0 {
        return Ok(());
    }
    let mut bytes: Vec<u8> = units[..units.len().min(room - 1)]
        .iter()
        .flat_map(|u| u.to_le_bytes()[..unit].to_vec())
        .collect();
    bytes.extend(std::iter::repeat_n(0, unit));
    mem.write_bytes(addr, &bytes)
}

/// The UTF-16 string at `addr` as text (a NULL pointer reads as nothing).
fn text(mem: &mut dyn GuestMemory, addr: u32) -> Result<String, MemoryError> {
    if addr == 0 {
        return Ok(String::new());
    }
    Ok(String::from_utf16_lossy(&utf16(mem, addr)?))
}

/// Prints a dialog on the program's stderr: `emu: KIND: TITLE`, its lines indented, then how
/// it was answered.
fn show(ndless: &mut Ndless, kind: &str, title: &str, lines: &[&str], answer: String) {
    let mut out = format!("emu: {kind}: {title}\n");
    for line in lines.iter().flat_map(|l| l.lines()) {
        out.push_str(&format!("  {line}\n"));
    }
    out.push_str(&format!("  {answer} (--msgbox-answer)\n"));
    // A closed stderr must not stop the program.
    let _ = ndless.stderr.write_all(out.as_bytes());
    let _ = ndless.stderr.flush();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frontend::setup::SharedBuffer;

    /// Plain memory from address 0.
    struct Memory(Vec<u8>);

    impl GuestMemory for Memory {
        fn read_bytes(&mut self, addr: u32, buf: &mut [u8]) -> Result<(), MemoryError> {
            let at = addr as usize;
            let src = self.0.get(at..at + buf.len()).ok_or(MemoryError)?;
            buf.copy_from_slice(src);
            Ok(())
        }

        fn write_bytes(&mut self, addr: u32, data: &[u8]) -> Result<(), MemoryError> {
            let at = addr as usize;
            let dst = self.0.get_mut(at..at + data.len()).ok_or(MemoryError)?;
            dst.copy_from_slice(data);
            Ok(())
        }
    }

    const SP: u32 = 0x800;

    fn setup() -> (Ndless, SharedBuffer, Memory) {
        let out = SharedBuffer::default();
        let ndless = Ndless::new(Box::new(std::io::sink()), Box::new(out.clone()));
        (ndless, out, Memory(vec![0; 0x1000]))
    }

    fn put_utf16(mem: &mut Memory, addr: u32, text: &str) {
        let mut bytes: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
        bytes.extend([0, 0]);
        mem.write_bytes(addr, &bytes).unwrap();
    }

    /// Calls `index` with these arguments, the fifth on at the stack.
    fn os(ndless: &mut Ndless, mem: &mut Memory, index: u32, args: &[u32]) -> Answer {
        let mut regs = [0; 4];
        for (i, &a) in args.iter().enumerate() {
            match i {
                0..=3 => regs[i] = a,
                _ => mem.write_u32(SP + 4 * (i as u32 - 4), a).unwrap(),
            }
        }
        let call = Call::with(index, regs, SP);
        super::call(ndless, index, &call, mem).unwrap_or(Answer::BadPointer)
    }

    #[test]
    fn ascii_and_utf16_convert_within_the_size_given() {
        let (mut ndless, _, mut mem) = setup();
        mem.write_bytes(0x100, b"Hi\xE9\0").unwrap();
        os(&mut ndless, &mut mem, ASCII2UTF16, &[0x200, 0x100, 8]);
        assert_eq!(mem.0[0x200..0x20A], [b'H', 0, b'i', 0, 0xE9, 0, 0, 0, 0, 0]);
        assert_eq!(
            os(&mut ndless, &mut mem, UTF16_STRLEN, &[0x200]),
            Answer::Value(3)
        );
        // Cut to fit 6 bytes: two characters and the terminator.
        mem.0[0x300..0x308].fill(0xFF);
        os(&mut ndless, &mut mem, ASCII2UTF16, &[0x300, 0x100, 6]);
        assert_eq!(mem.0[0x300..0x308], [b'H', 0, b'i', 0, 0, 0, 0xFF, 0xFF]);
        os(&mut ndless, &mut mem, ASCII2UTF16, &[0x300, 0x100, 1]);
        assert_eq!(mem.0[0x300], b'H', "no room even for the terminator");

        put_utf16(&mut mem, 0x400, "a\u{e9}\u{263a}z");
        os(&mut ndless, &mut mem, UTF162ASCII, &[0x500, 0x400, 16]);
        assert_eq!(&mem.0[0x500..0x505], b"a??z\0");
        os(&mut ndless, &mut mem, UTF162ASCII, &[0x600, 0x400, 3]);
        assert_eq!(&mem.0[0x600..0x604], b"a?\0\0");
    }

    #[test]
    fn message_boxes_are_printed_and_answered_with_the_button_chosen() {
        let (mut ndless, out, mut mem) = setup();
        put_utf16(&mut mem, 0x100, "Title");
        put_utf16(&mut mem, 0x140, "Line one\nLine two");
        put_utf16(&mut mem, 0x200, "Yes");
        put_utf16(&mut mem, 0x210, "No");
        put_utf16(&mut mem, 0x220, "Maybe");
        let dialog = os(
            &mut ndless,
            &mut mem,
            SHOW_DIALOG_BOX2,
            &[0, 0x100, 0x140, 0],
        );
        assert_eq!(dialog, Answer::Value(0));
        let two = [0, 0x100, 0x140, 0x200, 11, 0x210, 22, 0];
        assert_eq!(
            os(&mut ndless, &mut mem, SHOW_MSGBOX_2B, &two),
            Answer::Value(11)
        );
        ndless.set_msgbox_answer(3);
        assert_eq!(
            os(&mut ndless, &mut mem, SHOW_MSGBOX_2B, &two),
            Answer::Value(22),
            "the last button of two"
        );
        let three = [0, 0x100, 0x140, 0x200, 1, 0x210, 2, 0x220, 3, 0];
        assert_eq!(
            os(&mut ndless, &mut mem, SHOW_MSGBOX_3B, &three),
            Answer::Value(3)
        );
        assert_eq!(
            out.text(),
            "emu: message box: Title\n  Line one\n  Line two\n  OK (--msgbox-answer)\n\
             emu: message box: Title\n  Line one\n  Line two\n  \
             buttons 1 Yes, 2 No: answered 1 (Yes) (--msgbox-answer)\n\
             emu: message box: Title\n  Line one\n  Line two\n  \
             buttons 1 Yes, 2 No: answered 2 (No) (--msgbox-answer)\n\
             emu: message box: Title\n  Line one\n  Line two\n  \
             buttons 1 Yes, 2 No, 3 Maybe: answered 3 (Maybe) (--msgbox-answer)\n"
        );
    }

    #[test]
    fn numeric_inputs_answer_ok_or_cancel_and_text_inputs_are_cancelled() {
        let (mut ndless, out, mut mem) = setup();
        put_utf16(&mut mem, 0x100, "Title");
        put_utf16(&mut mem, 0x120, "Sub");
        put_utf16(&mut mem, 0x140, "Speed");
        put_utf16(&mut mem, 0x160, "Size");
        mem.write_u32(0x300, 7).unwrap();
        mem.write_u32(0x304, (-3i32) as u32).unwrap();
        let one = [0, 0x100, 0x120, 0x140, 0x300, 1, 1, 42];
        let answer = os(&mut ndless, &mut mem, SHOW_1NUMERIC_INPUT, &one);
        assert_eq!(answer, Answer::Value(NUMERIC_OK));
        ndless.set_msgbox_answer(2);
        let two = [
            0,
            0x100,
            0x120,
            0x140,
            0x300,
            1,
            1,
            42,
            0x160,
            0x304,
            1,
            (-9i32) as u32,
            9,
        ];
        let answer = os(&mut ndless, &mut mem, SHOW_2NUMERIC_INPUT, &two);
        assert_eq!(answer, Answer::Value(0));
        assert_eq!(mem.read_u32(0x300), Ok(7), "the value stays");
        let text = os(
            &mut ndless,
            &mut mem,
            SHOW_MSG_USER_INPUT,
            &[0, 0, 0x100, 0x140],
        );
        assert_eq!(text, Answer::Value(0));
        assert_eq!(
            out.text(),
            "emu: numeric input: Title\n  Sub\n  Speed 7 (1 to 42)\n  answered OK \
             (--msgbox-answer)\n\
             emu: numeric input: Title\n  Sub\n  Speed 7 (1 to 42)\n  Size -3 (-9 to 9)\n  \
             answered Cancel (--msgbox-answer)\n\
             emu: text input: Title\n  Speed\n  cancelled: emu takes no text (--msgbox-answer)\n"
        );
    }

    #[test]
    fn a_label_outside_memory_is_an_error() {
        let (mut ndless, _, mut mem) = setup();
        let answer = os(
            &mut ndless,
            &mut mem,
            SHOW_DIALOG_BOX2,
            &[0, 0x10_0000, 0, 0],
        );
        assert_eq!(answer, Answer::BadPointer);
        // An unterminated string at memory's end.
        mem.0[0xFF0..].fill(0x41);
        let answer = os(&mut ndless, &mut mem, UTF16_STRLEN, &[0xFF0]);
        assert_eq!(answer, Answer::BadPointer);
    }
}
