//! `emu`: the command line of the TI-Nspire CX emulator.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};
use emu::engine::EngineKind;
use emu::frontend::options::RunOptions;
use emu::frontend::run::{self, fail, EXIT_BAD_INPUT, EXIT_STATUSES};
use emu::frontend::settings::Loaded;
use emu::rom_test::{self, discovery::Shard, Limits};
use emu::terminal::ESCAPE_HELP;

/// An emulator of the TI-Nspire CX: an ARM926EJ-S handheld.
///
/// With no command it runs a ROM as `emu run` does (`emu game.tns`, `emu --monitor`), the
/// built-in demo in a window if no ROM is given.
#[derive(Parser)]
#[command(name = "emu", version, about, long_about = None, after_help = after_help(),
          args_conflicts_with_subcommands = true)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// `emu [OPTIONS] [ROM]` is `emu run [OPTIONS] [ROM]`.
    #[command(flatten)]
    run: Box<RunOptions>,
}

#[derive(Subcommand)]
enum Command {
    /// Run a ROM (a raw boot ROM image or an ARM ELF executable), or the demo if none is given,
    /// in a window (or headless with --headless).
    #[command(after_help = after_help())]
    Run(Box<RunOptions>),
    /// Print which host keys, gamepad buttons and sticks press which keys of the CX, and the
    /// emulator's own keys.
    Keys,
    /// Run every ROM under the given paths headless, with semihosting, and report pass/fail.
    ///
    /// What a ROM must do (exit status, output, picture) and how it runs (keys, frames,
    /// arguments, files) come from the manifest `tests.ron` in its folder; without one, it must
    /// exit with status 0.
    Test {
        /// ROM files, or directories searched for `*.elf`, `*.bin` and `*.tns` (skipping
        /// `*.qemu.elf`, built for QEMU's memory map, and the ELF a `.tns` was packed from).
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Instruction limit per ROM; a ROM that reaches it fails.
        #[arg(long, value_name = "N", default_value_t = 2_000_000_000)]
        max_insns: u64,
        /// Time limit per ROM, in seconds of the host's time; a ROM that reaches it fails.
        #[arg(long, value_name = "SECONDS", default_value_t = 10.0,
              value_parser = parse_seconds)]
        timeout: f64,
        /// ROMs run at once (default: the host's processors); results are printed in path
        /// order whatever N is.
        #[arg(long, value_name = "N", value_parser = parse_jobs)]
        jobs: Option<usize>,
        /// Run shard K of N: the ROMs whose index in the sorted list of all found, counted from
        /// 0, is K-1 modulo N (1 <= K <= N).
        #[arg(long, value_name = "K/N", value_parser = Shard::parse)]
        shard: Option<Shard>,
        /// Write a JUnit XML report: one testcase per ROM, a failure with its output.
        #[arg(long, value_name = "FILE")]
        junit: Option<PathBuf>,
        /// Write a JSON report: an array of one object per ROM (path, verdict, reason,
        /// instructions, seconds, output).
        #[arg(long, value_name = "FILE")]
        json: Option<PathBuf>,
        /// Where a failing picture's actual and difference images go (default: the folder of
        /// the --junit or --json report, else the system's temporary folder).
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Rewrite the manifests' golden pictures and expected outputs from the runs (of ROMs
        /// that end as expected) instead of comparing.
        #[arg(long)]
        update: bool,
        /// What runs the guest's instructions: interp, jit or check (see `emu run --help`).
        #[arg(long, value_enum, default_value_t = EngineKind::default())]
        engine: EngineKind,
    },
    /// Read a file of symbols (an ELF file, or a Linux System.map) and list its symbols, or
    /// write them as an ELF file that gdb loads with `symbol-file` (gdb cannot read a
    /// System.map).
    Symbols {
        /// An ELF file or a System.map.
        file: PathBuf,
        /// Write the symbols to this ELF file (a symbol table and no contents) instead of
        /// listing them.
        #[arg(long, value_name = "OUT.elf")]
        elf: Option<PathBuf>,
    },
    /// Replay single-instruction test cases (JSON lines, optionally gzipped) and compare.
    Difftest {
        /// Case files (`.jsonl` or `.jsonl.gz`).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// What executes the cases: the interpreter, the jit's compiled blocks, or both,
        /// each held to the case and to the other.
        #[arg(long, value_enum, default_value_t = EngineKind::default())]
        engine: EngineKind,
    },
}

