#!/usr/bin/env bash
# run_corsair.sh URLS_FILE THREADS OUT_DIR
# Runs corsair_scan over every URL of URLS_FILE (one per line) and writes into OUT_DIR:
#   corsair-raw/NNNNNN.in.json      its input: [{"url", "verb": "GET", "headers": {"Origin": <the URL's own origin>}}]
#   corsair-raw/NNNNNN.report.json  its raw -r report; NNNNNN.log its stdout/stderr; index.tsv
#   corsair.json                    the per-URL "report" entries merged
#   corsair.ndjson                  {"url": <input URL>, "classes": [<class id>]} per reported URL
# corsair has NO concurrency option (it scans its input list sequentially) and
# its first connection error (refused, DNS, TLS) kills the whole run, so we run
# one corsair process per URL, THREADS at a time (xargs -P THREADS). -nv turns
# certificate verification off. It sets no request timeout either: each process
# is capped by `timeout ${CORSAIR_TIMEOUT:-60}`.
# Env: PEERS_VENV (default /tmp/peers-venv), CORSAIR_TIMEOUT, PEER_EXTRA_SUFFIXES (see normalise.py).
set -euo pipefail
if [ $# -ne 3 ]; then echo "usage: $0 URLS_FILE THREADS OUT_DIR" >&2; exit 2; fi
URLS=$1 THREADS=$2 OUT=$3
HERE=$(cd "$(dirname "$0")" && pwd)
VENV=${PEERS_VENV:-/tmp/peers-venv}
PY="$VENV/bin/python"
[ -x "$PY" ] || { echo "no venv at $VENV: run $HERE/install.sh $VENV" >&2; exit 2; }
RAW="$OUT/corsair-raw"
rm -rf "$RAW"; mkdir -p "$RAW"
python3 "$HERE/normalise.py" prep-corsair "$URLS" "$RAW"
export PY HERE RAW CORSAIR_TIMEOUT=${CORSAIR_TIMEOUT:-60}
start=$(date +%s.%N)
# Equivalent plain invocation per URL: corsair -nv -r NNNNNN.report.json NNNNNN.in.json
cut -f1 "$RAW/index.tsv" | xargs -r -P "$THREADS" -I{} sh -c \
  'timeout "$CORSAIR_TIMEOUT" "$PY" "$HERE/normalise.py" exec-corsair -nv -r "$RAW/$1.report.json" "$RAW/$1.in.json" > "$RAW/$1.log" 2>&1 || echo "exit $?" >> "$RAW/$1.log"' _ {}
end=$(date +%s.%N)
echo "corsair: wall $(python3 -c "print(round($end-$start,2))") s" >&2
python3 "$HERE/normalise.py" corsair "$URLS" "$RAW" "$OUT/corsair.ndjson"
