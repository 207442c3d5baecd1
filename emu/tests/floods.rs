//! Floods the emulator must survive with bounded memory: a guest writing to the UART for ever
//! with nobody reading (stdout a pipe never read, stdout /dev/null, `emu test`'s captured
//! output), and a GDB client sending garbage, endless packets, bad checksums and binary noise
//! and hanging up mid-packet, after which a well-behaved client still gets right answers.
//!
//! The guest is five ARM instructions, a raw boot ROM (assembled with arm-none-eabi-as
//! -mcpu=arm926ej-s and read back with objdump):
//!
//! ```text
//! 0x00  e3a00209  mov  r0, #0x90000000
//! 0x04  e3800802  orr  r0, r0, #0x20000     ; the UART, 0x90020000
//! 0x08  e3a01078  mov  r1, #'x'
//! 0x0c  e5c01000  strb r1, [r0]             ; UARTDR
//! 0x10  eafffffd  b    0x0c
//! ```

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const FLOOD_ROM: [u32; 5] = [0xe3a00209, 0xe3800802, 0xe3a01078, 0xe5c01000, 0xeafffffd];

/// The resident memory a flooded emulator may reach. An idle run of the CX takes about 20 MB
/// (its 64 MiB of SDRAM is mostly never touched); a buffer growing with the flood would pass
/// this within seconds.
const RSS_LIMIT_KB: u64 = 96 * 1024;

