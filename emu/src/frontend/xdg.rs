//! The user's folders for the emulator's data and settings, as the XDG Base Directory
//! Specification (0.8) names them: `$XDG_DATA_HOME/emu` (default `~/.local/share/emu`) and
//! `$XDG_CONFIG_HOME/emu` (default `~/.config/emu`). The specification says a relative path in
//! those variables is invalid and is to be ignored, as an empty one is.

use std::path::PathBuf;

/// `$XDG_DATA_HOME/emu`: the save-state slots live there.
pub fn data_dir() -> Result<PathBuf, String> {
    base("XDG_DATA_HOME", ".local/share").map(|dir| dir.join("emu"))
}

/// `$XDG_CONFIG_HOME/emu`: the settings file lives there.
pub fn config_dir() -> Result<PathBuf, String> {
    base("XDG_CONFIG_HOME", ".config").map(|dir| dir.join("emu"))
}

/// The folder `variable` names if it is absolute, else `$HOME/default`.
fn base(variable: &str, default: &str) -> Result<PathBuf, String> {
    if let Some(dir) = std::env::var_os(variable).map(PathBuf::from) {
        if dir.is_absolute() {
            return Ok(dir);
        }
    }
    match std::env::var_os("HOME").map(PathBuf::from) {
        Some(home) if home.is_absolute() => Ok(home.join(default)),
        _ => Err(format!(
            "neither {variable} nor HOME names a folder (they are unset or relative)"
        )),
    }
}
