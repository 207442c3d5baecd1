#!/usr/bin/env bash
# Soak test: boots the Linux guest (guests/linux-nspire) headless, keeps its shell busy for
# MINUTES minutes (files made and removed, `ls -R /`, `dd`, `sleep`), samples emu's resident
# memory every few seconds, and at the end checks that the shell still answers and that the
# resident memory stayed under a bound. Not part of `cargo test`: run it by hand.
#
#   tools/soak.sh [MINUTES] [RSS_LIMIT_MB]     (defaults: 10 minutes, 256 MB)
#
# It needs a release build (`cargo build --release`; EMU=path/to/emu overrides). The console is
# a pipe (so the run is not paced to real time), the output goes to a log in a temporary
# folder. Exit status 0 when every check held, 1 otherwise, 2 on bad arguments.
set -euo pipefail

minutes=${1:-10}
limit_mb=${2:-256}
case "$minutes$limit_mb" in
*[!0-9]* | "")
    echo "usage: tools/soak.sh [MINUTES] [RSS_LIMIT_MB] (whole numbers)" >&2
    exit 2
    ;;
esac
root=$(cd "$(dirname "$0")/.." && pwd)
emu=${EMU:-${CARGO_TARGET_DIR:-$root/target}/release/emu}
if [ ! -x "$emu" ]; then
    echo "soak: $emu is not built: run cargo build --release (or set EMU)" >&2
    exit 2
fi

work=$(mktemp -d)
mkfifo "$work/console"
log=$work/console.log
pid=
cleanup() {
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill "$pid"; fi
    exec 3>&- || true
    rm -rf "$work"
}
trap cleanup EXIT

"$emu" run --headless --stats --rtc 1767225600 \
    --kernel "$root/guests/linux-nspire/zImage" \
    --dtb "$root/guests/linux-nspire/nspire-cx.dtb" \
    <"$work/console" >"$log" 2>"$work/stderr" &
pid=$!
exec 3>"$work/console"

rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status" 2>/dev/null || echo 0; }

# Waits up to $2 seconds for the text $1 in the log; false if it did not come.
wait_for() {
    local deadline=$((SECONDS + $2))
    while ((SECONDS < deadline)); do
        grep -qF -- "$1" "$log" && return 0
        kill -0 "$pid" 2>/dev/null || return 1
        sleep 0.5
    done
    return 1
}

if ! wait_for "/ # " 60; then
    echo "soak: the guest's shell did not start within 60 s" >&2
    tail -n 20 "$log" >&2
    exit 1
fi
start_kb=$(rss_kb)
max_kb=$start_kb
answered=0
missed=0
round=0
end=$((SECONDS + minutes * 60))
next_sample=$SECONDS
while ((SECONDS < end)); do
    round=$((round + 1))
    # One round of work; the answer "soak N" is printed only by the command's last step,
    # while the shell's echo of the line shows "soak" "N" (quoted), so it cannot match.
    printf '%s\n' "mkdir -p /tmp/soak/d$round && dd if=/dev/zero of=/tmp/soak/d$round/f bs=1k count=256 2>/dev/null && ls -R / >/dev/null 2>&1; for f in a b c d; do echo \$f > /tmp/soak/d$round/\$f; done; cat /tmp/soak/d$round/* >/dev/null; rm -r /tmp/soak/d$round; sleep 1; echo \"soak\" \"$round\"" >&3
    if wait_for "soak $round" 60; then
        answered=$((answered + 1))
    else
        missed=$((missed + 1))
        kill -0 "$pid" 2>/dev/null || break
    fi
    if ((SECONDS >= next_sample)); then
        now_kb=$(rss_kb)
        ((now_kb > max_kb)) && max_kb=$now_kb
        next_sample=$((SECONDS + 5))
    fi
done

# The last check: the shell still answers a fresh command.
printf '%s\n' 'echo "soak" "alive"' >&3
alive=no
wait_for "soak alive" 30 && alive=yes
end_kb=$(rss_kb)
((end_kb > max_kb)) && max_kb=$end_kb
printf '%s\n' 'poweroff' >&3
exec 3>&-
wait "$pid" || true
pid=
instructions=$(grep -o '[0-9][0-9,]* instructions' "$work/stderr" | tail -n 1 || true)

echo "soak: $minutes min, $round rounds, $answered answered, $missed missed, shell alive: $alive"
echo "soak: RSS start $((start_kb / 1024)) MB, max $((max_kb / 1024)) MB, end $((end_kb / 1024)) MB (limit $limit_mb MB)"
echo "soak: ${instructions:-instructions unknown (no --stats line)}"
if [ "$alive" = yes ] && ((missed == 0)) && ((max_kb <= limit_mb * 1024)); then
    echo "soak: PASS"
else
    echo "soak: FAIL"
    tail -n 20 "$log" >&2
    exit 1
fi