/// What `--help` ends with: the exit statuses and the terminal's escape key.
fn after_help() -> String {
    format!(
        "{EXIT_STATUSES}\n\n\
         When the UART has a terminal (a Linux console), the terminal is raw:\n\
         Ctrl-C goes to the guest, and the escape key Ctrl-A talks to emu:\n  {}",
        ESCAPE_HELP.trim_start_matches("emu: ")
    )
}

/// A positive number of seconds.
fn parse_seconds(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(seconds) if seconds > 0.0 && seconds.is_finite() => Ok(seconds),
        _ => Err(format!("'{text}' is not a positive number of seconds")),
    }
}

/// A number of jobs, at least 1.
fn parse_jobs(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(jobs) if jobs > 0 => Ok(jobs),
        _ => Err(format!("'{text}' is not a number of jobs (1 or more)")),
    }
}

fn main() -> ExitCode {
    // gilrs says at warning and error level what it makes of each input device it skips (one
    // not a pad, one this user may not read): noise in a run that wants no pad. RUST_LOG shows
    // it (RUST_LOG=gilrs_core=debug); frontend/gamepad.rs says at debug level that none is used.
    let filter = "warn,gilrs=off,gilrs_core=off";
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or(filter)).init();
    let cli = Cli::parse();
    match cli.command {
        None => run::run(*cli.run),
        Some(Command::Run(options)) => run::run(*options),
        Some(Command::Keys) => {
            print!("{}", Loaded::from_config_dir().describe());
            ExitCode::SUCCESS
        }
        Some(Command::Test {
            paths,
            max_insns,
            timeout,
            jobs,
            shard,
            junit,
            json,
            out,
            update,
            engine,
        }) => {
            let options = rom_test::Options {
                paths,
                limits: Limits {
                    instructions: max_insns,
                    time: Duration::from_secs_f64(timeout),
                },
                jobs: jobs.unwrap_or_else(rom_test::default_jobs),
                shard,
                junit,
                json,
                out,
                update,
                engine,
            };
            match rom_test::run(&options) {
                Ok(true) => ExitCode::SUCCESS,
                Ok(false) => ExitCode::FAILURE,
                Err(message) => fail(&message, EXIT_BAD_INPUT),
            }
        }
        Some(Command::Difftest { files, engine }) => difftest(&files, engine),
        Some(Command::Symbols { file, elf }) => symbols(&file, elf.as_deref()),
    }
}

/// `emu symbols FILE [--elf OUT]`.
fn symbols(file: &std::path::Path, elf: Option<&std::path::Path>) -> ExitCode {
    let table = match emu::symbols::Symbols::load(file) {
        Ok(table) => table,
        Err(message) => return fail(&message, EXIT_BAD_INPUT),
    };
    match elf {
        Some(out) => {
            let bytes = emu::symbols::write::elf(&table);
            if let Err(message) = emu::files::write_whole(out, |temp| std::fs::write(temp, &bytes))
            {
                return fail(&message, EXIT_BAD_INPUT);
            }
            println!(
                "{} symbols of {} written to {}",
                table.len(),
                file.display(),
                out.display()
            );
        }
        None => {
            let mut text = String::new();
            for s in table.iter() {
                let kind = match (s.code, s.data, s.global) {
                    (true, _, true) => 'T',
                    (true, _, false) => 't',
                    (_, true, true) => 'D',
                    (_, true, false) => 'd',
                    (_, _, true) => 'N',
                    _ => 'n',
                };
                text.push_str(&format!(
                    "{:08x} {:08x} {kind} {}\n",
                    s.addr, s.size, s.name
                ));
            }
            print!("{text}");
        }
    }
    ExitCode::SUCCESS
}

fn difftest(files: &[PathBuf], engine: EngineKind) -> ExitCode {
    match emu::difftest::replay_files(files, engine, &mut std::io::stdout()) {
        Ok(summary) if summary.failed == 0 => ExitCode::SUCCESS,
        Ok(_) => ExitCode::FAILURE,
        Err(message) => fail(&message, EXIT_BAD_INPUT),
    }
}
