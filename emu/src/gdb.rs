//! A GDB remote serial protocol stub (GDB manual, appendix E "GDB Remote Serial Protocol"), so
//! `gdb-multiarch` or `arm-none-eabi-gdb` can debug the guest: registers, memory through the
//! current MMU mapping, breakpoints, watchpoints, stepping, Ctrl-C, and gdb's `monitor CMD`
//! running the built-in monitor's inspection commands, and reverse execution (`bs`, `bc`: gdb's
//! reverse-stepi, reverse-step, reverse-continue) on a history of the session's runs
//! ([`crate::reverse`]).
//!
//! One client at a time. While no client is attached the machine runs freely and the stub keeps
//! listening; a client that attaches stops it. Malformed packets get an error reply and the
//! session goes on; a client that disappears leaves the machine running.
//!
//! A front end that must stay live meanwhile (the window) gives a [`Pump`]: the stub then waits
//! for a client or a packet a host frame at a time, pumping it between, and pumps it between
//! the slices it runs; the pump can end the run, which closes the client's connection, and
//! can stop the machine for the client as gdb's Ctrl-C does (Ctrl-C on emu's terminal).

use std::io::{ErrorKind, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::Duration;

use crate::cpu::{Breakpoint, Exception, WatchHit, WatchKind, Watchpoint};
use crate::machine::{DebugStop, Exit, Machine};
use crate::monitor::Monitor;
use crate::reverse::{Found, History, BUDGET, INTERVAL};

/// Instructions run between looks at the socket while the target runs.
const SLICE: u64 = 1_000_000;
/// The largest packet accepted (and advertised as PacketSize).
const MAX_PACKET: usize = 0x4000;
/// GDB's register number of the CPSR in the ARM core feature (r0-r15 are 0-15).
const CPSR_REGNUM: usize = 25;

/// The target description: the ARM core feature, r0-r15 and the CPSR.
const TARGET_XML: &str = r#"<?xml version="1.0"?>
<!DOCTYPE target SYSTEM "gdb-target.dtd">
<target version="1.0">
  <architecture>arm</architecture>
  <feature name="org.gnu.gdb.arm.core">
    <reg name="r0" bitsize="32" type="uint32"/>
    <reg name="r1" bitsize="32" type="uint32"/>
    <reg name="r2" bitsize="32" type="uint32"/>
    <reg name="r3" bitsize="32" type="uint32"/>
    <reg name="r4" bitsize="32" type="uint32"/>
    <reg name="r5" bitsize="32" type="uint32"/>
    <reg name="r6" bitsize="32" type="uint32"/>
    <reg name="r7" bitsize="32" type="uint32"/>
    <reg name="r8" bitsize="32" type="uint32"/>
    <reg name="r9" bitsize="32" type="uint32"/>
    <reg name="r10" bitsize="32" type="uint32"/>
    <reg name="r11" bitsize="32" type="uint32"/>
    <reg name="r12" bitsize="32" type="uint32"/>
    <reg name="sp" bitsize="32" type="data_ptr"/>
    <reg name="lr" bitsize="32"/>
    <reg name="pc" bitsize="32" type="code_ptr"/>
    <reg name="cpsr" bitsize="32" regnum="25"/>
  </feature>
</target>
"#;

/// How long the stub waits for a client's bytes between two pumps of the front end.
const PUMP_PERIOD: Duration = Duration::from_micros(16_667);

/// One slice of the machine running on (a client's continue, or no client yet): `SLICE`
/// instructions, and no more than a pump's period of the machine's time. A guest that idles
/// (gems waiting for its 100 Hz tick) ran a million instructions in 30 to 50 s of its time, and
/// a window pacing the machine waited that long before the next slice gave the guest
/// the mouse or keys it read meanwhile. Its time over reads as the instructions' end.
fn run_on(machine: &mut Machine) -> DebugStop {
    let limit = machine.cpu.instructions() + SLICE;
    let cycles = machine.config.cpu_hz * PUMP_PERIOD.as_micros() as u64 / 1_000_000;
    machine
        .run_debug_for(Some(limit), cycles)
        .unwrap_or(DebugStop::Exit(Exit::InstructionLimit))
}

/// A front end the stub keeps live while it waits and runs (see the module's text).
pub trait Pump {
    /// Called about 60 times a second while the machine waits (stopped for the client, or for
    /// a client to attach), and between the slices it runs (`running`). False ends the run.
    fn pump(&mut self, machine: &mut Machine, running: bool) -> bool;

    /// Whether the person asked, since the last look, to stop the machine as gdb's own Ctrl-C
    /// does (Ctrl-C on emu's terminal). The stub then stops the machine a client runs and
    /// reports SIGINT to it; with the machine stopped already, or no client attached, it says
    /// so in a line and goes on.
    fn interrupted(&mut self) -> bool;
}

/// How a session ended.
enum SessionEnd {
    /// The client detached or went away: the machine runs on.
    Detached,
    /// The client killed the target, or the guest exited.
    Finished(Exit),
    /// The front end ended the run.
    Quit,
}

/// A listening stub.
pub struct GdbServer {
    listener: TcpListener,
}

impl GdbServer {
    /// Listens on `addr` (`HOST:PORT`; port 0 picks a free one).
    pub fn bind(addr: &str) -> std::io::Result<GdbServer> {
        Ok(GdbServer {
            listener: TcpListener::bind(addr)?,
        })
    }

    pub fn local_addr(&self) -> std::io::Result<std::net::SocketAddr> {
        self.listener.local_addr()
    }

    /// Debugs `machine` until it exits or a client kills it. The machine is stopped until the
    /// first client attaches and resumes it; between clients it runs freely.
    pub fn serve(&mut self, machine: &mut Machine) -> Exit {
        // Without a pump nothing else ends the run.
        self.serve_pumping(machine, None).unwrap_or(Exit::Guest(0))
    }

    /// [`GdbServer::serve`], keeping `pump` live; `None` when the pump ended the run.
    pub fn serve_pumping(
        &mut self,
        machine: &mut Machine,
        mut pump: Option<&mut (dyn Pump + 'static)>,
    ) -> Option<Exit> {
        let mut attached_once = false;
        loop {
            let stream = match self.wait_for_client(machine, attached_once, pump.as_deref_mut()) {
                Ok(Some(stream)) => stream,
                Ok(None) => continue,
                Err(end) => return end,
            };
            attached_once = true;
            log::info!("gdb: client attached");
            let _ = stream.set_nodelay(true);
            let mut session = Session::new(stream, machine);
            session.pump = pump.as_deref_mut();
            match session.run() {
                SessionEnd::Detached => log::info!("gdb: client detached; running on"),
                SessionEnd::Finished(exit) => return Some(exit),
                SessionEnd::Quit => return None,
            }
        }
    }

    /// Waits for a client: the machine stopped before the first, running between clients
    /// (`running`). `Ok(None)` after a failed accept; `Err` when the machine exits
    /// (`Some`) or the pump ends the run (`None`).
    fn wait_for_client(
        &mut self,
        machine: &mut Machine,
        running: bool,
        pump: Option<&mut (dyn Pump + 'static)>,
    ) -> Result<Option<TcpStream>, Option<Exit>> {
        if !running && pump.is_none() {
            return match self.listener.accept() {
                Ok((stream, _)) => Ok(Some(stream)),
                Err(e) => {
                    log::warn!("gdb: accept failed: {e}");
                    Ok(None)
                }
            };
        }
        self.run_until_connection(machine, running, pump).map(Some)
    }

    /// Waits for a client without blocking: running the machine a slice at a time
    /// (`running`) or a host frame at a time, pumping between.
    fn run_until_connection(
        &mut self,
        machine: &mut Machine,
        running: bool,
        mut pump: Option<&mut (dyn Pump + 'static)>,
    ) -> Result<TcpStream, Option<Exit>> {
        let _ = self.listener.set_nonblocking(true);
        let result = loop {
            match self.listener.accept() {
                Ok((stream, _)) => break Ok(stream),
                Err(e) if e.kind() == ErrorKind::WouldBlock => {}
                Err(e) => log::warn!("gdb: accept failed: {e}"),
            }
            if let Some(pump) = pump.as_deref_mut() {
                if !pump.pump(machine, running) {
                    break Err(None);
                }
                if pump.interrupted() {
                    let at = self.listener.local_addr().map(|a| a.to_string());
                    eprintln!(
                        "emu: Ctrl-C: no gdb client is attached (gdb's target remote {} \
                         attaches one); F12 or closing the window ends the run",
                        at.unwrap_or_default()
                    );
                }
            }
            if !running {
                std::thread::sleep(PUMP_PERIOD);
                continue;
            }
            match run_on(machine) {
                DebugStop::Exit(Exit::InstructionLimit) => {}
                DebugStop::Exit(exit) => break Err(Some(exit)),
                // No client: nothing to stop for.
                DebugStop::Breakpoint(_)
                | DebugStop::Watchpoint(_)
                | DebugStop::Exception(_)
                | DebugStop::Unclaimed(_) => {}
            }
        };
        let _ = self.listener.set_nonblocking(false);
        if let Ok(stream) = &result {
            let _ = stream.set_nonblocking(false);
        }
        result
    }
}

/// The byte stream a session talks over: a client's TCP connection, or bytes in memory
/// ([`replay`]).
trait Link: Read + Write {
    fn set_nonblocking(&self, on: bool);
    /// How long a blocking read waits before it gives up (`None`: for ever).
    fn set_read_timeout(&self, timeout: Option<Duration>);
}

impl Link for TcpStream {
    fn set_nonblocking(&self, on: bool) {
        let _ = TcpStream::set_nonblocking(self, on);
    }

    fn set_read_timeout(&self, timeout: Option<Duration>) {
        let _ = TcpStream::set_read_timeout(self, timeout);
    }
}

/// A client that has sent `input` and then gone away, and what the stub answered it.
struct Recorded<'i> {
    input: &'i [u8],
    output: Vec<u8>,
}

impl Read for Recorded<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.input.read(buf)
    }
}

impl Write for Recorded<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.output.write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Link for Recorded<'_> {
    fn set_nonblocking(&self, _: bool) {}
    fn set_read_timeout(&self, _: Option<Duration>) {}
}

