#!/usr/bin/env bash
# `audit` against an estate of N endpoints with one planted CORS mistake (or
# none) each — `cors-doctor lab --estate N --estate-hosts`: distinct host names
# www.sN.test on their own 127.2.x.y addresses (mapped in /etc/hosts for the
# run, restored on exit), https on 443 with a test CA, some plain http on 80 —
# and, in the same run, CORScanner (PyPI `cors`) and corsair_scan (PyPI) on the
# same targets at the same concurrency. Prints endpoints/s, requests per
# endpoint (counted by the server), peak RSS, and recall/precision per class
# (bench/audit_score.py). Needs root (ports 443/80, /etc/hosts).
#
# The peers are slow (tens of requests per second), so by default they get a
# sample: every PEER_SAMPLE-th endpoint (8 is coprime with the estate's
# 25-class rotation, so every class is in it); `audit` runs on the sample too,
# for a like-for-like ratio, and on the whole estate.
#
# Usage: bench/audit_estate.sh            N=2000 CONC=64 PEER_SAMPLE=8 AUDIT_RUNS=3
#        N=10000 PEERS=0 bench/audit_estate.sh   (audit only: memory vs size)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-2000}
CONC=${CONC:-64}
PEER_SAMPLE=${PEER_SAMPLE:-8}
PEERS=${PEERS:-1}
AUDIT_RUNS=${AUDIT_RUNS:-3}
OUT=${OUT:-/tmp/audit-estate-$N}
VENV=${PEERS_VENV:-/tmp/peers-venv}
[ "$(id -u)" = 0 ] || { echo "needs root: binds ports 443 and 80 and edits /etc/hosts" >&2; exit 2; }
cargo build --release -q -p cors-doctor
BIN=$PWD/target/release/cors-doctor
rm -rf "$OUT"; mkdir -p "$OUT"
cp /etc/hosts "$OUT/hosts.backup"
$BIN lab --estate "$N" --estate-hosts --estate-dir "$OUT/estate" > "$OUT/estate.log" 2>&1 &
ESTATE=$!
trap 'kill $ESTATE 2>/dev/null || true; cp "$OUT/hosts.backup" /etc/hosts' EXIT
for _ in $(seq 1 600); do [ -s "$OUT/estate/ca.pem" ] && break; sleep 0.1; done
[ -s "$OUT/estate/ca.pem" ] || { cat "$OUT/estate.log" >&2; exit 1; }
cat "$OUT/estate/hosts" >> /etc/hosts
COUNT_URL=https://$(head -1 "$OUT/estate/hosts" | cut -d' ' -f2)/__estate/requests
count() { curl -s --cacert "$OUT/estate/ca.pem" "$COUNT_URL" | python3 -c 'import json,sys; print(json.load(sys.stdin)["requests"])'; }
awk "NR % $PEER_SAMPLE == 1" "$OUT/estate/targets.txt" > "$OUT/sample.txt"
python3 - "$OUT/estate/truth.json" "$OUT/sample.txt" "$OUT/sample-truth.json" <<'EOF'
import json, sys
truth = json.load(open(sys.argv[1]))
keep = set(l.strip() for l in open(sys.argv[2]) if l.strip())
json.dump([t for t in truth if t["url"] in keep], open(sys.argv[3], "w"))
EOF

# run NAME URLS CMD...: wall time, peak RSS (of the process tree's largest
# process, GNU time), requests counted by the estate.
results=()
run() {
  local name=$1 urls=$2; shift 2
  local before after start end n
  before=$(count)
  start=$(date +%s.%N)
  /usr/bin/time -f '%M' -o "$OUT/$name.rss" "$@" > "$OUT/$name.stdout" 2> "$OUT/$name.stderr" || true
  end=$(date +%s.%N)
  after=$(count)
  n=$(grep -cv '^\s*$' "$urls")
  results+=("$(python3 -c "
w=$end-$start; n=$n; r=$after-$before-0
print(f'| $name | {n} | {w:.2f} s | {n/w:.1f} | {r/n:.1f} | {int(open(\"$OUT/$name.rss\").read().split()[-1])/1024:.1f} MiB |')")")
}

# This VM's speed drifts from minute to minute: the whole estate is
# audited AUDIT_RUNS times (a row each; the median is the figure).
for k in $(seq 1 "$AUDIT_RUNS"); do
  run "cors-doctor audit (all $N, run $k)" "$OUT/estate/targets.txt" \
    $BIN audit "$OUT/estate/targets.txt" --cacert "$OUT/estate/ca.pem" --concurrency "$CONC" \
    --ndjson "$OUT/audit-all.ndjson" --fail-on none
done
run "cors-doctor audit (sample)" "$OUT/sample.txt" \
  $BIN audit "$OUT/sample.txt" --cacert "$OUT/estate/ca.pem" --concurrency "$CONC" \
  --ndjson "$OUT/audit-sample.ndjson" --fail-on none
if [ "$PEERS" = 1 ]; then
  [ -x "$VENV/bin/python" ] || bench/peers/install.sh "$VENV"
  run "CORScanner (sample)" "$OUT/sample.txt" bench/peers/run_corscanner.sh "$OUT/sample.txt" "$CONC" "$OUT/corscanner"
  run "corsair_scan (sample)" "$OUT/sample.txt" bench/peers/run_corsair.sh "$OUT/sample.txt" "$CONC" "$OUT/corsair"
fi

echo
echo "estate: $N endpoints, concurrency $CONC, $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ)"
echo
echo "| tool | endpoints | wall | endpoints/s | requests/endpoint | peak RSS |"
echo "|---|---:|---:|---:|---:|---:|"
printf '%s\n' "${results[@]}"
echo
python3 bench/audit_score.py "$OUT/estate/truth.json" "$OUT/audit-all.ndjson"
if [ "$PEERS" = 1 ]; then
  cp "$OUT/audit-sample.ndjson" "$OUT/cors-doctor.ndjson"
  python3 bench/audit_score.py "$OUT/sample-truth.json" "$OUT/cors-doctor.ndjson" \
    "$OUT/corscanner/corscanner.ndjson" "$OUT/corsair/corsair.ndjson"
fi
