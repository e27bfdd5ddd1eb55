#!/usr/bin/env bash
# `explain` of a 10 MB console dump (timestamps, stack lines, net::ERR_FAILED
# and other noise, with one CORS message in every 20 lines from all three
# browsers). Usage: bench/explain_10mb.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -q -p cors-doctor
DUMP=${DUMP:-/tmp/cors-doctor-console-10mb.log}
python3 bench/make_console_dump.py "$DUMP" 10
ls -l "$DUMP"
hyperfine --warmup 2 --runs ${RUNS:-10} -N "$@" \
  "target/release/cors-doctor explain --file $DUMP" \
  "target/release/cors-doctor explain --json --file $DUMP"
