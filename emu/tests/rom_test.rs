//! `emu test`, the real binary: parallel runs print what a single job prints, shards split the
//! ROMs between them, the JUnit and JSON reports hold what happened (the XML read by Python's
//! own parser), and manifests give ROMs their expectations: a wrong status, output or picture
//! fails with its reason and leaves the actual and difference pictures, `--update` rewrites
//! the expectations, and a broken manifest is refused in one line.

#[allow(dead_code)]
mod screenshot_support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use screenshot_support::{first_difference, golden_path, read_png, Picture};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// `emu test ARGS`, from the repository's root.
fn emu_test(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_emu"))
        .current_dir(root())
        .arg("test")
        .args(args)
        .output()
        .expect("emu starts")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// An empty folder of this test's own, `name` telling them apart.
fn folder(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("rom_test-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Copies the repository's `file` into `dir`.
fn copy(file: &str, dir: &Path) -> PathBuf {
    let to = dir.join(Path::new(file).file_name().unwrap());
    std::fs::copy(root().join(file), &to).unwrap();
    to
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// The ROMs' lines (`PASS ...`, `FAIL ...`) of a run's stdout.
fn verdicts(stdout: &str) -> Vec<String> {
    stdout
        .lines()
        .filter(|l| l.starts_with("PASS ") || l.starts_with("FAIL "))
        .map(str::to_string)
        .collect()
}

/// Writes `picture` as an 8-bit RGB PNG.
fn write_png(picture: &Picture, path: &Path) {
    let file = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    let mut encoder = png::Encoder::new(file, picture.width as u32, picture.height as u32);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let data: Vec<u8> = picture
        .pixels
        .iter()
        .flat_map(|&p| [(p >> 16) as u8, (p >> 8) as u8, p as u8])
        .collect();
    encoder
        .write_header()
        .unwrap()
        .write_image_data(&data)
        .unwrap();
}

/// The project's suites (conformance ROMs, Ndless programs, demos with pictures) print the same
/// lines, instruction counts included, in the same order, with one job and with four.
#[test]
fn jobs_do_not_change_what_is_printed() {
    let suites = ["roms/tests/cpu", "roms/ndless", "roms/demos"];
    let one = emu_test(&[&["--jobs", "1"][..], &suites].concat());
    let four = emu_test(&[&["--jobs", "4"][..], &suites].concat());
    let stdout = text(&one.stdout);
    assert_eq!(one.status.code(), Some(0), "{stdout}");
    assert_eq!(stdout, text(&four.stdout));
    assert_eq!(four.status.code(), Some(0));
    let lines = verdicts(&stdout);
    assert!(lines.len() > 20, "{stdout}");
    let mut sorted = lines.clone();
    sorted.sort();
    assert_eq!(lines, sorted, "ROMs are printed in path order");
    assert!(stdout.contains("PASS roms/ndless/gems.tns ("), "{stdout}");
    assert!(
        stdout.contains("PASS roms/demos/snake/snake.elf ("),
        "{stdout}"
    );
}

/// Shard K of N runs the ROMs at indices K-1, K-1+N... of the whole sorted list: the three
/// shards of a list run each of its ROMs once, as the whole run does.
#[test]
fn shards_partition_the_roms() {
    let suites = ["roms/tests/mmu", "roms/tests/devices", "roms/ndless"];
    let whole = verdicts(&text(&emu_test(&suites).stdout));
    assert!(whole.len() >= 10, "{whole:?}");
    for k in 1..=3 {
        let shard = format!("{k}/3");
        let out = emu_test(&[&["--shard", &shard][..], &suites].concat());
        let expected: Vec<String> = whole
            .iter()
            .enumerate()
            .filter(|(i, _)| i % 3 == k - 1)
            .map(|(_, line)| line.clone())
            .collect();
        let stdout = text(&out.stdout);
        assert_eq!(verdicts(&stdout), expected, "shard {shard}");
        assert!(
            stdout.ends_with(&format!("{} passed, 0 failed\n", expected.len())),
            "{stdout}"
        );
    }
    for bad in ["0/3", "4/3", "3"] {
        let out = emu_test(&["--shard", bad, "roms/ndless"]);
        assert_eq!(out.status.code(), Some(2), "--shard {bad}");
    }
}

/// The JUnit report, read by Python's XML parser, and the JSON report hold one entry per ROM
/// with what happened: the passing ROM, and the failing one with its reason and its whole
/// output (quotes and all, escaped).
#[test]
fn reports_hold_what_happened() {
    let dir = folder("reports");
    let roms = dir.join("suite");
    std::fs::create_dir_all(&roms).unwrap();
    copy("roms/tests/gdb/target.elf", &roms);
    copy("roms/examples/newlib/hello.elf", &roms);
    let (junit, json) = (dir.join("report.xml"), dir.join("report.json"));
    let out = emu_test(&["--junit", path(&junit), "--json", path(&json), path(&roms)]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.ends_with("1 passed, 1 failed\n"), "{stdout}");

    let check = r#"
import sys, xml.etree.ElementTree as ET
suite = ET.parse(sys.argv[1]).getroot()
assert suite.tag == "testsuite", suite.tag
print(suite.get("tests"), suite.get("failures"))
for case in suite.iter("testcase"):
    failure = case.find("failure")
    print(case.get("classname"), case.get("name"), float(case.get("time")) >= 0)
    if failure is not None:
        print("failure:", failure.get("message"))
        print(failure.text, end="")
"#;
    let python = Command::new("python3")
        .arg("-c")
        .arg(check)
        .arg(&junit)
        .output()
        .expect("python3 runs (apt-get install python3)");
    let parsed = text(&python.stdout);
    assert!(python.status.success(), "{}{parsed}", text(&python.stderr));
    let class = roms.display().to_string().replace('/', ".");
    let hello_output = [
        "argc = 1",
        &format!("argv[0] = \"{}/hello.elf\"", roms.display()),
        "Exiting with status 3.",
    ];
    assert!(parsed.starts_with("2 1\n"), "{parsed}");
    assert!(
        parsed.contains(&format!(
            "{class} hello.elf True\nfailure: the guest exited with status 3\n"
        )),
        "{parsed}"
    );
    assert!(
        parsed.contains(&format!("{class} target.elf True\n")),
        "{parsed}"
    );
    for line in hello_output {
        assert!(parsed.contains(line), "{line} in {parsed}");
    }

    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let roms_json = report.as_array().unwrap();
    assert_eq!(roms_json.len(), 2);
    let hello = &roms_json[0];
    assert_eq!(hello["path"], format!("{}/hello.elf", roms.display()));
    assert_eq!(hello["verdict"], "fail");
    assert_eq!(hello["reason"], "the guest exited with status 3");
    assert!(hello["instructions"].as_u64().unwrap() > 1000);
    assert!(hello["seconds"].as_f64().unwrap() >= 0.0);
    for line in hello_output {
        assert!(hello["output"].as_str().unwrap().contains(line), "{line}");
    }
    let target = &roms_json[1];
    assert_eq!(target["verdict"], "pass");
    assert_eq!(target["reason"], serde_json::Value::Null);
    assert_eq!(target["instructions"], 212);
}

/// A folder of ROMs whose manifest expects what they do not do: a status, an output line, an
/// output file and a picture (the committed golden picture of hello with one pixel changed).
/// Each fails with its reason; the picture leaves the actual picture (the committed golden
/// one) and a difference image with that one pixel red.
#[test]
fn wrong_expectations_fail_with_their_reason() {
    let dir = folder("wrong");
    let roms = dir.join("roms");
    std::fs::create_dir_all(&roms).unwrap();
    copy("roms/ndless/gems.tns", &roms);
    copy("roms/examples/newlib/hello.elf", &roms);
    copy("roms/demos/hello/hello.bin", &roms);
    let mut golden = read_png(&golden_path("hello")).unwrap();
    golden.pixels[7 * 320 + 5] ^= 0x0000_0001;
    write_png(&golden, &roms.join("hello.png"));
    std::fs::write(roms.join("hello.out"), "Hello from newlib\n").unwrap();
    std::fs::write(
        roms.join("tests.ron"),
        r#"{
            "gems.tns": (frames: 10, status: 1, contains: ["gems: start"]),
            "hello.elf": (status: 3, output: "hello.out", contains: ["no such line"]),
            "hello.bin": (frames: 30, screenshot: "hello.png"),
        }"#,
    )
    .unwrap();
    let out_dir = dir.join("out");
    let out = emu_test(&["--out", path(&out_dir), path(&roms)]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    let lines = verdicts(&stdout);
    let r = roms.display();
    assert_eq!(
        lines[0],
        format!("FAIL {r}/gems.tns: the 10 frames ran out (status 0), expected status 1")
    );
    // Where the line says the pictures are.
    let after = |label: &str| {
        let rest = &lines[1][lines[1].find(label).unwrap() + label.len()..];
        PathBuf::from(rest.split(';').next().unwrap())
    };
    let (diff, actual) = (after("; difference in "), after("; actual picture in "));
    assert!(
        diff.starts_with(&out_dir) && actual.starts_with(&out_dir),
        "{}",
        lines[1]
    );
    assert_eq!(
        lines[1],
        format!(
            "FAIL {r}/hello.bin: the picture differs from {r}/hello.png: 1 pixel differs at \
             (5, 7): {:#08x}, expected {:#08x}; difference in {}; actual picture in {}",
            golden.pixels[7 * 320 + 5] ^ 1,
            golden.pixels[7 * 320 + 5],
            diff.display(),
            actual.display()
        )
    );
    assert_eq!(
        lines[2],
        format!(
            "FAIL {r}/hello.elf: the output lacks `no such line`; the output differs from \
             {r}/hello.out at line 1: `Hello from newlib on the TI-Nspire CX emulator!`, \
             expected `Hello from newlib`"
        )
    );
    assert!(stdout.ends_with("0 passed, 3 failed\n"), "{stdout}");
    // The actual picture is the committed golden one; the difference is that pixel, in red.
    let committed = read_png(&golden_path("hello")).unwrap();
    let actual = read_png(&actual).unwrap();
    assert_eq!(first_difference(&actual, 1, &committed), None);
    let diff = read_png(&diff).unwrap();
    let red: Vec<usize> = (0..diff.pixels.len())
        .filter(|&i| diff.pixels[i] == 0x00FF_0000)
        .collect();
    assert_eq!(red, [7 * 320 + 5]);
}

/// `--update` writes the expected picture and output of a run that ends as expected; the next
/// run passes. A run that ends otherwise writes nothing.
#[test]
fn update_rewrites_the_expectations() {
    let dir = folder("update");
    copy("roms/demos/hello/hello.bin", &dir);
    copy("roms/tests/gdb/target.elf", &dir);
    let mut changed = read_png(&golden_path("hello")).unwrap();
    changed.pixels[0] ^= 0x00FF_FFFF;
    write_png(&changed, &dir.join("hello.png"));
    std::fs::write(
        dir.join("tests.ron"),
        r#"{
            "hello.bin": (frames: 30, screenshot: "hello.png", output: "hello.out"),
            "target.elf": (status: 1, output: "target.out"),
        }"#,
    )
    .unwrap();
    let out = emu_test(&["--update", path(&dir)]);
    let stdout = text(&out.stdout);
    let d = dir.display();
    assert!(
        stdout.starts_with(&format!("PASS {d}/hello.bin (")),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!(
            " instructions; updated {d}/hello.out; updated {d}/hello.png)\n"
        )),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!(
            "FAIL {d}/target.elf: the guest exited with status 0, expected status 1"
        )),
        "{stdout}"
    );
    assert!(!dir.join("target.out").exists());
    let written = read_png(&dir.join("hello.png")).unwrap();
    let committed = read_png(&golden_path("hello")).unwrap();
    assert_eq!(first_difference(&written, 1, &committed), None);
    std::fs::write(
        dir.join("tests.ron"),
        r#"{ "hello.bin": (frames: 30, screenshot: "hello.png", output: "hello.out") }"#,
    )
    .unwrap();
    let out = emu_test(&[path(&dir)]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
}

/// A manifest RON cannot read, or naming a ROM that is not there, stops `emu test` before any
/// run: one line with the file (and the line and column), status 2.
#[test]
fn a_broken_manifest_is_one_line_and_status_2() {
    let dir = folder("broken");
    copy("roms/tests/gdb/target.elf", &dir);
    let manifest = dir.join("tests.ron");
    let cases = [
        (
            "{\n    \"target.elf\": (status: \"zero\"),\n}\n",
            "line 2, column",
        ),
        ("{ \"target.elf\": (colour: 1) }", "line 1, column"),
        ("{ \"other.elf\": () }", "`other.elf`: no such ROM"),
    ];
    for (text_of, want) in cases {
        std::fs::write(&manifest, text_of).unwrap();
        let out = emu_test(&[path(&dir)]);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(
            stderr.starts_with(&format!("emu: {}: ", manifest.display())),
            "{stderr}"
        );
        assert!(stderr.contains(want), "{want}: {stderr}");
        assert!(verdicts(&text(&out.stdout)).is_empty());
    }
}
