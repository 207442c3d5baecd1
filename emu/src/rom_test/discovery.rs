//! Which ROMs a run of `emu test` takes: the files under the paths given, sorted, and the
//! slice of them a shard runs.

use std::path::{Path, PathBuf};

/// Whether `name` is a ROM's file name: `*.elf` (not `*.qemu.elf`, built for QEMU's memory
/// map), `*.bin` or an Ndless program `*.tns`.
fn is_rom_name(name: &str) -> bool {
    (name.ends_with(".elf") && !name.ends_with(".qemu.elf"))
        || name.ends_with(".bin")
        || name.ends_with(".tns")
}

/// The ROM files under `paths`, sorted by path and each once: files given as they are,
/// directories searched recursively for ROMs (skipping the ELF a `.tns` beside it was packed
/// from, which is that program's link).
pub fn find_roms(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    fn walk(path: &Path, found: &mut Vec<PathBuf>) -> Result<(), String> {
        let meta = std::fs::metadata(path).map_err(|e| format!("{}: {e}", path.display()))?;
        if !meta.is_dir() {
            found.push(path.to_path_buf());
            return Ok(());
        }
        let entries = std::fs::read_dir(path).map_err(|e| format!("{}: {e}", path.display()))?;
        for child in entries.filter_map(|e| e.ok().map(|e| e.path())) {
            let name = child.file_name().unwrap_or_default().to_string_lossy();
            let packed = name.ends_with(".elf") && child.with_extension("tns").exists();
            if child.is_dir() || (is_rom_name(&name) && !packed) {
                walk(&child, found)?;
            }
        }
        Ok(())
    }
    let mut found = Vec::new();
    for path in paths {
        walk(path, &mut found)?;
    }
    if found.is_empty() {
        let names: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
        return Err(format!(
            "no ROMs (*.elf, *.bin, *.tns) under {}",
            names.join(", ")
        ));
    }
    found.sort();
    found.dedup();
    Ok(found)
}

/// One of N slices of the sorted ROMs (`--shard K/N`): the ROMs whose index in the sorted list,
/// counted from 0, leaves K-1 when divided by N. The N shards of a list run each ROM once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    /// K, from 1.
    pub number: usize,
    /// N.
    pub count: usize,
}

impl Shard {
    /// Reads `K/N`, 1 <= K <= N.
    pub fn parse(text: &str) -> Result<Shard, String> {
        let bad = || format!("'{text}' is not a shard K/N (whole numbers, 1 <= K <= N)");
        let (k, n) = text.split_once('/').ok_or_else(bad)?;
        let number: usize = k.trim().parse().map_err(|_| bad())?;
        let count: usize = n.trim().parse().map_err(|_| bad())?;
        if number == 0 || number > count {
            return Err(bad());
        }
        Ok(Shard { number, count })
    }

    /// Whether the ROM at `index` of the sorted list is this shard's.
    pub fn takes(&self, index: usize) -> bool {
        index % self.count == self.number - 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_partition_the_indices() {
        let shards: Vec<Shard> = (1..=3)
            .map(|k| Shard::parse(&format!("{k}/3")).unwrap())
            .collect();
        for index in 0..10 {
            let owners = shards.iter().filter(|s| s.takes(index)).count();
            assert_eq!(owners, 1, "index {index}");
        }
        assert!(shards[0].takes(0) && shards[1].takes(4) && shards[2].takes(8));
        for bad in ["0/3", "4/3", "1", "a/b", "1/0", "-1/2"] {
            assert!(Shard::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn rom_names() {
        for name in ["a.elf", "a.bin", "a.tns"] {
            assert!(is_rom_name(name), "{name}");
        }
        for name in ["a.qemu.elf", "tests.ron", "a.png", "a.c"] {
            assert!(!is_rom_name(name), "{name}");
        }
    }
}
