//! ARM semihosting: host services a guest asks for by trapping (`SVC 0x123456` in ARM state,
//! `SVC 0xAB` in Thumb state) with an operation number in r0 and a parameter in r1.
//!
//! Reference: Arm's "Semihosting for AArch32 and AArch64" (abi-aa release 2020Q4), cited as SH
//! with the section name. Only the 32-bit interface exists here: every field of a parameter
//! block is one word, little-endian as this machine runs (SH "The semihosting interface": block
//! fields follow the processor's endianness).
//!
//! The handler sees the guest only through [`GuestMemory`] and the host only through the streams
//! and the directory it is given. Nothing reads the host clock except `SYS_TIME` without a time
//! base, so headless runs are repeatable.

use std::collections::BTreeSet;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Cursor, Read, Seek, SeekFrom, Write};
use std::path::{Component, Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::errno::Errno;
use crate::files;
pub use crate::guest::{GuestMemory, MemoryError};

/// What `SYS_HEAPINFO` reports (SH "SYS_HEAPINFO (0x16)").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HeapInfo {
    pub heap_base: u32,
    pub heap_limit: u32,
    pub stack_base: u32,
    pub stack_limit: u32,
}

#[derive(Debug, Clone)]
pub struct Config {
    /// Host directory the guest may open files in; None: only ":tt" and ":semihosting-features" open.
    pub root: Option<PathBuf>,
    /// What SYS_GET_CMDLINE returns (program name and arguments, space separated).
    pub cmdline: String,
    pub heap: HeapInfo,
    /// Seconds since the epoch that SYS_TIME reports at cycle 0; None = host clock.
    pub time_base: Option<u64>,
}

/// Virtual time: the CPU cycle count and the clock rate.
#[derive(Debug, Clone, Copy)]
pub struct Clock {
    pub cycles: u64,
    pub hz: u64,
}

#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    /// value for r0
    Return(u32),
    /// the guest asked to exit with this host status
    Exit(i32),
}

// Operation numbers (SH "Semihosting operations").
const SYS_OPEN: u32 = 0x01;
const SYS_CLOSE: u32 = 0x02;
const SYS_WRITEC: u32 = 0x03;
const SYS_WRITE0: u32 = 0x04;
const SYS_WRITE: u32 = 0x05;
const SYS_READ: u32 = 0x06;
const SYS_READC: u32 = 0x07;
const SYS_ISERROR: u32 = 0x08;
const SYS_ISTTY: u32 = 0x09;
const SYS_SEEK: u32 = 0x0A;
const SYS_FLEN: u32 = 0x0C;
const SYS_REMOVE: u32 = 0x0E;
const SYS_RENAME: u32 = 0x0F;
const SYS_CLOCK: u32 = 0x10;
const SYS_TIME: u32 = 0x11;
const SYS_ERRNO: u32 = 0x13;
const SYS_GET_CMDLINE: u32 = 0x15;
const SYS_HEAPINFO: u32 = 0x16;
const SYS_EXIT: u32 = 0x18;
const SYS_EXIT_EXTENDED: u32 = 0x20;
const SYS_ELAPSED: u32 = 0x30;
const SYS_TICKFREQ: u32 = 0x31;

/// The name of semihosting operation `op` (`SYS_WRITE0`), or its number in hex.
pub fn operation_name(op: u32) -> String {
    let name = match op {
        SYS_OPEN => "SYS_OPEN",
        SYS_CLOSE => "SYS_CLOSE",
        SYS_WRITEC => "SYS_WRITEC",
        SYS_WRITE0 => "SYS_WRITE0",
        SYS_WRITE => "SYS_WRITE",
        SYS_READ => "SYS_READ",
        SYS_READC => "SYS_READC",
        SYS_ISERROR => "SYS_ISERROR",
        SYS_ISTTY => "SYS_ISTTY",
        SYS_SEEK => "SYS_SEEK",
        SYS_FLEN => "SYS_FLEN",
        SYS_REMOVE => "SYS_REMOVE",
        SYS_RENAME => "SYS_RENAME",
        SYS_CLOCK => "SYS_CLOCK",
        SYS_TIME => "SYS_TIME",
        SYS_ERRNO => "SYS_ERRNO",
        SYS_GET_CMDLINE => "SYS_GET_CMDLINE",
        SYS_HEAPINFO => "SYS_HEAPINFO",
        SYS_EXIT => "SYS_EXIT",
        SYS_EXIT_EXTENDED => "SYS_EXIT_EXTENDED",
        SYS_ELAPSED => "SYS_ELAPSED",
        SYS_TICKFREQ => "SYS_TICKFREQ",
        _ => return format!("operation {op:#x}"),
    };
    name.to_string()
}

/// The one SYS_EXIT reason code that means a normal end (SH "SYS_EXIT (0x18)", software
/// reason codes).
const ADP_STOPPED_APPLICATION_EXIT: u32 = 0x2_0026;

// Feature bits of feature byte 0 (SH "Semihosting extensions available").
const SH_EXT_EXIT_EXTENDED: u8 = 1 << 0;
const SH_EXT_STDOUT_STDERR: u8 = 1 << 1;

/// Contents of the `:semihosting-features` file: the magic "SHFB", then feature byte 0
/// (SH "Semihosting feature bit reporting sequence format").
const FEATURES: [u8; 5] = [
    b'S',
    b'H',
    b'F',
    b'B',
    SH_EXT_EXIT_EXTENDED | SH_EXT_STDOUT_STDERR,
];

/// Most bytes moved through a host buffer at once, however long a READ or WRITE the guest asks.
const CHUNK: u32 = 64 * 1024;
/// SYS_WRITE0 reads its string in aligned blocks of this size, smaller than the smallest MMU
/// page (1 KiB), so it never touches a page beyond the one holding the terminating NUL.
const STRING_BLOCK: usize = 256;
/// Longest file name accepted (Linux's PATH_MAX).
const MAX_NAME: u32 = 4096;
/// Most handles open at once: each file handle holds a host file descriptor.
const MAX_HANDLES: usize = 256;
/// How many distinct unsupported operations are logged before they are dropped silently.
const MAX_LOGGED_UNSUPPORTED: usize = 16;

/// A guest address the call cannot reach is EFAULT: semihosting tells the guest, and goes on.
impl From<MemoryError> for Errno {
    fn from(_: MemoryError) -> Errno {
        Errno::EFAULT
    }
}

/// What a semihosting handle refers to.
enum Stream {
    Stdin,
    Stdout,
    Stderr,
    /// The `:semihosting-features` byte sequence.
    Features(Cursor<&'static [u8]>),
    File(File),
}

pub struct Semihosting {
    config: Config,
    stdin: Box<dyn Read>,
    stdout: Box<dyn Write>,
    stderr: Box<dyn Write>,
    /// Open handles: handle `n` is `handles[n - 1]` (SH "SYS_OPEN": a handle is nonzero).
    handles: Vec<Option<Stream>>,
    /// errno of the last failing call, for SYS_ERRNO.
    errno: u32,
    /// Unsupported operation numbers already logged.
    logged_unsupported: BTreeSet<u32>,
}

impl Semihosting {
    pub fn new(
        config: Config,
        stdin: Box<dyn Read>,
        stdout: Box<dyn Write>,
        stderr: Box<dyn Write>,
    ) -> Semihosting {
        Semihosting {
            config,
            stdin,
            stdout,
            stderr,
            handles: Vec::new(),
            errno: 0,
            logged_unsupported: BTreeSet::new(),
        }
    }