impl<L: Link> Link for &mut L {
    fn set_nonblocking(&self, on: bool) {
        (**self).set_nonblocking(on);
    }

    fn set_read_timeout(&self, timeout: Option<Duration>) {
        (**self).set_read_timeout(timeout);
    }
}

/// Runs one session with a client that sends `input` and then disconnects, and returns the
/// stub's replies: the packet parser and every command, without a socket (the fuzz harness and
/// tests drive the stub through this).
pub fn replay(machine: &mut Machine, input: &[u8]) -> Vec<u8> {
    let mut link = Recorded {
        input,
        output: Vec::new(),
    };
    Session::new(&mut link, machine).run();
    link.output
}

/// A connected client.
struct Session<'a, L: Link> {
    stream: L,
    machine: &'a mut Machine,
    /// Bytes received and not yet parsed.
    input: Vec<u8>,
    /// The last stop reply, for `?`.
    last_stop: String,
    /// Whether acknowledgements are on (QStartNoAckMode turns them off).
    acks: bool,
    /// The built-in monitor, for gdb's `monitor CMD`.
    monitor: Monitor<'static>,
    /// The runs' past, for `bs` and `bc`.
    history: Option<History>,
    /// The front end kept live while the stub waits and runs.
    pump: Option<&'a mut (dyn Pump + 'static)>,
    /// Whether the pump ended the run (the session then ends as if the client had gone).
    quit: bool,
}

/// What the next bytes from the client are.
enum Incoming {
    Packet(Vec<u8>),
    Interrupt,
}

