//! What the tests that drive a `Machine` through the library share: a console that keeps what
//! the guest writes through semihosting, and a CX with a ROM loaded that writes to it.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use emu::loader;
use emu::machine::Machine;
use emu::semihosting::{Config, Semihosting};

pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// What the guest writes through semihosting.
#[derive(Clone, Default)]
pub struct Console(Arc<Mutex<Vec<u8>>>);

impl Write for Console {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Console {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

/// A CX with `rom` (a path from the repository's root) loaded, its command line `cmdline`,
/// semihosting writing to `console`, and the host's clock fixed at 0.
pub fn machine_with(rom: &str, cmdline: &str, console: &Console) -> Machine {
    let image = loader::load_file(&root().join(rom)).unwrap();
    let mut machine = Machine::nspire_cx(0);
    machine.load(&image).unwrap();
    let config = Config {
        root: None,
        cmdline: cmdline.to_string(),
        heap: machine.heap_info(&image),
        time_base: Some(0),
    };
    machine.enable_semihosting(Semihosting::new(
        config,
        Box::new(std::io::empty()),
        Box::new(console.clone()),
        Box::new(console.clone()),
    ));
    machine
}
