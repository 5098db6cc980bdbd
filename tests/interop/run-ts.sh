#!/usr/bin/env bash
# Drive the standalone fake server with the official TypeScript SDK (npm `@openrouter/sdk`, pinned) through all 12
# operations. Needs Node and access to the npm registry. Usage: bash tests/interop/run-ts.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
dir=target/interop-node
mkdir -p "$dir"
if [ ! -d "$dir/node_modules/@openrouter/sdk" ]; then
    (cd "$dir" && npm init -y >/dev/null && npm install --silent --no-audit --no-fund "@openrouter/sdk@1.3.19" >/dev/null)
fi
cp tests/interop/ts_sdk.mjs "$dir/ts_sdk.mjs"

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
node "$dir/ts_sdk.mjs" "$base_url"
