//! The OS's streams: `fopen` and the calls on a `FILE`, for files in `/documents`
//! ([`super::documents`]) and for stdin, stdout and stderr (the FILE blocks of the OS variables
//! 71-73; stdin has nothing to read, stdout and stderr go to the host's).
//!
//! A FILE is a 64-byte block from the program's heap (stdin, stdout and stderr have theirs in
//! the OS variables' page), the open file behind it a host file in the service's table. The
//! block's word 3 holds the stream's state as TI-OS's FILE does where the SDK reads it: bit 4,
//! the end of the file was reached (the SDK's `_read` tests it after a short read); bit 5, the
//! emulator's own, an error. Host files are not buffered: what is written is in the file.

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};

use super::documents::{answer, Errno, Failure, Node};
use super::{layout, string, Answer, Call, Ndless};
use crate::guest::{GuestMemory, MemoryError};

const FOPEN: u32 = 0;
const FREAD: u32 = 1;
const FWRITE: u32 = 2;
const FCLOSE: u32 = 3;
const FGETS: u32 = 4;
const FSEEK: u32 = 33;
const FGETC: u32 = 52;
const FPUTC: u32 = 54;
const FREOPEN: u32 = 60;
const UNGETC: u32 = 65;
const FFLUSH: u32 = 69;
const FERROR: u32 = 74;
const FTELL: u32 = 89;

/// The OS calls answered here.
pub const NUMBERS: &[u32] = &[
    FOPEN, FREAD, FWRITE, FCLOSE, FGETS, FSEEK, FGETC, FPUTC, FREOPEN, UNGETC, FFLUSH, FERROR,
    FTELL,
];

/// The FILE block's state word, and its bits.
const STATE: u32 = 12;
const AT_END: u32 = 0x10;
const FAILED: u32 = 0x20;
/// `EOF`, as calls returning a character or a status give it.
const EOF: u32 = u32::MAX;
/// How many files may be open at once (besides stdin, stdout, stderr).
const MAX_OPEN: usize = 64;
/// How many characters `ungetc` can push back.
const PUSHBACK_MAX: usize = 16;
/// Bytes copied between the host and guest memory at a time.
const CHUNK: usize = 64 * 1024;

/// What a FILE reads or writes.
enum Stream {
    /// Nothing to read: the end of the file at once.
    Stdin,
    Stdout,
    Stderr,
    Host(File),
}

/// An open FILE.
struct Open {
    stream: Stream,
    readable: bool,
    writable: bool,
    at_end: bool,
    failed: bool,
    /// Pushed back by `ungetc`, the next to read last.
    pushback: Vec<u8>,
    /// What `fgetc` gave last (for `ungetc` given the FILE alone, as the SDK calls it).
    last: Option<u8>,
}

impl Open {
    fn new(stream: Stream, readable: bool, writable: bool) -> Open {
        Open {
            stream,
            readable,
            writable,
            at_end: false,
            failed: false,
            pushback: Vec::new(),
            last: None,
        }
    }

    /// The state word of the FILE block.
    fn state(&self) -> u32 {
        (if self.at_end { AT_END } else { 0 }) | if self.failed { FAILED } else { 0 }
    }

    /// Fills `buf` as far as the stream goes: the number of bytes read, and the error that
    /// stopped it, if one did (a short count without one is the end of the file).
    fn read(&mut self, buf: &mut [u8]) -> (usize, Option<Errno>) {
        if !self.readable {
            self.failed = true;
            return (0, Some(Errno::EBADF));
        }
        let mut got = 0;
        while got < buf.len() {
            if let Some(byte) = self.pushback.pop() {
                buf[got] = byte;
                got += 1;
                continue;
            }
            let file = match &mut self.stream {
                Stream::Host(file) => file,
                _ => {
                    self.at_end = true;
                    break;
                }
            };
            match file.read(&mut buf[got..]) {
                Ok(0) => {
                    self.at_end = true;
                    break;
                }
                Ok(n) => got += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    self.failed = true;
                    return (got, Some(e.into()));
                }
            }
        }
        (got, None)
    }

    /// A line of at most `max` bytes, its `\n` included, and the error that cut it short.
    fn read_line(&mut self, max: usize) -> (Vec<u8>, Option<Errno>) {
        let mut line = Vec::new();
        while line.len() < max {
            if !self.pushback.is_empty() || !matches!(self.stream, Stream::Host(_)) {
                let mut byte = [0];
                match self.read(&mut byte) {
                    (1, _) => {
                        line.push(byte[0]);
                        if byte[0] == b'\n' {
                            break;
                        }
                        continue;
                    }
                    (_, error) => return (line, error),
                }
            }
            // From a file, a chunk, and back to just after the line's end.
            let mut chunk = vec![0; (max - line.len()).min(4096)];
            let (got, error) = self.read(&mut chunk);
            if let Some(end) = chunk[..got].iter().position(|&b| b == b'\n') {
                line.extend_from_slice(&chunk[..=end]);
                // What was read past the line is still to come: the end is not reached yet.
                self.at_end = false;
                let back = (got - end - 1) as i64;
                if let (Stream::Host(file), true) = (&mut self.stream, back > 0) {
                    if let Err(e) = file.seek(SeekFrom::Current(-back)) {
                        self.failed = true;
                        return (line, Some(e.into()));
                    }
                }
                break;
            }
            line.extend_from_slice(&chunk[..got]);
            if got < chunk.len() || error.is_some() {
                return (line, error);
            }
        }
        (line, None)
    }

    /// Drops what `ungetc` pushed back, the file's position moved back over it (so that a
    /// write or a seek starts where the program thinks it is).
    fn forget_pushback(&mut self) -> Result<(), Errno> {
        let back = self.pushback.len() as i64;
        self.pushback.clear();
        self.last = None;
        if let (Stream::Host(file), true) = (&mut self.stream, back > 0) {
            file.seek(SeekFrom::Current(-back))?;
        }
        Ok(())
    }
}