/// An empty folder of this test's own holding the flood ROM.
fn flood_rom(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("floods-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let rom = dir.join("flood.bin");
    let bytes: Vec<u8> = FLOOD_ROM.iter().flat_map(|w| w.to_le_bytes()).collect();
    std::fs::write(&rom, bytes).unwrap();
    rom
}

/// A running `emu`, killed when the test lets go of it, passing or failing.
struct Emu(Child);

impl Drop for Emu {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn rss_kb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Samples the child's resident memory until it exits or `time` passes; the largest sample.
fn largest_rss_while_running(Emu(child): &mut Emu, time: Duration) -> u64 {
    let start = Instant::now();
    let mut largest = 0;
    while start.elapsed() < time && child.try_wait().unwrap().is_none() {
        largest = largest.max(rss_kb(child.id()).unwrap_or(0));
        std::thread::sleep(Duration::from_millis(50));
    }
    largest
}

#[test]
fn a_uart_flood_into_a_pipe_nobody_reads_holds_the_machine_not_the_memory() {
    let rom = flood_rom("pipe");
    let mut child = Emu(Command::new(env!("CARGO_BIN_EXE_emu"))
        .args(["run", "--headless", "--max-insns", "400000000"])
        .arg(&rom)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("emu starts"));
    // The pipe (64 KiB on Linux) fills at once; the guest then waits on it, as a serial line
    // with flow control waits, for as long as nobody reads.
    let largest = largest_rss_while_running(&mut child, Duration::from_secs(3));
    let still_running = child.0.try_wait().unwrap().is_none();
    assert!(still_running, "the run ended with its output unread");
    assert!(largest > 0, "no /proc/PID/status sample");
    assert!(largest < RSS_LIMIT_KB, "VmRSS reached {largest} kB");
}

#[test]
fn a_uart_flood_into_dev_null_runs_in_bounded_memory() {
    let rom = flood_rom("null");
    let mut child = Emu(Command::new(env!("CARGO_BIN_EXE_emu"))
        .args(["run", "--headless", "--max-insns", "40000000"])
        .arg(&rom)
        .stdin(Stdio::null())
        .stdout(Stdio::from(std::fs::File::create("/dev/null").unwrap()))
        .stderr(Stdio::null())
        .spawn()
        .expect("emu starts"));
    let largest = largest_rss_while_running(&mut child, Duration::from_secs(120));
    let status = child.0.wait().unwrap();
    assert_eq!(status.code(), Some(124), "the instruction limit ends it");
    assert!(largest > 0, "no /proc/PID/status sample");
    assert!(largest < RSS_LIMIT_KB, "VmRSS reached {largest} kB");
}

#[test]
fn emu_test_keeps_the_start_of_a_flood_and_counts_the_rest() {
    let rom = flood_rom("captured");
    let dir = rom.parent().unwrap();
    let json = dir.join("report.json");
    let out = Command::new(env!("CARGO_BIN_EXE_emu"))
        .args([
            "test",
            "--max-insns",
            "20000000",
            "--timeout",
            "120",
            "--json",
        ])
        .arg(&json)
        .arg(dir)
        .output()
        .expect("emu starts");
    assert_eq!(out.status.code(), Some(1), "the ROM fails at its limit");
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let output = report[0]["output"].as_str().unwrap();
    // Three instructions set up, then a byte every two: 20,000,000 instructions write
    // 9,999,998 or 9,999,999 bytes, of which the first 4 MiB are kept.
    let kept = 4 << 20;
    assert!(
        output.len() < kept + 200,
        "{} bytes of output",
        output.len()
    );
    assert!(output.starts_with(&"x".repeat(kept)));
    let tail = &output[kept..];
    let dropped = |n: usize| {
        format!("\n[emu: {n} more bytes of output dropped: only the first {kept} are kept]\n")
    };
    assert!(
        tail == dropped(9_999_998 - kept) || tail == dropped(9_999_999 - kept),
        "{tail:?}"
    );
}

/// `emu run --headless --gdb 0` on the flood ROM (its output thrown away), and where it listens.
fn gdb_target() -> (Emu, SocketAddr) {
    let rom = flood_rom("gdb");
    let mut child = Emu(Command::new(env!("CARGO_BIN_EXE_emu"))
        .args(["run", "--headless", "--gdb", "0"])
        .arg(&rom)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("emu starts"));
    let mut line = String::new();
    BufReader::new(child.0.stderr.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line
        .trim()
        .strip_prefix("emu: waiting for gdb on ")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .parse()
        .unwrap();
    (child, addr)
}

fn connect(addr: SocketAddr) -> TcpStream {
    let stream = TcpStream::connect(addr).expect("the stub accepts");
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    stream
}

fn packet(body: &str) -> Vec<u8> {
    let sum = body.bytes().fold(0u8, |a, b| a.wrapping_add(b));
    format!("${body}#{sum:02x}").into_bytes()
}

/// Reads the next packet's body, skipping acknowledgements.
fn reply(stream: &mut TcpStream) -> String {
    let mut byte = [0u8];
    loop {
        stream.read_exact(&mut byte).expect("a reply");
        if byte[0] == b'$' {
            break;
        }
    }
    let mut body = Vec::new();
    loop {
        stream.read_exact(&mut byte).unwrap();
        if byte[0] == b'#' {
            break;
        }
        body.push(byte[0]);
    }
    let mut sum = [0u8; 2];
    stream.read_exact(&mut sum).unwrap();
    String::from_utf8(body).unwrap()
}

fn ask(stream: &mut TcpStream, body: &str) -> String {
    stream.write_all(&packet(body)).unwrap();
    reply(stream)
}

/// Noise from a fixed linear congruential generator: the same bytes every run.
fn noise(len: usize, seed: u32) -> Vec<u8> {
    let mut state = seed;
    (0..len)
        .map(|_| {
            state = state.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            (state >> 16) as u8
        })
        .collect()
}

/// Writes what it can of `bytes` (the stub may hang up or stop reading first).
fn spray(stream: &mut TcpStream, bytes: &[u8]) {
    for chunk in bytes.chunks(64 * 1024) {
        if stream.write_all(chunk).is_err() {
            return;
        }
    }
}

#[test]
fn the_gdb_stub_survives_hostile_clients_and_answers_the_next_one() {
    let (mut child, addr) = gdb_target();

    // Text with no packet in it, then binary noise (holding '$', '#' and Ctrl-C bytes).
    let mut s = connect(addr);
    spray(&mut s, &b"hello, is anybody there? ".repeat(40_000));
    spray(&mut s, &noise(1 << 20, 1));
    drop(s);

    // A packet that never ends: 4 MB with no '#'.
    let mut s = connect(addr);
    spray(&mut s, b"$m");
    spray(&mut s, &vec![b'0'; 4 << 20]);
    drop(s);

    // Bad checksums, each refused with '-', then good packets a thousand at once.
    let mut s = connect(addr);
    for _ in 0..1000 {
        spray(&mut s, b"$g#00");
    }
    let mut nak = [0u8];
    s.read_exact(&mut nak).unwrap();
    assert_eq!(nak[0], b'-');
    drop(s);
    let mut s = connect(addr);
    let many: Vec<u8> = (0..1000).flat_map(|_| packet("?")).collect();
    spray(&mut s, &many);
    for _ in 0..1000 {
        assert_eq!(reply(&mut s), "S05");
    }
    // Malformed commands: each an error reply, none the end of the stub.
    for body in [
        "G".to_string() + &"0".repeat(138),
        "G".to_string() + &"0".repeat(200),
        "G1".to_string(),
        "mffffffff,ffffffff".to_string(),
        "M0,ffffffff:00".to_string(),
        "p99999999999".to_string(),
        "Z0,zz,4".to_string(),
        "qXfer:features:read:target.xml:ffffffff,ffffffff".to_string(),
    ] {
        let answer = ask(&mut s, &body);
        assert!(
            answer.starts_with('E') || answer.is_empty() || answer.starts_with('l'),
            "{body}: {answer:?}"
        );
    }
    // A hang-up in the middle of a packet.
    spray(&mut s, b"$m0,4#");
    drop(s);
    let mut s = connect(addr);
    spray(&mut s, &noise(100_000, 2));
    spray(&mut s, b"$qSupported:multiprocess+;swbreak+");
    drop(s);

    // A well-behaved client. The machine may or may not have run between the clients (it runs
    // only while none is attached); five single steps run at least the ROM's set-up, so the
    // registers are then as its code sets them, the pc in its loop.
    let mut s = connect(addr);
    assert_eq!(ask(&mut s, "?"), "S05");
    for _ in 0..5 {
        let stop = ask(&mut s, "s");
        assert!(stop.starts_with("S05") || stop.starts_with("T05"), "{stop}");
    }
    let regs = ask(&mut s, "g");
    assert_eq!(regs.len(), 17 * 8, "{regs}");
    let reg = |n: usize| {
        let bytes: Vec<u8> = (0..4)
            .map(|i| u8::from_str_radix(&regs[n * 8 + i * 2..n * 8 + i * 2 + 2], 16).unwrap())
            .collect();
        u32::from_le_bytes(bytes.try_into().unwrap())
    };
    assert_eq!(reg(0), 0x9002_0000);
    assert_eq!(reg(1), u32::from(b'x'));
    assert!(matches!(reg(15), 0x0c | 0x10), "pc {:#x}", reg(15));
    // SVC mode, IRQ and FIQ masked, ARM state: the state reset leaves (ARM ARM, "Exceptions",
    // "Reset"), which the ROM does not change.
    assert_eq!(reg(16) & 0xFF, 0xD3, "cpsr {:#x}", reg(16));
    let rss = rss_kb(child.0.id()).expect("a /proc/PID/status sample");
    assert!(rss < RSS_LIMIT_KB, "VmRSS reached {rss} kB");
    // `k` ends the run, with status 0.
    s.write_all(&packet("k")).unwrap();
    let status = child.0.wait().unwrap();
    assert_eq!(status.code(), Some(0), "{status}");
}
