# Shared by the bench scripts: build the release binary and serve the lab on
# 127.0.0.1:$PORT until the script exits. Sets BIN.
cargo build --release -q -p cors-doctor
BIN=target/release/cors-doctor
$BIN lab --listen "127.0.0.1:$PORT" >/dev/null 2>&1 &
LAB=$!
trap 'kill $LAB' EXIT
sleep 0.5
