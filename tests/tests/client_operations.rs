//! The ergonomic client against the fake server: every operation of the spec, validation before sending, explicit nulls.

use futures_util::TryStreamExt;
use openrouter_workspaces::fake::FakeServer;
use openrouter_workspaces::operation::OperationId;
use openrouter_workspaces::{
    BudgetInterval, BudgetLimit, CreateKey, CreateWorkspace, Error, GuardrailInterval, ResetInterval, ServerTool,
    UpdateGuardrail, UpdateKey, UpdateWorkspace, WorkspaceMemberRole, limits,
};

#[tokio::test]
async fn every_operation_works_end_to_end() {
    let server = FakeServer::start().await.unwrap();
    let client = server.client();
    let ws = client.workspaces();

    let created = ws
        .create(
            CreateWorkspace::new("Production", "production")
                .description("Customer traffic")
                .default_text_model("openai/gpt-4o")
                .disabled_server_tools([ServerTool::WebSearch]),
        )
        .await
        .unwrap();
    assert_eq!(created.slug, "production");
    assert_eq!(created.disabled_server_tools.as_deref(), Some(&["openrouter:web_search".to_owned()][..]));
    assert_eq!(server.requests().last().unwrap().status, 201);

    let by_slug = ws.get("production").await.unwrap();
    assert_eq!(by_slug.id, created.id);
    let by_id = ws.get(&created.id).await.unwrap();
    assert_eq!(by_id, by_slug);

    let updated = ws.update("production", UpdateWorkspace::new().name("Prod").clear_description()).await.unwrap();
    assert_eq!((updated.name.as_str(), updated.description.as_deref()), ("Prod", None));
    assert!(updated.updated_at > created.updated_at);

    let all = ws.list().page_size(1).collect().await.unwrap();
    assert_eq!(all.iter().map(|w| w.slug.as_str()).collect::<Vec<_>>(), ["default", "production"]);

    let members = ws.members("production");
    let added = members.add(["user_alice", "user_admin"]).await.unwrap();
    assert_eq!(added.added_count, 2);
    let listed = members.list().collect().await.unwrap();
    assert_eq!(listed.len(), 2);
    assert!(listed.iter().any(|m| m.user_id == "user_admin" && m.role == WorkspaceMemberRole::Admin));
    assert_eq!(members.remove(["user_alice", "user_nobody"]).await.unwrap(), 1);

    let budgets = ws.budgets("production");
    let monthly = budgets.set(BudgetInterval::Monthly, 100.0).await.unwrap();
    assert_eq!(monthly.reset_interval, Some(ResetInterval::Monthly));
    let lifetime =
        budgets.set(BudgetInterval::Lifetime, BudgetLimit::usd(500.0).include_byok_in_budgets(true)).await.unwrap();
    assert_eq!(lifetime.reset_interval, None, "a lifetime budget has no reset interval");
    assert_eq!(budgets.get(BudgetInterval::Monthly).await.unwrap().limit_usd, 100.0);
    let list = budgets.list().await.unwrap();
    assert_eq!((list.data.len(), list.include_byok_in_budgets), (2, Some(true)));
    let err = budgets.set(BudgetInterval::Daily, 200.0).await.unwrap_err();
    assert!(matches!(err, Error::BadRequest(_)), "{err}");
    budgets.delete(BudgetInterval::Monthly).await.unwrap();
    budgets.delete(BudgetInterval::Monthly).await.unwrap(); // idempotent
    assert!(matches!(budgets.get(BudgetInterval::Monthly).await.unwrap_err(), Error::NotFound(_)));

    // API keys, in the workspace named by its slug: created (the secret once), listed lazily, read, disabled
    // (then listed only on request), deleted.
    let keys = ws.keys("production");
    let minted = keys.create(CreateKey::new("ci").limit(10.0)).await.unwrap();
    let secret = minted.key.expose_secret().to_owned();
    assert_eq!((minted.data.workspace_id.as_str(), minted.data.limit), (created.id.as_str(), Some(10.0)));
    assert_eq!(keys.list().collect().await.unwrap(), std::slice::from_ref(&minted.data));
    let disabled = client.keys().update(&minted.data.hash, UpdateKey::new().disabled(true)).await.unwrap();
    assert!(disabled.disabled);
    assert!(keys.list().collect().await.unwrap().is_empty());
    assert_eq!(keys.clone().include_disabled(true).list().collect().await.unwrap(), std::slice::from_ref(&disabled));
    assert_eq!(client.keys().get(&minted.data.hash).await.unwrap(), disabled);

    // The default guardrail: unconfigured (`None`), then materialized by an update, through the workspace's
    // default_guardrail_id.
    let guardrail = ws.default_guardrail("production");
    assert_eq!(guardrail.get().await.unwrap(), None);
    let configured = guardrail
        .update(UpdateGuardrail::new().limit_usd(20.0).reset_interval(GuardrailInterval::Weekly))
        .await
        .unwrap();
    assert_eq!(configured.id, created.default_guardrail_id);
    assert_eq!(configured.reset_interval, Some(Some(GuardrailInterval::Weekly)));
    assert_eq!(guardrail.get().await.unwrap(), Some(configured));

    client.keys().delete(&minted.data.hash).await.unwrap();
    assert!(matches!(client.keys().get(&minted.data.hash).await.unwrap_err(), Error::NotFound(_)));
    // The secret was in the create's answer only: the fake's log (requests and answers) never shows it.
    assert!(server.requests().iter().all(|r| !format!("{r:?}").contains(&secret)));

    ws.delete("production").await.unwrap();
    assert!(matches!(ws.get("production").await.unwrap_err(), Error::NotFound(_)));

    let seen: std::collections::BTreeSet<&str> =
        server.requests().iter().filter_map(|r| r.operation_id).map(OperationId::as_str).collect();
    assert_eq!(seen.len(), OperationId::ALL.len(), "every operation, through the SDK: {seen:?}");
}

