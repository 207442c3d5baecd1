#!/usr/bin/env bash
# crossrun.sh - run every conformance ROM (roms/tests/cpu: CPU, roms/tests/mmu: MMU) on QEMU and
# on emu and compare.
#
#   tools/crossrun.sh [NAME...]        all ROMs, or only the named ones (e.g. dsp newlib tlb)
#
# A NAME is looked up in roms/tests/cpu, then roms/tests/mmu (names are unique across both).
# For each ROM NAME, NAME.qemu.elf runs under
#   qemu-system-arm -M versatilepb -cpu arm926 -m 128M -nographic -semihosting
# and NAME.elf under
#   emu run --headless --semihosting --semihosting-root DIR
# each with a timeout, in an empty directory of its own (semihosting file I/O is relative to
# QEMU's working directory and to emu's --semihosting-root). A ROM passes when both exit with
# status 0 and print exactly the same console output (stdout and stderr together: QEMU prints
# SYS_WRITE0 text on stderr). One line per ROM, `PASS NAME` or `FAIL NAME: reason` with an
# excerpt of the difference, then `N passed, N failed`; the exit status is 1 if any ROM failed.
#
# A few ROMs test what QEMU does not model; they run on emu only (see EMU_ONLY below, and
# roms/README.md), and pass when emu runs them to exit status 0.
#
# Environment: EMU (default: $CARGO_TARGET_DIR or target, /release/emu; build it first with
# `cargo build --release`), QEMU (default qemu-system-arm), TIMEOUT seconds per run (default 120),
# RUST_LOG for emu (default "error", so that emu's warnings, e.g. about unmapped accesses, do not
# count as console output).
set -uo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
rom_dirs=("$root/roms/tests/cpu" "$root/roms/tests/mmu")
target="${CARGO_TARGET_DIR:-$root/target}"
case "$target" in /*) ;; *) target="$root/$target" ;; esac
EMU="${EMU:-$target/release/emu}"
QEMU="${QEMU:-qemu-system-arm}"
TIMEOUT="${TIMEOUT:-120}"

# ROMs QEMU cannot run to the same result, and why (the evidence is in roms/README.md).
declare -A EMU_ONLY=(
    [aborts]="QEMU versatilepb reads unmapped physical addresses as zero instead of raising an external abort"
    [v5_only]="QEMU's ARM926 lacks ARMv5 unaligned-LDR rotation and <op>S pc exception returns other than SUBS/MOVS, and executes ARMv6T2 Thumb encodings"
    [fcse_far]="QEMU reports the unmodified virtual address in the FAR after a fault on an FCSE-relocated address; the ARM926EJ-S reports the MVA"
    [extabort]="QEMU versatilepb reads unassigned physical addresses as zero instead of raising an external abort (its table walks do abort: see walkabort)"
)

if [ ! -x "$EMU" ]; then
    echo "crossrun: no emulator at $EMU (run 'cargo build --release', or set EMU)" >&2
    exit 2
fi
if ! command -v "$QEMU" >/dev/null 2>&1; then
    echo "crossrun: $QEMU not found (apt-get install qemu-system-arm, or set QEMU)" >&2
    exit 2
fi

if [ $# -gt 0 ]; then
    names=("$@")
else
    names=()
    for dir in "${rom_dirs[@]}"; do
        for elf in "$dir"/*.elf; do
            [ -e "$elf" ] || continue
            case "$elf" in *.qemu.elf) continue ;; esac
            names+=("$(basename "$elf" .elf)")
        done
    done
fi
if [ ${#names[@]} -eq 0 ]; then
    echo "crossrun: no ROMs in ${rom_dirs[*]} (run 'make -C roms')" >&2
    exit 2
fi

# rom_dir NAME: the directory holding NAME.elf (the first of rom_dirs if none does).
rom_dir() {
    local dir
    for dir in "${rom_dirs[@]}"; do
        if [ -f "$dir/$1.elf" ]; then
            echo "$dir"
            return
        fi
    done
    echo "${rom_dirs[0]}"
}

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

passed=0
failed=0

# excerpt FILE: its first lines, indented.
excerpt() {
    head -n 12 "$1" | sed 's/^/    | /'
}

# run_emu NAME DIR OUT: run NAME.elf under emu; prints the exit status.
run_emu() {
    (cd "$root" && RUST_LOG="${RUST_LOG:-error}" timeout "$TIMEOUT" "$EMU" run --headless --semihosting --semihosting-root "$2" \
        "$roms/$1.elf" </dev/null >"$3" 2>&1)
    echo $?
}

# run_qemu NAME DIR OUT: run NAME.qemu.elf under QEMU with DIR as its working directory.
# The versatilepb's sound chip (PL041) gets the silent audio backend: otherwise QEMU probes the
# host's, and Debian's QEMU without qemu-system-gui prints "module audio-audio-pa not found"
# and ALSA's complaints, which would count as console output (QEMU_AUDIO_DRV=none no longer
# stops that).
run_qemu() {
    (cd "$2" && timeout "$TIMEOUT" "$QEMU" -M versatilepb -cpu arm926 \
        -audiodev none,id=silent -global pl041.audiodev=silent \
        -m 128M -nographic -semihosting -kernel "$roms/$1.qemu.elf" </dev/null >"$3" 2>&1)
    echo $?
}

for name in "${names[@]}"; do
    roms="$(rom_dir "$name")"
    if [ ! -f "$roms/$name.elf" ]; then
        echo "FAIL $name: no ROM $roms/$name.elf"
        failed=$((failed + 1))
        continue
    fi
    dir="$work/$name"
    mkdir -p "$dir/emu" "$dir/qemu"

    if [ -n "${EMU_ONLY[$name]:-}" ]; then
        st=$(run_emu "$name" "$dir/emu" "$dir/emu.out")
        if [ "$st" = 0 ]; then
            echo "PASS $name (emu only: ${EMU_ONLY[$name]})"
            passed=$((passed + 1))
        else
            echo "FAIL $name: emu exit status $st (emu only)"
            tail -n 12 "$dir/emu.out" | sed 's/^/    | /'
            failed=$((failed + 1))
        fi
        continue
    fi

    if [ ! -f "$roms/$name.qemu.elf" ]; then
        echo "FAIL $name: no QEMU flavour $name.qemu.elf and not listed as emu-only"
        failed=$((failed + 1))
        continue
    fi
    qst=$(run_qemu "$name" "$dir/qemu" "$dir/qemu.out")
    est=$(run_emu "$name" "$dir/emu" "$dir/emu.out")
    reasons=()
    [ "$qst" = 0 ] || reasons+=("QEMU exit status $qst")
    [ "$est" = 0 ] || reasons+=("emu exit status $est")
    if ! cmp -s "$dir/qemu.out" "$dir/emu.out"; then
        reasons+=("console output differs")
    fi
    if [ ${#reasons[@]} -eq 0 ]; then
        echo "PASS $name ($(wc -l <"$dir/emu.out") lines)"
        passed=$((passed + 1))
    else
        msg="${reasons[0]}"
        for r in "${reasons[@]:1}"; do msg="$msg; $r"; done
        echo "FAIL $name: $msg"
        if cmp -s "$dir/qemu.out" "$dir/emu.out"; then
            tail -n 12 "$dir/emu.out" | sed 's/^/    | /'
        else
            diff -u --label "QEMU $name.qemu.elf" --label "emu $name.elf" \
                "$dir/qemu.out" "$dir/emu.out" >"$dir/diff"
            excerpt "$dir/diff"
        fi
        failed=$((failed + 1))
    fi
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
