"""Seed the standalone fake so that members and budgets are reachable, then run the independent API fuzzer
schemathesis against it with every check and every phase. Run by tests/interop/run-schemathesis.sh, which
installs schemathesis (pinned) and starts the fake:

    python tests/interop/schemathesis_run.py ST_EXECUTABLE [MORE ST RUN FLAGS...] BASE_URL

The seed follows the spec's own examples, so the examples phase meets real objects: a workspace made from the
createWorkspace request example (its slug is the example of every workspace path parameter), every organization
member in it, and a budget at every interval, with limits that strictly decrease as the interval narrows and the
upsertWorkspaceBudget example in its place. The settings of the run (seed, time budget) are below; the accepted
deviations are in tests/interop/schemathesis-baseline.json, one reason each. Exit status: schemathesis'.
"""

import json
import os
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request

import yaml  # a dependency of schemathesis

SPEC = "spec/openapi.yaml"
BASELINE = "tests/interop/schemathesis-baseline.json"
CONFIG = "tests/interop/schemathesis.toml"
KEY = os.environ.get("FAKE_API_KEY", "sk-or-v1-fake-management-key")
SEED = os.environ.get("SCHEMATHESIS_SEED", "20261125")
MAX_TIME = os.environ.get("SCHEMATHESIS_MAX_TIME", "180")

st, extra, base_url = sys.argv[1], sys.argv[2:-1], sys.argv[-1].rstrip("/")
if not os.path.isfile(BASELINE):
    # schemathesis would create it from this run's failures, accepting all of them.
    sys.exit(f"{BASELINE} is missing: it lists the accepted deviations, each with its reason")
with open(SPEC, encoding="utf-8") as f:
    spec = yaml.safe_load(f)


def call(method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(base_url + path, data=data, method=method)
    request.add_header("Authorization", f"Bearer {KEY}")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request) as response:
            return json.load(response)
    except urllib.error.HTTPError as e:
        sys.exit(f"seeding: {method} {path} answered {e.code}: {e.read().decode(errors='replace')}")


def example(path, method):
    return spec["paths"][path][method]["requestBody"]["content"]["application/json"]["example"]


workspace = call("POST", "/workspaces", example("/workspaces", "post"))["data"]
ref = workspace["slug"]
users = set()
for w in call("GET", "/workspaces?limit=100")["data"]:
    users.update(m["user_id"] for m in call("GET", f"/workspaces/{w['id']}/members?limit=100")["data"])
added = call("POST", f"/workspaces/{ref}/members/add", {"user_ids": sorted(users)})["added_count"]

budget_path = "/workspaces/{workspace_ref}/budgets/{interval}"
intervals = spec["components"]["schemas"]["WorkspaceBudgetInterval"]["enum"]  # narrowest first
interval_param = next(p for p in spec["paths"][budget_path]["put"]["parameters"] if p.get("name") == "interval")
example_interval = interval_param.get("example") or interval_param["schema"].get("example")
example_body = example(budget_path, "put")
for interval in reversed(intervals):
    scale = 10.0 ** (intervals.index(interval) - intervals.index(example_interval))
    call("PUT", f"/workspaces/{ref}/budgets/{interval}", {"limit_usd": example_body["limit_usd"] * scale})
print(f"seeded: workspace {ref!r} with {added} members and budgets at {', '.join(intervals)}", flush=True)

command = [
    st, "--config-file", CONFIG, "run", SPEC,
    "--url", base_url,
    "-H", f"Authorization: Bearer {KEY}",
    "--checks", "all",
    "--phases", "examples,coverage,fuzzing,stateful",
    "--max-time", MAX_TIME,
    "--seed", SEED,
    "--generation-database", "none",
    "--baseline", BASELINE,
    "--no-color",
] + extra
print("$ " + " ".join(command).replace(KEY, "<key>"), flush=True)
# Hypothesis (under schemathesis) keeps its own files; a fresh directory per run keeps them out of the working tree
# and out of the next run.
with tempfile.TemporaryDirectory(prefix="schemathesis-hypothesis-") as storage:
    sys.exit(subprocess.call(command, env={**os.environ, "HYPOTHESIS_STORAGE_DIRECTORY": storage}))
