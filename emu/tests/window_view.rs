//! Golden pictures of the window's layouts, drawn without a window by the code the window
//! draws with (`emu::frontend::view`): the keypad demo's golden LCD picture (`keys.png`, 8,
//! enter and ON held) beside the drawn keypad, with and without those keys lit and the
//! touchpad touched, and the LCD alone in a larger window, letterboxed, with a note on it.
//! `window.rs` checks that the real window under Xvfb shows the same.
//!
//! As `golden.rs`: each picture is kept in Cargo's target temporary directory
//! (`target/tmp/window_view/`); `UPDATE_GOLDEN=1` rewrites the committed ones instead.

#[allow(dead_code)]
mod screenshot_support;

use std::path::Path;

use devices::touchpad::Touch;
use emu::frontend::keymap::CxKey;
use emu::frontend::overlay::Note;
use emu::frontend::screenshot::save_picture;
use emu::frontend::view::{self, Scene};
use screenshot_support::{first_difference, golden_path, read_png};

/// Draws the window of `size`, the keypad shown or not, over the LCD picture `lcd` (a golden
/// one), and compares it with the golden picture `name`.
fn check(name: &str, lcd: &str, size: (usize, usize), keypad: bool, scene: &Scene) {
    let lcd = read_png(&golden_path(lcd)).unwrap();
    let layout = view::layout(size, keypad);
    let mut pixels = vec![0u32; size.0 * size.1];
    view::draw(&mut pixels, &layout, &lcd.pixels, scene);
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("window_view");
    std::fs::create_dir_all(&dir).unwrap();
    let shot = dir.join(format!("{name}.png"));
    save_picture(&pixels, size.0, size.1, &shot).unwrap();
    let golden = golden_path(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::copy(&shot, &golden).unwrap();
        return;
    }
    let expected = read_png(&golden).unwrap();
    if let Some(difference) = first_difference(&read_png(&shot).unwrap(), 1, &expected) {
        panic!(
            "{name}: the picture differs from {}: {difference}; it is kept at {}",
            golden.display(),
            shot.display()
        );
    }
}

fn named(names: &[&str]) -> Vec<CxKey> {
    names.iter().map(|n| CxKey::from_name(n).unwrap()).collect()
}

/// The window at its starting size (`--scale 2`), nothing held.
#[test]
fn the_window_with_its_keypad() {
    let scene = Scene {
        held: &|_| false,
        touch: None,
        status: "speed 100%  running at 100%  60 fps",
        note: None,
        thumbnail: None,
    };
    check("window", "keys", view::window_size(2, true), true, &scene);
}

/// The keys the LCD shows held (8, enter, ON) lit on the keypad, the touchpad's up arrow held
/// and a finger pushing it at its right.
#[test]
fn held_keys_are_lit() {
    let held = named(&["n8", "enter", "on", "up"]);
    let touch = Touch {
        contact: true,
        pressed: true,
        x: 2000,
        y: 800,
    };
    let scene = Scene {
        held: &|key| held.contains(&key),
        touch: Some(touch),
        status: "speed 100%  running at 100%  60 fps",
        note: None,
        thumbnail: None,
    };
    check(
        "window_keys",
        "keys",
        view::window_size(2, true),
        true,
        &scene,
    );
}

/// The keypad hidden in a window resized to 1000x600: the LCD twice its size (three times
/// does not fit), centred between black bars, a note on its corner.
#[test]
fn the_lcd_alone_letterboxed_with_a_note() {
    let scene = Scene {
        held: &|_| false,
        touch: None,
        status: "paused at frame 40: F1 runs, F8 one frame  (speed 100%)",
        note: Some(Note {
            text: "keypad hidden (F7 shows it)",
            alpha: 256,
        }),
        thumbnail: None,
    };
    check("window_lcd", "keys", (1000, 600), false, &scene);
}
