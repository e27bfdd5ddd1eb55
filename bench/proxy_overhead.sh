#!/usr/bin/env bash
# Overhead of `cors-doctor proxy` on a request, next to two npm CORS proxies
# (local-cors-proxy, cors-anywhere), measured in the same run, all on loopback,
# in two phases: at saturation (wrk) and at a fixed rate (oha).
#
# An upstream (a small Node.js server written by this script) answers
# GET /data with a ~1 KiB JSON body and CORS headers for the page's origin,
# over keep-alive. Four targets are loaded in turn, each request carrying a
# page's Origin (http://localhost:5173) and a Chrome User-Agent:
#   direct             the upstream itself (the baseline)
#   cors-doctor proxy  cors-doctor proxy --upstream UP --listen 127.0.0.1:P
#   local-cors-proxy   its own CLI (lcp --proxyUrl UP --port P), requests to /proxy/data
#   cors-anywhere      createServer({}) (the library's defaults), requests to /UP/data
#
# Why two phases. Everything runs on the same machine (2 cores where this was
# written): at saturation the load generator, the upstream and the proxy share
# the cores, so a proxy's req/s against direct mostly says how much CPU the
# extra process takes from the other two — a CPU-sharing figure, not what the
# proxy costs a request. The project's target (at least 90% of direct
# throughput and under 1 ms added p99) only means something at a load the
# machine can carry, which the second phase applies:
#   1. saturation: each round runs every target (a warm-up, then a measured
#      `wrk -t2 -cCONNS -dDURATIONs --latency`); the table gives req/s, req/s
#      as % of direct, p50 and p99 latency, and the p99 each proxy adds.
#   2. fixed rate: each round then runs every target again with
#      `oha -q RATE -c RATE_CONNS -z RATE_DURATIONs --latency-correction`
#      (after a WARMUP-second run at the same rate); oha spaces the requests
#      evenly and, with --latency-correction, times each from when it was due,
#      so a target that falls behind shows it in its latency (no coordinated
#      omission). The table gives the achieved req/s, it as % of direct's,
#      p50 and p99 latency (µs resolution), and the p99 each proxy adds.
# In both phases the targets are interleaved round by round and the median
# over the rounds is reported per target, as Markdown tables on stdout.
# Progress and checks go to stderr. The proxies write a line per request:
# their stdout goes to /dev/null.
#
# Everything binds 127.0.0.1, and the load generator, the upstream and the
# proxy share the machine's cores: the figures compare the proxies with one
# another on this machine, they are not a capacity figure. The upstream
# answers from memory, so "direct" is the cost of the load generator plus
# Node's HTTP server alone.
#
# Usage: bench/proxy_overhead.sh > proxy_overhead.md
#   (needs wrk — apt-get install -y wrk —, oha — cargo install oha --locked —,
#   node and npm; ~6.5 min with defaults)
# Environment:
#   CORS_DOCTOR_BIN  the binary (default target/release/cors-doctor; build it
#                    with `cargo build --release -p cors-doctor`). Missing: the
#                    cors-doctor row is skipped, with a note.
#   PROXY_PEERS_DIR  where the npm peers are installed (default
#                    /tmp/proxy-peers; `npm install --prefix` on first use,
#                    pinned versions below)
#   OHA_BIN          oha (default: the one on PATH)
#   ROUNDS=3 DURATION=10 WARMUP=3 CONNS=32   rounds, seconds per measured wrk
#                    run, seconds of warm-up before each run (both phases),
#                    wrk connections
#   RATE=2000 RATE_CONNS=32 RATE_DURATION=15   the fixed phase: requests per
#                    second overall, oha connections, seconds per run
#   BASE_PORT=18900  ports BASE_PORT+1 (upstream) to BASE_PORT+4 (proxies)
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-3}
CONNS=${CONNS:-32}
RATE=${RATE:-2000}
RATE_CONNS=${RATE_CONNS:-32}
RATE_DURATION=${RATE_DURATION:-15}
BIN=${CORS_DOCTOR_BIN:-target/release/cors-doctor}
PEERS=${PROXY_PEERS_DIR:-/tmp/proxy-peers}
BASE_PORT=${BASE_PORT:-18900}
LCP_VERSION=1.1.0
CORS_ANYWHERE_VERSION=0.4.4
OHA_BIN=${OHA_BIN:-oha}