/// The open FILEs, by their block's address.
#[derive(Default)]
pub struct Table {
    open: BTreeMap<u32, Open>,
}

impl Table {
    /// Only stdin, stdout and stderr open.
    pub fn restart(&mut self) {
        self.open.clear();
        let std = [
            (Stream::Stdin, true, false),
            (Stream::Stdout, false, true),
            (Stream::Stderr, false, true),
        ];
        for (i, (stream, readable, writable)) in std.into_iter().enumerate() {
            let block = layout::STD_FILES + i as u32 * layout::FILE_SIZE;
            self.open
                .insert(block, Open::new(stream, readable, writable));
        }
    }

    fn get(&mut self, file: u32) -> Result<&mut Open, Errno> {
        self.open.get_mut(&file).ok_or(Errno::EBADF)
    }

    fn host_files(&self) -> usize {
        let host = |open: &&Open| matches!(open.stream, Stream::Host(_));
        self.open.values().filter(host).count()
    }
}

/// Whether the FILE block at `file` is one of stdin, stdout, stderr (not from the heap).
fn is_std(file: u32) -> bool {
    (layout::STD_FILES..layout::STD_FILES + 3 * layout::FILE_SIZE).contains(&file)
}

/// How `fopen` opens, from its mode: `r`, `w` or `a`, then `+`, `b`, `t` in any order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Mode {
    read: bool,
    write: bool,
    append: bool,
    create: bool,
    truncate: bool,
}

fn mode(text: &[u8]) -> Option<Mode> {
    let (&first, rest) = text.split_first()?;
    if !rest.iter().all(|c| b"+bt".contains(c)) {
        return None;
    }
    let plus = rest.contains(&b'+');
    let (read, write, append) = match first {
        b'r' => (true, plus, false),
        b'w' => (plus, true, false),
        b'a' => (plus, true, true),
        _ => return None,
    };
    Some(Mode {
        read,
        write,
        append,
        create: first != b'r',
        truncate: first == b'w',
    })
}

/// Answers OS call `index`, one of [`NUMBERS`].
pub fn call(
    ndless: &mut Ndless,
    index: u32,
    call: &Call,
    mem: &mut dyn GuestMemory,
) -> Result<Answer, MemoryError> {
    let [a, b, c, d] = call.args;
    // ungetc(FILE*) as the SDK's `_read` calls it: the FILE in r0, r1 whatever was there.
    let lone_ungetc = index == UNGETC
        && !ndless.documents.files.open.contains_key(&b)
        && ndless.documents.files.open.contains_key(&a);
    let (file, result, failed) = match index {
        FOPEN => (0, fopen(ndless, mem, a, b, None), 0),
        FREOPEN => (0, freopen(ndless, mem, a, b, c), 0),
        FCLOSE => (0, fclose(ndless, mem, a), EOF),
        FREAD => (d, fread(ndless, mem, a, b, c, d), 0),
        FWRITE => (d, fwrite(ndless, mem, a, b, c, d), 0),
        FGETS => (c, fgets(ndless, mem, a, b as i32, c), 0),
        FGETC => (a, fgetc(ndless, a), EOF),
        FPUTC => (b, fputc(ndless, a, b), EOF),
        UNGETC if lone_ungetc => (a, ungetc(ndless, None, a), EOF),
        UNGETC => (b, ungetc(ndless, Some(a), b), EOF),
        FSEEK => (a, fseek(ndless, a, b as i32, c), EOF),
        FTELL => (a, ftell(ndless, a), EOF),
        FFLUSH => (a, fflush(ndless, a), EOF),
        FERROR => (a, ferror(ndless, a), 1),
        _ => return Ok(Answer::Unsupported),
    };
    if let Some(open) = ndless.documents.files.open.get(&file) {
        mem.write_u32(file + STATE, open.state())?;
    }
    answer(mem, result, failed)
}

