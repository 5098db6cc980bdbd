//! The contract suite: `spec/openapi.yaml` is the judge of both sides.
//!
//! - Coverage: the spec, the SDK's operation table and the fake implement the same operations.
//! - Requests and responses: every operation driven through the SDK against the fake (optional fields set, unset
//!   and cleared; success and every documented error status), and every request the SDK sent and every answer the
//!   fake gave validated against the spec ([`Spec::validate_exchange`]).
//! - Off-spec requests: what the SDK refuses to send, sent anyway, is flagged by the validator and refused by the
//!   fake with the documented error body; tampered exchanges are caught.
//! - Examples: every example in the spec validates against its schema, and every schema example deserializes into
//!   the SDK type that stands for it and serializes back without loss.
//! - SDK types against the spec: enum values here; field names, required-ness, nullability, types and constraints
//!   in `tests/schemas.rs` (schemars against the spec, and differential validation).
//! - Faults: for every fault the fake can inject, on an idempotent and a non-idempotent operation of each kind,
//!   the SDK's outcome, the attempts that reached the server, the elapsed time, and no panic or hang.

use std::collections::BTreeSet;
use std::num::NonZeroU64;
use std::time::{Duration, Instant};

use openrouter_workspaces::fake::{FAKE_API_KEY, FakeServer, Fault, RecordedRequest};
use openrouter_workspaces::operation::OperationId;
use openrouter_workspaces::{
    ApiKeyLimitReset, BudgetInterval, BudgetLimit, Client, CreateKey, CreateWorkspace, Error, ErrorBody,
    GuardrailInterval, ResetInterval, RetryPolicy, ServerTool, UpdateGuardrail, UpdateKey, UpdateWorkspace,
    WorkspaceMemberRole, limits, operation,
};
use openrouter_workspaces_tests::{HttpRequest, Nulls, Spec, differences};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

fn spec() -> &'static Spec {
    Spec::get()
}

/// Validates every exchange the fake logged; panics listing every violation. Returns the `(operation, status)`
/// pairs answered, and the operations the spec matched for the requests.
fn assert_log_conforms(log: &[RecordedRequest], injected: &[u16]) -> (BTreeSet<(String, u16)>, BTreeSet<String>) {
    let mut violations = Vec::new();
    let mut answered = BTreeSet::new();
    let mut exercised = BTreeSet::new();
    for exchange in log {
        if let Ok(op) = spec().validate_request(&HttpRequest::from(exchange)) {
            exercised.insert(op.id.clone());
            if exchange.status != 0 {
                answered.insert((op.id.clone(), exchange.status));
            }
        }
        if let Err(v) = spec().validate_exchange_with_faults(exchange, injected) {
            violations.push(format!(
                "#{} {} {}:\n  {}",
                exchange.sequence,
                exchange.method,
                exchange.path,
                v.join("\n  ")
            ));
        }
    }
    assert!(violations.is_empty(), "{} exchange(s) outside the spec:\n{}", violations.len(), violations.join("\n"));
    (answered, exercised)
}

/// When a test panics (an SDK call that failed, an assertion), prints the contract violations of the fake's log so
/// far: a request or a response outside the spec is usually why, and this names the operation and the violation.
struct ExplainOnPanic<'a>(&'a FakeServer);

impl Drop for ExplainOnPanic<'_> {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            return;
        }
        let violations: Vec<String> = self
            .0
            .requests()
            .iter()
            .filter_map(|r| spec().validate_exchange(r).err().map(|v| format!("#{} {}", r.sequence, v.join("; "))))
            .collect();
        if violations.is_empty() {
            eprintln!("contract: every exchange so far conforms to the spec");
        } else {
            eprintln!("contract: exchanges outside the spec so far:\n{}", violations.join("\n"));
        }
    }
}

#[track_caller]
fn assert_err<T: std::fmt::Debug>(result: Result<T, Error>, status: u16) {
    match result {
        Err(e) if e.status() == Some(status) => {}
        other => panic!("expected a {status}, got {other:?}"),
    }
}

/// Calls one operation through the SDK's ergonomic surface on workspace `ws`, for the loops over every operation.
/// (This is the map from the spec's operations to the hand-written surface; an operation the spec gains has no
/// method there until someone writes one, and the suite says so.)
async fn call(client: &Client, op: &str, ws: &str) -> Result<(), Error> {
    let w = client.workspaces();
    let id: OperationId = op.parse().unwrap_or_else(|e| panic!("{e}"));
    match id {
        OperationId::ListWorkspaces => w.list_page(0, 10).await.map(drop),
        OperationId::CreateWorkspace => w.create(CreateWorkspace::new("Probe", "probe")).await.map(drop),
        OperationId::GetWorkspace => w.get(ws).await.map(drop),
        OperationId::UpdateWorkspace => w.update(ws, UpdateWorkspace::new().name("Probe")).await.map(drop),
        OperationId::DeleteWorkspace => w.delete(ws).await,
        OperationId::ListWorkspaceMembers => w.members(ws).list_page(0, 10).await.map(drop),
        OperationId::BulkAddWorkspaceMembers => w.members(ws).add(["user_alice"]).await.map(drop),
        OperationId::BulkRemoveWorkspaceMembers => w.members(ws).remove(["user_alice"]).await.map(drop),
        OperationId::ListWorkspaceBudgets => w.budgets(ws).list().await.map(drop),
        OperationId::GetWorkspaceBudget => w.budgets(ws).get(BudgetInterval::Monthly).await.map(drop),
        OperationId::UpsertWorkspaceBudget => w.budgets(ws).set(BudgetInterval::Monthly, 10.0).await.map(drop),
        OperationId::DeleteWorkspaceBudget => w.budgets(ws).delete(BudgetInterval::Monthly).await,
        OperationId::ListApiKeys => w.keys(ws).list_page(0).await.map(drop),
        OperationId::CreateApiKey => w.keys(ws).create(CreateKey::new("probe")).await.map(drop),
        // The key operations take a hash; the workspace's name stands for one (a 404, or the injected status).
        OperationId::GetApiKey => client.keys().get(ws).await.map(drop),
        OperationId::UpdateApiKey => client.keys().update(ws, UpdateKey::new().name("probe")).await.map(drop),
        OperationId::DeleteApiKey => client.keys().delete(ws).await,
        // `get` reads the guardrail's 404 as "unconfigured" (`Ok(None)`); its other statuses are errors.
        OperationId::GetGuardrail => w.default_guardrail(ws).get().await.map(drop),
        OperationId::UpdateGuardrail => {
            w.default_guardrail(ws).update(UpdateGuardrail::new().limit_usd(1.0)).await.map(drop)
        }
        other => panic!("the SDK has no ergonomic method for {other} yet (use `Client::raw`); add one and a line here"),
    }
}

