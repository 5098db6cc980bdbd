//! Bulk helpers against the fake: partial failure, chunking by the spec's `maxItems`, and a create whose answer
//! was lost reported once, never duplicated.

use std::time::Duration;

use openrouter_workspaces::fake::{FakeServer, Fault, OrgUser};
use openrouter_workspaces::operation::OperationId;
use openrouter_workspaces::{
    BudgetInterval, Client, CreateWorkspace, Error, NewWorkspace, ProvisionStep, RetryPolicy, UpdateWorkspace,
    WorkspaceMemberRole, limits,
};

fn new(slug: &str) -> NewWorkspace {
    NewWorkspace::new(CreateWorkspace::new(format!("Customer {slug}"), slug))
}

fn quick(server: &FakeServer) -> Client {
    let policy = RetryPolicy::default().initial_backoff(Duration::from_millis(1)).jitter(false);
    server.client_builder().retry_policy(policy).timeout(Duration::from_millis(500)).build().unwrap()
}

#[tokio::test]
async fn create_many_provisions_every_item_it_can_and_reports_each_failure_with_its_step() {
    let server = FakeServer::start().await.unwrap();
    server.seed_workspace("Taken", "taken").unwrap();
    let client = quick(&server);
    let items = vec![
        new("c1").budget(BudgetInterval::Monthly, 100.0),
        new("taken").budget(BudgetInterval::Monthly, 100.0),
        // Limits must strictly decrease as the interval narrows: the daily budget above the monthly one fails.
        new("c3").budget(BudgetInterval::Monthly, 10.0).budget(BudgetInterval::Daily, 50.0),
        new("c4").budget(BudgetInterval::Monthly, 100.0).members(["user_alice", "user_bob"]),
        new("c5").members(["user_nobody"]),
        CreateWorkspace::new("Bare", "c6").into(),
    ];
    let job = client.workspaces().create_many(items).concurrency(3);
    assert_eq!(job.total(), Some(6));
    let report = job.collect().await;
    let keys: Vec<&str> = report.iter().map(|i| i.key.as_str()).collect();
    assert_eq!(keys, ["c1", "taken", "c3", "c4", "c5", "c6"], "input order");

    let ok = |i: usize| report[i].result.as_ref().unwrap_or_else(|e| panic!("{}: {e}", report[i].key));
    let err = |i: usize| report[i].result.as_ref().err().unwrap_or_else(|| panic!("{} succeeded", report[i].key));
    assert_eq!(ok(0).budgets.len(), 1);
    assert!(!ok(0).recovered);
    assert_eq!((ok(3).budgets.len(), ok(3).members_added), (1, 2));
    assert_eq!(ok(5).workspace.slug, "c6");

    let taken = err(1);
    assert_eq!((&taken.step, taken.workspace.is_none(), taken.outcome_unknown), (&ProvisionStep::Create, true, false));
    assert!(matches!(taken.error, Error::BadRequest(_)), "{taken}");
    let budget = err(2);
    assert_eq!(budget.step, ProvisionStep::Budget(BudgetInterval::Daily));
    assert_eq!(budget.workspace.as_ref().unwrap().slug, "c3", "the workspace exists: reported, not lost");
    assert!(budget.to_string().contains("finish its setup"), "{budget}");
    let members = err(4);
    assert_eq!(
        (&members.step, members.workspace.as_ref().map(|w| w.slug.as_str())),
        (&ProvisionStep::Members, Some("c5"))
    );

    // Every workspace that could be created was, once.
    let mut slugs: Vec<String> = server.workspaces().into_iter().map(|w| w.slug).collect();
    slugs.sort();
    assert_eq!(slugs, ["c1", "c3", "c4", "c5", "c6", "default", "taken"]);
    assert_eq!(server.request_count(OperationId::CreateWorkspace), 6);
}

