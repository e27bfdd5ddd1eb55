#!/usr/bin/env bash
# run_corscanner.sh URLS_FILE THREADS OUT_DIR
# Runs CORScanner (PyPI `cors`) over every URL of URLS_FILE (one per line) with
# its own concurrency option (-t THREADS gevent greenlets, one URL each at a
# time), certificate checks off (CORScanner always sends verify=False), and
# writes into OUT_DIR:
#   corscanner.urls      the URLs given to it (blank / # lines dropped)
#   corscanner.json      its raw -o report (JSON array, one object per URL with a finding)
#   corscanner.stdout    its "Found misconfiguration!" log lines; .stderr
#   corscanner.ndjson    {"url": <input URL>, "classes": [<class id>]} per reported URL
# Env: PEERS_VENV (default /tmp/peers-venv), CORSCANNER_TIMEOUT (per request,
# default 10 s, the tool's own), PEER_EXTRA_SUFFIXES (see normalise.py).
set -euo pipefail
if [ $# -ne 3 ]; then echo "usage: $0 URLS_FILE THREADS OUT_DIR" >&2; exit 2; fi
URLS=$1 THREADS=$2 OUT=$3
HERE=$(cd "$(dirname "$0")" && pwd)
VENV=${PEERS_VENV:-/tmp/peers-venv}
PY="$VENV/bin/python"
[ -x "$PY" ] || { echo "no venv at $VENV: run $HERE/install.sh $VENV" >&2; exit 2; }
mkdir -p "$OUT"
# CORScanner reads the file with linecache; give it the cleaned list.
python3 -c 'import sys; sys.path.insert(0, sys.argv[1]); import normalise as n; print("\n".join(n.read_urls(sys.argv[2])))' \
  "$HERE" "$URLS" > "$OUT/corscanner.urls"
rm -f "$OUT/corscanner.json"
start=$(date +%s.%N)
# Equivalent plain invocation: cors -i URLS -t THREADS -T 10 -o corscanner.json
"$PY" "$HERE/normalise.py" exec-corscanner -i "$OUT/corscanner.urls" -t "$THREADS" \
  -T "${CORSCANNER_TIMEOUT:-10}" -o "$OUT/corscanner.json" \
  > "$OUT/corscanner.stdout" 2> "$OUT/corscanner.stderr" || echo "corscanner exited $?" >&2
end=$(date +%s.%N)
echo "corscanner: wall $(python3 -c "print(round($end-$start,2))") s" >&2
python3 "$HERE/normalise.py" corscanner "$URLS" "$OUT/corscanner.json" "$OUT/corscanner.ndjson"
