"""Drive the standalone fake server with the official OpenRouter Python SDK (PyPI `openrouter`) through every
operation of the spec (their operationIds come from the fake, `openrouter-workspaces-fake --operations`, in
OPERATION_IDS: tests/interop/with-fake-server.sh sets it). Every call must succeed (or fail exactly as the real API would: a 404 after delete).

    python3 -m venv /tmp/or && /tmp/or/bin/pip install openrouter
    cargo xtask fake-server --addr 127.0.0.1:18080 &
    OPERATION_IDS="$(target/debug/openrouter-workspaces-fake --operations)" \
        /tmp/or/bin/python tests/interop/python_sdk.py http://127.0.0.1:18080/api/v1

Exit status 0 means every step passed; each step prints one line.
"""

import os
import sys
import time

from openrouter import OpenRouter, errors

base_url = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:18080/api/v1"
key = sys.argv[2] if len(sys.argv) > 2 else "sk-or-v1-fake-management-key"
sdk = OpenRouter(api_key=key, server_url=base_url, http_referer="https://example.com", x_open_router_title="interop")
ws_api = sdk.workspaces
slug = f"py-{int(time.time())}"
seen = set()


def step(op, text):
    seen.add(op)
    print(f"{op}: {text}")


created = ws_api.create(
    name="Python interop",
    slug=slug,
    description="made by the Python SDK",
    disabled_server_tools=["openrouter:web_search"],
    io_logging_api_key_ids=[1, 2],
    io_logging_sampling_rate=0.5,
    is_observability_io_logging_enabled=True,
).data
step("createWorkspace", f"{created.slug} id={created.id} guardrail={created.default_guardrail_id}")

got = ws_api.get(id=slug).data
assert got.id == created.id and got.description == "made by the Python SDK", got
step("getWorkspace", f"by slug -> {got.name!r}")

updated = ws_api.update(id=created.id, name="Python interop (renamed)", description=None, io_logging_api_key_ids=None).data
assert updated.name == "Python interop (renamed)" and updated.description is None and updated.io_logging_api_key_ids is None, updated
step("updateWorkspace", f"renamed, description cleared, updated_at={updated.updated_at}")

slugs = []
page = ws_api.list(limit=1)
while page is not None:
    slugs += [w.slug for w in page.result.data]
    page = page.next()
assert slug in slugs and "default" in slugs, slugs
step("listWorkspaces", f"{len(slugs)} workspaces at page size 1: {slugs}")

org = ws_api.list_members(id="default", limit=100).result.data
users = [m.user_id for m in org]
step("listWorkspaceMembers", f"default has {len(users)} members: {users}")

added = ws_api.bulk_add_members(id=slug, user_ids=users[-2:])
assert added.added_count == 2, added
step("bulkAddWorkspaceMembers", f"added {added.added_count}: {[m.user_id for m in added.data]} roles {[m.role for m in added.data]}")

removed = ws_api.bulk_remove_members(id=slug, user_ids=users[-1:])
assert removed.removed_count == 1, removed
step("bulkRemoveWorkspaceMembers", f"removed {removed.removed_count}")

monthly = ws_api.set_budget(workspace_ref=slug, interval="monthly", limit_usd=100.0, include_byok_in_budgets=True)
ws_api.set_budget(workspace_ref=slug, interval="lifetime", limit_usd=1000.0)
try:
    ws_api.set_budget(workspace_ref=slug, interval="daily", limit_usd=500.0)
    raise AssertionError("a daily budget above the monthly one was accepted")
except errors.BadRequestResponseError as e:
    print(f"  (as documented, a daily budget above monthly is refused: {e.data.error.message})")
step("upsertWorkspaceBudget", f"monthly ${monthly.data.limit_usd} reset={monthly.data.reset_interval}, lifetime $1000")

budget = ws_api.get_budget(workspace_ref=slug, interval="lifetime").data
assert budget.reset_interval is None, budget
step("getWorkspaceBudget", f"lifetime ${budget.limit_usd}, reset_interval={budget.reset_interval}")