/// Every `(operation, status)` pair the spec documents.
fn documented_pairs() -> BTreeSet<(String, u16)> {
    let mut out = BTreeSet::new();
    for op in spec().operations() {
        for status in op.documented_statuses() {
            let code = status.parse().unwrap_or_else(|_| panic!("{}: status {status} is not a number", op.id));
            out.insert((op.id.clone(), code));
        }
    }
    out
}

/// The generated table against this suite's own reading of the spec, and the fake against the table: every
/// operation is routed and answered by a business rule (none falls to the fake's 501).
#[tokio::test]
async fn spec_sdk_table_and_fake_have_the_same_operations() {
    let spec_ids = spec().operation_ids();
    let sdk: BTreeSet<&str> = operation::ALL.iter().map(|o| o.id.as_str()).collect();
    let mut problems = Vec::new();
    for id in spec_ids.difference(&sdk) {
        problems.push(format!("operation {id} is in the spec but not in openrouter_workspaces::operation::ALL"));
    }
    for id in sdk.difference(&spec_ids) {
        problems.push(format!("operation {id} is in openrouter_workspaces::operation::ALL but not in the spec"));
    }
    for op in operation::ALL {
        if let Some(s) = spec().operation(op.id.as_str())
            && (s.method.as_str(), s.path.as_str()) != (op.method, op.path)
        {
            problems.push(format!("{}: operation::ALL says {op}, the spec says {} {}", op.id, s.method, s.path));
        }
    }
    let server = FakeServer::start().await.unwrap();
    let client = server.client_builder().retry_policy(RetryPolicy::none()).build().unwrap();
    for op in operation::ALL {
        if let Err(e) = call(&client, op.id.as_str(), "default").await
            && e.status() == Some(501)
        {
            problems.push(format!("the fake does not implement {}: {e}", op.id));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert_eq!(sdk.len(), operation::ALL.len(), "operation::ALL lists an operation twice");
}

/// Every operation through the SDK, with optional fields set, unset and cleared, and every status the spec
/// documents; every exchange validated against the spec.
#[tokio::test]
async fn every_request_and_response_conforms_to_the_spec() {
    let server = FakeServer::start().await.unwrap();
    // One client with the optional attribution headers (header parameters of every operation), one without.
    let client = server
        .client_builder()
        .http_referer("https://contract.example")
        .app_title("Contract suite")
        .app_categories(["cli-agent", "cloud-agent"])
        .build()
        .unwrap();
    let _explain = ExplainOnPanic(&server);
    let plain = server.client();
    let ws = client.workspaces();

    // createWorkspace: every optional field, then the minimum; a slug already taken (400).
    let full = ws
        .create(
            CreateWorkspace::new("Everything", "everything")
                .description("Every optional field")
                .default_text_model("openai/gpt-4o")
                .default_image_model("openai/dall-e-3")
                .default_provider_sort("price")
                .disabled_server_tools([ServerTool::WebSearch, ServerTool::Bash])
                .io_logging_api_key_ids(vec![1, 2])
                .io_logging_sampling_rate(0.25)
                .is_data_discount_logging_enabled(false)
                .is_observability_broadcast_enabled(true)
                .is_observability_io_logging_enabled(true),
        )
        .await
        .unwrap();
    assert_eq!(full.io_logging_api_key_ids.as_deref(), Some(&[1, 2][..]));
    let minimal = plain.workspaces().create(CreateWorkspace::new("Minimal", "minimal")).await.unwrap();
    assert_eq!((minimal.description.as_deref(), minimal.disabled_server_tools.as_ref()), (None, None));
    assert_err(ws.create(CreateWorkspace::new("Again", "minimal")).await, 400);

    // getWorkspace: by slug, by id, an id that must be percent-encoded (404).
    assert_eq!(ws.get("everything").await.unwrap().id, full.id);
    assert_eq!(ws.get(&full.id).await.unwrap().slug, "everything");
    assert_err(ws.get("no such: workspace@all?").await, 404);

    // updateWorkspace: each field set alone, each nullable field cleared alone, nothing, everything at once.
    let each_set = [
        UpdateWorkspace::new().name("Everything (renamed)"),
        UpdateWorkspace::new().slug("everything-2"),
        UpdateWorkspace::new().description("New description"),
        UpdateWorkspace::new().default_text_model("anthropic/claude-sonnet-4"),
        UpdateWorkspace::new().default_image_model("openai/gpt-image-1"),
        UpdateWorkspace::new().default_provider_sort("latency"),
        UpdateWorkspace::new().disabled_server_tools([ServerTool::Shell, ServerTool::ExperimentalSearchModels]),
        UpdateWorkspace::new().disabled_server_tools([]),
        UpdateWorkspace::new().io_logging_api_key_ids(vec![7]),
        UpdateWorkspace::new().io_logging_sampling_rate(1.0),
        UpdateWorkspace::new().is_data_discount_logging_enabled(true),
        UpdateWorkspace::new().is_observability_broadcast_enabled(false),
        UpdateWorkspace::new().is_observability_io_logging_enabled(false),
    ];
    for update in each_set {
        ws.update(&full.id, update).await.unwrap();
    }
    let each_clear = [
        UpdateWorkspace::new().clear_description(),
        UpdateWorkspace::new().clear_default_text_model(),
        UpdateWorkspace::new().clear_default_image_model(),
        UpdateWorkspace::new().clear_default_provider_sort(),
        UpdateWorkspace::new().clear_disabled_server_tools(),
        UpdateWorkspace::new().clear_io_logging_api_key_ids(),
    ];
    for update in each_clear {
        ws.update(&full.id, update).await.unwrap();
    }
    let cleared = ws.update(&full.id, UpdateWorkspace::new()).await.unwrap();
    assert_eq!(
        (
            cleared.description.as_deref(),
            cleared.default_text_model.as_deref(),
            cleared.default_image_model.as_deref(),
            cleared.default_provider_sort.as_deref(),
            cleared.disabled_server_tools.as_ref(),
            cleared.io_logging_api_key_ids.as_ref(),
        ),
        (None, None, None, None, None, None),
        "every cleared field reads back as null"
    );
    let everything = UpdateWorkspace::new()
        .name("All at once")
        .slug("all-at-once")
        .description("d")
        .default_text_model("t")
        .default_image_model("i")
        .default_provider_sort("throughput")
        .disabled_server_tools([ServerTool::Advisor])
        .io_logging_api_key_ids(vec![3, 4])
        .io_logging_sampling_rate(0.0001)
        .is_data_discount_logging_enabled(false)
        .is_observability_broadcast_enabled(true)
        .is_observability_io_logging_enabled(true);
    let all = ws.update(&full.id, everything).await.unwrap();
    assert_eq!((all.slug.as_str(), all.io_logging_sampling_rate), ("all-at-once", 0.0001));
    assert_err(ws.update(&full.id, UpdateWorkspace::new().slug("minimal")).await, 400);
    assert_err(ws.update("no-such-workspace", UpdateWorkspace::new().name("x")).await, 404);

    // listWorkspaces: with limit and offset (as the SDK always sends them), and without (raw client).
    assert_eq!(ws.list_page(0, 1).await.unwrap().items.len(), 1);
    assert_eq!(ws.list_page(1, 100).await.unwrap().items.len(), 2);
    assert_eq!(ws.list().collect().await.unwrap().len(), 3);
    assert_eq!(ws.list().page_size(2).collect().await.unwrap().len(), 3);
    let raw = client.raw().list_workspaces(None, None).await.unwrap();
    // The raw client keeps a success's headers in its `ResponseValue` (the typed layer notes what it needs as the
    // response arrives, and keeps no headers).
    assert!(raw.headers().contains_key("x-request-id") && raw.headers().contains_key("content-type"), "{raw:?}");
    assert_eq!(raw.into_inner().total_count, 3);
    assert_eq!(client.raw().list_workspaces(NonZeroU64::new(2), None).await.unwrap().into_inner().data.len(), 2);
    assert_eq!(client.raw().list_workspaces(None, Some(2)).await.unwrap().into_inner().data.len(), 1);

    // Members: the default workspace (the whole organization), an explicit one, a missing one.
    let members = ws.members("default");
    assert_eq!(members.list().page_size(3).collect().await.unwrap().len(), 4);
    let page = ws.members("minimal").list_page(0, 100).await.unwrap();
    assert_eq!(page.total_count, 0);
    assert_eq!(client.raw().list_workspace_members("default", None, None).await.unwrap().into_inner().total_count, 4);
    assert_err(ws.members("no-such-workspace").list_page(0, 10).await, 404);
    let added = ws.members("minimal").add(["user_alice"]).await.unwrap();
    assert_eq!(added.added_count, 1);
    let added = ws.members("minimal").add(["user_alice", "user_bob", "user_admin"]).await.unwrap();
    assert_eq!(added.data.len(), 3);
    assert!(added.data.iter().any(|m| m.role == WorkspaceMemberRole::Admin));
    assert_eq!(ws.members("default").add(["user_carol"]).await.unwrap().added_count, 1);
    assert_err(ws.members("minimal").add(["user_stranger"]).await, 400);
    assert_err(ws.members("no-such-workspace").add(["user_alice"]).await, 404);
    assert_eq!(ws.members("minimal").remove(["user_bob", "user_nobody"]).await.unwrap(), 1);
    assert_err(ws.members("default").remove(["user_bob"]).await, 400);
    assert_err(ws.members("no-such-workspace").remove(["user_bob"]).await, 404);

    // Budgets: every interval (lifetime has no reset interval), with and without include_byok_in_budgets.
    let budgets = ws.budgets("minimal");
    let lifetime =
        budgets.set(BudgetInterval::Lifetime, BudgetLimit::usd(1000.0).include_byok_in_budgets(true)).await.unwrap();
    assert_eq!(lifetime.reset_interval, None);
    let monthly =
        budgets.set(BudgetInterval::Monthly, BudgetLimit::usd(500.0).include_byok_in_budgets(false)).await.unwrap();
    assert_eq!(monthly.reset_interval, Some(ResetInterval::Monthly));
    budgets.set(BudgetInterval::Weekly, 100.0).await.unwrap();
    budgets.set(BudgetInterval::Daily, 10.5).await.unwrap();
    budgets.set(BudgetInterval::Daily, 20.0).await.unwrap(); // replaces
    for interval in BudgetInterval::KNOWN {
        assert_eq!(
            &BudgetInterval::from_reset_interval(budgets.get(interval.clone()).await.unwrap().reset_interval.as_ref()),
            interval
        );
    }
    let list = budgets.list().await.unwrap();
    assert_eq!((list.data.len(), list.include_byok_in_budgets), (4, Some(false)));
    assert_err(budgets.set(BudgetInterval::Weekly, 600.0).await, 400);
    assert_err(ws.budgets("no-such-workspace").list().await, 404);
    assert_err(ws.budgets("no-such-workspace").set(BudgetInterval::Daily, 1.0).await, 404);
    for interval in BudgetInterval::KNOWN {
        budgets.delete(interval.clone()).await.unwrap();
    }
    budgets.delete(BudgetInterval::Daily).await.unwrap(); // idempotent
    assert_err(budgets.get(BudgetInterval::Daily).await, 404);
    assert_err(ws.budgets("no-such-workspace").delete(BudgetInterval::Daily).await, 404);
    assert!(budgets.list().await.unwrap().data.is_empty());

    // API keys, in a workspace named by slug (its id looked up once) and by id: every optional field, the
    // secret shown once and redacted everywhere else; an unknown workspace (400).
    let keys = ws.keys("minimal");
    let created = keys.create(CreateKey::new("ci")).await.unwrap();
    let secret = created.key.expose_secret().to_owned();
    assert!(secret.starts_with("sk-or-v1-"), "{secret}");
    assert!(!format!("{created:?} {}", created.key).contains(&secret));
    let everything_key = CreateKey::new("everything")
        .limit(25.0)
        .limit_reset(ApiKeyLimitReset::Monthly)
        .include_byok_in_limit(true)
        .expires_at("2027-12-31T23:59:59Z")
        .creator_user_id("user_alice");
    let full_key = ws.keys(&minimal.id).create(everything_key).await.unwrap().data;
    assert_eq!((full_key.workspace_id.as_str(), full_key.limit), (minimal.id.as_str(), Some(25.0)));
    let nowhere = "00000000-0000-4000-8000-000000000000";
    assert_err(ws.keys(nowhere).create(CreateKey::new("lost")).await, 400);
    assert!(ws.keys(nowhere).list_page(0).await.unwrap().is_empty(), "a filter that matches nothing");
    // listApiKeys: disabled keys on request only; no parameter at all (the raw client): the default workspace.
    client.keys().update(&created.data.hash, UpdateKey::new().disabled(true)).await.unwrap();
    assert_eq!(keys.list().collect().await.unwrap().len(), 1);
    assert_eq!(keys.clone().include_disabled(true).list().collect().await.unwrap().len(), 2);
    assert!(client.raw().list_api_keys(None, None, None).await.unwrap().into_inner().data.is_empty());
    // getApiKey, updateApiKey (each field set alone, each nullable one cleared alone), 404s.
    assert_eq!(client.keys().get(&full_key.hash).await.unwrap(), full_key);
    let each = [
        UpdateKey::new().name("renamed"),
        UpdateKey::new().disabled(false),
        UpdateKey::new().include_byok_in_limit(false),
        UpdateKey::new().limit(5.0),
        UpdateKey::new().limit_reset(ApiKeyLimitReset::Daily),
        UpdateKey::new().clear_limit(),
        UpdateKey::new().clear_limit_reset(),
    ];
    for update in each {
        client.keys().update(&full_key.hash, update).await.unwrap();
    }
    let updated = client.keys().get(&full_key.hash).await.unwrap();
    assert_eq!((updated.name.as_str(), updated.limit, updated.limit_reset.as_deref()), ("renamed", None, None));
    assert_err(client.keys().get("no-such-key").await, 404);
    assert_err(client.keys().update("no-such-key", UpdateKey::new()).await, 404);
    // Active keys hold their workspace and their creator's membership.
    assert_err(ws.members("minimal").remove(["user_alice"]).await, 400);
    assert_err(ws.delete("minimal").await, 400);
    client.keys().delete(&full_key.hash).await.unwrap();
    assert_err(client.keys().delete(&full_key.hash).await, 404);

    // The default guardrail: unconfigured (a 404 on the wire, `None` here), materialized by an update, every
    // field set, every nullable one cleared; its name is fixed (400); an unknown guardrail (404).
    let guardrail = ws.default_guardrail("minimal");
    assert_eq!(guardrail.get().await.unwrap(), None);
    let configured = guardrail
        .update(
            UpdateGuardrail::new()
                .limit_usd(50.0)
                .reset_interval(GuardrailInterval::Monthly)
                .description("Staging spend")
                .allowed_models(["openai/gpt-4o"])
                .allowed_providers(["openai", "anthropic"])
                .ignored_models(["openai/gpt-4o-mini"])
                .ignored_providers(["azure"])
                .enforce_zdr(true)
                .enforce_zdr_google(false)
                .enable_free_model_publication(false)
                .enable_free_model_training(false)
                .enable_paid_model_training(true)
                .include_byok_in_budgets(true),
        )
        .await
        .unwrap();
    assert_eq!((configured.workspace_id.as_deref(), configured.limit_usd), (Some(minimal.id.as_str()), Some(50.0)));
    assert_eq!((configured.enforce_zdr_openai, configured.enforce_zdr_google), (Some(true), Some(false)));
    assert_eq!(guardrail.get().await.unwrap(), Some(configured.clone()));
    let cleared = guardrail
        .update(
            UpdateGuardrail::new()
                .clear_limit_usd()
                .clear_reset_interval()
                .clear_description()
                .clear_allowed_models()
                .clear_allowed_providers()
                .clear_ignored_models()
                .clear_ignored_providers()
                .clear_enforce_zdr()
                .clear_enforce_zdr_anthropic()
                .clear_enforce_zdr_google()
                .clear_enforce_zdr_openai()
                .clear_enforce_zdr_other()
                .clear_enforce_zdr_xai()
                .clear_enable_free_model_publication()
                .clear_enable_free_model_training()
                .clear_enable_paid_model_training(),
        )
        .await
        .unwrap();
    assert_eq!((cleared.limit_usd, cleared.allowed_providers.as_ref()), (None, None));
    assert_err(guardrail.update(UpdateGuardrail::new().name("Renamed")).await, 400);
    let unknown = client.raw().update_guardrail(nowhere, &UpdateGuardrail::new()).await.unwrap_err();
    assert_eq!(unknown.status().map(|s| s.as_u16()), Some(404), "{unknown}");
    assert_err(ws.default_guardrail("no-such-workspace").get().await, 404);

    // deleteWorkspace: an ordinary one, again (404), the default one without, with false, then with the flag.
    ws.delete("minimal").await.unwrap();
    assert_err(ws.delete("minimal").await, 404);
    assert_err(ws.delete("default").await, 400);
    assert!(client.raw().delete_workspace("default", Some(false)).await.is_err());
    ws.delete("default").confirm_default_workspace_deletion().await.unwrap();

    // 401 on every operation with a key the fake does not know.
    let stranger = server.client_builder().api_key("sk-or-v1-not-a-key").build().unwrap();
    for op in spec().operations() {
        assert_err(call(&stranger, &op.id, "all-at-once").await, 401);
    }
    // The surface reads the workspace first for these (its id, its guardrail's id), and that read is the 401 above;
    // the raw client sends them alone.
    let raw = stranger.raw();
    assert!(raw.list_api_keys(None, None, None).await.is_err());
    assert!(raw.create_api_key(&CreateKey::new("x")).await.is_err());
    assert!(raw.get_guardrail(&full.default_guardrail_id).await.is_err());
    assert!(raw.update_guardrail(&full.default_guardrail_id, &UpdateGuardrail::new()).await.is_err());

    let (natural, exercised) = assert_log_conforms(&server.requests(), &[]);
    let missing: Vec<&str> = spec().operation_ids().into_iter().filter(|id| !exercised.contains(*id)).collect();
    assert!(missing.is_empty(), "operations the suite never exercised: {}", missing.join(", "));

    // The fake produced every documented status it can produce on its own: all but 403 and 500 (it has no
    // permissions and does not fail), and the 400 of get/delete budget and of the two lists (only an interval
    // outside the spec's enum or a query parameter out of its bounds gets one, which the SDK does not send; see
    // `off_spec_requests_are_flagged_and_refused_with_the_documented_error`).
    // Nor the 429 of the key operations (it has a rate limit, off here), nor the 400 of the key operations but
    // create, of getGuardrail, getWorkspace and listWorkspaceBudgets (only a body, an offset or a path id the SDK
    // refuses to send gets one).
    let injected_only = |(op, status): &(String, u16)| {
        matches!(status, 403 | 429 | 500)
            || (*status == 400
                && matches!(
                    op.as_str(),
                    "updateApiKey"
                        | "listApiKeys"
                        | "getApiKey"
                        | "deleteApiKey"
                        | "getGuardrail"
                        | "getWorkspace"
                        | "listWorkspaceBudgets"
                ))
            || (*status == 400
                && matches!(
                    op.as_str(),
                    "getWorkspaceBudget" | "deleteWorkspaceBudget" | "listWorkspaces" | "listWorkspaceMembers"
                ))
    };
    let expected_natural: BTreeSet<(String, u16)> =
        documented_pairs().into_iter().filter(|p| !injected_only(p)).collect();
    let not_produced: Vec<String> = expected_natural.difference(&natural).map(|(op, s)| format!("{op} {s}")).collect();
    assert!(not_produced.is_empty(), "documented statuses the scenario did not produce: {}", not_produced.join(", "));

    // The rest, injected: the fake's documented error body for each, validated as documented responses.
    server.clear_requests();
    let once = server.client_builder().retry_policy(RetryPolicy::none()).build().unwrap();
    for (op, status) in documented_pairs().difference(&natural) {
        server.inject(op.parse().unwrap(), [Fault::status(*status)]);
        assert_err(call(&once, op, "all-at-once").await, *status);
    }
    let (injected, _) = assert_log_conforms(&server.requests(), &[]);
    let seen: BTreeSet<(String, u16)> = natural.union(&injected).cloned().collect();
    let unseen: Vec<String> = documented_pairs().difference(&seen).map(|(op, s)| format!("{op} {s}")).collect();
    assert!(unseen.is_empty(), "documented responses never validated: {}", unseen.join(", "));
}

/// Requests the SDK would never send (its input validation stops them), sent anyway: the validator flags each
/// with the operation and the violation, and the fake refuses each with a 4xx and the documented error body.
#[tokio::test]
async fn off_spec_requests_are_flagged_and_refused_with_the_documented_error() {
    let server = FakeServer::start().await.unwrap();
    let client = server.client();
    // Through the SDK: an interval outside the spec's enum (the SDK's enum is open, so it lets it through).
    let hourly = BudgetInterval::from("hourly");
    assert_err(client.workspaces().budgets("default").get(hourly.clone()).await, 400);
    assert_err(client.workspaces().budgets("default").delete(hourly).await, 400);
    // Through the raw client: a limit above the maximum.
    let too_many = limits::LIST_WORKSPACES_LIMIT_MAXIMUM + 1;
    assert!(client.raw().list_workspaces(NonZeroU64::new(too_many.unsigned_abs()), None).await.is_err());
    // By hand, as a broken SDK would send them.
    let http = openrouter_workspaces_tests::plain_http_client();
    let url = |path: &str| format!("{}{path}", server.base_url());
    let sends = [
        http.post(url("/workspaces")).bearer_auth(FAKE_API_KEY).json(&json!({"name": "N"})),
        http.patch(url("/workspaces/default")).bearer_auth(FAKE_API_KEY).json(&json!({"name": null})),
        http.put(url("/workspaces/default/budgets/daily")).bearer_auth(FAKE_API_KEY).json(&json!({"limit_usd": "10"})),
        http.post(url("/workspaces/default/members/add")).bearer_auth(FAKE_API_KEY).body("{\"user_ids\": [\"u\"]}"),
        http.get(url("/workspaces/default/members")).bearer_auth(FAKE_API_KEY).query(&[("limit", "0")]),
        http.delete(url("/workspaces/default"))
            .bearer_auth(FAKE_API_KEY)
            .query(&[("confirm_default_workspace_deletion", "yes")]),
        http.post(url("/workspaces/default")).bearer_auth(FAKE_API_KEY),
        http.get(url("/workspace")).bearer_auth(FAKE_API_KEY),
    ];
    for send in sends {
        send.send().await.unwrap();
    }
    let limit_too_big = format!(
        "listWorkspaces query parameter limit: {too_many} is greater than the maximum of {}",
        limits::LIST_WORKSPACES_LIMIT_MAXIMUM
    );
    let expected = [
        "getWorkspaceBudget path parameter interval: \"hourly\" is not one of",
        "deleteWorkspaceBudget path parameter interval: \"hourly\" is not one of",
        &limit_too_big,
        "createWorkspace request body: (root): \"slug\" is a required property",
        "updateWorkspace request body: /name: null is not of type \"string\"",
        "upsertWorkspaceBudget request body: /limit_usd: \"10\" is not of type \"number\"",
        "bulkAddWorkspaceMembers header Content-Type: missing on a request with a body",
        "listWorkspaceMembers query parameter limit: 0 is less than the minimum of 1",
        "deleteWorkspace query parameter confirm_default_workspace_deletion: \"yes\" is not of type \"boolean\"",
        "POST /workspaces/default: method not in the spec for this path (it has GET, PATCH, DELETE)",
        "GET /workspace: no path template of the spec matches",
    ];
    let log = server.requests();
    assert_eq!(log.len(), expected.len(), "{log:#?}");
    for (exchange, expected) in log.iter().zip(expected) {
        match spec().validate_rejected_exchange(exchange) {
            Ok(violations) => assert!(
                violations.iter().any(|v| v.starts_with(expected)),
                "#{} {} {}: expected {expected:?}, got {violations:?}",
                exchange.sequence,
                exchange.method,
                exchange.path
            ),
            Err(e) => panic!("#{} {} {}: {}", exchange.sequence, exchange.method, exchange.path, e.join("\n")),
        }
    }
}

/// A real exchange, tampered with as a broken SDK or a broken fake would have it: the suite names the operation
/// and the violation.
#[tokio::test]
async fn tampered_exchanges_are_caught_naming_the_operation_and_the_violation() {
    let server = FakeServer::start().await.unwrap();
    let _explain = ExplainOnPanic(&server);
    server.client().workspaces().create(CreateWorkspace::new("Real", "real").description("d")).await.unwrap();
    let real = server.requests().pop().unwrap();
    spec().validate_exchange(&real).unwrap();

    let tamper_request = |edit: fn(&mut Value)| {
        let mut r = real.clone();
        let mut body = r.body.clone().unwrap();
        edit(&mut body);
        r.raw_body = body.to_string();
        r.body = Some(body);
        spec().validate_exchange(&r).unwrap_err()
    };
    assert_eq!(
        tamper_request(|b| b["colour"] = json!("red")),
        ["createWorkspace request body: (root): Additional properties are not allowed ('colour' was unexpected)"]
    );
    assert_eq!(
        tamper_request(|b| drop(b.as_object_mut().unwrap().remove("slug"))),
        ["createWorkspace request body: (root): \"slug\" is a required property"]
    );
    assert_eq!(
        tamper_request(|b| b["description"] = json!(42)),
        ["createWorkspace request body: /description: 42 is not of types \"null\", \"string\""]
    );

    let tamper_response = |edit: fn(&mut Value)| {
        let mut r = real.clone();
        edit(r.response_body.as_mut().unwrap());
        spec().validate_exchange(&r).unwrap_err()
    };
    assert_eq!(
        tamper_response(|b| b["data"]["owner"] = json!("someone")),
        ["createWorkspace response 201 body: /data: Additional properties are not allowed ('owner' was unexpected)"]
    );
    assert_eq!(
        tamper_response(|b| drop(b["data"].as_object_mut().unwrap().remove("default_guardrail_id"))),
        ["createWorkspace response 201 body: /data: \"default_guardrail_id\" is a required property"]
    );
    assert_eq!(
        tamper_response(|b| b["data"]["is_data_discount_logging_enabled"] = json!("yes")),
        [
            "createWorkspace response 201 body: /data/is_data_discount_logging_enabled: \"yes\" is not of type \"boolean\""
        ]
    );
    let mut wrong_status = real.clone();
    wrong_status.status = 200;
    assert_eq!(
        spec().validate_exchange(&wrong_status).unwrap_err(),
        ["createWorkspace response: status 200 is not documented (documented: 201, 400, 401, 403, 500)"]
    );
    let mut misrouted = real.clone();
    misrouted.operation_id = Some(OperationId::ListWorkspaces);
    assert_eq!(
        spec().validate_exchange(&misrouted).unwrap_err(),
        [
            "createWorkspace: the fake routed POST /api/v1/workspaces to Some(ListWorkspaces), but the spec matches createWorkspace"
        ]
    );
}

// ---------------------------------------------------------------------------------------------------------------
// Examples and SDK types.

/// Deserializes into `T` and serializes back.
fn round_trip<T: DeserializeOwned + Serialize>(value: &Value) -> Result<Value, String> {
    let typed: T = serde_json::from_value(value.clone()).map_err(|e| format!("does not deserialize: {e}"))?;
    serde_json::to_value(&typed).map_err(|e| format!("does not serialize back: {e}"))
}

/// The SDK type that stands for a schema of the spec.
struct SdkType {
    schema: &'static str,
    rust: fn() -> &'static str,
    round_trip: fn(&Value) -> Result<Value, String>,
    /// Request bodies keep `null` apart from missing (an update's `null` clears); response types may drop the
    /// `null` of an optional nullable field (both mean "no value").
    nulls: Nulls,
}

macro_rules! sdk_types {
    ($(($schema:literal, $ty:ty)),* $(,)?) => {
        &[$(SdkType {
            schema: $schema,
            rust: std::any::type_name::<$ty>,
            round_trip: round_trip::<$ty>,
            nulls: Nulls::OptionalNullableAreAbsent,
        }),*]
    };
}

/// Every schema of the spec and the SDK type for it (the generated type, the builder, or the open enum that
/// replaces the spec's closed one), from the table the generator derives from the spec.
const SDK_TYPES: &[SdkType] = openrouter_workspaces::__component_types!(sdk_types);

fn component(name: &str) -> &'static Value {
    &spec().document()["components"]["schemas"][name]
}

fn schema_ref(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

#[test]
fn every_schema_has_an_sdk_type_and_every_sdk_type_a_schema() {
    let in_spec: BTreeSet<&str> = spec().schema_names().into_iter().collect();
    let mapped: BTreeSet<&str> = SDK_TYPES.iter().map(|t| t.schema).collect();
    let unmapped: Vec<&&str> = in_spec.difference(&mapped).collect();
    let stale: Vec<&&str> = mapped.difference(&in_spec).collect();
    assert!(
        unmapped.is_empty() && stale.is_empty(),
        "schemas with no SDK type in SDK_TYPES (tests/tests/contract.rs): {unmapped:?}; entries for schemas the spec no longer has: {stale:?}"
    );
}

#[test]
fn every_schema_example_validates_against_its_own_schema() {
    let mut problems = Vec::new();
    for name in spec().schema_names() {
        match component(name).get("example") {
            None => problems.push(format!("components/schemas/{name}: no example")),
            Some(example) => {
                if let Err(v) = spec().validate_component(name, example, &format!("components/schemas/{name} example"))
                {
                    problems.extend(v);
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Walks a schema for the examples of its properties and items: `(pointer, schema, example)`.
fn nested_examples<'a>(schema: &'a Value, at: &str, out: &mut Vec<(String, &'a Value, &'a Value)>) {
    for (name, prop) in schema.get("properties").and_then(Value::as_object).into_iter().flatten() {
        let here = format!("{at}/properties/{name}");
        if let Some(example) = prop.get("example") {
            out.push((here.clone(), prop, example));
        }
        nested_examples(prop, &here, out);
    }
    if let Some(items) = schema.get("items") {
        let here = format!("{at}/items");
        if let Some(example) = items.get("example") {
            out.push((here.clone(), items, example));
        }
        nested_examples(items, &here, out);
    }
}

#[test]
fn every_property_parameter_and_response_example_validates() {
    let doc = spec().document();
    let mut examples = Vec::new();
    for name in spec().schema_names() {
        nested_examples(component(name), &format!("/components/schemas/{name}"), &mut examples);
    }
    for (name, parameter) in doc["components"]["parameters"].as_object().unwrap() {
        let schema = &parameter["schema"];
        if let Some(example) = schema.get("example") {
            examples.push((format!("/components/parameters/{name}/schema"), schema, example));
        }
    }
    for (name, response) in doc["components"]["responses"].as_object().unwrap() {
        for (media, content) in response["content"].as_object().unwrap() {
            if let Some(example) = content.get("example") {
                examples.push((format!("/components/responses/{name}/content/{media}"), &content["schema"], example));
            }
        }
    }
    assert!(examples.len() > 60, "only {} nested examples found; the walk is broken", examples.len());
    let mut problems = Vec::new();
    for (at, schema, example) in &examples {
        if let Err(v) = spec().validate_openapi_schema(schema, at, example, &format!("{at} example")) {
            problems.extend(v);
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_schema_example_round_trips_through_its_sdk_type_without_loss() {
    let mut problems = Vec::new();
    for t in SDK_TYPES {
        let example = &component(t.schema)["example"];
        match (t.round_trip)(example) {
            Err(e) => problems.push(format!("{} example, as {}: {e}", t.schema, (t.rust)())),
            Ok(back) => {
                // Deliberate: a secret (`format: password`, the SDK's `Secret`) serializes redacted, so that a
                // response serialized into a log never holds it.
                let redacted = format!("became \"{}\"", openrouter_workspaces::REDACTED);
                for d in differences(spec(), &schema_ref(t.schema), example, &back, t.nulls) {
                    if !d.ends_with(&redacted) {
                        problems.push(format!("{} example, as {}: {d}", t.schema, (t.rust)()));
                    }
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_error_example_decodes_into_the_error_body_with_its_status() {
    let doc = spec().document();
    let mut problems = Vec::new();
    for op in spec().operations() {
        for status in op.documented_statuses().into_iter().filter(|s| !s.starts_with('2')) {
            let pointer = format!(
                "/paths/{}/{}/responses/{status}",
                op.path.replace('~', "~0").replace('/', "~1"),
                op.method.to_ascii_lowercase()
            );
            let response = spec().resolve(doc.pointer(&pointer).unwrap()).unwrap();
            let Some(example) = response.pointer("/content/application~1json/example") else {
                problems.push(format!("{} {status}: the error response has no example", op.id));
                continue;
            };
            match round_trip::<ErrorBody>(example) {
                Err(e) => problems.push(format!("{} {status} example: {e}", op.id)),
                Ok(back) => {
                    let schema = schema_ref("ErrorResponse");
                    for d in differences(spec(), &schema, example, &back, Nulls::OptionalNullableAreAbsent) {
                        problems.push(format!("{} {status} example, as ErrorBody: {d}", op.id));
                    }
                    if back["error"]["code"] != json!(status.parse::<u16>().unwrap()) {
                        problems.push(format!("{} {status} example: error.code is {}", op.id, back["error"]["code"]));
                    }
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

// The SDK types' fields, required-ness, nulls and types against the spec: `tests/schemas.rs`, which compares the
// schema `schemars` derives from each type with the spec's and judges generated instances with both schemas and
// the type's deserializer (it replaced a serde-only probe here).

#[test]
fn the_sdk_enums_know_exactly_the_spec_values() {
    fn wire<T: Serialize>(values: &[T]) -> BTreeSet<String> {
        values.iter().map(|v| serde_json::to_value(v).unwrap().as_str().unwrap().to_owned()).collect()
    }
    let cases = [
        ("ServerTool", wire(ServerTool::KNOWN)),
        ("WorkspaceMemberRole", wire(WorkspaceMemberRole::KNOWN)),
        ("WorkspaceBudgetInterval", wire(BudgetInterval::KNOWN)),
        ("WorkspaceBudgetResetInterval", wire(ResetInterval::KNOWN)),
    ];
    for (schema, sdk) in cases {
        let in_spec: BTreeSet<String> = component(schema)["enum"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect();
        assert_eq!(sdk, in_spec, "the SDK's enum for {schema} (left) and the spec (right) differ");
    }
    // And every value the spec lists decodes to a known variant, not to `Unknown`.
    for tool in component("ServerTool")["enum"].as_array().unwrap() {
        let decoded: ServerTool = serde_json::from_value(tool.clone()).unwrap();
        assert!(!decoded.is_unknown(), "{tool}");
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Faults.

/// Which operation a fault case runs on. Existing end-to-end tests cover GET and POST on workspaces; these add
/// the other methods and resources.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Target {
    /// `upsertWorkspaceBudget` (PUT, idempotent).
    Put,
    /// `deleteWorkspaceBudget` (DELETE, idempotent).
    Delete,
    /// `updateWorkspace` (PATCH, not idempotent).
    Patch,
    /// `bulkRemoveWorkspaceMembers` (POST, not idempotent).
    Post,
}

impl Target {
    fn operation(self) -> OperationId {
        match self {
            Target::Put => OperationId::UpsertWorkspaceBudget,
            Target::Delete => OperationId::DeleteWorkspaceBudget,
            Target::Patch => OperationId::UpdateWorkspace,
            Target::Post => OperationId::BulkRemoveWorkspaceMembers,
        }
    }

    fn idempotent(self) -> bool {
        self.operation().operation().is_idempotent()
    }

    async fn call(self, client: Client) -> Result<(), Error> {
        let w = client.workspaces();
        match self {
            Target::Put => w.budgets("faulty").set(BudgetInterval::Weekly, 50.0).await.map(drop),
            Target::Delete => w.budgets("faulty").delete(BudgetInterval::Weekly).await,
            Target::Patch => w.update("faulty", UpdateWorkspace::new().description("faults")).await.map(drop),
            Target::Post => w.members("faulty").remove(["user_alice"]).await.map(drop),
        }
    }
}

/// The SDK's observable outcome, by kind.
fn outcome(result: &Result<(), Error>) -> &'static str {
    match result {
        Ok(()) => "Ok",
        Err(Error::BadRequest(_)) => "BadRequest",
        Err(Error::NotFound(_)) => "NotFound",
        Err(Error::Conflict(_)) => "Conflict",
        Err(Error::RateLimited(_)) => "RateLimited",
        Err(Error::Server(_)) => "Server",
        Err(Error::Status(_)) => "Status",
        Err(Error::Timeout(_)) => "Timeout",
        Err(Error::Connection(_)) => "Connection",
        Err(Error::Decode(_)) => "Decode",
        Err(_) => "other",
    }
}

/// One fault scenario: the faults queued, then the expected (outcome, attempts) for an idempotent and a
/// non-idempotent operation, and the least time the call must take.
struct FaultCase {
    name: &'static str,
    faults: fn() -> Vec<Fault>,
    /// The statuses the faults answer with (undocumented ones are then judged on their error body only).
    injected: &'static [u16],
    idempotent: (&'static str, usize),
    not_idempotent: (&'static str, usize),
    at_least: Duration,
}

/// Attempt timeout of the fault clients: a delay fault waits longer.
const ATTEMPT: Duration = Duration::from_millis(300);
/// Total deadline of the fault clients; no case comes near it.
const TOTAL: Duration = Duration::from_secs(4);
/// A generous bound on every call, far above what any case needs and below the total deadline.
const AT_MOST: Duration = Duration::from_millis(2500);

const FAULT_CASES: &[FaultCase] = &[
    FaultCase {
        name: "503 once",
        faults: || vec![Fault::status(503)],
        injected: &[503],
        idempotent: ("Ok", 2),
        not_idempotent: ("Server", 1),
        at_least: Duration::ZERO,
    },
    FaultCase {
        name: "500 on every attempt",
        faults: || vec![Fault::status(500); 3],
        injected: &[500],
        idempotent: ("Server", 3),
        not_idempotent: ("Server", 1),
        at_least: Duration::ZERO,
    },
    FaultCase {
        name: "502 as a proxy's HTML page",
        faults: || vec![Fault::html(502)],
        injected: &[],
        idempotent: ("Ok", 2),
        not_idempotent: ("Server", 1),
        at_least: Duration::ZERO,
    },
    FaultCase {
        name: "404 as an HTML page",
        faults: || vec![Fault::html(404)],
        injected: &[],
        idempotent: ("NotFound", 1),
        not_idempotent: ("NotFound", 1),
        at_least: Duration::ZERO,
    },
    FaultCase {
        name: "503 with an oversized body",
        faults: || vec![Fault::oversized(503, 200_000)],
        injected: &[],
        idempotent: ("Ok", 2),
        not_idempotent: ("Server", 1),
        at_least: Duration::ZERO,
    },
    FaultCase {
        name: "408",
        faults: || vec![Fault::status(408)],
        injected: &[408],
        idempotent: ("Ok", 2),
        not_idempotent: ("Status", 1),
        at_least: Duration::ZERO,
    },
    FaultCase {
        name: "501 (not retryable)",
        faults: || vec![Fault::status(501)],
        injected: &[501],
        idempotent: ("Server", 1),
        not_idempotent: ("Server", 1),
        at_least: Duration::ZERO,
    },
    FaultCase {
        name: "429 with retry-after-ms",
        faults: || vec![Fault::status(429).retry_after_ms(60)],
        injected: &[429],
        idempotent: ("Ok", 2),
        not_idempotent: ("Ok", 2),
        at_least: Duration::from_millis(60),
    },
    FaultCase {
        // A 429 was not processed: resent for every method, past max_attempts (3), while there is time.
        name: "429 on four attempts",
        faults: || vec![Fault::status(429).retry_after_ms(5); 4],
        injected: &[429],
        idempotent: ("Ok", 5),
        not_idempotent: ("Ok", 5),
        at_least: Duration::from_millis(20),
    },
    FaultCase {
        name: "429 whose wait passes the deadline",
        faults: || vec![Fault::status(429).retry_after("30")],
        injected: &[429],
        idempotent: ("RateLimited", 1),
        not_idempotent: ("RateLimited", 1),
        at_least: Duration::ZERO,
    },
    FaultCase {
        name: "503 with a fractional Retry-After",
        faults: || vec![Fault::status(503).retry_after("0.08")],
        injected: &[503],
        idempotent: ("Ok", 2),
        not_idempotent: ("Server", 1),
        at_least: Duration::ZERO,
    },
    FaultCase {
        name: "409 is final",
        faults: || vec![Fault::status(409)],
        injected: &[409],
        idempotent: ("Conflict", 1),
        not_idempotent: ("Conflict", 1),
        at_least: Duration::ZERO,
    },
    FaultCase {
        name: "a delay beyond the attempt timeout",
        faults: || vec![Fault::delay(ATTEMPT * 3)],
        injected: &[],
        idempotent: ("Ok", 2),
        not_idempotent: ("Timeout", 1),
        at_least: ATTEMPT,
    },
    FaultCase {
        name: "connection closed before the response",
        faults: || vec![Fault::close_before_response()],
        injected: &[],
        idempotent: ("Ok", 2),
        not_idempotent: ("Connection", 1),
        at_least: Duration::ZERO,
    },
    FaultCase {
        name: "connection closed mid-body",
        faults: || vec![Fault::close_mid_body()],
        injected: &[],
        idempotent: ("Ok", 2),
        not_idempotent: ("Connection", 1),
        at_least: Duration::ZERO,
    },
    FaultCase {
        name: "truncated JSON",
        faults: || vec![Fault::truncated_json()],
        injected: &[],
        idempotent: ("Decode", 1),
        not_idempotent: ("Decode", 1),
        at_least: Duration::ZERO,
    },
    FaultCase {
        name: "JSON labelled text/plain",
        faults: || vec![Fault::wrong_content_type()],
        injected: &[],
        idempotent: ("Ok", 1),
        not_idempotent: ("Ok", 1),
        at_least: Duration::ZERO,
    },
];

/// Runs every fault case on one operation, each on a fresh fake; panics listing every case that went otherwise.
async fn fault_matrix(target: Target) {
    let op = target.operation();
    let mut failures = Vec::new();
    for case in FAULT_CASES {
        let server = FakeServer::start().await.unwrap();
        server.seed_workspace("Faulty", "faulty").unwrap();
        let client = server
            .client_builder()
            .timeout(ATTEMPT)
            .total_timeout(TOTAL)
            .retry_policy(RetryPolicy::default().initial_backoff(Duration::from_millis(10)).jitter(false))
            .build()
            .unwrap();
        server.inject(op, (case.faults)());
        let started = Instant::now();
        // In a task (a panic is reported, not propagated) under a deadline (a hang is reported).
        let task = tokio::spawn(target.call(client));
        let result = match tokio::time::timeout(Duration::from_secs(10), task).await {
            Err(_) => {
                failures.push(format!("{op}, {}: no answer within 10 s (a hang)", case.name));
                continue;
            }
            Ok(Err(join)) => {
                failures.push(format!("{op}, {}: the SDK panicked: {join}", case.name));
                continue;
            }
            Ok(Ok(result)) => result,
        };
        let elapsed = started.elapsed();
        let (kind, attempts) = if target.idempotent() { case.idempotent } else { case.not_idempotent };
        let what = format!("{op}, {}", case.name);
        if outcome(&result) != kind {
            failures.push(format!("{what}: expected {kind}, got {result:?}"));
        }
        let log = server.requests();
        let reached: Vec<&RecordedRequest> = log.iter().filter(|r| r.operation_id == Some(op)).collect();
        if reached.len() != attempts {
            failures.push(format!("{what}: expected {attempts} attempt(s) at the server, got {}", reached.len()));
        }
        if let Some(api) = result.as_ref().err().and_then(Error::api_error) {
            if api.attempts as usize != reached.len() {
                failures.push(format!(
                    "{what}: the error says {} attempt(s), the server saw {}",
                    api.attempts,
                    reached.len()
                ));
            }
            if api.request_id.is_none() {
                failures.push(format!("{what}: the error has no request id"));
            }
        }
        if elapsed < case.at_least || elapsed > AT_MOST {
            failures.push(format!("{what}: took {elapsed:?}, expected {:?} to {AT_MOST:?}", case.at_least));
        }
        // Every attempt is a conforming request, and a retry replays the first one exactly.
        for r in &reached {
            if let Err(v) = spec().validate_exchange_with_faults(r, case.injected) {
                failures.push(format!("{what}: #{}: {}", r.sequence, v.join("; ")));
            }
            let first = reached[0];
            if (&r.method, &r.path, &r.query, &r.raw_body)
                != (&first.method, &first.path, &first.query, &first.raw_body)
            {
                failures.push(format!("{what}: attempt #{} differs from the first: {r:?}", r.sequence));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[tokio::test]
async fn faults_on_an_idempotent_put() {
    fault_matrix(Target::Put).await;
}

#[tokio::test]
async fn faults_on_an_idempotent_delete() {
    fault_matrix(Target::Delete).await;
}

#[tokio::test]
async fn faults_on_a_patch() {
    fault_matrix(Target::Patch).await;
}

#[tokio::test]
async fn faults_on_a_post() {
    fault_matrix(Target::Post).await;
}

/// What a write that failed mid-way left behind: a POST whose connection was cut after the fake applied it is
/// reported as a connection error and not replayed, and the change is there exactly once; a POST the spec marks
/// idempotent (adding members) is replayed, and its change is there exactly once too.
#[tokio::test]
async fn a_cut_write_is_reported_not_replayed_and_applied_once() {
    let server = FakeServer::start().await.unwrap();
    let client = server.client();
    server.inject(OperationId::CreateWorkspace, [Fault::close_mid_body()]);
    let err = client.workspaces().create(CreateWorkspace::new("Cut", "cut")).await.unwrap_err();
    assert!(matches!(err, Error::Connection(_)), "{err:?}");
    assert_eq!(server.request_count(OperationId::CreateWorkspace), 1);
    assert_eq!(server.workspaces().iter().filter(|w| w.slug == "cut").count(), 1);

    server.inject(OperationId::BulkAddWorkspaceMembers, [Fault::close_mid_body()]);
    let added = client.workspaces().members("cut").add(["user_bob"]).await.unwrap();
    assert_eq!(added.data.len(), 1, "the replay reports the membership again");
    assert_eq!(server.request_count(OperationId::BulkAddWorkspaceMembers), 2);
    let members = client.workspaces().members("cut").list().collect().await.unwrap();
    assert_eq!(members.iter().map(|m| m.user_id.as_str()).collect::<Vec<_>>(), ["user_bob"]);
}

/// Headers a fault adds reach the error: a custom request id, and the server's wait.
#[tokio::test]
async fn fault_headers_reach_the_error() {
    let server = FakeServer::start().await.unwrap();
    let client = server.client_builder().retry_policy(RetryPolicy::none()).build().unwrap();
    server.inject(
        OperationId::ListWorkspaceBudgets,
        [Fault::status(503).header("x-request-id", "req_custom_1").retry_after("3")],
    );
    let err = client.workspaces().budgets("default").list().await.unwrap_err();
    assert_eq!((err.status(), err.request_id()), (Some(503), Some("req_custom_1")));
    assert_eq!(err.retry_after(), Some(Duration::from_secs(3)));
    assert!(err.is_retryable(), "{err}");
    assert_eq!(server.request_count(OperationId::ListWorkspaceBudgets), 1);
    assert_log_conforms(&server.requests(), &[503]);
}