/// `fopen(path, mode)`, into the block `reuse` if given (`freopen`), else a new one.
fn fopen(
    ndless: &mut Ndless,
    mem: &mut dyn GuestMemory,
    path: u32,
    mode_text: u32,
    reuse: Option<u32>,
) -> Result<u32, Failure> {
    let path = string(mem, path)?;
    let mode = mode(&string(mem, mode_text)?).ok_or(Errno::EINVAL)?;
    let node = if mode.write {
        ndless.documents.node_to_change(&path)?
    } else {
        ndless.documents.node(&path)?
    };
    if reuse.is_none() && ndless.documents.files.host_files() >= MAX_OPEN {
        return Err(Errno::EMFILE.into());
    }
    let block = match reuse {
        Some(block) => block,
        None => {
            let block = ndless.heap.alloc(mem, layout::FILE_SIZE)?;
            if block == 0 {
                return Err(Errno::ENOMEM.into());
            }
            block
        }
    };
    let file = match open(node, mode) {
        Ok(file) => file,
        Err(errno) => {
            release(ndless, mem, block);
            return Err(errno.into());
        }
    };
    mem.write_bytes(block, &[0; layout::FILE_SIZE as usize])?;
    let open = Open::new(Stream::Host(file), mode.read, mode.write);
    ndless.documents.files.open.insert(block, open);
    mem.write_u32(block + STATE, 0)?;
    Ok(block)
}

/// The host file behind `node`, opened as `mode` says.
fn open(node: Node, mode: Mode) -> Result<File, Errno> {
    match node {
        Node::Root | Node::Documents => Err(Errno::EISDIR),
        Node::Missing(errno) if mode.create => Err(errno),
        Node::Missing(_) => Err(Errno::ENOENT),
        Node::Host(path) => {
            let mut options = OpenOptions::new();
            options
                .read(mode.read)
                .write(mode.write && !mode.append)
                .append(mode.append)
                .create(mode.create)
                .truncate(mode.truncate);
            Ok(crate::files::open_regular(&path, &options)?)
        }
    }
}

/// Gives a FILE block back to the heap (stdin's, stdout's, stderr's stay). A heap the program
/// broke is its own affair: the block is then left as it is.
fn release(ndless: &mut Ndless, mem: &mut dyn GuestMemory, block: u32) {
    if !is_std(block) && ndless.heap.free(mem, block).is_err() {
        log::debug!("fclose: the FILE block at {block:#x} is not a heap block in use");
    }
}

/// `freopen(path, mode, file)`: `file` closed, then `path` opened into its block.
fn freopen(
    ndless: &mut Ndless,
    mem: &mut dyn GuestMemory,
    path: u32,
    mode_text: u32,
    file: u32,
) -> Result<u32, Failure> {
    if ndless.documents.files.open.remove(&file).is_none() {
        return Err(Errno::EBADF.into());
    }
    // A new mode for the same file (path NULL) is not done.
    if path == 0 {
        release(ndless, mem, file);
        return Err(Errno::EINVAL.into());
    }
    let reopened = fopen(ndless, mem, path, mode_text, Some(file));
    if reopened.is_err() {
        release(ndless, mem, file);
    }
    reopened
}

fn fclose(ndless: &mut Ndless, mem: &mut dyn GuestMemory, file: u32) -> Result<u32, Failure> {
    let open = ndless
        .documents
        .files
        .open
        .remove(&file)
        .ok_or(Errno::EBADF)?;
    release(ndless, mem, file);
    match open.stream {
        Stream::Host(mut host) => host.flush().map(|_| 0).map_err(Failure::from),
        _ => Ok(0),
    }
}

fn fread(
    ndless: &mut Ndless,
    mem: &mut dyn GuestMemory,
    ptr: u32,
    size: u32,
    count: u32,
    file: u32,
) -> Result<u32, Failure> {
    let open = ndless.documents.files.get(file)?;
    let Some(total) = item_bytes(size, count)? else {
        return Ok(0);
    };
    let mut buf = vec![0; (total as usize).min(CHUNK)];
    let mut done = 0;
    while done < total {
        let want = ((total - done) as usize).min(CHUNK);
        let (got, error) = open.read(&mut buf[..want]);
        mem.write_bytes(ptr.wrapping_add(done), &buf[..got])?;
        done += got as u32;
        if let Some(Errno(errno)) = error {
            mem.write_u32(layout::ERRNO, errno)?;
            break;
        }
        if got < want {
            break;
        }
    }
    open.last = None;
    Ok(done / size)
}

