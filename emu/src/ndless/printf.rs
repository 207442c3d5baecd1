//! The OS's formatted output: `printf`, `fprintf` (to any FILE, through [`files::write`]),
//! `sprintf`, `snprintf`, and the `va_list` forms the SDK's old `os.h` reaches them through
//! (`vprintf` is `_vprintf(fmt, *(void **)&ap)`: a `va_list` is the address of the next
//! argument). The formatting is [`format`]'s.

use std::io::Write;

use super::format::{self, Args, Error, Sink};
use super::{files, layout, Answer, Call, Ndless};
use crate::guest::{GuestMemory, MemoryError};

const PRINTF: u32 = 10;
const SPRINTF: u32 = 11;
const FPRINTF: u32 = 12;
const VSPRINTF: u32 = 32;
const SNPRINTF: u32 = 332;
const VPRINTF: u32 = 333;
const VFPRINTF: u32 = 334;
const VSNPRINTF: u32 = 335;

/// The OS calls answered here.
pub const NUMBERS: &[u32] = &[
    PRINTF, SPRINTF, FPRINTF, VSPRINTF, SNPRINTF, VPRINTF, VFPRINTF, VSNPRINTF,
];

/// The longest format string read (a format is text a program wrote: far less).
const FORMAT_MAX: usize = 1 << 20;

/// Answers OS call `index`, one of [`NUMBERS`].
pub fn call(
    ndless: &mut Ndless,
    index: u32,
    call: &Call,
    mem: &mut dyn GuestMemory,
) -> Result<Answer, MemoryError> {
    let [a, b, c, d] = call.args;
    let stdout = layout::STD_FILES + layout::FILE_SIZE;
    // Where the output goes, the format, and the arguments.
    let (target, format, mut args) = match index {
        PRINTF => (Target::File(stdout), a, Args::variadic(call, 1)),
        VPRINTF => (Target::File(stdout), a, Args::list(b)),
        FPRINTF => (Target::File(a), b, Args::variadic(call, 2)),
        VFPRINTF => (Target::File(a), b, Args::list(c)),
        SPRINTF => (Target::Buffer(a, None), b, Args::variadic(call, 2)),
        VSPRINTF => (Target::Buffer(a, None), b, Args::list(c)),
        SNPRINTF => (Target::Buffer(a, Some(b)), c, Args::variadic(call, 3)),
        VSNPRINTF => (Target::Buffer(a, Some(b)), c, Args::list(d)),
        _ => return Ok(Answer::Unsupported),
    };
    let format = mem.read_cstring(format, FORMAT_MAX)?;
    let result = match target {
        Target::File(file) => {
            let result = format::format(mem, &format, &mut args, &mut Stream { ndless, file });
            // Seen at once, as puts is.
            let _ = ndless.stdout.flush();
            let _ = ndless.stderr.flush();
            result
        }
        Target::Buffer(addr, size) => {
            let mut buffer = Buffer::new(addr, size);
            let result = format::format(mem, &format, &mut args, &mut buffer);
            buffer.finish(mem)?;
            result
        }
    };
    match result {
        Ok(count) => Ok(Answer::Value(count)),
        Err(Error::Memory) => Err(MemoryError),
        Err(Error::Unsupported) => Ok(Answer::Unsupported),
        Err(Error::Errno(errno)) => {
            mem.write_u32(layout::ERRNO, errno)?;
            Ok(Answer::Value(-1i32 as u32))
        }
    }
}

enum Target {
    /// A `FILE *`.
    File(u32),
    /// A buffer in guest memory, and its size if the call has one (`snprintf`).
    Buffer(u32, Option<u32>),
}

/// A FILE: what [`files::write`] cannot write fails the call with its `errno` (EBADF for a
/// FILE not open for writing, or not a FILE).
struct Stream<'a> {
    ndless: &'a mut Ndless,
    file: u32,
}

impl Sink for Stream<'_> {
    fn put(&mut self, _: &mut dyn GuestMemory, bytes: &[u8]) -> Result<(), Error> {
        files::write(self.ndless, self.file, bytes).map_err(|(_, errno)| Error::Errno(errno.0))
    }
}

