//! Running a `create_many` job again against the fake: a finished job costs reads only, a job that changed under
//! it writes exactly what is missing, a slug of another name is not adopted, and a job killed at any point (the
//! property test) converges when run again, with nothing created twice.

use std::collections::BTreeMap;
use std::time::Duration;

use futures_util::StreamExt;
use openrouter_workspaces::fake::{FakeServer, Fault};
use openrouter_workspaces::operation::OperationId;
use openrouter_workspaces::{
    BudgetInterval, Client, CreateWorkspace, Error, IfExists, NewWorkspace, ProvisionStep, RetryPolicy, WorkspaceOrigin,
};
use proptest::prelude::*;
use proptest::test_runner::Config;

const MONTHLY: f64 = 100.0;
const DAILY: f64 = 10.0;

/// The job's item for `slug`: two budgets, two members, adoptable when its name is the one asked for.
fn item(slug: &str) -> NewWorkspace {
    NewWorkspace::new(CreateWorkspace::new(format!("Customer {slug}"), slug))
        .budget(BudgetInterval::Monthly, MONTHLY)
        .budget(BudgetInterval::Daily, DAILY)
        .members(["user_alice", "user_bob"])
        .if_exists(IfExists::AdoptSameName)
}

fn job(n: usize) -> Vec<NewWorkspace> {
    (0..n).map(|i| item(&format!("c{i}"))).collect()
}

fn quick(server: &FakeServer) -> Client {
    let policy = RetryPolicy::default().initial_backoff(Duration::from_millis(1)).jitter(false);
    server.client_builder().retry_policy(policy).timeout(Duration::from_secs(5)).build().unwrap()
}

/// How many requests of each operation the fake received since its log was last cleared.
fn per_operation(server: &FakeServer) -> BTreeMap<&'static str, usize> {
    let mut counts = BTreeMap::new();
    for r in server.requests() {
        *counts.entry(r.operation_id.map_or("unknown", |op| op.as_str())).or_insert(0) += 1;
    }
    counts
}

/// Asserts that every item of `job(n)` is done on the fake: its workspace exists exactly once, with both
/// budgets and both members.
async fn assert_done(server: &FakeServer, client: &Client, n: usize) {
    let all = server.workspaces();
    for i in 0..n {
        let slug = format!("c{i}");
        assert_eq!(all.iter().filter(|w| w.slug == slug).count(), 1, "{slug} exists exactly once");
        let budgets = client.workspaces().budgets(&slug).list().await.unwrap();
        let mut limits: Vec<(BudgetInterval, f64)> = budgets
            .data
            .iter()
            .map(|b| (BudgetInterval::from_reset_interval(b.reset_interval.as_ref()), b.limit_usd))
            .collect();
        limits.sort_by(|a, b| a.0.as_str().cmp(b.0.as_str()));
        assert_eq!(limits, [(BudgetInterval::Daily, DAILY), (BudgetInterval::Monthly, MONTHLY)], "{slug}");
        let members = client.workspaces().members(&slug).list().collect().await.unwrap();
        let mut users: Vec<String> = members.into_iter().map(|m| m.user_id).collect();
        users.sort();
        assert_eq!(users, ["user_alice", "user_bob"], "{slug}");
    }
    assert_eq!(all.len(), n + 1, "the job's workspaces and the default one, nothing else");
}

#[tokio::test]
async fn a_finished_job_run_again_sends_only_reads_and_reports_every_item_adopted() {
    let server = FakeServer::start().await.unwrap();
    let client = quick(&server);
    let first = client.workspaces().create_many(job(10)).concurrency(4).collect().await;
    assert!(first.iter().all(|i| i.result.as_ref().is_ok_and(|p| p.origin == WorkspaceOrigin::Created)));
    let writes = per_operation(&server);
    assert_eq!(writes.get("createWorkspace"), Some(&10));
    assert_eq!(writes.get("upsertWorkspaceBudget"), Some(&20));
    assert_eq!(writes.get("bulkAddWorkspaceMembers"), Some(&10));

    server.clear_requests();
    let again = client.workspaces().create_many(job(10)).concurrency(4).collect().await;
    for item in &again {
        let done = item.result.as_ref().unwrap_or_else(|e| panic!("{}: {e}", item.key));
        assert_eq!((done.origin, done.recovered, done.members_added), (WorkspaceOrigin::Adopted, false, 0));
        let limits: Vec<f64> = done.budgets.iter().map(|b| b.limit_usd).collect();
        assert_eq!(limits, [MONTHLY, DAILY], "the budgets as they are, in the order asked");
    }
    // One read of the workspace, of its budgets and of its (one page of) members per item; nothing else.
    let expected = BTreeMap::from([("getWorkspace", 10), ("listWorkspaceBudgets", 10), ("listWorkspaceMembers", 10)]);
    assert_eq!(per_operation(&server), expected);
    assert!(server.requests().iter().all(|r| r.method == "GET"));
    assert_done(&server, &client, 10).await;
}

