#!/usr/bin/env bash
# bench.sh - how fast emu's engines run the benchmark, against QEMU on the same workload.
#
#   tools/bench.sh [ITERATIONS]        default 300 iterations of roms/bench (about 0.34 billion
#                                      instructions in ARM, 0.48 billion in Thumb)
#
# For the ARM and the Thumb build of roms/bench, with the MMU on (`bench --mmu N`), it runs
#   emu run --headless --semihosting --stats --engine E     for E = interp and jit
#   qemu-system-arm -M versatilepb -cpu arm926 ... -kernel roms/bench/NAME.qemu.elf
# once each and prints the CPU time (user + system, as /usr/bin/time measures the whole
# process), the MIPS, and QEMU's time over emu's (above 1: emu is faster). Every MIPS figure
# divides emu's instruction count (its --stats line) by the CPU time: QEMU runs the same
# program, its start-up code aside. Then it boots Linux (guests/linux-nspire) under each
# engine to a little past its shell prompt and prints the CPU time of the run.
#
# One run each on a machine others may share: the figures are a guide, not a measurement to
# quote; run it again, or time with a tool that repeats runs, before trusting a ratio.
#
# Environment: EMU (default: $CARGO_TARGET_DIR or target, /release/emu; build it first with
# `cargo build --release`), QEMU (default qemu-system-arm).
set -uo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
target="${CARGO_TARGET_DIR:-$root/target}"
case "$target" in /*) ;; *) target="$root/$target" ;; esac
EMU="${EMU:-$target/release/emu}"
QEMU="${QEMU:-qemu-system-arm}"
iterations="${1:-300}"

if [ ! -x "$EMU" ]; then
    echo "bench: no emulator at $EMU (run 'cargo build --release', or set EMU)" >&2
    exit 2
fi
if ! command -v "$QEMU" >/dev/null 2>&1; then
    echo "bench: $QEMU not found (apt-get install qemu-system-arm, or set QEMU)" >&2
    exit 2
fi
if [ ! -x /usr/bin/time ]; then
    echo "bench: /usr/bin/time not found (apt-get install time)" >&2
    exit 2
fi
case "$iterations" in
    '' | *[!0-9]*) echo "bench: '$iterations' is not a number of iterations" >&2; exit 2 ;;
esac

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# cpu_time FILE: the user + system seconds /usr/bin/time wrote to FILE (its last line: a
# line about the exit status may come first).
cpu_time() {
    tail -n 1 "$1" | awk '{ printf "%.3f", $1 + $2 }'
}

# mips COUNT SECONDS
mips() {
    awk -v n="$1" -v s="$2" 'BEGIN { if (s > 0) printf "%.0f", n / s / 1e6; else print "-" }'
}

printf '%-7s %-7s %12s %9s %8s %s\n' build engine instructions "cpu s" MIPS "QEMU/emu"
for name in bench bench-thumb; do
    build=ARM
    [ "$name" = bench-thumb ] && build=Thumb
    declare -A seconds=()
    count=""
    for engine in interp jit; do
        if ! /usr/bin/time -f '%U %S' -o "$work/time" \
            "$EMU" run --headless --semihosting --stats --engine "$engine" \
            "$root/roms/bench/$name.elf" -- --mmu "$iterations" \
            >"$work/out" 2>"$work/err"; then
            echo "bench: $name under $engine failed:" >&2
            cat "$work/err" >&2
            exit 1
        fi
        count="$(sed -n 's/^emu: \([0-9]*\) instructions.*/\1/p' "$work/err")"
        seconds[$engine]="$(cpu_time "$work/time")"
    done
    (cd "$work" && QEMU_AUDIO_DRV=none /usr/bin/time -f '%U %S' -o "$work/time" \
        "$QEMU" -M versatilepb -cpu arm926 -m 128M -display none -serial null \
        -monitor none \
        -semihosting-config "enable=on,target=native,arg=bench,arg=--mmu,arg=$iterations" \
        -kernel "$root/roms/bench/$name.qemu.elf" >/dev/null 2>&1)
    seconds[qemu]="$(cpu_time "$work/time")"
    for engine in interp jit qemu; do
        s="${seconds[$engine]}"
        ratio="$(awk -v q="${seconds[qemu]}" -v e="$s" 'BEGIN { printf "%.2f", q / e }')"
        [ "$engine" = qemu ] && ratio=""
        printf '%-7s %-7s %12s %9s %8s %s\n' "$build" "$engine" "$count" "$s" \
            "$(mips "$count" "$s")" "$ratio"
    done
    unset seconds
done

echo
# The guest prints its prompt after about 240 million instructions (with this RTC); the run
# stops a little after it.
linux_insns=250000000
printf '%-36s %9s\n' "Linux, $linux_insns instructions" "cpu s"
for engine in interp jit; do
    /usr/bin/time -f '%U %S' -o "$work/time" \
        "$EMU" run --headless --engine "$engine" --rtc 1767225600 --max-insns "$linux_insns" \
        --kernel "$root/guests/linux-nspire/zImage" \
        --dtb "$root/guests/linux-nspire/nspire-cx.dtb" </dev/null >"$work/out" 2>&1
    if ! grep -q '/ # ' "$work/out"; then
        echo "bench: Linux under $engine did not reach its prompt:" >&2
        tail -5 "$work/out" >&2
        exit 1
    fi
    printf '%-36s %9s\n' "$engine (to the prompt)" "$(cpu_time "$work/time")"
done
