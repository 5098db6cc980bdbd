#!/usr/bin/env bash
# Drive the standalone fake server with the official Python SDK (PyPI `openrouter`, pinned) through all 12
# operations. Needs Python 3 and access to PyPI. Usage: bash tests/interop/run-python.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
venv=target/interop-venv
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
"$venv/bin/pip" install --quiet --disable-pip-version-check "openrouter==1.3.84"

cargo build --quiet -p xtask
out=$(mktemp)
target/debug/xtask fake-server --addr 127.0.0.1:0 >"$out" 2>/dev/null &
server=$!
trap 'kill $server 2>/dev/null || true; rm -f "$out"' EXIT
for _ in $(seq 100); do
    [ -s "$out" ] && break
    sleep 0.1
done
base_url=$(head -n1 "$out")
[ -n "$base_url" ] || { echo "the fake server did not print its base URL" >&2; exit 1; }
"$venv/bin/python" tests/interop/python_sdk.py "$base_url"