#[tokio::test]
async fn a_job_run_again_writes_only_what_is_missing_or_different() {
    let server = FakeServer::start().await.unwrap();
    let client = quick(&server);
    // The first run was killed after c0 and c1 were created; c1 has its monthly budget only. c2 was never
    // reached. Meanwhile someone changed c0's daily budget and removed one of its members.
    for slug in ["c0", "c1"] {
        client.workspaces().create(CreateWorkspace::new(format!("Customer {slug}"), slug)).await.unwrap();
    }
    let c0 = client.workspaces().budgets("c0");
    c0.set(BudgetInterval::Monthly, MONTHLY).await.unwrap();
    c0.set(BudgetInterval::Daily, 5.0).await.unwrap();
    client.workspaces().members("c0").add(["user_alice", "user_bob"]).await.unwrap();
    client.workspaces().members("c0").remove(["user_bob"]).await.unwrap();
    client.workspaces().budgets("c1").set(BudgetInterval::Monthly, MONTHLY).await.unwrap();

    server.clear_requests();
    let report = client.workspaces().create_many(job(3)).concurrency(1).collect().await;
    let origins: Vec<WorkspaceOrigin> = report.iter().map(|i| i.result.as_ref().unwrap().origin).collect();
    assert_eq!(origins, [WorkspaceOrigin::Adopted, WorkspaceOrigin::Adopted, WorkspaceOrigin::Created]);
    let added: Vec<u64> = report.iter().map(|i| i.result.as_ref().unwrap().members_added).collect();
    assert_eq!(added, [1, 2, 2]);

    // Writes: c0's daily budget and bob, c1's daily budget and both members, all of c2; in this order (one item
    // at a time).
    let id = |slug: &str| server.workspaces().into_iter().find(|w| w.slug == slug).unwrap().id;
    let (c0, c1, c2) = (id("c0"), id("c1"), id("c2"));
    let both = serde_json::json!({"user_ids": ["user_alice", "user_bob"]});
    let expected = [
        ("PUT", format!("/api/v1/workspaces/{c0}/budgets/daily"), serde_json::json!({"limit_usd": DAILY})),
        ("POST", format!("/api/v1/workspaces/{c0}/members/add"), serde_json::json!({"user_ids": ["user_bob"]})),
        ("PUT", format!("/api/v1/workspaces/{c1}/budgets/daily"), serde_json::json!({"limit_usd": DAILY})),
        ("POST", format!("/api/v1/workspaces/{c1}/members/add"), both.clone()),
        ("POST", "/api/v1/workspaces".to_owned(), serde_json::json!({"name": "Customer c2", "slug": "c2"})),
        ("PUT", format!("/api/v1/workspaces/{c2}/budgets/monthly"), serde_json::json!({"limit_usd": MONTHLY})),
        ("PUT", format!("/api/v1/workspaces/{c2}/budgets/daily"), serde_json::json!({"limit_usd": DAILY})),
        ("POST", format!("/api/v1/workspaces/{c2}/members/add"), both),
    ];
    let writes: Vec<(String, String, serde_json::Value)> = server
        .requests()
        .into_iter()
        .filter(|r| r.method != "GET")
        .map(|r| (r.method, r.path, r.body.unwrap_or_default()))
        .collect();
    let expected: Vec<(String, String, serde_json::Value)> =
        expected.into_iter().map(|(m, p, b)| (m.to_owned(), p, b)).collect();
    assert_eq!(writes, expected);
    assert_done(&server, &client, 3).await;
}

#[tokio::test]
async fn a_slug_held_by_a_workspace_of_another_name_is_not_adopted_unless_asked_and_nothing_is_written() {
    let server = FakeServer::start().await.unwrap();
    // Another team's workspace has the slug the user mistyped.
    let theirs = server.seed_workspace("Platform team", "acme").unwrap();
    let client = quick(&server);
    let budgets = client.workspaces().budgets("acme");
    budgets.set(BudgetInterval::Monthly, 999.0).await.unwrap();
    server.clear_requests();

    let report = client.workspaces().create_many([item("acme")]).collect().await;
    let refused = report[0].result.as_ref().unwrap_err();
    assert_eq!(
        (&refused.step, refused.workspace.is_none(), refused.outcome_unknown),
        (&ProvisionStep::Create, true, false)
    );
    let Error::InvalidInput(why) = &refused.error else { panic!("{refused}") };
    assert_eq!(why.field, "slug");
    assert!(refused.to_string().contains("\"Platform team\""), "names the holder: {refused}");
    assert!(refused.to_string().contains("IfExists::Adopt"), "says how to adopt anyway: {refused}");
    assert!(server.requests().iter().all(|r| r.method == "GET"), "nothing written: {:?}", per_operation(&server));
    assert_eq!(budgets.get(BudgetInterval::Monthly).await.unwrap().limit_usd, 999.0);

    // The default: a taken slug fails with the API's 400, and nothing is read first.
    server.clear_requests();
    let report = client.workspaces().create_many([item("acme").if_exists(IfExists::Fail)]).collect().await;
    assert!(matches!(report[0].result.as_ref().unwrap_err().error, Error::BadRequest(_)));
    assert_eq!(per_operation(&server), BTreeMap::from([("createWorkspace", 1)]));

    // Asked for explicitly: adopted whatever its name, its budgets brought to what was asked.
    let report = client.workspaces().create_many([item("acme").if_exists(IfExists::Adopt)]).collect().await;
    let adopted = report[0].result.as_ref().unwrap();
    assert_eq!((adopted.origin, adopted.workspace.id.as_str()), (WorkspaceOrigin::Adopted, theirs.id.as_str()));
    assert_eq!(budgets.get(BudgetInterval::Monthly).await.unwrap().limit_usd, MONTHLY);
}