    /// op = r0, param = r1 at the time of the call.
    pub fn call(
        &mut self,
        op: u32,
        param: u32,
        mem: &mut dyn GuestMemory,
        clock: Clock,
    ) -> Outcome {
        let result = match op {
            SYS_OPEN => self.open(mem, param),
            SYS_CLOSE => self.close(mem, param),
            SYS_WRITEC => self.writec(mem, param),
            SYS_WRITE0 => self.write0(mem, param),
            SYS_WRITE => self.write(mem, param),
            SYS_READ => self.read(mem, param),
            SYS_READC => self.readc(),
            // SH "SYS_ISERROR (0x08)": the status words of the other calls are errors when
            // negative.
            SYS_ISERROR => read_words(mem, param).map(|[status]| u32::from((status as i32) < 0)),
            SYS_ISTTY => self.istty(mem, param),
            SYS_SEEK => self.seek(mem, param),
            SYS_FLEN => self.flen(mem, param),
            SYS_REMOVE => self.remove(mem, param),
            SYS_RENAME => self.rename(mem, param),
            SYS_CLOCK => Ok(centiseconds(clock)),
            SYS_TIME => Ok(self.time(clock)),
            SYS_ERRNO => Ok(self.errno),
            SYS_GET_CMDLINE => self.get_cmdline(mem, param),
            SYS_HEAPINFO => self.heapinfo(mem, param),
            // SH "SYS_EXIT (0x18)", entry (32-bit): r1 is the reason code itself.
            SYS_EXIT => return Outcome::Exit(exit_status(param, 0)),
            // SH "SYS_EXIT_EXTENDED (0x20)": r1 points to {reason, subcode}.
            SYS_EXIT_EXTENDED => match read_words(mem, param) {
                Ok([reason, subcode]) => return Outcome::Exit(exit_status(reason, subcode)),
                Err(errno) => Err(errno),
            },
            // SH "SYS_ELAPSED (0x30)", entry (32-bit): the tick count as two words, low first.
            SYS_ELAPSED => {
                let ticks = [clock.cycles as u32, (clock.cycles >> 32) as u32];
                write_words(mem, param, &ticks).map(|()| 0)
            }
            // SH "SYS_TICKFREQ (0x31)": -1 says the rate is unknown, here one beyond 32 bits.
            SYS_TICKFREQ => Ok(u32::try_from(clock.hz).unwrap_or(u32::MAX)),
            _ => {
                // Also SYS_TMPNAM and SYS_SYSTEM: a guest does not get to run host commands.
                if self.logged_unsupported.len() < MAX_LOGGED_UNSUPPORTED
                    && self.logged_unsupported.insert(op)
                {
                    log::warn!("semihosting operation {op:#x} is not supported; returning -1");
                }
                return Outcome::Return(u32::MAX);
            }
        };
        Outcome::Return(result.unwrap_or_else(|Errno(errno)| {
            self.errno = errno;
            u32::MAX
        }))
    }

    /// SH "SYS_OPEN (0x01)": block {name, mode, name length}; returns a nonzero handle.
    fn open(&mut self, mem: &mut dyn GuestMemory, param: u32) -> Result<u32, Errno> {
        let [name, mode, len] = read_words(mem, param)?;
        let name = read_name(mem, name, len)?;
        // Find the slot first, so that a file is not created or truncated for nothing.
        let index = self.free_slot()?;
        let stream = match (name.as_str(), mode) {
            (_, 12..) => return Err(Errno::EINVAL),
            // SH "SYS_OPEN" with SH_EXT_STDOUT_STDERR: read modes open stdin, write modes
            // stdout, append modes stderr.
            (":tt", 0..=3) => Stream::Stdin,
            (":tt", 4..=7) => Stream::Stdout,
            (":tt", _) => Stream::Stderr,
            // SH "Requirements for semihosting implementations": modes r and rb only.
            (":semihosting-features", 0 | 1) => Stream::Features(Cursor::new(&FEATURES[..])),
            (":semihosting-features", _) => return Err(Errno::EACCES),
            (path, _) => Stream::File(files::open_regular(
                &self.host_path(path)?,
                &fopen_options(mode),
            )?),
        };
        self.handles[index] = Some(stream);
        Ok(index as u32 + 1)
    }

    /// Index of the lowest free handle slot.
    fn free_slot(&mut self) -> Result<usize, Errno> {
        if let Some(index) = self.handles.iter().position(Option::is_none) {
            return Ok(index);
        }
        if self.handles.len() == MAX_HANDLES {
            return Err(Errno::EMFILE);
        }
        self.handles.push(None);
        Ok(self.handles.len() - 1)
    }

    /// SH "SYS_CLOSE (0x02)": block {handle}.
    fn close(&mut self, mem: &mut dyn GuestMemory, param: u32) -> Result<u32, Errno> {
        let [handle] = read_words(mem, param)?;
        let slot = (handle as usize)
            .checked_sub(1)
            .and_then(|index| self.handles.get_mut(index));
        slot.and_then(Option::take).map(|_| 0).ok_or(Errno::EBADF)
    }

    /// SH "SYS_WRITEC (0x03)": r1 points to one byte for the debug channel (stdout here).
    fn writec(&mut self, mem: &mut dyn GuestMemory, param: u32) -> Result<u32, Errno> {
        let mut byte = [0];
        mem.read_bytes(param, &mut byte)?;
        self.stdout.write_all(&byte)?;
        self.stdout.flush()?;
        Ok(0)
    }

    /// SH "SYS_WRITE0 (0x04)": r1 points to a NUL-terminated string for the debug channel.
    fn write0(&mut self, mem: &mut dyn GuestMemory, mut addr: u32) -> Result<u32, Errno> {
        let mut block = [0; STRING_BLOCK];
        loop {
            let bytes = &mut block[..STRING_BLOCK - addr as usize % STRING_BLOCK];
            mem.read_bytes(addr, bytes)?;
            let end = bytes.iter().position(|&byte| byte == 0);
            self.stdout
                .write_all(&bytes[..end.unwrap_or(bytes.len())])?;
            if end.is_some() {
                break;
            }
            addr = addr.checked_add(bytes.len() as u32).ok_or(Errno::EFAULT)?;
        }
        self.stdout.flush()?;
        Ok(0)
    }

    /// SH "SYS_WRITE (0x05)": block {handle, buffer, length}; returns the number of bytes not
    /// written.
    fn write(&mut self, mem: &mut dyn GuestMemory, param: u32) -> Result<u32, Errno> {
        let [handle, buffer, len] = read_words(mem, param)?;
        check_span(buffer, len)?;
        let writer: &mut dyn Write = match stream_mut(&mut self.handles, handle)? {
            Stream::Stdout => &mut *self.stdout,
            Stream::Stderr => &mut *self.stderr,
            Stream::File(file) => file,
            Stream::Stdin | Stream::Features(_) => return Err(Errno::EBADF),
        };
        let mut staging = vec![0; len.min(CHUNK) as usize];
        let mut done = 0;
        while done < len {
            let chunk = &mut staging[..(len - done).min(CHUNK) as usize];
            mem.read_bytes(buffer + done, chunk)?;
            let (written, result) = write_counted(writer, chunk);
            done += written as u32;
            if let Err(error) = result {
                self.errno = Errno::from(error).0;
                return Ok(len - done);
            }
        }
        writer.flush()?;
        Ok(0)
    }