/// Hex helpers.
fn hex_u32(text: &[u8]) -> Option<u32> {
    let text = std::str::from_utf8(text).ok()?;
    u32::from_str_radix(text, 16).ok()
}

fn hex_bytes(text: &[u8]) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    text.chunks(2)
        .map(|pair| hex_u32(pair).map(|v| v as u8))
        .collect()
}

fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A register value as GDB wants it: little-endian bytes in hex.
fn reg_hex(value: u32) -> String {
    to_hex(&value.to_le_bytes())
}

/// Parses `ADDR,LEN` (hex).
fn addr_len(args: &[u8]) -> Option<(u32, u32)> {
    let comma = args.iter().position(|&b| b == b',')?;
    Some((hex_u32(&args[..comma])?, hex_u32(&args[comma + 1..])?))
}

impl<'a, L: Link> Session<'a, L> {
    fn new(stream: L, machine: &'a mut Machine) -> Session<'a, L> {
        Session {
            stream,
            machine,
            input: Vec::new(),
            last_stop: "S05".to_string(),
            acks: true,
            monitor: Monitor::new(),
            history: None,
            pump: None,
            quit: false,
        }
    }

    /// How the session ends when the client cannot be talked to: gone, or cut off because
    /// the pump ended the run.
    fn gone(&self) -> SessionEnd {
        match self.quit {
            true => SessionEnd::Quit,
            false => SessionEnd::Detached,
        }
    }

    /// Whether the front end asks to stop the machine ([`Pump::interrupted`]).
    fn interrupted(&mut self) -> bool {
        self.pump
            .as_deref_mut()
            .is_some_and(|pump| pump.interrupted())
    }

    /// Pumps the front end, if there is one; `Err` when it ends the run.
    fn pump(&mut self, running: bool) -> Result<(), ()> {
        let Some(pump) = self.pump.as_deref_mut() else {
            return Ok(());
        };
        if pump.pump(self.machine, running) {
            return Ok(());
        }
        self.quit = true;
        Err(())
    }

    fn run(mut self) -> SessionEnd {
        loop {
            let incoming = match self.receive(true) {
                Ok(Some(incoming)) => incoming,
                Ok(None) => continue,
                Err(()) => return self.gone(),
            };
            let packet = match incoming {
                Incoming::Packet(packet) => packet,
                // Ctrl-C while stopped: already stopped.
                Incoming::Interrupt => {
                    let stop = self.last_stop.clone();
                    if self.send(&stop).is_err() {
                        return self.gone();
                    }
                    continue;
                }
            };
            match self.handle(&packet) {
                Ok(Some(end)) => return end,
                Ok(None) => {}
                Err(()) => return self.gone(),
            }
        }
    }

    /// Reads until a whole packet or an interrupt is there. `blocking` false: returns
    /// `Ok(None)` at once if nothing is. `Err` when the client is gone (or the pump ended the
    /// run). Blocking with a pump, it waits a host frame at a time, pumping between.
    fn receive(&mut self, blocking: bool) -> Result<Option<Incoming>, ()> {
        loop {
            if let Some(incoming) = self.parse() {
                return Ok(Some(incoming));
            }
            let pumping = blocking && self.pump.is_some();
            self.stream.set_nonblocking(!blocking);
            self.stream.set_read_timeout(pumping.then_some(PUMP_PERIOD));
            let mut buf = [0u8; 4096];
            match self.stream.read(&mut buf) {
                Ok(0) => return Err(()),
                Ok(n) => self.input.extend_from_slice(&buf[..n]),
                // The wait for a host frame is over (EAGAIN, or EWOULDBLOCK as TimedOut).
                Err(e)
                    if pumping
                        && matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) =>
                {
                    self.pump(false)?;
                    if self.interrupted() {
                        eprintln!(
                            "emu: Ctrl-C: gdb has the machine stopped already; F12 or closing \
                             the window ends the run"
                        );
                    }
                }
                Err(e) if e.kind() == ErrorKind::WouldBlock => return Ok(None),
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(_) => return Err(()),
            }
            if self.input.len() > 4 * MAX_PACKET {
                // A client that never ends its packet: drop what it sent.
                self.input.clear();
            }
        }
    }

    /// Takes one packet or interrupt from the input, acknowledging packets.
    fn parse(&mut self) -> Option<Incoming> {
        loop {
            let start = self.input.iter().position(|&b| b == b'$' || b == 0x03)?;
            if self.input[start] == 0x03 {
                self.input.drain(..=start);
                return Some(Incoming::Interrupt);
            }
            let hash = start + self.input[start..].iter().position(|&b| b == b'#')?;
            if self.input.len() < hash + 3 {
                return None;
            }
            let body = self.input[start + 1..hash].to_vec();
            let checksum = hex_u32(&self.input[hash + 1..hash + 3]);
            self.input.drain(..hash + 3);
            let sum = body.iter().fold(0u8, |a, &b| a.wrapping_add(b));
            if checksum == Some(sum as u32) {
                if self.acks {
                    let _ = self.stream.write_all(b"+");
                }
                return Some(Incoming::Packet(body));
            }
            if self.acks {
                let _ = self.stream.write_all(b"-");
            }
        }
    }

    /// Sends a packet (escaping what the protocol needs escaped).
    fn send(&mut self, data: &str) -> Result<(), ()> {
        let mut body = Vec::with_capacity(data.len() + 4);
        for &b in data.as_bytes() {
            if matches!(b, b'$' | b'#' | b'}' | b'*') {
                body.extend_from_slice(&[b'}', b ^ 0x20]);
            } else {
                body.push(b);
            }
        }
        let sum = body.iter().fold(0u8, |a, &b| a.wrapping_add(b));
        let mut packet = Vec::with_capacity(body.len() + 4);
        packet.push(b'$');
        packet.extend_from_slice(&body);
        packet.extend_from_slice(format!("#{sum:02x}").as_bytes());
        self.stream.set_nonblocking(false);
        self.stream.write_all(&packet).map_err(|_| ())
    }

