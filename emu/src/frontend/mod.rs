//! What a person or a test drives the machine through: `emu run` (its options, the machine it
//! builds, what it does at the end), the desktop window (minifb), headless runs, the host
//! keyboard's and gamepads' mapping to the keypad, scripted key presses, frame-by-frame runs
//! and PNG screenshots. The core knows nothing of these; they use the machine's public API.

pub mod canvas;
pub mod clicks;
pub mod file_kind;
pub mod gamepad;
pub mod gdb_window;
pub mod headless;
pub mod inputs;
pub mod keymap;
pub mod keypad_view;
pub mod options;
pub mod overlay;
pub mod pace;
pub mod pointer;
pub mod prompter;
pub mod record;
pub mod rewind;
pub mod run;
pub mod screen;
pub mod screenshot;
pub mod script;
pub mod session;
pub mod settings;
pub mod setup;
pub mod slots;
pub mod stick;
pub mod view;
pub mod window;
pub mod xdg;
