#!/usr/bin/env bash
# Drive the standalone fake server with the official TypeScript SDK (npm `@openrouter/sdk`, pinned) through every
# operation of the spec. Needs Node and access to the npm registry. Usage: bash tests/interop/run-ts.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
dir=target/interop-node
mkdir -p "$dir"
if [ ! -d "$dir/node_modules/@openrouter/sdk" ]; then
    (cd "$dir" && npm init -y >/dev/null && npm install --silent --no-audit --no-fund "@openrouter/sdk@1.3.19" >/dev/null)
fi
cp tests/interop/ts_sdk.mjs "$dir/ts_sdk.mjs"

bash tests/interop/with-fake-server.sh node "$dir/ts_sdk.mjs"