    /// Handles one packet: `Ok(Some(end))` ends the session.
    fn handle(&mut self, packet: &[u8]) -> Result<Option<SessionEnd>, ()> {
        let (&command, args) = match packet.split_first() {
            Some(split) => split,
            None => return self.send("").map(|_| None),
        };
        let reply = match command {
            b'?' => self.last_stop.clone(),
            b'g' => self.read_registers(),
            b'G' => self.changing(|s| s.write_registers(args)),
            b'p' => self.read_register(args),
            b'P' => self.changing(|s| s.write_register(args)),
            b'm' => self.read_memory(args),
            b'M' => self.changing(|s| s.write_memory_hex(args)),
            b'X' => self.changing(|s| s.write_memory_binary(args)),
            b'b' => return self.reverse(args),
            b'c' => return self.resume(args, false),
            b's' => return self.resume(args, true),
            b'v' => return self.handle_v(args),
            b'Z' | b'z' => self.breakpoint(command == b'Z', args),
            b'q' => match args.strip_prefix(b"Rcmd,") {
                Some(command) => return self.monitor_command(command).map(|_| None),
                None => self.query(args),
            },
            b'Q' if args == b"StartNoAckMode" => {
                self.send("OK")?;
                self.acks = false;
                return Ok(None);
            }
            b'H' | b'T' => "OK".to_string(),
            b'D' => {
                self.send("OK")?;
                self.clear_debug_state();
                return Ok(Some(SessionEnd::Detached));
            }
            b'k' => {
                self.clear_debug_state();
                return Ok(Some(SessionEnd::Finished(Exit::Guest(0))));
            }
            // Unsupported packets get the empty reply.
            _ => String::new(),
        };
        self.send(&reply).map(|_| None)
    }

    fn handle_v(&mut self, args: &[u8]) -> Result<Option<SessionEnd>, ()> {
        if args == b"Cont?" {
            self.send("vCont;c;C;s;S")?;
            return Ok(None);
        }
        if let Some(actions) = args.strip_prefix(b"Cont;") {
            // One thread: the first action decides.
            return match actions.first() {
                Some(b'c' | b'C') => self.resume(b"", false),
                Some(b's' | b'S') => self.resume(b"", true),
                _ => self.send("E01").map(|_| None),
            };
        }
        if args.starts_with(b"Kill") {
            self.send("OK")?;
            self.clear_debug_state();
            return Ok(Some(SessionEnd::Finished(Exit::Guest(0))));
        }
        self.send("").map(|_| None)
    }

    fn query(&mut self, args: &[u8]) -> String {
        if args.starts_with(b"Supported") {
            // qRcmd (`monitor`) has no feature to announce: gdb sends it regardless.
            format!("PacketSize={MAX_PACKET:x};qXfer:features:read+;swbreak+;hwbreak+;QStartNoAckMode+;vContSupported+;ReverseStep+;ReverseContinue+")
        } else if args == b"Attached" {
            "1".to_string()
        } else if args == b"C" {
            "QC1".to_string()
        } else if args == b"fThreadInfo" {
            "m1".to_string()
        } else if args == b"sThreadInfo" {
            "l".to_string()
        } else if let Some(rest) = args.strip_prefix(b"Xfer:features:read:target.xml:") {
            match addr_len(rest) {
                Some((offset, len)) => {
                    let xml = TARGET_XML.as_bytes();
                    let start = (offset as usize).min(xml.len());
                    let end = start.saturating_add(len as usize).min(xml.len());
                    let marker = if end == xml.len() { 'l' } else { 'm' };
                    format!("{marker}{}", String::from_utf8_lossy(&xml[start..end]))
                }
                None => "E01".to_string(),
            }
        } else {
            String::new()
        }
    }

    /// qRcmd,HEX: gdb's `monitor CMD` (GDB manual, "General Query Packets"; the packet's name
    /// ends with a comma, not a colon). The reply is any number of `O` console-output packets
    /// (hex, each within PacketSize) and then `OK`. The manual asks for "invalid commands" to be
    /// "reported using the output string", and gdb answers an `E NN` reply only with "Protocol
    /// error with Rcmd: NN", so a refused or failing command is output as `error: ...` and ends
    /// with `OK` too; `E01` is kept for a packet that is not hex. (gdb prints `O` output to its
    /// target stream, which is its stderr.)
    fn monitor_command(&mut self, hex: &[u8]) -> Result<(), ()> {
        let Some(line) = hex_bytes(hex).and_then(|bytes| String::from_utf8(bytes).ok()) else {
            return self.send("E01");
        };
        let output = match self.monitor.execute_for_gdb(self.machine, &line) {
            Ok(output) => output,
            Err(message) => format!("error: {message}\n"),
        };
        // An `O` packet is 'O' and two hex digits a byte.
        for chunk in output.as_bytes().chunks((MAX_PACKET - 1) / 2) {
            self.send(&format!("O{}", to_hex(chunk)))?;
        }
        self.send("OK")
    }

    fn read_registers(&self) -> String {
        let cpu = &self.machine.cpu;
        let mut reply: String = (0..16).map(|n| reg_hex(cpu.reg(n))).collect();
        reply.push_str(&reg_hex(cpu.cpsr()));
        reply
    }

    fn write_registers(&mut self, args: &[u8]) -> String {
        // r0-r15 and the CPSR, as the target description lays them out: anything else (a
        // longer or partial layout) would be read as the wrong registers.
        let Some(bytes) = hex_bytes(args).filter(|b| b.len() == 17 * 4) else {
            return "E01".to_string();
        };
        let words: Vec<u32> = bytes
            .chunks(4)
            .map(|w| u32::from_le_bytes([w[0], w[1], w[2], w[3]]))
            .collect();
        self.machine.cpu.set_cpsr(words[16]);
        for (n, &value) in words.iter().take(16).enumerate() {
            self.machine.cpu.set_reg(n, value);
        }
        "OK".to_string()
    }

