//! A profile written out: as text for a person, or in callgrind's format (the "Callgrind
//! Format Specification" of Valgrind's manual) for KCachegrind and `callgrind_annotate`.

use std::fmt::Write;

use super::{Cost, Profile};

fn percent(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        100.0 * part as f64 / whole as f64
    }
}

/// The text report: totals, exceptions, the functions by their own instructions (at most
/// `limit`), and the `limit` hottest addresses.
pub fn text(profile: &Profile, limit: usize) -> String {
    let mut out = String::new();
    let total = profile.total;
    let _ = writeln!(
        out,
        "{} instructions, {} cycles ({} more waiting for an interrupt)",
        total.instructions, total.cycles, profile.waiting
    );
    if profile.exceptions.is_empty() {
        out.push_str("exceptions and interrupts: none\n");
    } else {
        let list: Vec<String> = profile
            .exceptions
            .iter()
            .map(|(name, n)| format!("{name} {n}"))
            .collect();
        let _ = writeln!(out, "exceptions and interrupts: {}", list.join(", "));
    }
    let _ = writeln!(
        out,
        "\n{:>12} {:>6} {:>12} {:>12} {:>6} {:>10}  function",
        "own", "own%", "own cycles", "inclusive", "incl%", "calls"
    );
    for f in profile.functions.iter().take(limit) {
        let _ = writeln!(
            out,
            "{:>12} {:>5.1}% {:>12} {:>12} {:>5.1}% {:>10}  {}",
            f.own.instructions,
            percent(f.own.instructions, total.instructions),
            f.own.cycles,
            f.inclusive.instructions,
            percent(f.inclusive.instructions, total.instructions),
            f.calls,
            f.name
        );
    }
    let mut addresses: Vec<(u32, Cost, &str, u32)> = profile
        .functions
        .iter()
        .flat_map(|f| {
            f.addresses
                .iter()
                .map(move |&(pc, cost)| (pc, cost, f.name.as_str(), f.addr))
        })
        .collect();
    addresses.sort_by(|a, b| b.1.instructions.cmp(&a.1.instructions).then(a.0.cmp(&b.0)));
    let _ = writeln!(out, "\n{:>12} {:>6}  address", "instructions", "%");
    for (pc, cost, name, start) in addresses.into_iter().take(limit) {
        let _ = writeln!(
            out,
            "{:>12} {:>5.1}%  0x{pc:08x} {name}+0x{:x}",
            cost.instructions,
            percent(cost.instructions, total.instructions),
            pc.wrapping_sub(start)
        );
    }
    out
}

/// The profile in callgrind's format: one `fn=` block a function with its addresses' own
/// costs (positions are instruction addresses), and a `cfn=`/`calls=` pair a call site with
/// what its calls cost inclusively. `object` names the program (`ob=`).
pub fn callgrind(profile: &Profile, object: &str) -> String {
    let mut out = String::new();
    out.push_str("# callgrind format\nversion: 1\ncreator: emu\npositions: instr\n");
    out.push_str("events: Instructions Cycles\n");
    let _ = writeln!(
        out,
        "summary: {} {}\n",
        profile.total.instructions, profile.total.cycles
    );
    let name = |addr: u32| {
        profile
            .function(addr)
            .map_or_else(|| format!("0x{addr:08x}"), |f| f.name.clone())
    };
    let mut functions: Vec<_> = profile.functions.iter().collect();
    functions.sort_by_key(|f| f.addr);
    for f in functions {
        // No source files: `???`, as Valgrind names an unknown one.
        let _ = writeln!(out, "ob={object}\nfl=???\nfn={}", f.name);
        for &(pc, cost) in &f.addresses {
            let _ = writeln!(out, "0x{pc:x} {} {}", cost.instructions, cost.cycles);
        }
        for call in profile.calls.iter().filter(|c| c.caller == f.addr) {
            let _ = writeln!(
                out,
                "cob={object}\ncfi=???\ncfn={}\ncalls={} 0x{:x}\n0x{:x} {} {}",
                name(call.callee),
                call.calls.count,
                call.callee,
                call.site,
                call.calls.inclusive.instructions,
                call.calls.inclusive.cycles
            );
        }
        out.push('\n');
    }
    out
}

/// The profile as folded stacks (Brendan Gregg's `stackcollapse` output, which
/// `flamegraph.pl` and speedscope read): one line a call path, `outer;...;inner COUNT`, its
/// instructions.
pub fn folded(profile: &Profile) -> String {
    let mut out = String::new();
    for (path, count) in &profile.stacks {
        let _ = writeln!(out, "{path} {count}");
    }
    out
}

/// Whether a file named `path` gets callgrind's format (`callgrind.out*`, `*.callgrind`,
/// as KCachegrind finds them) rather than the text report.
pub fn wants_callgrind(path: &std::path::Path) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    name.starts_with("callgrind.out") || name.ends_with(".callgrind")
}

/// Writes the profile to `path`, in the format its name asks for (`*.folded`: folded stacks);
/// the error names the file.
pub fn save(profile: &Profile, path: &std::path::Path, object: &str) -> Result<(), String> {
    let folded_stacks = path.extension().is_some_and(|e| e == "folded");
    let text = if wants_callgrind(path) {
        callgrind(profile, object)
    } else if folded_stacks {
        folded(profile)
    } else {
        text(profile, usize::MAX)
    };
    crate::files::write_whole(path, |temp| std::fs::write(temp, &text))
}