    /// SH "SYS_READ (0x06)": block {handle, buffer, length}; returns the number of bytes not
    /// read, which is the whole length at end of file.
    fn read(&mut self, mem: &mut dyn GuestMemory, param: u32) -> Result<u32, Errno> {
        let [handle, buffer, len] = read_words(mem, param)?;
        check_span(buffer, len)?;
        let (reader, interactive): (&mut dyn Read, bool) =
            match stream_mut(&mut self.handles, handle)? {
                Stream::Stdin => (&mut *self.stdin, true),
                Stream::Features(cursor) => (cursor, false),
                Stream::File(file) => (file, false),
                Stream::Stdout | Stream::Stderr => return Err(Errno::EBADF),
            };
        let mut staging = vec![0; len.min(CHUNK) as usize];
        let mut done = 0;
        while done < len {
            let wanted = (len - done).min(CHUNK) as usize;
            let got = fill(reader, &mut staging[..wanted], interactive)?;
            mem.write_bytes(buffer + done, &staging[..got])?;
            done += got as u32;
            // SH "SYS_READ": a partly filled buffer is the usual answer of an interactive device.
            if got < wanted || interactive {
                break;
            }
        }
        Ok(len - done)
    }

    /// SH "SYS_READC (0x07)": one byte from the console; -1 (C's EOF) once stdin has ended.
    fn readc(&mut self) -> Result<u32, Errno> {
        let mut byte = [0];
        Ok(match fill(&mut *self.stdin, &mut byte, true)? {
            0 => u32::MAX,
            _ => u32::from(byte[0]),
        })
    }

    /// SH "SYS_ISTTY (0x09)": block {handle}; 1 for the console, 0 for a file.
    fn istty(&mut self, mem: &mut dyn GuestMemory, param: u32) -> Result<u32, Errno> {
        let [handle] = read_words(mem, param)?;
        Ok(match stream_mut(&mut self.handles, handle)? {
            Stream::Stdin | Stream::Stdout | Stream::Stderr => 1,
            Stream::Features(_) | Stream::File(_) => 0,
        })
    }

    /// SH "SYS_SEEK (0x0A)": block {handle, absolute position}; returns 0. Seeking past the end
    /// is undefined by SH; here it succeeds and a read there finds end of file.
    fn seek(&mut self, mem: &mut dyn GuestMemory, param: u32) -> Result<u32, Errno> {
        let [handle, position] = read_words(mem, param)?;
        let seekable: &mut dyn Seek = match stream_mut(&mut self.handles, handle)? {
            Stream::Features(cursor) => cursor,
            Stream::File(file) => file,
            Stream::Stdin | Stream::Stdout | Stream::Stderr => return Err(Errno::ESPIPE),
        };
        seekable.seek(SeekFrom::Start(position.into()))?;
        Ok(0)
    }

    /// SH "SYS_FLEN (0x0C)": block {handle}; returns the length of the file.
    fn flen(&mut self, mem: &mut dyn GuestMemory, param: u32) -> Result<u32, Errno> {
        let [handle] = read_words(mem, param)?;
        let len = match stream_mut(&mut self.handles, handle)? {
            // SH defines FLEN for seekable objects only. 0 rather than -1 for the console lets
            // newlib's fstat() succeed, so that its stdout stays line-buffered on a tty.
            Stream::Stdin | Stream::Stdout | Stream::Stderr => 0,
            Stream::Features(cursor) => cursor.get_ref().len() as u64,
            Stream::File(file) => file.metadata()?.len(),
        };
        // The return value is a signed 32-bit length, like the guest's off_t.
        i32::try_from(len)
            .map(|len| len as u32)
            .map_err(|_| Errno::EFBIG)
    }

    /// SH "SYS_REMOVE (0x0E)": block {name, name length}.
    fn remove(&mut self, mem: &mut dyn GuestMemory, param: u32) -> Result<u32, Errno> {
        let [name, len] = read_words(mem, param)?;
        fs::remove_file(self.host_path(&read_name(mem, name, len)?)?)?;
        Ok(0)
    }

    /// SH "SYS_RENAME (0x0F)": block {old name, its length, new name, its length}.
    fn rename(&mut self, mem: &mut dyn GuestMemory, param: u32) -> Result<u32, Errno> {
        let [from, from_len, to, to_len] = read_words(mem, param)?;
        let from = self.host_path(&read_name(mem, from, from_len)?)?;
        let to = self.host_path(&read_name(mem, to, to_len)?)?;
        fs::rename(from, to)?;
        Ok(0)
    }

    /// SH "SYS_TIME (0x11)": seconds since 1970, from the configured base and virtual time when
    /// there is one.
    fn time(&self, clock: Clock) -> u32 {
        let seconds = match self.config.time_base {
            Some(base) => base.wrapping_add(clock.cycles.checked_div(clock.hz).unwrap_or(0)),
            None => SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |since| since.as_secs()),
        };
        seconds as u32
    }

    /// SH "SYS_GET_CMDLINE (0x15)": block {buffer, buffer size}; the buffer receives the
    /// NUL-terminated command line and the size field its length without the NUL.
    fn get_cmdline(&mut self, mem: &mut dyn GuestMemory, param: u32) -> Result<u32, Errno> {
        let [buffer, size] = read_words(mem, param)?;
        let mut text = self.config.cmdline.as_bytes().to_vec();
        let len = u32::try_from(text.len())
            .ok()
            .filter(|&len| len < size)
            .ok_or(Errno::EINVAL)?;
        text.push(0);
        check_span(buffer, len + 1)?;
        mem.write_bytes(buffer, &text)?;
        write_words(mem, param, &[buffer, len])?;
        Ok(0)
    }

    /// SH "SYS_HEAPINFO (0x16)": r1 points to a word holding the address of the four-word
    /// block {heap base, heap limit, stack base, stack limit} to fill in.
    fn heapinfo(&mut self, mem: &mut dyn GuestMemory, param: u32) -> Result<u32, Errno> {
        let [block] = read_words(mem, param)?;
        let heap = &self.config.heap;
        let words = [
            heap.heap_base,
            heap.heap_limit,
            heap.stack_base,
            heap.stack_limit,
        ];
        write_words(mem, block, &words)?;
        Ok(0)
    }

    /// The host path a guest file name stands for: relative to `root` and inside it. SH
    /// "SYS_OPEN" lets the host's path conventions apply; here absolute names, `..` above the
    /// root and symbolic links leading out of it are refused with EACCES.
    fn host_path(&self, name: &str) -> Result<PathBuf, Errno> {
        let root = self.config.root.as_ref().ok_or(Errno::EACCES)?;
        let root = fs::canonicalize(root)?;
        let mut relative = PathBuf::new();
        for component in Path::new(name).components() {
            match component {
                Component::Normal(part) => relative.push(part),
                Component::CurDir => {}
                Component::ParentDir if relative.pop() => {}
                Component::ParentDir | Component::RootDir | Component::Prefix(_) => {
                    return Err(Errno::EACCES)
                }
            }
        }
        let file_name = relative.file_name().ok_or(Errno::ENOENT)?.to_owned();
        // The directory part resolves every symbolic link in it...
        let directory = fs::canonicalize(root.join(relative.parent().unwrap_or(Path::new(""))))?;
        if !directory.starts_with(&root) {
            return Err(Errno::EACCES);
        }
        // ...and the file itself, if a link, must lead inside too: opening follows it, and a
        // dangling one would create its target wherever it points.
        let path = directory.join(file_name);
        let is_link = fs::symlink_metadata(&path).is_ok_and(|meta| meta.file_type().is_symlink());
        if is_link && !fs::canonicalize(&path).is_ok_and(|target| target.starts_with(&root)) {
            return Err(Errno::EACCES);
        }
        Ok(path)
    }
}