/// A buffer in guest memory, written as the output comes (in pieces of up to 4 KiB), then
/// terminated: all of it for `sprintf`, the first `size - 1` bytes for `snprintf`.
struct Buffer {
    addr: u32,
    /// Its size, if the call gives one.
    size: Option<u32>,
    /// Bytes written to guest memory so far.
    written: u32,
    pending: Vec<u8>,
}

impl Buffer {
    fn new(addr: u32, size: Option<u32>) -> Buffer {
        Buffer {
            addr,
            size,
            written: 0,
            pending: Vec::new(),
        }
    }

    fn flush(&mut self, mem: &mut dyn GuestMemory) -> Result<(), MemoryError> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let at = self.addr.checked_add(self.written).ok_or(MemoryError)?;
        mem.write_bytes(at, &self.pending)?;
        self.written += self.pending.len() as u32;
        self.pending.clear();
        Ok(())
    }

    /// Writes what is pending and the NUL (nothing for `snprintf` with a size of 0, whose
    /// buffer may be NULL).
    fn finish(mut self, mem: &mut dyn GuestMemory) -> Result<(), MemoryError> {
        if self.size != Some(0) {
            self.pending.push(0);
        }
        self.flush(mem)
    }
}

impl Sink for Buffer {
    fn put(&mut self, mem: &mut dyn GuestMemory, bytes: &[u8]) -> Result<(), Error> {
        let bytes = match self.size {
            // Room for the NUL is kept.
            Some(size) => {
                let held = self.written as usize + self.pending.len();
                let left = (size as usize).saturating_sub(1).saturating_sub(held);
                &bytes[..bytes.len().min(left)]
            }
            None => bytes,
        };
        self.pending.extend_from_slice(bytes);
        if self.pending.len() >= 4096 {
            self.flush(mem)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frontend::setup::SharedBuffer;
    use crate::guest::testing::Flat;

    const STDIN: u32 = layout::STD_FILES;
    const STDOUT: u32 = STDIN + layout::FILE_SIZE;
    const STDERR: u32 = STDOUT + layout::FILE_SIZE;
    /// Where the tests put strings, the output buffer, a va_list's arguments, and the stack.
    const STRINGS: u32 = Flat::BASE + 0x8000;
    const BUFFER: u32 = Flat::BASE + 0x9000;
    const LIST: u32 = Flat::BASE + 0xA000;
    const STACK: u32 = Flat::BASE + 0xC000;

    struct World {
        ndless: Ndless,
        mem: Flat,
        out: SharedBuffer,
        err: SharedBuffer,
        strings: u32,
    }

    fn world() -> World {
        let (out, err) = (SharedBuffer::default(), SharedBuffer::default());
        let ndless = Ndless::new(Box::new(out.clone()), Box::new(err.clone()));
        let mut mem = Flat::new(Flat::BASE, 0x1_0000);
        // The output buffer starts full of 0xAA, to see what is written.
        mem.bytes[0x9000..0xA000].fill(0xAA);
        World {
            ndless,
            mem,
            out,
            err,
            strings: STRINGS,
        }
    }

    impl World {
        /// A string in guest memory.
        fn string(&mut self, text: &str) -> u32 {
            let at = self.strings;
            self.mem.write_bytes(at, text.as_bytes()).unwrap();
            self.mem.write_bytes(at + text.len() as u32, &[0]).unwrap();
            self.strings += text.len() as u32 + 1;
            at
        }

        /// OS call `index` with these registers and these words on the stack.
        fn call(&mut self, index: u32, args: [u32; 4], stack: &[u32]) -> Answer {
            for (n, &word) in stack.iter().enumerate() {
                self.mem.write_u32(STACK + 4 * n as u32, word).unwrap();
            }
            let call = Call::with(index, args, STACK);
            self.ndless.call(&call, &mut self.mem)
        }

        /// `len` bytes of the output buffer.
        fn buffer(&self, len: usize) -> &[u8] {
            &self.mem.bytes[0x9000..0x9000 + len]
        }

        fn errno(&mut self) -> u32 {
            self.mem.read_u32(layout::ERRNO).unwrap()
        }
    }

    #[test]
    fn printf_prints_to_stdout_with_a_double_on_the_stack() {
        let mut w = world();
        let format = w.string("%d-%s|%5.2f|%c");
        let x = w.string("x");
        let value = 2.25f64.to_bits();
        // The double does not fit in r3: it takes the first 8-byte slot of the stack.
        let answer = w.call(
            PRINTF,
            [format, 42, x, 0xDEAD],
            &[value as u32, (value >> 32) as u32, u32::from(b'!')],
        );
        assert_eq!(answer, Answer::Value(12));
        assert_eq!(w.out.text(), "42-x| 2.25|!");
        assert_eq!(w.err.text(), "");
    }

    #[test]
    fn fprintf_prints_to_a_file_and_fails_with_ebadf_on_what_is_not_one() {
        let mut w = world();
        let format = w.string("%s %u");
        let text = w.string("to");
        assert_eq!(
            w.call(FPRINTF, [STDERR, format, text, 2], &[]),
            Answer::Value(4)
        );
        assert_eq!(
            w.call(FPRINTF, [STDOUT, format, text, 1], &[]),
            Answer::Value(4)
        );
        assert_eq!(w.err.text(), "to 2");
        assert_eq!(w.out.text(), "to 1");
        for file in [STDIN, Flat::BASE + 0x100] {
            let answer = w.call(FPRINTF, [file, format, text, 3], &[]);
            assert_eq!(
                (answer, w.errno()),
                (Answer::Value(u32::MAX), 9),
                "{file:#x}"
            );
        }
        assert_eq!((w.out.text(), w.err.text()), ("to 1".into(), "to 2".into()));
    }

    #[test]
    fn sprintf_writes_the_string_and_its_nul() {
        let mut w = world();
        let format = w.string("%s=%lld");
        let name = w.string("n");
        let n: u64 = -5i64 as u64;
        // The long long after two fixed words and a pointer: r3 is skipped for the stack.
        let answer = w.call(
            SPRINTF,
            [BUFFER, format, name, 0xDEAD],
            &[n as u32, (n >> 32) as u32],
        );
        assert_eq!(answer, Answer::Value(4));
        assert_eq!(w.buffer(6), b"n=-5\0\xAA");
    }

    #[test]
    fn snprintf_keeps_size_minus_one_bytes_and_counts_them_all() {
        let mut w = world();
        let format = w.string("%s!");
        let text = w.string("hello world");
        let answer = w.call(SNPRINTF, [BUFFER, 5, format, text], &[]);
        assert_eq!(answer, Answer::Value(12));
        assert_eq!(w.buffer(6), b"hell\0\xAA");
        // Size 1: only the NUL. Size 0: nothing, and the buffer may be NULL.
        assert_eq!(
            w.call(SNPRINTF, [BUFFER + 8, 1, format, text], &[]),
            Answer::Value(12)
        );
        assert_eq!(&w.buffer(10)[8..], b"\0\xAA");
        assert_eq!(
            w.call(SNPRINTF, [0, 0, format, text], &[]),
            Answer::Value(12)
        );
        // Large enough: all of it.
        assert_eq!(
            w.call(SNPRINTF, [BUFFER, 13, format, text], &[]),
            Answer::Value(12)
        );
        assert_eq!(w.buffer(14), b"hello world!\0\xAA");
    }

    #[test]
    fn the_va_list_forms_take_their_arguments_from_the_list() {
        let mut w = world();
        let format = w.string("%d %lld %s");
        let text = w.string("z");
        // An int, then the long long at the next 8-byte boundary, then a pointer.
        for (n, word) in [7, 0xDEAD, 9, 0, text].into_iter().enumerate() {
            w.mem.write_u32(LIST + 4 * n as u32, word).unwrap();
        }
        assert_eq!(w.call(VPRINTF, [format, LIST, 0, 0], &[]), Answer::Value(5));
        assert_eq!(
            w.call(VFPRINTF, [STDERR, format, LIST, 0], &[]),
            Answer::Value(5)
        );
        assert_eq!(
            w.call(VSPRINTF, [BUFFER, format, LIST, 0], &[]),
            Answer::Value(5)
        );
        assert_eq!(w.buffer(6), b"7 9 z\0");
        assert_eq!(
            w.call(VSNPRINTF, [BUFFER, 3, format, LIST], &[]),
            Answer::Value(5)
        );
        assert_eq!(w.buffer(6), b"7 \0 z\0");
        assert_eq!(
            (w.out.text(), w.err.text()),
            ("7 9 z".into(), "7 9 z".into())
        );
        let answer = w.call(VFPRINTF, [STDIN, format, LIST, 0], &[]);
        assert_eq!((answer, w.errno()), (Answer::Value(u32::MAX), 9));
    }

    #[test]
    fn output_past_int_max_returns_minus_one_with_eoverflow() {
        let mut w = world();
        let format = w.string("ab%2147483647d");
        let answer = w.call(SNPRINTF, [BUFFER, 4, format, 1], &[]);
        assert_eq!(answer, Answer::Value(u32::MAX));
        assert_eq!(w.errno(), format::EOVERFLOW);
        assert_eq!(w.buffer(4), b"ab\0\xAA");
    }

    #[test]
    fn bad_pointers_and_positional_arguments_end_the_call() {
        let mut w = world();
        assert_eq!(
            w.call(PRINTF, [0x2000_0000, 0, 0, 0], &[]),
            Answer::BadPointer
        );
        let format = w.string("%s");
        assert_eq!(w.call(PRINTF, [format, 4, 0, 0], &[]), Answer::BadPointer);
        // A buffer that runs past the end of memory.
        let wide = w.string("%100000d");
        assert_eq!(
            w.call(SPRINTF, [BUFFER, wide, 1, 0], &[]),
            Answer::BadPointer
        );
        let positional = w.string("%1$d");
        assert_eq!(
            w.call(PRINTF, [positional, 1, 0, 0], &[]),
            Answer::Unsupported
        );
        assert_eq!(w.out.text(), "");
    }

    /// The whole path, from a program's `swi` to its output: a double on the caller's stack
    /// after three words in registers.
    #[test]
    fn a_program_prints_through_printf() {
        #[rustfmt::skip]
        let code: [u32; 16] = [
            0xE92D_4010, // push {r4, lr}
            0xE24D_D008, // sub sp, sp, #8
            0xE59F_202C, // ldr r2, [pc, #44]: 1.5's high word
            0xE3A0_3000, // mov r3, #0
            0xE58D_3000, // str r3, [sp]
            0xE58D_2004, // str r2, [sp, #4]
            0xE28F_0010, // add r0, pc, #16: the format
            0xE3A0_1001, // mov r1, #1
            0xE3A0_2002, // mov r2, #2
            0xEF00_000A, // swi #10: printf("%d %d %.1f\n", 1, 2, 1.5)
            0xE28D_D008, // add sp, sp, #8
            0xE8BD_8010, // pop {r4, pc}: its count is the exit status
            u32::from_le_bytes(*b"%d %"),
            u32::from_le_bytes(*b"d %."),
            u32::from_le_bytes(*b"1f\n\0"),
            0x3FF8_0000,
        ];
        let image: Vec<u8> = code.iter().flat_map(|w| w.to_le_bytes()).collect();
        let size = 32 + image.len() as u32;
        let mut file: Vec<u8> = [0x6E68_655A, 1, size, 0, 0, 0, size, 0]
            .iter()
            .flat_map(|w: &u32| w.to_le_bytes())
            .collect();
        file.extend(image);
        let program = super::super::program::parse(&file).unwrap();
        let mut machine = crate::machine::Machine::nspire_cx(0);
        let out = SharedBuffer::default();
        let service = Ndless::new(Box::new(out.clone()), Box::new(SharedBuffer::default()));
        machine
            .boot_ndless(&program, &["/documents/p.tns".to_string()], service)
            .unwrap();
        let exit = machine.run(Some(1_000_000));
        assert_eq!(exit, crate::machine::Exit::Guest(8));
        assert_eq!(out.text(), "1 2 1.5\n");
    }
}
