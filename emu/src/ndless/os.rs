//! The OS calls, Ndless extensions and OS variables the emulator answers.
//!
//! Values that present the machine: a CX (`nl_hwtype` 1, `nl_hwsubtype` 0), a touchpad keypad
//! (`keypad_type` 4), on TI-OS 4.5.4 (`nl_osid` 37, Ndless's number for the non-CAS CX's
//! 4.5.4.48: its `ut_read_os_version_index`; `nl_osvalue` picks entry 37 of a program's table),
//! with Ndless revision 2022, and the CX's LCD before the HW-W revision (`nl_lcd_type` 0). The
//! hardware agrees: the misc block's model register (0x900A0000) reads 0x101, not the CX II's
//! 0x202, and its ID word no CM model bits, which is how Ndless's own `nl_hwsubtype` tells.

use super::{
    dialogs, dirs, files, gc, layout, memory, screen, stdio, strings, ti_string, touchpad,
};
use super::{printf, scan, stdlib};
use super::{Answer, Call, Ndless};
use crate::guest::{GuestMemory, MemoryError};

/// The Ndless extensions, by index (the SDK's `syscall-list.h`).
pub const EXTENSIONS: [&str; 16] = [
    "nl_osvalue",
    "nl_relocdatab",
    "nl_hwtype",
    "nl_isstartup",
    "nl_lua_getstate",
    "nl_set_resident",
    "nl_ndless_rev",
    "nl_no_scr_redraw",
    "nl_loaded_by_3rd_party_loader",
    "nl_hwsubtype",
    "nl_exec",
    "nl_osid",
    "_nl_hassyscall",
    "nl_lcd_blit",
    "nl_lcd_type",
    "nl_lcd_init",
];

/// `nl_hwtype`: 1 for the CX family.
const HWTYPE_CX: u32 = 1;
/// `nl_osid`: TI-OS 4.5.4 on a non-CAS CX, in Ndless's numbering of the OSes it supports.
const OSID_CX_4_5_4: u32 = 37;
/// `nl_ndless_rev`.
const NDLESS_REVISION: u32 = 2022;

// OS variables (`__SYSCALLS_ISVAR` | index).
const VAR_KEYPAD_TYPE: u32 = 59;
const VAR_STDIN: u32 = 71;
const VAR_STDOUT: u32 = 72;
const VAR_STDERR: u32 = 73;
const VAR_GUI_GC_GLOBAL_GC_PTR: u32 = 298;

/// The address of an OS variable; 0 for one the emulator does not have.
pub fn variable(index: u32) -> Answer {
    Answer::Value(match index {
        VAR_KEYPAD_TYPE => layout::KEYPAD_TYPE,
        VAR_STDIN => layout::STD_FILES,
        VAR_STDOUT => layout::STD_FILES + layout::FILE_SIZE,
        VAR_STDERR => layout::STD_FILES + 2 * layout::FILE_SIZE,
        VAR_GUI_GC_GLOBAL_GC_PTR => layout::GLOBAL_GC_VARIABLE,
        _ => return Answer::Unsupported,
    })
}

/// An Ndless extension.
pub fn extension(
    ndless: &mut Ndless,
    index: u32,
    call: &Call,
    mem: &mut dyn GuestMemory,
) -> Result<Answer, MemoryError> {
    let value = match EXTENSIONS.get(index as usize).copied() {
        // `nl_relocdatab(words, count, base)`: a PRG's own relocation of its data, adding the
        // base to each word; a Zehn program was relocated by its loader, and Ndless leaves it.
        Some("nl_relocdatab") => {
            let [words, count, base, _] = call.args;
            if ndless.prg_base.is_some() {
                for i in 0..count.min(1 << 24) {
                    let at = words.wrapping_add(4 * i);
                    let value = mem.read_u32(at)?.wrapping_add(base);
                    mem.write_u32(at, value)?;
                }
            }
            0
        }
        // An OS-specific value from the program's table of one per OS Ndless knows.
        Some("nl_osvalue") => match call.args[1] > OSID_CX_4_5_4 {
            true => mem.read_u32(call.args[0].wrapping_add(4 * OSID_CX_4_5_4))?,
            false => 0,
        },
        Some("nl_hwtype") => HWTYPE_CX,
        Some("nl_hwsubtype") => 0,
        Some("nl_osid") => OSID_CX_4_5_4,
        Some("nl_ndless_rev") => NDLESS_REVISION,
        // Not started at boot, not by another loader.
        Some("nl_isstartup" | "nl_loaded_by_3rd_party_loader") => 0,
        // The screen is not put back when the program returns to one that ran it.
        Some("nl_no_scr_redraw") => {
            ndless.no_scr_redraw = true;
            0
        }
        Some("nl_exec") => return super::exec::start(ndless, call, mem),
        // Whether a call exists: the ones answered below.
        Some("_nl_hassyscall") => u32::from(answers(call.args[0])),
        Some("nl_lcd_type") => screen::LCD_TYPE,
        Some("nl_lcd_blit") => screen::blit_function(call.args[0]),
        Some("nl_lcd_init") => return screen::lcd_init(call.args[0], mem),
        _ => return Ok(Answer::Unsupported),
    };
    Ok(Answer::Value(value))
}