fn fwrite(
    ndless: &mut Ndless,
    mem: &mut dyn GuestMemory,
    ptr: u32,
    size: u32,
    count: u32,
    file: u32,
) -> Result<u32, Failure> {
    ndless.documents.files.get(file)?;
    let Some(total) = item_bytes(size, count)? else {
        return Ok(0);
    };
    let mut done = 0;
    while done < total {
        let len = (total - done).min(CHUNK as u32);
        let bytes = super::read(mem, ptr.wrapping_add(done), len)?;
        match write(ndless, file, &bytes) {
            Ok(()) => done += len,
            Err((written, Errno(errno))) => {
                done += written as u32;
                mem.write_u32(layout::ERRNO, errno)?;
                break;
            }
        }
    }
    Ok(done / size)
}

/// The bytes of `count` items of `size` bytes (fread, fwrite): `None` for none, EINVAL past
/// what 32 bits count.
fn item_bytes(size: u32, count: u32) -> Result<Option<u32>, Failure> {
    match size.checked_mul(count) {
        Some(0) => Ok(None),
        Some(total) => Ok(Some(total)),
        None => Err(Errno::EINVAL.into()),
    }
}

/// Writes `bytes` to the FILE at `file`; on failure, how many were written and why not.
/// stdout and stderr take everything (what the host cannot take is dropped: it must not stop
/// the program).
pub fn write(ndless: &mut Ndless, file: u32, bytes: &[u8]) -> Result<(), (usize, Errno)> {
    let Ndless {
        documents,
        stdout,
        stderr,
        ..
    } = ndless;
    let open = documents.files.get(file).map_err(|e| (0, e))?;
    if !open.writable {
        open.failed = true;
        return Err((0, Errno::EBADF));
    }
    open.forget_pushback().map_err(|e| (0, e))?;
    let host = match &mut open.stream {
        Stream::Stdout => {
            let _ = stdout.write_all(bytes);
            return Ok(());
        }
        Stream::Stderr => {
            let _ = stderr.write_all(bytes);
            return Ok(());
        }
        Stream::Stdin => return Err((0, Errno::EBADF)),
        Stream::Host(host) => host,
    };
    let mut done = 0;
    while done < bytes.len() {
        match host.write(&bytes[done..]) {
            Ok(0) => {
                open.failed = true;
                return Err((done, Errno(28))); // ENOSPC
            }
            Ok(n) => done += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => {
                open.failed = true;
                return Err((done, e.into()));
            }
        }
    }
    Ok(())
}

fn fgets(
    ndless: &mut Ndless,
    mem: &mut dyn GuestMemory,
    buf: u32,
    size: i32,
    file: u32,
) -> Result<u32, Failure> {
    let open = ndless.documents.files.get(file)?;
    if size <= 0 {
        return Err(Errno::EINVAL.into());
    }
    let (mut line, error) = open.read_line(size as usize - 1);
    open.last = None;
    if line.is_empty() && size > 1 {
        return match error {
            Some(errno) => Err(errno.into()),
            None => Ok(0),
        };
    }
    line.push(0);
    mem.write_bytes(buf, &line)?;
    if let Some(Errno(errno)) = error {
        mem.write_u32(layout::ERRNO, errno)?;
    }
    Ok(buf)
}

fn fgetc(ndless: &mut Ndless, file: u32) -> Result<u32, Failure> {
    let open = ndless.documents.files.get(file)?;
    let mut byte = [0];
    match open.read(&mut byte) {
        (1, _) => {
            open.last = Some(byte[0]);
            Ok(u32::from(byte[0]))
        }
        (_, Some(errno)) => Err(errno.into()),
        (_, None) => Ok(EOF),
    }
}

fn fputc(ndless: &mut Ndless, c: u32, file: u32) -> Result<u32, Failure> {
    match write(ndless, file, &[c as u8]) {
        Ok(()) => Ok(c & 0xFF),
        Err((_, errno)) => Err(errno.into()),
    }
}

/// `ungetc(c, file)`; given the FILE alone (`c` None), the character `fgetc` gave last.
fn ungetc(ndless: &mut Ndless, c: Option<u32>, file: u32) -> Result<u32, Failure> {
    let open = ndless.documents.files.get(file)?;
    let c = match c {
        Some(c) => c,
        None => open.last.take().map_or(EOF, u32::from),
    };
    if c == EOF || open.pushback.len() >= PUSHBACK_MAX {
        return Ok(EOF);
    }
    open.pushback.push(c as u8);
    open.at_end = false;
    Ok(c & 0xFF)
}