#[tokio::test]
async fn a_create_whose_answer_was_lost_is_found_by_its_slug_and_never_duplicated() {
    let server = FakeServer::start().await.unwrap();
    // Even a client that opts in to replaying writes: create_many never replays a create blindly.
    let client = server
        .client_builder()
        .retry_policy(RetryPolicy::default().initial_backoff(Duration::from_millis(1)).retry_non_idempotent(true))
        .build()
        .unwrap();
    let count = |op| server.request_count(op);

    // Created, answer cut mid-body: looked up, found, reported as recovered; its budget is still set.
    server.inject(OperationId::CreateWorkspace, [Fault::close_mid_body()]);
    let report = client.workspaces().create_many([new("lost").budget(BudgetInterval::Monthly, 5.0)]).collect().await;
    let done = report[0].result.as_ref().unwrap();
    assert!(done.recovered && done.budgets.len() == 1, "{done:?}");
    assert_eq!((count(OperationId::CreateWorkspace), count(OperationId::GetWorkspace)), (1, 1));

    // Not created (the connection closed before any answer; a 500): looked up, absent, created again once.
    for fault in [Fault::close_before_response(), Fault::status(500)] {
        server.clear_requests();
        server.inject(OperationId::CreateWorkspace, [fault.clone()]);
        let slug = format!("retried-{}", server.workspaces().len());
        let report = client.workspaces().create_many([new(&slug)]).collect().await;
        let done = report[0].result.as_ref().unwrap_or_else(|e| panic!("{fault:?}: {e}"));
        assert!(!done.recovered, "{fault:?}");
        assert_eq!((count(OperationId::CreateWorkspace), count(OperationId::GetWorkspace)), (2, 1), "{fault:?}");
    }

    // The lookup fails too: the item says the outcome is unknown, and nothing is sent again.
    server.clear_requests();
    server.inject(OperationId::CreateWorkspace, [Fault::close_mid_body()]);
    server.inject(OperationId::GetWorkspace, (0..3).map(|_| Fault::status(500)));
    let report = client.workspaces().create_many([new("unknown")]).collect().await;
    let failed = report[0].result.as_ref().unwrap_err();
    assert!(failed.outcome_unknown && failed.workspace.is_none(), "{failed}");
    assert!(failed.to_string().contains("look the slug up"), "{failed}");
    assert_eq!(count(OperationId::CreateWorkspace), 1);

    for slug in ["lost", "retried-2", "retried-3", "unknown"] {
        let n = server.workspaces().iter().filter(|w| w.slug == slug).count();
        assert_eq!(n, 1, "{slug} exists exactly once");
    }
}

/// A fake whose organization has an admin and `n` members `user_0`.., and one workspace, `big`.
async fn big_org(n: usize) -> FakeServer {
    let mut org: Vec<OrgUser> =
        (0..n).map(|i| OrgUser::new(format!("user_{i}"), WorkspaceMemberRole::Member)).collect();
    org.insert(0, OrgUser::new("user_admin", WorkspaceMemberRole::Admin));
    let server = FakeServer::builder().org_users(org).start().await.unwrap();
    server.seed_workspace("Big", "big").unwrap();
    server
}

#[tokio::test]
async fn add_all_sends_ceil_n_over_max_items_requests_and_a_bad_chunk_does_not_stop_the_others() {
    let max = limits::BULK_ADD_WORKSPACE_MEMBERS_USER_IDS_MAX_ITEMS;
    let n = 2 * max + max / 2;
    let server = big_org(n).await;
    let client = quick(&server);
    let members = client.workspaces().members("big");

    let job = members.add_all((0..n).map(|i| format!("user_{i}")));
    assert_eq!(job.total(), Some(n.div_ceil(max)));
    let report = job.concurrency(2).collect().await;
    assert_eq!(server.request_count(OperationId::BulkAddWorkspaceMembers), n.div_ceil(max));
    let sizes: Vec<usize> = server
        .requests()
        .iter()
        .filter(|r| r.operation_id == Some(OperationId::BulkAddWorkspaceMembers))
        .map(|r| r.body.as_ref().unwrap()["user_ids"].as_array().unwrap().len())
        .collect();
    assert!(sizes.iter().all(|s| *s <= max) && sizes.iter().sum::<usize>() == n, "{sizes:?}");
    assert!(report.iter().all(|i| i.result.is_ok()));
    assert_eq!(members.list().collect().await.unwrap().len(), n);

    // One unknown user in the second chunk: that request fails, the others succeed.
    server.clear_requests();
    let mut ids: Vec<String> = (0..n).map(|i| format!("user_{i}")).collect();
    ids[max + 1] = "user_unknown".into();
    let report = members.add_all(ids).collect().await;
    let outcomes: Vec<bool> = report.iter().map(|i| i.result.is_ok()).collect();
    assert_eq!(outcomes, [true, false, true]);
    assert!(report[1].key.contains(&"user_unknown".to_owned()), "the failed chunk's ids are its key");
    assert_eq!(server.request_count(OperationId::BulkAddWorkspaceMembers), 3);

    // No ids, no request.
    assert!(members.add_all(Vec::<String>::new()).collect().await.is_empty());
    assert_eq!(server.request_count(OperationId::BulkAddWorkspaceMembers), 3);
}

