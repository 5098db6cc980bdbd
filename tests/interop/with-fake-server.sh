#!/usr/bin/env bash
# Start the standalone fake server on a free loopback port, run the given command with its base URL as the last
# argument, stop the server. Usage: bash tests/interop/with-fake-server.sh <command> [args...]
# The command finds the spec's operationIds, as the fake serves them, in OPERATION_IDS (one per line).
# FAKE_SERVER_ARGS adds flags to the server's command line, e.g. FAKE_SERVER_ARGS="--seed 3".
set -euo pipefail
cd "$(dirname "$0")/../.."
cargo build --quiet -p openrouter-workspaces --features fake --bin openrouter-workspaces-fake
target_dir=${CARGO_TARGET_DIR:-target}
OPERATION_IDS=$("$target_dir/debug/openrouter-workspaces-fake" --operations)
[ -n "$OPERATION_IDS" ] || { echo "the fake server listed no operation" >&2; exit 1; }
export OPERATION_IDS
out=$(mktemp)
# shellcheck disable=SC2086 # FAKE_SERVER_ARGS is a list of flags
"$target_dir/debug/openrouter-workspaces-fake" --addr 127.0.0.1:0 ${FAKE_SERVER_ARGS:-} >"$out" 2>/dev/null &
server=$!
trap 'kill $server 2>/dev/null || true; rm -f "$out"' EXIT
for _ in $(seq 100); do
    [ -s "$out" ] && break
    sleep 0.1
done
base_url=$(head -n1 "$out")
[ -n "$base_url" ] || { echo "the fake server did not print its base URL" >&2; exit 1; }
"$@" "$base_url"