/// `fseek(file, offset, whence)`: SEEK_SET 0, SEEK_CUR 1, SEEK_END 2.
fn fseek(ndless: &mut Ndless, file: u32, offset: i32, whence: u32) -> Result<u32, Failure> {
    let open = ndless.documents.files.get(file)?;
    let Stream::Host(host) = &mut open.stream else {
        return Err(Errno::ESPIPE.into());
    };
    let base = match whence {
        0 => 0,
        1 => host.stream_position()? as i64 - open.pushback.len() as i64,
        2 => host.metadata()?.len() as i64,
        _ => return Err(Errno::EINVAL.into()),
    };
    let target = u64::try_from(base + i64::from(offset)).map_err(|_| Errno::EINVAL)?;
    host.seek(SeekFrom::Start(target))?;
    open.pushback.clear();
    open.last = None;
    open.at_end = false;
    Ok(0)
}

fn ftell(ndless: &mut Ndless, file: u32) -> Result<u32, Failure> {
    let open = ndless.documents.files.get(file)?;
    let Stream::Host(host) = &mut open.stream else {
        return Err(Errno::ESPIPE.into());
    };
    let at = host
        .stream_position()?
        .saturating_sub(open.pushback.len() as u64);
    i32::try_from(at)
        .map(|at| at as u32)
        .map_err(|_| Errno::EOVERFLOW.into())
}

/// `fflush(file)`; `fflush(NULL)` flushes every stream.
fn fflush(ndless: &mut Ndless, file: u32) -> Result<u32, Failure> {
    let Ndless {
        documents,
        stdout,
        stderr,
        ..
    } = ndless;
    let files: Vec<u32> = if file == 0 {
        documents.files.open.keys().copied().collect()
    } else {
        documents.files.get(file)?;
        vec![file]
    };
    for file in files {
        let Ok(open) = documents.files.get(file) else {
            continue;
        };
        let flushed = match &mut open.stream {
            Stream::Stdout => stdout.flush(),
            Stream::Stderr => stderr.flush(),
            Stream::Stdin => Ok(()),
            Stream::Host(host) => host.flush(),
        };
        // What stdout and stderr cannot take is dropped, as when written.
        if let (Err(e), Stream::Host(_)) = (flushed, &open.stream) {
            open.failed = true;
            return Err(e.into());
        }
    }
    Ok(0)
}

fn ferror(ndless: &mut Ndless, file: u32) -> Result<u32, Failure> {
    Ok(u32::from(ndless.documents.files.get(file)?.failed))
}

#[cfg(test)]
mod tests {
    use super::super::documents::fixture::{Guest, TempDir};
    use super::*;
    use std::fs;

    const STDIN: u32 = layout::STD_FILES;
    const STDOUT: u32 = layout::STD_FILES + layout::FILE_SIZE;
    const STDERR: u32 = layout::STD_FILES + 2 * layout::FILE_SIZE;

    impl Guest {
        fn fopen(&mut self, path: &str, mode: &str) -> u32 {
            let (path, mode) = (self.put(path), self.put(mode));
            self.call(FOPEN, &[path, mode])
        }

        fn fwrite(&mut self, data: &[u8], file: u32) -> u32 {
            let at = self.buffer(data.len() as u32);
            self.mem.write_bytes(at, data).unwrap();
            self.call(FWRITE, &[at, 1, data.len() as u32, file])
        }

        /// fread of `len` bytes: what was read, and the count.
        fn fread(&mut self, len: u32, file: u32) -> (Vec<u8>, u32) {
            let at = self.buffer(len);
            let count = self.call(FREAD, &[at, 1, len, file]);
            (self.bytes(at, count), count)
        }

        fn fgets(&mut self, size: u32, file: u32) -> Option<String> {
            let at = self.buffer(size.max(1));
            match self.call(FGETS, &[at, size, file]) {
                0 => None,
                got => {
                    assert_eq!(got, at);
                    Some(self.text(at))
                }
            }
        }

        /// The FILE block's state word.
        fn state(&mut self, file: u32) -> u32 {
            self.word(file + STATE)
        }
    }

    /// fread and fwrite of no bytes (a size or a count of 0) do nothing and return 0; a size
    /// times a count past 32 bits is EINVAL, nothing done.
    #[test]
    fn empty_and_overflowing_item_sizes() {
        let dir = TempDir::new("sizes");
        let mut guest = Guest::new(Some(&dir));
        let file = guest.fopen("/documents/t.tns", "wb+");
        let at = guest.buffer(16);
        for number in [FREAD, FWRITE] {
            guest.clear_errno();
            assert_eq!(guest.call(number, &[at, 0, 5, file]), 0);
            assert_eq!(guest.call(number, &[at, 5, 0, file]), 0);
            assert_eq!(guest.errno(), 0xEEEE, "errno as it was");
            assert_eq!(guest.call(number, &[at, 0x1_0000, 0x1_0000, file]), 0);
            assert_eq!(guest.errno(), Errno::EINVAL.0);
        }
        assert_eq!(guest.call(FTELL, &[file]), 0, "nothing was written");
    }