#[tokio::test]
async fn the_default_workspace_lists_the_organization_and_needs_confirmation_to_delete() {
    let server = FakeServer::start().await.unwrap();
    let client = server.client();
    let members = client.workspaces().members("default").list().collect().await.unwrap();
    assert_eq!(members.len(), 4);
    let err = client.workspaces().delete("default").await.unwrap_err();
    assert!(
        matches!(err, Error::BadRequest(_)) && err.to_string().contains("confirm_default_workspace_deletion"),
        "{err}"
    );
    client.workspaces().delete("default").confirm_default_workspace_deletion().await.unwrap();
    let last = server.requests().pop().unwrap();
    assert_eq!(last.query, [("confirm_default_workspace_deletion".to_owned(), "true".to_owned())]);
}

#[tokio::test]
async fn update_sends_explicit_nulls_and_leaves_the_rest_out() {
    let server = FakeServer::start().await.unwrap();
    let client = server.client();
    client
        .workspaces()
        .update(
            "default",
            UpdateWorkspace::new()
                .clear_default_text_model()
                .clear_disabled_server_tools()
                .clear_io_logging_api_key_ids()
                .default_image_model("m"),
        )
        .await
        .unwrap();
    let body = server.requests().pop().unwrap().body.unwrap();
    assert_eq!(
        body,
        serde_json::json!({"default_text_model": null, "disabled_server_tools": null, "io_logging_api_key_ids": null, "default_image_model": "m"})
    );
}

