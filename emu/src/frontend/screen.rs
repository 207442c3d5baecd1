//! The window on the display: opened resizable, opened again to enter or leave full screen.
//! minifb has no full-screen mode on X11, so full screen is a borderless window the size of the
//! screen at its top left, above the others; minifb does not tell the screen's size either, so
//! it is asked of Xlib, the library minifb itself loads (through x11-dl, which minifb uses).

use std::ptr;

use minifb::{MouseButton, MouseMode, Window, WindowOptions};
use x11_dl::xlib::Xlib;

use super::clicks::{Buttons, Clicks};
use super::window::KeyEvents;

/// The window on the display, opened again to enter or leave full screen.
pub(super) struct Screen {
    pub(super) window: Window,
    events: KeyEvents,
    /// The window's mouse button events, read apart from minifb (which keeps only their
    /// state); `None` where that cannot be done, and minifb's state is used.
    clicks: Option<Clicks>,
    title: String,
    /// The window's size before full screen.
    windowed: (usize, usize),
    fullscreen: bool,
}

impl Screen {
    /// Opens the window, `size` pixels, or says in one line why there is none.
    pub(super) fn open(
        title: &str,
        size: (usize, usize),
        events: KeyEvents,
    ) -> Result<Screen, String> {
        let display = std::env::var("DISPLAY").unwrap_or_default();
        if display.is_empty() {
            return Err(
                "no display to open a window on (DISPLAY is unset); run with --headless"
                    .to_string(),
            );
        }
        let options = WindowOptions {
            resize: true,
            ..WindowOptions::default()
        };
        let window = new_window(title, size, options, &events).map_err(|e| {
            format!("cannot open a window on display {display} ({e}); run with --headless")
        })?;
        Ok(Screen {
            clicks: Clicks::take_over(&window),
            window,
            events,
            title: title.to_string(),
            windowed: size,
            fullscreen: false,
        })
    }

    /// Enters or leaves full screen: a borderless window the screen's size at its top left,
    /// or a window of the size before. The note says what happened.
    pub(super) fn toggle_fullscreen(&mut self) -> Result<String, String> {
        let (size, options) = if self.fullscreen {
            let options = WindowOptions {
                resize: true,
                ..WindowOptions::default()
            };
            (self.windowed, options)
        } else {
            let Some(size) = size() else {
                return Ok("full screen: the screen's size is unknown".to_string());
            };
            let options = WindowOptions {
                borderless: true,
                topmost: true,
                ..WindowOptions::default()
            };
            self.windowed = self.window.get_size();
            (size, options)
        };
        let mut window = new_window(&self.title, size, options, &self.events)
            .map_err(|e| format!("window: {e}"))?;
        if !self.fullscreen {
            window.set_position(0, 0);
        }
        // The new window's buttons are taken over before the old connection lets go.
        let clicks = Clicks::take_over(&window);
        self.window = window;
        self.clicks = clicks;
        self.fullscreen = !self.fullscreen;
        Ok(match self.fullscreen {
            true => format!("full screen ({}x{}), F11 leaves it", size.0, size.1),
            false => "full screen off".to_string(),
        })
    }
}

impl Screen {
    /// The mouse's buttons after each press and release since the last call, in order, then
    /// as they are now with the pointer where it is now: so a click within one host frame is
    /// seen.
    pub(super) fn buttons(&mut self) -> Vec<Buttons> {
        let at = self
            .window
            .get_mouse_pos(MouseMode::Discard)
            .map(|(x, y)| (x as i32, y as i32));
        let size = self.window.get_size();
        let (mut states, (left, right), at) = match &mut self.clicks {
            Some(clicks) => (clicks.take(), clicks.held(), clicks.pointer(size)),
            None => (
                Vec::new(),
                (
                    self.window.get_mouse_down(MouseButton::Left),
                    self.window.get_mouse_down(MouseButton::Right),
                ),
                at,
            ),
        };
        states.push(Buttons { left, right, at });
        states
    }
}

/// A window of `size` pixels whose key events go to `events`.
fn new_window(
    title: &str,
    size: (usize, usize),
    options: WindowOptions,
    events: &KeyEvents,
) -> minifb::Result<Window> {
    let mut window = Window::new(title, size.0.max(1), size.1.max(1), options)?;
    window.set_input_callback(Box::new(events.clone()));
    // The pacing here decides when frames are shown; minifb must not sleep as well.
    window.set_target_fps(0);
    Ok(window)
}

/// The default screen's size in pixels on the display DISPLAY names, or `None` if it cannot
/// be had (no Xlib, no display).
fn size() -> Option<(usize, usize)> {
    let xlib = Xlib::open().ok()?;
    // SAFETY: Xlib's calls as documented: XOpenDisplay(NULL) opens the display DISPLAY names
    // or returns NULL (checked); the display is used only while open and closed once.
    unsafe {
        let display = (xlib.XOpenDisplay)(ptr::null());
        if display.is_null() {
            return None;
        }
        let screen = (xlib.XDefaultScreen)(display);
        let width = (xlib.XDisplayWidth)(display, screen);
        let height = (xlib.XDisplayHeight)(display, screen);
        (xlib.XCloseDisplay)(display);
        Some((usize::try_from(width).ok()?, usize::try_from(height).ok()?))
    }
}
