#!/usr/bin/env bash
# `check` of a preflighted request against the lab on loopback, compared in
# the same hyperfine run with the two equivalent curl commands run one after
# the other (the preflight, then the actual request).
# Usage: bench/check_vs_curl.sh [extra hyperfine args]   (needs hyperfine, curl)
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${PORT:-18787}
. bench/lib.sh
URL=$BASE/ok/preflight
ORIGIN=https://app.example.com
hyperfine --warmup 5 --runs ${RUNS:-50} -N "$@" \
  -n "cors-doctor check (3 browsers, no second origin)" \
  "$BIN check $URL --origin $ORIGIN -X PUT -H 'Content-Type: application/json' --credentials include --no-second-origin --cacert $CACERT" \
  -n "cors-doctor check (3 browsers + second-origin probe)" \
  "$BIN check $URL --origin $ORIGIN -X PUT -H 'Content-Type: application/json' --credentials include --cacert $CACERT" \
  -n "curl preflight; curl actual" \
  "sh -c \"curl -s -o /dev/null --cacert $CACERT -X OPTIONS $URL -H 'Origin: $ORIGIN' -H 'Access-Control-Request-Method: PUT' -H 'Access-Control-Request-Headers: content-type'; curl -s -o /dev/null --cacert $CACERT -X PUT $URL -H 'Origin: $ORIGIN' -H 'Content-Type: application/json'\""
