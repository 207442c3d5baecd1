//! The size of the X screen the window is on, for the full-screen window: minifb has no
//! full-screen mode on X11 and does not tell the screen's size, so it is asked of Xlib, the
//! library minifb itself loads (through x11-dl, which minifb uses).

use std::ptr;

use x11_dl::xlib::Xlib;

/// The default screen's size in pixels on the display DISPLAY names, or `None` if it cannot
/// be had (no Xlib, no display).
pub fn size() -> Option<(usize, usize)> {
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