    fn read_register(&self, args: &[u8]) -> String {
        match hex_u32(args).map(|n| n as usize) {
            Some(n @ 0..=15) => reg_hex(self.machine.cpu.reg(n)),
            Some(CPSR_REGNUM) => reg_hex(self.machine.cpu.cpsr()),
            _ => "E01".to_string(),
        }
    }

    fn write_register(&mut self, args: &[u8]) -> String {
        let Some(eq) = args.iter().position(|&b| b == b'=') else {
            return "E01".to_string();
        };
        let number = hex_u32(&args[..eq]).map(|n| n as usize);
        let value = hex_bytes(&args[eq + 1..])
            .filter(|b| b.len() == 4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]));
        match (number, value) {
            (Some(n @ 0..=15), Some(value)) => self.machine.cpu.set_reg(n, value),
            (Some(CPSR_REGNUM), Some(value)) => self.machine.cpu.set_cpsr(value),
            _ => return "E01".to_string(),
        }
        "OK".to_string()
    }

    fn read_memory(&self, args: &[u8]) -> String {
        let Some((addr, len)) = addr_len(args) else {
            return "E01".to_string();
        };
        let mut buf = vec![0u8; (len as usize).min(MAX_PACKET / 2)];
        match self
            .machine
            .cpu
            .debug_read(&self.machine.board, addr, &mut buf)
        {
            Ok(()) => to_hex(&buf),
            Err(_) => "E14".to_string(),
        }
    }

    fn write_memory(&mut self, addr: u32, data: &[u8]) -> String {
        match self
            .machine
            .cpu
            .debug_write(&mut self.machine.board, addr, data)
        {
            Ok(()) => "OK".to_string(),
            Err(_) => "E14".to_string(),
        }
    }

    fn write_memory_hex(&mut self, args: &[u8]) -> String {
        let Some(colon) = args.iter().position(|&b| b == b':') else {
            return "E01".to_string();
        };
        match (addr_len(&args[..colon]), hex_bytes(&args[colon + 1..])) {
            (Some((addr, len)), Some(data)) if data.len() == len as usize => {
                self.write_memory(addr, &data)
            }
            _ => "E01".to_string(),
        }
    }

    fn write_memory_binary(&mut self, args: &[u8]) -> String {
        let Some(colon) = args.iter().position(|&b| b == b':') else {
            return "E01".to_string();
        };
        let mut data = Vec::new();
        let mut escaped = false;
        for &b in &args[colon + 1..] {
            if escaped {
                data.push(b ^ 0x20);
                escaped = false;
            } else if b == b'}' {
                escaped = true;
            } else {
                data.push(b);
            }
        }
        match addr_len(&args[..colon]) {
            Some((addr, len)) if data.len() == len as usize => self.write_memory(addr, &data),
            _ => "E01".to_string(),
        }
    }

    /// Z/z TYPE,ADDR,KIND: breakpoints (0 software, 1 hardware) and watchpoints (2 write,
    /// 3 read, 4 access), all on virtual addresses.
    fn breakpoint(&mut self, insert: bool, args: &[u8]) -> String {
        let fields: Vec<&[u8]> = args.split(|&b| b == b',').collect();
        let (Some(kind), Some(addr), Some(len)) = (
            fields.first().and_then(|f| hex_u32(f)),
            fields.get(1).and_then(|f| hex_u32(f)),
            fields.get(2).and_then(|f| hex_u32(f)),
        ) else {
            return "E01".to_string();
        };
        let cpu = &mut self.machine.cpu;
        let watch = |kind| Watchpoint {
            addr,
            len: len.clamp(1, 1 << 20),
            kind,
            physical: false,
        };
        match (kind, insert) {
            (0 | 1, true) => cpu.add_breakpoint(Breakpoint {
                addr,
                physical: false,
            }),
            (0 | 1, false) => {
                cpu.remove_breakpoint(Breakpoint {
                    addr,
                    physical: false,
                });
            }
            (2..=4, _) => {
                let kind = match kind {
                    2 => WatchKind::Write,
                    3 => WatchKind::Read,
                    _ => WatchKind::Access,
                };
                if insert {
                    cpu.add_watchpoint(watch(kind));
                } else {
                    cpu.remove_watchpoint(watch(kind));
                }
            }
            _ => return String::new(),
        }
        "OK".to_string()
    }

    fn clear_debug_state(&mut self) {
        let cpu = &mut self.machine.cpu;
        for breakpoint in cpu.breakpoints() {
            cpu.remove_breakpoint(breakpoint);
        }
        for watchpoint in cpu.watchpoints() {
            cpu.remove_watchpoint(watchpoint);
        }
    }

    /// c/s [ADDR]: runs (or steps) until something stops the target, watching the socket for
    /// Ctrl-C, then sends the stop reply.
    fn resume(&mut self, args: &[u8], step: bool) -> Result<Option<SessionEnd>, ()> {
        if !args.is_empty() {
            match hex_u32(args) {
                Some(addr) => {
                    self.changing(|s| s.machine.cpu.set_pc(addr));
                }
                None => return self.send("E01").map(|_| None),
            }
        }
        self.keep_history();
        let reply = loop {
            let stop = match step {
                true => self
                    .machine
                    .run_debug(Some(self.machine.cpu.instructions() + 1)),
                false => run_on(self.machine),
            };
            if let Some(history) = self.history.as_mut() {
                if let Err(e) = history.ran(self.machine) {
                    log::warn!("gdb: reverse execution stops: {e}");
                    self.history = None;
                }
            }
            match stop {
                DebugStop::Exit(Exit::InstructionLimit) if step => break "S05".to_string(),
                DebugStop::Exit(Exit::InstructionLimit) => {}
                DebugStop::Exit(Exit::Guest(status)) => {
                    self.send(&format!("W{:02x}", status as u8))?;
                    return Ok(Some(SessionEnd::Finished(Exit::Guest(status))));
                }
                DebugStop::Exit(
                    exit @ (Exit::Halted(_)
                    | Exit::Reset
                    | Exit::NoSemihosting { .. }
                    | Exit::OsCall { .. }
                    | Exit::Diverged(_)),
                ) => {
                    self.send("W00")?;
                    return Ok(Some(SessionEnd::Finished(exit)));
                }
                DebugStop::Breakpoint(_) => break "T05swbreak:;".to_string(),
                DebugStop::Watchpoint(hit) => break watch_reply(&hit),
                // `--break-on` conditions, as the signals a Unix debugger knows them by.
                DebugStop::Exception(Exception::Undefined) => break "S04".to_string(),
                DebugStop::Exception(Exception::DataAbort | Exception::PrefetchAbort)
                | DebugStop::Unclaimed(_) => break "S0b".to_string(),
                DebugStop::Exception(_) => break "S05".to_string(),
            }
            match self.receive(false)? {
                Some(Incoming::Interrupt) => break "S02".to_string(),
                Some(Incoming::Packet(_)) | None => {}
            }
            self.pump(true)?;
            // Ctrl-C on emu's terminal, as gdb's own.
            if self.interrupted() {
                break "S02".to_string();
            }
        };
        self.last_stop = reply.clone();
        self.send(&reply).map(|_| None)
    }
}