/// SH "SYS_EXIT (0x18)": only ADP_Stopped_ApplicationExit is a normal end, with the status in
/// the subcode; any other reason is a failure, status 1 (the choice QEMU makes too).
fn exit_status(reason: u32, subcode: u32) -> i32 {
    if reason == ADP_STOPPED_APPLICATION_EXIT {
        subcode as i32
    } else {
        log::info!("guest stopped with semihosting reason {reason:#x}");
        1
    }
}

/// SH "SYS_CLOCK (0x10)": centiseconds since the start, of virtual time.
fn centiseconds(clock: Clock) -> u32 {
    (u128::from(clock.cycles) * 100)
        .checked_div(u128::from(clock.hz))
        .unwrap_or(0) as u32
}

/// The `OpenOptions` of the ISO C `fopen` mode a SYS_OPEN mode number stands for (SH "SYS_OPEN",
/// table "Value of mode": r, rb, r+, r+b, w, wb, w+, w+b, a, ab, a+, a+b). Bit 0 is `b`, which
/// the host ignores; bit 1 is `+`.
fn fopen_options(mode: u32) -> OpenOptions {
    let update = mode & 2 != 0;
    let mut options = OpenOptions::new();
    match mode >> 2 {
        0 => options.read(true).write(update),
        1 => options.write(true).read(update).create(true).truncate(true),
        _ => options.append(true).read(update).create(true),
    };
    options
}

/// The stream behind a guest handle.
fn stream_mut(handles: &mut [Option<Stream>], handle: u32) -> Result<&mut Stream, Errno> {
    (handle as usize)
        .checked_sub(1)
        .and_then(|index| handles.get_mut(index))
        .and_then(Option::as_mut)
        .ok_or(Errno::EBADF)
}