#[tokio::test]
async fn headers_are_set_once_per_client_and_the_key_is_never_shown() {
    let server = FakeServer::start().await.unwrap();
    let builder = || {
        server
            .client_builder()
            .http_referer("https://acme.example")
            .app_title("Acme")
            .app_categories(["cli-agent", "cloud-agent"])
    };
    // The client this crate builds has the headers as its own defaults; on a caller's client they are set per request.
    let callers = builder().http_client(openrouter_workspaces_tests::plain_http_client()).build().unwrap();
    for client in [builder().build().unwrap(), callers] {
        client.workspaces().get("default").await.unwrap();
        let r = server.requests().pop().unwrap();
        assert_eq!(r.header("http-referer"), Some("https://acme.example"));
        assert_eq!(r.header("x-openrouter-title"), Some("Acme"));
        assert_eq!(r.header("x-openrouter-categories"), Some("cli-agent,cloud-agent"));
        assert_eq!(r.header("accept"), Some("application/json"));
        assert!(r.header("user-agent").unwrap().starts_with("openrouter-workspaces-rust/"));
        assert_eq!(r.header("api-version"), None, "progenitor's api-version header must not be sent");
        // The raw generated client sends the same client-level headers.
        client.raw().get_workspace("default").await.unwrap();
        let r = server.requests().pop().unwrap();
        assert_eq!(r.header("accept"), Some("application/json"));
        assert_eq!(r.header("x-openrouter-title"), Some("Acme"));
        for shown in [format!("{client:?}"), format!("{:?}", client.raw())] {
            assert!(!shown.contains(openrouter_workspaces::fake::FAKE_API_KEY), "{shown}");
        }
    }

    let wrong = server.client_builder().api_key("sk-or-v1-wrong-secret").build().unwrap();
    let err = wrong.workspaces().get("default").await.unwrap_err();
    assert!(matches!(err, Error::Unauthorized(_)), "{err}");
    for text in [err.to_string(), format!("{err:?}"), format!("{wrong:?}")] {
        assert!(!text.contains("wrong-secret"), "the key leaked: {text}");
    }
}

/// One more than a page-size maximum of the spec, as the SDK takes page sizes.
fn too_many(maximum: i64) -> u32 {
    u32::try_from(maximum + 1).unwrap()
}

#[tokio::test]
async fn invalid_input_is_rejected_before_anything_is_sent() {
    let server = FakeServer::start().await.unwrap();
    let client = server.client();
    let ws = client.workspaces();
    let cases: Vec<(&str, Error)> = vec![
        ("slug", ws.create(CreateWorkspace::new("N", "Bad Slug")).await.unwrap_err()),
        (
            "slug",
            ws.create(CreateWorkspace::new("N", "a".repeat(limits::CREATE_WORKSPACE_SLUG_MAX_LENGTH + 1)))
                .await
                .unwrap_err(),
        ),
        ("name", ws.create(CreateWorkspace::new("", "ok")).await.unwrap_err()),
        (
            "name",
            ws.create(CreateWorkspace::new("n".repeat(limits::CREATE_WORKSPACE_NAME_MAX_LENGTH + 1), "ok"))
                .await
                .unwrap_err(),
        ),
        (
            "description",
            ws.create(
                CreateWorkspace::new("N", "ok")
                    .description("d".repeat(limits::CREATE_WORKSPACE_DESCRIPTION_MAX_LENGTH + 1)),
            )
            .await
            .unwrap_err(),
        ),
        (
            "io_logging_sampling_rate",
            ws.create(CreateWorkspace::new("N", "ok").io_logging_sampling_rate(0.0)).await.unwrap_err(),
        ),
        (
            "io_logging_sampling_rate",
            ws.update("default", UpdateWorkspace::new().io_logging_sampling_rate(1.5)).await.unwrap_err(),
        ),
        ("slug", ws.update("default", UpdateWorkspace::new().slug("-x")).await.unwrap_err()),
        ("limit", ws.list_page(0, 0).await.unwrap_err()),
        ("limit", ws.list().page_size(too_many(limits::LIST_WORKSPACES_LIMIT_MAXIMUM)).collect().await.unwrap_err()),
        (
            "limit",
            ws.members("default")
                .list_page(0, too_many(limits::LIST_WORKSPACE_MEMBERS_LIMIT_MAXIMUM))
                .await
                .unwrap_err(),
        ),
        ("user_ids", ws.members("default").add(Vec::<String>::new()).await.unwrap_err()),
        (
            "user_ids",
            ws.members("default")
                .remove(vec!["u".to_owned(); limits::BULK_REMOVE_WORKSPACE_MEMBERS_USER_IDS_MAX_ITEMS + 1])
                .await
                .unwrap_err(),
        ),
        ("limit_usd", ws.budgets("default").set(BudgetInterval::Monthly, 0.0).await.unwrap_err()),
        ("limit_usd", ws.budgets("default").set(BudgetInterval::Monthly, f64::NAN).await.unwrap_err()),
        ("limit_usd", ws.budgets("default").set(BudgetInterval::Monthly, -1.0).await.unwrap_err()),
        ("id", ws.get("").await.unwrap_err()),
        ("id", ws.get("..").await.unwrap_err()),
        ("id", ws.get(".").await.unwrap_err()),
        ("id", ws.get("a/b").await.unwrap_err()),
        ("id", ws.get("a\nb").await.unwrap_err()),
        ("id", ws.delete("..").await.unwrap_err()),
        ("id", ws.update("../x", UpdateWorkspace::new()).await.unwrap_err()),
        ("id", ws.members("..").list().collect().await.unwrap_err()),
        ("id", ws.members("/").add(["u"]).await.unwrap_err()),
        ("workspace_ref", ws.budgets("..").list().await.unwrap_err()),
        ("interval", ws.budgets("default").get(BudgetInterval::from("../x")).await.unwrap_err()),
    ];
    for (field, err) in &cases {
        match err {
            Error::InvalidInput(i) => {
                assert_eq!(i.field, *field, "{err}");
                assert!(err.to_string().starts_with(&format!("invalid {field}: ")), "{err}");
            }
            other => panic!("expected invalid {field}, got {other}"),
        }
    }
    assert!(server.requests().is_empty(), "requests reached the server: {:?}", server.requests());
}