    #[test]
    fn a_file_written_read_back_and_sought() {
        let dir = TempDir::new("rw");
        let mut guest = Guest::new(Some(&dir));
        let file = guest.fopen("/documents/t.tns", "wb+");
        assert_ne!(file, 0);
        assert_eq!(guest.fwrite(b"abc\ndef", file), 7);
        assert_eq!(guest.call(FFLUSH, &[file]), 0);
        assert_eq!(fs::read(dir.0.join("t.tns")).unwrap(), b"abc\ndef");
        assert_eq!(guest.call(FTELL, &[file]), 7);
        assert_eq!(guest.call(FSEEK, &[file, 0, 0]), 0);
        assert_eq!(guest.fgets(10, file).as_deref(), Some("abc\n"));
        assert_eq!(guest.call(FTELL, &[file]), 4, "fgets stops after the line");
        assert_eq!(guest.state(file), 0);
        assert_eq!(guest.fgets(10, file).as_deref(), Some("def"));
        assert_eq!(guest.state(file), AT_END);
        assert_eq!(guest.fgets(10, file), None);
        // Back one from the end, then a character, pushed back, read again.
        assert_eq!(guest.call(FSEEK, &[file, -1i32 as u32, 2]), 0);
        assert_eq!(guest.state(file), 0, "fseek clears the end");
        assert_eq!(guest.call(FGETC, &[file]), u32::from(b'f'));
        assert_eq!(guest.call(FGETC, &[file]), EOF);
        assert_eq!(guest.state(file), AT_END);
        assert_eq!(
            guest.call(UNGETC, &[u32::from(b'x'), file]),
            u32::from(b'x')
        );
        assert_eq!(guest.state(file), 0);
        assert_eq!(guest.call(FTELL, &[file]), 6);
        assert_eq!(guest.call(FGETC, &[file]), u32::from(b'x'));
        // A write after a seek back overwrites.
        assert_eq!(guest.call(FSEEK, &[file, 1, 0]), 0);
        assert_eq!(guest.call(FPUTC, &[u32::from(b'B'), file]), u32::from(b'B'));
        assert_eq!(guest.call(FSEEK, &[file, 5, 1]), 0);
        assert_eq!(guest.call(FTELL, &[file]), 7);
        assert_eq!(guest.call(FSEEK, &[file, -8i32 as u32, 1]), EOF);
        assert_eq!(guest.errno(), Errno::EINVAL.0);
        assert_eq!(guest.call(FSEEK, &[file, 0, 3]), EOF);
        assert_eq!(guest.call(FERROR, &[file]), 0);
        assert_eq!(guest.call(FCLOSE, &[file]), 0);
        assert_eq!(fs::read(dir.0.join("t.tns")).unwrap(), b"aBc\ndef");
        // Closed: its block went back to the heap, and it is no FILE any more.
        guest.clear_errno();
        assert_eq!(guest.call(FGETC, &[file]), EOF);
        assert_eq!(guest.errno(), Errno::EBADF.0);
        assert_eq!(guest.call(FCLOSE, &[file]), EOF);
        assert_eq!(guest.fopen("t.tns", "r"), file, "the block is used again");
    }

    /// The SDK's `_read`: after a short `fread`, `fgetc` and bit 4 of word 3 tell the end of the
    /// file from an error, and `ungetc` is called with the FILE alone.
    #[test]
    fn the_sdk_read_sees_the_end_in_word_3() {
        let dir = TempDir::new("sdkread");
        fs::write(dir.0.join("in.txt"), b"12345").unwrap();
        let mut guest = Guest::new(Some(&dir));
        let file = guest.fopen("in.txt", "rb");
        assert_eq!(guest.fread(1024, file), (b"12345".to_vec(), 5));
        assert_eq!(guest.state(file) & AT_END, AT_END);
        assert_eq!(guest.fread(1024, file).1, 0);
        assert_eq!(guest.call(FGETC, &[file]), EOF);
        assert_eq!(guest.state(file) & 0x10, 0x10, "the end, not an error");
        // The other way: a character read, pushed back with the FILE alone in r0 (r1 holds
        // whatever it held: here the count).
        assert_eq!(guest.call(FSEEK, &[file, 4, 0]), 0);
        assert_eq!(guest.call(FGETC, &[file]), u32::from(b'5'));
        assert_eq!(guest.call(UNGETC, &[file, 1024]), u32::from(b'5'));
        assert_eq!(guest.fread(10, file), (b"5".to_vec(), 1));
        // Nothing read by fgetc to push back.
        assert_eq!(guest.call(UNGETC, &[file, 1024]), EOF);
        // stdin has nothing: its end at once, in its block too.
        assert_eq!(guest.fread(16, STDIN).1, 0);
        assert_eq!(guest.state(STDIN), AT_END);
        assert_eq!(guest.call(FGETC, &[STDIN]), EOF);
    }

