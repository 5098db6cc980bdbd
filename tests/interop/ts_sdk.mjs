// Drive the standalone fake server with the official TypeScript SDK (npm `@openrouter/sdk`) through every
// operation of the spec. Usage (see run-ts.sh): node tests/interop/ts_sdk.mjs <base URL> [key]
import { OpenRouter } from "@openrouter/sdk";
import assert from "node:assert/strict";

const baseUrl = process.argv[2] ?? "http://127.0.0.1:18080/api/v1";
const key = process.argv[3] ?? "sk-or-v1-fake-management-key";
const sdk = new OpenRouter({ apiKey: key, serverURL: baseUrl, httpReferer: "https://example.com", appTitle: "interop" });
const ws = sdk.workspaces;
const slug = `ts-${Date.now()}`;
const seen = new Set();
const step = (op, text) => { seen.add(op); console.log(`${op}: ${text}`); };

const created = (await ws.create({ createWorkspaceRequest: { name: "TS interop", slug, description: "made by the TS SDK", disabledServerTools: ["openrouter:web_search"], ioLoggingSamplingRate: 0.5 } })).data;
step("createWorkspace", `${created.slug} id=${created.id}`);

const got = (await ws.get({ id: slug })).data;
assert.equal(got.id, created.id);
step("getWorkspace", `by slug -> ${got.name}`);

const updated = (await ws.update({ id: created.id, updateWorkspaceRequest: { name: "TS interop (renamed)", description: null } })).data;
assert.equal(updated.description, null);
step("updateWorkspace", `renamed, description cleared`);

const slugs = [];
for await (const page of await ws.list({ limit: 1 })) slugs.push(...page.result.data.map((w) => w.slug));
assert.ok(slugs.includes(slug) && slugs.includes("default"), String(slugs));
step("listWorkspaces", `${slugs.length} at page size 1`);

const users = [];
for await (const page of await ws.listMembers({ id: "default", limit: 100 })) users.push(...page.result.data.map((m) => m.userId));
step("listWorkspaceMembers", `default has ${users.length} members`);

const added = await ws.bulkAddMembers({ id: slug, bulkAddWorkspaceMembersRequest: { userIds: users.slice(-2) } });
assert.equal(added.addedCount, 2);
step("bulkAddWorkspaceMembers", `added ${added.addedCount}`);

const removed = await ws.bulkRemoveMembers({ id: slug, bulkRemoveWorkspaceMembersRequest: { userIds: users.slice(-1) } });
assert.equal(removed.removedCount, 1);
step("bulkRemoveWorkspaceMembers", `removed ${removed.removedCount}`);

const monthly = await ws.setBudget({ workspaceRef: slug, interval: "monthly", upsertWorkspaceBudgetRequest: { limitUsd: 100, includeByokInBudgets: true } });
await ws.setBudget({ workspaceRef: slug, interval: "lifetime", upsertWorkspaceBudgetRequest: { limitUsd: 1000 } });
step("upsertWorkspaceBudget", `monthly $${monthly.data.limitUsd} reset=${monthly.data.resetInterval}`);

const lifetime = (await ws.getBudget({ workspaceRef: slug, interval: "lifetime" })).data;
assert.equal(lifetime.resetInterval, null);
step("getWorkspaceBudget", `lifetime $${lifetime.limitUsd}`);

const budgets = await ws.listBudgets({ workspaceRef: slug });
assert.equal(budgets.data.length, 2);
step("listWorkspaceBudgets", `${budgets.data.length} budgets, byok=${budgets.includeByokInBudgets}`);

await ws.deleteBudget({ workspaceRef: slug, interval: "monthly" });
const again = await ws.deleteBudget({ workspaceRef: slug, interval: "monthly" });
step("deleteWorkspaceBudget", `twice (idempotent): ${again.deleted}`);

// API keys (sdk.apiKeys) in the new workspace, and its default guardrail (sdk.guardrails).
const keys = sdk.apiKeys;
const made = await keys.create({ requestBody: { name: "ts-ci", workspaceId: created.id, limit: 10, limitReset: "monthly" } });
assert.ok(made.key.startsWith("sk-or-v1-"));
assert.equal(made.data.workspaceId, created.id);
step("createApiKey", `${made.data.name} hash=${made.data.hash.slice(0, 12)}... (the secret is shown once)`);
const listed = (await keys.list({ workspaceId: created.id, offset: 0 })).data;
assert.deepEqual(listed.map((k) => k.hash), [made.data.hash]);
step("listApiKeys", `${listed.length} key`);
const gotKey = (await keys.get({ hash: made.data.hash })).data;
assert.equal(gotKey.limit, 10);
step("getApiKey", `limit $${gotKey.limit} reset=${gotKey.limitReset}`);
const updKey = (await keys.update({ hash: made.data.hash, requestBody: { name: "ts-ci (renamed)", disabled: true, limit: null } })).data;
assert.equal(updKey.disabled, true);
assert.equal(updKey.limit, null);
assert.equal((await keys.list({ workspaceId: created.id })).data.length, 0);
assert.equal((await keys.list({ workspaceId: created.id, includeDisabled: true })).data.length, 1);
step("updateApiKey", "renamed, disabled (then listed only with includeDisabled), limit cleared");

const guardrails = sdk.guardrails;
await assert.rejects(guardrails.get({ id: created.defaultGuardrailId }), (e) => e.constructor.name === "NotFoundResponseError");
console.log("  (the default guardrail is unconfigured until written: 404)");
const configured = (await guardrails.update({ id: created.defaultGuardrailId, updateGuardrailRequest: { limitUsd: 25, resetInterval: "weekly", allowedProviders: ["openai"] } })).data;
assert.equal(configured.limitUsd, 25);
step("updateGuardrail", `materialized ${configured.name}: $${configured.limitUsd} ${configured.resetInterval}`);
const read = (await guardrails.get({ id: created.defaultGuardrailId })).data;
assert.deepEqual(read.allowedProviders, ["openai"]);
step("getGuardrail", `allowed providers ${read.allowedProviders}`);

const goneKey = await keys.delete({ hash: made.data.hash });
step("deleteApiKey", `deleted=${goneKey.deleted}`);

const deleted = await ws.delete({ id: created.id });
step("deleteWorkspace", `deleted=${deleted.deleted}`);
await assert.rejects(ws.get({ id: slug }), (e) => e.constructor.name === "NotFoundResponseError");
console.log("  (then get answers 404 as documented)");

// Every operation of the spec, as the fake serves them (`openrouter-workspaces-fake --operations`, set by
// tests/interop/with-fake-server.sh).
const all = (process.env.OPERATION_IDS ?? "").split(/\s+/).filter(Boolean);
assert.ok(all.length > 0, "OPERATION_IDS is empty: run through tests/interop/with-fake-server.sh");
const missing = all.filter((op) => !seen.has(op));
assert.deepEqual(missing, []);
console.log(`all ${seen.size} operations passed through the official TypeScript SDK`);
