#!/usr/bin/env bash
# Start-up time of the binary: `cors-doctor --version`. Usage: bench/startup.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -q -p cors-doctor
hyperfine --warmup 10 --runs ${RUNS:-200} -N "$@" "target/release/cors-doctor --version"
