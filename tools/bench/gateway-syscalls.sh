#!/usr/bin/env bash
# Counts the gateway's socket-write system calls while the chat bench runs some of its phases:
#   tools/bench/gateway-syscalls.sh [phases] [seconds]     (default: hit,hit-closed 25)
# Syscall counts do not depend on how busy the machine is, unlike CPU time: compare them between
# two builds. Needs strace (Debian package strace) and built apps.
set -euo pipefail
cd "$(dirname "$0")/../.."
phases=${1:-hit,hit-closed}
seconds=${2:-25}
log=$(mktemp)
BENCH_PHASES=$phases npm run bench:chat >"$log" 2>&1 &
bench=$!
pid=
for _ in $(seq 1 1500); do
  pid=$(pgrep -f "dist/apps/chat-gateway/main.js" | head -1 || true)
  if [ -n "$pid" ]; then
    port=$(ss -ltnp | grep "pid=$pid," | grep -o ':[0-9]*' | head -1 | tr -d : || true)
    if [ -n "$port" ] && curl -sf "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; then break; fi
  fi
  sleep 0.2
done
[ -n "$pid" ] || { echo "the gateway did not start; bench output: $log" >&2; exit 1; }
sleep 3 # the bench's warm-up round
counts=$(mktemp)
timeout "$seconds" strace -f -c -e trace=writev,write,sendmsg -p "$pid" -o "$counts" 2>/dev/null || true
wait "$bench"
echo "gateway write syscalls over ${seconds} s of phases ${phases}:"
cat "$counts"
rm -f "$counts"
grep -E '^gateway, cache|^cache hit|^cache miss' "$log"
rm -f "$log"