impl<L: Link> Session<'_, L> {
    /// Before running the machine: keeps the history going, or starts one (a client's first
    /// run, or one after the machine changed behind it).
    fn keep_history(&mut self) {
        if !self
            .history
            .as_ref()
            .is_some_and(|h| h.is_current(self.machine))
        {
            self.history = History::start(self.machine, INTERVAL, BUDGET).ok();
        }
    }

    /// Runs `write` (a register or memory write), after which the machine's present is the
    /// end of its history: a write in the past starts a new future there.
    fn changing<T>(&mut self, write: impl FnOnce(&mut Self) -> T) -> T {
        let result = write(self);
        if let Some(history) = self.history.as_mut() {
            if !history.is_current(self.machine) || history.changed(self.machine).is_err() {
                self.history = None;
            }
        }
        result
    }

    /// bs, bc: one instruction back, or back to the last breakpoint or watchpoint stop; at
    /// the start of the history the stop reply says `replaylog:begin` (GDB manual, "Stop Reply
    /// Packets"), which gdb reports as the end of the history.
    fn reverse(&mut self, args: &[u8]) -> Result<Option<SessionEnd>, ()> {
        let step = match args {
            b"s" => true,
            b"c" => false,
            _ => return self.send("").map(|_| None),
        };
        let reply = match self.run_back(step) {
            Ok(reply) => reply,
            Err(e) => {
                log::warn!("gdb: going back: {e}");
                "E01".to_string()
            }
        };
        self.last_stop = reply.clone();
        self.send(&reply).map(|_| None)
    }

    fn run_back(&mut self, step: bool) -> Result<String, String> {
        const BEGIN: &str = "T05replaylog:begin;";
        let machine = &mut *self.machine;
        let Some(history) = self.history.as_mut().filter(|h| h.is_current(machine)) else {
            // Nothing ran under this client (or it changed behind the history): no past.
            return Ok(BEGIN.to_string());
        };
        let (start, _) = history.span();
        let now = machine.cpu.instructions();
        if now <= start {
            return Ok(BEGIN.to_string());
        }
        if step {
            history.goto(machine, now - 1)?;
            return Ok("S05".to_string());
        }
        Ok(
            match history.find_last_stop(machine, |_, _| true, |_| true)? {
                Found::Start => BEGIN.to_string(),
                Found::Hit(DebugStop::Breakpoint(_)) => "T05swbreak:;".to_string(),
                Found::Hit(DebugStop::Watchpoint(hit)) => watch_reply(&hit),
                Found::Hit(_) => "S05".to_string(),
            },
        )
    }
}

