#!/usr/bin/env bash
# Coverage-guided fuzzing of one harness of fuzz/ (cargo-fuzz, libFuzzer) for SECONDS seconds:
#   tools/fuzz.sh TARGET SECONDS        e.g. tools/fuzz.sh gdb 3600
#   tools/fuzz.sh list                  the targets
# It starts from the committed corpus fuzz/corpus/TARGET and keeps what it finds in
# fuzz/work/TARGET (not committed); a crash or a hang is written to fuzz/artifacts/TARGET/ and
# ends the run with a non-zero status (replay it: tools/fuzz.sh TARGET 0 fuzz/artifacts/...).
# The stable toolchain does: RUSTC_BOOTSTRAP=1 lets cargo-fuzz pass its sanitizer flags.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "cargo-fuzz is not installed: cargo install cargo-fuzz" >&2
    exit 2
fi
export RUSTC_BOOTSTRAP=1
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target/fuzz}"
if [ "${1:-}" = list ]; then
    cargo fuzz list
    exit 0
fi
if [ $# -lt 2 ] || ! [[ "$2" =~ ^[0-9]+$ ]]; then
    echo "usage: tools/fuzz.sh TARGET SECONDS [INPUT...] | tools/fuzz.sh list" >&2
    exit 2
fi
target=$1 seconds=$2
shift 2
# -O: optimised with debug assertions (fuzz/Cargo.toml); AddressSanitizer is off: the emulator
# is safe Rust, and without it the harnesses run several times faster.
flags=(-O -s none)
if [ $# -gt 0 ]; then
    # Replay the given inputs once each (a crash found earlier, a regression).
    exec cargo fuzz run "${flags[@]}" "$target" "$@"
fi
mkdir -p "fuzz/work/$target"
# -timeout: an input running 10 s is a hang; -rss_limit_mb: each input builds a 64 MiB machine.
exec cargo fuzz run "${flags[@]}" "$target" "fuzz/work/$target" "fuzz/corpus/$target" -- \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 -print_final_stats=1
