#!/usr/bin/env bash
# `scan` of one lab endpoint across a matrix of at least 20 origins × 6
# request kinds × 2 credentials modes (the issue's target), on loopback.
# Prints the matrix size and requests sent, then times it with hyperfine.
# Usage: bench/scan_matrix.sh [extra hyperfine args]   (needs hyperfine)
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${PORT:-18788}
. bench/lib.sh
URL=$BASE/reflect-no-vary
ARGS="--origin https://app.example.com --origin https://admin.example.com --cacert $CACERT"
{ $BIN scan $URL $ARGS --json || true; } | python3 -c '
import json, sys
d = json.load(sys.stdin)
print("matrix: %d origins x %d kinds x 2 credentials modes = %d cells x 3 browsers; %d requests sent" % (len(d["origins"]), len(d["kinds"]), len(d["cells"]), d["requests_sent"]))'
hyperfine --warmup 3 --runs ${RUNS:-30} -N -i "$@" \
  -n "cors-doctor scan (matrix above)" "$BIN scan $URL $ARGS --json"
