#!/usr/bin/env bash
# A Python virtual environment under target/ with one pinned PyPI package installed; prints its directory.
# Usage: venv=$(bash tests/interop/venv.sh NAME "package==version")
set -euo pipefail
cd "$(dirname "$0")/../.."
venv="target/$1"
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv" >&2
fi
"$venv/bin/pip" install --quiet --disable-pip-version-check "$2" >&2
echo "$venv"
