#!/usr/bin/env bash
# `verify` of a 100-rule policy against the lab on loopback (issue #14's
# target: under 2 s). The rules cycle through the lab's correctly
# configured endpoints (each with its own query string, so every rule's
# requests are distinct on the wire) and one that reflects any origin.
# Prints the requests sent, then times it with hyperfine.
# Usage: bench/verify_100_rules.sh [extra hyperfine args]   (needs hyperfine)
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${PORT:-18789}
. bench/lib.sh
POLICY=${TMPDIR:-/tmp}/cors-doctor-bench-100-rules.toml
python3 - "$BASE" > "$POLICY" <<'PY'
import sys
base = sys.argv[1]
print(f'version = 1\n\n[[api]]\nname = "lab"\nbase_url = "{base}"\n')
shapes = [
    ('/ok/simple', '["https://app.example.com"]', '[]', '[]', 'false'),
    ('/ok/preflight', '["https://app.example.com"]', '["PUT"]', '["Content-Type", "Authorization"]', 'true'),
    ('/ok/wildcard', '["*"]', '["POST"]', '["Content-Type"]', 'false'),
    ('/reflect-with-vary', '["https://*.example.com"]', '[]', '[]', 'true'),
    ('/reflect-no-vary', '["https://app.example.com"]', '[]', '[]', 'true'),
]
for i in range(100):
    path, origins, methods, headers, cred = shapes[i % len(shapes)]
    print(f'[[api.rule]]\nname = "rule {i}"\npath = "{path}"\nprobe = ["{path}?rule={i}"]\n'
          f'allow_origins = {origins}\nmethods = {methods}\nrequest_headers = {headers}\ncredentials = {cred}\n')
PY
{ $BIN verify "$POLICY" --cacert "$CACERT" --json || true; } | python3 -c '
import json, sys
d = json.load(sys.stdin)
print("100 rules: %d cases (%d held, %d violated), %d requests sent" % (len(d["cases"]), d["held"], d["violated"], d["requests_sent"]))'
hyperfine --warmup 2 --runs ${RUNS:-10} -N -i "$@" \
  -n "cors-doctor verify (100 rules)" "$BIN verify $POLICY --cacert $CACERT --json"
