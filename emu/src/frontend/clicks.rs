//! The mouse's buttons as events, in order. minifb keeps only the buttons' state, updated as it
//! reads the X events once a host frame, so a click whose press and release come within one
//! frame (a quick click, a tablet's tap, xdotool's `click`) leaves no trace there. So the
//! window's button events come to a connection to the X server of our own instead: minifb's
//! connection stops asking for them (XSelectInput), ours asks (only one client may select a
//! window's button presses: Xlib's manual, "Selecting Events"), and each press and release is
//! read, in order, with where it happened.
//!
//! Xlib is the library minifb loads, through the same binding (x11-dl).

use std::os::raw::{c_int, c_long, c_ulong};
use std::ptr;

use minifb::{HasWindowHandle, Window};
use raw_window_handle::{HasDisplayHandle, RawDisplayHandle, RawWindowHandle};
use x11_dl::xlib::{self, Xlib};

/// The left and right buttons' state after an event, and where the pointer was (`None`: not
/// over the window).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Buttons {
    pub left: bool,
    pub right: bool,
    pub at: Option<(i32, i32)>,
}

/// The window's button events, read on a connection of our own.
pub struct Clicks {
    xlib: Xlib,
    display: *mut xlib::Display,
    window: c_ulong,
    left: bool,
    right: bool,
}

const BUTTONS: c_long = xlib::ButtonPressMask | xlib::ButtonReleaseMask;

impl Clicks {
    /// Takes `window`'s button events over from minifb; `None` if that cannot be done (not
    /// X11, no Xlib, no display), leaving minifb its own.
    pub fn take_over(window: &Window) -> Option<Clicks> {
        let RawWindowHandle::Xlib(handle) = window.window_handle().ok()?.as_raw() else {
            return None;
        };
        let RawDisplayHandle::Xlib(theirs) = window.display_handle().ok()?.as_raw() else {
            return None;
        };
        let theirs = theirs.display?.as_ptr().cast::<xlib::Display>();
        let xlib = Xlib::open().ok()?;
        let id = handle.window;
        // SAFETY: Xlib's calls as documented, on minifb's display (open while its window is,
        // which outlives this call; used on this thread, minifb's) and on a display of our own,
        // opened here (checked for NULL) and closed once, in `drop`. The attributes are written
        // by XGetWindowAttributes before they are read (checked by its status).
        unsafe {
            let ours = (xlib.XOpenDisplay)(ptr::null());
            if ours.is_null() {
                return None;
            }
            let mut attributes: xlib::XWindowAttributes = std::mem::zeroed();
            if (xlib.XGetWindowAttributes)(theirs, id, &mut attributes) == 0 {
                (xlib.XCloseDisplay)(ours);
                return None;
            }
            // Synced, so the server has let minifb's go before ours asks: two clients asking
            // at once is an X error, which ends the process.
            (xlib.XSelectInput)(theirs, id, attributes.your_event_mask & !BUTTONS);
            (xlib.XSync)(theirs, xlib::False);
            (xlib.XSelectInput)(ours, id, BUTTONS);
            (xlib.XSync)(ours, xlib::False);
            Some(Clicks {
                xlib,
                display: ours,
                window: id,
                left: false,
                right: false,
            })
        }
    }

    /// The buttons' state after each press or release since the last call, in order.
    pub fn take(&mut self) -> Vec<Buttons> {
        let mut states = Vec::new();
        // SAFETY: our own display, open until `drop`; XNextEvent writes the event it returns
        // (XPending said there is one), and a button event's fields are read only for the
        // button event types.
        unsafe {
            while (self.xlib.XPending)(self.display) > 0 {
                let mut event: xlib::XEvent = std::mem::zeroed();
                (self.xlib.XNextEvent)(self.display, &mut event);
                let down = match event.get_type() {
                    xlib::ButtonPress => true,
                    xlib::ButtonRelease => false,
                    _ => continue,
                };
                let button = event.button;
                if button.window != self.window {
                    continue;
                }
                match button.button {
                    xlib::Button1 => self.left = down,
                    xlib::Button3 => self.right = down,
                    _ => continue,
                }
                states.push(Buttons {
                    left: self.left,
                    right: self.right,
                    at: Some((button.x as c_int, button.y as c_int)),
                });
            }
        }
        states
    }

    /// Where the pointer is now over the window, asked of the X server; `None` off the window
    /// (`size`, its width and height). minifb's own position is the one its last look at the
    /// events saw, a host frame ago: a press just after the pointer moved would be placed where
    /// it was before.
    pub fn pointer(&mut self, size: (usize, usize)) -> Option<(i32, i32)> {
        let (mut root, mut child) = (0, 0);
        let (mut root_x, mut root_y, mut x, mut y) = (0, 0, 0, 0);
        let mut mask = 0;
        // SAFETY: our own display, open until `drop`; XQueryPointer writes every out-argument
        // (which are read only when it says the pointer is on the window's screen).
        let same_screen = unsafe {
            (self.xlib.XQueryPointer)(
                self.display,
                self.window,
                &mut root,
                &mut child,
                &mut root_x,
                &mut root_y,
                &mut x,
                &mut y,
                &mut mask,
            )
        };
        let inside = |value: c_int, size: usize| usize::try_from(value).is_ok_and(|v| v < size);
        (same_screen != 0 && inside(x, size.0) && inside(y, size.1)).then_some((x, y))
    }

    /// Whether the left and right buttons are down, as the events so far say.
    pub fn held(&self) -> (bool, bool) {
        (self.left, self.right)
    }
}

impl Drop for Clicks {
    fn drop(&mut self) {
        // SAFETY: our own display, opened in `take_over` and closed only here.
        unsafe {
            (self.xlib.XCloseDisplay)(self.display);
        }
    }
}