#[tokio::test]
async fn remove_all_is_add_alls_counterpart_in_chunks_of_the_specs_max_items() {
    let max = limits::BULK_REMOVE_WORKSPACE_MEMBERS_USER_IDS_MAX_ITEMS;
    let n = 2 * max + 3;
    let server = big_org(n).await;
    let client = quick(&server);
    let members = client.workspaces().members("big");
    let added = members.add_all((0..n).map(|i| format!("user_{i}"))).collect().await;
    assert!(added.iter().all(|i| i.result.is_ok()));
    assert_eq!(members.list().collect().await.unwrap().len(), n);

    // All but the last three: two full chunks.
    let job = members.remove_all((0..n - 3).map(|i| format!("user_{i}")));
    assert_eq!(job.total(), Some(2));
    let report = job.concurrency(2).collect().await;
    assert_eq!(server.request_count(OperationId::BulkRemoveWorkspaceMembers), 2);
    let removed: u64 = report.iter().map(|i| *i.result.as_ref().unwrap()).sum();
    assert_eq!(removed, (n - 3) as u64);
    assert_eq!(report[0].key.len(), max, "a chunk's ids are its key");
    let left: Vec<String> = members.list().collect().await.unwrap().into_iter().map(|m| m.user_id).collect();
    assert_eq!(left, (n - 3..n).map(|i| format!("user_{i}")).collect::<Vec<_>>());

    // No ids, no request.
    assert!(members.remove_all(Vec::<String>::new()).collect().await.is_empty());
    assert_eq!(server.request_count(OperationId::BulkRemoveWorkspaceMembers), 2);
}

#[tokio::test]
async fn update_many_applies_each_update_and_reports_the_ones_that_failed() {
    let server = FakeServer::start().await.unwrap();
    for slug in ["u1", "u2"] {
        server.seed_workspace(slug, slug).unwrap();
    }
    let client = quick(&server);
    let update = UpdateWorkspace::new().description("bulk");
    let report =
        client.workspaces().update_many(["u1", "missing", "u2"].map(|id| (id, update.clone()))).collect().await;
    assert_eq!(report.iter().map(|i| i.key.as_str()).collect::<Vec<_>>(), ["u1", "missing", "u2"]);
    assert!(matches!(report[1].result, Err(Error::NotFound(_))));
    for i in [0, 2] {
        assert_eq!(report[i].result.as_ref().unwrap().description.as_deref(), Some("bulk"));
    }
    // A PATCH that fails with a 500 is not replayed (the same rule as a single update).
    server.inject(OperationId::UpdateWorkspace, [Fault::status(500)]);
    server.clear_requests();
    let report = client.workspaces().update_many([("u1", update)]).collect().await;
    assert!(matches!(report[0].result, Err(Error::Server(_))));
    assert_eq!(server.request_count(OperationId::UpdateWorkspace), 1);
}