#[tokio::test]
async fn a_slug_taken_between_the_lookup_and_the_create_is_adopted() {
    let server = FakeServer::start().await.unwrap();
    server.seed_workspace("Customer c0", "c0").unwrap();
    let client = quick(&server);
    // The lookup does not see it yet (as if it was created just after), the create then finds the slug taken.
    server.inject(OperationId::GetWorkspace, [Fault::status(404)]);
    let report = client.workspaces().create_many(job(1)).collect().await;
    let done = report[0].result.as_ref().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(done.origin, WorkspaceOrigin::Adopted);
    let counts = per_operation(&server);
    assert_eq!((counts["getWorkspace"], counts["createWorkspace"]), (2, 1));
    assert_done(&server, &client, 1).await;
}

/// The cases of the crash property, from `PROPTEST_CASES` when set.
fn cases(default: u32) -> Config {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(default);
    Config { cases, failure_persistence: None, ..Config::default() }
}

/// A fault on the first run's first request of an operation: a lost answer or a server error.
fn fault() -> impl Strategy<Value = Option<(OperationId, Fault)>> {
    let op = prop_oneof![
        Just(OperationId::CreateWorkspace),
        Just(OperationId::UpsertWorkspaceBudget),
        Just(OperationId::BulkAddWorkspaceMembers),
        Just(OperationId::GetWorkspace),
    ];
    let fault =
        prop_oneof![Just(Fault::close_mid_body()), Just(Fault::close_before_response()), Just(Fault::status(500))];
    proptest::option::of((op, fault))
}

proptest! {
    #![proptest_config(cases(24))]

    /// A job killed after any number of requests (its futures dropped mid-item, with requests in flight), run
    /// again unchanged: every item is done, each workspace exists once, and a third run writes nothing.
    #[test]
    fn a_job_killed_at_a_random_point_and_run_again_converges_with_nothing_created_twice(
        n in 1usize..8,
        kill_fraction in 0.0f64..1.0,
        concurrency in 1usize..4,
        fault in fault(),
    ) {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(async {
            let server = FakeServer::start().await.unwrap();
            let client = quick(&server);
            if let Some((op, fault)) = fault.clone() {
                server.inject(op, [fault]);
            }
            // A full run sends about 5 requests per item: kill after a random share of them.
            let kill_at = (kill_fraction * (5 * n) as f64) as usize;
            let mut first = client.workspaces().create_many(job(n)).concurrency(concurrency).stream();
            let drain = async { while first.next().await.is_some() {} };
            let kill = async {
                while server.requests().len() < kill_at {
                    tokio::task::yield_now().await;
                }
            };
            tokio::select! { _ = drain => {}, _ = kill => {} }
            drop(first);

            // A fault the first run did not reach (killed before) fails one item of the next: run again once more.
            let mut again = client.workspaces().create_many(job(n)).concurrency(concurrency).collect().await;
            if fault.is_some() && again.iter().any(|i| i.result.is_err()) {
                again = client.workspaces().create_many(job(n)).concurrency(concurrency).collect().await;
            }
            for item in &again {
                let done = item.result.as_ref().unwrap_or_else(|e| panic!("{}: {e}", item.key));
                // Recovered only after a lost answer, which only an injected fault causes.
                assert!(done.origin != WorkspaceOrigin::Recovered || fault.is_some(), "{done:?}");
            }
            assert_done(&server, &client, n).await;
            // Every create that succeeded, over both runs, was of a different slug.
            let mut created: Vec<String> = server
                .requests()
                .into_iter()
                .filter(|r| r.operation_id == Some(OperationId::CreateWorkspace) && r.status == 201)
                .filter_map(|r| r.body.and_then(|b| b["slug"].as_str().map(str::to_owned)))
                .collect();
            let total = created.len();
            created.sort();
            created.dedup();
            assert_eq!(created.len(), total, "a slug created twice");

            server.clear_requests();
            let third = client.workspaces().create_many(job(n)).concurrency(concurrency).collect().await;
            assert!(third.iter().all(|i| i.result.as_ref().is_ok_and(|p| p.origin == WorkspaceOrigin::Adopted)));
            assert!(server.requests().iter().all(|r| r.method == "GET"), "{:?}", per_operation(&server));
        });
    }
}
