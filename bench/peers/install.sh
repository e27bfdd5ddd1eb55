#!/usr/bin/env bash
# install.sh [VENV]  (default /tmp/peers-venv)
# Idempotent: creates the venv if missing and installs the pinned peer scanners
# (CORScanner = PyPI `cors`, corsair_scan) with their dependencies pinned too.
# Corsy is not on PyPI (nor npm/crates.io/Debian), so it is not installed.
set -euo pipefail
VENV=${1:-/tmp/peers-venv}
PY=${PYTHON:-python3}
CORS_VERSION=1.0.1
CORSAIR_VERSION=0.2.0

make_venv() { "$PY" -m venv "$VENV" && [ -x "$VENV/bin/pip" ]; }
if [ ! -x "$VENV/bin/pip" ]; then
  if ! make_venv 2>/dev/null; then
    rm -rf "$VENV"
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      pyver=$("$PY" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
      apt-get update -qq
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv \
        || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "python$pyver-venv"
      make_venv
    else
      echo "install.sh: '$PY -m venv' failed; install python3-venv (needs root)" >&2
      exit 1
    fi
  fi
fi

have() { "$VENV/bin/python" - "$@" <<'PY'
import sys
from importlib.metadata import version, PackageNotFoundError
ok = True
for spec in sys.argv[1:]:
    name, want = spec.split("==")
    try:
        ok &= version(name) == want
    except PackageNotFoundError:
        ok = False
sys.exit(0 if ok else 1)
PY
}

if have "cors==$CORS_VERSION" "corsair_scan==$CORSAIR_VERSION" "tldextract==5.4.0" "click==8.1.8"; then
  echo "peers already installed in $VENV"
else
  constraints=$(mktemp)
  trap 'rm -f "$constraints"' EXIT
  # versions resolved when this bench was written (pip freeze), except click:
  # corsair's -nv/--noverify is a no-op with click >= 8.2 (flag with default=True
  # stays True), so click is held at 8.1.8 where -nv sets verify=False.
  cat > "$constraints" <<'PINS'
argparse==1.4.0
certifi==2026.10.19.post1
charset_normalizer==3.5.3
click==8.1.8
colorama==0.4.6
filelock==4.3.1
future==1.0.0
gevent==26.9.0
greenlet==3.5.6
idna==3.20
PySocks==1.7.1
requests==2.34.2
requests-file==3.0.1
tldextract==5.4.0
urllib3==2.8.0
validators==0.36.0
zope.event==6.2
zope.interface==8.7
PINS
  "$VENV/bin/pip" install -q --disable-pip-version-check -c "$constraints" \
    "cors==$CORS_VERSION" "corsair_scan==$CORSAIR_VERSION"
fi
"$VENV/bin/python" -c 'from importlib.metadata import version as v; print(*(f"{p}=={v(p)}" for p in ("cors", "corsair_scan", "tldextract", "click")))'
