#!/usr/bin/env bash
# `explain` of a 10 MB console dump (timestamps, stack lines, net::ERR_FAILED
# and other noise, with one CORS message in every 20 lines from all three
# browsers). Usage: bench/explain_10mb.sh
# BASELINE=/path/to/an/older/cors-doctor adds that binary to the same run
# (e.g. one built from an earlier commit in a git worktree), for a ratio.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -q -p cors-doctor
DUMP=${DUMP:-/tmp/cors-doctor-console-10mb.log}
python3 bench/make_console_dump.py "$DUMP" 10
ls -l "$DUMP"
commands=()
if [ -n "${BASELINE:-}" ]; then
  commands+=("$BASELINE explain --file $DUMP")
fi
commands+=(
  "target/release/cors-doctor explain --file $DUMP"
  "target/release/cors-doctor explain --json --file $DUMP"
)
hyperfine --warmup 2 --runs "${RUNS:-10}" -N "$@" "${commands[@]}"
