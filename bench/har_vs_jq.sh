#!/usr/bin/env bash
# `cors-doctor har` against `jq '.log.entries | length'` on the same large HAR
# (bench/make_har.py; SIZE_MB, default 1024): wall time with hyperfine and
# peak memory (max RSS, /usr/bin/time -v) of each, in one run.
# Usage: bench/har_vs_jq.sh   (SIZE_MB=256 RUNS=3 for a quicker run)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -q -p cors-doctor
SIZE_MB=${SIZE_MB:-1024}
HAR=${HAR:-/tmp/cors-doctor-bench-${SIZE_MB}mb.har}
[ -f "$HAR" ] || python3 bench/make_har.py "$HAR" "$SIZE_MB"
ls -l "$HAR"
BIN=target/release/cors-doctor
echo "== peak memory (max resident set size)"
for cmd in "$BIN har --json $HAR" "jq .log.entries|length $HAR"; do
  # shellcheck disable=SC2086
  # (har exits 1 when the file holds a blocked fetch, as this one does)
  { /usr/bin/time -v $cmd 2>&1 >/dev/null || true; } | awk -v c="$cmd" '/Maximum resident/ {printf "%-60s %8.1f MiB\n", c, $6/1024}'
done
echo "== wall time"
hyperfine --warmup 1 --runs "${RUNS:-5}" -N -i \
  "$BIN har --json $HAR" \
  "jq '.log.entries | length' $HAR"
