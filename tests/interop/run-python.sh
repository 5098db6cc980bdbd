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

bash tests/interop/with-fake-server.sh "$venv/bin/python" tests/interop/python_sdk.py
