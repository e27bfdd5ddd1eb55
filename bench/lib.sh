# Shared by the bench scripts: build the release binary and serve the lab
# over HTTPS on 127.0.0.1:$PORT until the script exits. Sets BIN, BASE and
# CACERT. HTTPS because the benches play an https page: Safari blocks an
# https page's requests to an http loopback server as mixed content.
cargo build --release -q -p cors-doctor
BIN=target/release/cors-doctor
$BIN lab --tls --listen "127.0.0.1:$PORT" >/dev/null 2>&1 &
LAB=$!
trap 'kill $LAB' EXIT
sleep 0.5
BASE=https://127.0.0.1:$PORT
CACERT=${TMPDIR:-/tmp}/cors-doctor-lab-$PORT.pem
