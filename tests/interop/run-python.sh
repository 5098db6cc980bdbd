#!/usr/bin/env bash
# Drive the standalone fake server with the official Python SDK (PyPI `openrouter`, pinned) through every
# operation of the spec. Needs Python 3 and access to PyPI. Usage: bash tests/interop/run-python.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
venv=$(bash tests/interop/venv.sh interop-venv "openrouter==1.3.84")

bash tests/interop/with-fake-server.sh "$venv/bin/python" tests/interop/python_sdk.py
