//! The machine description: memory regions, devices and their windows, the CPU clock, read
//! from RON. The TI-Nspire CX's description is built into the binary (`machines/nspire-cx.ron`);
//! `--machine FILE.ron` gives another.

use serde::Deserialize;
use std::fmt;

/// The CX as the mainline Linux device tree and `docs/hardware.md` section 1.1 describe it.
pub const NSPIRE_CX: &str = include_str!("../machines/nspire-cx.ron");

#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct MachineConfig {
    pub name: String,
    /// CPU clock in Hz: the rate virtual time runs at (one instruction per cycle).
    pub cpu_hz: u64,
    pub memory: Vec<MemoryConfig>,
    pub devices: Vec<DeviceConfig>,
}

#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct MemoryConfig {
    pub name: String,
    pub base: u32,
    pub size: u32,
    /// ROM: loaded by the emulator, read-only to the CPU (writes are ignored).
    #[serde(default)]
    pub read_only: bool,
}

#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct DeviceConfig {
    pub name: String,
    pub base: u32,
    /// Window size in bytes.
    #[serde(default = "default_window")]
    pub size: u32,
    /// The VIC line the device drives.
    #[serde(default)]
    pub irq: Option<u8>,
    pub kind: DeviceKind,
}

fn default_window() -> u32 {
    0x1000
}

fn no_preset() -> String {
    "none".to_string()
}

/// The device models the emulator has.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub enum DeviceKind {
    /// PL190 vectored interrupt controller: drives the CPU's IRQ and FIQ.
    Vic,
    /// SP804 dual timer counting at `clock_hz`.
    Sp804 { clock_hz: u64 },
    /// PL011 UART, wired to the console in headless runs.
    Pl011,
    /// The CX real-time clock (PL031 layout).
    Rtc,
    /// PL111 LCD controller with its pixel clock.
    Pl111 { clock_hz: u64 },
    /// The CX keypad controller, timing its scans on the APB clock `clock_hz`.
    Keypad { clock_hz: u64 },
    /// Power management and clocks.
    Power,
    /// Misc/system: model ID and reset.
    Misc,
    /// GPIO.
    Gpio,
    /// SP805 watchdog counting at `clock_hz`.
    Watchdog { clock_hz: u64 },
    /// A block the CX decodes but the emulator does not model: the registers of `preset`
    /// (`devices::stub::PRESETS`, e.g. "dmc-340", "usb"; "none" for none) read their known
    /// values, every other register reads 0 and ignores writes, first accesses are logged.
    Stub {
        #[serde(default = "no_preset")]
        preset: String,
    },
}

/// A machine description that cannot be used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError(pub String);

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ConfigError {}

impl MachineConfig {
    /// Parses and checks a description.
    pub fn parse(text: &str) -> Result<MachineConfig, ConfigError> {
        let config: MachineConfig = ron::from_str(text).map_err(|e| {
            let message = e.code.to_string().replace('\n', " ");
            ConfigError(format!(
                "line {}, column {}: {message}",
                e.position.line, e.position.col
            ))
        })?;
        config.check()?;
        Ok(config)
    }

    /// The built-in TI-Nspire CX.
    pub fn nspire_cx() -> MachineConfig {
        // The embedded description is checked by a unit test, so this cannot fail at run time.
        MachineConfig::parse(NSPIRE_CX).unwrap_or_else(|e| panic!("built-in machine: {e}"))
    }

