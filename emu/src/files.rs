//! Host files: those the emulator writes (screenshots, saved states, key scripts), written whole
//! or not at all (the content goes to a temporary file beside the target, renamed over it once
//! complete), checked before a run, named by the time; and those a guest opens through a host
//! service (semihosting, Ndless's `/documents`), which must be regular files.

use std::fs::{File, Metadata, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

/// Opens `path`, which a guest named, as `options` say, if it is a regular file (or a new one
/// `options` create). Anything else is refused: a folder with `IsADirectory`, and a FIFO, a
/// device or a socket with `PermissionDenied` before it is opened, since opening one can wait
/// for ever (a FIFO until the other end opens) or act on a device. The open itself does not
/// wait (`O_NONBLOCK`, which a regular file ignores), so a file replaced by a FIFO between the
/// look and the open cannot hang the emulator either: what was opened is looked at again.
pub fn open_regular(path: &Path, options: &OpenOptions) -> io::Result<File> {
    match std::fs::metadata(path) {
        Ok(meta) => regular(&meta)?,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    let mut options = options.clone();
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(nix::fcntl::OFlag::O_NONBLOCK.bits());
    }
    let file = options.open(path)?;
    regular(&file.metadata()?)?;
    Ok(file)
}

/// Whether a guest may open what `meta` describes (see [`open_regular`]).
fn regular(meta: &Metadata) -> io::Result<()> {
    if meta.is_dir() {
        Err(io::Error::new(io::ErrorKind::IsADirectory, "a folder"))
    } else if !meta.is_file() {
        Err(io::Error::new(
            io::ErrorKind::PermissionDenied,
            "not a regular file",
        ))
    } else {
        Ok(())
    }
}

/// Writes `path` through `write`, which gets the temporary file's path. The error names the
/// file.
pub fn write_whole(
    path: &Path,
    write: impl FnOnce(&Path) -> std::io::Result<()>,
) -> Result<(), String> {
    let fail = |e: &dyn std::fmt::Display| format!("{}: {e}", path.display());
    let temp = temp_beside(path).map_err(|e| fail(&e))?;
    let result = write(&temp).and_then(|()| std::fs::rename(&temp, path));
    if result.is_err() {
        // Nothing useful can be done if the partial file cannot be removed either.
        let _ = std::fs::remove_file(&temp);
    }
    result.map_err(|e| fail(&e))
}

/// The temporary name a file is written under before it is renamed to `path`: beside it,
/// hidden, with the process's id.
pub fn temp_beside(path: &Path) -> Result<PathBuf, &'static str> {
    let name = path.file_name().ok_or("not a file name")?.to_string_lossy();
    Ok(path.with_file_name(format!(".{name}.{}.tmp", std::process::id())))
}

/// Checks, before a long run, that `path` can be written at its end: its directory exists.
pub fn check_destination(path: &Path) -> Result<(), String> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    match std::fs::metadata(dir) {
        Ok(meta) if meta.is_dir() => Ok(()),
        Ok(_) => Err(format!("{}: not a directory", dir.display())),
        Err(e) => Err(format!("{}: {e}", path.display())),
    }
}

/// A new file name in `dir` (`""`: the current directory) for a file made now (a screenshot,
/// a saved state): `emu-YYYYMMDD-HHMMSS.EXTENSION` (UTC), with `-2`, `-3`... added when that
/// name is taken.
pub fn timestamped_path(dir: &Path, extension: &str) -> PathBuf {
    let seconds = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let stem = format!("emu-{}", utc_stamp(seconds));
    let mut path = dir.join(format!("{stem}.{extension}"));
    let mut n = 2;
    while path.exists() {
        path = dir.join(format!("{stem}-{n}.{extension}"));
        n += 1;
    }
    path
}

/// `YYYYMMDD-HHMMSS` for a count of seconds since 1970 (UTC), by the days-to-civil algorithm
/// of H. Hinnant's "chrono-Compatible Low-Level Date Algorithms".
pub fn utc_stamp(seconds: u64) -> String {
    let days = (seconds / 86_400) as i64;
    let time = seconds % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}{month:02}{day:02}-{:02}{:02}{:02}",
        time / 3600,
        time / 60 % 60,
        time % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_stamps() {
        assert_eq!(utc_stamp(0), "19700101-000000");
        assert_eq!(utc_stamp(1_767_225_600), "20260101-000000");
        assert_eq!(utc_stamp(951_782_400 + 3661), "20000229-010101");
    }

    #[test]
    fn destinations_and_new_names() {
        let dir = std::env::temp_dir().join(format!("emu-files-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        assert!(check_destination(&dir.join("no/such/dir/b.png")).is_err());
        assert!(check_destination(&dir.join("a.png")).is_ok());
        assert!(check_destination(Path::new("plain.png")).is_ok());

        let first = timestamped_path(&dir, "state");
        assert!(first.to_string_lossy().ends_with(".state"));
        write_whole(&first, |temp| std::fs::write(temp, b"taken")).unwrap();
        assert_ne!(timestamped_path(&dir, "state"), first);
        let error =
            write_whole(&dir.join("x"), |_| Err(std::io::Error::other("full"))).unwrap_err();
        assert!(error.ends_with("x: full"), "{error}");
        let names: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert_eq!(names.len(), 1, "{names:?}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
