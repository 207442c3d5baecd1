//! `errno` values as the guests' C library numbers them: newlib's (`sys/errno.h`), the library of
//! `arm-none-eabi-gcc` programs (whose semihosting stubs copy SYS_ERRNO's answer into `errno`)
//! and of the Ndless SDK. The host services answer a failing call with one of these, turned from
//! the host's error: Linux and newlib agree on 1 to 34, and number the rest differently
//! (ENAMETOOLONG is 36 on Linux and 91 in newlib).

use std::io;

/// An `errno` value, as newlib numbers them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Errno(pub u32);

impl Errno {
    pub const ENOENT: Errno = Errno(2);
    pub const EIO: Errno = Errno(5);
    pub const EBADF: Errno = Errno(9);
    pub const ENOMEM: Errno = Errno(12);
    pub const EACCES: Errno = Errno(13);
    pub const EFAULT: Errno = Errno(14);
    pub const EEXIST: Errno = Errno(17);
    pub const ENOTDIR: Errno = Errno(20);
    pub const EISDIR: Errno = Errno(21);
    pub const EINVAL: Errno = Errno(22);
    pub const EMFILE: Errno = Errno(24);
    pub const EFBIG: Errno = Errno(27);
    pub const ESPIPE: Errno = Errno(29);
    pub const EROFS: Errno = Errno(30);
    pub const ERANGE: Errno = Errno(34);
    pub const ENOTEMPTY: Errno = Errno(90);
    pub const ENAMETOOLONG: Errno = Errno(91);
    pub const ELOOP: Errno = Errno(92);
    pub const EOVERFLOW: Errno = Errno(139);
}

impl From<io::Error> for Errno {
    fn from(error: io::Error) -> Errno {
        #[cfg(target_os = "linux")]
        match error.raw_os_error() {
            Some(number @ 1..=34) => return Errno(number as u32),
            Some(36) => return Errno::ENAMETOOLONG,
            Some(39) => return Errno::ENOTEMPTY,
            Some(40) => return Errno::ELOOP,
            Some(75) => return Errno::EOVERFLOW,
            _ => {}
        }
        match error.kind() {
            io::ErrorKind::NotFound => Errno::ENOENT,
            io::ErrorKind::PermissionDenied => Errno::EACCES,
            io::ErrorKind::AlreadyExists => Errno::EEXIST,
            io::ErrorKind::InvalidInput => Errno::EINVAL,
            io::ErrorKind::NotADirectory => Errno::ENOTDIR,
            io::ErrorKind::IsADirectory => Errno::EISDIR,
            io::ErrorKind::DirectoryNotEmpty => Errno::ENOTEMPTY,
            io::ErrorKind::ReadOnlyFilesystem => Errno::EROFS,
            io::ErrorKind::InvalidFilename => Errno::ENAMETOOLONG,
            _ => Errno::EIO,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The host's own errors, got by asking it, and the numbers newlib gives the names.
    #[test]
    fn host_errors_take_newlib_numbers() {
        let dir = std::env::temp_dir();
        let too_long = dir.join("n".repeat(300));
        let error = std::fs::File::create(&too_long).expect_err("a 300-byte name");
        assert_eq!(Errno::from(error), Errno(91), "ENAMETOOLONG");
        let missing = dir.join(format!("emu-errno-{}/none", std::process::id()));
        let error = std::fs::File::open(missing).expect_err("no such folder");
        assert_eq!(Errno::from(error), Errno(2), "ENOENT");
        let error = std::fs::read_dir("/proc/self/exe").expect_err("not a folder");
        assert_eq!(Errno::from(error), Errno(20), "ENOTDIR");
        // The cross compiler's own newlib says what the names stand for.
        let names = [
            "ENAMETOOLONG",
            "ENOTEMPTY",
            "ELOOP",
            "EOVERFLOW",
            "EFBIG",
            "EISDIR",
        ];
        let source = format!("#include <errno.h>\n{}\n", names.join(" "));
        let numbers = preprocess(&source);
        let ours = [
            Errno::ENAMETOOLONG,
            Errno::ENOTEMPTY,
            Errno::ELOOP,
            Errno::EOVERFLOW,
            Errno::EFBIG,
            Errno::EISDIR,
        ];
        let ours: Vec<String> = ours.iter().map(|e| e.0.to_string()).collect();
        assert_eq!(
            numbers.split_whitespace().collect::<Vec<_>>(),
            ours,
            "{names:?}"
        );
    }

    /// The last line `arm-none-eabi-gcc -E` makes of `source`.
    fn preprocess(source: &str) -> String {
        use std::io::Write;
        use std::process::{Command, Stdio};
        let mut gcc = Command::new("arm-none-eabi-gcc")
            .args(["-E", "-P", "-x", "c", "-"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("arm-none-eabi-gcc: apt-get install gcc-arm-none-eabi libnewlib-arm-none-eabi");
        gcc.stdin
            .take()
            .unwrap()
            .write_all(source.as_bytes())
            .unwrap();
        let out = gcc.wait_with_output().unwrap();
        assert!(out.status.success(), "arm-none-eabi-gcc -E failed");
        let text = String::from_utf8(out.stdout).unwrap();
        text.lines().last().unwrap_or_default().to_string()
    }
}
