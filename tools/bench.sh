#!/usr/bin/env bash
# bench.sh - how fast emu's engines run, against QEMU on the same workloads, in one table.
#
#   tools/bench.sh [BENCH_ITERATIONS [WORKLOAD_ITERATIONS]]
#       defaults 300 (roms/bench: about 0.34 billion instructions in ARM, 0.49 billion in
#       Thumb) and 200 (each kernel of roms/workloads: 0.09 to 0.37 billion)
#
# Every workload runs with the MMU on, in its ARM and its Thumb build:
#   bench            roms/bench/bench(-thumb).elf --mmu N
#   list ... calls   roms/workloads/workloads(-thumb).elf --mmu KERNEL N, a row per kernel
# once each under
#   emu run --headless --semihosting --stats --engine E     for E = interp and jit
#   qemu-system-arm -M versatilepb -cpu arm926 ... -kernel NAME.qemu.elf (the same program
#       linked for QEMU's memory map)
# and the table gives, for each, the CPU time (user + system, as /usr/bin/time measures the
# whole process), the MIPS, and QEMU's time over each engine's (above 1: emu is faster). Every
# MIPS figure divides emu's instruction count (its --stats line) by the CPU time: QEMU runs the
# same program, its start-up code aside. Every run's output (QEMU's too) must be the
# interpreter's, so an engine that computed something else stops the table. Then Linux (guests/linux-nspire) boots
# under each engine to a little past its shell prompt (QEMU has no model of the CX: no ratio).
# The last lines are the geometric means of the QEMU/emu ratios, per engine, over the rows
# that have one.
#
# One run each on a machine others may share: the figures are a guide, not a measurement to
# quote; run it again, or time with a tool that repeats runs, before trusting a ratio. It takes
# about a minute on a 2-core machine.
#
# Environment: EMU (default: $CARGO_TARGET_DIR or target, /release/emu; build it first with
# `cargo build --release`), QEMU (default qemu-system-arm).
set -uo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
target="${CARGO_TARGET_DIR:-$root/target}"
case "$target" in /*) ;; *) target="$root/$target" ;; esac
EMU="${EMU:-$target/release/emu}"
QEMU="${QEMU:-qemu-system-arm}"
bench_iterations="${1:-300}"
workload_iterations="${2:-200}"

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
for n in "$bench_iterations" "$workload_iterations"; do
    case "$n" in
        '' | *[!0-9]* | 0) echo "bench: '$n' is not a number of iterations" >&2; exit 2 ;;
    esac
done

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

# ratio QEMU_SECONDS EMU_SECONDS
ratio() {
    awk -v q="$1" -v e="$2" 'BEGIN { if (e > 0) printf "%.2f", q / e; else print "-" }'
}

# The logarithms of the ratios, per engine, for the geometric means.
logs_interp=()
logs_jit=()

row_format='%-15s %11s %8s %5s %8s %5s %8s %5s %7s %7s\n'
printf "$row_format" workload instructions "interp s" MIPS "jit s" MIPS "QEMU s" MIPS \
    "Q/interp" "Q/jit"

# row NAME ELF QEMU_ELF ARGS...: runs the program (its arguments after argv[0]) under each
# engine and QEMU and prints its row.
row() {
    local name="$1" elf="$2" qemu_elf="$3"
    shift 3
    local count="" expected="" engine
    declare -A seconds=()
    for engine in interp jit; do
        if ! /usr/bin/time -f '%U %S' -o "$work/time" \
            "$EMU" run --headless --semihosting --stats --engine "$engine" "$elf" -- "$@" \
            >"$work/out" 2>"$work/err"; then
            echo "bench: $name under $engine failed:" >&2
            cat "$work/out" "$work/err" >&2
            exit 1
        fi
        if [ "$engine" = interp ]; then
            expected="$(cat "$work/out")"
        elif [ "$(cat "$work/out")" != "$expected" ]; then
            echo "bench: $name under $engine printed something else than under interp:" >&2
            diff <(echo "$expected") "$work/out" >&2
            exit 1
        fi
        count="$(sed -n 's/^emu: \([0-9]*\) instructions.*/\1/p' "$work/err")"
        seconds[$engine]="$(cpu_time "$work/time")"
    done
    local qemu_args="enable=on,target=native,arg=$(basename "$elf" .elf)"
    local arg
    for arg in "$@"; do
        qemu_args="$qemu_args,arg=$arg"
    done
    if ! (cd "$work" && QEMU_AUDIO_DRV=none /usr/bin/time -f '%U %S' -o "$work/time" \
        "$QEMU" -M versatilepb -cpu arm926 -m 128M -display none -serial null \
        -monitor none -semihosting-config "$qemu_args" -kernel "$qemu_elf" \
        >"$work/qemu-out" 2>/dev/null); then
        echo "bench: $name under QEMU failed:" >&2
        cat "$work/qemu-out" >&2
        exit 1
    fi
    if [ "$(cat "$work/qemu-out")" != "$expected" ]; then
        echo "bench: $name under QEMU printed something else than under emu:" >&2
        diff <(echo "$expected") "$work/qemu-out" >&2
        exit 1
    fi
    seconds[qemu]="$(cpu_time "$work/time")"
    local q="${seconds[qemu]}"
    logs_interp+=("$(awk -v q="$q" -v e="${seconds[interp]}" 'BEGIN { print log(q / e) }')")
    logs_jit+=("$(awk -v q="$q" -v e="${seconds[jit]}" 'BEGIN { print log(q / e) }')")
    printf "$row_format" "$name" "$count" \
        "${seconds[interp]}" "$(mips "$count" "${seconds[interp]}")" \
        "${seconds[jit]}" "$(mips "$count" "${seconds[jit]}")" \
        "$q" "$(mips "$count" "$q")" \
        "$(ratio "$q" "${seconds[interp]}")" "$(ratio "$q" "${seconds[jit]}")"
}

for build in ARM Thumb; do
    suffix=""
    [ "$build" = Thumb ] && suffix="-thumb"
    bench="$root/roms/bench/bench$suffix"
    row "bench $build" "$bench.elf" "$bench.qemu.elf" --mmu "$bench_iterations"
done
for kernel in list matrix state crc calls; do
    for build in ARM Thumb; do
        suffix=""
        [ "$build" = Thumb ] && suffix="-thumb"
        workloads="$root/roms/workloads/workloads$suffix"
        row "$kernel $build" "$workloads.elf" "$workloads.qemu.elf" \
            --mmu "$kernel" "$workload_iterations"
    done
done

# The guest prints its prompt after about 240 million instructions (with this RTC); the run
# stops a little after it.
linux_insns=250000000
declare -A linux=()
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
    linux[$engine]="$(cpu_time "$work/time")"
done
printf "$row_format" "Linux prompt" "$linux_insns" \
    "${linux[interp]}" "$(mips "$linux_insns" "${linux[interp]}")" \
    "${linux[jit]}" "$(mips "$linux_insns" "${linux[jit]}")" "-" "-" "-" "-"

echo
# geomean LOGS...: the geometric mean of the ratios whose logarithms are given.
geomean() {
    printf '%s\n' "$@" | awk '{ s += $1; n++ } END { printf "%.2f", exp(s / n) }'
}
printf 'geometric mean of QEMU/emu over %d rows: interp %s, jit %s\n' "${#logs_jit[@]}" \
    "$(geomean "${logs_interp[@]}")" "$(geomean "${logs_jit[@]}")"
