#!/usr/bin/env bash
# Coverage-guided fuzzing of one harness of fuzz/ (cargo-fuzz, libFuzzer) for SECONDS seconds:
#   tools/fuzz.sh [-s SANITIZER] TARGET SECONDS     e.g. tools/fuzz.sh gdb 3600
#   tools/fuzz.sh list                              the targets
#   tools/fuzz.sh cmin TARGET                       fold fuzz/work/TARGET into the corpus
# It starts from the committed corpus fuzz/corpus/TARGET and keeps what it finds in
# fuzz/work/TARGET (not committed); a crash or a hang is written to fuzz/artifacts/TARGET/ and
# ends the run with a non-zero status (replay it: tools/fuzz.sh TARGET 0 fuzz/artifacts/...).
# `cmin` minimises fuzz/corpus/TARGET together with what runs found (cargo fuzz cmin keeps
# the smallest inputs that reach every feature), for committing.
# The stable toolchain does: RUSTC_BOOTSTRAP=1 lets cargo-fuzz pass its sanitizer flags.
#
# -s SANITIZER: none (the default) or address. The emulator is Rust, but not all of it is safe
# Rust: the x86-64 backend (emu/src/engine/x64) writes machine code into executable memory and
# calls it, with raw pointers into the guest's memory and the TLB. AddressSanitizer catches
# what that code reads or writes out of bounds on the Rust side (the compiled code itself is
# not instrumented); it runs the harnesses several times slower, so it is for jit_block and
# cpu_step runs, and the fast default for the rest. Each sanitizer builds in a folder of its
# own, so switching does not rebuild the other.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() {
    echo "usage: tools/fuzz.sh [-s none|address] TARGET SECONDS [INPUT...]" >&2
    echo "       tools/fuzz.sh list | tools/fuzz.sh cmin TARGET" >&2
    exit 2
}
sanitizer=none
if [ "${1:-}" = -s ]; then
    case "${2:-}" in
        none | address) sanitizer=$2 ;;
        *) usage ;;
    esac
    shift 2
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "cargo-fuzz is not installed: cargo install cargo-fuzz" >&2
    exit 2
fi
export RUSTC_BOOTSTRAP=1
if [ "$sanitizer" = none ]; then
    export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target/fuzz}"
else
    export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target/fuzz}-$sanitizer"
fi
if [ "${1:-}" = list ]; then
    cargo fuzz list
    exit 0
fi
if [ "${1:-}" = cmin ] && [ $# -eq 2 ]; then
    if [ -d "fuzz/work/$2" ]; then
        cp -n "fuzz/work/$2"/* "fuzz/corpus/$2"/ 2>/dev/null || true
    fi
    exec cargo fuzz cmin -O -s "$sanitizer" "$2" "fuzz/corpus/$2"
fi
if [ $# -lt 2 ] || ! [[ "$2" =~ ^[0-9]+$ ]]; then
    usage
fi
target=$1 seconds=$2
shift 2
# -O: optimised with debug assertions and overflow checks (fuzz/Cargo.toml).
flags=(-O -s "$sanitizer")
if [ $# -gt 0 ]; then
    # Replay the given inputs once each (a crash found earlier, a regression).
    exec cargo fuzz run "${flags[@]}" "$target" "$@"
fi
mkdir -p "fuzz/work/$target"
# -timeout: an input running FUZZ_TIMEOUT seconds (10) is a hang. libFuzzer measures it on
# the wall clock, so a run at `nice -n 19` on a busy machine, which may get 1% of a core,
# needs more (120). -rss_limit_mb: the harnesses that build a CX hold its 64 MiB of SDRAM,
# and AddressSanitizer's shadow memory comes on top.
exec cargo fuzz run "${flags[@]}" "$target" "fuzz/work/$target" "fuzz/corpus/$target" -- \
    -max_total_time="$seconds" -timeout="${FUZZ_TIMEOUT:-10}" -rss_limit_mb=4096 \
    -print_final_stats=1