budgets = ws_api.list_budgets(workspace_ref=slug)
assert len(budgets.data) == 2 and budgets.include_byok_in_budgets is True, budgets
step("listWorkspaceBudgets", f"{[b.reset_interval for b in budgets.data]} byok={budgets.include_byok_in_budgets}")

first = ws_api.delete_budget(workspace_ref=slug, interval="monthly")
again = ws_api.delete_budget(workspace_ref=slug, interval="monthly")
step("deleteWorkspaceBudget", f"twice (idempotent): {first.DELETED} then {again.DELETED}")

# API keys (sdk.api_keys) in the new workspace, and its default guardrail (sdk.guardrails).
keys = sdk.api_keys
made = keys.create(name="py-ci", workspace_id=created.id, limit=10.0, limit_reset="monthly", include_byok_in_limit=True)
assert made.key.startswith("sk-or-v1-") and made.data.workspace_id == created.id, made.data
step("createApiKey", f"{made.data.name} hash={made.data.hash[:12]}... label={made.data.label} (the secret is shown once)")
listed = keys.list(workspace_id=created.id, offset=0).data
assert [k.hash for k in listed] == [made.data.hash], listed
step("listApiKeys", f"{len(listed)} key in {slug}")
got_key = keys.get(hash=made.data.hash).data
assert got_key.limit == 10.0 and got_key.limit_reset == "monthly", got_key
step("getApiKey", f"limit ${got_key.limit} reset={got_key.limit_reset}")
upd = keys.update(hash=made.data.hash, name="py-ci (renamed)", disabled=True, limit=None).data
assert upd.disabled and upd.limit is None and upd.name == "py-ci (renamed)", upd
assert keys.list(workspace_id=created.id).data == [] and len(keys.list(workspace_id=created.id, include_disabled=True).data) == 1
step("updateApiKey", "renamed, disabled (then listed only with include_disabled), limit cleared")
keys.update(hash=made.data.hash, disabled=False)
try:
    ws_api.delete(id=created.id)
    raise AssertionError("a workspace with an active key was deleted")
except errors.BadRequestResponseError as e:
    print(f"  (as documented, a workspace with active keys cannot be deleted: {e.data.error.message})")

guardrails = sdk.guardrails
try:
    guardrails.get(id=created.default_guardrail_id)
    raise AssertionError("an unconfigured default guardrail was found")
except errors.NotFoundResponseError as e:
    print(f"  (the default guardrail is unconfigured until written: 404 {e.data.error.message})")
configured = guardrails.update(id=created.default_guardrail_id, limit_usd=25.0, reset_interval="weekly", allowed_providers=["openai"]).data
assert configured.limit_usd == 25.0 and configured.workspace_id == created.id, configured
step("updateGuardrail", f"materialized {configured.name!r}: ${configured.limit_usd} {configured.reset_interval}")
read = guardrails.get(id=created.default_guardrail_id).data
assert read.allowed_providers == ["openai"], read
step("getGuardrail", f"allowed providers {read.allowed_providers}")

gone = keys.delete(hash=made.data.hash)
step("deleteApiKey", f"deleted={gone.DELETED}")

deleted = ws_api.delete(id=created.id)
step("deleteWorkspace", f"deleted={deleted.DELETED}")
try:
    ws_api.get(id=slug)
    raise AssertionError("the deleted workspace is still there")
except errors.NotFoundResponseError as e:
    print(f"  (then get answers 404 as documented: {e.data.error.message})")

try:
    OpenRouter(api_key="sk-or-v1-wrong", server_url=base_url).workspaces.get(id="default")
    raise AssertionError("a wrong key was accepted")
except errors.UnauthorizedResponseError as e:
    print(f"  (a wrong key answers 401 as documented: {e.data.error.message})")

every = set(os.environ.get("OPERATION_IDS", "").split())
assert every, "OPERATION_IDS is empty: run through tests/interop/with-fake-server.sh"
missing = every - seen
assert not missing, f"operations of the spec this script does not drive: {sorted(missing)}"
print(f"all {len(seen)} operations passed through the official Python SDK")