/// The stop reply for a watchpoint: the kind and the watched address the access touched.
fn watch_reply(hit: &WatchHit) -> String {
    let name = match hit.watchpoint.kind {
        WatchKind::Write => "watch",
        WatchKind::Read => "rwatch",
        WatchKind::Access => "awatch",
    };
    let addr = hit.addr.max(hit.watchpoint.addr);
    format!("T05{name}:{addr:08x};")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::BufReader;
    use std::time::Duration;

    /// How long the test client waits for the stub before failing.
    const CLIENT_TIMEOUT: Duration = Duration::from_secs(30);

    /// A bare RSP client, as GDB speaks it.
    struct Client {
        reader: BufReader<TcpStream>,
        writer: TcpStream,
    }

    impl Client {
        fn connect(addr: std::net::SocketAddr) -> Client {
            let stream = TcpStream::connect(addr).unwrap();
            stream.set_read_timeout(Some(CLIENT_TIMEOUT)).unwrap();
            Client {
                reader: BufReader::new(stream.try_clone().unwrap()),
                writer: stream,
            }
        }

        fn send_raw(&mut self, bytes: &[u8]) {
            self.writer.write_all(bytes).unwrap();
        }

        fn byte(&mut self) -> u8 {
            let mut b = [0u8];
            self.reader.read_exact(&mut b).unwrap();
            b[0]
        }

        /// Sends a packet and returns the reply's body (acknowledging it).
        fn ask(&mut self, body: &str) -> String {
            let sum = body.bytes().fold(0u8, |a, b| a.wrapping_add(b));
            self.send_raw(format!("${body}#{sum:02x}").as_bytes());
            assert_eq!(self.byte(), b'+', "no ack for {body}");
            self.reply()
        }

        fn reply(&mut self) -> String {
            while self.byte() != b'$' {}
            let mut body = Vec::new();
            loop {
                match self.byte() {
                    b'#' => break,
                    b => body.push(b),
                }
            }
            self.byte();
            self.byte();
            self.send_raw(b"+");
            String::from_utf8(body).unwrap()
        }

        /// gdb's `monitor COMMAND`: the `O` packets' bodies (without the `O`) and the reply
        /// that ends them.
        fn monitor(&mut self, command: &str) -> (Vec<String>, String) {
            let mut outputs = Vec::new();
            let mut reply = self.ask(&format!("qRcmd,{}", to_hex(command.as_bytes())));
            while reply != "OK" && reply.starts_with('O') {
                outputs.push(reply[1..].to_string());
                reply = self.reply();
            }
            (outputs, reply)
        }

        /// What gdb prints for `monitor COMMAND`, checking that it ends with `OK`.
        fn monitor_text(&mut self, command: &str) -> String {
            let (outputs, reply) = self.monitor(command);
            assert_eq!(reply, "OK", "monitor {command}");
            let bytes = hex_bytes(outputs.concat().as_bytes()).expect("O packets in hex");
            String::from_utf8(bytes).unwrap()
        }
    }

    const BASE: u32 = 0x1000_0000;

    /// Runs a client on a thread while the stub serves `machine`. If the client fails, it kills
    /// the target from a fresh connection so that `serve` returns and the failure shows.
    fn session(machine: &mut Machine, script: impl FnOnce(std::net::SocketAddr) + Send + 'static) {
        let mut server = GdbServer::bind("127.0.0.1:0").unwrap();
        let addr = server.local_addr().unwrap();
        let client = std::thread::spawn(move || {
            let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| script(addr)));
            if outcome.is_err() {
                if let Ok(mut stream) = TcpStream::connect(addr) {
                    let _ = stream.write_all(b"$k#6b");
                }
            }
            outcome
        });
        assert_eq!(server.serve(machine), Exit::Guest(0));
        if let Err(panic) = client.join().unwrap() {
            std::panic::resume_unwind(panic);
        }
    }

    /// mov r0, #1; loop: add r0, r0, #1; str r0, [r1]; b loop
    fn machine() -> Machine {
        let mut machine = Machine::nspire_cx(0);
        let code: Vec<u8> = [0xE3A0_0001u32, 0xE280_0001, 0xE581_0000, 0xEAFF_FFFC]
            .iter()
            .flat_map(|w| w.to_le_bytes())
            .collect();
        machine.board.load(BASE, &code);
        machine.cpu.set_pc(BASE);
        machine.cpu.set_reg(1, BASE + 0x1000);
        machine
    }

    #[test]
    fn a_session_with_registers_memory_breakpoints_watchpoints_and_interrupt() {
        let mut machine = machine();
        session(&mut machine, |addr| {
            let mut c = Client::connect(addr);
            assert!(c
                .ask("qSupported:swbreak+")
                .contains("qXfer:features:read+"));
            assert!(c
                .ask("qXfer:features:read:target.xml:0,fff")
                .contains("arm.core"));
            assert_eq!(c.ask("qAttached"), "1");
            assert_eq!(c.ask("?"), "S05");
            let regs = c.ask("g");
            assert_eq!(regs.len(), 17 * 8);
            assert_eq!(&regs[15 * 8..16 * 8], "00000010");
            assert_eq!(c.ask("m10000000,4"), "0100a0e3");
            assert_eq!(c.ask("Z0,10000008,4"), "OK");
            assert_eq!(c.ask("c"), "T05swbreak:;");
            assert_eq!(c.ask("pf"), "08000010");
            assert_eq!(c.ask("p0"), "02000000");
            assert_eq!(c.ask("z0,10000008,4"), "OK");
            assert_eq!(c.ask("Z2,10001000,4"), "OK");
            assert_eq!(c.ask("c"), "T05watch:10001000;");
            assert_eq!(c.ask("m10001000,4"), "02000000");
            assert_eq!(c.ask("z2,10001000,4"), "OK");
            // The step runs the branch back to the loop.
            assert_eq!(c.ask("s"), "S05");
            assert_eq!(c.ask("pf"), "04000010");
            assert_eq!(c.ask("P0=44332211"), "OK");
            assert_eq!(c.ask("p0"), "44332211");
            assert_eq!(c.ask("M10002000,2:abcd"), "OK");
            assert_eq!(c.ask("m10002000,2"), "abcd");
            assert_eq!(c.ask("X10002000,1:}\x03"), "OK");
            assert_eq!(c.ask("m10002000,1"), "23");
            // Unmapped memory and malformed packets: error replies, the session goes on.
            assert_eq!(c.ask("m20000000,4"), "E14");
            assert_eq!(c.ask("Zq"), "E01");
            assert_eq!(c.ask("mzz"), "E01");
            assert_eq!(c.ask("vMustReplyEmpty"), "");
            c.send_raw(b"$g#00");
            assert_eq!(c.byte(), b'-');
            // Ctrl-C stops a running target.
            c.send_raw(b"$c#63");
            assert_eq!(c.byte(), b'+');
            std::thread::sleep(Duration::from_millis(50));
            c.send_raw(&[0x03]);
            assert_eq!(c.reply(), "S02");
            c.send_raw(b"$k#6b");
        });
        assert!(machine.cpu.breakpoints().is_empty());
    }

    #[test]
    fn monitor_commands_print_what_the_built_in_monitor_prints_for_the_same_machine() {
        // A twin of the machine the stub serves, stopped in the same state.
        let mut twin = machine();
        let mut monitor = Monitor::new();
        let long = "x/w 0x10000000 4096";
        let expected: Vec<(&str, String)> = [
            "translate 0x10000000",
            "cp15",
            "regs",
            "dis",
            "devices",
            "irq",
            "bt",
            long,
        ]
        .into_iter()
        .map(|command| (command, monitor.execute(&mut twin, command).unwrap()))
        .collect();
        session(&mut machine(), move |addr| {
            let mut c = Client::connect(addr);
            for (command, text) in &expected {
                assert_eq!(&c.monitor_text(command), text, "monitor {command}");
            }
            // A long output comes in several packets, each within PacketSize.
            let (outputs, _) = c.monitor(long);
            assert!(outputs.len() > 1, "{} packet(s)", outputs.len());
            // 'O' and the hex, at most PacketSize.
            assert!(outputs.iter().all(|hex| hex.len() < MAX_PACKET));
            // An empty command prints nothing.
            assert_eq!(c.ask("qRcmd,"), "OK");
            c.send_raw(b"$k#6b");
        });
    }

    #[test]
    fn monitor_commands_that_would_run_or_change_the_machine_are_refused() {
        session(&mut machine(), |addr| {
            let mut c = Client::connect(addr);
            assert_eq!(c.ask("Z0,10000008,4"), "OK");
            for command in [
                "step",
                "next",
                "continue",
                "until 0x10000008",
                "break 0x10000004",
                "watch 0x10001000",
                "points",
                "delete",
                "disable 1",
                "catch undef",
                "set r0 5",
                "poke 0x10001000 1",
                "trace /nonexistent/trace 1",
                "load /nonexistent/a.state",
                "reset",
                "quit",
            ] {
                let name = command.split(' ').next().unwrap();
                let text = c.monitor_text(command);
                assert!(
                    text.starts_with(&format!("error: {name} is refused under gdb: "))
                        && text.lines().count() == 1,
                    "{text}"
                );
            }
            // Nothing ran or changed, and gdb's breakpoint is still on the CPU.
            assert_eq!(c.ask("pf"), "00000010");
            assert_eq!(c.ask("p0"), "00000000");
            assert_eq!(c.ask("c"), "T05swbreak:;");
            assert_eq!(c.ask("pf"), "08000010");
            // `help` lists the refused commands apart, with what to use instead.
            let help = c.monitor_text("help");
            let refused = help.split("Refused under gdb").nth(1).unwrap_or_default();
            assert!(
                refused.contains("  step ") && refused.contains("stepi"),
                "{help}"
            );
            assert!(!refused.contains("translate"), "{help}");
            assert!(c.monitor_text("help break").contains("Refused under gdb"));
            // Unknown commands and bad arguments are printed as errors.
            assert_eq!(
                c.monitor_text("frobnicate"),
                "error: unknown command 'frobnicate' ('help' lists the commands)\n"
            );
            assert!(c
                .monitor_text("translate")
                .starts_with("error: translate: "));
            // A command that is not hex (or not text) is a malformed packet.
            for bad in ["qRcmd,zz", "qRcmd,7", "qRcmd,ff"] {
                assert_eq!(c.ask(bad), "E01", "{bad}");
            }
            c.send_raw(b"$k#6b");
        });
    }

    #[test]
    fn monitor_commands_that_would_touch_host_files_are_refused() {
        let path = std::env::temp_dir().join(format!("emu-gdb-save-{}.state", std::process::id()));
        let _ = std::fs::remove_file(&path);
        let name = path.display().to_string();
        session(&mut machine(), move |addr| {
            let mut c = Client::connect(addr);
            let text = c.monitor_text(&format!("save {name}"));
            assert!(
                text.starts_with(
                    "error: save is refused under gdb: a gdb client may not read \
                                  or write the host's files"
                ) && text.lines().count() == 1,
                "{text}"
            );
            // The other commands naming a file are refused for reasons of their own.
            for command in ["load", "trace"] {
                let text = c.monitor_text(&format!("{command} {name}"));
                assert!(
                    text.starts_with(&format!("error: {command} is refused under gdb: ")),
                    "{text}"
                );
            }
            c.send_raw(b"$k#6b");
        });
        assert!(!path.exists(), "{} was written", path.display());
    }

    #[test]
    fn a_detached_client_leaves_the_machine_running_and_the_stub_listening() {
        session(&mut machine(), |addr| {
            let mut first = Client::connect(addr);
            assert_eq!(first.ask("Z0,10000004,4"), "OK");
            assert_eq!(first.ask("D"), "OK");
            drop(first);
            // The machine runs on (the breakpoint went with the client); a second client stops
            // it wherever it is.
            std::thread::sleep(Duration::from_millis(100));
            let mut second = Client::connect(addr);
            let pc = second.ask("pf");
            assert_ne!(
                second.ask("p0"),
                "00000000",
                "the machine did not run (pc {pc})"
            );
            // A client that vanishes without a word.
            drop(second);
            std::thread::sleep(Duration::from_millis(50));
            let mut third = Client::connect(addr);
            third.send_raw(b"$k#6b");
        });
    }

    /// A packet with its checksum, as a client sends it.
    fn framed(body: &str) -> Vec<u8> {
        let sum = body.bytes().fold(0u8, |a, b| a.wrapping_add(b));
        format!("${body}#{sum:02x}").into_bytes()
    }

    /// Found by the fuzz harness (fuzz/fuzz_targets/gdb.rs): a `G` packet whose length was over
    /// 68 bytes and not a multiple of 4 panicked the stub. Only r0-r15 and the CPSR, 68 bytes,
    /// are taken; any other length is refused and changes nothing.
    #[test]
    fn a_g_packet_of_any_length_but_68_bytes_is_refused_without_a_change() {
        let mut machine = machine();
        for bytes in [69, 67, 72, 168] {
            let reply = replay(&mut machine, &framed(&format!("G{}", "11".repeat(bytes))));
            assert_eq!(String::from_utf8_lossy(&reply), "+$E01#a6", "{bytes} bytes");
            assert_eq!(machine.cpu.reg(0), 0, "{bytes} bytes");
        }
        let reply = replay(&mut machine, &framed(&format!("G{}", "11".repeat(68))));
        assert_eq!(String::from_utf8_lossy(&reply), "+$OK#9a");
        assert_eq!(machine.cpu.reg(0), 0x1111_1111);
    }
}