UP_PORT=$((BASE_PORT + 1))
CD_PORT=$((BASE_PORT + 2))
LCP_PORT=$((BASE_PORT + 3))
CA_PORT=$((BASE_PORT + 4))
UPSTREAM=http://127.0.0.1:$UP_PORT
ORIGIN=http://localhost:5173
UA='Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36'

say() { printf '%s\n' "$*" >&2; }
die() { say "proxy_overhead.sh: $*"; exit 1; }

command -v wrk >/dev/null || die "wrk not found: apt-get install -y wrk"
command -v "$OHA_BIN" >/dev/null || die "oha not found: cargo install oha --locked (or set OHA_BIN)"
command -v node >/dev/null || die "node not found (Node.js is needed for the upstream and the peers)"
command -v npm >/dev/null || die "npm not found (it installs the peers)"
command -v curl >/dev/null || die "curl not found (it checks each target before the load)"
for v in ROUNDS DURATION WARMUP CONNS RATE RATE_CONNS RATE_DURATION BASE_PORT; do
  [[ ${!v} =~ ^[0-9]+$ && ${!v} -gt 0 ]] || die "$v=${!v} is not a positive whole number"
done

# Loopback only: no HTTP proxy from the environment may carry the traffic
# (request, used by local-cors-proxy, and cors-anywhere both honour them).
unset http_proxy HTTP_PROXY https_proxy HTTPS_PROXY all_proxy ALL_PROXY
export NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost

WORK=$(mktemp -d "${TMPDIR:-/tmp}/proxy-overhead.XXXXXX")
PIDS=() WRK_PID= OHA_PID=
cleanup() {
  local pid
  [ -z "$WRK_PID" ] || kill "$WRK_PID" 2>/dev/null || true
  [ -z "$OHA_PID" ] || kill "$OHA_PID" 2>/dev/null || true
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for p in "$UP_PORT" "$CD_PORT" "$LCP_PORT" "$CA_PORT"; do
  ! port_open "$p" || die "127.0.0.1:$p is already in use (set BASE_PORT to move the ports)"
done

# wait_port PORT PID NAME LOG: until PORT accepts connections (10 s at most).
wait_port() {
  local i
  for ((i = 0; i < 100; i++)); do
    port_open "$1" && return 0
    kill -0 "$2" 2>/dev/null || { say "$3 exited:"; cat "$4" >&2; return 1; }
    sleep 0.1
  done
  say "$3 did not listen on 127.0.0.1:$1 within 10 s:"; cat "$4" >&2
  return 1
}

# --- the peers --------------------------------------------------------------
pkg_version() { # DIR: the version in DIR/package.json, empty when absent
  [ -f "$1/package.json" ] && node -p "require(process.argv[1]).version" "$1/package.json" 2>/dev/null || true
}
LCP_DIR=$PEERS/node_modules/local-cors-proxy
CA_DIR=$PEERS/node_modules/cors-anywhere
if [ "$(pkg_version "$LCP_DIR")" != "$LCP_VERSION" ] \
  || [ "$(pkg_version "$CA_DIR")" != "$CORS_ANYWHERE_VERSION" ]; then
  say "installing local-cors-proxy@$LCP_VERSION cors-anywhere@$CORS_ANYWHERE_VERSION into $PEERS"
  mkdir -p "$PEERS"
  npm install --prefix "$PEERS" --no-audit --no-fund --loglevel=error \
    "local-cors-proxy@$LCP_VERSION" "cors-anywhere@$CORS_ANYWHERE_VERSION" >&2
fi

# local-cors-proxy's CLI calls `listen(port)`, which binds every interface and
# has no option for the address. This launcher runs that CLI unchanged, with
# its arguments, but makes a listen on a bare port bind 127.0.0.1.
cat >"$PEERS/lcp-loopback.js" <<'JS'
const http = require('http');
const listen = http.Server.prototype.listen;
http.Server.prototype.listen = function (port, ...rest) {
  if (typeof port === 'number' && (rest.length === 0 || typeof rest[0] === 'function')) {
    return listen.call(this, port, '127.0.0.1', ...rest);
  }
  return listen.call(this, port, ...rest);
};
const cli = require.resolve('local-cors-proxy/bin/lcp.js');
process.argv = [process.argv[0], cli, ...process.argv.slice(2)];
require(cli);
JS
# cors-anywhere is a library; its defaults, as its README's server.js starts it.
cat >"$PEERS/cors-anywhere-loopback.js" <<'JS'
const port = Number(process.argv[2]);
require('cors-anywhere').createServer({}).listen(port, '127.0.0.1', () => {
  console.log('cors-anywhere on 127.0.0.1:' + port);
});
JS

# --- the upstream -----------------------------------------------------------
cat >"$WORK/upstream.js" <<'JS'
// GET /data: ~1 KiB of JSON, with the CORS headers the page's origin needs,
// so that every proxy forwards an answer the browser accepts.
const http = require('http');
const port = Number(process.argv[2]);
const items = [];
for (let i = 0; i < 17; i++) items.push({ id: i, name: 'item-' + i, price: 10 + i / 4, tags: ['a', 'b'] });
const doc = { items, total: items.length, pad: '' };
doc.pad = 'x'.repeat(1024 - JSON.stringify(doc).length); // exactly 1 KiB
const body = Buffer.from(JSON.stringify(doc));
const server = http.createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/data') {
    res.writeHead(200, {
      'Content-Type': 'application/json',
      'Content-Length': body.length,
      'Access-Control-Allow-Origin': 'http://localhost:5173',
      'Vary': 'Origin',
    });
    res.end(body);
  } else {
    res.writeHead(404, { 'Content-Type': 'text/plain' });
    res.end('not found\n');
  }
});
server.keepAliveTimeout = 65000;
server.headersTimeout = 66000;
server.listen(port, '127.0.0.1', () => console.log('upstream on 127.0.0.1:' + port + ', ' + body.length + ' B'));
JS