/// The overlay's identifier rule on user ids (spec/overlay.yaml, `x-rules.identifier`): an empty, blank or
/// control-character id can name no user. The client sends nothing and names the rule, for a single call and for
/// a bulk job; the fake refuses the same body with 400 and the same rule.
#[tokio::test]
async fn member_requests_with_empty_blank_or_control_character_ids_send_nothing_and_name_the_rule() {
    let server = FakeServer::start().await.unwrap();
    let client = quick(&server);
    let members = client.workspaces().members("default");
    let bad = ["", " ", "   ", "\t", " user_alice", "user_alice ", "user\nalice", "user\u{0}alice", "user\u{85}x"];
    let blank_rule = "must not be blank, start or end with whitespace, or hold control characters";
    let rule_of = |err: Error| match err {
        Error::InvalidInput(i) => {
            assert_eq!(i.field, "user_ids", "{i:?}");
            i.rule.clone()
        }
        other => panic!("expected invalid user_ids, got {other}"),
    };
    for id in bad {
        let expected = if id.is_empty() { "must not be empty" } else { blank_rule };
        let ids = vec!["user_alice".to_owned(), id.to_owned()];
        assert_eq!(rule_of(members.add(ids.clone()).await.unwrap_err()), expected, "add {id:?}");
        assert_eq!(rule_of(members.remove(ids.clone()).await.unwrap_err()), expected, "remove {id:?}");
        let report = members.add_all(ids).collect().await;
        assert_eq!(report.len(), 1, "{id:?}");
        let err = report.into_iter().next().unwrap().result.unwrap_err();
        assert!(err.to_string().contains(expected), "add_all {id:?}: {err}");
    }
    assert!(server.requests().is_empty(), "requests reached the server: {:?}", server.requests());

    // Inner spaces and non-ASCII text are fine: the request is sent (and the fake answers as for any unknown user).
    let err = members.add(["user alice é"]).await.unwrap_err();
    assert!(!matches!(err, Error::InvalidInput(_)), "{err}");
    assert_eq!(server.request_count(OperationId::BulkAddWorkspaceMembers), 1);

    // The fake holds the same rule: a blank id sent by hand is refused with 400, naming it.
    let response = openrouter_workspaces_tests::plain_http_client()
        .post(format!("{}/workspaces/default/members/remove", server.base_url()))
        .bearer_auth(openrouter_workspaces::fake::FAKE_API_KEY)
        .json(&serde_json::json!({"user_ids": ["user_alice", "  "]}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let text = response.text().await.unwrap();
    assert!(text.contains(blank_rule) && text.contains("user_ids"), "{text}");
}

#[tokio::test]
async fn transient_5xx_answers_on_the_member_and_budget_steps_do_not_fail_an_item() {
    // Adding members is marked idempotent in the spec (`x-idempotent`: "memberships created or updated"), so a
    // 5xx on it is retried as the budget's PUT is; a create is not.
    let server = FakeServer::start().await.unwrap();
    let client = quick(&server);
    server.inject(OperationId::BulkAddWorkspaceMembers, [Fault::status(503), Fault::status(503)]);
    server.inject(OperationId::UpsertWorkspaceBudget, [Fault::status(503), Fault::status(500)]);
    let items: Vec<NewWorkspace> =
        (0..10).map(|i| new(&format!("t{i}")).budget(BudgetInterval::Monthly, 100.0).members(["user_alice"])).collect();
    let report = client.workspaces().create_many(items).concurrency(4).collect().await;
    let failed: Vec<String> =
        report.iter().filter_map(|i| i.result.as_ref().err().map(|e| format!("{}: {e}", i.key))).collect();
    assert!(failed.is_empty(), "{failed:#?}");
    assert_eq!(server.request_count(OperationId::BulkAddWorkspaceMembers), 12, "10 adds, 2 of them replayed once");
    assert_eq!(server.request_count(OperationId::UpsertWorkspaceBudget), 12);
    assert_eq!(server.request_count(OperationId::CreateWorkspace), 10);
    for i in 0..10 {
        let members = client.workspaces().members(&format!("t{i}")).list().collect().await.unwrap();
        assert_eq!(members.len(), 1, "t{i}: added once");
    }

    // Removing is marked too; creating a workspace is not: after a 5xx it is not sent again.
    server.clear_requests();
    server.inject(OperationId::BulkRemoveWorkspaceMembers, [Fault::status(502)]);
    assert_eq!(client.workspaces().members("t0").remove(["user_alice"]).await.unwrap(), 1);
    assert_eq!(server.request_count(OperationId::BulkRemoveWorkspaceMembers), 2);
    server.inject(OperationId::CreateWorkspace, [Fault::status(503)]);
    let err = client.workspaces().create(CreateWorkspace::new("Once", "once")).await.unwrap_err();
    assert!(matches!(err, Error::Server(_)), "{err}");
    assert_eq!(server.request_count(OperationId::CreateWorkspace), 1);
    assert!(server.workspaces().iter().all(|w| w.slug != "once"));
}
