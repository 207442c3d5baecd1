//! What a file given on the command line is, by its first bytes, so that a file given in the
//! wrong place (a zImage as a ROM, an ELF as `--kernel`, a C source as a ROM) is refused with
//! a hint at the right place instead of being run as a raw binary.

/// The kinds of file a person is likely to hand the emulator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    /// An ELF file (executable or not).
    Elf,
    /// A Linux ARM zImage: the magic 0x016F2818 at offset 0x24
    /// (`arch/arm/boot/compressed/head.S`).
    ZImage,
    /// A flattened device tree: big-endian 0xD00DFEED at offset 0.
    DeviceTree,
    /// A gzip stream: a saved state, or a compressed image.
    Gzip,
    /// A PNG picture (a screenshot, say).
    Png,
    /// An Ndless program (`.tns`: Zehn or PRG), which `emu run` runs.
    Ndless,
    /// Text: printable UTF-8 with line breaks (a source file, a script, notes).
    Text,
    /// Anything else: a raw binary.
    Binary,
}

/// Where on the command line a file was given.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// `emu run FILE`.
    Rom,
    /// `--kernel FILE`.
    Kernel,
    /// `--dtb FILE`.
    DeviceTree,
    /// `--load-state FILE`.
    State,
}

/// The kind of `bytes`.
pub fn identify(bytes: &[u8]) -> FileKind {
    let word_at = |offset: usize| {
        bytes
            .get(offset..offset + 4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    };
    if bytes.starts_with(b"\x7fELF") {
        FileKind::Elf
    } else if word_at(0x24) == Some(0x016F_2818) {
        FileKind::ZImage
    } else if bytes.starts_with(&[0xD0, 0x0D, 0xFE, 0xED]) {
        FileKind::DeviceTree
    } else if bytes.starts_with(&[0x1F, 0x8B]) {
        FileKind::Gzip
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        FileKind::Png
    } else if crate::ndless::program::is_program(bytes) {
        FileKind::Ndless
    } else if is_text(bytes) {
        FileKind::Text
    } else {
        FileKind::Binary
    }
}

/// Whether the first 4 KiB of `bytes` look like text: valid UTF-8 (allowing a character cut
/// at the end) with no control characters but tabs and line breaks, and at least one line
/// break or a short length. No ARM image looks like that: its instructions hold control bytes.
fn is_text(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(4096)];
    let valid = match std::str::from_utf8(head) {
        Ok(text) => text,
        Err(e) if e.error_len().is_none() => {
            std::str::from_utf8(&head[..e.valid_up_to()]).unwrap_or_default()
        }
        Err(_) => return false,
    };
    !valid.is_empty()
        && valid
            .chars()
            .all(|c| !c.is_control() || matches!(c, '\n' | '\r' | '\t'))
}

/// Why a file of `kind` does not belong in `role`, with where it does; `None` if it may.
pub fn misplaced(kind: FileKind, role: Role) -> Option<&'static str> {
    use FileKind as K;
    match (role, kind) {
        (Role::Rom, K::ZImage) => Some("a Linux zImage, not a ROM: boot it with --kernel FILE --dtb FILE.dtb"),
        (Role::Rom, K::DeviceTree) => Some("a device tree blob, not a ROM: give it with --dtb, beside --kernel zImage"),
        (Role::Rom | Role::Kernel, K::Gzip) => Some("a gzip file, not an image: a saved state is started with --load-state FILE"),
        (_, K::Png) => Some("a PNG picture, not something the machine can run"),
        (Role::Rom, K::Text) => Some("a text file, not a ROM: a ROM is a raw binary image, an ARM ELF executable or an Ndless program (.tns); roms/README.md says how to build one"),
        (Role::Kernel, K::Elf) => Some("an ELF executable, not a zImage: run a ROM with `emu run FILE`, or give Linux's arch/arm/boot/zImage to --kernel"),
        (Role::Kernel, K::DeviceTree) => Some("a device tree blob: give it with --dtb, and the zImage with --kernel"),
        (Role::Kernel | Role::DeviceTree | Role::State, K::Text) => Some("a text file"),
        (Role::DeviceTree, K::ZImage) => Some("a Linux zImage: give it with --kernel, and the .dtb with --dtb"),
        (Role::DeviceTree, K::Elf) => Some("an ELF executable, not a device tree blob (.dtb)"),
        (Role::Kernel | Role::DeviceTree | Role::State, K::Ndless) => {
            Some("an Ndless program: run it with `emu run FILE.tns`")
        }
        (Role::State, K::Elf) => Some("an ELF executable, not a saved state: run it with `emu run FILE`"),
        (Role::State, K::ZImage) => Some("a Linux zImage, not a saved state: boot it with --kernel FILE --dtb FILE.dtb"),
        _ => None,
    }
}

/// Refuses `bytes` given as `role`, naming `path` and the hint, if they do not belong there.
pub fn check(path: &std::path::Path, bytes: &[u8], role: Role) -> Result<(), String> {
    match misplaced(identify(bytes), role) {
        Some(hint) => Err(format!("{}: {hint}", path.display())),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_by_their_first_bytes() {
        let mut zimage = vec![0u8; 0x40];
        zimage[0x24..0x28].copy_from_slice(&0x016F_2818u32.to_le_bytes());
        assert_eq!(identify(&zimage), FileKind::ZImage);
        assert_eq!(identify(b"\x7fELF\x01\x01\x01"), FileKind::Elf);
        assert_eq!(
            identify(&[0xD0, 0x0D, 0xFE, 0xED, 0, 0]),
            FileKind::DeviceTree
        );
        assert_eq!(identify(&[0x1F, 0x8B, 8, 0]), FileKind::Gzip);
        assert_eq!(
            identify(b"int main(void)\n{\n\treturn 0;\n}\n"),
            FileKind::Text
        );
        assert_eq!(identify("héllo\n".as_bytes()), FileKind::Text);
        // A vector table: branches, with control bytes.
        assert_eq!(
            identify(&[0x06, 0x00, 0x00, 0xEA, 0xFE, 0xFF, 0xFF, 0xEA]),
            FileKind::Binary
        );
        // Printable by chance but with a NUL: binary.
        assert_eq!(identify(b"abcd\0efg"), FileKind::Binary);
    }

    #[test]
    fn a_file_in_the_wrong_place_gets_a_hint_at_the_right_one() {
        let hint = misplaced(FileKind::ZImage, Role::Rom).unwrap();
        assert!(hint.contains("--kernel"), "{hint}");
        let hint = misplaced(FileKind::Elf, Role::Kernel).unwrap();
        assert!(hint.contains("emu run"), "{hint}");
        assert!(misplaced(FileKind::Text, Role::Rom).is_some());
        assert_eq!(misplaced(FileKind::Elf, Role::Rom), None);
        assert_eq!(misplaced(FileKind::Binary, Role::Rom), None);
        assert_eq!(misplaced(FileKind::ZImage, Role::Kernel), None);
        assert_eq!(misplaced(FileKind::Binary, Role::Kernel), None);
        assert_eq!(misplaced(FileKind::DeviceTree, Role::DeviceTree), None);
        assert_eq!(misplaced(FileKind::Gzip, Role::State), None);
    }
}