/// A family of OS calls: the numbers it answers, and how.
type Family = (
    &'static [u32],
    fn(&mut Ndless, u32, &Call, &mut dyn GuestMemory) -> Result<Answer, MemoryError>,
);

/// Every family of OS calls the emulator answers.
const FAMILIES: [Family; 14] = [
    (memory::NUMBERS, memory::call),
    (strings::NUMBERS, strings::call),
    (stdio::NUMBERS, stdio::call),
    (files::NUMBERS, files::call),
    (dirs::NUMBERS, dirs::call),
    (SYSTEM, system),
    (dialogs::NUMBERS, dialogs::call),
    (touchpad::NUMBERS, touchpad::call),
    (screen::NUMBERS, screen::call),
    (printf::NUMBERS, printf::call),
    (stdlib::NUMBERS, stdlib::call),
    (scan::NUMBERS, scan::call),
    (gc::NUMBERS, gc::call),
    (ti_string::NUMBERS, ti_string::call),
];

/// Whether the emulator answers OS call `number` (for `_nl_hassyscall`).
fn answers(number: u32) -> bool {
    FAMILIES
        .iter()
        .any(|(numbers, _)| numbers.contains(&number))
}

/// A TI-OS call: the family that answers it answers it.
pub fn call(
    ndless: &mut Ndless,
    index: u32,
    call: &Call,
    mem: &mut dyn GuestMemory,
) -> Result<Answer, MemoryError> {
    match FAMILIES
        .iter()
        .find(|(numbers, _)| numbers.contains(&index))
    {
        Some((_, answer)) => answer(ndless, index, call, mem),
        None => Ok(Answer::Unsupported),
    }
}

const TCT_LOCAL_CONTROL_INTERRUPTS: u32 = 14;
const ERRNO_ADDR: u32 = 61;

/// The system's own calls.
const SYSTEM: &[u32] = &[TCT_LOCAL_CONTROL_INTERRUPTS, ERRNO_ADDR];

/// The interrupt mask bits of the CPSR (I and F) `TCT_Local_Control_Interrupts` sets.
const INTERRUPT_MASK: u32 = 0xC0;

fn system(
    _: &mut Ndless,
    index: u32,
    call: &Call,
    _: &mut dyn GuestMemory,
) -> Result<Answer, MemoryError> {
    Ok(match index {
        TCT_LOCAL_CONTROL_INTERRUPTS => {
            // The old mask is returned; the caller's I and F bits become the argument's.
            let old = call.cpsr & INTERRUPT_MASK;
            let cpsr = (call.cpsr & !INTERRUPT_MASK) | (call.args[0] & INTERRUPT_MASK);
            Answer::ValueAndCpsr(old, cpsr)
        }
        ERRNO_ADDR => Answer::Value(layout::ERRNO),
        _ => Answer::Unsupported,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bus::{Bus, Size};
    use crate::machine::Machine;
    use crate::ndless::boot::PhysicalMemory;

    fn extension_call(index: u32, args: [u32; 4], mem: &mut dyn GuestMemory) -> Answer {
        let call = Call::with(index, args, 0);
        let mut ndless = Ndless::new(Box::new(std::io::sink()), Box::new(std::io::sink()));
        extension(&mut ndless, index, &call, mem).unwrap_or(Answer::BadPointer)
    }

    fn named(name: &str) -> u32 {
        EXTENSIONS.iter().position(|&n| n == name).unwrap() as u32
    }

    /// What the extensions say and what the hardware says agree on a non-CAS CX (not a CX
    /// II, not a CM) on OS 4.5.4 with a touchpad.
    #[test]
    fn the_machine_is_a_non_cas_cx_on_os_4_5_4() {
        let mut machine = Machine::nspire_cx(0);
        let model = machine.board.peek(0x900A_0000, Size::Word);
        assert_eq!(model, Some(0x101), "a CX, not a CX II (0x202)");
        let asic_model = (machine.board.peek(0x900A_002C, Size::Word).unwrap() >> 26) & 0x1F;
        assert!(!matches!(asic_model, 2 | 3), "not a CM");
        let table: Vec<u8> = (0..40u32).flat_map(|i| (1000 + i).to_le_bytes()).collect();
        assert!(machine.board.load(0x1100_0000, &table));
        let mut mem = PhysicalMemory(&mut machine.board);
        let mut ask = |name, args| extension_call(named(name), args, &mut mem);
        assert_eq!(ask("nl_hwtype", [0; 4]), Answer::Value(1));
        assert_eq!(ask("nl_hwsubtype", [0; 4]), Answer::Value(0));
        assert_eq!(ask("nl_osid", [0; 4]), Answer::Value(37));
        assert_eq!(ask("nl_lcd_type", [0; 4]), Answer::Value(0));
        assert_eq!(
            variable(VAR_KEYPAD_TYPE),
            Answer::Value(layout::KEYPAD_TYPE)
        );

        // nl_osvalue: entry 37 of a table long enough, else 0.
        assert_eq!(
            ask("nl_osvalue", [0x1100_0000, 40, 0, 0]),
            Answer::Value(1037)
        );
        assert_eq!(ask("nl_osvalue", [0x1100_0000, 37, 0, 0]), Answer::Value(0));
        assert_eq!(
            ask("nl_osvalue", [0x2000_0000, 40, 0, 0]),
            Answer::BadPointer
        );
    }
}