    #[test]
    fn stdout_and_stderr_go_to_the_host() {
        let mut guest = Guest::new(None);
        assert_eq!(guest.fwrite(b"out ", STDOUT), 4);
        assert_eq!(
            guest.call(FPUTC, &[u32::from(b'e'), STDERR]),
            u32::from(b'e')
        );
        assert_eq!(guest.call(FFLUSH, &[STDOUT]), 0);
        assert_eq!(guest.call(FFLUSH, &[0]), 0);
        assert_eq!(guest.out.text(), "out e");
        assert_eq!(guest.call(FTELL, &[STDOUT]), EOF);
        assert_eq!(guest.errno(), Errno::ESPIPE.0);
        assert_eq!(guest.fwrite(b"x", STDIN), 0);
        assert_eq!(guest.call(FERROR, &[STDIN]), 1);
        // A FILE the program never had.
        guest.clear_errno();
        assert_eq!(guest.fwrite(b"x", 0x1000_0400), 0);
        assert_eq!(guest.errno(), Errno::EBADF.0);
    }

    #[test]
    fn modes() {
        let dir = TempDir::new("modes");
        fs::write(dir.0.join("f"), b"old").unwrap();
        let mut guest = Guest::new(Some(&dir));
        // Append: writes at the end whatever the position.
        let file = guest.fopen("f", "a+");
        assert_eq!(guest.fread(3, file), (b"old".to_vec(), 3));
        assert_eq!(guest.call(FSEEK, &[file, 0, 0]), 0);
        assert_eq!(guest.fwrite(b"new", file), 3);
        guest.call(FCLOSE, &[file]);
        assert_eq!(fs::read(dir.0.join("f")).unwrap(), b"oldnew");
        // Read only: writing fails, and the error stays.
        let file = guest.fopen("f", "r");
        assert_eq!(guest.fwrite(b"x", file), 0);
        assert_eq!(guest.errno(), Errno::EBADF.0);
        assert_eq!(guest.call(FERROR, &[file]), 1);
        assert_eq!(guest.state(file), FAILED);
        guest.call(FCLOSE, &[file]);
        // Write only: reading fails (TI-OS's ferror test).
        let file = guest.fopen("f", "wb");
        assert_eq!(guest.fread(1, file).1, 0);
        assert_eq!(guest.call(FERROR, &[file]), 1);
        guest.call(FCLOSE, &[file]);
        assert_eq!(fs::read(dir.0.join("f")).unwrap(), b"", "w truncates");
        // Bad modes, missing files, folders.
        for (path, mode, errno) in [
            ("f", "x", Errno::EINVAL),
            ("f", "rw", Errno::EINVAL),
            ("f", "", Errno::EINVAL),
            ("none", "r", Errno::ENOENT),
            ("none/f", "w", Errno::ENOENT),
            ("/documents", "r", Errno::EISDIR),
            ("/", "r", Errno::EISDIR),
            ("/tmp/f", "w", Errno::EACCES),
            ("/tmp/f", "r", Errno::ENOENT),
        ] {
            guest.clear_errno();
            assert_eq!(guest.fopen(path, mode), 0, "{path} {mode}");
            assert_eq!(guest.errno(), errno.0, "{path} {mode}");
        }
        fs::create_dir(dir.0.join("sub")).unwrap();
        assert_eq!(guest.fopen("sub", "r"), 0);
        assert_eq!(guest.errno(), Errno::EISDIR.0);
    }

    #[cfg(unix)]
    #[test]
    fn only_regular_files_open_and_a_fifo_does_not_block() {
        let dir = TempDir::new("fifo");
        nix::unistd::mkfifo(&dir.0.join("fifo"), nix::sys::stat::Mode::S_IRWXU).unwrap();
        fs::create_dir(dir.0.join("folder")).unwrap();
        for (name, errno) in [("fifo", Errno::EACCES), ("folder", Errno::EISDIR)] {
            for mode in ["r", "w", "r+", "a"] {
                let (tx, rx) = std::sync::mpsc::channel();
                // The same folder, which the test's own TempDir removes.
                let root = std::mem::ManuallyDrop::new(TempDir(dir.0.clone()));
                std::thread::spawn(move || {
                    let mut guest = Guest::new(Some(&root));
                    let file = guest.fopen(name, mode);
                    let _ = tx.send((file, guest.errno()));
                });
                let answer = rx.recv_timeout(std::time::Duration::from_secs(5));
                assert_eq!(answer, Ok((0, errno.0)), "fopen({name}, {mode})");
            }
        }
    }

