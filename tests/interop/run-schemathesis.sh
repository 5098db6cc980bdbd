#!/usr/bin/env bash
# Fuzz the standalone fake server with the independent, spec-driven API fuzzer schemathesis (PyPI, pinned): every
# check, the examples, coverage, fuzzing and stateful phases (the latter following the spec's links), a fixed seed
# and a time budget (SCHEMATHESIS_SEED, default 20261125; SCHEMATHESIS_MAX_TIME, default 180 s). The fake is seeded
# first (tests/interop/schemathesis_run.py) so that members and budgets are there to be found. Fails on any failure
# that tests/interop/schemathesis-baseline.json does not accept; each of its entries says why it is accepted. To
# accept a new one: find out what the real API documents first; if the fake is right, run this with
# `--baseline-update` and give the new entry its "reason". Needs Python 3 and access to PyPI.
# Usage: bash tests/interop/run-schemathesis.sh [more `st run` flags, e.g. --report junit]
set -euo pipefail
cd "$(dirname "$0")/../.."
venv=$(bash tests/interop/venv.sh schemathesis-venv "schemathesis==4.32.5")

FAKE_SERVER_ARGS="--seed 3" bash tests/interop/with-fake-server.sh \
    "$venv/bin/python" tests/interop/schemathesis_run.py "$venv/bin/st" "$@"