#[tokio::test]
async fn odd_but_valid_ids_stay_inside_their_path_segment() {
    let server = FakeServer::start().await.unwrap();
    let client = server.client();
    for id in ["a b?c#d", "%2e%2e", "..."] {
        let err = client.workspaces().get(id).await.unwrap_err();
        assert!(matches!(err, Error::NotFound(_)), "{id}: {err}");
        let r = server.requests().pop().unwrap();
        assert_eq!(r.operation_id, Some(OperationId::GetWorkspace), "{id} left its segment: {}", r.path);
    }
}

#[tokio::test]
async fn unknown_enum_values_from_the_server_are_kept() {
    // A role this crate does not know must not fail the response.
    let member: openrouter_workspaces::WorkspaceMember = serde_json::from_value(serde_json::json!({
        "id": "m", "workspace_id": "w", "user_id": "u", "role": "owner_future", "created_at": "2026-01-01T00:00:00Z"
    }))
    .unwrap();
    assert_eq!(member.role, WorkspaceMemberRole::from("owner_future"));
    let budget: openrouter_workspaces::WorkspaceBudget = serde_json::from_value(serde_json::json!({
        "id": "b", "workspace_id": "w", "limit_usd": 1.0, "reset_interval": "hourly",
        "created_at": "x", "updated_at": "y", "unknown_extra_field": 1
    }))
    .unwrap();
    assert_eq!(budget.reset_interval, Some(ResetInterval::from("hourly")));
}

#[tokio::test]
async fn item_streams_are_lazy() {
    let server = FakeServer::start().await.unwrap();
    let client = server.client();
    let stream = client.workspaces().list().items();
    tokio::task::yield_now().await;
    assert_eq!(server.request_count(OperationId::ListWorkspaces), 0, "nothing may be sent before the stream is polled");
    let items: Vec<_> = stream.try_collect().await.unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(server.request_count(OperationId::ListWorkspaces), 1);
}