    #[test]
    fn a_nul_ends_the_name_a_program_gives() {
        let dir = TempDir::new("nul");
        let mut guest = Guest::new(Some(&dir));
        let file = guest.fopen("inside\0/../../../outside", "w");
        assert_ne!(file, 0);
        let names: Vec<_> = fs::read_dir(&dir.0)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["inside"]);
        assert!(!dir.0.join("../outside").exists());
    }

    #[test]
    fn without_documents_nothing_opens_and_nothing_is_written() {
        let mut guest = Guest::new(None);
        assert_eq!(guest.fopen("/documents/a.tns", "r"), 0);
        assert_eq!(guest.errno(), Errno::ENOENT.0);
        assert_eq!(guest.fopen("a.tns", "w"), 0);
        assert_eq!(guest.errno(), Errno::EROFS.0);
    }

    #[test]
    fn freopen_opens_into_the_same_block() {
        let dir = TempDir::new("freopen");
        let mut guest = Guest::new(Some(&dir));
        let file = guest.fopen("a", "w");
        let (path, mode) = (guest.put("b"), guest.put("w"));
        assert_eq!(guest.call(FREOPEN, &[path, mode, file]), file);
        guest.fwrite(b"b", file);
        // stdout, into a file.
        let (path, mode) = (guest.put("out.txt"), guest.put("w"));
        assert_eq!(guest.call(FREOPEN, &[path, mode, STDOUT]), STDOUT);
        guest.fwrite(b"to the file", STDOUT);
        guest.call(FCLOSE, &[STDOUT]);
        guest.call(FCLOSE, &[file]);
        assert_eq!(fs::read(dir.0.join("b")).unwrap(), b"b");
        assert_eq!(fs::read(dir.0.join("a")).unwrap(), b"");
        assert_eq!(fs::read(dir.0.join("out.txt")).unwrap(), b"to the file");
        assert_eq!(guest.out.text(), "");
        // A failed freopen closes the FILE.
        let file = guest.fopen("a", "r");
        let (path, mode) = (guest.put("none"), guest.put("r"));
        assert_eq!(guest.call(FREOPEN, &[path, mode, file]), 0);
        assert_eq!(guest.call(FCLOSE, &[file]), EOF);
    }

    #[test]
    fn fgets_sizes_and_long_lines() {
        let dir = TempDir::new("fgets");
        let long = "x".repeat(10_000);
        fs::write(dir.0.join("l"), format!("{long}\nend")).unwrap();
        let mut guest = Guest::new(Some(&dir));
        let file = guest.fopen("l", "r");
        assert_eq!(
            guest.fgets(1, file).as_deref(),
            Some(""),
            "room for the NUL only"
        );
        assert_eq!(guest.fgets(0, file), None);
        assert_eq!(guest.errno(), Errno::EINVAL.0);
        assert_eq!(guest.fgets(5, file).as_deref(), Some("xxxx"));
        let rest = guest.fgets(20_000, file).unwrap();
        assert_eq!(rest.len(), 10_000 - 4 + 1);
        assert_eq!(guest.fgets(100, file).as_deref(), Some("end"));
    }

    #[test]
    fn a_pointer_outside_memory_ends_the_run() {
        let dir = TempDir::new("badptr");
        fs::write(dir.0.join("f"), b"data").unwrap();
        let mut guest = Guest::new(Some(&dir));
        let file = guest.fopen("f", "r");
        assert_eq!(
            guest.answer(FREAD, &[0x2000_0000, 1, 4, file]),
            Answer::BadPointer
        );
        let mode = guest.put("r");
        assert_eq!(
            guest.answer(FOPEN, &[0x2000_0000, mode]),
            Answer::BadPointer
        );
        assert_eq!(
            guest.answer(FWRITE, &[0x2000_0000, 1, 4, STDOUT]),
            Answer::BadPointer
        );
        // Huge sizes are not taken for memory.
        assert_eq!(guest.call(FREAD, &[0x1000_8000, 0x10000, 0x10000, file]), 0);
        assert_eq!(guest.errno(), Errno::EINVAL.0);
    }

    #[test]
    fn too_many_open_files() {
        let dir = TempDir::new("many");
        let mut guest = Guest::new(Some(&dir));
        let files: Vec<u32> = (0..MAX_OPEN)
            .map(|i| guest.fopen(&format!("{i}"), "w"))
            .collect();
        assert!(files.iter().all(|&f| f != 0));
        assert_eq!(guest.fopen("one-more", "w"), 0);
        assert_eq!(guest.errno(), Errno::EMFILE.0);
        guest.call(FCLOSE, &[files[0]]);
        assert_ne!(guest.fopen("one-more", "w"), 0);
    }
}