# start NAME PORT CMD...: run CMD in the background, stdout and stderr to a
# log, and wait until PORT accepts connections.
start() {
  local name=$1 port=$2 log="$WORK/$1.log"
  shift 2
  "$@" >"$log" 2>&1 &
  PIDS+=($!)
  wait_port "$port" "$!" "$name" "$log"
}

# --- targets ----------------------------------------------------------------
NAMES=() URLS=()
NOTES=() RATE_NOTES=() CLOSES=()
start upstream "$UP_PORT" node "$WORK/upstream.js" "$UP_PORT"
NAMES+=("direct"); URLS+=("$UPSTREAM/data")

CD_VERSION=
if [ -x "$BIN" ]; then
  CD_VERSION=$("$BIN" --version 2>/dev/null | head -n1 || true)
  # Its stdout, a line per request, to /dev/null; stderr kept for a failure.
  start cors-doctor "$CD_PORT" sh -c 'exec "$0" proxy --upstream "$1" --listen "$2" >/dev/null' \
    "$BIN" "$UPSTREAM" "127.0.0.1:$CD_PORT"
  NAMES+=("cors-doctor proxy"); URLS+=("http://127.0.0.1:$CD_PORT/data")
  case $BIN in */debug/*) NOTES+=("cors-doctor is a debug build ($BIN): its figures mean nothing.") ;; esac
else
  NOTES+=("cors-doctor proxy skipped: $BIN not found (cargo build --release -p cors-doctor, or set CORS_DOCTOR_BIN).")
fi

# local-cors-proxy prints a line per request too: to /dev/null.
start local-cors-proxy "$LCP_PORT" sh -c 'exec node "$0" "$@" >/dev/null' \
  "$PEERS/lcp-loopback.js" --proxyUrl "$UPSTREAM" --port "$LCP_PORT"
NAMES+=("local-cors-proxy"); URLS+=("http://127.0.0.1:$LCP_PORT/proxy/data")

start cors-anywhere "$CA_PORT" node "$PEERS/cors-anywhere-loopback.js" "$CA_PORT"
NAMES+=("cors-anywhere"); URLS+=("http://127.0.0.1:$CA_PORT/$UPSTREAM/data")

# --- check each target answers as the upstream does -------------------------
fetch() { # URL HEADERS_FILE BODY_FILE: prints the status code
  curl -sS --noproxy '*' --max-time 5 -o "$3" -D "$2" -w '%{http_code}' \
    -H "Origin: $ORIGIN" -H "User-Agent: $UA" "$1"
}
header() { # FILE NAME: the header's value, or "(none)"
  local v
  v=$(grep -i "^$2:" "$1" | head -n1 | cut -d: -f2- | tr -d '\r' | sed 's/^ *//') || true
  printf '%s' "${v:-(none)}"
}
for i in "${!NAMES[@]}"; do
  code=$(fetch "${URLS[$i]}" "$WORK/h$i" "$WORK/b$i") || die "${NAMES[$i]}: curl ${URLS[$i]} failed"
  [ "$code" = 200 ] || { cat "$WORK/b$i" >&2; die "${NAMES[$i]}: ${URLS[$i]} answered $code, not 200"; }
  cmp -s "$WORK/b0" "$WORK/b$i" || die "${NAMES[$i]}: the body differs from the upstream's"
  say "ok  ${NAMES[$i]}: ${URLS[$i]} -> 200, $(wc -c <"$WORK/b$i") B body as upstream's;" \
    "Access-Control-Allow-Origin: $(header "$WORK/h$i" access-control-allow-origin)," \
    "Connection: $(header "$WORK/h$i" connection)," \
    "Content-Length: $(header "$WORK/h$i" content-length)," \
    "Transfer-Encoding: $(header "$WORK/h$i" transfer-encoding)"
  if [ "$(header "$WORK/h$i" connection)" = close ]; then
    NOTES+=("${NAMES[$i]} answers \`Connection: close\`: wrk opens a new connection for each of its requests.")
    CLOSES[$i]=1
  fi
