//! The settings file under a temporary `$XDG_CONFIG_HOME`: `emu keys` prints the map in force
//! and where it came from; a bad file is one line with its line and column, and the run goes
//! on with the defaults.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn config_home(what: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("emu-settings-{what}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("emu")).unwrap();
    dir
}

fn emu(config: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_emu"))
        .args(args)
        .env("XDG_CONFIG_HOME", config)
        .env("XDG_DATA_HOME", config.join("data"))
        .output()
        .unwrap()
}

#[test]
fn emu_keys_prints_the_map_with_the_settings_applied() {
    let config = config_home("keys");
    let file = config.join("emu/settings.ron");
    let out = emu(&config, &["keys"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(&format!("Settings: none at {}", file.display())),
        "{text}"
    );
    std::fs::write(
        &file,
        "// mine\n(keys: {\"Q\": \"enter\", \"Ctrl+S\": \"save-slot\"},\n buttons: {\"South\": \"ctrl\", \
         \"C\": \"pause\"},\n sticks: {\"Left\": \"none\"})\n",
    )
    .unwrap();
    let out = emu(&config, &["keys"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success());
    assert!(
        text.contains(&format!("Settings: {} changes these keys:", file.display())),
        "{text}"
    );
    assert!(text.contains("\nQ              enter\n"), "{text}");
    assert!(text.contains("\nCtrl+S         save-slot\n"), "{text}");
    // The gamepad's map in force, and the buttons and the stick among the changes.
    assert!(text.contains("\nSouth           ctrl\n"), "{text}");
    assert!(text.contains("\nEast            esc\n"), "{text}");
    assert!(text.contains("\nC               pause\n"), "{text}");
    assert!(text.contains("\nLeft            none\n"), "{text}");
    assert!(text.contains("\nRight           touchpad: "), "{text}");
    assert!(text.contains("\nSouth          ctrl\n"), "{text}");
    assert!(text.contains("\nC              pause\n"), "{text}");
    assert!(text.contains("\nLeft stick     none\n"), "{text}");
    std::fs::remove_dir_all(&config).unwrap();
}

/// Writes `contents` as the settings file of a new config home and checks that it is refused:
/// a headless run goes on, having printed one line, the file's name then `problem` (line and
/// column, what is wrong, "using the defaults"), and `emu keys` names the same problem. Gives
/// `emu keys`' output, for the caller to check the defaults in it.
fn refused(what: &str, contents: &str, problem: &str) -> String {
    let config = config_home(what);
    let file = config.join("emu/settings.ron");
    std::fs::write(&file, contents).unwrap();
    let out = emu(&config, &["run", "--headless", "--frames", "1"]);
    assert!(out.status.success());
    let line = format!("{}:{problem}", file.display());
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        format!("emu: {line}\n")
    );
    let out = emu(&config, &["keys"]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(text.contains(&format!("\nSettings: {line}\n")), "{text}");
    std::fs::remove_dir_all(&config).unwrap();
    text
}

/// A gamepad button named wrongly is the same one line as a host key, and `emu keys` prints the
/// default map with it.
#[test]
fn a_bad_button_name_is_one_line_and_the_defaults() {
    let text = refused(
        "bad-button",
        "(buttons: {\"South\": \"ctrl\",\n  \"Cross\": \"aa\"})\n",
        "2:3: no gamepad button named \"Cross\" (gilrs's names: South, East, West, North, \
         DPadUp, LeftTrigger, LeftTrigger2, Start, Select, Mode...); using the defaults",
    );
    assert!(text.contains("\nSouth           enter\n"), "{text}");
}

/// A stick set to what no stick does is one line with its line and column, and `emu keys`
/// prints the default sticks with it.
#[test]
fn a_bad_stick_is_one_line_and_the_defaults() {
    let text = refused(
        "bad-stick",
        "(sticks: {\"Left\": \"touchpad\",\n  \"Right\": \"mouse\"})\n",
        "2:12: a stick does arrows, touchpad or none, not \"mouse\"; using the defaults",
    );
    assert!(text.contains("\nLeft            arrows: "), "{text}");
}

#[test]
fn a_bad_settings_file_is_one_line_and_the_defaults() {
    let text = refused(
        "bad",
        "(scale: 2,\n keys: {\"Hyper\": \"aa\"})\n",
        "2:9: no host key named \"Hyper\"; using the defaults",
    );
    assert!(text.contains("\nSouth           enter\n"), "{text}");
}