/// Reads until `buffer` is full or the stream ends; an interactive stream gets a single read.
fn fill(reader: &mut dyn Read, buffer: &mut [u8], interactive: bool) -> io::Result<usize> {
    let mut got = 0;
    while got < buffer.len() {
        match reader.read(&mut buffer[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
            Err(error) => return Err(error),
        }
        if interactive {
            break;
        }
    }
    Ok(got)
}

/// Writes all of `data`, telling how much went out before an error stopped it.
fn write_counted(writer: &mut dyn Write, data: &[u8]) -> (usize, io::Result<()>) {
    let mut done = 0;
    while done < data.len() {
        match writer.write(&data[done..]) {
            Ok(0) => return (done, Err(io::ErrorKind::WriteZero.into())),
            Ok(n) => done += n,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
            Err(error) => return (done, Err(error)),
        }
    }
    (done, Ok(()))
}

/// Fails unless `len` bytes from `addr` end at or below 4 GiB: no guest buffer wraps around.
fn check_span(addr: u32, len: u32) -> Result<(), Errno> {
    if u64::from(addr) + u64::from(len) > 1 << 32 {
        return Err(Errno::EFAULT);
    }
    Ok(())
}

/// A parameter block of `N` words.
fn read_words<const N: usize>(mem: &mut dyn GuestMemory, addr: u32) -> Result<[u32; N], Errno> {
    check_span(addr, 4 * N as u32)?;
    let mut words = [0; N];
    for (i, word) in words.iter_mut().enumerate() {
        let mut bytes = [0; 4];
        mem.read_bytes(addr + 4 * i as u32, &mut bytes)?;
        *word = u32::from_le_bytes(bytes);
    }
    Ok(words)
}

fn write_words(mem: &mut dyn GuestMemory, addr: u32, words: &[u32]) -> Result<(), Errno> {
    check_span(addr, 4 * words.len() as u32)?;
    for (i, word) in words.iter().enumerate() {
        mem.write_bytes(addr + 4 * i as u32, &word.to_le_bytes())?;
    }
    Ok(())
}

/// A file name from the guest: `len` bytes (SH "SYS_OPEN" field 3: the length without the NUL),
/// cut at a NUL should one come earlier, as the host's C library would.
fn read_name(mem: &mut dyn GuestMemory, addr: u32, len: u32) -> Result<String, Errno> {
    if len > MAX_NAME {
        return Err(Errno::ENAMETOOLONG);
    }
    check_span(addr, len)?;
    let mut bytes = vec![0; len as usize];
    mem.read_bytes(addr, &mut bytes)?;
    if let Some(end) = bytes.iter().position(|&byte| byte == 0) {
        bytes.truncate(end);
    }
    String::from_utf8(bytes).map_err(|_| Errno::EINVAL)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::guest::testing::Flat;
    use std::cell::RefCell;
    use std::rc::Rc;

    /// Guest RAM of the fake machine; everything outside it faults.
    const RAM: u32 = 0x1000_0000;
    const RAM_SIZE: usize = 256 * 1024;
    /// Where the tests put parameter blocks, names and data.
    const BLOCK: u32 = RAM;
    const NAME: u32 = RAM + 0x100;
    const NAME2: u32 = RAM + 0x200;
    const DATA: u32 = RAM + 0x1000;
    const UNMAPPED: u32 = 0x0000_1000;
    /// 150 MHz, 2.5 s into the run.
    const CLOCK: Clock = Clock {
        cycles: 375_000_000,
        hz: 150_000_000,
    };
    const ERROR: u32 = u32::MAX;

    // errno values: POSIX numbers as Linux and newlib give them.
    const ENOENT: u32 = 2;
    const EBADF: u32 = 9;
    const EACCES: u32 = 13;
    const EFAULT: u32 = 14;
    const EINVAL: u32 = 22;
    const EMFILE: u32 = 24;
    const ESPIPE: u32 = 29;
    /// newlib's, not Linux's 36.
    const ENAMETOOLONG: u32 = 91;

    /// A host stream the test keeps a view of.
    #[derive(Clone, Default)]
    struct Captured(Rc<RefCell<Vec<u8>>>);

    impl Write for Captured {
        fn write(&mut self, data: &[u8]) -> io::Result<usize> {
            self.0.borrow_mut().extend_from_slice(data);
            Ok(data.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    impl Captured {
        fn bytes(&self) -> Vec<u8> {
            self.0.borrow().clone()
        }
    }

    /// A host stream that takes `room` bytes, then fails.
    struct Full {
        room: usize,
    }

    impl Write for Full {
        fn write(&mut self, data: &[u8]) -> io::Result<usize> {
            if self.room == 0 {
                return Err(io::ErrorKind::PermissionDenied.into());
            }
            let n = data.len().min(self.room);
            self.room -= n;
            Ok(n)
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    /// A fresh host directory, removed when the test ends.
    struct TempDir(PathBuf);

    impl TempDir {
        fn new(test: &str) -> TempDir {
            let path =
                std::env::temp_dir().join(format!("emu-semihosting-{}-{test}", std::process::id()));
            let _ = fs::remove_dir_all(&path);
            fs::create_dir_all(&path).unwrap();
            TempDir(path)
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = fs::remove_dir_all(&self.0);
        }
    }

    struct Guest {
        sh: Semihosting,
        mem: Flat,
        stdout: Captured,
        stderr: Captured,
    }

    fn config(root: Option<PathBuf>) -> Config {
        Config {
            root,
            cmdline: "prog a b".into(),
            heap: HeapInfo {
                heap_base: 0x1100_0000,
                heap_limit: 0x1200_0000,
                stack_base: 0x1400_0000,
                stack_limit: 0x1380_0000,
            },
            time_base: Some(1_000_000_000),
        }
    }

    impl Guest {
        fn with(config: Config, stdin: &[u8], stdout: Box<dyn Write>) -> Guest {
            let stderr = Captured::default();
            Guest {
                sh: Semihosting::new(
                    config,
                    Box::new(Cursor::new(stdin.to_vec())),
                    stdout,
                    Box::new(stderr.clone()),
                ),
                mem: Flat::new(RAM, RAM_SIZE),
                stdout: Captured::default(),
                stderr,
            }
        }

        fn new(root: Option<&Path>, stdin: &[u8]) -> Guest {
            let stdout = Captured::default();
            let mut guest = Guest::with(
                config(root.map(Path::to_path_buf)),
                stdin,
                Box::new(stdout.clone()),
            );
            guest.stdout = stdout;
            guest
        }

        fn call(&mut self, op: u32, param: u32) -> Outcome {
            self.sh.call(op, param, &mut self.mem, CLOCK)
        }

        /// r0 after an operation that returns.
        fn r0(&mut self, op: u32, param: u32) -> u32 {
            match self.call(op, param) {
                Outcome::Return(r0) => r0,
                exit => panic!("operation {op:#x} gave {exit:?}"),
            }
        }

        /// Calls `op` with its parameter block at BLOCK.
        fn op(&mut self, op: u32, block: &[u32]) -> u32 {
            self.poke_words(BLOCK, block);
            self.r0(op, BLOCK)
        }

        fn errno(&mut self) -> u32 {
            self.r0(SYS_ERRNO, 0)
        }

        fn poke(&mut self, addr: u32, bytes: &[u8]) {
            self.mem.write_bytes(addr, bytes).unwrap();
        }

        fn poke_words(&mut self, addr: u32, words: &[u32]) {
            for (i, word) in words.iter().enumerate() {
                self.poke(addr + 4 * i as u32, &word.to_le_bytes());
            }
        }

        fn peek(&mut self, addr: u32, len: usize) -> Vec<u8> {
            let mut bytes = vec![0; len];
            self.mem.read_bytes(addr, &mut bytes).unwrap();
            bytes
        }

        fn peek_word(&mut self, addr: u32) -> u32 {
            u32::from_le_bytes(self.peek(addr, 4).try_into().unwrap())
        }

        fn open(&mut self, name: &str, mode: u32) -> u32 {
            self.poke(NAME, name.as_bytes());
            self.poke(NAME + name.len() as u32, &[0]);
            self.op(SYS_OPEN, &[NAME, mode, name.len() as u32])
        }

        fn write(&mut self, handle: u32, data: &[u8]) -> u32 {
            self.poke(DATA, data);
            self.op(SYS_WRITE, &[handle, DATA, data.len() as u32])
        }

        /// Reads up to `len` bytes: what came and SYS_READ's r0.
        fn read(&mut self, handle: u32, len: u32) -> (Vec<u8>, u32) {
            let left = self.op(SYS_READ, &[handle, DATA, len]);
            let got = if left == ERROR { 0 } else { len - left };
            (self.peek(DATA, got as usize), left)
        }

        fn name_block(&mut self, addr: u32, name: &str) -> [u32; 2] {
            self.poke(addr, name.as_bytes());
            self.poke(addr + name.len() as u32, &[0]);
            [addr, name.len() as u32]
        }
    }

    #[test]
    fn tt_opens_stdin_stdout_and_stderr_by_mode() {
        let mut guest = Guest::new(None, b"typed");
        let (stdin, stdout, stderr) = (
            guest.open(":tt", 0),
            guest.open(":tt", 4),
            guest.open(":tt", 8),
        );
        assert!([stdin, stdout, stderr]
            .iter()
            .all(|&h| h != 0 && h != ERROR));
        assert_eq!(
            guest.open(":tt", 1),
            4,
            "rb is stdin too, in the lowest free handle"
        );
        for handle in [stdin, stdout, stderr] {
            assert_eq!(guest.op(SYS_ISTTY, &[handle]), 1);
        }
        assert_eq!(guest.write(stdout, b"out"), 0);
        assert_eq!(guest.write(stderr, b"err"), 0);
        assert_eq!(guest.stdout.bytes(), b"out");
        assert_eq!(guest.stderr.bytes(), b"err");
        // An interactive read returns what there is: 5 of 16 bytes, 11 not filled.
        assert_eq!(guest.read(stdin, 16), (b"typed".to_vec(), 11));
        assert_eq!(guest.read(stdin, 16), (vec![], 16));
        // The console is not seekable.
        assert_eq!(guest.op(SYS_SEEK, &[stdout, 0]), ERROR);
        assert_eq!(guest.errno(), ESPIPE);
        assert_eq!(guest.op(SYS_FLEN, &[stdout]), 0);
        // Wrong direction.
        assert_eq!(guest.write(stdin, b"x"), ERROR);
        assert_eq!(guest.errno(), EBADF);
        assert_eq!(guest.read(stdout, 1).1, ERROR);
        assert_eq!(guest.errno(), EBADF);
        assert_eq!(guest.op(SYS_CLOSE, &[stdout]), 0);
        assert_eq!(guest.write(stdout, b"x"), ERROR);
    }

    #[test]
    fn semihosting_features_file() {
        let mut guest = Guest::new(None, b"");
        let first = guest.open(":semihosting-features", 0);
        let second = guest.open(":semihosting-features", 1);
        assert!(first != ERROR && second != ERROR && first != second);
        assert_eq!(guest.op(SYS_FLEN, &[first]), 5);
        assert_eq!(guest.op(SYS_ISTTY, &[first]), 0);
        // "SHFB", then feature byte 0 with SH_EXT_EXIT_EXTENDED (bit 0) and
        // SH_EXT_STDOUT_STDERR (bit 1).
        assert_eq!(guest.read(first, 5), (b"SHFB\x03".to_vec(), 0));
        assert_eq!(guest.read(first, 5), (vec![], 5));
        assert_eq!(guest.op(SYS_SEEK, &[second, 4]), 0);
        assert_eq!(guest.read(second, 8), (vec![0x03], 7));
        assert_eq!(guest.write(first, b"x"), ERROR);
        assert_eq!(guest.errno(), EBADF);
        assert_eq!(guest.op(SYS_CLOSE, &[first]), 0);
        assert_eq!(guest.op(SYS_CLOSE, &[second]), 0);
        for mode in 2..12 {
            assert_eq!(
                guest.open(":semihosting-features", mode),
                ERROR,
                "mode {mode}"
            );
        }
    }

    #[test]
    fn files_are_read_written_and_seeked() {
        let dir = TempDir::new("files");
        let mut guest = Guest::new(Some(&dir.0), b"");
        let out = guest.open("out.txt", 4);
        assert_ne!(out, ERROR);
        assert_eq!(guest.op(SYS_ISTTY, &[out]), 0);
        assert_eq!(guest.write(out, b"hello"), 0);
        assert_eq!(guest.op(SYS_CLOSE, &[out]), 0);
        assert_eq!(fs::read(dir.0.join("out.txt")).unwrap(), b"hello");

        let file = guest.open("out.txt", 1);
        assert_eq!(guest.op(SYS_FLEN, &[file]), 5);
        assert_eq!(guest.read(file, 10), (b"hello".to_vec(), 5));
        assert_eq!(guest.read(file, 10), (vec![], 10), "EOF: nothing read");
        assert_eq!(guest.op(SYS_SEEK, &[file, 1]), 0);
        assert_eq!(guest.read(file, 4), (b"ello".to_vec(), 0));
        // Opened with rb: the host refuses the write, so no byte of one is written.
        assert_eq!(guest.write(file, b"x"), 1);
        #[cfg(target_os = "linux")]
        assert_eq!(guest.errno(), EBADF);
        assert_eq!(guest.op(SYS_CLOSE, &[file]), 0);

        let append = guest.open("out.txt", 8);
        assert_eq!(guest.write(append, b"!"), 0);
        assert_eq!(fs::read(dir.0.join("out.txt")).unwrap(), b"hello!");
        let update = guest.open("out.txt", 2);
        assert_eq!(guest.write(update, b"J"), 0);
        assert_eq!(guest.read(update, 10), (b"ello!".to_vec(), 5));
        assert_eq!(fs::read(dir.0.join("out.txt")).unwrap(), b"Jello!");
        let truncate = guest.open("out.txt", 7);
        assert_eq!(guest.op(SYS_FLEN, &[truncate]), 0);

        assert_eq!(guest.open("missing", 0), ERROR);
        assert_eq!(guest.errno(), ENOENT);
        assert_eq!(guest.open("missing", 3), ERROR);
        assert_eq!(guest.errno(), ENOENT);
        assert_eq!(guest.open("no/such/dir", 4), ERROR);
        assert_eq!(guest.errno(), ENOENT);
        assert_eq!(guest.open("out.txt", 12), ERROR);
        assert_eq!(guest.errno(), EINVAL);
    }

    #[test]
    fn large_transfers_go_in_chunks() {
        let dir = TempDir::new("large");
        let mut guest = Guest::new(Some(&dir.0), b"");
        let data: Vec<u8> = (0..150_000u32).map(|i| (i * 7) as u8).collect();
        let file = guest.open("big", 6);
        assert_eq!(guest.write(file, &data), 0);
        assert_eq!(fs::read(dir.0.join("big")).unwrap(), data);
        assert_eq!(guest.op(SYS_SEEK, &[file, 0]), 0);
        guest.poke(DATA, &[0; 150_000]);
        assert_eq!(guest.read(file, 200_000), (data, 50_000));
    }

    #[test]
    fn remove_and_rename() {
        let dir = TempDir::new("remove");
        fs::write(dir.0.join("a"), b"x").unwrap();
        let mut guest = Guest::new(Some(&dir.0), b"");
        let [a, a_len] = guest.name_block(NAME, "a");
        let [b, b_len] = guest.name_block(NAME2, "b");
        assert_eq!(guest.op(SYS_RENAME, &[a, a_len, b, b_len]), 0);
        assert!(!dir.0.join("a").exists());
        assert_eq!(fs::read(dir.0.join("b")).unwrap(), b"x");
        assert_eq!(guest.op(SYS_RENAME, &[a, a_len, b, b_len]), ERROR);
        assert_eq!(guest.errno(), ENOENT);
        assert_eq!(guest.op(SYS_REMOVE, &[b, b_len]), 0);
        assert!(!dir.0.join("b").exists());
        assert_eq!(guest.op(SYS_REMOVE, &[b, b_len]), ERROR);
        assert_eq!(guest.errno(), ENOENT);
    }

    #[test]
    fn names_cannot_leave_the_root() {
        let top = TempDir::new("escape");
        let root = top.0.join("root");
        fs::create_dir_all(root.join("sub")).unwrap();
        fs::write(top.0.join("secret"), b"s").unwrap();
        let mut guest = Guest::new(Some(&root), b"");
        for name in ["../secret", "sub/../../secret", "/etc/passwd", "..", ""] {
            assert_eq!(guest.open(name, 0), ERROR, "{name:?}");
            assert_ne!(guest.errno(), 0);
        }
        assert_eq!(guest.open("../secret", 0), ERROR);
        assert_eq!(guest.errno(), EACCES);
        assert_eq!(guest.open("../created", 4), ERROR);
        assert!(!top.0.join("created").exists());
        // `..` that stays inside is fine.
        assert_ne!(guest.open("sub/../inside", 4), ERROR);
        assert!(root.join("inside").exists());

        let [secret, secret_len] = guest.name_block(NAME, "../secret");
        let [inside, inside_len] = guest.name_block(NAME2, "inside");
        assert_eq!(guest.op(SYS_REMOVE, &[secret, secret_len]), ERROR);
        assert_eq!(guest.errno(), EACCES);
        assert_eq!(
            guest.op(SYS_RENAME, &[inside, inside_len, secret, secret_len]),
            ERROR
        );
        assert_eq!(guest.errno(), EACCES);
        assert!(top.0.join("secret").exists() && root.join("inside").exists());
    }

    #[test]
    fn a_nul_ends_a_name_before_what_would_leave_the_root() {
        let top = TempDir::new("nul");
        let root = top.0.join("root");
        fs::create_dir_all(&root).unwrap();
        let mut guest = Guest::new(Some(&root), b"");
        let name = b"inside\0/../../outside";
        guest.poke(NAME, name);
        assert_ne!(guest.op(SYS_OPEN, &[NAME, 4, name.len() as u32]), ERROR);
        assert!(root.join("inside").exists() && !top.0.join("outside").exists());
        // A name that is all NUL names nothing.
        guest.poke(NAME, b"\0../x");
        assert_eq!(guest.op(SYS_OPEN, &[NAME, 4, 5]), ERROR);
        assert_eq!(guest.errno(), ENOENT);
    }

    #[test]
    fn names_too_long_are_enametoolong() {
        let dir = TempDir::new("long");
        let mut guest = Guest::new(Some(&dir.0), b"");
        // One name of 300 bytes: the host refuses it (Linux's NAME_MAX is 255).
        assert_eq!(guest.open(&"n".repeat(300), 4), ERROR);
        assert_eq!(guest.errno(), ENAMETOOLONG);
        // A path longer than PATH_MAX, refused before it is read.
        let long = "d/".repeat(2100);
        guest.poke(NAME, long.as_bytes());
        assert_eq!(guest.op(SYS_OPEN, &[NAME, 4, long.len() as u32]), ERROR);
        assert_eq!(guest.errno(), ENAMETOOLONG);
        assert_eq!(fs::read_dir(&dir.0).unwrap().count(), 0);
    }

    /// SYS_OPEN of `name` in `root` with each mode, each in a thread of its own: the (r0, errno)
    /// pairs, or a failure naming the mode whose call has not returned after 5 seconds (the
    /// thread is then left waiting).
    fn open_each_mode(root: &Path, name: &str, modes: &[u32]) -> Vec<(u32, u32)> {
        modes
            .iter()
            .map(|&mode| {
                let (folder, file) = (root.to_path_buf(), name.to_string());
                let (tx, rx) = std::sync::mpsc::channel();
                std::thread::spawn(move || {
                    let mut guest = Guest::new(Some(&folder), b"");
                    let r0 = guest.open(&file, mode);
                    let _ = tx.send((r0, guest.errno()));
                });
                rx.recv_timeout(std::time::Duration::from_secs(5))
                    .unwrap_or_else(|_| panic!("SYS_OPEN of {name} in mode {mode} blocked"))
            })
            .collect()
    }

    #[cfg(unix)]
    #[test]
    fn only_regular_files_open_and_a_fifo_does_not_block() {
        use std::os::unix::fs::FileTypeExt;
        const EISDIR: u32 = 21;
        let dir = TempDir::new("fifo");
        let fifo = dir.0.join("fifo");
        nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::S_IRWXU).unwrap();
        fs::create_dir(dir.0.join("folder")).unwrap();
        // r, w, r+, a: none waits for the FIFO's other end, none opens it.
        let modes = [0, 4, 2, 8];
        let refused = vec![(ERROR, EACCES); modes.len()];
        assert_eq!(open_each_mode(&dir.0, "fifo", &modes), refused);
        let refused = vec![(ERROR, EISDIR); modes.len()];
        assert_eq!(open_each_mode(&dir.0, "folder", &modes), refused);
        assert!(fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo());
    }

    #[cfg(unix)]
    #[test]
    fn symbolic_links_cannot_leave_the_root() {
        use std::os::unix::fs::symlink;
        let top = TempDir::new("symlink");
        let root = top.0.join("root");
        fs::create_dir_all(&root).unwrap();
        fs::write(top.0.join("secret"), b"s").unwrap();
        fs::write(root.join("target"), b"t").unwrap();
        symlink(&top.0, root.join("up")).unwrap();
        symlink(top.0.join("secret"), root.join("secret-link")).unwrap();
        symlink(top.0.join("new"), root.join("dangling")).unwrap();
        symlink(root.join("target"), root.join("inside-link")).unwrap();
        let mut guest = Guest::new(Some(&root), b"");
        for name in ["up/secret", "secret-link", "dangling"] {
            assert_eq!(guest.open(name, 4), ERROR, "{name}");
            assert_eq!(guest.errno(), EACCES);
        }
        assert!(!top.0.join("new").exists());
        assert_eq!(fs::read(top.0.join("secret")).unwrap(), b"s");
        let link = guest.open("inside-link", 0);
        assert_eq!(guest.read(link, 4), (b"t".to_vec(), 3));
    }

    #[test]
    fn without_a_root_only_special_names_open() {
        let mut guest = Guest::new(None, b"");
        assert_eq!(guest.open("file", 0), ERROR);
        assert_eq!(guest.errno(), EACCES);
        let [name, len] = guest.name_block(NAME, "file");
        assert_eq!(guest.op(SYS_REMOVE, &[name, len]), ERROR);
        assert_ne!(guest.open(":tt", 0), ERROR);
        assert_ne!(guest.open(":semihosting-features", 0), ERROR);
    }

    #[test]
    fn bad_names() {
        let dir = TempDir::new("names");
        let mut guest = Guest::new(Some(&dir.0), b"");
        guest.poke(NAME, b"\xff\xfe\0");
        assert_eq!(guest.op(SYS_OPEN, &[NAME, 4, 2]), ERROR);
        assert_eq!(guest.errno(), EINVAL);
        assert_eq!(guest.op(SYS_OPEN, &[NAME, 4, 0x10_0000]), ERROR);
        assert_eq!(guest.errno(), ENAMETOOLONG);
        assert_eq!(guest.op(SYS_OPEN, &[UNMAPPED, 0, 3]), ERROR);
        assert_eq!(guest.errno(), EFAULT);
        // The name ends at a NUL even when the length says more.
        guest.poke(NAME, b"f\0junk");
        assert_ne!(guest.op(SYS_OPEN, &[NAME, 4, 6]), ERROR);
        assert!(dir.0.join("f").exists());
    }

    #[test]
    fn bad_handles() {
        let mut guest = Guest::new(None, b"");
        for handle in [0, 1, 7, ERROR] {
            assert_eq!(guest.op(SYS_CLOSE, &[handle]), ERROR);
            assert_eq!(guest.errno(), EBADF);
            assert_eq!(guest.write(handle, b"x"), ERROR);
            assert_eq!(guest.read(handle, 1).1, ERROR);
            assert_eq!(guest.op(SYS_SEEK, &[handle, 0]), ERROR);
            assert_eq!(guest.op(SYS_FLEN, &[handle]), ERROR);
            assert_eq!(guest.errno(), EBADF);
            // SH "SYS_ISTTY": neither 0 nor 1 on error.
            assert_eq!(guest.op(SYS_ISTTY, &[handle]), ERROR);
        }
    }

    #[test]
    fn handles_run_out_and_are_reused() {
        let mut guest = Guest::new(None, b"");
        for expected in 1..=MAX_HANDLES as u32 {
            assert_eq!(guest.open(":tt", 0), expected);
        }
        assert_eq!(guest.open(":tt", 0), ERROR);
        assert_eq!(guest.errno(), EMFILE);
        assert_eq!(guest.op(SYS_CLOSE, &[3]), 0);
        assert_eq!(guest.open(":tt", 4), 3);
    }

    #[test]
    fn bad_pointers_fail_with_efault() {
        let mut guest = Guest::new(None, b"");
        let stdout = guest.open(":tt", 4);
        let stdin = guest.open(":tt", 0);
        for op in [
            SYS_OPEN, SYS_CLOSE, SYS_WRITE, SYS_READ, SYS_ISTTY, SYS_SEEK, SYS_FLEN,
        ] {
            assert_eq!(guest.r0(op, UNMAPPED), ERROR, "op {op:#x}");
            assert_eq!(guest.errno(), EFAULT);
        }
        for op in [
            SYS_WRITEC,
            SYS_WRITE0,
            SYS_ISERROR,
            SYS_GET_CMDLINE,
            SYS_HEAPINFO,
            SYS_ELAPSED,
        ] {
            assert_eq!(guest.r0(op, UNMAPPED), ERROR, "op {op:#x}");
        }
        assert_eq!(
            guest.call(SYS_EXIT_EXTENDED, UNMAPPED),
            Outcome::Return(ERROR)
        );
        // A block hanging off the end of memory, and one wrapping around 4 GiB.
        let last = RAM + RAM_SIZE as u32 - 4;
        assert_eq!(guest.r0(SYS_SEEK, last), ERROR);
        assert_eq!(guest.r0(SYS_SEEK, 0xFFFF_FFFC), ERROR);
        // Buffers that are unmapped, too long, or wrap; a 4 GiB length must not be allocated.
        for (buffer, len) in [(UNMAPPED, 4), (DATA, 0xFFFF_FFFF), (0xFFFF_FFF0, 0x20)] {
            assert_eq!(guest.op(SYS_WRITE, &[stdout, buffer, len]), ERROR);
            assert_eq!(guest.errno(), EFAULT);
            assert_eq!(guest.op(SYS_READ, &[stdin, buffer, len]), ERROR);
            assert_eq!(guest.errno(), EFAULT);
        }
        assert_eq!(guest.stdout.bytes(), b"");
        // HEAPINFO's block pointer itself pointing nowhere.
        guest.poke_words(BLOCK, &[UNMAPPED]);
        assert_eq!(guest.r0(SYS_HEAPINFO, BLOCK), ERROR);
        // GET_CMDLINE's buffer pointing nowhere.
        assert_eq!(guest.op(SYS_GET_CMDLINE, &[UNMAPPED, 80]), ERROR);
        assert_eq!(guest.errno(), EFAULT);
    }

    #[test]
    fn writec_and_write0_print_on_stdout() {
        let mut guest = Guest::new(None, b"");
        guest.poke(DATA, b"A");
        assert_eq!(guest.r0(SYS_WRITEC, DATA), 0);
        guest.poke(DATA, b"hello\0ignored");
        assert_eq!(guest.r0(SYS_WRITE0, DATA), 0);
        // A string spanning several blocks whose NUL is the very last byte of memory: nothing
        // past it may be read.
        let long: Vec<u8> = (0..700).map(|i| b'a' + (i % 26) as u8).collect();
        let start = RAM + RAM_SIZE as u32 - long.len() as u32 - 1;
        guest.poke(start, &long);
        guest.poke(start + long.len() as u32, &[0]);
        assert_eq!(guest.r0(SYS_WRITE0, start), 0);
        let mut expected = b"Ahello".to_vec();
        expected.extend_from_slice(&long);
        assert_eq!(guest.stdout.bytes(), expected);
        // Unterminated up to the end of memory.
        guest.poke(RAM + RAM_SIZE as u32 - 1, b"z");
        assert_eq!(guest.r0(SYS_WRITE0, RAM + RAM_SIZE as u32 - 1), ERROR);
        assert_eq!(guest.errno(), EFAULT);
    }

    #[test]
    fn readc_reads_stdin_then_eof() {
        let mut guest = Guest::new(None, b"xy");
        assert_eq!(guest.r0(SYS_READC, 0), u32::from(b'x'));
        assert_eq!(guest.r0(SYS_READC, 0), u32::from(b'y'));
        assert_eq!(guest.r0(SYS_READC, 0), ERROR);
    }

    #[test]
    fn a_failing_host_write_reports_the_bytes_not_written() {
        let mut guest = Guest::with(config(None), b"", Box::new(Full { room: 3 }));
        let stdout = guest.open(":tt", 4);
        assert_eq!(guest.write(stdout, b"0123456789"), 7);
        assert_eq!(guest.errno(), EACCES);
    }

    #[test]
    fn iserror_checks_the_sign() {
        let mut guest = Guest::new(None, b"");
        assert_ne!(guest.op(SYS_ISERROR, &[ERROR]), 0);
        assert_ne!(guest.op(SYS_ISERROR, &[0x8000_0000]), 0);
        assert_eq!(guest.op(SYS_ISERROR, &[0]), 0);
        assert_eq!(guest.op(SYS_ISERROR, &[5]), 0);
    }

    #[test]
    fn errno_keeps_the_last_failure() {
        let mut guest = Guest::new(None, b"");
        assert_eq!(guest.errno(), 0);
        assert_eq!(guest.op(SYS_CLOSE, &[9]), ERROR);
        assert_eq!(guest.errno(), EBADF);
        assert_ne!(guest.open(":tt", 0), ERROR);
        assert_eq!(guest.errno(), EBADF);
    }

    #[test]
    fn time_is_virtual() {
        let mut guest = Guest::new(None, b"");
        // 375e6 cycles at 150 MHz: 2.5 s.
        assert_eq!(guest.r0(SYS_CLOCK, 0), 250);
        assert_eq!(guest.r0(SYS_TICKFREQ, 0), 150_000_000);
        assert_eq!(guest.r0(SYS_TIME, 0), 1_000_000_002);
        assert_eq!(guest.r0(SYS_ELAPSED, DATA), 0);
        assert_eq!(guest.peek_word(DATA), 375_000_000);
        assert_eq!(guest.peek_word(DATA + 4), 0);
        let late = Clock {
            cycles: 0x1_2345_6789,
            hz: 0,
        };
        assert_eq!(
            guest.sh.call(SYS_ELAPSED, DATA, &mut guest.mem, late),
            Outcome::Return(0)
        );
        assert_eq!(guest.peek_word(DATA), 0x2345_6789);
        assert_eq!(guest.peek_word(DATA + 4), 1);
        // A zero clock rate answers instead of dividing by zero.
        assert_eq!(
            guest.sh.call(SYS_CLOCK, 0, &mut guest.mem, late),
            Outcome::Return(0)
        );
        assert_eq!(
            guest.sh.call(SYS_TIME, 0, &mut guest.mem, late),
            Outcome::Return(1_000_000_000)
        );
    }

    #[test]
    fn time_without_a_base_is_the_host_clock() {
        let mut guest = Guest::with(
            Config {
                time_base: None,
                ..config(None)
            },
            b"",
            Box::new(io::sink()),
        );
        let host = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs() as u32;
        assert!(guest.r0(SYS_TIME, 0).abs_diff(host) <= 2);
    }

    #[test]
    fn get_cmdline() {
        let mut guest = Guest::new(None, b"");
        assert_eq!(guest.op(SYS_GET_CMDLINE, &[DATA, 80]), 0);
        assert_eq!(guest.peek(DATA, 9), b"prog a b\0");
        assert_eq!(guest.peek_word(BLOCK), DATA);
        assert_eq!(guest.peek_word(BLOCK + 4), 8);
        // 9 bytes hold it with its NUL; 8 do not.
        assert_eq!(guest.op(SYS_GET_CMDLINE, &[DATA, 9]), 0);
        assert_eq!(guest.op(SYS_GET_CMDLINE, &[DATA, 8]), ERROR);
    }

    #[test]
    fn heapinfo() {
        let mut guest = Guest::new(None, b"");
        guest.poke_words(BLOCK, &[DATA]);
        assert_eq!(guest.r0(SYS_HEAPINFO, BLOCK), 0);
        let words: Vec<u32> = (0..4).map(|i| guest.peek_word(DATA + 4 * i)).collect();
        assert_eq!(words, [0x1100_0000, 0x1200_0000, 0x1400_0000, 0x1380_0000]);
        assert_eq!(guest.peek_word(BLOCK), DATA, "parameter block unchanged");
    }

    #[test]
    fn exit_and_exit_extended() {
        let mut guest = Guest::new(None, b"");
        assert_eq!(guest.call(SYS_EXIT, 0x2_0026), Outcome::Exit(0));
        assert_eq!(guest.call(SYS_EXIT, 0x2_0023), Outcome::Exit(1));
        assert_eq!(guest.call(SYS_EXIT, 0), Outcome::Exit(1));
        guest.poke_words(BLOCK, &[0x2_0026, 42]);
        assert_eq!(guest.call(SYS_EXIT_EXTENDED, BLOCK), Outcome::Exit(42));
        guest.poke_words(BLOCK, &[0x2_0026, -3i32 as u32]);
        assert_eq!(guest.call(SYS_EXIT_EXTENDED, BLOCK), Outcome::Exit(-3));
        guest.poke_words(BLOCK, &[0x2_0024, 42]);
        assert_eq!(guest.call(SYS_EXIT_EXTENDED, BLOCK), Outcome::Exit(1));
    }

    #[test]
    fn unsupported_operations_return_minus_one() {
        let mut guest = Guest::new(None, b"");
        for op in [0x0D, 0x12, 0x17, 0x19, 0x100, 0xFFFF_FFFF, 0x0D] {
            assert_eq!(guest.call(op, BLOCK), Outcome::Return(ERROR), "op {op:#x}");
        }
    }
}