done

# --- load -------------------------------------------------------------------
# to_ms VALUE: wrk's "850.00us", "1.23ms", "2.00s", "1.00m" in milliseconds.
to_ms() {
  awk -v v="$1" 'BEGIN {
    n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
    if (u == "us") n /= 1000; else if (u == "s") n *= 1000; else if (u == "m") n *= 60000
    else if (u == "h") n *= 3600000; else if (u != "ms") { print "NaN"; exit 1 }
    printf "%.3f", n }'
}
run_wrk() { # SECONDS URL: in the background, so that a signal stops the script at once
  wrk -t2 -c"$CONNS" -d"$1s" --latency -H "Origin: $ORIGIN" -H "User-Agent: $UA" "$2" &
  WRK_PID=$!
  wait "$WRK_PID"
  WRK_PID=
}
# run_oha SECONDS URL [ARGS]: oha at RATE req/s, evenly spaced, latency
# timed from when each request was due; in the background, as wrk.
run_oha() {
  local rc=0 seconds=$1 url=$2
  shift 2
  "$OHA_BIN" -q "$RATE" -c "$RATE_CONNS" -z "${seconds}s" --latency-correction --no-tui \
    -H "Origin: $ORIGIN" -H "User-Agent: $UA" "$@" "$url" &
  OHA_PID=$!
  wait "$OHA_PID" || rc=$?
  OHA_PID=
  return "$rc"
}
# oha_fields FILE: "req/s p50 p99 success-rate errors" from oha's JSON, the
# latencies in ms.
oha_fields() {
  python3 - "$1" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
s, l = d["summary"], d["latencyPercentiles"]
if l.get("p50") is None or l.get("p99") is None:
    sys.exit(1)
# Requests still in flight when the run ends are aborted, not failed.
errors = sum(n for e, n in d.get("errorDistribution", {}).items() if "deadline" not in e)
print(f'{s["requestsPerSec"]:.1f} {l["p50"] * 1000:.3f} {l["p99"] * 1000:.3f} {s["successRate"]:.4f} {errors}')
PY
}
declare -A RPS P50 P99 ERRS
total=$(( ROUNDS * ${#NAMES[@]} * (WARMUP + DURATION) ))
rate_total=$(( ROUNDS * ${#NAMES[@]} * (WARMUP + RATE_DURATION + 1) ))
say "load: $ROUNDS round(s) x ${#NAMES[@]} targets x (${WARMUP}s warm-up + ${DURATION}s), ~${total}s;" \
  "then at $RATE req/s: $ROUNDS round(s) x ${#NAMES[@]} targets x (${WARMUP}s warm-up + ${RATE_DURATION}s), ~${rate_total}s"
for ((r = 1; r <= ROUNDS; r++)); do
  for i in "${!NAMES[@]}"; do
    name=${NAMES[$i]} out="$WORK/wrk-$r-$i.txt"
    run_wrk "$WARMUP" "${URLS[$i]}" >/dev/null
    run_wrk "$DURATION" "${URLS[$i]}" >"$out"
    rps=$(awk '/^Requests\/sec:/ {print $2}' "$out")
    p50=$(awk '$1 == "50%" {print $2}' "$out")
    p99=$(awk '$1 == "99%" {print $2}' "$out")
    [[ -n $rps && -n $p50 && -n $p99 ]] || { cat "$out" >&2; die "$name: could not read wrk's output"; }
    p50=$(to_ms "$p50")
    p99=$(to_ms "$p99")
    RPS[$i]+="$rps " P50[$i]+="$p50 " P99[$i]+="$p99 "
    # Non-2xx answers and socket errors make a run's figures suspect: say so.
    bad=$(awk '/Non-2xx or 3xx responses:/ {print "non-2xx " $NF}
               /Socket errors:/ {gsub(/,/, ""); if ($4 + $6 + $8 + $10 > 0) print "socket errors " $4 "/" $6 "/" $8 "/" $10}' "$out" | paste -sd, -)
    [ -z "$bad" ] || ERRS[$i]+="round $r: $bad; "
    say "round $r/$ROUNDS  $(printf '%-18s' "$name") $(printf '%9.0f' "$rps") req/s  p50 ${p50} ms  p99 ${p99} ms${bad:+  ($bad)}"
  done
done

# --- load at a fixed rate ---------------------------------------------------
declare -A R_RPS R_P50 R_P99 R_ERRS
for ((r = 1; r <= ROUNDS; r++)); do
  for i in "${!NAMES[@]}"; do
    name=${NAMES[$i]} out="$WORK/oha-$r-$i.json" err="$WORK/oha-$r-$i.err"
    run_oha "$WARMUP" "${URLS[$i]}" --output-format quiet >/dev/null 2>&1 || true
    run_oha "$RATE_DURATION" "${URLS[$i]}" --output-format json >"$out" 2>"$err" || { cat "$err" >&2; die "$name: oha failed"; }
    fields=$(oha_fields "$out") || { cat "$out" "$err" >&2; die "$name: could not read oha's output"; }
    read -r rps p50 p99 success errs <<<"$fields"
    R_RPS[$i]+="$rps " R_P50[$i]+="$p50 " R_P99[$i]+="$p99 "
    bad=$(awk -v s="$success" -v e="$errs" 'BEGIN {
      if (s < 1) printf "success rate %.4f", s
      if (e > 0) printf "%serrors %d", (s < 1 ? ", " : ""), e }')
    [ -z "$bad" ] || R_ERRS[$i]+="round $r: $bad; "
    short=$(awk -v rps="$rps" -v rate="$RATE" 'BEGIN { if (rps < 0.95 * rate) printf "%.0f of %d req/s", rps, rate }')
    bad=$(printf '%s\n' "$short" "$bad" | grep . | paste -sd, -) || true
    say "rate  $r/$ROUNDS  $(printf '%-18s' "$name") $(printf '%9.0f' "$rps") req/s  p50 ${p50} ms  p99 ${p99} ms${bad:+  ($bad)}"
  done
done

median() { tr ' ' '\n' | grep . | sort -g | awk '{a[NR] = $1} END {
  if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

# table_rows RPS P50 P99: a row per target from the medians of the named
# arrays (rounds' figures, per target), direct's row first as the baseline.
table_rows() {
  local -n rps_of=$1 p50_of=$2 p99_of=$3
  local i rps p50 p99 d_rps= d_p99=
  for i in "${!NAMES[@]}"; do
    rps=$(median <<<"${rps_of[$i]}") p50=$(median <<<"${p50_of[$i]}") p99=$(median <<<"${p99_of[$i]}")
    if [ "$i" = 0 ]; then d_rps=$rps d_p99=$p99; fi
    awk -v n="${NAMES[$i]}" -v rps="$rps" -v p50="$p50" -v p99="$p99" -v drps="$d_rps" -v dp99="$d_p99" -v first="$i" 'BEGIN {
      added = (first == 0) ? "—" : sprintf("%+.2f", p99 - dp99)
      printf "| %s | %.0f | %.0f%% | %.2f | %.2f | %s |\n", n, rps, 100 * rps / drps, p50, p99, added }'
    if [ "$i" = 0 ] && [ ! -x "$BIN" ]; then echo "| cors-doctor proxy (skipped) | — | — | — | — | — |"; fi
  done
}

# --- report -----------------------------------------------------------------
cpu=$(grep -m1 -i '^model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ *//') || true
[ -n "$cpu" ] || cpu=$(LC_ALL=C lscpu 2>/dev/null | awk -F: '/^Model name/ {sub(/^ */, "", $2); print $2; exit}') || true
wrk_version=$(wrk -v 2>&1 | head -n1) || true
oha_version=$("$OHA_BIN" --version 2>/dev/null | head -n1) || true

echo "## cors-doctor proxy overhead, loopback"
echo
echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "- machine: $(nproc) CPUs, ${cpu:-unknown CPU}, Linux $(uname -r)"
echo "- wrk: ${wrk_version}; ${oha_version:-oha}; node $(node --version); local-cors-proxy $(pkg_version "$LCP_DIR"); cors-anywhere $(pkg_version "$CA_DIR")"
echo "- cors-doctor: ${CD_VERSION:-not run} ($BIN)"
echo "- load: wrk -t2 -c$CONNS -d${DURATION}s --latency after a ${WARMUP}s warm-up, targets interleaved, median of $ROUNDS round(s); GET of a $(wc -c <"$WORK/b0")-byte JSON body with Origin $ORIGIN and a Chrome User-Agent; wrk, upstream and proxy share the CPUs"
echo "- fixed rate: oha -q $RATE -c $RATE_CONNS -z ${RATE_DURATION}s --latency-correction after a ${WARMUP}s warm-up at that rate, same requests, targets interleaved, median of $ROUNDS round(s), after the saturation rounds"
echo
echo "### At saturation"
echo
echo "| target | req/s | vs direct | p50 ms | p99 ms | p99 added ms |"
echo "|---|---:|---:|---:|---:|---:|"
table_rows RPS P50 P99
for i in "${!NAMES[@]}"; do
  [ -z "${ERRS[$i]:-}" ] || NOTES+=("${NAMES[$i]}: ${ERRS[$i]% }")
done
if [ ${#NOTES[@]} -gt 0 ]; then
  echo
  for n in "${NOTES[@]}"; do echo "- note: $n"; done
fi

# --- report at a fixed rate -------------------------------------------------
echo
echo "### At a fixed $RATE req/s"
echo
echo "| target | achieved req/s | vs direct | p50 ms | p99 ms | p99 added ms |"
echo "|---|---:|---:|---:|---:|---:|"
table_rows R_RPS R_P50 R_P99
for i in "${!NAMES[@]}"; do
  rps=$(median <<<"${R_RPS[$i]}")
  if awk -v rps="$rps" -v rate="$RATE" 'BEGIN { exit !(rps < 0.95 * rate) }'; then
    RATE_NOTES+=("${NAMES[$i]} did not keep the rate ($(printf '%.0f' "$rps") of $RATE req/s): its latency is that of a saturated target, each request timed from when it was due.")
  fi
done
for i in "${!NAMES[@]}"; do
  [ -z "${R_ERRS[$i]:-}" ] || RATE_NOTES+=("${NAMES[$i]}: ${R_ERRS[$i]%; }")
done
echo
echo "- note: oha spaces the $RATE requests per second evenly over $RATE_CONNS connections and times each from when it was due (--latency-correction)."
for n in ${RATE_NOTES[@]+"${RATE_NOTES[@]}"}; do echo "- note: $n"; done
