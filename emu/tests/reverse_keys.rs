//! Reverse execution across keys and touches: a run in frames (as the window and headless runs
//! have it) with keys pressed between frames, by a key script or by hand as the window presses
//! them, taken back by its history to any frame's end and forward again, must be there exactly
//! the machine the run itself was (the CPU and the devices as a saved state writes them, and all
//! of memory, the LCD's frame with it): the keys are given again at the instruction and cycle
//! they were given at.
//!
//! The guests: roms/demos/keys (polls the keypad, draws the keys held and pressed before, reads
//! the touchpad's arrows) and roms/demos/snake (sleeps in wait-for-interrupt between its timer's
//! ticks, reads the arrows in the tick), with the key script of its golden picture.

use emu::bus::Bus;
use emu::frontend::keymap::CxKey;
use emu::frontend::script::Script;
use emu::frontend::session::Session;
use emu::loader;
use emu::machine::Machine;
use emu::reverse::History;
use emu::snapshot;

fn root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

const KEYS: &str = "roms/demos/keys/keys.bin";
const SNAKE: &str = "roms/demos/snake/snake.bin";

/// The whole state of a machine, as a saved state holds it.
fn state(machine: &Machine) -> (String, Vec<u8>) {
    (
        snapshot::text(machine).unwrap(),
        machine.board.ram().to_vec(),
    )
}

fn session(rom: &str, script: &str) -> Session {
    let image = loader::load_file(&root().join(rom)).unwrap();
    let mut machine = Machine::nspire_cx(1_767_225_600);
    machine.load(&image).unwrap();
    Session::new(machine, Script::parse(script).unwrap(), None)
}

/// Where a frame ended, and the machine there.
struct End {
    instructions: u64,
    cycles: u64,
    state: (String, Vec<u8>),
}

/// The ends of `frames` frames run, with a history taking them on between frames as the
/// monitor does between its commands; `between` presses keys by hand before a frame.
fn run(
    session: &mut Session,
    history: &mut History,
    frames: u64,
    mut between: impl FnMut(&mut Session, u64),
) -> Vec<End> {
    let mut ends = Vec::new();
    for frame in 0..frames {
        between(session, frame);
        assert_eq!(session.run_frame(), None);
        assert!(
            history.adopt(&mut session.machine),
            "the history lost the run"
        );
        let machine = &session.machine;
        ends.push(End {
            instructions: machine.cpu.instructions(),
            cycles: machine.cpu.cycles(),
            state: state(machine),
        });
    }
    ends
}

/// Goes to each frame's end in `order` and compares the machine with the run's. `goto` takes
/// the machine to where it first reached the frame's end's instruction count; a guest that
/// waited for an interrupt there waits on to the frame's end.
fn visit(session: &mut Session, history: &mut History, ends: &[End], order: &[usize]) {
    for &i in order {
        let end = &ends[i];
        let machine = &mut session.machine;
        let count = end.instructions;
        assert_eq!(history.goto(machine, count), Ok(count));
        assert!(machine.cpu.cycles() <= end.cycles);
        if machine.cpu.cycles() < end.cycles {
            assert!(
                machine.cpu.is_waiting(),
                "frame {i}'s end: not where the run was"
            );
            assert_eq!(machine.run_cycles(end.cycles - machine.cpu.cycles()), None);
            assert!(history.adopt(machine));
        }
        let (text, ram) = state(machine);
        assert!(
            text == end.state.0,
            "frame {i}'s end: the CPU or devices differ"
        );
        assert!(ram == end.state.1, "frame {i}'s end: memory differs");
    }
}

#[test]
fn a_key_scripts_presses_and_touches_are_given_again() {
    let script = std::fs::read_to_string(root().join("emu/tests/golden/keys.keys")).unwrap();
    let mut session = session(KEYS, &script);
    let mut history = History::start(&mut session.machine, 1_000_000, usize::MAX).unwrap();
    let ends = run(&mut session, &mut history, 40, |_, _| {});
    // The keys changed the run: a run without them draws another picture.
    let mut without = self::session(KEYS, "");
    for _ in 0..40 {
        without.run_frame();
    }
    assert!(without.machine.board.ram() != ends[39].state.1.as_slice());
    // Back across the presses (frames 10 to 32) and the touch (20), before them all, and on.
    visit(
        &mut session,
        &mut history,
        &ends,
        &[35, 31, 29, 22, 15, 11, 9, 3, 0, 39],
    );
    visit(&mut session, &mut history, &ends, &[12, 21, 30, 33, 36, 39]);
}

#[test]
fn keys_pressed_by_hand_replay_and_a_press_in_the_past_starts_a_new_future() {
    let press = |session: &mut Session, frame: u64| {
        let (key, down) = match frame {
            20 => ("n6", true),
            22 => ("n6", false),
            32 => ("n8", true),
            34 => ("n8", false),
            _ => return,
        };
        session.set_key(CxKey::from_name(key).unwrap(), down);
    };
    let mut session = session(SNAKE, "");
    let mut history = History::start(&mut session.machine, 700_000, usize::MAX).unwrap();
    let ends = run(&mut session, &mut history, 60, press);
    // A run without history, the same keys pressed: the same run.
    let mut plain = self::session(SNAKE, "");
    for frame in 0..60 {
        press(&mut plain, frame);
        plain.run_frame();
    }
    assert!(plain.machine.board.ram() == ends[59].state.1.as_slice());
    visit(
        &mut session,
        &mut history,
        &ends,
        &[50, 33, 31, 21, 19, 2, 59, 25],
    );

    // At frame 25's end, press 2 (down) instead of waiting for 8 (up) at frame 32: the
    // history follows the new future, and the old one's frames are gone.
    let mut fresh = |session: &mut Session, frame: u64| {
        if frame == 2 {
            session.set_key(CxKey::from_name("n2").unwrap(), true);
        }
        if frame == 4 {
            session.set_key(CxKey::from_name("n2").unwrap(), false);
        }
    };
    let new = run(&mut session, &mut history, 20, &mut fresh);
    assert!(
        new[19].state.1 != ends[45].state.1,
        "the new future is the old one"
    );
    let (_, furthest) = history.span();
    assert_eq!(furthest, new[19].instructions);
    visit(&mut session, &mut history, &new, &[15, 3, 1, 0, 19]);
    // Before the new press, the old past stands.
    visit(&mut session, &mut history, &ends, &[24, 10]);
}