    fn check(&self) -> Result<(), ConfigError> {
        let fail = |message: String| Err(ConfigError(message));
        if !(1_000_000..=2_000_000_000).contains(&self.cpu_hz) {
            return fail(format!("cpu_hz {} is outside 1 MHz to 2 GHz", self.cpu_hz));
        }
        let mut windows: Vec<(u64, u64, &str)> = Vec::new();
        for region in &self.memory {
            if region.size == 0 || region.size % 4096 != 0 || region.base % 4096 != 0 {
                return fail(format!(
                    "memory '{}': base {:#x} and size {:#x} must be non-zero multiples of 4 KiB",
                    region.name, region.base, region.size
                ));
            }
            windows.push((region.base as u64, region.size as u64, &region.name));
        }
        let total: u64 = self.memory.iter().map(|r| r.size as u64).sum();
        if total > 1 << 30 {
            return fail(format!(
                "{total} bytes of memory is more than the 1 GiB allowed"
            ));
        }
        let mut vics = 0;
        for device in &self.devices {
            if device.size == 0 || device.size % 4096 != 0 || device.base % 4096 != 0 {
                return fail(format!(
                    "device '{}': base {:#x} and size {:#x} must be non-zero multiples of 4 KiB",
                    device.name, device.base, device.size
                ));
            }
            if let Some(irq) = device.irq.filter(|&irq| irq >= 32) {
                return fail(format!(
                    "device '{}': interrupt line {irq} does not exist (the VIC has 0 to 31)",
                    device.name
                ));
            }
            let clock = match device.kind {
                DeviceKind::Sp804 { clock_hz }
                | DeviceKind::Pl111 { clock_hz }
                | DeviceKind::Keypad { clock_hz }
                | DeviceKind::Watchdog { clock_hz } => Some(clock_hz),
                _ => None,
            };
            if clock.is_some_and(|hz| hz == 0 || hz > self.cpu_hz) {
                return fail(format!(
                    "device '{}': clock_hz must be between 1 and the CPU clock",
                    device.name
                ));
            }
            if let DeviceKind::Stub { preset } = &device.kind {
                if !devices::stub::PRESETS.contains(&preset.as_str()) {
                    return fail(format!(
                        "device '{}': unknown stub preset '{preset}' (known: {})",
                        device.name,
                        devices::stub::PRESETS.join(", ")
                    ));
                }
            }
            vics += (device.kind == DeviceKind::Vic) as u32;
            windows.push((device.base as u64, device.size as u64, &device.name));
        }
        if vics > 1 {
            return fail("more than one interrupt controller".to_string());
        }
        windows.sort();
        if let Some((_, _, name)) = windows.iter().find(|(base, size, _)| base + size > 1 << 32) {
            return fail(format!("'{name}' runs past the end of the address space"));
        }
        for pair in windows.windows(2) {
            let ((a, a_size, a_name), (b, _, b_name)) = (pair[0], pair[1]);
            if b < a + a_size {
                return fail(format!(
                    "'{a_name}' at {a:#x} overlaps '{b_name}' at {b:#x}"
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_cx_is_valid() {
        let cx = MachineConfig::nspire_cx();
        assert_eq!(cx.cpu_hz, 132_000_000);
        let sdram = cx.memory.iter().find(|r| r.name == "SDRAM").unwrap();
        assert_eq!((sdram.base, sdram.size), (0x1000_0000, 64 << 20));
        let uart = cx.devices.iter().find(|d| d.base == 0x9002_0000).unwrap();
        assert_eq!((&uart.kind, uart.irq), (&DeviceKind::Pl011, Some(1)));
    }

    fn with(change: &str, by: &str) -> Result<MachineConfig, ConfigError> {
        assert!(NSPIRE_CX.contains(change), "{change}");
        MachineConfig::parse(&NSPIRE_CX.replacen(change, by, 1))
    }

    #[test]
    fn bad_descriptions_get_one_clear_line() {
        let cases = [
            (
                "kind: Pl011",
                "kind: Pl012",
                "Unexpected variant named `Pl012`",
            ),
            ("base: 0x90020000", "base: 0x90010000", "overlaps"),
            ("cpu_hz: 132000000", "cpu_hz: 0", "cpu_hz"),
            ("irq: Some(1)", "irq: Some(40)", "line 40"),
            // The highest window, which no other follows.
            (
                "base: 0xDC000000",
                "base: 0xFFFFF000, size: 0x2000",
                "'VIC' runs past the end",
            ),
            ("base: 0x90020000", "base: 0x90020010", "multiples of 4 KiB"),
            ("name: \"TI-Nspire CX\"", "nme: \"x\"", "line"),
            (
                "preset: \"usb\"",
                "preset: \"usb3\"",
                "unknown stub preset 'usb3'",
            ),
        ];
        for (change, by, expected) in cases {
            let error = with(change, by).unwrap_err().to_string();
            assert!(error.contains(expected), "{change} -> {error}");
            assert_eq!(error.lines().count(), 1, "{error}");
        }
    }
}
